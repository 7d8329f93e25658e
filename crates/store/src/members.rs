//! Members (党员): the roster with the fields of the official member information form.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::access::{Access, covers, is_self};
use crate::audit::Event;
use crate::{Actor, Db, Result, StoreError, Tx, new_id, q};

/// The fields of a member record that people enter.
#[derive(Debug, Clone, Serialize)]
pub struct MemberInput {
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub education: String,
    pub occupation: String,
    pub work_unit: String,
    pub post: String,
    pub phone: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    pub status: String,
    pub organization_id: Uuid,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    pub gender: String,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub education: String,
    pub occupation: String,
    pub work_unit: String,
    pub post: String,
    pub phone: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    pub status: String,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Member {
    /// What the audit log keeps of a member. Personal identifiers are part of the record of a change
    /// (the audit log itself is readable only by the audit admin).
    fn audit_value(&self) -> serde_json::Value {
        serde_json::json!({
            "name": self.name, "gender": self.gender, "ethnicity": self.ethnicity,
            "birth_date": self.birth_date, "id_number": self.id_number, "education": self.education,
            "occupation": self.occupation, "work_unit": self.work_unit, "post": self.post,
            "phone": self.phone, "joined_on": self.joined_on, "converted_on": self.converted_on,
            "status": self.status, "organization_id": self.organization_id,
            "organization_name": self.organization_name,
        })
    }
}

/// Filters of the member list.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub organization_id: Option<Uuid>,
    /// With `organization_id`: include the organizations below it.
    pub subtree: bool,
    /// Part of the name, or a whole ID number or phone number.
    pub text: Option<String>,
    pub status: Option<String>,
    /// Keyset: rows after this id.
    pub after: Option<Uuid>,
    pub limit: i64,
}

const MEMBER_SELECT: &str = "SELECT m.id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_number, \
    m.education, m.occupation, m.work_unit, m.post, m.phone, m.joined_on, m.converted_on, m.status, \
    m.organization_id, o.name AS organization_name, m.version, m.created_at, m.updated_at \
    FROM members m JOIN organizations o ON o.id = m.organization_id";

/// SQL condition: user `$1` may read the member `member` of organization `org` (`m.id` and
/// `m.organization_id` in lists).
fn readable(member: &str, org: &str) -> String {
    format!("({} OR {})", covers(Access::Read, "$1", org), is_self("$1", member))
}

impl Tx {
    async fn member_by_id(&mut self, id: Uuid) -> Result<Member> {
        self.fetch_one(q(&format!("{MEMBER_SELECT} WHERE m.id = $1")).bind(id)).await
    }

