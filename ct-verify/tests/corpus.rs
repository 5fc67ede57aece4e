//! Runs `cargo-ct-verify` against the corpus (`corpus/`, a package of its own) and checks every
//! verdict and exit status. Needs valgrind (`apt-get install -y valgrind`).

mod common;
use common::*;

use std::collections::BTreeMap;
use std::process::{Command, Output};
use std::sync::Mutex;

/// Runs are serialised: they share the corpus's target directory and both cores.
static LOCK: Mutex<()> = Mutex::new(());

fn ctv_env(args: &[&str], env: &[(&str, &str)]) -> Output {
    let _guard = LOCK.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"));
    cmd.args(args);
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("run cargo-ct-verify")
}

fn ctv(args: &[&str]) -> Output {
    ctv_env(args, &[])
}

/// (target, engine) -> (verdict, evidence)
fn results(json: &str) -> BTreeMap<(String, String), (String, serde_json::Value)> {
    let v: serde_json::Value =
        serde_json::from_str(json).unwrap_or_else(|e| panic!("bad JSON ({e}): {json}"));
    assert_eq!(v["tool"], "ct-verify");
    assert!(v["version"].is_string());
    v["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            (
                (
                    r["target"].as_str().unwrap().to_string(),
                    r["engine"].as_str().unwrap().to_string(),
                ),
                (
                    r["verdict"].as_str().unwrap().to_string(),
                    r["evidence"].clone(),
                ),
            )
        })
        .collect()
}

/// The last non-empty stderr line must be the error, on one line, without a backtrace.
fn assert_one_line_error(o: &Output, needle: &str) {
    let err = stderr(o);
    assert_eq!(o.status.code(), Some(2), "stderr: {err}");
    let line = err.lines().rfind(|l| !l.trim().is_empty()).unwrap_or("");
    assert!(
        line.contains(needle),
        "expected `{needle}` in the last line of: {err}"
    );
    assert!(
        !err.contains("stack backtrace") && !err.contains("panicked"),
        "{err}"
    );
}

