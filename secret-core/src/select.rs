//! [`CtSelect`]: choosing between two secrets by a secret condition, without `Copy`.

use crate::plain::CtPlain;
use crate::{Secret, SecretBool};
use zeroize::Zeroize;

/// Constant-time selection: `if cond { if_true } else { if_false }` with no branch and no
/// secret-dependent memory access.
///
/// Unlike `subtle::ConditionallySelectable` it has no `Copy` bound (subtle#94), so it works
/// for `Secret<T>` (which is deliberately not `Copy`), for arrays of secrets, for
/// [`SecretOption`](crate::SecretOption) and for structs deriving `Secret`.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be selected in constant time",
    note = "wrap the value in `secret_core::Secret` or derive `secret_core::Secret` for structs of secrets"
)]
pub trait CtSelect: Sized {
    /// Returns a copy of `if_true` when `cond` is true and of `if_false` otherwise.
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self;

    /// Swaps `a` and `b` when `cond` is true, without branching.
    #[inline]
    fn ct_swap(a: &mut Self, b: &mut Self, cond: &SecretBool) {
        let new_a = Self::ct_select(cond, b, a);
        let new_b = Self::ct_select(cond, a, b);
        *a = new_a;
        *b = new_b;
    }

    /// Overwrites `self` with `other` when `cond` is true, without branching.
    #[inline]
    fn ct_assign(&mut self, other: &Self, cond: &SecretBool) {
        *self = Self::ct_select(cond, other, self);
    }
}

impl<T: CtPlain> CtSelect for Secret<T> {
    #[inline(always)]
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
        Secret::from_raw(T::__select(cond.mask(), &if_true.value, &if_false.value))
    }

    /// In place: the new values overwrite the old ones (no drop of a replaced secret).
    #[inline(always)]
    fn ct_swap(a: &mut Self, b: &mut Self, cond: &SecretBool) {
        let mask = cond.mask();
        let new_a = T::__select(mask, &b.value, &a.value);
        let new_b = T::__select(mask, &a.value, &b.value);
        a.value = new_a;
        b.value = new_b;
    }

    /// In place: the selected value overwrites the old one.
    #[inline(always)]
    fn ct_assign(&mut self, other: &Self, cond: &SecretBool) {
        self.value = T::__select(cond.mask(), &other.value, &self.value);
    }
}

impl<T: Zeroize> Secret<T>
where
    Secret<T>: CtSelect,
{
    /// Swaps `a` and `b` when `swap` is true, without branching (the Montgomery-ladder step).
    ///
    /// ```
    /// use secret_core::{Secret, SecretBool};
    /// let (mut a, mut b) = (Secret::new(1u64), Secret::new(2u64));
    /// Secret::<u64>::conditional_swap(&mut a, &mut b, &SecretBool::new(true));
    /// assert_eq!((a.declassify(), b.declassify()), (2, 1));
    /// ```
    #[inline(always)]
    pub fn conditional_swap(a: &mut Self, b: &mut Self, swap: &SecretBool) {
        CtSelect::ct_swap(a, b, swap);
    }
}

impl SecretBool {
    /// `if self { if_true } else { if_false }`, computed without a branch or a secret index.
    #[inline(always)]
    pub fn select<T: CtSelect>(&self, if_true: &T, if_false: &T) -> T {
        T::ct_select(self, if_true, if_false)
    }

    /// [`select`](SecretBool::select) where either side, or both, may be a public `T`: each
    /// argument is a `&T` or a `&Secret<T>`, and the result is a `Secret<T>`.
    ///
    /// ```
    /// use secret_core::{Secret, SecretBool};
    /// let x = Secret::new(7u32);
    /// let clamped = x.ct_gt_public(&5).select_public(&5, &x); // min(x, 5)
    /// let bit = x.ct_eq_public(&7).select_public(&1u32, &0);  // both sides public
    /// assert_eq!((clamped.declassify(), bit.declassify()), (5, 1));
    /// ```
    #[inline(always)]
    pub fn select_public<T: CtPlain, A: SelectArm<T>, B: SelectArm<T>>(
        &self,
        if_true: &A,
        if_false: &B,
    ) -> Secret<T> {
        Secret::from_raw(T::__select(self.mask(), if_true.__arm(), if_false.__arm()))
    }
}

mod sealed {
    pub trait Sealed<T> {}
}

/// One side of [`SecretBool::select_public`]: a public `T` or a `Secret<T>` (sealed).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be a side of `select_public` producing `Secret<{T}>`",
    label = "expected a `&{T}` or a `&Secret<{T}>`",
    note = "both sides must hold the same type: convert a secret with `.cast::<{T}>()`"
)]
pub trait SelectArm<T: CtPlain>: sealed::Sealed<T> {
    #[doc(hidden)]
    fn __arm(&self) -> &T;
}

impl<T: CtPlain> sealed::Sealed<T> for T {}
impl<T: CtPlain> sealed::Sealed<T> for Secret<T> {}

impl<T: CtPlain> SelectArm<T> for T {
    #[inline(always)]
    fn __arm(&self) -> &T {
        self
    }
}

impl<T: CtPlain> SelectArm<T> for Secret<T> {
    #[inline(always)]
    fn __arm(&self) -> &T {
        &self.value
    }
}

impl CtSelect for SecretBool {
    #[inline(always)]
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
        SecretBool::from_mask(crate::mask::Mask::from_select(
            cond.mask(),
            if_true.mask(),
            if_false.mask(),
        ))
    }
}

impl<T: CtSelect, const N: usize> CtSelect for [T; N] {
    #[inline]
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
        core::array::from_fn(|i| T::ct_select(cond, &if_true[i], &if_false[i]))
    }
}

macro_rules! tuple_ct_select {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: CtSelect),+> CtSelect for ($($name,)+) {
            #[inline]
            fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
                ($($name::ct_select(cond, &if_true.$idx, &if_false.$idx),)+)
            }
        }
    };
}

tuple_ct_select!(A 0, B 1);
tuple_ct_select!(A 0, B 1, C 2);
tuple_ct_select!(A 0, B 1, C 2, D 3);
