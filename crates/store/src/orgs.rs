//! Organizations (组织) and their tree, kept as a closure table so that "this organization and
//! everything below it" is one join.

use chrono::{DateTime, NaiveDate, Utc};
use dangwu_rules::org::{OrgKind, OrgStatus, allowed_under};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{Access, ReadScope, covers, is_own_org};
use crate::audit::Event;
use crate::{Actor, Conflict, Db, Result, StoreError, Tx, new_id, q};
use dangwu_rules::StructuralRule;

/// A seat on the organization's committee (班子成员).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CommitteeSeat {
    pub member_id: Option<Uuid>,
    pub name: String,
    /// `secretary`, `deputy_secretary`, `organization`, `publicity`, `discipline`, `youth`, `member`.
    pub post: String,
}

/// The editable fields of an organization.
#[derive(Debug, Clone, Serialize)]
pub struct OrgInput {
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub units: Vec<String>,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub committee: Vec<CommitteeSeat>,
}

#[derive(Debug, Clone, Serialize)]
pub struct Organization {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub parent_name: Option<String>,
    pub parent_kind: Option<OrgKind>,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub units: Vec<String>,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub status: OrgStatus,
    pub dissolved_on: Option<NaiveDate>,
    pub dissolve_reason: Option<String>,
    pub committee: Vec<CommitteeSeat>,
    pub version: i64,
    /// Full and probationary members in the whole subtree by formal relationship, plus those placed
    /// in the organization itself (a 党小组's or 临时党支部's members, see [`crate::placements`]).
    pub full_members: i64,
    pub probationary_members: i64,
    /// Active direct sub-organizations.
    pub children: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Organization {
    pub fn secretary_name(&self) -> Option<&str> {
        self.committee.iter().find(|s| s.post == "secretary").map(|s| s.name.as_str())
    }

    /// The fields an audit record keeps of an organization.
    fn audit_value(&self) -> serde_json::Value {
        serde_json::json!({
            "parent_id": self.parent_id, "name": self.name, "short_name": self.short_name,
            "kind": self.kind, "units": self.units, "established_on": self.established_on,
            "term_start": self.term_start, "term_end": self.term_end, "status": self.status,
            "dissolved_on": self.dissolved_on, "dissolve_reason": self.dissolve_reason,
            "committee": self.committee,
        })
    }
}

// A node of the organization tree as the tree view needs it; the API answers with it as it is
// (`OrgNodeView`).
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = OrgNodeView))]
pub struct OrgNode {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub short_name: String,
    #[sqlx(try_from = "crate::Stored<OrgKind>")]
    pub kind: OrgKind,
    #[sqlx(try_from = "crate::Stored<OrgStatus>")]
    pub status: OrgStatus,
    pub depth: i64,
}

#[derive(sqlx::FromRow)]
struct OrgRow {
    id: Uuid,
    parent_id: Option<Uuid>,
    parent_name: Option<String>,
    parent_kind: Option<String>,
    name: String,
    short_name: String,
    #[sqlx(try_from = "crate::Stored<OrgKind>")]
    kind: OrgKind,
    units_json: String,
    established_on: Option<NaiveDate>,
    term_start: Option<NaiveDate>,
    term_end: Option<NaiveDate>,
    #[sqlx(try_from = "crate::Stored<OrgStatus>")]
    status: OrgStatus,
    dissolved_on: Option<NaiveDate>,
    dissolve_reason: Option<String>,
    committee_json: String,
    version: i64,
    full_members: i64,
    probationary_members: i64,
    children: i64,
    created_at: DateTime<Utc>,
    updated_at: DateTime<Utc>,
}

