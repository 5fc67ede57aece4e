//! `--search-budget`: a search for secrets that change a check's instruction count, beside the
//! all-zero, all-ones, fixed and random ones.
//!
//! The generic inputs rarely reach the paths that matter: an early-exit compare of the secret
//! against a public 32-byte value runs the same instructions for every input that misses at
//! byte 0, so all of them have one count and the count engine calls it constant-time. The search
//! is differential fuzzing guided by instruction counts (the idea of DifFuzz and ct-fuzz): it
//! mutates the inputs seen so far and keeps a candidate as a new seed when its count is one no
//! earlier input had. Mutations flip bits, set bytes to chosen or random values, splice two
//! seeds, and copy bytes of a dictionary into the secret; the dictionary is the public input's
//! bytes ([`crate::Config::dictionary`]), which is what makes a compare against a public value
//! match a longer prefix with each find.
//!
//! It runs inside the suite, in the same callgrind process as the check's generic inputs: each
//! candidate is one call, collected and dumped like theirs (label `search#K`), and the suite
//! reads the dump's total straight back from callgrind's output file to decide. Dumps of
//! candidates that found nothing new are deleted; those of the kept ones stay, so the runner
//! reads them as inputs of the check and the count engine compares them with the others.

use std::collections::BTreeSet;
use std::path::PathBuf;
use std::time::{Duration, Instant};

use rand::{Rng, SeedableRng};

use crate::engine::callgrind;
use crate::input::Input;
use crate::protocol::{self, FoundInput, SearchRecord};

/// Secrets kept per check and public input at most: each is one more dump for the runner to
/// read, and a leak needs only one (a loop over a secret count finds a new count nearly every
/// time).
pub const MAX_FOUND: usize = 8;

/// Values a mutation sets a byte to, besides random ones and the dictionary's.
const INTERESTING: [u8; 6] = [0x00, 0x01, 0x7f, 0x80, 0xfe, 0xff];

/// Where the search reads counts, and how long it may run: from the environment the runner
/// sets in `count` mode ([`protocol::SEARCH_BUDGET`], [`protocol::CALLGRIND_OUT`]).
pub(crate) struct Budget {
    /// Wall-clock time per check, shared by its public inputs.
    pub per_check: Duration,
    /// Callgrind's `--callgrind-out-file`: dump N is `<file>.N`.
    dump_file: PathBuf,
}

impl Budget {
    /// `None` when no search was asked for (unset or 0).
    pub fn from_env() -> Option<Budget> {
        let seconds: f64 = std::env::var(protocol::SEARCH_BUDGET).ok()?.parse().ok()?;
        if !(seconds.is_finite() && seconds > 0.0) {
            return None;
        }
        Some(Budget {
            per_check: Duration::from_secs_f64(seconds),
            dump_file: std::env::var_os(protocol::CALLGRIND_OUT)?.into(),
        })
    }

    fn dump_path(&self, dump: usize) -> PathBuf {
        let mut name = self.dump_file.clone().into_os_string();
        name.push(format!(".{dump}"));
        name.into()
    }

    /// Instructions of callgrind's dump number `dump` in the executable's own code
    /// ([`callgrind::own_total`]: libc's share depends on what the search itself allocated
    /// between calls), or `None` when the file cannot be read.
    pub fn total(&self, dump: usize) -> Option<u64> {
        callgrind::own_total(&std::fs::read_to_string(self.dump_path(dump)).ok()?)
    }

    fn discard(&self, dump: usize) {
        let _ = std::fs::remove_file(self.dump_path(dump));
    }
}

/// Mutates byte strings of one length.
pub struct Mutator {
    rng: rand::rngs::StdRng,
    dictionary: Vec<u8>,
}

impl Mutator {
    /// A mutator drawing from `seed` and copying from `dictionary` (may be empty).
    pub fn new(seed: u64, dictionary: Vec<u8>) -> Self {
        Self {
            rng: rand::rngs::StdRng::seed_from_u64(seed),
            dictionary,
        }
    }

    /// Index of the seed to mutate next: the newest one half of the time (a search that just
    /// found a longer match goes on from it), else any.
    pub fn pick(&mut self, seeds: usize) -> usize {
        if seeds == 0 || self.rng.random_bool(0.5) {
            seeds.saturating_sub(1)
        } else {
            self.rng.random_range(0..seeds)
        }
    }

