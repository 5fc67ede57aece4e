//! [`Suite`] and [`Config`] on the device: the host API, without allocation.
//!
//! The suite does not store its checks: the command line is read when the suite is made, and
//! each `check` either lists itself (`ctv list`) or, when it is the one asked for, runs at once.

use core::hint::black_box;

use cortex_m_semihosting::hprintln;
use rand_core::RngCore;

use crate::input::Input;
use crate::runtime::{self, EXIT_UNKNOWN_CHECK, EXIT_USAGE};

/// Default number of random secret inputs per check (as on the host).
pub const DEFAULT_RANDOM_INPUTS: usize = 4;
/// Default number of public inputs when a generator is given (as on the host).
pub const DEFAULT_PUBLIC_INPUTS: usize = 2;
/// Fixed corner cases a check can have on the device (they are stored without allocation).
pub const MAX_FIXED: usize = 8;
/// Longest semihosting command line: a random secret travels in it as hex, so secret inputs
/// are limited to about 1000 bytes on the device.
const COMMAND_LINE_MAX: usize = 2100;
const DEFAULT_SEED: u64 = 0x5eed_c7e1;

/// How a check is run: its fixed corner cases, how many random inputs, and its public inputs;
/// the same builder as the host's `ct_verify::Config`.
pub struct Config<S, P = (), G = fn(&mut dyn RngCore) -> P> {
    fixed: [Option<S>; MAX_FIXED],
    fixed_len: usize,
    random: usize,
    public: G,
    publics: usize,
    _p: core::marker::PhantomData<fn() -> P>,
}

impl<S: Input> Default for Config<S, ()> {
    fn default() -> Self {
        Self::new()
    }
}

impl<S: Input> Config<S, ()> {
    /// No fixed inputs, [`DEFAULT_RANDOM_INPUTS`] random ones, no public input.
    pub fn new() -> Self {
        Self {
            fixed: core::array::from_fn(|_| None),
            fixed_len: 0,
            random: DEFAULT_RANDOM_INPUTS,
            public: |_| (),
            publics: 1,
            _p: core::marker::PhantomData,
        }
    }
}

impl<S: Input, P, G: Fn(&mut dyn RngCore) -> P> Config<S, P, G> {
    /// Adds a secret corner case.
    ///
    /// # Panics
    ///
    /// With more than [`MAX_FIXED`] of them (the device stores them without allocating).
    pub fn fixed(mut self, input: S) -> Self {
        assert!(
            self.fixed_len < MAX_FIXED,
            "ct-verify: at most {} fixed inputs per check on Cortex-M",
            MAX_FIXED
        );
        self.fixed[self.fixed_len] = Some(input);
        self.fixed_len += 1;
        self
    }

    /// Sets how many random secret inputs to use (at least one is always used).
    pub fn random_inputs(mut self, n: usize) -> Self {
        self.random = n.max(1);
        self
    }

    /// Gives the check a public input made by `generator`, from a generator seeded per check.
    pub fn public<Q, H: Fn(&mut dyn RngCore) -> Q>(self, generator: H) -> Config<S, Q, H> {
        Config {
            fixed: self.fixed,
            fixed_len: self.fixed_len,
            random: self.random,
            public: generator,
            publics: DEFAULT_PUBLIC_INPUTS,
            _p: core::marker::PhantomData,
        }
    }

    /// Sets how many public values to draw (at least one).
    pub fn public_inputs(mut self, n: usize) -> Self {
        self.publics = n.max(1);
        self
    }

    /// The host's `Config::allow_declassify`, accepted so that one bench file builds for both.
    /// It has no effect on the device: there is no taint under QEMU, the trace engine compares
    /// traces and cannot tell a use of a declassified value from any other branch.
    pub fn allow_declassify(self, _site: &str) -> Self {
        self
    }

    /// The host's `Config::dictionary` (bytes of the public input for `--search-budget`),
    /// accepted so that one bench file builds for both; the search runs on the host only, so
    /// the device ignores it.
    pub fn dictionary<D: AsRef<[u8]>, B: Fn(&P) -> D>(self, bytes: B) -> Self {
        let _ = bytes;
        self
    }
}

/// Which secret input the host asked for.
#[derive(Clone, Copy)]
enum Label {
    Zeros,
    Ones,
    Fixed(usize),
    Random,
}

/// What the command line asks for.
#[derive(Clone, Copy)]
enum Request {
    List,
    Run {
        index: usize,
        public: usize,
        label: Label,
        /// Byte range of the hex of a random input in the command line.
        hex: (usize, usize),
        systick: bool,
    },
    Dudect {
        index: usize,
        public: usize,
    },
}

