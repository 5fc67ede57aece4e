//! A grossly leaky check beside a constant-time one: `cargo bench` must exit with status 1.
//! dudect's fixed class is the all-zero secret, the one input that spins; random secrets
//! almost never do, so the two timing classes differ by hundreds of instructions per call.

use std::hint::black_box;

fn main() {
    ct_verify::Suite::new()
        .check("spins_for_zero", |s: &[u8; 8]| {
            let mut acc = 0u64;
            if s[0] == 0 {
                for i in 0..300u64 {
                    acc = black_box(acc.wrapping_add(i));
                }
            }
            acc
        })
        .check("or_fold", |s: &[u8; 8]| {
            black_box(s).iter().fold(0u8, |a, b| a | b)
        })
        .run();
}
