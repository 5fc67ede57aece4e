//! The one ELF, symbol and source-line module of both backends: the code bytes at an address,
//! the function symbols, and `file:line` through addr2line.
//!
//! Reads 64-bit (the host's suite executables and shared libraries, for the audit's decoder)
//! and 32-bit (the Cortex-M firmware) little-endian files: the loadable segments, and the
//! `STT_FUNC` entries of `.symtab`. Function names with inlining resolved and `file:line` come
//! from binutils' `addr2line` (or `llvm-addr2line`) on the DWARF the build keeps; without
//! either tool, locations say so and the symbol table still names the enclosing function.

use std::collections::HashMap;
use std::hash::Hash;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::json;

use crate::location::SourceLocation;

/// `e_machine` of x86_64.
pub const EM_X86_64: u16 = 62;
/// `e_machine` of AArch64.
pub const EM_AARCH64: u16 = 183;
/// `e_machine` of 32-bit Arm.
pub const EM_ARM: u16 = 40;

/// A function of the ELF's symbol table: what an executed address is attributed to.
#[derive(Clone, Debug)]
pub struct Symbol {
    /// Its (mangled) name.
    pub name: String,
    /// First address (the Thumb bit cleared on Arm).
    pub start: u64,
    /// Size in bytes.
    pub size: u64,
}

#[derive(Clone, Copy, Debug)]
struct Segment {
    vaddr: u64,
    offset: u64,
    filesz: u64,
}

/// A parsed little-endian ELF file, 32- or 64-bit.
#[derive(Debug)]
pub struct Elf {
    path: PathBuf,
    data: Vec<u8>,
    machine: u16,
    segments: Vec<Segment>,
    /// Function symbols, sorted by start address (longest first among equal starts).
    functions: Vec<Symbol>,
}

/// Field readers for one ELF class: offsets and widths differ between ELF32 and ELF64.
struct Reader<'a> {
    data: &'a [u8],
    wide: bool,
}

impl Reader<'_> {
    fn u16(&self, o: usize) -> Option<u16> {
        self.data
            .get(o..o + 2)
            .map(|b| u16::from_le_bytes([b[0], b[1]]))
    }
    fn u32(&self, o: usize) -> Option<u32> {
        self.data
            .get(o..o + 4)
            .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
    }
    fn u64(&self, o: usize) -> Option<u64> {
        self.data
            .get(o..o + 8)
            .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
    }
    /// An address- or offset-sized field (`Elf32_Addr`/`Elf64_Addr`, `_Off`, `_Xword`).
    fn word(&self, o: usize) -> Option<u64> {
        if self.wide {
            self.u64(o)
        } else {
            self.u32(o).map(u64::from)
        }
    }

    /// The file header's machine and where the program and section header tables are.
    fn header(&self) -> Option<Header> {
        // e_phoff, e_shoff, and e_phentsize (the next five 16-bit fields follow it).
        let (phoff, shoff, ph) = if self.wide {
            (self.u64(32)?, self.u64(40)?, 54)
        } else {
            (u64::from(self.u32(28)?), u64::from(self.u32(32)?), 42)
        };
        Some(Header {
            machine: self.u16(18)?,
            phoff: phoff as usize,
            phentsize: self.u16(ph)? as usize,
            phnum: self.u16(ph + 2)? as usize,
            shoff: shoff as usize,
            shentsize: self.u16(ph + 4)? as usize,
            shnum: self.u16(ph + 6)? as usize,
        })
    }

    /// The `PT_LOAD` segments.
    fn load_segments(&self, h: &Header) -> Option<Vec<Segment>> {
        // Program header: p_offset, p_vaddr, p_filesz.
        let (p_offset, p_vaddr, p_filesz) = if self.wide { (8, 16, 32) } else { (4, 8, 16) };
        let mut segments = Vec::new();
        for i in 0..h.phnum {
            let at = h.phoff + i * h.phentsize;
            if self.u32(at)? != 1 {
                continue; // not PT_LOAD
            }
            segments.push(Segment {
                offset: self.word(at + p_offset)?,
                vaddr: self.word(at + p_vaddr)?,
                filesz: self.word(at + p_filesz)?,
            });
        }
        Some(segments)
    }

    /// The `STT_FUNC` symbols of every symbol table (Thumb bit cleared on Arm), unsorted.
    fn function_symbols(&self, h: &Header) -> Option<Vec<Symbol>> {
        // Section header: sh_offset, sh_size, sh_link; symbol: st_value, st_size, st_info, size.
        let (sh_offset, sh_size, sh_link) = if self.wide {
            (24, 32, 40)
        } else {
            (16, 20, 24)
        };
        let (st_value, st_size, st_info, sym_size) = if self.wide {
            (8, 16, 4, 24)
        } else {
            (4, 8, 12, 16)
        };
        let thumb = h.machine == EM_ARM;
        let mut functions = Vec::new();
        for i in 0..h.shnum {
            let at = h.shoff + i * h.shentsize;
            if self.u32(at + 4)? != 2 {
                continue; // not SHT_SYMTAB
            }
            let off = self.word(at + sh_offset)? as usize;
            let size = self.word(at + sh_size)? as usize;
            let str_at = h.shoff + self.u32(at + sh_link)? as usize * h.shentsize;
            let str_off = self.word(str_at + sh_offset)? as usize;
            let str_size = self.word(str_at + sh_size)? as usize;
            let strtab = self.data.get(str_off..str_off + str_size)?;
            for s in (off..off + size).step_by(sym_size) {
                if *self.data.get(s + st_info)? & 0xf != 2 {
                    continue; // not STT_FUNC
                }
                let name = strtab
                    .get(self.u32(s)? as usize..)
                    .and_then(|n| n.split(|&c| c == 0).next())
                    .map(|n| String::from_utf8_lossy(n).into_owned())
                    .unwrap_or_default();
                let start = self.word(s + st_value)?;
                functions.push(Symbol {
                    name,
                    start: if thumb { start & !1 } else { start },
                    size: self.word(s + st_size)?,
                });
            }
        }
        Some(functions)
    }
}

