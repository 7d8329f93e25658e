//! Recruitment cases (发展党员): the list for a branch or a subtree (the overdue first), one case with
//! the rules' assessment of every step, opening a case on an application, and recording the next step
//! (use cases in domain::recruitment, where the pipeline rules judge each record in its transaction).

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use axum::response::Response;
use dangwu_store::recruitment::{CaseFilter, CaseStage, CaseStatus};
use serde::Deserialize;
use utoipa::IntoParams;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::domain::recruitment::{self, CaseListItem, CaseView, OpenCase, RecordStep};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::replica::ReadDb;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_cases, open_case))
        .routes(routes!(export_cases))
        .routes(routes!(get_case))
        .routes(routes!(record_step))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only cases of this organization (and, with `subtree`, those below it).
    pub organization_id: Option<Uuid>,
    /// Include sub-organizations (default true).
    pub subtree: Option<bool>,
    /// 申请人 / 积极分子 / 发展对象 / 预备党员 / 正式党员.
    #[serde(default, deserialize_with = "crate::json::empty_as_none")]
    pub stage: Option<CaseStage>,
    #[serde(default, deserialize_with = "crate::json::empty_as_none")]
    pub status: Option<CaseStatus>,
}

/// The most cases one list answer holds; a wider scope is asked to narrow.
pub const CASES_MAX: i64 = 2000;

/// 发展党员列表：按下一步的期限排列，已逾期的在前，无期限的在后
#[utoipa::path(get, path = "/api/v1/recruitment-cases", tag = "发展党员", params(ListParams),
    responses((status = 200, body = Vec<CaseListItem>), (status = 400, body = ErrorBody),
        (status = 422, description = "scope_too_large: more cases than one answer may hold", body = ErrorBody)))]
async fn list_cases(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<Vec<CaseListItem>>> {
    let rows = db.list_cases(caller.domain()?, &p.filter(), CASES_MAX).await?;
    let today = state.today();
    Ok(Json(rows.into_iter().map(|r| recruitment::list_item(r, today)).collect()))
}

impl ListParams {
    fn filter(&self) -> CaseFilter {
        CaseFilter {
            organization_id: self.organization_id,
            subtree: self.subtree.unwrap_or(true),
            stage: self.stage,
            status: self.status,
        }
    }
}

/// 导出发展党员名单（Excel，证件号脱敏；每次导出均记入审计日志）
#[utoipa::path(get, path = "/api/v1/recruitment-cases/export.xlsx", tag = "发展党员", params(ListParams),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, description = "validation_failed: `organization_id` is required", body = ErrorBody),
        (status = 422, description = "scope_too_large: more cases than one answer may hold", body = ErrorBody)))]
async fn export_cases(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Response> {
    let user = caller.domain()?;
    let Some(org) = p.organization_id else {
        return Err(ApiError::field("organization_id", "请选择要导出的组织"));
    };
    let rows = db.list_cases(user, &p.filter(), CASES_MAX).await?;
    let today = state.today();
    let table: Vec<Vec<String>> = rows
        .into_iter()
        .map(|r| {
            let item = recruitment::list_item(r, today);
            let c = &item.case;
            let date = |d: Option<chrono::NaiveDate>| d.map(|d| d.to_string()).unwrap_or_default();
            vec![
                c.name.clone(),
                c.gender.label().to_owned(),
                c.birth_date.to_string(),
                c.id_number.clone(),
                c.organization_name.clone(),
                c.stage.label().to_owned(),
                item.next_label.clone().unwrap_or_default(),
                date(c.next_earliest),
                date(c.next_deadline),
                if item.overdue { "已逾期".to_owned() } else { String::new() },
            ]
        })
        .collect();
    let head = ["姓名", "性别", "出生日期", "公民身份号码", "党支部", "阶段", "下一步", "最早可办", "期限", "逾期"];
    let filter = serde_json::json!({"subtree": p.subtree.unwrap_or(true), "stage": p.stage, "status": p.status});
    let details = super::meetings::export_details("发展党员名单", "xlsx", filter, table.len());
    super::meetings::record_export(&state, &caller, "recruitment.export", "organization", None, org, details).await?;
    let title = format!("发展党员名单（截至{today}）");
    super::meetings::xlsx_response(&title, &head, table, "发展党员名单.xlsx").await
}

/// 受理入党申请（新建发展党员记录，第1步：递交入党申请书）
#[utoipa::path(post, path = "/api/v1/recruitment-cases", tag = "发展党员", request_body = OpenCase,
    responses((status = 201, body = CaseView),
        (status = 400, description = "validation_failed: a field is wrong (ID number, a date after today…)", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rule_violation: `member.min_age` (with `first_allowed`), `member.organization_kind`", body = ErrorBody),
        (status = 422, description = "rule_not_in_force: no version of a recruitment rule applies on a date given", body = ErrorBody)))]
async fn open_case(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<OpenCase>,
) -> ApiResult<(StatusCode, Json<CaseView>)> {
    caller.domain()?;
    Ok((StatusCode::CREATED, Json(recruitment::open(&state.ctx(), &caller.actor, req).await?)))
}

/// 发展党员记录详情：各步骤的登记情况、最早可办日期和期限（附规则）
#[utoipa::path(get, path = "/api/v1/recruitment-cases/{id}", tag = "发展党员", params(("id" = Uuid, Path)),
    responses((status = 200, body = CaseView), (status = 404, body = ErrorBody),
        (status = 422, description = "rule_not_in_force: no version of a recruitment rule applies on a recorded date", body = ErrorBody)))]
async fn get_case(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<CaseView>> {
    let case = db.get_case(caller.domain()?, id).await?;
    Ok(Json(recruitment::view(case, &state.rules, state.today())?))
}

/// 登记下一步骤、延长预备期或终止发展
///
/// Only the next step may be recorded. A step before its earliest date, or while a condition blocks
/// it (too few sponsors, too short a training), is refused with `409 rule_violation`, the rule in
/// `rule` and, for a date, the first allowed date in `first_allowed`. Admission (step 17) enters the
/// person as a probationary member of the branch; conversion (step 24) makes them a full member.
#[utoipa::path(post, path = "/api/v1/recruitment-cases/{id}/steps", tag = "发展党员", params(("id" = Uuid, Path)),
    request_body = RecordStep,
    responses((status = 200, description = "The case after the record", body = CaseView),
        (status = 400, description = "validation_failed: unknown step, a date after today, a vote missing or impossible…", body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rule_violation (`recruit.*`, `orglife.general_meeting.*`; `first_allowed` when a date lifts it), stale_version, conflict (case ended, step already recorded), duplicate_id_number (on admission)", body = ErrorBody),
        (status = 422, description = "rule_not_in_force: no version of a recruitment rule applies on a date given", body = ErrorBody)))]
async fn record_step(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<RecordStep>,
) -> ApiResult<Json<CaseView>> {
    caller.domain()?;
    Ok(Json(recruitment::record(&state.ctx(), &caller.actor, id, req).await?))
}
