//! Instruction counts (callgrind, via iai-callgrind) of secret-core against plain code, subtle,
//! ctutils and constant_time_eq, measured side by side in one run:
//! `cargo bench -p secret-benches --bench iai` (needs `cargo install iai-callgrind-runner
//! --version 0.16.1` and valgrind). `scripts/bench-gate` compares the counts with the committed
//! baseline `benches/baseline/iai.txt`.
//!
//! Every benchmark gets its inputs by `&'static` reference (leaked in the setup, outside the
//! measurement), so what is counted is the operation itself: no benchmark pays for dropping (and
//! wiping) its inputs, and none gets constants folded into its code.

// iai-callgrind's macros generate undocumented modules.
#![allow(missing_docs)]

use ctutils::CtSelect as _;
use iai_callgrind::{library_benchmark, library_benchmark_group, main};
use secret_benches::{
    chacha20_block_plain, chacha20_block_secret, field_mul_plain, field_mul_secret, field_operands,
    lookup_table, plain, poly1305_plain, poly1305_secret,
};
use secret_core::{ct_lookup, Secret, SecretBool};
use std::hint::black_box;
use subtle::{ConditionallySelectable, ConstantTimeEq};

/// Moves `value` to the heap for the rest of the run: set-up code, not measured.
fn leak<T>(value: T) -> &'static T {
    Box::leak(Box::new(value))
}

