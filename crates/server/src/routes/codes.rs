//! The code lists with their Chinese labels, from their one declaration each, so that the web app
//! shows the same names as the server and never keeps a second table.

use axum::Json;
use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::election::SeatKind;
use dangwu_rules::idcard::Gender;
use dangwu_rules::member::{Occupation, Status};
use dangwu_rules::org::{OrgKind, OrgStatus};
use dangwu_rules::orglife::ExclusionReason;
use dangwu_store::access::{Role, SystemRole};
use dangwu_store::appraisals::Grade;
use serde::Serialize;
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiResult, ErrorBody};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(code_lists))
}

/// One code and its label.
#[derive(Debug, Serialize, ToSchema)]
pub struct Code {
    pub code: String,
    pub label: &'static str,
}

/// Every code list the API takes or answers with.
#[derive(Debug, Serialize, ToSchema)]
pub struct CodeLists {
    pub org_kinds: Vec<Code>,
    pub org_statuses: Vec<Code>,
    pub member_statuses: Vec<Code>,
    pub genders: Vec<Code>,
    pub occupations: Vec<Code>,
    pub grades: Vec<Code>,
    pub roles: Vec<Code>,
    pub system_roles: Vec<Code>,
    pub meeting_kinds: Vec<Code>,
    pub meeting_statuses: Vec<Code>,
    pub attendance: Vec<Code>,
    pub exclusion_reasons: Vec<Code>,
    pub seat_kinds: Vec<Code>,
}

/// The code of a serde-named value (its wire form).
fn wire<T: Serialize>(value: T) -> String {
    serde_json::to_value(value).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default()
}

fn list<T: Serialize + Copy>(all: &[T], label: fn(T) -> &'static str) -> Vec<Code> {
    all.iter().map(|v| Code { code: wire(*v), label: label(*v) }).collect()
}

/// 代码表：组织类型、会议类型、出席情况等的代码与名称
#[utoipa::path(get, path = "/api/v1/codes", tag = "计算器",
    responses((status = 200, body = CodeLists), (status = 401, body = ErrorBody)))]
async fn code_lists(_caller: Caller) -> ApiResult<Json<CodeLists>> {
    Ok(Json(CodeLists {
        org_kinds: list(&OrgKind::ALL, OrgKind::label),
        org_statuses: list(&OrgStatus::ALL, OrgStatus::label),
        member_statuses: list(&Status::ALL, Status::label),
        genders: list(&Gender::ALL, Gender::label),
        occupations: list(&Occupation::ALL, Occupation::label),
        grades: list(&Grade::ALL, Grade::label),
        roles: list(&Role::ALL, Role::label),
        system_roles: list(&SystemRole::ALL, SystemRole::label),
        meeting_kinds: list(&RecordKind::ALL, RecordKind::label),
        meeting_statuses: list(&MeetingStatus::ALL, MeetingStatus::label),
        attendance: list(&Attendance::ALL, Attendance::label),
        exclusion_reasons: list(&ExclusionReason::ALL, ExclusionReason::label),
        seat_kinds: list(&[SeatKind::CommitteeMembers, SeatKind::Delegates], SeatKind::label),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_the_wire_codes() {
        let kinds = list(&RecordKind::ALL, RecordKind::label);
        assert_eq!(kinds[0].code, "general_meeting");
        assert_eq!(list(&[SeatKind::Delegates], SeatKind::label)[0].code, "delegates");
        assert!(list(&ExclusionReason::ALL, ExclusionReason::label).iter().all(|c| !c.code.is_empty()));
    }
}
