//! Meeting records: list, record, read and revise them, whom a meeting expects, the printable record.

use super::*;
use crate::replica::ReadDb;

pub(super) fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_meetings, create_meeting))
        .routes(routes!(get_meeting, update_meeting))
        .routes(routes!(expected_attendees))
        .routes(routes!(meeting_pdf))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMeeting {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[serde(flatten)]
    pub fields: MeetingFields,
}

/// A meeting record with its attendance and the problems raised at it.
#[derive(Debug, Serialize, ToSchema)]
pub struct MeetingView {
    #[serde(flatten)]
    pub record: MeetingRow,
    pub kind_label: &'static str,
    /// Empty in lists.
    pub attendees: Vec<Attendee>,
    /// Empty in lists.
    pub issues: Vec<LifeIssue>,
}

fn list_view(record: MeetingRow) -> MeetingView {
    MeetingView { kind_label: record.kind.label(), record, attendees: Vec::new(), issues: Vec::new() }
}

fn full_view(m: Meeting) -> MeetingView {
    MeetingView { kind_label: m.row.kind.label(), record: m.row, attendees: m.attendees, issues: m.issues }
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct MeetingParams {
    pub organization_id: Option<Uuid>,
    /// Include sub-organizations (default true).
    pub subtree: Option<bool>,
    pub kind: Option<RecordKind>,
    pub status: Option<MeetingStatus>,
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
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<MeetingParams>,
) -> ApiResult<Json<MeetingPage>> {
    let user = caller.domain()?;
    let limit = ApiError::page_limit(p.limit, 500)?;
    let filter = MeetingFilter {
        organization_id: p.organization_id,
        subtree: p.subtree.unwrap_or(true),
        kind: p.kind,
        status: p.status,
        from: p.from,
        to: p.to,
        before: p.after.as_deref().map(parse_cursor).transpose()?,
        limit,
    };
    let rows = db.list_meetings(user, &filter).await?;
    let next_cursor = if rows.len() as i64 == limit {
        rows.last().and_then(|r| r.held_on.or(r.planned_on).map(|d| format!("{d}_{}", r.id)))
    } else {
        None
    };
    Ok(Json(MeetingPage { items: rows.into_iter().map(list_view).collect(), next_cursor }))
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
async fn get_meeting(caller: Caller, ReadDb(db): ReadDb, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Json<MeetingView>> {
    Ok(Json(full_view(db.get_meeting(caller.domain()?, id).await?)))
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
    pub status: dangwu_rules::member::Status,
}

/// 应参会人员（本组织及下级党小组的党员）
#[utoipa::path(get, path = "/api/v1/organizations/{id}/expected-attendees", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<ExpectedAttendee>), (status = 404, body = ErrorBody)))]
async fn expected_attendees(
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<ExpectedAttendee>>> {
    let rows = db.expected_attendees(caller.domain()?, id).await?;
    Ok(Json(
        rows.into_iter().map(|m| ExpectedAttendee { member_id: m.member_id, name: m.name, status: m.status }).collect(),
    ))
}

/// 会议记录（PDF，可打印）
#[utoipa::path(get, path = "/api/v1/meetings/{id}/record.pdf", tag = "组织生活", params(("id" = Uuid, Path)),
    responses((status = 200, description = "PDF 文件", content_type = "application/pdf"), (status = 404, body = ErrorBody)))]
async fn meeting_pdf(State(state): State<AppState>, caller: Caller, ApiPath(id): ApiPath<Uuid>) -> ApiResult<Response> {
    use dangwu_reports::pdf;
    let m = state.db.get_meeting(caller.domain()?, id).await?;
    let names = |status: Attendance| {
        m.attendees.iter().filter(|a| a.status == status).map(|a| a.name.clone()).collect::<Vec<_>>()
    };
    let filter = serde_json::json!({"meeting_id": id, "kind": m.row.kind, "date": m.row.held_on.or(m.row.planned_on)});
    // Its rows are the attendees named in the record.
    let details = export_details("会议记录", "pdf", filter, m.attendees.len());
    record_export(&state, &caller, "meeting.export_record", "meeting", Some(id), m.row.organization_id, details)
        .await?;
    let local_now = state.local_now();
    let record = pdf::MeetingRecord {
        organization: m.row.organization_name.clone(),
        kind: m.row.kind.label().to_owned(),
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
        attendees: names(Attendance::Present),
        on_leave: m
            .attendees
            .iter()
            .filter(|a| a.status == Attendance::Leave)
            .map(|a| pdf::Leave { name: a.name.clone(), reason: a.reason.clone() })
            .collect(),
        absent: names(Attendance::Absent),
        agenda: m
            .row
            .agenda
            .iter()
            .map(|a| pdf::AgendaItem { title: a.title.clone(), first_topic: a.first_topic, decision: a.decision })
            .collect(),
        minutes: m.row.minutes.clone(),
        decisions: m.row.decisions.clone(),
        votes: m
            .row
            .votes
            .iter()
            .map(|v| pdf::Vote {
                motion: v.motion.clone(),
                in_favour: v.in_favour + v.written_in_favour,
                against: v.against + v.written_against,
                abstain: v.abstain + v.written_abstain,
                result: if v.passed { "通过" } else { "未通过" }.into(),
                message: v.message.clone(),
            })
            .collect(),
        quorum: m.row.quorum.as_ref().map(|q| q.message.clone()),
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
        m.row.kind.label(),
        m.row.held_on.or(m.row.planned_on).map(|d| d.to_string()).unwrap_or_default()
    );
    Ok((
        [
            (header::CONTENT_TYPE, "application/pdf".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!(
                    "inline; filename=\"record.pdf\"; filename*=UTF-8''{}",
                    crate::routes::members::percent_encode(&filename)
                ),
            ),
        ],
        bytes,
    )
        .into_response())
}
