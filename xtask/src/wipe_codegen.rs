//! Checks, in the assembly that rustc emits for x86_64 and for Cortex-M0 and M4, the two
//! halves of secret-core's drop-time wipe (`erase` in secret-core/src/secret.rs, `Mask::erase`
//! in mask.rs): an ordinary store of zero followed by `compiler_fence(Release)`.
//!
//! 1. `wipe_box_secret_u64`: `Box<Secret<u64>>` is zeroed (8 bytes) before `__rust_dealloc`;
//!    the fence keeps the store, without it it is dead.
//! 2. `wipe_box_secret_array`: `Box<Secret<[u8; 32]>>`, all 32 bytes.
//! 3. `naive_box_u64`, the control: `impl Drop { self.0 = 0 }` with no fence. LLVM must have
//!    deleted that store, else checks 1-2 prove nothing.
//! 4. `mix_secret`: ARX rounds on `Secret<u64>` (every assignment drops and wipes) store
//!    nothing to the stack beyond what `mix_plain` stores (on x86_64: nothing at all) and take
//!    no more instructions than `mix_plain`.
//!
//! The fixture crate is tests/arch-check/wipe-codegen (its own workspace), built with
//! `cargo rustc --release -- --emit asm -C codegen-units=1` into its own `target/`.

use std::path::{Path, PathBuf};
use std::process::Command;

use crate::asm::{thumb, x86, Listing, Wipe};
use crate::{run_text, Failure};

const FIXTURE: &str = "tests/arch-check/wipe-codegen";

/// The instruction sets checked, with how to read them.
#[derive(Clone, Copy, PartialEq, Debug)]
pub enum Isa {
    /// x86_64, AT&T syntax; the Box pointer arrives in this register (`rdi`, `rcx` on Windows).
    X86 { pointer: &'static str },
    /// Arm Thumb (Cortex-M); the Box pointer arrives in `r0`.
    Thumb,
}

impl Isa {
    fn comment(self) -> char {
        match self {
            Isa::X86 { .. } => '#',
            Isa::Thumb => '@',
        }
    }

    fn zero_stores(self, body: &[String]) -> Wipe {
        match self {
            Isa::X86 { pointer } => x86::zero_stores(body, pointer),
            Isa::Thumb => thumb::zero_stores(body, "r0"),
        }
    }

