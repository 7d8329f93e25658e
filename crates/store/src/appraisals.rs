//! 民主评议党员 (democratic appraisal of members) as a workflow: entries collect the self-appraisal,
//! the peer appraisal and the democratic rating; the committee proposes grades; the meeting decides.
//! The grade rules (优秀 cap, probationary members not graded) are checked by the server with the
//! rules crate before grades reach this module.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::access::{Access, covers};
use crate::audit::Event;
use crate::{Actor, Conflict, Db, Result, StoreError, Tx, new_id, q};
use dangwu_rules::StructuralRule;
use dangwu_rules::member::Status;

dangwu_rules::code_list! {
    /// 评定等次.
    pub enum Grade: "评定等次" {
        Excellent = "excellent", "优秀";
        Qualified = "qualified", "合格";
        BasicallyQualified = "basically_qualified", "基本合格";
        Unqualified = "unqualified", "不合格";
    }
}
text_column!(Grade);

dangwu_rules::code_list! {
    /// Where an appraisal stands: collecting appraisals, grades proposed by the committee, grades
    /// decided by the meeting (final).
    #[cfg_attr(feature = "schema", schema(as = AppraisalStage))]
    pub enum Stage: "评议环节" {
        Open = "open", "评议中";
        Proposed = "proposed", "已提出等次";
        Decided = "decided", "已决定等次";
    }
}
text_column!(Stage);

#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AppraisalRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub year: i64,
    pub status: Stage,
    pub meeting_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AppraisalEntry {
    pub member_id: Uuid,
    pub name: String,
    #[sqlx(try_from = "crate::Stored<Status>")]
    pub member_status: Status,
    pub self_text: String,
    pub peer_summary: String,
    pub votes_excellent: i64,
    pub votes_qualified: i64,
    pub votes_basic: i64,
    pub votes_unqualified: i64,
    pub proposed_grade: Option<Grade>,
    pub final_grade: Option<Grade>,
    pub version: i64,
}

#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Serialize)]
pub struct Appraisal {
    #[serde(flatten)]
    pub row: AppraisalRow,
    pub entries: Vec<AppraisalEntry>,
}

/// Grades to store: `proposed` by the committee or `decided` by the meeting (with the meeting), for
/// the appraisal at `version`.
#[derive(Debug, Clone, Copy)]
pub struct GradeSet<'a> {
    pub stage: Stage,
    pub grades: &'a [(Uuid, Option<Grade>)],
    pub meeting: Option<Uuid>,
    pub version: i64,
}

/// What the branch records for one member while the appraisal is open.
#[derive(Debug, Clone, Serialize)]
pub struct EntryInput {
    pub self_text: String,
    pub peer_summary: String,
    pub votes_excellent: i64,
    pub votes_qualified: i64,
    pub votes_basic: i64,
    pub votes_unqualified: i64,
    /// The entry's version the editor saw.
    pub version: i64,
}

const ROW_SELECT: &str = "SELECT a.id, a.organization_id, o.name AS organization_name, a.year, a.status, a.meeting_id, \
    a.version, a.created_at, a.updated_at FROM appraisals a JOIN organizations o ON o.id = a.organization_id";

