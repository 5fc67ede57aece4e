//! The count engine: callgrind counts the instructions each secret input executes inside the
//! check. Constant-time code executes the same instructions, the same number of times, for every
//! secret input: the total (Ir) and the per-instruction profile must be identical.
//!
//! Only Ir is compared: cache-simulation and "estimated cycles" figures drift between identical
//! runs. Calls are compared only with others made with the same public input.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::time::Duration;

use serde_json::json;

use crate::engine::callgrind::{self, Dump, InstrKey};
use crate::engine::{CheckResult, EngineName, Verdict};
use crate::process::{self, Launch};
use crate::progress::Progress;
use crate::protocol::{self, Record};

/// The dumps of one callgrind run of a check, one per (public input, secret input).
#[derive(Clone, Debug, Default)]
pub struct CountRun {
    /// (public index, input label, dump), in call order.
    pub calls: Vec<(usize, String, Dump)>,
    /// Calls that panicked: (`public|input`, message). Their dumps are not compared.
    pub panicked: Vec<(String, String)>,
}

/// Runs the checks `targets` under callgrind, all in one process, and returns one run per check
/// (`Err` carries the message of an `error` result). A check the process did not reach (a
/// crash) is run again on its own. `timeout` is per check; `progress` shows the checks done.
pub fn collect(
    exe: &Path,
    cwd: Option<&Path>,
    targets: &[String],
    scratch: &Path,
    timeout: Duration,
    progress: &Progress,
) -> Vec<Result<CountRun, String>> {
    let batch = collect_once(exe, cwd, targets, scratch, timeout, &mut |n| {
        progress.set(n)
    });
    // Checks the batch finished; the ones it did not reach are run (and counted) one by one.
    let mut done = batch
        .as_ref()
        .map_or(0, |runs| runs.iter().flatten().count());
    progress.set(done);
    let mut out = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let finished = match &batch {
            Ok(runs) => runs.get(i).cloned().flatten(),
            Err(e) if targets.len() == 1 => Some(Err(e.clone())),
            Err(_) => None,
        };
        let retried = finished.is_none();
        out.push(match finished {
            Some(r) => r,
            None => {
                let one = std::slice::from_ref(target);
                match collect_once(exe, cwd, one, scratch, timeout, &mut |_| {}) {
                    Ok(mut v) => v.pop().flatten().unwrap_or_else(|| Err("no result".into())),
                    Err(e) => Err(e),
                }
            }
        });
        if retried {
            done += 1;
            progress.set(done);
        }
    }
    out
}

/// One callgrind process over `targets`: `None` for a check that needs a run of its own.
/// `finished(n)`: n checks done so far.
#[allow(clippy::type_complexity)]
fn collect_once(
    exe: &Path,
    cwd: Option<&Path>,
    targets: &[String],
    scratch: &Path,
    timeout: Duration,
    finished: &mut dyn FnMut(usize),
) -> Result<Vec<Option<Result<CountRun, String>>>, String> {
    let dir = scratch.join("callgrind");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let base = dir.join("cg.out");
    let names = targets.join("\n");
    let launch = Launch {
        exe,
        mode: "count",
        target: Some(&names),
        wrapper: vec![
            "valgrind".into(),
            "--tool=callgrind".into(),
            "--collect-atstart=no".into(),
            "--dump-instr=yes".into(),
            "--dump-line=yes".into(),
            "--compress-strings=yes".into(),
            format!("--callgrind-out-file={}", base.display()),
        ],
        env: Vec::new(),
        inherit_stderr: false,
        timeout: timeout * targets.len().max(1) as u32,
        cwd,
    };
    let run = process::run_suite_watched(&launch, scratch, finished)
        .map_err(|e| format!("cannot start valgrind: {e}"))?;
    let mut files: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(&dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            let n = p.extension()?.to_str()?.parse().ok()?;
            Some((n, p))
        })
        .collect();
    files.sort();
    let mut runs: Vec<CountRun> = (0..targets.len()).map(|_| CountRun::default()).collect();
    for (_, path) in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dump = callgrind::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let Some(rest) = dump.label.strip_prefix(protocol::DUMP_PREFIX) else {
            continue;
        };
        let mut parts = rest.splitn(3, '|');
        let (Some(index), Some(public), Some(label)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(index), Ok(public)) = (index.parse::<usize>(), public.parse::<usize>()) else {
            continue;
        };
        let label = label.to_string();
        if let Some(r) = runs.get_mut(index) {
            r.calls.push((public, label, dump));
        }
    }
    let single = targets.len() == 1;
    Ok(targets
        .iter()
        .zip(runs)
        .map(|(target, r)| match process::outcome(&run, target) {
            Some(Record::Done { .. }) if r.calls.is_empty() => {
                Some(Err("callgrind produced no dumps for the check".to_string()))
            }
            Some(Record::Done { panicked, .. }) => Some(Ok(CountRun {
                panicked: panicked.clone(),
                ..r
            })),
            Some(Record::Panic { message, .. }) => Some(Err(format!("panicked: {message}"))),
            _ if single => Some(Err(run.failure())),
            _ => None,
        })
        .collect())
}

