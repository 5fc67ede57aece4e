//! Checks that secret-core's primitives compile to no division on Cortex-M0 and M4 at
//! opt-level "s" and "z", the levels firmware is usually built at.
//!
//! At those levels LLVM leaves core's iterator code out of line, so helpers such as
//! `ChunksExact`'s `len % chunk_size` keep a run-time divisor and become a `udiv` (M4) or a
//! call to `__aeabi_uidiv` (M0, which has no divider). The operands are public lengths, but
//! ct-verify's audit reports every division it sees, and a division of a secret would be the
//! KyberSlash pattern; secret-core's own code has none.
//!
//! The fixture crate tests/arch-check/no-division (its own workspace) has one `#[no_mangle]`
//! function per primitive. It is built with `cargo rustc --release -- --emit asm -C
//! codegen-units=1` for each core and level, and every function that a primitive reaches
//! through calls and tail calls in the listing is searched for `udiv`, `sdiv` and the
//! division helpers. The controls must be found: `control_division` (a plain `/`) and
//! `control_chunks_exact` (the `chunks_exact` word loop secret-core's byte compare used
//! before), else the search proves nothing.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;

use crate::{run_text, Failure};

const FIXTURE: &str = "tests/arch-check/no-division";

/// Cortex-M0 (no divider: division is a library call) and M4 (`udiv`/`sdiv`).
const TARGETS: [&str; 2] = ["thumbv6m-none-eabi", "thumbv7em-none-eabihf"];

/// The optimization levels firmware is built at.
const OPT_LEVELS: [&str; 2] = ["s", "z"];

/// Fixture functions whose name starts with this must reach a division.
const CONTROL: &str = "control_";

/// `no-division`: builds and checks every target and level; no arguments.
pub fn main(args: &[String]) -> Result<(), Failure> {
    if !args.is_empty() {
        return Err(Failure::cannot("usage: cargo xtask no-division"));
    }
    let rustc = run_text(Command::new("rustc").arg("-V"))?;
    let mut failures = 0;
    for target in TARGETS {
        for opt in OPT_LEVELS {
            let (path, text) = emit_asm(target, opt)?;
            let shown = path.strip_prefix("tests/arch-check/").unwrap_or(&path);
            println!("no-division: {rustc}, {target}, opt-level \"{opt}\", assembly in {shown}");
            let report = check(&Listing::parse(&text));
            for line in &report.lines {
                println!("{line}");
            }
            failures += report.failures;
        }
    }
    if failures > 0 {
        return Err(Failure::failed(format!(
            "{failures} check(s) FAILED (fixture: {FIXTURE})"
        )));
    }
    println!("no-division: all checks passed");
    Ok(())
}

/// Builds the fixture for `target` at `opt` and returns its `.s` file and text.
fn emit_asm(target: &str, opt: &str) -> Result<(String, String), Failure> {
    let manifest = format!("{FIXTURE}/Cargo.toml");
    let target_dir = format!("{FIXTURE}/target");
    let deps: PathBuf = [&target_dir, target, "release", "deps"].iter().collect();
    // cargo does not know about the .s file: remove old ones and rebuild the fixture itself
    // (its dependencies stay cached), so the listing is the one of this level.
    if let Ok(entries) = std::fs::read_dir(&deps) {
        for entry in entries.flatten() {
            let name = entry.file_name().to_string_lossy().into_owned();
            if name.starts_with("no_division-") && name.ends_with(".s") {
                std::fs::remove_file(entry.path())?;
            }
        }
    }
    let cargo = |args: &[&str]| {
        let mut command = crate::fixture_cargo(args, &manifest, &target_dir);
        command
            .args(["--target", target])
            .env("CARGO_PROFILE_RELEASE_OPT_LEVEL", opt);
        command
    };
    run_text(&mut cargo(&[
        "clean",
        "--quiet",
        "--release",
        "-p",
        "no-division",
    ]))?;
    let mut build = cargo(&["rustc", "--quiet", "--release", "--lib"]);
    let status = build
        .args(["--", "--emit", "asm", "-C", "codegen-units=1"])
        .status()?;
    if !status.success() {
        return Err(Failure::cannot(format!(
            "the fixture did not build: {build:?}"
        )));
    }
    let files: Vec<PathBuf> = std::fs::read_dir(&deps)?
        .flatten()
        .map(|e| e.path())
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.starts_with("no_division-") && name.ends_with(".s")
        })
        .collect();
    match files.as_slice() {
        [one] => Ok((
            one.to_string_lossy().into_owned(),
            std::fs::read_to_string(one)?,
        )),
        other => Err(Failure::cannot(format!(
            "expected one no_division-*.s in {}, found {}",
            deps.display(),
            other.len()
        ))),
    }
}

