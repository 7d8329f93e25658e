//! Organizational life (组织生活): meeting records and plans, the compliance calendar of an
//! organization, the rollup of a subtree, members' participation, and the 三会一课 ledger as Excel.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use dangwu_rules::org::OrgKind;
use dangwu_rules::orglife::{self as rules_life, Period};
use dangwu_store::access::Access;
use dangwu_store::access::ReadScope;
use dangwu_store::audit::Event;
use dangwu_store::meetings::{
    AgendaItem, MEETINGS_MAX_ROWS, Meeting, MeetingFilter, MeetingInput, MeetingRow, VoteRecord,
};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::domain::{
    self,
    meetings::{AgendaItemView, MeetingFields},
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::orglife::{self, kind_label};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(get_meeting, update_meeting))
        .routes(routes!(expected_attendees))
        .routes(routes!(org_compliance))
        .routes(routes!(compliance_rollup))
        .routes(routes!(rollup_export))
        .routes(routes!(participation))
        .routes(routes!(meeting_ledger))
        .routes(routes!(meeting_plan))
        .routes(routes!(life_issues))
        .routes(routes!(meeting_pdf))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMeeting {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[serde(flatten)]
    pub fields: MeetingFields,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub kind: String,
    pub kind_label: String,
    pub status: String,
    pub planned_on: Option<NaiveDate>,
    pub held_on: Option<NaiveDate>,
    pub start_time: String,
    pub end_time: String,
    pub place: String,
    pub chair: String,
    pub recorder: String,
    pub lecturer: String,
    pub secretary_lecture: bool,
    pub topic: String,
    pub agenda: Vec<AgendaItemView>,
    pub first_topic: bool,
    pub minutes: String,
    pub decisions: String,
    /// Null until the meeting is held.
    #[schema(value_type = Option<Object>)]
    pub quorum: Option<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub votes: Vec<serde_json::Value>,
    pub attachments: Vec<String>,
    pub present: i64,
    pub expected: i64,
    pub version: i64,
    #[schema(value_type = Vec<Object>)]
    pub attendees: Vec<serde_json::Value>,
    #[schema(value_type = Vec<Object>)]
    pub issues: Vec<serde_json::Value>,
}

fn meeting_view(row: MeetingRow, attendees: Vec<serde_json::Value>, issues: Vec<serde_json::Value>) -> MeetingView {
    MeetingView {
        kind_label: kind_label(&row.kind).to_owned(),
        agenda: serde_json::from_str(&row.agenda_json).unwrap_or_default(),
        quorum: row.quorum_json.as_deref().and_then(|q| serde_json::from_str(q).ok()),
        votes: serde_json::from_str(&row.votes_json).unwrap_or_default(),
        attachments: serde_json::from_str(&row.attachments_json).unwrap_or_default(),
        id: row.id,
        organization_id: row.organization_id,
        organization_name: row.organization_name,
        kind: row.kind,
        status: row.status,
        planned_on: row.planned_on,
        held_on: row.held_on,
        start_time: row.start_time,
        end_time: row.end_time,
        place: row.place,
        chair: row.chair,
        recorder: row.recorder,
        lecturer: row.lecturer,
        secretary_lecture: row.secretary_lecture,
        topic: row.topic,
        first_topic: row.first_topic,
        minutes: row.minutes,
        decisions: row.decisions,
        present: row.present,
        expected: row.expected,
        version: row.version,
        attendees,
        issues,
    }
}

fn full_view(m: Meeting) -> MeetingView {
    let attendees = m.attendees.iter().map(|a| serde_json::to_value(a).unwrap_or_default()).collect();
    let issues = m.issues.iter().map(|i| serde_json::to_value(i).unwrap_or_default()).collect();
    meeting_view(m.row, attendees, issues)
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingParams {
    pub organization_id: Option<Uuid>,
    /// Include sub-organizations (default true).
    pub subtree: Option<bool>,
    pub kind: Option<String>,
    /// `planned` or `held`.
    pub status: Option<String>,
    pub from: Option<NaiveDate>,
    pub to: Option<NaiveDate>,
    pub limit: Option<i64>,
    /// The `next_cursor` of the page before.
    pub after: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingPage {
    pub items: Vec<MeetingView>,
    /// Pass as `after` for the next page; absent on the last page.
    pub next_cursor: Option<String>,
}

/// A page cursor: the date and id of the last meeting shown, as `YYYY-MM-DD_id`.
fn parse_cursor(cursor: &str) -> ApiResult<(NaiveDate, Uuid)> {
    let bad = || ApiError::field("after", "分页位置无效，请从第一页重新查询");
    let (date, id) = cursor.split_once('_').ok_or_else(bad)?;
    Ok((date.parse().map_err(|_| bad())?, id.parse().map_err(|_| bad())?))
}

/// 会议记录列表（会议日期新的在前）
#[utoipa::path(get, path = "/api/v1/meetings", tag = "组织生活", params(MeetingParams),
    responses((status = 200, body = MeetingPage), (status = 400, body = ErrorBody)))]
