//! The 三会一课 ledger as Excel, generated meeting plans, and the problems raised at 组织生活会.

use dangwu_store::meetings::LifeIssueRow;

use super::*;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(meeting_ledger)).routes(routes!(meeting_plan)).routes(routes!(life_issues))
}

/// 三会一课台账（Excel）：一个组织一年中已召开的会议
#[utoipa::path(get, path = "/api/v1/organizations/{id}/meetings-ledger.xlsx", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, description = "Excel 文件"), (status = 404, body = ErrorBody), (status = 422, description = "scope_too_large: more rows than one answer may hold", body = ErrorBody)))]
async fn meeting_ledger(
    State(state): State<AppState>,
    caller: Caller,
    OrgYear { id, period }: OrgYear,
) -> ApiResult<Response> {
    let user = caller.domain()?;
    state.db.check_readable(user, id).await?;
    let org = state.db.get_org(user, id).await?;
    let filter = MeetingFilter {
        organization_id: Some(id),
        subtree: true,
        status: Some(MeetingStatus::Held),
        from: Some(period.from),
        to: Some(period.to),
        limit: MEETINGS_MAX_ROWS + 1,
        ..Default::default()
    };
    let mut rows = state.db.list_meetings(user, &filter).await?;
    if rows.len() as i64 > MEETINGS_MAX_ROWS {
        return Err(ApiError::too_large(format!(
            "该组织及下级本年度会议超过 {MEETINGS_MAX_ROWS} 条，超过一次导出的上限，请选择下级组织分别导出台账"
        )));
    }
    rows.sort_by_key(|r| (r.held_on, r.id));
    let table: Vec<Vec<String>> = rows
        .iter()
        .map(|r| {
            vec![
                r.held_on.map(|d| d.to_string()).unwrap_or_default(),
                r.kind.label().to_owned(),
                r.organization_name.clone(),
                r.topic.clone(),
                r.place.clone(),
                r.chair.clone(),
                r.recorder.clone(),
                r.lecturer.clone(),
                format!("{}/{}", r.present, r.expected),
                if r.first_topic { "是" } else { "否" }.to_owned(),
                r.decisions.clone(),
            ]
        })
        .collect();
    let head =
        ["日期", "类型", "组织", "主题", "地点", "主持人", "记录人", "授课人", "实到/应到", "第一议题", "决定事项"];
    let filter = serde_json::json!({"year": period.from.year(), "subtree": true, "status": "held"});
    let details = export_details("三会一课台账", "xlsx", filter, table.len());
    record_export(&state, &caller, "meeting.export_ledger", "meeting", None, id, details).await?;
    let title = format!("{} {}年“三会一课”台账", org.name, period.from.year());
    xlsx_response(&title, &head, table, &format!("三会一课台账-{}-{}.xlsx", org.short_name, period.from.year())).await
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct PlanRequest {
    #[schema(minimum = 1921, maximum = 2100)]
    pub year: i32,
    /// Plan only this month (1–12); otherwise the rest of the year.
    #[schema(minimum = 1, maximum = 12)]
    pub month: Option<u32>,
}

/// 生成会议计划：为本组织今后尚未召开、也未计划的每个应开时段各建一条计划
#[utoipa::path(post, path = "/api/v1/organizations/{id}/meeting-plan", tag = "组织生活", params(("id" = Uuid, Path)), request_body = PlanRequest,
    responses((status = 201, body = PlanAnswer), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn meeting_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PlanRequest>,
) -> ApiResult<(StatusCode, Json<PlanAnswer>)> {
    let user = caller.domain()?;
    state.db.require_access(user, id, Access::WriteMembers).await?;
    let year = year_period(&state, Some(req.year))?;
    let period = match req.month {
        None => year,
        Some(m) => {
            let from =
                NaiveDate::from_ymd_opt(req.year, m, 1).ok_or_else(|| ApiError::field("month", "月份应在1到12之间"))?;
            let next = if m == 12 {
                NaiveDate::from_ymd_opt(req.year + 1, 1, 1)
            } else {
                NaiveDate::from_ymd_opt(req.year, m + 1, 1)
            };
            Period { from, to: next.expect("valid month") - chrono::Duration::days(1) }
        }
    };
    let calendar = calendar(&state, &caller, id, year).await?;
    let meetings = domain::meetings::plan(&state.ctx(), &caller.actor, id, &calendar, year, period).await?;
    Ok((StatusCode::CREATED, Json(PlanAnswer { created: meetings.len(), meetings })))
}

/// The meetings a plan created.
#[derive(Debug, Serialize, ToSchema)]
pub struct PlanAnswer {
    pub created: usize,
    pub meetings: Vec<Planned>,
}

/// The most 组织生活会 problems one answer lists; a subtree with more is asked to narrow.
pub const LIFE_ISSUES_MAX: i64 = 5000;

/// 组织生活会查摆的问题（待转入整改清单的在前）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/life-issues", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<LifeIssueRow>), (status = 404, body = ErrorBody), (status = 422, description = "scope_too_large: more rows than one answer may hold", body = ErrorBody)))]
async fn life_issues(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<LifeIssueRow>>> {
    Ok(Json(state.db.life_issues(caller.domain()?, id, LIFE_ISSUES_MAX).await?))
}
