// `==` on secrets would branch on the secret: use `ct_eq`.
use secret_core::Secret;

fn main() {
    let a = Secret::new(1u32);
    let b = Secret::new(2u32);
    if a == b {
        println!("equal");
    }
}
