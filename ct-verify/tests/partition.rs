//! `--partition K/N` and `cargo ct-verify merge` on the corpus (`corpus/`, both of its suites):
//! the three parts merged give the report, exit status and baseline of one unpartitioned run.
//! And with `--target`: a few of no_std-examples' firmware checks under QEMU. Needs valgrind,
//! `qemu-system-arm`, a C compiler and the thumbv7m rustup target (CI installs them).

mod common;
use common::*;

use std::path::Path;
use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

/// One heavy run at a time: the machines have two cores and valgrind or QEMU use both.
static SERIAL: Mutex<()> = Mutex::new(());

fn ctv(args: &[&str]) -> Output {
    ctv_in(None, args)
}

fn ctv_in(dir: Option<&Path>, args: &[&str]) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"));
    if let Some(d) = dir {
        cmd.current_dir(d);
    }
    cmd.args(args).output().expect("run cargo-ct-verify")
}

fn read_json(p: &Path) -> serde_json::Value {
    let text = std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}: {text}", p.display()))
}

/// (target, engine, verdict) of every row, in report order.
fn rows(report: &serde_json::Value) -> Vec<(String, String, String)> {
    report["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                r["target"].as_str().unwrap().to_string(),
                r["engine"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

/// The last non-empty stderr line is the error, on one line, without a backtrace; exit 2.
fn assert_one_line_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    let line = err.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(line.contains(needle), "expected `{needle}` in: {err}");
    assert!(
        !err.contains("panicked") && !err.contains("backtrace"),
        "{err}"
    );
}

#[test]
fn three_parts_merged_are_the_unpartitioned_run() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let m = corpus();
    let m = m.to_str().unwrap();
    let dir = scratch("merge");
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();

    // Both suites of the corpus (`ct` and `bad`): the run order crosses suites.
    let whole = ctv(&[
        "ct-verify",
        "--manifest-path",
        m,
        "--format",
        "json",
        "--output",
        &p("whole.json"),
        "--save-baseline",
        &p("whole-base.json"),
    ]);
    // Leaks in `ct`, a panicking check in `bad`: exit 1.
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    let whole_json = read_json(&dir.join("whole.json"));
    assert!(whole_json.get("partition").is_none());

    let mut part_checks = Vec::new();
    for k in 1..=3 {
        let part = ctv(&[
            "ct-verify",
            "--manifest-path",
            m,
            "--partition",
            &format!("{k}/3"),
            "--format",
            "json",
            "--output",
            &p(&format!("part{k}.json")),
        ]);
        let code = part.status.code();
        assert!(matches!(code, Some(0..=2)), "{}", stderr(&part));
        let v = read_json(&dir.join(format!("part{k}.json")));
        assert_eq!(v["partition"]["index"], k);
        assert_eq!(v["partition"]["count"], 3);
        let mut names: Vec<String> = rows(&v).into_iter().map(|r| r.0).collect();
        names.dedup();
        part_checks.push(names);
    }
    // A real split: every check in exactly one part, no part with all of them.
    let total = whole_json["results"].as_array().unwrap().len();
    let mut whole_checks: Vec<String> = rows(&whole_json).into_iter().map(|r| r.0).collect();
    whole_checks.dedup();
    assert!(
        part_checks.iter().all(|c| c.len() < whole_checks.len()),
        "{part_checks:?}"
    );
    let mut all: Vec<String> = part_checks.concat();
    all.sort();
    whole_checks.sort();
    assert_eq!(all, whole_checks, "{part_checks:?}");

    // Files in any order.
    let merged = ctv(&[
        "ct-verify",
        "merge",
        &p("part3.json"),
        &p("part1.json"),
        &p("part2.json"),
        "--format",
        "json",
        "--output",
        &p("merged.json"),
        "--save-baseline",
        &p("merged-base.json"),
    ]);
    assert_eq!(
        merged.status.code(),
        whole.status.code(),
        "{}",
        stderr(&merged)
    );
    let merged_json = read_json(&dir.join("merged.json"));
    // The same checks, engines and verdicts in the same order.
    assert_eq!(rows(&merged_json), rows(&whole_json));
    // The merge loses nothing: each row is the part's, evidence and all.
    let parts_rows: Vec<serde_json::Value> = (1..=3)
        .flat_map(|k| {
            read_json(&dir.join(format!("part{k}.json")))["results"]
                .as_array()
                .unwrap()
                .clone()
        })
        .collect();
    for r in merged_json["results"].as_array().unwrap() {
        assert!(parts_rows.contains(r), "not in any part: {r}");
    }
    // And the evidence is the one run's. Except for one row: bigint_modpow's instruction
    // counts include libc's malloc, whose path depends on the heap that the checks run before
    // it in the same callgrind process left behind (another part, or another --filter, runs
    // other checks before it). Its own instructions, the ones a baseline keeps, do not change:
    // the baselines are compared below.
    for (w, m) in whole_json["results"]
        .as_array()
        .unwrap()
        .iter()
        .zip(merged_json["results"].as_array().unwrap())
    {
        let keys =
            |v: &serde_json::Value| v.as_object().unwrap().keys().cloned().collect::<Vec<_>>();
        assert_eq!(keys(w), keys(m));
        assert_eq!(keys(&w["evidence"]), keys(&m["evidence"]), "{w}\n{m}");
        if !(w["target"] == "bigint_modpow" && w["engine"] == "count") {
            assert_eq!(w, m);
        }
    }
    assert_eq!(
        merged_json.as_object().unwrap().keys().collect::<Vec<_>>(),
        whole_json.as_object().unwrap().keys().collect::<Vec<_>>()
    );
    assert_eq!(
        read_json(&dir.join("merged-base.json"))["targets"],
        read_json(&dir.join("whole-base.json"))["targets"]
    );

    // JUnit and baseline comparison on the merged run.
    let junit = ctv(&[
        "merge",
        &p("part1.json"),
        &p("part2.json"),
        &p("part3.json"),
        "--format",
        "junit",
        "--baseline",
        &p("whole-base.json"),
    ]);
    assert_eq!(junit.status.code(), Some(1), "{}", stderr(&junit));
    let xml = String::from_utf8_lossy(&junit.stdout);
    let baselined = read_json(&dir.join("whole-base.json"))["targets"]
        .as_object()
        .unwrap()
        .len();
    assert!(baselined > 0);
    assert_eq!(
        xml.matches("<testcase ").count(),
        total + baselined,
        "{xml}"
    );
    assert!(xml.contains("classname=\"ct-verify.baseline\""), "{xml}");
    assert!(
        xml.contains("<failure") && xml.contains("name=\"early_exit_eq\""),
        "{xml}"
    );

    // A tampered baseline: a regression, as in one run.
    // Edited as JSON: a text replace of `"ir_max": 37` also hit another check's `376`.
    let mut base = read_json(&dir.join("whole-base.json"));
    let ir = base["targets"]["or_accumulate_eq"]["ir_max"]
        .as_u64()
        .unwrap();
    base["targets"]["or_accumulate_eq"]["ir_max"] = serde_json::json!(ir + 1);
    let tampered = serde_json::to_string_pretty(&base).unwrap();
    std::fs::write(dir.join("tampered.json"), tampered).unwrap();
    let out = ctv(&[
        "merge",
        &p("part1.json"),
        &p("part2.json"),
        &p("part3.json"),
        "--format",
        "json",
        "--baseline",
        &p("tampered.json"),
    ]);
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let row = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["engine"] == "baseline" && r["target"] == "or_accumulate_eq")
        .unwrap();
    assert_eq!(row["verdict"], "regression", "{row}");
    let untouched = v["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["engine"] == "baseline" && r["target"] == "subtle_eq")
        .unwrap();
    assert_eq!(untouched["verdict"], "ok", "{untouched}");

    // A part missing, a part twice, an unpartitioned report: exit 2, one line.
    assert_one_line_error(
        &ctv(&["merge", &p("part1.json"), &p("part3.json")]),
        "partition 2/3 is missing",
    );
    assert_one_line_error(
        &ctv(&[
            "merge",
            &p("part1.json"),
            &p("part2.json"),
            &p("part3.json"),
            &p("part2.json"),
        ]),
        "partition 2/3 is given twice",
    );
    assert_one_line_error(
        &ctv(&["merge", &p("part1.json"), &p("whole.json")]),
        "unpartitioned run",
    );
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn bad_partition_values_exit_2_before_any_build() {
    let m = corpus();
    for (bad, needle) in [
        ("0/3", "use 1/3 to 3/3"),
        ("4/3", "no part 4 of 3"),
        ("a/b", "is not K/N"),
        ("1/0", "at least 1"),
    ] {
        let started = Instant::now();
        let out = ctv(&[
            "ct-verify",
            "--manifest-path",
            m.to_str().unwrap(),
            "--partition",
            bad,
        ]);
        assert_one_line_error(&out, needle);
        assert!(stderr(&out).contains("--partition"), "{}", stderr(&out));
        assert!(!stderr(&out).contains("building"), "{}", stderr(&out));
        assert!(started.elapsed() < Duration::from_secs(10));
    }
    assert_one_line_error(&ctv(&["merge"]), "PART.json");
}

#[test]
fn firmware_parts_merged_are_the_unpartitioned_run() {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let firmware = Path::new(env!("CARGO_MANIFEST_DIR")).join("../no_std-examples");
    let dir = scratch("firmware");
    let p = |name: &str| dir.join(name).to_str().unwrap().to_string();
    // `eq` selects leak_early_exit_eq, secret_core_ct_eq and secret_core_ct_eq_public; of 3
    // parts, the first holds secret_core_ct_eq_public, the second none, the third the others.
    let run = |extra: &[&str], out: &str| {
        let mut args = vec![
            "ct-verify",
            "--target",
            "thumbv7m-none-eabi",
            "--filter",
            "eq",
            "--format",
            "json",
            "--output",
        ];
        let out = p(out);
        args.push(&out);
        args.extend_from_slice(extra);
        ctv_in(Some(&firmware), &args)
    };
    let whole_base = p("whole-base.json");
    let whole = run(&["--save-baseline", &whole_base], "whole.json");
    assert_eq!(whole.status.code(), Some(1), "{}", stderr(&whole));
    let mut codes = Vec::new();
    for k in 1..=3 {
        let part = run(
            &["--partition", &format!("{k}/3")],
            &format!("part{k}.json"),
        );
        codes.push(part.status.code());
        if k == 2 {
            assert!(
                stderr(&part).contains("holds none of the 3 checks"),
                "{}",
                stderr(&part)
            );
        }
    }
    assert_eq!(codes, [Some(0), Some(0), Some(1)]);
    let part1 = read_json(&dir.join("part1.json"));
    assert_eq!(part1["partition"]["target"], "thumbv7m-none-eabi");
    let merged = ctv(&[
        "merge",
        &p("part2.json"),
        &p("part3.json"),
        &p("part1.json"),
        "--format",
        "json",
        "--output",
        &p("merged.json"),
    ]);
    assert_eq!(merged.status.code(), Some(1), "{}", stderr(&merged));
    let (w, m) = (
        read_json(&dir.join("whole.json")),
        read_json(&dir.join("merged.json")),
    );
    assert_eq!(rows(&m), rows(&w));
    assert!(rows(&w).contains(&("leak_early_exit_eq".into(), "trace".into(), "leak".into())));
    // QEMU runs are deterministic: the evidence is the same too.
    assert_eq!(m, w);
    // Firmware parts carry the instruction counts of their checks: the merged baseline is the
    // one the unpartitioned run saved.
    let out = ctv(&[
        "merge",
        &p("part1.json"),
        &p("part2.json"),
        &p("part3.json"),
        "--save-baseline",
        &p("merged-base.json"),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let whole_targets = read_json(&dir.join("whole-base.json"))["targets"].clone();
    assert_eq!(whole_targets.as_object().map(|t| t.len()), Some(3));
    assert_eq!(
        read_json(&dir.join("merged-base.json"))["targets"],
        whole_targets
    );
    let _ = std::fs::remove_dir_all(&dir);
}
