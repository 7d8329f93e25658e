//! Organizational life (组织生活): which meetings an organization must hold in a period and how many,
//! quorum and majority of general meetings, elections, and the democratic-appraisal grade cap.

use chrono::{Datelike, NaiveDate};
use serde::{Deserialize, Serialize};

pub use crate::book::Frequency;
use crate::book::{Ratio, RuleBook, RuleError, RuleStatus};
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
pub const RULE_GENERAL_MEETING_EXCLUSION: &str = "orglife.general_meeting.exclusion";

/// Kinds of organizational-life activity (三会一课 and the rest).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
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

/// The calendar windows over `period`, asking `due_at` at each window's start for the frequency and the
/// count due in the window (so a change of rule or override takes effect from the next window).
fn windows_by(
    period: Period,
    mut due_at: impl FnMut(NaiveDate) -> Result<(Frequency, u32), RuleError>,
) -> Result<Vec<DueWindow>, RuleError> {
    let mut out = Vec::new();
    let mut cursor = period.from;
    while cursor <= period.to {
        let (freq, count) = due_at(cursor)?;
        let (ws, we) = window_of(freq, cursor);
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

/// The windows of a frequency rule over `period`, `per_window` due in each.
fn windows(book: &RuleBook, rule: &'static str, period: Period, per_window: u32) -> Result<Vec<DueWindow>, RuleError> {
    windows_by(period, |at| Ok((book.frequency(rule, at)?, per_window)))
}

/// Yearly windows with a count per year (for "N per year" rules), the count looked up per year.
fn yearly_windows(book: &RuleBook, rule: &'static str, period: Period) -> Result<Vec<DueWindow>, RuleError> {
    windows_by(period, |at| Ok((Frequency::Yearly, book.count(rule, at)?)))
}

impl Period {
    /// Refusals of the period's dates: each within the dates the system takes, the end not before the
    /// start. More may be pushed before [`Invalid::finish`].
    pub(crate) fn invalid(self) -> Invalid {
        let mut inv = Invalid::default();
        if let Err(r) = check_input_date(self.from) {
            inv.push("from", r);
        }
        if let Err(r) = check_input_date(self.to) {
            inv.push("to", r);
        }
        if self.to < self.from {
            inv.push("to", "结束日期早于开始日期");
        }
        inv
    }
}

/// The requirements of a period as they are found, each described as its rule stands at the start of
/// the period.
struct Requirements<'a> {
    book: &'a RuleBook,
    period: Period,
    out: Vec<Requirement>,
}

impl Requirements<'_> {
    /// `meeting` as `rule` requires it: once in each window of a frequency rule, or as many times a
    /// year as a count rule says.
    fn add(
        &mut self,
        meeting: MeetingKind,
        scope: RequirementScope,
        rule: &'static str,
        note: Option<String>,
    ) -> Result<&mut Requirement, CalcError> {
        let resolved = self.book.resolve(rule, self.period.from)?;
        let (frequency, windows) = match resolved.value() {
            crate::book::RuleValue::Frequency(f) => (*f, windows(self.book, rule, self.period, 1)?),
            _ => (Frequency::Yearly, yearly_windows(self.book, rule, self.period)?),
        };
        self.out.push(Requirement {
            meeting,
            label: meeting.label(),
            scope,
            rule,
            status: resolved.status(),
            frequency,
            required: windows.iter().map(|w| w.count).sum(),
            windows,
            units: None,
            note,
        });
        Ok(self.out.last_mut().expect("just pushed"))
    }
}

