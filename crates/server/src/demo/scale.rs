//! The demo enterprise at scale (`dangwu demo --scale large|medium`): a group of tens of thousands of
//! Party organizations over five levels, hundreds of thousands of members and a year of meeting
//! records, generated from a seed (the same seed and day give the same data) and written in bulk
//! (`dangwu_store::bulk`). The benchmarks (`dangwu-bench generate`) load their data with it.
//!
//! What is generated:
//! - **Organizations**: one group committee → primary committees → general branches (most primary
//!   committees' branches sit under one) → branches (about 3% joint, 2% temporary) → party groups
//!   (about half of the ordinary branches have two to four). Created one by one through
//!   `Db::seed_org` (closure table and audit as in production), each with a committee of names
//!   (seven for a committee, five for a general branch, a 支部委员会 of three to five in most
//!   branches of seven or more, a secretary only in the others).
//! - **Members** in proportion to the branches' sizes: about 30% women; born over sixty years up to
//!   22 years before today, joining between 18 and 40; those over 60 mostly retired; about 92% 汉族
//!   and the rest of ten named minorities; education by age; about 3% probationary (joined within the
//!   last year, `converted_on` absent); checksum-valid, unique ID numbers matching birth date and
//!   gender; unique mobile numbers. A temporary branch's people keep their membership in the branches
//!   of its parent and are placed (编入) in it; the members of a branch with party groups are placed in
//!   them in turn.
//! - **Meetings**: every organization's calendar (主题党日 and 支委会 monthly, 党员大会 and 党课
//!   quarterly, 党小组会 monthly, 党委会 monthly, 理论学习中心组 every other month, 组织生活会 and
//!   民主评议 in December, some 谈心谈话), on random days, about 5% of branches falling behind: this
//!   year in full (held up to today, planned after), then earlier months, newest first, until the
//!   plan's number of records.
//! - **Attendance** only for the held meetings of the last [`Plan::attendance_days`] days (of branches
//!   and party groups, their 支委会 aside): a row for every expected member of every held meeting of
//!   a year would be some twenty million rows for the large scale, an hour of writing on SQLite for
//!   data nobody reads in bulk. The other records keep their counts (`present`, `expected`), which
//!   is what the compliance views read.
//! - **民主评议党员** of last year for every branch with members: grades decided at the December
//!   meeting where it was held, proposed only where it was skipped.
//! - **Accounts** as the small demo has them (an organization administrator of the group, one of a
//!   primary committee, an inspector, a branch secretary, a member, the three system roles).

use std::collections::{HashMap, HashSet};
use std::time::{Duration as StdDuration, Instant};

use chrono::{DateTime, Datelike, Duration, NaiveDate, TimeZone, Utc};
use dangwu_rules::codes::{Attendance, MeetingStatus, RecordKind};
use dangwu_rules::idcard::{self, Gender};
use dangwu_rules::member::{Occupation, Status, birthday};
use dangwu_rules::org::OrgKind;
use dangwu_store::accounts::NewUser;
use dangwu_store::appraisals::{Grade, Stage};
use dangwu_store::bulk::{BulkAppraisal, BulkAppraisalEntry, BulkAttendee, BulkMeeting, BulkPlacement};
use dangwu_store::meetings::AgendaItem;
use dangwu_store::members::MemberInput;
use dangwu_store::orgs::{CommitteeSeat, OrgInput};
use dangwu_store::{Actor, Db, Engine, Role, StoreError, SystemRole, new_id};
use uuid::Uuid;

use super::DemoUser;

/// The seed `dangwu demo --scale` uses unless told otherwise.
pub const DEFAULT_SEED: u64 = 20_261_129;

/// The sizes `dangwu demo --scale` offers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Scale {
    /// About 60 organizations and 600 members: for tests.
    Tiny,
    /// About 4,000 organizations, 50,000 members, 150,000 meeting records.
    Medium,
    /// About 40,000 organizations, 500,000 members, 1.5 million meeting records.
    Large,
}

impl Scale {
    pub fn from_name(name: &str) -> Option<Scale> {
        match name {
            "tiny" => Some(Scale::Tiny),
            "medium" => Some(Scale::Medium),
            "large" => Some(Scale::Large),
            _ => None,
        }
    }

    pub fn plan(self) -> Plan {
        match self {
            Scale::Tiny => Plan { organizations: 60, primaries: 2, members: 600, meetings: 3_000, attendance_days: 90 },
            Scale::Medium => {
                Plan { organizations: 4_000, primaries: 4, members: 50_000, meetings: 150_000, attendance_days: 90 }
            }
            Scale::Large => Plan {
                organizations: 40_000,
                primaries: 40,
                members: 500_000,
                meetings: 1_500_000,
                attendance_days: 90,
            },
        }
    }
}

/// How much to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Plan {
    /// Organizations in all (approximately: a branch is kept together with its party groups).
    pub organizations: usize,
    /// Primary committees under the group committee (at least one per ten organizations).
    pub primaries: usize,
    pub members: usize,
    /// Meeting records in all: this year first, then earlier months.
    pub meetings: usize,
    /// Held meetings of the last this many days get attendance rows.
    pub attendance_days: i64,
}

