//! Baselines: instruction counts per check saved by `--save-baseline`, compared by `--baseline`.
//!
//! A check that was constant-time when saved must keep exactly the same counts (any change means
//! the compiled code changed where it matters); other checks may not grow beyond a tolerance.

use std::collections::BTreeMap;
use std::path::Path;

use serde::{Deserialize, Serialize};
use serde_json::json;

use crate::engine::count::CountRun;
use crate::engine::{CheckResult, Verdict};

/// The baseline file.
#[derive(Clone, Debug, Default, Serialize, Deserialize, PartialEq, Eq)]
#[serde(deny_unknown_fields)]
pub struct Baseline {
    /// Always `ct-verify`.
    pub tool: String,
    /// Version that wrote the file.
    pub version: String,
    /// Per check.
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
    /// Ir per `public|input` label.
    pub ir: BTreeMap<String, u64>,
}

impl Entry {
    /// The entry for a count run.
    pub fn from_run(run: &CountRun, constant_time: bool) -> Self {
        let ir: BTreeMap<String, u64> = run
            .calls
            .iter()
            .map(|(p, label, d)| (format!("{p}|{label}"), d.total_ir))
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

    /// Writes the file.
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
                engine: "baseline".into(),
                verdict,
                evidence: json!({
                    "regression": verdict == Verdict::Leak,
                    "baseline_constant_time": base.constant_time,
                    "baseline_ir_max": base.ir_max,
                    "ir_max": now.ir_max,
                    "tolerance_percent": tolerance_percent,
                    "changed": changed,
                }),
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