    fn stack_writes(self, body: &[String]) -> Vec<String> {
        match self {
            Isa::X86 { .. } => x86::stack_writes(body),
            Isa::Thumb => thumb::stack_writes(body),
        }
    }
}

/// The Cortex-M cores whose code is checked besides the host's: M0 (Thumb-1, `memclr` calls)
/// and M4 (Thumb-2, `strd`).
const CORTEX_M: [&str; 2] = ["thumbv6m-none-eabi", "thumbv7em-none-eabihf"];

/// `wipe-codegen [--asm FILE --isa x86|thumb]`: with `--asm`, checks an existing listing
/// instead of building the fixture (to compare with another checker, or to try a control).
pub fn main(args: &[String]) -> Result<(), Failure> {
    if let [flag, file, isa_flag, isa] = args {
        if flag == "--asm" && isa_flag == "--isa" {
            let isa = match isa.as_str() {
                "x86" => Isa::X86 { pointer: "rdi" },
                "thumb" => Isa::Thumb,
                _ => return Err(Failure::cannot("--isa is x86 or thumb")),
            };
            let listing = Listing::new(std::fs::read_to_string(file)?, isa.comment());
            return verdict(check(&listing, isa, file), file);
        }
    }
    if !args.is_empty() {
        return Err(Failure::cannot(
            "usage: cargo xtask wipe-codegen [--asm FILE --isa x86|thumb]",
        ));
    }
    let host = run_text(Command::new("rustc").arg("-vV"))?
        .lines()
        .find_map(|l| l.strip_prefix("host: ").map(str::to_string))
        .unwrap_or_default();
    if !host.starts_with("x86_64-") {
        return Err(Failure::failed(format!(
            "FAIL: this check reads x86_64 assembly and needs an x86_64 host (this host is '{host}')."
        )));
    }
    let pointer = if host.contains("windows") {
        "rcx"
    } else {
        "rdi"
    };
    let mut failures = 0;
    let mut runs = vec![(None, Isa::X86 { pointer })];
    runs.extend(CORTEX_M.iter().map(|t| (Some(*t), Isa::Thumb)));
    for (target, isa) in runs {
        let asm = emit_asm(target)?;
        let rustc = run_text(Command::new("rustc").arg("-V"))?;
        let shown = asm.strip_prefix("tests/arch-check/").unwrap_or(&asm);
        println!(
            "wipe-codegen: {rustc}, {}, assembly in {shown}",
            target.unwrap_or(&host)
        );
        let listing = Listing::new(std::fs::read_to_string(&asm)?, isa.comment());
        failures += check(&listing, isa, &asm);
    }
    verdict(failures, FIXTURE)
}

fn verdict(failures: usize, asm: &str) -> Result<(), Failure> {
    if failures > 0 {
        return Err(Failure::failed(format!(
            "{failures} check(s) FAILED (fixture: {FIXTURE}, assembly: {asm})"
        )));
    }
    println!("wipe-codegen: all checks passed");
    Ok(())
}

/// Builds the fixture for `target` (the host when `None`) and returns its one `.s` file.
fn emit_asm(target: Option<&str>) -> Result<String, Failure> {
    let manifest = format!("{FIXTURE}/Cargo.toml");
    let target_dir = format!("{FIXTURE}/target");
    let cargo = |args: &[&str]| {
        let mut command = crate::fixture_cargo(args, &manifest, &target_dir);
        command.args(target.map(|t| vec!["--target", t]).unwrap_or_default());
        command
    };
    // Rebuild the fixture itself every time (its dependencies stay cached): cargo does not know
    // about the .s file, so a "fresh" fixture would leave a stale or missing one.
    let deps: PathBuf = [&target_dir, target.unwrap_or(""), "release", "deps"]
        .iter()
        .collect();
    run_text(&mut cargo(&[
        "clean",
        "--quiet",
        "--release",
        "-p",
        "wipe-codegen",
    ]))?;
    for old in asm_files(&deps) {
        std::fs::remove_file(old)?;
    }
    let mut build = cargo(&["rustc", "--quiet", "--release", "--lib"]);
    let status = build
        .args(["--", "--emit", "asm", "-C", "codegen-units=1"])
        .status()?;
    if !status.success() {
        return Err(Failure::failed(format!(
            "FAIL: the fixture did not build: {build:?}"
        )));
    }
    match asm_files(&deps).as_slice() {
        [one] => Ok(one.to_string_lossy().into_owned()),
        other => Err(Failure::failed(format!(
            "FAIL: expected one wipe_codegen-*.s in {}, found {}",
            deps.display(),
            other.len()
        ))),
    }
}

fn asm_files(dir: &Path) -> Vec<PathBuf> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| {
            let name = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            name.starts_with("wipe_codegen-") && name.ends_with(".s")
        })
        .collect()
}

/// Runs checks 1-4 on one listing, printing a PASS or FAIL line per check; returns the number
/// of failures.
pub fn check(listing: &Listing, isa: Isa, asm: &str) -> usize {
    let mut report = Report { failures: 0, asm };
    report.wipe(listing, isa, "wipe_box_secret_u64", 8);
    report.wipe(listing, isa, "wipe_box_secret_array", 32);
    report.control(listing, isa);
    report.mix(listing, isa);
    report.failures
}

/// PASS/FAIL printing and the failure count.
struct Report<'a> {
    failures: usize,
    asm: &'a str,
}

