//! A suite with a check that panics: ct-verify reports it as `error` and still runs the others.

fn main() {
    ct_verify::Suite::new()
        .check("panics", |s: &[u8; 8]| {
            if std::hint::black_box(true) {
                panic!("deliberate panic in the corpus");
            }
            s[0]
        })
        .check("still_runs", |s: &[u8; 8]| {
            ct_verify_corpus::or_accumulate_eq(&[s[0]; 32], &[0; 32])
        })
        .run();
}
