//! One judge of "secret-dependent control flow or address", fed by two evidence sources.
//!
//! On the host, memcheck's taint tracking reports the branches and addresses computed from
//! secret bytes (`engine::taint`); on Cortex-M, the QEMU plugin's PC and address traces of
//! inputs with the same public input must be identical (`crate::embedded`). Both become a list
//! of [`Site`]s where the secret steered the program; [`judge`] gives the verdict (a leak iff
//! there is one) and the one-line summary, and [`Evidence`] keeps each source's report fields.

use crate::elf::Location;
use crate::engine::{CheckResult, EngineName, Verdict};

/// What happened at one step of a firmware trace.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Kind {
    /// An instruction executed at this address.
    Exec,
    /// A load from this address.
    Load,
    /// A store to this address.
    Store,
}

impl Kind {
    /// Its name in evidence.
    pub fn name(self) -> &'static str {
        match self {
            Kind::Exec => "exec",
            Kind::Load => "load",
            Kind::Store => "store",
        }
    }
}

/// One step of a firmware trace, as the QEMU plugin recorded it between the two markers.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub struct Event {
    /// Whether the address was executed, loaded from or stored to.
    pub kind: Kind,
    /// The PC (for `Exec`) or the data address.
    pub addr: u32,
}

/// A branch or address memcheck saw computed from secret (undefined) bytes.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TaintedSite {
    /// Memcheck's error kind (`UninitCondition`: a branch, `UninitValue`: an address).
    pub kind: String,
    /// Memcheck's message.
    pub message: String,
    /// `file:line` of the first frame outside the standard library.
    pub location: String,
    /// Its function.
    pub function: String,
    /// `file:line` of the innermost frame.
    pub innermost: Option<String>,
    /// `function at file:line`, innermost first, down to the harness's call frame.
    pub stack: Vec<String>,
    /// `location` shortened for the summary.
    pub place: String,
    /// Set when the bytes came from a `declassify()` inside the check rather than from the
    /// secret (memcheck's origin of the undefined value): where that was.
    pub declassified: Option<Declassified>,
}

/// Where a value used at a [`TaintedSite`] was declassified.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Declassified {
    /// `file:line` of the `.declassify()` call: the first frame of the origin stack outside
    /// secret-core and the standard library.
    pub location: String,
    /// Its function.
    pub function: String,
    /// The origin stack, `function at file:line`, innermost first, down to the harness's call
    /// frame.
    pub stack: Vec<String>,
    /// `location` shortened for the summary.
    pub place: String,
    /// The `allow_declassify` site that allows it, as the user wrote it: then the use is
    /// intended and not a leak.
    pub allowed_by: Option<String>,
}

impl TaintedSite {
    /// Whether the user allowed it: a use of a value declassified at an allowed site.
    pub fn intended(&self) -> bool {
        self.declassified
            .as_ref()
            .is_some_and(|d| d.allowed_by.is_some())
    }
}

impl Site {
    /// Whether the site is evidence of a leak (every site but an intended declassify use).
    pub fn is_leak(&self) -> bool {
        !matches!(self, Site::Tainted(t) if t.intended())
    }
}

/// Where the traces of two inputs first part.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TraceSplit {
    /// The reference input and the other one.
    pub inputs: (String, String),
    /// Index of the first differing event.
    pub event_index: usize,
    /// Each input's event there (`None`: that trace ended).
    pub events: (Option<Event>, Option<Event>),
    /// The instruction at (or making the access of) the first differing event, and its source.
    pub at: Option<(u32, Location)>,
    /// The last instruction both traces executed before it, and its source.
    pub after: Option<(u32, Location)>,
}

/// One place where the secret steered the program.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Site {
    /// Host: a tainted branch or address.
    Tainted(TaintedSite),
    /// Host: an input whose call panicked while others did not (`public|input`, message).
    Panicked(String, String),
    /// Cortex-M: two inputs' traces differ.
    Split(TraceSplit),
}

/// Which source the evidence comes from, with its fields that are not sites.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Memcheck on the host (engine `taint`).
    Taint {
        /// Calls the check made under memcheck.
        calls: usize,
        /// Tainted errors outside the check's call (the harness), not held against it.
        errors_outside_check: usize,
    },
    /// QEMU traces on Cortex-M (engine `trace`).
    Trace {
        /// Events per input, in input order.
        trace_events: Vec<(String, usize)>,
        /// Instructions of the reference input's trace.
        instructions: u64,
    },
}

/// What one source saw of one check.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Host memcheck or device traces.
    pub source: Source,
    /// Every site found (memcheck: all, deduplicated by kind and location, then panics;
    /// traces: the first split found).
    pub sites: Vec<Site>,
}

