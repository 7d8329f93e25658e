//! Organizational life: required meetings, quorum and majority, elections, appraisal grades.

mod common;
use common::{book, d, override_of};
use dangwu_rules::book::{Frequency, Override};
use dangwu_rules::org::OrgKind;
use dangwu_rules::orglife::*;
use dangwu_rules::{CalcError, Level, RuleStatus};

fn year_2026() -> Period {
    Period { from: d(2026, 1, 1), to: d(2026, 12, 31) }
}

fn branch() -> OrgLifeFacts {
    OrgLifeFacts { kind: OrgKind::Branch, has_committee: true, party_groups: 3 }
}

fn req(reqs: &[Requirement], m: MeetingKind) -> &Requirement {
    reqs.iter().find(|r| r.meeting == m).unwrap_or_else(|| panic!("{m:?} missing"))
}

#[test]
fn branch_requirements_for_a_year() {
    let reqs = requirements(&book(), &branch(), year_2026()).unwrap();
    // orglife.general_meeting.frequency: quarterly → 4.
    assert_eq!(req(&reqs, MeetingKind::GeneralMeeting).required, 4);
    assert_eq!(req(&reqs, MeetingKind::GeneralMeeting).rule, "orglife.general_meeting.frequency");
    // orglife.branch_committee.frequency: monthly → 12.
    assert_eq!(req(&reqs, MeetingKind::BranchCommittee).required, 12);
    // orglife.party_group.frequency: monthly, each of 3 groups.
    let g = req(&reqs, MeetingKind::PartyGroupMeeting);
    assert_eq!((g.required, g.units), (12, Some(3)));
    // orglife.theme_day.frequency: monthly.
    assert_eq!(req(&reqs, MeetingKind::ThemeDay).required, 12);
    // orglife.party_lecture.frequency: quarterly by default (local default).
    let lecture = req(&reqs, MeetingKind::PartyLecture);
    assert_eq!((lecture.required, lecture.status), (4, RuleStatus::LocalDefault));
    // orglife.life_meeting.frequency + orglife.life_meeting.preferred_quarter: yearly, Q4.
    let life = req(&reqs, MeetingKind::LifeMeeting);
    assert_eq!(life.required, 1);
    assert!(life.note.as_deref().unwrap().contains("第4季度"));
    // orglife.appraisal.frequency: yearly.
    assert_eq!(req(&reqs, MeetingKind::DemocraticAppraisal).required, 1);
    // orglife.talk.per_pair_per_year: 1 per pair.
    let talk = req(&reqs, MeetingKind::HeartToHeartTalk);
    assert_eq!((talk.required, talk.scope), (1, RequirementScope::EachPair));
    // orglife.branch_secretary_lecture.per_year: 1 (local).
    assert_eq!(req(&reqs, MeetingKind::SecretaryLecture).rule, "orglife.branch_secretary_lecture.per_year");
}

#[test]
fn no_committee_and_no_groups_means_no_such_meetings() {
    let facts = OrgLifeFacts { kind: OrgKind::Branch, has_committee: false, party_groups: 0 };
    let reqs = requirements(&book(), &facts, year_2026()).unwrap();
    assert!(
        reqs.iter().all(|r| r.meeting != MeetingKind::BranchCommittee && r.meeting != MeetingKind::PartyGroupMeeting)
    );
}

#[test]
fn committee_gets_secretary_lecture_orglife_committee_secretary_lecture_per_year() {
    // Rule orglife.committee_secretary_lecture.per_year: 党委书记 ≥1 lecture a year.
    let facts = OrgLifeFacts { kind: OrgKind::PrimaryCommittee, has_committee: true, party_groups: 0 };
    let period = Period { from: d(2025, 1, 1), to: d(2026, 12, 31) };
    let reqs = requirements(&book(), &facts, period).unwrap();
    assert_eq!(reqs.len(), 1);
    assert_eq!(reqs[0].rule, "orglife.committee_secretary_lecture.per_year");
    assert_eq!(reqs[0].required, 2);
    let group = requirements(
        &book(),
        &OrgLifeFacts { kind: OrgKind::PartyGroup, has_committee: false, party_groups: 0 },
        year_2026(),
    )
    .unwrap();
    assert_eq!(group.len(), 1);
    assert_eq!(group[0].meeting, MeetingKind::PartyGroupMeeting);
}

