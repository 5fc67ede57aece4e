//! Reading callgrind's output files (`--dump-instr=yes`): one [`Dump`] per labelled dump, with
//! the self cost of every executed instruction and its source location.
//!
//! Callgrind writes instruction addresses relative to the object file they belong to (for a
//! position-independent executable, the ELF virtual address), so they can be looked up in the file.

use std::collections::{BTreeMap, HashMap};

/// An executed instruction: object file and address within it.
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct InstrKey {
    /// The object file (`ob=`).
    pub object: String,
    /// Address as callgrind reports it (object-relative).
    pub addr: u64,
}

/// What is known about one executed instruction.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct InstrCost {
    /// Times executed (self cost in Ir).
    pub ir: u64,
    /// Source file (after inlining, the innermost).
    pub file: String,
    /// Source line (0 when unknown).
    pub line: u64,
    /// Enclosing function.
    pub function: String,
}

impl InstrCost {
    /// `file:line`, or the function when the line is unknown.
    pub fn location(&self) -> String {
        if self.line == 0 || self.file == "???" || self.file.is_empty() {
            self.function.clone()
        } else {
            format!("{}:{}", self.file, self.line)
        }
    }
}

/// The cost of one labelled call of a check, as callgrind dumped it: one per secret input
/// and public input.
#[derive(Clone, Debug, Default)]
pub struct Dump {
    /// The label given to `CALLGRIND_DUMP_STATS_AT` (empty for the final dump).
    pub label: String,
    /// Total instructions executed (`totals:` / `summary:`).
    pub total_ir: u64,
    /// Self cost per executed instruction.
    pub instrs: BTreeMap<InstrKey, InstrCost>,
    /// Per call instruction, the inclusive Ir of the calls it made (the callee's instructions
    /// and everything they called): where a difference inside a library function shows in
    /// its caller.
    pub calls: BTreeMap<InstrKey, u64>,
}

/// Whether `object` is a shared library (`libc.so.6`, `ld-linux-x86-64.so.2`, ...), not the
/// executable under test.
pub fn is_shared_library(object: &str) -> bool {
    let name = object.rsplit('/').next().unwrap_or(object);
    name.ends_with(".so") || name.contains(".so.")
}

impl Dump {
    /// Instructions executed in the executable's own code, leaving out shared libraries: glibc
    /// picks its `memcpy`/`memset` by CPU (SSE2, AVX2, EVEX...), so their counts differ between
    /// machines while the code under test is the same.
    pub fn own_ir(&self) -> u64 {
        self.instrs
            .iter()
            .filter(|(k, _)| !is_shared_library(&k.object))
            .map(|(_, c)| c.ir)
            .sum()
    }

    /// The per-instruction profile: address -> count.
    pub fn profile(&self) -> BTreeMap<&InstrKey, u64> {
        self.instrs.iter().map(|(k, v)| (k, v.ir)).collect()
    }
}

