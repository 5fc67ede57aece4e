//! `cargo ct-verify merge`: the JSON reports of the N parts of a `--partition K/N` run put back
//! together into the report one unpartitioned run gives, with its JUnit, baseline comparison
//! and exit status.
//!
//! A part's JSON report is the ordinary one (`tool`, `version`, `results`) plus a `partition`
//! object ([`PartInfo`]) that carries what the merge cannot find in the results: every check
//! of the run in run order (after `--filter`, before the partition), so that the merge can
//! restore that order and notice a missing part; the run's target, compiler and engines, so
//! that parts of different runs are refused; the human summary of each row (it is not part of
//! the JSON rows); and the instruction counts of the part's checks, so that `--baseline` and
//! `--save-baseline` work on the merged run as on one run. The merged report has no
//! `partition` object: it is exactly the JSON of an unpartitioned run.
//!
//! Order: an unpartitioned run reports, check after check in run order, the rows of every
//! engine, then the baseline rows sorted by check name. Every check of a run has the same
//! number of rows, so a part's rows split into equal chunks, one per check it owns, in run
//! order; the merge lays the chunks out along the run's list of checks and sorts the baseline
//! rows by name.

use std::collections::BTreeMap;
use std::ffi::OsString;
use std::path::{Path, PathBuf};

use clap::Parser;
use serde::{Deserialize, Serialize};

use crate::baseline::{Entry, Selection};
use crate::engine::{CheckResult, Engine, EngineName};
use crate::partition::{self, Partition};
use crate::report::{Report, EXIT_ERROR};

/// What a part's JSON report carries besides its results (its `partition` object).
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct PartInfo {
    /// K of `--partition K/N`.
    pub index: usize,
    /// N of `--partition K/N`.
    pub count: usize,
    /// The triple the checks ran on (the host's, or `--target`).
    pub target: String,
    /// `rustc -V` of the compiler that built the suites.
    pub rustc: String,
    /// The engines that ran, by name, in run order.
    pub engines: Vec<String>,
    /// Whether the part's results include `baseline` rows from `--baseline`.
    pub baseline_compared: bool,
    /// Every check of the whole run (all parts) in run order: the suites' listing after
    /// `--filter`, before the partition. A name listed by two suites appears twice.
    pub checks: Vec<String>,
    /// `--bench` of the part runs: with `filter`, which baseline entries the merged run
    /// should have run (absent in reports written before the field existed: every bench).
    #[serde(default)]
    pub bench: Option<String>,
    /// `--filter` of the part runs (absent in older reports: no filter).
    #[serde(default)]
    pub filter: Option<String>,
    /// The human summary of each row of `results`, in the same order.
    pub summaries: Vec<String>,
    /// Instruction counts of this part's checks, as `--save-baseline` would store them; empty
    /// when the count engine did not run.
    pub counts: BTreeMap<String, Entry>,
}

impl PartInfo {
    /// The facts of a part run that its results do not show; [`part_json`] adds the rest.
    pub fn of_run(
        partition: Partition,
        target: &str,
        engines: &[Engine],
        checks: Vec<String>,
        baseline_compared: bool,
    ) -> Self {
        PartInfo {
            index: partition.index,
            count: partition.count,
            target: target.to_string(),
            rustc: crate::cargo::rustc_version().unwrap_or_default(),
            engines: engines.iter().map(|e| e.name().to_string()).collect(),
            baseline_compared,
            checks,
            bench: None,
            filter: None,
            summaries: Vec::new(),
            counts: BTreeMap::new(),
        }
    }
}

/// A part's JSON report as written and read.
#[derive(Debug, Serialize, Deserialize)]
pub struct PartReport {
    /// Always `ct-verify`.
    pub tool: String,
    /// Version that wrote the report: parts of different versions are not merged.
    pub version: String,
    /// The rows, as in any JSON report.
    pub results: Vec<CheckResult>,
    /// See [`PartInfo`].
    pub partition: PartInfo,
}

