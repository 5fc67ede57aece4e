// `<` on secrets would branch on the secret: use `ct_lt`.
use secret_core::Secret;

fn main() {
    let a = Secret::new(1i64);
    let b = Secret::new(2i64);
    let _smaller: bool = a < b;
}
