//! A check whose secret has no bytes: nothing can be marked secret, so the suite must refuse to
//! run (status 2, naming the check) instead of reporting it constant-time.

fn main() {
    ct_verify::Suite::new()
        .check("has_bytes", |s: &[u8; 4]| s.iter().fold(0u8, |a, b| a | b))
        .check("no_bytes", |s: &[u8; 0]| s.len())
        .run();
}
