//! Compliance of organizational life: the calendar of one organization, the rollup of a subtree (and
//! its Excel table), members' participation.

use super::*;
use bytes::Bytes;

use crate::domain::dashboards::AnswerKey;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(org_compliance))
        .routes(routes!(compliance_rollup))
        .routes(routes!(rollup_export))
        .routes(routes!(participation))
}

/// 组织生活日历：本组织一年中每项要求的每个时段是否已完成、待完成、已逾期
#[utoipa::path(get, path = "/api/v1/organizations/{id}/compliance", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, body = CalendarAnswer),
        (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn org_compliance(
    State(state): State<AppState>,
    caller: Caller,
    OrgYear { id, period }: OrgYear,
) -> ApiResult<Json<CalendarAnswer>> {
    let compliance = calendar(&state, &caller, id, period).await?;
    Ok(Json(CalendarAnswer {
        year: period.from.year(),
        today: state.today(),
        warning_days: state.config.orglife_warning_days,
        compliance,
    }))
}

/// An organization's compliance calendar of one year.
#[derive(Debug, Serialize, ToSchema)]
pub struct CalendarAnswer {
    pub year: i32,
    pub today: NaiveDate,
    /// Days before a window's end from which an open window is flagged.
    pub warning_days: i64,
    pub compliance: orglife::Compliance,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RollupParams {
    /// Calendar year (default: this year).
    pub year: Option<i32>,
    /// Levels of sub-organizations listed in `organizations` (default 2; the rest are loaded level by
    /// level: every row says how many `children` it has).
    pub depth: Option<u32>,
    /// At most this many organizations in `behind` (default 100, at most 1000; all are in the Excel export).
    pub behind_limit: Option<usize>,
}

/// The compliance of a subtree: totals by kind, the first levels of organizations, those behind.
#[derive(Serialize, ToSchema)]
pub struct RollupAnswer<'a> {
    year: i32,
    today: NaiveDate,
    #[schema(value_type = Vec<orglife::KindTotal>)]
    kinds: &'a [orglife::KindTotal],
    /// Requirements left out of the sums (谈心谈话, judged pair by pair in each organization's calendar).
    #[schema(value_type = Vec<orglife::NotSummed>)]
    not_summed: &'a [orglife::NotSummed],
    /// Organizations of the subtree in all.
    organizations_total: usize,
    /// Down to `depth` levels; every row says how many `children` it has.
    #[schema(value_type = Vec<orglife::RollupRow>)]
    organizations: Vec<&'a orglife::RollupRow>,
    /// Organizations with overdue windows of their own, in all.
    behind_total: usize,
    /// Most overdue first.
    #[schema(value_type = Vec<orglife::RollupRow>)]
    behind: Vec<&'a orglife::RollupRow>,
}

/// 组织生活汇总：下级各组织按类型的完成情况，以及落后的组织
#[utoipa::path(get, path = "/api/v1/organizations/{id}/compliance-rollup", tag = "组织生活", params(("id" = Uuid, Path), RollupParams),
    responses((status = 200, body = RollupAnswer),
        (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn compliance_rollup(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<RollupParams>,
) -> ApiResult<Response> {
    let period = year_period(&state, p.year)?;
    let depth = p.depth.unwrap_or(2);
    let limit = p.behind_limit.unwrap_or(100);
    if !(1..=1000).contains(&limit) {
        return Err(ApiError::field("behind_limit", "落后组织的条数应在1到1000之间"));
    }
    let ctx = state.ctx();
    let warning_days = state.config.orglife_warning_days;
    // The access check comes first, on every request; the answer may then come from another's.
    let key = domain::dashboards::rollup_key(&ctx, caller.domain()?, id, period, warning_days).await?;
    let weight = |body: &Bytes| body.len();
    let body = state
        .dashboards
        .rollup_answers
        .get_or_compute(AnswerKey(key.clone(), depth, limit), weight, || async {
            let all = domain::dashboards::rollup(&ctx, &state.life, &state.dashboards, &key).await?;
            let answer = RollupAnswer {
                year: key.year(),
                today: key.today(),
                kinds: &all.rollup.kinds,
                not_summed: &all.rollup.not_summed,
                organizations_total: all.rollup.rows.len(),
                organizations: all.down_to(depth).iter().collect(),
                behind_total: all.behind().len(),
                behind: all.behind().take(limit).collect(),
            };
            serde_json::to_vec(&answer).map(Bytes::from).map_err(ApiError::internal)
        })
        .await?;
    Ok(([(header::CONTENT_TYPE, "application/json")], body.as_ref().clone()).into_response())
}

/// 组织生活汇总表（Excel）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/compliance-rollup.xlsx", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, description = "Excel 文件"), (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn rollup_export(
    State(state): State<AppState>,
    caller: Caller,
    OrgYear { id, period }: OrgYear,
) -> ApiResult<Response> {
    let (_, all) = rollup(&state, &caller, id, period).await?;
    let table: Vec<Vec<String>> = all
        .rollup
        .rows
        .iter()
        .map(|r| {
            let kind = r.kind.label();
            vec![
                format!("{}{}", "　".repeat(r.depth as usize), r.name),
                kind.to_owned(),
                r.own.done.to_string(),
                r.own.due.to_string(),
                r.own.overdue.to_string(),
                r.subtree.done.to_string(),
                r.subtree.due.to_string(),
                r.subtree.overdue.to_string(),
            ]
        })
        .collect();
    let head =
        ["组织", "类型", "本级已完成", "本级待完成", "本级已逾期", "含下级已完成", "含下级待完成", "含下级已逾期"];
    let details =
        export_details("组织生活汇总表", "xlsx", serde_json::json!({"year": period.from.year()}), table.len());
    record_export(&state, &caller, "organization.export_compliance_rollup", "organization", None, id, details).await?;
    let title = format!("{}年组织生活完成情况汇总（截至{}）", period.from.year(), state.today());
    xlsx_response(&title, &head, table, &format!("组织生活汇总-{}.xlsx", period.from.year())).await
}

/// Members in one participation list at most. Attendance is read row by row (one per member and
/// meeting, about 30 a year), so a whole group of tens of thousands of members would take minutes;
/// its committees and branches are asked one at a time instead.
pub const PARTICIPATION_MAX_MEMBERS: i64 = 5000;

/// 党员参加组织生活情况
#[utoipa::path(get, path = "/api/v1/organizations/{id}/participation", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, body = Vec<orglife::Participation>),
        (status = 404, body = ErrorBody), (status = 422, description = "scope_too_large: more than 5,000 members in the subtree", body = ErrorBody)))]
async fn participation(
    State(state): State<AppState>,
    caller: Caller,
    OrgYear { id, period }: OrgYear,
) -> ApiResult<Json<Vec<orglife::Participation>>> {
    // A member with the member role on their own organization sees their own line only.
    let rows = state.db.attendance(caller.domain()?, id, period.from, period.to, PARTICIPATION_MAX_MEMBERS).await?;
    let mut list = orglife::participation(&rows);
    list.sort_by(|a, b| b.consecutive_absences.cmp(&a.consecutive_absences).then(a.name.cmp(&b.name)));
    Ok(Json(list))
}
