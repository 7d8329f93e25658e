//! The member list's indexed search and grant scoping against a straightforward scan, on generated
//! data (a few thousand members over several branches), on both engines: speed must not come from
//! wrong answers.

use std::collections::{BTreeMap, BTreeSet};

use chrono::{NaiveDate, Utc};
use dangwu_store::crypto::{self, Field};
use dangwu_store::members::{
    Member, MemberCursor, MemberFilter, MemberInput, MemberTotal, SEARCH_TOTAL_CAP, TOTAL_CAP, name_matches,
};
use dangwu_store::{Actor, Db, Role, q};
use dangwu_testkit::{TestApp, on_both_engines, org_input};
use uuid::Uuid;

on_both_engines!(search_equals_a_scan);

/// The same with ID numbers and phones encrypted at rest: exact search goes through the keyed hashes.
mod search_equals_a_scan_encrypted {
    use dangwu_testkit::{Backend, TestApp};

    fn keys() -> dangwu_store::crypto::DataKeys {
        dangwu_store::crypto::DataKeys::parse("AAECAwQFBgcICQoLDA0ODxAREhMUFRYXGBkaGxwdHh8=", &[] as &[&str]).unwrap()
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn sqlite() {
        if let Some(app) = TestApp::start_with_data_keys(Backend::Sqlite, Some(keys())).await {
            super::search_equals_a_scan(app).await;
        }
    }

    #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
    async fn postgres() {
        if let Some(app) = TestApp::start_with_data_keys(Backend::Postgres, Some(keys())).await {
            super::search_equals_a_scan(app).await;
        }
    }
}

fn actor() -> Actor {
    Actor { user_id: Uuid::nil(), name: "test".into(), ip: None }
}

/// xorshift64*, deterministic.
struct Dice(u64);
impl Dice {
    fn below(&mut self, n: u64) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        (self.0.wrapping_mul(0x2545_F491_4F6C_DD1D) >> 11) % n
    }
}

/// Two thirds of the members are 王, so its gram is common (searched in the list's order, probing
/// each row); the other surnames and given names are rarer (searched from their matches).
fn name(d: &mut Dice, i: usize) -> String {
    const SURNAMES: [&str; 6] = ["王", "李", "张", "欧阳", "司马", "Li "];
    const GIVEN: [&str; 12] = ["伟", "芳", "建", "国", "红", "梅", "Ming", "晓", "东", "%", "_", "a"];
    if i.is_multiple_of(97) {
        // Now and then a one-character name.
        return GIVEN[d.below(6) as usize].to_owned();
    }
    let surname = if d.below(3) < 2 { "王" } else { SURNAMES[1 + d.below(5) as usize] };
    let mut n = surname.to_owned();
    for _ in 0..1 + d.below(2) {
        n.push_str(GIVEN[d.below(GIVEN.len() as u64) as usize]);
    }
    n
}

fn input(org: Uuid, name: String, i: usize) -> MemberInput {
    let birth = NaiveDate::from_ymd_opt(1960 + (i % 40) as i32, 1 + (i % 12) as u32, 1 + (i % 28) as u32).unwrap();
    MemberInput {
        name,
        gender: dangwu_rules::idcard::Gender::Male,
        ethnicity: "汉族".into(),
        birth_date: birth,
        id_number: dangwu_testkit::id_number(birth, true, 100 + i as u32),
        education: "大学本科".into(),
        occupation: dangwu_rules::member::Occupation::Worker,
        work_unit: "华夏".into(),
        post: String::new(),
        phone: format!("137{:08}", 50_000 + i),
        joined_on: NaiveDate::from_ymd_opt(2000, 7, 1).unwrap(),
        converted_on: NaiveDate::from_ymd_opt(2001, 7, 1),
        status: if i.is_multiple_of(5) {
            dangwu_rules::member::Status::Probationary
        } else {
            dangwu_rules::member::Status::Full
        },
        organization_id: org,
    }
}