#[test]
fn corpus_verdicts_under_taint_count_audit() {
    let m = corpus();
    let out = ctv(&[
        "ct-verify",
        "--manifest-path",
        m.to_str().unwrap(),
        "--bench",
        "ct",
        "--format",
        "json",
    ]);
    let json = String::from_utf8_lossy(&out.stdout).into_owned();
    assert_eq!(
        out.status.code(),
        Some(1),
        "stderr: {}\nstdout: {json}",
        stderr(&out)
    );
    let r = results(&json);
    let ct = "constant-time";
    let expected: &[(&str, [&str; 3])] = &[
        ("early_exit_eq", ["leak", "leak", ct]),
        ("table_lookup", ["leak", ct, ct]),
        ("secret_length_loop", ["leak", "leak", ct]),
        ("secret_division", [ct, ct, "leak"]),
        // A `div` of a public length: executed, but with the same operands for every secret.
        ("public_division", [ct, ct, ct]),
        // Panics for the all-zero input only: secret-dependent control flow, not an error.
        ("naive_division", ["leak", "leak", "leak"]),
        ("or_accumulate_eq", [ct, ct, ct]),
        ("subtle_eq", [ct, ct, ct]),
        ("secret_core_eq", [ct, ct, ct]),
        ("chacha20_block", [ct, ct, ct]),
        ("xor_prefix_public_len", [ct, ct, ct]),
        // Declassify, then branch: no input reaches h >= p, so only taint sees it.
        ("poly1305_declassify_branch", ["leak", ct, ct]),
        ("poly1305_declassify_allowed", [ct, ct, ct]),
    ];
    for (target, verdicts) in expected {
        for (engine, want) in ["taint", "count", "audit"].iter().zip(verdicts) {
            let got = &r[&(target.to_string(), engine.to_string())];
            assert_eq!(&got.0, want, "{target} under {engine}: {}", got.1);
        }
    }
    // Variable-time library code: taint and count both see it.
    assert_eq!(r[&("bigint_modpow".into(), "taint".into())].0, "leak");
    assert_eq!(r[&("bigint_modpow".into(), "count".into())].0, "leak");

    // Evidence a person can act on.
    let taint = &r[&("early_exit_eq".into(), "taint".into())].1;
    let e = &taint["errors"][0];
    assert_eq!(e["kind"], "UninitCondition");
    assert!(e["message"].as_str().unwrap().contains("Conditional jump"));
    assert!(
        e["location"]
            .as_str()
            .unwrap()
            .contains("corpus/src/lib.rs:"),
        "{e}"
    );
    let lookup = &r[&("table_lookup".into(), "taint".into())].1;
    assert!(lookup["errors"][0]["message"]
        .as_str()
        .unwrap()
        .contains("Use of uninitialised value"));
    let count = &r[&("early_exit_eq".into(), "count".into())].1;
    assert_eq!(count["ir_identical"], false);
    let classes = count["classes"].as_array().unwrap();
    let fixed = classes.iter().find(|c| c["input"] == "fixed#0").unwrap()["ir"]
        .as_u64()
        .unwrap();
    let zeros = classes.iter().find(|c| c["input"] == "zeros").unwrap()["ir"]
        .as_u64()
        .unwrap();
    assert!(fixed > zeros, "{count}");
    // The count leak is located in the corpus's own function, found in the source text, with
    // the two inputs whose instructions differ.
    let source = std::fs::read_to_string(corpus().with_file_name("src").join("lib.rs")).unwrap();
    let lines: Vec<&str> = source.lines().collect();
    let start = lines
        .iter()
        .position(|l| l.starts_with("pub fn early_exit_eq("))
        .unwrap()
        + 1;
    let end = start + lines[start..].iter().position(|l| *l == "}").unwrap();
    let at = &count["location"];
    assert!(
        at["file"]
            .as_str()
            .is_some_and(|f| f.ends_with("corpus/src/lib.rs")),
        "{count}"
    );
    let line = at["line"].as_u64().unwrap_or(0) as usize;
    assert!(line > start && line <= end, "{start}..{end}: {count}");
    assert!(
        at["function"].as_str().unwrap().contains("early_exit_eq"),
        "{count}"
    );
    assert_eq!(at["inputs"].as_array().map(Vec::len), Some(2), "{count}");
    // A constant-time check has no location.
    let ct_count = &r[&("or_accumulate_eq".into(), "count".into())].1;
    assert!(ct_count["location"].is_null(), "{ct_count}");
    let audit = &r[&("secret_division".into(), "audit".into())].1;
    let f = &audit["findings"][0];
    assert!(f["instruction"].as_str().unwrap().starts_with("div"), "{f}");
    assert!(f["address"].as_str().unwrap().starts_with("0x"));
    assert!(
        f["location"]
            .as_str()
            .unwrap()
            .contains("corpus/src/lib.rs:"),
        "{f}"
    );
    // The audit judges operands: the secret divisor differs between two inputs...
    let ops = &f["operands"];
    assert_eq!(f["severity"], "leak", "{f}");
    assert_eq!(ops["verdict"], "differ", "{f}");
    let pair = ops["operands"].as_array().unwrap();
    assert_eq!(pair[0]["dividend"], pair[1]["dividend"], "{f}");
    assert_ne!(pair[0]["divisor"], pair[1]["divisor"], "{f}");
    // ... the public division's operands do not (a note, with every call compared).
    let public = &r[&("public_division".into(), "audit".into())].1;
    let f = &public["findings"][0];
    assert!(f["instruction"].as_str().unwrap().starts_with("div"), "{f}");
    assert_eq!(f["severity"], "note", "{f}");
    assert_eq!(f["operands"]["verdict"], "same", "{f}");
    assert_eq!(f["operands"]["calls"], 18, "{f}");
    // Both places of a use of a declassified value: the `.declassify()` line and the `if`.
    let line_of = |marker: &str| {
        let src = include_str!("../corpus/src/lib.rs");
        let n = src.lines().position(|l| l.contains(marker)).unwrap() + 1;
        format!("corpus/src/lib.rs:{n}")
    };
    let poly = &r[&("poly1305_declassify_branch".into(), "taint".into())].1;
    let e = &poly["errors"][0];
    assert!(
        e["location"]
            .as_str()
            .unwrap()
            .ends_with(&line_of("if public {")),
        "{e}"
    );
    let declassified_at = e["declassified_at"]["location"].as_str().unwrap();
    assert!(
        declassified_at.ends_with(&line_of("poly1305: declassify")),
        "{e}"
    );
    assert_eq!(poly["errors"].as_array().map(Vec::len), Some(1), "{poly}");
    // Allowed: the same use, listed as intended, not as an error.
    let allowed = &r[&("poly1305_declassify_allowed".into(), "taint".into())].1;
    assert_eq!(allowed["errors"], serde_json::json!([]), "{allowed}");
    let intended = &allowed["intended_declassify"][0];
    assert_eq!(intended["allowed_by"], "poly1305_final_reduce", "{allowed}");
    assert_eq!(intended["declassified_at"]["location"], declassified_at);
    // Returning a declassified value is not a use.
    let eq = &r[&("secret_core_eq".into(), "taint".into())].1;
    assert_eq!(eq["errors"], serde_json::json!([]), "{eq}");
    assert!(eq.get("intended_declassify").is_none(), "{eq}");

    // Public inputs may change the cost; secrets may not.
    let xp = &r[&("xor_prefix_public_len".into(), "count".into())].1;
    assert_ne!(xp["ir_min"], xp["ir_max"], "{xp}");
}

