//! dudect-bencher: wall-clock fixed-vs-random timing of secret-core against an early-exit
//! compare (`cargo run --release -p secret-benches --example dudect`; prints `max t` per
//! bench). It is an example, not a bench target: dudect-bencher's argument parser rejects the
//! `--bench` flag that `cargo bench` passes.
//! The CI-grade dudect engine is ct-verify's (`cargo ct-verify --engine dudect`).

use dudect_bencher::rand::{Rng, RngExt};
use dudect_bencher::{ctbench_main, BenchRng, Class, CtRunner};
use secret_benches::plain::early_exit_eq;
use secret_core::Secret;

const SAMPLES: usize = 100_000;

/// Left: equal inputs (the slow path of an early exit); right: random inputs.
fn inputs(rng: &mut BenchRng) -> Vec<([u8; 32], [u8; 32], Class)> {
    (0..SAMPLES)
        .map(|_| {
            let mut a = [0u8; 32];
            rng.fill_bytes(&mut a);
            if rng.random::<bool>() {
                (a, a, Class::Left)
            } else {
                let mut b = [0u8; 32];
                rng.fill_bytes(&mut b);
                (a, b, Class::Right)
            }
        })
        .collect()
}

fn secret_core_ct_eq(runner: &mut CtRunner, rng: &mut BenchRng) {
    for (a, b, class) in inputs(rng) {
        let (a, b) = (Secret::new(a), Secret::new(b));
        runner.run_one(class, || a.ct_eq(&b).declassify());
    }
}

fn early_exit(runner: &mut CtRunner, rng: &mut BenchRng) {
    for (a, b, class) in inputs(rng) {
        runner.run_one(class, || early_exit_eq(&a, &b));
    }
}

ctbench_main!(secret_core_ct_eq, early_exit);
