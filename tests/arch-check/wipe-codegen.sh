#!/usr/bin/env bash
# Checks, on the x86_64 assembly that rustc emits, the two halves of secret-core's drop-time
# wipe design (`erase` in secret-core/src/secret.rs, `Mask::erase` in mask.rs): an ordinary
# store of zero followed by `compiler_fence(SeqCst)`.
#
#   1. wipe_box_secret_u64    Box<Secret<u64>>: a zero store covers the 8 bytes before
#                             __rust_dealloc (the fence keeps it; without it, it is dead).
#   2. wipe_box_secret_array  Box<Secret<[u8; 32]>>: zero stores cover all 32 bytes.
#   3. naive_box_u64          control: `impl Drop { self.0 = 0 }` with no fence. LLVM must have
#                             deleted that store, else checks 1-2 prove nothing.
#   4. mix_secret             ARX rounds on Secret<u64> (every assignment drops and wipes):
#                             no stack store, and no more instructions than mix_plain.
#
# The fixture crate is tests/arch-check/wipe-codegen (its own workspace); it is built with
# `cargo rustc --release -- --emit asm` into tests/arch-check/wipe-codegen/target.
# Exit status: 0 if every check passes, 1 otherwise (also on a host that is not x86_64).
set -euo pipefail

here="$(cd "$(dirname "$0")" && pwd)"
fixture="$here/wipe-codegen"
target_dir="$fixture/target"

host="$(rustc -vV | sed -n 's/^host: //p')"
case "$host" in
  x86_64-*) ;;
  *)
    echo "wipe-codegen: FAIL: this check reads x86_64 assembly and needs an x86_64 host (this host is '$host')." >&2
    exit 1
    ;;
esac
# The Box pointer is the first argument: %rdi in the System V ABI, %rcx on Windows.
case "$host" in
  *windows*) ptr_reg=rcx ;;
  *) ptr_reg=rdi ;;
esac

# Default code generation: flags from the environment (e.g. -C target-cpu=native) would make
# the result depend on the machine that runs the check.
unset RUSTFLAGS CARGO_ENCODED_RUSTFLAGS CARGO_BUILD_RUSTFLAGS

# Rebuild the fixture itself every time (its dependencies stay cached): cargo does not know
# about the .s file, so a "fresh" fixture would leave a stale or missing one.
cargo clean --quiet --release --manifest-path "$fixture/Cargo.toml" --target-dir "$target_dir" -p wipe-codegen
rm -f "$target_dir"/release/deps/wipe_codegen-*.s
cargo rustc --quiet --release --manifest-path "$fixture/Cargo.toml" --target-dir "$target_dir" --lib \
  -- --emit asm -C codegen-units=1

shopt -s nullglob
asm_files=("$target_dir"/release/deps/wipe_codegen-*.s)
shopt -u nullglob
if [ "${#asm_files[@]}" -ne 1 ]; then
  echo "wipe-codegen: FAIL: expected one wipe_codegen-*.s in $target_dir/release/deps, found ${#asm_files[@]}" >&2
  exit 1
fi
asm="${asm_files[0]}"
echo "wipe-codegen: $(rustc -V), assembly in ${asm#"$here"/}"

