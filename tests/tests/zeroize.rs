//! Zeroing: `Zeroize::zeroize` on secrets, and wiping on drop.
//!
//! Stack values: the secret is placed in a `MaybeUninit` slot at a known address, dropped in
//! place with `drop_in_place`, and the slot's bytes are read back with volatile reads.
//!
//! Heap values (`Secret<Vec<u8>>`): this test binary installs a global allocator that, when a
//! block the test is watching is freed, copies the block's bytes aside first. That shows what a
//! freed block still held, soundly, for both dropping and growing (`push`/`extend_from_slice`
//! moving to a bigger block). Each wipe check has a control (a plain value, or the bytes before
//! the drop) proving the check would see the secret if it were left behind.

use core::mem::MaybeUninit;
use secret_core::{Secret, SecretBool};
use std::alloc::{GlobalAlloc, Layout, System};
use std::sync::atomic::{AtomicBool, AtomicU8, AtomicUsize, Ordering};
use std::sync::Mutex;
use zeroize::Zeroize;

// ---------------------------------------------------------------------------------------------
// Zeroize::zeroize
// ---------------------------------------------------------------------------------------------

#[test]
fn zeroize_secret_u64() {
    let mut s = Secret::new(0xdead_beef_cafe_babeu64);
    s.zeroize();
    assert_eq!(s.declassify(), 0);
}

#[test]
fn zeroize_secret_signed_and_wide() {
    let mut s = Secret::new(-1i128);
    s.zeroize();
    assert_eq!(s.declassify(), 0);
    let mut s = Secret::new(i8::MIN);
    s.zeroize();
    assert_eq!(s.declassify(), 0);
}

#[test]
fn zeroize_secret_byte_array() {
    let mut s = Secret::new([0xa5u8; 32]);
    s.zeroize();
    assert_eq!(s.declassify(), [0u8; 32]);
}

#[test]
fn zeroize_secret_vec() {
    let mut s = Secret::new(vec![0x5au8; 100]);
    s.zeroize();
    let v = s.declassify();
    // zeroize's `Vec` impl zeroes the contents and then clears: nothing non-zero remains.
    assert!(v.iter().all(|&b| b == 0), "{v:?}");
    // The whole capacity was zeroed, not only the length.
    let cap = v.capacity();
    assert!(cap >= 100);
    let bytes: Vec<u8> = (0..cap)
        // SAFETY: `i < capacity`, so the pointer is inside the vector's allocation; every byte of
        // the allocation was initialized (first with 0x5a by `vec!`, for the whole capacity of
        // 100, then with zeros by `zeroize`, for the whole capacity).
        .map(|i| unsafe { core::ptr::read_volatile(v.as_ptr().add(i)) })
        .collect();
    assert!(bytes.iter().all(|&b| b == 0), "{bytes:?}");
}

#[test]
fn zeroize_secretbool_gives_false() {
    let mut b = SecretBool::new(true);
    b.zeroize();
    assert!(!b.declassify());
    let mut b = SecretBool::new(false);
    b.zeroize();
    assert!(!b.declassify());
}

// ---------------------------------------------------------------------------------------------
// Drop wipes stack storage.
// ---------------------------------------------------------------------------------------------

/// The bytes of the value in `slot`, read with volatile reads.
fn slot_bytes<T>(slot: &MaybeUninit<T>) -> Vec<u8> {
    let base = slot.as_ptr().cast::<u8>();
    (0..core::mem::size_of::<T>())
        // SAFETY: `i < size_of::<T>()`, so the read is inside `slot`. Every byte was
        // initialized: the slot was written with a value of a padding-free type (integers, byte
        // arrays, the machine word of a `SecretBool`), and after the drop those same bytes were
        // overwritten by zeroize's volatile writes, which leave them initialized.
        .map(|i| unsafe { core::ptr::read_volatile(base.add(i)) })
        .collect()
}

/// Writes `value` into a slot, checks that its bytes are there (the control), drops it in
/// place and returns the bytes left behind.
fn bytes_after_drop<T>(value: T, expect_before: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let mut slot = MaybeUninit::<T>::uninit();
    slot.write(value);
    let before = slot_bytes(&slot);
    assert!(
        expect_before(&before),
        "control: the value's bytes should be in the slot before the drop: {before:?}"
    );
    // SAFETY: the slot holds an initialized `T` (written just above) that is dropped exactly
    // once, here, and never used as a `T` again (only its raw bytes are read afterwards).
    unsafe { core::ptr::drop_in_place(slot.as_mut_ptr()) };
    slot_bytes(&slot)
}

