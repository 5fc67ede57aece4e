# Sourced by run-all.sh and perf.sh: the checks both make before building anything. A missing
# tool or rustup target is an error naming the command that installs it (exit 2); nothing is
# ever skipped.

# require_tools TOOL...: every tool must be on PATH.
require_tools() {
    local tool missing=0
    for tool in "$@"; do
        if ! command -v "$tool" >/dev/null 2>&1; then
            case "$tool" in
                qemu-system-arm) echo "error: qemu-system-arm not found; install it: apt-get install -y qemu-system-arm" >&2 ;;
                timeout) echo "error: timeout not found; install it: apt-get install -y coreutils" >&2 ;;
                awk) echo "error: awk not found; install it: apt-get install -y mawk" >&2 ;;
                cargo | rustc) echo "error: $tool not found; install Rust: https://rustup.rs" >&2 ;;
                llvm-objdump) echo "error: llvm-objdump not found; install it: apt-get install -y llvm (or set OBJDUMP)" >&2 ;;
                *) echo "error: $tool not found; install GNU binutils (apt-get install -y binutils) or set NM=llvm-nm" >&2 ;;
            esac
            missing=1
        fi
    done
    [ "$missing" = 0 ] || exit 2
}

# require_targets TARGET...: every rustup target must have its core library installed.
require_targets() {
    local t absent="" sysroot
    sysroot="$(rustc --print sysroot)"
    for t in "$@"; do
        [ -d "$sysroot/lib/rustlib/$t/lib" ] || absent="$absent $t"
    done
    if [ -n "$absent" ]; then
        echo "error: Rust target(s) not installed:$absent" >&2
        echo "       install: rustup target add$absent" >&2
        exit 2
    fi
}
