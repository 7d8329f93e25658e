//! Elections of any organization that elects: 4/5 attendance (election.quorum) and the candidate
//! margin (election.candidate_margin, election.delegate_candidate_margin), regulations.md 2.6–2.10.

mod common;
use common::{book, d};
use dangwu_rules::Level;
use dangwu_rules::election::*;
use dangwu_rules::org::OrgKind;
use dangwu_rules::orglife::{Exclusion, ExclusionReason, Roll};

fn election(kind: OrgKind, members: u32, present: u32, seats: u32, candidates: u32) -> Election {
    Election {
        kind,
        body: ElectoralBody::GeneralMeeting,
        roll: Roll { full_members: members, probationary_members: 2, without_vote: 0, exclusions: vec![] },
        present,
        seat_kind: SeatKind::CommitteeMembers,
        seats,
        candidates,
    }
}

#[test]
fn election_quorum_for_a_primary_committee() {
    // Rule election.quorum (secondary): a 党委 of 100 members: more than 80 present → 81.
    let b = book();
    let at = |present| check_election(&b, d(2026, 6, 1), &election(OrgKind::PrimaryCommittee, 100, present, 7, 9));
    let q80 = at(80).unwrap();
    assert!(!q80.quorum.met);
    assert_eq!((q80.quorum.required, q80.quorum.level), (81, Level::Warning));
    assert!(q80.checks.iter().any(|c| c.rule == "election.quorum"));
    assert!(at(81).unwrap().quorum.met);
    assert!(at(82).unwrap().checks.is_empty());
    assert_eq!(at(101).unwrap_err().fields()[0].field, "present");
}

#[test]
fn election_quorum_for_a_general_branch_and_a_branch() {
    let b = book();
    // 总支 of 60: 4/5 is 48, more than that → 49.
    let gb = |present| check_election(&b, d(2026, 6, 1), &election(OrgKind::GeneralBranch, 60, present, 5, 6));
    assert!(!gb(48).unwrap().quorum.met);
    assert!(gb(49).unwrap().quorum.met);
    assert!(gb(50).unwrap().quorum.met);
    // 支部 of 20: 16 is exactly 4/5, not more → 17.
    let br = |present| check_election(&b, d(2026, 6, 1), &election(OrgKind::Branch, 20, present, 5, 6));
    assert!(!br(16).unwrap().quorum.met);
    assert!(br(17).unwrap().quorum.met);
    // A joint branch elects too.
    assert!(check_election(&b, d(2026, 6, 1), &election(OrgKind::JointBranch, 10, 9, 3, 4)).unwrap().quorum.met);
}

#[test]
fn election_quorum_counts_lawful_exclusions() {
    // 20 members, 5 abroad excluded (orglife.general_meeting.exclusion) → 15 entitled, more than 12 → 13.
    let b = book();
    let mut e = election(OrgKind::Branch, 20, 12, 5, 6);
    e.roll.exclusions = vec![Exclusion { reason: ExclusionReason::Abroad, count: 5 }];
    let out = check_election(&b, d(2026, 6, 1), &e).unwrap();
    assert_eq!((out.quorum.entitled, out.quorum.required, out.quorum.met), (15, 13, false));
    assert!(out.checks.iter().any(|c| c.rule == "orglife.general_meeting.exclusion"));
    e.present = 13;
    assert!(check_election(&b, d(2026, 6, 1), &e).unwrap().quorum.met);
}

#[test]
fn election_candidate_margin_at_the_boundary() {
    // Rule election.candidate_margin (secondary, 20%): 5 seats → 6; 7 → 9 (8.4 up); 10 → 12.
    let b = book();
    let margin = |seats, candidates| check_margin(&b, d(2026, 6, 1), SeatKind::CommitteeMembers, seats, candidates);
    assert!(!margin(5, 5).unwrap().met);
    assert!(margin(5, 6).unwrap().met);
    assert!(margin(5, 7).unwrap().met);
    let eight = margin(7, 8).unwrap();
    assert_eq!((eight.required, eight.met, eight.level), (9, false, Level::Warning));
    assert_eq!(eight.rule, "election.candidate_margin");
    assert!(margin(7, 9).unwrap().met);
    assert!(!margin(10, 11).unwrap().met);
    assert!(margin(10, 12).unwrap().met);
    assert_eq!(margin(5, 4).unwrap_err().fields()[0].field, "candidates");
    assert_eq!(margin(0, 0).unwrap_err().fields()[0].field, "seats");
}

#[test]
fn election_delegate_candidate_margin() {
    // Rule election.delegate_candidate_margin (secondary, 第九条, 20%): 30 delegates → 36.
    let b = book();
    assert_eq!(min_candidates_for(&b, d(2026, 6, 1), SeatKind::Delegates, 30).unwrap(), 36);
    let m = check_margin(&b, d(2026, 6, 1), SeatKind::Delegates, 30, 35).unwrap();
    assert_eq!((m.met, m.rule), (false, "election.delegate_candidate_margin"));
    assert!(check_margin(&b, d(2026, 6, 1), SeatKind::Delegates, 30, 36).unwrap().met);
}

#[test]
fn delegates_congress_only_for_committees() {
    // 选举工作条例 第四条: a 党委 may elect at a 党员代表大会 of its delegates; 总支 and 支部 may not.
    let b = book();
    let mut e = election(OrgKind::PrimaryCommittee, 150, 121, 9, 11);
    e.body = ElectoralBody::DelegatesCongress;
    let out = check_election(&b, d(2026, 6, 1), &e).unwrap();
    assert!(out.quorum.met && out.margin.met);
    assert!(out.quorum.message.contains("党员代表大会"), "{}", out.quorum.message);
    e.present = 120;
    assert!(!check_election(&b, d(2026, 6, 1), &e).unwrap().quorum.met);
    e.kind = OrgKind::GeneralBranch;
    assert_eq!(check_election(&b, d(2026, 6, 1), &e).unwrap_err().fields()[0].field, "body");
    assert_eq!(electoral_bodies(OrgKind::GroupCommittee).len(), 2);
    assert_eq!(electoral_bodies(OrgKind::Branch), &[ElectoralBody::GeneralMeeting]);
}

#[test]
fn temporary_branches_and_party_groups_do_not_elect() {
    // regulations.md 1.7a: a 临时党支部's leaders are appointed; it holds no re-election.
    let b = book();
    for kind in [OrgKind::TemporaryBranch, OrgKind::PartyGroup] {
        assert!(electoral_bodies(kind).is_empty());
        let err = check_election(&b, d(2026, 6, 1), &election(kind, 10, 10, 3, 4)).unwrap_err();
        assert_eq!(err.fields()[0].field, "kind", "{kind:?}");
    }
}
