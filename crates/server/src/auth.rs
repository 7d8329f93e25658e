//! Who is calling: session cookies (with CSRF tokens for writes) and API tokens, password hashing,
//! and the login throttle.

use std::collections::{HashMap, VecDeque};
use std::net::IpAddr;
use std::sync::{Mutex, OnceLock};
use std::time::Instant;

use argon2::Argon2;
use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, Method, StatusCode, header};
use chrono::Duration;
use dangwu_store::access::Access;
use dangwu_store::accounts::{Grant, User};
use dangwu_store::{Actor, SystemRole};
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::AppState;
use crate::error::{ApiError, ApiResult};

pub const SESSION_COOKIE: &str = "dangwu_session";
pub const CSRF_HEADER: &str = "x-csrf-token";
/// Sessions expire after this long without use (and after `ServerConfig::session_max` in any case).
pub const SESSION_IDLE: Duration = Duration::hours(8);
/// Failed logins before the account is locked, and for how long.
pub const MAX_FAILED_LOGINS: i64 = 5;
pub const LOCK_TIME: Duration = Duration::minutes(15);
/// Failed logins one client address may make within [`ADDRESS_WINDOW`], whatever the accounts tried:
/// guessing across many accounts stays under each account's lock, not under this. Thirty failures in
/// ten minutes is far above what the people behind one office's address mistype, and far below a
/// useful guessing rate.
pub const ADDRESS_MAX_FAILURES: usize = 30;
pub const ADDRESS_WINDOW: std::time::Duration = std::time::Duration::from_secs(10 * 60);
/// Addresses remembered at most; beyond this the oldest windows are dropped first.
const ADDRESS_TABLE_MAX: usize = 100_000;
/// How long the one-time password of an administrator's reset may be used to set a new one.
pub const ONE_TIME_PASSWORD_VALID: Duration = Duration::days(3);

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

/// A hash of a random password nobody knows, with the same parameters as real ones: a login for an
/// unknown name is checked against it, so that it takes as long as a wrong password for a real name.
pub fn dummy_hash() -> &'static str {
    static DUMMY: OnceLock<String> = OnceLock::new();
    DUMMY.get_or_init(|| hash_password(&random_token()).expect("hashing a random password"))
}

/// Checks a password off the event loop: Argon2 is slow on purpose.
pub async fn verify_password_blocking(password: &str, hash: &str) -> ApiResult<bool> {
    let (password, hash) = (password.to_owned(), hash.to_owned());
    tokio::task::spawn_blocking(move || verify_password(&password, &hash)).await.map_err(ApiError::internal)
}

/// Passwords too common to allow even with digits and symbols around them: refused when they are all
/// the letters of a password, or (six characters and more) anywhere in it, in lower case.
const COMMON_PASSWORDS: &[&str] = &[
    "password",
    "passw0rd",
    "p@ssw0rd",
    "qwerty",
    "qwertyuiop",
    "asdfgh",
    "zxcvbn",
    "letmein",
    "welcome",
    "iloveyou",
    "woaini",
    "admin",
    "administrator",
    "root",
    "abc123",
    "111111",
    "123123",
    "123456",
    "654321",
    "888888",
    "666666",
    "000000",
    "1qaz2wsx",
    "qazwsx",
    "dragon",
    "monkey",
    "football",
    "baseball",
    "sunshine",
    "princess",
    "changeme",
    "secret",
    "default",
    "huawei",
    "dangwu",
];

/// Why a password is refused, or `None` when it may be used (等保 identity control): at least 10
/// characters of at least three kinds (lower case, upper case, digits, symbols), no character four
/// times in a row, no run of four ascending or descending letters or digits, no common password
/// and not the user name.
pub fn password_problem(password: &str, username: &str) -> Option<&'static str> {
    let chars: Vec<char> = password.chars().collect();
    if chars.len() < 10 || chars.len() > 128 {
        return Some("密码长度须为10到128位");
    }
    let kinds = [
        chars.iter().any(|c| c.is_ascii_lowercase()),
        chars.iter().any(|c| c.is_ascii_uppercase()),
        chars.iter().any(|c| c.is_ascii_digit()),
        chars.iter().any(|c| !c.is_ascii_alphanumeric()),
    ];
    if kinds.iter().filter(|k| **k).count() < 3 {
        return Some("密码须包含大写字母、小写字母、数字、符号中的至少三类");
    }
    let lower: Vec<char> = password.to_lowercase().chars().collect();
    let run = |step: i32| {
        lower.windows(4).any(|w| {
            w.iter().all(|c| c.is_ascii_alphanumeric()) && w.windows(2).all(|p| p[1] as i32 - p[0] as i32 == step)
        })
    };
    if run(0) {
        return Some("密码不能包含连续4个相同字符");
    }
    if run(1) || run(-1) {
        return Some("密码不能包含连续4个以上的顺序字符（如 1234、abcd）");
    }
    let text: String = lower.iter().collect();
    let letters: String = lower.iter().filter(|c| c.is_ascii_alphabetic()).collect();
    if COMMON_PASSWORDS.iter().any(|w| letters == *w || (w.len() >= 6 && text.contains(w))) {
        return Some("密码包含常见弱口令，请换一个");
    }
    let name = username.trim().to_lowercase();
    if name.chars().count() >= 3 && text.contains(&name) {
        return Some("密码不能包含用户名");
    }
    None
}