/// The activities `facts.kind` must hold in `period`, with how many and in which windows. Windows are
/// calendar months/quarters/years overlapping the period (partial ones flagged). Rules applied:
/// orglife.general_meeting.frequency (党员大会 quarterly), orglife.branch_committee.frequency (支委会
/// monthly, if there is a committee), orglife.party_group.frequency (党小组会 monthly, each group),
/// orglife.party_lecture.frequency (党课, local default quarterly), orglife.theme_day.frequency
/// (主题党日 monthly), orglife.life_meeting.frequency and .preferred_quarter (组织生活会 yearly, Q4),
/// orglife.appraisal.frequency (民主评议 yearly), orglife.talk.per_pair_per_year (谈心谈话),
/// orglife.branch_secretary_lecture.per_year / orglife.committee_secretary_lecture.per_year (书记讲党课).
/// 三会一课 apply to branches (joint branches included); committees and general branches get the
/// secretary's lecture only; a 党小组 gets its own meeting; a 临时党支部 only 党课 and 主题党日 (its
/// members' study and education, regulations.md 1.7a) while org.temporary_branch.limits is on.
pub fn requirements(book: &RuleBook, facts: &OrgLifeFacts, period: Period) -> Result<Vec<Requirement>, CalcError> {
    period.invalid().finish()?;
    let mut due = Requirements { book, period, out: Vec::new() };
    let at = period.from;
    use MeetingKind as M;
    use RequirementScope as S;
    let temporary_limited =
        facts.kind == OrgKind::TemporaryBranch && book.flag(crate::org::RULE_TEMPORARY_BRANCH_LIMITS, at)?;
    match facts.kind {
        // A 临时党支部 organizes its members' study and education (regulations.md 1.7a); their 三会一课
        // decisions, 组织生活会, 民主评议 and 谈心谈话 stay with the home branch holding their
        // relationship. Only the study requirements are its own, while org.temporary_branch.limits is on.
        OrgKind::TemporaryBranch if temporary_limited => {
            let note = format!(
                "临时党支部组织党员学习教育（规则 {}）；组织生活会、民主评议、谈心谈话在党员组织关系所在党支部进行",
                crate::org::RULE_TEMPORARY_BRANCH_LIMITS
            );
            due.add(M::PartyLecture, S::Organization, RULE_LECTURE_FREQUENCY, Some(note.clone()))?;
            due.add(M::ThemeDay, S::Organization, RULE_THEME_DAY_FREQUENCY, Some(note))?;
        }
        OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch => {
            due.add(M::GeneralMeeting, S::Organization, RULE_GENERAL_MEETING_FREQUENCY, None)?;
            if facts.has_committee {
                due.add(M::BranchCommittee, S::Organization, RULE_COMMITTEE_FREQUENCY, None)?;
            }
            if facts.party_groups > 0 {
                let note = format!("{}个党小组各自召开", facts.party_groups);
                let groups =
                    due.add(M::PartyGroupMeeting, S::EachPartyGroup, RULE_PARTY_GROUP_FREQUENCY, Some(note))?;
                groups.units = Some(facts.party_groups);
            }
            due.add(M::PartyLecture, S::Organization, RULE_LECTURE_FREQUENCY, None)?;
            due.add(M::ThemeDay, S::Organization, RULE_THEME_DAY_FREQUENCY, Some("每月相对固定1天".into()))?;
            let quarter = book.count(RULE_LIFE_MEETING_QUARTER, at)?;
            let note = format!(
                "一般安排在第{quarter}季度，可根据需要随时召开；会后逐项整改（规则 {RULE_LIFE_MEETING_QUARTER}）"
            );
            due.add(M::LifeMeeting, S::Organization, RULE_LIFE_MEETING_FREQUENCY, Some(note))?;
            let note = "可单独开展，或结合组织生活会、党员大会进行（见 appraisal_fulfilment）";
            due.add(M::DemocraticAppraisal, S::Organization, RULE_APPRAISAL_FREQUENCY, Some(note.into()))?;
            let note = format!(
                "支部委员之间、支部委员和党员之间、党员和党员之间，每对每年至少{}次（逐对统计见 talk::talk_coverage）",
                book.count(RULE_TALK_PER_PAIR, at)?
            );
            due.add(M::HeartToHeartTalk, S::EachPair, RULE_TALK_PER_PAIR, Some(note))?;
            due.add(M::SecretaryLecture, S::Secretary, RULE_BRANCH_SECRETARY_LECTURE, None)?;
        }
        OrgKind::PartyGroup => {
            due.add(M::PartyGroupMeeting, S::Organization, RULE_PARTY_GROUP_FREQUENCY, None)?;
        }
        OrgKind::GeneralBranch => {
            due.add(M::SecretaryLecture, S::Secretary, RULE_BRANCH_SECRETARY_LECTURE, None)?;
        }
        OrgKind::GroupCommittee | OrgKind::PrimaryCommittee => {
            let note = "党委（党组）书记每年至少讲1次党课";
            due.add(M::SecretaryLecture, S::Secretary, RULE_COMMITTEE_SECRETARY_LECTURE, Some(note.into()))?;
        }
    }
    Ok(due.out)
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

/// Refusals of a count at a general meeting or an election: the body itself, and no more voters
/// present than entitled (`right` is 表决权 or 选举权, for the message). More may be pushed before
/// [`Invalid::finish`].
fn invalid_attendance(body: &VotingBody, present_full: u32, right: &str) -> Invalid {
    let mut inv = Invalid::default();
    validate_body(body, &mut inv);
    if present_full > body.entitled() {
        inv.push("present", format!("到会有{right}党员人数不能多于应到会人数"));
    }
    inv
}

/// How a quorum's message reads.
#[derive(Debug, Clone, Copy)]
enum QuorumWording<'a> {
    /// A meeting; `who` are counted (有表决权的党员, 委员).
    Meeting { who: &'a str },
    /// An election at `meeting` (党员大会, 党员代表大会); `who` vote at it.
    Election { meeting: &'a str, who: &'a str },
}

impl QuorumWording<'_> {
    fn message(self, entitled: u32, present: u32, ratio: Ratio, required: u32, met: bool) -> String {
        match (self, met) {
            (QuorumWording::Meeting { who }, true) => {
                format!("应到会{who}{entitled}人，实到{present}人，超过{ratio}，符合要求")
            }
            (QuorumWording::Meeting { who }, false) => {
                format!("应到会{who}{entitled}人，实到{present}人，须至少{required}人（超过{ratio}）到会，会议人数不足")
            }
            (QuorumWording::Election { meeting, who }, true) => {
                format!("{meeting}应到会{who}{entitled}人，实到{present}人，超过{ratio}，可以进行选举")
            }
            (QuorumWording::Election { meeting, who }, false) => {
                format!(
                    "{meeting}应到会{who}{entitled}人，实到{present}人，须超过{ratio}（至少{required}人）方可进行选举"
                )
            }
        }
    }
}

