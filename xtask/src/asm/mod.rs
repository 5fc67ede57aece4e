//! Reading compiler-emitted assembly listings (`rustc --emit asm`): function bodies with
//! LLVM's aliases followed, and per instruction set ([`x86`], [`thumb`]) which stores zero a
//! heap block before it is freed and which instructions write to the stack.

pub mod thumb;
pub mod x86;

/// One `.s` file and the character that starts a comment in its syntax (`#` in AT&T x86,
/// `@` in Arm, where `#` marks immediates).
pub struct Listing {
    text: String,
    comment: char,
}

impl Listing {
    pub fn new(text: String, comment: char) -> Listing {
        Listing { text, comment }
    }

    /// The function that `name` is an alias of, when LLVM merged two functions with identical
    /// code (`name = other` or `.set name, other`).
    pub fn alias_of(&self, name: &str) -> Option<String> {
        self.text.lines().find_map(|line| {
            let words: Vec<&str> = line.split_whitespace().collect();
            if words.first() == Some(&".set") && words.len() >= 3 {
                let alias = words[1].trim_end_matches(',');
                return (alias.trim_start_matches('_') == name)
                    .then(|| words[2].trim_start_matches('_').to_string());
            }
            let (left, right) = line.split_once('=')?;
            (left.trim().trim_start_matches('_') == name && !left.starts_with(char::is_whitespace))
                .then(|| right.split_whitespace().next())
                .flatten()
                .map(|target| target.trim_start_matches('_').to_string())
        })
    }

    /// `name`, or `name (= other: LLVM merged the two, their code is identical)`.
    pub fn describe(&self, name: &str) -> String {
        match self.alias_of(name) {
            Some(target) => {
                format!("{name} (= {target}: LLVM merged the two, their code is identical)")
            }
            None => name.to_string(),
        }
    }

    /// The instructions of one function (aliases followed), whitespace-normalized, without
    /// directives, labels and comments; `None` when the function is not in the listing.
    pub fn body(&self, name: &str) -> Option<Vec<String>> {
        let mut name = name.to_string();
        for _ in 0..3 {
            match self.alias_of(&name) {
                Some(target) => name = target,
                None => break,
            }
        }
        let mut lines = self.text.lines();
        lines.find(|line| {
            let rest = line
                .strip_prefix('_')
                .unwrap_or(line)
                .strip_prefix(name.as_str());
            rest.is_some_and(|r| r.starts_with(':'))
        })?;
        let mut body = Vec::new();
        for line in lines {
            if ends_function(line) {
                break;
            }
            let code = line.split(self.comment).next().unwrap_or_default().trim();
            if code.is_empty() || code.starts_with('.') || code.ends_with(':') {
                continue;
            }
            body.push(code.split_whitespace().collect::<Vec<_>>().join(" "));
        }
        Some(body)
    }
}

/// The end-of-function markers (`.Lfunc_endN:`, `.cfi_endproc`, `.fnend`, `.size`), or the
/// next global label.
fn ends_function(line: &str) -> bool {
    let t = line.trim_start();
    let directive = t.strip_prefix('.').unwrap_or(t);
    let marker = (directive.starts_with("Lfunc_end") && directive.ends_with(':'))
        || ["cfi_endproc", "seh_endproc", "fnend"].contains(&directive.trim_end())
        || directive.starts_with("size ")
        || directive.starts_with("size\t");
    let global_label = !line.starts_with(|c: char| c.is_whitespace() || ".#L".contains(c))
        && line
            .split_whitespace()
            .next()
            .is_some_and(|w| w.ends_with(':'));
    marker || global_label
}

/// A store of zeros into the block: `width` bytes at `offset`.
#[derive(Debug, PartialEq)]
pub struct Store {
    pub offset: i64,
    pub width: i64,
    pub insn: String,
}

/// What a function does to its heap block before the free.
#[derive(Debug, Default, PartialEq)]
pub struct Wipe {
    /// Zero stores into the block, up to the free.
    pub stores: Vec<Store>,
    /// The instruction that frees the block, if it was reached.
    pub dealloc: Option<String>,
    /// Calls to `memset`/`bzero` that were not counted as zero stores.
    pub memsets: Vec<String>,
}

