//! Placements (编入): who takes part in a 党小组 or a 临时党支部 besides holding their formal relationship
//! in a branch. A party group divides its own branch's members, each in one group at most (1.10); a
//! temporary branch takes members of any branch, who keep their relationship at home (1.7a).

use std::collections::{HashMap, HashSet};

use dangwu_rules::StructuralRule;
use dangwu_rules::org::OrgKind;
use dangwu_store::Actor;
use dangwu_store::access::Access;
use dangwu_store::placements::Placement;
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Ctx, DomainError, DomainResult, FieldIssue};

/// The members placed in an organization, replacing those placed before.
#[derive(Debug, Deserialize, ToSchema)]
pub struct PlacementFields {
    /// Every member to be placed; members left out leave, those already placed keep their date.
    #[schema(max_items = 2000)]
    pub member_ids: Vec<Uuid>,
}

/// The most members one organization may have placed in one request.
pub const MAX_PLACED: usize = 2000;

/// Replaces the members placed in a 党小组 or 临时党支部 (编入党小组 / 临时党支部), in one transaction:
/// the organization's kind takes placements, each newly placed member may be written by the caller,
/// a party group's members belong to its branch and to no other group.
pub async fn replace(
    ctx: &Ctx<'_>,
    actor: &Actor,
    org_id: Uuid,
    fields: PlacementFields,
) -> DomainResult<Vec<Placement>> {
    let mut tx = ctx.db.begin().await?;
    let org = tx.org_for(actor.user_id, org_id, Access::WriteMembers).await?;
    let ids = validate(&fields)?;
    let kind = org.kind;
    if !matches!(kind, OrgKind::PartyGroup | OrgKind::TemporaryBranch) {
        return Err(DomainError::structural(
            StructuralRule::PlacementOrganizationKind,
            format!("{}不编入党员：党员可编入党小组或临时党支部，组织关系仍在所在党支部", kind.label()),
        ));
    }
    if org.status != dangwu_rules::org::OrgStatus::Active {
        return Err(DomainError::structural(StructuralRule::OrgParentActive, "该组织已撤销，不能再编入党员"));
    }
    // Whom the meetings of the organization expect changes: held still against a concurrent count.
    tx.lock_orgs(&[org.id]).await?;
    let placed: HashSet<Uuid> = tx.placements(actor.user_id, org.id).await?.into_iter().map(|p| p.member_id).collect();
    let found: HashMap<Uuid, _> =
        tx.placement_candidates(actor.user_id, &ids).await?.into_iter().map(|c| (c.member_id, c)).collect();
    let mut unknown = Vec::new();
    for (i, id) in ids.iter().enumerate() {
        let field = format!("member_ids[{i}]");
        match found.get(id) {
            None => unknown.push(FieldIssue::new(field, "党员不存在或不在您的管理范围内")),
            Some(c) if !placed.contains(id) && !c.writable => {
                unknown.push(FieldIssue::new(field, format!("您无权编入{}：须有管理该党员的权限", c.name)))
            }
            _ => {}
        }
    }
    if !unknown.is_empty() {
        return Err(DomainError::Invalid(unknown));
    }
    if kind == OrgKind::PartyGroup {
        for (i, id) in ids.iter().enumerate() {
            let c = &found[id];
            if Some(c.organization_id) != org.parent_id {
                return Err(DomainError::Refused {
                    rule: StructuralRule::PlacementPartyGroupBranch.id().to_owned(),
                    message: format!(
                        "{}的组织关系不在{}，不能编入该党小组",
                        c.name,
                        org.parent_name.as_deref().unwrap_or("本党小组所在党支部")
                    ),
                    field: Some(format!("member_ids[{i}]")),
                });
            }
            if let Some(other) = c.party_group_id.filter(|g| *g != org.id) {
                let name = c.party_group_name.clone().unwrap_or_else(|| other.to_string());
                return Err(DomainError::Refused {
                    rule: StructuralRule::PlacementOnePartyGroup.id().to_owned(),
                    message: format!("{}已编入{}，一名党员只编入一个党小组，请先从原党小组移出", c.name, name),
                    field: Some(format!("member_ids[{i}]")),
                });
            }
        }
    }
    let placements =
        tx.replace_placements(actor, org.id, kind.code(), &ids, ctx.today, ctx.now).await.map_err(|e| {
            // Placed in another group by a concurrent request: the unique index decides.
            if e.is_unique_violation() {
                DomainError::structural(
                    StructuralRule::PlacementOnePartyGroup,
                    "一名党员只编入一个党小组，请刷新后重试",
                )
            } else {
                e.into()
            }
        })?;
    tx.commit().await?;
    Ok(placements)
}

/// The ids, each once; a repeated or excess id is a problem of the field.
fn validate(fields: &PlacementFields) -> DomainResult<Vec<Uuid>> {
    if fields.member_ids.len() > MAX_PLACED {
        return Err(DomainError::field("member_ids", format!("一次最多编入{MAX_PLACED}名党员")));
    }
    let mut seen = HashSet::new();
    let mut errors = Vec::new();
    for (i, id) in fields.member_ids.iter().enumerate() {
        if !seen.insert(*id) {
            errors.push(FieldIssue::new(format!("member_ids[{i}]"), "党员重复"));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(fields.member_ids.clone())
}
