//! The count engine: callgrind counts the instructions each secret input executes inside the
//! check. Constant-time code executes the same instructions, the same number of times, for every
//! secret input: the total (Ir) and the per-instruction profile must be identical.
//!
//! Only Ir is compared: cache-simulation and "estimated cycles" figures drift between identical
//! runs. Calls are compared only with others made with the same public input.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::Path;
use std::time::Duration;

use crate::elf::Frame;
use crate::engine::callgrind::{self, Dump, InstrKey};
use crate::engine::{CheckResult, EngineName, Verdict};
use crate::location::{LeakSite, SourceLocation};
use crate::process::{self, Launch};
use crate::progress::Progress;
use crate::protocol::{self, Record, SearchRecord};

/// The dumps of one callgrind run of a check, one per (public input, secret input).
#[derive(Clone, Debug, Default)]
pub struct CountRun {
    /// (public index, input label, dump), in call order.
    pub calls: Vec<(usize, String, Dump)>,
    /// Calls that panicked: (`public|input`, message). Their dumps are not compared.
    pub panicked: Vec<(String, String)>,
    /// What `--search-budget` did, per public input (empty without it); the secrets it kept
    /// are among `calls`, labelled `search#K`.
    pub searched: Vec<SearchRecord>,
}

/// Runs the checks `targets` under callgrind, all in one process, and returns one run per check
/// (`Err` carries the message of an `error` result). A check the process did not reach (a
/// crash) is run again on its own. `timeout` is per check; `progress` shows the checks done.
/// `search` is `--search-budget` in seconds per check (0: no search; see [`crate::search`]).
pub fn collect(
    exe: &Path,
    cwd: Option<&Path>,
    targets: &[String],
    scratch: &Path,
    timeout: Duration,
    search: f64,
    progress: &Progress,
) -> Vec<Result<CountRun, String>> {
    let timeout = timeout + Duration::from_secs_f64(search);
    let batch = collect_once(exe, cwd, targets, scratch, timeout, search, &mut |n| {
        progress.set(n)
    });
    // Checks the batch finished; the ones it did not reach are run (and counted) one by one.
    let mut done = batch
        .as_ref()
        .map_or(0, |runs| runs.iter().flatten().count());
    progress.set(done);
    let mut out = Vec::new();
    for (i, target) in targets.iter().enumerate() {
        let finished = match &batch {
            Ok(runs) => runs.get(i).cloned().flatten(),
            Err(e) if targets.len() == 1 => Some(Err(e.clone())),
            Err(_) => None,
        };
        let retried = finished.is_none();
        out.push(match finished {
            Some(r) => r,
            None => {
                let one = std::slice::from_ref(target);
                match collect_once(exe, cwd, one, scratch, timeout, search, &mut |_| {}) {
                    Ok(mut v) => v.pop().flatten().unwrap_or_else(|| Err("no result".into())),
                    Err(e) => Err(e),
                }
            }
        });
        if retried {
            done += 1;
            progress.set(done);
        }
    }
    out
}

/// One callgrind process over `targets`: `None` for a check that needs a run of its own.
/// `finished(n)`: n checks done so far.
#[allow(clippy::type_complexity)]
fn collect_once(
    exe: &Path,
    cwd: Option<&Path>,
    targets: &[String],
    scratch: &Path,
    timeout: Duration,
    search: f64,
    finished: &mut dyn FnMut(usize),
) -> Result<Vec<Option<Result<CountRun, String>>>, String> {
    let dir = scratch.join("callgrind");
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).map_err(|e| format!("cannot create {}: {e}", dir.display()))?;
    let base = dir.join("cg.out");
    let names = targets.join("\n");
    let launch = Launch {
        exe,
        mode: "count",
        target: Some(&names),
        wrapper: vec![
            "valgrind".into(),
            "--tool=callgrind".into(),
            "--collect-atstart=no".into(),
            "--dump-instr=yes".into(),
            "--dump-line=yes".into(),
            "--compress-strings=yes".into(),
            format!("--callgrind-out-file={}", base.display()),
        ],
        env: if search > 0.0 {
            vec![
                (protocol::SEARCH_BUDGET.into(), search.to_string()),
                (protocol::CALLGRIND_OUT.into(), base.display().to_string()),
            ]
        } else {
            Vec::new()
        },
        inherit_stderr: false,
        timeout: timeout * targets.len().max(1) as u32,
        cwd,
    };
    let run = process::run_suite_watched(&launch, scratch, finished)
        .map_err(|e| format!("cannot start valgrind: {e}"))?;
    let runs = read_dumps(&dir, targets.len())?;
    let single = targets.len() == 1;
    Ok(targets
        .iter()
        .zip(runs)
        .map(|(target, r)| outcome(&run, target, r, single))
        .collect())
}

