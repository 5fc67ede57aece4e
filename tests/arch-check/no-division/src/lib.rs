//! secret-core's primitives, each behind a `#[no_mangle]` function that is not inlined, so
//! that `cargo xtask no-division` finds their code in the assembly and can tell which one
//! pulled in a division. `control_*` functions are the checker's controls.
#![no_std]

use secret_core::{ct_lookup, Secret, SecretBool};

/// A tag check as firmware writes it: 16 secret bytes against 16 received bytes.
#[no_mangle]
#[inline(never)]
pub fn tag_check(tag: &Secret<[u8; 16]>, received: &[u8; 16]) -> bool {
    tag.ct_eq_public(received).declassify()
}

/// Byte-array equality, a whole number of words.
#[no_mangle]
#[inline(never)]
pub fn ct_eq_bytes32(a: &Secret<[u8; 32]>, b: &Secret<[u8; 32]>) -> SecretBool {
    a.ct_eq(b)
}

/// Byte-array equality with a tail shorter than a word.
#[no_mangle]
#[inline(never)]
pub fn ct_eq_bytes13(a: &Secret<[u8; 13]>, b: &Secret<[u8; 13]>) -> SecretBool {
    a.ct_eq(b)
}

/// Equality of arrays of words.
#[no_mangle]
#[inline(never)]
pub fn ct_eq_u32x5(a: &Secret<[u32; 5]>, b: &Secret<[u32; 5]>) -> SecretBool {
    a.ct_eq(b)
}

/// Selection of byte arrays, whole words and a tail.
#[no_mangle]
#[inline(never)]
pub fn select_bytes35(
    cond: &SecretBool,
    a: &Secret<[u8; 35]>,
    b: &Secret<[u8; 35]>,
) -> Secret<[u8; 35]> {
    cond.select(a, b)
}

/// Table lookup at a secret index, words and bytes.
#[no_mangle]
#[inline(never)]
pub fn lookup_u32(table: &[u32; 256], index: &Secret<usize>) -> Secret<u32> {
    ct_lookup(table, index)
}

/// Table lookup in a byte table of a length that is not a multiple of 16.
#[no_mangle]
#[inline(never)]
pub fn lookup_u8(table: &[u8; 100], index: &Secret<usize>) -> Secret<u8> {
    ct_lookup(table, index)
}

/// Element of a secret array at a secret index.
#[no_mangle]
#[inline(never)]
pub fn ct_get_u64(array: &Secret<[u64; 8]>, index: &Secret<usize>) -> Secret<u64> {
    array.ct_get(index)
}

/// Comparisons of 32- and 64-bit words.
#[no_mangle]
#[inline(never)]
pub fn compare_u64(a: &Secret<u64>, b: &Secret<u64>) -> SecretBool {
    a.ct_lt(b) ^ a.ct_ge(b) ^ a.ct_eq(b) ^ a.ct_is_zero()
}

/// Comparisons of signed words.
#[no_mangle]
#[inline(never)]
pub fn compare_i32(a: &Secret<i32>, b: &Secret<i32>) -> SecretBool {
    a.ct_lt(b) ^ a.ct_gt(b) ^ a.ct_le(b) ^ a.ct_ne(b)
}

/// Division without a divider.
#[no_mangle]
#[inline(never)]
pub fn div_rem_u32(n: &Secret<u32>, d: &Secret<u32>) -> (Secret<u32>, Secret<u32>) {
    n.ct_div_rem(d)
}

/// Division without a divider, 64-bit.
#[no_mangle]
#[inline(never)]
pub fn div_rem_u64(n: &Secret<u64>, d: &Secret<u64>) -> (Secret<u64>, Secret<u64>) {
    n.ct_div_rem(d)
}

/// Shifts and rotations by secret amounts.
#[no_mangle]
#[inline(never)]
pub fn secret_shifts(a: &Secret<u32>, n: &Secret<u32>) -> Secret<u32> {
    a.shl_secret(n) ^ a.shr_secret(n) ^ a.rotate_left_secret(n)
}

/// Control: a division that the check must find (`udiv` on M4, `__aeabi_uidiv` on M0), else
/// it proves nothing.
#[no_mangle]
#[inline(never)]
pub fn control_division(n: u32, d: u32) -> u32 {
    n / d
}

/// Control: the word loop secret-core's byte compare used before (`chunks_exact` over slices
/// of run-time length), whose `len % 4` core computes with a division at "s" and "z".
#[no_mangle]
#[inline(never)]
pub fn control_chunks_exact(a: &[u8], b: &[u8]) -> usize {
    let mut acc = 0usize;
    let (wa, wb) = (a.chunks_exact(4), b.chunks_exact(4));
    let (ra, rb) = (wa.remainder(), wb.remainder());
    for (x, y) in wa.zip(wb) {
        acc |= usize::from_ne_bytes([x[0], x[1], x[2], x[3]])
            ^ usize::from_ne_bytes([y[0], y[1], y[2], y[3]]);
    }
    for (x, y) in ra.iter().zip(rb) {
        acc |= (x ^ y) as usize;
    }
    acc
}
