// A field whose type is not recognisably plain but is not fully secret either: this one is
// compared and selected in constant time, but not wiped on drop. The derive generates no `Drop`
// and relies on every secret field being `ZeroizeOnDrop`, so it is refused, naming the field.
use secret_core::zeroize::Zeroize;
use secret_core::{CtEq, CtSelect, Secret, SecretBool};

struct Nonce(Secret<u64>);

impl CtEq for Nonce {
    fn ct_eq(&self, other: &Self) -> SecretBool {
        self.0.ct_eq(&other.0)
    }
}

impl CtSelect for Nonce {
    fn ct_select(cond: &SecretBool, if_true: &Self, if_false: &Self) -> Self {
        Nonce(CtSelect::ct_select(cond, &if_true.0, &if_false.0))
    }
}

impl Zeroize for Nonce {
    fn zeroize(&mut self) {
        self.0.zeroize();
    }
}

#[derive(secret_core::Secret)]
struct Session {
    key: Secret<[u8; 16]>,
    nonce: Nonce,
}

fn main() {}
