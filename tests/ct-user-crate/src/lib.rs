//! A MAC-tag check and an S-box, three ways: one constant-time, two with known timing leaks
//! (the ground truth ct-verify must reproduce on the host and on every Cortex-M core).
#![no_std]

use secret_core::Secret;

/// The tag the device expects.
pub const EXPECTED_TAG: [u8; 32] = [0x5a; 32];

/// Constant time: secret-core compares every byte and only the verdict is declassified.
pub fn verify_tag(tag: &[u8; 32]) -> bool {
    Secret::new(*tag).ct_eq_public(&EXPECTED_TAG).declassify()
}

/// Leaks: returns at the first differing byte, so its running time tells how many leading
/// bytes of the tag were right. (`black_box` keeps the compiler from turning the loop into one
/// vector compare, as it does for this short fixed-length loop on x86_64; the byte loop is what
/// it emits for longer or runtime-length tags.)
pub fn verify_tag_early_exit(tag: &[u8; 32]) -> bool {
    for (a, b) in tag.iter().zip(EXPECTED_TAG.iter()) {
        if core::hint::black_box(*a) != *b {
            return false;
        }
    }
    true
}

static SBOX: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).wrapping_mul(167).wrapping_add(13);
        i += 1;
    }
    t
};

/// Leaks: the address of the load is the secret byte (a cache-timing channel).
pub fn sbox(x: u8) -> u8 {
    SBOX[usize::from(x)]
}
