//! `#[secret(declassify = NamePlain)]`: the public twin struct, its `Debug`, `Clone`,
//! `PartialEq` and `Eq`, and the struct's `declassify` method and `Declassify` impl.

use proc_macro2::TokenStream;
use quote::{format_ident, quote, quote_spanned};
use syn::{DeriveInput, Fields, Ident, WhereClause};

use super::bounds::where_with;
use super::field::FieldInfo;

/// Everything the `declassify` attribute generates; `shape` is the struct's fields (named,
/// tuple or unit), which the twin copies.
pub(super) fn declassify(
    input: &DeriveInput,
    shape: &Fields,
    fields: &[FieldInfo<'_>],
    twin: &Ident,
) -> TokenStream {
    let declassify_where = where_with(&input.generics, fields, |f| {
        (!f.public).then(|| quote!(::secret_core::Declassify))
    });
    let mut out = twin_struct(input, shape, fields, twin, &declassify_where);
    out.extend(twin_impls(input, shape, fields, twin, &declassify_where));
    out.extend(declassify_impls(input, fields, twin, &declassify_where));
    out
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

/// The twin struct, with the same shape, field names, field docs and visibilities.
fn twin_struct(
    input: &DeriveInput,
    shape: &Fields,
    fields: &[FieldInfo<'_>],
    twin: &Ident,
    declassify_where: &WhereClause,
) -> TokenStream {
    let (ident, vis, generics) = (&input.ident, &input.vis, &input.generics);
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
    quote! {
        #[doc = #twin_doc]
        #twin_def
    }
}

/// Debug, Clone, PartialEq and Eq for the twin, each bounded on every field type.
fn twin_impls(
    input: &DeriveInput,
    shape: &Fields,
    fields: &[FieldInfo<'_>],
    twin: &Ident,
    declassify_where: &WhereClause,
) -> TokenStream {
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
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
    let debug_body = twin_debug_body(shape, fields, twin);
    let clones = fields.iter().map(|f| {
        let member = &f.member;
        quote!(#member: ::core::clone::Clone::clone(&self.#member))
    });
    let eqs = fields.iter().map(|f| {
        let member = &f.member;
        quote!(&& ::core::cmp::PartialEq::eq(&self.#member, &other.#member))
    });
    quote! {
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
    }
}

/// The twin's `Debug` body: values shown, since they are public.
fn twin_debug_body(shape: &Fields, fields: &[FieldInfo<'_>], twin: &Ident) -> TokenStream {
    let twin_name = twin.to_string();
    match shape {
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
    }
}

/// `impl Name { fn declassify(self) -> NamePlain }` and `impl Declassify for Name`.
fn declassify_impls(
    input: &DeriveInput,
    fields: &[FieldInfo<'_>],
    twin: &Ident,
    declassify_where: &WhereClause,
) -> TokenStream {
    let ident = &input.ident;
    let (impl_generics, ty_generics, _) = input.generics.split_for_impl();
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
    quote! {
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
