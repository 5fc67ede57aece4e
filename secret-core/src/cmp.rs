//! [`CtEq`] and the constant-time comparisons of secrets.

use crate::int::CtInt;
use crate::mask::Mask;
use crate::plain::CtPlain;
use crate::{Secret, SecretBool};

/// Constant-time equality: the secret counterpart of `PartialEq`.
///
/// Implemented for every `Secret<T>` with `T: CtPlain` (integers, byte arrays, arrays of
/// integers), for [`SecretBool`], for arrays and slices of `CtEq` values, for
/// [`SecretOption`](crate::SecretOption), and by `#[derive(Secret)]`.
/// Implementations must look at every part of both values: no early exit, no branch.
///
/// Slices of different lengths compare unequal; their lengths are treated as public.
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be compared in constant time",
    note = "wrap the value in `secret_core::Secret` or derive `secret_core::Secret` for structs of secrets"
)]
pub trait CtEq {
    /// `self == other`, as a secret.
    fn ct_eq(&self, other: &Self) -> SecretBool;

    /// `self != other`, as a secret.
    #[inline(always)]
    fn ct_ne(&self, other: &Self) -> SecretBool {
        !self.ct_eq(other)
    }
}

mod sealed {
    pub trait Sealed {}
}

/// The other side of `Secret<T>`'s comparisons (`ct_eq`, `ct_ne`, `ct_lt`, `ct_le`, `ct_gt`,
/// `ct_ge`, `ct_min`, `ct_max`): another `Secret<T>`, and nothing else.
///
/// Sealed and implemented only for `Secret<T>`. It exists so that comparing with a public
/// value (`x.ct_eq(&0)`) fails with a message that names the `_public` form
/// (`x.ct_eq_public(&0)`) instead of a bare type mismatch.
#[diagnostic::on_unimplemented(
    message = "`{Self}` is not a `Secret<{T}>`: `ct_eq`, `ct_lt`, ... compare two secrets of the same type",
    label = "expected `&Secret<{T}>`",
    note = "to compare with a public value use the `_public` form: `ct_eq_public(&x)`, `ct_ne_public`, `ct_lt_public`, `ct_le_public`, `ct_gt_public`, `ct_ge_public`, `ct_min_public`, `ct_max_public`",
    note = "a secret of another integer type converts with `.cast::<{T}>()`"
)]
pub trait SecretOperand<T: CtPlain>: sealed::Sealed {
    #[doc(hidden)]
    fn __value(&self) -> &T;
}

impl<T: CtPlain> sealed::Sealed for Secret<T> {}

impl<T: CtPlain> SecretOperand<T> for Secret<T> {
    #[inline(always)]
    fn __value(&self) -> &T {
        &self.value
    }
}

impl<T: CtPlain> Secret<T> {
    /// `self == other`, compared without branching (byte arrays a machine word at a time).
    /// `other` is a `&Secret<T>` ([`SecretOperand`]); for a public value, `ct_eq_public`.
    #[inline(always)]
    pub fn ct_eq<S: SecretOperand<T>>(&self, other: &S) -> SecretBool {
        SecretBool::from_mask(T::__eq(&self.value, other.__value()))
    }

    /// `self != other`, compared without branching.
    #[inline(always)]
    pub fn ct_ne<S: SecretOperand<T>>(&self, other: &S) -> SecretBool {
        SecretBool::from_mask(T::__eq(&self.value, other.__value()).not())
    }

    /// `self == other` for a public `other` of the same type (a received MAC tag, a constant:
    /// `x.ct_eq_public(&0)`). See "Public operands" in the crate docs.
    #[inline(always)]
    pub fn ct_eq_public(&self, other: &T) -> SecretBool {
        SecretBool::from_mask(T::__eq(&self.value, other))
    }

    /// `self != other` for a public `other` of the same type.
    #[inline(always)]
    pub fn ct_ne_public(&self, other: &T) -> SecretBool {
        SecretBool::from_mask(T::__eq(&self.value, other).not())
    }

    /// Whether the value is all zero bits, as a secret (for arrays: every element zero).
    #[inline(always)]
    pub fn ct_is_zero(&self) -> SecretBool {
        self.ct_eq_public(&T::ZERO)
    }
}

impl<T: CtPlain> CtEq for Secret<T> {
    #[inline(always)]
    fn ct_eq(&self, other: &Self) -> SecretBool {
        Secret::<T>::ct_eq(self, other)
    }
    #[inline(always)]
    fn ct_ne(&self, other: &Self) -> SecretBool {
        Secret::<T>::ct_ne(self, other)
    }
}

impl CtEq for SecretBool {
    #[inline(always)]
    fn ct_eq(&self, other: &Self) -> SecretBool {
        !(self ^ other)
    }
}

