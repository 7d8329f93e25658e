//! The demo enterprise: a fictional SOE group with four levels of Party organizations, about 600
//! members with checksum-valid (fictional) ID numbers, and a user for every role. Generated from a
//! fixed seed, so every load is the same apart from the password. [`scale`] generates the same kind
//! of enterprise at the size of a large group (`dangwu demo --scale`).

mod recruitment;
pub mod scale;

use chrono::{DateTime, Datelike, Duration, NaiveDate, Utc};
use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::idcard;
use dangwu_rules::member::{Occupation, Status};
use dangwu_rules::org::OrgKind;
use dangwu_store::accounts::NewUser;
use dangwu_store::members::MemberInput;
use dangwu_store::orgs::{CommitteeSeat, OrgInput};
use dangwu_store::{Actor, Db, Role, StoreError, SystemRole};
use uuid::Uuid;

/// A small deterministic generator (xorshift64*): the demo needs variety, not security.
struct Dice(u64);

impl Dice {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
    fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡",
];
const GIVEN_MALE: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宁",
    "建国", "志强", "海涛", "国栋", "晓东", "文博", "宇航", "子豪", "振华", "立新", "卫东",
];
const GIVEN_FEMALE: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪", "慧", "颖", "琳", "晶", "红梅", "秀英", "丽华",
    "晓燕", "雅琴", "思雨", "欣怡", "佳琪", "梦洁", "文静",
];
/// Region codes of real county-level divisions, so the numbers look right; the people are invented.
const REGIONS: &[&str] = &[
    "110105", "110108", "120101", "130102", "140105", "210102", "310104", "320102", "370102", "410105", "420106",
    "510104", "610113", "620102",
];
const ETHNICITIES: &[&str] =
    &["汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "汉族", "回族", "满族", "蒙古族", "壮族", "土家族"];

/// One organization of the demo tree.
struct Node {
    name: &'static str,
    short: &'static str,
    kind: OrgKind,
    /// Index of the parent in [`TREE`].
    parent: Option<usize>,
    /// Members to generate (branches only).
    members: u32,
    units: &'static [&'static str],
}

const fn n(
    name: &'static str,
    short: &'static str,
    kind: OrgKind,
    parent: Option<usize>,
    members: u32,
    units: &'static [&'static str],
) -> Node {
    Node { name, short, kind, parent, members, units }
}

const GROUP: &str = "华夏能源集团有限公司";
const POWER: &str = "华夏电力有限公司";
const COAL: &str = "华夏煤业有限公司";
const TECH: &str = "华夏智能科技有限公司";

