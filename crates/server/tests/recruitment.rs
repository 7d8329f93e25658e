//! Recruitment cases (发展党员) on SQLite and PostgreSQL: the 25 steps recorded one by one with the
//! rules judging each in its transaction (细则 第十三、十九、二十二条; 党章 第七条), admission entering a
//! probationary member, conversion making them full, extensions within 6–12 months and once, bad
//! input refused with nothing written, and cases outside the caller's organizations invisible.

use dangwu_testkit::{Reply, Session, StatusCode, TestApp, on_both_engines};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_engines!(
    whole_case_from_application_to_conversion,
    admission_conditions_are_enforced,
    probation_and_extensions,
    bad_input_writes_nothing,
    only_the_branch_and_those_above_see_a_case,
    parallel_writers_at_one_version_record_one_step,
);

fn open_body(org: Uuid, name: &str, seq: u32, application: &str) -> Value {
    let birth = chrono::NaiveDate::from_ymd_opt(1998, 5, 10).unwrap();
    json!({
        "organization_id": org, "name": name, "gender": "female", "birth_date": birth.to_string(),
        "id_number": dangwu_testkit::id_number(birth, false, seq), "phone": "13900001111",
        "person": {"ethnicity": "汉族", "education": "大学本科", "occupation": "professional",
                   "work_unit": "华夏测试公司", "post": "技术员"},
        "application_date": application,
        "documents": [{"name": "入党申请书", "done": true}],
    })
}

async fn open(s: &Session, org: Uuid, name: &str, seq: u32, application: &str) -> Value {
    let r = s.post("/api/v1/recruitment-cases", &open_body(org, name, seq, application)).await;
    assert_eq!(r.status, StatusCode::CREATED, "{}", r.body);
    r.body
}

fn id(case: &Value) -> String {
    case["id"].as_str().unwrap().to_owned()
}

/// Records a step on the case (its current version), with what the step needs; answers the reply.
async fn step(s: &Session, case: &Value, code: &str, date: &str, extra: Value) -> Reply {
    let mut body = json!({"version": case["version"], "step": code, "date": date});
    if let Value::Object(m) = extra {
        for (k, v) in m {
            body[k] = v;
        }
    }
    s.post(&format!("/api/v1/recruitment-cases/{}/steps", id(case)), &body).await
}

/// Records a step that must be accepted; answers the case after it.
async fn ok(s: &Session, case: &Value, code: &str, date: &str, extra: Value) -> Value {
    let r = step(s, case, code, date, extra).await;
    assert_eq!(r.status, StatusCode::OK, "{code} on {date}: {}", r.body);
    r.body
}

fn refused(r: &Reply, rule: &str, first_allowed: Option<&str>) {
    assert_eq!(r.status, StatusCode::CONFLICT, "{rule}: {}", r.body);
    assert_eq!(r.body["code"], "rule_violation", "{}", r.body);
    assert_eq!(r.body["rule"], rule, "{}", r.body);
    match first_allowed {
        Some(d) => assert_eq!(r.body["first_allowed"], d, "{}", r.body),
        None => assert!(r.body.get("first_allowed").is_none(), "{}", r.body),
    }
}

fn two(role: &str) -> Value {
    json!([{"role": role, "name": "张三"}, {"role": role, "name": "李四"}])
}

fn vote() -> Value {
    json!({"eligible": 20, "present": 15, "for": 14, "against": 1, "abstain": 0})
}

/// Steps 2–6 of a case whose application was on `app` … activist designated on `activist`.
async fn to_activist(s: &Session, mut c: Value, talk: &str, activist: &str) -> Value {
    c = ok(s, &c, "applicant_talk", talk, json!({"people": [{"role": "谈话人", "name": "王书记"}]})).await;
    c = ok(s, &c, "select_activist", activist, json!({})).await;
    c = ok(s, &c, "file_activist", activist, json!({})).await;
    c = ok(s, &c, "assign_mentors", activist, json!({"people": two("培养联系人")})).await;
    ok(s, &c, "cultivate_activist", activist, json!({})).await
}

