//! Compile-time assertions, spanned on each concrete field type, and the refusal of `Copy`,
//! `PartialEq` and `Hash` derived before `#[derive(Secret)]`.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{DeriveInput, Ident};

use super::field::FieldInfo;

/// All assertions in one `const _: () = { .. };`: secret fields are
/// `CtEq + CtSelect + Zeroize + ZeroizeOnDrop` (and `Declassify` when there is a `twin`),
/// public fields are `Clone + PartialEq`, and the struct is none of `Copy`, `PartialEq`, `Hash`.
pub(super) fn assertions(input: &DeriveInput, fields: &[FieldInfo<'_>], twin: bool) -> TokenStream {
    let ident = &input.ident;
    // One marker trait per concrete field, so that the error names the field.
    let field_checks = fields
        .iter()
        .filter(|f| !f.generic)
        .map(|f| field_check(ident, f));
    let twin_checks = fields
        .iter()
        .filter(|f| twin && !f.generic && !f.public)
        .map(|f| twin_check(ident, f));
    let refused = refused_traits(input);
    quote! {
        #[doc(hidden)]
        #[allow(dead_code, non_camel_case_types)]
        const _: () = {
            #(#field_checks)*
            #(#twin_checks)*
            #refused
        };
    }
}

/// A secret field is constant-time comparable and selectable and wiped by `zeroize()` and on
/// drop (the struct has no `Drop` of its own and relies on this); a public field is compared
/// with `==` and cloned.
fn field_check(ident: &Ident, f: &FieldInfo<'_>) -> TokenStream {
    if f.public {
        let message = format!(
            "public field `{}` of `{ident}` must be `Clone + PartialEq`, and `{{Self}}` \
             is not",
            f.name
        );
        let note = "public fields are compared with `==` in `ct_eq` and cloned by `ct_select`; \
                    a secret type must not be marked `#[secret(public)]`";
        let label = "a `#[secret(public)]` field must be `Clone + PartialEq`";
        let bounds = quote!(::core::clone::Clone + ::core::cmp::PartialEq);
        let marker = format_ident!("SecretDerivePublicField");
        return marker_check(&marker, &message, label, note, &bounds, f);
    }
    let message = format!(
        "field `{}` of `{ident}` is not secret: `{{Self}}` must implement \
         `CtEq + CtSelect + Zeroize + ZeroizeOnDrop`",
        f.name
    );
    let note = "make the field a secret type (`Secret<...>`, `SecretBool`, an array of them, or \
                a struct that also derives `Secret`), or mark it `#[secret(public)]` if its \
                value is public";
    let bounds = quote! {
        ::secret_core::CtEq
            + ::secret_core::CtSelect
            + ::secret_core::zeroize::Zeroize
            + ::secret_core::zeroize::ZeroizeOnDrop
    };
    let marker = format_ident!("SecretDeriveSecretField");
    marker_check(&marker, &message, "not a secret type", note, &bounds, f)
}

/// With a twin, every concrete secret field must have a public form.
fn twin_check(ident: &Ident, f: &FieldInfo<'_>) -> TokenStream {
    let marker = format_ident!("SecretDeriveDeclassifiableField");
    let message = format!(
        "field `{}` of `{ident}` cannot be declassified: `{{Self}}` does not implement \
         `Declassify`",
        f.name
    );
    let note = "`#[secret(declassify = ...)]` replaces each secret field by its \
                `Declassify::Public` form; a nested struct needs its own \
                `#[secret(declassify = NamePlain)]`";
    let bounds = quote!(::secret_core::Declassify);
    marker_check(&marker, &message, "has no public twin", note, &bounds, f)
}

/// `#[derive(...)]` attributes written before `#[derive(Secret)]` are expanded first and are
/// not visible to this macro; so the traits themselves are refused. Two blanket impls of a
/// marker trait overlap exactly when the struct implements the refused trait, and naming the
/// trait with `_` is then ambiguous: a compile error that names the rule.
fn refused_traits(input: &DeriveInput) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let refused = [
        (
            format_ident!("SecretStructsMustNotBeCopy"),
            quote!(::core::marker::Copy),
        ),
        (
            format_ident!("SecretStructsMustNotImplementPartialEq"),
            quote!(::core::cmp::PartialEq),
        ),
        (
            format_ident!("SecretStructsMustNotImplementHash"),
            quote!(::core::hash::Hash),
        ),
    ];
    let refused_traits = refused.iter().map(|(name, path)| {
        quote! {
            trait #name<A> {
                fn refused() {}
            }
            impl<T: ?::core::marker::Sized> #name<()> for T {}
            impl<T: ?::core::marker::Sized + #path> #name<::core::primitive::u8> for T {}
        }
    });
    let refused_checks = refused.iter().map(
        |(name, _)| quote_spanned!(ident.span()=> <#ident #ty_generics as #name<_>>::refused();),
    );
    quote! {
        #(#refused_traits)*
        fn __secret_derive_refused #impl_generics () #where_clause {
            #(#refused_checks)*
        }
    }
}

/// A marker trait with a custom diagnostic, implemented for every type with `bounds`, and an
/// assertion, spanned on the field's type, that the field's type implements it.
fn marker_check(
    marker: &Ident,
    message: &str,
    label: &str,
    note: &str,
    bounds: &TokenStream,
    f: &FieldInfo<'_>,
) -> TokenStream {
    let ty = f.ty;
    let call = quote_spanned!(f.span=> assert::<#ty>());
    // `do_not_recommend` makes rustc report the unmet marker (with the message above) rather
    // than each unmet bound with a list of unrelated types that implement it.
    quote! {
        const _: () = {
            #[diagnostic::on_unimplemented(message = #message, label = #label, note = #note)]
            trait #marker {}
            #[diagnostic::do_not_recommend]
            impl<T: ?::core::marker::Sized + #bounds> #marker for T {}
            const fn assert<T: ?::core::marker::Sized + #marker>() {}
            #call;
        };
    }
}
