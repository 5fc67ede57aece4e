//! ct-verify suite over real third-party code (see `ground-truth.txt` for what each check must
//! be found to be, and why).

use ct_verify::{Config, Suite};
use ct_verify_corpus_real::*;

/// A public 32-byte value the equality checks compare the secret with; also their fixed
/// secret, so that one input matches it to the end.
const TAG: [u8; 32] = *b"ct-verify real-corpus public tag";

fn main() {
    let kyber = KyberFixture::new();
    let ml_kem = MlKemFixture::new();
    Suite::new()
        .check("pqc_kyber_decapsulate", |s: &[u8; KYBER_CPA_SK_BYTES]| {
            kyber_decapsulate(s, &kyber)
        })
        .check("ml_kem_decapsulate", |s: &[u8; KYBER_CPA_SK_BYTES]| {
            ml_kem_decapsulate(s, &ml_kem)
        })
        .check("num_bigint_modpow", num_bigint_modpow)
        .check("crypto_bigint_pow", crypto_bigint_pow)
        .check_with(
            "subtle_slice_eq",
            Config::new().fixed(TAG),
            |s: &[u8; 32], _: &()| subtle_slice_eq(s, &TAG),
        )
        .check_with(
            "constant_time_eq_32",
            Config::new().fixed(TAG),
            |s: &[u8; 32], _: &()| constant_time_eq_32(s, &TAG),
        )
        .run();
}
