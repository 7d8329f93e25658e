//! Personal data as the roles below the organization department see it, on SQLite and PostgreSQL:
//! masked ID numbers and phones cannot be rebuilt from anything shown together with them; a member
//! reads nothing of other members; a member link alone gives no access; every export is audited.

use std::collections::BTreeMap;

use chrono::{NaiveDate, Utc};
use dangwu_store::Actor;
use dangwu_store::accounts::NewUser;
use dangwu_testkit::{PASSWORD, Session, StatusCode, TestApp, on_both_engines};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_engines!(
    masked_id_numbers_and_phones_cannot_be_rebuilt,
    a_member_reads_only_themself_under_their_organization,
    a_member_link_without_a_grant_gives_no_access,
    exports_and_meeting_records_are_audited,
);

/// What one member's masked ID number and phone look like wherever the inspector can see them.
#[derive(Default, Debug)]
struct Seen {
    birth_date: Option<String>,
    gender: Option<String>,
    ids: Vec<String>,
    phones: Vec<String>,
}

/// The ID numbers consistent with everything seen: the attacker is even granted the true region
/// code (it may be guessed from the work unit), so only the sequence is left to find.
fn candidates(region: &str, seen: &Seen, masks: &[String]) -> Vec<String> {
    let birth = NaiveDate::parse_from_str(seen.birth_date.as_deref().unwrap(), "%Y-%m-%d").unwrap();
    let male = seen.gender.as_deref() == Some("male");
    (0..1000)
        .filter(|seq| (seq % 2 == 1) == male)
        .map(|seq| {
            let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
            format!("{body}{}", dangwu_rules::idcard::check_char(&body).unwrap())
        })
        .filter(|c| masks.iter().all(|m| fits(c, m)))
        .collect()
}

/// Whether `value` agrees with the visible characters of `masked`.
fn fits(value: &str, masked: &str) -> bool {
    value.chars().count() == masked.chars().count()
        && value.chars().zip(masked.chars()).all(|(v, m)| m == '*' || v == m)
}

async fn update_id_and_phone(admin: &Session, id: Uuid) -> (String, String) {
    let full = admin.get(&format!("/api/v1/members/{id}?unmask=true")).await;
    assert_eq!(full.status, StatusCode::OK);
    let m = full.body;
    let birth = NaiveDate::parse_from_str(m["birth_date"].as_str().unwrap(), "%Y-%m-%d").unwrap();
    let new_id = dangwu_testkit::id_number(birth, m["gender"] == "male", 77);
    let body = json!({
        "version": m["version"], "name": m["name"], "gender": m["gender"], "ethnicity": m["ethnicity"],
        "birth_date": m["birth_date"], "id_number": new_id, "education": m["education"],
        "occupation": m["occupation"], "work_unit": m["work_unit"], "post": m["post"], "phone": "13712345678",
        "joined_on": m["joined_on"], "converted_on": m["converted_on"], "status": m["status"],
        "organization_id": m["organization_id"],
    });
    let put = admin.put(&format!("/api/v1/members/{id}"), &body).await;
    assert_eq!(put.status, StatusCode::OK, "{}", put.body);
    (m["id_number"].as_str().unwrap().to_owned(), m["phone"].as_str().unwrap().to_owned())
}

