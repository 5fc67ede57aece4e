//! The `cargo ct-verify` command line: arguments, the run, the report and the exit code.

use std::collections::BTreeMap;
use std::io::Write;
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use clap::Parser;

use crate::baseline::{Baseline, Entry, Selection};
use crate::cargo::{self, SuiteExe};
use crate::engine::{self, audit, count, dudect, taint, CheckResult, Engine, EngineName, Verdict};
use crate::partition::Partition;
use crate::process::{self, Launch, ScratchDir};
use crate::progress::Progress;
use crate::protocol::Record;
use crate::report::{Format, Report, EXIT_ERROR};

/// A list of engines from `--engine`.
#[derive(Clone, Debug)]
pub struct EngineList(pub Vec<Engine>);

fn parse_engines(s: &str) -> Result<EngineList, String> {
    engine::parse_engine_list(s).map(EngineList)
}

fn parse_budget(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if v > 0.0 && v.is_finite() => Ok(v),
        _ => Err(format!("`{s}` is not a positive number of seconds")),
    }
}

/// `--search-budget`: seconds, 0 (no search) or more, at most a day (a typo such as `5e9`
/// would otherwise hold CI for centuries).
fn parse_search_budget(s: &str) -> Result<f64, String> {
    match s.parse::<f64>() {
        Ok(v) if (0.0..=86_400.0).contains(&v) => Ok(v),
        _ => Err(format!(
            "`{s}` is not a number of seconds from 0 to 86400 (the search time per check; 0 turns the search off)"
        )),
    }
}

/// Checks the compiled binary for timing leaks.
#[derive(Debug, Parser)]
#[command(name = "cargo-ct-verify", bin_name = "cargo ct-verify", version, about, long_about = None,
    after_help = "Merge the JSON reports of a --partition run: cargo ct-verify merge PART.json... (see cargo ct-verify merge --help)")]
pub struct Args {
    /// Path to Cargo.toml of the crate or workspace to check.
    #[arg(long, value_name = "PATH")]
    pub manifest_path: Option<PathBuf>,
    /// Only this bench target (default: every bench target that is a ct-verify suite).
    #[arg(long, value_name = "NAME")]
    pub bench: Option<String>,
    /// Only checks whose name contains SUBSTR.
    #[arg(long, value_name = "SUBSTR")]
    pub filter: Option<String>,
    /// Only part K of N (1-based) of the checks, split by a hash of their names; merge the N
    /// JSON reports with `cargo ct-verify merge`.
    #[arg(long, value_name = "K/N", value_parser = clap::value_parser!(Partition))]
    pub partition: Option<Partition>,
    /// Engines to run, comma-separated from taint,count,audit,dudect, or `all`.
    #[arg(long, value_name = "LIST", default_value = "taint,count,audit", value_parser = parse_engines)]
    pub engine: EngineList,
    /// Report format, output file and baseline: the same for a run and for `merge`.
    #[command(flatten)]
    pub out: OutputArgs,
    /// Seconds of dudect measurement per check.
    #[arg(long, value_name = "SECONDS", default_value = "5", value_parser = parse_budget)]
    pub dudect_budget: f64,
    /// Besides the generic secrets, search this many seconds per check for secrets that change
    /// its instruction count (count engine, host only; 0: no search).
    #[arg(long, value_name = "SECONDS", default_value_t = 0.0, allow_negative_numbers = true,
        value_parser = parse_search_budget)]
    pub search_budget: f64,
    /// Write dudect plots (SVG) into DIR.
    #[arg(long, value_name = "DIR")]
    pub plot: Option<PathBuf>,
    /// Cargo profile to build the suites with (default: `bench`, which inherits `release`).
    /// `dev` checks the code as `cargo build` and `cargo test` compile it: opt-level 0, debug
    /// assertions, overflow checks. Any profile cargo knows works (`[profile.NAME]`).
    #[arg(long, value_name = "NAME")]
    pub profile: Option<String>,
    /// Cortex-M target triple: build the suites as firmware and run them under QEMU
    /// (thumbv6m-none-eabi, thumbv7m-none-eabi, thumbv7em-none-eabihf, thumbv8m.main-none-eabihf).
    #[arg(long, value_name = "TRIPLE")]
    pub target: Option<String>,
    /// List every declassify call site in the crate and its secret-core dependents, and exit.
    #[arg(long)]
    pub list_declassify: bool,
    /// Check an already built suite executable instead of building with cargo.
    #[arg(long, value_name = "PATH")]
    pub exe: Option<PathBuf>,
    /// Give up on one valgrind run after this many seconds.
    #[arg(long, value_name = "SECONDS", default_value_t = 600)]
    pub timeout: u64,
}

