//! API tests over real HTTP, each run on SQLite and on PostgreSQL.

mod common;

use dangwu_testkit::{StatusCode, TestApp, member_json, on_both_engines};
use serde_json::{Value, json};

on_both_engines!(
    health_and_openapi,
    login_logout_and_me,
    login_is_throttled,
    writes_need_csrf_or_token,
    api_tokens_work_and_can_be_revoked,
    admin_sees_the_whole_tree,
    secretary_of_a_cannot_read_or_write_branch_b,
    member_sees_only_themself,
    inspector_reads_but_never_writes_or_unmasks,
    system_roles_are_kept_apart,
    bad_member_input_is_refused_and_leaves_no_trace,
    member_create_edit_history_and_unmask,
    organizations_create_edit_move_dissolve,
    roster_export_to_excel,
    roster_export_streams_every_page,
    members_paginate_by_cursor,
    members_search_by_name_id_and_phone,
    probation_rules_on_member_records,
    codes_outside_their_lists_are_refused_naming_the_field,
);

async fn health_and_openapi(app: TestApp) {
    let anon = app.anonymous();
    let health = anon.get("/healthz").await;
    assert_eq!(health.status, StatusCode::OK);
    let engine = match app.backend {
        dangwu_testkit::Backend::Sqlite => "sqlite",
        dangwu_testkit::Backend::Postgres => "postgres",
    };
    assert_eq!(health.body["database"], engine);
    // Ready once the start-up reads are done; before, 503 with a time to come back.
    assert_eq!(anon.get("/readyz").await.body["status"], "ready");
    app.state.ready.store(false, std::sync::atomic::Ordering::Release);
    let starting = anon.get("/readyz").await;
    assert_eq!(starting.status, StatusCode::SERVICE_UNAVAILABLE);
    assert_eq!(starting.body["status"], "starting");
    assert_eq!(starting.headers["retry-after"], "1");
    dangwu_server::start_up(app.state.clone()).await;
    assert_eq!(anon.get("/readyz").await.status, StatusCode::OK);
    let doc = anon.get("/api/v1/openapi.json").await;
    assert_eq!(doc.status, StatusCode::OK);
    for path in ["/api/v1/auth/login", "/api/v1/members", "/api/v1/organizations/{id}/move", "/api/v1/audit"] {
        assert!(doc.body["paths"].get(path).is_some(), "{path} missing from OpenAPI");
    }
    assert_eq!(anon.get("/api/v1/docs/").await.status, StatusCode::OK);
    // Malformed query strings and ids answer in the same JSON shape as every other error.
    let admin = app.login("admin").await;
    let bad_query = admin.get("/api/v1/members?limit=many").await;
    assert_eq!(bad_query.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad_query.body["fields"][0]["field"], "limit");
    let bad_id = admin.get("/api/v1/members/not-a-uuid").await;
    assert_eq!(bad_id.status, StatusCode::NOT_FOUND);
    assert_eq!(bad_id.body["code"], "not_found");
    let unauth = anon.get("/api/v1/members").await;
    assert_eq!(unauth.status, StatusCode::UNAUTHORIZED);
    assert_eq!(unauth.body["code"], "unauthenticated");
}

async fn login_logout_and_me(app: TestApp) {
    let anon = app.anonymous();
    let bad = anon.post("/api/v1/auth/login", &json!({"username": "admin", "password": "wrong-password"})).await;
    assert_eq!(bad.status, StatusCode::UNAUTHORIZED);
    assert_eq!(bad.body["code"], "bad_credentials");
    let nobody = anon.post("/api/v1/auth/login", &json!({"username": "nobody", "password": "x"})).await;
    assert_eq!(nobody.status, StatusCode::UNAUTHORIZED);

    let admin = app.login("admin").await;
    let me = admin.get("/api/v1/me").await;
    assert_eq!(me.status, StatusCode::OK);
    assert_eq!(me.body["username"], "admin");
    assert_eq!(me.body["grants"][0]["role"], "org_admin");
    assert!(me.body["csrf_token"].as_str().is_some_and(|t| t.len() == 64));
    let cookie = admin.post("/api/v1/auth/logout", &json!({})).await;
    assert_eq!(cookie.status, StatusCode::NO_CONTENT);
    assert_eq!(admin.get("/api/v1/me").await.status, StatusCode::UNAUTHORIZED);
}

async fn login_is_throttled(app: TestApp) {
    let anon = app.anonymous();
    for _ in 0..5 {
        let r = anon.post("/api/v1/auth/login", &json!({"username": "sec_a", "password": "wrong"})).await;
        assert_eq!(r.status, StatusCode::UNAUTHORIZED);
    }
    let locked =
        anon.post("/api/v1/auth/login", &json!({"username": "sec_a", "password": dangwu_testkit::PASSWORD})).await;
    assert_eq!(locked.status, StatusCode::TOO_MANY_REQUESTS);
    assert_eq!(locked.body["code"], "too_many_attempts");
}

async fn writes_need_csrf_or_token(app: TestApp) {
    let admin = app.login("admin").await;
    let body = member_json(app.fixture.branch_a, "无令牌", 501);
    let refused = admin.without_csrf().post("/api/v1/members", &body).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.body["code"], "csrf_failed");
    let ok = admin.post("/api/v1/members", &body).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
}

