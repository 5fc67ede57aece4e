//! no_std-examples' constant-time checks, declared once for `cargo ct-verify --target thumbv*`
//! (`../scripts/ct-verify --target thumbv7m-none-eabi` from this directory): ct-verify builds
//! this file as firmware (it `include!`s it with `ct_verify` naming its `no_std` twin) and runs
//! every check on every secret input under QEMU. This crate is firmware only, so the file is
//! not built for the host.
//!
//! Every check gets a 64-byte secret input and reads the bytes it needs. Checks named `leak_*`
//! are deliberately leaky controls: an early-exit compare, a secret-indexed table, a hardware
//! divide by a secret. Every other check is a secret-core primitive (or the ChaCha20 block)
//! and must be constant-time.

use core::hint::black_box;

use secret_core::{ct_lookup, CtSelect, Secret, SecretBool};
use secret_firmware::chacha20;

/// Bytes of secret input every check gets.
const INPUT_LEN: usize = 64;

type Input = [u8; INPUT_LEN];

// ---------------------------------------------------------------------------------------------
// Reading the input.

fn bytes<const N: usize>(input: &Input, offset: usize) -> [u8; N] {
    let mut out = [0u8; N];
    out.copy_from_slice(&input[offset..offset + N]);
    out
}

/// A secret of type `$t` from the input bytes at `$off` (little-endian).
macro_rules! secret_at {
    ($t:ty, $input:expr, $off:expr) => {
        Secret::new(<$t>::from_le_bytes(bytes($input, $off)))
    };
}

/// A secret condition from the low bit of input byte `i`, made the way secret-core code makes
/// one: a constant-time comparison of secrets. (`SecretBool::new(x & 1 == 1)` would not do: it
/// classifies a *public* bool, and on Cortex-M0 LLVM turns that `bool` into a branch.)
fn secret_bit(input: &Input, i: usize) -> SecretBool {
    !Secret::new(input[i] & 1).ct_is_zero()
}

// ---------------------------------------------------------------------------------------------
// The self-test pair.

/// An early-exit compare of two 32-byte secrets (a `memcmp`-style loop): leaks the position of
/// the first difference through the number of instructions executed.
#[inline(never)]
fn leak_early_exit_eq(input: &Input) {
    let a: [u8; 32] = bytes(input, 0);
    let b: [u8; 32] = bytes(input, 32);
    let mut equal = true;
    for i in 0..32 {
        if black_box(a[i]) != black_box(b[i]) {
            equal = false;
            break;
        }
    }
    black_box(equal);
}

/// `Secret<[u8; 32]>::ct_eq`: the same comparison in constant time.
#[inline(never)]
fn secret_core_ct_eq(input: &Input) {
    let a = Secret::new(bytes::<32>(input, 0));
    let b = Secret::new(bytes::<32>(input, 32));
    black_box(a.ct_eq(&b));
}

/// `ct_eq_public` (a secret tag against a public one).
#[inline(never)]
fn secret_core_ct_eq_public(input: &Input) {
    const TAG: [u8; 32] = [0x5a; 32];
    let a = Secret::new(bytes::<32>(input, 0));
    black_box(a.ct_eq_public(black_box(&TAG)));
}

// ---------------------------------------------------------------------------------------------
// Leaky controls.

static TABLE: [u8; 256] = {
    let mut t = [0u8; 256];
    let mut i = 0;
    while i < 256 {
        t[i] = (i as u8).wrapping_mul(167).wrapping_add(13);
        i += 1;
    }
    t
};

/// `TABLE[secret]`: the address of the load depends on the secret.
#[inline(never)]
fn leak_table_index(input: &Input) {
    let i = black_box(input[0]) as usize;
    black_box(black_box(&TABLE)[i]);
}

/// A plain `/` by a secret divisor: a hardware UDIV on v7-M/v8-M (variable latency), a call
/// to the compiler-builtins division routine (a data-dependent loop) on v6-M.
#[inline(never)]
fn leak_udiv(input: &Input) {
    let n = black_box(u32::from_le_bytes(bytes(input, 0)));
    let d = black_box(u32::from_le_bytes(bytes(input, 4)) | 1);
    black_box(n / d);
}

/// CONSTANT TIME: a `/` of public values (a public length split into 3-byte blocks; the operands
/// are hidden from LLVM so that it divides): a UDIV on v7-M/v8-M, the division routine on v6-M,
/// with the same operands for every secret. The secret is XORed over the public number of
/// whole blocks.
#[inline(never)]
fn public_udiv(input: &Input) {
    let blocks = black_box(40u32) / black_box(3u32);
    let mut x = 0u8;
    for b in &input[..((blocks * 3) as usize).min(input.len())] {
        x ^= *b;
    }
    black_box(x);
}

// ---------------------------------------------------------------------------------------------
// secret-core primitives, per integer type.

