// Comparing a secret with a public constant through `ct_eq`: the error names `ct_eq_public`.
use secret_core::Secret;

fn main() {
    let x = Secret::new(5u32);
    let _zero = x.ct_eq(&0);
}
