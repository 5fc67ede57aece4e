//! Performance of secret-core against plain code on the device: the workloads of the desktop
//! iai-callgrind benches (`benches/benches/iai.rs`), each run once as secret-core code and once
//! as its comparator (plain integers, `subtle`, `constant_time_eq`, a hardware `/`), with the
//! executed instructions counted by SysTick under QEMU.
//!
//! Every measured piece of code is an `#[inline(never)] #[no_mangle]` wrapper
//! `perf_<workload>_<variant>(&Inputs, &mut Outputs)`: it reads its inputs through
//! `core::hint::black_box`, runs the workload (inlined into the wrapper by LTO, apart from
//! compiler-builtins helpers such as `__aeabi_lmul` or `__aeabi_uidiv` on Cortex-M0) and
//! stores the result, declassified, in `Outputs`. The symbol's size in the ELF (`nm -S`) is
//! therefore the code size of the workload, and `./perf.sh` reads it from there.
//!
//! Counting: the runners in `.cargo/config.toml` pass `-icount shift=10,align=off,sleep=off`,
//! so QEMU advances virtual time by exactly 1024 ns per instruction and SysTick (core clock:
//! 16 MHz on the microbit, 25 MHz on mps2-an385/386, 20 MHz on mps2-an505) counts
//! instructions × 1.024 µs × clock. Each wrapper is called once through a function pointer
//! between two SysTick reads; the ticks are converted to instructions (exact: the rounding
//! error of one tick is well under half an instruction) and the same measurement of an empty
//! wrapper `perf_empty` (the call, the empty function and one SysTick read) is subtracted. A
//! calibration function of 1024 `NOP`s must come out exactly 1024 instructions longer than the
//! same function without them, or the image fails (a real board, or QEMU without `-icount`:
//! SysTick then counts time, not instructions).
//!
//! Output: one line `perf NAME INSTRUCTIONS` per wrapper; the checks that every secret-core
//! result equals its comparator's (and the known answers); the two lookups' counts at indexes
//! 0, 77 and 255 (secret-core's must not change); `perf: PASS` and exit code 0, or exit code 1
//! on any mismatch.
//!
//! `cargo run --release --target thumbv6m-none-eabi --bin perf`; `./perf.sh` makes the tables.
#![no_std]
#![no_main]

use core::hint::black_box;

use cortex_m_rt::entry;
use cortex_m_semihosting::hprintln;
use secret_benches::{
    chacha20_block_plain, chacha20_block_secret, field_mul_plain, field_mul_secret, field_operands,
    lookup_table, plain,
};
use secret_core::{ct_lookup, Secret, SecretBool};
use secret_firmware::mac::{
    mac_locals_plain, mac_locals_secret, mac_mut_plain, mac_mut_secret, mac_reassign_secret,
    MESSAGE_WORDS,
};
use secret_firmware::timer::{SysTickTimer, Timer};
use secret_firmware::Report;
use subtle::ConditionallySelectable;

// ---------------------------------------------------------------------------------------------
// Inputs and outputs (the same values as the desktop benches where they have one).

/// RFC 8439 §2.3.2: key bytes 00 01 .. 1f as little-endian words, counter 1, this nonce.
const KEY: [u32; 8] = [
    0x0302_0100,
    0x0706_0504,
    0x0b0a_0908,
    0x0f0e_0d0c,
    0x1312_1110,
    0x1716_1514,
    0x1b1a_1918,
    0x1f1e_1d1c,
];
const NONCE: [u32; 3] = [0x0900_0000, 0x4a00_0000, 0x0000_0000];
/// The first four output words of that block (RFC 8439 §2.3.2).
const CHACHA20_FIRST: [u32; 4] = [0xe4e7_f110, 0x1559_3bd1, 0x1fdd_0f50, 0xc471_20a3];

