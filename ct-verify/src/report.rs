//! Reports: a table for people, JSON for scripts, JUnit XML for CI dashboards; and the exit code.

use serde::{Deserialize, Serialize};
use serde_json::{json, Value};

#[cfg(feature = "cli")]
use crate::engine::{audit, count, flow};
use crate::engine::{dudect, CheckResult, Evidence, Verdict};

/// Exit status: every check constant-time.
pub const EXIT_OK: i32 = 0;
/// Exit status: a leak, or a regression against the baseline.
pub const EXIT_LEAK: i32 = 1;
/// Exit status: something could not be run (tool missing, build failed, bad arguments or files,
/// a check that errored or stayed inconclusive).
pub const EXIT_ERROR: i32 = 2;

/// Output format.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "cli", derive(clap::ValueEnum))]
pub enum Format {
    /// An aligned table.
    Human,
    /// `{"tool":"ct-verify","version":..,"results":[..]}`.
    Json,
    /// JUnit XML: one test case per check and engine.
    Junit,
    /// SARIF 2.1.0: one result per leak, at its place in the user's code (for CI annotations).
    Sarif,
}

/// All results of a run.
#[derive(Clone, Debug, Default)]
pub struct Report {
    /// One per check and engine, in run order.
    pub results: Vec<CheckResult>,
}

impl Report {
    /// The exit status: 1 on any leak or baseline regression, else 2 on any error or
    /// inconclusive result, else 0.
    pub fn exit_code(&self) -> i32 {
        if self
            .results
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Leak | Verdict::Regression))
        {
            EXIT_LEAK
        } else if self
            .results
            .iter()
            .any(|r| matches!(r.verdict, Verdict::Error | Verdict::Inconclusive))
        {
            EXIT_ERROR
        } else {
            EXIT_OK
        }
    }

    /// The whole report as text in `format`, ready to print or write to `--output`; SARIF's
    /// file names relative to the current directory.
    pub fn render(&self, format: Format) -> String {
        self.render_in(format, &std::env::current_dir().unwrap_or_default())
    }

    /// As [`Report::render`], with SARIF's file names relative to `root` (the workspace root).
    pub fn render_in(&self, format: Format, root: &std::path::Path) -> String {
        match format {
            Format::Human => self.human(),
            Format::Json => self.json(),
            Format::Junit => self.junit(),
            Format::Sarif => crate::sarif::render(self, root),
        }
    }

    /// The JSON document.
    pub fn json(&self) -> String {
        let doc = json!({
            "tool": "ct-verify",
            "version": env!("CARGO_PKG_VERSION"),
            "results": self.results,
        });
        serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
    }

    /// Counts per verdict: constant-time, leak, inconclusive, error.
    pub fn counts(&self) -> [usize; 4] {
        let n = |v| self.results.iter().filter(|r| r.verdict == v).count();
        [
            n(Verdict::ConstantTime),
            n(Verdict::Leak),
            n(Verdict::Inconclusive),
            n(Verdict::Error),
        ]
    }

    /// Counts of the baseline engine's verdicts: ok, regression.
    pub fn baseline_counts(&self) -> [usize; 2] {
        let n = |v| self.results.iter().filter(|r| r.verdict == v).count();
        [n(Verdict::Ok), n(Verdict::Regression)]
    }

    /// One line: counts per verdict (the baseline's ok/regression only when it was compared).
    pub fn summary_line(&self) -> String {
        let [ct, leak, inc, err] = self.counts();
        let mut line = format!(
            "ct-verify: {} results: {ct} constant-time, {leak} leak, {inc} inconclusive, {err} error",
            self.results.len()
        );
        let [ok, regression] = self.baseline_counts();
        if ok + regression > 0 {
            line += &format!("; baseline: {ok} ok, {regression} regression");
        }
        line
    }

    /// One aligned row per check and engine, then a summary line with the verdict counts.
    pub fn human(&self) -> String {
        let tw = self
            .results
            .iter()
            .map(|r| r.target.len())
            .max()
            .unwrap_or(6)
            .max(6);
        let ew = self
            .results
            .iter()
            .map(|r| r.engine.as_str().len())
            .max()
            .unwrap_or(6)
            .max(6);
        let mut out = format!(
            "{:<tw$}  {:<ew$}  {:<13}  EVIDENCE\n",
            "TARGET", "ENGINE", "VERDICT"
        );
        for r in &self.results {
            out += &format!(
                "{:<tw$}  {:<ew$}  {:<13}  {}\n",
                r.target,
                r.engine,
                r.verdict.name(),
                r.summary
            );
        }
        out += &self.summary_line();
        out.push('\n');
        out
    }

    /// JUnit XML.
    pub fn junit(&self) -> String {
        let [_, leak, inc, err] = self.counts();
        let leak = leak + self.baseline_counts()[1];
        let mut out = String::from("<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n");
        out += &format!(
            "<testsuites name=\"ct-verify\" tests=\"{}\" failures=\"{leak}\" errors=\"{}\">\n",
            self.results.len(),
            inc + err
        );
        out += &format!(
            "  <testsuite name=\"ct-verify\" tests=\"{}\" failures=\"{leak}\" errors=\"{}\" skipped=\"0\">\n",
            self.results.len(),
            inc + err
        );
        for r in &self.results {
            out += &format!(
                "    <testcase classname=\"ct-verify.{}\" name=\"{}\">",
                xml_escape(r.engine.as_str()),
                xml_escape(&r.target)
            );
            let evidence = serde_json::to_string(&r.evidence).unwrap_or_default();
            match r.verdict {
                Verdict::ConstantTime | Verdict::Ok => {}
                Verdict::Leak | Verdict::Regression => {
                    out += &format!(
                        "\n      <failure message=\"{}\" type=\"{}\">{}</failure>\n    ",
                        xml_escape(&r.summary),
                        r.verdict.name(),
                        xml_escape(&evidence)
                    )
                }
                Verdict::Inconclusive | Verdict::Error => {
                    out += &format!(
                        "\n      <error message=\"{}\" type=\"{}\">{}</error>\n    ",
                        xml_escape(&r.summary),
                        r.verdict.name(),
                        xml_escape(&evidence)
                    )
                }
            }
            out += "</testcase>\n";
        }
        out += "  </testsuite>\n</testsuites>\n";
        out
    }
}