/// The quorum of `rule`: more than its ratio of `entitled` present.
fn quorum(
    book: &RuleBook,
    date: NaiveDate,
    rule: &'static str,
    entitled: u32,
    present: u32,
    wording: QuorumWording<'_>,
) -> Result<QuorumOutcome, CalcError> {
    let resolved = book.resolve(rule, date)?;
    let ratio = match resolved.value() {
        crate::book::RuleValue::Ratio(r) => *r,
        _ => return Err(RuleError::WrongType { rule: rule.into(), expected: "比例" }.into()),
    };
    let required = ratio.smallest_more_than(entitled);
    let met = entitled > 0 && present >= required;
    Ok(QuorumOutcome {
        entitled,
        present,
        required,
        met,
        rule,
        level: if met { Level::Info } else { Level::for_rule(&resolved, true) },
        message: wording.message(entitled, present, ratio, required, met),
    })
}

/// The quorum of an election on counts already checked: voters present must exceed 4/5 of the
/// `entitled` (election.quorum, secondary). `meeting` names the meeting that elects and `voters` who
/// vote at it, for the message. Used by [`election_quorum`] and [`crate::election::check_election`].
pub(crate) fn election_quorum_of(
    book: &RuleBook,
    date: NaiveDate,
    entitled: u32,
    present: u32,
    meeting: &str,
    voters: &str,
) -> Result<QuorumOutcome, CalcError> {
    quorum(book, date, RULE_ELECTION_QUORUM, entitled, present, QuorumWording::Election { meeting, who: voters })
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
        _ => Ratio { num: 1, den: 2 },
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
    invalid_attendance(body, present_full, "表决权").finish()?;
    quorum(
        book,
        date,
        RULE_GENERAL_MEETING_QUORUM,
        body.entitled(),
        present_full,
        QuorumWording::Meeting { who: "有表决权的党员" },
    )
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

/// Why a full member is lawfully left out of the 应到会 count of a general meeting (regulations.md 4.14,
/// secondary): each needs the higher organization's consent and a general-meeting decision.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExclusionReason {
    /// 自费出国（境）半年以上
    Abroad,
    /// 外出半年以上、应转未转组织关系（长期外出）
    LongAbsence,
    /// 年老体弱卧床不起或长期生病（病重）
    SeriouslyIll,
    /// 丧失行为能力（如患精神疾病）
    Incapacitated,
    /// 受留置、逮捕或正在服刑
    Detained,
}

