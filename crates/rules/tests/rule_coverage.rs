//! Every rule in the packs is cited by at least one test (its id appears in a test file), and every
//! rule the engine uses exists in the packs. Every test file in tests/ counts, read from the directory.
//! (Tests may read the file system; the crate itself never does.)

use dangwu_rules::{REQUIRED_RULES, RuleBook};

/// The `.rs` files below the crate's folder `under` (`src`, `tests`), `(path, text)`, recursively.
fn rust_files(under: &str) -> Vec<(String, String)> {
    fn walk(dir: &std::path::Path, out: &mut Vec<(String, String)>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                walk(&path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                out.push((path.display().to_string(), std::fs::read_to_string(&path).unwrap()));
            }
        }
    }
    let mut out = Vec::new();
    walk(&std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join(under), &mut out);
    assert!(out.len() > 5, "only {} files found in {under}", out.len());
    out
}

#[test]
fn every_rule_in_the_packs_is_cited_by_a_test() {
    let book = RuleBook::builtin().unwrap();
    let tests: Vec<(String, String)> =
        rust_files("tests").into_iter().filter(|(path, _)| !path.ends_with("rule_coverage.rs")).collect();
    let uncited: Vec<&str> =
        book.rules().map(|r| r.id.as_str()).filter(|id| !tests.iter().any(|(_, text)| text.contains(id))).collect();
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

/// The crate's sources, `(path, text)`, test modules (`#[cfg(test)]` to the end of a file) cut off.
fn crate_sources() -> Vec<(String, String)> {
    rust_files("src")
        .into_iter()
        .map(|(path, text)| match text.find("#[cfg(test)]") {
            Some(i) => (path, text[..i].to_string()),
            None => (path, text),
        })
        .collect()
}

/// `pub const RULE_X: &str = "id";` declarations: `(id, file, constant)`.
fn declared_rule_ids() -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    for (path, text) in crate_sources() {
        for line in text.lines() {
            let Some(rest) = line.trim().strip_prefix("pub const RULE_") else { continue };
            let (name, value) = rest.split_once(": &str = \"").expect("a rule constant is a &str");
            let id = value.trim_end_matches("\";");
            out.push((id.to_string(), path.clone(), format!("RULE_{name}")));
        }
    }
    out
}

#[test]
fn every_rule_id_is_declared_once_and_listed_in_rules_md() {
    let doc = include_str!("../../../docs/RULES.md");
    let declared = declared_rule_ids();
    assert!(declared.len() > 70, "the scan found only {} rule constants", declared.len());
    for (id, path, name) in &declared {
        let twice: Vec<_> = declared.iter().filter(|(other, ..)| other == id).collect();
        assert_eq!(twice.len(), 1, "{id} is declared more than once: {twice:?}");
        assert!(dangwu_rules::StructuralRule::from_id(id).is_none(), "{id} ({path} {name}) is also a structural rule");
        assert!(doc.contains(&format!("`{id}`")), "docs/RULES.md does not list {id} ({path} {name})");
    }
    for rule in dangwu_rules::StructuralRule::ALL {
        assert!(doc.contains(&format!("`{}`", rule.id())), "docs/RULES.md does not list {rule}");
    }
    // Every pack rule is read through a constant.
    let book = RuleBook::builtin().unwrap();
    for rule in book.rules() {
        assert!(declared.iter().any(|(id, ..)| *id == rule.id), "{} has no constant", rule.id);
    }
}

#[test]
fn no_code_names_a_rule_by_a_literal() {
    // Rule ids appear as string literals only in their constant's declaration (and in the structural
    // rules' `id()`), never where a check or an outcome is built.
    let prefixes = ["\"member.", "\"org.", "\"orglife.", "\"election.", "\"recruit.", "\"dues.", "\"security."];
    let mut found = Vec::new();
    for (path, text) in crate_sources() {
        for (i, line) in text.lines().enumerate() {
            let t = line.trim();
            if t.starts_with("//") || t.starts_with("pub const RULE_") {
                continue;
            }
            if path.ends_with("structural.rs") && t.starts_with("StructuralRule::") && t.contains("=> \"") {
                continue;
            }
            if prefixes.iter().any(|p| t.contains(p)) {
                found.push(format!("{path}:{}: {t}", i + 1));
            }
        }
    }
    assert!(found.is_empty(), "rule ids written as literals (use the constant): {found:#?}");
}