#[test]
fn drop_wipes_secret_u64() {
    let after = bytes_after_drop(Secret::new(0xdead_beef_cafe_babeu64), |b| {
        b == 0xdead_beef_cafe_babeu64.to_ne_bytes()
    });
    assert_eq!(after, [0u8; 8]);
}

#[test]
fn drop_wipes_secret_u128() {
    let after = bytes_after_drop(Secret::new(u128::MAX), |b| b.iter().all(|&x| x == 0xff));
    assert_eq!(after, [0u8; 16]);
}

#[test]
fn drop_wipes_secret_byte_array() {
    let after = bytes_after_drop(Secret::new([0xa5u8; 32]), |b| b == [0xa5; 32]);
    assert_eq!(after, [0u8; 32]);
}

#[test]
fn drop_wipes_array_of_secrets() {
    let value = [
        Secret::new(0x1111u16),
        Secret::new(0x2222),
        Secret::new(0x3333),
    ];
    let after = bytes_after_drop(value, |b| b.iter().all(|&x| x != 0));
    assert_eq!(after, [0u8; 6]);
}

#[test]
fn drop_wipes_secretbool() {
    let after = bytes_after_drop(SecretBool::new(true), |b| b.iter().any(|&x| x != 0));
    assert!(after.iter().all(|&x| x == 0), "{after:?}");
}

/// Writes `value` into a slot, checks that its bytes are there (the control), updates it in
/// place with `update` and returns the slot's bytes afterwards.
fn bytes_after_update<T>(
    value: T,
    expect_before: impl Fn(&[u8]) -> bool,
    update: impl FnOnce(&mut T),
) -> Vec<u8> {
    let mut slot = MaybeUninit::<T>::uninit();
    slot.write(value);
    let before = slot_bytes(&slot);
    assert!(
        expect_before(&before),
        "control: the value's bytes should be in the slot before the update: {before:?}"
    );
    // SAFETY: the slot holds an initialized `T` (written just above); `update` leaves it
    // initialized, and it is dropped below exactly once.
    update(unsafe { slot.assume_init_mut() });
    let after = slot_bytes(&slot);
    // SAFETY: as above: initialized, dropped once, not used as a `T` again.
    unsafe { core::ptr::drop_in_place(slot.as_mut_ptr()) };
    after
}

#[test]
fn in_place_updates_leave_no_byte_of_the_old_value() {
    // `assign`: every byte of the old value (0xa5) is replaced by the new one (0x5a), with no
    // drop of the old `Secret` in between.
    let after = bytes_after_update(
        Secret::new([0xa5u8; 32]),
        |b| b == [0xa5; 32],
        |s| s.assign(Secret::new([0x5a; 32])),
    );
    assert_eq!(after, [0x5au8; 32]);
    // `rotate_left_assign` and `^=` on a word: the slot holds the new value, not the old.
    let old = 0x0123_4567_89ab_cdefu64;
    let after = bytes_after_update(
        Secret::new(old),
        |b| b == old.to_ne_bytes(),
        |s| {
            s.rotate_left_assign(8);
            *s ^= 0xff;
        },
    );
    assert_eq!(after, (old.rotate_left(8) ^ 0xff).to_ne_bytes());
    // An array of secrets behind `&mut`, updated element by element like a MAC state.
    let words = |a: u32, b: u32| [a.to_ne_bytes(), b.to_ne_bytes()].concat();
    let (a0, b0) = (0x1111_1111u32, 0x1234_5678u32);
    let after = bytes_after_update(
        [Secret::new(a0), Secret::new(b0)],
        |b| b == words(a0, b0),
        |[a, b]| {
            a.assign(&*a + &*b);
            b.rotate_right_assign(4);
        },
    );
    assert_eq!(after, words(a0 + b0, b0.rotate_right(4)));
}

#[test]
fn drop_after_in_place_updates_still_wipes() {
    let mut value = Secret::new([0xa5u8; 32]);
    value.assign(Secret::new([0x5a; 32]));
    let after = bytes_after_drop(value, |b| b == [0x5a; 32]);
    assert_eq!(after, [0u8; 32]);
}

#[test]
fn drop_control_plain_value_is_not_wiped() {
    // Shows the method can see a value left behind: a plain array is not wiped by its drop.
    let after = bytes_after_drop([0xa5u8; 32], |b| b == [0xa5; 32]);
    assert_eq!(after, [0xa5u8; 32]);
}

// ---------------------------------------------------------------------------------------------
// Drop and growth wipe heap storage (Secret<Vec<u8>>), seen by a watching allocator.
// ---------------------------------------------------------------------------------------------

