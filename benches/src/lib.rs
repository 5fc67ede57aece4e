//! Workloads shared by the benchmarks and the constant-time verification suite: the same
//! algorithm written once on plain integers and once on secrets, in the natural style a
//! cryptography author would use, so that their costs can be compared side by side.
#![no_std]

use secret_core::Secret;

mod poly1305_plain;
// Poly1305 on secrets is secret-core's guide example itself, compiled from its file (the guide
// shows it; `cargo run -p secret-core --example poly1305` checks the RFC vectors).
#[path = "../../secret-core/examples/poly1305/mac.rs"]
mod poly1305_secret;

pub use poly1305_plain::poly1305_plain;
pub use poly1305_secret::poly1305 as poly1305_secret;

/// The ChaCha20 constants "expand 32-byte k".
const SIGMA: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

macro_rules! quarter_round {
    ($a:expr, $b:expr, $c:expr, $d:expr) => {
        $a += &$b;
        $d ^= &$a;
        $d.rotate_left_assign(16);
        $c += &$d;
        $b ^= &$c;
        $b.rotate_left_assign(12);
        $a += &$b;
        $d ^= &$a;
        $d.rotate_left_assign(8);
        $c += &$d;
        $b ^= &$c;
        $b.rotate_left_assign(7);
    };
}

macro_rules! plain_quarter_round {
    ($a:expr, $b:expr, $c:expr, $d:expr) => {
        $a = $a.wrapping_add($b);
        $d ^= $a;
        $d = $d.rotate_left(16);
        $c = $c.wrapping_add($d);
        $b ^= $c;
        $b = $b.rotate_left(12);
        $a = $a.wrapping_add($b);
        $d ^= $a;
        $d = $d.rotate_left(8);
        $c = $c.wrapping_add($d);
        $b ^= $c;
        $b = $b.rotate_left(7);
    };
}

/// One ChaCha20 block (RFC 8439 §2.3) on plain `u32`: the reference the secret version is
/// measured against.
pub fn chacha20_block_plain(key: &[u32; 8], counter: u32, nonce: &[u32; 3]) -> [u32; 16] {
    let init = [
        SIGMA[0], SIGMA[1], SIGMA[2], SIGMA[3], key[0], key[1], key[2], key[3], key[4], key[5],
        key[6], key[7], counter, nonce[0], nonce[1], nonce[2],
    ];
    let [mut x0, mut x1, mut x2, mut x3, mut x4, mut x5, mut x6, mut x7, mut x8, mut x9, mut x10, mut x11, mut x12, mut x13, mut x14, mut x15] =
        init;
    for _ in 0..10 {
        plain_quarter_round!(x0, x4, x8, x12);
        plain_quarter_round!(x1, x5, x9, x13);
        plain_quarter_round!(x2, x6, x10, x14);
        plain_quarter_round!(x3, x7, x11, x15);
        plain_quarter_round!(x0, x5, x10, x15);
        plain_quarter_round!(x1, x6, x11, x12);
        plain_quarter_round!(x2, x7, x8, x13);
        plain_quarter_round!(x3, x4, x9, x14);
    }
    let mut out = [
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
    ];
    for (o, i) in out.iter_mut().zip(&init) {
        *o = o.wrapping_add(*i);
    }
    out
}

/// One ChaCha20 block on `Secret<u32>`: key words are secret, counter and nonce public.
///
/// The state is updated in place (`+=`, `^=`, `rotate_left_assign`), the form secret-core's
/// guide gives for state; no copy of the initial state is kept: the final addition takes the
/// input words from where they already are (the constants, `key`, `counter`, `nonce`), so
/// there is no second 16-word array to clone before the rounds and to wipe after them.
pub fn chacha20_block_secret(
    key: &[Secret<u32>; 8],
    counter: u32,
    nonce: &[u32; 3],
) -> [Secret<u32>; 16] {
    // An array literal like the plain version's (`core::array::from_fn` with a `match` on the
    // index, or `map`/`clone` on arrays, stay loops or calls at opt-level "s" and "z").
    let [mut x0, mut x1, mut x2, mut x3, mut x4, mut x5, mut x6, mut x7, mut x8, mut x9, mut x10, mut x11, mut x12, mut x13, mut x14, mut x15] = [
        Secret::new(SIGMA[0]),
        Secret::new(SIGMA[1]),
        Secret::new(SIGMA[2]),
        Secret::new(SIGMA[3]),
        key[0].clone(),
        key[1].clone(),
        key[2].clone(),
        key[3].clone(),
        key[4].clone(),
        key[5].clone(),
        key[6].clone(),
        key[7].clone(),
        Secret::new(counter),
        Secret::new(nonce[0]),
        Secret::new(nonce[1]),
        Secret::new(nonce[2]),
    ];
    for _ in 0..10 {
        quarter_round!(x0, x4, x8, x12);
        quarter_round!(x1, x5, x9, x13);
        quarter_round!(x2, x6, x10, x14);
        quarter_round!(x3, x7, x11, x15);
        quarter_round!(x0, x5, x10, x15);
        quarter_round!(x1, x6, x11, x12);
        quarter_round!(x2, x7, x8, x13);
        quarter_round!(x3, x4, x9, x14);
    }
    x0 += SIGMA[0];
    x1 += SIGMA[1];
    x2 += SIGMA[2];
    x3 += SIGMA[3];
    x4 += &key[0];
    x5 += &key[1];
    x6 += &key[2];
    x7 += &key[3];
    x8 += &key[4];
    x9 += &key[5];
    x10 += &key[6];
    x11 += &key[7];
    x12 += counter;
    x13 += nonce[0];
    x14 += nonce[1];
    x15 += nonce[2];
    [
        x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15,
    ]
}