const N32: u32 = 0xdead_beef;
const D32: u32 = 12345;
const N64: u64 = 0xdead_beef_cafe_f00d;
const D64: u64 = 123_456_789;
const INDEX: usize = 77;
const MAC_KEY: [u32; 4] = [0x0123_4567, 0x89ab_cdef, 0xfedc_ba98, 0x7654_3210];

/// Every wrapper's inputs: the plain values and, made once with `Secret::new`, the secret ones.
pub struct Inputs {
    key: [u32; 8],
    key_secret: [Secret<u32>; 8],
    nonce: [u32; 3],
    counter: u32,
    fa: [u64; 5],
    fb: [u64; 5],
    fa_secret: [Secret<u64>; 5],
    fb_secret: [Secret<u64>; 5],
    eq_a: [u8; 32],
    eq_b: [u8; 32],
    eq_a_secret: Secret<[u8; 32]>,
    eq_b_secret: Secret<[u8; 32]>,
    choice: u8,
    choice_secret: SecretBool,
    sel_a: [u8; 32],
    sel_b: [u8; 32],
    sel_a_secret: Secret<[u8; 32]>,
    sel_b_secret: Secret<[u8; 32]>,
    w_a: u64,
    w_b: u64,
    w_a_secret: Secret<u64>,
    w_b_secret: Secret<u64>,
    table: [u32; 256],
    index: usize,
    index_secret: Secret<usize>,
    n32: u32,
    d32: u32,
    n32_secret: Secret<u32>,
    d32_secret: Secret<u32>,
    n64: u64,
    d64: u64,
    n64_secret: Secret<u64>,
    d64_secret: Secret<u64>,
    mac_key: [u32; 4],
    mac_key_secret: [Secret<u32>; 4],
    mac_message: [u32; MESSAGE_WORDS],
}

impl Inputs {
    fn new() -> Self {
        let (fa, fb) = field_operands();
        let eq: [u8; 32] = core::array::from_fn(|i| (i as u8).wrapping_mul(37) ^ 0x5c);
        let sel_a = [1u8; 32];
        let sel_b = [2u8; 32];
        Inputs {
            key: KEY,
            key_secret: KEY.map(Secret::new),
            nonce: NONCE,
            counter: 1,
            fa,
            fb,
            fa_secret: fa.map(Secret::new),
            fb_secret: fb.map(Secret::new),
            // Equal inputs: every byte is compared (all three comparisons are constant-time).
            eq_a: eq,
            eq_b: eq,
            eq_a_secret: Secret::new(eq),
            eq_b_secret: Secret::new(eq),
            choice: 1,
            choice_secret: SecretBool::new(true),
            sel_a,
            sel_b,
            sel_a_secret: Secret::new(sel_a),
            sel_b_secret: Secret::new(sel_b),
            w_a: 1,
            w_b: 2,
            w_a_secret: Secret::new(1),
            w_b_secret: Secret::new(2),
            table: lookup_table(),
            index: INDEX,
            index_secret: Secret::new(INDEX),
            n32: N32,
            d32: D32,
            n32_secret: Secret::new(N32),
            d32_secret: Secret::new(D32),
            n64: N64,
            d64: D64,
            n64_secret: Secret::new(N64),
            d64_secret: Secret::new(D64),
            mac_key: MAC_KEY,
            mac_key_secret: MAC_KEY.map(Secret::new),
            mac_message: core::array::from_fn(|i| (i as u32).wrapping_mul(0x9e37_79b9)),
        }
    }
}

