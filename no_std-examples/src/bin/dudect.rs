//! dudect on the device: fixed-vs-random timing test with Welch's t-test, run inside the
//! firmware with the `no_std` statistics core of ct-verify (`ct-verify-stats`) and its
//! measurement loop (`ct_verify_stats::sampling`: calibration, batched samples, confirmation),
//! the same loop `cargo ct-verify --target T --engine dudect` runs on a crate's checks.
//!
//! Two 32-byte comparisons are measured against a secret reference value:
//!
//! - `early_exit_eq`, a loop that returns at the first differing byte: a deliberate leak that
//!   must be detected (|t| > 4.5);
//! - `Secret<[u8; 32]>::ct_eq` from secret-core: must stay below 4.5.
//!
//! Method (dudect, Reparaz, Balasch and Verbauwhede 2017, with the rules of ct-verify's
//! host engine, shared through `ct-verify-stats`): each measurement's class is drawn by a
//! xorshift PRNG: *fixed* (the input equals the reference, so an early exit never happens) or
//! *random* (fresh random bytes). Inputs are prepared a batch at a time, branch-free, so that
//! the code between two measurements does not depend on the classes; then the batch is
//! measured. A measurement times [`Reps`] calls on its input: enough that the faster class
//! spans twice `MIN_RESOLUTIONS` timer resolutions (`timer_resolution`, `reps_for`), so the
//! counter's granularity does not decide the statistic. Each function is measured as two
//! independent samples (own warm-up of [`WARMUP`] measurements that only set the thresholds,
//! then [`MEASUREMENTS`] measurements); a leak is reported only when `confirm` finds the same
//! test above |t| = 4.5, with the same sign, in both; when one says leak and the other no
//! evidence, a third sample decides against the first. A sample whose median measurement spans
//! fewer than `MIN_RESOLUTIONS` resolutions is inconclusive.
//!
//! Timer: SysTick from the core clock by default (every core, and under QEMU with
//! `-icount shift=10,align=off,sleep=off` — set by the runners in `.cargo/config.toml` — it
//! counts instructions deterministically). With `--features dwt` on ARMv7-M/ARMv8-M the DWT
//! cycle counter is used instead: that is for real boards (QEMU does not emulate DWT; the
//! example then fails with a message). See the README, "dudect on a real board".
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use ct_verify_stats::sampling;
use ct_verify_stats::{Class, Dudect, MaxT, StatVerdict, TestKind, MIN_MEASUREMENTS, T_THRESHOLD};
use secret_core::Secret;
use secret_firmware::timer::Timer;
use secret_firmware::Report;

/// Measurements per batch (inputs prepared first, then measured).
const BATCH: usize = 64;
/// Measurements that only set the cropping thresholds, then are discarded.
const WARMUP: usize = 4 * BATCH;
/// Measurements per sample fed to the tests (at least `MIN_MEASUREMENTS`); two samples per
/// function.
const MEASUREMENTS: usize = 320 * BATCH; // 20,480
/// PRNG seed (any nonzero value; fixed so that QEMU runs are reproducible).
const SEED: u32 = 0x2545_f491;

const _: () = assert!(MEASUREMENTS as u64 >= MIN_MEASUREMENTS && MEASUREMENTS % BATCH == 0);

/// The secret reference value both comparisons check their input against.
const REFERENCE: [u8; 32] = [
    0x9c, 0x21, 0x5e, 0x03, 0xb7, 0x44, 0xd8, 0x6a, 0x10, 0xef, 0x37, 0x82, 0x5b, 0xc6, 0x09, 0x7d,
    0xa3, 0x58, 0xf1, 0x2e, 0x64, 0x9b, 0x0d, 0xc0, 0x75, 0x1a, 0xe9, 0x46, 0x8f, 0x33, 0xd2, 0x6b,
];

/// xorshift32 (Marsaglia): enough to pick classes and random inputs, not cryptographic.
/// (Class bits are taken from a multiplied output: see [`dudect`].)
struct XorShift32(u32);

impl XorShift32 {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }
}

/// An early-exit 32-byte compare: returns at the first differing byte (the leak to detect).
#[inline(never)]
fn early_exit_eq(input: &[u8; 32], reference: &[u8; 32]) {
    let mut equal = true;
    for i in 0..32 {
        if black_box(input[i]) != black_box(reference[i]) {
            equal = false;
            break;
        }
    }
    black_box(equal);
}

/// `Secret<[u8; 32]>::ct_eq`: the same comparison in constant time.
#[inline(never)]
fn secret_core_ct_eq(input: &[u8; 32], reference: &[u8; 32]) {
    let a = Secret::new(*input);
    let b = Secret::new(*reference);
    black_box(a.ct_eq(&b));
}

