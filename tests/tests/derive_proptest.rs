//! Property tests: the derived `ct_eq` and `ct_select` agree with comparing and selecting field by
//! field, on named, tuple, nested and generic structs with public fields.

use proptest::prelude::*;
use secret_core::{CtEq, CtSelect, Secret, SecretBool};

#[derive(secret_core::Secret)]
#[secret(declassify = RecordPlain)]
struct Record {
    a: Secret<u32>,
    b: Secret<[u8; 8]>,
    c: SecretBool,
    #[secret(public)]
    version: u16,
}

#[derive(secret_core::Secret)]
#[secret(declassify = TuplePlain)]
struct Tuple(Secret<i64>, [Secret<u8>; 3]);

#[derive(secret_core::Secret)]
#[secret(declassify = OuterPlain)]
struct Outer<T>
where
    T: secret_core::Declassify,
{
    record: Record,
    extra: T,
    #[secret(public)]
    name: String,
}

type Fields = (u32, [u8; 8], bool, u16);

fn record((a, b, c, version): Fields) -> Record {
    Record {
        a: Secret::new(a),
        b: Secret::new(b),
        c: SecretBool::new(c),
        version,
    }
}

fn plain((a, b, c, version): Fields) -> RecordPlain {
    RecordPlain { a, b, c, version }
}

fn tuple((x, ys): (i64, [u8; 3])) -> Tuple {
    Tuple(Secret::new(x), ys.map(Secret::new))
}

fn outer(fields: Fields, extra: u8, name: &str) -> Outer<Secret<u8>> {
    Outer {
        record: record(fields),
        extra: Secret::new(extra),
        name: name.to_owned(),
    }
}

/// Two field sets that are often equal or differ in a single field, so both outcomes are common.
fn field_pair() -> impl Strategy<Value = (Fields, Fields)> {
    let fields = || (any::<u32>(), any::<[u8; 8]>(), any::<bool>(), 0u16..3);
    (fields(), fields(), 0usize..6).prop_map(|(x, y, mode)| {
        let mut y2 = x;
        match mode {
            0 => y2.0 = y.0,
            1 => y2.1 = y.1,
            2 => y2.2 = y.2,
            3 => y2.3 = y.3,
            4 => {}
            _ => y2 = y,
        }
        (x, y2)
    })
}

proptest! {
    #[test]
    fn ct_eq_is_the_and_of_field_equalities((x, y) in field_pair()) {
        let expected = x.0 == y.0 && x.1 == y.1 && x.2 == y.2 && x.3 == y.3;
        prop_assert_eq!(record(x).ct_eq(&record(y)).declassify(), expected);
        prop_assert_eq!(record(x).ct_ne(&record(y)).declassify(), !expected);
    }

    #[test]
    fn ct_select_is_field_wise((x, mut y) in field_pair(), cond: bool) {
        y.3 = x.3; // public fields must agree for ct_select
        let chosen = Record::ct_select(&SecretBool::new(cond), &record(x), &record(y));
        prop_assert_eq!(chosen.declassify(), plain(if cond { x } else { y }));
    }

    #[test]
    fn tuple_struct_agrees(x: (i64, [u8; 3]), y: (i64, [u8; 3]), same: bool, cond: bool) {
        let y = if same { x } else { y };
        prop_assert_eq!(tuple(x).ct_eq(&tuple(y)).declassify(), x == y);
        let chosen = Tuple::ct_select(&SecretBool::new(cond), &tuple(x), &tuple(y));
        let expected = if cond { x } else { y };
        prop_assert_eq!(chosen.declassify(), TuplePlain(expected.0, expected.1));
    }

    #[test]
    fn nested_generic_struct_agrees(
        (x, y) in field_pair(),
        e1: u8,
        e2: u8,
        same_extra: bool,
        cond: bool,
    ) {
        let e2 = if same_extra { e1 } else { e2 };
        let expected = record(x).ct_eq(&record(y)).declassify() && e1 == e2;
        prop_assert_eq!(outer(x, e1, "n").ct_eq(&outer(y, e2, "n")).declassify(), expected);
        // A differing public field alone makes them unequal.
        prop_assert!(!outer(x, e1, "n").ct_eq(&outer(x, e1, "m")).declassify());

        let mut y = y;
        y.3 = x.3;
        let chosen = Outer::ct_select(&SecretBool::new(cond), &outer(x, e1, "n"), &outer(y, e2, "n"));
        let (fields, extra) = if cond { (x, e1) } else { (y, e2) };
        prop_assert_eq!(
            chosen.declassify(),
            OuterPlain { record: plain(fields), extra, name: "n".to_owned() }
        );
    }

    #[test]
    fn ct_swap_agrees((x, mut y) in field_pair(), cond: bool) {
        y.3 = x.3;
        let (mut a, mut b) = (record(x), record(y));
        Record::ct_swap(&mut a, &mut b, &SecretBool::new(cond));
        let (ea, eb) = if cond { (y, x) } else { (x, y) };
        prop_assert_eq!(a.declassify(), plain(ea));
        prop_assert_eq!(b.declassify(), plain(eb));
    }
}
