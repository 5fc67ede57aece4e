//! Arm Thumb (Cortex-M, `thumbv6m`/`thumbv7em`) in unified syntax: zero stores into a heap
//! block before `__rust_dealloc`, and stack writes.
//!
//! Besides `str`/`strd`/`strh`/`strb` of a zero register, a call to `__aeabi_memclr{,4,8}`
//! with the block in `r0` and a known length in `r1` counts as zero stores: that is how
//! Cortex-M0 zeroes 32 bytes, and a dead `memclr` before a free is deleted like a dead store.

use std::collections::{BTreeMap, BTreeSet};

use super::{parse, Store, Wipe};

/// Registers a call may clobber (AAPCS): r0-r3, r12 and lr.
const CALLER_SAVED: [&str; 6] = ["r0", "r1", "r2", "r3", "r12", "lr"];

/// What each register is known to hold, instruction by instruction.
#[derive(Default)]
struct State {
    /// Registers that hold the block pointer.
    block: BTreeSet<String>,
    /// Registers that hold a known constant (zero included).
    constant: BTreeMap<String, i64>,
}

impl State {
    fn is_zero(&self, register: &str) -> bool {
        self.constant.get(register) == Some(&0)
    }

    fn forget(&mut self, register: &str) {
        self.block.remove(register);
        self.constant.remove(register);
    }
}

/// `mov.w` -> `mov`, `pop.w` -> `pop`.
fn base(mnemonic: &str) -> &str {
    mnemonic.trim_end_matches(".w").trim_end_matches(".n")
}

/// The zero stores into the block that `pointer` (`r0`) points to, up to the first mention of
/// `__rust_dealloc`, following copies of the pointer into other registers.
pub fn zero_stores(body: &[String], pointer: &str) -> Wipe {
    let mut state = State::default();
    state.block.insert(pointer.to_string());
    let mut wipe = Wipe::default();
    for line in body {
        if line.contains("__rust_dealloc") {
            wipe.dealloc = Some(line.clone());
            break;
        }
        let (mnemonic, ops) = parse(line);
        let mnemonic = base(mnemonic);
        if ["bl", "blx"].contains(&mnemonic) {
            call(
                &mut state,
                &mut wipe,
                ops.first().map_or("", String::as_str),
                line,
            );
        } else if mnemonic.starts_with("str") {
            wipe.stores.extend(store(&state, mnemonic, &ops, line));
        } else if mnemonic == "pop" {
            let list = ops.first().map_or("", String::as_str);
            for register in list.trim_matches(['{', '}']).split(',') {
                state.forget(register.trim());
            }
        } else if !["push", "cmp", "cmn", "tst", "teq", "b", "bx"].contains(&mnemonic) {
            write(&mut state, mnemonic, &ops);
        }
    }
    wipe
}

/// A call: `__aeabi_memclr*(block, n)` zeroes `n` bytes; every call clobbers r0-r3.
fn call(state: &mut State, wipe: &mut Wipe, target: &str, line: &str) {
    if target.starts_with("__aeabi_memclr") && state.block.contains("r0") {
        if let Some(&n) = state.constant.get("r1") {
            wipe.stores.push(Store {
                offset: 0,
                width: n,
                insn: line.to_string(),
            });
        }
    } else if target.contains("memset") || target.contains("memclr") {
        wipe.memsets.push(line.to_string());
    }
    for register in CALLER_SAVED {
        state.forget(register);
    }
}

/// `str rZ, [rB]`, `str rZ, [rB, #off]`, `strd rZ, rZ, [rB, #off]`, `strh`, `strb` of zero
/// registers through a register holding the block (no writeback forms).
fn store(state: &State, mnemonic: &str, ops: &[String], line: &str) -> Option<Store> {
    let (sources, address) = ops.split_at(ops.len().checked_sub(1)?);
    let inner = address[0].strip_prefix('[')?.strip_suffix(']')?;
    let mut parts = inner.split(',').map(str::trim);
    let base_register = parts.next()?;
    let offset = match parts.next() {
        Some(imm) => imm.strip_prefix('#')?.parse().ok()?,
        None => 0,
    };
    if parts.next().is_some() || !state.block.contains(base_register) {
        return None;
    }
    let width = match mnemonic {
        "str" => 4,
        "strh" => 2,
        "strb" => 1,
        "strd" => 8,
        _ => return None,
    };
    let all_zero = !sources.is_empty() && sources.iter().all(|r| state.is_zero(r));
    all_zero.then(|| Store {
        offset,
        width,
        insn: line.to_string(),
    })
}

