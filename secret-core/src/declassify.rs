//! [`Declassify`]: one name for "make this public" across secret types.

use crate::{Secret, SecretBool, SecretOption};
use zeroize::Zeroize;

/// A secret type with an explicit way out.
///
/// Implemented by [`Secret<T>`](struct@Secret) (gives `T`), [`SecretBool`] (gives `bool`), arrays of them, and
/// by structs deriving `Secret` with `#[secret(declassify = Plain)]`. Generic code and the
/// derive use it; in ordinary code call the inherent `declassify()` method. Every call is a
/// point where secret data becomes public: `cargo ct-verify --list-declassify` lists them.
pub trait Declassify {
    /// The public type the secret becomes.
    type Public;
    /// Gives up secrecy and returns the plain value.
    fn declassify(self) -> Self::Public;
}

impl<T: Zeroize> Declassify for Secret<T> {
    type Public = T;
    #[inline(always)]
    fn declassify(self) -> T {
        Secret::declassify(self)
    }
}

impl Declassify for SecretBool {
    type Public = bool;
    #[inline(always)]
    fn declassify(self) -> bool {
        SecretBool::declassify(self)
    }
}

impl<T: Declassify, const N: usize> Declassify for [T; N] {
    type Public = [T::Public; N];
    #[inline]
    fn declassify(self) -> Self::Public {
        self.map(Declassify::declassify)
    }
}

impl<T> Declassify for SecretOption<T> {
    type Public = Option<T>;
    #[inline]
    fn declassify(self) -> Option<T> {
        SecretOption::declassify(self)
    }
}

macro_rules! tuple_declassify {
    ($($name:ident $idx:tt),+) => {
        impl<$($name: Declassify),+> Declassify for ($($name,)+) {
            type Public = ($($name::Public,)+);
            #[inline]
            fn declassify(self) -> Self::Public {
                ($(self.$idx.declassify(),)+)
            }
        }
    };
}

tuple_declassify!(A 0, B 1);
tuple_declassify!(A 0, B 1, C 2);
tuple_declassify!(A 0, B 1, C 2, D 3);