async fn api_tokens_work_and_can_be_revoked(app: TestApp) {
    let admin = app.login("admin").await;
    let created = admin.post("/api/v1/tokens", &json!({"name": "人事系统对接"})).await;
    assert_eq!(created.status, StatusCode::CREATED);
    let token = created.body["token"].as_str().unwrap().to_owned();
    let client = reqwest::Client::new();
    let me = client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(me.status(), StatusCode::OK);
    // No CSRF header is needed with a token.
    let write = client
        .post(format!("{}/api/v1/members", app.base))
        .bearer_auth(&token)
        .json(&member_json(app.fixture.branch_a, "令牌写入", 502))
        .send()
        .await
        .unwrap();
    assert_eq!(write.status(), StatusCode::CREATED);
    let listed = admin.get("/api/v1/tokens").await;
    assert_eq!(listed.body.as_array().unwrap().len(), 1);
    assert!(listed.body[0].get("token").is_none(), "token secret must not be listed");
    let id = created.body["id"].as_str().unwrap();
    assert_eq!(admin.delete(&format!("/api/v1/tokens/{id}")).await.status, StatusCode::NO_CONTENT);
    let after = client.get(format!("{}/api/v1/me", app.base)).bearer_auth(&token).send().await.unwrap();
    assert_eq!(after.status(), StatusCode::UNAUTHORIZED);
}

async fn admin_sees_the_whole_tree(app: TestApp) {
    let admin = app.login("admin").await;
    let tree = admin.get("/api/v1/organizations").await;
    assert_eq!(tree.body.as_array().unwrap().len(), 5);
    assert_eq!(tree.body[0]["parent_id"], Value::Null);
    assert_eq!(tree.body[0]["depth"], 0);
    let members = admin.get("/api/v1/members").await;
    assert_eq!(members.body["total"], 7);
    let committee = admin.get(&format!("/api/v1/organizations/{}", app.fixture.committee)).await;
    assert_eq!(committee.body["full_members"], 6);
    assert_eq!(committee.body["probationary_members"], 1);
    assert_eq!(committee.body["children"], 2);
    let children = admin.get(&format!("/api/v1/organizations/{}/children", app.fixture.committee)).await;
    assert_eq!(children.body.as_array().unwrap().len(), 2);
}

async fn secretary_of_a_cannot_read_or_write_branch_b(app: TestApp) {
    let f = &app.fixture;
    let sec = app.login("sec_a").await;
    let tree = sec.get("/api/v1/organizations").await;
    let ids: Vec<&str> = tree.body.as_array().unwrap().iter().map(|o| o["id"].as_str().unwrap()).collect();
    assert_eq!(ids, vec![f.branch_a.to_string(), f.group_a.to_string()]);

    let b = f.branch_b;
    let mb = f.members_b[0];
    let hidden = [
        sec.get(&format!("/api/v1/organizations/{b}")).await,
        sec.get(&format!("/api/v1/organizations/{b}/children")).await,
        sec.get(&format!("/api/v1/organizations/{b}/history")).await,
        sec.get(&format!("/api/v1/organizations/{}", f.committee)).await,
        sec.get(&format!("/api/v1/members/{mb}")).await,
        sec.get(&format!("/api/v1/members/{mb}?unmask=true")).await,
        sec.get(&format!("/api/v1/members/{mb}/history")).await,
        sec.put(&format!("/api/v1/organizations/{b}"), &json!({"version": 1, "name": "改名", "kind": "branch"})).await,
        sec.post(&format!("/api/v1/organizations/{b}/move"), &json!({"parent_id": f.branch_a})).await,
        common::dissolve(&sec, &b, "2026-01-01", "x").await,
        sec.put(
            &format!("/api/v1/members/{mb}"),
            &json!({"version": 1, "fields": {}})
                .as_object()
                .map(|_| {
                    let mut body = member_json(b, "篡改", 600);
                    body["version"] = json!(1);
                    body
                })
                .unwrap(),
        )
        .await,
    ];
    for (i, r) in hidden.iter().enumerate() {
        assert!(
            r.status == StatusCode::NOT_FOUND || r.status == StatusCode::FORBIDDEN,
            "case {i}: expected 403/404, got {} {}",
            r.status,
            r.body
        );
    }
    let create_in_b = sec.post("/api/v1/members", &member_json(b, "越权新增", 601)).await;
    assert_eq!(create_in_b.status, StatusCode::FORBIDDEN, "{}", create_in_b.body);
    let create_org_in_b =
        sec.post("/api/v1/organizations", &json!({"parent_id": b, "name": "越权党小组", "kind": "party_group"})).await;
    assert!(matches!(create_org_in_b.status, StatusCode::NOT_FOUND | StatusCode::FORBIDDEN));
    // Filters cannot widen the scope.
    let listed = sec.get(&format!("/api/v1/members?organization_id={b}")).await;
    assert_eq!(listed.body["total"], 0);
    let all = sec.get("/api/v1/members?limit=200").await;
    assert_eq!(all.body["total"], 4);
    assert!(all.body["items"].as_array().unwrap().iter().all(|m| m["organization_id"] == f.branch_a.to_string()));
    let export = sec.get(&format!("/api/v1/members/export.xlsx?organization_id={b}")).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(dangwu_reports::read_rows(&export.bytes).unwrap().len(), 1, "only the header row");
    // Nothing of B changed.
    let admin = app.login("admin").await;
    let org_b = admin.get(&format!("/api/v1/organizations/{b}")).await;
    assert_eq!(org_b.body["version"], 1);
    assert_eq!(org_b.body["status"], "active");
    // But A is theirs to edit.
    let own = sec.post("/api/v1/members", &member_json(f.branch_a, "本支部新党员", 602)).await;
    assert_eq!(own.status, StatusCode::CREATED);
    // A secretary may not restructure the tree.
    let sub = sec
        .post("/api/v1/organizations", &json!({"parent_id": f.branch_a, "name": "新党小组", "kind": "party_group"}))
        .await;
    assert_eq!(sub.status, StatusCode::FORBIDDEN);
}

