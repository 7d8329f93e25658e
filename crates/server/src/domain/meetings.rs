//! Meeting records (组织生活): recording a meeting or plan and revising it, with the rules that need the
//! organization — the kind fits it, a 支委会 or 党员大会 has its quorum, each motion passes or fails —
//! judged on the members the write sees.

use std::collections::HashSet;

use chrono::NaiveDate;
use dangwu_rules::RuleBook;
use dangwu_rules::StructuralRule;
use dangwu_rules::orglife::{self as rules_life, QuorumOutcome, VotingBody};
use dangwu_store::access::Access;
use dangwu_store::meetings::{AgendaItem, AttendeeInput, IssueInput, Meeting, MeetingInput, VoteRecord};
use dangwu_store::orgs::Organization;
use dangwu_store::{Actor, StoreError, Tx};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Ctx, DomainError, DomainResult, FieldIssue};
use crate::orglife::{KINDS, kind_fits, kind_label};

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
}

#[derive(Debug, Clone, Deserialize, ToSchema)]
pub struct AttendeeView {
    pub member_id: Uuid,
    /// `present`, `leave` or `absent`.
    #[schema(max_length = 20)]
    pub status: String,
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
    /// See `GET /api/v1/meetings` kinds: `general_meeting`, `branch_committee`, `party_group_meeting`,
    /// `party_lecture`, `theme_day`, `life_meeting`, `democratic_appraisal`, `heart_to_heart_talk`,
    /// `party_committee`, `central_study`.
    #[schema(max_length = 40)]
    pub kind: String,
    /// `planned` or `held`.
    #[schema(max_length = 20)]
    pub status: String,
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
}

fn attachments_schema() -> utoipa::openapi::Array {
    crate::json::texts(50, 200)
}

/// Records a meeting, held or planned (登记会议).
pub async fn record(ctx: &Ctx<'_>, actor: &Actor, fields: MeetingFields) -> DomainResult<Meeting> {
    let mut tx = ctx.db.begin().await?;
    // The right to write comes first: a caller without it hears so, not what is wrong with the input.
    let org = tx.org_for(actor.user_id, fields.organization_id, Access::WriteMembers).await.map_err(org_field)?;
    let mut input = validate(fields, ctx.today)?;
    judge(&mut tx, ctx.rules, actor.user_id, &org, &mut input).await?;
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
    let mut input = validate(fields, ctx.today)?;
    if input.organization_id != org.id {
        return Err(DomainError::field("organization_id", "会议记录的所属组织不能修改"));
    }
    judge(&mut tx, ctx.rules, actor.user_id, &org, &mut input).await?;
    let meeting = tx.update_meeting(actor, id, &input, version, ctx.now).await.map_err(attendee_error)?;
    tx.commit().await?;
    Ok(meeting)
}

