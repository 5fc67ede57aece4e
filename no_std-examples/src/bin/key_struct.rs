//! A struct of secrets: constant-time `ct_eq` / `ct_select` on the whole struct, and proof that
//! dropping it wipes its memory.
//!
//! `cargo run --release --target thumbv8m.main-none-eabihf --bin key_struct` (exit 0 = pass).
//!
//! SWITCH (derive vs. hand-written): with the default feature `derive`, `SessionKeys` uses
//! `#[derive(secret_core::Secret)]`, which generates `CtEq`, `CtSelect`, `Zeroize`,
//! `ZeroizeOnDrop` and a redacted `Debug`. `--no-default-features` compiles the hand-written
//! impls in `mod hand_written` below instead: the same code the derive produces, for readers
//! (and for the time the derive does not build). Both variants must pass.
#![no_std]
#![no_main]

use core::mem::{size_of, MaybeUninit};
use core::ptr;
use cortex_m_rt::entry;
use secret_core::{CtEq, CtSelect, Secret, SecretBool};
use secret_firmware::Report;

/// The keys of one session. Every field is a secret; none is ever printed or compared with `==`.
#[cfg_attr(feature = "derive", derive(secret_core::Secret))]
#[derive(Clone)]
pub struct SessionKeys {
    enc_key: Secret<[u8; 32]>,
    mac_key: Secret<[u8; 32]>,
    nonce_counter: Secret<u64>,
}

// 32 + 32 + 8 bytes and no padding, so every byte of the struct is a key byte and reading all
// of them back after the drop reads initialized memory.
const _: () = assert!(size_of::<SessionKeys>() == 72);

#[cfg(not(feature = "derive"))]
mod hand_written {
    //! What `#[derive(secret_core::Secret)]` generates (minus `Debug`), written out.
    use super::SessionKeys;
    use secret_core::zeroize::{Zeroize, ZeroizeOnDrop};
    use secret_core::{CtEq, CtSelect, Secret, SecretBool};

    impl CtEq for SessionKeys {
        /// Every field is compared and the results are ANDed with `&` (never `&&`, which would
        /// skip the later fields when an earlier one differs).
        fn ct_eq(&self, other: &Self) -> SecretBool {
            self.enc_key.ct_eq(&other.enc_key)
                & self.mac_key.ct_eq(&other.mac_key)
                & self.nonce_counter.ct_eq(&other.nonce_counter)
        }
    }

    impl CtSelect for SessionKeys {
        fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
            SessionKeys {
                enc_key: Secret::ct_select(cond, &if_true.enc_key, &if_false.enc_key),
                mac_key: Secret::ct_select(cond, &if_true.mac_key, &if_false.mac_key),
                nonce_counter: Secret::ct_select(
                    cond,
                    &if_true.nonce_counter,
                    &if_false.nonce_counter,
                ),
            }
        }
    }

    impl Zeroize for SessionKeys {
        fn zeroize(&mut self) {
            self.enc_key.zeroize();
            self.mac_key.zeroize();
            self.nonce_counter.zeroize();
        }
    }

    /// No `Drop` impl is needed: every field is a `Secret`, which wipes itself when dropped.
    impl ZeroizeOnDrop for SessionKeys {}
}

fn keys(enc: u8, mac: u8, counter: u64) -> SessionKeys {
    SessionKeys {
        enc_key: Secret::new([enc; 32]),
        mac_key: Secret::new([mac; 32]),
        nonce_counter: Secret::new(counter),
    }
}

/// How many of the `len` bytes at `base` are non-zero, read with volatile loads so the
/// compiler cannot assume what the memory holds.
///
/// # Safety
/// `base..base + len` must be readable, initialized memory.
unsafe fn nonzero_bytes(base: *const u8, len: usize) -> usize {
    (0..len)
        // SAFETY: the caller guarantees `base + i` is readable and initialized for i < len.
        .filter(|&i| unsafe { ptr::read_volatile(base.add(i)) } != 0)
        .count()
}

#[entry]
fn main() -> ! {
    let mut report = Report::new("key_struct");
    report.note(if cfg!(feature = "derive") {
        "SessionKeys uses #[derive(secret_core::Secret)]"
    } else {
        "SessionKeys uses the hand-written impls (built without feature `derive`)"
    });

    // ct_eq looks at every field.
    let a = keys(0x11, 0x22, 7);
    report.check("ct_eq: a == a.clone()", a.ct_eq(&a.clone()).declassify());
    report.check(
        "ct_eq: keys differing in enc_key are unequal",
        !a.ct_eq(&keys(0x10, 0x22, 7)).declassify(),
    );
    report.check(
        "ct_eq: keys differing only in the last field (counter) are unequal",
        !a.ct_eq(&keys(0x11, 0x22, 8)).declassify(),
    );

    // ct_select picks a whole struct by a secret condition.
    let b = keys(0xaa, 0xbb, 0xcc);
    let picked = SessionKeys::ct_select(&SecretBool::new(true), &a, &b);
    report.check("ct_select(true, a, b) = a", picked.ct_eq(&a).declassify());
    let picked = SessionKeys::ct_select(&SecretBool::new(false), &a, &b);
    report.check("ct_select(false, a, b) = b", picked.ct_eq(&b).declassify());
    let mut x = a.clone();
    let mut y = b.clone();
    SessionKeys::ct_swap(&mut x, &mut y, &SecretBool::new(true));
    report.check(
        "ct_swap(true) exchanges the structs",
        (x.ct_eq(&b) & y.ct_eq(&a)).declassify(),
    );

    // Zeroed on drop: build the struct in a slot we keep owning, drop it in place, read the
    // slot back. (Copies the compiler made while building it, e.g. in registers or other stack
    // slots, are not covered: see secret-core's threat model.)
    let mut slot = MaybeUninit::<SessionKeys>::uninit();
    slot.write(keys(0x5a, 0xa5, u64::MAX));
    let base = slot.as_ptr().cast::<u8>();
    let len = size_of::<SessionKeys>();
    // SAFETY: the slot holds an initialized `SessionKeys` of `len` bytes without padding.
    let before = unsafe { nonzero_bytes(base, len) };
    report.check(
        format_args!("before drop: all {len} key bytes are non-zero ({before})"),
        before == len,
    );
    // SAFETY: the slot was initialized by `write` above and is dropped exactly once; it is not
    // used as a `SessionKeys` afterwards (only its raw bytes are read).
    unsafe { ptr::drop_in_place(slot.as_mut_ptr()) };
    // SAFETY: the slot's memory is still ours (a `MaybeUninit` on this stack frame), and the
    // drop just overwrote every byte (no padding), so it is initialized.
    let after = unsafe { nonzero_bytes(base, len) };
    report.check(
        format_args!("after drop_in_place: non-zero bytes left = {after} (want 0)"),
        after == 0,
    );

    report.finish()
}
