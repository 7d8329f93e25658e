//! Concurrent writers of one record, each run on SQLite and on PostgreSQL: of several edits made from
//! the same version at once, exactly one is written and audited, the others are refused as stale.

use std::future::Future;

use chrono::Utc;
use dangwu_store::{Actor, StoreError};
use dangwu_testkit::{TestApp, held_meeting, on_both_engines, org_input};
use uuid::Uuid;

on_both_engines!(
    one_of_parallel_member_edits_wins,
    one_of_parallel_organization_edits_wins,
    one_of_parallel_meeting_edits_wins,
    one_of_parallel_grade_proposals_wins,
    parallel_dissolutions_write_once,
);

const PARALLEL: usize = 8;

async fn admin(app: &TestApp) -> Actor {
    let user = app.db.user_by_name("admin").await.unwrap().unwrap();
    Actor { user_id: user.id, name: "admin".into(), ip: None }
}

/// Runs the writes at once; asserts one succeeded and every other was refused as stale.
async fn exactly_one<T, F>(what: &str, writes: Vec<F>)
where
    T: Send + 'static,
    F: Future<Output = Result<T, StoreError>> + Send + 'static,
{
    let tasks: Vec<_> = writes.into_iter().map(tokio::spawn).collect();
    let (mut ok, mut stale) = (0, 0);
    for t in tasks {
        match t.await.unwrap() {
            Ok(_) => ok += 1,
            Err(StoreError::Conflict {
                code: dangwu_store::Conflict::StaleVersion | dangwu_store::Conflict::AlreadyDissolved,
                ..
            }) => stale += 1,
            Err(e) => panic!("{what}: unexpected {e:?}"),
        }
    }
    assert_eq!((ok, stale), (1, PARALLEL - 1), "{what}");
}

async fn audited(app: &TestApp, entity: &str, id: Uuid, action: &str) -> usize {
    app.db.entity_history(entity, id).await.unwrap().iter().filter(|r| r.action == action).count()
}

async fn one_of_parallel_member_edits_wins(app: TestApp) {
    let actor = admin(&app).await;
    let id = app.fixture.members_a[1];
    let m = app.db.get_member(actor.user_id, id).await.unwrap();
    assert_eq!(m.version, 1);
    let writes = (0..PARALLEL)
        .map(|i| {
            let (db, actor) = (app.db.clone(), actor.clone());
            let input = dangwu_store::members::MemberInput {
                name: m.name.clone(),
                gender: m.gender,
                ethnicity: m.ethnicity.clone(),
                birth_date: m.birth_date,
                id_number: m.id_number.clone(),
                education: m.education.clone(),
                occupation: m.occupation,
                work_unit: m.work_unit.clone(),
                post: format!("岗位{i}"),
                phone: m.phone.clone(),
                joined_on: m.joined_on,
                converted_on: m.converted_on,
                status: m.status,
                organization_id: m.organization_id,
            };
            async move { db.update_member(&actor, id, &input, 1, Utc::now()).await }
        })
        .collect();
    exactly_one("member", writes).await;
    assert_eq!(audited(&app, "member", id, "member.update").await, 1);
    let after = app.db.get_member(actor.user_id, id).await.unwrap();
    assert_eq!(after.version, 2);
    // The audit record's "after" is what is stored.
    let row = app.db.entity_history("member", id).await.unwrap().into_iter().find(|r| r.action == "member.update");
    let after_json: serde_json::Value = serde_json::from_str(row.unwrap().after_json.as_deref().unwrap()).unwrap();
    assert_eq!(after_json["post"], after.post.as_str());
}

async fn one_of_parallel_organization_edits_wins(app: TestApp) {
    let actor = admin(&app).await;
    let id = app.fixture.branch_b;
    let version = app.db.get_org(actor.user_id, id).await.unwrap().version;
    let writes = (0..PARALLEL)
        .map(|i| {
            let (db, actor) = (app.db.clone(), actor.clone());
            let input = org_input(&format!("第二党支部{i}"), "branch");
            async move { db.update_org(&actor, id, &input, version, Utc::now()).await }
        })
        .collect();
    exactly_one("organization", writes).await;
    assert_eq!(audited(&app, "organization", id, "organization.update").await, 1);
    assert_eq!(app.db.get_org(actor.user_id, id).await.unwrap().version, version + 1);
}

async fn one_of_parallel_meeting_edits_wins(app: TestApp) {
    let actor = admin(&app).await;
    let org = app.fixture.branch_a;
    let day = chrono::NaiveDate::from_ymd_opt(2025, 3, 10).unwrap();
    let mut tx = app.db.begin().await.unwrap();
    let created = tx.insert_meeting(&actor, &held_meeting(org, "theme_day", day), Utc::now()).await.unwrap();
    tx.commit().await.unwrap();
    let id = created.row.id;
    let writes = (0..PARALLEL)
        .map(|i| {
            let (db, actor) = (app.db.clone(), actor.clone());
            let mut input = held_meeting(org, "theme_day", day);
            input.topic = format!("主题{i}");
            async move {
                let mut tx = db.begin().await?;
                let meeting = tx.update_meeting(&actor, id, &input, 1, Utc::now()).await?;
                tx.commit().await.map(|()| meeting)
            }
        })
        .collect();
    exactly_one("meeting", writes).await;
    assert_eq!(audited(&app, "meeting", id, "meeting.update").await, 1);
    assert_eq!(app.db.get_meeting(actor.user_id, id).await.unwrap().row.version, 2);
}

async fn one_of_parallel_grade_proposals_wins(app: TestApp) {
    let actor = admin(&app).await;
    let a = app.db.create_appraisal(&actor, app.fixture.branch_a, 2025, Utc::now()).await.unwrap();
    let (id, version) = (a.row.id, a.row.version);
    let member = app.fixture.members_a[0];
    let writes = (0..PARALLEL)
        .map(|_| {
            let (db, actor) = (app.db.clone(), actor.clone());
            async move {
                let grades = [(member, Some(dangwu_store::appraisals::Grade::Qualified))];
                let set = dangwu_store::appraisals::GradeSet {
                    stage: dangwu_store::appraisals::Stage::Proposed,
                    grades: &grades,
                    meeting: None,
                    version,
                };
                let mut tx = db.begin().await?;
                let a = tx.set_appraisal_grades(&actor, id, &set, Utc::now()).await?;
                tx.commit().await.map(|()| a)
            }
        })
        .collect();
    exactly_one("appraisal", writes).await;
    assert_eq!(audited(&app, "appraisal", id, "appraisal.propose").await, 1);
}

async fn parallel_dissolutions_write_once(app: TestApp) {
    let actor = admin(&app).await;
    let empty = app
        .db
        .seed_org(&actor, Some(app.fixture.committee), &org_input("待撤销支部", "branch"), Utc::now())
        .await
        .unwrap();
    let today = Utc::now().date_naive();
    let writes = (0..PARALLEL)
        .map(|_| {
            let (db, actor) = (app.db.clone(), actor.clone());
            async move { db.dissolve_org(&actor, empty.id, today, "合并", Utc::now()).await }
        })
        .collect();
    exactly_one("dissolve", writes).await;
    assert_eq!(audited(&app, "organization", empty.id, "organization.dissolve").await, 1);
}
