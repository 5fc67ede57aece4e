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
//!
//! The full 64×64→128 product (the one a `u128` product of widened `u64`s needs) is one `asm!`
//! block on Arm, 49 instructions: 8 to split both operands into 16-bit digits, 16 `MUL`s and
//! 25 additions. That is close to the least this method needs (each of the 16 digit products
//! is added once, the 8 not aligned to a word in two halves), and the block is opaque, so no
//! long multiply can be rebuilt from it. Written in Rust (four 32×32 pieces), it compiled to
//! 70-80 instructions per product: the optimizer added the two middle products of each piece
//! first (a 33-bit sum whose carry costs three more instructions) and spilled the digits.
//! Elsewhere (the unit tests on the host) the block's steps are written out in Rust, carry by
//! carry, so the tests check its carry handling.

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

/// The full 128-bit product of two 64-bit words (see the module docs). Row 1 adds
/// `a`'s low word times `b` into `w2:w1:w0`, row 2 its high word times `b` into `w3:w2:w1`.
#[cfg(all(secret_ct_long_mul, target_arch = "arm"))]
#[inline(always)]
fn mul_wide_u64(a: u64, b: u64) -> u128 {
    let (w0, w1, w2, w3): (u32, u32, u32, u32);
    // SAFETY: the block only computes on registers: it reads the four operand words, writes
    // the declared outputs and temporaries (every `out` is written before it is read, and
    // none shares a register with an input, which `out` rather than `lateout` guarantees) and
    // clobbers the flags (no `preserves_flags`). It touches no memory and no stack. Only
    // `MUL`, `UXTH`, `LSR` and `ADD`/`ADC` with immediate or shifted-register operands occur:
    // Thumb-2 (every core with `secret_ct_long_mul` has it) and fixed-time on Cortex-M. No
    // intermediate sum exceeds the final product, so no carry out of the top word is lost.
    unsafe {
        core::arch::asm!(
            // Digits: a = (a_hi, a1, a0) with a_hi split later, b = (b3, b2, b1, b0).
            "lsr {a1}, {a0}, #16",
            "uxth {a0}, {a0}",
            "lsr {b1}, {b0}, #16",
            "uxth {b0}, {b0}",
            "lsr {b3}, {b2}, #16",
            "uxth {b2}, {b2}",
            // Row 1: (w2, w1, w0) = (a1, a0) * b, below 2^96.
            "mul {w0}, {a0}, {b0}",
            "mul {w1}, {a1}, {b1}",
            "mul {m}, {a0}, {b1}",
            "adds {w0}, {w0}, {m}, lsl #16",
            "adc {w1}, {w1}, {m}, lsr #16",
            "mul {m}, {a1}, {b0}",
            "adds {w0}, {w0}, {m}, lsl #16",
            "adc {w1}, {w1}, {m}, lsr #16",
            "mul {m}, {a0}, {b2}",
            "adds {w1}, {w1}, {m}",
            "mul {w2}, {a1}, {b3}",
            "adc {w2}, {w2}, #0",
            "mul {m}, {a0}, {b3}",
            "adds {w1}, {w1}, {m}, lsl #16",
            "adc {w2}, {w2}, {m}, lsr #16",
            "mul {m}, {a1}, {b2}",
            "adds {w1}, {w1}, {m}, lsl #16",
            "adc {w2}, {w2}, {m}, lsr #16",
            // Row 2: a's high word as digits (a3, a2) in a1's and a0's registers; w3 takes
            // a_hi's register. `MUL` leaves the carry flag alone.
            "uxth {a0}, {ah}",
            "lsr {a1}, {ah}, #16",
            "mul {ah}, {a1}, {b3}",
            "mul {m}, {a0}, {b2}",
            "adds {w2}, {w2}, {m}",
            "adc {ah}, {ah}, #0",
            "mul {m}, {a0}, {b3}",
            "adds {w2}, {w2}, {m}, lsl #16",
            "adc {ah}, {ah}, {m}, lsr #16",
            "mul {m}, {a1}, {b2}",
            "adds {w2}, {w2}, {m}, lsl #16",
            "adc {ah}, {ah}, {m}, lsr #16",
            "mul {m}, {a0}, {b0}",
            "adds {w1}, {w1}, {m}",
            "mul {m}, {a1}, {b1}",
            "adcs {w2}, {w2}, {m}",
            "adc {ah}, {ah}, #0",
            "mul {m}, {a0}, {b1}",
            "adds {w1}, {w1}, {m}, lsl #16",
            "adcs {w2}, {w2}, {m}, lsr #16",
            "adc {ah}, {ah}, #0",
            "mul {m}, {a1}, {b0}",
            "adds {w1}, {w1}, {m}, lsl #16",
            "adcs {w2}, {w2}, {m}, lsr #16",
            "adc {ah}, {ah}, #0",
            a0 = inout(reg) a as u32 => _,
            ah = inout(reg) (a >> 32) as u32 => w3,
            b0 = inout(reg) b as u32 => _,
            b2 = inout(reg) (b >> 32) as u32 => _,
            a1 = out(reg) _,
            b1 = out(reg) _,
            b3 = out(reg) _,
            m = out(reg) _,
            w0 = out(reg) w0,
            w1 = out(reg) w1,
            w2 = out(reg) w2,
            options(pure, nomem, nostack)
        );
    }
    u128::from(w0) | (u128::from(w1) << 32) | (u128::from(w2) << 64) | (u128::from(w3) << 96)
}

