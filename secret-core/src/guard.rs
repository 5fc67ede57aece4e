//! Compile-time guards: the misuses of a secret that do not compile, and what rustc says.
//!
//! | you write | rustc's error (first line) | the replacement it names |
//! |---|---|---|
//! | `a == b`, `a != b` (secrets, `SecretBool`s) | secrets cannot be compared with `==` or `!=` | `ct_eq`, `ct_ne`, `ct_eq_public`; `declassify()` the verdict |
//! | `a < b`, `<=`, `>`, `>=` | secrets cannot be ordered with `<`, ... | `ct_lt`, `ct_le`, `ct_gt`, `ct_ge`, `ct_lt_public`, ..., `ct_min`/`ct_max` |
//! | `a / b`, `a % 7` | secrets cannot be divided with `/` or `%` | `ct_div_rem` |
//! | `println!("{}", s)`, `{:x}`, `{:b}`, `{:o}`, `{:e}` | secrets cannot be printed | `{:?}` (redacted), `declassify()` |
//! | a `Secret` as a `HashMap` key | secrets cannot be compared ...; secrets cannot be hashed ... | `ct_lookup`, `ct_eq` |
//! | `let x: u32 = s.into()`, `u32::from(s)`, `let b: bool = flag.into()` | a secret cannot be turned into a plain `u32` | `declassify()`; `.cast::<U>()` for another width |
//! | `key[3]` on a `Secret<[u8; 32]>` | a secret cannot be indexed with `[]` | `.get(i)`, `.set(i, v)`, `.ct_get(&i)`, `.sub_array::<M>(offset)` |
//! | `x.ct_eq(&0)`, `g4.ct_lt(&(1 << 26))` | `{integer}` is not a `Secret<u32>` | the `_public` forms (`ct_eq_public`, ...) |
//! | `wide.ct_eq(&narrow)` | `Secret<u32>` is not a `Secret<u64>` | `.cast::<u64>()` |
//! | `wide + narrow`, `wide + 7u32` | `Secret<u32>` cannot be the right operand of an operator on `Secret<u64>` | `.cast::<u64>()`, `as u64` |
//! | `c.select_public(&wide, &1u32)` | `u32` cannot be a side of `select_public` producing `Secret<u64>` | `.cast::<u64>()` |
//! | `sbox[secret]`, `vec[secret]` | the type `[u8]` cannot be indexed by `Secret<usize>` (the standard library's) | `ct_lookup`: only in the listed guard impl's line, see below |
//! | `Secret::<u32>::from_le_bytes(m[0..4].try_into().unwrap())` | the trait bound `&Secret<[u8; 4]>: TryFrom<&[u8]>` is not satisfied | `Secret::new(u32::from_le_bytes(..))`, `.sub_array::<4>(i)`: only in the listed guard impl's line |
//! | `if flag`, `if a.ct_eq(&b)` | mismatched types: expected `bool`, found `SecretBool` | none: rustc has no hook here; use `select` or `declassify()` |
//! | `let w: Secret<u64> = narrow.into()` | the trait bound `Secret<u64>: From<Secret<u32>>` is not satisfied | `.cast::<U>()`: only in the listed impl's line ("but trait `From<u64>` is implemented") |
//! | `s as u32`, `*s`, `s.value` | non-primitive cast; cannot be dereferenced; private field | none: `declassify()` |
//! | passing a secret where `Copy` is needed, using it after a move | `Copy` is not implemented; use of moved value (rustc suggests `.clone()`) | `clone()`, or pass `&a` |
//!
//! Each row is pinned by a trybuild case in the repository (`tests/ui/fail/`), compiled with
//! the pinned toolchain (`pinned-toolchain.toml`); other compiler versions word some lines
//! differently.
//!
//! # How
//!
//! Leaving a trait unimplemented gives a generic compiler error, so instead each guarded
//! trait is "implemented" under a bound that can never hold, `(): UseXInstead<..>`, whose
//! `#[diagnostic::on_unimplemented]` message names the replacement. The bound is on `()` on
//! purpose: rustc reports the *outer* trait's message (`can't compare ...`) when the unmet
//! bound's self type equals the type the outer trait was asked of, and the unmet bound's own
//! message otherwise; `()` never equals a secret, an index or a plain integer. Every guard
//! trait has a sealed supertrait that no other crate can name, so no crate can implement a
//! guard and make a guarded operation reachable.
//!
//! Where two impls could apply (`[T]: Index<I>` is the standard library's for every `I`,
//! `TryFrom<U>` has a blanket impl), rustc reports the standard library's message and lists
//! the candidate impls, ours included; the guard's where clause carries a comment naming the
//! replacement, which rustc prints with it. Widening with `into()` gets the same treatment on
//! `Secret`'s own `From<T>` impl, the one rustc shows: a `From<Secret<U>> for Secret<T>` guard
//! would overlap core's `From<T> for T`. `if` on a `SecretBool` and `as` consult no trait at
//! all.