const TREE: &[Node] = &[
    /* 0 */ n("中共华夏能源集团有限公司委员会", "集团党委", OrgKind::GroupCommittee, None, 0, &[GROUP]),
    /* 1 */
    n("中共华夏能源集团有限公司机关委员会", "集团机关党委", OrgKind::PrimaryCommittee, Some(0), 0, &[GROUP]),
    /* 2 */
    n("中共华夏能源集团有限公司机关第一支部委员会", "机关第一党支部", OrgKind::Branch, Some(1), 28, &[GROUP]),
    /* 3 */
    n("中共华夏能源集团有限公司机关第二支部委员会", "机关第二党支部", OrgKind::Branch, Some(1), 22, &[GROUP]),
    /* 4 */
    n("中共华夏能源集团有限公司机关第三支部委员会", "机关第三党支部", OrgKind::Branch, Some(1), 18, &[GROUP]),
    /* 5 */
    n("中共华夏能源集团有限公司离退休职工支部委员会", "离退休党支部", OrgKind::Branch, Some(1), 45, &[GROUP]),
    /* 6 */ n("中共华夏电力有限公司委员会", "电力公司党委", OrgKind::PrimaryCommittee, Some(0), 0, &[POWER]),
    /* 7 */
    n("中共华夏电力有限公司发电运行总支部委员会", "发电运行党总支", OrgKind::GeneralBranch, Some(6), 0, &[POWER]),
    /* 8 */
    n("中共华夏电力有限公司运行一值支部委员会", "运行一值党支部", OrgKind::Branch, Some(7), 36, &[POWER]),
    /* 9 */
    n("中共华夏电力有限公司运行二值支部委员会", "运行二值党支部", OrgKind::Branch, Some(7), 32, &[POWER]),
    /* 10 */ n("中共华夏电力有限公司检修支部委员会", "检修党支部", OrgKind::Branch, Some(7), 41, &[POWER]),
    /* 11 */ n("运行一值第一党小组", "一值一组", OrgKind::PartyGroup, Some(8), 0, &[POWER]),
    /* 12 */ n("运行一值第二党小组", "一值二组", OrgKind::PartyGroup, Some(8), 0, &[POWER]),
    /* 13 */ n("中共华夏电力有限公司营销支部委员会", "电力营销党支部", OrgKind::Branch, Some(6), 26, &[POWER]),
    /* 14 */ n("中共华夏电力有限公司机关支部委员会", "电力机关党支部", OrgKind::Branch, Some(6), 33, &[POWER]),
    /* 15 */
    n(
        "中共华夏电力有限公司西部新能源项目临时支部委员会",
        "新能源项目临时党支部",
        OrgKind::TemporaryBranch,
        Some(6),
        9,
        &[POWER],
    ),
    /* 16 */ n("中共华夏煤业有限公司委员会", "煤业公司党委", OrgKind::PrimaryCommittee, Some(0), 0, &[COAL]),
    /* 17 */
    n("中共华夏煤业有限公司综采一队支部委员会", "综采一队党支部", OrgKind::Branch, Some(16), 38, &[COAL]),
    /* 18 */
    n("中共华夏煤业有限公司综采二队支部委员会", "综采二队党支部", OrgKind::Branch, Some(16), 33, &[COAL]),
    /* 19 */ n("中共华夏煤业有限公司机电队支部委员会", "机电队党支部", OrgKind::Branch, Some(16), 60, &[COAL]),
    /* 20 */ n("中共华夏煤业有限公司通风队支部委员会", "通风队党支部", OrgKind::Branch, Some(16), 6, &[COAL]),
    /* 21 */
    n("中共华夏煤业有限公司洗选中心总支部委员会", "洗选中心党总支", OrgKind::GeneralBranch, Some(16), 0, &[COAL]),
    /* 22 */
    n("中共华夏煤业有限公司洗选一车间支部委员会", "洗选一车间党支部", OrgKind::Branch, Some(21), 29, &[COAL]),
    /* 23 */
    n("中共华夏煤业有限公司洗选二车间支部委员会", "洗选二车间党支部", OrgKind::Branch, Some(21), 25, &[COAL]),
    /* 24 */ n("中共华夏煤业有限公司机关支部委员会", "煤业机关党支部", OrgKind::Branch, Some(16), 30, &[COAL]),
    /* 25 */
    n("中共华夏智能科技有限公司总支部委员会", "科技公司党总支", OrgKind::GeneralBranch, Some(0), 0, &[TECH]),
    /* 26 */ n("中共华夏智能科技有限公司研发支部委员会", "研发党支部", OrgKind::Branch, Some(25), 36, &[TECH]),
    /* 27 */
    n("中共华夏智能科技有限公司信息技术支部委员会", "信息技术党支部", OrgKind::Branch, Some(25), 27, &[TECH]),
    /* 28 */
    n(
        "中共华夏能源集团所属企业联合支部委员会",
        "所属企业联合党支部",
        OrgKind::JointBranch,
        Some(0),
        16,
        &["华夏物业服务有限公司", "华夏能源培训中心", "华夏招标咨询有限公司", "华夏新材料研究院"],
    ),
    /* 29 */
    n("中共华夏能源集团有限公司审计中心支部委员会", "审计中心党支部", OrgKind::Branch, Some(0), 2, &[GROUP]),
];

/// The home branches of the temporary branch's people (indexes in [`TREE`]): the power company's.
const TEMPORARY_HOMES: [usize; 5] = [8, 9, 10, 13, 14];

