//! The demo enterprise at scale (`dangwu demo --scale`), at its tiny size, on SQLite and PostgreSQL:
//! the same seed gives the same data and another seed other data; every ID number is valid and
//! unique and every member's dates pass the rules; the member list and the compliance rollup answer
//! on it for the accounts it creates; a database with data in it is refused.

use chrono::{NaiveDate, TimeZone, Utc};
use dangwu_rules::idcard;
use dangwu_rules::member::Status;
use dangwu_server::demo::scale::{Options, Scale, ScaleError, ScaleSummary, generate};
use dangwu_server::{AppState, Clock, ServerConfig};
use dangwu_store::{Db, q};
use dangwu_testkit::{Backend, StatusCode};
use serde_json::json;
use uuid::Uuid;

const PASSWORD: &str = "Demo-pass-2026";

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 29).unwrap()
}

fn options(seed: u64) -> Options {
    Options {
        plan: Scale::Tiny.plan(),
        seed,
        today: today(),
        now: Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap(),
        password: PASSWORD.into(),
    }
}

/// An empty, migrated database; dropped (PostgreSQL) or left in the temp directory (SQLite) after.
struct Empty {
    db: Db,
    drop_pg: Option<(String, String)>,
}

fn pg_base() -> String {
    std::env::var("DANGWU_TEST_PG").unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432".into())
}

async fn empty(backend: Backend) -> Option<Empty> {
    let (url, drop_pg) = match backend {
        Backend::Sqlite => {
            let dir = std::env::temp_dir().join(format!("dangwu-scale-{}", Uuid::new_v4().simple()));
            std::fs::create_dir_all(&dir).unwrap();
            (format!("sqlite://{}", dir.join("demo.db").display()), None)
        }
        Backend::Postgres => {
            let admin_url = format!("{}/postgres", pg_base());
            let name = format!("dangwu_scale_{}", Uuid::new_v4().simple());
            let admin = match Db::connect(&admin_url).await {
                Ok(db) => db,
                Err(e) if std::env::var("CI").is_ok_and(|v| v == "true" || v == "1") => {
                    panic!("PostgreSQL is required in CI but unavailable at {}: {e}", pg_base())
                }
                Err(e) => {
                    eprintln!("SKIPPED (PostgreSQL unavailable at {}: {e})", pg_base());
                    return None;
                }
            };
            admin.execute(q(&format!("CREATE DATABASE {name}"))).await.unwrap();
            admin.close().await;
            (format!("{}/{name}", pg_base()), Some((admin_url, name)))
        }
    };
    let db = Db::connect(&url).await.unwrap();
    db.migrate().await.unwrap();
    Some(Empty { db, drop_pg })
}

impl Empty {
    async fn close(self) {
        self.db.close().await;
        if let Some((admin_url, name)) = self.drop_pg {
            let admin = Db::connect(&admin_url).await.unwrap();
            admin.execute(q(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))).await.unwrap();
            admin.close().await;
        }
    }
}

async fn run(db: &Db, seed: u64) -> ScaleSummary {
    generate(db, &options(seed), &mut |_| {}).await.expect("generated")
}

async fn texts(db: &Db, sql: &str) -> Vec<String> {
    let rows: Vec<(String,)> = db.fetch_all(q(sql)).await.unwrap_or_else(|e| panic!("{sql}: {e}"));
    rows.into_iter().map(|r| r.0).collect()
}

