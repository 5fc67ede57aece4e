//! Building a crate's suite as Cortex-M firmware: the crate ct-verify generates around a bench
//! file, and the build errors it turns into one line naming the check or crate at fault.
//!
//! For bench `B` of package `P`, ct-verify writes `<target dir>/ct-verify/firmware/P-B/`:
//!
//! - `Cargo.toml`: a binary depending on `P` (by path), on `P`'s dependencies and
//!   dev-dependencies as `P` declares them (except `ct-verify`), on `ct-verify-firmware` (the
//!   `no_std` twin of `ct_verify::Suite`) and on `cortex-m-rt`; release profile with debug info
//!   (the trace engine names functions and lines), one codegen unit and fat LTO;
//! - `memory.x`: the board's memory map from [`super::qemu::BOARDS`];
//! - `build.rs`: puts `memory.x` on the linker's search path;
//! - `src/bench/<bench file>`: a copy of the bench file with an `#[entry]` appended that calls
//!   its `main` through `ct_verify_firmware::start`;
//! - `src/main.rs`: `extern crate ct_verify_firmware as ct_verify;` (so the bench's
//!   `ct_verify::Suite` is the twin) and the copy as module `suite`.
//!
//! It is built with `cargo build --release --target T` into `<target dir>/ct-verify/firmware-target`
//! with `-C link-arg=-Tlink.x` and a `--remap-path-prefix` from the copy to the original as the
//! only rustflags (a `.cargo/config.toml` of the crate, made for its own binaries, does not
//! apply): debug info and errors name the user's file, at the user's lines.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use serde_json::Value;

use super::qemu::Board;
use crate::cargo::{self, Metadata};

/// A bench file built as firmware for one board.
#[derive(Clone, Debug)]
pub struct FirmwareSuite {
    /// Bench target name (`[[bench]] name`).
    pub bench: String,
    /// The bench's source file.
    pub source: PathBuf,
    /// The firmware image.
    pub elf: PathBuf,
}

/// A bench target that declares a suite.
#[derive(Clone, Debug)]
struct Bench {
    name: String,
    source: PathBuf,
    package: Value,
}

/// Where `ct-verify-firmware` is: beside this crate's sources when ct-verify is built from its
/// repository (or installed from it with `cargo install --path`); otherwise by version.
fn twin_dependency() -> String {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("firmware");
    if dir.join("Cargo.toml").is_file() {
        format!("path = {}", toml_str(&dir.display().to_string()))
    } else {
        format!("version = \"={}\"", env!("CARGO_PKG_VERSION"))
    }
}

/// A TOML basic string.
fn toml_str(s: &str) -> String {
    let mut out = String::from("\"");
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            c => out.push(c),
        }
    }
    out.push('"');
    out
}

/// The bench targets of the workspace's packages whose source declares a `ct_verify::Suite`.
fn suite_benches(meta: &Metadata, bench: Option<&str>) -> Result<Vec<Bench>, String> {
    let members: Vec<&str> = meta.json["workspace_members"]
        .as_array()
        .map(|a| a.iter().filter_map(Value::as_str).collect())
        .unwrap_or_default();
    let mut out = Vec::new();
    for p in meta.json["packages"].as_array().into_iter().flatten() {
        if !members.contains(&p["id"].as_str().unwrap_or("")) {
            continue;
        }
        for t in p["targets"].as_array().into_iter().flatten() {
            let is_bench = t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|x| x == "bench"));
            let name = t["name"].as_str().unwrap_or("");
            if !is_bench || bench.is_some_and(|b| b != name) {
                continue;
            }
            let source = PathBuf::from(t["src_path"].as_str().unwrap_or(""));
            let text = std::fs::read_to_string(&source).unwrap_or_default();
            if text.contains("Suite") && text.contains("ct_verify") {
                out.push(Bench {
                    name: name.to_string(),
                    source,
                    package: p.clone(),
                });
            } else if bench.is_some() {
                return Err(format!(
                    "bench `{name}` ({}) declares no ct_verify::Suite",
                    source.display()
                ));
            }
        }
    }
    if out.is_empty() {
        return Err(match bench {
            Some(b) => format!("no bench target named `{b}`"),
            None => "no bench target declares a ct_verify::Suite (add one, e.g. benches/ct.rs with `harness = false`)".into(),
        });
    }
    Ok(out)
}

