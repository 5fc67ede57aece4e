//! `impl CtSelect`: field-wise selection.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use super::bounds::where_with;
use super::field::FieldInfo;

/// `CtSelect`: `ct_select` per secret field; public fields must be equal (else a panic that
/// depends on public data only) and are cloned from `if_true`.
pub(super) fn ct_select(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
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
