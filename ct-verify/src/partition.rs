//! `--partition K/N`: which checks one of N machines runs.
//!
//! A check belongs to part `FNV-1a-64(name) mod N + 1`, where the hash is taken over the
//! name's UTF-8 bytes. The part therefore depends on the check's name and on N only: not on the
//! machine, the order in which suites list their checks, `--filter`, or which other checks
//! exist. Adding or renaming one check moves at most that check, so the N jobs of a CI matrix
//! agree without sharing a list, and a part's history stays comparable from run to run.
//! cargo-nextest's `count:K/N` takes every N-th test of the sorted list instead: better
//! balanced for a handful of tests, but one new test early in the list moves every later one.
//! The price of hashing is balance: with `c` checks a part gets about `c/N`, give or take
//! `sqrt(c/N)`.
//!
//! The partition is applied to the listed checks exactly like `--filter` (both may be given),
//! before any check runs. [`crate::merge`] puts the N JSON reports back together.

use std::fmt;
use std::str::FromStr;

/// Part `index` of `count` (both counted from 1, as on the command line).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Partition {
    /// K: 1..=count.
    pub index: usize,
    /// N: at least 1.
    pub count: usize,
}

impl Partition {
    /// Whether the check called `name` is this part's.
    pub fn contains(&self, name: &str) -> bool {
        owner(name, self.count) == self.index
    }
}

/// The part (1..=`count`) that the check called `name` belongs to; `count` must be at least 1.
pub fn owner(name: &str, count: usize) -> usize {
    // usize -> u64 never truncates on the 32- and 64-bit hosts that run the verifier, and the
    // remainder is below `count`, so it fits back into usize.
    (fnv1a64(name.as_bytes()) % count.max(1) as u64) as usize + 1
}

/// 64-bit FNV-1a: fixed constants, no seed, the same on every machine and Rust version (the
/// standard library's hashers promise neither).
fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    }
    h
}

impl fmt::Display for Partition {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Partition {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, String> {
        let shape = || {
            format!("`{s}` is not K/N: give the part K and the number of parts N, both counted from 1 (for example 2/3)")
        };
        let (k, n) = s.split_once('/').ok_or_else(shape)?;
        let k: usize = k.trim().parse().map_err(|_| shape())?;
        let n: usize = n.trim().parse().map_err(|_| shape())?;
        if n == 0 {
            return Err(format!("`{s}`: N (the number of parts) must be at least 1"));
        }
        if k == 0 || k > n {
            return Err(format!(
                "`{s}`: there is no part {k} of {n}; K counts from 1, so use 1/{n} to {n}/{n}"
            ));
        }
        Ok(Partition { index: k, count: n })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_k_of_n_and_refuses_the_rest_with_the_way_out() {
        assert_eq!(
            "2/3".parse::<Partition>(),
            Ok(Partition { index: 2, count: 3 })
        );
        assert_eq!(
            "1/1".parse::<Partition>(),
            Ok(Partition { index: 1, count: 1 })
        );
        for (bad, needle) in [
            ("0/3", "1/3 to 3/3"),
            ("4/3", "no part 4 of 3"),
            ("a/b", "is not K/N"),
            ("3", "is not K/N"),
            ("-1/3", "is not K/N"),
            ("1/0", "at least 1"),
            ("0/0", "at least 1"),
            ("", "is not K/N"),
        ] {
            let e = bad.parse::<Partition>().unwrap_err();
            assert!(e.contains(needle), "{bad}: {e}");
        }
    }

    #[test]
    fn the_hash_is_fnv1a_64_as_published() {
        // Test vectors of the FNV reference (draft-eastlake-fnv): a change of the function
        // would move checks between the parts of jobs already running in CI.
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn every_check_is_in_exactly_one_part_and_parts_are_used() {
        let names: Vec<String> = (0..300).map(|i| format!("check_{i}")).collect();
        for n in 1..=7 {
            let mut sizes = vec![0usize; n];
            for name in &names {
                let holders: Vec<usize> = (1..=n)
                    .filter(|&k| Partition { index: k, count: n }.contains(name))
                    .collect();
                assert_eq!(holders.len(), 1, "{name} in {holders:?} of {n}");
                sizes[holders[0] - 1] += 1;
            }
            // 300 names: every part gets some, none gets twice its share.
            for s in &sizes {
                assert!(*s > 0 && *s < 2 * 300 / n, "N={n}: {sizes:?}");
            }
        }
    }
}