#[test]
fn partial_windows_are_flagged() {
    let period = Period { from: d(2026, 2, 15), to: d(2026, 7, 10) };
    let reqs = requirements(&book(), &branch(), period).unwrap();
    let gm = req(&reqs, MeetingKind::GeneralMeeting);
    // Q1 (partial), Q2, Q3 (partial).
    assert_eq!(gm.windows.len(), 3);
    assert!(gm.windows[0].partial && !gm.windows[1].partial && gm.windows[2].partial);
    assert_eq!(gm.windows[0].from, d(2026, 2, 15));
    assert_eq!(gm.windows[1].from, d(2026, 4, 1));
    assert_eq!(gm.windows[1].to, d(2026, 6, 30));
    assert_eq!(req(&reqs, MeetingKind::ThemeDay).required, 6);
}

#[test]
fn lecture_override_takes_effect_from_its_date() {
    // orglife.party_lecture.frequency overridden to monthly from 2026-07-01: Q1, Q2 quarterly + 6 months.
    let mut b = book();
    b.apply_overrides(&[Override {
        from: Some(d(2026, 7, 1)),
        ..override_of("orglife.party_lecture.frequency", "monthly")
    }])
    .unwrap();
    let reqs = requirements(&b, &branch(), year_2026()).unwrap();
    let lecture = req(&reqs, MeetingKind::PartyLecture);
    assert_eq!(lecture.required, 8);
    assert_eq!(lecture.frequency, Frequency::Quarterly);
}

#[test]
fn period_validation() {
    let bad = Period { from: d(2026, 2, 1), to: d(2026, 1, 1) };
    let err = requirements(&book(), &branch(), bad).unwrap_err();
    assert_eq!(err.fields()[0].field, "to");
    let early = Period { from: d(1920, 1, 1), to: d(2026, 1, 1) };
    assert_eq!(requirements(&book(), &branch(), early).unwrap_err().fields()[0].field, "from");
    // Before the 支部工作条例 (2018-10-28) no rule is in force.
    let old = Period { from: d(2017, 1, 1), to: d(2017, 12, 31) };
    assert!(matches!(requirements(&book(), &branch(), old), Err(CalcError::Rule { .. })));
}

/// 20 full members and 3 probationary, `excluded` of the full members left out of the 应到会 count.
fn twenty_and_three(excluded: u32) -> VotingBody {
    VotingBody { full_members: 20, probationary_members: 3, excluded }
}

#[test]
fn orglife_general_meeting_quorum_20_full_3_probationary() {
    // Rule orglife.general_meeting.quorum (支部工作条例 第十一条): more than half of 20 voting members.
    let b = book();
    let quorum = |present| general_meeting_quorum(&b, d(2026, 3, 1), &twenty_and_three(0), present);
    let ten = quorum(10).unwrap();
    assert_eq!((ten.met, ten.required, ten.level), (false, 11, Level::Error));
    let eleven = quorum(11).unwrap();
    assert_eq!((eleven.met, eleven.rule), (true, "orglife.general_meeting.quorum"));
    // Probationary members present cannot make up the number: 23 present is impossible input.
    assert_eq!(quorum(21).unwrap_err().fields()[0].field, "present");
}

#[test]
fn orglife_general_meeting_majority_of_those_who_should_attend() {
    // Rule orglife.general_meeting.majority: >1/2 of 应到会 (20), not of those present.
    let b = book();
    let vote = |body: VotingBody, in_favour| general_meeting_vote(&b, d(2026, 3, 1), &body, in_favour);
    let ten = vote(twenty_and_three(0), 10).unwrap();
    assert_eq!((ten.passed, ten.required), (false, 11));
    assert!(vote(twenty_and_three(0), 11).unwrap().passed);
    // Members excluded from 应到会 with approval lower the base: 20 − 2 = 18 → 10 passes.
    assert!(vote(twenty_and_three(2), 10).unwrap().passed);
    assert!(!vote(twenty_and_three(2), 9).unwrap().passed);
    let bad = VotingBody { full_members: 2, probationary_members: 0, excluded: 3 };
    assert_eq!(vote(bad, 0).unwrap_err().fields()[0].field, "excluded");
}

