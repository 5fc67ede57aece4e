//! Puts the board's `memory.x` where cortex-m-rt's `link.x` finds it, chosen by target triple.

use std::env;
use std::fs;
use std::path::PathBuf;

/// Target triple → (QEMU board = memory/BOARD.x, core). Keep in sync with `.cargo/config.toml`.
/// The core's name is printed by every example (`SECRET_FIRMWARE_CORE`).
const BOARDS: &[(&str, &str, &str)] = &[
    ("thumbv6m-none-eabi", "microbit", "Cortex-M0"),
    ("thumbv7m-none-eabi", "mps2-an385", "Cortex-M3"),
    ("thumbv7em-none-eabihf", "mps2-an386", "Cortex-M4F"),
    ("thumbv7em-none-eabi", "mps2-an386", "Cortex-M4"),
    ("thumbv8m.main-none-eabihf", "mps2-an505", "Cortex-M33"),
    ("thumbv8m.main-none-eabi", "mps2-an505", "Cortex-M33"),
];

fn main() {
    let target = env::var("TARGET").expect("cargo sets TARGET");
    println!("cargo:rerun-if-changed=build.rs");
    println!("cargo:rerun-if-env-changed=SECRET_FIRMWARE_MEMORY_X");
    // ARMv6-M (Cortex-M0/M0+) has no DWT cycle counter: `src/timer.rs` leaves `DwtTimer` out.
    println!("cargo::rustc-check-cfg=cfg(armv6m)");
    if target.starts_with("thumbv6m-") {
        println!("cargo:rustc-cfg=armv6m");
    }

    let board = BOARDS.iter().find(|(t, _, _)| *t == target);
    let (board_name, core) = board.map_or(("unknown board", "unknown core"), |&(_, b, c)| (b, c));
    println!("cargo:rustc-env=SECRET_FIRMWARE_BOARD={board_name}");
    println!("cargo:rustc-env=SECRET_FIRMWARE_CORE={core}");

    // An explicit memory.x (a real board with a different map) wins over the QEMU default.
    let source =
        match env::var_os("SECRET_FIRMWARE_MEMORY_X") {
            Some(path) => PathBuf::from(path),
            None => match board {
                Some((_, board, _)) => PathBuf::from(format!("memory/{board}.x")),
                None if !target.starts_with("thumb") => {
                    // A host build (`cargo check` without --target): nothing to link for a board.
                    return;
                }
                None => panic!(
                "no QEMU board for target {target}; supported: {}; or set SECRET_FIRMWARE_MEMORY_X",
                BOARDS.iter().map(|(t, _, _)| *t).collect::<Vec<_>>().join(", ")
            ),
            },
        };
    println!("cargo:rerun-if-changed={}", source.display());
    let out = PathBuf::from(env::var_os("OUT_DIR").expect("cargo sets OUT_DIR"));
    fs::copy(&source, out.join("memory.x"))
        .unwrap_or_else(|e| panic!("copying {}: {e}", source.display()));
    println!("cargo:rustc-link-search={}", out.display());
}
