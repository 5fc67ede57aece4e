#!/usr/bin/env bash
# Builds every firmware example for the four Cortex-M targets, runs each under QEMU
# (semihosting exit code = verdict), prints a target × example table and exits non-zero if
# anything failed, timed out, did not build, or if a tool or a rustup target is missing.
# Nothing is ever skipped.
#
#   ./run-all.sh                      # all targets, all examples
#   TARGETS="thumbv6m-none-eabi" EXAMPLES="field_mul" ./run-all.sh
#   RUN_TIMEOUT=120 ./run-all.sh      # seconds per QEMU run (default 60)
#
# `dudect` measures on the device with SysTick; the runners in .cargo/config.toml pass
# `-icount shift=10,align=off,sleep=off` (to every example: it costs nothing measurable), so
# SysTick counts instructions deterministically.
#
# `perf` counts instructions of secret-core workloads against plain code the same way and checks
# that their results agree; ./perf.sh turns its output into tables (README, "Performance").
#
# `wipe_stack_oversize` must FAIL in one way: asked for a stack-wipe budget 8 bytes larger than
# the free stack, `with_clean_stack_bare` refuses it (exit code 1) with the message below, instead
# of hanging or faulting; any other outcome fails the run.
#
# `key_struct-noderive` is key_struct built with --no-default-features: the hand-written
# CtEq/CtSelect/Zeroize impls instead of #[derive(secret_core::Secret)].
set -u -o pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"

TARGETS="${TARGETS:-thumbv6m-none-eabi thumbv7m-none-eabi thumbv7em-none-eabihf thumbv8m.main-none-eabihf}"
EXAMPLES="${EXAMPLES:-chacha20 mac_check key_struct field_mul wipe_stack wipe_stack_oversize key_struct-noderive dudect perf}"
RUN_TIMEOUT="${RUN_TIMEOUT:-60}"
logs="$CARGO_TARGET_DIR/run-all"
mkdir -p "$logs"

start=$(date +%s)

# --- Tools and rustup targets: a missing one is an error with the command that installs it. ---
# shellcheck source=preflight.sh
. "$here/preflight.sh"
require_tools cargo rustc qemu-system-arm timeout
# shellcheck disable=SC2086 # one word per target
require_targets $TARGETS

# --- Every requested example must exist (a typo must not turn into a silent skip). ---
for ex in $EXAMPLES; do
    bin="${ex%-noderive}"
    if [ ! -f "src/bin/$bin.rs" ]; then
        echo "error: unknown example '$ex' (no src/bin/$bin.rs)" >&2
        exit 2
    fi
done

echo "qemu: $(qemu-system-arm --version | head -1)"
echo "rustc: $(rustc --version)"
echo "timeout per run: ${RUN_TIMEOUT}s; logs: $logs"
echo

declare -A result
failures=0

# cargo build for one target and feature set; prints a word for the table on failure.
build() { # target, extra cargo args...
    local t="$1"
    shift
    local log="$logs/$t-build$*.log"
    log="${log// /}"
    if cargo build --release --target "$t" --bins "$@" >"$log" 2>&1; then
        return 0
    fi
    echo "--- build failed: $t $* (log $log)" >&2
    tail -20 "$log" >&2
    return 1
}

# The examples that pass by failing: the exit code and the message (an extended regex) they
# must end with.
declare -A expect_rc=([wipe_stack_oversize]=1)
declare -A expect_msg=(
    [wipe_stack_oversize]="with_clean_stack_bare: a stack budget of [0-9]+ bytes does not fit: .* bytes are free here; pass at most [0-9]+"
)

# Runs one example through its cargo runner (QEMU); sets result[target,example].
run() { # target, example, extra cargo args...
    local t="$1" ex="$2"
    shift 2
    local bin="${ex%-noderive}"
    local log="$logs/$t-$ex.log"
    local rc=0
    # `cargo run` execs the runner (QEMU), so `timeout` signals QEMU itself.
    timeout -k 5 "$RUN_TIMEOUT" cargo run -q --release --target "$t" --bin "$bin" "$@" \
        >"$log" 2>&1 </dev/null || rc=$?
    if [ -n "${expect_rc[$ex]:-}" ]; then
        if [ "$rc" = "${expect_rc[$ex]}" ] && grep -Eq "${expect_msg[$ex]}" "$log"; then
            result["$t,$ex"]="pass(refused)"
            return
        fi
        result["$t,$ex"]="FAIL(rc=$rc)"
    elif [ "$rc" = 0 ] && grep -q "^$bin: PASS" "$log"; then
        result["$t,$ex"]="pass"
        return
    elif [ "$rc" = 0 ]; then
        result["$t,$ex"]="FAIL(noPASS)"
    elif [ "$rc" = 124 ] || [ "$rc" = 137 ]; then
        result["$t,$ex"]="TIMEOUT"
    else
        result["$t,$ex"]="FAIL(rc=$rc)"
    fi
    failures=$((failures + 1))
    echo "--- $t $ex: ${result["$t,$ex"]} (log $log)" >&2
    tail -15 "$log" >&2
}

for t in $TARGETS; do
    echo "== $t"
    built=0
    build "$t" && built=1
    built_nd=-1
    for ex in $EXAMPLES; do
        if [ "$ex" != "${ex%-noderive}" ]; then
            if [ "$built_nd" = -1 ]; then
                built_nd=0
                build "$t" --no-default-features && built_nd=1
            fi
            if [ "$built_nd" = 1 ]; then
                run "$t" "$ex" --no-default-features
            else
                result["$t,$ex"]="BUILD-FAIL"
                failures=$((failures + 1))
            fi
        elif [ "$built" = 1 ]; then
            run "$t" "$ex"
        else
            result["$t,$ex"]="BUILD-FAIL"
            failures=$((failures + 1))
        fi
        printf '   %-22s %s\n' "$ex" "${result["$t,$ex"]}"
    done
done

# --- The table. ---
echo
printf '%-27s' "target \\ example"
for ex in $EXAMPLES; do printf ' %-20s' "$ex"; done
echo
for t in $TARGETS; do
    printf '%-27s' "$t"
    for ex in $EXAMPLES; do printf ' %-20s' "${result["$t,$ex"]}"; done
    echo
done
echo
elapsed=$(($(date +%s) - start))
total=$(($(echo $TARGETS | wc -w) * $(echo $EXAMPLES | wc -w)))
if [ "$failures" = 0 ]; then
    echo "all $total runs passed in ${elapsed}s"
    exit 0
fi
echo "$failures of $total runs FAILED (${elapsed}s); logs in $logs" >&2
exit 1
