//! Branchless mask arithmetic: the one place where secret comparisons become masks.
//!
//! A [`Mask`] is a machine word that is either all zeros or all ones. Every mask is passed
//! through the architecture's value fence when it is created and again when it is read, so the
//! optimizer can never learn that it is 0/-1 and rebuild a branch or a `cmov`-less jump from it.
//! The comparisons are the classic formulas (Hacker's Delight 2-12) on the unsigned twin of the
//! type; the intermediate word is fenced before its sign bit is extracted so that LLVM cannot
//! pattern-match the formula back into an `icmp` that a backend without conditional moves
//! (Thumb-1 on Cortex-M0) would lower to a branch.

use crate::arch::fence_usize;
use crate::word::Unsigned;

/// A secret all-zeros / all-ones machine word. Unnameable outside the crate.
#[doc(hidden)]
#[derive(Clone, Copy)]
pub struct Mask(usize);

impl Mask {
    /// All ones if `bit` is 1, zero if it is 0. `bit` must be 0 or 1.
    ///
    /// The bit is fenced *before* it is negated: otherwise a bit that came from a comparison
    /// (`x == 1`, as in `SecretBool::new(x & 1 == 1)`) lets LLVM turn the negation into a
    /// select, which Thumb-1 (Cortex-M0) lowers to a branch.
    #[inline(always)]
    pub(crate) fn from_bit(bit: usize) -> Mask {
        Mask(fence_usize(fence_usize(bit).wrapping_neg()))
    }

    /// Classifies a public boolean (no secret involved, no branch either).
    #[inline(always)]
    pub(crate) fn from_bool(b: bool) -> Mask {
        Mask::from_bit(b as usize)
    }

    /// All ones exactly when `folded` is zero (one instruction shorter than `nonzero().not()`:
    /// the fenced "is non-zero" bit minus one).
    #[inline(always)]
    pub(crate) fn is_zero(folded: usize) -> Mask {
        let spread = fence_usize(folded | folded.wrapping_neg());
        let nonzero_bit = fence_usize(spread >> (usize::BITS - 1));
        Mask(fence_usize(nonzero_bit.wrapping_sub(1)))
    }

    /// The raw word, read through the fence.
    #[inline(always)]
    pub(crate) fn word(self) -> usize {
        fence_usize(self.0)
    }

    /// Whether the mask is set. Public result: only for `declassify`.
    #[inline(always)]
    pub(crate) fn reveal(self) -> bool {
        self.word() & 1 == 1
    }

    #[inline(always)]
    pub(crate) fn not(self) -> Mask {
        Mask(!self.word())
    }

    #[inline(always)]
    pub(crate) fn and(self, other: Mask) -> Mask {
        Mask(self.word() & other.word())
    }

    #[inline(always)]
    pub(crate) fn or(self, other: Mask) -> Mask {
        Mask(self.word() | other.word())
    }

    #[inline(always)]
    pub(crate) fn xor(self, other: Mask) -> Mask {
        Mask(self.word() ^ other.word())
    }

    /// `a == b`.
    #[inline(always)]
    pub(crate) fn eq<U: Unsigned>(a: U, b: U) -> Mask {
        Mask::is_zero((a ^ b).fold())
    }

    /// `a < b`, unsigned: the borrow out of `a - b`.
    #[inline(always)]
    pub(crate) fn lt<U: Unsigned>(a: U, b: U) -> Mask {
        let diff = a.wrapping_sub(b);
        let borrow = ((!a & b) | (!(a ^ b) & diff)).fence() >> (U::BITS - 1);
        Mask::from_bit(borrow.fold())
    }

    /// The mask at the width of `U`: all ones or all zeros, read through the fence.
    #[inline(always)]
    pub(crate) fn widen<U: Unsigned>(self) -> U {
        U::from_mask_word(self.word())
    }

    /// `if self { a } else { b }` without a branch.
    #[inline(always)]
    pub(crate) fn select<U: Unsigned>(self, a: U, b: U) -> U {
        b ^ (self.widen::<U>() & (a ^ b))
    }

    /// Drop-time wipe: a plain store of zero that a compiler fence keeps whenever the mask is in
    /// memory (see `secret::erase`, the same design for `Secret`).
    #[inline(always)]
    pub(crate) fn erase(&mut self) {
        self.0 = 0;
        core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::Release);
    }

    /// Sets the raw word to zero with a volatile write (for `Zeroize`).
    #[inline]
    pub(crate) fn wipe(&mut self) {
        zeroize::Zeroize::zeroize(&mut self.0);
    }
}

impl Mask {
    /// Selects between two masks by a third.
    #[inline(always)]
    pub(crate) fn from_select(cond: Mask, a: Mask, b: Mask) -> Mask {
        Mask(cond.select(a.word(), b.word()))
    }
}
