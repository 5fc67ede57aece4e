// No `Into<bool>` for `SecretBool` either.
use secret_core::SecretBool;

fn main() {
    let flag = SecretBool::new(true);
    let _b: bool = flag.into();
}
