//! ct-verify checks the *compiled binary* for timing leaks.
//!
//! Source that looks constant-time is not enough: compilers turn mask arithmetic back into
//! branches (curve25519-dalek RUSTSEC-2024-0344, Clangover) and hardware has instructions whose
//! latency depends on their operands (KyberSlash). ct-verify runs your code, as compiled, under
//! tools that see those things.
//!
//! # Declaring checks
//!
//! A bench target with `harness = false` (for example `benches/ct.rs`):
//!
//! ```no_run
//! const TAG: [u8; 32] = [7; 32];
//! fn verify_tag(a: &[u8; 32], b: &[u8; 32]) -> bool {
//!     a.iter().zip(b).fold(0u8, |acc, (x, y)| acc | (x ^ y)) == 0
//! }
//! fn main() {
//!     ct_verify::Suite::new()
//!         .check("tag_eq", |s: &[u8; 32]| verify_tag(s, &TAG))
//!         .check_with(
//!             "tag_eq_corner_cases",
//!             ct_verify::Config::new().fixed(TAG),
//!             |s: &[u8; 32], _: &()| verify_tag(s, &TAG),
//!         )
//!         .run();
//! }
//! ```
//!
//! The closure's argument is the secret ([`Input`]: unsigned integers, arrays, tuples,
//! `secret_core::Secret<..>`). Each check runs with the all-zero, all-ones, user-chosen
//! ([`Config::fixed`]) and random secrets, and optionally with public inputs
//! ([`Config::public`]). `cargo ct-verify` builds the bench targets and runs each check under
//! every engine; `cargo bench` runs a short native dudect measurement instead.
//!
//! # What each engine can and cannot see
//!
//! - **taint** (valgrind memcheck): the secret input's bytes, and every value passed to
//!   `secret_core::Secret::new` (the build sets `--cfg secret_taint`), are marked undefined.
//!   Memcheck then reports each conditional branch and each memory address computed from them,
//!   with file and line: early-exit compares, secret-indexed tables, secret-length loops,
//!   variable-time library code. A value the check `declassify()`s is checked too: a branch
//!   or address computed from it is a leak reported with both places (the `.declassify()` call
//!   and the use), unless [`Config::allow_declassify`] names the site, which lists it as
//!   intended; returning a declassified value is not a use. It does **not** see
//!   variable-latency arithmetic (division), and it sees only the paths the inputs took.
//!   On Cortex-M (`trace`) there is no taint: a branch on a declassified value is seen only
//!   when the inputs take it both ways.
//! - **count** (valgrind callgrind): counts instructions inside the check for every input; the
//!   total (Ir) and the per-instruction profile must be identical for all secret inputs with the
//!   same public input. Under ct-verify the count includes the valgrind client request that
//!   `Secret::new` (and `declassify`) issue under `--cfg secret_taint`, a few instructions each:
//!   it is not the production instruction count. It sees any change of control flow, including ones the inputs happen to
//!   trigger without a tainted branch, but **not** secret-dependent addresses with a fixed
//!   instruction stream (table lookups), nor instruction latency.
//! - **audit** (callgrind's instruction list + the iced-x86 decoder): lists `DIV`/`IDIV` executed
//!   inside the check, with address and source location. It **cannot** tell secret operands from
//!   public ones, so every finding is reported; x86_64 only for now.
//! - **dudect** (native timing): Welch's t-tests between a fixed secret and random secrets,
//!   in shuffled batches, with percentile cropping and a dispersion test. Each measurement
//!   times enough calls to span 100 timer resolutions; a leak needs |t| > 4.5 in the same test
//!   and direction in two independent samples of at least 10,000 measurements each
//!   ([`engine::dudect`], [`stats::confirm`]). It sees real timing on this CPU (caches,
//!   division, microcode) but only statistically: small leaks can hide in noise within the
//!   budget.
//!
//! # Features
//!
//! `cli` (default) adds the `cargo ct-verify` runner and its dependencies (clap, a disassembler,
//! an XML parser, plots, a Rust parser). A suite needs only the library: in `[dev-dependencies]`,
//! `ct-verify = { git = "...", default-features = false }` (or `path = "..."`; the crates are not
//! on crates.io) keeps the bench build small.
//!
//! All four see only the code that the chosen inputs execute; none proves constant time for
//! inputs it did not try. `--search-budget SECONDS` widens what count tries: a search for
//! secrets that change the instruction count ([`search`]).
//!
//! # Exit status of `cargo ct-verify`
//!
//! 0: every check constant-time under every engine; 1: a leak, or a regression against
//! `--baseline`; 2: could not run (valgrind missing, build failed, bad arguments or files, a
//! check that panicked or stayed inconclusive). Output, baseline and plot paths are checked
//! before anything is built.
//!
//! # Exit status of `cargo bench`
//!
//! [`Suite::run`] without `cargo ct-verify` (a native run) exits with status 1 when any check's
//! dudect verdict is `leak`, else 2 when one is `inconclusive` or panics for every input, and
//! returns normally when all are constant-time; so a leaky suite fails `cargo bench` in CI. A
//! check whose secret type has no bytes (`[u8; 0]`) makes every mode exit 2 before running
//! anything, naming the check: there is nothing to mark secret.
#![deny(unsafe_code)]

#[cfg(feature = "cli")]
pub mod baseline;
mod call;
#[cfg(feature = "cli")]
pub mod cargo;
#[cfg(feature = "cli")]
pub mod cli;
#[cfg(feature = "cli")]
pub mod declassify;
pub mod declassify_site;
#[cfg(feature = "cli")]
pub mod elf;
#[cfg(feature = "cli")]
pub mod embedded;
pub mod engine;
pub mod input;
pub mod location;
#[cfg(feature = "cli")]
pub mod merge;
#[cfg(feature = "cli")]
pub mod names;
pub mod partition;
#[cfg(feature = "cli")]
pub mod plot;
pub mod process;
#[cfg(feature = "cli")]
pub mod progress;
pub mod protocol;
pub mod report;
pub mod sarif;
pub mod search;
pub mod stats;
pub mod suite;
pub mod timer;
#[cfg(feature = "cli")]
pub mod writable;

pub use engine::{CheckResult, Engine, Verdict};
pub use input::Input;
pub use rand;
pub use suite::{Config, Suite};
