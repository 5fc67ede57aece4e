//! AArch64: valgrind client requests.

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