/// Steps 7–14 from the designation as development target on `target`, training as given.
async fn to_pre_review(s: &Session, mut c: Value, target: &str, review: &str, training: Value, later: &str) -> Value {
    c = ok(s, &c, "designate_target", target, json!({})).await;
    c = ok(s, &c, "file_target", target, json!({})).await;
    c = ok(s, &c, "choose_sponsors", target, json!({"people": two("入党介绍人")})).await;
    c = ok(s, &c, "political_review", review, json!({})).await;
    c = ok(s, &c, "concentrated_training", review, json!({"training": training})).await;
    c = ok(s, &c, "committee_review", later, json!({})).await;
    c = ok(s, &c, "pre_review", later, json!({})).await;
    ok(s, &c, "fill_application_form", later, json!({})).await
}

async fn admitted(s: &Session, org: Uuid, name: &str, seq: u32) -> Value {
    let c = open(s, org, name, seq, "2023-03-01").await;
    let c = to_activist(s, c, "2023-03-20", "2023-09-05").await;
    let c = to_pre_review(s, c, "2024-09-20", "2024-10-10", json!({"days": 3, "hours": 24}), "2024-11-15").await;
    let c = ok(s, &c, "admission_meeting", "2024-12-01", json!({"vote": vote()})).await;
    let c = ok(s, &c, "committee_talk", "2024-12-10", json!({})).await;
    ok(s, &c, "admission_approval", "2025-01-15", json!({})).await
}

async fn whole_case_from_application_to_conversion(app: TestApp) {
    let s = app.login("sec_a").await;
    let org = app.fixture.branch_a;
    let c = open(&s, org, "赵申请", 1, "2023-03-01").await;
    assert_eq!(c["stage"], "applicant");
    assert_eq!(c["next"], "applicant_talk");
    assert_eq!(c["id_number"].as_str().unwrap().chars().filter(|ch| *ch == '*').count(), 16, "masked: {c}");
    let c = to_activist(&s, c, "2023-03-20", "2023-09-05").await;
    assert_eq!(c["stage"], "activist");
    let c = to_pre_review(&s, c, "2024-09-20", "2024-10-10", json!({"days": 3, "hours": 24}), "2024-11-15").await;
    assert_eq!(c["stage"], "development_target");
    let c = ok(&s, &c, "admission_meeting", "2024-12-01", json!({"vote": vote()})).await;
    // 党章 第七条: the probation runs one year from the 支部大会 that admitted.
    assert_eq!(c["assessment"]["probation_ends"], "2025-12-01", "{}", c["assessment"]);
    let c = ok(&s, &c, "committee_talk", "2024-12-10", json!({})).await;
    let c = ok(&s, &c, "admission_approval", "2025-01-15", json!({})).await;
    assert_eq!(c["stage"], "probationary");
    let member = c["member_id"].as_str().expect("a member on admission").to_owned();
    let m = s.get(&format!("/api/v1/members/{member}")).await;
    assert_eq!(m.status, StatusCode::OK, "{}", m.body);
    assert_eq!(m.body["status"], "probationary");
    assert_eq!(m.body["joined_on"], "2024-12-01");
    assert_eq!(m.body["organization_id"], org.to_string());
    let mut c = c;
    for (code, date) in [
        ("file_admission", "2025-01-20"),
        ("assign_to_branch", "2025-01-20"),
        ("oath", "2025-02-10"),
        ("continued_assessment", "2025-03-01"),
        ("conversion_application", "2025-11-10"),
    ] {
        c = ok(&s, &c, code, date, json!({})).await;
    }
    // Before the probation ends the meeting cannot convert.
    let early = step(&s, &c, "conversion_meeting", "2025-11-20", json!({"vote": vote()})).await;
    refused(&early, "recruit.probation_years", Some("2025-12-01"));
    let c = ok(&s, &c, "conversion_meeting", "2025-12-05", json!({"vote": vote()})).await;
    let c = ok(&s, &c, "conversion_approval", "2026-01-10", json!({"notice_start": "2025-12-15"})).await;
    assert_eq!(c["status"], "converted");
    assert_eq!(c["stage"], "full");
    let m = s.get(&format!("/api/v1/members/{member}")).await;
    assert_eq!(m.body["status"], "full", "{}", m.body);
    assert_eq!(m.body["converted_on"], "2025-12-01", "{}", m.body);
    let c = ok(&s, &c, "archive", "2026-02-01", json!({})).await;
    assert_eq!(c["records"].as_array().unwrap().len(), 25);
    assert!(c["next"].is_null(), "{}", c["next"]);
    let again = step(&s, &c, "archive", "2026-02-02", json!({})).await;
    assert_eq!(again.status, StatusCode::CONFLICT, "{}", again.body);

    // The list of the branch shows it among the full members; the history holds every step.
    let list = s.get(&format!("/api/v1/recruitment-cases?organization_id={org}&stage=full")).await;
    assert_eq!(list.status, StatusCode::OK, "{}", list.body);
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{}", list.body);
    // The Excel list holds the same row, the ID number masked.
    let xlsx = s.get(&format!("/api/v1/recruitment-cases/export.xlsx?organization_id={org}&stage=full")).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let sheet = dangwu_reports::read_rows(&xlsx.bytes).expect("an Excel file");
    let row = sheet.iter().find(|r| r.first().is_some_and(|n| n == "赵申请")).expect("the case in the sheet");
    assert!(row[3].contains("****************"), "{row:?}");
    assert_eq!(row[5], "正式党员");
}