/// The callgrind dumps in `dir` (in dump order), as the calls of `n` checks: each dump is
/// labelled `DUMP_PREFIX index|public|label`; others are skipped.
fn read_dumps(dir: &Path, n: usize) -> Result<Vec<CountRun>, String> {
    let mut files: Vec<(u64, std::path::PathBuf)> = std::fs::read_dir(dir)
        .map_err(|e| e.to_string())?
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            let p = e.path();
            let n = p.extension()?.to_str()?.parse().ok()?;
            Some((n, p))
        })
        .collect();
    files.sort();
    let mut runs: Vec<CountRun> = (0..n).map(|_| CountRun::default()).collect();
    for (_, path) in files {
        let text =
            std::fs::read_to_string(&path).map_err(|e| format!("{}: {e}", path.display()))?;
        let dump = callgrind::parse(&text).map_err(|e| format!("{}: {e}", path.display()))?;
        let Some(rest) = dump.label.strip_prefix(protocol::DUMP_PREFIX) else {
            continue;
        };
        let mut parts = rest.splitn(3, '|');
        let (Some(index), Some(public), Some(label)) = (parts.next(), parts.next(), parts.next())
        else {
            continue;
        };
        let (Ok(index), Ok(public)) = (index.parse::<usize>(), public.parse::<usize>()) else {
            continue;
        };
        let label = label.to_string();
        if let Some(r) = runs.get_mut(index) {
            r.calls.push((public, label, dump));
        }
    }
    Ok(runs)
}

/// What the suite's records say of `target`, with its dumps `r`: `None` (it needs a run of its
/// own) when the process stopped before it and ran several checks.
fn outcome(
    run: &process::SuiteRun,
    target: &str,
    r: CountRun,
    single: bool,
) -> Option<Result<CountRun, String>> {
    match process::outcome(run, target) {
        Some(Record::Done { .. }) if r.calls.is_empty() => {
            Some(Err("callgrind produced no dumps for the check".to_string()))
        }
        Some(Record::Done { panicked, .. }) => Some(Ok(CountRun {
            panicked: panicked.clone(),
            searched: run
                .records
                .iter()
                .filter_map(|rec| match rec {
                    Record::Searched(s) if s.target == target => Some(s.clone()),
                    _ => None,
                })
                .collect(),
            ..r
        })),
        Some(Record::Panic { message, .. }) => Some(Err(format!("panicked: {message}"))),
        _ if single => Some(Err(run.failure())),
        _ => None,
    }
}

/// One call of a check: a secret input with a public input, and what it executed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Call {
    /// The public input's index.
    pub public: usize,
    /// The secret input's label (`zeros`, `ones`, `fixed#I`, `random#I`).
    pub label: String,
    /// Instructions executed inside the check: callgrind's Ir on the host, the trace's count
    /// between the markers on Cortex-M.
    pub instructions: u64,
    /// The call panicked (host): its count is listed but not compared.
    pub panicked: bool,
}

/// The first instruction whose execution count differs between two calls with the same public
/// input (callgrind's per-instruction profile).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ProfileDifference {
    /// The public input both calls share.
    pub public: usize,
    /// The reference call's label and the other call's.
    pub inputs: [String; 2],
    /// The two calls' total instructions.
    pub instructions: [u64; 2],
    /// The object file of the instruction.
    pub object: String,
    /// Its object-relative address.
    pub address: u64,
    /// `file:line`.
    pub location: String,
    /// The function holding it.
    pub function: String,
    /// How often each call executed it.
    pub counts: [u64; 2],
    /// The first function and `file:line` of the user's code whose instructions differ
    /// between the two calls (`Differing::user_location`).
    pub user: Option<SourceLocation>,
}

/// One SysTick run of an input on the device: ticks, and the instructions they stand for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SysTick {
    /// The public input's index.
    pub public: usize,
    /// The secret input's label.
    pub label: String,
    /// `(ticks, instructions)`, or why the run gave no reading.
    pub reading: Result<(u64, u64), String>,
}

/// Where the counts come from, with what only that source has.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Source {
    /// Callgrind on the host.
    Callgrind {
        /// Per public input, the first profile difference of each call against the first
        /// call (at most five kept; empty iff every profile is identical).
        differences: Vec<ProfileDifference>,
        /// Calls that panicked: (`public|label`, message).
        panicked: Vec<(String, String)>,
        /// What `--search-budget` did, per public input (empty without it).
        search: Vec<SearchRecord>,
    },
    /// The QEMU trace, and independently SysTick on the device under `-icount`.
    Trace {
        /// One SysTick run per input.
        systick: Vec<SysTick>,
        /// The SysTick clock of the board.
        clock_hz: u64,
        /// QEMU's `-icount` setting that makes SysTick count instructions.
        icount: &'static str,
        /// Where the traces of two inputs first part, in the user's code (the PC of the first
        /// differing event, through the firmware's inline chain).
        located: Option<LeakSite>,
    },
}

/// What the count engine saw of one check (on the device: of one public input's calls).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Evidence {
    /// Every call, in call order.
    pub calls: Vec<Call>,
    /// Host or device.
    pub source: Source,
}

impl Evidence {
    /// Where the leak is in the user's code, with the two inputs that show it: on the host,
    /// the first kept profile difference that reaches the user's code; on the device, where
    /// the traces part.
    pub fn site(&self) -> Option<LeakSite> {
        match &self.source {
            Source::Callgrind { differences, .. } => differences.iter().find_map(|d| {
                Some(LeakSite {
                    public: d.public,
                    inputs: d.inputs.clone(),
                    at: d.user.clone()?,
                })
            }),
            Source::Trace { located, .. } => located.clone(),
        }
    }
}