const KEY: [u32; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
const NONCE: [u32; 3] = [9, 10, 11];

#[library_benchmark]
#[bench::key(leak(KEY))]
fn chacha20_plain(key: &'static [u32; 8]) -> [u32; 16] {
    chacha20_block_plain(black_box(key), 1, &NONCE)
}

#[library_benchmark]
#[bench::key(leak(KEY.map(Secret::new)))]
fn chacha20_secret(key: &'static [Secret<u32>; 8]) -> [Secret<u32>; 16] {
    chacha20_block_secret(black_box(key), 1, &NONCE)
}

/// RFC 8439 §2.5.2: key and message of the Poly1305 benchmarks.
const POLY1305_KEY: [u8; 32] = [
    0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52, 0xfe, 0x42, 0xd5, 0x06, 0xa8,
    0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d, 0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b,
];
const POLY1305_MSG: &[u8] = b"Cryptographic Forum Research Group";

#[library_benchmark]
#[bench::rfc8439(leak(POLY1305_KEY))]
fn poly1305_plain_u32(key: &'static [u8; 32]) -> [u8; 16] {
    poly1305_plain(black_box(key), black_box(POLY1305_MSG))
}

#[library_benchmark]
#[bench::rfc8439(leak(Secret::new(POLY1305_KEY)))]
fn poly1305_secret_u32(key: &'static Secret<[u8; 32]>) -> Secret<[u8; 16]> {
    poly1305_secret(black_box(key), black_box(POLY1305_MSG))
}

#[library_benchmark]
#[bench::limbs(leak(field_operands()))]
fn field_mul_plain_u64(ab: &'static ([u64; 5], [u64; 5])) -> [u64; 5] {
    field_mul_plain(black_box(&ab.0), black_box(&ab.1))
}

#[library_benchmark]
#[bench::limbs(leak({ let (a, b) = field_operands(); (a.map(Secret::new), b.map(Secret::new)) }))]
fn field_mul_secret_u64(ab: &'static ([Secret<u64>; 5], [Secret<u64>; 5])) -> [Secret<u64>; 5] {
    field_mul_secret(black_box(&ab.0), black_box(&ab.1))
}

#[library_benchmark]
#[bench::equal(leak((Secret::new([7u8; 32]), Secret::new([7u8; 32]))))]
fn eq32_secret_core(pair: &'static (Secret<[u8; 32]>, Secret<[u8; 32]>)) -> bool {
    black_box(&pair.0).ct_eq(black_box(&pair.1)).declassify()
}

#[library_benchmark]
#[bench::equal(leak(([7u8; 32], [7u8; 32])))]
fn eq32_constant_time_eq(pair: &'static ([u8; 32], [u8; 32])) -> bool {
    constant_time_eq::constant_time_eq_32(black_box(&pair.0), black_box(&pair.1))
}

#[library_benchmark]
#[bench::equal(leak(([7u8; 32], [7u8; 32])))]
fn eq32_subtle(pair: &'static ([u8; 32], [u8; 32])) -> bool {
    ConstantTimeEq::ct_eq(black_box(&pair.0[..]), black_box(&pair.1[..])).into()
}

#[library_benchmark]
#[bench::equal(leak(([7u8; 32], [7u8; 32])))]
fn eq32_ctutils(pair: &'static ([u8; 32], [u8; 32])) -> bool {
    ctutils::CtEq::ct_eq(black_box(&pair.0), black_box(&pair.1)).to_bool()
}

#[library_benchmark]
#[bench::equal(leak((Secret::new([7u8; 1024]), Secret::new([7u8; 1024]))))]
fn eq1k_secret_core(pair: &'static (Secret<[u8; 1024]>, Secret<[u8; 1024]>)) -> bool {
    black_box(&pair.0).ct_eq(black_box(&pair.1)).declassify()
}

#[library_benchmark]
#[bench::equal(leak(([7u8; 1024], [7u8; 1024])))]
fn eq1k_constant_time_eq(pair: &'static ([u8; 1024], [u8; 1024])) -> bool {
    constant_time_eq::constant_time_eq(black_box(&pair.0), black_box(&pair.1))
}

#[library_benchmark]
#[bench::equal(leak(([7u8; 1024], [7u8; 1024])))]
fn eq1k_subtle(pair: &'static ([u8; 1024], [u8; 1024])) -> bool {
    ConstantTimeEq::ct_eq(black_box(&pair.0[..]), black_box(&pair.1[..])).into()
}

#[library_benchmark]
#[bench::pick(leak((SecretBool::new(true), Secret::new([1u8; 32]), Secret::new([2u8; 32]))))]
fn select32_secret_core(
    args: &'static (SecretBool, Secret<[u8; 32]>, Secret<[u8; 32]>),
) -> Secret<[u8; 32]> {
    black_box(&args.0).select(black_box(&args.1), black_box(&args.2))
}

// subtle and ctutils return their *second* operand when the choice is 1; secret-core's
// `select(a, b)` returns its first when the condition is true. The operands are ordered so
// that all three pick [1u8; 32].

#[library_benchmark]
#[bench::pick(leak((1u8, [1u8; 32], [2u8; 32])))]
fn select32_subtle(args: &'static (u8, [u8; 32], [u8; 32])) -> [u8; 32] {
    let choice = subtle::Choice::from(black_box(args.0));
    <[u8; 32]>::conditional_select(black_box(&args.2), black_box(&args.1), choice)
}

#[library_benchmark]
#[bench::pick(leak((1u8, [1u8; 32], [2u8; 32])))]
fn select32_ctutils(args: &'static (u8, [u8; 32], [u8; 32])) -> [u8; 32] {
    let choice = ctutils::Choice::from_u8_lsb(black_box(args.0));
    black_box(&args.2).ct_select(black_box(&args.1), choice)
}

#[library_benchmark]
#[bench::pick(leak((SecretBool::new(true), Secret::new(1u64), Secret::new(2u64))))]
fn select_u64_secret_core(args: &'static (SecretBool, Secret<u64>, Secret<u64>)) -> Secret<u64> {
    black_box(&args.0).select(black_box(&args.1), black_box(&args.2))
}

#[library_benchmark]
#[bench::pick(leak((1u8, 1u64, 2u64)))]
fn select_u64_subtle(args: &'static (u8, u64, u64)) -> u64 {
    let choice = subtle::Choice::from(black_box(args.0));
    u64::conditional_select(black_box(&args.2), black_box(&args.1), choice)
}

#[library_benchmark]
#[bench::pick(leak((1u8, 1u64, 2u64)))]
fn select_u64_ctutils(args: &'static (u8, u64, u64)) -> u64 {
    let choice = ctutils::Choice::from_u8_lsb(black_box(args.0));
    black_box(&args.2).ct_select(black_box(&args.1), choice)
}

fn table_u8() -> [u8; 256] {
    core::array::from_fn(|i| (i as u8).wrapping_mul(167).rotate_left(3) ^ 0x63)
}

#[library_benchmark]
#[bench::idx(leak((lookup_table(), Secret::new(77usize))))]
fn lookup256_secret_core(args: &'static ([u32; 256], Secret<usize>)) -> Secret<u32> {
    ct_lookup(black_box(&args.0), black_box(&args.1))
}

#[library_benchmark]
#[bench::idx(leak((lookup_table(), 77usize)))]
fn lookup256_mask_scan(args: &'static ([u32; 256], usize)) -> u32 {
    plain::mask_scan_lookup(black_box(&args.0), black_box(args.1))
}

#[library_benchmark]
#[bench::idx(leak((table_u8(), Secret::new(77usize))))]
fn sbox256_secret_core(args: &'static ([u8; 256], Secret<usize>)) -> Secret<u8> {
    ct_lookup(black_box(&args.0), black_box(&args.1))
}

#[library_benchmark]
#[bench::idx(leak((table_u8(), 77usize)))]
fn sbox256_mask_scan(args: &'static ([u8; 256], usize)) -> u8 {
    plain::mask_scan_lookup_u8(black_box(&args.0), black_box(args.1))
}

#[library_benchmark]
#[bench::pair(leak((Secret::new(0xdead_beefu32), Secret::new(12345u32))))]
fn div_u32_secret_core(args: &'static (Secret<u32>, Secret<u32>)) -> (Secret<u32>, Secret<u32>) {
    black_box(&args.0).ct_div_rem(black_box(&args.1))
}

#[library_benchmark]
#[bench::pair(leak((0xdead_beefu32, 12345u32)))]
fn div_u32_hardware(args: &'static (u32, u32)) -> (u32, u32) {
    let (n, d) = (black_box(args.0), black_box(args.1));
    (n / d, n % d)
}

#[library_benchmark]
#[bench::pair(leak((Secret::new(0xdead_beef_cafe_f00du64), Secret::new(123_456_789u64))))]
fn div_u64_secret_core(args: &'static (Secret<u64>, Secret<u64>)) -> (Secret<u64>, Secret<u64>) {
    black_box(&args.0).ct_div_rem(black_box(&args.1))
}

#[library_benchmark]
#[bench::pair(leak((0xdead_beef_cafe_f00du64, 123_456_789u64)))]
fn div_u64_hardware(args: &'static (u64, u64)) -> (u64, u64) {
    let (n, d) = (black_box(args.0), black_box(args.1));
    (n / d, n % d)
}

library_benchmark_group!(name = chacha20; benchmarks = chacha20_plain, chacha20_secret);
library_benchmark_group!(name = field_mul; benchmarks = field_mul_plain_u64, field_mul_secret_u64);
library_benchmark_group!(name = poly1305; benchmarks = poly1305_plain_u32, poly1305_secret_u32);
library_benchmark_group!(
    name = ct_eq;
    benchmarks = eq32_secret_core, eq32_constant_time_eq, eq32_subtle, eq32_ctutils,
        eq1k_secret_core, eq1k_constant_time_eq, eq1k_subtle
);
library_benchmark_group!(
    name = select;
    benchmarks = select32_secret_core, select32_subtle, select32_ctutils,
        select_u64_secret_core, select_u64_subtle, select_u64_ctutils
);
library_benchmark_group!(
    name = lookup;
    benchmarks = lookup256_secret_core, lookup256_mask_scan, sbox256_secret_core, sbox256_mask_scan
);
library_benchmark_group!(
    name = division;
    benchmarks = div_u32_secret_core, div_u32_hardware, div_u64_secret_core, div_u64_hardware
);

main!(
    library_benchmark_groups = chacha20,
    field_mul,
    poly1305,
    ct_eq,
    select,
    lookup,
    division
);