#[derive(sqlx::FromRow)]
struct Plain {
    id: Uuid,
    name: String,
    id_number: String,
    phone: String,
    organization_id: Uuid,
    status: String,
}

/// Everything the scan needs, read without any index-dependent query.
struct World {
    members: Vec<Plain>,
    /// ancestor → descendants (self included).
    below: BTreeMap<Uuid, BTreeSet<Uuid>>,
}

impl World {
    async fn read(db: &Db) -> World {
        let mut members: Vec<Plain> =
            db.fetch_all(q("SELECT id, name, id_number, phone, organization_id, status FROM members")).await.unwrap();
        // Encrypted at rest: the scan compares the plaintext.
        for m in &mut members {
            m.id_number = crypto::open(db.data_keys(), Field::IdNumber, m.id, &m.id_number).unwrap();
            m.phone = crypto::open(db.data_keys(), Field::Phone, m.id, &m.phone).unwrap();
        }
        if db.data_keys().is_some() {
            let (stored,): (String,) = db.fetch_one(q("SELECT id_number FROM members LIMIT 1")).await.unwrap();
            assert!(stored.starts_with("enc1:"), "{stored}");
        }
        let pairs: Vec<(Uuid, Uuid)> = db.fetch_all(q("SELECT ancestor, descendant FROM org_closure")).await.unwrap();
        let mut below: BTreeMap<Uuid, BTreeSet<Uuid>> = BTreeMap::new();
        for (a, d) in pairs {
            below.entry(a).or_default().insert(d);
        }
        World { members, below }
    }

    /// The organizations a grant on each of `orgs` covers.
    fn under(&self, orgs: &[Uuid]) -> BTreeSet<Uuid> {
        orgs.iter().flat_map(|o| self.below[o].iter().copied()).collect()
    }

    /// The scan: what the list must return for a user reading `readable` and unmasking `unmaskable`.
    fn expect(&self, readable: &BTreeSet<Uuid>, unmaskable: &BTreeSet<Uuid>, f: &MemberFilter) -> BTreeSet<Uuid> {
        let text = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        self.members
            .iter()
            .filter(|m| readable.contains(&m.organization_id))
            .filter(|m| match f.organization_id {
                None => true,
                Some(o) if f.subtree => self.below[&o].contains(&m.organization_id),
                Some(o) => m.organization_id == o,
            })
            .filter(|m| f.status.is_none_or(|s| m.status == s.code()))
            .filter(|m| match text {
                None => true,
                Some(t) => {
                    name_matches(&m.name, t)
                        || (unmaskable.contains(&m.organization_id)
                            && (m.id_number == t.to_ascii_uppercase() || m.phone == t))
                }
            })
            .map(|m| m.id)
            .collect()
    }
}

/// The whole list through the store, in pages of `page` rows, and the total of the first page.
async fn list_all(db: &Db, user: Uuid, f: &MemberFilter, page: i64) -> (Vec<Member>, MemberTotal) {
    let mut f = f.clone();
    f.limit = page;
    f.after = None;
    let mut out: Vec<Member> = Vec::new();
    let mut total = None;
    loop {
        let (rows, t) = db.list_members(user, &f).await.unwrap();
        total.get_or_insert(t);
        let full = rows.len() as i64 == page;
        f.after = rows.last().map(MemberCursor::after);
        out.extend(rows);
        if !full {
            break;
        }
    }
    (out, total.unwrap())
}

/// The total the list must give for `n` matches: exact up to the cap, else the cap marked inexact.
fn expected_total(f: &MemberFilter, n: usize) -> MemberTotal {
    let cap = if f.text.as_deref().is_some_and(|t| !t.trim().is_empty()) { SEARCH_TOTAL_CAP } else { TOTAL_CAP };
    MemberTotal { count: (n as i64).min(cap), exact: n as i64 <= cap }
}

