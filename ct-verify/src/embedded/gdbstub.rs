//! The device backend of the audit's operand check: the firmware runs one input under QEMU with
//! its gdbstub (`-gdb unix:SOCKET,server=on,wait=off -S`), and a minimal GDB remote-protocol
//! client sets breakpoints (`Z0`) at the markers around the call and at the executed
//! variable-latency sites, continues (`c`), reads the operand registers at each stop (`g`) and
//! steps over the breakpoint (`z0`, `s`, `Z0`). The operands are then compared across inputs by
//! `crate::engine::audit::operands`, as on the host.

use std::io::{BufRead, BufReader, Read, Write};
use std::os::unix::net::UnixStream;
use std::path::Path;
use std::time::{Duration, Instant};

use super::qemu::{self, RunSpec};
use crate::engine::audit::operands::Operands;

/// An executed site to stop at: its address and which registers are its operands.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Site {
    /// The instruction's address (the call instruction's, for a helper routine).
    pub address: u32,
    /// (name, register number) of each operand (`dividend` = `r1` ...).
    pub registers: Vec<(&'static str, u8)>,
}

/// Stops after this many site executions in one run (a divide in a long loop).
const MAX_HITS: usize = 1_000_000;

/// Runs `spec` (one input; its `gdb` field is set here) and returns (site index, operands) of
/// every execution of `sites` between the markers `(start, end)`.
pub fn read_operands(
    spec: &RunSpec<'_>,
    socket: &Path,
    markers: (u32, u32),
    sites: &[Site],
) -> Result<Vec<(usize, Operands)>, String> {
    let _ = std::fs::remove_file(socket);
    let spec = RunSpec {
        gdb: Some(socket.to_path_buf()),
        ..spec.clone()
    };
    std::thread::scope(|s| {
        let qemu = s.spawn(|| qemu::run(&spec));
        let result = connect(socket, spec.timeout, &qemu).and_then(|stream| {
            let mut gdb = Gdb::new(stream)?;
            let r = drive(&mut gdb, markers, sites);
            if r.is_err() {
                let _ = gdb.send("k"); // kill QEMU: nothing more to read
            }
            r
        });
        let run = qemu
            .join()
            .map_err(|_| "the QEMU thread panicked".to_string())?;
        let _ = std::fs::remove_file(socket);
        match (result, run) {
            (Ok(hits), Ok(out)) if out.status == Some(0) => Ok(hits),
            (Ok(_), Ok(out)) => Err(out.failure()),
            (Err(e), _) | (_, Err(e)) => Err(e),
        }
    })
}

/// Connects to the gdbstub socket once QEMU has made it.
fn connect(
    socket: &Path,
    timeout: Duration,
    qemu: &std::thread::ScopedJoinHandle<'_, Result<qemu::RunOutput, String>>,
) -> Result<UnixStream, String> {
    let started = Instant::now();
    loop {
        match UnixStream::connect(socket) {
            Ok(s) => return Ok(s),
            Err(_) if qemu.is_finished() => {
                return Err("QEMU ended before its gdbstub accepted a connection".into())
            }
            Err(e) if started.elapsed() > timeout.min(Duration::from_secs(30)) => {
                return Err(format!(
                    "cannot connect to QEMU's gdbstub at {}: {e}",
                    socket.display()
                ))
            }
            Err(_) => std::thread::sleep(Duration::from_millis(10)),
        }
    }
}

fn drive(
    gdb: &mut Gdb,
    (start, end): (u32, u32),
    sites: &[Site],
) -> Result<Vec<(usize, Operands)>, String> {
    for addr in [start, end]
        .into_iter()
        .chain(sites.iter().map(|s| s.address))
    {
        gdb.expect_ok(&format!("Z0,{addr:x},2"))?;
    }
    let mut inside = false;
    let mut hits = Vec::new();
    loop {
        if !gdb.resume("c")? {
            return Ok(hits); // the firmware exited
        }
        let regs = gdb.registers()?;
        let pc = regs[15];
        if pc == start {
            inside = true;
        } else if pc == end {
            inside = false;
        } else if let Some(i) = sites.iter().position(|s| s.address == pc) {
            if inside {
                let mut values = Vec::new();
                for &(name, reg) in &sites[i].registers {
                    let v = regs
                        .get(usize::from(reg))
                        .ok_or_else(|| format!("no register r{reg}"))?;
                    values.push((name, u128::from(*v)));
                }
                hits.push((i, Operands(values)));
                if hits.len() >= MAX_HITS {
                    return Err(format!(
                        "stopped after {MAX_HITS} executions of the audited instructions"
                    ));
                }
            }
        } else {
            return Err(format!(
                "the firmware stopped at {pc:#x}, not at a breakpoint"
            ));
        }
        // Step over the breakpoint: remove it, run the one instruction, put it back.
        gdb.expect_ok(&format!("z0,{pc:x},2"))?;
        if !gdb.resume("s")? {
            return Ok(hits);
        }
        gdb.expect_ok(&format!("Z0,{pc:x},2"))?;
    }
}

