//! The audit log's hash chain, on SQLite and on PostgreSQL: it verifies after ordinary and concurrent
//! writes, and every kind of tampering done straight in SQL is reported at the right record.

use chrono::Utc;
use dangwu_store::audit::{AuditRow, BreakKind, ChainReport, Event, record_hash};
use dangwu_store::{Actor, Db, q};
use dangwu_testkit::{TestApp, on_both_engines, org_input};
use uuid::Uuid;

on_both_engines!(
    chain_verifies_and_reaches_the_head,
    concurrent_writers_keep_one_chain,
    an_altered_record_is_reported,
    a_deleted_record_is_reported,
    a_truncated_tail_is_reported,
    swapped_records_are_reported,
    a_record_rewritten_with_its_hash_breaks_the_next_link,
    a_record_inserted_past_the_application_is_reported,
    records_from_before_the_chain_are_chained_once,
    a_rolled_back_write_leaves_the_chain_alone,
);

fn actor() -> Actor {
    Actor { user_id: Uuid::nil(), name: "test".into(), ip: Some("127.0.0.1".into()) }
}

async fn verify(db: &Db) -> ChainReport {
    db.verify_audit_chain().await.expect("verify")
}

async fn assert_intact(db: &Db) -> ChainReport {
    let report = verify(db).await;
    assert!(report.ok(), "chain broken: {:?}", report.broken);
    assert_eq!(report.checked, report.head_seq);
    assert_eq!(report.checked, db.audit_count().await.unwrap());
    report
}

/// Writes `n` audited changes (new organizations under the fixture's committee).
async fn write(app: &TestApp, n: usize, tag: &str) {
    for i in 0..n {
        let input = org_input(&format!("{tag}{i}"), "branch");
        app.db.seed_org(&actor(), Some(app.fixture.committee), &input, Utc::now()).await.unwrap();
    }
}

async fn row_at(db: &Db, seq: i64) -> AuditRow {
    db.fetch_one(
        q("SELECT id, at, actor_id, actor_name, action, entity_type, entity_id, organization_id, \
         before_json, after_json, ip, seq, prev_hash, hash FROM audit_log WHERE seq = $1")
        .bind(seq),
    )
    .await
    .unwrap()
}

async fn broken(db: &Db) -> dangwu_store::audit::ChainBreak {
    let report = verify(db).await;
    let shown = format!("{report:?}");
    report.broken.unwrap_or_else(|| panic!("tampering not found: {shown}"))
}

async fn chain_verifies_and_reaches_the_head(app: TestApp) {
    write(&app, 3, "链").await;
    let report = assert_intact(&app.db).await;
    assert!(report.head_seq >= 3);
    let last = row_at(&app.db, report.head_seq).await;
    assert_eq!(last.hash.as_deref(), Some(report.head_hash.as_str()));
    let first = row_at(&app.db, 1).await;
    assert_eq!(first.prev_hash.as_deref(), Some(dangwu_store::audit::GENESIS));
}

/// Eight writers at once: four make changes that also lock rows of the tree, four write nothing but
/// their audit records, so only the chain head orders them.
async fn concurrent_writers_keep_one_chain(app: TestApp) {
    let before = app.db.audit_count().await.unwrap();
    let tasks: Vec<_> = (0..8)
        .map(|t| {
            let db = app.db.clone();
            let parent = app.fixture.committee;
            tokio::spawn(async move {
                for i in 0..10 {
                    if t % 2 == 0 {
                        let input = org_input(&format!("并发{t}-{i}"), "branch");
                        db.seed_org(&actor(), Some(parent), &input, Utc::now()).await.unwrap();
                    } else {
                        let mut tx = db.begin().await.unwrap();
                        for _ in 0..2 {
                            tx.audit(&actor(), Utc::now(), event()).await.unwrap();
                        }
                        tx.commit().await.unwrap();
                    }
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    let report = assert_intact(&app.db).await;
    assert_eq!(report.head_seq, before + 4 * 10 + 4 * 10 * 2);
}

fn event() -> Event<'static> {
    Event {
        action: "member.read_unmasked",
        entity_type: "member",
        entity_id: Some(Uuid::now_v7()),
        organization_id: None,
        before: None,
        after: None,
    }
}

async fn an_altered_record_is_reported(app: TestApp) {
    write(&app, 2, "改").await;
    let target = row_at(&app.db, 3).await;
    app.db.execute(q("UPDATE audit_log SET actor_name = 'someone else' WHERE seq = 3")).await.unwrap();
    let b = broken(&app.db).await;
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Altered, Some(3), Some(target.id)), "{b:?}");
    assert!(b.message.contains("第 3 条"), "{}", b.message);
}

async fn a_deleted_record_is_reported(app: TestApp) {
    write(&app, 2, "删").await;
    let next = row_at(&app.db, 5).await;
    app.db.execute(q("DELETE FROM audit_log WHERE seq = 4")).await.unwrap();
    let b = broken(&app.db).await;
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Missing, Some(4), Some(next.id)), "{b:?}");
    assert!(b.message.contains("第 4 条") && b.message.contains("缺失"), "{}", b.message);
}

