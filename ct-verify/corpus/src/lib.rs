//! Functions with known timing behaviour, for ct-verify's tests.
//!
//! The leaky ones leak in the compiled binary, not just in the source: each is written so that
//! LLVM keeps the leak (an early-exit loop over plain bytes, for example, is often compiled into
//! a branchless vector compare, which would make it a poor test).

use std::hint::black_box;
use std::num::NonZeroU32;

use num_bigint::BigUint;
use secret_core::Secret;

/// The public tag the compares are checked against.
pub const TAG: [u8; 32] = *b"ct-verify corpus: the public tag";

/// LEAK (branch): returns at the first differing byte.
#[inline(never)]
pub fn early_exit_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    for i in 0..32 {
        if black_box(a[i]) != b[i] {
            return false;
        }
    }
    true
}

/// CONSTANT TIME: ORs the differences of all bytes, decides once at the end.
#[inline(never)]
pub fn or_accumulate_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    let mut acc = 0u8;
    for i in 0..32 {
        acc |= a[i] ^ b[i];
    }
    acc == 0
}

/// A public substitution table.
pub static SBOX: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).wrapping_mul(167).rotate_left(3) ^ 0x5a;
        i += 1;
    }
    t
};

/// LEAK (address): looks up a table at secret indices (cache timing).
#[inline(never)]
pub fn table_lookup(s: &[u8; 32]) -> u8 {
    let mut x = 0u8;
    for b in s {
        x ^= SBOX[*b as usize];
    }
    x
}

/// LEAK (loop count): iterates a secret number of times.
#[inline(never)]
pub fn secret_length_loop(s: &[u8; 32]) -> u64 {
    let n = (s[0] & 31) as u64;
    let mut h = 0u64;
    for i in 0..n {
        h = h.wrapping_mul(31).wrapping_add(black_box(i));
    }
    h
}

/// LEAK (variable-latency instruction): hardware division by a secret divisor. No branch and a
/// fixed instruction count: only the audit (and dudect on CPUs with slow division) sees it.
#[inline(never)]
pub fn secret_division(s: &[u8; 32]) -> u32 {
    let divisor = NonZeroU32::new(u32::from_le_bytes([s[0], s[1], s[2], s[3]]) | 1)
        .unwrap_or(NonZeroU32::MIN);
    black_box(1_000_003u32) / black_box(divisor)
}

/// CONSTANT TIME (division of public values): splits the public length `len` into 3-byte blocks
/// with a hardware divide (the divisor is hidden from LLVM, so it emits `div` rather than a
/// multiply by the reciprocal), then XORs the secret bytes of the whole blocks. The divide's
/// operands, the loop bound and every address depend on `len` alone, never on `s`.
#[inline(never)]
pub fn public_division(s: &[u8; 32], len: usize) -> u8 {
    let blocks = black_box(len) / black_box(3usize);
    let mut x = 0u8;
    for b in &s[..(blocks * 3).min(s.len())] {
        x ^= *b;
    }
    x
}

/// LEAK (division written naively): `/` by a secret checks for zero first (a secret-dependent
/// branch, and a panic for the all-zero input), then divides in hardware.
#[inline(never)]
pub fn naive_division(s: &u32) -> u32 {
    black_box(1_000_003u32) / black_box(*s)
}

/// LEAK (library): num-bigint's modular exponentiation with a secret exponent is variable-time.
#[inline(never)]
pub fn bigint_modpow(s: &[u8; 32]) -> BigUint {
    let modulus = (BigUint::from(1u8) << 255u32) - 19u32;
    let base = BigUint::from(9u8);
    base.modpow(&BigUint::from_bytes_le(s), &modulus)
}

/// CONSTANT TIME: subtle's `ct_eq`.
#[inline(never)]
pub fn subtle_eq(a: &[u8; 32], b: &[u8; 32]) -> bool {
    use subtle::ConstantTimeEq;
    bool::from(a.ct_eq(b))
}

/// CONSTANT TIME: secret-core's compare; the one door out is the `declassify` of the result.
#[inline(never)]
pub fn secret_core_eq(a: &Secret<[u8; 32]>, b: &[u8; 32]) -> bool {
    a.ct_eq_public(b).declassify()
}

/// CONSTANT TIME: one ChaCha20 keystream block under a secret key.
#[inline(never)]
pub fn chacha20_block(key: &[u8; 32]) -> [u8; 64] {
    use chacha20::cipher::{KeyIvInit, StreamCipher};
    let mut cipher = chacha20::ChaCha20::new(key.into(), &[7u8; 12].into());
    let mut block = [0u8; 64];
    cipher.apply_keystream(&mut block);
    block
}

/// CONSTANT TIME in the secret (the public length decides the work): XOR of a public-length
/// prefix.
#[inline(never)]
pub fn xor_prefix(s: &[u8; 32], len: usize) -> u8 {
    let mut acc = 0u8;
    for b in &s[..len.min(32)] {
        acc ^= black_box(*b);
    }
    acc
}

/// LEAK (declassify, then branch): the final reduction of Poly1305 (RFC 8439, section 2.5),
/// written with a constant-time compare whose result is then declassified and branched on.
///
/// `h` is the secret accumulator, below 2^130, as three 64-bit limbs; the tag is h mod p
/// (p = 2^130 - 5) taken mod 2^128. `g = h + 5` reaches 2^130 exactly when h >= p, and that
/// test is computed without a branch. But `h_ge_p.declassify()` turns this property of the
/// secret into a public `bool`, and the `if` then runs `subtract_p` (a call, which the
/// compiler cannot turn into a conditional move) only for accumulators with h >= p: the time
/// depends on the secret. `declassify()` is a promise that the value may be public, and this
/// one may not: the branch is a leak whether or not a test input reaches h >= p.
#[inline(never)]
pub fn poly1305_final_reduce(h: &[u64; 3]) -> [u8; 16] {
    let lo = u128::from(h[0]) | (u128::from(h[1]) << 64);
    let (_, carry) = lo.overflowing_add(5);
    let g_hi = h[2].wrapping_add(u64::from(carry));
    let h_ge_p = Secret::new(g_hi >> 2).ct_ne_public(&0);
    let public = h_ge_p.declassify(); // poly1305: declassify
    let tag = if public {
        // poly1305: use
        subtract_p(lo)
    } else {
        lo
    };
    tag.to_le_bytes()
}

/// (h - p) mod 2^128 = (h + 5) mod 2^128, for h >= p.
#[inline(never)]
fn subtract_p(lo: u128) -> u128 {
    lo.wrapping_add(5)
}
