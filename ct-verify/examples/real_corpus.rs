//! Scores a ct-verify JSON report of the real-code corpus (`ct-verify/corpus-real`) against its
//! ground truth (`ct-verify/corpus-real/ground-truth.txt`): per engine, the leaks it found out of
//! the corpus's leaks and its false alarms out of the constant-time checks, then one row per
//! check. `scripts/ct-verify-real-corpus` runs ct-verify and this; the table in ct-verify's
//! README ("Real third-party code") comes from it.
//!
//! ```text
//! real_corpus GROUND_TRUTH REPORT_JSON [REPORT_JSON ...]
//! ```
//!
//! Several reports are read as one (for example the taint, count and audit run and a separate
//! `--engine dudect` run); an engine in two of them is an error.
//!
//! Exit status: 0 when every engine said what the ground truth expects of it (each engine
//! listed for a leak reports `leak`, where the ground truth gives a place there; no engine
//! reports `leak` for a constant-time check), 1
//! otherwise, 2 when an input cannot be read or does not fit the other (a check of one missing
//! from the other).

use std::collections::BTreeMap;
use std::process::ExitCode;

/// Engines the ground truth states expectations for, in table order. Others in the report
/// (dudect) are scored, without expectations.
const JUDGED: &[&str] = &["taint", "count", "audit"];

/// One line of the ground-truth file.
struct Truth {
    leak: bool,
    /// Engines that must report `leak` (for a leak; empty for a constant-time check).
    engines: Vec<String>,
    /// Where an engine must place the leak (`count@src/x.rs:12`): the end of the file's path
    /// and the line, compared with the row's `evidence.location`.
    places: BTreeMap<String, (String, u64)>,
}

/// What the report says of one check under one engine.
struct Row {
    verdict: String,
    /// `evidence.location` (file, line), when the engine placed the leak.
    place: Option<(String, u64)>,
}

fn parse_truth(text: &str) -> Result<BTreeMap<String, Truth>, String> {
    let mut truth = BTreeMap::new();
    for (n, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let fields: Vec<&str> = line.splitn(4, '|').map(str::trim).collect();
        let [name, verdict, engines, _why] = fields[..] else {
            return Err(format!(
                "line {}: expected `check | leak or constant-time | engines | why`",
                n + 1
            ));
        };
        let leak = match verdict {
            "leak" => true,
            "constant-time" => false,
            other => {
                return Err(format!(
                    "line {}: verdict must be `leak` or `constant-time`, not `{other}`",
                    n + 1
                ))
            }
        };
        let mut places = BTreeMap::new();
        let engines: Vec<String> = if engines == "-" {
            Vec::new()
        } else {
            engines
                .split(',')
                .map(|e| {
                    let Some((engine, place)) = e.trim().split_once('@') else {
                        return Ok(e.trim().to_string());
                    };
                    let (file, line) = place
                        .rsplit_once(':')
                        .and_then(|(f, l)| Some((f.to_string(), l.parse::<u64>().ok()?)))
                        .ok_or(format!(
                            "line {}: `{e}`: a place is `engine@path/to/file.rs:LINE`",
                            n + 1
                        ))?;
                    places.insert(engine.to_string(), (file, line));
                    Ok(engine.to_string())
                })
                .collect::<Result<_, String>>()?
        };
        if let Some(bad) = engines.iter().find(|e| !JUDGED.contains(&e.as_str())) {
            return Err(format!(
                "line {}: unknown engine `{bad}` (one of {JUDGED:?})",
                n + 1
            ));
        }
        if !leak && !engines.is_empty() {
            return Err(format!(
                "line {}: a constant-time check lists no engines (`-`)",
                n + 1
            ));
        }
        if truth
            .insert(
                name.to_string(),
                Truth {
                    leak,
                    engines,
                    places,
                },
            )
            .is_some()
        {
            return Err(format!("line {}: check `{name}` listed twice", n + 1));
        }
    }
    if truth.is_empty() {
        return Err("no checks in the ground truth".into());
    }
    Ok(truth)
}

/// The report's rows: engine -> check -> row.
fn parse_report(
    text: &str,
    verdicts: &mut BTreeMap<String, BTreeMap<String, Row>>,
) -> Result<(), String> {
    let report: serde_json::Value =
        serde_json::from_str(text).map_err(|e| format!("not JSON: {e}"))?;
    let results = report["results"]
        .as_array()
        .ok_or("no `results` array: not a ct-verify --format json report")?;
    let mut own: BTreeMap<String, BTreeMap<String, Row>> = BTreeMap::new();
    for r in results {
        let (Some(engine), Some(check), Some(verdict)) = (
            r["engine"].as_str(),
            r["target"].as_str(),
            r["verdict"].as_str(),
        ) else {
            return Err(format!("a result without engine, target or verdict: {r}"));
        };
        let at = &r["evidence"]["location"];
        let place = at["file"]
            .as_str()
            .zip(at["line"].as_u64())
            .map(|(f, l)| (f.to_string(), l));
        own.entry(engine.to_string()).or_default().insert(
            check.to_string(),
            Row {
                verdict: verdict.to_string(),
                place,
            },
        );
    }
    for (engine, checks) in own {
        if verdicts.insert(engine.clone(), checks).is_some() {
            return Err(format!("engine {engine} is also in an earlier report"));
        }
    }
    Ok(())
}

