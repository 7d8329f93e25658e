//! Integrity of the audit log and of backups, each on SQLite and on PostgreSQL: the hash chain checked
//! through the API, concurrent writers, and backup while writing followed by a restore elsewhere.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};

use dangwu_store::{Db, q};
use dangwu_testkit::{Backend, StatusCode, TestApp, member_json, on_both_engines};
use uuid::Uuid;

on_both_engines!(
    audit_admin_verifies_the_chain_and_sees_tampering,
    only_the_audit_admin_may_verify,
    concurrent_api_writes_keep_one_chain,
    backup_while_writing_restores_elsewhere_intact,
    restore_refuses_a_database_in_use_or_not_empty,
);

async fn audit_admin_verifies_the_chain_and_sees_tampering(app: TestApp) {
    let auditor = app.login("auditor").await;
    let res = auditor.get("/api/v1/audit/verify").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["ok"], true, "{}", res.body);
    let head = res.body["head_seq"].as_i64().unwrap();
    assert!(head > 5);
    assert_eq!(res.body["checked"], head);
    // The list shows each record's place in the chain.
    let page = auditor.get("/api/v1/audit?limit=1").await;
    assert_eq!(page.body["items"][0]["seq"], head, "{}", page.body);
    assert_eq!(page.body["items"][0]["hash"], res.body["head_hash"]);

    let (id,): (Uuid,) = app.db.fetch_one(q("SELECT id FROM audit_log WHERE seq = 5")).await.unwrap();
    app.db.execute(q("UPDATE audit_log SET after_json = '{}' WHERE seq = 5")).await.unwrap();
    let res = auditor.get("/api/v1/audit/verify").await;
    assert_eq!(res.status, StatusCode::OK);
    assert_eq!(res.body["ok"], false);
    assert_eq!(res.body["checked"], 4);
    assert_eq!(res.body["broken"]["kind"], "altered");
    assert_eq!(res.body["broken"]["seq"], 5);
    assert_eq!(res.body["broken"]["id"], id.to_string());
    assert!(res.body["broken"]["message"].as_str().unwrap().contains("第 5 条"), "{}", res.body);
}

async fn only_the_audit_admin_may_verify(app: TestApp) {
    for user in ["admin", "sysadmin", "secadmin", "inspector", "sec_a", "member_a"] {
        let res = app.login(user).await.get("/api/v1/audit/verify").await;
        assert_eq!(res.status, StatusCode::FORBIDDEN, "{user}: {}", res.body);
    }
    assert_eq!(app.anonymous().get("/api/v1/audit/verify").await.status, StatusCode::UNAUTHORIZED);
}

/// Creates members in branch A from `writers` sessions at once; returns the ids acknowledged.
async fn write_members(app: &TestApp, writers: u32, each: u32, first_seq: u32) -> Vec<Uuid> {
    let admin = app.login("admin").await;
    let acked = Arc::new(Mutex::new(Vec::new()));
    let tasks: Vec<_> = (0..writers)
        .map(|w| {
            let (admin, acked, org) = (admin.clone(), acked.clone(), app.fixture.branch_a);
            tokio::spawn(async move {
                for i in 0..each {
                    let seq = first_seq + w * each + i;
                    let res = admin.post("/api/v1/members", &member_json(org, &format!("写{seq}"), seq)).await;
                    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
                    let id = res.body["id"].as_str().unwrap().parse().unwrap();
                    acked.lock().unwrap().push(id);
                }
            })
        })
        .collect();
    for t in tasks {
        t.await.unwrap();
    }
    Arc::try_unwrap(acked).unwrap().into_inner().unwrap()
}

async fn concurrent_api_writes_keep_one_chain(app: TestApp) {
    let before = app.db.audit_count().await.unwrap();
    let ids = write_members(&app, 6, 8, 100).await;
    assert_eq!(ids.len(), 48);
    let res = app.login("auditor").await.get("/api/v1/audit/verify").await;
    assert_eq!(res.body["ok"], true, "{}", res.body);
    let head = res.body["head_seq"].as_i64().unwrap();
    assert!(head >= before + 48, "{head} < {before} + 48");
    assert_eq!(head, app.db.audit_count().await.unwrap());
}

/// A place for a restored copy: a fresh file, or a fresh empty PostgreSQL database (dropped at the end).
struct Fresh {
    url: String,
    dir: PathBuf,
    pg: Option<(String, String)>,
}