impl TryFrom<OrgRow> for Organization {
    type Error = StoreError;
    fn try_from(r: OrgRow) -> Result<Organization> {
        Ok(Organization {
            id: r.id,
            parent_id: r.parent_id,
            parent_name: r.parent_name,
            parent_kind: r.parent_kind.map(OrgKind::try_from).transpose()?,
            name: r.name,
            short_name: r.short_name,
            kind: r.kind,
            units: serde_json::from_str(&r.units_json)?,
            established_on: r.established_on,
            term_start: r.term_start,
            term_end: r.term_end,
            status: r.status,
            dissolved_on: r.dissolved_on,
            dissolve_reason: r.dissolve_reason,
            committee: serde_json::from_str(&r.committee_json)?,
            version: r.version,
            full_members: r.full_members,
            probationary_members: r.probationary_members,
            children: r.children,
            created_at: r.created_at,
            updated_at: r.updated_at,
        })
    }
}

const ORG_SELECT: &str = "SELECT o.id, o.parent_id, p.name AS parent_name, p.kind AS parent_kind, o.name, o.short_name, o.kind, \
    o.units_json, o.established_on, o.term_start, o.term_end, o.status, o.dissolved_on, \
    o.dissolve_reason, o.committee_json, o.version, \
    (SELECT COUNT(CASE WHEN m.status = 'full' THEN 1 END) FROM members m \
       JOIN org_closure mc ON mc.descendant = m.organization_id WHERE mc.ancestor = o.id) + \
    (SELECT COUNT(CASE WHEN m.status = 'full' THEN 1 END) FROM placements pl \
       JOIN members m ON m.id = pl.member_id WHERE pl.organization_id = o.id) AS full_members, \
    (SELECT COUNT(CASE WHEN m.status = 'probationary' THEN 1 END) FROM members m \
       JOIN org_closure mc ON mc.descendant = m.organization_id WHERE mc.ancestor = o.id) + \
    (SELECT COUNT(CASE WHEN m.status = 'probationary' THEN 1 END) FROM placements pl \
       JOIN members m ON m.id = pl.member_id WHERE pl.organization_id = o.id) AS probationary_members, \
    (SELECT COUNT(*) FROM organizations k WHERE k.parent_id = o.id AND k.status = 'active') AS children, \
    o.created_at, o.updated_at \
    FROM organizations o LEFT JOIN organizations p ON p.id = o.parent_id";

impl crate::Q {
    /// Binds an organization's own fields, name to committee (after the id, or the id and the parent).
    fn bind_org(self, input: &OrgInput) -> Result<crate::Q> {
        Ok(self
            .bind(input.name.as_str())
            .bind(input.short_name.as_str())
            .bind(input.kind.code())
            .bind(serde_json::to_string(&input.units)?)
            .bind(input.established_on)
            .bind(input.term_start)
            .bind(input.term_end)
            .bind(serde_json::to_string(&input.committee)?))
    }
}

/// SQL condition: user `$1` may see the organization `org` itself (`o.id`, or a placeholder when there
/// is one): a role on it or above, or the member role on their own organization.
fn readable(org: &str) -> String {
    format!("({} OR {})", covers(Access::Read, "$1", org), is_own_org("$1", org))
}

/// An event on the organization `id`, which is also the organization it belongs to.
pub(crate) fn org_event(action: &str, id: Uuid) -> Event<'_> {
    Event::new(action, "organization", id).in_org(id)
}

/// The caller may see the record but its role does not allow the action.
pub(crate) fn forbidden() -> StoreError {
    StoreError::Forbidden("您的角色无权执行此操作".into())
}

fn stale_org() -> StoreError {
    StoreError::conflict(Conflict::StaleVersion, "该组织已被他人修改，请刷新后重试")
}

impl Tx {
    async fn org_by_id(&mut self, id: Uuid) -> Result<Organization> {
        let row: OrgRow = self.fetch_one(q(&format!("{ORG_SELECT} WHERE o.id = $1")).bind(id)).await?;
        row.try_into()
    }

