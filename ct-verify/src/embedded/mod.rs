//! `cargo ct-verify --target thumbv*`: a crate's suite as Cortex-M firmware under QEMU.
//!
//! The crate declares its checks once, in a bench file (`benches/ct.rs`, `ct_verify::Suite`), as
//! for the host. [`firmware::build`] generates a firmware crate around that file (the board's
//! memory map and runtime from [`qemu::BOARDS`], `ct_verify` resolving to the `no_std` twin
//! `ct-verify-firmware`) and builds it for the triple. The host lists the checks (`ctv list`),
//! chooses the inputs (the labels of the host: `zeros`, `ones`, `fixed#I`, `random#I`, per
//! public input) and runs every check on every input under `qemu-system-arm` on the triple's
//! board, one run each (`ctv run INDEX PUBLIC LABEL HEX`), then judges:
//!
//! | engine | how | sees | cannot see |
//! |--------|-----|------|------------|
//! | `trace` (asked for as `taint`: valgrind does not run firmware) | a TCG plugin records every executed PC and every load/store address between the markers; the traces must be identical for every input with the same public input | secret-dependent branches, loop counts and memory addresses, inside library code too; the first difference is reported with its function and `file:line` | instruction latency (QEMU models no cycles), inputs not tried |
//! | `count` | instructions between the markers per input, from the trace, and independently on the device: SysTick from the core clock under `-icount shift=10,align=off,sleep=off` (ticks = instructions × 1.024 µs × clock) | any change of the instruction count | same-length paths, addresses, latency |
//! | `audit` | decodes every executed instruction | `UDIV`/`SDIV` (v7-M, v7E-M, v8-M), `UMULL`/`SMULL`/`UMLAL`/`SMLAL` (Cortex-M3, early-terminating), calls to division helpers on any core and multiply helpers on v6-M (the latter as notes) | whether the operands were secret: every executed instance is reported |
//! | `dudect` | the firmware times the fixed class against random secrets with SysTick (`ctv dudect INDEX 0`, one QEMU run per check under `-icount`) and applies ct-verify-stats' confirmation rule | instruction-count differences (under `-icount` SysTick counts instructions) | real timing: that needs a board (DWT feature of the twin) |
//!
//! QEMU 7.2, boards per triple in [`qemu::BOARDS`].

pub mod audit;
pub mod firmware;
pub mod gdbstub;
pub mod plugin;
pub mod qemu;
pub mod trace;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use rand::{RngCore, SeedableRng};

use crate::baseline::Entry;
use crate::elf::Elf;
use crate::engine::dudect::{self, DeviceDudect};
use crate::engine::{count, CheckResult, Engine, EngineName, Verdict};
use qemu::{Board, RunSpec};
use trace::Trace;

/// Name of the firmware image in the semihosting command line.
const PROGRAM: &str = "ctv";

/// Longest secret input that fits the firmware's command line as hex.
const MAX_INPUT_BYTES: usize = 1000;

/// Seed of the input generator when `CT_VERIFY_SEED` is unset (the host suite's default).
const DEFAULT_SEED: u64 = 0x5eed_c7e1;

/// What `--target thumbv*` runs.
#[derive(Clone, Debug)]
pub struct EmbeddedOptions {
    /// Target triple (`thumbv6m-none-eabi`, ...).
    pub target: String,
    /// The crate's Cargo.toml (default: the one cargo finds from the current directory).
    pub manifest_path: Option<PathBuf>,
    /// Only this bench target.
    pub bench: Option<String>,
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
            bench: None,
            filter: None,
            partition: None,
            engines: vec![Engine::Taint, Engine::Count, Engine::Audit],
            timeout: Duration::from_secs(120),
            jobs: std::thread::available_parallelism().map_or(2, |n| n.get()),
        }
    }
}

/// What a firmware run produced: the report rows, and per check the instruction counts a
/// baseline keeps (`public|label` -> instructions between the markers).
#[derive(Debug, Default)]
pub struct EmbeddedRun {
    /// One row per check and engine.
    pub results: Vec<CheckResult>,
    /// Counts per check, for `--baseline` and `--save-baseline`.
    pub counts: BTreeMap<String, Entry>,
    /// Every check after `filter` and before `partition`, in run order.
    pub listed: Vec<String>,
}

/// Whether `triple` is a Cortex-M target this module runs.
pub fn is_embedded_target(triple: &str) -> bool {
    qemu::board(triple).is_some()
}

/// A check as the firmware lists it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSpec {
    /// Its position in the suite (what `ctv run` takes).
    pub index: usize,
    /// Bytes of its secret input.
    pub size: usize,
    /// Fixed corner cases.
    pub fixed: usize,
    /// Random inputs.
    pub random: usize,
    /// Public inputs.
    pub publics: usize,
    /// The name given to `Suite::check`.
    pub name: String,
}

