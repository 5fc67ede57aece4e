// A struct with a twin can only nest structs that have twins themselves.
use secret_core::Secret;

#[derive(Secret)]
struct Inner(Secret<u8>);

#[derive(Secret)]
#[secret(declassify = OuterPlain)]
struct Outer {
    inner: Inner,
}

fn main() {}
