//! Check names are the key of every report row, JUnit test case and baseline entry, which do
//! not say which bench target a check comes from. Two bench targets of one run that declare a
//! check of the same name would therefore collide (the baseline would keep only one of them),
//! so such a run is refused before any check runs, naming both bench targets.

use std::collections::BTreeMap;

/// The bench target that declared each check name seen so far in a run.
#[derive(Debug, Default)]
pub struct Names {
    owner: BTreeMap<String, String>,
}

impl Names {
    /// Records that bench target `bench` declares `names` (all of its checks, before
    /// `--filter`); an error naming both bench targets when one of the names was already
    /// declared by another. `bench` should say enough to find it (the firmware path and the
    /// host path both pass the bench target's name; a workspace run adds the package).
    pub fn claim<'a>(
        &mut self,
        bench: &str,
        names: impl IntoIterator<Item = &'a String>,
    ) -> Result<(), String> {
        for name in names {
            match self.owner.get(name) {
                Some(first) if first != bench => {
                    return Err(format!(
                        "check `{name}` is declared by two bench targets, {first} and {bench}: \
                         reports and baselines name a check by its name alone, so rename one \
                         of them (or run one bench target with --bench)"
                    ));
                }
                Some(_) => {}
                None => {
                    self.owner.insert(name.clone(), bench.to_string());
                }
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_name_of_two_benches_is_refused_naming_both() {
        let mut n = Names::default();
        let a: Vec<String> = vec!["eq".into(), "lookup".into()];
        let b: Vec<String> = vec!["select".into(), "eq".into()];
        n.claim("bench `ct`", &a).unwrap();
        let e = n.claim("bench `ct_more`", &b).unwrap_err();
        assert!(
            e.contains("`eq`") && e.contains("bench `ct`") && e.contains("bench `ct_more`"),
            "{e}"
        );
    }

    #[test]
    fn distinct_names_pass() {
        let mut n = Names::default();
        n.claim("bench `a`", &vec!["x".to_string()]).unwrap();
        n.claim("bench `b`", &vec!["y".to_string()]).unwrap();
    }
}