async fn admission_conditions_are_enforced(app: TestApp) {
    let s = app.login("sec_a").await;
    let org = app.fixture.branch_a;

    // 细则 第十三条: a year as activist before becoming a development target.
    let c = open(&s, org, "钱一年", 2, "2023-06-01").await;
    let c = to_activist(&s, c, "2023-06-20", "2024-03-01").await;
    let early = step(&s, &c, "designate_target", "2025-01-10", json!({})).await;
    refused(&early, "recruit.activist_min_years", Some("2025-03-01"));
    let after = s.get(&format!("/api/v1/recruitment-cases/{}", id(&c))).await.body;
    assert_eq!(after["version"], c["version"], "a refused step writes nothing");
    assert_eq!(after["records"].as_array().unwrap().len(), 6);
    // Steps are taken in order: the admission cannot be recorded before the steps that lead to it.
    let skip = step(&s, &c, "admission_meeting", "2025-06-01", json!({"vote": vote()})).await;
    refused(&skip, "recruit.step_order", None);
    ok(&s, &c, "designate_target", "2025-03-01", json!({})).await;

    // 细则 第十九条: not admitted without the training (3 days or 24 hours).
    let c = open(&s, org, "孙培训", 3, "2023-03-01").await;
    let c = to_activist(&s, c, "2023-03-20", "2023-09-05").await;
    let c = ok(&s, &c, "designate_target", "2024-09-20", json!({})).await;
    let c = ok(&s, &c, "file_target", "2024-09-20", json!({})).await;
    let c = ok(&s, &c, "choose_sponsors", "2024-09-20", json!({"people": two("入党介绍人")})).await;
    let c = ok(&s, &c, "political_review", "2024-10-10", json!({})).await;
    let c = ok(&s, &c, "concentrated_training", "2024-10-10", json!({"training": {"days": 2, "hours": 16}})).await;
    let blocked = step(&s, &c, "committee_review", "2024-11-15", json!({})).await;
    refused(&blocked, "recruit.training_min_days", None);

    // 细则 第二十二条: the political review is valid one year at the admission meeting.
    let c = open(&s, org, "李政审", 4, "2021-01-04").await;
    let c = to_activist(&s, c, "2021-01-20", "2021-07-10").await;
    let c = to_pre_review(&s, c, "2022-07-20", "2022-08-01", json!({"days": 3, "hours": 24}), "2022-09-10").await;
    let stale = step(&s, &c, "admission_meeting", "2023-08-15", json!({"vote": vote()})).await;
    refused(&stale, "recruit.political_review_valid_years", None);

    // The 支部大会's majority: more than half of the 20 who should attend.
    let short = step(
        &s,
        &c,
        "admission_meeting",
        "2023-07-20",
        json!({"vote": {"eligible": 20, "present": 15, "for": 10, "against": 5, "abstain": 0}}),
    )
    .await;
    refused(&short, "orglife.general_meeting.majority", None);
    ok(&s, &c, "admission_meeting", "2023-07-20", json!({"vote": vote()})).await;

    // Under 18 on the application day (党章 第一条): refused with the 18th birthday.
    let mut young = open_body(org, "周年少", 5, "2016-05-01");
    young["birth_date"] = json!("1998-05-10");
    let r = s.post("/api/v1/recruitment-cases", &young).await;
    refused(&r, "member.min_age", Some("2016-05-10"));
}

