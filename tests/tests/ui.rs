//! Compile-fail cases for every misuse of a secret that must not compile (issue 2's contract),
//! and pass cases for correct usage, checked with trybuild against the `.stderr` files in
//! `ui/fail/` (indexing by a secret is checked by `ui_index.rs`: its diagnostic lists impls in an
//! order that varies). Regenerate with `TRYBUILD=overwrite cargo test -p secret-tests --test ui` and
//! read every changed `.stderr` before accepting it.

#[test]
fn ui() {
    let t = trybuild::TestCases::new();
    t.compile_fail("ui/fail/*.rs");
    t.pass("ui/pass/*.rs");
}
