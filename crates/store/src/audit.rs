//! The append-only audit log. Records are written inside the transaction of the change they describe;
//! there is no update or delete of audit rows anywhere in the code (but the one-time chaining of
//! records older than the chain, [`Db::chain_existing_audit`]).
//!
//! The log is a hash chain, so that a record altered, deleted, moved or cut off in the database itself
//! is found by [`Db::verify_audit_chain`] (`dangwu audit verify`):
//! - record n has `seq = n`, `prev_hash` = the `hash` of record n-1 (64 zeros for the first), and
//!   `hash` = SHA-256 over [`record_hash`]'s canonical encoding of its fields, `seq` and `prev_hash`;
//! - the single `audit_head` row holds the count and the hash of the last record. A transaction
//!   appends its records at commit by locking that row (`UPDATE … RETURNING`), so concurrent writers
//!   on PostgreSQL take turns and the chain never forks; SQLite has one writer anyway. A log whose
//!   tail was deleted no longer reaches the head.
//!
//! Someone who can write the database can still rebuild the whole chain and the head; that is caught
//! only by comparing the head with a copy kept elsewhere (docs/OPERATIONS.md: anchoring the head).

use chrono::{DateTime, Utc};
use serde::Serialize;
use serde_json::Value;
use sha2::{Digest, Sha256};
use uuid::Uuid;

use crate::{Actor, Db, Result, Tx, new_id, q};

/// The `prev_hash` of the first record.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";

/// One thing that happened.
pub struct Event<'a> {
    pub action: &'a str,
    pub entity_type: &'a str,
    pub entity_id: Option<Uuid>,
    pub organization_id: Option<Uuid>,
    pub before: Option<Value>,
    pub after: Option<Value>,
}

impl<'a> Event<'a> {
    /// `action` on the entity of `entity_type` named by `entity_id` (`None`: on many, or on none that
    /// exists), outside any organization and keeping no values: [`Event::in_org`], [`Event::before`]
    /// and [`Event::after`] add those.
    pub fn new(action: &'a str, entity_type: &'a str, entity_id: impl Into<Option<Uuid>>) -> Event<'a> {
        Event { action, entity_type, entity_id: entity_id.into(), organization_id: None, before: None, after: None }
    }

    /// The organization the event belongs to.
    pub fn in_org(self, organization_id: impl Into<Option<Uuid>>) -> Event<'a> {
        Event { organization_id: organization_id.into(), ..self }
    }

    /// What the entity was before.
    pub fn before(self, value: Value) -> Event<'a> {
        Event { before: Some(value), ..self }
    }

    /// What the entity is after, or what was done with it.
    pub fn after(self, value: Value) -> Event<'a> {
        Event { after: Some(value), ..self }
    }
}

impl Tx {
    /// Records an audit event in this transaction; it is written, chained, at [`Tx::commit`], and
    /// vanishes with the transaction if that is rolled back.
    pub async fn audit(&mut self, actor: &Actor, at: DateTime<Utc>, event: Event<'_>) -> Result<()> {
        // PostgreSQL keeps microseconds: the hashed time must be the one that is read back.
        let at = DateTime::from_timestamp_micros(at.timestamp_micros()).unwrap_or(at);
        if let Some(org) = event.organization_id
            && crate::lifelog::is_compliance_input(event.entity_type)
        {
            self.life.insert(org);
        }
        self.audit.push(AuditRow {
            id: new_id(),
            at,
            actor_id: Some(actor.user_id),
            actor_name: actor.name.clone(),
            action: event.action.to_owned(),
            entity_type: event.entity_type.to_owned(),
            entity_id: event.entity_id,
            organization_id: event.organization_id,
            before_json: event.before.map(|v| v.to_string()),
            after_json: event.after.map(|v| v.to_string()),
            ip: actor.ip.clone(),
            seq: None,
            prev_hash: None,
            hash: None,
        });
        Ok(())
    }