/// Escapes text for XML attributes and content.
pub fn xml_escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&apos;"),
            c if (c as u32) < 0x20 && c != '\n' && c != '\t' => {}
            c => out.push(c),
        }
    }
    out
}

impl Evidence {
    /// The report's `evidence` object.
    pub fn to_json(&self) -> Value {
        match self {
            #[cfg(feature = "cli")]
            Evidence::Flow(f) => flow_json(f),
            #[cfg(feature = "cli")]
            Evidence::Audit(a) => audit_json(a),
            #[cfg(feature = "cli")]
            Evidence::Count(c) => count_json(c),
            Evidence::Dudect(d) => dudect_json(d),
            #[cfg(feature = "cli")]
            Evidence::Baseline(b) => baseline_json(b),
            Evidence::Error(message) => json!({ "error": message }),
            Evidence::Json(v) => v.clone(),
        }
    }
}

impl Serialize for Evidence {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        self.to_json().serialize(s)
    }
}

/// A report read back (by `merge`) keeps each row's evidence as it was written.
impl<'de> Deserialize<'de> for Evidence {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<Self, D::Error> {
        Value::deserialize(d).map(Evidence::Json)
    }
}

#[cfg(feature = "cli")]
/// The report's `evidence` object: for `taint`, `calls`, `errors`, `errors_outside_check` and
/// `panicked_inputs` (an error on a value declassified inside the check has `declassified_at`;
/// those the check allows are under `intended_declassify` instead, with `allowed_by`); for `trace`, `first_divergence` and `trace_events`, or (identical
/// traces) `inputs`, `trace_events` and `instructions`.
fn flow_json(evidence: &flow::Evidence) -> Value {
    match &evidence.source {
        flow::Source::Taint {
            calls,
            errors_outside_check,
        } => taint_json(&evidence.sites, *calls, *errors_outside_check),
        flow::Source::Trace {
            trace_events,
            instructions,
        } => trace_json(&evidence.sites, trace_events, *instructions),
    }
}

