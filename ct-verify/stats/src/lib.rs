//! The statistics core of ct-verify's dudect engine: online mean and variance, Welch's t-test,
//! percentile cropping, first- and second-order tests.
//!
//! This crate is `#![no_std]` and uses nothing but `core` (no allocation, no floating-point
//! functions from `std`), so the same code runs on the host (`ct_verify::stats` re-exports it)
//! and inside firmware that feeds it tick counts from a hardware counter (DWT CYCCNT, SysTick):
//! see `no_std-examples/src/bin/dudect.rs`. It knows nothing about time: it only sees numbers
//! tagged with a [`Class`].
//!
//! ```
//! use ct_verify_stats::{Class, Dudect, StatVerdict};
//!
//! let mut d = Dudect::new();
//! // Cropping thresholds from a warm-up batch (sorted in place, then discarded).
//! let mut warmup: [u64; 100] = core::array::from_fn(|i| 100 + i as u64 % 10);
//! d.set_thresholds(&mut warmup);
//! for i in 0..10_000u64 {
//!     // The fixed class takes 100 more ticks: a leak.
//!     d.push(Class::Fixed, 200 + i % 10);
//!     d.push(Class::Random, 100 + i % 10);
//! }
//! assert_eq!(d.verdict(), StatVerdict::Leak);
//! assert!(d.max_t().unwrap().t > ct_verify_stats::T_THRESHOLD);
//! ```
#![no_std]
#![forbid(unsafe_code)]

/// |t| above this value is evidence of a leak (the dudect paper and the TVLA convention).
pub const T_THRESHOLD: f64 = 4.5;

/// A test needs at least this many measurements before its t-statistic is taken as evidence,
/// in either direction.
pub const MIN_MEASUREMENTS: u64 = 10_000;

/// Number of percentile-cropped tests kept beside the uncropped and the second-order one.
pub const CROPS: usize = 32;

/// Number of tests a [`Dudect`] keeps: uncropped, [`CROPS`] cropped, second order.
pub const TESTS: usize = CROPS + 2;

/// Which input class a measurement belongs to.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Class {
    /// The fixed input (the same value every time).
    Fixed = 0,
    /// A fresh random input.
    Random = 1,
}

/// Square root by Newton's method (`core` has no `f64::sqrt` on stable).
pub fn sqrt(x: f64) -> f64 {
    if x.is_nan() || x < 0.0 {
        return f64::NAN;
    }
    if x == 0.0 || x.is_infinite() {
        return x;
    }
    // Start from a power of two near the root: halve the exponent.
    let bits = x.to_bits();
    let exp = ((bits >> 52) & 0x7ff) as i64 - 1023;
    let mut y = f64::from_bits((((exp / 2) + 1023) as u64) << 52);
    for _ in 0..64 {
        let next = 0.5 * (y + x / y);
        if next == y {
            break;
        }
        y = next;
    }
    y
}

/// Welford's online mean and variance.
#[derive(Clone, Copy, Debug, Default)]
pub struct OnlineStats {
    n: u64,
    mean: f64,
    m2: f64,
}

impl OnlineStats {
    /// An empty accumulator.
    pub const fn new() -> Self {
        Self {
            n: 0,
            mean: 0.0,
            m2: 0.0,
        }
    }

    /// Adds one sample.
    pub fn push(&mut self, x: f64) {
        self.n += 1;
        let delta = x - self.mean;
        self.mean += delta / self.n as f64;
        self.m2 += delta * (x - self.mean);
    }

    /// Number of samples.
    pub fn count(&self) -> u64 {
        self.n
    }

    /// Sample mean (0 when empty).
    pub fn mean(&self) -> f64 {
        self.mean
    }

    /// Unbiased sample variance (0 with fewer than two samples).
    pub fn variance(&self) -> f64 {
        if self.n < 2 {
            0.0
        } else {
            self.m2 / (self.n - 1) as f64
        }
    }
}

/// Welch's two-sample t-test over the two classes.
#[derive(Clone, Copy, Debug, Default)]
pub struct WelchTest {
    classes: [OnlineStats; 2],
}

impl WelchTest {
    /// An empty test.
    pub const fn new() -> Self {
        Self {
            classes: [OnlineStats::new(), OnlineStats::new()],
        }
    }