/// ` at FUNCTION (FILE:LINE) for INPUT vs INPUT`: the leak's place in the user's code on the
/// report's row, or nothing when it is unknown.
fn at_site(site: Option<&LeakSite>) -> String {
    site.map_or_else(String::new, |s| {
        format!(
            " at {} ({}:{}) for {} vs {}",
            s.at.function,
            super::taint::short_path(&s.at.file),
            s.at.line,
            s.inputs[0],
            s.inputs[1]
        )
    })
}

/// Callgrind's evidence of a [`CountRun`]: each call's Ir and, per public input, the first
/// per-instruction difference of every call against the first (panicked calls left out), with
/// the place in the user's code where the two calls' instructions differ.
pub fn evidence(run: &CountRun) -> Evidence {
    let panicked = |c: &(usize, String, Dump)| {
        run.panicked
            .iter()
            .any(|p| p.0 == format!("{}|{}", c.0, c.1))
    };
    let mut by_public: BTreeMap<usize, Vec<&(usize, String, Dump)>> = BTreeMap::new();
    let mut calls = Vec::new();
    for call in &run.calls {
        let p = panicked(call);
        if !p {
            by_public.entry(call.0).or_default().push(call);
        }
        calls.push(Call {
            public: call.0,
            label: call.1.clone(),
            instructions: call.2.total_ir,
            panicked: p,
        });
    }
    let mut pairs = Vec::new();
    for (public, calls) in &by_public {
        let first = calls[0];
        for other in &calls[1..] {
            if pairs.len() == 5 {
                break;
            }
            if let Some(d) = first_difference(&first.2, &other.2) {
                pairs.push((*public, first, *other, d));
            }
        }
    }
    // One addr2line run per object file for the differing instructions of every kept pair.
    let differing: Vec<Differing> = pairs
        .iter()
        .map(|(_, a, b, _)| Differing::of(&a.2, &b.2))
        .collect();
    let chains = inline_chains(differing.iter().flat_map(Differing::keys));
    let differences = pairs
        .into_iter()
        .zip(&differing)
        .map(|((public, first, other, d), diff)| ProfileDifference {
            public,
            inputs: [first.1.clone(), other.1.clone()],
            instructions: [first.2.total_ir, other.2.total_ir],
            object: d.0.object.clone(),
            address: d.0.addr,
            location: d.1,
            function: d.2,
            counts: [d.3, d.4],
            user: diff.user_location(&chains),
        })
        .collect();
    Evidence {
        calls,
        source: Source::Callgrind {
            differences,
            panicked: run.panicked.clone(),
            search: run.searched.clone(),
        },
    }
}

/// At most this many differing instructions of one pair are looked up in the debug info (the
/// lowest addresses): enough to find the user's code, bounded for code that differs everywhere.
const MAX_LOOKUPS: usize = 4096;

/// What differs between two calls' profiles, in the executable's own code (a difference inside
/// a shared library shows at the call instruction that called into it).
struct Differing<'a> {
    /// Instructions whose self count differs, in functions entered as often by both calls
    /// (the secret changed the path inside them), by address.
    inside: Vec<&'a InstrKey>,
    /// Instructions whose self count differs, in functions one call entered more often (a
    /// consequence of a difference in a caller), by address.
    entered: Vec<&'a InstrKey>,
    /// Call instructions whose calls' inclusive count differs, by address.
    calls: Vec<&'a InstrKey>,
}

impl<'a> Differing<'a> {
    fn of(a: &'a Dump, b: &'a Dump) -> Self {
        fn differ<'a>(
            x: &'a BTreeMap<InstrKey, u64>,
            y: &'a BTreeMap<InstrKey, u64>,
        ) -> Vec<&'a InstrKey> {
            let keys: BTreeSet<&InstrKey> = x.keys().chain(y.keys()).collect();
            keys.into_iter()
                .filter(|k| !callgrind::is_shared_library(&k.object) && x.get(*k) != y.get(*k))
                .take(MAX_LOOKUPS)
                .collect()
        }
        let keys: BTreeSet<&InstrKey> = a.instrs.keys().chain(b.instrs.keys()).collect();
        let ir = |d: &Dump, k: &InstrKey| d.instrs.get(k).map_or(0, |c| c.ir);
        let function = |k: &InstrKey| {
            a.instrs
                .get(k)
                .or(b.instrs.get(k))
                .map_or("", |c| c.function.as_str())
        };
        // A function's entry: its lowest executed address (the entry block comes first).
        let mut entry: BTreeMap<(&str, &str), &InstrKey> = BTreeMap::new();
        for k in &keys {
            entry.entry((k.object.as_str(), function(k))).or_insert(k);
        }
        let entered_equally = |k: &InstrKey| {
            let e = entry[&(k.object.as_str(), function(k))];
            ir(a, e) == ir(b, e)
        };
        let (inside, entered) = keys
            .into_iter()
            .filter(|k| !callgrind::is_shared_library(&k.object) && ir(a, k) != ir(b, k))
            .take(MAX_LOOKUPS)
            .partition(|k| entered_equally(k));
        Differing {
            inside,
            entered,
            calls: differ(&a.calls, &b.calls),
        }
    }

    fn keys(&self) -> impl Iterator<Item = &'a InstrKey> + '_ {
        self.inside
            .iter()
            .chain(&self.entered)
            .chain(&self.calls)
            .copied()
    }

    /// The first function of the user's code whose instructions differ, at the lowest
    /// differing line in it: among the differing instructions (by address) whose inline chain
    /// reaches the user's code ([`crate::location::user_frame`]), the first one's function.
    /// Instructions executed a different number of times come first, those in functions both
    /// calls entered equally often before those in functions entered more often by one (a loop
    /// in a caller that calls them); only when none is in the user's code (the difference is
    /// inside a library function it called) the call instructions whose calls cost a different
    /// number of instructions. `None` without addr2line, debug info, or any frame in the user's
    /// code.
    fn user_location(&self, chains: &HashMap<&InstrKey, Vec<Frame>>) -> Option<SourceLocation> {
        [&self.inside, &self.entered, &self.calls]
            .into_iter()
            .find_map(|keys| {
                let found: Vec<SourceLocation> = keys
                    .iter()
                    .filter_map(|k| crate::location::user_frame(chains.get(k)?))
                    .collect();
                let first = found.first()?;
                found
                    .iter()
                    .filter(|l| l.file == first.file && l.function == first.function)
                    .min_by_key(|l| l.line)
                    .cloned()
            })
    }
}