#[cfg(feature = "cli")]
/// [`flow_json`] of a taint run: errors a check's own `allow_declassify` covers go to
/// `intended_declassify` (present only when there is one).
fn taint_json(sites: &[flow::Site], calls: usize, errors_outside_check: usize) -> Value {
    let mut errors = Vec::new();
    let mut intended = Vec::new();
    let mut panicked = Vec::new();
    for s in sites {
        match s {
            flow::Site::Tainted(t) => {
                let mut e = json!({
                    "kind": t.kind,
                    "message": t.message,
                    "location": t.location,
                    "function": t.function,
                    "innermost": t.innermost,
                    "stack": t.stack,
                });
                if let Some(d) = &t.declassified {
                    e["declassified_at"] = json!({
                        "location": d.location,
                        "function": d.function,
                        "stack": d.stack,
                    });
                }
                match t.declassified.as_ref().and_then(|d| d.allowed_by.as_ref()) {
                    Some(site) => {
                        e["allowed_by"] = json!(site);
                        intended.push(e);
                    }
                    None => errors.push(e),
                }
            }
            flow::Site::Panicked(i, m) => panicked.push(json!({ "input": i, "message": m })),
            flow::Site::Split(_) => {}
        }
    }
    let mut out = json!({
        "calls": calls,
        "errors": errors,
        "errors_outside_check": errors_outside_check,
        "panicked_inputs": panicked,
    });
    if !intended.is_empty() {
        out["intended_declassify"] = Value::Array(intended);
    }
    out
}

#[cfg(feature = "cli")]
/// [`flow_json`] of a trace run: the first divergence (keyed also by the two inputs' names,
/// each with its event there), or for identical traces the input count and instructions.
fn trace_json(sites: &[flow::Site], trace_events: &[(String, usize)], instructions: u64) -> Value {
    let lengths: serde_json::Map<String, Value> = trace_events
        .iter()
        .map(|(n, l)| (n.clone(), json!(l)))
        .collect();
    let split = sites.iter().find_map(|s| match s {
        flow::Site::Split(s) => Some(s),
        _ => None,
    });
    let Some(s) = split else {
        return json!({
            "inputs": trace_events.len(),
            "trace_events": lengths,
            "instructions": instructions,
        });
    };
    let loc = |a: &Option<(u32, crate::elf::Location)>| {
        a.as_ref().map_or(Value::Null, |(addr, l)| l.to_json(*addr))
    };
    let event = |e: Option<flow::Event>| match e {
        Some(e) => json!({"kind": e.kind.name(), "address": format!("{:#010x}", e.addr)}),
        None => json!({"kind": "end of trace"}),
    };
    let (ref_name, name) = (&s.inputs.0, &s.inputs.1);
    json!({
        "first_divergence": {
            "inputs": [ref_name, name],
            "event_index": s.event_index,
            "pc": s.at.as_ref().map(|a| format!("{:#010x}", a.0)),
            "at": loc(&s.at),
            "after": loc(&s.after),
            ref_name: event(s.events.0),
            name: event(s.events.1),
        },
        "trace_events": lengths,
    })
}

