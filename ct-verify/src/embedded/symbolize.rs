//! The firmware ELF (32-bit Arm): code bytes, the symbol table, and source locations.
//!
//! Symbols come from the ELF's own `.symtab` (always available); function names with inlining
//! resolved and `file:line` come from `llvm-addr2line` (or binutils' `addr2line`) on the DWARF
//! the release profile keeps (`debug = true`). Without either tool, locations say so and the
//! symbol table still names the enclosing function.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;

/// `e_machine` of 32-bit Arm.
const EM_ARM: u16 = 40;

/// A function of the firmware ELF, from its symbol table: what a traced PC is attributed to.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// Its (mangled) name.
    pub name: String,
    /// First address (Thumb bit cleared).
    pub start: u32,
    /// Size in bytes.
    pub size: u32,
}

#[derive(Clone, Copy, Debug)]
struct Segment {
    vaddr: u32,
    offset: u32,
    filesz: u32,
}

/// A parsed 32-bit little-endian Arm ELF.
#[derive(Debug)]
pub struct Elf32 {
    path: PathBuf,
    data: Vec<u8>,
    segments: Vec<Segment>,
    /// Function symbols, sorted by start address.
    functions: Vec<Symbol>,
}

fn u16_at(d: &[u8], o: usize) -> Option<u16> {
    d.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]))
}

fn u32_at(d: &[u8], o: usize) -> Option<u32> {
    d.get(o..o + 4)
        .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
}

impl Elf32 {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let data =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(path, data).map_err(|e| format!("{}: {e}", path.display()))
    }

    fn parse(path: &Path, data: Vec<u8>) -> Result<Self, String> {
        if data.len() < 52 || &data[..4] != b"\x7fELF" {
            return Err("not an ELF file".into());
        }
        if data[4] != 1 || data[5] != 1 {
            return Err("not a 32-bit little-endian ELF".into());
        }
        let bad = || "truncated ELF".to_string();
        if u16_at(&data, 18).ok_or_else(bad)? != EM_ARM {
            return Err("not an Arm ELF".into());
        }
        let phoff = u32_at(&data, 28).ok_or_else(bad)? as usize;
        let shoff = u32_at(&data, 32).ok_or_else(bad)? as usize;
        let phentsize = u16_at(&data, 42).ok_or_else(bad)? as usize;
        let phnum = u16_at(&data, 44).ok_or_else(bad)? as usize;
        let shentsize = u16_at(&data, 46).ok_or_else(bad)? as usize;
        let shnum = u16_at(&data, 48).ok_or_else(bad)? as usize;
        let mut segments = Vec::new();
        for i in 0..phnum {
            let at = phoff + i * phentsize;
            if u32_at(&data, at).ok_or_else(bad)? != 1 {
                continue; // not PT_LOAD
            }
            segments.push(Segment {
                offset: u32_at(&data, at + 4).ok_or_else(bad)?,
                vaddr: u32_at(&data, at + 8).ok_or_else(bad)?,
                filesz: u32_at(&data, at + 16).ok_or_else(bad)?,
            });
        }
        let mut functions = Vec::new();
        for i in 0..shnum {
            let at = shoff + i * shentsize;
            if u32_at(&data, at + 4).ok_or_else(bad)? != 2 {
                continue; // not SHT_SYMTAB
            }
            let off = u32_at(&data, at + 16).ok_or_else(bad)? as usize;
            let size = u32_at(&data, at + 20).ok_or_else(bad)? as usize;
            let link = u32_at(&data, at + 24).ok_or_else(bad)? as usize;
            let str_at = shoff + link * shentsize;
            let str_off = u32_at(&data, str_at + 16).ok_or_else(bad)? as usize;
            let str_size = u32_at(&data, str_at + 20).ok_or_else(bad)? as usize;
            let strtab = data.get(str_off..str_off + str_size).ok_or_else(bad)?;
            for s in (off..off + size).step_by(16) {
                let info = *data.get(s + 12).ok_or_else(bad)?;
                if info & 0xf != 2 {
                    continue; // not STT_FUNC
                }
                let name_off = u32_at(&data, s).ok_or_else(bad)? as usize;
                let name = strtab
                    .get(name_off..)
                    .and_then(|n| n.split(|&c| c == 0).next())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default();
                functions.push(Symbol {
                    name,
                    start: u32_at(&data, s + 4).ok_or_else(bad)? & !1,
                    size: u32_at(&data, s + 8).ok_or_else(bad)?,
                });
            }
        }
        functions.sort_by_key(|f| (f.start, std::cmp::Reverse(f.size)));
        Ok(Self {
            path: path.to_path_buf(),
            data,
            segments,
            functions,
        })
    }

    /// The ELF's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The first address of the function named exactly `name`.
    pub fn symbol_address(&self, name: &str) -> Option<u32> {
        self.functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.start)
    }

    /// Every function symbol whose range contains `addr` (aliases share a range).
    pub fn functions_at(&self, addr: u32) -> impl Iterator<Item = &Symbol> {
        let end = self.functions.partition_point(|f| f.start <= addr);
        self.functions[..end]
            .iter()
            .rev()
            .take_while(move |f| addr.wrapping_sub(f.start) < 0x10_0000)
            .filter(move |f| addr >= f.start && addr < f.start.saturating_add(f.size.max(1)))
    }

    /// The name of the function containing `addr`, if any.
    pub fn function_name(&self, addr: u32) -> Option<&str> {
        self.functions_at(addr).next().map(|f| f.name.as_str())
    }

    /// The halfword of code at `addr`.
    pub fn halfword(&self, addr: u32) -> Option<u16> {
        let seg = self
            .segments
            .iter()
            .find(|s| addr >= s.vaddr && addr.wrapping_sub(s.vaddr) + 2 <= s.filesz)?;
        u16_at(&self.data, (seg.offset + (addr - seg.vaddr)) as usize)
    }
}

