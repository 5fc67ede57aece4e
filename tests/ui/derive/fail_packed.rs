// Packed structs are refused: every field is borrowed by the generated code.
use secret_core::Secret;

#[derive(Secret)]
#[repr(C, packed)]
struct Key {
    a: Secret<u8>,
}

fn main() {}