/// Users created by the demo, with what they may do — printed at start so people can log in.
#[derive(Debug, Clone)]
pub struct DemoUser {
    pub username: String,
    pub display_name: String,
    pub role: String,
}

pub struct DemoSummary {
    pub organizations: usize,
    pub members: usize,
    pub meetings: usize,
    pub users: Vec<DemoUser>,
}

fn id_number(dice: &mut Dice, birth: NaiveDate, male: bool, taken: &mut std::collections::HashSet<String>) -> String {
    loop {
        let region = dice.pick(REGIONS);
        let mut seq = dice.below(1000) as u32;
        if (seq % 2 == 1) != male {
            seq = (seq + 1) % 1000;
        }
        let body = format!("{region}{}{seq:03}", birth.format("%Y%m%d"));
        let full = format!("{body}{}", idcard::check_char(&body).expect("17 digits"));
        if taken.insert(full.clone()) {
            return full;
        }
    }
}

fn day_between(dice: &mut Dice, from: NaiveDate, to: NaiveDate) -> NaiveDate {
    let span = (to - from).num_days().max(1) as u64;
    from + Duration::days(dice.below(span) as i64)
}

/// Generates the members of one branch.
fn members_for(
    dice: &mut Dice,
    node: &Node,
    org: Uuid,
    today: NaiveDate,
    taken: &mut std::collections::HashSet<String>,
) -> Vec<MemberInput> {
    let retired = node.short.contains("离退休");
    (0..node.members)
        .map(|_| {
            let male = dice.chance(if retired { 70 } else { 68 });
            let name = format!("{}{}", dice.pick(SURNAMES), dice.pick(if male { GIVEN_MALE } else { GIVEN_FEMALE }));
            let (young, old) = if retired { (62, 88) } else { (22, 59) };
            let birth = day_between(dice, today - Duration::days(old * 365), today - Duration::days(young * 365));
            let adult = dangwu_rules::member::birthday(birth, 18);
            let earliest = adult.max(dangwu_rules::member::birthday(birth, 20));
            let mut joined = day_between(dice, earliest, today - Duration::days(30));
            // About one in twelve joined within the last year and is still probationary.
            let probationary = !retired && dice.chance(8);
            if probationary {
                joined = day_between(dice, (today - Duration::days(330)).max(earliest), today - Duration::days(20));
                // Now and then a probation has run out with no conversion discussed yet, as happens:
                // the member list flags it (chosen without a draw, so the rest of the demo stays as it was).
                if taken.len() % 9 == 4 && today - Duration::days(380) >= earliest {
                    joined = today - Duration::days(380);
                }
            } else if joined > today - Duration::days(400) {
                joined -= Duration::days(400);
            }
            let converted = (!probationary).then(|| dangwu_rules::member::birthday(joined, 1));
            let occupation = if retired {
                "retired"
            } else {
                *dice.pick(&[
                    "professional",
                    "professional",
                    "manager",
                    "worker",
                    "worker",
                    "professional",
                    "manager",
                    "other",
                ])
            };
            let education = if retired {
                *dice.pick(&["高中", "中等专科", "大学专科", "初中及以下", "大学本科"])
            } else {
                *dice.pick(&["大学本科", "大学本科", "研究生", "大学专科", "大学本科", "中等专科", "研究生"])
            };
            let post = match occupation {
                "manager" => *dice.pick(&["部门经理", "副经理", "主管", "科长"]),
                "worker" => *dice.pick(&["值班员", "检修工", "操作工", "班组长"]),
                "retired" => "退休",
                _ => *dice.pick(&["工程师", "高级工程师", "助理工程师", "经济师", "会计师"]),
            };
            MemberInput {
                name,
                gender: if male { idcard::Gender::Male } else { idcard::Gender::Female },
                ethnicity: dice.pick(ETHNICITIES).to_string(),
                birth_date: birth,
                id_number: id_number(dice, birth, male, taken),
                education: education.into(),
                occupation: Occupation::from_code(occupation).expect("a known occupation"),
                work_unit: node.units[dice.below(node.units.len() as u64) as usize].into(),
                post: post.into(),
                phone: format!("1{}{:09}", dice.pick(&[3, 5, 7, 8, 9]), dice.below(1_000_000_000)),
                joined_on: joined,
                converted_on: converted,
                status: if probationary { Status::Probationary } else { Status::Full },
                organization_id: org,
            }
        })
        .collect()
}

