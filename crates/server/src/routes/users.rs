//! Accounts (system admin) and role grants (security admin). Neither role reads domain data.

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use dangwu_store::accounts::{NewUser, PendingReset, ResetOutcome};
use dangwu_store::{Role, SystemRole};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use super::session::{GrantView, check_password_strength};
use crate::AppState;
use crate::auth::{self, Caller};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(list_users, create_user))
        .routes(routes!(reset_password))
        .routes(routes!(list_password_resets))
        .routes(routes!(approve_password_reset))
        .routes(routes!(reject_password_reset))
        .routes(routes!(disable_user))
        .routes(routes!(enable_user))
        .routes(routes!(grant_role))
        .routes(routes!(revoke_grant))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct UserView {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub member_id: Option<Uuid>,
    pub system_role: Option<SystemRole>,
    pub disabled: bool,
    pub grants: Vec<GrantView>,
}

/// 用户列表（系统管理员、安全保密管理员）
#[utoipa::path(get, path = "/api/v1/users", tag = "账号与授权", responses((status = 200, body = Vec<UserView>), (status = 403, body = ErrorBody)))]
async fn list_users(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<UserView>>> {
    caller.require_system(&[SystemRole::SystemAdmin, SystemRole::SecurityAdmin])?;
    let users = state.db.list_users().await?;
    let mut grants = state.db.all_grants().await?;
    let views = users
        .into_iter()
        .map(|u| {
            let mine: Vec<GrantView> = grants.extract_if(.., |g| g.user_id == u.id).map(GrantView::from).collect();
            UserView {
                id: u.id,
                username: u.username,
                display_name: u.display_name,
                member_id: u.member_id,
                system_role: u.system_role,
                disabled: u.disabled,
                grants: mine,
            }
        })
        .collect();
    Ok(Json(views))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateUser {
    /// 3 to 32 letters, digits, `_` or `.`.
    #[schema(min_length = 3, max_length = 32)]
    pub username: String,
    #[schema(max_length = 50)]
    pub display_name: String,
    #[schema(max_length = 128)]
    pub password: String,
    pub member_id: Option<Uuid>,
}

/// 新建用户（系统管理员）。三员账号只能由命令行创建。
#[utoipa::path(post, path = "/api/v1/users", tag = "账号与授权", request_body = CreateUser,
    responses((status = 201, body = UserView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn create_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateUser>,
) -> ApiResult<(StatusCode, Json<UserView>)> {
    caller.require_system(&[SystemRole::SystemAdmin])?;
    let username = req.username.trim();
    if username.len() < 3
        || username.len() > 32
        || !username.bytes().all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'.')
    {
        return Err(ApiError::field("username", "用户名为3到32位字母、数字、下划线或点"));
    }
    let display = req.display_name.trim();
    if display.is_empty() || display.chars().count() > 50 {
        return Err(ApiError::field("display_name", "姓名必填，不超过50字"));
    }
    check_password_strength("password", &req.password, username)?;
    let hash = auth::hash_password(&req.password).map_err(ApiError::internal)?;
    let user = state
        .db
        .create_user(
            &caller.actor,
            &NewUser {
                username,
                display_name: display,
                password_hash: &hash,
                member_id: req.member_id,
                system_role: None,
            },
            state.now(),
        )
        .await?;
    Ok((
        StatusCode::CREATED,
        Json(UserView {
            id: user.id,
            username: user.username,
            display_name: user.display_name,
            member_id: user.member_id,
            system_role: None,
            disabled: false,
            grants: Vec::new(),
        }),
    ))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ResetPassword {
    /// A one-time password: it only allows its owner to set a new one.
    #[schema(max_length = 128)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct ResetAnswer {
    /// `reset` (done), or `pending` (a security role's password: waits for a second person).
    pub status: String,
    /// The request to approve, when `pending`.
    pub request_id: Option<Uuid>,
}

/// 重置密码（系统管理员）
///
/// Sets a one-time password: its owner must set a new one before anything else, and is told who
/// reset it. Every session and API token of the account ends. The password of a holder of one of
/// the three security roles is not reset at once: the request (202) waits for a holder of another
/// security role to approve it (`POST /api/v1/password-resets/{id}/approve`). Nobody resets their own
/// password here.
#[utoipa::path(post, path = "/api/v1/users/{id}/password", tag = "账号与授权", params(("id" = Uuid, Path)), request_body = ResetPassword,
    responses((status = 200, body = ResetAnswer), (status = 202, body = ResetAnswer), (status = 400, body = ErrorBody),
        (status = 403, body = ErrorBody), (status = 404, body = ErrorBody)))]
async fn reset_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<ResetPassword>,
) -> ApiResult<(StatusCode, Json<ResetAnswer>)> {
    caller.require_system(&[SystemRole::SystemAdmin])?;
    let target = state.db.user_by_id(id).await?;
    check_password_strength("password", &req.password, &target.username)?;
    let hash = auth::hash_password(&req.password).map_err(ApiError::internal)?;
    let outcome = state.db.admin_reset_password(&caller.actor, SystemRole::SystemAdmin, id, &hash, state.now()).await?;
    Ok(match outcome {
        ResetOutcome::Reset => (StatusCode::OK, Json(ResetAnswer { status: "reset".into(), request_id: None })),
        ResetOutcome::Pending(request) => {
            (StatusCode::ACCEPTED, Json(ResetAnswer { status: "pending".into(), request_id: Some(request) }))
        }
    })
}