/// How a run's (or a merge's) verdicts are written and compared: the options `cargo ct-verify`
/// and `cargo ct-verify merge` share.
#[derive(Debug, clap::Args)]
pub struct OutputArgs {
    /// Report format.
    #[arg(long, value_enum, default_value = "human")]
    pub format: Format,
    /// Write the report to FILE instead of standard output.
    #[arg(long, value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Compare instruction counts against a baseline saved by --save-baseline.
    #[arg(long, value_name = "FILE")]
    pub baseline: Option<PathBuf>,
    /// Save instruction counts per check to FILE.
    #[arg(long, value_name = "FILE")]
    pub save_baseline: Option<PathBuf>,
    /// Allowed Ir growth (percent) against the baseline for checks that were not constant-time.
    #[arg(long, value_name = "PERCENT", default_value_t = 5.0)]
    pub baseline_tolerance: f64,
}

impl OutputArgs {
    /// Checks, before any build or run, that `--output` and `--save-baseline` can be written
    /// and that `--baseline` exists and parses; returns the loaded baseline.
    pub fn check_early(&self) -> Result<Option<Baseline>, String> {
        if let Some(p) = &self.output {
            crate::writable::check_file("--output", p)?;
        }
        if let Some(p) = &self.save_baseline {
            crate::writable::check_file("--save-baseline", p)?;
        }
        self.baseline.as_deref().map(Baseline::load).transpose()
    }

    /// The `--baseline` rows: `baseline` against this run's `counts`, with `--baseline-tolerance`.
    pub fn compare(
        &self,
        baseline: &Baseline,
        counts: &BTreeMap<String, Entry>,
        selection: &Selection,
    ) -> Vec<crate::engine::CheckResult> {
        baseline.compare(counts, self.baseline_tolerance, selection)
    }

    /// Writes `counts` to `--save-baseline`, if given, stamped with `rustc` (`None`: the
    /// compiler ct-verify finds now, which built this run's suites).
    pub fn save_baseline(
        &self,
        counts: &BTreeMap<String, Entry>,
        rustc: Option<&str>,
    ) -> Result<(), String> {
        let Some(path) = &self.save_baseline else {
            return Ok(());
        };
        let mut b = Baseline::new(counts.clone());
        if let Some(rustc) = rustc {
            b.rustc = rustc.to_string();
        }
        b.save(path)?;
        eprintln!(
            "ct-verify: saved baseline of {} checks to {}",
            counts.len(),
            path.display()
        );
        Ok(())
    }

    /// Writes the rendered report to `--output` (then the summary line on standard error) or
    /// to standard output.
    pub fn write(&self, report: &Report, text: &str) -> Result<(), String> {
        match &self.output {
            Some(path) => {
                std::fs::write(path, text)
                    .map_err(|e| format!("cannot write {}: {e}", path.display()))?;
                eprintln!("{}", report.summary_line());
            }
            None => {
                let _ = std::io::stdout().write_all(text.as_bytes());
            }
        }
        Ok(())
    }
}

/// A failure that stops the run (exit status 2), as one line.
#[derive(Debug)]
pub struct Fatal(pub String);

impl From<String> for Fatal {
    fn from(s: String) -> Self {
        Fatal(s)
    }
}