/// Judges a [`CountRun`]: identical Ir and profile for every secret input (per public input).
pub fn judge(target: &str, run: &CountRun) -> CheckResult {
    let mut classes = Vec::new();
    let mut by_public: BTreeMap<usize, Vec<&(usize, String, Dump)>> = BTreeMap::new();
    let panicked = |c: &(usize, String, Dump)| {
        run.panicked
            .iter()
            .any(|p| p.0 == format!("{}|{}", c.0, c.1))
    };
    for call in &run.calls {
        let p = panicked(call);
        if !p {
            by_public.entry(call.0).or_default().push(call);
        }
        classes.push(
            json!({ "public": call.0, "input": call.1, "ir": call.2.total_ir, "panicked": p }),
        );
    }
    let mut differences = Vec::new();
    let mut ir_differs = false;
    let mut profile_differs = false;
    let totals: Vec<(usize, &str, u64)> = by_public
        .values()
        .flatten()
        .map(|c| (c.0, c.1.as_str(), c.2.total_ir))
        .collect();
    if differing_counts(&totals).is_some() {
        ir_differs = true;
    }
    for (public, calls) in &by_public {
        let first = calls[0];
        for other in &calls[1..] {
            if let Some(d) = first_difference(&first.2, &other.2) {
                profile_differs = true;
                if differences.len() < 5 {
                    differences.push(json!({
                        "public": public,
                        "inputs": [first.1, other.1],
                        "ir": [first.2.total_ir, other.2.total_ir],
                        "object": d.0.object,
                        "address": format!("{:#x}", d.0.addr),
                        "location": d.1,
                        "function": d.2,
                        "counts": [d.3, d.4],
                    }));
                }
            }
        }
    }
    let irs: Vec<u64> = run.calls.iter().map(|c| c.2.total_ir).collect();
    let (min, max) = (
        irs.iter().min().copied().unwrap_or(0),
        irs.iter().max().copied().unwrap_or(0),
    );
    let verdict = if ir_differs || profile_differs || !run.panicked.is_empty() {
        Verdict::Leak
    } else {
        Verdict::ConstantTime
    };
    let summary = if let Some((input, message)) = run.panicked.first() {
        format!("panics for some secret inputs only: {input} ({message})")
    } else if ir_differs {
        let detail: Vec<String> = run
            .calls
            .iter()
            .filter(|c| c.0 == 0)
            .take(4)
            .map(|c| format!("{}={}", c.1, c.2.total_ir))
            .collect();
        format!("Ir differs between secret inputs: {}", detail.join(" "))
    } else if profile_differs {
        let at = differences
            .first()
            .and_then(|d| d["location"].as_str())
            .unwrap_or("?");
        format!(
            "same Ir ({max}) but different instruction profile, first at {}",
            super::taint::short_path(at)
        )
    } else {
        format!("Ir {max} for every one of {} inputs", run.calls.len())
    };
    CheckResult {
        target: target.to_string(),
        engine: EngineName::Count,
        verdict,
        evidence: crate::engine::Evidence::Json(json!({
            "classes": classes,
            "ir_min": min,
            "ir_max": max,
            "ir_identical": !ir_differs,
            "profile_identical": !profile_differs,
            "differences": differences,
            "panicked_inputs": run
                .panicked
                .iter()
                .map(|(i, m)| json!({ "input": i, "message": m }))
                .collect::<Vec<_>>(),
        })),
        summary,
    }
}

/// The count verdict's core, the same for both backends (callgrind's Ir on the host, the
/// trace's and SysTick's instruction counts on Cortex-M): among calls `(public input, secret
/// input label, instructions)`, the first whose count differs from the first call with the
/// same public input, as `[reference, other]`. `None`: constant per public input (counts may
/// differ between public inputs).
pub fn differing_counts<'a>(calls: &[(usize, &'a str, u64)]) -> Option<[(usize, &'a str, u64); 2]> {
    let mut reference: BTreeMap<usize, (usize, &'a str, u64)> = BTreeMap::new();
    for &call in calls {
        let first = *reference.entry(call.0).or_insert(call);
        if first.2 != call.2 {
            return Some([first, call]);
        }
    }
    None
}

/// The first instruction (by address) whose count differs: key, location, function, counts.
fn first_difference<'a>(
    a: &'a Dump,
    b: &'a Dump,
) -> Option<(&'a InstrKey, String, String, u64, u64)> {
    let keys: BTreeSet<&InstrKey> = a.instrs.keys().chain(b.instrs.keys()).collect();
    for k in keys {
        let ca = a.instrs.get(k);
        let cb = b.instrs.get(k);
        let (na, nb) = (ca.map_or(0, |c| c.ir), cb.map_or(0, |c| c.ir));
        if na != nb {
            let info = ca.or(cb).cloned().unwrap_or_default();
            return Some((k, info.location(), info.function, na, nb));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_compared_within_a_public_input_only() {
        assert_eq!(differing_counts(&[]), None);
        assert_eq!(differing_counts(&[(0, "zeros", 7)]), None);
        assert_eq!(
            differing_counts(&[(0, "zeros", 7), (0, "ones", 7), (0, "random#0", 7)]),
            None
        );
        // Public input 1 costs more, consistently: not a leak.
        assert_eq!(
            differing_counts(&[
                (0, "zeros", 7),
                (1, "zeros", 9),
                (0, "ones", 7),
                (1, "ones", 9)
            ]),
            None
        );
        // The first differing call, against the first call with its public input.
        assert_eq!(
            differing_counts(&[
                (0, "zeros", 7),
                (1, "zeros", 9),
                (0, "ones", 7),
                (1, "ones", 10),
                (0, "fixed#0", 8),
            ]),
            Some([(1, "zeros", 9), (1, "ones", 10)])
        );
        // A difference of one instruction counts.
        assert_eq!(
            differing_counts(&[(0, "zeros", u64::MAX), (0, "ones", u64::MAX - 1)]),
            Some([(0, "zeros", u64::MAX), (0, "ones", u64::MAX - 1)])
        );
    }
}
