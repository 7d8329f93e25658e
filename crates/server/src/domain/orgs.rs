//! Organizations (组织): create one under a parent, edit it, move it (with its subtree) under another
//! parent, dissolve it. Each use case checks the right first, then the input, then writes through the
//! store's `Tx` methods in the same transaction; those check the tree rules on what the transaction
//! reads (`org.tree_shape`, `org.parent_active`, `org.tree_cycle`, `org.dissolve_*`) and write only
//! at the version read.

use chrono::NaiveDate;
use dangwu_rules::org::OrgKind;
use dangwu_store::Actor;
use dangwu_store::access::Access;
use dangwu_store::orgs::{CommitteeSeat, OrgInput, Organization};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Ctx, DomainError, DomainResult, FieldIssue};

pub const POSTS: [(&str, &str); 7] = [
    ("secretary", "书记"),
    ("deputy_secretary", "副书记"),
    ("organization", "组织委员"),
    ("publicity", "宣传委员"),
    ("discipline", "纪检委员"),
    ("youth", "青年委员"),
    ("member", "委员"),
];

#[derive(Debug, Clone, Serialize, Deserialize, ToSchema)]
pub struct SeatView {
    pub member_id: Option<Uuid>,
    #[schema(max_length = 50)]
    pub name: String,
    /// `secretary`, `deputy_secretary`, `organization`, `publicity`, `discipline`, `youth`, `member`.
    #[schema(max_length = 30)]
    pub post: String,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct OrgFields {
    #[schema(max_length = 100)]
    pub name: String,
    #[serde(default)]
    #[schema(max_length = 100)]
    pub short_name: String,
    pub kind: OrgKind,
    /// The units (enterprises) the organization is set up in: at most 50, each at most 100 characters.
    #[serde(default)]
    #[schema(schema_with = units_schema)]
    pub units: Vec<String>,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    #[serde(default)]
    #[schema(max_items = 30)]
    pub committee: Vec<SeatView>,
}

fn units_schema() -> utoipa::openapi::Array {
    crate::json::texts(50, 100)
}

/// Creates an organization under `parent` (needs org-admin over the parent).
pub async fn create(ctx: &Ctx<'_>, actor: &Actor, parent: Uuid, fields: OrgFields) -> DomainResult<Organization> {
    let mut tx = ctx.db.begin().await?;
    // The right to write comes first: a caller without it hears 403, not what is wrong with the input.
    let parent = tx.org_for(actor.user_id, parent, Access::ManageOrgs).await?;
    let input = validate(fields, ctx.today)?;
    let org = tx.create_org(actor, &parent, &input, ctx.now).await?;
    tx.commit().await?;
    Ok(org)
}

/// Edits an organization's own fields at the `version` the editor saw.
pub async fn edit(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: Uuid,
    version: i64,
    fields: OrgFields,
) -> DomainResult<Organization> {
    let mut tx = ctx.db.begin().await?;
    let before = tx.org_for(actor.user_id, id, Access::EditOrg).await?;
    let input = validate(fields, ctx.today)?;
    let org = tx.update_org(actor, &before, &input, version, ctx.now).await?;
    tx.commit().await?;
    Ok(org)
}

/// Moves an organization, with its subtree, under another parent (org-admin over both).
pub async fn move_under(ctx: &Ctx<'_>, actor: &Actor, id: Uuid, parent: Uuid) -> DomainResult<Organization> {
    let mut tx = ctx.db.begin().await?;
    let before = tx.org_for(actor.user_id, id, Access::ManageOrgs).await?;
    let parent = tx.org_for(actor.user_id, parent, Access::ManageOrgs).await?;
    let org = tx.move_org(actor, &before, &parent, ctx.now).await?;
    tx.commit().await?;
    Ok(org)
}

/// Dissolves an organization on `on` for `reason`: it stays, with its history, marked dissolved.
pub async fn dissolve(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: Uuid,
    on: NaiveDate,
    reason: &str,
) -> DomainResult<Organization> {
    let mut tx = ctx.db.begin().await?;
    let before = tx.org_for(actor.user_id, id, Access::ManageOrgs).await?;
    let reason = reason.trim();
    if reason.is_empty() {
        return Err(DomainError::field("reason", "撤销原因必填"));
    }
    if on > ctx.today || on < dangwu_rules::member::party_founded() {
        return Err(DomainError::field("dissolved_on", "撤销日期不能晚于今天"));
    }
    let org = tx.dissolve_org(actor, &before, on, reason, ctx.now).await?;
    tx.commit().await?;
    Ok(org)
}

/// Validates the fields; every problem is reported at once. Lengths and counts are those
/// of the schema, checked when the body was read.
fn validate(f: OrgFields, today: NaiveDate) -> DomainResult<OrgInput> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| errors.push(FieldIssue::new(field, message));
    let name = f.name.trim().to_owned();
    if name.is_empty() {
        err("name", "组织全称必填");
    }
    let short_name = if f.short_name.trim().is_empty() { name.clone() } else { f.short_name.trim().to_owned() };
    let units: Vec<String> = f.units.iter().map(|u| u.trim().to_owned()).filter(|u| !u.is_empty()).collect();
    let founded = dangwu_rules::member::party_founded();
    if f.established_on.is_some_and(|d| d < founded || d > today) {
        err("established_on", "成立日期应在1921年7月1日至今天之间");
    }
    match (f.term_start, f.term_end) {
        (Some(s), Some(e)) if e <= s => err("term_end", "任期届满日期须晚于任期开始日期"),
        (Some(s), _) if s < founded => err("term_start", "任期开始日期不能早于1921年7月1日"),
        (None, Some(_)) => err("term_start", "填写任期届满日期时须同时填写任期开始日期"),
        _ => {}
    }
    for (i, seat) in f.committee.iter().enumerate() {
        if seat.name.trim().is_empty() {
            errors.push(FieldIssue::new(format!("committee[{i}].name"), "姓名必填"));
        }
        if !POSTS.iter().any(|(code, _)| *code == seat.post) {
            errors.push(FieldIssue::new(format!("committee[{i}].post"), "职务无效"));
        }
    }
    if f.committee.iter().filter(|s| s.post == "secretary").count() > 1 {
        errors.push(FieldIssue::new("committee", "书记只能有一名"));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(OrgInput {
        name,
        short_name,
        kind: f.kind,
        units,
        established_on: f.established_on,
        term_start: f.term_start,
        term_end: f.term_end,
        committee: f
            .committee
            .into_iter()
            .map(|s| CommitteeSeat { member_id: s.member_id, name: s.name.trim().to_owned(), post: s.post })
            .collect(),
    })
}
