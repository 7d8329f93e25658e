//! Account security (issue 8: items 2, 4, 7, 8, 12, 13, failed-login addresses of 10 and the
//! one-account-per-member part of 6), each on SQLite and on PostgreSQL.

use std::time::{Duration, Instant};

use dangwu_testkit::{PASSWORD, Session, StatusCode, TestApp, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    parallel_wrong_passwords_lock_the_account,
    failures_are_counted_atomically,
    one_address_is_limited_across_accounts,
    failed_logins_are_audited_with_the_address,
    admin_reset_gives_a_one_time_password,
    one_time_passwords_expire,
    security_role_reset_needs_two_people,
    tokens_end_with_password_change_reset_and_disable,
    unknown_users_cost_as_much_as_wrong_passwords,
    disabled_and_locked_accounts_look_like_bad_passwords,
    security_headers_and_secure_cookie,
    sessions_have_an_absolute_limit,
    password_policy_refuses_weak_and_reused_passwords,
    wrong_old_password_counts_toward_lockout,
    one_account_per_member,
);

async fn login_as(app: &TestApp, username: &str, password: &str) -> (Session, dangwu_testkit::Reply) {
    let anon = app.anonymous();
    let res = anon.post("/api/v1/auth/login", &json!({"username": username, "password": password})).await;
    let csrf = res.body["csrf_token"].as_str().map(str::to_owned);
    (Session { csrf, ..anon }, res)
}

async fn user_id(app: &TestApp, username: &str) -> String {
    app.db.user_by_name(username).await.unwrap().unwrap().id.to_string()
}

async fn parallel_wrong_passwords_lock_the_account(app: TestApp) {
    let mut answered = Vec::new();
    for _ in 0..4 {
        let batch: Vec<_> = (0..25)
            .map(|i| {
                let anon = app.anonymous();
                tokio::spawn(async move {
                    anon.post("/api/v1/auth/login", &json!({"username": "sec_a", "password": format!("Wrong-{i}")}))
                        .await
                        .status
                })
            })
            .collect();
        for task in batch {
            answered.push(task.await.unwrap());
        }
    }
    assert!(answered.iter().all(|s| *s != StatusCode::OK));
    let user = app.db.user_by_name("sec_a").await.unwrap().unwrap();
    assert!(user.locked_until.is_some_and(|t| t > chrono::Utc::now()), "account not locked: {user:?}");
    let (_, right) = login_as(&app, "sec_a", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS, "{}", right.body);
}

async fn failures_are_counted_atomically(app: TestApp) {
    let user = app.db.user_by_name("sec_b").await.unwrap().unwrap();
    let actor = dangwu_store::Actor { user_id: user.id, name: user.username.clone(), ip: None };
    let now = chrono::Utc::now();
    let tasks: Vec<_> = (0..25)
        .map(|_| {
            let (db, actor) = (app.db.clone(), actor.clone());
            tokio::spawn(async move { db.record_login_failure(&actor, 1000, now, now).await.unwrap() })
        })
        .collect();
    for task in tasks {
        task.await.unwrap();
    }
    let after = app.db.user_by_name("sec_b").await.unwrap().unwrap();
    assert_eq!(after.failed_logins, 25, "parallel failures were lost");
}

