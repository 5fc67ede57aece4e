// `/` and `%` use the hardware divider, whose timing depends on the operands: use `ct_div_rem`.
use secret_core::Secret;

fn main() {
    let a = Secret::new(100u32);
    let b = Secret::new(7u32);
    let _q = a.clone() / b.clone();
    let _r = a % b;
}
