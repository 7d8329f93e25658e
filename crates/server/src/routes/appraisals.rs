//! 民主评议党员: open the yearly appraisal, record self / peer appraisal and the democratic rating,
//! let the committee propose grades and the meeting decide them (use cases in domain::appraisals,
//! where the 优秀 cap and the rule that probationary members are not graded are judged).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dangwu_store::access::Access;
use dangwu_store::appraisals::{Appraisal, AppraisalRow, EntryInput, Grade};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::domain::{
    self,
    appraisals::{DecideGrades, ProposeGrades},
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::replica::ReadDb;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_appraisals, create_appraisal))
        .routes(routes!(get_appraisal))
        .routes(routes!(update_entry))
        .routes(routes!(propose))
        .routes(routes!(decide))
        .routes(routes!(appraisal_stats))
}

fn view(a: Appraisal) -> ApiResult<Json<Appraisal>> {
    Ok(Json(a))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// This organization and those below it.
    pub organization_id: Option<Uuid>,
}

/// The most appraisals one list answer holds; a wider scope is asked to narrow.
pub const APPRAISALS_MAX: i64 = 1000;

/// 民主评议列表
#[utoipa::path(get, path = "/api/v1/appraisals", tag = "组织生活", params(ListParams), responses((status = 200, body = Vec<AppraisalRow>),
    (status = 422, description = "scope_too_large: more rows than one answer may hold", body = ErrorBody)))]
async fn list_appraisals(
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<AppraisalRow>>> {
    Ok(Json(db.list_appraisals(caller.domain()?, p.organization_id, APPRAISALS_MAX).await?))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAppraisal {
    pub organization_id: Uuid,
    #[schema(minimum = 1921, maximum = 2100)]
    pub year: i32,
}

/// 开始年度民主评议（为本支部每名党员建立评议记录）
#[utoipa::path(post, path = "/api/v1/appraisals", tag = "组织生活", request_body = CreateAppraisal,
    responses((status = 201, body = Appraisal), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_appraisal(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateAppraisal>,
) -> ApiResult<(StatusCode, Json<Appraisal>)> {
    // The right to write comes first: a caller without it hears 403, not what is wrong with the input.
    state.db.require_access(caller.domain()?, req.organization_id, Access::WriteMembers).await?;
    let this_year = chrono::Datelike::year(&state.today());
    if req.year < 1921 || req.year > this_year {
        return Err(ApiError::field("year", "评议年度不能晚于今年"));
    }
    let a = state.db.create_appraisal(&caller.actor, req.organization_id, req.year, state.now()).await?;
    Ok((StatusCode::CREATED, view(a)?))
}

/// 民主评议详情
#[utoipa::path(get, path = "/api/v1/appraisals/{id}", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, body = Appraisal), (status = 404, body = ErrorBody)))]
async fn get_appraisal(caller: Caller, ReadDb(db): ReadDb, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<Appraisal>> {
    view(db.get_appraisal(caller.domain()?, id).await?)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct EntryFields {
    /// The entry's `version` as read (a save over someone else's is refused with 409 stale_version).
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    /// 个人自评
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub self_text: String,
    /// 党员互评意见汇总
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub peer_summary: String,
    /// 民主测评票数
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub votes_excellent: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub votes_qualified: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub votes_basic: u32,
    #[serde(default)]
    #[schema(minimum = 0, maximum = 100000)]
    pub votes_unqualified: u32,
}

/// 登记一名党员的自评、互评和民主测评
#[utoipa::path(put, path = "/api/v1/appraisals/{id}/entries/{member_id}", tag = "组织生活",
    params(("id" = Uuid, Path), ("member_id" = Uuid, Path)), request_body = EntryFields,
    responses((status = 200, body = Appraisal), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_entry(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, member)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<EntryFields>,
) -> ApiResult<Json<Appraisal>> {
    state.db.require_appraisal_access(caller.domain()?, id, Access::WriteMembers).await?;
    let input = EntryInput {
        self_text: req.self_text.trim().into(),
        peer_summary: req.peer_summary.trim().into(),
        votes_excellent: req.votes_excellent.into(),
        votes_qualified: req.votes_qualified.into(),
        votes_basic: req.votes_basic.into(),
        votes_unqualified: req.votes_unqualified.into(),
        version: req.version,
    };
    view(state.db.update_appraisal_entry(&caller.actor, id, member, &input, state.now()).await?)
}

/// 支部委员会提出评定等次
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/propose", tag = "组织生活", params(("id" = Uuid, Path)), request_body = ProposeGrades,
    responses((status = 200, body = Appraisal), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ProposeGrades>,
) -> ApiResult<Json<Appraisal>> {
    caller.domain()?;
    Ok(Json(domain::appraisals::propose(&state.ctx(), &caller.actor, id, req).await?))
}

/// 党员大会决定评定等次
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/decide", tag = "组织生活", params(("id" = Uuid, Path)), request_body = DecideGrades,
    responses((status = 200, body = Appraisal), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DecideGrades>,
) -> ApiResult<Json<Appraisal>> {
    caller.domain()?;
    Ok(Json(domain::appraisals::decide(&state.ctx(), &caller.actor, id, req).await?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    pub year: i32,
}

/// How many members got one grade.
#[derive(Debug, Serialize, ToSchema)]
pub struct GradeCount {
    pub grade: Grade,
    pub label: &'static str,
    pub count: i64,
}

/// Decided grades of a subtree in a year.
#[derive(Debug, Serialize, ToSchema)]
pub struct AppraisalStats {
    pub year: i32,
    pub grades: Vec<GradeCount>,
}

/// 民主评议结果统计（已决定的等次）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/appraisal-stats", tag = "组织生活", params(("id" = Uuid, Path), StatsParams),
    responses((status = 200, body = AppraisalStats), (status = 404, body = ErrorBody)))]
async fn appraisal_stats(
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Json<AppraisalStats>> {
    let rows = db.appraisal_stats(caller.domain()?, id, p.year).await?;
    let grades = Grade::ALL
        .into_iter()
        .map(|grade| GradeCount {
            grade,
            label: grade.label(),
            count: rows.iter().find(|(g, _)| *g == grade).map(|(_, n)| *n).unwrap_or(0),
        })
        .collect();
    Ok(Json(AppraisalStats { year: p.year, grades }))
}
