//! The host backend of the operand check: the suite runs natively under ptrace, with `int3`
//! breakpoints at the executed `DIV`/`IDIV` sites the audit found and at the harness's call
//! markers ([`protocol::CALL_BEGIN`], [`protocol::CALL_END`]).
//!
//! At a marker the backend learns which (public input, secret input) the next call is; at a
//! site it reads the registers (`PTRACE_GETREGS`) and, for a memory divisor, the memory
//! (`/proc/PID/mem`), and records the dividend (`AX`, `DX:AX`, `EDX:EAX` or `RDX:RAX` by the
//! operand width) and the divisor. Addresses are mapped into the process through
//! `/proc/PID/maps`, so position-independent executables and shared libraries work with ASLR
//! on. Breakpoints in shared libraries are set at the first call marker, when they are loaded.
//!
//! Only the thread that runs the checks is traced: a check that divides on a thread of its own
//! dies of the breakpoint's `SIGTRAP`, which is reported as an error, not as a verdict.

#![allow(unsafe_code)]

use std::collections::HashMap;
use std::fs::File;
use std::os::unix::fs::FileExt;
use std::os::unix::process::CommandExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use iced_x86::{Decoder, DecoderOptions, Instruction, MemorySize, OpKind, Register};

use super::operands::{CallOperands, Operands};
use super::x86::Harness;
use crate::elf::Elf;
use crate::protocol;

/// An executed variable-latency instruction to stop at.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The object file holding it, as callgrind named it.
    pub object: PathBuf,
    /// Its object-relative address (the ELF virtual address).
    pub address: u64,
}

/// Stops after this many site executions: the evidence is plenty by then, and a check that
/// divides in a long loop would otherwise trace for minutes.
const MAX_HITS: usize = 2_000_000;

/// What a breakpoint stands for.
#[derive(Clone, Debug)]
enum Kind {
    Begin,
    End,
    /// A site: its index in the list given to [`read_operands`] and the instruction decoded at
    /// its run-time address.
    Site(usize, Box<Instruction>),
}

struct Breakpoint {
    /// The byte the `int3` replaced.
    original: u8,
    kind: Kind,
}

/// Runs check `target` of the suite under ptrace and returns the operands of every execution of
/// `sites` inside each recorded call.
pub fn read_operands(
    harness: &Harness<'_>,
    target: &str,
    sites: &[Site],
) -> Result<Vec<CallOperands>, String> {
    let exe_elf = Elf::load(harness.exe)?;
    let marker = |name: &str| {
        exe_elf.symbol_address(name).ok_or_else(|| {
            format!(
                "{}: no `{name}` symbol (a suite built against an older ct-verify, or stripped): \
                 rebuild it with this ct-verify and symbols",
                harness.exe.display()
            )
        })
    };
    let (begin, end) = (marker(protocol::CALL_BEGIN)?, marker(protocol::CALL_END)?);
    let mut cmd = Command::new(harness.exe);
    cmd.env(protocol::MODE, "operands")
        .env(protocol::TARGET, target)
        .env_remove(protocol::OUT)
        .stdin(Stdio::null())
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    if let Some(dir) = harness.cwd {
        cmd.current_dir(dir);
    }
    // SAFETY: the closure runs in the forked child before exec and only makes one system call
    // (async-signal-safe; no allocation, no lock). PTRACE_TRACEME takes no pointers.
    unsafe {
        cmd.pre_exec(|| {
            if libc::ptrace(libc::PTRACE_TRACEME, 0, 0, 0) == -1 {
                return Err(std::io::Error::last_os_error());
            }
            Ok(())
        });
    }
    let child = cmd
        .spawn()
        .map_err(|e| format!("cannot start {} under ptrace: {e}", harness.exe.display()))?;
    let pid = child.id() as libc::pid_t;
    let tracee = Tracee::new(pid);
    // The child stops with SIGTRAP at its exec.
    match tracee.wait()? {
        Stop::Stopped(libc::SIGTRAP) => {}
        other => {
            return Err(format!(
                "the suite did not stop at exec under ptrace: {other:?}"
            ))
        }
    }
    let (cancel, watchdog) = tracee.watchdog(harness.timeout);
    let result = trace(&tracee, &exe_elf, begin, end, sites);
    if result.is_err() {
        // Not finished: kill it and reap it (EXITKILL would kill it only when we exit).
        tracee.kill();
        while let Ok(Stop::Stopped(_)) = tracee.wait() {
            tracee.kill();
        }
    }
    drop(cancel);
    let _ = watchdog.join();
    result
}

