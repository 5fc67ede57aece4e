//! RISC-V (RV32 and RV64): stack painting and wiping, register clearing.

use core::arch::asm;

/// The store instruction for one machine word.
#[cfg(target_arch = "riscv64")]
macro_rules! store_word {
    () => {
        "sd"
    };
}
/// The store instruction for one machine word.
#[cfg(target_arch = "riscv32")]
macro_rules! store_word {
    () => {
        "sw"
    };
}
/// The load instruction for one machine word.
#[cfg(target_arch = "riscv64")]
macro_rules! load_word {
    () => {
        "ld"
    };
}
/// The load instruction for one machine word.
#[cfg(target_arch = "riscv32")]
macro_rules! load_word {
    () => {
        "lw"
    };
}

/// Paints the `len` bytes below the stack pointer with `canary` and returns the stack pointer.
///
/// Writes one word at a time from the top down, so pages (on hosted RISC-V) are touched in
/// order and a stack that is too small hits its guard page instead of skipping over it. `len`
/// must be a multiple of 16.
///
/// # Safety
///
/// The `len` bytes below the stack pointer must be this thread's stack (on bare metal: the
/// stack must have that much room), or end in a guard page that stops the thread.
#[inline(always)]
pub(crate) unsafe fn paint_stack(len: usize, canary: usize) -> usize {
    let top: usize;
    // SAFETY: the caller guarantees that the region below the stack pointer may be written;
    // nothing live is stored below the stack pointer, and sp itself is not changed.
    unsafe {
        asm!(
            "mv {top}, sp",
            "sub {end}, {top}, {len}",
            "mv {p}, {top}",
            "2:",
            "bgeu {end}, {p}, 3f",
            "addi {p}, {p}, -{w}",
            concat!(store_word!(), " {c}, 0({p})"),
            "j 2b",
            "3:",
            top = out(reg) top,
            end = out(reg) _,
            p = out(reg) _,
            len = in(reg) len,
            c = in(reg) canary,
            w = const core::mem::size_of::<usize>(),
        )
    };
    top
}

/// Wipes what was written into the painted region `[top - len, top)` since [`paint_stack`]:
/// finds the lowest word that no longer holds `canary` and zeroes from there up to `top`.
///
/// Returns `(sp, low)`: the stack pointer seen by this block and the lowest zeroed address
/// (`top` when nothing was disturbed). If `sp < top` nothing is touched (`low == top`).
///
/// # Safety
///
/// `[top - len, top)` must have been painted by [`paint_stack`] on this thread; `len` must be
/// a multiple of 16.
#[inline(always)]
pub(crate) unsafe fn wipe_stack(top: usize, len: usize, canary: usize) -> (usize, usize) {
    let sp: usize;
    let low: usize;
    // SAFETY: the region was painted (this thread's stack) and is written only when it lies
    // entirely below this block's stack pointer. The one disturbed word loaded into `{v}` for
    // the comparison is cleared before the block ends.
    unsafe {
        asm!(
            "mv {sp}, sp",
            "mv {low}, {top}",
            "bltu {sp}, {top}, 6f",
            "sub {p}, {top}, {len}",
            "2:",
            "bgeu {p}, {top}, 3f",
            concat!(load_word!(), " {v}, 0({p})"),
            "bne {v}, {c}, 3f",
            "addi {p}, {p}, {w}",
            "j 2b",
            "3:",
            "li {v}, 0",
            "mv {low}, {p}",
            "4:",
            "bgeu {p}, {top}, 6f",
            concat!(store_word!(), " zero, 0({p})"),
            "addi {p}, {p}, {w}",
            "j 4b",
            "6:",
            sp = out(reg) sp,
            low = out(reg) low,
            p = out(reg) _,
            v = out(reg) _,
            top = in(reg) top,
            len = in(reg) len,
            c = in(reg) canary,
            w = const core::mem::size_of::<usize>(),
        )
    };
    (sp, low)
}

/// Zeroes the caller-saved registers t0–t6 and a0–a7, and (with the F or D extension)
/// ft0–ft11 and fa0–fa7. Not for RV32E, which has no t3–t6, a6 or a7.
#[inline(always)]
pub(crate) fn clear_registers() {
    // SAFETY: only registers declared as outputs are written; no memory, no stack.
    unsafe {
        asm!(
            "li t0, 0", "li t1, 0", "li t2, 0", "li t3, 0", "li t4, 0", "li t5, 0", "li t6, 0",
            "li a0, 0", "li a1, 0", "li a2, 0", "li a3, 0",
            "li a4, 0", "li a5, 0", "li a6, 0", "li a7, 0",
            out("t0") _, out("t1") _, out("t2") _, out("t3") _, out("t4") _, out("t5") _,
            out("t6") _, out("a0") _, out("a1") _, out("a2") _, out("a3") _, out("a4") _,
            out("a5") _, out("a6") _, out("a7") _,
            options(nomem, nostack, preserves_flags),
        )
    };
    clear_float_registers();
}

/// Writes +0.0 (all bits zero) to every caller-saved float register with `$insn`.
#[cfg_attr(
    not(any(target_feature = "f", target_feature = "d")),
    allow(unused_macros)
)]
macro_rules! clear_fregs {
    ($insn:literal) => {
        // SAFETY: writes only the twenty caller-saved float registers, all declared as outputs;
        // the float extension the instruction needs is enabled at compile time.
        unsafe {
            asm!(
                concat!($insn, " ft0, zero"), concat!($insn, " ft1, zero"),
                concat!($insn, " ft2, zero"), concat!($insn, " ft3, zero"),
                concat!($insn, " ft4, zero"), concat!($insn, " ft5, zero"),
                concat!($insn, " ft6, zero"), concat!($insn, " ft7, zero"),
                concat!($insn, " ft8, zero"), concat!($insn, " ft9, zero"),
                concat!($insn, " ft10, zero"), concat!($insn, " ft11, zero"),
                concat!($insn, " fa0, zero"), concat!($insn, " fa1, zero"),
                concat!($insn, " fa2, zero"), concat!($insn, " fa3, zero"),
                concat!($insn, " fa4, zero"), concat!($insn, " fa5, zero"),
                concat!($insn, " fa6, zero"), concat!($insn, " fa7, zero"),
                out("ft0") _, out("ft1") _, out("ft2") _, out("ft3") _, out("ft4") _,
                out("ft5") _, out("ft6") _, out("ft7") _, out("ft8") _, out("ft9") _,
                out("ft10") _, out("ft11") _, out("fa0") _, out("fa1") _, out("fa2") _,
                out("fa3") _, out("fa4") _, out("fa5") _, out("fa6") _, out("fa7") _,
                options(nomem, nostack, preserves_flags),
            )
        }
    };
}

cfg_if::cfg_if! {
    if #[cfg(all(target_feature = "d", target_arch = "riscv64"))] {
        #[inline(always)]
        fn clear_float_registers() {
            clear_fregs!("fmv.d.x");
        }
    } else if #[cfg(target_feature = "d")] {
        #[inline(always)]
        fn clear_float_registers() {
            clear_fregs!("fcvt.d.w");
        }
    } else if #[cfg(target_feature = "f")] {
        #[inline(always)]
        fn clear_float_registers() {
            clear_fregs!("fmv.w.x");
        }
    } else {
        #[inline(always)]
        fn clear_float_registers() {}
    }
}