    /// Audits `action` on the organization `before`: what it was, and what it is now (returned). The
    /// members the change took out of it, if any, are kept under their key (`placed_members`…).
    async fn audit_org_change(
        &mut self,
        actor: &Actor,
        now: DateTime<Utc>,
        action: &str,
        before: &Organization,
        left: Option<(&str, Vec<Uuid>)>,
    ) -> Result<Organization> {
        let after = self.org_by_id(before.id).await?;
        let (mut was, mut is) = (before.audit_value(), after.audit_value());
        if let Some((key, members)) = left.filter(|(_, members)| !members.is_empty()) {
            was[key] = serde_json::json!(members);
            is[key] = serde_json::json!([]);
        }
        self.audit(actor, now, org_event(action, before.id).before(was).after(is)).await?;
        Ok(after)
    }

    // The checks of one organization name it by its parameter inside EXISTS, not by `o.id`: correlated
    // and under an OR, PostgreSQL hashes every organization under the user's grants (20 ms for a
    // group's administrator over 40,000 organizations) instead of probing for this one (0.2 ms).

    /// Whether `user` holds a role allowing `access` over organization `org`.
    pub async fn has_access(&mut self, user: Uuid, org: Uuid, access: Access) -> Result<bool> {
        let found: Option<(Uuid,)> = self
            .fetch_optional(
                q(&format!("SELECT o.id FROM organizations o WHERE o.id = $2 AND {}", covers(access, "$1", "$2")))
                    .bind(user)
                    .bind(org),
            )
            .await?;
        Ok(found.is_some())
    }

