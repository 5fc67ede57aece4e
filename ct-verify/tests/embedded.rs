//! `cargo ct-verify --target thumbv*` on no_std-examples' firmware suite under QEMU.
//!
//! Needs `qemu-system-arm`, a C compiler and the rustup targets; a missing one fails the test
//! (CI installs them), it is never skipped.

use std::path::PathBuf;
use std::process::Command;
use std::sync::Mutex;

use serde_json::Value;

/// One QEMU-heavy run at a time (the machines have two cores and the runs use both).
static SERIAL: Mutex<()> = Mutex::new(());

fn firmware_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../no_std-examples")
}

/// Runs `cargo-ct-verify --target TARGET --format json [extra]` in no_std-examples.
fn ct_verify(target: &str, extra: &[&str], env: &[(&str, &str)]) -> (i32, Value, String) {
    let _guard = SERIAL.lock().unwrap_or_else(|e| e.into_inner());
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_cargo-ct-verify"));
    cmd.current_dir(firmware_dir())
        .args(["ct-verify", "--target", target, "--format", "json"])
        .args(extra);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = cmd.output().expect("run cargo-ct-verify");
    let stderr = String::from_utf8_lossy(&out.stderr).into_owned();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// The verdicts of `check` by engine.
fn verdicts(report: &Value, check: &str) -> Vec<(String, String)> {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .filter(|r| r["target"] == check)
        .map(|r| {
            (
                r["engine"].as_str().unwrap_or("").to_string(),
                r["verdict"].as_str().unwrap_or("").to_string(),
            )
        })
        .collect()
}

fn verdict(report: &Value, check: &str, engine: &str) -> String {
    verdicts(report, check)
        .into_iter()
        .find(|(e, _)| e == engine)
        .map(|(_, v)| v)
        .unwrap_or_else(|| panic!("no {engine} result for {check}"))
}

fn assert_self_test(report: &Value, target: &str) {
    assert_eq!(
        verdict(report, "leak_early_exit_eq", "trace"),
        "leak",
        "{target}"
    );
    assert_eq!(
        verdict(report, "leak_early_exit_eq", "count"),
        "leak",
        "{target}"
    );
    for (engine, v) in verdicts(report, "secret_core_ct_eq") {
        assert_eq!(v, "constant-time", "{target}: secret_core_ct_eq {engine}");
    }
}

/// The whole firmware suite on one core: the self-test pair and the controls are caught, every
/// secret-core primitive is constant-time under every engine.
fn whole_suite(target: &str) {
    let (code, report, stderr) = ct_verify(target, &[], &[]);
    assert_eq!(code, 1, "{target}: {stderr}");
    assert_eq!(report["tool"], "ct-verify");
    assert_self_test(&report, target);
    assert_eq!(
        verdict(&report, "leak_table_index", "trace"),
        "leak",
        "{target}"
    );
    assert_eq!(verdict(&report, "leak_udiv", "audit"), "leak", "{target}");
    let results = report["results"].as_array().unwrap();
    assert!(results.len() > 100, "{target}: {} results", results.len());
    for r in results {
        let name = r["target"].as_str().unwrap();
        if !name.starts_with("leak_") {
            assert_eq!(
                r["verdict"], "constant-time",
                "{target}: {name} {}: {}",
                r["engine"], r["evidence"]
            );
        }
    }
    // The first divergence names the source line of the early exit.
    let ev = &results
        .iter()
        .find(|r| r["target"] == "leak_early_exit_eq" && r["engine"] == "trace")
        .unwrap()["evidence"]["first_divergence"];
    assert!(
        ev["after"]["location"]
            .as_str()
            .is_some_and(|l| l.contains("benches/ct.rs")),
        "{target}: {ev}"
    );
}

#[test]
fn thumbv6m_whole_suite() {
    whole_suite("thumbv6m-none-eabi");
}

#[test]
fn thumbv7m_whole_suite() {
    // Cortex-M3: also proves secret-core's 64-bit multiply avoids the early-terminating UMULL.
    whole_suite("thumbv7m-none-eabi");
}

#[test]
fn thumbv7em_whole_suite() {
    whole_suite("thumbv7em-none-eabihf");
}

#[test]
fn thumbv8m_main_whole_suite() {
    whole_suite("thumbv8m.main-none-eabihf");
}

/// The audit finding of `check` (its first), from a report.
fn audit_finding(report: &Value, check: &str) -> Value {
    report["results"]
        .as_array()
        .expect("results")
        .iter()
        .find(|r| r["target"] == check && r["engine"] == "audit")
        .map(|r| r["evidence"]["findings"][0].clone())
        .unwrap_or(Value::Null)
}

fn trio(target: &str, udiv_engine: &str) {
    for check in [
        "leak_early_exit_eq",
        "secret_core_ct_eq",
        "leak_udiv",
        "public_udiv",
    ] {
        let (code, report, stderr) = ct_verify(target, &["--filter", check], &[]);
        match check {
            // A divide of public values: executed, but with the same operands for every secret
            // (read through QEMU's gdbstub), so a note, not a leak.
            "public_udiv" => {
                assert_eq!(code, 0, "{target} {check}: {stderr}");
                for (engine, v) in verdicts(&report, check) {
                    assert_eq!(v, "constant-time", "{target}: {check} {engine}");
                }
                let f = audit_finding(&report, check);
                assert_eq!(f["severity"], "note", "{target}: {f}");
                assert_eq!(f["operands"]["verdict"], "same", "{target}: {f}");
            }
            "secret_core_ct_eq" => {
                assert_eq!(code, 0, "{target} {check}: {stderr}");
                assert_self_test_ct(&report, target);
            }
            "leak_early_exit_eq" => {
                assert_eq!(code, 1, "{target} {check}: {stderr}");
                assert_eq!(verdict(&report, check, "trace"), "leak", "{target}");
            }
            _ => {
                assert_eq!(code, 1, "{target} {check}: {stderr}");
                assert_eq!(verdict(&report, check, udiv_engine), "leak", "{target}");
                assert_eq!(verdict(&report, check, "audit"), "leak", "{target}");
                // The secret divisor differs between two inputs.
                let f = audit_finding(&report, check);
                assert_eq!(f["operands"]["verdict"], "differ", "{target}: {f}");
            }
        }
    }
}

fn assert_self_test_ct(report: &Value, target: &str) {
    for check in ["secret_core_ct_eq", "secret_core_ct_eq_public"] {
        for (engine, v) in verdicts(report, check) {
            assert_eq!(v, "constant-time", "{target}: {check} {engine}");
        }
    }
}

#[test]
fn thumbv6m_trio() {
    // On Cortex-M0 `/` is a call to compiler-builtins' division loop: the trace differs too.
    trio("thumbv6m-none-eabi", "trace");
}

#[test]
fn thumbv7m_trio() {
    // On Cortex-M3 `/` is one UDIV: same trace, the audit reports it.
    trio("thumbv7m-none-eabi", "audit");
}

#[test]
fn missing_qemu_is_exit_2_with_the_install_command() {
    let (code, _, stderr) = ct_verify(
        "thumbv7m-none-eabi",
        &[],
        &[("CT_VERIFY_QEMU", "/nonexistent/qemu-system-arm")],
    );
    assert_eq!(code, 2, "{stderr}");
    assert!(
        stderr.contains("apt-get install -y qemu-system-arm"),
        "{stderr}"
    );
}

#[test]
fn unknown_target_and_unknown_filter_are_exit_2() {
    let (code, _, stderr) = ct_verify("riscv32imc-unknown-none-elf", &[], &[]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, stderr) = ct_verify("thumbv7em-none-eabihf", &["--filter", "no_such_check"], &[]);
    assert_eq!(code, 2, "{stderr}");
    assert!(stderr.contains("no check matches"), "{stderr}");
}
