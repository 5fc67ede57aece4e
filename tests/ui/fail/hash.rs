// A hash table keyed by a secret leaks it through timing: no `Hash`.
use secret_core::Secret;
use std::collections::HashMap;

fn main() {
    let mut map = HashMap::new();
    map.insert(Secret::new(5u32), "five");
}
