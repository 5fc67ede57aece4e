//! [`Suite`]: the checks a bench target declares, and what the suite binary does when run.
//!
//! ```no_run
//! ct_verify::Suite::new()
//!     .check("or_eq", |s: &[u8; 32]| s.iter().fold(0u8, |a, b| a | b) == 0)
//!     .run();
//! ```
//!
//! `run()` reads [`crate::protocol::MODE`]: `cargo ct-verify` sets it to run one check under
//! memcheck (`taint`), callgrind (`count`, which also feeds `audit`) or natively (`dudect`).
//! Without it, `cargo bench` measures every check briefly with dudect (0.5 s, or
//! `CT_VERIFY_BUDGET` seconds) and exits with status 1 on a leak (2 on an inconclusive or failing
//! check), and `cargo test --benches` calls every check once per input (a
//! smoke test): the bench target stays useful on its own.

use std::ffi::CString;
use std::hint::black_box;
use std::io::Write;
use std::panic::{catch_unwind, AssertUnwindSafe};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use rand::{RngCore, SeedableRng};
use secret_core::taint;

use crate::call::{ct_verify_call_begin, ct_verify_call_end, ct_verify_target_call};
use crate::engine::dudect;
use crate::engine::Verdict;
use crate::input::Input;
use crate::protocol::{self, DudectRecord, Record, SearchRecord};
use crate::report::{EXIT_ERROR, EXIT_LEAK};
use crate::search;

/// Default number of random secret inputs per check (besides all-zero, all-ones and fixed ones).
pub const DEFAULT_RANDOM_INPUTS: usize = 4;
/// Default number of public inputs when a generator is given.
pub const DEFAULT_PUBLIC_INPUTS: usize = 2;
const DEFAULT_SEED: u64 = 0x5eed_c7e1;

/// How a check is run: its fixed corner cases, how many random inputs, and its public inputs.
///
/// ```
/// use ct_verify::Config;
/// let config = Config::<[u8; 4]>::new()
///     .fixed([1, 2, 3, 4])
///     .random_inputs(8)
///     .public(|rng| rng.next_u32() % 64)
///     .public_inputs(3);
/// # let _ = config;
/// ```
pub struct Config<S, P = ()> {
    fixed: Vec<S>,
    random: usize,
    public: PublicGenerator<P>,
    publics: usize,
    allow_declassify: Vec<String>,
    dictionary: Option<Dictionary<P>>,
}

/// The bytes of a public input that the search copies into secrets.
type Dictionary<P> = Box<dyn Fn(&P) -> Vec<u8>>;

/// Makes one public input from the seeded generator.
type PublicGenerator<P> = Box<dyn Fn(&mut dyn RngCore) -> P>;

impl<S: Input> Default for Config<S, ()> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Input> Config<S, ()> {
    /// No fixed inputs, [`DEFAULT_RANDOM_INPUTS`] random ones, no public input.
    pub fn new() -> Self {
        Self {
            fixed: Vec::new(),
            random: DEFAULT_RANDOM_INPUTS,
            public: Box::new(|_| ()),
            publics: 1,
            allow_declassify: Vec::new(),
            dictionary: None,
        }
    }
}

impl<S: Input, P> Config<S, P> {
    /// Adds a secret corner case (for example the value an early-exit compare matches fully).
    /// The first one is also dudect's fixed class; without one, dudect uses all-zero.
    pub fn fixed(mut self, input: S) -> Self {
        self.fixed.push(input);
        self
    }

    /// Sets how many random secret inputs to use (at least one is always used).
    pub fn random_inputs(mut self, n: usize) -> Self {
        self.random = n.max(1);
        self
    }

    /// Gives the check a public input made by `generator`. Instruction counts are compared only
    /// between calls with the same public value, so public data may change the cost.
    pub fn public<Q>(self, generator: impl Fn(&mut dyn RngCore) -> Q + 'static) -> Config<S, Q> {
        Config {
            fixed: self.fixed,
            random: self.random,
            public: Box::new(generator),
            publics: DEFAULT_PUBLIC_INPUTS,
            allow_declassify: self.allow_declassify,
            dictionary: None,
        }
    }