/// 2^51 - 1: the limb mask of the radix-2^51 representation of GF(2^255 - 19).
const MASK51: u64 = (1 << 51) - 1;

/// Two field elements (limbs below 2^51) that every field-multiply benchmark uses, on the
/// desktop and on Cortex-M.
pub fn field_operands() -> ([u64; 5], [u64; 5]) {
    (
        [1u64, 2, 3, 4, 5].map(|x| x.wrapping_mul(0x9e37_79b9_7f4a_7c15) & MASK51),
        [6u64, 7, 8, 9, 10].map(|x| x.wrapping_mul(0xc2b2_ae3d_27d4_eb4f) & MASK51),
    )
}

/// The 256-entry `u32` table that every lookup benchmark reads.
pub const fn lookup_table() -> [u32; 256] {
    let mut t = [0u32; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u32).wrapping_mul(0x9e37_79b9);
        i += 1;
    }
    t
}

/// Multiplication in GF(2^255 - 19) with five 51-bit limbs (the X25519/Ed25519 field, as in
/// curve25519-dalek's `FieldElement51`), on plain `u64`/`u128`.
pub fn field_mul_plain(a: &[u64; 5], b: &[u64; 5]) -> [u64; 5] {
    let m = |x: u64, y: u64| (x as u128) * (y as u128);
    let (b1, b2, b3, b4) = (b[1] * 19, b[2] * 19, b[3] * 19, b[4] * 19);
    let c0 = m(a[0], b[0]) + m(a[4], b1) + m(a[3], b2) + m(a[2], b3) + m(a[1], b4);
    let mut c1 = m(a[1], b[0]) + m(a[0], b[1]) + m(a[4], b2) + m(a[3], b3) + m(a[2], b4);
    let mut c2 = m(a[2], b[0]) + m(a[1], b[1]) + m(a[0], b[2]) + m(a[4], b3) + m(a[3], b4);
    let mut c3 = m(a[3], b[0]) + m(a[2], b[1]) + m(a[1], b[2]) + m(a[0], b[3]) + m(a[4], b4);
    let mut c4 = m(a[4], b[0]) + m(a[3], b[1]) + m(a[2], b[2]) + m(a[1], b[3]) + m(a[0], b[4]);
    c1 += (c0 >> 51) as u64 as u128;
    let mut o0 = (c0 as u64) & MASK51;
    c2 += (c1 >> 51) as u64 as u128;
    let o1 = (c1 as u64) & MASK51;
    c3 += (c2 >> 51) as u64 as u128;
    let o2 = (c2 as u64) & MASK51;
    c4 += (c3 >> 51) as u64 as u128;
    let o3 = (c3 as u64) & MASK51;
    let carry = (c4 >> 51) as u64;
    let o4 = (c4 as u64) & MASK51;
    o0 += carry * 19;
    [o0, o1, o2, o3, o4]
}

