//! The cargo driver: find the workspace, build the bench targets the way the engines need them,
//! and pick out the suite executables.
//!
//! Builds run `cargo bench --no-run --message-format=json-render-diagnostics` with debug info
//! (`CARGO_PROFILE_<PROFILE>_DEBUG=true`) and `--cfg secret_taint` (so `secret_core::Secret::new`
//! taints its value), into `<target dir>/ct-verify` so the user's own builds are not invalidated.
//! The profile is cargo's `bench` (which inherits `release`) unless `--profile` names another:
//! `cargo bench --profile dev` builds at opt-level 0 with debug assertions and overflow checks,
//! exactly as `cargo build` and `cargo test` do.

use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use crate::protocol;

/// A bench executable that calls [`crate::Suite::run`].
#[derive(Clone, Debug)]
pub struct SuiteExe {
    /// Bench target name (`[[bench]] name`), which `--bench` selects.
    pub bench: String,
    /// The built executable, in `<target dir>/ct-verify` so the user's own builds stay cached.
    pub exe: PathBuf,
    /// Its package's root directory (cargo runs benches from there).
    pub package_root: PathBuf,
}

/// What `cargo metadata` says about the workspace.
#[derive(Clone, Debug)]
pub struct Metadata {
    /// The parsed JSON.
    pub json: serde_json::Value,
    /// `target_directory`.
    pub target_directory: PathBuf,
    /// `workspace_root`.
    pub workspace_root: PathBuf,
}

/// The cargo to run (`$CARGO` when started by cargo).
pub fn cargo() -> String {
    std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string())
}

/// Runs `cargo metadata`; `no_deps` skips the dependency graph.
pub fn metadata(manifest_path: Option<&Path>, no_deps: bool) -> Result<Metadata, String> {
    let mut cmd = Command::new(cargo());
    cmd.args(["metadata", "--format-version", "1"]);
    if no_deps {
        cmd.arg("--no-deps");
    }
    if let Some(m) = manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        let err = String::from_utf8_lossy(&out.stderr);
        let line = err
            .lines()
            .find(|l| l.starts_with("error"))
            .unwrap_or(err.lines().next().unwrap_or(""));
        return Err(format!(
            "cargo metadata failed: {}",
            line.trim_start_matches("error: ")
        ));
    }
    let json: serde_json::Value = serde_json::from_slice(&out.stdout)
        .map_err(|e| format!("cargo metadata printed bad JSON: {e}"))?;
    let path = |k: &str| {
        json[k]
            .as_str()
            .map(PathBuf::from)
            .ok_or_else(|| format!("cargo metadata has no {k}"))
    };
    Ok(Metadata {
        target_directory: path("target_directory")?,
        workspace_root: path("workspace_root")?,
        json,
    })
}

/// A bench target name no package has (cargo's target names cannot contain `!`), for
/// [`check_profile`].
const NO_SUCH_BENCH: &str = "ct-verify!probe";

/// Fails with cargo's own reason when cargo does not know `profile` (neither built in: `dev`,
/// `release`, `test`, `bench`, nor a `[profile.NAME]` of the workspace manifest or a cargo
/// config), before anything is built.
///
/// It asks cargo itself, so profiles from every place cargo reads them count: `cargo bench
/// --no-run --profile NAME --bench <a name no target has>` checks the profile first and stops
/// there (a fraction of a second, nothing compiled); with a known profile it stops at the
/// missing bench target instead.
pub fn check_profile(manifest_path: Option<&Path>, profile: &str) -> Result<(), String> {
    let mut cmd = Command::new(cargo());
    cmd.args([
        "bench",
        "--no-run",
        "--profile",
        profile,
        "--bench",
        NO_SUCH_BENCH,
    ]);
    if let Some(m) = manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    let out = cmd
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let err = String::from_utf8_lossy(&out.stderr);
    match err.lines().find(|l| l.starts_with("error")) {
        Some(line) if line.contains("profile") && !line.contains(NO_SUCH_BENCH) => {
            let hint = if line.contains("not defined") {
                format!(
                    " (built-in profiles: dev, release, test, bench; others need a \
                     [profile.{profile}] section in the workspace Cargo.toml)"
                )
            } else {
                String::new()
            };
            Err(format!(
                "--profile `{profile}`: cargo says \"{}\"{hint}",
                line.trim_start_matches("error: ")
            ))
        }
        // Anything else (the expected missing bench target, a broken manifest) is left to the
        // build, which reports it in full.
        _ => Ok(()),
    }
}

/// The variable that turns on debug info for `profile` (`CARGO_PROFILE_<NAME>_DEBUG`, the name
/// upper-cased with `-` as `_`): ct-verify's reports name file:line from it.
fn debug_env(profile: &str) -> String {
    format!(
        "CARGO_PROFILE_{}_DEBUG",
        profile.to_ascii_uppercase().replace('-', "_")
    )
}

