//! The performance gate: runs the iai-callgrind benches (`benches/benches/iai.rs`) and compares
//! every instruction count with the committed baseline `benches/baseline/iai.txt`.
//!
//! Fails (exit 1) when a bench got more than the tolerance (2%, or `BENCH_GATE_TOLERANCE`)
//! slower, or is missing on either side; exit 2 when it cannot compare at all (runner or
//! compiler differ from the baseline's, the benches fail). Counts are exact (callgrind Ir) but
//! only comparable under one compiler and one runner, so the baseline records `rustc -V` and
//! the runner version. The baseline stays a committed text file rather than iai-callgrind's own
//! `--save-baseline` files, which live in `target/` and record no compiler.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::{run_text, Failure};

const BASELINE: &str = "benches/baseline/iai.txt";

/// `bench-gate [--update] [--baseline FILE] [--log FILE]`: `--log` compares a saved bench
/// output instead of running the benches; `--baseline` reads another baseline file.
pub fn main(args: &[String]) -> Result<(), Failure> {
    let mut update = false;
    let mut baseline = BASELINE.to_string();
    let mut log_file = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        match arg.as_str() {
            "--update" => update = true,
            "--baseline" => baseline = args.next().ok_or_else(usage)?.clone(),
            "--log" => log_file = Some(args.next().ok_or_else(usage)?.clone()),
            _ => return Err(usage()),
        }
    }
    let runner = pinned_runner(&std::fs::read_to_string("benches/Cargo.toml")?)?;
    let log = match &log_file {
        Some(file) => std::fs::read_to_string(file)?,
        None => run_benches(&runner)?,
    };
    let now = parse_counts(&log);
    if now.is_empty() {
        eprint!("{log}");
        return Err(Failure::cannot("no instruction counts in the bench output"));
    }
    let rustc = run_text(Command::new("rustc").arg("-V"))?;
    if update {
        let text = baseline_text(&rustc, &runner, &utc_date(), &now);
        std::fs::write(&baseline, text)?;
        println!("bench-gate: wrote {} counts to {baseline}", now.len());
        return Ok(());
    }
    compare_with(&baseline, &rustc, &now)
}

fn usage() -> Failure {
    Failure::cannot("usage: scripts/bench-gate [--update] [--baseline FILE] [--log FILE]")
}

/// Reads `baseline`, refuses one recorded by another compiler, prints the table and fails on
/// a regression.
fn compare_with(baseline: &str, rustc: &str, now: &BTreeMap<String, u64>) -> Result<(), Failure> {
    if !Path::new(baseline).is_file() {
        return Err(Failure::cannot(format!(
            "no baseline {baseline} (scripts/bench-gate --update)"
        )));
    }
    let base = Baseline::parse(&std::fs::read_to_string(baseline)?);
    if base.rustc != rustc {
        let version = base.rustc.split_whitespace().nth(1).unwrap_or("?");
        return Err(Failure::cannot(format!(
            "{baseline} was recorded with '{}', this is '{rustc}'; counts of different \
             compilers are not comparable: rustup toolchain install {version} \
             (pinned-toolchain.toml pins it; run with RUSTUP_TOOLCHAIN={version}) or re-record with --update",
            base.rustc
        )));
    }
    let tolerance = tolerance()?;
    let (table, ok) = compare(&base.counts, now, tolerance);
    print!("{table}");
    if !ok {
        return Err(Failure::failed(format!(
            "FAILED against {baseline} (tolerance {tolerance}%)"
        )));
    }
    println!("bench-gate: every count within {tolerance}% of {baseline}");
    Ok(())
}

/// `BENCH_GATE_TOLERANCE` in percent, 2 when unset.
fn tolerance() -> Result<f64, Failure> {
    match std::env::var("BENCH_GATE_TOLERANCE") {
        Ok(text) => text
            .trim()
            .parse()
            .map_err(|_| Failure::cannot(format!("BENCH_GATE_TOLERANCE={text} is not a number"))),
        Err(_) => Ok(2.0),
    }
}

