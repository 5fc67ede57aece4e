//! 64- and 128-bit multiplication from 32-bit `MUL`s, for cores whose long multiplies are
//! variable-time (Cortex-M3: `UMULL`/`UMLAL` terminate early on small operands).
//!
//! A 32×32→64 product is assembled from four 16×16→32 products. The halves of one operand go
//! through the value fence, so the optimizer cannot see that they recombine into that operand
//! and rebuild a `UMULL` from the pieces. The other operand stays visible, so that a product
//! with a constant folds as it would in plain code: the zero high halves of a `u64` widened to
//! `u128` cost nothing, and `x * 19` is two `MUL`s. Every remaining instruction (`MUL`,
//! `ADDS`/`ADC`, shifts by constants) takes a fixed number of cycles on every Cortex-M. There
//! are no loops and no shifts by variable amounts, so the code is the same at every
//! opt-level ("s" and "z" do not unroll loops, and turned 128-bit shifts by a loop counter into
//! calls to compiler-builtins).

use super::fence_usize;

/// `x` through the value fence (a `u32` fits the machine word on every target).
#[inline(always)]
fn fence_u32(x: u32) -> u32 {
    fence_usize(x as usize) as u32
}

/// The full 64-bit product of two 32-bit words, without a long multiply instruction. `a`'s
/// halves are fenced; `b` is left visible (see the module docs).
#[inline(always)]
fn mul_wide_u32(a: u32, b: u32) -> u64 {
    let (a0, a1) = (fence_u32(a & 0xffff), fence_u32(a >> 16));
    let (b0, b1) = (b & 0xffff, b >> 16);
    // Each product of two 16-bit halves fits 32 bits. The outer two need no addition (they
    // are the two words of the result), the middle two are added shifted by 16, which Thumb-2
    // does with one `ADDS`/`ADC` pair each (a shifted register operand), carries included.
    let outer = (u64::from(a1.wrapping_mul(b1)) << 32) | u64::from(a0.wrapping_mul(b0));
    outer
        .wrapping_add(u64::from(a0.wrapping_mul(b1)) << 16)
        .wrapping_add(u64::from(a1.wrapping_mul(b0)) << 16)
}

/// The full 128-bit product of two 64-bit words: four [`mul_wide_u32`]s.
#[inline(always)]
fn mul_wide_u64(a: u64, b: u64) -> u128 {
    let (a0, a1) = (a as u32, (a >> 32) as u32);
    let (b0, b1) = (b as u32, (b >> 32) as u32);
    let mid = u128::from(mul_wide_u32(a0, b1)) + u128::from(mul_wide_u32(a1, b0));
    u128::from(mul_wide_u32(a0, b0))
        .wrapping_add(mid << 32)
        .wrapping_add(u128::from(mul_wide_u32(a1, b1)) << 64)
}

/// `a.wrapping_mul(b)` for 64-bit words.
#[inline(always)]
pub(crate) fn wrapping_mul_u64(a: u64, b: u64) -> u64 {
    let (a0, a1) = (a as u32, (a >> 32) as u32);
    let (b0, b1) = (b as u32, (b >> 32) as u32);
    let cross = a0.wrapping_mul(b1).wrapping_add(a1.wrapping_mul(b0));
    mul_wide_u32(a0, b0).wrapping_add(u64::from(cross) << 32)
}

/// `a.wrapping_mul(b)` for 128-bit words: the full product of the low halves plus the two
/// cross products (each multiplies a low half, fenced, by a high half, visible: zero when the
/// operands are widened `u64`s, and then they fold away).
#[inline(always)]
pub(crate) fn wrapping_mul_u128(a: u128, b: u128) -> u128 {
    let (a_lo, a_hi) = (a as u64, (a >> 64) as u64);
    let (b_lo, b_hi) = (b as u64, (b >> 64) as u64);
    let cross = wrapping_mul_u64(a_lo, b_hi).wrapping_add(wrapping_mul_u64(b_lo, a_hi));
    mul_wide_u64(a_lo, b_lo).wrapping_add(u128::from(cross) << 64)
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
