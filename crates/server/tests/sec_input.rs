//! Integrity of what is written through the API, each run on SQLite and on PostgreSQL: concurrent
//! edits of one version, text with control characters, the documented limits of every input, and the
//! order of checks (permission before rules).

use dangwu_testkit::{Session, StatusCode, TestApp, member_json, on_both_engines};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_engines!(
    parallel_edits_of_one_version_keep_exactly_one,
    nul_and_control_characters_are_refused_at_the_edge,
    out_of_range_input_is_refused,
    every_input_limit_is_in_the_openapi_document,
    inspector_gets_403_before_any_rule,
);

/// How many parallel edits are sent at once.
const PARALLEL: usize = 8;

/// Sends `bodies` as PUTs to `path` all at once; returns the statuses.
async fn put_all(session: &Session, path: &str, bodies: Vec<Value>) -> Vec<StatusCode> {
    let tasks: Vec<_> = bodies
        .into_iter()
        .map(|body| {
            let (session, path) = (session.clone(), path.to_owned());
            tokio::spawn(async move { session.put(&path, &body).await.status })
        })
        .collect();
    let mut out = Vec::new();
    for t in tasks {
        out.push(t.await.expect("task"));
    }
    out
}

fn one_winner(statuses: &[StatusCode], what: &str) {
    let ok = statuses.iter().filter(|s| **s == StatusCode::OK).count();
    let conflict = statuses.iter().filter(|s| **s == StatusCode::CONFLICT).count();
    assert_eq!((ok, conflict), (1, statuses.len() - 1), "{what}: {statuses:?}");
}

async fn updates_in_audit(app: &TestApp, entity: &str, id: Uuid, action: &str) -> usize {
    app.db.entity_history(entity, id).await.unwrap().iter().filter(|r| r.action == action).count()
}

fn planned_meeting(org: Uuid, topic: &str) -> Value {
    json!({"organization_id": org, "kind": "theme_day", "status": "planned", "planned_on": "2099-06-01", "topic": topic})
}

async fn parallel_edits_of_one_version_keep_exactly_one(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;

    // Member: every edit names a different post, all claim version 1.
    let id = f.members_a[1];
    let m = admin.get(&format!("/api/v1/members/{id}?unmask=true")).await.body;
    let bodies = (0..PARALLEL)
        .map(|i| {
            let mut b = m.clone();
            b["post"] = json!(format!("岗位{i}"));
            b["version"] = json!(1);
            b
        })
        .collect();
    one_winner(&put_all(&admin, &format!("/api/v1/members/{id}"), bodies).await, "member");
    assert_eq!(updates_in_audit(&app, "member", id, "member.update").await, 1);
    let mut again = m.clone();
    again["version"] = json!(1);
    let stale = admin.put(&format!("/api/v1/members/{id}"), &again).await;
    assert_eq!(stale.status, StatusCode::CONFLICT);
    assert_eq!(stale.body["code"], "stale_version");
    assert!(stale.body["message"].as_str().unwrap().contains("已被他人修改"));

    // Organization.
    let org = admin.get(&format!("/api/v1/organizations/{}", f.branch_b)).await.body;
    let version = org["version"].clone();
    let bodies = (0..PARALLEL)
        .map(|i| {
            json!({"version": version, "name": format!("第二党支部{i}"), "kind": "branch",
                   "units": ["华夏测试公司"], "term_start": "2024-01-01", "term_end": "2026-12-31"})
        })
        .collect();
    one_winner(&put_all(&admin, &format!("/api/v1/organizations/{}", f.branch_b), bodies).await, "organization");
    assert_eq!(updates_in_audit(&app, "organization", f.branch_b, "organization.update").await, 1);

    // Meeting.
    let created = admin.post("/api/v1/meetings", &planned_meeting(f.branch_a, "主题党日")).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let mid = created.body["id"].as_str().unwrap().to_owned();
    let bodies = (0..PARALLEL)
        .map(|i| {
            let mut b = planned_meeting(f.branch_a, &format!("主题党日{i}"));
            b["version"] = json!(1);
            b
        })
        .collect();
    one_winner(&put_all(&admin, &format!("/api/v1/meetings/{mid}"), bodies).await, "meeting");
    assert_eq!(updates_in_audit(&app, "meeting", mid.parse().unwrap(), "meeting.update").await, 1);

    // Appraisal grades (the committee's proposal carries the appraisal's version).
    let appraisal = admin.post("/api/v1/appraisals", &json!({"organization_id": f.branch_a, "year": 2025})).await;
    assert_eq!(appraisal.status, StatusCode::CREATED, "{}", appraisal.body);
    let aid = appraisal.body["id"].as_str().unwrap().to_owned();
    let version = appraisal.body["version"].clone();
    let tasks: Vec<_> = (0..PARALLEL)
        .map(|_| {
            let (s, path) = (admin.clone(), format!("/api/v1/appraisals/{aid}/propose"));
            let body = json!({"version": version, "grades": [{"member_id": f.members_a[0], "grade": "qualified"}]});
            tokio::spawn(async move { s.post(&path, &body).await.status })
        })
        .collect();
    let mut statuses = Vec::new();
    for t in tasks {
        statuses.push(t.await.unwrap());
    }
    one_winner(&statuses, "appraisal");
    assert_eq!(updates_in_audit(&app, "appraisal", aid.parse().unwrap(), "appraisal.propose").await, 1);
}