/// The JSON report of a part: `report`'s rows, `info`, the rows' summaries and `counts`.
pub fn part_json(report: &Report, mut info: PartInfo, counts: &BTreeMap<String, Entry>) -> String {
    info.summaries = report.results.iter().map(|r| r.summary.clone()).collect();
    info.counts = counts.clone();
    let doc = PartReport {
        tool: "ct-verify".into(),
        version: env!("CARGO_PKG_VERSION").into(),
        results: report.results.clone(),
        partition: info,
    };
    serde_json::to_string_pretty(&doc).unwrap_or_default() + "\n"
}

/// Reads a part's JSON report; the error names the file and says what it is instead.
pub fn load(path: &Path) -> Result<PartReport, String> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| format!("cannot read part report {}: {e}", path.display()))?;
    let v: serde_json::Value = serde_json::from_str(&text).map_err(|e| {
        format!(
            "{} is not a JSON report ({e}): merge takes the reports of `--partition K/N --format json` runs",
            path.display()
        )
    })?;
    if v["tool"] != "ct-verify" {
        return Err(format!("{} is not a ct-verify report", path.display()));
    }
    if v.get("partition").is_none() {
        return Err(format!(
            "{} is the report of an unpartitioned run: merge takes the reports of `--partition K/N --format json` runs",
            path.display()
        ));
    }
    let mut part: PartReport = serde_json::from_value(v)
        .map_err(|e| format!("part report {} is malformed: {e}", path.display()))?;
    if part.partition.summaries.len() != part.results.len() {
        return Err(format!(
            "part report {} is malformed: {} results but {} summaries",
            path.display(),
            part.results.len(),
            part.partition.summaries.len()
        ));
    }
    for (r, s) in part.results.iter_mut().zip(&part.partition.summaries) {
        r.summary = s.clone();
    }
    Ok(part)
}

/// The parts put together: the run's rows, counts and compiler.
#[derive(Debug)]
pub struct Merged {
    /// The rows in the order one run gives them.
    pub results: Vec<CheckResult>,
    /// Instruction counts of every check whose count run succeeded.
    pub counts: BTreeMap<String, Entry>,
    /// `rustc -V` of the compiler that built the suites.
    pub rustc: String,
    /// Whether the parts already compared against a baseline.
    pub baseline_compared: bool,
    /// `--bench` of the parts.
    pub bench: Option<String>,
    /// `--filter` of the parts.
    pub filter: Option<String>,
}

/// Puts the parts (file name, report) together; refuses parts of different runs, a missing or
/// repeated part, and a check reported by two parts.
pub fn merge(parts: &[(PathBuf, PartReport)]) -> Result<Merged, String> {
    let Some((first_path, first)) = parts.first() else {
        return Err("no reports to merge".into());
    };
    let n = first.partition.count;
    for (path, part) in &parts[1..] {
        same_run(first_path, first, path, part)?;
    }
    let by_index = index_parts(parts, n)?;
    let checks = &first.partition.checks;
    check_none_missing(parts, &by_index, checks)?;
    check_no_check_twice(parts)?;
    check_rows_owned(parts, n)?;
    let mut results = rows_in_run_order(parts, &by_index, checks)?;
    let mut baseline_rows: Vec<CheckResult> = parts
        .iter()
        .flat_map(|(_, p)| p.results.iter())
        .filter(|r| r.engine == EngineName::Baseline)
        .cloned()
        .collect();
    baseline_rows.sort_by(|a, b| a.target.cmp(&b.target));
    results.extend(baseline_rows);
    let mut counts = BTreeMap::new();
    for (_, part) in parts {
        counts.extend(part.partition.counts.clone());
    }
    Ok(Merged {
        results,
        counts,
        rustc: first.partition.rustc.clone(),
        baseline_compared: first.partition.baseline_compared,
        bench: first.partition.bench.clone(),
        filter: first.partition.filter.clone(),
    })
}