/// Every wrapper's result, plain (secret results are declassified inside the wrapper).
#[derive(Default)]
pub struct Outputs {
    chacha20_secret: [u32; 16],
    chacha20_plain: [u32; 16],
    field_mul_secret: [u64; 5],
    field_mul_plain: [u64; 5],
    eq32_secret: bool,
    eq32_cte: bool,
    eq32_subtle: bool,
    select32_secret: [u8; 32],
    select32_subtle: [u8; 32],
    select_u64_secret: u64,
    select_u64_subtle: u64,
    lookup256_secret: u32,
    lookup256_mask_scan: u32,
    lookup256_branch_free: u32,
    div_u32_secret: (u32, u32),
    div_u32_hw: (u32, u32),
    div_u64_secret: (u64, u64),
    div_u64_hw: (u64, u64),
    mac_locals_secret: [u32; 4],
    mac_locals_plain: [u32; 4],
    /// The MAC state that `perf_mac_mut_*` update through `&mut` (in memory, not locals).
    mac_mut_state_secret: [Secret<u32>; 4],
    mac_mut_state_plain: [u32; 4],
    mac_mut_secret: [u32; 4],
    mac_mut_plain: [u32; 4],
    /// The MAC state that `perf_mac_mut_secret_reassign` updates through `&mut`.
    mac_mut_state_secret_reassign: [Secret<u32>; 4],
    mac_mut_secret_reassign: [u32; 4],
    wipe256_secret: u32,
    wipe256_plain: u32,
    wipe1024_secret: u32,
    wipe1024_plain: u32,
}

// ---------------------------------------------------------------------------------------------
// The wrappers: one workload each, inlined; the symbol size is the workload's code size.

/// The call overhead that every measurement includes and that is subtracted.
#[no_mangle]
#[inline(never)]
pub fn perf_empty(_: &Inputs, _: &mut Outputs) {}

/// 1024 `NOP`s: with [`calibrate_0_nops`], checks the ticks-to-instructions conversion.
#[no_mangle]
#[inline(never)]
pub fn calibrate_1024_nops(_: &Inputs, _: &mut Outputs) {
    // SAFETY: NOPs only: no memory, stack or flags are touched.
    unsafe {
        core::arch::asm!(
            ".rept 1024",
            "nop",
            ".endr",
            options(nomem, nostack, preserves_flags)
        )
    };
}

/// The same function with no `NOP`: the same prologue and epilogue (on ARMv6-M an `asm!` block
/// makes LLVM set up the frame pointer, which an empty function does not).
#[no_mangle]
#[inline(never)]
pub fn calibrate_0_nops(_: &Inputs, _: &mut Outputs) {
    // SAFETY: an empty asm block.
    unsafe { core::arch::asm!("", options(nomem, nostack, preserves_flags)) };
}

/// ChaCha20 block on `Secret<u32>` (secret key words).
#[no_mangle]
#[inline(never)]
pub fn perf_chacha20_secret(i: &Inputs, o: &mut Outputs) {
    let out = chacha20_block_secret(
        black_box(&i.key_secret),
        black_box(i.counter),
        black_box(&i.nonce),
    );
    o.chacha20_secret = out.map(Secret::declassify);
}

/// ChaCha20 block on plain `u32`.
#[no_mangle]
#[inline(never)]
pub fn perf_chacha20_plain(i: &Inputs, o: &mut Outputs) {
    o.chacha20_plain =
        chacha20_block_plain(black_box(&i.key), black_box(i.counter), black_box(&i.nonce));
}

/// GF(2^255-19) multiply on `Secret<u64>` limbs, `Secret<u128>` products.
#[no_mangle]
#[inline(never)]
pub fn perf_field_mul_secret(i: &Inputs, o: &mut Outputs) {
    let [l0, l1, l2, l3, l4] = field_mul_secret(black_box(&i.fa_secret), black_box(&i.fb_secret));
    // Word by word: core's array `map` is a copy loop and a `memcpy` call at opt-level "z".
    o.field_mul_secret = [
        l0.declassify(),
        l1.declassify(),
        l2.declassify(),
        l3.declassify(),
        l4.declassify(),
    ];
}

/// The same multiply on plain `u64`/`u128`.
#[no_mangle]
#[inline(never)]
pub fn perf_field_mul_plain(i: &Inputs, o: &mut Outputs) {
    o.field_mul_plain = field_mul_plain(black_box(&i.fa), black_box(&i.fb));
}

