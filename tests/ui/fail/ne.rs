// `!=` on secrets would branch on the secret: use `ct_ne`.
use secret_core::Secret;

fn main() {
    let a = Secret::new([1u8; 32]);
    let b = Secret::new([2u8; 32]);
    let _different: bool = a != b;
}
