//! Property tests: dues never negative and monotone within a category; calendar functions total and
//! consistent; the recruitment planner always produces a consistent plan; quorum thresholds are tight.

mod common;
use std::sync::OnceLock;

use chrono::{Datelike, NaiveDate, Weekday};
use common::{book, override_of};
use dangwu_rules::RuleBook;
use dangwu_rules::calendar::Basis;
use dangwu_rules::dates::YearMonth;
use dangwu_rules::dues::{DuesBase, DuesCategory, monthly_dues};
use dangwu_rules::orglife::{VotingBody, general_meeting_quorum, general_meeting_vote};
use dangwu_rules::recruitment::timeline;
use proptest::prelude::*;

fn shared() -> &'static RuleBook {
    static BOOK: OnceLock<RuleBook> = OnceLock::new();
    BOOK.get_or_init(book)
}

/// Books with every rounding mode and unit (dues.rounding.mode × dues.rounding.unit).
fn rounding_books() -> &'static Vec<RuleBook> {
    static BOOKS: OnceLock<Vec<RuleBook>> = OnceLock::new();
    BOOKS.get_or_init(|| {
        let mut out = Vec::new();
        for mode in ["half_up", "down", "up"] {
            for unit in ["fen", "jiao", "yuan"] {
                let mut b = book();
                b.apply_overrides(&[override_of("dues.rounding.mode", mode), override_of("dues.rounding.unit", unit)])
                    .unwrap();
                out.push(b);
            }
        }
        out
    })
}

fn category() -> impl Strategy<Value = DuesCategory> {
    prop::sample::select(DuesCategory::ALL.to_vec())
}

fn month() -> impl Strategy<Value = YearMonth> {
    (2009i32..2100, 1u32..=12).prop_map(|(y, m)| YearMonth::new(y, m).unwrap())
}

fn date_in(from_year: i32, to_year: i32) -> impl Strategy<Value = NaiveDate> {
    let start = NaiveDate::from_ymd_opt(from_year, 1, 1).unwrap();
    let days = (NaiveDate::from_ymd_opt(to_year, 12, 31).unwrap() - start).num_days();
    (0..=days).prop_map(move |n| start + chrono::Days::new(n as u64))
}