/// Parses one `check INDEX SIZE FIXED RANDOM PUBLICS NAME` line of `ctv list`.
pub fn parse_check_line(line: &str) -> Option<CheckSpec> {
    let rest = line.strip_prefix("check ")?;
    let mut parts = rest.splitn(6, ' ');
    let mut num = || parts.next()?.parse::<usize>().ok();
    let (index, size, fixed, random, publics) = (num()?, num()?, num()?, num()?, num()?);
    let name = parts.next()?.to_string();
    (!name.is_empty()).then_some(CheckSpec {
        index,
        size,
        fixed,
        random,
        publics,
        name,
    })
}

/// An error naming the first check whose secret cannot be run on the device: one with no bytes
/// (nothing to keep secret, so every engine would pass it) or too many for the command line.
fn check_sizes(checks: &[CheckSpec]) -> Result<(), String> {
    if let Some(c) = checks.iter().find(|c| c.size == 0) {
        return Err(format!(
            "check `{}`: its secret input has no bytes, so nothing in it is secret and every \
             engine would pass it: give the check a secret type with at least one byte",
            c.name
        ));
    }
    if let Some(c) = checks.iter().find(|c| c.size > MAX_INPUT_BYTES) {
        return Err(format!(
            "check `{}`: its secret input has {} bytes; on Cortex-M at most {MAX_INPUT_BYTES} (it travels on the semihosting command line)",
            c.name, c.size
        ));
    }
    Ok(())
}

/// One secret input of one check: its public index, label and (random inputs only) bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct InputSpec {
    /// Which public input.
    pub public: usize,
    /// `zeros`, `ones`, `fixed#I` or `random#I`: the host's labels.
    pub label: String,
    /// Hex of a random input's bytes; `-` for the others (the firmware builds them).
    pub hex: String,
}

impl InputSpec {
    /// The label in reports: `label`, or `public|label` when the check has several publics.
    pub fn name(&self, publics: usize) -> String {
        if publics > 1 {
            format!("{}|{}", self.public, self.label)
        } else {
            self.label.clone()
        }
    }
}

/// The inputs of `check`: for every public input, all-zero, all-ones, the fixed corner cases and
/// the random ones (bytes from a generator seeded by `seed` and the check's name, as the host
/// suite seeds each check's own stream).
pub fn inputs(check: &CheckSpec, seed: u64) -> Vec<InputSpec> {
    let mut h = seed;
    for b in check.name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    let mut rng = rand::rngs::StdRng::seed_from_u64(h);
    let random: Vec<String> = (0..check.random)
        .map(|_| {
            let mut b = vec![0u8; check.size];
            rng.fill_bytes(&mut b);
            b.iter().map(|x| format!("{x:02x}")).collect()
        })
        .collect();
    let mut out = Vec::new();
    for public in 0..check.publics.max(1) {
        let mut push = |label: String, hex: String| out.push(InputSpec { public, label, hex });
        push("zeros".into(), "-".into());
        push("ones".into(), "-".into());
        for i in 0..check.fixed {
            push(format!("fixed#{i}"), "-".into());
        }
        for (i, hex) in random.iter().enumerate() {
            push(format!("random#{i}"), hex.clone());
        }
    }
    out
}

/// Builds the crate's suites as firmware for `opts.target`, runs every check under QEMU and
/// judges it.
///
/// `Err` means the run could not happen (exit status 2): QEMU, the Rust target or a C compiler
/// missing, the build failed (naming the check or crate), no checks.
pub fn run(opts: &EmbeddedOptions) -> Result<EmbeddedRun, String> {
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
    let qemu_version = qemu::check_available()?;
    check_rust_target(&opts.target)?;
    eprintln!(
        "ct-verify: building the suites as firmware for {} ({}, QEMU -machine {})",
        board.triple, board.core, board.machine
    );
    let suites = firmware::build(opts.manifest_path.as_deref(), opts.bench.as_deref(), &board)?;
    let seed = std::env::var(crate::protocol::SEED)
        .ok()
        .and_then(|s| s.parse().ok())
        .unwrap_or(DEFAULT_SEED);
    let mut run = FirmwareRun {
        opts,
        board,
        seed,
        qemu_version,
        names: crate::names::Names::default(),
        out: EmbeddedRun::default(),
    };
    let mut any = false;
    for suite in &suites {
        any |= run.suite(suite)?;
    }
    if !any {
        return Err(match &opts.filter {
            Some(f) => format!("no check matches --filter `{f}`"),
            None => "the suites declare no checks".into(),
        });
    }
    Ok(run.out)
}