/// Where an ELF file's header tables are.
struct Header {
    machine: u16,
    phoff: usize,
    phentsize: usize,
    phnum: usize,
    shoff: usize,
    shentsize: usize,
    shnum: usize,
}

impl Elf {
    /// Reads and parses `path`.
    pub fn load(path: &Path) -> Result<Self, String> {
        let data =
            std::fs::read(path).map_err(|e| format!("cannot read {}: {e}", path.display()))?;
        Self::parse(path, data).map_err(|e| format!("{}: {e}", path.display()))
    }

    /// Parses `data`, the contents of `path` (kept for addr2line).
    pub fn parse(path: &Path, data: Vec<u8>) -> Result<Self, String> {
        if data.len() < 52 || &data[..4] != b"\x7fELF" {
            return Err("not an ELF file".into());
        }
        let wide = match (data[4], data[5]) {
            (1, 1) => false,
            (2, 1) if data.len() >= 64 => true,
            _ => return Err("not a little-endian ELF32 or ELF64 file".into()),
        };
        let r = Reader { data: &data, wide };
        let h = r.header().ok_or("truncated ELF")?;
        let segments = r.load_segments(&h).ok_or("truncated ELF")?;
        let mut functions = r.function_symbols(&h).ok_or("truncated ELF")?;
        functions.sort_by_key(|f| (f.start, std::cmp::Reverse(f.size)));
        Ok(Self {
            path: path.to_path_buf(),
            data,
            machine: h.machine,
            segments,
            functions,
        })
    }

    /// The ELF's path.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The `e_machine` field.
    pub fn machine(&self) -> u16 {
        self.machine
    }

    /// Up to `len` bytes of the file image at virtual address `vaddr` (fewer at a segment's end).
    pub fn bytes_at(&self, vaddr: u64, len: usize) -> Option<&[u8]> {
        let seg = self
            .segments
            .iter()
            .find(|s| vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz)?;
        let start = (seg.offset + (vaddr - seg.vaddr)) as usize;
        let end_of_seg = (seg.offset + seg.filesz) as usize;
        let end = (start + len).min(end_of_seg).min(self.data.len());
        self.data.get(start..end)
    }

    /// The file offset that holds virtual address `vaddr` (a loaded segment's byte): with a
    /// process's memory map, where that byte is in the running process.
    pub fn file_offset(&self, vaddr: u64) -> Option<u64> {
        self.segments
            .iter()
            .find(|s| vaddr >= s.vaddr && vaddr - s.vaddr < s.filesz)
            .map(|s| s.offset + (vaddr - s.vaddr))
    }

