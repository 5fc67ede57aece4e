//! How `cargo ct-verify` talks to a suite binary: environment variables in, JSON lines out.
//!
//! The runner starts the suite (under valgrind or natively) with [`MODE`] and [`TARGET`] set; the
//! suite's [`crate::Suite::run`] reads them, does that one job and appends [`Record`]s to the file
//! named by [`OUT`]. Standard output stays the user's.

use serde::{Deserialize, Serialize};

/// Which job the suite does: `list`, `taint`, `count`, `operands` (the calls of `count`, run
/// natively under the runner's breakpoints) or `dudect`. Unset: a quick native run.
pub const MODE: &str = "CT_VERIFY_MODE";
/// Names of the checks to run, one per line (`dudect` mode: exactly one).
pub const TARGET: &str = "CT_VERIFY_TARGET";
/// File the suite appends [`Record`]s to.
pub const OUT: &str = "CT_VERIFY_OUT";
/// Time budget in seconds for `dudect` mode.
pub const BUDGET: &str = "CT_VERIFY_BUDGET";
/// Seed for the input generator (decimal); a fixed default keeps runs repeatable.
pub const SEED: &str = "CT_VERIFY_SEED";
/// `count` mode: seconds per check of the search for secrets that change the instruction count
/// (`--search-budget`; unset or 0: no search). See [`crate::search`].
pub const SEARCH_BUDGET: &str = "CT_VERIFY_SEARCH_BUDGET";
/// `count` mode with a search: callgrind's `--callgrind-out-file`, whose dump number N the
/// suite reads back as `<file>.N` for each candidate's instruction count.
pub const CALLGRIND_OUT: &str = "CT_VERIFY_CALLGRIND_OUT";
/// Set to `1` to draw a progress bar (only when the runner's stderr is a terminal).
pub const PROGRESS: &str = "CT_VERIFY_PROGRESS";

/// Name of the never-inlined function every check is called through. Memcheck errors whose stack
/// contains it happened inside the check; callgrind collects only while it runs.
pub const CALL_FRAME: &str = "ct_verify_target_call";

/// Symbol of the function the suite calls right before each recorded call of the `operands`
/// mode, with (public index, label pointer, label length).
pub const CALL_BEGIN: &str = "ct_verify_call_begin";

/// Symbol of the function the suite calls right after each recorded call.
pub const CALL_END: &str = "ct_verify_call_end";

/// Prefix of every callgrind dump label: `ctv|<check index>|<public index>|<input label>`, the
/// check index counting the lines of [`TARGET`].
pub const DUMP_PREFIX: &str = "ctv|";

/// Text of the memcheck client message written before check number N (of [`TARGET`]): errors
/// that follow it in memcheck's XML first happened in that check.
pub const BEGIN_MESSAGE: &str = "ctv-begin ";

/// One line of the suite's report.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Record {
    /// `list` mode: one check of the suite.
    Target {
        /// The name given to `Suite::check`: unique within the suite, one line.
        name: String,
        /// Labels of its secret inputs (`zeros`, `ones`, `fixed#0`, `random#0`, ...).
        inputs: Vec<String>,
        /// How many public inputs it is run with.
        publics: usize,
    },
    /// The check ran with every input.
    Done {
        /// The check, by the name given to `Suite::check`.
        target: String,
        /// Calls made: one per secret input and public input.
        calls: usize,
        /// Memcheck errors counted during the check, duplicates included (`taint` mode only).
        #[serde(default)]
        memcheck_errors: u64,
        /// Calls that panicked: (`public|input` label, message). A check that panics for some
        /// secret inputs and not others has secret-dependent control flow.
        #[serde(default)]
        panicked: Vec<(String, String)>,
        /// `taint` mode: the declassify sites the check allows ([`crate::Config::allow_declassify`]).
        #[serde(default, skip_serializing_if = "Vec::is_empty")]
        allow_declassify: Vec<String>,
    },
    /// The check panicked for every input (for some inputs only, it is `Done` with the
    /// panicking inputs listed: secret-dependent control flow).
    Panic {
        /// The check, by the name given to `Suite::check`.
        target: String,
        /// The panic message and location.
        message: String,
    },
    /// `dudect` mode result.
    Dudect(DudectRecord),
    /// `count` mode with a search budget: what the search did for one public input of a check
    /// (written before the check's `Done`).
    Searched(SearchRecord),
}