/// For each part index 1..=n (at `k - 1`), the position in `parts` of its report; an error for
/// an index out of range or given twice.
fn index_parts(parts: &[(PathBuf, PartReport)], n: usize) -> Result<Vec<Option<usize>>, String> {
    let mut by_index: Vec<Option<usize>> = vec![None; n];
    for (i, (path, part)) in parts.iter().enumerate() {
        let k = part.partition.index;
        if k == 0 || k > n {
            return Err(format!(
                "part report {} is malformed: partition {k}/{n}",
                path.display()
            ));
        }
        if let Some(j) = by_index[k - 1] {
            return Err(format!(
                "partition {k}/{n} is given twice: {} and {}",
                parts[j].0.display(),
                path.display()
            ));
        }
        by_index[k - 1] = Some(i);
    }
    Ok(by_index)
}

/// An error naming the first part no report was given for, with (up to five of) its checks.
fn check_none_missing(
    parts: &[(PathBuf, PartReport)],
    by_index: &[Option<usize>],
    checks: &[String],
) -> Result<(), String> {
    let n = by_index.len();
    let Some(k0) = by_index.iter().position(Option::is_none) else {
        return Ok(());
    };
    let k = k0 + 1;
    let owned: Vec<&str> = checks
        .iter()
        .filter(|c| partition::owner(c, n) == k)
        .map(String::as_str)
        .collect();
    let shown = owned.iter().take(5).copied().collect::<Vec<_>>().join(", ");
    let more = if owned.len() > 5 { ", ..." } else { "" };
    Err(format!(
        "partition {k}/{n} is missing: {} reports given for {n} parts; its {} checks ({shown}{more}) have no results",
        parts.len(),
        owned.len()
    ))
}

/// The rows of every part but the baseline comparison's.
fn check_rows(part: &PartReport) -> impl Iterator<Item = &CheckResult> {
    part.results
        .iter()
        .filter(|r| r.engine != EngineName::Baseline)
}

/// An error for a check with rows in two parts.
fn check_no_check_twice(parts: &[(PathBuf, PartReport)]) -> Result<(), String> {
    let mut reported_by: BTreeMap<&str, &Path> = BTreeMap::new();
    for (path, part) in parts {
        for r in check_rows(part) {
            let name = r.target.as_str();
            match reported_by.get(name) {
                Some(other) if *other != path.as_path() => {
                    return Err(format!(
                        "check `{name}` appears in two parts: {} and {}",
                        other.display(),
                        path.display()
                    ));
                }
                _ => {
                    reported_by.insert(name, path);
                }
            }
        }
    }
    Ok(())
}

/// An error for a row of a check that another part owns.
fn check_rows_owned(parts: &[(PathBuf, PartReport)], n: usize) -> Result<(), String> {
    for (path, part) in parts {
        let k = part.partition.index;
        for r in check_rows(part) {
            let owner = partition::owner(&r.target, n);
            if owner != k {
                return Err(format!(
                    "{} (partition {k}/{n}) reports check `{}`, which belongs to partition {owner}/{n}",
                    path.display(),
                    r.target
                ));
            }
        }
    }
    Ok(())
}

/// The check rows of all parts in the unpartitioned run's order: each check's rows taken from
/// its owner part, whose rows are chunked per owned check occurrence.
fn rows_in_run_order(
    parts: &[(PathBuf, PartReport)],
    by_index: &[Option<usize>],
    checks: &[String],
) -> Result<Vec<CheckResult>, String> {
    let n = by_index.len();
    let mut chunks: Vec<std::vec::IntoIter<Vec<CheckResult>>> = Vec::with_capacity(n);
    for slot in by_index {
        let (path, part) = &parts[slot.unwrap_or_default()];
        chunks.push(chunk_rows(path, part)?.into_iter());
    }
    let mut results = Vec::new();
    for name in checks {
        let k = partition::owner(name, n);
        match chunks[k - 1].next() {
            Some(rows) => results.extend(rows),
            None => {
                return Err(format!(
                    "{} (partition {k}/{n}) has no results for check `{name}`",
                    parts[by_index[k - 1].unwrap_or_default()].0.display()
                ))
            }
        }
    }
    Ok(results)
}

