//! Recruitment pipeline (发展党员): order, time limits (one day early / on the day), conditions, plan.

mod common;
use chrono::NaiveDate;
use common::{book, d};
use dangwu_rules::Level;
use dangwu_rules::calendar::Basis;
use dangwu_rules::recruitment::{
    PipelineAssessment, PipelineStep as P, RecruitmentFacts, Stage, Training, assess, timeline,
};

fn facts(steps: &[(P, NaiveDate)]) -> RecruitmentFacts {
    let mut f = RecruitmentFacts::default();
    for (s, day) in steps {
        f.steps.insert(*s, *day);
    }
    f
}

fn problems_of<'a>(a: &'a PipelineAssessment, rule: &str) -> Vec<&'a dangwu_rules::recruitment::PipelineProblem> {
    a.problems.iter().filter(|p| p.rule == rule).collect()
}

fn plan(a: &PipelineAssessment, step: P) -> &dangwu_rules::recruitment::StepPlan {
    &a.steps[usize::from(step.number()) - 1]
}

/// A complete, correct pipeline under the 2014 细则.
fn clean_record() -> RecruitmentFacts {
    let mut f = facts(&[
        (P::SubmitApplication, d(2023, 1, 9)),
        (P::ApplicantTalk, d(2023, 1, 20)),
        (P::SelectActivist, d(2023, 7, 17)),
        (P::FileActivist, d(2023, 7, 18)),
        (P::AssignMentors, d(2023, 7, 18)),
        (P::CultivateActivist, d(2023, 7, 18)),
        (P::DesignateTarget, d(2024, 7, 29)),
        (P::FileTarget, d(2024, 7, 30)),
        (P::ChooseSponsors, d(2024, 7, 30)),
        (P::PoliticalReview, d(2024, 8, 5)),
        (P::ConcentratedTraining, d(2024, 8, 12)),
        (P::CommitteeReview, d(2024, 9, 2)),
        (P::PreReview, d(2024, 9, 10)),
        (P::FillApplicationForm, d(2024, 9, 11)),
        (P::AdmissionMeeting, d(2024, 9, 20)),
        (P::CommitteeTalk, d(2024, 10, 8)),
        (P::AdmissionApproval, d(2024, 10, 15)),
        (P::FileAdmission, d(2024, 10, 20)),
        (P::AssignToBranch, d(2024, 10, 20)),
        (P::Oath, d(2024, 10, 25)),
        (P::ContinuedAssessment, d(2024, 10, 25)),
        (P::ConversionApplication, d(2025, 8, 20)),
        (P::ConversionMeeting, d(2025, 9, 22)),
        (P::ConversionApproval, d(2025, 10, 9)),
        (P::Archive, d(2025, 10, 20)),
    ]);
    f.birth_date = Some(d(1995, 5, 5));
    f.notices.insert(P::SelectActivist, d(2023, 7, 10));
    f.notices.insert(P::DesignateTarget, d(2024, 7, 22));
    f.notices.insert(P::PreReview, d(2024, 9, 3));
    f.notices.insert(P::ConversionApproval, d(2025, 9, 23));
    f.mentors = Some(2);
    f.sponsors = Some(2);
    f.training = Some(Training { days: 3, hours: 24 });
    f
}

/// A record up to the activist: applied, talked to, selected after a notice from `notice`.
fn activist_record(applied: NaiveDate, talked: NaiveDate, selected: NaiveDate, notice: NaiveDate) -> RecruitmentFacts {
    let mut f = facts(&[(P::SubmitApplication, applied), (P::ApplicantTalk, talked), (P::SelectActivist, selected)]);
    f.notices.insert(P::SelectActivist, notice);
    f
}

/// Files the activist, assigns the mentors and starts the cultivation on `on`.
fn cultivate_from(f: &mut RecruitmentFacts, on: NaiveDate) {
    for s in [P::FileActivist, P::AssignMentors, P::CultivateActivist] {
        f.steps.insert(s, on);
    }
}

/// The clean record cut after `step`.
fn clean_until(step: P) -> RecruitmentFacts {
    let mut f = clean_record();
    f.steps.retain(|s, _| *s <= step);
    f
}

/// What an assessment should find: `None`, no problem at all; `Some((rule, level))`, exactly one
/// problem of `rule`, at `level`.
type Finds<'a> = Option<(&'a str, Level)>;

