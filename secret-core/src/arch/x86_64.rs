//! x86_64: valgrind client requests, stack painting and wiping, register clearing, and the
//! SSE2 chunk primitives that byte-string equality and `ct_lookup` are built from.

use core::arch::asm;

/// The client-request sequence below is implemented for this architecture.
pub(crate) const VALGRIND_SUPPORTED: bool = true;

/// Issues a valgrind client request; returns `default` when not running under valgrind.
#[inline(always)]
pub(crate) fn valgrind_request(default: usize, args: &[usize; 6]) -> usize {
    let mut result = default;
    // SAFETY: this is valgrind.h's documented x86_64 magic sequence. The four rotates of rdi add
    // up to 128 bits (a full turn, so rdi is unchanged) and `xchg rbx, rbx` is a no-op; on a real
    // CPU the only effect is on the flags, which we do not promise to preserve. Under valgrind the
    // sequence is intercepted: it reads the six words at `args` (a valid, live array) and writes
    // the result to rdx. Valgrind may change shadow state of memory, hence no `nomem`.
    unsafe {
        asm!(
            "rol rdi, 3",
            "rol rdi, 13",
            "rol rdi, 61",
            "rol rdi, 51",
            "xchg rbx, rbx",
            in("rax") args.as_ptr(),
            inout("rdx") result,
            options(nostack),
        )
    };
    result
}

/// Compares the whole 16-byte chunks of `a` and `b` (over their common length) with SSE2:
/// `pcmpeqb` per chunk, `pand` into an accumulator, one `pmovmskb` at the end. Returns that
/// move mask (`0xffff` exactly when every chunk was equal, also when there is none) and the two
/// tails shorter than 16 bytes, which this function does not look at. No branch depends on the
/// contents; the loop count depends only on the length.
///
/// For 32 bytes this is 4 loads, 2 compares, 1 AND and 1 move-mask. The chunks are counted
/// with a mask (`n & !15`), not with `chunks_exact`, whose `len % 16` is a `div` instruction
/// when core's code is not inlined (opt-level 0).
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub(crate) fn eq_chunks16<'a, 'b>(a: &'a [u8], b: &'b [u8]) -> (usize, &'a [u8], &'b [u8]) {
    use core::arch::x86_64::{
        __m128i, _mm_and_si128, _mm_cmpeq_epi8, _mm_loadu_si128, _mm_movemask_epi8, _mm_set1_epi8,
    };
    let n = a.len().min(b.len());
    let whole = n & !15;
    let (a, b) = (&a[..n], &b[..n]);
    // `unused_unsafe`: from Rust 1.87 the SSE2 value intrinsics are safe to call; on the
    // MSRV (1.85) they are `unsafe fn`s.
    #[allow(unused_unsafe)]
    // SAFETY: SSE2 is enabled (cfg above), so the intrinsics exist. Each load reads the 16
    // bytes of a checked `[i..i + 16]` sub-slice, with `i + 16 <= whole <= n`, so in bounds;
    // `loadu` has no alignment requirement.
    let moved = unsafe {
        let mut acc: __m128i = _mm_set1_epi8(-1);
        let mut i = 0;
        while i < whole {
            let x = _mm_loadu_si128(a[i..i + 16].as_ptr().cast::<__m128i>());
            let y = _mm_loadu_si128(b[i..i + 16].as_ptr().cast::<__m128i>());
            acc = _mm_and_si128(acc, _mm_cmpeq_epi8(x, y));
            i += 16;
        }
        _mm_movemask_epi8(acc) as u32 as usize
    };
    (moved, &a[whole..], &b[whole..])
}

