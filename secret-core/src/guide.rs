//! # Writing an algorithm
//!
//! How to write a cryptographic algorithm on `Secret` types: the conversions, public operands,
//! selection, lookups, bytes in and out, when to `clone()`, and how to check the compiled result
//! with ct-verify. The worked example at the end is a complete Poly1305 (RFC 8439); it is the
//! file `examples/poly1305/mac.rs` of this crate, shown here as it is compiled and tested.
//!
//! The rule behind everything below: a value that depends on a secret stays a [`Secret`](struct@crate::Secret)
//! (or a [`SecretBool`](crate::SecretBool)) until [`declassify()`](crate::Secret::declassify) says it may become public.
//! Public data (message lengths, constants, loop counts, public message bytes) stays plain and
//! is mixed in as a public operand.
//!
//! ## Conversions
//!
//! | you have | you want | write |
//! |---|---|---|
//! | `x: T` (public) | a secret | `Secret::new(x)` (or `x.into()`) |
//! | `x: Secret<u32>` | another integer type (widen, narrow, change sign; `as` semantics) | `x.cast::<u64>()`, `x.cast::<u8>()`, `x.cast::<i32>()` |
//! | `b: Secret<[u8; 4]>` | `Secret<u32>` | `Secret::<u32>::from_le_bytes(&b)` (`from_be_bytes`) |
//! | `x: Secret<u32>` | its bytes, `Secret<[u8; 4]>` | `x.to_le_bytes()` (`to_be_bytes`) |
//! | `key: Secret<[u8; 32]>` | `M` bytes at a public offset | `key.sub_array::<M>(offset)` |
//! | `part: Secret<[u8; M]>` | written into `out: Secret<[u8; N]>` at a public offset | `out.set_sub_array(offset, &part)` |
//! | `a: Secret<[T; N]>` | element `i`, `i` public | `a.get(i)`; write it with `a.set(i, value)` |
//! | `a: Secret<[T; N]>` | element `i`, `i` **secret** | `a.ct_get(&i)` (reads every element) |
//! | `table: &[T]` (public) | `table[i]`, `i: Secret<usize>` | [`ct_lookup(&table, &i)`](crate::ct_lookup) |
//! | `m: &[u8]` (public) | a public word to mix in | `u32::from_le_bytes(m[0..4].try_into().unwrap())`, then `h += word` |
//! | `x: Secret<T>` | `T`, now public | `x.declassify()` |
//! | `b: SecretBool` / `c: subtle::Choice` | the other one | `subtle::Choice::from(b)` / `SecretBool::from(c)` |
//!
//! `get`/`set` and `sub_array`/`set_sub_array` panic on an out-of-range *public* position,
//! like slice indexing; nothing about the secret is revealed by that. `.into()` does not widen
//! a secret (`let y: Secret<u64> = x.into()` looks for `From<u64>`, which classifies a plain
//! `u64`): use `x.cast::<u64>()`.
//!
//! ## Public operands
//!
//! - Arithmetic and bitwise operators take a plain `T` on either side: `h + 5`, `5 * &r`,
//!   `x ^= 0xff`, `&h & LIMB`. The result is secret. All arithmetic wraps (an overflow check
//!   would be a branch on the secret).
//! - Shifts and rotations take a public `u32` amount: `x >> 26`, `x.rotate_left(7)`. For a
//!   secret amount use `shl_secret`, `shr_secret`, `rotate_left_secret`, `rotate_right_secret`.
//! - Comparisons with a public value take the `_public` form of every comparison:
//!   `tag.ct_eq_public(&expected)`, `x.ct_ne_public(&0)`, `g4.ct_ge_public(&(1 << 26))`, and
//!   `ct_lt_public`, `ct_le_public`, `ct_gt_public`, `ct_min_public`, `ct_max_public`;
//!   `cond.select_public(&x, &0)` selects with a public side. The crate root's
//!   [public-operand table](crate#public-operands) lists them all in one place. `x.ct_ge(&0)`
//!   does not compile, and its error names the `_public` form.
//! - There is no `/` or `%` on secrets (hardware division takes operand-dependent time): use
//!   `ct_div_rem`, or shifts and masks when the divisor is a power of two.
//!
//! ## Selection
//!
//! A comparison gives a [`SecretBool`](crate::SecretBool), never a `bool`, so `if a.ct_lt(&b)` does not compile.
//! Compute both outcomes and select:
//!
//! ```
//! use secret_core::Secret;
//! let (a, b) = (Secret::new(9u32), Secret::new(7u32));
//! let smaller = a.ct_lt(&b).select(&a, &b); // if a < b { a } else { b }, no branch
//! let (mut lo, mut hi) = (a.clone(), b.clone());
//! Secret::conditional_swap(&mut lo, &mut hi, &b.ct_lt(&a)); // sorted in place, no branch
//! assert_eq!((smaller.declassify(), lo.declassify(), hi.declassify()), (7, 7, 9));
//! ```
//!
//! `select` works on anything that is [`CtSelect`](crate::CtSelect): every `Secret<T>` of
//! integers or arrays, arrays of secrets (`[Secret<u32>; 5]`, as in the example below),
//! [`SecretOption`](crate::SecretOption), and structs with `#[derive(secret_core::Secret)]`.
//! A secret that may be absent is a `SecretOption`, not an `Option`. Declassify a
//! `SecretBool` only when the answer itself is public (a MAC check's verdict).
//!
//! ## Lookups
//!
//! `table[i]` with a secret `i` does not compile: the address would reveal `i` through the
//! cache. [`ct_lookup(&table, &i)`](crate::ct_lookup) (and `a.ct_get(&i)` on a secret array)
//! reads every entry and keeps the one at `i`; an index past the end gives zero. Its cost is
//! linear in the table, so prefer arithmetic (bit-sliced S-boxes, constant-time formulas) for
//! large tables. A *public* index needs none of this: `a.get(i)`, or plain `table[i]`.
//!
//! ## Reading and writing bytes
//!
//! Keys and other secret inputs arrive as bytes: make the whole array secret once
//! (`Secret::new(key_bytes)`), then take words out with `sub_array` and `from_le_bytes` (the
//! `le_u32` helper of the example). Output goes the other way: `to_le_bytes` and
//! `set_sub_array` into a `Secret<[u8; N]>`. Public bytes (a message to authenticate, a
//! nonce) stay `&[u8]` and are read with the plain `u32::from_le_bytes`; they join the
//! computation as public operands. Compare a computed tag with a received one with
//! `tag.ct_eq_public(&received)` and declassify only the verdict.
//!
//! ## `clone()` or `&a`
//!
//! `Secret` is not `Copy`: every copy of a secret is an explicit `clone()`, and every copy is
//! wiped when dropped. Operators take owned or borrowed operands in any combination:
//!
//! - Pass `&a` when `a` is still needed: `&h0 * &r0` reads both and keeps both. This is the
//!   normal case, and what the example does throughout.
//! - Pass `a` by value when it is not needed any more: `a + &b` reuses `a`'s storage.
//! - `clone()` only when you need a second *owned* value that will diverge from the first
//!   (the example's `let mut g = h.clone()`, then `g` is modified and `h` kept).
//! - Arrays: `[r0, r1].map(|r| r.cast::<u64>())` consumes the array;
//!   `h.each_ref().map(|x| x.cast::<u64>())` reads it. A "borrow of moved value" error usually
//!   means a `&` is missing, not that a `clone()` is.
//!
//! ## State behind `&mut`: update in place
//!
//! A secret that lives in memory (state in a `[Secret<u32>; 4]` or a struct, updated through
//! `&mut`) should be updated in place, never by assigning a new `Secret` over it:
//!
//! | instead of | write |
//! |---|---|
//! | `*v = &*v + &*w`, `*v = v.clone() ^ 0x55` | `*v += &*w`, `*v ^= 0x55` (every operator has its `op=` form) |
//! | `*v = v.rotate_left(5)` | `v.rotate_left_assign(5)` (`rotate_right_assign`) |
//! | `*v = any_expression` | `v.assign(any_expression)` |
//!
//! ```
//! use secret_core::Secret;
//! fn round(state: &mut [Secret<u32>; 4]) {
//!     let [v0, v1, v2, v3] = state;
//!     *v0 += &*v1;
//!     v1.rotate_left_assign(5); // not `*v1 = v1.rotate_left(5)`
//!     *v1 ^= &*v0;
//!     v2.assign(&*v2 * &*v3 + 1); // not `*v2 = &*v2 * &*v3 + 1`
//! }
//! let mut state = [1u32, 2, 3, 4].map(Secret::new);
//! round(&mut state);
//! let [a, b, c, _] = state.map(Secret::declassify);
//! assert_eq!((a, b, c), (3, 2u32.rotate_left(5) ^ 3, 13));
//! ```
//!
//! Why: `*v = new` first drops the old `Secret`, and a drop wipes the memory it occupies with a
//! zero store that a compiler fence keeps (so that a `Box` or any memory a secret occupied is
//! never freed or reused with the secret in it). Through `&mut` that memory exists, so every
//! such assignment is a zero store, the fence makes the optimizer store the state instead of
//! keeping it in registers, and the next update loads it back: the
//! `*v1 = v1.rotate_left(5)` form of a Chaskey-shaped MAC is 1.70-2.41× the same code on `u32`
//! on Cortex-M0/M4, the in-place form 0.98-1.09× (opt-levels 3, "s" and "z";
//! `no_std-examples/README.md`, rows `mac_mut_reassign` and `mac_mut`). The in-place forms write the new value over every byte of
//! the old one, so nothing of the old value is left there and the wiping guarantee is the same
//! (the state is zeroed when its `Secret`s are dropped; see "What is wiped, and when" on
//! [`Secret`](struct@crate::Secret)). For locals that the optimizer keeps in registers the
//! drop stores nothing and both forms cost about what plain code costs; the compiler fence of
//! each drop can still constrain instruction scheduling (ChaCha20 on Cortex-M0 at opt-level
//! "z", `no_std-examples/README.md`), which the in-place forms avoid there too.
//!
//! ## Checking the result with ct-verify
//!
//! The compiler can still turn masks into branches, and your own code can branch or index on a
//! secret by way of a `declassify()`. `cargo ct-verify` checks the compiled binary: add a bench
//! target with `harness = false` that lists your functions,
//!
//! ```text
//! // benches/ct.rs; Cargo.toml: [[bench]] name = "ct", harness = false;
//! // [dev-dependencies] ct-verify
//! use secret_core::Secret;
//! fn main() {
//!     ct_verify::Suite::new()
//!         .check("poly1305", |key: &[u8; 32]| poly1305(&Secret::new(*key), b"a public message"))
//!         .run();
//! }
//! ```
//!
//! and run `cargo ct-verify --bench ct` (install it with `cargo install --path ct-verify` from
//! this repository). Each check runs with secret inputs (all-zero, all-ones, random, and the
//! `Config::fixed` corner cases you add) under valgrind: `taint` reports any branch or memory
//! address that depends on the input, with file and line; `count` requires the same
//! instruction count and profile for every input; `audit` reports division instructions. Exit
//! status 0 means every check is constant-time. Add `--profile dev` to check the code as
//! `cargo build` and `cargo test` compile it (opt-level 0: no inlining, debug assertions,
//! overflow checks), and `--target thumbv7em-none-eabihf` (or another Cortex-M triple, from a
//! firmware crate) to run the suite under QEMU. secret-core's own main job does exactly this
//! for every primitive and for the example below
//! (`cargo ct-verify --manifest-path benches/Cargo.toml --bench ct_primitives`).
//!
//! ## Worked example: Poly1305
//!
//! RFC 8439, section 2.5, with 26-bit limbs: the key's `r` and `s` are secret, the message is
//! public, the tag is secret until the caller decides otherwise. It uses `sub_array` and
//! `from_le_bytes` to read the key, `cast` to widen limbs for the products, public operands
//! for the message words and constants, `select` for the final reduction, `to_le_bytes` and
//! `set_sub_array` for the tag, and `&` everywhere a value is used again. The code below is
//! `examples/poly1305/mac.rs`, followed by the test vector of RFC 8439, section 2.5.2 (`cargo
//! run --example poly1305` also checks five edge-case vectors of its appendix A.3).
//!
//! It is one of the checks of the main job (`poly1305` in `benches/benches/ct_primitives.rs`:
//! taint, count and audit, in the release and the dev profile), and it costs what the same code
//! on plain `u32`/`u64` costs: 673 instructions against 679 for the RFC vector (callgrind,
//! x86_64, rustc 1.95.0, measured side by side in `benches/benches/iai.rs`; the benchmark
//! table of the repository's README).
//!
#![doc = concat!(
    "```\n",
    include_str!("../examples/poly1305/mac.rs"),
    r#"
// RFC 8439, section 2.5.2.
let key = Secret::new([
    0x85, 0xd6, 0xbe, 0x78, 0x57, 0x55, 0x6d, 0x33, 0x7f, 0x44, 0x52, 0xfe, 0x42, 0xd5, 0x06, 0xa8,
    0x01, 0x03, 0x80, 0x8a, 0xfb, 0x0d, 0xb2, 0xfd, 0x4a, 0xbf, 0xf6, 0xaf, 0x41, 0x49, 0xf5, 0x1b,
]);
let tag = poly1305(&key, b"Cryptographic Forum Research Group");
let expected = [
    0xa8, 0x06, 0x1d, 0xc1, 0x30, 0x51, 0x36, 0xc6, 0xc2, 0x2b, 0x8b, 0xaf, 0x0c, 0x01, 0x27, 0xa9,
];
assert!(tag.ct_eq_public(&expected).declassify());
"#,
    "```\n"
)]
