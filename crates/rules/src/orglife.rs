//! Organizational life (组织生活): which meetings an organization must hold in a period and how many,
//! quorum and majority of general meetings, elections, and the democratic-appraisal grade cap.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::book::Frequency;
use crate::book::{RuleBook, RuleError, RuleStatus};
use crate::check::{CalcError, Check, Invalid, Level};
use crate::dates::{YearMonth, check_input_date};
use crate::org::OrgKind;

pub const RULE_GENERAL_MEETING_FREQUENCY: &str = "orglife.general_meeting.frequency";
pub const RULE_GENERAL_MEETING_QUORUM: &str = "orglife.general_meeting.quorum";
pub const RULE_GENERAL_MEETING_MAJORITY: &str = "orglife.general_meeting.majority";
pub const RULE_COMMITTEE_FREQUENCY: &str = "orglife.branch_committee.frequency";
pub const RULE_COMMITTEE_QUORUM: &str = "orglife.branch_committee.quorum";
pub const RULE_PARTY_GROUP_FREQUENCY: &str = "orglife.party_group.frequency";
pub const RULE_LECTURE_FREQUENCY: &str = "orglife.party_lecture.frequency";
pub const RULE_COMMITTEE_SECRETARY_LECTURE: &str = "orglife.committee_secretary_lecture.per_year";
pub const RULE_BRANCH_SECRETARY_LECTURE: &str = "orglife.branch_secretary_lecture.per_year";
pub const RULE_THEME_DAY_FREQUENCY: &str = "orglife.theme_day.frequency";
pub const RULE_LIFE_MEETING_FREQUENCY: &str = "orglife.life_meeting.frequency";
pub const RULE_LIFE_MEETING_QUARTER: &str = "orglife.life_meeting.preferred_quarter";
pub const RULE_APPRAISAL_FREQUENCY: &str = "orglife.appraisal.frequency";
pub const RULE_APPRAISAL_EXCELLENT_CAP: &str = "orglife.appraisal.excellent_cap";
pub const RULE_APPRAISAL_GRADE_PROBATIONARY: &str = "orglife.appraisal.grade_probationary";
pub const RULE_TALK_PER_PAIR: &str = "orglife.talk.per_pair_per_year";
pub const RULE_ELECTION_QUORUM: &str = "election.quorum";
pub const RULE_ELECTION_MAJORITY_BASE: &str = "election.majority_base";
pub const RULE_ELECTION_CANDIDATE_MARGIN: &str = "election.candidate_margin";

/// Kinds of organizational-life activity (三会一课 and the rest).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum MeetingKind {
    /// 支部党员大会
    GeneralMeeting,
    /// 支部委员会会议
    BranchCommittee,
    /// 党小组会
    PartyGroupMeeting,
    /// 党课
    PartyLecture,
    /// 书记讲党课
    SecretaryLecture,
    /// 主题党日
    ThemeDay,
    /// 组织生活会
    LifeMeeting,
    /// 民主评议党员
    DemocraticAppraisal,
    /// 谈心谈话
    HeartToHeartTalk,
}

impl MeetingKind {
    pub const ALL: [MeetingKind; 9] = [
        MeetingKind::GeneralMeeting,
        MeetingKind::BranchCommittee,
        MeetingKind::PartyGroupMeeting,
        MeetingKind::PartyLecture,
        MeetingKind::SecretaryLecture,
        MeetingKind::ThemeDay,
        MeetingKind::LifeMeeting,
        MeetingKind::DemocraticAppraisal,
        MeetingKind::HeartToHeartTalk,
    ];

    pub fn label(self) -> &'static str {
        match self {
            MeetingKind::GeneralMeeting => "支部党员大会",
            MeetingKind::BranchCommittee => "支部委员会会议",
            MeetingKind::PartyGroupMeeting => "党小组会",
            MeetingKind::PartyLecture => "党课",
            MeetingKind::SecretaryLecture => "书记讲党课",
            MeetingKind::ThemeDay => "主题党日",
            MeetingKind::LifeMeeting => "组织生活会",
            MeetingKind::DemocraticAppraisal => "民主评议党员",
            MeetingKind::HeartToHeartTalk => "谈心谈话",
        }
    }
}

