// `Copy` next to the derive is refused (`Clone` is fine).
#[rustfmt::skip] // keep the derives in separate attributes (rustfmt would merge them)
#[derive(secret_core::Secret)]
#[derive(Clone, Copy)]
struct Key<T> {
    sk: T,
}

fn main() {}
