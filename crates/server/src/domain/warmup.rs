//! The reads a server makes once as it starts, before `/readyz` says it is ready.
//!
//! Measured on PostgreSQL with 500 users arriving within a second of a start: a backend's first run
//! of each statement loads the catalogs of its tables and plans it, and the connection parses and
//! describes it, so the first second's requests took several times their usual time, the queue for
//! connections filled and 41 requests were answered 503. Running the statements of the frequent
//! requests on every pooled connection first moves that cost before the first request.

use std::sync::Arc;

use dangwu_store::members::MemberFilter;
use uuid::Uuid;

use crate::AppState;

/// Rounds of the reads: the pool hands connections out in no fixed order, so one round may reach a
/// connection twice and another not at all.
const ROUNDS: usize = 3;

/// Runs the frequent requests' reads on every pooled connection, as a user with the widest grant
/// there is (so the statements take the plans real requests take). Errors are ignored: this only
/// warms. Returns how many reads ran.
pub async fn warm_connections(state: &AppState) -> usize {
    let db = &state.db;
    let grants = db.all_grants().await.unwrap_or_default();
    // The first grant of the organization nearest the root: its lists are the largest.
    let depths: std::collections::HashMap<Uuid, i64> =
        db.all_org_nodes().await.unwrap_or_default().into_iter().map(|o| (o.id, o.depth)).collect();
    let widest = grants.iter().min_by_key(|g| depths.get(&g.organization_id).copied().unwrap_or(i64::MAX));
    let (user, org) = match widest {
        Some(g) => (g.user_id, g.organization_id),
        None => (Uuid::nil(), Uuid::nil()),
    };
    let page = |organization_id: Option<Uuid>, subtree: bool, text: Option<String>| MemberFilter {
        organization_id,
        subtree,
        text,
        status: None,
        after: None,
        limit: 20,
        no_total: false,
    };
    let sample = db.list_members(user, &page(Some(org), true, None)).await.ok();
    let member = sample.as_ref().and_then(|(rows, _)| rows.first().cloned());
    let branch = member.as_ref().map(|m| m.organization_id).unwrap_or(org);
    let member_id = member.as_ref().map(|m| m.id).unwrap_or_else(Uuid::nil);
    let names: Vec<String> =
        member.map(|m| vec![m.name.chars().take(1).collect(), m.name.clone()]).unwrap_or_else(|| vec!["王".into()]);
    let lanes = db.max_connections().max(1) as usize;
    let barrier = Arc::new(tokio::sync::Barrier::new(lanes));
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..lanes {
        let (db, barrier, names) = (db.clone(), barrier.clone(), names.clone());
        tasks.spawn(async move {
            let mut reads = 0;
            for _ in 0..ROUNDS {
                // Each step starts on every lane at once, so every connection is taken by one lane.
                barrier.wait().await;
                let _ = db.session_caller("warm-up: no session has this hash").await;
                barrier.wait().await;
                let _ = db.get_member(user, member_id).await;
                barrier.wait().await;
                let _ = db.list_members(user, &page(Some(branch), false, None)).await;
                barrier.wait().await;
                let _ = db.list_members(user, &page(None, false, None)).await;
                for name in &names {
                    barrier.wait().await;
                    let _ = db.list_members(user, &page(None, false, Some(name.clone()))).await;
                }
                barrier.wait().await;
                let _ = db.check_readable(user, branch).await;
                let _ = db.life_generation().await;
                reads += 6 + names.len();
            }
            reads
        });
    }
    let mut reads = 0;
    while let Some(done) = tasks.join_next().await {
        reads += done.unwrap_or(0);
    }
    reads
}
