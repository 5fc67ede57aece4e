//! The report as SARIF 2.1.0 (`--format sarif`), for CI systems that show findings as
//! annotations on a diff: one result per `leak` row, none for any other verdict.
//!
//! A result's location is the leak's place in the user's code: for `count` the first function
//! and `file:line` whose instructions differ (host and device), for `trace` the user's frame of
//! the first differing instruction, for `taint` and `audit` their reported site. Files under
//! the workspace root are given relative to it (`uriBaseId` `%SRCROOT%`), others as `file://`
//! URIs. A leak with no known place (`dudect`, a panic for some inputs only) is a result
//! without `locations`.

use std::path::Path;

use serde_json::{json, Value};

#[cfg(feature = "cli")]
use crate::engine::{audit, flow};
use crate::engine::{CheckResult, EngineName, Evidence, Verdict};
use crate::location::SourceLocation;
use crate::report::Report;

/// The schema the document declares.
pub const SCHEMA: &str = "https://json.schemastore.org/sarif-2.1.0.json";

/// The engines as SARIF rules, in the order of the `rules` array: (engine, description).
const RULES: [(EngineName, &str); 5] = [
    (
        EngineName::Taint,
        "A branch or memory address depends on secret data (valgrind memcheck taint tracking).",
    ),
    (
        EngineName::Trace,
        "The executed instructions or accessed addresses differ between secret inputs (Cortex-M trace under QEMU).",
    ),
    (
        EngineName::Count,
        "The instructions executed differ between secret inputs with the same public input.",
    ),
    (
        EngineName::Audit,
        "A variable-latency instruction (division, long multiply) is executed inside the check.",
    ),
    (
        EngineName::Dudect,
        "The running time differs between fixed and random secrets (dudect's Welch t-test).",
    ),
];

/// The `ruleId` of an engine's leaks.
pub fn rule_id(engine: EngineName) -> String {
    format!("ct-verify/{}", engine.as_str())
}