    /// Loads an organization the user can read, or NotFound; then Forbidden unless `access` is allowed.
    pub async fn org_for(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<Organization> {
        self.check_visible(user, id, access).await?;
        self.org_by_id(id).await
    }

    /// As [`Tx::org_for`] without loading the organization. [`Access::Read`] is the organization's
    /// members and work: a member who sees their own organization is refused it (Forbidden).
    /// Holds the membership of these organizations still until commit: a use case that counts an
    /// organization's members (a quorum) and a write that moves members in or out both lock the
    /// organizations first, so the count is the one the write sees. PostgreSQL locks the rows, in id
    /// order against deadlocks; a SQLite write transaction already holds the database's one write lock.
    pub async fn lock_orgs(&mut self, orgs: &[Uuid]) -> Result<()> {
        if self.engine() == crate::Engine::Sqlite {
            return Ok(());
        }
        let mut ids = orgs.to_vec();
        ids.sort();
        ids.dedup();
        for id in ids {
            let _: Option<(Uuid,)> =
                self.fetch_optional(q("SELECT id FROM organizations WHERE id = $1 FOR UPDATE").bind(id)).await?;
        }
        Ok(())
    }

    /// As [`Tx::lock_orgs`], for an organization and everything below it: whom its meetings expect.
    pub async fn lock_subtree(&mut self, org: Uuid) -> Result<()> {
        if self.engine() == crate::Engine::Sqlite {
            return Ok(());
        }
        let _: Vec<(Uuid,)> = self
            .fetch_all(
                q("SELECT o.id FROM organizations o JOIN org_closure c ON c.descendant = o.id \
                   WHERE c.ancestor = $1 ORDER BY o.id FOR UPDATE OF o")
                .bind(org),
            )
            .await?;
        Ok(())
    }

    pub async fn check_visible(&mut self, user: Uuid, id: Uuid, access: Access) -> Result<()> {
        // Every role allowing an access allows reading, so one query settles the usual case.
        if self.has_access(user, id, access).await? {
            return Ok(());
        }
        if self.is_viewable(user, id).await? { Err(forbidden()) } else { Err(StoreError::NotFound) }
    }

    /// Requires a record of an organization's work (`table`, a constant: `meetings`, `appraisals`) that
    /// the user may read (NotFound otherwise), then `access` over its organization (Forbidden).
    pub(crate) async fn check_work(&mut self, user: Uuid, table: &str, id: Uuid, access: Access) -> Result<()> {
        let found: Option<(Uuid,)> = self
            .fetch_optional(
                q(&format!(
                    "SELECT t.organization_id FROM {table} t WHERE t.id = $2 AND {}",
                    covers(Access::Read, "$1", "t.organization_id")
                ))
                .bind(user)
                .bind(id),
            )
            .await?;
        let (org,) = found.ok_or(StoreError::NotFound)?;
        if access != Access::Read && !self.has_access(user, org, access).await? {
            return Err(forbidden());
        }
        Ok(())
    }

    /// Whether the user may see the organization itself: a role on it, or the member role on their own.
    async fn is_viewable(&mut self, user: Uuid, id: Uuid) -> Result<bool> {
        let visible: Option<(Uuid,)> = self
            .fetch_optional(
                q(&format!("SELECT o.id FROM organizations o WHERE o.id = $2 AND {}", readable("$2")))
                    .bind(user)
                    .bind(id),
            )
            .await?;
        Ok(visible.is_some())
    }

    /// What of the organization's members the user may read (NotFound if not even the organization).
    pub async fn read_scope(&mut self, user: Uuid, id: Uuid) -> Result<ReadScope> {
        if self.has_access(user, id, Access::Read).await? {
            return Ok(ReadScope::Whole);
        }
        let own: Option<(Uuid,)> = self
            .fetch_optional(
                q(&format!("SELECT u.member_id FROM users u WHERE u.id = $1 AND {}", is_own_org("$1", "$2")))
                    .bind(user)
                    .bind(id),
            )
            .await?;
        own.map(|(member,)| ReadScope::Member(member)).ok_or(StoreError::NotFound)
    }

    async fn insert_org(
        &mut self,
        actor: &Actor,
        parent: Option<&Organization>,
        input: &OrgInput,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let kind = input.kind;
        if parent.is_some_and(|p| p.status != OrgStatus::Active) {
            return Err(StoreError::rule(StructuralRule::OrgParentActive, "上级组织已撤销，不能在其下新建组织"));
        }
        let parent_kind = parent.map(|p| p.kind);
        if !allowed_under(parent_kind, kind) {
            return Err(StoreError::rule(
                StructuralRule::OrgTreeShape,
                format!("{}不能设在{}之下", kind.label(), parent_kind.map(OrgKind::label).unwrap_or("顶层")),
            ));
        }
        let id = new_id();
        self.execute(
            q("INSERT INTO organizations (id, parent_id, name, short_name, kind, units_json, established_on, \
               term_start, term_end, status, committee_json, version, created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, 'active', $10, 1, $11, $11)")
            .bind(id)
            .bind(parent.map(|p| p.id))
            .bind_org(input)?
            .bind(now),
        )
        .await?;
        self.execute(q("INSERT INTO org_closure (ancestor, descendant, depth) VALUES ($1, $1, 0)").bind(id)).await?;
        if let Some(p) = parent {
            self.execute(
                q("INSERT INTO org_closure (ancestor, descendant, depth) \
                   SELECT ancestor, $1, depth + 1 FROM org_closure WHERE descendant = $2")
                .bind(id)
                .bind(p.id),
            )
            .await?;
        }
        let org = self.org_by_id(id).await?;
        self.audit(actor, now, org_event("organization.create", id).after(org.audit_value())).await?;
        Ok(org)
    }
}

impl Db {
    /// Every organization the user may see, parents before children.
    pub async fn visible_orgs(&self, user: Uuid, include_dissolved: bool) -> Result<Vec<OrgNode>> {
        let status = if include_dissolved { "" } else { " AND o.status = 'active'" };
        self.fetch_all(
            q(&format!(
                "SELECT o.id, o.parent_id, o.name, o.short_name, o.kind, o.status, \
                 (SELECT COUNT(*) FROM org_closure d WHERE d.descendant = o.id) - 1 AS depth \
                 FROM organizations o WHERE {}{status} ORDER BY depth, o.id",
                readable("o.id")
            ))
            .bind(user),
        )
        .await
    }

    /// Whether the user may act on the organization: NotFound unless they may read it, Forbidden
    /// unless `access` is allowed. Handlers ask this first, so that a caller without the right is
    /// told so (403) rather than what a rule would say about their input.
    pub async fn require_access(&self, user: Uuid, org: Uuid, access: Access) -> Result<()> {
        let mut tx = self.begin_read().await?;
        tx.check_visible(user, org, access).await
    }