#[test]
fn panicking_check_is_an_error_and_the_others_still_run() {
    let m = corpus();
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--bench",
        "bad",
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    let r = results(&String::from_utf8_lossy(&out.stdout));
    for engine in ["taint", "count", "audit"] {
        let (verdict, evidence) = &r[&("panics".into(), engine.into())];
        assert_eq!(verdict, "error");
        assert!(
            evidence["error"]
                .as_str()
                .unwrap()
                .contains("deliberate panic in the corpus"),
            "{evidence}"
        );
        assert_eq!(r[&("still_runs".into(), engine.into())].0, "constant-time");
    }
}

#[test]
fn baseline_save_compare_and_regression() {
    let m = corpus();
    let dir = scratch("baseline");
    let file = dir.join("base.json");
    let args = |extra: &[&str]| {
        let mut a = vec![
            "--manifest-path",
            m.to_str().unwrap(),
            "--bench",
            "ct",
            "--engine",
            "count",
        ];
        a.extend_from_slice(extra);
        a.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    let run = |extra: &[&str]| {
        let a = args(extra);
        ctv(&a.iter().map(String::as_str).collect::<Vec<_>>())
    };
    let f = file.to_str().unwrap();
    let out = run(&["--filter", "or_accumulate", "--save-baseline", f]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let saved: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let entry = &saved["targets"]["or_accumulate_eq"];
    assert_eq!(entry["constant_time"], true);
    let ir = entry["ir_max"].as_u64().unwrap();
    assert!(ir > 0);

    let out = run(&[
        "--filter",
        "or_accumulate",
        "--baseline",
        f,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let r = results(&String::from_utf8_lossy(&out.stdout));
    assert_eq!(r[&("or_accumulate_eq".into(), "baseline".into())].0, "ok");

    // The baseline and the run must agree on which checks exist. An entry the run should have
    // run (it matches --filter and --bench) but did not is stale; entries the selection leaves
    // out (another --filter, another bench) are not.
    let mut doc: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(&file).unwrap()).unwrap();
    let same = doc["targets"]["or_accumulate_eq"].clone();
    let mut other_bench = same.clone();
    other_bench["bench"] = "bad".into();
    doc["targets"]["or_accumulate_renamed"] = same.clone();
    doc["targets"]["or_accumulate_in_bad"] = other_bench;
    doc["targets"]["zz_not_filtered"] = same;
    let stale_file = dir.join("stale.json");
    std::fs::write(&stale_file, doc.to_string()).unwrap();
    let sf = stale_file.to_str().unwrap();
    let out = run(&[
        "--filter",
        "or_accumulate",
        "--baseline",
        sf,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = results(&String::from_utf8_lossy(&out.stdout));
    let baseline_rows: Vec<(&String, &String)> = r
        .iter()
        .filter(|((_, e), _)| e == "baseline")
        .map(|((t, _), (v, _))| (t, v))
        .collect();
    assert_eq!(
        baseline_rows,
        [
            (&"or_accumulate_eq".to_string(), &"ok".to_string()),
            (
                &"or_accumulate_renamed".to_string(),
                &"regression".to_string()
            )
        ],
        "{r:?}"
    );
    let rerecord = r[&("or_accumulate_renamed".into(), "baseline".into())].1["rerecord"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        rerecord.contains("--bench ct")
            && rerecord.contains("--filter or_accumulate")
            && rerecord.contains(&format!("--save-baseline {sf}"))
            && !rerecord.contains("--baseline "),
        "{rerecord}"
    );

    // A check that runs but is not in the baseline is a regression too, in every format.
    let out = run(&["--filter", "subtle_eq", "--baseline", f]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let human = String::from_utf8_lossy(&out.stdout);
    let row = human
        .lines()
        .find(|l| l.starts_with("subtle_eq ") && l.contains("baseline"))
        .unwrap_or_else(|| panic!("{human}"));
    assert!(
        row.contains("regression")
            && row.contains("not in the baseline")
            && row.contains("--save-baseline"),
        "{row}"
    );
    let junit = run(&[
        "--filter",
        "subtle_eq",
        "--baseline",
        f,
        "--format",
        "junit",
    ]);
    let xml = String::from_utf8_lossy(&junit.stdout);
    assert!(xml.contains("type=\"regression\""), "{xml}");

    // Any Ir change of a constant-time check is a regression.
    let tampered = std::fs::read_to_string(&file)
        .unwrap()
        .replace(&format!("{ir}"), &format!("{}", ir - 1));
    std::fs::write(&file, tampered).unwrap();
    let out = run(&[
        "--filter",
        "or_accumulate",
        "--baseline",
        f,
        "--format",
        "json",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let r = results(&String::from_utf8_lossy(&out.stdout));
    let (verdict, evidence) = &r[&("or_accumulate_eq".into(), "baseline".into())];
    assert_eq!(verdict, "regression");
    assert_eq!(evidence["regression"], true);
}

/// Two bench targets of one crate that declare a check of the same name are refused before
/// any check runs, naming both (reports and baselines name checks only). The fixture is the
/// corpus with a second bench target built from `benches/ct.rs`.
#[test]
fn a_check_name_in_two_benches_is_refused() {
    let corpus_dir = corpus().parent().unwrap().to_path_buf();
    let dir = scratch("dup");
    let manifest = std::fs::read_to_string(corpus())
        .unwrap()
        .replace(
            "\"../../secret-core\"",
            &format!("{:?}", corpus_dir.join("../../secret-core")),
        )
        .replace(
            "path = \"..\"",
            &format!("path = {:?}", corpus_dir.join("..")),
        );
    let abs = |rel: &str| format!("{:?}", corpus_dir.join(rel));
    let manifest = manifest
        .replace(
            "name = \"ct\"\n",
            &format!("name = \"ct\"\npath = {}\n", abs("benches/ct.rs")),
        )
        .replace(
            "name = \"bad\"\n",
            &format!("name = \"bad\"\npath = {}\n", abs("benches/bad.rs")),
        )
        + &format!(
            "\n[lib]\npath = {}\n\n[[bench]]\nname = \"ct_again\"\npath = {}\nharness = false\n",
            abs("src/lib.rs"),
            abs("benches/ct.rs")
        );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(corpus_dir.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    // The corpus's compiled dependencies serve the fixture too.
    let target = std::env::var("CARGO_TARGET_DIR")
        .unwrap_or_else(|_| corpus_dir.join("target").display().to_string());
    let m = dir.join("Cargo.toml");
    let out = ctv_env(
        &["--manifest-path", m.to_str().unwrap(), "--engine", "count"],
        &[("CARGO_TARGET_DIR", &target)],
    );
    assert_one_line_error(&out, "is declared by two bench targets");
    let e = stderr(&out);
    assert!(
        e.contains("bench `ct` in") && e.contains("bench `ct_again` in"),
        "{e}"
    );
    // Negative control: one of the two bench targets alone runs.
    let out = ctv_env(
        &[
            "--manifest-path",
            m.to_str().unwrap(),
            "--bench",
            "ct_again",
            "--engine",
            "count",
            "--filter",
            "or_accumulate",
        ],
        &[("CARGO_TARGET_DIR", &target)],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let _ = std::fs::remove_dir_all(&dir);
}

#[test]
fn malformed_baseline_exits_2_naming_the_file() {
    let dir = scratch("malformed");
    let file = dir.join("broken-baseline.json");
    std::fs::write(&file, "{ \"tool\": \"ct-verify\", \"targets\": [1, 2").unwrap();
    let m = corpus();
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--baseline",
        file.to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "broken-baseline.json");
    assert!(stderr(&out).contains("malformed"));
    let missing = dir.join("nope.json");
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--baseline",
        missing.to_str().unwrap(),
    ]);
    assert_one_line_error(&out, "nope.json");
}

#[test]
fn bad_arguments_exit_2_on_one_line() {
    assert_one_line_error(
        &ctv(&["ct-verify", "--engine", "taint,bogus"]),
        "unknown engine `bogus`",
    );
    assert_one_line_error(&ctv(&["--format", "xml"]), "xml");
    assert_one_line_error(&ctv(&["--dudect-budget", "0"]), "positive");
    assert_one_line_error(&ctv(&["--no-such-flag"]), "--no-such-flag");
    assert_one_line_error(
        &ctv(&["--manifest-path", "/nonexistent/Cargo.toml"]),
        "/nonexistent/Cargo.toml",
    );
    let help = ctv(&["--help"]);
    assert_eq!(help.status.code(), Some(0));
    assert!(String::from_utf8_lossy(&help.stdout).contains("--dudect-budget"));
}

#[test]
fn unknown_profile_exits_2_before_building() {
    let m = corpus();
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--profile",
        "nosuch",
    ]);
    assert_one_line_error(&out, "profile `nosuch` is not defined");
    assert!(
        !stderr(&out).contains("building bench targets"),
        "{}",
        stderr(&out)
    );
    let out = ctv(&["--exe", "/bin/true", "--profile", "dev"]);
    assert_one_line_error(&out, "with --exe nothing is built");
}

#[test]
fn missing_valgrind_exits_2_with_the_install_command() {
    let empty = scratch("nopath");
    let m = corpus();
    let out = ctv_env(
        &["--manifest-path", m.to_str().unwrap()],
        &[("PATH", empty.to_str().unwrap())],
    );
    assert_one_line_error(&out, "apt-get install -y valgrind");
}

#[test]
fn build_failure_exits_2() {
    let dir = scratch("broken-crate");
    std::fs::create_dir_all(dir.join("src")).unwrap();
    std::fs::write(
        dir.join("Cargo.toml"),
        "[package]\nname = \"broken\"\nversion = \"0.0.0\"\nedition = \"2021\"\n[workspace]\n",
    )
    .unwrap();
    std::fs::write(dir.join("src/lib.rs"), "pub fn oops( {").unwrap();
    let m = dir.join("Cargo.toml");
    let out = ctv(&["--manifest-path", m.to_str().unwrap()]);
    assert_one_line_error(&out, "build failed");
}

#[test]
fn junit_report_to_a_file() {
    let m = corpus();
    let dir = scratch("junit");
    let file = dir.join("report.xml");
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--bench",
        "ct",
        "--filter",
        "secret_division",
        "--engine",
        "audit",
        "--format",
        "junit",
        "--output",
        file.to_str().unwrap(),
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let xml = std::fs::read_to_string(&file).unwrap();
    assert!(xml.starts_with("<?xml"));
    assert!(
        xml.contains("<testcase classname=\"ct-verify.audit\" name=\"secret_division\">"),
        "{xml}"
    );
    assert!(xml.contains("<failure"), "{xml}");
    assert!(out.stdout.is_empty());
}

#[test]
fn human_report_names_file_and_line() {
    let m = corpus();
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--bench",
        "ct",
        "--filter",
        "table_lookup",
        "--engine",
        "taint",
    ]);
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    let row = text
        .lines()
        .find(|l| l.starts_with("table_lookup"))
        .unwrap_or_else(|| panic!("{text}"));
    assert!(
        row.contains("leak") && row.contains("src/lib.rs:") && row.contains("uninitialised"),
        "{row}"
    );
}

#[test]
fn list_declassify_names_call_sites() {
    let m = corpus();
    let out = ctv(&["--manifest-path", m.to_str().unwrap(), "--list-declassify"]);
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        text.lines()
            .any(|l| l.starts_with("src/lib.rs:") && l.contains("secret_core_eq")),
        "{text}"
    );
}

#[test]
fn dudect_finds_a_gross_leak_and_passes_constant_time_code() {
    let m = corpus();
    let plots = scratch("plots");
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--bench",
        "ct",
        "--engine",
        "dudect",
        "--filter",
        "_eq",
        "--dudect-budget",
        "3",
        "--plot",
        plots.to_str().unwrap(),
        "--format",
        "json",
    ]);
    let r = results(&String::from_utf8_lossy(&out.stdout));
    let (leaky, evidence) = &r[&("early_exit_eq".into(), "dudect".into())];
    assert_eq!(leaky, "leak", "{evidence}");
    assert!(evidence["t"].as_f64().unwrap().abs() > 4.5);
    // Confirmed: two samples (three when the first two disagreed), each with the minimum
    // evidence and measurements that span at least 100 timer resolutions, at least two of
    // them above the threshold on their own.
    let samples = evidence["samples"].as_array().unwrap();
    assert!((2..=3).contains(&samples.len()), "{evidence}");
    let resolution = evidence["timer_resolution"].as_u64().unwrap();
    for s in samples {
        assert!(s["measurements"].as_u64().unwrap() >= 10_000, "{evidence}");
        assert!(
            s["median_ticks"].as_u64().unwrap() >= 100 * resolution,
            "{evidence}"
        );
    }
    let above = samples
        .iter()
        .filter(|s| s["t"].as_f64().unwrap().abs() > 4.5)
        .count();
    assert!(above >= 2, "{evidence}");
    for ct in ["or_accumulate_eq", "subtle_eq", "secret_core_eq"] {
        let (v, e) = &r[&(ct.into(), "dudect".into())];
        assert_eq!(v, "constant-time", "{ct}: {e}");
        assert!(
            e["calls_per_measurement"].as_u64().unwrap() >= 1,
            "{ct}: {e}"
        );
    }
    assert_eq!(out.status.code(), Some(1), "{}", stderr(&out));
    assert!(plots.join("early_exit_eq-t.svg").exists());
    assert!(plots.join("early_exit_eq-hist.svg").exists());
}

#[test]
fn too_small_a_dudect_budget_is_inconclusive_and_exits_2() {
    let m = corpus();
    let out = ctv(&[
        "--manifest-path",
        m.to_str().unwrap(),
        "--bench",
        "ct",
        "--engine",
        "dudect",
        "--filter",
        "bigint_modpow",
        "--dudect-budget",
        "0.001",
        "--format",
        "json",
    ]);
    let r = results(&String::from_utf8_lossy(&out.stdout));
    let (v, e) = &r[&("bigint_modpow".into(), "dudect".into())];
    assert_eq!(v, "inconclusive", "{e}");
    assert!(e["samples"]
        .as_array()
        .unwrap()
        .iter()
        .any(|s| s["measurements"].as_u64().unwrap() < 10_000));
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
}
