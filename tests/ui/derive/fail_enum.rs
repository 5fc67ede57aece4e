// Enums are refused: a secret discriminant cannot be matched in constant time.
use secret_core::Secret;

#[derive(Secret)]
enum Key {
    Short(Secret<u64>),
    Long(Secret<u128>),
}

fn main() {}
