//! Placements (编入): the members of a 党小组 or 临时党支部, who hold their formal relationship in a
//! branch and take part in the organizational life of the organization they are placed in.

use axum::Json;
use axum::extract::State;
use dangwu_store::placements::Placement;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::domain::{self, placements::PlacementFields};
use crate::error::{ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath};
use crate::replica::ReadDb;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(list_placements, replace_placements))
}

/// 编入的党员：党小组或临时党支部的成员（组织关系在各自党支部），按姓名排序；其他组织为空
#[utoipa::path(get, path = "/api/v1/organizations/{id}/placements", tag = "组织", params(("id" = Uuid, Path)),
    responses((status = 200, body = Vec<Placement>), (status = 401, body = ErrorBody),
        (status = 403, description = "forbidden: the member role sees its own organization, not its roster", body = ErrorBody),
        (status = 404, body = ErrorBody)))]
async fn list_placements(
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<Json<Vec<Placement>>> {
    Ok(Json(db.placements(caller.domain()?, id).await?))
}

/// 调整编入的党员（整体替换）：党小组只编入本支部党员且每人只编入一个党小组；临时党支部可编入有权管理的任一党员
#[utoipa::path(put, path = "/api/v1/organizations/{id}/placements", tag = "组织", params(("id" = Uuid, Path)),
    request_body = PlacementFields,
    responses((status = 200, description = "The members placed now", body = Vec<Placement>),
        (status = 400, description = "validation_failed: `member_ids[i]` unknown, out of the caller's reach, not writable by the caller, or repeated", body = ErrorBody),
        (status = 401, body = ErrorBody), (status = 403, body = ErrorBody), (status = 404, body = ErrorBody),
        (status = 409, description = "rule_violation: `placement.organization_kind`, `placement.party_group_branch`, `placement.one_party_group` or `org.parent_active`; `fields` names the member when one is concerned", body = ErrorBody)))]
async fn replace_placements(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<PlacementFields>,
) -> ApiResult<Json<Vec<Placement>>> {
    caller.domain()?;
    Ok(Json(domain::placements::replace(&state.ctx(), &caller.actor, id, req).await?))
}
