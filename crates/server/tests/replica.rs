//! Reads served by a streaming replica (run by `scripts/replica.sh`, which starts one and sets
//! `DANGWU_TEST_PG_REPLICA`; without it these tests say SKIPPED and pass, and the script fails on
//! that word).
//!
//! Replay on the replica is paused for a moment, so that it is certainly behind: a caller who has
//! not written since must be answered by the replica (and not see the new member yet), the caller
//! who wrote by the primary (and see it at once), on either server of the database.

use dangwu_testkit::{Backend, StatusCode, TestApp, member_json, pg_replica};
use serde_json::json;

async fn replicated_app() -> Option<TestApp> {
    if pg_replica().is_none() {
        eprintln!("SKIPPED (replica: DANGWU_TEST_PG_REPLICA is not set; scripts/replica.sh sets it)");
        return None;
    }
    let app = TestApp::start(Backend::Postgres).await?;
    assert!(app.replicated());
    Some(app)
}

/// Runs `sql` on the replica's own `postgres` database (a superuser session there).
async fn on_replica(sql: &str) {
    let admin =
        dangwu_store::Db::connect(&format!("{}/postgres", pg_replica().expect("replica"))).await.expect("replica");
    admin.execute(dangwu_store::q(sql)).await.expect(sql);
    admin.close().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_replica_read_is_served_by_the_standby() {
    let Some(app) = replicated_app().await else { return };
    // The handle reads hand out is the standby; the primary's is not.
    let reader = app.db.replica_read(None, None).await;
    assert!(reader.in_recovery().await.unwrap(), "reads are served by a server in recovery");
    assert!(!app.db.in_recovery().await.unwrap());
    // A write position the replica cannot have reached yet sends the read to the primary.
    let ahead = dangwu_store::WalPosition(app.db.write_position().await.unwrap().unwrap().0 + (1 << 40));
    assert!(!app.db.replica_read(Some(ahead), None).await.in_recovery().await.unwrap());
    // The standby refuses writes: nothing can be written through a read handle by mistake.
    assert!(reader.execute(dangwu_store::q("DELETE FROM sessions")).await.is_err());
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_writer_reads_its_write_while_others_read_the_lagging_replica() {
    let Some(app) = replicated_app().await else { return };
    let second = app.second_server().await;
    let writer = app.login("admin").await;
    let other = app.login("inspector").await;
    app.catch_up_replica().await;
    let search = "/api/v1/members?q=副本读";

    on_replica("SELECT pg_wal_replay_pause()").await;
    let paused = async {
        let created = writer.post("/api/v1/members", &member_json(app.fixture.branch_a, "副本读测试", 777)).await;
        let own = writer.get(search).await;
        let own_on_second = writer.to(&second.base).get(search).await;
        let others = other.get(search).await;
        let others_on_second = other.to(&second.base).get(search).await;
        (created, own, own_on_second, others, others_on_second)
    }
    .await;
    on_replica("SELECT pg_wal_replay_resume()").await;
    let (created, own, own_on_second, others, others_on_second) = paused;

    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let position = created.headers.get("x-dangwu-read-after").expect("the write's log position").to_str().unwrap();
    assert!(position.parse::<dangwu_store::WalPosition>().is_ok(), "{position}");
    assert_eq!(own.body["total"], 1, "the writer reads its own write at once: {}", own.body);
    assert_eq!(own_on_second.body["total"], 1, "on the other server too: {}", own_on_second.body);
    assert_eq!(others.body["total"], 0, "another caller is served by the paused replica: {}", others.body);
    assert_eq!(others_on_second.body["total"], 0, "{}", others_on_second.body);

    // Replay resumed: the others see it too.
    app.catch_up_replica().await;
    assert_eq!(other.get(search).await.body["total"], 1);
    // An API client without cookies gets the position in a header and sends it back the same way.
    let token = writer.post("/api/v1/tokens", &json!({"name": "副本测试"})).await;
    assert_eq!(token.status, StatusCode::CREATED, "{}", token.body);
    let bearer = format!("Bearer {}", token.body["token"].as_str().unwrap());
    let client = reqwest::Client::new();
    let url = |path: &str| format!("{}{path}", app.base);
    let total = |res: reqwest::Response| async move { res.json::<serde_json::Value>().await.unwrap()["total"].clone() };
    app.catch_up_replica().await;
    on_replica("SELECT pg_wal_replay_pause()").await;
    let paused = async {
        let body = member_json(app.fixture.branch_a, "令牌副本测试", 778);
        let created =
            client.post(url("/api/v1/members")).header("authorization", &bearer).json(&body).send().await.unwrap();
        let status = created.status();
        let position = created.headers().get("x-dangwu-read-after").cloned();
        let search = "/api/v1/members?q=令牌副本";
        let without = total(client.get(url(search)).header("authorization", &bearer).send().await.unwrap()).await;
        let mut with = client.get(url(search)).header("authorization", &bearer);
        if let Some(p) = &position {
            with = with.header("x-dangwu-read-after", p);
        }
        let with = total(with.send().await.unwrap()).await;
        (status, position, without, with)
    }
    .await;
    on_replica("SELECT pg_wal_replay_resume()").await;
    let (status, position, without, with) = paused;
    assert_eq!(status, StatusCode::CREATED);
    assert!(position.is_some(), "a token write answers with its log position");
    assert_eq!(without, 0, "without the position the lagging replica answers");
    assert_eq!(with, 1, "with it the primary answers");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_grant_revoked_elsewhere_closes_replica_reads_at_once() {
    let Some(app) = replicated_app().await else { return };
    let sec = app.login("sec_a").await;
    let secadmin = app.login("secadmin").await;
    let users = secadmin.get("/api/v1/users").await;
    let grant = users.body.as_array().unwrap().iter().find(|u| u["username"] == "sec_a").unwrap()["grants"][0]["id"]
        .as_str()
        .unwrap()
        .to_owned();
    let list = format!("/api/v1/members?organization_id={}", app.fixture.branch_a);
    assert_eq!(sec.get(&list).await.body["total"], 4);
    app.catch_up_replica().await;

    on_replica("SELECT pg_wal_replay_pause()").await;
    let paused = async {
        let revoked = secadmin.delete(&format!("/api/v1/grants/{grant}")).await;
        // sec_a has not written: without the grants check the paused replica, which still has the
        // grant, would answer with the branch's members.
        (revoked, sec.get(&list).await)
    }
    .await;
    on_replica("SELECT pg_wal_replay_resume()").await;
    let (revoked, after) = paused;
    assert_eq!(revoked.status, StatusCode::NO_CONTENT, "{}", revoked.body);
    assert_eq!(after.body["total"], 0, "the revoked grant no longer opens the list: {}", after.body);
}