#[cfg(feature = "alloc")]
extern crate alloc;

use crate::Secret;
use core::fmt;
use zeroize::Zeroize;

/// The sealed supertrait of every guard (a private module: nothing outside can name it).
mod sealed {
    /// Implemented only for `()` with the uninhabited `Unreachable` below, so no crate can
    /// implement a guard trait for anything usable. Generic, like the guards, so that a bound
    /// on it is never a trivially false bound (which rustc rejects at the impl instead of at
    /// the misuse).
    pub trait Never<X: ?Sized> {}
}

use sealed::Never;

/// A type with no values, private to this module. The guards of the comparison and division
/// operators are implemented for it alone: while rustc checks `secret == x` it does not yet
/// know `x`'s type, and a guard with no implementation at all would fail right there, which
/// rustc reports as "binary operation `==` cannot be applied" without the guard's message.
/// With two unusable implementations (one would be picked for `x`'s type) the guard stays undecided until `x`'s type is known,
/// and then fails with its own message. Nothing can be compared with or divided by an
/// `Unreachable`: no value of it exists, and no other module can name it.
enum Unreachable {}

macro_rules! undecided_until_rhs_known {
    ($($guard:ident),*) => {$(
        #[diagnostic::do_not_recommend]
        impl $guard<Unreachable> for () {}
        #[diagnostic::do_not_recommend]
        impl $guard<(Unreachable,)> for () {}
    )*};
}

undecided_until_rhs_known!(Never, UseCtEqInstead, UseCtLtInstead, UseCtDivRemInstead);

/// Implemented only for a type without values: makes `secret == secret` (and `!=`) a compile error that points at
/// `ct_eq`.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be compared with `==` or `!=`: it would branch on the secret",
    label = "no `==` on secrets",
    note = "use `a.ct_eq(&b)` / `a.ct_ne(&b)` (`a.ct_eq_public(&x)` for a public `x`), which return a `SecretBool`; `declassify()` it only if the verdict may be public"
)]
pub trait UseCtEqInstead<Rhs: ?Sized>: Never<Rhs> {}

/// Implemented only for a type without values: makes `secret < secret` a compile error that points at `ct_lt`.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be ordered with `<`, `<=`, `>`, `>=`: it would branch on the secret",
    label = "no `<` on secrets",
    note = "use `a.ct_lt(&b)`, `ct_le`, `ct_gt`, `ct_ge` (`a.ct_lt_public(&x)` ... for a public `x`), which return a `SecretBool`, or `ct_min`/`ct_max`"
)]
pub trait UseCtLtInstead<Rhs: ?Sized>: UseCtEqInstead<Rhs> {}

/// Never implemented: makes printing a secret with `{}`, `{:x}`, `{:b}`, ... a compile error.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be printed",
    label = "a `Secret<{T}>` has no `Display`, `LowerHex`, ...",
    note = "`{{:?}}` prints a redacted form; to print the value, `declassify()` it first (and be sure it may be public)"
)]
pub trait DeclassifyBeforePrinting<T: ?Sized>: Never<T> {}