/// Entry point of the binary: parses `std::env::args`, runs, returns the exit status.
pub fn main() -> i32 {
    let mut argv: Vec<std::ffi::OsString> = std::env::args_os().collect();
    // `cargo ct-verify ...` runs `cargo-ct-verify ct-verify ...`.
    if argv.get(1).is_some_and(|a| a == "ct-verify") {
        argv.remove(1);
    }
    if argv.get(1).is_some_and(|a| a == "merge") {
        argv.remove(1);
        return crate::merge::main(argv);
    }
    let args = match parse_args::<Args>(argv) {
        Ok(a) => a,
        Err(code) => return code,
    };
    match run(&args) {
        Ok(code) => code,
        Err(Fatal(msg)) => {
            eprintln!("error: {msg}");
            EXIT_ERROR
        }
    }
}

/// Parses a command line with clap, for `cargo ct-verify` and for `merge`: help and version
/// are printed (exit 0); a bad argument is clap's first line only (exit 2), not its usage page.
pub(crate) fn parse_args<P: Parser>(argv: Vec<std::ffi::OsString>) -> Result<P, i32> {
    P::try_parse_from(argv).map_err(|e| {
        use clap::error::ErrorKind;
        if matches!(e.kind(), ErrorKind::DisplayHelp | ErrorKind::DisplayVersion) {
            let _ = e.print();
            return 0;
        }
        let text = e.render().to_string();
        eprintln!("{}", text.lines().next().unwrap_or("error: bad arguments"));
        EXIT_ERROR
    })
}

/// The command line as the user typed it: `cargo ct-verify ...` when cargo ran the binary
/// (cargo passes `ct-verify` as the first argument), else the program as invoked.
pub(crate) fn command_line() -> Vec<String> {
    let argv: Vec<String> = std::env::args().collect();
    match argv.get(1) {
        Some(a) if a == "ct-verify" => ["cargo".to_string(), a.clone()]
            .into_iter()
            .chain(argv[2..].iter().cloned())
            .collect(),
        _ => argv,
    }
}

fn valgrind_available() -> Result<(), Fatal> {
    match std::process::Command::new("valgrind").arg("--version").output() {
        Ok(o) if o.status.success() => Ok(()),
        _ => Err(Fatal(
            "valgrind not found (the taint, count and audit engines need it): install it with `apt-get install -y valgrind`"
                .into(),
        )),
    }
}

/// The target triple when it is not the host's: the firmware path.
fn firmware_target(args: &Args) -> Option<&str> {
    let t = args.target.as_deref()?;
    (t != cargo::host_triple().unwrap_or_default()).then_some(t)
}

