//! The dudect engine: time the check natively with a fixed secret and with random secrets,
//! and look for a difference with Welch's t-test ([`crate::stats`]).
//!
//! How a run avoids false alarms on a loaded machine, and keeps finding gross leaks:
//!
//! - **Long enough measurements.** The timer's resolution (smallest step between two reads,
//!   read cost included) is measured first, then enough calls are timed together in one
//!   measurement that it spans at least [`MIN_RESOLUTIONS`] resolutions (calibrated on the
//!   faster class). A 20-cycle function is no longer judged by the counter's granularity.
//! - **Balanced, shuffled batches of random length.** A batch holds pairs of one fixed and one
//!   random measurement with the same public input, in a random order; its length is drawn at
//!   random, so a periodic load cannot line up with the classes. Inputs are prepared before a
//!   batch is timed.
//! - **Two independent samples.** The budget is split between two samples taken one after the
//!   other, each with its own warm-up (crops, centre, resolution). A leak is reported only when
//!   both show it in the same test and direction ([`crate::stats::confirm`]): a disturbance
//!   lands in one sample, a leak in the code shows in both.
//! - **No verdict from one batch.** The first sample stops before its half of the budget only
//!   when |t| has stayed above [`EARLY_STOP_T`] at [`EARLY_STOP_STREAK`] consecutive batch
//!   ends; the second stops early only when it is that far above the threshold too and the
//!   confirmation has held at as many consecutive batch ends, and otherwise measures for all
//!   the rest of the budget.
//!
//! Each sample needs [`MIN_MEASUREMENTS`] measurements. A sample that has fewer when its share
//! of the budget is spent (a slow check on a loaded machine) goes on until it has them, for at
//! most [`MAX_STRETCH`] times its share; fewer even then is `inconclusive`. Timing is
//! statistical evidence about this CPU, not a proof: small leaks can hide under noise.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::RngCore;

use crate::call::ct_verify_target_call;
use crate::engine::{CheckResult, EngineName, Verdict};
use crate::input::Input;
use crate::process::{self, Launch};
use crate::protocol::{self, DudectRecord, DudectSample, Record};
use crate::stats::{
    confirm, reps_for, timer_resolution, Class, Confirmation, Dudect, MaxT, StatVerdict, TestKind,
    MAX_REPS, MIN_MEASUREMENTS, MIN_RESOLUTIONS, T_THRESHOLD,
};
use crate::timer::{NativeTimer, Timer};

/// Mean number of (fixed, random) pairs in a batch; each batch draws its own length between
/// half and one and a half times this.
const BATCH_PAIRS: usize = 512;
/// Measurements of the warm-up that opens each sample (they set its crops, then are dropped).
const WARMUP: usize = 2048;
const HIST_SAMPLES: usize = 200_000;
const HIST_BINS: usize = 80;
/// How many times its share of the budget a sample may run to reach [`MIN_MEASUREMENTS`].
pub const MAX_STRETCH: u32 = 4;
/// The first sample may stop early once |t| is this far above the threshold...
pub const EARLY_STOP_T: f64 = 10.0 * T_THRESHOLD;
/// ...at this many consecutive batch ends (so never on the strength of one batch); the second
/// once it is as far above and the confirmation has held as often.
pub const EARLY_STOP_STREAK: u32 = 3;

/// Inputs each measurement cycles through (a power of two).
const INPUTS: usize = 8;

/// What one measurement is: `reps` calls of the check, cycling through [`INPUTS`] inputs of
/// one class, timed together.
///
/// Cycling through several inputs keeps some of what the original dudect sees with one call
/// per input (predictors meet new data) while the measurement grows long enough for the
/// timer. The inputs of a whole batch are written before any of it is timed, into one buffer
/// in which the classes are shuffled: a measurement must not follow writes that depend on its
/// class. Two designs that broke that rule flagged constant-time checks under load: one pool
/// per class (|t| 10 to 25: the pools sat at different addresses) and copying a class's
/// inputs into one staging buffer just before each measurement (|t| 45 on a check that never
/// reads its input).
struct Bench<'a, S, P, R, F: Fn(&S, &P) -> R> {
    f: &'a F,
    fixed: &'a S,
    publics: &'a [P],
    reps: u32,
    timer: NativeTimer,
}

