//! Organizational life (组织生活): meeting records, planned and held, with attendance and the
//! problems raised at 组织生活会. Compliance against the rules is computed by the server from the
//! counts read in [`crate::lifelog`].

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{Access, covers, covers_each_row};
use crate::audit::Event;
use crate::{Actor, Db, Result, StoreError, Tx, new_id, q};

/// One item of the agenda (议程).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AgendaItem {
    pub title: String,
    /// 第一议题: studying the latest instructions first.
    #[serde(default)]
    pub first_topic: bool,
    /// The item was decided (决策事项).
    #[serde(default)]
    pub decision: bool,
}

/// A motion voted on, with the outcome computed by the rules when it was recorded.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct VoteRecord {
    pub motion: String,
    pub in_favour: u32,
    pub against: u32,
    pub abstain: u32,
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
    /// `present`, `leave` (请假) or `absent` (缺席).
    pub status: String,
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
#[derive(Debug, Clone, Default, Serialize)]
pub struct MeetingInput {
    pub organization_id: Uuid,
    pub kind: String,
    /// `planned` or `held`.
    pub status: String,
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
    pub quorum: Option<serde_json::Value>,
    pub votes: Vec<VoteRecord>,
    pub attachments: Vec<String>,
    pub attendees: Vec<AttendeeInput>,
    pub issues: Vec<IssueInput>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Attendee {
    pub member_id: Uuid,
    pub name: String,
    pub member_status: String,
    pub status: String,
    pub reason: String,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
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

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct MeetingRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub kind: String,
    pub status: String,
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
    pub agenda_json: String,
    pub first_topic: bool,
    pub minutes: String,
    pub decisions: String,
    pub quorum_json: Option<String>,
    pub votes_json: String,
    pub attachments_json: String,
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
    pub kind: Option<String>,
    pub status: Option<String>,
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
    pub kind: String,
    pub secretary_lecture: bool,
    pub held_on: NaiveDate,
    pub n: i64,
}

/// A problem raised at a 组织生活会, with where it was raised.
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
    pub status: String,
}

/// The most meetings one list may hold: a ledger or plan over more is refused, never cut short.
pub const MEETINGS_MAX_ROWS: i64 = 20_000;