#[test]
fn orglife_branch_committee_quorum() {
    // Rule orglife.branch_committee.quorum: more than half of committee members (5 → 3).
    let b = book();
    assert!(!committee_quorum(&b, d(2026, 3, 1), 5, 2).unwrap().met);
    assert!(committee_quorum(&b, d(2026, 3, 1), 5, 3).unwrap().met);
    assert!(!committee_quorum(&b, d(2026, 3, 1), 4, 2).unwrap().met);
}

#[test]
fn election_quorum_four_fifths() {
    // Rule election.quorum (secondary): present must exceed 4/5 of 20 → 17; a miss only warns.
    let b = book();
    let body = VotingBody { full_members: 20, probationary_members: 0, excluded: 0 };
    let sixteen = election_quorum(&b, d(2026, 3, 1), &body, 16).unwrap();
    assert!(!sixteen.met);
    assert_eq!((sixteen.required, sixteen.level), (17, Level::Warning));
    // Worded as check_election words it: the same computation serves both.
    assert!(sixteen.message.contains("党员大会") && sixteen.message.contains("方可进行选举"), "{}", sixteen.message);
    assert!(election_quorum(&b, d(2026, 3, 1), &body, 17).unwrap().met);
}

#[test]
fn election_majority_base_present_or_entitled() {
    // Rule election.majority_base (local default "present"): 18 present, 10 votes > 9 → elected.
    let mut b = book();
    let body = VotingBody { full_members: 20, probationary_members: 0, excluded: 0 };
    assert!(election_result(&b, d(2026, 3, 1), &body, 18, 10).unwrap().passed);
    b.apply_overrides(&[override_of("election.majority_base", "entitled")]).unwrap();
    let r = election_result(&b, d(2026, 3, 1), &body, 18, 10).unwrap();
    assert!(!r.passed);
    assert_eq!(r.rule, "election.majority_base");
}

#[test]
fn election_candidate_margin_twenty_percent() {
    // Rule election.candidate_margin: ≥20% more candidates: 5 seats → 6, 7 seats → 9 (8.4 rounded up).
    let b = book();
    assert_eq!(min_candidates(&b, d(2026, 3, 1), 5).unwrap(), 6);
    assert_eq!(min_candidates(&b, d(2026, 3, 1), 7).unwrap(), 9);
}

#[test]
fn orglife_appraisal_excellent_cap_one_third() {
    // Rule orglife.appraisal.excellent_cap: 优秀 ≤ 1/3 of 20 graded members → at most 6.
    let b = book();
    let mut g = AppraisalGrades {
        full_members: 20,
        probationary_members: 3,
        excellent: 6,
        qualified: 14,
        basically_qualified: 0,
        unqualified: 0,
        probationary_graded: 0,
    };
    let ok = check_appraisal(&b, d(2026, 12, 20), &g).unwrap();
    assert_eq!(ok.max_excellent, 6);
    assert!(ok.checks.is_empty());
    g.excellent = 7;
    g.qualified = 13;
    let over = check_appraisal(&b, d(2026, 12, 20), &g).unwrap();
    assert_eq!(over.checks[0].rule, "orglife.appraisal.excellent_cap");
    assert_eq!(over.checks[0].level, Level::Error);
}

#[test]
fn orglife_appraisal_grade_probationary_not_graded() {
    // Rule orglife.appraisal.grade_probationary (secondary): probationary members are not graded.
    let b = book();
    let g = AppraisalGrades {
        full_members: 20,
        probationary_members: 3,
        excellent: 6,
        qualified: 16,
        basically_qualified: 0,
        unqualified: 0,
        probationary_graded: 2,
    };
    let out = check_appraisal(&b, d(2026, 12, 20), &g).unwrap();
    let c = out.checks.iter().find(|c| c.rule == "orglife.appraisal.grade_probationary").unwrap();
    assert_eq!(c.level, Level::Warning);
    let too_many = AppraisalGrades { probationary_graded: 4, ..g };
    assert_eq!(check_appraisal(&b, d(2026, 12, 20), &too_many).unwrap_err().fields()[0].field, "probationary_graded");
}

