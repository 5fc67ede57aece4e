//! Valgrind client requests: how `Secret` tells memcheck which bytes are secret.
//!
//! This is the bridge to `cargo ct-verify`'s taint engine. Under valgrind memcheck, bytes
//! marked *undefined* propagate through arithmetic; any conditional jump, `cmov`-less branch or
//! memory address that depends on them is reported with its source line. [`Secret::new`]
//! marks the value undefined and [`Secret::declassify`] marks it defined again (under
//! `--cfg secret_taint`, undefined again with an origin of its own, so ct-verify can check how
//! the declassified value is used: see [`DECLASSIFY_CHECKED`]), but only when the crate is
//! built with the `taint` feature or with `RUSTFLAGS="--cfg secret_taint"` (which is what
//! ct-verify sets); otherwise those hooks compile to nothing.
//!
//! The functions here are always available. Each is valgrind's documented magic instruction
//! sequence (see `arch/`), which does nothing on a real CPU and returns the default value, so
//! they are safe to leave in production code. On architectures valgrind does not run on
//! (bare-metal Cortex-M, RISC-V) [`SUPPORTED`] is `false` and every request is a no-op.
//!
//! Memcheck does **not** see variable-latency instructions such as division (KyberSlash); that
//! is ct-verify's audit engine's job.
//!
//! # The client-request protocol
//!
//! What this module relies on, as valgrind 3.x defines it in its public headers (`valgrind.h`,
//! `memcheck.h`, `callgrind.h`); nothing else is needed (no C, no bindgen, no libclang):
//!
//! - A request is a block of six machine words: the request code, then up to five arguments.
//! - It is issued by a "magic" instruction sequence that is a no-op on a real CPU and that
//!   valgrind's JIT recognises. x86_64: `rol rdi, 3; rol rdi, 13; rol rdi, 61; rol rdi, 51`
//!   (a full 128-bit turn, so `rdi` is unchanged) followed by `xchg rbx, rbx`, with the block's
//!   address in `rax` and the default result in `rdx`. AArch64: `ror x12, x12, #3; #13; #51;
//!   #61` followed by `orr x10, x10, x10`, block address in `x4`, default result in `x3`.
//! - Under valgrind the result register receives the tool's answer; on a real CPU (or a tool
//!   that does not know the code) it keeps the default, which is why every request here is
//!   harmless outside valgrind.
//! - Codes: core requests count from 0x1001 (`RUNNING_ON_VALGRIND`); a tool's requests start at
//!   `(c1 << 24) | (c2 << 16)` with its two letters, `'M','C'` for memcheck
//!   (`MAKE_MEM_UNDEFINED` = base + 1, `MAKE_MEM_DEFINED` = base + 2, arguments: address and
//!   length) and `'C','T'` for callgrind (`ZERO_STATS` + 1, `TOGGLE_COLLECT` + 2,
//!   `DUMP_STATS_AT` + 3 with a NUL-terminated label, `START_INSTRUMENTATION` + 4,
//!   `STOP_INSTRUMENTATION` + 5).
//!
//! How ct-verify uses them: its suite harness marks each secret input undefined right before a
//! check and the result defined after it, so memcheck reports exactly the secret-dependent
//! branches and addresses inside the check; under callgrind (`--collect-atstart=no`) it toggles
//! collection around each call and dumps the counts with a label naming the check and the input,
//! one profile per call (see ct-verify's README, "How it works").
//!
//! [`Secret::new`]: crate::Secret::new
//! [`Secret::declassify`]: crate::Secret::declassify

use crate::arch;
use core::ffi::CStr;

/// Whether this architecture has a client-request sequence (x86_64, AArch64).
pub const SUPPORTED: bool = arch::VALGRIND_SUPPORTED;

/// Whether taint hooks in `Secret::new` / `declassify` are compiled in.
pub const ENABLED: bool = cfg!(any(feature = "taint", secret_taint));

const fn tool_base(a: u8, b: u8) -> usize {
    ((a as usize) << 24) | ((b as usize) << 16)
}

const RUNNING_ON_VALGRIND: usize = 0x1001;
const MEMCHECK_MAKE_MEM_UNDEFINED: usize = tool_base(b'M', b'C') + 1;
const MEMCHECK_MAKE_MEM_DEFINED: usize = tool_base(b'M', b'C') + 2;
const CALLGRIND_DUMP_STATS_AT: usize = tool_base(b'C', b'T') + 3;
const CALLGRIND_ZERO_STATS: usize = tool_base(b'C', b'T') + 1;
const CALLGRIND_TOGGLE_COLLECT: usize = tool_base(b'C', b'T') + 2;
const CALLGRIND_START_INSTRUMENTATION: usize = tool_base(b'C', b'T') + 4;
const CALLGRIND_STOP_INSTRUMENTATION: usize = tool_base(b'C', b'T') + 5;

