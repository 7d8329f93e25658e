//! Meeting records (组织生活): recording a meeting or plan and revising it, with the rules that need the
//! organization — the kind fits it, a 支委会 or 党员大会 has its quorum, each motion passes or fails —
//! judged on the members the write sees.

use std::collections::HashSet;

use chrono::NaiveDate;
use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::election::{self, Election, ElectoralBody, SeatKind};
use dangwu_rules::orglife::{self as rules_life, Ballot, Exclusion, QuorumOutcome, Roll};
use dangwu_rules::orglife::{Period, RequirementScope};
use dangwu_rules::{CalcError, RuleBook, StructuralRule};
use dangwu_store::access::Access;
use dangwu_store::meetings::{
    AgendaItem, AttendeeInput, ElectionRecord, IssueInput, MEETINGS_MAX_ROWS, Meeting, MeetingInput, PlannedMeeting,
    QuorumRecord, VoteRecord,
};
use dangwu_store::orgs::Organization;
use dangwu_store::{Actor, StoreError, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Ctx, DomainError, DomainResult, FieldIssue};

#[derive(Debug, Clone, Deserialize, Serialize, ToSchema)]
pub struct AgendaItemView {
    #[schema(max_length = 200)]
    pub title: String,
    #[serde(default)]
    pub first_topic: bool,
    #[serde(default)]
    pub decision: bool,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct VoteInput {
    #[schema(max_length = 200)]
    pub motion: String,
    #[schema(minimum = 0, maximum = 100000)]
    pub in_favour: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub against: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub abstain: u32,
    /// Written opinions (书面意见) of absent voters, submitted before the meeting.
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub written_in_favour: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub written_against: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub written_abstain: u32,
}

/// An election held at a 党员大会.
#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct ElectionInput {
    pub seat_kind: SeatKind,
    /// 应选人数.
    #[schema(minimum = 1, maximum = 1000)]
    pub seats: u32,
    /// 候选人数.
    #[schema(minimum = 1, maximum = 1000)]
    pub candidates: u32,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AttendeeView {
    pub member_id: Uuid,
    pub status: Attendance,
    #[serde(default)]
    #[schema(max_length = 200)]
    pub reason: String,
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct IssueView {
    /// A member of the meeting's organization (or below it), if the problem is someone's.
    pub member_id: Option<Uuid>,
    #[schema(max_length = 50)]
    pub raised_by: String,
    #[schema(max_length = 2000)]
    pub problem: String,
    #[schema(max_length = 2000)]
    pub measure: String,
    pub due_on: Option<NaiveDate>,
}

/// A meeting record or plan as submitted.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MeetingFields {
    pub organization_id: Uuid,
    pub kind: RecordKind,
    pub status: MeetingStatus,
    pub planned_on: Option<NaiveDate>,
    pub held_on: Option<NaiveDate>,
    /// e.g. `14:30`.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub start_time: String,
    #[serde(default)]
    #[schema(max_length = 20)]
    pub end_time: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub place: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub chair: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub recorder: String,
    /// 党课 only: who gave it.
    #[serde(default)]
    #[schema(max_length = 50)]
    pub lecturer: String,
    /// 党课 given by the organization's secretary (书记讲党课).
    #[serde(default)]
    pub secretary_lecture: bool,
    #[schema(max_length = 200)]
    pub topic: String,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub agenda: Vec<AgendaItemView>,
    /// May run over several lines.
    #[serde(default)]
    #[schema(max_length = 50000)]
    pub minutes: String,
    /// May run over several lines.
    #[serde(default)]
    #[schema(max_length = 10000)]
    pub decisions: String,
    /// General meetings: motions voted on; checked against quorum and majority.
    #[serde(default)]
    #[schema(max_items = 50)]
    pub votes: Vec<VoteInput>,
    /// Optional attachment names (never required): at most 50, each at most 200 characters.
    #[serde(default)]
    #[schema(schema_with = attachments_schema)]
    pub attachments: Vec<String>,
    #[serde(default)]
    #[schema(max_items = 2000)]
    pub attendees: Vec<AttendeeView>,
    /// 组织生活会: problems raised and rectification measures.
    #[serde(default)]
    #[schema(max_items = 100)]
    pub issues: Vec<IssueView>,
    /// 组织生活会 or 党员大会: the year's 民主评议党员 was held with it, or decided at it.
    #[serde(default)]
    pub with_appraisal: bool,
    /// 党员大会: full members lawfully left out of the 应到会 count, by reason (at most one entry each).
    #[serde(default)]
    #[schema(max_items = 5)]
    pub exclusions: Vec<Exclusion>,
    /// 党员大会: full members without a vote (留党察看, rights suspended).
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub without_vote: u32,
    /// 党员大会: an election held at it.
    #[serde(default)]
    pub election: Option<ElectionInput>,
}

/// A command past its field checks: the record to write, and the 党员大会's roll and election that the
/// rules will judge.
struct Draft {
    input: MeetingInput,
    exclusions: Vec<Exclusion>,
    without_vote: u32,
    election: Option<ElectionInput>,
}

fn attachments_schema() -> utoipa::openapi::Array {
    crate::json::texts(50, 200)
}

/// Records a meeting, held or planned (登记会议).
pub async fn record(ctx: &Ctx<'_>, actor: &Actor, fields: MeetingFields) -> DomainResult<Meeting> {
    let mut tx = ctx.db.begin().await?;
    // The right to write comes first: a caller without it hears so, not what is wrong with the input.
    let org = tx.org_for(actor.user_id, fields.organization_id, Access::WriteMembers).await.map_err(org_field)?;
    let draft = validate(fields, ctx.today)?;
    let input = judge(&mut tx, ctx.rules, actor.user_id, &org, draft).await?;
    let meeting = tx.insert_meeting(actor, &input, ctx.now).await.map_err(attendee_error)?;
    tx.commit().await?;
    Ok(meeting)
}

/// Revises a meeting record at `version` (a planned meeting is completed here once held).
pub async fn revise(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: Uuid,
    version: i64,
    fields: MeetingFields,
) -> DomainResult<Meeting> {
    let mut tx = ctx.db.begin().await?;
    let before = tx.meeting(actor.user_id, id, Access::WriteMembers).await?;
    let org = tx.org_for(actor.user_id, before.row.organization_id, Access::WriteMembers).await?;
    let draft = validate(fields, ctx.today)?;
    if draft.input.organization_id != org.id {
        return Err(DomainError::field("organization_id", "会议记录的所属组织不能修改"));
    }
    let input = judge(&mut tx, ctx.rules, actor.user_id, &org, draft).await?;
    let meeting = tx.update_meeting(actor, id, &input, version, ctx.now).await.map_err(attendee_error)?;
    tx.commit().await?;
    Ok(meeting)
}

/// A planned meeting as created.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct Planned {
    pub id: Uuid,
    #[serde(flatten)]
    pub meeting: PlannedMeeting,
    pub kind_label: &'static str,
}