#[test]
fn outcomes_serialize() {
    let q = general_meeting_quorum(&book(), d(2026, 3, 1), &twenty_and_three(0), 10).unwrap();
    let v = serde_json::to_value(&q).unwrap();
    assert_eq!(v["met"], false);
    assert_eq!(v["required"], 11);
    let reqs = requirements(&book(), &branch(), year_2026()).unwrap();
    let v = serde_json::to_value(&reqs).unwrap();
    assert_eq!(v[0]["meeting"], "general_meeting");
    assert_eq!(v[0]["frequency"], "quarterly");
}

// ---- 应到会 count with lawful exclusions, written opinions (regulations.md 4.13, 4.14) ---------------

fn roll(full: u32, excluded: &[(ExclusionReason, u32)]) -> Roll {
    Roll {
        full_members: full,
        probationary_members: 3,
        without_vote: 0,
        exclusions: excluded.iter().map(|&(reason, count)| Exclusion { reason, count }).collect(),
    }
}

#[test]
fn orglife_general_meeting_exclusion_lowers_the_entitled_count() {
    // Rule orglife.general_meeting.exclusion (secondary, 4.14): 20 full members, 1 abroad and 1
    // seriously ill excluded → 18 entitled; quorum more than 9: 9 no, 10 yes.
    let b = book();
    let r = roll(20, &[(ExclusionReason::Abroad, 1), (ExclusionReason::SeriouslyIll, 1)]);
    let count = count_roll(&b, d(2026, 3, 1), &r).unwrap();
    assert_eq!((count.entitled, count.excluded), (18, 2));
    assert_eq!(count.body, VotingBody { full_members: 20, probationary_members: 3, excluded: 2 });
    let info = &count.checks[0];
    assert_eq!((info.rule, info.level), ("orglife.general_meeting.exclusion", Level::Info));
    assert!(info.message.contains("上级党组织同意"), "{}", info.message);
    assert!(!roll_quorum(&b, d(2026, 3, 1), &r, 9).unwrap().1.met);
    let (_, q) = roll_quorum(&b, d(2026, 3, 1), &r, 10).unwrap();
    assert!(q.met);
    assert_eq!((q.entitled, q.required), (18, 10));
    // Members without a vote (留党察看, 2.7) are not entitled either: 20 − 2 − 2 = 16.
    let r2 = Roll { without_vote: 2, ..r.clone() };
    assert_eq!(count_roll(&b, d(2026, 3, 1), &r2).unwrap().entitled, 16);
}

#[test]
fn orglife_general_meeting_exclusion_switched_off_counts_everyone() {
    // A deployment that does not allow exclusions: they stay in the count, with a warning.
    let mut b = book();
    b.apply_overrides(&[override_of("orglife.general_meeting.exclusion", false)]).unwrap();
    let count = count_roll(&b, d(2026, 3, 1), &roll(20, &[(ExclusionReason::LongAbsence, 2)])).unwrap();
    assert_eq!((count.entitled, count.excluded), (20, 0));
    assert_eq!(count.checks[0].level, Level::Warning);
}

#[test]
fn impossible_rolls_are_refused_in_chinese() {
    let b = book();
    // Exactly all members excluded is possible (nobody entitled); one more is not.
    let all = count_roll(&b, d(2026, 3, 1), &roll(3, &[(ExclusionReason::Abroad, 3)])).unwrap();
    assert_eq!(all.entitled, 0);
    let err = count_roll(&b, d(2026, 3, 1), &roll(3, &[(ExclusionReason::Abroad, 2), (ExclusionReason::Detained, 2)]))
        .unwrap_err();
    assert_eq!(err.fields()[0].field, "exclusions");
    assert!(err.fields()[0].reason.contains("不能多于正式党员人数"), "{err}");
    let both = Roll { without_vote: 2, ..roll(3, &[(ExclusionReason::Abroad, 2)]) };
    assert!(count_roll(&b, d(2026, 3, 1), &both).unwrap_err().fields()[0].reason.contains("合计"));
    let twice = roll(10, &[(ExclusionReason::Abroad, 1), (ExclusionReason::Abroad, 1)]);
    assert_eq!(count_roll(&b, d(2026, 3, 1), &twice).unwrap_err().fields()[0].field, "exclusions[1]");
    // Present above the entitled count.
    let r = roll(20, &[(ExclusionReason::Abroad, 2)]);
    assert_eq!(roll_quorum(&b, d(2026, 3, 1), &r, 19).unwrap_err().fields()[0].field, "present");
    assert!(roll_quorum(&b, d(2026, 3, 1), &r, 18).is_ok());
}

