//! Functions inspected by `cargo xtask wipe-codegen` (xtask/src/wipe_codegen.rs) in the
//! assembly emitted for x86_64, Cortex-M0 and Cortex-M4. `no_std` with `alloc`, so that the
//! same code builds for the bare-metal Cortex-M targets.
//!
//! - `wipe_box_*`: a `Secret` on the heap must be zeroed before `__rust_dealloc`.
//! - `naive_box_u64`: the control. An ordinary store of zero in `Drop` is dead before the
//!   free, and LLVM deletes it; if this ever stops happening the check above proves nothing.
//! - `mix_secret` / `mix_plain`: a `Secret` kept in registers must cost nothing (no stack
//!   slot, no extra instruction), although every assignment drops (and wipes) the old value.

#![no_std]

extern crate alloc;

use alloc::boxed::Box;
use secret_core::Secret;

/// Drops a boxed secret word: the asm must zero the block, then free it.
#[no_mangle]
#[inline(never)]
pub fn wipe_box_secret_u64(b: Box<Secret<u64>>) {
    drop(b);
}

/// Drops a boxed secret key: the asm must zero all 32 bytes, then free the block.
#[no_mangle]
#[inline(never)]
pub fn wipe_box_secret_array(b: Box<Secret<[u8; 32]>>) {
    drop(b);
}

/// A wipe written the naive way: an ordinary store with nothing keeping it alive.
pub struct Naive(pub u64);

impl Drop for Naive {
    fn drop(&mut self) {
        self.0 = 0;
    }
}

/// Control: the naive store of zero is dead (the block is freed next) and must be deleted.
#[no_mangle]
#[inline(never)]
pub fn naive_box_u64(b: Box<Naive>) {
    drop(b);
}

/// A few ARX rounds on secrets; every assignment drops (and so wipes) the previous value.
#[no_mangle]
#[inline(never)]
pub fn mix_secret(a: u64, b: u64) -> u64 {
    let mut x = Secret::new(a);
    let mut y = Secret::new(b);
    for _ in 0..4 {
        x = x.rotate_left(3);
        y ^= &x;
        y = y.rotate_left(7);
        x += &y;
    }
    (x ^ y).declassify()
}

/// The same rounds on plain words: the baseline `mix_secret` must match.
#[no_mangle]
#[inline(never)]
pub fn mix_plain(a: u64, b: u64) -> u64 {
    let mut x = a;
    let mut y = b;
    for _ in 0..4 {
        x = x.rotate_left(3);
        y ^= x;
        y = y.rotate_left(7);
        x = x.wrapping_add(y);
    }
    x ^ y
}