impl Tx {
    /// An appraisal the user may read (NotFound otherwise), with `access` over its organization required.
    pub async fn appraisal(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<Appraisal> {
        self.appraisal_for(user, id, access).await
    }

    /// Stores grades: `proposed` by the committee (from `open` or `proposed`) or `decided` by the meeting
    /// (from `proposed`, with the meeting that decided). `grades` lists every member's grade or none.
    /// The rules on the grades are checked by the caller in this same transaction.
    pub async fn set_appraisal_grades(
        &mut self,
        actor: &Actor,
        id: Uuid,
        set: &GradeSet<'_>,
        now: DateTime<Utc>,
    ) -> Result<Appraisal> {
        let GradeSet { stage, grades, meeting, version } = *set;
        let tx = self;
        let before = tx.appraisal_for(actor.user_id, id, Access::WriteMembers).await?;
        // A form older than what was read fails fast; the conditional UPDATE below decides between
        // concurrent editors.
        if before.row.version != version {
            return Err(stale_appraisal());
        }
        let allowed = match stage {
            Stage::Proposed => matches!(before.row.status, Stage::Open | Stage::Proposed),
            Stage::Decided => before.row.status == Stage::Proposed,
            Stage::Open => false,
        };
        if !allowed {
            return Err(StoreError::conflict(
                Conflict::AppraisalStage,
                "评议环节不对：须先提出等次，再由党员大会决定；决定后不能修改",
            ));
        }
        if let Some(meeting) = meeting {
            let held: Option<(Uuid,)> = tx
                .fetch_optional(
                    q("SELECT id FROM meetings WHERE id = $1 AND organization_id = $2 AND status = 'held' \
                       AND kind IN ('general_meeting', 'democratic_appraisal')")
                    .bind(meeting)
                    .bind(before.row.organization_id),
                )
                .await?;
            if held.is_none() {
                return Err(StoreError::conflict(
                    Conflict::UnknownMeeting,
                    "须选择本支部已召开的党员大会或民主评议会议",
                ));
            }
        }
        let written = tx
            .execute(
                q("UPDATE appraisals SET status = $2, meeting_id = COALESCE($3, meeting_id), version = version + 1, \
                   updated_at = $4 WHERE id = $1 AND version = $5")
                .bind(id)
                .bind(stage.code())
                .bind(meeting)
                .bind(now)
                .bind(version),
            )
            .await?;
        if written == 0 {
            return Err(stale_appraisal());
        }
        let column = if stage == Stage::Decided { "final_grade" } else { "proposed_grade" };
        for (member, grade) in grades {
            let n = tx
                .execute(
                    q(&format!(
                        "UPDATE appraisal_entries SET {column} = $3 WHERE appraisal_id = $1 AND member_id = $2"
                    ))
                    .bind(id)
                    .bind(*member)
                    .bind(grade.map(Grade::code)),
                )
                .await?;
            if n == 0 {
                return Err(StoreError::conflict(Conflict::UnknownMember, "评定的党员不在本次评议名单中"));
            }
        }
        let after = tx.appraisal_by_id(id).await?;
        tx.audit(
            actor,
            now,
            appraisal_event(if stage == Stage::Decided { "appraisal.decide" } else { "appraisal.propose" }, &after)
                .before(audit_value(&before))
                .after(audit_value(&after)),
        )
        .await?;
        Ok(after)
    }

    async fn appraisal_by_id(&mut self, id: Uuid) -> Result<Appraisal> {
        let row: AppraisalRow = self.fetch_one(q(&format!("{ROW_SELECT} WHERE a.id = $1")).bind(id)).await?;
        let entries = self
            .fetch_all(
                q("SELECT e.member_id, m.name, e.member_status, e.self_text, e.peer_summary, e.votes_excellent, \
                   e.votes_qualified, e.votes_basic, e.votes_unqualified, e.proposed_grade, e.final_grade, e.version \
                   FROM appraisal_entries e JOIN members m ON m.id = e.member_id WHERE e.appraisal_id = $1 ORDER BY m.id")
                .bind(id),
            )
            .await?;
        Ok(Appraisal { row, entries })
    }

    async fn appraisal_for(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<Appraisal> {
        self.check_work(user, "appraisals", id, access).await?;
        self.appraisal_by_id(id).await
    }
}

fn stale_appraisal() -> StoreError {
    StoreError::conflict(Conflict::StaleVersion, "该评议已被他人修改，请刷新后重试")
}

/// An event on the appraisal `a`, in its organization.
fn appraisal_event<'a>(action: &'a str, a: &Appraisal) -> Event<'a> {
    Event::new(action, "appraisal", a.row.id).in_org(a.row.organization_id)
}

fn audit_value(a: &Appraisal) -> serde_json::Value {
    serde_json::json!({
        "organization_id": a.row.organization_id, "year": a.row.year, "status": a.row.status, "meeting_id": a.row.meeting_id,
        "grades": a.entries.iter().map(|e| serde_json::json!({"member_id": e.member_id, "proposed": e.proposed_grade, "final": e.final_grade})).collect::<Vec<_>>(),
    })
}

impl Db {
    /// Opens the appraisal of an organization for a year, with an entry for each of its members.
    pub async fn create_appraisal(&self, actor: &Actor, org: Uuid, year: i32, now: DateTime<Utc>) -> Result<Appraisal> {
        let mut tx = self.begin().await?;
        let organization = tx.org_for(actor.user_id, org, Access::WriteMembers).await?;
        if !organization.kind.is_branch() {
            return Err(StoreError::rule(StructuralRule::AppraisalBranch, "民主评议党员以党支部为单位进行"));
        }
        let existing: Option<(Uuid,)> = tx
            .fetch_optional(
                q("SELECT id FROM appraisals WHERE organization_id = $1 AND year = $2").bind(org).bind(i64::from(year)),
            )
            .await?;
        if existing.is_some() {
            return Err(StoreError::conflict(Conflict::DuplicateAppraisal, format!("{year}年度的民主评议已经开始")));
        }
        let id = new_id();
        tx.execute(
            q("INSERT INTO appraisals (id, organization_id, year, status, version, created_at, updated_at) \
               VALUES ($1, $2, $3, 'open', 1, $4, $4)")
            .bind(id)
            .bind(org)
            .bind(i64::from(year))
            .bind(now),
        )
        .await?;
        tx.execute(
            q("INSERT INTO appraisal_entries (appraisal_id, member_id, member_status) \
               SELECT $1, m.id, m.status FROM members m JOIN org_closure c ON c.descendant = m.organization_id \
               WHERE c.ancestor = $2")
            .bind(id)
            .bind(org),
        )
        .await?;
        let appraisal = tx.appraisal_by_id(id).await?;
        tx.audit(actor, now, appraisal_event("appraisal.create", &appraisal).after(audit_value(&appraisal))).await?;
        tx.commit().await?;
        Ok(appraisal)
    }