/// Runs the command; returns the exit status or a fatal error.
pub fn run(args: &Args) -> Result<i32, Fatal> {
    // Paths first: a typo in one fails now, not after the build and every engine.
    let baseline = args.out.check_early()?;
    check_paths(args)?;
    let firmware = firmware_target(args);
    check_search_budget(args, firmware)?;
    check_firmware_flags(args, firmware)?;
    check_profile(args)?;
    if args.list_declassify {
        return list_declassify(args);
    }
    if let (Some(b), Some(path)) = (&baseline, &args.out.baseline) {
        b.check_compiler(path, &crate::cargo::rustc_version().unwrap_or_default())?;
    }
    let engines = engines_to_run(args, baseline.is_some());
    let started = Instant::now();
    let Ran {
        mut report,
        counts,
        listed,
    } = match firmware {
        Some(t) => run_firmware(args, t, &engines)?,
        None => run_host(args, &engines)?,
    };
    note_partition(args, &report, &listed);
    if let Some(b) = &baseline {
        let selection = Selection {
            bench: args.bench.clone(),
            filter: args.filter.clone(),
            partition: args.partition,
            rerecord: crate::baseline::rerecord_command(&command_line()),
        };
        report
            .results
            .extend(args.out.compare(b, &counts, &selection));
    }
    args.out.save_baseline(&counts, None)?;
    let text = match args.partition {
        Some(p) if args.out.format == Format::Json => {
            let triple = match firmware {
                Some(t) => t.to_string(),
                None => cargo::host_triple().unwrap_or_default(),
            };
            let mut info =
                crate::merge::PartInfo::of_run(p, &triple, &engines, listed, baseline.is_some());
            info.bench = args.bench.clone();
            info.filter = args.filter.clone();
            crate::merge::part_json(&report, info, &counts)
        }
        _ => report.render_in(args.out.format, &sarif_root(args)),
    };
    args.out.write(&report, &text)?;
    eprintln!(
        "ct-verify: finished in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    Ok(report.exit_code())
}

/// `--plot` and `--manifest-path`, before the build.
fn check_paths(args: &Args) -> Result<(), Fatal> {
    if let Some(dir) = &args.plot {
        crate::writable::check_dir("--plot", dir)?;
    }
    if let Some(m) = &args.manifest_path {
        if !m.exists() {
            return Err(Fatal(format!("manifest {} does not exist", m.display())));
        }
    }
    Ok(())
}

/// `--search-budget` needs a host suite and the count engine.
fn check_search_budget(args: &Args, firmware: Option<&str>) -> Result<(), Fatal> {
    if args.search_budget <= 0.0 {
        return Ok(());
    }
    if let Some(t) = firmware {
        return Err(Fatal(format!(
            "--search-budget works on host suites only, not with --target {t}: on Cortex-M \
             every input is a QEMU run of its own (see \"Searching for secrets\" in \
             ct-verify's README); drop --search-budget or --target"
        )));
    }
    if !args.engine.0.contains(&Engine::Count) {
        return Err(Fatal(
            "--search-budget searches for secrets that change the instruction count, so it \
             needs the count engine: add `count` to --engine"
                .into(),
        ));
    }
    Ok(())
}

/// The host-only flags (`--exe`, `--list-declassify`, `--profile`) refused with `--target`.
fn check_firmware_flags(args: &Args, firmware: Option<&str>) -> Result<(), Fatal> {
    let Some(t) = firmware else {
        return Ok(());
    };
    if args.exe.is_some() || args.list_declassify {
        return Err(Fatal(format!(
            "--exe and --list-declassify do not apply to --target {t} (the suites are built as firmware)"
        )));
    }
    if args.profile.is_some() {
        return Err(Fatal(format!(
            "--profile applies to host suites; the firmware suite for {t} is built with \
             its crate's release profile (set opt-level in its [profile.release])"
        )));
    }
    Ok(())
}

/// `--profile`: refused with `--exe`, else asked of cargo before the build.
fn check_profile(args: &Args) -> Result<(), Fatal> {
    let Some(p) = &args.profile else {
        return Ok(());
    };
    if args.exe.is_some() {
        return Err(Fatal(
            "--profile chooses how cargo builds the suites; with --exe nothing is built \
             (build the executable with that profile yourself)"
                .into(),
        ));
    }
    cargo::check_profile(args.manifest_path.as_deref(), p)?;
    Ok(())
}

/// `--engine`, plus count (kept in engine order) when a baseline is compared or saved: the
/// baseline holds count's instruction numbers.
fn engines_to_run(args: &Args, has_baseline: bool) -> Vec<Engine> {
    let mut engines = args.engine.0.clone();
    if (has_baseline || args.out.save_baseline.is_some()) && !engines.contains(&Engine::Count) {
        engines.push(Engine::Count);
        engines.sort();
    }
    engines
}

/// The firmware path: the suites built for `target` and run under QEMU.
fn run_firmware(args: &Args, target: &str, engines: &[Engine]) -> Result<Ran, Fatal> {
    let mut opts = crate::embedded::EmbeddedOptions::new(target);
    opts.manifest_path = args.manifest_path.clone();
    opts.bench = args.bench.clone();
    opts.filter = args.filter.clone();
    opts.partition = args.partition;
    opts.engines = engines.to_vec();
    opts.timeout = Duration::from_secs(args.timeout.clamp(1, 600));
    let run = crate::embedded::run(&opts)?;
    Ok(Ran {
        report: Report {
            results: run.results,
        },
        counts: run.counts,
        listed: run.listed,
    })
}

/// Notes on standard error for a `--partition` run: an empty part, and a format `merge`
/// cannot read.
fn note_partition(args: &Args, report: &Report, listed: &[String]) {
    let Some(p) = args.partition else {
        return;
    };
    if report.results.is_empty() {
        eprintln!(
            "ct-verify: partition {p} holds none of the {} checks: an empty report",
            listed.len()
        );
    }
    if args.out.format != Format::Json {
        eprintln!(
            "ct-verify: note: `cargo ct-verify merge` reads the parts' --format json reports"
        );
    }
}

/// The directory SARIF's file names are relative to: the checked workspace's root (the current
/// directory when cargo cannot say, as with `--exe` outside a crate). Only asked of cargo for
/// `--format sarif`.
fn sarif_root(args: &Args) -> PathBuf {
    let cwd = std::env::current_dir().unwrap_or_default();
    if args.out.format != Format::Sarif {
        return cwd;
    }
    cargo::metadata(args.manifest_path.as_deref(), true).map_or(cwd, |m| m.workspace_root)
}

/// What a backend (host or firmware) hands to the shared run tail.
struct Ran {
    /// One row per check and engine (this part's checks only under `--partition`).
    report: Report,
    /// Instruction counts per check, for `--baseline` and `--save-baseline`.
    counts: BTreeMap<String, Entry>,
    /// Every check after `--filter` and before `--partition`, in run order: what the parts of
    /// a partitioned run must agree on.
    listed: Vec<String>,
}

/// The host path: build the bench targets, run them under valgrind (and natively for dudect).
fn run_host(args: &Args, engines: &[Engine]) -> Result<Ran, Fatal> {
    if engines.iter().any(|e| e.needs_valgrind()) {
        valgrind_available()?;
    }
    if args.plot.is_some() && !engines.contains(&Engine::Dudect) {
        eprintln!(
            "ct-verify: note: --plot draws dudect results; add dudect to --engine to get plots"
        );
    }
    let mut suites = host_suites(args)?;
    // By bench name, not in the order cargo happened to finish them: the report's order (and
    // the list of checks that the parts of a --partition run must agree on) is the same in
    // every run.
    suites.sort_by(|a, b| (&a.bench, &a.package_root).cmp(&(&b.bench, &b.package_root)));
    let scratch = ScratchDir::new("run")
        .map_err(|e| Fatal(format!("cannot create a temporary directory: {e}")))?;
    let mut host = HostRun {
        args,
        engines,
        scratch: scratch.path(),
        timeout: Duration::from_secs(args.timeout.max(1)),
        report: Report::default(),
        counts: BTreeMap::new(),
    };
    // Every check after --filter, before --partition, in run order.
    let mut listed: Vec<String> = Vec::new();
    let mut names = crate::names::Names::default();
    for suite in &suites {
        let targets = list_targets(suite, scratch.path())?;
        names.claim(
            &format!(
                "bench `{}` in {}",
                suite.bench,
                suite.package_root.display()
            ),
            &targets,
        )?;
        let targets = select(args, targets, &mut listed);
        if !targets.is_empty() {
            host.suite(suite, &targets)?;
        }
    }
    if listed.is_empty() {
        return Err(Fatal(match &args.filter {
            Some(f) => format!("no check matches --filter `{f}`"),
            None => "the suites declare no checks".into(),
        }));
    }
    Ok(Ran {
        report: host.report,
        counts: host.counts,
        listed,
    })
}

/// The checks of `targets` that `--filter` keeps, appended to `listed`, then those of them
/// in this `--partition`: the checks to run.
fn select(args: &Args, targets: Vec<String>, listed: &mut Vec<String>) -> Vec<String> {
    let targets: Vec<String> = targets
        .into_iter()
        .filter(|t| args.filter.as_deref().is_none_or(|f| t.contains(f)))
        .collect();
    listed.extend(targets.iter().cloned());
    targets
        .into_iter()
        .filter(|t| args.partition.is_none_or(|p| p.contains(t)))
        .collect()
}

/// The suite executables: `--exe`, or the bench targets cargo builds.
fn host_suites(args: &Args) -> Result<Vec<SuiteExe>, Fatal> {
    match &args.exe {
        Some(exe) => {
            if !cargo::is_suite(exe) {
                return Err(Fatal(format!(
                    "{} is not a ct-verify suite executable",
                    exe.display()
                )));
            }
            Ok(vec![SuiteExe {
                bench: exe
                    .file_stem()
                    .map(|s| s.to_string_lossy().into_owned())
                    .unwrap_or_default(),
                exe: exe.clone(),
                package_root: std::env::current_dir().unwrap_or_default(),
            }])
        }
        None => {
            let meta = cargo::metadata(args.manifest_path.as_deref(), true)?;
            eprintln!(
                "ct-verify: building bench targets into {}",
                meta.target_directory.join("ct-verify").display()
            );
            Ok(cargo::build(
                args.manifest_path.as_deref(),
                args.bench.as_deref(),
                args.profile.as_deref(),
                &meta,
            )?)
        }
    }
}

fn list_targets(suite: &SuiteExe, scratch: &Path) -> Result<Vec<String>, Fatal> {
    let launch = Launch {
        exe: &suite.exe,
        mode: "list",
        target: None,
        wrapper: Vec::new(),
        env: Vec::new(),
        inherit_stderr: false,
        timeout: Duration::from_secs(60),
        cwd: Some(&suite.package_root),
    };
    let run = process::run_suite(&launch, scratch)
        .map_err(|e| Fatal(format!("cannot run {}: {e}", suite.exe.display())))?;
    let names: Vec<String> = run
        .records
        .iter()
        .filter_map(|r| match r {
            Record::Target { name, .. } => Some(name.clone()),
            _ => None,
        })
        .collect();
    if names.is_empty() && run.status != Some(0) {
        return Err(Fatal(format!(
            "cannot list the checks of bench `{}`: {}",
            suite.bench,
            run.failure()
        )));
    }
    Ok(names)
}

/// The state of [`run_host`] across the suites: what every suite shares, and what they add to.
struct HostRun<'a> {
    args: &'a Args,
    engines: &'a [Engine],
    scratch: &'a Path,
    /// Per valgrind run.
    timeout: Duration,
    report: Report,
    counts: BTreeMap<String, Entry>,
}

