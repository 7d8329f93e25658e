//! Placements (编入): the organizations a member takes part in besides the branch that holds their
//! formal relationship — one 党小组 of that branch, and 临时党支部, where members keep their formal
//! relationship at home (regulations.md 1.7a). Whom a placement may name is judged by the domain in
//! the transaction that calls [`Tx::replace_placements`]; this module reads and writes the rows.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::access::{Access, covers};
use crate::orgs::org_event;
use crate::{Actor, Result, Tx, q};

// The API answers with this record as it is (`PlacementView`): its documentation is the API's.
/// A member placed in the organization.
#[derive(Debug, Clone, PartialEq, Serialize, sqlx::FromRow)]
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = PlacementView))]
pub struct Placement {
    pub member_id: Uuid,
    pub name: String,
    /// `full` or `probationary`.
    pub status: String,
    /// The branch holding the member's formal relationship (组织关系所在党支部).
    pub home_organization_id: Uuid,
    pub home_organization_name: String,
    /// When the member was placed here.
    pub placed_on: NaiveDate,
}

/// What the placement rules need to know of a member named in a placement, as the caller may see it.
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct PlacementCandidate {
    pub member_id: Uuid,
    pub name: String,
    /// The organization holding the member's formal relationship.
    pub organization_id: Uuid,
    /// Whether the caller may write the member's record (a role allowing it over that organization).
    pub writable: bool,
    /// The party group the member is placed in, if any, and its name.
    pub party_group_id: Option<Uuid>,
    pub party_group_name: Option<String>,
}

/// How many ids go into one `IN (…)` list.
const CHUNK: usize = 500;

impl Tx {
    /// The members placed in an organization the user may read (`NotFound` / `Forbidden` as
    /// [`Tx::check_visible`]), by name. Grant scope is part of the query.
    pub async fn placements(&mut self, user: Uuid, org: Uuid) -> Result<Vec<Placement>> {
        self.check_visible(user, org, Access::Read).await?;
        self.fetch_all(
            q(&format!(
                "SELECT p.member_id, m.name, m.status, m.organization_id AS home_organization_id, \
                 h.name AS home_organization_name, p.placed_on \
                 FROM placements p JOIN members m ON m.id = p.member_id \
                 JOIN organizations h ON h.id = m.organization_id \
                 WHERE p.organization_id = $2 AND {} ORDER BY m.name, m.id",
                covers(Access::Read, "$1", "$2")
            ))
            .bind(user)
            .bind(org),
        )
        .await
    }

