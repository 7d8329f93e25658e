//! Who is calling: session cookies (with CSRF tokens for writes) and API tokens, password hashing,
//! and the login throttle.

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use chrono::Duration;
use dangwu_store::access::Access;
use dangwu_store::accounts::{Grant, User};
use dangwu_store::{Actor, Role, SystemRole};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

pub const SESSION_COOKIE: &str = "dangwu_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions expire after this long without use.
pub const SESSION_IDLE: Duration = Duration::hours(8);
/// Failed logins before the account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_TIME: Duration = Duration::minutes(15);

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| anyhow::anyhow!("密码哈希失败：{e}"))
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| Argon2::default().verify_password(password.as_bytes(), &parsed).is_ok())
        .unwrap_or(false)
}

/// A random secret of 32 bytes, hex-encoded.
pub fn random_token() -> String {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes).expect("the operating system provides randomness");
    hex::encode(bytes)
}

/// Secrets are stored only as SHA-256 hashes, so a copy of the database opens no session.
pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Via {
    Session,
    Token,
}

/// The authenticated caller of a request.
#[derive(Debug, Clone)]
pub struct Caller {
    pub user: User,
    pub grants: Vec<Grant>,
    pub actor: Actor,
    pub via: Via,
    pub csrf_token: Option<String>,
    pub session_hash: Option<String>,
}

impl Caller {
    pub fn id(&self) -> Uuid {
        self.user.id
    }

    /// Domain data (organizations, members) is closed to the three security roles.
    pub fn domain(&self) -> ApiResult<Uuid> {
        if self.user.system_role.is_some() {
            return Err(ApiError::forbidden("系统管理角色（三员）不能访问党务业务数据"));
        }
        Ok(self.user.id)
    }

    pub fn require_system(&self, roles: &[SystemRole]) -> ApiResult<()> {
        match self.user.system_role() {
            Some(r) if roles.contains(&r) => Ok(()),
            _ => Err(ApiError::forbidden("仅限相应的系统管理员操作")),
        }
    }

    /// Whether any grant of the caller allows `access` (not tied to one organization: for hints only;
    /// the store checks the organization itself).
    pub fn may(&self, access: Access) -> bool {
        self.grants.iter().any(|g| Role::from_code(&g.role).is_some_and(|r| access.allows(r)))
    }
}

fn cookie_value<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn client_ip(parts: &Parts) -> Option<String> {
    parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip().to_string())
}

impl FromRequestParts<AppState> for Caller {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> ApiResult<Caller> {
        let now = state.now();
        let bearer = parts
            .headers
            .get(header::AUTHORIZATION)
            .and_then(|v| v.to_str().ok())
            .and_then(|v| v.strip_prefix("Bearer "));
        let (user_id, via, csrf, session_hash) = if let Some(token) = bearer {
            let user = state.db.token_user(&token_hash(token.trim()), now).await?;
            (
                user.ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "API 令牌无效或已吊销"))?,
                Via::Token,
                None,
                None,
            )
        } else {
            let token = cookie_value(&parts.headers, SESSION_COOKIE).ok_or_else(ApiError::unauthenticated)?;
            let hash = token_hash(token);
            let session = state.db.session(&hash).await?.ok_or_else(ApiError::unauthenticated)?;
            if session.expires_at < now {
                return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "登录已过期，请重新登录"));
            }
            let writes = !matches!(parts.method, Method::GET | Method::HEAD | Method::OPTIONS);
            if writes {
                let sent = parts.headers.get(CSRF_HEADER).and_then(|v| v.to_str().ok());
                if sent != Some(session.csrf_token.as_str()) {
                    return Err(ApiError::new(
                        StatusCode::FORBIDDEN,
                        "csrf_failed",
                        "请求缺少有效的 CSRF 令牌，请刷新页面后重试",
                    ));
                }
            }
            // Slide the expiry at most once a minute, not on every request.
            if session.expires_at - now < SESSION_IDLE - Duration::minutes(1) {
                state.db.extend_session(&hash, now + SESSION_IDLE).await?;
            }
            (session.user_id, Via::Session, Some(session.csrf_token), Some(hash))
        };
        let user = state.db.user_by_id(user_id).await?;
        if user.disabled {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "账号已停用"));
        }
        let grants = state.db.grants_of(user.id).await?;
        let actor = Actor { user_id: user.id, name: user.username.clone(), ip: client_ip(parts) };
        Ok(Caller { user, grants, actor, via, csrf_token: csrf, session_hash })
    }
}

/// The client address for records made before a caller exists (login).
pub fn ip_of(parts: &Parts) -> Option<String> {
    client_ip(parts)
}
