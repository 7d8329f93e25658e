//! Organizational life (组织生活): meeting records, planned and held, with attendance and the
//! problems raised at 组织生活会. Compliance against the rules is computed by the server from the
//! counts read in [`crate::lifelog`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::org::OrgKind;

use crate::access::{Access, covers, covers_each_row};
use crate::audit::Event;
use crate::{Actor, Db, JsonText, Result, StoreError, Tx, new_id, q};

/// One item of the agenda (议程).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct AgendaItem {
    pub title: String,
    /// 第一议题: studying the latest instructions first.
    #[serde(default)]
    pub first_topic: bool,
    /// The item was decided (决策事项).
    #[serde(default)]
    pub decision: bool,
}

/// The quorum judged when a meeting was recorded, kept with it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct QuorumRecord {
    /// 应到会: members (or committee members) counted.
    pub entitled: u32,
    pub present: u32,
    /// Smallest number present that makes the quorum.
    pub required: u32,
    pub met: bool,
    pub rule: String,
    pub message: String,
    /// 党员大会: full members lawfully left out of the 应到会 count, by reason.
    #[serde(default)]
    pub exclusions: Vec<dangwu_rules::orglife::Exclusion>,
    /// 党员大会: full members without a vote (留党察看, rights suspended).
    #[serde(default)]
    pub without_vote: u32,
}

/// An election held at a 党员大会, as checked when it was recorded: more than 4/5 of the voters
/// present, and the candidates over the seats by the margin.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct ElectionRecord {
    pub seat_kind: dangwu_rules::election::SeatKind,
    /// 应选人数.
    pub seats: u32,
    /// 候选人数.
    pub candidates: u32,
    pub quorum: QuorumRecord,
    /// Fewest candidates for the seats.
    pub candidates_required: u32,
    pub margin_rule: String,
    pub margin_message: String,
}