/// 待审批的密码重置（三员）
#[utoipa::path(get, path = "/api/v1/password-resets", tag = "账号与授权",
    responses((status = 200, body = Vec<PendingResetView>), (status = 403, body = ErrorBody)))]
async fn list_password_resets(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<PendingResetView>>> {
    caller.require_system(&[SystemRole::SystemAdmin, SystemRole::SecurityAdmin, SystemRole::AuditAdmin])?;
    let pending = state.db.pending_password_resets(state.now()).await?;
    Ok(Json(pending.into_iter().map(PendingResetView::from).collect()))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct PendingResetView {
    pub id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub system_role: Option<SystemRole>,
    /// The administrator who asked for the reset.
    pub requested_by: String,
    pub requested_by_id: Uuid,
    /// The requester's security role: the approver must hold another one.
    pub requested_role: SystemRole,
    pub requested_at: chrono::DateTime<chrono::Utc>,
}

impl From<PendingReset> for PendingResetView {
    fn from(r: PendingReset) -> PendingResetView {
        PendingResetView {
            id: r.id,
            user_id: r.user_id,
            username: r.username,
            display_name: r.display_name,
            system_role: r.system_role,
            requested_by: r.requested_by,
            requested_by_id: r.requested_by_id,
            requested_role: r.requested_role,
            requested_at: r.requested_at,
        }
    }
}

fn security_role(caller: &Caller) -> ApiResult<SystemRole> {
    caller.user.system_role().ok_or_else(|| ApiError::forbidden("仅限三员（系统、安全保密、安全审计管理员）审批"))
}

/// 批准密码重置（另一类安全管理员）
///
/// Needs a second person: not the requester, not the account's owner, holding a security role other
/// than the requester's. Requests expire after 24 hours.
#[utoipa::path(post, path = "/api/v1/password-resets/{id}/approve", tag = "账号与授权", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn approve_password_reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let role = security_role(&caller)?;
    state.db.decide_password_reset(&caller.actor, role, id, true, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 驳回或撤回密码重置
///
/// A possible approver rejects; the requester withdraws their own request.
#[utoipa::path(post, path = "/api/v1/password-resets/{id}/reject", tag = "账号与授权", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 403, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn reject_password_reset(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    let role = security_role(&caller)?;
    state.db.decide_password_reset(&caller.actor, role, id, false, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 停用账号（系统管理员）
#[utoipa::path(post, path = "/api/v1/users/{id}/disable", tag = "账号与授权", params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn disable_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    caller.require_system(&[SystemRole::SystemAdmin])?;
    if id == caller.id() {
        return Err(ApiError::new(StatusCode::CONFLICT, "conflict", "不能停用自己的账号"));
    }
    state.db.set_disabled(&caller.actor, id, true, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

/// 启用账号（系统管理员）
#[utoipa::path(post, path = "/api/v1/users/{id}/enable", tag = "账号与授权", params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn enable_user(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    caller.require_system(&[SystemRole::SystemAdmin])?;
    state.db.set_disabled(&caller.actor, id, false, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct GrantRole {
    pub role: Role,
    pub organization_id: Uuid,
}

/// 授予组织角色（安全保密管理员）
#[utoipa::path(post, path = "/api/v1/users/{id}/grants", tag = "账号与授权", params(("id" = Uuid, Path)), request_body = GrantRole,
    responses((status = 201, body = GrantView), (status = 400, body = ErrorBody), (status = 409, body = ErrorBody)))]
async fn grant_role(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
    ApiJson(req): ApiJson<GrantRole>,
) -> ApiResult<(StatusCode, Json<GrantView>)> {
    caller.require_system(&[SystemRole::SecurityAdmin])?;
    let grant = state.db.grant(&caller.actor, id, req.role, req.organization_id, state.now()).await?;
    Ok((StatusCode::CREATED, Json(grant.into())))
}

/// 撤销组织角色（安全保密管理员）
#[utoipa::path(delete, path = "/api/v1/grants/{id}", tag = "账号与授权", params(("id" = Uuid, Path)), responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_grant(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    caller.require_system(&[SystemRole::SecurityAdmin])?;
    state.db.revoke(&caller.actor, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
