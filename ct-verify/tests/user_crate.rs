//! `cargo ct-verify` on a crate written as a new user would (`tests/ct-user-crate`: a no_std
//! library, `benches/ct.rs` and nothing else), on the host and on four Cortex-M cores: the same
//! checks, the same verdicts, the same JSON shape, exit status 1. Also the errors for a check
//! that needs std and for a library that does not build for the triple.
//!
//! Needs valgrind, `qemu-system-arm`, a C compiler and the rustup targets; a missing one fails
//! the test (CI installs them), it is never skipped.

use std::path::{Path, PathBuf};
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

/// One run at a time: they share the crate's target directory and both cores.
static SERIAL: Mutex<()> = Mutex::new(());

fn repo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("..")
}

fn user_crate() -> PathBuf {
    repo().join("tests/ct-user-crate")
}

/// Runs `cargo ct-verify ARGS --format json` in `dir`: (exit status, report, stderr).
fn ct_verify(dir: &Path, args: &[&str]) -> (i32, Value, String) {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"))
        .current_dir(dir)
        .arg("ct-verify")
        .args(args)
        .args(["--format", "json"])
        .output()
        .expect("run cargo-ct-verify");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// (check, engine, verdict) rows, after checking every row's shape.
fn parse_rows(report: &Value) -> Vec<(String, String, String)> {
    assert_eq!(report["tool"], "ct-verify", "{report}");
    assert!(report["version"].is_string());
    let results = report["results"].as_array().expect("results");
    results
        .iter()
        .map(|r| {
            let keys: Vec<&str> = r.as_object().unwrap().keys().map(String::as_str).collect();
            assert_eq!(keys, ["engine", "evidence", "target", "verdict"], "{r}");
            (
                r["target"].as_str().unwrap().to_string(),
                r["engine"].as_str().unwrap().to_string(),
                r["verdict"].as_str().unwrap().to_string(),
            )
        })
        .collect()
}

fn verdict(rows: &[(String, String, String)], check: &str, engine: &str) -> String {
    rows.iter()
        .find(|r| r.0 == check && r.1 == engine)
        .map(|r| r.2.clone())
        .unwrap_or_else(|| panic!("no {engine} row for {check}: {rows:?}"))
}

/// The ground truth: the constant-time compare passes every engine; the early exit is caught
/// by the control-flow engine (`taint` on the host, `trace` on Cortex-M) and by `count`; the
/// S-box by the address engine only (its instruction count is fixed).
fn assert_ground_truth(rows: &[(String, String, String)], flow: &str, what: &str) {
    for (check, engine, v) in rows.iter().filter(|r| r.0 == "tag_eq") {
        assert_eq!(v, "constant-time", "{what}: {check} {engine}");
    }
    assert_eq!(verdict(rows, "tag_eq_early_exit", flow), "leak", "{what}");
    assert_eq!(
        verdict(rows, "tag_eq_early_exit", "count"),
        "leak",
        "{what}"
    );
    assert_eq!(verdict(rows, "sbox_lookup", flow), "leak", "{what}");
    assert_eq!(
        verdict(rows, "sbox_lookup", "count"),
        "constant-time",
        "{what}"
    );
    let checks: Vec<&str> = rows.iter().map(|r| r.0.as_str()).collect();
    assert_eq!(checks.len(), 9, "{what}: {rows:?}");
}

#[test]
fn host() {
    let (code, report, stderr) = ct_verify(&user_crate(), &[]);
    assert_eq!(code, 1, "{stderr}");
    assert_ground_truth(&parse_rows(&report), "taint", "host");
}

fn cortex_m(target: &str) {
    let (code, report, stderr) = ct_verify(&user_crate(), &["--target", target]);
    assert_eq!(code, 1, "{target}: {stderr}");
    let rows = parse_rows(&report);
    assert_ground_truth(&rows, "trace", target);
    // The leak is located in the user's own source file.
    let trace = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == "tag_eq_early_exit" && r["engine"] == "trace")
        .unwrap();
    assert!(
        trace["evidence"]
            .to_string()
            .contains("ct-user-crate/src/lib.rs"),
        "{target}: {trace}"
    );
    // So is the count leak: a line of the early-exit function, where the traces of two inputs
    // part, found in the source text.
    let source = std::fs::read_to_string(user_crate().join("src/lib.rs")).unwrap();
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("pub fn verify_tag_early_exit"))
        .unwrap();
    let end = start + lines[start..].iter().position(|l| *l == "}").unwrap();
    let count = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == "tag_eq_early_exit" && r["engine"] == "count")
        .unwrap();
    let at = &count["evidence"]["location"];
    assert!(
        at["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("ct-user-crate/src/lib.rs")),
        "{target}: {count}"
    );
    let line = at["line"].as_u64().unwrap_or(0) as usize;
    assert!(line > start + 1 && line <= end, "{target}: {count}");
    assert_eq!(at["inputs"].as_array().map(Vec::len), Some(2), "{count}");
}

