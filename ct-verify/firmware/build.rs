//! `ctv_armv6m` on ARMv6-M (Cortex-M0/M0+), which has no DWT cycle counter.
fn main() {
    println!("cargo::rustc-check-cfg=cfg(ctv_armv6m)");
    if std::env::var("TARGET").is_ok_and(|t| t.starts_with("thumbv6m-")) {
        println!("cargo:rustc-cfg=ctv_armv6m");
    }
}
