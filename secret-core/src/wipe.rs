//! Wiping what a computation leaves behind: the stack it used and the caller-saved registers.
//!
//! Dropping a [`Secret`](struct@crate::Secret) wipes *its* storage, but the compiler also copies
//! secrets into stack slots (spills, moves, temporaries of callees) and leaves them in
//! registers. [`with_clean_stack`] runs a closure and then zeroes every byte of stack the
//! closure wrote and the caller-saved registers:
//!
//! ```
//! # #[cfg(all(any(unix, windows), any(target_arch = "x86_64", target_arch = "aarch64")))] {
//! use secret_core::wipe::with_clean_stack;
//!
//! let tag = with_clean_stack(|| {
//!     let key = [0x42u8; 32]; // stack copies of the key are zeroed on return
//!     key.iter().fold(0u8, |acc, b| acc ^ b)
//! });
//! assert_eq!(tag, 0);
//! # }
//! ```
//!
//! # How the used stack is measured
//!
//! The stack is *measured*, not guessed. Before calling the closure, `with_clean_stack`
//! *paints* a budget of stack below its own stack pointer (64 KiB by default,
//! [`DEFAULT_STACK_BUDGET`]) with a canary word. It then calls the closure through a function
//! that is never inlined, so every frame of the closure and its callees lies inside that
//! region. Afterwards it scans the region from the bottom for the lowest word that no longer
//! holds the canary (the high-water mark) and zeroes everything from there up to its own stack
//! pointer. Every word below the high-water mark still holds the canary, so it was never
//! written. If even the bottom word was overwritten, the closure went deeper than the budget:
//! the whole budget is zeroed and then `with_clean_stack` **panics**, because the rest cannot
//! be located; use [`with_clean_stack_sized`] with a larger budget for such closures.
//!
//! Painting, scanning and zeroing are single `asm!` blocks in the frame of the function that
//! calls the closure (`arch/`), so they only ever write below the live stack pointer; the
//! stack pointer they see is compared, and a mismatch panics rather than wiping the wrong
//! place. The paint walks down one page at a time in order, so a thread whose stack is too
//! small for the budget hits its guard page and is stopped by the operating system (Rust
//! reports a stack overflow) instead of writing past it.
//!
//! The alternative, running the closure on a dedicated stack and zeroing that, knows the
//! region exactly but cannot *bound* it: a closure that needs more stack than the buffer would
//! silently write past its end, since the buffer has no guard page, and unwinding across the
//! stack switch is not possible. Painting keeps the closure on the thread's own stack, with
//! its guard page, and detects (rather than suffers) a closure that outgrows the budget.
//!
//! # Cost
//!
//! Per call, independent of what the closure does: `budget` bytes of canary are written
//! (64 KiB by default, plus one probe per 4 KiB page), `budget - used` bytes are read back,
//! `used` bytes are zeroed, and about 25 registers are zeroed twice. The cost is O(budget):
//! about two `memset`s of the budget, which dominates for closures that do little work. Pass a
//! tight budget to [`with_clean_stack_sized`] (measured for your closure, with a margin) when
//! that matters; it is the same mechanism with a smaller region. Wrap a whole operation (a
//! signature, a handshake step), not each small function.
//!
//! On Cortex-M ([`with_clean_stack_bare`]; QEMU instruction counts of the `perf` firmware in
//! `no_std-examples`, rustc 1.95.0, opt-level 3, a closure of a few instructions): 3
//! instructions per budget byte (the paint loop 1.25, the scan 1.75 per byte) plus about 75
//! (M0) to 105 (M4F, which also clears `s0`-`s15`) per call: 842 / 3145 instructions for a
//! 256 / 1024-byte budget on Cortex-M0, 873 / 3177 on Cortex-M4F; opt-levels "s" and "z" are
//! within 1%. Flash: one copy of the generic frame per call site (per closure type), 256 bytes
//! on M0 and 420 on M4F at opt-level 3, plus the call, plus once per image about 100 bytes for
//! the message that refuses an oversize budget.
//!
//! # What it cannot reach
//!
//! - **Values captured by the closure**: the closure is built in the caller's frame, above
//!   the painted region. `with_clean_stack` zeroes its own copy of the closure after the call,
//!   but the caller's copy is the caller's. Capture secrets by reference, or keep them in
//!   [`Secret`](struct@crate::Secret)s.
//! - **The return value**: it is handed back to the caller, who owns it (return a `Secret`).
//! - **Callee-saved registers**: they are restored by the closure's epilogues to the values
//!   the caller had, so they hold no secrets from the closure; they are not touched.
//!   Registers outside the lists in `arch/` are not cleared either: AVX-512 `zmm16`–`zmm31`
//!   and the upper halves of `ymm` registers when AVX is not enabled at compile time (glibc
//!   ends its AVX routines with `vzeroupper`), SVE `z` registers beyond `v0`–`v31`, `d16`–`d31`
//!   on 32-bit Arm with NEON, and the flags.
//! - **Signal handlers and interrupts**: one that runs while the closure holds secrets in
//!   registers saves them on the stack. Below the stack pointer that is inside the painted
//!   region and is zeroed (it disturbed the canary); on an alternate signal stack or a
//!   separate interrupt stack it is not.
//! - **Other threads, the heap, the kernel**: only this thread's stack is wiped. Heap copies
//!   are the job of `Secret<Vec<u8>>` (which wipes before it frees) and of `Drop`; copies in
//!   kernel buffers, swap or core dumps are out of reach of any library.
//! - **Panics**: if the closure panics and unwinds, the wipe runs during unwinding as a best
//!   effort (only if the compiler runs it in the same frame; the unwinder's own frames are
//!   included). With `panic = "abort"` nothing is wiped, and nothing survives either.
//! - **A word equal to the canary** at the very bottom of what the closure wrote is taken for
//!   paint; the canary is a fixed, unremarkable constant, so this needs a secret word equal to
//!   it.
//!
//! # Availability
//!
//! On x86_64, AArch64, 32-bit Arm/Thumb and RISC-V (not RV32E). [`with_clean_stack`] and
//! [`with_clean_stack_sized`] need an operating system that puts a guard page below each
//! thread's stack (`unix` or `windows` targets). On bare metal, where nothing stops a write
//! past the end of the stack, use the `unsafe` [`with_clean_stack_bare`], whose caller
//! promises the budget fits. On Cortex-M firmware linked with cortex-m-rt 0.7.5 or newer,
//! enable secret-core's `cortex-m-rt` feature: `with_clean_stack_bare` then reads where the
//! stack ends (cortex-m-rt's `_stack_end`, just above `.bss` and `.uninit`) and panics, before
//! painting anything, when the budget is larger than the stack free below its frame; the
//! message says how many bytes are free. Without it, a budget a few bytes too large paints
//! over `.bss` (the micro:bit image hung), a larger one runs off the bottom of RAM (a
//! BusFault). To size a budget, start from the deepest stack the closure needs (the panic
//! after the call reports a budget that was too small) and stay below the free stack.
#![allow(unsafe_code)]

