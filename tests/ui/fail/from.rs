// There is no `From<Secret<u32>> for u32`: `declassify()` is the only way out.
use secret_core::Secret;

fn main() {
    let secret = Secret::new(5u32);
    let _x = u32::from(secret);
}
