//! Helpers shared by ct-verify's integration tests (each test file is its own crate and
//! includes this module with `mod common;`; not every file uses every helper).
#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::process::Output;

/// The leak corpus's manifest (`corpus/`, a package of its own).
pub fn corpus() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("corpus")
        .join("Cargo.toml")
}

/// The edge-case suites' manifest (`tests/edge-suites/`, a package of its own).
pub fn edge_manifest() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/edge-suites/Cargo.toml")
}

/// An empty directory of the system's temp dir, named after the test binary, its process
/// and `name`, so that test binaries and their tests never share one.
pub fn scratch(name: &str) -> PathBuf {
    let binary = std::env::current_exe()
        .ok()
        .and_then(|p| p.file_stem().map(|s| s.to_string_lossy().into_owned()))
        .unwrap_or_default();
    let dir = std::env::temp_dir().join(format!("ctv-{binary}-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}

pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}
