//! Login, logout, the current user, own password and API tokens; the health check.

use axum::Json;
use axum::extract::{FromRequestParts, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, StatusCode, header};
use axum::response::{IntoResponse, Response};
use dangwu_store::Actor;
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::{self, Caller, SESSION_COOKIE, SESSION_IDLE, Via};
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::{ApiJson, ApiPath};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new()
        .routes(routes!(login))
        .routes(routes!(logout))
        .routes(routes!(me))
        .routes(routes!(change_password))
        .routes(routes!(list_tokens, create_token))
        .routes(routes!(revoke_token))
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Health {
    pub status: String,
    pub database: String,
}

pub async fn healthz(State(state): State<AppState>) -> Response {
    match state.db.is_empty().await {
        Ok(_) => Json(Health { status: "ok".into(), database: state.db.engine().name().into() }).into_response(),
        Err(e) => (
            StatusCode::SERVICE_UNAVAILABLE,
            Json(Health { status: format!("error: {e}"), database: state.db.engine().name().into() }),
        )
            .into_response(),
    }
}

/// Whether this process has done its start-up reads (the compliance index of the year, every pooled
/// connection warmed): a load balancer sends it requests from then on. Before, it answers 503 with
/// `Retry-After`; it serves requests all the same, only more slowly.
pub async fn readyz(State(state): State<AppState>) -> Response {
    let database = state.db.engine().name().into();
    if state.ready.load(std::sync::atomic::Ordering::Acquire) {
        Json(Health { status: "ready".into(), database }).into_response()
    } else {
        let mut res =
            (StatusCode::SERVICE_UNAVAILABLE, Json(Health { status: "starting".into(), database })).into_response();
        res.headers_mut().insert(axum::http::header::RETRY_AFTER, axum::http::HeaderValue::from_static("1"));
        res
    }
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct LoginRequest {
    #[schema(max_length = 50)]
    pub username: String,
    #[schema(max_length = 128)]
    pub password: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct GrantView {
    pub id: Uuid,
    pub role: dangwu_store::Role,
    pub organization_id: Uuid,
    pub organization_name: String,
}

impl From<dangwu_store::accounts::Grant> for GrantView {
    fn from(g: dangwu_store::accounts::Grant) -> GrantView {
        GrantView { id: g.id, role: g.role, organization_id: g.organization_id, organization_name: g.organization_name }
    }
}

#[derive(Debug, Serialize, ToSchema)]
pub struct Me {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    pub member_id: Option<Uuid>,
    /// Null for a user without a security role.
    pub system_role: Option<dangwu_store::SystemRole>,
    pub grants: Vec<GrantView>,
    /// Send back in `X-CSRF-Token` on every write made with the session cookie.
    pub csrf_token: Option<String>,
    /// The password was reset by an administrator: it only allows setting a new one
    /// (`POST /api/v1/me/password`); every other call answers 403 `password_change_required`.
    pub must_change_password: bool,
    /// Who reset the password and when; shown until the first login after the new password is set.
    pub password_reset: Option<ResetNotice>,
}

/// 密码重置提示：who reset the owner's password, and when.
#[derive(Debug, Serialize, ToSchema)]
pub struct ResetNotice {
    /// The administrator (and the approver, for the three security roles).
    pub by: String,
    pub at: chrono::DateTime<chrono::Utc>,
}

fn me_of(caller: Caller) -> Me {
    let notice = match (caller.user.password_reset_by, caller.user.password_reset_at) {
        (Some(by), Some(at)) => Some(ResetNotice { by, at }),
        _ => None,
    };
    Me {
        id: caller.user.id,
        username: caller.user.username,
        display_name: caller.user.display_name,
        member_id: caller.user.member_id,
        system_role: caller.user.system_role,
        grants: caller.grants.into_iter().map(GrantView::from).collect(),
        csrf_token: caller.csrf_token,
        must_change_password: caller.user.must_change_password,
        password_reset: notice,
    }
}

/// The client address, when known.
pub struct ClientAddr(pub Option<std::net::IpAddr>);

impl<S: Send + Sync> FromRequestParts<S> for ClientAddr {
    type Rejection = std::convert::Infallible;
    async fn from_request_parts(parts: &mut Parts, _: &S) -> Result<ClientAddr, Self::Rejection> {
        Ok(ClientAddr(auth::client_addr(parts)))
    }
}

fn session_cookie(state: &AppState, value: &str, max_age: i64) -> HeaderValue {
    let secure = if state.config.secure_cookies { "; Secure" } else { "" };
    HeaderValue::from_str(&format!(
        "{SESSION_COOKIE}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age}{secure}"
    ))
    .expect("cookie is ASCII")
}

/// 登录：checks the password, opens a session and sets its cookie.
///
/// A wrong password, an unknown name, and a disabled or locked account with a wrong password all
/// answer the same 401 after the same work; only the right password learns that the account is
/// disabled or locked. One address making too many failed attempts is refused with 429 before the
/// password is checked.
#[utoipa::path(post, path = "/api/v1/auth/login", tag = "会话", request_body = LoginRequest,
    responses((status = 200, body = Me), (status = 401, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn login(
    State(state): State<AppState>,
    ClientAddr(addr): ClientAddr,
    ApiJson(req): ApiJson<LoginRequest>,
) -> ApiResult<Response> {
    let now = state.now();
    let ip = addr.map(|a| a.to_string());
    let bad = || ApiError::new(StatusCode::UNAUTHORIZED, "bad_credentials", "用户名或密码错误");
    let locked = || {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "密码错误次数过多，账号已临时锁定，请15分钟后再试",
        )
    };
    if let Some(addr) = addr
        && !state.login_limiter.try_attempt(addr)
    {
        return Err(ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "该地址登录失败次数过多，请10分钟后再试",
        ));
    }
    let username = req.username.trim();
    // No account name is long or holds control characters: such a name is unknown without asking.
    let plausible = !username.is_empty() && username.len() <= 64 && !username.chars().any(char::is_control);
    let user = if plausible { state.db.user_by_name(username).await? } else { None };
    let hash = user.as_ref().map_or(auth::dummy_hash(), |u| u.password_hash.as_str());
    let ok = auth::verify_password_blocking(&req.password, hash).await?;
    let user = match user {
        Some(user) if ok => user,
        Some(user) => {
            let actor = Actor { user_id: user.id, name: user.username, ip };
            state.db.record_login_failure(&actor, auth::MAX_FAILED_LOGINS, now + auth::LOCK_TIME, now).await?;
            return Err(bad());
        }
        None => {
            state.db.record_unknown_login(ip, username, now).await?;
            return Err(bad());
        }
    };
    // The right password: from here on the answer may say what stands in the way.
    if user.disabled {
        return Err(ApiError::new(StatusCode::UNAUTHORIZED, "account_disabled", "账号已停用"));
    }
    if user.locked_until.is_some_and(|t| t > now) {
        return Err(locked());
    }
    if user.must_change_password && user.password_reset_at.is_some_and(|t| t + auth::ONE_TIME_PASSWORD_VALID < now) {
        return Err(ApiError::new(
            StatusCode::UNAUTHORIZED,
            "one_time_password_expired",
            "一次性密码已过期，请联系系统管理员重新重置",
        ));
    }
    let token = auth::random_token();
    let csrf = auth::random_token();
    let actor = Actor { user_id: user.id, name: user.username.clone(), ip };
    let idle = state.config.session_max.min(SESSION_IDLE);
    let user = match state.db.create_session(&actor, &auth::token_hash(&token), &csrf, now + idle, now).await {
        Ok(user) => user,
        Err(dangwu_store::StoreError::Conflict { code: dangwu_store::Conflict::Locked, .. }) => return Err(locked()),
        Err(e) => return Err(e.into()),
    };
    if let Some(addr) = addr {
        state.login_limiter.succeeded(addr);
    }
    let grants = state.db.grants_of(user.id).await?;
    let caller = Caller { user, grants, actor, via: Via::Session, csrf_token: Some(csrf), session_hash: None };
    let mut response = Json(me_of(caller)).into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, &token, idle.num_seconds()));
    Ok(response)
}

