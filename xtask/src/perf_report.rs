//! The Cortex-M performance tables and their CI guard (`no_std-examples/perf.sh` glues the
//! builds and QEMU runs, this does the rest).
//!
//! Input: a directory of `TARGET-optLEVEL.log` files (the `perf` firmware's output: one line
//! `perf NAME INSTRUCTIONS` per wrapper) and `TARGET-optLEVEL.nm` files (`nm -S` of the same
//! ELF: the wrappers' code sizes). Every `perf_W_secret` is paired with each other `perf_W_*`
//! (its comparators). Output: per target, one ratio table across the opt-levels (secret-core
//! instructions / comparator instructions) and one table of the raw counts and sizes.
//!
//! For Cortex-M3 (`thumbv7m-*`), whose `UMULL`/`SMULL`/`UMLAL`/`SMLAL` take fewer cycles on
//! small operands, `TARGET-optLEVEL.dis` (`llvm-objdump -d` of the ELF) is read too: no long
//! multiply may be reachable from `perf_field_mul_secret` through calls and branches (so none
//! can execute; calls through a register loaded from a literal pool, which opt-level "z" makes,
//! included), while `perf_field_mul_plain` must reach some (the control: the disassembly is
//! read right). Either failing is exit 1.
//!
//! With `--check FILE`, every count is compared with the committed baseline (lines
//! `TARGET OPT NAME INSTRUCTIONS`): a count that grew, or one missing on either side, fails
//! (exit 1). Counts under QEMU's `-icount` are exact and depend only on the compiler, which
//! the baseline records; a count that shrank passes and asks for `--update`.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Command;

use crate::{run_text, Failure};

/// `(target, opt-level, wrapper name)` → instructions.
type Counts = BTreeMap<(String, String, String), u64>;

/// One run's data for one target and opt-level.
struct Run {
    target: String,
    opt: String,
    /// The core and board line the firmware prints.
    header: String,
    /// Wrapper names in the order the firmware ran them, with their instruction counts.
    insns: Vec<(String, u64)>,
    /// Wrapper name → code bytes (`nm -S`).
    bytes: BTreeMap<String, u64>,
}