    /// Gives `cargo ct-verify --search-budget` the bytes of each public input to copy into the
    /// secrets it tries (see [`crate::search`]). A check that compares the secret with a public
    /// value (a tag, a padding byte, a bound) needs this for the search to match more than a
    /// byte or two of it: the runner cannot see inside a public input of an arbitrary type.
    ///
    /// ```
    /// use ct_verify::Config;
    /// let config = Config::<[u8; 32]>::new()
    ///     .public(|_| [0x5a; 32])
    ///     .dictionary(|tag: &[u8; 32]| *tag);
    /// # let _ = config;
    /// ```
    ///
    /// The Cortex-M twin accepts the same call and ignores it (the search runs on the host only).
    pub fn dictionary<D: AsRef<[u8]>>(mut self, bytes: impl Fn(&P) -> D + 'static) -> Self {
        self.dictionary = Some(Box::new(move |p| bytes(p).as_ref().to_vec()));
        self
    }

    /// Sets how many public values to draw (at least one).
    pub fn public_inputs(mut self, n: usize) -> Self {
        self.publics = n.max(1);
        self
    }

    /// Allows branches, addresses and variable-latency operands that depend on a value
    /// declassified at `site`: the taint engine lists them as intended instead of as a leak.
    ///
    /// Without it, every use of a value declassified *inside* the check is a leak, reported
    /// with both places (the `.declassify()` call and the use). Returning a declassified value
    /// from the check is not a use. `site` names the `.declassify()` call, as the report shows
    /// it (`declassified at ...`):
    ///
    /// - `"file:line"`: the call's source line; `file` is matched as a path suffix
    ///   (`"src/poly.rs:42"` or `"poly.rs:42"`);
    /// - `"function"`: every call in that function (`"finalize"`, or a longer path such as
    ///   `"Poly1305::finalize"`), matched against the last components of the function
    ///   valgrind names.
    ///
    /// ```
    /// use ct_verify::Config;
    /// // The tag compare's verdict is public by design; its `if` may branch on it.
    /// let config = Config::<[u8; 16]>::new().allow_declassify("verify_tag");
    /// # let _ = config;
    /// ```
    pub fn allow_declassify(mut self, site: &str) -> Self {
        self.allow_declassify.push(site.to_string());
        self
    }
}

/// The checks of one bench target.
pub struct Suite<'a> {
    targets: Vec<Box<dyn ErasedTarget + 'a>>,
    seed: u64,
    /// Checks that cannot be judged (a secret with no bytes), one line each: `run()` reports
    /// them and exits with status 2 before running anything.
    invalid: Vec<String>,
}

impl Default for Suite<'_> {
    fn default() -> Self {
        Self::new()
    }
}

impl<'a> Suite<'a> {
    /// An empty suite.
    pub fn new() -> Self {
        let seed = std::env::var(protocol::SEED)
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(DEFAULT_SEED);
        Self {
            targets: Vec::new(),
            seed,
            invalid: Vec::new(),
        }
    }

    /// Sets the seed of the input generator (overridden by `CT_VERIFY_SEED`).
    pub fn seed(mut self, seed: u64) -> Self {
        if std::env::var(protocol::SEED).is_err() {
            self.seed = seed;
        }
        self
    }

    /// Adds a check of `f` over a secret input `&S`.
    ///
    /// # Panics
    ///
    /// If `name` is empty, spans lines, or is already taken.
    pub fn check<S, R, F>(self, name: &str, f: F) -> Self
    where
        S: Input + 'a,
        R: 'a,
        F: Fn(&S) -> R + 'a,
    {
        self.check_with(name, Config::new(), move |s: &S, _: &()| f(s))
    }