/// The semihosting command line, read once into static memory: a `Suite` moves by value
/// through every `check` of the chain, so it must stay small (Cortex-M0 boards have 16 KiB of
/// RAM for the stack and everything else).
struct CommandLine {
    bytes: core::cell::UnsafeCell<[u8; COMMAND_LINE_MAX]>,
    len: core::sync::atomic::AtomicUsize,
}

// SAFETY: the firmware is single-threaded and no interrupt handler touches the command line;
// `bytes` is written only by `read_command_line`, before `len` is set, and read only after.
unsafe impl Sync for CommandLine {}

static COMMAND_LINE: CommandLine = CommandLine {
    bytes: core::cell::UnsafeCell::new([0; COMMAND_LINE_MAX]),
    len: core::sync::atomic::AtomicUsize::new(usize::MAX),
};

/// The command line, read from the host on the first call.
fn read_command_line() -> Option<&'static [u8]> {
    use core::sync::atomic::Ordering::SeqCst;
    let mut len = COMMAND_LINE.len.load(SeqCst);
    if len == usize::MAX {
        // SAFETY: single-threaded; `len` is still unset, so no shared reference to `bytes`
        // exists yet (they are only handed out below, after `len` is set).
        let buf = unsafe { &mut *COMMAND_LINE.bytes.get() };
        len = runtime::command_line(buf)?;
        COMMAND_LINE.len.store(len, SeqCst);
    }
    // SAFETY: `len` is set: `bytes` is never written again, so shared references are sound.
    let buf: &'static [u8; COMMAND_LINE_MAX] = unsafe { &*COMMAND_LINE.bytes.get() };
    buf.get(..len)
}

/// The checks of one bench file, on the device.
pub struct Suite {
    line: &'static [u8],
    request: Request,
    next: usize,
    seed: u64,
}

impl Default for Suite {
    fn default() -> Self {
        Self::new()
    }
}

fn parse_usize(w: &[u8]) -> Option<usize> {
    if w.is_empty() || w.len() > 9 {
        return None;
    }
    w.iter().try_fold(0usize, |acc, &c| {
        c.is_ascii_digit().then(|| acc * 10 + usize::from(c - b'0'))
    })
}

fn hex_digit(c: u8) -> Option<u8> {
    match c {
        b'0'..=b'9' => Some(c - b'0'),
        b'a'..=b'f' => Some(c - b'a' + 10),
        b'A'..=b'F' => Some(c - b'A' + 10),
        _ => None,
    }
}

/// Splits the command line into words: (start, end) byte ranges.
fn words(line: &[u8]) -> impl Iterator<Item = (usize, usize)> + '_ {
    let mut at = 0;
    core::iter::from_fn(move || {
        while at < line.len() && line[at] == b' ' {
            at += 1;
        }
        if at >= line.len() {
            return None;
        }
        let start = at;
        while at < line.len() && line[at] != b' ' {
            at += 1;
        }
        Some((start, at))
    })
}

fn parse_request(line: &[u8]) -> Option<Request> {
    let mut w = words(line).map(|(a, b)| (a, b, &line[a..b]));
    // The first word is the program name.
    w.next()?;
    match w.next()?.2 {
        b"list" => Some(Request::List),
        b"run" => {
            let index = parse_usize(w.next()?.2)?;
            let public = parse_usize(w.next()?.2)?;
            let label = w.next()?.2;
            let label = if label == b"zeros" {
                Label::Zeros
            } else if label == b"ones" {
                Label::Ones
            } else if let Some(i) = label.strip_prefix(b"fixed#") {
                Label::Fixed(parse_usize(i)?)
            } else if label.starts_with(b"random#") {
                Label::Random
            } else {
                return None;
            };
            let (a, b, _) = w.next()?;
            let systick = match w.next() {
                None => false,
                Some((_, _, b"systick")) => true,
                Some(_) => return None,
            };
            Some(Request::Run {
                index,
                public,
                label,
                hex: (a, b),
                systick,
            })
        }
        b"dudect" => {
            let index = parse_usize(w.next()?.2)?;
            let public = parse_usize(w.next()?.2)?;
            w.next()
                .is_none()
                .then_some(Request::Dudect { index, public })
        }
        _ => None,
    }
}

