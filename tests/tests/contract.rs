//! The API contract of secret-core (issue 2), checked through the crate-root names only:
//! `Secret`, `SecretBool`, `SecretOption`, `CtEq`, `CtSelect`, `ct_lookup` (plus `Declassify`).
//!
//! Trait presence and absence are compile-time assertions (`static_assertions`); behaviour is
//! checked at run time against plain Rust on exhaustive or corner-value inputs.

use core::fmt::{Debug, Display};
use core::hash::Hash;
use core::ops::{Deref, DerefMut, Div, DivAssign, Index, Rem, RemAssign};
use secret_core::{ct_lookup, CtEq, CtSelect, Declassify, Secret, SecretBool, SecretOption};
use static_assertions::{assert_impl_all, assert_not_impl_any};
use std::cell::Cell;
use zeroize::{Zeroize, ZeroizeOnDrop};

// ---------------------------------------------------------------------------------------------
// Traits a secret has, and the ones it must not have.
// ---------------------------------------------------------------------------------------------

macro_rules! secret_int_contract {
    ($($t:ty),*) => {$(
        assert_impl_all!(Secret<$t>: Clone, Zeroize, ZeroizeOnDrop, Debug, CtEq, CtSelect);
        assert_impl_all!(Secret<$t>: subtle::ConstantTimeEq, subtle::ConstantTimeGreater,
            subtle::ConstantTimeLess);
        assert_not_impl_any!(Secret<$t>: Copy, PartialEq, PartialOrd, Eq, Ord, Hash, Display,
            Deref, DerefMut, AsRef<$t>, core::borrow::Borrow<$t>, Into<$t>);
        assert_not_impl_any!(Secret<$t>: PartialEq<$t>, PartialOrd<$t>, core::fmt::LowerHex,
            core::fmt::UpperHex, core::fmt::Binary, core::fmt::Octal);
        assert_not_impl_any!(Secret<$t>: Div<Secret<$t>>, Div<&'static Secret<$t>>, Div<$t>,
            Rem<Secret<$t>>, Rem<&'static Secret<$t>>, Rem<$t>, DivAssign<$t>, RemAssign<$t>);
        assert_not_impl_any!(&'static Secret<$t>: Div<Secret<$t>>, Rem<Secret<$t>>);
        assert_not_impl_any!($t: From<Secret<$t>>, PartialEq<Secret<$t>>);
        // `table[secret]` for arrays, slices and vectors.
        assert_not_impl_any!([$t; 4]: Index<Secret<usize>>, Index<&'static Secret<usize>>);
        assert_not_impl_any!([$t]: Index<Secret<usize>>);
        assert_not_impl_any!(Vec<$t>: Index<Secret<usize>>);
    )*};
}

secret_int_contract!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize);

macro_rules! secret_bytes_contract {
    ($($n:literal),*) => {$(
        assert_impl_all!(Secret<[u8; $n]>: Clone, Zeroize, ZeroizeOnDrop, Debug, CtEq, CtSelect,
            subtle::ConstantTimeEq);
        assert_not_impl_any!(Secret<[u8; $n]>: Copy, PartialEq, PartialOrd, Hash, Display, Deref,
            AsRef<[u8]>, Into<[u8; $n]>);
        assert_impl_all!([Secret<u8>; $n]: CtEq, CtSelect);
    )*};
}

secret_bytes_contract!(0, 1, 7, 8, 9, 16, 31, 32, 33, 64, 1024);

// Arrays of every kind of secret are CtEq + CtSelect.
assert_impl_all!([Secret<u32>; 4]: CtEq, CtSelect, Declassify);
assert_impl_all!([Secret<i64>; 3]: CtEq, CtSelect);
assert_impl_all!([SecretBool; 2]: CtEq, CtSelect, Declassify);
assert_impl_all!([[Secret<u8>; 2]; 2]: CtEq, CtSelect);
assert_impl_all!(Secret<[u32; 4]>: CtEq, CtSelect, Clone, ZeroizeOnDrop);

assert_impl_all!(SecretBool: Clone, Debug, Zeroize, ZeroizeOnDrop, CtEq, CtSelect, Declassify);
assert_impl_all!(SecretBool: From<subtle::Choice>, Into<subtle::Choice>, subtle::ConstantTimeEq);
assert_not_impl_any!(SecretBool: Copy, PartialEq, PartialOrd, Hash, Display, Deref, Into<bool>);
assert_not_impl_any!(bool: From<SecretBool>, PartialEq<SecretBool>);

assert_impl_all!(Secret<u32>: Declassify<Public = u32>);
assert_impl_all!(SecretBool: Declassify<Public = bool>);
assert_impl_all!(Secret<Vec<u8>>: Clone, Zeroize, ZeroizeOnDrop, Debug, CtEq);
assert_not_impl_any!(Secret<Vec<u8>>: Copy, PartialEq, Hash, Display, Deref, AsRef<[u8]>,
    Into<Vec<u8>>);
assert_not_impl_any!(Vec<u8>: From<Secret<Vec<u8>>>);

assert_impl_all!(SecretOption<Secret<u32>>: Debug, Clone, CtSelect, CtEq);
assert_not_impl_any!(SecretOption<Secret<u32>>: Copy, PartialEq, Display);

// ---------------------------------------------------------------------------------------------
// Construction and the way out.
// ---------------------------------------------------------------------------------------------

#[test]
fn new_and_declassify_round_trip_for_any_zeroize_type() {
    assert_eq!(Secret::new(0xdead_beefu32).declassify(), 0xdead_beef);
    assert_eq!(Secret::new(-5i8).declassify(), -5);
    assert_eq!(Secret::new(u128::MAX - 3).declassify(), u128::MAX - 3);
    assert_eq!(Secret::new([7u8; 32]).declassify(), [7u8; 32]);
    assert_eq!(Secret::new([1u16, 2, 3]).declassify(), [1, 2, 3]);
    assert_eq!(Secret::new(vec![1u8, 2, 3]).declassify(), vec![1, 2, 3]);
    assert!(SecretBool::new(true).declassify());
    assert!(!SecretBool::new(false).declassify());
}

#[test]
fn clone_is_independent() {
    let a = Secret::new(41u64);
    let mut b = a.clone();
    b += 1;
    assert_eq!(a.declassify(), 41);
    assert_eq!(b.declassify(), 42);
    let t = SecretBool::new(true);
    let u = !t.clone();
    assert!(t.declassify());
    assert!(!u.declassify());
}

/// The `Declassify` trait gives the same plain value as the inherent methods.
fn open<D: Declassify>(d: D) -> D::Public {
    d.declassify()
}

#[test]
fn declassify_trait() {
    assert_eq!(open(Secret::new(0x1234u16)), 0x1234);
    assert_eq!(open(Secret::new([9u8, 8, 7])), [9, 8, 7]);
    assert!(open(SecretBool::new(true)));
    assert!(!open(SecretBool::new(false)));
    assert_eq!(
        open([Secret::new(1u32), Secret::new(2), Secret::new(3)]),
        [1, 2, 3]
    );
    assert_eq!(
        open([SecretBool::new(true), SecretBool::new(false)]),
        [true, false]
    );
}

// ---------------------------------------------------------------------------------------------
// SecretBool: truth tables and subtle::Choice.
// ---------------------------------------------------------------------------------------------

const BOOLS: [bool; 2] = [false, true];

#[test]
fn secretbool_truth_tables_owned_and_borrowed() {
    let s = SecretBool::new;
    for a in BOOLS {
        assert_eq!((!s(a)).declassify(), !a, "!{a}");
        assert_eq!((!&s(a)).declassify(), !a, "!&{a}");
        for b in BOOLS {
            let (and, or, xor) = (a & b, a | b, a ^ b);
            assert_eq!((s(a) & s(b)).declassify(), and, "{a} & {b}");
            assert_eq!((s(a) & &s(b)).declassify(), and, "{a} & &{b}");
            assert_eq!((&s(a) & s(b)).declassify(), and, "&{a} & {b}");
            assert_eq!((&s(a) & &s(b)).declassify(), and, "&{a} & &{b}");
            assert_eq!((s(a) | s(b)).declassify(), or, "{a} | {b}");
            assert_eq!((s(a) | &s(b)).declassify(), or, "{a} | &{b}");
            assert_eq!((&s(a) | s(b)).declassify(), or, "&{a} | {b}");
            assert_eq!((&s(a) | &s(b)).declassify(), or, "&{a} | &{b}");
            assert_eq!((s(a) ^ s(b)).declassify(), xor, "{a} ^ {b}");
            assert_eq!((s(a) ^ &s(b)).declassify(), xor, "{a} ^ &{b}");
            assert_eq!((&s(a) ^ s(b)).declassify(), xor, "&{a} ^ {b}");
            assert_eq!((&s(a) ^ &s(b)).declassify(), xor, "&{a} ^ &{b}");

            let mut x = s(a);
            x &= s(b);
            assert_eq!(x.declassify(), and, "{a} &= {b}");
            let mut x = s(a);
            x &= &s(b);
            assert_eq!(x.declassify(), and, "{a} &= &{b}");
            let mut x = s(a);
            x |= s(b);
            assert_eq!(x.declassify(), or, "{a} |= {b}");
            let mut x = s(a);
            x |= &s(b);
            assert_eq!(x.declassify(), or, "{a} |= &{b}");
            let mut x = s(a);
            x ^= s(b);
            assert_eq!(x.declassify(), xor, "{a} ^= {b}");
            let mut x = s(a);
            x ^= &s(b);
            assert_eq!(x.declassify(), xor, "{a} ^= &{b}");

            assert_eq!(
                CtEq::ct_eq(&s(a), &s(b)).declassify(),
                a == b,
                "{a} ct_eq {b}"
            );
            assert_eq!(
                CtEq::ct_ne(&s(a), &s(b)).declassify(),
                a != b,
                "{a} ct_ne {b}"
            );
            let c = subtle::ConstantTimeEq::ct_eq(&s(a), &s(b));
            assert_eq!(c.unwrap_u8() == 1, a == b, "subtle {a} ct_eq {b}");
        }
    }
}

#[test]
fn secretbool_results_are_full_masks_that_compose() {
    // `!` of a comparison result, and results combined from several comparisons, must still
    // select correctly (a 0/1 representation mixed with a mask would break here).
    let (a, b) = (Secret::new(3u32), Secret::new(9u32));
    let lt = a.ct_lt(&b);
    let not_lt = !a.ct_lt(&b);
    assert_eq!(lt.select(&a, &b).declassify(), 3);
    assert_eq!(not_lt.select(&a, &b).declassify(), 9);
    let both = a.ct_lt(&b) & a.ct_ne(&b);
    assert_eq!(
        both.select(&Secret::new(u32::MAX), &b).declassify(),
        u32::MAX
    );
    let neither = a.ct_gt(&b) | a.ct_eq(&b);
    assert_eq!(
        neither
            .select(&Secret::new([0xffu8; 9]), &Secret::new([0x5a; 9]))
            .declassify(),
        [0x5a; 9]
    );
    let from_choice = SecretBool::from(subtle::Choice::from(1));
    assert_eq!(
        from_choice
            .select(&Secret::new(u128::MAX), &Secret::new(0))
            .declassify(),
        u128::MAX
    );
}

#[test]
fn secretbool_select_between_secretbools() {
    let s = SecretBool::new;
    for cond in BOOLS {
        for a in BOOLS {
            for b in BOOLS {
                let got = s(cond).select(&s(a), &s(b)).declassify();
                assert_eq!(got, if cond { a } else { b }, "{cond} ? {a} : {b}");
            }
        }
    }
}

#[test]
fn secretbool_subtle_choice_round_trip() {
    for b in BOOLS {
        let choice: subtle::Choice = SecretBool::new(b).into();
        assert_eq!(choice.unwrap_u8(), u8::from(b));
        let back = SecretBool::from(subtle::Choice::from(u8::from(b)));
        assert_eq!(back.declassify(), b);
        // A Choice from subtle's own comparison.
        let c = subtle::ConstantTimeEq::ct_eq(&5u32, &if b { 5 } else { 6 });
        assert_eq!(SecretBool::from(c).declassify(), b);
    }
}

// ---------------------------------------------------------------------------------------------
// subtle's traits on secrets agree with the ct_* methods.
// ---------------------------------------------------------------------------------------------

macro_rules! subtle_agreement {
    ($name:ident, $t:ty, [$($v:expr),*]) => {
        #[test]
        fn $name() {
            use subtle::{ConstantTimeEq, ConstantTimeGreater, ConstantTimeLess};
            let values: &[$t] = &[$($v),*];
            for &a in values {
                for &b in values {
                    let (sa, sb) = (Secret::<$t>::new(a), Secret::<$t>::new(b));
                    let bit = |c: subtle::Choice| c.unwrap_u8() == 1;
                    assert_eq!(bit(ConstantTimeEq::ct_eq(&sa, &sb)), sa.ct_eq(&sb).declassify());
                    assert_eq!(bit(ConstantTimeEq::ct_ne(&sa, &sb)), sa.ct_ne(&sb).declassify());
                    assert_eq!(bit(ConstantTimeGreater::ct_gt(&sa, &sb)), sa.ct_gt(&sb).declassify());
                    assert_eq!(bit(ConstantTimeLess::ct_lt(&sa, &sb)), sa.ct_lt(&sb).declassify());
                    // ...and both agree with plain comparison (signed types compare signed).
                    assert_eq!(bit(ConstantTimeGreater::ct_gt(&sa, &sb)), a > b, "{a} > {b}");
                    assert_eq!(bit(ConstantTimeLess::ct_lt(&sa, &sb)), a < b, "{a} < {b}");
                    assert_eq!(bit(ConstantTimeEq::ct_eq(&sa, &sb)), a == b, "{a} == {b}");
                }
            }
        }
    };
}

subtle_agreement!(subtle_u8, u8, [0, 1, 0x7f, 0x80, 0xfe, 0xff]);
subtle_agreement!(subtle_u32, u32, [0, 1, 0x7fff_ffff, 0x8000_0000, u32::MAX]);
subtle_agreement!(
    subtle_u128,
    u128,
    [0, 1, u64::MAX as u128, 1 << 64, u128::MAX]
);
subtle_agreement!(subtle_i8, i8, [i8::MIN, -1, 0, 1, i8::MAX]);
subtle_agreement!(
    subtle_i32,
    i32,
    [i32::MIN, i32::MIN + 1, -1, 0, 1, i32::MAX]
);
subtle_agreement!(subtle_i64, i64, [i64::MIN, -1, 0, 1, i64::MAX]);
subtle_agreement!(subtle_isize, isize, [isize::MIN, -2, 0, 2, isize::MAX]);

#[test]
fn subtle_ct_eq_on_byte_arrays() {
    use subtle::ConstantTimeEq;
    let a = Secret::new([3u8; 33]);
    let mut other = [3u8; 33];
    assert_eq!(
        ConstantTimeEq::ct_eq(&a, &Secret::new(other)).unwrap_u8(),
        1
    );
    for pos in [0, 8, 32] {
        other = [3u8; 33];
        other[pos] = 4;
        assert_eq!(
            ConstantTimeEq::ct_eq(&a, &Secret::new(other)).unwrap_u8(),
            0
        );
        assert_eq!(
            ConstantTimeEq::ct_ne(&a, &Secret::new(other)).unwrap_u8(),
            1
        );
    }
}

// ---------------------------------------------------------------------------------------------
// Byte arrays: ct_eq against byte-by-byte equality, a difference in every single position.
// ---------------------------------------------------------------------------------------------

/// A distinctive, position-dependent pattern, so no two positions hold the same byte pattern
/// by accident and a comparison that skips or mis-aligns positions is caught.
fn pattern<const N: usize>() -> [u8; N] {
    core::array::from_fn(|i| (i as u8).wrapping_mul(37).wrapping_add(11))
}

fn check_bytes_ct_eq<const N: usize>() {
    let base: [u8; N] = pattern();
    let sa = Secret::new(base);
    assert!(sa.ct_eq(&Secret::new(base)).declassify(), "N={N}: equal");
    assert!(
        !sa.ct_ne(&Secret::new(base)).declassify(),
        "N={N}: equal, ct_ne"
    );
    assert!(CtEq::ct_eq(&sa, &Secret::new(base)).declassify(), "N={N}");
    for pos in 0..N {
        for flip in [0x01u8, 0x80, 0xff, 0x10] {
            let mut other = base;
            other[pos] ^= flip;
            let reference = base == other; // always false, but computed the plain way
            let so = Secret::new(other);
            assert_eq!(
                sa.ct_eq(&so).declassify(),
                reference,
                "N={N} pos={pos} flip={flip:#x}"
            );
            assert_eq!(sa.ct_ne(&so).declassify(), !reference, "N={N} pos={pos}");
            assert_eq!(
                CtEq::ct_eq(&so, &sa).declassify(),
                reference,
                "N={N} pos={pos}"
            );
            assert_eq!(
                CtEq::ct_ne(&so, &sa).declassify(),
                !reference,
                "N={N} pos={pos}"
            );
        }
    }
    // Differences in two positions at once (first and last) are caught too.
    if N >= 2 {
        let mut other = base;
        other[0] ^= 1;
        other[N - 1] ^= 1;
        assert!(
            !sa.ct_eq(&Secret::new(other)).declassify(),
            "N={N}: two positions"
        );
    }
    // All-zero against all-ones.
    assert_eq!(
        Secret::new([0u8; N])
            .ct_eq(&Secret::new([0xff; N]))
            .declassify(),
        N == 0,
        "N={N}: zeros vs ones"
    );
}

#[test]
fn byte_array_ct_eq_every_position() {
    check_bytes_ct_eq::<0>();
    check_bytes_ct_eq::<1>();
    check_bytes_ct_eq::<7>();
    check_bytes_ct_eq::<8>();
    check_bytes_ct_eq::<9>();
    check_bytes_ct_eq::<31>();
    check_bytes_ct_eq::<32>();
    check_bytes_ct_eq::<33>();
    check_bytes_ct_eq::<1024>();
}

#[test]
fn byte_array_ct_eq_public_and_select() {
    let key: [u8; 33] = pattern();
    let s = Secret::new(key);
    assert!(s.ct_eq_public(&key).declassify());
    let mut other = key;
    other[17] ^= 0x40;
    assert!(!s.ct_eq_public(&other).declassify());
    for cond in BOOLS {
        let got = SecretBool::new(cond)
            .select(&s, &Secret::new(other))
            .declassify();
        assert_eq!(got, if cond { key } else { other });
    }
}

#[test]
fn arrays_of_secrets_ct_eq_and_ct_select() {
    let base = [1u32, 2, 3, 4];
    let a = base.map(Secret::new);
    assert!(a.ct_eq(&base.map(Secret::new)).declassify());
    for pos in 0..4 {
        let mut other = base;
        other[pos] = other[pos].wrapping_add(0x8000_0000);
        let b = other.map(Secret::new);
        assert!(!a.ct_eq(&b).declassify(), "pos {pos}");
        assert!(a.ct_ne(&b).declassify(), "pos {pos}");
        for cond in BOOLS {
            let got = <[Secret<u32>; 4]>::ct_select(&SecretBool::new(cond), &a, &b);
            assert_eq!(open(got), if cond { base } else { other });
        }
    }
    let bools = [SecretBool::new(true), SecretBool::new(false)];
    let same = [SecretBool::new(true), SecretBool::new(false)];
    let diff = [SecretBool::new(true), SecretBool::new(true)];
    assert!(bools.ct_eq(&same).declassify());
    assert!(!bools.ct_eq(&diff).declassify());
}

// ---------------------------------------------------------------------------------------------
// ct_lookup.
// ---------------------------------------------------------------------------------------------

#[test]
fn ct_lookup_reads_every_index() {
    let table: [u8; 256] = core::array::from_fn(|i| (i as u8).rotate_left(3) ^ 0x63);
    for i in 0..256 {
        assert_eq!(
            ct_lookup(&table, &Secret::new(i)).declassify(),
            table[i],
            "index {i}"
        );
    }
    let wide = [u64::MAX, 0x0123_4567_89ab_cdef, 1, 0];
    for (i, &v) in wide.iter().enumerate() {
        assert_eq!(ct_lookup(&wide, &Secret::new(i)).declassify(), v);
    }
    let signed = [i16::MIN, -1, i16::MAX];
    assert_eq!(ct_lookup(&signed, &Secret::new(1)).declassify(), -1);
    let rows = [[1u8, 2, 3], [4, 5, 6], [7, 8, 9]];
    assert_eq!(ct_lookup(&rows, &Secret::new(1)).declassify(), [4, 5, 6]);
}

#[test]
fn ct_lookup_out_of_range_gives_zero() {
    let table = [0xffu8; 16];
    for i in [
        16usize,
        17,
        255,
        256,
        1 << 20,
        usize::MAX / 2 + 1,
        usize::MAX,
    ] {
        assert_eq!(
            ct_lookup(&table, &Secret::new(i)).declassify(),
            0,
            "index {i}"
        );
    }
    let rows = [[0xaau8; 4]; 3];
    assert_eq!(ct_lookup(&rows, &Secret::new(3)).declassify(), [0; 4]);
    let signed = [-1i64; 5];
    assert_eq!(ct_lookup(&signed, &Secret::new(5)).declassify(), 0);
}

#[test]
fn ct_lookup_empty_table_gives_zero() {
    let empty: [u32; 0] = [];
    assert_eq!(ct_lookup(&empty, &Secret::new(0)).declassify(), 0);
    assert_eq!(ct_lookup(&empty, &Secret::new(usize::MAX)).declassify(), 0);
    let empty_slice: &[i8] = &[];
    assert_eq!(ct_lookup(empty_slice, &Secret::new(0)).declassify(), 0);
    let empty_vec: Vec<[u8; 2]> = Vec::new();
    assert_eq!(ct_lookup(&empty_vec, &Secret::new(1)).declassify(), [0, 0]);
}

// ---------------------------------------------------------------------------------------------
// SecretOption.
// ---------------------------------------------------------------------------------------------

/// A type with no `Default` (and no `Copy`, `CtSelect`): subtle's `CtOption::map` cannot hold
/// it (subtle#63); `SecretOption::map` must.
#[derive(Debug, PartialEq)]
struct NoDefault(u32);

#[test]
fn secret_option_basics() {
    for present in BOOLS {
        let opt = SecretOption::new(Secret::new(41u32), SecretBool::new(present));
        assert_eq!(opt.is_some().declassify(), present);
        assert_eq!(opt.is_none().declassify(), !present);
        let got = opt.unwrap_or(Secret::new(7)).declassify();
        assert_eq!(got, if present { 41 } else { 7 });

        let opt = SecretOption::new(Secret::new(41u32), SecretBool::new(present));
        let plain = opt.declassify().map(Secret::declassify);
        assert_eq!(plain, present.then_some(41));
    }
}

#[test]
fn secret_option_map_runs_always_and_needs_no_default() {
    for present in BOOLS {
        let calls = Cell::new(0);
        let opt = SecretOption::new(Secret::new(5u64), SecretBool::new(present));
        let mapped = opt.map(|s| {
            calls.set(calls.get() + 1);
            NoDefault(s.declassify() as u32 * 3)
        });
        assert_eq!(calls.get(), 1, "map must run its closure also when none");
        assert_eq!(mapped.is_some().declassify(), present);
        assert_eq!(mapped.declassify(), present.then_some(NoDefault(15)));
    }
}

#[test]
fn secret_option_and_then() {
    for first in BOOLS {
        for second in BOOLS {
            let calls = Cell::new(0);
            let opt = SecretOption::new(Secret::new(10u16), SecretBool::new(first));
            let chained = opt.and_then(|v| {
                calls.set(calls.get() + 1);
                SecretOption::new(
                    NoDefault(u32::from(v.declassify()) + 1),
                    SecretBool::new(second),
                )
            });
            assert_eq!(
                calls.get(),
                1,
                "and_then must run its closure also when none"
            );
            assert_eq!(
                chained.is_some().declassify(),
                first && second,
                "{first} {second}"
            );
            assert_eq!(
                chained.declassify(),
                (first && second).then_some(NoDefault(11))
            );
        }
    }
}

#[test]
fn secret_option_with_secret_presence() {
    // Presence computed from secrets (a full mask from a comparison).
    let x = Secret::new(0u32);
    let inverse = SecretOption::new(Secret::new(1u32), !x.ct_is_zero());
    assert!(inverse.is_none().declassify());
    assert_eq!(inverse.unwrap_or(Secret::new(99)).declassify(), 99);
    let y = Secret::new(3u32);
    let inverse = SecretOption::new(Secret::new(1u32), !y.ct_is_zero());
    assert_eq!(inverse.unwrap_or(Secret::new(99)).declassify(), 1);
}

// ---------------------------------------------------------------------------------------------
// Secret<Vec<u8>> (feature alloc).
// ---------------------------------------------------------------------------------------------

#[test]
fn secret_vec_push_extend_truncate() {
    let mut v = Secret::new(Vec::new());
    for b in 0..40u8 {
        v.push(Secret::new(b));
    }
    v.extend_from_slice(b"tail");
    assert_eq!(v.len(), 44);
    let mut expect: Vec<u8> = (0..40).collect();
    expect.extend_from_slice(b"tail");
    assert_eq!(v.clone().declassify(), expect);

    v.truncate(10);
    assert_eq!(v.len(), 10);
    assert_eq!(v.clone().declassify(), (0..10).collect::<Vec<u8>>());
    v.truncate(20); // longer than the buffer: no change
    assert_eq!(v.len(), 10);
    v.truncate(0);
    assert!(v.is_empty());
    assert_eq!(v.declassify(), Vec::<u8>::new());
}

#[test]
fn secret_vec_ct_eq() {
    let data: Vec<u8> = (0..50u8).map(|i| i.wrapping_mul(29)).collect();
    let a = Secret::new(data.clone());
    assert!(a.ct_eq(&Secret::new(data.clone())).declassify());
    assert!(!a.ct_ne(&Secret::new(data.clone())).declassify());
    for pos in 0..data.len() {
        let mut other = data.clone();
        other[pos] ^= 0x80;
        assert!(
            !a.ct_eq(&Secret::new(other.clone())).declassify(),
            "pos {pos}"
        );
        assert!(a.ct_ne(&Secret::new(other)).declassify(), "pos {pos}");
    }
    // Different lengths (a prefix) are unequal, in both directions.
    let prefix = Secret::new(data[..49].to_vec());
    assert!(!a.ct_eq(&prefix).declassify());
    assert!(!prefix.ct_eq(&a).declassify());
    let empty = Secret::new(Vec::new());
    assert!(empty.ct_eq(&Secret::new(Vec::new())).declassify());
    assert!(!empty.ct_eq(&a).declassify());
}

// ---------------------------------------------------------------------------------------------
// Integer secrets: a few fixed examples of the contract's operators (the full equivalence is
// in ops_proptest.rs).
// ---------------------------------------------------------------------------------------------

#[test]
fn operators_wrap_instead_of_panicking() {
    assert_eq!((Secret::new(u8::MAX) + 1).declassify(), 0);
    assert_eq!((Secret::new(0u32) - 1).declassify(), u32::MAX);
    assert_eq!((Secret::new(i32::MIN) - 1).declassify(), i32::MAX);
    assert_eq!((Secret::new(i64::MAX) * 2).declassify(), -2);
    assert_eq!((-Secret::new(i8::MIN)).declassify(), i8::MIN);
    assert_eq!((-Secret::new(1u16)).declassify(), u16::MAX);
    assert_eq!((Secret::new(1u32) << 33).declassify(), 2);
    assert_eq!(
        (Secret::new(-8i32) >> 1).declassify(),
        -4,
        "signed shift is arithmetic"
    );
    assert_eq!((Secret::new(0x80u8) >> 7).declassify(), 1);
}

#[test]
fn signed_types_compare_signed() {
    let (neg, pos) = (Secret::new(-1i32), Secret::new(1i32));
    assert!(neg.ct_lt(&pos).declassify());
    assert!(pos.ct_gt(&neg).declassify());
    assert_eq!(neg.ct_min(&pos).declassify(), -1);
    assert_eq!(neg.ct_max(&pos).declassify(), 1);
    let (min, max) = (Secret::new(i128::MIN), Secret::new(i128::MAX));
    assert!(min.ct_lt(&max).declassify());
    assert!(!min.ct_ge(&max).declassify());
}

#[test]
fn ct_div_rem_divisor_zero_and_examples() {
    let (q, r) = Secret::new(100u32).ct_div_rem(&Secret::new(7));
    assert_eq!((q.declassify(), r.declassify()), (14, 2));
    let (q, r) = Secret::new(12345u64).ct_div_rem(&Secret::new(0));
    assert_eq!((q.declassify(), r.declassify()), (u64::MAX, 12345));
    let (q, r) = Secret::new(u128::MAX).ct_div_rem(&Secret::new(u128::MAX));
    assert_eq!((q.declassify(), r.declassify()), (1, 0));
    let (q, r) = Secret::new(u8::MAX).ct_div_rem(&Secret::new(0x80));
    assert_eq!((q.declassify(), r.declassify()), (1, 0x7f));
}

#[test]
fn conditional_swap_both_ways() {
    for swap in BOOLS {
        let (mut a, mut b) = (Secret::new([1u8; 32]), Secret::new([2u8; 32]));
        Secret::<[u8; 32]>::conditional_swap(&mut a, &mut b, &SecretBool::new(swap));
        let expect = if swap {
            ([2; 32], [1; 32])
        } else {
            ([1; 32], [2; 32])
        };
        assert_eq!((a.declassify(), b.declassify()), expect);
    }
}
