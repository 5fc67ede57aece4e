//! Rotations, and shifts and rotations by a *secret* amount.
//!
//! A shift by a secret amount must not become a branch (`if n >= 32` in the 64-bit shift
//! helpers of 32-bit targets) or a table index. The secret-amount methods are barrel shifters:
//! one stage per bit of the amount, each stage a masked select between "shifted by 2^k" and
//! "not shifted". `log2(BITS)` stages, the same work for every amount.

use crate::int::CtInt;
use crate::mask::Mask;
use crate::word::Unsigned;
use crate::Secret;

/// Applies `step(x, 2^k)` for each set bit `k` of `amount mod BITS`, branch-free.
#[inline(always)]
fn barrel<U: Unsigned>(mut x: U, amount: u32, step: impl Fn(U, u32) -> U) -> U {
    let mut stage = 1;
    while stage < U::BITS {
        // Bit k of the secret amount, by shift and mask (no comparison), then a fenced mask.
        x = Mask::from_bit(bit_of(amount, stage)).select(step(x, stage), x);
        stage <<= 1;
    }
    x
}

/// `(amount >> log2(stage)) & 1` without a comparison.
#[inline(always)]
fn bit_of(amount: u32, stage: u32) -> usize {
    ((amount & stage) >> stage.trailing_zeros()) as usize
}

impl<T: CtInt> Secret<T> {
    /// Rotates left by a public amount (`rotate_left` semantics).
    #[inline(always)]
    pub fn rotate_left(&self, amount: u32) -> Self {
        Secret::from_raw(self.value.__rotate_left(amount))
    }
    /// Rotates right by a public amount.
    #[inline(always)]
    pub fn rotate_right(&self, amount: u32) -> Self {
        Secret::from_raw(self.value.__rotate_right(amount))
    }
    /// Rotates `self` left in place: what `*s = s.rotate_left(amount)` computes, without
    /// dropping the old value.
    ///
    /// Use it (like `+=`, `^=` and the other compound assignments, which also update in place)
    /// for a secret that lives in memory, such as state in an array or struct behind `&mut`:
    /// the assignment form drops the old `Secret` first, and that drop is a zero store kept by
    /// a fence, so the state goes through memory on every rotation. Here the new value simply
    /// overwrites the old one in the same bytes, so nothing of the old value is left to wipe.
    /// For a local the optimizer keeps in registers both forms compile to the same code. See
    /// [the guide](crate::guide#state-behind-mut-update-in-place).
    #[inline(always)]
    pub fn rotate_left_assign(&mut self, amount: u32) {
        self.value = self.value.__rotate_left(amount);
    }
    /// Rotates `self` right in place: `*s = s.rotate_right(amount)` without dropping the old
    /// value (see [`rotate_left_assign`](Secret::rotate_left_assign)).
    #[inline(always)]
    pub fn rotate_right_assign(&mut self, amount: u32) {
        self.value = self.value.__rotate_right(amount);
    }
    /// Shifts left by a secret amount, modulo the bit width (`wrapping_shl`), branch-free.
    #[inline]
    pub fn shl_secret(&self, amount: &Secret<u32>) -> Self {
        let u = barrel(self.value.to_u(), amount.value, |x, s| x << s);
        Secret::from_raw(T::from_u(u))
    }
    /// Shifts right by a secret amount, modulo the bit width (`wrapping_shr`; arithmetic for
    /// signed types), branch-free.
    #[inline]
    pub fn shr_secret(&self, amount: &Secret<u32>) -> Self {
        let u = barrel(self.value.to_u(), amount.value, |x, s| {
            (T::from_u(x) >> s).to_u()
        });
        Secret::from_raw(T::from_u(u))
    }
    /// Rotates left by a secret amount, modulo the bit width, branch-free.
    #[inline]
    pub fn rotate_left_secret(&self, amount: &Secret<u32>) -> Self {
        let u = barrel(self.value.to_u(), amount.value, |x, s| x.rotate_left(s));
        Secret::from_raw(T::from_u(u))
    }
    /// Rotates right by a secret amount, modulo the bit width, branch-free.
    #[inline]
    pub fn rotate_right_secret(&self, amount: &Secret<u32>) -> Self {
        let u = barrel(self.value.to_u(), amount.value, |x, s| x.rotate_right(s));
        Secret::from_raw(T::from_u(u))
    }
}
