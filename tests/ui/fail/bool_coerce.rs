// A `SecretBool` does not turn into a `bool` without `declassify()`.
use secret_core::SecretBool;

fn main() {
    let flag = SecretBool::new(true);
    let _b: bool = flag;
}
