//! `cargo xtask <command>`: the repository's checks that are more than glue, in Rust with unit
//! tests; the shell scripts that CI and `scripts/test-all` call only forward to them.
//!
//! - `bench-gate [--update]`: the performance gate (`scripts/bench-gate`).
//! - `perf-report`: the Cortex-M performance tables and their count baseline
//!   (`no_std-examples/perf.sh`).
//! - `wipe-codegen`: the drop-time wipe in the emitted assembly, on x86_64 and Cortex-M
//!   (`tests/arch-check/wipe-codegen.sh`).
//! - `no-division`: no division in secret-core's primitives on Cortex-M0 and M4 at opt-level
//!   "s" and "z" (`tests/arch-check/no-division.sh`).
//!
//! Exit status: 0 pass, 1 a check failed, 2 the check could not run. Run from the repository
//! root (`cargo xtask` finds its alias there).

mod asm;
mod bench_gate;
mod no_division;
mod perf_report;
mod wipe_codegen;

use std::process::{Command, ExitCode};

/// Why a command did not pass: a failed check (exit 1) or one that could not run (exit 2).
#[derive(Debug)]
pub enum Failure {
    /// A check ran and found a problem: exit 1.
    Failed(String),
    /// A check could not run (a tool missing, a build failed, a bad argument): exit 2.
    CannotRun(String),
}

impl Failure {
    fn failed(message: impl Into<String>) -> Failure {
        Failure::Failed(message.into())
    }

    fn cannot(message: impl Into<String>) -> Failure {
        Failure::CannotRun(message.into())
    }
}

impl From<std::io::Error> for Failure {
    fn from(e: std::io::Error) -> Failure {
        Failure::CannotRun(e.to_string())
    }
}

/// The trimmed stdout of a command that must succeed.
/// `cargo ARGS --manifest-path MANIFEST --target-dir TARGET_DIR` for a fixture crate, with
/// default code generation: flags from the environment (e.g. `-C target-cpu=native`) would make
/// the emitted code, and so the check, depend on the machine that runs it.
fn fixture_cargo(args: &[&str], manifest: &str, target_dir: &str) -> Command {
    let mut command = Command::new("cargo");
    command
        .args(args)
        .args(["--manifest-path", manifest, "--target-dir", target_dir]);
    for var in [
        "RUSTFLAGS",
        "CARGO_ENCODED_RUSTFLAGS",
        "CARGO_BUILD_RUSTFLAGS",
    ] {
        command.env_remove(var);
    }
    command
}

fn run_text(command: &mut Command) -> Result<String, Failure> {
    let out = command.output()?;
    if !out.status.success() {
        return Err(Failure::cannot(format!(
            "{command:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        )));
    }
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (name, result) = match args.first().map(String::as_str) {
        Some("bench-gate") => ("bench-gate", bench_gate::main(&args[1..])),
        Some("wipe-codegen") => ("wipe-codegen", wipe_codegen::main(&args[1..])),
        Some("no-division") => ("no-division", no_division::main(&args[1..])),
        Some("perf-report") => ("perf-report", perf_report::main(&args[1..])),
        _ => {
            eprintln!(
                "usage: cargo xtask bench-gate [--update] | cargo xtask wipe-codegen | cargo xtask perf-report | cargo xtask no-division"
            );
            return ExitCode::from(2);
        }
    };
    match result {
        Ok(()) => ExitCode::SUCCESS,
        Err(Failure::Failed(message)) => {
            eprintln!("{name}: {message}");
            ExitCode::from(1)
        }
        Err(Failure::CannotRun(message)) => {
            eprintln!("{name}: {message}");
            ExitCode::from(2)
        }
    }
}
