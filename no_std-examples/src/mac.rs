//! A keyed MAC of the shape firmware writes by hand: a Chaskey-like permutation of a 4-word
//! state (add, rotate, xor on 32-bit words), the message XORed in 4 words at a time, the key
//! XORed in before and after. It is the `perf` firmware's "MAC" workload, in four versions that
//! compute the same tag: on `Secret<u32>` and on `u32`, each with the state in local variables
//! and with the state in a `[_; 4]` array updated through `&mut`. The secret state behind
//! `&mut` is written twice: updated in place (`v1.rotate_left_assign(5)`, the form
//! secret-core's guide recommends there) and by assignment (`*v1 = v1.rotate_left(5)`, which
//! drops, and so wipes, the old value in memory first), to measure what that costs.
//!
//! Not a vetted MAC (no padding, no subkeys, a fixed message length): a workload whose code
//! shape matters, checked against its plain twin.

use secret_core::Secret;

/// Message words per MAC: four blocks of four.
pub const MESSAGE_WORDS: usize = 16;
/// Permutation rounds per block.
const ROUNDS: usize = 8;

/// One round on `Secret<u32>` places (locals or `*v` through `&mut`).
macro_rules! round_secret {
    ($v0:expr, $v1:expr, $v2:expr, $v3:expr) => {
        $v0 += &$v1;
        $v1 = $v1.rotate_left(5);
        $v1 ^= &$v0;
        $v0 = $v0.rotate_left(16);
        $v2 += &$v3;
        $v3 = $v3.rotate_left(8);
        $v3 ^= &$v2;
        $v0 += &$v3;
        $v3 = $v3.rotate_left(13);
        $v3 ^= &$v0;
        $v2 += &$v1;
        $v1 = $v1.rotate_left(7);
        $v1 ^= &$v2;
        $v2 = $v2.rotate_left(16);
    };
}

/// The same round on `Secret<u32>` places updated in place: compound assignments and
/// `rotate_left_assign`, never a new `Secret` assigned over an old one.
macro_rules! round_secret_in_place {
    ($v0:expr, $v1:expr, $v2:expr, $v3:expr) => {
        $v0 += &$v1;
        $v1.rotate_left_assign(5);
        $v1 ^= &$v0;
        $v0.rotate_left_assign(16);
        $v2 += &$v3;
        $v3.rotate_left_assign(8);
        $v3 ^= &$v2;
        $v0 += &$v3;
        $v3.rotate_left_assign(13);
        $v3 ^= &$v0;
        $v2 += &$v1;
        $v1.rotate_left_assign(7);
        $v1 ^= &$v2;
        $v2.rotate_left_assign(16);
    };
}

/// The same round on `u32` places.
macro_rules! round_plain {
    ($v0:expr, $v1:expr, $v2:expr, $v3:expr) => {
        $v0 = $v0.wrapping_add($v1);
        $v1 = $v1.rotate_left(5);
        $v1 ^= $v0;
        $v0 = $v0.rotate_left(16);
        $v2 = $v2.wrapping_add($v3);
        $v3 = $v3.rotate_left(8);
        $v3 ^= $v2;
        $v0 = $v0.wrapping_add($v3);
        $v3 = $v3.rotate_left(13);
        $v3 ^= $v0;
        $v2 = $v2.wrapping_add($v1);
        $v1 = $v1.rotate_left(7);
        $v1 ^= $v2;
        $v2 = $v2.rotate_left(16);
    };
}

/// The state behind `&mut` (`state` starts as the key), updated in place: absorbs `message`,
/// finalizes with `key`.
#[inline(always)]
pub fn mac_mut_secret(
    state: &mut [Secret<u32>; 4],
    key: &[Secret<u32>; 4],
    message: &[u32; MESSAGE_WORDS],
) {
    for block in message.chunks_exact(4) {
        for (v, m) in state.iter_mut().zip(block) {
            *v ^= *m;
        }
        let [v0, v1, v2, v3] = &mut *state;
        for _ in 0..ROUNDS {
            round_secret_in_place!(*v0, *v1, *v2, *v3);
        }
    }
    for (v, k) in state.iter_mut().zip(key) {
        *v ^= k;
    }
}

/// [`mac_mut_secret`] with every rotation written as an assignment, `*v1 = v1.rotate_left(5)`:
/// each one drops the old `Secret` in memory (a zero store kept by a fence) before the new
/// value is stored.
#[inline(always)]
pub fn mac_reassign_secret(
    state: &mut [Secret<u32>; 4],
    key: &[Secret<u32>; 4],
    message: &[u32; MESSAGE_WORDS],
) {
    for block in message.chunks_exact(4) {
        for (v, m) in state.iter_mut().zip(block) {
            *v ^= *m;
        }
        let [v0, v1, v2, v3] = &mut *state;
        for _ in 0..ROUNDS {
            round_secret!(*v0, *v1, *v2, *v3);
        }
    }
    for (v, k) in state.iter_mut().zip(key) {
        *v ^= k;
    }
}

/// [`mac_mut_secret`] and [`mac_reassign_secret`] on `u32`.
#[inline(always)]
pub fn mac_mut_plain(state: &mut [u32; 4], key: &[u32; 4], message: &[u32; MESSAGE_WORDS]) {
    for block in message.chunks_exact(4) {
        for (v, m) in state.iter_mut().zip(block) {
            *v ^= *m;
        }
        let [v0, v1, v2, v3] = &mut *state;
        for _ in 0..ROUNDS {
            round_plain!(*v0, *v1, *v2, *v3);
        }
    }
    for (v, k) in state.iter_mut().zip(key) {
        *v ^= k;
    }
}

/// The state in four local variables; returns the tag.
#[inline(always)]
pub fn mac_locals_secret(
    key: &[Secret<u32>; 4],
    message: &[u32; MESSAGE_WORDS],
) -> [Secret<u32>; 4] {
    // Word by word: core's `clone()` of the whole array stays an out-of-line call at
    // opt-level "z".
    let [mut v0, mut v1, mut v2, mut v3] = [
        key[0].clone(),
        key[1].clone(),
        key[2].clone(),
        key[3].clone(),
    ];
    for block in message.chunks_exact(4) {
        v0 ^= block[0];
        v1 ^= block[1];
        v2 ^= block[2];
        v3 ^= block[3];
        for _ in 0..ROUNDS {
            round_secret!(v0, v1, v2, v3);
        }
    }
    v0 ^= &key[0];
    v1 ^= &key[1];
    v2 ^= &key[2];
    v3 ^= &key[3];
    [v0, v1, v2, v3]
}

/// [`mac_locals_secret`] on `u32`.
#[inline(always)]
pub fn mac_locals_plain(key: &[u32; 4], message: &[u32; MESSAGE_WORDS]) -> [u32; 4] {
    let [mut v0, mut v1, mut v2, mut v3] = *key;
    for block in message.chunks_exact(4) {
        v0 ^= block[0];
        v1 ^= block[1];
        v2 ^= block[2];
        v3 ^= block[3];
        for _ in 0..ROUNDS {
            round_plain!(v0, v1, v2, v3);
        }
    }
    [v0 ^ key[0], v1 ^ key[1], v2 ^ key[2], v3 ^ key[3]]
}
