//! x86_64: valgrind client requests.

use core::arch::asm;

/// The client-request sequence below is implemented for this architecture.
pub(crate) const VALGRIND_SUPPORTED: bool = true;

/// Issues a valgrind client request; returns `default` when not running under valgrind.
#[inline(always)]
pub(crate) fn valgrind_request(default: usize, args: &[usize; 6]) -> usize {
    let mut result = default;
    // SAFETY: this is valgrind.h's documented x86_64 magic sequence. The four rotates of rdi add
    // up to 128 bits (a full turn, so rdi is unchanged) and `xchg rbx, rbx` is a no-op; on a real
    // CPU the only effect is on the flags, which we do not promise to preserve. Under valgrind the
    // sequence is intercepted: it reads the six words at `args` (a valid, live array) and writes
    // the result to rdx. Valgrind may change shadow state of memory, hence no `nomem`.
    unsafe {
        asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") result,
            options(nostack),
        )
    };
    result
}