impl<T: CtEq> CtEq for [T] {
    fn ct_eq(&self, other: &Self) -> SecretBool {
        let mut acc = SecretBool::new(self.len() == other.len());
        for (a, b) in self.iter().zip(other) {
            acc &= a.ct_eq(b);
        }
        acc
    }
}

macro_rules! tuple_ct_eq {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: CtEq),+> CtEq for ($($name,)+) {
            /// Every element is compared; the results are ANDed (no short circuit).
            #[inline]
            fn ct_eq(&self, other: &Self) -> SecretBool {
                let mut acc = SecretBool::new(true);
                $(acc &= self.$idx.ct_eq(&other.$idx);)+
                acc
            }
        }
    };
}

tuple_ct_eq!(A 0, B 1);
tuple_ct_eq!(A 0, B 1, C 2);
tuple_ct_eq!(A 0, B 1, C 2, D 3);

impl<T: CtEq, const N: usize> CtEq for [T; N] {
    #[inline]
    fn ct_eq(&self, other: &Self) -> SecretBool {
        self[..].ct_eq(&other[..])
    }
}

/// `a < b` on the unsigned twin, with the sign bit flipped first for signed types.
#[inline(always)]
fn lt<T: crate::word::Int>(a: T, b: T) -> Mask {
    use crate::word::Unsigned;
    let flip = if T::SIGNED {
        T::U::ONE << (T::U::BITS - 1)
    } else {
        T::U::ZERO
    };
    Mask::lt(a.to_u() ^ flip, b.to_u() ^ flip)
}

impl<T: CtInt> Secret<T> {
    /// `self < other` (signed types compare signed), without branching. `other` is a
    /// `&Secret<T>`; for a public value, `ct_lt_public`.
    #[inline(always)]
    pub fn ct_lt<S: SecretOperand<T>>(&self, other: &S) -> SecretBool {
        self.ct_lt_public(other.__value())
    }
    /// `self <= other`, without branching.
    #[inline(always)]
    pub fn ct_le<S: SecretOperand<T>>(&self, other: &S) -> SecretBool {
        self.ct_le_public(other.__value())
    }
    /// `self > other`, without branching.
    #[inline(always)]
    pub fn ct_gt<S: SecretOperand<T>>(&self, other: &S) -> SecretBool {
        self.ct_gt_public(other.__value())
    }
    /// `self >= other`, without branching.
    #[inline(always)]
    pub fn ct_ge<S: SecretOperand<T>>(&self, other: &S) -> SecretBool {
        self.ct_ge_public(other.__value())
    }
    /// The smaller of the two, without branching.
    #[inline(always)]
    pub fn ct_min<S: SecretOperand<T>>(&self, other: &S) -> Self {
        self.ct_min_public(other.__value())
    }
    /// The larger of the two, without branching.
    #[inline(always)]
    pub fn ct_max<S: SecretOperand<T>>(&self, other: &S) -> Self {
        self.ct_max_public(other.__value())
    }

    /// `self < other` for a public `other` (`g4.ct_lt_public(&(1 << 26))`), without branching.
    #[inline(always)]
    pub fn ct_lt_public(&self, other: &T) -> SecretBool {
        SecretBool::from_mask(lt(self.value, *other))
    }
    /// `self <= other` for a public `other`, without branching.
    #[inline(always)]
    pub fn ct_le_public(&self, other: &T) -> SecretBool {
        SecretBool::from_mask(lt(*other, self.value).not())
    }
    /// `self > other` for a public `other`, without branching.
    #[inline(always)]
    pub fn ct_gt_public(&self, other: &T) -> SecretBool {
        SecretBool::from_mask(lt(*other, self.value))
    }
    /// `self >= other` for a public `other`, without branching.
    #[inline(always)]
    pub fn ct_ge_public(&self, other: &T) -> SecretBool {
        SecretBool::from_mask(lt(self.value, *other).not())
    }
    /// The smaller of `self` and a public `other` (a clamp), as a secret, without branching.
    #[inline(always)]
    pub fn ct_min_public(&self, other: &T) -> Self {
        let m = lt(self.value, *other);
        Secret::from_raw(T::__select(m, &self.value, other))
    }
    /// The larger of `self` and a public `other`, as a secret, without branching.
    #[inline(always)]
    pub fn ct_max_public(&self, other: &T) -> Self {
        let m = lt(self.value, *other);
        Secret::from_raw(T::__select(m, other, &self.value))
    }
}

impl<T: CtInt> subtle::ConstantTimeGreater for Secret<T> {
    #[inline(always)]
    fn ct_gt(&self, other: &Self) -> subtle::Choice {
        Secret::<T>::ct_gt(self, other).into()
    }
}

impl<T: CtInt> subtle::ConstantTimeLess for Secret<T> {}
