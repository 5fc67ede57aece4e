//! The taint engine: memcheck sees every branch and address computed from secret bytes.
//!
//! The suite marks each secret input undefined (`MAKE_MEM_UNDEFINED`) just before calling the
//! check and marks the result defined after, so memcheck's "Conditional jump or move depends on
//! uninitialised value(s)" and "Use of uninitialised value of size N" inside the call are exactly
//! the secret-dependent branches and addresses. Memcheck does not check the operands of division
//! or other variable-latency instructions: the audit engine covers those.

use std::path::Path;
use std::time::Duration;

use crate::declassify_site::{self, Allowed};
use crate::engine::flow::{self, Declassified, Site, TaintedSite};
use crate::engine::{CheckResult, EngineName, Verdict};
use crate::process::{self, Launch};
use crate::progress::Progress;
use crate::protocol::{self, Record};

/// Memcheck error kinds that mean "secret-dependent control flow or address".
pub const LEAK_KINDS: [&str; 2] = ["UninitCondition", "UninitValue"];

/// One stack frame of a memcheck error.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Frame {
    /// Function name as valgrind demangled it.
    pub function: String,
    /// Source file (with its directory) when debug info has it.
    pub file: Option<String>,
    /// Line number.
    pub line: Option<u32>,
    /// Object file.
    pub object: Option<String>,
}

impl Frame {
    /// `file:line`, or the function name when there is no line info.
    pub fn location(&self) -> String {
        match (&self.file, self.line) {
            (Some(f), Some(l)) => format!("{f}:{l}"),
            _ => self.function.clone(),
        }
    }
}

/// One error from memcheck's XML whose stack passes through the check's harness frame: a
/// branch or an address that depended on secret (undefined) bytes.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct MemcheckError {
    /// Error kind (`UninitCondition`, `UninitValue`, ...).
    pub kind: String,
    /// Valgrind's message.
    pub message: String,
    /// The stack, innermost first.
    pub stack: Vec<Frame>,
    /// With `--track-origins=yes`, the stack where the undefined bytes were made, when memcheck
    /// knows it (for ct-verify: a client request, from the harness, `Secret::new` or
    /// `declassify`); empty otherwise.
    pub origin: Vec<Frame>,
}

impl MemcheckError {
    /// Whether the error happened inside a check call (the stack passes through the harness's
    /// call frame).
    pub fn inside_check(&self) -> bool {
        self.stack
            .iter()
            .any(|f| f.function.contains(protocol::CALL_FRAME))
    }

    /// Frames from the innermost down to (not including) the harness's call frame.
    pub fn check_frames(&self) -> &[Frame] {
        let end = self
            .stack
            .iter()
            .position(|f| f.function.contains(protocol::CALL_FRAME))
            .unwrap_or(self.stack.len());
        &self.stack[..end]
    }
}

/// Parses memcheck's `--xml=yes` output.
pub fn parse_xml(text: &str) -> Result<Vec<MemcheckError>, String> {
    Ok(parse_xml_sections(text)?
        .into_iter()
        .map(|(_, e)| e)
        .collect())
}

/// Parses memcheck's XML output, tagging each error with the index of the last
/// [`protocol::BEGIN_MESSAGE`] before it (the check it first happened in).
pub fn parse_xml_sections(text: &str) -> Result<Vec<(Option<usize>, MemcheckError)>, String> {
    // Valgrind writes the closing tag only at exit; a crashed run leaves it off.
    let owned;
    let text = if text.contains("</valgrindoutput>") {
        text
    } else {
        owned = format!("{text}\n</valgrindoutput>\n");
        &owned
    };
    let doc = roxmltree::Document::parse(text).map_err(|e| format!("memcheck XML: {e}"))?;
    let mut out = Vec::new();
    let mut section = None;
    for e in doc.root_element().children() {
        if e.has_tag_name("clientmsg") {
            if let Some(n) = child_text(e, "text").and_then(|t| {
                t.trim()
                    .strip_prefix(protocol::BEGIN_MESSAGE.trim())
                    .and_then(|n| n.trim().parse().ok())
            }) {
                section = Some(n);
            }
        } else if e.has_tag_name("error") {
            out.push((section, memcheck_error(e)));
        }
    }
    Ok(out)
}

/// The trimmed text of `n`'s first child element named `name`.
fn child_text(n: roxmltree::Node<'_, '_>, name: &str) -> Option<String> {
    n.children()
        .find(|c| c.has_tag_name(name))
        .and_then(|c| c.text())
        .map(|s| s.trim().to_string())
}

