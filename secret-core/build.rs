//! Selects target-specific arithmetic that `cfg` alone cannot: stable Rust exposes no
//! target features for 32-bit Arm, so Cortex-M3 (`thumbv7m-*`) cannot be told from Cortex-M4
//! (`thumbv7em-*`) in the source. On M3 the long multiplies (`UMULL`, `SMULL`, `UMLAL`,
//! `SMLAL`) finish early depending on the operands, so 64- and 128-bit multiplication is done
//! with 32-bit `MUL`s (constant-time on every Cortex-M) instead.
//!
//! Other cores with the same problem (custom target specs for M3 variants) can opt in with
//! `RUSTFLAGS="--cfg secret_ct_long_mul"`.

fn main() {
    println!("cargo::rustc-check-cfg=cfg(secret_ct_long_mul)");
    println!("cargo::rerun-if-changed=build.rs");
    let target = std::env::var("TARGET").unwrap_or_default();
    if target.starts_with("thumbv7m-") {
        println!("cargo::rustc-cfg=secret_ct_long_mul");
    }
}