    /// `base` changed by one to three mutations; `other` (same length) is what a splice copies
    /// from.
    pub fn mutate(&mut self, base: &[u8], other: &[u8]) -> Vec<u8> {
        let mut v = base.to_vec();
        let n = v.len();
        if n == 0 {
            return v;
        }
        let rounds = self.rng.random_range(1..=3);
        for _ in 0..rounds {
            let kinds = if self.dictionary.is_empty() { 4 } else { 7 };
            let i = self.rng.random_range(0..n);
            match self.rng.random_range(0..kinds) {
                0 => v[i] ^= 1 << self.rng.random_range(0..8),
                1 => v[i] = INTERESTING[self.rng.random_range(0..INTERESTING.len())],
                2 => v[i] = self.rng.random(),
                3 => {
                    let end = self.rng.random_range(i + 1..=n).min(other.len());
                    if i < end {
                        v[i..end].copy_from_slice(&other[i..end]);
                    }
                }
                // The dictionary's bytes at the same offsets: a run from i (a compare of the
                // secret with the public value matches there when the bytes line up).
                4 => {
                    let end = self.rng.random_range(i + 1..=n).min(self.dictionary.len());
                    if i < end {
                        v[i..end].copy_from_slice(&self.dictionary[i..end]);
                    }
                }
                // A run of the dictionary anywhere.
                5 => {
                    let d = self.dictionary.len();
                    let from = self.rng.random_range(0..d);
                    let len = self.rng.random_range(1..=(n - i).min(d - from));
                    v[i..i + len].copy_from_slice(&self.dictionary[from..from + len]);
                }
                _ => v[i] = self.dictionary[self.rng.random_range(0..self.dictionary.len())],
            }
        }
        v
    }
}

/// Every value of one byte of a seed, then of the next byte: the search's answer to a compare
/// with a value it has no dictionary for. A byte-wise early exit shows its next byte's match as
/// a new count within 255 candidates, and each find restarts the sweep at the byte after the
/// one that changed, so a prefix grows by one byte per find.
pub struct Sweep {
    base: Vec<u8>,
    position: usize,
    value: u16,
}

impl Sweep {
    /// Sweeps `base` from byte `position` on (wrapping around).
    pub fn new(base: Vec<u8>, position: usize) -> Self {
        let position = if base.is_empty() {
            0
        } else {
            position % base.len()
        };
        Self {
            base,
            position,
            value: 0,
        }
    }

    /// The next candidate, and the byte it changed (`None` for an empty seed).
    pub fn next_candidate(&mut self) -> Option<(Vec<u8>, usize)> {
        let n = self.base.len();
        if n == 0 {
            return None;
        }
        loop {
            if self.value > 255 {
                self.value = 0;
                self.position = (self.position + 1) % n;
            }
            let v = self.value as u8;
            self.value += 1;
            if v != self.base[self.position] {
                let mut candidate = self.base.clone();
                candidate[self.position] = v;
                return Some((candidate, self.position));
            }
        }
    }
}

/// What one candidate's call did.
pub(crate) struct Outcome {
    /// Callgrind's dump number of the call.
    pub dump: usize,
    /// The call's panic message, if it panicked.
    pub panic: Option<String>,
}

/// What [`search`] leaves for the suite's `Done` record: the kept candidates' labels and
/// panic messages.
#[derive(Default)]
pub(crate) struct Kept {
    /// Labels of the kept candidates, whose dumps stay.
    pub labels: Vec<String>,
    /// (label, message) of kept candidates that panicked (for some secrets only: a leak).
    pub panicked: Vec<(String, String)>,
}

/// Searches for secrets of `check` (public input `public`) whose instruction count no earlier
/// input had, until `deadline` or [`MAX_FOUND`] finds. `seeds`: the generic inputs and their
/// counts (`None`: the dump could not be read, so the search cannot compare and does not run).
/// `call(secret, label)` runs the check once under collection and dumps it with that label.
#[allow(clippy::too_many_arguments)]
pub(crate) fn search<S: Input>(
    budget: &Budget,
    check: &str,
    public: usize,
    seeds: &[(&S, Option<u64>)],
    dictionary: Vec<u8>,
    rng_seed: u64,
    deadline: Instant,
    call: &mut dyn FnMut(&S, &str) -> Outcome,
) -> (SearchRecord, Kept) {
    let started = Instant::now();
    let mut record = SearchRecord {
        target: check.to_string(),
        public,
        ..SearchRecord::default()
    };
    let mut kept = Kept::default();
    let (mut corpus, mut seen) = match seed_corpus(seeds) {
        Ok(seeded) => seeded,
        Err(why) => {
            record.skipped = why;
            return (record, kept);
        }
    };
    let mut mutator = Mutator::new(rng_seed, dictionary);
    let mut sweep = Sweep::new(corpus.first().cloned().unwrap_or_default(), 0);
    while Instant::now() < deadline && record.found.len() < MAX_FOUND && !corpus.is_empty() {
        let (bytes, changed) = candidate(record.candidates, &mut sweep, &mut mutator, &corpus);
        let Some(secret) = S::from_bytes(&mut &bytes[..]) else {
            record.skipped = format!(
                "`{}` cannot be made from its own byte form (Input::from_bytes)",
                std::any::type_name::<S>()
            );
            break;
        };
        let label = format!("search#{}", record.candidates);
        record.candidates += 1;
        let outcome = call(&secret, &label);
        let count = budget.total(outcome.dump);
        let new_count = count.is_some_and(|c| seen.insert(c));
        if new_count || outcome.panic.is_some() {
            record.found.push(FoundInput {
                label: label.clone(),
                secret: hex(&bytes),
                instructions: count.unwrap_or(0),
            });
            if let Some(message) = outcome.panic {
                kept.panicked.push((label.clone(), message));
            }
            kept.labels.push(label);
            sweep = Sweep::new(bytes.clone(), changed + 1);
            corpus.push(bytes);
        } else {
            budget.discard(outcome.dump);
        }
    }
    record.millis = started.elapsed().as_millis() as u64;
    (record, kept)
}

