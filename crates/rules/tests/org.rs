//! Organization setup and term checks (组织设置与换届).

mod common;
use common::{book, d, override_of};
use dangwu_rules::org::{OrgFacts, OrgKind, TermStatus, check_organization, term, term_status};
use dangwu_rules::{Check, Level};

fn branch(full: u32, prob: u32) -> OrgFacts {
    OrgFacts {
        kind: OrgKind::Branch,
        parent: Some(OrgKind::PrimaryCommittee),
        full_members: full,
        probationary_members: prob,
        units: None,
        committee_size: if full >= 7 { 5 } else { 1 },
        term_start: Some(d(2025, 3, 1)),
        term_end: None,
    }
}

fn today() -> chrono::NaiveDate {
    d(2026, 11, 29)
}

fn rules_of(checks: &[Check]) -> Vec<&'static str> {
    checks.iter().map(|c| c.rule).collect()
}

fn find<'a>(checks: &'a [Check], rule: &str) -> Option<&'a Check> {
    checks.iter().find(|c| c.rule == rule)
}

/// A branch of 12 whose term started on `start`.
fn branch_since(start: chrono::NaiveDate) -> OrgFacts {
    OrgFacts { term_start: Some(start), ..branch(12, 0) }
}

/// The level of the finding of `rule` about `o` on `on`, if any.
fn level_of(o: &OrgFacts, on: chrono::NaiveDate, rule: &str) -> Option<Level> {
    find(&check_organization(&book(), o, on), rule).map(|c| c.level)
}

#[test]
fn healthy_branch_has_no_findings() {
    assert_eq!(check_organization(&book(), &branch(12, 2), today()), vec![]);
}

#[test]
fn org_structure_allowed_under() {
    // Rule org.structure.allowed_under: a branch cannot sit under a branch (支部工作条例 第十三条).
    let mut o = branch(12, 0);
    o.parent = Some(OrgKind::Branch);
    let checks = check_organization(&book(), &o, today());
    let c = find(&checks, "org.structure.allowed_under").unwrap();
    assert_eq!(c.level, Level::Error);
    assert!(c.message.contains("党支部不能设在党支部之下"), "{}", c.message);
}

#[test]
fn party_groups_and_members_belong_to_branches() {
    // A party group divides a branch (regulations.md 1.10): never directly under a committee or
    // general branch. A member's relationship is held by a branch (1.5–1.7a), not a committee,
    // general branch or party group.
    use dangwu_rules::org::allowed_under;
    for parent in [OrgKind::GroupCommittee, OrgKind::PrimaryCommittee, OrgKind::GeneralBranch] {
        assert!(!allowed_under(Some(parent), OrgKind::PartyGroup), "{parent:?}");
        assert!(!parent.holds_members(), "{parent:?}");
    }
    for branch in [OrgKind::Branch, OrgKind::JointBranch, OrgKind::TemporaryBranch] {
        assert!(allowed_under(Some(branch), OrgKind::PartyGroup), "{branch:?}");
        assert!(branch.holds_members(), "{branch:?}");
    }
    assert!(!OrgKind::PartyGroup.holds_members());
    assert!(allowed_under(Some(OrgKind::PrimaryCommittee), OrgKind::GeneralBranch));
}

#[test]
fn org_branch_min_full_members_boundary() {
    // Rule org.branch.min_full_members (党章 第三十条): 3 full members; 2 full + 5 probationary is not enough.
    let b = book();
    let checks = check_organization(&b, &branch(2, 5), today());
    assert_eq!(find(&checks, "org.branch.min_full_members").unwrap().level, Level::Warning);
    assert!(find(&check_organization(&b, &branch(3, 0), today()), "org.branch.min_full_members").is_none());
    let mut joint = branch(2, 0);
    joint.kind = OrgKind::JointBranch;
    assert!(
        find(&check_organization(&b, &joint, today()), "org.branch.min_full_members")
            .unwrap()
            .message
            .contains("联合党支部")
    );
}

