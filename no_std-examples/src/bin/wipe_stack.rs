//! Wiping the stack a key computation leaves behind, on bare metal.
//!
//! `derive_subkey` copies a 64-byte key pattern into stack locals, as real key schedules do
//! (spills, temporaries, callee frames). Dropping `Secret`s wipes their own storage, not
//! these copies. `secret_core::wipe::with_clean_stack_bare` paints a stack budget with a
//! canary, runs the closure, finds the deepest word the closure wrote and zeroes everything
//! from there up, then clears the caller-saved registers.
//!
//! The example scans the stack below the current stack pointer for the pattern: a direct call
//! (the control) must leave copies behind, a wrapped call must leave none.
//!
//! `cargo run --release --target thumbv6m-none-eabi --bin wipe_stack` (exit code 0 = pass).
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use secret_firmware::Report;

/// How far below the caller's stack pointer the scan looks (bytes). The smallest board
/// (micro:bit, 16 KiB of RAM) has room for this below `main`'s frame.
const SCAN: usize = 2048;
/// The stack budget given to the wipe; `derive_subkey` needs well under this.
const BUDGET: usize = 1536;

/// A recognisable key: 16 distinct words, so a match cannot be an accident.
fn key_word(i: usize) -> u32 {
    0xA55A_C33C ^ (i as u32).wrapping_mul(0x0101_0101)
}

/// Spreads copies of the key over its own frame and a callee's, like a key schedule.
#[inline(never)]
fn derive_subkey(rounds: u32) -> u32 {
    let mut key = [0u32; 16];
    for (i, w) in key.iter_mut().enumerate() {
        *w = key_word(i);
    }
    let copy = black_box(key);
    let mut acc = 0u32;
    for _ in 0..rounds {
        acc = acc.rotate_left(5) ^ mix(black_box(&copy));
    }
    acc
}

#[inline(never)]
fn mix(words: &[u32; 16]) -> u32 {
    let local = black_box(*words);
    local.iter().fold(0, |a, w| a.wrapping_add(*w))
}

/// Counts the places below the current stack pointer where the first two key words sit next
/// to each other. Reads with `read_volatile` so the scan itself is not optimized away.
#[inline(never)]
fn count_key_copies() -> usize {
    let marker = 0u32;
    let top = black_box(&marker) as *const u32 as usize & !3;
    let bottom = top - SCAN;
    let (first, second) = (key_word(0), key_word(1));
    let mut hits = 0;
    let mut addr = bottom;
    while addr + 8 <= top {
        // SAFETY: `bottom..top` is RAM below this frame's stack pointer on every board these
        // examples run on (the stack starts at the top of RAM, several KiB above `bottom`);
        // reading it as words is always defined on Cortex-M.
        let (a, b) = unsafe {
            (
                core::ptr::read_volatile(addr as *const u32),
                core::ptr::read_volatile((addr + 4) as *const u32),
            )
        };
        if a == first && b == second {
            hits += 1;
        }
        addr += 4;
    }
    hits
}

#[entry]
fn main() -> ! {
    let mut report = Report::new("wipe_stack");

    // First the wrapped call, on a stack that has never held the key.
    // SAFETY: BUDGET bytes below this frame are free RAM (see SCAN); the closure needs less.
    let wrapped = unsafe { secret_core::wipe::with_clean_stack_bare(BUDGET, || derive_subkey(3)) };
    let remaining = count_key_copies();
    report.check(
        format_args!("with_clean_stack_bare leaves {remaining} copies of the key on the stack"),
        remaining == 0,
    );

    // Then the control: the same call without the wipe does leave copies where the scan looks.
    let direct = black_box(derive_subkey(3));
    let left_behind = count_key_copies();
    report.check(
        format_args!("control: a direct call leaves {left_behind} copies"),
        left_behind > 0,
    );
    report.check("the closure's result is returned", wrapped == direct);

    report.finish()
}
