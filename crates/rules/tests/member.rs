//! Member rules in the packs agree with the constants the member checks use.

mod common;
use common::{book, d};
use dangwu_rules::member::{MIN_AGE_YEARS, RULE_MIN_AGE};

#[test]
fn member_min_age_pack_matches_constant() {
    // Rule member.min_age (党章 第一条): the pack says 18, as member::check_dates assumes.
    let b = book();
    assert_eq!(RULE_MIN_AGE, "member.min_age");
    assert_eq!(b.int("member.min_age", d(2026, 1, 1)).unwrap(), i64::from(MIN_AGE_YEARS));
    assert_eq!(b.int("member.min_age", d(1990, 1, 1)).unwrap(), 18);
}
