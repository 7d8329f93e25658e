//! Every rule a refusal can name is declared once: a pack rule in `rules/*.toml`, a rule without a value
//! in `dangwu_rules::StructuralRule`. Each structural rule is listed in docs/RULES.md and on the rules
//! page, is cited by a test that makes the platform refuse by it, and no code names a rule by a literal.

mod common;

use std::path::{Path, PathBuf};

use dangwu_rules::{RuleBook, StructuralRule};
use dangwu_testkit::{StatusCode, TestApp, member_json, on_both_engines};
use serde_json::json;

on_both_engines!(rules_page_lists_structural_rules, refusals_name_their_structural_rule);

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

fn rust_files(dir: &Path, out: &mut Vec<(PathBuf, String)>) {
    for entry in std::fs::read_dir(dir).unwrap_or_else(|e| panic!("{}: {e}", dir.display())) {
        let path = entry.unwrap().path();
        if path.is_dir() {
            rust_files(&path, out);
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push((path.clone(), std::fs::read_to_string(&path).unwrap()));
        }
    }
}

#[test]
fn structural_rules_are_documented_and_apart_from_the_packs() {
    let doc = std::fs::read_to_string(workspace().join("docs/RULES.md")).unwrap();
    let book = RuleBook::builtin().unwrap();
    for rule in StructuralRule::ALL {
        assert!(doc.contains(&format!("`{}`", rule.id())), "docs/RULES.md does not list {rule}");
        assert!(book.rule(rule.id()).is_none(), "{rule} is declared twice: as a structural rule and in a pack");
    }
}

#[test]
fn every_structural_rule_is_cited_by_a_test() {
    let mut tests = Vec::new();
    for krate in ["server", "store"] {
        rust_files(&workspace().join("crates").join(krate).join("tests"), &mut tests);
    }
    let uncited: Vec<&str> = StructuralRule::ALL
        .into_iter()
        .map(StructuralRule::id)
        .filter(|id| !tests.iter().any(|(_, text)| text.contains(&format!("\"{id}\""))))
        .collect();
    assert!(uncited.is_empty(), "structural rules no test makes the platform refuse by: {uncited:?}");
}

#[test]
fn no_code_names_a_rule_by_a_literal() {
    let mut sources = Vec::new();
    for krate in ["server", "store"] {
        rust_files(&workspace().join("crates").join(krate).join("src"), &mut sources);
    }
    let mut found = Vec::new();
    for (path, text) in &sources {
        let flat: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
        for pattern in ["StoreError::rule( \"", "StoreError::rule(\"", ".rule = Some(\""] {
            if flat.contains(pattern) {
                found.push(format!("{}: {pattern}", path.display()));
            }
        }
    }
    assert!(found.is_empty(), "rules named by a literal (declare them in StructuralRule): {found:?}");
}

async fn rules_page_lists_structural_rules(app: TestApp) {
    let session = app.login("member_a").await;
    let answer = session.get("/api/v1/rules").await;
    assert_eq!(answer.status, StatusCode::OK);
    let listed: Vec<&str> =
        answer.body["structural"].as_array().unwrap().iter().map(|r| r["id"].as_str().unwrap()).collect();
    let declared: Vec<&str> = StructuralRule::ALL.into_iter().map(StructuralRule::id).collect();
    assert_eq!(listed, declared);
    assert!(answer.body["structural"][0]["title"].as_str().is_some_and(|t| !t.is_empty()));
}

async fn refusals_name_their_structural_rule(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;
    let refused_by = |reply: &dangwu_testkit::Reply, rule: &str| {
        assert_eq!(reply.status, StatusCode::CONFLICT, "{rule}: {}", reply.body);
        assert_eq!(reply.body["rule"], rule, "{}", reply.body);
    };

    // A committee with branches under it is not dissolved.
    let busy = common::dissolve(&admin, f.committee, "2026-06-30", "机构调整").await;
    refused_by(&busy, "org.dissolve_children");

    // Nothing under a dissolved branch: no organization, no member.
    let empty = admin
        .post("/api/v1/organizations", &json!({"parent_id": f.committee, "name": "临撤支部", "kind": "branch"}))
        .await;
    assert_eq!(empty.status, StatusCode::CREATED, "{}", empty.body);
    let empty = empty.body["id"].as_str().unwrap().to_owned();
    let gone = common::dissolve(&admin, &empty, "2026-06-30", "机构调整").await;
    assert_eq!(gone.status, StatusCode::OK, "{}", gone.body);
    let group = admin
        .post("/api/v1/organizations", &json!({"parent_id": empty, "name": "撤销后的小组", "kind": "party_group"}))
        .await;
    refused_by(&group, "org.parent_active");
    let member = admin.post("/api/v1/members", &member_json(empty.parse().unwrap(), "迟到者", 880)).await;
    refused_by(&member, "org.parent_active");

    // A party group only under a branch; a member only in a branch, never directly in a committee.
    let group = admin
        .post(
            "/api/v1/organizations",
            &json!({"parent_id": f.committee, "name": "委员会下的小组", "kind": "party_group"}),
        )
        .await;
    refused_by(&group, "org.tree_shape");
    let in_committee = admin.post("/api/v1/members", &member_json(f.committee, "直属党委", 881)).await;
    refused_by(&in_committee, "member.organization_kind");

    // The democratic appraisal is a branch's, not a committee's.
    let appraisal = admin.post("/api/v1/appraisals", &json!({"organization_id": f.committee, "year": 2025})).await;
    refused_by(&appraisal, "orglife.appraisal.branch");

    // The member role only for an account linked to a member, on that member's organization.
    let sysadmin = app.login("sysadmin").await;
    let created = sysadmin
        .post(
            "/api/v1/users",
            &json!({"username": "unlinked", "display_name": "未关联", "password": "Strong-pass-2026x"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let uid = created.body["id"].as_str().unwrap().to_owned();
    let secadmin = app.login("secadmin").await;
    let grant = secadmin
        .post(&format!("/api/v1/users/{uid}/grants"), &json!({"role": "member", "organization_id": f.branch_a}))
        .await;
    refused_by(&grant, "security.member_self");
}