/// Failed logins per client address in a sliding window ([`ADDRESS_MAX_FAILURES`] within
/// [`ADDRESS_WINDOW`]). Each attempt takes a slot before the password is checked, so parallel
/// attempts cannot all pass the check at once; a successful login gives its slot back.
#[derive(Debug, Default)]
pub struct AddressLimiter {
    slots: Mutex<HashMap<IpAddr, VecDeque<Instant>>>,
}

impl AddressLimiter {
    /// Takes a slot for an attempt from `ip`, or refuses when the window is full.
    pub fn try_attempt(&self, ip: IpAddr) -> bool {
        let now = Instant::now();
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if slots.len() >= ADDRESS_TABLE_MAX {
            slots.retain(|_, q| q.back().is_some_and(|t| now.duration_since(*t) < ADDRESS_WINDOW));
        }
        let window = slots.entry(ip).or_default();
        while window.front().is_some_and(|t| now.duration_since(*t) >= ADDRESS_WINDOW) {
            window.pop_front();
        }
        if window.len() >= ADDRESS_MAX_FAILURES {
            return false;
        }
        window.push_back(now);
        true
    }

    /// The attempt succeeded: it does not count against the address.
    pub fn succeeded(&self, ip: IpAddr) {
        let mut slots = self.slots.lock().unwrap_or_else(|e| e.into_inner());
        if let Some(window) = slots.get_mut(&ip) {
            window.pop_back();
        }
    }
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
        self.grants.iter().any(|g| access.allows(g.role))
    }
}

/// What a one-time password (after an administrator's reset) allows: setting a new one, and leaving.
const ALLOWED_BEFORE_CHANGE: [&str; 3] = ["/api/v1/me", "/api/v1/me/password", "/api/v1/auth/logout"];

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
    client_addr(parts).map(|ip| ip.to_string())
}

/// The peer address of the connection (a reverse proxy's own address when there is one).
pub fn client_addr(parts: &Parts) -> Option<IpAddr> {
    parts.extensions.get::<axum::extract::ConnectInfo<std::net::SocketAddr>>().map(|c| c.0.ip())
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
        let (user, grants, via, csrf, session_hash) = if let Some(token) = bearer {
            let found = state.db.token_caller(&token_hash(token.trim()), now).await?;
            let (user, grants) = found
                .ok_or_else(|| ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "API 令牌无效或已吊销"))?;
            (user, grants, Via::Token, None, None)
        } else {
            let token = cookie_value(&parts.headers, SESSION_COOKIE).ok_or_else(ApiError::unauthenticated)?;
            let hash = token_hash(token);
            let (session, user, grants) =
                state.db.session_caller(&hash).await?.ok_or_else(ApiError::unauthenticated)?;
            if session.expires_at < now {
                return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "登录已过期，请重新登录"));
            }
            if session.created_at + state.config.session_max < now {
                return Err(ApiError::new(
                    StatusCode::UNAUTHORIZED,
                    "unauthenticated",
                    "登录已超过最长时限，请重新登录",
                ));
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
            (user, grants, Via::Session, Some(session.csrf_token), Some(hash))
        };
        if user.disabled {
            return Err(ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "账号已停用"));
        }
        if user.must_change_password && !ALLOWED_BEFORE_CHANGE.contains(&parts.uri.path()) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                "password_change_required",
                "密码已被管理员重置，请先修改密码后再使用系统",
            ));
        }
        // For reads routed to a replica: served there only while it has these same grants.
        parts
            .extensions
            .insert(crate::replica::CallerGrants { user: user.id, grants: grants.iter().map(|g| g.id).collect() });
        let actor = Actor { user_id: user.id, name: user.username.clone(), ip: client_ip(parts) };
        Ok(Caller { user, grants, actor, via, csrf_token: csrf, session_hash })
    }
}

/// The client address for records made before a caller exists (login).
pub fn ip_of(parts: &Parts) -> Option<String> {
    client_ip(parts)
}
