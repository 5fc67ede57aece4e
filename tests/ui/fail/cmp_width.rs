// Comparing secrets of two integer widths: the error names `.cast::<U>()`.
use secret_core::Secret;

fn main() {
    let wide = Secret::new(5u64);
    let narrow = Secret::new(5u32);
    let _same = wide.ct_eq(&narrow);
}
