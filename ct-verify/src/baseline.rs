//! Baselines: instruction counts per check saved by `--save-baseline`, compared by `--baseline`.
//!
//! A check that was constant-time when saved must keep exactly the same counts (any change means
//! the compiled code changed where it matters); other checks may not grow beyond a tolerance.
//! The baseline and the run must also agree on which checks exist: a check that ran but is not
//! in the baseline, and a baseline entry that the run's selection (`--bench`, `--filter`,
//! `--partition`) should have run but did not, are regressions too, each naming the command
//! that re-records the baseline. Otherwise a renamed or deleted check would pass unseen.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};

use crate::engine::count::CountRun;
use crate::engine::{CheckResult, EngineName, Verdict};
use crate::partition::Partition;

/// A `--save-baseline` file: the instruction counts each check had, and the compiler that
/// built them (a baseline from another `rustc` is refused, since counts move with codegen).
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always `ct-verify`.
    pub tool: String,
    /// Version that wrote the file.
    pub version: String,
    /// `rustc -V` of the compiler that built the suites: counts are only comparable under it.
    #[serde(default)]
    pub rustc: String,
    /// Counts by check name.
    pub targets: BTreeMap<String, Entry>,
}

/// Instruction counts of one check.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
    /// The bench target that declares the check (absent in files written before the field
    /// existed: such an entry is expected whatever `--bench` selects).
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub bench: String,
    /// Whether the count engine found it constant-time when saved.
    pub constant_time: bool,
    /// The largest Ir of any call.
    pub ir_max: u64,
    /// Ir per `public|input` label, counting the suite executable's own instructions only
    /// (not shared libraries such as libc, whose `memcpy` variant depends on the CPU, so that
    /// a baseline holds on another machine).
    pub ir: BTreeMap<String, u64>,
}

impl Entry {
    /// The entry for a count run of a check of bench target `bench`.
    pub fn from_run(bench: &str, run: &CountRun, constant_time: bool) -> Self {
        // Secrets found by --search-budget are left out: which ones a time-bounded search
        // finds varies from run to run, and a baseline compares runs.
        let ir: BTreeMap<String, u64> = run
            .calls
            .iter()
            .filter(|(_, label, _)| !label.starts_with("search#"))
            .map(|(p, label, d)| (format!("{p}|{label}"), d.own_ir()))
            .collect();
        Entry {
            bench: bench.to_string(),
            constant_time,
            ir_max: ir.values().copied().max().unwrap_or(0),
            ir,
        }
    }
}

/// Which checks a run was asked to run, and how to re-record the baseline: what
/// [`Baseline::compare`] needs to tell a baseline entry that should have run from one that
/// belongs to checks the run left out on purpose.
#[derive(Clone, Debug, Default)]
pub struct Selection {
    /// `--bench`: entries of other bench targets are not expected.
    pub bench: Option<String>,
    /// `--filter`: entries whose name does not contain it are not expected.
    pub filter: Option<String>,
    /// `--partition`: entries of other parts are not expected.
    pub partition: Option<Partition>,
    /// The command that writes a baseline for this selection, shown in every
    /// missing-or-stale row.
    pub rerecord: String,
}

impl Selection {
    /// Whether the baseline entry `name` should have run under this selection.
    pub fn expects(&self, name: &str, entry: &Entry) -> bool {
        self.filter.as_deref().is_none_or(|f| name.contains(f))
            && self.partition.is_none_or(|p| p.contains(name))
            && (entry.bench.is_empty() || self.bench.as_deref().is_none_or(|b| b == entry.bench))
    }
}

/// `argv` (the words of a run or merge command line, program first) with `--baseline FILE`
/// turned into `--save-baseline FILE` and `--partition K/N` dropped (a part holds only its own
/// checks; the whole baseline comes from an unpartitioned run or from `merge`), quoted for a
/// POSIX shell.
pub fn rerecord_command(argv: &[String]) -> String {
    let mut out: Vec<String> = Vec::new();
    let mut words = argv.iter();
    while let Some(w) = words.next() {
        if w == "--partition" {
            words.next();
        } else if w.starts_with("--partition=") {
        } else if w == "--baseline" {
            out.push("--save-baseline".into());
        } else if let Some(path) = w.strip_prefix("--baseline=") {
            out.push(format!("--save-baseline={path}"));
        } else {
            out.push(w.clone());
        }
    }
    out.iter()
        .map(|w| shell_quote(w))
        .collect::<Vec<_>>()
        .join(" ")
}