#[test]
fn org_branch_max_members_and_general_branch_suggestion() {
    // Rules org.branch.max_members (≤50) and org.general_branch.min_members (总支 from 50).
    let b = book();
    assert!(find(&check_organization(&b, &branch(48, 2), today()), "org.branch.max_members").is_none());
    let checks = check_organization(&b, &branch(48, 3), today());
    assert_eq!(find(&checks, "org.branch.max_members").unwrap().level, Level::Warning);
    assert!(find(&checks, "org.general_branch.min_members").unwrap().message.contains("党总支"));
    assert!(find(&checks, "org.primary_committee.min_members").is_none());
}

#[test]
fn big_branch_should_be_a_committee_org_primary_committee_min_members() {
    // Rule org.primary_committee.min_members: 100 members → suggest 基层党委 rather than 总支.
    let checks = check_organization(&book(), &branch(90, 10), today());
    assert!(find(&checks, "org.primary_committee.min_members").unwrap().message.contains("基层党委"));
    assert!(find(&checks, "org.general_branch.min_members").is_none());
}

#[test]
fn org_size_counts_probationary_can_be_switched_off() {
    // Rule org.size_counts_probationary (secondary): with it off, 48 full + 3 probationary is 48.
    let mut b = book();
    b.apply_overrides(&[override_of("org.size_counts_probationary", false)]).unwrap();
    let checks = check_organization(&b, &branch(48, 3), today());
    assert!(find(&checks, "org.branch.max_members").is_none(), "{checks:?}");
}

#[test]
fn org_branch_committee_required_at_seven_full_members() {
    // Rule org.branch.committee_required (支部工作条例 第六章): 7 full members → a committee.
    let b = book();
    let mut o = branch(7, 0);
    o.committee_size = 1;
    let c = check_organization(&b, &o, today());
    let f = find(&c, "org.branch.committee_required").unwrap();
    assert_eq!(f.level, Level::Error);
    let mut six = branch(6, 3);
    six.committee_size = 1;
    assert!(find(&check_organization(&b, &six, today()), "org.branch.committee_required").is_none());
    six.committee_size = 3;
    assert_eq!(
        find(&check_organization(&b, &six, today()), "org.branch.committee_required").unwrap().level,
        Level::Info
    );
}

#[test]
fn org_branch_committee_size_min_and_max() {
    // Rules org.branch.committee_size_min (3) and org.branch.committee_size_max (7).
    let b = book();
    let mut o = branch(20, 0);
    o.committee_size = 2;
    assert!(
        find(&check_organization(&b, &o, today()), "org.branch.committee_required")
            .unwrap()
            .message
            .contains("由3至5人组成")
    );
    for (size, rules) in [(3, vec![]), (7, vec![]), (8, vec!["org.branch.committee_size_max"])] {
        o.committee_size = size;
        assert_eq!(rules_of(&check_organization(&b, &o, today())), rules, "a committee of {size}");
    }
}

#[test]
fn org_joint_branch_max_units() {
    // Rule org.joint_branch.max_units (≤5 units).
    let b = book();
    let mut o = branch(8, 0);
    o.kind = OrgKind::JointBranch;
    o.units = Some(5);
    assert!(check_organization(&b, &o, today()).is_empty());
    o.units = Some(6);
    assert_eq!(find(&check_organization(&b, &o, today()), "org.joint_branch.max_units").unwrap().level, Level::Warning);
}

#[test]
fn general_branch_under_fifty_needs_approval() {
    // Rule org.general_branch.min_members: a 总支 with 49 members needs approval (Info); 50 is fine.
    let b = book();
    let mut o = branch(40, 9);
    o.kind = OrgKind::GeneralBranch;
    o.term_start = Some(d(2025, 3, 1));
    assert_eq!(
        find(&check_organization(&b, &o, today()), "org.general_branch.min_members").unwrap().level,
        Level::Info
    );
    o.full_members = 41;
    assert!(check_organization(&b, &o, today()).is_empty());
}

