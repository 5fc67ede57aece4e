//! [`Secret<T>`]: the wrapper that keeps a value secret until it is explicitly declassified.
#![allow(unsafe_code)]

use crate::taint;
use core::fmt;
use core::mem::ManuallyDrop;
use zeroize::{Zeroize, ZeroizeOnDrop};

/// A secret value of type `T`.
///
/// - Made by [`Secret::new`] (classify) and left only by [`Secret::declassify`]: there is no
///   `Deref`, no `AsRef`, no `Into<T>`, no field access.
/// - Everything computed from a secret is a secret: operators, comparisons (which give a
///   [`SecretBool`](crate::SecretBool), not a `bool`), selection, lookup, division.
/// - Never printed: `Debug` shows `Secret<u32>(<redacted>)`; `Display` does not exist.
/// - Never compared with `==` or `<`: use [`CtEq`](crate::CtEq) and the `ct_*` methods.
/// - Not `Copy` (every copy is an explicit `clone()`); zeroed when dropped ([`ZeroizeOnDrop`]).
///
/// # What is wiped, and when
///
/// - **Drop, of plain data** (integers, arrays and structs of them, `SecretBool`): whenever a
///   `Secret` is dropped (end of scope, its owner dropped: a `Box` freed, a `Vec` or array
///   dropped, or the old value replaced by an assignment `*s = new`), every byte of memory it
///   occupies is zero before any later write of the program, the free of a heap block
///   included. So the last value held in a memory location is zero once its `Secret` is gone,
///   and an assignment leaves the new secret there, never the old one. A value the compiler
///   keeps only in registers occupies no memory and nothing is stored.
/// - **In-place updates, without a drop**: the compound assignments (`+=`, `^=`, `<<=`, ...),
///   [`rotate_left_assign`](Secret::rotate_left_assign),
///   [`rotate_right_assign`](Secret::rotate_right_assign) and [`assign`](Secret::assign) write
///   the new value over every byte of the old one (integers and arrays of them have no
///   padding), so the old value is gone from that memory without a zero store, and the same
///   guarantee holds: the last value held there is the current secret, and it is zeroed when
///   the `Secret` is dropped. They do not order anything with a fence, so the optimizer may
///   keep a secret behind `&mut` in registers between updates and store it later, as it does
///   for plain code: use them for state in arrays or structs behind `&mut` (measured in
///   `no_std-examples/README.md`; [the guide](crate::guide#state-behind-mut-update-in-place)).
/// - **Drop, of heap-backed values** (`Secret<Vec<u8>>`): `zeroize` wipes the whole capacity
///   before the block is freed, and growth wipes the block it leaves.
/// - **Not by drop**: copies the compiler makes in registers, spill slots and callee frames
///   (use [`wipe::with_clean_stack`](crate::wipe::with_clean_stack), or `with_clean_stack_bare`
///   on bare metal), and values moved out with [`declassify`](Secret::declassify).
///
/// The zeroing is an ordinary store kept by a compiler fence (`erase`, below), checked in the
/// emitted assembly for x86_64, Cortex-M0 and Cortex-M4 by `cargo xtask wipe-codegen` and at
/// run time by `tests/tests/zeroize.rs`; its cost is in the crate docs ("Cost").
///
/// ```
/// use secret_core::Secret;
/// let key = Secret::new(0x1234_5678u32);
/// let mixed = (&key ^ 0xffff_0000).rotate_left(8) + &key;
/// assert_eq!(format!("{mixed:?}"), "Secret<u32>(<redacted>)");
/// let public: u32 = mixed.declassify();
/// assert_eq!(public, ((0x1234_5678u32 ^ 0xffff_0000).rotate_left(8)).wrapping_add(0x1234_5678));
/// ```
#[repr(transparent)]
pub struct Secret<T: Zeroize> {
    pub(crate) value: T,
}