/// The verdict: a leak iff the secret steered a branch or an address somewhere (or made some
/// inputs panic); the summary names the first site.
pub fn judge(target: &str, evidence: &Evidence) -> CheckResult {
    let engine = match evidence.source {
        Source::Taint { .. } => EngineName::Taint,
        Source::Trace { .. } => EngineName::Trace,
    };
    let tainted = evidence
        .sites
        .iter()
        .filter(|s| matches!(s, Site::Tainted(_)) && s.is_leak())
        .count();
    let intended = evidence.sites.len() - evidence.sites.iter().filter(|s| s.is_leak()).count();
    let (verdict, summary) = match evidence.sites.iter().find(|s| s.is_leak()) {
        Some(Site::Tainted(t)) => {
            let more = match tainted {
                0 | 1 => String::new(),
                n => format!(" (+{} more)", n - 1),
            };
            let what = match &t.declassified {
                Some(d) => format!(
                    "{} on a value declassified at {}",
                    if t.kind == "UninitCondition" {
                        "branch"
                    } else {
                        "address"
                    },
                    d.place
                ),
                None => t.message.clone(),
            };
            (Verdict::Leak, format!("{}: {what}{more}", t.place))
        }
        Some(Site::Panicked(input, message)) => (
            Verdict::Leak,
            format!("panics for some secret inputs only: {input} ({message})"),
        ),
        Some(Site::Split(s)) => (Verdict::Leak, split_summary(s)),
        None => (
            Verdict::ConstantTime,
            match &evidence.source {
                Source::Taint { calls, .. } if intended > 0 => format!(
                    "no secret-dependent branch or address in {calls} calls; {intended} \
                     intended use(s) of values declassified at allowed sites"
                ),
                Source::Taint { calls, .. } => {
                    format!("no secret-dependent branch or address in {calls} calls")
                }
                Source::Trace {
                    trace_events,
                    instructions,
                } => format!(
                    "{} identical PC+address traces ({} events, {instructions} instructions)",
                    trace_events.len(),
                    trace_events.first().map_or(0, |t| t.1)
                ),
            },
        ),
    };
    CheckResult {
        target: target.to_string(),
        engine,
        verdict,
        evidence: crate::engine::Evidence::Flow(evidence.clone()),
        summary,
    }
}

