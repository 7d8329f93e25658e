//! Placements (编入) on SQLite and PostgreSQL: a 党小组 takes members of its own branch, each in one
//! group; a 临时党支部 takes members of any branch the caller may write, who keep their formal
//! relationship at home (regulations.md 1.7a, 1.10); the meetings of both expect their placed members.

mod common;

use dangwu_testkit::{Reply, StatusCode, TestApp, member_json, on_both_engines};
use serde_json::{Value, json};
use uuid::Uuid;

on_both_engines!(
    placement_rules,
    expected_attendees_are_the_placed_members,
    party_group_meeting_takes_its_placed_members,
);

fn refused_by(reply: &Reply, rule: &str) {
    assert_eq!(reply.status, StatusCode::CONFLICT, "{rule}: {}", reply.body);
    assert_eq!(reply.body["code"], "rule_violation", "{}", reply.body);
    assert_eq!(reply.body["rule"], rule, "{}", reply.body);
}

fn field_error(reply: &Reply, field: &str) {
    assert_eq!(reply.status, StatusCode::BAD_REQUEST, "{field}: {}", reply.body);
    let fields: Vec<&str> =
        reply.body["fields"].as_array().unwrap().iter().map(|f| f["field"].as_str().unwrap()).collect();
    assert!(fields.contains(&field), "{field} not in {}", reply.body);
}

/// The ids of the members a list answers with (placed members, expected attendees), sorted.
fn placed(reply: &Reply) -> Vec<String> {
    assert_eq!(reply.status, StatusCode::OK, "{}", reply.body);
    let mut ids: Vec<String> =
        reply.body.as_array().unwrap().iter().map(|p| p["member_id"].as_str().unwrap().to_owned()).collect();
    ids.sort();
    ids
}

fn ids(members: &[Uuid]) -> Vec<String> {
    let mut ids: Vec<String> = members.iter().map(Uuid::to_string).collect();
    ids.sort();
    ids
}

fn url(org: Uuid) -> String {
    format!("/api/v1/organizations/{org}/placements")
}

/// A 临时党支部 under the fixture's committee, set up by the organization admin.
async fn temporary_branch(app: &TestApp) -> Uuid {
    let admin = app.login("admin").await;
    let created = admin
        .post(
            "/api/v1/organizations",
            &json!({"parent_id": app.fixture.committee, "name": "重点项目临时党支部", "kind": "temporary_branch"}),
        )
        .await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    created.body["id"].as_str().unwrap().parse().unwrap()
}