impl Suite {
    /// Reads the host's request from the semihosting command line.
    pub fn new() -> Self {
        let Some(line) = read_command_line() else {
            hprintln!("ctv: no semihosting command line (run through `cargo ct-verify --target`)");
            runtime::exit_with(EXIT_USAGE)
        };
        let Some(request) = parse_request(line) else {
            hprintln!("ctv: malformed command line (expected `list` or `run INDEX PUBLIC LABEL HEX [systick]`)");
            runtime::exit_with(EXIT_USAGE)
        };
        Suite {
            line,
            request,
            next: 0,
            seed: DEFAULT_SEED,
        }
    }

    /// Sets the seed of the public-input generator.
    pub fn seed(mut self, seed: u64) -> Self {
        self.seed = seed;
        self
    }

    /// Adds a check of `f` over a secret input `&S`.
    pub fn check<S, R, F>(self, name: &str, f: F) -> Self
    where
        S: Input,
        F: Fn(&S) -> R,
    {
        self.check_with(name, Config::new(), move |s: &S, _: &()| f(s))
    }

    /// Adds a check of `f` over a secret input `&S` and a public input `&P`, run as `config` says.
    pub fn check_with<S, P, G, R, F>(mut self, name: &str, config: Config<S, P, G>, f: F) -> Self
    where
        S: Input,
        G: Fn(&mut dyn RngCore) -> P,
        F: Fn(&S, &P) -> R,
    {
        let index = self.next;
        self.next += 1;
        match self.request {
            Request::List => {
                hprintln!(
                    "check {} {} {} {} {} {}",
                    index,
                    S::SIZE,
                    config.fixed_len,
                    config.random,
                    config.publics,
                    name
                );
            }
            Request::Run {
                index: wanted,
                public,
                label,
                hex,
                systick,
            } if wanted == index => {
                let secret = match label {
                    Label::Zeros => S::zeros(),
                    Label::Ones => S::ones(),
                    Label::Fixed(i) if i < config.fixed_len => match &config.fixed[i] {
                        Some(s) => s.clone(),
                        None => usage("no such fixed input"),
                    },
                    Label::Fixed(_) => usage("no such fixed input"),
                    Label::Random => from_hex::<S>(&self.line[hex.0..hex.1]),
                };
                let p = public_value(&config, self.seed, name, public);
                let syst = if systick {
                    match runtime::systick_start() {
                        Some(s) => Some(s),
                        None => usage("SysTick is taken"),
                    }
                } else {
                    None
                };
                let before = cortex_m::peripheral::SYST::get_current();
                call(&f, &secret, &p);
                let after = cortex_m::peripheral::SYST::get_current();
                if let Some(mut syst) = syst {
                    syst.disable_counter();
                    hprintln!("ticks {}", before.wrapping_sub(after) & 0x00FF_FFFF);
                }
                hprintln!("ctv: ran {}", index);
                runtime::exit_with(0)
            }
            Request::Dudect {
                index: wanted,
                public,
            } if wanted == index => {
                if S::SIZE > crate::dudect::MAX_SIZE {
                    usage("dudect takes secret inputs of at most 256 bytes on the device");
                }
                let fixed = match &config.fixed[0] {
                    Some(s) => s.clone(),
                    None => S::zeros(),
                };
                let p = public_value(&config, self.seed, name, public);
                let mut rng = crate::dudect::XorShift32(0x2545_f491);
                let out = dudect_with_timer(&f, &fixed, &p, &mut rng);
                let test = match out.0.test {
                    ct_verify_stats::TestKind::Uncropped => "uncropped",
                    ct_verify_stats::TestKind::Cropped(_) => "cropped",
                    ct_verify_stats::TestKind::SecondOrder => "second-order",
                };
                let verdict = match out.0.verdict {
                    ct_verify_stats::StatVerdict::Leak => "leak",
                    ct_verify_stats::StatVerdict::NoEvidence => "constant-time",
                    ct_verify_stats::StatVerdict::Inconclusive => "inconclusive",
                };
                let o = &out.0;
                hprintln!(
                    "dudect {} {:.3} {} {} {:.3} {:.3} {} {} {} {}",
                    verdict,
                    o.t,
                    test,
                    o.measurements,
                    o.fixed_mean,
                    o.random_mean,
                    o.resolution,
                    o.reps,
                    o.samples,
                    out.1
                );
                hprintln!("ctv: ran {}", index);
                runtime::exit_with(0)
            }
            Request::Run { .. } | Request::Dudect { .. } => {}
        }
        self
    }

    /// Finishes: after a listing, exits 0; a `run` that reaches this named no check (exit 3).
    pub fn run(self) {
        match self.request {
            Request::List => {
                hprintln!("ctv: end");
                runtime::exit_with(0)
            }
            Request::Run { index, .. } | Request::Dudect { index, .. } => {
                hprintln!("ctv: unknown check {} (the suite has {})", index, self.next);
                runtime::exit_with(EXIT_UNKNOWN_CHECK)
            }
        }
    }
}

