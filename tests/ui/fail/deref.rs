// No `Deref`: `*secret` does not reach the value.
use secret_core::Secret;

fn main() {
    let secret = Secret::new(5u32);
    let _x: u32 = *secret;
}
