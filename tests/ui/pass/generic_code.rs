// Generic constant-time code over the traits, and interop with subtle.
use secret_core::{CtEq, CtSelect, Declassify, Secret, SecretBool};

fn ct_max_by<T: CtSelect>(take_first: &SecretBool, x: &T, y: &T) -> T {
    T::ct_select(take_first, x, y)
}

fn all_equal<T: CtEq>(items: &[T], target: &T) -> SecretBool {
    let mut acc = SecretBool::new(true);
    for item in items {
        acc &= item.ct_eq(target);
    }
    acc
}

fn reveal<D: Declassify>(d: D) -> D::Public {
    d.declassify()
}

fn main() {
    let keys = [Secret::new([7u8; 32]), Secret::new([7u8; 32])];
    assert!(all_equal(&keys, &Secret::new([7u8; 32])).declassify());

    let m = ct_max_by(
        &SecretBool::new(true),
        &Secret::new(-3i16),
        &Secret::new(4i16),
    );
    assert_eq!(reveal(m), -3);

    let choice: subtle::Choice = SecretBool::new(true).into();
    let back = SecretBool::from(choice);
    assert!(reveal(back));

    let mut x = Secret::new(0x0123_4567u32);
    x ^= 0xffff_ffff;
    x = x.rotate_left(8);
    x <<= 4;
    let shifted = x.shr_secret(&Secret::new(4));
    let bytes = shifted.to_le_bytes();
    let again = Secret::<u32>::from_le_bytes(&bytes);
    assert!(again.ct_eq(&shifted).declassify());
}
