//! Organizations (组织): the tree, one organization, the level below, create, edit, move, dissolve.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use dangwu_rules::org::{OrgFacts, OrgKind, OrgStatus};
use dangwu_rules::{Level, RuleBook};
use dangwu_store::access::Access;
use dangwu_store::orgs::{CommitteeSeat, OrgInput, OrgNode, Organization};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{Change, history};
use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::json::{ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_orgs, create_org))
        .routes(routes!(get_org, update_org))
        .routes(routes!(org_children))
        .routes(routes!(move_org))
        .routes(routes!(dissolve_org))
        .routes(routes!(org_history))
}

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

/// Validates the fields at the edge; every problem is reported at once. Lengths and counts are those
/// of the schema, checked when the body was read.
fn validate(f: OrgFields, today: NaiveDate) -> ApiResult<OrgInput> {
    let mut errors = Vec::new();
    let mut err = |field: &str, message: &str| errors.push(FieldError { field: field.into(), message: message.into() });
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
            errors.push(FieldError { field: format!("committee[{i}].name"), message: "姓名必填".into() });
        }
        if !POSTS.iter().any(|(code, _)| *code == seat.post) {
            errors.push(FieldError { field: format!("committee[{i}].post"), message: "职务无效".into() });
        }
    }
    if f.committee.iter().filter(|s| s.post == "secretary").count() > 1 {
        errors.push(FieldError { field: "committee".into(), message: "书记只能有一名".into() });
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
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
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<OrgNode>>> {
    // The security admin grants roles on organizations, so sees their names (and nothing else of them).
    if caller.user.system_role() == Some(dangwu_store::SystemRole::SecurityAdmin) {
        return Ok(Json(state.db.all_org_nodes().await?));
    }
    let user = caller.domain()?;
    Ok(Json(state.db.visible_orgs(user, p.include_dissolved).await?))
}

/// 组织详情
#[utoipa::path(get, path = "/api/v1/organizations/{id}", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = OrgView), (status = 404, body = ErrorBody)))]
async fn get_org(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<OrgView>> {
    let org = state.db.get_org(caller.domain()?, id).await?;
    Ok(Json(org_view(&state.rules, org, state.today())))
}

/// 下级组织
#[utoipa::path(get, path = "/api/v1/organizations/{id}/children", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<OrgView>), (status = 404, body = ErrorBody)))]
async fn org_children(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<OrgView>>> {
    let today = state.today();
    let orgs = state.db.org_children(caller.domain()?, id).await?;
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
    // The right to write comes first: a caller without it hears 403, not what is wrong with the input.
    state.db.require_access(caller.domain()?, req.parent_id, Access::ManageOrgs).await?;
    let input = validate(req.fields, state.today())?;
    let org = state.db.create_org(&caller.actor, req.parent_id, &input, state.now()).await?;
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
    state.db.require_access(caller.domain()?, id, Access::EditOrg).await?;
    let input = validate(req.fields, state.today())?;
    let org = state.db.update_org(&caller.actor, id, &input, req.version, state.now()).await?;
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
    let org = state.db.move_org(&caller.actor, id, req.parent_id, state.now()).await?;
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
    state.db.require_access(caller.domain()?, id, Access::ManageOrgs).await?;
    let reason = req.reason.trim();
    if reason.is_empty() {
        return Err(ApiError::field("reason", "撤销原因必填"));
    }
    if req.dissolved_on > state.today() || req.dissolved_on < dangwu_rules::member::party_founded() {
        return Err(ApiError::field("dissolved_on", "撤销日期不能晚于今天"));
    }
    let org = state.db.dissolve_org(&caller.actor, id, req.dissolved_on, reason, state.now()).await?;
    Ok(Json(org_view(&state.rules, org, state.today())))
}

/// 组织变更记录
#[utoipa::path(get, path = "/api/v1/organizations/{id}/history", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Change>), (status = 404, body = ErrorBody)))]
async fn org_history(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Change>>> {
    state.db.check_readable(caller.domain()?, id).await?;
    let rows = state.db.entity_history("organization", id).await?;
    Ok(Json(history(rows, &[])))
}
