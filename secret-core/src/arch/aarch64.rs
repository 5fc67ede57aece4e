//! AArch64: valgrind client requests, stack painting and wiping, register clearing.

use core::arch::asm;

/// The client-request sequence below is implemented for this architecture.
pub(crate) const VALGRIND_SUPPORTED: bool = true;

/// Issues a valgrind client request; returns `default` when not running under valgrind.
#[inline(always)]
pub(crate) fn valgrind_request(default: usize, args: &[usize; 6]) -> usize {
    let mut result = default;
    // SAFETY: valgrind.h's documented arm64 sequence: the rotates of x12 add up to 128 bits (no
    // change) and `orr x10, x10, x10` is a no-op on a real CPU. Under valgrind it reads the six
    // words at `args` (a valid, live array) and writes the result to x3.
    unsafe {
        asm!(
            "ror x12, x12, #3",
            "ror x12, x12, #13",
            "ror x12, x12, #51",
            "ror x12, x12, #61",
            "orr x10, x10, x10",
            in("x4") args.as_ptr(),
            inout("x3") result,
            options(nostack),
        )
    };
    result
}

/// Paints the `len` bytes below the stack pointer with `canary` and returns the stack pointer.
///
/// Touches one word per 4 KiB page, highest page first (a stack that is too small hits its
/// guard page instead of skipping over it), then fills the region upwards two words at a
/// time. `len` must be a multiple of 16.
///
/// # Safety
///
/// The `len` bytes below the stack pointer must be this thread's stack, or end in a guard
/// page that stops the thread: they are written.
#[inline(always)]
pub(crate) unsafe fn paint_stack(len: usize, canary: usize) -> usize {
    let top: usize;
    // SAFETY: the caller guarantees that the region below the stack pointer may be written;
    // nothing live is stored below the stack pointer, and sp itself is not changed. Accesses
    // go through general registers, so sp alignment checks do not apply.
    unsafe {
        asm!(
            "mov {top}, sp",
            "sub {end}, {top}, {len}",
            "mov {p}, {top}",
            "2:",
            "sub {p}, {p}, #4096",
            "cmp {p}, {end}",
            "b.ls 3f",
            "str {c}, [{p}]",
            "b 2b",
            "3:",
            "mov {p}, {end}",
            "4:",
            "cmp {p}, {top}",
            "b.hs 5f",
            "stp {c}, {c}, [{p}], #16",
            "b 4b",
            "5:",
            top = out(reg) top,
            end = out(reg) _,
            p = out(reg) _,
            len = in(reg) len,
            c = in(reg) canary,
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
    // SAFETY: the region was painted (mapped, this thread's stack) and is written only when it
    // lies entirely below this block's stack pointer. The one disturbed word loaded for the
    // comparison is cleared from `{w}` before the block ends.
    unsafe {
        asm!(
            "mov {sp}, sp",
            "mov {low}, {top}",
            "cmp {sp}, {top}",
            "b.lo 6f",
            "sub {p}, {top}, {len}",
            "2:",
            "cmp {p}, {top}",
            "b.hs 3f",
            "ldr {w}, [{p}]",
            "cmp {w}, {c}",
            "b.ne 3f",
            "add {p}, {p}, #8",
            "b 2b",
            "3:",
            "mov {w}, xzr",
            "mov {low}, {p}",
            "4:",
            "cmp {p}, {top}",
            "b.hs 6f",
            "str xzr, [{p}], #8",
            "b 4b",
            "6:",
            sp = out(reg) sp,
            low = out(reg) low,
            p = out(reg) _,
            w = out(reg) _,
            top = in(reg) top,
            len = in(reg) len,
            c = in(reg) canary,
        )
    };
    (sp, low)
}

/// Zeroes the caller-saved registers x0–x17 and v0–v31 (x18 is the platform register and is
/// left alone; the low halves of v8–v15 are callee-saved and restored by the compiler).
#[inline(always)]
pub(crate) fn clear_registers() {
    // SAFETY: only registers declared as outputs are written; no memory, no stack.
    unsafe {
        asm!(
            "mov x0, xzr", "mov x1, xzr", "mov x2, xzr", "mov x3, xzr",
            "mov x4, xzr", "mov x5, xzr", "mov x6, xzr", "mov x7, xzr",
            "mov x8, xzr", "mov x9, xzr", "mov x10, xzr", "mov x11, xzr",
            "mov x12, xzr", "mov x13, xzr", "mov x14, xzr", "mov x15, xzr",
            "mov x16, xzr", "mov x17, xzr",
            out("x0") _, out("x1") _, out("x2") _, out("x3") _, out("x4") _, out("x5") _,
            out("x6") _, out("x7") _, out("x8") _, out("x9") _, out("x10") _, out("x11") _,
            out("x12") _, out("x13") _, out("x14") _, out("x15") _, out("x16") _,
            out("x17") _,
            options(nomem, nostack, preserves_flags),
        )
    };
    clear_vector_registers();
}

#[cfg(target_feature = "neon")]
#[inline(always)]
fn clear_vector_registers() {
    // SAFETY: writes only v0–v31, all declared as outputs; NEON is enabled.
    unsafe {
        asm!(
            "movi v0.16b, #0", "movi v1.16b, #0", "movi v2.16b, #0", "movi v3.16b, #0",
            "movi v4.16b, #0", "movi v5.16b, #0", "movi v6.16b, #0", "movi v7.16b, #0",
            "movi v8.16b, #0", "movi v9.16b, #0", "movi v10.16b, #0", "movi v11.16b, #0",
            "movi v12.16b, #0", "movi v13.16b, #0", "movi v14.16b, #0", "movi v15.16b, #0",
            "movi v16.16b, #0", "movi v17.16b, #0", "movi v18.16b, #0", "movi v19.16b, #0",
            "movi v20.16b, #0", "movi v21.16b, #0", "movi v22.16b, #0", "movi v23.16b, #0",
            "movi v24.16b, #0", "movi v25.16b, #0", "movi v26.16b, #0", "movi v27.16b, #0",
            "movi v28.16b, #0", "movi v29.16b, #0", "movi v30.16b, #0", "movi v31.16b, #0",
            out("v0") _, out("v1") _, out("v2") _, out("v3") _, out("v4") _, out("v5") _,
            out("v6") _, out("v7") _, out("v8") _, out("v9") _, out("v10") _, out("v11") _,
            out("v12") _, out("v13") _, out("v14") _, out("v15") _, out("v16") _,
            out("v17") _, out("v18") _, out("v19") _, out("v20") _, out("v21") _,
            out("v22") _, out("v23") _, out("v24") _, out("v25") _, out("v26") _,
            out("v27") _, out("v28") _, out("v29") _, out("v30") _, out("v31") _,
            options(nomem, nostack, preserves_flags),
        )
    };
}

#[cfg(not(target_feature = "neon"))]
#[inline(always)]
fn clear_vector_registers() {}
