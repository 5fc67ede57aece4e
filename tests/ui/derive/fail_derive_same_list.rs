// A derive macro only sees `#[derive]` attributes that come after its own attribute, so derives in
// the same list (as rustfmt writes them) never reach it. The traits themselves are refused too,
// even on structs whose fields are all public (with a secret field, the refused derives could
// not compile in the first place).
use secret_core::Secret;

#[derive(Clone, Copy, PartialEq, Hash, Secret)]
struct Before {
    #[secret(public)]
    version: u8,
}

#[derive(Secret, Clone, Copy, PartialEq, Eq)]
struct After(#[secret(public)] u8);

fn main() {}