/// The instructions a dump counts in the executable's own code ([`Dump::own_ir`]), read
/// without building the profile: what the suite needs for each `--search-budget` candidate,
/// where the search's own allocations may send libc's `malloc` down another path than the
/// generic inputs' calls took. `None` when the text has no positions line or no cost.
pub fn own_total(text: &str) -> Option<u64> {
    // Compressed object names: id -> whether it is a shared library.
    let mut objects: HashMap<&str, bool> = HashMap::new();
    let mut shared = false;
    let mut positions = None;
    let mut call_pending = false;
    let mut total = None;
    for line in text.lines() {
        let Some(&first) = line.as_bytes().first() else {
            continue;
        };
        if first.is_ascii_digit() || matches!(first, b'+' | b'-' | b'*') {
            if std::mem::take(&mut call_pending) || shared {
                continue;
            }
            let ir: u64 = line
                .split_whitespace()
                .nth(positions?)
                .and_then(|c| c.parse().ok())
                .unwrap_or(0);
            total = Some(total.unwrap_or(0) + ir);
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        match key {
            "ob" | "cob" => {
                let value = value.trim();
                let (id, name) = match value.strip_prefix('(').and_then(|v| v.split_once(')')) {
                    Some((id, name)) => (id, name.trim()),
                    None => ("", value),
                };
                let is_shared = if name.is_empty() {
                    objects.get(id).copied().unwrap_or(false)
                } else {
                    let s = is_shared_library(name);
                    if !id.is_empty() {
                        objects.insert(id, s);
                    }
                    s
                };
                if key == "ob" {
                    shared = is_shared;
                }
            }
            "calls" => call_pending = true,
            "positions" => positions = Some(value.split_whitespace().count()),
            _ => {}
        }
    }
    total.or(positions.map(|_| 0))
}

#[derive(Default)]
struct Names {
    map: HashMap<u64, String>,
}

impl Names {
    /// Resolves `(id) name`, `(id)` or a plain name, remembering definitions.
    fn resolve(&mut self, s: &str) -> String {
        let s = s.trim();
        if let Some(rest) = s.strip_prefix('(') {
            if let Some(close) = rest.find(')') {
                let id: u64 = rest[..close].parse().unwrap_or(u64::MAX);
                let name = rest[close + 1..].trim();
                if name.is_empty() {
                    return self.map.get(&id).cloned().unwrap_or_default();
                }
                self.map.insert(id, name.to_string());
                return name.to_string();
            }
        }
        s.to_string()
    }
}

fn parse_pos(tok: &str, last: u64) -> Option<u64> {
    if tok == "*" {
        Some(last)
    } else if let Some(n) = tok.strip_prefix('+') {
        n.parse::<u64>().ok().map(|d| last.wrapping_add(d))
    } else if let Some(n) = tok.strip_prefix('-') {
        n.parse::<u64>().ok().map(|d| last.wrapping_sub(d))
    } else if let Some(h) = tok.strip_prefix("0x") {
        u64::from_str_radix(h, 16).ok()
    } else {
        tok.parse().ok()
    }
}

/// Parses one callgrind output file.
pub fn parse(text: &str) -> Result<Dump, String> {
    let mut p = Parser::default();
    for (no, raw) in text.lines().enumerate() {
        let line = raw.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let first = line.as_bytes()[0];
        if first.is_ascii_digit() || first == b'+' || first == b'-' || first == b'*' {
            p.cost_line(no, line)?;
            continue;
        }
        let Some((key, value)) = line.split_once(['=', ':']) else {
            continue;
        };
        p.spec_line(key, value)?;
    }
    let mut dump = p.dump;
    dump.total_ir = p
        .totals
        .unwrap_or_else(|| dump.instrs.values().map(|c| c.ir).sum());
    Ok(dump)
}

/// The state of [`parse`] between lines: name compression tables, the current object, file and
/// function, and the last position (cost lines may give positions relative to it).
struct Parser {
    dump: Dump,
    obs: Names,
    files: Names,
    fns: Names,
    /// Current object (`ob`).
    ob: String,
    /// Current function's file (`fl`).
    fl: String,
    /// Current file of inlined code (`fi`/`fe`, else `fl`).
    fi: String,
    func: String,
    /// How many positions a cost line starts with (`positions:`).
    positions: usize,
    last_addr: u64,
    last_line: u64,
    /// After `calls=`: the next cost line is a call's inclusive cost.
    call_pending: bool,
    totals: Option<u64>,
}

impl Default for Parser {
    fn default() -> Self {
        Parser {
            dump: Dump::default(),
            obs: Names::default(),
            files: Names::default(),
            fns: Names::default(),
            ob: String::new(),
            fl: String::new(),
            fi: String::new(),
            func: String::new(),
            positions: 2,
            last_addr: 0,
            last_line: 0,
            call_pending: false,
            totals: None,
        }
    }
}

impl Parser {
    /// A cost line (line `no`, 0-based): positions, then Ir.
    fn cost_line(&mut self, no: usize, line: &str) -> Result<(), String> {
        let toks: Vec<&str> = line.split_whitespace().collect();
        if toks.len() < self.positions {
            return Err(format!("line {}: short cost line `{line}`", no + 1));
        }
        let addr = parse_pos(toks[0], self.last_addr)
            .ok_or_else(|| format!("line {}: bad position `{}`", no + 1, toks[0]))?;
        let src = if self.positions >= 2 {
            parse_pos(toks[1], self.last_line)
                .ok_or_else(|| format!("line {}: bad line `{}`", no + 1, toks[1]))?
        } else {
            0
        };
        self.last_addr = addr;
        self.last_line = src;
        let ir: u64 = toks
            .get(self.positions)
            .and_then(|c| c.parse().ok())
            .unwrap_or(0);
        let key = InstrKey {
            object: self.ob.clone(),
            addr,
        };
        if self.call_pending {
            // Inclusive cost of a call made from this instruction: not self cost.
            self.call_pending = false;
            *self.dump.calls.entry(key).or_default() += ir;
            return Ok(());
        }
        let entry = self.dump.instrs.entry(key).or_default();
        entry.ir += ir;
        if entry.function.is_empty() {
            entry.file = self.fi.clone();
            entry.line = src;
            entry.function = self.func.clone();
        }
        Ok(())
    }

    /// A specification line `key=value` or `key: value`; unknown keys are skipped.
    fn spec_line(&mut self, key: &str, value: &str) -> Result<(), String> {
        match key {
            "ob" => self.ob = self.obs.resolve(value),
            "fl" => {
                self.fl = self.files.resolve(value);
                self.fi = self.fl.clone();
            }
            "fi" | "fe" => self.fi = self.files.resolve(value),
            "fn" => {
                self.func = self.fns.resolve(value);
                self.fi = self.fl.clone();
            }
            "cob" => {
                self.obs.resolve(value);
            }
            "cfi" | "cfl" => {
                self.files.resolve(value);
            }
            "cfn" => {
                self.fns.resolve(value);
            }
            "calls" => self.call_pending = true,
            "positions" => {
                self.positions = value.split_whitespace().count();
                if !value.split_whitespace().any(|p| p == "instr") {
                    return Err(
                        "callgrind output has no instruction positions (run with --dump-instr=yes)"
                            .into(),
                    );
                }
            }
            "desc" => {
                if let Some(l) = value.trim().strip_prefix("Trigger: Client Request: ") {
                    self.dump.label = l.trim().to_string();
                }
            }
            "totals" | "summary" => {
                self.totals = value
                    .split_whitespace()
                    .next()
                    .and_then(|v| v.parse().ok())
                    .or(self.totals);
            }
            _ => {}
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = "# callgrind format
version: 1
desc: Trigger: Client Request: ctv|0|zeros
positions: instr line
events: Ir
summary: 14

ob=(6) /x/ct
fl=(227) /src/main.rs
fn=(1086) ct::main
0x15671 20 1
+5 21 1
cfn=(1134) ct::call
calls=1 0x15380 *
* * 10
+3 -1 1

fn=(1134)
0x15380 26 1
fi=(241) /rustc/x/cmp.rs
+2 154 1
fe=(227)
+4 27 0
totals: 14
";

    #[test]
    fn parses_self_costs_positions_and_names() {
        let d = parse(SAMPLE).unwrap();
        assert_eq!(d.label, "ctv|0|zeros");
        assert_eq!(d.total_ir, 14);
        let self_sum: u64 = d.instrs.values().map(|c| c.ir).sum();
        assert_eq!(self_sum, 5);
        let k = |addr| InstrKey {
            object: "/x/ct".into(),
            addr,
        };
        assert_eq!(d.instrs[&k(0x15676)].line, 21);
        assert_eq!(d.instrs[&k(0x15679)].line, 20);
        assert_eq!(d.instrs[&k(0x15382)].file, "/rustc/x/cmp.rs");
        assert_eq!(d.instrs[&k(0x15382)].function, "ct::call");
        assert_eq!(d.instrs[&k(0x15386)].file, "/src/main.rs");
        // The call from 0x15676 cost 10 instructions inclusive; no other call was made.
        assert_eq!(d.calls.len(), 1);
        assert_eq!(d.calls[&k(0x15676)], 10);
    }

    #[test]
    fn own_total_is_own_ir_without_the_profile() {
        assert_eq!(own_total(SAMPLE), Some(parse(SAMPLE).unwrap().own_ir()));
        assert_eq!(own_total(SAMPLE), Some(5));
        let libc = SAMPLE.replace(
            "\nfn=(1134)\n",
            "\nob=(7) /usr/lib/x86_64-linux-gnu/libc.so.6\nfn=(1134)\n",
        );
        assert_eq!(own_total(&libc), Some(3));
        // Back in the executable by its compressed id.
        let back = format!("{libc}\nob=(6)\nfn=(1086)\n0x15700 30 4\n");
        assert_eq!(own_total(&back), Some(7));
        assert_eq!(own_total("no dump"), None);
    }

    #[test]
    fn own_ir_leaves_out_shared_libraries() {
        let libc = SAMPLE.replace(
            "\nfn=(1134)\n",
            "\nob=(7) /usr/lib/x86_64-linux-gnu/libc.so.6\nfn=(1134)\n",
        );
        let d = parse(&libc).unwrap();
        // main's three instructions stay; call's three (in libc now) are left out.
        assert_eq!(d.own_ir(), 3);
        assert!(is_shared_library("/lib64/ld-linux-x86-64.so.2"));
        assert!(is_shared_library("/usr/lib/libfoo.so"));
        assert!(!is_shared_library(
            "/home/user/crate/target/release/deps/ct_primitives-0123abcd"
        ));
        assert!(!is_shared_library("/x/something.solver"));
    }
}