/// A motion voted on, with the outcome computed by the rules when it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct VoteRecord {
    pub motion: String,
    pub in_favour: u32,
    pub against: u32,
    pub abstain: u32,
    /// Written opinions of absent voters, submitted before the meeting (counted in the votes).
    #[serde(default)]
    pub written_in_favour: u32,
    #[serde(default)]
    pub written_against: u32,
    #[serde(default)]
    pub written_abstain: u32,
    /// The number the majority was computed on (应到会有表决权党员).
    pub base: u32,
    pub required: u32,
    pub passed: bool,
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AttendeeInput {
    pub member_id: Uuid,
    pub status: Attendance,
    #[serde(default)]
    pub reason: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct IssueInput {
    pub member_id: Option<Uuid>,
    pub raised_by: String,
    pub problem: String,
    pub measure: String,
    pub due_on: Option<NaiveDate>,
}

/// A meeting record as entered (validated by the server first). `Default` is an empty record, for
/// building one field by field.
#[derive(Debug, Clone, Serialize)]
pub struct MeetingInput {
    pub organization_id: Uuid,
    pub kind: RecordKind,
    pub status: MeetingStatus,
    pub planned_on: Option<NaiveDate>,
    pub held_on: Option<NaiveDate>,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub chair: String,
    pub recorder: String,
    pub lecturer: String,
    pub secretary_lecture: bool,
    pub topic: String,
    pub agenda: Vec<AgendaItem>,
    pub minutes: String,
    pub decisions: String,
    pub quorum: Option<QuorumRecord>,
    pub votes: Vec<VoteRecord>,
    /// The year's 民主评议党员 was held with this 组织生活会, or decided at this 党员大会.
    pub with_appraisal: bool,
    pub election: Option<ElectionRecord>,
    pub attachments: Vec<String>,
    pub attendees: Vec<AttendeeInput>,
    pub issues: Vec<IssueInput>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct Attendee {
    pub member_id: Uuid,
    pub name: String,
    /// `full` or `probationary`.
    pub member_status: String,
    #[sqlx(try_from = "String")]
    pub status: Attendance,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct LifeIssue {
    pub id: Uuid,
    pub member_id: Option<Uuid>,
    pub raised_by: String,
    pub problem: String,
    pub measure: String,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub rectification_id: Option<Uuid>,
}

/// A meeting record as stored, its JSON columns decoded.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct MeetingRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    #[sqlx(try_from = "String")]
    pub kind: RecordKind,
    #[sqlx(try_from = "String")]
    pub status: MeetingStatus,
    pub planned_on: Option<NaiveDate>,
    pub held_on: Option<NaiveDate>,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub chair: String,
    pub recorder: String,
    pub lecturer: String,
    pub secretary_lecture: bool,
    pub topic: String,
    #[sqlx(rename = "agenda_json", try_from = "String")]
    #[cfg_attr(feature = "schema", schema(value_type = Vec<AgendaItem>))]
    pub agenda: JsonText<Vec<AgendaItem>>,
    pub first_topic: bool,
    pub minutes: String,
    pub decisions: String,
    /// Null until the meeting is held, and for kinds without a quorum rule.
    #[sqlx(rename = "quorum_json", try_from = "Option<String>")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<QuorumRecord>))]
    pub quorum: JsonText<Option<QuorumRecord>>,
    #[sqlx(rename = "votes_json", try_from = "String")]
    #[cfg_attr(feature = "schema", schema(value_type = Vec<VoteRecord>))]
    pub votes: JsonText<Vec<VoteRecord>>,
    #[sqlx(rename = "attachments_json", try_from = "String")]
    #[cfg_attr(feature = "schema", schema(value_type = Vec<String>))]
    pub attachments: JsonText<Vec<String>>,
    pub with_appraisal: bool,
    #[sqlx(rename = "election_json", try_from = "Option<String>")]
    #[cfg_attr(feature = "schema", schema(value_type = Option<ElectionRecord>))]
    pub election: JsonText<Option<ElectionRecord>>,
    pub present: i64,
    pub expected: i64,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// A meeting with its attendance and issues.
#[derive(Debug, Clone, Serialize)]
pub struct Meeting {
    #[serde(flatten)]
    pub row: MeetingRow,
    pub attendees: Vec<Attendee>,
    pub issues: Vec<LifeIssue>,
}

#[derive(Debug, Clone, Default)]
pub struct MeetingFilter {
    pub organization_id: Option<Uuid>,
    pub subtree: bool,
    pub kind: Option<RecordKind>,
    pub status: Option<MeetingStatus>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    /// Keyset cursor: only meetings after this (date, id) in the list's order.
    pub before: Option<(NaiveDate, Uuid)>,
    pub limit: i64,
}

/// Held meetings counted by organization, kind and day (the input of compliance calendars).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct HeldCount {
    pub organization_id: Uuid,
    #[sqlx(try_from = "String")]
    pub kind: RecordKind,
    pub secretary_lecture: bool,
    /// The 民主评议党员 was held with this meeting.
    pub with_appraisal: bool,
    pub held_on: NaiveDate,
    pub n: i64,
}

/// A problem raised at a 组织生活会, with where it was raised.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct LifeIssueRow {
    pub id: Uuid,
    pub meeting_id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub held_on: Option<NaiveDate>,
    pub member_id: Option<Uuid>,
    pub raised_by: String,
    pub problem: String,
    pub measure: String,
    pub due_on: Option<NaiveDate>,
    pub status: String,
    pub rectification_id: Option<Uuid>,
}

/// One member's attendance at one held meeting.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct AttendanceRow {
    pub member_id: Uuid,
    pub name: String,
    pub organization_id: Uuid,
    pub held_on: NaiveDate,
    #[sqlx(try_from = "String")]
    pub status: Attendance,
}

/// The most meetings one list may hold: a ledger or plan over more is refused, never cut short.
pub const MEETINGS_MAX_ROWS: i64 = 20_000;

const MEETING_SELECT: &str = "SELECT m.id, m.organization_id, o.name AS organization_name, m.kind, m.status, \
    m.planned_on, m.held_on, m.start_time, m.end_time, m.place, m.chair, m.recorder, m.lecturer, \
    m.secretary_lecture, m.topic, m.agenda_json, m.first_topic, m.minutes, m.decisions, m.quorum_json, \
    m.votes_json, m.attachments_json, m.with_appraisal, m.election_json, m.present, m.expected, m.version, \
    m.created_at, m.updated_at \
    FROM meetings m JOIN organizations o ON o.id = m.organization_id";

