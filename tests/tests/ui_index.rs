//! Indexing a table by a secret must not compile, and the error must point to `ct_lookup`.
//!
//! Not a trybuild case: for `table[secret]` rustc lists the other `Index` impls (core's `[T]`
//! and `[T; N]`, secret-core's guard) in an order that differs between builds of the same
//! source on the same toolchain (CI saw `[T; N]` first where local builds printed `[T]`
//! first), so the whole stderr cannot be compared byte for byte. This test compiles
//! `ui/index/index.rs` with cargo and checks what does not vary: one E0277 per indexing line
//! and nothing else, each saying the table cannot be indexed by `Secret<usize>` and showing the
//! guard's `ct_lookup` hint. The control, `ui/index/lookup.rs` (the same lookups through
//! `ct_lookup`), must compile in the same crate, so the failure is the indexing and not the set-up.

use std::path::{Path, PathBuf};
use std::process::Command;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/ui/index");

/// A scratch crate depending on this workspace's secret-core, with both cases as binaries and
/// the workspace's lock file (the same dependency versions, nothing to resolve).
fn scratch_crate() -> PathBuf {
    let dir = Path::new(env!("CARGO_TARGET_TMPDIR")).join("ui-index");
    let bin = dir.join("src/bin");
    std::fs::create_dir_all(&bin).unwrap();
    let workspace = Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap();
    let manifest = format!(
        "[package]\nname = \"ui-index\"\nversion = \"0.0.0\"\nedition = \"2021\"\npublish = false\n\n\
         [dependencies]\nsecret-core = {{ path = {:?}, features = [\"alloc\"] }}\n\n[workspace]\n",
        workspace.join("secret-core")
    );
    std::fs::write(dir.join("Cargo.toml"), manifest).unwrap();
    std::fs::copy(workspace.join("Cargo.lock"), dir.join("Cargo.lock")).unwrap();
    for case in ["index", "lookup"] {
        let source = Path::new(CASES).join(format!("{case}.rs"));
        std::fs::copy(source, bin.join(format!("{case}.rs"))).unwrap();
    }
    dir
}

/// `cargo check --bin <bin>` in the scratch crate: success and stderr.
fn check(dir: &Path, bin: &str) -> (bool, String) {
    let cargo = std::env::var_os("CARGO").unwrap_or_else(|| "cargo".into());
    let out = Command::new(cargo)
        .args(["check", "--quiet", "--color", "never", "--bin", bin])
        .current_dir(dir)
        .env("CARGO_TARGET_DIR", dir.join("target"))
        .output()
        .unwrap();
    (
        out.status.success(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// The rustc diagnostics in `stderr`, one string each (from an `error`/`warning` line to the
/// next), without cargo's closing "could not compile" line.
fn diagnostics(stderr: &str) -> Vec<String> {
    let mut all: Vec<String> = Vec::new();
    for line in stderr.lines() {
        if line.starts_with("error") || line.starts_with("warning") {
            all.push(String::new());
        }
        if let Some(last) = all.last_mut() {
            last.push_str(line);
            last.push('\n');
        }
    }
    all.retain(|d| !d.starts_with("error: could not compile"));
    all
}

#[test]
fn indexing_by_a_secret_is_refused_with_a_hint_and_ct_lookup_compiles() {
    let dir = scratch_crate();

    let (ok, stderr) = check(&dir, "lookup");
    assert!(ok, "the control (ct_lookup) must compile:\n{stderr}");

    let (ok, stderr) = check(&dir, "index");
    assert!(!ok, "indexing by a secret compiled");
    let source = std::fs::read_to_string(Path::new(CASES).join("index.rs")).unwrap();
    let indexing_lines: Vec<usize> = source
        .lines()
        .enumerate()
        .filter(|(_, l)| l.contains("[i"))
        .map(|(n, _)| n + 1)
        .collect();
    assert_eq!(indexing_lines.len(), 3, "index.rs changed: {source}");

    let errors = diagnostics(&stderr);
    let lines: Vec<usize> = errors
        .iter()
        .map(|e| {
            assert!(e.starts_with("error[E0277]"), "unexpected diagnostic:\n{e}");
            assert!(
                e.contains("cannot be indexed by `Secret<usize>`"),
                "no indexing message:\n{e}"
            );
            assert!(
                e.contains("use `ct_lookup(&table, &secret)`"),
                "no ct_lookup hint:\n{e}"
            );
            let at = e.split("--> src/bin/index.rs:").nth(1).unwrap_or_else(|| {
                panic!("no location in index.rs:\n{e}");
            });
            at.split(':').next().unwrap().parse().unwrap()
        })
        .collect();
    assert_eq!(
        lines, indexing_lines,
        "one error per indexing line:\n{stderr}"
    );
}
