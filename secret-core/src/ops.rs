//! Operators on integer secrets: one generic impl per operator and receiver form.
//!
//! Arithmetic wraps (`wrapping_add`, `wrapping_sub`, `wrapping_mul`, `wrapping_neg`,
//! `wrapping_shl`, `wrapping_shr`): an overflow check would be a branch on a secret. Shifts and
//! rotations take a *public* `u32` amount; amounts that are themselves secret have their own
//! branchless methods (`shl_secret`, ...). There is no `/` or `%`: division uses the hardware
//! divider, whose latency depends on the operands (KyberSlash); use `ct_div_rem`.
//!
//! The right operand is anything that is [`Operand<T>`]: `Secret<T>`, `&Secret<T>` or a
//! public `T`, so each operator is two impls (`Secret<T>` and `&Secret<T>` on the left) and
//! one compound assignment, generic over [`CtInt`]. A public integer on the *left*
//! (`5 + secret`) cannot be generic (the orphan rule forbids `impl<T> Add<Secret<T>> for T`),
//! so those impls are generated per type and hidden from rustdoc; the docs of the generic
//! impls mention them.

use crate::int::CtInt;
use crate::Secret;
use core::ops::{
    Add, AddAssign, BitAnd, BitAndAssign, BitOr, BitOrAssign, BitXor, BitXorAssign, Mul, MulAssign,
    Neg, Not, Shl, ShlAssign, Shr, ShrAssign, Sub, SubAssign,
};

mod sealed {
    pub trait Sealed {}
}

/// The right-hand side of an operator on a `Secret<T>`: another secret of the same type, owned
/// (`Secret<T>`) or borrowed (`&Secret<T>`), or a public `T`.
///
/// Sealed; implemented exactly for those three. An operand of another integer type is not
/// converted implicitly: say which conversion you mean (`.cast::<T>()` on a secret, `as` or
/// `T::from` on a public value).
#[diagnostic::on_unimplemented(
    message = "`{Self}` cannot be the right operand of an operator on `Secret<{T}>`",
    label = "expected `Secret<{T}>`, `&Secret<{T}>` or a public `{T}`",
    note = "operands must have the same integer type: convert a secret with `.cast::<{T}>()`, a public value with `as {T}` or `{T}::from`"
)]
pub trait Operand<T: CtInt>: sealed::Sealed {
    #[doc(hidden)]
    fn __value(&self) -> T;
    /// `f(value)` as a secret, reusing the operand's storage when it is an owned secret.
    #[doc(hidden)]
    fn __map(self, f: impl FnOnce(T) -> T) -> Secret<T>;
}

impl<T: CtInt> sealed::Sealed for Secret<T> {}
impl<T: CtInt> sealed::Sealed for &Secret<T> {}
impl<T: CtInt> sealed::Sealed for T {}

impl<T: CtInt> Operand<T> for Secret<T> {
    #[inline(always)]
    fn __value(&self) -> T {
        self.value
    }
    #[inline(always)]
    fn __map(mut self, f: impl FnOnce(T) -> T) -> Secret<T> {
        self.value = f(self.value);
        self
    }
}

impl<T: CtInt> Operand<T> for &Secret<T> {
    #[inline(always)]
    fn __value(&self) -> T {
        self.value
    }
    #[inline(always)]
    fn __map(self, f: impl FnOnce(T) -> T) -> Secret<T> {
        Secret::from_raw(f(self.value))
    }
}

impl<T: CtInt> Operand<T> for T {
    #[inline(always)]
    fn __value(&self) -> T {
        *self
    }
    #[inline(always)]
    fn __map(self, f: impl FnOnce(T) -> T) -> Secret<T> {
        Secret::from_raw(f(self))
    }
}

macro_rules! binop {
    ($trait:ident, $method:ident, $assign_trait:ident, $assign_method:ident, $f:ident, $sym:literal, $what:literal) => {
        #[doc = concat!("`secret ", $sym, " operand`", $what, ": the operand is a `Secret<T>`, a `&Secret<T>` or a public `T`.")]
        ///
        #[doc = concat!("A public integer works on the left too: `5 ", $sym, " secret` and `5 ", $sym, " &secret`.")]
        impl<T: CtInt, R: Operand<T>> $trait<R> for Secret<T> {
            type Output = Secret<T>;
            #[inline(always)]
            fn $method(mut self, rhs: R) -> Secret<T> {
                self.value = T::$f(self.value, rhs.__value());
                self
            }
        }
        #[doc = concat!("`&secret ", $sym, " operand`", $what, ": a borrowed secret on the left, no `clone()` needed.")]
        impl<T: CtInt, R: Operand<T>> $trait<R> for &Secret<T> {
            type Output = Secret<T>;
            #[inline(always)]
            fn $method(self, rhs: R) -> Secret<T> {
                let lhs = self.value;
                rhs.__map(|r| T::$f(lhs, r))
            }
        }
        #[doc = concat!("`secret ", $sym, "= operand`", $what, ".")]
        impl<T: CtInt, R: Operand<T>> $assign_trait<R> for Secret<T> {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: R) {
                self.value = T::$f(self.value, rhs.__value());
            }
        }
    };
}

