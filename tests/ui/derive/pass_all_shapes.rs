// Everything the derive accepts: named, tuple, nested, generic (with where-clauses), const
// generic, public fields, a declassify twin, and `Clone` next to it.
use secret_core::zeroize::{Zeroize, ZeroizeOnDrop};
use secret_core::{CtEq, CtSelect, Secret, SecretBool};

#[derive(Clone, Secret)]
#[secret(declassify = KeyPlain)]
pub struct Key {
    sk: Secret<[u8; 32]>,
    #[secret(public)]
    pk: [u8; 32],
}

#[derive(Secret)]
#[secret(declassify = PairPlain)]
struct Pair(Secret<u8>, #[secret(public)] u16, SecretBool);

#[derive(Secret)]
struct Nested {
    key: Key,
    pairs: [Pair; 2],
}

#[derive(Secret)]
#[secret(declassify = GenericPlain)]
struct Generic<T, const N: usize>
where
    T: CtEq + CtSelect + Zeroize + ZeroizeOnDrop,
{
    items: [T; N],
    #[secret(public)]
    len: usize,
}

#[derive(secret_core::Secret)]
struct Unit;

fn main() {
    let key = || Key {
        sk: Secret::new([1; 32]),
        pk: [2; 32],
    };
    let pair = || Pair(Secret::new(1), 2, SecretBool::new(true));
    let nested = Nested {
        key: key(),
        pairs: [pair(), pair()],
    };
    let same: SecretBool = nested.ct_eq(&Nested {
        key: key().clone(),
        pairs: [pair(), pair()],
    });
    assert!(same.declassify());
    let g = Generic {
        items: [Secret::new(5u32)],
        len: 1,
    };
    let chosen = Generic::ct_select(&SecretBool::new(true), &g, &g);
    assert_eq!(chosen.declassify(), GenericPlain { items: [5], len: 1 });
    assert_eq!(
        key().declassify(),
        KeyPlain {
            sk: [1; 32],
            pk: [2; 32]
        }
    );
    assert_eq!(pair().declassify(), PairPlain(1, 2, true));
    assert_eq!(format!("{:?}", Unit), "Unit");
}
