//! Members (党员): list with filters, Excel roster, one member (masked or, audited, unmasked), create,
//! edit, history.

use axum::Json;
use axum::extract::State;
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::NaiveDate;
use dangwu_rules::RuleBook;
use dangwu_rules::idcard::{self, Gender};
use dangwu_rules::member::{Occupation, Status};
use dangwu_store::audit::Event;
use dangwu_store::members::{Member, MemberCursor, MemberFilter};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::{Change, history};
use crate::AppState;
use crate::auth::Caller;
use crate::domain;
use crate::domain::members::MemberFields;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};
use crate::replica::ReadDb;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_members, create_member))
        .routes(routes!(export_members))
        .routes(routes!(get_member, update_member))
        .routes(routes!(member_history))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberView {
    pub id: Uuid,
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    /// Masked (`1****************X`, phone `138******78`) unless `id_number_masked` is false.
    pub id_number: String,
    pub id_number_masked: bool,
    pub education: String,
    /// 职业: the categories of the Party statistics (regulations 10.4).
    pub occupation: Occupation,
    pub work_unit: String,
    pub post: String,
    pub phone: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    /// 正式党员 or 预备党员.
    pub status: Status,
    /// A probationary member's end of probation (one year from `joined_on`, rule `recruit.probation_years`).
    pub probation_ends: Option<NaiveDate>,
    /// The probation has ended without a conversion being recorded: the branch owes a decision.
    pub probation_overdue: bool,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub version: i64,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub updated_at: chrono::DateTime<chrono::Utc>,
}

