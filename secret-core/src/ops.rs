//! Operators on integer secrets, for all twelve primitive integers, from one macro.
//!
//! Arithmetic wraps (`wrapping_add`, `wrapping_sub`, `wrapping_mul`, `wrapping_neg`,
//! `wrapping_shl`, `wrapping_shr`): an overflow check would be a branch on a secret. Shifts and
//! rotations take a *public* `u32` amount; amounts that are themselves secret have their own
//! branchless methods (`shl_secret`, ...). There is no `/` or `%`: division uses the hardware
//! divider, whose latency depends on the operands (KyberSlash); use `ct_div_rem`.

use crate::Secret;
use core::ops::{
    Add, AddAssign, BitAnd, BitAndAssign, BitOr, BitOrAssign, BitXor, BitXorAssign, Mul, MulAssign,
    Neg, Not, Shl, ShlAssign, Shr, ShrAssign, Sub, SubAssign,
};

macro_rules! binop {
    ($t:ty, $trait:ident, $method:ident, $assign_trait:ident, $assign_method:ident, $f:ident) => {
        impl $trait<Secret<$t>> for Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(mut self, rhs: Secret<$t>) -> Secret<$t> {
                self.value = <$t>::$f(self.value, rhs.value);
                self
            }
        }
        impl $trait<&Secret<$t>> for Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(mut self, rhs: &Secret<$t>) -> Secret<$t> {
                self.value = <$t>::$f(self.value, rhs.value);
                self
            }
        }
        impl $trait<Secret<$t>> for &Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, mut rhs: Secret<$t>) -> Secret<$t> {
                rhs.value = <$t>::$f(self.value, rhs.value);
                rhs
            }
        }
        impl $trait<&Secret<$t>> for &Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, rhs: &Secret<$t>) -> Secret<$t> {
                Secret::from_raw(<$t>::$f(self.value, rhs.value))
            }
        }
        impl $trait<$t> for Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(mut self, rhs: $t) -> Secret<$t> {
                self.value = <$t>::$f(self.value, rhs);
                self
            }
        }
        impl $trait<$t> for &Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, rhs: $t) -> Secret<$t> {
                Secret::from_raw(<$t>::$f(self.value, rhs))
            }
        }
        impl $trait<Secret<$t>> for $t {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, mut rhs: Secret<$t>) -> Secret<$t> {
                rhs.value = <$t>::$f(self, rhs.value);
                rhs
            }
        }
        impl $trait<&Secret<$t>> for $t {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, rhs: &Secret<$t>) -> Secret<$t> {
                Secret::from_raw(<$t>::$f(self, rhs.value))
            }
        }
        impl $assign_trait<Secret<$t>> for Secret<$t> {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: Secret<$t>) {
                self.value = <$t>::$f(self.value, rhs.value);
            }
        }
        impl $assign_trait<&Secret<$t>> for Secret<$t> {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: &Secret<$t>) {
                self.value = <$t>::$f(self.value, rhs.value);
            }
        }
        impl $assign_trait<$t> for Secret<$t> {
            #[inline(always)]
            fn $assign_method(&mut self, rhs: $t) {
                self.value = <$t>::$f(self.value, rhs);
            }
        }
    };
}

macro_rules! unop {
    ($t:ty, $trait:ident, $method:ident, $f:ident) => {
        impl $trait for Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(mut self) -> Secret<$t> {
                self.value = <$t>::$f(self.value);
                self
            }
        }
        impl $trait for &Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self) -> Secret<$t> {
                Secret::from_raw(<$t>::$f(self.value))
            }
        }
    };
}

macro_rules! shiftop {
    ($t:ty, $trait:ident, $method:ident, $assign_trait:ident, $assign_method:ident, $f:ident) => {
        impl $trait<u32> for Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(mut self, amount: u32) -> Secret<$t> {
                self.value = <$t>::$f(self.value, amount);
                self
            }
        }
        impl $trait<u32> for &Secret<$t> {
            type Output = Secret<$t>;
            #[inline(always)]
            fn $method(self, amount: u32) -> Secret<$t> {
                Secret::from_raw(<$t>::$f(self.value, amount))
            }
        }
        impl $assign_trait<u32> for Secret<$t> {
            #[inline(always)]
            fn $assign_method(&mut self, amount: u32) {
                self.value = <$t>::$f(self.value, amount);
            }
        }
    };
}

/// Free-function spellings of the bitwise operators, so `binop!` can name them uniformly.
trait Bitwise: Sized {
    fn bit_and(a: Self, b: Self) -> Self;
    fn bit_or(a: Self, b: Self) -> Self;
    fn bit_xor(a: Self, b: Self) -> Self;
    fn bit_not(a: Self) -> Self;
    /// Wrapping multiplication that is constant-time on the target (see `arch`).
    fn ct_mul(a: Self, b: Self) -> Self;
}

macro_rules! int_ops {
    ($($t:ty => $mul:expr),*) => {$(
        impl Bitwise for $t {
            #[inline(always)]
            fn bit_and(a: Self, b: Self) -> Self { a & b }
            #[inline(always)]
            fn bit_or(a: Self, b: Self) -> Self { a | b }
            #[inline(always)]
            fn bit_xor(a: Self, b: Self) -> Self { a ^ b }
            #[inline(always)]
            fn bit_not(a: Self) -> Self { !a }
            #[inline(always)]
            fn ct_mul(a: Self, b: Self) -> Self { $mul(a, b) }
        }
        binop!($t, Add, add, AddAssign, add_assign, wrapping_add);
        binop!($t, Sub, sub, SubAssign, sub_assign, wrapping_sub);
        binop!($t, Mul, mul, MulAssign, mul_assign, ct_mul);
        binop!($t, BitAnd, bitand, BitAndAssign, bitand_assign, bit_and);
        binop!($t, BitOr, bitor, BitOrAssign, bitor_assign, bit_or);
        binop!($t, BitXor, bitxor, BitXorAssign, bitxor_assign, bit_xor);
        unop!($t, Not, not, bit_not);
        unop!($t, Neg, neg, wrapping_neg);
        shiftop!($t, Shl, shl, ShlAssign, shl_assign, wrapping_shl);
        shiftop!($t, Shr, shr, ShrAssign, shr_assign, wrapping_shr);
    )*};
}

int_ops!(
    u8 => u8::wrapping_mul,
    u16 => u16::wrapping_mul,
    u32 => u32::wrapping_mul,
    u64 => crate::arch::wrapping_mul_u64,
    u128 => crate::arch::wrapping_mul_u128,
    usize => usize::wrapping_mul,
    i8 => i8::wrapping_mul,
    i16 => i16::wrapping_mul,
    i32 => i32::wrapping_mul,
    i64 => |a: i64, b: i64| crate::arch::wrapping_mul_u64(a as u64, b as u64) as i64,
    i128 => |a: i128, b: i128| crate::arch::wrapping_mul_u128(a as u128, b as u128) as i128,
    isize => isize::wrapping_mul
);
