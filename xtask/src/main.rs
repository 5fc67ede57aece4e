//! `cargo xtask <command>`: the repository's checks that are more than glue.
//!
//! - `bench-gate [--update]`: the performance gate (`scripts/bench-gate` calls it).
//! - `wipe-codegen`: the drop-time wipe in the emitted assembly
//!   (`tests/arch-check/wipe-codegen.sh` calls it).

use std::process::ExitCode;

fn main() -> ExitCode {
    let args: Vec<String> = std::env::args().skip(1).collect();
    match args.first().map(String::as_str) {
        _ => {
            eprintln!("usage: cargo xtask bench-gate [--update] | cargo xtask wipe-codegen");
            ExitCode::from(2)
        }
    }
}
