// `key[3]` on a secret array would hand out a plain reference to a secret byte: `.get(3)`.
use secret_core::Secret;

fn main() {
    let key = Secret::new([0u8; 32]);
    let _byte = key[3];
}
