// Nor can they be printed in hex.
use secret_core::Secret;

fn main() {
    let key = Secret::new(0xdead_beefu32);
    println!("{:x}", key);
}