#[test]
fn orglife_general_meeting_majority_counts_written_opinions() {
    // Rule orglife.general_meeting.majority (4.13): 18 entitled, 12 present, 2 written opinions may
    // come from the 6 absent. 8 in the room + 2 written = 10 > 9 → passes; 8 + 1 = 9 → fails.
    let b = book();
    let r = roll(20, &[(ExclusionReason::Abroad, 2)]);
    let ballot = Ballot { in_favour: 8, against: 3, abstain: 1, written_in_favour: 2, ..Ballot::default() };
    let out = roll_vote(&b, d(2026, 3, 1), &r, 12, &ballot).unwrap();
    let v = out.vote.unwrap();
    assert!(v.passed);
    assert_eq!((v.base, v.in_favour, v.required), (18, 10, 10));
    assert!(v.message.contains("书面意见2份"), "{}", v.message);
    let one = Ballot { written_in_favour: 1, written_against: 1, ..ballot };
    let v = roll_vote(&b, d(2026, 3, 1), &r, 12, &one).unwrap().vote.unwrap();
    assert!(!v.passed);
    assert_eq!(v.rule, "orglife.general_meeting.majority");
    // 11 in favour in the room alone: 11 > 9.
    let room = Ballot { in_favour: 11, ..Ballot::default() };
    assert!(roll_vote(&b, d(2026, 3, 1), &r, 12, &room).unwrap().vote.unwrap().passed);
}

#[test]
fn written_opinions_only_from_absent_voters() {
    let b = book();
    let r = roll(20, &[]);
    // 20 entitled, 15 present → at most 5 written opinions.
    let five = Ballot { in_favour: 10, written_in_favour: 3, written_against: 2, ..Ballot::default() };
    assert!(roll_vote(&b, d(2026, 3, 1), &r, 15, &five).is_ok());
    let six = Ballot { written_abstain: 1, ..five };
    let err = roll_vote(&b, d(2026, 3, 1), &r, 15, &six).unwrap_err();
    assert_eq!(err.fields()[0].field, "written_in_favour");
    assert!(err.fields()[0].reason.contains("未到会"), "{err}");
    // Votes in the room above those present.
    let over = Ballot { in_favour: 10, against: 5, abstain: 1, ..Ballot::default() };
    assert_eq!(roll_vote(&b, d(2026, 3, 1), &r, 15, &over).unwrap_err().fields()[0].field, "in_favour");
    // Without a quorum no vote is counted, and written opinions do not make one (10 of 20 present).
    let no_quorum =
        roll_vote(&b, d(2026, 3, 1), &r, 10, &Ballot { in_favour: 10, written_in_favour: 5, ..Ballot::default() })
            .unwrap();
    assert!(!no_quorum.quorum.met);
    assert!(no_quorum.vote.is_none());
}

// ---- 民主评议 met by a separate record, a 组织生活会 or a 党员大会 (regulations.md 3.8, 3.9) ---------------

fn held(meeting: MeetingKind, date: chrono::NaiveDate, appraisal: bool) -> HeldActivity {
    HeldActivity { meeting, date, appraisal }
}

#[test]
fn orglife_appraisal_frequency_met_three_ways() {
    // Rule orglife.appraisal.frequency: yearly; any one of the three ways meets the year.
    let b = book();
    let after = d(2027, 1, 15);
    for (a, via) in [
        (held(MeetingKind::DemocraticAppraisal, d(2026, 12, 20), false), AppraisalVia::Separate),
        (held(MeetingKind::LifeMeeting, d(2026, 12, 20), true), AppraisalVia::LifeMeeting),
        (held(MeetingKind::GeneralMeeting, d(2026, 12, 20), true), AppraisalVia::GeneralMeeting),
    ] {
        let out = appraisal_fulfilment(&b, year_2026(), &[a], after).unwrap();
        assert!(out.met, "{via:?}");
        assert_eq!(out.windows[0].met_by, Some((0, via, d(2026, 12, 20))));
        assert!(out.checks.is_empty());
        assert_eq!(out.rule, "orglife.appraisal.frequency");
    }
}