/// Issues a raw valgrind client request with up to five arguments.
///
/// Returns `default` when not running under valgrind, or when [`SUPPORTED`] is false.
/// The request codes are those of `valgrind.h`, `memcheck.h` and `callgrind.h`.
#[inline(always)]
pub fn client_request(default: usize, request: usize, args: [usize; 5]) -> usize {
    let block = [request, args[0], args[1], args[2], args[3], args[4]];
    arch::valgrind_request(default, &block)
}

/// Whether the program runs under valgrind (any tool).
#[inline]
pub fn running_on_valgrind() -> bool {
    client_request(0, RUNNING_ON_VALGRIND, [0; 5]) != 0
}

#[inline(always)]
fn bytes_of<T: ?Sized>(value: &T) -> [usize; 5] {
    [
        value as *const T as *const u8 as usize,
        core::mem::size_of_val(value),
        0,
        0,
        0,
    ]
}

/// Marks the bytes of `value` as undefined for memcheck (its contents are unchanged).
#[inline(always)]
pub fn mark_undefined<T: ?Sized>(value: &T) {
    client_request(0, MEMCHECK_MAKE_MEM_UNDEFINED, bytes_of(value));
}

/// Marks the bytes of `value` as defined for memcheck.
#[inline(always)]
pub fn mark_defined<T: ?Sized>(value: &T) {
    client_request(0, MEMCHECK_MAKE_MEM_DEFINED, bytes_of(value));
}

/// Callgrind: start instrumenting (with `--instr-atstart=no`).
#[inline]
pub fn callgrind_start_instrumentation() {
    client_request(0, CALLGRIND_START_INSTRUMENTATION, [0; 5]);
}

/// Callgrind: stop instrumenting.
#[inline]
pub fn callgrind_stop_instrumentation() {
    client_request(0, CALLGRIND_STOP_INSTRUMENTATION, [0; 5]);
}

/// Callgrind: toggle event collection (with `--collect-atstart=no`, the first call starts it).
#[inline]
pub fn callgrind_toggle_collect() {
    client_request(0, CALLGRIND_TOGGLE_COLLECT, [0; 5]);
}

/// Callgrind: reset the event counters.
#[inline]
pub fn callgrind_zero_stats() {
    client_request(0, CALLGRIND_ZERO_STATS, [0; 5]);
}

/// Callgrind: write a profile dump now, labelled `label`, and reset the counters.
#[inline]
pub fn callgrind_dump_stats_at(label: &CStr) {
    client_request(
        0,
        CALLGRIND_DUMP_STATS_AT,
        [label.as_ptr() as usize, 0, 0, 0, 0],
    );
}

/// The hook `Secret::new` calls: marks plain-data values undefined when taint is enabled.
#[inline(always)]
pub(crate) fn classify<T>(value: &T) {
    if ENABLED && !core::mem::needs_drop::<T>() {
        mark_undefined(value);
    }
}

/// Whether `declassify()` re-marks values undefined, so that ct-verify checks how they are used
/// (module docs): only in the build `cargo ct-verify` makes (`--cfg secret_taint`), not with
/// the `taint` feature alone.
pub const DECLASSIFY_CHECKED: bool = cfg!(secret_taint);

/// The hook `Secret::declassify` and `SecretBool::declassify` call.
///
/// Under `--cfg secret_taint` (ct-verify's build) it marks the value *undefined* again, with a
/// client request of its own: memcheck run with `--track-origins=yes` then attributes every
/// branch or address computed from the declassified value to this request, whose origin stack
/// starts in secret-core's `declassify` method (inlined, named by the debug info) and continues
/// with the caller's `.declassify()`. So ct-verify can report where a value was declassified
/// and where it was used, and tell that from a use of the secret itself (whose request is made
/// by `Secret::new` or the harness). With only the `taint` feature (memcheck run by hand) it
/// marks the value defined: declassified values are public.
#[inline(always)]
pub(crate) fn declassify<T>(value: &T) {
    if ENABLED && !core::mem::needs_drop::<T>() {
        if DECLASSIFY_CHECKED {
            mark_undefined(value);
        } else {
            mark_defined(value);
        }
    }
}

/// The hook for a declassification that secret-core consumes itself with a branch
/// (`SecretOption::declassify` picking `Some` or `None`): marks the value defined in every
/// build, because the branch is the publication itself, not a use by the caller.
#[inline(always)]
pub(crate) fn declassify_internal<T>(value: &T) {
    if ENABLED && !core::mem::needs_drop::<T>() {
        mark_defined(value);
    }
}
