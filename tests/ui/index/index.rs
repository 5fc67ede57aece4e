// Indexing a table by a secret leaks the index through the cache: use `ct_lookup`. Checked by
// tests/ui_index.rs (not trybuild: see there why).
use secret_core::Secret;

fn main() {
    let sbox = [0x63u8, 0x7c, 0x77, 0x7b];
    let slice: &[u8] = &sbox;
    let vec = sbox.to_vec();
    let i = Secret::new(2usize);
    let _a = sbox[i.clone()];
    let _b = slice[i.clone()];
    let _c = vec[i];
}