/// Expects 400 naming `field`, with a Chinese message.
fn refused(reply: &dangwu_testkit::Reply, field: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}: {}", reply.body);
    let fields = reply.body["fields"].as_array().unwrap_or_else(|| panic!("no fields: {}", reply.body));
    assert!(fields.iter().any(|f| f["field"] == field), "{field} not named: {}", reply.body);
    let message = fields.iter().find(|f| f["field"] == field).unwrap()["message"].as_str().unwrap();
    assert!(message.chars().any(|c| ('\u{4e00}'..='\u{9fff}').contains(&c)), "not Chinese: {message}");
}

async fn nul_and_control_characters_are_refused_at_the_edge(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;
    let before = app.db.audit_count().await.unwrap();

    let mut body = member_json(f.branch_a, "张\u{0}三", 501);
    refused(&admin.post("/api/v1/members", &body).await, "name");
    body["name"] = json!("张\u{7}三");
    refused(&admin.post("/api/v1/members", &body).await, "name");
    body["name"] = json!("张三");
    body["work_unit"] = json!("华夏\u{1b}[31m公司");
    refused(&admin.post("/api/v1/members", &body).await, "work_unit");
    body["work_unit"] = json!("华夏\n公司");
    refused(&admin.post("/api/v1/members", &body).await, "work_unit");

    refused(&admin.get("/api/v1/members?q=%00").await, "q");
    refused(&admin.get("/api/v1/members?q=a%07b").await, "q");
    refused(&admin.get("/api/v1/meetings?kind=%00").await, "kind");
    refused(&admin.post("/api/v1/tokens", &json!({"name": "令牌\u{0}"})).await, "name");
    let anon = app.anonymous();
    refused(&anon.post("/api/v1/auth/login", &json!({"username": "ad\u{0}min", "password": "x"})).await, "username");
    // Nested fields are named by their path.
    let mut meeting = planned_meeting(f.branch_a, "主题党日");
    meeting["agenda"] = json!([{"title": "学习\u{0}"}]);
    refused(&admin.post("/api/v1/meetings", &meeting).await, "agenda[0].title");

    assert_eq!(app.db.audit_count().await.unwrap(), before, "nothing written");

    // Line breaks and tabs stay allowed where text runs over several lines.
    let mut meeting = planned_meeting(f.branch_a, "主题党日");
    meeting["minutes"] = json!("第一项\n\t学习文件\r\n第二项");
    let ok = admin.post("/api/v1/meetings", &meeting).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);
    assert_eq!(ok.body["minutes"], "第一项\n\t学习文件\r\n第二项");
}

fn held_meeting(org: Uuid, kind: &str) -> Value {
    json!({"organization_id": org, "kind": kind, "status": "held", "held_on": "2025-03-10",
           "place": "活动室", "chair": "书记", "recorder": "委员", "topic": "会议"})
}

