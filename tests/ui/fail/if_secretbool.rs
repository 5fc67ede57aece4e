// A comparison gives a `SecretBool`, which `if` cannot branch on.
use secret_core::Secret;

fn main() {
    let tag = Secret::new([0u8; 16]);
    let other = Secret::new([1u8; 16]);
    if tag.ct_eq(&other) {
        println!("tag ok");
    }
}