    /// The halfword of code at `addr` (a Thumb instruction or its first half).
    pub fn halfword(&self, addr: impl Into<u64>) -> Option<u16> {
        match self.bytes_at(addr.into(), 2)? {
            [a, b] => Some(u16::from_le_bytes([*a, *b])),
            _ => None,
        }
    }

    /// The first address of the function named exactly `name`.
    pub fn symbol_address(&self, name: &str) -> Option<u64> {
        self.functions
            .iter()
            .find(|f| f.name == name)
            .map(|f| f.start)
    }

    /// Every function symbol whose range contains `addr` (aliases share a range).
    pub fn functions_at(&self, addr: impl Into<u64>) -> impl Iterator<Item = &Symbol> {
        let addr = addr.into();
        let end = self.functions.partition_point(|f| f.start <= addr);
        self.functions[..end]
            .iter()
            .rev()
            .take_while(move |f| addr.wrapping_sub(f.start) < 0x10_0000)
            .filter(move |f| addr >= f.start && addr < f.start.saturating_add(f.size.max(1)))
    }

    /// The name of the function containing `addr`, if any.
    pub fn function_name(&self, addr: impl Into<u64>) -> Option<&str> {
        self.functions_at(addr).next().map(|f| f.name.as_str())
    }
}

/// Where an address is in the source.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
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
    /// The first inline frame in the user's code, walking out from the innermost
    /// ([`crate::location::user_frame`]); `None` when all are library code or unknown. Boxed:
    /// a trace split holds two locations, and most have none.
    pub user: Option<Box<SourceLocation>>,
}

impl Location {
    /// As JSON fields, with the address as 8 hex digits (the firmware's reports).
    pub fn to_json(&self, addr: impl Into<u64>) -> serde_json::Value {
        let addr = addr.into();
        let mut v = json!({
            "address": format!("{addr:#010x}"),
            "function": self.function,
            "symbol": self.symbol,
            "location": self.location,
        });
        if let Some((f, l)) = &self.inlined_into {
            v["inlined_into"] = json!({"function": f, "location": l});
        }
        if let Some(u) = &self.user {
            v["user_location"] = json!({"function": u.function, "file": u.file, "line": u.line});
        }
        v
    }