/// The generic inputs' bytes and their distinct counts, or why the search cannot run: a
/// secret without a byte form, an unreadable dump, or counts that already differ.
fn seed_corpus<S: Input>(
    seeds: &[(&S, Option<u64>)],
) -> Result<(Vec<Vec<u8>>, BTreeSet<u64>), String> {
    let mut corpus = Vec::new();
    let mut seen = BTreeSet::new();
    for (secret, count) in seeds {
        let mut bytes = Vec::new();
        if secret.to_bytes(&mut bytes).is_none() {
            return Err(format!(
                "the secret type `{}` has no byte form (Input::to_bytes) to mutate",
                std::any::type_name::<S>()
            ));
        }
        let Some(count) = count else {
            return Err("callgrind's dump of a generic input could not be read".into());
        };
        corpus.push(bytes);
        seen.insert(*count);
    }
    if seen.len() > 1 {
        return Err("the generic inputs' counts already differ".into());
    }
    Ok((corpus, seen))
}

/// Candidate number `n`: every other one from the sweep, the others mutated from the corpus.
/// Also returns the first byte that differs from the input it came from.
fn candidate(
    n: u64,
    sweep: &mut Sweep,
    mutator: &mut Mutator,
    corpus: &[Vec<u8>],
) -> (Vec<u8>, usize) {
    let swept = match n % 2 {
        0 => sweep.next_candidate(),
        _ => None,
    };
    swept.unwrap_or_else(|| {
        let base = mutator.pick(corpus.len());
        let other = mutator.pick(corpus.len());
        let bytes = mutator.mutate(&corpus[base], &corpus[other]);
        let changed = bytes.iter().zip(&corpus[base]).position(|(a, b)| a != b);
        (bytes, changed.unwrap_or(0))
    })
}

/// Lower-case hexadecimal.
pub fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// The bytes of a [`hex`] string (`None` for anything else).
pub fn unhex(text: &str) -> Option<Vec<u8>> {
    if text.len() % 2 != 0 {
        return None;
    }
    (0..text.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(text.get(i..i + 2)?, 16).ok())
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn mutations_keep_the_length_and_use_the_dictionary() {
        let dictionary: Vec<u8> = (1..=32).collect();
        let mut m = Mutator::new(7, dictionary.clone());
        let zeros = [0u8; 32];
        let mut longest = 0;
        for _ in 0..2000 {
            let v = m.mutate(&zeros, &zeros);
            assert_eq!(v.len(), 32);
            let prefix = v
                .iter()
                .zip(&dictionary)
                .take_while(|(a, b)| a == b)
                .count();
            longest = longest.max(prefix);
        }
        // Aligned runs of the dictionary reach whole prefixes in one step.
        assert!(longest >= 8, "longest prefix {longest}");
        // Without a dictionary no byte of it appears except by chance: the mutations change
        // one to three places.
        let mut m = Mutator::new(7, Vec::new());
        for _ in 0..200 {
            let v = m.mutate(&zeros, &[0xaa; 32]);
            assert_eq!(v.len(), 32);
        }
        assert!(Mutator::new(1, Vec::new()).mutate(&[], &[]).is_empty());
    }

    #[test]
    fn the_sweep_tries_every_other_value_of_each_byte_in_turn() {
        let mut sweep = Sweep::new(vec![7, 0], 1);
        let first: Vec<(Vec<u8>, usize)> =
            (0..256).map(|_| sweep.next_candidate().unwrap()).collect();
        // Byte 1: the 255 values other than its own, then byte 0 from value 0.
        assert_eq!(first[0], (vec![7, 1], 1));
        assert_eq!(first[254], (vec![7, 255], 1));
        assert_eq!(first[255], (vec![0, 0], 0));
        assert!(first[..255].iter().all(|c| c.0[0] == 7 && c.0[1] != 0));
        // Byte 0 skips its own value 7, then wraps round to byte 1.
        let rest: Vec<(Vec<u8>, usize)> =
            (0..255).map(|_| sweep.next_candidate().unwrap()).collect();
        assert!(rest[..254].iter().all(|c| c.1 == 0 && c.0[0] != 7));
        assert_eq!(rest[254], (vec![7, 1], 1));
        assert_eq!(Sweep::new(Vec::new(), 3).next_candidate(), None);
    }

    #[test]
    fn hex_round_trips() {
        assert_eq!(hex(&[0, 0xab, 0x10]), "00ab10");
        assert_eq!(unhex("00ab10"), Some(vec![0, 0xab, 0x10]));
        assert_eq!(unhex("0"), None);
        assert_eq!(unhex("zz"), None);
    }
}
