//! Instruction counts (callgrind, via iai-callgrind) of secret-core against plain code, subtle
//! and constant_time_eq, measured side by side in one run:
//! `cargo bench -p secret-benches --bench iai` (needs `cargo install iai-callgrind-runner
//! --version 0.16.1` and valgrind).

// iai-callgrind's macros generate undocumented modules.
#![allow(missing_docs)]

use iai_callgrind::{library_benchmark, library_benchmark_group, main};
use secret_benches::{chacha20_block_plain, chacha20_block_secret, plain};
use secret_core::{ct_lookup, Secret, SecretBool};
use std::hint::black_box;
use subtle::{ConditionallySelectable, ConstantTimeEq};

const KEY: [u32; 8] = [1, 2, 3, 4, 5, 6, 7, 8];
const NONCE: [u32; 3] = [9, 10, 11];

#[library_benchmark]
fn chacha20_plain() -> [u32; 16] {
    chacha20_block_plain(black_box(&KEY), 1, &NONCE)
}

#[library_benchmark]
#[bench::key(KEY.map(Secret::new))]
fn chacha20_secret(key: [Secret<u32>; 8]) -> [Secret<u32>; 16] {
    chacha20_block_secret(black_box(&key), 1, &NONCE)
}

#[library_benchmark]
#[bench::equal((Secret::new([7u8; 32]), Secret::new([7u8; 32])))]
fn eq32_secret_core(pair: (Secret<[u8; 32]>, Secret<[u8; 32]>)) -> bool {
    black_box(&pair.0).ct_eq(black_box(&pair.1)).declassify()
}

#[library_benchmark]
fn eq32_constant_time_eq() -> bool {
    constant_time_eq::constant_time_eq_32(black_box(&[7u8; 32]), black_box(&[7u8; 32]))
}

#[library_benchmark]
fn eq32_subtle() -> bool {
    black_box(&[7u8; 32][..])
        .ct_eq(black_box(&[7u8; 32][..]))
        .into()
}

#[library_benchmark]
#[bench::equal((Secret::new([7u8; 1024]), Secret::new([7u8; 1024])))]
fn eq1k_secret_core(pair: (Secret<[u8; 1024]>, Secret<[u8; 1024]>)) -> bool {
    black_box(&pair.0).ct_eq(black_box(&pair.1)).declassify()
}

#[library_benchmark]
fn eq1k_constant_time_eq() -> bool {
    constant_time_eq::constant_time_eq(black_box(&[7u8; 1024]), black_box(&[7u8; 1024]))
}

#[library_benchmark]
fn eq1k_subtle() -> bool {
    black_box(&[7u8; 1024][..])
        .ct_eq(black_box(&[7u8; 1024][..]))
        .into()
}

#[library_benchmark]
#[bench::pick((SecretBool::new(true), Secret::new([1u8; 32]), Secret::new([2u8; 32])))]
fn select32_secret_core(
    args: (SecretBool, Secret<[u8; 32]>, Secret<[u8; 32]>),
) -> Secret<[u8; 32]> {
    black_box(&args.0).select(black_box(&args.1), black_box(&args.2))
}

#[library_benchmark]
fn select32_subtle() -> [u8; 32] {
    let choice = subtle::Choice::from(black_box(1u8));
    <[u8; 32]>::conditional_select(black_box(&[1u8; 32]), black_box(&[2u8; 32]), choice)
}

#[library_benchmark]
#[bench::pick((SecretBool::new(true), Secret::new(1u64), Secret::new(2u64)))]
fn select_u64_secret_core(args: (SecretBool, Secret<u64>, Secret<u64>)) -> Secret<u64> {
    black_box(&args.0).select(black_box(&args.1), black_box(&args.2))
}

#[library_benchmark]
fn select_u64_subtle() -> u64 {
    let choice = subtle::Choice::from(black_box(1u8));
    u64::conditional_select(black_box(&1), black_box(&2), choice)
}

fn table() -> [u32; 256] {
    core::array::from_fn(|i| (i as u32).wrapping_mul(0x9e37_79b9))
}

#[library_benchmark]
#[bench::idx((table(), Secret::new(77usize)))]
fn lookup256_secret_core(args: ([u32; 256], Secret<usize>)) -> Secret<u32> {
    ct_lookup(black_box(&args.0), black_box(&args.1))
}

#[library_benchmark]
#[bench::idx(table())]
fn lookup256_mask_scan(t: [u32; 256]) -> u32 {
    plain::mask_scan_lookup(black_box(&t), black_box(77))
}

#[library_benchmark]
#[bench::pair((Secret::new(0xdead_beefu32), Secret::new(12345u32)))]
fn div_u32_secret_core(args: (Secret<u32>, Secret<u32>)) -> (Secret<u32>, Secret<u32>) {
    black_box(&args.0).ct_div_rem(black_box(&args.1))
}

#[library_benchmark]
fn div_u32_hardware() -> (u32, u32) {
    let (n, d) = (black_box(0xdead_beefu32), black_box(12345u32));
    (n / d, n % d)
}

#[library_benchmark]
#[bench::pair((Secret::new(0xdead_beef_cafe_f00du64), Secret::new(123_456_789u64)))]
fn div_u64_secret_core(args: (Secret<u64>, Secret<u64>)) -> (Secret<u64>, Secret<u64>) {
    black_box(&args.0).ct_div_rem(black_box(&args.1))
}

#[library_benchmark]
fn div_u64_hardware() -> (u64, u64) {
    let (n, d) = (
        black_box(0xdead_beef_cafe_f00du64),
        black_box(123_456_789u64),
    );
    (n / d, n % d)
}

library_benchmark_group!(name = chacha20; benchmarks = chacha20_plain, chacha20_secret);
library_benchmark_group!(
    name = ct_eq;
    benchmarks = eq32_secret_core, eq32_constant_time_eq, eq32_subtle,
        eq1k_secret_core, eq1k_constant_time_eq, eq1k_subtle
);
library_benchmark_group!(
    name = select;
    benchmarks = select32_secret_core, select32_subtle, select_u64_secret_core, select_u64_subtle
);
library_benchmark_group!(name = lookup; benchmarks = lookup256_secret_core, lookup256_mask_scan);
library_benchmark_group!(
    name = division;
    benchmarks = div_u32_secret_core, div_u32_hardware, div_u64_secret_core, div_u64_hardware
);

main!(
    library_benchmark_groups = chacha20,
    ct_eq,
    select,
    lookup,
    division
);