async fn member_sees_only_themself(app: TestApp) {
    let f = &app.fixture;
    let me = app.login("member_a").await;
    let list = me.get("/api/v1/members").await;
    assert_eq!(list.body["total"], 1);
    assert_eq!(list.body["items"][0]["id"], f.members_a[0].to_string());
    assert_eq!(me.get(&format!("/api/v1/members/{}", f.members_a[0])).await.status, StatusCode::OK);
    assert_eq!(me.get(&format!("/api/v1/members/{}", f.members_a[1])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get(&format!("/api/v1/members/{}", f.members_b[0])).await.status, StatusCode::NOT_FOUND);
    let tree = me.get("/api/v1/organizations").await;
    assert_eq!(tree.body.as_array().unwrap().len(), 1);
    let unmask = me.get(&format!("/api/v1/members/{}?unmask=true", f.members_a[0])).await;
    assert_eq!(unmask.status, StatusCode::FORBIDDEN);
    let mut body = member_json(f.branch_a, "本人改", 700);
    body["version"] = json!(1);
    let edit = me.put(&format!("/api/v1/members/{}", f.members_a[0]), &body).await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
}

async fn inspector_reads_but_never_writes_or_unmasks(app: TestApp) {
    let f = &app.fixture;
    let insp = app.login("inspector").await;
    let m = insp.get(&format!("/api/v1/members/{}", f.members_b[0])).await;
    assert_eq!(m.status, StatusCode::OK);
    assert!(m.body["id_number"].as_str().unwrap().contains("********"));
    assert_eq!(
        insp.get(&format!("/api/v1/members/{}?unmask=true", f.members_b[0])).await.status,
        StatusCode::FORBIDDEN
    );
    assert_eq!(
        insp.post("/api/v1/members", &member_json(f.branch_a, "督查新增", 800)).await.status,
        StatusCode::FORBIDDEN
    );
    let org = insp.get(&format!("/api/v1/organizations/{}", f.branch_a)).await;
    let edit = insp
        .put(
            &format!("/api/v1/organizations/{}", f.branch_a),
            &json!({"version": org.body["version"], "name": "改", "kind": "branch"}),
        )
        .await;
    assert_eq!(edit.status, StatusCode::FORBIDDEN);
}

async fn system_roles_are_kept_apart(app: TestApp) {
    let auditor = app.login("auditor").await;
    let sysadmin = app.login("sysadmin").await;
    let secadmin = app.login("secadmin").await;
    let admin = app.login("admin").await;
    for s in [&auditor, &sysadmin, &secadmin] {
        assert_eq!(s.get("/api/v1/members").await.status, StatusCode::FORBIDDEN);
    }
    assert_eq!(auditor.get("/api/v1/organizations").await.status, StatusCode::FORBIDDEN);
    assert_eq!(admin.get("/api/v1/audit").await.status, StatusCode::FORBIDDEN);
    assert_eq!(sysadmin.get("/api/v1/audit").await.status, StatusCode::FORBIDDEN);
    let log = auditor.get("/api/v1/audit?action=session.login").await;
    assert_eq!(log.status, StatusCode::OK);
    assert!(log.body["items"].as_array().unwrap().len() >= 4);

    // The system admin creates an account; only the security admin can give it a role.
    let created = sysadmin
        .post("/api/v1/users", &json!({"username": "new_sec", "display_name": "新书记", "password": "Strong-pass-1"}))
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let uid = created.body["id"].as_str().unwrap();
    let grant = json!({"role": "secretary", "organization_id": app.fixture.branch_b});
    assert_eq!(sysadmin.post(&format!("/api/v1/users/{uid}/grants"), &grant).await.status, StatusCode::FORBIDDEN);
    let bad_role = json!({"role": "owner", "organization_id": app.fixture.branch_b});
    let refused = secadmin.post(&format!("/api/v1/users/{uid}/grants"), &bad_role).await;
    assert_eq!(refused.status, StatusCode::BAD_REQUEST, "{}", refused.body);
    assert_eq!(refused.body["fields"][0]["field"], "role", "{}", refused.body);
    let granted = secadmin.post(&format!("/api/v1/users/{uid}/grants"), &grant).await;
    assert_eq!(granted.status, StatusCode::CREATED, "{}", granted.body);
    assert_eq!(granted.body["role"], "secretary");
    // The security admin sees organization names to grant on, but no members.
    assert_eq!(secadmin.get("/api/v1/organizations").await.body.as_array().unwrap().len(), 5);
    let users = secadmin.get("/api/v1/users").await;
    let auditor_row = users.body.as_array().unwrap().iter().find(|u| u["username"] == "auditor").unwrap().clone();
    let to_auditor =
        secadmin.post(&format!("/api/v1/users/{}/grants", auditor_row["id"].as_str().unwrap()), &grant).await;
    assert_eq!(to_auditor.status, StatusCode::CONFLICT);
    assert_eq!(to_auditor.body["rule"], "security.separation");
    let weak =
        sysadmin.post("/api/v1/users", &json!({"username": "weak", "display_name": "弱", "password": "123"})).await;
    assert_eq!(weak.status, StatusCode::BAD_REQUEST);
}

async fn bad_member_input_is_refused_and_leaves_no_trace(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let audit_before = app.db.audit_count().await.unwrap();
    let members_before = admin.get("/api/v1/members").await.body["total"].clone();

    let mut bad_id = member_json(f.branch_a, "错号", 900);
    let id = bad_id["id_number"].as_str().unwrap().to_owned();
    let wrong_last = if id.ends_with('1') { '2' } else { '1' };
    bad_id["id_number"] = json!(format!("{}{wrong_last}", &id[..17]));
    let r = admin.post("/api/v1/members", &bad_id).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["fields"][0]["field"], "id_number");
    assert!(r.body["fields"][0]["message"].as_str().unwrap().contains("校验位"));

    let mut young = member_json(f.branch_a, "未满十八", 901);
    young["joined_on"] = json!("2008-03-14"); // born 1990-03-15: one day before the 18th birthday
    let r = admin.post("/api/v1/members", &young).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["fields"].as_array().unwrap().iter().any(|e| e["field"] == "joined_on"), "{}", r.body);

    let mut early = member_json(f.branch_a, "转正早于入党", 902);
    early["converted_on"] = json!("2015-06-30");
    let r = admin.post("/api/v1/members", &early).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert!(r.body["fields"].as_array().unwrap().iter().any(|e| e["field"] == "converted_on"));

    let unknown = member_json(uuid::Uuid::now_v7(), "无组织", 903);
    let r = admin.post("/api/v1/members", &unknown).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["fields"][0]["field"], "organization_id");

    let in_group = member_json(f.group_a, "党小组", 904);
    let r = admin.post("/api/v1/members", &in_group).await;
    assert_eq!(r.status, StatusCode::CONFLICT);
    assert_eq!(r.body["rule"], "member.organization_kind");

    let mut bad_date = member_json(f.branch_a, "日期格式", 905);
    bad_date["birth_date"] = json!("1990/03/15");
    let r = admin.post("/api/v1/members", &bad_date).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["fields"][0]["field"], "birth_date");

    let mut missing = member_json(f.branch_a, "缺字段", 906);
    missing.as_object_mut().unwrap().remove("name");
    let r = admin.post("/api/v1/members", &missing).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["fields"][0]["field"], "name");

    let r = admin.post_raw("/api/v1/members", "application/json", b"{\"name\": ".to_vec()).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST);
    assert_eq!(r.body["code"], "bad_json");
    let r = admin.post_raw("/api/v1/members", "text/plain", b"hello".to_vec()).await;
    assert_eq!(r.status, StatusCode::UNSUPPORTED_MEDIA_TYPE);
    let mut huge = member_json(f.branch_a, "超大", 907);
    huge["post"] = json!("长".repeat(600_000));
    let r = admin.post("/api/v1/members", &huge).await;
    assert_eq!(r.status, StatusCode::PAYLOAD_TOO_LARGE);
    assert_eq!(r.body["code"], "payload_too_large");

    // A duplicate of an existing member's ID number: first create one, count, then retry.
    let first = admin.post("/api/v1/members", &member_json(f.branch_a, "原号", 908)).await;
    assert_eq!(first.status, StatusCode::CREATED);
    let audit_mid = app.db.audit_count().await.unwrap();
    assert_eq!(audit_mid, audit_before + 1);
    let dup = admin.post("/api/v1/members", &member_json(f.branch_b, "重号", 908)).await;
    assert_eq!(dup.status, StatusCode::CONFLICT);
    assert_eq!(dup.body["code"], "duplicate_id_number");
    assert_eq!(dup.body["fields"][0]["field"], "id_number");

    assert_eq!(app.db.audit_count().await.unwrap(), audit_mid, "refused writes must not be audited as done");
    let members_after = admin.get("/api/v1/members").await.body["total"].as_i64().unwrap();
    assert_eq!(members_after, members_before.as_i64().unwrap() + 1);
}