async fn list_meetings(
    State(state): State<AppState>,
    caller: Caller,
    ApiQuery(p): ApiQuery<MeetingParams>,
) -> ApiResult<Json<MeetingPage>> {
    let user = caller.domain()?;
    let limit = p.limit.unwrap_or(50);
    if !(1..=500).contains(&limit) {
        return Err(ApiError::field("limit", "每页条数应在1到500之间"));
    }
    let filter = MeetingFilter {
        organization_id: p.organization_id,
        subtree: p.subtree.unwrap_or(true),
        kind: p.kind.filter(|k| !k.is_empty()),
        status: p.status.filter(|s| !s.is_empty()),
        from: p.from,
        to: p.to,
        before: p.after.as_deref().map(parse_cursor).transpose()?,
        limit,
    };
    let rows = state.db.list_meetings(user, &filter).await?;
    let next_cursor = if rows.len() as i64 == limit {
        rows.last().and_then(|r| r.held_on.or(r.planned_on).map(|d| format!("{d}_{}", r.id)))
    } else {
        None
    };
    Ok(Json(MeetingPage {
        items: rows.into_iter().map(|r| meeting_view(r, Vec::new(), Vec::new())).collect(),
        next_cursor,
    }))
}

/// 登记会议（计划或已召开）
#[utoipa::path(post, path = "/api/v1/meetings", tag = "组织生活", request_body = MeetingFields,
    responses((status = 201, body = MeetingView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn create_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<MeetingFields>,
) -> ApiResult<(StatusCode, Json<MeetingView>)> {
    caller.domain()?;
    let meeting = domain::meetings::record(&state.ctx(), &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(full_view(meeting))))
}

/// 会议详情
#[utoipa::path(get, path = "/api/v1/meetings/{id}", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, body = MeetingView), (status = 404, body = ErrorBody)))]
async fn get_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<MeetingView>> {
    Ok(Json(full_view(state.db.get_meeting(caller.domain()?, id).await?)))
}

