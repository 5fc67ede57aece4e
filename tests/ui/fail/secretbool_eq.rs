// `SecretBool == SecretBool` would branch on both secrets: use `ct_eq`.
use secret_core::SecretBool;

fn main() {
    let a = SecretBool::new(true);
    let b = SecretBool::new(false);
    let _same: bool = a == b;
}
