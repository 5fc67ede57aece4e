//! `--search-budget`: a leak no generic secret shows (with and without the public tag as the
//! search's dictionary), and its constant-time control.
//!
//! Both checks compare the secret with the same public 32-byte tag, whose first byte is
//! neither 0x00 nor 0xff and matches none of the random secrets (tests/search.rs asserts that
//! the generic counts are all equal). `early_exit_eq` returns at the first differing byte, so
//! every generic secret runs exactly one iteration: its count leaks only for a secret that
//! matches the tag's first byte, which the search has to find. `ct_eq` is secret-core's
//! constant-time compare: no secret changes its count.

use std::hint::black_box;

use ct_verify::{Config, Suite};
use secret_core::Secret;

/// The public value both checks compare with (tests/search.rs holds a copy).
const TAG: [u8; 32] = *b"\x5aeverybody-knows-the-public-tag!";

/// Early exit at the first differing byte. `black_box` keeps the loop a loop: LLVM would
/// otherwise turn it into a call of libc's `bcmp`, which compares in 16-byte steps.
fn early_exit_eq(secret: &[u8; 32], public: &[u8; 32]) -> bool {
    for i in 0..32 {
        if black_box(secret[i]) != public[i] {
            return false;
        }
    }
    true
}

fn tag_config() -> Config<[u8; 32], [u8; 32]> {
    Config::new()
        .public(|_| TAG)
        .public_inputs(1)
        .dictionary(|tag: &[u8; 32]| *tag)
}

fn main() {
    Suite::new()
        .check_with(
            "early_exit_eq",
            tag_config(),
            |s: &[u8; 32], p: &[u8; 32]| early_exit_eq(s, p),
        )
        .check_with("ct_eq", tag_config(), |s: &[u8; 32], p: &[u8; 32]| {
            Secret::new(*s).ct_eq_public(p)
        })
        // The same early exit without the dictionary: the search's byte sweep has to find the
        // tag's bytes one at a time.
        .check_with(
            "early_exit_no_dictionary",
            Config::new().public(|_| TAG).public_inputs(1),
            |s: &[u8; 32], p: &[u8; 32]| early_exit_eq(s, p),
        )
        .run();
}
