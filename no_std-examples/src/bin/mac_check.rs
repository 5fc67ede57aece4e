//! Checking a received MAC tag in constant time with `Secret::ct_eq_public`.
//!
//! A `==` on the tag (or `memcmp`) returns at the first differing byte, so the time to reject
//! a forged tag tells the attacker how many leading bytes were right: forging then takes
//! 16 x 256 guesses instead of 2^128. `ct_eq_public` looks at every byte (a machine word at a
//! time), ORs the differences together and turns the result into a `SecretBool` without a
//! branch; only the final accept/reject verdict is declassified.
//!
//! `cargo run --release --target thumbv7m-none-eabi --bin mac_check` (exit code 0 = pass).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use secret_core::Secret;
use secret_firmware::Report;

/// The tag our side computed. Here the Poly1305 tag of RFC 8439 §2.5.2; in firmware it comes
/// out of the MAC function as a `Secret<[u8; 16]>` and never leaves it.
const COMPUTED_TAG: [u8; 16] = [
    0xa8, 0x06, 0x1d, 0xc1, 0x30, 0x51, 0x36, 0xc6, 0xc2, 0x2b, 0x8b, 0xaf, 0x0c, 0x01, 0x27, 0xa9,
];

/// Accepts the message if the received tag equals the computed one. `#[inline(never)]` so it is
/// one function a trace or an audit can find.
#[inline(never)]
fn verify_tag(computed: &Secret<[u8; 16]>, received: &[u8; 16]) -> bool {
    // The verdict is public (the message is accepted or not); the tag bytes never were.
    computed.ct_eq_public(received).declassify()
}

#[entry]
fn main() -> ! {
    let mut report = Report::new("mac_check");
    let computed = Secret::new(COMPUTED_TAG);

    report.check(
        "the right tag is accepted",
        verify_tag(&computed, &COMPUTED_TAG),
    );

    for (what, position) in [
        ("first", 0),
        ("middle", COMPUTED_TAG.len() / 2),
        ("last", COMPUTED_TAG.len() - 1),
    ] {
        let mut forged = COMPUTED_TAG;
        forged[position] ^= 0x01;
        let accepted = verify_tag(&computed, &forged);
        report.check(
            format_args!("a tag differing in the {what} byte ({position}) is rejected"),
            !accepted,
        );
    }

    report.check(
        "an all-zero tag is rejected",
        !verify_tag(&computed, &[0; 16]),
    );

    report.finish()
}