    /// `function (file:line)`: the user's frame first when the innermost frame is library code,
    /// else the outer function for inlined code.
    pub fn short(&self) -> String {
        let f = if self.function.is_empty() || self.function == "??" {
            &self.symbol
        } else {
            &self.function
        };
        if let Some(u) = &self.user {
            let here = u.file_line();
            return if here == self.location {
                format!("{} ({here})", u.function)
            } else {
                format!("{} ({here}), inlined {f} ({})", u.function, self.location)
            };
        }
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

/// One inline frame of an address: (function, `file:line`).
pub type Frame = (String, String);

/// The inline chains of `addrs` in the ELF at `path`, innermost frame first (one addr2line run
/// for all of them); `None` when no addr2line is installed or it could not run.
pub fn frames(path: &Path, addrs: &[u64]) -> Option<Vec<Vec<Frame>>> {
    if addrs.is_empty() {
        return Some(Vec::new());
    }
    let o = Command::new(addr2line_tool()?)
        .args(["-a", "-f", "-C", "-i", "-e"])
        .arg(path)
        .args(addrs.iter().map(|a| format!("{a:#x}")))
        .stdin(Stdio::null())
        .stderr(Stdio::null())
        .output()
        .ok()?;
    Some(parse_frames(&String::from_utf8_lossy(&o.stdout)))
}

/// [`frames`], where an instruction whose innermost frame has no line (`file:?` or `file:0`:
/// LLVM gives line 0 to code merged from several lines, such as the block after a branch it
/// introduced) takes the chain of the instruction before it in the same compiled function
/// (often that branch), up to [`LINE_LOOKBACK`] bytes back. For the count engine's places,
/// whose instructions are blocks executed a different number of times; the trace engine picks
/// its own fallback (the branch before the divergence).
pub fn frames_with_lines(path: &Path, addrs: &[u64]) -> Option<Vec<Vec<Frame>>> {
    let mut chains = frames(path, addrs)?;
    fill_unknown_lines(addrs, &mut chains, |a| frames(path, a).unwrap_or_default());
    Some(chains)
}

/// How far back (bytes) [`frames_with_lines`] looks for a line of an instruction that has none: past the
/// one or two instructions before it on x86_64 and Thumb.
pub const LINE_LOOKBACK: u64 = 8;

/// Whether a chain's innermost frame lacks a line number.
fn unknown_line(chain: &[Frame]) -> bool {
    chain.first().is_some_and(|(_, l)| {
        l.rsplit_once(':')
            .is_none_or(|(_, line)| line.parse::<u64>().is_ok_and(|n| n == 0) || line == "?")
    })
}

/// For each chain whose innermost frame has no line, the chain of the nearest address before it
/// (1 to [`LINE_LOOKBACK`] bytes: addr2line maps an address inside an instruction to that
/// instruction) that has a line and the same outermost frame (the compiled function; the
/// inlined frames may differ). `lookup` runs addr2line on a batch of addresses.
fn fill_unknown_lines(
    addrs: &[u64],
    chains: &mut [Vec<Frame>],
    mut lookup: impl FnMut(&[u64]) -> Vec<Vec<Frame>>,
) {
    let mut pending: Vec<usize> = (0..chains.len().min(addrs.len()))
        .filter(|&i| unknown_line(&chains[i]))
        .collect();
    for back in 1..=LINE_LOOKBACK {
        if pending.is_empty() {
            return;
        }
        let probes: Vec<u64> = pending
            .iter()
            .map(|&i| addrs[i].saturating_sub(back))
            .collect();
        let found = lookup(&probes);
        let mut still = Vec::new();
        for (j, &i) in pending.iter().enumerate() {
            match found.get(j) {
                Some(before)
                    if !unknown_line(before)
                        && before.last().map(|f| &f.0) == chains[i].last().map(|f| &f.0) =>
                {
                    chains[i] = before.clone();
                }
                _ => still.push(i),
            }
        }
        pending = still;
    }
}

/// Parses `addr2line -a -f -i` output: each address on a line of its own, then (function,
/// file:line) pairs from the innermost inlined frame outwards.
fn parse_frames(text: &str) -> Vec<Vec<Frame>> {
    let mut out: Vec<Vec<Frame>> = Vec::new();
    let mut lines = text.lines();
    while let Some(l) = lines.next() {
        let l = l.trim();
        if l.starts_with("0x") && u64::from_str_radix(&l[2..], 16).is_ok() {
            out.push(Vec::new());
        } else if let Some(current) = out.last_mut() {
            let loc = lines.next().unwrap_or("??:0").trim();
            let loc = loc.split(" (discriminator").next().unwrap_or(loc);
            current.push((l.to_string(), loc.to_string()));
        }
    }
    out
}

/// Locations of `addrs` in `elf`, with the symbol table's function for each.
pub fn locate<A: Copy + Eq + Hash + Into<u64>>(elf: &Elf, addrs: &[A]) -> HashMap<A, Location> {
    let mut out: HashMap<A, Location> = addrs
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
    let wide: Vec<u64> = addrs.iter().map(|&a| a.into()).collect();
    let Some(chains) = frames(elf.path(), &wide) else {
        return out;
    };
    for (a, f) in addrs.iter().zip(chains) {
        if let (Some(l), Some(first)) = (out.get_mut(a), f.first()) {
            l.function = first.0.clone();
            l.location = first.1.clone();
            if f.len() > 1 {
                l.inlined_into = f.last().cloned();
            }
            l.user = crate::location::user_frame(&f).map(Box::new);
        }
    }
    out
}

/// The first frame outside the standard library in the inline chain of `addr` in the ELF at
/// `path`, as (`file:line`, function): a division written as `a / b` is inlined from `core`, but
/// the line to look at is the caller's. `None` when addr2line is missing or knows nothing.
pub fn caller_location(path: &Path, addr: u64) -> Option<(String, String)> {
    let chain = frames(path, &[addr])?.into_iter().next()?;
    let known = |loc: &str| !loc.starts_with("??");
    let pick = chain
        .iter()
        .find(|(_, loc)| known(loc) && !loc.starts_with("/rustc/"))
        .or_else(|| chain.iter().find(|(_, loc)| known(loc)))?;
    Some((pick.1.clone(), pick.0.clone()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_instruction_without_a_line_takes_the_line_before_it_in_the_same_function() {
        let f = |func: &str, loc: &str| vec![(func.to_string(), loc.to_string())];
        let chain = |frames: &[(&str, &str)]| -> Vec<Frame> {
            frames
                .iter()
                .map(|(a, b)| (a.to_string(), b.to_string()))
                .collect()
        };
        // 0x105: no line (a branch target); 2 bytes back, a line in the same function.
        // 0x205: no line, and the bytes before it belong to another function: kept as it is.
        // 0x300: has a line: untouched, never looked up.
        // 0x405: no line in an inlined frame; the instruction before it (a branch inlined
        // from elsewhere into the same compiled function) gives its whole chain.
        let addrs = [0x105u64, 0x205, 0x300, 0x405];
        let mut chains = vec![
            f("poly_frommsg", "poly.rs:?"),
            f("outer", "lib.rs:0"),
            f("main", "main.rs:7"),
            chain(&[("internal", "pow.rs:0"), ("array", "pow.rs:57")]),
        ];
        let select = chain(&[
            ("select", "ct_choice.rs:63"),
            ("internal", "pow.rs:166"),
            ("array", "pow.rs:57"),
        ]);
        let mut asked = Vec::new();
        fill_unknown_lines(&addrs, &mut chains, |probes| {
            asked.extend_from_slice(probes);
            probes
                .iter()
                .map(|&p| match p {
                    0x104 => f("poly_frommsg", "poly.rs:?"),
                    0x103 => f("poly_frommsg", "poly.rs:291 (discriminator 2)"),
                    0x404 => select.clone(),
                    _ if (0x1fd..0x205).contains(&p) => f("elsewhere", "other.rs:3"),
                    _ => f("??", "??:0"),
                })
                .collect()
        });
        assert_eq!(
            chains[0],
            f("poly_frommsg", "poly.rs:291 (discriminator 2)")
        );
        assert_eq!(chains[1], f("outer", "lib.rs:0"));
        assert_eq!(chains[2], f("main", "main.rs:7"));
        assert_eq!(chains[3], select);
        assert!(!asked.contains(&0x2ff) && !asked.contains(&0x102) && !asked.contains(&0x403));
        assert_eq!(asked.iter().filter(|&&a| a < 0x105).count(), 2);
        assert_eq!(
            asked
                .iter()
                .filter(|&&a| (0x1f0..0x205).contains(&a))
                .count() as u64,
            LINE_LOOKBACK
        );
    }

    #[test]
    fn addr2line_output_with_inline_chains() {
        let text = "0x00000010\ninner\n/rustc/abc/library/core/src/num/mod.rs:5\nouter\nsrc/lib.rs:9 (discriminator 2)\n0x00000020\n??\n??:0\n";
        let f = parse_frames(text);
        assert_eq!(f.len(), 2);
        assert_eq!(
            f[0],
            vec![
                (
                    "inner".to_string(),
                    "/rustc/abc/library/core/src/num/mod.rs:5".to_string()
                ),
                ("outer".to_string(), "src/lib.rs:9".to_string()),
            ]
        );
        assert_eq!(f[1], vec![("??".to_string(), "??:0".to_string())]);
    }

    #[test]
    fn non_elf_and_big_endian_are_refused() {
        let p = Path::new("x");
        assert!(Elf::parse(
            p,
            b"not an elf at all, but long enough to have a header....".to_vec()
        )
        .unwrap_err()
        .contains("not an ELF"));
        let mut be = vec![0u8; 64];
        be[..4].copy_from_slice(b"\x7fELF");
        be[4] = 1;
        be[5] = 2;
        assert!(Elf::parse(p, be).unwrap_err().contains("little-endian"));
    }

    #[test]
    #[cfg(all(target_os = "linux", target_arch = "x86_64"))]
    fn reads_its_own_test_executable() {
        let exe = std::env::current_exe().expect("test executable");
        let elf = Elf::load(&exe).expect("parse the test executable");
        assert_eq!(elf.machine(), EM_X86_64);
        let main = elf.symbol_address("main").expect("a main symbol");
        assert!(elf.bytes_at(main, 4).is_some_and(|b| b.len() == 4));
        assert_eq!(elf.function_name(main), Some("main"));
    }
}
