// The value field is private.
use secret_core::Secret;

fn main() {
    let secret = Secret::new(5u32);
    let _x: u32 = secret.value;
}