/// Builds the bench targets with cargo's `profile` (`None`: `bench`) and returns those that are
/// ct-verify suites.
pub fn build(
    manifest_path: Option<&Path>,
    bench: Option<&str>,
    profile: Option<&str>,
    meta: &Metadata,
) -> Result<Vec<SuiteExe>, String> {
    let target_dir = meta.target_directory.join("ct-verify");
    let mut cmd = bench_command(manifest_path, bench, profile);
    cmd.env("CARGO_TARGET_DIR", &target_dir)
        .env(debug_env(profile.unwrap_or("bench")), "true")
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit());
    let mut child = cmd.spawn().map_err(|e| format!("cannot run cargo: {e}"))?;
    let found = match child.stdout.take() {
        Some(stdout) => bench_executables(stdout, meta),
        None => Vec::new(),
    };
    let status = child.wait().map_err(|e| format!("cargo: {e}"))?;
    if !status.success() {
        return Err(format!(
            "build failed: `cargo bench --no-run{}` exited with status {}",
            profile.map_or(String::new(), |p| format!(" --profile {p}")),
            status
                .code()
                .map_or("(signal)".to_string(), |c| c.to_string())
        ));
    }
    let mut suites = Vec::new();
    for (name, exe, root) in found {
        if is_suite(&exe) {
            suites.push(SuiteExe {
                bench: name,
                exe,
                package_root: root,
            });
        } else if bench == Some(name.as_str()) {
            return Err(format!(
                "bench `{name}` does not call ct_verify::Suite::run"
            ));
        }
    }
    if suites.is_empty() {
        return Err("no bench target calls ct_verify::Suite::run (add one, e.g. benches/ct.rs with `harness = false`)".into());
    }
    Ok(suites)
}

/// `cargo bench --no-run` with JSON messages for the wanted benches, with `--cfg secret_taint`
/// added to the user's rustflags (encoded or not, whichever cargo would read).
fn bench_command(
    manifest_path: Option<&Path>,
    bench: Option<&str>,
    profile: Option<&str>,
) -> Command {
    let mut cmd = Command::new(cargo());
    cmd.args([
        "bench",
        "--no-run",
        "--message-format=json-render-diagnostics",
    ]);
    if let Some(m) = manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    if let Some(p) = profile {
        cmd.args(["--profile", p]);
    }
    match bench {
        Some(b) => cmd.args(["--bench", b]),
        None => cmd.arg("--benches"),
    };
    let cfg = "--cfg secret_taint";
    match std::env::var("CARGO_ENCODED_RUSTFLAGS") {
        Ok(enc) if !enc.is_empty() => {
            cmd.env(
                "CARGO_ENCODED_RUSTFLAGS",
                format!("{enc}\x1f--cfg\x1fsecret_taint"),
            );
        }
        _ => {
            let flags = std::env::var("RUSTFLAGS").unwrap_or_default();
            cmd.env(
                "RUSTFLAGS",
                if flags.trim().is_empty() {
                    cfg.to_string()
                } else {
                    format!("{flags} {cfg}")
                },
            );
        }
    }
    cmd
}

/// From cargo's JSON messages, every bench executable built: (bench name, executable, its
/// package's directory).
fn bench_executables(
    stdout: impl std::io::Read,
    meta: &Metadata,
) -> Vec<(String, PathBuf, PathBuf)> {
    let mut found = Vec::new();
    for line in BufReader::new(stdout).lines().map_while(Result::ok) {
        let Ok(msg) = serde_json::from_str::<serde_json::Value>(&line) else {
            continue;
        };
        if msg["reason"] != "compiler-artifact" {
            continue;
        }
        let is_bench = msg["target"]["kind"]
            .as_array()
            .is_some_and(|k| k.iter().any(|x| x == "bench"));
        let (Some(exe), true) = (msg["executable"].as_str(), is_bench) else {
            continue;
        };
        let name = msg["target"]["name"].as_str().unwrap_or("").to_string();
        let root = msg["manifest_path"]
            .as_str()
            .and_then(|m| Path::new(m).parent().map(Path::to_path_buf))
            .unwrap_or_else(|| meta.workspace_root.clone());
        found.push((name, PathBuf::from(exe), root));
    }
    found
}

/// Whether the executable contains ct-verify's suite runner (it mentions the mode variable).
pub fn is_suite(exe: &Path) -> bool {
    let Ok(bytes) = std::fs::read(exe) else {
        return false;
    };
    let needle = protocol::MODE.as_bytes();
    bytes.windows(needle.len()).any(|w| w == needle)
}

/// The standard output of `rustc ARG` (`$RUSTC` when set; through rustup's proxy, the
/// toolchain cargo uses here), or `None` when it cannot run.
fn rustc_says(arg: &str) -> Option<String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let out = Command::new(rustc).arg(arg).output().ok()?;
    out.status
        .success()
        .then(|| String::from_utf8_lossy(&out.stdout).into_owned())
}

/// The host triple, from `rustc -vV`.
pub fn host_triple() -> Option<String> {
    rustc_says("-vV")?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(|h| h.trim().to_string()))
}

/// `rustc -V` of the compiler cargo uses here.
pub fn rustc_version() -> Option<String> {
    rustc_says("-V").map(|v| v.trim().to_string())
}

/// Packages whose sources `--list-declassify` scans: workspace members and every package that
/// depends on `secret-core` (but not secret-core itself).
pub fn declassify_packages(meta: &Metadata) -> Vec<(String, PathBuf)> {
    let members: Vec<&str> = meta.json["workspace_members"]
        .as_array()
        .map(|a| a.iter().filter_map(|v| v.as_str()).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in meta.json["packages"].as_array().into_iter().flatten() {
        let name = p["name"].as_str().unwrap_or("");
        if name == "secret-core" {
            continue;
        }
        let id = p["id"].as_str().unwrap_or("");
        let uses = p["dependencies"]
            .as_array()
            .is_some_and(|d| d.iter().any(|d| d["name"] == "secret-core"));
        if !(members.contains(&id) || uses) {
            continue;
        }
        if let Some(dir) = p["manifest_path"]
            .as_str()
            .and_then(|m| Path::new(m).parent())
        {
            out.push((name.to_string(), dir.to_path_buf()));
        }
    }
    out
}