macro_rules! int_checks {
    ($t:ty, $arith:ident, $mul:ident, $rot:ident, $cmp:ident, $sel:ident, $shs:ident, $bytes:ident) => {
        /// `+ - & | ^ ! neg`, shifts by public amounts, and their assigning forms.
        #[inline(never)]
        fn $arith(input: &Input) {
            let a = secret_at!($t, input, 0);
            let b = secret_at!($t, input, 16);
            let mut c = &a + &b;
            c -= &b;
            c ^= &a;
            c |= &b;
            c &= &a;
            c += &a;
            let d = !(&c - &a);
            let e = -d;
            let f = (&e << 3u32) ^ (&a >> 1u32);
            black_box((c, f));
        }
        /// Wrapping multiplication.
        #[inline(never)]
        fn $mul(input: &Input) {
            let a = secret_at!($t, input, 0);
            let b = secret_at!($t, input, 16);
            let mut c = &a * &b;
            c *= &a;
            black_box(c);
        }
        /// Rotations by public amounts.
        #[inline(never)]
        fn $rot(input: &Input) {
            let a = secret_at!($t, input, 0);
            let b = a.rotate_left(5).rotate_right(3) ^ a.rotate_left(1);
            black_box(b);
        }
        /// `ct_eq`, `ct_ne`, `ct_lt`, `ct_le`, `ct_gt`, `ct_ge`, `ct_is_zero`, `ct_min`, `ct_max`.
        #[inline(never)]
        fn $cmp(input: &Input) {
            let a = secret_at!($t, input, 0);
            let b = secret_at!($t, input, 16);
            let r = a.ct_eq(&b) ^ a.ct_ne(&b) ^ a.ct_lt(&b) ^ a.ct_le(&b);
            let s = a.ct_gt(&b) ^ a.ct_ge(&b) ^ a.ct_is_zero();
            black_box((r, s, a.ct_min(&b), a.ct_max(&b)));
        }
        /// `ct_select`, `SecretBool::select`, `conditional_swap` with a secret condition.
        #[inline(never)]
        fn $sel(input: &Input) {
            let mut a = secret_at!($t, input, 0);
            let mut b = secret_at!($t, input, 16);
            let c = secret_bit(input, 40);
            let x = Secret::ct_select(&c, &a, &b);
            let y = c.select(&b, &x);
            Secret::<$t>::conditional_swap(&mut a, &mut b, &c);
            black_box((x, y, a, b));
        }
        /// Shifts and rotations by a secret amount.
        #[inline(never)]
        fn $shs(input: &Input) {
            let a = secret_at!($t, input, 0);
            let s = Secret::new(u32::from(input[48]));
            let b = a.shl_secret(&s) ^ a.shr_secret(&s);
            let c = a.rotate_left_secret(&s) ^ a.rotate_right_secret(&s);
            black_box((b, c));
        }
        /// `from_le_bytes` / `to_be_bytes` / `cast`.
        #[inline(never)]
        fn $bytes(input: &Input) {
            let raw = Secret::new(bytes::<{ core::mem::size_of::<$t>() }>(input, 0));
            let a = Secret::<$t>::from_le_bytes(&raw);
            black_box((a.to_be_bytes(), a.cast::<u32>()));
        }
    };
}

int_checks!(
    u8,
    u8_arith,
    u8_mul,
    u8_rotate,
    u8_cmp,
    u8_select,
    u8_shift_secret,
    u8_bytes
);
int_checks!(
    u16,
    u16_arith,
    u16_mul,
    u16_rotate,
    u16_cmp,
    u16_select,
    u16_shift_secret,
    u16_bytes
);
int_checks!(
    u32,
    u32_arith,
    u32_mul,
    u32_rotate,
    u32_cmp,
    u32_select,
    u32_shift_secret,
    u32_bytes
);
int_checks!(
    u64,
    u64_arith,
    u64_mul,
    u64_rotate,
    u64_cmp,
    u64_select,
    u64_shift_secret,
    u64_bytes
);
int_checks!(
    i32,
    i32_arith,
    i32_mul,
    i32_rotate,
    i32_cmp,
    i32_select,
    i32_shift_secret,
    i32_bytes
);
int_checks!(
    i64,
    i64_arith,
    i64_mul,
    i64_rotate,
    i64_cmp,
    i64_select,
    i64_shift_secret,
    i64_bytes
);

// ---------------------------------------------------------------------------------------------
// Division, lookups, arrays, booleans, ChaCha20.

/// `ct_div_rem` on u32 (shift-and-subtract; never a hardware divide).
#[inline(never)]
fn ct_div_rem_u32(input: &Input) {
    let n = secret_at!(u32, input, 0);
    let d = secret_at!(u32, input, 4);
    black_box(n.ct_div_rem(&d));
}

/// `ct_div_rem` on u64.
#[inline(never)]
fn ct_div_rem_u64(input: &Input) {
    let n = secret_at!(u64, input, 0);
    let d = secret_at!(u64, input, 8);
    black_box(n.ct_div_rem(&d));
}

