#!/usr/bin/env bash
# Performance of secret-core against plain code on Cortex-M: builds the `perf` firmware
# (src/bin/perf.rs), runs it under QEMU through the runner in .cargo/config.toml
# (`-icount shift=10,align=off,sleep=off`: SysTick counts instructions exactly), reads the code
# size of every `perf_*` wrapper function (the workload, with everything inlined into it) from
# the ELF symbol table, and prints one markdown table per target:
#
#   workload | secret-core instructions | comparator instructions | ratio | secret-core bytes | comparator bytes
#
#   ./perf.sh                                   # thumbv7em-none-eabihf (M4F) and thumbv6m-none-eabi (M0)
#   TARGETS="thumbv7m-none-eabi thumbv8m.main-none-eabihf" ./perf.sh
#   RUN_TIMEOUT=120 ./perf.sh                   # seconds per QEMU run (default 60)
#   NM=llvm-nm ./perf.sh                        # symbol sizes with another nm (default: GNU nm)
#
# Sizes come from `nm -S` (GNU binutils' nm reads Arm ELF files through its generic elf32-little
# support: `apt-get install -y binutils`; LLVM's llvm-nm works too). They are the symbol sizes,
# literal pools included; out-of-line callees (compiler-builtins' __aeabi_lmul, __aeabi_uldivmod,
# subtle's black_box) are shared and not counted.
#
# Exits non-zero if a tool or a rustup target is missing, a build fails, QEMU fails or times
# out, or the firmware reports a mismatch between a secret-core result and its comparator's.
# Nothing is skipped. Logs go to target/perf/.
set -euo pipefail

here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
cd "$here"
export CARGO_TARGET_DIR="${CARGO_TARGET_DIR:-$here/target}"

TARGETS="${TARGETS:-thumbv7em-none-eabihf thumbv6m-none-eabi}"
RUN_TIMEOUT="${RUN_TIMEOUT:-60}"
NM="${NM:-nm}"
logs="$CARGO_TARGET_DIR/perf"
mkdir -p "$logs"

# --- Tools and rustup targets: a missing one is an error with the command that installs it. ---
# shellcheck source=preflight.sh
. "$here/preflight.sh"
require_tools cargo rustc qemu-system-arm timeout awk "$NM"
# shellcheck disable=SC2086 # one word per target
require_targets $TARGETS

echo "qemu: $(qemu-system-arm --version | head -1)"
echo "rustc: $(rustc --version)"
echo "nm: $(command -v "$NM") ($("$NM" --version | head -1))"
echo

failures=0
for t in $TARGETS; do
    build_log="$logs/$t-build.log"
    if ! cargo build --release --target "$t" --bin perf >"$build_log" 2>&1; then
        tail -20 "$build_log" >&2
        echo "error: building perf for $t failed (log $build_log)" >&2
        exit 1
    fi
    elf="$CARGO_TARGET_DIR/$t/release/perf"
    log="$logs/$t.log"
    rc=0
    # `cargo run` execs the runner (QEMU), so `timeout` signals QEMU itself.
    timeout -k 5 "$RUN_TIMEOUT" cargo run -q --release --target "$t" --bin perf \
        >"$log" 2>&1 </dev/null || rc=$?
    if [ "$rc" != 0 ] || ! grep -q '^perf: PASS' "$log"; then
        cat "$log" >&2
        case "$rc" in
            124 | 137) echo "error: perf on $t timed out after ${RUN_TIMEOUT}s (log $log)" >&2 ;;
            *) echo "error: perf on $t failed (exit code $rc): a check failed or a secret-core result differs from its comparator's (log $log)" >&2 ;;
        esac
        failures=$((failures + 1))
        continue
    fi

    # Instructions per wrapper, from the firmware: `perf NAME INSTRUCTIONS`.
    declare -A insns=() bytes=()
    names=()
    while read -r _ name n; do
        insns[$name]=$n
        names+=("$name")
    done < <(grep -E '^perf perf_[a-z0-9_]+ [0-9]+$' "$log")
    if [ "${#names[@]}" = 0 ]; then
        echo "error: no 'perf NAME INSTRUCTIONS' lines in $log" >&2
        exit 1
    fi
    # Code size per wrapper, from the symbol table: `ADDRESS SIZE TYPE NAME` (hex size).
    while read -r _ size _ name; do
        bytes[$name]=$((16#$size))
    done < <("$NM" -S --defined-only "$elf" | awk '$4 ~ /^perf_/ && NF == 4')
    for name in "${names[@]}"; do
        if [ -z "${bytes[$name]:-}" ]; then
            echo "error: no symbol size for $name in $elf ($NM -S)" >&2
            exit 1
        fi
    done

    header="$(sed -n 's/^perf: secret-core example on //p' "$log" | head -1)"
    echo "### $t ($header)"
    echo
    echo "| workload | secret-core instructions | comparator instructions | ratio | secret-core bytes | comparator bytes |"
    echo "|---|---:|---:|---:|---:|---:|"
    # Rows: every `perf_W_secret` against each other `perf_W_*` (the comparators).
    for secret in "${names[@]}"; do
        case "$secret" in *_secret) ;; *) continue ;; esac
        w="${secret#perf_}"
        w="${w%_secret}"
        for other in "${names[@]}"; do
            case "$other" in "perf_${w}_"*) ;; *) continue ;; esac
            [ "$other" != "$secret" ] || continue
            variant="${other#"perf_${w}_"}"
            awk -v w="$w" -v v="$variant" -v si="${insns[$secret]}" -v ci="${insns[$other]}" \
                -v sb="${bytes[$secret]}" -v cb="${bytes[$other]}" 'BEGIN {
                    ratio = ci > 0 ? sprintf("%.2f", si / ci) : "n/a"
                    printf "| %s vs %s | %d | %d | %s | %d | %d |\n", w, v, si, ci, ratio, sb, cb
                }'
        done
    done
    echo
    sed -n 's/^  note /- /p' "$log"
    echo
    unset insns bytes
done

if [ "$failures" != 0 ]; then
    echo "error: perf failed on $failures target(s); logs in $logs" >&2
    exit 1
fi