/// `public op secret`: the orphan rule needs one impl per concrete type here.
macro_rules! public_lhs {
    ($trait:ident, $method:ident, $f:ident; $($t:ty),*) => {$(
        #[doc(hidden)]
        impl $trait<Secret<$t>> for $t {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, mut rhs: Secret<$t>) -> Secret<$t> {
                rhs.value = <$t as CtInt>::$f(self, rhs.value);
                rhs
            }
        }
        #[doc(hidden)]
        impl $trait<&Secret<$t>> for $t {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, rhs: &Secret<$t>) -> Secret<$t> {
                Secret::from_raw(<$t as CtInt>::$f(self, rhs.value))
            }
        }
    )*};
}

macro_rules! ops {
    ($($trait:ident, $method:ident, $assign_trait:ident, $assign_method:ident, $f:ident, $sym:literal, $what:literal;)*) => {$(
        binop!($trait, $method, $assign_trait, $assign_method, $f, $sym, $what);
        public_lhs!($trait, $method, $f; u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);
    )*};
}

ops!(
    Add, add, AddAssign, add_assign, __wrapping_add, "+", " (wrapping)";
    Sub, sub, SubAssign, sub_assign, __wrapping_sub, "-", " (wrapping)";
    Mul, mul, MulAssign, mul_assign, __wrapping_mul, "*", " (wrapping; no early-terminating multiply, see the threat model)";
    BitAnd, bitand, BitAndAssign, bitand_assign, __bit_and, "&", "";
    BitOr, bitor, BitOrAssign, bitor_assign, __bit_or, "|", "";
    BitXor, bitxor, BitXorAssign, bitxor_assign, __bit_xor, "^", "";
);

macro_rules! unop {
    ($trait:ident, $method:ident, $f:expr, $doc:literal) => {
        #[doc = $doc]
        impl<T: CtInt> $trait for Secret<T> {
            type Output = Secret<T>;
            #[inline(always)]
            fn $method(mut self) -> Secret<T> {
                self.value = $f(self.value);
                self
            }
        }
        #[doc = $doc]
        impl<T: CtInt> $trait for &Secret<T> {
            type Output = Secret<T>;
            #[inline(always)]
            fn $method(self) -> Secret<T> {
                Secret::from_raw($f(self.value))
            }
        }
    };
}

unop!(Not, not, |v: T| !v, "`!`: bitwise complement.");
unop!(
    Neg,
    neg,
    T::__wrapping_neg,
    "`-`: wrapping negation (`wrapping_neg`)."
);

macro_rules! shiftop {
    ($trait:ident, $method:ident, $assign_trait:ident, $assign_method:ident, $f:ident, $doc:literal) => {
        #[doc = $doc]
        impl<T: CtInt> $trait<u32> for Secret<T> {
            type Output = Secret<T>;
            #[inline(always)]
            fn $method(mut self, amount: u32) -> Secret<T> {
                self.value = T::$f(self.value, amount);
                self
            }
        }
        #[doc = $doc]
        impl<T: CtInt> $trait<u32> for &Secret<T> {
            type Output = Secret<T>;
            #[inline(always)]
            fn $method(self, amount: u32) -> Secret<T> {
                Secret::from_raw(T::$f(self.value, amount))
            }
        }
        #[doc = $doc]
        impl<T: CtInt> $assign_trait<u32> for Secret<T> {
            #[inline(always)]
            fn $assign_method(&mut self, amount: u32) {
                self.value = T::$f(self.value, amount);
            }
        }
    };
}

shiftop!(
    Shl, shl, ShlAssign, shl_assign, __wrapping_shl,
    "`<<` by a public amount, modulo the bit width (`wrapping_shl`); for a secret amount use `shl_secret`."
);
shiftop!(
    Shr, shr, ShrAssign, shr_assign, __wrapping_shr,
    "`>>` by a public amount, modulo the bit width (`wrapping_shr`, arithmetic for signed types); for a secret amount use `shr_secret`."
);