/// An error unless `b` comes from the same run as `a` (same N, target, compiler, engines,
/// version, baseline use and list of checks).
fn same_run(ap: &Path, a: &PartReport, bp: &Path, b: &PartReport) -> Result<(), String> {
    let (x, y) = (&a.partition, &b.partition);
    let differ = |what: &str, va: &dyn std::fmt::Debug, vb: &dyn std::fmt::Debug| {
        Err(format!(
            "{} and {} are not parts of one run: {what} {va:?} in the first, {vb:?} in the second; \
             merge the N reports of one `--partition K/N` run",
            ap.display(),
            bp.display()
        ))
    };
    if x.count != y.count {
        return differ("the number of parts is", &x.count, &y.count);
    }
    if x.target != y.target {
        return differ("the target is", &x.target, &y.target);
    }
    if x.rustc != y.rustc {
        return differ("the compiler is", &x.rustc, &y.rustc);
    }
    if a.version != b.version {
        return differ("the ct-verify version is", &a.version, &b.version);
    }
    if x.engines != y.engines {
        return differ("the engines are", &x.engines, &y.engines);
    }
    if x.baseline_compared != y.baseline_compared {
        return differ(
            "comparison against --baseline is",
            &x.baseline_compared,
            &y.baseline_compared,
        );
    }
    if (&x.bench, &x.filter) != (&y.bench, &y.filter) {
        return differ(
            "--bench and --filter are",
            &(&x.bench, &x.filter),
            &(&y.bench, &y.filter),
        );
    }
    if x.checks != y.checks {
        let first_difference = x
            .checks
            .iter()
            .zip(&y.checks)
            .position(|(p, q)| p != q)
            .unwrap_or(x.checks.len().min(y.checks.len()));
        return differ(
            &format!(
                "the runs list different checks ({} and {}, first difference at position {}; another --filter or other sources?):",
                x.checks.len(),
                y.checks.len(),
                first_difference + 1
            ),
            &x.checks.get(first_difference),
            &y.checks.get(first_difference),
        );
    }
    Ok(())
}

/// The part's non-baseline rows split into one chunk per check it owns (in run order), each
/// chunk holding only that check's rows.
fn chunk_rows(path: &Path, part: &PartReport) -> Result<Vec<Vec<CheckResult>>, String> {
    let p = &part.partition;
    let owned: Vec<&String> = p
        .checks
        .iter()
        .filter(|c| partition::owner(c, p.count) == p.index)
        .collect();
    let rows: Vec<&CheckResult> = part
        .results
        .iter()
        .filter(|r| r.engine != EngineName::Baseline)
        .collect();
    let malformed = |why: String| {
        format!(
            "part report {} (partition {}/{}) does not match its list of checks: {why}",
            path.display(),
            p.index,
            p.count
        )
    };
    if owned.is_empty() {
        return match rows.first() {
            None => Ok(Vec::new()),
            Some(r) => Err(malformed(format!(
                "it owns no check but reports `{}`",
                r.target
            ))),
        };
    }
    if rows.len() % owned.len() != 0 {
        return Err(malformed(format!(
            "{} rows for {} checks",
            rows.len(),
            owned.len()
        )));
    }
    let per_check = rows.len() / owned.len();
    let mut out = Vec::with_capacity(owned.len());
    for (name, chunk) in owned.iter().zip(rows.chunks(per_check.max(1))) {
        if let Some(r) = chunk.iter().find(|r| &&r.target != name) {
            return Err(malformed(format!(
                "expected the rows of `{name}`, found `{}`",
                r.target
            )));
        }
        out.push(chunk.iter().map(|r| (*r).clone()).collect());
    }
    if out.len() < owned.len() {
        return Err(malformed(format!(
            "no results for check `{}`",
            owned[out.len()]
        )));
    }
    Ok(out)
}