/// 退出登录
#[utoipa::path(post, path = "/api/v1/auth/logout", tag = "会话", responses((status = 204)))]
async fn logout(State(state): State<AppState>, caller: Caller) -> ApiResult<Response> {
    if let Some(hash) = &caller.session_hash {
        state.db.end_session(&caller.actor, hash, state.now()).await?;
    }
    let mut response = StatusCode::NO_CONTENT.into_response();
    response.headers_mut().insert(header::SET_COOKIE, session_cookie(&state, "", 0));
    Ok(response)
}

/// 当前用户
#[utoipa::path(get, path = "/api/v1/me", tag = "会话", responses((status = 200, body = Me), (status = 401, body = ErrorBody)))]
async fn me(caller: Caller) -> Json<Me> {
    Json(me_of(caller))
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ChangePassword {
    #[schema(max_length = 128)]
    pub old_password: String,
    #[schema(max_length = 128)]
    pub new_password: String,
}

/// The password policy as a field error (see [`auth::password_problem`]).
pub fn check_password_strength(field: &str, password: &str, username: &str) -> ApiResult<()> {
    match auth::password_problem(password, username) {
        Some(problem) => Err(ApiError::field(field, problem)),
        None => Ok(()),
    }
}

/// 修改本人密码
///
/// A wrong `old_password` counts as a failed login: after five the account is locked (429) for this
/// session too. The session making the change stays open; every other session and API token ends.
#[utoipa::path(post, path = "/api/v1/me/password", tag = "会话", request_body = ChangePassword,
    responses((status = 204), (status = 400, body = ErrorBody), (status = 429, body = ErrorBody)))]