/// Reads the `chunks` 16-byte chunks at `bytes`, a table whose entries are `size = 1 <<
/// size_log2` bytes (1, 2, 4, 8 or 16; `per = 16 / size` entries per chunk), and returns entry
/// number `index` in the first `size` bytes of the result: position `index % per` of chunk
/// `index / per` (the other bytes are ORs of other lanes, which callers ignore). All zero when
/// that chunk is past the end, or when `index / per` does not fit the 32-bit chunk counter and
/// wraps (callers mask that out).
///
/// `per` is a power of two, so `index % per` and `index / per` are a mask and a shift. Written
/// as `%` and `/`, they were a `div` of the secret index at opt-level 0 (the KyberSlash pattern),
/// where LLVM does not turn a division by a run-time power of two into a shift.
///
/// Two masks select the entry: a *lane* mask (bytes whose entry position within a chunk is
/// `index % per`, computed once with `pcmpeqb`) and a *chunk* mask (`pcmpeqd` of a running
/// chunk counter against `index / per`). Per chunk: one load, one compare, one add, two ANDs,
/// one OR; no branch, no fence, no address that depends on `index`. At the end the lanes are
/// ORed together with byte shifts.
///
/// The table comes as a pointer, not as a `&[u8]`: making that slice with
/// `slice::from_raw_parts` runs its debug-build check, which divides (`isize::MAX / size`).
///
/// # Safety
///
/// `bytes` must point to `chunks * 16` initialized bytes that may be read.
#[cfg(target_feature = "sse2")]
#[inline(always)]
pub(crate) unsafe fn select_chunks16(
    bytes: *const u8,
    chunks: usize,
    size_log2: u32,
    index: usize,
) -> [u8; 16] {
    use core::arch::x86_64::{
        __m128i, _mm_add_epi32, _mm_and_si128, _mm_cmpeq_epi32, _mm_cmpeq_epi8, _mm_loadu_si128,
        _mm_or_si128, _mm_set1_epi32, _mm_set1_epi8, _mm_setzero_si128, _mm_srli_si128,
        _mm_storeu_si128,
    };
    let size = 1usize << size_log2;
    // log2 of the entries per chunk.
    let per_log2 = 4 - size_log2;
    // The byte position of each lane's entry within a chunk (public, constant per `size`).
    let mut lane_of = [0u8; 16];
    for (j, lane) in lane_of.iter_mut().enumerate() {
        *lane = (j >> size_log2) as u8;
    }
    let mut out = [0u8; 16];
    // `unused_unsafe`: from Rust 1.87 the SSE2 value intrinsics are safe to call; on the
    // MSRV (1.85) they are `unsafe fn`s.
    #[allow(unused_unsafe)]
    // SAFETY: SSE2 is enabled (cfg above), so the intrinsics exist. The caller guarantees
    // `chunks * 16` readable, initialized bytes at `bytes`; each load reads the 16 bytes at
    // `at`, which has `rest >= 16` of them left (both step by 16; the loop counts down the
    // bytes left, the shape that keeps the release code as short as `chunks_exact` did), or
    // the 16 bytes of `lane_of` (`loadu`: no alignment needed). The store writes the 16 bytes
    // of `out`.
    unsafe {
        let lanes = _mm_loadu_si128(lane_of.as_ptr().cast::<__m128i>());
        let lane = index & ((1 << per_log2) - 1);
        let lane_mask = _mm_cmpeq_epi8(lanes, _mm_set1_epi8(lane as u8 as i8));
        let target = _mm_set1_epi32((index >> per_log2) as u32 as i32);
        let one = _mm_set1_epi32(1);
        let mut counter = _mm_setzero_si128();
        let mut acc = _mm_setzero_si128();
        let mut rest = chunks << 4;
        let mut at = bytes;
        while rest >= 16 {
            let mask = _mm_and_si128(_mm_cmpeq_epi32(counter, target), lane_mask);
            counter = _mm_add_epi32(counter, one);
            let data = _mm_loadu_si128(at.cast::<__m128i>());
            acc = _mm_or_si128(acc, _mm_and_si128(data, mask));
            at = at.add(16);
            rest -= 16;
        }
        if size <= 8 {
            acc = _mm_or_si128(acc, _mm_srli_si128::<8>(acc));
        }
        if size <= 4 {
            acc = _mm_or_si128(acc, _mm_srli_si128::<4>(acc));
        }
        if size <= 2 {
            acc = _mm_or_si128(acc, _mm_srli_si128::<2>(acc));
        }
        if size == 1 {
            acc = _mm_or_si128(acc, _mm_srli_si128::<1>(acc));
        }
        _mm_storeu_si128(out.as_mut_ptr().cast::<__m128i>(), acc);
    }
    out
}

/// Paints the `len` bytes below the stack pointer with `canary` and returns the stack pointer.
///
/// First walks the stack pointer down one 4 KiB page at a time, touching each page, so that
/// pages are faulted in in order and each access is at the stack pointer (a stack that is too
/// small hits its guard page instead of skipping over it; kernels that refuse faults far below
/// the stack pointer are satisfied), then restores it and fills the region with `rep stosq`.
/// `len` must be a multiple of 8.
///
/// # Safety
///
/// The `len` bytes below the stack pointer must be this thread's stack, or end in a guard
/// page that stops the thread (as on Linux, macOS and Windows): they are written.
#[inline(always)]
pub(crate) unsafe fn paint_stack(len: usize, canary: usize) -> usize {
    let top: usize;
    // SAFETY: the caller guarantees that the region below the stack pointer may be written.
    // Nothing live is stored below the stack pointer (no `nostack`, so the compiler keeps no
    // data in the red zone across this block); rsp is restored before the block ends. DF is
    // clear on entry, so `rep stosq` fills upwards from `rdi`, and it is left clear.
    unsafe {
        asm!(
            "mov {top}, rsp",
            "mov rdi, rsp",
            "sub rdi, {len}",
            "2:",
            "sub rsp, 4096",
            "cmp rsp, rdi",
            "jbe 3f",
            "mov qword ptr [rsp], rax",
            "jmp 2b",
            "3:",
            "mov rsp, rdi",
            "mov qword ptr [rsp], rax",
            "mov rsp, {top}",
            "mov rcx, {len}",
            "shr rcx, 3",
            "rep stosq",
            top = out(reg) top,
            len = in(reg) len,
            inout("rax") canary => _,
            out("rdi") _,
            out("rcx") _,
        )
    };
    top
}

