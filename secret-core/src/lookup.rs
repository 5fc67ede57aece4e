//! [`ct_lookup`]: reading a table at a secret index.

#[cfg(target_arch = "arm")]
use crate::arch;
use crate::mask::Mask;
use crate::plain::CtPlain;
use crate::Secret;
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
use crate::{arch, plain};

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
/// mask scan. On Arm/Thumb (Cortex-M), 4-byte entries are scanned by one `asm!` loop of 8
/// instructions per entry. Other targets and sizes use one fenced mask per entry.
#[inline]
pub fn ct_lookup<T: CtPlain>(table: &[T], index: &Secret<usize>) -> Secret<T> {
    Secret::from_raw(lookup(table, index.value))
}

/// `table[index]` (all-zero when out of range), reading every entry, 16 bytes per step with
/// SSE2 for entries of 1, 2, 4, 8 or 16 bytes (other sizes: the portable scan).
///
/// Each 16-byte chunk of the table holds `per = 16 / size` entries; `arch::select_chunks16`
/// picks entry `index % per` of chunk `index / per` from the whole chunks. Entries past the
/// last whole chunk go through the portable scan; an `index / per` that does not fit the 32-bit
/// chunk counter is masked out (no such entry exists).
#[cfg(all(target_arch = "x86_64", target_feature = "sse2"))]
#[inline(always)]
fn lookup<T: CtPlain>(table: &[T], index: usize) -> T {
    let Some(size_log2) = plain::chunk_entry_log2::<T>() else {
        return scan(table, index);
    };
    // log2 of `per`: shifts instead of `/ per` and `% per`, which are `div` instructions on
    // the secret index at opt-level 0.
    let per_log2 = 4 - size_log2;
    let chunks = table.len() >> per_log2;
    if chunks > u32::MAX as usize {
        return scan(table, index);
    }
    let index = arch::fence_usize(index);
    let picked = plain::select_chunks16(table, size_log2, index);
    let found: T = plain::from_bytes16(&picked);
    let base = chunks << per_log2;
    let mut result = scan(&table[base..], index.wrapping_sub(base));
    T::__or_masked(
        &mut result,
        Mask::is_zero((index >> per_log2) >> 32),
        &found,
    );
    result
}

/// `table[index]` (all-zero when out of range): 4-byte, 4-aligned entries (`u32`, `i32`)
/// through `arch::scan_words` (one `asm!` loop, 8 instructions per entry), others by the
/// portable scan.
#[cfg(target_arch = "arm")]
#[allow(unsafe_code)]
#[inline(always)]
fn lookup<T: CtPlain>(table: &[T], index: usize) -> T {
    if core::mem::size_of::<T>() == 4 && core::mem::align_of::<T>() >= 4 {
        // SAFETY: `T` is 4 bytes and at least 4-aligned, so the slice is `table.len()` aligned
        // words.
        let word = unsafe { arch::scan_words(table.as_ptr().cast::<u32>(), table.len(), index) };
        // SAFETY: `T` is 4 bytes and every bit pattern is a valid `T` (`CtPlain` is sealed:
        // integers and arrays of integers).
        return unsafe { core::mem::transmute_copy::<u32, T>(&word) };
    }
    scan(table, index)
}

/// `table[index]` (all-zero when out of range) by the portable scan.
#[cfg(not(any(
    all(target_arch = "x86_64", target_feature = "sse2"),
    target_arch = "arm"
)))]
#[inline(always)]
fn lookup<T: CtPlain>(table: &[T], index: usize) -> T {
    scan(table, index)
}

/// The portable scan: one fenced equality mask per entry, ORed into the accumulator.
#[inline(always)]
fn scan<T: CtPlain>(table: &[T], index: usize) -> T {
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