/// The functions of an Arm assembly listing: name to instructions (comments, directives and
/// labels removed).
#[derive(Debug, Default)]
pub struct Listing {
    functions: BTreeMap<String, Vec<String>>,
}

impl Listing {
    /// Splits a listing into functions: a function is a symbol declared with `.type
    /// NAME,%function`; its body runs from `NAME:` to `.Lfunc_end` or the next function.
    pub fn parse(text: &str) -> Listing {
        let names: BTreeSet<&str> = text
            .lines()
            .filter_map(|l| l.trim().strip_prefix(".type"))
            .filter_map(|rest| {
                let (name, kind) = rest.split_once(',')?;
                (kind.trim() == "%function").then(|| name.trim())
            })
            .collect();
        let mut functions = BTreeMap::new();
        let mut current: Option<(String, Vec<String>)> = None;
        for line in text.lines() {
            let code = line.split('@').next().unwrap_or("").trim();
            if let Some(label) = code.strip_suffix(':') {
                if names.contains(label) {
                    if let Some((name, body)) = current.take() {
                        functions.insert(name, body);
                    }
                    current = Some((label.to_string(), Vec::new()));
                } else if label.starts_with(".Lfunc_end") {
                    if let Some((name, body)) = current.take() {
                        functions.insert(name, body);
                    }
                }
                continue;
            }
            if code.is_empty() || code.starts_with('.') {
                continue;
            }
            if let Some((_, body)) = current.as_mut() {
                body.push(code.split_whitespace().collect::<Vec<_>>().join(" "));
            }
        }
        if let Some((name, body)) = current {
            functions.insert(name, body);
        }
        Listing { functions }
    }

    /// The fixture's own functions: those with unmangled names (`#[no_mangle]`).
    fn roots(&self) -> impl Iterator<Item = &str> {
        self.functions.keys().map(String::as_str).filter(|n| {
            !n.starts_with("_ZN") && !n.starts_with("_R") && !n.starts_with("OUTLINED_FUNCTION")
        })
    }

    /// Every division that `root` executes or can reach through calls and tail calls to
    /// functions of the listing: (function, instruction).
    pub fn divisions_from(&self, root: &str) -> Vec<(String, String)> {
        let mut seen = BTreeSet::new();
        let mut stack = vec![root.to_string()];
        let mut found = Vec::new();
        while let Some(name) = stack.pop() {
            if !seen.insert(name.clone()) {
                continue;
            }
            let Some(body) = self.functions.get(&name) else {
                continue;
            };
            for instruction in body {
                if is_division(instruction) {
                    found.push((name.clone(), instruction.clone()));
                }
                if let Some(callee) = call_target(instruction) {
                    stack.push(callee.to_string());
                }
            }
        }
        found
    }
}

/// A division instruction (`udiv`, `sdiv`) or a call to a division helper (`__aeabi_uidiv`,
/// `__aeabi_idivmod`, `__aeabi_uldivmod`, compiler-rt's `__udivsi3`, ...).
pub fn is_division(instruction: &str) -> bool {
    let mnemonic = instruction.split_whitespace().next().unwrap_or("");
    let base = mnemonic.split('.').next().unwrap_or("");
    if base == "udiv" || base == "sdiv" {
        return true;
    }
    instruction
        .split(|c: char| !(c.is_alphanumeric() || c == '_'))
        .any(|symbol| {
            let helper = symbol.starts_with("__aeabi_")
                || symbol.starts_with("__udiv")
                || symbol.starts_with("__div")
                || symbol.starts_with("__umod")
                || symbol.starts_with("__mod");
            helper && (symbol.contains("div") || symbol.contains("mod"))
        })
}

/// The symbol a call or tail call goes to (`bl f`, `blx f`, `b f`, `b.w f`), when it is a
/// symbol rather than a local label.
fn call_target(instruction: &str) -> Option<&str> {
    let mut words = instruction.split_whitespace();
    let mnemonic = words.next()?;
    if !matches!(mnemonic, "bl" | "blx" | "b" | "b.w") {
        return None;
    }
    let target = words.next()?;
    (!target.starts_with(".L") && !target.starts_with('r')).then_some(target)
}

