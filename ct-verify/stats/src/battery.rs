//! [`Dudect`]: dudect's battery of Welch tests over one sample of measurements.

use crate::welch::WelchTest;
use crate::{abs, Class, CROPS, MIN_MEASUREMENTS, MIN_RESOLUTIONS, T_THRESHOLD};

/// Which of the tests of a [`Dudect`] a result came from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum TestKind {
    /// All measurements.
    Uncropped,
    /// Measurements at or below a percentile of the warm-up (index into the crop list; the
    /// percentile is `1 - 0.5^(10 (i+1) / CROPS)`, from 19 % to 99.9 %).
    Cropped(usize),
    /// Dispersion: `(x - m)^2` with `m` the warm-up median, over measurements at or below the
    /// warm-up's 90th percentile. The centre is the same for both classes, so one outlier
    /// cannot shift it (dudect's original centres on each class's running mean, and one
    /// preemption of a few milliseconds in one class then makes every later measurement of
    /// that class look dispersed: |t| in the hundreds on constant-time code).
    SecondOrder,
}

impl TestKind {
    /// Every kind, in a fixed order: uncropped, the crops, second order.
    pub fn all() -> impl Iterator<Item = TestKind> {
        core::iter::once(TestKind::Uncropped)
            .chain((0..CROPS).map(TestKind::Cropped))
            .chain(core::iter::once(TestKind::SecondOrder))
    }
}

/// One test's t statistic.
#[derive(Clone, Copy, Debug)]
pub struct MaxT {
    /// Welch's t, fixed minus random (negative: the fixed class is faster).
    pub t: f64,
    /// Measurements in that test.
    pub count: u64,
    /// Which test it is.
    pub kind: TestKind,
}

/// What the measurements say.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatVerdict {
    /// |t| > [`T_THRESHOLD`] in a test with at least [`MIN_MEASUREMENTS`] (for two samples:
    /// see [`crate::confirm`]).
    Leak,
    /// Enough evidence, and no leak.
    NoEvidence,
    /// Too few measurements, or measurements too short for the timer (see
    /// [`MIN_RESOLUTIONS`]): nothing can be said.
    Inconclusive,
}

/// dudect's battery over one sample: uncropped, cropped at [`CROPS`] percentiles, and a
/// dispersion (second-order) test. The warm-up ([`Dudect::set_thresholds`]) fixes the crops,
/// the centre of the dispersion test and the timer resolution the sample is judged against.
#[derive(Clone, Debug)]
pub struct Dudect {
    thresholds: [u64; CROPS],
    second_crop: u64,
    center: f64,
    median: u64,
    resolution: u64,
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
    /// Empty tests; nothing counts as evidence until [`Dudect::set_thresholds`] has run.
    pub const fn new() -> Self {
        Self {
            thresholds: [u64::MAX; CROPS],
            second_crop: u64::MAX,
            center: 0.0,
            median: 0,
            resolution: 1,
            have_thresholds: false,
            uncropped: WelchTest::new(),
            cropped: [WelchTest::new(); CROPS],
            second: WelchTest::new(),
        }
    }

    /// Sets the crops and the dispersion test's centre from a warm-up batch (sorted in place,
    /// then discarded), and records the timer's `resolution` in ticks (see
    /// [`crate::timer_resolution`]). Percentile `i` is `1 - 0.5^(10 (i+1) / CROPS)`, as in
    /// dudect: dense near the top, where the noise is.
    pub fn set_thresholds(&mut self, warmup: &mut [u64], resolution: u64) {
        if warmup.is_empty() {
            return;
        }
        warmup.sort_unstable();
        let at = |p: f64| warmup[((p * warmup.len() as f64) as usize).min(warmup.len() - 1)];
        for (i, slot) in self.thresholds.iter_mut().enumerate() {
            *slot = at(1.0 - pow_half(10.0 * (i + 1) as f64 / CROPS as f64));
        }
        self.second_crop = at(0.9);
        self.median = at(0.5);
        self.center = self.median as f64;
        self.resolution = resolution.max(1);
        self.have_thresholds = true;
    }

