//! `cargo ct-verify --target thumbv*`: the firmware suite under QEMU.
//!
//! The crate (for example `no_std-examples`) has a firmware binary `ct_suite` that runs one
//! check on one secret input, taken from the semihosting command line
//! (`ct_suite CHECK INPUTHEX [systick]`), between two marker functions `ct_marker_start` and
//! `ct_marker_end`; `ct_suite list` prints `check NAME` lines. ct-verify builds it for the
//! triple (`cargo build --release --target T --bin ct_suite`), runs every check on every input
//! under `qemu-system-arm` on the triple's board, and judges:
//!
//! | engine | how | sees | cannot see |
//! |--------|-----|------|------------|
//! | `trace` (asked for as `taint`: valgrind does not run firmware) | a TCG plugin records every executed PC and every load/store address between the markers; the traces must be identical for every input | secret-dependent branches, loop counts and memory addresses, inside library code too; the first difference is reported with its function and `file:line` | instruction latency (QEMU models no cycles), inputs not tried |
//! | `count` | instructions between the markers per input, from the trace, and independently on the device: SysTick from the core clock under `-icount shift=10,align=off,sleep=off` (ticks = instructions × 1.024 µs × clock) | any change of the instruction count | same-length paths, addresses, latency |
//! | `audit` | decodes every executed instruction | `UDIV`/`SDIV` (v7-M, v7E-M, v8-M), `UMULL`/`SMULL`/`UMLAL`/`SMLAL` (Cortex-M3, early-terminating), calls to division helpers on any core and multiply helpers on v6-M (the latter as notes) | whether the operands were secret: every executed instance is reported |
//!
//! Inputs: all-zero, all-ones, four seeded random inputs and one whose two 32-byte halves are
//! equal (64 bytes each; a check reads the bytes it needs). QEMU 7.2, boards per triple in
//! [`qemu::BOARDS`].

pub mod audit;
pub mod plugin;
pub mod qemu;
pub mod symbolize;
pub mod trace;

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use serde_json::json;

use crate::engine::{CheckResult, Engine, Verdict};
use qemu::{Board, RunSpec};
use symbolize::Elf32;
use trace::Trace;

/// The firmware binary that holds the checks.
pub const SUITE_BIN: &str = "ct_suite";

/// The part of the command line that `--target thumbv*` uses.
#[derive(Clone, Debug)]
pub struct EmbeddedOptions {
    /// Target triple (`thumbv6m-none-eabi`, ...).
    pub target: String,
    /// The firmware crate's Cargo.toml (default: the one in the current directory).
    pub manifest_path: Option<PathBuf>,
    /// Only checks whose name contains this.
    pub filter: Option<String>,
    /// Only the checks of this part (after `filter`).
    pub partition: Option<crate::partition::Partition>,
    /// Engines: `Taint` runs the trace engine; `Count`, `Audit`; `Dudect` is not available.
    pub engines: Vec<Engine>,
    /// Kill one QEMU run after this long.
    pub timeout: Duration,
    /// QEMU runs at a time.
    pub jobs: usize,
}