async fn probation_and_extensions(app: TestApp) {
    let s = app.login("sec_a").await;
    let c = admitted(&s, app.fixture.branch_a, "吴延长", 6).await;
    let url = format!("/api/v1/recruitment-cases/{}/steps", id(&c));
    let extend = |c: &Value, months: u32| {
        json!({"version": c["version"], "kind": "extension", "date": "2025-11-20", "approved_on": "2025-12-01",
               "months": months, "reason": "需要继续考察"})
    };
    // 细则 第三十二条: at least six months…
    refused(&s.post(&url, &extend(&c, 5)).await, "recruit.extension_min_months", None);
    // 党章 第七条: …at most a year.
    refused(&s.post(&url, &extend(&c, 13)).await, "recruit.extension_max_months", None);
    let r = s.post(&url, &extend(&c, 6)).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    assert_eq!(r.body["assessment"]["probation_ends"], "2026-06-01", "{}", r.body["assessment"]);
    // …and once.
    refused(&s.post(&url, &extend(&r.body, 6)).await, "recruit.extension_max_count", None);
    let after = s.get(&format!("/api/v1/recruitment-cases/{}", id(&c))).await.body;
    assert_eq!(after["records"].as_array().unwrap().iter().filter(|r| r["kind"] == "extension").count(), 1);

    // A case not yet admitted may be ended; an admitted one is not ended here.
    let cancel =
        json!({"version": after["version"], "kind": "cancellation", "date": "2025-12-01", "reason": "本人撤回"});
    assert_eq!(s.post(&url, &cancel).await.status, StatusCode::CONFLICT);
    let other = open(&s, app.fixture.branch_a, "郑撤回", 7, "2025-03-01").await;
    let ended = s
        .post(
            &format!("/api/v1/recruitment-cases/{}/steps", id(&other)),
            &json!({"version": other["version"], "kind": "cancellation", "date": "2025-04-01", "reason": "本人撤回申请"}),
        )
        .await;
    assert_eq!(ended.status, StatusCode::OK, "{}", ended.body);
    assert_eq!(ended.body["status"], "cancelled");
    assert!(ended.body["next"].is_null());
    let more = step(&s, &ended.body, "applicant_talk", "2025-04-02", json!({})).await;
    assert_eq!(more.status, StatusCode::CONFLICT, "{}", more.body);
}

