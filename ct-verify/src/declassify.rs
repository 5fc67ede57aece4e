//! `--list-declassify`: every place a secret is let out, in one list a reviewer can read.
//!
//! Scans the Rust sources of the workspace's packages and of every dependency that itself
//! depends on `secret-core` (secret-core's own internals are not listed) for `.declassify()`
//! method calls and `declassify(..)` / `Declassify::declassify(..)` function calls, including
//! those inside macro invocations, and names the enclosing function.

use std::path::{Path, PathBuf};

use proc_macro2::{Delimiter, TokenTree};
use serde::Serialize;
use syn::visit::Visit;

/// A `declassify()` call found in the source (`--list-declassify`): the one place where a
/// secret becomes public on purpose, so each one deserves a look in review.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Site {
    /// The package it is in.
    pub package: String,
    /// Source file, relative to the package root.
    pub file: PathBuf,
    /// 1-based line.
    pub line: usize,
    /// Enclosing function (`Type::method`, `function`), or `<top level>`.
    pub function: String,
}

struct Finder {
    stack: Vec<String>,
    impl_stack: Vec<String>,
    lines: Vec<(usize, String)>,
}

impl Finder {
    fn record(&mut self, line: usize) {
        let f = self
            .stack
            .last()
            .cloned()
            .unwrap_or_else(|| "<top level>".to_string());
        self.lines.push((line, f));
    }

    fn scan_tokens(&mut self, tokens: proc_macro2::TokenStream) {
        let toks: Vec<TokenTree> = tokens.into_iter().collect();
        for (i, t) in toks.iter().enumerate() {
            match t {
                TokenTree::Ident(id) if id == "declassify" => {
                    if let Some(TokenTree::Group(g)) = toks.get(i + 1) {
                        if g.delimiter() == Delimiter::Parenthesis {
                            self.record(id.span().start().line);
                        }
                    }
                }
                TokenTree::Group(g) => self.scan_tokens(g.stream()),
                _ => {}
            }
        }
    }
}

impl<'ast> Visit<'ast> for Finder {
    fn visit_item_fn(&mut self, i: &'ast syn::ItemFn) {
        self.stack.push(i.sig.ident.to_string());
        syn::visit::visit_item_fn(self, i);
        self.stack.pop();
    }

    fn visit_item_impl(&mut self, i: &'ast syn::ItemImpl) {
        let ty = &i.self_ty;
        let name = quote_type(ty);
        self.impl_stack.push(name);
        syn::visit::visit_item_impl(self, i);
        self.impl_stack.pop();
    }

    fn visit_impl_item_fn(&mut self, i: &'ast syn::ImplItemFn) {
        let owner = self.impl_stack.last().cloned().unwrap_or_default();
        self.stack.push(format!("{owner}::{}", i.sig.ident));
        syn::visit::visit_impl_item_fn(self, i);
        self.stack.pop();
    }

    fn visit_trait_item_fn(&mut self, i: &'ast syn::TraitItemFn) {
        self.stack.push(i.sig.ident.to_string());
        syn::visit::visit_trait_item_fn(self, i);
        self.stack.pop();
    }

    fn visit_expr_method_call(&mut self, m: &'ast syn::ExprMethodCall) {
        if m.method == "declassify" {
            self.record(m.method.span().start().line);
        }
        syn::visit::visit_expr_method_call(self, m);
    }

    fn visit_expr_call(&mut self, c: &'ast syn::ExprCall) {
        if let syn::Expr::Path(p) = &*c.func {
            if let Some(last) = p.path.segments.last() {
                if last.ident == "declassify" {
                    self.record(last.ident.span().start().line);
                }
            }
        }
        syn::visit::visit_expr_call(self, c);
    }

    fn visit_macro(&mut self, m: &'ast syn::Macro) {
        self.scan_tokens(m.tokens.clone());
    }
}

fn quote_type(ty: &syn::Type) -> String {
    match ty {
        syn::Type::Path(p) => p
            .path
            .segments
            .last()
            .map(|s| s.ident.to_string())
            .unwrap_or_default(),
        _ => "<impl>".to_string(),
    }
}

/// Lists the call sites in one source text: (line, enclosing function).
pub fn scan_source(text: &str) -> Result<Vec<(usize, String)>, String> {
    let file = syn::parse_file(text).map_err(|e| format!("line {}: {e}", e.span().start().line))?;
    let mut f = Finder {
        stack: Vec::new(),
        impl_stack: Vec::new(),
        lines: Vec::new(),
    };
    f.visit_file(&file);
    f.lines.sort();
    f.lines.dedup();
    Ok(f.lines)
}

/// Rust files of the package rooted at `dir`, skipping `target/` and nested packages.
pub fn rust_files(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut todo = vec![dir.to_path_buf()];
    while let Some(d) = todo.pop() {
        let Ok(entries) = std::fs::read_dir(&d) else {
            continue;
        };
        for e in entries.flatten() {
            let p = e.path();
            let name = e.file_name();
            let name = name.to_string_lossy();
            if p.is_dir() {
                if name == "target" || name.starts_with('.') || p.join("Cargo.toml").exists() {
                    continue;
                }
                todo.push(p);
            } else if name.ends_with(".rs") {
                out.push(p);
            }
        }
    }
    out.sort();
    out
}

/// Scans the packages `(name, root dir)`; unparsable files are reported as warnings.
pub fn scan_packages(packages: &[(String, PathBuf)]) -> (Vec<Site>, Vec<String>) {
    let mut sites = Vec::new();
    let mut warnings = Vec::new();
    for (name, dir) in packages {
        for file in rust_files(dir) {
            let Ok(text) = std::fs::read_to_string(&file) else {
                continue;
            };
            if !text.contains("declassify") {
                continue;
            }
            match scan_source(&text) {
                Ok(found) => sites.extend(found.into_iter().map(|(line, function)| Site {
                    package: name.clone(),
                    file: file.clone(),
                    line,
                    function,
                })),
                Err(e) => warnings.push(format!("{}: cannot parse: {e}", file.display())),
            }
        }
    }
    (sites, warnings)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn finds_method_calls_paths_and_macros_with_their_functions() {
        let src = r#"
struct Key;
impl Key {
    fn check(&self, k: Secret<u8>) -> bool {
        let v = k.declassify();
        v == 1
    }
}
fn free(b: SecretBool) {
    assert!(b.declassify());
    let _ = Declassify::declassify(x);
    let c = || y.declassify();
}
fn declassify(self) -> u8 { 0 }
"#;
        let found = scan_source(src).unwrap();
        assert_eq!(
            found,
            vec![
                (5, "Key::check".to_string()),
                (10, "free".to_string()),
                (11, "free".to_string()),
                (12, "free".to_string())
            ]
        );
    }
}
