// Unions are refused.
use secret_core::Secret;

#[derive(Secret)]
union Bits {
    word: u64,
    bytes: [u8; 8],
}

fn main() {}
