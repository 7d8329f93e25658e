//! The change log of organizational-life inputs, and the bulk reads that rebuild them.
//!
//! Compliance of a whole group (tens of thousands of organizations, a million meetings a year) is too
//! much to read from the database on every request, so the server keeps its inputs in memory: each
//! organization's kind, committee and place in the tree, and its held meetings counted by kind and
//! month. Every transaction that changes one of those inputs records the organizations it touched
//! under the next *generation*; the server asks which organizations changed since the generation it
//! holds and re-reads only those (see `dangwu_server::domain::lifeindex`).

use chrono::NaiveDate;
use uuid::Uuid;

use crate::access::Access;
use crate::meetings::HeldCount;
use dangwu_rules::org::{OrgKind, OrgStatus};

use crate::{Db, JsonText, Result, Tx, q};

/// How many ids go into one `IN (…)` list.
const CHUNK: usize = 500;

/// An organization as the compliance index keeps it (dissolved ones too, so that a reload can drop them).
#[derive(Debug, Clone, sqlx::FromRow)]
pub struct LifeOrgRow {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub name: String,
    pub short_name: String,
    #[sqlx(try_from = "crate::Stored<OrgKind>")]
    pub kind: OrgKind,
    #[sqlx(try_from = "crate::Stored<OrgStatus>")]
    pub status: OrgStatus,
    /// The committee's seats, counted only (a branch with three or more has a 支部委员会).
    #[sqlx(rename = "committee_json", try_from = "String")]
    pub committee: JsonText<Vec<serde::de::IgnoredAny>>,
}

/// One organization changed in one generation.
#[derive(Debug, Clone, PartialEq, Eq, sqlx::FromRow)]
pub struct LifeChange {
    pub generation: i64,
    pub organization_id: Uuid,
}

/// Whether a change to this kind of record changes compliance inputs: an organization (kind, tree,
/// committee, status) or one of its meeting records. [`Tx::audit`] marks the event's organization, and
/// [`Tx::commit`] records the marks, so every audited writer of these records is covered.
pub(crate) fn is_compliance_input(entity_type: &str) -> bool {
    matches!(entity_type, "organization" | "meeting")
}

impl Tx {
    /// Marks organizations whose compliance inputs changed, for a write audited once for many
    /// organizations (seeding); single writes are marked by their audit event.
    pub(crate) fn mark_life_changed(&mut self, orgs: impl IntoIterator<Item = Uuid>) {
        self.life.extend(orgs);
    }

    /// Records that the compliance inputs of `orgs` changed in this transaction. Called by
    /// [`Tx::commit`] last before committing: it takes the generation row's lock, held until commit.
    pub(crate) async fn life_changed(&mut self, orgs: &[Uuid]) -> Result<()> {
        if orgs.is_empty() {
            return Ok(());
        }
        let (generation,): (i64,) =
            self.fetch_one(q("UPDATE life_generation SET n = n + 1 WHERE id = 1 RETURNING n")).await?;
        let mut seen = std::collections::HashSet::new();
        for org in orgs.iter().filter(|o| seen.insert(**o)) {
            self.execute(
                q("INSERT INTO life_changes (generation, organization_id) VALUES ($1, $2)").bind(generation).bind(*org),
            )
            .await?;
        }
        // Readers further behind than this reload everything, so old entries can go.
        if generation % 1000 == 0 {
            self.execute(q("DELETE FROM life_changes WHERE generation <= $1").bind(generation - 10_000)).await?;
        }
        Ok(())
    }
}

impl Db {
    /// The latest generation of organizational-life inputs.
    pub async fn life_generation(&self) -> Result<i64> {
        let (n,): (i64,) = self.fetch_one(q("SELECT n FROM life_generation WHERE id = 1")).await?;
        Ok(n)
    }

    /// Organizations changed after `generation`, oldest first, at most `limit` entries.
    pub async fn life_changes_since(&self, generation: i64, limit: i64) -> Result<Vec<LifeChange>> {
        self.fetch_all(
            q("SELECT generation, organization_id FROM life_changes WHERE generation > $1 \
               ORDER BY generation, organization_id LIMIT $2")
            .bind(generation)
            .bind(limit),
        )
        .await
    }

    /// Every organization (`None`) or the given ones, whatever their status.
    pub async fn life_org_rows(&self, ids: Option<&[Uuid]>) -> Result<Vec<LifeOrgRow>> {
        const SELECT: &str = "SELECT id, parent_id, name, short_name, kind, status, committee_json FROM organizations";
        let Some(ids) = ids else { return self.fetch_all(q(SELECT)).await };
        let mut out = Vec::with_capacity(ids.len());
        for chunk in ids.chunks(CHUNK) {
            let mut query = q(&format!("{SELECT} WHERE id IN ("));
            push_ids(&mut query, chunk);
            query.push(")");
            out.extend(self.fetch_all::<LifeOrgRow>(query).await?);
        }
        Ok(out)
    }

    /// Held meetings between two dates counted per organization, kind and day: of every organization
    /// (`None`) or of the given ones.
    pub async fn held_counts_of(
        &self,
        orgs: Option<&[Uuid]>,
        from: NaiveDate,
        to: NaiveDate,
    ) -> Result<Vec<HeldCount>> {
        const SELECT: &str = "SELECT organization_id, kind, secretary_lecture, with_appraisal, held_on, COUNT(*) AS n FROM meetings \
            WHERE status = 'held' AND held_on >= $1 AND held_on <= $2";
        const GROUP: &str = " GROUP BY organization_id, kind, secretary_lecture, with_appraisal, held_on";
        let Some(orgs) = orgs else { return self.fetch_all(q(&format!("{SELECT}{GROUP}")).bind(from).bind(to)).await };
        let mut out = Vec::new();
        for chunk in orgs.chunks(CHUNK) {
            let mut query = q(SELECT).bind(from).bind(to);
            query.push(" AND organization_id IN (");
            push_ids(&mut query, chunk);
            query.push(&format!("){GROUP}"));
            out.extend(self.fetch_all::<HeldCount>(query).await?);
        }
        Ok(out)
    }

    /// Whether the user may read the organization: `NotFound` otherwise. Cheaper than loading it.
    pub async fn check_readable(&self, user: Uuid, org: Uuid) -> Result<()> {
        let mut tx = self.begin_read().await?;
        tx.check_visible(user, org, Access::Read).await
    }
}

/// Appends the placeholders of `ids`, comma-separated (the inside of an `IN (…)` list).
fn push_ids(query: &mut crate::Q, ids: &[Uuid]) {
    for (i, id) in ids.iter().enumerate() {
        query.push_bind(if i == 0 { "" } else { ", " }, *id);
    }
}