/// The state of [`run`] across the suites: what every suite shares, and what they add to.
struct FirmwareRun<'a> {
    opts: &'a EmbeddedOptions,
    board: Board,
    /// Seeds the random inputs (see [`inputs`]).
    seed: u64,
    qemu_version: String,
    /// Check names claimed so far: a name in two suites is an error.
    names: crate::names::Names,
    out: EmbeddedRun,
}

impl FirmwareRun<'_> {
    /// Lists, runs and judges one suite's checks (those `--filter` and `--partition` keep);
    /// whether `--filter` left the suite any check.
    fn suite(&mut self, suite: &firmware::FirmwareSuite) -> Result<bool, String> {
        let (opts, board) = (self.opts, self.board);
        let cache = suite
            .elf
            .parent()
            .map_or_else(std::env::temp_dir, Path::to_path_buf)
            .join("ct-verify");
        let so = plugin::ensure_built(&cache)?;
        let elf = Elf::load(&suite.elf)?;
        let marker = |name: &str| {
            elf.symbol_address(name)
                .and_then(|a| u32::try_from(a).ok())
                .ok_or_else(|| format!("{}: no `{name}` function", suite.elf.display()))
        };
        let (start, end) = (marker("ct_marker_start")?, marker("ct_marker_end")?);
        let checks: Vec<CheckSpec> = list_checks(board, &suite.elf, opts.timeout)?;
        self.names.claim(
            &format!("bench `{}` ({})", suite.bench, suite.elf.display()),
            checks.iter().map(|c| &c.name),
        )?;
        let checks: Vec<CheckSpec> = checks
            .into_iter()
            .filter(|c| opts.filter.as_deref().is_none_or(|f| c.name.contains(f)))
            .collect();
        if checks.is_empty() {
            return Ok(false);
        }
        self.out
            .listed
            .extend(checks.iter().map(|c| c.name.clone()));
        let checks: Vec<CheckSpec> = checks
            .into_iter()
            .filter(|c| opts.partition.is_none_or(|p| p.contains(&c.name)))
            .collect();
        if checks.is_empty() {
            return Ok(true);
        }
        check_sizes(&checks)?;
        let per_check: Vec<Vec<InputSpec>> = checks.iter().map(|c| inputs(c, self.seed)).collect();
        let total: usize = per_check.iter().map(Vec::len).sum();
        eprintln!(
            "ct-verify: {}: {} checks, {total} inputs on {} ({})",
            suite.bench,
            checks.len(),
            board.machine,
            self.qemu_version
        );
        let ctx = SuiteRun {
            board,
            elf_path: &suite.elf,
            so: &so,
            markers: (start, end),
            timeout: opts.timeout,
            jobs: opts.jobs,
        };
        self.judge_suite(&ctx, &suite.bench, &elf, &checks, &per_check)?;
        Ok(true)
    }

    /// Runs the checks of one suite under the wanted engines and adds their rows (per check:
    /// taint, count, audit, then dudect) and counts to the output.
    fn judge_suite(
        &mut self,
        ctx: &SuiteRun<'_>,
        bench: &str,
        elf: &Elf,
        checks: &[CheckSpec],
        per_check: &[Vec<InputSpec>],
    ) -> Result<(), String> {
        let engines = &self.opts.engines;
        let want_trace = engines.contains(&Engine::Taint);
        let want_count = engines.contains(&Engine::Count);
        let want_audit = engines.contains(&Engine::Audit);
        let want_dudect = engines.contains(&Engine::Dudect);
        let out = &mut self.out;
        let traced = want_trace || want_count || want_audit;
        let outcomes = if traced {
            ctx.execute(checks, per_check, want_count)?
        } else {
            Outcomes::new()
        };
        let dudect: Vec<CheckResult> = if want_dudect {
            checks.iter().map(|c| ctx.dudect(c)).collect()
        } else {
            Vec::new()
        };
        for (ci, check) in checks.iter().enumerate() {
            if !traced {
                out.results.push(dudect[ci].clone());
                continue;
            }
            let judged = judge_check(
                check,
                &per_check[ci],
                &outcomes,
                ci,
                elf,
                self.board,
                (want_trace, want_count, want_audit),
            );
            if let Some(mut entry) = judged.entry {
                entry.bench = bench.to_string();
                out.counts.insert(check.name.clone(), entry);
            }
            let results = judged
                .results
                .into_iter()
                .map(|r| ctx.judge_operands(check, &per_check[ci], elf, r));
            out.results.extend(results);
            if want_dudect {
                out.results.push(dudect[ci].clone());
            }
        }
        Ok(())
    }
}

