//! Everything that depends on the instruction set, in one place.
//!
//! This is the bottom layer: it uses nothing from the rest of the crate (`tests/layers.rs`
//! fails on any `crate::` path here), and offers primitives on machine words and byte chunks
//! that the concept modules above choose and combine. A new backend implements the same
//! handful of functions (those listed below) for its architecture.
//!
//! - [`fence_usize`]: an empty `asm!` block that takes a machine word in a register and hands
//!   it back. The optimizer cannot see through it, so it cannot prove that a mask is 0 or
//!   all-ones and turn mask arithmetic back into a branch (curve25519-dalek RUSTSEC-2024-0344
//!   was such a branch, invented by LLVM). The same template serves x86_64, AArch64, Arm/Thumb
//!   and RISC-V; other architectures (for example wasm32) fall back to `core::hint::black_box`,
//!   which the standard library documents as best effort only: treat them as unverified.
//! - `VALGRIND_SUPPORTED` and `valgrind_request(default, args)`: valgrind's documented "client
//!   request" magic sequence, per architecture (`x86_64.rs`, `aarch64.rs`). On a real CPU it is a
//!   few rotates that add up to a full turn and returns `default`; under valgrind it is
//!   intercepted. Elsewhere (bare-metal Cortex-M, RISC-V) valgrind does not exist and requests
//!   are no-ops returning `default`.
//! - `wrapping_mul_u64`/`wrapping_mul_u128`: the hardware multiply, except on Cortex-M3
//!   (`cfg(secret_ct_long_mul)`, set by `build.rs`), whose long multiplies are variable-time:
//!   there `soft_mul.rs` builds them from 32-bit `MUL`s.
//! - `eq_chunks16` and `select_chunks16` (x86_64 with SSE2): byte-string comparison and
//!   table selection 16 bytes per step. They work on byte chunks and machine words only; the
//!   masks, tails and fallbacks around them are `plain::bytes_eq`'s and `lookup`'s business.
//! - `paint_stack`, `wipe_stack` and `clear_registers`, for [`crate::wipe`]: fill the region
//!   below the stack pointer with a canary word, later zero everything from the lowest
//!   overwritten word up, and zero the caller-saved registers (`x86_64.rs`, `aarch64.rs`,
//!   `arm.rs`, `riscv.rs`). Other architectures have none, and `wipe` is empty there.
//! - `scan_words` (Arm/Thumb): the `ct_lookup` scan over 4-byte entries as one `asm!` loop.
//!   `stack_room`: the stack pointer and where the stack ends, when the runtime defines it
//!   (Cortex-M with the `cortex-m-rt` feature: its linker symbol `_stack_end`), so that `wipe`
//!   refuses a budget that does not fit instead of painting past the stack.
#![allow(unsafe_code)]

cfg_if::cfg_if! {
    if #[cfg(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv32",
        target_arch = "riscv64"
    ))] {
        /// Returns `x` unchanged through an opaque register round trip.
        #[inline(always)]
        pub(crate) fn fence_usize(mut x: usize) -> usize {
            // SAFETY: the template is an assembler comment: it reads and writes only the register
            // holding `x`, and touches no memory, no stack and no flags.
            unsafe {
                core::arch::asm!(
                    "/* {0} */",
                    inout(reg) x,
                    options(pure, nomem, nostack, preserves_flags)
                )
            };
            x
        }
    } else {
        /// Returns `x` unchanged, hidden from the optimizer as far as `black_box` allows.
        #[inline(always)]
        pub(crate) fn fence_usize(x: usize) -> usize {
            core::hint::black_box(x)
        }
    }
}

cfg_if::cfg_if! {
    if #[cfg(target_arch = "x86_64")] {
        mod x86_64;
        pub(crate) use self::x86_64::{valgrind_request, VALGRIND_SUPPORTED};
        pub(crate) use self::x86_64::{clear_registers, paint_stack, wipe_stack};
    } else if #[cfg(target_arch = "aarch64")] {
        mod aarch64;
        pub(crate) use self::aarch64::{valgrind_request, VALGRIND_SUPPORTED};
        pub(crate) use self::aarch64::{clear_registers, paint_stack, wipe_stack};
    } else {
        /// No client-request sequence exists for this architecture.
        pub(crate) const VALGRIND_SUPPORTED: bool = false;

        /// Valgrind is not available here: always returns `default`.
        #[inline(always)]
        pub(crate) fn valgrind_request(default: usize, _args: &[usize; 6]) -> usize {
            default
        }
    }
}

// Stack painting and wiping and register clearing for `wipe` on the architectures without a
// valgrind module (x86_64 and AArch64 export theirs above). Elsewhere none exist, and the
// `wipe` functions are not compiled.
cfg_if::cfg_if! {
    if #[cfg(target_arch = "arm")] {
        mod arm;
        pub(crate) use self::arm::{clear_registers, paint_stack, scan_words, stack_room, wipe_stack};
    } else if #[cfg(any(target_arch = "riscv32", target_arch = "riscv64"))] {
        mod riscv;
        pub(crate) use self::riscv::{clear_registers, paint_stack, wipe_stack};
    }
}

/// The free stack below the stack pointer, where the runtime says where the stack ends (only
/// Cortex-M with cortex-m-rt, `arm.rs`): `None` here, the caller's budget is taken on trust.
#[cfg(not(target_arch = "arm"))]
#[cfg_attr(
    not(any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "riscv32",
        target_arch = "riscv64"
    )),
    allow(dead_code)
)]
#[inline(always)]
pub(crate) fn stack_room() -> Option<StackRoom> {
    None
}

/// The stack pointer and the lowest address the stack may grow down to.
#[allow(dead_code)]
#[derive(Clone, Copy)]
pub(crate) struct StackRoom {
    pub(crate) sp: usize,
    pub(crate) limit: usize,
}

// SSE2 primitives on 16-byte chunks; the concept modules (`plain`, `lookup`) build byte-string
// equality and table lookup from them and use their portable word-at-a-time versions elsewhere.
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
pub(crate) use self::x86_64::{eq_chunks16, select_chunks16};

// Compiled everywhere so that its unit tests run on the host; used only on Cortex-M3.
#[cfg_attr(not(secret_ct_long_mul), allow(dead_code))]
mod soft_mul;

cfg_if::cfg_if! {
    if #[cfg(secret_ct_long_mul)] {
        pub(crate) use self::soft_mul::{wrapping_mul_u128, wrapping_mul_u64};
    } else {
        /// `a.wrapping_mul(b)`: the hardware multiply is constant-time on this target.
        #[inline(always)]
        pub(crate) fn wrapping_mul_u64(a: u64, b: u64) -> u64 {
            a.wrapping_mul(b)
        }

        /// `a.wrapping_mul(b)`: the hardware multiply is constant-time on this target.
        #[inline(always)]
        pub(crate) fn wrapping_mul_u128(a: u128, b: u128) -> u128 {
            a.wrapping_mul(b)
        }
    }
}
