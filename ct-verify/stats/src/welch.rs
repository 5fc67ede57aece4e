//! Welford's online mean and variance, and Welch's two-sample t-test built on it.

use crate::{sqrt, Class};

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

    /// Welch's t statistic (fixed minus random); 0 while a class has fewer than two samples
    /// or both have no variance and equal means, infinite for different means without variance.
    pub fn t(&self) -> f64 {
        let [a, b] = &self.classes;
        if a.count() < 2 || b.count() < 2 {
            return 0.0;
        }
        let se = a.variance() / a.count() as f64 + b.variance() / b.count() as f64;
        if se <= 0.0 {
            return if a.mean() == b.mean() {
                0.0
            } else {
                f64::INFINITY
            };
        }
        (a.mean() - b.mean()) / sqrt(se)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

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
    fn one_outlier_gives_about_one() {
        // A single preemption in one class moves its mean and its variance together: |t| ~ 1,
        // whatever its size. This is why a lone disturbance cannot make a leak.
        let mut t = WelchTest::new();
        for i in 0..10_000u64 {
            t.push(Class::Fixed, (100 + i % 3) as f64);
            t.push(Class::Random, (100 + i % 3) as f64);
        }
        t.push(Class::Random, 3.0e6);
        assert!((t.t().abs() - 1.0).abs() < 0.01, "{}", t.t());
    }
}