#[cfg(feature = "cli")]
/// The report's `evidence` object (host: `findings`, `executed_instructions`, each finding with
/// `severity` and `operands` once its operands were judged; device: `core`, `findings` with
/// `symbol`, `severity`, `reason` and, for the sites judged by operands, `operands`).
fn audit_json(evidence: &audit::Evidence) -> Value {
    let device = matches!(evidence.platform, audit::Platform::Device { .. });
    let findings: Vec<Value> = evidence
        .findings
        .iter()
        .map(|f| {
            if device {
                let mut v = json!({
                    "instruction": f.instruction,
                    "address": format!("{:#010x}", f.address),
                    "function": f.function,
                    "symbol": f.symbol.as_deref().unwrap_or(""),
                    "location": f.location,
                    "executions": f.executions,
                    "severity": match f.severity {
                        audit::Severity::Leak => "leak",
                        audit::Severity::Note => "note",
                    },
                    "reason": f.reason,
                });
                if let Some(o) = &f.operands {
                    v["operands"] = operands_json(o);
                }
                v
            } else {
                let mut v = json!({
                    "instruction": f.instruction,
                    "address": format!("{:#x}", f.address),
                    "object": f.object.as_deref().unwrap_or(""),
                    "location": f.location,
                    "function": f.function,
                    "executions": f.executions,
                });
                if let Some(o) = &f.operands {
                    v["severity"] = json!(match f.severity {
                        audit::Severity::Leak => "leak",
                        audit::Severity::Note => "note",
                    });
                    v["operands"] = operands_json(o);
                }
                v
            }
        })
        .collect();
    match &evidence.platform {
        audit::Platform::Host {
            executed_instructions,
        } => json!({ "findings": findings, "executed_instructions": executed_instructions }),
        audit::Platform::Device { core } => json!({ "core": core, "findings": findings }),
    }
}

#[cfg(feature = "cli")]
/// A host finding's `operands` object: `verdict` `same` (with `calls`, `executions`), `differ`
/// (with `public`, `inputs`, `execution` and the two `operands`, `null` for a call that did not
/// execute the site that often) or `unchecked` (with `reason`).
fn operands_json(check: &audit::operands::OperandCheck) -> Value {
    use audit::operands::OperandCheck;
    let values = |o: &Option<audit::operands::Operands>| match o {
        Some(o) => Value::Object(
            o.0.iter()
                .map(|(name, v)| (name.to_string(), json!(format!("{v:#x}"))))
                .collect(),
        ),
        None => Value::Null,
    };
    match check {
        OperandCheck::Same { calls, executions } => {
            json!({"verdict": "same", "calls": calls, "executions": executions})
        }
        OperandCheck::Differ(d) => json!({
            "verdict": "differ",
            "public": d.public,
            "inputs": d.inputs,
            "execution": d.execution,
            "operands": [values(&d.operands[0]), values(&d.operands[1])],
        }),
        OperandCheck::Unchecked(reason) => json!({"verdict": "unchecked", "reason": reason}),
    }
}

#[cfg(feature = "cli")]
/// The report's `evidence` object for `baseline`: `regression`, then either the counts
/// (`baseline_constant_time`, `baseline_ir_max`, `ir_max`, `tolerance_percent`, `changed`) or
/// why the check is not comparable (`baseline`: `missing` or `stale`, with `rerecord`).
fn baseline_json(evidence: &crate::baseline::Evidence) -> Value {
    use crate::baseline::Evidence as B;
    match evidence {
        B::Compared {
            regression,
            baseline_constant_time,
            baseline_ir_max,
            ir_max,
            tolerance_percent,
            changed,
        } => json!({
            "regression": regression,
            "baseline_constant_time": baseline_constant_time,
            "baseline_ir_max": baseline_ir_max,
            "ir_max": ir_max,
            "tolerance_percent": tolerance_percent,
            "changed": changed,
        }),
        B::Membership { problem, rerecord } => json!({
            "regression": true,
            "baseline": problem.as_str(),
            "rerecord": rerecord,
        }),
    }
}

/// The report's `evidence` object (host: `t`, `test`, `threshold`, `measurements`, `seconds`,
/// `unit`, `calls_per_measurement`, `timer_resolution`, `samples`, `classes`; device: `max_t`,
/// `test`, `measurements`, the two classes' means, `unit`, `resolution`, `reps`, `samples`,
/// `core`, `timer`).
fn dudect_json(evidence: &dudect::Evidence) -> Value {
    match evidence {
        dudect::Evidence::Host(d) => json!({
            "t": d.max_t,
            "test": d.test,
            "threshold": crate::stats::T_THRESHOLD,
            "measurements": d.measurements,
            "seconds": d.seconds,
            "unit": d.unit,
            "calls_per_measurement": d.reps,
            "timer_resolution": d.resolution,
            "samples": d.samples.iter().map(|s| json!({
                "t": s.max_t,
                "test": s.test,
                "measurements": s.measurements,
                "median_ticks": s.median,
                "seconds": s.seconds,
            })).collect::<Vec<_>>(),
            "classes": {
                "fixed": { "measurements": d.fixed_count, "mean_per_call": d.fixed_mean },
                "random": { "measurements": d.random_count, "mean_per_call": d.random_mean },
            },
        }),
        dudect::Evidence::Device { run: d, core } => json!({
            "max_t": d.t,
            "test": d.test,
            "measurements": d.measurements,
            "fixed_mean": d.fixed_mean,
            "random_mean": d.random_mean,
            "unit": d.unit,
            "resolution": d.resolution,
            "reps": d.reps,
            "samples": d.samples,
            "core": core,
            "timer": "SysTick under QEMU -icount shift=10 (counts instructions: a plumbing check, not the core's timing)",
        }),
    }
}