    /// Appends records to the chain: reserves their places by moving the head (which locks it until
    /// this transaction ends), links and hashes them, writes them and the new head hash.
    pub(crate) async fn append_audit(&mut self, mut rows: Vec<AuditRow>) -> Result<()> {
        let n = rows.len() as i64;
        let (last, mut prev): (i64, String) =
            self.fetch_one(q("UPDATE audit_head SET seq = seq + $1 WHERE id = 1 RETURNING seq, hash").bind(n)).await?;
        for (seq, row) in (last - n + 1..).zip(rows.iter_mut()) {
            let hash = record_hash(row, seq, &prev);
            row.seq = Some(seq);
            row.prev_hash = Some(std::mem::replace(&mut prev, hash.clone()));
            row.hash = Some(hash);
            self.execute(
                q("INSERT INTO audit_log (id, at, actor_id, actor_name, action, entity_type, entity_id, \
                   organization_id, before_json, after_json, ip, seq, prev_hash, hash) \
                   VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14)")
                .bind(row.id)
                .bind(row.at)
                .bind(row.actor_id)
                .bind(row.actor_name.as_str())
                .bind(row.action.as_str())
                .bind(row.entity_type.as_str())
                .bind(row.entity_id)
                .bind(row.organization_id)
                .bind(row.before_json.clone())
                .bind(row.after_json.clone())
                .bind(row.ip.clone())
                .bind(seq)
                .bind(row.prev_hash.clone())
                .bind(row.hash.clone()),
            )
            .await?;
        }
        self.execute(q("UPDATE audit_head SET hash = $1 WHERE id = 1").bind(prev)).await?;
        Ok(())
    }
}

/// The hash of a record at place `seq` after a record hashed `prev`: SHA-256 (hex) over a version tag
/// and then, in this order, `prev`, `seq`, id, time, actor id, actor name, action, entity type, entity
/// id, organization id, before, after, address — each as byte 0 when absent, else byte 1, its UTF-8
/// length as 8 bytes big-endian, and its UTF-8 text. Numbers are decimal, ids hyphenated lower-case,
/// the time `seconds.nanoseconds` since 1970 UTC. The length prefix keeps `("ab","c")` and `("a","bc")`
/// apart.
pub fn record_hash(r: &AuditRow, seq: i64, prev: &str) -> String {
    fn put(h: &mut Sha256, v: Option<&str>) {
        match v {
            None => h.update([0u8]),
            Some(s) => {
                h.update([1u8]);
                h.update((s.len() as u64).to_be_bytes());
                h.update(s.as_bytes());
            }
        }
    }
    let id = |v: Option<Uuid>| v.map(|u| u.hyphenated().to_string());
    let mut h = Sha256::new();
    h.update(b"dangwu-audit-v1");
    put(&mut h, Some(prev));
    put(&mut h, Some(&seq.to_string()));
    put(&mut h, id(Some(r.id)).as_deref());
    put(&mut h, Some(&format!("{}.{:09}", r.at.timestamp(), r.at.timestamp_subsec_nanos())));
    put(&mut h, id(r.actor_id).as_deref());
    put(&mut h, Some(&r.actor_name));
    put(&mut h, Some(&r.action));
    put(&mut h, Some(&r.entity_type));
    put(&mut h, id(r.entity_id).as_deref());
    put(&mut h, id(r.organization_id).as_deref());
    put(&mut h, r.before_json.as_deref());
    put(&mut h, r.after_json.as_deref());
    put(&mut h, r.ip.as_deref());
    hex::encode(h.finalize())
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
    /// Place in the hash chain (see the module documentation).
    pub seq: Option<i64>,
    pub prev_hash: Option<String>,
    pub hash: Option<String>,
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
    organization_id, before_json, after_json, ip, seq, prev_hash, hash FROM audit_log WHERE 1 = 1";

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

/// How the chain is broken at its first bad place.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum BreakKind {
    /// The record's fields no longer give its hash.
    Altered,
    /// Places in the chain are empty: records were deleted.
    Missing,
    /// The record stands where it was not written (records swapped, or one forged in).
    Reordered,
    /// The record is intact but does not follow the one before it (that one was rewritten together
    /// with its hash, or a record was inserted before it).
    Unlinked,
    /// The head counts more records than the log holds: the tail was deleted.
    Truncated,
    /// The last record does not give the head's hash.
    HeadMismatch,
    /// A record has no place in the chain (written past the application).
    Unchained,
}