/// Never implemented: makes hashing a secret a compile error.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be hashed or used as map keys: a hash table keyed by a secret leaks it through timing",
    label = "a `Secret<{T}>` has no `Hash` or `Eq`",
    note = "look secrets up with `ct_lookup` or compare them with `ct_eq`; `declassify()` a key only if it may be public"
)]
pub trait SecretsCannotBeHashed<T: ?Sized>: Never<T> {}

/// Implemented only for a type without values: makes `secret / x` and `secret % x` compile errors.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be divided with `/` or `%`: hardware division takes operand-dependent time (KyberSlash)",
    label = "no `/` or `%` on secrets",
    note = "use `a.ct_div_rem(&b)`, which returns `(quotient, remainder)` in constant time (for a public divisor too: `a.ct_div_rem(&Secret::new(7))`)"
)]
pub trait UseCtDivRemInstead<Rhs: ?Sized>: Never<Rhs> {}

/// Never implemented: makes `let x: u32 = secret.into()` and `u32::from(secret)` compile
/// errors that point at `declassify`.
#[diagnostic::on_unimplemented(
    message = "a secret cannot be turned into a plain `{Plain}` with `into()` or `from()`",
    label = "`declassify()` is the way out",
    note = "call `.declassify()`: the one explicit, greppable way out (only for values that may become public); to change the width of a secret, `.cast::<U>()`"
)]
pub trait UseDeclassifyInstead<Plain: ?Sized, Value: ?Sized>: Never<Value> {}

/// Never implemented: makes `key[3]` on a `Secret<[T; N]>` a compile error.
#[diagnostic::on_unimplemented(
    message = "a secret cannot be indexed with `[]`: that would hand out a plain reference to a secret element",
    label = "use `.get(i)`",
    note = "use `.get(i)` / `.set(i, v)` for a public position, `.ct_get(&i)` for a secret one, `.sub_array::<M>(offset)` for a range of a byte array"
)]
pub trait UseGetInstead<Idx: ?Sized>: Never<Idx> {}

/// Never implemented: makes indexing a table with a secret a compile error.
#[diagnostic::on_unimplemented(
    message = "a table cannot be indexed by a secret: the memory address would depend on it",
    label = "secret index",
    note = "use `ct_lookup(&table, &index)`, which reads every entry; on a `Secret<[T; N]>`, `.ct_get(&index)`"
)]
pub trait UseCtLookupInstead<Idx: ?Sized>: Never<Idx> {}

/// Never implemented: makes `try_into()` from a byte slice to `&Secret<[u8; N]>` a compile
/// error (what `Secret::<u32>::from_le_bytes(m[0..4].try_into().unwrap())` asks for).
#[diagnostic::on_unimplemented(
    message = "a `&[u8]` cannot become a `&Secret<[u8; {N}]>`: secret bytes are a `Secret` already, public bytes must be classified",
    label = "public bytes",
    note = "for public bytes, classify the integer: `Secret::new(u32::from_le_bytes(m[0..4].try_into().unwrap()))`; for part of a secret array, `Secret::<u32>::from_le_bytes(&key.sub_array::<4>(offset))`"
)]
pub trait ClassifyOrSubArrayInstead<const N: usize>: Never<[u8; N]> {}

impl<T: Zeroize, R> PartialEq<R> for Secret<T>
where
    (): UseCtEqInstead<R>,
{
    fn eq(&self, _: &R) -> bool {
        unreachable!("no value of the only type UseCtEqInstead is implemented for exists")
    }
}

impl<T: Zeroize> Eq for Secret<T> where (): UseCtEqInstead<Secret<T>> {}

impl<T: Zeroize, R> PartialOrd<R> for Secret<T>
where
    (): UseCtLtInstead<R>,
{
    fn partial_cmp(&self, _: &R) -> Option<core::cmp::Ordering> {
        unreachable!("no value of the only type UseCtLtInstead is implemented for exists")
    }
}

