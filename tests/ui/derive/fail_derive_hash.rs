// `Hash` next to the derive is refused.
#[rustfmt::skip] // keep the derives in separate attributes (rustfmt would merge them)
#[derive(secret_core::Secret)]
#[derive(Hash)]
struct Key<T>(T);

fn main() {}
