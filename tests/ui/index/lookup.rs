// The control for index.rs: the same lookups through `ct_lookup` compile.
use secret_core::{ct_lookup, Secret};

fn main() {
    let sbox = [0x63u8, 0x7c, 0x77, 0x7b];
    let slice: &[u8] = &sbox;
    let vec = sbox.to_vec();
    let i = Secret::new(2usize);
    let _a = ct_lookup(&sbox, &i);
    let _b = ct_lookup(slice, &i);
    let _c = ct_lookup(&vec, &i);
}