async fn placement_rules(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;
    let sec_a = app.login("sec_a").await;
    let temp = temporary_branch(&app).await;

    // Branch A's secretary places two of the branch's members in its party group; the same list again
    // changes nothing.
    let body = json!({"member_ids": [f.members_a[0], f.members_a[1]]});
    let first = sec_a.put(&url(f.group_a), &body).await;
    assert_eq!(placed(&first), ids(&f.members_a[..2]));
    assert_eq!(first.body[0]["home_organization_id"], f.branch_a.to_string());
    assert_eq!(first.body[0]["home_organization_name"], "第一党支部");
    let audit = app.db.audit_count().await.unwrap();
    assert_eq!(placed(&sec_a.put(&url(f.group_a), &body).await), ids(&f.members_a[..2]));
    assert_eq!(app.db.audit_count().await.unwrap(), audit, "an unchanged list writes nothing");

    // A member of branch B is not placed in branch A's group, even by the group's admin.
    let wrong = admin.put(&url(f.group_a), &json!({"member_ids": [f.members_a[0], f.members_b[0]]})).await;
    refused_by(&wrong, "placement.party_group_branch");
    assert_eq!(wrong.body["fields"][0]["field"], "member_ids[1]", "{}", wrong.body);

    // One party group per member: a second group of branch A does not take a member of the first.
    let second = admin
        .post("/api/v1/organizations", &json!({"parent_id": f.branch_a, "name": "第二党小组", "kind": "party_group"}))
        .await;
    assert_eq!(second.status, StatusCode::CREATED, "{}", second.body);
    let second: Uuid = second.body["id"].as_str().unwrap().parse().unwrap();
    let twice = sec_a.put(&url(second), &json!({"member_ids": [f.members_a[2], f.members_a[1]]})).await;
    refused_by(&twice, "placement.one_party_group");
    assert_eq!(twice.body["fields"][0]["field"], "member_ids[1]", "{}", twice.body);
    assert_eq!(
        placed(&sec_a.put(&url(second), &json!({"member_ids": [f.members_a[2]]})).await),
        ids(&f.members_a[2..3])
    );

    // Only a party group or a temporary branch takes placements.
    refused_by(
        &admin.put(&url(f.branch_a), &json!({"member_ids": [f.members_a[3]]})).await,
        "placement.organization_kind",
    );

    // A temporary branch takes members of any branch the caller may write; they stay at home.
    let mixed = admin.put(&url(temp), &json!({"member_ids": [f.members_a[0], f.members_b[1]]})).await;
    assert_eq!(placed(&mixed), ids(&[f.members_a[0], f.members_b[1]]));
    // The temporary branch counts them as its members; the organization-setup check sees them.
    let org = admin.get(&format!("/api/v1/organizations/{temp}")).await;
    assert_eq!(org.body["full_members"], 2, "{}", org.body);
    let home = admin.get(&format!("/api/v1/members/{}", f.members_b[1])).await;
    assert_eq!(home.body["organization_id"], f.branch_b.to_string(), "{}", home.body);

    // Members are not given a formal relationship in a temporary branch.
    let formal = admin.post("/api/v1/members", &member_json(temp, "临时成员", 890)).await;
    refused_by(&formal, "member.organization_kind");

    // Bad ids are field errors: unknown, repeated, out of the caller's reach.
    field_error(&admin.put(&url(temp), &json!({"member_ids": [f.members_a[0], Uuid::nil()]})).await, "member_ids[1]");
    field_error(
        &admin.put(&url(temp), &json!({"member_ids": [f.members_a[0], f.members_a[0]]})).await,
        "member_ids[1]",
    );
    field_error(&admin.put(&url(temp), &json!({"member_ids": "x"})).await, "member_ids");
    let sec_b = app.login("sec_b").await;
    assert_eq!(sec_b.put(&url(f.group_a), &json!({"member_ids": []})).await.status, StatusCode::NOT_FOUND);

    // Reading: an inspector sees the list; a member sees their organization, not its roster.
    let read = app.login("inspector").await.get(&url(temp)).await;
    assert_eq!(placed(&read), ids(&[f.members_a[0], f.members_b[1]]));
    assert_eq!(app.login("member_a").await.get(&url(f.branch_a)).await.status, StatusCode::FORBIDDEN);
    assert_eq!(placed(&admin.get(&url(f.branch_a)).await), Vec::<String>::new());

    // Removing leaves the rest; a member moved to another branch leaves their old branch's group.
    assert_eq!(
        placed(&sec_a.put(&url(f.group_a), &json!({"member_ids": [f.members_a[1]]})).await),
        ids(&f.members_a[1..2])
    );
    let member = admin.get(&format!("/api/v1/members/{}", f.members_a[1])).await;
    let mut moved = member_json(f.branch_b, member.body["name"].as_str().unwrap(), 891);
    moved["version"] = member.body["version"].clone();
    let moved = admin.put(&format!("/api/v1/members/{}", f.members_a[1]), &moved).await;
    assert_eq!(moved.status, StatusCode::OK, "{}", moved.body);
    assert_eq!(placed(&admin.get(&url(f.group_a)).await), Vec::<String>::new());

    // A dissolved group's members leave it, free to join another group of the branch.
    let third = admin
        .post("/api/v1/organizations", &json!({"parent_id": f.branch_a, "name": "第三党小组", "kind": "party_group"}))
        .await;
    let third: Uuid = third.body["id"].as_str().unwrap().parse().unwrap();
    let dissolved = common::dissolve(&admin, &second, "2026-01-31", "党小组调整").await;
    assert_eq!(dissolved.status, StatusCode::OK, "{}", dissolved.body);
    refused_by(&admin.put(&url(second), &json!({"member_ids": [f.members_a[2]]})).await, "org.parent_active");
    assert_eq!(
        placed(&admin.put(&url(third), &json!({"member_ids": [f.members_a[2]]})).await),
        ids(&f.members_a[2..3])
    );

    // Moved under branch B, a group of branch A loses branch A's members.
    let moved_group =
        admin.post(&format!("/api/v1/organizations/{third}/move"), &json!({"parent_id": f.branch_b})).await;
    assert_eq!(moved_group.status, StatusCode::OK, "{}", moved_group.body);
    assert_eq!(placed(&admin.get(&url(third)).await), Vec::<String>::new());

    // The organization's history records the change.
    let history = admin.get(&format!("/api/v1/organizations/{}/history", f.group_a)).await;
    assert!(
        history.body.as_array().unwrap().iter().any(|c| c["action"] == "organization.placements"),
        "{}",
        history.body
    );
}

