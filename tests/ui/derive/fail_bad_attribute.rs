// Every malformed or unknown `#[secret(...)]` argument is an error pointing at it.
use secret_core::Secret;

#[derive(Secret)]
#[secret(opaque)]
struct UnknownOnStruct(Secret<u8>);

#[derive(Secret)]
#[secret(public)]
struct PublicOnStruct(Secret<u8>);

#[derive(Secret)]
#[secret(declassify)]
struct DeclassifyWithoutName(Secret<u8>);

#[derive(Secret)]
#[secret(declassify = "KeyPlain")]
struct DeclassifyWithString(Secret<u8>);

#[derive(Secret)]
#[secret(declassify = SameName)]
struct SameName(Secret<u8>);

#[derive(Secret)]
struct UnknownOnField {
    #[secret(publik)]
    id: u32,
}

#[derive(Secret)]
struct DeclassifyOnField {
    #[secret(declassify = X)]
    id: Secret<u32>,
}

#[derive(Secret)]
struct PublicTwice {
    #[secret(public, public)]
    id: u32,
}

fn main() {}