async fn member_create_edit_history_and_unmask(app: TestApp) {
    let f = &app.fixture;
    let sec = app.login("sec_a").await;
    let body = member_json(f.branch_a, "王新", 1000);
    let created = sec.post("/api/v1/members", &body).await;
    assert_eq!(created.status, StatusCode::CREATED);
    assert_eq!(created.body["id_number_masked"], true);
    assert_eq!(created.body["phone"], "138******34");
    let id = created.body["id"].as_str().unwrap().to_owned();

    let full = sec.get(&format!("/api/v1/members/{id}?unmask=true")).await;
    assert_eq!(full.body["id_number"], body["id_number"]);
    assert_eq!(full.body["phone"], "13800001234");

    let mut edit = body.clone();
    edit["post"] = json!("高级工程师");
    edit["version"] = json!(1);
    let updated = sec.put(&format!("/api/v1/members/{id}"), &edit).await;
    assert_eq!(updated.status, StatusCode::OK, "{}", updated.body);
    assert_eq!(updated.body["version"], 2);
    let stale = sec.put(&format!("/api/v1/members/{id}"), &edit).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.body["code"], "stale_version");

    // The masked values shown in a form may be sent back unchanged.
    let mut masked = edit.clone();
    masked["version"] = json!(2);
    masked["id_number"] = created.body["id_number"].clone();
    masked["phone"] = created.body["phone"].clone();
    masked["work_unit"] = json!("华夏测试二公司");
    let kept = sec.put(&format!("/api/v1/members/{id}"), &masked).await;
    assert_eq!(kept.status, StatusCode::OK, "{}", kept.body);
    let full = sec.get(&format!("/api/v1/members/{id}?unmask=true")).await;
    assert_eq!(
        (full.body["id_number"].clone(), full.body["phone"].clone()),
        (body["id_number"].clone(), json!("13800001234"))
    );

    let history = sec.get(&format!("/api/v1/members/{id}/history")).await;
    let entries = history.body.as_array().unwrap();
    assert_eq!(entries.len(), 3, "create and two updates; unmasked reads are not changes");
    assert_eq!(entries[1]["action"], "member.update");
    assert_eq!(entries[1]["changes"], json!([{"field": "post", "before": "工程师", "after": "高级工程师"}]));
    assert!(
        entries[0]["changes"]
            .as_array()
            .unwrap()
            .iter()
            .any(|c| c["field"] == "id_number" && c["after"].as_str().unwrap().contains("****"))
    );

    let auditor = app.login("auditor").await;
    let reads = auditor.get(&format!("/api/v1/audit?action=member.read_unmasked&entity_id={id}")).await;
    assert_eq!(reads.body["items"].as_array().unwrap().len(), 2);
    assert_eq!(reads.body["items"][0]["actor"], "sec_a");
}