/// 修改会议记录（计划的会议召开后在此补记）
#[utoipa::path(put, path = "/api/v1/meetings/{id}", tag = "组织生活", params(("id" = Uuid, Path)), request_body = UpdateMeeting,
    responses((status = 200, body = MeetingView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn update_meeting(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateMeeting>,
) -> ApiResult<Json<MeetingView>> {
    caller.domain()?;
    let meeting = domain::meetings::revise(&state.ctx(), &caller.actor, id, req.version, req.fields).await?;
    Ok(Json(full_view(meeting)))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ExpectedAttendee {
    pub member_id: Uuid,
    pub name: String,
    /// `full` or `probationary`.
    pub status: String,
}

/// 应参会人员（本组织及下级党小组的党员）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/expected-attendees", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ExpectedAttendee>), (status = 404, body = ErrorBody)))]
async fn expected_attendees(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<ExpectedAttendee>>> {
    let rows = state.db.expected_attendees(caller.domain()?, id).await?;
    Ok(Json(
        rows.into_iter().map(|m| ExpectedAttendee { member_id: m.member_id, name: m.name, status: m.status }).collect(),
    ))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct YearParams {
    /// Calendar year (default: this year).
    pub year: Option<i32>,
}

fn year_period(state: &AppState, year: Option<i32>) -> ApiResult<Period> {
    let year = year.unwrap_or_else(|| state.today().year());
    let from = NaiveDate::from_ymd_opt(year, 1, 1).filter(|_| (1921..=2100).contains(&year));
    let from = from.ok_or_else(|| ApiError::field("year", "年份应在1921到2100之间"))?;
    Ok(Period { from, to: NaiveDate::from_ymd_opt(year, 12, 31).expect("31 December") })
}

/// The year's compliance calendar of one organization.
async fn calendar(state: &AppState, caller: &Caller, id: Uuid, period: Period) -> ApiResult<orglife::Compliance> {
    state.db.check_readable(caller.domain()?, id).await?;
    let year = period.from.year();
    let index = state.life.read(&state.db, year).await?;
    let today = state.today();
    orglife::calendar(
        &state.rules,
        index.forest(),
        index.counts(year),
        id,
        period,
        today,
        state.config.orglife_warning_days,
    )?
    .ok_or_else(ApiError::not_found)
}

/// The compliance of every organization of a subtree, summed up the tree.
async fn rollup(state: &AppState, caller: &Caller, root: Uuid, period: Period) -> ApiResult<orglife::Rollup> {
    state.db.check_readable(caller.domain()?, root).await?;
    let year = period.from.year();
    let index = state.life.read(&state.db, year).await?;
    let today = state.today();
    let warning_days = state.config.orglife_warning_days;
    Ok(orglife::rollup(&state.rules, index.forest(), index.counts(year), root, period, today, warning_days)?)
}

/// 组织生活日历：本组织一年中每项要求的每个时段是否已完成、待完成、已逾期
#[utoipa::path(get, path = "/api/v1/organizations/{id}/compliance", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, description = "Compliance: requirements with windows (from, to, required, held, status done|due|overdue|upcoming, warning)", body = Object),
        (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn org_compliance(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<YearParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let period = year_period(&state, p.year)?;
    let one = calendar(&state, &caller, id, period).await?;
    Ok(Json(
        serde_json::json!({ "year": period.from.year(), "today": state.today(), "warning_days": state.config.orglife_warning_days, "compliance": one }),
    ))
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

#[derive(Serialize)]
struct RollupAnswer<'a> {
    year: i32,
    today: NaiveDate,
    kinds: &'a [orglife::KindTotal],
    /// Organizations of the subtree in all.
    organizations_total: usize,
    organizations: Vec<&'a orglife::RollupRow>,
    /// Organizations with overdue windows of their own, in all.
    behind_total: usize,
    behind: Vec<&'a orglife::RollupRow>,
}

/// 组织生活汇总：下级各组织按类型的完成情况，以及落后的组织
#[utoipa::path(get, path = "/api/v1/organizations/{id}/compliance-rollup", tag = "组织生活", params(("id" = Uuid, Path), RollupParams),
    responses((status = 200, description = "{year, today, kinds: [{kind,label,done,due,overdue,upcoming,warning}], organizations_total, organizations: [{organization_id,parent_id,name,short_name,kind,depth,children,own,subtree}] down to `depth` levels, behind_total, behind: [...] most overdue first}", body = Object),
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
    let all = rollup(&state, &caller, id, period).await?;
    let behind = all.behind();
    let answer = RollupAnswer {
        year: period.from.year(),
        today: state.today(),
        kinds: &all.kinds,
        organizations_total: all.rows.len(),
        organizations: all.rows.iter().filter(|r| r.depth <= depth).collect(),
        behind_total: behind.len(),
        behind: behind.into_iter().take(limit).collect(),
    };
    Ok(Json(answer).into_response())
}

/// 组织生活汇总表（Excel）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/compliance-rollup.xlsx", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, description = "Excel 文件"), (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn rollup_export(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<YearParams>,
) -> ApiResult<Response> {
    let period = year_period(&state, p.year)?;
    let all = rollup(&state, &caller, id, period).await?;
    let table: Vec<Vec<String>> = all
        .rows
        .iter()
        .map(|r| {
            let kind = OrgKind::from_code(&r.kind).map(OrgKind::label).unwrap_or("");
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
/// The most 组织生活会 problems one answer lists; a subtree with more is asked to narrow.
pub const LIFE_ISSUES_MAX: i64 = 5000;

/// 党员参加组织生活情况
#[utoipa::path(get, path = "/api/v1/organizations/{id}/participation", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, description = "[{member_id,name,organization_id,expected,present,leave,absent,consecutive_absences,last_present}]", body = Vec<Object>),
        (status = 404, body = ErrorBody), (status = 422, description = "scope_too_large: more than 5,000 members in the subtree", body = ErrorBody)))]
async fn participation(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<YearParams>,
) -> ApiResult<Json<serde_json::Value>> {
    let period = year_period(&state, p.year)?;
    let user = caller.domain()?;
    // A member with the member role on their own organization sees their own line only.
    let only = match state.db.read_scope(user, id).await? {
        ReadScope::Whole => None,
        ReadScope::Member(member) => Some(member),
    };
    let org = state.db.get_org(user, id).await?;
    let members = org.full_members + org.probationary_members;
    if only.is_none() && members > PARTICIPATION_MAX_MEMBERS {
        return Err(ApiError::too_large(format!(
            "该组织及下级共有党员 {members} 名，超过一次统计 {PARTICIPATION_MAX_MEMBERS} 名的上限，请选择下级组织查看党员参加情况"
        )));
    }
    // A 党小组's or 临时党支部's members are placed there: their attendance at its own meetings.
    let rows = if org.kind().is_some_and(|k| matches!(k, OrgKind::PartyGroup | OrgKind::TemporaryBranch)) {
        state.db.placed_attendance(id, period.from, period.to, only).await?
    } else {
        state.db.attendance(id, period.from, period.to, only).await?
    };
    let mut list = orglife::participation(&rows);
    list.sort_by(|a, b| b.consecutive_absences.cmp(&a.consecutive_absences).then(a.name.cmp(&b.name)));
    Ok(Json(serde_json::to_value(list).map_err(ApiError::internal)?))
}

/// 三会一课台账（Excel）：一个组织一年中已召开的会议
#[utoipa::path(get, path = "/api/v1/organizations/{id}/meetings-ledger.xlsx", tag = "组织生活", params(("id" = Uuid, Path), YearParams),
    responses((status = 200, description = "Excel 文件"), (status = 404, body = ErrorBody), (status = 422, description = "scope_too_large: more rows than one answer may hold", body = ErrorBody)))]
async fn meeting_ledger(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<YearParams>,
) -> ApiResult<Response> {
    let period = year_period(&state, p.year)?;
    let user = caller.domain()?;
    state.db.check_readable(user, id).await?;
    let org = state.db.get_org(user, id).await?;
    let filter = MeetingFilter {
        organization_id: Some(id),
        subtree: true,
        status: Some("held".into()),
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
                kind_label(&r.kind).to_owned(),
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

/// What an export's audit record says besides who and which organization.
fn export_details(what: &str, format: &str, filter: serde_json::Value, rows: usize) -> serde_json::Value {
    serde_json::json!({ "what": what, "format": format, "filter": filter, "rows": rows })
}

/// Audits an export before its file is sent: no record, no file.
async fn record_export(
    state: &AppState,
    caller: &Caller,
    action: &str,
    entity_type: &str,
    entity_id: Option<Uuid>,
    org: Uuid,
    details: serde_json::Value,
) -> ApiResult<()> {
    let event =
        Event { action, entity_type, entity_id, organization_id: Some(org), before: None, after: Some(details) };
    Ok(state.db.record_export(&caller.actor, event, state.now()).await?)
}

async fn xlsx_response(title: &str, head: &[&str], rows: Vec<Vec<String>>, filename: &str) -> ApiResult<Response> {
    let (title, head) = (title.to_owned(), head.iter().map(|h| h.to_string()).collect::<Vec<_>>());
    let bytes = tokio::task::spawn_blocking(move || dangwu_reports::table(&title, &head, &rows))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "attachment; filename=\"export.xlsx\"; filename*=UTF-8''{}",
                    super::members::percent_encode(filename)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
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
    responses((status = 201, description = "{created, meetings: [Meeting]}", body = Object), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody), (status = 422, description = "rule_not_in_force: no version of a rule applies on that date", body = ErrorBody)))]
async fn meeting_plan(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PlanRequest>,
) -> ApiResult<(StatusCode, Json<serde_json::Value>)> {
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
    let today = state.today();
    let org = calendar(&state, &caller, id, year).await?;
    let planned = state
        .db
        .list_meetings(
            user,
            &MeetingFilter {
                organization_id: Some(id),
                subtree: false,
                status: Some("planned".into()),
                from: Some(year.from),
                to: Some(year.to),
                limit: MEETINGS_MAX_ROWS + 1,
                ..Default::default()
            },
        )
        .await?;
    if planned.len() as i64 > MEETINGS_MAX_ROWS {
        return Err(ApiError::too_large(format!(
            "本组织本年度已有超过 {MEETINGS_MAX_ROWS} 条会议计划，请先清理后再生成"
        )));
    }
    let mut inputs = Vec::new();
    for req in &org.requirements {
        // Party groups plan their own meetings; talks are between pairs of people, not meetings.
        if matches!(req.scope, rules_life::RequirementScope::EachPartyGroup | rules_life::RequirementScope::EachPair) {
            continue;
        }
        for w in req.windows.iter().filter(|w| w.to >= today && w.to >= period.from && w.from <= period.to) {
            let already = planned
                .iter()
                .filter(|m| m.kind == req.kind && m.planned_on.is_some_and(|d| d >= w.from && d <= w.to))
                .count() as u32;
            let missing = w.required.saturating_sub(w.held + already);
            for k in 0..missing {
                let wanted = w.from + chrono::Duration::days(14 + 7 * i64::from(k));
                let day = wanted.max(today).max(w.from).min(w.to);
                inputs.push(MeetingInput {
                    organization_id: id,
                    kind: req.kind.to_owned(),
                    status: "planned".into(),
                    planned_on: Some(day),
                    topic: format!("{}（计划）", req.label),
                    ..MeetingInput::default()
                });
            }
        }
    }
    let ids = state.db.plan_meetings(&caller.actor, id, &inputs, state.now()).await?;
    let created: Vec<serde_json::Value> = inputs
        .iter()
        .zip(&ids)
        .map(|(m, id)| serde_json::json!({"id": id, "kind": m.kind, "kind_label": kind_label(&m.kind), "planned_on": m.planned_on, "topic": m.topic}))
        .collect();
    Ok((StatusCode::CREATED, Json(serde_json::json!({ "created": ids.len(), "meetings": created }))))
}

/// 组织生活会查摆的问题（待转入整改清单的在前）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/life-issues", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Object>), (status = 404, body = ErrorBody), (status = 422, description = "scope_too_large: more rows than one answer may hold", body = ErrorBody)))]
async fn life_issues(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<serde_json::Value>> {
    let rows = state.db.life_issues(caller.domain()?, id, LIFE_ISSUES_MAX).await?;
    serde_json::to_value(rows).map(Json).map_err(ApiError::internal)
}

/// 会议记录（PDF，可打印）
#[utoipa::path(get, path = "/api/v1/meetings/{id}/record.pdf", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
async fn meeting_pdf(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    use dangwu_reports::pdf;
    let m = state.db.get_meeting(caller.domain()?, id).await?;
    let names =
        |status: &str| m.attendees.iter().filter(|a| a.status == status).map(|a| a.name.clone()).collect::<Vec<_>>();
    let votes: Vec<VoteRecord> = serde_json::from_str(&m.row.votes_json).unwrap_or_default();
    let agenda: Vec<AgendaItem> = serde_json::from_str(&m.row.agenda_json).unwrap_or_default();
    let quorum = m.row.quorum_json.as_deref().and_then(|q| serde_json::from_str::<serde_json::Value>(q).ok());
    let filter = serde_json::json!({"meeting_id": id, "kind": m.row.kind, "date": m.row.held_on.or(m.row.planned_on)});
    // Its rows are the attendees named in the record.
    let details = export_details("会议记录", "pdf", filter, m.attendees.len());
    record_export(&state, &caller, "meeting.export_record", "meeting", Some(id), m.row.organization_id, details)
        .await?;
    let local_now = state.local_now();
    let record = pdf::MeetingRecord {
        organization: m.row.organization_name.clone(),
        kind: kind_label(&m.row.kind).to_owned(),
        topic: m.row.topic.clone(),
        date: m.row.held_on.or(m.row.planned_on).unwrap_or_else(|| state.today()),
        start_time: m.row.start_time.clone(),
        end_time: m.row.end_time.clone(),
        place: m.row.place.clone(),
        chair: m.row.chair.clone(),
        recorder: m.row.recorder.clone(),
        lecturer: Some(m.row.lecturer.clone()).filter(|l| !l.is_empty()),
        expected: m.row.expected as u32,
        present: m.row.present as u32,
        attendees: names("present"),
        on_leave: m
            .attendees
            .iter()
            .filter(|a| a.status == "leave")
            .map(|a| pdf::Leave { name: a.name.clone(), reason: a.reason.clone() })
            .collect(),
        absent: names("absent"),
        agenda: agenda
            .into_iter()
            .map(|a| pdf::AgendaItem { title: a.title, first_topic: a.first_topic, decision: a.decision })
            .collect(),
        minutes: m.row.minutes.clone(),
        decisions: m.row.decisions.clone(),
        votes: votes
            .into_iter()
            .map(|v| pdf::Vote {
                motion: v.motion,
                in_favour: v.in_favour,
                against: v.against,
                abstain: v.abstain,
                result: if v.passed { "通过" } else { "未通过" }.into(),
                message: v.message,
            })
            .collect(),
        quorum: quorum.and_then(|q| q["message"].as_str().map(str::to_owned)),
        problems: m
            .issues
            .iter()
            .map(|i| pdf::Problem {
                raised_by: i.raised_by.clone(),
                problem: i.problem.clone(),
                measure: i.measure.clone(),
            })
            .collect(),
        generated_at: local_now,
    };
    let bytes = tokio::task::spawn_blocking(move || pdf::meeting_record(&record))
        .await
        .map_err(ApiError::internal)?
        .map_err(ApiError::internal)?;
    let filename = format!(
        "会议记录-{}-{}.pdf",
        kind_label(&m.row.kind),
        m.row.held_on.or(m.row.planned_on).map(|d| d.to_string()).unwrap_or_default()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"record.pdf\"; filename*=UTF-8''{}",
                    super::members::percent_encode(&filename)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
