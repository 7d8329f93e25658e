//! Personal data at rest (issue #8): members' ID numbers and phones encrypted under a configured data
//! key, found by exact value through a keyed hash, moved between keys by re-encryption.

use dangwu_store::crypto::DataKeys;
use dangwu_store::members::MemberFilter;
use dangwu_store::{Actor, Db, StoreError, q};
use dangwu_testkit::{StatusCode, TestApp, member_json};
use serde_json::json;
use uuid::Uuid;

const K1: &str = "AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=";
const K2: &str = "1f1e1d1c1b1a191817161514131211100f0e0d0c0b0a09080706050403020100";

fn keys(current: &str, old: &[&str]) -> DataKeys {
    DataKeys::parse(current, old).expect("valid key")
}

/// Runs each scenario on SQLite and PostgreSQL, starting the app with or without a data key.
macro_rules! on_both_engines_keyed {
    ($($name:ident: $keys:expr),* $(,)?) => {
        $(
            mod $name {
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn sqlite() {
                    if let Some(app) = dangwu_testkit::TestApp::start_with_data_keys(dangwu_testkit::Backend::Sqlite, $keys).await {
                        super::$name(app).await;
                    }
                }
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn postgres() {
                    if let Some(app) = dangwu_testkit::TestApp::start_with_data_keys(dangwu_testkit::Backend::Postgres, $keys).await {
                        super::$name(app).await;
                    }
                }
            }
        )*
    };
}

on_both_engines_keyed!(
    stored_values_hold_no_digits: Some(super::keys(super::K1, &[])),
    exact_id_number_and_phone_search_still_work: Some(super::keys(super::K1, &[])),
    duplicate_id_number_is_refused: Some(super::keys(super::K1, &[])),
    masked_edit_keeps_the_encrypted_values: Some(super::keys(super::K1, &[])),
    rotation_moves_every_row_and_reads_back: Some(super::keys(super::K1, &[])),
    rotation_moves_recruitment_cases_too: Some(super::keys(super::K1, &[])),
    wrong_or_missing_key_is_a_clear_error: Some(super::keys(super::K1, &[])),
    encrypt_existing_moves_plaintext_rows: None,
    without_a_key_values_stay_plaintext: None,
);

fn actor() -> Actor {
    Actor { user_id: Uuid::nil(), name: "test".into(), ip: None }
}

/// id, id_number, phone, id_number_hash, phone_hash as stored.
type RawRow = (Uuid, String, String, Option<String>, Option<String>);

struct Raw {
    id: Uuid,
    id_number: String,
    phone: String,
    id_number_hash: Option<String>,
    phone_hash: Option<String>,
}

async fn raw_members(db: &Db) -> Vec<Raw> {
    let rows: Vec<RawRow> = db
        .fetch_all(q("SELECT id, id_number, phone, id_number_hash, phone_hash FROM members ORDER BY id"))
        .await
        .unwrap();
    rows.into_iter()
        .map(|(id, id_number, phone, id_number_hash, phone_hash)| Raw {
            id,
            id_number,
            phone,
            id_number_hash,
            phone_hash,
        })
        .collect()
}

async fn audit_text(db: &Db) -> String {
    let rows: Vec<(Option<String>, Option<String>)> =
        db.fetch_all(q("SELECT CAST(before_json AS TEXT), CAST(after_json AS TEXT) FROM audit_log")).await.unwrap();
    rows.into_iter().map(|(b, a)| format!("{} {}", b.unwrap_or_default(), a.unwrap_or_default())).collect()
}

async fn admin_id(db: &Db) -> Uuid {
    db.user_by_name("admin").await.unwrap().unwrap().id
}

/// (member id, ID number, phone) of every member in id order, read through the store with `db`'s keys.
async fn plaintext(db: &Db) -> Vec<(Uuid, String, String)> {
    let admin = admin_id(db).await;
    let (rows, _) = db.list_members(admin, &MemberFilter { limit: 1000, ..Default::default() }).await.unwrap();
    let mut rows: Vec<_> = rows.into_iter().map(|m| (m.id, m.id_number, m.phone)).collect();
    rows.sort_by_key(|r| r.0);
    rows
}

