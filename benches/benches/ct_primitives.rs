//! The constant-time verification suite of secret-core's own primitives: README's main job,
//! `cargo ct-verify --manifest-path benches/Cargo.toml --bench ct_primitives`.
//!
//! Every public operation on secrets is checked for all twelve integer types, plus byte
//! arrays, lookup, `SecretBool`, `SecretOption`, `Secret<Vec<u8>>`, a whole ChaCha20 block and the
//! guide's Poly1305.
//! Each check receives its secret input from ct-verify (tainted for memcheck, varied for the
//! instruction-count comparison) and returns secrets, which the harness only black-boxes.

use ct_verify::{Config, Suite};
use secret_core::{ct_lookup, CtSelect, Secret, SecretBool, SecretOption};
use std::hint::black_box;

macro_rules! int_checks {
    ($suite:expr; $($t:ident as $u:ident),* $(,)?) => {{
        let suite = $suite;
        $(
        let suite = suite
            .check(concat!(stringify!($t), "_arith"), |s: &($u, $u)| {
                let (a, b) = (Secret::new(s.0 as $t), Secret::new(s.1 as $t));
                let mut x = &a + &b;
                x -= &b * &a;
                x ^= !&a;
                x |= -&b;
                x &= &a << 3;
                x += &b >> 2;
                x += a.rotate_left(5) ^ b.rotate_right(3);
                x
            })
            .check(concat!(stringify!($t), "_compare"), |s: &($u, $u)| {
                let (a, b) = (Secret::new(s.0 as $t), Secret::new(s.1 as $t));
                let flags = a.ct_eq(&b) ^ a.ct_ne(&b) ^ a.ct_lt(&b) ^ a.ct_le(&b)
                    ^ a.ct_gt(&b) ^ a.ct_ge(&b) ^ a.ct_is_zero();
                (flags, a.ct_min(&b), a.ct_max(&b))
            })
            .check(concat!(stringify!($t), "_select_swap"), |s: &($u, $u, u8)| {
                let (mut a, mut b) = (Secret::new(s.0 as $t), Secret::new(s.1 as $t));
                let cond = Secret::new(s.2).ct_lt(&Secret::new(128));
                let picked = cond.select(&a, &b);
                Secret::<$t>::conditional_swap(&mut a, &mut b, &cond);
                (picked, a, b)
            })
            .check(concat!(stringify!($t), "_secret_shift"), |s: &($u, u32)| {
                let (a, n) = (Secret::new(s.0 as $t), Secret::new(s.1));
                a.shl_secret(&n) ^ a.shr_secret(&n) ^ a.rotate_left_secret(&n) ^ a.rotate_right_secret(&n)
            })
            .check(concat!(stringify!($t), "_bytes_cast"), |s: &$u| {
                let a = Secret::new(*s as $t);
                let round = Secret::<$t>::from_le_bytes(&a.to_be_bytes()) ^ Secret::<$t>::from_be_bytes(&a.to_le_bytes());
                (round, a.cast::<u8>(), a.cast::<i128>())
            });
        )*
        suite
    }};
}

macro_rules! div_checks {
    ($suite:expr; $($t:ident),* $(,)?) => {{
        let suite = $suite;
        $(
        let suite = suite.check_with(
            concat!(stringify!($t), "_div_rem"),
            // Corner cases: zero divisor, divisor 1, divisor larger than the dividend, MAX / MAX.
            Config::new()
                .fixed((<$t>::MAX, 0))
                .fixed((<$t>::MAX, 1))
                .fixed((1, <$t>::MAX))
                .fixed((<$t>::MAX, <$t>::MAX)),
            |s: &($t, $t), _: &()| Secret::new(s.0).ct_div_rem(&Secret::new(s.1)),
        );
        )*
        suite
    }};
}

/// The key of RFC 8439 §2.5.2.
const POLY1305_RFC_KEY: [u8; 32] = [
    0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52, 0xfe, 0x42, 0xd5, 0x06, 0xa8,
    0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d, 0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b,
];