impl Wipe {
    /// How many bytes of `[0, size)` the zero stores cover.
    pub fn covered(&self, size: i64) -> i64 {
        (0..size)
            .filter(|byte| {
                self.stores
                    .iter()
                    .any(|s| s.offset <= *byte && *byte < s.offset + s.width)
            })
            .count() as i64
    }

    /// The store instructions, `; `-separated.
    pub fn stores_text(&self) -> String {
        let insns: Vec<&str> = self.stores.iter().map(|s| s.insn.as_str()).collect();
        insns.join("; ")
    }
}

/// Splits an operand list at the commas outside brackets: `%xmm0, 16(%rdi,%rax)` or
/// `r1, [r0, #4]`.
pub fn split_operands(text: &str) -> Vec<String> {
    let mut ops = Vec::new();
    let (mut depth, mut current) = (0i32, String::new());
    for c in text.chars() {
        match c {
            '(' | '[' | '{' => depth += 1,
            ')' | ']' | '}' => depth -= 1,
            ',' if depth == 0 => {
                ops.push(current.trim().to_string());
                current.clear();
                continue;
            }
            _ => {}
        }
        current.push(c);
    }
    if !current.trim().is_empty() {
        ops.push(current.trim().to_string());
    }
    ops
}

/// An instruction's mnemonic and operands.
pub fn parse(line: &str) -> (&str, Vec<String>) {
    let (mnemonic, rest) = line.split_once(' ').unwrap_or((line, ""));
    (mnemonic, split_operands(rest))
}

#[cfg(test)]
mod tests {
    use super::*;

    const LISTING: &str = "\
\t.section\t.text.wipe_box_secret_u64,\"ax\",@progbits
\t.globl\twipe_box_secret_u64
wipe_box_secret_u64:                # @wipe_box_secret_u64
\t.cfi_startproc
\tmovq\t$0, (%rdi)   # a comment
\t#MEMBARRIER
.LBB0_1:
\tjmp\t__rust_dealloc@PLT
.Lfunc_end0:
\t.size\twipe_box_secret_u64, .Lfunc_end0-wipe_box_secret_u64
other:
\tretq
.set naive_box_u64, wipe_box_secret_u64
";

    #[test]
    fn bodies_without_directives_labels_and_comments() {
        let l = Listing::new(LISTING.into(), '#');
        assert_eq!(
            l.body("wipe_box_secret_u64").unwrap(),
            ["movq $0, (%rdi)", "jmp __rust_dealloc@PLT"]
        );
        assert_eq!(l.body("other").unwrap(), ["retq"]);
        assert_eq!(l.body("missing"), None);
    }

    #[test]
    fn aliases_are_followed_and_described() {
        let l = Listing::new(LISTING.into(), '#');
        assert_eq!(
            l.alias_of("naive_box_u64").as_deref(),
            Some("wipe_box_secret_u64")
        );
        assert_eq!(l.body("naive_box_u64"), l.body("wipe_box_secret_u64"));
        assert!(l
            .describe("naive_box_u64")
            .contains("(= wipe_box_secret_u64: LLVM merged"));
        let eq = Listing::new("a = b\n".into(), '#');
        assert_eq!(eq.alias_of("a").as_deref(), Some("b"));
    }

    #[test]
    fn operands_split_outside_brackets() {
        assert_eq!(
            split_operands("%xmm0, 16(%rdi,%rax)"),
            ["%xmm0", "16(%rdi,%rax)"]
        );
        assert_eq!(split_operands("r1, [r0, #4]"), ["r1", "[r0, #4]"]);
        assert_eq!(split_operands("{r4, r5, r7, lr}"), ["{r4, r5, r7, lr}"]);
    }

    #[test]
    fn coverage_counts_bytes_once() {
        let store = |offset, width| Store {
            offset,
            width,
            insn: String::new(),
        };
        let wipe = Wipe {
            stores: vec![store(0, 16), store(8, 8), store(24, 4)],
            ..Wipe::default()
        };
        assert_eq!(wipe.covered(32), 20);
        assert_eq!(wipe.covered(8), 8);
    }
}