/// Why a generation did not run or stopped.
#[derive(Debug, thiserror::Error)]
pub enum ScaleError {
    #[error("数据库中已有数据，未生成演示数据：请使用空数据库（新的 SQLite 文件，或新建的 PostgreSQL 数据库）")]
    NotEmpty,
    #[error("生成规模无效：{0}")]
    Plan(String),
    #[error(transparent)]
    Store(#[from] StoreError),
}

/// A stage's progress: reported every few seconds while it runs, and once when it is done.
#[derive(Debug, Clone)]
pub struct Progress {
    /// The stage, in Chinese (党组织, 党员, 编入, 组织生活记录, 出席记录, 民主评议).
    pub stage: &'static str,
    pub rows: u64,
    pub total: u64,
    pub elapsed: StdDuration,
    pub done: bool,
}

impl Progress {
    pub fn rate(&self) -> f64 {
        self.rows as f64 / self.elapsed.as_secs_f64().max(1e-3)
    }
}

/// What was generated.
#[derive(Debug)]
pub struct ScaleSummary {
    pub root: Uuid,
    pub organizations: usize,
    /// Organizations by kind (the kind's name, how many).
    pub by_kind: Vec<(&'static str, usize)>,
    pub members: usize,
    pub placements: usize,
    pub meetings: usize,
    pub attendance: usize,
    pub appraisals: usize,
    pub appraisal_entries: usize,
    pub users: Vec<DemoUser>,
    pub elapsed: StdDuration,
}

/// Where and how to generate.
#[derive(Debug, Clone)]
pub struct Options {
    pub plan: Plan,
    pub seed: u64,
    /// The day records run up to (meetings after it are planned, not held).
    pub today: NaiveDate,
    /// The time written into the records' audit.
    pub now: DateTime<Utc>,
    /// Every demo account's password.
    pub password: String,
}

/// A small deterministic generator (xorshift64*): variety, not security.
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn roll(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        (self.roll() >> 11) % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
    /// An item by weight: `items` are (weight, item).
    fn weighted<T: Copy>(&mut self, items: &[(u64, T)]) -> T {
        let total: u64 = items.iter().map(|(w, _)| w).sum();
        let mut roll = self.below(total);
        for (w, item) in items {
            if roll < *w {
                return *item;
            }
            roll -= w;
        }
        items[items.len() - 1].1
    }
    fn day_between(&mut self, from: NaiveDate, to: NaiveDate) -> NaiveDate {
        let span = (to - from).num_days().max(1) as u64;
        from + Duration::days(self.below(span) as i64)
    }
}

/// Surnames, most common first; picked with a skew towards the front, as in the population.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "欧阳", "司马",
];
const MALE_CHARS: &[&str] = &[
    "伟", "强", "磊", "军", "勇", "杰", "涛", "斌", "超", "明", "刚", "平", "辉", "鹏", "华", "飞", "鑫", "波", "宁",
    "建", "国", "志", "海", "东", "文", "博", "振", "立", "新", "峰", "宇", "浩", "俊", "林", "亮", "成", "健", "瑞",
    "彬", "荣", "德", "福", "生", "龙", "武", "清", "安", "永", "卫", "晓",
];
const FEMALE_CHARS: &[&str] = &[
    "芳", "娜", "敏", "静", "丽", "艳", "娟", "霞", "玲", "婷", "雪", "慧", "颖", "琳", "晶", "红", "梅", "秀", "英",
    "华", "燕", "雅", "琴", "思", "雨", "欣", "怡", "佳", "琪", "洁", "兰", "凤", "玉", "丹", "宁", "春", "晓", "文",
];
const MINORITIES: &[&str] = &["回族", "满族", "蒙古族", "壮族", "土家族", "苗族", "维吾尔族", "藏族", "彝族", "朝鲜族"];
const UNITS: &[&str] = &[
    "发电",
    "检修",
    "运行",
    "营销",
    "煤业",
    "化工",
    "物流",
    "建设",
    "科技",
    "新能源",
    "工程",
    "装备",
    "财务",
    "物资",
    "培训",
    "信息",
];
const TEAMS: &[&str] = &[
    "机关",
    "运行一值",
    "运行二值",
    "运行三值",
    "检修",
    "综采一队",
    "综采二队",
    "机电队",
    "通风队",
    "安监",
    "调度",
    "生产技术",
    "设备管理",
    "市场营销",
    "财务资产",
    "综合服务",
    "项目部",
    "研发",
    "质量",
    "仓储",
];
const PLACES: &[&str] = &["党员活动室", "三楼会议室", "班组学习室", "红色教育基地", "线上会议", "生产现场"];
const MINUTES: &str = "会议由书记主持。首先传达学习上级重要讲话和文件精神，与会同志围绕议题进行了认真讨论，\
    结合岗位实际谈了学习体会和下一步工作打算。会议对近期重点工作作了安排。";
const LEAVE_REASONS: &[&str] = &["出差", "病假", "值班", "外出培训", "事假"];

fn person_name(dice: &mut Dice, male: bool) -> String {
    // About half of the population shares the first twenty surnames.
    let s = if dice.chance(50) { dice.below(20) } else { dice.below(SURNAMES.len() as u64) } as usize;
    let chars = if male { MALE_CHARS } else { FEMALE_CHARS };
    let mut name = SURNAMES[s].to_owned();
    name.push_str(chars[dice.below(chars.len() as u64) as usize]);
    if dice.chance(70) {
        name.push_str(chars[dice.below(chars.len() as u64) as usize]);
    }
    name
}

/// One organization to create.
struct Spec {
    parent: Option<usize>,
    depth: u8,
    kind: OrgKind,
    name: String,
    short: String,
    unit: String,
    /// Committee seats (支部委员会 with three or more; otherwise a secretary only).
    seats: usize,
    lagging: bool,
    /// The weight of the organization in the spread of members (branches).
    size: i64,
}

/// Party groups of a branch: about half have none, larger ones two to four.
fn party_groups(dice: &mut Dice) -> usize {
    match dice.below(100) {
        0..=54 => 0,
        55..=79 => 2,
        80..=94 => 3,
        _ => 4,
    }
}

/// The tree: about `n` organizations under one group committee and `primaries` primary committees.
fn plan_tree(n: usize, primaries: usize, dice: &mut Dice) -> Vec<Spec> {
    let mut out = vec![Spec {
        parent: None,
        depth: 0,
        kind: OrgKind::GroupCommittee,
        name: "中共华夏能源集团有限公司委员会".into(),
        short: "集团党委".into(),
        unit: "华夏能源集团有限公司".into(),
        seats: 9,
        lagging: false,
        size: 0,
    }];
    let rest = n.saturating_sub(1 + primaries);
    for p in 0..primaries {
        let unit = format!("华夏{}第{}有限公司", UNITS[p % UNITS.len()], p / UNITS.len() + 1);
        let pi = out.len();
        out.push(Spec {
            parent: Some(0),
            depth: 1,
            kind: OrgKind::PrimaryCommittee,
            name: format!("中共{unit}委员会"),
            short: format!("{}党委", unit.trim_start_matches("华夏").trim_end_matches("有限公司")),
            unit: unit.clone(),
            seats: 7,
            lagging: false,
            size: 0,
        });
        let mut budget = rest / primaries + usize::from(p < rest % primaries);
        let (mut general_no, mut branch_no) = (0, 0);
        let mut add_branch = |out: &mut Vec<Spec>, dice: &mut Dice, parent: usize, budget: &mut usize| {
            branch_no += 1;
            let team = dice.pick(TEAMS);
            let kind = match dice.below(100) {
                0..=2 => OrgKind::JointBranch,
                3..=4 => OrgKind::TemporaryBranch,
                _ => OrgKind::Branch,
            };
            let lagging = dice.chance(5);
            let size = 6 + dice.below(40) as i64;
            let seats = if size >= 7 && dice.chance(80) { 3 + dice.below(3) as usize } else { 1 };
            let (name, short) = if kind == OrgKind::TemporaryBranch {
                (format!("中共{unit}{team}第{branch_no}项目临时支部委员会"), format!("{team}第{branch_no}临时党支部"))
            } else {
                (format!("中共{unit}{team}第{branch_no}支部委员会"), format!("{team}第{branch_no}党支部"))
            };
            let bi = out.len();
            out.push(Spec {
                parent: Some(parent),
                depth: out[parent].depth + 1,
                kind,
                name,
                short,
                unit: unit.clone(),
                seats,
                lagging,
                size,
            });
            *budget -= 1;
            // A temporary branch's people are placed in it whole; its own groups are left out.
            let groups = if kind == OrgKind::TemporaryBranch { 0 } else { party_groups(dice).min(*budget) };
            for g in 1..=groups {
                out.push(Spec {
                    parent: Some(bi),
                    depth: out[bi].depth + 1,
                    kind: OrgKind::PartyGroup,
                    name: format!("{team}第{branch_no}支部第{g}党小组"),
                    short: format!("{team}{branch_no}支{g}组"),
                    unit: unit.clone(),
                    seats: 0,
                    lagging,
                    size: 0,
                });
                *budget -= 1;
            }
        };
        while budget > 0 {
            if budget < 8 || dice.chance(10) {
                add_branch(&mut out, dice, pi, &mut budget);
            } else {
                general_no += 1;
                let gi = out.len();
                out.push(Spec {
                    parent: Some(pi),
                    depth: 2,
                    kind: OrgKind::GeneralBranch,
                    name: format!("中共{unit}第{general_no}总支部委员会"),
                    short: format!("第{general_no}党总支"),
                    unit: unit.clone(),
                    seats: 5,
                    lagging: false,
                    size: 0,
                });
                budget -= 1;
                for _ in 0..10 + dice.below(15) {
                    if budget == 0 {
                        break;
                    }
                    add_branch(&mut out, dice, gi, &mut budget);
                }
            }
        }
    }
    out
}

/// Meeting kinds generated, with topics each.
const KINDS: &[(RecordKind, &[&str])] = &[
    (RecordKind::ThemeDay, &["重温入党誓词", "参观红色教育基地", "志愿服务进社区", "安全生产主题党日", "学习党章党规"]),
    (
        RecordKind::BranchCommittee,
        &["研究本月支部工作安排", "研究发展党员工作", "研究党费收缴情况", "研究主题党日活动方案"],
    ),
    (
        RecordKind::GeneralMeeting,
        &["讨论接收预备党员", "学习贯彻党的二十届四中全会精神", "支部半年工作总结", "讨论预备党员转正"],
    ),
    (RecordKind::PartyLecture, &["学习党的创新理论", "弘扬伟大建党精神", "以高质量党建引领高质量发展", "严守纪律规矩"]),
    (
        RecordKind::PartyGroupMeeting,
        &["学习上级文件精神", "交流岗位工作体会", "开展批评与自我批评", "讨论班组安全工作"],
    ),
    (RecordKind::LifeMeeting, &["年度组织生活会", "专题组织生活会"]),
    (RecordKind::DemocraticAppraisal, &["年度民主评议党员"]),
    (RecordKind::HeartToHeartTalk, &["支部委员与党员谈心谈话", "党员之间谈心谈话"]),
    (
        RecordKind::PartyCommittee,
        &["研究部署党建工作", "研究干部人事事项", "研究“三重一大”事项", "听取基层党建工作汇报"],
    ),
    (RecordKind::CentralStudy, &["理论学习中心组专题学习", "学习习近平新时代中国特色社会主义思想"]),
];

fn kind_index(kind: RecordKind) -> u8 {
    KINDS.iter().position(|(k, _)| *k == kind).expect("a generated kind") as u8
}

/// One meeting record, compact until it is written.
#[derive(Clone, Copy)]
struct Rec {
    org: u32,
    kind: u8,
    date: NaiveDate,
    secretary: bool,
    variant: u16,
}

/// The meetings organization `o` holds (or plans) in one month.
fn month_of(dice: &mut Dice, o: usize, spec: &Spec, year: i32, month: u32, out: &mut Vec<Rec>) {
    let skip = if spec.lagging { 40 } else { 2 };
    let mut add = |dice: &mut Dice, kind: RecordKind, from_day: u32, secretary: bool| {
        if dice.chance(skip) {
            return;
        }
        let day = (from_day + dice.below(28 - u64::from(from_day.min(27))) as u32).clamp(1, 28);
        let date = NaiveDate::from_ymd_opt(year, month, day).expect("day 1–28");
        out.push(Rec { org: o as u32, kind: kind_index(kind), date, secretary, variant: dice.below(1 << 16) as u16 });
    };
    match spec.kind {
        OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch => {
            add(dice, RecordKind::ThemeDay, 1, false);
            if spec.seats >= 3 {
                add(dice, RecordKind::BranchCommittee, 2, false);
            }
            if month % 3 == 2 {
                add(dice, RecordKind::GeneralMeeting, 8, false);
                // One of the year's lectures is given by the secretary (书记讲党课).
                add(dice, RecordKind::PartyLecture, 12, month == 5);
            }
            if dice.chance(30) {
                add(dice, RecordKind::HeartToHeartTalk, 1, false);
            }
            if month == 12 {
                add(dice, RecordKind::LifeMeeting, 10, false);
                add(dice, RecordKind::DemocraticAppraisal, 15, false);
            }
        }
        OrgKind::PartyGroup => add(dice, RecordKind::PartyGroupMeeting, 5, false),
        OrgKind::GeneralBranch => {
            add(dice, RecordKind::PartyCommittee, 1, false);
            if month == 6 {
                add(dice, RecordKind::PartyLecture, 10, true);
            }
        }
        _ => {
            add(dice, RecordKind::PartyCommittee, 1, false);
            if month.is_multiple_of(2) {
                add(dice, RecordKind::CentralStudy, 10, false);
            }
            if month == 6 {
                add(dice, RecordKind::PartyLecture, 10, true);
            }
        }
    }
}

/// One attendee of a meeting: the person (index in the generated members), how they attended, why not.
type Attendee = (u32, Attendance, &'static str);

/// A generated member, as the later stages need them.
struct Person {
    id: Uuid,
    name: String,
    joined: NaiveDate,
    probationary: bool,
}

/// Reports progress at most every five seconds, and always at the end of a stage.
struct Reporter<'a> {
    sink: &'a mut (dyn FnMut(&Progress) + Send),
    stage: &'static str,
    total: u64,
    rows: u64,
    started: Instant,
    last: Instant,
}

impl<'a> Reporter<'a> {
    fn start(sink: &'a mut (dyn FnMut(&Progress) + Send), stage: &'static str, total: u64) -> Reporter<'a> {
        Reporter { sink, stage, total, rows: 0, started: Instant::now(), last: Instant::now() }
    }
    fn add(&mut self, rows: u64) {
        self.rows += rows;
        if self.last.elapsed().as_secs() >= 5 {
            self.last = Instant::now();
            self.emit(false);
        }
    }
    fn emit(&mut self, done: bool) {
        let p =
            Progress { stage: self.stage, rows: self.rows, total: self.total, elapsed: self.started.elapsed(), done };
        (self.sink)(&p);
    }
    fn finish(mut self) {
        self.emit(true);
    }
}