impl<S: Input, P, R, F: Fn(&S, &P) -> R> Bench<'_, S, P, R, F> {
    /// Ticks of `reps` calls on `inputs` in turn with public `p`, each call fenced off from the
    /// next ([`Timer::serialize`]). The inputs go through `black_box` on every call, so the
    /// compiler cannot hoist the call out of the loop.
    #[inline(never)]
    fn time(&mut self, inputs: &[S], p: &P) -> u64 {
        let t0 = self.timer.now();
        for r in 0..self.reps as usize {
            drop(black_box(ct_verify_target_call(
                self.f,
                black_box(&inputs[r % INPUTS]),
                black_box(p),
            )));
            self.timer.serialize();
        }
        self.timer.now().wrapping_sub(t0)
    }

    /// [`INPUTS`] inputs of `class`, appended to `buffer`.
    fn inputs(&self, class: Class, rng: &mut dyn RngCore, buffer: &mut Vec<S>) {
        for _ in 0..INPUTS {
            buffer.push(match class {
                Class::Fixed => self.fixed.clone(),
                Class::Random => S::random(rng),
            });
        }
    }
}

/// Measures `f` for `budget` seconds (in-process; called by the suite in `dudect` mode).
pub(crate) fn measure<S: Input, P, R, F: Fn(&S, &P) -> R>(
    f: &F,
    fixed: &S,
    publics: &[P],
    rng: &mut dyn RngCore,
    budget: f64,
    progress: bool,
    name: &str,
) -> DudectRecord {
    let start = Instant::now();
    let budget = Duration::from_secs_f64(budget.max(0.0));
    let mut timer = NativeTimer::new();
    let resolution = timer_resolution(|| timer.now(), 10_000);
    let mut bench = Bench {
        f,
        fixed,
        publics,
        reps: 1,
        timer,
    };
    bench.reps = calibrate(&mut bench, rng, resolution);
    let bar = progress.then(|| progress_bar(name, budget));
    // The first sample gets half of what is left after calibrating, the second all the rest.
    let half = budget.saturating_sub(start.elapsed()) / 2;
    let gross = |d: &Dudect| d.resolves() && d.max_t().is_some_and(|m| m.t.abs() > EARLY_STOP_T);
    let first = sample(&mut bench, rng, resolution, half, bar.as_ref(), &gross);
    // At least as much as the first had, even if that one ran over to reach the minimum.
    let rest = budget.saturating_sub(start.elapsed()).max(half);
    let confirmed = |d: &Dudect| gross(d) && confirm(&first.stats, d).verdict == StatVerdict::Leak;
    let second = sample(&mut bench, rng, resolution, rest, bar.as_ref(), &confirmed);
    let mut c = confirm(&first.stats, &second.stats);
    let mut samples = vec![first, second];
    if let Some(lone) = c.lone {
        // The two disagree: a third sample, as long as the first, judged against the lone one.
        let leaky = &samples[lone].stats;
        let confirmed = |d: &Dudect| gross(d) && confirm(leaky, d).verdict == StatVerdict::Leak;
        let third = sample(&mut bench, rng, resolution, half, bar.as_ref(), &confirmed);
        c = confirm(&samples[lone].stats, &third.stats);
        samples.push(third);
    }
    record(name, &bench, resolution, &c, &samples, start.elapsed())
}

/// Finds how many calls one measurement must time: the median of a few measurements of the
/// faster class must span twice [`MIN_RESOLUTIONS`] timer resolutions ([`reps_for`]).
fn calibrate<S: Input, P, R, F: Fn(&S, &P) -> R>(
    bench: &mut Bench<'_, S, P, R, F>,
    rng: &mut dyn RngCore,
    resolution: u64,
) -> u32 {
    let mut fixed = Vec::new();
    let mut random = Vec::new();
    bench.inputs(Class::Fixed, rng, &mut fixed);
    bench.inputs(Class::Random, rng, &mut random);
    let p = &bench.publics[0];
    loop {
        let mut median = |inputs: &[S]| {
            let mut t: Vec<u64> = (0..31).map(|_| bench.time(inputs, p)).collect();
            t.sort_unstable();
            t[t.len() / 2]
        };
        let ticks = median(&fixed).min(median(&random));
        let reps = reps_for(resolution, bench.reps, ticks);
        if reps <= bench.reps || bench.reps == MAX_REPS {
            return bench.reps;
        }
        // Grow at least twofold per round: the first rounds include the timer's own cost.
        bench.reps = reps.max(bench.reps.saturating_mul(2)).min(MAX_REPS);
    }
}

