//! Store tests, each run on SQLite and on PostgreSQL: the closure table, scoping in SQL, and
//! all-or-nothing writes with their audit records.

use chrono::Utc;
use dangwu_store::members::MemberFilter;
use dangwu_store::{Actor, StoreError};
use dangwu_testkit::{TestApp, on_both_engines, org_input};
use uuid::Uuid;

on_both_engines!(
    closure_table_follows_moves,
    reads_are_scoped_by_grants,
    a_refused_write_leaves_neither_data_nor_audit,
    duplicate_id_numbers_are_refused_by_the_database_too,
    meeting_lists_of_small_and_large_subtrees_agree,
    an_unknown_stored_code_is_an_error,
);

fn actor() -> Actor {
    Actor { user_id: Uuid::nil(), name: "test".into(), ip: None }
}

async fn user_id(app: &TestApp, name: &str) -> Uuid {
    app.db.user_by_name(name).await.unwrap().unwrap().id
}

async fn closure_table_follows_moves(app: TestApp) {
    let f = &app.fixture;
    let now = Utc::now();
    let gb = app.db.seed_org(&actor(), Some(f.committee), &org_input("总支", "general_branch"), now).await.unwrap();
    let admin = user_id(&app, "admin").await;
    app.db.move_org(&actor_of(admin), f.branch_a, gb.id, now).await.unwrap();
    let nodes = app.db.visible_orgs(admin, false).await.unwrap();
    let depth = |id: Uuid| nodes.iter().find(|n| n.id == id).unwrap().depth;
    assert_eq!(depth(f.group), 0);
    assert_eq!(depth(gb.id), 2);
    assert_eq!(depth(f.branch_a), 3);
    assert_eq!(depth(f.group_a), 4);
    // The subtree of the committee still holds every member; the general branch holds A's four.
    let under = |org| MemberFilter { organization_id: Some(org), subtree: true, limit: 100, ..Default::default() };
    assert_eq!(app.db.list_members(admin, &under(f.committee)).await.unwrap().1, 7);
    assert_eq!(app.db.list_members(admin, &under(gb.id)).await.unwrap().1, 4);
    // Moving back restores the old shape exactly.
    app.db.move_org(&actor_of(admin), f.branch_a, f.committee, now).await.unwrap();
    let nodes = app.db.visible_orgs(admin, false).await.unwrap();
    assert_eq!(nodes.iter().find(|n| n.id == f.group_a).unwrap().depth, 3);
    assert_eq!(app.db.list_members(admin, &under(gb.id)).await.unwrap().1, 0);
}

fn actor_of(user: Uuid) -> Actor {
    Actor { user_id: user, name: "admin".into(), ip: None }
}

async fn reads_are_scoped_by_grants(app: TestApp) {
    let f = &app.fixture;
    let sec_b = user_id(&app, "sec_b").await;
    let nodes = app.db.visible_orgs(sec_b, false).await.unwrap();
    assert_eq!(nodes.iter().map(|n| n.id).collect::<Vec<_>>(), vec![f.branch_b]);
    let all = MemberFilter { limit: 100, ..Default::default() };
    let (members, total) = app.db.list_members(sec_b, &all).await.unwrap();
    assert_eq!(total, 3);
    assert!(members.iter().all(|m| m.organization_id == f.branch_b));
    assert!(matches!(app.db.get_member(sec_b, f.members_a[0]).await, Err(StoreError::NotFound)));
    assert!(matches!(app.db.get_org(sec_b, f.branch_a).await, Err(StoreError::NotFound)));
    // A user with no grants sees nothing at all.
    let auditor = user_id(&app, "auditor").await;
    assert!(app.db.visible_orgs(auditor, true).await.unwrap().is_empty());
    assert_eq!(app.db.list_members(auditor, &all).await.unwrap().1, 0);
}

async fn a_refused_write_leaves_neither_data_nor_audit(app: TestApp) {
    let f = &app.fixture;
    let admin = user_id(&app, "admin").await;
    let before = app.db.audit_count().await.unwrap();
    // Dissolving a branch with members is refused after the transaction has begun.
    let r = app
        .db
        .dissolve_org(
            &actor_of(admin),
            f.branch_a,
            chrono::NaiveDate::from_ymd_opt(2026, 1, 1).unwrap(),
            "x",
            Utc::now(),
        )
        .await;
    assert!(matches!(r, Err(StoreError::Conflict { code: dangwu_store::Conflict::RuleViolation, .. })));
    // A batch with one bad row writes none of its rows.
    let good = app.db.get_member(admin, f.members_a[1]).await.unwrap();
    let mut batch = vec![];
    for (i, org) in [f.branch_a, Uuid::now_v7()].into_iter().enumerate() {
        batch.push(dangwu_store::members::MemberInput {
            name: format!("批量{i}"),
            gender: good.gender,
            ethnicity: good.ethnicity.clone(),
            birth_date: good.birth_date,
            id_number: dangwu_testkit::id_number(good.birth_date, false, 300 + i as u32),
            education: good.education.clone(),
            occupation: good.occupation,
            work_unit: good.work_unit.clone(),
            post: good.post.clone(),
            phone: good.phone.clone(),
            joined_on: good.joined_on,
            converted_on: good.converted_on,
            status: good.status,
            organization_id: org,
        });
    }
    assert!(app.db.seed_members(&actor(), &batch, Utc::now()).await.is_err());
    let all = MemberFilter { limit: 100, ..Default::default() };
    assert_eq!(app.db.list_members(admin, &all).await.unwrap().1, 7);
    assert_eq!(app.db.audit_count().await.unwrap(), before);
}