const CAPTURE_MAX: usize = 4096;

/// The system allocator, plus: when the block at `WATCH` is freed, its bytes are copied into
/// `CAPTURED` first. The default `realloc` (alloc, copy, dealloc) is kept on purpose, so that a
/// block given up by a reallocation passes through `dealloc` and is captured too.
struct Watching;

static WATCH: AtomicUsize = AtomicUsize::new(0);
static CAPTURED_LEN: AtomicUsize = AtomicUsize::new(0);
static CAPTURED_DONE: AtomicBool = AtomicBool::new(false);
static CAPTURED: [AtomicU8; CAPTURE_MAX] = [const { AtomicU8::new(0) }; CAPTURE_MAX];

// SAFETY: allocation and deallocation are delegated unchanged to `System`; the extra work in
// `dealloc` only reads the block being freed (before it is freed) and writes atomics.
unsafe impl GlobalAlloc for Watching {
    unsafe fn alloc(&self, layout: Layout) -> *mut u8 {
        // SAFETY: forwarded with the caller's guarantees about `layout`.
        unsafe { System.alloc(layout) }
    }

    unsafe fn dealloc(&self, ptr: *mut u8, layout: Layout) {
        let watched = WATCH.load(Ordering::SeqCst);
        if watched != 0
            && ptr as usize == watched
            && WATCH
                .compare_exchange(watched, 0, Ordering::SeqCst, Ordering::SeqCst)
                .is_ok()
        {
            let len = layout.size().min(CAPTURE_MAX);
            for (i, cell) in CAPTURED.iter().enumerate().take(len) {
                // SAFETY: `ptr` is a live block of `layout.size()` bytes (the caller of
                // `dealloc` guarantees it) and `i < layout.size()`. The watched blocks are byte
                // vectors whose whole capacity was initialized by the test before watching.
                let byte = unsafe { core::ptr::read_volatile(ptr.add(i)) };
                cell.store(byte, Ordering::SeqCst);
            }
            CAPTURED_LEN.store(len, Ordering::SeqCst);
            CAPTURED_DONE.store(true, Ordering::SeqCst);
        }
        // SAFETY: forwarded with the caller's guarantees about `ptr` and `layout`.
        unsafe { System.dealloc(ptr, layout) }
    }
}

#[global_allocator]
static ALLOCATOR: Watching = Watching;

/// One watch at a time: the tests that use it take this lock.
static WATCH_LOCK: Mutex<()> = Mutex::new(());

/// Runs `free_it`, which must free the block at `ptr`, and returns the bytes the block held
/// when it was freed.
fn bytes_when_freed(ptr: *const u8, free_it: impl FnOnce()) -> Vec<u8> {
    CAPTURED_DONE.store(false, Ordering::SeqCst);
    WATCH.store(ptr as usize, Ordering::SeqCst);
    free_it();
    WATCH.store(0, Ordering::SeqCst);
    assert!(
        CAPTURED_DONE.load(Ordering::SeqCst),
        "the watched block was not freed"
    );
    let len = CAPTURED_LEN.load(Ordering::SeqCst);
    CAPTURED[..len]
        .iter()
        .map(|c| c.load(Ordering::SeqCst))
        .collect()
}

/// A vector whose whole capacity holds `fill`, so every byte of its block is initialized.
fn full_vec(fill: u8, capacity: usize) -> Vec<u8> {
    let v = vec![fill; capacity];
    assert_eq!(v.capacity(), capacity);
    v
}

#[test]
fn heap_control_plain_vec_leaves_bytes_behind() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    // Dropping a plain Vec frees its block unwiped...
    let v = full_vec(0xa5, 64);
    let ptr = v.as_ptr();
    let left = bytes_when_freed(ptr, || drop(v));
    assert_eq!(left, vec![0xa5; 64]);
    // ...and so does growing it.
    let mut v = full_vec(0xa5, 64);
    let ptr = v.as_ptr();
    let left = bytes_when_freed(ptr, || v.push(1));
    assert_eq!(left, vec![0xa5; 64]);
}

#[test]
fn drop_wipes_secret_vec_heap_block() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let v = full_vec(0xa5, 64);
    let ptr = v.as_ptr();
    let s = Secret::new(v);
    let left = bytes_when_freed(ptr, || drop(s));
    assert_eq!(left.len(), 64);
    assert!(left.iter().all(|&b| b == 0), "{left:?}");
}

#[test]
fn drop_wipes_whole_capacity_after_truncate() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let v = full_vec(0xa5, 64);
    let ptr = v.as_ptr();
    let mut s = Secret::new(v);
    s.truncate(3);
    assert_eq!(s.len(), 3);
    let left = bytes_when_freed(ptr, || drop(s));
    assert_eq!(left.len(), 64);
    assert!(left.iter().all(|&b| b == 0), "{left:?}");
}

