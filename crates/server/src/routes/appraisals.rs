//! 民主评议党员: open the yearly appraisal, record self / peer appraisal and the democratic rating,
//! let the committee propose grades and the meeting decide them. The 优秀 cap and the rule that
//! probationary members are not graded are enforced here with the rules crate.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use dangwu_rules::Level;
use dangwu_rules::member::Status;
use dangwu_rules::orglife::{AppraisalGrades, RULE_APPRAISAL_GRADE_PROBATIONARY};
use dangwu_store::access::Access;
use dangwu_store::appraisals::{Appraisal, EntryInput, Grade, GradeSet, Stage};
use serde::Deserialize;
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::json::{ApiJson, ApiPath, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_appraisals, create_appraisal))
        .routes(routes!(get_appraisal))
        .routes(routes!(update_entry))
        .routes(routes!(propose))
        .routes(routes!(decide))
        .routes(routes!(appraisal_stats))
}

fn view(a: Appraisal) -> ApiResult<Json<serde_json::Value>> {
    serde_json::to_value(a).map(Json).map_err(ApiError::internal)
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
#[utoipa::path(get, path = "/api/v1/appraisals", tag = "组织生活", params(ListParams), responses((status = 200, body = Vec<Object>),
    (status = 422, description = "scope_too_large: more rows than one answer may hold", body = ErrorBody)))]
