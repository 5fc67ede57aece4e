//! Behaviour of `#[derive(secret_core::Secret)]`: what the generated impls do on named, tuple,
//! nested and generic structs, with public fields and with a declassify twin.

use secret_core::zeroize::{Zeroize, ZeroizeOnDrop};
use secret_core::{CtEq, CtSelect, Declassify, Secret, SecretBool};
use static_assertions::{assert_impl_all, assert_not_impl_any};

/// Named fields, a public field, and a public twin.
#[derive(secret_core::Secret)]
#[secret(declassify = KeyPlain)]
struct Key {
    /// The key bytes.
    bytes: Secret<[u8; 16]>,
    flag: SecretBool,
    #[secret(public)]
    id: u32,
}

/// A tuple struct with a twin.
#[derive(secret_core::Secret)]
#[secret(declassify = PairPlain)]
struct Pair(Secret<u64>, Secret<i16>);

/// Nested: fields that are themselves derived structs, and an array of them.
#[derive(secret_core::Secret)]
#[secret(declassify = KeyringPlain)]
struct Keyring {
    main: Key,
    backups: [Pair; 2],
    #[secret(public)]
    label: String,
}

/// Generic, with a where-clause that makes the field secret.
#[derive(secret_core::Secret)]
#[secret(declassify = WrapPlain)]
struct Wrap<T>
where
    T: CtEq + CtSelect + Zeroize + ZeroizeOnDrop,
{
    inner: T,
    #[secret(public)]
    tag: u8,
}

/// Generic over the secret's value type, bounded through `Secret<T>`.
#[derive(secret_core::Secret)]
struct Cell<T: Zeroize>
where
    Secret<T>: CtEq + CtSelect,
{
    value: Secret<T>,
}

/// Generic with no bound at all: the traits exist exactly for the secret instantiations.
#[derive(secret_core::Secret)]
struct Bare<T>(T);

/// A const-generic array of secrets and a generic public field.
#[derive(secret_core::Secret)]
#[secret(declassify = BlockPlain)]
struct Block<P: Clone + PartialEq, const N: usize> {
    words: [Secret<u32>; N],
    #[secret(public)]
    position: P,
}

/// Clone may be derived next to `Secret`.
#[derive(Clone, secret_core::Secret)]
struct Cloneable {
    a: Secret<u8>,
}

/// A heap-backed secret and a borrowed public field with a lifetime.
#[derive(secret_core::Secret)]
struct Message<'a> {
    body: Secret<Vec<u8>>,
    #[secret(public)]
    label: &'a str,
    inner: Tupled,
}

/// A tuple of secrets is a secret field (without a twin: tuples have no `Declassify`).
#[derive(secret_core::Secret)]
struct Tupled {
    pair: (Secret<u8>, SecretBool),
}

/// A public field without `Eq`: the twin is `PartialEq` but not `Eq`.
#[derive(secret_core::Secret)]
#[secret(declassify = ScaledPlain)]
struct Scaled {
    value: Secret<i32>,
    #[secret(public)]
    factor: f64,
}

/// Structs without secret fields are allowed (and trivially equal).
#[derive(secret_core::Secret)]
#[secret(declassify = NothingPlain)]
struct Nothing;

