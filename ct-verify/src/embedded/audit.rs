//! The device's audit evidence: variable-latency instructions and arithmetic helper routines
//! executed between the markers (judged by `crate::engine::audit::judge`, as on the host).
//!
//! | core | judged by its operands (a leak if they differ between secret inputs, else a note) | reported as a note |
//! |------|--------------------|--------------------|
//! | Cortex-M0 (v6-M) | calls to division helpers (`__aeabi_uidiv`, `__aeabi_uldivmod`, `__udivsi3`, compiler-builtins' `div_rem`, ...) | calls to multiply helpers (`__aeabi_lmul`, `__muldi3`): built from `MULS`, whose latency is fixed per core, so their timing is their instruction stream, which the trace engine checks |
//! | Cortex-M3 (v7-M) | `UDIV`/`SDIV` (2-12 cycles), `UMULL`/`SMULL`/`UMLAL`/`SMLAL` (early termination), division helpers | |
//! | Cortex-M4, M33 | `UDIV`/`SDIV`, division helpers | |
//!
//! Every executed instance is found here, with its address, function and `file:line`; the leak
//! sites are then judged by their operands, read per input through QEMU's gdbstub
//! (`super::gdbstub`, registers from [`operand_registers`]).

use std::collections::BTreeMap;

use super::qemu::Arch;
use super::trace::{Kind, Trace};
use crate::elf::{self, Elf};
use crate::engine::audit::{Finding, Severity};

/// An executed site before symbolization.
struct Site {
    what: String,
    address: u32,
    executions: u64,
    severity: Severity,
    reason: &'static str,
}

const DIVIDE_HELPERS: &[&str] = &[
    "__aeabi_uidiv",
    "__aeabi_uidivmod",
    "__aeabi_idiv",
    "__aeabi_idivmod",
    "__aeabi_uldivmod",
    "__aeabi_ldivmod",
    "__udivsi3",
    "__divsi3",
    "__umodsi3",
    "__modsi3",
    "__udivmodsi4",
    "__divmodsi4",
    "__udivdi3",
    "__divdi3",
    "__umoddi3",
    "__moddi3",
    "__udivmoddi4",
    "__divmoddi4",
    "__udivti3",
    "__divti3",
    "__umodti3",
    "__modti3",
    "__udivmodti4",
];

const MULTIPLY_HELPERS: &[&str] = &[
    "__aeabi_lmul",
    "__muldi3",
    "__multi3",
    "__mulsi3",
    "__mulodi4",
    "__mulosi4",
    "__muloti4",
];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Helper {
    Divide,
    Multiply,
}

fn helper_kind(name: &str) -> Option<Helper> {
    let builtins = name.contains("compiler_builtins");
    if DIVIDE_HELPERS.contains(&name)
        || (builtins && (name.contains("div") || name.contains("_rem") || name.contains("mod")))
    {
        Some(Helper::Divide)
    } else if MULTIPLY_HELPERS.contains(&name) || (builtins && name.contains("mul")) {
        Some(Helper::Multiply)
    } else {
        None
    }
}

/// Decodes the Thumb-2 instruction at `pc` if it is one of the variable-latency ones for
/// `arch`; returns its text and the reason.
pub fn variable_latency(elf: &Elf, arch: Arch, pc: u32) -> Option<(String, &'static str)> {
    let hw1 = elf.halfword(pc)?;
    if hw1 >> 11 < 0b11101 {
        return None; // a 16-bit instruction: none of them has operand-dependent latency
    }
    let hw2 = elf.halfword(pc + 2)?;
    let rn = hw1 & 0xf;
    let (hi, lo, rm) = ((hw2 >> 8) & 0xf, (hw2 >> 12) & 0xf, hw2 & 0xf);
    let op2 = (hw2 >> 4) & 0xf;
    let divide = "hardware divide: 2-12 cycles depending on the operands";
    let long_mul = "Cortex-M3 long multiply: terminates early depending on the operand values";
    match (hw1 & 0xfff0, arch) {
        (0xfb90, Arch::V7M | Arch::V7EM | Arch::V8MMain) if op2 == 0xf && lo == 0xf => {
            Some((format!("sdiv r{hi}, r{rn}, r{rm}"), divide))
        }
        (0xfbb0, Arch::V7M | Arch::V7EM | Arch::V8MMain) if op2 == 0xf && lo == 0xf => {
            Some((format!("udiv r{hi}, r{rn}, r{rm}"), divide))
        }
        (0xfb80 | 0xfba0 | 0xfbc0 | 0xfbe0, Arch::V7M) if op2 == 0 => {
            let m = match hw1 & 0xfff0 {
                0xfb80 => "smull",
                0xfba0 => "umull",
                0xfbc0 => "smlal",
                _ => "umlal",
            };
            Some((format!("{m} r{lo}, r{hi}, r{rn}, r{rm}"), long_mul))
        }
        _ => None,
    }
}

