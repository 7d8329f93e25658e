//! Organizational life (组织生活): meeting records and plans, the compliance calendar of an
//! organization, the rollup of a subtree, members' participation, and the 三会一课 ledger as Excel.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::{StatusCode, header};
use axum::response::{IntoResponse, Response};
use chrono::{Datelike, NaiveDate};
use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::orglife::Period;
use dangwu_store::access::Access;
use dangwu_store::audit::Event;
use dangwu_store::meetings::{Attendee, LifeIssue, MEETINGS_MAX_ROWS, Meeting, MeetingFilter, MeetingRow};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::domain::compliance as orglife;
use crate::domain::{
    self,
    meetings::{MeetingFields, Planned},
};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath, ApiQuery};

mod compliance;
mod plans;
mod records;

pub use records::{MeetingView, UpdateMeeting};

pub fn router() -> OpenApiRouter<AppState> {
    records::router().merge(compliance::router()).merge(plans::router())
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

/// The organization of the path (`/organizations/{id}/…`) and the year asked for (`?year=`, default
/// this year) as a period: what every yearly view of an organization starts from.
struct OrgYear {
    id: Uuid,
    period: Period,
}

impl FromRequestParts<AppState> for OrgYear {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &AppState) -> ApiResult<OrgYear> {
        let ApiPath(id) = ApiPath::<Uuid>::from_request_parts(parts, state).await?;
        let ApiQuery(p) = ApiQuery::<YearParams>::from_request_parts(parts, state).await?;
        Ok(OrgYear { id, period: year_period(state, p.year)? })
    }
}

/// The year's compliance calendar of one organization.
async fn calendar(state: &AppState, caller: &Caller, id: Uuid, period: Period) -> ApiResult<orglife::Compliance> {
    let warning_days = state.config.orglife_warning_days;
    let ctx = state.ctx();
    Ok(domain::calendar::of_organization(&ctx, &state.life, caller.domain()?, id, period, warning_days).await?)
}

/// The compliance of every organization of a subtree, summed up the tree: the caller's right checked
/// now, the result shared with everyone asking for the same (see [`domain::dashboards`]).
async fn rollup(
    state: &AppState,
    caller: &Caller,
    root: Uuid,
    period: Period,
) -> ApiResult<(domain::dashboards::RollupKey, std::sync::Arc<domain::dashboards::RollupView>)> {
    let ctx = state.ctx();
    let warning_days = state.config.orglife_warning_days;
    let key = domain::dashboards::rollup_key(&ctx, caller.domain()?, root, period, warning_days).await?;
    let view = domain::dashboards::rollup(&ctx, &state.life, &state.dashboards, &key).await?;
    Ok((key, view))
}

/// What an export's audit record says besides who and which organization.
pub(crate) fn export_details(what: &str, format: &str, filter: serde_json::Value, rows: usize) -> serde_json::Value {
    serde_json::json!({ "what": what, "format": format, "filter": filter, "rows": rows })
}

/// Audits an export before its file is sent: no record, no file.
pub(crate) async fn record_export(
    state: &AppState,
    caller: &Caller,
    action: &str,
    entity_type: &str,
    entity_id: Option<Uuid>,
    org: Uuid,
    details: serde_json::Value,
) -> ApiResult<()> {
    let event = Event::new(action, entity_type, entity_id).in_org(org).after(details);
    Ok(state.db.record_export(&caller.actor, event, state.now()).await?)
}

pub(crate) async fn xlsx_response(
    title: &str,
    head: &[&str],
    rows: Vec<Vec<String>>,
    filename: &str,
) -> ApiResult<Response> {
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
