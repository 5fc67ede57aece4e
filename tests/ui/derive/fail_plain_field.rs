// Unmarked plain fields: each is named in its own error, with the suggested fixes.
use secret_core::Secret;

#[derive(Secret)]
struct Keypair {
    sk: Secret<[u8; 32]>,
    pk: [u8; 32],
    counter: u32,
    seen: bool,
    log: Vec<u8>,
}

#[derive(Secret)]
struct Tuple(Secret<u64>, u64);

fn main() {}
