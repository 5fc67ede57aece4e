//! Wall-clock benchmarks (criterion, HTML reports in `target/criterion/`) of the same workloads
//! as `iai.rs`, secret-core next to its comparators: `cargo bench -p secret-benches --bench
//! criterion`. Instruction counts (`iai.rs`) are what the README quotes; these show wall time.

use criterion::{criterion_group, criterion_main, Criterion};
use secret_benches::{
    chacha20_block_plain, chacha20_block_secret, field_mul_plain, field_mul_secret, field_operands,
    lookup_table, plain,
};
use secret_core::{ct_lookup, Secret, SecretBool};
use std::hint::black_box;
use subtle::{ConditionallySelectable, ConstantTimeEq};

fn chacha20(c: &mut Criterion) {
    let key = [1u32, 2, 3, 4, 5, 6, 7, 8];
    let secret_key = key.map(Secret::new);
    let mut g = c.benchmark_group("chacha20_block");
    g.bench_function("plain_u32", |b| {
        b.iter(|| chacha20_block_plain(black_box(&key), 1, &[9, 10, 11]))
    });
    g.bench_function("secret_u32", |b| {
        b.iter(|| chacha20_block_secret(black_box(&secret_key), 1, &[9, 10, 11]))
    });
    g.finish();
}

fn field_mul(c: &mut Criterion) {
    let (a, b) = field_operands();
    let (sa, sb) = (a.map(Secret::new), b.map(Secret::new));
    let mut g = c.benchmark_group("field_mul_25519");
    g.bench_function("plain_u64", |bench| {
        bench.iter(|| field_mul_plain(black_box(&a), black_box(&b)))
    });
    g.bench_function("secret_u64", |bench| {
        bench.iter(|| field_mul_secret(black_box(&sa), black_box(&sb)))
    });
    g.finish();
}

fn ct_eq(c: &mut Criterion) {
    let (a, b) = ([7u8; 32], [7u8; 32]);
    let (sa, sb) = (Secret::new(a), Secret::new(b));
    let mut g = c.benchmark_group("eq_32_bytes");
    g.bench_function("secret_core", |bench| {
        bench.iter(|| black_box(&sa).ct_eq(black_box(&sb)).declassify())
    });
    g.bench_function("constant_time_eq", |bench| {
        bench.iter(|| constant_time_eq::constant_time_eq_32(black_box(&a), black_box(&b)))
    });
    g.bench_function("subtle", |bench| {
        bench.iter(|| bool::from(ConstantTimeEq::ct_eq(black_box(&a[..]), black_box(&b[..]))))
    });
    g.bench_function("ctutils", |bench| {
        bench.iter(|| ctutils::CtEq::ct_eq(black_box(&a), black_box(&b)).to_bool())
    });
    g.finish();
}

fn select(c: &mut Criterion) {
    let (a, b) = ([1u8; 32], [2u8; 32]);
    let (sa, sb, cond) = (Secret::new(a), Secret::new(b), SecretBool::new(true));
    let choice = subtle::Choice::from(1u8);
    let mut g = c.benchmark_group("select_32_bytes");
    g.bench_function("secret_core", |bench| {
        bench.iter(|| black_box(&cond).select(black_box(&sa), black_box(&sb)))
    });
    g.bench_function("subtle", |bench| {
        bench.iter(|| {
            <[u8; 32]>::conditional_select(black_box(&a), black_box(&b), black_box(choice))
        })
    });
    g.finish();
}

fn lookup(c: &mut Criterion) {
    let table = lookup_table();
    let index = Secret::new(77usize);
    let mut g = c.benchmark_group("lookup_256_u32");
    g.bench_function("secret_core", |b| {
        b.iter(|| ct_lookup(black_box(&table), black_box(&index)))
    });
    g.bench_function("mask_scan", |b| {
        b.iter(|| plain::mask_scan_lookup(black_box(&table), black_box(77)))
    });
    g.finish();
}

fn division(c: &mut Criterion) {
    let (n, d) = (
        Secret::new(0xdead_beef_cafe_f00du64),
        Secret::new(123_456_789u64),
    );
    let mut g = c.benchmark_group("div_rem_u64");
    g.bench_function("secret_core_ct_div_rem", |b| {
        b.iter(|| black_box(&n).ct_div_rem(black_box(&d)))
    });
    g.bench_function("hardware_variable_time", |b| {
        b.iter(|| {
            let (n, d) = (
                black_box(0xdead_beef_cafe_f00du64),
                black_box(123_456_789u64),
            );
            (n / d, n % d)
        })
    });
    g.finish();
}

criterion_group!(benches, chacha20, field_mul, ct_eq, select, lookup, division);
criterion_main!(benches);
