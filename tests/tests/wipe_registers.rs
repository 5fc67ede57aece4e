//! `with_clean_stack` clears the caller-saved registers: a closure loads a pattern into all of
//! them with `asm!`; read back with `asm!` immediately after `with_clean_stack` returns, they
//! are zero. The control calls the same loader directly and reads the pattern back.
//!
//! x86_64 only (the registers are named in assembly); the other architectures' clearing is
//! compile-checked, not run, here.
#![cfg(all(any(unix, windows), target_arch = "x86_64"))]

use core::arch::asm;
use secret_core::wipe::with_clean_stack;

const PATTERN: u64 = 0xA55A_C33C_A55A_C33C;

/// The general registers cleared: rax, rcx, rdx, rsi, rdi, r8–r11.
const GP_NAMES: [&str; 9] = ["rax", "rcx", "rdx", "rsi", "rdi", "r8", "r9", "r10", "r11"];

/// Register contents captured right after a call.
struct Regs {
    gp: [u64; 9],
    xmm: [[u64; 2]; 16],
}

/// Fills rax, rcx, rdx, rsi, rdi, r8–r11 and xmm0–xmm15 with `PATTERN`.
#[inline(never)]
fn load_pattern() {
    // SAFETY: writes only the registers declared as outputs.
    unsafe {
        asm!(
            "mov rcx, rax", "mov rdx, rax", "mov rsi, rax", "mov rdi, rax",
            "mov r8, rax", "mov r9, rax", "mov r10, rax", "mov r11, rax",
            "movq xmm0, rax", "punpcklqdq xmm0, xmm0",
            "movdqa xmm1, xmm0", "movdqa xmm2, xmm0", "movdqa xmm3, xmm0",
            "movdqa xmm4, xmm0", "movdqa xmm5, xmm0", "movdqa xmm6, xmm0",
            "movdqa xmm7, xmm0", "movdqa xmm8, xmm0", "movdqa xmm9, xmm0",
            "movdqa xmm10, xmm0", "movdqa xmm11, xmm0", "movdqa xmm12, xmm0",
            "movdqa xmm13, xmm0", "movdqa xmm14, xmm0", "movdqa xmm15, xmm0",
            inout("rax") PATTERN => _,
            out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _,
            out("xmm4") _, out("xmm5") _, out("xmm6") _, out("xmm7") _,
            out("xmm8") _, out("xmm9") _, out("xmm10") _, out("xmm11") _,
            out("xmm12") _, out("xmm13") _, out("xmm14") _, out("xmm15") _,
            options(nomem, nostack),
        )
    };
}

extern "C" fn plain() {
    load_pattern();
}

extern "C" fn wiped() {
    with_clean_stack(load_pattern);
}

/// Calls `f` and stores the registers it returns with, before any compiled code runs.
fn call_and_capture(f: extern "C" fn()) -> Regs {
    let mut regs = Regs {
        gp: [0; 9],
        xmm: [[0; 2]; 16],
    };
    // SAFETY: `f` is an `extern "C"` function; every register it may clobber is declared by
    // `clobber_abi("C")`. The buffers are reached through r12 and r13, which are callee-saved,
    // so they survive the call; the stores stay inside the two arrays.
    unsafe {
        asm!(
            "call {f}",
            "mov [r12], rax", "mov [r12 + 8], rcx", "mov [r12 + 16], rdx",
            "mov [r12 + 24], rsi", "mov [r12 + 32], rdi", "mov [r12 + 40], r8",
            "mov [r12 + 48], r9", "mov [r12 + 56], r10", "mov [r12 + 64], r11",
            "movdqu [r13], xmm0", "movdqu [r13 + 16], xmm1",
            "movdqu [r13 + 32], xmm2", "movdqu [r13 + 48], xmm3",
            "movdqu [r13 + 64], xmm4", "movdqu [r13 + 80], xmm5",
            "movdqu [r13 + 96], xmm6", "movdqu [r13 + 112], xmm7",
            "movdqu [r13 + 128], xmm8", "movdqu [r13 + 144], xmm9",
            "movdqu [r13 + 160], xmm10", "movdqu [r13 + 176], xmm11",
            "movdqu [r13 + 192], xmm12", "movdqu [r13 + 208], xmm13",
            "movdqu [r13 + 224], xmm14", "movdqu [r13 + 240], xmm15",
            f = in(reg) f,
            in("r12") regs.gp.as_mut_ptr(),
            in("r13") regs.xmm.as_mut_ptr(),
            clobber_abi("C"),
        )
    };
    regs
}

#[test]
fn control_direct_call_leaves_pattern_in_registers() {
    let regs = call_and_capture(plain);
    for (name, value) in GP_NAMES.iter().zip(regs.gp) {
        if *name != "rax" {
            // rax may be reused by the epilogue; the others are left as loaded.
            assert_eq!(value, PATTERN, "{name}");
        }
    }
    for (i, x) in regs.xmm.iter().enumerate() {
        assert_eq!(*x, [PATTERN; 2], "xmm{i}");
    }
}

#[test]
fn with_clean_stack_zeroes_caller_saved_registers() {
    let regs = call_and_capture(wiped);
    for (name, value) in GP_NAMES.iter().zip(regs.gp) {
        if *name == "rax" {
            // `wiped` itself keeps the stack aligned with `push rax` / `pop rax`, so on return
            // rax holds a word of `wiped`'s own frame (its entry rax, or a spilled budget in
            // debug builds): compiled code of the caller, after the clearing. Not the pattern.
            assert_ne!(value, PATTERN, "rax");
        } else {
            assert_eq!(value, 0, "{name} = {value:#x}");
        }
    }
    for (i, x) in regs.xmm.iter().enumerate() {
        assert_eq!(*x, [0; 2], "xmm{i}");
    }
}
