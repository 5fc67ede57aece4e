// `>=` on secrets would branch on the secret: use `ct_ge`.
use secret_core::Secret;

fn main() {
    let a = Secret::new(1u8);
    let b = Secret::new(2u8);
    let _at_least: bool = a >= b;
}
