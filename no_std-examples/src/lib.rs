//! Shared firmware for the secret-core examples: the constant-time code under test
//! ([`chacha20`], [`field`]) and a tiny harness that reports over semihosting and exits QEMU
//! with the verdict (0 = every check passed, 1 = a check failed, a panic or a HardFault).
//!
//! Each example in `src/bin/` is one firmware image: `#[entry]` runs its checks through a
//! [`Report`] and calls [`Report::finish`]. The algorithms live here, behind `#[inline(never)]`
//! entry points, so that `cargo ct-verify --target ...` can put trace markers and its audit
//! around exactly those functions.
#![no_std]
#![warn(missing_docs)]

pub mod chacha20;
pub mod field;
pub mod mac;
pub mod timer;

use core::panic::PanicInfo;
use cortex_m_rt::{exception, ExceptionFrame};
use cortex_m_semihosting::{debug, hprintln};

/// Collects pass/fail results of one example and prints each over semihosting.
pub struct Report {
    name: &'static str,
    passed: u32,
    failed: u32,
}

impl Report {
    /// Starts the report for example `name` (printed as the header line).
    pub fn new(name: &'static str) -> Self {
        hprintln!("{}: secret-core example on {}", name, core_name());
        Report {
            name,
            passed: 0,
            failed: 0,
        }
    }

    /// Prints an informational line (not a check).
    pub fn note(&self, what: impl core::fmt::Display) {
        hprintln!("  note {}", what);
    }

    /// Records one check. `ok` is a *public* verdict (a declassified `SecretBool`);
    /// `what` is anything printable: a `&str` or `format_args!(...)`.
    pub fn check(&mut self, what: impl core::fmt::Display, ok: bool) {
        if ok {
            self.passed += 1;
            hprintln!("  ok   {}", what);
        } else {
            self.failed += 1;
            hprintln!("  FAIL {}", what);
        }
    }

    /// Prints the summary and exits QEMU (or stops the debugger) with 0 or 1.
    pub fn finish(self) -> ! {
        if self.failed == 0 && self.passed > 0 {
            hprintln!("{}: PASS ({} checks)", self.name, self.passed);
            exit(true)
        } else {
            hprintln!(
                "{}: FAIL ({} of {} checks failed)",
                self.name,
                self.failed,
                self.passed + self.failed
            );
            exit(false)
        }
    }
}

/// Semihosting SYS_EXIT: QEMU exits with status 0 (`success`) or 1.
pub fn exit(success: bool) -> ! {
    debug::exit(if success {
        debug::EXIT_SUCCESS
    } else {
        debug::EXIT_FAILURE
    });
    // Without a semihosting host (a board with no debugger attached) SYS_EXIT returns or
    // traps; park the core.
    loop {
        cortex_m::asm::bkpt();
    }
}

/// The core and QEMU board this image was built for (from the target triple, by build.rs).
pub const fn core_name() -> &'static str {
    concat!(
        env!("SECRET_FIRMWARE_CORE"),
        ", ",
        env!("SECRET_FIRMWARE_BOARD")
    )
}

/// A panic (a failed `assert!`, an out-of-range index) is a failed example: exit code 1.
#[panic_handler]
fn panic(info: &PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit(false)
}

/// A fault is a failed example too, rather than a hang until the runner's timeout.
#[exception]
unsafe fn HardFault(frame: &ExceptionFrame) -> ! {
    hprintln!("HardFault at pc={:#010x}", frame.pc());
    exit(false)
}
