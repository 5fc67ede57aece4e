// The replacements the compile-fail messages point at all compile and work.
use secret_core::{ct_lookup, CtSelect, Secret, SecretBool, SecretOption};

fn main() {
    let a = Secret::new(100u32);
    let b = Secret::new(7u32);

    // Instead of `a == b`, `a < b`, `if a == b`: secret comparisons, declassified explicitly.
    let equal: SecretBool = a.ct_eq(&b);
    let less: SecretBool = a.ct_lt(&b);
    if (equal | less).declassify() {
        panic!("100 is neither equal to nor less than 7");
    }

    // Instead of `a / b`: constant-time division.
    let (q, r) = a.ct_div_rem(&b);
    assert_eq!((q.declassify(), r.declassify()), (14, 2));

    // Instead of `table[i]`: a lookup that reads every entry.
    let sbox = [0x63u8, 0x7c, 0x77, 0x7b];
    assert_eq!(ct_lookup(&sbox, &Secret::new(3)).declassify(), 0x7b);
    let vec = sbox.to_vec();
    assert_eq!(ct_lookup(&vec, &Secret::new(1)).declassify(), 0x7c);

    // Instead of printing the value: Debug is redacted; declassify to print.
    let shown = format!("{:?}", a);
    assert!(!shown.contains("100"));
    let public: u32 = a.clone().declassify();
    println!("{}", public);

    // Instead of copying: clone.
    let c = a.clone();
    let d = &a + &c;
    assert_eq!(d.declassify(), 200);

    // Selecting without branching.
    let max = a.ct_gt(&b).select(&a, &b);
    assert_eq!(max.declassify(), 100);
    let picked = <Secret<[u8; 4]> as CtSelect>::ct_select(
        &SecretBool::new(false),
        &Secret::new([1; 4]),
        &Secret::new([2; 4]),
    );
    assert_eq!(picked.declassify(), [2; 4]);

    // Optional secrets.
    let opt = SecretOption::new(b, !a.ct_is_zero());
    assert_eq!(
        opt.map(|v| v * 2).unwrap_or(Secret::new(0)).declassify(),
        14
    );
}
