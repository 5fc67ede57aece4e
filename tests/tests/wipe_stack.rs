//! `with_clean_stack`: after it returns, no copy of a key pattern is left anywhere on the stack
//! below the caller, while the same function called directly leaves copies that the same scan
//! finds (the control, which shows the scan can see them).
//!
//! Each test runs on its own thread (libtest), and every call below is made from the test
//! function's frame, so the key function's frames, the wipe's region and the scanned region all
//! lie below the same stack pointer.
#![cfg(all(
    any(unix, windows),
    any(
        target_arch = "x86_64",
        target_arch = "aarch64",
        target_arch = "arm",
        target_arch = "riscv32",
        target_arch = "riscv64"
    )
))]

use core::hint::black_box;
use secret_core::wipe::{with_clean_stack, with_clean_stack_sized};

/// A 64-byte key: 0xA5 0x5A 0xC3 0x3C repeated, each group of four XORed with its index × 0x11,
/// so that every 16-byte window is distinctive.
const KEY: [u8; 64] = {
    let base = [0xA5u8, 0x5A, 0xC3, 0x3C];
    let mut k = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        k[i] = base[i % 4] ^ ((i / 4) as u8).wrapping_mul(0x11);
        i += 1;
    }
    k
};

/// Bytes scanned below the caller: more than the deepest key function uses.
const SCAN: usize = 48 * 1024;

/// Writes zeros over the region that will be scanned, so it is mapped (also on a growable main
/// thread stack) and holds nothing from earlier tests.
#[inline(never)]
fn prefault() {
    let mut a = [0u8; SCAN + 8 * 1024];
    black_box(&mut a);
}

/// Copies the key into several stack locals and a callee's frame; returns nothing.
#[inline(never)]
fn use_key() {
    let a: [u8; 64] = black_box(KEY);
    let mut b = [0u8; 64];
    b.copy_from_slice(black_box(&a));
    black_box(&b);
    let c = [black_box(KEY), black_box(a)];
    black_box(&c);
    black_box(mix(black_box(b)));
}

/// Keeps eight copies of the key in its frame.
#[inline(never)]
fn mix(k: [u8; 64]) -> u8 {
    let copies = [k; 8];
    black_box(&copies);
    copies.iter().flatten().fold(0, |acc, b| acc ^ b)
}

/// Uses the key about 32 KiB below the caller.
#[inline(never)]
fn use_key_deep() {
    let mut pad = [0u8; 32 * 1024];
    black_box(&mut pad);
    use_key();
    black_box(&pad);
}

/// Copies the `SCAN` bytes below this function's frame into `out` (pre-allocated: no call is
/// made while reading, so nothing is written into the region being read).
#[inline(never)]
fn snapshot(out: &mut [u8]) {
    let marker = 0u8;
    let top = black_box(&marker as *const u8 as usize);
    let base = top - out.len();
    for (i, byte) in out.iter_mut().enumerate() {
        // SAFETY: the region below this frame is this thread's stack, mapped by `prefault`;
        // nothing else uses it while it is read. Volatile, so every byte is really loaded.
        *byte = unsafe { core::ptr::read_volatile(core::ptr::with_exposed_provenance(base + i)) };
    }
}

/// How many 16-byte windows of the key occur (at any byte offset) in `mem`.
fn key_hits(mem: &[u8]) -> usize {
    KEY.chunks(16)
        .map(|needle| mem.windows(16).filter(|w| *w == needle).count())
        .sum()
}

fn scan() -> usize {
    let mut mem = vec![0u8; SCAN];
    snapshot(&mut mem);
    key_hits(&mem)
}

#[test]
fn control_direct_call_leaves_key_on_stack() {
    let mut mem = vec![0u8; SCAN];
    prefault();
    use_key();
    snapshot(&mut mem);
    let hits = key_hits(&mem);
    assert!(
        hits >= 4,
        "the scan should find the key copies: {hits} hits"
    );
}

#[test]
fn with_clean_stack_leaves_no_key_on_stack() {
    let mut mem = vec![0u8; SCAN];
    prefault();
    with_clean_stack(use_key);
    snapshot(&mut mem);
    assert_eq!(key_hits(&mem), 0);
}

#[test]
fn control_deep_direct_call_leaves_key_on_stack() {
    let mut mem = vec![0u8; SCAN];
    prefault();
    use_key_deep();
    snapshot(&mut mem);
    let hits = key_hits(&mem);
    assert!(
        hits >= 4,
        "the scan should find the key copies: {hits} hits"
    );
}

#[test]
fn with_clean_stack_wipes_deep_use() {
    let mut mem = vec![0u8; SCAN];
    prefault();
    with_clean_stack(use_key_deep);
    snapshot(&mut mem);
    assert_eq!(key_hits(&mem), 0);
}

#[test]
fn repeated_calls_stay_clean() {
    prefault();
    for _ in 0..100 {
        with_clean_stack(use_key);
        with_clean_stack_sized(40 * 1024, use_key_deep);
    }
    assert_eq!(scan(), 0);
}

#[test]
fn result_survives() {
    assert_eq!(with_clean_stack(|| black_box(6u32) * 7), 42);
    let big = with_clean_stack(|| {
        let mut k = [0u8; 300];
        k[..64].copy_from_slice(&black_box(KEY));
        k[299] = 1;
        k
    });
    assert_eq!(&big[..64], &KEY[..]);
    assert_eq!(big[299], 1);
    let s: String = with_clean_stack(|| "secret".repeat(3));
    assert_eq!(s, "secretsecretsecret");
}

#[test]
fn closure_captures_by_reference() {
    let key = black_box(KEY);
    let sum = with_clean_stack(|| key.iter().map(|&b| u32::from(b)).sum::<u32>());
    assert_eq!(sum, KEY.iter().map(|&b| u32::from(b)).sum::<u32>());
}

#[test]
#[should_panic(expected = "used more than")]
fn over_budget_panics() {
    with_clean_stack_sized(4096, use_key_deep);
}

#[test]
fn over_budget_still_wipes_the_budget_and_unwinding_is_safe() {
    prefault();
    let r = std::panic::catch_unwind(|| with_clean_stack_sized(16 * 1024, use_key_deep));
    assert!(r.is_err());
    // The key was used ~32 KiB down, below the 16 KiB budget: that part could not be wiped,
    // which is exactly why the call panics. The budget itself holds no key bytes.
    let mut mem = vec![0u8; 12 * 1024];
    snapshot(&mut mem);
    assert_eq!(key_hits(&mem), 0);
}

#[test]
fn panicking_closure_propagates() {
    let r = std::panic::catch_unwind(|| {
        with_clean_stack(|| {
            use_key();
            panic!("inside");
        })
    });
    assert!(r.is_err());
    // Still usable afterwards.
    assert_eq!(with_clean_stack(|| 5), 5);
}