assert_impl_all!(Key: CtEq, CtSelect, Zeroize, ZeroizeOnDrop, core::fmt::Debug, Declassify);
assert_impl_all!(Pair: CtEq, CtSelect, Zeroize, ZeroizeOnDrop, Declassify);
assert_impl_all!(Keyring: CtEq, CtSelect, Zeroize, ZeroizeOnDrop, Declassify);
assert_impl_all!(Wrap<Secret<u32>>: CtEq, CtSelect, Zeroize, ZeroizeOnDrop, Declassify);
assert_impl_all!(Cell<u64>: CtEq, CtSelect, Zeroize, ZeroizeOnDrop);
assert_impl_all!(Bare<SecretBool>: CtEq, CtSelect, Zeroize, ZeroizeOnDrop);
assert_impl_all!(Block<usize, 4>: CtEq, CtSelect, Zeroize, ZeroizeOnDrop, Declassify);
assert_impl_all!(Message<'static>: CtEq, CtSelect, Zeroize, ZeroizeOnDrop);
assert_impl_all!(Tupled: CtEq, CtSelect, Zeroize, ZeroizeOnDrop);
assert_impl_all!(KeyPlain: core::fmt::Debug, Clone, PartialEq, Eq);
assert_impl_all!(KeyringPlain: core::fmt::Debug, Clone, PartialEq, Eq);
assert_impl_all!(ScaledPlain: core::fmt::Debug, Clone, PartialEq);
assert_not_impl_any!(ScaledPlain: Eq);
// Never `==`, `Copy` or `Hash` on the secret side.
assert_not_impl_any!(Key: Copy, PartialEq, core::hash::Hash, PartialOrd);
assert_not_impl_any!(Keyring: Copy, PartialEq, core::hash::Hash);
// A plain instantiation of an unbounded generic gets none of the secret traits.
assert_not_impl_any!(Bare<u32>: CtEq, CtSelect, ZeroizeOnDrop);

fn key(bytes: u8, flag: bool, id: u32) -> Key {
    Key {
        bytes: Secret::new([bytes; 16]),
        flag: SecretBool::new(flag),
        id,
    }
}

fn pair(a: u64, b: i16) -> Pair {
    Pair(Secret::new(a), Secret::new(b))
}

fn keyring(seed: u8) -> Keyring {
    Keyring {
        main: key(seed, true, 7),
        backups: [pair(u64::from(seed), 1), pair(2, i16::from(seed))],
        label: "ring".to_owned(),
    }
}

#[test]
fn ct_eq_named_fields() {
    assert!(key(1, true, 9).ct_eq(&key(1, true, 9)).declassify());
    assert!(!key(1, true, 9).ct_eq(&key(2, true, 9)).declassify());
    assert!(!key(1, true, 9).ct_eq(&key(1, false, 9)).declassify());
    // A differing public field makes the structs unequal too.
    assert!(!key(1, true, 9).ct_eq(&key(1, true, 10)).declassify());
    assert!(key(1, true, 9).ct_ne(&key(1, true, 10)).declassify());
}

#[test]
fn ct_eq_and_select_tuple_struct() {
    assert!(pair(5, -3).ct_eq(&pair(5, -3)).declassify());
    assert!(!pair(5, -3).ct_eq(&pair(5, 3)).declassify());
    let chosen = Pair::ct_select(&SecretBool::new(true), &pair(1, 2), &pair(3, 4));
    assert_eq!(chosen.declassify(), PairPlain(1, 2));
    let chosen = Pair::ct_select(&SecretBool::new(false), &pair(1, 2), &pair(3, 4));
    assert_eq!(chosen.declassify(), PairPlain(3, 4));
}

#[test]
fn ct_select_named_fields_keeps_public_field() {
    let chosen = Key::ct_select(&SecretBool::new(false), &key(1, true, 5), &key(2, false, 5));
    assert_eq!(
        chosen.declassify(),
        KeyPlain {
            bytes: [2; 16],
            flag: false,
            id: 5
        }
    );
    let chosen = SecretBool::new(true).select(&key(1, true, 5), &key(2, false, 5));
    assert_eq!(chosen.declassify().bytes, [1; 16]);
}

#[test]
#[should_panic(expected = "public field `id` differs")]
fn ct_select_refuses_differing_public_fields() {
    let _ = Key::ct_select(&SecretBool::new(true), &key(1, true, 5), &key(1, true, 6));
}

#[test]
fn ct_swap_uses_the_derived_select() {
    let mut a = pair(1, 1);
    let mut b = pair(2, 2);
    Pair::ct_swap(&mut a, &mut b, &SecretBool::new(false));
    assert_eq!((a.0.clone().declassify(), b.0.clone().declassify()), (1, 2));
    Pair::ct_swap(&mut a, &mut b, &SecretBool::new(true));
    assert_eq!(
        (a.declassify(), b.declassify()),
        (PairPlain(2, 2), PairPlain(1, 1))
    );
}

#[test]
fn nested_structs() {
    assert!(keyring(3).ct_eq(&keyring(3)).declassify());
    assert!(!keyring(3).ct_eq(&keyring(4)).declassify());
    let mut other = keyring(3);
    other.backups[1] = pair(2, 99);
    assert!(!keyring(3).ct_eq(&other).declassify());

    let chosen = Keyring::ct_select(&SecretBool::new(false), &keyring(3), &keyring(4));
    let plain: KeyringPlain = chosen.declassify();
    assert_eq!(
        plain,
        KeyringPlain {
            main: KeyPlain {
                bytes: [4; 16],
                flag: true,
                id: 7
            },
            backups: [PairPlain(4, 1), PairPlain(2, 4)],
            label: "ring".to_owned(),
        }
    );
}

#[test]
fn generic_structs() {
    let w = |v: u32, tag: u8| Wrap {
        inner: Secret::new(v),
        tag,
    };
    assert!(w(1, 0).ct_eq(&w(1, 0)).declassify());
    assert!(!w(1, 0).ct_eq(&w(2, 0)).declassify());
    let chosen = Wrap::ct_select(&SecretBool::new(true), &w(1, 0), &w(2, 0));
    assert_eq!(chosen.declassify(), WrapPlain { inner: 1, tag: 0 });

    let c = |v: u64| Cell {
        value: Secret::new(v),
    };
    assert!(c(9).ct_eq(&c(9)).declassify());
    assert!(!c(9).ct_eq(&c(8)).declassify());
    assert!(Cell::ct_select(&SecretBool::new(false), &c(1), &c(2))
        .ct_eq(&c(2))
        .declassify());

    let b = |v: bool| Bare(SecretBool::new(v));
    assert!(b(true).ct_eq(&b(true)).declassify());
    assert!(!b(true).ct_eq(&b(false)).declassify());
    // Generic structs nest: a generic struct of a derived struct.
    let nested = |v: u64| Wrap {
        inner: pair(v, 0),
        tag: 1,
    };
    assert!(!nested(1).ct_eq(&nested(2)).declassify());
    assert_eq!(
        nested(5).declassify(),
        WrapPlain {
            inner: PairPlain(5, 0),
            tag: 1
        }
    );
}

#[test]
fn const_generic_struct() {
    let block = |w: u32, position: usize| Block::<usize, 3> {
        words: [Secret::new(w), Secret::new(w + 1), Secret::new(w + 2)],
        position,
    };
    assert!(block(1, 0).ct_eq(&block(1, 0)).declassify());
    assert!(!block(1, 0).ct_eq(&block(2, 0)).declassify());
    let chosen = Block::ct_select(&SecretBool::new(false), &block(1, 4), &block(7, 4));
    assert_eq!(
        chosen.declassify(),
        BlockPlain {
            words: [7, 8, 9],
            position: 4
        }
    );
}

#[test]
fn debug_is_redacted() {
    let k = key(0xAB, true, 12345);
    let shown = format!("{k:?}");
    assert_eq!(
        shown,
        "Key { bytes: <redacted>, flag: <redacted>, id: <public> }"
    );
    assert!(!shown.contains("12345") && !shown.contains("171"));
    assert_eq!(
        format!("{:?}", pair(77, 88)),
        "Pair(<redacted>, <redacted>)"
    );
    assert_eq!(
        format!("{:?}", keyring(1)),
        "Keyring { main: <redacted>, backups: <redacted>, label: <public> }"
    );
    assert_eq!(format!("{Nothing:?}"), "Nothing");
    // The twin is public data and prints its values.
    assert_eq!(
        format!("{:?}", pair(77, 88).declassify()),
        "PairPlain(77, 88)"
    );
}

#[test]
fn zeroize_wipes_secret_fields_only() {
    let mut k = key(0xFF, true, 42);
    k.zeroize();
    assert_eq!(
        k.declassify(),
        KeyPlain {
            bytes: [0; 16],
            flag: false,
            id: 42
        }
    );
    let mut ring = keyring(9);
    ring.zeroize();
    let plain = ring.declassify();
    assert_eq!(plain.main.bytes, [0; 16]);
    assert_eq!(plain.backups, [PairPlain(0, 0), PairPlain(0, 0)]);
    assert_eq!(plain.label, "ring");
}

#[test]
fn declassify_trait_and_twin() {
    fn via_trait<T: Declassify>(value: T) -> T::Public {
        value.declassify()
    }
    let plain: KeyPlain = via_trait(key(3, false, 1));
    assert_eq!(plain.clone(), plain);
    assert_eq!(plain.id, 1);
    assert_eq!(via_trait(Nothing), NothingPlain);
    let scaled = Scaled {
        value: Secret::new(-4),
        factor: 0.5,
    };
    assert_eq!(
        scaled.declassify(),
        ScaledPlain {
            value: -4,
            factor: 0.5
        }
    );
    let c = Cloneable { a: Secret::new(3) };
    assert!(c.clone().ct_eq(&c).declassify());
}

#[test]
fn heap_tuple_and_lifetime_fields() {
    let label = String::from("mail");
    let message = |body: &[u8], byte: u8| Message {
        body: Secret::new(body.to_vec()),
        label: &label,
        inner: Tupled {
            pair: (Secret::new(byte), SecretBool::new(true)),
        },
    };
    assert!(message(b"hi", 1).ct_eq(&message(b"hi", 1)).declassify());
    assert!(!message(b"hi", 1).ct_eq(&message(b"ho", 1)).declassify());
    assert!(!message(b"hi", 1).ct_eq(&message(b"hi", 2)).declassify());
    let chosen = Message::ct_select(
        &SecretBool::new(false),
        &message(b"ab", 1),
        &message(b"cd", 2),
    );
    assert!(chosen.ct_eq(&message(b"cd", 2)).declassify());
    assert_eq!(
        format!("{chosen:?}"),
        "Message { body: <redacted>, label: <public>, inner: <redacted> }"
    );
    let mut wiped = message(b"xyz", 3);
    wiped.zeroize();
    assert!(wiped.inner.pair.0.ct_eq(&Secret::new(0)).declassify());
    assert!(!wiped.inner.pair.1.clone().declassify());
    assert_eq!(wiped.label, "mail");
}