#[test]
fn thumbv6m() {
    cortex_m("thumbv6m-none-eabi");
}

#[test]
fn thumbv7m() {
    cortex_m("thumbv7m-none-eabi");
}

#[test]
fn thumbv7em() {
    cortex_m("thumbv7em-none-eabihf");
}

#[test]
fn thumbv8m_main() {
    cortex_m("thumbv8m.main-none-eabihf");
}

/// `--filter` and a baseline saved and compared on the device, as on the host.
#[test]
fn filter_and_baseline_on_cortex_m() {
    let dir = std::env::temp_dir().join(format!("ctv-user-{}", std::process::id()));
    std::fs::create_dir_all(&dir).unwrap();
    let baseline = dir.join("m4.json");
    let b = baseline.to_str().unwrap();
    let target = "thumbv7em-none-eabihf";
    let (code, report, stderr) = ct_verify(
        &user_crate(),
        &[
            "--target",
            target,
            "--filter",
            "tag_eq",
            "--save-baseline",
            b,
        ],
    );
    assert_eq!(code, 1, "{stderr}");
    let rows = parse_rows(&report);
    assert!(rows.iter().all(|r| r.0.starts_with("tag_eq")), "{rows:?}");
    assert_eq!(rows.len(), 6, "{rows:?}");
    let saved: Value = serde_json::from_str(&std::fs::read_to_string(&baseline).unwrap()).unwrap();
    assert_eq!(saved["targets"]["tag_eq"]["constant_time"], true, "{saved}");
    assert_eq!(
        saved["targets"]["tag_eq_early_exit"]["constant_time"], false,
        "{saved}"
    );
    let (code, report, stderr) = ct_verify(
        &user_crate(),
        &["--target", target, "--filter", "tag_eq", "--baseline", b],
    );
    assert_eq!(code, 1, "{stderr}");
    let rows = parse_rows(&report);
    for check in ["tag_eq", "tag_eq_early_exit"] {
        assert_eq!(verdict(&rows, check, "baseline"), "ok", "{rows:?}");
    }
    // A baseline whose constant-time check had other counts is a regression (exit 1 with only
    // the constant-time check run).
    let mut edited = saved.clone();
    edited["targets"]["tag_eq"]["ir"]["0|zeros"] = Value::from(1);
    std::fs::write(&baseline, edited.to_string()).unwrap();
    let (code, report, stderr) = ct_verify(
        &user_crate(),
        &["--target", target, "--filter", "tag_eq", "--baseline", b],
    );
    assert_eq!(code, 1, "{stderr}");
    assert_eq!(
        verdict(&parse_rows(&report), "tag_eq", "baseline"),
        "regression"
    );
    let _ = std::fs::remove_dir_all(&dir);
}

/// A scratch crate beside the user crate: `lib` and `bench` sources, path dependencies as a
/// user would write them.
fn scratch_crate(name: &str, lib: &str, bench: &str) -> PathBuf {
    let dir = repo().join("target").join("ct-user-scratch").join(name);
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::create_dir_all(dir.join("benches")).unwrap();
    let root = std::fs::canonicalize(repo()).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        format!(
            "[package]\nname = \"{name}\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n[workspace]\n\n\
             [dependencies]\nsecret-core = {{ path = \"{r}/secret-core\", default-features = false }}\n\n\
             [dev-dependencies]\nct-verify = {{ path = \"{r}/ct-verify\", default-features = false }}\n\n\
             [[bench]]\nname = \"ct\"\nharness = false\n",
            r = root.display()
        ),
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), lib).unwrap();
    std::fs::write(dir.join("benches/ct.rs"), bench).unwrap();
    let lock = user_crate().join("Cargo.lock");
    let _ = std::fs::copy(lock, dir.join("Cargo.lock"));
    dir
}

