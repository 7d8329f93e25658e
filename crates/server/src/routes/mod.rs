//! HTTP handlers, one module per area. Each handler validates its input, then calls the store.

pub mod appraisals;
pub mod audit;
pub mod calc;
pub mod codes;
pub mod meetings;
pub mod members;
pub mod orgs;
pub mod placements;
pub mod recruitment;
pub mod session;
pub mod users;

use serde::Serialize;
use utoipa::ToSchema;

/// One field changed by a recorded action.
#[derive(Debug, Serialize, ToSchema)]
pub struct FieldChange {
    pub field: String,
    pub before: serde_json::Value,
    pub after: serde_json::Value,
}

/// One entry of a record's history.
#[derive(Debug, Serialize, ToSchema)]
pub struct Change {
    pub id: uuid::Uuid,
    pub at: chrono::DateTime<chrono::Utc>,
    pub actor: String,
    pub action: String,
    pub changes: Vec<FieldChange>,
}

/// Turns audit rows into a history: for each action, the fields whose values differ.
pub fn history(rows: Vec<dangwu_store::audit::AuditRow>, hidden: &[&str]) -> Vec<Change> {
    rows.into_iter()
        .map(|row| {
            let parse = |s: &Option<String>| {
                s.as_deref().and_then(|t| serde_json::from_str::<serde_json::Value>(t).ok()).unwrap_or_default()
            };
            let (before, after) = (parse(&row.before_json), parse(&row.after_json));
            let mut fields: Vec<String> =
                after.as_object().into_iter().chain(before.as_object()).flat_map(|o| o.keys().cloned()).collect();
            fields.sort();
            fields.dedup();
            let changes = fields
                .into_iter()
                .filter(|f| !hidden.contains(&f.as_str()))
                .filter_map(|field| {
                    let b = before.get(&field).cloned().unwrap_or_default();
                    let a = after.get(&field).cloned().unwrap_or_default();
                    (a != b).then_some(FieldChange { field, before: b, after: a })
                })
                .collect();
            Change { id: row.id, at: row.at, actor: row.actor_name, action: row.action, changes }
        })
        .collect()
}