/// One sample's statistics, with what the report and the plots show of it.
struct Sample {
    stats: Dudect,
    series: Vec<(u64, f64)>,
    hist: Vec<(Class, u64)>,
    seconds: f64,
}

/// Takes one sample: a warm-up that sets its thresholds, then batches until `budget` is spent
/// (longer, up to [`MAX_STRETCH`] times, while it has fewer than [`MIN_MEASUREMENTS`]), or
/// until `done` has held at [`EARLY_STOP_STREAK`] consecutive batch ends.
fn sample<S: Input, P, R, F: Fn(&S, &P) -> R>(
    bench: &mut Bench<'_, S, P, R, F>,
    rng: &mut dyn RngCore,
    resolution: u64,
    budget: Duration,
    bar: Option<&indicatif::ProgressBar>,
    done: &dyn Fn(&Dudect) -> bool,
) -> Sample {
    let start = Instant::now();
    let mut stats = Dudect::new();
    let mut warm: Vec<u64> = measure_batch(bench, rng, WARMUP / 2)
        .into_iter()
        .map(|(_, t)| t)
        .collect();
    stats.set_thresholds(&mut warm, resolution);
    let mut out = Sample {
        stats,
        series: Vec::new(),
        hist: Vec::new(),
        seconds: 0.0,
    };
    let mut streak = 0;
    let more = |stats: &Dudect, elapsed: Duration| {
        elapsed < budget || (stats.count() < MIN_MEASUREMENTS && elapsed < budget * MAX_STRETCH)
    };
    while more(&out.stats, start.elapsed()) {
        let pairs = BATCH_PAIRS / 2 + rng.next_u32() as usize % BATCH_PAIRS;
        for (class, ticks) in measure_batch(bench, rng, pairs) {
            out.stats.push(class, ticks);
            if out.hist.len() < HIST_SAMPLES {
                out.hist.push((class, ticks));
            }
        }
        let t = out.stats.max_t().map_or(0.0, |m| m.t.abs());
        out.series.push((out.stats.count(), t));
        if let Some(bar) = bar {
            bar.set_message(format!(
                "max |t| {t:.2} after {} measurements",
                out.stats.count()
            ));
        }
        streak = if done(&out.stats) { streak + 1 } else { 0 };
        if streak >= EARLY_STOP_STREAK {
            break;
        }
    }
    out.seconds = start.elapsed().as_secs_f64();
    out
}

/// Draws `pairs` pairs of one fixed and one random measurement with a shared public input,
/// shuffles them, writes all their inputs, then times them all. Returns (class, ticks) in the
/// order measured.
fn measure_batch<S: Input, P, R, F: Fn(&S, &P) -> R>(
    bench: &mut Bench<'_, S, P, R, F>,
    rng: &mut dyn RngCore,
    pairs: usize,
) -> Vec<(Class, u64)> {
    let n = bench.publics.len();
    let mut plan: Vec<(Class, usize)> = Vec::with_capacity(2 * pairs);
    for _ in 0..pairs {
        let p = if n > 1 {
            rng.next_u32() as usize % n
        } else {
            0
        };
        plan.push((Class::Fixed, p));
        plan.push((Class::Random, p));
    }
    // Fisher-Yates.
    for i in (1..plan.len()).rev() {
        plan.swap(i, rng.next_u32() as usize % (i + 1));
    }
    let mut buffer = Vec::with_capacity(plan.len() * INPUTS);
    for &(class, _) in &plan {
        bench.inputs(class, rng, &mut buffer);
    }
    let publics = bench.publics;
    plan.iter()
        .zip(buffer.chunks_exact(INPUTS))
        .map(|(&(class, p), inputs)| (class, bench.time(inputs, &publics[p])))
        .collect()
}

