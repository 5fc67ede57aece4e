use secret_core::{Secret, SecretBool};

/// The mask of one 26-bit limb.
const LIMB: u32 = (1 << 26) - 1;

/// The little-endian `u32` at a public `offset` of a secret byte array.
fn le_u32<const N: usize>(bytes: &Secret<[u8; N]>, offset: usize) -> Secret<u32> {
    Secret::<u32>::from_le_bytes(&bytes.sub_array::<4>(offset))
}

/// Poly1305 (RFC 8439, section 2.5): the 16-byte tag of a public `msg` under a one-time
/// secret `key` (`r` in bytes 0..16, `s` in bytes 16..32).
///
/// The accumulator `h` and `r` are five 26-bit limbs in `u32`s; their products are summed in
/// `u64`s, where 5 products of 26 + 28 bits cannot overflow.
pub fn poly1305(key: &Secret<[u8; 32]>, msg: &[u8]) -> Secret<[u8; 16]> {
    // r, clamped as the RFC says (the masks clear the bits it clears).
    let r0 = le_u32(key, 0) & 0x03ff_ffff;
    let r1 = (le_u32(key, 3) >> 2) & 0x03ff_ff03;
    let r2 = (le_u32(key, 6) >> 4) & 0x03ff_c0ff;
    let r3 = (le_u32(key, 9) >> 6) & 0x03f0_3fff;
    let r4 = (le_u32(key, 12) >> 8) & 0x000f_ffff;
    // Widened once; `s_i = 5 * r_i` folds 2^130 = 5 (mod p) into the product.
    let [r0, r1, r2, r3, r4] = [r0, r1, r2, r3, r4].map(|r| r.cast::<u64>());
    let [s1, s2, s3, s4] = [&r1 * 5, &r2 * 5, &r3 * 5, &r4 * 5];

    let mut h = [0u32; 5].map(Secret::new);
    let mut rest = msg;
    while !rest.is_empty() {
        // A 16-byte block of the (public) message with the 2^128 bit; the last, shorter block
        // gets a 1 byte after its end instead.
        let take = rest.len().min(16);
        let mut block = [0u8; 17];
        block[..take].copy_from_slice(&rest[..take]);
        block[take] = 1;
        rest = &rest[take..];
        let word =
            |i: usize| u32::from_le_bytes([block[i], block[i + 1], block[i + 2], block[i + 3]]);
        h[0] += word(0) & LIMB;
        h[1] += (word(3) >> 2) & LIMB;
        h[2] += (word(6) >> 4) & LIMB;
        h[3] += (word(9) >> 6) & LIMB;
        h[4] += (word(12) >> 8) | (u32::from(block[16]) << 24);

        // h *= r (mod p), the limbs of each product summed in u64.
        let [h0, h1, h2, h3, h4] = h.each_ref().map(|x| x.cast::<u64>());
        let d0 = &h0 * &r0 + &h1 * &s4 + &h2 * &s3 + &h3 * &s2 + &h4 * &s1;
        let mut d1 = &h0 * &r1 + &h1 * &r0 + &h2 * &s4 + &h3 * &s3 + &h4 * &s2;
        let mut d2 = &h0 * &r2 + &h1 * &r1 + &h2 * &r0 + &h3 * &s4 + &h4 * &s3;
        let mut d3 = &h0 * &r3 + &h1 * &r2 + &h2 * &r1 + &h3 * &r0 + &h4 * &s4;
        let mut d4 = &h0 * &r4 + &h1 * &r3 + &h2 * &r2 + &h3 * &r1 + &h4 * &r0;
        // Carry: back to 26-bit limbs (the top carry re-enters at limb 0 times 5).
        d1 += &d0 >> 26;
        d2 += &d1 >> 26;
        d3 += &d2 >> 26;
        d4 += &d3 >> 26;
        h = [&d0, &d1, &d2, &d3, &d4].map(|d| d.cast::<u32>() & LIMB);
        h[0] += (&d4 >> 26).cast::<u32>() * 5;
        let carry = &h[0] >> 26;
        h[0] &= LIMB;
        h[1] += carry;
    }

    // Full carry, then h mod p: g = h + 5 - 2^130 is the answer when it does not go negative,
    // that is when h + 5 reaches 2^130 (limb 4 of h + 5 reaches 2^26).
    for i in 1..5 {
        let carry = &h[i - 1] >> 26;
        h[i - 1] &= LIMB;
        h[i] += carry;
    }
    let carry = &h[4] >> 26;
    h[4] &= LIMB;
    h[0] += carry * 5;
    let carry = &h[0] >> 26;
    h[0] &= LIMB;
    h[1] += carry;
    let mut g = h.clone();
    g[0] += 5;
    for i in 1..5 {
        let carry = &g[i - 1] >> 26;
        g[i - 1] &= LIMB;
        g[i] += carry;
    }
    let h_ge_p: SecretBool = g[4].ct_ge_public(&(1 << 26));
    g[4] &= LIMB;
    let h = h_ge_p.select(&g, &h);

    // tag = (h + s) mod 2^128: h as four 32-bit words, plus s with carries in u64.
    let words = [
        &h[0] | (&h[1] << 26),
        (&h[1] >> 6) | (&h[2] << 20),
        (&h[2] >> 12) | (&h[3] << 14),
        (&h[3] >> 18) | (&h[4] << 8),
    ];
    let mut tag = Secret::new([0u8; 16]);
    let mut carry = Secret::new(0u64);
    for (i, word) in words.iter().enumerate() {
        let sum = word.cast::<u64>() + le_u32(key, 16 + 4 * i).cast::<u64>() + &carry;
        tag.set_sub_array(4 * i, &sum.cast::<u32>().to_le_bytes());
        carry = sum >> 32;
    }
    tag
}