async fn search(db: &Db, text: &str) -> Vec<Uuid> {
    let admin = admin_id(db).await;
    let filter = MemberFilter { text: Some(text.into()), limit: 100, ..Default::default() };
    db.list_members(admin, &filter).await.unwrap().0.into_iter().map(|m| m.id).collect()
}

/// Runs re-encryption to the end in batches of `batch`, as `dangwu data-key rotate` does.
async fn reencrypt_all(db: &Db, batch: i64) -> usize {
    let mut after = None;
    let mut total = 0;
    loop {
        let step = db.reencrypt_members(&actor(), after, batch, chrono::Utc::now()).await.unwrap();
        total += step.rewritten;
        if step.last.is_none() {
            return total;
        }
        after = step.last;
    }
}

fn assert_sealed(raw: &[Raw], plain: &[(Uuid, String, String)], prefix: &str) {
    assert_eq!(raw.len(), plain.len());
    for (r, (id, id_number, phone)) in raw.iter().zip(plain) {
        assert_eq!(r.id, *id);
        assert!(r.id_number.starts_with(prefix), "{}", r.id_number);
        assert!(!r.id_number.contains(id_number.as_str()) && !r.id_number.contains(&id_number[6..14]));
        if !phone.is_empty() {
            assert!(r.phone.starts_with(prefix), "{}", r.phone);
            assert!(!r.phone.contains(phone.as_str()) && !r.phone.contains(&phone[3..]));
            assert!(r.phone_hash.is_some());
        }
        assert!(r.id_number_hash.as_deref().is_some_and(|h| h.len() == 64 && !h.contains(id_number.as_str())));
    }
}

async fn stored_values_hold_no_digits(app: TestApp) {
    let admin = app.login("admin").await;
    let created = admin.post("/api/v1/members", &member_json(app.fixture.branch_a, "加密甲", 501)).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap();
    // Shown masked, and the audited unmasked read decrypts.
    assert!(created.body["id_number"].as_str().unwrap().contains('*'));
    let full = admin.get(&format!("/api/v1/members/{id}?unmask=true")).await;
    assert_eq!(full.status, StatusCode::OK, "{}", full.body);
    assert_eq!(full.body["id_number"], member_json(app.fixture.branch_a, "", 501)["id_number"]);
    assert_eq!(full.body["phone"], "13800001234");

    let plain = plaintext(&app.db).await;
    assert_eq!(plain.len(), 8);
    let prefix = app.db.data_keys().unwrap().current_prefix();
    assert_sealed(&raw_members(&app.db).await, &plain, &prefix);
    // Nor does the audit log keep them in full.
    let audit = audit_text(&app.db).await;
    for (_, id_number, phone) in &plain {
        assert!(!audit.contains(id_number.as_str()), "audit log holds {id_number}");
        assert!(!audit.contains(phone.as_str()), "audit log holds {phone}");
    }
}

