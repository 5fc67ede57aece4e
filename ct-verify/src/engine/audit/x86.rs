//! The host's audit evidence: variable-latency x86_64 instructions in callgrind's dump.
//!
//! Callgrind's per-instruction dump lists every instruction the check executed, with its object
//! file and address; each is decoded from the object file. On x86_64, `DIV` and `IDIV` take a
//! number of cycles that depends on their operands (KyberSlash), and memcheck does not check
//! their operands, so every executed one is found here; [`judge`] then reads their operands in a
//! native run of the check ([`super::ptrace`]) and keeps as leaks only those whose operands
//! differ between secret inputs ([`super::operands`]).

use std::collections::{BTreeMap, HashMap};
use std::path::Path;

use iced_x86::{Decoder, DecoderOptions, Formatter, IntelFormatter, Mnemonic};

use super::operands::{self, OperandCheck};
use super::{Evidence, Finding, Platform, Severity};
use crate::elf::{Elf, EM_X86_64};
use crate::engine::callgrind::{InstrCost, InstrKey};
use crate::engine::count::CountRun;
use crate::engine::CheckResult;
use crate::engine::EngineName;

/// Whether an x86 instruction has operand-dependent latency.
fn variable_latency_x86(m: Mnemonic) -> bool {
    matches!(m, Mnemonic::Div | Mnemonic::Idiv)
}

/// Decodes every executed instruction of `run` and lists the variable-latency ones.
pub fn scan(run: &CountRun) -> Result<Vec<Finding>, String> {
    let mut executed: BTreeMap<&InstrKey, (u64, &InstrCost)> = BTreeMap::new();
    for (_, _, dump) in &run.calls {
        for (k, c) in &dump.instrs {
            executed.entry(k).or_insert((0, c)).0 += c.ir;
        }
    }
    let mut elves: HashMap<&str, Option<Elf>> = HashMap::new();
    let mut formatter = IntelFormatter::new();
    let mut findings = Vec::new();
    for (key, (count, cost)) in executed {
        if key.object.contains("/valgrind/") || !key.object.starts_with('/') {
            continue; // valgrind's own preloads, or unknown objects
        }
        let elf = elves.entry(key.object.as_str()).or_insert_with(|| {
            std::fs::read(&key.object)
                .ok()
                .and_then(|d| Elf::parse(Path::new(&key.object), d).ok())
        });
        let Some(elf) = elf else { continue };
        if elf.machine() != EM_X86_64 {
            return Err(format!(
                "{}: the audit decodes x86_64 only for now",
                key.object
            ));
        }
        let Some(bytes) = elf.bytes_at(key.addr, 15) else {
            continue;
        };
        let mut decoder = Decoder::with_ip(64, bytes, key.addr, DecoderOptions::NONE);
        let instr = decoder.decode();
        if instr.is_invalid() || !variable_latency_x86(instr.mnemonic()) {
            continue;
        }
        let mut text = String::new();
        formatter.format(&instr, &mut text);
        let (location, function) = crate::elf::caller_location(Path::new(&key.object), key.addr)
            .unwrap_or_else(|| (cost.location(), cost.function.clone()));
        findings.push(Finding {
            instruction: text,
            address: key.addr,
            object: Some(key.object.clone()),
            function,
            symbol: None,
            place: crate::engine::taint::short_path(&location),
            location,
            executions: count,
            severity: Severity::Leak,
            reason: "x86 divide: its latency depends on the operands",
            operands: None,
        });
    }
    Ok(findings)
}

/// How to run the suite natively for the operand check.
#[derive(Clone, Copy, Debug)]
pub struct Harness<'a> {
    /// The suite executable.
    pub exe: &'a Path,
    /// Its working directory.
    pub cwd: Option<&'a Path>,
    /// Give up after this long.
    pub timeout: std::time::Duration,
}

/// The audit verdict for `target` from its callgrind run: every executed divide, each judged by
/// its operands (read in a native run of the suite by `harness`). A divide whose operands could
/// not be read stays a leak, with the reason.
pub fn judge(target: &str, run: &CountRun, harness: &Harness<'_>) -> CheckResult {
    let mut findings = match scan(run) {
        Ok(f) => f,
        Err(e) => return CheckResult::error(target, EngineName::Audit, e),
    };
    if !findings.is_empty() {
        let checks = check_operands(target, &findings, harness);
        for (f, check) in findings.iter_mut().zip(checks) {
            f.severity = if check.leaks() {
                Severity::Leak
            } else {
                Severity::Note
            };
            f.operands = Some(check);
        }
    }
    let executed_instructions: u64 = run
        .calls
        .iter()
        .map(|c| c.2.instrs.len() as u64)
        .max()
        .unwrap_or(0);
    super::judge(
        target,
        &Evidence {
            platform: Platform::Host {
                executed_instructions,
            },
            findings,
        },
    )
}

/// One [`OperandCheck`] per finding, from one traced run of the check.
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
fn check_operands(target: &str, findings: &[Finding], harness: &Harness<'_>) -> Vec<OperandCheck> {
    use super::ptrace;
    let sites: Vec<ptrace::Site> = findings
        .iter()
        .map(|f| ptrace::Site {
            object: f.object.clone().unwrap_or_default().into(),
            address: f.address,
        })
        .collect();
    match ptrace::read_operands(harness, target, &sites) {
        Ok(calls) => (0..findings.len())
            .map(|i| operands::compare(i, &calls))
            .collect(),
        Err(e) => vec![OperandCheck::Unchecked(e); findings.len()],
    }
}

/// Operands are read with ptrace on x86_64 Linux only: elsewhere every divide stays a leak.
#[cfg(not(all(target_os = "linux", target_arch = "x86_64")))]
fn check_operands(_: &str, findings: &[Finding], _: &Harness<'_>) -> Vec<OperandCheck> {
    let _ = operands::compare;
    vec![OperandCheck::Unchecked("operands are read on x86_64 Linux only".into()); findings.len()]
}
