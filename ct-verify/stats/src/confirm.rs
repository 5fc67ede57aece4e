//! The confirmation rule: a leak is reported only when two independent samples agree.

use crate::battery::{Dudect, MaxT, StatVerdict, TestKind};
use crate::{abs, T_THRESHOLD};

/// The verdict over two independent samples of the same check, with the evidence for it.
#[derive(Clone, Copy, Debug)]
pub struct Confirmation {
    /// [`StatVerdict::Leak`] only if one test is above [`T_THRESHOLD`] in both samples, with
    /// the same sign; [`StatVerdict::Inconclusive`] if either sample alone is inconclusive.
    pub verdict: StatVerdict,
    /// For a leak, the confirmed test as the weaker of its two t values; otherwise the
    /// strongest t of either sample (which may be above the threshold in one sample only:
    /// an unconfirmed signal).
    pub t: Option<MaxT>,
    /// The strongest test of each sample on its own.
    pub samples: [Option<MaxT>; 2],
    /// `Some(i)` when sample `i` alone says leak and the other says no evidence: the two
    /// disagree, and a third sample decides, confirmed against sample `i` (the tie-break rule:
    /// a leak that only shows in some stretches of a run, such as a cache effect that depends
    /// on what the other core does, is still found, while a lone disturbance still needs a
    /// second one in the same test and direction).
    pub lone: Option<usize>,
}

/// Judges two independent samples (each with its own warm-up, measured one after the other).
/// When they disagree ([`Confirmation::lone`]), take a third and judge it against the one that
/// saw the leak.
///
/// A disturbance (a preemption, a burst of load on the other core, a frequency change) lands
/// in one sample; a timing difference that comes from the code shows in both, in the same
/// test and the same direction. So a leak needs both: one test with |t| > [`T_THRESHOLD`] in
/// each sample and the same sign. Both samples need the minimum evidence on their own
/// ([`crate::MIN_MEASUREMENTS`] and [`crate::MIN_RESOLUTIONS`]).
pub fn confirm(first: &Dudect, second: &Dudect) -> Confirmation {
    let samples = [first.max_t(), second.max_t()];
    let (v1, v2) = (first.verdict(), second.verdict());
    if v1 == StatVerdict::Inconclusive || v2 == StatVerdict::Inconclusive {
        return Confirmation {
            verdict: StatVerdict::Inconclusive,
            t: strongest(samples),
            samples,
            lone: None,
        };
    }
    let confirmed = TestKind::all()
        .filter_map(|kind| Some((first.result(kind)?, second.result(kind)?)))
        .filter(|(a, b)| abs(a.t) > T_THRESHOLD && abs(b.t) > T_THRESHOLD)
        .filter(|(a, b)| (a.t > 0.0) == (b.t > 0.0))
        .map(|(a, b)| if abs(a.t) <= abs(b.t) { a } else { b })
        .fold(None, |best: Option<MaxT>, m| match best {
            Some(b) if abs(b.t) >= abs(m.t) => Some(b),
            _ => Some(m),
        });
    match confirmed {
        Some(t) => Confirmation {
            verdict: StatVerdict::Leak,
            t: Some(t),
            samples,
            lone: None,
        },
        None => Confirmation {
            verdict: StatVerdict::NoEvidence,
            t: strongest(samples),
            samples,
            lone: match (v1, v2) {
                (StatVerdict::Leak, StatVerdict::NoEvidence) => Some(0),
                (StatVerdict::NoEvidence, StatVerdict::Leak) => Some(1),
                _ => None,
            },
        },
    }
}

fn strongest(samples: [Option<MaxT>; 2]) -> Option<MaxT> {
    match samples {
        [Some(a), Some(b)] => Some(if abs(a.t) >= abs(b.t) { a } else { b }),
        [a, b] => a.or(b),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::Class;

    /// A sample whose fixed class is `shift` ticks slower than its random class.
    fn sample(shift: u64) -> Dudect {
        let mut d = Dudect::new();
        let mut warm: [u64; 100] = core::array::from_fn(|i| 1000 + (i as u64 % 10));
        d.set_thresholds(&mut warm, 1);
        for i in 0..20_000u64 {
            d.push(Class::Fixed, 1000 + shift + i % 10);
            d.push(Class::Random, 1000 + (i + 3) % 10);
        }
        d
    }

    /// A sample with one disturbed stretch in which the fixed class happened to be slower:
    /// a leak on its own, not in the other sample.
    fn disturbed() -> Dudect {
        let mut d = sample(0);
        for i in 0..3000u64 {
            d.push(Class::Fixed, 1500 + i % 10);
        }
        d
    }

    #[test]
    fn a_leak_in_both_samples_is_confirmed() {
        let c = confirm(&sample(100), &sample(100));
        assert_eq!(c.verdict, StatVerdict::Leak);
        assert!(c.t.is_some_and(|t| t.t > T_THRESHOLD));
    }

    #[test]
    fn a_leak_in_one_sample_only_is_not() {
        let one = disturbed();
        assert_eq!(one.verdict(), StatVerdict::Leak);
        let c = confirm(&one, &sample(0));
        assert_eq!(c.verdict, StatVerdict::NoEvidence);
        // The unconfirmed signal stays visible in the evidence.
        assert!(c.t.is_some_and(|t| abs(t.t) > T_THRESHOLD));
        // The two disagree: a third sample is to be confirmed against the first.
        assert_eq!(c.lone, Some(0));
        let swapped = confirm(&sample(0), &one);
        assert_eq!(swapped.verdict, StatVerdict::NoEvidence);
        assert_eq!(swapped.lone, Some(1));
        // Agreement either way needs no third sample.
        assert_eq!(confirm(&sample(0), &sample(0)).lone, None);
        assert_eq!(confirm(&sample(100), &sample(100)).lone, None);
    }

    #[test]
    fn opposite_directions_are_not_a_confirmation() {
        let mut slower_random = Dudect::new();
        let mut warm: [u64; 100] = core::array::from_fn(|i| 1000 + (i as u64 % 10));
        slower_random.set_thresholds(&mut warm, 1);
        for i in 0..20_000u64 {
            slower_random.push(Class::Fixed, 1000 + i % 10);
            slower_random.push(Class::Random, 1100 + i % 10);
        }
        assert_eq!(slower_random.verdict(), StatVerdict::Leak);
        let c = confirm(&sample(100), &slower_random);
        assert_eq!(c.verdict, StatVerdict::NoEvidence);
        // Both say leak, in opposite directions: that is no lone leak to break a tie on.
        assert_eq!(c.lone, None);
    }

    #[test]
    fn either_sample_inconclusive_makes_it_inconclusive() {
        let short = Dudect::new();
        assert_eq!(
            confirm(&sample(100), &short).verdict,
            StatVerdict::Inconclusive
        );
        assert_eq!(
            confirm(&short, &sample(100)).verdict,
            StatVerdict::Inconclusive
        );
    }

    #[test]
    fn the_confirmed_t_is_the_weaker_of_the_pair() {
        let c = confirm(&sample(100), &sample(50));
        let t = c.t.unwrap();
        let weaker = sample(50)
            .results()
            .find(|m| m.kind == t.kind)
            .map(|m| m.t)
            .unwrap();
        assert_eq!(t.t, weaker);
        assert!(matches!(
            t.kind,
            TestKind::Uncropped | TestKind::Cropped(_) | TestKind::SecondOrder
        ));
    }
}
