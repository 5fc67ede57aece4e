//! Exported functions that reach every `asm!` block of secret-core on the target.
#![no_std]

use secret_core::{ct_lookup, taint, wipe, Secret};

#[panic_handler]
fn panic(_: &core::panic::PanicInfo) -> ! {
    loop {}
}

/// Value fences (through comparisons and selection) and valgrind requests (taint hooks).
#[no_mangle]
pub extern "C" fn arch_check_compare(a: u64, b: u64) -> u64 {
    let (a, b) = (Secret::new(a), Secret::new(b));
    let lt = a.ct_lt(&b);
    let table = [1u32, 2, 3, 4];
    let looked = ct_lookup(&table, &Secret::new(a.clone().declassify() as usize & 3));
    let (q, _) = a.ct_div_rem(&b);
    taint::callgrind_toggle_collect();
    lt.select(&a, &b).declassify() ^ q.declassify() ^ u64::from(looked.declassify())
}

/// Stack painting, scanning, wiping and register clearing.
#[no_mangle]
pub extern "C" fn arch_check_wipe(x: u32) -> u32 {
    // SAFETY: 1 KiB is far below any stack this is linked into; the closure uses a few words.
    unsafe { wipe::with_clean_stack_bare(1024, || (Secret::new(x) * 3).declassify()) }
}