/// The iai-callgrind version that benches/Cargo.toml pins exactly (`iai-callgrind = "=X.Y.Z"`):
/// the runner must be the same version.
fn pinned_runner(benches_manifest: &str) -> Result<String, Failure> {
    benches_manifest
        .lines()
        .find_map(|line| {
            let version = line.strip_prefix("iai-callgrind = \"=")?;
            Some(version.strip_suffix('"')?.to_string())
        })
        .ok_or_else(|| {
            Failure::cannot(
                "benches/Cargo.toml must pin iai-callgrind exactly (iai-callgrind = \"=X.Y.Z\")",
            )
        })
}

/// Checks for valgrind and the pinned runner, then runs the benches and returns their output.
fn run_benches(runner: &str) -> Result<String, Failure> {
    if !on_path("valgrind") {
        return Err(Failure::cannot(
            "valgrind is missing (apt-get install valgrind)",
        ));
    }
    // The runner has no --version; cargo's install list names it.
    let installed = if on_path("iai-callgrind-runner") {
        installed_runner(&run_text(
            Command::new("cargo").args(["install", "--list"]),
        )?)
    } else {
        None
    };
    if installed.as_deref() != Some(runner) {
        return Err(Failure::cannot(format!(
            "iai-callgrind-runner {runner} is needed (found '{}'): cargo install \
             iai-callgrind-runner --version {runner} --locked",
            installed.as_deref().unwrap_or("none")
        )));
    }
    let out = Command::new("cargo")
        .args(["bench", "-q", "-p", "secret-benches", "--bench", "iai"])
        .output()?;
    let log =
        String::from_utf8_lossy(&out.stdout).into_owned() + &String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        eprint!("{log}");
        return Err(Failure::cannot("the iai benches failed to run"));
    }
    Ok(log)
}

fn on_path(program: &str) -> bool {
    std::env::var_os("PATH")
        .is_some_and(|path| std::env::split_paths(&path).any(|dir| dir.join(program).is_file()))
}

/// The version in `cargo install --list`'s `iai-callgrind-runner vX.Y.Z:` line.
fn installed_runner(install_list: &str) -> Option<String> {
    install_list.lines().find_map(|line| {
        let version = line.strip_prefix("iai-callgrind-runner v")?;
        Some(version.strip_suffix(':')?.to_string())
    })
}

/// `group.function.id -> Ir` from iai-callgrind's human output: a line
/// `iai::group::function id:details` names the bench, and the next `  Instructions: NOW|OLD`
/// line gives its count.
pub fn parse_counts(log: &str) -> BTreeMap<String, u64> {
    let mut counts = BTreeMap::new();
    let mut name: Option<String> = None;
    for line in log.lines() {
        let mut words = line.split_whitespace();
        if line.starts_with("iai::") {
            let bench = words.next().unwrap_or_default();
            let id = words.next().unwrap_or_default();
            let id = id.split(':').next().unwrap_or_default();
            name = Some(format!("{bench}.{id}"));
        } else if line.starts_with(' ') && words.next() == Some("Instructions:") {
            let now = words.next().unwrap_or_default().split('|').next();
            if let (Some(bench), Some(Ok(count))) = (name.take(), now.map(str::parse)) {
                counts.insert(bench, count);
            }
        }
    }
    counts
}

/// A parsed `iai.txt`: the compiler it was recorded with and the counts.
#[derive(Debug, PartialEq)]
pub struct Baseline {
    pub rustc: String,
    pub counts: BTreeMap<String, u64>,
}

