//! `--search-budget`: the search finds an early-exit compare that no generic secret reaches
//! beyond its first byte (with the public tag as its dictionary, and without), and finds nothing
//! in a constant-time compare of the same values with the same budget. Without the flag the early exit is the count engine's miss. The suite is
//! `tests/edge-suites/benches/search.rs`; the runs need valgrind.

mod common;
use common::*;

use std::process::{Command, Output};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use serde_json::Value;

/// One run at a time: they share the edge crate's target directory and both cores.
static SERIAL: Mutex<()> = Mutex::new(());

/// The suite's public tag (a copy of `TAG` in benches/search.rs).
const TAG: &[u8; 32] = b"\x5aeverybody-knows-the-public-tag!";

fn ctv(args: &[&str]) -> (Output, Duration) {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let started = Instant::now();
    let out = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"))
        .arg("ct-verify")
        .args(args)
        .output()
        .expect("run cargo-ct-verify");
    (out, started.elapsed())
}

/// `cargo ct-verify` on the search suite, with `args` after `--manifest-path` and `--bench`.
fn ctv_search(args: &[&str]) -> (Output, Duration) {
    let m = edge_manifest();
    let mut all = vec!["--manifest-path", m.to_str().unwrap(), "--bench", "search"];
    all.extend_from_slice(args);
    ctv(&all)
}

/// The count rows of the search suite, by check, run with `extra` arguments; and the exit code.
fn count_rows(extra: &[&str]) -> (Vec<Value>, Option<i32>) {
    let mut args = vec!["--engine", "count", "--format", "json"];
    args.extend_from_slice(extra);
    let (out, _) = ctv_search(&args);
    let doc: Value = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "no JSON report ({e}): {}",
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (
        doc["results"].as_array().unwrap().clone(),
        out.status.code(),
    )
}

fn row<'a>(rows: &'a [Value], check: &str) -> &'a Value {
    rows.iter()
        .find(|r| r["target"] == check)
        .unwrap_or_else(|| panic!("no row for {check}: {rows:?}"))
}

/// (label, Ir) of every call, in call order.
fn calls(row: &Value) -> Vec<(String, u64)> {
    row["evidence"]["classes"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| {
            (
                c["input"].as_str().unwrap().to_string(),
                c["ir"].as_u64().unwrap(),
            )
        })
        .collect()
}

fn unhex(s: &str) -> Vec<u8> {
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap())
        .collect()
}

#[test]
fn the_search_finds_an_early_exit_the_generic_inputs_miss() {
    // Without the flag: every generic secret leaves the loop at byte 0, one count for all,
    // and the count engine calls the early exit constant-time. This miss is why the flag exists.
    let (rows, code) = count_rows(&[]);
    let early = row(&rows, "early_exit_eq");
    assert_eq!(early["verdict"], "constant-time", "{early}");
    let generic = calls(early);
    assert_eq!(generic.len(), 6, "zeros, ones, four random: {generic:?}");
    assert!(generic.iter().all(|c| c.1 == generic[0].1), "{generic:?}");
    assert!(early["evidence"].get("search").is_none());
    assert_eq!(
        row(&rows, "early_exit_no_dictionary")["verdict"],
        "constant-time"
    );
    assert_eq!(code, Some(0));

    let (rows, code) = count_rows(&["--search-budget", "3"]);
    assert_eq!(code, Some(1), "a leak: {rows:?}");
    let generic_ir = generic[0].1;
    // With the tag as dictionary, and without (the byte sweep alone).
    for check in ["early_exit_eq", "early_exit_no_dictionary"] {
        let early = row(&rows, check);
        assert_eq!(early["verdict"], "leak", "{early}");
        let all = calls(early);
        // The generic inputs still have their one count; every kept secret has its own.
        assert!(
            all.iter()
                .filter(|c| !c.0.starts_with("search#"))
                .all(|c| c.1 == generic_ir),
            "{generic:?} then {all:?}"
        );
        let search = &early["evidence"]["search"][0];
        let found = search["found"].as_array().unwrap();
        assert!(!found.is_empty(), "{check}: {search}");
        let mut longest = 0;
        for f in found {
            let secret = unhex(f["secret"].as_str().unwrap());
            let label = f["label"].as_str().unwrap();
            let ir = f["instructions"].as_u64().unwrap();
            assert_ne!(ir, generic_ir, "{f}");
            // The found secret is one of the count engine's inputs, with that count.
            assert!(
                all.contains(&(label.to_string(), ir)),
                "{label} not in {all:?}"
            );
            let prefix = secret.iter().zip(TAG).take_while(|(a, b)| a == b).count();
            longest = longest.max(prefix);
        }
        assert!(
            longest >= 2,
            "{check}: no found secret matches 2 leading bytes of the tag: {search}"
        );
    }

    // The control: secret-core's ct_eq of the same values, same budget: the search ran (many
    // candidates) and found nothing.
    let ct = row(&rows, "ct_eq");
    assert_eq!(ct["verdict"], "constant-time", "{ct}");
    let search = &ct["evidence"]["search"][0];
    assert_eq!(search["found"].as_array().unwrap().len(), 0, "{search}");
    assert_eq!(search["skipped"], "", "{search}");
    assert!(search["candidates"].as_u64().unwrap() >= 100, "{search}");
    assert!(calls(ct).iter().all(|c| !c.0.starts_with("search#")));

    // The human row names the two inputs and says the secret was found by search.
    let (out, _) = ctv_search(&[
        "--engine",
        "count",
        "--filter",
        "early_exit",
        "--search-budget",
        "3",
    ]);
    let text = String::from_utf8_lossy(&out.stdout);
    let line = text
        .lines()
        .find(|l| l.starts_with("early_exit_eq"))
        .unwrap_or_else(|| panic!("no row: {text}"));
    for needle in ["leak", "zeros=", "search#", "found by search", "secret 5a"] {
        assert!(line.contains(needle), "`{needle}` not in: {line}");
    }
    assert_eq!(out.status.code(), Some(1));
}

#[test]
fn a_bad_search_budget_fails_before_the_build() {
    let early = |args: &[&str], needles: &[&str]| {
        let (out, took) = ctv_search(args);
        let err = String::from_utf8_lossy(&out.stderr).into_owned();
        assert_eq!(out.status.code(), Some(2), "{args:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "one line: {err}");
        for n in needles {
            assert!(err.contains(n), "expected `{n}` in: {err}");
        }
        assert!(!err.contains("panicked"), "{err}");
        assert!(took < Duration::from_secs(2), "took {took:?}: {err}");
    };
    for bad in ["-1", "abc", "NaN", "inf", "1e9"] {
        early(
            &["--search-budget", bad],
            &["--search-budget", bad, "0 turns the search off"],
        );
    }
    early(
        &["--search-budget", "2", "--engine", "taint,audit"],
        &["--search-budget", "needs the count engine"],
    );
    early(
        &["--search-budget", "2", "--target", "thumbv7m-none-eabi"],
        &["--search-budget", "host suites only", "thumbv7m-none-eabi"],
    );
}