async fn exact_id_number_and_phone_search_still_work(app: TestApp) {
    let admin = app.login("admin").await;
    let body = member_json(app.fixture.branch_b, "查找乙", 502);
    let created = admin.post("/api/v1/members", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let id = created.body["id"].as_str().unwrap().to_owned();
    let id_number = body["id_number"].as_str().unwrap();

    for needle in [id_number.to_owned(), id_number.to_ascii_lowercase()] {
        let found = admin.get(&format!("/api/v1/members?q={needle}")).await;
        assert_eq!(found.status, StatusCode::OK);
        let ids: Vec<&str> =
            found.body["items"].as_array().unwrap().iter().map(|m| m["id"].as_str().unwrap()).collect();
        assert_eq!(ids, vec![id.as_str()], "search by {needle}");
        assert_eq!(found.body["total"], 1);
    }
    let by_phone = admin.get("/api/v1/members?q=13800001234").await;
    assert_eq!(by_phone.body["total"], 1, "{}", by_phone.body);
    assert_eq!(by_phone.body["items"][0]["id"], id.as_str());
    // Fixture members' phones are 139 + eight digits of their sequence.
    assert_eq!(search(&app.db, "13900000010").await, vec![app.fixture.members_b[0]]);
    // Part of a number finds nothing (only whole values are looked up), names still match in part.
    assert!(search(&app.db, &id_number[..10]).await.is_empty());
    assert!(search(&app.db, "1380000").await.is_empty());
    assert_eq!(search(&app.db, "查找").await, vec![id.parse::<Uuid>().unwrap()]);
}

async fn duplicate_id_number_is_refused(app: TestApp) {
    let admin = app.login("admin").await;
    let body = member_json(app.fixture.branch_a, "重复甲", 503);
    assert_eq!(admin.post("/api/v1/members", &body).await.status, StatusCode::CREATED);
    let mut again = member_json(app.fixture.branch_b, "重复乙", 503);
    again["phone"] = json!("13700000000");
    let dup = admin.post("/api/v1/members", &again).await;
    assert_eq!(dup.status, StatusCode::CONFLICT, "{}", dup.body);
    assert_eq!(dup.body["code"], "duplicate_id_number");

    // Editing another member to the same number is refused too; keeping one's own is not a duplicate.
    let other = app.fixture.members_b[0];
    let mut edit = admin.get(&format!("/api/v1/members/{other}?unmask=true")).await.body;
    for f in ["id_number", "birth_date", "gender"] {
        edit[f] = body[f].clone();
    }
    let res = admin.put(&format!("/api/v1/members/{other}"), &edit).await;
    assert_eq!(res.status, StatusCode::CONFLICT, "{}", res.body);
    assert_eq!(res.body["code"], "duplicate_id_number");

    // The store refuses it too (the unique index on the lookup hash backs the check).
    let mut input = member_input(&app, 503);
    input.organization_id = app.fixture.branch_b;
    let err = app.db.seed_members(&actor(), &[input], chrono::Utc::now()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { code: dangwu_store::Conflict::DuplicateIdNumber, .. }), "{err:?}");
}

fn member_input(app: &TestApp, seq: u32) -> dangwu_store::members::MemberInput {
    let j = member_json(app.fixture.branch_a, "输入", seq);
    dangwu_store::members::MemberInput {
        name: j["name"].as_str().unwrap().into(),
        gender: dangwu_rules::idcard::Gender::Male,
        ethnicity: "汉族".into(),
        birth_date: j["birth_date"].as_str().unwrap().parse().unwrap(),
        id_number: j["id_number"].as_str().unwrap().into(),
        education: "大学本科".into(),
        occupation: dangwu_rules::member::Occupation::Professional,
        work_unit: "华夏测试公司".into(),
        post: "工程师".into(),
        phone: String::new(),
        joined_on: "2015-07-01".parse().unwrap(),
        converted_on: Some("2016-07-01".parse().unwrap()),
        status: dangwu_rules::member::Status::Full,
        organization_id: app.fixture.branch_a,
    }
}

async fn masked_edit_keeps_the_encrypted_values(app: TestApp) {
    let admin = app.login("admin").await;
    let id = app.fixture.members_a[1];
    let before = plaintext(&app.db).await.into_iter().find(|m| m.0 == id).unwrap();
    let shown = admin.get(&format!("/api/v1/members/{id}")).await.body;
    let mut edit = shown.clone();
    edit["post"] = json!("副主管");
    let res = admin.put(&format!("/api/v1/members/{id}"), &edit).await;
    assert_eq!(res.status, StatusCode::OK, "{}", res.body);
    let after = plaintext(&app.db).await.into_iter().find(|m| m.0 == id).unwrap();
    assert_eq!(before, after);
    assert_eq!(search(&app.db, &before.1).await, vec![id]);
    let prefix = app.db.data_keys().unwrap().current_prefix();
    let raw = raw_members(&app.db).await.into_iter().find(|r| r.id == id).unwrap();
    assert!(raw.id_number.starts_with(&prefix) && raw.phone.starts_with(&prefix));
}