// Issue #8, defect 3: as the inspector, try to rebuild every member's ID number and phone from the
// list, the detail, the history and the Excel export, and from the search by whole number.
async fn masked_id_numbers_and_phones_cannot_be_rebuilt(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    // One member's number and phone changed, so that their history holds two of each.
    let (old_id, old_phone) = update_id_and_phone(&admin, f.members_a[1]).await;

    let mut truth: BTreeMap<String, (Vec<String>, Vec<String>)> = BTreeMap::new();
    for id in f.members_a.iter().chain(&f.members_b) {
        let m = admin.get(&format!("/api/v1/members/{id}?unmask=true")).await.body;
        let entry = truth.entry(id.to_string()).or_default();
        entry.0.push(m["id_number"].as_str().unwrap().to_owned());
        entry.1.push(m["phone"].as_str().unwrap().to_owned());
    }
    let changed = truth.get_mut(&f.members_a[1].to_string()).unwrap();
    changed.0.push(old_id);
    changed.1.push(old_phone);

    let insp = app.login("inspector").await;
    let mut seen: BTreeMap<String, Seen> = BTreeMap::new();
    let list = insp.get("/api/v1/members?limit=200").await;
    assert_eq!(list.status, StatusCode::OK);
    let mut names = BTreeMap::new();
    for m in list.body["items"].as_array().unwrap() {
        let s = seen.entry(m["id"].as_str().unwrap().to_owned()).or_default();
        s.birth_date = m["birth_date"].as_str().map(str::to_owned);
        s.gender = m["gender"].as_str().map(str::to_owned);
        s.ids.push(m["id_number"].as_str().unwrap().to_owned());
        s.phones.push(m["phone"].as_str().unwrap().to_owned());
        names.insert(m["name"].as_str().unwrap().to_owned(), m["id"].as_str().unwrap().to_owned());
    }
    for id in truth.keys() {
        let detail = insp.get(&format!("/api/v1/members/{id}")).await;
        assert_eq!(detail.status, StatusCode::OK);
        let history = insp.get(&format!("/api/v1/members/{id}/history")).await;
        assert_eq!(history.status, StatusCode::OK);
        let s = seen.get_mut(id).expect("listed");
        s.ids.push(detail.body["id_number"].as_str().unwrap().to_owned());
        s.phones.push(detail.body["phone"].as_str().unwrap().to_owned());
        for change in history.body.as_array().unwrap() {
            for field in change["changes"].as_array().unwrap() {
                let target = match field["field"].as_str().unwrap() {
                    "id_number" => &mut s.ids,
                    "phone" => &mut s.phones,
                    _ => continue,
                };
                for v in [&field["before"], &field["after"]] {
                    if let Some(v) = v.as_str().filter(|v| !v.is_empty()) {
                        target.push(v.to_owned());
                    }
                }
            }
        }
    }
    let export = insp.get("/api/v1/members/export.xlsx").await;
    assert_eq!(export.status, StatusCode::OK);
    let rows = dangwu_reports::read_rows(&export.bytes).unwrap();
    for row in &rows[1..] {
        let s = seen.get_mut(&names[&row[2]]).expect("exported member listed");
        s.ids.push(row[7].clone());
        s.phones.push(row[8].clone());
    }

    for (id, (numbers, phones)) in &truth {
        let s = &seen[id];
        for number in numbers {
            // Every masked form of this number (the history's may belong to the other number).
            let masks: Vec<String> = s.ids.iter().filter(|m| fits(number, m)).cloned().collect();
            assert!(!masks.is_empty(), "{number} never shown, even masked");
            assert!(masks.iter().all(|m| m.contains('*')), "an unmasked ID number shown to the inspector: {masks:?}");
            let found = candidates(&number[..6], s, &masks);
            assert!(found.contains(number), "the true number is among the candidates");
            assert!(found.len() >= 20, "ID number {number} narrowed to {} candidates from {masks:?}", found.len());
            let shown = masks[0].chars().filter(|c| *c != '*').count();
            assert!(shown <= 2, "at most two characters of an ID number shown: {}", masks[0]);
            let search = insp.get(&format!("/api/v1/members?q={number}")).await;
            assert_eq!(search.body["total"], 0, "a search by whole ID number confirms a guess");
        }
        for phone in phones {
            let masks: Vec<&String> = s.phones.iter().filter(|m| fits(phone, m)).collect();
            assert!(!masks.is_empty(), "{phone} never shown, even masked");
            // Digits hidden in every view: at least six, a million possibilities.
            let hidden = (0..phone.len()).filter(|&i| masks.iter().all(|m| m.as_bytes()[i] == b'*')).count();
            assert!(hidden >= 6, "phone {phone} shown as {masks:?}");
            let search = insp.get(&format!("/api/v1/members?q={phone}")).await;
            assert_eq!(search.body["total"], 0, "a search by whole phone number confirms a guess");
        }
    }
    // Those who may see the full numbers still find members by them.
    let (number, phone) = (&truth[&f.members_b[0].to_string()].0[0], &truth[&f.members_b[0].to_string()].1[0]);
    assert_eq!(admin.get(&format!("/api/v1/members?q={number}")).await.body["total"], 1);
    assert_eq!(admin.get(&format!("/api/v1/members?q={phone}")).await.body["total"], 1);
    let sec_a = app.login("sec_a").await;
    assert_eq!(sec_a.get(&format!("/api/v1/members?q={number}")).await.body["total"], 0, "not in their branch");
}

fn held(org: Uuid, day: &str, present: &[Uuid], absent: &[Uuid]) -> Value {
    let mut attendees: Vec<Value> = present.iter().map(|id| json!({"member_id": id, "status": "present"})).collect();
    attendees.extend(absent.iter().map(|id| json!({"member_id": id, "status": "absent"})));
    json!({"organization_id": org, "kind": "theme_day", "status": "held", "held_on": day, "topic": "学习贯彻会议精神",
           "place": "党员活动室", "chair": "书记", "recorder": "组织委员", "attendees": attendees,
           "agenda": [{"title": "传达学习上级精神", "first_topic": true}]})
}