impl<T: Zeroize> Secret<T> {
    /// Classifies `value`: from here on it is secret.
    ///
    /// With the `taint` feature (or `--cfg secret_taint`), the value's bytes are marked
    /// *undefined* for valgrind memcheck, so ct-verify reports every branch or memory address
    /// that depends on them. Only types without drop glue are marked (integers, arrays, plain
    /// structs); heap-backed values such as `Vec<u8>` are tainted by their own constructors.
    #[inline(always)]
    pub fn new(value: T) -> Self {
        let secret = Secret { value };
        taint::classify(&secret.value);
        secret
    }

    /// Wraps a value computed from secrets (no taint request: it is already tainted).
    #[inline(always)]
    pub(crate) const fn from_raw(value: T) -> Self {
        Secret { value }
    }

    /// Declassifies: gives the value back as a plain, public `T`.
    ///
    /// This is the only way out of a `Secret`. Call it only on values that may become public
    /// (a MAC verdict, a ciphertext); `cargo ct-verify --list-declassify` lists every call site.
    /// Under `cargo ct-verify`, a branch or address the check computes from the returned value
    /// is reported as a leak with this call's place, unless the check allows the site.
    #[inline(always)]
    pub fn declassify(self) -> T {
        let this = ManuallyDrop::new(self);
        // SAFETY: `this` is a `ManuallyDrop` that is never used or dropped again, so the value is
        // moved out exactly once; `this.value` is a valid, initialized `T`.
        let value = unsafe { core::ptr::read(&this.value) };
        taint::declassify(&value);
        value
    }
}

impl<T: crate::CtPlain> Secret<T> {
    /// Overwrites the value in place with `new`'s: `*self = new` without dropping the old value.
    ///
    /// For a secret in memory (state in an array or struct behind `&mut`), `*s = expr` drops
    /// the old `Secret` first: a zero store kept by a compiler fence, which makes the optimizer
    /// store the state on every assignment instead of keeping it in registers (see "What is
    /// wiped, and when" on [`Secret`](struct@Secret)). `assign` writes the new value
    /// over the old one instead. `T` is plain data without padding (integers and arrays of
    /// them, [`CtPlain`](crate::CtPlain)), so every byte of the old value is overwritten by the
    /// new value and nothing of the old value is left in `self`'s memory to wipe. `new` itself
    /// is moved, not dropped: as with every move in Rust, a copy the compiler had made of it
    /// elsewhere (a stack slot of a temporary) is not wiped by this call; the value lives on in
    /// `self` and is wiped when `self` is dropped. For shifts, rotations and arithmetic prefer
    /// the in-place operators (`+=`, `^=`, `<<=`, [`rotate_left_assign`](Secret::rotate_left_assign)).
    ///
    /// ```
    /// use secret_core::Secret;
    /// let mut state = [Secret::new(3u32), Secret::new(5u32)];
    /// let [a, b] = &mut state;
    /// a.assign(&*a * &*b); // not `*a = &*a * &*b`, which would wipe `*a` first
    /// assert_eq!(state[0].clone().declassify(), 15);
    /// ```
    #[inline(always)]
    pub fn assign(&mut self, new: Secret<T>) {
        let new = ManuallyDrop::new(new);
        // No drop of the old value: `T: CtPlain` is `Copy` (no drop glue), and the plain
        // assignment writes all of its bytes (no padding).
        self.value = new.value;
    }
}

impl<T: Zeroize> Drop for Secret<T> {
    /// Wipes the value: fenced zero stores for plain data (integers, arrays, structs of them;
    /// see "Cost" in the crate docs), and `T`'s own [`Zeroize`] for heap-backed values such as
    /// `Vec<u8>`.
    #[inline(always)]
    fn drop(&mut self) {
        if core::mem::needs_drop::<T>() {
            self.value.zeroize();
        } else {
            // SAFETY: `T` has no drop glue, so after this `drop` nothing reads the value again.
            unsafe { erase(&mut self.value) };
        }
    }
}