/// `perf-report --logs DIR --targets "T..." --opt-levels "3 s z" [--check FILE | --update FILE]`.
pub fn main(args: &[String]) -> Result<(), Failure> {
    let mut logs = None;
    let mut targets = Vec::new();
    let mut opts = Vec::new();
    let mut check = None;
    let mut update = None;
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let mut value = || args.next().cloned().ok_or_else(usage);
        match arg.as_str() {
            "--logs" => logs = Some(value()?),
            "--targets" => targets = value()?.split_whitespace().map(String::from).collect(),
            "--opt-levels" => opts = value()?.split_whitespace().map(String::from).collect(),
            "--check" => check = Some(value()?),
            "--update" => update = Some(value()?),
            _ => return Err(usage()),
        }
    }
    let logs = logs.ok_or_else(usage)?;
    if targets.is_empty() || opts.is_empty() {
        return Err(usage());
    }
    let mut runs = Vec::new();
    for target in &targets {
        for opt in &opts {
            runs.push(read_run(Path::new(&logs), target, opt)?);
        }
    }
    let rustc = run_text(Command::new("rustc").arg("-V"))?;
    print!("{}", tables(&runs, &rustc));
    let mut long_mul_failures = 0;
    for r in runs.iter().filter(|r| r.target.starts_with("thumbv7m-")) {
        let path = Path::new(&logs).join(format!("{}-opt{}.dis", r.target, r.opt));
        let dis = std::fs::read_to_string(&path).map_err(|e| {
            Failure::cannot(format!(
                "reading {}: {e} (run no_std-examples/perf.sh)",
                path.display()
            ))
        })?;
        let functions = parse_disassembly(&dis);
        let secret = long_multiplies_reachable(&functions, "perf_field_mul_secret");
        let plain = long_multiplies_reachable(&functions, "perf_field_mul_plain");
        let ok = secret == Some(0) && plain.is_some_and(|n| n > 0);
        long_mul_failures += usize::from(!ok);
        println!(
            "{}  {} opt-level {}: long multiplies (UMULL/SMULL/UMLAL/SMLAL) reachable from \
             perf_field_mul_secret: {}; from perf_field_mul_plain (control, must be > 0): {}",
            if ok { "PASS" } else { "FAIL" },
            r.target,
            r.opt,
            secret.map_or("symbol not found".to_string(), |n| n.to_string()),
            plain.map_or("symbol not found".to_string(), |n| n.to_string()),
        );
    }
    if long_mul_failures > 0 {
        return Err(Failure::failed(format!(
            "{long_mul_failures} Cortex-M3 build(s) with a long multiply in secret-core's field \
             multiply (or a control that found none)"
        )));
    }
    let counts: Counts = runs
        .iter()
        .flat_map(|r| {
            r.insns
                .iter()
                .map(|(name, n)| ((r.target.clone(), r.opt.clone(), name.clone()), *n))
        })
        .collect();
    if let Some(file) = update {
        std::fs::write(&file, baseline_text(&rustc, &counts))?;
        println!("perf-report: wrote {} counts to {file}", counts.len());
    }
    if let Some(file) = check {
        let text = std::fs::read_to_string(&file)
            .map_err(|e| Failure::cannot(format!("reading the baseline {file}: {e}")))?;
        let (base_rustc, base) = parse_baseline(&text).map_err(Failure::cannot)?;
        if base_rustc != rustc {
            return Err(Failure::cannot(format!(
                "{file} was recorded with '{base_rustc}', this is '{rustc}': counts are only \
                 comparable under one compiler (use the pinned toolchain, or re-record with \
                 no_std-examples/perf.sh --update)"
            )));
        }
        let (report, failures) = compare(&base, &counts);
        print!("{report}");
        if failures > 0 {
            return Err(Failure::failed(format!(
                "{failures} Cortex-M count(s) grew or are missing against {file}"
            )));
        }
        println!("perf-report: all {} counts within {file}", counts.len());
    }
    Ok(())
}

fn usage() -> Failure {
    Failure::cannot(
        "usage: cargo xtask perf-report --logs DIR --targets \"T...\" --opt-levels \"3 s z\" \
         [--check FILE | --update FILE]",
    )
}

fn read_run(dir: &Path, target: &str, opt: &str) -> Result<Run, Failure> {
    let log_path = dir.join(format!("{target}-opt{opt}.log"));
    let nm_path = dir.join(format!("{target}-opt{opt}.nm"));
    let read = |p: &Path| {
        std::fs::read_to_string(p).map_err(|e| {
            Failure::cannot(format!(
                "reading {}: {e} (run no_std-examples/perf.sh)",
                p.display()
            ))
        })
    };
    let log = read(&log_path)?;
    let insns = parse_log(&log);
    if insns.is_empty() {
        return Err(Failure::cannot(format!(
            "no 'perf NAME INSTRUCTIONS' lines in {}",
            log_path.display()
        )));
    }
    let bytes = parse_nm(&read(&nm_path)?);
    if let Some((name, _)) = insns.iter().find(|(n, _)| !bytes.contains_key(n)) {
        return Err(Failure::cannot(format!(
            "no symbol size for {name} in {}",
            nm_path.display()
        )));
    }
    let header = log
        .lines()
        .find_map(|l| l.strip_prefix("perf: secret-core example on "))
        .unwrap_or(target)
        .to_string();
    Ok(Run {
        target: target.to_string(),
        opt: opt.to_string(),
        header,
        insns,
        bytes,
    })
}

/// `perf NAME N` lines, in order.
fn parse_log(log: &str) -> Vec<(String, u64)> {
    log.lines()
        .filter_map(|l| {
            let mut w = l.split_whitespace();
            match (w.next(), w.next(), w.next(), w.next()) {
                (Some("perf"), Some(name), Some(n), None) if name.starts_with("perf_") => {
                    Some((name.to_string(), n.parse().ok()?))
                }
                _ => None,
            }
        })
        .collect()
}