async fn rotation_moves_every_row_and_reads_back(app: TestApp) {
    let before = plaintext(&app.db).await;
    let old_prefix = app.db.data_keys().unwrap().current_prefix();
    // The new key in force, the old one still accepted for reading.
    let rotating = app.db.with_data_keys(Some(keys(K2, &[K1])));
    assert_eq!(plaintext(&rotating).await, before);
    let (_, pending) = rotating.data_key_status().await.unwrap();
    assert_eq!(pending, Some(7));

    // An interrupted run (one batch of 3), then a fresh run picks up the rest.
    let first = rotating.reencrypt_members(&actor(), None, 3, chrono::Utc::now()).await.unwrap();
    assert_eq!((first.found, first.rewritten), (3, 3));
    // Rows under either key are found by exact ID number meanwhile.
    for (id, id_number, phone) in &before {
        assert_eq!(search(&rotating, id_number).await, vec![*id]);
        assert_eq!(search(&rotating, phone).await, vec![*id]);
    }
    assert_eq!(reencrypt_all(&rotating, 2).await, 4);
    assert_eq!(reencrypt_all(&rotating, 2).await, 0, "nothing left to do");

    let (by_key, pending) = rotating.data_key_status().await.unwrap();
    let new_id = rotating.data_keys().unwrap().current_id().to_owned();
    assert_eq!(by_key, vec![(new_id, 7)]);
    assert_eq!(pending, Some(0));
    let new_prefix = rotating.data_keys().unwrap().current_prefix();
    assert_ne!(new_prefix, old_prefix);
    assert_sealed(&raw_members(&app.db).await, &before, &new_prefix);

    // The old key can now be dropped from the configuration.
    let rotated = app.db.with_data_keys(Some(keys(K2, &[])));
    assert_eq!(plaintext(&rotated).await, before);
    for (id, id_number, _) in &before {
        assert_eq!(search(&rotated, id_number).await, vec![*id]);
    }
    let rotations: Vec<(String,)> =
        app.db.fetch_all(q("SELECT action FROM audit_log WHERE action = 'member.reencrypt'")).await.unwrap();
    assert_eq!(rotations.len(), 3);
    // A server still on the old key alone cannot read the rotated rows and says why.
    let admin = admin_id(&app.db).await;
    let err = app.db.get_member(admin, before[0].0).await.unwrap_err().to_string();
    assert!(err.contains(rotated.data_keys().unwrap().current_id()), "{err}");
    let res = app.login("admin").await.get(&format!("/api/v1/members/{}", before[0].0)).await;
    assert_eq!(res.status, StatusCode::INTERNAL_SERVER_ERROR);
    assert!(!res.body.to_string().contains(&before[0].1));
}

