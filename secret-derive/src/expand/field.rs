//! Field classification: secret or `#[secret(public)]`, concrete or generic, and the refusal of
//! plain field types that are not marked public.

use proc_macro2::Span;
use syn::spanned::Spanned;
use syn::{DeriveInput, Fields, Index, Member, Type};

use crate::attr::{self, Errors};
use crate::check::{self, GenericNames};

/// One field of the struct, as the generators see it.
pub(super) struct FieldInfo<'a> {
    /// How generated code reaches it: `self.#member`.
    pub(super) member: Member,
    /// The name used in messages and in the redacted `Debug`: `key` or `0`.
    pub(super) name: String,
    pub(super) ty: &'a Type,
    /// Marked `#[secret(public)]`.
    pub(super) public: bool,
    /// The field type mentions a generic parameter: it gets bounds, not an assertion.
    pub(super) generic: bool,
    /// The span of everything generated for this field (its type's).
    pub(super) span: Span,
    pub(super) field: &'a syn::Field,
}

/// Every field of the struct, classified; a bad `#[secret(..)]` or an unmarked plain field type
/// is pushed to `errors` (all of them, not only the first).
pub(super) fn classify<'a>(
    input: &DeriveInput,
    fields: &'a Fields,
    errors: &mut Errors,
) -> Vec<FieldInfo<'a>> {
    let names = GenericNames::new(&input.generics);
    let mut out = Vec::new();
    for (index, field) in fields.iter().enumerate() {
        let public = match attr::field_is_public(field) {
            Ok(p) => p,
            Err(e) => {
                errors.push(Some(e));
                true // do not also report it as a plain field
            }
        };
        let name = check::field_name(field.ident.as_ref(), index);
        if !public && check::is_plain(&field.ty) {
            errors.push(Some(plain_field_error(input, field, &name)));
        }
        let span = field.ty.span();
        out.push(FieldInfo {
            member: member(field, index, span),
            name,
            ty: &field.ty,
            public,
            generic: names.mentioned_in(&field.ty),
            span,
            field,
        });
    }
    out
}

/// `self.key` or `self.0`.
fn member(field: &syn::Field, index: usize, span: Span) -> Member {
    match &field.ident {
        Some(ident) => Member::Named(ident.clone()),
        None => Member::Unnamed(Index {
            index: u32::try_from(index).unwrap_or(u32::MAX),
            span,
        }),
    }
}

/// The error for a plain field type (`u32`, `[u8; 32]`, ...) not marked public: it names the
/// field and its secret form.
fn plain_field_error(input: &DeriveInput, field: &syn::Field, name: &str) -> syn::Error {
    let ty = check::type_text(&field.ty);
    let fix = match check::secret_form(&field.ty) {
        Some(secret) => format!("make it `{secret}`"),
        None => "use a secret type (`Secret<...>`, `SecretBool`, an array of them, or a \
                 struct that also derives `Secret`)"
            .to_owned(),
    };
    syn::Error::new_spanned(
        &field.ty,
        format!(
            "field `{name}` of `{}` has the plain type `{ty}`, but every field of a \
             `#[derive(Secret)]` struct must be secret or marked public: {fix}, or mark \
             it `#[secret(public)]` if its value is public",
            input.ident
        ),
    )
}
