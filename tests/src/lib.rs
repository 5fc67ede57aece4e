//! Integration tests for secret-core and secret-derive live in `tests/`; compile-fail cases in
//! `ui/`. This library is empty on purpose: the package exists only to hold them.
