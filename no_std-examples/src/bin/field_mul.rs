//! A constant-time field multiply modulo 2^255 - 19 (X25519-style, 5 × 51-bit limbs on
//! `Secret<u64>`, products through `cast::<u128>()`), checked against vectors computed
//! independently (Python big integers: `a * b % (2**255 - 19)`) and against Fermat's little
//! theorem.
//!
//! On Cortex-M0 the 64-bit products call a compiler-builtins routine; on Cortex-M3 secret-core
//! builds them from 16×16 `MUL`s instead of the early-terminating `UMULL`/`UMLAL`: see the
//! documentation of `secret_firmware::field`. The *values* are right on every core (that is
//! what this example checks); the *timing* of M0's library calls is what `cargo ct-verify`'s
//! audit must report.
//!
//! `cargo run --release --target thumbv6m-none-eabi --bin field_mul` (exit code 0 = pass).
#![no_std]
#![no_main]

use cortex_m_rt::entry;
use secret_core::Secret;
use secret_firmware::field::{mul, FieldElement};
use secret_firmware::Report;

/// One known product, all numbers 32 bytes little-endian.
struct Vector {
    what: &'static str,
    a: [u8; 32],
    b: [u8; 32],
    /// `a * b mod p`, canonical. Computed with Python, not with this code.
    product: [u8; 32],
}

const VECTORS: [Vector; 7] = [
    Vector {
        what: "3 * 7 = 21",
        a: hex32("0300000000000000000000000000000000000000000000000000000000000000"),
        b: hex32("0700000000000000000000000000000000000000000000000000000000000000"),
        product: hex32("1500000000000000000000000000000000000000000000000000000000000000"),
    },
    Vector {
        what: "(p-1) * (p-1) = 1",
        a: hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        b: hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        product: hex32("0100000000000000000000000000000000000000000000000000000000000000"),
    },
    Vector {
        what: "(p-1) * 2 = p-2 (canonical output)",
        a: hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        b: hex32("0200000000000000000000000000000000000000000000000000000000000000"),
        product: hex32("ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    },
    Vector {
        what: "(2^255-1) * 2 = 36 (non-canonical input 2^255-1 = p+18)",
        a: hex32("ffffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        b: hex32("0200000000000000000000000000000000000000000000000000000000000000"),
        product: hex32("2400000000000000000000000000000000000000000000000000000000000000"),
    },
    Vector {
        what: "2^128 * 2^127 = 2^255 = 19 (the fold)",
        a: hex32("0000000000000000000000000000000001000000000000000000000000000000"),
        b: hex32("0000000000000000000000000000008000000000000000000000000000000000"),
        product: hex32("1300000000000000000000000000000000000000000000000000000000000000"),
    },
    Vector {
        what: "1 * (p-1) = p-1",
        a: hex32("0100000000000000000000000000000000000000000000000000000000000000"),
        b: hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
        product: hex32("ecffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f"),
    },
    Vector {
        what: "random a * b (reference: Python's a * b % p)",
        a: hex32("6aad39f4c2aaed1a8a27e534ce4aa7426078fe43c27a88b4ada9dd74482b8410"),
        b: hex32("232cae48c88fff9b500f0b4cca8e9f33a72971aa44125c7294d11bb5c82df818"),
        product: hex32("4d9c89b13b70b95cd657e3834059cf68e24ce21919e03c3a40f70b9a3d6bf258"),
    },
];

/// 1, little-endian.
const ONE: [u8; 32] = hex32("0100000000000000000000000000000000000000000000000000000000000000");

/// p - 2 = 2^255 - 21, the exponent of the Fermat inverse (public).
const P_MINUS_2: [u8; 32] =
    hex32("ebffffffffffffffffffffffffffffffffffffffffffffffffffffffffffff7f");

/// 64 hex digits → 32 bytes, at compile time.
const fn hex32(s: &str) -> [u8; 32] {
    const fn nibble(c: u8) -> u8 {
        match c {
            b'0'..=b'9' => c - b'0',
            b'a'..=b'f' => c - b'a' + 10,
            _ => panic!("not a lowercase hex digit"),
        }
    }
    let s = s.as_bytes();
    assert!(s.len() == 64);
    let mut out = [0u8; 32];
    let mut i = 0;
    while i < 32 {
        out[i] = (nibble(s[2 * i]) << 4) | nibble(s[2 * i + 1]);
        i += 1;
    }
    out
}

/// x^(p-2) = x^-1 by square-and-multiply. The exponent is public, so branching on its bits is
/// fine; the base is secret and only ever goes through `mul`.
fn invert(x: &FieldElement) -> FieldElement {
    let mut acc = FieldElement::from_bytes(&Secret::new(ONE));
    for bit in (0..255).rev() {
        acc = mul(&acc, &acc);
        if (P_MINUS_2[bit / 8] >> (bit % 8)) & 1 == 1 {
            acc = mul(&acc, x);
        }
    }
    acc
}

#[entry]
fn main() -> ! {
    let mut report = Report::new("field_mul");

    for v in &VECTORS {
        let a = FieldElement::from_bytes(&Secret::new(v.a));
        let b = FieldElement::from_bytes(&Secret::new(v.b));
        let product = mul(&a, &b).to_bytes();
        report.check(v.what, product.ct_eq_public(&v.product).declassify());
    }

    // a · a^(p-2) = 1 for the random a: 255 squarings and 253 multiplies chained (p - 2 has 253
    // one bits), so a carry bug anywhere in `mul` shows up here even if the products above pass.
    let a = FieldElement::from_bytes(&Secret::new(VECTORS[6].a));
    let one = mul(&a, &invert(&a)).to_bytes();
    report.check(
        "a * a^(p-2) = 1 (Fermat inverse: 255 squarings, 253 multiplies)",
        one.ct_eq_public(&ONE).declassify(),
    );

    // Single 64×64→128 products through `Secret<u128>` (on Cortex-M3 secret-core's long-multiply
    // replacement) against plain `u128` products: corner operands, two pairs for which a carry
    // reaches the top word in the replacement's last steps (about 1 in 100,000 random pairs,
    // so the field multiplies above may never take it), and a pseudo-random walk.
    let mut wide_ok = true;
    let mut wide = |a: u64, b: u64| {
        let secret = Secret::new(a).cast::<u128>() * Secret::new(b).cast::<u128>();
        wide_ok &= secret.declassify() == u128::from(a) * u128::from(b);
    };
    for (a, b) in WIDE_PRODUCTS {
        wide(a, b);
        wide(b, a);
    }
    let mut x = 0x9e37_79b9_7f4a_7c15u64;
    for _ in 0..2000 {
        let a = x;
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        wide(a, x);
    }
    report.check(
        "64x64->128 products through Secret<u128> = plain u128 products (corners, rare carries, 2000 random)",
        wide_ok,
    );

    report.finish()
}

/// Operand pairs for the single 64×64→128 products.
const WIDE_PRODUCTS: [(u64, u64); 6] = [
    (u64::MAX, u64::MAX),
    (u64::MAX, 1),
    (0xffff_0000_ffff_0000, 0x0000_ffff_0000_ffff),
    (1 << 63, (1 << 63) + 1),
    (0x1197_80a6_1cb0_64e4, 0x0953_cf73_a0d9_1bf6),
    (0xbea6_7374_dc04_281b, 0xbc31_d9a9_2cb9_f2d9),
];