impl Tx {
    async fn meeting_by_id(&mut self, id: Uuid) -> Result<Meeting> {
        let row: MeetingRow = self.fetch_one(q(&format!("{MEETING_SELECT} WHERE m.id = $1")).bind(id)).await?;
        let attendees = self
            .fetch_all(
                q("SELECT a.member_id, p.name, p.status AS member_status, a.status, a.reason \
                   FROM meeting_attendees a JOIN members p ON p.id = a.member_id WHERE a.meeting_id = $1 ORDER BY p.id")
                .bind(id),
            )
            .await?;
        let issues = self
            .fetch_all(
                q("SELECT id, member_id, raised_by, problem, measure, due_on, status, rectification_id \
                   FROM life_issues WHERE meeting_id = $1 ORDER BY id")
                .bind(id),
            )
            .await?;
        Ok(Meeting { row, attendees, issues })
    }

    /// Loads a meeting the user may read (NotFound otherwise), then requires `access` over its organization.
    async fn meeting_for(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<Meeting> {
        self.check_work(user, "meetings", id, access).await?;
        self.meeting_by_id(id).await
    }

    /// Whether a member belongs to the organization's meetings: by formal relationship in it or below
    /// it, or placed in it (a 党小组's or 临时党支部's members, see [`crate::placements`]).
    async fn takes_part(&mut self, org: Uuid, member: Uuid) -> Result<bool> {
        let inside: Option<(Uuid,)> = self
            .fetch_optional(
                q("SELECT m.id FROM members m WHERE m.id = $1 AND (\
                   EXISTS (SELECT 1 FROM org_closure c WHERE c.descendant = m.organization_id AND c.ancestor = $2) \
                   OR EXISTS (SELECT 1 FROM placements p WHERE p.member_id = m.id AND p.organization_id = $2))")
                .bind(member)
                .bind(org),
            )
            .await?;
        Ok(inside.is_some())
    }

    /// Members listed as attendees must belong to the organization, below it, or be placed in it.
    async fn check_attendees(&mut self, org: Uuid, attendees: &[AttendeeInput]) -> Result<()> {
        for a in attendees {
            if !self.takes_part(org, a.member_id).await? {
                return Err(StoreError::conflict(
                    crate::Conflict::AttendeeOutside,
                    "参会人员须是本组织的党员（含下级党小组的党员和编入本组织的党员）",
                ));
            }
        }
        Ok(())
    }

    /// A problem raised at a 组织生活会 names, if anyone, a member of the organization or below it.
    async fn check_issue_members(&mut self, org: Uuid, issues: &[IssueInput]) -> Result<()> {
        for issue in issues {
            let Some(member) = issue.member_id else { continue };
            if !self.takes_part(org, member).await? {
                return Err(StoreError::conflict(
                    crate::Conflict::IssueMemberOutside,
                    "查摆问题涉及的党员须是本组织的党员（含下级党小组的党员和编入本组织的党员）",
                ));
            }
        }
        Ok(())
    }

    async fn write_children(&mut self, id: Uuid, org: Uuid, input: &MeetingInput, now: DateTime<Utc>) -> Result<()> {
        self.execute(q("DELETE FROM meeting_attendees WHERE meeting_id = $1").bind(id)).await?;
        for a in &input.attendees {
            self.execute(
                q("INSERT INTO meeting_attendees (meeting_id, member_id, status, reason) VALUES ($1, $2, $3, $4)")
                    .bind(id)
                    .bind(a.member_id)
                    .bind(a.status.code())
                    .bind(a.reason.as_str()),
            )
            .await?;
        }
        // Issues are added, never silently dropped: an issue may already be linked to a rectification item.
        for issue in &input.issues {
            self.execute(
                q("INSERT INTO life_issues (id, meeting_id, organization_id, member_id, raised_by, problem, measure, \
                   due_on, status, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, 'open', $9)")
                .bind(new_id())
                .bind(id)
                .bind(org)
                .bind(issue.member_id)
                .bind(issue.raised_by.as_str())
                .bind(issue.problem.as_str())
                .bind(issue.measure.as_str())
                .bind(issue.due_on)
                .bind(now),
            )
            .await?;
        }
        Ok(())
    }
}

fn stale_meeting() -> StoreError {
    StoreError::conflict(crate::Conflict::StaleVersion, "该会议记录已被他人修改，请刷新后重试")
}

/// Inserts a meeting: id, organization, the fields of [`bind_fields`], then the creation time.
const INSERT_MEETING: &str = "INSERT INTO meetings (id, organization_id, kind, status, planned_on, held_on, start_time, end_time, place, \
               chair, recorder, lecturer, secretary_lecture, topic, agenda_json, first_topic, minutes, decisions, \
               quorum_json, votes_json, attachments_json, present, expected, with_appraisal, election_json, version, \
               created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
               $22, $23, $24, $25, 1, $26, $26)";

