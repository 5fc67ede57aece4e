//! The audit engine: variable-latency instructions the check executed.
//!
//! Two evidence sources, one judge. On the host, callgrind's per-instruction dump lists every
//! executed instruction and [`x86`] decodes it (`DIV`/`IDIV`); on Cortex-M, the QEMU trace lists
//! every executed PC and `crate::embedded::audit` decodes the Thumb code (`UDIV`/`SDIV`,
//! Cortex-M3's long multiplies, calls to division helpers). Both hand [`judge`] the same
//! [`Evidence`]: a list of executed sites. On the host, [`operands`] then judges each executed
//! divide by its operands, read per call under ptrace ([`ptrace`]): the same for every secret
//! input (per public input) makes it a [`Severity::Note`], a difference a [`Severity::Leak`] with
//! the two inputs and their operands. On Cortex-M the same, with the registers read through
//! QEMU's gdbstub (`crate::embedded::gdbstub`). A site whose operands could not be read stays a
//! [`Severity::Leak`], with the reason.

pub mod operands;
#[cfg(all(target_os = "linux", target_arch = "x86_64"))]
pub mod ptrace;
pub mod x86;

use crate::engine::{CheckResult, EngineName, Verdict};

/// Whether an executed site makes the check leak.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Severity {
    /// Operand-dependent latency (a divide, an early-terminating multiply, a division routine).
    Leak,
    /// Reported for a reader, not a leak (Cortex-M0's multiply routines: fixed-latency `MULS`,
    /// so their timing is their instruction stream, which the trace engine checks).
    Note,
}

/// One variable-latency instruction, or call to an arithmetic routine, that the check executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Finding {
    /// The instruction (`div rcx`, `udiv r0, r1, r2`) or the routine (`call __aeabi_uldivmod`).
    pub instruction: String,
    /// Its address (of the call site for a routine).
    pub address: u64,
    /// The object file it was decoded from (host: the executable or a shared library).
    pub object: Option<String>,
    /// The function at that address (inlining resolved where line tables allow).
    pub function: String,
    /// The enclosing function of the symbol table (device), when it may differ from `function`.
    pub symbol: Option<String>,
    /// `file:line`.
    pub location: String,
    /// Where a person should look, for the one-line summary: `file:line` or
    /// `function (file:line)`.
    pub place: String,
    /// How often it ran: host, over all calls of the check; device, in the first input's trace
    /// (0 when only other inputs ran it, which still makes it a finding).
    pub executions: u64,
    /// Leak or note.
    pub severity: Severity,
    /// Why the instruction is variable-latency.
    pub reason: &'static str,
    /// What its operands showed, when they were read (host); `None`: judged by the opcode.
    pub operands: Option<operands::OperandCheck>,
}

/// Where the evidence comes from; it decides the JSON fields that only one platform has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Platform {
    /// Valgrind on the host, with the number of distinct instructions the longest call ran.
    Host {
        /// Distinct instructions executed by the longest call.
        executed_instructions: u64,
    },
    /// A Cortex-M core under QEMU.
    Device {
        /// `Cortex-M3`, ...
        core: &'static str,
    },
}

/// What the audit saw of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Host or device.
    pub platform: Platform,
    /// Every executed variable-latency site, leaks and notes, in address order.
    pub findings: Vec<Finding>,
}

