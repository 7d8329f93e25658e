//! The pool's limits, each on SQLite and on PostgreSQL: a read past its time-out is stopped and told
//! apart (`TimedOut`), a write transaction is not; a read abandoned by its caller stops running and its
//! connection serves the next caller at once.

use std::time::{Duration, Instant};

use dangwu_store::{Db, Engine, PoolLimits, StoreError, q};
use dangwu_testkit::{TestApp, on_both_engines};

on_both_engines!(
    a_read_past_its_time_out_is_stopped,
    an_abandoned_read_stops_and_frees_its_connection,
    an_abandoned_read_transaction_stops_too,
    a_queue_that_makes_people_wait_refuses_newcomers,
);

/// A read that takes far longer than any test waits: about a minute on either engine.
fn slow_read(db: &Db) -> dangwu_store::Q {
    match db.engine() {
        Engine::Sqlite => q("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000000) \
             SELECT COUNT(*) FROM c"),
        Engine::Postgres => q("SELECT COUNT(*) FROM pg_sleep(60)"),
    }
}

/// A second pool on the test's database with these limits.
async fn pool(app: &TestApp, limits: PoolLimits) -> Db {
    Db::connect_with(app.db.url(), &limits).await.unwrap()
}

/// Statements of slow reads still running in the database (PostgreSQL; SQLite has no such view).
async fn slow_reads_running(app: &TestApp) -> i64 {
    if app.db.engine() == Engine::Sqlite {
        return 0;
    }
    let (n,): (i64,) = app
        .db
        .fetch_one(q("SELECT COUNT(*) FROM pg_stat_activity WHERE datname = current_database() AND state = 'active' \
             AND query LIKE '%pg_sleep(60)%' AND pid <> pg_backend_pid()"))
        .await
        .unwrap();
    n
}

async fn a_read_past_its_time_out_is_stopped(app: TestApp) {
    let limits = PoolLimits { read_timeout: Some(Duration::from_millis(300)), ..PoolLimits::default() };
    let db = pool(&app, limits).await;
    let t = Instant::now();
    let e = db.fetch_one::<(i64,)>(slow_read(&db)).await.unwrap_err();
    assert!(matches!(e, StoreError::TimedOut), "{e:?}");
    assert!(t.elapsed() < Duration::from_secs(3), "stopped after {:?}", t.elapsed());
    // In a read transaction too, and the connection is usable afterwards.
    let mut tx = db.begin_read().await.unwrap();
    let e = tx.fetch_one::<(i64,)>(slow_read(&db)).await.unwrap_err();
    assert!(matches!(e, StoreError::TimedOut), "{e:?}");
    drop(tx);
    let (one,): (i64,) = db.fetch_one(q("SELECT CAST(1 AS BIGINT)")).await.unwrap();
    assert_eq!(one, 1);
    // A write transaction runs longer than the read time-out.
    let mut tx = db.begin().await.unwrap();
    let long_write = match db.engine() {
        Engine::Sqlite => q("WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM c WHERE x < 3000000) \
             SELECT COUNT(*) FROM c, (SELECT 1 UNION ALL SELECT 2 UNION ALL SELECT 3)"),
        Engine::Postgres => q("SELECT COUNT(*) FROM pg_sleep(0.6)"),
    };
    let t = Instant::now();
    tx.fetch_one::<(i64,)>(long_write).await.unwrap();
    if db.engine() == Engine::Postgres {
        assert!(t.elapsed() > Duration::from_millis(300), "the write ran past the read time-out");
    }
    tx.commit().await.unwrap();
    db.close().await;
}