#[test]
fn committee_size_thresholds_and_org_delegates_congress_min_members() {
    // Rules org.primary_committee.min_members (100) and org.delegates_congress_min_members (500).
    let b = book();
    let mut o = OrgFacts {
        kind: OrgKind::PrimaryCommittee,
        parent: Some(OrgKind::GroupCommittee),
        full_members: 99,
        probationary_members: 0,
        units: None,
        committee_size: 7,
        term_start: Some(d(2023, 6, 1)),
        term_end: None,
    };
    for (members, rules) in [
        (99, vec!["org.primary_committee.min_members"]),
        (100, vec![]),
        (499, vec![]),
        (500, vec!["org.delegates_congress_min_members"]),
    ] {
        o.full_members = members;
        assert_eq!(rules_of(&check_organization(&b, &o, today())), rules, "{members} full members");
    }
}

#[test]
fn org_term_branch_years_three() {
    // Rule org.term.branch_years (中办《关于党的基层组织任期的意见》): 3 years; 2024-01-10 → 2027-01-09.
    let t = term(&book(), OrgKind::Branch, d(2024, 1, 10)).unwrap().unwrap();
    assert_eq!(t.years, 3);
    assert_eq!(t.end, d(2027, 1, 9));
    assert_eq!(t.rule, "org.term.branch_years");
}

#[test]
fn org_term_general_branch_years_three() {
    // Rule org.term.general_branch_years: 3 years.
    let t = term(&book(), OrgKind::GeneralBranch, d(2024, 1, 10)).unwrap().unwrap();
    assert_eq!(t.end, d(2027, 1, 9));
    assert_eq!(t.rule, "org.term.general_branch_years");
}

#[test]
fn org_term_committee_years_five() {
    // Rule org.term.committee_years: 党委 5 years (集团党委 too).
    let b = book();
    let t = term(&b, OrgKind::PrimaryCommittee, d(2021, 3, 15)).unwrap().unwrap();
    assert_eq!(t.years, 5);
    assert_eq!(t.end, d(2026, 3, 14));
    assert_eq!(term(&b, OrgKind::GroupCommittee, d(2021, 3, 15)).unwrap().unwrap().years, 5);
    assert!(term(&b, OrgKind::PartyGroup, d(2021, 3, 15)).unwrap().is_none());
}

#[test]
fn org_term_reminder_months_six_before_expiry() {
    // Rule org.term.reminder_months: remind 6 months before expiry; one day early → running.
    let b = book();
    let t = term(&b, OrgKind::Branch, d(2024, 1, 10)).unwrap().unwrap();
    assert_eq!(t.reminder_from, d(2026, 7, 10));
    assert_eq!(term_status(&t, None, d(2026, 7, 9)), TermStatus::Running);
    assert_eq!(term_status(&t, None, d(2026, 7, 10)), TermStatus::ReminderDue);
    let o = branch_since(d(2024, 1, 10));
    assert_eq!(level_of(&o, d(2026, 7, 10), "org.term.reminder_months"), Some(Level::Info));
    assert!(check_organization(&b, &o, d(2026, 7, 9)).is_empty());
}

#[test]
fn expired_term_is_overdue_then_beyond_org_term_max_adjust_years() {
    // Rules org.term.branch_years (expiry) and org.term.max_adjust_years (delay ≤ 1 year).
    let b = book();
    let t = term(&b, OrgKind::Branch, d(2024, 1, 10)).unwrap().unwrap();
    assert_eq!(t.latest_with_delay, d(2028, 1, 9));
    assert_eq!(t.earliest_early_election, d(2026, 1, 10));
    assert_eq!(term_status(&t, None, d(2027, 1, 9)), TermStatus::ReminderDue);
    assert_eq!(term_status(&t, None, d(2027, 1, 10)), TermStatus::Expired);
    assert_eq!(term_status(&t, None, d(2028, 1, 9)), TermStatus::Expired);
    assert_eq!(term_status(&t, None, d(2028, 1, 10)), TermStatus::BeyondDelayLimit);
    let o = branch_since(d(2024, 1, 10));
    assert_eq!(level_of(&o, d(2027, 1, 10), "org.term.branch_years"), Some(Level::Warning));
    assert_eq!(level_of(&o, d(2028, 1, 10), "org.term.max_adjust_years"), Some(Level::Error));
}