    /// As [`Db::require_access`], for the organization of a record of its work (`table`: `meetings`,
    /// `appraisals`): see [`Tx::check_work`].
    pub(crate) async fn require_work_access(&self, user: Uuid, table: &str, id: Uuid, access: Access) -> Result<()> {
        let mut tx = self.begin_read().await?;
        tx.check_work(user, table, id, access).await
    }

    /// The organization itself (name, place in the tree, committee, member counts), for anyone who
    /// may see it, including a member their own. Its members and work need [`Access::Read`].
    pub async fn get_org(&self, user: Uuid, id: Uuid) -> Result<Organization> {
        let mut tx = self.begin_read().await?;
        if !tx.is_viewable(user, id).await? {
            return Err(StoreError::NotFound);
        }
        tx.org_by_id(id).await
    }

    /// What of the organization's members the user may read: all, or only their own record.
    pub async fn read_scope(&self, user: Uuid, id: Uuid) -> Result<ReadScope> {
        let mut tx = self.begin_read().await?;
        tx.read_scope(user, id).await
    }

    /// Direct sub-organizations the user may see (the "level below" list).
    pub async fn org_children(&self, user: Uuid, id: Uuid) -> Result<Vec<Organization>> {
        self.get_org(user, id).await?;
        let rows: Vec<OrgRow> = self
            .fetch_all(
                q(&format!("{ORG_SELECT} WHERE o.parent_id = $2 AND {} ORDER BY o.id", readable("o.id")))
                    .bind(user)
                    .bind(id),
            )
            .await?;
        rows.into_iter().map(Organization::try_from).collect()
    }

