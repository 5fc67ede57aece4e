//! `Secret<Vec<u8>>`: a growable secret buffer that never leaves secret bytes in freed memory.
//!
//! `Vec::push` and `extend_from_slice` reallocate by copying into a new block and freeing the
//! old one *without wiping it*. These methods grow the buffer themselves: allocate the new
//! block, copy, zero the whole old block (its full capacity), then free it. Dropping the
//! secret zeroes the whole capacity, not just the length (`zeroize`'s `Vec` impl). Length and
//! capacity are public.

extern crate alloc;

use crate::mask::Mask;
use crate::plain::CtPlain;
use crate::{taint, CtEq, CtSelect, Secret, SecretBool};
use alloc::vec::Vec;
use zeroize::Zeroize;

impl Secret<Vec<u8>> {
    /// An empty secret buffer with room for `capacity` bytes.
    pub fn with_capacity(capacity: usize) -> Self {
        Secret::from_raw(Vec::with_capacity(capacity))
    }

    /// A secret buffer holding a copy of `bytes`, tainted under `taint`.
    pub fn from_slice(bytes: &[u8]) -> Self {
        let mut s = Secret::with_capacity(bytes.len());
        s.extend_from_slice(bytes);
        s
    }

    /// Number of bytes (public).
    pub fn len(&self) -> usize {
        self.value.len()
    }

    /// Whether the buffer is empty (public).
    pub fn is_empty(&self) -> bool {
        self.value.is_empty()
    }

    /// Allocated capacity (public).
    pub fn capacity(&self) -> usize {
        self.value.capacity()
    }

    /// Makes room for `additional` more bytes, moving the contents to a new block and wiping
    /// the old block before it is freed.
    pub fn reserve(&mut self, additional: usize) {
        let needed = self
            .value
            .len()
            .checked_add(additional)
            .expect("capacity overflow");
        if needed <= self.value.capacity() {
            return;
        }
        let new_capacity = needed.max(self.value.capacity().saturating_mul(2)).max(16);
        let mut grown = Vec::with_capacity(new_capacity);
        grown.extend_from_slice(&self.value);
        let mut old = core::mem::replace(&mut self.value, grown);
        old.zeroize(); // wipes the whole old capacity, then `old` is freed
    }

    /// Appends public bytes, which become secret.
    pub fn extend_from_slice(&mut self, bytes: &[u8]) {
        self.reserve(bytes.len());
        let start = self.value.len();
        self.value.extend_from_slice(bytes);
        if taint::ENABLED {
            taint::mark_undefined(&self.value[start..]);
        }
    }

    /// Appends secret bytes; growth goes through [`reserve`](Self::reserve), so an outgrown
    /// block is wiped before it is freed (a plain `Vec` would free it with the bytes in it).
    pub fn extend_from_secret<const N: usize>(&mut self, bytes: &Secret<[u8; N]>) {
        self.reserve(N);
        self.value.extend_from_slice(&bytes.value);
    }

    /// Appends one secret byte (growth wipes the old block, as in
    /// [`extend_from_secret`](Self::extend_from_secret)).
    pub fn push(&mut self, byte: Secret<u8>) {
        self.reserve(1);
        self.value.push(byte.value);
    }

    /// Shortens the buffer to `len` bytes, wiping the removed tail.
    pub fn truncate(&mut self, len: usize) {
        if len < self.value.len() {
            self.value[len..].zeroize();
            self.value.truncate(len);
        }
    }

    /// The byte at a public position (panics if out of range: public data only).
    pub fn get(&self, index: usize) -> Secret<u8> {
        Secret::from_raw(self.value[index])
    }

    /// Overwrites the byte at a public position.
    pub fn set(&mut self, index: usize, byte: Secret<u8>) {
        self.value[index] = byte.value;
    }

    /// XORs public bytes into the buffer from position 0 (a keystream application); panics if
    /// `bytes` is longer than the buffer (lengths are public).
    pub fn xor_in(&mut self, bytes: &[u8]) {
        assert!(
            bytes.len() <= self.value.len(),
            "xor_in: input longer than the buffer"
        );
        for (dst, src) in self.value.iter_mut().zip(bytes) {
            *dst ^= src;
        }
    }

    /// Compares with a public byte string in constant time (a length mismatch, which is
    /// public, gives false).
    pub fn ct_eq_public(&self, other: &[u8]) -> SecretBool {
        let same_len = self.value.len() == other.len();
        let equal = u8::__eq_slice(&self.value, other);
        SecretBool::from_mask(equal.and(Mask::from_bool(same_len)))
    }
}

impl Secret<Vec<u8>> {
    /// Compares two secret buffers in constant time in their contents (a length mismatch,
    /// which is public, gives false).
    pub fn ct_eq(&self, other: &Self) -> SecretBool {
        self.ct_eq_public(&other.value)
    }
}

impl CtEq for Secret<Vec<u8>> {
    /// Constant time in the contents; the lengths are public.
    fn ct_eq(&self, other: &Self) -> SecretBool {
        Secret::<Vec<u8>>::ct_eq(self, other)
    }
}

impl CtSelect for Secret<Vec<u8>> {
    /// Selects between two buffers of the same (public) length.
    ///
    /// # Panics
    /// If the lengths differ: the result's length would reveal the condition.
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
        assert_eq!(
            if_true.value.len(),
            if_false.value.len(),
            "ct_select on Secret<Vec<u8>> needs equal lengths (the length is public)"
        );
        let mut out = alloc::vec![0u8; if_true.value.len()];
        u8::__select_slice(cond.mask(), &if_true.value, &if_false.value, &mut out);
        Secret::from_raw(out)
    }
}
