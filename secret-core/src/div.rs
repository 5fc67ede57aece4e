//! Constant-time division without a hardware divide instruction.
//!
//! `DIV`/`IDIV` on x86 and `UDIV`/`SDIV` on Arm take a number of cycles that depends on the
//! operands; secret-dependent division leaked ML-KEM keys (KyberSlash). `ct_div_rem` is
//! restoring long division: one iteration per bit of the type, each a subtraction and a
//! masked select, the same instruction sequence for every dividend and divisor.

use crate::int::CtUnsigned;
use crate::mask::Mask;
use crate::word::Unsigned;
use crate::Secret;

/// Restoring division. Divisor zero yields `(MAX, n)` (the RISC-V convention) by itself:
/// every trial subtraction of zero "succeeds".
#[inline(always)]
fn div_rem<U: Unsigned>(n: U, d: U) -> (U, U) {
    let mut quotient = U::ZERO;
    let mut remainder = U::ZERO;
    let mut i = U::BITS;
    while i > 0 {
        i -= 1;
        // The bit shifted out of the remainder: if set, the true remainder exceeds any divisor.
        let carry = Mask::from_bit((remainder >> (U::BITS - 1)).fold());
        remainder = (remainder << 1) | ((n >> i) & U::ONE);
        let fits = carry.or(Mask::lt(remainder, d).not());
        remainder = fits.select(remainder.wrapping_sub(d), remainder);
        quotient = quotient | (fits.widen::<U>() & (U::ONE << i));
    }
    (quotient, remainder)
}

impl<T: CtUnsigned> Secret<T> {
    /// Quotient and remainder, in constant time and without a hardware divide (unsigned types).
    ///
    /// A zero divisor gives `(MAX, self)` (the RISC-V convention), never a panic: a panic
    /// would reveal that the divisor is zero.
    ///
    /// ```
    /// use secret_core::Secret;
    /// let (q, r) = Secret::new(100u32).ct_div_rem(&Secret::new(7));
    /// assert_eq!((q.declassify(), r.declassify()), (14, 2));
    /// let (q, r) = Secret::new(5u64).ct_div_rem(&Secret::new(0));
    /// assert_eq!((q.declassify(), r.declassify()), (u64::MAX, 5));
    /// ```
    #[inline]
    pub fn ct_div_rem(&self, divisor: &Secret<T>) -> (Secret<T>, Secret<T>) {
        let (q, r) = div_rem(self.value, divisor.value);
        (Secret::from_raw(q), Secret::from_raw(r))
    }
}