/// `Secret<[u8; 32]>::ct_eq(..).declassify()`.
#[no_mangle]
#[inline(never)]
pub fn perf_eq32_secret(i: &Inputs, o: &mut Outputs) {
    o.eq32_secret = black_box(&i.eq_a_secret)
        .ct_eq(black_box(&i.eq_b_secret))
        .declassify();
}

/// `constant_time_eq::constant_time_eq_32`.
#[no_mangle]
#[inline(never)]
pub fn perf_eq32_cte(i: &Inputs, o: &mut Outputs) {
    o.eq32_cte = constant_time_eq::constant_time_eq_32(black_box(&i.eq_a), black_box(&i.eq_b));
}

/// subtle: `<[u8]>::ct_eq(..).into()`.
#[no_mangle]
#[inline(never)]
pub fn perf_eq32_subtle(i: &Inputs, o: &mut Outputs) {
    o.eq32_subtle =
        subtle::ConstantTimeEq::ct_eq(black_box(&i.eq_a[..]), black_box(&i.eq_b[..])).into();
}

/// `SecretBool::select` on `Secret<[u8; 32]>`.
#[no_mangle]
#[inline(never)]
pub fn perf_select32_secret(i: &Inputs, o: &mut Outputs) {
    o.select32_secret = black_box(&i.choice_secret)
        .select(black_box(&i.sel_a_secret), black_box(&i.sel_b_secret))
        .declassify();
}

/// subtle: `<[u8; 32]>::conditional_select`. subtle returns its *second* argument when the
/// choice is 1 (`SecretBool::select` its first when true), so the arrays are passed swapped.
#[no_mangle]
#[inline(never)]
pub fn perf_select32_subtle(i: &Inputs, o: &mut Outputs) {
    let choice = subtle::Choice::from(black_box(i.choice));
    o.select32_subtle =
        <[u8; 32]>::conditional_select(black_box(&i.sel_b), black_box(&i.sel_a), choice);
}

/// `SecretBool::select` on `Secret<u64>`.
#[no_mangle]
#[inline(never)]
pub fn perf_select_u64_secret(i: &Inputs, o: &mut Outputs) {
    o.select_u64_secret = black_box(&i.choice_secret)
        .select(black_box(&i.w_a_secret), black_box(&i.w_b_secret))
        .declassify();
}

/// subtle: `u64::conditional_select` (arguments swapped, as for `perf_select32_subtle`).
#[no_mangle]
#[inline(never)]
pub fn perf_select_u64_subtle(i: &Inputs, o: &mut Outputs) {
    let choice = subtle::Choice::from(black_box(i.choice));
    o.select_u64_subtle = u64::conditional_select(black_box(&i.w_b), black_box(&i.w_a), choice);
}

/// `ct_lookup` in a 256-entry `u32` table at a secret index.
#[no_mangle]
#[inline(never)]
pub fn perf_lookup256_secret(i: &Inputs, o: &mut Outputs) {
    o.lookup256_secret = ct_lookup(black_box(&i.table), black_box(&i.index_secret)).declassify();
}

/// The same scan with a plain arithmetic mask (`secret_benches::plain::mask_scan_lookup`).
#[no_mangle]
#[inline(never)]
pub fn perf_lookup256_mask_scan(i: &Inputs, o: &mut Outputs) {
    o.lookup256_mask_scan = plain::mask_scan_lookup(black_box(&i.table), black_box(i.index));
}