fn progress_bar(name: &str, budget: Duration) -> indicatif::ProgressBar {
    let bar = indicatif::ProgressBar::new(budget.as_secs_f64().ceil() as u64);
    bar.set_style(
        indicatif::ProgressStyle::with_template(
            "{prefix:>24} {spinner} {elapsed} of {len} s: {msg}",
        )
        .unwrap_or_else(|_| indicatif::ProgressStyle::default_spinner()),
    );
    bar.set_prefix(name.to_string());
    bar
}

fn kind_name(m: Option<MaxT>) -> String {
    match m.map(|m| m.kind) {
        Some(TestKind::Uncropped) => "uncropped".to_string(),
        Some(TestKind::Cropped(i)) => format!("cropped#{i}"),
        Some(TestKind::SecondOrder) => "second-order".to_string(),
        None => "none".to_string(),
    }
}

fn record<S, P, R, F: Fn(&S, &P) -> R>(
    name: &str,
    bench: &Bench<'_, S, P, R, F>,
    resolution: u64,
    c: &Confirmation,
    samples: &[Sample],
    elapsed: Duration,
) -> DudectRecord {
    let verdict = match c.verdict {
        StatVerdict::Leak => Verdict::Leak,
        StatVerdict::NoEvidence => Verdict::ConstantTime,
        StatVerdict::Inconclusive => Verdict::Inconclusive,
    };
    let per_call = f64::from(bench.reps);
    let class_total = |class: Class| {
        samples.iter().fold((0u64, 0.0), |(n, sum), s| {
            let c = s.stats.uncropped().class(class);
            (n + c.count(), sum + c.mean() * c.count() as f64)
        })
    };
    let ((fixed_count, fixed_sum), (random_count, random_sum)) =
        (class_total(Class::Fixed), class_total(Class::Random));
    let hist: Vec<(Class, u64)> = samples
        .iter()
        .flat_map(|s| s.hist.iter().copied())
        .collect();
    let (hist_start, hist_width, hist_fixed, hist_random) = histogram(&hist);
    DudectRecord {
        target: name.to_string(),
        max_t: c.t.map_or(0.0, |m| m.t),
        test: kind_name(c.t),
        measurements: samples.iter().map(|s| s.stats.count()).sum(),
        fixed_count,
        random_count,
        fixed_mean: fixed_sum / fixed_count.max(1) as f64 / per_call,
        random_mean: random_sum / random_count.max(1) as f64 / per_call,
        unit: bench.timer.unit().to_string(),
        reps: bench.reps,
        resolution,
        seconds: elapsed.as_secs_f64(),
        verdict: verdict.name().to_string(),
        samples: samples
            .iter()
            .map(|s| (s, s.stats.max_t()))
            .map(|(s, m)| DudectSample {
                max_t: m.map_or(0.0, |m| m.t),
                test: kind_name(m),
                measurements: s.stats.count(),
                median: s.stats.median(),
                seconds: s.seconds,
                t_series: thin(s.series.clone(), 400),
            })
            .collect(),
        hist_start,
        hist_width,
        hist_fixed,
        hist_random,
    }
}

fn thin(series: Vec<(u64, f64)>, max: usize) -> Vec<(u64, f64)> {
    if series.len() <= max {
        return series;
    }
    let step = series.len().div_ceil(max);
    let last = series.last().copied();
    let mut out: Vec<_> = series.into_iter().step_by(step).collect();
    if let Some(l) = last {
        if out.last() != Some(&l) {
            out.push(l);
        }
    }
    out
}