    /// Adds a check of `f` over a secret input `&S` and a public input `&P`, run as `config` says.
    ///
    /// # Panics
    ///
    /// If `name` is empty, spans lines, or is already taken.
    ///
    /// A secret type of size zero (`[u8; 0]`) makes `run()` fail with status 2 naming the check:
    /// it has no bytes to mark secret, so every engine would call any code constant-time.
    pub fn check_with<S, P, R, F>(mut self, name: &str, config: Config<S, P>, f: F) -> Self
    where
        S: Input + 'a,
        P: 'a,
        R: 'a,
        F: Fn(&S, &P) -> R + 'a,
    {
        assert!(
            !name.is_empty() && !name.contains('\n'),
            "ct-verify: check names must be one non-empty line"
        );
        assert!(
            self.targets.iter().all(|t| t.name() != name),
            "ct-verify: two checks are named `{name}`"
        );
        for site in &config.allow_declassify {
            if let Err(e) = crate::declassify_site::parse(site) {
                self.invalid.push(format!(
                    "check `{name}`: allow_declassify(\"{}\"): {e}",
                    site.escape_default()
                ));
            }
        }
        if std::mem::size_of::<S>() == 0 {
            self.invalid.push(format!(
                "check `{name}`: its secret type `{}` has no bytes, so nothing in it is secret and \
                 every engine would pass it: give the check a secret type with at least one byte",
                std::any::type_name::<S>()
            ));
        }
        self.targets.push(Box::new(Target {
            name: name.to_string(),
            config,
            f,
            _r: std::marker::PhantomData,
        }));
        self
    }

    /// Runs the suite as the environment asks (see the module docs) and returns when done.
    /// Exits the process with status 3 when the environment names an unknown mode or check.
    pub fn run(self) {
        let mode = std::env::var(protocol::MODE).unwrap_or_default();
        if !self.invalid.is_empty() {
            for line in &self.invalid {
                eprintln!("error: ct-verify: {line}");
            }
            std::process::exit(2);
        }
        install_panic_hook();
        match mode.as_str() {
            "" => self.run_native(),
            "list" => self.list(),
            // `operands` makes the calls of `count`, natively, for the audit's breakpoints.
            "taint" | "count" | "operands" => {
                let wanted = std::env::var(protocol::TARGET).unwrap_or_default();
                for (index, name) in wanted.lines().enumerate() {
                    self.run_calls(&mode, index, name);
                }
            }
            "dudect" => self.dudect_mode(),
            other => {
                eprintln!(
                    "ct-verify: unknown {} `{other}` (expected list, taint, count, operands or dudect)",
                    protocol::MODE
                );
                std::process::exit(3);
            }
        }
    }

    /// `list` mode: a `Target` record per check.
    fn list(&self) {
        for t in &self.targets {
            let inputs = t.labels();
            emit(&Record::Target {
                name: t.name().to_string(),
                inputs,
                publics: t.publics(),
            });
        }
    }

    /// Check `name`, the `index`-th wanted, in `taint`, `count` or `operands` mode: its
    /// search records, then a `Done` record (or `Panic` when it cannot run or is unknown).
    fn run_calls(&self, mode: &str, index: usize, name: &str) {
        let Some(t) = self.targets.iter().find(|t| t.name() == name) else {
            emit(&Record::Panic {
                target: name.to_string(),
                message: format!("the suite has no check named `{name}`"),
            });
            return;
        };
        let seed = self.seed;
        let search = search::Budget::from_env();
        let before = count_memcheck_errors();
        if mode == "taint" {
            valgrind_message(&format!("{}{index}\n", protocol::BEGIN_MESSAGE));
        }
        let result = catch_unwind(AssertUnwindSafe(|| {
            if mode == "taint" {
                t.run_taint(seed)
            } else {
                t.run_count(seed, index, search.as_ref(), mode == "operands")
            }
        }));
        if let Ok(c) = &result {
            for r in &c.searched {
                emit(&Record::Searched(r.clone()));
            }
        }
        let memcheck_errors = count_memcheck_errors().saturating_sub(before) as u64;
        emit(&match result {
            // Panicking for every input: the check cannot run at all.
            Ok(c) if c.calls > 0 && c.panicked.len() == c.calls => Record::Panic {
                target: name.to_string(),
                message: c.panicked[0].1.clone(),
            },
            Ok(c) => Record::Done {
                target: name.to_string(),
                calls: c.calls,
                memcheck_errors,
                panicked: c.panicked,
                allow_declassify: t.allowed_declassify().to_vec(),
            },
            Err(_) => Record::Panic {
                target: name.to_string(),
                message: take_panic_message(),
            },
        });
    }