/// `ct_lookup` over a 256-entry table by a secret index.
#[inline(never)]
fn ct_lookup_256(input: &Input) {
    let i = Secret::new(usize::from(input[0]));
    black_box(ct_lookup(black_box(&TABLE), &i));
}

/// `Secret<[u32; 16]>::ct_get` by a secret index.
#[inline(never)]
fn ct_get_array(input: &Input) {
    let table: Secret<[u32; 16]> = Secret::new(core::array::from_fn(|i| i as u32 * 0x0101_0101));
    let i = Secret::new(usize::from(input[0] & 15));
    black_box(table.ct_get(&i));
}

/// `ct_select` and `ct_swap` on `Secret<[u8; 32]>`.
#[inline(never)]
fn secret_array_select(input: &Input) {
    let mut a = Secret::new(bytes::<32>(input, 0));
    let mut b = Secret::new(bytes::<32>(input, 32));
    let c = secret_bit(input, 17);
    let x = Secret::ct_select(&c, &a, &b);
    Secret::<[u8; 32]>::conditional_swap(&mut a, &mut b, &c);
    black_box((x, a, b));
}

/// `SecretBool`: `& | ^ !`, `select`, `ct_select`, `ct_eq`.
#[inline(never)]
fn secret_bool_ops(input: &Input) {
    let a = secret_bit(input, 0);
    let b = secret_bit(input, 1);
    let c = (&a & &b) | (!&a ^ &b);
    let d = SecretBool::ct_select(&a, &b, &c);
    let e = secret_core::CtEq::ct_eq(&c, &d);
    black_box((c, d, e));
}

/// The ChaCha20 block function of `secret_firmware::chacha20` (key = the first 32 bytes).
#[inline(never)]
fn chacha20_block(input: &Input) {
    let key = Secret::new(bytes::<32>(input, 0));
    let nonce: [u8; 12] = bytes(input, 32);
    black_box(chacha20::block(&key, 1, black_box(&nonce)));
}

// ---------------------------------------------------------------------------------------------
// The table of checks and the command line.

type Check = fn(&Input);

const CHECKS: &[(&str, Check)] = &[
    ("leak_early_exit_eq", leak_early_exit_eq),
    ("leak_table_index", leak_table_index),
    ("leak_udiv", leak_udiv),
    ("public_udiv", public_udiv),
    ("secret_core_ct_eq", secret_core_ct_eq),
    ("secret_core_ct_eq_public", secret_core_ct_eq_public),
    ("u8_arith", u8_arith),
    ("u8_mul", u8_mul),
    ("u8_rotate", u8_rotate),
    ("u8_cmp", u8_cmp),
    ("u8_select", u8_select),
    ("u8_shift_secret", u8_shift_secret),
    ("u8_bytes", u8_bytes),
    ("u16_arith", u16_arith),
    ("u16_mul", u16_mul),
    ("u16_rotate", u16_rotate),
    ("u16_cmp", u16_cmp),
    ("u16_select", u16_select),
    ("u16_shift_secret", u16_shift_secret),
    ("u16_bytes", u16_bytes),
    ("u32_arith", u32_arith),
    ("u32_mul", u32_mul),
    ("u32_rotate", u32_rotate),
    ("u32_cmp", u32_cmp),
    ("u32_select", u32_select),
    ("u32_shift_secret", u32_shift_secret),
    ("u32_bytes", u32_bytes),
    ("u64_arith", u64_arith),
    ("u64_mul", u64_mul),
    ("u64_rotate", u64_rotate),
    ("u64_cmp", u64_cmp),
    ("u64_select", u64_select),
    ("u64_shift_secret", u64_shift_secret),
    ("u64_bytes", u64_bytes),
    ("i32_arith", i32_arith),
    ("i32_mul", i32_mul),
    ("i32_rotate", i32_rotate),
    ("i32_cmp", i32_cmp),
    ("i32_select", i32_select),
    ("i32_shift_secret", i32_shift_secret),
    ("i32_bytes", i32_bytes),
    ("i64_arith", i64_arith),
    ("i64_mul", i64_mul),
    ("i64_rotate", i64_rotate),
    ("i64_cmp", i64_cmp),
    ("i64_select", i64_select),
    ("i64_shift_secret", i64_shift_secret),
    ("i64_bytes", i64_bytes),
    ("ct_div_rem_u32", ct_div_rem_u32),
    ("ct_div_rem_u64", ct_div_rem_u64),
    ("ct_lookup_256", ct_lookup_256),
    ("ct_get_array", ct_get_array),
    ("secret_array_select", secret_array_select),
    ("secret_bool_ops", secret_bool_ops),
    ("chacha20_block", chacha20_block),
];

fn main() {
    let mut suite = ct_verify::Suite::new();
    for &(name, f) in CHECKS {
        suite = suite.check(name, move |s: &Input| f(s));
    }
    suite.run();
}