async fn duplicate_id_numbers_are_refused_by_the_database_too(app: TestApp) {
    // Bypass the application check: the unique index must still hold.
    let f = &app.fixture;
    let admin = user_id(&app, "admin").await;
    let m = app.db.get_member(admin, f.members_a[0]).await.unwrap();
    let r = app
        .db
        .execute(
            dangwu_store::q("UPDATE members SET id_number = $1 WHERE id = $2")
                .bind(m.id_number.as_str())
                .bind(f.members_a[1]),
        )
        .await;
    assert!(r.as_ref().is_err_and(StoreError::is_unique_violation), "{r:?}");
}

// The meeting list is read one way for a subtree holding at least 1 % of all organizations (walking
// the date index) and another for a smaller one (its own meetings, sorted). Both must give the same
// meetings, in date order, scoped by the reader's grants.
async fn meeting_lists_of_small_and_large_subtrees_agree(app: TestApp) {
    use chrono::NaiveDate;
    use dangwu_store::meetings::{MeetingFilter, MeetingRow};
    let f = &app.fixture;
    let now = Utc::now();
    let mut branches = Vec::new();
    for i in 0..100 {
        let org =
            app.db.seed_org(&actor(), Some(f.committee), &org_input(&format!("第{i}党支部"), "branch"), now).await;
        branches.push(org.unwrap().id);
    }
    let day = |m, d| NaiveDate::from_ymd_opt(2026, m, d).unwrap();
    let (x, y) = (branches[7], branches[42]);
    let meetings = [(x, day(5, 10)), (y, day(6, 1)), (x, day(3, 10)), (x, day(4, 2)), (y, day(1, 20))];
    let inputs: Vec<_> = meetings.iter().map(|(o, d)| dangwu_testkit::held_meeting(*o, "theme_day", *d)).collect();
    app.db.seed_meetings(&actor(), &inputs, now).await.unwrap();

    let list = |user: Uuid, org: Uuid, limit: i64| {
        let filter = MeetingFilter { organization_id: Some(org), subtree: true, limit, ..Default::default() };
        let db = app.db.clone();
        async move { db.list_meetings(user, &filter).await.unwrap() }
    };
    let dates = |rows: &[MeetingRow]| rows.iter().map(|r| r.held_on.unwrap()).collect::<Vec<_>>();
    let admin = user_id(&app, "admin").await;
    // One branch of over 100 organizations: under 1 %, read from its own meetings.
    assert_eq!(dates(&list(admin, x, 50).await), [day(5, 10), day(4, 2), day(3, 10)]);
    // The whole group: read along the date index.
    assert_eq!(dates(&list(admin, f.group, 50).await), [day(6, 1), day(5, 10), day(4, 2), day(3, 10), day(1, 20)]);
    assert_eq!(dates(&list(admin, f.group, 2).await), [day(6, 1), day(5, 10)]);
    // A secretary of another branch sees none of them, either way.
    let sec_a = user_id(&app, "sec_a").await;
    assert!(list(sec_a, f.group, 50).await.is_empty());
    assert!(list(sec_a, x, 50).await.is_empty());
}

/// A code the lists do not know, written around the application, is refused when read (and the
/// server logs it as an internal error), never read as some default.
async fn an_unknown_stored_code_is_an_error(app: TestApp) {
    let f = &app.fixture;
    let admin = user_id(&app, "admin").await;
    app.db.get_org(admin, f.branch_b).await.unwrap();
    app.db.get_member(admin, f.members_b[0]).await.unwrap();
    app.db
        .execute(dangwu_store::q("UPDATE organizations SET kind = 'club' WHERE id = $1").bind(f.branch_b))
        .await
        .unwrap();
    let err = app.db.get_org(admin, f.branch_b).await.unwrap_err();
    assert!(matches!(err, StoreError::Database(_)), "{err:?}");
    assert!(err.to_string().contains("club"), "{err}");
    app.db
        .execute(dangwu_store::q("UPDATE members SET status = 'honorary' WHERE id = $1").bind(f.members_a[1]))
        .await
        .unwrap();
    let err = app.db.get_member(admin, f.members_a[1]).await.unwrap_err();
    assert!(matches!(err, StoreError::Database(_)) && err.to_string().contains("honorary"), "{err:?}");
}