/// Everything generated that does not depend on ids or the time of the run: counts of every table
/// written, and every member, placement, meeting, attendance and appraisal entry by content.
async fn digest(db: &Db) -> Vec<String> {
    let mut out = Vec::new();
    for table in [
        "organizations",
        "org_closure",
        "members",
        "member_name_grams",
        "placements",
        "meetings",
        "meeting_attendees",
        "appraisals",
        "appraisal_entries",
        "users",
        "grants",
    ] {
        let (n,): (i64,) = db.fetch_one(q(&format!("SELECT COUNT(*) FROM {table}"))).await.unwrap();
        out.push(format!("{table}: {n}"));
    }
    // Organizations with their committees' names and posts (a seat's member is known by id only).
    for row in
        texts(db, "SELECT o.name || '|' || o.kind || '|' || o.committee_json FROM organizations o ORDER BY 1").await
    {
        let (head, committee) = row.rsplit_once('|').unwrap();
        let seats: Vec<serde_json::Value> = serde_json::from_str(committee).unwrap();
        let seats: Vec<String> = seats.iter().map(|s| format!("{}:{}", s["name"], s["post"])).collect();
        out.push(format!("{head}|{}", seats.join(",")));
    }
    out.extend(
        texts(
            db,
            "SELECT m.name || '|' || m.gender || '|' || m.ethnicity || '|' || CAST(m.birth_date AS TEXT) || '|' || \
             m.id_number || '|' || m.education || '|' || m.occupation || '|' || m.post || '|' || m.phone || '|' || \
             CAST(m.joined_on AS TEXT) || '|' || COALESCE(CAST(m.converted_on AS TEXT), '-') || '|' || m.status || \
             '|' || o.name FROM members m JOIN organizations o ON o.id = m.organization_id ORDER BY 1",
        )
        .await,
    );
    out.extend(
        texts(
            db,
            "SELECT m.id_number || '|' || o.name || '|' || p.kind || '|' || CAST(p.placed_on AS TEXT) \
             FROM placements p JOIN members m ON m.id = p.member_id JOIN organizations o ON o.id = p.organization_id \
             ORDER BY 1",
        )
        .await,
    );
    out.extend(
        texts(
            db,
            "SELECT o.name || '|' || t.kind || '|' || t.status || '|' || CAST(COALESCE(t.held_on, t.planned_on) AS TEXT) \
             || '|' || t.topic || '|' || t.chair || '|' || CAST(t.present AS TEXT) || '/' || CAST(t.expected AS TEXT) \
             FROM meetings t JOIN organizations o ON o.id = t.organization_id ORDER BY 1",
        )
        .await,
    );
    out.extend(
        texts(
            db,
            "SELECT o.name || '|' || t.kind || '|' || CAST(t.held_on AS TEXT) || '|' || m.id_number || '|' || a.status \
             || '|' || a.reason FROM meeting_attendees a JOIN meetings t ON t.id = a.meeting_id \
             JOIN organizations o ON o.id = t.organization_id JOIN members m ON m.id = a.member_id ORDER BY 1",
        )
        .await,
    );
    out.extend(
        texts(
            db,
            "SELECT o.name || '|' || CAST(p.year AS TEXT) || '|' || p.status || '|' || m.id_number || '|' || \
             e.member_status || '|' || COALESCE(e.proposed_grade, '-') || '|' || COALESCE(e.final_grade, '-') || '|' || \
             CAST(e.votes_excellent AS TEXT) || '|' || CAST(e.votes_qualified AS TEXT) FROM appraisal_entries e \
             JOIN appraisals p ON p.id = e.appraisal_id JOIN organizations o ON o.id = p.organization_id \
             JOIN members m ON m.id = e.member_id ORDER BY 1",
        )
        .await,
    );
    out
}

mod generated_demo {
    use dangwu_testkit::Backend;

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        super::generated_demo(Backend::Sqlite).await;
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        super::generated_demo(Backend::Postgres).await;
    }
}