fn split_summary(s: &TraceSplit) -> String {
    let what = match s.events {
        (Some(a), Some(b)) if a.kind == b.kind && a.kind != Kind::Exec => {
            format!("{} address {:#x} vs {:#x}", a.kind.name(), a.addr, b.addr)
        }
        (Some(a), Some(b)) if a.kind == Kind::Exec && b.kind == Kind::Exec => {
            format!("next pc {:#x} vs {:#x}", a.addr, b.addr)
        }
        _ => "different trace length".to_string(),
    };
    let where_ = s.at.as_ref().map(|(_, l)| l.short()).unwrap_or_default();
    let after = match (s.events, &s.after) {
        ((Some(a), Some(b)), Some((c, l))) if a.kind == Kind::Exec && b.kind == a.kind => {
            format!("; the paths part after {c:#x} {}", l.short())
        }
        _ => String::new(),
    };
    format!(
        "traces of {} and {} differ at event {} ({what}) at {:#x} {where_}{after}",
        s.inputs.0,
        s.inputs.1,
        s.event_index,
        s.at.as_ref().map_or(0, |a| a.0)
    )
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::{json, Value};

    fn taint(sites: Vec<Site>) -> Evidence {
        Evidence {
            source: Source::Taint {
                calls: 6,
                errors_outside_check: 1,
            },
            sites,
        }
    }

    fn tainted(location: &str) -> Site {
        Site::Tainted(TaintedSite {
            kind: "UninitCondition".into(),
            message: "Conditional jump or move depends on uninitialised value(s)".into(),
            location: location.into(),
            function: "f".into(),
            innermost: Some(location.into()),
            stack: vec![format!("f at {location}")],
            place: location.into(),
            declassified: None,
        })
    }

    fn trace(sites: Vec<Site>) -> Evidence {
        Evidence {
            source: Source::Trace {
                trace_events: vec![("zeros".into(), 10), ("ones".into(), 12)],
                instructions: 7,
            },
            sites,
        }
    }

    fn loc(function: &str, line: u32) -> Location {
        Location {
            function: function.into(),
            location: format!("src/lib.rs:{line}"),
            inlined_into: None,
            symbol: function.into(),
            user: None,
        }
    }

    #[test]
    fn no_site_is_constant_time_on_both_sources() {
        let r = judge("c", &taint(Vec::new()));
        assert_eq!(
            (r.engine, r.verdict),
            (EngineName::Taint, Verdict::ConstantTime)
        );
        assert_eq!(
            r.summary,
            "no secret-dependent branch or address in 6 calls"
        );
        assert_eq!(
            r.evidence.to_json(),
            json!({"calls": 6, "errors": [], "errors_outside_check": 1, "panicked_inputs": []})
        );
        let r = judge("c", &trace(Vec::new()));
        assert_eq!(
            (r.engine, r.verdict),
            (EngineName::Trace, Verdict::ConstantTime)
        );
        assert_eq!(
            r.evidence.to_json(),
            json!({"inputs": 2, "trace_events": {"zeros": 10, "ones": 12}, "instructions": 7})
        );
    }

    #[test]
    fn tainted_sites_leak_and_are_counted() {
        let r = judge(
            "c",
            &taint(vec![
                tainted("src/lib.rs:3"),
                tainted("src/lib.rs:9"),
                Site::Panicked("0|zeros".into(), "boom".into()),
            ]),
        );
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "src/lib.rs:3: Conditional jump or move depends on uninitialised value(s) (+1 more)"
        );
        assert_eq!(
            r.evidence.to_json()["errors"].as_array().map(Vec::len),
            Some(2)
        );
        assert_eq!(
            r.evidence.to_json()["panicked_inputs"][0]["input"],
            "0|zeros"
        );
    }

    #[test]
    fn a_panic_for_some_inputs_only_is_a_leak_by_itself() {
        let r = judge(
            "c",
            &taint(vec![Site::Panicked("random#2".into(), "index".into())]),
        );
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "panics for some secret inputs only: random#2 (index)"
        );
        assert_eq!(r.evidence.to_json()["errors"], json!([]));
    }

    #[test]
    fn a_branch_split_names_both_pcs_and_where_the_paths_part() {
        let split = TraceSplit {
            inputs: ("zeros".into(), "ones".into()),
            event_index: 4,
            events: (
                Some(Event {
                    kind: Kind::Exec,
                    addr: 0x20,
                }),
                Some(Event {
                    kind: Kind::Exec,
                    addr: 0x40,
                }),
            ),
            at: Some((0x20, loc("f", 5))),
            after: Some((0x1c, loc("f", 4))),
        };
        let r = judge("c", &trace(vec![Site::Split(split)]));
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "traces of zeros and ones differ at event 4 (next pc 0x20 vs 0x40) at 0x20 f (src/lib.rs:5); the paths part after 0x1c f (src/lib.rs:4)"
        );
        let json = r.evidence.to_json();
        let d = &json["first_divergence"];
        assert_eq!(d["inputs"], json!(["zeros", "ones"]));
        assert_eq!(d["pc"], "0x00000020");
        assert_eq!(d["ones"], json!({"kind": "exec", "address": "0x00000040"}));
        assert_eq!(d["after"]["location"], "src/lib.rs:4");
    }

    #[test]
    fn an_address_split_and_a_shorter_trace() {
        let address = TraceSplit {
            inputs: ("zeros".into(), "random#0".into()),
            event_index: 2,
            events: (
                Some(Event {
                    kind: Kind::Load,
                    addr: 0x2000_0000,
                }),
                Some(Event {
                    kind: Kind::Load,
                    addr: 0x2000_0007,
                }),
            ),
            at: Some((0x30, loc("sbox", 40))),
            after: Some((0x30, loc("sbox", 40))),
        };
        let r = judge("c", &trace(vec![Site::Split(address)]));
        assert!(
            r.summary
                .contains("(load address 0x20000000 vs 0x20000007)"),
            "{}",
            r.summary
        );
        assert!(!r.summary.contains("paths part"), "{}", r.summary);
        let ended = TraceSplit {
            inputs: ("zeros".into(), "ones".into()),
            event_index: 10,
            events: (
                None,
                Some(Event {
                    kind: Kind::Exec,
                    addr: 0x50,
                }),
            ),
            at: None,
            after: None,
        };
        let r = judge("c", &trace(vec![Site::Split(ended)]));
        assert_eq!(r.verdict, Verdict::Leak);
        assert!(
            r.summary.contains("different trace length"),
            "{}",
            r.summary
        );
        assert_eq!(
            r.evidence.to_json()["first_divergence"]["zeros"],
            json!({"kind": "end of trace"})
        );
        assert_eq!(r.evidence.to_json()["first_divergence"]["pc"], Value::Null);
    }
}
