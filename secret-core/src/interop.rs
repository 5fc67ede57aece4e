//! Interoperation with `subtle`: conversions and subtle's traits where their bounds allow.
//!
//! `subtle::ConditionallySelectable` requires `Copy`, which `Secret` deliberately is not, so
//! it is not implemented; use [`CtSelect`](crate::CtSelect). `ConstantTimeEq`,
//! `ConstantTimeGreater` and `ConstantTimeLess` are implemented (the last two in `cmp.rs`,
//! for every `CtInt`), and `SecretBool` converts to and from `subtle::Choice`.
//!
//! In a debug build (opt-level 0, debug assertions on) subtle's `Choice::from(u8)`, which the
//! conversion to `Choice` and every subtle trait method here return through, checks its
//! argument with a `debug_assert!`: a branch on the secret bit, always taken the same way for
//! a valid bit, that valgrind's taint tracking reports. It is subtle's code and absent from
//! release builds; secret-core's own operations have no such branch in any profile (the main
//! job checks them with `--profile dev` too, the subtle conversions in release only).

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
