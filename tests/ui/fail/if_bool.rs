// A `SecretBool` is not a `bool`: `if` cannot branch on it.
use secret_core::SecretBool;

fn main() {
    let flag = SecretBool::new(true);
    if flag {
        println!("set");
    }
}