# awk helpers for AT&T syntax: register families and operand splitting.
awk_lib='
    function fam(r) {   # register family: %eax, %ax, %al -> rax; %r8d -> r8; %xmm3 -> v3
      sub(/^%/, "", r)
      if (r ~ /^[xyz]mm[0-9]+$/) { sub(/^[xyz]mm/, "v", r); return r }
      if (r ~ /^r[0-9]+[dwb]?$/) { sub(/[dwb]$/, "", r); return r }
      if (r ~ /^(e|r)?(ax|bx|cx|dx|si|di|sp|bp)$/) { sub(/^(e|r)/, "", r); return "r" r }
      if (r ~ /^(a|b|c|d)l$/) { sub(/l$/, "x", r); return "r" r }
      if (r ~ /^(si|di|sp|bp)l$/) { sub(/l$/, "", r); return "r" r }
      return r
    }
    function vwidth(r) { return r ~ /^%zmm/ ? 64 : r ~ /^%ymm/ ? 32 : 16 }
    function split_ops(s, ops,    n, i, c, depth, cur) {   # split at commas outside (...)
      n = 0; depth = 0; cur = ""
      for (i = 1; i <= length(s); i++) {
        c = substr(s, i, 1)
        if (c == "(") depth++
        if (c == ")") depth--
        if (c == "," && depth == 0) { ops[++n] = cur; cur = ""; continue }
        cur = cur c
      }
      if (cur != "") ops[++n] = cur
      for (i = 1; i <= n; i++) gsub(/^ +| +$/, "", ops[i])
      return n
    }
'

# LLVM merges functions with identical code: `wipe_box_secret_u64 = naive_box_u64` (or
# `.set a, b`). Prints the function that `$1` is an alias of, or nothing.
alias_of() {
  awk -v fn="$1" '
    $0 ~ ("^_?" fn "[[:space:]]*=") { sub(/^[^=]*=[[:space:]]*/, ""); sub(/^_/, ""); print $1; exit }
    $1 == ".set" && ($2 == fn "," || $2 == "_" fn ",") { t = $3; sub(/^_/, "", t); print t; exit }
  ' "$asm"
}
# "name" or "name (= other: LLVM merged the two, their code is identical)".
describe() {
  local t
  t="$(alias_of "$1")"
  if [ -n "$t" ]; then echo "$1 (= $t: LLVM merged the two, their code is identical)"; else echo "$1"; fi
}