/// One `[dependencies]` line for a dependency as `cargo metadata` reports it, or `None` for one
/// the firmware does not need (build-dependencies, optional or platform-specific ones, ct-verify).
fn dependency_line(dep: &Value) -> Result<Option<String>, String> {
    let name = dep["name"].as_str().unwrap_or("");
    let kind = dep["kind"].as_str();
    if name == "ct-verify"
        || kind == Some("build")
        || dep["optional"] == true
        || !dep["target"].is_null()
    {
        return Ok(None);
    }
    let key = dep["rename"].as_str().unwrap_or(name);
    let mut fields = vec![format!("package = {}", toml_str(name))];
    if let Some(path) = dep["path"].as_str() {
        fields.push(format!("path = {}", toml_str(path)));
    } else {
        let source = dep["source"].as_str().unwrap_or("");
        if !source.starts_with("registry+https://github.com/rust-lang/crates.io-index")
            && !source.starts_with("sparse+https://index.crates.io")
        {
            return Err(format!(
                "dependency `{name}` comes from {source}: the firmware build supports crates.io and path dependencies"
            ));
        }
        fields.push(format!(
            "version = {}",
            toml_str(dep["req"].as_str().unwrap_or("*"))
        ));
    }
    if dep["uses_default_features"] == false {
        fields.push("default-features = false".into());
    }
    let features: Vec<String> = dep["features"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(Value::as_str)
        .map(toml_str)
        .collect();
    if !features.is_empty() {
        fields.push(format!("features = [{}]", features.join(", ")));
    }
    Ok(Some(format!("{} = {{ {} }}", key, fields.join(", "))))
}

/// Writes the generated crate for `bench` on `board`; returns its manifest.
fn generate(
    dir: &Path,
    bench: &Bench,
    board: &Board,
    handlers: Handlers,
) -> Result<PathBuf, String> {
    let manifest = manifest(bench, board, handlers)?;
    // The bench file becomes module `suite`, in a copy with the entry point appended (its
    // `main` is private to it); the build maps the copy's directory back to the original's, so
    // debug info and compiler errors name the user's file and lines.
    let file_name = bench
        .source
        .file_name()
        .map(|f| f.to_string_lossy().into_owned())
        .unwrap_or_else(|| "ct.rs".into());
    let original = std::fs::read_to_string(&bench.source)
        .map_err(|e| format!("cannot read {}: {e}", bench.source.display()))?;
    let suite = format!(
        "{original}\n#[cortex_m_rt::entry]\nfn ct_verify_entry() -> ! {{\n    ct_verify_firmware::start(main)\n}}\n"
    );
    let main = format!(
        "//! Generated by `cargo ct-verify --target {triple}`: the suite of bench `{bench}` as firmware.\n\
         #![no_std]\n#![no_main]\n\n\
         // The bench's `ct_verify::...` paths name the no_std twin.\n\
         extern crate ct_verify_firmware as ct_verify;\n\n\
         #[allow(dead_code, unused_imports, clippy::all)]\n\
         #[path = \"bench/{file_name}\"]\n\
         mod suite;\n",
        triple = board.triple,
        bench = bench.name,
    );
    write_if_changed(dir, "Cargo.toml", &manifest)?;
    write_if_changed(dir, "src/main.rs", &main)?;
    write_if_changed(dir, &format!("src/bench/{file_name}"), &suite)?;
    write_if_changed(dir, "build.rs", BUILD_RS)?;
    write_if_changed(dir, "memory.x", &board.memory_x())?;
    Ok(dir.join("Cargo.toml"))
}

/// The generated crate's build script.
const BUILD_RS: &str =
    "//! Puts the board's memory.x (written beside this file) on the linker's search path.\n\
     fn main() {\n    \
     let dir = std::env::var(\"CARGO_MANIFEST_DIR\").unwrap_or_default();\n    \
     println!(\"cargo:rustc-link-search={dir}\");\n    \
     println!(\"cargo:rerun-if-changed=memory.x\");\n}\n";

/// Writes `text` to `dir/rel`, creating directories; an unchanged file is not rewritten, so
/// cargo's fingerprints keep it from being rebuilt.
fn write_if_changed(dir: &Path, rel: &str, text: &str) -> Result<(), String> {
    let path = dir.join(rel);
    if std::fs::read_to_string(&path).is_ok_and(|old| old == text) {
        return Ok(());
    }
    if let Some(parent) = path.parent() {
        std::fs::create_dir_all(parent)
            .map_err(|e| format!("cannot create {}: {e}", parent.display()))?;
    }
    std::fs::write(&path, text).map_err(|e| format!("cannot write {}: {e}", path.display()))
}

/// The generated crate's Cargo.toml: the bench's package (as its library's name) and its
/// dependencies, ct-verify-firmware with the wanted handlers, and a debuggable fat-LTO release.
fn manifest(bench: &Bench, board: &Board, handlers: Handlers) -> Result<String, String> {
    let p = &bench.package;
    let pkg = p["name"].as_str().unwrap_or("");
    let deps = dependencies(p, handlers)?;
    let edition = p["edition"].as_str().unwrap_or("2021");
    Ok(format!(
        "# Generated by `cargo ct-verify --target {triple}` from bench `{bench}` of `{pkg}`: rewritten on\n\
         # every run, do not edit.\n\
         [package]\nname = \"ctv-firmware\"\nversion = \"0.0.0\"\nedition = \"{edition}\"\npublish = false\n\n\
         [workspace]\n\n\
         [[bin]]\nname = \"ctv-firmware\"\npath = \"src/main.rs\"\ntest = false\nbench = false\n\n\
         [dependencies]\n{deps}\n\n\
         [profile.release]\ndebug = true\ncodegen-units = 1\nlto = \"fat\"\nopt-level = 3\n",
        triple = board.triple,
        bench = bench.name,
        deps = deps.join("\n"),
    ))
}

/// The `[dependencies]` lines of the generated crate, for the package `p` of `cargo metadata`:
/// its library, its own dependencies (each key once), ct-verify-firmware, cortex-m-rt.
fn dependencies(p: &Value, handlers: Handlers) -> Result<Vec<String>, String> {
    let pkg = p["name"].as_str().unwrap_or("");
    let pkg_dir = p["manifest_path"]
        .as_str()
        .and_then(|m| Path::new(m).parent())
        .ok_or("cargo metadata gives the package no manifest path")?;
    let lib_name = p["targets"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|t| {
            t["kind"]
                .as_array()
                .is_some_and(|k| k.iter().any(|x| x == "lib" || x == "rlib"))
        })
        .and_then(|t| t["name"].as_str())
        .map(|n| n.replace('-', "_"));
    let mut deps = Vec::new();
    if let Some(lib) = &lib_name {
        deps.push(format!(
            "{lib} = {{ package = {}, path = {} }}",
            toml_str(pkg),
            toml_str(&pkg_dir.display().to_string())
        ));
    }
    let mut seen = std::collections::BTreeSet::new();
    for d in p["dependencies"].as_array().into_iter().flatten() {
        if let Some(line) = dependency_line(d)? {
            let key = line.split(' ').next().unwrap_or("").to_string();
            if Some(&key) != lib_name.as_ref() && seen.insert(key) {
                deps.push(line);
            }
        }
    }
    let mut features = Vec::new();
    if handlers.panic {
        features.push("\"panic-handler\"");
    }
    if handlers.hardfault {
        features.push("\"hardfault-handler\"");
    }
    deps.push(format!(
        "ct-verify-firmware = {{ {}, default-features = false, features = [{}] }}",
        twin_dependency(),
        features.join(", ")
    ));
    if !seen.contains("cortex-m-rt") {
        deps.push("cortex-m-rt = \"0.7\"".into());
    }
    Ok(deps)
}

/// Which of ct-verify-firmware's handlers the image gets (off when the crate has its own).
#[derive(Clone, Copy, Debug)]
struct Handlers {
    panic: bool,
    hardfault: bool,
}

/// One compiler error, from cargo's JSON messages.
#[derive(Clone, Debug)]
struct CompileError {
    /// The package being compiled (`name` from its package id).
    package: String,
    /// Whether it is the generated firmware crate.
    generated: bool,
    message: String,
    /// Primary span: file and line.
    at: Option<(PathBuf, usize)>,
}

/// Builds every suite bench of the crate as firmware for `board`.
pub fn build(
    manifest_path: Option<&Path>,
    bench: Option<&str>,
    board: &Board,
) -> Result<Vec<FirmwareSuite>, String> {
    let meta = cargo::metadata(manifest_path, true)?;
    let benches = suite_benches(&meta, bench)?;
    let root = meta.target_directory.join("ct-verify");
    let mut out = Vec::new();
    for b in &benches {
        let pkg = b.package["name"].as_str().unwrap_or("");
        let dir = root.join("firmware").join(format!("{pkg}-{}", b.name));
        // Start from the crate's own lock file: the firmware gets the dependency versions the
        // crate was tested with, and resolving needs no network.
        let lock = meta.workspace_root.join("Cargo.lock");
        if !dir.join("Cargo.lock").exists() && lock.is_file() {
            std::fs::create_dir_all(&dir)
                .and_then(|()| std::fs::copy(&lock, dir.join("Cargo.lock")))
                .map_err(|e| format!("cannot copy {} to {}: {e}", lock.display(), dir.display()))?;
        }
        let target_dir = root.join("firmware-target");
        let mut handlers = Handlers {
            panic: true,
            hardfault: true,
        };
        // At most two retries: the crate may bring its own panic and HardFault handlers.
        let elf = loop {
            let manifest = generate(&dir, b, board, handlers)?;
            let bench_dir = b.source.parent().unwrap_or(Path::new("."));
            match cargo_build(&manifest, &target_dir, board, bench_dir)? {
                Ok(elf) => break elf,
                Err(errors) => {
                    let text: String = errors.iter().map(|e| e.message.as_str()).collect();
                    if handlers.panic && text.contains("duplicate lang item") {
                        handlers.panic = false;
                        continue;
                    }
                    if handlers.hardfault && text.contains("HardFault") {
                        // The crate defines its own fault handler.
                        handlers.hardfault = false;
                        continue;
                    }
                    return Err(explain(&errors, b, pkg, board));
                }
            }
        };
        out.push(FirmwareSuite {
            bench: b.name.clone(),
            source: b.source.clone(),
            elf,
        });
    }
    Ok(out)
}

/// `cargo build --release --target T` of the generated crate: the ELF, or the compiler errors.
fn cargo_build(
    manifest: &Path,
    target_dir: &Path,
    board: &Board,
    bench_dir: &Path,
) -> Result<Result<PathBuf, Vec<CompileError>>, String> {
    let dir = manifest.parent().unwrap_or(Path::new("."));
    let copy = dir.join("src").join("bench");
    let rustflags = [
        "-Clink-arg=-Tlink.x".to_string(),
        format!(
            "--remap-path-prefix={}={}",
            copy.display(),
            bench_dir.display()
        ),
        format!("--remap-path-prefix=src/bench={}", bench_dir.display()),
    ]
    .join("\x1f");
    let out = Command::new(cargo::cargo())
        .args(["build", "--release", "--target", board.triple])
        .arg("--manifest-path")
        .arg(manifest)
        .arg("--message-format=json")
        .env("CARGO_TARGET_DIR", target_dir)
        .env("CARGO_ENCODED_RUSTFLAGS", rustflags)
        .env_remove("RUSTFLAGS")
        .current_dir(dir)
        .stdin(Stdio::null())
        .output()
        .map_err(|e| format!("cannot run cargo: {e}"))?;
    let (elf, errors) = build_messages(&String::from_utf8_lossy(&out.stdout));
    if out.status.success() {
        return elf
            .map(Ok)
            .ok_or_else(|| "cargo built no firmware image".to_string());
    }
    if errors.is_empty() {
        let stderr = String::from_utf8_lossy(&out.stderr);
        let tail: Vec<&str> = stderr.lines().rev().take(12).collect();
        let tail: Vec<&str> = tail.into_iter().rev().collect();
        return Err(format!(
            "building the firmware for {} failed:\n{}",
            board.triple,
            tail.join("\n")
        ));
    }
    Ok(Err(errors))
}

/// From cargo's JSON messages: the firmware image (the last one reported) and the compiler
/// errors, in the order cargo gave them.
fn build_messages(stdout: &str) -> (Option<PathBuf>, Vec<CompileError>) {
    let mut errors = Vec::new();
    let mut elf = None;
    for msg in stdout
        .lines()
        .filter_map(|l| serde_json::from_str::<Value>(l).ok())
    {
        match msg["reason"].as_str() {
            Some("compiler-artifact") if msg["target"]["name"] == "ctv-firmware" => {
                elf = msg["executable"].as_str().map(PathBuf::from);
            }
            // LTO reports a second HardFault as a warning before the error it causes.
            Some("compiler-message") if msg["message"]["level"] == "warning" => {
                if let Some(m) = msg["message"]["message"].as_str() {
                    if m.contains("multiply defined") {
                        errors.push(CompileError {
                            package: package_name(msg["package_id"].as_str().unwrap_or("")),
                            generated: true,
                            message: m.to_string(),
                            at: None,
                        });
                    }
                }
            }
            Some("compiler-message") if msg["message"]["level"] == "error" => {
                errors.push(compile_error(&msg));
            }
            _ => {}
        }
    }
    (elf, errors)
}

/// A compiler error message of cargo's JSON, with its primary span.
fn compile_error(msg: &Value) -> CompileError {
    let id = msg["package_id"].as_str().unwrap_or("");
    let span = msg["message"]["spans"]
        .as_array()
        .into_iter()
        .flatten()
        .find(|s| s["is_primary"] == true);
    CompileError {
        package: package_name(id),
        generated: package_name(id) == "ctv-firmware",
        message: msg["message"]["message"].as_str().unwrap_or("").to_string(),
        at: span.map(|s| {
            (
                PathBuf::from(s["file_name"].as_str().unwrap_or("")),
                s["line_start"].as_u64().unwrap_or(0) as usize,
            )
        }),
    }
}

/// The package name in a cargo package id (`path+file:///x/my-crate#0.1.0`,
/// `registry+...#name@1.0`, or the older `name 0.1.0 (source)`).
fn package_name(id: &str) -> String {
    if let Some((_, frag)) = id.rsplit_once('#') {
        if let Some((name, _)) = frag.split_once('@') {
            return name.to_string();
        }
        // `#0.1.0`: the name is the last path segment.
        let path = id.rsplit_once('#').map_or(id, |(p, _)| p);
        return path.rsplit('/').next().unwrap_or(path).to_string();
    }
    id.split(' ').next().unwrap_or(id).to_string()
}

/// The check an error at `line` of the bench source belongs to: the last `.check(` or
/// `.check_with(` call starting at or before that line, named by the first string literal after
/// it (on the same line or a later one).
pub fn check_at_line(source: &str, line: usize) -> Option<String> {
    let mut found = None;
    let mut pending: Option<usize> = None;
    for (i, l) in source.lines().enumerate() {
        let mut rest = l;
        for call in [".check(", ".check_with("] {
            if let Some(at) = l.find(call) {
                pending = Some(i + 1);
                rest = &l[at + call.len()..];
            }
        }
        if let Some(start) = pending {
            if let Some(q) = rest.find('"') {
                let lit = &rest[q + 1..];
                if let Some(end) = lit.find('"') {
                    if start <= line {
                        found = Some(lit[..end].to_string());
                    }
                    pending = None;
                }
            }
        }
        if i + 1 > line && pending.is_none() {
            break;
        }
    }
    found
}

/// One error line for a failed firmware build, naming the check or the crate at fault.
fn explain(errors: &[CompileError], bench: &Bench, pkg: &str, board: &Board) -> String {
    // LTO's "multiply defined" warning is kept only to decide on the handlers; name the error.
    let first = errors
        .iter()
        .find(|e| !e.message.contains("multiply defined"))
        .unwrap_or(&errors[0]);
    let hint_std = "on Cortex-M the suite is built without std and alloc: move checks that need them into another bench target and select targets with --bench";
    if first.generated {
        if let Some((file, line)) = &first.at {
            if file == &bench.source || file.file_name() == bench.source.file_name() {
                let source = std::fs::read_to_string(&bench.source).unwrap_or_default();
                let rel = file.display();
                return match check_at_line(&source, *line) {
                    Some(check) => format!(
                        "check `{check}` ({rel}:{line}) does not build for {}: {}; {hint_std}",
                        board.triple, first.message
                    ),
                    None => format!(
                        "bench `{}` ({rel}:{line}) does not build for {}: {}; {hint_std}",
                        bench.name, board.triple, first.message
                    ),
                };
            }
        }
        return format!(
            "the firmware of bench `{}` does not build for {}: {}",
            bench.name, board.triple, first.message
        );
    }
    let at = first
        .at
        .as_ref()
        .map(|(f, l)| format!(" at {}:{l}", f.display()))
        .unwrap_or_default();
    let whose = if first.package == pkg {
        format!("crate `{pkg}`")
    } else {
        format!("`{}` (a dependency of `{pkg}`)", first.package)
    };
    format!(
        "{whose} does not build for {} (no_std, {}): {}{at}; a crate checked on Cortex-M must build with #![no_std] for its target",
        board.triple, board.core, first.message
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn check_names_by_line() {
        let src = "fn main() {\n    Suite::new()\n        .check(\"a\", |s: &u8| f(s))\n        .check_with(\n            \"b\",\n            Config::new(),\n            |s: &u8, _: &()| g(s),\n        )\n        .check( \"c\", |s: &u8| h(s))\n        .run();\n}\n";
        assert_eq!(check_at_line(src, 2), None);
        assert_eq!(check_at_line(src, 3).as_deref(), Some("a"));
        // The name on a later line than `.check_with(`: lines 4 to 8 are check `b`.
        assert_eq!(check_at_line(src, 4).as_deref(), Some("b"));
        assert_eq!(check_at_line(src, 7).as_deref(), Some("b"));
        assert_eq!(check_at_line(src, 9).as_deref(), Some("c"));
        assert_eq!(check_at_line(src, 10).as_deref(), Some("c"));
    }

    #[test]
    fn dependencies_as_declared() {
        let dep = |v: Value| dependency_line(&v).unwrap();
        assert_eq!(
            dep(serde_json::json!({"name": "subtle", "req": "^2.6", "kind": null,
                "source": "registry+https://github.com/rust-lang/crates.io-index",
                "uses_default_features": false, "features": ["const-generics"],
                "optional": false, "target": null})),
            Some("subtle = { package = \"subtle\", version = \"^2.6\", default-features = false, features = [\"const-generics\"] }".into())
        );
        assert_eq!(
            dep(
                serde_json::json!({"name": "secret-core", "rename": "sc", "req": "*", "kind": "dev",
                "path": "/x/secret-core", "uses_default_features": true, "features": [],
                "optional": false, "target": null})
            ),
            Some("sc = { package = \"secret-core\", path = \"/x/secret-core\" }".into())
        );
        // Not needed by the firmware: ct-verify itself (the twin replaces it), build and
        // optional dependencies.
        for skipped in [
            serde_json::json!({"name": "ct-verify", "kind": "dev", "path": "/x", "optional": false, "target": null}),
            serde_json::json!({"name": "cc", "kind": "build", "req": "1", "optional": false, "target": null}),
            serde_json::json!({"name": "serde", "kind": null, "req": "1", "optional": true, "target": null}),
        ] {
            assert_eq!(dep(skipped), None);
        }
        let git = serde_json::json!({"name": "x", "kind": null, "req": "*", "optional": false,
            "target": null, "source": "git+https://example.invalid/x#abc"});
        assert!(dependency_line(&git)
            .unwrap_err()
            .contains("`x` comes from git+"));
    }

    #[test]
    fn package_names_from_ids() {
        assert_eq!(package_name("path+file:///x/my-crate#0.1.0"), "my-crate");
        assert_eq!(
            package_name("registry+https://github.com/rust-lang/crates.io-index#syn@2.0.1"),
            "syn"
        );
        assert_eq!(
            package_name("path+file:///x/dir#my-crate@0.1.0"),
            "my-crate"
        );
        assert_eq!(package_name("my-crate 0.1.0 (path+file:///x)"), "my-crate");
    }
}