/// The check, called once between the markers; its result is kept until after the end marker.
#[inline(never)]
fn call<S, P, R, F: Fn(&S, &P) -> R>(f: &F, secret: &S, public: &P) {
    let secret = black_box(secret);
    let public = black_box(public);
    crate::runtime::ct_marker_start();
    let r = black_box(f(secret, public));
    crate::runtime::ct_marker_end();
    drop(r);
}

/// The `public`-th value of the check's public-input generator.
fn public_value<S, P, G: Fn(&mut dyn RngCore) -> P>(
    config: &Config<S, P, G>,
    seed: u64,
    name: &str,
    public: usize,
) -> P {
    let mut rng = SplitMix(check_seed(seed, name));
    let mut p = None;
    for _ in 0..=public {
        p = Some((config.public)(&mut rng));
    }
    match p {
        Some(p) => p,
        None => usage("no public input"),
    }
}

/// Never inlined, for the reason given at [`crate::dudect::run`].
///
/// dudect with the timer this build uses: SysTick, or the DWT cycle counter with the `dwt`
/// feature on ARMv7-M/ARMv8-M (stops with a message where it does not count, as under QEMU).
#[inline(never)]
fn dudect_with_timer<S: Input, P, R, F: Fn(&S, &P) -> R>(
    f: &F,
    fixed: &S,
    p: &P,
    rng: &mut crate::dudect::XorShift32,
) -> (crate::dudect::Outcome, &'static str) {
    use ct_verify_stats::sampling::Ticks;
    let Some(mut peripherals) = cortex_m::Peripherals::take() else {
        usage("the peripherals are taken")
    };
    #[cfg(all(feature = "dwt", not(ctv_armv6m)))]
    {
        peripherals.DCB.enable_trace();
        cortex_m::peripheral::DWT::unlock();
        peripherals.DWT.enable_cycle_counter();
        let mut t = crate::dudect::Dwt;
        let a = t.now();
        for _ in 0..100 {
            cortex_m::asm::nop();
        }
        let b = t.now();
        if t.elapsed(a, b) == 0 {
            usage("the DWT cycle counter does not count (QEMU does not emulate it: build without the dwt feature)");
        }
        let unit = t.unit();
        (crate::dudect::run(&mut t, f, fixed, p, rng), unit)
    }
    #[cfg(not(all(feature = "dwt", not(ctv_armv6m))))]
    {
        use cortex_m::peripheral::syst::SystClkSource;
        let syst = &mut peripherals.SYST;
        syst.disable_interrupt();
        syst.set_clock_source(SystClkSource::Core);
        syst.set_reload(0x00FF_FFFF);
        syst.clear_current();
        syst.enable_counter();
        let mut t = crate::dudect::SysTick;
        let unit = t.unit();
        (crate::dudect::run(&mut t, f, fixed, p, rng), unit)
    }
}

fn usage(what: &str) -> ! {
    hprintln!("ctv: {}", what);
    runtime::exit_with(EXIT_USAGE)
}

fn from_hex<S: Input>(hex: &[u8]) -> S {
    let mut bytes = [0u8; COMMAND_LINE_MAX / 2];
    if hex.len() != 2 * S::SIZE || S::SIZE > bytes.len() {
        usage("the random input's hex has the wrong length");
    }
    for (i, pair) in hex.chunks(2).enumerate() {
        match (hex_digit(pair[0]), hex_digit(pair[1])) {
            (Some(h), Some(l)) => bytes[i] = (h << 4) | l,
            _ => usage("the random input is not hex"),
        }
    }
    S::from_bytes(&bytes[..S::SIZE])
}

/// Each check's public inputs come from their own stream (adding a check changes no other's).
fn check_seed(seed: u64, name: &str) -> u64 {
    let mut h = seed;
    for b in name.bytes() {
        h = (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3);
    }
    h
}

/// splitmix64: the public-input generator on the device (deterministic, no state to seed).
struct SplitMix(u64);

impl RngCore for SplitMix {
    fn next_u32(&mut self) -> u32 {
        (self.next_u64() >> 32) as u32
    }
    fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
    fn fill_bytes(&mut self, dest: &mut [u8]) {
        for chunk in dest.chunks_mut(8) {
            let v = self.next_u64().to_le_bytes();
            chunk.copy_from_slice(&v[..chunk.len()]);
        }
    }
}
