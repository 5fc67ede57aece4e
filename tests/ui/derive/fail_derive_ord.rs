// Ordering comparisons next to the derive are refused.
#[rustfmt::skip] // keep the derives in separate attributes (rustfmt would merge them)
#[derive(secret_core::Secret)]
#[derive(PartialEq, PartialOrd, Eq, Ord)]
struct Key<T>(T);

fn main() {}
