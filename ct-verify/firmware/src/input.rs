//! [`Input`]: secret values a check is run with on the device.
//!
//! The host (ct-verify) chooses the inputs and names them with the labels it uses on the host:
//! `zeros`, `ones`, `fixed#I` (the suite's corner cases, built here) and `random#I` (bytes the
//! host drew and passed on the semihosting command line). So this trait builds a value from
//! bytes instead of from a random generator.

use secret_core::zeroize::Zeroize;
use secret_core::Secret;

/// A value that can serve as a secret input of a check on the device: the types the host's
/// `ct_verify::Input` covers (integers, `bool`, arrays, tuples of up to four, `Secret<..>`).
pub trait Input: Clone {
    /// Bytes [`Input::from_bytes`] reads.
    const SIZE: usize;
    /// Every bit zero.
    fn zeros() -> Self;
    /// Every bit one.
    fn ones() -> Self;
    /// The value of `bytes` (exactly [`Input::SIZE`] of them; integers little-endian).
    fn from_bytes(bytes: &[u8]) -> Self;
}

macro_rules! int_input {
    ($($t:ty),*) => {$(
        impl Input for $t {
            const SIZE: usize = core::mem::size_of::<$t>();
            fn zeros() -> Self {
                0
            }
            fn ones() -> Self {
                !0
            }
            fn from_bytes(bytes: &[u8]) -> Self {
                let mut b = [0u8; core::mem::size_of::<$t>()];
                b.copy_from_slice(&bytes[..Self::SIZE]);
                <$t>::from_le_bytes(b)
            }
        }
    )*};
}
int_input!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

impl Input for bool {
    const SIZE: usize = 1;
    fn zeros() -> Self {
        false
    }
    fn ones() -> Self {
        true
    }
    fn from_bytes(bytes: &[u8]) -> Self {
        bytes[0] & 1 == 1
    }
}

impl<T: Input, const N: usize> Input for [T; N] {
    const SIZE: usize = T::SIZE * N;
    fn zeros() -> Self {
        core::array::from_fn(|_| T::zeros())
    }
    fn ones() -> Self {
        core::array::from_fn(|_| T::ones())
    }
    fn from_bytes(bytes: &[u8]) -> Self {
        core::array::from_fn(|i| T::from_bytes(&bytes[i * T::SIZE..(i + 1) * T::SIZE]))
    }
}

macro_rules! tuple_input {
    ($(($($n:ident),+)),*) => {$(
        impl<$($n: Input),+> Input for ($($n,)+) {
            const SIZE: usize = 0 $(+ $n::SIZE)+;
            fn zeros() -> Self {
                ($($n::zeros(),)+)
            }
            fn ones() -> Self {
                ($($n::ones(),)+)
            }
            #[allow(unused_assignments)]
            fn from_bytes(bytes: &[u8]) -> Self {
                let mut at = 0;
                ($({
                    let v = $n::from_bytes(&bytes[at..at + $n::SIZE]);
                    at += $n::SIZE;
                    v
                },)+)
            }
        }
    )*};
}
tuple_input!((A), (A, B), (A, B, C), (A, B, C, D));

impl<T: Input + Zeroize> Input for Secret<T> {
    const SIZE: usize = T::SIZE;
    fn zeros() -> Self {
        Secret::new(T::zeros())
    }
    fn ones() -> Self {
        Secret::new(T::ones())
    }
    fn from_bytes(bytes: &[u8]) -> Self {
        Secret::new(T::from_bytes(bytes))
    }
}