/// What `--search-budget` did for one check and public input: the candidates it ran, and the
/// secrets it kept because their instruction count was new. Each kept secret's call was
/// dumped with the label `search#K` (K counting candidates), so it is one of the count
/// engine's inputs.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SearchRecord {
    /// The check, by the name given to `Suite::check`.
    pub target: String,
    /// The public input's index.
    pub public: usize,
    /// Candidates run and counted.
    pub candidates: u64,
    /// Milliseconds spent, the generic inputs' calls not included.
    pub millis: u64,
    /// Why nothing was searched (the secret type has no byte form, the dump files could not
    /// be read, or the generic inputs' counts already differ); empty when it searched.
    #[serde(default)]
    pub skipped: String,
    /// Secrets whose count no earlier input had, in the order found.
    #[serde(default)]
    pub found: Vec<FoundInput>,
}

/// A secret the search kept.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct FoundInput {
    /// Its label among the check's inputs (`search#K`).
    pub label: String,
    /// Its bytes ([`crate::Input::to_bytes`]), hexadecimal.
    pub secret: String,
    /// Instructions its call executed in the suite executable's own code (callgrind's Ir
    /// without shared libraries, as the search compared them; the count engine's rows show
    /// the total).
    pub instructions: u64,
}

/// What a dudect run measured: independent samples, one after the other, each with its own
/// warm-up, and the verdict that [`crate::stats::confirm`] draws from them.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DudectRecord {
    /// The check, by the name given to `Suite::check`.
    pub target: String,
    /// For a leak, the confirmed t (the weaker of two samples' t in the test above the
    /// threshold in both); otherwise the strongest t of the samples compared.
    pub max_t: f64,
    /// Which test gave it (`uncropped`, `cropped#N`, `second-order`, `none`).
    pub test: String,
    /// Measurements taken (both classes, both samples).
    pub measurements: u64,
    /// Measurements of the fixed class.
    pub fixed_count: u64,
    /// Measurements of the random class.
    pub random_count: u64,
    /// Mean ticks per call of the fixed class.
    pub fixed_mean: f64,
    /// Mean ticks per call of the random class.
    pub random_mean: f64,
    /// Tick unit (`cycles` or `ns`).
    pub unit: String,
    /// Calls timed together in one measurement, so that a measurement spans at least
    /// [`crate::stats::MIN_RESOLUTIONS`] timer resolutions.
    pub reps: u32,
    /// The timer's effective resolution, ticks ([`crate::stats::timer_resolution`]).
    pub resolution: u64,
    /// Seconds spent, calibration and both samples.
    pub seconds: f64,
    /// `leak`, `constant-time` or `inconclusive`.
    pub verdict: String,
    /// The samples on their own: two, or three when the first two disagreed (one leak, one
    /// no evidence) and a third decided.
    pub samples: Vec<DudectSample>,
    /// Histogram bin edges' lower bound (ticks) and bin width.
    pub hist_start: u64,
    /// Width of a histogram bin, ticks.
    pub hist_width: u64,
    /// Counts per bin for the fixed class.
    pub hist_fixed: Vec<u64>,
    /// Counts per bin for the random class.
    pub hist_random: Vec<u64>,
}

/// One sample of a dudect run.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
pub struct DudectSample {
    /// Its strongest t statistic (0 when no test had enough measurements).
    pub max_t: f64,
    /// Which test gave it.
    pub test: String,
    /// Measurements taken.
    pub measurements: u64,
    /// Median ticks of one measurement in its warm-up (must be at least
    /// [`crate::stats::MIN_RESOLUTIONS`] timer resolutions).
    pub median: u64,
    /// Seconds spent measuring it.
    pub seconds: f64,
    /// (measurements, max |t|) after each batch, thinned to a few hundred points.
    pub t_series: Vec<(u64, f64)>,
}
