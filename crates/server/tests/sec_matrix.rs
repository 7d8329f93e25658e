//! The permission matrix: every operation of the OpenAPI document × every role × an organization (or
//! member, meeting, appraisal…) in three places — branch A, its sibling branch B, and an organization
//! outside the group — against the status written in [`MATRIX`]. An operation of the document without
//! a row fails the test, so a new route cannot ship without deciding who may call it.
//!
//! Set `SEC_MATRIX_PRINT=1` to print the observed statuses as table rows.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU32, Ordering};

use chrono::{NaiveDate, Utc};
use dangwu_store::accounts::{NewUser, ResetOutcome};
use dangwu_store::members::MemberInput;
use dangwu_store::{Actor, Role, SystemRole};
use dangwu_testkit::{PASSWORD, Session, StatusCode, TestApp, on_both_engines, org_input};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_engines!(permission_matrix);

/// Column order of [`MATRIX`].
const ROLES: [&str; 10] =
    ["anon", "member", "linked", "sec_a", "sec_c", "inspector", "admin", "sysadmin", "secadmin", "auditor"];

/// Who each column is (fixture users, plus those this test adds):
/// - `anon`: no session; `member`: `member_a`, a member of branch A (role member on A);
/// - `linked`: an account the system admin linked to another member of branch A, with no grant at all;
/// - `sec_a`: secretary of branch A; `sec_c`: secretary of the primary committee above A and B;
/// - `inspector`: inspector over the group; `admin`: the group's organization admin;
/// - `sysadmin`, `secadmin`, `auditor`: the three security roles.
///
/// Each cell is one status for all three targets, or `A/B/X`: a target in branch A, in its sibling
/// branch B, and in an organization outside the group. A status ending in `!` is the one the platform
/// must give but does not yet: a security hole, and the test fails until it is closed.
///
/// A list answers 200 to every role that may call it, holding only what the caller's grants cover:
/// for `linked` (no grant) it is empty, for `member` it holds the member themself. What the lists
/// hold is checked in `sec_masking`; an object outside the caller's grants is 404 whether or not it
/// exists, so a status never tells an outsider what is there.
#[rustfmt::skip]
const MATRIX: &[(&str, &str, &str)] = &[
    // method, path:                                  anon  member  linked  sec_a  sec_c  inspector  admin  sysadmin  secadmin  auditor
    ("GET", "/api/v1/appraisals",                                "401 200 200 200 200 200 200 403 403 403"),
    ("POST", "/api/v1/appraisals",                               "401 403/404/404 404 201/404/404 201/201/404 403/403/404 201/201/404 403 403 403"),
    ("GET", "/api/v1/appraisals/{id}",                           "401 404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("POST", "/api/v1/appraisals/{id}/decide",                   "401 404 404 409/404/404 409/409/404 403/403/404 409/409/404 403 403 403"),
    ("PUT", "/api/v1/appraisals/{id}/entries/{member_id}",       "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("POST", "/api/v1/appraisals/{id}/propose",                  "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/audit",                                     "401 403 403 403 403 403 403 403 403 200"),
    ("GET", "/api/v1/audit/verify",                              "401 403 403 403 403 403 403 403 403 200"),
    ("POST", "/api/v1/auth/login",                               "200 200 200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/auth/logout",                              "401 204 204 204 204 204 204 204 204 204"),
    ("POST", "/api/v1/calc/dues",                                "401 200 200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/calc/recruitment-timeline",                "401 200 200 200 200 200 200 200 200 200"),
    ("DELETE", "/api/v1/grants/{id}",                            "401 403 403 403 403 403 403 403 204 403"),
    ("GET", "/api/v1/me",                                        "401 200 200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/me/password",                              "401 400 400 400 400 400 400 400 400 400"),
    ("GET", "/api/v1/meetings",                                  "401 200 200 200 200 200 200 403 403 403"),
    ("POST", "/api/v1/meetings",                                 "401 403/400/400 400 201/400/400 201/201/400 403/403/400 201/201/400 403 403 403"),
    ("GET", "/api/v1/meetings/{id}",                             "401 404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("PUT", "/api/v1/meetings/{id}",                             "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/meetings/{id}/record.pdf",                  "401 404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/members",                                   "401 200 200 200 200 200 200 403 403 403"),
    ("POST", "/api/v1/members",                                  "401 403 403 201/403/403 201/201/403 403 201/201/403 403 403 403"),
    ("GET", "/api/v1/members/export.xlsx",                       "401 200 200 200 200 200 200 403 403 403"),
    ("GET", "/api/v1/members/{id}",                              "401 404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("PUT", "/api/v1/members/{id}",                              "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/members/{id}/history",                      "401 404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations",                             "401 200 200 200 200 200 200 403 200 403"),
    ("POST", "/api/v1/organizations",                            "401 403/404/404 404 403/404/404 403/403/404 403/403/404 201/201/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}",                        "401 200/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("PUT", "/api/v1/organizations/{id}",                        "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/appraisal-stats",        "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/children",               "401 200/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/compliance",             "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/compliance-rollup",      "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/compliance-rollup.xlsx", "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("POST", "/api/v1/organizations/{id}/dissolve",              "401 404 404 403/404/404 403/403/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/expected-attendees",     "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/history",                "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/life-issues",            "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("POST", "/api/v1/organizations/{id}/meeting-plan",          "401 403/404/404 404 201/404/404 201/201/404 403/403/404 201/201/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/meetings-ledger.xlsx",   "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("POST", "/api/v1/organizations/{id}/move",                  "401 404 404 403/404/404 403/403/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/participation",          "401 200/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/organizations/{id}/placements",             "401 403/404/404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("PUT", "/api/v1/organizations/{id}/placements",             "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/password-resets",                           "401 403 403 403 403 403 403 200 200 200"),
    ("POST", "/api/v1/password-resets/{id}/approve",             "401 403 403 403 403 403 403 403 204 204"),
    ("POST", "/api/v1/password-resets/{id}/reject",              "401 403 403 403 403 403 403 403 204 204"),
    ("GET", "/api/v1/recruitment-cases",                         "401 200 200 200 200 200 200 403 403 403"),
    ("POST", "/api/v1/recruitment-cases",                        "401 403/404/404 404 201/404/404 201/201/404 403/403/404 201/201/404 403 403 403"),
    ("GET", "/api/v1/recruitment-cases/export.xlsx",             "401 200 200 200 200 200 200 403 403 403"),
    ("GET", "/api/v1/recruitment-cases/{id}",                    "401 404 404 200/404/404 200/200/404 200/200/404 200/200/404 403 403 403"),
    ("POST", "/api/v1/recruitment-cases/{id}/steps",             "401 404 404 200/404/404 200/200/404 403/403/404 200/200/404 403 403 403"),
    ("GET", "/api/v1/rules",                                     "401 200 200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/codes",                                     "401 200 200 200 200 200 200 200 200 200"),
    ("GET", "/api/v1/tokens",                                    "401 200 200 200 200 200 200 200 200 200"),
    ("POST", "/api/v1/tokens",                                   "401 201 201 201 201 201 201 201 201 201"),
    ("DELETE", "/api/v1/tokens/{id}",                            "401 204/404/404 204/404/404 204/404/404 204/404/404 204/404/404 204/204/404 204/404/404 204/404/404 204/404/404"),
    ("GET", "/api/v1/users",                                     "401 403 403 403 403 403 403 200 200 403"),
    ("POST", "/api/v1/users",                                    "401 403 403 403 403 403 403 201 403 403"),
    ("POST", "/api/v1/users/{id}/disable",                       "401 403 403 403 403 403 403 204 403 403"),
    ("POST", "/api/v1/users/{id}/enable",                        "401 403 403 403 403 403 403 204 403 403"),
    ("POST", "/api/v1/users/{id}/grants",                        "401 403 403 403 403 403 403 403 201 403"),
    ("POST", "/api/v1/users/{id}/password",                      "401 403 403 403 403 403 403 200 403 403"),
];

/// A place a target can be in: branch A, branch B, or outside the group.
#[derive(Clone, Copy, Debug)]
enum Scope {
    A,
    B,
    X,
}
const SCOPES: [Scope; 3] = [Scope::A, Scope::B, Scope::X];

struct World {
    orgs: [Uuid; 3],
    /// A member of each place (in A: not `member_a` themself).
    members: [Uuid; 3],
    meetings: [Uuid; 3],
    appraisals: [Uuid; 3],
    recruitment_cases: [Uuid; 3],
    /// Who sets up targets: the group's admin for A and B, the outside organization's admin for X.
    setup: [Session; 3],
    seq: AtomicU32,
}

fn actor() -> Actor {
    Actor { user_id: Uuid::nil(), name: "matrix".into(), ip: None }
}

fn idx(s: Scope) -> usize {
    s as usize
}

fn date(y: i32, m: u32, d: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, d).expect("date")
}

impl World {
    fn next(&self) -> u32 {
        self.seq.fetch_add(1, Ordering::SeqCst)
    }

    async fn fresh_member(&self, app: &TestApp, s: Scope) -> Uuid {
        let n = self.next();
        let birth = date(1980, 1 + n % 12, 1 + n % 28);
        let input = MemberInput {
            name: format!("矩阵{n}"),
            gender: dangwu_rules::idcard::Gender::Male,
            ethnicity: "汉族".into(),
            birth_date: birth,
            id_number: dangwu_testkit::id_number(birth, true, 500 + n),
            education: "大学本科".into(),
            occupation: dangwu_rules::member::Occupation::Worker,
            work_unit: "华夏测试公司".into(),
            post: "技术员".into(),
            phone: format!("137{n:08}"),
            joined_on: date(2010, 7, 1),
            converted_on: Some(date(2011, 7, 1)),
            status: dangwu_rules::member::Status::Full,
            organization_id: self.orgs[idx(s)],
        };
        let id = app.db.seed_members(&actor(), &[input], Utc::now()).await.expect("member")[0].id;
        // Written around the API, as by another server: read through it once a replica has it.
        app.catch_up_replica().await;
        id
    }

    async fn fresh_org(&self, app: &TestApp, s: Scope) -> Uuid {
        let name = format!("矩阵党小组{}", self.next());
        let id = app
            .db
            .seed_org(&actor(), Some(self.orgs[idx(s)]), &org_input(&name, "party_group"), Utc::now())
            .await
            .expect("org")
            .id;
        app.catch_up_replica().await;
        id
    }

    async fn fresh_meeting(&self, s: Scope) -> Uuid {
        let m = self.setup[idx(s)].post("/api/v1/meetings", &planned(self.orgs[idx(s)])).await;
        assert_eq!(m.status, StatusCode::CREATED, "meeting: {}", m.body);
        Uuid::parse_str(m.body["id"].as_str().expect("id")).expect("uuid")
    }

    async fn fresh_case(&self, s: Scope) -> Uuid {
        let c = self.setup[idx(s)].post("/api/v1/recruitment-cases", &applicant(self.orgs[idx(s)])).await;
        assert_eq!(c.status, StatusCode::CREATED, "recruitment case: {}", c.body);
        Uuid::parse_str(c.body["id"].as_str().expect("id")).expect("uuid")
    }

    async fn fresh_user(&self, app: &TestApp) -> Uuid {
        let name = format!("matrix{}", self.next());
        let hash = dangwu_server::auth::hash_password(PASSWORD).expect("hash");
        let new =
            NewUser { username: &name, display_name: &name, password_hash: &hash, member_id: None, system_role: None };
        app.db.create_user(&actor(), &new, Utc::now()).await.expect("user").id
    }

    /// A pending reset of an audit admin's password, asked for by a system admin who is none of the
    /// columns, so every security role but the system admin's own kind may decide it.
    async fn pending_reset(&self, app: &TestApp) -> Uuid {
        let hash = dangwu_server::auth::hash_password(PASSWORD).expect("hash");
        let mut ids = Vec::new();
        for role in [SystemRole::SystemAdmin, SystemRole::AuditAdmin] {
            let name = format!("matrix{}", self.next());
            let new = NewUser {
                username: &name,
                display_name: &name,
                password_hash: &hash,
                member_id: None,
                system_role: Some(role),
            };
            ids.push(app.db.create_user(&actor(), &new, Utc::now()).await.expect("user").id);
        }
        let requester = Actor { user_id: ids[0], name: "另一名系统管理员".into(), ip: None };
        let asked = app.db.admin_reset_password(&requester, SystemRole::SystemAdmin, ids[1], &hash, Utc::now()).await;
        match asked.expect("reset request") {
            ResetOutcome::Pending(id) => id,
            ResetOutcome::Reset => panic!("a security role's password was reset by one person"),
        }
    }

    /// The record's version as of every write so far (other roles' calls changed it; a replica
    /// answering the setup session may be a moment behind them).
    async fn version(&self, app: &TestApp, s: Scope, url: &str) -> Value {
        app.catch_up_replica().await;
        let r = self.setup[idx(s)].get(url).await;
        assert_eq!(r.status, StatusCode::OK, "{url}: {}", r.body);
        r.body["version"].clone()
    }
}

fn planned(org: Uuid) -> Value {
    json!({"organization_id": org, "kind": "party_lecture", "status": "planned", "planned_on": "2026-12-28",
           "topic": "矩阵党课"})
}

/// An application to branch `org` (recruitment cases do not need distinct ID numbers).
fn applicant(org: Uuid) -> Value {
    json!({"organization_id": org, "name": "矩阵申请人", "gender": "male", "birth_date": "1999-01-01",
           "id_number": dangwu_testkit::id_number(date(1999, 1, 1), true, 1), "person": {"ethnicity": "汉族",
           "education": "大学本科", "occupation": "worker", "work_unit": "华夏测试公司"},
           "application_date": "2026-03-02"})
}

fn member_body(w: &World, s: Scope) -> Value {
    let n = w.next();
    dangwu_testkit::member_json(w.orgs[idx(s)], &format!("新{n}"), 700 + n)
}

/// A request: method, address, body.
type Request = (&'static str, String, Option<Value>);

/// The request that calls `method path` on a target in scope `s`, as `who` (whose own session is
/// `session`); targets that a call changes or consumes are made fresh for each call.
async fn request(app: &TestApp, w: &World, method: &str, path: &str, s: Scope, session: &Session) -> Option<Request> {
    let i = idx(s);
    let (org, member, meeting, appraisal) = (w.orgs[i], w.members[i], w.meetings[i], w.appraisals[i]);
    let req = |m: &'static str, url: String, body: Option<Value>| Some((m, url, body));
    match (method, path) {
        ("POST", "/api/v1/auth/login") => {
            req("POST", path.into(), Some(json!({"username": "auditor", "password": PASSWORD})))
        }
        ("POST", "/api/v1/auth/logout") => req("POST", path.into(), Some(json!({}))),
        ("GET", "/api/v1/me")
        | ("GET", "/api/v1/tokens")
        | ("GET", "/api/v1/users")
        | ("GET", "/api/v1/audit")
        | ("GET", "/api/v1/audit/verify")
        | ("GET", "/api/v1/password-resets") => req("GET", path.into(), None),
        ("POST", "/api/v1/password-resets/{id}/approve") | ("POST", "/api/v1/password-resets/{id}/reject") => {
            let id = w.pending_reset(app).await;
            req("POST", path.replace("{id}", &id.to_string()), Some(json!({})))
        }
        ("GET", "/api/v1/organizations") => req("GET", path.into(), None),
        ("POST", "/api/v1/me/password") => req(
            "POST",
            path.into(),
            Some(json!({"old_password": "Not-my-password-1", "new_password": "Another-strong-2026x"})),
        ),
        ("POST", "/api/v1/tokens") => req("POST", path.into(), Some(json!({"name": "矩阵"}))),
        ("DELETE", "/api/v1/tokens/{id}") => {
            // A: one's own token; B: the admin's; X: none.
            let id = match s {
                Scope::A => {
                    let t = session.post("/api/v1/tokens", &json!({"name": "自己的"})).await;
                    t.body["id"].as_str().map(str::to_owned).unwrap_or_else(|| Uuid::nil().to_string())
                }
                Scope::B => {
                    let t = w.setup[0].post("/api/v1/tokens", &json!({"name": "别人的"})).await;
                    t.body["id"].as_str().expect("token id").to_owned()
                }
                Scope::X => Uuid::nil().to_string(),
            };
            req("DELETE", format!("/api/v1/tokens/{id}"), None)
        }
        ("POST", "/api/v1/users") => {
            let n = w.next();
            req(
                "POST",
                path.into(),
                Some(
                    json!({"username": format!("created{n}"), "display_name": "新账号", "password": "Strong-pass-2026x"}),
                ),
            )
        }
        ("POST", "/api/v1/users/{id}/password") => {
            let u = w.fresh_user(app).await;
            req("POST", format!("/api/v1/users/{u}/password"), Some(json!({"password": "Reset-pass-2026x"})))
        }
        ("POST", "/api/v1/users/{id}/disable") | ("POST", "/api/v1/users/{id}/enable") => {
            let u = w.fresh_user(app).await;
            if path.ends_with("enable") {
                app.db.set_disabled(&actor(), u, true, Utc::now()).await.expect("disable");
            }
            req("POST", path.replace("{id}", &u.to_string()), Some(json!({})))
        }
        ("POST", "/api/v1/users/{id}/grants") => {
            let u = w.fresh_user(app).await;
            req("POST", format!("/api/v1/users/{u}/grants"), Some(json!({"role": "secretary", "organization_id": org})))
        }
        ("DELETE", "/api/v1/grants/{id}") => {
            let u = w.fresh_user(app).await;
            let g = app.db.grant(&actor(), u, Role::Secretary, org, Utc::now()).await.expect("grant");
            req("DELETE", format!("/api/v1/grants/{}", g.id), None)
        }
        ("POST", "/api/v1/calc/dues") => {
            req("POST", path.into(), Some(json!({"category": "employed", "month": "2026-03", "base_fen": 500000})))
        }
        ("POST", "/api/v1/calc/recruitment-timeline") => {
            req("POST", path.into(), Some(json!({"application_date": "2026-03-02", "birth_date": "2000-01-01"})))
        }
        ("GET", "/api/v1/rules") | ("GET", "/api/v1/codes") => req("GET", path.into(), None),
        ("POST", "/api/v1/organizations") => {
            let n = w.next();
            req(
                "POST",
                path.into(),
                Some(json!({"parent_id": org, "name": format!("新党小组{n}"), "kind": "party_group"})),
            )
        }
        ("GET", p) if p.starts_with("/api/v1/organizations/{id}") => {
            let query = match p {
                "/api/v1/organizations/{id}/appraisal-stats" => "?year=2020",
                _ => "",
            };
            req("GET", format!("{}{query}", p.replace("{id}", &org.to_string())), None)
        }
        ("PUT", "/api/v1/organizations/{id}") => {
            let o = w.fresh_org(app, s).await;
            let url = format!("/api/v1/organizations/{o}");
            let version = w.version(app, s, &url).await;
            req("PUT", url, Some(json!({"version": version, "name": "改名的党小组", "kind": "party_group"})))
        }
        ("PUT", "/api/v1/organizations/{id}/placements") => {
            // A fresh party group of the place, given a fresh member of its branch (one group each).
            let o = w.fresh_org(app, s).await;
            let m = w.fresh_member(app, s).await;
            req("PUT", format!("/api/v1/organizations/{o}/placements"), Some(json!({"member_ids": [m]})))
        }
        ("POST", "/api/v1/organizations/{id}/move") => {
            let o = w.fresh_org(app, s).await;
            req("POST", format!("/api/v1/organizations/{o}/move"), Some(json!({"parent_id": org})))
        }
        ("POST", "/api/v1/organizations/{id}/dissolve") => {
            let o = w.fresh_org(app, s).await;
            req(
                "POST",
                format!("/api/v1/organizations/{o}/dissolve"),
                Some(json!({"dissolved_on": "2026-11-30", "reason": "机构调整"})),
            )
        }
        ("POST", "/api/v1/organizations/{id}/meeting-plan") => {
            req("POST", format!("/api/v1/organizations/{org}/meeting-plan"), Some(json!({"year": 2026, "month": 12})))
        }
        ("GET", "/api/v1/members") | ("GET", "/api/v1/members/export.xlsx") | ("GET", "/api/v1/meetings") => {
            req("GET", format!("{path}?organization_id={org}"), None)
        }
        ("GET", "/api/v1/appraisals") => req("GET", format!("{path}?organization_id={org}"), None),
        ("POST", "/api/v1/members") => req("POST", path.into(), Some(member_body(w, s))),
        ("GET", "/api/v1/members/{id}") | ("GET", "/api/v1/members/{id}/history") => {
            req("GET", path.replace("{id}", &member.to_string()), None)
        }
        ("PUT", "/api/v1/members/{id}") => {
            let m = w.fresh_member(app, s).await;
            let url = format!("/api/v1/members/{m}");
            let version = w.version(app, s, &url).await;
            let mut body = member_body(w, s);
            body["version"] = version;
            req("PUT", url, Some(body))
        }
        ("GET", "/api/v1/recruitment-cases") | ("GET", "/api/v1/recruitment-cases/export.xlsx") => {
            req("GET", format!("{path}?organization_id={org}"), None)
        }
        ("POST", "/api/v1/recruitment-cases") => req("POST", path.into(), Some(applicant(org))),
        ("GET", "/api/v1/recruitment-cases/{id}") => {
            req("GET", format!("/api/v1/recruitment-cases/{}", w.recruitment_cases[i]), None)
        }
        ("POST", "/api/v1/recruitment-cases/{id}/steps") => {
            // A fresh case each call: a step is recorded once.
            let c = w.fresh_case(s).await;
            let url = format!("/api/v1/recruitment-cases/{c}");
            let version = w.version(app, s, &url).await;
            req(
                "POST",
                format!("{url}/steps"),
                Some(json!({"version": version, "step": "applicant_talk", "date": "2026-03-20"})),
            )
        }
        ("POST", "/api/v1/meetings") => req("POST", path.into(), Some(planned(org))),
        ("GET", "/api/v1/meetings/{id}") | ("GET", "/api/v1/meetings/{id}/record.pdf") => {
            req("GET", path.replace("{id}", &meeting.to_string()), None)
        }
        ("PUT", "/api/v1/meetings/{id}") => {
            let m = w.fresh_meeting(s).await;
            let url = format!("/api/v1/meetings/{m}");
            let version = w.version(app, s, &url).await;
            let mut body = planned(org);
            body["version"] = version;
            body["topic"] = json!("改过的党课");
            req("PUT", url, Some(body))
        }
        ("POST", "/api/v1/appraisals") => {
            // A year of its own for every call: one appraisal per organization and year.
            let year = 2000 - w.next() as i32 % 60;
            req("POST", path.into(), Some(json!({"organization_id": org, "year": year})))
        }
        ("GET", "/api/v1/appraisals/{id}") => req("GET", format!("/api/v1/appraisals/{appraisal}"), None),
        ("PUT", "/api/v1/appraisals/{id}/entries/{member_id}") => {
            let url = format!("/api/v1/appraisals/{appraisal}");
            app.catch_up_replica().await;
            let a = w.setup[i].get(&url).await.body;
            let entry = a["entries"].as_array().and_then(|e| e.first()).cloned().unwrap_or_default();
            let body = json!({"version": entry["version"], "self_text": "按时参加组织生活"});
            req("PUT", format!("{url}/entries/{}", entry["member_id"].as_str().unwrap_or_default()), Some(body))
        }
        ("POST", "/api/v1/appraisals/{id}/propose") => {
            let url = format!("/api/v1/appraisals/{appraisal}");
            let version = w.version(app, s, &url).await;
            req("POST", format!("{url}/propose"), Some(json!({"version": version, "grades": []})))
        }
        ("POST", "/api/v1/appraisals/{id}/decide") => {
            let url = format!("/api/v1/appraisals/{appraisal}");
            let version = w.version(app, s, &url).await;
            req("POST", format!("{url}/decide"), Some(json!({"version": version, "meeting_id": meeting, "grades": []})))
        }
        _ => None,
    }
}

/// The expected statuses of a row: per role, one per scope.
fn parse_row(cells: &str) -> Vec<[(u16, bool); 3]> {
    cells
        .split_whitespace()
        .map(|cell| {
            let codes: Vec<(u16, bool)> =
                cell.split('/').map(|c| (c.trim_end_matches('!').parse().expect("status"), c.ends_with('!'))).collect();
            match codes.as_slice() {
                [one] => [*one; 3],
                [a, b, x] => [*a, *b, *x],
                _ => panic!("cell {cell}: one status or three (A/B/X)"),
            }
        })
        .collect()
}

async fn permission_matrix(app: TestApp) {
    let f = app.fixture.clone();
    let now = Utc::now();
    let hash = dangwu_server::auth::hash_password(PASSWORD).expect("hash");
    // The organization outside the group, its branch and members, and its admin (who sets up its targets).
    let outside_root =
        app.db.seed_org(&actor(), None, &org_input("域外集团党委", "group_committee"), now).await.expect("x");
    let outside = app
        .db
        .seed_org(&actor(), Some(outside_root.id), &org_input("域外党支部", "branch"), now)
        .await
        .expect("x branch");
    for (name, member_id, grant) in [
        ("sec_c", None, Some((Role::Secretary, f.committee))),
        ("linked", Some(f.members_a[1]), None),
        ("xadmin", None, Some((Role::OrgAdmin, outside_root.id))),
    ] {
        let new = NewUser { username: name, display_name: name, password_hash: &hash, member_id, system_role: None };
        let user = app.db.create_user(&actor(), &new, now).await.expect("user");
        if let Some((role, org)) = grant {
            app.db.grant(&actor(), user.id, role, org, now).await.expect("grant");
        }
    }
    let admin = app.login("admin").await;
    let xadmin = app.login("xadmin").await;
    let mut world = World {
        orgs: [f.branch_a, f.branch_b, outside.id],
        members: [f.members_a[1], f.members_b[0], Uuid::nil()],
        meetings: [Uuid::nil(); 3],
        appraisals: [Uuid::nil(); 3],
        recruitment_cases: [Uuid::nil(); 3],
        setup: [admin.clone(), admin.clone(), xadmin],
        seq: AtomicU32::new(0),
    };
    world.members[2] = world.fresh_member(&app, Scope::X).await;
    world.fresh_member(&app, Scope::X).await;
    for s in SCOPES {
        world.meetings[idx(s)] = world.fresh_meeting(s).await;
        let a = world.setup[idx(s)]
            .post("/api/v1/appraisals", &json!({"organization_id": world.orgs[idx(s)], "year": 2020}))
            .await;
        assert_eq!(a.status, StatusCode::CREATED, "appraisal: {}", a.body);
        world.appraisals[idx(s)] = Uuid::parse_str(a.body["id"].as_str().expect("id")).expect("uuid");
        world.recruitment_cases[idx(s)] = world.fresh_case(s).await;
    }

    let mut sessions = BTreeMap::new();
    for role in ROLES {
        let session = match role {
            "anon" => app.anonymous(),
            "member" => app.login("member_a").await,
            other => app.login(other).await,
        };
        sessions.insert(role, session);
    }

    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    let mut missing = Vec::new();
    let mut wrong = Vec::new();
    let mut holes_open = Vec::new();
    let mut printed = Vec::new();
    for (path, item) in doc["paths"].as_object().expect("paths") {
        for method in ["get", "post", "put", "delete", "patch"] {
            if item.get(method).is_none() {
                continue;
            }
            let method = method.to_uppercase();
            let row = MATRIX.iter().find(|(m, p, _)| *m == method && p == path);
            let expected = row.map(|(_, _, cells)| parse_row(cells));
            if let Some(e) = &expected {
                assert_eq!(e.len(), ROLES.len(), "{method} {path}: one cell per role");
            }
            let mut observed_cells = Vec::new();
            for (r, role) in ROLES.iter().enumerate() {
                let mut observed = [0u16; 3];
                for s in SCOPES {
                    let session = if path == "/api/v1/auth/login" {
                        app.anonymous()
                    } else if path == "/api/v1/auth/logout" && *role != "anon" {
                        app.login(if *role == "member" { "member_a" } else { role }).await
                    } else {
                        sessions[role].clone()
                    };
                    let Some((m, url, body)) = request(&app, &world, &method, path, s, &session).await else {
                        panic!("route {method} {path} has no request in this test: add it to request()");
                    };
                    let reply = match (m, body) {
                        ("GET", _) => session.get(&url).await,
                        ("DELETE", _) => session.delete(&url).await,
                        ("PUT", Some(b)) => session.put(&url, &b).await,
                        (_, b) => session.post(&url, &b.unwrap_or_else(|| json!({}))).await,
                    };
                    let got = reply.status.as_u16();
                    observed[idx(s)] = got;
                    if let Some(e) = &expected {
                        let (want, hole) = e[r][idx(s)];
                        if got != want {
                            let line = format!(
                                "{method} {path} as {role} on {s:?}: expected {want}, got {got} {}",
                                reply.body.get("code").unwrap_or(&Value::Null)
                            );
                            if hole { holes_open.push(line) } else { wrong.push(line) }
                        }
                    }
                }
                observed_cells.push(if observed[0] == observed[1] && observed[1] == observed[2] {
                    observed[0].to_string()
                } else {
                    format!("{}/{}/{}", observed[0], observed[1], observed[2])
                });
            }
            printed.push(format!("    (\"{method}\", \"{path}\", \"{}\"),", observed_cells.join(" ")));
            if row.is_none() {
                missing.push(format!("route {method} {path} has no permission-matrix entry"));
            }
        }
    }
    if std::env::var("SEC_MATRIX_PRINT").is_ok() {
        eprintln!("observed:\n{}", printed.join("\n"));
    }
    let mut report = Vec::new();
    if !missing.is_empty() {
        report.push(missing.join("\n"));
    }
    if !wrong.is_empty() {
        report.push(format!("statuses that differ from the matrix:\n{}", wrong.join("\n")));
    }
    if !holes_open.is_empty() {
        report.push(format!("security holes still open (rows marked !):\n{}", holes_open.join("\n")));
    }
    assert!(report.is_empty(), "{}", report.join("\n\n"));
}