/// Where an address is in the source.
#[derive(Clone, Debug, Default)]
pub struct Location {
    /// Innermost (inlined) function, demangled.
    pub function: String,
    /// Its `file:line`, or `??:0` when unknown.
    pub location: String,
    /// The outermost frame (the function the code was inlined into) and its `file:line`,
    /// when the address is in inlined code.
    pub inlined_into: Option<(String, String)>,
    /// The enclosing function symbol from the symbol table.
    pub symbol: String,
}

impl Location {
    /// As JSON fields.
    pub fn to_json(&self, addr: u32) -> serde_json::Value {
        let mut v = json!({
            "address": format!("{addr:#010x}"),
            "function": self.function,
            "symbol": self.symbol,
            "location": self.location,
        });
        if let Some((f, l)) = &self.inlined_into {
            v["inlined_into"] = json!({"function": f, "location": l});
        }
        v
    }

    /// `function (file:line)`, naming the outer function for inlined code.
    pub fn short(&self) -> String {
        let f = if self.function.is_empty() || self.function == "??" {
            &self.symbol
        } else {
            &self.function
        };
        match &self.inlined_into {
            Some((of, ol)) => format!("{of} ({ol}), inlined {f} ({})", self.location),
            None => format!("{f} ({})", self.location),
        }
    }
}

/// The addr2line tool found on this machine, if any (binutils' first: it demangles Rust).
fn addr2line_tool() -> Option<&'static str> {
    ["addr2line", "llvm-addr2line"].into_iter().find(|t| {
        Command::new(t)
            .arg("--version")
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .is_ok_and(|s| s.success())
    })
}

/// Locations of `addrs` in `elf` (one `addr2line` run for all of them).
pub fn locate(elf: &Elf32, addrs: &[u32]) -> HashMap<u32, Location> {
    let mut out: HashMap<u32, Location> = addrs
        .iter()
        .map(|&a| {
            let symbol = elf.function_name(a).unwrap_or("?").to_string();
            (
                a,
                Location {
                    location: "?? (no addr2line: apt-get install -y binutils)".into(),
                    symbol,
                    ..Location::default()
                },
            )
        })
        .collect();
    if addrs.is_empty() {
        return out;
    }
    let Some(tool) = addr2line_tool() else {
        return out;
    };
    let result = Command::new(tool)
        .args(["-a", "-f", "-C", "-i", "-e"])
        .arg(elf.path())
        .args(addrs.iter().map(|a| format!("{a:#x}")))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output();
    let Ok(o) = result else {
        return out;
    };
    // `-a` prints each address on a line of its own, then (function, file:line) pairs from the
    // innermost inlined frame outwards.
    let text = String::from_utf8_lossy(&o.stdout);
    let mut frames: Vec<Vec<(String, String)>> = Vec::new();
    let mut lines = text.lines().peekable();
    while let Some(l) = lines.next() {
        let l = l.trim();
        if l.starts_with("0x") && u64::from_str_radix(&l[2..], 16).is_ok() {
            frames.push(Vec::new());
        } else if let Some(current) = frames.last_mut() {
            let loc = lines.next().unwrap_or("??:0").trim();
            let loc = loc.split(" (discriminator").next().unwrap_or(loc);
            current.push((l.to_string(), loc.to_string()));
        }
    }
    for (a, f) in addrs.iter().zip(frames) {
        if let (Some(l), Some(first)) = (out.get_mut(a), f.first()) {
            l.function = first.0.clone();
            l.location = first.1.clone();
            if f.len() > 1 {
                l.inlined_into = f.last().cloned();
            }
        }
    }
    out
}
