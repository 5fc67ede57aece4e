#!/usr/bin/env bash
# The drop-time wipe in the emitted assembly of x86_64, Cortex-M0 and Cortex-M4: boxed secrets
# are zeroed before the free, the unfenced control store is deleted, register secrets cost
# nothing (xtask/src/wipe_codegen.rs does the work). Exit 0 if every check passes, 1 otherwise.
set -euo pipefail
cd "$(dirname "$0")/../.."
# Default code generation: flags from the environment would make the result machine-dependent.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS
exec cargo run --quiet --package xtask -- wipe-codegen "$@"