#[test]
fn recorded_term_end_is_checked_against_the_delay_limit() {
    // Rule org.term.max_adjust_years: an approved delay up to one year is Info; more is an error.
    let b = book();
    let mut o = OrgFacts { term_end: Some(d(2027, 6, 30)), ..branch_since(d(2024, 1, 10)) };
    assert_eq!(level_of(&o, d(2026, 1, 1), "org.term.max_adjust_years"), Some(Level::Info));
    // Within the approved delay the term is not overdue.
    assert_eq!(level_of(&o, d(2027, 3, 1), "org.term.branch_years"), None);
    // org.term.reminder_months keeps its lead before the delayed end (183 days before 2027-06-30).
    let t = term(&b, OrgKind::Branch, d(2024, 1, 10)).unwrap().unwrap();
    assert_eq!(term_status(&t, o.term_end, d(2026, 12, 28)), TermStatus::Running);
    assert_eq!(term_status(&t, o.term_end, d(2026, 12, 29)), TermStatus::ReminderDue);
    assert_eq!(term_status(&t, o.term_end, d(2027, 7, 1)), TermStatus::Expired);
    o.term_end = Some(d(2028, 1, 10));
    assert_eq!(level_of(&o, d(2026, 1, 1), "org.term.max_adjust_years"), Some(Level::Error));
}

#[test]
fn term_before_the_rule_is_in_force_is_reported_not_checked() {
    let b = book();
    let mut o = branch_since(d(2016, 5, 1));
    let c = check_organization(&b, &o, today());
    let f = find(&c, "org.term.branch_years").unwrap();
    assert_eq!(f.level, Level::Info);
    assert!(f.message.contains("未生效"), "{}", f.message);
    o.term_start = None;
    assert!(find(&check_organization(&b, &o, today()), "org.term.branch_years").unwrap().message.contains("未登记"));
}