/// `cargo ct-verify merge`: puts the JSON reports of a `--partition K/N` run's parts together.
#[derive(Debug, Parser)]
#[command(name = "cargo-ct-verify-merge", bin_name = "cargo ct-verify merge")]
pub struct MergeArgs {
    /// The JSON reports of the parts (`--partition K/N --format json`), one per part, any order.
    #[arg(value_name = "PART.json")]
    pub parts: Vec<PathBuf>,
    /// Report format, output file and baseline, as for a run.
    #[command(flatten)]
    pub out: crate::cli::OutputArgs,
}

/// Entry point of `cargo ct-verify merge ARGS` (`argv[0]` is the program, then `merge`'s
/// arguments): the exit status, 0/1/2 as for a run.
pub fn main(argv: Vec<OsString>) -> i32 {
    let args = match crate::cli::parse_args::<MergeArgs>(argv) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match run(&args) {
        Ok(code) => code,
        Err(msg) => {
            eprintln!("error: {msg}");
            EXIT_ERROR
        }
    }
}

/// Loads, checks and merges the parts, compares and saves baselines, writes the report.
pub fn run(args: &MergeArgs) -> Result<i32, String> {
    if args.parts.is_empty() {
        return Err(
            "no reports to merge: give the JSON reports of the N parts, `cargo ct-verify merge PART.json...`"
                .into(),
        );
    }
    // Output paths and the baseline first: a bad one is reported before the parts are looked at.
    let baseline = args.out.check_early()?;
    let parts = args
        .parts
        .iter()
        .map(|p| load(p).map(|r| (p.clone(), r)))
        .collect::<Result<Vec<_>, _>>()?;
    let merged = merge(&parts)?;
    let mut results = merged.results;
    if let (Some(b), Some(path)) = (&baseline, &args.out.baseline) {
        b.check_compiler(path, &merged.rustc)?;
        if merged.baseline_compared {
            return Err(format!(
                "the parts were already compared against a baseline (they ran with --baseline): \
                 merge them without --baseline {}",
                path.display()
            ));
        }
    }
    if (baseline.is_some() || args.out.save_baseline.is_some()) && merged.counts.is_empty() {
        return Err(
            "the parts carry no instruction counts: run them with the count engine (the default) \
             on the host to use --baseline or --save-baseline"
                .into(),
        );
    }
    if let Some(b) = &baseline {
        let selection = Selection {
            bench: merged.bench.clone(),
            filter: merged.filter.clone(),
            partition: None,
            rerecord: crate::baseline::rerecord_command(&crate::cli::command_line()),
        };
        results.extend(args.out.compare(b, &merged.counts, &selection));
    }
    args.out
        .save_baseline(&merged.counts, Some(&merged.rustc))?;
    let report = Report { results };
    args.out.write(&report, &report.render(args.out.format))?;
    Ok(report.exit_code())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::engine::Verdict;
    use crate::report::Format;
    use serde_json::json;

    fn row(target: &str, engine: EngineName, verdict: Verdict) -> CheckResult {
        CheckResult {
            target: target.into(),
            engine,
            verdict,
            evidence: crate::engine::Evidence::Json(json!({ "x": 1.1, "target": target })),
            summary: format!("{target} under {engine}"),
        }
    }

    /// The unpartitioned run of `checks` (two engines each, leaks for names with `leak`) and
    /// its N part reports, serialised and read back as the merge reads them.
    fn run_and_parts(checks: &[&str], n: usize) -> (Vec<CheckResult>, Vec<(PathBuf, PartReport)>) {
        let rows_of = |c: &str| {
            let v = if c.contains("leak") {
                Verdict::Leak
            } else {
                Verdict::ConstantTime
            };
            vec![
                row(c, EngineName::Taint, v),
                row(c, EngineName::Count, Verdict::ConstantTime),
            ]
        };
        let whole: Vec<CheckResult> = checks.iter().flat_map(|c| rows_of(c)).collect();
        let all: Vec<String> = checks.iter().map(|c| c.to_string()).collect();
        let parts = (1..=n)
            .map(|k| {
                let p = Partition { index: k, count: n };
                let report = Report {
                    results: checks
                        .iter()
                        .filter(|c| p.contains(c))
                        .flat_map(|c| rows_of(c))
                        .collect(),
                };
                let mut info = PartInfo::of_run(
                    p,
                    "x86_64-unknown-linux-gnu",
                    &[Engine::Taint, Engine::Count],
                    all.clone(),
                    false,
                );
                info.rustc = "rustc 1.95.0".into();
                let counts = checks
                    .iter()
                    .filter(|c| p.contains(c))
                    .map(|c| (c.to_string(), Entry::default()))
                    .collect();
                let text = part_json(&report, info, &counts);
                let dir = std::env::temp_dir();
                let path = dir.join(format!("part{k}.json"));
                let v = serde_json::from_str(&text).unwrap();
                let mut part: PartReport = serde_json::from_value(v).unwrap();
                for (r, s) in part.results.iter_mut().zip(&part.partition.summaries) {
                    r.summary = s.clone();
                }
                (path, part)
            })
            .collect();
        (whole, parts)
    }

    fn names(n: usize) -> Vec<String> {
        (0..n).map(|i| format!("check_{i}")).collect()
    }

    #[test]
    fn merged_parts_equal_the_whole_run_row_for_row() {
        let owned = names(40);
        let mut checks: Vec<&str> = owned.iter().map(String::as_str).collect();
        checks.push("early_exit_leak");
        for n in [1, 2, 3, 5] {
            let (whole, mut parts) = run_and_parts(&checks, n);
            parts.reverse(); // any order of files
            let merged = merge(&parts).unwrap();
            let text = |r: &[CheckResult]| {
                Report {
                    results: r.to_vec(),
                }
                .render(Format::Json)
            };
            assert_eq!(text(&merged.results), text(&whole), "N={n}");
            let human = |r: &[CheckResult]| {
                Report {
                    results: r.to_vec(),
                }
                .render(Format::Human)
            };
            assert_eq!(human(&merged.results), human(&whole), "N={n}");
            assert_eq!(merged.counts.len(), checks.len());
            assert_eq!(
                Report {
                    results: merged.results
                }
                .exit_code(),
                1
            );
        }
    }

    #[test]
    fn a_name_listed_by_two_suites_keeps_both_places() {
        // `dup` is listed by two suites with other checks between them.
        let owned = names(12);
        let mut checks: Vec<&str> = vec!["dup"];
        checks.extend(owned.iter().map(String::as_str));
        checks.push("dup");
        let (whole, parts) = run_and_parts(&checks, 3);
        let merged = merge(&parts).unwrap();
        let key = |r: &[CheckResult]| {
            r.iter()
                .map(|r| format!("{}/{}", r.target, r.engine))
                .collect::<Vec<_>>()
        };
        assert_eq!(key(&merged.results), key(&whole));
    }

    #[test]
    fn baseline_rows_go_last_sorted_by_name() {
        let owned = names(9);
        let checks: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (_, mut parts) = run_and_parts(&checks, 3);
        for (_, p) in &mut parts {
            p.partition.baseline_compared = true;
            let mut extra: Vec<CheckResult> = p
                .results
                .iter()
                .filter(|r| r.engine == EngineName::Count)
                .map(|r| row(&r.target, EngineName::Baseline, Verdict::ConstantTime))
                .collect();
            extra.sort_by(|a, b| a.target.cmp(&b.target));
            p.partition
                .summaries
                .extend(extra.iter().map(|r| r.summary.clone()));
            p.results.extend(extra);
        }
        let merged = merge(&parts).unwrap();
        let tail: Vec<&str> = merged.results[18..]
            .iter()
            .map(|r| r.target.as_str())
            .collect();
        let mut sorted = tail.clone();
        sorted.sort();
        assert_eq!(tail.len(), 9);
        assert_eq!(tail, sorted);
        assert!(merged.results[..18]
            .iter()
            .all(|r| r.engine != EngineName::Baseline));
    }

    #[test]
    fn a_missing_part_is_named_with_its_checks() {
        let owned = names(30);
        let checks: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (_, mut parts) = run_and_parts(&checks, 3);
        let gone = parts.remove(1);
        let e = merge(&parts).unwrap_err();
        assert!(e.contains("partition 2/3 is missing"), "{e}");
        let one_of_its_checks = &gone.1.results[0].target;
        assert!(e.contains(one_of_its_checks.as_str()), "{e}");
    }

    #[test]
    fn a_part_given_twice_or_a_check_in_two_parts_is_refused() {
        let owned = names(30);
        let checks: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (_, mut parts) = run_and_parts(&checks, 3);
        let again = (
            PathBuf::from("copy.json"),
            serde_json::from_str(&serde_json::to_string(&parts[0].1).unwrap()).unwrap(),
        );
        parts.push(again);
        let e = merge(&parts).unwrap_err();
        assert!(
            e.contains("partition 1/3 is given twice") && e.contains("copy.json"),
            "{e}"
        );
        parts.pop();

        // Part 2 also reports a check of part 3.
        let stolen = parts[2].1.results[0].clone();
        parts[1].1.results.insert(0, stolen.clone());
        let e = merge(&parts).unwrap_err();
        assert!(
            e.contains(&format!("check `{}` appears in two parts", stolen.target)),
            "{e}"
        );
        // ... and alone in the wrong part it is refused too.
        parts[2].1.results.retain(|r| r.target != stolen.target);
        let e = merge(&parts).unwrap_err();
        assert!(e.contains("belongs to partition 3/3"), "{e}");
    }

    #[test]
    fn parts_of_different_runs_are_refused() {
        let owned = names(30);
        let checks: Vec<&str> = owned.iter().map(String::as_str).collect();
        type Change = fn(&mut PartInfo);
        let cases: [(&str, Change); 5] = [
            ("number of parts", |p| p.count = 4),
            ("target", |p| p.target = "thumbv7em-none-eabihf".into()),
            ("compiler", |p| p.rustc = "rustc 1.96.0".into()),
            ("engines", |p| p.engines.pop().map_or((), drop)),
            ("different checks", |p| p.checks[7] = "renamed".into()),
        ];
        for (what, change) in cases {
            let (_, mut parts) = run_and_parts(&checks, 3);
            change(&mut parts[2].1.partition);
            let e = merge(&parts).unwrap_err();
            assert!(
                e.contains("not parts of one run") && e.contains(what),
                "{what}: {e}"
            );
            assert!(e.contains("part1.json") && e.contains("part3.json"), "{e}");
        }
    }

    #[test]
    fn rows_that_do_not_fit_the_list_are_refused() {
        let owned = names(30);
        let checks: Vec<&str> = owned.iter().map(String::as_str).collect();
        let (_, mut parts) = run_and_parts(&checks, 3);
        // One row of one check lost: the chunks no longer line up.
        parts[0].1.results.remove(1);
        let e = merge(&parts).unwrap_err();
        assert!(e.contains("does not match its list of checks"), "{e}");
    }

    #[test]
    fn part_files_that_are_not_parts_are_named() {
        let dir = std::env::temp_dir().join(format!("ctv-merge-test-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let whole = dir.join("whole.json");
        std::fs::write(&whole, Report::default().json()).unwrap();
        let e = load(&whole).unwrap_err();
        assert!(
            e.contains("whole.json") && e.contains("unpartitioned"),
            "{e}"
        );
        let junk = dir.join("junk.json");
        std::fs::write(&junk, "<testsuites/>").unwrap();
        let e = load(&junk).unwrap_err();
        assert!(
            e.contains("junk.json") && e.contains("not a JSON report"),
            "{e}"
        );
        let e = load(&dir.join("absent.json")).unwrap_err();
        assert!(e.contains("absent.json"), "{e}");
        let _ = std::fs::remove_dir_all(&dir);
    }
}
