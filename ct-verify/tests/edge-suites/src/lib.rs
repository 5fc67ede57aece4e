//! Nothing: the suites are in `benches/`.
#![no_std]