#[cfg(feature = "cli")]
/// The report's `evidence` object (host: `classes`, `ir_min`, `ir_max`, `ir_identical`,
/// `profile_identical`, `differences`, `panicked_inputs`; device: `instructions` and `systick`
/// keyed by input label, `systick_clock_hz`, `icount`).
fn count_json(evidence: &count::Evidence) -> Value {
    match &evidence.source {
        count::Source::Callgrind {
            differences,
            panicked,
            search,
        } => callgrind_json(evidence, differences, panicked, search),
        count::Source::Trace {
            systick,
            clock_hz,
            icount,
            ..
        } => systick_json(evidence, systick, *clock_hz, icount),
    }
}

#[cfg(feature = "cli")]
/// [`count_json`] on the host: per-call counts, the first profile differences with their
/// user-code places, and the search's record (only with `--search-budget`).
fn callgrind_json(
    evidence: &count::Evidence,
    differences: &[count::ProfileDifference],
    panicked: &[(String, String)],
    search: &[crate::protocol::SearchRecord],
) -> Value {
    let classes: Vec<Value> = evidence
        .calls
        .iter()
        .map(|c| {
            json!({
                "public": c.public,
                "input": c.label,
                "ir": c.instructions,
                "panicked": c.panicked,
            })
        })
        .collect();
    let compared: Vec<(usize, &str, u64)> = evidence
        .calls
        .iter()
        .filter(|c| !c.panicked)
        .map(|c| (c.public, c.label.as_str(), c.instructions))
        .collect();
    let irs = evidence.calls.iter().map(|c| c.instructions);
    let differences: Vec<Value> = differences
        .iter()
        .map(|d| {
            json!({
                "public": d.public,
                "inputs": d.inputs,
                "ir": d.instructions,
                "object": d.object,
                "address": format!("{:#x}", d.address),
                "location": d.location,
                "function": d.function,
                "counts": d.counts,
                "user_location": d.user.as_ref().map(source_json),
            })
        })
        .collect();
    let mut evidence = json!({
        "classes": classes,
        "ir_min": irs.clone().min().unwrap_or(0),
        "ir_max": irs.max().unwrap_or(0),
        "ir_identical": count::differing_counts(&compared).is_none(),
        "profile_identical": differences.is_empty(),
        "location": site_json(evidence.site().as_ref()),
        "differences": differences,
        "panicked_inputs": panicked
            .iter()
            .map(|(i, m)| json!({ "input": i, "message": m }))
            .collect::<Vec<_>>(),
    });
    // Only with --search-budget: without it the report is what it always was.
    if !search.is_empty() {
        evidence["search"] = json!(search);
    }
    evidence
}

#[cfg(feature = "cli")]
/// [`count_json`] on the device: the trace's instructions per input and the independent
/// SysTick readings under `-icount`.
fn systick_json(
    evidence: &count::Evidence,
    systick: &[count::SysTick],
    clock_hz: u64,
    icount: &str,
) -> Value {
    let instructions: serde_json::Map<String, Value> = evidence
        .calls
        .iter()
        .map(|c| (c.label.clone(), json!(c.instructions)))
        .collect();
    let ticks: serde_json::Map<String, Value> = systick
        .iter()
        .filter_map(|s| {
            let (t, i) = s.reading.as_ref().ok()?;
            Some((s.label.clone(), json!({"ticks": t, "instructions": i})))
        })
        .collect();
    json!({
        "instructions": instructions,
        "systick": ticks,
        "systick_clock_hz": clock_hz,
        "icount": icount,
        "location": site_json(evidence.site().as_ref()),
    })
}

