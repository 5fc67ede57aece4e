// `from_le_bytes` takes secret bytes; a slice of public bytes must be classified first.
use secret_core::Secret;

fn main() {
    let m = [0u8; 16];
    let _word = Secret::<u32>::from_le_bytes(m[0..4].try_into().unwrap());
}
