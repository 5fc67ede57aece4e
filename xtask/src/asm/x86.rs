//! x86_64 in AT&T syntax: zero stores into a heap block before `__rust_dealloc`, and stack
//! writes.

use std::collections::BTreeSet;

use super::{parse, Store, Wipe};

/// The register family: `%eax`, `%ax`, `%al` give `rax`; `%r8d` gives `r8`; `%xmm3` gives `v3`.
pub fn family(register: &str) -> String {
    let r = register.trim_start_matches('%');
    let digits = |s: &str| !s.is_empty() && s.chars().all(|c| c.is_ascii_digit());
    for vector in ["xmm", "ymm", "zmm"] {
        if let Some(n) = r.strip_prefix(vector).filter(|n| digits(n)) {
            return format!("v{n}");
        }
    }
    if let Some(n) = r.strip_prefix('r') {
        let n = n.trim_end_matches(['d', 'w', 'b']);
        if digits(n) && r.len() - 1 - n.len() <= 1 {
            return format!("r{n}");
        }
    }
    let base = r.strip_prefix(['e', 'r']).unwrap_or(r);
    if ["ax", "bx", "cx", "dx", "si", "di", "sp", "bp"].contains(&base) {
        return format!("r{base}");
    }
    if ["al", "bl", "cl", "dl"].contains(&r) {
        return format!("r{}x", &r[..1]);
    }
    if ["sil", "dil", "spl", "bpl"].contains(&r) {
        return format!("r{}", &r[..2]);
    }
    r.to_string()
}

fn vector_width(register: &str) -> i64 {
    if register.starts_with("%zmm") {
        64
    } else if register.starts_with("%ymm") {
        32
    } else {
        16
    }
}

/// Registers that a call preserves (System V): copies of the block pointer there survive it.
const CALLEE_SAVED: [&str; 6] = ["rbx", "rbp", "r12", "r13", "r14", "r15"];

/// Which registers hold zero and which hold the block pointer, instruction by instruction.
struct State {
    zero: BTreeSet<String>,
    block: BTreeSet<String>,
}

/// The zero stores into the block that `pointer` (a register family, `rdi`) points to, up to
/// the first mention of `__rust_dealloc`, following copies of the pointer into other registers.
pub fn zero_stores(body: &[String], pointer: &str) -> Wipe {
    let mut state = State {
        zero: BTreeSet::new(),
        block: BTreeSet::from([pointer.to_string()]),
    };
    let mut wipe = Wipe::default();
    for line in body {
        let (mnemonic, ops) = parse(line);
        if line.contains("__rust_dealloc") {
            wipe.dealloc = Some(line.clone());
            break;
        }
        let call_or_jump = mnemonic.starts_with("call") || mnemonic.starts_with("jmp");
        if call_or_jump && (line.contains("memset") || line.contains("bzero")) {
            wipe.memsets.push(line.clone());
        }
        if mnemonic.starts_with("call") {
            state.zero.clear();
            state.block.retain(|r| CALLEE_SAVED.contains(&r.as_str()));
        } else if ops.len() >= 2 && ops[ops.len() - 1].contains('(') {
            wipe.stores.extend(store(&state, mnemonic, &ops, line));
        } else if ops.last().is_some_and(|d| d.starts_with('%')) {
            state.write(mnemonic, &ops);
        }
    }
    wipe
}

/// A store of zeros by `mnemonic ops` into `offset(%base)` where `base` holds the block.
fn store(state: &State, mnemonic: &str, ops: &[String], line: &str) -> Option<Store> {
    let (src, dst) = (&ops[0], &ops[ops.len() - 1]);
    let (offset, base) = dst.strip_suffix(')')?.split_once("(%")?;
    let offset: i64 = if offset.is_empty() {
        0
    } else {
        offset.parse().ok()?
    };
    if !base.chars().all(|c| c.is_ascii_alphanumeric()) || !state.block.contains(&family(base)) {
        return None;
    }
    let zero_register = src.starts_with('%') && state.zero.contains(&family(src));
    let scalar = ["mov", "and"].iter().any(|m| {
        mnemonic
            .strip_prefix(m)
            .is_some_and(|s| ["b", "w", "l", "q"].contains(&s))
    });
    let width = if scalar && (src == "$0" || (mnemonic.starts_with("mov") && zero_register)) {
        match mnemonic.chars().last() {
            Some('b') => 1,
            Some('w') => 2,
            Some('l') => 4,
            _ => 8,
        }
    } else if src.starts_with("%xmm") || src.starts_with("%ymm") || src.starts_with("%zmm") {
        if !zero_register {
            return None;
        }
        let m = mnemonic.strip_prefix('v').unwrap_or(mnemonic);
        let full = [
            "ups", "aps", "upd", "apd", "dqu", "dqa", "dqu8", "dqu16", "dqu32", "dqu64",
        ];
        match m.strip_prefix("mov")? {
            s if full.contains(&s) || s == "dqa32" || s == "dqa64" => vector_width(src),
            "q" | "sd" | "lps" | "hps" | "lpd" | "hpd" => 8,
            "d" | "ss" => 4,
            _ => return None,
        }
    } else {
        return None;
    };
    Some(Store {
        offset,
        width,
        insn: line.to_string(),
    })
}

