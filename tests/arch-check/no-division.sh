#!/usr/bin/env bash
# No division in secret-core's primitives on Cortex-M0 and M4 at opt-level "s" and "z", where
# core's iterator code stays out of line (xtask/src/no_division.rs does the work). Exit 0 if
# every check passes, 1 if one fails, 2 if it cannot run.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Default code generation: flags from the environment would make the result machine-dependent.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
exec cargo run --quiet --package xtask -- no-division "$@"
