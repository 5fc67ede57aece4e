//! Poly1305 on plain integers: secret-core's guide example (`secret-core/examples/poly1305/
//! mac.rs`) line for line, with `u32`/`u64` where it has `Secret<u32>`/`Secret<u64>`, so that
//! the instruction-count benchmark compares the same code.

/// The mask of one 26-bit limb.
const LIMB: u32 = (1 << 26) - 1;

/// The little-endian `u32` at `offset` of a byte array.
fn le_u32<const N: usize>(bytes: &[u8; N], offset: usize) -> u32 {
    u32::from_le_bytes([
        bytes[offset],
        bytes[offset + 1],
        bytes[offset + 2],
        bytes[offset + 3],
    ])
}

/// Poly1305 (RFC 8439, section 2.5) on plain integers.
pub fn poly1305_plain(key: &[u8; 32], msg: &[u8]) -> [u8; 16] {
    let r0 = le_u32(key, 0) & 0x03ff_ffff;
    let r1 = (le_u32(key, 3) >> 2) & 0x03ff_ff03;
    let r2 = (le_u32(key, 6) >> 4) & 0x03ff_c0ff;
    let r3 = (le_u32(key, 9) >> 6) & 0x03f0_3fff;
    let r4 = (le_u32(key, 12) >> 8) & 0x000f_ffff;
    let [r0, r1, r2, r3, r4] = [r0, r1, r2, r3, r4].map(u64::from);
    let [s1, s2, s3, s4] = [r1 * 5, r2 * 5, r3 * 5, r4 * 5];

    let mut h = [0u32; 5];
    let mut rest = msg;
    while !rest.is_empty() {
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

        let [h0, h1, h2, h3, h4] = h.map(u64::from);
        let d0 = h0 * r0 + h1 * s4 + h2 * s3 + h3 * s2 + h4 * s1;
        let mut d1 = h0 * r1 + h1 * r0 + h2 * s4 + h3 * s3 + h4 * s2;
        let mut d2 = h0 * r2 + h1 * r1 + h2 * r0 + h3 * s4 + h4 * s3;
        let mut d3 = h0 * r3 + h1 * r2 + h2 * r1 + h3 * r0 + h4 * s4;
        let mut d4 = h0 * r4 + h1 * r3 + h2 * r2 + h3 * r1 + h4 * r0;
        d1 += d0 >> 26;
        d2 += d1 >> 26;
        d3 += d2 >> 26;
        d4 += d3 >> 26;
        h = [d0, d1, d2, d3, d4].map(|d| d as u32 & LIMB);
        h[0] += (d4 >> 26) as u32 * 5;
        let carry = h[0] >> 26;
        h[0] &= LIMB;
        h[1] += carry;
    }

    for i in 1..5 {
        let carry = h[i - 1] >> 26;
        h[i - 1] &= LIMB;
        h[i] += carry;
    }
    let carry = h[4] >> 26;
    h[4] &= LIMB;
    h[0] += carry * 5;
    let carry = h[0] >> 26;
    h[0] &= LIMB;
    h[1] += carry;
    let mut g = h;
    g[0] += 5;
    for i in 1..5 {
        let carry = g[i - 1] >> 26;
        g[i - 1] &= LIMB;
        g[i] += carry;
    }
    // The selection as branch-free plain code writes it: a mask from the comparison's bit.
    let h_ge_p = 0u32.wrapping_sub(g[4] >> 26);
    g[4] &= LIMB;
    let h = core::array::from_fn::<u32, 5, _>(|i| (g[i] & h_ge_p) | (h[i] & !h_ge_p));

    let words = [
        h[0] | (h[1] << 26),
        (h[1] >> 6) | (h[2] << 20),
        (h[2] >> 12) | (h[3] << 14),
        (h[3] >> 18) | (h[4] << 8),
    ];
    let mut tag = [0u8; 16];
    let mut carry = 0u64;
    for (i, word) in words.iter().enumerate() {
        let sum = u64::from(*word) + u64::from(le_u32(key, 16 + 4 * i)) + carry;
        tag[4 * i..4 * i + 4].copy_from_slice(&(sum as u32).to_le_bytes());
        carry = sum >> 32;
    }
    tag
}