fn main() {
    let table = secret_benches::lookup_table();
    let sbox: [u8; 256] = core::array::from_fn(|i| (i as u8).rotate_left(3) ^ 0x63);
    let suite = Suite::new()
        .check("secret_core_ct_eq", |s: &([u8; 32], [u8; 32])| {
            Secret::new(s.0).ct_eq(&Secret::new(s.1))
        })
        .check_with(
            "bytes32_ct_eq_equal_inputs",
            // Equal inputs take the longest path of an early-exit compare: include them.
            Config::new().fixed([0x5a; 32]),
            |s: &[u8; 32], _: &()| Secret::new(*s).ct_eq(&Secret::new(*s)),
        )
        .check("bytes32_ct_eq_public", |s: &[u8; 32]| {
            Secret::new(*s).ct_eq_public(black_box(&[0x5a; 32]))
        })
        .check("bytes1024_ct_eq", |s: &([u8; 1024], [u8; 1024])| {
            Secret::new(s.0).ct_eq(&Secret::new(s.1))
        })
        .check("bytes32_select", |s: &([u8; 32], [u8; 32], u8)| {
            let cond = Secret::new(s.2).ct_eq(&Secret::new(0));
            cond.select(&Secret::new(s.0), &Secret::new(s.1))
        })
        .check("bytes32_sub_array_words", |s: &[u8; 32]| {
            let k = Secret::new(*s);
            Secret::<u32>::from_le_bytes(&k.sub_array::<4>(8)) + k.get(31).cast::<u32>()
        })
        .check("lookup_u32_256", move |s: &u8| {
            ct_lookup(&table, &Secret::new(*s as usize))
        })
        .check("lookup_u8_sbox_out_of_range", move |s: &u16| {
            ct_lookup(&sbox, &Secret::new(*s as usize))
        })
        .check("array_ct_get", |s: &([u32; 16], u8)| {
            Secret::new(s.0).ct_get(&Secret::new((s.1 & 15) as usize))
        })
        .check("secret_option", |s: &(u32, u8)| {
            let opt =
                SecretOption::new(Secret::new(s.0), Secret::new(s.1).ct_lt(&Secret::new(128)));
            let mapped = opt.map(|v| v * 3).and_then(|v| {
                let ok = v.ct_ne(&Secret::new(0));
                SecretOption::new(v, ok)
            });
            mapped.unwrap_or(Secret::new(7))
        })
        .check("chacha20_block", |s: &[u32; 8]| {
            secret_benches::chacha20_block_secret(&s.map(Secret::new), 1, &[0, 0x4a00_0000, 0])
        })
        .check_with(
            "poly1305",
            // The guide's worked example (secret-core/examples/poly1305), on the message of RFC
            // 8439 §2.5.2 (two whole blocks and a partial one) with its key among the inputs.
            Config::new().fixed(POLY1305_RFC_KEY),
            |s: &[u8; 32], _: &()| {
                secret_benches::poly1305_secret(
                    &Secret::new(*s),
                    black_box(b"Cryptographic Forum Research Group"),
                )
            },
        );
    let suite = suite.check("secret_bool_ops", |s: &(u8, u8)| {
        let (a, b) = (
            Secret::new(s.0 & 1).ct_eq_public(&1),
            Secret::new(s.1).ct_is_zero(),
        );
        let x = (&a & &b) | (&a ^ &b) | !&a;
        SecretBool::ct_select(&x, &a, &b)
    });
    // In a debug build (`cargo ct-verify --profile dev`, opt-level 0) these two checks measure
    // other crates' debug-only code, not secret-core's: subtle's `From<u8> for Choice` (both
    // directions of the interop go through it) has a `debug_assert!` on the (secret) bit, a
    // branch taint reports although it always goes the same way; `Vec`'s and zeroize's slice
    // views run core's debug precondition check of `slice::from_raw_parts`, whose
    // `isize::MAX / size_of::<T>()` is a `div` the audit reports, and the instruction count of
    // `malloc` varies with the heap's state. They are checked in the release build (the main
    // job) only; the crate docs (interop with subtle) say the same.
    let suite = if cfg!(debug_assertions) {
        suite
    } else {
        suite
            .check("secret_bool_subtle", |s: &(u8, u8)| {
                let a = SecretBool::from(subtle::Choice::from(s.0 & 1));
                let b = Secret::new(s.1).ct_is_zero();
                subtle::Choice::from(&a ^ &b)
            })
            .check("vec_ct_eq", |s: &([u8; 40], [u8; 40])| {
                let (a, b) = (
                    Secret::<Vec<u8>>::from_slice(&s.0),
                    Secret::<Vec<u8>>::from_slice(&s.1),
                );
                a.ct_eq(&b)
            })
    };
    let suite = int_checks!(suite;
        u8 as u8, u16 as u16, u32 as u32, u64 as u64, u128 as u128, usize as usize,
        i8 as u8, i16 as u16, i32 as u32, i64 as u64, i128 as u128, isize as usize,
    );
    let suite = div_checks!(suite; u8, u16, u32, u64, u128, usize);
    suite.run();
}
