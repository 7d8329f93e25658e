//! Every rule in the packs is cited by at least one test (its id appears in a test file), and every
//! rule the engine uses exists in the packs. Add a new test file to TEST_SOURCES.

use dangwu_rules::{REQUIRED_RULES, RuleBook};

const TEST_SOURCES: &[(&str, &str)] = &[
    ("tests/rulebook.rs", include_str!("rulebook.rs")),
    ("tests/calendar.rs", include_str!("calendar.rs")),
    ("tests/member.rs", include_str!("member.rs")),
    ("tests/org.rs", include_str!("org.rs")),
    ("tests/orglife.rs", include_str!("orglife.rs")),
    ("tests/election.rs", include_str!("election.rs")),
    ("tests/talk.rs", include_str!("talk.rs")),
    ("tests/recruitment.rs", include_str!("recruitment.rs")),
    ("tests/dues.rs", include_str!("dues.rs")),
    ("tests/properties.rs", include_str!("properties.rs")),
];

#[test]
fn every_rule_in_the_packs_is_cited_by_a_test() {
    let book = RuleBook::builtin().unwrap();
    let uncited: Vec<&str> = book
        .rules()
        .map(|r| r.id.as_str())
        .filter(|id| !TEST_SOURCES.iter().any(|(_, text)| text.contains(id)))
        .collect();
    assert!(uncited.is_empty(), "rules without a test citing them: {uncited:?}");
}

#[test]
fn every_rule_the_engine_uses_is_in_the_packs() {
    let book = RuleBook::builtin().unwrap();
    for (id, unit) in REQUIRED_RULES {
        let rule = book.rule(id).unwrap_or_else(|| panic!("{id} missing from the packs"));
        assert_eq!(rule.unit, *unit, "{id}");
    }
    // And no pack rule is dead weight.
    for rule in book.rules() {
        assert!(
            REQUIRED_RULES.iter().any(|(id, _)| *id == rule.id),
            "{} is in a pack but the engine never reads it",
            rule.id
        );
    }
}

#[test]
fn every_test_file_is_listed() {
    // A test file missing from TEST_SOURCES would not count as citing rules: keep the list complete.
    // (Tests may read the file system; the crate itself never does.)
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".rs") && name != "rule_coverage.rs" {
            let path = format!("tests/{name}");
            assert!(TEST_SOURCES.iter().any(|(n, _)| *n == path), "{path} is not in TEST_SOURCES");
        }
    }
}

#[test]
fn rules_md_lists_every_rule_that_is_not_confirmed() {
    // docs/RULES.md must list each secondary and local-default rule (and each unverified 2026 version).
    let doc = include_str!("../../../docs/RULES.md");
    let book = RuleBook::builtin().unwrap();
    for rule in book.rules() {
        if rule.versions.iter().any(|v| v.status != dangwu_rules::RuleStatus::Confirmed) {
            assert!(doc.contains(&format!("`{}`", rule.id)), "docs/RULES.md does not list {}", rule.id);
        }
    }
}