impl Baseline {
    /// `# comment`, `rustc: ...`, `iai-callgrind-runner: ...` and `name count` lines; a line
    /// whose count is not a number is kept as a bench without a count (reported as missing).
    pub fn parse(text: &str) -> Baseline {
        let mut rustc = String::new();
        let mut counts = BTreeMap::new();
        for line in text.lines() {
            if let Some(version) = line.strip_prefix("rustc: ") {
                rustc = version.to_string();
            } else if !(line.starts_with('#') || line.starts_with("iai-callgrind-runner:")) {
                let mut words = line.split_whitespace();
                if let (Some(name), Some(Ok(count))) = (words.next(), words.next().map(str::parse))
                {
                    counts.insert(name.to_string(), count);
                }
            }
        }
        Baseline { rustc, counts }
    }
}

/// The text of a new baseline file.
pub fn baseline_text(
    rustc: &str,
    runner: &str,
    date: &str,
    counts: &BTreeMap<String, u64>,
) -> String {
    let mut text = format!(
        "# Instruction counts (callgrind Ir) of benches/benches/iai.rs, written by\n\
         # scripts/bench-gate --update on {date}.\nrustc: {rustc}\niai-callgrind-runner: {runner}\n"
    );
    for (name, count) in counts {
        let _ = writeln!(text, "{name} {count}");
    }
    text
}

/// The comparison table, and whether the gate passes: every bench on both sides and none more
/// than `tolerance` percent above its baseline (faster is fine, with a hint to re-record).
pub fn compare(
    base: &BTreeMap<String, u64>,
    now: &BTreeMap<String, u64>,
    tolerance: f64,
) -> (String, bool) {
    let mut table = format!(
        "{:<52} {:>9} {:>9} {:>9}\n",
        "benchmark", "baseline", "now", "change"
    );
    let mut ok = true;
    let mut names: Vec<&String> = base.keys().chain(now.keys()).collect();
    names.sort();
    names.dedup();
    for name in names {
        let row = match (base.get(name), now.get(name)) {
            (None, Some(n)) => {
                ok = false;
                format!(
                    "{name:<52} {:>9} {n:>9}  NEW: no baseline (scripts/bench-gate --update)",
                    "-"
                )
            }
            (Some(b), None) => {
                ok = false;
                format!(
                    "{name:<52} {b:>9} {:>9}  GONE: in the baseline but not run",
                    "-"
                )
            }
            (Some(&b), Some(&n)) => {
                let change = (n as f64 - b as f64) * 100.0 / b as f64;
                let verdict = if change > tolerance {
                    ok = false;
                    format!("  REGRESSION beyond {tolerance}%")
                } else if change < -tolerance {
                    "  faster: record it with --update".to_string()
                } else {
                    String::new()
                };
                format!("{name:<52} {b:>9} {n:>9} {change:>+8.2}%{verdict}")
            }
            (None, None) => unreachable!("every name comes from one of the maps"),
        };
        table.push_str(&row);
        table.push('\n');
    }
    (table, ok)
}

/// Today's date in UTC as `YYYY-MM-DD`.
fn utc_date() -> String {
    let secs = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_secs());
    civil_date(secs / 86_400)
}