/// The inline chains of `keys` (innermost first), one addr2line run per object file; keys
/// addr2line could not resolve are absent.
fn inline_chains<'a>(
    keys: impl Iterator<Item = &'a InstrKey>,
) -> HashMap<&'a InstrKey, Vec<Frame>> {
    let mut by_object: BTreeMap<&str, BTreeSet<&'a InstrKey>> = BTreeMap::new();
    for k in keys {
        by_object.entry(k.object.as_str()).or_default().insert(k);
    }
    let mut out = HashMap::new();
    for (object, keys) in by_object {
        let addrs: Vec<u64> = keys.iter().map(|k| k.addr).collect();
        if let Some(chains) = crate::elf::frames_with_lines(Path::new(object), &addrs) {
            out.extend(keys.into_iter().zip(chains));
        }
    }
    out
}

/// The count verdict, the same for both backends: constant-time iff, per public input, every
/// call that did not panic executed the same number of instructions ([`differing_counts`]), and
/// so did every SysTick reading (device) and every per-instruction profile (host). Any panic
/// makes it a leak (panicking for some secrets only is secret-dependent control flow); a
/// SysTick run that gave no reading makes it an error.
pub fn judge(target: &str, evidence: Evidence) -> CheckResult {
    let (verdict, summary) = match &evidence.source {
        Source::Callgrind {
            differences,
            panicked,
            search,
        } => judge_host(&evidence, differences, panicked, search),
        Source::Trace { systick, .. } => judge_device(&evidence, systick),
    };
    CheckResult {
        target: target.to_string(),
        engine: EngineName::Count,
        verdict,
        evidence: crate::engine::Evidence::Count(evidence),
        summary,
    }
}

/// The calls that did not panic, as [`differing_counts`] takes them.
fn compared_calls(evidence: &Evidence) -> Vec<(usize, &str, u64)> {
    evidence
        .calls
        .iter()
        .filter(|c| !c.panicked)
        .map(|c| (c.public, c.label.as_str(), c.instructions))
        .collect()
}

/// [`judge`] on the host; the first of these decides: a panic, a secret the search found,
/// differing Ir, a differing instruction profile.
fn judge_host(
    evidence: &Evidence,
    differences: &[ProfileDifference],
    panicked: &[(String, String)],
    search: &[SearchRecord],
) -> (Verdict, String) {
    let compared = compared_calls(evidence);
    let max = evidence
        .calls
        .iter()
        .map(|c| c.instructions)
        .max()
        .unwrap_or(0);
    let site = evidence.site();
    let at = at_site(site.as_ref());
    if let Some((input, message)) = panicked.first() {
        (
            Verdict::Leak,
            format!("panics for some secret inputs only: {input} ({message})"),
        )
    } else if let Some(found) = found_by_search(&compared, search) {
        (Verdict::Leak, found)
    } else if differing_counts(&compared).is_some() {
        let detail: Vec<String> = evidence
            .calls
            .iter()
            .filter(|c| c.public == 0)
            .take(4)
            .map(|c| format!("{}={}", c.label, c.instructions))
            .collect();
        (
            Verdict::Leak,
            format!("Ir differs between secret inputs: {}{at}", detail.join(" ")),
        )
    } else if let Some(d) = differences.first() {
        let at = if site.is_some() {
            at
        } else {
            format!(", first at {}", super::taint::short_path(&d.location))
        };
        (
            Verdict::Leak,
            format!("same Ir ({max}) but different instruction profile{at}"),
        )
    } else {
        (
            Verdict::ConstantTime,
            format!(
                "Ir {max} for every one of {} inputs{}",
                evidence.calls.len(),
                searched(search)
            ),
        )
    }
}

