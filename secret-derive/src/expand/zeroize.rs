//! `impl Zeroize` and `impl ZeroizeOnDrop`.

use proc_macro2::TokenStream;
use quote::{quote, quote_spanned};
use syn::DeriveInput;

use super::bounds::where_with;
use super::field::FieldInfo;

/// `Zeroize` over the secret fields, and `ZeroizeOnDrop` bounded on every secret field being
/// `ZeroizeOnDrop` itself (no `Drop` impl: dropping the fields wipes them).
pub(super) fn zeroize(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
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