cfg_if::cfg_if! {
    if #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv32",
        target_arch = "riscv64"
    ))] {
        use crate::arch;
        use core::mem::{ManuallyDrop, MaybeUninit};

        /// Bytes of stack [`with_clean_stack`] paints, measures and wipes: 64 KiB.
        pub const DEFAULT_STACK_BUDGET: usize = 64 * 1024;

        /// The names the panic messages use, so that every message names a function that
        /// exists on this target: the entry point (`WHO`) and the one that takes a budget
        /// (`SIZED`); on bare metal both are `with_clean_stack_bare`.
        #[cfg(any(unix, windows))]
        const WHO: &str = "with_clean_stack";
        #[cfg(not(any(unix, windows)))]
        const WHO: &str = "with_clean_stack_bare";
        #[cfg(any(unix, windows))]
        const SIZED: &str = "with_clean_stack_sized";
        #[cfg(not(any(unix, windows)))]
        const SIZED: &str = "with_clean_stack_bare";
        /// The name in the message that refuses an oversize budget (only bare metal checks).
        #[cfg_attr(not(target_arch = "arm"), allow(dead_code))]
        const BARE: &str = "with_clean_stack_bare";

        /// The paint. Any other value found in the region afterwards was written since.
        const CANARY: usize = 0xC1EA_57AC_C1EA_57ACu64 as usize;

        /// Runs `f`, then zeroes every byte of stack `f` used and the caller-saved registers,
        /// and returns `f`'s result.
        ///
        /// `f` may use up to [`DEFAULT_STACK_BUDGET`] bytes of stack; if it uses more, the
        /// budget is zeroed and this function panics (see the [module docs](self), which also
        /// list the cost and what is out of reach).
        ///
        /// ```
        /// use secret_core::wipe::with_clean_stack;
        /// let sum = with_clean_stack(|| [7u64; 16].iter().sum::<u64>());
        /// assert_eq!(sum, 112);
        /// ```
        #[cfg(any(unix, windows))]
        #[inline(always)]
        pub fn with_clean_stack<R>(f: impl FnOnce() -> R) -> R {
            with_clean_stack_sized(DEFAULT_STACK_BUDGET, f)
        }

        /// [`with_clean_stack`] with a stack budget of `budget` bytes (rounded up to 16).
        ///
        /// # Panics
        ///
        /// If `f` used more than `budget` bytes of stack (after zeroing the budget), or if
        /// the stack pointer differs between painting and wiping (a code-generation bug).
        /// A budget larger than the thread's remaining stack stops the thread at its guard
        /// page (a stack overflow) before `f` runs.
        #[cfg(any(unix, windows))]
        #[inline(always)]
        pub fn with_clean_stack_sized<R>(budget: usize, f: impl FnOnce() -> R) -> R {
            // SAFETY: on `unix` and `windows` targets every thread's stack ends in a guard page
            // (or, for a growable main stack, a guard gap) and the paint touches the pages in
            // order from the top, so a budget larger than the stack faults at the guard page
            // instead of writing into other memory.
            unsafe { run(budget, f) }
        }

        /// [`with_clean_stack_sized`] for bare metal (firmware) and other targets without a
        /// guard page below the stack.
        ///
        /// ```no_run
        /// # #[cfg(any(target_arch = "x86_64", target_arch = "aarch64"))] {
        /// // SAFETY: the stack has at least 4 KiB left at this point (checked with the linker
        /// // map and the deepest call chain above this call).
        /// let mac = unsafe { secret_core::wipe::with_clean_stack_bare(4096, || 42u32) };
        /// # assert_eq!(mac, 42);
        /// # }
        /// ```
        ///
        /// # Safety
        ///
        /// The `budget` bytes (rounded up to 16) below the current stack pointer must be
        /// unused stack of the current thread or execution mode: they are painted before `f`
        /// runs. On a Cortex-M with the stack at the top of RAM, this means the stack has that
        /// much room left above `.bss`/heap; with the `cortex-m-rt` feature that is checked
        /// (see Panics), and what remains to the caller is a heap or other data placed between
        /// `_stack_end` and the stack. Interrupt handlers that run on the same stack while `f`
        /// runs are wiped as well (and count against the budget).
        ///
        /// # Panics
        ///
        /// - With the `cortex-m-rt` feature on bare-metal Arm, before painting, if the budget
        ///   is larger than the stack between this call's frame and `_stack_end`: "a stack
        ///   budget of N bytes does not fit: ... M bytes are free here; pass at most M".
        /// - After zeroing the budget, if `f` used more than `budget` bytes of stack (pass a
        ///   larger budget), or if the stack pointer differs between painting and wiping (a
        ///   code-generation bug).
        #[inline(always)]
        pub unsafe fn with_clean_stack_bare<R>(budget: usize, f: impl FnOnce() -> R) -> R {
            // SAFETY: the caller guarantees that the budget below the stack pointer is unused
            // stack.
            unsafe { run(budget, f) }
        }

        /// Paints, calls `f` one frame down, wipes, clears registers. Never inlined, so all the
        /// `asm!` blocks below run with the same stack pointer, the one `f` is called from.
        ///
        /// # Safety
        ///
        /// The budget below the stack pointer may be painted (see the callers).
        #[inline(never)]
        unsafe fn run<R, F: FnOnce() -> R>(budget: usize, f: F) -> R {
            let len = budget.checked_next_multiple_of(16).expect("stack budget overflows");
            if let Some(room) = arch::stack_room() {
                // Checked here, in the frame that paints: `run`'s stack pointer is the top of
                // the painted region.
                let free = room.sp.saturating_sub(room.limit) / 16 * 16;
                if len > free {
                    refuse(budget, room.sp, room.limit, free);
                }
            }
            let mut f = ManuallyDrop::new(f);
            let mut out = MaybeUninit::<R>::uninit();
            // SAFETY: the caller guarantees that `len` bytes below the stack pointer may be
            // written.
            let top = unsafe { arch::paint_stack(len, CANARY) };
            let unwind = WipeOnUnwind { top, len };
            call_once(&mut f, &mut out);
            core::mem::forget(unwind);
            // Registers first: a signal arriving now would save them below the stack pointer,
            // into the region about to be wiped.
            arch::clear_registers();
            // SAFETY: `[top - len, top)` was painted above, in this frame; `wipe_stack` writes
            // it only if it lies below its own stack pointer.
            let (sp, low) = unsafe { arch::wipe_stack(top, len, CANARY) };
            zero_bytes(&mut f);
            // SAFETY: `call_once` returned normally, so it wrote `out`.
            let result = unsafe { out.assume_init() };
            assert!(
                sp == top,
                "{WHO}: the stack pointer moved between painting and wiping"
            );
            assert!(
                len == 0 || low != top - len,
                "{WHO}: the closure used more than {len} bytes of stack; they were \
                 zeroed, but deeper stack could not be: use {SIZED} with a larger budget"
            );
            arch::clear_registers();
            result
        }

        /// The panic for a budget larger than the free stack: out of line and not generic, so
        /// its formatting code is in the image once, not once per call site.
        #[cfg_attr(not(target_arch = "arm"), allow(dead_code))]
        #[cold]
        #[inline(never)]
        fn refuse(budget: usize, sp: usize, limit: usize, free: usize) -> ! {
            panic!(
                "{BARE}: a stack budget of {budget} bytes does not fit: the stack pointer is \
                 {sp:#x} and cortex-m-rt's _stack_end (the lowest address the stack may use) is \
                 {limit:#x}, so {free} bytes are free here; pass at most {free}, or call it where \
                 the stack is shallower (nothing was painted)"
            )
        }

        /// Calls `f` in a frame of its own, below the painted stack pointer of `run`.
        #[inline(never)]
        fn call_once<R, F: FnOnce() -> R>(f: &mut ManuallyDrop<F>, out: &mut MaybeUninit<R>) {
            // SAFETY: `run` neither uses nor drops `f` after this call (it only zeroes its
            // bytes), so the closure is moved out exactly once.
            let f = unsafe { ManuallyDrop::take(f) };
            out.write(f());
        }

        /// Zeroes the bytes of a value that has been moved out (the closure, after the call).
        #[inline(always)]
        fn zero_bytes<T>(slot: &mut ManuallyDrop<T>) {
            let ptr = (slot as *mut ManuallyDrop<T>).cast::<u8>();
            for i in 0..core::mem::size_of::<T>() {
                // SAFETY: `ptr + i` is inside `*slot`, which is valid for writes; the value in it
                // has been moved out and is never read or dropped again, so any bytes will do.
                // Volatile, so the dead stores are not removed.
                unsafe { ptr.add(i).write_volatile(0) };
            }
        }

        /// Wipes the painted region if `f` unwinds (best effort: only when the compiler runs
        /// this in `run`'s frame, which `wipe_stack` checks).
        struct WipeOnUnwind {
            top: usize,
            len: usize,
        }

        impl Drop for WipeOnUnwind {
            #[inline(always)]
            fn drop(&mut self) {
                arch::clear_registers();
                // SAFETY: the region was painted by `run`; `wipe_stack` writes it only if it lies
                // below the current stack pointer, that is, when this runs in `run`'s frame.
                let _ = unsafe { arch::wipe_stack(self.top, self.len, CANARY) };
            }
        }
    }
}