impl HostRun<'_> {
    /// Runs the engines on `targets` of one suite; adds their rows (per check: taint, count,
    /// audit, dudect) to the report and their instruction counts to `counts`.
    fn suite(&mut self, suite: &SuiteExe, targets: &[String]) -> Result<(), Fatal> {
        // Rows per check, engines in order: taint, count, audit, dudect.
        let mut rows: Vec<Vec<CheckResult>> = vec![Vec::new(); targets.len()];
        if self.engines.contains(&Engine::Taint) {
            self.taint(suite, targets, &mut rows);
        }
        if self.engines.contains(&Engine::Count) || self.engines.contains(&Engine::Audit) {
            self.count_audit(suite, targets, &mut rows);
        }
        if self.engines.contains(&Engine::Dudect) {
            self.dudect(suite, targets, &mut rows)?;
        }
        self.report.results.extend(rows.into_iter().flatten());
        Ok(())
    }

    fn taint(&self, suite: &SuiteExe, targets: &[String], rows: &mut [Vec<CheckResult>]) {
        let n = targets.len();
        eprintln!(
            "ct-verify: {}: taint: {n} checks under memcheck",
            suite.bench
        );
        let cwd = Some(suite.package_root.as_path());
        let progress = Progress::new(&format!("{}: taint", suite.bench), n);
        let memcheck = taint::Memcheck {
            exe: &suite.exe,
            cwd,
            scratch: self.scratch,
            timeout: self.timeout,
        };
        let results = taint::run(&memcheck, targets, &progress);
        progress.finish();
        for (row, r) in rows.iter_mut().zip(results) {
            row.push(r);
        }
    }

    /// Count and audit share one callgrind run per check.
    fn count_audit(&mut self, suite: &SuiteExe, targets: &[String], rows: &mut [Vec<CheckResult>]) {
        let n = targets.len();
        eprintln!(
            "ct-verify: {}: count/audit: {n} checks under callgrind",
            suite.bench
        );
        let cwd = Some(suite.package_root.as_path());
        let progress = Progress::new(&format!("{}: count/audit", suite.bench), n);
        let runs = count::collect(
            &suite.exe,
            cwd,
            targets,
            self.scratch,
            self.timeout,
            self.args.search_budget,
            &progress,
        );
        progress.finish();
        let want_count = self.engines.contains(&Engine::Count);
        let want_audit = self.engines.contains(&Engine::Audit);
        for ((row, target), run) in rows.iter_mut().zip(targets).zip(runs) {
            match run {
                Ok(run) => {
                    let c = count::judge(target, count::evidence(&run));
                    self.counts.insert(
                        target.clone(),
                        Entry::from_run(&suite.bench, &run, c.verdict == Verdict::ConstantTime),
                    );
                    if want_count {
                        row.push(c);
                    }
                    if want_audit {
                        let harness = audit::x86::Harness {
                            exe: &suite.exe,
                            cwd,
                            timeout: self.timeout,
                        };
                        row.push(audit::x86::judge(target, &run, &harness));
                    }
                }
                Err(e) => {
                    let e = if e.starts_with("panicked") {
                        e
                    } else {
                        format!("callgrind: {e}")
                    };
                    if want_count {
                        row.push(CheckResult::error(target, EngineName::Count, e.clone()));
                    }
                    if want_audit {
                        row.push(CheckResult::error(target, EngineName::Audit, e));
                    }
                }
            }
        }
    }

    /// One dudect measurement per check, natively; plots into `--plot`.
    fn dudect(
        &self,
        suite: &SuiteExe,
        targets: &[String],
        rows: &mut [Vec<CheckResult>],
    ) -> Result<(), Fatal> {
        let (n, budget) = (targets.len(), self.args.dudect_budget);
        let cwd = Some(suite.package_root.as_path());
        for (i, (row, target)) in rows.iter_mut().zip(targets).enumerate() {
            eprintln!(
                "ct-verify: {}: dudect: [{}/{n}] {target} ({} s)",
                suite.bench,
                i + 1,
                budget
            );
            let (result, record) = dudect::run(&suite.exe, cwd, target, self.scratch, budget);
            if let (Some(dir), Some(record)) = (&self.args.plot, record) {
                let files = crate::plot::write(dir, &record)?;
                for f in files {
                    eprintln!("ct-verify: wrote {}", f.display());
                }
            }
            row.push(result);
        }
        Ok(())
    }
}

