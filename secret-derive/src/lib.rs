//! `#[derive(Secret)]`: secrecy that propagates through structs.
//!
//! Use it through `secret-core` with its `derive` feature; the generated code names only
//! `::secret_core::...` and `::core::...` paths, so no other dependency is needed.
//!
//! ```
//! use secret_core::{CtEq, CtSelect, Secret, SecretBool};
//!
//! #[derive(Secret)] // the derive macro, imported together with the type of the same name
//! #[secret(declassify = KeypairPlain)]
//! struct Keypair {
//!     sk: Secret<[u8; 32]>,
//!     counter: Secret<u64>,
//!     #[secret(public)]
//!     pk: [u8; 32],
//! }
//!
//! let a = Keypair { sk: Secret::new([7; 32]), counter: Secret::new(1), pk: [1; 32] };
//! let b = Keypair { sk: Secret::new([9; 32]), counter: Secret::new(1), pk: [1; 32] };
//!
//! // Constant-time equality: every field is compared, the results are ANDed.
//! assert!(!a.ct_eq(&b).declassify());
//!
//! // Constant-time selection, field by field.
//! let chosen = Keypair::ct_select(&SecretBool::new(false), &a, &b);
//! assert!(chosen.ct_eq(&b).declassify());
//!
//! // Debug never prints a secret value.
//! assert_eq!(
//!     format!("{chosen:?}"),
//!     "Keypair { sk: <redacted>, counter: <redacted>, pk: <public> }"
//! );
//!
//! // The explicit, greppable way out: a public twin with the same field names.
//! let plain: KeypairPlain = chosen.declassify();
//! assert_eq!(plain, KeypairPlain { sk: [9; 32], counter: 1, pk: [1; 32] });
//! ```
//!
//! # What is generated
//!
//! On a struct with named fields, a tuple struct, or a generic struct (where-clauses included),
//! `#[derive(Secret)]` implements:
//!
//! - `secret_core::CtEq`: the AND, with `&` and never a short-circuiting `&&`, of every field's
//!   `ct_eq`, so the time taken never depends on which field differs.
//! - `secret_core::CtSelect`: field-wise `ct_select`.
//! - `zeroize::Zeroize` (via `secret_core::zeroize`): zeroizes every secret field.
//! - `zeroize::ZeroizeOnDrop`. No `Drop` impl is generated: every secret field must itself be
//!   `ZeroizeOnDrop` (as `Secret<T>`, `SecretBool`, arrays of them and other structs deriving
//!   `Secret` are), which is checked at compile time, so dropping the struct wipes each field.
//!   This is what lets `declassify(self)` move the fields out without `unsafe`.
//! - `core::fmt::Debug`, redacted: it prints the struct and field names, with `<redacted>` for
//!   secret fields and `<public>` for public ones. It never prints a value.
//!
//! Structs that nest other structs deriving `Secret` work: the inner struct is itself secret.
//!
//! # Rules
//!
//! 1. **Every field is secret or marked public.** A secret field's type implements
//!    `CtEq + CtSelect + Zeroize + ZeroizeOnDrop`: `Secret<T>`, `SecretBool`, arrays and tuples
//!    of them, and other structs deriving `Secret`. A field whose value is public carries
//!    `#[secret(public)]`. An unmarked plain field (`u32`, `bool`, `[u8; 32]`, `Vec<u8>`,
//!    references, ...) is a compile error that names the field and suggests its secret form
//!    (`Secret<u32>`, `SecretBool`, `Secret<[u8; 32]>`) or `#[secret(public)]`. Any other field
//!    type lacking one of the four traits is a compile error, pointing at the field, that names
//!    the field and the traits.
//! 2. **Public fields** must be `Clone + PartialEq`. They are never secret, so:
//!    - in `ct_eq` they are compared with `PartialEq` (`==` on public data leaks nothing) and the
//!      result is ANDed in as `SecretBool::new(a == b)`;
//!    - in `ct_select` both operands must have equal public fields (compared with `==`). If they
//!      differ, `ct_select` panics with a message naming the field: that panic depends only on
//!      public data. The result takes the public fields from `if_true` (cloned);
//!    - `zeroize` leaves them as they are, and `Debug` shows them as `<public>`.
//! 3. **No leaking derives alongside.** `PartialEq`, `Eq`, `PartialOrd`, `Ord`, `Hash`, `Copy`
//!    and `Debug` next to `#[derive(Secret)]` are refused: a struct of secrets gets `ct_eq`, not
//!    `==`; it is never implicitly copied; and its `Debug` is the redacted one. `Clone` is
//!    allowed. A derive macro only sees the `#[derive(...)]` attributes written *after* its own,
//!    so a refused derive there gets an error saying why, pointing at it. Derives in the same
//!    list or in earlier attributes are caught another way: the generated code also asserts that
//!    the struct implements none of `Copy`, `PartialEq` and `Hash` (an error naming, e.g.,
//!    `SecretStructsMustNotBeCopy`). Besides, with any secret field these derives cannot compile,
//!    as secret types implement none of them, and a second `Debug` impl conflicts with ours.
//! 4. **Structs only.** Enums are refused: the discriminant of a secret enum would be secret,
//!    and matching on it cannot be done in constant time. Unions are refused too.
//!    `#[repr(packed)]` is refused because every field is borrowed.
//! 5. **Generics.** A field whose type mentions a generic parameter (`T`, `Secret<T>`,
//!    `[T; N]`, `&'a str`) gets no compile-time assertion; instead each generated impl is bounded
//!    on what it needs from that field type (`T: CtEq` for `CtEq`, `T: ZeroizeOnDrop` for
//!    `ZeroizeOnDrop`, ...). So `Wrapper<Secret<u32>>` is secret, while `Wrapper<u32>` simply
//!    has none of the traits. Where-clauses on the struct are carried onto every impl.
//!
//! # Declassifying a whole struct
//!
//! `#[secret(declassify = NamePlain)]` on the struct also generates:
//!
//! - a public twin `NamePlain` with the same visibility, generics, field names (or tuple shape)
//!   and field visibilities, where each secret field of type `F` becomes
//!   `<F as secret_core::Declassify>::Public` (`Secret<T>` becomes `T`, `SecretBool` becomes
//!   `bool`, a nested struct its own twin) and public fields keep their type. Field doc comments
//!   are carried over. The twin implements `Debug`, `Clone`, `PartialEq` and `Eq` whenever all
//!   its field types do (like a derive that bounds field types rather than parameters; so a
//!   public `f64` field leaves the twin without `Eq` rather than failing to compile). Every
//!   secret field must implement `Declassify`, else a compile error names the field;
//! - `impl Name { pub fn declassify(self) -> NamePlain }`, the explicit, greppable way out;
//! - `impl secret_core::Declassify for Name { type Public = NamePlain; .. }`, so structs with
//!   twins nest inside other structs with twins.
//!
//! # Attributes
//!
//! - On the struct: `#[secret(declassify = NamePlain)]`.
//! - On a field: `#[secret(public)]`.
//!
//! Anything else inside `#[secret(...)]` is a compile error.
#![forbid(unsafe_code)]

mod attr;
mod check;
mod expand;

use proc_macro::TokenStream;

/// Derives `CtEq`, `CtSelect`, `Zeroize`, `ZeroizeOnDrop` and a redacted `Debug` for a struct
/// of secrets; see the [crate documentation](crate) for the rules and the generated code.
///
/// Helper attribute: `#[secret(declassify = NamePlain)]` on the struct, `#[secret(public)]` on
/// fields whose values are public.
#[proc_macro_derive(Secret, attributes(secret))]
pub fn derive_secret(input: TokenStream) -> TokenStream {
    let input = syn::parse_macro_input!(input as syn::DeriveInput);
    expand::expand(&input)
        .unwrap_or_else(syn::Error::into_compile_error)
        .into()
}