/// A GDB remote-protocol connection (packets `$data#checksum`, acknowledged with `+`).
struct Gdb {
    reader: BufReader<UnixStream>,
    writer: UnixStream,
}

impl Gdb {
    fn new(stream: UnixStream) -> Result<Self, String> {
        let writer = stream
            .try_clone()
            .map_err(|e| format!("gdbstub socket: {e}"))?;
        Ok(Self {
            reader: BufReader::new(stream),
            writer,
        })
    }

    fn send(&mut self, data: &str) -> Result<(), String> {
        let sum = data.bytes().fold(0u8, |a, b| a.wrapping_add(b));
        let packet = format!("${data}#{sum:02x}");
        loop {
            self.writer
                .write_all(packet.as_bytes())
                .map_err(|e| format!("gdbstub: cannot send `{data}`: {e}"))?;
            match self.byte()? {
                Some(b'+') => return Ok(()),
                Some(b'-') => continue,
                Some(other) => {
                    return Err(format!(
                        "gdbstub: expected an acknowledgement of `{data}`, got {:?}",
                        other as char
                    ))
                }
                None => return Err(format!("gdbstub closed the connection after `{data}`")),
            }
        }
    }

    fn byte(&mut self) -> Result<Option<u8>, String> {
        let mut b = [0u8];
        match self.reader.read(&mut b) {
            Ok(0) => Ok(None),
            Ok(_) => Ok(Some(b[0])),
            Err(e) => Err(format!("gdbstub: {e}")),
        }
    }

    /// The next packet's data; `None` when QEMU closed the connection.
    fn receive(&mut self) -> Result<Option<String>, String> {
        loop {
            match self.byte()? {
                Some(b'$') => break,
                Some(_) => continue, // stray acknowledgements
                None => return Ok(None),
            }
        }
        let mut data = Vec::new();
        self.reader
            .read_until(b'#', &mut data)
            .map_err(|e| format!("gdbstub: {e}"))?;
        data.pop();
        let mut sum = [0u8; 2];
        self.reader
            .read_exact(&mut sum)
            .map_err(|e| format!("gdbstub: {e}"))?;
        // QEMU may exit right after its last packet (`W00` at the firmware's exit): a failed
        // acknowledgement then is no error, and a live stub reports it on the next command.
        let _ = self.writer.write_all(b"+");
        Ok(Some(String::from_utf8_lossy(&data).into_owned()))
    }

    fn command(&mut self, data: &str) -> Result<String, String> {
        self.send(data)?;
        self.receive()?
            .ok_or_else(|| format!("gdbstub closed the connection after `{data}`"))
    }

    fn expect_ok(&mut self, data: &str) -> Result<(), String> {
        match self.command(data)?.as_str() {
            "OK" => Ok(()),
            other => Err(format!("gdbstub answered `{other}` to `{data}`")),
        }
    }

    /// `c` or `s`: true when the core stopped again, false when the firmware exited.
    fn resume(&mut self, how: &str) -> Result<bool, String> {
        self.send(how)?;
        match self.receive()? {
            None => Ok(false),
            Some(r) if r.starts_with('W') || r.starts_with('X') => Ok(false),
            Some(r) if r.starts_with('T') || r.starts_with('S') => Ok(true),
            Some(r) => Err(format!("gdbstub answered `{r}` to `{how}`")),
        }
    }

    /// The core registers `r0`..`r15` (`g`: they come first, 8 hex digits each; QEMU answers
    /// `p` for one register only to clients that read its target description).
    fn registers(&mut self) -> Result<[u32; 16], String> {
        let r = self.command("g")?;
        let mut regs = [0u32; 16];
        for (n, reg) in regs.iter_mut().enumerate() {
            *reg = r
                .get(8 * n..8 * n + 8)
                .and_then(parse_register)
                .ok_or_else(|| format!("gdbstub answered `{r}` to `g`"))?;
        }
        Ok(regs)
    }
}

/// A 32-bit register from `p`'s reply: 8 hex digits, least significant byte first.
fn parse_register(reply: &str) -> Option<u32> {
    if reply.len() != 8 {
        return None;
    }
    let mut bytes = [0u8; 4];
    for (i, b) in bytes.iter_mut().enumerate() {
        *b = u8::from_str_radix(reply.get(2 * i..2 * i + 2)?, 16).ok()?;
    }
    Some(u32::from_le_bytes(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn registers_are_little_endian_hex() {
        assert_eq!(parse_register("78563412"), Some(0x1234_5678));
        assert_eq!(parse_register("E01"), None);
        assert_eq!(parse_register("zz563412"), None);
    }
}