#[test]
fn checks_serialize_for_the_api() {
    let mut o = branch(7, 0);
    o.committee_size = 0;
    let json = serde_json::to_value(check_organization(&book(), &o, today())).unwrap();
    assert_eq!(json[0]["level"], "error");
    assert_eq!(json[0]["rule"], "org.branch.committee_required");
    let facts: OrgFacts =
        serde_json::from_str(r#"{"kind":"joint_branch","parent":"general_branch","full_members":4,"units":6}"#)
            .unwrap();
    assert_eq!(facts.kind, OrgKind::JointBranch);
    assert_eq!(facts.committee_size, 0);
}

// ---- 临时党支部 (regulations.md 1.7a) and 联合党支部 (1.6) ----------------------------------------------

#[test]
fn what_each_kind_may_do() {
    use OrgKind::*;
    // Ordinary and joint branches hold relationships, recruit, collect dues, discipline and elect.
    for k in [Branch, JointBranch] {
        assert!(k.holds_formal_membership() && k.recruits() && k.collects_dues() && k.disciplines(), "{k:?}");
        assert!(k.has_term() && k.elects(), "{k:?}");
    }
    // A temporary branch: members stay at home, no recruitment, no dues, no discipline, no term.
    let t = TemporaryBranch;
    assert!(t.holds_members(), "members may still be listed there");
    assert!(!t.holds_formal_membership() && !t.recruits() && !t.collects_dues() && !t.disciplines());
    assert!(!t.has_term() && !t.elects());
    assert_eq!(dangwu_rules::org::term_rule(t), None);
    // Committees and general branches have terms and elect, but hold no members.
    for k in [GroupCommittee, PrimaryCommittee, GeneralBranch] {
        assert!(k.has_term() && k.elects() && !k.holds_formal_membership() && !k.collects_dues(), "{k:?}");
    }
    assert!(!PartyGroup.has_term() && !PartyGroup.elects() && !PartyGroup.recruits());
}

#[test]
fn org_temporary_branch_limits_checks_name_the_rule() {
    // Rule org.temporary_branch.limits (secondary, 1.7a): each refused capability gives a warning
    // naming it; an ordinary branch may do everything.
    use dangwu_rules::org::{Capability, check_capability};
    let b = book();
    for what in Capability::ALL {
        let c = check_capability(&b, OrgKind::TemporaryBranch, what, today()).unwrap().unwrap();
        assert_eq!((c.rule, c.level), ("org.temporary_branch.limits", Level::Warning), "{what:?}");
        assert!(c.message.contains("临时党支部"), "{}", c.message);
        assert_eq!(check_capability(&b, OrgKind::Branch, what, today()).unwrap(), None, "{what:?}");
        assert_eq!(check_capability(&b, OrgKind::JointBranch, what, today()).unwrap(), None, "{what:?}");
    }
    // Other kinds: fixed by the shape, an error naming a structural rule.
    let c = check_capability(&b, OrgKind::PrimaryCommittee, Capability::Dues, today()).unwrap().unwrap();
    assert_eq!((c.rule, c.level), ("member.organization_kind", Level::Error));
    let c = check_capability(&b, OrgKind::PartyGroup, Capability::Election, today()).unwrap().unwrap();
    assert_eq!(c.rule, "orglife.kind_for_organization");
    assert_eq!(check_capability(&b, OrgKind::PrimaryCommittee, Capability::Election, today()).unwrap(), None);
}

#[test]
fn temporary_branch_limits_can_be_switched_off() {
    use dangwu_rules::org::{Capability, check_capability};
    let mut b = book();
    b.apply_overrides(&[override_of("org.temporary_branch.limits", false)]).unwrap();
    for what in Capability::ALL {
        assert_eq!(check_capability(&b, OrgKind::TemporaryBranch, what, today()).unwrap(), None, "{what:?}");
    }
}

#[test]
fn temporary_branch_has_no_term_checks() {
    // A temporary branch with a recorded start gets no re-election reminder, only a note that it has
    // no term (org.temporary_branch.limits); without one, nothing about terms.
    let mut o = branch(5, 0);
    o.kind = OrgKind::TemporaryBranch;
    o.term_start = Some(d(2020, 1, 1));
    let checks = check_organization(&book(), &o, today());
    assert!(!rules_of(&checks).iter().any(|r| r.starts_with("org.term.")), "{checks:?}");
    let c = find(&checks, "org.temporary_branch.limits").unwrap();
    assert_eq!(c.level, Level::Info);
    o.term_start = None;
    assert_eq!(check_organization(&book(), &o, today()), vec![]);
    // An ordinary branch started in 2020 is overdue.
    let mut ordinary = branch(5, 0);
    ordinary.term_start = Some(d(2020, 1, 1));
    assert!(rules_of(&check_organization(&book(), &ordinary, today())).iter().any(|r| r.starts_with("org.term.")));
}

#[test]
fn joint_branch_counts_its_units_and_members_together() {
    // regulations.md 1.6: a joint branch covers generally ≤5 units (org.joint_branch.max_units) and
    // needs 3 full members in all (org.branch.min_full_members); otherwise it is an ordinary branch.
    let mut o = branch(3, 0);
    o.kind = OrgKind::JointBranch;
    o.units = Some(5);
    assert_eq!(check_organization(&book(), &o, today()), vec![]);
    o.units = Some(6);
    assert!(find(&check_organization(&book(), &o, today()), "org.joint_branch.max_units").is_some());
    o.units = Some(4);
    o.full_members = 2;
    let c = check_organization(&book(), &o, today());
    assert!(find(&c, "org.branch.min_full_members").unwrap().message.contains("联合党支部合计"));
}
