// Mixing integer widths in arithmetic: the error names `.cast::<U>()`.
use secret_core::Secret;

fn main() {
    let wide = Secret::new(5u64);
    let narrow = Secret::new(5u32);
    let _sum = wide.clone() + narrow;
    let _also = wide + 7u32;
}
