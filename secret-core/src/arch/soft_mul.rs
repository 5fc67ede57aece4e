//! 64- and 128-bit multiplication from 32-bit `MUL`s, for cores whose long multiplies are
//! variable-time (Cortex-M3: `UMULL`/`UMLAL` terminate early on small operands).
//!
//! A 32×32→64 product is assembled from four 16×16→32 products. Each half goes through the
//! value fence, so the optimizer cannot see that the operands are below 2^16 and rebuild a
//! `UMULL` from the pieces. Every remaining instruction (`MUL`, `ADDS`/`ADC`, shifts by
//! constants) takes a fixed number of cycles on every Cortex-M.

use super::fence_usize;

/// `x` through the value fence (a `u32` fits the machine word on every target).
#[inline(always)]
fn fence_u32(x: u32) -> u32 {
    fence_usize(x as usize) as u32
}

/// The full 64-bit product of two 32-bit words, without a long multiply instruction.
#[inline(always)]
fn mul_wide_u32(a: u32, b: u32) -> u64 {
    let (a0, a1) = (fence_u32(a & 0xffff), fence_u32(a >> 16));
    let (b0, b1) = (fence_u32(b & 0xffff), fence_u32(b >> 16));
    let low = u64::from(a0 * b0);
    let mid = u64::from(a0 * b1) + u64::from(a1 * b0);
    let high = u64::from(a1 * b1);
    low.wrapping_add(mid << 16).wrapping_add(high << 32)
}

/// `a.wrapping_mul(b)` for 64-bit words.
#[inline(always)]
pub(crate) fn wrapping_mul_u64(a: u64, b: u64) -> u64 {
    let (a0, a1) = (a as u32, (a >> 32) as u32);
    let (b0, b1) = (b as u32, (b >> 32) as u32);
    let cross = a0.wrapping_mul(b1).wrapping_add(a1.wrapping_mul(b0));
    mul_wide_u32(a0, b0).wrapping_add(u64::from(cross) << 32)
}

/// `a.wrapping_mul(b)` for 128-bit words: schoolbook on 32-bit limbs, keeping 128 bits.
#[inline(always)]
pub(crate) fn wrapping_mul_u128(a: u128, b: u128) -> u128 {
    let limb = |x: u128, i: u32| (x >> (32 * i)) as u32;
    let mut product = 0u128;
    for i in 0..4u32 {
        for j in 0..(4 - i) {
            let term = if i + j < 3 {
                u128::from(mul_wide_u32(limb(a, i), limb(b, j)))
            } else {
                u128::from(limb(a, i).wrapping_mul(limb(b, j)))
            };
            product = product.wrapping_add(term << (32 * (i + j)));
        }
    }
    product
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(a: u128, b: u128) {
        assert_eq!(
            wrapping_mul_u128(a, b),
            a.wrapping_mul(b),
            "{a:#x} * {b:#x}"
        );
        let (a64, b64) = (a as u64, b as u64);
        assert_eq!(
            wrapping_mul_u64(a64, b64),
            a64.wrapping_mul(b64),
            "{a64:#x} * {b64:#x}"
        );
    }

    /// Corner values and a deterministic pseudo-random walk, against the hardware multiply.
    #[test]
    fn agrees_with_wrapping_mul() {
        let corners = [
            0u128,
            1,
            2,
            0xffff,
            0x1_0000,
            0xffff_ffff,
            0x1_0000_0000,
            u64::MAX as u128,
            u128::MAX,
            u128::MAX - 1,
            1 << 127,
        ];
        for &a in &corners {
            for &b in &corners {
                check(a, b);
            }
        }
        let mut x = 0x9e37_79b9_7f4a_7c15_f39c_c060_5ced_c834u128;
        let mut next = || {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            x
        };
        for _ in 0..20_000 {
            let (a, b) = (next(), next());
            check(a, b);
            check(a >> 64, b);
            check(a >> 100, b >> 90);
            for &c in &corners {
                check(a, c);
            }
        }
    }
}
