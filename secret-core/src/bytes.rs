//! Converting integer secrets to and from secret byte arrays, and between integer widths.

use crate::int::CtInt;
use crate::Secret;

/// An `as` cast between primitive integers (truncating, sign- or zero-extending), as a trait
/// so that `Secret::cast` can be generic. Implemented for all 144 pairs of the twelve types.
pub trait WrappingCast<U>: Copy {
    /// `self as U`.
    fn wrapping_cast(self) -> U;
}

macro_rules! casts {
    ($($from:ty),*) => {$(
        casts!(@to $from; u8 u16 u32 u64 u128 usize i8 i16 i32 i64 i128 isize);
    )*};
    (@to $from:ty; $($to:ty)*) => {$(
        impl WrappingCast<$to> for $from {
            #[inline(always)]
            fn wrapping_cast(self) -> $to {
                self as $to
            }
        }
    )*};
}

casts!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

impl<T: CtInt> Secret<T> {
    /// Converts to another integer width with `as` semantics (truncating, sign- or
    /// zero-extending; branch-free): `key_word.cast::<u64>()`. There is no `.into()`: it would
    /// look like a way out of the secret.
    #[inline(always)]
    pub fn cast<U>(&self) -> Secret<U>
    where
        T: WrappingCast<U>,
        U: zeroize::Zeroize,
    {
        Secret::from_raw(WrappingCast::wrapping_cast(self.value))
    }
    /// From little-endian secret bytes: `Secret::<u32>::from_le_bytes(&key.sub_array::<4>(0))`
    /// (a secret `[u8; size_of::<T>()]`; take it out of a longer secret array with
    /// [`sub_array`](Secret::sub_array)).
    #[inline(always)]
    pub fn from_le_bytes(bytes: &Secret<T::Bytes>) -> Self {
        Secret::from_raw(T::__from_le_bytes(bytes.value))
    }
    /// From big-endian secret bytes.
    #[inline(always)]
    pub fn from_be_bytes(bytes: &Secret<T::Bytes>) -> Self {
        Secret::from_raw(T::__from_be_bytes(bytes.value))
    }
    /// To little-endian secret bytes (`[u8; size_of::<T>()]`).
    #[inline(always)]
    pub fn to_le_bytes(&self) -> Secret<T::Bytes> {
        Secret::from_raw(self.value.__to_le_bytes())
    }
    /// To big-endian secret bytes.
    #[inline(always)]
    pub fn to_be_bytes(&self) -> Secret<T::Bytes> {
        Secret::from_raw(self.value.__to_be_bytes())
    }
}

impl<const N: usize> Secret<[u8; N]> {
    /// `M` bytes starting at a public `offset` (panics if out of range: public data only).
    ///
    /// ```
    /// use secret_core::Secret;
    /// let key = Secret::new([1u8, 2, 3, 4, 5, 6, 7, 8]);
    /// let word = Secret::<u32>::from_le_bytes(&key.sub_array::<4>(4));
    /// assert_eq!(word.declassify(), 0x0807_0605);
    /// ```
    #[inline(always)]
    pub fn sub_array<const M: usize>(&self, offset: usize) -> Secret<[u8; M]> {
        let mut out = [0u8; M];
        out.copy_from_slice(&self.value[offset..offset + M]);
        Secret::from_raw(out)
    }

    /// Writes `part` at a public `offset` (panics if out of range: public data only).
    #[inline(always)]
    pub fn set_sub_array<const M: usize>(&mut self, offset: usize, part: &Secret<[u8; M]>) {
        self.value[offset..offset + M].copy_from_slice(&part.value);
    }
}