impl ExclusionReason {
    pub const ALL: [ExclusionReason; 5] = [
        ExclusionReason::Abroad,
        ExclusionReason::LongAbsence,
        ExclusionReason::SeriouslyIll,
        ExclusionReason::Incapacitated,
        ExclusionReason::Detained,
    ];

    pub fn label(self) -> &'static str {
        match self {
            ExclusionReason::Abroad => "自费出国（境）半年以上",
            ExclusionReason::LongAbsence => "外出半年以上且应转未转组织关系",
            ExclusionReason::SeriouslyIll => "年老体弱卧床不起或长期生病",
            ExclusionReason::Incapacitated => "丧失行为能力",
            ExclusionReason::Detained => "受留置、逮捕或正在服刑",
        }
    }
}

/// Full members left out of the 应到会 count for one reason.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Exclusion {
    pub reason: ExclusionReason,
    #[cfg_attr(feature = "schema", schema(minimum = 0, maximum = 100000))]
    pub count: u32,
}

/// The roll of a general meeting (or an election at one): who should attend and may vote.
/// Probationary members have no vote; full members under 留党察看 or whose rights are suspended have
/// none either (选举工作条例 第五条, regulations.md 2.7); `exclusions` are full members lawfully left
/// out of the 应到会 count (4.14), by reason.
#[derive(Debug, Clone, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Roll {
    pub full_members: u32,
    #[serde(default)]
    pub probationary_members: u32,
    /// Full members without a vote (留党察看, or rights suspended by 留置/逮捕).
    #[serde(default)]
    pub without_vote: u32,
    #[serde(default)]
    pub exclusions: Vec<Exclusion>,
}

impl Roll {
    /// All full members left out of the 应到会 count, whatever the reason.
    pub fn excluded(&self) -> u32 {
        self.exclusions.iter().fold(0u32, |n, e| n.saturating_add(e.count))
    }
}

/// A roll as counted on a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RollCount {
    /// The counts the quorum and majority are computed on (`excluded` as subtracted).
    pub body: VotingBody,
    /// 应到会有表决权的党员.
    pub entitled: u32,
    /// Members left out of the count (0 when the deployment does not allow exclusions).
    pub excluded: u32,
    pub checks: Vec<Check>,
}