# The body of one function (aliases followed): from its label to the end-of-function marker,
# instructions only (directives, labels, comments such as the fence's `#MEMBARRIER` removed).
body() {
  local fn="$1" t i
  for i in 1 2 3; do
    t="$(alias_of "$fn")"
    if [ -n "$t" ]; then fn="$t"; else break; fi
  done
  awk -v fn="$fn" '
    $0 ~ ("^_?" fn ":") { on = 1; next }
    !on { next }
    /^[[:space:]]*\.?(Lfunc_end[0-9]*:|cfi_endproc|seh_endproc|size[[:space:]])/ { exit }
    /^[^[:space:].#L][^[:space:]]*:/ { exit }   # next global label
    {
      sub(/#.*/, "")
      gsub(/^[[:space:]]+|[[:space:]]+$/, "")
      if ($0 == "" || $0 ~ /^\./ || $0 ~ /:$/) next
      gsub(/[[:space:]]+/, " ")
      print
    }' "$asm"
}

# Zero stores into the block that the Box pointer (%rdi, or a register copied from it) points
# to, up to the first mention of __rust_dealloc. Prints "STORE <offset> <width> <insn>" per
# store, "DEALLOC <insn>" if the free was reached, "MEMSET <insn>" for a memset/bzero call.
zero_stores() {
  awk -v ptr="$2" "$awk_lib"'
    BEGIN { alias[ptr] = 1 }
    {
      line = $0
      mn = $1
      rest = line; sub(/^[^ ]+ ?/, "", rest)
      delete ops
      n = split_ops(rest, ops)
      if (line ~ /__rust_dealloc/) { print "DEALLOC " line; exit }
      if (mn ~ /^(call|jmp)/ && line ~ /(memset|bzero)/) print "MEMSET " line
      if (mn ~ /^call/) {   # a call clobbers every caller-saved register
        for (z in zero) delete zero[z]
        for (a in alias) if (a !~ /^(rbx|rbp|r12|r13|r14|r15)$/) delete alias[a]
        next
      }
      src = ops[1]; dst = ops[n]
      # A store into memory: is it a zero store into the block?
      if (n >= 2 && dst ~ /\(/) {
        if (match(dst, /^-?[0-9]*\(%[a-z0-9]+\)$/)) {
          off = dst; sub(/\(.*/, "", off); if (off == "") off = 0
          base = dst; sub(/^[^(]*\(/, "", base); sub(/\)$/, "", base)
          if (fam(base) in alias) {
            w = 0
            if (mn ~ /^(mov|and)[bwlq]$/ && (src == "$0" || (mn ~ /^mov/ && src ~ /^%/ && (fam(src) in zero)))) {
              w = (mn ~ /b$/) ? 1 : (mn ~ /w$/) ? 2 : (mn ~ /l$/) ? 4 : 8
            } else if (src ~ /^%[xyz]mm/ && (fam(src) in zero)) {
              if (mn ~ /^v?mov(ups|aps|upd|apd|dqu|dqa|dqu8|dqu16|dqu32|dqu64|dqa32|dqa64)$/) w = vwidth(src)
              else if (mn ~ /^v?mov(q|sd|lps|hps|lpd|hpd)$/) w = 8
              else if (mn ~ /^v?mov(d|ss)$/) w = 4
            }
            if (w > 0) print "STORE " off " " w " " line
          }
        }
        next
      }
      # A write to a register: track zero registers and copies of the Box pointer.
      if (n >= 1 && dst ~ /^%/) {
        d = fam(dst)
        if (mn ~ /^(xor|sub)[lq]?$/ && n == 2 && fam(src) == d) { zero[d] = 1; delete alias[d]; next }
        if (mn ~ /^v?(xorps|xorpd|pxor|pxord|pxorq)$/ && fam(ops[1]) == fam(ops[2])) { zero[d] = 1; delete alias[d]; next }
        if (mn ~ /^mov[lq]?$/ && src == "$0") { zero[d] = 1; delete alias[d]; next }
        delete zero[d]; delete alias[d]
        if (mn ~ /^mov[q]?$/ && src ~ /^%/ && (fam(src) in alias)) alias[d] = 1
      }
    }'
}

# Byte coverage of [0, size) by the STORE lines on stdin: prints the number of bytes covered.
covered() {
  awk -v size="$1" '
    $1 == "STORE" { for (i = $2; i < $2 + $3; i++) if (i >= 0 && i < size) hit[i] = 1 }
    END { c = 0; for (i = 0; i < size; i++) c += (i in hit); print c }'
}

failures=0
pass() { printf 'PASS  %s\n' "$*"; }
fail() { printf 'FAIL  %s\n' "$*"; failures=$((failures + 1)); }
need_body() {
  if [ -z "$2" ]; then
    fail "$1: function not found in $asm (was it renamed or inlined? it must stay #[no_mangle] #[inline(never)] in $fixture/src/lib.rs)"
    return 1
  fi
}
stores_text() { awk '$1 == "STORE" { $1 = $2 = $3 = ""; sub(/^ +/, ""); printf "%s%s", sep, $0; sep = "; " }'; }

# The zero stores of function $1 into its Box before the free: sets `name`, `b` (its body) and
# `r` (zero_stores output). Fails (and returns 1) when the function or its free is not found,
# since then nothing would be checked.
stores_before_free() {
  local fn="$1" what="$2"
  name="$(describe "$fn")"
  b="$(body "$fn")"
  need_body "$fn" "$b" || return 1
  r="$(printf '%s\n' "$b" | zero_stores "$fn" "$ptr_reg")"
  if ! grep -q '^DEALLOC' <<<"$r"; then
    fail "$name$what: no call/jmp to __rust_dealloc found; the fixture no longer frees the Box here, so nothing is checked. Body:"
    printf '%s\n' "$b" | sed 's/^/        /'
    return 1
  fi
}

# 1-2: a boxed Secret is zeroed before it is freed.
check_wipe() {
  local fn="$1" size="$2" cov found
  stores_before_free "$fn" "" || return 0
  cov="$(covered "$size" <<<"$r")"
  found="$(stores_text <<<"$r")"
  if [ "$cov" -eq "$size" ]; then
    pass "$name: zero stores cover all $size bytes before __rust_dealloc: $found"
  else
    fail "$name: zero stores cover $cov of $size bytes before __rust_dealloc (found: ${found:-none}$(grep '^MEMSET' <<<"$r" | sed 's/^MEMSET /; memset call: /' | tr '\n' ' '))."
    echo "      The heap copy of the secret is freed without being wiped. Where: Drop for Secret<T>"
    echo "      -> erase() in secret-core/src/secret.rs. Fix: keep the compiler_fence(SeqCst) right after"
    echo "      the write_bytes (an ordinary store before a free is dead without it), or use a volatile write."
    echo "      Body of $name:"
    printf '%s\n' "$b" | sed 's/^/        /'
  fi
}
check_wipe wipe_box_secret_u64 8
check_wipe wipe_box_secret_array 32

# 3: control. The naive wipe must be gone, or checks 1-2 could never fail.
if stores_before_free naive_box_u64 " (control)"; then
  if [ "$(covered 8 <<<"$r")" -eq 0 ]; then
    pass "$name (control): no zero store before __rust_dealloc (LLVM deleted the unfenced wipe, so checks 1-2 can fail)"
  else
    fail "$name (control): the unfenced zero store survived ($(stores_text <<<"$r")). This rustc/LLVM no longer"
    echo "      deletes a dead store before a free, so checks 1-2 pass with or without the fence and prove"
    echo "      nothing. Do not weaken the control: find a new way to show the fence matters (e.g. another"
    echo "      dead-store pattern in $fixture/src/lib.rs) and update this script."
  fi
fi

# 4: secrets in registers cost nothing: no stack store, no extra instruction.
stack_writes() {
  awk "$awk_lib"'{
    mn = $1
    rest = $0; sub(/^[^ ]+ ?/, "", rest)
    delete ops
    n = split_ops(rest, ops)
    if (mn ~ /^push/) { print; next }
    if (mn ~ /^(cmp|test|bt[lqw]?$|v?u?comis|prefetch|nop|call|jmp|j[a-z]+$|lea)/) next
    # the destination (last operand) is memory addressed from %rsp or %rbp
    if (n >= 1 && ops[n] ~ /\(%(rsp|rbp)[,)]/) print
  }'
}
bs="$(body mix_secret)"
bp="$(body mix_plain)"
if need_body mix_secret "$bs" && need_body mix_plain "$bp"; then
  ms="$(describe mix_secret)"
  ns="$(printf '%s\n' "$bs" | wc -l | tr -d ' ')"
  np="$(printf '%s\n' "$bp" | wc -l | tr -d ' ')"
  sw="$(printf '%s\n' "$bs" | stack_writes)"
  if [ -n "$sw" ]; then
    fail "$ms: stores to the stack found: $(tr '\n' ';' <<<"$sw")"
    echo "      A Secret<u64> that lives in registers must not get a stack slot just to be wiped."
    echo "      Where: erase() in secret-core/src/secret.rs (and Mask::erase in mask.rs). Fix: an ordinary"
    echo "      store + compiler_fence, not a volatile write or a barrier that takes the address."
  else
    pass "$ms: no stack store"
  fi
  if [ "$ns" -le "$np" ]; then
    pass "$ms: $ns instructions, mix_plain: $np (the wipes on drop cost nothing in registers)"
  else
    fail "$ms: $ns instructions, mix_plain: $np; the secret version must not be longer."
    echo "      Where: the drop path of Secret<T> (erase in secret-core/src/secret.rs) or the operators in"
    echo "      ops.rs/shift.rs add work. Diff (< plain, > secret):"
    diff <(printf '%s\n' "$bp") <(printf '%s\n' "$bs") | sed 's/^/        /' || true
  fi
fi

if [ "$failures" -ne 0 ]; then
  echo "wipe-codegen: $failures check(s) FAILED (fixture: $fixture, assembly: $asm)"
  exit 1
fi
echo "wipe-codegen: all checks passed"
