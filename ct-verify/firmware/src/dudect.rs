//! dudect on the device (`ctv dudect INDEX PUBLIC`): a check's fixed class against random
//! secrets, timed on the core, judged with the statistics and the confirmation rule of the host
//! engine (`ct-verify-stats`).
//!
//! The fixed class is the check's first `Config::fixed` corner case, else all-zero (as on the
//! host). Inputs are prepared a batch at a time with the same instructions for either class
//! (both candidates are built, one is kept by index), then the batch is measured. A measurement
//! times enough calls to span twice `MIN_RESOLUTIONS` timer resolutions. Two independent samples
//! of [`MEASUREMENTS`] after [`WARMUP`] each; a third when they disagree.
//!
//! Timer: SysTick from the core clock, every core. Under QEMU with `-icount` it counts
//! instructions, so there the run checks the plumbing, not the silicon's timing. With the
//! feature `dwt` (ARMv7-M, ARMv8-M Mainline) the DWT cycle counter times real cycles on a board
//! (QEMU does not emulate it: the run then stops with a message).

use core::hint::black_box;
use core::sync::atomic::Ordering;

use ct_verify_stats::sampling::{self, Ticks};
use ct_verify_stats::{Class, Dudect, StatVerdict, TestKind};

use crate::input::Input;

/// Measurements per batch (inputs prepared first, then measured).
const BATCH: usize = 16;
/// Measurements that only set the cropping thresholds.
const WARMUP: usize = 16 * BATCH;
/// Measurements per sample (at least `MIN_MEASUREMENTS`).
const MEASUREMENTS: usize = 1280 * BATCH; // 20,480
/// Largest secret input dudect takes on the device (a batch of them is held in RAM).
pub(crate) const MAX_SIZE: usize = 256;

const _: () = assert!(MEASUREMENTS as u64 >= ct_verify_stats::MIN_MEASUREMENTS);

/// SysTick from the core clock, down-counting over its 24 bits.
#[cfg_attr(all(feature = "dwt", not(ctv_armv6m)), allow(dead_code))]
pub(crate) struct SysTick;

impl Ticks for SysTick {
    #[inline(always)]
    fn now(&mut self) -> u32 {
        cortex_m::peripheral::SYST::get_current()
    }
    #[inline(always)]
    fn elapsed(&self, start: u32, end: u32) -> u32 {
        start.wrapping_sub(end) & 0x00FF_FFFF
    }
    fn unit(&self) -> &'static str {
        "systick"
    }
}

/// The DWT cycle counter (real ARMv7-M / ARMv8-M Mainline boards).
#[cfg(all(feature = "dwt", not(ctv_armv6m)))]
pub(crate) struct Dwt;

#[cfg(all(feature = "dwt", not(ctv_armv6m)))]
impl Ticks for Dwt {
    #[inline(always)]
    fn now(&mut self) -> u32 {
        cortex_m::peripheral::DWT::cycle_count()
    }
    #[inline(always)]
    fn elapsed(&self, start: u32, end: u32) -> u32 {
        end.wrapping_sub(start)
    }
    fn unit(&self) -> &'static str {
        "cycles"
    }
}

/// xorshift32: picks classes and random inputs (not cryptographic; fixed seed, repeatable).
pub(crate) struct XorShift32(pub(crate) u32);

impl XorShift32 {
    fn next_u32(&mut self) -> u32 {
        let mut x = self.0;
        x ^= x << 13;
        x ^= x >> 17;
        x ^= x << 5;
        self.0 = x;
        x
    }

    fn fill(&mut self, out: &mut [u8]) {
        for chunk in out.chunks_mut(4) {
            let r = self.next_u32().to_le_bytes();
            chunk.copy_from_slice(&r[..chunk.len()]);
        }
    }
}

/// The samples' statistics and the warm-up buffer, in static memory (several KiB: too much for
/// the stack of a Cortex-M0 board with 16 KiB of RAM). Handed out once per firmware run.
struct Storage {
    samples: core::cell::UnsafeCell<[Dudect; 3]>,
    warmup: core::cell::UnsafeCell<[u64; WARMUP]>,
    taken: core::sync::atomic::AtomicBool,
}

// SAFETY: single-threaded firmware, no interrupt handler touches it, and `take` hands out the
// only references once (guarded by `taken`).
unsafe impl Sync for Storage {}

static STORAGE: Storage = Storage {
    samples: core::cell::UnsafeCell::new([Dudect::new(), Dudect::new(), Dudect::new()]),
    warmup: core::cell::UnsafeCell::new([0; WARMUP]),
    taken: core::sync::atomic::AtomicBool::new(false),
};

