// An ordering comparison with a public bound (Poly1305's carry check): `ct_lt_public`.
use secret_core::Secret;

fn main() {
    let g4 = Secret::new(5u32);
    let _small = g4.ct_lt(&(1 << 26));
}