    /// As [`Db::require_access`], for the organization of an appraisal.
    pub async fn require_appraisal_access(&self, user: Uuid, id: Uuid, access: Access) -> Result<()> {
        self.require_work_access(user, "appraisals", id, access).await
    }

    pub async fn get_appraisal(&self, user: Uuid, id: Uuid) -> Result<Appraisal> {
        let mut tx = self.begin_read().await?;
        tx.appraisal_for(user, id, Access::Read).await
    }

    /// The appraisals in the caller's reach (under `org` if given), newest year first. More than
    /// `cap` is refused (`TooLarge`), not cut short.
    pub async fn list_appraisals(&self, user: Uuid, org: Option<Uuid>, cap: i64) -> Result<Vec<AppraisalRow>> {
        let mut query =
            q(&format!("{ROW_SELECT} WHERE {}", covers(Access::Read, "$1", "a.organization_id"))).bind(user);
        if let Some(org) = org {
            query.push_bind(" AND a.organization_id IN (SELECT descendant FROM org_closure WHERE ancestor = ", org);
            query.push(")");
        }
        query.push(&format!(" ORDER BY a.year DESC, a.id LIMIT {}", cap.max(0) + 1));
        let rows: Vec<AppraisalRow> = self.fetch_all(query).await?;
        if rows.len() as i64 > cap {
            return Err(StoreError::TooLarge(format!("民主评议记录超过 {cap} 条，请选择下级组织查看")));
        }
        Ok(rows)
    }

    /// Records the self-appraisal, peer appraisal and democratic rating of one member (while open).
    pub async fn update_appraisal_entry(
        &self,
        actor: &Actor,
        id: Uuid,
        member: Uuid,
        input: &EntryInput,
        now: DateTime<Utc>,
    ) -> Result<Appraisal> {
        let mut tx = self.begin().await?;
        let before = tx.appraisal_for(actor.user_id, id, Access::WriteMembers).await?;
        if before.row.status != Stage::Open {
            return Err(StoreError::conflict(Conflict::AppraisalClosed, "等次已提出，不能再修改评议记录"));
        }
        let n = tx
            .execute(
                q("UPDATE appraisal_entries SET self_text = $3, peer_summary = $4, votes_excellent = $5, votes_qualified = $6, \
                   votes_basic = $7, votes_unqualified = $8, version = version + 1 \
                   WHERE appraisal_id = $1 AND member_id = $2 AND version = $9")
                .bind(id)
                .bind(member)
                .bind(input.self_text.as_str())
                .bind(input.peer_summary.as_str())
                .bind(input.votes_excellent)
                .bind(input.votes_qualified)
                .bind(input.votes_basic)
                .bind(input.votes_unqualified)
                .bind(input.version),
            )
            .await?;
        if n == 0 {
            return Err(if before.entries.iter().any(|e| e.member_id == member) {
                StoreError::conflict(Conflict::StaleVersion, "该党员的评议记录已被他人修改，请刷新后重试")
            } else {
                StoreError::NotFound
            });
        }
        // Only while still open: a proposal committed meanwhile closes the entries.
        let open = tx
            .execute(
                q("UPDATE appraisals SET version = version + 1, updated_at = $2 WHERE id = $1 AND status = 'open'")
                    .bind(id)
                    .bind(now),
            )
            .await?;
        if open == 0 {
            return Err(StoreError::conflict(Conflict::AppraisalClosed, "等次已提出，不能再修改评议记录"));
        }
        let after = tx.appraisal_by_id(id).await?;
        tx.audit(
            actor,
            now,
            appraisal_event("appraisal.entry", &after).after(serde_json::json!({"member_id": member, "entry": input})),
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Decided grades in a subtree for a year: (grade, count), for statistics and assessment.
    pub async fn appraisal_stats(&self, user: Uuid, root: Uuid, year: i32) -> Result<Vec<(Grade, i64)>> {
        let mut tx = self.begin_read().await?;
        tx.org_for(user, root, Access::Read).await?;
        tx.fetch_all(
            q("SELECT e.final_grade, COUNT(*) FROM appraisal_entries e JOIN appraisals a ON a.id = e.appraisal_id \
               JOIN org_closure c ON c.descendant = a.organization_id \
               WHERE c.ancestor = $1 AND a.year = $2 AND a.status = 'decided' AND e.final_grade IS NOT NULL \
               GROUP BY e.final_grade ORDER BY e.final_grade")
            .bind(root)
            .bind(i64::from(year)),
        )
        .await
    }
}