/// The same field multiplication on `Secret<u64>` limbs and `Secret<u128>` products.
pub fn field_mul_secret(a: &[Secret<u64>; 5], b: &[Secret<u64>; 5]) -> [Secret<u64>; 5] {
    let m = |x: &Secret<u64>, y: &Secret<u64>| x.cast::<u128>() * y.cast::<u128>();
    let (b1, b2, b3, b4) = (&b[1] * 19, &b[2] * 19, &b[3] * 19, &b[4] * 19);
    let c0 = m(&a[0], &b[0]) + m(&a[4], &b1) + m(&a[3], &b2) + m(&a[2], &b3) + m(&a[1], &b4);
    let mut c1 = m(&a[1], &b[0]) + m(&a[0], &b[1]) + m(&a[4], &b2) + m(&a[3], &b3) + m(&a[2], &b4);
    let mut c2 =
        m(&a[2], &b[0]) + m(&a[1], &b[1]) + m(&a[0], &b[2]) + m(&a[4], &b3) + m(&a[3], &b4);
    let mut c3 =
        m(&a[3], &b[0]) + m(&a[2], &b[1]) + m(&a[1], &b[2]) + m(&a[0], &b[3]) + m(&a[4], &b4);
    let mut c4 =
        m(&a[4], &b[0]) + m(&a[3], &b[1]) + m(&a[2], &b[2]) + m(&a[1], &b[3]) + m(&a[0], &b[4]);
    c1 += (&c0 >> 51).cast::<u64>().cast::<u128>();
    let mut o0 = c0.cast::<u64>() & MASK51;
    c2 += (&c1 >> 51).cast::<u64>().cast::<u128>();
    let o1 = c1.cast::<u64>() & MASK51;
    c3 += (&c2 >> 51).cast::<u64>().cast::<u128>();
    let o2 = c2.cast::<u64>() & MASK51;
    c4 += (&c3 >> 51).cast::<u64>().cast::<u128>();
    let o3 = c3.cast::<u64>() & MASK51;
    let carry = (&c4 >> 51).cast::<u64>();
    let o4 = c4.cast::<u64>() & MASK51;
    o0 += carry * 19;
    [o0, o1, o2, o3, o4]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// RFC 8439 §2.3.2 test vector.
    #[test]
    fn chacha20_rfc8439_vector_both_versions() {
        let key: [u32; 8] = core::array::from_fn(|i| {
            u32::from_le_bytes([
                4 * i as u8,
                4 * i as u8 + 1,
                4 * i as u8 + 2,
                4 * i as u8 + 3,
            ])
        });
        let nonce = [0x0900_0000, 0x4a00_0000, 0x0000_0000];
        let expected_first = [0xe4e7_f110u32, 0x1559_3bd1, 0x1fdd_0f50, 0xc471_20a3];
        let plain = chacha20_block_plain(&key, 1, &nonce);
        assert_eq!(plain[..4], expected_first);
        let secret_key = key.map(Secret::new);
        let secret = chacha20_block_secret(&secret_key, 1, &nonce).map(Secret::declassify);
        assert_eq!(secret, plain);
    }

    /// RFC 8439 §2.5.2: both Poly1305 versions give the RFC's tag, and agree on messages of
    /// every length from 0 to 64 bytes (every position of the padding byte) under other keys.
    #[test]
    fn poly1305_rfc8439_vector_both_versions() {
        let key: [u8; 32] = [
            0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52, 0xfe, 0x42, 0xd5,
            0x06, 0xa8, 0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d, 0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf,
            0x41, 0x49, 0xf5, 0x1b,
        ];
        let tag: [u8; 16] = [
            0xa8, 0x06, 0x1d, 0xc1, 0x30, 0x51, 0x36, 0xc6, 0xc2, 0x2b, 0x8b, 0xaf, 0x0c, 0x01,
            0x27, 0xa9,
        ];
        let msg = b"Cryptographic Forum Research Group";
        assert_eq!(poly1305_plain(&key, msg), tag);
        assert_eq!(poly1305_secret(&Secret::new(key), msg).declassify(), tag);
        let long: [u8; 64] = core::array::from_fn(|i| (i as u8).wrapping_mul(0x9d) ^ 0xff);
        for n in 0..=64 {
            let key: [u8; 32] = core::array::from_fn(|i| (i * n) as u8 ^ 0xa5);
            let secret = poly1305_secret(&Secret::new(key), &long[..n]).declassify();
            assert_eq!(secret, poly1305_plain(&key, &long[..n]), "length {n}");
        }
    }

    /// The two field multiplications agree; a * 1 = a; 2^51 * 2^204 = 2^255 = 19 (mod p).
    #[test]
    fn field_mul_both_versions() {
        let a = [5, MASK51, 7, MASK51 - 3, 9];
        assert_eq!(field_mul_plain(&a, &[1, 0, 0, 0, 0]), a);
        assert_eq!(
            field_mul_plain(&[0, 1, 0, 0, 0], &[0, 0, 0, 0, 1 << 0]),
            [19, 0, 0, 0, 0]
        );
        let (a, b) = field_operands();
        let plain = field_mul_plain(&a, &b);
        let secret = field_mul_secret(&a.map(Secret::new), &b.map(Secret::new));
        assert_eq!(secret.map(Secret::declassify), plain);
    }
}

/// Comparators: the straightforward plain-code versions that secret-core is measured against.
pub mod plain {
    /// Table lookup by scanning every entry with an arithmetic mask (no barrier): what a careful
    /// author writes without a library. LLVM is free to vectorize it.
    pub fn mask_scan_lookup(table: &[u32], index: usize) -> u32 {
        let mut acc = 0u32;
        for (i, entry) in table.iter().enumerate() {
            let diff = (i ^ index) as u64;
            let is_zero = (diff | diff.wrapping_neg()) >> 63 ^ 1;
            acc |= entry & (is_zero as u32).wrapping_neg();
        }
        acc
    }

    /// The same mask scan over a table of bytes (an S-box).
    pub fn mask_scan_lookup_u8(table: &[u8], index: usize) -> u8 {
        let mut acc = 0u8;
        for (i, entry) in table.iter().enumerate() {
            let diff = (i ^ index) as u64;
            let is_zero = (diff | diff.wrapping_neg()) >> 63 ^ 1;
            acc |= entry & (is_zero as u8).wrapping_neg();
        }
        acc
    }

    /// An early-exit comparison: the classic leak, for the dudect benches.
    pub fn early_exit_eq(a: &[u8], b: &[u8]) -> bool {
        for (x, y) in a.iter().zip(b) {
            if core::hint::black_box(*x != *y) {
                return false;
            }
        }
        a.len() == b.len()
    }
}
