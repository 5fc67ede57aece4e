//! [`ct_lookup`]: reading a table at a secret index.

use crate::mask::Mask;
use crate::plain::CtPlain;
use crate::Secret;

/// Returns `table[index]` as a secret, reading **every** entry so that the memory addresses
/// touched do not depend on `index` (an S-box or a precomputed-multiples table indexed by a
/// secret is a cache-timing leak).
///
/// An index past the end gives the all-zero value ([`CtPlain::ZERO`]), never a panic or an
/// early exit. The cost is linear in the table length; the table's length is public.
///
/// ```
/// use secret_core::{ct_lookup, Secret};
/// const SBOX: [u8; 4] = [0x63, 0x7c, 0x77, 0x7b];
/// assert_eq!(ct_lookup(&SBOX, &Secret::new(2)).declassify(), 0x77);
/// assert_eq!(ct_lookup(&SBOX, &Secret::new(9)).declassify(), 0);
/// ```
///
/// On x86_64, entries of 1, 2, 4, 8 or 16 bytes are scanned 16 bytes at a time with SSE2
/// (compare, AND, OR: no per-entry branch or fence), which is faster than a plain auto-vectorized
/// mask scan; other targets and sizes use one fenced mask per entry.
#[inline]
pub fn ct_lookup<T: CtPlain>(table: &[T], index: &Secret<usize>) -> Secret<T> {
    Secret::from_raw(crate::arch::lookup(table, index.value))
}

/// The portable scan: one fenced equality mask per entry, ORed into the accumulator.
#[inline(always)]
pub(crate) fn scan<T: CtPlain>(table: &[T], index: usize) -> T {
    let mut acc = T::ZERO;
    for (i, entry) in table.iter().enumerate() {
        T::__or_masked(&mut acc, Mask::eq(i, index), entry);
    }
    acc
}

impl<T: CtPlain, const N: usize> Secret<[T; N]> {
    /// The element at a public position (panics if `index >= N`, like slice indexing; the
    /// index is public, so the panic reveals nothing secret).
    #[inline(always)]
    pub fn get(&self, index: usize) -> Secret<T> {
        Secret::from_raw(self.value[index])
    }

    /// Overwrites the element at a public position.
    #[inline(always)]
    pub fn set(&mut self, index: usize, value: Secret<T>) {
        self.value[index] = value.value;
    }

    /// The element at a *secret* position: reads every element (see [`ct_lookup`]).
    #[inline]
    pub fn ct_get(&self, index: &Secret<usize>) -> Secret<T> {
        ct_lookup(&self.value, index)
    }
}