const MEETING_SELECT: &str = "SELECT m.id, m.organization_id, o.name AS organization_name, m.kind, m.status, \
    m.planned_on, m.held_on, m.start_time, m.end_time, m.place, m.chair, m.recorder, m.lecturer, \
    m.secretary_lecture, m.topic, m.agenda_json, m.first_topic, m.minutes, m.decisions, m.quorum_json, \
    m.votes_json, m.attachments_json, m.present, m.expected, m.version, m.created_at, m.updated_at \
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
        let found: Option<(Uuid,)> = self
            .fetch_optional(
                q(&format!(
                    "SELECT m.organization_id FROM meetings m WHERE m.id = $2 AND {}",
                    covers(Access::Read, "$1", "m.organization_id")
                ))
                .bind(user)
                .bind(id),
            )
            .await?;
        let (org,) = found.ok_or(StoreError::NotFound)?;
        if access != Access::Read && !self.has_access(user, org, access).await? {
            return Err(StoreError::Forbidden("您的角色无权执行此操作".into()));
        }
        self.meeting_by_id(id).await
    }

    /// Members listed as attendees must belong to the organization or below it.
    async fn check_attendees(&mut self, org: Uuid, attendees: &[AttendeeInput]) -> Result<()> {
        for a in attendees {
            let inside: Option<(Uuid,)> = self
                .fetch_optional(
                    q("SELECT m.id FROM members m JOIN org_closure c ON c.descendant = m.organization_id \
                       WHERE m.id = $1 AND c.ancestor = $2")
                    .bind(a.member_id)
                    .bind(org),
                )
                .await?;
            if inside.is_none() {
                return Err(StoreError::conflict(
                    crate::Conflict::AttendeeOutside,
                    "参会人员须是本组织（含下级党小组）的党员",
                ));
            }
        }
        Ok(())
    }

    /// A problem raised at a 组织生活会 names, if anyone, a member of the organization or below it.
    async fn check_issue_members(&mut self, org: Uuid, issues: &[IssueInput]) -> Result<()> {
        for issue in issues {
            let Some(member) = issue.member_id else { continue };
            let inside: Option<(Uuid,)> = self
                .fetch_optional(
                    q("SELECT m.id FROM members m JOIN org_closure c ON c.descendant = m.organization_id \
                       WHERE m.id = $1 AND c.ancestor = $2")
                    .bind(member)
                    .bind(org),
                )
                .await?;
            if inside.is_none() {
                return Err(StoreError::conflict(
                    crate::Conflict::IssueMemberOutside,
                    "查摆问题涉及的党员须是本组织（含下级党小组）的党员",
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
                    .bind(a.status.as_str())
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
               quorum_json, votes_json, attachments_json, present, expected, version, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, $16, $17, $18, $19, $20, $21, \
               $22, $23, 1, $24, $24)";

/// Binds the fields of a meeting, in the column order both the INSERT and the UPDATE use.
fn bind_fields(query: crate::Q, input: &MeetingInput) -> Result<crate::Q> {
    let (present, expected) = present_count(input);
    Ok(query
        .bind(input.kind.as_str())
        .bind(input.status.as_str())
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
        .bind(input.quorum.as_ref().map(|v| v.to_string()))
        .bind(serde_json::to_string(&input.votes)?)
        .bind(serde_json::to_string(&input.attachments)?)
        .bind(present)
        .bind(expected))
}

fn present_count(input: &MeetingInput) -> (i64, i64) {
    let present = input.attendees.iter().filter(|a| a.status == "present").count() as i64;
    (present, input.attendees.len() as i64)
}

fn audit_value(m: &Meeting) -> serde_json::Value {
    serde_json::json!({
        "organization_id": m.row.organization_id, "kind": m.row.kind, "status": m.row.status,
        "planned_on": m.row.planned_on, "held_on": m.row.held_on, "place": m.row.place, "chair": m.row.chair,
        "recorder": m.row.recorder, "lecturer": m.row.lecturer, "topic": m.row.topic,
        "agenda": serde_json::from_str::<serde_json::Value>(&m.row.agenda_json).unwrap_or_default(),
        "minutes": m.row.minutes, "decisions": m.row.decisions,
        "votes": serde_json::from_str::<serde_json::Value>(&m.row.votes_json).unwrap_or_default(),
        "present": m.row.present, "expected": m.row.expected,
        "attendees": m.attendees.iter().map(|a| serde_json::json!({"member_id": a.member_id, "status": a.status})).collect::<Vec<_>>(),
        "issues": m.issues.len(),
    })
}

/// A member a meeting of an organization expects: of the organization or below it.
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ExpectedMember {
    pub member_id: Uuid,
    pub name: String,
    /// `full` or `probationary`.
    pub status: String,
}

impl Tx {
    /// Members of an organization and everything below it, with their status: whom a meeting expects.
    /// Inside a write, call [`Tx::lock_orgs`] on the organization first so the list stays true until commit.
    pub async fn expected_attendees(&mut self, user: Uuid, org: Uuid) -> Result<Vec<ExpectedMember>> {
        self.check_visible(user, org, Access::Read).await?;
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
            Event {
                action: "meeting.create",
                entity_type: "meeting",
                entity_id: Some(id),
                organization_id: Some(input.organization_id),
                before: None,
                after: Some(audit_value(&meeting)),
            },
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
               attachments_json = $20, present = $21, expected = $22, version = version + 1, updated_at = $23 \
               WHERE id = $1 AND version = $24")
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
            Event {
                action: "meeting.update",
                entity_type: "meeting",
                entity_id: Some(id),
                organization_id: Some(input.organization_id),
                before: Some(audit_value(&before)),
                after: Some(audit_value(&after)),
            },
        )
        .await?;
        Ok(after)
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
        let mut tx = self.begin_read().await?;
        tx.meeting_for(user, id, access).await.map(drop)
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
            query.push_bind(" AND m.kind = ", kind.as_str());
        }
        if let Some(status) = &f.status {
            query.push_bind(" AND m.status = ", status.as_str());
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

    /// Attendance of the members of a subtree at held meetings between two dates, oldest first; with
    /// `only`, of that one member.
    pub async fn attendance(
        &self,
        root: Uuid,
        from: NaiveDate,
        to: NaiveDate,
        only: Option<Uuid>,
    ) -> Result<Vec<AttendanceRow>> {
        let mut query = q("SELECT a.member_id, p.name, p.organization_id, m.held_on, a.status \
               FROM org_closure c JOIN members p ON p.organization_id = c.descendant \
               JOIN meeting_attendees a ON a.member_id = p.id JOIN meetings m ON m.id = a.meeting_id \
               WHERE c.ancestor = $1 AND m.status = 'held' AND m.held_on >= $2 AND m.held_on <= $3")
        .bind(root)
        .bind(from)
        .bind(to);
        if let Some(member) = only {
            query.push_bind(" AND p.id = ", member);
        }
        query.push(" ORDER BY a.member_id, m.held_on, m.id");
        self.fetch_all(query).await
    }

    /// Creates several planned meetings of one organization in one transaction (a yearly or monthly
    /// plan), each with its audit record.
    pub async fn plan_meetings(
        &self,
        actor: &Actor,
        org: Uuid,
        inputs: &[MeetingInput],
        now: DateTime<Utc>,
    ) -> Result<Vec<Uuid>> {
        let mut tx = self.begin().await?;
        tx.org_for(actor.user_id, org, Access::WriteMembers).await?;
        let mut ids = Vec::with_capacity(inputs.len());
        for input in inputs {
            if input.organization_id != org || input.status != "planned" {
                return Err(StoreError::conflict(crate::Conflict::Other, "计划只能包含本组织的计划会议"));
            }
            let id = new_id();
            tx.execute(
                q("INSERT INTO meetings (id, organization_id, kind, status, planned_on, topic, version, created_at, updated_at) \
                   VALUES ($1, $2, $3, 'planned', $4, $5, 1, $6, $6)")
                .bind(id)
                .bind(org)
                .bind(input.kind.as_str())
                .bind(input.planned_on)
                .bind(input.topic.as_str())
                .bind(now),
            )
            .await?;
            tx.audit(
                actor,
                now,
                Event {
                    action: "meeting.plan",
                    entity_type: "meeting",
                    entity_id: Some(id),
                    organization_id: Some(org),
                    before: None,
                    after: Some(
                        serde_json::json!({"kind": input.kind, "planned_on": input.planned_on, "topic": input.topic}),
                    ),
                },
            )
            .await?;
            ids.push(id);
        }
        tx.commit().await?;
        Ok(ids)
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
            Event {
                action: "meeting.seed",
                entity_type: "meeting",
                entity_id: None,
                organization_id: None,
                before: None,
                after: Some(serde_json::json!({ "meetings": inputs.len() })),
            },
        )
        .await?;
        tx.mark_life_changed(inputs.iter().filter(|i| i.status == "held").map(|i| i.organization_id));
        tx.commit().await?;
        Ok(inputs.len())
    }
}
