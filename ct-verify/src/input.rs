//! [`Input`]: the secret values a check is run with.
//!
//! Every check runs with inputs of three kinds: all-zero, all-ones and random (from a seeded
//! generator, so runs repeat), plus any fixed corner cases the suite adds. Engines mark the whole
//! value undefined for memcheck before each call (so every byte of it counts as secret), compare
//! instruction counts across these inputs, or time the fixed value against random ones.

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
}

macro_rules! uint_input {
    ($($t:ty),*) => {$(
        impl Input for $t {
            fn zeros() -> Self {
                0
            }
            fn ones() -> Self {
                <$t>::MAX
            }
            fn random(rng: &mut dyn RngCore) -> Self {
                let mut bytes = [0u8; core::mem::size_of::<$t>()];
                rng.fill_bytes(&mut bytes);
                <$t>::from_le_bytes(bytes)
            }
        }
    )*};
}
uint_input!(u8, u16, u32, u64, u128, usize);

macro_rules! int_input {
    ($($t:ty),*) => {$(
        /// All-ones is `-1`.
        impl Input for $t {
            fn zeros() -> Self {
                0
            }
            fn ones() -> Self {
                -1
            }
            fn random(rng: &mut dyn RngCore) -> Self {
                let mut bytes = [0u8; core::mem::size_of::<$t>()];
                rng.fill_bytes(&mut bytes);
                <$t>::from_le_bytes(bytes)
            }
        }
    )*};
}
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
}