/// Loads the demo enterprise into an empty database. Every user gets `password`.
pub async fn load(
    db: &Db,
    rules: &dangwu_rules::RuleBook,
    password: &str,
    now: DateTime<Utc>,
    time_zone: chrono_tz::Tz,
) -> Result<DemoSummary, StoreError> {
    let today = now.with_timezone(&time_zone).date_naive();
    let actor = Actor { user_id: Uuid::nil(), name: "demo".into(), ip: None };
    let mut dice = Dice(0x5EED_DA26_2026_1129);
    let mut taken = std::collections::HashSet::new();
    let mut ids: Vec<Uuid> = Vec::with_capacity(TREE.len());
    let mut members_by_org: Vec<Vec<dangwu_store::members::Member>> = Vec::new();
    for (i, node) in TREE.iter().enumerate() {
        let years = if node.kind.is_committee() { 5 } else { 3 };
        // Terms started at different times; a few have already run out (re-election overdue).
        let start = today - Duration::days(dice.below(years * 365 + 200) as i64);
        let start = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
        let end = NaiveDate::from_ymd_opt(start.year() + years as i32, start.month(), start.day())
            .map(|d| d - Duration::days(1));
        let input = OrgInput {
            name: node.name.into(),
            short_name: node.short.into(),
            kind: node.kind,
            units: node.units.iter().map(|u| u.to_string()).collect(),
            established_on: NaiveDate::from_ymd_opt(1985 + (i as i32 % 30), 1 + (i as u32 % 12), 1),
            term_start: (node.kind != OrgKind::PartyGroup).then_some(start),
            term_end: if node.kind != OrgKind::PartyGroup { end } else { None },
            committee: Vec::new(),
        };
        let org = db.seed_org(&actor, node.parent.map(|p| ids[p]), &input, now).await?;
        ids.push(org.id);
        let mut members = members_for(&mut dice, node, org.id, today, &mut taken);
        if node.kind == OrgKind::TemporaryBranch {
            // A 临时党支部's people keep their relationship in their home branches (1.7a): they are
            // members of the company's branches, placed in the temporary branch below.
            for (k, m) in members.iter_mut().enumerate() {
                m.organization_id = ids[TEMPORARY_HOMES[k % TEMPORARY_HOMES.len()]];
            }
        }
        members_by_org.push(db.seed_members(&actor, &members, now).await?);
    }
    let member_count = members_by_org.iter().map(Vec::len).sum();
    // Placements: the temporary branch's people, and each party group a share of its branch's members.
    let mut placed: Vec<Vec<dangwu_store::members::Member>> = vec![Vec::new(); TREE.len()];
    for (i, node) in TREE.iter().enumerate() {
        if node.kind == OrgKind::TemporaryBranch {
            placed[i] = members_by_org[i].clone();
            for m in &members_by_org[i] {
                if let Some(home) = ids.iter().position(|id| *id == m.organization_id) {
                    placed[home].push(m.clone());
                }
            }
        }
    }
    for (i, node) in TREE.iter().enumerate() {
        let groups: Vec<usize> = TREE
            .iter()
            .enumerate()
            .filter(|(_, g)| g.kind == OrgKind::PartyGroup && g.parent == Some(i))
            .map(|(g, _)| g)
            .collect();
        if node.kind == OrgKind::PartyGroup || groups.is_empty() {
            continue;
        }
        let own: Vec<_> = members_by_org[i].iter().chain(&placed[i]).cloned().collect();
        for (k, m) in own.into_iter().enumerate() {
            placed[groups[k % groups.len()]].push(m);
        }
    }
    for (i, node) in TREE.iter().enumerate() {
        if matches!(node.kind, OrgKind::PartyGroup | OrgKind::TemporaryBranch) && !placed[i].is_empty() {
            let people: Vec<Uuid> = placed[i].iter().map(|m| m.id).collect();
            db.seed_placements(&actor, ids[i], node.kind.code(), &people, today, now).await?;
        }
    }

    // Committees: branches with seven or more full members elect a committee; smaller ones a secretary.
    let hash = crate::auth::hash_password(password).map_err(|e| StoreError::Config(e.to_string()))?;
    let mut users = Vec::new();
    let mut add_user = async |username: &str,
                              display: &str,
                              member: Option<Uuid>,
                              system: Option<SystemRole>,
                              role_text: &str|
           -> Result<Uuid, StoreError> {
        let user = db
            .create_user(
                &actor,
                &NewUser {
                    username,
                    display_name: display,
                    password_hash: &hash,
                    member_id: member,
                    system_role: system,
                },
                now,
            )
            .await?;
        users.push(DemoUser { username: username.into(), display_name: display.into(), role: role_text.into() });
        Ok(user.id)
    };
    let mut letters = b'a'..=b'z';
    let mut secretaries = Vec::new();
    for (i, node) in TREE.iter().enumerate() {
        let full: Vec<_> = members_by_org[i]
            .iter()
            .filter(|m| {
                m.status == Status::Full && (m.occupation != Occupation::Retired || node.short.contains("离退休"))
            })
            .collect();
        if full.is_empty() {
            continue;
        }
        let posts: &[&str] = if full.len() >= 7 {
            &["secretary", "deputy_secretary", "organization", "publicity", "discipline"]
        } else {
            &["secretary"]
        };
        let committee: Vec<CommitteeSeat> = posts
            .iter()
            .zip(full.iter())
            .map(|(post, m)| CommitteeSeat { member_id: Some(m.id), name: m.name.clone(), post: post.to_string() })
            .collect();
        db.seed_committee(&actor, ids[i], &committee, now).await?;
        let secretary = full[0];
        if let Some(letter) = letters.next() {
            secretaries.push((
                format!("sec_{}", letter as char),
                secretary.name.clone(),
                secretary.id,
                ids[i],
                node.short,
            ));
        }
    }
    let group = ids[0];
    let admin =
        add_user("admin", "集团党建工作部管理员", None, None, "组织部管理员（集团党委，可管理全部组织和党员）").await?;
    db.grant(&actor, admin, Role::OrgAdmin, group, now).await?;
    let power_admin =
        add_user("dianli_admin", "电力公司党委组织委员", None, None, "组织部管理员（电力公司党委）").await?;
    db.grant(&actor, power_admin, Role::OrgAdmin, ids[6], now).await?;
    let inspector = add_user("inspector", "集团党建督查组", None, None, "督查（集团党委，只读，证件号脱敏）").await?;
    db.grant(&actor, inspector, Role::Inspector, group, now).await?;
    for (username, name, member, org, short) in &secretaries {
        let id = add_user(username, name, Some(*member), None, &format!("支部书记（{short}）")).await?;
        db.grant(&actor, id, Role::Secretary, *org, now).await?;
    }
    for (k, org_index) in [2usize, 8, 17].iter().enumerate() {
        let m = &members_by_org[*org_index][members_by_org[*org_index].len() - 1];
        let username = format!("member{:02}", k + 1);
        let id =
            add_user(&username, &m.name, Some(m.id), None, &format!("党员本人（{}）", TREE[*org_index].short)).await?;
        db.grant(&actor, id, Role::Member, ids[*org_index], now).await?;
    }
    add_user("sysadmin", "系统管理员", None, Some(SystemRole::SystemAdmin), "系统管理员（账号）").await?;
    add_user("secadmin", "安全保密管理员", None, Some(SystemRole::SecurityAdmin), "安全保密管理员（授权）").await?;
    add_user("auditor", "安全审计员", None, Some(SystemRole::AuditAdmin), "安全审计员（审计日志）").await?;

    let committees: Vec<usize> =
        members_by_org.iter().map(|m| m.iter().filter(|m| m.status == Status::Full).count()).collect();
    // Whom each organization's meetings expect: a branch its own members (those placed in its temporary
    // branch included), a party group or temporary branch its placed members.
    let attending: Vec<Vec<dangwu_store::members::Member>> = TREE
        .iter()
        .enumerate()
        .map(|(i, node)| match node.kind {
            OrgKind::PartyGroup | OrgKind::TemporaryBranch => placed[i].clone(),
            _ => members_by_org[i].iter().chain(&placed[i]).cloned().collect(),
        })
        .collect();
    let meetings = meetings_for_year(&mut dice, rules, &ids, &attending, &committees, today);
    let meeting_count = meetings.len();
    db.seed_meetings(&actor, &meetings, now).await?;

    // Recruitment cases, entered by the group's admin through the use case a secretary uses.
    let branches: Vec<Uuid> =
        TREE.iter().enumerate().filter(|(_, n)| n.kind == OrgKind::Branch).map(|(i, _)| ids[i]).collect();
    let applicants = (0..7)
        .map(|k| {
            let male = k % 2 == 0;
            let birth = NaiveDate::from_ymd_opt(1994 + k, 1 + k as u32, 10 + k as u32).unwrap_or(today);
            recruitment::Applicant {
                name: format!("{}{}", dice.pick(SURNAMES), dice.pick(if male { GIVEN_MALE } else { GIVEN_FEMALE })),
                gender: if male { idcard::Gender::Male } else { idcard::Gender::Female },
                birth_date: birth,
                id_number: id_number(&mut dice, birth, male, &mut taken),
            }
        })
        .collect();
    let rule_book = std::sync::Arc::new(rules.clone());
    let ctx = crate::domain::Ctx { db, rules: &rule_book, today, now };
    let admin_actor = Actor { user_id: admin, name: "集团党建工作部管理员".into(), ip: None };
    recruitment::load(&ctx, &admin_actor, &branches, applicants).await?;

    Ok(DemoSummary { organizations: TREE.len(), members: member_count, meetings: meeting_count, users })
}