/// `w` as one word for a POSIX shell.
fn shell_quote(w: &str) -> String {
    let plain = !w.is_empty()
        && w.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b"-_./=:,+@%".contains(&b));
    if plain {
        w.to_string()
    } else {
        format!("'{}'", w.replace('\'', "'\\''"))
    }
}

impl Baseline {
    /// A baseline of `entries`.
    pub fn new(targets: BTreeMap<String, Entry>) -> Self {
        Baseline {
            tool: "ct-verify".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            rustc: crate::cargo::rustc_version().unwrap_or_default(),
            targets,
        }
    }

    /// Reads and checks a baseline file; the error names the file and the problem.
    pub fn load(path: &Path) -> Result<Self, String> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| format!("cannot read baseline file {}: {e}", path.display()))?;
        let b: Baseline = serde_json::from_str(&text)
            .map_err(|e| format!("baseline file {} is malformed: {e}", path.display()))?;
        if b.tool != "ct-verify" {
            return Err(format!(
                "baseline file {} is malformed: `tool` is `{}`, expected `ct-verify`",
                path.display(),
                b.tool
            ));
        }
        Ok(b)
    }

    /// An error when this baseline was recorded with another compiler than `rustc` (`rustc -V`
    /// of the current one): instruction counts of two compilers are not comparable.
    pub fn check_compiler(&self, path: &Path, rustc: &str) -> Result<(), String> {
        if self.rustc.is_empty() || self.rustc == rustc {
            return Ok(());
        }
        let version = self.rustc.split_whitespace().nth(1).unwrap_or("?");
        Err(format!(
            "baseline file {} was recorded with `{}` but the suites are built with `{rustc}`: \
             instruction counts of different compilers are not comparable. Build with the \
             baseline's compiler (`rustup toolchain install {version}`, then `cargo +{version} \
             ct-verify ...`) or record a new baseline with --save-baseline",
            path.display(),
            self.rustc
        ))
    }

    /// Writes the baseline as pretty-printed JSON with a trailing newline (so that a
    /// re-recorded file diffs line by line in review).
    pub fn save(&self, path: &Path) -> Result<(), String> {
        let text = serde_json::to_string_pretty(self).unwrap_or_default() + "\n";
        std::fs::write(path, text)
            .map_err(|e| format!("cannot write baseline file {}: {e}", path.display()))
    }

    /// Compares current counts against this baseline: one `baseline` row per check that ran
    /// (`ok`, or `regression` when its counts moved or it is not in the baseline), then one
    /// `regression` row per baseline entry that `selection` expects but that did not run.
    pub fn compare(
        &self,
        current: &BTreeMap<String, Entry>,
        tolerance_percent: f64,
        selection: &Selection,
    ) -> Vec<CheckResult> {
        let ran = current
            .iter()
            .map(|(name, now)| match self.targets.get(name) {
                Some(base) => compare_entry(name, base, now, tolerance_percent),
                None => membership_row(name, Membership::Missing, &selection.rerecord),
            });
        let stale = self
            .targets
            .iter()
            .filter(|(name, base)| !current.contains_key(*name) && selection.expects(name, base))
            .map(|(name, _)| membership_row(name, Membership::Stale, &selection.rerecord));
        ran.chain(stale).collect()
    }
}

/// What a `baseline` row found (the report writes it as the row's `evidence`).
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// The check is in both: its counts then and now.
    Compared {
        /// Whether the counts moved beyond what the baseline allows.
        regression: bool,
        /// Whether the check was constant-time when the baseline was saved (then any change of
        /// its counts is a regression; otherwise only growth beyond the tolerance).
        baseline_constant_time: bool,
        /// The largest Ir of any call when saved.
        baseline_ir_max: u64,
        /// The largest Ir of any call now.
        ir_max: u64,
        /// How much a check that was not constant-time may grow, in percent (`--baseline-tolerance`).
        tolerance_percent: f64,
        /// `label: then -> now` for every input whose count changed.
        changed: Vec<String>,
    },
    /// The run and the baseline disagree on whether the check exists.
    Membership {
        /// Which side lacks the check.
        problem: Membership,
        /// The command that re-records the baseline.
        rerecord: String,
    },
}

/// How the run and the baseline disagree on a check.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Membership {
    /// It ran but is not in the baseline.
    Missing,
    /// It is in the baseline, the selection should have run it, and it did not.
    Stale,
}

impl Membership {
    /// The report's word for it (JSON `baseline`).
    pub fn as_str(self) -> &'static str {
        match self {
            Membership::Missing => "missing",
            Membership::Stale => "stale",
        }
    }
}

