//! The engines, and the verdict each gives per check.
//!
//! | engine | runs under | sees | cannot see |
//! |--------|-----------|------|------------|
//! | `taint` | memcheck | branches and memory addresses that depend on secret bytes (early exits, secret-indexed tables, secret-length loops), with file:line; those that depend on a value declassified inside the check, with the `declassify()` call's place too (a leak unless `Config::allow_declassify` names it) | variable-latency arithmetic (division), code that handles secrets without branching on them but takes data-dependent time in hardware |
//! | `trace` (Cortex-M) | QEMU plugin | secret-dependent branches and addresses on the paths the inputs take (traces differ) | taint: a branch on a declassified value that the inputs never take both ways |
//! | `count` | callgrind | any difference in the executed instruction stream between secret inputs (total Ir and per-instruction profile) | secret-indexed memory access with a fixed instruction stream (cache timing), variable-latency instructions, inputs not tried |
//! | `audit` | callgrind's instruction list + a disassembler, then ptrace | DIV/IDIV executed inside the check, each judged by its operands per call (the same for every secret input: a note; different: a leak) | operands of inputs not tried; anything that is not a listed instruction |
//! | `dudect` | natively, timed, two independent samples | end-to-end timing differences between a fixed and random secrets on this CPU, confirmed by both samples | small or rare differences within its budget; it gives statistical evidence, not proof |

#[cfg(feature = "cli")]
pub mod audit;
pub mod callgrind;
#[cfg(feature = "cli")]
pub mod count;
pub mod dudect;
#[cfg(feature = "cli")]
pub mod flow;
#[cfg(feature = "cli")]
pub mod taint;

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

/// One of the four engines.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Engine {
    /// Memcheck taint tracking.
    Taint,
    /// Callgrind instruction counts.
    Count,
    /// Variable-latency instruction audit.
    Audit,
    /// Native timing statistics.
    Dudect,
}

impl Engine {
    /// All engines, in the order they run.
    pub const ALL: [Engine; 4] = [Engine::Taint, Engine::Count, Engine::Audit, Engine::Dudect];

    /// The engine's name on the command line and in reports.
    pub fn name(self) -> &'static str {
        match self {
            Engine::Taint => "taint",
            Engine::Count => "count",
            Engine::Audit => "audit",
            Engine::Dudect => "dudect",
        }
    }

    /// Whether the engine needs valgrind.
    pub fn needs_valgrind(self) -> bool {
        !matches!(self, Engine::Dudect)
    }
}

impl fmt::Display for Engine {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Engine {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        Engine::ALL
            .into_iter()
            .find(|e| e.name() == s)
            .ok_or_else(|| {
                format!("unknown engine `{s}` (expected taint, count, audit, dudect or all)")
            })
    }
}

/// Parses `--engine`: a comma-separated list of engine names, or `all`.
pub fn parse_engine_list(s: &str) -> Result<Vec<Engine>, String> {
    if s.trim() == "all" {
        return Ok(Engine::ALL.to_vec());
    }
    let mut out = Vec::new();
    for part in s.split(',').map(str::trim) {
        if part.is_empty() {
            return Err(format!("empty engine name in `{s}`"));
        }
        let e: Engine = part.parse()?;
        if !out.contains(&e) {
            out.push(e);
        }
    }
    out.sort();
    Ok(out)
}

/// What an engine concluded about one check.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Verdict {
    /// No evidence of a leak of the engine's kind.
    #[serde(rename = "constant-time")]
    ConstantTime,
    /// Evidence of a leak.
    #[serde(rename = "leak")]
    Leak,
    /// Not enough evidence either way (dudect ran out of budget).
    #[serde(rename = "inconclusive")]
    Inconclusive,
    /// The check could not be run (it panicked, the tool failed).
    #[serde(rename = "error")]
    Error,
    /// Baseline engine only: the counts agree with the saved baseline.
    #[serde(rename = "ok")]
    Ok,
    /// Baseline engine only: the counts moved against the saved baseline, or the check and the
    /// baseline disagree on which checks exist (exit status 1, as for a leak).
    #[serde(rename = "regression")]
    Regression,
}

impl Verdict {
    /// The verdict's name in reports.
    pub fn name(self) -> &'static str {
        match self {
            Verdict::ConstantTime => "constant-time",
            Verdict::Leak => "leak",
            Verdict::Inconclusive => "inconclusive",
            Verdict::Error => "error",
            Verdict::Ok => "ok",
            Verdict::Regression => "regression",
        }
    }
}

/// Which judge gave a report row: the `engine` field of the JSON and the human table.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum EngineName {
    /// Memcheck's taint tracking (host).
    Taint,
    /// PC and address traces under QEMU (Cortex-M; asked for as `taint`).
    Trace,
    /// Instruction counts.
    Count,
    /// Variable-latency instructions.
    Audit,
    /// Timing statistics.
    Dudect,
    /// A comparison against a saved baseline.
    Baseline,
}

impl EngineName {
    /// The name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            EngineName::Taint => "taint",
            EngineName::Trace => "trace",
            EngineName::Count => "count",
            EngineName::Audit => "audit",
            EngineName::Dudect => "dudect",
            EngineName::Baseline => "baseline",
        }
    }
}

impl fmt::Display for EngineName {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// What an engine saw of one check, typed; JSON only for a row `merge` read back from a part's
/// report. It becomes JSON in `crate::report` only.
#[derive(Clone, Debug, PartialEq)]
pub enum Evidence {
    /// Secret-dependent control flow or address (taint on the host, trace on the device).
    #[cfg(feature = "cli")]
    Flow(flow::Evidence),
    /// Variable-latency instructions.
    #[cfg(feature = "cli")]
    Audit(audit::Evidence),
    /// Timing statistics (native on the host, SysTick or DWT on the device).
    Dudect(dudect::Evidence),
    /// Instruction counts per input (callgrind on the host, trace and SysTick on the device).
    #[cfg(feature = "cli")]
    Count(count::Evidence),
    /// A comparison against a saved baseline.
    #[cfg(feature = "cli")]
    Baseline(crate::baseline::Evidence),
    /// Why the check has no verdict (the row's verdict is `error`).
    Error(String),
    /// A row read back from a report (`merge`): its JSON as written.
    Json(serde_json::Value),
}

/// One row of the report: a check, an engine, its verdict and the evidence.
#[derive(Clone, Debug, Serialize, Deserialize)]
pub struct CheckResult {
    /// The check's name.
    pub target: String,
    /// The engine (or `baseline` for a comparison against a saved baseline).
    pub engine: EngineName,
    /// What the engine concluded; it decides the exit status (any `Leak` or `Regression`: 1,
    /// any `Error` or `Inconclusive` without those: 2).
    pub verdict: Verdict,
    /// What a person needs to act on the verdict.
    pub evidence: Evidence,
    /// One line for the human table (not in the JSON rows; a partitioned run's JSON report
    /// carries it for `merge`).
    #[serde(skip)]
    pub summary: String,
}

impl CheckResult {
    /// A result with the `error` verdict and `message` as evidence.
    pub fn error(target: &str, engine: EngineName, message: impl Into<String>) -> Self {
        let message = message.into();
        CheckResult {
            target: target.to_string(),
            engine,
            verdict: Verdict::Error,
            evidence: Evidence::Error(message.clone()),
            summary: message,
        }
    }
}
