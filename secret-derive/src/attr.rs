//! Parsing of the `#[secret(...)]` helper attribute, on the struct and on its fields.

use syn::{Attribute, Field, Ident, Token};

/// Arguments of `#[secret(...)]` on the struct itself.
#[derive(Default)]
pub(crate) struct ContainerAttrs {
    /// `#[secret(declassify = NamePlain)]`: the name of the public twin to generate.
    pub(crate) declassify: Option<Ident>,
}

/// The helper attributes of the struct: only `declassify = Name` is accepted there.
pub(crate) fn container(attrs: &[Attribute]) -> syn::Result<ContainerAttrs> {
    let mut out = ContainerAttrs::default();
    let mut errors = Errors::default();
    for attr in attrs.iter().filter(|a| a.path().is_ident("secret")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("declassify") {
                if !meta.input.peek(Token![=]) {
                    return Err(meta.error(
                        "`declassify` needs the name of the public twin struct: \
                         `#[secret(declassify = NamePlain)]`",
                    ));
                }
                let value = meta.value()?;
                let name: Ident = value.parse().map_err(|e| {
                    syn::Error::new(
                        e.span(),
                        "expected the name of the public twin struct, as in \
                         `#[secret(declassify = NamePlain)]`",
                    )
                })?;
                if out.declassify.is_some() {
                    return Err(syn::Error::new_spanned(
                        &meta.path,
                        "`declassify` given twice: a struct has at most one public twin",
                    ));
                }
                out.declassify = Some(name);
                Ok(())
            } else if meta.path.is_ident("public") {
                Err(meta.error(
                    "`#[secret(public)]` marks a field, not the struct: put it on each field \
                     whose value is public",
                ))
            } else {
                Err(meta.error(format!(
                    "unknown `secret` attribute argument `{}` on a struct; expected \
                     `declassify = NamePlain`",
                    path_text(&meta.path)
                )))
            }
        });
        errors.push(result.err());
    }
    errors.finish().map(|()| out)
}

/// Whether a field carries `#[secret(public)]`; anything else inside `#[secret(...)]` is an error.
pub(crate) fn field_is_public(field: &Field) -> syn::Result<bool> {
    let mut public = false;
    let mut errors = Errors::default();
    for attr in field.attrs.iter().filter(|a| a.path().is_ident("secret")) {
        let result = attr.parse_nested_meta(|meta| {
            if meta.path.is_ident("public") {
                if public {
                    return Err(meta.error("`public` given twice on the same field"));
                }
                public = true;
                Ok(())
            } else if meta.path.is_ident("declassify") {
                Err(meta.error(
                    "`declassify = NamePlain` names the public twin of the whole struct: put it \
                     on the struct, not on a field",
                ))
            } else {
                Err(meta.error(format!(
                    "unknown `secret` attribute argument `{}` on a field; expected `public`",
                    path_text(&meta.path)
                )))
            }
        });
        errors.push(result.err());
    }
    errors.finish().map(|()| public)
}

fn path_text(path: &syn::Path) -> String {
    let text = quote::quote!(#path).to_string();
    text.replace(' ', "")
}

/// Collects several errors so that one expansion reports all of them at once.
#[derive(Default)]
pub(crate) struct Errors(Option<syn::Error>);

impl Errors {
    pub(crate) fn push(&mut self, error: Option<syn::Error>) {
        if let Some(error) = error {
            match &mut self.0 {
                Some(all) => all.combine(error),
                None => self.0 = Some(error),
            }
        }
    }

    pub(crate) fn finish(self) -> syn::Result<()> {
        match self.0 {
            Some(error) => Err(error),
            None => Ok(()),
        }
    }
}