async fn list_appraisals(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let rows = state.db.list_appraisals(caller.domain()?, p.organization_id, APPRAISALS_MAX).await?;
    serde_json::to_value(rows).map(Json).map_err(ApiError::internal)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateAppraisal {
    pub organization_id: Uuid,
    #[schema(minimum = 1921, maximum = 2100)]
    pub year: i32,
}

/// 开始年度民主评议（为本支部每名党员建立评议记录）
#[utoipa::path(post, path = "/api/v1/appraisals", tag = "组织生活", request_body = CreateAppraisal,
    responses((status = 201, body = Object), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn create_appraisal(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateAppraisal>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
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
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn get_appraisal(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<serde_json::Value>> {
    view(state.db.get_appraisal(caller.domain()?, id).await?)
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
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_entry(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath((id, member)): ApiPath<(Uuid, Uuid)>,
    ApiJson(req): ApiJson<EntryFields>,
) -> ApiResult<Json<serde_json::Value>> {
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

#[derive(Debug, Deserialize, ToSchema)]
pub struct GradeInput {
    pub member_id: Uuid,
    /// None (null, or an empty text): no grade.
    #[serde(default, deserialize_with = "crate::json::empty_as_none")]
    pub grade: Option<Grade>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposeGrades {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[schema(max_items = 5000)]
    pub grades: Vec<GradeInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideGrades {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    /// The held 党员大会 (or 民主评议 meeting) of the branch that decided.
    pub meeting_id: Uuid,
    /// Grades as decided; omitted: the committee's proposal is adopted.
    #[schema(max_items = 5000)]
    pub grades: Option<Vec<GradeInput>>,
}

/// Checks the grades against the rules: the 优秀 cap and that probationary members get no grade.
/// `complete` also requires every full member to be graded (for the meeting's decision).
fn check_grades(state: &AppState, a: &Appraisal, grades: &[(Uuid, Option<Grade>)], complete: bool) -> ApiResult<()> {
    let mut errors = Vec::new();
    for (i, (member, _)) in grades.iter().enumerate() {
        if !a.entries.iter().any(|e| e.member_id == *member) {
            errors.push(FieldError {
                field: format!("grades[{i}].member_id"),
                message: "该党员不在本次评议名单中".into(),
            });
        }
    }
    if !errors.is_empty() {
        return Err(ApiError::validation(errors));
    }
    let grade_of = |m: Uuid| grades.iter().find(|(id, _)| *id == m).and_then(|(_, g)| *g);
    let mut g = AppraisalGrades {
        full_members: 0,
        probationary_members: 0,
        excellent: 0,
        qualified: 0,
        basically_qualified: 0,
        unqualified: 0,
        probationary_graded: 0,
    };
    let mut ungraded = 0;
    for e in &a.entries {
        let grade = grade_of(e.member_id);
        if e.member_status == Status::Full {
            g.full_members += 1;
            if grade.is_none() {
                ungraded += 1;
            }
        } else {
            g.probationary_members += 1;
            if grade.is_some() {
                g.probationary_graded += 1;
            }
        }
        match grade {
            Some(Grade::Excellent) => g.excellent += 1,
            Some(Grade::Qualified) => g.qualified += 1,
            Some(Grade::BasicallyQualified) => g.basically_qualified += 1,
            Some(Grade::Unqualified) => g.unqualified += 1,
            None => {}
        }
    }
    let date = NaiveDate::from_ymd_opt(a.row.year as i32, 12, 31).unwrap_or_else(|| state.today()).min(state.today());
    let outcome = dangwu_rules::orglife::check_appraisal(&state.rules, date, &g)?;
    if let Some(c) =
        outcome.checks.iter().find(|c| c.level == Level::Error || c.rule == RULE_APPRAISAL_GRADE_PROBATIONARY)
    {
        let mut e = ApiError::new(StatusCode::CONFLICT, "rule_violation", c.message.clone());
        e.body.rule = Some(c.rule.to_owned());
        return Err(e);
    }
    if complete && ungraded > 0 {
        return Err(ApiError::new(StatusCode::CONFLICT, "incomplete", format!("尚有{ungraded}名正式党员未评定等次")));
    }
    Ok(())
}

fn pairs(grades: &[GradeInput]) -> Vec<(Uuid, Option<Grade>)> {
    grades.iter().map(|g| (g.member_id, g.grade)).collect()
}

/// 支部委员会提出评定等次
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/propose", tag = "组织生活", params(("id" = Uuid, Path)), request_body = ProposeGrades,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn propose(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ProposeGrades>,
) -> ApiResult<Json<serde_json::Value>> {
    let user = caller.domain()?;
    state.db.require_appraisal_access(user, id, Access::WriteMembers).await?;
    let a = state.db.get_appraisal(user, id).await?;
    let grades = pairs(&req.grades);
    check_grades(&state, &a, &grades, false)?;
    view(
        state
            .db
            .set_appraisal_grades(
                &caller.actor,
                id,
                &GradeSet { stage: Stage::Proposed, grades: &grades, meeting: None, version: req.version },
                state.now(),
            )
            .await?,
    )
}

/// 党员大会决定评定等次
#[utoipa::path(post, path = "/api/v1/appraisals/{id}/decide", tag = "组织生活", params(("id" = Uuid, Path)), request_body = DecideGrades,
    responses((status = 200, body = Object), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn decide(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<DecideGrades>,
) -> ApiResult<Json<serde_json::Value>> {
    let user = caller.domain()?;
    state.db.require_appraisal_access(user, id, Access::WriteMembers).await?;
    let a = state.db.get_appraisal(user, id).await?;
    let grades = match &req.grades {
        Some(g) => pairs(g),
        None => a.entries.iter().map(|e| (e.member_id, e.proposed_grade)).collect(),
    };
    check_grades(&state, &a, &grades, true)?;
    view(
        state
            .db
            .set_appraisal_grades(
                &caller.actor,
                id,
                &GradeSet {
                    stage: Stage::Decided,
                    grades: &grades,
                    meeting: Some(req.meeting_id),
                    version: req.version,
                },
                state.now(),
            )
            .await?,
    )
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct StatsParams {
    pub year: i32,
}

/// 民主评议结果统计（已决定的等次）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/appraisal-stats", tag = "组织生活", params(("id" = Uuid, Path), StatsParams),
    responses((status = 200, body = Object), (status = 404, body = ErrorBody)))]
async fn appraisal_stats(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<StatsParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let rows = state.db.appraisal_stats(caller.domain()?, id, p.year).await?;
    let grades: Vec<serde_json::Value> = Grade::ALL
        .into_iter()
        .map(|grade| {
            let n = rows.iter().find(|(g, _)| *g == grade).map(|(_, n)| *n).unwrap_or(0);
            serde_json::json!({"grade": grade, "label": grade.label(), "count": n})
        })
        .collect();
    Ok(Json(serde_json::json!({ "year": p.year, "grades": grades })))
}
