//! Secrets that do not leak through timing or leftover memory.
//!
//! ```
//! use secret_core::{ct_lookup, CtEq, Secret, SecretBool};
//!
//! // A MAC check: compare the computed tag with the received one in constant time.
//! let computed = Secret::new([0x5au8; 32]);
//! let received = [0x5au8; 32];
//! let ok: SecretBool = computed.ct_eq_public(&received);
//! assert!(ok.declassify()); // the verdict is public; the tag never was
//!
//! // Arithmetic on secret words wraps and stays secret.
//! let mut a = Secret::new(0x6170_7865u32);
//! let b = Secret::new(0x3320_646eu32);
//! a += &b;
//! a ^= 0xdead_beef;
//! let a = a.rotate_left(16);
//!
//! // Select, compare and look up without branching on the secret.
//! let bigger = a.ct_gt(&b).select(&a, &b);
//! let sbox = [0x63u8, 0x7c, 0x77, 0x7b];
//! let s = ct_lookup(&sbox, &Secret::new(3usize));
//! assert_eq!(s.declassify(), 0x7b);
//! assert_eq!(format!("{bigger:?}"), "Secret<u32>(<redacted>)");
//! ```
//!
//! New to the crate? The [guide] ("Writing an algorithm") has the conversions in one table,
//! public operands, selection, lookups, bytes in and out, when to `clone()`, how to check your
//! code with ct-verify, and a complete Poly1305 as its worked example.
//!
//! # What you get
//!
//! - [`Secret<T>`](struct@Secret) for the twelve primitive integers, byte arrays `[u8; N]`, arrays of
//!   integers and (feature `alloc`) `Vec<u8>`. Operators wrap; comparisons return
//!   [`SecretBool`]; nothing converts back to `T` except the greppable
//!   [`declassify()`](Secret::declassify).
//! - [`SecretBool`], a full-width mask: `select` is one AND and one XOR.
//! - [`CtEq`] and [`CtSelect`] without a `Copy` bound, [`SecretOption`] (subtle's `CtOption`
//!   without the `Default` bound on `map`), [`ct_lookup`] for secret table indices, `ct_div_rem`
//!   without a hardware divider, shifts and rotations by secret amounts.
//! - Misuse that does not compile: `secret == secret`, `secret < secret`, `secret / x`,
//!   `println!("{}", secret)`, `if secret.ct_eq(..)`, `table[secret]`, `key[3]`,
//!   `let x: u32 = secret.into()`, `x.ct_eq(&0)`, hashing, copying without `clone()`. Most
//!   errors name the replacement; [`guard`] lists each misuse with what rustc prints, including
//!   the few where it cannot be made to.
//! - Zeroing on drop (`zeroize::ZeroizeOnDrop`), redacted `Debug`.
//! - Interop: `subtle::Choice` ⇄ [`SecretBool`], `subtle::CtOption` ⇄ [`SecretOption`],
//!   `subtle::ConstantTimeEq`/`ConstantTimeGreater`/`ConstantTimeLess` for secrets; `zeroize`
//!   traits throughout. Both crates are re-exported.
//! - [`taint`]: valgrind client requests, so `cargo ct-verify` can check the *compiled binary*.
//! - [`wipe`]: `with_clean_stack` zeroes the stack and the registers that a closure used.
//!
//! # Public operands
//!
//! A secret often meets a public constant: a bound, a mask, a received tag. Every operation
//! takes one, by one spelling: operators take the public `T` as it is, comparisons and
//! selection take it by reference in the method with the `_public` suffix. The secret-only
//! methods (`ct_eq`, `ct_lt`, ...) do not accept a public value: `x.ct_eq(&0)` fails to
//! compile with a message naming `ct_eq_public`.
//!
//! | secret with secret | secret with a public `t: T` | for |
//! |---|---|---|
//! | `a + &b`, `a - b`, `a * b`, `a & b`, `a \| b`, `a ^ b`, `a += &b`, ... | `a + t`, `t + a`, `a ^= t`, ... (wrapping) | integers |
//! | `a.ct_eq(&b)`, `a.ct_ne(&b)` | `a.ct_eq_public(&t)`, `a.ct_ne_public(&t)` | integers, arrays |
//! | `a.ct_lt(&b)`, `ct_le`, `ct_gt`, `ct_ge` | `a.ct_lt_public(&t)`, `ct_le_public`, `ct_gt_public`, `ct_ge_public` | integers |
//! | `a.ct_min(&b)`, `a.ct_max(&b)` | `a.ct_min_public(&t)`, `a.ct_max_public(&t)` | integers |
//! | `c.select(&a, &b)` | `c.select_public(&t, &a)`, `c.select_public(&a, &t)`, `c.select_public(&t, &u)`: each side a `&T` or a `&Secret<T>`, the result a `Secret<T>` | integers, arrays |
//! | `a.ct_is_zero()` | | integers, arrays |
//!
//! Every result is secret (a [`SecretBool`] or a `Secret<T>`). Both sides have the same `T`:
//! another width is converted explicitly, [`cast`](Secret::cast) for a secret, `as` for a
//! public value.
//!
//! ```
//! use secret_core::{Secret, SecretBool};
//! let g4 = Secret::new(70_000_000u32);
//! let carry: SecretBool = g4.ct_ge_public(&(1 << 26));
//! let clamped = carry.select_public(&((1 << 26) - 1), &g4);
//! assert_eq!(clamped.declassify(), (1 << 26) - 1);
//! let x = Secret::new(0u64);
//! assert!(x.ct_eq_public(&0).declassify());
//! ```
//!
//! # Cost
//!
//! Secrecy is meant to cost nothing over the plain code you would otherwise write. Measured in
//! callgrind instructions (x86_64, release, rustc 1.95.0, iai-callgrind 0.16.1, 2026-11-29;
//! `benches/benches/iai.rs`, each workload side by side with its comparator in one run):
//!
//! | workload | secret-core | comparator | ratio |
//! |---|---:|---:|---:|
//! | ChaCha20 block, `Secret<u32>` vs `u32` | 1221 | 1244 | 0.98 |
//! | Poly1305 ([guide] example), `Secret<u32>`/`Secret<u64>` vs the same code on `u32`/`u64` | 673 | 679 | 0.99 |
//! | GF(2^255-19) multiply, `Secret<u64>`/`Secret<u128>` vs `u64`/`u128` | 231 | 235 | 0.98 |
//! | `Secret<[u8; 32]>::ct_eq` vs `constant_time_eq_32` | 20 | 18 | 1.11 |
//! | the same vs subtle `<[u8]>::ct_eq` | 20 | 453 | 0.04 |
//! | 1 KiB `ct_eq` vs `constant_time_eq` / subtle | 319 | 423 / 13349 | 0.75 / 0.02 |
//! | `SecretBool::select` on `[u8; 32]` vs subtle `conditional_select` | 28 | 43 | 0.65 |
//! | `SecretBool::select` on `u64` vs subtle | 18 | 28 | 0.64 |
//! | [`ct_lookup`] in 256 `u32`s vs a plain mask scan | 571 | 972 | 0.59 |
//! | [`ct_lookup`] in a 256-byte S-box vs a plain mask scan | 193 | 901 | 0.21 |
//! | `ct_div_rem` `u32` / `u64` vs the `div` instruction (variable time) | 978 / 1874 | 13 / 17 | 75 / 110 |
//!
//! The 32-byte compare pays two instructions for turning the result into a full mask before
//! `declassify`. On Cortex-M4 and M0 at opt-level 3 (QEMU instruction counts,
//! `no_std-examples/README.md`, which also has opt-levels "s" and "z": there ChaCha20 is
//! 0.93-1.04× plain and the field multiply 1.01-1.02×) ChaCha20, the field multiply and `ct_eq`
//! are within 7% of plain code.
//! `ct_lookup` there is an `asm!` loop of 8 instructions per entry: 0.80-0.89× a plain
//! branch-free mask scan, 1.06-1.54× what LLVM makes of a plain scan (predicated moves on M4,
//! a secret-dependent branch per entry on M0).
//!
//! Where a naive secret type loses (a `Secret<u32>` that `memset`s itself on drop behind a
//! barrier that reads the memory took 1.28× plain for ChaCha20), and what this crate does:
//!
//! - **Drop-time wiping** is an ordinary store of zeros followed by `compiler_fence(Release)`
//!   (`erase` in `secret.rs`; what is wiped when: [`struct@Secret`], "What is wiped, and when").
//!   Memory that exists and outlives the drop (heap, a slot whose address escaped, a `Box`
//!   about to be freed) is zeroed: the fence orders the stores before every later write, the
//!   free included, so they are not dead. For a `Secret` that lives in memory, an assignment
//!   `*v = v.op()` therefore costs a zero store and the store of the new value, which plain
//!   code can keep in a register: a MAC with its state in a `[Secret<u32>; 4]` updated through
//!   `&mut` that way is 1.7-2.4x plain on Cortex-M0/M4 (`no_std-examples/README.md`). Updated
//!   in place instead (`+=`, `^=`, [`rotate_left_assign`](Secret::rotate_left_assign),
//!   [`assign`](Secret::assign): no drop, the new value overwrites the old one; see the
//!   [guide](guide#state-behind-mut-update-in-place)) the same MAC is 0.98-1.09x, and
//!   0.98-1.00x with its state in locals. A value the optimizer keeps in registers has no memory,
//!   so there is nothing to store: the wipe costs zero instructions there, where a volatile write
//!   or a barrier that reads the memory forces a stack slot into existence just to zero it.
//!   `tests/arch-check/wipe-codegen.sh` (`cargo xtask wipe-codegen`) checks both halves in
//!   the assembly emitted for x86_64, Cortex-M0 and Cortex-M4 (and that without the fence the
//!   heap stores disappear). Copies in registers and spill slots were
//!   never covered by drop; [`wipe`] clears those.
//! - **Barriers on masks, not on values**: arithmetic (`+`, `^`, `rotate_left`, `*`) carries no
//!   barrier at all, since it has no branch to protect; only the masks that comparisons produce
//!   and that `select`/`ct_lookup` consume pass through a fence, which is an empty `asm!` on a
//!   register: no instruction, it only stops LLVM from reasoning about the value.
//! - **Wide words**: byte strings are compared 16 bytes per SSE2 `pcmpeqb` on x86_64 (8 or 4
//!   bytes per word elsewhere) and folded once, and `ct_lookup` compares 16 bytes of entries at
//!   a time against the index, fencing once per fold instead of once per entry.
//!
//! CI holds these numbers: `scripts/bench-gate` fails when a bench grows more than 2% over the
//! committed `benches/baseline/iai.txt`, and `cargo ct-verify --baseline` fails when the count
//! of a function that must be constant-time changes at all.
//!
//! # Threat model: what is guaranteed and what is not
//!
//! **Guaranteed, in this crate's code**: no branch and no memory address depends on a secret
//! (comparisons, selection, lookup, division, secret shifts are mask arithmetic), no variable-
//! latency division instruction is used on secrets, and every mask passes through a
//! per-architecture optimization barrier (an empty `asm!` on x86_64, AArch64, Arm/Thumb and
//! RISC-V; `core::hint::black_box`, best effort, elsewhere) so that LLVM cannot turn it back into
//! a branch. "Guaranteed" means *checked on the compiled binary* by `cargo ct-verify` (valgrind
//! taint tracking and instruction-count equality on x86_64; instruction-trace equality under
//! QEMU on Cortex-M); on targets nobody checks, it is a property of the source only.
//!
//! **Not guaranteed**:
//! - Your code: secret-core stops the easy mistakes at compile time, but a closure that
//!   declassifies and branches is still a leak. Run ct-verify on your own functions: its taint
//!   engine reports a branch or address on a value declassified inside a check, with both
//!   places, unless the check allows that site (on x86_64 and AArch64 hosts; on Cortex-M only
//!   when the inputs take the branch both ways).
//! - Multiplication latency: 32×32→32 multiplies are constant-time on every mainstream core,
//!   but the *long* multiplies that `u64 * u64` on 32-bit Arm and `u128` arithmetic compile to
//!   are early-terminating on Cortex-M3 (`UMULL`), and Cortex-M0 has no 32×32→64 multiply at
//!   all (a library routine is called). ct-verify's audit engine reports these.
//! - Copies the compiler makes: moves, spills of registers to the stack, temporaries. Dropping
//!   a `Secret` wipes *its* storage, not those copies (zeroize's documentation explains why no
//!   library can). Use the stack and register wiping of the `wipe` module for that.
//! - Microarchitecture beyond the instruction stream: speculative execution, power and EM
//!   side channels, data-dependent timing of otherwise constant-time instructions on unusual
//!   cores.
//! - Values whose length is secret: lengths of slices and `Vec`s are public by design.
//! - Ways out other than `declassify()` that interoperation needs: `subtle::Choice::from(b)`
//!   for a `SecretBool` (subtle then offers `bool::from(choice)`) and
//!   `subtle::CtOption::from(option).unwrap()`. They exist because code built on `subtle`
//!   needs them; a review should grep for them next to `declassify` (ct-verify's
//!   `--list-declassify` lists `declassify` calls only).
//!
//! # Features
//!
//! - `alloc`: `Secret<Vec<u8>>` with growth that wipes before it frees.
//! - `std`: implies `alloc`.
//! - `derive`: `#[derive(secret_core::Secret)]` for structs of secrets.
//! - `taint`: `Secret::new` marks values undefined for valgrind memcheck (`cargo ct-verify`
//!   sets the equivalent `--cfg secret_taint` itself, so you rarely need this).
//!
//! # Unsafe code
//!
//! The crate denies `unsafe_code` except where it must be, each block with a `// SAFETY:`
//! note: the architecture module `arch/` (`asm!` fences, valgrind requests, stack painting and
//! register clearing, reading a table of `CtPlain` integers 16 bytes at a time for the SSE2
//! lookup), `wipe` (calling into those), `plain` (one table entry back from those 16 bytes),
//! and `secret` (moving the value out of a `Secret` in `declassify`, and the fenced zero stores
//! that wipe values without drop glue).
#![no_std]
#![deny(unsafe_code)]
#![warn(missing_docs)]

#[cfg(feature = "std")]
extern crate std;

mod arch;
mod bool;
mod bytes;
mod cmp;
mod declassify;
mod div;
pub mod guard;
pub mod guide;
mod int;
mod interop;
mod lookup;
mod mask;
mod ops;
mod option;
mod plain;
mod secret;
mod select;
mod shift;
pub mod taint;
#[cfg(feature = "alloc")]
mod vec;
pub mod wipe;
mod word;

pub use crate::bool::SecretBool;
pub use crate::bytes::WrappingCast;
pub use crate::cmp::{CtEq, SecretOperand};
pub use crate::declassify::Declassify;
pub use crate::int::{CtInt, CtUnsigned};
pub use crate::lookup::ct_lookup;
pub use crate::ops::Operand;
pub use crate::option::SecretOption;
pub use crate::plain::CtPlain;
pub use crate::secret::Secret;
pub use crate::select::{CtSelect, SelectArm};

pub use subtle;
pub use zeroize;

#[cfg(feature = "derive")]
pub use secret_derive::Secret;