#[test]
fn a_life_meeting_without_the_appraisal_does_not_meet_it() {
    let b = book();
    let acts = [
        held(MeetingKind::LifeMeeting, d(2026, 12, 20), false),
        held(MeetingKind::GeneralMeeting, d(2026, 10, 1), false),
    ];
    let out = appraisal_fulfilment(&b, year_2026(), &acts, d(2027, 1, 15)).unwrap();
    assert!(!out.met);
    assert_eq!(out.checks[0].level, Level::Warning);
    // Still in the year: only information.
    let open = appraisal_fulfilment(&b, year_2026(), &acts, d(2026, 12, 31)).unwrap();
    assert_eq!(open.checks[0].level, Level::Info);
}

#[test]
fn appraisal_window_edges() {
    // Last day of the year counts; the first day of the next year does not.
    let b = book();
    let last = [held(MeetingKind::LifeMeeting, d(2026, 12, 31), true)];
    assert!(appraisal_fulfilment(&b, year_2026(), &last, d(2027, 1, 1)).unwrap().met);
    let next = [held(MeetingKind::LifeMeeting, d(2027, 1, 1), true)];
    assert!(!appraisal_fulfilment(&b, year_2026(), &next, d(2027, 1, 2)).unwrap().met);
    // Two years: each needs its own.
    let two = Period { from: d(2025, 1, 1), to: d(2026, 12, 31) };
    let out = appraisal_fulfilment(&b, two, &last, d(2027, 1, 2)).unwrap();
    assert_eq!(out.windows.iter().map(|w| w.met).collect::<Vec<_>>(), vec![false, true]);
}

#[test]
fn appraisal_cannot_be_marked_on_other_meetings() {
    let b = book();
    for kind in [MeetingKind::BranchCommittee, MeetingKind::PartyGroupMeeting, MeetingKind::ThemeDay] {
        let err = appraisal_fulfilment(&b, year_2026(), &[held(kind, d(2026, 6, 1), true)], d(2027, 1, 1)).unwrap_err();
        assert_eq!(err.fields()[0].field, "activities[0].appraisal", "{kind:?}");
        assert!(err.fields()[0].reason.contains("不能代替民主评议党员"));
    }
}

#[test]
fn temporary_branch_requirements_are_study_only() {
    // org.temporary_branch.limits (1.7a): a temporary branch organizes study and education — 党课 and
    // 主题党日; no general meeting, 组织生活会, 民主评议 or 谈心谈话 of its own.
    let facts = OrgLifeFacts { kind: OrgKind::TemporaryBranch, has_committee: true, party_groups: 2 };
    let reqs = requirements(&book(), &facts, year_2026()).unwrap();
    let kinds: Vec<MeetingKind> = reqs.iter().map(|r| r.meeting).collect();
    assert_eq!(kinds, vec![MeetingKind::PartyLecture, MeetingKind::ThemeDay]);
    assert!(reqs[0].note.as_deref().unwrap().contains("org.temporary_branch.limits"));
    // Switched off, it is treated like an ordinary branch.
    let mut b = book();
    b.apply_overrides(&[override_of("org.temporary_branch.limits", false)]).unwrap();
    let all = requirements(&b, &facts, year_2026()).unwrap();
    let ordinary = requirements(&b, &OrgLifeFacts { kind: OrgKind::Branch, ..facts }, year_2026()).unwrap();
    assert_eq!(all, ordinary);
    // A joint branch has the same requirements as an ordinary one.
    let joint = requirements(&book(), &OrgLifeFacts { kind: OrgKind::JointBranch, ..facts }, year_2026()).unwrap();
    assert_eq!(joint, requirements(&book(), &OrgLifeFacts { kind: OrgKind::Branch, ..facts }, year_2026()).unwrap());
}