/// The proleptic Gregorian date of `days` since 1970-01-01 (Howard Hinnant's `civil_from_days`).
fn civil_date(days: u64) -> String {
    let z = days + 719_468;
    let era = z / 146_097;
    let doe = z % 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + u64::from(month <= 2);
    format!("{year:04}-{month:02}-{day:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "\
iai::chacha20::chacha20_secret key:chacha20_secret_block(&KEY)
  Instructions:                        1244|1244                 (No change)
  L1 Hits:                             1500|1500                 (No change)
iai::lookup::sbox256_secret_core idx:lookup_index()
  Instructions:                         193|N/A                  (*********)
iai::broken::no_count id:x()
  Estimated Cycles:                      10|N/A
";

    fn counts(pairs: &[(&str, u64)]) -> BTreeMap<String, u64> {
        pairs.iter().map(|(n, c)| (n.to_string(), *c)).collect()
    }

    #[test]
    fn parses_names_and_current_counts() {
        assert_eq!(
            parse_counts(LOG),
            counts(&[
                ("iai::chacha20::chacha20_secret.key", 1244),
                ("iai::lookup::sbox256_secret_core.idx", 193),
            ])
        );
    }

    #[test]
    fn a_count_without_a_bench_line_is_ignored() {
        assert!(parse_counts("  Instructions:  5|5\n").is_empty());
    }

    #[test]
    fn baseline_round_trips() {
        let now = counts(&[("iai::a::b.c", 7), ("iai::a::d.e", 9)]);
        let text = baseline_text("rustc 1.95.0 (x)", "0.16.1", "2026-01-02", &now);
        assert_eq!(
            Baseline::parse(&text),
            Baseline {
                rustc: "rustc 1.95.0 (x)".into(),
                counts: now
            }
        );
    }

    #[test]
    fn the_committed_baseline_parses() {
        let text = include_str!("../../benches/baseline/iai.txt");
        let base = Baseline::parse(text);
        assert!(base.rustc.starts_with("rustc 1."), "{}", base.rustc);
        // The entry, not its value: re-recording the baseline must not need an edit here.
        assert!(
            base.counts
                .get("iai::chacha20::chacha20_secret.key")
                .is_some_and(|&n| n > 0),
            "{:?}",
            base.counts
        );
    }

    #[test]
    fn within_tolerance_passes_and_beyond_fails() {
        let base = counts(&[("a", 1000)]);
        let (_, ok) = compare(&base, &counts(&[("a", 1020)]), 2.0);
        assert!(ok, "+2.00% is within 2%");
        let (table, ok) = compare(&base, &counts(&[("a", 1021)]), 2.0);
        assert!(!ok, "+2.10% is beyond 2%");
        assert!(table.contains("+2.10%  REGRESSION beyond 2%"), "{table}");
    }

    #[test]
    fn faster_passes_with_a_hint() {
        let (table, ok) = compare(&counts(&[("a", 100)]), &counts(&[("a", 50)]), 2.0);
        assert!(ok);
        assert!(
            table.contains("-50.00%  faster: record it with --update"),
            "{table}"
        );
    }

    #[test]
    fn a_bench_missing_on_either_side_fails() {
        let (table, ok) = compare(&counts(&[("a", 1)]), &counts(&[("b", 1)]), 2.0);
        assert!(!ok);
        assert!(table.contains("NEW: no baseline"), "{table}");
        assert!(
            table.contains("GONE: in the baseline but not run"),
            "{table}"
        );
    }

    #[test]
    fn the_table_has_the_shell_gates_layout() {
        let (table, _) = compare(
            &counts(&[("iai::x.y", 100)]),
            &counts(&[("iai::x.y", 101)]),
            2.0,
        );
        let expected = format!(
            "{:<52} {:>9} {:>9} {:>9}\n{:<52} {:>9} {:>9} {:>8}%\n",
            "benchmark", "baseline", "now", "change", "iai::x.y", 100, 101, "+1.00"
        );
        assert_eq!(table, expected);
    }

    #[test]
    fn runner_versions() {
        let manifest = "[dev-dependencies]\niai-callgrind = \"=0.16.1\"\n";
        assert_eq!(pinned_runner(manifest).ok().as_deref(), Some("0.16.1"));
        assert!(pinned_runner("iai-callgrind = \"0.16\"\n").is_err());
        let list = "cargo-x v1.0.0:\n    cargo-x\niai-callgrind-runner v0.16.1:\n    iai-callgrind-runner\n";
        assert_eq!(installed_runner(list).as_deref(), Some("0.16.1"));
        assert_eq!(installed_runner("cargo-x v1.0.0:\n"), None);
    }

    #[test]
    fn dates() {
        assert_eq!(civil_date(0), "1970-01-01");
        assert_eq!(civil_date(11_016), "2000-02-29");
        assert_eq!(civil_date(20_819), "2027-01-01");
    }
}
