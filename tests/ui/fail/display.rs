// Secrets cannot be printed: `Display` does not exist.
use secret_core::Secret;

fn main() {
    let key = Secret::new(0xdead_beefu32);
    println!("{}", key);
}
