// Widening a secret with `.into()`: no guard can hook this error (a `From<Secret<U>> for
// Secret<T>` guard would overlap core's `From<T> for T`), so `.cast::<U>()` is named only in
// the comment of `Secret`'s `From<T>` impl, which rustc prints.
use secret_core::Secret;

fn main() {
    let narrow = Secret::new(5u32);
    let _wide: Secret<u64> = narrow.into();
}
