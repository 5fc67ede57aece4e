// A `#[secret(public)]` field must be `Clone + PartialEq`: marking a secret public is refused.
use secret_core::Secret;

#[derive(Secret)]
struct Session {
    key: Secret<[u8; 16]>,
    #[secret(public)]
    counter: Secret<u64>,
}

fn main() {}