/// A date range, both ends included.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Period {
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// What the requirements depend on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrgLifeFacts {
    pub kind: OrgKind,
    /// Whether the branch has a committee (支部委员会).
    #[serde(default)]
    pub has_committee: bool,
    /// Number of party groups (党小组) in the branch; each holds its own meetings.
    #[serde(default)]
    pub party_groups: u32,
}

/// Whom a requirement applies to.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RequirementScope {
    /// The organization itself.
    Organization,
    /// Each party group of the branch.
    EachPartyGroup,
    /// The secretary.
    Secretary,
    /// Each pair: committee members among themselves, committee members and members, members and members.
    EachPair,
}

/// One calendar window in which a meeting is due (a month, quarter, half-year or year, clipped to the
/// period).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct DueWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// The window is cut by the period's start or end.
    pub partial: bool,
    /// How many are due in this window (per scope unit).
    pub count: u32,
}

/// A required activity in a period.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Requirement {
    pub meeting: MeetingKind,
    pub label: &'static str,
    pub scope: RequirementScope,
    pub rule: &'static str,
    pub status: RuleStatus,
    /// Frequency in force at the start of the period.
    pub frequency: Frequency,
    pub windows: Vec<DueWindow>,
    /// Total due in the period per scope unit (sum of window counts).
    pub required: u32,
    /// Number of scope units (party groups) where known; `required * units` meetings in all.
    pub units: Option<u32>,
    pub note: Option<String>,
}

/// The calendar window of `freq` that contains `date`.
fn window_of(freq: Frequency, date: NaiveDate) -> (NaiveDate, NaiveDate) {
    let len = freq.months();
    let m0 = (date.month() - 1) / len * len + 1;
    let start = YearMonth { year: date.year(), month: m0 };
    let end_month = YearMonth::from_index(start.index() + i64::from(len) - 1).expect("within the year");
    (start.first_day(), end_month.last_day())
}

/// The windows of a frequency rule over `period`, looking the frequency up at each window's start
/// (so a change of rule or override takes effect from the next window).
fn windows(book: &RuleBook, rule: &'static str, period: Period, per_window: u32) -> Result<Vec<DueWindow>, RuleError> {
    let mut out = Vec::new();
    let mut cursor = period.from;
    while cursor <= period.to {
        let freq = book.frequency(rule, cursor)?;
        let (ws, we) = window_of(freq, cursor);
        let from = ws.max(period.from);
        let to = we.min(period.to);
        out.push(DueWindow { from, to, partial: from != ws || to != we, count: per_window });
        match we.succ_opt() {
            Some(next) => cursor = next,
            None => break,
        }
    }
    Ok(out)
}

/// Yearly windows with a count per year (for "N per year" rules), the count looked up per year.
fn yearly_windows(book: &RuleBook, rule: &'static str, period: Period) -> Result<Vec<DueWindow>, RuleError> {
    let mut out = Vec::new();
    let mut cursor = period.from;
    while cursor <= period.to {
        let count = book.count(rule, cursor)?;
        let (ws, we) = window_of(Frequency::Yearly, cursor);
        let from = ws.max(period.from);
        let to = we.min(period.to);
        out.push(DueWindow { from, to, partial: from != ws || to != we, count });
        match we.succ_opt() {
            Some(next) => cursor = next,
            None => break,
        }
    }
    Ok(out)
}

fn validate_period(period: Period) -> Result<(), CalcError> {
    let mut inv = Invalid::default();
    if let Err(r) = check_input_date(period.from) {
        inv.push("from", r);
    }
    if let Err(r) = check_input_date(period.to) {
        inv.push("to", r);
    }
    if period.to < period.from {
        inv.push("to", "结束日期早于开始日期");
    }
    inv.finish()
}