async fn a_truncated_tail_is_reported(app: TestApp) {
    write(&app, 3, "尾").await;
    let (head, _) = app.db.audit_head().await.unwrap();
    app.db.execute(q("DELETE FROM audit_log WHERE seq > $1").bind(head - 2)).await.unwrap();
    let b = broken(&app.db).await;
    assert_eq!((b.kind, b.seq), (BreakKind::Truncated, Some(head - 1)), "{b:?}");
    let report = verify(&app.db).await;
    assert_eq!(report.checked, head - 2);
}

async fn swapped_records_are_reported(app: TestApp) {
    write(&app, 2, "换").await;
    let moved = row_at(&app.db, 3).await;
    for sql in [
        "UPDATE audit_log SET seq = -1 WHERE seq = 2",
        "UPDATE audit_log SET seq = 2 WHERE seq = 3",
        "UPDATE audit_log SET seq = 3 WHERE seq = -1",
    ] {
        app.db.execute(q(sql)).await.unwrap();
    }
    let b = broken(&app.db).await;
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Reordered, Some(2), Some(moved.id)), "{b:?}");
}

async fn a_record_rewritten_with_its_hash_breaks_the_next_link(app: TestApp) {
    write(&app, 2, "重算").await;
    let mut row = row_at(&app.db, 3).await;
    row.actor_name = "someone else".into();
    let forged = record_hash(&row, 3, row.prev_hash.as_deref().unwrap());
    app.db
        .execute(q("UPDATE audit_log SET actor_name = $1, hash = $2 WHERE seq = 3").bind("someone else").bind(forged))
        .await
        .unwrap();
    let next = row_at(&app.db, 4).await;
    let b = broken(&app.db).await;
    assert_eq!((b.kind, b.seq, b.id), (BreakKind::Unlinked, Some(4), Some(next.id)), "{b:?}");
}

async fn a_record_inserted_past_the_application_is_reported(app: TestApp) {
    let id = Uuid::now_v7();
    app.db
        .execute(
            q("INSERT INTO audit_log (id, at, actor_name, action, entity_type) VALUES ($1, $2, 'x', 'y', 'z')")
                .bind(id)
                .bind(Utc::now()),
        )
        .await
        .unwrap();
    let b = broken(&app.db).await;
    assert_eq!((b.kind, b.id), (BreakKind::Unchained, Some(id)), "{b:?}");
}

/// A database migrated from before the chain: its records have no place until the first migrate of
/// the new binary gives them one, in the order they were written; later migrates change nothing.
async fn records_from_before_the_chain_are_chained_once(app: TestApp) {
    let old: Vec<Uuid> = (0..3).map(|_| Uuid::now_v7()).collect();
    for (i, id) in old.iter().enumerate() {
        app.db
            .execute(
                q("INSERT INTO audit_log (id, at, actor_name, action, entity_type, after_json) \
                   VALUES ($1, $2, 'old', 'member.update', 'member', $3)")
                .bind(*id)
                .bind(Utc::now())
                .bind(format!("{{\"n\":{i}}}")),
            )
            .await
            .unwrap();
    }
    app.db.execute(q("UPDATE audit_head SET existing_chained = $1").bind(false)).await.unwrap();
    let (head, _) = app.db.audit_head().await.unwrap();
    app.db.migrate().await.unwrap();
    let report = assert_intact(&app.db).await;
    assert_eq!(report.head_seq, head + 3);
    for (i, id) in old.iter().enumerate() {
        assert_eq!(row_at(&app.db, head + 1 + i as i64).await.id, *id);
    }
    app.db.migrate().await.unwrap();
    assert_eq!(app.db.audit_head().await.unwrap(), (report.head_seq, report.head_hash));
}

async fn a_rolled_back_write_leaves_the_chain_alone(app: TestApp) {
    let head = app.db.audit_head().await.unwrap();
    let count = app.db.audit_count().await.unwrap();
    let mut tx = app.db.begin().await.unwrap();
    tx.audit(&actor(), Utc::now(), event()).await.unwrap();
    drop(tx);
    assert_eq!(app.db.audit_head().await.unwrap(), head);
    assert_eq!(app.db.audit_count().await.unwrap(), count);
    write(&app, 1, "后").await;
    assert_intact(&app.db).await;
}