    /// `dudect` mode: the one check `TARGET` names, measured natively.
    fn dudect_mode(&self) {
        let wanted = std::env::var(protocol::TARGET).unwrap_or_default();
        let Some(t) = self.targets.iter().find(|t| t.name() == wanted) else {
            eprintln!("ct-verify: this suite has no check named `{wanted}`");
            std::process::exit(3);
        };
        let seed = self.seed;
        let budget = std::env::var(protocol::BUDGET)
            .ok()
            .and_then(|b| b.parse().ok())
            .unwrap_or(5.0);
        let progress = std::env::var(protocol::PROGRESS).is_ok_and(|v| v == "1");
        let result = catch_unwind(AssertUnwindSafe(|| t.run_dudect(seed, budget, progress)));
        emit(&match result {
            Ok(r) => Record::Dudect(r),
            Err(_) => Record::Panic {
                target: wanted.clone(),
                message: take_panic_message(),
            },
        });
    }

    /// `cargo bench` and `cargo test --benches`. Exits with status 1 when a check's native
    /// dudect verdict is `leak`, else 2 when one is `inconclusive` or a check panicked for every
    /// input (the exit statuses of `cargo ct-verify`); returns when all passed.
    fn run_native(self) {
        // `cargo bench` passes `--bench`; `cargo test --benches` does not: there, only call every
        // check once per input (a smoke test), without timing.
        let outcome = if std::env::args().any(|a| a == "--bench") {
            self.quick_dudect()
        } else {
            self.smoke_test()
        };
        if outcome.leaked {
            println!("ct-verify: a check leaked (`cargo ct-verify` shows where)");
            std::process::exit(EXIT_LEAK);
        }
        if outcome.failed {
            std::process::exit(EXIT_ERROR);
        }
    }

    /// `cargo test --benches`: every check once per input. A check that panics for every input
    /// fails; one that panics for some inputs only is reported (the engines call it a leak).
    fn smoke_test(&self) -> NativeOutcome {
        let mut outcome = NativeOutcome::default();
        println!(
            "ct-verify: smoke test (each check once per input; `cargo ct-verify` runs the engines)"
        );
        for t in &self.targets {
            let c = t.run_taint(self.seed);
            match c.panicked.first() {
                Some((input, message)) if c.panicked.len() == c.calls => {
                    outcome.failed = true;
                    println!("{:<32} error: panicked for {input}: {message}", t.name());
                }
                Some((input, message)) => {
                    println!(
                        "{:<32} panics for some inputs ({input}: {message})",
                        t.name()
                    )
                }
                None => println!("{:<32} ok ({} calls)", t.name(), c.calls),
            }
        }
        outcome
    }