/// Counts a roll on `date`: entitled = full members − members without a vote − exclusions. Exclusions
/// are subtracted while orglife.general_meeting.exclusion (secondary, regulations.md 4.14) allows them,
/// with a reminder that each needs the higher organization's consent and a general-meeting decision;
/// when the deployment switches it off they are counted as entitled, with a warning. Refused: more
/// excluded, or excluded and without a vote together, than full members.
pub fn count_roll(book: &RuleBook, date: NaiveDate, roll: &Roll) -> Result<RollCount, CalcError> {
    let excluded = roll.excluded();
    let mut inv = Invalid::default();
    if excluded > roll.full_members {
        inv.push(
            "exclusions",
            format!("不计入应到会人数的党员（{excluded}人）不能多于正式党员人数（{}人）", roll.full_members),
        );
    } else if roll.without_vote > roll.full_members {
        inv.push(
            "without_vote",
            format!("无表决权的正式党员（{}人）不能多于正式党员人数（{}人）", roll.without_vote, roll.full_members),
        );
    } else if excluded.saturating_add(roll.without_vote) > roll.full_members {
        inv.push(
            "exclusions",
            format!(
                "不计入应到会人数的党员（{excluded}人）与无表决权的党员（{}人）合计不能多于正式党员人数（{}人）",
                roll.without_vote, roll.full_members
            ),
        );
    }
    for (i, e) in roll.exclusions.iter().enumerate() {
        if roll.exclusions[..i].iter().any(|o| o.reason == e.reason) {
            inv.push(format!("exclusions[{i}]"), format!("“{}”重复填写，请合并为一项", e.reason.label()));
        }
    }
    inv.finish()?;
    let allowed = book.resolve(RULE_GENERAL_MEETING_EXCLUSION, date)?;
    let mut checks = Vec::new();
    let subtracted = if excluded == 0 {
        0
    } else if matches!(allowed.value(), crate::book::RuleValue::Flag(true)) {
        let reasons = roll
            .exclusions
            .iter()
            .filter(|e| e.count > 0)
            .map(|e| format!("{}{}人", e.reason.label(), e.count))
            .collect::<Vec<_>>()
            .join("、");
        checks.push(Check::new(
            Level::Info,
            RULE_GENERAL_MEETING_EXCLUSION,
            format!("{excluded}名党员不计入应到会人数（{reasons}），须经上级党组织同意并由党员大会通过"),
        ));
        excluded
    } else {
        checks.push(Check::new(
            Level::Warning,
            RULE_GENERAL_MEETING_EXCLUSION,
            format!("本单位规定不减除应到会人数，{excluded}名外出、出国、病重等党员仍计入应到会人数"),
        ));
        0
    };
    let entitled = roll.full_members - roll.without_vote - subtracted;
    let body = VotingBody {
        full_members: roll.full_members - roll.without_vote,
        probationary_members: roll.probationary_members,
        excluded: subtracted,
    };
    Ok(RollCount { body, entitled, excluded: subtracted, checks })
}

/// Votes on one motion at a general meeting: those cast by voters present, and the written opinions
/// (书面意见) of absent voters formally submitted before the meeting, which count (regulations.md 4.13).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
pub struct Ballot {
    pub in_favour: u32,
    #[serde(default)]
    pub against: u32,
    #[serde(default)]
    pub abstain: u32,
    #[serde(default)]
    pub written_in_favour: u32,
    #[serde(default)]
    pub written_against: u32,
    #[serde(default)]
    pub written_abstain: u32,
}

impl Ballot {
    pub fn written(&self) -> u32 {
        self.written_in_favour.saturating_add(self.written_against).saturating_add(self.written_abstain)
    }

    pub fn cast_present(&self) -> u32 {
        self.in_favour.saturating_add(self.against).saturating_add(self.abstain)
    }
}

/// A general meeting's quorum and one motion's result, counted on its roll.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MeetingVote {
    pub roll: RollCount,
    pub quorum: QuorumOutcome,
    /// `None` when the meeting has no quorum: no valid vote can be taken.
    pub vote: Option<VoteOutcome>,
}

/// Quorum of a general meeting counted on a roll (see [`count_roll`]): full members present must be
/// more than half of the 应到会 voters (orglife.general_meeting.quorum). Written opinions do not make a
/// quorum; `present_full` counts voters in the room only.
pub fn roll_quorum(
    book: &RuleBook,
    date: NaiveDate,
    roll: &Roll,
    present_full: u32,
) -> Result<(RollCount, QuorumOutcome), CalcError> {
    let count = count_roll(book, date, roll)?;
    if present_full > count.entitled {
        return Err(CalcError::invalid(
            "present",
            format!("到会有表决权党员（{present_full}人）不能多于应到会有表决权党员人数（{}人）", count.entitled),
        ));
    }
    let q = quorum(
        book,
        date,
        RULE_GENERAL_MEETING_QUORUM,
        count.entitled,
        present_full,
        QuorumWording::Meeting { who: "有表决权的党员" },
    )?;
    Ok((count, q))
}