async fn change_password(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<ChangePassword>,
) -> ApiResult<StatusCode> {
    let now = state.now();
    let locked = || {
        ApiError::new(
            StatusCode::TOO_MANY_REQUESTS,
            "too_many_attempts",
            "密码错误次数过多，账号已临时锁定，请15分钟后再试",
        )
    };
    if caller.user.locked_until.is_some_and(|t| t > now) {
        return Err(locked());
    }
    if !auth::verify_password_blocking(&req.old_password, &caller.user.password_hash).await? {
        let now_locked =
            state.db.record_login_failure(&caller.actor, auth::MAX_FAILED_LOGINS, now + auth::LOCK_TIME, now).await?;
        return Err(if now_locked { locked() } else { ApiError::field("old_password", "原密码不正确") });
    }
    if req.new_password == req.old_password {
        return Err(ApiError::field("new_password", "新密码不能与原密码相同"));
    }
    check_password_strength("new_password", &req.new_password, &caller.user.username)?;
    let hash = auth::hash_password(&req.new_password).map_err(ApiError::internal)?;
    state.db.change_own_password(&caller.actor, &hash, caller.session_hash.as_deref(), now).await?;
    Ok(StatusCode::NO_CONTENT)
}

#[derive(Debug, Serialize, ToSchema)]
pub struct TokenView {
    pub id: Uuid,
    pub name: String,
    pub created_at: chrono::DateTime<chrono::Utc>,
    pub last_used_at: Option<chrono::DateTime<chrono::Utc>>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct CreateToken {
    #[schema(max_length = 50)]
    pub name: String,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct CreatedToken {
    pub id: Uuid,
    pub name: String,
    /// Shown once: only its hash is stored.
    pub token: String,
}

/// 本人的 API 令牌
#[utoipa::path(get, path = "/api/v1/tokens", tag = "会话", responses((status = 200, body = Vec<TokenView>)))]
async fn list_tokens(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<Vec<TokenView>>> {
    let tokens = state.db.tokens_of(caller.id()).await?;
    Ok(Json(
        tokens
            .into_iter()
            .map(|t| TokenView { id: t.id, name: t.name, created_at: t.created_at, last_used_at: t.last_used_at })
            .collect(),
    ))
}

/// 新建 API 令牌（令牌只显示这一次）
#[utoipa::path(post, path = "/api/v1/tokens", tag = "会话", request_body = CreateToken,
    responses((status = 201, body = CreatedToken), (status = 400, body = ErrorBody)))]
async fn create_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiJson(req): ApiJson<CreateToken>,
) -> ApiResult<(StatusCode, Json<CreatedToken>)> {
    let name = req.name.trim();
    if name.is_empty() || name.chars().count() > 50 {
        return Err(ApiError::field("name", "令牌名称必填，不超过50字"));
    }
    if caller.via == Via::Token {
        return Err(ApiError::forbidden("不能用 API 令牌创建新的令牌"));
    }
    let token = format!("dw_{}", auth::random_token());
    let created = state.db.create_token(&caller.actor, name, &auth::token_hash(&token), state.now()).await?;
    Ok((StatusCode::CREATED, Json(CreatedToken { id: created.id, name: created.name, token })))
}

/// 吊销 API 令牌
#[utoipa::path(delete, path = "/api/v1/tokens/{id}", tag = "会话", params(("id" = Uuid, Path)),
    responses((status = 204), (status = 404, body = ErrorBody)))]
async fn revoke_token(
    State(state): State<AppState>,
    caller: Caller,
    ApiPath(id): ApiPath<Uuid>,
) -> ApiResult<StatusCode> {
    state.db.revoke_token(&caller.actor, id, state.now()).await?;
    Ok(StatusCode::NO_CONTENT)
}