#[cfg(feature = "cli")]
/// A place in the source as the report's JSON object: `function`, `file`, `line`.
fn source_json(l: &crate::location::SourceLocation) -> Value {
    json!({"function": l.function, "file": l.file, "line": l.line})
}

#[cfg(feature = "cli")]
/// The count evidence's `location`: the first function and `file:line` of the user's code whose
/// instructions differ, with the `public` input and the two secret `inputs` that show it (`null`
/// when unknown).
fn site_json(site: Option<&crate::location::LeakSite>) -> Value {
    site.map_or(Value::Null, |s| {
        let mut v = source_json(&s.at);
        v["public"] = json!(s.public);
        v["inputs"] = json!(s.inputs);
        v
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn result(v: Verdict) -> CheckResult {
        CheckResult {
            target: "t<1>".into(),
            engine: crate::engine::EngineName::Taint,
            verdict: v,
            evidence: crate::engine::Evidence::Json(json!({})),
            summary: "s & s".into(),
        }
    }

    #[test]
    fn exit_codes() {
        let mut r = Report {
            results: vec![result(Verdict::ConstantTime)],
        };
        assert_eq!(r.exit_code(), 0);
        r.results.push(result(Verdict::Error));
        assert_eq!(r.exit_code(), 2);
        r.results.push(result(Verdict::Leak));
        assert_eq!(r.exit_code(), 1);
    }

    #[test]
    fn json_shape_and_junit_escaping() {
        let r = Report {
            results: vec![result(Verdict::Leak)],
        };
        let v: serde_json::Value = serde_json::from_str(&r.json()).unwrap();
        assert_eq!(v["tool"], "ct-verify");
        assert_eq!(v["results"][0]["verdict"], "leak");
        assert_eq!(v["results"][0]["target"], "t<1>");
        let x = r.junit();
        assert!(x.contains("name=\"t&lt;1&gt;\""));
        assert!(x.contains("<failure message=\"s &amp; s\""));
    }

    #[cfg(feature = "cli")]
    #[test]
    fn count_evidence_json_shapes() {
        let call = |label: &str, n, panicked| count::Call {
            public: 0,
            label: label.into(),
            instructions: n,
            panicked,
        };
        let host = count::Evidence {
            calls: vec![call("zeros", 40, false), call("ones", 9, true)],
            source: count::Source::Callgrind {
                differences: Vec::new(),
                panicked: vec![("0|ones".into(), "boom".into())],
                search: Vec::new(),
            },
        };
        assert_eq!(
            Evidence::Count(host).to_json(),
            json!({
                "classes": [
                    {"public": 0, "input": "zeros", "ir": 40, "panicked": false},
                    {"public": 0, "input": "ones", "ir": 9, "panicked": true},
                ],
                "ir_min": 9,
                "ir_max": 40,
                "ir_identical": true,
                "profile_identical": true,
                "location": null,
                "differences": [],
                "panicked_inputs": [{"input": "0|ones", "message": "boom"}],
            })
        );
        let device = count::Evidence {
            calls: vec![call("zeros", 40, false), call("ones", 41, false)],
            source: count::Source::Trace {
                systick: vec![
                    count::SysTick {
                        public: 0,
                        label: "zeros".into(),
                        reading: Ok((720, 44)),
                    },
                    count::SysTick {
                        public: 0,
                        label: "ones".into(),
                        reading: Err("timed out".into()),
                    },
                ],
                clock_hz: 16_000_000,
                icount: "shift=10,align=off,sleep=off",
                located: None,
            },
        };
        assert_eq!(
            Evidence::Count(device).to_json(),
            json!({
                "instructions": {"zeros": 40, "ones": 41},
                "systick": {"zeros": {"ticks": 720, "instructions": 44}},
                "systick_clock_hz": 16_000_000,
                "icount": "shift=10,align=off,sleep=off",
                "location": null,
            })
        );
    }
}