/// Branches that fall behind in the demo year, so the dashboards show something true.
const LAGGING: [&str; 4] = ["通风队党支部", "审计中心党支部", "综采二队党支部", "新能源项目临时党支部"];

const TOPICS: &[(&str, &[&str])] = &[
    (
        "general_meeting",
        &[
            "讨论接收预备党员",
            "学习贯彻党的二十届四中全会精神",
            "支部半年工作总结",
            "民主评议党员动员",
            "讨论预备党员转正",
        ],
    ),
    (
        "branch_committee",
        &[
            "研究本月支部工作安排",
            "研究发展党员工作",
            "研究党费收缴情况",
            "研究主题党日活动方案",
            "研究安全生产中的党建工作",
        ],
    ),
    ("party_group_meeting", &["学习党章党规", "交流岗位建功心得", "学习安全生产规程", "讨论党员先锋岗创建"]),
    (
        "party_lecture",
        &[
            "传承红色基因 勇担时代使命",
            "以高质量党建引领企业高质量发展",
            "学习新修订的纪律处分条例",
            "弘扬劳模精神和工匠精神",
        ],
    ),
    (
        "theme_day",
        &["重温入党誓词", "参观红色教育基地", "安全生产隐患排查志愿服务", "党员先锋岗技能比武", "学习身边榜样事迹"],
    ),
    (
        "party_committee",
        &["第一议题：学习习近平总书记重要讲话精神", "研究年度党建工作要点", "研究“三重一大”事项前置研究讨论"],
    ),
    ("central_study", &["专题学习：国有企业改革深化提升行动", "专题学习：全面从严治党"]),
];

