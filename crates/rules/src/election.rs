//! Elections (选举) of a committee or of delegates, for any kind of organization that elects: a 党支部
//! or 联合党支部 and a 党总支 at their 党员大会, a 基层党委 at its 党员大会 or, with approval, its
//! 党员代表大会 (选举工作条例 第四条, regulations.md 2.6). Two checks: enough voters present
//! (election.quorum, more than 4/5 of those entitled, 2.10) and enough candidates (差额: at least 20%
//! more than seats, election.candidate_margin for committee members, election.delegate_candidate_margin
//! for delegates, 2.8). Both rules are secondary, so a miss warns and never blocks.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::book::{RuleBook, RuleValue};
use crate::check::{CalcError, Check, Invalid, Level};
use crate::org::OrgKind;
use crate::orglife::{QuorumOutcome, RULE_ELECTION_CANDIDATE_MARGIN, Roll, RollCount, count_roll, election_quorum_of};

pub const RULE_DELEGATE_CANDIDATE_MARGIN: &str = "election.delegate_candidate_margin";

/// The meeting that elects.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ElectoralBody {
    /// 党员大会: every voting member.
    GeneralMeeting,
    /// 党员代表大会: elected delegates (a 党委 with 500 or more members or dispersed organizations, with
    /// the higher organization's approval).
    DelegatesCongress,
}

impl ElectoralBody {
    pub fn label(self) -> &'static str {
        match self {
            ElectoralBody::GeneralMeeting => "党员大会",
            ElectoralBody::DelegatesCongress => "党员代表大会",
        }
    }

    /// Who votes at it, for messages.
    fn voters(self) -> &'static str {
        match self {
            ElectoralBody::GeneralMeeting => "有选举权的党员",
            ElectoralBody::DelegatesCongress => "有选举权的代表",
        }
    }
}

/// What is elected.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum SeatKind {
    /// 委员会委员 (支部委员会、总支委员会、党委委员会).
    CommitteeMembers,
    /// 出席上级党代表大会的代表 (or delegates to the organization's own congress).
    Delegates,
}

impl SeatKind {
    pub fn label(self) -> &'static str {
        match self {
            SeatKind::CommitteeMembers => "委员",
            SeatKind::Delegates => "代表",
        }
    }

    /// The margin rule for these seats.
    pub fn margin_rule(self) -> &'static str {
        match self {
            SeatKind::CommitteeMembers => RULE_ELECTION_CANDIDATE_MARGIN,
            SeatKind::Delegates => RULE_DELEGATE_CANDIDATE_MARGIN,
        }
    }
}

/// The meetings at which an organization of `kind` may elect: none for a 临时党支部 (its leaders are
/// appointed, it holds no re-election, regulations.md 1.7a) or a 党小组; a 党员大会 for branches and
/// general branches; a 党员大会 or a 党员代表大会 for committees (选举工作条例 第四条).
pub fn electoral_bodies(kind: OrgKind) -> &'static [ElectoralBody] {
    match kind {
        OrgKind::GroupCommittee | OrgKind::PrimaryCommittee => {
            &[ElectoralBody::GeneralMeeting, ElectoralBody::DelegatesCongress]
        }
        OrgKind::GeneralBranch | OrgKind::Branch | OrgKind::JointBranch => &[ElectoralBody::GeneralMeeting],
        OrgKind::TemporaryBranch | OrgKind::PartyGroup => &[],
    }
}

/// One election to check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Election {
    pub kind: OrgKind,
    pub body: ElectoralBody,
    /// For a 党员大会, the members; for a 党员代表大会, the delegates (`full_members` = delegates
    /// with a vote). Exclusions are counted as for any general meeting (orglife.general_meeting.exclusion).
    pub roll: Roll,
    /// Voters present (full members, or delegates).
    pub present: u32,
    pub seat_kind: SeatKind,
    /// 应选人数.
    pub seats: u32,
    /// 候选人数 on the ballot.
    pub candidates: u32,
}

/// The candidate margin of an election.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MarginOutcome {
    pub seats: u32,
    pub candidates: u32,
    /// Fewest candidates for the seats.
    pub required: u32,
    pub met: bool,
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
}

/// Both checks of an election, and the roll they were counted on.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ElectionCheck {
    pub roll: RollCount,
    pub quorum: QuorumOutcome,
    pub margin: MarginOutcome,
    /// Every finding: the roll's, then a quorum miss, then a margin miss (empty when all is well but
    /// for the roll's information).
    pub checks: Vec<Check>,
}