/// The rules that need the organization and its members, inside the write's transaction: the kind
/// fits the organization; a held 支委会 or 党员大会 has its quorum (or is refused); each motion of a
/// 党员大会 passes or is recorded as failed. The members are locked first, so a member moved out in a
/// concurrent transaction is counted as the insert sees it.
async fn judge(
    tx: &mut Tx,
    book: &RuleBook,
    user: Uuid,
    org: &Organization,
    input: &mut MeetingInput,
) -> DomainResult<()> {
    let kind = org.kind().ok_or_else(|| StoreError::Config(format!("unknown organization kind {}", org.kind)))?;
    if !kind_fits(&input.kind, kind) {
        return Err(DomainError::structural(
            StructuralRule::MeetingKindForOrganization,
            format!("{}不召开{}", kind.label(), kind_label(&input.kind)),
        ));
    }
    let Some(date) = input.held_on.filter(|_| input.status == "held") else { return Ok(()) };
    match input.kind.as_str() {
        "branch_committee" => {
            // More than half of the committee present (orglife.branch_committee.quorum). Judged when
            // every seat names its member, so presence can be told from the attendance.
            let seats: Option<HashSet<Uuid>> = org.committee.iter().map(|s| s.member_id).collect();
            if let Some(seats) = seats.filter(|s| !s.is_empty()) {
                let present = input.attendees.iter().filter(|a| a.status == "present" && seats.contains(&a.member_id));
                let quorum = rules_life::committee_quorum(book, date, seats.len() as u32, present.count() as u32)?;
                input.quorum = Some(met(quorum)?);
            }
        }
        "general_meeting" => {
            tx.lock_subtree(org.id).await?;
            let members = tx.expected_attendees(user, org.id).await?;
            let full: HashSet<Uuid> = members.iter().filter(|m| m.status == "full").map(|m| m.member_id).collect();
            let body = VotingBody {
                full_members: full.len() as u32,
                probationary_members: (members.len() - full.len()) as u32,
                excluded: 0,
            };
            let present_full =
                input.attendees.iter().filter(|a| a.status == "present" && full.contains(&a.member_id)).count();
            let quorum = rules_life::general_meeting_quorum(book, date, &body, present_full as u32)?;
            input.quorum = Some(met(quorum)?);
            for (i, vote) in input.votes.iter_mut().enumerate() {
                if vote.in_favour + vote.against + vote.abstain > body.entitled() {
                    return Err(DomainError::field(
                        format!("votes[{i}]"),
                        "赞成、反对、弃权票数之和不能多于应到会有表决权党员人数",
                    ));
                }
                let outcome = rules_life::general_meeting_vote(book, date, &body, vote.in_favour)?;
                vote.base = outcome.base;
                vote.required = outcome.required;
                vote.passed = outcome.passed;
                vote.rule = outcome.rule.to_owned();
                vote.message = outcome.message;
            }
        }
        _ => {}
    }
    Ok(())
}

/// A met quorum, as it is kept with the record; a missing one refuses the record, naming the rule and
/// the attendance that falls short.
fn met(quorum: QuorumOutcome) -> DomainResult<serde_json::Value> {
    if !quorum.met {
        return Err(DomainError::Refused {
            rule: quorum.rule.to_owned(),
            message: quorum.message,
            field: Some("attendees".into()),
        });
    }
    serde_json::to_value(&quorum).map_err(|e| StoreError::from(e).into())
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

/// Validates the fields at the edge (everything but what needs the database). Lengths and counts are
/// those of the schema, checked when the body was read.
fn validate(f: MeetingFields, today: NaiveDate) -> DomainResult<MeetingInput> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| errors.push(FieldIssue::new(field, message));
    if !KINDS.iter().any(|(c, _)| *c == f.kind) {
        err("kind", "会议类型无效");
    }
    let founded = dangwu_rules::member::party_founded();
    match f.status.as_str() {
        "held" => match f.held_on {
            None => err("held_on", "已召开的会议须填写召开日期"),
            Some(d) if d > today => err("held_on", "召开日期不能晚于今天；尚未召开的会议请按计划登记"),
            Some(d) if d < founded => err("held_on", "召开日期不能早于1921年7月1日"),
            _ => {}
        },
        "planned" => {
            if f.planned_on.is_none() {
                err("planned_on", "计划召开日期必填");
            }
            if f.held_on.is_some() {
                err("held_on", "计划中的会议不应有召开日期");
            }
        }
        _ => err("status", "状态应为 planned（计划）或 held（已召开）"),
    }
    if f.topic.trim().is_empty() {
        err("topic", "会议主题必填");
    }
    if f.kind == "party_lecture" && f.status == "held" && f.lecturer.trim().is_empty() {
        err("lecturer", "党课须填写授课人");
    }
    if !f.votes.is_empty() && f.kind != "general_meeting" {
        err("votes", "表决只在支部党员大会上进行");
    }
    if !f.issues.is_empty() && f.kind != "life_meeting" {
        err("issues", "查摆问题只在组织生活会中登记");
    }
    let mut seen = std::collections::HashSet::new();
    for (i, a) in f.attendees.iter().enumerate() {
        if !matches!(a.status.as_str(), "present" | "leave" | "absent") {
            errors.push(FieldIssue::new(format!("attendees[{i}].status"), "应为 present、leave 或 absent"));
        }
        if a.status == "leave" && a.reason.trim().is_empty() {
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
    Ok(MeetingInput {
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
                base: 0,
                required: 0,
                passed: false,
                rule: String::new(),
                message: String::new(),
            })
            .collect(),
        attachments: f.attachments,
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
    })
}