/// A function under test: one call per measurement.
type Target = fn(&[u8; 32], &[u8; 32]);

/// Calls timed together in one measurement.
#[derive(Clone, Copy)]
struct Reps(u32);

/// Times `reps` calls of `f` on `input`.
#[inline(always)]
fn time<T: Timer>(timer: &mut T, f: Target, input: &[u8; 32], reps: Reps) -> u64 {
    let (ticks, ()) = timer.measure(|| {
        for _ in 0..reps.0 {
            black_box(f)(black_box(input), black_box(&REFERENCE));
        }
    });
    u64::from(ticks)
}

/// How many calls a measurement needs: the median of 15 measurements of the faster class
/// (the reference, or a random input) must span twice `MIN_RESOLUTIONS` resolutions.
fn calibrate<T: Timer>(timer: &mut T, rng: &mut XorShift32, f: Target, resolution: u64) -> Reps {
    let mut random = [0u8; 32];
    for chunk in random.chunks_exact_mut(4) {
        chunk.copy_from_slice(&rng.next_u32().to_le_bytes());
    }
    Reps(sampling::calibrate(resolution, |class, reps| {
        let input = match class {
            Class::Fixed => &REFERENCE,
            Class::Random => &random,
        };
        time(timer, f, input, Reps(reps))
    }))
}

/// One sample: the warm-up and [`MEASUREMENTS`] measurements of `f`, into `stats`.
fn sample<T: Timer>(
    stats: &mut Dudect,
    timer: &mut T,
    rng: &mut XorShift32,
    f: Target,
    reps: Reps,
    resolution: u64,
) {
    let mut warmup = [0u64; WARMUP];
    let mut inputs = [[0u8; 32]; BATCH];
    let mut classes = [Class::Fixed; BATCH];
    let mut ticks = [0u64; BATCH];
    sampling::sample(
        stats,
        &mut warmup,
        sampling::Batch {
            inputs: &mut inputs,
            classes: &mut classes,
            ticks: &mut ticks,
        },
        MEASUREMENTS,
        resolution,
        |inputs, classes| prepare(rng, inputs, classes),
        |inputs, i| time(timer, f, &inputs[i], reps),
    );
}

/// Draws a class per slot and fills the input: the reference for the fixed class, random
/// bytes otherwise. The same instructions for either class (mask blend, no branch), so that
/// the timer's phase at the first measurement of the batch does not depend on its classes.
fn prepare(rng: &mut XorShift32, inputs: &mut [[u8; 32]; BATCH], classes: &mut [Class]) {
    for (input, class) in inputs.iter_mut().zip(classes.iter_mut()) {
        // The class is the top bit of a multiplied output, not xorshift's raw low bit: the
        // low bits are linear in the state, and under QEMU that showed up as a small
        // correlation with the SysTick rounding phase (|t| near 3 for `ct_eq` on M0).
        let bit = rng.next_u32().wrapping_mul(0x9e37_79bb) >> 31;
        let fixed = 0u8.wrapping_sub(black_box(bit as u8 ^ 1)); // 0xff: fixed, 0: random
        for (chunk, reference) in input.chunks_exact_mut(4).zip(REFERENCE.chunks_exact(4)) {
            let random = rng.next_u32().to_le_bytes();
            for ((b, r), x) in chunk.iter_mut().zip(random).zip(reference) {
                *b = (r & !fixed) | (x & fixed);
            }
        }
        *class = if bit == 0 {
            Class::Fixed
        } else {
            Class::Random
        };
    }
}

/// Measures `f` as two samples, prints both and the confirmation; returns the confirmed
/// verdict and its |t| (0 if there is none).
fn run<T: Timer>(
    report: &Report,
    timer: &mut T,
    rng: &mut XorShift32,
    name: &str,
    f: Target,
) -> (StatVerdict, f64) {
    let resolution = sampling::resolution(timer);
    let reps = calibrate(timer, rng, f, resolution);
    report.note(format_args!(
        "{name}: timer resolution {resolution} ticks; {} calls per measurement",
        reps.0
    ));
    let mut samples = [Dudect::new(), Dudect::new(), Dudect::new()];
    let (c, n) = sampling::confirmed(&mut samples, |stats| {
        sample(stats, timer, rng, f, reps, resolution)
    });
    for (i, stats) in samples[..2].iter().enumerate() {
        let u = stats.uncropped();
        let (fixed, random) = (u.class(Class::Fixed), u.class(Class::Random));
        report.note(format_args!(
            "{name} sample {}: {} measurements, median {} ticks; mean fixed {:.2} (n={}), random {:.2} (n={}); {}",
            i + 1,
            stats.count(),
            stats.median(),
            fixed.mean(),
            fixed.count(),
            random.mean(),
            random.count(),
            Strongest(stats.max_t())
        ));
    }
    if n == 3 {
        // One sample said leak, the other no evidence: the third decided, against the lone one.
        report.note(format_args!(
            "{name} sample 3 (the first two disagreed): {}",
            Strongest(samples[2].max_t())
        ));
    }
    report.note(format_args!(
        "{name}: verdict {:?} (a leak needs the same test above {T_THRESHOLD} in both samples); {}",
        c.verdict,
        Strongest(c.t)
    ));
    (c.verdict, c.t.map_or(0.0, |m| abs(m.t)))
}