/// A plain mask scan made branch-free the way firmware does it by hand: the equality mask
/// (`(d | -d) >> 31`, minus one) passes through an empty `asm!` block, so that LLVM cannot turn
/// it back into a compare and branch (on M0) or a predicated move (on M4).
#[no_mangle]
#[inline(never)]
pub fn perf_lookup256_branch_free(i: &Inputs, o: &mut Outputs) {
    let (table, index) = (black_box(&i.table), black_box(i.index));
    let mut acc = 0u32;
    for (k, entry) in table.iter().enumerate() {
        let d = (k ^ index) as u32;
        let mut mask = ((d | d.wrapping_neg()) >> 31).wrapping_sub(1);
        // SAFETY: an assembler comment: reads and writes only the register holding `mask`.
        unsafe {
            core::arch::asm!(
                "/* {0} */",
                inout(reg) mask,
                options(pure, nomem, nostack, preserves_flags)
            )
        };
        acc |= entry & mask;
    }
    o.lookup256_branch_free = acc;
}

/// `Secret<u32>::ct_div_rem` (shift and subtract, no divide instruction).
#[no_mangle]
#[inline(never)]
pub fn perf_div_u32_secret(i: &Inputs, o: &mut Outputs) {
    let (q, r) = black_box(&i.n32_secret).ct_div_rem(black_box(&i.d32_secret));
    o.div_u32_secret = (q.declassify(), r.declassify());
}

/// `n / d`, `n % d` on `u32`: `UDIV` (+ `MLS`) on v7-M/v8-M, `__aeabi_uidivmod` on v6-M.
#[no_mangle]
#[inline(never)]
pub fn perf_div_u32_hw(i: &Inputs, o: &mut Outputs) {
    let (n, d) = (black_box(i.n32), black_box(i.d32));
    o.div_u32_hw = (n / d, n % d);
}

/// `Secret<u64>::ct_div_rem`.
#[no_mangle]
#[inline(never)]
pub fn perf_div_u64_secret(i: &Inputs, o: &mut Outputs) {
    let (q, r) = black_box(&i.n64_secret).ct_div_rem(black_box(&i.d64_secret));
    o.div_u64_secret = (q.declassify(), r.declassify());
}

/// `n / d`, `n % d` on `u64`: `__aeabi_uldivmod` (compiler-builtins) on every core here.
#[no_mangle]
#[inline(never)]
pub fn perf_div_u64_hw(i: &Inputs, o: &mut Outputs) {
    let (n, d) = (black_box(i.n64), black_box(i.d64));
    o.div_u64_hw = (n / d, n % d);
}

/// The MAC with its state in four `Secret<u32>` locals.
#[no_mangle]
#[inline(never)]
pub fn perf_mac_locals_secret(i: &Inputs, o: &mut Outputs) {
    let [t0, t1, t2, t3] =
        mac_locals_secret(black_box(&i.mac_key_secret), black_box(&i.mac_message));
    // Word by word: core's array `map` stays an out-of-line call at opt-level "z".
    o.mac_locals_secret = [
        t0.declassify(),
        t1.declassify(),
        t2.declassify(),
        t3.declassify(),
    ];
}

/// The MAC with its state in four `u32` locals.
#[no_mangle]
#[inline(never)]
pub fn perf_mac_locals_plain(i: &Inputs, o: &mut Outputs) {
    o.mac_locals_plain = mac_locals_plain(black_box(&i.mac_key), black_box(&i.mac_message));
}

/// The MAC with its state in a `[Secret<u32>; 4]` in `Outputs`, updated in place through
/// `&mut` (`+=`, `^=`, `v1.rotate_left_assign(5)`).
#[no_mangle]
#[inline(never)]
pub fn perf_mac_mut_secret(i: &Inputs, o: &mut Outputs) {
    let key = black_box(&i.mac_key_secret);
    let state = black_box(&mut o.mac_mut_state_secret);
    state.clone_from(key);
    mac_mut_secret(state, key, black_box(&i.mac_message));
    o.mac_mut_secret = o.mac_mut_state_secret.clone().map(Secret::declassify);
}