    /// Adds one sample of `class`.
    pub fn push(&mut self, class: Class, x: f64) {
        self.classes[class as usize].push(x);
    }

    /// Samples in both classes together.
    pub fn count(&self) -> u64 {
        self.classes[0].count() + self.classes[1].count()
    }

    /// The accumulator of one class.
    pub fn class(&self, class: Class) -> &OnlineStats {
        &self.classes[class as usize]
    }

    /// Welch's t statistic; 0 while a class has fewer than two samples or both have no variance.
    pub fn t(&self) -> f64 {
        let [a, b] = &self.classes;
        if a.count() < 2 || b.count() < 2 {
            return 0.0;
        }
        let se = a.variance() / a.count() as f64 + b.variance() / b.count() as f64;
        if se <= 0.0 {
            // Zero variance in both classes: different means are a certain difference.
            return if a.mean() == b.mean() {
                0.0
            } else {
                f64::INFINITY
            };
        }
        (a.mean() - b.mean()) / sqrt(se)
    }
}

/// Which of the [`TESTS`] a result came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestKind {
    /// All measurements.
    Uncropped,
    /// Measurements at or below a percentile of the warm-up batch (index into the crop list).
    Cropped(usize),
    /// Second order: squared distance from the class mean.
    SecondOrder,
}

/// The strongest evidence so far.
#[derive(Clone, Copy, Debug)]
pub struct MaxT {
    /// The t statistic with the largest magnitude among tests with enough measurements.
    pub t: f64,
    /// Measurements in that test.
    pub count: u64,
    /// Which test it is.
    pub kind: TestKind,
}

/// What the measurements say so far.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatVerdict {
    /// |t| > [`T_THRESHOLD`] in a test with at least [`MIN_MEASUREMENTS`].
    Leak,
    /// Enough measurements and no test above the threshold.
    NoEvidence,
    /// Too few measurements to say anything.
    Inconclusive,
}

/// dudect's battery of tests: uncropped, cropped at [`CROPS`] percentiles, and second order.
#[derive(Clone, Debug)]
pub struct Dudect {
    thresholds: [u64; CROPS],
    have_thresholds: bool,
    uncropped: WelchTest,
    cropped: [WelchTest; CROPS],
    second: WelchTest,
}

impl Default for Dudect {
    fn default() -> Self {
        Self::new()
    }
}

impl Dudect {
    /// Empty tests, no cropping thresholds yet.
    pub const fn new() -> Self {
        Self {
            thresholds: [u64::MAX; CROPS],
            have_thresholds: false,
            uncropped: WelchTest::new(),
            cropped: [WelchTest::new(); CROPS],
            second: WelchTest::new(),
        }
    }

    /// Sets the cropping thresholds from a warm-up batch (sorted in place). Percentile `i` is
    /// `1 - 0.5^(10 (i+1) / CROPS)`, as in dudect: dense near the top where the noise is.
    pub fn set_thresholds(&mut self, warmup: &mut [u64]) {
        if warmup.is_empty() {
            return;
        }
        warmup.sort_unstable();
        for (i, slot) in self.thresholds.iter_mut().enumerate() {
            let p = 1.0 - pow_half(10.0 * (i + 1) as f64 / CROPS as f64);
            let idx = ((p * warmup.len() as f64) as usize).min(warmup.len() - 1);
            *slot = warmup[idx];
        }
        self.have_thresholds = true;
    }

    /// Whether [`Dudect::set_thresholds`] has run.
    pub fn has_thresholds(&self) -> bool {
        self.have_thresholds
    }

    /// Adds one measurement.
    pub fn push(&mut self, class: Class, ticks: u64) {
        let x = ticks as f64;
        self.uncropped.push(class, x);
        for (threshold, test) in self.thresholds.iter().zip(self.cropped.iter_mut()) {
            if ticks <= *threshold {
                test.push(class, x);
            }
        }
        if self.uncropped.count() > MIN_MEASUREMENTS {
            let d = x - self.uncropped.class(class).mean();
            self.second.push(class, d * d);
        }
    }

    /// Measurements taken.
    pub fn count(&self) -> u64 {
        self.uncropped.count()
    }

    /// The uncropped test (for means per class).
    pub fn uncropped(&self) -> &WelchTest {
        &self.uncropped
    }

