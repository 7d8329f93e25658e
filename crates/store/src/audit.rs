//! The append-only audit log. Records are written inside the transaction of the change they describe;
//! there is no update or delete of audit rows anywhere in the code.

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use uuid::Uuid;

use crate::{Actor, Db, Result, Tx, new_id, q};

/// One thing that happened.
pub struct Event<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl Tx {
    /// Appends an audit record in this transaction.
    pub async fn audit(&mut self, actor: &Actor, at: DateTime<Utc>, event: Event<'_>) -> Result<()> {
        let before = event.before.map(|v| v.to_string());
        let after = event.after.map(|v| v.to_string());
        self.execute(
            q("INSERT INTO audit_log (id, at, actor_id, actor_name, action, entity_type, entity_id, \
               organization_id, before_json, after_json, ip) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11)")
            .bind(new_id())
            .bind(at)
            .bind(actor.user_id)
            .bind(actor.name.as_str())
            .bind(event.action)
            .bind(event.entity_type)
            .bind(event.entity_id)
            .bind(event.organization_id)
            .bind(before)
            .bind(after)
            .bind(actor.ip.clone()),
        )
        .await?;
        Ok(())
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct AuditRow {
    pub id: Uuid,
    pub at: DateTime<Utc>,
    pub actor_id: Option<Uuid>,
    pub actor_name: String,
    pub action: String,
    pub entity_type: String,
    pub entity_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub before_json: Option<String>,
    pub after_json: Option<String>,
    pub ip: Option<String>,
}

#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub entity_type: Option<String>,
    pub entity_id: Option<Uuid>,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
    /// Keyset: only records older than this id (ids are time-ordered).
    pub before_id: Option<Uuid>,
    pub limit: i64,
}

const AUDIT_COLUMNS: &str = "SELECT id, at, actor_id, actor_name, action, entity_type, entity_id, \
    organization_id, before_json, after_json, ip FROM audit_log WHERE 1 = 1";

impl Db {
    /// Searches the log, newest first. Only the audit admin reaches this (checked by the caller's role).
    pub async fn search_audit(&self, f: &AuditFilter) -> Result<Vec<AuditRow>> {
        let mut query = q(AUDIT_COLUMNS);
        if let Some(actor) = &f.actor {
            query.push_bind(" AND actor_name = ", actor.as_str());
        }
        if let Some(action) = &f.action {
            query.push_bind(" AND action = ", action.as_str());
        }
        if let Some(t) = &f.entity_type {
            query.push_bind(" AND entity_type = ", t.as_str());
        }
        if let Some(id) = f.entity_id {
            query.push_bind(" AND entity_id = ", id);
        }
        if let Some(from) = f.from {
            query.push_bind(" AND at >= ", from);
        }
        if let Some(to) = f.to {
            query.push_bind(" AND at < ", to);
        }
        if let Some(before) = f.before_id {
            query.push_bind(" AND id < ", before);
        }
        query.push(&format!(" ORDER BY id DESC LIMIT {}", f.limit.clamp(1, 500)));
        self.fetch_all(query).await
    }

    /// The changes recorded for one entity, oldest first (the history of a member or organization).
    pub async fn entity_history(&self, entity_type: &str, entity_id: Uuid) -> Result<Vec<AuditRow>> {
        self.fetch_all(
            q(&format!(
                "{AUDIT_COLUMNS} AND entity_type = $1 AND entity_id = $2 \
                 AND action NOT LIKE '%.read%' ORDER BY id"
            ))
            .bind(entity_type)
            .bind(entity_id),
        )
        .await
    }

    /// Number of audit records (used by tests that check a refused write left no trace).
    pub async fn audit_count(&self) -> Result<i64> {
        let (n,): (i64,) = self.fetch_one(q("SELECT COUNT(*) FROM audit_log")).await?;
        Ok(n)
    }
}
