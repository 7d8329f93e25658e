//! Organizations (组织): the tree, one organization, the level below, create, edit, move, dissolve.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use dangwu_rules::org::{OrgFacts, OrgKind, OrgStatus};
use dangwu_rules::{Level, RuleBook};
use dangwu_store::orgs::{OrgNode, Organization};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{Change, history};
use crate::AppState;
use crate::auth::Caller;
use crate::domain;
pub use crate::domain::orgs::{OrgFields, POSTS, SeatView};
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::replica::ReadDb;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orgs, create_org))
        .routes(routes!(get_org, update_org))
        .routes(routes!(org_children))
        .routes(routes!(move_org))
        .routes(routes!(dissolve_org))
        .routes(routes!(org_history))
}

/// A finding of the organization-setup rules, shown on the organization page.
#[derive(Debug, Serialize, ToSchema)]
pub struct CheckView {
    /// `info`, `warning` or `error`.
    pub level: String,
    pub rule: String,
    pub message: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct OrgView {
    pub id: Uuid,
    pub parent_id: Option<Uuid>,
    pub parent_name: Option<String>,
    pub name: String,
    pub short_name: String,
    pub kind: OrgKind,
    pub kind_label: String,
    pub units: Vec<String>,
    pub established_on: Option<NaiveDate>,
    pub term_start: Option<NaiveDate>,
    pub term_end: Option<NaiveDate>,
    pub status: OrgStatus,
    pub dissolved_on: Option<NaiveDate>,
    pub dissolve_reason: Option<String>,
    pub committee: Vec<SeatView>,
    pub secretary_name: Option<String>,
    pub full_members: i64,
    pub probationary_members: i64,
    pub children: i64,
    pub version: i64,
    pub checks: Vec<CheckView>,
}

pub fn org_view(rules: &RuleBook, org: Organization, today: NaiveDate) -> OrgView {
    let checks = checks(rules, &org, today);
    OrgView {
        secretary_name: org.secretary_name().map(str::to_owned),
        kind_label: org.kind.label().to_owned(),
        id: org.id,
        parent_id: org.parent_id,
        parent_name: org.parent_name,
        name: org.name,
        short_name: org.short_name,
        kind: org.kind,
        units: org.units,
        established_on: org.established_on,
        term_start: org.term_start,
        term_end: org.term_end,
        status: org.status,
        dissolved_on: org.dissolved_on,
        dissolve_reason: org.dissolve_reason,
        committee: org
            .committee
            .into_iter()
            .map(|s| SeatView { member_id: s.member_id, name: s.name, post: s.post })
            .collect(),
        full_members: org.full_members,
        probationary_members: org.probationary_members,
        children: org.children,
        version: org.version,
        checks,
    }
}

/// The organization-setup and term findings for an organization, by the rules in force today.
pub fn checks(rules: &RuleBook, org: &Organization, today: NaiveDate) -> Vec<CheckView> {
    let kind = org.kind;
    if org.status != OrgStatus::Active {
        return Vec::new();
    }
    let count = |n: i64| u32::try_from(n).unwrap_or(u32::MAX);
    let facts = OrgFacts {
        kind,
        parent: org.parent_kind,
        full_members: count(org.full_members),
        probationary_members: count(org.probationary_members),
        units: Some(count(org.units.len() as i64)),
        committee_size: count(org.committee.len() as i64),
        term_start: org.term_start,
        term_end: org.term_end,
    };
    dangwu_rules::org::check_organization(rules, &facts, today)
        .into_iter()
        .map(|c| CheckView {
            level: match c.level {
                Level::Info => "info",
                Level::Warning => "warning",
                Level::Error => "error",
            }
            .to_owned(),
            rule: c.rule.to_owned(),
            message: c.message,
        })
        .collect()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateOrg {
    pub parent_id: Uuid,
    #[serde(flatten)]
    pub fields: OrgFields,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateOrg {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[serde(flatten)]
    pub fields: OrgFields,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Include dissolved organizations.
    #[serde(default)]
    pub include_dissolved: bool,
}

/// 组织树：the organizations the caller may see, parents first.
#[utoipa::path(get, path = "/api/v1/organizations", tag = "组织", params(ListParams),
    responses((status = 200, body = Vec<OrgNode>), (status = 401, body = ErrorBody)))]
async fn list_orgs(
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<OrgNode>>> {
    // The security admin grants roles on organizations, so sees their names (and nothing else of them).
    if caller.user.system_role() == Some(dangwu_store::SystemRole::SecurityAdmin) {
        return Ok(Json(db.all_org_nodes().await?));
    }
    let user = caller.domain()?;
    Ok(Json(db.visible_orgs(user, p.include_dissolved).await?))
}

/// 组织详情
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrgView), (status = 404, body = ErrorBody)))]
async fn get_org(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrgView>> {
    let org = db.get_org(caller.domain()?, id).await?;
    Ok(Json(org_view(&state.rules, org, state.today())))
}

/// 下级组织
#[utoipa::path(get, path = "/api/v1/organizations/{id}/children", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<OrgView>), (status = 404, body = ErrorBody)))]
async fn org_children(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<OrgView>>> {
    let today = state.today();
    let orgs = db.org_children(caller.domain()?, id).await?;
    Ok(Json(orgs.into_iter().map(|o| org_view(&state.rules, o, today)).collect()))
}

/// 新建下级组织（组织部管理员）
#[utoipa::path(post, path = "/api/v1/organizations", tag = "组织", request_body = CreateOrg,
    responses((status = 201, body = OrgView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody),
        (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_org(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateOrg>,
) -> ApiResult<(StatusCode, Json<OrgView>)> {
    caller.domain()?;
    let org = domain::orgs::create(&state.ctx(), &caller.actor, req.parent_id, req.fields).await?;
    Ok((StatusCode::CREATED, Json(org_view(&state.rules, org, state.today()))))
}

/// 编辑组织
#[utoipa::path(put, path = "/api/v1/organizations/{id}", tag = "组织", params(("id" = Uuid, Path)), request_body = UpdateOrg,
    responses((status = 200, body = OrgView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_org(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateOrg>,
) -> ApiResult<Json<OrgView>> {
    caller.domain()?;
    let org = domain::orgs::edit(&state.ctx(), &caller.actor, id, req.version, req.fields).await?;
    Ok(Json(org_view(&state.rules, org, state.today())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct MoveOrg {
    pub parent_id: Uuid,
}

/// 调整上级组织
#[utoipa::path(post, path = "/api/v1/organizations/{id}/move", tag = "组织", params(("id" = Uuid, Path)), request_body = MoveOrg,
    responses((status = 200, body = OrgView), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn move_org(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<MoveOrg>,
) -> ApiResult<Json<OrgView>> {
    caller.domain()?;
    let org = domain::orgs::move_under(&state.ctx(), &caller.actor, id, req.parent_id).await?;
    Ok(Json(org_view(&state.rules, org, state.today())))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DissolveOrg {
    pub dissolved_on: NaiveDate,
    #[schema(max_length = 500)]
    pub reason: String,
}

/// 撤销组织（保留历史，不删除）
#[utoipa::path(post, path = "/api/v1/organizations/{id}/dissolve", tag = "组织", params(("id" = Uuid, Path)), request_body = DissolveOrg,
    responses((status = 200, body = OrgView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn dissolve_org(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DissolveOrg>,
) -> ApiResult<Json<OrgView>> {
    caller.domain()?;
    let org = domain::orgs::dissolve(&state.ctx(), &caller.actor, id, req.dissolved_on, &req.reason).await?;
    Ok(Json(org_view(&state.rules, org, state.today())))
}

/// 组织变更记录
#[utoipa::path(get, path = "/api/v1/organizations/{id}/history", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Change>), (status = 404, body = ErrorBody)))]
async fn org_history(caller: Caller, ReadDb(db): ReadDb, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Vec<Change>>> {
    db.check_readable(caller.domain()?, id).await?;
    let rows = db.entity_history("organization", id).await?;
    Ok(Json(history(rows, &[])))
}