/// The registers holding the operands of the site at `pc` that [`scan`] reported as `what`:
/// `UDIV`/`SDIV`'s dividend and divisor, a long multiply's factors (and accumulator), a helper
/// routine's arguments (`r0`..`r3` at the call).
pub fn operand_registers(elf: &Elf, pc: u32, what: &str) -> Vec<(&'static str, u8)> {
    if what.starts_with("call ") {
        return vec![("r0", 0), ("r1", 1), ("r2", 2), ("r3", 3)];
    }
    let (Some(hw1), Some(hw2)) = (elf.halfword(pc), elf.halfword(pc + 2)) else {
        return Vec::new();
    };
    let (rn, rm) = ((hw1 & 0xf) as u8, (hw2 & 0xf) as u8);
    let (hi, lo) = (((hw2 >> 8) & 0xf) as u8, ((hw2 >> 12) & 0xf) as u8);
    if what.starts_with("udiv") || what.starts_with("sdiv") {
        vec![("dividend", rn), ("divisor", rm)]
    } else if what.starts_with("umlal") || what.starts_with("smlal") {
        vec![("rn", rn), ("rm", rm), ("rdlo", lo), ("rdhi", hi)]
    } else {
        vec![("rn", rn), ("rm", rm)]
    }
}

/// Audits the executed code: the union of `traces` (every input), counted on `traces[0]`, each
/// site with its function and `file:line`.
pub fn scan(elf: &Elf, arch: Arch, traces: &[&Trace]) -> Vec<Finding> {
    let sites = sites(elf, arch, traces);
    let addrs: Vec<u32> = sites.iter().map(|f| f.address).collect();
    let locs = elf::locate(elf, &addrs);
    sites
        .into_iter()
        .map(|f| {
            let l = locs.get(&f.address).cloned().unwrap_or_default();
            Finding {
                instruction: f.what,
                address: u64::from(f.address),
                object: None,
                place: l.short(),
                function: l.function,
                symbol: Some(l.symbol),
                location: l.location,
                executions: f.executions,
                severity: f.severity,
                reason: f.reason,
                operands: None,
            }
        })
        .collect()
}

fn sites(elf: &Elf, arch: Arch, traces: &[&Trace]) -> Vec<Site> {
    let mut executions: BTreeMap<u32, u64> = BTreeMap::new();
    for pc in traces.iter().flat_map(|t| t.pcs()) {
        executions.entry(pc).or_insert(0);
    }
    if let Some(first) = traces.first() {
        for pc in first.pcs() {
            *executions.entry(pc).or_insert(0) += 1;
        }
    }
    let mut findings = Vec::new();
    for (&pc, &n) in &executions {
        if let Some((what, reason)) = variable_latency(elf, arch, pc) {
            findings.push(Site {
                what,
                address: pc,
                executions: n,
                severity: Severity::Leak,
                reason,
            });
        }
    }
    // Helper calls: an executed PC at a helper's first instruction; the call site is the
    // instruction executed just before it.
    let mut calls: BTreeMap<(u32, String), (u64, Helper)> = BTreeMap::new();
    for (ti, t) in traces.iter().enumerate() {
        let mut previous: Option<u32> = None;
        for e in t.events.iter().filter(|e| e.kind == Kind::Exec) {
            let helper = elf
                .functions_at(e.addr)
                .filter(|f| f.start == u64::from(e.addr))
                .find_map(|f| helper_kind(&f.name).map(|k| (f.name.clone(), k)));
            // A call from inside a helper (`__aeabi_uidiv` into `u32_div_rem`) is part of the
            // outer call, which is already reported.
            let site_in_helper = |site: u32| {
                elf.functions_at(site)
                    .any(|f| helper_kind(&f.name).is_some())
            };
            if let (Some((name, kind)), Some(site)) =
                (helper, previous.filter(|&s| !site_in_helper(s)))
            {
                let entry = calls.entry((site, name)).or_insert((0, kind));
                if ti == 0 {
                    entry.0 += 1;
                }
            }
            previous = Some(e.addr);
        }
    }
    for ((site, name), (n, kind)) in calls {
        let (severity, reason) = match kind {
            Helper::Divide => (
                Severity::Leak,
                "division routine: its running time depends on the operands",
            ),
            Helper::Multiply => (
                Severity::Note,
                "multiply routine built from MULS (fixed latency per core): its timing is its instruction stream, which the trace engine checks",
            ),
        };
        findings.push(Site {
            what: format!("call {name}"),
            address: site,
            executions: n,
            severity,
            reason,
        });
    }
    findings
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn helper_names() {
        assert_eq!(helper_kind("__aeabi_uldivmod"), Some(Helper::Divide));
        assert_eq!(helper_kind("__aeabi_lmul"), Some(Helper::Multiply));
        assert_eq!(
            helper_kind("_ZN17compiler_builtins3int19specialized_div_rem11u64_div_rem17h0E"),
            Some(Helper::Divide)
        );
        assert_eq!(helper_kind("memcpy"), None);
        assert_eq!(helper_kind("__aeabi_memcpy"), None);
    }
}