async fn an_abandoned_read_stops_and_frees_its_connection(app: TestApp) {
    // One connection, no time-out: only the abandonment can stop the read.
    let limits = PoolLimits { max_connections: Some(1), read_timeout: None, ..PoolLimits::default() };
    let db = pool(&app, limits).await;
    let stopped = db.stopped();
    let gone = tokio::time::timeout(Duration::from_millis(500), db.fetch_one::<(i64,)>(slow_read(&db))).await;
    assert!(gone.is_err(), "the read was still running when its caller gave up");
    let t = Instant::now();
    let (one,): (i64,) = db.fetch_one(q("SELECT CAST(1 AS BIGINT)")).await.unwrap();
    assert_eq!(one, 1);
    assert!(t.elapsed() < Duration::from_secs(2), "the one connection came back after {:?}", t.elapsed());
    assert!(db.stopped() > stopped);
    assert_eq!(slow_reads_running(&app).await, 0, "the database no longer runs it");
    // The connection writes normally afterwards (the stop does not linger on it).
    let mut tx = db.begin().await.unwrap();
    tx.execute(q("UPDATE life_generation SET n = n WHERE id = 1")).await.unwrap();
    tx.commit().await.unwrap();
    db.close().await;
}

async fn an_abandoned_read_transaction_stops_too(app: TestApp) {
    let limits = PoolLimits { max_connections: Some(1), read_timeout: None, ..PoolLimits::default() };
    let db = pool(&app, limits).await;
    let read = async {
        let mut tx = db.begin_read().await?;
        tx.fetch_one::<(i64,)>(slow_read(&db)).await
    };
    assert!(tokio::time::timeout(Duration::from_millis(500), read).await.is_err());
    let t = Instant::now();
    let (one,): (i64,) = db.fetch_one(q("SELECT CAST(1 AS BIGINT)")).await.unwrap();
    assert_eq!(one, 1);
    assert!(t.elapsed() < Duration::from_secs(2), "the one connection came back after {:?}", t.elapsed());
    assert_eq!(slow_reads_running(&app).await, 0);
    db.close().await;
}

async fn a_queue_that_makes_people_wait_refuses_newcomers(app: TestApp) {
    let limits = PoolLimits {
        max_connections: Some(1),
        max_waiting: None,
        max_queue_wait: Some(Duration::from_millis(200)),
        ..PoolLimits::default()
    };
    let db = pool(&app, limits).await;
    let wait_for = |db: &Db, n: usize| {
        let db = db.clone();
        async move {
            let t = Instant::now();
            while db.waiting() != n {
                assert!(t.elapsed() < Duration::from_secs(5), "{} waiting, not {n}", db.waiting());
                tokio::time::sleep(Duration::from_millis(5)).await;
            }
        }
    };
    // The only connection is held; one request waits 400 ms for it.
    let held = db.begin_read().await.unwrap();
    let first = tokio::spawn({
        let db = db.clone();
        async move { db.begin_read().await }
    });
    wait_for(&db, 1).await;
    tokio::time::sleep(Duration::from_millis(400)).await;
    drop(held);
    let held = first.await.unwrap().expect("a request in a queue that moves is served");

    // Now the queue is known to make people wait: with someone waiting, a newcomer is refused at
    // once, not after a wait of its own.
    let second = tokio::spawn({
        let db = db.clone();
        async move { db.begin_read().await }
    });
    wait_for(&db, 1).await;
    let t = Instant::now();
    assert!(matches!(db.begin_read().await, Err(StoreError::Busy)));
    assert!(t.elapsed() < Duration::from_millis(100), "refused at once");
    drop(held);
    let held = second.await.unwrap().expect("the one already waiting is still served");
    drop(held);

    // A request finding no one waiting is taken; once one is served quickly, newcomers join the
    // queue again.
    drop(db.begin_read().await.unwrap());
    let held = db.begin_read().await.unwrap();
    let waiters: Vec<_> = (0..2)
        .map(|_| {
            let db = db.clone();
            tokio::spawn(async move { db.begin_read().await.map(drop) })
        })
        .collect();
    wait_for(&db, 2).await;
    drop(held);
    for w in waiters {
        w.await.unwrap().expect("a queue that moves takes newcomers");
    }
    db.close().await;
}