    /// Loads a member the user can read (NotFound otherwise), then requires `access` over its organization.
    async fn member_for(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<Member> {
        // The member's organization as a scalar subquery, not the correlated column: under the OR,
        // PostgreSQL would hash every organization under the user's grants for this one member (21 ms
        // for a group's administrator over 40,000 organizations, against 0.2 ms).
        let visible = readable("$2", "(SELECT mo.organization_id FROM members mo WHERE mo.id = $2)");
        let found: Option<Member> = self
            .fetch_optional(q(&format!("{MEMBER_SELECT} WHERE m.id = $2 AND {visible}")).bind(user).bind(id))
            .await?;
        let member = found.ok_or(StoreError::NotFound)?;
        if access != Access::Read && !self.has_access(user, member.organization_id, access).await? {
            return Err(StoreError::Forbidden("您的角色无权执行此操作".into()));
        }
        Ok(member)
    }

    /// The organization a member is to belong to: must exist (else a field error), be writable by the
    /// user, be active and be of a kind that holds members.
    async fn target_org(&mut self, user: Option<Uuid>, org: Uuid) -> Result<()> {
        let row: Option<(String, String)> =
            self.fetch_optional(q("SELECT kind, status FROM organizations WHERE id = $1").bind(org)).await?;
        let Some((kind, status)) = row else {
            return Err(StoreError::conflict("unknown_organization", "所属组织不存在"));
        };
        if let Some(user) = user
            && !self.has_access(user, org, Access::WriteMembers).await?
        {
            return Err(StoreError::Forbidden("您无权在该组织下管理党员".into()));
        }
        if status != "active" {
            return Err(StoreError::rule("org.parent_active", "所属组织已撤销"));
        }
        let holds = dangwu_rules::org::OrgKind::from_code(&kind).is_some_and(|k| k.holds_members());
        if !holds {
            return Err(StoreError::rule(
                "member.organization_kind",
                "党员的组织关系应隶属于党支部（党小组不单独接收组织关系）",
            ));
        }
        Ok(())
    }

    async fn ensure_unique_id_number(&mut self, id_number: &str, except: Option<Uuid>) -> Result<()> {
        let other: Option<(Uuid,)> =
            self.fetch_optional(q("SELECT id FROM members WHERE id_number = $1").bind(id_number)).await?;
        match other {
            Some((other,)) if Some(other) != except => {
                Err(StoreError::conflict("duplicate_id_number", "该公民身份号码已登记为党员"))
            }
            _ => Ok(()),
        }
    }

    async fn insert_member(
        &mut self,
        actor: &Actor,
        check: bool,
        input: &MemberInput,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        self.target_org(check.then_some(actor.user_id), input.organization_id).await?;
        self.ensure_unique_id_number(&input.id_number, None).await?;
        let id = new_id();
        self.execute(
            q("INSERT INTO members (id, name, gender, ethnicity, birth_date, id_number, education, occupation, \
               work_unit, post, phone, joined_on, converted_on, status, organization_id, version, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16)")
            .bind(id)
            .bind(input.name.as_str())
            .bind(input.gender.as_str())
            .bind(input.ethnicity.as_str())
            .bind(input.birth_date)
            .bind(input.id_number.as_str())
            .bind(input.education.as_str())
            .bind(input.occupation.as_str())
            .bind(input.work_unit.as_str())
            .bind(input.post.as_str())
            .bind(input.phone.as_str())
            .bind(input.joined_on)
            .bind(input.converted_on)
            .bind(input.status.as_str())
            .bind(input.organization_id)
            .bind(now),
        )
        .await
        .map_err(unique_to_conflict)?;
        let member = self.member_by_id(id).await?;
        self.audit(
            actor,
            now,
            Event {
                action: "member.create",
                entity_type: "member",
                entity_id: Some(id),
                organization_id: Some(member.organization_id),
                before: None,
                after: Some(member.audit_value()),
            },
        )
        .await?;
        Ok(member)
    }
}

fn stale_member() -> StoreError {
    StoreError::conflict("stale_version", "该党员信息已被他人修改，请刷新后重试")
}

/// A race between two inserts of one ID number ends in the unique index; report it like the check.
fn unique_to_conflict(e: StoreError) -> StoreError {
    if e.is_unique_violation() {
        StoreError::conflict("duplicate_id_number", "该公民身份号码已登记为党员")
    } else {
        e
    }
}

impl Db {
    /// One page of the members the user may see, and how many match in all.
    pub async fn list_members(&self, user: Uuid, f: &MemberFilter) -> Result<(Vec<Member>, i64)> {
        let mut cond = q(&format!(" WHERE {}", readable("m.id", "m.organization_id"))).bind(user);
        if let Some(org) = f.organization_id {
            if f.subtree {
                cond.push_bind(" AND m.organization_id IN (SELECT descendant FROM org_closure WHERE ancestor = ", org);
                cond.push(")");
            } else {
                cond.push_bind(" AND m.organization_id = ", org);
            }
        }
        if let Some(status) = &f.status {
            cond.push_bind(" AND m.status = ", status.as_str());
        }
        if let Some(text) = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
            let like = format!("%{}%", text.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            cond.push_bind(" AND (m.name LIKE ", like);
            cond.push(" ESCAPE '\\'");
            cond.push_bind(" OR m.id_number = ", text.to_ascii_uppercase());
            cond.push_bind(" OR m.phone = ", text);
            cond.push(")");
        }
        let mut count = cond.clone();
        count.prepend("SELECT COUNT(*) FROM members m");
        let (total,): (i64,) = self.fetch_one(count).await?;
        let mut page = cond;
        page.prepend(MEMBER_SELECT);
        if let Some(after) = f.after {
            page.push_bind(" AND m.id > ", after);
        }
        page.push(&format!(" ORDER BY m.id LIMIT {}", f.limit.clamp(1, 10_000)));
        Ok((self.fetch_all(page).await?, total))
    }

    /// Whether the user may put members in the organization, asked before the member's fields are
    /// checked: `unknown_organization` if there is none, Forbidden unless the user may write there.
    pub async fn require_member_org(&self, user: Uuid, org: Uuid) -> Result<()> {
        let mut tx = self.begin_read().await?;
        let found: Option<(Uuid,)> =
            tx.fetch_optional(q("SELECT id FROM organizations WHERE id = $1").bind(org)).await?;
        if found.is_none() {
            return Err(StoreError::conflict("unknown_organization", "所属组织不存在"));
        }
        if !tx.has_access(user, org, Access::WriteMembers).await? {
            return Err(StoreError::Forbidden("您无权在该组织下管理党员".into()));
        }
        Ok(())
    }

