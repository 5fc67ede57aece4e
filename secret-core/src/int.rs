//! [`CtInt`] and [`CtUnsigned`]: the integer types a `Secret<T>` computes with, as two public,
//! sealed traits.
//!
//! Every operator and integer method of `Secret<T>` is one generic impl over these traits
//! (`impl<T: CtInt> Add<R> for Secret<T>`), so rustdoc lists each operation once instead of
//! once per integer type. Their hidden methods are the per-type primitives (wrapping
//! arithmetic, the target's constant-time multiply, byte order), all `#[inline(always)]`: after
//! monomorphization the code is what the former per-type impls produced.

use crate::word::{Int, Unsigned};
use core::ops::{BitAnd, BitOr, BitXor, Not, Shr};

/// One of the twelve primitive integers (`u8` ... `u128`, `usize`, `i8` ... `i128`, `isize`):
/// the `T` of a `Secret<T>` that has operators, ordering comparisons, shifts and rotations,
/// byte conversions and [`cast`](crate::Secret::cast).
///
/// Sealed: implemented for exactly those twelve types; its methods are the crate's building
/// blocks. Arithmetic wraps; multiplication avoids early-terminating multipliers where the
/// target has them (see the crate docs, threat model).
pub trait CtInt:
    crate::CtPlain
    + Int
    + PartialEq
    + BitAnd<Output = Self>
    + BitOr<Output = Self>
    + BitXor<Output = Self>
    + Not<Output = Self>
    + Shr<u32, Output = Self>
{
    /// `[u8; size_of::<Self>()]`: what [`to_le_bytes`](crate::Secret::to_le_bytes) gives and
    /// [`from_le_bytes`](crate::Secret::from_le_bytes) takes.
    type Bytes: crate::CtPlain;
    #[doc(hidden)]
    #[inline(always)]
    fn __bit_and(self, other: Self) -> Self {
        self & other
    }
    #[doc(hidden)]
    #[inline(always)]
    fn __bit_or(self, other: Self) -> Self {
        self | other
    }
    #[doc(hidden)]
    #[inline(always)]
    fn __bit_xor(self, other: Self) -> Self {
        self ^ other
    }
    #[doc(hidden)]
    fn __wrapping_add(self, other: Self) -> Self;
    #[doc(hidden)]
    fn __wrapping_sub(self, other: Self) -> Self;
    #[doc(hidden)]
    fn __wrapping_mul(self, other: Self) -> Self;
    #[doc(hidden)]
    fn __wrapping_neg(self) -> Self;
    #[doc(hidden)]
    fn __wrapping_shl(self, amount: u32) -> Self;
    #[doc(hidden)]
    fn __wrapping_shr(self, amount: u32) -> Self;
    #[doc(hidden)]
    fn __rotate_left(self, amount: u32) -> Self;
    #[doc(hidden)]
    fn __rotate_right(self, amount: u32) -> Self;
    #[doc(hidden)]
    fn __from_le_bytes(bytes: Self::Bytes) -> Self;
    #[doc(hidden)]
    fn __from_be_bytes(bytes: Self::Bytes) -> Self;
    #[doc(hidden)]
    fn __to_le_bytes(self) -> Self::Bytes;
    #[doc(hidden)]
    fn __to_be_bytes(self) -> Self::Bytes;
}

/// One of the six unsigned integers: the `T` of a `Secret<T>` that has
/// [`ct_div_rem`](crate::Secret::ct_div_rem). Sealed.
pub trait CtUnsigned: CtInt + Unsigned {}

macro_rules! ct_int {
    ($($t:ty => $mul:expr),* $(,)?) => {$(
        impl CtInt for $t {
            type Bytes = [u8; core::mem::size_of::<$t>()];
            #[inline(always)]
            fn __wrapping_add(self, other: Self) -> Self {
                <$t>::wrapping_add(self, other)
            }
            #[inline(always)]
            fn __wrapping_sub(self, other: Self) -> Self {
                <$t>::wrapping_sub(self, other)
            }
            #[inline(always)]
            fn __wrapping_mul(self, other: Self) -> Self {
                $mul(self, other)
            }
            #[inline(always)]
            fn __wrapping_neg(self) -> Self {
                <$t>::wrapping_neg(self)
            }
            #[inline(always)]
            fn __wrapping_shl(self, amount: u32) -> Self {
                <$t>::wrapping_shl(self, amount)
            }
            #[inline(always)]
            fn __wrapping_shr(self, amount: u32) -> Self {
                <$t>::wrapping_shr(self, amount)
            }
            #[inline(always)]
            fn __rotate_left(self, amount: u32) -> Self {
                <$t>::rotate_left(self, amount)
            }
            #[inline(always)]
            fn __rotate_right(self, amount: u32) -> Self {
                <$t>::rotate_right(self, amount)
            }
            #[inline(always)]
            fn __from_le_bytes(bytes: Self::Bytes) -> Self {
                <$t>::from_le_bytes(bytes)
            }
            #[inline(always)]
            fn __from_be_bytes(bytes: Self::Bytes) -> Self {
                <$t>::from_be_bytes(bytes)
            }
            #[inline(always)]
            fn __to_le_bytes(self) -> Self::Bytes {
                <$t>::to_le_bytes(self)
            }
            #[inline(always)]
            fn __to_be_bytes(self) -> Self::Bytes {
                <$t>::to_be_bytes(self)
            }
        }
    )*};
}

ct_int!(
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
    isize => isize::wrapping_mul,
);

impl CtUnsigned for u8 {}
impl CtUnsigned for u16 {}
impl CtUnsigned for u32 {}
impl CtUnsigned for u64 {}
impl CtUnsigned for u128 {}
impl CtUnsigned for usize {}
