//! Interoperation with `subtle`: conversions and subtle's traits where their bounds allow.
//!
//! `subtle::ConditionallySelectable` requires `Copy`, which `Secret` deliberately is not, so
//! it is not implemented; use [`CtSelect`](crate::CtSelect). `ConstantTimeEq`,
//! `ConstantTimeGreater` and `ConstantTimeLess` are implemented (the last two in `cmp.rs`,
//! for every `CtInt`), and `SecretBool` converts to and from `subtle::Choice`.

use crate::mask::Mask;
use crate::plain::CtPlain;
use crate::{Secret, SecretBool};

impl From<subtle::Choice> for SecretBool {
    /// A `Choice` (0 or 1) as a full-width secret mask.
    #[inline(always)]
    fn from(choice: subtle::Choice) -> Self {
        SecretBool::from_mask(Mask::from_bit(choice.unwrap_u8() as usize & 1))
    }
}

impl From<SecretBool> for subtle::Choice {
    /// The mask's low bit as a `Choice` (which `subtle` keeps behind its own barrier).
    #[inline(always)]
    fn from(b: SecretBool) -> Self {
        subtle::Choice::from((b.mask().word() & 1) as u8)
    }
}

impl<T: CtPlain> subtle::ConstantTimeEq for Secret<T> {
    #[inline(always)]
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        Secret::<T>::ct_eq(self, other).into()
    }
}

impl subtle::ConstantTimeEq for SecretBool {
    #[inline(always)]
    fn ct_eq(&self, other: &Self) -> subtle::Choice {
        crate::CtEq::ct_eq(self, other).into()
    }
}
