//! Compile-fail and pass cases for `#[derive(secret_core::Secret)]`, checked with trybuild
//! against the `.stderr` files beside them in `ui/derive/`.

#[test]
fn ui_derive() {
    let t = trybuild::TestCases::new();
    t.pass("ui/derive/pass_*.rs");
    t.compile_fail("ui/derive/fail_*.rs");
}
