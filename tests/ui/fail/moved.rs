// A secret is not `Copy`: after a move it cannot be used again.
use secret_core::Secret;

fn consume(_: Secret<u64>) {}

fn main() {
    let secret = Secret::new(5u64);
    consume(secret);
    let _again = secret.declassify();
}