fn list_declassify(args: &Args) -> Result<i32, Fatal> {
    let meta = cargo::metadata(args.manifest_path.as_deref(), false)?;
    let packages = cargo::declassify_packages(&meta);
    let (sites, warnings) = crate::declassify::scan_packages(&packages);
    for w in &warnings {
        eprintln!("warning: {w}");
    }
    let root = &meta.workspace_root;
    let rel = |p: &Path| p.strip_prefix(root).unwrap_or(p).display().to_string();
    let text = match args.out.format {
        Format::Json => {
            let list: Vec<_> = sites
                .iter()
                .map(|s| {
                    serde_json::json!({"package": s.package, "file": rel(&s.file), "line": s.line, "function": s.function})
                })
                .collect();
            serde_json::to_string_pretty(&serde_json::json!({
                "tool": "ct-verify",
                "version": env!("CARGO_PKG_VERSION"),
                "declassify": list,
            }))
            .unwrap_or_default()
                + "\n"
        }
        _ => {
            let mut out = String::new();
            for s in &sites {
                out += &format!(
                    "{}:{}  {}  ({})\n",
                    rel(&s.file),
                    s.line,
                    s.function,
                    s.package
                );
            }
            out += &format!(
                "ct-verify: {} declassify call sites in {} packages\n",
                sites.len(),
                packages.len()
            );
            out
        }
    };
    match &args.out.output {
        Some(p) => std::fs::write(p, text)
            .map_err(|e| Fatal(format!("cannot write {}: {e}", p.display())))?,
        None => print!("{text}"),
    }
    Ok(0)
}