fn trace(
    tracee: &Tracee,
    exe_elf: &Elf,
    begin: u64,
    end: u64,
    sites: &[Site],
) -> Result<Vec<CallOperands>, String> {
    tracee.set_options()?;
    let mut breakpoints: HashMap<u64, Breakpoint> = HashMap::new();
    let maps = tracee.maps()?;
    for (addr, kind) in [(begin, Kind::Begin), (end, Kind::End)] {
        let at = runtime_address(&maps, exe_elf, addr)
            .ok_or_else(|| format!("{:#x} of the suite is not mapped", addr))?;
        breakpoints.insert(at, tracee.insert(at, kind)?);
    }
    let mut sites_set = false;
    let mut calls: Vec<CallOperands> = Vec::new();
    let mut current: Option<usize> = None;
    let mut hits = 0usize;
    let mut signal = 0;
    loop {
        tracee.cont(signal)?;
        match tracee.wait()? {
            Stop::Exited(0) => break,
            Stop::Exited(code) => return Err(format!("the suite exited with status {code}")),
            Stop::Signaled(sig) => return Err(killed(sig)),
            Stop::Stopped(libc::SIGTRAP) => {
                let regs = tracee.regs()?;
                let at = regs.rip.wrapping_sub(1);
                let Some(bp) = breakpoints.get(&at) else {
                    signal = libc::SIGTRAP; // not ours: the program's own
                    continue;
                };
                match &bp.kind {
                    Kind::Begin => {
                        if !sites_set {
                            // Shared libraries are loaded by now.
                            sites_set = true;
                            breakpoints.extend(site_breakpoints(tracee, sites)?);
                        }
                        calls.push(call_begins(tracee, &regs)?);
                        current = Some(calls.len() - 1);
                    }
                    Kind::End => current = None,
                    Kind::Site(index, instr) => {
                        if let Some(c) = current {
                            calls[c]
                                .hits
                                .push((*index, divide_operands(tracee, &regs, instr)?));
                            hits += 1;
                            if hits >= MAX_HITS {
                                return Err(format!(
                                    "stopped after {MAX_HITS} executions of the divides \
                                     (a divide in a long loop)"
                                ));
                            }
                        }
                    }
                }
                let original = breakpoints[&at].original;
                signal = tracee.step_over(at, original, regs)?;
            }
            Stop::Stopped(sig) => signal = sig,
        }
    }
    Ok(calls)
}

/// Why the suite stopped on signal `sig`, with the likely cause.
fn killed(sig: i32) -> String {
    let why = match sig {
        libc::SIGKILL => " (timed out?)",
        libc::SIGTRAP => " (a thread the tracer does not follow hit a breakpoint)",
        _ => "",
    };
    format!("the suite was killed by signal {sig}{why}")
}

/// A breakpoint at each divide site, by run-time address (the sites' objects read once each).
fn site_breakpoints(tracee: &Tracee, sites: &[Site]) -> Result<Vec<(u64, Breakpoint)>, String> {
    let maps = tracee.maps()?;
    let mut elves: HashMap<&Path, Elf> = HashMap::new();
    let mut out = Vec::new();
    for (index, site) in sites.iter().enumerate() {
        if !elves.contains_key(site.object.as_path()) {
            elves.insert(&site.object, Elf::load(&site.object)?);
        }
        let elf = &elves[site.object.as_path()];
        let (at, instr) = locate_site(tracee, &maps, elf, site)?;
        out.push((at, tracee.insert(at, Kind::Site(index, Box::new(instr)))?));
    }
    Ok(out)
}