    /// `cargo bench`: a short dudect run per check (`protocol::BUDGET` seconds, default 0.5);
    /// anything but constant-time fails, a leak with its own exit code.
    fn quick_dudect(&self) -> NativeOutcome {
        let mut outcome = NativeOutcome::default();
        let budget = std::env::var(protocol::BUDGET)
            .ok()
            .and_then(|b| b.parse().ok())
            .unwrap_or(0.5);
        println!("ct-verify: quick native run ({budget} s of dudect per check; `cargo ct-verify` runs the real engines)");
        for t in &self.targets {
            let seed = self.seed;
            match catch_unwind(AssertUnwindSafe(|| t.run_dudect(seed, budget, false))) {
                Ok(r) => {
                    println!(
                        "{:<32} {:<13} max |t| = {:>7.2} over {} measurements",
                        t.name(),
                        r.verdict,
                        r.max_t.abs(),
                        r.measurements
                    );
                    outcome.leaked |= r.verdict == Verdict::Leak.name();
                    outcome.failed |= r.verdict != Verdict::ConstantTime.name();
                }
                Err(_) => {
                    outcome.failed = true;
                    println!("{:<32} error         {}", t.name(), take_panic_message());
                }
            }
        }
        outcome
    }
}

/// A check with its types erased, so one suite holds checks over different inputs.
trait ErasedTarget {
    fn name(&self) -> &str;
    fn labels(&self) -> Vec<String>;
    fn publics(&self) -> usize;
    fn allowed_declassify(&self) -> &[String];
    fn run_taint(&self, seed: u64) -> Calls;
    /// The calls of `count` mode; `search`: the count-guided search's budget, if any;
    /// `markers`: with the call markers around each recorded call (`operands` mode, natively
    /// under the runner's breakpoints).
    fn run_count(
        &self,
        seed: u64,
        index: usize,
        search: Option<&search::Budget>,
        markers: bool,
    ) -> Calls;
    fn run_dudect(&self, seed: u64, budget: f64, progress: bool) -> DudectRecord;
}

struct Target<S, P, R, F> {
    name: String,
    config: Config<S, P>,
    f: F,
    _r: std::marker::PhantomData<fn() -> R>,
}

impl<S: Input, P, R, F: Fn(&S, &P) -> R> Target<S, P, R, F> {
    fn rng(&self, seed: u64) -> rand::rngs::StdRng {
        // Each check gets its own stream, so adding a check does not change another's inputs.
        let mut h = seed;
        for b in self.name.bytes() {
            h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
        }
        rand::rngs::StdRng::seed_from_u64(h)
    }

    fn inputs(&self, rng: &mut dyn RngCore) -> Vec<(String, S)> {
        let mut v = vec![
            ("zeros".to_string(), S::zeros()),
            ("ones".to_string(), S::ones()),
        ];
        for (i, f) in self.config.fixed.iter().enumerate() {
            v.push((format!("fixed#{i}"), f.clone()));
        }
        for i in 0..self.config.random {
            v.push((format!("random#{i}"), S::random(rng)));
        }
        v
    }

    fn public_values(&self, rng: &mut dyn RngCore) -> Vec<P> {
        (0..self.config.publics)
            .map(|_| (self.config.public)(rng))
            .collect()
    }

    /// One call of the check with callgrind collecting. Never inlined: the generic inputs and
    /// the search's candidates run this same machine code, so the harness instructions inside
    /// the collected region are the same for all of them and cannot tell them apart.
    #[inline(never)]
    fn collected_call(&self, secret: &S, p: &P) -> std::thread::Result<R> {
        COLLECTING.store(true, Ordering::Relaxed);
        taint::callgrind_toggle_collect();
        let r = catch_unwind(AssertUnwindSafe(|| {
            ct_verify_target_call(&self.f, black_box(secret), black_box(p))
        }));
        taint::callgrind_toggle_collect();
        COLLECTING.store(false, Ordering::Relaxed);
        r
    }

    /// Warms up outside collection (lazy initialisation, PLT binding, first allocations) with
    /// the first input that does not panic, called from `slot` as the counted calls are.
    fn warm_up(&self, inputs: &[(String, S)], slot: &mut Box<S>, p: &P) {
        for (_, s) in inputs {
            S::clone_from(slot, s);
            let warm = catch_unwind(AssertUnwindSafe(|| {
                for _ in 0..2 {
                    drop(black_box(ct_verify_target_call(&self.f, slot, p)));
                }
            }));
            if warm.is_ok() {
                break;
            }
            let _ = take_panic_message();
        }
    }