/// Rows a bulk call writes in one transaction.
const TX_ROWS: usize = 20_000;

fn member_input(
    dice: &mut Dice,
    taken: &mut HashSet<String>,
    phones: &mut HashSet<u64>,
    today: NaiveDate,
    org: Uuid,
    unit: &str,
) -> MemberInput {
    let male = !dice.chance(30);
    // Born between 81 and 22 years ago, most of working age.
    let year = today.year();
    let (oldest, youngest) = if dice.chance(18) { (year - 81, year - 61) } else { (year - 60, year - 22) };
    let birth = dice.day_between(
        NaiveDate::from_ymd_opt(oldest, 1, 1).expect("a year"),
        NaiveDate::from_ymd_opt(youngest, 12, 31).expect("a year"),
    );
    let age = year - birth.year();
    let adult = birthday(birth, 18);
    // About 3% probationary: joined within the last year, not yet converted.
    let probationary = age < 60 && dice.chance(3);
    let joined = if probationary {
        dice.day_between((today - Duration::days(330)).max(adult), today - Duration::days(20))
    } else {
        let at = birthday(birth, 18 + dice.below(23) as i32) + Duration::days(dice.below(365) as i64);
        // Joined at least 13 months ago, so the year of probation is over.
        at.min(today - Duration::days(400 + dice.below(200) as i64)).max(adult)
    };
    let converted = (!probationary).then(|| birthday(joined, 1));
    let retired = age >= 60 && dice.chance(85);
    let occupation = if retired {
        Occupation::Retired
    } else {
        dice.weighted(&[
            (40, Occupation::Worker),
            (30, Occupation::Professional),
            (18, Occupation::Manager),
            (2, Occupation::Official),
            (10, Occupation::Other),
        ])
    };
    let education = if age >= 60 {
        dice.weighted(&[(15, "初中及以下"), (25, "高中"), (20, "中等专科"), (25, "大学专科"), (15, "大学本科")])
    } else {
        dice.weighted(&[
            (2, "初中及以下"),
            (6, "高中"),
            (10, "中等专科"),
            (25, "大学专科"),
            (45, "大学本科"),
            (12, "研究生"),
        ])
    };
    let post = match occupation {
        Occupation::Manager => *dice.pick(&["部门经理", "副经理", "主管", "科长", "主任"]),
        Occupation::Worker => *dice.pick(&["值班员", "检修工", "操作工", "班组长", "调度员"]),
        Occupation::Retired => "退休",
        Occupation::Other => *dice.pick(&["办事员", "驾驶员", "综合服务"]),
        _ => *dice.pick(&["工程师", "高级工程师", "助理工程师", "经济师", "会计师", "技术员"]),
    };
    let id_number = loop {
        let mut seq = dice.below(1000) as u32;
        if (seq % 2 == 1) != male {
            seq = (seq + 1) % 1000;
        }
        let body = format!("{}{}{seq:03}", dice.pick(super::REGIONS), birth.format("%Y%m%d"));
        let full = format!("{body}{}", idcard::check_char(&body).expect("17 digits"));
        if taken.insert(full.clone()) {
            break full;
        }
    };
    let phone = loop {
        let p = (13 + u64::from(*dice.pick(&[0u8, 2, 4, 5, 6]))) * 1_000_000_000 + dice.below(1_000_000_000);
        if phones.insert(p) {
            break p.to_string();
        }
    };
    MemberInput {
        name: person_name(dice, male),
        gender: if male { Gender::Male } else { Gender::Female },
        ethnicity: if dice.chance(92) { "汉族".into() } else { dice.pick(MINORITIES).to_string() },
        birth_date: birth,
        id_number,
        education: education.into(),
        occupation,
        work_unit: unit.into(),
        post: post.into(),
        phone,
        joined_on: joined,
        converted_on: converted,
        status: if probationary { Status::Probationary } else { Status::Full },
        organization_id: org,
    }
}