    /// The test with the largest |t| among those with at least [`MIN_MEASUREMENTS`], or `None`.
    pub fn max_t(&self) -> Option<MaxT> {
        let mut best: Option<MaxT> = None;
        let mut consider = |test: &WelchTest, kind: TestKind| {
            if test.count() < MIN_MEASUREMENTS {
                return;
            }
            let t = test.t();
            if best.is_none_or(|b| abs(t) > abs(b.t)) {
                best = Some(MaxT {
                    t,
                    count: test.count(),
                    kind,
                });
            }
        };
        consider(&self.uncropped, TestKind::Uncropped);
        for (i, test) in self.cropped.iter().enumerate() {
            consider(test, TestKind::Cropped(i));
        }
        consider(&self.second, TestKind::SecondOrder);
        best
    }

    /// The verdict so far.
    pub fn verdict(&self) -> StatVerdict {
        match self.max_t() {
            Some(m) if abs(m.t) > T_THRESHOLD => StatVerdict::Leak,
            Some(_) => StatVerdict::NoEvidence,
            None => StatVerdict::Inconclusive,
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

/// 0.5^e for e >= 0 by repeated squaring on the integer part and a short series on the rest.
fn pow_half(e: f64) -> f64 {
    let whole = e as u32;
    let frac = e - whole as f64;
    let mut r = 1.0;
    for _ in 0..whole {
        r *= 0.5;
    }
    // 0.5^f = exp(-f ln 2), Taylor series is plenty for f in [0, 1).
    let x = -frac * core::f64::consts::LN_2;
    let mut term = 1.0;
    let mut sum = 1.0;
    for k in 1..20 {
        term *= x / k as f64;
        sum += term;
    }
    r * sum
}

#[cfg(test)]
mod tests {
    extern crate std;

    use super::*;

    #[test]
    fn sqrt_matches_std() {
        for x in [0.0, 1e-12, 0.25, 2.0, 9.0, 1e6, 12345.678, 1e300] {
            let got = sqrt(x);
            assert!(
                (got - x.sqrt()).abs() <= 1e-12 * x.sqrt().max(1.0),
                "{x}: {got}"
            );
        }
    }

    #[test]
    fn pow_half_matches_std() {
        for e in [0.0, 0.3, 1.0, 2.5, 9.99] {
            assert!((pow_half(e) - 0.5f64.powf(e)).abs() < 1e-12);
        }
    }

    #[test]
    fn welch_t_separates_shifted_classes() {
        let mut t = WelchTest::new();
        for i in 0..1000u64 {
            t.push(Class::Fixed, (100 + i % 7) as f64);
            t.push(Class::Random, (110 + i % 7) as f64);
        }
        assert!(t.t() < -100.0);
        let mut same = WelchTest::new();
        for i in 0..1000u64 {
            same.push(Class::Fixed, (100 + i % 7) as f64);
            same.push(Class::Random, (100 + (i + 3) % 7) as f64);
        }
        assert!(same.t().abs() < 1.0);
    }

    #[test]
    fn dudect_needs_enough_measurements() {
        let mut d = Dudect::new();
        let mut warm: [u64; 100] = core::array::from_fn(|i| 100 + (i as u64 % 10));
        d.set_thresholds(&mut warm);
        for i in 0..4000u64 {
            d.push(Class::Fixed, 100 + i % 10);
            d.push(Class::Random, 200 + i % 10);
        }
        assert_eq!(d.verdict(), StatVerdict::Inconclusive);
        for i in 0..5000u64 {
            d.push(Class::Fixed, 100 + i % 10);
            d.push(Class::Random, 200 + i % 10);
        }
        assert_eq!(d.verdict(), StatVerdict::Leak);
    }

    #[test]
    fn dudect_no_evidence_for_identical_distributions() {
        let mut d = Dudect::new();
        let mut warm: [u64; 100] = core::array::from_fn(|i| 100 + (i as u64 % 10));
        d.set_thresholds(&mut warm);
        for i in 0..20_000u64 {
            let c = if (i * 2654435761) % 3 == 0 {
                Class::Fixed
            } else {
                Class::Random
            };
            d.push(c, 100 + (i * 7919) % 10);
        }
        assert_eq!(d.verdict(), StatVerdict::NoEvidence);
    }
}