async fn expected_attendees_are_the_placed_members(app: TestApp) {
    let f = app.fixture.clone();
    let admin = app.login("admin").await;
    let temp = temporary_branch(&app).await;
    let expected = |org: Uuid| format!("/api/v1/organizations/{org}/expected-attendees");

    // Nobody placed: a party group and a temporary branch expect nobody.
    assert_eq!(placed(&admin.get(&expected(f.group_a)).await), Vec::<String>::new());
    assert_eq!(placed(&admin.get(&expected(temp)).await), Vec::<String>::new());

    placed(&admin.put(&url(f.group_a), &json!({"member_ids": [f.members_a[1], f.members_a[3]]})).await);
    placed(&admin.put(&url(temp), &json!({"member_ids": [f.members_a[2], f.members_b[0], f.members_b[2]]})).await);
    let group = admin.get(&expected(f.group_a)).await;
    assert_eq!(placed(&group), ids(&[f.members_a[1], f.members_a[3]]));
    let probationary = group.body.as_array().unwrap().iter().find(|m| m["member_id"] == f.members_a[3].to_string());
    assert_eq!(probationary.unwrap()["status"], "probationary");
    assert_eq!(placed(&admin.get(&expected(temp)).await), ids(&[f.members_a[2], f.members_b[0], f.members_b[2]]));
    // The branch still expects its own members, placed elsewhere or not.
    assert_eq!(placed(&admin.get(&expected(f.branch_a)).await), ids(&f.members_a));
}

fn meeting(org: Uuid, kind: &str, attendees: &[(Uuid, &str)]) -> Value {
    let list: Vec<Value> = attendees.iter().map(|(id, status)| json!({"member_id": id, "status": status})).collect();
    json!({"organization_id": org, "kind": kind, "status": "held", "held_on": "2025-06-10", "topic": "学习党章党规",
           "place": "班组学习室", "chair": "组长", "recorder": "组员", "attendees": list})
}

async fn party_group_meeting_takes_its_placed_members(app: TestApp) {
    let f = app.fixture.clone();
    let sec_a = app.login("sec_a").await;
    let admin = app.login("admin").await;
    placed(&sec_a.put(&url(f.group_a), &json!({"member_ids": [f.members_a[0], f.members_a[1]]})).await);

    // A 党小组会 with its group's members.
    let held = sec_a
        .post(
            "/api/v1/meetings",
            &meeting(f.group_a, "party_group_meeting", &[(f.members_a[0], "present"), (f.members_a[1], "absent")]),
        )
        .await;
    assert_eq!(held.status, StatusCode::CREATED, "{}", held.body);
    assert_eq!(held.body["present"], 1);
    assert_eq!(held.body["expected"], 2);

    // A member of the branch not placed in the group is not its attendee: a problem of the field.
    let outsider = sec_a
        .post(
            "/api/v1/meetings",
            &meeting(f.group_a, "party_group_meeting", &[(f.members_a[0], "present"), (f.members_a[2], "present")]),
        )
        .await;
    field_error(&outsider, "attendees");

    // A temporary branch's 主题党日 with members placed there from two branches.
    let temp = temporary_branch(&app).await;
    placed(&admin.put(&url(temp), &json!({"member_ids": [f.members_a[2], f.members_b[0]]})).await);
    let day = admin
        .post(
            "/api/v1/meetings",
            &meeting(temp, "theme_day", &[(f.members_a[2], "present"), (f.members_b[0], "present")]),
        )
        .await;
    assert_eq!(day.status, StatusCode::CREATED, "{}", day.body);
    let stranger = admin.post("/api/v1/meetings", &meeting(temp, "theme_day", &[(f.members_b[1], "present")])).await;
    field_error(&stranger, "attendees");

    // Participation: the placed members' attendance at the group's and the temporary branch's meetings.
    let group = admin.get(&format!("/api/v1/organizations/{}/participation?year=2025", f.group_a)).await;
    assert_eq!(group.status, StatusCode::OK, "{}", group.body);
    let lines = group.body.as_array().unwrap();
    assert_eq!(lines.len(), 2, "{}", group.body);
    let absent = lines.iter().find(|l| l["member_id"] == f.members_a[1].to_string()).unwrap();
    assert_eq!((absent["expected"].as_i64(), absent["absent"].as_i64()), (Some(1), Some(1)), "{}", group.body);
    let temp_lines = admin.get(&format!("/api/v1/organizations/{temp}/participation?year=2025")).await;
    assert_eq!(temp_lines.body.as_array().map(Vec::len), Some(2), "{}", temp_lines.body);
}