async fn one_address_is_limited_across_accounts(app: TestApp) {
    let anon = app.anonymous();
    // Failures spread over many names lock no account, but the address is stopped.
    let mut limited = false;
    for i in 0..dangwu_server::auth::ADDRESS_MAX_FAILURES + 5 {
        let r = anon.post("/api/v1/auth/login", &json!({"username": format!("guess{i}"), "password": "Wrong-1"})).await;
        if r.status == StatusCode::TOO_MANY_REQUESTS {
            assert_eq!(r.body["code"], "too_many_attempts");
            limited = true;
            assert!(i >= dangwu_server::auth::ADDRESS_MAX_FAILURES, "limited after {i} failures only");
            break;
        }
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    assert!(limited, "the address was never limited");
    let (_, right) = login_as(&app, "admin", PASSWORD).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn failed_logins_are_audited_with_the_address(app: TestApp) {
    let anon = app.anonymous();
    anon.post("/api/v1/auth/login", &json!({"username": "admin", "password": "Wrong-pass-1"})).await;
    anon.post("/api/v1/auth/login", &json!({"username": "nobody_here", "password": "Wrong-pass-1"})).await;
    let auditor = app.login("auditor").await;
    let log = auditor.get("/api/v1/audit?action=session.login_failed").await;
    let items = log.body["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "{}", log.body);
    for item in items {
        assert_eq!(item["ip"], "127.0.0.1", "{item}");
    }
}

async fn admin_reset_gives_a_one_time_password(app: TestApp) {
    let sysadmin = app.login("sysadmin").await;
    let admin_id = user_id(&app, "admin").await;
    let old = app.login("admin").await;
    let reset =
        sysadmin.post(&format!("/api/v1/users/{admin_id}/password"), &json!({"password": "Once-only-2026"})).await;
    assert_eq!(reset.status, StatusCode::OK, "{}", reset.body);
    assert_eq!(reset.body["status"], "reset");
    // The old session ends with the reset.
    assert_eq!(old.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

    let (admin, res) = login_as(&app, "admin", "Once-only-2026").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["must_change_password"], true);
    assert_eq!(res.body["password_reset"]["by"], "sysadmin");
    assert!(res.body["password_reset"]["at"].is_string());
    let blocked = admin.get("/api/v1/members").await;
    assert_eq!(blocked.status, StatusCode::FORBIDDEN);
    assert_eq!(blocked.body["code"], "password_change_required");
    assert!(blocked.body["message"].as_str().unwrap().contains("修改密码"));
    assert_eq!(admin.post("/api/v1/tokens", &json!({"name": "x"})).await.status, StatusCode::FORBIDDEN);
    let me = admin.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["password_reset"]["by"], "sysadmin");
    let changed = admin
        .post("/api/v1/me/password", &json!({"old_password": "Once-only-2026", "new_password": "Mine-again-2026"}))
        .await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert_eq!(admin.get("/api/v1/members").await.status, StatusCode::OK);
    assert_eq!(admin.get("/api/v1/me").await.body["must_change_password"], false);

    // The system admin cannot reset their own password this way.
    let own = user_id(&app, "sysadmin").await;
    let self_reset =
        sysadmin.post(&format!("/api/v1/users/{own}/password"), &json!({"password": "Once-only-2026"})).await;
    assert_eq!(self_reset.status, StatusCode::FORBIDDEN);

    let auditor = app.login("auditor").await;
    let log = auditor.get("/api/v1/audit?action=user.password_reset").await;
    assert_eq!(log.body["items"].as_array().unwrap().len(), 1, "{}", log.body);
    let log = auditor.get("/api/v1/audit?action=user.password").await;
    assert_eq!(log.body["items"].as_array().unwrap().len(), 1, "{}", log.body);
}

async fn one_time_passwords_expire(app: TestApp) {
    let sysadmin = app.login("sysadmin").await;
    let id = user_id(&app, "sec_a").await;
    sysadmin.post(&format!("/api/v1/users/{id}/password"), &json!({"password": "Once-only-2026"})).await;
    let long_ago = chrono::Utc::now() - chrono::Duration::days(4);
    app.db.execute(dangwu_store::q("UPDATE users SET password_reset_at = $1").bind(long_ago)).await.unwrap();
    let (_, res) = login_as(&app, "sec_a", "Once-only-2026").await;
    assert_eq!(res.status, StatusCode::UNAUTHORIZED);
    assert_eq!(res.body["code"], "one_time_password_expired");
    // A name with a control character is refused at the edge, whoever it might name (no database error).
    let (_, res) = login_as(&app, "sec\u{0}a", "Once-only-2026").await;
    assert_eq!(res.status, StatusCode::BAD_REQUEST, "{}", res.body);
    assert_eq!(res.body["fields"][0]["field"], "username");
}

async fn security_role_reset_needs_two_people(app: TestApp) {
    let sysadmin = app.login("sysadmin").await;
    let auditor_id = user_id(&app, "auditor").await;
    let asked =
        sysadmin.post(&format!("/api/v1/users/{auditor_id}/password"), &json!({"password": "Once-only-2026"})).await;
    assert_eq!(asked.status, StatusCode::ACCEPTED, "{}", asked.body);
    assert_eq!(asked.body["status"], "pending");
    let request = asked.body["request_id"].as_str().unwrap().to_owned();
    // Nothing changed yet: the auditor's own password still works, the one-time one does not.
    assert_eq!(login_as(&app, "auditor", "Once-only-2026").await.1.status, StatusCode::UNAUTHORIZED);
    let auditor = app.login("auditor").await;

    let approve = format!("/api/v1/password-resets/{request}/approve");
    // The requester cannot approve, nor can the account's owner.
    assert_eq!(sysadmin.post(&approve, &json!({})).await.status, StatusCode::FORBIDDEN);
    assert_eq!(auditor.post(&approve, &json!({})).await.status, StatusCode::FORBIDDEN);
    // Organization roles see nothing of it.
    let admin = app.login("admin").await;
    assert_eq!(admin.get("/api/v1/password-resets").await.status, StatusCode::FORBIDDEN);

    let secadmin = app.login("secadmin").await;
    let pending = secadmin.get("/api/v1/password-resets").await;
    assert_eq!(pending.status, StatusCode::OK);
    assert_eq!(pending.body[0]["username"], "auditor");
    assert_eq!(pending.body[0]["requested_by"], "sysadmin");
    let approved = secadmin.post(&approve, &json!({})).await;
    assert_eq!(approved.status, StatusCode::NO_CONTENT, "{}", approved.body);
    assert_eq!(secadmin.post(&approve, &json!({})).await.status, StatusCode::CONFLICT);
    assert_eq!(auditor.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);

    let (fresh, res) = login_as(&app, "auditor", "Once-only-2026").await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    assert_eq!(res.body["must_change_password"], true);
    assert!(res.body["password_reset"]["by"].as_str().unwrap().contains("secadmin"));
    assert_eq!(fresh.get("/api/v1/audit").await.status, StatusCode::FORBIDDEN);

    // A second request for the security admin, rejected: nothing changes.
    let sec_id = user_id(&app, "secadmin").await;
    let asked =
        sysadmin.post(&format!("/api/v1/users/{sec_id}/password"), &json!({"password": "Once-only-2026"})).await;
    let request = asked.body["request_id"].as_str().unwrap().to_owned();
    assert_eq!(
        secadmin.post(&format!("/api/v1/password-resets/{request}/approve"), &json!({})).await.status,
        StatusCode::FORBIDDEN
    );
    let rejected = sysadmin.post(&format!("/api/v1/password-resets/{request}/reject"), &json!({})).await;
    assert_eq!(rejected.status, StatusCode::NO_CONTENT);
    assert_eq!(secadmin.get("/api/v1/me").await.status, StatusCode::OK);

    let (auditor, _) = login_as(&app, "auditor", "Once-only-2026").await;
    auditor
        .post("/api/v1/me/password", &json!({"old_password": "Once-only-2026", "new_password": "Audit-mine-2026"}))
        .await;
    let log = auditor.get("/api/v1/audit?entity_type=password_reset").await;
    let actions: Vec<&str> =
        log.body["items"].as_array().unwrap().iter().map(|i| i["action"].as_str().unwrap()).collect();
    for action in ["password_reset.request", "password_reset.approve", "password_reset.reject"] {
        assert!(actions.contains(&action), "{action} not audited: {actions:?}");
    }
}

async fn token_works(app: &TestApp, token: &str) -> bool {
    let res = reqwest::Client::new().get(format!("{}/api/v1/me", app.base)).bearer_auth(token).send().await.unwrap();
    res.status() == StatusCode::OK
}

async fn new_token(session: &Session) -> String {
    let created = session.post("/api/v1/tokens", &json!({"name": "对接"})).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["token"].as_str().unwrap().to_owned()
}

async fn tokens_end_with_password_change_reset_and_disable(app: TestApp) {
    let admin = app.login("admin").await;
    let token = new_token(&admin).await;
    assert!(token_works(&app, &token).await);
    let changed =
        admin.post("/api/v1/me/password", &json!({"old_password": PASSWORD, "new_password": "Second-pass-2026"})).await;
    assert_eq!(changed.status, StatusCode::NO_CONTENT, "{}", changed.body);
    assert!(!token_works(&app, &token).await, "token survived the owner's password change");
    // The session that changed the password goes on.
    assert_eq!(admin.get("/api/v1/me").await.status, StatusCode::OK);

    let token = new_token(&admin).await;
    let sysadmin = app.login("sysadmin").await;
    let admin_id = user_id(&app, "admin").await;
    let reset =
        sysadmin.post(&format!("/api/v1/users/{admin_id}/password"), &json!({"password": "Once-only-2026"})).await;
    assert_eq!(reset.status, StatusCode::OK);
    assert!(!token_works(&app, &token).await, "token survived an admin reset");

    let (admin, _) = login_as(&app, "admin", "Once-only-2026").await;
    admin
        .post("/api/v1/me/password", &json!({"old_password": "Once-only-2026", "new_password": "Third-pass-2026"}))
        .await;
    let token = new_token(&admin).await;
    assert_eq!(
        sysadmin.post(&format!("/api/v1/users/{admin_id}/disable"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert_eq!(
        sysadmin.post(&format!("/api/v1/users/{admin_id}/enable"), &json!({})).await.status,
        StatusCode::NO_CONTENT
    );
    assert!(!token_works(&app, &token).await, "token survived disable and enable");
}

fn median(mut v: Vec<Duration>) -> Duration {
    v.sort();
    v[v.len() / 2]
}

async fn unknown_users_cost_as_much_as_wrong_passwords(app: TestApp) {
    let anon = app.anonymous();
    let (mut known, mut unknown) = (Vec::new(), Vec::new());
    for i in 0..4 {
        // Different accounts, so that none is locked along the way.
        let name = ["admin", "sec_b", "inspector", "member_a"][i];
        let t = Instant::now();
        let r = anon.post("/api/v1/auth/login", &json!({"username": name, "password": "Wrong-pass-1"})).await;
        known.push(t.elapsed());
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        let t = Instant::now();
        let r = anon
            .post("/api/v1/auth/login", &json!({"username": format!("ghost{i}"), "password": "Wrong-pass-1"}))
            .await;
        unknown.push(t.elapsed());
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
        assert_eq!(r.body["message"], "用户名或密码错误");
    }
    let (known, unknown) = (median(known), median(unknown));
    eprintln!("median wrong password {known:?}, unknown user {unknown:?}");
    assert!(unknown * 2 >= known, "unknown user answered in {unknown:?}, wrong password in {known:?}");
}

async fn disabled_and_locked_accounts_look_like_bad_passwords(app: TestApp) {
    let sysadmin = app.login("sysadmin").await;
    let id = user_id(&app, "sec_b").await;
    sysadmin.post(&format!("/api/v1/users/{id}/disable"), &json!({})).await;
    let anon = app.anonymous();
    let wrong = anon.post("/api/v1/auth/login", &json!({"username": "sec_b", "password": "Wrong-pass-1"})).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["code"], "bad_credentials");
    assert_eq!(wrong.body["message"], "用户名或密码错误");
    let right = anon.post("/api/v1/auth/login", &json!({"username": "sec_b", "password": PASSWORD})).await;
    assert_eq!(right.status, StatusCode::UNAUTHORIZED);
    assert_eq!(right.body["message"], "账号已停用");

    for _ in 0..5 {
        anon.post("/api/v1/auth/login", &json!({"username": "sec_a", "password": "Wrong-pass-1"})).await;
    }
    let wrong = anon.post("/api/v1/auth/login", &json!({"username": "sec_a", "password": "Wrong-pass-1"})).await;
    assert_eq!(wrong.status, StatusCode::UNAUTHORIZED);
    assert_eq!(wrong.body["message"], "用户名或密码错误");
    let right = anon.post("/api/v1/auth/login", &json!({"username": "sec_a", "password": PASSWORD})).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn security_headers_and_secure_cookie(app: TestApp) {
    let (admin, res) = login_as(&app, "admin", PASSWORD).await;
    let cookie = res.headers.get("set-cookie").unwrap().to_str().unwrap();
    assert!(cookie.contains("; Secure"), "{cookie}");
    assert!(cookie.contains("HttpOnly") && cookie.contains("SameSite=Strict"), "{cookie}");
    for path in ["/api/v1/me", "/api/v1/members", "/", "/members", "/api/v1/openapi.json"] {
        let r = admin.get(path).await;
        let h = |name: &str| r.headers.get(name).map(|v| v.to_str().unwrap().to_owned()).unwrap_or_default();
        let csp = h("content-security-policy");
        assert!(csp.contains("frame-ancestors 'none'") && csp.contains("default-src 'self'"), "{path}: {csp}");
        assert_eq!(h("x-content-type-options"), "nosniff", "{path}");
        assert_eq!(h("referrer-policy"), "no-referrer", "{path}");
        assert_eq!(h("x-frame-options"), "DENY", "{path}");
        if path.starts_with("/api/") {
            assert_eq!(h("cache-control"), "no-store", "{path}");
        }
    }
    let refused = app.anonymous().get("/api/v1/members").await;
    assert_eq!(refused.headers.get("cache-control").unwrap(), "no-store");
}

async fn sessions_have_an_absolute_limit(app: TestApp) {
    let admin = app.login("admin").await;
    assert_eq!(admin.get("/api/v1/me").await.status, StatusCode::OK);
    // Used a minute ago, so not idle; but opened 13 hours ago.
    let opened = chrono::Utc::now() - chrono::Duration::hours(13);
    app.db.execute(dangwu_store::q("UPDATE sessions SET created_at = $1").bind(opened)).await.unwrap();
    let r = admin.get("/api/v1/me").await;
    assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    assert!(r.body["message"].as_str().unwrap().contains("重新登录"));
}

async fn password_policy_refuses_weak_and_reused_passwords(app: TestApp) {
    let sysadmin = app.login("sysadmin").await;
    for weak in [
        "password1",
        "aaaaaaa1",
        "12345678a",
        "Password-2026",
        "Abcdef-9876",
        "Aaaa-aaaa-1x",
        "Short-1a",
        "new_user-2026X",
    ] {
        let r = sysadmin
            .post("/api/v1/users", &json!({"username": "new_user", "display_name": "新用户", "password": weak}))
            .await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{weak} accepted");
        assert_eq!(r.body["fields"][0]["field"], "password", "{weak}: {}", r.body);
    }
    for fine in [PASSWORD, "E2e-demo-2026", "Strong-pass-1"] {
        assert!(dangwu_server::auth::password_problem(fine, "admin").is_none(), "{fine} refused");
    }
    let admin = app.login("admin").await;
    let same = admin.post("/api/v1/me/password", &json!({"old_password": PASSWORD, "new_password": PASSWORD})).await;
    assert_eq!(same.status, StatusCode::BAD_REQUEST);
    assert_eq!(same.body["fields"][0]["field"], "new_password");
    let weak = admin.post("/api/v1/me/password", &json!({"old_password": PASSWORD, "new_password": "password1"})).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
}

async fn wrong_old_password_counts_toward_lockout(app: TestApp) {
    let admin = app.login("admin").await;
    let mut last = Value::Null;
    for i in 0..6 {
        let r = admin
            .post(
                "/api/v1/me/password",
                &json!({"old_password": format!("Guess-{i}-2026"), "new_password": "Fresh-pass-2026"}),
            )
            .await;
        assert_ne!(r.status, StatusCode::NO_CONTENT);
        last = r.body;
    }
    assert_eq!(last["code"], "too_many_attempts", "{last}");
    // Even the right old password is refused now, and so is a new login.
    let right =
        admin.post("/api/v1/me/password", &json!({"old_password": PASSWORD, "new_password": "Fresh-pass-2026"})).await;
    assert_eq!(right.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(login_as(&app, "admin", PASSWORD).await.1.status, StatusCode::TOO_MANY_REQUESTS);
}

async fn one_account_per_member(app: TestApp) {
    let sysadmin = app.login("sysadmin").await;
    let taken = app.fixture.members_a[0];
    let second = linked_account(&sysadmin, "second_link", "二号", "Second-link-2026", taken).await;
    assert_eq!(second.status, StatusCode::CONFLICT, "{}", second.body);
    assert_eq!(second.body["code"], "member_already_linked");
    // The database itself refuses a second link, whatever the code path.
    let other = app.db.user_by_name("sec_a").await.unwrap().unwrap();
    let direct = app
        .db
        .execute(dangwu_store::q("UPDATE users SET member_id = $1 WHERE id = $2").bind(taken).bind(other.id))
        .await;
    assert!(direct.is_err_and(|e| e.is_unique_violation()));
    let free = app.fixture.members_a[1];
    let ok = linked_account(&sysadmin, "first_link", "一号", "First-link-2026", free).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
}

/// Asks, as the system admin, for an account linked to `member`.
async fn linked_account(
    sysadmin: &Session,
    username: &str,
    display_name: &str,
    password: &str,
    member: uuid::Uuid,
) -> dangwu_testkit::Reply {
    let body = json!({"username": username, "display_name": display_name, "password": password, "member_id": member});
    sysadmin.post("/api/v1/users", &body).await
}