impl Report<'_> {
    fn pass(&self, message: &str) {
        println!("PASS  {message}");
    }

    fn fail(&mut self, message: &str, details: &[String]) {
        println!("FAIL  {message}");
        for line in details {
            println!("      {line}");
        }
        self.failures += 1;
    }

    /// The body of `name`, or a failure: a check on a function that is not there checks nothing.
    fn body(&mut self, listing: &Listing, name: &str) -> Option<Vec<String>> {
        let body = listing.body(name).filter(|b| !b.is_empty());
        if body.is_none() {
            self.fail(
                &format!(
                    "{name}: function not found in {} (was it renamed or inlined? it must stay \
                     #[no_mangle] #[inline(never)] in {FIXTURE}/src/lib.rs)",
                    self.asm
                ),
                &[],
            );
        }
        body
    }

    /// The zero stores of `name` into its Box before the free; a failure when the function or
    /// its free is not found, since then nothing would be checked.
    fn stores_before_free(
        &mut self,
        listing: &Listing,
        isa: Isa,
        name: &str,
        what: &str,
    ) -> Option<(Wipe, Vec<String>)> {
        let body = self.body(listing, name)?;
        let wipe = isa.zero_stores(&body);
        if wipe.dealloc.is_none() {
            let message = format!(
                "{}{what}: no call/jmp to __rust_dealloc found; the fixture no longer frees the \
                 Box here, so nothing is checked. Body:",
                listing.describe(name)
            );
            self.fail(&message, &indent(&body));
            return None;
        }
        Some((wipe, body))
    }

    /// Checks 1-2: a boxed Secret is zeroed before it is freed.
    fn wipe(&mut self, listing: &Listing, isa: Isa, name: &str, size: i64) {
        let Some((wipe, body)) = self.stores_before_free(listing, isa, name, "") else {
            return;
        };
        let shown = listing.describe(name);
        let covered = wipe.covered(size);
        if covered == size {
            return self.pass(&format!(
                "{shown}: zero stores cover all {size} bytes before __rust_dealloc: {}",
                wipe.stores_text()
            ));
        }
        let found = if wipe.stores.is_empty() {
            "none".to_string()
        } else {
            wipe.stores_text()
        };
        let memsets: String = wipe
            .memsets
            .iter()
            .map(|m| format!("; memset call: {m} "))
            .collect();
        let mut details = vec![
            "The heap copy of the secret is freed without being wiped. Where: Drop for Secret<T>".into(),
            "-> erase() in secret-core/src/secret.rs. Fix: keep the compiler_fence(Release) right after".into(),
            "the write_bytes (an ordinary store before a free is dead without it), or use a volatile write.".into(),
            format!("Body of {shown}:"),
        ];
        details.extend(indent(&body));
        self.fail(
            &format!("{shown}: zero stores cover {covered} of {size} bytes before __rust_dealloc (found: {found}{memsets})."),
            &details,
        );
    }

    /// Check 3, the control: the naive wipe must be gone, or checks 1-2 could never fail.
    fn control(&mut self, listing: &Listing, isa: Isa) {
        let name = "naive_box_u64";
        let Some((wipe, _)) = self.stores_before_free(listing, isa, name, " (control)") else {
            return;
        };
        let shown = listing.describe(name);
        if wipe.covered(8) == 0 {
            return self.pass(&format!(
                "{shown} (control): no zero store before __rust_dealloc (LLVM deleted the \
                 unfenced wipe, so checks 1-2 can fail)"
            ));
        }
        self.fail(
            &format!("{shown} (control): the unfenced zero store survived ({}). This rustc/LLVM no longer", wipe.stores_text()),
            &[
                "deletes a dead store before a free, so checks 1-2 pass with or without the fence and prove".into(),
                "nothing. Do not weaken the control: find a new way to show the fence matters (e.g. another".into(),
                format!("dead-store pattern in {FIXTURE}/src/lib.rs) and update this check."),
            ],
        );
    }

    /// Check 4: secrets in registers cost nothing: no stack store beyond plain code's (x86_64:
    /// none at all), no extra instruction.
    fn mix(&mut self, listing: &Listing, isa: Isa) {
        let (Some(secret), Some(plain)) = (
            self.body(listing, "mix_secret"),
            self.body(listing, "mix_plain"),
        ) else {
            return;
        };
        let shown = listing.describe("mix_secret");
        let writes = isa.stack_writes(&secret);
        let allowed = match isa {
            Isa::X86 { .. } => Vec::new(),
            Isa::Thumb => isa.stack_writes(&plain),
        };
        if writes != allowed {
            self.fail(
                &format!("{shown}: stores to the stack found: {};", writes.join(";")),
                &[
                    "A Secret<u64> that lives in registers must not get a stack slot just to be wiped.".into(),
                    "Where: erase() in secret-core/src/secret.rs (and Mask::erase in mask.rs). Fix: an ordinary".into(),
                    "store + compiler_fence, not a volatile write or a barrier that takes the address.".into(),
                ],
            );
        } else if allowed.is_empty() {
            self.pass(&format!("{shown}: no stack store"));
        } else {
            self.pass(&format!(
                "{shown}: no stack store beyond mix_plain's ({})",
                allowed.join("; ")
            ));
        }
        let (ns, np) = (secret.len(), plain.len());
        if ns <= np {
            self.pass(&format!(
                "{shown}: {ns} instructions, mix_plain: {np} (the wipes on drop cost nothing in registers)"
            ));
        } else {
            let mut details = vec![
                "Where: the drop path of Secret<T> (erase in secret-core/src/secret.rs) or the operators in".into(),
                "ops.rs/shift.rs add work. Instructions only in mix_secret:".into(),
            ];
            details.extend(indent(
                &secret
                    .iter()
                    .filter(|l| !plain.contains(l))
                    .cloned()
                    .collect::<Vec<_>>(),
            ));
            self.fail(&format!("{shown}: {ns} instructions, mix_plain: {np}; the secret version must not be longer."), &details);
        }
    }
}