#[test]
fn a_check_that_needs_std_is_named() {
    let dir = scratch_crate(
        "needs-std",
        "#![no_std]\npub fn xor(a: &[u8; 4]) -> u8 { a.iter().fold(0, |x, y| x ^ y) }\n",
        "fn main() {\n    ct_verify::Suite::new()\n        .check(\"fine\", |s: &[u8; 4]| needs_std::xor(s))\n        .check(\"boxed\", |s: &[u8; 4]| {\n            std::boxed::Box::new(*s)\n        })\n        .run();\n}\n",
    );
    let (code, _, stderr) = ct_verify(&dir, &["--target", "thumbv7m-none-eabi"]);
    assert_eq!(code, 2, "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("check `boxed`") && errors[0].contains("benches/ct.rs:5"),
        "{stderr}"
    );
}

#[test]
fn a_library_that_does_not_build_for_the_target_is_named() {
    let dir = scratch_crate(
        "std-lib",
        "pub fn name() -> String { String::from(\"x\") }\n",
        "fn main() {\n    ct_verify::Suite::new()\n        .check(\"len\", |_: &u8| std_lib::name().len())\n        .run();\n}\n",
    );
    let (code, _, stderr) = ct_verify(&dir, &["--target", "thumbv7em-none-eabihf"]);
    assert_eq!(code, 2, "{stderr}");
    let errors: Vec<&str> = stderr.lines().filter(|l| l.starts_with("error")).collect();
    assert_eq!(errors.len(), 1, "{stderr}");
    assert!(
        errors[0].contains("crate `std-lib` does not build for thumbv7em-none-eabihf"),
        "{stderr}"
    );
}

/// `--engine dudect --target T`: the suite's dudect on the device (Cortex-M0, SysTick, the
/// smallest RAM of the four boards). Under QEMU's `-icount` SysTick counts instructions, so
/// this checks the plumbing: the early exit is a leak (its instruction count depends on the
/// secret), the constant-time compare is not; the S-box's instruction count is fixed, so this
/// timer cannot see it (trace does).
#[test]
fn dudect_on_cortex_m0() {
    let (code, report, stderr) = ct_verify(
        &user_crate(),
        &["--target", "thumbv6m-none-eabi", "--engine", "dudect"],
    );
    assert_eq!(code, 1, "{stderr}");
    let rows = parse_rows(&report);
    assert_eq!(rows.len(), 3, "{rows:?}");
    assert_eq!(verdict(&rows, "tag_eq", "dudect"), "constant-time");
    assert_eq!(verdict(&rows, "tag_eq_early_exit", "dudect"), "leak");
    assert_eq!(verdict(&rows, "sbox_lookup", "dudect"), "constant-time");
    let leak = report["results"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["target"] == "tag_eq_early_exit")
        .unwrap();
    assert!(
        leak["evidence"]["max_t"].as_f64().unwrap().abs() > 4.5,
        "{leak}"
    );
    assert_eq!(leak["evidence"]["samples"], 2, "{leak}");
}

/// The user's library of [`a_count_leak_names_the_users_line`]: an early exit written through
/// secret-core operations (a per-byte compare, declassified, then a branch). Every instruction
/// of the compare is inlined from secret-core; the lines marked `leak:` are the user's.
const LOCATED_LIB: &str = "#![no_std]
use secret_core::Secret;

pub const EXPECTED: [u8; 32] = [0x5a; 32];

/// Leaks: stops at the first wrong byte.
pub fn tag_ok(tag: &Secret<[u8; 32]>) -> bool {
    for i in 0..32 { // leak: loop
        if !tag.sub_array::<1>(i).ct_eq_public(&[EXPECTED[i]]).declassify() { // leak: branch
            return false; // leak: exit
        }
    }
    true
}

/// Constant time: one compare of all bytes, only the verdict declassified.
pub fn tag_ok_ct(tag: &Secret<[u8; 32]>) -> bool {
    tag.ct_eq_public(&EXPECTED).declassify()
}
";

const LOCATED_BENCH: &str = "use ct_verify::Config;
use secret_core::Secret;

