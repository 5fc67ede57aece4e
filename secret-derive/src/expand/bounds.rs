//! Where-clauses of the generated impls.

use proc_macro2::TokenStream;
use syn::{Generics, WhereClause, WherePredicate};

use super::field::FieldInfo;

/// The struct's where-clause plus a bound on every selected field type.
pub(super) fn where_with(
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