async fn wrong_or_missing_key_is_a_clear_error(app: TestApp) {
    let admin = admin_id(&app.db).await;
    let member = app.fixture.members_a[0];
    let wrong = app.db.with_data_keys(Some(keys(K2, &[])));
    let err = wrong.get_member(admin, member).await.unwrap_err();
    assert!(matches!(err, StoreError::DataKey(_)), "{err:?}");
    let text = err.to_string();
    assert!(text.contains("数据密钥错误") && text.contains(app.db.data_keys().unwrap().current_id()), "{text}");
    let filter = MemberFilter { limit: 10, ..Default::default() };
    assert!(matches!(wrong.list_members(admin, &filter).await, Err(StoreError::DataKey(_))));
    let none = app.db.with_data_keys(None);
    let text = none.get_member(admin, member).await.unwrap_err().to_string();
    assert!(text.contains("未配置数据密钥"), "{text}");
    // A key with the right id but other bytes (or altered ciphertext) fails authentication. One
    // character inside the tag is changed to one it is not (a fixed replacement could be the same
    // character by chance, once in a few hundred runs).
    app.db
        .execute(
            q("UPDATE members SET id_number = substr(id_number, 1, length(id_number) - 11) || \
               CASE WHEN substr(id_number, length(id_number) - 10, 1) = 'A' THEN 'B' ELSE 'A' END || \
               substr(id_number, length(id_number) - 9) WHERE id = $1")
            .bind(member),
        )
        .await
        .unwrap();
    let text = app.db.get_member(admin, member).await.unwrap_err().to_string();
    assert!(text.contains("无法通过校验"), "{text}");
    // Re-encryption stops on such a row instead of writing garbage.
    let rotating = app.db.with_data_keys(Some(keys(K2, &[K1])));
    assert!(matches!(
        rotating.reencrypt_members(&actor(), None, 100, chrono::Utc::now()).await,
        Err(StoreError::DataKey(_))
    ));
}

async fn encrypt_existing_moves_plaintext_rows(app: TestApp) {
    let before = plaintext(&app.db).await;
    assert!(raw_members(&app.db).await.iter().all(|r| r.id_number_hash.is_none()));
    let keyed = app.db.with_data_keys(Some(keys(K1, &[])));
    let (by_key, pending) = keyed.data_key_status().await.unwrap();
    assert_eq!(by_key, vec![(String::new(), 7)]);
    assert_eq!(pending, Some(7));
    // Plaintext rows keep reading and are found while the move is under way.
    let step = keyed.reencrypt_members(&actor(), None, 4, chrono::Utc::now()).await.unwrap();
    assert_eq!(step.rewritten, 4);
    assert_eq!(plaintext(&keyed).await, before);
    for (id, id_number, phone) in &before {
        assert_eq!(search(&keyed, id_number).await, vec![*id]);
        assert_eq!(search(&keyed, phone).await, vec![*id]);
    }
    assert_eq!(reencrypt_all(&keyed, 100).await, 3);
    assert_sealed(&raw_members(&app.db).await, &before, &keyed.data_keys().unwrap().current_prefix());
    assert_eq!(plaintext(&keyed).await, before);
    // Uniqueness holds across the move.
    let input = dangwu_store::members::MemberInput { id_number: before[0].1.clone(), ..member_input(&app, 0) };
    let err = keyed.seed_members(&actor(), &[input], chrono::Utc::now()).await.unwrap_err();
    assert!(matches!(err, StoreError::Conflict { code: dangwu_store::Conflict::DuplicateIdNumber, .. }), "{err:?}");
}

async fn without_a_key_values_stay_plaintext(app: TestApp) {
    assert!(app.db.data_keys().is_none());
    let admin = app.login("admin").await;
    let body = member_json(app.fixture.branch_a, "明文甲", 504);
    let created = admin.post("/api/v1/members", &body).await;
    assert_eq!(created.status, StatusCode::CREATED, "{}", created.body);
    let raw = raw_members(&app.db).await;
    assert!(raw.iter().all(|r| r.id_number_hash.is_none() && r.phone_hash.is_none()));
    assert!(raw.iter().any(|r| r.id_number == body["id_number"].as_str().unwrap()));
    let found = admin.get(&format!("/api/v1/members?q={}", body["id_number"].as_str().unwrap())).await;
    assert_eq!(found.body["total"], 1);
    let (by_key, pending) = app.db.data_key_status().await.unwrap();
    assert_eq!(by_key, vec![(String::new(), 8)]);
    assert_eq!(pending, None);
    assert!(matches!(
        app.db.reencrypt_members(&actor(), None, 10, chrono::Utc::now()).await,
        Err(StoreError::DataKey(_))
    ));
}