/// One suite's firmware and how to run it.
struct SuiteRun<'a> {
    board: Board,
    elf_path: &'a Path,
    so: &'a Path,
    markers: (u32, u32),
    timeout: Duration,
    jobs: usize,
}

impl SuiteRun<'_> {
    /// The audit row of `check` judged by operands: its leak sites' operand registers read in
    /// one gdbstub run per input (`gdbstub`) and compared per public input; other rows as given.
    fn judge_operands(
        &self,
        check: &CheckSpec,
        inputs: &[InputSpec],
        elf: &Elf,
        result: CheckResult,
    ) -> CheckResult {
        use crate::engine::audit::operands::{self, OperandCheck};
        use crate::engine::Evidence;
        let Evidence::Audit(mut evidence) = result.evidence.clone() else {
            return result;
        };
        let audited: Vec<usize> = (0..evidence.findings.len())
            .filter(|&i| evidence.findings[i].severity == crate::engine::audit::Severity::Leak)
            .collect();
        if audited.is_empty() {
            return result;
        }
        let sites: Vec<gdbstub::Site> = audited
            .iter()
            .map(|&i| {
                let f = &evidence.findings[i];
                gdbstub::Site {
                    address: f.address as u32,
                    registers: audit::operand_registers(elf, f.address as u32, &f.instruction),
                }
            })
            .collect();
        let checks: Vec<OperandCheck> = match self.read_operands(check, inputs, &sites) {
            Ok(calls) => (0..sites.len())
                .map(|i| operands::compare(i, &calls))
                .collect(),
            Err(e) => vec![OperandCheck::Unchecked(e); sites.len()],
        };
        for (i, c) in audited.into_iter().zip(checks) {
            let f = &mut evidence.findings[i];
            if !c.leaks() {
                f.severity = crate::engine::audit::Severity::Note;
            }
            f.operands = Some(c);
        }
        crate::engine::audit::judge(&check.name, &evidence)
    }

    fn read_operands(
        &self,
        check: &CheckSpec,
        inputs: &[InputSpec],
        sites: &[gdbstub::Site],
    ) -> Result<Vec<crate::engine::audit::operands::CallOperands>, String> {
        let scratch = crate::process::ScratchDir::new("gdb")
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let socket = scratch.path().join("gdb.sock");
        let mut calls = Vec::new();
        for input in inputs {
            let spec = RunSpec {
                board: self.board,
                elf: self.elf_path,
                args: run_args(check, input),
                plugin: None,
                icount: false,
                timeout: self.timeout,
                gdb: None,
            };
            let hits = gdbstub::read_operands(&spec, &socket, self.markers, sites)
                .map_err(|e| format!("input {}: {e}", input.label))?;
            calls.push(crate::engine::audit::operands::CallOperands {
                public: input.public,
                label: input.label.clone(),
                hits,
            });
        }
        Ok(calls)
    }
}

/// (check, input, systick) -> what that QEMU run gave.
type Outcomes = HashMap<(usize, usize, bool), Outcome>;

impl SuiteRun<'_> {
    /// Every (check, input) run under the trace plugin and, for `count`, again with SysTick
    /// under `-icount`; `jobs` QEMU processes at a time.
    fn execute(
        &self,
        checks: &[CheckSpec],
        per_check: &[Vec<InputSpec>],
        systick: bool,
    ) -> Result<Outcomes, String> {
        let mut jobs: Vec<(usize, usize, bool)> = Vec::new();
        for (ci, inputs) in per_check.iter().enumerate() {
            for ii in 0..inputs.len() {
                jobs.push((ci, ii, false));
                if systick {
                    jobs.push((ci, ii, true));
                }
            }
        }
        let scratch = crate::process::ScratchDir::new("qemu")
            .map_err(|e| format!("cannot create a temporary directory: {e}"))?;
        let outcomes: Mutex<Outcomes> = Mutex::new(HashMap::new());
        let next = AtomicUsize::new(0);
        let done = AtomicUsize::new(0);
        std::thread::scope(|s| {
            for _ in 0..self.jobs.max(1) {
                s.spawn(|| loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(&(ci, ii, tick)) = jobs.get(i) else {
                        break;
                    };
                    let check = &checks[ci];
                    let input = &per_check[ci][ii];
                    let out_file = scratch.path().join(format!("t{i}.bin"));
                    let mut args = run_args(check, input);
                    if tick {
                        args.push("systick".into());
                    }
                    let spec = RunSpec {
                        board: self.board,
                        elf: self.elf_path,
                        args,
                        plugin: (!tick).then(|| {
                            plugin::argument(self.so, self.markers.0, self.markers.1, &out_file)
                        }),
                        icount: tick,
                        timeout: self.timeout,
                        gdb: None,
                    };
                    let outcome = run_one(&spec, check.index, tick, &out_file, self.board);
                    let _ = std::fs::remove_file(&out_file);
                    if let Ok(mut m) = outcomes.lock() {
                        m.insert((ci, ii, tick), outcome);
                    }
                    let n = done.fetch_add(1, Ordering::Relaxed) + 1;
                    if n % 100 == 0 || n == jobs.len() {
                        eprintln!("ct-verify: {n}/{} QEMU runs", jobs.len());
                    }
                });
            }
        });
        outcomes
            .into_inner()
            .map_err(|_| "a QEMU worker panicked".to_string())
    }
}