async fn organizations_create_edit_move_dissolve(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let created = admin
        .post(
            "/api/v1/organizations",
            &json!({"parent_id": f.committee, "name": "中共测试公司第三支部委员会", "short_name": "第三党支部",
                    "kind": "branch", "units": ["测试公司"], "established_on": "2020-01-01",
                    "term_start": "2024-01-01", "term_end": "2026-12-31",
                    "committee": [{"name": "赵书记", "post": "secretary"}]}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    assert_eq!(created.body["secretary_name"], "赵书记");
    let c = created.body["id"].as_str().unwrap().to_owned();

    let wrong_place = admin
        .post("/api/v1/organizations", &json!({"parent_id": f.group_a, "name": "小组下的支部", "kind": "branch"}))
        .await;
    assert_eq!(wrong_place.status, StatusCode::CONFLICT);
    assert_eq!(wrong_place.body["rule"], "org.tree_shape");
    // A kind outside the list is refused as the body is read, naming the field and the codes allowed.
    let bad = admin.post("/api/v1/organizations", &json!({"parent_id": f.committee, "name": "", "kind": "club"})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["fields"][0]["field"], "kind", "{}", bad.body);
    assert!(bad.body["fields"][0]["message"].as_str().unwrap().contains("`branch`"), "{}", bad.body);
    let bad = admin
        .post("/api/v1/organizations", &json!({"parent_id": f.committee, "name": "", "kind": "branch", "term_start": "2024-01-01", "term_end": "2023-01-01"}))
        .await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    let fields: Vec<&str> =
        bad.body["fields"].as_array().unwrap().iter().map(|e| e["field"].as_str().unwrap()).collect();
    assert_eq!(fields, vec!["name", "term_end"]);

    let edited = admin
        .put(
            &format!("/api/v1/organizations/{c}"),
            &json!({"version": 1, "name": "中共测试公司第三支部委员会", "short_name": "三支部", "kind": "branch"}),
        )
        .await;
    assert_eq!(edited.status, StatusCode::OK, "{}", edited.body);
    assert_eq!(edited.body["short_name"], "三支部");

    // A general branch, then move branch A (with its party group and members) under it.
    let gb = admin
        .post(
            "/api/v1/organizations",
            &json!({"parent_id": f.committee, "name": "测试党总支", "kind": "general_branch"}),
        )
        .await;
    let gb = gb.body["id"].as_str().unwrap().to_owned();
    let moved = admin.post(&format!("/api/v1/organizations/{}/move", f.branch_a), &json!({"parent_id": gb})).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(moved.body["parent_id"], gb);
    let under_gb = admin.get(&format!("/api/v1/members?organization_id={gb}")).await;
    assert_eq!(under_gb.body["total"], 4, "members of A now count under the general branch");
    let gb_view = admin.get(&format!("/api/v1/organizations/{gb}")).await;
    assert_eq!(gb_view.body["full_members"], 3);
    let tree = admin.get("/api/v1/organizations").await;
    let group_a = tree.body.as_array().unwrap().iter().find(|o| o["id"] == f.group_a.to_string()).unwrap().clone();
    assert_eq!(group_a["depth"], 4);
    let cycle = admin.post(&format!("/api/v1/organizations/{gb}/move"), &json!({"parent_id": f.branch_a})).await;
    assert_eq!(cycle.status, StatusCode::CONFLICT);
    assert_eq!(cycle.body["rule"], "org.tree_cycle");

    let busy = common::dissolve(&admin, f.branch_b, "2026-06-30", "合并").await;
    assert_eq!(busy.status, StatusCode::CONFLICT);
    assert_eq!(busy.body["rule"], "org.dissolve_members");
    let done = common::dissolve(&admin, &c, "2026-06-30", "机构调整").await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert_eq!(done.body["status"], "dissolved");
    let active = admin.get("/api/v1/organizations").await.body.as_array().unwrap().len();
    let all = admin.get("/api/v1/organizations?include_dissolved=true").await.body.as_array().unwrap().len();
    assert_eq!(all, active + 1);
    let history = admin.get(&format!("/api/v1/organizations/{c}/history")).await;
    let actions: Vec<&str> = history.body.as_array().unwrap().iter().map(|h| h["action"].as_str().unwrap()).collect();
    assert_eq!(actions, vec!["organization.create", "organization.update", "organization.dissolve"]);
    // Still readable with its history: never deleted.
    assert_eq!(admin.get(&format!("/api/v1/organizations/{c}")).await.status, StatusCode::OK);
}

async fn roster_export_to_excel(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let masked = admin.get("/api/v1/members/export.xlsx").await;
    assert_eq!(masked.status, StatusCode::OK);
    assert!(masked.headers["content-type"].to_str().unwrap().contains("spreadsheetml"));
    let rows = dangwu_reports::read_rows(&masked.bytes).unwrap();
    assert_eq!(rows.len(), 8);
    assert_eq!(rows[0][2], "姓名");
    assert!(rows[1..].iter().all(|r| r[7].contains("********")));
    let audit_before = app.db.audit_count().await.unwrap();
    let full = admin.get(&format!("/api/v1/members/export.xlsx?organization_id={}&unmask=true", f.branch_a)).await;
    let rows = dangwu_reports::read_rows(&full.bytes).unwrap();
    assert_eq!(rows.len(), 5);
    assert!(rows[1..].iter().all(|r| !r[7].contains('*') && r[7].len() == 18));
    assert_eq!(app.db.audit_count().await.unwrap(), audit_before + 1);
    let insp = app.login("inspector").await;
    let refused = insp.get(&format!("/api/v1/members/export.xlsx?organization_id={}&unmask=true", f.branch_a)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A roster longer than the export's pages of 1,000: every member once, in the list's order, the
/// serial numbers unbroken, and the audit record counting them all.
async fn roster_export_streams_every_page(app: TestApp) {
    const MEMBERS: u32 = 2_345;
    let f = &app.fixture;
    let actor = dangwu_store::Actor { user_id: uuid::Uuid::nil(), name: "test".into(), ip: None };
    let now = chrono::Utc::now();
    let mut expected = std::collections::BTreeSet::new();
    let mut inputs = Vec::new();
    for i in 0..MEMBERS {
        let birth = chrono::NaiveDate::from_ymd_opt(1960 + (i % 40) as i32, 1 + i % 12, 1 + i % 28).unwrap();
        let name = format!("导出{i:04}");
        let input = dangwu_store::members::MemberInput {
            name: name.clone(),
            gender: dangwu_rules::idcard::Gender::Female,
            ethnicity: "汉族".into(),
            birth_date: birth,
            id_number: dangwu_testkit::id_number(birth, false, 200 + i),
            education: "大学本科".into(),
            occupation: dangwu_rules::member::Occupation::Worker,
            work_unit: "华夏".into(),
            post: String::new(),
            phone: format!("139{:08}", i),
            joined_on: chrono::NaiveDate::from_ymd_opt(2000, 7, 1).unwrap(),
            converted_on: chrono::NaiveDate::from_ymd_opt(2001, 7, 1),
            status: dangwu_rules::member::Status::Full,
            organization_id: f.branch_b,
        };
        inputs.push(input);
        expected.insert(name);
    }
    app.db.seed_members(&actor, &inputs, now).await.unwrap();
    let admin = app.login("admin").await;
    let before = app.db.audit_count().await.unwrap();
    let export = admin.get(&format!("/api/v1/members/export.xlsx?organization_id={}", f.branch_b)).await;
    assert_eq!(export.status, StatusCode::OK);
    assert_eq!(export.headers["content-length"].to_str().unwrap(), export.bytes.len().to_string());
    let rows = dangwu_reports::read_rows(&export.bytes).unwrap();
    let listed: Vec<&Vec<String>> = rows[1..].iter().collect();
    let fixture_b = f.members_b.len();
    assert_eq!(listed.len(), MEMBERS as usize + fixture_b);
    for (i, row) in listed.iter().enumerate() {
        assert_eq!(row[0], (i + 1).to_string(), "serial numbers run on across pages");
    }
    let exported: std::collections::BTreeSet<String> =
        listed.iter().map(|r| r[2].clone()).filter(|n| n.starts_with("导出")).collect();
    assert_eq!(exported, expected);
    assert_eq!(app.db.audit_count().await.unwrap(), before + 1);
    let records = app.login("auditor").await.get("/api/v1/audit?action=member.export&limit=1").await;
    assert_eq!(records.status, StatusCode::OK, "{:?}", records.body);
    let rows_recorded = records.body["items"][0]["after"]["rows"].as_u64();
    assert_eq!(rows_recorded, Some(u64::from(MEMBERS) + fixture_b as u64));
}

async fn members_paginate_by_cursor(app: TestApp) {
    let admin = app.login("admin").await;
    let mut seen = Vec::new();
    let mut cursor: Option<String> = None;
    loop {
        let path = match &cursor {
            Some(c) => format!("/api/v1/members?limit=3&after={c}"),
            None => "/api/v1/members?limit=3".into(),
        };
        let page = admin.get(&path).await;
        assert_eq!(page.body["total"], 7);
        for m in page.body["items"].as_array().unwrap() {
            seen.push(m["id"].as_str().unwrap().to_owned());
        }
        match page.body["next_cursor"].as_str() {
            Some(c) => cursor = Some(c.to_owned()),
            None => break,
        }
    }
    // 7 rows in pages of 7: one page, and no cursor to an empty one.
    let exact = admin.get("/api/v1/members?limit=7").await;
    assert_eq!(exact.body["items"].as_array().unwrap().len(), 7);
    assert_eq!(exact.body["next_cursor"], Value::Null);
    let mut unique = seen.clone();
    unique.sort();
    unique.dedup();
    assert_eq!((seen.len(), unique.len()), (7, 7));
    assert_eq!(admin.get("/api/v1/members?limit=0").await.status, StatusCode::BAD_REQUEST);
}

async fn members_search_by_name_id_and_phone(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    assert_eq!(admin.get("/api/v1/members?q=%E7%94%B2").await.body["total"], 4); // 甲
    let one = admin.get(&format!("/api/v1/members/{}?unmask=true", f.members_b[0])).await;
    let id = one.body["id_number"].as_str().unwrap();
    let by_id = admin.get(&format!("/api/v1/members?q={id}")).await;
    assert_eq!(by_id.body["total"], 1);
    let phone = one.body["phone"].as_str().unwrap();
    assert_eq!(admin.get(&format!("/api/v1/members?q={phone}")).await.body["total"], 1);
    assert_eq!(admin.get("/api/v1/members?status=probationary").await.body["total"], 1);
    assert_eq!(
        admin.get(&format!("/api/v1/members?organization_id={}&subtree=false", f.committee)).await.body["total"],
        0
    );
    assert_eq!(admin.get("/api/v1/members?q=%25").await.body["total"], 0, "a % in the query is literal");
    assert_eq!(admin.get("/api/v1/members?status=dead").await.status, StatusCode::BAD_REQUEST);
}

on_both_engines!(calculators_and_rules);

async fn calculators_and_rules(app: TestApp) {
    let member = app.login("member_a").await;
    // Rule dues.employed.bands: 3000.00 元 is in the first band (0.5%), 3000.01 in the second (1%).
    let at = |base: i64| json!({"category": "employed", "month": "2026-03", "base_fen": base});
    let r = member.post("/api/v1/calc/dues", &at(300_000)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["amount_fen"], 1500);
    let r = member.post("/api/v1/calc/dues", &at(300_001)).await;
    assert_eq!(r.body["amount_fen"], 3000);
    let bad =
        member.post("/api/v1/calc/dues", &json!({"category": "pirate", "month": "2026-03", "base_fen": 100})).await;
    assert_eq!(bad.status, StatusCode::BAD_REQUEST);
    assert_eq!(bad.body["fields"][0]["field"], "category");
    let negative = member.post("/api/v1/calc/dues", &at(-5)).await;
    assert_eq!(negative.status, StatusCode::BAD_REQUEST);
    assert_eq!(negative.body["fields"][0]["field"], "base_fen");
    let before_rules =
        member.post("/api/v1/calc/dues", &json!({"category": "employed", "month": "2001-03", "base_fen": 100})).await;
    assert_eq!(before_rules.status, StatusCode::UNPROCESSABLE_ENTITY, "{}", before_rules.body);
    assert!(before_rules.body["rule"].as_str().is_some_and(|r| r.starts_with("dues.")), "{}", before_rules.body);

    let t = member
        .post(
            "/api/v1/calc/recruitment-timeline",
            &json!({"application_date": "2026-03-02", "birth_date": "2000-01-01"}),
        )
        .await;
    assert_eq!(t.status, StatusCode::OK, "{}", t.body);
    let steps = t.body["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 25);
    let talk =
        steps.iter().find(|s| s["step"] == "applicant_talk" || s["code"] == "applicant_talk").expect("talk step");
    assert!(talk.to_string().contains("2026-04-02"), "talk within one month of application: {talk}");
    let early = member.post("/api/v1/calc/recruitment-timeline", &json!({"application_date": "1920-01-01"})).await;
    assert_eq!(early.status, StatusCode::BAD_REQUEST);
    let young = member
        .post(
            "/api/v1/calc/recruitment-timeline",
            &json!({"application_date": "2026-03-02", "birth_date": "2010-01-01"}),
        )
        .await;
    assert!(young.body["problems"].as_array().is_some_and(|p| !p.is_empty()), "{}", young.body);
    let disordered = member
        .post("/api/v1/calc/recruitment-timeline", &json!({"application_date": "2026-03-02", "steps": {"applicant_talk": "2026-03-20", "select_activist": "2026-03-10"}}))
        .await;
    assert_eq!(disordered.status, StatusCode::BAD_REQUEST, "{}", disordered.body);
    assert!(disordered.body["fields"][0]["field"].as_str().unwrap().starts_with("steps."));
    let before_application = member
        .post(
            "/api/v1/calc/recruitment-timeline",
            &json!({"application_date": "2026-03-02", "birth_date": "2026-05-01"}),
        )
        .await;
    assert_eq!(before_application.status, StatusCode::BAD_REQUEST);
    assert_eq!(before_application.body["fields"][0]["field"], "birth_date");
    let unknown = member
        .post(
            "/api/v1/calc/recruitment-timeline",
            &json!({"application_date": "2026-03-02", "steps": {"fly": "2026-04-01"}}),
        )
        .await;
    assert_eq!(unknown.status, StatusCode::BAD_REQUEST);

    let rules = member.get("/api/v1/rules").await;
    assert_eq!(rules.status, StatusCode::OK);
    let list = rules.body["rules"].as_array().unwrap();
    assert!(list.len() >= 60);
    assert!(list.iter().all(|r| r["source"].is_object() && r["status"].is_string()));
    assert!(rules.body["calendar_years"].as_array().unwrap().len() >= 4);
    assert_eq!(app.anonymous().post("/api/v1/calc/dues", &at(1)).await.status, StatusCode::UNAUTHORIZED);
}

// Issue #9: a conversion date is checked against the probation rules, and a probation past its end
// without a conversion is flagged.
async fn probation_rules_on_member_records(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let converted = |member: &mut serde_json::Value, day: &str| member["converted_on"] = json!(day);
    // Joined 2015-07-01: the probation ends 2016-07-01 and, extended once by at most a year, 2017-07-01.
    for (day, rule_word) in [("2016-06-30", "预备期满"), ("2017-07-02", "延长")] {
        let mut m = member_json(f.branch_a, "转正日期", 910);
        converted(&mut m, day);
        let r = admin.post("/api/v1/members", &m).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{day}: {}", r.body);
        let field = r.body["fields"].as_array().unwrap().iter().find(|e| e["field"] == "converted_on").unwrap();
        assert!(field["message"].as_str().unwrap().contains(rule_word), "{}", field);
    }
    let mut extended = member_json(f.branch_a, "延长半年", 911);
    converted(&mut extended, "2017-01-01");
    assert_eq!(admin.post("/api/v1/members", &extended).await.status, StatusCode::CREATED);

    // A probationary member admitted 400 days ago is overdue; one admitted 100 days ago is not.
    let today = (chrono::Utc::now() + chrono::Duration::hours(8)).date_naive();
    let mut overdue = member_json(f.branch_a, "逾期预备", 912);
    overdue["status"] = json!("probationary");
    overdue["converted_on"] = json!(null);
    overdue["joined_on"] = json!((today - chrono::Duration::days(400)).to_string());
    let r = admin.post("/api/v1/members", &overdue).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["probation_overdue"], true);
    let ends = r.body["probation_ends"].as_str().unwrap().to_owned();
    assert!(ends < today.to_string(), "{ends}");
    let mut recent = overdue.clone();
    recent["name"] = json!("新预备");
    recent["id_number"] = member_json(f.branch_a, "x", 913)["id_number"].clone();
    recent["birth_date"] = member_json(f.branch_a, "x", 913)["birth_date"].clone();
    recent["joined_on"] = json!((today - chrono::Duration::days(100)).to_string());
    let r = admin.post("/api/v1/members", &recent).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    assert_eq!(r.body["probation_overdue"], false);
    assert!(r.body["probation_ends"].is_string());
    // Full members have no probation to show; the list carries the flag too.
    let list = admin.get(&format!("/api/v1/members?organization_id={}&limit=200", f.branch_a)).await;
    let mut flagged: Vec<&str> = list.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|m| m["probation_overdue"] == true)
        .map(|m| m["name"].as_str().unwrap())
        .collect();
    flagged.sort_unstable();
    // The fixture's probationary 甲3, admitted in 2012 and never converted, is overdue too.
    assert_eq!(flagged, vec!["甲3", "逾期预备"]);
}

/// A code outside its list, in a body or a query, is a 400 naming the field with the codes allowed
/// (in Chinese); an empty filter is no filter; the answer carries the codes unchanged.
async fn codes_outside_their_lists_are_refused_naming_the_field(app: TestApp) {
    let admin = app.login("admin").await;
    let f = &app.fixture;
    let listed = admin.get("/api/v1/members?status=honorary").await;
    assert_eq!(listed.status, StatusCode::BAD_REQUEST, "{}", listed.body);
    assert_eq!(listed.body["fields"][0]["field"], "status", "{}", listed.body);
    let message = listed.body["fields"][0]["message"].as_str().unwrap();
    assert!(message.starts_with("取值无效") && message.contains("`probationary`"), "{message}");
    let all = admin.get("/api/v1/members?status=").await;
    assert_eq!(all.status, StatusCode::OK, "{}", all.body);
    let full = admin.get("/api/v1/members?status=full").await;
    assert!(full.body["items"].as_array().unwrap().iter().all(|m| m["status"] == "full"), "{}", full.body);
    for (field, value) in [("gender", "unknown"), ("occupation", "astronaut"), ("status", "honorary")] {
        let mut body = member_json(f.branch_a, "王五", 77);
        body[field] = serde_json::json!(value);
        let r = admin.post("/api/v1/members", &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{field}: {}", r.body);
        assert_eq!(r.body["fields"][0]["field"], field, "{}", r.body);
    }
    let tree = admin.get("/api/v1/organizations").await;
    assert!(tree.body.as_array().unwrap().iter().any(|o| o["kind"] == "party_group" && o["status"] == "active"));
}