/// The activities `facts.kind` must hold in `period`, with how many and in which windows. Windows are
/// calendar months/quarters/years overlapping the period (partial ones flagged). Rules applied:
/// orglife.general_meeting.frequency (党员大会 quarterly), orglife.branch_committee.frequency (支委会
/// monthly, if there is a committee), orglife.party_group.frequency (党小组会 monthly, each group),
/// orglife.party_lecture.frequency (党课, local default quarterly), orglife.theme_day.frequency
/// (主题党日 monthly), orglife.life_meeting.frequency and .preferred_quarter (组织生活会 yearly, Q4),
/// orglife.appraisal.frequency (民主评议 yearly), orglife.talk.per_pair_per_year (谈心谈话),
/// orglife.branch_secretary_lecture.per_year / orglife.committee_secretary_lecture.per_year (书记讲党课).
/// 三会一课 apply to branches; committees and general branches get the secretary's lecture only; a
/// 党小组 gets its own meeting.
pub fn requirements(book: &RuleBook, facts: &OrgLifeFacts, period: Period) -> Result<Vec<Requirement>, CalcError> {
    validate_period(period)?;
    let mut out = Vec::new();
    let at = period.from;
    let mut push = |meeting: MeetingKind,
                    scope: RequirementScope,
                    rule: &'static str,
                    windows: Vec<DueWindow>,
                    units: Option<u32>,
                    note: Option<String>|
     -> Result<(), CalcError> {
        let resolved = book.resolve(rule, at)?;
        let frequency = match resolved.value() {
            crate::book::RuleValue::Frequency(f) => *f,
            _ => Frequency::Yearly,
        };
        out.push(Requirement {
            meeting,
            label: meeting.label(),
            scope,
            rule,
            status: resolved.status(),
            frequency,
            required: windows.iter().map(|w| w.count).sum(),
            windows,
            units,
            note,
        });
        Ok(())
    };
    use MeetingKind as M;
    use RequirementScope as S;
    match facts.kind {
        OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch => {
            push(
                M::GeneralMeeting,
                S::Organization,
                RULE_GENERAL_MEETING_FREQUENCY,
                windows(book, RULE_GENERAL_MEETING_FREQUENCY, period, 1)?,
                None,
                None,
            )?;
            if facts.has_committee {
                push(
                    M::BranchCommittee,
                    S::Organization,
                    RULE_COMMITTEE_FREQUENCY,
                    windows(book, RULE_COMMITTEE_FREQUENCY, period, 1)?,
                    None,
                    None,
                )?;
            }
            if facts.party_groups > 0 {
                push(
                    M::PartyGroupMeeting,
                    S::EachPartyGroup,
                    RULE_PARTY_GROUP_FREQUENCY,
                    windows(book, RULE_PARTY_GROUP_FREQUENCY, period, 1)?,
                    Some(facts.party_groups),
                    Some(format!("{}个党小组各自召开", facts.party_groups)),
                )?;
            }
            push(
                M::PartyLecture,
                S::Organization,
                RULE_LECTURE_FREQUENCY,
                windows(book, RULE_LECTURE_FREQUENCY, period, 1)?,
                None,
                None,
            )?;
            push(
                M::ThemeDay,
                S::Organization,
                RULE_THEME_DAY_FREQUENCY,
                windows(book, RULE_THEME_DAY_FREQUENCY, period, 1)?,
                None,
                Some("每月相对固定1天".into()),
            )?;
            let quarter = book.count(RULE_LIFE_MEETING_QUARTER, at)?;
            push(
                M::LifeMeeting,
                S::Organization,
                RULE_LIFE_MEETING_FREQUENCY,
                windows(book, RULE_LIFE_MEETING_FREQUENCY, period, 1)?,
                None,
                Some(format!(
                    "一般安排在第{quarter}季度，可根据需要随时召开；会后逐项整改（规则 {RULE_LIFE_MEETING_QUARTER}）"
                )),
            )?;
            push(
                M::DemocraticAppraisal,
                S::Organization,
                RULE_APPRAISAL_FREQUENCY,
                windows(book, RULE_APPRAISAL_FREQUENCY, period, 1)?,
                None,
                Some("可与组织生活会结合进行".into()),
            )?;
            push(
                M::HeartToHeartTalk,
                S::EachPair,
                RULE_TALK_PER_PAIR,
                yearly_windows(book, RULE_TALK_PER_PAIR, period)?,
                None,
                Some("支部委员之间、支部委员和党员之间、党员和党员之间，每对每年至少1次".into()),
            )?;
            push(
                M::SecretaryLecture,
                S::Secretary,
                RULE_BRANCH_SECRETARY_LECTURE,
                yearly_windows(book, RULE_BRANCH_SECRETARY_LECTURE, period)?,
                None,
                None,
            )?;
        }
        OrgKind::PartyGroup => {
            push(
                M::PartyGroupMeeting,
                S::Organization,
                RULE_PARTY_GROUP_FREQUENCY,
                windows(book, RULE_PARTY_GROUP_FREQUENCY, period, 1)?,
                None,
                None,
            )?;
        }
        OrgKind::GeneralBranch => {
            push(
                M::SecretaryLecture,
                S::Secretary,
                RULE_BRANCH_SECRETARY_LECTURE,
                yearly_windows(book, RULE_BRANCH_SECRETARY_LECTURE, period)?,
                None,
                None,
            )?;
        }
        OrgKind::GroupCommittee | OrgKind::PrimaryCommittee => {
            push(
                M::SecretaryLecture,
                S::Secretary,
                RULE_COMMITTEE_SECRETARY_LECTURE,
                yearly_windows(book, RULE_COMMITTEE_SECRETARY_LECTURE, period)?,
                None,
                Some("党委（党组）书记每年至少讲1次党课".into()),
            )?;
        }
    }
    Ok(out)
}

