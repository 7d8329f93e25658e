//! 谈心谈话 (regulations.md 3.12): every pair — committee members among themselves, committee members
//! and members, members and members — talks at least orglife.talk.per_pair_per_year times a year.

mod common;
use common::{book, d, override_of};
use dangwu_rules::Level;
use dangwu_rules::book::BUILTIN_SOURCES;
use dangwu_rules::orglife::Period;
use dangwu_rules::talk::*;
use proptest::prelude::*;

fn year(y: i32) -> Period {
    Period { from: d(y, 1, 1), to: d(y, 12, 31) }
}

fn talk(a: u32, b: u32) -> Talk<u32> {
    Talk { a, b, date: d(2026, 5, 1) }
}

#[test]
fn orglife_talk_per_pair_per_year_every_pair_not_one_talk() {
    // Rule orglife.talk.per_pair_per_year: committee {1, 2, 3}, members {4, 5}: 3 committee pairs,
    // 6 committee–member pairs, 1 member pair = 10. One talk in the branch leaves 9 missing.
    let b = book();
    let out = talk_coverage(&b, year(2026), &[1, 2, 3], &[4, 5], &[talk(1, 4)]).unwrap();
    assert_eq!((out.pairs, out.covered, out.met, out.rule), (10, 1, false, "orglife.talk.per_pair_per_year"));
    let required: Vec<u32> = out.by_kind.iter().map(|t| t.required).collect();
    assert_eq!(required, vec![3, 6, 1]);
    assert_eq!(out.missing.len(), 9);
    assert_eq!(out.missing[0].kind, PairKind::CommitteeCommittee);
    assert_eq!(out.level, Level::Warning);
    assert!(out.message.contains("支部委员之间3对"), "{}", out.message);
    // A committee–member pair names the committee member first.
    let m = out.missing.iter().find(|p| p.kind == PairKind::CommitteeMember).unwrap();
    assert!(m.a <= 3 && m.b >= 4);
}

#[test]
fn all_pairs_talked_meets_the_requirement() {
    let b = book();
    let people = [1u32, 2, 3, 4, 5];
    let mut talks = Vec::new();
    for (i, x) in people.iter().enumerate() {
        for y in &people[i + 1..] {
            talks.push(Talk { a: *y, b: *x, date: d(2026, 12, 31) });
        }
    }
    let out = talk_coverage(&b, year(2026), &[1, 2], &[1, 2, 3, 4, 5], &talks).unwrap();
    assert!(out.met);
    assert_eq!((out.pairs, out.covered, out.level), (10, 10, Level::Info));
    // One pair short (the last talk removed) → not met.
    talks.pop();
    let out = talk_coverage(&b, year(2026), &[1, 2], &[3, 4, 5], &talks).unwrap();
    assert_eq!((out.covered, out.met), (9, false));
}

/// The built-in book with orglife.talk.per_pair_per_year set to `n` in the pack (it is confirmed, so
/// a deployment cannot override it; a new pack version could change it).
fn book_with_per_pair(n: u32) -> dangwu_rules::RuleBook {
    let id = "id = \"orglife.talk.per_pair_per_year\"";
    let sources: Vec<(&str, String)> = BUILTIN_SOURCES
        .iter()
        .map(|(name, text)| match text.split_once(id) {
            Some((head, tail)) => {
                (*name, format!("{head}{id}{}", tail.replacen("value = 1\n", &format!("value = {n}\n"), 1)))
            }
            None => (*name, text.to_string()),
        })
        .collect();
    let refs: Vec<(&str, &str)> = sources.iter().map(|(n, t)| (*n, t.as_str())).collect();
    dangwu_rules::RuleBook::load(&refs).unwrap()
}