impl SuiteRun<'_> {
    /// dudect of one check on the device (`ctv dudect INDEX 0`: the first public input), timed
    /// with SysTick under `-icount`, where a tick is a fraction of an instruction: a check of
    /// the plumbing and of instruction-count differences, not of the silicon's timing.
    fn dudect(&self, check: &CheckSpec) -> CheckResult {
        let name = check.name.as_str();
        eprintln!("ct-verify: dudect: {name} on {}", self.board.machine);
        if check.size > 256 {
            return CheckResult::error(
                name,
                EngineName::Dudect,
                format!(
                    "its secret input has {} bytes; dudect on the device takes at most 256",
                    check.size
                ),
            );
        }
        let spec = RunSpec {
            board: self.board,
            elf: self.elf_path,
            args: vec![
                PROGRAM.into(),
                "dudect".into(),
                check.index.to_string(),
                "0".into(),
            ],
            plugin: None,
            icount: true,
            timeout: self.timeout,
            gdb: None,
        };
        let out = match qemu::run(&spec) {
            Ok(o) => o,
            Err(e) => return CheckResult::error(name, EngineName::Dudect, e),
        };
        let ran = format!("ctv: ran {}", check.index);
        let line = out.stdout.lines().find_map(|l| l.strip_prefix("dudect "));
        match (out.status, line) {
            (Some(0), Some(line)) if out.stdout.lines().any(|l| l.trim() == ran) => {
                match parse_dudect_line(line) {
                    Some(d) => judge_dudect(name, self.board, d),
                    None => CheckResult::error(
                        name,
                        EngineName::Dudect,
                        format!("malformed dudect line from the firmware: {line}"),
                    ),
                }
            }
            _ => CheckResult::error(name, EngineName::Dudect, out.failure()),
        }
    }
}

/// The dudect row of a device run, judged by the shared dudect judge (the firmware already
/// applied the confirmation rule).
fn judge_dudect(check: &str, board: Board, run: DeviceDudect) -> CheckResult {
    dudect::judge(
        check,
        dudect::Evidence::Device {
            run,
            core: board.core,
        },
    )
}

/// Parses the fields after `dudect ` of the firmware's line.
pub fn parse_dudect_line(line: &str) -> Option<DeviceDudect> {
    let f: Vec<&str> = line.split_whitespace().collect();
    if f.len() != 10 {
        return None;
    }
    Some(DeviceDudect {
        verdict: f[0].to_string(),
        t: f[1].parse().ok()?,
        test: f[2].to_string(),
        measurements: f[3].parse().ok()?,
        fixed_mean: f[4].parse().ok()?,
        random_mean: f[5].parse().ok()?,
        resolution: f[6].parse().ok()?,
        reps: f[7].parse().ok()?,
        samples: f[8].parse().ok()?,
        unit: f[9].to_string(),
    })
}

/// A check's rows, and its baseline entry when the traces were complete.
struct Judged {
    results: Vec<CheckResult>,
    entry: Option<Entry>,
}