/// The audit verdict: a leak iff a [`Severity::Leak`] site was executed by any input; notes
/// alone leave it constant-time.
pub fn judge(target: &str, evidence: &Evidence) -> CheckResult {
    let leaks: Vec<&Finding> = evidence
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Leak)
        .collect();
    let notes: Vec<String> = evidence
        .findings
        .iter()
        .filter(|f| f.severity == Severity::Note)
        .map(|f| match &f.operands {
            Some(o) => format!("{} ({})", f.instruction, o.describe()),
            None => f.instruction.clone(),
        })
        .collect();
    let judged_by_operands = evidence.findings.iter().any(|f| f.operands.is_some());
    let scope = match &evidence.platform {
        Platform::Host {
            executed_instructions,
        } => format!("among {executed_instructions} executed"),
        Platform::Device { core } => format!("executed on {core}"),
    };
    let scope = if judged_by_operands {
        format!("with secret-dependent operands {scope}")
    } else {
        scope
    };
    let (verdict, summary) = match leaks.first() {
        Some(f) => {
            let more = match leaks.len() {
                1 => String::new(),
                n => format!(" (+{} more)", n - 1),
            };
            let operands = match &f.operands {
                Some(o) => format!(": {}", o.describe()),
                None => String::new(),
            };
            (
                Verdict::Leak,
                format!(
                    "`{}` at {:#x} ({}){operands}{more}",
                    f.instruction, f.address, f.place
                ),
            )
        }
        None if notes.is_empty() => (
            Verdict::ConstantTime,
            format!("no variable-latency instruction {scope}"),
        ),
        None => (
            Verdict::ConstantTime,
            format!(
                "no variable-latency instruction {scope}; {} note(s): {}",
                notes.len(),
                notes.join(", ")
            ),
        ),
    };
    CheckResult {
        target: target.to_string(),
        engine: EngineName::Audit,
        verdict,
        evidence: crate::engine::Evidence::Audit(evidence.clone()),
        summary,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn site(instruction: &str, address: u64, executions: u64, severity: Severity) -> Finding {
        Finding {
            instruction: instruction.into(),
            address,
            object: None,
            function: "f".into(),
            symbol: Some("f".into()),
            location: "src/lib.rs:7".into(),
            place: "f (src/lib.rs:7)".into(),
            executions,
            severity,
            reason: "test",
            operands: None,
        }
    }

    fn device(findings: Vec<Finding>) -> Evidence {
        Evidence {
            platform: Platform::Device { core: "Cortex-M3" },
            findings,
        }
    }

    #[test]
    fn nothing_executed_is_constant_time() {
        let r = judge("c", &device(Vec::new()));
        assert_eq!(r.verdict, Verdict::ConstantTime);
        assert_eq!(
            r.summary,
            "no variable-latency instruction executed on Cortex-M3"
        );
        assert_eq!(
            r.evidence.to_json()["findings"].as_array().map(Vec::len),
            Some(0)
        );
        let host = Evidence {
            platform: Platform::Host {
                executed_instructions: 42,
            },
            findings: Vec::new(),
        };
        let r = judge("c", &host);
        assert_eq!(r.verdict, Verdict::ConstantTime);
        assert_eq!(
            r.summary,
            "no variable-latency instruction among 42 executed"
        );
    }

    #[test]
    fn a_site_run_only_by_other_inputs_still_leaks() {
        // Executions count the first input's trace; 0 means another input took that path.
        let r = judge(
            "c",
            &device(vec![site("udiv r0, r1, r2", 0x100, 0, Severity::Leak)]),
        );
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(r.summary, "`udiv r0, r1, r2` at 0x100 (f (src/lib.rs:7))");
    }

    #[test]
    fn notes_alone_are_constant_time_and_named() {
        let r = judge(
            "c",
            &device(vec![
                site("call __aeabi_lmul", 0x10, 3, Severity::Note),
                site("call __muldi3", 0x20, 1, Severity::Note),
            ]),
        );
        assert_eq!(r.verdict, Verdict::ConstantTime);
        assert_eq!(
            r.summary,
            "no variable-latency instruction executed on Cortex-M3; 2 note(s): call __aeabi_lmul, call __muldi3"
        );
        assert_eq!(r.evidence.to_json()["findings"][1]["severity"], "note");
    }

    #[test]
    fn leaks_among_notes_name_the_first_leak_and_count_only_leaks() {
        let r = judge(
            "c",
            &device(vec![
                site("call __aeabi_lmul", 0x10, 3, Severity::Note),
                site("umull r0, r1, r2, r3", 0x20, 1, Severity::Leak),
                site("call __aeabi_uidiv", 0x30, 2, Severity::Leak),
            ]),
        );
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "`umull r0, r1, r2, r3` at 0x20 (f (src/lib.rs:7)) (+1 more)"
        );
        assert_eq!(
            r.evidence.to_json()["findings"].as_array().map(Vec::len),
            Some(3)
        );
    }

    #[test]
    fn json_shapes_of_host_and_device() {
        let mut f = site("div rcx", 0x1a2b, 5, Severity::Leak);
        f.object = Some("/bin/suite".into());
        f.symbol = None;
        let host = judge(
            "c",
            &Evidence {
                platform: Platform::Host {
                    executed_instructions: 9,
                },
                findings: vec![f.clone()],
            },
        );
        assert_eq!(
            host.evidence.to_json(),
            json!({"findings": [{"instruction": "div rcx", "address": "0x1a2b",
                "object": "/bin/suite", "location": "src/lib.rs:7", "function": "f",
                "executions": 5}], "executed_instructions": 9})
        );
        f.symbol = Some("sym".into());
        let dev = judge("c", &device(vec![f]));
        assert_eq!(
            dev.evidence.to_json(),
            json!({"core": "Cortex-M3", "findings": [{"instruction": "div rcx",
                "address": "0x00001a2b", "function": "f", "symbol": "sym",
                "location": "src/lib.rs:7", "executions": 5, "severity": "leak",
                "reason": "test"}]})
        );
    }

    #[test]
    fn host_divides_judged_by_operands() {
        use operands::{OperandCheck, OperandDifference, Operands};
        let host = |f: Finding| Evidence {
            platform: Platform::Host {
                executed_instructions: 9,
            },
            findings: vec![f],
        };
        let mut same = site("div esi", 0x40, 18, Severity::Note);
        same.operands = Some(OperandCheck::Same {
            calls: 18,
            executions: 18,
        });
        let r = judge("c", &host(same));
        assert_eq!(r.verdict, Verdict::ConstantTime);
        assert_eq!(
            r.summary,
            "no variable-latency instruction with secret-dependent operands among 9 executed; \
             1 note(s): div esi (same operands for every secret input (18 executions in 18 calls))"
        );
        let json = r.evidence.to_json();
        assert_eq!(json["findings"][0]["severity"], "note");
        assert_eq!(
            json["findings"][0]["operands"],
            json!({"verdict": "same", "calls": 18, "executions": 18})
        );

        let mut differ = site("div ecx", 0x50, 6, Severity::Leak);
        let ops = |d: u128| Some(Operands(vec![("dividend", 7), ("divisor", d)]));
        differ.operands = Some(OperandCheck::Differ(OperandDifference {
            public: 0,
            inputs: ["zeros".into(), "ones".into()],
            execution: 0,
            operands: [ops(1), ops(0xff)],
        }));
        let r = judge("c", &host(differ));
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "`div ecx` at 0x50 (f (src/lib.rs:7)): operands differ with the secret: execution #0 \
             with public input 0: zeros dividend=0x7 divisor=0x1 vs ones dividend=0x7 divisor=0xff"
        );
        assert_eq!(
            r.evidence.to_json()["findings"][0]["operands"],
            json!({"verdict": "differ", "public": 0, "inputs": ["zeros", "ones"], "execution": 0,
                "operands": [{"dividend": "0x7", "divisor": "0x1"},
                             {"dividend": "0x7", "divisor": "0xff"}]})
        );
    }
}
