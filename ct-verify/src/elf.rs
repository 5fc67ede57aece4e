//! Just enough of ELF64 (little-endian) to read the bytes at a virtual address: the program
//! headers' loadable segments.

/// A parsed ELF file.
#[derive(Debug)]
pub struct Elf {
    data: Vec<u8>,
    segments: Vec<Segment>,
    machine: u16,
}

#[derive(Debug, Clone, Copy)]
struct Segment {
    vaddr: u64,
    offset: u64,
    filesz: u64,
}

/// `e_machine` of x86_64.
pub const EM_X86_64: u16 = 62;
/// `e_machine` of AArch64.
pub const EM_AARCH64: u16 = 183;
/// `e_machine` of 32-bit Arm.
pub const EM_ARM: u16 = 40;

impl Elf {
    /// Parses `data`; only 64-bit little-endian files are supported.
    pub fn parse(data: Vec<u8>) -> Result<Self, String> {
        if data.len() < 64 || &data[..4] != b"\x7fELF" {
            return Err("not an ELF file".into());
        }
        if data[4] != 2 || data[5] != 1 {
            return Err("only 64-bit little-endian ELF is supported".into());
        }
        let u16_at = |o: usize| data.get(o..o + 2).map(|b| u16::from_le_bytes([b[0], b[1]]));
        let u32_at = |o: usize| {
            data.get(o..o + 4)
                .map(|b| u32::from_le_bytes([b[0], b[1], b[2], b[3]]))
        };
        let u64_at = |o: usize| {
            data.get(o..o + 8)
                .map(|b| u64::from_le_bytes([b[0], b[1], b[2], b[3], b[4], b[5], b[6], b[7]]))
        };
        let bad = || "truncated ELF header".to_string();
        let machine = u16_at(18).ok_or_else(bad)?;
        let phoff = u64_at(32).ok_or_else(bad)? as usize;
        let phentsize = u16_at(54).ok_or_else(bad)? as usize;
        let phnum = u16_at(56).ok_or_else(bad)? as usize;
        let mut segments = Vec::new();
        for i in 0..phnum {
            let at = phoff + i * phentsize;
            if u32_at(at).ok_or_else(bad)? != 1 {
                continue; // not PT_LOAD
            }
            segments.push(Segment {
                offset: u64_at(at + 8).ok_or_else(bad)?,
                vaddr: u64_at(at + 16).ok_or_else(bad)?,
                filesz: u64_at(at + 32).ok_or_else(bad)?,
            });
        }
        Ok(Self {
            data,
            segments,
            machine,
        })
    }

    /// The `e_machine` field.
    pub fn machine(&self) -> u16 {
        self.machine
    }

    /// Up to `len` bytes of the file image at virtual address `vaddr`.
    pub fn bytes_at(&self, vaddr: u64, len: usize) -> Option<&[u8]> {
        let seg = self
            .segments
            .iter()
            .find(|s| vaddr >= s.vaddr && vaddr < s.vaddr + s.filesz)?;
        let start = (seg.offset + (vaddr - seg.vaddr)) as usize;
        let end_of_seg = (seg.offset + seg.filesz) as usize;
        let end = (start + len).min(end_of_seg).min(self.data.len());
        self.data.get(start..end)
    }
}
