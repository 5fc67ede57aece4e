//! `impl CtEq`: the AND of every field's equality.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use super::bounds::where_with;
use super::field::FieldInfo;

/// `CtEq` bounded on every field type: `ct_eq` for secret fields, `==` for public ones.
pub(super) fn ct_eq(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
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