/// The call the harness's begin marker announces: public input index in `rdi`, the secret
/// input's label at `rsi` (`rdx` bytes, at most 256 read).
fn call_begins(tracee: &Tracee, regs: &libc::user_regs_struct) -> Result<CallOperands, String> {
    let len = (regs.rdx as usize).min(256);
    let mut label = vec![0u8; len];
    tracee.read(regs.rsi, &mut label)?;
    Ok(CallOperands {
        public: regs.rdi as usize,
        label: String::from_utf8_lossy(&label).into_owned(),
        hits: Vec::new(),
    })
}

/// The run-time address of a site (of `elf`) and the instruction decoded there.
fn locate_site(
    tracee: &Tracee,
    maps: &[Mapping],
    elf: &Elf,
    site: &Site,
) -> Result<(u64, Instruction), String> {
    let at = runtime_address(maps, elf, site.address).ok_or_else(|| {
        format!(
            "{:#x} of {} is not mapped in the native run",
            site.address,
            site.object.display()
        )
    })?;
    let mut bytes = [0u8; 15];
    tracee.read(at, &mut bytes)?;
    let instr = Decoder::with_ip(64, &bytes, at, DecoderOptions::NONE).decode();
    if instr.is_invalid() || instr.op_count() != 1 {
        return Err(format!(
            "{:#x} of {} does not decode to a divide in the running process",
            site.address,
            site.object.display()
        ));
    }
    Ok((at, instr))
}

/// `DIV`/`IDIV`'s dividend (by the operand width: `AX`, `DX:AX`, `EDX:EAX`, `RDX:RAX`) and
/// divisor (register or memory), at a stop right on the instruction.
fn divide_operands(
    tracee: &Tracee,
    regs: &libc::user_regs_struct,
    instr: &Instruction,
) -> Result<Operands, String> {
    let (divisor, width) = match instr.op0_kind() {
        OpKind::Register => {
            let r = instr.op0_register();
            register_sized(regs, r).ok_or_else(|| format!("cannot read register {r:?}"))?
        }
        OpKind::Memory => {
            let width = match instr.memory_size() {
                MemorySize::UInt8 | MemorySize::Int8 => 1,
                MemorySize::UInt16 | MemorySize::Int16 => 2,
                MemorySize::UInt32 | MemorySize::Int32 => 4,
                MemorySize::UInt64 | MemorySize::Int64 => 8,
                other => return Err(format!("unexpected divisor size {other:?}")),
            };
            let addr = instr
                .virtual_address(0, 0, |r, _, _| register(regs, r))
                .ok_or("cannot compute the divisor's address")?;
            let mut buf = [0u8; 8];
            tracee.read(addr, &mut buf[..width])?;
            (u64::from_le_bytes(buf), width)
        }
        other => return Err(format!("unexpected divisor operand {other:?}")),
    };
    let (rax, rdx) = (u128::from(regs.rax), u128::from(regs.rdx));
    let dividend = match width {
        1 => rax & 0xffff,
        2 => ((rdx & 0xffff) << 16) | (rax & 0xffff),
        4 => ((rdx & 0xffff_ffff) << 32) | (rax & 0xffff_ffff),
        _ => (rdx << 64) | rax,
    };
    Ok(Operands(vec![
        ("dividend", dividend),
        ("divisor", u128::from(divisor)),
    ]))
}

/// The general-purpose registers in encoding order, by width (8-bit: the low bytes).
const GPR: [[Register; 16]; 4] = {
    use Register::*;
    [
        [
            RAX, RCX, RDX, RBX, RSP, RBP, RSI, RDI, R8, R9, R10, R11, R12, R13, R14, R15,
        ],
        [
            EAX, ECX, EDX, EBX, ESP, EBP, ESI, EDI, R8D, R9D, R10D, R11D, R12D, R13D, R14D, R15D,
        ],
        [
            AX, CX, DX, BX, SP, BP, SI, DI, R8W, R9W, R10W, R11W, R12W, R13W, R14W, R15W,
        ],
        [
            AL, CL, DL, BL, SPL, BPL, SIL, DIL, R8L, R9L, R10L, R11L, R12L, R13L, R14L, R15L,
        ],
    ]
};

