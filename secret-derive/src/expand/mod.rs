//! Code generation for `#[derive(Secret)]`: refuses what cannot be derived, classifies the
//! fields, then asks one module per generated impl for its code.

mod assertions;
mod bounds;
mod ct_eq;
mod ct_select;
mod debug;
mod declassify;
mod field;
mod zeroize;

use proc_macro2::TokenStream;
use syn::{Data, DataStruct, DeriveInput};

use crate::attr::{self, Errors};
use crate::check;

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let data = struct_data(input)?;
    let mut errors = Errors::default();
    for error in check::refused_derives(&input.attrs) {
        errors.push(Some(error));
    }
    errors.push(check::packed_repr(&input.attrs));
    let container = match attr::container(&input.attrs) {
        Ok(c) => c,
        Err(e) => {
            errors.push(Some(e));
            attr::ContainerAttrs::default()
        }
    };
    if let Some(twin) = &container.declassify {
        if *twin == input.ident {
            errors.push(Some(syn::Error::new_spanned(
                twin,
                "the public twin needs a name of its own, different from the struct's",
            )));
        }
    }
    let fields = field::classify(input, &data.fields, &mut errors);
    errors.finish()?;

    let mut out = TokenStream::new();
    out.extend(assertions::assertions(
        input,
        &fields,
        container.declassify.is_some(),
    ));
    out.extend(ct_eq::ct_eq(input, &fields));
    out.extend(ct_select::ct_select(input, &fields));
    out.extend(zeroize::zeroize(input, &fields));
    out.extend(debug::debug(input, &fields));
    if let Some(twin) = &container.declassify {
        out.extend(declassify::declassify(input, &data.fields, &fields, twin));
    }
    Ok(out)
}

/// The struct's data; enums and unions are refused with the reason.
fn struct_data(input: &DeriveInput) -> syn::Result<&DataStruct> {
    match &input.data {
        Data::Struct(data) => Ok(data),
        Data::Enum(data) => Err(syn::Error::new_spanned(
            data.enum_token,
            "`#[derive(Secret)]` cannot be used on an enum: the discriminant of a secret enum \
             would be secret, and matching on it cannot be done in constant time. Use a struct \
             with `SecretBool` or `Secret<u8>` tag fields and `ct_select` instead",
        )),
        Data::Union(data) => Err(syn::Error::new_spanned(
            data.union_token,
            "`#[derive(Secret)]` cannot be used on a union: which field is active would be \
             secret and cannot be read in constant time, and a union cannot be zeroized field \
             by field. Use a struct of secret fields instead",
        )),
    }
}

#[cfg(test)]
mod tests {
    use proc_macro2::{Spacing, TokenStream, TokenTree};

    fn expand(input: TokenStream) -> syn::Result<TokenStream> {
        super::expand(&syn::parse2(input).expect("valid item"))
    }

    fn flatten(tokens: TokenStream, out: &mut Vec<TokenTree>) {
        for tree in tokens {
            match tree {
                TokenTree::Group(g) => flatten(g.stream(), out),
                other => out.push(other),
            }
        }
    }

    /// Every absolute path (`::x::...`) in the expansion starts with `core` or `secret_core`,
    /// so users of the derive need no dependency other than `secret_core`.
    fn assert_only_core_paths(tokens: TokenStream) {
        let mut flat = Vec::new();
        flatten(tokens, &mut flat);
        let mut roots = 0;
        for i in 0..flat.len().saturating_sub(2) {
            let (TokenTree::Punct(a), TokenTree::Punct(b)) = (&flat[i], &flat[i + 1]) else {
                continue;
            };
            if a.as_char() != ':' || b.as_char() != ':' || a.spacing() != Spacing::Joint {
                continue;
            }
            let continues_a_path = i > 0
                && match &flat[i - 1] {
                    TokenTree::Ident(_) => true,
                    TokenTree::Punct(p) => p.as_char() == '>',
                    _ => false,
                };
            if !continues_a_path {
                let root = flat[i + 2].to_string();
                assert!(
                    root == "core" || root == "secret_core",
                    "absolute path rooted at `{root}`"
                );
                roots += 1;
            }
        }
        assert!(roots > 10, "only {roots} absolute paths found");
    }

    #[test]
    fn expansions_name_only_core_and_secret_core() {
        let inputs = [
            quote::quote! {
                #[secret(declassify = KeyPlain)]
                struct Key { sk: Secret<[u8; 32]>, #[secret(public)] id: u32 }
            },
            quote::quote! {
                #[secret(declassify = PairPlain)]
                struct Pair<T: Clone, const N: usize>(Secret<u8>, [T; N]) where T: Copy;
            },
            quote::quote! { struct Unit; },
        ];
        for input in inputs {
            assert_only_core_paths(expand(input).expect("expands"));
        }
    }

    #[test]
    fn misuse_is_an_error_not_a_panic() {
        let inputs = [
            quote::quote! { enum E { A(Secret<u8>) } },
            quote::quote! { union U { a: u8 } },
            quote::quote! { struct S { a: u32 } },
            quote::quote! { #[derive(PartialEq)] struct S { a: Secret<u8> } },
            quote::quote! { #[secret(declassify)] struct S { a: Secret<u8> } },
            quote::quote! { #[secret(declassify = S)] struct S { a: Secret<u8> } },
            quote::quote! { #[secret] struct S { a: Secret<u8> } },
            quote::quote! { struct S { #[secret(public = 1)] a: u8 } },
            quote::quote! { #[repr(packed(2))] struct S { a: Secret<u8> } },
        ];
        for input in inputs {
            let text = input.to_string();
            assert!(expand(input).is_err(), "accepted: {text}");
        }
    }

    #[test]
    fn all_errors_are_reported_together() {
        let err = expand(quote::quote! {
            #[secret(opaque)]
            struct S { a: u32, #[secret(publik)] b: u8, c: bool }
        })
        .expect_err("refused");
        assert_eq!(err.into_iter().count(), 4);
    }
}