/// Timings on a roster of 500,000 members, encrypted and plaintext (run with `--ignored --nocapture`).
/// Only the rows of a page are decrypted; exact lookups use the hash index.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "measurement: inserts 500,000 members per engine"]
async fn large_roster_timings() {
    let rows: usize = std::env::var("DANGWU_BENCH_MEMBERS").ok().and_then(|v| v.parse().ok()).unwrap_or(500_000);
    for backend in [dangwu_testkit::Backend::Sqlite, dangwu_testkit::Backend::Postgres] {
        for key in [Some(K1), None] {
            let Some(app) = TestApp::start_with_data_keys(backend, key.map(|k| keys(k, &[]))).await else { continue };
            let org = app.fixture.branch_a;
            let now = chrono::Utc::now();
            let started = std::time::Instant::now();
            for chunk in (0..rows).collect::<Vec<_>>().chunks(1000) {
                let mut insert =
                    q("INSERT INTO members (id, name, gender, ethnicity, birth_date, id_number, education, \
                    occupation, work_unit, post, phone, joined_on, converted_on, status, organization_id, version, \
                    created_at, updated_at, id_number_hash, phone_hash) VALUES ");
                for (n, i) in chunk.iter().enumerate() {
                    let id = dangwu_store::new_id();
                    let (id_number, phone) = (format!("11010519{i:010}"), format!("15{i:09}"));
                    let (stored_id, stored_phone, h1, h2) = match app.db.data_keys() {
                        Some(k) => (
                            k.seal(dangwu_store::crypto::Field::IdNumber, id, &id_number),
                            k.seal(dangwu_store::crypto::Field::Phone, id, &phone),
                            k.hash(dangwu_store::crypto::Field::IdNumber, &id_number),
                            k.hash(dangwu_store::crypto::Field::Phone, &phone),
                        ),
                        None => (id_number, phone, None, None),
                    };
                    insert.push(if n == 0 { "(" } else { ", (" });
                    insert.push_bind("", id);
                    insert.push_bind(", ", format!("党员{i}"));
                    insert.push(", 'male', '汉族', '1990-01-01'");
                    insert.push_bind(", ", stored_id);
                    insert.push(", '大学本科', 'professional', '华夏', '工程师'");
                    insert.push_bind(", ", stored_phone);
                    insert.push(", '2015-07-01', NULL, 'full'");
                    insert.push_bind(", ", org);
                    insert.push_bind(", 1, ", now);
                    insert.push_bind(", ", now);
                    insert.push_bind(", ", h1);
                    insert.push_bind(", ", h2);
                    insert.push(")");
                }
                app.db.execute(insert).await.unwrap();
            }
            let seeded = started.elapsed();
            app.db.execute(q("ANALYZE")).await.unwrap();
            let admin = admin_id(&app.db).await;
            let time = |filter: MemberFilter| {
                let db = app.db.clone();
                async move {
                    let mut best = std::time::Duration::MAX;
                    let mut found = 0;
                    for _ in 0..5 {
                        let t = std::time::Instant::now();
                        let (page, total) = db.list_members(admin, &filter).await.unwrap();
                        best = best.min(t.elapsed());
                        found = total.count.max(page.len() as i64);
                    }
                    (best, found)
                }
            };
            let page = time(MemberFilter { limit: 51, ..Default::default() }).await;
            let page_200 = time(MemberFilter { limit: 201, organization_id: Some(org), ..Default::default() }).await;
            let by_id =
                time(MemberFilter { text: Some(format!("11010519{:010}", rows / 2)), limit: 51, ..Default::default() })
                    .await;
            let by_phone =
                time(MemberFilter { text: Some(format!("15{:09}", rows / 3)), limit: 51, ..Default::default() }).await;
            let mut single = std::time::Duration::MAX;
            let mut uniq = dangwu_store::members::MemberInput { ..member_input(&app, 0) };
            uniq.id_number = format!("11010519{:010}", rows / 4);
            for _ in 0..5 {
                let t = std::time::Instant::now();
                let err = app.db.seed_members(&actor(), std::slice::from_ref(&uniq), now).await.unwrap_err();
                single = single.min(t.elapsed());
                assert!(matches!(err, StoreError::Conflict { code: dangwu_store::Conflict::DuplicateIdNumber, .. }));
            }
            assert_eq!(by_id.1, 1);
            assert_eq!(by_phone.1, 1);
            println!(
                "{backend:?} {} {rows} members (seeded in {seeded:.1?}): list page 50 {:.1?} (total {}), branch page 200 {:.1?}, \
                 exact ID number {:.1?}, exact phone {:.1?}, duplicate check on insert {:.1?}",
                if key.is_some() { "encrypted" } else { "plaintext" },
                page.0,
                page.1,
                page_200.0,
                by_id.0,
                by_phone.0,
                single
            );
        }
    }
}