macro_rules! guard_fmt {
    ($($trait:ident),*) => {$(
        impl<T: Zeroize> fmt::$trait for Secret<T>
        where
            (): DeclassifyBeforePrinting<T>,
        {
            fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
                unreachable!("DeclassifyBeforePrinting is never implemented")
            }
        }
    )*};
}

guard_fmt!(Display, LowerHex, UpperHex, Binary, Octal, LowerExp, UpperExp);

impl<T: Zeroize> core::hash::Hash for Secret<T>
where
    (): SecretsCannotBeHashed<T>,
{
    fn hash<H: core::hash::Hasher>(&self, _: &mut H) {
        unreachable!("SecretsCannotBeHashed is never implemented")
    }
}

impl<T: Zeroize, R> core::ops::Div<R> for Secret<T>
where
    (): UseCtDivRemInstead<R>,
{
    type Output = Secret<T>;
    fn div(self, _: R) -> Secret<T> {
        unreachable!("no value of the only type UseCtDivRemInstead is implemented for exists")
    }
}

impl<T: Zeroize, R> core::ops::Rem<R> for Secret<T>
where
    (): UseCtDivRemInstead<R>,
{
    type Output = Secret<T>;
    fn rem(self, _: R) -> Secret<T> {
        unreachable!("no value of the only type UseCtDivRemInstead is implemented for exists")
    }
}

macro_rules! guard_into_plain {
    ($($t:ty),*) => {$(
        #[doc(hidden)]
        impl<T: Zeroize> From<Secret<T>> for $t
        where
            (): UseDeclassifyInstead<$t, T>,
        {
            fn from(_: Secret<T>) -> $t {
                unreachable!("UseDeclassifyInstead is never implemented")
            }
        }
    )*};
}

guard_into_plain!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, bool);

#[doc(hidden)]
impl From<crate::SecretBool> for bool
where
    for<'a> &'a (): UseDeclassifyInstead<bool, crate::SecretBool>,
{
    fn from(_: crate::SecretBool) -> bool {
        unreachable!("UseDeclassifyInstead is never implemented")
    }
}

impl<R> PartialEq<R> for crate::SecretBool
where
    (): UseCtEqInstead<R>,
{
    fn eq(&self, _: &R) -> bool {
        unreachable!("no value of the only type UseCtEqInstead is implemented for exists")
    }
}

impl<T: Zeroize, I> core::ops::Index<I> for Secret<T>
where
    (): UseGetInstead<I>,
{
    type Output = T;
    fn index(&self, _: I) -> &T {
        unreachable!("UseGetInstead is never implemented")
    }
}

impl<T, I: Zeroize> core::ops::Index<Secret<I>> for [T]
where
    I: UseCtLookupInstead<I>, // no `table[secret]`: use `ct_lookup(&table, &secret)`
{
    type Output = T;
    fn index(&self, _: Secret<I>) -> &T {
        unreachable!("UseCtLookupInstead is never implemented")
    }
}

#[cfg(feature = "alloc")]
impl<T, I: Zeroize> core::ops::Index<Secret<I>> for alloc::vec::Vec<T>
where
    I: UseCtLookupInstead<I>, // no `table[secret]`: use `ct_lookup(&table, &secret)`
{
    type Output = T;
    fn index(&self, _: Secret<I>) -> &T {
        unreachable!("UseCtLookupInstead is never implemented")
    }
}

impl<'a, const N: usize> TryFrom<&'a [u8]> for &'a Secret<[u8; N]>
where
    (): ClassifyOrSubArrayInstead<N>, // public bytes: `Secret::new(u32::from_le_bytes(..))`; secret: `.sub_array::<4>(i)`
{
    type Error = core::array::TryFromSliceError;
    fn try_from(_: &'a [u8]) -> Result<Self, Self::Error> {
        unreachable!("ClassifyOrSubArrayInstead is never implemented")
    }
}