/// Histogram of the samples between the minimum and the 99th percentile.
fn histogram(samples: &[(Class, u64)]) -> (u64, u64, Vec<u64>, Vec<u64>) {
    if samples.is_empty() {
        return (0, 1, Vec::new(), Vec::new());
    }
    let mut sorted: Vec<u64> = samples.iter().map(|s| s.1).collect();
    sorted.sort_unstable();
    let lo = sorted[0];
    let hi = sorted[(sorted.len() * 99 / 100).min(sorted.len() - 1)].max(lo + 1);
    let width = (hi - lo).div_ceil(HIST_BINS as u64).max(1);
    let mut fixed = vec![0u64; HIST_BINS];
    let mut random = vec![0u64; HIST_BINS];
    for &(c, t) in samples {
        if t > hi {
            continue;
        }
        let bin = (((t - lo) / width) as usize).min(HIST_BINS - 1);
        match c {
            Class::Fixed => fixed[bin] += 1,
            Class::Random => random[bin] += 1,
        }
    }
    (lo, width, fixed, random)
}

/// Runs `target` natively in dudect mode for `budget` seconds and turns the record into a result.
/// Also returns the record, for plots.
pub fn run(
    exe: &Path,
    cwd: Option<&Path>,
    target: &str,
    scratch: &Path,
    budget: f64,
) -> (CheckResult, Option<DudectRecord>) {
    use std::io::IsTerminal;
    let progress = std::io::stderr().is_terminal();
    let launch = Launch {
        exe,
        mode: "dudect",
        target: Some(target),
        wrapper: Vec::new(),
        env: vec![
            (protocol::BUDGET.to_string(), budget.to_string()),
            (
                protocol::PROGRESS.to_string(),
                if progress { "1" } else { "0" }.to_string(),
            ),
        ],
        inherit_stderr: progress,
        timeout: Duration::from_secs_f64(budget * f64::from(2 * MAX_STRETCH + 1) + 120.0),
        cwd,
    };
    let run = match process::run_suite(&launch, scratch) {
        Ok(r) => r,
        Err(e) => {
            return (
                CheckResult::error(
                    target,
                    EngineName::Dudect,
                    format!("cannot start the suite: {e}"),
                ),
                None,
            )
        }
    };
    match process::outcome(&run, target) {
        Some(Record::Dudect(d)) => (judge(&d.target, Evidence::Host(d.clone())), Some(d.clone())),
        Some(Record::Panic { message, .. }) => (
            CheckResult::error(target, EngineName::Dudect, format!("panicked: {message}")),
            None,
        ),
        _ => (
            CheckResult::error(target, EngineName::Dudect, run.failure()),
            None,
        ),
    }
}

/// What dudect saw of one check.
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// Host: the suite's record (every sample's t, both classes), timed natively.
    Host(DudectRecord),
    /// Cortex-M: the firmware's verdict line, and the core it ran on.
    Device {
        /// What the firmware printed.
        run: DeviceDudect,
        /// `Cortex-M0`, ...
        core: &'static str,
    },
}

/// What the firmware's dudect printed: `dudect VERDICT T TEST MEASUREMENTS FIXED_MEAN
/// RANDOM_MEAN RESOLUTION REPS SAMPLES UNIT`.
#[derive(Clone, Debug, PartialEq)]
pub struct DeviceDudect {
    /// `leak`, `constant-time` or `inconclusive` (the confirmation rule of ct-verify-stats).
    pub verdict: String,
    /// The confirmed (or strongest) t.
    pub t: f64,
    /// Which test gave it.
    pub test: String,
    /// Measurements of all samples.
    pub measurements: u64,
    /// Mean ticks per measurement of the fixed class (first sample, uncropped).
    pub fixed_mean: f64,
    /// Mean ticks per measurement of the random class.
    pub random_mean: f64,
    /// The timer's resolution, ticks.
    pub resolution: u64,
    /// Calls per measurement.
    pub reps: u32,
    /// Samples taken (two, or three after a disagreement).
    pub samples: u32,
    /// `systick` or `cycles`.
    pub unit: String,
}