/// Quorum and result of one motion at a general meeting, counted as the regulations say: the
/// denominator is the 应到会 voters after lawful exclusions (orglife.general_meeting.exclusion); votes
/// in favour are those cast in the room plus absent voters' written opinions in favour, and must be
/// more than half of that denominator (orglife.general_meeting.majority). Refused: more votes cast in
/// the room than voters present; more written opinions than voters absent.
/// Example: 20 full members, 2 abroad excluded → 18 entitled; 9 present is no quorum, 10 is; with
/// 8 in favour in the room and 2 written opinions in favour, 10 > 9 passes.
pub fn roll_vote(
    book: &RuleBook,
    date: NaiveDate,
    roll: &Roll,
    present_full: u32,
    ballot: &Ballot,
) -> Result<MeetingVote, CalcError> {
    let (count, q) = roll_quorum(book, date, roll, present_full)?;
    let absent = count.entitled - present_full;
    let mut inv = Invalid::default();
    if ballot.cast_present() > present_full {
        inv.push(
            "in_favour",
            format!(
                "到会党员的赞成、反对、弃权票合计（{}票）不能多于到会有表决权党员人数（{present_full}人）",
                ballot.cast_present()
            ),
        );
    }
    if ballot.written() > absent {
        inv.push(
            "written_in_favour",
            format!("书面意见只能由未到会的有表决权党员提交：{}份，多于未到会人数（{absent}人）", ballot.written()),
        );
    }
    inv.finish()?;
    if !q.met {
        return Ok(MeetingVote { roll: count, quorum: q, vote: None });
    }
    let in_favour = ballot.in_favour + ballot.written_in_favour;
    let mut vote =
        majority(book, date, RULE_GENERAL_MEETING_MAJORITY, count.entitled, in_favour, "应到会有表决权党员")?;
    if ballot.written_in_favour > 0 {
        vote.message = format!("{}（赞成票中含书面意见{}份）", vote.message, ballot.written_in_favour);
    }
    Ok(MeetingVote { roll: count, quorum: q, vote: Some(vote) })
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
    quorum(book, date, RULE_COMMITTEE_QUORUM, committee_size, present, QuorumWording::Meeting { who: "委员" })
}

/// Quorum of an election: voters present must exceed 4/5 of those entitled (election.quorum, secondary).
pub fn election_quorum(
    book: &RuleBook,
    date: NaiveDate,
    body: &VotingBody,
    present_full: u32,
) -> Result<QuorumOutcome, CalcError> {
    invalid_attendance(body, present_full, "选举权").finish()?;
    election_quorum_of(book, date, body.entitled(), present_full, "党员大会", "有选举权的党员")
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
    let mut inv = invalid_attendance(body, present_full, "选举权");
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
    crate::election::min_candidates_for(book, date, crate::election::SeatKind::CommitteeMembers, seats)
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

// ---- 民主评议: held on its own, with the 组织生活会, or decided by the 党员大会 ----------------------

/// How a year's 民主评议党员 was held (regulations.md 3.9: "may be combined with 3.8"; the committee or
/// the general meeting proposes the grades).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppraisalVia {
    /// A record of the appraisal itself (单独开展).
    Separate,
    /// At a 组织生活会 where the appraisal was held together (结合组织生活会进行).
    LifeMeeting,
    /// At a 党员大会 that decided the appraisal (党员大会评议、确定等次).
    GeneralMeeting,
}

impl AppraisalVia {
    pub fn label(self) -> &'static str {
        match self {
            AppraisalVia::Separate => "单独开展民主评议",
            AppraisalVia::LifeMeeting => "结合组织生活会进行民主评议",
            AppraisalVia::GeneralMeeting => "党员大会进行民主评议",
        }
    }
}