/// One `<error>` element. The first stack is the error's; with origin tracking, the one after
/// the `auxwhat` "Uninitialised value was created by ..." is the origin's.
fn memcheck_error(e: roxmltree::Node<'_, '_>) -> MemcheckError {
    let message = child_text(e, "what")
        .or_else(|| {
            e.children()
                .find(|c| c.has_tag_name("xwhat"))
                .and_then(|x| child_text(x, "text"))
        })
        .unwrap_or_default();
    let mut stacks = e.children().filter(|c| c.has_tag_name("stack"));
    MemcheckError {
        kind: child_text(e, "kind").unwrap_or_default(),
        message,
        stack: stack_frames(stacks.next()),
        origin: stack_frames(stacks.next()),
    }
}

/// The frames of a `<stack>` element (none without one).
fn stack_frames(stack: Option<roxmltree::Node<'_, '_>>) -> Vec<Frame> {
    stack
        .iter()
        .flat_map(|s| s.children())
        .filter(|c| c.has_tag_name("frame"))
        .map(|f| Frame {
            function: child_text(f, "fn")
                .unwrap_or_else(|| child_text(f, "ip").unwrap_or_default()),
            file: match (child_text(f, "dir"), child_text(f, "file")) {
                (Some(d), Some(f)) => Some(format!("{d}/{f}")),
                (None, Some(f)) => Some(f),
                _ => None,
            },
            line: child_text(f, "line").and_then(|l| l.parse().ok()),
            object: child_text(f, "obj"),
        })
        .collect()
}

/// Turns memcheck's errors into a verdict for `target` (through the shared
/// [`flow::judge`](crate::engine::flow::judge)).
///
/// `panicked` lists the calls that panicked (`public|input`, message): panicking for some secret
/// inputs and not others is secret-dependent control flow, a leak in itself. An error whose
/// origin is a `declassify()` inside the check (see [`origin`]) is a leak too, unless
/// its `.declassify()` call is one of the `allowed` sites (`Config::allow_declassify`): then it
/// is listed as intended.
pub fn judge(
    target: &str,
    errors: &[MemcheckError],
    calls: usize,
    panicked: &[(String, String)],
    allowed: &[String],
) -> CheckResult {
    let allowed: Vec<(&String, Allowed)> = allowed
        .iter()
        .filter_map(|a| declassify_site::parse(a).ok().map(|p| (a, p)))
        .collect();
    let mut sites = Vec::new();
    let mut outside = 0usize;
    let mut seen = std::collections::BTreeSet::new();
    for e in errors {
        if !LEAK_KINDS.contains(&e.kind.as_str()) {
            continue;
        }
        if !e.inside_check() {
            outside += 1;
            continue;
        }
        let frames = e.check_frames();
        let top = frames
            .iter()
            .find(|f| !is_std_frame(f))
            .or(frames.first())
            .cloned()
            .unwrap_or_default();
        let declassified = match origin(e) {
            Origin::DeclassifiedOutside => continue,
            Origin::Secret => None,
            Origin::DeclassifiedInside(call, stack) => Some(declassified(&call, &stack, &allowed)),
        };
        let decl_key = declassified.as_ref().map(|d| d.location.clone());
        if !seen.insert((e.kind.clone(), top.location(), decl_key)) {
            continue;
        }
        sites.push(Site::Tainted(tainted_site(e, frames, &top, declassified)));
    }
    sites.extend(
        panicked
            .iter()
            .map(|(i, m)| Site::Panicked(i.clone(), m.clone())),
    );
    flow::judge(
        target,
        &flow::Evidence {
            source: flow::Source::Taint {
                calls,
                errors_outside_check: outside,
            },
            sites,
        },
    )
}

/// The `.declassify()` call that made an error's value undefined again, and the allowed site
/// (`Config::allow_declassify`, as the user wrote it) that covers it, if any.
fn declassified(call: &Frame, stack: &[Frame], allowed: &[(&String, Allowed)]) -> Declassified {
    Declassified {
        location: call.location(),
        function: call.function.clone(),
        stack: stack
            .iter()
            .map(|f| format!("{} at {}", f.function, f.location()))
            .collect(),
        place: short_path(&call.location()),
        allowed_by: allowed
            .iter()
            .find(|(_, a)| a.matches(&call.function, call.file.as_deref(), call.line))
            .map(|(text, _)| (*text).clone()),
    }
}