async fn bad_input_writes_nothing(app: TestApp) {
    let s = app.login("sec_a").await;
    let org = app.fixture.branch_a;
    let c = open(&s, org, "冯输入", 8, "2025-01-06").await;
    let url = format!("/api/v1/recruitment-cases/{}", id(&c));
    let future = (app.state.today() + chrono::Duration::days(1)).to_string();
    let huge = "长".repeat(6000);
    for (what, extra) in [
        ("unknown step", json!({"step": "no_such_step"})),
        ("future date", json!({"date": future})),
        ("NUL byte", json!({"notes": "a\u{0}b"})),
        ("huge notes", json!({"notes": huge})),
        ("empty person", json!({"people": [{"role": "谈话人", "name": "  "}]})),
        ("stale version", json!({"version": 99})),
        ("before the previous step", json!({"date": "2025-01-01"})),
    ] {
        let mut body = json!({"version": c["version"], "step": "applicant_talk", "date": "2025-01-20"});
        for (k, v) in extra.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = s.post(&format!("{url}/steps"), &body).await;
        let want = if what == "stale version" { StatusCode::CONFLICT } else { StatusCode::BAD_REQUEST };
        assert_eq!(r.status, want, "{what}: {}", r.body);
        let after = s.get(&url).await.body;
        assert_eq!(after["version"], c["version"], "{what}: nothing written");
        assert_eq!(after["records"].as_array().unwrap().len(), 1, "{what}");
    }
    let list =
        move |s: Session| async move { s.get(&format!("/api/v1/recruitment-cases?organization_id={org}")).await };
    let before = list(s.clone()).await.body.as_array().unwrap().len();
    for (what, change) in [
        ("bad ID number", json!({"id_number": "110105199805100000"})),
        ("future application", json!({"application_date": future})),
        ("NUL in name", json!({"name": "冯\u{0}"})),
        ("huge name", json!({"name": "长".repeat(300)})),
        (
            "unknown education",
            json!({"person": {"ethnicity": "汉族", "education": "博士后", "occupation": "worker", "work_unit": "华夏"}}),
        ),
    ] {
        let mut body = open_body(org, "冯新", 9, "2025-01-06");
        for (k, v) in change.as_object().unwrap() {
            body[k] = v.clone();
        }
        let r = s.post("/api/v1/recruitment-cases", &body).await;
        assert_eq!(r.status, StatusCode::BAD_REQUEST, "{what}: {}", r.body);
    }
    assert_eq!(list(s.clone()).await.body.as_array().unwrap().len(), before, "no case opened");
    // A party group does not receive applications.
    let r = s.post("/api/v1/recruitment-cases", &open_body(app.fixture.group_a, "冯小组", 10, "2025-01-06")).await;
    assert_eq!(r.status, StatusCode::CONFLICT, "{}", r.body);
}

async fn only_the_branch_and_those_above_see_a_case(app: TestApp) {
    let a = app.login("sec_a").await;
    let c = open(&a, app.fixture.branch_a, "陈可见", 11, "2025-01-06").await;
    let url = format!("/api/v1/recruitment-cases/{}", id(&c));
    let b = app.login("sec_b").await;
    assert_eq!(b.get(&url).await.status, StatusCode::NOT_FOUND);
    let r = step(&b, &c, "applicant_talk", "2025-01-20", json!({})).await;
    assert_eq!(r.status, StatusCode::NOT_FOUND, "{}", r.body);
    let listed = b.get(&format!("/api/v1/recruitment-cases?organization_id={}", app.fixture.branch_a)).await;
    assert_eq!(listed.body.as_array().map(Vec::len), Some(0), "{}", listed.body);
    let opened =
        b.post("/api/v1/recruitment-cases", &open_body(app.fixture.branch_a, "陈越权", 12, "2025-01-06")).await;
    assert!(matches!(opened.status.as_u16(), 403 | 404), "{}", opened.body);
    // The group's inspector reads, and may not write; a member sees nothing of others' cases.
    let inspector = app.login("inspector").await;
    assert_eq!(inspector.get(&url).await.status, StatusCode::OK);
    assert_eq!(step(&inspector, &c, "applicant_talk", "2025-01-20", json!({})).await.status, StatusCode::FORBIDDEN);
    let member = app.login("member_a").await;
    assert_eq!(member.get(&url).await.status, StatusCode::NOT_FOUND);
    assert_eq!(member.get("/api/v1/recruitment-cases").await.body.as_array().map(Vec::len), Some(0));
    // The committee's admin sees it in the subtree list and records the next step.
    let admin = app.login("admin").await;
    let list = admin.get(&format!("/api/v1/recruitment-cases?organization_id={}", app.fixture.group)).await;
    assert_eq!(list.body.as_array().unwrap().len(), 1, "{}", list.body);
    ok(&admin, &c, "applicant_talk", "2025-01-20", json!({})).await;
}

