// A printing `Debug` next to the derive is refused: the derive generates a redacted one.
use secret_core::Secret;

#[rustfmt::skip] // keep the derives in separate attributes (rustfmt would merge them)
#[derive(Secret)]
#[derive(Debug)]
struct Key(Secret<u64>);

fn main() {}
