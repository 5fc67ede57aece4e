//! Traces written by the plugin, and where two of them first differ.

use std::path::Path;

pub use crate::engine::flow::{Event, Kind};

/// A recorded trace between the markers.
#[derive(Clone, Debug, Default)]
pub struct Trace {
    /// Events in execution order; an instruction's memory accesses follow its `Exec` event.
    pub events: Vec<Event>,
}

impl Trace {
    /// Reads a plugin output file.
    pub fn read(path: &Path) -> Result<Trace, String> {
        let data = std::fs::read(path).map_err(|e| format!("no trace from the plugin ({e})"))?;
        if data.len() < 16 || &data[..4] != b"CTVT" {
            return Err("malformed trace file".into());
        }
        let word = |i: usize| u32::from_le_bytes([data[i], data[i + 1], data[i + 2], data[i + 3]]);
        let (starts, truncated) = (word(8), word(12));
        if starts != 1 {
            return Err(format!(
                "the start marker ran {starts} times (expected once)"
            ));
        }
        if truncated != 0 {
            return Err("the trace was truncated (too many events)".into());
        }
        let events = data[16..]
            .chunks_exact(8)
            .map(|c| {
                let kind = match u32::from_le_bytes([c[0], c[1], c[2], c[3]]) {
                    0 => Kind::Exec,
                    1 => Kind::Load,
                    _ => Kind::Store,
                };
                Event {
                    kind,
                    addr: u32::from_le_bytes([c[4], c[5], c[6], c[7]]),
                }
            })
            .collect();
        Ok(Trace { events })
    }

    /// Number of instructions executed.
    pub fn instructions(&self) -> u64 {
        self.events.iter().filter(|e| e.kind == Kind::Exec).count() as u64
    }

    /// The PC of the instruction at or before event `i` (the one that made a memory access).
    pub fn pc_at(&self, i: usize) -> Option<u32> {
        self.events[..=i.min(self.events.len().saturating_sub(1))]
            .iter()
            .rev()
            .find(|e| e.kind == Kind::Exec)
            .map(|e| e.addr)
    }

    /// The PC of the last instruction both traces executed before event `i`.
    pub fn last_common_pc(&self, i: usize) -> Option<u32> {
        self.events[..i.min(self.events.len())]
            .iter()
            .rev()
            .find(|e| e.kind == Kind::Exec)
            .map(|e| e.addr)
    }

    /// Every distinct executed PC.
    pub fn pcs(&self) -> impl Iterator<Item = u32> + '_ {
        self.events
            .iter()
            .filter(|e| e.kind == Kind::Exec)
            .map(|e| e.addr)
    }
}

/// Where two traces first differ.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Divergence {
    /// Index of the first differing event.
    pub index: usize,
    /// The reference trace's event there (`None`: it ended).
    pub reference: Option<Event>,
    /// The other trace's event there (`None`: it ended).
    pub other: Option<Event>,
}

/// The first difference between `a` and `b`, if any.
pub fn first_divergence(a: &Trace, b: &Trace) -> Option<Divergence> {
    let n = a.events.len().min(b.events.len());
    let index = (0..n)
        .find(|&i| a.events[i] != b.events[i])
        .or((a.events.len() != b.events.len()).then_some(n))?;
    Some(Divergence {
        index,
        reference: a.events.get(index).copied(),
        other: b.events.get(index).copied(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(v: &[(Kind, u32)]) -> Trace {
        Trace {
            events: v.iter().map(|&(kind, addr)| Event { kind, addr }).collect(),
        }
    }

    #[test]
    fn divergence_in_middle_and_at_end() {
        let a = t(&[(Kind::Exec, 0x10), (Kind::Load, 0x2000), (Kind::Exec, 0x12)]);
        let b = t(&[(Kind::Exec, 0x10), (Kind::Load, 0x2004), (Kind::Exec, 0x12)]);
        let d = first_divergence(&a, &b).unwrap();
        assert_eq!(d.index, 1);
        assert_eq!(a.pc_at(1), Some(0x10));
        assert!(first_divergence(&a, &a).is_none());
        let c = t(&[(Kind::Exec, 0x10)]);
        let d = first_divergence(&a, &c).unwrap();
        assert_eq!((d.index, d.other), (1, None));
        assert_eq!(a.instructions(), 2);
    }
}