async fn generated_demo(backend: Backend) {
    let Some(first) = empty(backend).await else { return };
    let summary = run(&first.db, 7).await;
    let plan = Scale::Tiny.plan();
    assert_eq!(summary.members, plan.members);
    assert_eq!(summary.meetings, plan.meetings);
    assert!(summary.organizations >= plan.organizations - 5 && summary.organizations <= plan.organizations);
    assert!(summary.attendance > 0 && summary.placements > 0 && summary.appraisal_entries > 0, "{summary:?}");
    let digest_first = digest(&first.db).await;
    assert!(digest_first.contains(&format!("members: {}", plan.members)), "{:?}", &digest_first[..11]);

    // The same seed again: the same data; another seed: other data.
    let Some(second) = empty(backend).await else { return };
    run(&second.db, 7).await;
    let digest_second = digest(&second.db).await;
    let differ = digest_first.iter().zip(&digest_second).find(|(a, b)| a != b);
    assert!(differ.is_none() && digest_first.len() == digest_second.len(), "the same seed, other data: {differ:?}");
    second.close().await;
    let Some(other) = empty(backend).await else { return };
    run(&other.db, 8).await;
    assert!(digest(&other.db).await != digest_first, "another seed gave the same data");
    other.close().await;

    // Every ID number valid, unique, and agreeing with the birth date and gender; dates by the rules.
    let rows: Vec<(String, NaiveDate, String, NaiveDate, Option<NaiveDate>, String)> = first
        .db
        .fetch_all(q("SELECT id_number, birth_date, gender, joined_on, converted_on, status FROM members"))
        .await
        .unwrap();
    let mut seen = std::collections::HashSet::new();
    let (mut women, mut probationary) = (0, 0);
    for (number, birth, gender, joined, converted, status) in &rows {
        let id = idcard::parse(number).unwrap_or_else(|e| panic!("{number}: {e:?}"));
        assert_eq!(id.birth_date, *birth, "{number}");
        assert_eq!(id.gender.code(), gender, "{number}");
        assert!(seen.insert(number.clone()), "{number} twice");
        let status = Status::from_code(status).unwrap();
        let problems = dangwu_rules::member::check_dates(*birth, *joined, *converted, status, today());
        assert!(problems.is_empty(), "{number}: {problems:?}");
        women += usize::from(gender == "female");
        probationary += usize::from(status == Status::Probationary);
    }
    assert_eq!(rows.len(), plan.members);
    assert!((120..=240).contains(&women), "{women} women of {}", rows.len());
    assert!(probationary > 0 && probationary < 60, "{probationary} probationary");

    // A database with data in it is refused, with a message that says why.
    let refused = generate(&first.db, &options(9), &mut |_| {}).await.expect_err("refused");
    assert!(matches!(refused, ScaleError::NotEmpty), "{refused}");
    assert!(refused.to_string().contains("已有数据"), "{refused}");
    assert_eq!(digest(&first.db).await, digest_first, "a refused generation wrote nothing");

    // The server on it: the member list and the compliance rollup, for the accounts it created.
    let state = AppState::new(
        first.db.clone(),
        ServerConfig::default(),
        Clock::fixed(Utc.with_ymd_and_hms(2026, 11, 29, 2, 0, 0).unwrap()),
        dangwu_rules::RuleBook::builtin().unwrap(),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let server = tokio::spawn(async move { dangwu_server::serve(state, listener).await.unwrap() });
    let admin = login(&base, "admin").await;
    let list: serde_json::Value =
        admin.get(format!("{base}/api/v1/members?limit=20")).send().await.unwrap().json().await.unwrap();
    assert_eq!(list["total"], json!(plan.members), "{list}");
    assert_eq!(list["items"].as_array().unwrap().len(), 20);
    let res = admin
        .get(format!("{base}/api/v1/organizations/{}/compliance-rollup?year=2026", summary.root))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK);
    let rollup: serde_json::Value = res.json().await.unwrap();
    let total = rollup["organizations_total"].as_u64().unwrap() as usize;
    assert!(total + 1 >= summary.organizations / 2 && total <= summary.organizations, "{total}: {rollup}");
    // The branch secretary sees the branch's members only.
    let secretary = login(&base, "secretary").await;
    let own: serde_json::Value =
        secretary.get(format!("{base}/api/v1/members?limit=200")).send().await.unwrap().json().await.unwrap();
    let own_total = own["total"].as_u64().unwrap();
    assert!(own_total >= 2 && own_total < plan.members as u64, "{own}");
    server.abort();
    first.close().await;
}

async fn login(base: &str, username: &str) -> reqwest::Client {
    let client = reqwest::Client::builder().cookie_store(true).build().unwrap();
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&json!({ "username": username, "password": PASSWORD }))
        .send()
        .await
        .unwrap();
    assert_eq!(res.status(), StatusCode::OK, "login {username}");
    client
}