/// Generates the demo enterprise at `options.plan` into an empty database, reporting each stage's
/// progress to `progress`.
pub async fn generate(
    db: &Db,
    options: &Options,
    progress: &mut (dyn FnMut(&Progress) + Send),
) -> Result<ScaleSummary, ScaleError> {
    let started = Instant::now();
    let plan = options.plan;
    if plan.primaries == 0 || plan.organizations < plan.primaries * 10 {
        return Err(ScaleError::Plan("每个二级党委至少应有十个党组织".into()));
    }
    if !db.is_empty().await? {
        return Err(ScaleError::NotEmpty);
    }
    let (today, now) = (options.today, options.now);
    let actor = Actor { user_id: Uuid::nil(), name: "demo".into(), ip: None };
    let mut dice = Dice::new(options.seed);

    // ---- organizations -------------------------------------------------------------------------
    let specs = plan_tree(plan.organizations, plan.primaries, &mut dice);
    let concurrency = match db.engine() {
        Engine::Sqlite => 1,
        Engine::Postgres => 4,
    };
    let mut report = Reporter::start(progress, "党组织", specs.len() as u64);
    let mut ids: Vec<Uuid> = vec![Uuid::nil(); specs.len()];
    let mut chairs: Vec<String> = Vec::with_capacity(specs.len());
    let max_depth = specs.iter().map(|s| s.depth).max().unwrap_or(0);
    let mut inputs: Vec<Option<OrgInput>> = Vec::with_capacity(specs.len());
    for (i, spec) in specs.iter().enumerate() {
        let years = if spec.kind.is_committee() { 5 } else { 3 };
        // Terms started at different times; a few have already run out (re-election overdue).
        let start = today - Duration::days(dice.below(years * 365 + 200) as i64);
        let start = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
        let end = NaiveDate::from_ymd_opt(start.year() + years as i32, start.month(), 1).map(|d| d - Duration::days(1));
        let group = spec.kind == OrgKind::PartyGroup;
        let posts = ["secretary", "deputy_secretary", "organization", "publicity", "discipline", "youth", "member"];
        let committee: Vec<CommitteeSeat> = (0..spec.seats)
            .map(|k| CommitteeSeat {
                member_id: None,
                name: {
                    let male = !dice.chance(30);
                    person_name(&mut dice, male)
                },
                post: posts[k.min(posts.len() - 1)].into(),
            })
            .collect();
        chairs.push(committee.first().map(|s| s.name.clone()).unwrap_or_else(|| person_name(&mut dice, true)));
        inputs.push(Some(OrgInput {
            name: spec.name.clone(),
            short_name: spec.short.clone(),
            kind: spec.kind,
            units: vec![spec.unit.clone()],
            established_on: NaiveDate::from_ymd_opt(1990 + (i % 30) as i32, 1 + (i % 12) as u32, 1),
            term_start: (!group).then_some(start),
            term_end: if group { None } else { end },
            committee,
        }));
    }
    for depth in 0..=max_depth {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, spec) in specs.iter().enumerate().filter(|(_, s)| s.depth == depth) {
            let input = inputs[i].take().expect("each organization once");
            let parent = spec.parent.map(|p| ids[p]);
            let (db, actor) = (db.clone(), actor.clone());
            tasks.spawn(async move { db.seed_org(&actor, parent, &input, now).await.map(|o| (i, o.id)) });
            while tasks.len() >= concurrency {
                let (i, id) = tasks.join_next().await.expect("a task").expect("the task ran")?;
                ids[i] = id;
                report.add(1);
            }
        }
        while let Some(res) = tasks.join_next().await {
            let (i, id) = res.expect("the task ran")?;
            ids[i] = id;
            report.add(1);
        }
    }
    report.finish();

    // ---- members ---------------------------------------------------------------------------------
    // Spread over the branches that hold members (a temporary branch's people are members at home).
    let holders: Vec<usize> =
        (0..specs.len()).filter(|&i| matches!(specs[i].kind, OrgKind::Branch | OrgKind::JointBranch)).collect();
    let weight: i64 = holders.iter().map(|&i| specs[i].size).sum::<i64>().max(1);
    let mut people: Vec<Person> = Vec::with_capacity(plan.members);
    let mut members_of: Vec<Vec<u32>> = vec![Vec::new(); specs.len()];
    let mut taken = HashSet::with_capacity(plan.members);
    let mut phones = HashSet::with_capacity(plan.members);
    let mut report = Reporter::start(progress, "党员", plan.members as u64);
    let mut buf: Vec<(Uuid, MemberInput)> = Vec::with_capacity(TX_ROWS);
    let mut assigned = 0usize;
    for (k, &o) in holders.iter().enumerate() {
        let n = if k + 1 == holders.len() {
            plan.members - assigned
        } else {
            ((plan.members as i64 * specs[o].size) / weight) as usize
        }
        .min(plan.members - assigned);
        assigned += n;
        for _ in 0..n {
            let input = member_input(&mut dice, &mut taken, &mut phones, today, ids[o], &specs[o].unit);
            let id = new_id();
            members_of[o].push(people.len() as u32);
            people.push(Person {
                id,
                name: input.name.clone(),
                joined: input.joined_on,
                probationary: input.status == Status::Probationary,
            });
            buf.push((id, input));
            if buf.len() >= TX_ROWS {
                report.add(db.bulk_members(&actor, &buf, now).await?);
                buf.clear();
            }
        }
    }
    report.add(db.bulk_members(&actor, &buf, now).await?);
    drop(buf);
    drop(taken);
    drop(phones);
    report.finish();

    // ---- placements ------------------------------------------------------------------------------
    // Whom each organization's meetings expect: a branch its own members, a party group and a
    // temporary branch the members placed in them.
    let mut placed: Vec<Vec<u32>> = vec![Vec::new(); specs.len()];
    let mut children: Vec<Vec<usize>> = vec![Vec::new(); specs.len()];
    for (i, s) in specs.iter().enumerate() {
        if let Some(p) = s.parent {
            children[p].push(i);
        }
    }
    let placed_on = today - Duration::days(200);
    let mut rows: Vec<BulkPlacement> = Vec::new();
    for (i, spec) in specs.iter().enumerate() {
        match spec.kind {
            OrgKind::TemporaryBranch => {
                // People of the parent's other branches, each at most once.
                let pool: Vec<u32> = spec
                    .parent
                    .map(|p| children[p].iter().flat_map(|&b| members_of[b].iter().copied()).collect())
                    .unwrap_or_default();
                if pool.is_empty() {
                    continue;
                }
                let want = (spec.size as usize).min(pool.len());
                let mut chosen = HashSet::new();
                while chosen.len() < want {
                    chosen.insert(*dice.pick(&pool));
                }
                let mut chosen: Vec<u32> = chosen.into_iter().collect();
                chosen.sort_unstable();
                for &m in &chosen {
                    rows.push(BulkPlacement {
                        member_id: people[m as usize].id,
                        organization_id: ids[i],
                        kind: OrgKind::TemporaryBranch,
                        placed_on,
                    });
                }
                placed[i] = chosen;
            }
            _ if !members_of[i].is_empty() => {
                let groups: Vec<usize> =
                    children[i].iter().copied().filter(|&g| specs[g].kind == OrgKind::PartyGroup).collect();
                if groups.is_empty() {
                    continue;
                }
                for (k, &m) in members_of[i].iter().enumerate() {
                    let g = groups[k % groups.len()];
                    placed[g].push(m);
                    rows.push(BulkPlacement {
                        member_id: people[m as usize].id,
                        organization_id: ids[g],
                        kind: OrgKind::PartyGroup,
                        placed_on: placed_on.max(people[m as usize].joined),
                    });
                }
            }
            _ => {}
        }
    }
    let mut report = Reporter::start(progress, "编入", rows.len() as u64);
    for chunk in rows.chunks(TX_ROWS) {
        report.add(db.bulk_placements(&actor, chunk, now).await?);
    }
    let placements = rows.len();
    drop(rows);
    report.finish();
    let attendees_of = |o: usize| -> &[u32] {
        match specs[o].kind {
            OrgKind::PartyGroup | OrgKind::TemporaryBranch => &placed[o],
            _ => &members_of[o],
        }
    };

    // ---- meetings --------------------------------------------------------------------------------
    // This year in full, then months before it, newest first, until the plan's number.
    let year = today.year();
    let mut year_recs: Vec<Rec> = Vec::new();
    for month in 1..=12 {
        for (o, spec) in specs.iter().enumerate() {
            month_of(&mut dice, o, spec, year, month, &mut year_recs);
        }
    }
    year_recs.truncate(plan.meetings);
    let mut history: Vec<Vec<Rec>> = Vec::new();
    let mut left = plan.meetings - year_recs.len();
    let (mut y, mut m) = (year - 1, 12u32);
    while left > 0 {
        let mut month = Vec::new();
        for (o, spec) in specs.iter().enumerate() {
            month_of(&mut dice, o, spec, y, m, &mut month);
        }
        month.truncate(left);
        left -= month.len();
        history.push(month);
        (y, m) = if m == 1 { (y - 1, 12) } else { (y, m - 1) };
    }
    let agendas: Vec<Vec<AgendaItem>> = KINDS
        .iter()
        .map(|(kind, _)| {
            vec![
                AgendaItem {
                    title: "传达学习上级重要讲话和文件精神".into(), first_topic: true, decision: false
                },
                AgendaItem {
                    title: String::new(),
                    first_topic: false,
                    decision: *kind != RecordKind::ThemeDay && *kind != RecordKind::HeartToHeartTalk,
                },
            ]
        })
        .collect();
    let attend_from = today - Duration::days(plan.attendance_days);
    // Attendance of the meetings in scope: (meeting, attendees with their status and reason).
    let mut attendance: Vec<(Uuid, Vec<Attendee>)> = Vec::new();
    // Last year's 民主评议 meeting of each branch (the meeting that decided the grades).
    let mut appraisal_meeting: HashMap<usize, Uuid> = HashMap::new();
    let mut report = Reporter::start(progress, "组织生活记录", plan.meetings as u64);
    let mut buf: Vec<BulkMeeting> = Vec::with_capacity(TX_ROWS);
    // Oldest first, as a database in use fills up.
    for r in history.iter().rev().flatten().chain(year_recs.iter()) {
        let (kind, topics) = KINDS[r.kind as usize];
        let o = r.org as usize;
        let spec = &specs[o];
        let v = r.variant as usize;
        let held = r.date <= today;
        let id = new_id();
        let people_here = attendees_of(o);
        let chair = chairs[o].clone();
        let mut expected = match kind {
            RecordKind::BranchCommittee => spec.seats as i64,
            RecordKind::PartyCommittee | RecordKind::CentralStudy => spec.seats.max(3) as i64,
            RecordKind::HeartToHeartTalk => 2,
            _ => (people_here.len() as i64).max(spec.seats as i64).max(1),
        };
        let mut present = if held { (expected - (v % 4) as i64).max(1) } else { 0 };
        let in_scope = held
            && r.date > attend_from
            && kind != RecordKind::BranchCommittee
            && matches!(
                spec.kind,
                OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch | OrgKind::PartyGroup
            )
            && people_here.len() >= 2;
        if in_scope {
            let list: Vec<Attendee> = if kind == RecordKind::HeartToHeartTalk {
                let n = people_here.len() as u64;
                let first = dice.below(n);
                let second = (first + 1 + dice.below(n - 1)) % n;
                vec![
                    (people_here[first as usize], Attendance::Present, ""),
                    (people_here[second as usize], Attendance::Present, ""),
                ]
            } else {
                let absent = if spec.lagging { 15 } else { 3 };
                people_here
                    .iter()
                    .map(|&p| match dice.below(100) {
                        r if r < 7 => (p, Attendance::Leave, *dice.pick(LEAVE_REASONS)),
                        r if r < 7 + absent => (p, Attendance::Absent, ""),
                        _ => (p, Attendance::Present, ""),
                    })
                    .collect()
            };
            expected = list.len() as i64;
            present = list.iter().filter(|a| a.1 == Attendance::Present).count() as i64;
            attendance.push((id, list));
        }
        if held && kind == RecordKind::DemocraticAppraisal && r.date.year() == year - 1 {
            appraisal_meeting.insert(o, id);
        }
        let created = Utc.from_utc_datetime(&r.date.and_hms_opt(8, (v % 60) as u32, 0).expect("a time"));
        let mut agenda = agendas[r.kind as usize].clone();
        let topic = topics[v % topics.len()];
        agenda[1].title = topic.into();
        buf.push(BulkMeeting {
            id,
            organization_id: ids[o],
            kind,
            status: if held { MeetingStatus::Held } else { MeetingStatus::Planned },
            date: r.date,
            place: PLACES[v % PLACES.len()].into(),
            chair: chair.clone(),
            recorder: people_here.first().map(|&p| people[p as usize].name.clone()).unwrap_or_default(),
            lecturer: if kind == RecordKind::PartyLecture { chair } else { String::new() },
            secretary_lecture: r.secretary,
            topic: topic.into(),
            agenda,
            minutes: if held { MINUTES.into() } else { String::new() },
            decisions: if kind == RecordKind::BranchCommittee {
                "按计划推进本月各项工作。".into()
            } else {
                String::new()
            },
            present,
            expected,
            with_appraisal: false,
            created_at: created,
        });
        if buf.len() >= TX_ROWS {
            report.add(db.bulk_meetings(&actor, &buf, now).await?);
            buf.clear();
        }
    }
    report.add(db.bulk_meetings(&actor, &buf, now).await?);
    drop(buf);
    let meetings = report.rows as usize;
    report.finish();
    drop(history);
    drop(year_recs);

    // ---- attendance ------------------------------------------------------------------------------
    let total: usize = attendance.iter().map(|(_, l)| l.len()).sum();
    let mut report = Reporter::start(progress, "出席记录", total as u64);
    let mut buf: Vec<BulkAttendee> = Vec::with_capacity(TX_ROWS * 2);
    for (meeting, list) in &attendance {
        for &(p, status, reason) in list {
            buf.push(BulkAttendee {
                meeting_id: *meeting,
                member_id: people[p as usize].id,
                status,
                reason: reason.into(),
            });
        }
        if buf.len() >= TX_ROWS * 2 {
            report.add(db.bulk_attendance(&actor, &buf, now).await?);
            buf.clear();
        }
    }
    report.add(db.bulk_attendance(&actor, &buf, now).await?);
    drop(buf);
    drop(attendance);
    report.finish();

    // ---- 民主评议 of last year -------------------------------------------------------------------------
    let held_by = NaiveDate::from_ymd_opt(year - 1, 12, 1).expect("a day");
    let entries_total: usize = holders.iter().map(|&o| members_of[o].len()).sum();
    let mut report = Reporter::start(progress, "民主评议", entries_total as u64);
    let (mut appraisals, mut entries) = (Vec::new(), Vec::new());
    let (mut appraisal_count, mut entry_count) = (0usize, 0usize);
    for &o in &holders {
        let voters: Vec<&Person> =
            members_of[o].iter().map(|&p| &people[p as usize]).filter(|p| p.joined <= held_by).collect();
        if voters.is_empty() {
            continue;
        }
        let id = new_id();
        let meeting = appraisal_meeting.get(&o).copied();
        appraisals.push(BulkAppraisal {
            id,
            organization_id: ids[o],
            year: year - 1,
            stage: if meeting.is_some() { Stage::Decided } else { Stage::Proposed },
            meeting_id: meeting,
            created_at: Utc.from_utc_datetime(&held_by.and_hms_opt(8, 0, 0).expect("a time")),
        });
        let n = voters.len() as i64;
        for p in &voters {
            // Full members then were those whose year of probation had ended.
            let full = !p.probationary && birthday(p.joined, 1) <= held_by;
            let grade = full.then(|| {
                dice.weighted(&[
                    (12, Grade::Excellent),
                    (85, Grade::Qualified),
                    (2, Grade::BasicallyQualified),
                    (1, Grade::Unqualified),
                ])
            });
            // The democratic rating: every voter rates every member.
            let votes = match grade {
                Some(Grade::Excellent) => {
                    let d = (dice.below(3) as i64).min(n);
                    [n - d, d, 0, 0]
                }
                Some(Grade::BasicallyQualified) => [0, n / 3, n - n / 3, 0],
                Some(Grade::Unqualified) => [0, 0, n / 3, n - n / 3],
                _ => {
                    let e = dice.below(n as u64 / 4 + 1) as i64;
                    [e, n - e, 0, 0]
                }
            };
            entries.push(BulkAppraisalEntry {
                appraisal_id: id,
                member_id: p.id,
                member_status: if full { Status::Full } else { Status::Probationary },
                votes,
                proposed_grade: grade,
                final_grade: if meeting.is_some() { grade } else { None },
            });
        }
        if entries.len() >= TX_ROWS {
            appraisal_count += appraisals.len();
            entry_count += entries.len();
            db.bulk_appraisals(&actor, &appraisals, &entries, now).await?;
            report.add(entries.len() as u64);
            appraisals.clear();
            entries.clear();
        }
    }
    appraisal_count += appraisals.len();
    entry_count += entries.len();
    db.bulk_appraisals(&actor, &appraisals, &entries, now).await?;
    report.add(entries.len() as u64);
    report.finish();

    // ---- accounts --------------------------------------------------------------------------------
    let users = accounts(db, &actor, &options.password, &specs, &ids, &members_of, &people, now).await?;

    db.after_bulk_load().await?;
    let by_kind: Vec<(&'static str, usize)> = OrgKind::ALL
        .iter()
        .map(|&k| (k.label(), specs.iter().filter(|s| s.kind == k).count()))
        .filter(|(_, n)| *n > 0)
        .collect();
    Ok(ScaleSummary {
        root: ids[0],
        organizations: specs.len(),
        by_kind,
        members: people.len(),
        placements,
        meetings,
        attendance: total,
        appraisals: appraisal_count,
        appraisal_entries: entry_count,
        users,
        elapsed: started.elapsed(),
    })
}

