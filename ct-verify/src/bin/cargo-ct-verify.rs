//! `cargo ct-verify`: see the `ct_verify` crate documentation.
#![forbid(unsafe_code)]

fn main() {
    std::process::exit(ct_verify::cli::main());
}