impl State {
    /// A write to the register `ops.last()`: zeroing idioms, copies of the block pointer, or
    /// anything else (which forgets what the register held).
    fn write(&mut self, mnemonic: &str, ops: &[String]) {
        let d = family(&ops[ops.len() - 1]);
        let same = |a: &str, b: &str| family(a) == family(b);
        let xor_or_sub = ["xor", "sub", "xorl", "xorq", "subl", "subq"].contains(&mnemonic);
        let vector_xor = ["xorps", "xorpd", "pxor", "pxord", "pxorq"]
            .contains(&mnemonic.strip_prefix('v').unwrap_or(mnemonic));
        let zeroing = (xor_or_sub && ops.len() == 2 && same(&ops[0], &ops[1]))
            || (vector_xor && ops.len() >= 2 && same(&ops[0], &ops[1]))
            || (["mov", "movl", "movq"].contains(&mnemonic) && ops[0] == "$0");
        self.block.remove(&d);
        if zeroing {
            self.zero.insert(d);
            return;
        }
        self.zero.remove(&d);
        let copy = ["mov", "movq"].contains(&mnemonic);
        if copy && ops[0].starts_with('%') && self.block.contains(&family(&ops[0])) {
            self.block.insert(d);
        }
    }
}

/// Instructions that write to memory addressed from `%rsp` or `%rbp`, and every `push`.
pub fn stack_writes(body: &[String]) -> Vec<String> {
    let stack = ["(%rsp)", "(%rsp,", "(%rbp)", "(%rbp,"];
    body.iter()
        .filter(|line| {
            let (mnemonic, ops) = parse(line);
            mnemonic.starts_with("push")
                || (!reads_only(mnemonic)
                    && ops
                        .last()
                        .is_some_and(|d| stack.iter().any(|s| d.contains(s))))
        })
        .cloned()
        .collect()
}

/// Instructions whose last operand is read, not written (compares, tests, jumps, `lea`...).
fn reads_only(mnemonic: &str) -> bool {
    let prefixes = ["cmp", "test", "prefetch", "nop", "call", "jmp", "lea"];
    let comis = mnemonic.trim_start_matches('v').trim_start_matches('u');
    prefixes.iter().any(|p| mnemonic.starts_with(p))
        || (comis.starts_with("comis") && mnemonic.len() - comis.len() <= 2)
        || ["bt", "btl", "btq", "btw"].contains(&mnemonic)
        || mnemonic
            .strip_prefix('j')
            .is_some_and(|c| !c.is_empty() && c.chars().all(|c| c.is_ascii_lowercase()))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    #[test]
    fn register_families() {
        for (r, f) in [
            ("%eax", "rax"),
            ("%ax", "rax"),
            ("%al", "rax"),
            ("%rax", "rax"),
            ("%r8d", "r8"),
            ("%r15", "r15"),
            ("%xmm3", "v3"),
            ("%ymm12", "v12"),
            ("%dil", "rdi"),
            ("%rdi", "rdi"),
            ("%esp", "rsp"),
            ("%rip", "rip"),
        ] {
            assert_eq!(family(r), f, "{r}");
        }
    }

    #[test]
    fn the_real_wipes_are_found() {
        // rustc 1.95.0's code for the fixture's wipe_box_secret_u64 and _array.
        let u64 = lines("movq $0, (%rdi)\nmovl $8, %esi\nmovl $8, %edx\njmp __rust_dealloc@PLT");
        let w = zero_stores(&u64, "rdi");
        assert_eq!(w.covered(8), 8);
        assert!(w.dealloc.is_some());
        let array = lines(
            "xorps %xmm0, %xmm0\nmovups %xmm0, 16(%rdi)\nmovups %xmm0, (%rdi)\nmovl $32, %esi\n\
             movl $1, %edx\njmp __rust_dealloc@PLT",
        );
        let w = zero_stores(&array, "rdi");
        assert_eq!(w.covered(32), 32);
        assert_eq!(
            w.stores_text(),
            "movups %xmm0, 16(%rdi); movups %xmm0, (%rdi)"
        );
    }

    #[test]
    fn the_naive_control_has_no_store() {
        let naive = lines("movl $8, %esi\nmovl $8, %edx\njmp __rust_dealloc@PLT");
        let w = zero_stores(&naive, "rdi");
        assert_eq!(w.covered(8), 0);
        assert!(w.dealloc.is_some());
    }

    #[test]
    fn stores_elsewhere_or_of_non_zero_do_not_count() {
        let body = lines(
            "movq $1, (%rdi)\nmovq $0, (%rsi)\nmovq %rax, 8(%rdi)\nmovq %rdi, %rbx\n\
             movq $0, %rdi\ncallq f\nmovq $0, (%rbx)\ncallq __rust_dealloc@PLT\nmovq $0, 8(%rbx)",
        );
        let w = zero_stores(&body, "rdi");
        // Only the store through %rbx (a callee-saved copy of the pointer) counts; the one
        // after the free is never looked at.
        assert_eq!(w.stores_text(), "movq $0, (%rbx)");
        assert_eq!(w.covered(16), 8);
    }

    #[test]
    fn a_zero_register_is_forgotten_when_overwritten() {
        let body = lines("xorl %eax, %eax\naddq $1, %rax\nmovq %rax, (%rdi)\njmp __rust_dealloc");
        assert_eq!(zero_stores(&body, "rdi").covered(8), 0);
        let memset = lines("movl $32, %edx\ncallq memset@PLT\njmp __rust_dealloc");
        assert_eq!(zero_stores(&memset, "rdi").memsets, ["callq memset@PLT"]);
    }

    #[test]
    fn stack_writes_and_reads() {
        let body = lines(
            "pushq %rbx\nmovq %rax, -8(%rsp)\nmovq 8(%rsp), %rax\ncmpq $0, (%rsp)\n\
             leaq 8(%rsp), %rax\nmovl %eax, 4(%rbp,%rcx)\nrolq $3, %rdi",
        );
        assert_eq!(
            stack_writes(&body),
            [
                "pushq %rbx",
                "movq %rax, -8(%rsp)",
                "movl %eax, 4(%rbp,%rcx)"
            ]
        );
    }
}