/// The `baseline` row of a check that is in the run and the baseline.
fn compare_entry(name: &str, base: &Entry, now: &Entry, tolerance_percent: f64) -> CheckResult {
    let changed: Vec<String> = base
        .ir
        .iter()
        .filter_map(|(k, v)| match now.ir.get(k) {
            Some(n) if n != v => Some(format!("{k}: {v} -> {n}")),
            _ => None,
        })
        .collect();
    let limit = base.ir_max as f64 * (1.0 + tolerance_percent / 100.0);
    let (verdict, summary) =
        if base.constant_time && (now.ir_max != base.ir_max || !changed.is_empty()) {
            let why = format!(
                "Ir of a constant-time check changed: {} -> {}",
                base.ir_max, now.ir_max
            );
            (Verdict::Regression, why)
        } else if !base.constant_time && now.ir_max as f64 > limit {
            let why = format!(
                "Ir grew beyond {tolerance_percent}%: {} -> {}",
                base.ir_max, now.ir_max
            );
            (Verdict::Regression, why)
        } else {
            let how = format!("Ir {} (baseline {})", now.ir_max, base.ir_max);
            (Verdict::Ok, how)
        };
    CheckResult {
        target: name.to_string(),
        engine: EngineName::Baseline,
        verdict,
        evidence: crate::engine::Evidence::Baseline(Evidence::Compared {
            regression: verdict == Verdict::Regression,
            baseline_constant_time: base.constant_time,
            baseline_ir_max: base.ir_max,
            ir_max: now.ir_max,
            tolerance_percent,
            changed,
        }),
        summary,
    }
}

