//! Arithmetic modulo p = 2^255 - 19 (the X25519 / Ed25519 field) on `Secret<u64>` limbs.
//!
//! An element is five 51-bit limbs, `x = l0 + l1·2^51 + l2·2^102 + l3·2^153 + l4·2^204`, the
//! representation of curve25519-dalek's `u64` backend and of most C implementations. A product
//! of two limbs is taken as `a.cast::<u128>() * b.cast::<u128>()`; `2^255 ≡ 19 (mod p)` folds
//! the high half back. There is no branch and no secret-indexed memory anywhere in this file.
//!
//! # The multiplies are where the timing audit must look
//!
//! The *source* is constant-time; whether the *instructions* are depends on the core, because
//! Cortex-M is a 32-bit machine and a 64×64→128-bit product is built from smaller multiplies:
//!
//! - **Cortex-M0 / M0+ (thumbv6m)** has only `MULS` (32×32→32) and no long multiply, so each
//!   64-bit partial product is a call to compiler-builtins' `__aeabi_lmul` (four 16×16 `MULS`
//!   plus shifts and adds): 105 calls in one `mul` of this file (Rust 1.95, `--release`). That
//!   routine happens to be branch-free, but it is library code outside this crate, so its
//!   constant-time behaviour has to be checked on the linked binary; and an M0 built with the
//!   *small* iterative multiplier makes even `MULS` take 32 cycles (fixed, not data-dependent).
//! - **Cortex-M3 (thumbv7m)**: its long multiplies are *early-terminating* (`UMULL` 3-5
//!   cycles, `UMLAL` 4-7, depending on the operand values; Cortex-M3 TRM, "Instruction
//!   timings"), so secret-core does not use them there: `Secret<u128>` products are built from
//!   16×16→32 `MUL`s (single-cycle), one `asm!` block of 49 instructions per 64×64→128
//!   product (`secret-core/src/arch/soft_mul.rs`). Plain `u128` code compiles to 55 `UMULL`
//!   and 75 `UMLAL` per `mul` and would leak the magnitude of secret limbs on a real M3;
//!   `perf.sh` checks that no long multiply is reachable from the secret field multiply.
//! - **Cortex-M4 / M33 (thumbv7em, thumbv8m.main)**: the same `UMULL`/`UMLAL` instructions are
//!   single-cycle (fixed latency), so the same code is constant-time there.
//!
//! This example is therefore one `cargo ct-verify --target ...` must audit: see issue 5
//! ("audit: variable-latency instructions executed on secret paths"): on M0 it reports the
//! `__aeabi_lmul` calls.

use secret_core::Secret;

/// 2^51 - 1: the bits of one limb.
pub const LOW_51_BIT_MASK: u64 = (1 << 51) - 1;

/// An element of GF(2^255 - 19): five secret 51-bit limbs (each may exceed 2^51 slightly
/// between reductions).
#[derive(Clone)]
pub struct FieldElement(pub [Secret<u64>; 5]);

impl FieldElement {
    /// Loads 32 little-endian bytes; bit 255 is ignored (as X25519 does).
    pub fn from_bytes(bytes: &Secret<[u8; 32]>) -> Self {
        let load = |offset: usize| Secret::<u64>::from_le_bytes(&bytes.sub_array::<8>(offset));
        FieldElement([
            load(0) & LOW_51_BIT_MASK,
            (load(6) >> 3) & LOW_51_BIT_MASK,
            (load(12) >> 6) & LOW_51_BIT_MASK,
            (load(19) >> 1) & LOW_51_BIT_MASK,
            (load(24) >> 12) & LOW_51_BIT_MASK,
        ])
    }

    /// The canonical (fully reduced, `< p`) 32-byte little-endian encoding.
    pub fn to_bytes(&self) -> Secret<[u8; 32]> {
        let mut l = weak_reduce(self.0.clone());

        // Now l < 2p. Let q = 1 if l >= p, else 0: the carry out of l + 19 past bit 255,
        // computed as a carry chain (no comparison, no branch).
        let mut q = (&l[0] + 19) >> 51;
        q = (&l[1] + q) >> 51;
        q = (&l[2] + q) >> 51;
        q = (&l[3] + q) >> 51;
        q = (&l[4] + q) >> 51;

        // l - q·p = l + 19q - q·2^255: add 19q, propagate carries, drop bit 255.
        l[0] += q * 19;
        for i in 0..4 {
            let carry = &l[i] >> 51;
            l[i + 1] += carry;
            l[i] &= LOW_51_BIT_MASK;
        }
        l[4] &= LOW_51_BIT_MASK;

        // Pack 5 × 51 bits into 4 × 64 bits.
        let words = [
            &l[0] | (&l[1] << 51),
            (&l[1] >> 13) | (&l[2] << 38),
            (&l[2] >> 26) | (&l[3] << 25),
            (&l[3] >> 39) | (&l[4] << 12),
        ];
        let mut out = Secret::new([0u8; 32]);
        for (i, w) in words.iter().enumerate() {
            out.set_sub_array(8 * i, &w.to_le_bytes());
        }
        out
    }
}

/// Carries every limb into the next one (the top carry times 19 into limb 0): limbs end up
/// below 2^51 + 2^13, and the value is unchanged modulo p.
fn weak_reduce(mut l: [Secret<u64>; 5]) -> [Secret<u64>; 5] {
    let c: [Secret<u64>; 5] = core::array::from_fn(|i| &l[i] >> 51);
    for limb in l.iter_mut() {
        *limb &= LOW_51_BIT_MASK;
    }
    let [c0, c1, c2, c3, c4] = c;
    l[0] += c4 * 19;
    l[1] += c0;
    l[2] += c1;
    l[3] += c2;
    l[4] += c3;
    l
}

/// `a · b mod p`, schoolbook with the `19·2^255 ≡ 19` fold (curve25519-dalek's `u64` backend).
///
/// Inputs have limbs below 2^52 (as `from_bytes` and `mul` produce): each column is then below
/// 2^110.3, the final carry below 2^59.3 and `carry * 19` fits in a u64. The output's limbs are
/// below 2^51 + 2^13.
#[inline(never)]
pub fn mul(a: &FieldElement, b: &FieldElement) -> FieldElement {
    // The multiply proper (limb products, columns, carries, the carry out of the top column
    // folded back times 19) is the one the benchmarks measure on every core:
    // `secret_benches::field_mul_secret`. Its `x.cast::<u128>() * y.cast::<u128>()` limb
    // products are the lines whose instructions are not constant-time on every Cortex-M (see
    // the module documentation).
    let [mut out0, out1, out2, out3, out4] = secret_benches::field_mul_secret(&a.0, &b.0);
    // out0 = (its low 51 bits) + carry · 19 < 2^64; one more carry brings it below 2^51.
    let out1 = out1 + (&out0 >> 51);
    out0 &= LOW_51_BIT_MASK;

    FieldElement([out0, out1, out2, out3, out4])
}
