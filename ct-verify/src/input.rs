//! [`Input`]: the secret values a check is run with.
//!
//! Every check runs with inputs of three kinds: all-zero, all-ones and random (from a seeded
//! generator, so runs repeat), plus any fixed corner cases the suite adds. Engines mark the whole
//! value undefined for memcheck before each call (so every byte of it counts as secret), compare
//! instruction counts across these inputs, or time the fixed value against random ones. With
//! `--search-budget`, the count engine also tries secrets made by mutating these inputs' bytes
//! ([`Input::to_bytes`], [`Input::from_bytes`]; see [`crate::search`]).

use rand::RngCore;
use secret_core::zeroize::Zeroize;
use secret_core::Secret;

/// A value that can serve as a secret input of a check.
///
/// Implemented for the integers, arrays of inputs (`[u8; 32]`, `[u64; 4]`, ...),
/// tuples of up to four inputs, and [`secret_core::Secret`] of any of those. The engines taint
/// the value's own bytes; an input that owns heap memory would not have that memory tainted, so
/// none is implemented here.
pub trait Input: Clone {
    /// Every bit zero.
    fn zeros() -> Self;
    /// Every bit one.
    fn ones() -> Self;
    /// A uniformly random value.
    fn random(rng: &mut dyn RngCore) -> Self;

    /// Appends the value's bytes to `out`, for `--search-budget` to mutate. `None`: the type
    /// has no byte form, and the search skips checks over it (the default, so an `Input` of
    /// your own keeps compiling; implement both methods to have it searched).
    fn to_bytes(&self, out: &mut Vec<u8>) -> Option<()> {
        let _ = out;
        None
    }

    /// The value made from the front of `bytes` (consumed), as [`Input::to_bytes`] wrote it.
    /// Any bytes of the right length must give a value: the search writes arbitrary ones.
    fn from_bytes(bytes: &mut &[u8]) -> Option<Self> {
        let _ = bytes;
        None
    }
}

/// The first `n` bytes of `bytes`, consumed.
fn take<'a>(bytes: &mut &'a [u8], n: usize) -> Option<&'a [u8]> {
    if bytes.len() < n {
        return None;
    }
    let (head, tail) = bytes.split_at(n);
    *bytes = tail;
    Some(head)
}

/// The primitive integers, as little-endian bytes. All-ones is every bit set: `MAX` unsigned,
/// `-1` signed.
macro_rules! int_input {
    ($($t:ty),*) => {$(
        impl Input for $t {
            fn zeros() -> Self {
                0
            }
            fn ones() -> Self {
                !0
            }
            fn random(rng: &mut dyn RngCore) -> Self {
                let mut bytes = [0u8; core::mem::size_of::<$t>()];
                rng.fill_bytes(&mut bytes);
                <$t>::from_le_bytes(bytes)
            }
            fn to_bytes(&self, out: &mut Vec<u8>) -> Option<()> {
                out.extend_from_slice(&self.to_le_bytes());
                Some(())
            }
            fn from_bytes(bytes: &mut &[u8]) -> Option<Self> {
                let head = take(bytes, core::mem::size_of::<$t>())?;
                Some(<$t>::from_le_bytes(head.try_into().ok()?))
            }
        }
    )*};
}
int_input!(u8, u16, u32, u64, u128, usize);
int_input!(i8, i16, i32, i64, i128, isize);

impl Input for bool {
    fn zeros() -> Self {
        false
    }
    fn ones() -> Self {
        true
    }
    fn random(rng: &mut dyn RngCore) -> Self {
        rng.next_u32() & 1 == 1
    }
    fn to_bytes(&self, out: &mut Vec<u8>) -> Option<()> {
        out.push(u8::from(*self));
        Some(())
    }
    /// Bit 0 of the byte (any byte is a valid input).
    fn from_bytes(bytes: &mut &[u8]) -> Option<Self> {
        Some(take(bytes, 1)?[0] & 1 == 1)
    }
}