/// The fewest candidates for `seats` under the margin rule of `seat_kind` on `date`: seats plus the
/// margin percentage of the seats, rounded up (5 seats at 20% → 6; 7 → 9; 10 → 12).
pub fn min_candidates_for(book: &RuleBook, date: NaiveDate, seat_kind: SeatKind, seats: u32) -> Result<u32, CalcError> {
    let pct = u64::from(book.count(seat_kind.margin_rule(), date)?);
    let extra = (u64::from(seats) * pct).div_ceil(100);
    Ok(u32::try_from(u64::from(seats) + extra).unwrap_or(u32::MAX))
}

/// Refuses no seats, and fewer candidates than seats.
fn refuse_seats(inv: &mut Invalid, seats: u32, candidates: u32) {
    if seats == 0 {
        inv.push("seats", "应选人数至少为1人");
    }
    if candidates < seats {
        inv.push("candidates", format!("候选人数（{candidates}人）不能少于应选人数（{seats}人）"));
    }
}

/// The candidate margin: `candidates` must be at least [`min_candidates_for`] (election.candidate_margin
/// or election.delegate_candidate_margin). Refused: no seats; fewer candidates than seats.
pub fn check_margin(
    book: &RuleBook,
    date: NaiveDate,
    seat_kind: SeatKind,
    seats: u32,
    candidates: u32,
) -> Result<MarginOutcome, CalcError> {
    let mut inv = Invalid::default();
    refuse_seats(&mut inv, seats, candidates);
    inv.finish()?;
    let rule = seat_kind.margin_rule();
    let resolved = book.resolve(rule, date)?;
    let pct = match resolved.value() {
        RuleValue::Integer(n) => *n,
        _ => return Err(crate::book::RuleError::WrongType { rule: rule.into(), expected: "整数" }.into()),
    };
    let required = min_candidates_for(book, date, seat_kind, seats)?;
    let met = candidates >= required;
    let what = seat_kind.label();
    let message = if met {
        format!("应选{what}{seats}名，候选人{candidates}名，差额不少于{pct}%（至少{required}名），符合要求")
    } else {
        format!("应选{what}{seats}名，候选人{candidates}名；候选人应多于应选人数的{pct}%，至少{required}名")
    };
    Ok(MarginOutcome {
        seats,
        candidates,
        required,
        met,
        rule,
        level: if met { Level::Info } else { Level::for_rule(&resolved, true) },
        message,
    })
}

/// Checks an election on `date`: the organization elects at that kind of meeting
/// ([`electoral_bodies`]), more than 4/5 of the entitled voters are present (election.quorum; the roll
/// is counted by [`count_roll`], so lawful exclusions apply), and the candidates exceed the seats by
/// the margin (election.candidate_margin / election.delegate_candidate_margin).
/// Example: a 党委 of 100 members, 80 present → no quorum (needs 81); 7 seats, 8 candidates → too few
/// (needs 9).
pub fn check_election(book: &RuleBook, date: NaiveDate, e: &Election) -> Result<ElectionCheck, CalcError> {
    let bodies = electoral_bodies(e.kind);
    if bodies.is_empty() {
        let why = match e.kind {
            OrgKind::TemporaryBranch => "临时党支部的书记、委员由批准其成立的党组织指定，不进行换届选举",
            _ => "党小组不进行选举，组长由支部指定或党小组推荐",
        };
        return Err(CalcError::invalid("kind", why));
    }
    if !bodies.contains(&e.body) {
        return Err(CalcError::invalid(
            "body",
            format!("{}由党员大会选举产生；只有党委经批准可召开党员代表大会进行选举", e.kind.label()),
        ));
    }
    let roll = count_roll(book, date, &e.roll)?;
    let mut inv = Invalid::default();
    if e.present > roll.entitled {
        inv.push(
            "present",
            format!("到会{}（{}人）不能多于应到会人数（{}人）", e.body.voters(), e.present, roll.entitled),
        );
    }
    refuse_seats(&mut inv, e.seats, e.candidates);
    inv.finish()?;
    let quorum = election_quorum_of(book, date, roll.entitled, e.present, e.body.label(), e.body.voters())?;
    let margin = check_margin(book, date, e.seat_kind, e.seats, e.candidates)?;
    let mut checks = roll.checks.clone();
    if !quorum.met {
        checks.push(Check::new(quorum.level, quorum.rule, quorum.message.clone()));
    }
    if !margin.met {
        checks.push(Check::new(margin.level, margin.rule, margin.message.clone()));
    }
    Ok(ElectionCheck { roll, quorum, margin, checks })
}
