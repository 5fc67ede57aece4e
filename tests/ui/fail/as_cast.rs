// `as` does not unwrap a secret either.
use secret_core::Secret;

fn main() {
    let secret = Secret::new(5u32);
    let _x = secret as u32;
}
