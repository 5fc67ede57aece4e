//! The frame every check is called through, shared by the suite's taint and count runs and by
//! dudect's measurement loop (its own module, so that neither depends on the other for it).

use std::hint::black_box;

/// Every check is called through this function, never inlined, so that memcheck's stacks and
/// callgrind's collection window can tell the check from the harness
/// ([`crate::protocol::CALL_FRAME`] is its name).
#[inline(never)]
pub(crate) fn ct_verify_target_call<S, P, R, F: Fn(&S, &P) -> R>(f: &F, s: &S, p: &P) -> R {
    let r = f(s, p);
    // Keeps the frame on the stack for the whole call (no tail call into the check).
    black_box(&r);
    r
}
