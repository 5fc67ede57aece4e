//! How often dudect is wrong on a loaded machine: runs `cargo ct-verify --engine dudect` on
//! ct-verify's corpus (or the dudect tests of `cargo test`) again and again while a
//! `cargo build` of the workspace runs in parallel, and counts false alarms and misses against
//! the corpus's ground truth. `scripts/dudect-reliability` builds and runs it; the figures in
//! README.md ("dudect on a loaded machine") come from it.
//!
//! ```text
//! dudect_reliability corpus [--runs 20] [--budget 5] [--out DIR] [--no-load]
//! dudect_reliability tests [--runs 20] [--no-load]
//! ```
//!
//! Exit status: 0 when there was no false alarm and no miss, 1 otherwise, 2 on bad arguments
//! or when a run could not be made.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, ExitCode, Stdio};
use std::sync::atomic::{AtomicBool, AtomicU32, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Instant;

/// What dudect must say about each check of the corpus, by construction of the function (see
/// `ct-verify/corpus/src/lib.rs`), not by any earlier run of ct-verify.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Truth {
    /// A gross timing difference between the fixed and the random class: must be `leak` in
    /// every run.
    Leak,
    /// A leak, but dudect's two classes barely differ in time (see [`GROUND_TRUTH`]): `leak` is
    /// right and not a false alarm, any other verdict an expected miss. Reported, not counted.
    SubtleLeak,
    /// No timing difference in the secret: must not be `leak`.
    ConstantTime,
    /// Not a dudect question (see [`GROUND_TRUTH`]); reported, not counted.
    NotCounted,
}

/// The corpus checks and what dudect must find. Timing classes: the fixed class is the first
/// corner case the check accepts (its `Config::fixed`, else all-zero, else all-ones), the other
/// class random secrets.
const GROUND_TRUTH: &[(&str, Truth, &str)] = &[
    (
        "early_exit_eq",
        Truth::Leak,
        "fixed = the tag: 32 iterations, random: 1",
    ),
    (
        "table_lookup",
        Truth::Leak,
        "32 loads at secret addresses; all-zero hits one line",
    ),
    (
        "secret_length_loop",
        Truth::Leak,
        "0 iterations for all-zero, 0-31 for random",
    ),
    (
        "secret_division",
        Truth::Leak,
        "divisor 1 (all-zero | 1) vs a random 32-bit divisor",
    ),
    (
        "bigint_modpow",
        Truth::Leak,
        "exponent 0 vs a random 256-bit exponent",
    ),
    (
        "or_accumulate_eq",
        Truth::ConstantTime,
        "branch-free OR of all byte differences",
    ),
    ("subtle_eq", Truth::ConstantTime, "subtle's ct_eq"),
    (
        "secret_core_eq",
        Truth::ConstantTime,
        "secret-core's ct_eq_public",
    ),
    (
        "chacha20_block",
        Truth::ConstantTime,
        "ARX cipher, no secret branch or address",
    ),
    (
        "xor_prefix_public_len",
        Truth::ConstantTime,
        "work set by the public length only",
    ),
    (
        "still_runs",
        Truth::ConstantTime,
        "or_accumulate_eq on a widened input",
    ),
    (
        "naive_division",
        Truth::SubtleLeak,
        "division by the secret, but the fixed class is all-ones (all-zero panics): the \
         quotient is 0 for both classes, and the zero check is never taken",
    ),
    (
        "panics",
        Truth::NotCounted,
        "panics on purpose: an error, not a verdict",
    ),
];

struct Args {
    mode: String,
    ctv: Option<PathBuf>,
    runs: u32,
    budget: String,
    out: PathBuf,
    load: bool,
}