/// A write to the register `ops[0]`: a constant, a copy, a self-XOR, or anything else.
fn write(state: &mut State, mnemonic: &str, ops: &[String]) {
    let Some(d) = ops.first() else { return };
    let source = ops.get(1).map(String::as_str);
    let copied = (ops.len() == 2 && ["mov", "movs"].contains(&mnemonic))
        .then_some(source)
        .flatten();
    let immediate = copied
        .and_then(|s| s.strip_prefix('#'))
        .and_then(|n| n.parse::<i64>().ok());
    let self_xor = ["eor", "eors"].contains(&mnemonic) && ops.len() == 2 && source == Some(d);
    let (was_block, was_constant) = match copied {
        Some(s) => (state.block.contains(s), state.constant.get(s).copied()),
        None => (false, None),
    };
    state.forget(d);
    if self_xor {
        state.constant.insert(d.clone(), 0);
    } else if let Some(n) = immediate.or(was_constant) {
        state.constant.insert(d.clone(), n);
    } else if was_block {
        state.block.insert(d.clone());
    }
}

/// `push`, `vpush`, and stores addressed from `sp` or the frame pointer `r7`.
pub fn stack_writes(body: &[String]) -> Vec<String> {
    body.iter()
        .filter(|line| {
            let (mnemonic, ops) = parse(line);
            let mnemonic = base(mnemonic);
            let store =
                mnemonic.starts_with("str") || mnemonic.starts_with("stm") || mnemonic == "vstr";
            let on_stack = ops.iter().any(|o| {
                o.starts_with("[sp")
                    || o.starts_with("[r7")
                    || o.starts_with("sp") && mnemonic.starts_with("stm")
            });
            ["push", "vpush"].contains(&mnemonic) || (store && on_stack)
        })
        .cloned()
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_string).collect()
    }

    const DEALLOC: &str = "_RNvCsfLfy6EI15iL_7___rustc14___rust_dealloc";

    #[test]
    fn cortex_m0_word_stores_and_memclr() {
        // rustc 1.95.0, thumbv6m-none-eabi: wipe_box_secret_u64 and wipe_box_secret_array.
        let u64 = lines(&format!(
            "push {{r7, lr}}\nadd r7, sp, #0\nmovs r1, #0\nstr r1, [r0]\nstr r1, [r0, #4]\n\
             movs r1, #8\nmov r2, r1\nbl {DEALLOC}\npop {{r7, pc}}"
        ));
        let w = zero_stores(&u64, "r0");
        assert_eq!(w.covered(8), 8);
        assert_eq!(w.stores_text(), "str r1, [r0]; str r1, [r0, #4]");
        let array = lines(&format!(
            "push {{r4, r5, r7, lr}}\nadd r7, sp, #8\nmov r4, r0\nmovs r5, #32\nmov r1, r5\n\
             bl __aeabi_memclr\nmovs r2, #1\nmov r0, r4\nmov r1, r5\nbl {DEALLOC}"
        ));
        let w = zero_stores(&array, "r0");
        assert_eq!(w.covered(32), 32);
        assert_eq!(w.stores_text(), "bl __aeabi_memclr");
        assert!(w.dealloc.is_some());
    }

    #[test]
    fn cortex_m4_strd_and_tail_call() {
        let u64 = lines(&format!(
            "push {{r7, lr}}\nmov r7, sp\nmovs r1, #0\nmovs r2, #8\nstrd r1, r1, [r0]\n\
             movs r1, #8\npop.w {{r7, lr}}\nb {DEALLOC}"
        ));
        let w = zero_stores(&u64, "r0");
        assert_eq!(w.covered(8), 8);
        assert!(w.dealloc.as_deref().is_some_and(|d| d.starts_with("b ")));
    }

    #[test]
    fn the_naive_control_has_no_store() {
        let naive = lines(&format!(
            "push {{r7, lr}}\nmovs r1, #8\nmov r2, r1\nbl {DEALLOC}"
        ));
        let w = zero_stores(&naive, "r0");
        assert_eq!(w.covered(8), 0);
        assert!(w.dealloc.is_some());
    }

    #[test]
    fn non_zero_values_other_blocks_and_clobbered_registers_do_not_count() {
        let body = lines(&format!(
            "movs r1, #1\nstr r1, [r0]\nmovs r2, #0\nstr r2, [r3]\nmov r4, r0\nbl f\n\
             str r2, [r4]\nmovs r1, #0\nstr r1, [r4, #4]\nstr r1, [r0, #8]\nbl {DEALLOC}"
        ));
        // r2 is clobbered by the call and r0 no longer holds the block after it; r4 does.
        let w = zero_stores(&body, "r0");
        assert_eq!(w.stores_text(), "str r1, [r4, #4]");
        let memclr_elsewhere = lines("mov r0, r5\nmovs r1, #32\nbl __aeabi_memclr\n");
        assert_eq!(zero_stores(&memclr_elsewhere, "r0").covered(32), 0);
    }

    #[test]
    fn stack_writes_and_prologues() {
        let body = lines("push {r4, r5, r7, lr}\nstr r1, [sp, #4]\nldr r1, [sp]\nstr r1, [r0]\nstrd r2, r3, [r7, #-8]");
        assert_eq!(
            stack_writes(&body),
            [
                "push {r4, r5, r7, lr}",
                "str r1, [sp, #4]",
                "strd r2, r3, [r7, #-8]"
            ]
        );
    }
}