/// Checks what an assessment finds, `case` naming it in a failure.
fn assert_finds(a: &PipelineAssessment, expect: Finds<'_>, case: &str) {
    match expect {
        None => assert!(a.problems.is_empty(), "{case}: {:?}", a.problems),
        Some((rule, level)) => {
            let levels: Vec<Level> = problems_of(a, rule).iter().map(|p| p.level).collect();
            assert_eq!(levels, vec![level], "{case}: {rule}: {:?}", a.problems);
        }
    }
}

/// For each of `cases`, the clean record cut after its step with the step on its date, and what it
/// should find (see [`assert_finds`]).
fn assert_step_dates(cases: &[(P, NaiveDate, Finds<'_>)]) {
    let b = book();
    for &(step, on, expect) in cases {
        let mut f = clean_until(step);
        f.steps.insert(step, on);
        assert_finds(&assess(&b, &f).unwrap(), expect, &format!("{step:?} on {on}"));
    }
}

#[test]
fn five_stages_and_twenty_five_steps_recruit_step_order() {
    // Rule recruit.step_order: the 5 stages / 25 steps of regulations.md §4.1, in order.
    assert_eq!(P::ALL.len(), 25);
    for (i, s) in P::ALL.iter().enumerate() {
        assert_eq!(usize::from(s.number()), i + 1);
        assert_eq!(P::from_code(s.code()), Some(*s));
        assert_eq!(P::from_number(s.number()), Some(*s));
    }
    assert_eq!(P::SubmitApplication.stage(), Stage::Application);
    assert_eq!(P::FileActivist.stage(), Stage::Activist);
    assert_eq!(P::ConcentratedTraining.stage(), Stage::DevelopmentTarget);
    assert_eq!(P::FileAdmission.stage(), Stage::Admission);
    assert_eq!(P::Archive.stage(), Stage::Probation);
    assert_eq!(P::AdmissionMeeting.label(), "支部大会讨论（接收预备党员）");
}

#[test]
fn clean_record_has_no_problems() {
    let a = assess(&book(), &clean_record()).unwrap();
    assert_eq!(a.problems, vec![], "{:#?}", a.problems);
    assert_eq!(a.next_step, None);
    assert_eq!(a.probation_ends, Some(d(2025, 9, 20)));
    // 2023 is outside the holiday calendar: the first notice was counted Monday–Friday.
    assert_eq!(a.calendar_basis, Basis::Fallback);
}

#[test]
fn member_min_age_at_application() {
    // Rule member.min_age (党章 第一条): 18 on the day of application; a day early is blocked.
    let b = book();
    let mut f = facts(&[(P::SubmitApplication, d(2025, 3, 9))]);
    f.birth_date = Some(d(2007, 3, 10));
    let a = assess(&b, &f).unwrap();
    let p = problems_of(&a, "member.min_age");
    assert_eq!(p.len(), 1);
    assert_eq!(p[0].level, Level::Error);
    f.steps.insert(P::SubmitApplication, d(2025, 3, 10));
    assert!(problems_of(&assess(&b, &f).unwrap(), "member.min_age").is_empty());
}

#[test]
fn recruit_talk_within_months_deadline() {
    // Rule recruit.talk_within_months: talk within 1 month (31 Jan → 28 Feb); late only warns.
    let b = book();
    let f = facts(&[(P::SubmitApplication, d(2025, 1, 31)), (P::ApplicantTalk, d(2025, 2, 28))]);
    let a = assess(&b, &f).unwrap();
    assert_eq!(plan(&a, P::ApplicantTalk).deadline, Some(d(2025, 2, 28)));
    assert!(problems_of(&a, "recruit.talk_within_months").is_empty());
    let f = facts(&[(P::SubmitApplication, d(2025, 1, 31)), (P::ApplicantTalk, d(2025, 3, 1))]);
    let p = assess(&b, &f).unwrap();
    assert_eq!(problems_of(&p, "recruit.talk_within_months")[0].level, Level::Warning);
}

#[test]
fn recruit_activist_after_application_months_local_default() {
    // Rule recruit.activist_after_application_months (local): 6 months; a day early only warns.
    let b = book();
    let mut f = activist_record(d(2024, 1, 15), d(2024, 1, 20), d(2024, 7, 14), d(2024, 7, 1));
    let a = assess(&b, &f).unwrap();
    assert_eq!(problems_of(&a, "recruit.activist_after_application_months")[0].level, Level::Warning);
    f.steps.insert(P::SelectActivist, d(2024, 7, 15));
    assert!(assess(&b, &f).unwrap().problems.is_empty());
}

#[test]
fn recruit_activist_min_years_blocks_under_2014_rules() {
    // Rule recruit.activist_min_years (细则 2014 第十三条, confirmed): one year; a day early is an error.
    let b = book();
    let mut f = clean_until(P::CultivateActivist);
    f.steps.insert(P::SelectActivist, d(2024, 3, 1));
    cultivate_from(&mut f, d(2024, 3, 1));
    f.notices.clear();
    f.notices.insert(P::SelectActivist, d(2024, 2, 19));
    f.notices.insert(P::DesignateTarget, d(2025, 2, 17));
    f.steps.insert(P::DesignateTarget, d(2025, 2, 28));
    let a = assess(&b, &f).unwrap();
    let p = problems_of(&a, "recruit.activist_min_years");
    assert_eq!((p.len(), p[0].level), (1, Level::Error));
    f.steps.insert(P::DesignateTarget, d(2025, 3, 1));
    assert!(problems_of(&assess(&b, &f).unwrap(), "recruit.activist_min_years").is_empty());
}

#[test]
fn recruit_activist_min_years_only_warns_under_unverified_2026_revision() {
    // The 2026 version of recruit.activist_min_years is secondary: one day early warns.
    let b = book();
    let mut f = activist_record(d(2025, 6, 1), d(2025, 6, 10), d(2026, 6, 1), d(2026, 5, 20));
    cultivate_from(&mut f, d(2026, 6, 1));
    f.steps.insert(P::DesignateTarget, d(2027, 5, 31));
    f.notices.insert(P::DesignateTarget, d(2027, 5, 17));
    let a = assess(&b, &f).unwrap();
    assert_eq!(problems_of(&a, "recruit.activist_min_years")[0].level, Level::Warning);
}

#[test]
fn recruit_mentors_min_and_max() {
    // Rules recruit.mentors_min (1) and recruit.mentors_max (2): 1–2 培养联系人.
    let b = book();
    for (mentors, expect) in [
        (0, Some(("recruit.mentors_min", Level::Warning))),
        (3, Some(("recruit.mentors_max", Level::Warning))),
        (1, None),
    ] {
        let f = RecruitmentFacts { mentors: Some(mentors), ..clean_record() };
        assert_finds(&assess(&b, &f).unwrap(), expect, &format!("{mentors} mentors"));
    }
}

#[test]
fn recruit_activist_assessment_months_first_half_year() {
    // Rule recruit.activist_assessment_months: assessment every 6 months; deadline for the first.
    let b = book();
    let a = assess(&b, &clean_record()).unwrap();
    assert_eq!(plan(&a, P::CultivateActivist).deadline, Some(d(2024, 1, 17)));
    let mut f = clean_record();
    f.steps.insert(P::CultivateActivist, d(2024, 1, 18));
    assert_eq!(problems_of(&assess(&b, &f).unwrap(), "recruit.activist_assessment_months")[0].level, Level::Warning);
}

#[test]
fn recruit_sponsors_two_full_members() {
    // Rule recruit.sponsors (党章 第五条): two sponsors; one is an error and blocks later steps.
    let f = RecruitmentFacts { sponsors: Some(1), ..clean_until(P::ChooseSponsors) };
    let a = assess(&book(), &f).unwrap();
    assert_eq!(problems_of(&a, "recruit.sponsors")[0].level, Level::Error);
    assert!(plan(&a, P::CommitteeReview).blocked);
    assert!(!plan(&a, P::PoliticalReview).blocked);
}

#[test]
fn recruit_political_review_valid_years() {
    // Rule recruit.political_review_valid_years (secondary): review 2024-08-05 valid to 2025-08-05.
    let b = book();
    let a = assess(&b, &clean_record()).unwrap();
    let limit =
        plan(&a, P::AdmissionMeeting).limits.iter().find(|l| l.rule == "recruit.political_review_valid_years").unwrap();
    assert_eq!(limit.date, d(2025, 8, 5));
    // Meeting on the last valid day passes; the day after warns.
    let mut f = clean_until(P::AdmissionMeeting);
    f.steps.insert(P::PoliticalReview, d(2024, 8, 5));
    f.steps.insert(P::AdmissionMeeting, d(2025, 8, 5));
    f.steps.insert(P::PreReview, d(2025, 7, 20));
    f.steps.insert(P::FillApplicationForm, d(2025, 7, 21));
    f.notices.insert(P::PreReview, d(2025, 7, 7));
    let a = assess(&b, &f).unwrap();
    assert!(problems_of(&a, "recruit.political_review_valid_years").is_empty(), "{:?}", a.problems);
    f.steps.insert(P::AdmissionMeeting, d(2025, 8, 6));
    assert_eq!(problems_of(&assess(&b, &f).unwrap(), "recruit.political_review_valid_years")[0].level, Level::Warning);
}

#[test]
fn recruit_training_min_days_or_min_hours() {
    // Rules recruit.training_min_days (3 days) and recruit.training_min_hours (24 学时): either suffices.
    let b = book();
    let mut f = clean_until(P::ConcentratedTraining);
    f.training = Some(Training { days: 2, hours: 23 });
    let a = assess(&b, &f).unwrap();
    let p = problems_of(&a, "recruit.training_min_days");
    assert_eq!(p[0].level, Level::Error);
    assert!(p[0].message.contains("recruit.training_min_hours"));
    assert!(plan(&a, P::CommitteeReview).blocked);
    for training in [Training { days: 3, hours: 0 }, Training { days: 0, hours: 24 }] {
        f.training = Some(training);
        assert_finds(&assess(&b, &f).unwrap(), None, &format!("{training:?}"));
    }
}

#[test]
fn recruit_departure_months_warns() {
    // Rule recruit.departure_months: leaving within 3 months of the pre-review (2024-09-10 → 2024-12-10).
    let b = book();
    let mut f = clean_until(P::PreReview);
    f.expected_departure = Some(d(2024, 12, 10));
    assert_finds(&assess(&b, &f).unwrap(), Some(("recruit.departure_months", Level::Warning)), "leaving 12-10");
    f.expected_departure = Some(d(2024, 12, 11));
    assert!(problems_of(&assess(&b, &f).unwrap(), "recruit.departure_months").is_empty());
}

#[test]
fn step_time_limits_on_the_last_day_and_a_day_off() {
    // Each row: a step of the clean record moved to a date, the record cut after that step.
    assert_step_dates(&[
        // Rule recruit.meeting_after_pre_review_months (local): within 1 month of the pre-review.
        (P::AdmissionMeeting, d(2024, 10, 10), None),
        (P::AdmissionMeeting, d(2024, 10, 11), Some(("recruit.meeting_after_pre_review_months", Level::Warning))),
        // Rules recruit.approval_months (3, warns) and recruit.approval_max_months (6, blocks under
        // 2014 细则). Meeting 2024-09-20: 3 months → 2024-12-20; 6 months → 2025-03-20.
        (P::AdmissionApproval, d(2024, 12, 20), None),
        (P::AdmissionApproval, d(2024, 12, 21), Some(("recruit.approval_months", Level::Warning))),
        (P::AdmissionApproval, d(2025, 3, 21), Some(("recruit.approval_max_months", Level::Error))),
        // Rule recruit.oath_within_months (local): oath within 1 month of approval (2024-10-15 → 11-15).
        (P::Oath, d(2024, 11, 15), None),
        (P::Oath, d(2024, 11, 16), Some(("recruit.oath_within_months", Level::Warning))),
        // Rule recruit.probation_years (党章 第七条): admitted 2024-09-20 → conversion meeting not
        // before 2025-09-20; a day early is blocked.
        (P::ConversionMeeting, d(2025, 9, 19), Some(("recruit.probation_years", Level::Error))),
        (P::ConversionMeeting, d(2025, 9, 20), None),
        // Rule recruit.conversion_approval_months (secondary): 3 months after the conversion meeting.
        (P::ConversionApproval, d(2025, 12, 22), None),
        (P::ConversionApproval, d(2025, 12, 23), Some(("recruit.conversion_approval_months", Level::Warning))),
    ]);
}

#[test]
fn recruit_approval_max_months_only_past_six_months() {
    // Late approval within recruit.approval_max_months only warns (recruit.approval_months).
    let b = book();
    for on in [d(2024, 12, 21), d(2025, 3, 20)] {
        let mut f = clean_until(P::AdmissionApproval);
        f.steps.insert(P::AdmissionApproval, on);
        assert!(problems_of(&assess(&b, &f).unwrap(), "recruit.approval_max_months").is_empty(), "{on}");
    }
}

#[test]
fn recruit_extension_min_months_max_months_and_max_count() {
    // Rules recruit.extension_min_months (6), recruit.extension_max_months (12), recruit.extension_max_count (1).
    let b = book();
    let mut f = clean_until(P::ContinuedAssessment);
    f.extensions_months = vec![6];
    let a = assess(&b, &f).unwrap();
    assert!(a.problems.is_empty(), "{:?}", a.problems);
    assert_eq!(a.probation_ends, Some(d(2026, 3, 20)));
    assert_eq!(plan(&a, P::ConversionMeeting).earliest, Some(d(2026, 3, 20)));
    for (months, expect) in [
        (vec![5], Some(("recruit.extension_min_months", Level::Error))),
        (vec![12], None),
        (vec![13], Some(("recruit.extension_max_months", Level::Error))),
        (vec![6, 6], Some(("recruit.extension_max_count", Level::Error))),
    ] {
        f.extensions_months = months;
        assert_finds(&assess(&b, &f).unwrap(), expect, &format!("extensions {:?}", f.extensions_months));
    }
}

#[test]
fn recruit_notice_working_days_and_notice_before_steps() {
    // Rules recruit.notice_working_days (5 working days) and recruit.notice_before_steps ([3, 7, 13, 24]).
    // Notice from Monday 2025-03-03 ends Friday 03-07: the target may be designated from 03-08.
    let b = book();
    let mut f = clean_until(P::DesignateTarget);
    f.steps.insert(P::SelectActivist, d(2024, 3, 1));
    f.notices.insert(P::SelectActivist, d(2024, 2, 19));
    cultivate_from(&mut f, d(2024, 3, 1));
    f.notices.insert(P::DesignateTarget, d(2025, 3, 3));
    f.steps.insert(P::DesignateTarget, d(2025, 3, 7));
    let a = assess(&b, &f).unwrap();
    let p = problems_of(&a, "recruit.notice_working_days");
    assert_eq!(p[0].level, Level::Warning);
    assert_eq!(plan(&a, P::DesignateTarget).earliest, Some(d(2025, 3, 8)));
    f.steps.insert(P::DesignateTarget, d(2025, 3, 8));
    assert!(assess(&b, &f).unwrap().problems.is_empty());
    f.notices.remove(&P::DesignateTarget);
    let p = assess(&b, &f).unwrap();
    assert_eq!(problems_of(&p, "recruit.notice_before_steps").len(), 1);
}

#[test]
fn steps_out_of_order_and_missing_are_reported() {
    // Rule recruit.step_order (secondary → warning).
    let b = book();
    let f = facts(&[(P::SubmitApplication, d(2025, 3, 10)), (P::ApplicantTalk, d(2025, 3, 1))]);
    let a = assess(&b, &f).unwrap();
    assert_eq!(problems_of(&a, "recruit.step_order")[0].level, Level::Warning);
    let f = facts(&[(P::SubmitApplication, d(2025, 3, 10)), (P::FileActivist, d(2025, 10, 1))]);
    let a = assess(&b, &f).unwrap();
    assert!(problems_of(&a, "recruit.step_order")[0].message.contains("第2步"));
    assert_eq!(a.next_step, Some(P::ApplicantTalk));
}

#[test]
fn timeline_plans_every_step_with_its_rule() {
    // The 发展党员时间推算 page under the 2014 细则: application 2024-01-15.
    let b = book();
    let t = timeline(&b, d(2024, 1, 15), Some(d(2000, 1, 1))).unwrap();
    assert_eq!(t.steps.len(), 25);
    assert_eq!(t.next_step, Some(P::ApplicantTalk));
    assert!(t.problems.is_empty());
    assert_eq!(plan(&t, P::ApplicantTalk).deadline, Some(d(2024, 2, 15)));
    // Activist ≥ 6 months after application (2024-07-15, a Monday); the 5-working-day notice runs in
    // the week before (07-08..12), while the six months are still running.
    let activist = plan(&t, P::SelectActivist);
    assert_eq!(activist.planned, Some(d(2024, 7, 15)));
    assert!(activist.limits.iter().any(|l| l.rule == "recruit.notice_working_days" && l.date == d(2024, 7, 13)));
    // Development target ≥ 1 year later (2025-07-15, a Tuesday), its notice 07-08..14 before it.
    let target = plan(&t, P::DesignateTarget);
    assert_eq!(target.planned, Some(d(2025, 7, 15)));
    let rules: Vec<&str> = target.limits.iter().map(|l| l.rule).collect();
    assert_eq!(rules, vec!["recruit.activist_min_years", "recruit.notice_working_days"]);
    assert_eq!(target.limits[0].level, Level::Error);
    let meeting = plan(&t, P::AdmissionMeeting).planned.unwrap();
    assert_eq!(t.probation_ends, Some(chrono::Months::new(12)).and_then(|m| meeting.checked_add_months(m)));
    for s in &t.steps {
        assert!(s.planned.is_some());
        for l in &s.limits {
            assert!(b.rule(l.rule).is_some(), "{} cites unknown rule", l.rule);
        }
    }
}

#[test]
fn a_planned_notice_runs_before_the_waiting_period_ends() {
    // An activist confirmed on 2025-06-01: the development target may be designated a year later,
    // on 2026-06-01, with the notice (recruit.notice_working_days, 5 working days) held in the last
    // week of May rather than after the year is over.
    let b = book();
    let mut f = activist_record(d(2024, 11, 4), d(2024, 11, 20), d(2025, 6, 1), d(2025, 5, 21));
    let a = assess(&b, &f).unwrap();
    let target = plan(&a, P::DesignateTarget);
    assert_eq!(target.planned, Some(d(2026, 6, 1)));
    let notice = target.limits.iter().find(|l| l.rule == "recruit.notice_working_days").unwrap();
    assert!(notice.date <= d(2026, 6, 1), "{notice:?}");
    assert!(notice.reason.contains("2026-05-25"), "{}", notice.reason);

    // Recorded, the notice counts as recorded: one that ends after 06-01 holds the step back.
    f.notices.insert(P::DesignateTarget, d(2026, 6, 1));
    let a = assess(&b, &f).unwrap();
    assert_eq!(plan(&a, P::DesignateTarget).planned, Some(d(2026, 6, 6)));

    // Where the time since the previous step is shorter than the notice, it starts after that step.
    let t = timeline(&b, d(2024, 1, 15), Some(d(2000, 1, 1))).unwrap();
    let talk = plan(&t, P::ApplicantTalk).planned.unwrap();
    for s in &t.steps {
        for l in s.limits.iter().filter(|l| l.rule == "recruit.notice_working_days") {
            assert!(l.date > talk, "{:?}", s.step);
        }
    }
}

#[test]
fn input_errors_name_fields() {
    let b = book();
    let err = assess(&b, &RecruitmentFacts::default()).unwrap_err();
    assert_eq!(err.fields()[0].field, "steps.submit_application");
    let mut f = facts(&[(P::SubmitApplication, d(1920, 1, 1))]);
    assert_eq!(assess(&b, &f).unwrap_err().fields()[0].field, "steps.submit_application");
    f.steps.insert(P::SubmitApplication, d(2025, 1, 1));
    f.birth_date = Some(d(2025, 6, 1));
    assert_eq!(assess(&b, &f).unwrap_err().fields()[0].field, "birth_date");
    f.birth_date = None;
    f.extensions_months = vec![0];
    assert_eq!(assess(&b, &f).unwrap_err().fields()[0].field, "extensions_months[0]");
}

#[test]
fn facts_deserialize_from_json_with_step_codes() {
    let f: RecruitmentFacts = serde_json::from_str(
        r#"{"birth_date":"2000-01-01","steps":{"submit_application":"2025-01-06","applicant_talk":"2025-01-20"},"training":{"days":3}}"#,
    )
    .unwrap();
    assert_eq!(f.steps.len(), 2);
    let a = assess(&book(), &f).unwrap();
    let v = serde_json::to_value(&a).unwrap();
    assert_eq!(v["next_step"], "select_activist");
    assert_eq!(v["steps"][0]["step"], "submit_application");
    // The planned conversion notice falls in 2027, whose holidays are provisional.
    assert_eq!(v["calendar_basis"], "provisional");
}
