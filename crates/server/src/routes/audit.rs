//! The audit log, readable by the audit admin (安全审计员) only.

use axum::Json;
use axum::extract::State;
use chrono::{DateTime, NaiveDate, Utc};
use dangwu_store::SystemRole;
use dangwu_store::audit::{AuditFilter, ChainReport};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;
use uuid::Uuid;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody};
use crate::json::ApiQuery;
use crate::replica::ReadDb;

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(search_audit)).routes(routes!(verify_audit))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct AuditParams {
    /// User name of the actor.
    pub actor: Option<String>,
    /// e.g. `member.update`, `member.read_unmasked`, `session.login`.
    pub action: Option<String>,
    /// `member`, `organization`, `user`, `grant`, `token`.
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    /// First day included (China time).
    pub from: Option<NaiveDate>,
    /// Last day included (China time).
    pub to: Option<NaiveDate>,
    pub limit: Option<i64>,
    pub after: Option<Uuid>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditView {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub before: Option<serde_json::Value>,
    pub after: Option<serde_json::Value>,
    pub ip: Option<String>,
    /// Place in the audit hash chain.
    pub seq: Option<i64>,
    /// SHA-256 of this record and the one before it (hex).
    pub hash: Option<String>,
}

#[derive(Debug, Serialize, ToSchema)]
pub struct AuditPage {
    pub items: Vec<AuditView>,
    pub next_cursor: Option<Uuid>,
}

/// 审计日志查询（新记录在前）
#[utoipa::path(get, path = "/api/v1/audit", tag = "审计", params(AuditParams),
    responses((status = 200, body = AuditPage), (status = 403, body = ErrorBody)))]
async fn search_audit(
    State(state): State<AppState>,
    caller: Caller,
    ReadDb(db): ReadDb,
    ApiQuery(p): ApiQuery<AuditParams>,
) -> ApiResult<Json<AuditPage>> {
    caller.require_system(&[SystemRole::AuditAdmin])?;
    let limit = ApiError::page_limit(p.limit, 500)?;
    let empty = |s: Option<String>| s.filter(|v| !v.trim().is_empty());
    let filter = AuditFilter {
        actor: empty(p.actor),
        action: empty(p.action),
        entity_type: empty(p.entity_type),
        entity_id: p.entity_id,
        from: p.from.map(|d| state.start_of_day(d)),
        to: p.to.map(|d| state.start_of_day(d + chrono::Duration::days(1))),
        before_id: p.after,
        limit,
    };
    let rows = db.search_audit(&filter).await?;
    let next_cursor = if rows.len() as i64 == limit { rows.last().map(|r| r.id) } else { None };
    let parse = |s: Option<String>| s.and_then(|t| serde_json::from_str(&t).ok());
    let items = rows
        .into_iter()
        .map(|r| AuditView {
            id: r.id,
            at: r.at,
            actor_id: r.actor_id,
            actor: r.actor_name,
            action: r.action,
            entity_type: r.entity_type,
            entity_id: r.entity_id,
            organization_id: r.organization_id,
            before: parse(r.before_json),
            after: parse(r.after_json),
            ip: r.ip,
            seq: r.seq,
            hash: r.hash,
        })
        .collect();
    Ok(Json(AuditPage { items, next_cursor }))
}

/// The first broken link of the audit hash chain.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainBreakView {
    /// `altered`, `missing`, `reordered`, `unlinked`, `truncated`, `head_mismatch` or `unchained`.
    pub kind: String,
    /// Place in the chain where it breaks.
    pub seq: Option<i64>,
    /// The record found there (for `missing`, the first one after the gap).
    pub id: Option<Uuid>,
    pub message: String,
}

/// The result of checking the audit hash chain from the first record to the head.
#[derive(Debug, Serialize, ToSchema)]
pub struct ChainView {
    pub ok: bool,
    /// Records found intact, in chain order, before the first break.
    pub checked: i64,
    /// Records the chain head counts.
    pub head_seq: i64,
    /// Hash of the last record according to the head (keep a copy elsewhere to anchor the log).
    pub head_hash: String,
    pub broken: Option<ChainBreakView>,
}

impl From<ChainReport> for ChainView {
    fn from(r: ChainReport) -> ChainView {
        let broken = r.broken.map(|b| ChainBreakView {
            kind: serde_json::to_value(b.kind).ok().and_then(|v| v.as_str().map(str::to_owned)).unwrap_or_default(),
            seq: b.seq,
            id: b.id,
            message: b.message,
        });
        ChainView { ok: broken.is_none(), checked: r.checked, head_seq: r.head_seq, head_hash: r.head_hash, broken }
    }
}

/// 校验审计日志完整性（哈希链）
#[utoipa::path(get, path = "/api/v1/audit/verify", tag = "审计",
    responses((status = 200, body = ChainView), (status = 403, body = ErrorBody)))]
async fn verify_audit(State(state): State<AppState>, caller: Caller) -> ApiResult<Json<ChainView>> {
    caller.require_system(&[SystemRole::AuditAdmin])?;
    Ok(Json(state.db.verify_audit_chain().await?.into()))
}
