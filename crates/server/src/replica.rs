//! Reads served by a streaming replica, with each caller reading their own writes.
//!
//! With a replica configured (`read_database_url`), the read-only requests that take [`ReadDb`] —
//! lists, searches, detail views, histories, exports — are served by the replica; everything else
//! (every write, the reads inside a write's transaction, the session and grant check of every
//! request, the compliance index's change log) stays on the primary.
//!
//! A replica lags the primary by the time it takes to ship and replay the log (milliseconds on a
//! healthy local network), so a caller who has just written must not be sent to a replica that has
//! not replayed the write yet. After every successful write request the primary's log position
//! ([`Db::write_position`], taken after the commit) goes back to the client in the cookie and the
//! header [`READ_AFTER`]; a later read carrying it is served by the replica only once the replica
//! has replayed up to it, and by the primary until then. Other people's writes may be seen a
//! moment later than one's own. The cookie is no secret and no permission: a client that drops or
//! forges it only changes which server answers its reads.

use axum::extract::{FromRequestParts, Request, State};
use axum::http::request::Parts;
use axum::http::{HeaderValue, Method, header};
use axum::middleware::Next;
use axum::response::Response;
use dangwu_store::{Db, WalPosition};

use crate::AppState;
use crate::error::ApiError;

/// Cookie and header carrying the log position of the caller's last write.
pub const READ_AFTER: &str = "dangwu_read_after";
/// The same, as a header for API clients without cookies (`X-Dangwu-Read-After: 16/B374D848`).
pub const READ_AFTER_HEADER: &str = "x-dangwu-read-after";

/// The database a read-only request reads: the replica when it has caught up with the caller's last
/// write and has the caller's grants as the primary has them, else the primary (always the primary
/// without a replica). Taken after [`crate::auth::Caller`], whose check leaves the grants it read
/// from the primary in the request ([`CallerGrants`]); without them the primary answers.
pub struct ReadDb(pub Db);

/// The caller's user and grant ids as the primary has them, left by the `Caller` check.
#[derive(Debug, Clone)]
pub struct CallerGrants {
    pub user: uuid::Uuid,
    pub grants: Vec<uuid::Uuid>,
}

fn read_after(parts: &Parts) -> Result<Option<WalPosition>, ()> {
    let header = parts.headers.get(READ_AFTER_HEADER).and_then(|v| v.to_str().ok());
    let cookie = parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(k, _)| *k == READ_AFTER)
        .map(|(_, v)| v);
    // The later of the two, when a client sends both.
    let mut after = None;
    for text in [header, cookie].into_iter().flatten() {
        let position: WalPosition = text.trim().parse().map_err(|_| ())?;
        after = after.max(Some(position));
    }
    Ok(after)
}

impl FromRequestParts<AppState> for ReadDb {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<ReadDb, ApiError> {
        if !state.db.has_replica() {
            return Ok(ReadDb(state.db.clone()));
        }
        let Some(caller) = parts.extensions.get::<CallerGrants>() else { return Ok(ReadDb(state.db.clone())) };
        match read_after(parts) {
            Ok(after) => Ok(ReadDb(state.db.replica_read(after, Some((caller.user, &caller.grants))).await)),
            // A position that does not parse cannot be compared: the primary has every write.
            Err(()) => Ok(ReadDb(state.db.clone())),
        }
    }
}

/// After a successful write request (any method but GET, HEAD and OPTIONS, answered 2xx), hands the
/// client the primary's log position, so that its next reads wait for the replica to have it. Does
/// nothing without a replica.
pub async fn remember_writes(State(state): State<AppState>, req: Request, next: Next) -> Response {
    let writes = !matches!(*req.method(), Method::GET | Method::HEAD | Method::OPTIONS);
    let mut res = next.run(req).await;
    if !writes || !state.db.has_replica() || !res.status().is_success() {
        return res;
    }
    match state.db.write_position().await {
        Ok(Some(position)) => {
            let secure = if state.config.secure_cookies { "; Secure" } else { "" };
            let cookie = format!("{READ_AFTER}={position}; Path=/; HttpOnly; SameSite=Strict{secure}");
            let headers = res.headers_mut();
            if let Ok(value) = HeaderValue::from_str(&cookie) {
                headers.append(header::SET_COOKIE, value);
            }
            if let Ok(value) = HeaderValue::from_str(&position.to_string()) {
                headers.insert(READ_AFTER_HEADER, value);
            }
        }
        Ok(None) => {}
        // The write is done; without its position the caller's next reads may come from a replica
        // that has not replayed it yet, for a moment.
        Err(e) => tracing::warn!("the log position after a write could not be read: {e}"),
    }
    res
}
