//! The minimum evidence a measurement must carry: enough timer resolutions per sample.

use crate::MIN_RESOLUTIONS;

/// The most calls [`reps_for`] will put into one measurement.
pub const MAX_REPS: u32 = 1 << 16;

/// The timer's effective resolution in ticks: the smallest nonzero difference between two
/// consecutive reads over `tries` pairs (at least 1). That is the counter's granularity plus
/// the cost of reading it: nothing shorter can be measured, so a measurement must span
/// [`MIN_RESOLUTIONS`] of these.
pub fn timer_resolution(mut read: impl FnMut() -> u64, tries: usize) -> u64 {
    let mut best = u64::MAX;
    for _ in 0..tries {
        let a = read();
        let b = read();
        let d = b.wrapping_sub(a);
        if d > 0 && d < best {
            best = d;
        }
    }
    if best == u64::MAX {
        1
    } else {
        best
    }
}

/// How many calls one measurement must time so that it spans twice [`MIN_RESOLUTIONS`]
/// timer resolutions, given that `reps` calls took `ticks` (use the faster class). Twice,
/// because a few calibration measurements run colder and slower than the warm-up whose median
/// is then judged against [`MIN_RESOLUTIONS`]. At most [`MAX_REPS`].
pub fn reps_for(resolution: u64, reps: u32, ticks: u64) -> u32 {
    let need = 2 * MIN_RESOLUTIONS.saturating_mul(resolution.max(1));
    if ticks >= need {
        return reps.clamp(1, MAX_REPS);
    }
    let per_call = (ticks / u64::from(reps.max(1))).max(1);
    let reps = need.div_ceil(per_call);
    u32::try_from(reps).unwrap_or(MAX_REPS).clamp(1, MAX_REPS)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn resolution_is_the_smallest_step() {
        let mut now = 0u64;
        let mut step = [30u64, 0, 40, 30, 60].into_iter().cycle();
        let r = timer_resolution(
            || {
                now += step.next().unwrap();
                now
            },
            50,
        );
        assert_eq!(r, 30);
        let mut frozen = || 7u64;
        assert_eq!(timer_resolution(&mut frozen, 10), 1);
    }

    #[test]
    fn reps_make_a_measurement_long_enough() {
        // 40-tick resolution: aim at 8000 ticks; 50 ticks a call: 160 calls.
        assert_eq!(reps_for(40, 1, 50), 160);
        // Measured with 4 calls taking 200 ticks: the same answer.
        assert_eq!(reps_for(40, 4, 200), 160);
        // Already long enough: keep.
        assert_eq!(reps_for(40, 3, 9000), 3);
        assert_eq!(reps_for(40, 1, 100_000), 1);
        // A zero-tick call cannot be stretched forever.
        assert_eq!(reps_for(1 << 20, 1, 0), MAX_REPS);
    }
}