fn parse_args() -> Result<Args, String> {
    let mut argv = std::env::args().skip(1);
    let mode = argv.next().unwrap_or_default();
    if mode != "corpus" && mode != "tests" {
        return Err(format!(
            "first argument must be `corpus` or `tests`, not `{mode}`"
        ));
    }
    let mut args = Args {
        mode,
        ctv: None,
        runs: 20,
        budget: "5".into(),
        out: std::env::temp_dir().join("dudect-reliability"),
        load: true,
    };
    while let Some(flag) = argv.next() {
        let mut value = || argv.next().ok_or(format!("{flag} needs a value"));
        match flag.as_str() {
            "--ctv" => args.ctv = Some(PathBuf::from(value()?)),
            "--runs" => {
                args.runs = value()?
                    .parse()
                    .map_err(|_| "--runs takes a whole number".to_string())?
            }
            "--budget" => args.budget = value()?,
            "--out" => args.out = PathBuf::from(value()?),
            "--no-load" => args.load = false,
            other => return Err(format!("unknown argument `{other}`")),
        }
    }
    if args.ctv.as_ref().is_some_and(|p| !p.is_file()) {
        return Err("--ctv must name a built cargo-ct-verify".into());
    }
    Ok(args)
}

/// Builds the `cargo-ct-verify` binary of this workspace (release) and returns its path.
fn build_ctv() -> Result<PathBuf, String> {
    let out = Command::new("cargo")
        .args([
            "build",
            "--release",
            "-p",
            "ct-verify",
            "--bin",
            "cargo-ct-verify",
        ])
        .args(["--message-format", "json-render-diagnostics"])
        .current_dir(workspace())
        .stderr(Stdio::inherit())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    if !out.status.success() {
        return Err("building cargo-ct-verify failed".into());
    }
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find_map(|m| {
            (m["target"]["name"] == "cargo-ct-verify")
                .then(|| m["executable"].as_str().map(PathBuf::from))
                .flatten()
        })
        .ok_or_else(|| "cargo did not name the cargo-ct-verify executable".into())
}

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("ct-verify lives in the workspace")
        .to_path_buf()
}

/// A `cargo build` of the workspace from scratch, over and over, in its own target directory,
/// until dropped.
struct Load {
    stop: Arc<AtomicBool>,
    child: Arc<Mutex<Option<Child>>>,
    builds: Arc<AtomicU32>,
    thread: Option<std::thread::JoinHandle<()>>,
}

impl Load {
    fn start(target_dir: PathBuf) -> Load {
        let stop = Arc::new(AtomicBool::new(false));
        let child: Arc<Mutex<Option<Child>>> = Arc::new(Mutex::new(None));
        let builds = Arc::new(AtomicU32::new(0));
        let (s, c, b) = (stop.clone(), child.clone(), builds.clone());
        let thread = std::thread::spawn(move || {
            while !s.load(Ordering::SeqCst) {
                let _ = std::fs::remove_dir_all(&target_dir);
                let spawned = Command::new("cargo")
                    .args([
                        "build",
                        "-q",
                        "--workspace",
                        "--all-targets",
                        "--target-dir",
                    ])
                    .arg(&target_dir)
                    .current_dir(workspace())
                    .stdout(Stdio::null())
                    .stderr(Stdio::null())
                    .spawn();
                let Ok(spawned) = spawned else { return };
                *c.lock().unwrap_or_else(|e| e.into_inner()) = Some(spawned);
                let status = loop {
                    let mut guard = c.lock().unwrap_or_else(|e| e.into_inner());
                    match guard.as_mut().map(|ch| ch.try_wait()) {
                        Some(Ok(Some(st))) => break Some(st),
                        Some(Ok(None)) => {}
                        _ => break None,
                    }
                    drop(guard);
                    std::thread::sleep(std::time::Duration::from_millis(200));
                };
                if status.is_some_and(|st| st.success()) {
                    b.fetch_add(1, Ordering::SeqCst);
                }
            }
        });
        Load {
            stop,
            child,
            builds,
            thread: Some(thread),
        }
    }
}

