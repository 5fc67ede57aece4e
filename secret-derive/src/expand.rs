//! Code generation for `#[derive(Secret)]`.

use proc_macro2::{Span, TokenStream};
use quote::{format_ident, quote, quote_spanned};
use syn::spanned::Spanned;
use syn::{
    Data, DeriveInput, Fields, Generics, Ident, Index, Member, Type, WhereClause, WherePredicate,
};

use crate::attr::{self, Errors};
use crate::check::{self, GenericNames};

/// One field of the struct, as the generator sees it.
struct FieldInfo<'a> {
    /// `self.#member`.
    member: Member,
    /// The name used in messages and in the redacted `Debug`: `key` or `0`.
    name: String,
    ty: &'a Type,
    /// Marked `#[secret(public)]`.
    public: bool,
    /// The field type mentions a generic parameter: it gets bounds, not an assertion.
    generic: bool,
    /// The span used for everything generated for this field.
    span: Span,
    field: &'a syn::Field,
}

pub(crate) fn expand(input: &DeriveInput) -> syn::Result<TokenStream> {
    let data = match &input.data {
        Data::Struct(data) => data,
        Data::Enum(data) => {
            return Err(syn::Error::new_spanned(
                data.enum_token,
                "`#[derive(Secret)]` cannot be used on an enum: the discriminant of a secret enum \
                 would be secret, and matching on it cannot be done in constant time. Use a struct \
                 with `SecretBool` or `Secret<u8>` tag fields and `ct_select` instead",
            ));
        }
        Data::Union(data) => {
            return Err(syn::Error::new_spanned(
                data.union_token,
                "`#[derive(Secret)]` cannot be used on a union: which field is active would be \
                 secret and cannot be read in constant time, and a union cannot be zeroized field \
                 by field. Use a struct of secret fields instead",
            ));
        }
    };

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

    let names = GenericNames::new(&input.generics);
    let mut fields = Vec::new();
    for (index, field) in data.fields.iter().enumerate() {
        let public = match attr::field_is_public(field) {
            Ok(p) => p,
            Err(e) => {
                errors.push(Some(e));
                true // do not also report it as a plain field
            }
        };
        let name = check::field_name(field.ident.as_ref(), index);
        let span = field.ty.span();
        if !public && check::is_plain(&field.ty) {
            let ty = check::type_text(&field.ty);
            let fix = match check::secret_form(&field.ty) {
                Some(secret) => format!("make it `{secret}`"),
                None => "use a secret type (`Secret<...>`, `SecretBool`, an array of them, or a \
                         struct that also derives `Secret`)"
                    .to_owned(),
            };
            errors.push(Some(syn::Error::new_spanned(
                &field.ty,
                format!(
                    "field `{name}` of `{}` has the plain type `{ty}`, but every field of a \
                     `#[derive(Secret)]` struct must be secret or marked public: {fix}, or mark \
                     it `#[secret(public)]` if its value is public",
                    input.ident
                ),
            )));
        }
        let member = match &field.ident {
            Some(ident) => Member::Named(ident.clone()),
            None => Member::Unnamed(Index {
                index: u32::try_from(index).unwrap_or(u32::MAX),
                span,
            }),
        };
        fields.push(FieldInfo {
            member,
            name,
            ty: &field.ty,
            public,
            generic: names.mentioned_in(&field.ty),
            span,
            field,
        });
    }
    errors.finish()?;

    let mut out = TokenStream::new();
    out.extend(assertions(input, &fields, container.declassify.is_some()));
    out.extend(ct_eq(input, &fields));
    out.extend(ct_select(input, &fields));
    out.extend(zeroize(input, &fields));
    out.extend(debug(input, &fields));
    if let Some(twin) = &container.declassify {
        out.extend(declassify(input, &data.fields, &fields, twin));
    }
    Ok(out)
}

