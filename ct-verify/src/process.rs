//! Starting a suite binary in one of its modes, under a tool or natively, and reading back what
//! it reported.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::{Duration, Instant};

use crate::protocol::{self, Record};

/// A private scratch directory, removed on drop.
#[derive(Debug)]
pub struct ScratchDir {
    path: PathBuf,
}

impl ScratchDir {
    /// Creates a fresh directory under the system temporary directory.
    pub fn new(tag: &str) -> std::io::Result<Self> {
        static COUNTER: AtomicUsize = AtomicUsize::new(0);
        let n = COUNTER.fetch_add(1, Ordering::Relaxed);
        let path = std::env::temp_dir().join(format!("ct-verify-{}-{n}-{tag}", std::process::id()));
        let _ = std::fs::remove_dir_all(&path);
        std::fs::create_dir_all(&path)?;
        Ok(Self { path })
    }

    /// The directory; it and everything in it are removed when `self` is dropped.
    pub fn path(&self) -> &Path {
        &self.path
    }
}

impl Drop for ScratchDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.path);
    }
}

/// What a run of the suite left behind.
#[derive(Debug)]
pub struct SuiteRun {
    /// Records the suite wrote.
    pub records: Vec<Record>,
    /// Exit status (None if killed by a signal or the timeout).
    pub status: Option<i32>,
    /// Whether the run hit the timeout.
    pub timed_out: bool,
    /// The last lines of its standard error.
    pub stderr_tail: String,
}

impl SuiteRun {
    /// A one-line description of why the run produced no result.
    pub fn failure(&self) -> String {
        let why = if self.timed_out {
            "timed out".to_string()
        } else {
            match self.status {
                Some(c) => format!("exited with status {c}"),
                None => "was killed by a signal".to_string(),
            }
        };
        let tail = self
            .stderr_tail
            .lines()
            .rev()
            .find(|l| !l.trim().is_empty() && !l.starts_with("note: run with `RUST_BACKTRACE"))
            .unwrap_or("")
            .trim();
        if tail.is_empty() {
            format!("the suite {why}")
        } else {
            format!("the suite {why}: {tail}")
        }
    }
}

/// How to start the suite.
#[derive(Debug)]
pub struct Launch<'a> {
    /// The suite executable, as cargo's `--message-format=json` named it.
    pub exe: &'a Path,
    /// `list`, `taint`, `count` or `dudect`.
    pub mode: &'a str,
    /// The check to run (not for `list`).
    pub target: Option<&'a str>,
    /// A tool to run it under (`valgrind` and its arguments), or none for a native run.
    pub wrapper: Vec<String>,
    /// Environment variables set beside the protocol's own (`CT_VERIFY_MODE`, `_TARGET`,
    /// `_OUT`), such as the dudect budget.
    pub env: Vec<(String, String)>,
    /// Let the suite's standard error through to ours (for progress bars).
    pub inherit_stderr: bool,
    /// Give up after this long.
    pub timeout: Duration,
    /// Working directory (cargo runs benches from the package root).
    pub cwd: Option<&'a Path>,
}

/// Runs the suite as `launch` says; `Err` only when it could not be started at all.
pub fn run_suite(launch: &Launch<'_>, scratch: &Path) -> std::io::Result<SuiteRun> {
    run_suite_watched(launch, scratch, &mut |_| {})
}

/// [`run_suite`], calling `finished(n)` while the suite runs whenever the number `n` of checks
/// it has reported as finished (done or panicked) grows: for a progress display.
pub fn run_suite_watched(
    launch: &Launch<'_>,
    scratch: &Path,
    finished: &mut dyn FnMut(usize),
) -> std::io::Result<SuiteRun> {
    let out = scratch.join(format!("records-{}.jsonl", launch.mode));
    let err = scratch.join(format!("stderr-{}.txt", launch.mode));
    let _ = std::fs::remove_file(&out);
    let mut cmd = match launch.wrapper.split_first() {
        Some((tool, args)) => {
            let mut c = Command::new(tool);
            c.args(args).arg(launch.exe);
            c
        }
        None => Command::new(launch.exe),
    };
    cmd.env(protocol::MODE, launch.mode)
        .env(protocol::OUT, &out)
        .stdin(Stdio::null())
        .stdout(Stdio::null());
    if let Some(t) = launch.target {
        cmd.env(protocol::TARGET, t);
    }
    for (k, v) in &launch.env {
        cmd.env(k, v);
    }
    if let Some(dir) = launch.cwd {
        cmd.current_dir(dir);
    }
    if launch.inherit_stderr {
        cmd.stderr(Stdio::inherit());
    } else {
        cmd.stderr(std::fs::File::create(&err)?);
    }
    let mut child = cmd.spawn()?;
    let deadline = Instant::now() + launch.timeout;
    let mut timed_out = false;
    let mut next_look = Instant::now();
    let mut reported = 0;
    let status = loop {
        if let Some(s) = child.try_wait()? {
            break Some(s);
        }
        if Instant::now() >= next_look {
            next_look = Instant::now() + Duration::from_millis(250);
            let n = finished_checks(&out);
            if n > reported {
                reported = n;
                finished(n);
            }
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            timed_out = true;
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    let records = std::fs::read_to_string(&out)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    let stderr = std::fs::read_to_string(&err).unwrap_or_default();
    let lines: Vec<&str> = stderr.lines().collect();
    let stderr_tail = lines[lines.len().saturating_sub(5)..].join("\n");
    Ok(SuiteRun {
        records,
        status: status.and_then(|s| s.code()),
        timed_out,
        stderr_tail,
    })
}

/// How many checks the records file at `path` reports as finished (done or panicked) so far.
fn finished_checks(path: &Path) -> usize {
    std::fs::read_to_string(path)
        .unwrap_or_default()
        .lines()
        .filter_map(|l| serde_json::from_str::<Record>(l).ok())
        .filter(|r| matches!(r, Record::Done { .. } | Record::Panic { .. }))
        .count()
}

/// The panic or completion record for `target`, if the suite wrote one.
pub fn outcome<'r>(run: &'r SuiteRun, target: &str) -> Option<&'r Record> {
    run.records.iter().find(|r| match r {
        Record::Done { target: t, .. } | Record::Panic { target: t, .. } => t == target,
        Record::Dudect(d) => d.target == target,
        Record::Target { .. } | Record::Searched(_) => false,
    })
}