    /// One collected, dumped call of `secret` (copied into the slot), recorded in `calls` (in
    /// the order the harness always did: a panic's label and message before the dump, so that
    /// the heap, and with it libc's share of a later panicking call's count, is what it was
    /// without a search); returns callgrind's dump number.
    fn counted_call(
        &self,
        at: &mut CountCall<'_, S, P>,
        secret: &S,
        label: &str,
        calls: &mut Calls,
    ) -> usize {
        let (index, j) = (at.index, at.public);
        let dump = CString::new(format!("{}{index}|{j}|{label}", protocol::DUMP_PREFIX))
            .unwrap_or_default();
        S::clone_from(at.slot, secret);
        if at.markers {
            ct_verify_call_begin(j, label.as_ptr(), label.len());
        }
        let r = self.collected_call(at.slot, at.p);
        if at.markers {
            ct_verify_call_end();
        }
        calls.record(j, label, r);
        taint::callgrind_dump_stats_at(&dump);
        DUMPS.fetch_add(1, Ordering::Relaxed) + 1
    }

    /// The count-guided search for public input `at.public` from the generic inputs' `seeds`,
    /// until `deadline`; records the secrets it kept (and their panics) and its record in `out`.
    fn search_public(
        &self,
        at: &mut CountCall<'_, S, P>,
        budget: &search::Budget,
        seeds: &[(&S, Option<u64>)],
        rng: &mut rand::rngs::StdRng,
        deadline: std::time::Instant,
        out: &mut Calls,
    ) {
        let j = at.public;
        let dictionary = self
            .config
            .dictionary
            .as_ref()
            .map(|d| d(at.p))
            .unwrap_or_default();
        let (record, kept) = search::search(
            budget,
            &self.name,
            j,
            seeds,
            dictionary,
            rng.next_u64(),
            deadline,
            &mut |secret, label| {
                let mut one = Calls::default();
                let dump = self.counted_call(at, secret, label, &mut one);
                let panic = one.panicked.pop().map(|(_, message)| message);
                search::Outcome { dump, panic }
            },
        );
        for label in &kept.labels {
            let panic = kept
                .panicked
                .iter()
                .find(|(l, _)| l == label)
                .map(|(_, m)| m.clone());
            out.record_outcome(j, label, panic);
        }
        out.searched.push(record);
    }
}

/// Where the calls of one public input in `count` mode go: check `index` of the run, public
/// input `public` (`p`), with the call markers or not, the secret copied into `slot` first.
struct CountCall<'a, S, P> {
    index: usize,
    public: usize,
    p: &'a P,
    markers: bool,
    slot: &'a mut Box<S>,
}

impl<S: Input, P, R, F: Fn(&S, &P) -> R> ErasedTarget for Target<S, P, R, F> {
    fn name(&self) -> &str {
        &self.name
    }

    fn labels(&self) -> Vec<String> {
        let mut rng = self.rng(0);
        self.inputs(&mut rng).into_iter().map(|(l, _)| l).collect()
    }

    fn publics(&self) -> usize {
        self.config.publics
    }

    fn allowed_declassify(&self) -> &[String] {
        &self.config.allow_declassify
    }

    fn run_taint(&self, seed: u64) -> Calls {
        let mut rng = self.rng(seed);
        let inputs = self.inputs(&mut rng);
        let publics = self.public_values(&mut rng);
        let mut out = Calls::default();
        for (j, p) in publics.iter().enumerate() {
            for (label, s) in &inputs {
                taint::mark_undefined(s);
                let r = catch_unwind(AssertUnwindSafe(|| ct_verify_target_call(&self.f, s, p)));
                // Declassify before the harness touches the result (or drops it): a value the
                // check declassified and returns is not used by the check.
                taint::mark_defined(&r);
                taint::mark_defined(s);
                out.record(j, label, r);
            }
        }
        out
    }

