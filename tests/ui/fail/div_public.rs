// Dividing a secret by a public divisor is still a hardware divide of the secret.
use secret_core::Secret;

fn main() {
    let a = Secret::new(100u64);
    let _q = a.clone() / 7u64;
    let _r = a % 7u64;
}