impl EmbeddedOptions {
    /// Defaults for `target`: trace, count and audit; 2 minutes per run; one job per core.
    pub fn new(target: &str) -> Self {
        EmbeddedOptions {
            target: target.to_string(),
            manifest_path: None,
            filter: None,
            partition: None,
            engines: vec![Engine::Taint, Engine::Count, Engine::Audit],
            timeout: Duration::from_secs(120),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// Whether `triple` is a Cortex-M target this module runs.
pub fn is_embedded_target(triple: &str) -> bool {
    qemu::board(triple).is_some()
}

/// Runs `cargo ct-verify --target THUMB...` for the command line: the report and the exit code.
#[cfg(feature = "cli")]
pub fn run_from_cli(args: &crate::cli::Args) -> Result<i32, String> {
    use crate::report::Report;
    use std::io::Write;

    let target = args.target.clone().unwrap_or_default();
    if args.baseline.is_some() || args.save_baseline.is_some() {
        return Err(format!(
            "--baseline/--save-baseline are not supported with --target {target} yet"
        ));
    }
    if args.exe.is_some() || args.list_declassify || args.bench.is_some() {
        return Err(format!(
            "--exe, --bench and --list-declassify do not apply to --target {target} (the firmware suite is the `{SUITE_BIN}` binary)"
        ));
    }
    let started = std::time::Instant::now();
    let mut opts = EmbeddedOptions::new(&target);
    opts.manifest_path = args.manifest_path.clone();
    opts.filter = args.filter.clone();
    opts.partition = args.partition;
    opts.engines = args.engine.0.clone();
    opts.timeout = Duration::from_secs(args.timeout.clamp(1, 600));
    let (listed, results) = run(&opts)?;
    let report = Report { results };
    let text = match opts.partition {
        Some(p) if args.format == crate::report::Format::Json => {
            let info = crate::merge::PartInfo::of_run(p, &target, &opts.engines, listed, false);
            crate::merge::part_json(&report, info, &Default::default())
        }
        _ => report.render(args.format),
    };
    match &args.output {
        Some(path) => {
            std::fs::write(path, &text)
                .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
            eprintln!("{}", report.summary_line());
        }
        None => {
            let _ = std::io::stdout().write_all(text.as_bytes());
        }
    }
    eprintln!(
        "ct-verify: finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(report.exit_code())
}

/// Builds the firmware suite for `opts.target`, runs every check under QEMU and judges it:
/// every check after `opts.filter` (before `opts.partition`) in run order, and the results.
///
/// `Err` means the run could not happen (exit status 2): QEMU, the Rust target or a C compiler
/// missing, the build failed, no checks.
pub fn run(opts: &EmbeddedOptions) -> Result<(Vec<String>, Vec<CheckResult>), String> {
    let board = qemu::board(&opts.target).ok_or_else(|| {
        format!(
            "--target {}: not supported; Cortex-M targets: {}",
            opts.target,
            qemu::BOARDS
                .iter()
                .map(|b| b.triple)
                .collect::<Vec<_>>()
                .join(", ")
        )
    })?;
    let want_trace = opts.engines.contains(&Engine::Taint);
    let want_count = opts.engines.contains(&Engine::Count);
    let want_audit = opts.engines.contains(&Engine::Audit);
    if !(want_trace || want_count || want_audit) {
        return Err(format!(
            "--target {}: the dudect engine does not run on firmware yet; use trace (`taint`), count or audit",
            opts.target
        ));
    }
    if opts.engines.contains(&Engine::Dudect) {
        eprintln!(
            "ct-verify: warning: dudect does not run on firmware yet; running the other engines"
        );
    }
    let qemu_version = qemu::check_available()?;
    check_rust_target(&opts.target)?;
    eprintln!(
        "ct-verify: building the firmware suite for {} ({}, QEMU -machine {})",
        board.triple, board.core, board.machine
    );
    let elf_path = build_firmware(opts)?;
    let cache = elf_path
        .parent()
        .map_or_else(std::env::temp_dir, Path::to_path_buf)
        .join("ct-verify");
    let so = plugin::ensure_built(&cache)?;
    let elf = Elf32::load(&elf_path)?;
    let start = elf
        .symbol_address("ct_marker_start")
        .ok_or_else(|| format!("{}: no `ct_marker_start` function", elf_path.display()))?;
    let end = elf
        .symbol_address("ct_marker_end")
        .ok_or_else(|| format!("{}: no `ct_marker_end` function", elf_path.display()))?;

    let checks = list_checks(board, &elf_path, opts.timeout)?;
    let checks: Vec<String> = checks
        .into_iter()
        .filter(|c| opts.filter.as_deref().is_none_or(|f| c.contains(f)))
        .collect();
    if checks.is_empty() {
        return Err(match &opts.filter {
            Some(f) => format!("no check matches --filter `{f}`"),
            None => format!("`{SUITE_BIN}` lists no checks"),
        });
    }
    let listed = checks.clone();
    let checks: Vec<String> = checks
        .into_iter()
        .filter(|c| opts.partition.is_none_or(|p| p.contains(c)))
        .collect();
    if let (Some(p), true) = (opts.partition, checks.is_empty()) {
        eprintln!(
            "ct-verify: partition {p} holds none of the {} checks: an empty report",
            listed.len()
        );
        return Ok((listed, Vec::new()));
    }
    let inputs = inputs();
    eprintln!(
        "ct-verify: {} checks x {} inputs on {} ({qemu_version})",
        checks.len(),
        inputs.len(),
        board.machine
    );

    // Every (check, input, mode) run, in parallel.
    let scratch = crate::process::ScratchDir::new("qemu")
        .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
    let mut jobs: Vec<Job> = Vec::new();
    for (ci, _) in checks.iter().enumerate() {
        for (ii, _) in inputs.iter().enumerate() {
            if want_trace || want_count || want_audit {
                jobs.push(Job {
                    check: ci,
                    input: ii,
                    systick: false,
                });
            }
            if want_count {
                jobs.push(Job {
                    check: ci,
                    input: ii,
                    systick: true,
                });
            }
        }
    }
    let outcomes: Mutex<HashMap<(usize, usize, bool), Outcome>> = Mutex::new(HashMap::new());
    let next = AtomicUsize::new(0);
    let done = AtomicUsize::new(0);
    std::thread::scope(|s| {
        for _ in 0..opts.jobs.max(1) {
            s.spawn(|| loop {
                let i = next.fetch_add(1, Ordering::Relaxed);
                let Some(job) = jobs.get(i) else { break };
                let check = &checks[job.check];
                let (_, hex) = &inputs[job.input];
                let out_file = scratch.path().join(format!("t{i}.bin"));
                let mut args = vec![SUITE_BIN.to_string(), check.clone(), hex.clone()];
                if job.systick {
                    args.push("systick".into());
                }
                let spec = RunSpec {
                    board,
                    elf: &elf_path,
                    args,
                    plugin: (!job.systick).then(|| plugin::argument(&so, start, end, &out_file)),
                    icount: job.systick,
                    timeout: opts.timeout,
                };
                let outcome = run_one(&spec, check, job.systick, &out_file, board);
                let _ = std::fs::remove_file(&out_file);
                if let Ok(mut m) = outcomes.lock() {
                    m.insert((job.check, job.input, job.systick), outcome);
                }
                let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                if n % 100 == 0 || n == jobs.len() {
                    eprintln!("ct-verify: {n}/{} QEMU runs", jobs.len());
                }
            });
        }
    });
    let outcomes = outcomes
        .into_inner()
        .map_err(|_| "a QEMU worker panicked")?;

    let mut results = Vec::new();
    for (ci, check) in checks.iter().enumerate() {
        let get = |ii: usize, systick: bool| outcomes.get(&(ci, ii, systick));
        // Traces for every input, or the first error.
        let mut traces: Vec<(&str, &Trace)> = Vec::new();
        let mut failure: Option<String> = None;
        for (ii, (name, _)) in inputs.iter().enumerate() {
            match get(ii, false) {
                Some(Outcome::Trace(t)) => traces.push((name.as_str(), t)),
                Some(Outcome::Failed(e)) => {
                    failure.get_or_insert_with(|| format!("input {name}: {e}"));
                }
                _ => {
                    failure.get_or_insert_with(|| format!("input {name}: no result"));
                }
            }
        }
        if let Some(e) = failure {
            for (want, engine) in [
                (want_trace, "trace"),
                (want_count, "count"),
                (want_audit, "audit"),
            ] {
                if want {
                    results.push(CheckResult::error(check, engine, e.clone()));
                }
            }
            continue;
        }
        if want_trace {
            results.push(judge_trace(check, &elf, &traces));
        }
        if want_count {
            let ticks: Vec<(&str, Result<u64, String>)> = inputs
                .iter()
                .enumerate()
                .map(|(ii, (name, _))| {
                    let r = match get(ii, true) {
                        Some(Outcome::Ticks(t)) => Ok(*t),
                        Some(Outcome::Failed(e)) => Err(e.clone()),
                        _ => Err("no result".to_string()),
                    };
                    (name.as_str(), r)
                })
                .collect();
            results.push(judge_count(check, board, &traces, &ticks));
        }
        if want_audit {
            results.push(judge_audit(check, &elf, board, &traces));
        }
    }
    Ok((listed, results))
}

struct Job {
    check: usize,
    input: usize,
    systick: bool,
}

enum Outcome {
    Trace(Trace),
    Ticks(u64),
    Failed(String),
}

fn run_one(
    spec: &RunSpec<'_>,
    check: &str,
    systick: bool,
    out_file: &Path,
    board: Board,
) -> Outcome {
    let out = match qemu::run(spec) {
        Ok(o) => o,
        Err(e) => return Outcome::Failed(e),
    };
    let ran = format!("ct_suite: ran {check}");
    if out.status != Some(0) || !out.stdout.lines().any(|l| l.trim() == ran) {
        return Outcome::Failed(out.failure());
    }
    if systick {
        let ticks = out
            .stdout
            .lines()
            .find_map(|l| l.strip_prefix("ticks "))
            .and_then(|t| t.trim().parse::<u64>().ok());
        match ticks {
            Some(t) => Outcome::Ticks(t),
            None => Outcome::Failed(format!(
                "no `ticks` line from the SysTick run on {}",
                board.machine
            )),
        }
    } else {
        match Trace::read(out_file) {
            Ok(t) => Outcome::Trace(t),
            Err(e) => Outcome::Failed(format!("{e}; QEMU said: {}", out.stderr.trim())),
        }
    }
}

/// The secret inputs: name and 64 bytes of hex.
pub fn inputs() -> Vec<(String, String)> {
    let hex = |b: &[u8]| b.iter().map(|x| format!("{x:02x}")).collect::<String>();
    let mut state: u64 = 0x6374_7665_7269_6679; // fixed seed: runs are reproducible
    let mut random = || {
        let mut b = [0u8; 64];
        for chunk in b.chunks_mut(8) {
            // splitmix64
            state = state.wrapping_add(0x9e37_79b9_7f4a_7c15);
            let mut z = state;
            z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
            z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
            z ^= z >> 31;
            chunk.copy_from_slice(&z.to_le_bytes());
        }
        b
    };
    let mut v = vec![
        ("all-zero".to_string(), hex(&[0u8; 64])),
        ("all-ones".to_string(), hex(&[0xffu8; 64])),
    ];
    for i in 1..=4 {
        v.push((format!("random-{i}"), hex(&random())));
    }
    let mut equal = random();
    let (a, b) = equal.split_at_mut(32);
    b.copy_from_slice(a);
    v.push(("equal-halves".to_string(), hex(&equal)));
    v
}

fn check_rust_target(triple: &str) -> Result<(), String> {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".to_string());
    let out = Command::new(&rustc)
        .args(["--print", "sysroot"])
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run {rustc}: {e}"))?;
    let sysroot = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim());
    if sysroot
        .join("lib/rustlib")
        .join(triple)
        .join("lib")
        .is_dir()
    {
        Ok(())
    } else {
        Err(format!(
            "the Rust target {triple} is not installed: install it with `rustup target add {triple}`"
        ))
    }
}

/// `cargo build --release --target T --bin ct_suite`; returns the ELF.
fn build_firmware(opts: &EmbeddedOptions) -> Result<PathBuf, String> {
    let mut cmd = Command::new(std::env::var("CARGO").unwrap_or_else(|_| "cargo".to_string()));
    cmd.args([
        "build",
        "--release",
        "--target",
        &opts.target,
        "--bin",
        SUITE_BIN,
        "--message-format=json-render-diagnostics",
    ]);
    if let Some(m) = &opts.manifest_path {
        cmd.arg("--manifest-path").arg(m);
    }
    let out = cmd
        .stdin(Stdio::null())
        .stderr(Stdio::piped())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let stderr = String::from_utf8_lossy(&out.stderr);
    if !out.status.success() {
        if stderr.contains("no bin target named") {
            return Err(format!(
                "the crate has no `{SUITE_BIN}` binary: add src/bin/{SUITE_BIN}.rs (see no_std-examples) to check firmware"
            ));
        }
        let tail: Vec<&str> = stderr.lines().rev().take(15).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "building the firmware suite for {} failed:\n{}",
            opts.target,
            tail.join("\n")
        ));
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter(|v| v["reason"] == "compiler-artifact" && v["target"]["name"] == SUITE_BIN)
        .find_map(|v| v["executable"].as_str().map(PathBuf::from))
        .ok_or_else(|| format!("cargo built no `{SUITE_BIN}` executable"))
}

fn list_checks(board: Board, elf: &Path, timeout: Duration) -> Result<Vec<String>, String> {
    let out = qemu::run(&RunSpec {
        board,
        elf,
        args: vec![SUITE_BIN.into(), "list".into()],
        plugin: None,
        icount: false,
        timeout,
    })?;
    let names: Vec<String> = out
        .stdout
        .lines()
        .filter_map(|l| l.trim().strip_prefix("check "))
        .map(str::to_string)
        .collect();
    if out.status != Some(0) {
        return Err(format!(
            "cannot list the checks of `{SUITE_BIN}`: {}",
            out.failure()
        ));
    }
    Ok(names)
}

fn judge_trace(check: &str, elf: &Elf32, traces: &[(&str, &Trace)]) -> CheckResult {
    let (ref_name, reference) = traces[0];
    let lengths: serde_json::Map<String, serde_json::Value> = traces
        .iter()
        .map(|(n, t)| (n.to_string(), json!(t.events.len())))
        .collect();
    for &(name, t) in &traces[1..] {
        let Some(d) = trace::first_divergence(reference, t) else {
            continue;
        };
        // The PC where the traces part: the instruction (or the one making the access) at the
        // first differing event, in each trace; and the last instruction both executed.
        let pc_ref = reference.pc_at(d.index);
        let pc_other = t.pc_at(d.index);
        let common = reference.last_common_pc(d.index);
        let addrs: Vec<u32> = [pc_ref, pc_other, common].into_iter().flatten().collect();
        let locs = symbolize::locate(elf, &addrs);
        let loc = |a: Option<u32>| {
            a.and_then(|a| locs.get(&a).map(|l| l.to_json(a)))
                .unwrap_or(serde_json::Value::Null)
        };
        let event = |e: Option<trace::Event>| match e {
            Some(e) => json!({"kind": e.kind.name(), "address": format!("{:#010x}", e.addr)}),
            None => json!({"kind": "end of trace"}),
        };
        let at = pc_ref.or(pc_other);
        let where_ = at
            .and_then(|a| locs.get(&a).map(|l| l.short()))
            .unwrap_or_default();
        let after = match (d.reference, d.other, common) {
            (Some(a), Some(b), Some(c)) if a.kind == trace::Kind::Exec && b.kind == a.kind => {
                format!(
                    "; the paths part after {c:#x} {}",
                    locs.get(&c).map(|l| l.short()).unwrap_or_default()
                )
            }
            _ => String::new(),
        };
        let what = match (d.reference, d.other) {
            (Some(a), Some(b)) if a.kind == b.kind && a.kind != trace::Kind::Exec => {
                format!("{} address {:#x} vs {:#x}", a.kind.name(), a.addr, b.addr)
            }
            (Some(a), Some(b)) if a.kind == trace::Kind::Exec && b.kind == trace::Kind::Exec => {
                format!("next pc {:#x} vs {:#x}", a.addr, b.addr)
            }
            _ => "different trace length".to_string(),
        };
        return CheckResult {
            target: check.to_string(),
            engine: "trace".into(),
            verdict: Verdict::Leak,
            evidence: json!({
                "first_divergence": {
                    "inputs": [ref_name, name],
                    "event_index": d.index,
                    "pc": at.map(|a| format!("{a:#010x}")),
                    "at": loc(at),
                    "after": loc(common),
                    ref_name: event(d.reference),
                    name: event(d.other),
                },
                "trace_events": lengths,
            }),
            summary: format!(
                "traces of {ref_name} and {name} differ at event {} ({what}) at {:#x} {where_}{after}",
                d.index,
                at.unwrap_or(0)
            ),
        };
    }
    CheckResult {
        target: check.to_string(),
        engine: "trace".into(),
        verdict: Verdict::ConstantTime,
        evidence: json!({
            "inputs": traces.len(),
            "trace_events": lengths,
            "instructions": reference.instructions(),
        }),
        summary: format!(
            "{} identical PC+address traces ({} events, {} instructions)",
            traces.len(),
            reference.events.len(),
            reference.instructions()
        ),
    }
}

fn judge_count(
    check: &str,
    board: Board,
    traces: &[(&str, &Trace)],
    ticks: &[(&str, Result<u64, String>)],
) -> CheckResult {
    let counts: Vec<(&str, u64)> = traces.iter().map(|(n, t)| (*n, t.instructions())).collect();
    let per_insn = 1.024e-6 * board.systick_hz as f64; // ticks per instruction
    let mut systick = serde_json::Map::new();
    let mut device: Vec<u64> = Vec::new();
    let mut errors: Vec<String> = Vec::new();
    for (n, t) in ticks {
        match t {
            Ok(t) => {
                let insns = (*t as f64 / per_insn).round() as u64;
                device.push(insns);
                systick.insert(n.to_string(), json!({"ticks": t, "instructions": insns}));
            }
            Err(e) => errors.push(format!("{n}: {e}")),
        }
    }
    let instructions: serde_json::Map<String, serde_json::Value> = counts
        .iter()
        .map(|(n, c)| (n.to_string(), json!(c)))
        .collect();
    let evidence = json!({
        "instructions": instructions,
        "systick": systick,
        "systick_clock_hz": board.systick_hz,
        "icount": "shift=10,align=off,sleep=off",
    });
    if !errors.is_empty() {
        return CheckResult {
            target: check.to_string(),
            engine: "count".into(),
            verdict: Verdict::Error,
            evidence,
            summary: format!("SysTick run failed: {}", errors.join("; ")),
        };
    }
    let min = counts.iter().map(|c| c.1).min().unwrap_or(0);
    let max = counts.iter().map(|c| c.1).max().unwrap_or(0);
    let dmin = device.iter().copied().min().unwrap_or(0);
    let dmax = device.iter().copied().max().unwrap_or(0);
    let (verdict, summary) = if min == max && dmin == dmax {
        (
            Verdict::ConstantTime,
            format!("{min} instructions for every input (SysTick: {dmin} incl. the markers)"),
        )
    } else {
        let list = counts
            .iter()
            .map(|(n, c)| format!("{n} {c}"))
            .collect::<Vec<_>>()
            .join(", ");
        (
            Verdict::Leak,
            format!("instruction counts differ: {list} (SysTick {dmin}..{dmax})"),
        )
    };
    CheckResult {
        target: check.to_string(),
        engine: "count".into(),
        verdict,
        evidence,
        summary,
    }
}

fn judge_audit(check: &str, elf: &Elf32, board: Board, traces: &[(&str, &Trace)]) -> CheckResult {
    let all: Vec<&Trace> = traces.iter().map(|(_, t)| *t).collect();
    let findings = audit::scan(elf, board.arch, &all);
    let addrs: Vec<u32> = findings.iter().map(|f| f.address).collect();
    let locs = symbolize::locate(elf, &addrs);
    let list: Vec<serde_json::Value> = findings
        .iter()
        .map(|f| {
            let l = locs.get(&f.address).cloned().unwrap_or_default();
            json!({
                "instruction": f.what,
                "address": format!("{:#010x}", f.address),
                "function": l.function,
                "symbol": l.symbol,
                "location": l.location,
                "executions": f.executions,
                "severity": if f.leak { "leak" } else { "note" },
                "reason": f.reason,
            })
        })
        .collect();
    let leaks: Vec<&audit::Finding> = findings.iter().filter(|f| f.leak).collect();
    let notes = findings.len() - leaks.len();
    let (verdict, summary) = match leaks.first() {
        Some(f) => (
            Verdict::Leak,
            format!(
                "{} variable-latency site(s) on {}; first: {} at {:#x} {}",
                leaks.len(),
                board.core,
                f.what,
                f.address,
                locs.get(&f.address).map(|l| l.short()).unwrap_or_default()
            ),
        ),
        None if notes > 0 => (
            Verdict::ConstantTime,
            format!(
                "no variable-latency instruction on {}; {notes} note(s): {}",
                board.core,
                findings
                    .iter()
                    .map(|f| f.what.as_str())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
        ),
        None => (
            Verdict::ConstantTime,
            format!("no variable-latency instruction executed on {}", board.core),
        ),
    };
    CheckResult {
        target: check.to_string(),
        engine: "audit".into(),
        verdict,
        evidence: json!({"core": board.core, "findings": list}),
        summary,
    }
}