/// The SARIF document of `report`, file names relative to `root`.
pub fn render(report: &Report, root: &Path) -> String {
    let rules: Vec<Value> = RULES
        .iter()
        .map(|(e, text)| {
            json!({
                "id": rule_id(*e),
                "name": e.as_str(),
                "shortDescription": {"text": text},
            })
        })
        .collect();
    let results: Vec<Value> = report
        .results
        .iter()
        .filter(|r| r.verdict == Verdict::Leak)
        .map(|r| result(r, root))
        .collect();
    let doc = json!({
        "$schema": SCHEMA,
        "version": "2.1.0",
        "runs": [{
            "tool": {"driver": {
                "name": "ct-verify",
                "version": env!("CARGO_PKG_VERSION"),
                "rules": rules,
            }},
            "originalUriBaseIds": {"%SRCROOT%": {"uri": dir_uri(root)}},
            "results": results,
        }],
    });
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// One leak row as a SARIF result.
fn result(r: &CheckResult, root: &Path) -> Value {
    let (place, inputs) = match place(r) {
        Some((p, i)) => (Some(p), i),
        None => (None, None),
    };
    let mut text = format!("check `{}` leaks under {}", r.target, r.engine);
    if let Some([a, b]) = &inputs {
        text += &format!(" (secret inputs {a} and {b} differ)");
    }
    if !r.summary.is_empty() {
        text += &format!(": {}", r.summary);
    }
    let mut v = json!({
        "ruleId": rule_id(r.engine),
        "ruleIndex": RULES.iter().position(|(e, _)| *e == r.engine).unwrap_or(0),
        "level": "error",
        "message": {"text": text},
        "properties": {"check": r.target, "engine": r.engine.as_str(), "inputs": inputs},
    });
    if let Some(p) = place {
        let (uri, relative) = file_uri(&p.file, root);
        let mut artifact = json!({ "uri": uri });
        if relative {
            artifact["uriBaseId"] = json!("%SRCROOT%");
        }
        v["locations"] = json!([{
            "physicalLocation": {
                "artifactLocation": artifact,
                "region": {"startLine": p.line},
            },
            "logicalLocations": [{"fullyQualifiedName": p.function, "kind": "function"}],
        }]);
    }
    v
}

/// Where a leak row points in the source, and the two inputs that show it when the engine
/// compares inputs.
fn place(r: &CheckResult) -> Option<(SourceLocation, Option<[String; 2]>)> {
    match &r.evidence {
        #[cfg(feature = "cli")]
        Evidence::Count(c) => c.site().map(|s| (s.at, Some(s.inputs))),
        #[cfg(feature = "cli")]
        Evidence::Flow(f) => f.sites.iter().find_map(|s| match s {
            flow::Site::Tainted(t) => {
                // The first frame of memcheck's stack in the user's code, else its own pick.
                let frames: Vec<(String, String)> = t
                    .stack
                    .iter()
                    .filter_map(|f| f.rsplit_once(" at "))
                    .map(|(f, l)| (f.to_string(), l.to_string()))
                    .collect();
                let at = crate::location::user_frame(&frames)
                    .or_else(|| SourceLocation::parse(&t.function, &t.location))?;
                Some((at, None))
            }
            flow::Site::Split(s) => {
                // The first differing instruction, else (no line for it) the branch before it.
                let at = [&s.at, &s.after].into_iter().flatten().find_map(|(_, l)| {
                    l.user
                        .as_deref()
                        .cloned()
                        .or_else(|| SourceLocation::parse(&l.function, &l.location))
                })?;
                Some((at, Some([s.inputs.0.clone(), s.inputs.1.clone()])))
            }
            flow::Site::Panicked(..) => None,
        }),
        #[cfg(feature = "cli")]
        Evidence::Audit(a) => a
            .findings
            .iter()
            .filter(|f| f.severity == audit::Severity::Leak)
            .find_map(|f| Some((SourceLocation::parse(&f.function, &f.location)?, None))),
        #[cfg(feature = "cli")]
        Evidence::Baseline(_) => None,
        Evidence::Dudect(_) | Evidence::Error(_) => None,
        Evidence::Json(v) => json_place(r.engine, v),
    }
}

/// [`place`] of a row read back from a JSON report (`merge`): the same fields, as the
/// report's writer named them.
fn json_place(engine: EngineName, v: &Value) -> Option<(SourceLocation, Option<[String; 2]>)> {
    let from = |o: &Value| -> Option<SourceLocation> {
        Some(SourceLocation {
            file: o["file"].as_str()?.to_string(),
            line: o["line"].as_u64().filter(|l| *l > 0)?,
            function: o["function"].as_str().unwrap_or_default().to_string(),
        })
    };
    let inputs = |o: &Value| -> Option<[String; 2]> {
        Some([o[0].as_str()?.to_string(), o[1].as_str()?.to_string()])
    };
    let parse = |o: &Value| {
        SourceLocation::parse(
            o["function"].as_str().unwrap_or_default(),
            o["location"].as_str()?,
        )
    };
    match engine {
        EngineName::Count => {
            let l = &v["location"];
            Some((from(l)?, inputs(&l["inputs"])))
        }
        EngineName::Trace => {
            let d = &v["first_divergence"];
            let at = ["at", "after"]
                .into_iter()
                .find_map(|k| from(&d[k]["user_location"]).or_else(|| parse(&d[k])))?;
            Some((at, inputs(&d["inputs"])))
        }
        EngineName::Taint => Some((parse(&v["errors"][0])?, None)),
        EngineName::Audit => v["findings"]
            .as_array()?
            .iter()
            .filter(|f| f["severity"].as_str().is_none_or(|s| s == "leak"))
            .find_map(|f| Some((parse(f)?, None))),
        EngineName::Dudect | EngineName::Baseline => None,
    }
}

/// `file` as an artifact URI: relative to `root` when below it (`true`), else `file://`.
fn file_uri(file: &str, root: &Path) -> (String, bool) {
    let path = Path::new(file);
    let canonical = |p: &Path| std::fs::canonicalize(p).unwrap_or_else(|_| p.to_path_buf());
    let relative = path
        .strip_prefix(root)
        .ok()
        .map(Path::to_path_buf)
        .or_else(|| {
            canonical(path)
                .strip_prefix(canonical(root))
                .ok()
                .map(Path::to_path_buf)
        });
    match relative {
        Some(rel) if path.is_absolute() => (encode(&slashes(&rel)), true),
        _ if path.is_relative() => (encode(&slashes(path)), true),
        _ => (format!("file://{}", encode(&slashes(path))), false),
    }
}

/// The workspace root as a directory URI (ends in `/`).
fn dir_uri(root: &Path) -> String {
    let s = encode(&slashes(root));
    let s = if s.ends_with('/') { s } else { s + "/" };
    if s.starts_with('/') {
        format!("file://{s}")
    } else {
        format!("file:///{s}")
    }
}

fn slashes(p: &Path) -> String {
    p.to_string_lossy().replace('\\', "/")
}

/// Percent-encodes what a URI path cannot hold as is.
fn encode(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for b in s.bytes() {
        match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'/' | b'-' | b'_' | b'.' | b'~' | b':' => {
                out.push(b as char)
            }
            _ => out += &format!("%{b:02X}"),
        }
    }
    out
}