fn run(truth_path: &str, report_paths: &[String]) -> Result<bool, String> {
    let read = |p: &str| std::fs::read_to_string(p).map_err(|e| format!("cannot read {p}: {e}"));
    let truth = parse_truth(&read(truth_path)?).map_err(|e| format!("{truth_path}: {e}"))?;
    let mut report = BTreeMap::new();
    for path in report_paths {
        parse_report(&read(path)?, &mut report).map_err(|e| format!("{path}: {e}"))?;
    }
    let report_path = report_paths.join(", ");
    for (engine, checks) in &report {
        if let Some(extra) = checks.keys().find(|c| !truth.contains_key(*c)) {
            return Err(format!(
                "{report_path}: check `{extra}` ({engine}) is not in {truth_path}: add its ground truth"
            ));
        }
        if let Some(missing) = truth.keys().find(|c| !checks.contains_key(*c)) {
            return Err(format!(
                "{report_path}: engine {engine} has no result for `{missing}`: run all checks of the corpus"
            ));
        }
    }
    if let Some(absent) = JUDGED.iter().find(|e| !report.contains_key(**e)) {
        return Err(format!(
            "{report_path}: no {absent} results: run with --engine taint,count,audit"
        ));
    }

    let leaks = truth.values().filter(|t| t.leak).count();
    let cts = truth.len() - leaks;
    let mut ok = true;
    println!("| engine | leaks found / leaks | false alarms / constant-time checks |");
    println!("|---|---|---|");
    for (engine, checks) in &report {
        let found = truth
            .iter()
            .filter(|(c, t)| t.leak && checks[*c].verdict == "leak")
            .count();
        let alarms = truth
            .iter()
            .filter(|(c, t)| !t.leak && checks[*c].verdict == "leak")
            .count();
        println!("| {engine} | {found} / {leaks} | {alarms} / {cts} |");
    }
    println!();
    let engines: Vec<&String> = report.keys().collect();
    let header: Vec<&str> = engines.iter().map(|e| e.as_str()).collect();
    println!("| check | ground truth | {} |", header.join(" | "));
    println!("|---|---|{}", "---|".repeat(engines.len()));
    for (check, t) in &truth {
        let mut cells = Vec::new();
        for engine in &engines {
            let row = &report[*engine][check];
            let verdict = &row.verdict;
            let expected = if t.leak {
                t.engines.contains(engine)
            } else {
                JUDGED.contains(&engine.as_str())
            };
            // Expected: a listed engine says `leak` on a leak, a judged engine does not say
            // `leak` on a constant-time check.
            let met = if t.leak {
                verdict == "leak"
            } else {
                verdict != "leak"
            };
            let mark = if expected && !met {
                ok = false;
                " (unexpected)".to_string()
            } else {
                match (t.places.get(*engine), &row.place) {
                    (None, _) => String::new(),
                    (Some((file, line)), Some((f, l)))
                        if f.ends_with(file.as_str()) && l == line =>
                    {
                        format!(" at {file}:{line}")
                    }
                    (Some((file, line)), got) => {
                        ok = false;
                        let got = got
                            .as_ref()
                            .map_or("nowhere".to_string(), |(f, l)| format!("{f}:{l}"));
                        format!(" (expected at {file}:{line}, placed {got})")
                    }
                }
            };
            cells.push(format!("{verdict}{mark}"));
        }
        let truth_cell = if t.leak {
            format!("leak (expected: {})", t.engines.join(", "))
        } else {
            "constant-time".to_string()
        };
        println!("| {check} | {truth_cell} | {} |", cells.join(" | "));
    }
    Ok(ok)
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [truth, reports @ ..] = &args[..] else {
        eprintln!(
            "usage: real_corpus GROUND_TRUTH REPORT_JSON... (ct-verify --format json reports)"
        );
        return ExitCode::from(2);
    };
    if reports.is_empty() {
        eprintln!(
            "usage: real_corpus GROUND_TRUTH REPORT_JSON... (ct-verify --format json reports)"
        );
        return ExitCode::from(2);
    }
    match run(truth, reports) {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => {
            eprintln!("real_corpus: some engine did not say what the ground truth expects (rows marked `unexpected` or `expected at`)");
            ExitCode::from(1)
        }
        Err(e) => {
            eprintln!("real_corpus: {e}");
            ExitCode::from(2)
        }
    }
}
