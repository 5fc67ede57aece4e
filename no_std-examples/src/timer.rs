//! Tick counters for on-device timing measurements (the `dudect` example).
//!
//! [`Timer`] abstracts over the two counters a Cortex-M core offers:
//!
//! - [`SysTickTimer`]: the SysTick down-counter clocked from the core clock. Every core has it,
//!   ARMv6-M (Cortex-M0/M0+) included, and QEMU emulates it: under
//!   `qemu-system-arm -icount shift=10,align=off,sleep=off` every instruction advances virtual
//!   time by 1024 ns, so SysTick ticks = instructions × 1.024 µs × SysTick clock (25 MHz on
//!   mps2-an385/386, 20 MHz on mps2-an505, 16 MHz on the microbit): a deterministic,
//!   instruction-proportional count. It is 24 bits wide; the timer reloads at `0xFF_FFFF` and
//!   computes elapsed ticks modulo 2^24, so one measurement may span a wrap but must be shorter
//!   than 2^24 ticks (~655,000 instructions at 25 MHz under QEMU, 0.67 s at 25 MHz on silicon).
//! - [`DwtTimer`] (cargo feature `dwt`, ARMv7-M and ARMv8-M Mainline only): the DWT cycle
//!   counter `CYCCNT`, 32 bits, one tick per core clock cycle. Use it on real Cortex-M3/M4/M7/M33
//!   boards. QEMU does not emulate it (it reads 0), so [`DwtTimer::new`] checks that it counts.
//!
//! Reads are volatile and fenced with `compiler_fence` so that the measured call stays between
//! [`Timer::now`] reads; see [`Timer::measure`].

use cortex_m::peripheral::syst::SystClkSource;
use cortex_m::peripheral::SYST;

/// The tick-counter trait ct-verify's dudect loop measures with (`ct_verify_stats::sampling`),
/// implemented here for SysTick and DWT CYCCNT.
pub use ct_verify_stats::sampling::Ticks as Timer;

/// SysTick's reload value: the full 24-bit range, so the counter period is 2^24 ticks.
pub const SYSTICK_RELOAD: u32 = 0x00FF_FFFF;

/// SysTick from the core clock, counting down from [`SYSTICK_RELOAD`] and wrapping.
pub struct SysTickTimer {
    syst: SYST,
}

impl SysTickTimer {
    /// Takes SysTick, selects the core clock, reloads at `0xFF_FFFF` and starts it.
    pub fn new(mut syst: SYST) -> Self {
        syst.disable_counter();
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(SYSTICK_RELOAD);
        syst.clear_current();
        syst.enable_counter();
        SysTickTimer { syst }
    }

    /// Stops the counter and gives SysTick back.
    pub fn free(mut self) -> SYST {
        self.syst.disable_counter();
        self.syst
    }
}

impl Timer for SysTickTimer {
    #[inline(always)]
    fn now(&mut self) -> u32 {
        SYST::get_current()
    }

    /// SysTick counts *down*: elapsed = (start - end) mod 2^24.
    #[inline(always)]
    fn elapsed(&self, start: u32, end: u32) -> u32 {
        systick_elapsed(start, end)
    }

    fn unit(&self) -> &'static str {
        "SysTick ticks (core clock)"
    }
}

/// Ticks between two readings of a 24-bit down-counter reloading at `0xFF_FFFF`, modulo 2^24:
/// correct across one wrap (`end > start`) as long as fewer than 2^24 ticks passed.
#[inline(always)]
pub const fn systick_elapsed(start: u32, end: u32) -> u32 {
    start.wrapping_sub(end) & SYSTICK_RELOAD
}

/// The DWT cycle counter (`CYCCNT`): 32-bit, counts core clock cycles upwards.
///
/// ARMv7-M and ARMv8-M Mainline only (Cortex-M3/M4/M7/M33); ARMv6-M has no CYCCNT, use
/// [`SysTickTimer`] there. Not emulated by QEMU.
#[cfg(all(feature = "dwt", not(armv6m)))]
pub struct DwtTimer {
    _dwt: cortex_m::peripheral::DWT,
}

#[cfg(all(feature = "dwt", not(armv6m)))]
impl DwtTimer {
    /// Enables trace (DEMCR.TRCENA), unlocks the DWT (needed on some Cortex-M7 parts), resets
    /// and starts CYCCNT. Returns `None` if the core has no cycle counter or it does not count
    /// (QEMU: CYCCNT reads 0).
    pub fn new(
        mut dcb: cortex_m::peripheral::DCB,
        mut dwt: cortex_m::peripheral::DWT,
    ) -> Option<Self> {
        use cortex_m::peripheral::DWT;
        dcb.enable_trace();
        DWT::unlock();
        if !DWT::has_cycle_counter() {
            return None;
        }
        dwt.set_cycle_count(0);
        dwt.enable_cycle_counter();
        let a = DWT::cycle_count();
        for _ in 0..16 {
            cortex_m::asm::nop();
        }
        let b = DWT::cycle_count();
        if a == b {
            return None;
        }
        Some(DwtTimer { _dwt: dwt })
    }
}

#[cfg(all(feature = "dwt", not(armv6m)))]
impl Timer for DwtTimer {
    #[inline(always)]
    fn now(&mut self) -> u32 {
        cortex_m::peripheral::DWT::cycle_count()
    }

    /// CYCCNT counts up and wraps at 2^32.
    #[inline(always)]
    fn elapsed(&self, start: u32, end: u32) -> u32 {
        end.wrapping_sub(start)
    }

    fn unit(&self) -> &'static str {
        "DWT CYCCNT cycles"
    }
}

// The wrap arithmetic, checked at compile time (this crate has no host test harness).
const _: () = {
    assert!(systick_elapsed(1000, 900) == 100);
    // Started 10 ticks above 0, wrapped to 0xFF_FFFF and went down 5 more.
    assert!(systick_elapsed(10, 0xFF_FFFF - 4) == 15);
    assert!(systick_elapsed(5, 5) == 0);
};