/// What a constant-time host verdict says of the search: nothing without one, else how many
/// candidates it ran, or why it was skipped (a search asked for but not run must say so: its
/// silence would read as a search that found nothing).
fn searched(search: &[SearchRecord]) -> String {
    let candidates: u64 = search.iter().map(|s| s.candidates).sum();
    let skipped = search.iter().find(|s| !s.skipped.is_empty());
    match skipped {
        _ if search.is_empty() => String::new(),
        Some(s) => format!(
            " (search skipped for public input {}: {}; {candidates} candidates run)",
            s.public, s.skipped
        ),
        None => format!(" (and {candidates} candidates of the search)"),
    }
}

/// [`judge`] on the device: a SysTick run without a reading is an error; else the trace's
/// counts and the SysTick readings must each be constant per public input.
fn judge_device(evidence: &Evidence, systick: &[SysTick]) -> (Verdict, String) {
    let counts_differ = differing_counts(&compared_calls(evidence)).is_some();
    let at = at_site(evidence.site().as_ref());
    let errors: Vec<String> = systick
        .iter()
        .filter_map(|s| {
            s.reading
                .as_ref()
                .err()
                .map(|e| format!("{}: {e}", s.label))
        })
        .collect();
    let ticked: Vec<(usize, &str, u64)> = systick
        .iter()
        .filter_map(|s| {
            let (_, insns) = s.reading.as_ref().ok()?;
            Some((s.public, s.label.as_str(), *insns))
        })
        .collect();
    let device = ticked.iter().map(|t| t.2);
    let (dmin, dmax) = (device.clone().min().unwrap_or(0), device.max().unwrap_or(0));
    if !errors.is_empty() {
        (
            Verdict::Error,
            format!("SysTick run failed: {}", errors.join("; ")),
        )
    } else if counts_differ || differing_counts(&ticked).is_some() {
        let list = evidence
            .calls
            .iter()
            .map(|c| format!("{} {}", c.label, c.instructions))
            .collect::<Vec<_>>()
            .join(", ");
        (
            Verdict::Leak,
            format!("instruction counts differ: {list} (SysTick {dmin}..{dmax}){at}"),
        )
    } else {
        let min = evidence.calls.iter().map(|c| c.instructions).min();
        (
            Verdict::ConstantTime,
            format!(
                "{} instructions for every input (SysTick: {dmin} incl. the markers)",
                min.unwrap_or(0)
            ),
        )
    }
}

