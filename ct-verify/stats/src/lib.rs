//! The statistics core of ct-verify's dudect engine: Welch's t-test over online means and
//! variances, percentile cropping, a dispersion (second-order) test, the minimum evidence a
//! measurement must carry, and the rule that confirms a leak with a second sample.
//!
//! This crate is `#![no_std]` and uses nothing but `core` (no allocation, no floating-point
//! functions from `std`), so the same code runs on the host (`ct_verify::stats` re-exports it)
//! and inside firmware that feeds it tick counts from a hardware counter (DWT CYCCNT, SysTick):
//! see `no_std-examples/src/bin/dudect.rs`. It knows nothing about time: it only sees numbers
//! tagged with a [`Class`].
//!
//! # The rules a verdict follows (host and firmware alike)
//!
//! 1. **Minimum evidence.** A sample counts only with at least [`MIN_MEASUREMENTS`]
//!    measurements in a test, and only if its median measurement spans at least
//!    [`MIN_RESOLUTIONS`] timer resolutions ([`timer_resolution`]; [`reps_for`] says how many
//!    calls to put into one measurement). Otherwise the verdict is inconclusive.
//! 2. **Robust tests.** The dispersion test is centred on the warm-up median, not on each
//!    class's running mean, so one outlier cannot turn into a leak ([`TestKind::SecondOrder`]).
//! 3. **Confirmation.** A leak is reported only when a second, independent sample shows it in
//!    the same test and direction ([`confirm`]); when one of two samples says leak and the
//!    other no evidence, a third sample decides against the first ([`Confirmation::lone`]).
//!
//! ```
//! use ct_verify_stats::{confirm, Class, Dudect, StatVerdict};
//!
//! let sample = |slower: u64| {
//!     let mut d = Dudect::new();
//!     // Crops, centre and timer resolution (1 tick) from a warm-up (sorted in place).
//!     let mut warmup: [u64; 100] = core::array::from_fn(|i| 1000 + i as u64 % 10);
//!     d.set_thresholds(&mut warmup, 1);
//!     for i in 0..10_000u64 {
//!         d.push(Class::Fixed, 1000 + slower + i % 10);
//!         d.push(Class::Random, 1000 + i % 10);
//!     }
//!     d
//! };
//! // The fixed class takes 100 more ticks in both samples: a confirmed leak.
//! assert_eq!(confirm(&sample(100), &sample(100)).verdict, StatVerdict::Leak);
//! // In one sample only: not a leak.
//! assert_eq!(confirm(&sample(100), &sample(0)).verdict, StatVerdict::NoEvidence);
//! ```
#![no_std]
#![forbid(unsafe_code)]

mod battery;
mod confirm;
mod evidence;
pub mod sampling;
mod welch;

pub use battery::{Dudect, MaxT, StatVerdict, TestKind};
pub use confirm::{confirm, Confirmation};
pub use evidence::{reps_for, timer_resolution, MAX_REPS};
pub use welch::{OnlineStats, WelchTest};

/// |t| above this value is evidence of a leak (the dudect paper and the TVLA convention).
pub const T_THRESHOLD: f64 = 4.5;

/// A test needs at least this many measurements before its t-statistic is taken as evidence,
/// in either direction.
pub const MIN_MEASUREMENTS: u64 = 10_000;

/// A sample's median measurement must span at least this many timer resolutions; below that
/// the counter's granularity, not the code, decides the statistic.
pub const MIN_RESOLUTIONS: u64 = 100;

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

fn abs(x: f64) -> f64 {
    if x < 0.0 {
        -x
    } else {
        x
    }
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
}
