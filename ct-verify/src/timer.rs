//! Timers for the dudect engine: a `no_std` [`Timer`] trait and the host's best counter.
//!
//! On x86_64 [`NativeTimer`] reads the time-stamp counter with `lfence` on both sides, so the
//! measured code can neither start before the first read nor finish after the second. Elsewhere
//! it falls back to `std::time::Instant` (nanoseconds). Firmware implements [`Timer`] over its
//! own counter (DWT CYCCNT, SysTick) and feeds the same [`crate::stats::Dudect`].
#![allow(unsafe_code)]

/// A monotonically increasing counter.
pub trait Timer {
    /// The current count.
    fn now(&mut self) -> u64;
    /// What a tick is, for reports ("cycles", "ns").
    fn unit(&self) -> &'static str;
    /// Waits until every earlier instruction has finished before any later one starts (no-op
    /// where the timer has no such fence). Called between the calls of one measurement, so
    /// that each call runs alone as it would between two timer reads, and a latency difference
    /// (a slow division) is not hidden behind the next call's work.
    fn serialize(&mut self) {}
}

/// The host's cycle counter (x86_64) or a nanosecond clock (elsewhere).
#[derive(Debug)]
pub struct NativeTimer {
    #[cfg(not(target_arch = "x86_64"))]
    start: std::time::Instant,
}

impl Default for NativeTimer {
    fn default() -> Self {
        Self::new()
    }
}

impl NativeTimer {
    /// A timer ready to read.
    pub fn new() -> Self {
        Self {
            #[cfg(not(target_arch = "x86_64"))]
            start: std::time::Instant::now(),
        }
    }
}

#[cfg(target_arch = "x86_64")]
impl Timer for NativeTimer {
    #[inline(always)]
    fn now(&mut self) -> u64 {
        use core::arch::x86_64::{_mm_lfence, _rdtsc};
        // SAFETY: `lfence` needs SSE2 and `rdtsc` needs nothing; every x86_64 CPU has both. Neither
        // touches memory.
        unsafe {
            _mm_lfence();
            let t = _rdtsc();
            _mm_lfence();
            t
        }
    }

    fn unit(&self) -> &'static str {
        "cycles"
    }

    #[inline(always)]
    fn serialize(&mut self) {
        // SAFETY: `lfence` needs SSE2, which every x86_64 CPU has; it touches no memory.
        unsafe { core::arch::x86_64::_mm_lfence() }
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl Timer for NativeTimer {
    fn now(&mut self) -> u64 {
        self.start.elapsed().as_nanos() as u64
    }

    fn unit(&self) -> &'static str {
        "ns"
    }
}
