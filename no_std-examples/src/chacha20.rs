//! The ChaCha20 block function (RFC 8439 §2.3) on `Secret<u32>` words.
//!
//! Written the way the RFC writes it: `a += b; d ^= a; d <<<= 16; ...`, every step in place
//! (`+=`, `^=`, `rotate_left_assign`) since the words are behind `&mut`: an assignment
//! `*d = d.rotate_left(16)` would drop, and so wipe, the old word first (see secret-core's
//! guide, "State behind `&mut`"). Every operator on a `Secret<u32>` wraps (no overflow check,
//! which would be a branch on a secret) and the result stays secret; a rotation by a public
//! constant is one rotate (or a rotated operand) on every Cortex-M. Additions, XORs and
//! rotations take the same time for every value on M0, M3, M4 and M33, so the block function
//! is constant-time by construction: no branch, no table, no multiply.

use secret_core::Secret;

/// "expand 32-byte k", the first row of the state.
pub const CONSTANTS: [u32; 4] = [0x6170_7865, 0x3320_646e, 0x7962_2d32, 0x6b20_6574];

/// The quarter round of RFC 8439 §2.1, on four distinct state words.
#[inline(always)]
fn quarter_round(
    a: &mut Secret<u32>,
    b: &mut Secret<u32>,
    c: &mut Secret<u32>,
    d: &mut Secret<u32>,
) {
    *a += &*b;
    *d ^= &*a;
    d.rotate_left_assign(16);
    *c += &*d;
    *b ^= &*c;
    b.rotate_left_assign(12);
    *a += &*b;
    *d ^= &*a;
    d.rotate_left_assign(8);
    *c += &*d;
    *b ^= &*c;
    b.rotate_left_assign(7);
}

/// The initial state (RFC 8439 §2.3): constants, key, block counter, nonce.
///
/// The counter and the nonce are public, but they are mixed with the key in every round, so
/// they are classified too (`Secret::new`): a state word is a `Secret<u32>` whatever its origin.
pub fn initial_state(key: &Secret<[u8; 32]>, counter: u32, nonce: &[u8; 12]) -> [Secret<u32>; 16] {
    core::array::from_fn(|i| match i {
        0..=3 => Secret::new(CONSTANTS[i]),
        4..=11 => Secret::<u32>::from_le_bytes(&key.sub_array::<4>(4 * (i - 4))),
        12 => Secret::new(counter),
        _ => {
            let n = 4 * (i - 13);
            Secret::new(u32::from_le_bytes([
                nonce[n],
                nonce[n + 1],
                nonce[n + 2],
                nonce[n + 3],
            ]))
        }
    })
}

/// One 64-byte keystream block: 20 rounds (10 column + diagonal double rounds), then the
/// input state is added word by word and serialized little-endian.
#[inline(never)]
pub fn block(key: &Secret<[u8; 32]>, counter: u32, nonce: &[u8; 12]) -> Secret<[u8; 64]> {
    let state = initial_state(key, counter, nonce);
    let mut working = state.clone();
    {
        let [x0, x1, x2, x3, x4, x5, x6, x7, x8, x9, x10, x11, x12, x13, x14, x15] = &mut working;
        for _ in 0..10 {
            // Column round.
            quarter_round(x0, x4, x8, x12);
            quarter_round(x1, x5, x9, x13);
            quarter_round(x2, x6, x10, x14);
            quarter_round(x3, x7, x11, x15);
            // Diagonal round.
            quarter_round(x0, x5, x10, x15);
            quarter_round(x1, x6, x11, x12);
            quarter_round(x2, x7, x8, x13);
            quarter_round(x3, x4, x9, x14);
        }
    }
    let mut out = Secret::new([0u8; 64]);
    for (i, (w, s)) in working.iter_mut().zip(&state).enumerate() {
        *w += s;
        out.set_sub_array(4 * i, &w.to_le_bytes());
    }
    // `state` and `working` are dropped (and wiped) here.
    out
}
