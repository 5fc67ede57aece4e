//! Running firmware under `qemu-system-arm`: boards per target triple, flags, timeouts.

use std::io::Read;
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

/// A Cortex-M target triple and the QEMU board that runs it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Board {
    /// Target triple.
    pub triple: &'static str,
    /// `qemu-system-arm -machine` name.
    pub machine: &'static str,
    /// The core.
    pub core: &'static str,
    /// SysTick's core clock on this board, in Hz (QEMU 7.2).
    pub systick_hz: u64,
    /// Which variable-latency instructions the audit looks for.
    pub arch: Arch,
    /// Code memory: origin and length in bytes (the generated firmware's `memory.x`).
    pub flash: (u32, u32),
    /// Data memory: origin and length in bytes.
    pub ram: (u32, u32),
}

impl Board {
    /// The `memory.x` that cortex-m-rt's `link.x` includes, for this board.
    pub fn memory_x(&self) -> String {
        format!(
            "/* {} ({}): QEMU `-machine {}`. Written by ct-verify from its board table. */\n\
             MEMORY\n{{\n  FLASH : ORIGIN = {:#010x}, LENGTH = {}K\n  RAM   : ORIGIN = {:#010x}, LENGTH = {}K\n}}\n",
            self.triple,
            self.core,
            self.machine,
            self.flash.0,
            self.flash.1 / 1024,
            self.ram.0,
            self.ram.1 / 1024
        )
    }
}

/// Architecture profile, for the audit.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Arch {
    /// ARMv6-M (Cortex-M0/M0+): no divide, no long multiply; compiler-builtins helpers.
    V6M,
    /// ARMv7-M (Cortex-M3): UDIV/SDIV and early-terminating long multiplies.
    V7M,
    /// ARMv7E-M (Cortex-M4): UDIV/SDIV.
    V7EM,
    /// ARMv8-M Mainline (Cortex-M33): UDIV/SDIV.
    V8MMain,
}

/// QEMU's `-icount` setting of the SysTick runs: one instruction per 2^10 ns of virtual time,
/// so SysTick counts instructions (ticks = instructions × 1.024 µs × the SysTick clock).
pub const ICOUNT: &str = "shift=10,align=off,sleep=off";

/// The supported triples: ct-verify's one board table (QEMU board, core, SysTick clock, audit
/// profile, memory map), also shown in `ct-verify/README.md` ("Boards"). The memory maps are
/// QEMU 7.2's: micro:bit (nRF51822) 256K flash at 0 and 16K RAM at 0x2000_0000; MPS2 AN385 256K
/// at 0 and 64K at 0x2000_0000; AN386 4M at 0 and 4M at 0x2000_0000; AN505 (Cortex-M33) code in
/// the SSRAM1 secure alias at 0x1000_0000 (flash at 0 locks up there) and RAM at 0x3800_0000.
pub const BOARDS: &[Board] = &[
    Board {
        triple: "thumbv6m-none-eabi",
        machine: "microbit",
        core: "Cortex-M0",
        systick_hz: 16_000_000,
        arch: Arch::V6M,
        flash: (0x0000_0000, 256 * 1024),
        ram: (0x2000_0000, 16 * 1024),
    },
    Board {
        triple: "thumbv7m-none-eabi",
        machine: "mps2-an385",
        core: "Cortex-M3",
        systick_hz: 25_000_000,
        arch: Arch::V7M,
        flash: (0x0000_0000, 256 * 1024),
        ram: (0x2000_0000, 64 * 1024),
    },
    Board {
        triple: "thumbv7em-none-eabihf",
        machine: "mps2-an386",
        core: "Cortex-M4F",
        systick_hz: 25_000_000,
        arch: Arch::V7EM,
        flash: (0x0000_0000, 4096 * 1024),
        ram: (0x2000_0000, 4096 * 1024),
    },
    Board {
        triple: "thumbv7em-none-eabi",
        machine: "mps2-an386",
        core: "Cortex-M4",
        systick_hz: 25_000_000,
        arch: Arch::V7EM,
        flash: (0x0000_0000, 4096 * 1024),
        ram: (0x2000_0000, 4096 * 1024),
    },
    Board {
        triple: "thumbv8m.main-none-eabihf",
        machine: "mps2-an505",
        core: "Cortex-M33",
        systick_hz: 20_000_000,
        arch: Arch::V8MMain,
        flash: (0x1000_0000, 4096 * 1024),
        ram: (0x3800_0000, 2048 * 1024),
    },
    Board {
        triple: "thumbv8m.main-none-eabi",
        machine: "mps2-an505",
        core: "Cortex-M33",
        systick_hz: 20_000_000,
        arch: Arch::V8MMain,
        flash: (0x1000_0000, 4096 * 1024),
        ram: (0x3800_0000, 2048 * 1024),
    },
];

/// The board for `triple`.
pub fn board(triple: &str) -> Option<Board> {
    BOARDS.iter().copied().find(|b| b.triple == triple)
}

/// The QEMU binary (`$CT_VERIFY_QEMU` overrides).
pub fn qemu_binary() -> String {
    std::env::var("CT_VERIFY_QEMU").unwrap_or_else(|_| "qemu-system-arm".to_string())
}