/// Who may vote at a general meeting. Probationary members have no vote (选举工作条例 第五条), so only
/// full members count; `excluded` are full members lawfully left out of the 应到会 count with approval
/// (regulations.md 4.14).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct VotingBody {
    pub full_members: u32,
    #[serde(default)]
    pub probationary_members: u32,
    #[serde(default)]
    pub excluded: u32,
}

impl VotingBody {
    /// 应到会有表决权的党员.
    pub fn entitled(&self) -> u32 {
        self.full_members.saturating_sub(self.excluded)
    }
}

/// Whether enough voters are present.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QuorumOutcome {
    pub entitled: u32,
    pub present: u32,
    /// Smallest number present that makes the quorum.
    pub required: u32,
    pub met: bool,
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
}

/// Whether a motion or candidate has enough votes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoteOutcome {
    /// The number the majority is computed on.
    pub base: u32,
    pub in_favour: u32,
    pub required: u32,
    pub passed: bool,
    pub rule: &'static str,
    pub level: Level,
    pub message: String,
}

fn validate_body(body: &VotingBody, inv: &mut Invalid) {
    if body.excluded > body.full_members {
        inv.push("excluded", "不计入应到会人数的党员不能多于正式党员人数");
    }
}

fn quorum(
    book: &RuleBook,
    date: NaiveDate,
    rule: &'static str,
    entitled: u32,
    present: u32,
    what: &str,
) -> Result<QuorumOutcome, CalcError> {
    let resolved = book.resolve(rule, date)?;
    let ratio = match resolved.value() {
        crate::book::RuleValue::Ratio(r) => *r,
        _ => return Err(RuleError::WrongType { rule: rule.into(), expected: "比例" }.into()),
    };
    let required = ratio.smallest_more_than(entitled);
    let met = entitled > 0 && present >= required;
    let message = if met {
        format!("应到会{what}{entitled}人，实到{present}人，超过{ratio}，符合要求")
    } else {
        format!("应到会{what}{entitled}人，实到{present}人，须至少{required}人（超过{ratio}）到会，会议人数不足")
    };
    Ok(QuorumOutcome {
        entitled,
        present,
        required,
        met,
        rule,
        level: if met { Level::Info } else { Level::for_rule(&resolved, true) },
        message,
    })
}