/// Judges one check from its runs: trace, count and audit (as wanted), per public input.
fn judge_check(
    check: &CheckSpec,
    inputs: &[InputSpec],
    outcomes: &Outcomes,
    ci: usize,
    elf: &Elf,
    board: Board,
    (want_trace, want_count, want_audit): (bool, bool, bool),
) -> Judged {
    let name = check.name.as_str();
    let labels: Vec<String> = inputs.iter().map(|i| i.name(check.publics)).collect();
    let traces = match traces_of(inputs, &labels, outcomes, ci) {
        Ok(traces) => traces,
        Err(e) => {
            let results = [
                (want_trace, EngineName::Trace),
                (want_count, EngineName::Count),
                (want_audit, EngineName::Audit),
            ]
            .into_iter()
            .filter(|(want, _)| *want)
            .map(|(_, engine)| CheckResult::error(name, engine, e.clone()))
            .collect();
            return Judged {
                results,
                entry: None,
            };
        }
    };
    // Traces are compared among inputs with the same public input only.
    let groups = by_public(&traces, check.publics.max(1));
    let mut results = Vec::new();
    if want_trace {
        let judged = groups.iter().map(|g| judge_trace(name, elf, g)).collect();
        results.extend(first_leak_or_last(judged));
    }
    let mut count_ct = false;
    if want_count {
        let judged: Vec<CheckResult> = (0..groups.len())
            .map(|p| {
                let ticks = ticks_of(inputs, &labels, outcomes, ci, p);
                judge_count(name, elf, board, p, &groups[p], &ticks)
            })
            .collect();
        if let Some(r) = first_leak_or_last(judged) {
            count_ct = r.verdict == Verdict::ConstantTime;
            results.push(r);
        }
    }
    if want_audit {
        let all: Vec<(&str, &Trace)> = traces.iter().map(|t| (t.1, t.2)).collect();
        results.push(judge_audit(name, elf, board, &all));
    }
    Judged {
        results,
        entry: Some(baseline_entry(&traces, inputs, count_ct)),
    }
}

/// The trace runs of check `ci`, one per input in input order, as (public input, label,
/// trace); the first input whose run failed or is missing as an error.
fn traces_of<'a>(
    inputs: &[InputSpec],
    labels: &'a [String],
    outcomes: &'a Outcomes,
    ci: usize,
) -> Result<Vec<(usize, &'a str, &'a Trace)>, String> {
    let mut traces = Vec::new();
    for (ii, input) in inputs.iter().enumerate() {
        match outcomes.get(&(ci, ii, false)) {
            Some(Outcome::Trace(t)) => traces.push((input.public, labels[ii].as_str(), t)),
            Some(Outcome::Failed(e)) => return Err(format!("input {}: {e}", labels[ii])),
            _ => return Err(format!("input {}: no result", labels[ii])),
        }
    }
    Ok(traces)
}

/// The traces grouped by public input `0..publics`, as (label, trace).
fn by_public<'a>(
    traces: &[(usize, &'a str, &'a Trace)],
    publics: usize,
) -> Vec<Vec<(&'a str, &'a Trace)>> {
    (0..publics)
        .map(|p| {
            traces
                .iter()
                .filter(|t| t.0 == p)
                .map(|t| (t.1, t.2))
                .collect()
        })
        .collect()
}

/// The SysTick runs of check `ci` for public input `p`, as (label, instructions or error).
fn ticks_of<'a>(
    inputs: &[InputSpec],
    labels: &'a [String],
    outcomes: &Outcomes,
    ci: usize,
    p: usize,
) -> Vec<(&'a str, Result<u64, String>)> {
    inputs
        .iter()
        .enumerate()
        .filter(|(_, i)| i.public == p)
        .map(|(ii, _)| {
            let r = match outcomes.get(&(ci, ii, true)) {
                Some(Outcome::Ticks(t)) => Ok(*t),
                Some(Outcome::Failed(e)) => Err(e.clone()),
                _ => Err("no result".to_string()),
            };
            (labels[ii].as_str(), r)
        })
        .collect()
}

/// Of one engine's results per public input, the first that is not constant-time, else the
/// last: the check's one row for that engine.
fn first_leak_or_last(judged: Vec<CheckResult>) -> Option<CheckResult> {
    let leak = judged
        .iter()
        .position(|r| r.verdict != Verdict::ConstantTime);
    let i = leak.unwrap_or(judged.len().saturating_sub(1));
    judged.into_iter().nth(i)
}

/// The baseline entry of a check (its bench is filled in by the caller): the trace's
/// instruction count per `public|label`.
fn baseline_entry(traces: &[(usize, &str, &Trace)], inputs: &[InputSpec], count_ct: bool) -> Entry {
    let ir: BTreeMap<String, u64> = traces
        .iter()
        .zip(inputs)
        .map(|((_, _, t), i)| (format!("{}|{}", i.public, i.label), t.instructions()))
        .collect();
    Entry {
        bench: String::new(),
        constant_time: count_ct,
        ir_max: ir.values().copied().max().unwrap_or(0),
        ir,
    }
}

enum Outcome {
    Trace(Trace),
    Ticks(u64),
    Failed(String),
}