/// `ADDRESS SIZE TYPE NAME` lines of `nm -S` (hex size) for the `perf_` symbols.
fn parse_nm(nm: &str) -> BTreeMap<String, u64> {
    nm.lines()
        .filter_map(|l| match l.split_whitespace().collect::<Vec<_>>()[..] {
            [_, size, _, name] if name.starts_with("perf_") => {
                Some((name.to_string(), u64::from_str_radix(size, 16).ok()?))
            }
            _ => None,
        })
        .collect()
}

/// `(secret wrapper, comparator wrapper, row label)` for every secret-core wrapper of `names`
/// and each of its comparators, in the firmware's order.
///
/// `perf_W_secret` is the workload `W` on secret-core; every other `perf_W_X` is a comparator
/// (`X` = `plain`, `subtle`, ...), row `W vs X`. `perf_W_secret_V` is variant `V` of the
/// secret-core side (the same workload written another way), compared with the same
/// comparators, row `W_V vs X`. A comparator belongs to the longest workload name it starts
/// with (`perf_mac_mut_plain` to `mac_mut`, not to `mac`).
fn pairs(names: &[&str]) -> Vec<(String, String, String)> {
    /// `(W, V)` of a secret-core wrapper `perf_W_secret` or `perf_W_secret_V`.
    fn secret_side(name: &str) -> Option<(&str, Option<&str>)> {
        let rest = name.strip_prefix("perf_")?;
        if let Some(w) = rest.strip_suffix("_secret") {
            return Some((w, None));
        }
        let at = rest.rfind("_secret_")?;
        Some((&rest[..at], Some(&rest[at + "_secret_".len()..])))
    }
    let workloads: Vec<&str> = names
        .iter()
        .filter_map(|n| match secret_side(n)? {
            (w, None) => Some(w),
            _ => None,
        })
        .collect();
    let workload_of = |name: &str| {
        workloads
            .iter()
            .copied()
            .filter(|w| name.starts_with(&format!("perf_{w}_")))
            .max_by_key(|w| w.len())
    };
    let mut out = Vec::new();
    for secret in names {
        let Some((w, variant)) = secret_side(secret) else {
            continue;
        };
        let row = match variant {
            None => w.to_string(),
            Some(v) => format!("{w}_{v}"),
        };
        let prefix = format!("perf_{w}_");
        for other in names {
            if secret_side(other).is_none() && workload_of(other) == Some(w) {
                if let Some(comparator) = other.strip_prefix(&prefix) {
                    out.push((
                        secret.to_string(),
                        other.to_string(),
                        format!("{row} vs {comparator}"),
                    ));
                }
            }
        }
    }
    out
}

fn ratio(secret: u64, other: u64) -> String {
    if other == 0 {
        "n/a".to_string()
    } else {
        format!("{:.2}", secret as f64 / other as f64)
    }
}