/// The site of a memcheck error inside the check: `top` is the frame it is reported at (the
/// first outside the standard library), `frames` the stack down to the check.
fn tainted_site(
    e: &MemcheckError,
    frames: &[Frame],
    top: &Frame,
    declassified: Option<Declassified>,
) -> TaintedSite {
    TaintedSite {
        kind: e.kind.clone(),
        message: e.message.clone(),
        location: top.location(),
        function: top.function.clone(),
        innermost: frames.first().map(Frame::location),
        stack: frames
            .iter()
            .map(|f| format!("{} at {}", f.function, f.location()))
            .collect(),
        place: short_path(&top.location()),
        declassified,
    }
}

/// Where the undefined bytes of a memcheck error came from (its origin stack, with
/// `--track-origins=yes`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Origin {
    /// The secret (the harness's request, `Secret::new`), or memcheck does not know.
    Secret,
    /// A `declassify()` inside the check: the `.declassify()` call (the first frame of the
    /// origin stack outside secret-core and the standard library) and the origin stack down to
    /// the harness's call frame.
    DeclassifiedInside(Frame, Vec<Frame>),
    /// A `declassify()` outside the check (the suite's setup): public, as for the check.
    DeclassifiedOutside,
}

/// The origin of an error's bytes.
///
/// The client request that made them undefined is inlined into secret-core's `declassify()`
/// (`Secret::declassify`, `SecretBool::declassify`, the `Declassify` impls), whose frame names
/// it with inline info: the innermost run of secret-core frames contains a function named
/// `declassify`. The harness's request (in ct-verify) and `Secret::new`'s (`new`) never do.
pub fn origin(e: &MemcheckError) -> Origin {
    let library = e
        .origin
        .iter()
        .take_while(|f| is_secret_core_frame(f) || is_std_frame(f))
        .count();
    if !e.origin[..library]
        .iter()
        .any(|f| is_secret_core_frame(f) && base_name(&f.function) == "declassify")
    {
        return Origin::Secret;
    }
    let Some(end) = e
        .origin
        .iter()
        .position(|f| f.function.contains(protocol::CALL_FRAME))
    else {
        return Origin::DeclassifiedOutside;
    };
    match e.origin.get(library) {
        Some(call) if library < end => {
            Origin::DeclassifiedInside(call.clone(), e.origin[..end].to_vec())
        }
        _ => Origin::Secret,
    }
}

/// `<[T; N] as a::Declassify>::declassify<u8>` -> `declassify`.
fn base_name(function: &str) -> &str {
    let tail = function.rsplit(">::").next().unwrap_or(function);
    let tail = tail.split('<').next().unwrap_or_default();
    tail.rsplit("::").next().unwrap_or_default()
}

fn is_secret_core_path(p: &str) -> bool {
    p.contains("/secret-core/src/") || p.contains("/secret-core-")
}

/// Whether a frame is secret-core's own code (by its source path; by its name without one).
pub fn is_secret_core_frame(f: &Frame) -> bool {
    match &f.file {
        Some(p) => is_secret_core_path(p),
        None => f.function.starts_with("secret_core::") || f.function.starts_with("<secret_core::"),
    }
}

/// Whether a frame is in the standard library (its sources live under `/rustc/<hash>/`): the
/// reported location is the first frame outside it, where the caller's code is.
pub fn is_std_frame(f: &Frame) -> bool {
    f.file.as_deref().is_some_and(|p| p.starts_with("/rustc/"))
}

/// Shortens a path for the human table: relative to the current directory when below it,
/// `crate-x.y.z/src/...` for registry sources, `library/...` for the standard library.
pub fn short_path(p: &str) -> String {
    if let Ok(cwd) = std::env::current_dir() {
        if let Ok(rel) = Path::new(p).strip_prefix(&cwd) {
            return rel.display().to_string();
        }
    }
    if let Some(i) = p.find("/.cargo/registry/src/") {
        let rest = &p[i + "/.cargo/registry/src/".len()..];
        if let Some(j) = rest.find('/') {
            return rest[j + 1..].to_string();
        }
    }
    if let Some(rest) = p.strip_prefix("/rustc/") {
        if let Some(j) = rest.find('/') {
            return rest[j + 1..].to_string();
        }
    }
    p.to_string()
}