/// PASS/FAIL lines for one listing and the number of failures.
pub struct Report {
    /// One line per fixture function (and per division found).
    pub lines: Vec<String>,
    /// Primitives that reach a division, controls that do not, or a listing without either.
    pub failures: usize,
}

/// Checks every fixture function of one listing.
pub fn check(listing: &Listing) -> Report {
    let mut report = Report {
        lines: Vec::new(),
        failures: 0,
    };
    let (mut primitives, mut controls) = (0, 0);
    for root in listing.roots() {
        let divisions = listing.divisions_from(root);
        let control = root.starts_with(CONTROL);
        match (control, divisions.is_empty()) {
            (false, true) => {
                primitives += 1;
                report.lines.push(format!("PASS  {root}: no division"));
            }
            (false, false) => {
                primitives += 1;
                report.failures += 1;
                report
                    .lines
                    .push(format!("FAIL  {root}: reaches a division"));
                for (function, instruction) in divisions {
                    report
                        .lines
                        .push(format!("      in {function}: {instruction}"));
                }
            }
            (true, false) => {
                controls += 1;
                let (function, instruction) = &divisions[0];
                report.lines.push(format!(
                    "PASS  {root} (control): division found, in {function}: {instruction}"
                ));
            }
            (true, true) => {
                controls += 1;
                report.failures += 1;
                report.lines.push(format!(
                    "FAIL  {root} (control): no division found, so the search proves nothing"
                ));
            }
        }
    }
    if primitives == 0 || controls == 0 {
        report.failures += 1;
        report.lines.push(format!(
            "FAIL  the listing has {primitives} primitive(s) and {controls} control(s): the \
             fixture's #[no_mangle] functions were not found"
        ));
    }
    report
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "\
\t.type\tclean,%function
clean:
\t.fnstart
\tbl\thelper
\tbx\tlr
.Lfunc_end0:
\t.type\thelper,%function
helper:
\tands\tr0, r1 @ and
\tbx\tlr
.Lfunc_end1:
\t.type\tleaky,%function
leaky:
\tb.w\t_ZN4core5inner17h0E
.Lfunc_end2:
\t.type\t_ZN4core5inner17h0E,%function
_ZN4core5inner17h0E:
.LBB3_1:
\tudiv\tr0, r0, r1
\tbx\tlr
.Lfunc_end3:
\t.type\tcontrol_m0,%function
control_m0:
\tbl\t__aeabi_uidiv
\tpop\t{r7, pc}
.Lfunc_end4:
";

    #[test]
    fn divisions_are_found_through_calls_and_tail_calls_only() {
        let listing = Listing::parse(LISTING);
        assert!(listing.divisions_from("clean").is_empty());
        assert_eq!(
            listing.divisions_from("leaky"),
            [(
                "_ZN4core5inner17h0E".to_string(),
                "udiv r0, r0, r1".to_string()
            )]
        );
        assert_eq!(listing.divisions_from("control_m0").len(), 1);
    }

    #[test]
    fn check_fails_on_a_leaky_primitive_and_passes_the_control() {
        let report = check(&Listing::parse(LISTING));
        assert_eq!(report.failures, 1, "{:?}", report.lines);
        assert!(report.lines.iter().any(|l| l.starts_with("FAIL  leaky")));
        assert!(report
            .lines
            .iter()
            .any(|l| l.starts_with("PASS  control_m0")));
    }

    #[test]
    fn a_control_without_division_fails() {
        let text = LISTING.replace("bl\t__aeabi_uidiv", "bl\thelper");
        let report = check(&Listing::parse(&text));
        assert!(report
            .lines
            .iter()
            .any(|l| l.starts_with("FAIL  control_m0")));
    }

    #[test]
    fn helpers_and_instructions() {
        for yes in [
            "udiv r0, r0, r1",
            "sdiv.w r2, r3, r4",
            "bl __aeabi_uidiv",
            "bl __aeabi_uldivmod",
            "b __udivsi3",
            "ldr r3, .LCPI0_0 @ __aeabi_idivmod",
        ] {
            assert!(is_division(yes), "{yes}");
        }
        for no in [
            "bl __aeabi_memclr",
            "umull r0, r1, r2, r3",
            "bl divide_by_shift",
        ] {
            assert!(!is_division(no), "{no}");
        }
    }
}
