//! secret-core's modules depend on each other one way only, and `arch` (fences, SIMD, `asm!`)
//! on none of them.
//!
//! A module here is a top-level module of the crate (`src/mask.rs` is `mask`; `src/arch/` and
//! everything under it is `arch`). Module `a` depends on module `b` when code in `a` (comments
//! excluded) names a `crate::` path that leads to `b`, directly (`crate::b::..`,
//! `use crate::{b, ..}`) or through one of lib.rs's `pub use crate::b::Item` re-exports
//! (`crate::Item`). A cycle in that graph fails the test and is printed.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

type Graph = BTreeMap<String, BTreeSet<String>>;

/// `text` without `//` comments (line, doc and inner doc comments alike). A `//` inside a
/// string literal would cut the line short; secret-core has none on a line that names `crate::`.
fn strip_comments(text: &str) -> String {
    text.lines()
        .map(|line| line.split("//").next().unwrap_or(""))
        .collect::<Vec<_>>()
        .join("\n")
}

/// The first path segment of every `crate::` path in `code`: `crate::mask::Mask` gives `mask`,
/// `crate::{taint, CtEq}` gives `taint` and `CtEq`.
fn crate_paths(code: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = code;
    while let Some(at) = rest.find("crate::") {
        let after = &rest[at + "crate::".len()..];
        if let Some(group) = after.strip_prefix('{') {
            let end = group.find('}').unwrap_or(group.len());
            out.extend(group[..end].split(',').filter_map(first_segment));
        } else if let Some(name) = first_segment(after) {
            out.push(name);
        }
        rest = after;
    }
    out
}

/// The identifier at the start of `path` (after whitespace), if any.
fn first_segment(path: &str) -> Option<String> {
    let name: String = path
        .trim_start()
        .chars()
        .take_while(|c| c.is_alphanumeric() || *c == '_')
        .collect();
    (!name.is_empty()).then_some(name)
}

/// lib.rs's `pub use crate::module::Item;` lines as `Item -> module`.
fn reexports(lib: &str) -> BTreeMap<String, String> {
    strip_comments(lib)
        .lines()
        .filter_map(|line| line.trim().strip_prefix("pub use crate::"))
        .filter_map(|path| {
            let path = path.trim_end_matches(';');
            let (module, item) = path.split_once("::")?;
            Some((item.to_string(), module.to_string()))
        })
        .collect()
}

/// The module graph of `files` (module name, source text; several files may share a module).
fn graph(lib: &str, files: &[(String, String)]) -> Graph {
    let items = reexports(lib);
    let modules: BTreeSet<&str> = files.iter().map(|(m, _)| m.as_str()).collect();
    let mut g = Graph::new();
    for (module, text) in files {
        let deps = g.entry(module.clone()).or_default();
        for name in crate_paths(&strip_comments(text)) {
            let target = items.get(&name).cloned().unwrap_or(name);
            if target != *module && modules.contains(target.as_str()) {
                deps.insert(target);
            }
        }
    }
    g
}

/// One cycle of `g` as `a -> b -> .. -> a`, or `None` when the graph is acyclic.
fn find_cycle(g: &Graph) -> Option<String> {
    fn visit<'g>(
        g: &'g Graph,
        node: &'g str,
        path: &mut Vec<&'g str>,
        done: &mut BTreeSet<&'g str>,
    ) -> Option<String> {
        if let Some(start) = path.iter().position(|n| *n == node) {
            let mut cycle = path[start..].to_vec();
            cycle.push(node);
            return Some(cycle.join(" -> "));
        }
        if !done.insert(node) {
            return None;
        }
        path.push(node);
        for dep in g.get(node).into_iter().flatten() {
            if let Some(cycle) = visit(g, dep, path, done) {
                return Some(cycle);
            }
        }
        path.pop();
        None
    }
    let mut done = BTreeSet::new();
    g.keys()
        .find_map(|node| visit(g, node, &mut Vec::new(), &mut done))
}

/// Every `.rs` file under `dir` with the top-level module it belongs to (lib.rs excluded).
fn source_files(src: &Path) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let mut stack = vec![src.to_path_buf()];
    while let Some(dir) = stack.pop() {
        for entry in std::fs::read_dir(&dir).expect("read src/") {
            let path = entry.expect("read src/ entry").path();
            if path.is_dir() {
                stack.push(path);
                continue;
            }
            let rel = path.strip_prefix(src).expect("under src/");
            let top = rel.components().next().expect("non-empty path");
            let module = Path::new(top.as_os_str()).with_extension("");
            let module = module.to_str().expect("UTF-8 file name").to_string();
            if path.extension().is_some_and(|e| e == "rs") && module != "lib" {
                let text = std::fs::read_to_string(&path).expect("read a source file");
                out.push((module, text));
            }
        }
    }
    out
}

fn crate_graph() -> Graph {
    let src = Path::new(env!("CARGO_MANIFEST_DIR")).join("src");
    let lib = std::fs::read_to_string(src.join("lib.rs")).expect("read src/lib.rs");
    graph(&lib, &source_files(&src))
}

#[test]
fn secret_core_modules_have_no_import_cycle() {
    let g = crate_graph();
    assert!(g.len() > 10, "too few modules found: {g:?}");
    if let Some(cycle) = find_cycle(&g) {
        panic!("import cycle in secret-core: {cycle}\nmodule graph: {g:#?}");
    }
}

#[test]
fn arch_uses_nothing_above_it() {
    let g = crate_graph();
    let deps = &g["arch"];
    assert!(
        deps.is_empty(),
        "arch/ must be the bottom layer, it uses {deps:?}"
    );
}

#[test]
fn the_graph_sees_every_kind_of_crate_path() {
    // Negative controls for the parser: each of these edges must be found, or the tests above
    // could pass on a crate whose modules do form a cycle.
    let lib = "pub use crate::secret::Secret;\n";
    let files = [
        ("mask".into(), "use crate::word::Unsigned;".into()),
        (
            "word".into(),
            "fn f() -> crate::mask::Mask { Mask::ZERO }".into(),
        ),
        ("bool".into(), "use crate::{taint,\n    Secret};".into()),
        (
            "secret".into(),
            "/// crate::bool::SecretBool in a doc comment\n".into(),
        ),
        ("taint".into(), String::new()),
    ];
    let g = graph(lib, &files);
    assert_eq!(g["mask"], BTreeSet::from(["word".to_string()]));
    assert_eq!(g["word"], BTreeSet::from(["mask".to_string()]));
    assert_eq!(
        g["bool"],
        BTreeSet::from(["taint".to_string(), "secret".to_string()])
    );
    assert!(g["secret"].is_empty(), "comments are not dependencies");
    let cycle = find_cycle(&g).expect("mask <-> word is a cycle");
    assert!(cycle == "mask -> word -> mask" || cycle == "word -> mask -> word");
}

#[test]
fn an_acyclic_graph_passes() {
    let files = [
        (
            "lookup".into(),
            "use crate::mask::Mask; use crate::arch;".into(),
        ),
        ("mask".into(), "use crate::arch::fence_usize;".into()),
        ("arch".into(), String::new()),
    ];
    assert_eq!(find_cycle(&graph("", &files)), None);
}
