//! `Debug` never shows a secret's value: not in `{:?}`, not in `{:#?}`, not in `{:x?}`, not
//! nested inside derived `Debug` of an ordinary struct or an `Option`.

use secret_core::{Secret, SecretBool, SecretOption};

/// Every `Debug` rendering of `value` that we check.
fn renderings<T: core::fmt::Debug>(value: &T) -> [String; 4] {
    [
        format!("{value:?}"),
        format!("{value:#?}"),
        format!("{value:x?}"),
        format!("{value:#X?}"),
    ]
}

/// Asserts that no rendering of `value` contains any of `forbidden` (compared
/// case-insensitively), and that the check itself is meaningful: each forbidden string does
/// appear in the plain value's rendering `plain`.
fn assert_redacted<T: core::fmt::Debug>(value: &T, plain: &str, forbidden: &[&str]) {
    let plain = plain.to_lowercase();
    for needle in forbidden {
        let needle = needle.to_lowercase();
        assert!(
            plain.contains(&needle),
            "test bug: {needle:?} is not how the plain value renders ({plain:?})"
        );
        for rendered in renderings(value) {
            assert!(
                !rendered.to_lowercase().contains(&needle),
                "{rendered:?} reveals {needle:?}"
            );
        }
    }
}

/// Every rendering of `a` equals the matching rendering of `b`: the output cannot depend on
/// the value at all.
fn assert_same_rendering<T: core::fmt::Debug>(a: &T, b: &T) {
    assert_eq!(renderings(a), renderings(b));
}

#[test]
fn secret_u32() {
    let v = 0xdead_beefu32;
    let s = Secret::new(v);
    let plain = format!("{v} {v:x} {v:X} {v:#x} {v:?} {v:x?} {v:b}");
    assert_redacted(
        &s,
        &plain,
        &[
            "3735928559",
            "deadbeef",
            "0xdeadbeef",
            "11011110101011011011111011101111",
        ],
    );
    assert_same_rendering(&s, &Secret::new(0u32));
    assert_same_rendering(&s, &Secret::new(u32::MAX));
}

#[test]
fn secret_signed_and_wide_integers() {
    let v = -1_234_567_891i64;
    assert_redacted(
        &Secret::new(v),
        &format!("{v} {v:x}"),
        &["1234567891", "b669fd2d"],
    );
    assert_same_rendering(&Secret::new(v), &Secret::new(0));
    let w = 0x0123_4567_89ab_cdef_fedc_ba98_7654_3210u128;
    assert_redacted(
        &Secret::new(w),
        &format!("{w} {w:x}"),
        &[
            "1512366075204170947332355369683137040",
            "123456789abcdeffedcba9876543210",
        ],
    );
    assert_same_rendering(&Secret::new(w), &Secret::new(u128::MAX));
}

#[test]
fn secret_byte_array() {
    let key: [u8; 32] = core::array::from_fn(|i| 0xc0 + i as u8 % 16);
    let s = Secret::new(key);
    let plain = format!("{key:?} {key:x?}");
    // Decimal renderings of the bytes (none of which is "32" or "8", which the type name has),
    // the hex renderings, and the whole plain rendering.
    assert_redacted(
        &s,
        &plain,
        &[
            "192",
            "193",
            "207",
            "c0",
            "c5",
            "cf",
            &format!("{key:?}")[..20],
        ],
    );
    assert_same_rendering(&s, &Secret::new([0u8; 32]));
}

#[test]
fn secret_vec() {
    let password = b"hunter2-correct-horse".to_vec();
    let plain = format!("{:?} {}", password, String::from_utf8_lossy(&password));
    let s = Secret::new(password);
    assert_redacted(&s, &plain, &["hunter2", "104, 117, 110", "104"]);
    let other = Secret::from_slice(b"xyzzy-other-words-abc");
    assert_same_rendering(&s, &other);
}

#[test]
fn secret_bool() {
    let t = SecretBool::new(true);
    let f = SecretBool::new(false);
    assert_same_rendering(&t, &f);
    for rendered in renderings(&t) {
        assert!(!rendered.contains("true"), "{rendered:?}");
        assert!(!rendered.contains("false"), "{rendered:?}");
    }
    // A comparison result renders the same whichever way the comparison went.
    let (a, b) = (Secret::new(1u8), Secret::new(2u8));
    assert_same_rendering(&a.ct_eq(&a), &a.ct_eq(&b));
}

#[test]
fn secret_option() {
    let v = 0xdead_beefu32;
    let some = SecretOption::new(Secret::new(v), SecretBool::new(true));
    let none = SecretOption::new(Secret::new(7u32), SecretBool::new(false));
    assert_redacted(&some, &format!("{v} {v:x}"), &["3735928559", "deadbeef"]);
    // Neither the value nor whether it is present shows.
    assert_same_rendering(&some, &none);
    for rendered in renderings(&some) {
        assert!(!rendered.contains("Some"), "{rendered:?}");
        assert!(!rendered.contains("None"), "{rendered:?}");
        assert!(!rendered.contains("true"), "{rendered:?}");
    }
}

#[test]
fn nested_in_ordinary_debug() {
    #[derive(Debug)]
    #[allow(dead_code)] // the fields are read by Debug only
    struct Session {
        id: u32,
        key: Secret<u64>,
        flag: SecretBool,
        maybe: Option<Secret<[u8; 4]>>,
    }
    let session = Session {
        id: 17,
        key: Secret::new(0x5eed_5eed_5eed_5eed),
        flag: SecretBool::new(true),
        maybe: Some(Secret::new([0xab, 0xcd, 0xef, 0x99])),
    };
    let plain = format!(
        "{} {:x} {:?} {:x?}",
        0x5eed_5eed_5eed_5eedu64,
        0x5eed_5eed_5eed_5eedu64,
        [0xabu8, 0xcd, 0xef, 0x99],
        [0xabu8, 0xcd, 0xef, 0x99]
    );
    assert_redacted(
        &session,
        &plain,
        &[
            "6840227782638526189",
            "5eed5eed",
            "171",
            "205",
            "239",
            "153",
            "ab",
            "cd",
            "ef",
        ],
    );
    // The public field is still shown: redaction is per secret, not per struct.
    assert!(format!("{session:?}").contains("17"));
}
