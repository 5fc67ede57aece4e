//! dudect's measurement loop on a device, around a caller's timer and inputs: the timer's
//! resolution, how many calls one measurement times, batched samples after a warm-up, and the
//! confirmation with a third sample. ct-verify's firmware twin (`ctv dudect`) and the no_std
//! example (`no_std-examples/src/bin/dudect.rs`) both run it; each brings its own timers
//! (SysTick, DWT CYCCNT) and its own way of building a batch of inputs.
//!
//! Within a batch, the inputs are prepared first and measured afterwards, so that the code
//! between two measurements does not depend on their classes.

use core::sync::atomic::{compiler_fence, Ordering};

use crate::{confirm, reps_for, timer_resolution, Class, Confirmation, Dudect, MAX_REPS};

/// A free-running hardware tick counter.
pub trait Ticks {
    /// The raw counter value now.
    fn now(&mut self) -> u32;

    /// Ticks from reading `start` to reading `end` (the counter's wrap and direction handled).
    fn elapsed(&self, start: u32, end: u32) -> u32;

    /// What a tick is, for reports.
    fn unit(&self) -> &'static str;

    /// Runs `f` once and returns the ticks it took and its result. The compiler fences keep
    /// the call between the two counter reads.
    #[inline(always)]
    fn measure<R>(&mut self, f: impl FnOnce() -> R) -> (u32, R) {
        compiler_fence(Ordering::SeqCst);
        let start = self.now();
        compiler_fence(Ordering::SeqCst);
        let r = f();
        compiler_fence(Ordering::SeqCst);
        let end = self.now();
        compiler_fence(Ordering::SeqCst);
        (self.elapsed(start, end), r)
    }
}

/// The timer's resolution in ticks: its smallest step between two reads, over 1000 reads.
pub fn resolution<T: Ticks>(timer: &mut T) -> u64 {
    let mut last = timer.now();
    let mut total = 0u64;
    timer_resolution(
        || {
            let now = timer.now();
            total += u64::from(timer.elapsed(last, now));
            last = now;
            total
        },
        1000,
    )
}

/// Calls per measurement: doubled (at least) until the median of 15 measurements of the faster
/// class spans enough resolutions ([`reps_for`]), at most [`MAX_REPS`]. `time(class, reps)`
/// times `reps` calls on the fixed input or on one random input.
pub fn calibrate(resolution: u64, mut time: impl FnMut(Class, u32) -> u64) -> u32 {
    let mut reps = 1u32;
    loop {
        let mut median = |class: Class| {
            let mut t = [0u64; 15];
            for slot in &mut t {
                *slot = time(class, reps);
            }
            t.sort_unstable();
            t[t.len() / 2]
        };
        let ticks = median(Class::Fixed).min(median(Class::Random));
        let next = reps_for(resolution, reps, ticks);
        if next <= reps || reps == MAX_REPS {
            return reps;
        }
        reps = next.max(reps.saturating_mul(2)).min(MAX_REPS);
    }
}

/// A batch of measurements: the caller's inputs, a class per slot, and the ticks each slot
/// measured (`classes` and `ticks` as long as the batch).
pub struct Batch<'a, B> {
    /// The inputs, built by `prepare` (the caller's type: an array of inputs, say).
    pub inputs: &'a mut B,
    /// The class of each slot.
    pub classes: &'a mut [Class],
    /// The ticks of each slot's measurement.
    pub ticks: &'a mut [u64],
}

/// One sample into `stats` (reset first): `warmup.len()` measurements that only set the
/// cropping thresholds, then `measurements` that feed the tests, a batch at a time.
/// `prepare(inputs, classes)` draws a class per slot and builds the batch's inputs;
/// `measure(inputs, i)` times slot `i`. The whole batch is measured before any result is
/// recorded, so nothing between two measurements depends on their classes. Both counts must be
/// whole batches.
pub fn sample<B>(
    stats: &mut Dudect,
    warmup: &mut [u64],
    batch: Batch<'_, B>,
    measurements: usize,
    resolution: u64,
    mut prepare: impl FnMut(&mut B, &mut [Class]),
    mut measure: impl FnMut(&mut B, usize) -> u64,
) {
    let Batch {
        inputs,
        classes,
        ticks,
    } = batch;
    let size = classes.len();
    assert!(
        size > 0 && ticks.len() == size && warmup.len() % size == 0 && measurements % size == 0,
        "warm-up and measurements must be whole batches"
    );
    *stats = Dudect::new();
    for first in (0..warmup.len() + measurements).step_by(size) {
        prepare(inputs, classes);
        for (i, t) in ticks.iter_mut().enumerate() {
            *t = measure(inputs, i);
        }
        if first < warmup.len() {
            warmup[first..first + size].copy_from_slice(ticks);
            if first + size == warmup.len() {
                stats.set_thresholds(warmup, resolution);
            }
        } else {
            for (class, t) in classes.iter().zip(ticks.iter()) {
                stats.push(*class, *t);
            }
        }
    }
}