/// A recruitment case's person is sealed like a member: a rotation that moved only the members would
/// report nothing pending while the case stayed under the old key, unreadable once it is dropped.
async fn rotation_moves_recruitment_cases_too(app: TestApp) {
    let birth = chrono::NaiveDate::from_ymd_opt(1998, 5, 10).unwrap();
    let id_number = dangwu_testkit::id_number(birth, false, 41);
    let body = json!({
        "organization_id": app.fixture.branch_a, "name": "郑轮换", "gender": "female",
        "birth_date": birth.to_string(), "id_number": id_number, "phone": "13900004141",
        "person": {"ethnicity": "汉族", "education": "大学本科", "occupation": "professional",
                   "work_unit": "华夏测试公司", "post": "技术员"},
        "application_date": "2025-01-06",
        "documents": [],
    });
    let res = app.login("sec_a").await.post("/api/v1/recruitment-cases", &body).await;
    assert_eq!(res.status, StatusCode::CREATED, "{}", res.body);
    let case: Uuid = res.body["id"].as_str().unwrap().parse().unwrap();
    let raw = |db: &Db| {
        let db = db.clone();
        async move {
            let (id_number, phone): (String, String) = db
                .fetch_one(q("SELECT id_number, phone FROM recruitment_cases WHERE id = $1").bind(case))
                .await
                .unwrap();
            (id_number, phone)
        }
    };
    let old_prefix = app.db.data_keys().unwrap().current_prefix();
    let (sealed_id, sealed_phone) = raw(&app.db).await;
    assert!(sealed_id.starts_with(&old_prefix) && sealed_phone.starts_with(&old_prefix));

    let rotating = app.db.with_data_keys(Some(keys(K2, &[K1])));
    assert_eq!(rotating.data_key_status().await.unwrap().1, Some(8), "seven members and the case");
    reencrypt_all(&rotating, 10).await;
    assert_eq!(rotating.data_key_status().await.unwrap().1, Some(1), "the case is still under the old key");
    let step = rotating.reencrypt_recruitment_cases(&actor(), None, 10, chrono::Utc::now()).await.unwrap();
    assert_eq!((step.found, step.rewritten), (1, 1));
    assert_eq!(rotating.data_key_status().await.unwrap().1, Some(0));
    let new_prefix = rotating.data_keys().unwrap().current_prefix();
    let (sealed_id, sealed_phone) = raw(&app.db).await;
    assert!(sealed_id.starts_with(&new_prefix) && sealed_phone.starts_with(&new_prefix));

    // Readable with the new key alone.
    let rotated = app.db.with_data_keys(Some(keys(K2, &[])));
    let read = rotated.get_case(admin_id(&rotated).await, case).await.unwrap();
    assert_eq!((read.row.id_number.as_str(), read.row.phone.as_str()), (id_number.as_str(), "13900004141"));
    let audited: Vec<(String,)> =
        app.db.fetch_all(q("SELECT action FROM audit_log WHERE action = 'recruitment.reencrypt'")).await.unwrap();
    assert_eq!(audited.len(), 1);
}