async fn search_equals_a_scan(app: TestApp) {
    let f = &app.fixture;
    let db = &app.db;
    let now = Utc::now();
    // Two general branches of three branches each under the committee, beside the fixture's two.
    let mut branches = vec![f.branch_a, f.branch_b];
    let mut generals = Vec::new();
    for g in 0..2 {
        let general = db
            .seed_org(&actor(), Some(f.committee), &org_input(&format!("第{g}总支"), "general_branch"), now)
            .await
            .unwrap();
        generals.push(general.id);
        for b in 0..3 {
            let branch = db
                .seed_org(&actor(), Some(general.id), &org_input(&format!("总支{g}第{b}支部"), "branch"), now)
                .await
                .unwrap();
            branches.push(branch.id);
        }
    }
    let mut dice = Dice(0x5EED_1234_ABCD_0001);
    let inputs: Vec<MemberInput> =
        (0..3200).map(|i| input(branches[dice.below(branches.len() as u64) as usize], name(&mut dice, i), i)).collect();
    let seeded = db.seed_members(&actor(), &inputs, now).await.unwrap();
    // Renames and a transfer keep the name index in step.
    let admin = app.db.user_by_name("admin").await.unwrap().unwrap().id;
    let admin_actor = Actor { user_id: admin, name: "admin".into(), ip: None };
    for (k, m) in seeded.iter().take(40).enumerate() {
        let mut changed = inputs[k].clone();
        changed.name = match k {
            // A name that holds the member's own phone and ID number: found by both, counted once.
            6 => format!("王{}{}", inputs[k].phone, inputs[k].id_number),
            _ if k.is_multiple_of(2) => format!("改名{k}王"),
            _ => "司马东".into(),
        };
        if k % 3 == 0 {
            changed.organization_id = branches[(k / 3) % branches.len()];
        }
        db.update_member(&admin_actor, m.id, &changed, m.version, now).await.unwrap();
    }

    // Users: the group's administrator, an inspector of the group (reads, may not unmask), the
    // secretary of a general branch, the secretary of branch B (fixture), the member of branch A.
    let gb_sec = db
        .create_user(
            &actor(),
            &dangwu_store::accounts::NewUser {
                username: "sec_gb",
                display_name: "sec_gb",
                password_hash: "x",
                member_id: None,
                system_role: None,
            },
            now,
        )
        .await
        .unwrap();
    db.grant(&actor(), gb_sec.id, Role::Secretary, generals[0], now).await.unwrap();
    let id_of = |name: &str| {
        let db = db.clone();
        let name = name.to_owned();
        async move { db.user_by_name(&name).await.unwrap().unwrap().id }
    };
    let world = World::read(db).await;
    let all = world.under(&[f.group]);
    let none = BTreeSet::new();
    let users: Vec<(&str, Uuid, BTreeSet<Uuid>, BTreeSet<Uuid>)> = vec![
        ("admin", admin, all.clone(), all.clone()),
        ("inspector", id_of("inspector").await, all.clone(), none.clone()),
        ("sec_gb", gb_sec.id, world.under(&[generals[0]]), world.under(&[generals[0]])),
        ("sec_b", id_of("sec_b").await, world.under(&[f.branch_b]), world.under(&[f.branch_b])),
    ];

    // Searches: a whole ID number and phone, whole names, parts of one, two, three and four
    // characters, ASCII in another case, LIKE's wildcards, nothing.
    let probe = &world.members[world.members.len() / 2];
    let some = &world.members[world.members.len() / 3];
    let chars: Vec<char> = some.name.chars().collect();
    let mut texts: Vec<String> = vec![
        probe.id_number.clone(),
        probe.id_number.to_ascii_lowercase(),
        probe.phone.clone(),
        format!(" {} ", probe.phone),
        probe.name.clone(),
        some.name.clone(),
        "王".into(),
        "伟".into(),
        "王伟".into(),
        "欧阳".into(),
        "司马东".into(),
        "欧阳建国".into(),
        "li ming".into(),
        "MING".into(),
        "%".into(),
        "_".into(),
        "a".into(),
        "改名".into(),
        "改名1".into(),
        "甲".into(),
        "不存在".into(),
        chars[chars.len() - 1..].iter().collect(),
        inputs[6].phone.clone(),
        inputs[6].id_number.clone(),
    ];
    if chars.len() >= 2 {
        texts.push(chars[..2].iter().collect());
    }
    let filters = |text: Option<String>| {
        let base = MemberFilter { text, limit: 50, ..Default::default() };
        vec![
            base.clone(),
            MemberFilter { organization_id: Some(generals[0]), subtree: true, ..base.clone() },
            MemberFilter { organization_id: Some(f.committee), subtree: true, ..base.clone() },
            MemberFilter { organization_id: Some(branches[3]), subtree: false, ..base.clone() },
            MemberFilter { status: Some(dangwu_rules::member::Status::Probationary), ..base },
        ]
    };
    let mut checked = 0;
    let mut nonempty = 0;
    for (label, user, readable, unmaskable) in &users {
        let mut cases: Vec<MemberFilter> = filters(None);
        for t in &texts {
            cases.extend(filters(Some(t.clone())));
        }
        for filter in &cases {
            let want = world.expect(readable, unmaskable, filter);
            if want.len() > 700 {
                // Large results are compared in big pages; small ones page by 7 through the keyset.
                let (rows, total) = list_all(db, *user, filter, 1000).await;
                let got: BTreeSet<Uuid> = rows.iter().map(|m| m.id).collect();
                assert_eq!(got.len(), rows.len(), "{label} {filter:?}: a row came twice");
                assert_eq!(total, expected_total(filter, want.len()), "{label} {filter:?}");
                assert!(got == want, "{label} {filter:?}: the list differs from the scan");
            } else {
                let (rows, total) = list_all(db, *user, filter, 7).await;
                let got: BTreeSet<Uuid> = rows.iter().map(|m| m.id).collect();
                assert_eq!(got.len(), rows.len(), "{label} {filter:?}: a row came twice");
                assert!(got == want, "{label} {filter:?}: got {} rows, the scan {}", got.len(), want.len());
                assert_eq!(total, expected_total(filter, want.len()), "{label} {filter:?}");
                // One page holds the same rows in the same order as the pages of seven.
                let (one, _) = db.list_members(*user, &MemberFilter { limit: 1000, ..filter.clone() }).await.unwrap();
                assert_eq!(one.iter().map(|m| m.id).collect::<Vec<_>>(), rows.iter().map(|m| m.id).collect::<Vec<_>>());
            }
            checked += 1;
            nonempty += usize::from(!want.is_empty());
        }
    }
    assert!(checked > 400 && nonempty > 200, "{checked} cases, {nonempty} with results");

    // The member of branch A sees their own record only, and finds it by name.
    let member_a = id_of("member_a").await;
    let own = MemberFilter { text: Some("甲0".into()), limit: 10, ..Default::default() };
    let (rows, total) = db.list_members(member_a, &own).await.unwrap();
    assert_eq!((rows.len(), total.count), (1, 1));
    assert_eq!(rows[0].id, f.members_a[0]);
    let (rows, _) = db.list_members(member_a, &MemberFilter { limit: 10, ..Default::default() }).await.unwrap();
    assert_eq!(rows.iter().map(|m| m.id).collect::<Vec<_>>(), vec![f.members_a[0]]);
}

#[test]
fn cursors_round_trip() {
    let c = MemberCursor { organization_id: Uuid::now_v7(), name: "欧阳 %_.建国".into(), id: Uuid::now_v7() };
    assert_eq!(MemberCursor::parse(&c.encode()), Some(c));
    assert_eq!(MemberCursor::parse("nonsense"), None);
    assert_eq!(MemberCursor::parse(&Uuid::nil().to_string()), None);
}