/// The `asm!` block of the Arm version, step by step in Rust (a carry the block does not
/// propagate is dropped here too), with `a`'s digits fenced: what the unit tests check on the
/// host, and the code on other targets with `secret_ct_long_mul`.
#[cfg(not(all(secret_ct_long_mul, target_arch = "arm")))]
#[inline(always)]
fn mul_wide_u64(a: u64, b: u64) -> u128 {
    let d = |x: u64, k: u32| ((x >> (16 * k)) & 0xffff) as u32;
    let (a0, a1, a2, a3) = (
        fence_u32(d(a, 0)),
        fence_u32(d(a, 1)),
        fence_u32(d(a, 2)),
        fence_u32(d(a, 3)),
    );
    let (b0, b1, b2, b3) = (d(b, 0), d(b, 1), d(b, 2), d(b, 3));
    // `ADDS`/`ADC`/`ADCS` on 32-bit words: `x + y + carry`, the new carry.
    let add = |x: u32, y: u32, c: bool| {
        let (s, c1) = x.overflowing_add(y);
        let (s, c2) = s.overflowing_add(u32::from(c));
        (s, c1 || c2)
    };
    let (lsl, lsr) = (|m: u32| m << 16, |m: u32| m >> 16);
    // Row 1.
    let (mut w0, mut w1) = (a0 * b0, a1 * b1);
    for m in [a0 * b1, a1 * b0] {
        let c;
        (w0, c) = add(w0, lsl(m), false);
        (w1, _) = add(w1, lsr(m), c);
    }
    let (s, c) = add(w1, a0 * b2, false);
    w1 = s;
    let (mut w2, _) = add(a1 * b3, 0, c);
    for m in [a0 * b3, a1 * b2] {
        let c;
        (w1, c) = add(w1, lsl(m), false);
        (w2, _) = add(w2, lsr(m), c);
    }
    // Row 2.
    let (s, c) = add(w2, a2 * b2, false);
    w2 = s;
    let (mut w3, _) = add(a3 * b3, 0, c);
    for m in [a2 * b3, a3 * b2] {
        let c;
        (w2, c) = add(w2, lsl(m), false);
        (w3, _) = add(w3, lsr(m), c);
    }
    let (s, c) = add(w1, a2 * b0, false);
    w1 = s;
    let (s, c) = add(w2, a3 * b1, c);
    w2 = s;
    (w3, _) = add(w3, 0, c);
    for m in [a2 * b1, a3 * b0] {
        let c;
        (w1, c) = add(w1, lsl(m), false);
        let c2;
        (w2, c2) = add(w2, lsr(m), c);
        (w3, _) = add(w3, 0, c2);
    }
    u128::from(w0) | (u128::from(w1) << 32) | (u128::from(w2) << 64) | (u128::from(w3) << 96)
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
        // Pairs for which a carry reaches the top word in the last two steps of
        // `mul_wide_u64`'s row 2 (about 1 in 100,000 random pairs: the walk below may miss it).
        for (a, b) in [
            (0x1197_80a6_1cb0_64e4u128, 0x0953_cf73_a0d9_1bf6u128),
            (0xbea6_7374_dc04_281b, 0xbc31_d9a9_2cb9_f2d9),
        ] {
            check(a, b);
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