/// Runs the checks `targets` of the suite `exe` under memcheck, all in one process, and returns
/// one result per check, in order. `timeout` is per check.
///
/// Memcheck reports an error only the first time it sees its stack, so a check that repeats an
/// error an earlier check already made (shared library code) shows a count but no new error: such
/// a check, and any the process did not reach (a crash), is run again on its own. `progress`
/// shows the checks done.
///
/// Checks with a tainted branch or address are run a second time, with `--track-origins=yes`
/// (several times slower, so only for them): the origin of each error tells a use of the
/// secret from a use of a value declassified inside the check, and names that `declassify()`.
pub fn run(memcheck: &Memcheck<'_>, targets: &[String], progress: &Progress) -> Vec<CheckResult> {
    let mut results = memcheck.pass(targets, progress, false);
    let again: Vec<usize> = (0..targets.len())
        .filter(|&i| {
            matches!(&results[i].evidence, crate::engine::Evidence::Flow(f)
                if f.sites.iter().any(|s| matches!(s, Site::Tainted(_))))
        })
        .collect();
    if again.is_empty() {
        return results;
    }
    let names: Vec<String> = again.iter().map(|&i| targets[i].clone()).collect();
    let traced = memcheck.pass(&names, &Progress::hidden(), true);
    for (i, r) in again.into_iter().zip(traced) {
        // A check that fails only under origin tracking keeps its first verdict.
        if r.verdict != Verdict::Error {
            results[i] = r;
        }
    }
    results
}

/// The suite executable under memcheck: where it runs and how long a check may take.
pub struct Memcheck<'a> {
    /// The suite executable.
    pub exe: &'a Path,
    /// Its working directory (the package root), or this process's.
    pub cwd: Option<&'a Path>,
    /// Where memcheck's XML and the suite's records go.
    pub scratch: &'a Path,
    /// Per check (a process over several checks gets their sum; twice that with origins).
    pub timeout: Duration,
}

impl Memcheck<'_> {
    /// One pass over `targets` (`origins`: with `--track-origins=yes`): one process for all,
    /// then a process of its own for each check that one did not finish.
    fn pass(&self, targets: &[String], progress: &Progress, origins: bool) -> Vec<CheckResult> {
        let mut results: Vec<Option<CheckResult>> = vec![None; targets.len()];
        let batch = self.run_once(targets, origins, &mut |n| progress.set(n));
        let mut retry = Vec::new();
        for (i, target) in targets.iter().enumerate() {
            match &batch {
                Ok(b) => match b.get(i) {
                    Some(Some(r)) => results[i] = Some(r.clone()),
                    _ if targets.len() > 1 => retry.push(i),
                    _ => {
                        results[i] =
                            Some(CheckResult::error(target, EngineName::Taint, "no result"))
                    }
                },
                Err(e) if targets.len() == 1 => {
                    results[i] = Some(CheckResult::error(target, EngineName::Taint, e.clone()))
                }
                Err(_) => retry.push(i),
            }
        }
        progress.set(targets.len() - retry.len());
        for (done, i) in (targets.len() - retry.len() + 1..).zip(retry) {
            let one = std::slice::from_ref(&targets[i]);
            results[i] = Some(match self.run_once(one, origins, &mut |_| {}) {
                Ok(mut r) => r.pop().flatten().unwrap_or_else(|| {
                    CheckResult::error(&targets[i], EngineName::Taint, "no result")
                }),
                Err(e) => CheckResult::error(&targets[i], EngineName::Taint, e),
            });
            progress.set(done);
        }
        results
            .into_iter()
            .zip(targets)
            .map(|(r, t)| {
                r.unwrap_or_else(|| CheckResult::error(t, EngineName::Taint, "no result"))
            })
            .collect()
    }
    /// One memcheck process over `targets` (`origins`: with `--track-origins=yes`): `None` for a
    /// check that needs a run of its own. `finished(n)`: n checks done so far.
    fn run_once(
        &self,
        targets: &[String],
        origins: bool,
        finished: &mut dyn FnMut(usize),
    ) -> Result<Vec<Option<CheckResult>>, String> {
        let Memcheck {
            exe,
            cwd,
            scratch,
            timeout,
        } = *self;
        let xml = scratch.join("memcheck.xml");
        let _ = std::fs::remove_file(&xml);
        let names = targets.join("\n");
        let launch = Launch {
            exe,
            mode: "taint",
            target: Some(&names),
            wrapper: memcheck_command(&xml, origins),
            env: Vec::new(),
            inherit_stderr: false,
            // Origin tracking makes memcheck up to about twice as slow.
            timeout: timeout * targets.len().max(1) as u32 * if origins { 2 } else { 1 },
            cwd,
        };
        let run = process::run_suite_watched(&launch, scratch, finished)
            .map_err(|e| format!("cannot start valgrind: {e}"))?;
        let text = std::fs::read_to_string(&xml)
            .map_err(|e| format!("memcheck wrote no XML ({e}); {}", run.failure()))?;
        let errors = parse_xml_sections(&text)?;
        let single = targets.len() == 1;
        Ok(targets
            .iter()
            .enumerate()
            .map(|(i, target)| match process::outcome(&run, target) {
                Some(Record::Done {
                    calls,
                    memcheck_errors,
                    panicked,
                    allow_declassify,
                    ..
                }) => {
                    let mine: Vec<MemcheckError> = errors
                        .iter()
                        .filter(|(s, _)| *s == Some(i))
                        .map(|(_, e)| e.clone())
                        .collect();
                    let result = judge(target, &mine, *calls, panicked, allow_declassify);
                    let no_site = matches!(&result.evidence,
                    crate::engine::Evidence::Flow(f) if f.sites.is_empty());
                    if no_site && *memcheck_errors > 0 && !single {
                        None
                    } else {
                        Some(result)
                    }
                }
                Some(Record::Panic { message, .. }) => Some(CheckResult::error(
                    target,
                    EngineName::Taint,
                    format!("panicked: {message}"),
                )),
                _ if single => Some(CheckResult::error(target, EngineName::Taint, run.failure())),
                _ => None,
            })
            .collect())
    }
}

