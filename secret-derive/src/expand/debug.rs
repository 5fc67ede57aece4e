//! `impl Debug`, redacted.

use proc_macro2::TokenStream;
use quote::quote;
use syn::{Data, DeriveInput, Fields};

use super::field::FieldInfo;

/// `Debug` that prints struct and field names with `<redacted>` or `<public>`, never a value.
pub(super) fn debug(input: &DeriveInput, fields: &[FieldInfo<'_>]) -> TokenStream {
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
