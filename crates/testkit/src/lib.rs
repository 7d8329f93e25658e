//! Starts the real application for tests: a fresh SQLite file or a fresh PostgreSQL database per test,
//! migrated, loaded with a small fixture, and served over HTTP on 127.0.0.1 with an OS-chosen port.
//!
//! PostgreSQL is found at `DANGWU_TEST_PG` (default `postgres://postgres@127.0.0.1:5432`). When it
//! cannot be reached the PostgreSQL half of a test is skipped with a message, except under `CI=true`,
//! where a missing database is a failure.
//!
//! With `DANGWU_TEST_PG_REPLICA` set (a streaming replica of that server, as `scripts/replica.sh`
//! starts), a PostgreSQL app routes its read-only requests to the same database on the replica, once
//! the database and its fixture have arrived there.

use std::path::PathBuf;

use chrono::{NaiveDate, Utc};
use dangwu_server::{AppState, Clock, ServerConfig, auth};
use dangwu_store::accounts::NewUser;
use dangwu_store::members::MemberInput;
use dangwu_store::orgs::{CommitteeSeat, OrgInput};
use dangwu_store::{Actor, Db, Role, SystemRole};
pub use reqwest::StatusCode;
use serde_json::Value;
use uuid::Uuid;

/// Password of every fixture user.
pub const PASSWORD: &str = "Test-pass-2026";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Backend {
    Sqlite,
    Postgres,
}

/// The fixture: group committee → primary committee → branches A and B (and a party group under A).
#[derive(Debug, Clone)]
pub struct Fixture {
    pub group: Uuid,
    pub committee: Uuid,
    pub branch_a: Uuid,
    pub branch_b: Uuid,
    pub group_a: Uuid,
    /// Members of branch A (the first is linked to user `member_a`) and of branch B.
    pub members_a: Vec<Uuid>,
    pub members_b: Vec<Uuid>,
}

pub struct TestApp {
    pub base: String,
    pub db: Db,
    /// The server's state (its caches and index), to observe what a request did.
    pub state: AppState,
    pub backend: Backend,
    pub fixture: Fixture,
    server: tokio::task::JoinHandle<()>,
    cleanup: Cleanup,
}

enum Cleanup {
    Dir(PathBuf),
    Database { admin_url: String, name: String },
}