/// The MAC with its state in a `[u32; 4]` in `Outputs`, updated through `&mut`.
#[no_mangle]
#[inline(never)]
pub fn perf_mac_mut_plain(i: &Inputs, o: &mut Outputs) {
    let key = black_box(&i.mac_key);
    let state = black_box(&mut o.mac_mut_state_plain);
    *state = *key;
    mac_mut_plain(state, key, black_box(&i.mac_message));
    o.mac_mut_plain = o.mac_mut_state_plain;
}

/// The MAC with its state in a `[Secret<u32>; 4]` in `Outputs`, updated through `&mut` with
/// assignments (`*v1 = v1.rotate_left(5)`: every such assignment drops the old value in place).
#[no_mangle]
#[inline(never)]
pub fn perf_mac_mut_secret_reassign(i: &Inputs, o: &mut Outputs) {
    let key = black_box(&i.mac_key_secret);
    let state = black_box(&mut o.mac_mut_state_secret_reassign);
    state.clone_from(key);
    mac_reassign_secret(state, key, black_box(&i.mac_message));
    o.mac_mut_secret_reassign = o
        .mac_mut_state_secret_reassign
        .clone()
        .map(Secret::declassify);
}

/// The work inside the stack-wipe wrappers: small, so that their counts are the wipe's cost.
#[inline(always)]
fn wipe_work(i: &Inputs) -> u32 {
    black_box(i.n32).rotate_left(3) ^ black_box(i.d32)
}

/// `wipe::with_clean_stack_bare` with a 256-byte budget around [`wipe_work`].
#[no_mangle]
#[inline(never)]
pub fn perf_wipe256_secret(i: &Inputs, o: &mut Outputs) {
    // SAFETY: 256 bytes below this frame are free stack on every board here (and the
    // `cortex-m-rt` feature checks it against `_stack_end` before painting).
    o.wipe256_secret = unsafe { secret_core::wipe::with_clean_stack_bare(256, || wipe_work(i)) };
}

/// [`wipe_work`] without the wipe.
#[no_mangle]
#[inline(never)]
pub fn perf_wipe256_plain(i: &Inputs, o: &mut Outputs) {
    o.wipe256_plain = wipe_work(i);
}

/// `wipe::with_clean_stack_bare` with a 1024-byte budget around [`wipe_work`].
#[no_mangle]
#[inline(never)]
pub fn perf_wipe1024_secret(i: &Inputs, o: &mut Outputs) {
    // SAFETY: as in `perf_wipe256_secret`, with 1024 bytes (the micro:bit has 16 KiB of RAM).
    o.wipe1024_secret = unsafe { secret_core::wipe::with_clean_stack_bare(1024, || wipe_work(i)) };
}

/// [`wipe_work`] without the wipe.
#[no_mangle]
#[inline(never)]
pub fn perf_wipe1024_plain(i: &Inputs, o: &mut Outputs) {
    o.wipe1024_plain = wipe_work(i);
}

type Wrapper = fn(&Inputs, &mut Outputs);

/// `(symbol name, function)` for each wrapper, in the order they run and print.
macro_rules! wrappers {
    ($($f:ident),* $(,)?) => {
        &[$((stringify!($f), $f as Wrapper)),*]
    };
}

const WRAPPERS: &[(&str, Wrapper)] = wrappers![
    perf_chacha20_secret,
    perf_chacha20_plain,
    perf_field_mul_secret,
    perf_field_mul_plain,
    perf_eq32_secret,
    perf_eq32_cte,
    perf_eq32_subtle,
    perf_select32_secret,
    perf_select32_subtle,
    perf_select_u64_secret,
    perf_select_u64_subtle,
    perf_lookup256_secret,
    perf_lookup256_mask_scan,
    perf_lookup256_branch_free,
    perf_div_u32_secret,
    perf_div_u32_hw,
    perf_div_u64_secret,
    perf_div_u64_hw,
    perf_mac_locals_secret,
    perf_mac_locals_plain,
    perf_mac_mut_secret,
    perf_mac_mut_plain,
    perf_mac_mut_secret_reassign,
    perf_wipe256_secret,
    perf_wipe256_plain,
    perf_wipe1024_secret,
    perf_wipe1024_plain,
];

