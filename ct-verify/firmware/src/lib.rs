//! The `no_std` twin of `ct_verify::Suite`: the same `check`/`check_with`/`run` API, compiled
//! into Cortex-M firmware.
//!
//! A crate's suite is a bench file (`benches/ct.rs`) that calls `ct_verify::Suite::new()
//! .check(..).run()`. `cargo ct-verify --target thumbv*` generates a small firmware crate that
//! `include!`s that file in a module where the name `ct_verify` is this crate, so the same
//! source builds against this API; its `#[entry]` calls [`start`] with the bench's `main`. Nothing
//! of the runner (QEMU, the trace plugin, the judges, the reports) is linked into the firmware.
//!
//! # The protocol (semihosting command line in, semihosting output out)
//!
//! - `ctv list`: one line per check, `check INDEX SIZE FIXED RANDOM PUBLICS NAME` (secret input
//!   size in bytes, number of fixed corner cases, of random inputs and of public inputs; the name
//!   last, so it may hold spaces), then `ctv: end`.
//! - `ctv run INDEX PUBLIC LABEL HEX [systick]`: builds the secret input `LABEL` (`zeros`, `ones`,
//!   `fixed#I`, or `random#I` from `HEX`, chosen by the host), the `PUBLIC`-th public input, then
//!   calls [`ct_marker_start`], the check once, [`ct_marker_end`], prints `ctv: ran INDEX` and
//!   exits 0. With `systick`, SysTick counts core-clock ticks around the call and `ticks N` is
//!   printed (under QEMU's `-icount` that is an instruction count).
//!
//! - `ctv dudect INDEX PUBLIC`: dudect on the device (the module `dudect`): prints
//!   `dudect VERDICT T TEST MEASUREMENTS FIXED_MEAN RANDOM_MEAN RESOLUTION REPS SAMPLES UNIT`.
//!
//! The host's trace plugin records every PC and memory address between the two markers.
//! Exit status: 0 done; 3 unknown check; 4 malformed command line; 101 panic; 102 HardFault.
#![no_std]
#![warn(missing_docs)]

mod dudect;
pub mod input;
mod runtime;
mod suite;

pub use input::Input;
pub use rand_core::RngCore;
pub use runtime::{ct_marker_end, ct_marker_start, start};
pub use suite::{Config, Suite};