impl Drop for Load {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(ch) = self
            .child
            .lock()
            .unwrap_or_else(|e| e.into_inner())
            .as_mut()
        {
            let _ = ch.kill();
            let _ = ch.wait();
        }
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

/// Verdicts of one corpus run: check -> (verdict, |t|).
fn corpus_run(
    args: &Args,
    ctv: &Path,
    run: u32,
) -> Result<BTreeMap<String, (String, f64)>, String> {
    let out = args.out.join(format!("run-{run:02}.json"));
    let status = Command::new(ctv)
        .args(["ct-verify", "--manifest-path"])
        .arg(workspace().join("ct-verify/corpus/Cargo.toml"))
        .args(["--engine", "dudect", "--dudect-budget", &args.budget])
        .args(["--format", "json", "--output"])
        .arg(&out)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .map_err(|e| format!("cannot run {}: {e}", ctv.display()))?;
    if status.code() == Some(2) && !out.exists() {
        return Err(format!("run {run}: ct-verify could not run (exit 2)"));
    }
    let text = std::fs::read_to_string(&out).map_err(|e| format!("{}: {e}", out.display()))?;
    let json: serde_json::Value =
        serde_json::from_str(&text).map_err(|e| format!("{}: {e}", out.display()))?;
    Ok(json["results"]
        .as_array()
        .into_iter()
        .flatten()
        .map(|r| {
            let name = r["target"].as_str().unwrap_or("?").to_string();
            let verdict = r["verdict"].as_str().unwrap_or("?").to_string();
            let t = r["evidence"]["t"].as_f64().unwrap_or(0.0).abs();
            (name, (verdict, t))
        })
        .collect())
}

#[derive(Default)]
struct Tally {
    verdicts: BTreeMap<String, u32>,
    t_min: f64,
    t_max: f64,
}

fn corpus(args: &Args) -> Result<bool, String> {
    let ctv = match &args.ctv {
        Some(p) => p.clone(),
        None => build_ctv()?,
    };
    let ctv = ctv.as_path();
    std::fs::create_dir_all(&args.out).map_err(|e| format!("{}: {e}", args.out.display()))?;
    // Build the corpus suites before the load starts, so that run 1 measures, not compiles.
    corpus_run(args, ctv, 0)?;
    let load = args.load.then(|| Load::start(args.out.join("load-target")));
    let start = Instant::now();
    let mut tallies: BTreeMap<String, Tally> = BTreeMap::new();
    for run in 1..=args.runs {
        let results = corpus_run(args, ctv, run)?;
        let line: Vec<String> = results
            .iter()
            .map(|(name, (v, t))| {
                let tally = tallies.entry(name.clone()).or_insert(Tally {
                    t_min: f64::INFINITY,
                    ..Tally::default()
                });
                *tally.verdicts.entry(v.clone()).or_default() += 1;
                tally.t_min = tally.t_min.min(*t);
                tally.t_max = tally.t_max.max(*t);
                format!("{name}={v}")
            })
            .collect();
        eprintln!("run {run}/{}: {}", args.runs, line.join(" "));
    }
    let builds = load.as_ref().map_or(0, |l| l.builds.load(Ordering::SeqCst));
    drop(load);
    print_corpus_table(args, &tallies, start.elapsed().as_secs_f64(), builds)
}

fn print_corpus_table(
    args: &Args,
    tallies: &BTreeMap<String, Tally>,
    seconds: f64,
    builds: u32,
) -> Result<bool, String> {
    println!("{}", machine(args, seconds, builds));
    println!("| check | ground truth | leak | constant-time | inconclusive | error | \\|t\\| min - max |");
    println!("|---|---|---:|---:|---:|---:|---|");
    let (mut false_alarms, mut misses, mut counted) = (0, 0, 0);
    for (name, truth, why) in GROUND_TRUTH {
        let Some(t) = tallies.get(*name) else {
            return Err(format!(
                "the corpus has no check `{name}` any more: update GROUND_TRUTH"
            ));
        };
        let n = |v: &str| t.verdicts.get(v).copied().unwrap_or(0);
        match truth {
            Truth::Leak => {
                misses += args.runs - n("leak");
                counted += args.runs;
            }
            Truth::ConstantTime => {
                false_alarms += n("leak");
                counted += args.runs;
            }
            Truth::SubtleLeak | Truth::NotCounted => {}
        }
        let label = match truth {
            Truth::Leak => "leak",
            Truth::SubtleLeak => "leak, not gross (not counted)",
            Truth::ConstantTime => "constant-time",
            Truth::NotCounted => "not counted",
        };
        println!(
            "| `{name}` | {label} ({why}) | {} | {} | {} | {} | {:.1} - {:.1} |",
            n("leak"),
            n("constant-time"),
            n("inconclusive"),
            n("error"),
            t.t_min,
            t.t_max
        );
    }
    if let Some(extra) = tallies
        .keys()
        .find(|k| !GROUND_TRUTH.iter().any(|(n, _, _)| n == k))
    {
        return Err(format!(
            "`{extra}` has no ground truth: add it to GROUND_TRUTH"
        ));
    }
    println!(
        "\n{counted} counted verdicts: {false_alarms} false alarms, {misses} missed leaks \
         (a miss is any verdict but `leak` on a leaky check)"
    );
    Ok(false_alarms == 0 && misses == 0)
}

fn machine(args: &Args, seconds: f64, builds: u32) -> String {
    let cpu = std::fs::read_to_string("/proc/cpuinfo")
        .ok()
        .and_then(|c| {
            c.lines()
                .find(|l| l.starts_with("model name"))
                .and_then(|l| l.split(':').nth(1))
                .map(|s| s.trim().to_string())
        })
        .unwrap_or_else(|| "unknown CPU".into());
    let cores = std::thread::available_parallelism().map_or(0, |n| n.get());
    let load = if args.load {
        format!(
            "a `cargo build --workspace --all-targets` from scratch in a loop ({builds} finished)"
        )
    } else {
        "no load".to_string()
    };
    let what = if args.mode == "corpus" {
        format!(
            "`cargo ct-verify --engine dudect --dudect-budget {}` on ct-verify/corpus",
            args.budget
        )
    } else {
        "`cargo test -p ct-verify --test corpus dudect`".to_string()
    };
    format!(
        "{} runs of {what}, {cores} cores ({cpu}), {load}, {seconds:.0} s in all",
        args.runs
    )
}

/// Runs the dudect tests of `cargo test` `runs` times; true if every run passed.
fn tests(args: &Args) -> Result<bool, String> {
    let cargo_test = || {
        Command::new("cargo")
            .args([
                "test",
                "-q",
                "-p",
                "ct-verify",
                "--test",
                "corpus",
                "dudect",
            ])
            .current_dir(workspace())
            .output()
            .map_err(|e| format!("cannot run cargo test: {e}"))
    };
    // Build first, outside the load.
    cargo_test()?;
    let load = args.load.then(|| Load::start(args.out.join("load-target")));
    let start = Instant::now();
    let mut failed = 0;
    for run in 1..=args.runs {
        let out = cargo_test()?;
        let text = String::from_utf8_lossy(&out.stdout);
        let summary = text
            .lines()
            .filter(|l| l.starts_with("test result:"))
            .collect::<Vec<_>>()
            .join("; ");
        eprintln!("run {run}/{}: {summary}", args.runs);
        if !out.status.success() {
            failed += 1;
            eprintln!("{text}{}", String::from_utf8_lossy(&out.stderr));
        }
    }
    let builds = load.as_ref().map_or(0, |l| l.builds.load(Ordering::SeqCst));
    drop(load);
    println!("{}", machine(args, start.elapsed().as_secs_f64(), builds));
    println!("{} passed, {failed} failed", args.runs - failed);
    Ok(failed == 0)
}

fn main() -> ExitCode {
    let args = match parse_args() {
        Ok(a) => a,
        Err(e) => {
            eprintln!("dudect_reliability: {e}");
            return ExitCode::from(2);
        }
    };
    let result = if args.mode == "corpus" {
        corpus(&args)
    } else {
        tests(&args)
    };
    match result {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::from(1),
        Err(e) => {
            eprintln!("dudect_reliability: {e}");
            ExitCode::from(2)
        }
    }
}
