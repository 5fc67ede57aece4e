fn main() {
    ct_verify::Suite::new()
        .check("tag_eq", |s: &[u8; 32]| my_crate::verify_tag(s))
        // The right tag as a corner case: the early exit then runs all 32 rounds, not one.
        .check_with(
            "tag_eq_early_exit",
            ct_verify::Config::new().fixed(my_crate::EXPECTED_TAG),
            |s: &[u8; 32], _: &()| my_crate::verify_tag_early_exit(s),
        )
        .check("sbox_lookup", |s: &u8| my_crate::sbox(*s))
        .run();
}