/// A register's value and width in bytes: general-purpose registers of any width (`AH`..`BH`
/// included), `RIP`, and segment bases (for memory operands).
fn register_sized(regs: &libc::user_regs_struct, r: Register) -> Option<(u64, usize)> {
    let full = [
        regs.rax, regs.rcx, regs.rdx, regs.rbx, regs.rsp, regs.rbp, regs.rsi, regs.rdi, regs.r8,
        regs.r9, regs.r10, regs.r11, regs.r12, regs.r13, regs.r14, regs.r15,
    ];
    let masks = [u64::MAX, 0xffff_ffff, 0xffff, 0xff];
    for (width, (names, mask)) in GPR.iter().zip(masks).enumerate() {
        if let Some(i) = names.iter().position(|&n| n == r) {
            return Some((full[i] & mask, 8 >> width));
        }
    }
    match r {
        Register::AH => Some(((regs.rax >> 8) & 0xff, 1)),
        Register::CH => Some(((regs.rcx >> 8) & 0xff, 1)),
        Register::DH => Some(((regs.rdx >> 8) & 0xff, 1)),
        Register::BH => Some(((regs.rbx >> 8) & 0xff, 1)),
        Register::RIP => Some((regs.rip, 8)),
        Register::ES | Register::CS | Register::SS | Register::DS => Some((0, 8)),
        Register::FS => Some((regs.fs_base, 8)),
        Register::GS => Some((regs.gs_base, 8)),
        _ => Option::None,
    }
}

/// A register's value (see [`register_sized`]).
fn register(regs: &libc::user_regs_struct, r: Register) -> Option<u64> {
    register_sized(regs, r).map(|(v, _)| v)
}

/// One line of `/proc/PID/maps`.
#[derive(Debug)]
struct Mapping {
    start: u64,
    end: u64,
    offset: u64,
    path: PathBuf,
}

fn parse_maps(text: &str) -> Vec<Mapping> {
    text.lines()
        .filter_map(|line| {
            let mut f = line.split_whitespace();
            let (range, _perms, offset) = (f.next()?, f.next()?, f.next()?);
            let path = f.nth(2)?;
            let (start, end) = range.split_once('-')?;
            Some(Mapping {
                start: u64::from_str_radix(start, 16).ok()?,
                end: u64::from_str_radix(end, 16).ok()?,
                offset: u64::from_str_radix(offset, 16).ok()?,
                path: PathBuf::from(path),
            })
        })
        .collect()
}

/// Where `vaddr` of `elf` is in the process: the mapping of its file that holds the byte's file
/// offset.
fn runtime_address(maps: &[Mapping], elf: &Elf, vaddr: u64) -> Option<u64> {
    let offset = elf.file_offset(vaddr)?;
    let path = std::fs::canonicalize(elf.path()).unwrap_or_else(|_| elf.path().to_path_buf());
    maps.iter()
        .find(|m| m.path == path && offset >= m.offset && offset - m.offset < m.end - m.start)
        .map(|m| m.start + (offset - m.offset))
}

/// How the tracee stopped.
#[derive(Debug)]
enum Stop {
    Exited(i32),
    Signaled(i32),
    Stopped(i32),
}

/// The traced child: its pid, a pidfd for the watchdog and its memory.
struct Tracee {
    pid: libc::pid_t,
    pidfd: Option<std::os::fd::OwnedFd>,
    mem: std::sync::OnceLock<File>,
}

impl Tracee {
    fn new(pid: libc::pid_t) -> Self {
        // SAFETY: pidfd_open takes a pid and flags, no pointers; a negative result is an error.
        let fd = unsafe { libc::syscall(libc::SYS_pidfd_open, pid, 0) };
        let pidfd = (fd >= 0).then(|| {
            // SAFETY: `fd` was just returned by pidfd_open, is open and owned by nobody else.
            unsafe { <std::os::fd::OwnedFd as std::os::fd::FromRawFd>::from_raw_fd(fd as i32) }
        });
        Self {
            pid,
            pidfd,
            mem: std::sync::OnceLock::new(),
        }
    }