#[test]
fn truncate_wipes_the_removed_tail() {
    let mut s = Secret::new(full_vec(0xa5, 64));
    s.truncate(10);
    let v = s.declassify();
    assert_eq!(v, vec![0xa5; 10]);
    let tail: Vec<u8> = (10..64)
        // SAFETY: `i < 64 == capacity`, inside the allocation; those bytes were initialized
        // with 0xa5 by `full_vec` (and then possibly overwritten by the wipe).
        .map(|i| unsafe { core::ptr::read_volatile(v.as_ptr().add(i)) })
        .collect();
    assert!(tail.iter().all(|&b| b == 0), "{tail:?}");
}

#[test]
fn growth_by_push_wipes_the_old_block() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let v = full_vec(0xa5, 64);
    let ptr = v.as_ptr();
    let mut s = Secret::new(v);
    let left = bytes_when_freed(ptr, || s.push(Secret::new(0x5a)));
    assert_eq!(left.len(), 64);
    assert!(left.iter().all(|&b| b == 0), "{left:?}");
    // The contents moved intact.
    let mut expect = vec![0xa5; 64];
    expect.push(0x5a);
    assert_eq!(s.declassify(), expect);
}

#[test]
fn growth_by_extend_wipes_the_old_block() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let v = full_vec(0xa5, 64);
    let ptr = v.as_ptr();
    let mut s = Secret::new(v);
    let left = bytes_when_freed(ptr, || s.extend_from_slice(&[0x5a; 100]));
    assert_eq!(left.len(), 64);
    assert!(left.iter().all(|&b| b == 0), "{left:?}");
    let mut expect = vec![0xa5; 64];
    expect.extend_from_slice(&[0x5a; 100]);
    assert_eq!(s.declassify(), expect);
}

// ---------------------------------------------------------------------------------------------
// Drop wipes secrets that live on the heap: the case where an optimizer deletes an ordinary
// store as dead (nothing reads the block before it is freed). secret-core's wipe is an ordinary
// store plus a compiler fence; `scripts/test-all` runs this file with `--release` too. (The
// watching allocator reads the block, which by itself keeps a store alive here; that the fence
// keeps it in ordinary optimized code is checked on the compiled binary by
// `tests/arch-check/wipe-codegen.sh`.)
// ---------------------------------------------------------------------------------------------

/// Boxes `value`, checks the block holds its bytes (control), drops the box and returns the
/// bytes the block held when it was freed.
fn boxed_bytes_when_freed<T>(value: T, expect_before: impl Fn(&[u8]) -> bool) -> Vec<u8> {
    let boxed = Box::new(value);
    let ptr = (&*boxed as *const T).cast::<u8>();
    let before: Vec<u8> = (0..core::mem::size_of::<T>())
        // SAFETY: `i < size_of::<T>()` inside the live box; the tested types have no padding.
        .map(|i| unsafe { core::ptr::read_volatile(ptr.add(i)) })
        .collect();
    assert!(expect_before(&before), "control: {before:?}");
    bytes_when_freed(ptr, || free(boxed))
}

/// Drops a box in a function of its own, as ordinary code does.
#[inline(never)]
fn free<T>(boxed: Box<T>) {
    drop(boxed);
}

#[test]
fn drop_wipes_boxed_secrets_before_the_block_is_freed() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let left = boxed_bytes_when_freed(Secret::new(0xa5a5_a5a5_a5a5_a5a5u64), |b| b == [0xa5; 8]);
    assert_eq!(left, vec![0; 8]);
    let left = boxed_bytes_when_freed(Secret::new([0xa5u8; 32]), |b| b == [0xa5; 32]);
    assert_eq!(left, vec![0; 32]);
    let left = boxed_bytes_when_freed([(); 8].map(|_| Secret::new(0xa5a5_a5a5u32)), |b| {
        b == [0xa5; 32]
    });
    assert_eq!(left, vec![0; 32]);
    let left = boxed_bytes_when_freed(SecretBool::new(true), |b| b == [0xff; 8]);
    assert_eq!(left, vec![0; 8]);
}

#[test]
fn heap_control_a_plain_box_is_freed_with_its_bytes() {
    let _guard = WATCH_LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let left = boxed_bytes_when_freed(0xa5a5_a5a5_a5a5_a5a5u64, |b| b == [0xa5; 8]);
    assert_eq!(left, vec![0xa5; 8]);
}