/// The struct's where-clause plus a bound on every selected field type.
fn where_with(
    generics: &Generics,
    fields: &[FieldInfo<'_>],
    select: impl Fn(&FieldInfo<'_>) -> Option<TokenStream>,
) -> WhereClause {
    let mut clause = generics
        .where_clause
        .clone()
        .unwrap_or_else(|| WhereClause {
            where_token: Default::default(),
            predicates: Default::default(),
        });
    for field in fields {
        if let Some(bound) = select(field) {
            let ty = field.ty;
            let predicate: WherePredicate = if field.generic {
                syn::parse_quote_spanned!(field.span=> #ty: #bound)
            } else {
                // A concrete field type is checked by `assertions`, with a clear message. The
                // binder keeps this bound from being a (rejected) trivially false bound, so a
                // bad field is reported once, there, and not again by every impl.
                syn::parse_quote_spanned!(field.span=> for<'__secret> #ty: #bound)
            };
            clause.predicates.push(predicate);
        }
    }
    clause
}

/// Compile-time assertions, spanned on each concrete field type: secret fields are
/// `CtEq + CtSelect + Zeroize + ZeroizeOnDrop`, public fields are `Clone + PartialEq`.
fn assertions(input: &DeriveInput, fields: &[FieldInfo<'_>], twin: bool) -> TokenStream {
    let ident = &input.ident;
    // One marker trait per concrete field, so that the error names the field. Secret fields are
    // constant-time comparable and selectable, wiped by `zeroize()` and on drop (the struct has
    // no `Drop` of its own and relies on this); public fields are compared with `==` and cloned.
    let field_checks = fields.iter().filter(|f| !f.generic).map(|f| {
        let marker = if f.public {
            format_ident!("SecretDerivePublicField")
        } else {
            format_ident!("SecretDeriveSecretField")
        };
        let (message, label, note, bounds) = if f.public {
            (
                format!(
                    "public field `{}` of `{ident}` must be `Clone + PartialEq`, and `{{Self}}` \
                     is not",
                    f.name
                ),
                "a `#[secret(public)]` field must be `Clone + PartialEq`",
                "public fields are compared with `==` in `ct_eq` and cloned by `ct_select`; \
                 a secret type must not be marked `#[secret(public)]`",
                quote!(::core::clone::Clone + ::core::cmp::PartialEq),
            )
        } else {
            (
                format!(
                    "field `{}` of `{ident}` is not secret: `{{Self}}` must implement \
                     `CtEq + CtSelect + Zeroize + ZeroizeOnDrop`",
                    f.name
                ),
                "not a secret type",
                "make the field a secret type (`Secret<...>`, `SecretBool`, an array of them, or \
                 a struct that also derives `Secret`), or mark it `#[secret(public)]` if its \
                 value is public",
                quote! {
                    ::secret_core::CtEq
                        + ::secret_core::CtSelect
                        + ::secret_core::zeroize::Zeroize
                        + ::secret_core::zeroize::ZeroizeOnDrop
                },
            )
        };
        marker_check(&marker, &message, label, note, &bounds, f)
    });
    // With a twin, every concrete secret field must have a public form.
    let twin_checks = fields
        .iter()
        .filter(|f| twin && !f.generic && !f.public)
        .map(|f| {
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
        });

    // `#[derive(...)]` attributes written before `#[derive(Secret)]` are expanded first and are
    // not visible to this macro; so also refuse the traits themselves. Two blanket impls of a
    // marker trait overlap exactly when the struct implements the refused trait, and naming the
    // trait with `_` is then ambiguous: a compile error that names the rule.
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
        #[doc(hidden)]
        #[allow(dead_code, non_camel_case_types)]
        const _: () = {
            #(#field_checks)*
            #(#twin_checks)*
            #(#refused_traits)*
            fn __secret_derive_refused #impl_generics () #where_clause {
                #(#refused_checks)*
            }
        };
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

fn ct_eq(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = where_with(&input.generics, fields, |f| {
        Some(if f.public {
            quote!(::core::cmp::PartialEq)
        } else {
            quote!(::secret_core::CtEq)
        })
    });
    let steps = fields.iter().map(|f| {
        let member = &f.member;
        let eq = if f.public {
            quote_spanned! {f.span=>
                ::secret_core::SecretBool::new(
                    ::core::cmp::PartialEq::eq(&self.#member, &other.#member)
                )
            }
        } else {
            quote_spanned! {f.span=>
                ::secret_core::CtEq::ct_eq(&self.#member, &other.#member)
            }
        };
        quote!(let __secret_eq = __secret_eq & #eq;)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics ::secret_core::CtEq for #ident #ty_generics #where_clause {
            /// Constant-time equality: the AND (`&`, never `&&`) of every field's `ct_eq`;
            /// public fields are compared with `==` and folded in as a `SecretBool`.
            #[inline]
            fn ct_eq(&self, other: &Self) -> ::secret_core::SecretBool {
                let __secret_eq = ::secret_core::SecretBool::new(true);
                #(#steps)*
                __secret_eq
            }
        }
    }
}

fn ct_select(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let where_clause = where_with(&input.generics, fields, |f| {
        Some(if f.public {
            quote!(::core::clone::Clone + ::core::cmp::PartialEq)
        } else {
            quote!(::secret_core::CtSelect)
        })
    });
    let public_checks = fields.iter().filter(|f| f.public).map(|f| {
        let member = &f.member;
        let message = format!(
            "`{ident}::ct_select`: public field `{}` differs between the two operands; \
             `ct_select` only chooses between values whose `#[secret(public)]` fields are equal",
            f.name
        );
        quote_spanned! {f.span=>
            if !::core::cmp::PartialEq::eq(&if_true.#member, &if_false.#member) {
                ::core::panic!("{}", #message);
            }
        }
    });
    let values = fields.iter().map(|f| {
        let member = &f.member;
        if f.public {
            quote_spanned!(f.span=> #member: ::core::clone::Clone::clone(&if_true.#member))
        } else {
            quote_spanned! {f.span=>
                #member: ::secret_core::CtSelect::ct_select(cond, &if_true.#member, &if_false.#member)
            }
        }
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics ::secret_core::CtSelect for #ident #ty_generics #where_clause {
            /// Field-wise constant-time selection. `#[secret(public)]` fields must be equal in
            /// both operands (else this panics, which depends on public data only) and are
            /// cloned from `if_true`.
            #[inline]
            fn ct_select(
                cond: &::secret_core::SecretBool,
                if_true: &Self,
                if_false: &Self,
            ) -> Self {
                #(#public_checks)*
                Self { #(#values,)* }
            }
        }
    }
}

fn zeroize(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
    let zeroize_where = where_with(&input.generics, fields, |f| {
        (!f.public).then(|| quote!(::secret_core::zeroize::Zeroize))
    });
    let on_drop_where = where_with(&input.generics, fields, |f| {
        (!f.public).then(|| quote!(::secret_core::zeroize::ZeroizeOnDrop))
    });
    let wipes = fields.iter().filter(|f| !f.public).map(|f| {
        let member = &f.member;
        quote_spanned!(f.span=> ::secret_core::zeroize::Zeroize::zeroize(&mut self.#member);)
    });
    quote! {
        #[automatically_derived]
        impl #impl_generics ::secret_core::zeroize::Zeroize for #ident #ty_generics #zeroize_where {
            /// Zeroizes every secret field; `#[secret(public)]` fields are left as they are.
            fn zeroize(&mut self) {
                #(#wipes)*
            }
        }

        /// Every secret field is itself `ZeroizeOnDrop` (checked at compile time), so dropping
        /// the struct drops, and so wipes, each of them.
        #[automatically_derived]
        impl #impl_generics ::secret_core::zeroize::ZeroizeOnDrop for #ident #ty_generics
            #on_drop_where
        {
        }
    }
}

fn debug(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
    let ident = &input.ident;
    let name = ident.to_string();
    let (impl_generics, ty_generics, where_clause) = input.generics.split_for_impl();
    let shown = |f: &FieldInfo<'_>| if f.public { "<public>" } else { "<redacted>" };
    let body = match &input.data {
        Data::Struct(s) => match &s.fields {
            Fields::Named(_) => {
                let entries = fields.iter().map(|f| {
                    let field_name = &f.name;
                    let shown = shown(f);
                    quote!(.field(#field_name, &::core::format_args!(#shown)))
                });
                quote!(f.debug_struct(#name) #(#entries)* .finish())
            }
            Fields::Unnamed(_) => {
                let entries = fields.iter().map(|f| {
                    let shown = shown(f);
                    quote!(.field(&::core::format_args!(#shown)))
                });
                quote!(f.debug_tuple(#name) #(#entries)* .finish())
            }
            Fields::Unit => quote!(f.write_str(#name)),
        },
        _ => quote!(f.write_str(#name)),
    };
    quote! {
        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #ident #ty_generics #where_clause {
            /// Redacted: prints the struct and field names, never a value.
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #body
            }
        }
    }
}

/// The public twin of a field's type: `<T as Declassify>::Public` for secret fields, `T` for
/// public ones.
fn twin_type(f: &FieldInfo<'_>) -> TokenStream {
    let ty = f.ty;
    if f.public {
        quote!(#ty)
    } else {
        quote_spanned!(f.span=> <#ty as ::secret_core::Declassify>::Public)
    }
}

fn declassify(
    input: &DeriveInput,
    shape: &Fields,
    fields: &[FieldInfo<'_>],
    twin: &Ident,
) -> TokenStream {
    let ident = &input.ident;
    let vis = &input.vis;
    let generics = &input.generics;
    let (impl_generics, ty_generics, _) = generics.split_for_impl();
    let declassify_where = where_with(generics, fields, |f| {
        (!f.public).then(|| quote!(::secret_core::Declassify))
    });

    // The twin struct, with the same shape, field names, field docs and visibilities.
    let twin_fields = fields.iter().map(|f| {
        let field_vis = &f.field.vis;
        let docs = f.field.attrs.iter().filter(|a| a.path().is_ident("doc"));
        let ty = twin_type(f);
        match &f.field.ident {
            Some(name) => quote!(#(#docs)* #field_vis #name: #ty),
            None => quote!(#(#docs)* #field_vis #ty),
        }
    });
    let twin_doc = format!(
        "The declassified (public) twin of [`{ident}`], returned by [`{ident}::declassify`]: \
         the same fields, with every secret field replaced by its public value."
    );
    let twin_def = match shape {
        Fields::Named(_) => quote! {
            #vis struct #twin #generics #declassify_where { #(#twin_fields,)* }
        },
        Fields::Unnamed(_) => quote! {
            #vis struct #twin #generics ( #(#twin_fields,)* ) #declassify_where;
        },
        Fields::Unit => quote! {
            #vis struct #twin #generics #declassify_where;
        },
    };

    // `let Self { a: __secret_field_0, .. } = self; Twin { a: declassify(__secret_field_0), .. }`
    let locals: Vec<Ident> = (0..fields.len())
        .map(|i| format_ident!("__secret_field_{}", i))
        .collect();
    let pattern = fields.iter().zip(&locals).map(|(f, local)| {
        let member = &f.member;
        quote!(#member: #local)
    });
    let values = fields.iter().zip(&locals).map(|(f, local)| {
        let member = &f.member;
        if f.public {
            quote!(#member: #local)
        } else {
            quote_spanned!(f.span=> #member: ::secret_core::Declassify::declassify(#local))
        }
    });

    // Debug, Clone, PartialEq and Eq for the twin, each bounded on every field type.
    let twin_bound = |bound: TokenStream| {
        let mut clause = declassify_where.clone();
        // `for<'__secret>` keeps a bound on a concrete type from being a (rejected) trivially
        // false bound: the impl then simply does not exist, like a perfect derive.
        for f in fields {
            let ty = twin_type(f);
            clause
                .predicates
                .push(syn::parse_quote_spanned!(f.span=> for<'__secret> #ty: #bound));
        }
        clause
    };
    let debug_where = twin_bound(quote!(::core::fmt::Debug));
    let clone_where = twin_bound(quote!(::core::clone::Clone));
    let eq_where = twin_bound(quote!(::core::cmp::PartialEq));
    let total_eq_where = twin_bound(quote!(::core::cmp::Eq));
    let twin_name = twin.to_string();
    let debug_body = match shape {
        Fields::Named(_) => {
            let entries = fields.iter().map(|f| {
                let member = &f.member;
                let name = &f.name;
                quote!(.field(#name, &self.#member))
            });
            quote!(f.debug_struct(#twin_name) #(#entries)* .finish())
        }
        Fields::Unnamed(_) => {
            let entries = fields.iter().map(|f| {
                let member = &f.member;
                quote!(.field(&self.#member))
            });
            quote!(f.debug_tuple(#twin_name) #(#entries)* .finish())
        }
        Fields::Unit => quote!(f.write_str(#twin_name)),
    };
    let clones = fields.iter().map(|f| {
        let member = &f.member;
        quote!(#member: ::core::clone::Clone::clone(&self.#member))
    });
    let eqs = fields.iter().map(|f| {
        let member = &f.member;
        quote!(&& ::core::cmp::PartialEq::eq(&self.#member, &other.#member))
    });

    quote! {
        #[doc = #twin_doc]
        #twin_def

        #[automatically_derived]
        impl #impl_generics ::core::fmt::Debug for #twin #ty_generics #debug_where {
            fn fmt(&self, f: &mut ::core::fmt::Formatter<'_>) -> ::core::fmt::Result {
                #debug_body
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::clone::Clone for #twin #ty_generics #clone_where {
            #[inline]
            fn clone(&self) -> Self {
                Self { #(#clones,)* }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::PartialEq for #twin #ty_generics #eq_where {
            #[inline]
            fn eq(&self, other: &Self) -> ::core::primitive::bool {
                true #(#eqs)*
            }
        }

        #[automatically_derived]
        impl #impl_generics ::core::cmp::Eq for #twin #ty_generics #total_eq_where {}

        impl #impl_generics #ident #ty_generics #declassify_where {
            /// Declassifies every secret field and returns the public twin: the explicit way to
            /// take a whole struct of secrets out of constant-time code.
            #[inline]
            #[must_use]
            pub fn declassify(self) -> #twin #ty_generics {
                let Self { #(#pattern,)* } = self;
                #twin { #(#values,)* }
            }
        }

        #[automatically_derived]
        impl #impl_generics ::secret_core::Declassify for #ident #ty_generics #declassify_where {
            type Public = #twin #ty_generics;
            #[inline]
            fn declassify(self) -> Self::Public {
                #ident::declassify(self)
            }
        }
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