    /// Sends SIGKILL. Only from the thread that reaps the tracee, before it has: until then the
    /// pid cannot name another process.
    fn kill(&self) {
        // SAFETY: kill takes a pid and a signal number, no pointers.
        unsafe {
            libc::kill(self.pid, libc::SIGKILL);
        }
    }

    /// Kills the tracee after `timeout` unless the returned sender is dropped first. Through the
    /// pidfd, which cannot reach a process that reuses the pid once the tracee is reaped; without
    /// one (Linux before 5.3) there is no timeout.
    fn watchdog(&self, timeout: Duration) -> (mpsc::Sender<()>, std::thread::JoinHandle<()>) {
        let (tx, rx) = mpsc::channel::<()>();
        let fd = self.pidfd.as_ref().and_then(|f| f.try_clone().ok());
        let handle = std::thread::spawn(move || {
            let Some(fd) = fd else { return };
            if let Err(mpsc::RecvTimeoutError::Timeout) = rx.recv_timeout(timeout) {
                use std::os::fd::AsRawFd;
                // SAFETY: the pidfd is open (owned here); a null siginfo pointer is allowed and
                // makes the call behave like kill.
                unsafe {
                    libc::syscall(
                        libc::SYS_pidfd_send_signal,
                        fd.as_raw_fd(),
                        libc::SIGKILL,
                        std::ptr::null::<libc::siginfo_t>(),
                        0,
                    );
                }
            }
        });
        (tx, handle)
    }

    fn wait(&self) -> Result<Stop, String> {
        let mut status = 0;
        // SAFETY: `status` is a valid, writable int for the call's duration.
        let r = unsafe { libc::waitpid(self.pid, &mut status, libc::__WALL) };
        if r == -1 {
            return Err(format!("waitpid: {}", std::io::Error::last_os_error()));
        }
        Ok(if libc::WIFEXITED(status) {
            Stop::Exited(libc::WEXITSTATUS(status))
        } else if libc::WIFSIGNALED(status) {
            Stop::Signaled(libc::WTERMSIG(status))
        } else {
            Stop::Stopped(libc::WSTOPSIG(status))
        })
    }

    fn check(what: &str, r: libc::c_long) -> Result<(), String> {
        if r == -1 {
            Err(format!(
                "ptrace {what}: {}",
                std::io::Error::last_os_error()
            ))
        } else {
            Ok(())
        }
    }