/// The storage, the first time only.
fn take_storage() -> Option<(&'static mut [Dudect; 3], &'static mut [u64; WARMUP])> {
    // Load and store, not `swap`: ARMv6-M has no atomic read-modify-write, and the firmware
    // is single-threaded.
    if STORAGE.taken.load(Ordering::SeqCst) {
        return None;
    }
    STORAGE.taken.store(true, Ordering::SeqCst);
    // SAFETY: `taken` was false: no other reference to either cell exists, and none will be
    // made (the flag stays set).
    unsafe { Some((&mut *STORAGE.samples.get(), &mut *STORAGE.warmup.get())) }
}

/// What the run found.
pub(crate) struct Outcome {
    pub(crate) verdict: StatVerdict,
    /// The confirmed (or strongest) t, its test and measurements.
    pub(crate) t: f64,
    pub(crate) test: TestKind,
    pub(crate) measurements: u64,
    pub(crate) fixed_mean: f64,
    pub(crate) random_mean: f64,
    pub(crate) resolution: u64,
    pub(crate) reps: u32,
    pub(crate) samples: usize,
}

/// Runs dudect on `f` with `fixed` as the fixed class and public input `p`. Never inlined: its
/// frame (three samples' statistics, a warm-up and a batch of inputs, several KiB) exists only
/// while dudect runs, not in every check's listing (Cortex-M0 boards have 16 KiB of RAM).
#[inline(never)]
pub(crate) fn run<S: Input, P, R, F: Fn(&S, &P) -> R, T: Ticks>(
    timer: &mut T,
    f: &F,
    fixed: &S,
    p: &P,
    rng: &mut XorShift32,
) -> Outcome {
    let time = |timer: &mut T, input: &S, reps: u32| -> u64 {
        let (ticks, ()) = timer.measure(|| {
            for _ in 0..reps {
                drop(black_box(f(black_box(input), black_box(p))));
            }
        });
        u64::from(ticks)
    };
    let resolution = sampling::resolution(timer);
    let mut bytes = [0u8; MAX_SIZE];
    rng.fill(&mut bytes[..S::SIZE]);
    let random = S::from_bytes(&bytes[..S::SIZE]);
    let reps = sampling::calibrate(resolution, |class, reps| match class {
        Class::Fixed => time(timer, fixed, reps),
        Class::Random => time(timer, &random, reps),
    });
    let Some((samples, warmup)) = take_storage() else {
        // `run` is called once per firmware run (the suite exits after it).
        return Outcome {
            verdict: StatVerdict::Inconclusive,
            t: 0.0,
            test: TestKind::Uncropped,
            measurements: 0,
            fixed_mean: 0.0,
            random_mean: 0.0,
            resolution,
            reps,
            samples: 0,
        };
    };
    let mut inputs: [S; BATCH] = core::array::from_fn(|_| S::zeros());
    let mut classes = [Class::Fixed; BATCH];
    let mut ticks = [0u64; BATCH];
    let (c, n) = sampling::confirmed(samples, |stats| {
        // Both candidates are built for either class; the index picks one.
        let prepare = |inputs: &mut [S; BATCH], classes: &mut [Class]| {
            for (input, class) in inputs.iter_mut().zip(classes.iter_mut()) {
                // The class is the top bit of a multiplied output (xorshift's low bits are
                // linear in its state).
                let bit = (rng.next_u32().wrapping_mul(0x9e37_79bb) >> 31) as usize;
                rng.fill(&mut bytes[..S::SIZE]);
                let mut pair = [fixed.clone(), S::from_bytes(&bytes[..S::SIZE])];
                *input = core::mem::replace(&mut pair[black_box(bit)], S::zeros());
                *class = if bit == 0 {
                    Class::Fixed
                } else {
                    Class::Random
                };
            }
        };
        sampling::sample(
            stats,
            &mut warmup[..],
            sampling::Batch {
                inputs: &mut inputs,
                classes: &mut classes,
                ticks: &mut ticks,
            },
            MEASUREMENTS,
            resolution,
            prepare,
            |inputs, i| time(timer, &inputs[i], reps),
        );
    });
    let measured = samples[..n].iter().map(Dudect::count).sum();
    let u = samples[0].uncropped();
    Outcome {
        verdict: c.verdict,
        t: c.t.map_or(0.0, |m| m.t),
        test: c.t.map_or(TestKind::Uncropped, |m| m.kind),
        measurements: measured,
        fixed_mean: u.class(Class::Fixed).mean(),
        random_mean: u.class(Class::Random).mean(),
        resolution,
        reps,
        samples: n,
    }
}