impl Fresh {
    async fn new(backend: Backend) -> Fresh {
        let dir = std::env::temp_dir().join(format!("dangwu-restore-{}", Uuid::new_v4().simple()));
        std::fs::create_dir_all(&dir).unwrap();
        match backend {
            Backend::Sqlite => Fresh { url: format!("sqlite://{}", dir.join("restored.db").display()), dir, pg: None },
            Backend::Postgres => {
                let base =
                    std::env::var("DANGWU_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into());
                let name = format!("dangwu_restore_{}", Uuid::new_v4().simple());
                let admin = Db::connect(&format!("{base}/postgres")).await.unwrap();
                admin.execute(q(&format!("CREATE DATABASE {name}"))).await.unwrap();
                admin.close().await;
                Fresh { url: format!("{base}/{name}"), dir, pg: Some((base, name)) }
            }
        }
    }

    async fn drop_all(self) {
        if let Some((base, name)) = &self.pg {
            let admin = Db::connect(&format!("{base}/postgres")).await.unwrap();
            admin.execute(q(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await.unwrap();
            admin.close().await;
        }
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

async fn count(db: &Db, sql: &str) -> i64 {
    let (n,): (i64,) = db.fetch_one(q(sql)).await.unwrap();
    n
}

/// The backup is taken while four sessions keep creating members. Everything acknowledged before the
/// backup began is in the restored copy, the copy's audit chain verifies, and it is a prefix of the
/// live chain: the copy is one consistent moment of the database.
async fn backup_while_writing_restores_elsewhere_intact(app: TestApp) {
    let fresh = Fresh::new(app.backend).await;
    let file = fresh.dir.join("backup.bin");
    let acked_before: HashSet<Uuid> = write_members(&app, 2, 3, 200).await.into_iter().collect();
    // Four sessions write until the backup is done, so the backup runs in the middle of writes.
    let done = Arc::new(AtomicBool::new(false));
    let admin = app.login("admin").await;
    let writers: Vec<_> = (0..4u32)
        .map(|w| {
            let (admin, done, org) = (admin.clone(), done.clone(), app.fixture.branch_a);
            tokio::spawn(async move {
                let mut acked = 0;
                // ID numbers differ by `seq` modulo 500: 300 + 50 per writer keeps them apart.
                for i in 0..50 {
                    if done.load(Ordering::SeqCst) && i >= 5 {
                        break;
                    }
                    let seq = 300 + w * 50 + i;
                    let res = admin.post("/api/v1/members", &member_json(org, &format!("写{seq}"), seq)).await;
                    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
                    acked += 1;
                }
                acked
            })
        })
        .collect();
    while count(&app.db, "SELECT COUNT(*) FROM members").await < 13 + 10 {
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    let report = app.db.backup(&file).await.expect("backup");
    done.store(true, Ordering::SeqCst);
    let mut acked_during = 0;
    for w in writers {
        acked_during += w.await.unwrap();
    }
    assert!(report.bytes > 0);
    if let Some(chain) = &report.audit {
        assert!(chain.ok(), "{chain:?}");
    }

    let restored = dangwu_store::backup::restore(&fresh.url, &file).await.expect("restore");
    assert!(restored.audit.ok(), "{:?}", restored.audit);
    assert!(restored.previous.is_none());
    let copy = Db::connect(&fresh.url).await.unwrap();
    let present: HashSet<Uuid> =
        copy.fetch_all::<(Uuid,)>(q("SELECT id FROM members")).await.unwrap().into_iter().map(|(id,)| id).collect();
    assert!(acked_before.is_subset(&present), "members acknowledged before the backup are missing");
    let chain = copy.verify_audit_chain().await.unwrap();
    assert!(chain.ok() && chain.checked == chain.head_seq, "{chain:?}");
    // The copy's head is a record of the live chain with the same hash: a prefix, not a mixture.
    let (live_hash,): (String,) =
        app.db.fetch_one(q("SELECT hash FROM audit_log WHERE seq = $1").bind(chain.head_seq)).await.unwrap();
    assert_eq!(live_hash, chain.head_hash);
    // Every member in the copy has its creation audited in the copy, and nothing more.
    let created = count(&copy, "SELECT COUNT(*) FROM audit_log WHERE action = 'member.create'").await;
    let members = count(&copy, "SELECT COUNT(*) FROM members").await;
    assert_eq!(created, members, "members {members}, creations audited {created}");
    eprintln!(
        "backup holds {members} members; {} acknowledged before it, {acked_during} written meanwhile",
        acked_before.len()
    );
    assert!(acked_during >= 20);
    copy.close().await;
    fresh.drop_all().await;
}

async fn restore_refuses_a_database_in_use_or_not_empty(app: TestApp) {
    let fresh = Fresh::new(app.backend).await;
    let file = fresh.dir.join("backup.bin");
    app.db.backup(&file).await.expect("backup");
    // A second backup never overwrites the first.
    assert!(app.db.backup(&file).await.is_err());
    // The running test server has the database open (SQLite) / it holds data (PostgreSQL).
    let err = dangwu_store::backup::restore(app.db.url(), &file).await.expect_err("restore over a live database");
    let message = err.to_string();
    match app.backend {
        Backend::Sqlite => assert!(message.contains("正在被使用"), "{message}"),
        Backend::Postgres => assert!(message.contains("不是空的"), "{message}"),
    }
    // The live database is untouched.
    let res = app.login("auditor").await.get("/api/v1/audit/verify").await;
    assert_eq!(res.body["ok"], true, "{}", res.body);
    // A file that is not a backup is refused without touching the target.
    let junk = fresh.dir.join("junk.bin");
    std::fs::write(&junk, b"not a database").unwrap();
    assert!(dangwu_store::backup::restore(&fresh.url, &junk).await.is_err());
    if app.backend == Backend::Sqlite {
        assert!(!fresh.dir.join("restored.db").exists());
    }
    fresh.drop_all().await;
}