fn main() {
    ct_verify::Suite::new()
        .check_with(
            \"early_exit\",
            Config::new().fixed(Secret::new(located::EXPECTED)),
            |s: &Secret<[u8; 32]>, _: &()| located::tag_ok(s),
        )
        .check(\"ct_compare\", |s: &Secret<[u8; 32]>| located::tag_ok_ct(s))
        .run();
}
";

/// Runs `cargo ct-verify --engine count ARGS` in `dir`: (exit status, stdout, stderr). The
/// build shares the user crate's target directory (the same dependencies, built once) unless
/// `CARGO_TARGET_DIR` already names one.
fn count_run(dir: &Path, args: &[&str]) -> (i32, String, String) {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"));
    if std::env::var_os("CARGO_TARGET_DIR").is_none() {
        cmd.env("CARGO_TARGET_DIR", user_crate().join("target"));
    }
    let out = cmd
        .current_dir(dir)
        .args(["ct-verify", "--engine", "count"])
        .args(args)
        .output()
        .expect("run cargo-ct-verify");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// A count leak in the user's own code, written through secret-core operations, is reported at
/// the user's line (not secret-core's `ops.rs`, where the innermost inlined frame of the
/// differing instructions is), in the JSON, on the human row and as the one SARIF result; the
/// constant-time check of the same suite has no location and no SARIF result.
#[test]
fn a_count_leak_names_the_users_line() {
    let dir = scratch_crate("located", LOCATED_LIB, LOCATED_BENCH);
    let marked: Vec<u64> = LOCATED_LIB
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("// leak:"))
        .map(|(i, _)| i as u64 + 1)
        .collect();
    assert_eq!(marked.len(), 3);

    let (code, json, stderr) = count_run(&dir, &["--format", "json"]);
    assert_eq!(code, 1, "{stderr}");
    let report: Value = serde_json::from_str(&json).expect("JSON report");
    let rows = parse_rows(&report);
    assert_eq!(verdict(&rows, "early_exit", "count"), "leak");
    assert_eq!(verdict(&rows, "ct_compare", "count"), "constant-time");
    let evidence = |check: &str| {
        report["results"]
            .as_array()
            .unwrap()
            .iter()
            .find(|r| r["target"] == check)
            .unwrap()["evidence"]
            .clone()
    };
    let leak = evidence("early_exit");
    let at = &leak["location"];
    let file = at["file"].as_str().unwrap_or_default();
    assert!(
        file.ends_with("ct-user-scratch/located/src/lib.rs"),
        "{leak}"
    );
    let line = at["line"].as_u64().unwrap_or_default();
    assert!(
        marked.contains(&line),
        "line {line} not in {marked:?}: {leak}"
    );
    assert!(
        at["function"]
            .as_str()
            .unwrap_or_default()
            .contains("tag_ok"),
        "{leak}"
    );
    let inputs: Vec<&str> = at["inputs"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(Value::as_str)
        .collect();
    assert_eq!(inputs.len(), 2, "{leak}");
    assert_ne!(inputs[0], inputs[1], "{leak}");
    assert_eq!(evidence("ct_compare")["location"], Value::Null);

    let (code, human, stderr) = count_run(&dir, &[]);
    assert_eq!(code, 1, "{stderr}");
    let row = human
        .lines()
        .find(|l| l.starts_with("early_exit "))
        .unwrap_or_else(|| panic!("no row: {human}"));
    assert!(
        row.contains(&format!(
            "src/lib.rs:{line}) for {} vs {}",
            inputs[0], inputs[1]
        )),
        "{row}"
    );

    let (code, sarif, stderr) = count_run(&dir, &["--format", "sarif"]);
    assert_eq!(code, 1, "{stderr}");
    let doc: Value = serde_json::from_str(&sarif).expect("SARIF is JSON");
    assert_eq!(doc["version"], "2.1.0");
    assert!(doc["$schema"].as_str().unwrap().contains("sarif"), "{doc}");
    let run = &doc["runs"][0];
    assert_eq!(run["tool"]["driver"]["name"], "ct-verify");
    let results = run["results"].as_array().unwrap();
    assert_eq!(results.len(), 1, "{doc}");
    let r = &results[0];
    assert_eq!(r["ruleId"], "ct-verify/count");
    let text = r["message"]["text"].as_str().unwrap();
    assert!(
        text.contains("`early_exit`") && text.contains(inputs[1]),
        "{text}"
    );
    let p = &r["locations"][0]["physicalLocation"];
    // Relative to the workspace root: the scratch crate is a workspace of its own.
    assert_eq!(p["artifactLocation"]["uri"], "src/lib.rs", "{r}");
    assert_eq!(p["region"]["startLine"], line, "{r}");
}