/// Prints a test's t, or that no test had enough measurements.
struct Strongest(Option<MaxT>);

impl core::fmt::Display for Strongest {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        let Some(m) = self.0 else {
            return write!(
                f,
                "inconclusive (fewer than {MIN_MEASUREMENTS} measurements)"
            );
        };
        let (kind, crop) = match m.kind {
            TestKind::Uncropped => ("uncropped", None),
            TestKind::Cropped(i) => ("cropped", Some(i)),
            TestKind::SecondOrder => ("second-order", None),
        };
        write!(
            f,
            "max |t| = {:.2} (t = {:.2}; {kind}{}{} test, {} measurements)",
            abs(m.t),
            m.t,
            if crop.is_some() { " #" } else { "" },
            Crop(crop),
            m.count
        )
    }
}

/// Prints a crop index, or nothing.
struct Crop(Option<usize>);

impl core::fmt::Display for Crop {
    fn fmt(&self, f: &mut core::fmt::Formatter<'_>) -> core::fmt::Result {
        match self.0 {
            Some(i) => write!(f, "{i}"),
            None => Ok(()),
        }
    }
}

fn abs(x: f64) -> f64 {
    if x < 0.0 {
        -x
    } else {
        x
    }
}

/// 100 NOPs, to show what a tick is on this core and timer.
#[inline(never)]
fn hundred_nops() {
    for _ in 0..10 {
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
        cortex_m::asm::nop();
    }
}

fn run_all<T: Timer>(mut report: Report, timer: &mut T) -> ! {
    report.note(format_args!(
        "timer: {}; two samples of {} measurements per function, each after {} warm-up; leak if |t| > {} in both",
        timer.unit(),
        MEASUREMENTS,
        WARMUP,
        T_THRESHOLD
    ));
    let (calibration, ()) = timer.measure(|| black_box(hundred_nops as fn())());
    report.note(format_args!(
        "calibration: 100 NOPs + loop = {calibration} ticks"
    ));
    report.check("timer counts", calibration > 0);

    let mut rng = XorShift32(SEED);
    let (verdict, t) = run(&report, timer, &mut rng, "early_exit_eq", early_exit_eq);
    report.check(
        format_args!("early_exit_eq is a leak: |t| = {t:.2} > {T_THRESHOLD}"),
        verdict == StatVerdict::Leak && t > T_THRESHOLD,
    );
    let (verdict, t) = run(
        &report,
        timer,
        &mut rng,
        "secret_core_ct_eq",
        secret_core_ct_eq,
    );
    report.check(
        format_args!("secret_core_ct_eq shows no leak: |t| = {t:.2} <= {T_THRESHOLD}"),
        verdict == StatVerdict::NoEvidence && t <= T_THRESHOLD,
    );
    report.finish()
}

#[entry]
fn main() -> ! {
    let report = Report::new("dudect");
    let p = cortex_m::Peripherals::take().expect("peripherals taken once");

    #[cfg(all(feature = "dwt", not(armv6m)))]
    {
        let _ = p.SYST;
        match secret_firmware::timer::DwtTimer::new(p.DCB, p.DWT) {
            Some(mut timer) => run_all(report, &mut timer),
            None => {
                let mut report = report;
                report.check(
                    "DWT CYCCNT counts (QEMU does not emulate DWT: run without --features dwt)",
                    false,
                );
                report.finish()
            }
        }
    }
    #[cfg(not(all(feature = "dwt", not(armv6m))))]
    {
        #[cfg(feature = "dwt")]
        report.note("ARMv6-M has no DWT cycle counter: using SysTick");
        let mut timer = secret_firmware::timer::SysTickTimer::new(p.SYST);
        run_all(report, &mut timer)
    }
}