    /// The members among `ids` that the user may read, with what the placement rules need. Members
    /// the user may not read are left out, as if they did not exist.
    pub async fn placement_candidates(&mut self, user: Uuid, ids: &[Uuid]) -> Result<Vec<PlacementCandidate>> {
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut query = q(&format!(
                "SELECT m.id AS member_id, m.name, m.organization_id, \
                 {} AS writable, \
                 g.organization_id AS party_group_id, go.name AS party_group_name \
                 FROM members m LEFT JOIN placements g ON g.member_id = m.id AND g.kind = 'party_group' \
                 LEFT JOIN organizations go ON go.id = g.organization_id \
                 WHERE {} AND m.id IN (",
                covers(Access::WriteMembers, "$1", "m.organization_id"),
                covers(Access::Read, "$1", "m.organization_id"),
            ))
            .bind(user);
            for (i, id) in chunk.iter().enumerate() {
                query.push_bind(if i == 0 { "" } else { ", " }, *id);
            }
            query.push(")");
            out.extend(self.fetch_all::<PlacementCandidate>(query).await?);
        }
        Ok(out)
    }

    /// Replaces the members placed in `org` (of kind `kind`) with `members`: those no longer listed
    /// leave, those newly listed are placed on `on`, those kept keep their date. Needs a role allowing
    /// [`Access::WriteMembers`] over `org`; the rules on whom are the caller's, in this transaction.
    /// Audited as a change of the organization, with the members before and after.
    pub async fn replace_placements(
        &mut self,
        actor: &Actor,
        org: Uuid,
        kind: &str,
        members: &[Uuid],
        on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<Vec<Placement>> {
        self.check_visible(actor.user_id, org, Access::WriteMembers).await?;
        let before: Vec<(Uuid,)> = self
            .fetch_all(q("SELECT member_id FROM placements WHERE organization_id = $1 ORDER BY member_id").bind(org))
            .await?;
        let before: Vec<Uuid> = before.into_iter().map(|(m,)| m).collect();
        for gone in before.iter().filter(|m| !members.contains(m)) {
            self.execute(
                q("DELETE FROM placements WHERE organization_id = $1 AND member_id = $2").bind(org).bind(*gone),
            )
            .await?;
        }
        let new: Vec<Uuid> = members.iter().filter(|m| !before.contains(m)).copied().collect();
        self.place(org, kind, &new, on).await?;
        let mut after: Vec<Uuid> = members.to_vec();
        after.sort();
        after.dedup();
        if after != before {
            self.audit(
                actor,
                now,
                org_event("organization.placements", org)
                    .before(serde_json::json!({ "placed_members": before }))
                    .after(serde_json::json!({ "placed_members": after })),
            )
            .await?;
        }
        self.placements(actor.user_id, org).await
    }

    /// Places `members` in `org` (of kind `kind`) from `on`.
    async fn place(&mut self, org: Uuid, kind: &str, members: &[Uuid], on: NaiveDate) -> Result<()> {
        for member in members {
            self.execute(
                q("INSERT INTO placements (member_id, organization_id, kind, placed_on) VALUES ($1, $2, $3, $4)")
                    .bind(*member)
                    .bind(org)
                    .bind(kind)
                    .bind(on),
            )
            .await?;
        }
        Ok(())
    }

    /// Ends the placements in an organization (when it is dissolved), answering whom they placed.
    pub(crate) async fn end_placements(&mut self, org: Uuid) -> Result<Vec<Uuid>> {
        let placed: Vec<(Uuid,)> = self
            .fetch_all(q("SELECT member_id FROM placements WHERE organization_id = $1 ORDER BY member_id").bind(org))
            .await?;
        self.execute(q("DELETE FROM placements WHERE organization_id = $1").bind(org)).await?;
        Ok(placed.into_iter().map(|(m,)| m).collect())
    }

    /// Ends the placements in a party group of members whose relationship is not held by `branch`
    /// (when the group is moved under another branch), answering whom they placed.
    pub(crate) async fn end_placements_outside(&mut self, group: Uuid, branch: Uuid) -> Result<Vec<Uuid>> {
        let gone: Vec<(Uuid,)> = self
            .fetch_all(
                q("SELECT p.member_id FROM placements p JOIN members m ON m.id = p.member_id \
                   WHERE p.organization_id = $1 AND m.organization_id <> $2 ORDER BY p.member_id")
                .bind(group)
                .bind(branch),
            )
            .await?;
        for (member,) in &gone {
            self.execute(
                q("DELETE FROM placements WHERE organization_id = $1 AND member_id = $2").bind(group).bind(*member),
            )
            .await?;
        }
        Ok(gone.into_iter().map(|(m,)| m).collect())
    }

    /// Ends a member's placement in party groups outside the branch now holding their relationship:
    /// a 党小组 divides its own branch's members (called when a member's branch changes).
    pub(crate) async fn leave_other_party_groups(&mut self, member: Uuid, branch: Uuid) -> Result<u64> {
        self.execute(
            q("DELETE FROM placements WHERE member_id = $1 AND kind = 'party_group' \
               AND organization_id NOT IN (SELECT id FROM organizations WHERE parent_id = $2)")
            .bind(member)
            .bind(branch),
        )
        .await
    }
}

impl crate::Db {
    /// See [`Tx::placements`].
    pub async fn placements(&self, user: Uuid, org: Uuid) -> Result<Vec<Placement>> {
        let mut tx = self.begin_read().await?;
        tx.placements(user, org).await
    }

    /// Places members without checking grants or rules: for the demo and tests. Audited.
    pub async fn seed_placements(
        &self,
        actor: &Actor,
        org: Uuid,
        kind: &str,
        members: &[Uuid],
        on: NaiveDate,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.place(org, kind, members, on).await?;
        tx.audit(
            actor,
            now,
            org_event("organization.placements", org).after(serde_json::json!({ "placed_members": members })),
        )
        .await?;
        tx.commit().await
    }
}
