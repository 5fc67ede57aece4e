//! [`SecretOption`]: an optional value whose presence is itself secret.

use crate::{CtEq, CtSelect, SecretBool};
use core::fmt;

/// A value together with a secret "is it there" flag: subtle's `CtOption`, without the
/// `Default` and `Copy` bounds.
///
/// Every combinator runs its closure unconditionally (on a placeholder value when the option
/// is none), so no branch depends on the secret flag. Use it where an operation can fail
/// secretly: a field inversion of zero, a point decompression, a padding check.
///
/// ```
/// use secret_core::{Secret, SecretBool, SecretOption};
/// let x = SecretOption::new(Secret::new(41u32), SecretBool::new(true));
/// let y = x.map(|v| v + 1);
/// assert_eq!(y.unwrap_or(Secret::new(0)).declassify(), 42);
/// let none = SecretOption::new(Secret::new(41u32), SecretBool::new(false));
/// assert!(none.declassify().is_none());
/// ```
pub struct SecretOption<T> {
    value: T,
    is_some: SecretBool,
}

impl<T> SecretOption<T> {
    /// A value and whether it is present. When `is_some` is false, `value` is a placeholder
    /// that closures may still see (they run unconditionally).
    #[inline(always)]
    pub fn new(value: T, is_some: SecretBool) -> Self {
        SecretOption { value, is_some }
    }

    /// Whether a value is present, as a secret.
    #[inline(always)]
    pub fn is_some(&self) -> SecretBool {
        self.is_some.clone()
    }

    /// Whether no value is present, as a secret.
    #[inline(always)]
    pub fn is_none(&self) -> SecretBool {
        !&self.is_some
    }

    /// The value, or `default` when none, chosen without branching.
    #[inline]
    pub fn unwrap_or(self, default: T) -> T
    where
        T: CtSelect,
    {
        T::ct_select(&self.is_some, &self.value, &default)
    }

    /// The value, or `f()` when none; `f` always runs.
    #[inline]
    pub fn unwrap_or_else<F: FnOnce() -> T>(self, f: F) -> T
    where
        T: CtSelect,
    {
        let default = f();
        self.unwrap_or(default)
    }

    /// Applies `f` to the value, **always** (also to the placeholder of a none).
    #[inline]
    pub fn map<U, F: FnOnce(T) -> U>(self, f: F) -> SecretOption<U> {
        SecretOption {
            value: f(self.value),
            is_some: self.is_some,
        }
    }

    /// Chains a fallible step; `f` **always** runs. The result is some only if both are.
    #[inline]
    pub fn and_then<U, F: FnOnce(T) -> SecretOption<U>>(self, f: F) -> SecretOption<U> {
        let next = f(self.value);
        SecretOption {
            value: next.value,
            is_some: self.is_some & next.is_some,
        }
    }

    /// `self` if some, otherwise `other`, chosen without branching.
    #[inline]
    pub fn or(self, other: SecretOption<T>) -> SecretOption<T>
    where
        T: CtSelect,
    {
        SecretOption {
            value: T::ct_select(&self.is_some, &self.value, &other.value),
            is_some: self.is_some | other.is_some,
        }
    }

    /// Keeps the value only if `predicate` (which always runs) holds.
    #[inline]
    pub fn filter<P: FnOnce(&T) -> SecretBool>(self, predicate: P) -> SecretOption<T> {
        let keep = predicate(&self.value);
        SecretOption {
            value: self.value,
            is_some: self.is_some & keep,
        }
    }

    /// Declassifies the flag: `Some(value)` or `None`. The value itself stays as it is (a
    /// `Secret` stays secret inside the `Option`).
    ///
    /// The choice between `Some` and `None` is a branch here, so `cargo ct-verify` sees the
    /// flag as public from this call on: it does not check how the caller uses the `Option`
    /// (it does for `opt.is_some().declassify()`).
    #[inline]
    pub fn declassify(self) -> Option<T> {
        if self.is_some.declassify_internal() {
            Some(self.value)
        } else {
            None
        }
    }
}

impl<T: Clone> Clone for SecretOption<T> {
    fn clone(&self) -> Self {
        SecretOption {
            value: self.value.clone(),
            is_some: self.is_some.clone(),
        }
    }
}

impl<T> fmt::Debug for SecretOption<T> {
    /// Shows neither the value nor whether it is present.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "SecretOption<{}>(<redacted>)",
            core::any::type_name::<T>()
        )
    }
}

impl<T: zeroize::Zeroize> zeroize::Zeroize for SecretOption<T> {
    /// Wipes the value and the flag (which then reads "none").
    fn zeroize(&mut self) {
        self.value.zeroize();
        self.is_some.zeroize();
    }
}

/// Both fields wipe themselves when dropped: the flag always, the value when `T` does.
impl<T: zeroize::ZeroizeOnDrop> zeroize::ZeroizeOnDrop for SecretOption<T> {}

impl<T: CtSelect> CtSelect for SecretOption<T> {
    #[inline]
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
        SecretOption {
            value: T::ct_select(cond, &if_true.value, &if_false.value),
            is_some: SecretBool::ct_select(cond, &if_true.is_some, &if_false.is_some),
        }
    }
}

impl<T: CtEq> CtEq for SecretOption<T> {
    /// Equal when both are none, or both are some with equal values.
    #[inline]
    fn ct_eq(&self, other: &Self) -> SecretBool {
        let both_some = &self.is_some & &other.is_some;
        let both_none = !(&self.is_some | &other.is_some);
        (both_some & self.value.ct_eq(&other.value)) | both_none
    }
}

impl<T> From<SecretOption<T>> for subtle::CtOption<T> {
    #[inline]
    fn from(option: SecretOption<T>) -> Self {
        subtle::CtOption::new(option.value, option.is_some.into())
    }
}

impl<T: subtle::ConditionallySelectable + Default> From<subtle::CtOption<T>> for SecretOption<T> {
    #[inline]
    fn from(option: subtle::CtOption<T>) -> Self {
        let is_some = SecretBool::from(option.is_some());
        SecretOption {
            value: option.unwrap_or(T::default()),
            is_some,
        }
    }
}