fn pg_base() -> String {
    std::env::var("DANGWU_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

/// The streaming replica of [`pg_base`] that reads are routed to, if any.
pub fn pg_replica() -> Option<String> {
    std::env::var("DANGWU_TEST_PG_REPLICA").ok().filter(|v| !v.trim().is_empty())
}

fn in_ci() -> bool {
    std::env::var("CI").is_ok_and(|v| v == "true" || v == "1")
}

impl TestApp {
    /// Starts the app on `backend`; `None` (test skipped) only when PostgreSQL is unreachable outside CI.
    pub async fn start(backend: Backend) -> Option<TestApp> {
        TestApp::start_with_data_keys(backend, None).await
    }

    /// Like [`TestApp::start`], with members' ID numbers and phones encrypted under `keys`.
    pub async fn start_with_data_keys(
        backend: Backend,
        keys: Option<dangwu_store::crypto::DataKeys>,
    ) -> Option<TestApp> {
        TestApp::start_with(backend, keys, &dangwu_store::PoolLimits::default()).await
    }

    /// Like [`TestApp::start`], the database pool under `limits` (the server's defaults elsewhere).
    pub async fn start_limited(backend: Backend, limits: &dangwu_store::PoolLimits) -> Option<TestApp> {
        TestApp::start_with(backend, None, limits).await
    }

    async fn start_with(
        backend: Backend,
        keys: Option<dangwu_store::crypto::DataKeys>,
        limits: &dangwu_store::PoolLimits,
    ) -> Option<TestApp> {
        let (url, cleanup) = match backend {
            Backend::Sqlite => {
                let dir = std::env::temp_dir().join(format!("dangwu-test-{}", Uuid::new_v4().simple()));
                std::fs::create_dir_all(&dir).expect("temp dir");
                (format!("sqlite://{}", dir.join("test.db").display()), Cleanup::Dir(dir))
            }
            Backend::Postgres => {
                let admin_url = format!("{}/postgres", pg_base());
                let name = format!("dangwu_test_{}", Uuid::new_v4().simple());
                match create_pg_database(&admin_url, &name).await {
                    Ok(()) => (format!("{}/{name}", pg_base()), Cleanup::Database { admin_url, name }),
                    Err(e) if !in_ci() => {
                        eprintln!("SKIPPED (PostgreSQL unavailable at {}: {e})", pg_base());
                        return None;
                    }
                    Err(e) => panic!("PostgreSQL is required in CI but unavailable at {}: {e}", pg_base()),
                }
            }
        };
        let db = Db::connect_with(&url, limits).await.expect("connect").with_data_keys(keys);
        db.migrate().await.expect("migrate");
        let fixture = load_fixture(&db).await;
        let db = match (&cleanup, pg_replica()) {
            (Cleanup::Database { name, .. }, Some(replica)) => {
                let replica_url = format!("{replica}/{name}");
                wait_for_replica(&db, &replica_url).await;
                db.with_read_replica(&replica_url).await.expect("replica pool")
            }
            _ => db,
        };
        let (base, state, server) = serve_on_new_port(db.clone()).await;
        Some(TestApp { base, db, state, backend, fixture, server, cleanup })
    }

    /// Whether read-only requests of this app are served by a streaming replica.
    pub fn replicated(&self) -> bool {
        self.db.has_replica()
    }

    /// Waits until the replica has replayed every write made so far (for a test that wrote to the
    /// store directly, as another server would, and reads through the API next). At once without one.
    pub async fn catch_up_replica(&self) {
        if let (Some(replica), Cleanup::Database { name, .. }) = (pg_replica(), &self.cleanup) {
            wait_for_replica(&self.db, &format!("{replica}/{name}")).await;
        }
    }

    /// A second server process on the same database: its own pool (and replica pool), its own
    /// in-memory compliance index and login limiter, on its own port; stopped when dropped.
    pub async fn second_server(&self) -> Peer {
        let mut db = self.db.reconnect().await.expect("connect");
        if let (Some(replica), Cleanup::Database { name, .. }) = (pg_replica(), &self.cleanup) {
            db = db.with_read_replica(&format!("{replica}/{name}")).await.expect("replica pool");
        }
        let (base, _, server) = serve_on_new_port(db.clone()).await;
        Peer { base, db, server }
    }

    /// A logged-in session of a fixture user.
    pub async fn login(&self, username: &str) -> Session {
        let session = Session::anonymous(&self.base);
        let res =
            session.post("/api/v1/auth/login", &serde_json::json!({"username": username, "password": PASSWORD})).await;
        assert_eq!(res.status, StatusCode::OK, "login {username}: {}", res.body);
        Session { csrf: res.body["csrf_token"].as_str().map(str::to_owned), ..session }
    }

    pub fn anonymous(&self) -> Session {
        Session::anonymous(&self.base)
    }
}

impl Drop for TestApp {
    fn drop(&mut self) {
        self.server.abort();
        match &self.cleanup {
            Cleanup::Dir(dir) => {
                let _ = std::fs::remove_dir_all(dir);
            }
            Cleanup::Database { admin_url, name } => {
                let (admin_url, name, db) = (admin_url.clone(), name.clone(), self.db.clone());
                // Drop runs inside the test's runtime; a separate one on its own thread does the async work.
                let _ = std::thread::spawn(move || {
                    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("runtime");
                    rt.block_on(async move {
                        db.close().await;
                        if let Ok(admin) = Db::connect(&admin_url).await {
                            let _ = admin
                                .execute(dangwu_store::q(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)")))
                                .await;
                            admin.close().await;
                        }
                    });
                })
                .join();
            }
        }
    }
}

/// Another server of a [`TestApp`] (see [`TestApp::second_server`]).
pub struct Peer {
    pub base: String,
    pub db: Db,
    server: tokio::task::JoinHandle<()>,
}

impl Drop for Peer {
    fn drop(&mut self) {
        self.server.abort();
    }
}

async fn serve_on_new_port(db: Db) -> (String, AppState, tokio::task::JoinHandle<()>) {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.expect("bind");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    let state = AppState::new(
        db,
        ServerConfig::default(),
        Clock::system(),
        dangwu_rules::RuleBook::builtin().expect("rule packs"),
    );
    let served = state.clone();
    let server = tokio::spawn(async move {
        dangwu_server::serve(served, listener).await.expect("serve");
    });
    // The start-up reads run beside the first requests; a test's own requests come after them, so
    // tests that count the pool's queue or its statements see only their own.
    let started = std::time::Instant::now();
    while !state.ready.load(std::sync::atomic::Ordering::Acquire) {
        assert!(started.elapsed() < std::time::Duration::from_secs(60), "server not ready after 60 s");
        tokio::time::sleep(std::time::Duration::from_millis(5)).await;
    }
    (base, state, server)
}

/// Waits until the database of `primary` exists on the replica at `replica_url` and the replica has
/// replayed everything written to the primary so far.
async fn wait_for_replica(primary: &Db, replica_url: &str) {
    let target = primary.write_position().await.expect("write position").expect("PostgreSQL");
    let started = std::time::Instant::now();
    let mut last_error = String::new();
    while started.elapsed() < std::time::Duration::from_secs(60) {
        match Db::connect(replica_url).await {
            Ok(replica) => {
                let replayed = replica.replay_position().await;
                replica.close().await;
                match replayed {
                    Ok(Some(replayed)) if replayed >= target => return,
                    Ok(Some(replayed)) => last_error = format!("replayed {replayed}, waiting for {target}"),
                    Ok(None) => panic!("{replica_url} is not a standby (pg_is_in_recovery() is false)"),
                    Err(e) => last_error = e.to_string(),
                }
            }
            Err(e) => last_error = e.to_string(),
        }
        tokio::time::sleep(std::time::Duration::from_millis(20)).await;
    }
    panic!("the replica did not catch up within 60 s: {last_error}");
}

async fn create_pg_database(admin_url: &str, name: &str) -> Result<(), String> {
    let admin = tokio::time::timeout(std::time::Duration::from_secs(5), Db::connect(admin_url))
        .await
        .map_err(|_| "timed out".to_string())?
        .map_err(|e| e.to_string())?;
    admin.execute(dangwu_store::q(&format!("CREATE DATABASE {name}"))).await.map_err(|e| e.to_string())?;
    admin.close().await;
    Ok(())
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// A checksum-valid ID number for a birth date; `seq` must differ between people of the same birth date.
pub fn id_number(birth: NaiveDate, male: bool, seq: u32) -> String {
    let seq = seq * 2 + u32::from(male);
    let body = format!("110105{}{:03}", birth.format("%Y%m%d"), seq % 1000);
    format!("{body}{}", dangwu_rules::idcard::check_char(&body).expect("17 digits"))
}

/// A held meeting of `org` as the store takes it, for writing straight to the store (as another
/// server on the same database would).
pub fn held_meeting(org: Uuid, kind: &str, held_on: NaiveDate) -> dangwu_store::meetings::MeetingInput {
    dangwu_store::meetings::MeetingInput {
        organization_id: org,
        kind: dangwu_rules::codes::RecordKind::from_code(kind).expect("a known meeting kind"),
        status: dangwu_rules::codes::MeetingStatus::Held,
        planned_on: None,
        held_on: Some(held_on),
        start_time: String::new(),
        end_time: String::new(),
        place: "党员活动室".into(),
        chair: "书记".into(),
        recorder: "组织委员".into(),
        lecturer: String::new(),
        secretary_lecture: false,
        topic: format!("{held_on} 会议"),
        agenda: Vec::new(),
        minutes: String::new(),
        decisions: String::new(),
        quorum: None,
        votes: Vec::new(),
        attachments: Vec::new(),
        with_appraisal: false,
        election: None,
        attendees: Vec::new(),
        issues: Vec::new(),
    }
}

/// A valid member body for the API, in organization `org`; `seq` keeps ID numbers apart.
pub fn member_json(org: Uuid, name: &str, seq: u32) -> Value {
    let birth = date(1990, 3, 15);
    serde_json::json!({
        "name": name, "gender": "male", "ethnicity": "汉族", "birth_date": birth.to_string(),
        "id_number": id_number(birth, true, seq), "education": "大学本科", "occupation": "professional",
        "work_unit": "华夏测试公司", "post": "工程师", "phone": "13800001234",
        "joined_on": "2015-07-01", "converted_on": "2016-07-01", "status": "full", "organization_id": org,
    })
}

/// An organization as the store takes it: `name` (short name alike) of `kind`, no committee.
pub fn org_input(name: &str, kind: &str) -> OrgInput {
    OrgInput {
        name: name.into(),
        short_name: name.into(),
        kind: dangwu_rules::org::OrgKind::from_code(kind).expect("a known organization kind"),
        units: vec!["华夏测试公司".into()],
        established_on: Some(date(2010, 1, 1)),
        term_start: Some(date(2024, 1, 1)),
        term_end: Some(date(2026, 12, 31)),
        committee: Vec::<CommitteeSeat>::new(),
    }
}

fn member(org: Uuid, name: &str, seq: u32, status: &str) -> MemberInput {
    let birth = date(1985, 1, 1 + seq % 28);
    let full = status == "full";
    MemberInput {
        name: name.into(),
        gender: dangwu_rules::idcard::Gender::Female,
        ethnicity: "汉族".into(),
        birth_date: birth,
        id_number: id_number(birth, false, seq),
        education: "大学本科".into(),
        occupation: dangwu_rules::member::Occupation::Manager,
        work_unit: "华夏测试公司".into(),
        post: "主管".into(),
        phone: format!("139{:08}", seq),
        joined_on: date(2012, 6, 1),
        converted_on: full.then(|| date(2013, 6, 1)),
        status: dangwu_rules::member::Status::from_code(status).expect("a known member status"),
        organization_id: org,
    }
}

async fn load_fixture(db: &Db) -> Fixture {
    let now = Utc::now();
    let actor = Actor { user_id: Uuid::nil(), name: "fixture".into(), ip: None };
    let group = db.seed_org(&actor, None, &org_input("测试集团党委", "group_committee"), now).await.expect("group");
    let committee = db
        .seed_org(&actor, Some(group.id), &org_input("测试公司党委", "primary_committee"), now)
        .await
        .expect("committee");
    let a = db.seed_org(&actor, Some(committee.id), &org_input("第一党支部", "branch"), now).await.expect("a");
    let b = db.seed_org(&actor, Some(committee.id), &org_input("第二党支部", "branch"), now).await.expect("b");
    let group_a = db.seed_org(&actor, Some(a.id), &org_input("第一党小组", "party_group"), now).await.expect("group a");
    let members_a: Vec<MemberInput> =
        (0..4).map(|i| member(a.id, &format!("甲{i}"), i, if i == 3 { "probationary" } else { "full" })).collect();
    let members_b: Vec<MemberInput> = (10..13).map(|i| member(b.id, &format!("乙{i}"), i, "full")).collect();
    let members_a = db.seed_members(&actor, &members_a, now).await.expect("members a");
    let members_b = db.seed_members(&actor, &members_b, now).await.expect("members b");
    let hash = auth::hash_password(PASSWORD).expect("hash");
    // (user name, linked member, system role, organization role)
    type FixtureUser<'a> = (&'a str, Option<Uuid>, Option<SystemRole>, Option<(Role, Uuid)>);
    let users: [FixtureUser; 8] = [
        ("admin", None, None, Some((Role::OrgAdmin, group.id))),
        ("sec_a", None, None, Some((Role::Secretary, a.id))),
        ("sec_b", None, None, Some((Role::Secretary, b.id))),
        ("inspector", None, None, Some((Role::Inspector, group.id))),
        ("member_a", Some(members_a[0].id), None, Some((Role::Member, a.id))),
        ("sysadmin", None, Some(SystemRole::SystemAdmin), None),
        ("secadmin", None, Some(SystemRole::SecurityAdmin), None),
        ("auditor", None, Some(SystemRole::AuditAdmin), None),
    ];
    for (name, member_id, system_role, grant) in users {
        let user = db
            .create_user(
                &actor,
                &NewUser { username: name, display_name: name, password_hash: &hash, member_id, system_role },
                now,
            )
            .await
            .expect("user");
        if let Some((role, org)) = grant {
            db.grant(&actor, user.id, role, org, now).await.expect("grant");
        }
    }
    Fixture {
        group: group.id,
        committee: committee.id,
        branch_a: a.id,
        branch_b: b.id,
        group_a: group_a.id,
        members_a: members_a.iter().map(|m| m.id).collect(),
        members_b: members_b.iter().map(|m| m.id).collect(),
    }
}

/// An HTTP client with its own cookie jar, sending the CSRF token on writes once logged in.
#[derive(Clone)]
pub struct Session {
    pub client: reqwest::Client,
    pub base: String,
    pub csrf: Option<String>,
}

/// An answer: status and JSON body (`Value::Null` when the body is not JSON).
#[derive(Debug)]
pub struct Reply {
    pub status: StatusCode,
    pub body: Value,
    pub bytes: Vec<u8>,
    pub headers: reqwest::header::HeaderMap,
}

impl Session {
    pub fn anonymous(base: &str) -> Session {
        let client = reqwest::Client::builder().cookie_store(true).build().expect("client");
        Session { client, base: base.to_owned(), csrf: None }
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Reply {
        let req = match &self.csrf {
            Some(token) => req.header("X-CSRF-Token", token),
            None => req,
        };
        let res = req.send().await.expect("request");
        let status = res.status();
        let headers = res.headers().clone();
        let bytes = res.bytes().await.expect("body").to_vec();
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        Reply { status, body, bytes, headers }
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.send(self.client.get(format!("{}{path}", self.base))).await
    }

    pub async fn post(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.post(format!("{}{path}", self.base)).json(body)).await
    }

    pub async fn put(&self, path: &str, body: &Value) -> Reply {
        self.send(self.client.put(format!("{}{path}", self.base)).json(body)).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.send(self.client.delete(format!("{}{path}", self.base))).await
    }

    /// A POST with a raw body and content type (for bad-input tests).
    pub async fn post_raw(&self, path: &str, content_type: &str, body: Vec<u8>) -> Reply {
        self.send(self.client.post(format!("{}{path}", self.base)).header("content-type", content_type).body(body))
            .await
    }

    /// The same session without its CSRF token (to prove writes need it).
    pub fn without_csrf(&self) -> Session {
        Session { csrf: None, ..self.clone() }
    }

    /// The same session (cookies and CSRF token) sent to another server of the same database.
    pub fn to(&self, base: &str) -> Session {
        Session { base: base.to_owned(), ..self.clone() }
    }
}

/// Runs each listed `async fn(TestApp)` once on SQLite and once on PostgreSQL, as two tests
/// named `<fn>::sqlite` and `<fn>::postgres`.
#[macro_export]
macro_rules! on_both_engines {
    ($($name:ident),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(app) = $crate::TestApp::start($crate::Backend::Sqlite).await {
                        super::$name(app).await;
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = $crate::TestApp::start($crate::Backend::Postgres).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}