fn amount(b: &RuleBook, c: DuesCategory, base: i64, m: YearMonth) -> i64 {
    monthly_dues(b, c, DuesBase::Monthly(base), m).unwrap().amount_fen
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 512, ..ProptestConfig::default() })]

    /// dues.employed.bands / dues.retired.bands / fixed amounts: never negative, whatever the rounding.
    #[test]
    fn dues_never_negative(c in category(), base in 0i64..=100_000_000_000, m in month(), k in 0usize..9) {
        let b = &rounding_books()[k];
        prop_assert!(amount(b, c, base, m) >= 0);
    }

    /// Within a category a larger base never pays less (bands apply to the whole base and rise).
    #[test]
    fn dues_monotone_within_category(c in category(), x in 0i64..=5_000_000, y in 0i64..=5_000_000, m in month(), k in 0usize..9) {
        let b = &rounding_books()[k];
        let (lo, hi) = if x <= y { (x, y) } else { (y, x) };
        prop_assert!(amount(b, c, lo, m) <= amount(b, c, hi, m), "{lo} vs {hi}");
    }

    /// The amount is the band rate of the whole base, rounded to the fen (default rounding).
    #[test]
    fn dues_is_rate_times_whole_base(base in 0i64..=3_000_000, m in month()) {
        let b = shared();
        let a = monthly_dues(b, DuesCategory::Employed, DuesBase::Monthly(base), m).unwrap();
        let rate = a.band.unwrap().rate_bp;
        let exact = base * rate; // in 1/10000 fen
        prop_assert!((a.amount_fen * 10_000 - exact).abs() <= 5_000);
    }

    /// Calendar: add_working_days is total in a wide range, never lands on a non-working day for n ≥ 1,
    /// and working_days_between gives n back.
    #[test]
    fn calendar_add_is_total_and_consistent(day in date_in(1950, 2150), n in 0u32..1500) {
        let c = shared().calendar();
        let r = c.add_working_days(day, n).expect("total in range");
        if n == 0 {
            prop_assert_eq!(r.date, day);
        } else {
            prop_assert!(r.date > day);
            prop_assert!(c.is_working_day(r.date), "{} + {} → {} is not a working day", day, n, r.date);
        }
        prop_assert_eq!(c.working_days_between(day, r.date).days, i64::from(n));
    }

    /// Adding one more working day moves strictly forward, to the next working day.
    #[test]
    fn calendar_add_is_strictly_increasing(day in date_in(2022, 2029), n in 0u32..400) {
        let c = shared().calendar();
        let a = c.add_working_days(day, n).unwrap().date;
        let b = c.add_working_days(day, n + 1).unwrap().date;
        prop_assert!(b > a);
        let mut between = a.succ_opt().unwrap();
        while between < b {
            prop_assert!(!c.is_working_day(between));
            between = between.succ_opt().unwrap();
        }
    }

    /// working_days_between is additive and antisymmetric.
    #[test]
    fn calendar_between_is_additive(a in date_in(2020, 2030), b in date_in(2020, 2030), m in date_in(2020, 2030)) {
        let c = shared().calendar();
        let ab = c.working_days_between(a, b).days;
        prop_assert_eq!(ab, c.working_days_between(a, m).days + c.working_days_between(m, b).days);
        prop_assert_eq!(ab, -c.working_days_between(b, a).days);
    }

    /// Outside the covered years the calendar is Monday–Friday and says so.
    #[test]
    fn calendar_fallback_is_weekdays(day in prop_oneof![date_in(1950, 2023), date_in(2028, 2150)]) {
        let c = shared().calendar();
        let info = c.day(day);
        prop_assert_eq!(info.basis, Basis::Fallback);
        prop_assert_eq!(info.working, !matches!(day.weekday(), Weekday::Sat | Weekday::Sun));
    }

    /// The planner's own plan never violates a limit, and planned dates never go backwards.
    #[test]
    fn timeline_is_consistent(app in date_in(2015, 2035), age in 18i32..60) {
        let b = shared();
        let birth = NaiveDate::from_ymd_opt(app.year() - age, 1, 1).unwrap();
        let t = timeline(b, app, Some(birth)).unwrap();
        prop_assert!(t.problems.is_empty(), "{:?}", t.problems);
        let mut prev = app;
        for s in &t.steps {
            let p = s.planned.unwrap();
            prop_assert!(p >= prev);
            if let Some(e) = s.earliest { prop_assert!(p >= e); }
            prev = p;
        }
    }

    /// Quorum and majority thresholds are tight: `required` passes, one less fails.
    #[test]
    fn quorum_threshold_is_tight(full in 1u32..500, prob in 0u32..50) {
        let b = shared();
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let body = VotingBody { full_members: full, probationary_members: prob, excluded: 0 };
        let q = general_meeting_quorum(b, day, &body, 0).unwrap();
        prop_assert!(2 * q.required > full && 2 * (q.required - 1) <= full);
        if q.required <= full {
            prop_assert!(general_meeting_quorum(b, day, &body, q.required).unwrap().met);
            prop_assert!(general_meeting_vote(b, day, &body, q.required).unwrap().passed);
        }
        prop_assert!(!general_meeting_quorum(b, day, &body, q.required - 1).unwrap().met);
    }

    /// Lawful exclusions and written opinions (orglife.general_meeting.exclusion,
    /// orglife.general_meeting.majority): entitled = full − without vote − excluded; a quorum is more
    /// than half of it in the room; a motion passes when votes in the room plus written opinions in
    /// favour are more than half of it.
    #[test]
    fn roll_votes_count_as_the_rules_say(
        full in 1u32..200,
        without in 0u32..10,
        abroad in 0u32..10,
        ill in 0u32..10,
        present_share in 0u32..=100,
        favour_share in 0u32..=100,
        written_share in 0u32..=100,
    ) {
        use dangwu_rules::orglife::{Ballot, Exclusion, ExclusionReason, Roll, count_roll, roll_vote};
        let b = shared();
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let roll = Roll {
            full_members: full,
            probationary_members: 0,
            without_vote: without,
            exclusions: vec![
                Exclusion { reason: ExclusionReason::Abroad, count: abroad },
                Exclusion { reason: ExclusionReason::SeriouslyIll, count: ill },
            ],
        };
        if without + abroad + ill > full {
            prop_assert!(count_roll(b, day, &roll).is_err());
            return Ok(());
        }
        let entitled = full - without - abroad - ill;
        prop_assert_eq!(count_roll(b, day, &roll).unwrap().entitled, entitled);
        let present = entitled * present_share / 100;
        let in_favour = present * favour_share / 100;
        let written = (entitled - present) * written_share / 100;
        let ballot = Ballot { in_favour, written_in_favour: written, ..Ballot::default() };
        let out = roll_vote(b, day, &roll, present, &ballot).unwrap();
        prop_assert_eq!(out.quorum.met, 2 * present > entitled);
        match out.vote {
            None => prop_assert!(!out.quorum.met),
            Some(v) => prop_assert_eq!(v.passed, 2 * (in_favour + written) > entitled),
        }
    }

    /// election.quorum and election.candidate_margin are tight for every kind that elects.
    #[test]
    fn election_thresholds_are_tight(members in 1u32..600, present_share in 0u32..=100, seats in 1u32..40, extra in 0u32..20, kind in 0usize..4) {
        use dangwu_rules::election::{Election, ElectoralBody, SeatKind, check_election};
        use dangwu_rules::org::OrgKind;
        use dangwu_rules::orglife::Roll;
        let b = shared();
        let day = NaiveDate::from_ymd_opt(2026, 3, 1).unwrap();
        let kind = [OrgKind::PrimaryCommittee, OrgKind::GeneralBranch, OrgKind::Branch, OrgKind::JointBranch][kind];
        let present = members * present_share / 100;
        let e = Election {
            kind,
            body: ElectoralBody::GeneralMeeting,
            roll: Roll { full_members: members, ..Roll::default() },
            present,
            seat_kind: SeatKind::CommitteeMembers,
            seats,
            candidates: seats + extra,
        };
        let out = check_election(b, day, &e).unwrap();
        prop_assert_eq!(out.quorum.met, 5 * present > 4 * members);
        prop_assert_eq!(out.margin.met, 100 * extra >= 20 * seats);
    }
}