/// The first broken link found.
#[derive(Debug, Clone, Serialize)]
pub struct ChainBreak {
    pub kind: BreakKind,
    /// Place in the chain where the break is.
    pub seq: Option<i64>,
    /// The record found at that place (for `missing`, the first one after the gap).
    pub id: Option<Uuid>,
    pub message: String,
}

/// The result of checking the whole chain.
#[derive(Debug, Clone, Serialize)]
pub struct ChainReport {
    /// Records checked, in chain order, up to the first break.
    pub checked: i64,
    /// Records the head counts, and the hash of the last one.
    pub head_seq: i64,
    pub head_hash: String,
    pub broken: Option<ChainBreak>,
}

impl ChainReport {
    pub fn ok(&self) -> bool {
        self.broken.is_none()
    }
}

/// Where the chain walk stands.
struct Walk {
    expected: i64,
    prev: String,
    checked: i64,
}

impl Walk {
    fn step(&mut self, r: &AuditRow) -> Option<ChainBreak> {
        let seq = r.seq.unwrap_or_default();
        let at = |kind, message: String| Some(ChainBreak { kind, seq: Some(self.expected), id: Some(r.id), message });
        if seq > self.expected {
            let gap = if seq == self.expected + 1 {
                format!("第 {} 条", self.expected)
            } else {
                format!("第 {} 至 {} 条", self.expected, seq - 1)
            };
            return at(
                BreakKind::Missing,
                format!("审计记录{gap}缺失（已被删除）；其后的记录为第 {seq} 条（{}）", r.id),
            );
        }
        if seq < self.expected {
            return at(BreakKind::Reordered, format!("审计记录 {} 的链序号 {seq} 重复出现", r.id));
        }
        let content_ok = r.hash.as_deref() == Some(record_hash(r, seq, r.prev_hash.as_deref().unwrap_or("")).as_str());
        let linked = r.prev_hash.as_deref() == Some(self.prev.as_str());
        let broken = match (content_ok, linked) {
            (true, true) => None,
            (false, true) => {
                at(BreakKind::Altered, format!("第 {seq} 条审计记录（{}）的内容与其哈希不符：记录被改动", r.id))
            }
            (false, false) => at(
                BreakKind::Reordered,
                format!("第 {seq} 条审计记录（{}）不是在此位置写入的：记录被调换顺序或伪造", r.id),
            ),
            (true, false) => at(
                BreakKind::Unlinked,
                format!(
                    "第 {seq} 条审计记录（{}）与前一条不相连：第 {} 条被改写并重算了哈希，或有记录被插入",
                    r.id,
                    seq - 1
                ),
            ),
        };
        if broken.is_none() {
            self.prev = r.hash.clone().unwrap_or_default();
            self.expected += 1;
            self.checked += 1;
        }
        broken
    }
}

impl Db {
    /// The number of chained records and the hash of the last (keep a copy elsewhere to anchor it).
    pub async fn audit_head(&self) -> Result<(i64, String)> {
        self.fetch_one(q("SELECT seq, hash FROM audit_head WHERE id = 1")).await
    }