#[test]
fn per_pair_count_at_the_boundary() {
    // orglife.talk.per_pair_per_year is confirmed: a deployment cannot override it.
    let mut b = book();
    let err = b.apply_overrides(&[override_of("orglife.talk.per_pair_per_year", 2)]).unwrap_err();
    assert!(err.to_string().contains("confirmed"), "{err}");
    // The count is read from the book: with 2 a pair, 1 talk is short, 2 meet, 3 meet.
    let b = book_with_per_pair(2);
    let one = talk_coverage(&b, year(2026), &[1], &[2], &[talk(1, 2)]).unwrap();
    assert_eq!((one.per_pair, one.met, one.missing[0].held), (2, false, 1));
    assert!(talk_coverage(&b, year(2026), &[1], &[2], &[talk(1, 2), talk(2, 1)]).unwrap().met);
    assert!(talk_coverage(&b, year(2026), &[1], &[2], &[talk(1, 2), talk(2, 1), talk(1, 2)]).unwrap().met);
    // The shipped value, 1: none is short, 1 meets.
    let b = book();
    assert!(!talk_coverage(&b, year(2026), &[1], &[2], &[]).unwrap().met);
    assert!(talk_coverage(&b, year(2026), &[1], &[2], &[talk(1, 2)]).unwrap().met);
}

#[test]
fn talks_outside_period_or_branch_do_not_count() {
    let b = book();
    let talks = vec![
        Talk { a: 1, b: 2, date: d(2025, 12, 31) }, // last year
        Talk { a: 1, b: 9, date: d(2026, 3, 1) },   // 9 is not in the branch
        Talk { a: 1, b: 2, date: d(2026, 1, 1) },   // first day counts
    ];
    let out = talk_coverage(&b, year(2026), &[1], &[2], &talks).unwrap();
    assert_eq!((out.outside_period, out.outside_branch, out.met), (1, 1, true));
    // A year still running: the missing pairs are open, not overdue.
    let half = Period { from: d(2026, 1, 1), to: d(2026, 6, 30) };
    let open = talk_coverage(&b, half, &[1], &[2, 3], &[talk(1, 2)]).unwrap();
    assert!(!open.met && !open.year_ended);
    assert_eq!(open.level, Level::Info);
    // Talk on the last day of a partial period counts; the day after does not.
    let edge = [Talk { a: 1, b: 3, date: d(2026, 6, 30) }, Talk { a: 2, b: 3, date: d(2026, 7, 1) }];
    let out = talk_coverage(&b, half, &[1], &[2, 3], &edge).unwrap();
    assert_eq!((out.covered, out.outside_period), (1, 1));
}

#[test]
fn bad_talk_input_is_refused() {
    let b = book();
    let err = talk_coverage(&b, year(2026), &[1], &[2], &[talk(2, 2)]).unwrap_err();
    assert_eq!(err.fields()[0].field, "talks[0]");
    assert!(err.fields()[0].reason.contains("同一人"));
    let across = Period { from: d(2025, 7, 1), to: d(2026, 6, 30) };
    assert_eq!(talk_coverage(&b, across, &[1], &[2], &[]).unwrap_err().fields()[0].field, "to");
    // A branch of one person has no pairs: trivially met.
    let alone = talk_coverage(&b, year(2026), &[1], &[1], &[]).unwrap();
    assert_eq!((alone.pairs, alone.met), (0, true));
}

proptest! {
    #[test]
    fn pairs_are_n_choose_2_and_split_by_kind(
        committee in 0u32..6,
        members in 0u32..12,
        talks in proptest::collection::vec((0u32..18, 0u32..18), 0..60),
    ) {
        let b = book();
        let committee_ids: Vec<u32> = (0..committee).collect();
        let member_ids: Vec<u32> = (committee..committee + members).collect();
        let talks: Vec<Talk<u32>> =
            talks.into_iter().filter(|(a, b)| a != b).map(|(a, b)| Talk { a, b, date: d(2026, 6, 1) }).collect();
        let out = talk_coverage(&b, year(2026), &committee_ids, &member_ids, &talks).unwrap();
        let n = committee + members;
        prop_assert_eq!(out.pairs, n * n.saturating_sub(1) / 2);
        prop_assert_eq!(out.by_kind[0].required, committee * committee.saturating_sub(1) / 2);
        prop_assert_eq!(out.by_kind[1].required, committee * members);
        prop_assert_eq!(out.by_kind[2].required, members * members.saturating_sub(1) / 2);
        prop_assert_eq!(out.pairs - out.covered, out.missing.len() as u32);
        prop_assert_eq!(out.met, out.missing.is_empty());
        // Adding a talk for every missing pair meets the requirement.
        let mut all = talks.clone();
        all.extend(out.missing.iter().map(|p| Talk { a: p.a, b: p.b, date: d(2026, 7, 1) }));
        prop_assert!(talk_coverage(&b, year(2026), &committee_ids, &member_ids, &all).unwrap().met);
    }
}
