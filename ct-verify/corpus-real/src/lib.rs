//! Wrappers that call third-party crates (pinned in `Cargo.toml`) with a secret input, for the
//! suite in `benches/real.rs`. What each one must be found to be, and why, is in
//! `ground-truth.txt`, derived from the crates' sources, advisories and the machine code of the
//! pinned compiler, not from ct-verify.

use crypto_bigint::modular::runtime_mod::{DynResidue, DynResidueParams};
use crypto_bigint::{Encoding, U256};
#[allow(deprecated)] // the expanded key form, to give the check the same secret as pqc_kyber's
use ml_kem::ExpandedKeyEncoding;
use ml_kem::{Decapsulate, DecapsulationKey768, B32};
use num_bigint::BigUint;
use pqc_kyber::{KYBER_CIPHERTEXTBYTES, KYBER_PUBLICKEYBYTES, KYBER_SECRETKEYBYTES, KYBER_SSBYTES};
use subtle::ConstantTimeEq;

/// Bytes of the IND-CPA secret key at the front of a Kyber768 secret key: the secret
/// polynomial vector s, 3 polynomials of 384 bytes. The rest of the secret key is the public
/// key, H(pk) and the implicit-rejection value z.
pub const KYBER_CPA_SK_BYTES: usize = KYBER_SECRETKEYBYTES - KYBER_PUBLICKEYBYTES - 64;

/// A Kyber768 key pair and a ciphertext for it, made once before the checks run, so that a
/// check's secret is only the part of the key that is secret (s), not the public key that the
/// secret key embeds (whose seed drives rejection sampling, public by design).
pub struct KyberFixture {
    secret_key: [u8; KYBER_SECRETKEYBYTES],
    ciphertext: [u8; KYBER_CIPHERTEXTBYTES],
}

/// A deterministic generator for the fixture only (xorshift64*): the fixture is public test
/// data, and pqc_kyber asks for a `CryptoRng` to make keys.
struct FixtureRng(u64);

impl rand_core::RngCore for FixtureRng {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        rand_core::impls::fill_bytes_via_next(self, dest)
    }
    fn try_fill_bytes(&mut self, dest: &mut [u8]) -> Result<(), rand_core::Error> {
        self.fill_bytes(dest);
        Ok(())
    }
}

impl rand_core::CryptoRng for FixtureRng {}

impl KyberFixture {
    /// A key pair and an honest encapsulation to it.
    ///
    /// # Panics
    ///
    /// If pqc_kyber fails to make them (it only fails on a failing generator; this one cannot).
    pub fn new() -> Self {
        let mut rng = FixtureRng(0x9e37_79b9_7f4a_7c15);
        let keys = pqc_kyber::keypair(&mut rng).expect("kyber keypair");
        let (ciphertext, _) =
            pqc_kyber::encapsulate(&keys.public, &mut rng).expect("kyber encapsulate");
        Self {
            secret_key: keys.secret,
            ciphertext,
        }
    }
}

impl Default for KyberFixture {
    fn default() -> Self {
        Self::new()
    }
}

/// pqc_kyber 0.7.1 decapsulation of the fixture's ciphertext with the secret polynomial
/// vector `s` in place of the key's own (the rest of the secret key is the fixture's).
pub fn kyber_decapsulate(
    s: &[u8; KYBER_CPA_SK_BYTES],
    fixture: &KyberFixture,
) -> [u8; KYBER_SSBYTES] {
    let mut sk = fixture.secret_key;
    sk[..KYBER_CPA_SK_BYTES].copy_from_slice(s);
    pqc_kyber::decapsulate(&fixture.ciphertext, &sk).expect("lengths are the crate's own")
}

/// An ML-KEM-768 expanded decapsulation key (same layout as a Kyber768 secret key: s, the
/// encapsulation key, H(ek), z) and a ciphertext for it, made once before the checks run, for
/// the same reason as [`KyberFixture`].
pub struct MlKemFixture {
    #[allow(deprecated)] // see the `use` above
    expanded_key: ml_kem::ml_kem_768::ExpandedDecapsulationKey,
    ciphertext: ml_kem::ml_kem_768::Ciphertext,
}

impl MlKemFixture {
    /// A key from a fixed seed and a deterministic encapsulation to it.
    pub fn new() -> Self {
        let key = DecapsulationKey768::from_seed([7u8; 64].into());
        let (ciphertext, _) = key
            .encapsulation_key()
            .encapsulate_deterministic(&B32::from([9u8; 32]));
        #[allow(deprecated)] // see the `use` above
        let expanded_key = key.to_expanded_bytes();
        Self {
            expanded_key,
            ciphertext,
        }
    }
}

impl Default for MlKemFixture {
    fn default() -> Self {
        Self::new()
    }
}

/// ml-kem 0.3.4 decapsulation (ML-KEM-768) of the fixture's ciphertext with the secret vector
/// `s` (its 1152-byte encoding) in place of the key's own; the key is loaded from the expanded
/// form inside the check, as a user holding such a key would.
///
/// # Panics
///
/// If ml-kem rejects the key: it checks only H(ek), which comes from the fixture unchanged.
pub fn ml_kem_decapsulate(s: &[u8; KYBER_CPA_SK_BYTES], fixture: &MlKemFixture) -> [u8; 32] {
    let mut expanded = fixture.expanded_key;
    expanded[..KYBER_CPA_SK_BYTES].copy_from_slice(s);
    #[allow(deprecated)] // see the `use` above
    let key = DecapsulationKey768::from_expanded_bytes(&expanded).expect("H(ek) is unchanged");
    key.decapsulate(&fixture.ciphertext).into()
}

/// The modulus of the two modular exponentiations: 2^255 - 19 (odd, so num-bigint takes its
/// Montgomery path).
fn p25519_le() -> [u8; 32] {
    let mut p = [0xffu8; 32];
    p[0] = 0xed;
    p[31] = 0x7f;
    p
}

/// num-bigint 0.4.8 `BigUint::modpow` of the public base 2 to a secret 256-bit exponent.
pub fn num_bigint_modpow(exponent: &[u8; 32]) -> Vec<u8> {
    let p = BigUint::from_bytes_le(&p25519_le());
    let e = BigUint::from_bytes_le(exponent);
    BigUint::from(2u32).modpow(&e, &p).to_bytes_le()
}

/// crypto-bigint 0.5.5 `DynResidue::pow` of the public base 2 to a secret 256-bit exponent.
pub fn crypto_bigint_pow(exponent: &[u8; 32]) -> [u8; 32] {
    let params = DynResidueParams::new(&U256::from_le_slice(&p25519_le()));
    let e = U256::from_le_slice(exponent);
    DynResidue::new(&U256::from_u8(2), params)
        .pow(&e)
        .retrieve()
        .to_le_bytes()
}

/// subtle 2.6.1 `ConstantTimeEq` on byte slices, the secret against a public tag; the
/// `Choice` is turned into a bool at the end, as a caller would.
pub fn subtle_slice_eq(secret: &[u8; 32], tag: &[u8; 32]) -> bool {
    bool::from(secret[..].ct_eq(&tag[..]))
}

/// constant_time_eq 0.4.2 `constant_time_eq_32`, the secret against a public tag.
pub fn constant_time_eq_32(secret: &[u8; 32], tag: &[u8; 32]) -> bool {
    constant_time_eq::constant_time_eq_32(secret, tag)
}
