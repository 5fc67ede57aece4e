//! Early, clear failures: bad output, baseline and plot paths stop `cargo ct-verify` (and
//! `cargo ct-verify merge`) before anything is built or read; a check whose secret has no bytes
//! is an error naming it; `cargo bench` on a suite with a leak exits non-zero. The suites are
//! in `tests/edge-suites` (a workspace of its own). The suite runs need valgrind.

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One run at a time: they share the edge crate's target directory and both cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// Runs `cargo-ct-verify ARGS`: its output and how long it took.
fn ctv(args: &[&str]) -> (Output, Duration) {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"))
        .args(args)
        .output()
        .expect("run cargo-ct-verify");
    (out, started.elapsed())
}

/// Exit status 2 with `needles` on the last stderr line, no backtrace, nothing built or run.
fn assert_early_error(o: &Output, took: Duration, needles: &[&str]) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    let line = err.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    for n in needles {
        assert!(
            line.contains(n),
            "expected `{n}` in the last line of: {err}"
        );
    }
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
    assert!(
        !err.contains("building bench targets"),
        "built before failing: {err}"
    );
    assert!(took < Duration::from_secs(2), "took {took:?}: {err}");
}

#[test]
fn bad_output_paths_fail_before_the_build() {
    let m = edge_manifest();
    let m = m.to_str().unwrap();
    let dir = scratch("paths");
    let missing = dir.join("no-such-dir");
    let a_file = dir.join("a-file");
    std::fs::write(&a_file, "").unwrap();
    let report = missing.join("report.json");
    let base = missing.join("base.json");
    let plots = a_file.join("plots");
    let run = |flag: &str, value: &Path| {
        ctv(&[
            "ct-verify",
            "--manifest-path",
            m,
            "--bench",
            "leak",
            flag,
            value.to_str().unwrap(),
        ])
    };
    let (o, took) = run("--output", &report);
    assert_early_error(
        &o,
        took,
        &[
            "--output",
            &report.display().to_string(),
            "does not exist",
            "mkdir -p",
        ],
    );
    let (o, took) = run("--save-baseline", &base);
    assert_early_error(&o, took, &["--save-baseline", "does not exist"]);
    let (o, took) = run("--save-baseline", &dir);
    assert_early_error(&o, took, &["--save-baseline", "is a directory"]);
    let (o, took) = run("--plot", &plots);
    assert_early_error(&o, took, &["--plot", "is a file, not a directory"]);
    let (o, took) = run("--baseline", &base);
    assert_early_error(&o, took, &["cannot read baseline file", "base.json"]);
    std::fs::write(dir.join("bad.json"), "{not json").unwrap();
    let (o, took) = run("--baseline", &dir.join("bad.json"));
    assert_early_error(&o, took, &["baseline file", "is malformed"]);
    // A plot directory that does not exist yet is fine (it is made when plots are drawn), and
    // checking creates nothing: the run fails only later, on the missing --output directory.
    let (o, took) = ctv(&[
        "ct-verify",
        "--manifest-path",
        m,
        "--plot",
        dir.join("new/plots").to_str().unwrap(),
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_early_error(&o, took, &["--output"]);
    assert!(!dir.join("new").exists());
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn merge_checks_paths_before_reading_parts() {
    let dir = scratch("merge");
    let part = dir.join("part-that-does-not-exist.json");
    let report = dir.join("no-such-dir/merged.json");
    let (o, took) = ctv(&[
        "merge",
        part.to_str().unwrap(),
        "--output",
        report.to_str().unwrap(),
    ]);
    assert_early_error(&o, took, &["--output", "does not exist"]);
    let (o, took) = ctv(&[
        "merge",
        part.to_str().unwrap(),
        "--save-baseline",
        report.to_str().unwrap(),
    ]);
    assert_early_error(&o, took, &["--save-baseline", "does not exist"]);
    // Control: with good paths, the missing part is what fails.
    let (o, took) = ctv(&[
        "merge",
        part.to_str().unwrap(),
        "--output",
        dir.join("merged.json").to_str().unwrap(),
    ]);
    assert_early_error(&o, took, &["part-that-does-not-exist.json"]);
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn zero_length_secret_is_an_error_naming_the_check() {
    let dir = scratch("empty");
    // A writable --output: the path checks pass, the suite is built, and listing its checks
    // fails before any engine runs.
    let out = dir.join("report.json");
    let (o, _) = ctv(&[
        "ct-verify",
        "--manifest-path",
        edge_manifest().to_str().unwrap(),
        "--bench",
        "empty_secret",
        "--output",
        out.to_str().unwrap(),
    ]);
    let err = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{err}");
    let line = err.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    for n in ["empty_secret", "check `no_bytes`", "`[u8; 0]` has no bytes"] {
        assert!(
            line.contains(n),
            "expected `{n}` in the last line of: {err}"
        );
    }
    // The check with a real secret is not blamed, and no engine ran.
    assert!(!err.contains("has_bytes"), "{err}");
    assert!(!err.contains("taint:") && !out.exists(), "{err}");
    let _ = std::fs::remove_dir_all(&dir);
}

/// `cargo bench --bench NAME` on the edge crate, with `budget` seconds of dudect per check.
fn cargo_bench(bench: &str, budget: &str) -> Output {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    Command::new(cargo)
        .args(["bench", "-q", "--manifest-path"])
        .arg(edge_manifest())
        .args(["--bench", bench])
        .env("CT_VERIFY_BUDGET", budget)
        .output()
        .expect("run cargo bench")
}

#[test]
fn cargo_bench_exits_non_zero_on_a_leak() {
    // 4 s, not 1: on a loaded machine (a parallel build on both cores) 1 s gave the leaky check
    // fewer than the 10,000 measurements a verdict needs, so it was `inconclusive`, not `leak`.
    let o = cargo_bench("leak", "4");
    let out = String::from_utf8_lossy(&o.stdout).into_owned();
    let err = stderr(&o);
    let verdict = |check: &str| {
        out.lines()
            .find(|l| l.starts_with(check))
            .and_then(|l| l.split_whitespace().nth(1))
            .unwrap_or_else(|| panic!("no row for {check}: {out}\n{err}"))
            .to_string()
    };
    assert_eq!(verdict("spins_for_zero"), "leak", "{out}");
    // Negative control in the same run: the constant-time check passes.
    assert_eq!(verdict("or_fold"), "constant-time", "{out}");
    assert!(!o.status.success(), "{out}\n{err}");
    assert!(
        err.contains("exit status: 1"),
        "the suite's own status: {err}"
    );

    let o = cargo_bench("empty_secret", "1");
    let err = stderr(&o);
    assert!(!o.status.success());
    assert!(err.contains("exit status: 2"), "{err}");
    assert!(err.contains("check `no_bytes`"), "{err}");
    // Nothing was measured.
    assert!(!String::from_utf8_lossy(&o.stdout).contains("has_bytes"));
}