/// The dudect verdict, the same on both platforms: the confirmation rule of ct-verify-stats has
/// already been applied where the measurements were taken (in the suite on the host, in the
/// firmware on the device); its `leak` and `constant-time` are kept, anything else is
/// inconclusive.
pub fn judge(target: &str, evidence: Evidence) -> CheckResult {
    let said = match &evidence {
        Evidence::Host(d) => d.verdict.as_str(),
        Evidence::Device { run, .. } => run.verdict.as_str(),
    };
    let verdict = match said {
        "leak" => Verdict::Leak,
        "constant-time" => Verdict::ConstantTime,
        _ => Verdict::Inconclusive,
    };
    let summary = match &evidence {
        Evidence::Host(d) => host_summary(d, verdict),
        Evidence::Device { run: d, .. } => format!(
            "{} |t| = {:.2} ({}, {} measurements, {} samples; fixed {:.1} vs random {:.1} {} per measurement of {} calls; SysTick under QEMU -icount)",
            d.verdict,
            d.t.abs(),
            d.test,
            d.measurements,
            d.samples,
            d.fixed_mean,
            d.random_mean,
            d.unit,
            d.reps
        ),
    };
    CheckResult {
        target: target.to_string(),
        engine: EngineName::Dudect,
        verdict,
        evidence: crate::engine::Evidence::Dudect(evidence),
        summary,
    }
}

/// The human table's line for a host record.
fn host_summary(d: &DudectRecord, verdict: Verdict) -> String {
    let per_sample = d
        .samples
        .iter()
        .map(|s| format!("{:.2}", s.max_t.abs()))
        .collect::<Vec<_>>()
        .join(" / ");
    match verdict {
        Verdict::Inconclusive => format!(
            "inconclusive: {} measurements in {:.1} s (each sample needs {MIN_MEASUREMENTS}, \
             with a median of {MIN_RESOLUTIONS} timer resolutions)",
            d.measurements, d.seconds
        ),
        Verdict::Leak => format!(
            "|t| = {:.2} ({}) confirmed by two independent samples (|t| per sample {per_sample}) \
             over {} measurements of {} calls; mean {:.1} vs {:.1} {} per call",
            d.max_t.abs(),
            d.test,
            d.measurements,
            d.reps,
            d.fixed_mean,
            d.random_mean,
            d.unit
        ),
        _ => format!(
            "max |t| per sample {per_sample} ({}) over {} measurements of {} calls; \
             mean {:.1} vs {:.1} {} per call{}",
            d.test,
            d.measurements,
            d.reps,
            d.fixed_mean,
            d.random_mean,
            d.unit,
            if d.max_t.abs() > T_THRESHOLD {
                "; above the threshold without confirmation by a second sample"
            } else {
                ""
            }
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn host(verdict: &str, max_t: f64) -> Evidence {
        Evidence::Host(DudectRecord {
            target: "c".into(),
            max_t,
            test: "uncropped".into(),
            measurements: 40_000,
            verdict: verdict.into(),
            samples: vec![
                DudectSample {
                    max_t,
                    ..Default::default()
                },
                DudectSample {
                    max_t: 1.0,
                    ..Default::default()
                },
            ],
            ..Default::default()
        })
    }

    fn device(verdict: &str) -> Evidence {
        Evidence::Device {
            run: DeviceDudect {
                verdict: verdict.into(),
                t: 40.0,
                test: "uncropped".into(),
                measurements: 40_960,
                fixed_mean: 2.0,
                random_mean: 1.0,
                resolution: 25,
                reps: 28,
                samples: 2,
                unit: "systick".into(),
            },
            core: "Cortex-M0",
        }
    }

    #[test]
    fn one_verdict_rule_for_host_and_device() {
        for (said, verdict) in [
            ("leak", Verdict::Leak),
            ("constant-time", Verdict::ConstantTime),
            ("inconclusive", Verdict::Inconclusive),
            ("garbled", Verdict::Inconclusive),
        ] {
            for e in [host(said, 40.0), device(said)] {
                let r = judge("c", e);
                assert_eq!(
                    (r.verdict, r.engine),
                    (verdict, EngineName::Dudect),
                    "{said}"
                );
            }
        }
        // Above the threshold in one sample only: the suite said constant-time, and the line
        // says the second sample did not confirm it.
        let r = judge("c", host("constant-time", 40.0));
        assert!(
            r.summary
                .contains("without confirmation by a second sample"),
            "{}",
            r.summary
        );
        let r = judge("c", host("constant-time", 1.0));
        assert!(!r.summary.contains("without confirmation"), "{}", r.summary);
        assert!(judge("c", device("leak"))
            .summary
            .starts_with("leak |t| = 40.00"));
    }
}