/// Wipes what was written into the painted region `[top - len, top)` since [`paint_stack`]:
/// finds the lowest word that no longer holds `canary` and zeroes from there up to `top`.
///
/// Returns `(sp, low)`: the stack pointer seen by this block and the lowest zeroed address
/// (`top` when nothing was disturbed). If `sp < top`, the region overlaps live frames and
/// nothing is touched (`low == top`).
///
/// # Safety
///
/// `[top - len, top)` must have been painted by [`paint_stack`] on this thread (so it is
/// mapped); `len` must be a multiple of 8.
#[inline(always)]
pub(crate) unsafe fn wipe_stack(top: usize, len: usize, canary: usize) -> (usize, usize) {
    let sp: usize;
    let low: usize;
    // SAFETY: the region was painted (so it is mapped and this thread's stack), and it is only
    // written when it lies entirely below this block's stack pointer, where nothing is live.
    // The scan compares memory with `rax` directly, so no disturbed word is loaded into a
    // register. DF is clear on entry and exit.
    unsafe {
        asm!(
            "mov {sp}, rsp",
            "mov {low}, {top}",
            "cmp {sp}, {top}",
            "jb 4f",
            "mov rdi, {top}",
            "sub rdi, {len}",
            "2:",
            "cmp rdi, {top}",
            "jae 3f",
            "cmp qword ptr [rdi], rax",
            "jne 3f",
            "add rdi, 8",
            "jmp 2b",
            "3:",
            "mov {low}, rdi",
            "mov rcx, {top}",
            "sub rcx, rdi",
            "shr rcx, 3",
            "xor eax, eax",
            "rep stosq",
            "4:",
            sp = out(reg) sp,
            low = out(reg) low,
            top = in(reg) top,
            len = in(reg) len,
            inout("rax") canary => _,
            out("rdi") _,
            out("rcx") _,
        )
    };
    (sp, low)
}

/// Zeroes the caller-saved registers: rax, rcx, rdx, rsi, rdi, r8–r11 and xmm0–xmm15 (with
/// `vzeroall`, which also clears the upper halves of ymm0–ymm15, when AVX is enabled at
/// compile time).
#[inline(always)]
pub(crate) fn clear_registers() {
    // SAFETY: only registers declared as outputs are written; no memory, no stack. (On Windows
    // rsi, rdi and xmm6–xmm15 are callee-saved: declared as outputs, the compiler restores them.)
    unsafe {
        asm!(
            "xor eax, eax",
            "xor ecx, ecx",
            "xor edx, edx",
            "xor esi, esi",
            "xor edi, edi",
            "xor r8d, r8d",
            "xor r9d, r9d",
            "xor r10d, r10d",
            "xor r11d, r11d",
            out("rax") _, out("rcx") _, out("rdx") _, out("rsi") _, out("rdi") _,
            out("r8") _, out("r9") _, out("r10") _, out("r11") _,
            options(nomem, nostack),
        )
    };
    clear_vector_registers();
}

#[cfg(target_feature = "avx")]
#[inline(always)]
fn clear_vector_registers() {
    // SAFETY: `vzeroall` writes only ymm0–ymm15, all declared as outputs; AVX is enabled.
    unsafe {
        asm!(
            "vzeroall",
            out("ymm0") _, out("ymm1") _, out("ymm2") _, out("ymm3") _,
            out("ymm4") _, out("ymm5") _, out("ymm6") _, out("ymm7") _,
            out("ymm8") _, out("ymm9") _, out("ymm10") _, out("ymm11") _,
            out("ymm12") _, out("ymm13") _, out("ymm14") _, out("ymm15") _,
            options(nomem, nostack, preserves_flags),
        )
    };
}

#[cfg(not(target_feature = "avx"))]
#[inline(always)]
fn clear_vector_registers() {
    // SAFETY: writes only xmm0–xmm15, all declared as outputs (SSE2 is baseline on x86_64).
    unsafe {
        asm!(
            "xorps xmm0, xmm0",
            "xorps xmm1, xmm1",
            "xorps xmm2, xmm2",
            "xorps xmm3, xmm3",
            "xorps xmm4, xmm4",
            "xorps xmm5, xmm5",
            "xorps xmm6, xmm6",
            "xorps xmm7, xmm7",
            "xorps xmm8, xmm8",
            "xorps xmm9, xmm9",
            "xorps xmm10, xmm10",
            "xorps xmm11, xmm11",
            "xorps xmm12, xmm12",
            "xorps xmm13, xmm13",
            "xorps xmm14, xmm14",
            "xorps xmm15, xmm15",
            out("xmm0") _, out("xmm1") _, out("xmm2") _, out("xmm3") _,
            out("xmm4") _, out("xmm5") _, out("xmm6") _, out("xmm7") _,
            out("xmm8") _, out("xmm9") _, out("xmm10") _, out("xmm11") _,
            out("xmm12") _, out("xmm13") _, out("xmm14") _, out("xmm15") _,
            options(nomem, nostack, preserves_flags),
        )
    };
}