pub fn member_view(m: Member, unmasked: bool, rules: &RuleBook, today: NaiveDate) -> MemberView {
    // A probation whose rule is not in force on the joining day (before 1982) is not judged.
    let probation_ends = (m.status == Status::Probationary)
        .then(|| dangwu_rules::member::probation(rules, m.joined_on).ok())
        .flatten()
        .map(|p| p.ends);
    MemberView {
        probation_ends,
        probation_overdue: probation_ends.is_some_and(|end| today > end),
        id_number: if unmasked { m.id_number } else { idcard::mask(&m.id_number) },
        phone: if unmasked { m.phone } else { idcard::mask_phone(&m.phone) },
        id_number_masked: !unmasked,
        id: m.id,
        name: m.name,
        gender: m.gender,
        ethnicity: m.ethnicity,
        birth_date: m.birth_date,
        education: m.education,
        occupation: m.occupation,
        work_unit: m.work_unit,
        post: m.post,
        joined_on: m.joined_on,
        converted_on: m.converted_on,
        status: m.status,
        organization_id: m.organization_id,
        organization_name: m.organization_name,
        version: m.version,
        created_at: m.created_at,
        updated_at: m.updated_at,
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct UpdateMember {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[serde(flatten)]
    pub fields: MemberFields,
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct ListParams {
    /// Only members of this organization (and, with `subtree`, those below it).
    pub organization_id: Option<Uuid>,
    /// Include sub-organizations (default true).
    pub subtree: Option<bool>,
    /// Part of the name, or a whole ID number or phone number (found only by roles that may see them).
    pub q: Option<String>,
    #[serde(default, deserialize_with = "crate::json::empty_as_none")]
    pub status: Option<Status>,
    /// Page size, 1–200 (default 50).
    pub limit: Option<i64>,
    /// The `next_cursor` of the previous page (opaque).
    #[param(max_length = 1000)]
    pub after: Option<String>,
    /// Export only: full ID numbers and phones (roles that may see them; audited).
    pub unmask: Option<bool>,
}

impl ListParams {
    fn filter(&self, limit: i64) -> ApiResult<MemberFilter> {
        if self.q.as_ref().is_some_and(|q| q.chars().count() > 50) {
            return Err(ApiError::field("q", "关键词不超过50字"));
        }
        let after = match self.after.as_deref().filter(|a| !a.is_empty()) {
            Some(a) => Some(
                MemberCursor::parse(a).ok_or_else(|| ApiError::field("after", "分页位置无效，请从第一页重新开始"))?,
            ),
            None => None,
        };
        Ok(MemberFilter {
            organization_id: self.organization_id,
            subtree: self.subtree.unwrap_or(true),
            text: self.q.clone(),
            status: self.status,
            after,
            limit,
            no_total: false,
        })
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct MemberPage {
    /// In order of organization, then name (then id).
    pub items: Vec<MemberView>,
    /// Pass as `after` for the next page (opaque); null on the last page.
    pub next_cursor: Option<String>,
    /// How many members match: exact up to 10,000 (1,000 with `q`); above that the cap, with
    /// `total_exact` false.
    pub total: i64,
    /// False when more than `total` members match (the count stops at 10,000, or 1,000 with `q`).
    pub total_exact: bool,
}

/// 党员列表
#[utoipa::path(get, path = "/api/v1/members", tag = "党员", params(ListParams),
    responses((status = 200, body = MemberPage), (status = 400, body = ErrorBody)))]
async fn list_members(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Json<MemberPage>> {
    let user = caller.domain()?;
    let limit = ApiError::page_limit(p.limit, 200)?;
    // One row more than the page tells whether another page follows, so a full last page has no cursor.
    let (mut items, total) = db.list_members(user, &p.filter(limit + 1)?).await?;
    let today = state.today();
    let more = items.len() as i64 > limit;
    items.truncate(limit as usize);
    let next_cursor = if more { items.last().map(|m| MemberCursor::after(m).encode()) } else { None };
    Ok(Json(MemberPage {
        items: items.into_iter().map(|m| member_view(m, false, &state.rules, today)).collect(),
        next_cursor,
        total: total.count,
        total_exact: total.exact,
    }))
}

/// 导出党员花名册（Excel；每次导出均记入审计日志）
///
/// The roster is written page by page into a temporary file as the members are read (constant
/// memory: a page of 1,000 members and the writer's buffers), then sent from the file.
#[utoipa::path(get, path = "/api/v1/members/export.xlsx", tag = "党员", params(ListParams),
    responses((status = 200, description = "Excel 文件", content_type = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
        (status = 400, body = ErrorBody), (status = 422, description = "scope_too_large: more members than one worksheet holds", body = ErrorBody)))]
async fn export_members(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<ListParams>,
) -> ApiResult<Response> {
    let user = caller.domain()?;
    let unmask = p.unmask.unwrap_or(false);
    if unmask {
        let allowed = match p.organization_id {
            Some(org) => db.may_unmask(user, org).await?,
            None => false,
        };
        if !allowed {
            return Err(ApiError::forbidden("导出完整证件号须选定组织，且您的角色有权查看该组织党员的完整信息"));
        }
    }
    let mut filter = p.filter(1000)?;
    filter.after = None;
    filter.no_total = true;

    // The writer runs on a blocking thread and takes pages through a short queue, so reading the
    // next page overlaps writing the last and at most a few pages are held at once.
    let (pages, mut queue) = tokio::sync::mpsc::channel::<Vec<dangwu_reports::RosterRow>>(2);
    let writer = tokio::task::spawn_blocking(move || -> Result<(std::fs::File, u32), String> {
        let mut roster = dangwu_reports::RosterWriter::new().map_err(|e| e.to_string())?;
        while let Some(page) = queue.blocking_recv() {
            for row in &page {
                roster.push(row).map_err(|e| e.to_string())?;
            }
        }
        let mut file = tempfile::tempfile().map_err(|e| e.to_string())?;
        let rows = roster.finish(&mut file).map_err(|e| e.to_string())?;
        Ok((file, rows))
    });
    let mut read = 0u64;
    loop {
        let (page, _) = db.list_members(user, &filter).await?;
        let done = (page.len() as i64) < filter.limit;
        filter.after = page.last().map(MemberCursor::after);
        read += page.len() as u64;
        // A roster cut short would pass for the whole one: refuse instead, saying how to narrow it.
        if read > u64::from(dangwu_reports::ROSTER_MAX_ROWS) {
            return Err(ApiError::too_large(format!(
                "符合条件的党员超过 {} 名，超过一张 Excel 工作表的行数上限，请选择下级组织分别导出",
                dangwu_reports::ROSTER_MAX_ROWS
            )));
        }
        let rows = page.into_iter().map(|m| roster_row(m, unmask)).collect();
        if pages.send(rows).await.is_err() {
            break; // the writer stopped: its error is reported below
        }
        if done {
            break;
        }
    }
    drop(pages);
    let (mut file, rows) =
        writer.await.map_err(ApiError::internal)?.map_err(|e| ApiError::internal(format!("花名册写入失败：{e}")))?;

    let filter = serde_json::json!({
        "organization_id": p.organization_id, "subtree": p.subtree.unwrap_or(true), "q": p.q, "status": p.status,
    });
    let event = Event::new(if unmask { "member.export_unmasked" } else { "member.export" }, "member", None)
        .in_org(p.organization_id)
        .after(serde_json::json!({
            "format": "xlsx", "what": "党员花名册", "unmasked": unmask, "filter": filter, "rows": rows,
        }));
    state.db.record_export(&caller.actor, event, state.now()).await?;

    use std::io::Seek;
    let length = file.seek(std::io::SeekFrom::End(0)).map_err(ApiError::internal)?;
    file.rewind().map_err(ApiError::internal)?;
    let body = axum::body::Body::from_stream(tokio_util::io::ReaderStream::new(tokio::fs::File::from_std(file)));
    let filename = format!("党员花名册-{}.xlsx", state.today());
    Ok((
        [
            (header::CONTENT_TYPE, "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet".to_owned()),
            (
                header::CONTENT_DISPOSITION,
                format!("attachment; filename=\"members.xlsx\"; filename*=UTF-8''{}", percent_encode(&filename)),
            ),
            (header::CONTENT_LENGTH, length.to_string()),
        ],
        body,
    )
        .into_response())
}

/// One roster line as exported: codes as labels, ID number and phone masked unless `unmask`.
fn roster_row(m: Member, unmask: bool) -> dangwu_reports::RosterRow {
    dangwu_reports::RosterRow {
        organization: m.organization_name,
        gender: m.gender.label().into(),
        occupation: m.occupation.label().into(),
        status: m.status.label().into(),
        id_number: if unmask { m.id_number } else { idcard::mask(&m.id_number) },
        phone: if unmask { m.phone } else { idcard::mask_phone(&m.phone) },
        name: m.name,
        birth_date: m.birth_date,
        ethnicity: m.ethnicity,
        education: m.education,
        work_unit: m.work_unit,
        post: m.post,
        joined_on: m.joined_on,
        converted_on: m.converted_on,
    }
}

pub fn percent_encode(s: &str) -> String {
    s.bytes()
        .map(|b| {
            if b.is_ascii_alphanumeric() || b"-._~".contains(&b) {
                (b as char).to_string()
            } else {
                format!("%{b:02X}")
            }
        })
        .collect()
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct GetParams {
    /// Full ID number and phone (only roles that may see them; the read is audited).
    pub unmask: Option<bool>,
}

/// 党员详情
#[utoipa::path(get, path = "/api/v1/members/{id}", tag = "党员", params(("id" = Uuid, Path), GetParams),
    responses((status = 200, body = MemberView), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn get_member(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
    ApiQuery(p): ApiQuery<GetParams>,
) -> ApiResult<Json<MemberView>> {
    let user = caller.domain()?;
    if p.unmask.unwrap_or(false) {
        // Audited as it is read: a write, on the primary.
        let member = state.db.read_member_unmasked(&caller.actor, id, state.now()).await?;
        return Ok(Json(member_view(member, true, &state.rules, state.today())));
    }
    let member = db.get_member(user, id).await?;
    Ok(Json(member_view(member, false, &state.rules, state.today())))
}

/// 新增党员
#[utoipa::path(post, path = "/api/v1/members", tag = "党员", request_body = MemberFields,
    responses((status = 201, body = MemberView), (status = 400, body = ErrorBody), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<MemberFields>,
) -> ApiResult<(StatusCode, Json<MemberView>)> {
    caller.domain()?;
    let member = domain::members::enter(&state.ctx(), &caller.actor, req).await?;
    Ok((StatusCode::CREATED, Json(member_view(member, false, &state.rules, state.today()))))
}

/// 编辑党员信息
#[utoipa::path(put, path = "/api/v1/members/{id}", tag = "党员", params(("id" = Uuid, Path)), request_body = UpdateMember,
    responses((status = 200, body = MemberView), (status = 400, body = ErrorBody), (status = 404, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn update_member(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<UpdateMember>,
) -> ApiResult<Json<MemberView>> {
    caller.domain()?;
    let member = domain::members::edit(&state.ctx(), &caller.actor, id, req.version, req.fields).await?;
    Ok(Json(member_view(member, false, &state.rules, state.today())))
}

/// 党员信息变更记录（证件号、手机号以脱敏形式显示）
#[utoipa::path(get, path = "/api/v1/members/{id}/history", tag = "党员", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Change>), (status = 404, body = ErrorBody)))]
async fn member_history(
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Change>>> {
    db.get_member(caller.domain()?, id).await?;
    let rows = db.entity_history("member", id).await?;
    let mut changes = history(rows, &["organization_id"]);
    for change in &mut changes {
        for f in &mut change.changes {
            let mask: fn(&str) -> String = match f.field.as_str() {
                "id_number" => idcard::mask,
                "phone" => idcard::mask_phone,
                _ => continue,
            };
            for v in [&mut f.before, &mut f.after] {
                if let Some(s) = v.as_str() {
                    *v = serde_json::Value::String(mask(s));
                }
            }
        }
    }
    Ok(Json(changes))
}