/// valgrind's command line: memcheck writing XML to `xml`, every error kept, inline frames
/// read, and stacks deep enough to reach the harness frame that marks an error as inside the
/// check (`origins`: with `--track-origins=yes`).
fn memcheck_command(xml: &Path, origins: bool) -> Vec<String> {
    vec![
        "valgrind".into(),
        "--tool=memcheck".into(),
        "--xml=yes".into(),
        format!("--xml-file={}", xml.display()),
        "--error-limit=no".into(),
        "--leak-check=no".into(),
        format!("--track-origins={}", if origins { "yes" } else { "no" }),
        "--read-inline-info=yes".into(),
        "--num-callers=500".into(),
        "--child-silent-after-fork=yes".into(),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    const SAMPLE: &str = r#"<?xml version="1.0"?>
<valgrindoutput>
<protocolversion>4</protocolversion>
<error>
  <unique>0x0</unique>
  <tid>1</tid>
  <kind>UninitCondition</kind>
  <what>Conditional jump or move depends on uninitialised value(s)</what>
  <stack>
    <frame><ip>0x1</ip><obj>/x/ct</obj><fn>ct::leaky_eq</fn><dir>/src/benches</dir><file>ct.rs</file><line>12</line></frame>
    <frame><ip>0x2</ip><obj>/x/ct</obj><fn>ct_verify::call::ct_verify_target_call</fn></frame>
    <frame><ip>0x3</ip><obj>/x/ct</obj><fn>main</fn></frame>
  </stack>
</error>
<error>
  <unique>0x1</unique>
  <tid>1</tid>
  <kind>UninitValue</kind>
  <what>Use of uninitialised value of size 8</what>
  <stack>
    <frame><ip>0x4</ip><obj>/x/ct</obj><fn>ct::harness</fn><dir>/src</dir><file>h.rs</file><line>3</line></frame>
  </stack>
</error>
</valgrindoutput>
"#;

    #[test]
    fn parses_and_keeps_errors_inside_the_check() {
        let errors = parse_xml(SAMPLE).unwrap();
        assert_eq!(errors.len(), 2);
        assert!(errors[0].inside_check());
        assert!(!errors[1].inside_check());
        let r = judge("leaky_eq", &errors, 6, &[], &[]);
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.evidence.to_json()["errors"][0]["location"],
            "/src/benches/ct.rs:12"
        );
        assert_eq!(r.evidence.to_json()["errors_outside_check"], 1);
    }

    /// One branch at lib.rs:144 whose bytes were made undefined by the client request inlined
    /// into `origin_fn` (secret-core's bool.rs), called from lib.rs:143: the shape memcheck
    /// gives with `--track-origins=yes`.
    fn with_origin(origin_fn: &str) -> String {
        format!(
            r#"<?xml version="1.0"?>
<valgrindoutput>
<error>
  <kind>UninitCondition</kind>
  <what>Conditional jump or move depends on uninitialised value(s)</what>
  <stack>
    <frame><ip>0x1</ip><fn>corpus::poly1305_final_reduce</fn><dir>/c/src</dir><file>lib.rs</file><line>144</line></frame>
    <frame><ip>0x2</ip><fn>ct_verify::call::ct_verify_target_call</fn></frame>
  </stack>
  <auxwhat>Uninitialised value was created by a client request</auxwhat>
  <stack>
    <frame><ip>0x3</ip><fn>{origin_fn}</fn><dir>/w/secret-core</dir><file>src/bool.rs</file><line>57</line></frame>
    <frame><ip>0x4</ip><fn>map&lt;u8&gt;</fn><dir>/rustc/abc</dir><file>library/core/src/array/mod.rs</file><line>5</line></frame>
    <frame><ip>0x5</ip><fn>corpus::poly1305_final_reduce</fn><dir>/c/src</dir><file>lib.rs</file><line>143</line></frame>
    <frame><ip>0x6</ip><fn>ct_verify::call::ct_verify_target_call</fn></frame>
  </stack>
</error>
</valgrindoutput>
"#
        )
    }

    #[test]
    fn a_use_of_a_declassified_value_leaks_with_both_places_unless_allowed() {
        let errors = parse_xml(&with_origin("declassify")).unwrap();
        assert_eq!(errors[0].origin.len(), 4);
        let r = judge("poly", &errors, 6, &[], &[]);
        assert_eq!(r.verdict, Verdict::Leak);
        assert_eq!(
            r.summary,
            "/c/src/lib.rs:144: branch on a value declassified at /c/src/lib.rs:143"
        );
        let json = r.evidence.to_json();
        assert_eq!(json["errors"][0]["location"], "/c/src/lib.rs:144");
        assert_eq!(
            json["errors"][0]["declassified_at"]["location"],
            "/c/src/lib.rs:143"
        );
        // A site that is not this one allows nothing.
        for other in ["other_fn", "lib.rs:144", "src/lib.rs:1"] {
            let r = judge("poly", &errors, 6, &[], &[other.to_string()]);
            assert_eq!(r.verdict, Verdict::Leak, "{other}");
        }
        for site in ["poly1305_final_reduce", "src/lib.rs:143", "lib.rs:143"] {
            let r = judge("poly", &errors, 6, &[], &[site.to_string()]);
            assert_eq!(r.verdict, Verdict::ConstantTime, "{site}");
            let json = r.evidence.to_json();
            assert_eq!(json["errors"], serde_json::json!([]));
            assert_eq!(json["intended_declassify"][0]["allowed_by"], site);
            assert_eq!(
                json["intended_declassify"][0]["declassified_at"]["location"],
                "/c/src/lib.rs:143"
            );
            assert!(r.summary.contains("1 intended use"), "{}", r.summary);
        }
    }

    #[test]
    fn a_value_declassified_before_the_check_is_public() {
        let xml = with_origin("declassify").replace(
            "<frame><ip>0x6</ip><fn>ct_verify::call::ct_verify_target_call</fn></frame>",
            "<frame><ip>0x6</ip><fn>main</fn></frame>",
        );
        let errors = parse_xml(&xml).unwrap();
        assert_eq!(origin(&errors[0]), Origin::DeclassifiedOutside);
        let r = judge("poly", &errors, 6, &[], &[]);
        assert_eq!(r.verdict, Verdict::ConstantTime, "{}", r.summary);
    }

    #[test]
    fn a_use_of_the_secret_itself_is_never_allowed() {
        // `Secret::new` (inlined `new`) or the harness made the bytes: not a declassify, so an
        // allowed site does not excuse it.
        for origin in ["new&lt;u64&gt;", "ct_verify::suite::run_taint"] {
            let errors = parse_xml(&with_origin(origin)).unwrap();
            let r = judge("poly", &errors, 6, &[], &["poly1305_final_reduce".into()]);
            assert_eq!(r.verdict, Verdict::Leak, "{origin}");
            assert!(r.evidence.to_json()["errors"][0]
                .get("declassified_at")
                .is_none());
        }
        assert_eq!(
            base_name("<[T; N] as secret_core::Declassify>::declassify<u8>"),
            "declassify"
        );
        assert_eq!(
            base_name("secret_core::Secret<T>::declassify"),
            "declassify"
        );
    }

    #[test]
    fn truncated_xml_still_parses() {
        let cut = SAMPLE.replace("</valgrindoutput>", "");
        assert_eq!(parse_xml(&cut).unwrap().len(), 2);
    }
}