fn run_one(
    spec: &RunSpec<'_>,
    index: usize,
    systick: bool,
    out_file: &Path,
    board: Board,
) -> Outcome {
    let out = match qemu::run(spec) {
        Ok(o) => o,
        Err(e) => return Outcome::Failed(e),
    };
    let ran = format!("ctv: ran {index}");
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

/// The semihosting arguments that run `check` once with `input`.
fn run_args(check: &CheckSpec, input: &InputSpec) -> Vec<String> {
    vec![
        PROGRAM.to_string(),
        "run".into(),
        check.index.to_string(),
        input.public.to_string(),
        input.label.clone(),
        input.hex.clone(),
    ]
}

/// `ctv list` on the firmware: its checks, in suite order.
fn list_checks(board: Board, elf: &Path, timeout: Duration) -> Result<Vec<CheckSpec>, String> {
    let out = qemu::run(&RunSpec {
        board,
        elf,
        args: vec![PROGRAM.into(), "list".into()],
        plugin: None,
        icount: false,
        timeout,
        gdb: None,
    })?;
    if out.status != Some(0) || !out.stdout.lines().any(|l| l.trim() == "ctv: end") {
        return Err(format!(
            "cannot list the checks of the firmware suite: {}",
            out.failure()
        ));
    }
    Ok(out
        .stdout
        .lines()
        .filter_map(|l| parse_check_line(l.trim_end()))
        .collect())
}

/// The trace engine's evidence for the shared judge: traces of inputs with the same public
/// input must be identical; the first input whose trace differs from the reference gives the
/// site, with the source of both PCs.
fn judge_trace(check: &str, elf: &Elf, traces: &[(&str, &Trace)]) -> CheckResult {
    use crate::engine::flow::{self, Site, Source, TraceSplit};
    let (ref_name, reference) = traces[0];
    let split = traces[1..].iter().find_map(|&(name, t)| {
        let d = trace::first_divergence(reference, t)?;
        // The PC where the traces part: the instruction (or the one making the access) at the
        // first differing event, in each trace; and the last instruction both executed.
        let at = reference.pc_at(d.index).or(t.pc_at(d.index));
        let common = reference.last_common_pc(d.index);
        let addrs: Vec<u32> = [at, common].into_iter().flatten().collect();
        let locs = crate::elf::locate(elf, &addrs);
        let with_loc = |a: Option<u32>| a.and_then(|a| locs.get(&a).map(|l| (a, l.clone())));
        Some(TraceSplit {
            inputs: (ref_name.to_string(), name.to_string()),
            event_index: d.index,
            events: (d.reference, d.other),
            at: with_loc(at),
            after: with_loc(common),
        })
    });
    flow::judge(
        check,
        &flow::Evidence {
            source: Source::Trace {
                trace_events: traces
                    .iter()
                    .map(|(n, t)| (n.to_string(), t.events.len()))
                    .collect(),
                instructions: reference.instructions(),
            },
            sites: split.into_iter().map(Site::Split).collect(),
        },
    )
}

/// The trace's and SysTick's counts of one public input's calls, judged by the shared count judge.
fn judge_count(
    check: &str,
    elf: &Elf,
    board: Board,
    public: usize,
    traces: &[(&str, &Trace)],
    ticks: &[(&str, Result<u64, String>)],
) -> CheckResult {
    let per_insn = 1.024e-6 * board.systick_hz as f64; // ticks per instruction
    let calls = traces
        .iter()
        .map(|(n, t)| count::Call {
            public,
            label: n.to_string(),
            instructions: t.instructions(),
            panicked: false,
        })
        .collect();
    let systick = ticks
        .iter()
        .map(|(n, t)| count::SysTick {
            public,
            label: n.to_string(),
            reading: t
                .as_ref()
                .map(|t| (*t, (*t as f64 / per_insn).round() as u64))
                .map_err(Clone::clone),
        })
        .collect();
    count::judge(
        check,
        count::Evidence {
            calls,
            source: count::Source::Trace {
                systick,
                clock_hz: board.systick_hz,
                icount: qemu::ICOUNT,
                located: locate_count_difference(elf, public, traces),
            },
        },
    )
}

/// Where, in the user's code, the trace of the first input whose instruction count differs
/// from the reference's (else of the first whose trace differs at all) parts from it: the first
/// differing instruction, through the firmware's inline chain (the branch before it when that
/// instruction has no line).
fn locate_count_difference(
    elf: &Elf,
    public: usize,
    traces: &[(&str, &Trace)],
) -> Option<crate::location::LeakSite> {
    let (ref_name, reference) = *traces.first()?;
    let others = &traces[1..];
    let (name, other) = others
        .iter()
        .find(|(_, t)| t.instructions() != reference.instructions())
        .or_else(|| {
            others
                .iter()
                .find(|(_, t)| trace::first_divergence(reference, t).is_some())
        })?;
    let d = trace::first_divergence(reference, other)?;
    // The first differing instruction of either trace; when the debug info has no line for it
    // (compiler-generated code), the last instruction both executed: the branch.
    let pcs: Vec<u32> = [
        reference.pc_at(d.index),
        other.pc_at(d.index),
        reference.last_common_pc(d.index),
    ]
    .into_iter()
    .flatten()
    .collect();
    let mut locations = crate::elf::locate(elf, &pcs);
    let at = pcs
        .iter()
        .find_map(|pc| locations.remove(pc)?.user.map(|u| *u))?;
    Some(crate::location::LeakSite {
        public,
        inputs: [ref_name.to_string(), name.to_string()],
        at,
    })
}

fn judge_audit(check: &str, elf: &Elf, board: Board, traces: &[(&str, &Trace)]) -> CheckResult {
    let all: Vec<&Trace> = traces.iter().map(|(_, t)| *t).collect();
    crate::engine::audit::judge(
        check,
        &crate::engine::audit::Evidence {
            platform: crate::engine::audit::Platform::Device { core: board.core },
            findings: audit::scan(elf, board.arch, &all),
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_lines_keep_names_with_spaces() {
        assert_eq!(
            parse_check_line("check 2 32 1 4 2 tag eq public"),
            Some(CheckSpec {
                index: 2,
                size: 32,
                fixed: 1,
                random: 4,
                publics: 2,
                name: "tag eq public".into(),
            })
        );
        assert_eq!(parse_check_line("check 2 32 1 4 2 "), None);
        assert_eq!(parse_check_line("check 2 x 1 4 2 a"), None);
        assert_eq!(parse_check_line("ctv: end"), None);
    }

    #[test]
    fn secret_sizes_zero_and_too_large_are_errors() {
        let spec = |name: &str, size: usize| {
            parse_check_line(&format!("check 0 {size} 0 4 1 {name}")).unwrap()
        };
        assert_eq!(
            check_sizes(&[spec("a", 1), spec("b", MAX_INPUT_BYTES)]),
            Ok(())
        );
        let e = check_sizes(&[spec("a", 32), spec("empty", 0)]).unwrap_err();
        assert!(e.contains("check `empty`") && e.contains("no bytes"), "{e}");
        let e = check_sizes(&[spec("big", MAX_INPUT_BYTES + 1)]).unwrap_err();
        assert!(e.contains("check `big`") && e.contains("at most"), "{e}");
    }

    #[test]
    fn device_dudect_lines() {
        let d =
            parse_dudect_line("leak 43118.555 uncropped 40960 147251.2 13941.5 25 28 2 systick")
                .unwrap();
        assert_eq!(
            (d.verdict.as_str(), d.measurements, d.reps, d.samples),
            ("leak", 40960, 28, 2)
        );
        let board = qemu::board("thumbv6m-none-eabi").unwrap();
        assert_eq!(judge_dudect("c", board, d).verdict, Verdict::Leak);
        let ct = parse_dudect_line("constant-time 0.000 uncropped 40960 1.0 1.0 25 9 2 systick");
        assert_eq!(
            judge_dudect("c", board, ct.unwrap()).verdict,
            Verdict::ConstantTime
        );
        let inc = parse_dudect_line("inconclusive 0.000 uncropped 0 0.0 0.0 25 1 2 systick");
        assert_eq!(
            judge_dudect("c", board, inc.unwrap()).verdict,
            Verdict::Inconclusive
        );
        // A truncated or garbled line is not a result.
        assert_eq!(parse_dudect_line("leak 4.0 uncropped 40960"), None);
        assert_eq!(
            parse_dudect_line("leak x uncropped 1 1 1 1 1 1 systick"),
            None
        );
    }

    #[test]
    fn inputs_have_the_host_labels_per_public_and_repeat() {
        let check = CheckSpec {
            index: 0,
            size: 3,
            fixed: 1,
            random: 2,
            publics: 2,
            name: "c".into(),
        };
        let a = inputs(&check, 7);
        let labels: Vec<String> = a.iter().map(|i| i.name(2)).collect();
        assert_eq!(
            labels,
            [
                "0|zeros",
                "0|ones",
                "0|fixed#0",
                "0|random#0",
                "0|random#1",
                "1|zeros",
                "1|ones",
                "1|fixed#0",
                "1|random#0",
                "1|random#1"
            ]
        );
        assert_eq!(a[0].name(1), "zeros");
        // Random inputs: the check's size in hex, different from each other, the same for every
        // public input and on every run; the others are built on the device.
        assert_eq!(a[3].hex.len(), 6);
        assert_ne!(a[3].hex, a[4].hex);
        assert_eq!(a[3].hex, a[8].hex);
        assert_eq!(a, inputs(&check, 7));
        assert_ne!(a[3].hex, inputs(&check, 8)[3].hex);
        assert!(a
            .iter()
            .filter(|i| !i.label.starts_with("random"))
            .all(|i| i.hex == "-"));
    }
}