/// Binds the fields of a meeting, in the column order both the INSERT and the UPDATE use.
fn bind_fields(query: crate::Q, input: &MeetingInput) -> Result<crate::Q> {
    let (present, expected) = present_count(input);
    Ok(query
        .bind(input.kind.code())
        .bind(input.status.code())
        .bind(input.planned_on)
        .bind(input.held_on)
        .bind(input.start_time.as_str())
        .bind(input.end_time.as_str())
        .bind(input.place.as_str())
        .bind(input.chair.as_str())
        .bind(input.recorder.as_str())
        .bind(input.lecturer.as_str())
        .bind(input.secretary_lecture)
        .bind(input.topic.as_str())
        .bind(serde_json::to_string(&input.agenda)?)
        .bind(input.agenda.iter().any(|a| a.first_topic))
        .bind(input.minutes.as_str())
        .bind(input.decisions.as_str())
        .bind(input.quorum.as_ref().map(serde_json::to_string).transpose()?)
        .bind(serde_json::to_string(&input.votes)?)
        .bind(serde_json::to_string(&input.attachments)?)
        .bind(present)
        .bind(expected)
        .bind(input.with_appraisal)
        .bind(input.election.as_ref().map(serde_json::to_string).transpose()?))
}

fn present_count(input: &MeetingInput) -> (i64, i64) {
    let present = input.attendees.iter().filter(|a| a.status == Attendance::Present).count() as i64;
    (present, input.attendees.len() as i64)
}

fn audit_value(m: &Meeting) -> serde_json::Value {
    serde_json::json!({
        "organization_id": m.row.organization_id, "kind": m.row.kind, "status": m.row.status,
        "planned_on": m.row.planned_on, "held_on": m.row.held_on, "place": m.row.place, "chair": m.row.chair,
        "recorder": m.row.recorder, "lecturer": m.row.lecturer, "topic": m.row.topic,
        "agenda": m.row.agenda,
        "minutes": m.row.minutes, "decisions": m.row.decisions,
        "votes": m.row.votes,
        "present": m.row.present, "expected": m.row.expected,
        "attendees": m.attendees.iter().map(|a| serde_json::json!({"member_id": a.member_id, "status": a.status})).collect::<Vec<_>>(),
        "issues": m.issues.len(),
    })
}

/// A member a meeting of an organization expects: of the organization or below it, or placed in it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExpectedMember {
    pub member_id: Uuid,
    pub name: String,
    #[sqlx(try_from = "crate::Stored<dangwu_rules::member::Status>")]
    pub status: dangwu_rules::member::Status,
}

/// What an organization's 谈心谈话 of a period is judged on.
#[derive(Debug, Clone)]
pub struct TalkRecord {
    /// The organization, whose committee members each talk with every member.
    pub organization: crate::orgs::Organization,
    /// Whom its meetings expect (see [`Tx::expected_attendees`]).
    pub members: Vec<ExpectedMember>,
    /// The two people named by each held 谈心谈话 record of the period, with its day (records naming
    /// anything but two people present name no pair and are left out).
    pub pairs: Vec<(Uuid, Uuid, NaiveDate)>,
}

impl Tx {
    /// Whom a meeting of the organization expects, with their status: for a 党小组 or 临时党支部 the
    /// members placed in it (see [`crate::placements`]; a temporary branch's members with a formal
    /// relationship there from before placements are counted too), otherwise the members of the
    /// organization and everything below it.
    /// Inside a write, call [`Tx::lock_orgs`] on the organization first so the list stays true until commit.
    pub async fn expected_attendees(&mut self, user: Uuid, org: Uuid) -> Result<Vec<ExpectedMember>> {
        self.check_visible(user, org, Access::Read).await?;
        self.expected_of(org).await
    }