/// The demo accounts: administrators of the group and of the first primary committee, an inspector,
/// the secretary of the first branch with a 支部委员会 (linked to one of its members, who takes the
/// secretary's seat) and one of its members, and the three system roles.
#[allow(clippy::too_many_arguments)]
async fn accounts(
    db: &Db,
    actor: &Actor,
    password: &str,
    specs: &[Spec],
    ids: &[Uuid],
    members_of: &[Vec<u32>],
    people: &[Person],
    now: DateTime<Utc>,
) -> Result<Vec<DemoUser>, StoreError> {
    let hash = crate::auth::hash_password(password).map_err(|e| StoreError::Config(e.to_string()))?;
    let mut users = Vec::new();
    let mut add = async |username: &str,
                         display: &str,
                         member: Option<Uuid>,
                         system: Option<SystemRole>,
                         grant: Option<(Role, Uuid)>,
                         role_text: String|
           -> Result<(), StoreError> {
        let user = db
            .create_user(
                actor,
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
        if let Some((role, org)) = grant {
            db.grant(actor, user.id, role, org, now).await?;
        }
        users.push(DemoUser { username: username.into(), display_name: display.into(), role: role_text });
        Ok(())
    };
    add(
        "admin",
        "集团党建工作部管理员",
        None,
        None,
        Some((Role::OrgAdmin, ids[0])),
        "组织部管理员（集团党委，可管理全部组织和党员）".into(),
    )
    .await?;
    if let Some(p) = specs.iter().position(|s| s.kind == OrgKind::PrimaryCommittee) {
        add(
            "primary_admin",
            "二级党委组织委员",
            None,
            None,
            Some((Role::OrgAdmin, ids[p])),
            format!("组织部管理员（{}）", specs[p].short),
        )
        .await?;
    }
    add(
        "inspector",
        "集团党建督查组",
        None,
        None,
        Some((Role::Inspector, ids[0])),
        "督查（集团党委，只读，证件号脱敏）".into(),
    )
    .await?;
    let branch = (0..specs.len())
        .find(|&i| specs[i].kind == OrgKind::Branch && specs[i].seats >= 3 && members_of[i].len() >= 3)
        .or_else(|| (0..specs.len()).find(|&i| members_of[i].len() >= 2));
    if let Some(b) = branch {
        // The branch's committee is taken by its full members (the secretary's seat by the account's
        // member), as many seats as it was created with, so the committee and the account agree.
        let full: Vec<&Person> =
            members_of[b].iter().map(|&k| &people[k as usize]).filter(|p| !p.probationary).collect();
        let posts = ["secretary", "deputy_secretary", "organization", "publicity", "discipline"];
        let seats: Vec<CommitteeSeat> = full
            .iter()
            .take(specs[b].seats.clamp(1, posts.len()))
            .zip(posts)
            .map(|(p, post)| CommitteeSeat { member_id: Some(p.id), name: p.name.clone(), post: post.into() })
            .collect();
        let secretary = full.first().copied().unwrap_or(&people[members_of[b][0] as usize]);
        let member = &people[*members_of[b].last().expect("members") as usize];
        if !seats.is_empty() {
            db.seed_committee(actor, ids[b], &seats, now).await?;
        }
        add(
            "secretary",
            &secretary.name,
            Some(secretary.id),
            None,
            Some((Role::Secretary, ids[b])),
            format!("支部书记（{}）", specs[b].short),
        )
        .await?;
        if member.id != secretary.id {
            add(
                "member01",
                &member.name,
                Some(member.id),
                None,
                Some((Role::Member, ids[b])),
                format!("党员本人（{}）", specs[b].short),
            )
            .await?;
        }
    }
    add("sysadmin", "系统管理员", None, Some(SystemRole::SystemAdmin), None, "系统管理员（账号）".into()).await?;
    add("secadmin", "安全保密管理员", None, Some(SystemRole::SecurityAdmin), None, "安全保密管理员（授权）".into())
        .await?;
    add("auditor", "安全审计员", None, Some(SystemRole::AuditAdmin), None, "安全审计员（审计日志）".into()).await?;
    Ok(users)
}