/// Plans the meetings an organization still owes in `period` (生成会议计划): for every window of its
/// compliance calendar that ends today or later, as many planned meetings as are neither held nor
/// planned yet, two weeks into the window and a week apart. Party groups plan their own meetings;
/// talks are between pairs of people, not meetings.
pub async fn plan(
    ctx: &Ctx<'_>,
    actor: &Actor,
    org: Uuid,
    calendar: &super::compliance::Compliance,
    year: Period,
    period: Period,
) -> DomainResult<Vec<Planned>> {
    let mut tx = ctx.db.begin().await?;
    tx.org_for(actor.user_id, org, Access::WriteMembers).await?;
    // Two plans of one organization at once would both see no plans and both insert them.
    tx.lock_orgs(&[org]).await?;
    let planned = tx.planned_days(actor.user_id, org, year.from, year.to, MEETINGS_MAX_ROWS).await?;
    let mut plans = Vec::new();
    for req in &calendar.requirements {
        if matches!(req.scope, RequirementScope::EachPartyGroup | RequirementScope::EachPair) {
            continue;
        }
        for w in req.windows.iter().filter(|w| w.to >= ctx.today && w.to >= period.from && w.from <= period.to) {
            let already = planned.iter().filter(|(k, d)| *k == req.kind && *d >= w.from && *d <= w.to).count() as u32;
            for k in 0..w.required.saturating_sub(w.held + already) {
                let wanted = w.from + chrono::Duration::days(14 + 7 * i64::from(k));
                let day = wanted.max(ctx.today).max(w.from).min(w.to);
                plans.push(PlannedMeeting {
                    kind: req.kind, planned_on: day, topic: format!("{}（计划）", req.label)
                });
            }
        }
    }
    let ids = tx.insert_plans(actor, org, &plans, ctx.now).await?;
    tx.commit().await?;
    Ok(ids
        .into_iter()
        .zip(plans)
        .map(|(id, meeting)| Planned { id, kind_label: meeting.kind.label(), meeting })
        .collect())
}

