//! Compile-time guards: the operations a secret must not have, with messages that say what to
//! use instead.
//!
//! `Secret<T>` has no `==`, `<`, `Display`, `Hash`, `/`, `%` or conversion into a plain
//! integer, and `SecretBool` has no `==`. Leaving a trait unimplemented
//! gives a generic compiler error; instead each is "implemented" only under a bound that can
//! never hold. The unmet bound's trait is named after the fix (`UseCtEqInstead`,
//! `UseCtDivRemInstead`, ...), which is what the compiler's note shows for `==`, `<` and `/`;
//! where the compiler reports the bound itself (formatting, hashing, generic code), its
//! `#[diagnostic::on_unimplemented]` message names the constant-time replacement. The traits live in this crate and are implemented for
//! nothing, so no impl can ever apply (downstream crates cannot implement them for `Secret`
//! either: both the trait and the type are foreign to them).

use crate::Secret;
use core::fmt;
use zeroize::Zeroize;

/// Never implemented: makes `secret == secret` a compile error that points at `ct_eq`.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be compared with `==` or `!=`: it would branch on the secret",
    label = "`{Self}` has no `==`",
    note = "use `a.ct_eq(&b)` / `a.ct_ne(&b)`, which return a `SecretBool`; `declassify()` it only if the result may be public"
)]
pub trait UseCtEqInstead {}

/// Never implemented: makes `secret < secret` a compile error that points at `ct_lt`.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be ordered with `<`, `<=`, `>`, `>=`: it would branch on the secret",
    label = "`{Self}` has no `<`",
    note = "use `a.ct_lt(&b)`, `ct_le`, `ct_gt`, `ct_ge` (they return a `SecretBool`), or `ct_min`/`ct_max`"
)]
pub trait UseCtLtInstead {}

/// Never implemented: makes printing a secret with `{}` a compile error.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be printed",
    label = "`{Self}` has no `Display`",
    note = "Debug formatting prints a redacted form; to print the value, `declassify()` it first (and be sure it may be public)"
)]
pub trait DeclassifyBeforePrinting {}

/// Never implemented: makes hashing a secret a compile error.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be hashed: a hash table keyed by a secret leaks it through timing",
    label = "`{Self}` has no `Hash`"
)]
pub trait SecretsCannotBeHashed {}

/// Never implemented: makes `secret / secret` and `secret % secret` compile errors.
#[diagnostic::on_unimplemented(
    message = "secrets cannot be divided with `/` or `%`: hardware division takes operand-dependent time (KyberSlash)",
    label = "`{Self}` has no `/` or `%`",
    note = "use `a.ct_div_rem(&b)`, which returns `(quotient, remainder)` in constant time"
)]
pub trait UseCtDivRemInstead {}

impl<T: Zeroize, U: Zeroize> PartialEq<Secret<U>> for Secret<T>
where
    Secret<T>: UseCtEqInstead,
{
    fn eq(&self, _: &Secret<U>) -> bool {
        unreachable!("UseCtEqInstead is never implemented")
    }
}

impl<T: Zeroize, U: Zeroize> PartialOrd<Secret<U>> for Secret<T>
where
    Secret<T>: UseCtLtInstead + PartialEq<Secret<U>>,
{
    fn partial_cmp(&self, _: &Secret<U>) -> Option<core::cmp::Ordering> {
        unreachable!("UseCtLtInstead is never implemented")
    }
}

impl<T: Zeroize> fmt::Display for Secret<T>
where
    Secret<T>: DeclassifyBeforePrinting,
{
    fn fmt(&self, _: &mut fmt::Formatter<'_>) -> fmt::Result {
        unreachable!("DeclassifyBeforePrinting is never implemented")
    }
}

impl<T: Zeroize> core::hash::Hash for Secret<T>
where
    Secret<T>: SecretsCannotBeHashed,
{
    fn hash<H: core::hash::Hasher>(&self, _: &mut H) {
        unreachable!("SecretsCannotBeHashed is never implemented")
    }
}

impl<T: Zeroize, R> core::ops::Div<R> for Secret<T>
where
    Secret<T>: UseCtDivRemInstead,
{
    type Output = Secret<T>;
    fn div(self, _: R) -> Secret<T> {
        unreachable!("UseCtDivRemInstead is never implemented")
    }
}

impl<T: Zeroize, R> core::ops::Rem<R> for Secret<T>
where
    Secret<T>: UseCtDivRemInstead,
{
    type Output = Secret<T>;
    fn rem(self, _: R) -> Secret<T> {
        unreachable!("UseCtDivRemInstead is never implemented")
    }
}

/// Never implemented: makes `let x: u32 = secret.into()` and `u32::from(secret)` compile
/// errors that point at `declassify`.
#[diagnostic::on_unimplemented(
    message = "a secret cannot be turned into a plain value with `into()` or `from()`",
    label = "`{Self}` is secret",
    note = "call `.declassify()`: the one explicit, greppable way out (only for values that may become public)"
)]
pub trait UseDeclassifyInstead {}

macro_rules! guard_into_plain {
    ($($t:ty),*) => {$(
        impl<T: Zeroize> From<Secret<T>> for $t
        where
            Secret<T>: UseDeclassifyInstead,
        {
            fn from(_: Secret<T>) -> $t {
                unreachable!("UseDeclassifyInstead is never implemented")
            }
        }
    )*};
}

guard_into_plain!(u8, u16, u32, u64, u128, usize, i8, i16, i32, i64, i128, isize, bool);

impl<R> PartialEq<R> for crate::SecretBool
where
    R: UseCtEqInstead,
{
    fn eq(&self, _: &R) -> bool {
        unreachable!("UseCtEqInstead is never implemented")
    }
}