/// A recorded activity of the branch, as far as the appraisal is concerned: its kind, date, and
/// whether the appraisal was held at it (for a 组织生活会 or 党员大会; a 民主评议党员 record always is).
/// One record entered once serves both requirements: a 组织生活会 with the appraisal counts for the
/// 组织生活会 and for the 民主评议.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct HeldActivity {
    pub meeting: MeetingKind,
    pub date: NaiveDate,
    #[serde(default)]
    pub appraisal: bool,
}

/// One due window of the appraisal and what met it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppraisalWindow {
    pub from: NaiveDate,
    pub to: NaiveDate,
    pub partial: bool,
    pub met: bool,
    /// The first activity in the window that met it (index into the input, how, date).
    pub met_by: Option<(usize, AppraisalVia, NaiveDate)>,
}

/// Whether the 民主评议 requirement of a period is met, window by window.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppraisalFulfilment {
    pub windows: Vec<AppraisalWindow>,
    pub met: bool,
    pub rule: &'static str,
    pub checks: Vec<Check>,
}

/// Whether the 民主评议党员 due in `period` (orglife.appraisal.frequency, yearly) was held in each
/// window: by a separate appraisal record, or a 组织生活会 at which the appraisal was held, or a 党员大会
/// that decided it (regulations.md 3.8, 3.9). Refused: the appraisal marked on any other kind of
/// meeting (a 支委会 or 党小组会 alone cannot hold it). A window still running and not met gives an
/// `Info`; a window over and not met a `Warning` (a duty of the organization).
pub fn appraisal_fulfilment(
    book: &RuleBook,
    period: Period,
    activities: &[HeldActivity],
    today: NaiveDate,
) -> Result<AppraisalFulfilment, CalcError> {
    period.invalid().finish()?;
    let mut inv = Invalid::default();
    let via = |a: &HeldActivity| match (a.meeting, a.appraisal) {
        (MeetingKind::DemocraticAppraisal, _) => Some(AppraisalVia::Separate),
        (MeetingKind::LifeMeeting, true) => Some(AppraisalVia::LifeMeeting),
        (MeetingKind::GeneralMeeting, true) => Some(AppraisalVia::GeneralMeeting),
        _ => None,
    };
    for (i, a) in activities.iter().enumerate() {
        if a.appraisal && via(a).is_none() {
            inv.push(
                format!("activities[{i}].appraisal"),
                format!(
                    "{}不能代替民主评议党员；民主评议应单独开展，或结合组织生活会、党员大会进行",
                    a.meeting.label()
                ),
            );
        }
    }
    inv.finish()?;
    let mut windows_out = Vec::new();
    let mut checks = Vec::new();
    for w in windows(book, RULE_APPRAISAL_FREQUENCY, period, 1)? {
        let met_by = activities
            .iter()
            .enumerate()
            .filter(|(_, a)| a.date >= w.from && a.date <= w.to)
            .filter_map(|(i, a)| via(a).map(|v| (i, v, a.date)))
            .min_by_key(|(_, _, d)| *d);
        let met = met_by.is_some();
        if !met {
            let over = today > w.to;
            checks.push(Check::new(
                if over { Level::Warning } else { Level::Info },
                RULE_APPRAISAL_FREQUENCY,
                if over {
                    format!("{}至{}未开展民主评议党员（可单独开展，或结合组织生活会、党员大会进行）", w.from, w.to)
                } else {
                    format!("{}至{}尚未开展民主评议党员", w.from, w.to)
                },
            ));
        }
        windows_out.push(AppraisalWindow { from: w.from, to: w.to, partial: w.partial, met, met_by });
    }
    let met = windows_out.iter().all(|w| w.met);
    Ok(AppraisalFulfilment { windows: windows_out, met, rule: RULE_APPRAISAL_FREQUENCY, checks })
}