fn topic(dice: &mut Dice, kind: &str) -> String {
    TOPICS.iter().find(|(k, _)| *k == kind).map(|(_, t)| dice.pick(t).to_string()).unwrap_or_else(|| "组织生活".into())
}

/// A year of meetings (January to today) for every organization, by the rules' frequencies; a few
/// branches skip some, and attendance varies from meeting to meeting.
fn meetings_for_year(
    dice: &mut Dice,
    rules: &dangwu_rules::RuleBook,
    ids: &[Uuid],
    members: &[Vec<dangwu_store::members::Member>],
    full_counts: &[usize],
    today: NaiveDate,
) -> Vec<dangwu_store::meetings::MeetingInput> {
    use dangwu_store::meetings::{AgendaItem, AttendeeInput, MeetingInput, QuorumRecord, VoteRecord};
    let mut out = Vec::new();
    let year = today.year();
    for (i, node) in TREE.iter().enumerate() {
        let lagging = LAGGING.contains(&node.short);
        let skip = if lagging { 45 } else { 4 };
        let is_branch = node.kind.is_branch();
        // The members who attend: a branch's own, a party group's or temporary branch's placed members.
        let attendees_of = |org: usize| -> &[dangwu_store::members::Member] { &members[org] };
        let mut schedule: Vec<(&str, NaiveDate)> = Vec::new();
        for month in 1..=12u32 {
            let day = |d: u32| NaiveDate::from_ymd_opt(year, month, d);
            let Some(first) = day(1) else { continue };
            if first > today {
                break;
            }
            match node.kind {
                OrgKind::PartyGroup => {
                    schedule.push(("party_group_meeting", first + Duration::days(9 + dice.below(15) as i64)))
                }
                OrgKind::GroupCommittee | OrgKind::PrimaryCommittee => {
                    schedule.push(("party_committee", first + Duration::days(4 + dice.below(10) as i64)));
                    if month % 3 == 2 {
                        schedule.push(("central_study", first + Duration::days(14 + dice.below(10) as i64)));
                    }
                }
                _ if is_branch => {
                    schedule.push(("theme_day", first + Duration::days(dice.below(25) as i64)));
                    if full_counts[i] >= 7 {
                        schedule.push(("branch_committee", first + Duration::days(2 + dice.below(20) as i64)));
                    }
                    if month % 3 == 2 {
                        schedule.push(("general_meeting", first + Duration::days(10 + dice.below(15) as i64)));
                        schedule.push(("party_lecture", first + Duration::days(15 + dice.below(10) as i64)));
                    }
                    // A few talks a month, each between two of the branch's people.
                    for _ in 0..2 {
                        schedule.push(("heart_to_heart_talk", first + Duration::days(dice.below(27) as i64)));
                    }
                }
                _ => {}
            }
        }
        for (kind, date) in schedule {
            if date > today || dice.chance(skip) {
                continue;
            }
            let people = attendees_of(i);
            let attendees: Vec<AttendeeInput> = people
                .iter()
                .map(|m| {
                    let roll = dice.below(100);
                    let (status, reason) = match roll {
                        0..=6 => ("leave", *dice.pick(&["出差", "病假", "值班", "外出培训"])),
                        7..=9 if !lagging => ("absent", ""),
                        7..=24 if lagging => ("absent", ""),
                        _ => ("present", ""),
                    };
                    let status = Attendance::from_code(status).expect("a known attendance");
                    AttendeeInput { member_id: m.id, status, reason: reason.into() }
                })
                .collect();
            // A talk names its two people, both present.
            let attendees = if kind == "heart_to_heart_talk" {
                if people.len() < 2 {
                    continue;
                }
                let n = people.len() as u64;
                let first = dice.below(n);
                let second = (first + 1 + dice.below(n - 1)) % n;
                [first, second]
                    .iter()
                    .map(|&k| AttendeeInput {
                        member_id: people[k as usize].id,
                        status: Attendance::Present,
                        reason: String::new(),
                    })
                    .collect()
            } else {
                attendees
            };
            let full: Vec<Uuid> = people.iter().filter(|m| m.status == Status::Full).map(|m| m.id).collect();
            let present_full =
                attendees.iter().filter(|a| a.status == Attendance::Present && full.contains(&a.member_id)).count()
                    as u32;
            let body = dangwu_rules::orglife::VotingBody {
                full_members: full.len() as u32,
                probationary_members: 0,
                excluded: 0,
            };
            let quorum = dangwu_rules::orglife::general_meeting_quorum(rules, date, &body, present_full).ok();
            if kind == "general_meeting" && !quorum.as_ref().is_some_and(|q| q.met) {
                continue; // a meeting without quorum would not have been recorded
            }
            let votes = if kind == "general_meeting" && dice.chance(40) {
                let in_favour = present_full.saturating_sub(dice.below(2) as u32);
                dangwu_rules::orglife::general_meeting_vote(rules, date, &body, in_favour)
                    .map(|o| {
                        vec![VoteRecord {
                            motion: "接收预备党员".into(),
                            in_favour,
                            against: 0,
                            abstain: present_full - in_favour,
                            written_in_favour: 0,
                            written_against: 0,
                            written_abstain: 0,
                            base: o.base,
                            required: o.required,
                            passed: o.passed,
                            rule: o.rule.into(),
                            message: o.message,
                        }]
                    })
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            let secretary = people.first().map(|m| m.name.clone()).unwrap_or_default();
            let topic = topic(dice, kind);
            out.push(MeetingInput {
                organization_id: ids[i],
                kind: RecordKind::from_code(kind).expect("a known kind"),
                status: MeetingStatus::Held,
                planned_on: None,
                held_on: Some(date),
                start_time: "14:30".into(),
                end_time: "16:30".into(),
                place: dice.pick(&["党员活动室", "三楼会议室", "班组学习室", "红色教育基地"]).to_string(),
                chair: secretary.clone(),
                recorder: people.get(1).map(|m| m.name.clone()).unwrap_or_default(),
                lecturer: if kind == "party_lecture" { secretary.clone() } else { String::new() },
                secretary_lecture: kind == "party_lecture" && date.month() == 5,
                agenda: vec![
                    AgendaItem {
                        title: "传达学习上级重要讲话和文件精神".into(), first_topic: true, decision: false
                    },
                    AgendaItem { title: topic.clone(), first_topic: false, decision: kind != "theme_day" },
                ],
                topic,
                minutes: "会议由书记主持。与会同志围绕议题进行了认真讨论，结合工作实际谈了体会和打算。".into(),
                decisions: if kind == "branch_committee" {
                    "按计划推进本月各项工作。".into()
                } else {
                    String::new()
                },
                // Kept with the record as the use case keeps it, so the demo's records read like real ones.
                quorum: quorum.filter(|_| kind == "general_meeting").map(|q| QuorumRecord {
                    entitled: q.entitled,
                    present: q.present,
                    required: q.required,
                    met: q.met,
                    rule: q.rule.to_owned(),
                    message: q.message,
                    exclusions: Vec::new(),
                    without_vote: 0,
                }),
                votes,
                attachments: Vec::new(),
                // Some branches hold the year's 民主评议 with their 组织生活会 instead of apart.
                with_appraisal: kind == "life_meeting" && i % 3 == 0,
                election: None,
                attendees,
                issues: Vec::new(),
            });
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tree_shape_follows_the_rules() {
        for node in TREE {
            let parent = node.parent.map(|p| TREE[p].kind);
            assert!(dangwu_rules::org::allowed_under(parent, node.kind), "{}", node.name);
        }
    }

    #[test]
    fn generated_id_numbers_are_valid_and_match_birth_and_gender() {
        let mut dice = Dice(7);
        let mut taken = std::collections::HashSet::new();
        let today = NaiveDate::from_ymd_opt(2026, 11, 29).unwrap();
        let members = members_for(&mut dice, &TREE[2], Uuid::nil(), today, &mut taken);
        assert_eq!(members.len(), TREE[2].members as usize);
        for m in members {
            let id = idcard::parse(&m.id_number).unwrap();
            assert_eq!(id.birth_date, m.birth_date);
            assert_eq!(id.gender, m.gender);
            let status = m.status;
            assert!(
                dangwu_rules::member::check_dates(m.birth_date, m.joined_on, m.converted_on, status, today).is_empty(),
                "{m:?}"
            );
        }
    }
}