/// The markdown tables: per target, ratios across opt-levels, then the raw numbers.
fn tables(runs: &[Run], rustc: &str) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "Toolchain: {rustc}; counts: QEMU -icount (instructions executed).\n"
    );
    let mut targets: Vec<&str> = Vec::new();
    for r in runs {
        if !targets.contains(&r.target.as_str()) {
            targets.push(&r.target);
        }
    }
    for target in targets {
        let of_target: Vec<&Run> = runs.iter().filter(|r| r.target == target).collect();
        let names: Vec<&str> = of_target[0].insns.iter().map(|(n, _)| n.as_str()).collect();
        let _ = writeln!(out, "### {target} ({})\n", of_target[0].header);
        let _ = write!(out, "| secret-core / comparator |");
        for r in &of_target {
            let _ = write!(out, " opt-level {} |", r.opt);
        }
        let _ = write!(out, "\n|---|");
        for _ in &of_target {
            let _ = write!(out, "---:|");
        }
        out.push('\n');
        let rows = pairs(&names);
        for (secret, other, label) in &rows {
            let _ = write!(out, "| {label} |");
            for r in &of_target {
                let get = |n: &str| r.insns.iter().find(|(x, _)| x == n).map(|(_, c)| *c);
                match (get(secret), get(other)) {
                    (Some(s), Some(o)) => {
                        let _ = write!(out, " {} ({s} / {o}) |", ratio(s, o));
                    }
                    _ => out.push_str(" missing |"),
                }
            }
            out.push('\n');
        }
        out.push('\n');
        let _ = writeln!(
            out,
            "| workload | opt-level | secret-core instructions | comparator instructions | ratio | secret-core bytes | comparator bytes |"
        );
        let _ = writeln!(out, "|---|---|---:|---:|---:|---:|---:|");
        for (secret, other, label) in &rows {
            for r in &of_target {
                let get = |n: &str| r.insns.iter().find(|(x, _)| x == n).map(|(_, c)| *c);
                if let (Some(s), Some(o)) = (get(secret), get(other)) {
                    let _ = writeln!(
                        out,
                        "| {label} | {} | {s} | {o} | {} | {} | {} |",
                        r.opt,
                        ratio(s, o),
                        r.bytes.get(secret).copied().unwrap_or(0),
                        r.bytes.get(other).copied().unwrap_or(0)
                    );
                }
            }
        }
        out.push('\n');
    }
    out
}

/// One function of a disassembly as read: its mnemonics, the addresses it branches to, and
/// the words of its literal pools (Thumb bit cleared).
#[derive(Default)]
struct Body {
    mnemonics: Vec<String>,
    branches: Vec<u64>,
    pool: Vec<u64>,
}

/// Function name → (mnemonics, names of the functions it calls or branches to), from
/// `llvm-objdump -d --no-show-raw-insn` output.
///
/// Functions are the symbols of the disassembly except Arm's mapping symbols (`$t`, `$d`,
/// `$a`, `$x`, also with a `.N` suffix), which mark code and literal pools inside a function
/// and continue it: taken as functions, every `$t` of the image would be one "function"
/// reachable from any function that branches to a `$t` label. A branch target is resolved by
/// its address to the function that contains it. A `.word` in a function's literal pool whose
/// value (Thumb bit cleared) is the first address of a function counts as a call too: at
/// opt-level "z" LLVM calls through a register loaded from the pool (`ldr r6, [pc, #..]`,
/// `blx r6`), which names no target.
fn parse_disassembly(dis: &str) -> BTreeMap<String, (Vec<String>, Vec<String>)> {
    let is_mapping_symbol = |name: &str| {
        let base = name.split('.').next().unwrap_or(name);
        matches!(base, "$t" | "$d" | "$a" | "$x")
    };
    let hex = |t: &str| u64::from_str_radix(t.trim_start_matches("0x"), 16).ok();
    // Function starts, and per function its mnemonics, branch target addresses and pool words.
    let mut starts: Vec<(u64, String)> = Vec::new();
    let mut bodies: BTreeMap<String, Body> = BTreeMap::new();
    let mut current: Option<String> = None;
    for line in dis.lines() {
        if let Some((addr, name)) = line
            .split_once(" <")
            .filter(|(addr, rest)| {
                !addr.is_empty()
                    && addr.chars().all(|c| c.is_ascii_hexdigit())
                    && rest.ends_with(">:")
            })
            .and_then(|(addr, rest)| Some((hex(addr)?, rest.trim_end_matches(">:").to_string())))
        {
            if !is_mapping_symbol(&name) {
                starts.push((addr, name.clone()));
                bodies.entry(name.clone()).or_default();
                current = Some(name);
            }
            continue;
        }
        // `    ADDRESS:      \tMNEMONIC\tOPERANDS`
        let insn = line.trim_start().split_once(':').and_then(|(addr, rest)| {
            (!addr.is_empty() && addr.chars().all(|c| c.is_ascii_hexdigit())).then_some(rest)
        });
        let (Some(name), Some(insn)) = (&current, insn) else {
            continue;
        };
        let body = bodies.entry(name.clone()).or_default();
        // Data in a literal pool keeps its raw bytes even with `--no-show-raw-insn`:
        // `2008:\t67 46 00 00\t.word\t0x00004667`.
        if let Some((_, value)) = insn.split_once(".word") {
            if let Some(v) = value.split_whitespace().next().and_then(hex) {
                body.pool.push(v & !1);
            }
            continue;
        }
        let mut words = insn.split_whitespace();
        let Some(mnemonic) = words.next() else {
            continue;
        };
        body.mnemonics.push(mnemonic.to_ascii_lowercase());
        if mnemonic.starts_with('b') || mnemonic.starts_with("cb") {
            if let Some(target) = words
                .map(|w| w.trim_end_matches(','))
                .find(|w| w.starts_with("0x"))
                .and_then(hex)
            {
                body.branches.push(target);
            }
        }
    }
    starts.sort();
    let containing = |addr: u64| {
        let i = starts.partition_point(|(start, _)| *start <= addr);
        i.checked_sub(1).map(|i| starts[i].1.clone())
    };
    let mut functions = BTreeMap::new();
    for (
        name,
        Body {
            mnemonics,
            branches,
            pool,
        },
    ) in bodies
    {
        let mut callees: Vec<String> = branches.into_iter().filter_map(containing).collect();
        callees.extend(pool.into_iter().filter_map(|v| {
            starts
                .binary_search_by_key(&v, |(start, _)| *start)
                .ok()
                .map(|i| starts[i].1.clone())
        }));
        callees.retain(|c| *c != name);
        callees.sort();
        callees.dedup();
        functions.insert(name, (mnemonics, callees));
    }
    functions
}