/// Two independent samples (`take` fills one), confirmed; when exactly one says leak, a third
/// sample decides against it. Returns the confirmation and how many samples were taken.
pub fn confirmed(
    samples: &mut [Dudect; 3],
    mut take: impl FnMut(&mut Dudect),
) -> (Confirmation, usize) {
    let [first, second, third] = samples;
    take(first);
    take(second);
    let c = confirm(first, second);
    match c.lone {
        None => (c, 2),
        Some(lone) => {
            take(third);
            (confirm(if lone == 0 { first } else { second }, third), 3)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::StatVerdict;

    /// A counter that advances by `step` per read.
    struct Fake {
        value: u32,
        step: u32,
    }

    impl Ticks for Fake {
        fn now(&mut self) -> u32 {
            self.value = self.value.wrapping_add(self.step);
            self.value
        }
        fn elapsed(&self, start: u32, end: u32) -> u32 {
            end.wrapping_sub(start)
        }
        fn unit(&self) -> &'static str {
            "fake"
        }
    }

    #[test]
    fn resolution_is_the_smallest_step() {
        assert_eq!(resolution(&mut Fake { value: 0, step: 7 }), 7);
    }

    #[test]
    fn calibration_grows_until_the_faster_class_spans_enough_resolutions() {
        // 3 ticks per call, resolution 1: a median of 3 * reps must reach 2 * MIN_RESOLUTIONS.
        let reps = calibrate(1, |_, reps| 3 * u64::from(reps));
        assert!(3 * u64::from(reps) >= 2 * crate::MIN_RESOLUTIONS, "{reps}");
        assert!(reps < MAX_REPS);
        // A timer that never advances: it stops at the estimate for one tick per call, not
        // in an endless loop.
        assert_eq!(
            u64::from(calibrate(1, |_, _| 0)),
            2 * crate::MIN_RESOLUTIONS
        );
    }

    /// A sample of a function that takes `extra` more ticks for the fixed class, with a
    /// deterministic jitter; classes alternate.
    fn run(extra: u64, seed: u64) -> Dudect {
        let mut stats = Dudect::new();
        let mut warmup = [0u64; 64];
        let mut classes = [Class::Fixed; 16];
        let mut ticks = [0u64; 16];
        let mut x = seed;
        let mut slots = [0u64; 16];
        sample(
            &mut stats,
            &mut warmup,
            Batch {
                inputs: &mut slots,
                classes: &mut classes,
                ticks: &mut ticks,
            },
            16_000,
            1,
            |slots, classes| {
                for (i, (c, s)) in classes.iter_mut().zip(slots.iter_mut()).enumerate() {
                    *c = if i % 2 == 0 {
                        Class::Fixed
                    } else {
                        Class::Random
                    };
                    x ^= x << 13;
                    x ^= x >> 7;
                    x ^= x << 17;
                    *s = 1000 + x % 50 + if *c == Class::Fixed { extra } else { 0 };
                }
            },
            |slots, i| slots[i],
        );
        stats
    }

    #[test]
    fn a_sample_measures_after_the_warm_up_and_confirmation_needs_two() {
        let s = run(0, 1);
        assert_eq!(s.count(), 16_000);
        let mut samples = [Dudect::new(), Dudect::new(), Dudect::new()];
        let mut seeds = [2u64, 3, 4].into_iter();
        let (c, n) = confirmed(&mut samples, |d| *d = run(0, seeds.next().unwrap()));
        assert_eq!((c.verdict, n), (StatVerdict::NoEvidence, 2));
        let mut seeds = [5u64, 6, 7].into_iter();
        let (c, n) = confirmed(&mut samples, |d| *d = run(40, seeds.next().unwrap()));
        assert_eq!((c.verdict, n), (StatVerdict::Leak, 2));
        // Leaky in the first sample only: a third sample, without the difference, decides.
        let mut extras = [40u64, 0, 0].into_iter();
        let (c, n) = confirmed(&mut samples, |d| *d = run(extras.next().unwrap(), 8));
        assert_eq!((c.verdict, n), (StatVerdict::NoEvidence, 3));
    }
}