    /// Walks the whole chain in order and reports the first broken link. Records appended while it
    /// runs lie past the head read at the start and are left for the next check.
    pub async fn verify_audit_chain(&self) -> Result<ChainReport> {
        const BATCH: i64 = 1000;
        let (head_seq, head_hash) = self.audit_head().await?;
        let mut walk = Walk { expected: 1, prev: GENESIS.to_owned(), checked: 0 };
        let report =
            |walk: &Walk, broken| ChainReport { checked: walk.checked, head_seq, head_hash: head_hash.clone(), broken };
        let mut after = 0i64;
        loop {
            let rows: Vec<AuditRow> = self
                .fetch_all(
                    q(&format!("{AUDIT_COLUMNS} AND seq > $1 AND seq <= $2 ORDER BY seq, id LIMIT {BATCH}"))
                        .bind(after)
                        .bind(head_seq),
                )
                .await?;
            for r in &rows {
                if let Some(b) = walk.step(r) {
                    return Ok(report(&walk, Some(b)));
                }
            }
            match rows.last() {
                Some(last) if rows.len() as i64 == BATCH => after = last.seq.unwrap_or(after),
                _ => break,
            }
        }
        let last = walk.expected - 1;
        if last < head_seq {
            let message =
                format!("审计日志尾部缺失：链头记有 {head_seq} 条，日志只到第 {last} 条，第 {} 条起已被删除", last + 1);
            let b = ChainBreak { kind: BreakKind::Truncated, seq: Some(last + 1), id: None, message };
            return Ok(report(&walk, Some(b)));
        }
        if walk.prev != head_hash {
            let message = format!("第 {last} 条审计记录的哈希与链头不符：最后一条或链头被改动");
            let b = ChainBreak { kind: BreakKind::HeadMismatch, seq: Some(last), id: None, message };
            return Ok(report(&walk, Some(b)));
        }
        let stray: Option<(Uuid,)> =
            self.fetch_optional(q("SELECT id FROM audit_log WHERE seq IS NULL ORDER BY id LIMIT 1")).await?;
        if let Some((id,)) = stray {
            let message = format!("审计记录 {id} 不在哈希链中：它是绕过系统直接写入数据库的");
            let b = ChainBreak { kind: BreakKind::Unchained, seq: None, id: Some(id), message };
            return Ok(report(&walk, Some(b)));
        }
        Ok(report(&walk, None))
    }

    /// Chains, once, the records written before the chain existed (migration 0009), in id order —
    /// which is the order they were written in, ids being time-ordered.
    pub(crate) async fn chain_existing_audit(&self) -> Result<()> {
        let (done,): (bool,) = self.fetch_one(q("SELECT existing_chained FROM audit_head WHERE id = 1")).await?;
        if done {
            return Ok(());
        }
        let mut tx = self.begin().await?;
        // Locks the head: a second process migrating at the same time waits here, then finds it done.
        let (mut seq, mut prev, done): (i64, String, bool) = tx
            .fetch_one(q("UPDATE audit_head SET seq = seq WHERE id = 1 RETURNING seq, hash, existing_chained"))
            .await?;
        if done {
            return Ok(());
        }
        loop {
            let rows: Vec<AuditRow> =
                tx.fetch_all(q(&format!("{AUDIT_COLUMNS} AND seq IS NULL ORDER BY id LIMIT 1000"))).await?;
            if rows.is_empty() {
                break;
            }
            for r in &rows {
                seq += 1;
                let hash = record_hash(r, seq, &prev);
                tx.execute(
                    q("UPDATE audit_log SET seq = $1, prev_hash = $2, hash = $3 WHERE id = $4")
                        .bind(seq)
                        .bind(prev.as_str())
                        .bind(hash.as_str())
                        .bind(r.id),
                )
                .await?;
                prev = hash;
            }
        }
        tx.execute(
            q("UPDATE audit_head SET seq = $1, hash = $2, existing_chained = $3 WHERE id = 1")
                .bind(seq)
                .bind(prev)
                .bind(true),
        )
        .await?;
        tx.commit().await
    }
}
