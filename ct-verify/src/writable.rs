//! Output paths (`--output`, `--save-baseline`, `--plot`) checked before any build or run, so a
//! typo in a path fails in a second with a one-line error instead of after all the work.
//!
//! Writability is tested by doing: a file that exists is opened for appending (not truncated);
//! otherwise a probe file is created in its directory and removed again. Permission bits alone
//! would lie for root, read-only mounts and ACLs.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};

/// The directory a file argument lands in (`report.json` alone means the current directory).
fn parent_dir(path: &Path) -> PathBuf {
    match path.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    }
}

/// Whether a new file can be created in the existing directory `dir`: creates and removes a probe.
fn dir_accepts_files(dir: &Path) -> Result<(), std::io::Error> {
    let probe = dir.join(format!(".ct-verify-probe-{}", std::process::id()));
    OpenOptions::new()
        .write(true)
        .create_new(true)
        .open(&probe)?;
    std::fs::remove_file(&probe)
}

/// An error unless `path` (the value of `flag`) can be written as a file: it is an existing
/// writable file, or its directory exists and accepts new files.
pub fn check_file(flag: &str, path: &Path) -> Result<(), String> {
    if path.is_dir() {
        return Err(format!(
            "{flag} {} is a directory: give a file name, for example {}",
            path.display(),
            path.join("report.json").display()
        ));
    }
    if path.exists() {
        return OpenOptions::new()
            .append(true)
            .open(path)
            .map(drop)
            .map_err(|e| {
                format!(
                    "{flag} {}: the file is not writable ({e}): fix its permissions or choose another path",
                    path.display()
                )
            });
    }
    let dir = parent_dir(path);
    if !dir.is_dir() {
        return Err(format!(
            "{flag} {}: directory {} does not exist: create it (`mkdir -p {}`) or choose another path",
            path.display(),
            dir.display(),
            dir.display()
        ));
    }
    dir_accepts_files(&dir).map_err(|e| {
        format!(
            "{flag} {}: cannot create files in directory {} ({e}): fix its permissions or choose another path",
            path.display(),
            dir.display()
        )
    })
}

/// An error unless `dir` (the value of `flag`) is a writable directory or can be created: its
/// nearest existing ancestor must be a directory that accepts new entries. Creates nothing.
pub fn check_dir(flag: &str, dir: &Path) -> Result<(), String> {
    let mut existing = dir.to_path_buf();
    while !existing.exists() {
        existing = parent_dir(&existing);
    }
    if !existing.is_dir() {
        return Err(format!(
            "{flag} {}: {} is a file, not a directory: choose another path",
            dir.display(),
            existing.display()
        ));
    }
    dir_accepts_files(&existing).map_err(|e| {
        let what = if existing == dir {
            format!("cannot create files in {}", dir.display())
        } else {
            format!(
                "cannot create {} inside {}",
                dir.display(),
                existing.display()
            )
        };
        format!(
            "{flag} {}: {what} ({e}): fix its permissions or choose another path",
            dir.display()
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scratch(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!("ctv-writable-{}-{name}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        std::fs::create_dir_all(&dir).unwrap();
        dir
    }

    #[test]
    fn files() {
        let d = scratch("files");
        assert!(check_file("--output", &d.join("new.json")).is_ok());
        let existing = d.join("old.json");
        std::fs::write(&existing, "kept").unwrap();
        assert!(check_file("--output", &existing).is_ok());
        // Checking does not truncate an existing file, and leaves no probe behind.
        assert_eq!(std::fs::read_to_string(&existing).unwrap(), "kept");
        assert_eq!(std::fs::read_dir(&d).unwrap().count(), 1);
        let e = check_file("--output", &d.join("missing/new.json")).unwrap_err();
        assert!(
            e.contains("--output") && e.contains("does not exist") && e.contains("mkdir -p"),
            "{e}"
        );
        let e = check_file("--save-baseline", &d).unwrap_err();
        assert!(
            e.contains("--save-baseline") && e.contains("is a directory"),
            "{e}"
        );
        let _ = std::fs::remove_dir_all(&d);
    }

    #[test]
    fn dirs() {
        let d = scratch("dirs");
        assert!(check_dir("--plot", &d).is_ok());
        assert!(check_dir("--plot", &d.join("a/b/c")).is_ok());
        // Nothing was created.
        assert!(!d.join("a").exists());
        let file = d.join("file");
        std::fs::write(&file, "").unwrap();
        let e = check_dir("--plot", &file.join("plots")).unwrap_err();
        assert!(e.contains("--plot") && e.contains("is a file"), "{e}");
        let _ = std::fs::remove_dir_all(&d);
    }
}