/// The rules that need the organization and its members, inside the write's transaction: the kind
/// fits the organization; a held 支委会 or 党员大会 has its quorum (or is refused); each motion of a
/// 党员大会 passes or is recorded as failed; an election has 4/5 of its voters and enough candidates.
/// The members are locked first, so a member moved out in a concurrent transaction is counted as the
/// insert sees it.
async fn judge(
    tx: &mut Tx,
    book: &RuleBook,
    user: Uuid,
    org: &Organization,
    draft: Draft,
) -> DomainResult<MeetingInput> {
    let Draft { mut input, exclusions, without_vote, election } = draft;
    let kind = org.kind;
    if !input.kind.fits(kind) {
        return Err(DomainError::structural(
            StructuralRule::MeetingKindForOrganization,
            format!("{}不召开{}", kind.label(), input.kind.label()),
        ));
    }
    let Some(date) = input.held_on.filter(|_| input.status == MeetingStatus::Held) else { return Ok(input) };
    let present = |a: &&AttendeeInput| a.status == Attendance::Present;
    match input.kind {
        RecordKind::BranchCommittee => {
            // More than half of the committee present (orglife.branch_committee.quorum). Judged when
            // every seat names its member, so presence can be told from the attendance.
            let seats: Option<HashSet<Uuid>> = org.committee.iter().map(|s| s.member_id).collect();
            if let Some(seats) = seats.filter(|s| !s.is_empty()) {
                let there = input.attendees.iter().filter(present).filter(|a| seats.contains(&a.member_id)).count();
                let quorum = rules_life::committee_quorum(book, date, seats.len() as u32, there as u32)?;
                input.quorum = Some(met(quorum, Vec::new(), 0)?);
            }
        }
        RecordKind::GeneralMeeting => {
            tx.lock_subtree(org.id).await?;
            let members = tx.expected_attendees(user, org.id).await?;
            let full: HashSet<Uuid> = members
                .iter()
                .filter(|m| m.status == dangwu_rules::member::Status::Full)
                .map(|m| m.member_id)
                .collect();
            let roll = Roll {
                full_members: full.len() as u32,
                probationary_members: (members.len() - full.len()) as u32,
                without_vote,
                exclusions: exclusions.clone(),
            };
            let present_full =
                input.attendees.iter().filter(present).filter(|a| full.contains(&a.member_id)).count() as u32;
            let (_, quorum) = rules_life::roll_quorum(book, date, &roll, present_full).map_err(|e| under("", e))?;
            input.quorum = Some(met(quorum, exclusions, without_vote)?);
            for (i, vote) in input.votes.iter_mut().enumerate() {
                let ballot = Ballot {
                    in_favour: vote.in_favour,
                    against: vote.against,
                    abstain: vote.abstain,
                    written_in_favour: vote.written_in_favour,
                    written_against: vote.written_against,
                    written_abstain: vote.written_abstain,
                };
                let counted = rules_life::roll_vote(book, date, &roll, present_full, &ballot)
                    .map_err(|e| under(&format!("votes[{i}]."), e))?;
                let outcome = counted.vote.expect("the quorum is met");
                vote.base = outcome.base;
                vote.required = outcome.required;
                vote.passed = outcome.passed;
                vote.rule = outcome.rule.to_owned();
                vote.message = outcome.message;
            }
            if let Some(e) = election {
                input.election = Some(elect(book, date, kind, roll, present_full, e)?);
            }
        }
        _ => {}
    }
    Ok(input)
}

