//! 谈心谈话 (heart-to-heart talks), regulations.md 3.12 (支部工作条例 第十九条): between committee
//! members, between committee members and members, and between members, **each pair** talks at least
//! `orglife.talk.per_pair_per_year` times a year. One talk somewhere in the branch does not meet it:
//! [`talk_coverage`] lists every required pair that has not talked enough in the year.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::book::RuleBook;
use crate::check::{CalcError, Level};
use crate::orglife::{Period, RULE_TALK_PER_PAIR};

/// One recorded talk between two people (any id type: member ids, numbers, names in tests).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Talk<P> {
    pub a: P,
    pub b: P,
    pub date: NaiveDate,
}

/// Which of the three required kinds a pair is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum PairKind {
    /// 支部委员之间
    CommitteeCommittee,
    /// 支部委员和党员之间
    CommitteeMember,
    /// 党员和党员之间
    MemberMember,
}

impl PairKind {
    pub const ALL: [PairKind; 3] = [PairKind::CommitteeCommittee, PairKind::CommitteeMember, PairKind::MemberMember];

    pub fn label(self) -> &'static str {
        match self {
            PairKind::CommitteeCommittee => "支部委员之间",
            PairKind::CommitteeMember => "支部委员和党员之间",
            PairKind::MemberMember => "党员和党员之间",
        }
    }
}

/// A required pair and how many talks it had in the period. In a 委员和党员 pair `a` is the
/// committee member; otherwise `a < b`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalkPair<P> {
    pub a: P,
    pub b: P,
    pub kind: PairKind,
    pub held: u32,
}

/// Pairs of one kind: how many are required and how many are covered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct PairTally {
    pub kind: PairKind,
    pub required: u32,
    pub covered: u32,
}

/// The talk requirement of one branch over a period within one calendar year.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TalkCoverage<P> {
    pub period: Period,
    /// Talks each pair needs in the year (orglife.talk.per_pair_per_year on the period's first day).
    pub per_pair: u32,
    /// All required pairs.
    pub pairs: u32,
    /// Pairs with enough talks.
    pub covered: u32,
    pub by_kind: [PairTally; 3],
    /// Required pairs with fewer talks than `per_pair`, committee pairs first.
    pub missing: Vec<TalkPair<P>>,
    /// Every required pair has talked enough.
    pub met: bool,
    /// The period reaches the end of its year, so a missing pair is overdue rather than still open.
    pub year_ended: bool,
    /// Talks in the period that name someone outside the branch (they meet no required pair).
    pub outside_branch: u32,
    /// Talks dated outside the period (not counted).
    pub outside_period: u32,
    pub rule: &'static str,
    /// `Info` when met or the year is still running; `Warning` when the year ended with pairs missing
    /// (a duty of the organization, which warns, docs/RULES.md).
    pub level: Level,
    pub message: String,
}

/// Which required pairs of a branch have had fewer than orglife.talk.per_pair_per_year talks in
/// `period` (which must lie within one calendar year): every pair of its people, where people are the
/// committee members and the members (a person in both lists counts once, as a committee member).
/// Refused: a period across years; a talk of a person with himself.
/// Example: committee {1, 2}, members {3}: pairs 1–2 (委员之间), 1–3 and 2–3 (委员和党员之间); a talk
/// 1–3 leaves 1–2 and 2–3 missing.
pub fn talk_coverage<P: Ord + Clone>(
    book: &RuleBook,
    period: Period,
    committee: &[P],
    members: &[P],
    talks: &[Talk<P>],
) -> Result<TalkCoverage<P>, CalcError> {
    let mut inv = period.invalid();
    if period.to >= period.from && period.to.year() != period.from.year() {
        inv.push("to", "谈心谈话按年度统计，起止日期须在同一年内");
    }
    for (i, t) in talks.iter().enumerate() {
        if t.a == t.b {
            inv.push(format!("talks[{i}]"), "谈话双方不能是同一人");
        }
    }
    inv.finish()?;
    let per_pair = book.count(RULE_TALK_PER_PAIR, period.from)?;

    let committee: BTreeSet<&P> = committee.iter().collect();
    let people: BTreeSet<&P> = committee.iter().copied().chain(members.iter()).collect();
    let mut held: BTreeMap<(&P, &P), u32> = BTreeMap::new();
    let (mut outside_branch, mut outside_period) = (0u32, 0u32);
    for t in talks {
        if t.date < period.from || t.date > period.to {
            outside_period += 1;
        } else if !people.contains(&t.a) || !people.contains(&t.b) {
            outside_branch += 1;
        } else {
            let key = if t.a < t.b { (&t.a, &t.b) } else { (&t.b, &t.a) };
            *held.entry(key).or_default() += 1;
        }
    }

    let kind_of = |x: &P, y: &P| match (committee.contains(x), committee.contains(y)) {
        (true, true) => PairKind::CommitteeCommittee,
        (false, false) => PairKind::MemberMember,
        _ => PairKind::CommitteeMember,
    };
    let mut by_kind = PairKind::ALL.map(|kind| PairTally { kind, required: 0, covered: 0 });
    let mut missing = Vec::new();
    let list: Vec<&P> = people.iter().copied().collect();
    for (i, x) in list.iter().enumerate() {
        for y in &list[i + 1..] {
            let kind = kind_of(x, y);
            let n = held.get(&(*x, *y)).copied().unwrap_or(0);
            let tally = &mut by_kind[kind as usize];
            tally.required += 1;
            if n >= per_pair {
                tally.covered += 1;
            } else {
                let (a, b) = if kind == PairKind::CommitteeMember && !committee.contains(x) { (y, x) } else { (x, y) };
                missing.push(TalkPair { a: (*a).clone(), b: (*b).clone(), kind, held: n });
            }
        }
    }
    missing.sort_by_key(|p| p.kind);
    let pairs: u32 = by_kind.iter().map(|t| t.required).sum();
    let covered: u32 = by_kind.iter().map(|t| t.covered).sum();
    let met = covered == pairs;
    let year_ended = period.to.month() == 12 && period.to.day() == 31;
    let year = period.from.year();
    let detail = by_kind
        .iter()
        .filter(|t| t.required > t.covered)
        .map(|t| format!("{}{}对", t.kind.label(), t.required - t.covered))
        .collect::<Vec<_>>()
        .join("、");
    let (level, message) = if met {
        (Level::Info, format!("{year}年应谈心谈话{pairs}对，均已谈（每对至少{per_pair}次），符合要求"))
    } else if year_ended {
        (
            Level::Warning,
            format!(
                "{year}年应谈心谈话{pairs}对，已谈{covered}对，尚有{}对未达到每年至少{per_pair}次（{detail}）",
                pairs - covered
            ),
        )
    } else {
        (
            Level::Info,
            format!(
                "{year}年应谈心谈话{pairs}对，截至{}已谈{covered}对，尚有{}对未谈（{detail}）",
                period.to,
                pairs - covered
            ),
        )
    };
    Ok(TalkCoverage {
        period,
        per_pair,
        pairs,
        covered,
        by_kind,
        missing,
        met,
        year_ended,
        outside_branch,
        outside_period,
        rule: RULE_TALK_PER_PAIR,
        level,
        message,
    })
}
