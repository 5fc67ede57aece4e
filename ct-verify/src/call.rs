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

/// Called right before each recorded call of a check in the `operands` mode, with
/// the public input's index and the secret input's label; a no-op. In the `operands` mode the
/// runner has a breakpoint here ([`crate::protocol::CALL_BEGIN`] is its symbol) and reads the
/// arguments from the registers (System V: `rdi`, `rsi`, `rdx`), so that the operands read at
/// later breakpoints are attributed to this call.
// The unsafe_code lint flags every `no_mangle` item: two exported symbols of the same name would
// clash at link time. The names carry the crate's `ct_verify_` prefix, which nothing else uses.
#[allow(unsafe_code)]
#[no_mangle]
#[inline(never)]
pub extern "C" fn ct_verify_call_begin(public: usize, label: *const u8, label_len: usize) {
    // Keeps the call and its arguments: a body without effects could be removed at the call site.
    black_box((public, label, label_len));
}

/// Called right after each recorded call (see [`ct_verify_call_begin`]); operands read between
/// this and the next begin (warm-up calls, the harness) belong to no recorded call.
#[allow(unsafe_code)]
#[no_mangle]
#[inline(never)]
pub extern "C" fn ct_verify_call_end() {
    black_box(());
}