    /// As [`Db::require_access`], for the organization of a member.
    pub async fn require_member_access(&self, user: Uuid, id: Uuid, access: Access) -> Result<()> {
        let mut tx = self.begin_read().await?;
        tx.member_for(user, id, access).await.map(drop)
    }

    pub async fn get_member(&self, user: Uuid, id: Uuid) -> Result<Member> {
        let mut tx = self.begin_read().await?;
        tx.member_for(user, id, Access::Read).await
    }

    /// Reads a member for display of full personal data: needs a role that may unmask, and leaves an
    /// audit record of the read in the same transaction.
    pub async fn read_member_unmasked(&self, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<Member> {
        let mut tx = self.begin().await?;
        let member = tx.member_for(actor.user_id, id, Access::Unmask).await?;
        tx.audit(
            actor,
            now,
            Event {
                action: "member.read_unmasked",
                entity_type: "member",
                entity_id: Some(id),
                organization_id: Some(member.organization_id),
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Whether the user may see full personal data of members of this organization.
    pub async fn may_unmask(&self, user: Uuid, org: Uuid) -> Result<bool> {
        let mut tx = self.begin_read().await?;
        tx.has_access(user, org, Access::Unmask).await
    }

    /// Records in the audit log that the user exported personal data unmasked.
    pub async fn record_export(&self, actor: &Actor, org: Option<Uuid>, rows: usize, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.audit(
            actor,
            now,
            Event {
                action: "member.export_unmasked",
                entity_type: "member",
                entity_id: None,
                organization_id: org,
                before: None,
                after: Some(serde_json::json!({ "rows": rows })),
            },
        )
        .await?;
        tx.commit().await
    }

    pub async fn create_member(&self, actor: &Actor, input: &MemberInput, now: DateTime<Utc>) -> Result<Member> {
        let mut tx = self.begin().await?;
        let member = tx.insert_member(actor, true, input, now).await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Inserts many members in one transaction without checking grants: for the demo and tests.
    pub async fn seed_members(&self, actor: &Actor, inputs: &[MemberInput], now: DateTime<Utc>) -> Result<Vec<Member>> {
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            out.push(tx.insert_member(actor, false, input, now).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_member(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &MemberInput,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let mut tx = self.begin().await?;
        let before = tx.member_for(actor.user_id, id, Access::WriteMembers).await?;
        // A form older than what was read fails fast, before the rules; the conditional UPDATE below
        // is what decides between concurrent editors.
        if before.version != version {
            return Err(stale_member());
        }
        if input.organization_id != before.organization_id {
            tx.target_org(Some(actor.user_id), input.organization_id).await?;
        }
        tx.ensure_unique_id_number(&input.id_number, Some(id)).await?;
        let written = tx
            .execute(
                q("UPDATE members SET name = $2, gender = $3, ethnicity = $4, birth_date = $5, id_number = $6, \
               education = $7, occupation = $8, work_unit = $9, post = $10, phone = $11, joined_on = $12, \
               converted_on = $13, status = $14, organization_id = $15, version = version + 1, updated_at = $16 \
               WHERE id = $1 AND version = $17")
                .bind(id)
                .bind(input.name.as_str())
                .bind(input.gender.as_str())
                .bind(input.ethnicity.as_str())
                .bind(input.birth_date)
                .bind(input.id_number.as_str())
                .bind(input.education.as_str())
                .bind(input.occupation.as_str())
                .bind(input.work_unit.as_str())
                .bind(input.post.as_str())
                .bind(input.phone.as_str())
                .bind(input.joined_on)
                .bind(input.converted_on)
                .bind(input.status.as_str())
                .bind(input.organization_id)
                .bind(now)
                .bind(version),
            )
            .await
            .map_err(unique_to_conflict)?;
        // Zero rows: another editor committed this version first (PostgreSQL re-checks the condition
        // on the row it waited for), so this edit would overwrite theirs unseen.
        if written == 0 {
            return Err(stale_member());
        }
        let after = tx.member_by_id(id).await?;
        tx.audit(
            actor,
            now,
            Event {
                action: "member.update",
                entity_type: "member",
                entity_id: Some(id),
                organization_id: Some(after.organization_id),
                before: Some(before.audit_value()),
                after: Some(after.audit_value()),
            },
        )
        .await?;
        tx.commit().await?;
        Ok(after)
    }
}
