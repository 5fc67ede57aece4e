//! Declassify sites a check allows ([`crate::Config::allow_declassify`]), and how the taint
//! engine matches them against the `.declassify()` call memcheck's origin stack names.

/// One allowed site, as the user wrote it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Allowed {
    /// `file:line`: a path suffix (whole components) and a 1-based line.
    Line {
        /// The path as written (`src/poly.rs`, `poly.rs`).
        file: String,
        /// The line.
        line: u32,
    },
    /// A function: its name or the last components of its path (`finalize`, `Poly::finalize`).
    Function(String),
}

/// Parses `file:line` or a function name; the error says what is wrong and what is expected.
pub fn parse(site: &str) -> Result<Allowed, String> {
    let site = site.trim();
    const EXPECTED: &str =
        "expected `file.rs:LINE` (for example `src/poly.rs:42`) or a function name (`finalize`)";
    if site.is_empty() {
        return Err(format!("an empty site; {EXPECTED}"));
    }
    if let Some((file, line)) = site.rsplit_once(':') {
        if !file.ends_with(':') && !line.is_empty() && line.bytes().all(|b| b.is_ascii_digit()) {
            return match line.parse::<u32>() {
                Ok(line) if line > 0 && !file.is_empty() => Ok(Allowed::Line {
                    file: file.to_string(),
                    line,
                }),
                _ => Err(format!("`{site}` has no file or a line 0; {EXPECTED}")),
            };
        }
    }
    if site.contains(char::is_whitespace) || site.contains('/') || site.ends_with(':') {
        return Err(format!("`{site}` is neither; {EXPECTED}"));
    }
    Ok(Allowed::Function(site.to_string()))
}

impl Allowed {
    /// Whether the `.declassify()` call in `function` at `file`:`line` is this site.
    pub fn matches(&self, function: &str, file: Option<&str>, line: Option<u32>) -> bool {
        match self {
            Allowed::Line {
                file: want,
                line: l,
            } => {
                line == Some(*l)
                    && file.is_some_and(|f| {
                        f == want
                            || f.strip_suffix(want.as_str())
                                .is_some_and(|head| head.ends_with('/'))
                    })
            }
            Allowed::Function(want) => {
                let name = strip_generics(function);
                name == *want || name.ends_with(&format!("::{want}"))
            }
        }
    }
}

/// `a::b<T>::c<u8>` -> `a::b::c`: valgrind's names carry generic arguments that users do not
/// write.
fn strip_generics(function: &str) -> String {
    let mut out = String::new();
    let mut depth = 0usize;
    for c in function.chars() {
        match c {
            '<' => depth += 1,
            '>' => depth = depth.saturating_sub(1),
            c if depth == 0 => out.push(c),
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_functions_match_as_documented() {
        let l = parse("src/poly.rs:42").unwrap();
        assert!(l.matches("x", Some("/home/u/crate/src/poly.rs"), Some(42)));
        assert!(!l.matches("x", Some("/home/u/crate/src/poly.rs"), Some(43)));
        assert!(!l.matches("x", Some("/home/u/crate/xsrc/poly.rs"), Some(42)));
        assert!(!l.matches("x", None, Some(42)));
        let f = parse("Poly::finalize").unwrap();
        assert!(f.matches("corpus::Poly<u8>::finalize", None, None));
        assert!(!f.matches("corpus::Poly::finalize_all", None, None));
        assert!(parse("finalize")
            .unwrap()
            .matches("finalize", Some("a.rs"), Some(1)));
    }

    #[test]
    fn bad_sites_say_what_is_expected() {
        for bad in ["", "  ", "poly.rs:0", ":12", "src/poly.rs", "two words"] {
            let e = parse(bad).unwrap_err();
            assert!(e.contains("expected `file.rs:LINE`"), "{bad}: {e}");
        }
    }
}