/// Checks that QEMU runs; returns its version line.
pub fn check_available() -> Result<String, String> {
    let q = qemu_binary();
    match Command::new(&q).arg("--version").stdin(Stdio::null()).output() {
        Ok(o) if o.status.success() => Ok(String::from_utf8_lossy(&o.stdout)
            .lines()
            .next()
            .unwrap_or("")
            .to_string()),
        _ => Err(format!(
            "{q} not found (the embedded engines run firmware under QEMU): install it with `apt-get install -y qemu-system-arm`"
        )),
    }
}

/// How to run one firmware image.
#[derive(Clone, Debug)]
pub struct RunSpec<'a> {
    /// The board.
    pub board: Board,
    /// The ELF.
    pub elf: &'a Path,
    /// Semihosting arguments (the first is the program name).
    pub args: Vec<String>,
    /// `-plugin` argument (path and its options), if any.
    pub plugin: Option<String>,
    /// Run with `-icount shift=10,align=off,sleep=off` (deterministic SysTick).
    pub icount: bool,
    /// Kill QEMU after this long.
    pub timeout: Duration,
    /// Start paused with the gdbstub on this Unix socket (the audit's operand check).
    pub gdb: Option<std::path::PathBuf>,
}

/// What a run printed and how it ended.
#[derive(Clone, Debug)]
pub struct RunOutput {
    /// Exit status (`None`: killed, e.g. by the timeout).
    pub status: Option<i32>,
    /// Semihosting output (standard output).
    pub stdout: String,
    /// QEMU's own messages.
    pub stderr: String,
    /// Whether the timeout killed it.
    pub timed_out: bool,
}

impl RunOutput {
    /// One line describing a failed run.
    pub fn failure(&self) -> String {
        let last = |s: &str| {
            s.lines()
                .rev()
                .find(|l| !l.trim().is_empty())
                .unwrap_or("")
                .to_string()
        };
        let panic = self
            .stdout
            .lines()
            .find(|l| l.starts_with("panic") || l.starts_with("HardFault"))
            .map(str::to_string);
        match (self.timed_out, self.status) {
            (true, _) => "QEMU timed out".to_string(),
            _ => {
                let what = panic.unwrap_or_else(|| {
                    let e = last(&self.stderr);
                    if e.is_empty() {
                        last(&self.stdout)
                    } else {
                        e
                    }
                });
                format!(
                    "firmware exited with status {}: {what}",
                    self.status.map_or("none".to_string(), |s| s.to_string())
                )
            }
        }
    }
}

/// Runs QEMU as `spec` says.
pub fn run(spec: &RunSpec<'_>) -> Result<RunOutput, String> {
    let mut semihosting = String::from("enable=on,target=native");
    for a in &spec.args {
        // QEMU's option parser takes `,,` for a literal comma; our arguments have none.
        semihosting.push_str(",arg=");
        semihosting.push_str(a);
    }
    let mut cmd = Command::new(qemu_binary());
    cmd.args([
        "-machine",
        spec.board.machine,
        "-nographic",
        "-monitor",
        "none",
    ])
    .args(["-semihosting-config", &semihosting]);
    if spec.icount {
        cmd.args(["-icount", ICOUNT]);
    }
    if let Some(p) = &spec.plugin {
        cmd.args(["-plugin", p]);
    }
    if let Some(socket) = &spec.gdb {
        cmd.arg("-gdb")
            .arg(format!("unix:{},server=on,wait=off", socket.display()))
            .arg("-S");
    }
    cmd.arg("-kernel")
        .arg(spec.elf)
        .stdin(Stdio::null())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped());
    let mut child = cmd
        .spawn()
        .map_err(|e| format!("cannot run {}: {e}", qemu_binary()))?;
    let mut out_pipe = child.stdout.take();
    let mut err_pipe = child.stderr.take();
    let out_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(p) = out_pipe.as_mut() {
            let _ = p.read_to_end(&mut s);
        }
        s
    });
    let err_reader = std::thread::spawn(move || {
        let mut s = Vec::new();
        if let Some(p) = err_pipe.as_mut() {
            let _ = p.read_to_end(&mut s);
        }
        s
    });
    let started = Instant::now();
    let mut timed_out = false;
    let status = loop {
        match child.try_wait() {
            Ok(Some(s)) => break s.code(),
            Ok(None) if started.elapsed() > spec.timeout => {
                let _ = child.kill();
                timed_out = true;
                break child.wait().ok().and_then(|s| s.code());
            }
            Ok(None) => std::thread::sleep(Duration::from_millis(2)),
            Err(e) => return Err(format!("waiting for QEMU: {e}")),
        }
    };
    let stdout = String::from_utf8_lossy(&out_reader.join().unwrap_or_default()).into_owned();
    let stderr = String::from_utf8_lossy(&err_reader.join().unwrap_or_default()).into_owned();
    Ok(RunOutput {
        status: if timed_out { None } else { status },
        stdout,
        stderr,
        timed_out,
    })
}