/// The long multiplies in `root` and every function reachable from it; `None` if `root` is
/// not in the disassembly.
fn long_multiplies_reachable(
    functions: &BTreeMap<String, (Vec<String>, Vec<String>)>,
    root: &str,
) -> Option<usize> {
    functions.get(root)?;
    let mut seen = vec![root.to_string()];
    let mut todo = vec![root.to_string()];
    let mut count = 0;
    while let Some(f) = todo.pop() {
        let Some((mnemonics, callees)) = functions.get(&f) else {
            continue;
        };
        count += mnemonics
            .iter()
            .filter(|m| {
                let m = m.split('.').next().unwrap_or(m);
                matches!(
                    m,
                    "umull"
                        | "smull"
                        | "umlal"
                        | "smlal"
                        | "umulls"
                        | "smulls"
                        | "umlals"
                        | "smlals"
                )
            })
            .count();
        for c in callees {
            if !seen.contains(c) {
                seen.push(c.clone());
                todo.push(c.clone());
            }
        }
    }
    Some(count)
}

fn baseline_text(rustc: &str, counts: &Counts) -> String {
    let mut out = String::new();
    let _ = writeln!(
        out,
        "# Cortex-M instruction counts of the perf firmware under QEMU -icount, per target and\n\
         # opt-level: `TARGET OPT NAME INSTRUCTIONS`. CI (no_std-examples/perf.sh --check) fails\n\
         # when a count grows. Re-record with no_std-examples/perf.sh --update and say why in the\n\
         # commit message."
    );
    let _ = writeln!(out, "rustc {rustc}");
    for ((target, opt, name), n) in counts {
        let _ = writeln!(out, "{target} {opt} {name} {n}");
    }
    out
}