async fn out_of_range_input_is_refused(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;
    let before = app.db.audit_count().await.unwrap();

    // JSON followed by anything but whitespace.
    let mut raw = serde_json::to_vec(&member_json(f.branch_a, "王五", 601)).unwrap();
    raw.extend_from_slice(b" {\"name\": \"x\"}");
    let r = admin.post_raw("/api/v1/members", "application/json", raw).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert_eq!(r.body["code"], "bad_json");

    let mut m = held_meeting(f.branch_a, "theme_day");
    m["start_time"] = json!("9".repeat(900_000));
    refused(&admin.post("/api/v1/meetings", &m).await, "start_time");
    let mut m = held_meeting(f.branch_a, "theme_day");
    m["attachments"] = json!((0..800).map(|i| format!("附件{i}.pdf")).collect::<Vec<_>>());
    refused(&admin.post("/api/v1/meetings", &m).await, "attachments");
    let mut m = held_meeting(f.branch_a, "theme_day");
    m["minutes"] = json!("字".repeat(50_001));
    refused(&admin.post("/api/v1/meetings", &m).await, "minutes");

    // Dates: year 0, year 99999, and beyond 2100.
    for (field, day) in [("planned_on", "0000-06-01"), ("planned_on", "+99999-01-01"), ("planned_on", "2101-01-01")] {
        let mut m = planned_meeting(f.branch_a, "计划");
        m[field] = json!(day);
        refused(&admin.post("/api/v1/meetings", &m).await, field);
    }
    let mut org = json!({"parent_id": f.committee, "name": "新支部", "kind": "branch", "term_start": "2024-01-01", "term_end": "99999-12-31"});
    let r = admin.post("/api/v1/organizations", &org).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    org["term_end"] = json!("2200-12-31");
    refused(&admin.post("/api/v1/organizations", &org).await, "term_end");
    let mut member = member_json(f.branch_a, "赵六", 602);
    member["converted_on"] = json!("1899-12-31");
    refused(&admin.post("/api/v1/members", &member).await, "converted_on");

    // Votes: above the limit, u32::MAX and negative.
    for (n, field) in
        [(100_001_i64, "votes[0].in_favour"), (4_294_967_295, "votes[0].in_favour"), (-1, "votes[0].in_favour")]
    {
        let mut m = held_meeting(f.branch_a, "general_meeting");
        m["attendees"] =
            json!(f.members_a.iter().map(|id| json!({"member_id": id, "status": "present"})).collect::<Vec<_>>());
        m["votes"] = json!([{"motion": "接收预备党员", "in_favour": n}]);
        refused(&admin.post("/api/v1/meetings", &m).await, field);
    }
    let entry_votes = admin.post("/api/v1/appraisals", &json!({"organization_id": f.branch_a, "year": 2025})).await;
    assert_eq!(entry_votes.status, StatusCode::CREATED, "{}", entry_votes.body);
    let aid = entry_votes.body["id"].as_str().unwrap().to_owned();
    let before_entries = app.db.audit_count().await.unwrap();
    let path = format!("/api/v1/appraisals/{aid}/entries/{}", f.members_a[0]);
    refused(&admin.put(&path, &json!({"version": 1, "votes_excellent": 4_294_967_295_u64})).await, "votes_excellent");
    refused(&admin.put(&path, &json!({"version": 1, "votes_basic": 100_001})).await, "votes_basic");
    assert_eq!(app.db.audit_count().await.unwrap(), before_entries);

    // A 组织生活会 issue can only name a member of the meeting's organization.
    let mut life = held_meeting(f.branch_a, "life_meeting");
    life["issues"] =
        json!([{"member_id": f.members_b[0], "raised_by": "本人", "problem": "学习不够", "measure": "加强学习"}]);
    let r = admin.post("/api/v1/meetings", &life).await;
    assert_eq!(r.status, StatusCode::BAD_REQUEST, "{}", r.body);
    assert!(r.body["fields"][0]["field"].as_str().unwrap().starts_with("issues"), "{}", r.body);
    life["issues"][0]["member_id"] = json!(f.members_a[1]);
    let ok = admin.post("/api/v1/meetings", &life).await;
    assert_eq!(ok.status, StatusCode::CREATED, "{}", ok.body);

    // Dues base: above 1,000,000.00 yuan, and i64::MAX.
    for base in [100_000_001_i64, i64::MAX] {
        let r = admin
            .post("/api/v1/calc/dues", &json!({"category": "employed", "month": "2025-03", "base_fen": base}))
            .await;
        refused(&r, "base_fen");
    }
    let r = admin
        .post(
            "/api/v1/calc/dues",
            &json!({"category": "irregular_income", "month": "2025-03", "quarter_income_fen": [1, 2, i64::MAX]}),
        )
        .await;
    refused(&r, "quarter_income_fen[2]");
    let ok = admin
        .post("/api/v1/calc/dues", &json!({"category": "employed", "month": "2025-03", "base_fen": 100_000_000}))
        .await;
    assert_eq!(ok.status, StatusCode::OK, "{}", ok.body);

    // Only the appraisal and the one good life meeting were written.
    assert_eq!(app.db.audit_count().await.unwrap(), before + 2);
}

