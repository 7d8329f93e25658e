//! Two server processes on one database, on SQLite and PostgreSQL: each has its own pool, its own
//! in-memory compliance index and its own login limiter, and serves on its own port. What one
//! writes the other shows at once; a session opened on one works on the other, and ends on both.

mod common;

use dangwu_testkit::{PASSWORD, StatusCode, TestApp, member_json, on_both_engines};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_engines!(a_write_through_one_server_is_seen_through_the_other, the_login_limits_of_two_servers);

fn meeting(org: Uuid, kind: &str, held_on: &str, present: &[Uuid]) -> Value {
    let attendees: Vec<Value> = present.iter().map(|id| json!({"member_id": id, "status": "present"})).collect();
    json!({"organization_id": org, "kind": kind, "status": "held", "held_on": held_on, "topic": "学习贯彻会议精神",
           "place": "党员活动室", "chair": "书记", "recorder": "组织委员", "attendees": attendees,
           "agenda": [{"title": "传达学习上级精神", "first_topic": true}]})
}

/// The window of `requirement` starting on `from` in an organization's compliance calendar.
fn window(calendar: &Value, requirement: &str, from: &str) -> Value {
    let req = calendar["compliance"]["requirements"]
        .as_array()
        .expect("requirements")
        .iter()
        .find(|r| r["requirement"] == requirement)
        .unwrap_or_else(|| panic!("no {requirement} in {calendar}"))
        .clone();
    req["windows"].as_array().expect("windows").iter().find(|w| w["from"] == from).expect("window").clone()
}

/// An organization's row in a rollup, if it is there.
fn rollup_row(rollup: &Value, org: impl ToString) -> Option<Value> {
    let org = org.to_string();
    rollup["organizations"].as_array().expect("organizations").iter().find(|o| o["organization_id"] == org).cloned()
}

async fn a_write_through_one_server_is_seen_through_the_other(app: TestApp) {
    let f = &app.fixture;
    let second = app.second_server().await;
    let on_a = app.login("admin").await;
    // The cookie and CSRF token of a session opened on A, sent to B.
    let on_b = on_a.to(&second.base);
    let me = on_b.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK, "a session opened on one server is valid on the other: {}", me.body);
    assert_eq!(me.body["username"], "admin");

    // B loads its compliance index before the write.
    let calendar = format!("/api/v1/organizations/{}/compliance?year=2026", f.branch_a);
    let rollup = format!("/api/v1/organizations/{}/compliance-rollup?year=2026", f.group);
    let before = on_b.get(&calendar).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    assert_eq!(window(&before.body, "theme_day", "2026-01-01")["status"], "overdue");
    let before = on_b.get(&rollup).await;
    assert_eq!(before.status, StatusCode::OK, "{}", before.body);
    let done_before = rollup_row(&before.body, f.branch_a).expect("branch A")["own"]["done"].clone();

    // A held meeting recorded through A: B's calendar and rollup show it on the next request.
    let held = on_a.post("/api/v1/meetings", &meeting(f.branch_a, "theme_day", "2026-01-15", &f.members_a[..3])).await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    let after = on_b.get(&calendar).await;
    let january = window(&after.body, "theme_day", "2026-01-01");
    assert_eq!((january["status"].clone(), january["held"].clone()), (json!("done"), json!(1)), "{january}");
    let after = on_b.get(&rollup).await;
    let done_after = rollup_row(&after.body, f.branch_a).expect("branch A")["own"]["done"].clone();
    assert_eq!(done_after.as_u64(), done_before.as_u64().map(|n| n + 1), "B's rollup counts the meeting A recorded");

    // A member edited through A: B lists and shows the new name.
    let id = f.members_a[1];
    let member = on_a.get(&format!("/api/v1/members/{id}")).await;
    assert_eq!(member.status, StatusCode::OK);
    let mut body = member_json(f.branch_a, "改名后的党员", 901);
    body["version"] = member.body["version"].clone();
    let edited = on_a.put(&format!("/api/v1/members/{id}"), &body).await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    let found = on_b.get("/api/v1/members?q=改名后").await;
    assert_eq!(found.body["total"], 1, "{}", found.body);
    assert_eq!(found.body["items"][0]["id"], id.to_string());
    assert_eq!(on_b.get(&format!("/api/v1/members/{id}")).await.body["name"], "改名后的党员");

    // An organization created through A and dissolved through A: B's tree and rollup follow both.
    let created = on_a
        .post("/api/v1/organizations", &json!({"parent_id": f.committee, "name": "临时成立的党支部", "kind": "branch"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let c = created.body["id"].as_str().expect("id").to_owned();
    let listed = |tree: &Value| tree.as_array().expect("tree").iter().any(|o| o["id"] == c);
    assert!(listed(&on_b.get("/api/v1/organizations").await.body), "B lists the organization A created");
    assert!(rollup_row(&on_b.get(&rollup).await.body, &c).is_some(), "B's rollup has the organization A created");
    let dissolved = common::dissolve(&on_a, &c, "2026-06-30", "任务完成").await;
    assert_eq!(dissolved.status, StatusCode::OK, "{}", dissolved.body);
    assert!(!listed(&on_b.get("/api/v1/organizations").await.body), "B no longer lists the dissolved organization");
    assert!(rollup_row(&on_b.get(&rollup).await.body, &c).is_none(), "B's rollup drops the dissolved organization");
    assert_eq!(on_b.get(&format!("/api/v1/organizations/{c}")).await.body["status"], "dissolved");

    // Logging out on A ends the session on B too.
    assert_eq!(on_a.post("/api/v1/auth/logout", &json!({})).await.status, StatusCode::NO_CONTENT);
    let refused = on_b.get("/api/v1/me").await;
    assert_eq!(refused.status, StatusCode::UNAUTHORIZED, "{}", refused.body);
    assert_eq!(on_b.get("/api/v1/members").await.status, StatusCode::UNAUTHORIZED);
}

/// The account lock is in the database and holds on every server; the per-address limiter is in each
/// process, so N servers let one address fail N times as often (docs/SCALING.md).
async fn the_login_limits_of_two_servers(app: TestApp) {
    let second = app.second_server().await;
    let on_a = app.anonymous();
    let on_b = dangwu_testkit::Session::anonymous(&second.base);
    let login = |name: &str, password: &str| json!({"username": name, "password": password});
    for _ in 0..dangwu_server::auth::MAX_FAILED_LOGINS {
        let r = on_a.post("/api/v1/auth/login", &login("sec_b", "Wrong-pass-1")).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    let locked = on_b.post("/api/v1/auth/login", &login("sec_b", PASSWORD)).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS, "the account locked through A is locked on B");

    // Fill A's window for this address.
    let mut limited = false;
    for i in 0..dangwu_server::auth::ADDRESS_MAX_FAILURES {
        let r = on_a.post("/api/v1/auth/login", &login(&format!("guess{i}"), "Wrong-pass-1")).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            limited = true;
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED, "{}", r.body);
    }
    assert!(limited, "A limits the address after {} failures", dangwu_server::auth::ADDRESS_MAX_FAILURES);
    assert_eq!(on_a.post("/api/v1/auth/login", &login("admin", PASSWORD)).await.status, StatusCode::TOO_MANY_REQUESTS);
    // B has counted none of A's failures: the same address may log in there.
    let on_b_ok = on_b.post("/api/v1/auth/login", &login("admin", PASSWORD)).await;
    assert_eq!(on_b_ok.status, StatusCode::OK, "B's limiter is its own: {}", on_b_ok.body);
}