fn parse_baseline(text: &str) -> Result<(String, Counts), String> {
    let mut rustc = None;
    let mut counts = Counts::new();
    for (i, line) in text.lines().enumerate() {
        let line = line.trim();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        if let Some(r) = line.strip_prefix("rustc ") {
            rustc = Some(r.to_string());
            continue;
        }
        match line.split_whitespace().collect::<Vec<_>>()[..] {
            [t, o, name, n] => {
                let n = n
                    .parse()
                    .map_err(|_| format!("baseline line {}: '{n}' is not a count", i + 1))?;
                counts.insert((t.to_string(), o.to_string(), name.to_string()), n);
            }
            _ => {
                return Err(format!(
                    "baseline line {}: expected 'TARGET OPT NAME INSTRUCTIONS', found '{line}'",
                    i + 1
                ))
            }
        }
    }
    let rustc = rustc.ok_or("the baseline has no 'rustc ...' line")?;
    Ok((rustc, counts))
}

/// The lines that differ from the baseline and the number of failures (grown or missing
/// counts). Only the measured targets and opt-levels are compared, so a run for one target
/// checks that target.
fn compare(base: &Counts, now: &Counts) -> (String, usize) {
    let mut out = String::new();
    let mut failures = 0;
    let measured: Vec<(&String, &String)> = now.keys().map(|(t, o, _)| (t, o)).collect();
    for (key @ (t, o, name), &b) in base {
        if !measured.contains(&(t, o)) {
            continue;
        }
        match now.get(key) {
            None => {
                failures += 1;
                let _ = writeln!(
                    out,
                    "FAIL  {t} opt-level {o} {name}: in the baseline, not measured"
                );
            }
            Some(&n) if n > b => {
                failures += 1;
                let _ = writeln!(
                    out,
                    "FAIL  {t} opt-level {o} {name}: {b} -> {n} instructions"
                );
            }
            Some(&n) if n < b => {
                let _ = writeln!(
                    out,
                    "less  {t} opt-level {o} {name}: {b} -> {n} instructions (re-record: perf.sh --update)"
                );
            }
            Some(_) => {}
        }
    }
    for key @ (t, o, name) in now.keys() {
        if !base.contains_key(key) {
            failures += 1;
            let _ = writeln!(
                out,
                "FAIL  {t} opt-level {o} {name}: not in the baseline (re-record: perf.sh --update)"
            );
        }
    }
    (out, failures)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn counts(list: &[(&str, &str, &str, u64)]) -> Counts {
        list.iter()
            .map(|(t, o, n, c)| ((t.to_string(), o.to_string(), n.to_string()), *c))
            .collect()
    }

    #[test]
    fn log_lines_are_parsed_in_order() {
        let log = "perf: secret-core example on Cortex-M0, microbit\nperf perf_a_secret 10\n  ok   x\nperf perf_a_plain 8\nperf calibrate 3\n";
        assert_eq!(
            parse_log(log),
            vec![("perf_a_secret".into(), 10), ("perf_a_plain".into(), 8)]
        );
    }

    #[test]
    fn pairs_match_secret_with_each_comparator() {
        let p = pairs(&[
            "perf_x_secret",
            "perf_x_plain",
            "perf_x_subtle",
            "perf_y_plain",
        ]);
        let labels: Vec<&str> = p.iter().map(|(_, _, l)| l.as_str()).collect();
        assert_eq!(labels, ["x vs plain", "x vs subtle"]);
    }

    #[test]
    fn pairs_compare_secret_variants_with_the_workloads_comparators() {
        let p = pairs(&[
            "perf_x_secret",
            "perf_x_secret_in_place",
            "perf_x_plain",
            "perf_x_y_secret",
            "perf_x_y_plain",
        ]);
        let labels: Vec<&str> = p.iter().map(|(_, _, l)| l.as_str()).collect();
        assert_eq!(
            labels,
            ["x vs plain", "x_in_place vs plain", "x_y vs plain"]
        );
        assert_eq!(p[1].0, "perf_x_secret_in_place");
        assert_eq!(p[1].1, "perf_x_plain");
    }

    #[test]
    fn a_grown_count_fails_a_smaller_one_passes() {
        let base = counts(&[("m0", "s", "perf_a", 100), ("m0", "s", "perf_b", 100)]);
        let now = counts(&[("m0", "s", "perf_a", 101), ("m0", "s", "perf_b", 99)]);
        let (report, failures) = compare(&base, &now);
        assert_eq!(failures, 1, "{report}");
        assert!(report.contains("perf_a: 100 -> 101"), "{report}");
    }

    #[test]
    fn missing_counts_fail_both_ways_but_unmeasured_targets_are_skipped() {
        let base = counts(&[("m0", "s", "perf_a", 100), ("m4", "s", "perf_a", 100)]);
        let now = counts(&[("m0", "s", "perf_b", 100)]);
        let (report, failures) = compare(&base, &now);
        assert_eq!(failures, 2, "{report}");
    }

    #[test]
    fn baseline_round_trips() {
        let c = counts(&[("thumbv6m-none-eabi", "z", "perf_a_secret", 42)]);
        let (rustc, back) = parse_baseline(&baseline_text("rustc 1.95.0", &c)).unwrap();
        assert_eq!((rustc.as_str(), back), ("rustc 1.95.0", c));
    }

    #[test]
    fn long_multiplies_are_found_through_calls() {
        let dis = "\n00002d80 <perf_a>:\n    2d80:      \tpush\t{r4, lr}\n    2d84:      \tbl\t0x4526 <helper> @ imm = #5\n\n00004526 <helper>:\n    4526:      \tumull\tr0, r1, r2, r3\n    452a:      \tbx\tlr\n\n00004600 <perf_b>:\n    4600:      \tmuls\tr0, r1, r0\n    4604:      \tb.w\t0x4600 <perf_b+0x0>\n";
        let f = parse_disassembly(dis);
        assert_eq!(long_multiplies_reachable(&f, "perf_a"), Some(1));
        assert_eq!(long_multiplies_reachable(&f, "perf_b"), Some(0));
        assert_eq!(long_multiplies_reachable(&f, "perf_c"), None);
    }

    /// Mapping symbols continue the function they are in: a branch to a `$t` label inside
    /// `perf_a` does not reach the long multiply after another function's `$t`.
    #[test]
    fn mapping_symbols_are_not_functions() {
        let dis = "\n00001000 <main>:\n    1000:      \tpush\t{r4, lr}\n\n00001004 <$t>:\n    1004:      \tumull\tr0, r1, r2, r3\n\n00002000 <perf_a>:\n    2000:      \tmuls\tr0, r1, r0\n    2002:      \tb.w\t0x2008 <$t> @ imm = #2\n\n00002006 <$d>:\n    2006:\t00 00\t.short\t0x0000\n\n00002008 <$t>:\n    2008:      \tbx\tlr\n";
        let f = parse_disassembly(dis);
        assert_eq!(long_multiplies_reachable(&f, "perf_a"), Some(0));
        assert_eq!(long_multiplies_reachable(&f, "main"), Some(1));
        assert!(!f.contains_key("$t"));
    }

    /// A call through a register (`blx r6`) whose target is a literal-pool word is followed:
    /// the pool word is the callee's address with the Thumb bit set.
    #[test]
    fn calls_through_a_pool_address_are_followed() {
        let dis = "\n00002000 <perf_a>:\n    2000:      \tldr\tr6, [pc, #4]         @ 0x2008 <$d>\n    2002:      \tblx\tr6\n    2004:      \tpop\t{r4, pc}\n\n00002008 <$d>:\n    2008:\t67 46 00 00\t.word\t0x00004667\n\n00004666 <closure>:\n    4666:      \tumull\tr0, r1, r2, r3\n    466a:      \tbx\tlr\n";
        let f = parse_disassembly(dis);
        assert_eq!(long_multiplies_reachable(&f, "perf_a"), Some(1));
    }

    #[test]
    fn a_malformed_baseline_line_is_an_error() {
        assert!(parse_baseline("rustc x\nthumbv6m s perf_a\n").is_err());
        assert!(parse_baseline("m0 s perf_a 1\n").is_err());
    }
}