// ---------------------------------------------------------------------------------------------
// Measuring.

/// SysTick's clock on this image's QEMU board (the core clock), in Hz.
fn systick_hz() -> Option<u64> {
    match env!("SECRET_FIRMWARE_BOARD") {
        "microbit" => Some(16_000_000),
        "mps2-an385" | "mps2-an386" => Some(25_000_000),
        "mps2-an505" => Some(20_000_000),
        _ => None,
    }
}

/// SysTick ticks → instructions under `-icount shift=10` (1024 ns per instruction), rounded to
/// the nearest: a tick is 1/16.384 to 1/25.6 of an instruction, so one tick of rounding in the
/// reads cannot change the result.
fn instructions(ticks: u32, hz: u64) -> u64 {
    (u64::from(ticks) * 1_000_000_000 + hz * 512) / (hz * 1024)
}

/// Ticks of one call of `f` through a function pointer, between two SysTick reads.
///
/// Not inlined, so that every measurement (the empty one included) runs exactly the same
/// instructions around the call: inlined into `main`, LLVM moved arithmetic of the previous
/// measurement (the tick conversion) between a call and its closing SysTick read (compiler
/// fences order memory accesses, not computation).
#[inline(never)]
fn ticks(timer: &mut SysTickTimer, f: Wrapper, i: &Inputs, o: &mut Outputs) -> u32 {
    let f = black_box(f);
    let i = black_box(i);
    let o = black_box(o);
    timer.measure(|| f(i, o)).0
}