fn majority(
    book: &RuleBook,
    date: NaiveDate,
    rule: &'static str,
    base: u32,
    in_favour: u32,
    base_word: &str,
) -> Result<VoteOutcome, CalcError> {
    let resolved = book.resolve(rule, date)?;
    let ratio = match resolved.value() {
        crate::book::RuleValue::Ratio(r) => *r,
        _ => crate::book::Ratio { num: 1, den: 2 },
    };
    let required = ratio.smallest_more_than(base);
    let passed = base > 0 && in_favour >= required;
    let message = if passed {
        format!("赞成{in_favour}票，超过{base_word}{base}人的半数，通过")
    } else {
        format!("赞成{in_favour}票，未超过{base_word}{base}人的半数（至少须{required}票），未通过")
    };
    Ok(VoteOutcome {
        base,
        in_favour,
        required,
        passed,
        rule,
        level: if passed { Level::Info } else { Level::for_rule(&resolved, true) },
        message,
    })
}

/// Quorum of a 支部党员大会 on `date`: more than half of the voting members who should attend must be
/// present (orglife.general_meeting.quorum). `present_full` counts full members present; probationary
/// members present do not count. Example: 20 full + 3 probationary, 10 present → no quorum; 11 → quorum.
pub fn general_meeting_quorum(
    book: &RuleBook,
    date: NaiveDate,
    body: &VotingBody,
    present_full: u32,
) -> Result<QuorumOutcome, CalcError> {
    let mut inv = Invalid::default();
    validate_body(body, &mut inv);
    if present_full > body.entitled() {
        inv.push("present", "到会有表决权党员人数不能多于应到会人数");
    }
    inv.finish()?;
    quorum(book, date, RULE_GENERAL_MEETING_QUORUM, body.entitled(), present_full, "有表决权的党员")
}

/// Result of a vote at a 支部党员大会: passes when votes in favour are more than half of the voting
/// members who should attend (应到会), not of those present (orglife.general_meeting.majority). Written
/// opinions of absent voters submitted before the meeting are counted in `in_favour` by the caller.
/// Example: 20 full members, 10 in favour → fails (needs 11).
pub fn general_meeting_vote(
    book: &RuleBook,
    date: NaiveDate,
    body: &VotingBody,
    in_favour: u32,
) -> Result<VoteOutcome, CalcError> {
    let mut inv = Invalid::default();
    validate_body(body, &mut inv);
    if in_favour > body.entitled() {
        inv.push("in_favour", "赞成票数不能多于应到会有表决权党员人数");
    }
    inv.finish()?;
    majority(book, date, RULE_GENERAL_MEETING_MAJORITY, body.entitled(), in_favour, "应到会有表决权党员")
}

/// Quorum of a 支部委员会会议: more than half of the committee members (orglife.branch_committee.quorum).
pub fn committee_quorum(
    book: &RuleBook,
    date: NaiveDate,
    committee_size: u32,
    present: u32,
) -> Result<QuorumOutcome, CalcError> {
    if present > committee_size {
        return Err(CalcError::invalid("present", "到会委员人数不能多于委员人数"));
    }
    quorum(book, date, RULE_COMMITTEE_QUORUM, committee_size, present, "委员")
}

/// Quorum of an election: voters present must exceed 4/5 of those entitled (election.quorum, secondary).
pub fn election_quorum(
    book: &RuleBook,
    date: NaiveDate,
    body: &VotingBody,
    present_full: u32,
) -> Result<QuorumOutcome, CalcError> {
    let mut inv = Invalid::default();
    validate_body(body, &mut inv);
    if present_full > body.entitled() {
        inv.push("present", "到会有选举权党员人数不能多于应到会人数");
    }
    inv.finish()?;
    quorum(book, date, RULE_ELECTION_QUORUM, body.entitled(), present_full, "有选举权的党员")
}

/// Whether a candidate is elected: votes in favour must exceed half of those present or of those who
/// should attend, as election.majority_base says (local default "present").
pub fn election_result(
    book: &RuleBook,
    date: NaiveDate,
    body: &VotingBody,
    present_full: u32,
    votes_for: u32,
) -> Result<VoteOutcome, CalcError> {
    let mut inv = Invalid::default();
    validate_body(body, &mut inv);
    if present_full > body.entitled() {
        inv.push("present", "到会有选举权党员人数不能多于应到会人数");
    }
    if votes_for > present_full {
        inv.push("votes_for", "得票数不能多于到会人数");
    }
    inv.finish()?;
    let (base, word) = match book.choice(RULE_ELECTION_MAJORITY_BASE, date)? {
        "entitled" => (body.entitled(), "应到会有选举权党员"),
        _ => (present_full, "实到会有选举权党员"),
    };
    let mut out = majority(book, date, RULE_GENERAL_MEETING_MAJORITY, base, votes_for, word)?;
    out.rule = RULE_ELECTION_MAJORITY_BASE;
    if !out.passed {
        out.level = Level::Warning;
    }
    Ok(out)
}