/// The routes under one organization that list its members or its work, and the meeting routes.
fn org_routes(org: Uuid) -> Vec<String> {
    [
        "expected-attendees",
        "compliance?year=2026",
        "compliance-rollup?year=2026",
        "compliance-rollup.xlsx?year=2026",
        "meetings-ledger.xlsx?year=2026",
        "life-issues",
        "appraisal-stats?year=2026",
        "history",
    ]
    .iter()
    .map(|r| format!("/api/v1/organizations/{org}/{r}"))
    .collect()
}

// Issue #8, defect 5: the member reads their own participation only, and no roster of their branch.
async fn a_member_reads_only_themself_under_their_organization(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let meeting =
        admin.post("/api/v1/meetings", &held(f.branch_a, "2026-01-15", &f.members_a[..2], &f.members_a[2..])).await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{}", meeting.body);
    let meeting = meeting.body["id"].as_str().unwrap().to_owned();

    let me = app.login("member_a").await;
    let p = me.get(&format!("/api/v1/organizations/{}/participation?year=2026", f.branch_a)).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    let rows = p.body.as_array().unwrap();
    assert_eq!(rows.len(), 1, "only their own attendance: {}", p.body);
    assert_eq!(rows[0]["member_id"], f.members_a[0].to_string());
    assert_eq!(rows[0]["present"], 1);
    for path in org_routes(f.branch_a) {
        assert_eq!(me.get(&path).await.status, StatusCode::FORBIDDEN, "{path}");
    }
    for path in
        org_routes(f.branch_b).into_iter().chain([format!("/api/v1/organizations/{}/participation", f.branch_b)])
    {
        assert_eq!(me.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    // Their organization itself stays visible: its name and place in the tree.
    assert_eq!(me.get(&format!("/api/v1/organizations/{}", f.branch_a)).await.status, StatusCode::OK);
    assert_eq!(me.get("/api/v1/meetings").await.body["items"].as_array().map_or(0, Vec::len), 0);
    assert_eq!(me.get(&format!("/api/v1/meetings/{meeting}")).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get(&format!("/api/v1/meetings/{meeting}/record.pdf")).await.status, StatusCode::NOT_FOUND);
    let export = me.get("/api/v1/members/export.xlsx").await;
    assert_eq!(dangwu_reports::read_rows(&export.bytes).unwrap().len(), 2, "header and themself");
    // Those with a role on the branch still see everyone.
    let sec = app.login("sec_a").await;
    let all = sec.get(&format!("/api/v1/organizations/{}/participation?year=2026", f.branch_a)).await;
    assert_eq!(all.body.as_array().unwrap().len(), 4);
    assert_eq!(
        sec.get(&format!("/api/v1/organizations/{}/expected-attendees", f.branch_a)).await.status,
        StatusCode::OK
    );
}

// Issue #8, defect 6: an account linked to a member, with no grant, reads nothing but its session.
async fn a_member_link_without_a_grant_gives_no_access(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let meeting = admin.post("/api/v1/meetings", &held(f.branch_b, "2026-01-20", &f.members_b, &[])).await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{}", meeting.body);
    let actor = Actor { user_id: Uuid::nil(), name: "sysadmin".into(), ip: None };
    let hash = dangwu_server::auth::hash_password(PASSWORD).unwrap();
    let linked = app
        .db
        .create_user(
            &actor,
            &NewUser {
                username: "linked_b",
                display_name: "乙11",
                password_hash: &hash,
                member_id: Some(f.members_b[1]),
                system_role: None,
            },
            Utc::now(),
        )
        .await
        .unwrap();
    let me = app.login("linked_b").await;
    let who = me.get("/api/v1/me").await;
    assert_eq!(who.status, StatusCode::OK);
    assert_eq!(who.body["member_id"], f.members_b[1].to_string());
    assert_eq!(me.get("/api/v1/members").await.body["total"], 0);
    assert_eq!(me.get(&format!("/api/v1/members/{}", f.members_b[1])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get(&format!("/api/v1/members/{}/history", f.members_b[1])).await.status, StatusCode::NOT_FOUND);
    assert_eq!(me.get("/api/v1/organizations").await.body, json!([]));
    let b = f.branch_b;
    for path in org_routes(b).into_iter().chain([
        format!("/api/v1/organizations/{b}"),
        format!("/api/v1/organizations/{b}/children"),
        format!("/api/v1/organizations/{b}/participation?year=2026"),
    ]) {
        assert_eq!(me.get(&path).await.status, StatusCode::NOT_FOUND, "{path}");
    }
    let export = me.get("/api/v1/members/export.xlsx").await;
    assert_eq!(dangwu_reports::read_rows(&export.bytes).unwrap().len(), 1, "only the header row");

    // The security admin's grant of the member role opens the self-view, and only that.
    let secadmin = app.login("secadmin").await;
    let grant = secadmin
        .post(&format!("/api/v1/users/{}/grants", linked.id), &json!({"role": "member", "organization_id": b}))
        .await;
    assert_eq!(grant.status, StatusCode::CREATED, "{}", grant.body);
    assert_eq!(me.get("/api/v1/members").await.body["total"], 1);
    assert_eq!(me.get(&format!("/api/v1/members/{}", f.members_b[1])).await.status, StatusCode::OK);
    assert_eq!(me.get(&format!("/api/v1/members/{}", f.members_b[0])).await.status, StatusCode::NOT_FOUND);
    let p = me.get(&format!("/api/v1/organizations/{b}/participation?year=2026")).await;
    assert_eq!(p.status, StatusCode::OK, "{}", p.body);
    assert_eq!(p.body.as_array().unwrap().len(), 1);
    assert_eq!(me.get(&format!("/api/v1/organizations/{b}/expected-attendees")).await.status, StatusCode::FORBIDDEN);
}

/// The audit records of one action, newest first, as the audit admin reads them.
async fn audited(auditor: &Session, action: &str) -> Vec<Value> {
    let page = auditor.get(&format!("/api/v1/audit?action={action}")).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    page.body["items"].as_array().unwrap().clone()
}

// Issue #8, defect 10: every export and every meeting-record download leaves an audit record saying
// who, what, which organization, with which filter and how many rows.
async fn exports_and_meeting_records_are_audited(app: TestApp) {
    let f = &app.fixture;
    let admin = app.login("admin").await;
    let meeting = admin.post("/api/v1/meetings", &held(f.branch_a, "2026-01-15", &f.members_a, &[])).await;
    assert_eq!(meeting.status, StatusCode::CREATED, "{}", meeting.body);
    let meeting = meeting.body["id"].as_str().unwrap().to_owned();
    let insp = app.login("inspector").await;
    let before = app.db.audit_count().await.unwrap();

    let roster = insp.get(&format!("/api/v1/members/export.xlsx?organization_id={}&status=full", f.branch_a)).await;
    assert_eq!(roster.status, StatusCode::OK);
    let ledger = insp.get(&format!("/api/v1/organizations/{}/meetings-ledger.xlsx?year=2026", f.branch_a)).await;
    assert_eq!(ledger.status, StatusCode::OK);
    let rollup = insp.get(&format!("/api/v1/organizations/{}/compliance-rollup.xlsx?year=2026", f.committee)).await;
    assert_eq!(rollup.status, StatusCode::OK);
    let pdf = insp.get(&format!("/api/v1/meetings/{meeting}/record.pdf")).await;
    assert_eq!(pdf.status, StatusCode::OK);
    let full = admin.get(&format!("/api/v1/members/export.xlsx?organization_id={}&unmask=true", f.branch_b)).await;
    assert_eq!(full.status, StatusCode::OK);
    assert_eq!(app.db.audit_count().await.unwrap(), before + 5, "one record per download");
    // A refused export is not recorded as done.
    let refused = insp.get(&format!("/api/v1/members/export.xlsx?organization_id={}&unmask=true", f.branch_a)).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(app.db.audit_count().await.unwrap(), before + 5);

    let auditor = app.login("auditor").await;
    let one = |records: Vec<Value>| {
        assert_eq!(records.len(), 1, "{records:?}");
        records.into_iter().next().unwrap()
    };
    let r = one(audited(&auditor, "member.export").await);
    assert_eq!(r["actor"], "inspector");
    assert_eq!(r["organization_id"], f.branch_a.to_string());
    assert_eq!(r["after"]["rows"], 3, "three full members in branch A");
    assert_eq!(r["after"]["filter"]["status"], "full");
    assert_eq!(r["after"]["filter"]["organization_id"], f.branch_a.to_string());
    assert_eq!(r["after"]["unmasked"], false);

    let r = one(audited(&auditor, "meeting.export_ledger").await);
    assert_eq!(r["actor"], "inspector");
    assert_eq!(r["organization_id"], f.branch_a.to_string());
    assert_eq!(r["after"]["filter"]["year"], 2026);
    assert_eq!(r["after"]["rows"], 1);

    let r = one(audited(&auditor, "organization.export_compliance_rollup").await);
    assert_eq!(r["organization_id"], f.committee.to_string());
    assert_eq!(r["after"]["filter"]["year"], 2026);
    assert_eq!(r["after"]["rows"], 4, "the committee, two branches and a party group");

    let r = one(audited(&auditor, "meeting.export_record").await);
    assert_eq!(r["actor"], "inspector");
    assert_eq!(r["entity_id"], meeting);
    assert_eq!(r["organization_id"], f.branch_a.to_string());
    assert_eq!(r["after"]["format"], "pdf");

    let r = one(audited(&auditor, "member.export_unmasked").await);
    assert_eq!(r["actor"], "admin");
    assert_eq!(r["organization_id"], f.branch_b.to_string());
    assert_eq!(r["after"]["rows"], 3);
    assert_eq!(r["after"]["unmasked"], true);
}