/// The count verdict's core, the same for both backends (callgrind's Ir on the host, the
/// trace's and SysTick's instruction counts on Cortex-M): among calls `(public input, secret
/// input label, instructions)`, the first whose count differs from the first call with the
/// same public input, as `[reference, other]`. `None`: constant per public input (counts may
/// differ between public inputs).
pub fn differing_counts<'a>(calls: &[(usize, &'a str, u64)]) -> Option<[(usize, &'a str, u64); 2]> {
    let mut reference: BTreeMap<usize, (usize, &'a str, u64)> = BTreeMap::new();
    for &call in calls {
        let first = *reference.entry(call.0).or_insert(call);
        if first.2 != call.2 {
            return Some([first, call]);
        }
    }
    None
}

/// The summary of a count leak that only a secret found by the search shows: the generic input
/// and the found one whose counts differ, with the found secret (its first 16 bytes).
fn found_by_search(compared: &[(usize, &str, u64)], search: &[SearchRecord]) -> Option<String> {
    let generic: Vec<(usize, &str, u64)> = compared
        .iter()
        .copied()
        .filter(|c| !c.1.starts_with("search#"))
        .collect();
    if differing_counts(&generic).is_some() {
        return None;
    }
    let [reference, other] = differing_counts(compared)?;
    let record = search.iter().find(|s| s.public == other.0)?;
    let found = record.found.iter().find(|f| f.label == other.1)?;
    let shown = found.secret.get(..32).unwrap_or(&found.secret);
    let more = if shown.len() < found.secret.len() {
        ".."
    } else {
        ""
    };
    Some(format!(
        "Ir differs between secret inputs: {}={} {}={}, {} found by search ({} candidates, {:.1} s): secret {shown}{more}",
        reference.1,
        reference.2,
        other.1,
        other.2,
        other.1,
        record.candidates,
        record.millis as f64 / 1000.0
    ))
}

/// The first instruction (by address) whose count differs: key, location, function, counts.
fn first_difference<'a>(
    a: &'a Dump,
    b: &'a Dump,
) -> Option<(&'a InstrKey, String, String, u64, u64)> {
    let keys: BTreeSet<&InstrKey> = a.instrs.keys().chain(b.instrs.keys()).collect();
    for k in keys {
        let ca = a.instrs.get(k);
        let cb = b.instrs.get(k);
        let (na, nb) = (ca.map_or(0, |c| c.ir), cb.map_or(0, |c| c.ir));
        if na != nb {
            let info = ca.or(cb).cloned().unwrap_or_default();
            return Some((k, info.location(), info.function, na, nb));
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_are_compared_within_a_public_input_only() {
        assert_eq!(differing_counts(&[]), None);
        assert_eq!(differing_counts(&[(0, "zeros", 7)]), None);
        assert_eq!(
            differing_counts(&[(0, "zeros", 7), (0, "ones", 7), (0, "random#0", 7)]),
            None
        );
        // Public input 1 costs more, consistently: not a leak.
        assert_eq!(
            differing_counts(&[
                (0, "zeros", 7),
                (1, "zeros", 9),
                (0, "ones", 7),
                (1, "ones", 9)
            ]),
            None
        );
        // The first differing call, against the first call with its public input.
        assert_eq!(
            differing_counts(&[
                (0, "zeros", 7),
                (1, "zeros", 9),
                (0, "ones", 7),
                (1, "ones", 10),
                (0, "fixed#0", 8),
            ]),
            Some([(1, "zeros", 9), (1, "ones", 10)])
        );
        // A difference of one instruction counts.
        assert_eq!(
            differing_counts(&[(0, "zeros", u64::MAX), (0, "ones", u64::MAX - 1)]),
            Some([(0, "zeros", u64::MAX), (0, "ones", u64::MAX - 1)])
        );
    }

    fn calls(counts: &[(usize, &str, u64)]) -> Vec<Call> {
        counts
            .iter()
            .map(|&(public, label, instructions)| Call {
                public,
                label: label.to_string(),
                instructions,
                panicked: false,
            })
            .collect()
    }

    fn host(counts: &[(usize, &str, u64)]) -> Evidence {
        Evidence {
            calls: calls(counts),
            source: Source::Callgrind {
                differences: Vec::new(),
                panicked: Vec::new(),
                search: Vec::new(),
            },
        }
    }

    /// Device evidence whose SysTick readings equal the trace's counts unless `ticks` says.
    fn device(counts: &[(usize, &str, u64)], ticks: Option<Vec<Result<u64, String>>>) -> Evidence {
        let ticks = ticks.unwrap_or_else(|| counts.iter().map(|c| Ok(c.2)).collect());
        Evidence {
            calls: calls(counts),
            source: Source::Trace {
                systick: counts
                    .iter()
                    .zip(ticks)
                    .map(|(c, t)| SysTick {
                        public: c.0,
                        label: c.1.to_string(),
                        reading: t.map(|t| (t * 16, t)),
                    })
                    .collect(),
                clock_hz: 16_000_000,
                icount: "shift=10,align=off,sleep=off",
                located: None,
            },
        }
    }

    fn verdicts(counts: &[(usize, &str, u64)]) -> [Verdict; 2] {
        [
            judge("c", host(counts)).verdict,
            judge("c", device(counts, None)).verdict,
        ]
    }

    #[test]
    fn one_judge_for_host_and_device_counts() {
        let ct = [Verdict::ConstantTime; 2];
        let leak = [Verdict::Leak; 2];
        // One input: nothing to compare with.
        assert_eq!(verdicts(&[(0, "zeros", 40)]), ct);
        // All equal.
        assert_eq!(
            verdicts(&[(0, "zeros", 40), (0, "ones", 40), (0, "random#0", 40)]),
            ct
        );
        // Differs only across public inputs: the public input may decide the cost.
        assert_eq!(
            verdicts(&[
                (0, "zeros", 40),
                (1, "zeros", 70),
                (0, "ones", 40),
                (1, "ones", 70)
            ]),
            ct
        );
        // Differs within one public input: a leak, by one instruction too.
        assert_eq!(
            verdicts(&[
                (0, "zeros", 40),
                (1, "zeros", 70),
                (0, "ones", 40),
                (1, "ones", 71)
            ]),
            leak
        );
        let r = judge("c", host(&[(0, "zeros", 40), (0, "ones", 41)]));
        assert_eq!(r.engine, EngineName::Count);
        assert_eq!(
            r.summary,
            "Ir differs between secret inputs: zeros=40 ones=41"
        );
        let r = judge("c", device(&[(0, "zeros", 40), (0, "ones", 41)], None));
        assert_eq!(
            r.summary,
            "instruction counts differ: zeros 40, ones 41 (SysTick 40..41)"
        );
    }

    #[test]
    fn host_profile_and_panics() {
        // Same Ir, different profile: a leak named at the first differing line.
        let mut e = host(&[(0, "zeros", 40), (0, "ones", 40)]);
        let difference = ProfileDifference {
            public: 0,
            inputs: ["zeros".into(), "ones".into()],
            instructions: [40, 40],
            object: "bench".into(),
            address: 0x1234,
            location: "src/lib.rs:7".into(),
            function: "f".into(),
            counts: [1, 2],
            user: None,
        };
        e.source = Source::Callgrind {
            differences: vec![difference],
            panicked: Vec::new(),
            search: Vec::new(),
        };
        let r = judge("c", e);
        assert_eq!(r.verdict, Verdict::Leak);
        assert!(r
            .summary
            .contains("different instruction profile, first at src/lib.rs:7"));
        // A panicking call is not compared, but panicking for some secrets only leaks.
        let mut e = host(&[(0, "zeros", 40), (0, "ones", 9)]);
        e.calls[1].panicked = true;
        e.source = Source::Callgrind {
            differences: Vec::new(),
            panicked: vec![("0|ones".into(), "boom".into())],
            search: Vec::new(),
        };
        let r = judge("c", e);
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "panics for some secret inputs only: 0|ones (boom)"
        );
        // Without the panic message the remaining calls are equal: constant-time.
        let mut e = host(&[(0, "zeros", 40), (0, "ones", 9)]);
        e.calls[1].panicked = true;
        assert_eq!(judge("c", e).verdict, Verdict::ConstantTime);
    }

    fn dump(executed: &[(u64, u64)], calls: &[(u64, u64)]) -> Dump {
        let executed: Vec<(u64, u64, &str)> = executed.iter().map(|&(a, n)| (a, n, "")).collect();
        dump_in(&executed, calls)
    }

    /// A dump whose instructions are `(address, count, callgrind's function)`.
    fn dump_in(executed: &[(u64, u64, &str)], calls: &[(u64, u64)]) -> Dump {
        let key = |addr| InstrKey {
            object: "/w/target/bench".into(),
            addr,
        };
        Dump {
            instrs: executed
                .iter()
                .map(|&(a, ir, function)| {
                    let cost = callgrind::InstrCost {
                        ir,
                        function: function.into(),
                        ..Default::default()
                    };
                    (key(a), cost)
                })
                .collect(),
            calls: calls.iter().map(|&(a, ir)| (key(a), ir)).collect(),
            ..Dump::default()
        }
    }

    fn frames(list: &[(&str, &str)]) -> Vec<Frame> {
        list.iter()
            .map(|(f, l)| (f.to_string(), l.to_string()))
            .collect()
    }

    #[test]
    fn the_users_line_past_inlined_library_frames_then_at_the_caller() {
        let lib = ("secret_core::ops::eq", "/w/secret-core/src/ops.rs:5");
        // Executed a different number of times: 0x20 (secret-core's compare inlined at the
        // user's line 12) and 0x40 (line 10 of the same function); 0x30 (line 3, another user
        // function) and 0x10 the same; a shared library's difference is left to its caller.
        let a = dump(&[(0x10, 1), (0x20, 5), (0x30, 1)], &[(0x50, 100)]);
        let mut b = dump(
            &[(0x10, 1), (0x20, 9), (0x30, 1), (0x40, 1)],
            &[(0x50, 100)],
        );
        b.instrs.insert(
            InstrKey {
                object: "/lib/x86_64-linux-gnu/libc.so.6".into(),
                addr: 0x8,
            },
            Default::default(),
        );
        let d = Differing::of(&a, &b);
        let addrs: Vec<u64> = d.keys().map(|k| k.addr).collect();
        assert_eq!(addrs, [0x20, 0x40]);
        let keys: Vec<&InstrKey> = b.instrs.keys().collect();
        let k = |addr: u64| *keys.iter().find(|k| k.addr == addr).unwrap();
        let mut chains: HashMap<&InstrKey, Vec<Frame>> = HashMap::new();
        chains.insert(k(0x20), frames(&[lib, ("my::f", "/w/my/src/lib.rs:12")]));
        chains.insert(k(0x40), frames(&[("my::f", "/w/my/src/lib.rs:10")]));
        chains.insert(k(0x30), frames(&[("my::g", "/w/my/src/lib.rs:3")]));
        let at = d.user_location(&chains).unwrap();
        assert_eq!((at.function.as_str(), at.line), ("my::f", 10));
        // Only library frames differ in count: the call into the library from the user's
        // code, whose inclusive count differs, names the place.
        let a = dump(&[(0x20, 5)], &[(0x50, 100), (0x60, 7)]);
        let b = dump(&[(0x20, 9)], &[(0x50, 140), (0x60, 7)]);
        let d = Differing::of(&a, &b);
        let call = b.calls.keys().find(|k| k.addr == 0x50).unwrap();
        let inner = b.instrs.keys().next().unwrap();
        let mut chains: HashMap<&InstrKey, Vec<Frame>> = HashMap::new();
        chains.insert(inner, frames(&[lib]));
        chains.insert(call, frames(&[("my::h", "/w/my/src/lib.rs:30")]));
        let at = d.user_location(&chains).unwrap();
        assert_eq!((at.function.as_str(), at.line), ("my::h", 30));
        // `g` (0x100..) is called once per iteration of `f`'s early-exit loop (0x200..): both
        // differ, but `f` was entered as often by both calls: the loop in `f` is the place.
        let a = dump_in(
            &[
                (0x100, 1, "g"),
                (0x104, 1, "g"),
                (0x200, 1, "f"),
                (0x204, 1, "f"),
            ],
            &[],
        );
        let b = dump_in(
            &[
                (0x100, 32, "g"),
                (0x104, 32, "g"),
                (0x200, 1, "f"),
                (0x204, 32, "f"),
            ],
            &[],
        );
        let d = Differing::of(&a, &b);
        let key = |addr: u64| b.instrs.keys().find(|k| k.addr == addr).unwrap();
        let mut loops: HashMap<&InstrKey, Vec<Frame>> = HashMap::new();
        loops.insert(key(0x100), frames(&[("my::g", "/w/my/src/lib.rs:2")]));
        loops.insert(key(0x104), frames(&[("my::g", "/w/my/src/lib.rs:3")]));
        loops.insert(key(0x204), frames(&[("my::f", "/w/my/src/lib.rs:9")]));
        let at = d.user_location(&loops).unwrap();
        assert_eq!((at.function.as_str(), at.line), ("my::f", 9));
        // Without `f`'s line, `g` is still better than nothing.
        loops.remove(key(0x204));
        assert_eq!(d.user_location(&loops).map(|l| l.line), Some(2));
        // Nothing in the user's code (or no debug info): no location, not a library frame.
        chains.remove(call);
        assert_eq!(d.user_location(&chains), None);
        assert_eq!(d.user_location(&HashMap::new()), None);
    }

    #[test]
    fn the_row_names_the_place_and_the_inputs() {
        let mut e = device(&[(0, "zeros", 40), (0, "fixed#0", 90)], None);
        if let Source::Trace { located, .. } = &mut e.source {
            *located = Some(LeakSite {
                public: 0,
                inputs: ["zeros".into(), "fixed#0".into()],
                at: SourceLocation {
                    file: "/nowhere/my/src/lib.rs".into(),
                    line: 8,
                    function: "my::tag_ok".into(),
                },
            });
        }
        let r = judge("c", e);
        assert_eq!(r.verdict, Verdict::Leak);
        assert!(
            r.summary.ends_with(
                "(SysTick 40..90) at my::tag_ok (/nowhere/my/src/lib.rs:8) for zeros vs fixed#0"
            ),
            "{}",
            r.summary
        );
    }

    #[test]
    fn a_count_only_a_found_secret_shows_is_named_as_found_by_search() {
        let mut e = host(&[(0, "zeros", 37), (0, "ones", 37), (0, "search#4", 61)]);
        let record = SearchRecord {
            target: "c".into(),
            public: 0,
            candidates: 120,
            millis: 100,
            skipped: String::new(),
            found: vec![crate::protocol::FoundInput {
                label: "search#4".into(),
                secret: "5a65".repeat(16),
                instructions: 61,
            }],
        };
        e.source = Source::Callgrind {
            differences: Vec::new(),
            panicked: Vec::new(),
            search: vec![record.clone()],
        };
        let r = judge("c", e);
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "Ir differs between secret inputs: zeros=37 search#4=61, search#4 found by search \
             (120 candidates, 0.1 s): secret 5a655a655a655a655a655a655a655a65.."
        );
        // Generic inputs that differ on their own keep the usual summary.
        let mut e = host(&[(0, "zeros", 37), (0, "ones", 38), (0, "search#4", 61)]);
        e.source = Source::Callgrind {
            differences: Vec::new(),
            panicked: Vec::new(),
            search: vec![record],
        };
        assert!(judge("c", e)
            .summary
            .starts_with("Ir differs between secret inputs: zeros=37 ones=38"));
        // A search that found nothing: constant-time, with the candidates tried.
        let mut e = host(&[(0, "zeros", 37), (0, "ones", 37)]);
        e.source = Source::Callgrind {
            differences: Vec::new(),
            panicked: Vec::new(),
            search: vec![SearchRecord {
                candidates: 3000,
                ..SearchRecord::default()
            }],
        };
        let r = judge("c", e);
        assert_eq!(r.verdict, Verdict::ConstantTime);
        assert_eq!(
            r.summary,
            "Ir 37 for every one of 2 inputs (and 3000 candidates of the search)"
        );
        // A search that could not run says why on the row.
        let mut e = host(&[(0, "zeros", 37), (0, "ones", 37)]);
        e.source = Source::Callgrind {
            differences: Vec::new(),
            panicked: Vec::new(),
            search: vec![SearchRecord {
                skipped: "the secret type `T` has no byte form".into(),
                ..SearchRecord::default()
            }],
        };
        assert_eq!(
            judge("c", e).summary,
            "Ir 37 for every one of 2 inputs (search skipped for public input 0: the secret \
             type `T` has no byte form; 0 candidates run)"
        );
    }

    #[test]
    fn device_systick_is_a_second_count() {
        let counts = [(0, "zeros", 40), (0, "ones", 40)];
        // Equal traces, SysTick readings differ: a leak.
        let e = device(&counts, Some(vec![Ok(44), Ok(45)]));
        assert_eq!(judge("c", e).verdict, Verdict::Leak);
        // Equal traces and readings (the markers make SysTick higher): constant-time.
        let r = judge("c", device(&counts, Some(vec![Ok(44), Ok(44)])));
        assert_eq!(r.verdict, Verdict::ConstantTime);
        assert_eq!(
            r.summary,
            "40 instructions for every input (SysTick: 44 incl. the markers)"
        );
        // A run without a reading: an error, even if the traces differ.
        let e = device(
            &[(0, "zeros", 40), (0, "ones", 41)],
            Some(vec![Ok(44), Err("timed out".into())]),
        );
        let r = judge("c", e);
        assert_eq!(r.verdict, Verdict::Error);
        assert_eq!(r.summary, "SysTick run failed: ones: timed out");
    }
}