#[entry]
fn main() -> ! {
    let mut report = Report::new("perf");
    let Some(hz) = systick_hz() else {
        report.check(
            concat!(
                "SysTick clock known for board ",
                env!("SECRET_FIRMWARE_BOARD")
            ),
            false,
        );
        report.finish()
    };
    let p = cortex_m::Peripherals::take().expect("peripherals taken once");
    let mut timer = SysTickTimer::new(p.SYST);
    let mut inputs = Inputs::new();
    let mut outputs = Outputs::default();

    let empty = instructions(ticks(&mut timer, perf_empty, &inputs, &mut outputs), hz);
    let nops_1024 = instructions(
        ticks(&mut timer, calibrate_1024_nops, &inputs, &mut outputs),
        hz,
    );
    let nops_0 = instructions(
        ticks(&mut timer, calibrate_0_nops, &inputs, &mut outputs),
        hz,
    );
    let calibration = nops_1024.saturating_sub(nops_0);
    report.note(format_args!(
        "SysTick at {} Hz, -icount shift=10: ticks x 1024 ns / tick period = instructions; \
         call overhead {} instructions (perf_empty, subtracted from every count)",
        hz, empty
    ));
    report.check(
        format_args!("calibration: 1024 NOPs counted as {calibration} instructions"),
        calibration == 1024,
    );
    if calibration != 1024 {
        report.note(
            "SysTick does not count instructions: run under QEMU with \
             -icount shift=10,align=off,sleep=off (the runners in .cargo/config.toml do)",
        );
        report.finish()
    }

    for &(name, f) in WRAPPERS {
        let n = instructions(ticks(&mut timer, f, &inputs, &mut outputs), hz).saturating_sub(empty);
        hprintln!("perf {} {}", name, n);
    }

    let o = &outputs;
    report.check(
        "chacha20: secret == plain",
        o.chacha20_secret == o.chacha20_plain,
    );
    report.check(
        "chacha20: RFC 8439 2.3.2 vector",
        o.chacha20_plain[..4] == CHACHA20_FIRST,
    );
    report.check(
        "field_mul: secret == plain",
        o.field_mul_secret == o.field_mul_plain,
    );
    report.check(
        "eq32: secret == constant_time_eq == subtle == true",
        o.eq32_secret && o.eq32_cte && o.eq32_subtle,
    );
    report.check(
        "select32: secret == subtle == a",
        o.select32_secret == o.select32_subtle && o.select32_secret == inputs.sel_a,
    );
    report.check(
        "select_u64: secret == subtle == a",
        o.select_u64_secret == o.select_u64_subtle && o.select_u64_secret == inputs.w_a,
    );
    report.check(
        "lookup256: secret == mask_scan == branch_free == table[77]",
        o.lookup256_secret == o.lookup256_mask_scan
            && o.lookup256_branch_free == o.lookup256_secret
            && o.lookup256_secret == lookup_table()[INDEX],
    );
    report.check(
        "div_u32: secret == hw == (n / d, n % d)",
        o.div_u32_secret == o.div_u32_hw && o.div_u32_hw == (N32 / D32, N32 % D32),
    );
    report.check(
        "div_u64: secret == hw == (n / d, n % d)",
        o.div_u64_secret == o.div_u64_hw && o.div_u64_hw == (N64 / D64, N64 % D64),
    );
    report.check(
        "mac: secret == plain, state in locals == state behind &mut (in place, reassigned)",
        o.mac_locals_secret == o.mac_locals_plain
            && o.mac_mut_secret == o.mac_mut_plain
            && o.mac_mut_secret_reassign == o.mac_mut_plain
            && o.mac_locals_plain == o.mac_mut_plain
            && o.mac_mut_plain != [0; 4],
    );
    report.check(
        "wipe: with_clean_stack_bare returns the closure's result",
        o.wipe256_secret == o.wipe256_plain
            && o.wipe1024_secret == o.wipe1024_plain
            && o.wipe256_plain == N32.rotate_left(3) ^ D32,
    );

    // The lookups again at other indexes: secret-core's scan runs the same instructions for
    // every index; the plain mask scan need not (LLVM may turn its mask into a branch).
    let mut counts = [[0u64; 3]; 3];
    let mut lookups_right = true;
    for (k, index) in [0usize, INDEX, 255].into_iter().enumerate() {
        inputs.index = index;
        inputs.index_secret = Secret::new(index);
        for (c, f) in counts.iter_mut().zip([
            perf_lookup256_secret as Wrapper,
            perf_lookup256_mask_scan,
            perf_lookup256_branch_free,
        ]) {
            c[k] =
                instructions(ticks(&mut timer, f, &inputs, &mut outputs), hz).saturating_sub(empty);
        }
        lookups_right &= outputs.lookup256_secret == inputs.table[index]
            && outputs.lookup256_mask_scan == inputs.table[index]
            && outputs.lookup256_branch_free == inputs.table[index];
    }
    report.note(format_args!(
        "lookup256 instructions at index 0 / 77 / 255: secret {:?}, mask_scan {:?}, \
         branch_free {:?}",
        counts[0], counts[1], counts[2]
    ));
    report.check(
        "lookup256_secret and branch_free: the same instruction count at every index",
        [counts[0], counts[2]]
            .iter()
            .all(|c| c.iter().all(|&n| n == c[0])),
    );
    let small = [7u32, 9, 11];
    report.check(
        "ct_lookup out of range gives 0; one- and three-entry tables",
        ct_lookup(&inputs.table, &Secret::new(256)).declassify() == 0
            && ct_lookup(&inputs.table, &Secret::new(usize::MAX)).declassify() == 0
            && ct_lookup(&small[..1], &Secret::new(0)).declassify() == 7
            && ct_lookup(&small, &Secret::new(2)).declassify() == 11
            && ct_lookup(&small[..0], &Secret::new(0)).declassify() == 0
            && ct_lookup(&[-5i32, 6], &Secret::new(0)).declassify() == -5,
    );
    report.check(
        "lookup256 at index 0, 77, 255: secret == mask_scan == branch_free == table[index]",
        lookups_right,
    );

    report.finish()
}
