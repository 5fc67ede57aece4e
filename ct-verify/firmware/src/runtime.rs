//! The device side of the run: the semihosting command line, the trace markers, SysTick,
//! exiting QEMU with a status, and the panic and HardFault handlers.

use cortex_m_semihosting::{hprintln, nr};

/// Exit status: a panic (in a check or in the suite).
#[cfg_attr(not(feature = "panic-handler"), allow(dead_code))]
pub(crate) const EXIT_PANIC: u32 = 101;
/// Exit status: the command line names no check of the suite.
pub(crate) const EXIT_UNKNOWN_CHECK: u32 = 3;
/// Exit status: a malformed command line, or a suite that never called `run`.
pub(crate) const EXIT_USAGE: u32 = 4;

/// Written by the markers: a volatile store keeps their calls (a call to an empty function is
/// removed), and different values keep the two bodies apart (identical ones would be merged).
static MARK: core::sync::atomic::AtomicU32 = core::sync::atomic::AtomicU32::new(0);

/// The trace starts at this function's first instruction.
#[no_mangle]
#[inline(never)]
pub extern "C" fn ct_marker_start() {
    // SAFETY: `as_ptr` points to the static, valid and aligned for the program's lifetime;
    // the firmware is single-threaded and no interrupt handler touches it.
    unsafe { core::ptr::write_volatile(MARK.as_ptr(), 0x5354_4152) }
}

/// The trace ends at this function's first instruction.
#[no_mangle]
#[inline(never)]
pub extern "C" fn ct_marker_end() {
    // SAFETY: as in `ct_marker_start`.
    unsafe { core::ptr::write_volatile(MARK.as_ptr(), 0x454e_4400) }
}

/// Runs the suite's `main` (the bench file's, which ends in `Suite::run`, which exits). Call
/// it from the firmware's `#[entry]`.
pub fn start(main: fn()) -> ! {
    main();
    hprintln!("ctv: the suite's main returned without calling Suite::run");
    exit_with(EXIT_USAGE)
}

/// Semihosting `SYS_EXIT_EXTENDED`: QEMU exits with `code`.
pub(crate) fn exit_with(code: u32) -> ! {
    const ADP_STOPPED_APPLICATION_EXIT: usize = 0x20026;
    const SYS_EXIT_EXTENDED: usize = 0x20;
    let block = [ADP_STOPPED_APPLICATION_EXIT, code as usize];
    // SAFETY: the parameter block is valid for the duration of the call and the host only
    // reads it.
    unsafe { cortex_m_semihosting::syscall(SYS_EXIT_EXTENDED, &block) };
    // Without a semihosting host (a board with no debugger) the call returns: park the core.
    loop {
        cortex_m::asm::bkpt();
    }
}

/// Reads the semihosting command line into `buf`; its length, or `None` if the host gave none
/// or it does not fit.
pub(crate) fn command_line(buf: &mut [u8]) -> Option<usize> {
    let mut block = [buf.as_mut_ptr() as usize, buf.len()];
    // SAFETY: `block` holds a valid, writable buffer pointer and its length; the host writes at
    // most that many bytes and stores the length it wrote in `block[1]`.
    let r = unsafe { cortex_m_semihosting::syscall1(nr::GET_CMDLINE, block.as_mut_ptr() as usize) };
    (r == 0).then_some(block[1])
}

/// SysTick from the core clock, counting down from its 24-bit maximum; `None` if the
/// peripherals were already taken.
pub(crate) fn systick_start() -> Option<cortex_m::peripheral::SYST> {
    use cortex_m::peripheral::syst::SystClkSource;
    let mut syst = cortex_m::Peripherals::take()?.SYST;
    syst.set_clock_source(SystClkSource::Core);
    syst.set_reload(0x00FF_FFFF);
    syst.clear_current();
    syst.enable_counter();
    Some(syst)
}

/// A panic ends the run with status 101 and the message, which the host reports.
#[cfg(feature = "panic-handler")]
#[panic_handler]
fn panic(info: &core::panic::PanicInfo) -> ! {
    hprintln!("panic: {}", info);
    exit_with(EXIT_PANIC)
}

/// A fault ends the run with status 102 instead of hanging until the host's timeout.
#[cfg(feature = "hardfault-handler")]
#[cortex_m_rt::exception]
unsafe fn HardFault(frame: &cortex_m_rt::ExceptionFrame) -> ! {
    hprintln!("HardFault at pc={:#010x}", frame.pc());
    exit_with(102)
}