/// The demo's temporary branch holds nobody's formal relationship: its people are placed from their
/// home branches, and its party groups divide their branch's members.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn demo_places_its_temporary_branch_and_party_groups() {
    let dir = std::env::temp_dir().join(format!("dangwu-demo-{}", Uuid::new_v4().simple()));
    std::fs::create_dir_all(&dir).unwrap();
    let db = dangwu_store::Db::connect(&format!("sqlite://{}", dir.join("demo.db").display())).await.unwrap();
    db.migrate().await.unwrap();
    let rules = dangwu_rules::RuleBook::builtin().unwrap();
    dangwu_server::demo::load(&db, &rules, "Demo-pass-2026", chrono::Utc::now(), chrono_tz::Asia::Shanghai)
        .await
        .unwrap();
    let count = |sql: &str| {
        let db = db.clone();
        let sql = sql.to_owned();
        async move {
            let (n,): (i64,) = db.fetch_one(dangwu_store::q(&sql)).await.unwrap();
            n
        }
    };
    let formal = "SELECT COUNT(*) FROM members m JOIN organizations o ON o.id = m.organization_id \
                  WHERE o.kind IN ('temporary_branch', 'party_group')";
    assert_eq!(count(formal).await, 0);
    let temp = "SELECT COUNT(*) FROM placements p JOIN members m ON m.id = p.member_id \
                JOIN organizations h ON h.id = m.organization_id WHERE p.kind = 'temporary_branch' AND h.kind = 'branch'";
    assert!(count(temp).await >= 5);
    let groups = "SELECT COUNT(*) FROM placements p JOIN organizations g ON g.id = p.organization_id \
                  JOIN members m ON m.id = p.member_id WHERE p.kind = 'party_group' AND m.organization_id = g.parent_id";
    let all_groups = "SELECT COUNT(*) FROM placements WHERE kind = 'party_group'";
    assert!(count(groups).await > 10);
    assert_eq!(count(groups).await, count(all_groups).await);
    // Every attendee of a party group's or temporary branch's meeting is placed there.
    let stray = "SELECT COUNT(*) FROM meeting_attendees a JOIN meetings mt ON mt.id = a.meeting_id \
                 JOIN organizations o ON o.id = mt.organization_id WHERE o.kind IN ('temporary_branch', 'party_group') \
                 AND NOT EXISTS (SELECT 1 FROM placements p WHERE p.member_id = a.member_id AND p.organization_id = o.id)";
    assert_eq!(count(stray).await, 0);
    let attended = "SELECT COUNT(*) FROM meeting_attendees a JOIN meetings mt ON mt.id = a.meeting_id \
                    JOIN organizations o ON o.id = mt.organization_id WHERE o.kind = 'party_group'";
    assert!(count(attended).await > 0);
    db.close().await;
    let _ = std::fs::remove_dir_all(dir);
}