fn indent(lines: &[String]) -> Vec<String> {
    lines.iter().map(|l| format!("  {l}")).collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A listing in the shape rustc 1.95.0 emits for the fixture on x86_64.
    const X86: &str = "\
wipe_box_secret_u64:                    # @wipe_box_secret_u64
\t.cfi_startproc
\tmovq\t$0, (%rdi)
\t#MEMBARRIER
\tmovl\t$8, %esi
\tmovl\t$8, %edx
\tjmp\t__rust_dealloc@PLT
.Lfunc_end0:
wipe_box_secret_array:
\txorps\t%xmm0, %xmm0
\tmovups\t%xmm0, 16(%rdi)
\tmovups\t%xmm0, (%rdi)
\tmovl\t$32, %esi
\tmovl\t$1, %edx
\tjmp\t__rust_dealloc@PLT
.Lfunc_end1:
naive_box_u64:
\tmovl\t$8, %esi
\tmovl\t$8, %edx
\tjmp\t__rust_dealloc@PLT
.Lfunc_end2:
mix_secret:
\trolq\t$3, %rdi
\tleaq\t(%rdi,%rsi), %rax
\tretq
.Lfunc_end3:
mix_plain:
\trolq\t$3, %rdi
\tleaq\t(%rdi,%rsi), %rax
\tretq
.Lfunc_end4:
";

    fn x86(text: &str) -> usize {
        check(
            &Listing::new(text.into(), '#'),
            Isa::X86 { pointer: "rdi" },
            "test.s",
        )
    }

    #[test]
    fn the_real_shape_passes() {
        assert_eq!(x86(X86), 0);
    }

    #[test]
    fn a_wipe_without_its_store_fails() {
        // What the code looks like when the fence is gone: the stores are deleted.
        let no_fence = X86.replacen("\tmovq\t$0, (%rdi)\n", "", 1);
        assert_eq!(x86(&no_fence), 1);
        let half = X86.replacen("\tmovups\t%xmm0, 16(%rdi)\n", "", 1);
        assert_eq!(x86(&half), 1);
    }

    #[test]
    fn a_surviving_naive_store_fails_the_control() {
        let kept = X86.replacen(
            "naive_box_u64:\n",
            "naive_box_u64:\n\tmovq\t$0, (%rdi)\n",
            1,
        );
        assert_eq!(x86(&kept), 1);
    }

    #[test]
    fn a_missing_function_or_free_fails() {
        assert_eq!(x86(&X86.replace("mix_plain:", "renamed:")), 1);
        let no_free = X86.replacen(
            "\tjmp\t__rust_dealloc@PLT\n.Lfunc_end2:",
            "\tretq\n.Lfunc_end2:",
            1,
        );
        assert_eq!(x86(&no_free), 1);
    }

    #[test]
    fn a_stack_slot_or_a_longer_secret_mix_fails() {
        let spill = X86.replacen("mix_secret:\n", "mix_secret:\n\tmovq\t$0, -8(%rsp)\n", 1);
        assert_eq!(x86(&spill), 2, "a stack store, and one instruction more");
        let longer = X86.replacen("mix_secret:\n", "mix_secret:\n\tnop\n", 1);
        assert_eq!(x86(&longer), 1);
    }

    #[test]
    fn merged_functions_are_checked_through_the_alias() {
        let merged = X86.replace(
            "mix_secret:\n\trolq\t$3, %rdi\n\tleaq\t(%rdi,%rsi), %rax\n\tretq\n.Lfunc_end3:\n",
            "",
        ) + ".set mix_secret, mix_plain\n";
        assert_eq!(x86(&merged), 0);
    }

    /// rustc 1.95.0's thumbv6m-none-eabi code for the wipes and the control.
    const THUMB: &str = "\
mix_plain:
\t.fnstart
\tpush\t{r4, r5, r7, lr}
\tadd\tr7, sp, #8
\teors\tr0, r2
\tpop\t{r4, r5, r7, pc}
.Lfunc_end0:
mix_secret:
\t.fnstart
\tpush\t{r4, r5, r7, lr}
\tadd\tr7, sp, #8
\teors\tr0, r2
\tpop\t{r4, r5, r7, pc}
.Lfunc_end1:
naive_box_u64:
\t.fnstart
\tpush\t{r7, lr}
\tadd\tr7, sp, #0
\tmovs\tr1, #8
\tmov\tr2, r1
\tbl\t_RNvCsfLfy6EI15iL_7___rustc14___rust_dealloc
\tpop\t{r7, pc}
.Lfunc_end2:
wipe_box_secret_array:
\t.fnstart
\tpush\t{r4, r5, r7, lr}
\tadd\tr7, sp, #8
\tmov\tr4, r0
\tmovs\tr5, #32
\tmov\tr1, r5
\tbl\t__aeabi_memclr
\tmovs\tr2, #1
\tmov\tr0, r4
\tmov\tr1, r5
\tbl\t_RNvCsfLfy6EI15iL_7___rustc14___rust_dealloc
\tpop\t{r4, r5, r7, pc}
.Lfunc_end3:
wipe_box_secret_u64:
\t.fnstart
\tpush\t{r7, lr}
\tadd\tr7, sp, #0
\tmovs\tr1, #0
\tstr\tr1, [r0]
\tstr\tr1, [r0, #4]
\tmovs\tr1, #8
\tmov\tr2, r1
\tbl\t_RNvCsfLfy6EI15iL_7___rustc14___rust_dealloc
\tpop\t{r7, pc}
.Lfunc_end4:
";

    fn thumb(text: &str) -> usize {
        check(&Listing::new(text.into(), '@'), Isa::Thumb, "test.s")
    }

    #[test]
    fn cortex_m_real_shape_passes_and_controls_fail() {
        assert_eq!(thumb(THUMB), 0);
        let no_fence = THUMB.replacen("\tstr\tr1, [r0, #4]\n", "", 1);
        assert_eq!(thumb(&no_fence), 1);
        let no_memclr = THUMB.replacen("\tbl\t__aeabi_memclr\n", "", 1);
        assert_eq!(thumb(&no_memclr), 1);
        let kept = THUMB.replacen(
            "\tmovs\tr1, #8\n\tmov\tr2, r1\n",
            "\tmovs\tr1, #0\n\tstrd\tr1, r1, [r0]\n",
            1,
        );
        assert_eq!(thumb(&kept), 1, "the naive store survived");
        let spill = THUMB.replacen(
            "mix_secret:\n\t.fnstart\n",
            "mix_secret:\n\t.fnstart\n\tstr\tr0, [sp]\n",
            1,
        );
        assert_eq!(thumb(&spill), 2);
    }
}
