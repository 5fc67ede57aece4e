#!/usr/bin/env bash
# Performance of secret-core against plain code on Cortex-M, at the opt-levels firmware is built
# with: builds the `perf` firmware (src/bin/perf.rs; fat LTO, one codegen unit) at each
# opt-level, runs it under QEMU through the runner in .cargo/config.toml
# (`-icount shift=10,align=off,sleep=off`: SysTick counts instructions exactly), saves its
# output and the symbol sizes (`nm -S`) of the `perf_*` wrappers, and hands them to
# `cargo xtask perf-report` (xtask/src/perf_report.rs), which prints per target one ratio table
# across the opt-levels and one table of counts and code sizes:
#
#   ./perf.sh                       # tables; M4F, M0 and M3 at opt-levels 3, s and z
#   ./perf.sh --check               # and fail if a count grew against perf-baseline.txt (CI)
#   ./perf.sh --update              # and rewrite perf-baseline.txt (commit it, say why)
#   TARGETS="thumbv6m-none-eabi" OPT_LEVELS="s" ./perf.sh
#   RUN_TIMEOUT=120 ./perf.sh       # seconds per QEMU run (default 60)
#   NM=llvm-nm ./perf.sh            # symbol sizes with another nm (default: GNU nm)
#
# Opt-level 3 builds into the usual target directory (run-all.sh's build is reused); "s" and
# "z" into target/opt-s and target/opt-z (CARGO_PROFILE_RELEASE_OPT_LEVEL), so switching does
# not rebuild. Sizes are the symbol sizes, literal pools included; out-of-line callees
# (compiler-builtins' __aeabi_lmul, __aeabi_uldivmod, subtle's black_box) are not counted.
#
# Exits non-zero if a tool or a rustup target is missing, a build fails, QEMU fails or times
# out, the firmware reports a mismatch between a secret-core result and its comparator's, or
# (--check) a count grew. Nothing is skipped. Logs go to target/perf/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"

TARGETS="${TARGETS:-thumbv7em-none-eabihf thumbv6m-none-eabi thumbv7m-none-eabi}"
OPT_LEVELS="${OPT_LEVELS:-3 s z}"
RUN_TIMEOUT="${RUN_TIMEOUT:-60}"
NM="${NM:-nm}"
OBJDUMP="${OBJDUMP:-llvm-objdump}"
BASELINE="$here/perf-baseline.txt"
logs="$CARGO_TARGET_DIR/perf"
mkdir -p "$logs"

report_args=()
case "${1:-}" in
    "") ;;
    --check) report_args=(--check "$BASELINE") ;;
    --update) report_args=(--update "$BASELINE") ;;
    *)
        echo "usage: ./perf.sh [--check | --update] (unknown argument '$1')" >&2
        exit 2
        ;;
esac

# --- Tools and rustup targets: a missing one is an error with the command that installs it. ---
# shellcheck source=preflight.sh
. "$here/preflight.sh"
require_tools cargo rustc qemu-system-arm timeout "$NM"
case " $TARGETS" in
    *" thumbv7m-"*) require_tools "$OBJDUMP" ;;
esac
# shellcheck disable=SC2086 # one word per target
require_targets $TARGETS

echo "qemu: $(qemu-system-arm --version | head -1)"
echo "rustc: $(rustc --version)"
echo "nm: $(command -v "$NM") ($("$NM" --version | head -1))"
echo

failures=0
for opt in $OPT_LEVELS; do
    case "$opt" in
        3) dir="$CARGO_TARGET_DIR" ;;
        0 | 1 | 2 | s | z) dir="$CARGO_TARGET_DIR/opt-$opt" ;;
        *)
            echo "error: OPT_LEVELS: '$opt' is not an opt-level (0, 1, 2, 3, s, z)" >&2
            exit 2
            ;;
    esac
    for t in $TARGETS; do
        build_log="$logs/$t-opt$opt-build.log"
        echo "perf: $t opt-level $opt"
        if ! CARGO_TARGET_DIR="$dir" CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt" \
            cargo build --release --target "$t" --bin perf >"$build_log" 2>&1; then
            tail -20 "$build_log" >&2
            echo "error: building perf for $t at opt-level $opt failed (log $build_log)" >&2
            exit 1
        fi
        log="$logs/$t-opt$opt.log"
        rc=0
        # `cargo run` execs the runner (QEMU), so `timeout` signals QEMU itself.
        CARGO_TARGET_DIR="$dir" CARGO_PROFILE_RELEASE_OPT_LEVEL="$opt" \
            timeout -k 5 "$RUN_TIMEOUT" cargo run -q --release --target "$t" --bin perf \
            >"$log" 2>&1 </dev/null || rc=$?
        if [ "$rc" != 0 ] || ! grep -q '^perf: PASS' "$log"; then
            cat "$log" >&2
            case "$rc" in
                124 | 137) echo "error: perf on $t (opt-level $opt) timed out after ${RUN_TIMEOUT}s (log $log)" >&2 ;;
                *) echo "error: perf on $t (opt-level $opt) failed (exit code $rc): a check failed or a secret-core result differs from its comparator's (log $log)" >&2 ;;
            esac
            failures=$((failures + 1))
            continue
        fi
        "$NM" -S --defined-only "$dir/$t/release/perf" >"$logs/$t-opt$opt.nm"
        case "$t" in
            thumbv7m-*) "$OBJDUMP" -d --no-show-raw-insn "$dir/$t/release/perf" >"$logs/$t-opt$opt.dis" ;;
        esac
    done
done
if [ "$failures" != 0 ]; then
    echo "error: perf failed on $failures build(s); logs in $logs" >&2
    exit 1
fi
echo

# Tables (and the baseline check) in Rust, built for the host from the parent workspace.
cd "$here/.."
env -u CARGO_TARGET_DIR cargo run -q -p xtask -- perf-report --logs "$logs" \
    --targets "$TARGETS" --opt-levels "$OPT_LEVELS" "${report_args[@]}"