    /// As [`Tx::expected_attendees`], once the caller's grant is checked.
    async fn expected_of(&mut self, org: Uuid) -> Result<Vec<ExpectedMember>> {
        let (kind,): (String,) = self.fetch_one(q("SELECT kind FROM organizations WHERE id = $1").bind(org)).await?;
        let placing =
            OrgKind::from_code(&kind).is_some_and(|k| matches!(k, OrgKind::PartyGroup | OrgKind::TemporaryBranch));
        if placing {
            return self
                .fetch_all(
                    q("SELECT m.id AS member_id, m.name, m.status FROM members m WHERE m.id IN (\
                       SELECT p.member_id FROM placements p WHERE p.organization_id = $1 \
                       UNION SELECT f.id FROM members f JOIN org_closure c ON c.descendant = f.organization_id \
                       WHERE c.ancestor = $1) ORDER BY m.id")
                    .bind(org),
                )
                .await;
        }
        self.fetch_all(
            q("SELECT m.id AS member_id, m.name, m.status FROM members m \
               JOIN org_closure c ON c.descendant = m.organization_id WHERE c.ancestor = $1 ORDER BY m.id")
            .bind(org),
        )
        .await
    }

    /// Loads a meeting the user may read (NotFound otherwise), then requires `access` over its organization.
    pub async fn meeting(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<Meeting> {
        self.meeting_for(user, id, access).await
    }

    /// Inserts a meeting record, its attendance and issues, audited. The rules that need the
    /// organization's members are checked by the caller in this same transaction.
    pub async fn insert_meeting(&mut self, actor: &Actor, input: &MeetingInput, now: DateTime<Utc>) -> Result<Meeting> {
        self.check_visible(actor.user_id, input.organization_id, Access::WriteMembers).await?;
        self.check_attendees(input.organization_id, &input.attendees).await?;
        self.check_issue_members(input.organization_id, &input.issues).await?;
        let id = new_id();
        self.execute(bind_fields(q(INSERT_MEETING).bind(id).bind(input.organization_id), input)?.bind(now)).await?;
        self.write_children(id, input.organization_id, input, now).await?;
        let meeting = self.meeting_by_id(id).await?;
        self.audit(
            actor,
            now,
            Event::new("meeting.create", "meeting", id).in_org(input.organization_id).after(audit_value(&meeting)),
        )
        .await?;
        Ok(meeting)
    }

    /// Replaces a meeting's fields and attendance (a planned meeting becomes a record when held), if
    /// it is still at `version`.
    pub async fn update_meeting(
        &mut self,
        actor: &Actor,
        id: Uuid,
        input: &MeetingInput,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Meeting> {
        let before = self.meeting_for(actor.user_id, id, Access::WriteMembers).await?;
        // A form older than what was read fails fast; the conditional UPDATE below is what decides
        // between concurrent editors.
        if before.row.version != version {
            return Err(stale_meeting());
        }
        if input.organization_id != before.row.organization_id {
            return Err(StoreError::conflict(crate::Conflict::Other, "会议记录的所属组织不能修改"));
        }
        self.check_attendees(input.organization_id, &input.attendees).await?;
        self.check_issue_members(input.organization_id, &input.issues).await?;
        let written = self
            .execute(
                bind_fields(
                    q("UPDATE meetings SET kind = $2, status = $3, planned_on = $4, held_on = $5, start_time = $6, end_time = $7, \
               place = $8, chair = $9, recorder = $10, lecturer = $11, secretary_lecture = $12, topic = $13, \
               agenda_json = $14, first_topic = $15, minutes = $16, decisions = $17, quorum_json = $18, votes_json = $19, \
               attachments_json = $20, present = $21, expected = $22, with_appraisal = $23, election_json = $24, \
               version = version + 1, updated_at = $25 WHERE id = $1 AND version = $26")
                    .bind(id),
                    input,
                )?
                .bind(now)
                .bind(version),
            )
            .await?;
        // Zero rows: another editor committed this version first; their attendance stays untouched.
        if written == 0 {
            return Err(stale_meeting());
        }
        self.write_children(id, input.organization_id, input, now).await?;
        let after = self.meeting_by_id(id).await?;
        self.audit(
            actor,
            now,
            Event::new("meeting.update", "meeting", id)
                .in_org(input.organization_id)
                .before(audit_value(&before))
                .after(audit_value(&after)),
        )
        .await?;
        Ok(after)
    }
}

/// A meeting to plan: its kind, day and topic.
#[derive(Debug, Clone, Serialize)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
pub struct PlannedMeeting {
    pub kind: RecordKind,
    pub planned_on: NaiveDate,
    pub topic: String,
}

impl Tx {
    /// The days of an organization's planned meetings between two dates, by kind (at most `cap`
    /// rows; more is refused as too large, never cut short).
    pub async fn planned_days(
        &mut self,
        user: Uuid,
        org: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        cap: i64,
    ) -> Result<Vec<(RecordKind, NaiveDate)>> {
        self.check_visible(user, org, Access::Read).await?;
        let rows: Vec<(String, NaiveDate)> = self
            .fetch_all(
                q("SELECT kind, planned_on FROM meetings WHERE organization_id = $1 AND status = 'planned' \
                   AND planned_on >= $2 AND planned_on <= $3 LIMIT $4")
                .bind(org)
                .bind(from)
                .bind(to)
                .bind(cap + 1),
            )
            .await?;
        if rows.len() as i64 > cap {
            return Err(StoreError::TooLarge(format!("本组织本年度已有超过 {cap} 条会议计划，请先清理后再生成")));
        }
        rows.into_iter()
            .map(|(kind, day)| {
                RecordKind::try_from(kind).map(|k| (k, day)).map_err(|e| StoreError::Config(e.to_string()))
            })
            .collect()
    }

    /// Inserts planned meetings of an organization, each audited.
    pub async fn insert_plans(
        &mut self,
        actor: &Actor,
        org: Uuid,
        plans: &[PlannedMeeting],
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>> {
        self.check_visible(actor.user_id, org, Access::WriteMembers).await?;
        let mut ids = Vec::with_capacity(plans.len());
        for plan in plans {
            let id = new_id();
            self.execute(
                q("INSERT INTO meetings (id, organization_id, kind, status, planned_on, topic, version, created_at, updated_at) \
                   VALUES ($1, $2, $3, 'planned', $4, $5, 1, $6, $6)")
                .bind(id)
                .bind(org)
                .bind(plan.kind.code())
                .bind(plan.planned_on)
                .bind(plan.topic.as_str())
                .bind(now),
            )
            .await?;
            let after = serde_json::json!({"kind": plan.kind, "planned_on": plan.planned_on, "topic": plan.topic});
            let event = Event::new("meeting.plan", "meeting", id).in_org(org).after(after);
            self.audit(actor, now, event).await?;
            ids.push(id);
        }
        Ok(ids)
    }
}

impl Db {
    /// See [`Tx::expected_attendees`].
    pub async fn expected_attendees(&self, user: Uuid, org: Uuid) -> Result<Vec<ExpectedMember>> {
        let mut tx = self.begin_read().await?;
        tx.expected_attendees(user, org).await
    }

    /// As [`Db::require_access`], for the organization of a meeting.
    pub async fn require_meeting_access(&self, user: Uuid, id: Uuid, access: Access) -> Result<()> {
        self.require_work_access(user, "meetings", id, access).await
    }

    pub async fn get_meeting(&self, user: Uuid, id: Uuid) -> Result<Meeting> {
        let mut tx = self.begin_read().await?;
        tx.meeting_for(user, id, Access::Read).await
    }

    /// Meetings the user may see, newest meeting first (by the date held or planned, then newest entry).
    pub async fn list_meetings(&self, user: Uuid, f: &MeetingFilter) -> Result<Vec<MeetingRow>> {
        // A subtree holding a good share of all organizations is read by walking the date index and
        // testing each meeting (a page fills after a few thousand rows); a small one from its own
        // meetings, sorted. Either plan on the other case is slow: 4-5 s against 1 ms for the whole
        // group of 40,000 organizations, 0.3 s against 4 ms for one general branch (docs/BENCHMARKS.md).
        let walk = match f.organization_id {
            Some(org) if f.subtree => {
                let (size, all): (i64, i64) = self
                    .fetch_one(
                        q("SELECT (SELECT COUNT(*) FROM org_closure WHERE ancestor = $1), \
                           (SELECT COUNT(*) FROM organizations)")
                        .bind(org),
                    )
                    .await?;
                size * 100 >= all
            }
            _ => false,
        };
        let visible = if walk {
            covers_each_row(Access::Read, "$1", "m.organization_id")
        } else {
            covers(Access::Read, "$1", "m.organization_id")
        };
        let mut query = q(&format!("{MEETING_SELECT} WHERE {visible}")).bind(user);
        if let Some(org) = f.organization_id {
            if walk {
                query.push_bind(
                    " AND (SELECT COUNT(*) FROM org_closure s WHERE s.descendant = m.organization_id AND s.ancestor = ",
                    org,
                );
                query.push(") > 0");
            } else if f.subtree {
                query.push_bind(" AND m.organization_id IN (SELECT descendant FROM org_closure WHERE ancestor = ", org);
                query.push(")");
            } else {
                query.push_bind(" AND m.organization_id = ", org);
            }
        }
        if let Some(kind) = &f.kind {
            query.push_bind(" AND m.kind = ", kind.code());
        }
        if let Some(status) = &f.status {
            query.push_bind(" AND m.status = ", status.code());
        }
        if let Some(from) = f.from {
            query.push_bind(" AND COALESCE(m.held_on, m.planned_on) >= ", from);
        }
        if let Some(to) = f.to {
            query.push_bind(" AND COALESCE(m.held_on, m.planned_on) <= ", to);
        }
        if let Some((date, id)) = f.before {
            query.push_bind(" AND (COALESCE(m.held_on, m.planned_on) < ", date);
            query.push_bind(" OR (COALESCE(m.held_on, m.planned_on) = ", date);
            query.push_bind(" AND m.id < ", id);
            query.push("))");
        }
        query.push(&format!(
            " ORDER BY COALESCE(m.held_on, m.planned_on) DESC, m.id DESC LIMIT {}",
            f.limit.clamp(1, MEETINGS_MAX_ROWS + 1)
        ));
        self.fetch_all(query).await
    }

    /// Attendance at held meetings between two dates, oldest first, of the members of a subtree the
    /// user may read: all of them, or, for a member reading their own organization, their own. A
    /// subtree of more than `cap` members is refused (`TooLarge`), not cut short.
    pub async fn attendance(
        &self,
        user: Uuid,
        root: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        cap: i64,
    ) -> Result<Vec<AttendanceRow>> {
        let mut tx = self.begin_read().await?;
        let only = match tx.read_scope(user, root).await? {
            crate::access::ReadScope::Whole => None,
            crate::access::ReadScope::Member(member) => Some(member),
        };
        if only.is_none() {
            let org = tx.org_for(user, root, Access::Read).await?;
            let members = org.full_members + org.probationary_members;
            if members > cap {
                return Err(StoreError::TooLarge(format!(
                    "该组织及下级共有党员 {members} 名，超过一次统计 {cap} 名的上限，请选择下级组织查看党员参加情况"
                )));
            }
        }
        // A 党小组's or 临时党支部's members are placed there: their attendance at its own meetings.
        let (kind,): (String,) = tx.fetch_one(q("SELECT kind FROM organizations WHERE id = $1").bind(root)).await?;
        let placed =
            OrgKind::from_code(&kind).is_some_and(|k| matches!(k, OrgKind::PartyGroup | OrgKind::TemporaryBranch));
        let sql = if placed {
            "SELECT a.member_id, p.name, p.organization_id, m.held_on, a.status \
               FROM placements pl JOIN members p ON p.id = pl.member_id \
               JOIN meeting_attendees a ON a.member_id = p.id JOIN meetings m ON m.id = a.meeting_id \
               WHERE pl.organization_id = $1 AND m.organization_id = $1 AND m.status = 'held' \
               AND m.held_on >= $2 AND m.held_on <= $3"
        } else {
            "SELECT a.member_id, p.name, p.organization_id, m.held_on, a.status \
               FROM org_closure c JOIN members p ON p.organization_id = c.descendant \
               JOIN meeting_attendees a ON a.member_id = p.id JOIN meetings m ON m.id = a.meeting_id \
               WHERE c.ancestor = $1 AND m.status = 'held' AND m.held_on >= $2 AND m.held_on <= $3"
        };
        let mut query = q(sql).bind(root).bind(from).bind(to);
        if let Some(member) = only {
            query.push_bind(" AND p.id = ", member);
        }
        query.push(" ORDER BY a.member_id, m.held_on, m.id");
        tx.fetch_all(query).await
    }

    /// What judging an organization's 谈心谈话 between two dates takes, read together under one check
    /// of the caller's grant: see [`TalkRecord`].
    pub async fn talk_record(&self, user: Uuid, org: Uuid, from: NaiveDate, to: NaiveDate) -> Result<TalkRecord> {
        let mut tx = self.begin_read().await?;
        let organization = tx.org_for(user, org, Access::Read).await?;
        let members = tx.expected_of(org).await?;
        let rows: Vec<(Uuid, NaiveDate, Uuid)> = tx
            .fetch_all(
                q("SELECT m.id, m.held_on, a.member_id FROM meetings m JOIN meeting_attendees a ON a.meeting_id = m.id \
                   WHERE m.organization_id = $1 AND m.kind = 'heart_to_heart_talk' AND m.status = 'held' \
                   AND m.held_on >= $2 AND m.held_on <= $3 AND a.status = 'present' ORDER BY m.id, a.member_id")
                .bind(org)
                .bind(from)
                .bind(to),
            )
            .await?;
        let pairs = rows
            .chunk_by(|x, y| x.0 == y.0)
            .filter_map(|talk| match talk {
                [(_, day, a), (_, _, b)] => Some((*a, *b, *day)),
                _ => None,
            })
            .collect();
        Ok(TalkRecord { organization, members, pairs })
    }

    /// Problems raised at 组织生活会 in a subtree, open ones first: the items waiting to become
    /// rectification items. More than `cap` is refused, not cut short (`scope_too_large`).
    pub async fn life_issues(&self, user: Uuid, root: Uuid, cap: i64) -> Result<Vec<LifeIssueRow>> {
        let mut tx = self.begin_read().await?;
        tx.org_for(user, root, Access::Read).await?;
        tx.fetch_all(
            q("SELECT i.id, i.meeting_id, i.organization_id, o.name AS organization_name, m.held_on, i.member_id, \
               i.raised_by, i.problem, i.measure, i.due_on, i.status, i.rectification_id \
               FROM life_issues i JOIN org_closure c ON c.descendant = i.organization_id \
               JOIN organizations o ON o.id = i.organization_id JOIN meetings m ON m.id = i.meeting_id \
               WHERE c.ancestor = $1 ORDER BY i.status DESC, i.id LIMIT $2")
            .bind(root)
            .bind(cap + 1),
        )
        .await
        .and_then(|rows: Vec<LifeIssueRow>| {
            if rows.len() as i64 > cap {
                Err(StoreError::TooLarge(format!("该组织及下级的组织生活会问题超过 {cap} 条，请选择下级组织查看")))
            } else {
                Ok(rows)
            }
        })
    }

    /// Inserts many meetings without checking grants: for the demo, benchmarks and tests. Audited once.
    pub async fn seed_meetings(&self, actor: &Actor, inputs: &[MeetingInput], now: DateTime<Utc>) -> Result<usize> {
        let mut tx = self.begin().await?;
        for input in inputs {
            let id = new_id();
            tx.execute(bind_fields(q(INSERT_MEETING).bind(id).bind(input.organization_id), input)?.bind(now)).await?;
            tx.write_children(id, input.organization_id, input, now).await?;
        }
        tx.audit(
            actor,
            now,
            Event::new("meeting.seed", "meeting", None).after(serde_json::json!({ "meetings": inputs.len() })),
        )
        .await?;
        tx.mark_life_changed(inputs.iter().filter(|i| i.status == MeetingStatus::Held).map(|i| i.organization_id));
        tx.commit().await?;
        Ok(inputs.len())
    }
}
