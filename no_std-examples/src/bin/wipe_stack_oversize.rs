//! A stack-wipe budget that does not fit the free stack is refused with a clear error, not a
//! hang or a fault.
//!
//! `with_clean_stack_bare` paints its budget below the stack pointer before the closure runs.
//! On Cortex-M nothing stops a write past the end of the stack: painting into `.bss` hung the
//! micro:bit image, painting below RAM raised a BusFault. With secret-core's `cortex-m-rt`
//! feature it reads where the stack ends (cortex-m-rt's `_stack_end`) and panics, before
//! painting anything, with a message that says how much is free. This image asks for a budget
//! 8 bytes larger than the stack free at `main`, so it must end in that panic: exit code 1 and
//! the message, which `run-all.sh` checks (this example passes only when it fails this way).
//!
//! `cargo run --release --target thumbv6m-none-eabi --bin wipe_stack_oversize` (exit code 1).
#![no_std]
#![no_main]

use core::hint::black_box;
use cortex_m_rt::entry;
use secret_firmware::Report;

extern "C" {
    /// cortex-m-rt's link.x: the lowest address the stack may use (after `.bss`, `.uninit`).
    static _stack_end: u8;
}

#[entry]
fn main() -> ! {
    let report = Report::new("wipe_stack_oversize");
    let marker = 0u32;
    let sp = black_box(&marker) as *const u32 as usize;
    let end = core::ptr::addr_of!(_stack_end) as usize;
    let budget = sp - end + 8;
    report.note(format_args!(
        "stack free at main: {} bytes (down to _stack_end {end:#x}); asking for {budget}",
        sp - end
    ));
    // SAFETY: deliberately *not* upheld (the budget is larger than the free stack): the
    // `cortex-m-rt` feature makes `with_clean_stack_bare` check it and panic before painting.
    // This is the behaviour under test.
    let tag = unsafe { secret_core::wipe::with_clean_stack_bare(budget, || black_box(7u32)) };
    report.note(format_args!(
        "with_clean_stack_bare accepted an oversize budget and returned {tag}"
    ));
    // Reaching this point is the failure: the image must have panicked above.
    secret_firmware::exit(false)
}