    fn run_count(
        &self,
        seed: u64,
        index: usize,
        search: Option<&search::Budget>,
        markers: bool,
    ) -> Calls {
        let mut rng = self.rng(seed);
        let inputs = self.inputs(&mut rng);
        let publics = self.public_values(&mut rng);
        let mut out = Calls::default();
        // Every call reads its secret from this one slot: the inputs' own addresses differ
        // (and with them the alignment that memcpy and friends branch on), which would make
        // the counts differ for a reason that has nothing to do with the secret.
        let mut slot = Box::new(inputs[0].1.clone());
        // Only with a search: nothing the harness does without one changes.
        let started = search.map(|_| std::time::Instant::now());
        for (j, p) in publics.iter().enumerate() {
            self.warm_up(&inputs, &mut slot, p);
            let mut at = CountCall {
                index,
                public: j,
                p,
                markers,
                slot: &mut slot,
            };
            let mut seeds = Vec::new();
            for (label, s) in &inputs {
                let dump = self.counted_call(&mut at, s, label, &mut out);
                if let Some(budget) = search {
                    seeds.push((s, budget.total(dump)));
                }
            }
            let Some(budget) = search else {
                continue;
            };
            // The check's time, shared by its public inputs.
            let share = budget
                .per_check
                .mul_f64((j + 1) as f64 / publics.len() as f64);
            let deadline = started.unwrap_or_else(std::time::Instant::now) + share;
            self.search_public(&mut at, budget, &seeds, &mut rng, deadline, &mut out);
        }
        out
    }

    fn run_dudect(&self, seed: u64, budget: f64, progress: bool) -> DudectRecord {
        let mut rng = self.rng(seed);
        let publics = self.public_values(&mut rng);
        // The fixed class: the first corner case the check accepts (user's, all-zero, all-ones).
        let mut candidates: Vec<S> = self.config.fixed.clone();
        candidates.extend([S::zeros(), S::ones()]);
        let fixed = candidates
            .iter()
            .find(|c| {
                let ok = publics.iter().all(|p| {
                    catch_unwind(AssertUnwindSafe(|| {
                        drop(black_box(ct_verify_target_call(&self.f, *c, p)))
                    }))
                    .is_ok()
                });
                if !ok {
                    let _ = take_panic_message();
                }
                ok
            })
            .cloned()
            .unwrap_or_else(S::zeros);
        let mut record = dudect::measure(
            &self.f, &fixed, &publics, &mut rng, budget, progress, &self.name,
        );
        record.target = self.name.clone();
        record
    }
}

/// What calling a check with every input did.
#[derive(Default)]
struct Calls {
    calls: usize,
    /// (`public|input` label, panic message) of each call that panicked.
    panicked: Vec<(String, String)>,
    /// `count` mode with a search budget: one record per public input.
    searched: Vec<SearchRecord>,
}

/// Callgrind dumps this process has asked for: callgrind numbers its dump files the same way,
/// from 1, so the search knows which file holds the call it just made.
static DUMPS: AtomicUsize = AtomicUsize::new(0);

impl Calls {
    fn record_outcome(&mut self, public: usize, label: &str, panic: Option<String>) {
        self.calls += 1;
        if let Some(message) = panic {
            self.panicked.push((format!("{public}|{label}"), message));
        }
    }

    fn record<R>(&mut self, public: usize, label: &str, result: std::thread::Result<R>) {
        self.calls += 1;
        match result {
            Ok(r) => drop(black_box(r)),
            Err(_) => self
                .panicked
                .push((format!("{public}|{label}"), take_panic_message())),
        }
    }
}

/// Memcheck's error count so far, duplicates included (0 when not under memcheck).
fn count_memcheck_errors() -> usize {
    const VG_USERREQ_COUNT_ERRORS: usize = 0x1201;
    taint::client_request(0, VG_USERREQ_COUNT_ERRORS, [0; 5])
}

