// `select_public` needs both sides to be the same type as the result.
use secret_core::{Secret, SecretBool};

fn main() {
    let c = SecretBool::new(true);
    let x = Secret::new(5u64);
    let _y = c.select_public(&x, &1u32);
}