/// Zeroes the memory a value occupies, in a way the optimizer keeps exactly when that memory
/// exists.
///
/// This is the drop-time wipe of every secret without drop glue, and the design choice behind
/// secret-core's zero-cost claim (see the crate docs, "Cost"). It is one ordinary store of
/// zeros (a `memset` for larger values) followed by `compiler_fence(Release)`:
///
/// - If the value lives in memory (on the heap, in a struct or array behind a reference, in a
///   stack slot because its address was taken or it is indexed at run time), the fence keeps
///   the stores: a release fence orders them before every later write, the free of a heap
///   block included, so LLVM does not delete them as dead, and the wipe happens. That is
///   LLVM's behaviour, not a language guarantee: `cargo xtask wipe-codegen` checks it in the
///   assembly for x86_64, Cortex-M0 and Cortex-M4, against a control whose unfenced store LLVM
///   does delete.
/// - If the optimizer keeps the value only in registers, the memory does not exist, and
///   neither do the stores: the wipe costs nothing. `zeroize`'s volatile write would instead
///   create a stack slot that never held the value, only to write zero into it: one store per
///   drop (320 per ChaCha20 block), and a slot that never held the secret. Registers and spill
///   slots are what [`wipe::with_clean_stack`](crate::wipe::with_clean_stack) clears.
///
/// The fence emits no instruction. It keeps the optimizer from moving earlier stores past it,
/// so it has a price for secrets that live in memory: an assignment `*v = v.op()` to a
/// `Secret` in memory stores the zero and then the new value, and the stores before it are
/// made, where plain code may keep the value in a register and store it once at the end (the
/// MAC with its state behind `&mut` in `no_std-examples/README.md`). The in-place updates
/// (`+=`, [`Secret::rotate_left_assign`], [`Secret::assign`]) do not drop, so they have no zero
/// store and no fence. A release fence, unlike
/// the `SeqCst` one used before, lets later *loads* be served from registers, which is most of
/// what the `SeqCst` fence cost there (2.83 -> 2.41 times plain on Cortex-M4 at opt-level 3).
/// No wipe can be free there and still survive a free: to LLVM, "zero, then overwrite" and
/// "zero, then free" differ only in what follows, and `Drop` cannot see what follows.
///
/// # Safety
/// `place` must not be read as a `T` afterwards (the zero bytes need not be a valid `T`), and
/// `T` must have no drop glue (nothing is dropped, the bytes are overwritten).
#[inline(always)]
pub(crate) unsafe fn erase<T>(place: &mut T) {
    // SAFETY: `place` is valid for writes of `size_of::<T>()` bytes; the caller promises that
    // the value is not used as a `T` again and owns nothing that would leak.
    unsafe { core::ptr::write_bytes((place as *mut T).cast::<u8>(), 0, core::mem::size_of::<T>()) };
    core::sync::atomic::compiler_fence(core::sync::atomic::Ordering::Release);
}

impl<T: Zeroize> Zeroize for Secret<T> {
    #[inline(always)]
    fn zeroize(&mut self) {
        self.value.zeroize();
    }
}

impl<T: Zeroize> ZeroizeOnDrop for Secret<T> {}

impl<T: Zeroize + Clone> Clone for Secret<T> {
    #[inline(always)]
    fn clone(&self) -> Self {
        Secret::from_raw(self.value.clone())
    }
}

impl<T: Zeroize + Default> Default for Secret<T> {
    /// A secret holding `T::default()` (classified like any other value).
    #[inline(always)]
    fn default() -> Self {
        Secret::new(T::default())
    }
}

impl<T: Zeroize> fmt::Debug for Secret<T> {
    /// Prints the type, never the value: `Secret<[u8; 32]>(<redacted>)`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "Secret<{}>(<redacted>)", core::any::type_name::<T>())
    }
}

// The where clause is there for its comment: rustc prints this impl's header when
// `let wide: Secret<u64> = narrow.into()` fails, and no guard can hook that error.
impl<T> From<T> for Secret<T>
where
    T: Zeroize, // classifies a plain `T`; a secret of another width converts with `.cast::<U>()`
{
    /// Same as [`Secret::new`]: classifying is always allowed; only the way out is explicit.
    #[inline(always)]
    fn from(value: T) -> Self {
        Secret::new(value)
    }
}