    fn set_options(&self) -> Result<(), String> {
        // SAFETY: PTRACE_SETOPTIONS on our stopped tracee; the data argument is a flag word.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SETOPTIONS,
                self.pid,
                0,
                libc::PTRACE_O_EXITKILL,
            )
        };
        Self::check("SETOPTIONS", r)
    }

    fn cont(&self, signal: i32) -> Result<(), String> {
        // SAFETY: PTRACE_CONT on our stopped tracee; the data argument is a signal number.
        let r = unsafe { libc::ptrace(libc::PTRACE_CONT, self.pid, 0, signal) };
        Self::check("CONT", r)
    }

    fn regs(&self) -> Result<libc::user_regs_struct, String> {
        // SAFETY: user_regs_struct is plain integers, so all-zero is a valid value.
        let mut regs: libc::user_regs_struct = unsafe { std::mem::zeroed() };
        // SAFETY: PTRACE_GETREGS writes one user_regs_struct to the pointer, which points to
        // one, writable, for the call's duration.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_GETREGS,
                self.pid,
                0,
                &mut regs as *mut libc::user_regs_struct,
            )
        };
        Self::check("GETREGS", r)?;
        Ok(regs)
    }

    fn set_regs(&self, regs: &libc::user_regs_struct) -> Result<(), String> {
        // SAFETY: PTRACE_SETREGS reads one user_regs_struct from the pointer, valid for the call.
        let r = unsafe {
            libc::ptrace(
                libc::PTRACE_SETREGS,
                self.pid,
                0,
                regs as *const libc::user_regs_struct,
            )
        };
        Self::check("SETREGS", r)
    }

    fn mem(&self) -> Result<&File, String> {
        if let Some(f) = self.mem.get() {
            return Ok(f);
        }
        let path = format!("/proc/{}/mem", self.pid);
        let f = File::options()
            .read(true)
            .write(true)
            .open(&path)
            .map_err(|e| format!("cannot open {path}: {e}"))?;
        Ok(self.mem.get_or_init(|| f))
    }

    /// Reads the tracee's memory at `addr` (the tracer may read any mapped page).
    fn read(&self, addr: u64, buf: &mut [u8]) -> Result<(), String> {
        self.mem()?
            .read_exact_at(buf, addr)
            .map_err(|e| format!("cannot read {} bytes at {addr:#x}: {e}", buf.len()))
    }

    /// Writes the tracee's memory (the tracer may write its read-only code pages).
    fn write(&self, addr: u64, buf: &[u8]) -> Result<(), String> {
        self.mem()?
            .write_all_at(buf, addr)
            .map_err(|e| format!("cannot write at {addr:#x}: {e}"))
    }

    fn maps(&self) -> Result<Vec<Mapping>, String> {
        let path = format!("/proc/{}/maps", self.pid);
        std::fs::read_to_string(&path)
            .map(|t| parse_maps(&t))
            .map_err(|e| format!("cannot read {path}: {e}"))
    }

    fn insert(&self, at: u64, kind: Kind) -> Result<Breakpoint, String> {
        let mut original = [0u8];
        self.read(at, &mut original)?;
        self.write(at, &[0xcc])?;
        Ok(Breakpoint {
            original: original[0],
            kind,
        })
    }

    /// After a stop at the `int3` at `at`: puts the original byte back, runs that one
    /// instruction, and re-arms the breakpoint. Returns a signal that arrived meanwhile, to be
    /// delivered on the next continue (0: none).
    fn step_over(
        &self,
        at: u64,
        original: u8,
        mut regs: libc::user_regs_struct,
    ) -> Result<i32, String> {
        self.write(at, &[original])?;
        regs.rip = at;
        self.set_regs(&regs)?;
        let mut pending = 0;
        loop {
            // SAFETY: PTRACE_SINGLESTEP on our stopped tracee; no pointers.
            let r = unsafe { libc::ptrace(libc::PTRACE_SINGLESTEP, self.pid, 0, 0) };
            Self::check("SINGLESTEP", r)?;
            match self.wait()? {
                Stop::Stopped(libc::SIGTRAP) => break,
                Stop::Stopped(sig) => pending = sig,
                other => return Err(format!("the suite ended while stepping: {other:?}")),
            }
        }
        self.write(at, &[0xcc])?;
        Ok(pending)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn maps_lines_parse_with_and_without_paths() {
        let maps = parse_maps(
            "55d0c0a00000-55d0c0a23000 r--p 00000000 fd:01 123 /bin/suite\n\
             55d0c0a23000-55d0c0b00000 r-xp 00023000 fd:01 123 /bin/suite\n\
             7ffd1000-7ffd2000 rw-p 00000000 00:00 0\n",
        );
        assert_eq!(maps.len(), 2);
        assert_eq!(maps[1].start, 0x55d0_c0a2_3000);
        assert_eq!(maps[1].offset, 0x23000);
        assert_eq!(maps[1].path, PathBuf::from("/bin/suite"));
    }

    #[test]
    fn registers_by_width() {
        // SAFETY: user_regs_struct is plain integers, so all-zero is a valid value.
        let mut regs: libc::user_regs_struct = unsafe { std::mem::zeroed() };
        regs.rcx = 0x1122_3344_5566_7788;
        assert_eq!(register(&regs, Register::RCX), Some(0x1122_3344_5566_7788));
        assert_eq!(register(&regs, Register::ECX), Some(0x5566_7788));
        assert_eq!(register(&regs, Register::CX), Some(0x7788));
        assert_eq!(register(&regs, Register::CL), Some(0x88));
        assert_eq!(register(&regs, Register::CH), Some(0x77));
        assert_eq!(register(&regs, Register::DS), Some(0));
    }
}