/// The fewest candidates for `seats` committee seats under the competitive-election margin
/// (election.candidate_margin, ≥20% more candidates than seats).
pub fn min_candidates(book: &RuleBook, date: NaiveDate, seats: u32) -> Result<u32, CalcError> {
    let pct = u64::from(book.count(RULE_ELECTION_CANDIDATE_MARGIN, date)?);
    let extra = (u64::from(seats) * pct).div_ceil(100);
    Ok(u32::try_from(u64::from(seats) + extra).unwrap_or(u32::MAX))
}

/// Grades given in a 民主评议党员 (优秀 / 合格 / 基本合格 / 不合格).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct AppraisalGrades {
    pub full_members: u32,
    #[serde(default)]
    pub probationary_members: u32,
    pub excellent: u32,
    pub qualified: u32,
    pub basically_qualified: u32,
    pub unqualified: u32,
    /// Probationary members who were given a grade (normally none).
    #[serde(default)]
    pub probationary_graded: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppraisalOutcome {
    /// Members the grades are counted on.
    pub graded_base: u32,
    /// Most members that may be graded 优秀.
    pub max_excellent: u32,
    pub checks: Vec<Check>,
}

/// Checks appraisal results on `date`: 优秀 at most 1/3 of the graded members
/// (orglife.appraisal.excellent_cap); probationary members take part but are not graded
/// (orglife.appraisal.grade_probationary).
pub fn check_appraisal(book: &RuleBook, date: NaiveDate, g: &AppraisalGrades) -> Result<AppraisalOutcome, CalcError> {
    let grade_prob = book.flag(RULE_APPRAISAL_GRADE_PROBATIONARY, date)?;
    let base = if grade_prob { g.full_members + g.probationary_members } else { g.full_members };
    let total = g.excellent + g.qualified + g.basically_qualified + g.unqualified;
    let mut inv = Invalid::default();
    if g.probationary_graded > g.probationary_members {
        inv.push("probationary_graded", "评定等次的预备党员人数不能多于预备党员人数");
    }
    if total > g.full_members + g.probationary_members {
        inv.push("excellent", "各等次人数合计不能多于党员人数");
    }
    inv.finish()?;
    let cap_rule = book.resolve(RULE_APPRAISAL_EXCELLENT_CAP, date)?;
    let cap = match cap_rule.value() {
        crate::book::RuleValue::Ratio(r) => *r,
        _ => return Err(RuleError::WrongType { rule: RULE_APPRAISAL_EXCELLENT_CAP.into(), expected: "比例" }.into()),
    };
    let max_excellent = cap.largest_at_most(base);
    let mut checks = Vec::new();
    if g.excellent > max_excellent {
        checks.push(Check::new(
            Level::for_rule(&cap_rule, true),
            RULE_APPRAISAL_EXCELLENT_CAP,
            format!("评定为优秀{}人，超过参加评定党员{base}人的{cap}（最多{max_excellent}人）", g.excellent),
        ));
    }
    if !grade_prob && g.probationary_graded > 0 {
        checks.push(Check::new(
            Level::Warning,
            RULE_APPRAISAL_GRADE_PROBATIONARY,
            format!("预备党员参加民主评议，但不评定等次；有{}名预备党员被评定了等次", g.probationary_graded),
        ));
    }
    let graded_members = total.saturating_sub(if grade_prob { 0 } else { g.probationary_graded });
    if graded_members < base {
        checks.push(Check::new(
            Level::Info,
            RULE_APPRAISAL_EXCELLENT_CAP,
            format!("尚有{}名党员未评定等次", base - graded_members),
        ));
    }
    Ok(AppraisalOutcome { graded_base: base, max_excellent, checks })
}