/// Writes a client message into valgrind's log (`<clientmsg>` in XML); no-op outside valgrind.
fn valgrind_message(text: &str) {
    // VALGRIND_PRINTF's by-reference form; the text has no `%`, so the argument list is unused.
    const VG_USERREQ_PRINTF_VALIST_BY_REF: usize = 0x1403;
    let text = text.replace('%', "");
    if let Ok(c) = CString::new(text) {
        taint::client_request(
            0,
            VG_USERREQ_PRINTF_VALIST_BY_REF,
            [c.as_ptr() as usize, 0, 0, 0, 0],
        );
    }
}

static PANIC_MESSAGE: Mutex<Option<String>> = Mutex::new(None);

fn install_panic_hook() {
    std::panic::set_hook(Box::new(|info| {
        // A panic inside a collected call: the report written here is the harness's work, not
        // the check's; its cost in libc (formatting, allocation, the write) depends on the
        // heap and stack that earlier checks left, so it is left out of the count.
        let collecting = COLLECTING.load(Ordering::Relaxed);
        if collecting {
            taint::callgrind_toggle_collect();
        }
        report_panic(info);
        if collecting {
            taint::callgrind_toggle_collect();
        }
    }));
}

/// Whether callgrind is collecting: a check is running inside [`Target::collected_call`].
static COLLECTING: AtomicBool = AtomicBool::new(false);

/// Keeps the panic's message for the harness and writes it to standard error.
fn report_panic(info: &std::panic::PanicHookInfo<'_>) {
    {
        let payload = info.payload();
        let msg = payload
            .downcast_ref::<&str>()
            .map(|s| s.to_string())
            .or_else(|| payload.downcast_ref::<String>().cloned())
            .unwrap_or_else(|| "panic with a non-string payload".to_string());
        let msg = match info.location() {
            Some(l) => format!("{msg} (at {}:{})", l.file(), l.line()),
            None => msg,
        };
        if std::env::var(protocol::MODE).is_ok_and(|m| !m.is_empty()) {
            // Captured by the runner: the last line explains a crash (for example panic=abort).
            eprintln!("ct-verify: check panicked: {msg}");
        }
        if let Ok(mut slot) = PANIC_MESSAGE.lock() {
            *slot = Some(msg);
        }
    }
}

fn take_panic_message() -> String {
    PANIC_MESSAGE
        .lock()
        .ok()
        .and_then(|mut m| m.take())
        .unwrap_or_else(|| "panicked".to_string())
}

fn emit(record: &Record) {
    let Ok(path) = std::env::var(protocol::OUT) else {
        return;
    };
    let line = serde_json::to_string(record).unwrap_or_default();
    let written = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(&path)
        .and_then(|mut f| writeln!(f, "{line}"));
    if let Err(e) = written {
        eprintln!("ct-verify: cannot write {path}: {e}");
        std::process::exit(3);
    }
}

/// What a run without `cargo ct-verify` (`cargo bench`, `cargo test --benches`) found.
#[derive(Default)]
struct NativeOutcome {
    /// A check leaked (exit `EXIT_LEAK`).
    leaked: bool,
    /// A check could not run or was not constant-time (exit `EXIT_ERROR` unless one leaked).
    failed: bool,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_malformed_allowed_site_is_refused_naming_the_check() {
        let suite = Suite::new()
            .check_with(
                "good",
                Config::new()
                    .allow_declassify("finalize")
                    .allow_declassify("src/poly.rs:42"),
                |s: &u8, _: &()| *s,
            )
            .check_with(
                "bad",
                Config::new().allow_declassify("src/poly.rs"),
                |s: &u8, _: &()| *s,
            );
        assert_eq!(suite.invalid.len(), 1, "{:?}", suite.invalid);
        assert!(
            suite.invalid[0].starts_with("check `bad`: allow_declassify(\"src/poly.rs\")"),
            "{}",
            suite.invalid[0]
        );
        assert_eq!(
            suite.targets[0].allowed_declassify(),
            ["finalize", "src/poly.rs:42"]
        );
    }
}