    /// Creates an organization under `parent` (needs org-admin over the parent).
    pub async fn create_org(
        &self,
        actor: &Actor,
        parent: Uuid,
        input: &OrgInput,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let parent = tx.org_for(actor.user_id, parent, Access::ManageOrgs).await?;
        let org = tx.create_org(actor, &parent, input, now).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Creates an organization without checking grants: for the command line, the demo and tests,
    /// never reachable from the API. Still audited.
    pub async fn seed_org(
        &self,
        actor: &Actor,
        parent: Option<Uuid>,
        input: &OrgInput,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let parent = match parent {
            Some(p) => Some(tx.org_by_id(p).await?),
            None => None,
        };
        let org = tx.insert_org(actor, parent.as_ref(), input, now).await?;
        tx.commit().await?;
        Ok(org)
    }

    /// Sets an organization's committee without checking grants (demo and tests). Audited.
    pub async fn seed_committee(
        &self,
        actor: &Actor,
        id: Uuid,
        committee: &[CommitteeSeat],
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let before = tx.org_by_id(id).await?;
        tx.execute(
            q("UPDATE organizations SET committee_json = $2, version = version + 1, updated_at = $3 WHERE id = $1")
                .bind(id)
                .bind(serde_json::to_string(committee)?)
                .bind(now),
        )
        .await?;
        tx.audit_org_change(actor, now, "organization.update", &before, None).await?;
        tx.commit().await
    }

    /// Every organization (names and tree only), for the security admin who grants roles on them.
    pub async fn all_org_nodes(&self) -> Result<Vec<OrgNode>> {
        self.fetch_all(q("SELECT o.id, o.parent_id, o.name, o.short_name, o.kind, o.status, \
             (SELECT COUNT(*) FROM org_closure d WHERE d.descendant = o.id) - 1 AS depth \
             FROM organizations o WHERE o.status = 'active' ORDER BY depth, o.id"))
            .await
    }

    /// Edits an organization's own fields; `version` must be the one the editor saw.
    pub async fn update_org(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &OrgInput,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let before = tx.org_for(actor.user_id, id, Access::EditOrg).await?;
        let after = tx.update_org(actor, &before, input, version, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Moves an organization (with its subtree) under a new parent.
    pub async fn move_org(
        &self,
        actor: &Actor,
        id: Uuid,
        new_parent: Uuid,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let before = tx.org_for(actor.user_id, id, Access::ManageOrgs).await?;
        let parent = tx.org_for(actor.user_id, new_parent, Access::ManageOrgs).await?;
        let after = tx.move_org(actor, &before, &parent, now).await?;
        tx.commit().await?;
        Ok(after)
    }

    /// Dissolves an organization: it stays with its history, marked dissolved.
    pub async fn dissolve_org(
        &self,
        actor: &Actor,
        id: Uuid,
        on: NaiveDate,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let mut tx = self.begin().await?;
        let before = tx.org_for(actor.user_id, id, Access::ManageOrgs).await?;
        let after = tx.dissolve_org(actor, &before, on, reason, now).await?;
        tx.commit().await?;
        Ok(after)
    }
}

impl Tx {
    /// Creates an organization under `parent` (read with [`Tx::org_for`] in this transaction),
    /// checking that the parent is active and that the kind may stand under it.
    pub async fn create_org(
        &mut self,
        actor: &Actor,
        parent: &Organization,
        input: &OrgInput,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        self.insert_org(actor, Some(parent), input, now).await
    }

    /// Writes `input` over the organization `before` at `version`: a new kind must fit the parent
    /// and every active child.
    pub async fn update_org(
        &mut self,
        actor: &Actor,
        before: &Organization,
        input: &OrgInput,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let id = before.id;
        // A form older than what was read fails fast, before the rules; the conditional UPDATE below
        // is what decides between concurrent editors.
        if before.version != version {
            return Err(stale_org());
        }
        let kind = input.kind;
        if kind != before.kind {
            let parent_kind = match before.parent_id {
                Some(p) => Some(self.org_by_id(p).await?.kind),
                None => None,
            };
            if !allowed_under(parent_kind, kind) {
                return Err(StoreError::rule(StructuralRule::OrgTreeShape, "新的组织类型与上级组织不相符"));
            }
            if !before.kind.is_committee() || !kind.is_committee() {
                // A child set up under the old kind may not fit the new one.
                let kids: Vec<(String,)> = self
                    .fetch_all(q("SELECT kind FROM organizations WHERE parent_id = $1 AND status = 'active'").bind(id))
                    .await?;
                let kids = kids.into_iter().map(|(k,)| OrgKind::try_from(k)).collect::<Result<Vec<_>, _>>()?;
                if kids.into_iter().any(|k| !allowed_under(Some(kind), k)) {
                    return Err(StoreError::rule(
                        StructuralRule::OrgTreeShape,
                        "下级组织与新的组织类型不相符，请先调整下级组织",
                    ));
                }
            }
        }
        let written = self
            .execute(
                q("UPDATE organizations SET name = $2, short_name = $3, kind = $4, units_json = $5, \
               established_on = $6, term_start = $7, term_end = $8, committee_json = $9, \
               version = version + 1, updated_at = $10 WHERE id = $1 AND version = $11")
                .bind(id)
                .bind_org(input)?
                .bind(now)
                .bind(version),
            )
            .await?;
        // Zero rows: another editor committed this version first.
        if written == 0 {
            return Err(stale_org());
        }
        let after = self.audit_org_change(actor, now, "organization.update", before, None).await?;
        Ok(after)
    }

    /// Moves the organization `before` (with its subtree) under `parent`, keeping the closure table
    /// right: not under itself or its own subtree, not under a dissolved or unfitting parent.
    pub async fn move_org(
        &mut self,
        actor: &Actor,
        before: &Organization,
        parent: &Organization,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let (id, new_parent) = (before.id, parent.id);
        let inside: Option<(i64,)> = self
            .fetch_optional(
                q("SELECT depth FROM org_closure WHERE ancestor = $1 AND descendant = $2").bind(id).bind(new_parent),
            )
            .await?;
        if inside.is_some() {
            return Err(StoreError::rule(StructuralRule::OrgTreeCycle, "不能把组织移到它自己或它的下级组织之下"));
        }
        if parent.status != OrgStatus::Active {
            return Err(StoreError::rule(StructuralRule::OrgParentActive, "目标上级组织已撤销"));
        }
        if !allowed_under(Some(parent.kind), before.kind) {
            return Err(StoreError::rule(
                StructuralRule::OrgTreeShape,
                format!("{}不能设在该上级组织之下", before.kind.label()),
            ));
        }
        // Conditional on the version the checks above were made on: a concurrent move or edit of this
        // organization makes this one fail rather than act on a tree it did not check.
        let written = self
            .execute(
                q("UPDATE organizations SET parent_id = $2, version = version + 1, updated_at = $3 \
                   WHERE id = $1 AND version = $4")
                .bind(id)
                .bind(new_parent)
                .bind(now)
                .bind(before.version),
            )
            .await?;
        if written == 0 {
            return Err(stale_org());
        }
        // Cut every path from the old ancestors into the subtree, then join the subtree to the new ones.
        self.execute(
            q("DELETE FROM org_closure WHERE descendant IN (SELECT descendant FROM org_closure WHERE ancestor = $1) \
               AND ancestor IN (SELECT ancestor FROM org_closure WHERE descendant = $1 AND ancestor <> $1)")
            .bind(id),
        )
        .await?;
        self.execute(
            q("INSERT INTO org_closure (ancestor, descendant, depth) \
               SELECT a.ancestor, d.descendant, a.depth + d.depth + 1 \
               FROM org_closure a, org_closure d WHERE a.descendant = $2 AND d.ancestor = $1")
            .bind(id)
            .bind(new_parent),
        )
        .await?;
        // A 党小组 divides its branch's members: under another branch, those of the old one leave it.
        let left = if before.kind == OrgKind::PartyGroup {
            self.end_placements_outside(id, new_parent).await?
        } else {
            Vec::new()
        };
        let after =
            self.audit_org_change(actor, now, "organization.move", before, Some(("placed_members_left", left))).await?;
        Ok(after)
    }

    /// Dissolves the organization `before` on `on`. Refused while members or active
    /// sub-organizations remain (they must be moved first).
    pub async fn dissolve_org(
        &mut self,
        actor: &Actor,
        before: &Organization,
        on: NaiveDate,
        reason: &str,
        now: DateTime<Utc>,
    ) -> Result<Organization> {
        let id = before.id;
        if before.status != OrgStatus::Active {
            return Err(StoreError::conflict(Conflict::AlreadyDissolved, "该组织已撤销"));
        }
        if before.children > 0 {
            return Err(StoreError::rule(
                StructuralRule::OrgDissolveChildren,
                "该组织还有下级组织，请先撤销或移走下级组织",
            ));
        }
        let (members,): (i64,) =
            self.fetch_one(q("SELECT COUNT(*) FROM members WHERE organization_id = $1").bind(id)).await?;
        if members > 0 {
            return Err(StoreError::rule(
                StructuralRule::OrgDissolveMembers,
                format!("该组织还有 {members} 名党员，请先转接其组织关系"),
            ));
        }
        // Conditional on the version read: of two dissolutions at once, one is written.
        let written = self
            .execute(
                q("UPDATE organizations SET status = 'dissolved', dissolved_on = $2, dissolve_reason = $3, \
               version = version + 1, updated_at = $4 WHERE id = $1 AND version = $5 AND status = 'active'")
                .bind(id)
                .bind(on)
                .bind(reason)
                .bind(now)
                .bind(before.version),
            )
            .await?;
        if written == 0 {
            return Err(stale_org());
        }
        // The members placed in it (a 党小组's, a 临时党支部's) leave with it; the record keeps whom.
        let placed = self.end_placements(id).await?;
        let after = self
            .audit_org_change(actor, now, "organization.dissolve", before, Some(("placed_members", placed)))
            .await?;
        Ok(after)
    }
}