impl<T: Input, const N: usize> Input for [T; N] {
    fn zeros() -> Self {
        core::array::from_fn(|_| T::zeros())
    }
    fn ones() -> Self {
        core::array::from_fn(|_| T::ones())
    }
    fn random(rng: &mut dyn RngCore) -> Self {
        core::array::from_fn(|_| T::random(rng))
    }
    fn to_bytes(&self, out: &mut Vec<u8>) -> Option<()> {
        self.iter().try_for_each(|x| x.to_bytes(out))
    }
    fn from_bytes(bytes: &mut &[u8]) -> Option<Self> {
        let items: Vec<T> = (0..N)
            .map(|_| T::from_bytes(bytes))
            .collect::<Option<_>>()?;
        items.try_into().ok()
    }
}

macro_rules! tuple_input {
    ($($name:ident),+) => {
        impl<$($name: Input),+> Input for ($($name,)+) {
            fn zeros() -> Self {
                ($($name::zeros(),)+)
            }
            fn ones() -> Self {
                ($($name::ones(),)+)
            }
            fn random(rng: &mut dyn RngCore) -> Self {
                ($($name::random(rng),)+)
            }
            #[allow(non_snake_case)]
            fn to_bytes(&self, out: &mut Vec<u8>) -> Option<()> {
                let ($($name,)+) = self;
                $($name.to_bytes(out)?;)+
                Some(())
            }
            fn from_bytes(bytes: &mut &[u8]) -> Option<Self> {
                Some(($($name::from_bytes(bytes)?,)+))
            }
        }
    };
}
tuple_input!(A);
tuple_input!(A, B);
tuple_input!(A, B, C);
tuple_input!(A, B, C, D);

/// `Secret<T>` inputs go through `Secret::new`, so under `--cfg secret_taint` they are tainted
/// from the moment they are made, exactly as in the user's code.
impl<T: Input + Zeroize> Input for Secret<T> {
    fn zeros() -> Self {
        Secret::new(T::zeros())
    }
    fn ones() -> Self {
        Secret::new(T::ones())
    }
    fn random(rng: &mut dyn RngCore) -> Self {
        Secret::new(T::random(rng))
    }
    /// The harness reads the bytes of a copy (outside the check, where nothing is measured).
    fn to_bytes(&self, out: &mut Vec<u8>) -> Option<()> {
        self.clone().declassify().to_bytes(out)
    }
    fn from_bytes(bytes: &mut &[u8]) -> Option<Self> {
        T::from_bytes(bytes).map(Secret::new)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use rand::SeedableRng;

    #[test]
    fn corner_cases_and_random() {
        assert_eq!(<[u8; 4]>::zeros(), [0; 4]);
        assert_eq!(<[u16; 2]>::ones(), [0xffff; 2]);
        assert_eq!(<(u8, u32)>::ones(), (0xff, u32::MAX));
        let mut a = rand::rngs::StdRng::seed_from_u64(1);
        let mut b = rand::rngs::StdRng::seed_from_u64(1);
        assert_eq!(<[u64; 4]>::random(&mut a), <[u64; 4]>::random(&mut b));
        assert_ne!(<[u64; 4]>::random(&mut a), <[u64; 4]>::zeros());
    }

    fn round_trip<T: Input + PartialEq + core::fmt::Debug>(value: T, len: usize) {
        let mut bytes = Vec::new();
        value.to_bytes(&mut bytes).unwrap();
        assert_eq!(bytes.len(), len);
        let mut rest = &bytes[..];
        assert_eq!(T::from_bytes(&mut rest), Some(value));
        assert!(rest.is_empty());
        // One byte short: no value.
        assert_eq!(T::from_bytes(&mut &bytes[..len - 1]), None);
    }

    #[test]
    fn byte_forms_round_trip() {
        round_trip([1u8, 2, 3], 3);
        round_trip((0x0102u16, -2i32, true), 7);
        round_trip([[u64::MAX; 2]; 2], 32);
        let mut bytes = Vec::new();
        0x0102u16.to_bytes(&mut bytes).unwrap();
        assert_eq!(bytes, [2, 1], "little-endian");
        // Any byte is a valid bool.
        assert_eq!(bool::from_bytes(&mut &[0xfe][..]), Some(false));
        let s = Secret::new([9u8; 4]);
        let mut bytes = Vec::new();
        s.to_bytes(&mut bytes).unwrap();
        assert_eq!(bytes, [9; 4]);
        assert!(<Secret<[u8; 4]>>::from_bytes(&mut &bytes[..]).is_some());
    }
}
