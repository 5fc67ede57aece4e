//! Judging a variable-latency site by its operands instead of its opcode.
//!
//! A divide whose operands are the same for every secret input (with the same public input)
//! takes the same time for all of them: its latency tells nothing about the secret. One whose
//! operands differ between two secret inputs is a leak (KyberSlash). A backend (ptrace on the
//! host, see [`super::ptrace`]) stops at every executed site inside each recorded call of the
//! check and reads the operands; [`compare`] decides per site.
//!
//! Like the count engine, this compares the inputs the harness tried: operands equal for those
//! inputs are evidence, not a proof, that they do not depend on the secret.

use std::fmt;

/// The operand values one execution of a site used, named (`dividend`, `divisor`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Operands(pub Vec<(&'static str, u128)>);

impl fmt::Display for Operands {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        for (i, (name, value)) in self.0.iter().enumerate() {
            if i > 0 {
                f.write_str(" ")?;
            }
            write!(f, "{name}={value:#x}")?;
        }
        Ok(())
    }
}

/// What one recorded call of the check executed at the audited sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CallOperands {
    /// The public input's index.
    pub public: usize,
    /// The secret input's label (`zeros`, `ones`, `fixed#I`, `random#I`).
    pub label: String,
    /// (site, operands), in execution order; the site is its index in the audit's list.
    pub hits: Vec<(usize, Operands)>,
}

/// The first execution of a site whose operands differ between two secret inputs with the same
/// public input.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OperandDifference {
    /// The public input both calls share.
    pub public: usize,
    /// The reference call's label (the first call with that public input) and the other's.
    pub inputs: [String; 2],
    /// Which execution of the site in each call (0: the first).
    pub execution: usize,
    /// The two calls' operands at that execution; `None` for a call that executed the site fewer
    /// times.
    pub operands: [Option<Operands>; 2],
}

/// The verdict on one site's operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum OperandCheck {
    /// Every secret input gave the same operand sequence (per public input): not a leak.
    Same {
        /// Recorded calls compared.
        calls: usize,
        /// Executions of the site read, over all calls.
        executions: u64,
    },
    /// The operands differ with the secret: a leak.
    Differ(OperandDifference),
    /// The operands could not be read (why); the site stays a leak, to be looked at.
    Unchecked(String),
}

impl OperandCheck {
    /// Whether the site is a leak (anything but [`OperandCheck::Same`]).
    pub fn leaks(&self) -> bool {
        !matches!(self, OperandCheck::Same { .. })
    }

    /// One line for the human report.
    pub fn describe(&self) -> String {
        match self {
            OperandCheck::Same { calls, executions } => format!(
                "same operands for every secret input ({executions} executions in {calls} calls)"
            ),
            OperandCheck::Differ(d) => {
                let show = |o: &Option<Operands>| match o {
                    Some(o) => o.to_string(),
                    None => "not executed".to_string(),
                };
                format!(
                    "operands differ with the secret: execution #{} with public input {}: {} {} vs {} {}",
                    d.execution,
                    d.public,
                    d.inputs[0],
                    show(&d.operands[0]),
                    d.inputs[1],
                    show(&d.operands[1])
                )
            }
            OperandCheck::Unchecked(why) => format!("operands not read: {why}"),
        }
    }
}

/// Compares, per public input, the operand sequence of `site` (an index) in every call with the first
/// call's. A site the recorded calls never reached (callgrind saw it, the native run did not)
/// is [`OperandCheck::Unchecked`]: nothing was compared.
pub fn compare(site: usize, calls: &[CallOperands]) -> OperandCheck {
    let sequence = |c: &CallOperands| -> Vec<Operands> {
        c.hits
            .iter()
            .filter(|(a, _)| *a == site)
            .map(|(_, o)| o.clone())
            .collect()
    };
    let mut executions = 0u64;
    let mut publics: Vec<usize> = calls.iter().map(|c| c.public).collect();
    publics.sort_unstable();
    publics.dedup();
    for public in publics {
        let group: Vec<&CallOperands> = calls.iter().filter(|c| c.public == public).collect();
        let reference = sequence(group[0]);
        executions += reference.len() as u64;
        for other in &group[1..] {
            let seq = sequence(other);
            executions += seq.len() as u64;
            let n = reference.len().max(seq.len());
            if let Some(i) = (0..n).find(|&i| reference.get(i) != seq.get(i)) {
                return OperandCheck::Differ(OperandDifference {
                    public,
                    inputs: [group[0].label.clone(), other.label.clone()],
                    execution: i,
                    operands: [reference.get(i).cloned(), seq.get(i).cloned()],
                });
            }
        }
    }
    if executions == 0 {
        return OperandCheck::Unchecked(
            "no recorded call executed it natively (a thread the tracer does not follow?)".into(),
        );
    }
    OperandCheck::Same {
        calls: calls.len(),
        executions,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn div(dividend: u128, divisor: u128) -> Operands {
        Operands(vec![("dividend", dividend), ("divisor", divisor)])
    }

    fn call(public: usize, label: &str, hits: Vec<(usize, Operands)>) -> CallOperands {
        CallOperands {
            public,
            label: label.into(),
            hits,
        }
    }

    #[test]
    fn equal_sequences_per_public_input_are_the_same() {
        // Public input 1 divides other values than public input 0: that is allowed.
        let calls = vec![
            call(0, "zeros", vec![(0x10, div(9, 3)), (0x20, div(1, 1))]),
            call(0, "ones", vec![(0x10, div(9, 3)), (0x20, div(1, 1))]),
            call(1, "zeros", vec![(0x10, div(12, 3))]),
            call(1, "ones", vec![(0x10, div(12, 3))]),
        ];
        assert_eq!(
            compare(0x10, &calls),
            OperandCheck::Same {
                calls: 4,
                executions: 4
            }
        );
        assert!(!compare(0x10, &calls).leaks());
    }

    #[test]
    fn a_differing_operand_is_a_leak_with_both_inputs() {
        let calls = vec![
            call(0, "zeros", vec![(0x10, div(9, 3)), (0x10, div(7, 1))]),
            call(0, "random#0", vec![(0x10, div(9, 3)), (0x10, div(7, 5))]),
        ];
        let got = compare(0x10, &calls);
        assert!(got.leaks());
        assert_eq!(
            got.describe(),
            "operands differ with the secret: execution #1 with public input 0: \
             zeros dividend=0x7 divisor=0x1 vs random#0 dividend=0x7 divisor=0x5"
        );
    }

    #[test]
    fn a_different_number_of_executions_is_a_leak() {
        let calls = vec![
            call(0, "zeros", vec![(0x10, div(9, 3))]),
            call(0, "ones", vec![(0x10, div(9, 3)), (0x10, div(9, 3))]),
        ];
        match compare(0x10, &calls) {
            OperandCheck::Differ(d) => {
                assert_eq!(d.execution, 1);
                assert_eq!(d.operands, [None, Some(div(9, 3))]);
            }
            other => panic!("{other:?}"),
        }
    }

    #[test]
    fn a_site_never_reached_is_unchecked_not_same() {
        let calls = vec![call(0, "zeros", vec![(0x20, div(1, 1))])];
        assert!(matches!(compare(0x10, &calls), OperandCheck::Unchecked(_)));
        assert!(matches!(compare(0x10, &[]), OperandCheck::Unchecked(_)));
    }
}
