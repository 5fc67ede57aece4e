//! Arm and Thumb (Cortex-M, 32-bit Arm Linux): stack painting and wiping, register clearing.
//!
//! The assembly uses only instructions that exist in Thumb-1 (ARMv6-M) and assemble the same
//! in Thumb-2 and Arm state, with explicit low registers r0–r5.

use super::StackRoom;
use core::arch::asm;

/// The stack pointer and where the stack ends, on bare-metal Arm linked with cortex-m-rt
/// (0.7.5 or newer; feature `cortex-m-rt`): `_stack_end` is the symbol its `link.x` places
/// after `.bss` and `.uninit` (the same address as `__sheap`), the lowest address the stack
/// may use; cortex-m-rt's own `paint-stack` and `set-msplim` features use it too. An older
/// cortex-m-rt, or a linker script without the symbol, fails to link with "undefined symbol:
/// _stack_end": define it in `memory.x` (`_stack_end = ...;`) or update cortex-m-rt.
#[cfg(all(feature = "cortex-m-rt", target_os = "none"))]
#[inline(always)]
pub(crate) fn stack_room() -> Option<StackRoom> {
    extern "C" {
        static _stack_end: u8;
    }
    let sp: usize;
    // SAFETY: reads the stack pointer into a register; no memory, stack or flags are touched.
    unsafe { asm!("mov {}, sp", out(reg) sp, options(nomem, nostack, preserves_flags)) };
    Some(StackRoom {
        sp,
        limit: core::ptr::addr_of!(_stack_end) as usize,
    })
}

/// Without cortex-m-rt's symbols (hosted Arm, or the feature off) nothing is known about the
/// stack's end: `None`.
#[cfg(not(all(feature = "cortex-m-rt", target_os = "none")))]
#[inline(always)]
pub(crate) fn stack_room() -> Option<StackRoom> {
    None
}

/// `table[index]` for a table of `len` 32-bit words at `ptr` (4-byte aligned), or 0 when
/// `index >= len`, reading every word: the `ct_lookup` scan for 4-byte entries.
///
/// One loop of eight Thumb-1 instructions per entry (`LDM`, then `NEGS`/`SBCS` turn the
/// counter `index - i` into a mask through the carry flag, `BICS`/`ORRS` accumulate, and the
/// loop control compares the public pointer with the end): no branch or address depends on
/// `index`, and LLVM never sees the mask, so it cannot turn it into a branch (which it does
/// with a plain mask scan on Cortex-M0) or a predicated move.
///
/// # Safety
///
/// `ptr` must be 4-byte aligned and valid for reads of `len` words.
#[inline(always)]
pub(crate) unsafe fn scan_words(ptr: *const u32, len: usize, index: usize) -> u32 {
    if len == 0 {
        return 0;
    }
    let acc: u32;
    // SAFETY: reads exactly the `len` words from `ptr` (valid and aligned, the caller
    // guarantees), `r0` stops at `end = ptr + len` because it advances by one word per
    // iteration from `ptr`; only the listed registers and the flags are written.
    unsafe {
        asm!(
            "movs r3, #0",
            "2:",
            "ldm r0!, {{r4}}",
            "negs r5, r2",
            "sbcs r5, r5",
            "bics r4, r5",
            "orrs r3, r4",
            "subs r2, #1",
            "cmp r0, r1",
            "bne 2b",
            inout("r0") ptr => _,
            in("r1") ptr.add(len),
            inout("r2") index => _,
            out("r3") acc,
            out("r4") _,
            out("r5") _,
            options(readonly, nostack),
        )
    };
    acc
}

/// Paints the `len` bytes below the stack pointer with `canary` and returns the stack pointer.
///
/// Writes one word at a time from the top down, so pages (on hosted Arm) are touched in order
/// and a stack that is too small hits its guard page instead of skipping over it. `len` must be
/// a multiple of 8.
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
            "mov r0, sp",
            "subs r1, r0, r1",
            "mov r3, r0",
            "2:",
            "cmp r3, r1",
            "bls 3f",
            "subs r3, r3, #4",
            "str r2, [r3]",
            "b 2b",
            "3:",
            out("r0") top,
            inout("r1") len => _,
            in("r2") canary,
            out("r3") _,
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
/// a multiple of 8.
#[inline(always)]
pub(crate) unsafe fn wipe_stack(top: usize, len: usize, canary: usize) -> (usize, usize) {
    let sp: usize;
    let low: usize;
    // SAFETY: the region was painted (this thread's stack) and is written only when it lies
    // entirely below this block's stack pointer. The one disturbed word loaded into r2 for the
    // comparison is overwritten with zero before the block ends.
    unsafe {
        asm!(
            "mov r0, sp",
            "mov r5, r1",
            "cmp r0, r5",
            "blo 6f",
            "subs r4, r5, r2",
            "2:",
            "cmp r4, r5",
            "bhs 3f",
            "ldr r2, [r4]",
            "cmp r2, r3",
            "bne 3f",
            "adds r4, r4, #4",
            "b 2b",
            "3:",
            "mov r1, r4",
            "movs r2, #0",
            "4:",
            "cmp r4, r5",
            "bhs 6f",
            "str r2, [r4]",
            "adds r4, r4, #4",
            "b 4b",
            "6:",
            out("r0") sp,
            inout("r1") top => low,
            inout("r2") len => _,
            in("r3") canary,
            out("r4") _,
            out("r5") _,
        )
    };
    (sp, low)
}

/// Zeroes the caller-saved registers r0–r3 and r12, and s0–s15 on hard-float targets.
#[inline(always)]
pub(crate) fn clear_registers() {
    // SAFETY: only registers declared as outputs (and the flags) are written; no memory.
    unsafe {
        asm!(
            "movs r0, #0",
            "movs r1, #0",
            "movs r2, #0",
            "movs r3, #0",
            "mov r12, r0",
            out("r0") _, out("r1") _, out("r2") _, out("r3") _, out("r12") _,
            options(nomem, nostack),
        )
    };
    clear_float_registers();
}

#[cfg(target_abi = "eabihf")]
#[inline(always)]
fn clear_float_registers() {
    // SAFETY: writes only r0 and s0–s15, all declared as outputs; hard-float targets have a
    // VFP unit with at least s0–s31.
    unsafe {
        asm!(
            "movs r0, #0",
            "vmov s0, r0", "vmov s1, r0", "vmov s2, r0", "vmov s3, r0",
            "vmov s4, r0", "vmov s5, r0", "vmov s6, r0", "vmov s7, r0",
            "vmov s8, r0", "vmov s9, r0", "vmov s10, r0", "vmov s11, r0",
            "vmov s12, r0", "vmov s13, r0", "vmov s14, r0", "vmov s15, r0",
            out("r0") _,
            out("s0") _, out("s1") _, out("s2") _, out("s3") _,
            out("s4") _, out("s5") _, out("s6") _, out("s7") _,
            out("s8") _, out("s9") _, out("s10") _, out("s11") _,
            out("s12") _, out("s13") _, out("s14") _, out("s15") _,
            options(nomem, nostack),
        )
    };
}

#[cfg(not(target_abi = "eabihf"))]
#[inline(always)]
fn clear_float_registers() {}
