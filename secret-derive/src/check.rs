//! Checks that refuse misuse before any code is generated: derives that would leak, packed
//! layouts, plain (non-secret) field types, and the detection of field types that depend on the
//! struct's generic parameters.

use std::collections::HashSet;

use syn::punctuated::Punctuated;
use syn::visit::Visit;
use syn::{Attribute, Generics, Ident, Path, Token, Type};

/// Derives that must not sit next to `#[derive(Secret)]`, and why.
const REFUSED_DERIVES: &[(&str, &str)] = &[
    (
        "PartialEq",
        "`==` on secrets is not constant-time and returns a public `bool`; compare with \
         `secret_core::CtEq::ct_eq`, which this derive generates and which returns a `SecretBool`",
    ),
    (
        "Eq",
        "`Eq` promises `==`, which is not constant-time on secrets; compare with \
         `secret_core::CtEq::ct_eq`, which this derive generates",
    ),
    (
        "PartialOrd",
        "ordering comparisons branch on secret data and return a public result",
    ),
    (
        "Ord",
        "ordering comparisons branch on secret data and return a public result",
    ),
    (
        "Hash",
        "hashing exposes secrets through hash values and through the timing of hash tables",
    ),
    (
        "Copy",
        "implicit copies of secrets are never zeroized; call `.clone()` where a copy is really needed",
    ),
    (
        "Debug",
        "this derive already generates a redacted `Debug` that never prints a secret value",
    ),
];

/// Refuses `#[derive(PartialEq, Eq, PartialOrd, Ord, Hash, Copy, Debug)]` on the same item.
pub(crate) fn refused_derives(attrs: &[Attribute]) -> Vec<syn::Error> {
    let mut errors = Vec::new();
    for attr in attrs.iter().filter(|a| a.path().is_ident("derive")) {
        let Ok(paths) = attr.parse_args_with(Punctuated::<Path, Token![,]>::parse_terminated)
        else {
            continue; // rustc itself reports a malformed `#[derive]`
        };
        for path in &paths {
            let Some(last) = path.segments.last() else {
                continue;
            };
            if let Some((name, why)) = REFUSED_DERIVES.iter().find(|(name, _)| last.ident == name) {
                errors.push(syn::Error::new_spanned(
                    path,
                    format!(
                        "`#[derive(Secret)]` cannot be combined with `#[derive({name})]`: {why}"
                    ),
                ));
            }
        }
    }
    errors
}

/// Refuses `#[repr(packed)]`: fields of a packed struct cannot be borrowed for `ct_eq`.
pub(crate) fn packed_repr(attrs: &[Attribute]) -> Option<syn::Error> {
    let mut found = None;
    for attr in attrs.iter().filter(|a| a.path().is_ident("repr")) {
        let _ = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("packed") && found.is_none() {
                found = Some(syn::Error::new_spanned(
                    &meta.path,
                    "`#[derive(Secret)]` does not support `#[repr(packed)]`: the generated \
                     constant-time operations borrow every field, and fields of a packed struct \
                     may be unaligned",
                ));
            }
            // Skip arguments such as `packed(2)` or `align(8)`.
            if meta.input.peek(syn::token::Paren) {
                let _content;
                syn::parenthesized!(_content in meta.input);
            }
            Ok(())
        });
    }
    found
}

/// Integer types: plain, with a secret form `Secret<int>`.
const INTEGERS: &[&str] = &[
    "u8", "u16", "u32", "u64", "u128", "usize", "i8", "i16", "i32", "i64", "i128", "isize",
];

/// Other type names whose values are plain: public, copyable, or not comparable in constant time.
const OTHER_PLAIN: &[&str] = &[
    "bool", "char", "f32", "f64", "str", "String", "Vec", "VecDeque", "Box", "Option", "Rc", "Arc",
    "Cow",
];

fn is_plain_name(name: &str) -> bool {
    INTEGERS.contains(&name) || OTHER_PLAIN.contains(&name) || name.starts_with("NonZero")
}

/// Whether `ty` is recognisably a plain type that cannot be a secret field.
pub(crate) fn is_plain(ty: &Type) -> bool {
    match ty {
        Type::Path(p) if p.qself.is_none() => p
            .path
            .segments
            .last()
            .is_some_and(|s| is_plain_name(&s.ident.to_string())),
        Type::Array(a) => is_plain(&a.elem),
        Type::Tuple(t) => t.elems.iter().any(is_plain),
        Type::Paren(p) => is_plain(&p.elem),
        Type::Group(g) => is_plain(&g.elem),
        Type::Reference(_) | Type::Ptr(_) | Type::Slice(_) | Type::BareFn(_) => true,
        _ => false,
    }
}