/// Checks an election at a 党员大会: more than 4/5 of the voters present (election.quorum), enough
/// candidates for the seats (election.candidate_margin); either missing refuses the record.
fn elect(
    book: &RuleBook,
    date: NaiveDate,
    kind: dangwu_rules::org::OrgKind,
    roll: Roll,
    present: u32,
    e: ElectionInput,
) -> DomainResult<ElectionRecord> {
    let (exclusions, without_vote) = (roll.exclusions.clone(), roll.without_vote);
    let election = Election {
        kind,
        body: ElectoralBody::GeneralMeeting,
        roll,
        present,
        seat_kind: e.seat_kind,
        seats: e.seats,
        candidates: e.candidates,
    };
    let checked = election::check_election(book, date, &election).map_err(|e| under("election.", e))?;
    if !checked.margin.met {
        return Err(DomainError::Refused {
            rule: checked.margin.rule.to_owned(),
            message: checked.margin.message,
            field: Some("election.candidates".into()),
        });
    }
    Ok(ElectionRecord {
        seat_kind: e.seat_kind,
        seats: e.seats,
        candidates: e.candidates,
        quorum: met(checked.quorum, exclusions, without_vote)?,
        candidates_required: checked.margin.required,
        margin_rule: checked.margin.rule.to_owned(),
        margin_message: checked.margin.message,
    })
}

/// A met quorum, as it is kept with the record; a missing one refuses the record, naming the rule and
/// the attendance that falls short.
fn met(quorum: QuorumOutcome, exclusions: Vec<Exclusion>, without_vote: u32) -> DomainResult<QuorumRecord> {
    if !quorum.met {
        return Err(DomainError::Refused {
            rule: quorum.rule.to_owned(),
            message: quorum.message,
            field: Some("attendees".into()),
        });
    }
    Ok(QuorumRecord {
        entitled: quorum.entitled,
        present: quorum.present,
        required: quorum.required,
        met: quorum.met,
        rule: quorum.rule.to_owned(),
        message: quorum.message,
        exclusions,
        without_vote,
    })
}

/// A rule's refusal of its inputs, with the fields named as in the command (`votes[0].in_favour`).
fn under(prefix: &str, e: CalcError) -> DomainError {
    match e {
        CalcError::Invalid { fields } => DomainError::Invalid(
            fields.into_iter().map(|f| FieldIssue::new(format!("{prefix}{}", f.field), f.reason)).collect(),
        ),
        other => other.into(),
    }
}

/// Attendees and members named by issues must be of the organization: a problem of those fields.
fn attendee_error(e: StoreError) -> DomainError {
    match e.bad_input() {
        Some((field, message)) => DomainError::field(field, message),
        None => e.into(),
    }
}

/// The meeting's organization, unknown or out of reach, is a problem of that field.
fn org_field(e: StoreError) -> DomainError {
    match e {
        StoreError::NotFound => DomainError::field("organization_id", "所属组织不存在或不在您的管理范围内"),
        other => other.into(),
    }
}

