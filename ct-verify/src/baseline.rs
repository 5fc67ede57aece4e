//! Baselines: instruction counts per check saved by `--save-baseline`, compared by `--baseline`.
//!
//! A check that was constant-time when saved must keep exactly the same counts (any change means
//! the compiled code changed where it matters); other checks may not grow beyond a tolerance.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::engine::count::CountRun;
use crate::engine::{CheckResult, EngineName, Verdict};

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
    /// Counts by check name. [`Baseline::compare`] compares only the checks found both here
    /// and in the run.
    pub targets: BTreeMap<String, Entry>,
}

/// Instruction counts of one check.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Entry {
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
    /// The entry for a count run.
    pub fn from_run(run: &CountRun, constant_time: bool) -> Self {
        let ir: BTreeMap<String, u64> = run
            .calls
            .iter()
            .map(|(p, label, d)| (format!("{p}|{label}"), d.own_ir()))
            .collect();
        Entry {
            constant_time,
            ir_max: ir.values().copied().max().unwrap_or(0),
            ir,
        }
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

    /// Compares current counts against this baseline: one `baseline` result per check in both.
    pub fn compare(
        &self,
        current: &BTreeMap<String, Entry>,
        tolerance_percent: f64,
    ) -> Vec<CheckResult> {
        let mut out = Vec::new();
        for (name, now) in current {
            let Some(base) = self.targets.get(name) else {
                continue;
            };
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
                    (
                        Verdict::Leak,
                        format!(
                            "Ir of a constant-time check changed: {} -> {}",
                            base.ir_max, now.ir_max
                        ),
                    )
                } else if !base.constant_time && now.ir_max as f64 > limit {
                    (
                        Verdict::Leak,
                        format!(
                            "Ir grew beyond {tolerance_percent}%: {} -> {}",
                            base.ir_max, now.ir_max
                        ),
                    )
                } else {
                    (
                        Verdict::ConstantTime,
                        format!("Ir {} (baseline {})", now.ir_max, base.ir_max),
                    )
                };
            out.push(CheckResult {
                target: name.clone(),
                engine: EngineName::Baseline,
                verdict,
                evidence: crate::engine::Evidence::Json(json!({
                    "regression": verdict == Verdict::Leak,
                    "baseline_constant_time": base.constant_time,
                    "baseline_ir_max": base.ir_max,
                    "ir_max": now.ir_max,
                    "tolerance_percent": tolerance_percent,
                    "changed": changed,
                })),
                summary,
            });
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn entry(ct: bool, ir: u64) -> Entry {
        Entry {
            constant_time: ct,
            ir_max: ir,
            ir: [("0|zeros".to_string(), ir)].into(),
        }
    }

    #[test]
    fn constant_time_checks_must_not_change_at_all() {
        let b = Baseline::new([("a".to_string(), entry(true, 100))].into());
        let same = b.compare(&[("a".to_string(), entry(true, 100))].into(), 5.0);
        assert_eq!(same[0].verdict, Verdict::ConstantTime);
        let less = b.compare(&[("a".to_string(), entry(true, 99))].into(), 5.0);
        assert_eq!(less[0].verdict, Verdict::Leak);
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
        assert_eq!(
            b.compare(&[("a".to_string(), entry(false, 104))].into(), 5.0)[0].verdict,
            Verdict::ConstantTime
        );
        assert_eq!(
            b.compare(&[("a".to_string(), entry(false, 106))].into(), 5.0)[0].verdict,
            Verdict::Leak
        );
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