/// The demo holds a case at every stage, two of them past a deadline, each recorded through the use
/// case (a step the rules refuse would have stopped the load).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_has_cases_at_every_stage() {
    let dir = std::env::temp_dir().join(format!("dangwu-demo-rec-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dangwu_store::Db::connect(&format!("sqlite://{}", dir.join("demo.db").display())).await.unwrap();
    db.migrate().await.unwrap();
    let rules = dangwu_rules::RuleBook::builtin().unwrap();
    let now = chrono::Utc::now();
    dangwu_server::demo::load(&db, &rules, "Demo-pass-2026", now, chrono_tz::Asia::Shanghai).await.unwrap();
    let today = now.with_timezone(&chrono_tz::Asia::Shanghai).date_naive();
    let rows: Vec<(String, String, Option<chrono::NaiveDate>, Option<Uuid>)> = db
        .fetch_all(dangwu_store::q("SELECT stage, status, next_deadline, member_id FROM recruitment_cases"))
        .await
        .unwrap();
    for stage in ["applicant", "activist", "development_target", "probationary", "full"] {
        assert!(rows.iter().any(|r| r.0 == stage), "no demo case at {stage}: {rows:?}");
    }
    assert_eq!(rows.iter().filter(|r| r.2.is_some_and(|d| d < today)).count(), 2, "{rows:?}");
    assert!(rows.iter().any(|r| r.1 == "converted" && r.3.is_some()), "{rows:?}");
    std::fs::remove_dir_all(&dir).ok();
}

/// Eight writers record the same case at the same version at once: the write is conditional on the
/// version in SQL, so exactly one is recorded and the others are refused as stale — on PostgreSQL
/// too, where a read-then-write would let several through. On admission that means one member.
async fn parallel_writers_at_one_version_record_one_step(app: TestApp) {
    let s = app.login("sec_a").await;
    let org = app.fixture.branch_a;
    let c = open(&s, org, "韩并发", 11, "2023-03-01").await;
    let url = format!("/api/v1/recruitment-cases/{}", id(&c));
    let race = |c: Value, code: &'static str, date: &'static str, extra: Value| {
        let s = s.clone();
        async move {
            let writers: Vec<_> = (0..8)
                .map(|_| {
                    let (s, c, extra) = (s.clone(), c.clone(), extra.clone());
                    tokio::spawn(async move { step(&s, &c, code, date, extra).await })
                })
                .collect();
            let mut statuses = Vec::new();
            for w in writers {
                statuses.push(w.await.unwrap().status);
            }
            statuses
        }
    };
    let statuses = race(c.clone(), "applicant_talk", "2023-03-20", json!({})).await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert!(statuses.iter().all(|s| matches!(*s, StatusCode::OK | StatusCode::CONFLICT)), "{statuses:?}");
    let after = s.get(&url).await.body;
    assert_eq!(after["version"].as_i64(), c["version"].as_i64().map(|v| v + 1), "{after}");
    assert_eq!(after["records"].as_array().unwrap().len(), 2, "the application and one talk: {after}");

    // Up to admission, then eight approvals at once: one probationary member.
    let c = ok(&s, &after, "select_activist", "2023-09-05", json!({})).await;
    let c = ok(&s, &c, "file_activist", "2023-09-05", json!({})).await;
    let c = ok(&s, &c, "assign_mentors", "2023-09-05", json!({"people": two("培养联系人")})).await;
    let c = ok(&s, &c, "cultivate_activist", "2023-09-05", json!({})).await;
    let c = to_pre_review(&s, c, "2024-09-20", "2024-10-10", json!({"days": 3, "hours": 24}), "2024-11-15").await;
    let c = ok(&s, &c, "admission_meeting", "2024-12-01", json!({"vote": vote()})).await;
    let c = ok(&s, &c, "committee_talk", "2024-12-10", json!({})).await;
    let members_before = members_named(&s, org, "韩并发").await;
    let statuses = race(c.clone(), "admission_approval", "2025-01-15", json!({})).await;
    assert_eq!(statuses.iter().filter(|s| **s == StatusCode::OK).count(), 1, "{statuses:?}");
    assert_eq!(members_named(&s, org, "韩并发").await, members_before + 1, "one member on admission");
}

async fn members_named(s: &Session, org: Uuid, name: &str) -> usize {
    let r = s.get(&format!("/api/v1/members?organization_id={org}&q={}&limit=100", urlencode(name))).await;
    assert_eq!(r.status, StatusCode::OK, "{}", r.body);
    r.body["items"].as_array().map(Vec::len).unwrap_or_else(|| panic!("no items: {}", r.body))
}

fn urlencode(text: &str) -> String {
    text.bytes().map(|b| format!("%{b:02X}")).collect()
}
