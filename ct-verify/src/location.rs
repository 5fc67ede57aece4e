//! Where a leak is in the user's code: which source files are library code (the standard
//! library, secret-core, ct-verify's harness) and which inline frame of an instruction to name.
//!
//! A branch the user wrote on a value from a secret-core operation is compiled into the user's
//! function, but its instructions carry the innermost inlined frame: secret-core's `ops.rs` or
//! `core`'s `cmp.rs`. The frame to show is the first one, walking out from the innermost, whose
//! file belongs to none of those crates: the line the user wrote. Any other crate (the checked
//! crate, its bench, a third-party dependency) is the user's code.

/// A place in the source: a function and its `file:line`.
#[derive(Clone, Debug, Default, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct SourceLocation {
    /// The source file, as the debug info names it (usually absolute).
    pub file: String,
    /// The line, 1-based.
    pub line: u64,
    /// The function (after inlining: the inline frame's function), demangled.
    pub function: String,
}

impl SourceLocation {
    /// From a function and addr2line's or memcheck's `file:line` (a `(discriminator N)` suffix
    /// is ignored). `None` for an unknown place (`??:0`, `??:?`) or line 0.
    pub fn parse(function: &str, file_line: &str) -> Option<Self> {
        let file_line = file_line.split(" (discriminator").next()?.trim();
        let (file, line) = file_line.rsplit_once(':')?;
        let line: u64 = line.parse().ok()?;
        if line == 0 || file.is_empty() || file.starts_with("??") {
            return None;
        }
        Some(SourceLocation {
            file: file.to_string(),
            line,
            function: function.to_string(),
        })
    }

    /// `file:line`.
    pub fn file_line(&self) -> String {
        format!("{}:{}", self.file, self.line)
    }
}

/// Where a leak shows in the user's code, and the two secret inputs that tell it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct LeakSite {
    /// The public input both calls share (its index).
    pub public: usize,
    /// The reference input's label and the other input's (`zeros`, `fixed#0`, ...).
    pub inputs: [String; 2],
    /// The first function and `file:line` of the user's code whose instructions differ.
    pub at: SourceLocation,
}

/// The crates whose code is never the user's: the harness and the library the user calls
/// (`name` or, from the registry, `name-x.y.z`, each the directory holding `src/`), and the
/// standard library's own dependencies.
pub const LIBRARY_CRATES: [&str; 4] = [
    "secret-core",
    "ct-verify",
    "ct-verify-stats",
    "compiler_builtins",
];

/// Whether `file` is library code, not the user's: the standard library (`/rustc/<hash>/...`
/// or a `rust-src` checkout), or a file under `src/` of one of [`LIBRARY_CRATES`] (ct-verify's
/// statistics crate lives in `ct-verify/stats/`).
pub fn is_library_file(file: &str) -> bool {
    if file.starts_with("/rustc/") || file.contains("/rustlib/src/rust/library/") {
        return true;
    }
    let parts: Vec<&str> = file.split(['/', '\\']).collect();
    parts.iter().enumerate().skip(1).any(|(i, part)| {
        *part == "src"
            && (is_library_crate(parts[i - 1])
                || (parts[i - 1] == "stats" && i >= 2 && parts[i - 2] == "ct-verify"))
    })
}

/// Whether a crate directory name is one of [`LIBRARY_CRATES`], with or without a registry
/// version suffix (`secret-core-0.1.0`).
fn is_library_crate(dir: &str) -> bool {
    LIBRARY_CRATES.iter().any(|name| {
        dir == *name
            || dir.strip_prefix(name).is_some_and(|rest| {
                rest.strip_prefix('-')
                    .is_some_and(|v| v.starts_with(|c: char| c.is_ascii_digit()))
            })
    })
}

/// The frame to report of an instruction's inline chain (`(function, file:line)`, innermost
/// first, as `crate::elf::frames` gives it): the first known frame in the user's code.
/// `None` when every frame is library code or unknown.
pub fn user_frame(chain: &[(String, String)]) -> Option<SourceLocation> {
    chain
        .iter()
        .filter_map(|(f, l)| SourceLocation::parse(f, l))
        .find(|l| !is_library_file(&l.file))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn library_files() {
        for lib in [
            "/rustc/17067e9ac6d7e98f18d4e5b4a1fd62e03ee4a5da/library/core/src/cmp.rs",
            "/home/u/.rustup/toolchains/1.95.0-x86_64-unknown-linux-gnu/lib/rustlib/src/rust/library/core/src/num/mod.rs",
            "/work/repo/secret-core/src/ops.rs",
            "/home/u/.cargo/registry/src/index.crates.io-6f17d22bba15001f/secret-core-0.1.0/src/cmp.rs",
            "/work/repo/ct-verify/src/suite.rs",
            "/work/repo/ct-verify/stats/src/lib.rs",
            "/home/u/.cargo/registry/src/x/compiler_builtins-0.1.150/src/int/mod.rs",
        ] {
            assert!(is_library_file(lib), "{lib}");
        }
        for user in [
            "/work/repo/tests/ct-user-crate/src/lib.rs",
            "/work/repo/ct-verify/corpus/src/lib.rs",
            "/work/repo/ct-verify/corpus/benches/ct.rs",
            "/home/u/.cargo/registry/src/x/num-bigint-0.4.6/src/biguint.rs",
            "/work/secret-core-fork/src/lib.rs",
            "/work/repo/secret-core-extras/src/lib.rs",
            "src/lib.rs",
        ] {
            assert!(!is_library_file(user), "{user}");
        }
    }

    #[test]
    fn the_first_user_frame_walking_out_from_the_innermost() {
        let chain = |frames: &[(&str, &str)]| -> Vec<(String, String)> {
            frames
                .iter()
                .map(|(f, l)| (f.to_string(), l.to_string()))
                .collect()
        };
        // A branch on a declassified secret-core comparison: inlined from ops.rs and core.
        let c = chain(&[
            (
                "core::cmp::PartialEq::eq",
                "/rustc/abc/library/core/src/cmp.rs:40",
            ),
            ("secret_core::ops::eq", "/w/secret-core/src/ops.rs:120"),
            (
                "my_crate::check",
                "/w/my-crate/src/lib.rs:17 (discriminator 3)",
            ),
            ("ct::main::{{closure}}", "/w/my-crate/benches/ct.rs:4"),
            ("ct_verify::suite::run", "/w/ct-verify/src/suite.rs:300"),
        ]);
        assert_eq!(
            user_frame(&c),
            Some(SourceLocation {
                file: "/w/my-crate/src/lib.rs".into(),
                line: 17,
                function: "my_crate::check".into(),
            })
        );
        // Unknown frames are skipped; only library frames: none.
        let c = chain(&[("??", "??:0"), ("my_crate::f", "/w/my-crate/src/lib.rs:3")]);
        assert_eq!(user_frame(&c).map(|l| l.line), Some(3));
        let c = chain(&[
            ("secret_core::x", "/w/secret-core/src/ops.rs:1"),
            ("ct_verify::y", "/w/ct-verify/src/call.rs:9"),
        ]);
        assert_eq!(user_frame(&c), None);
        assert_eq!(SourceLocation::parse("f", "??:?"), None);
        assert_eq!(SourceLocation::parse("f", "a.rs:0"), None);
        assert_eq!(
            SourceLocation::parse("f", "C:\\x\\a.rs:7").map(|l| l.file_line()),
            Some("C:\\x\\a.rs:7".to_string())
        );
    }
}
