// `==` next to the derive is refused. (The struct is generic so that the refused derive itself
// would compile: the error below is the derive's own.)
#[rustfmt::skip] // keep the derives in separate attributes (rustfmt would merge them)
#[derive(secret_core::Secret)]
#[derive(PartialEq, Eq)]
struct Key<T> {
    sk: T,
}

fn main() {}