/// Checks the fields of a command (everything that needs no stored data), all problems at once.
/// Lengths and counts are those of the schema, checked when the body was read; codes were parsed then.
fn validate(f: MeetingFields, today: NaiveDate) -> DomainResult<Draft> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| errors.push(FieldIssue::new(field, message));
    let founded = dangwu_rules::member::party_founded();
    let held = f.status == MeetingStatus::Held;
    match f.status {
        MeetingStatus::Held => match f.held_on {
            None => err("held_on", "已召开的会议须填写召开日期"),
            Some(d) if d > today => err("held_on", "召开日期不能晚于今天；尚未召开的会议请按计划登记"),
            Some(d) if d < founded => err("held_on", "召开日期不能早于1921年7月1日"),
            _ => {}
        },
        MeetingStatus::Planned => {
            if f.planned_on.is_none() {
                err("planned_on", "计划召开日期必填");
            }
            if f.held_on.is_some() {
                err("held_on", "计划中的会议不应有召开日期");
            }
        }
    }
    if f.topic.trim().is_empty() {
        err("topic", "会议主题必填");
    }
    if f.kind == RecordKind::PartyLecture && held && f.lecturer.trim().is_empty() {
        err("lecturer", "党课须填写授课人");
    }
    // A talk is between two people: its record names both (regulations 3.12 counts pairs).
    let present = f.attendees.iter().filter(|a| a.status == Attendance::Present).count();
    if f.kind == RecordKind::HeartToHeartTalk && held && present != 2 {
        err("attendees", "谈心谈话记录须登记谈话双方两人（出席）");
    }
    let general = f.kind == RecordKind::GeneralMeeting;
    if !f.votes.is_empty() && !general {
        err("votes", "表决只在党员大会上进行");
    }
    if !f.exclusions.is_empty() && !general {
        err("exclusions", "不计入应到会人数的党员只在党员大会上登记");
    }
    if f.without_vote > 0 && !general {
        err("without_vote", "无表决权的党员人数只在党员大会上登记");
    }
    if f.election.is_some() && !(general && held) {
        err("election", "选举只在已召开的党员大会上登记");
    }
    if f.with_appraisal && !f.kind.may_carry_appraisal() {
        err("with_appraisal", "民主评议党员只能结合组织生活会进行，或由党员大会评定");
    }
    if !f.issues.is_empty() && f.kind != RecordKind::LifeMeeting {
        err("issues", "查摆问题只在组织生活会中登记");
    }
    let mut reasons = HashSet::new();
    for (i, e) in f.exclusions.iter().enumerate() {
        if !reasons.insert(e.reason) {
            errors.push(FieldIssue::new(format!("exclusions[{i}].reason"), "同一原因只登记一次"));
        }
    }
    let mut seen = HashSet::new();
    for (i, a) in f.attendees.iter().enumerate() {
        if a.status == Attendance::Leave && a.reason.trim().is_empty() {
            errors.push(FieldIssue::new(format!("attendees[{i}].reason"), "请假须填写原因"));
        }
        if !seen.insert(a.member_id) {
            errors.push(FieldIssue::new(format!("attendees[{i}].member_id"), "参会人员重复"));
        }
    }
    for (i, issue) in f.issues.iter().enumerate() {
        if issue.problem.trim().is_empty() || issue.measure.trim().is_empty() {
            errors.push(FieldIssue::new(format!("issues[{i}]"), "问题和整改措施都须填写"));
        }
    }
    for (i, a) in f.agenda.iter().enumerate() {
        if a.title.trim().is_empty() {
            errors.push(FieldIssue::new(format!("agenda[{i}].title"), "议题不能为空"));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let input = MeetingInput {
        organization_id: f.organization_id,
        kind: f.kind,
        status: f.status,
        planned_on: f.planned_on,
        held_on: f.held_on,
        start_time: f.start_time.trim().to_owned(),
        end_time: f.end_time.trim().to_owned(),
        place: f.place.trim().to_owned(),
        chair: f.chair.trim().to_owned(),
        recorder: f.recorder.trim().to_owned(),
        lecturer: f.lecturer.trim().to_owned(),
        secretary_lecture: f.secretary_lecture,
        topic: f.topic.trim().to_owned(),
        agenda: f
            .agenda
            .into_iter()
            .map(|a| AgendaItem { title: a.title.trim().into(), first_topic: a.first_topic, decision: a.decision })
            .collect(),
        minutes: f.minutes.trim().to_owned(),
        decisions: f.decisions.trim().to_owned(),
        quorum: None,
        votes: f
            .votes
            .into_iter()
            .map(|v| VoteRecord {
                motion: v.motion,
                in_favour: v.in_favour,
                against: v.against,
                abstain: v.abstain,
                written_in_favour: v.written_in_favour,
                written_against: v.written_against,
                written_abstain: v.written_abstain,
                base: 0,
                required: 0,
                passed: false,
                rule: String::new(),
                message: String::new(),
            })
            .collect(),
        attachments: f.attachments,
        with_appraisal: f.with_appraisal,
        election: None,
        attendees: f
            .attendees
            .into_iter()
            .map(|a| AttendeeInput { member_id: a.member_id, status: a.status, reason: a.reason.trim().into() })
            .collect(),
        issues: f
            .issues
            .into_iter()
            .map(|i| IssueInput {
                member_id: i.member_id,
                raised_by: i.raised_by.trim().into(),
                problem: i.problem.trim().into(),
                measure: i.measure.trim().into(),
                due_on: i.due_on,
            })
            .collect(),
    };
    Ok(Draft { input, exclusions: f.exclusions, without_vote: f.without_vote, election: f.election })
}