    /// Whether [`Dudect::set_thresholds`] has run.
    pub fn has_thresholds(&self) -> bool {
        self.have_thresholds
    }

    /// The warm-up's median measurement, in ticks.
    pub fn median(&self) -> u64 {
        self.median
    }

    /// The timer resolution given to [`Dudect::set_thresholds`].
    pub fn resolution(&self) -> u64 {
        self.resolution
    }

    /// Whether the median measurement spans at least [`MIN_RESOLUTIONS`] timer resolutions.
    /// When it does not, the timer's granularity rather than the code decides the statistic
    /// (the signature: |t| of exactly 1.414 from two lone ticks), and the verdict is
    /// inconclusive.
    pub fn resolves(&self) -> bool {
        self.have_thresholds && self.median >= MIN_RESOLUTIONS.saturating_mul(self.resolution)
    }

    /// Adds one measurement (ignored before [`Dudect::set_thresholds`]).
    pub fn push(&mut self, class: Class, ticks: u64) {
        if !self.have_thresholds {
            return;
        }
        let x = ticks as f64;
        self.uncropped.push(class, x);
        for (threshold, test) in self.thresholds.iter().zip(self.cropped.iter_mut()) {
            if ticks <= *threshold {
                test.push(class, x);
            }
        }
        if ticks <= self.second_crop {
            let d = x - self.center;
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

    /// One test of the battery.
    pub fn test(&self, kind: TestKind) -> &WelchTest {
        match kind {
            TestKind::Uncropped => &self.uncropped,
            TestKind::Cropped(i) => &self.cropped[i],
            TestKind::SecondOrder => &self.second,
        }
    }

    /// The t statistic of one test, if it has at least [`MIN_MEASUREMENTS`].
    pub fn result(&self, kind: TestKind) -> Option<MaxT> {
        let test = self.test(kind);
        (test.count() >= MIN_MEASUREMENTS).then(|| MaxT {
            t: test.t(),
            count: test.count(),
            kind,
        })
    }

    /// [`Dudect::result`] of every test that has one, in [`TestKind::all`] order.
    pub fn results(&self) -> impl Iterator<Item = MaxT> + '_ {
        TestKind::all().filter_map(|kind| self.result(kind))
    }

    /// The test with the largest |t| among those with at least [`MIN_MEASUREMENTS`], or
    /// `None`.
    pub fn max_t(&self) -> Option<MaxT> {
        self.results()
            .fold(None, |best: Option<MaxT>, m| match best {
                Some(b) if abs(b.t) >= abs(m.t) => Some(b),
                _ => Some(m),
            })
    }

    /// The verdict of this sample alone. A leak verdict for a report needs a second,
    /// independent sample that agrees: [`crate::confirm`].
    pub fn verdict(&self) -> StatVerdict {
        if !self.resolves() {
            return StatVerdict::Inconclusive;
        }
        match self.max_t() {
            Some(m) if abs(m.t) > T_THRESHOLD => StatVerdict::Leak,
            Some(_) => StatVerdict::NoEvidence,
            None => StatVerdict::Inconclusive,
        }
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

    fn warmed(resolution: u64) -> Dudect {
        let mut d = Dudect::new();
        let mut warm: [u64; 100] = core::array::from_fn(|i| 1000 + (i as u64 % 10));
        d.set_thresholds(&mut warm, resolution);
        d
    }

    #[test]
    fn pow_half_matches_std() {
        for e in [0.0, 0.3, 1.0, 2.5, 9.99] {
            assert!((pow_half(e) - 0.5f64.powf(e)).abs() < 1e-12);
        }
    }

    #[test]
    fn needs_enough_measurements() {
        let mut d = warmed(1);
        for i in 0..4000u64 {
            d.push(Class::Fixed, 1000 + i % 10);
            d.push(Class::Random, 2000 + i % 10);
        }
        assert_eq!(d.verdict(), StatVerdict::Inconclusive);
        for i in 0..5000u64 {
            d.push(Class::Fixed, 1000 + i % 10);
            d.push(Class::Random, 2000 + i % 10);
        }
        assert_eq!(d.verdict(), StatVerdict::Leak);
    }

    #[test]
    fn no_evidence_for_identical_distributions() {
        let mut d = warmed(1);
        for i in 0..20_000u64 {
            let c = if (i * 2654435761) % 3 == 0 {
                Class::Fixed
            } else {
                Class::Random
            };
            d.push(c, 1000 + (i * 7919) % 10);
        }
        assert_eq!(d.verdict(), StatVerdict::NoEvidence);
    }

    #[test]
    fn a_coarse_timer_is_inconclusive() {
        // Median 1004 ticks, resolution 20: only 50 resolutions per measurement.
        let mut d = warmed(20);
        for i in 0..20_000u64 {
            d.push(Class::Fixed, 1000 + i % 10);
            d.push(Class::Random, 2000 + i % 10);
        }
        assert!(!d.resolves());
        assert_eq!(d.verdict(), StatVerdict::Inconclusive);
        // The same measurements with a fine timer are a leak.
        let mut fine = warmed(10);
        for i in 0..20_000u64 {
            fine.push(Class::Fixed, 1000 + i % 10);
            fine.push(Class::Random, 2000 + i % 10);
        }
        assert_eq!(fine.verdict(), StatVerdict::Leak);
    }

    /// Constant-time measurements with one 3-million-tick preemption in the fixed class
    /// shortly before measurement 10,000, where dudect's second-order test starts.
    fn preempted() -> impl Iterator<Item = (Class, u64)> {
        let mut x = 0x2545_f491u32;
        let mut next = move || {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            x
        };
        (0..40_000u32).map(move |i| {
            let class = if next() >> 31 == 0 {
                Class::Fixed
            } else {
                Class::Random
            };
            if i == 9_000 {
                (Class::Fixed, 3_000_000)
            } else {
                (class, 1000 + u64::from(next() % 10))
            }
        })
    }

    #[test]
    fn one_preemption_does_not_make_a_dispersion_leak() {
        let mut d = warmed(1);
        for (class, ticks) in preempted() {
            d.push(class, ticks);
        }
        let second = d.test(TestKind::SecondOrder).t();
        assert!(second.abs() < T_THRESHOLD, "second order t = {second}");
        assert_eq!(d.verdict(), StatVerdict::NoEvidence, "{:?}", d.max_t());
    }

    #[test]
    fn control_the_original_centring_turns_one_preemption_into_a_leak() {
        // dudect's original second-order test: from measurement 10,000 on, (x - running mean
        // of x's class)^2. The preemption moves the fixed class's mean by ~600 ticks, and
        // every later fixed measurement then looks dispersed.
        let mut means = [crate::welch::OnlineStats::new(); 2];
        let mut original = WelchTest::new();
        for (n, (class, ticks)) in preempted().enumerate() {
            let x = ticks as f64;
            means[class as usize].push(x);
            if n >= 10_000 {
                let d = x - means[class as usize].mean();
                original.push(class, d * d);
            }
        }
        assert!(original.t().abs() > 10.0 * T_THRESHOLD, "{}", original.t());
    }

    #[test]
    fn dispersion_leak_is_found() {
        // Same mean, different spread: only the second-order test can see it.
        let mut d = Dudect::new();
        let mut warm: [u64; 100] = core::array::from_fn(|i| 1000 + (i as u64 % 3));
        d.set_thresholds(&mut warm, 1);
        for i in 0..20_000u64 {
            d.push(Class::Fixed, 1000 + i % 3);
            d.push(Class::Random, if i % 2 == 0 { 999 } else { 1003 });
        }
        assert_eq!(d.verdict(), StatVerdict::Leak);
        assert!(d.uncropped().t().abs() < 1.0, "{}", d.uncropped().t());
        assert!(d.test(TestKind::SecondOrder).t() < -T_THRESHOLD);
    }
}