/// Resolves `{"$ref": "#/components/schemas/X"}` against the document.
fn resolve<'a>(doc: &'a Value, schema: &'a Value) -> &'a Value {
    match schema["$ref"].as_str() {
        Some(r) => &doc["components"]["schemas"][r.trim_start_matches("#/components/schemas/")],
        None => schema,
    }
}

/// Every string of a request body has a maximum length (or a closed set of values or a format),
/// every array a maximum number of items, every integer bounds.
fn check_limits(doc: &Value, name: &str, schema: &Value, seen: &mut Vec<String>, problems: &mut Vec<String>) {
    if let Some(r) = schema["$ref"].as_str() {
        if seen.iter().any(|s| s == r) {
            return;
        }
        seen.push(r.to_owned());
        return check_limits(doc, name, resolve(doc, schema), seen, problems);
    }
    for key in ["allOf", "oneOf", "anyOf"] {
        for part in schema[key].as_array().into_iter().flatten() {
            check_limits(doc, name, part, seen, problems);
        }
    }
    let types: Vec<&str> = match &schema["type"] {
        Value::String(t) => vec![t.as_str()],
        Value::Array(ts) => ts.iter().filter_map(Value::as_str).collect(),
        _ => vec![],
    };
    if types.contains(&"string")
        && schema.get("enum").is_none()
        && schema.get("format").is_none()
        && schema.get("maxLength").is_none()
    {
        problems.push(format!("{name}: string without maxLength"));
    }
    if types.contains(&"integer") && (schema.get("maximum").is_none() || schema.get("minimum").is_none()) {
        problems.push(format!("{name}: integer without minimum and maximum"));
    }
    if types.contains(&"array") {
        if schema.get("maxItems").is_none() {
            problems.push(format!("{name}: array without maxItems"));
        }
        check_limits(doc, &format!("{name}[]"), &schema["items"], seen, problems);
    }
    if let Some(props) = schema["properties"].as_object() {
        for (field, s) in props {
            check_limits(doc, &format!("{name}.{field}"), s, seen, problems);
        }
    }
    if let Some(extra) = schema.get("additionalProperties").filter(|v| v.is_object()) {
        check_limits(doc, &format!("{name}{{}}"), extra, seen, problems);
    }
}

async fn every_input_limit_is_in_the_openapi_document(app: TestApp) {
    let doc = app.anonymous().get("/api/v1/openapi.json").await.body;
    let schemas = &doc["components"]["schemas"];
    let prop = |s: &str, p: &str| schemas[s]["properties"][p].clone();
    let all = |s: &str, p: &str| {
        // Flattened structs appear as allOf parts.
        let direct = prop(s, p);
        if !direct.is_null() {
            return direct;
        }
        schemas[s]["allOf"]
            .as_array()
            .into_iter()
            .flatten()
            .map(|part| resolve(&doc, part)["properties"][p].clone())
            .find(|v| !v.is_null())
            .unwrap_or(Value::Null)
    };
    assert_eq!(prop("MeetingFields", "start_time")["maxLength"], 20);
    assert_eq!(prop("MeetingFields", "attachments")["maxItems"], 50);
    assert_eq!(prop("MeetingFields", "minutes")["maxLength"], 50_000);
    assert_eq!(prop("VoteInput", "in_favour")["maximum"], 100_000);
    assert_eq!(prop("VoteInput", "against")["minimum"], 0);
    assert_eq!(prop("DuesInput", "base_fen")["maximum"], 100_000_000);
    assert_eq!(prop("MemberFields", "name")["maxLength"], 50);
    assert_eq!(prop("EntryFields", "votes_excellent")["maximum"], 100_000);
    assert!(all("UpdateMember", "version").is_object() || schemas["UpdateMember"].is_object());

    // Every request body, followed through its references.
    let mut problems = Vec::new();
    for (path, item) in doc["paths"].as_object().unwrap() {
        for (method, op) in item.as_object().unwrap() {
            let Some(schema) = op["requestBody"]["content"]["application/json"]["schema"].as_object() else { continue };
            let mut seen = Vec::new();
            check_limits(&doc, &format!("{method} {path}"), &Value::Object(schema.clone()), &mut seen, &mut problems);
        }
    }
    assert!(problems.is_empty(), "inputs without documented limits:\n{}", problems.join("\n"));
}

