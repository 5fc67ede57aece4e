//! A growing `Secret<Vec<u8>>` never frees a block that still holds secret bytes: a global
//! allocator inspects every block as it is freed. The control grows a plain `Vec<u8>` the
//! same way and is caught leaving the secret in freed blocks.

use secret_core::Secret;
use std::alloc::{GlobalAlloc, Layout, System};
use std::cell::Cell;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

/// 0xA5 0x5A 0xC3 0x3C repeated, each group XORed with its index × 0x11.
const SECRET: [u8; 64] = {
    let base = [0xA5u8, 0x5A, 0xC3, 0x3C];
    let mut k = [0u8; 64];
    let mut i = 0;
    while i < 64 {
        k[i] = base[i % 4] ^ ((i / 4) as u8).wrapping_mul(0x11);
        i += 1;
    }
    k
};

/// Freed blocks (while armed on the freeing thread) that still held secret bytes.
static VIOLATIONS: AtomicUsize = AtomicUsize::new(0);
/// Freed blocks inspected (while armed).
static INSPECTED: AtomicUsize = AtomicUsize::new(0);
/// Tests share the counters: one at a time.
static SERIAL: Mutex<()> = Mutex::new(());

thread_local! {
    /// Only deallocations on the test's own thread are inspected (const-initialized: no
    /// allocation, no destructor, safe to use inside the allocator).
    static ARMED: Cell<bool> = const { Cell::new(false) };
}

/// Whether `block` holds any 4-byte window of the secret.
fn holds_secret(block: &[u8]) -> bool {
    block.windows(4).any(|w| SECRET.windows(4).any(|s| s == w))
}

struct Inspecting;

// SAFETY: every call is forwarded to `System` with the same arguments; `dealloc` only reads
// the block it is given (valid for `layout.size()` bytes until it is freed) before freeing.
unsafe impl GlobalAlloc for Inspecting {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded unchanged.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        if ARMED.with(Cell::get) {
            // SAFETY: `ptr` is a live block of `layout.size()` bytes from `System` (malloc), not
            // yet freed. Bytes past a vector's length were never written by Rust; they hold
            // whatever malloc left there, which is only compared with the pattern.
            let block = unsafe { core::slice::from_raw_parts(ptr, layout.size()) };
            INSPECTED.fetch_add(1, Ordering::Relaxed);
            if holds_secret(block) {
                VIOLATIONS.fetch_add(1, Ordering::Relaxed);
            }
        }
        // SAFETY: forwarded unchanged.
        unsafe { System.dealloc(ptr, layout) }
    }

    unsafe fn realloc(&self, ptr: *mut u8, layout: Layout, new_size: usize) -> *mut u8 {
        // Through alloc + copy + dealloc, so the freed block is inspected too.
        // SAFETY: the GlobalAlloc contract for realloc, implemented with alloc and dealloc.
        unsafe {
            let new_layout = Layout::from_size_align_unchecked(new_size, layout.align());
            let new = self.alloc(new_layout);
            if !new.is_null() {
                core::ptr::copy_nonoverlapping(ptr, new, layout.size().min(new_size));
                self.dealloc(ptr, layout);
            }
            new
        }
    }
}

#[global_allocator]
static GLOBAL: Inspecting = Inspecting;

/// Runs `f` with inspection armed on this thread; returns (violations, inspected blocks).
fn inspect(f: impl FnOnce()) -> (usize, usize) {
    let _serial = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    VIOLATIONS.store(0, Ordering::SeqCst);
    INSPECTED.store(0, Ordering::SeqCst);
    ARMED.with(|a| a.set(true));
    f();
    ARMED.with(|a| a.set(false));
    (
        VIOLATIONS.load(Ordering::SeqCst),
        INSPECTED.load(Ordering::SeqCst),
    )
}

#[test]
fn control_plain_vec_frees_blocks_holding_the_secret() {
    let (violations, inspected) = inspect(|| {
        let mut v: Vec<u8> = Vec::new();
        for round in 0..200 {
            v.extend_from_slice(&SECRET[..1 + round % 64]);
            v.push(SECRET[round % 64]);
        }
        drop(v);
    });
    assert!(inspected > 5, "{inspected} blocks inspected");
    assert!(
        violations > 5,
        "a plain Vec should be caught: {violations} of {inspected}"
    );
}

#[test]
fn secret_vec_growth_never_frees_secret_bytes() {
    let (violations, inspected) = inspect(|| {
        let mut v = Secret::<Vec<u8>>::with_capacity(0);
        for round in 0..200 {
            v.extend_from_slice(&SECRET[..1 + round % 64]);
            v.push(Secret::new(SECRET[round % 64]));
        }
        assert_eq!(v.len(), (0..200).map(|r| 2 + r % 64).sum::<usize>());
        drop(v);
    });
    assert!(inspected > 5, "{inspected} blocks inspected");
    assert_eq!(violations, 0, "of {inspected} freed blocks");
}

#[test]
fn secret_vec_truncate_and_drop_wipe_whole_capacity() {
    let (violations, inspected) = inspect(|| {
        let mut v = Secret::<Vec<u8>>::from_slice(&SECRET);
        v.reserve(4096);
        v.extend_from_slice(&SECRET);
        v.truncate(10);
        v.extend_from_slice(&SECRET[..3]);
        // Bytes past the length were written and truncated away: drop must still wipe them.
        drop(v);
    });
    assert!(inspected >= 2, "{inspected} blocks inspected");
    assert_eq!(violations, 0, "of {inspected} freed blocks");
}

#[test]
fn secret_vec_contents_survive_growth() {
    let mut v = Secret::<Vec<u8>>::with_capacity(1);
    let mut plain = Vec::new();
    for round in 0..100 {
        v.extend_from_slice(&SECRET[round % 64..]);
        plain.extend_from_slice(&SECRET[round % 64..]);
        v.push(Secret::new(round as u8));
        plain.push(round as u8);
    }
    assert!(v.ct_eq_public(&plain).declassify());
}
