//! [`SecretBool`]: a secret truth value, stored as a full-width mask.

use crate::mask::Mask;
use crate::taint;
use core::fmt;
use core::ops::{BitAnd, BitAndAssign, BitOr, BitOrAssign, BitXor, BitXorAssign, Not};
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret boolean: the result of every constant-time comparison.
///
/// It is a machine word that is all ones (true) or all zeros (false), so
/// [`select`](SecretBool::select) is one AND and one XOR, with no shift or negation on the way.
/// It cannot be used in `if` (it is not a `bool`), is not `Copy`, prints as
/// `SecretBool(<redacted>)` and is zeroed on drop. [`declassify`](SecretBool::declassify) is the
/// only way to a `bool`.
///
/// ```
/// use secret_core::{Secret, SecretBool};
/// let a = Secret::new(7u8);
/// let b = Secret::new(9u8);
/// let smaller = a.ct_lt(&b).select(&a, &b);
/// assert_eq!(smaller.declassify(), 7);
/// assert!((a.ct_lt(&b) & !a.ct_eq(&b)).declassify());
/// ```
pub struct SecretBool {
    mask: Mask,
}

impl SecretBool {
    /// A secret truth value from a public one: all ones for `true`. With the `taint` feature
    /// (or under `cargo ct-verify`) valgrind treats it as secret from here on.
    #[inline(always)]
    pub fn new(value: bool) -> Self {
        let b = SecretBool {
            mask: Mask::from_bool(value),
        };
        taint::classify(&b.mask);
        b
    }

    #[inline(always)]
    pub(crate) fn from_mask(mask: Mask) -> Self {
        SecretBool { mask }
    }

    #[inline(always)]
    pub(crate) fn mask(&self) -> Mask {
        self.mask
    }

    /// Declassifies: the plain `bool`. The only way out.
    #[inline(always)]
    pub fn declassify(self) -> bool {
        // The value becomes public: nothing to wipe.
        let mask = core::mem::ManuallyDrop::new(self).mask;
        taint::declassify(&mask);
        mask.reveal()
    }

    /// Declassifies for a branch inside secret-core that is the publication itself (see
    /// `taint::declassify_internal`).
    #[inline(always)]
    pub(crate) fn declassify_internal(self) -> bool {
        let mask = core::mem::ManuallyDrop::new(self).mask;
        taint::declassify_internal(&mask);
        mask.reveal()
    }
}

impl Clone for SecretBool {
    #[inline(always)]
    fn clone(&self) -> Self {
        SecretBool { mask: self.mask }
    }
}

impl Zeroize for SecretBool {
    #[inline(always)]
    fn zeroize(&mut self) {
        self.mask.wipe();
    }
}

impl Drop for SecretBool {
    /// Zeroes the mask wherever it is in memory, for free when it only lives in a register
    /// (the same design as `Secret`'s drop; see the crate docs, "Cost").
    #[inline(always)]
    fn drop(&mut self) {
        self.mask.erase();
    }
}

impl ZeroizeOnDrop for SecretBool {}

impl fmt::Debug for SecretBool {
    /// Never shows the value.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("SecretBool(<redacted>)")
    }
}

impl Not for SecretBool {
    type Output = SecretBool;
    #[inline(always)]
    fn not(mut self) -> SecretBool {
        self.mask = self.mask.not();
        self
    }
}

impl Not for &SecretBool {
    type Output = SecretBool;
    #[inline(always)]
    fn not(self) -> SecretBool {
        SecretBool::from_mask(self.mask.not())
    }
}

macro_rules! bool_binop {
    ($($trait:ident $method:ident $assign_trait:ident $assign_method:ident $op:ident),*) => {$(
        impl $trait<SecretBool> for SecretBool {
            type Output = SecretBool;
            #[inline(always)]
            fn $method(mut self, rhs: SecretBool) -> SecretBool {
                self.mask = self.mask.$op(rhs.mask);
                self
            }
        }
        impl $trait<&SecretBool> for SecretBool {
            type Output = SecretBool;
            #[inline(always)]
            fn $method(mut self, rhs: &SecretBool) -> SecretBool {
                self.mask = self.mask.$op(rhs.mask);
                self
            }
        }
        impl $trait<SecretBool> for &SecretBool {
            type Output = SecretBool;
            #[inline(always)]
            fn $method(self, mut rhs: SecretBool) -> SecretBool {
                rhs.mask = self.mask.$op(rhs.mask);
                rhs
            }
        }
        impl $trait<&SecretBool> for &SecretBool {
            type Output = SecretBool;
            #[inline(always)]
            fn $method(self, rhs: &SecretBool) -> SecretBool {
                SecretBool::from_mask(self.mask.$op(rhs.mask))
            }
        }
        impl $assign_trait<SecretBool> for SecretBool {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: SecretBool) {
                self.mask = self.mask.$op(rhs.mask);
            }
        }
        impl $assign_trait<&SecretBool> for SecretBool {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: &SecretBool) {
                self.mask = self.mask.$op(rhs.mask);
            }
        }
    )*};
}

bool_binop!(
    BitAnd bitand BitAndAssign bitand_assign and,
    BitOr bitor BitOrAssign bitor_assign or,
    BitXor bitxor BitXorAssign bitxor_assign xor
);