/// A readable rendering of a type for error messages (`[u8; 32]`, not `[u8 ; 32]`).
pub(crate) fn type_text(ty: &Type) -> String {
    let raw = quote::quote!(#ty).to_string();
    let mut text = String::with_capacity(raw.len());
    let chars: Vec<char> = raw.chars().collect();
    for (i, &c) in chars.iter().enumerate() {
        if c == ' ' {
            let prev = if i > 0 { chars[i - 1] } else { ' ' };
            let next = chars.get(i + 1).copied().unwrap_or(' ');
            let glue_after = matches!(prev, '<' | '&' | '(' | '[' | ':' | '*');
            let glue_before = matches!(next, '<' | '>' | ',' | ';' | ')' | ']' | ':');
            if glue_after || glue_before {
                continue;
            }
        }
        text.push(c);
    }
    text
}

/// The names of a struct's generic parameters (types, lifetimes and consts) plus `Self`.
pub(crate) struct GenericNames {
    names: HashSet<String>,
}

impl GenericNames {
    pub(crate) fn new(generics: &Generics) -> Self {
        let mut names: HashSet<String> = HashSet::new();
        names.insert("Self".to_owned());
        for param in &generics.params {
            match param {
                syn::GenericParam::Type(t) => names.insert(t.ident.to_string()),
                syn::GenericParam::Lifetime(l) => names.insert(format!("'{}", l.lifetime.ident)),
                syn::GenericParam::Const(c) => names.insert(c.ident.to_string()),
            };
        }
        GenericNames { names }
    }

    /// Whether `ty` mentions a generic parameter (or `Self`). Such field types get trait bounds
    /// on the generated impls instead of a hard compile-time assertion.
    pub(crate) fn mentioned_in(&self, ty: &Type) -> bool {
        let mut finder = Finder {
            names: &self.names,
            found: false,
        };
        finder.visit_type(ty);
        finder.found
    }
}

struct Finder<'a> {
    names: &'a HashSet<String>,
    found: bool,
}

impl<'ast> Visit<'ast> for Finder<'_> {
    fn visit_path(&mut self, path: &'ast Path) {
        if path.leading_colon.is_none() {
            if let Some(first) = path.segments.first() {
                if self.names.contains(&first.ident.to_string()) {
                    self.found = true;
                }
            }
        }
        syn::visit::visit_path(self, path);
    }

    fn visit_lifetime(&mut self, lifetime: &'ast syn::Lifetime) {
        if self.names.contains(&format!("'{}", lifetime.ident)) {
            self.found = true;
        }
    }

    fn visit_type_macro(&mut self, _: &'ast syn::TypeMacro) {
        // Cannot see inside: treat as depending on the generics, so it only gets bounds.
        self.found = true;
    }
}

/// The name of a field for messages: `key` or `0`.
pub(crate) fn field_name(ident: Option<&Ident>, index: usize) -> String {
    match ident {
        Some(ident) => ident.to_string(),
        None => index.to_string(),
    }
}

/// The secret form of a plain type, where secret-core has one: `u32` -> `Secret<u32>`,
/// `bool` -> `SecretBool`, `[u8; 32]` -> `Secret<[u8; 32]>`, `[u64; 4]` -> `[Secret<u64>; 4]`.
pub(crate) fn secret_form(ty: &Type) -> Option<String> {
    match ty {
        Type::Path(p) if p.qself.is_none() && p.path.segments.len() == 1 => {
            let name = p.path.segments[0].ident.to_string();
            if name == "bool" {
                Some("SecretBool".to_owned())
            } else if INTEGERS.contains(&name.as_str()) {
                Some(format!("Secret<{name}>"))
            } else {
                None
            }
        }
        Type::Array(a) => {
            let len = &a.len;
            let len = quote::quote!(#len).to_string();
            if type_text(&a.elem) == "u8" {
                Some(format!("Secret<[u8; {len}]>"))
            } else {
                secret_form(&a.elem).map(|elem| format!("[{elem}; {len}]"))
            }
        }
        Type::Paren(p) => secret_form(&p.elem),
        Type::Group(g) => secret_form(&g.elem),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ty(text: &str) -> Type {
        syn::parse_str(text).expect("a type")
    }

    #[test]
    fn renders_types_readably() {
        assert_eq!(type_text(&ty("[u8; 32]")), "[u8; 32]");
        assert_eq!(type_text(&ty("Vec<u8>")), "Vec<u8>");
        assert_eq!(
            type_text(&ty("std::vec::Vec<(u8, u16)>")),
            "std::vec::Vec<(u8, u16)>"
        );
        assert_eq!(type_text(&ty("&'a [u8]")), "&'a [u8]");
    }

    #[test]
    fn recognises_plain_types() {
        for plain in [
            "u32",
            "bool",
            "[u8; 32]",
            "[[u64; 2]; 2]",
            "Vec<u8>",
            "&[u8]",
            "(u8, u16)",
        ] {
            assert!(is_plain(&ty(plain)), "{plain}");
        }
        for secret in ["Secret<u32>", "SecretBool", "[Secret<u8>; 4]", "Inner", "T"] {
            assert!(!is_plain(&ty(secret)), "{secret}");
        }
    }

    #[test]
    fn suggests_secret_forms() {
        let form = |t: &str| secret_form(&ty(t));
        assert_eq!(form("u32").as_deref(), Some("Secret<u32>"));
        assert_eq!(form("bool").as_deref(), Some("SecretBool"));
        assert_eq!(form("[u8; 32]").as_deref(), Some("Secret<[u8; 32]>"));
        assert_eq!(form("[u64; 4]").as_deref(), Some("[Secret<u64>; 4]"));
        assert_eq!(form("Vec<u8>"), None);
    }

    #[test]
    fn finds_generic_parameters_in_field_types() {
        let generics: Generics = syn::parse_str("<'a, T, const N: usize>").expect("generics");
        let names = GenericNames::new(&generics);
        for generic in [
            "T",
            "Secret<T>",
            "[Secret<u8>; N]",
            "&'a u8",
            "<T as Tr>::X",
            "Self",
        ] {
            assert!(names.mentioned_in(&ty(generic)), "{generic}");
        }
        for concrete in ["Secret<u8>", "[u8; 4]", "::T", "Tx", "other::T"] {
            assert!(!names.mentioned_in(&ty(concrete)), "{concrete}");
        }
    }
}
