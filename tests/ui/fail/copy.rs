// A secret is not `Copy`: every copy is an explicit `clone()`.
use secret_core::{Secret, SecretBool};

fn needs_copy<T: Copy>(_: T) {}

fn main() {
    needs_copy(Secret::new(5u32));
    needs_copy(SecretBool::new(true));
}
