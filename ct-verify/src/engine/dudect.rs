//! The dudect engine: time the check natively with a fixed secret and with random secrets,
//! interleaved at random, and look for a difference with Welch's t-test ([`crate::stats`]).
//!
//! A warm-up batch is thrown away (its timings set the cropping percentiles). |t| > 4.5 in a test
//! with at least 10,000 measurements is evidence of a leak; fewer measurements within the budget
//! is `inconclusive`. Timing is statistical evidence about this CPU, not a proof: small leaks can
//! hide under noise, and a quiet machine helps.

use std::hint::black_box;
use std::path::Path;
use std::time::{Duration, Instant};

use rand::RngCore;
use serde_json::json;

use crate::engine::{CheckResult, Verdict};
use crate::input::Input;
use crate::process::{self, Launch};
use crate::protocol::{self, DudectRecord, Record};
use crate::stats::{Class, Dudect, StatVerdict, TestKind, MIN_MEASUREMENTS, T_THRESHOLD};
use crate::suite::ct_verify_target_call;
use crate::timer::{NativeTimer, Timer};

const BATCH: usize = 4096;
const HIST_SAMPLES: usize = 200_000;
const HIST_BINS: usize = 80;
/// Stop early once |t| is this far above the threshold: a gross leak needs no more evidence.
const EARLY_STOP_T: f64 = 10.0 * T_THRESHOLD;

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
    let mut timer = NativeTimer::new();
    let mut stats = Dudect::new();
    let start = Instant::now();
    let budget = Duration::from_secs_f64(budget.max(0.0));
    let bar = if progress {
        let bar = indicatif::ProgressBar::new(budget.as_millis() as u64);
        bar.set_style(
            indicatif::ProgressStyle::with_template("{prefix:>24} [{bar:30}] {msg}")
                .unwrap_or_else(|_| indicatif::ProgressStyle::default_bar()),
        );
        bar.set_prefix(name.to_string());
        Some(bar)
    } else {
        None
    };
    let mut series = Vec::new();
    let mut samples: Vec<(Class, u64)> = Vec::new();
    let mut classes = Vec::with_capacity(BATCH);
    let mut inputs: Vec<S> = Vec::with_capacity(BATCH);
    let mut which_public = Vec::with_capacity(BATCH);
    let mut ticks = vec![0u64; BATCH];
    let mut first = true;
    loop {
        classes.clear();
        inputs.clear();
        which_public.clear();
        for _ in 0..BATCH {
            let c = if rng.next_u32() & 1 == 0 {
                Class::Fixed
            } else {
                Class::Random
            };
            classes.push(c);
            inputs.push(match c {
                Class::Fixed => fixed.clone(),
                Class::Random => S::random(rng),
            });
            which_public.push(if publics.len() > 1 {
                rng.next_u32() as usize % publics.len()
            } else {
                0
            });
        }
        for i in 0..BATCH {
            let (s, p) = (&inputs[i], &publics[which_public[i]]);
            let t0 = timer.now();
            let r = ct_verify_target_call(f, s, p);
            let t1 = timer.now();
            drop(black_box(r));
            ticks[i] = t1.wrapping_sub(t0);
        }
        if first {
            // Warm-up: caches, branch predictors, frequency. Its timings only set the crops.
            first = false;
            let mut warm = ticks.clone();
            stats.set_thresholds(&mut warm);
            continue;
        }
        for i in 0..BATCH {
            stats.push(classes[i], ticks[i]);
            if samples.len() < HIST_SAMPLES {
                samples.push((classes[i], ticks[i]));
            }
        }
        let max = stats.max_t();
        let t = max.map_or(0.0, |m| m.t.abs());
        series.push((stats.count(), t));
        if let Some(bar) = &bar {
            bar.set_position(start.elapsed().as_millis() as u64);
            bar.set_message(format!(
                "max |t| {t:.2} after {} measurements",
                stats.count()
            ));
        }
        if start.elapsed() >= budget || (t > EARLY_STOP_T && stats.count() >= MIN_MEASUREMENTS) {
            break;
        }
    }
    if let Some(bar) = bar {
        bar.finish_and_clear();
    }
    let max = stats.max_t();
    let test = match max.map(|m| m.kind) {
        Some(TestKind::Uncropped) => "uncropped".to_string(),
        Some(TestKind::Cropped(i)) => format!("cropped#{i}"),
        Some(TestKind::SecondOrder) => "second-order".to_string(),
        None => "none".to_string(),
    };
    let verdict = match stats.verdict() {
        StatVerdict::Leak => Verdict::Leak,
        StatVerdict::NoEvidence => Verdict::ConstantTime,
        StatVerdict::Inconclusive => Verdict::Inconclusive,
    };
    let (hist_start, hist_width, hist_fixed, hist_random) = histogram(&samples);
    let u = stats.uncropped();
    DudectRecord {
        target: name.to_string(),
        max_t: max.map_or(0.0, |m| m.t),
        test,
        measurements: stats.count(),
        fixed_count: u.class(Class::Fixed).count(),
        random_count: u.class(Class::Random).count(),
        fixed_mean: u.class(Class::Fixed).mean(),
        random_mean: u.class(Class::Random).mean(),
        unit: timer.unit().to_string(),
        seconds: start.elapsed().as_secs_f64(),
        verdict: verdict.name().to_string(),
        t_series: thin(series, 400),
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
        timeout: Duration::from_secs_f64(budget * 3.0 + 120.0),
        cwd,
    };
    let run = match process::run_suite(&launch, scratch) {
        Ok(r) => r,
        Err(e) => {
            return (
                CheckResult::error(target, "dudect", format!("cannot start the suite: {e}")),
                None,
            )
        }
    };
    match process::outcome(&run, target) {
        Some(Record::Dudect(d)) => (judge(d), Some(d.clone())),
        Some(Record::Panic { message, .. }) => (
            CheckResult::error(target, "dudect", format!("panicked: {message}")),
            None,
        ),
        _ => (CheckResult::error(target, "dudect", run.failure()), None),
    }
}

/// Turns a dudect record into a result.
pub fn judge(d: &DudectRecord) -> CheckResult {
    let verdict = match d.verdict.as_str() {
        "leak" => Verdict::Leak,
        "constant-time" => Verdict::ConstantTime,
        _ => Verdict::Inconclusive,
    };
    let summary = match verdict {
        Verdict::Inconclusive => format!(
            "only {} measurements in {:.1} s (need {MIN_MEASUREMENTS})",
            d.measurements, d.seconds
        ),
        _ => format!(
            "max |t| = {:.2} ({}) over {} measurements; mean {:.1} vs {:.1} {}",
            d.max_t.abs(),
            d.test,
            d.measurements,
            d.fixed_mean,
            d.random_mean,
            d.unit
        ),
    };
    CheckResult {
        target: d.target.clone(),
        engine: "dudect".to_string(),
        verdict,
        evidence: json!({
            "t": d.max_t,
            "test": d.test,
            "threshold": T_THRESHOLD,
            "measurements": d.measurements,
            "seconds": d.seconds,
            "unit": d.unit,
            "classes": {
                "fixed": { "measurements": d.fixed_count, "mean": d.fixed_mean },
                "random": { "measurements": d.random_count, "mean": d.random_mean },
            },
        }),
        summary,
    }
}