async fn inspector_gets_403_before_any_rule(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;
    let meeting = admin.post("/api/v1/meetings", &planned_meeting(f.branch_a, "主题党日")).await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{}", meeting.body);
    let mid = meeting.body["id"].as_str().unwrap().to_owned();
    let appraisal = admin.post("/api/v1/appraisals", &json!({"organization_id": f.branch_a, "year": 2025})).await;
    assert_eq!(appraisal.status, StatusCode::CREATED, "{}", appraisal.body);
    let aid = appraisal.body["id"].as_str().unwrap().to_owned();

    // Each write, with input of the right shape (within the documented limits, which are checked as
    // the body is read) that the rules would refuse: under 18 at joining, a stale version, a group
    // committee under a branch, a cycle, a future dissolution, a future appraisal year, grades for
    // strangers, a meeting kind the branch does not hold.
    let mut young = member_json(f.branch_a, "", 701);
    young["joined_on"] = json!("1995-01-01");
    young["id_number"] = json!("110105199003150000");
    let mut stale_member = young.clone();
    stale_member["version"] = json!(999);
    let bad_meeting = json!({"organization_id": f.branch_a, "kind": "party_committee", "status": "held",
        "held_on": "2099-01-01", "topic": "", "votes": [{"motion": "x", "in_favour": 99}]});
    let mut stale_meeting = bad_meeting.clone();
    stale_meeting["version"] = json!(999);
    let writes: Vec<(&str, String, Value)> = vec![
        ("POST", "/api/v1/members".into(), young),
        ("PUT", format!("/api/v1/members/{}", f.members_a[0]), stale_member),
        (
            "POST",
            "/api/v1/organizations".into(),
            json!({"parent_id": f.branch_a, "name": "", "kind": "group_committee"}),
        ),
        (
            "PUT",
            format!("/api/v1/organizations/{}", f.branch_a),
            json!({"version": 999, "name": "", "kind": "group_committee"}),
        ),
        ("POST", format!("/api/v1/organizations/{}/move", f.branch_a), json!({"parent_id": f.group_a})),
        (
            "POST",
            format!("/api/v1/organizations/{}/dissolve", f.branch_a),
            json!({"dissolved_on": "2099-01-01", "reason": ""}),
        ),
        ("POST", "/api/v1/meetings".into(), bad_meeting),
        ("PUT", format!("/api/v1/meetings/{mid}"), stale_meeting),
        ("POST", format!("/api/v1/organizations/{}/meeting-plan", f.branch_a), json!({"year": 2100, "month": 12})),
        ("POST", "/api/v1/appraisals".into(), json!({"organization_id": f.branch_a, "year": 2100})),
        (
            "PUT",
            format!("/api/v1/appraisals/{aid}/entries/{}", f.members_b[0]),
            json!({"version": 999, "self_text": "自评"}),
        ),
        (
            "POST",
            format!("/api/v1/appraisals/{aid}/propose"),
            // A grade outside the list is a malformed body (400 as it is read, like a wrong type);
            // the grade here is well formed, and the rules would refuse the stale version.
            json!({"version": 999, "grades": [{"member_id": f.members_b[0], "grade": "excellent"}]}),
        ),
        ("POST", format!("/api/v1/appraisals/{aid}/decide"), json!({"version": 999, "meeting_id": mid, "grades": []})),
    ];
    let inspector = app.login("inspector").await;
    let sysadmin = app.login("sysadmin").await;
    let before = app.db.audit_count().await.unwrap();
    for (method, path, body) in &writes {
        let r = match *method {
            "POST" => inspector.post(path, body).await,
            _ => inspector.put(path, body).await,
        };
        assert_eq!(r.status, StatusCode::FORBIDDEN, "inspector {method} {path}: {}", r.body);
        assert_eq!(r.body["code"], "forbidden");
    }
    // The security roles hold no domain role at all: the same answer.
    for (method, path, body) in &writes {
        let r = match *method {
            "POST" => sysadmin.post(path, body).await,
            _ => sysadmin.put(path, body).await,
        };
        assert_eq!(r.status, StatusCode::FORBIDDEN, "sysadmin {method} {path}: {}", r.body);
    }
    assert_eq!(app.db.audit_count().await.unwrap(), before, "nothing written");
}