#[cfg(all(test, feature = "cli"))]
mod tests {
    use super::*;
    use crate::engine::count;
    use crate::location::LeakSite;

    fn count_row(target: &str, leak: bool) -> CheckResult {
        let call = |label: &str, n| count::Call {
            public: 0,
            label: label.into(),
            instructions: n,
            panicked: false,
        };
        let located = leak.then(|| LeakSite {
            public: 0,
            inputs: ["zeros".into(), "fixed#0".into()],
            at: SourceLocation {
                file: "/ws/my-crate/src/lib.rs".into(),
                line: 12,
                function: "my_crate::tag_ok".into(),
            },
        });
        count::judge(
            target,
            count::Evidence {
                calls: vec![
                    call("zeros", 40),
                    call("fixed#0", if leak { 90 } else { 40 }),
                ],
                source: count::Source::Trace {
                    systick: Vec::new(),
                    clock_hz: 16_000_000,
                    icount: "shift=10",
                    located,
                },
            },
        )
    }

    #[test]
    fn one_result_per_leak_with_its_place_relative_to_the_root() {
        let mut dudect = CheckResult::error("slow", EngineName::Dudect, "t = 9");
        dudect.verdict = Verdict::Leak;
        let report = Report {
            results: vec![
                count_row("tag_eq", false),
                count_row("tag_eq_early_exit", true),
                CheckResult::error("broken", EngineName::Taint, "valgrind died"),
                dudect,
            ],
        };
        assert_eq!(report.results[0].verdict, Verdict::ConstantTime);
        assert_eq!(report.results[1].verdict, Verdict::Leak);
        let doc: Value = serde_json::from_str(&render(&report, Path::new("/ws"))).unwrap();
        assert_eq!(doc["version"], "2.1.0");
        assert_eq!(doc["$schema"], SCHEMA);
        let run = &doc["runs"][0];
        assert_eq!(run["tool"]["driver"]["name"], "ct-verify");
        assert_eq!(run["originalUriBaseIds"]["%SRCROOT%"]["uri"], "file:///ws/");
        let results = run["results"].as_array().unwrap();
        // The constant-time row and the error are not results; both leaks are.
        assert_eq!(results.len(), 2, "{doc}");
        let r = &results[0];
        assert_eq!(r["ruleId"], "ct-verify/count");
        assert_eq!(
            run["tool"]["driver"]["rules"][r["ruleIndex"].as_u64().unwrap() as usize]["id"],
            "ct-verify/count"
        );
        let text = r["message"]["text"].as_str().unwrap();
        assert!(
            text.starts_with("check `tag_eq_early_exit` leaks under count (secret inputs zeros and fixed#0 differ): "),
            "{text}"
        );
        let p = &r["locations"][0]["physicalLocation"];
        assert_eq!(p["artifactLocation"]["uri"], "my-crate/src/lib.rs");
        assert_eq!(p["artifactLocation"]["uriBaseId"], "%SRCROOT%");
        assert_eq!(p["region"]["startLine"], 12);
        assert_eq!(
            r["locations"][0]["logicalLocations"][0]["fullyQualifiedName"],
            "my_crate::tag_ok"
        );
        // A leak without a known place has no locations (not an invented one).
        assert_eq!(results[1]["ruleId"], "ct-verify/dudect");
        assert!(results[1].get("locations").is_none(), "{}", results[1]);
        // Outside the root: an absolute file URI.
        let doc: Value = serde_json::from_str(&render(&report, Path::new("/elsewhere"))).unwrap();
        let p = &doc["runs"][0]["results"][0]["locations"][0]["physicalLocation"];
        assert_eq!(
            p["artifactLocation"]["uri"],
            "file:///ws/my-crate/src/lib.rs"
        );
        assert!(p["artifactLocation"].get("uriBaseId").is_none());
    }

    #[test]
    fn merged_rows_keep_their_place() {
        // A report read back by `merge`: the evidence is its JSON.
        let typed = count_row("tag_eq_early_exit", true);
        let mut read_back = typed.clone();
        read_back.evidence = Evidence::Json(typed.evidence.to_json());
        assert_eq!(place(&read_back), place(&typed));
        assert!(place(&typed).is_some());
        assert_eq!(encode("a b%/c.rs"), "a%20b%25/c.rs");
    }
}
