//! The QEMU TCG trace plugin (`qemu-plugin/ctv_trace.c`): embedded in the binary, compiled
//! with the system C compiler on first use into a cache directory.
//!
//! It is our own C against the documented plugin API, version 1 (what QEMU 7.2 loads): no QEMU
//! header is needed, and nothing GPL is linked into ct-verify.

use std::collections::hash_map::DefaultHasher;
use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

/// The plugin's source.
pub const SOURCE: &str = include_str!("../../qemu-plugin/ctv_trace.c");

/// The C compiler (`$CC`, else `cc`).
fn compiler() -> String {
    std::env::var("CC").unwrap_or_else(|_| "cc".to_string())
}

/// Returns the compiled plugin in `cache_dir`, building it if needed.
pub fn ensure_built(cache_dir: &Path) -> Result<PathBuf, String> {
    let mut h = DefaultHasher::new();
    SOURCE.hash(&mut h);
    compiler().hash(&mut h);
    let so = cache_dir.join(format!("ctv_trace-{:016x}.so", h.finish()));
    if so.is_file() {
        return Ok(so);
    }
    std::fs::create_dir_all(cache_dir)
        .map_err(|e| format!("cannot create {}: {e}", cache_dir.display()))?;
    let src = cache_dir.join("ctv_trace.c");
    std::fs::write(&src, SOURCE).map_err(|e| format!("cannot write {}: {e}", src.display()))?;
    let tmp = cache_dir.join(format!("ctv_trace-{}.so.tmp", std::process::id()));
    let cc = compiler();
    let out = Command::new(&cc)
        .args(["-shared", "-fPIC", "-O2", "-o"])
        .arg(&tmp)
        .arg(&src)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| {
            format!(
                "C compiler `{cc}` not found ({e}); it builds the QEMU trace plugin: install one with `apt-get install -y gcc` (or set CC)"
            )
        })?;
    if !out.status.success() {
        return Err(format!(
            "`{cc}` failed to build the QEMU trace plugin: {}",
            String::from_utf8_lossy(&out.stderr).trim()
        ));
    }
    std::fs::rename(&tmp, &so).map_err(|e| format!("cannot write {}: {e}", so.display()))?;
    Ok(so)
}

/// The `-plugin` argument: the plugin with the marker addresses and the output file.
pub fn argument(so: &Path, start: u32, end: u32, out: &Path) -> String {
    format!(
        "{},start={start:#x},end={end:#x},out={}",
        so.display(),
        out.display()
    )
}