/// The `regression` row of a check that the run and the baseline disagree on.
fn membership_row(name: &str, problem: Membership, rerecord: &str) -> CheckResult {
    let summary = match problem {
        Membership::Missing => {
            format!("check `{name}` ran but is not in the baseline: re-record it with `{rerecord}`")
        }
        Membership::Stale => format!(
            "baseline entry `{name}` did not run (the check was renamed or removed): \
             re-record the baseline with `{rerecord}`"
        ),
    };
    CheckResult {
        target: name.to_string(),
        engine: EngineName::Baseline,
        verdict: Verdict::Regression,
        evidence: crate::engine::Evidence::Baseline(Evidence::Membership {
            problem,
            rerecord: rerecord.to_string(),
        }),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn found_secrets_stay_out_of_the_baseline() {
        let dump = |ir| crate::engine::callgrind::Dump {
            total_ir: ir,
            ..Default::default()
        };
        let run = CountRun {
            calls: vec![
                (0, "zeros".into(), dump(5)),
                (0, "search#3".into(), dump(9)),
            ],
            ..CountRun::default()
        };
        let e = Entry::from_run("ct", &run, false);
        assert_eq!(e.ir.keys().collect::<Vec<_>>(), ["0|zeros"]);
    }

    fn entry(ct: bool, ir: u64) -> Entry {
        Entry {
            bench: "ct".into(),
            constant_time: ct,
            ir_max: ir,
            ir: [("0|zeros".to_string(), ir)].into(),
        }
    }

    #[test]
    fn constant_time_checks_must_not_change_at_all() {
        let b = Baseline::new([("a".to_string(), entry(true, 100))].into());
        let all = Selection::default();
        let same = b.compare(&[("a".to_string(), entry(true, 100))].into(), 5.0, &all);
        assert_eq!(same[0].verdict, Verdict::Ok);
        let less = b.compare(&[("a".to_string(), entry(true, 99))].into(), 5.0, &all);
        assert_eq!(less[0].verdict, Verdict::Regression);
    }

    #[test]
    fn a_baseline_of_another_compiler_is_refused_with_the_way_out() {
        let mut b = Baseline::new(BTreeMap::new());
        b.rustc = "rustc 1.95.0 (59807616e 2026-04-14)".into();
        let p = Path::new("base.json");
        assert!(b
            .check_compiler(p, "rustc 1.95.0 (59807616e 2026-04-14)")
            .is_ok());
        let e = b
            .check_compiler(p, "rustc 1.96.0 (aaaaaaaaa 2026-05-28)")
            .unwrap_err();
        assert!(e.contains("base.json") && e.contains("rustup toolchain install 1.95.0"));
        // Files written before the field existed carry no compiler and are not refused.
        b.rustc.clear();
        assert!(b.check_compiler(p, "rustc 1.96.0").is_ok());
    }

    #[test]
    fn other_checks_may_grow_within_tolerance() {
        let b = Baseline::new([("a".to_string(), entry(false, 100))].into());
        let all = Selection::default();
        assert_eq!(
            b.compare(&[("a".to_string(), entry(false, 104))].into(), 5.0, &all)[0].verdict,
            Verdict::Ok
        );
        assert_eq!(
            b.compare(&[("a".to_string(), entry(false, 106))].into(), 5.0, &all)[0].verdict,
            Verdict::Regression
        );
    }

    #[test]
    fn a_check_missing_from_the_baseline_is_a_regression_naming_the_command() {
        let b = Baseline::new([("a".to_string(), entry(true, 100))].into());
        let sel = Selection {
            rerecord: "cargo ct-verify --save-baseline b.json".into(),
            ..Selection::default()
        };
        let now = [
            ("a".to_string(), entry(true, 100)),
            ("new".to_string(), entry(true, 7)),
        ]
        .into();
        let rows = b.compare(&now, 5.0, &sel);
        assert_eq!(rows.len(), 2);
        assert_eq!(rows[0].verdict, Verdict::Ok);
        let new = &rows[1];
        assert_eq!(
            (new.target.as_str(), new.verdict),
            ("new", Verdict::Regression)
        );
        assert!(
            new.summary.contains("not in the baseline")
                && new
                    .summary
                    .contains("`cargo ct-verify --save-baseline b.json`"),
            "{}",
            new.summary
        );
    }

    #[test]
    fn only_entries_the_selection_should_have_run_are_stale() {
        let mut other = entry(true, 5);
        other.bench = "other".into();
        let mut old = entry(true, 5);
        old.bench.clear();
        let b = Baseline::new(
            [
                ("a_eq".to_string(), entry(true, 100)),
                ("gone_eq".to_string(), entry(true, 5)),
                ("gone_select".to_string(), entry(true, 5)),
                ("other_eq".to_string(), other),
                ("old_eq".to_string(), old),
            ]
            .into(),
        );
        let now: BTreeMap<String, Entry> = [("a_eq".to_string(), entry(true, 100))].into();
        let stale = |sel: &Selection| -> Vec<String> {
            b.compare(&now, 5.0, sel)
                .into_iter()
                .filter(|r| r.verdict == Verdict::Regression)
                .map(|r| r.target)
                .collect()
        };
        // Everything selected: every entry that did not run is stale.
        assert_eq!(
            stale(&Selection::default()),
            ["gone_eq", "gone_select", "old_eq", "other_eq"]
        );
        // --bench ct: the other bench's entry is not expected; an entry without a bench is.
        let bench = Selection {
            bench: Some("ct".into()),
            ..Selection::default()
        };
        assert_eq!(stale(&bench), ["gone_eq", "gone_select", "old_eq"]);
        // --filter _eq leaves gone_select out.
        let filter = Selection {
            bench: Some("ct".into()),
            filter: Some("_eq".into()),
            ..Selection::default()
        };
        assert_eq!(stale(&filter), ["gone_eq", "old_eq"]);
        // --partition: only the part's own entries.
        for k in 1..=3 {
            let p = Partition { index: k, count: 3 };
            let sel = Selection {
                partition: Some(p),
                ..Selection::default()
            };
            let want: Vec<&str> = ["gone_eq", "gone_select", "old_eq", "other_eq"]
                .into_iter()
                .filter(|n| p.contains(n))
                .collect();
            assert_eq!(stale(&sel), want, "part {p}");
        }
    }

    #[test]
    fn the_rerecord_command_saves_instead_of_comparing_and_drops_the_partition() {
        let argv: Vec<String> = [
            "cargo",
            "ct-verify",
            "--bench",
            "ct",
            "--partition",
            "2/3",
            "--baseline",
            "my base.json",
            "--filter=x",
        ]
        .map(String::from)
        .into();
        assert_eq!(
            rerecord_command(&argv),
            "cargo ct-verify --bench ct --save-baseline 'my base.json' --filter=x"
        );
        let eq: Vec<String> = ["ct-verify", "--baseline=b.json", "--partition=1/2"]
            .map(String::from)
            .into();
        assert_eq!(rerecord_command(&eq), "ct-verify --save-baseline=b.json");
    }

    #[test]
    fn malformed_file_is_named() {
        let dir = std::env::temp_dir().join(format!("ctv-baseline-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let p = dir.join("bad.json");
        std::fs::write(&p, "{\"tool\": \"ct-verify\", \"targets\": 3}").unwrap();
        let e = Baseline::load(&p).unwrap_err();
        assert!(e.contains("bad.json") && e.contains("malformed"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
