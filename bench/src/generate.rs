//! The synthetic enterprise: one group committee → primary committees → general branches → branches
//! (some with party groups), created through `Db::seed_org` (closure table and audit as in
//! production), and meeting records inserted in multi-row batches.
//!
//! Meetings follow the rules' calendar for each kind of organization (主题党日 monthly, 支委会 monthly
//! where the branch has a committee of three or more, 党员大会 and 党课 quarterly, 党小组会 monthly,
//! 党委会 monthly …), on random days, with about 5% of branches falling behind. The benchmark year is
//! generated in full — held up to `--today`, planned after it — and older months (history, as a
//! database in use for a while holds) are added until `--meetings` records exist.

use std::collections::BTreeMap;
use std::time::Instant;

use anyhow::{Context, bail};
use chrono::{Datelike, Duration, NaiveDate, TimeZone, Utc};
use dangwu_store::accounts::NewUser;
use dangwu_store::orgs::{CommitteeSeat, OrgInput};
use dangwu_store::{Actor, Db, Engine, Q, Role, Tx, q};
use uuid::Uuid;

use crate::{BENCH_PASSWORD, BENCH_USER};

#[derive(clap::Args)]
pub struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/database`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Organizations in all (approximately: whole branches with their party groups are kept together).
    #[arg(long, default_value_t = 40_000)]
    pub orgs: usize,
    /// Meeting records in all (the benchmark year first, then older months).
    #[arg(long, default_value_t = 1_500_000)]
    pub meetings: usize,
    /// Members, spread over the branches in proportion to their size.
    #[arg(long, default_value_t = 0)]
    pub members: usize,
    /// The benchmark year.
    #[arg(long, default_value_t = 2026)]
    pub year: i32,
    #[arg(long, default_value_t = 20_261_129)]
    pub seed: u64,
    /// Primary committees under the group committee.
    #[arg(long, default_value_t = 40)]
    pub primaries: usize,
    /// The day records run up to: meetings after it are planned, not held (default: today in China).
    #[arg(long)]
    pub today: Option<NaiveDate>,
    /// Meeting rows per INSERT statement (default 10 on SQLite, whose lookup of `$N` parameters is
    /// linear in their number, 1000 on PostgreSQL).
    #[arg(long)]
    pub batch: Option<usize>,
    /// Organizations created at the same time (default 1 on SQLite, whose writers queue, 4 on PostgreSQL).
    #[arg(long)]
    pub concurrency: Option<usize>,
}

/// A small deterministic generator (xorshift64*).
pub struct Dice(u64);

impl Dice {
    pub fn new(seed: u64) -> Dice {
        Dice(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1)
    }
    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
    pub fn below(&mut self, n: u64) -> u64 {
        (self.next() >> 11) % n
    }
    pub fn chance(&mut self, percent: u64) -> bool {
        self.below(100) < percent
    }
    pub fn pick<'a, T>(&mut self, items: &'a [T]) -> &'a T {
        &items[self.below(items.len() as u64) as usize]
    }
}

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹",
];
const GIVEN: &[&str] = &[
    "伟", "强", "磊", "军", "芳", "娜", "敏", "静", "建国", "志强", "海涛", "国栋", "晓东", "红梅", "秀英", "丽华",
    "文博", "振华", "立新", "雅琴",
];
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

fn name(dice: &mut Dice) -> String {
    format!("{}{}", dice.pick(SURNAMES), dice.pick(GIVEN))
}

/// One organization to create.
struct Spec {
    parent: Option<usize>,
    depth: u8,
    kind: &'static str,
    name: String,
    short: String,
    unit: String,
    /// Committee seats (支部委员会 with three or more; otherwise a secretary only).
    seats: usize,
    lagging: bool,
    /// Members expected at meetings (for `expected`/`present`), and the weight of `--members` here.
    size: i64,
}

/// Party groups of a branch: most have none, larger branches two to four.
fn party_groups(dice: &mut Dice) -> usize {
    match dice.below(100) {
        0..=54 => 0,
        55..=79 => 2,
        80..=94 => 3,
        _ => 4,
    }
}

/// The tree: about `n` organizations under one group committee and `primaries` primary committees.
fn plan(n: usize, primaries: usize, dice: &mut Dice) -> Vec<Spec> {
    let mut out = vec![Spec {
        parent: None,
        depth: 0,
        kind: "group_committee",
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
            kind: "primary_committee",
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
                0..=2 => "joint_branch",
                3..=4 => "temporary_branch",
                _ => "branch",
            };
            let lagging = dice.chance(5);
            let size = 6 + dice.below(40) as i64;
            let seats = if size >= 7 && dice.chance(80) { 3 + dice.below(3) as usize } else { 1 };
            let bi = out.len();
            out.push(Spec {
                parent: Some(parent),
                depth: out[parent].depth + 1,
                kind,
                name: format!("中共{unit}{team}第{branch_no}支部委员会"),
                short: format!("{team}第{branch_no}党支部"),
                unit: unit.clone(),
                seats,
                lagging,
                size,
            });
            *budget -= 1;
            let groups = party_groups(dice).min(*budget);
            for g in 1..=groups {
                out.push(Spec {
                    parent: Some(bi),
                    depth: out[bi].depth + 1,
                    kind: "party_group",
                    name: format!("{team}第{branch_no}支部第{g}党小组"),
                    short: format!("{team}{branch_no}支{g}组"),
                    unit: unit.clone(),
                    seats: 0,
                    lagging,
                    size: size / groups as i64 + 1,
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
                    kind: "general_branch",
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

/// Meeting kinds generated, with a topic each.
const KINDS: &[(&str, &[&str])] = &[
    ("theme_day", &["重温入党誓词", "参观红色教育基地", "志愿服务进社区", "安全生产主题党日", "学习党章党规"]),
    ("branch_committee", &["研究本月支部工作安排", "研究发展党员工作", "研究党费收缴情况", "研究主题党日活动方案"]),
    (
        "general_meeting",
        &["讨论接收预备党员", "学习贯彻党的二十届四中全会精神", "支部半年工作总结", "讨论预备党员转正"],
    ),
    ("party_lecture", &["学习党的创新理论", "弘扬伟大建党精神", "以高质量党建引领高质量发展", "严守纪律规矩"]),
    ("party_group_meeting", &["学习上级文件精神", "交流岗位工作体会", "开展批评与自我批评", "讨论班组安全工作"]),
    ("life_meeting", &["年度组织生活会", "专题组织生活会"]),
    ("democratic_appraisal", &["年度民主评议党员"]),
    ("heart_to_heart_talk", &["支部委员与党员谈心谈话", "党员之间谈心谈话"]),
    ("party_committee", &["研究部署党建工作", "研究干部人事事项", "研究“三重一大”事项", "听取基层党建工作汇报"]),
    ("central_study", &["理论学习中心组专题学习", "学习习近平新时代中国特色社会主义思想"]),
];

fn kind_index(kind: &str) -> u8 {
    KINDS.iter().position(|(k, _)| *k == kind).expect("known kind") as u8
}

/// One meeting record, compact until it is written.
#[derive(Clone, Copy)]
struct Rec {
    org: u32,
    kind: u8,
    date: NaiveDate,
    held: bool,
    secretary: bool,
    variant: u16,
}

/// The meetings organization `o` holds (or plans) in one month.
fn month_of(dice: &mut Dice, o: usize, spec: &Spec, year: i32, month: u32, out: &mut Vec<Rec>) {
    let skip = if spec.lagging { 40 } else { 2 };
    let mut add = |dice: &mut Dice, kind: &str, from_day: u32, secretary: bool| {
        if dice.chance(skip) {
            return;
        }
        let day = (from_day + dice.below(28 - u64::from(from_day.min(27))) as u32).clamp(1, 28);
        let date = NaiveDate::from_ymd_opt(year, month, day).expect("day 1–28");
        out.push(Rec {
            org: o as u32,
            kind: kind_index(kind),
            date,
            held: true,
            secretary,
            variant: dice.below(1 << 16) as u16,
        });
    };
    match spec.kind {
        "branch" | "joint_branch" | "temporary_branch" => {
            add(dice, "theme_day", 1, false);
            if spec.seats >= 3 {
                add(dice, "branch_committee", 2, false);
            }
            if month % 3 == 2 {
                add(dice, "general_meeting", 8, false);
                // One of the year's lectures is given by the secretary (书记讲党课).
                add(dice, "party_lecture", 12, month == 5);
            }
            if dice.chance(30) {
                add(dice, "heart_to_heart_talk", 1, false);
            }
            if month == 12 {
                add(dice, "life_meeting", 10, false);
                add(dice, "democratic_appraisal", 15, false);
            }
        }
        "party_group" => add(dice, "party_group_meeting", 5, false),
        "general_branch" => {
            add(dice, "party_committee", 1, false);
            if month == 6 {
                add(dice, "party_lecture", 10, true);
            }
        }
        _ => {
            add(dice, "party_committee", 1, false);
            if month.is_multiple_of(2) {
                add(dice, "central_study", 10, false);
            }
            if month == 6 {
                add(dice, "party_lecture", 10, true);
            }
        }
    }
}

/// Writes meeting records in multi-row INSERTs of `BATCH` rows, committing every `TX_ROWS` rows.
struct Writer<'a> {
    db: &'a Db,
    tx: Option<Tx>,
    buf: Vec<Rec>,
    batch: usize,
    in_tx: usize,
    written: usize,
    total: usize,
    started: Instant,
    reported: Instant,
    ids: &'a [Uuid],
    specs: &'a [Spec],
    chairs: Vec<String>,
    agendas: Vec<String>,
}

const TX_ROWS: usize = 20_000;

impl Writer<'_> {
    async fn push(&mut self, rec: Rec) -> anyhow::Result<()> {
        self.buf.push(rec);
        if self.buf.len() >= self.batch {
            self.flush().await?;
        }
        Ok(())
    }

    async fn flush(&mut self) -> anyhow::Result<()> {
        if self.buf.is_empty() {
            return Ok(());
        }
        let mut query = q("INSERT INTO meetings (id, organization_id, kind, status, planned_on, held_on, start_time, \
             end_time, place, chair, recorder, lecturer, secretary_lecture, topic, agenda_json, first_topic, minutes, \
             decisions, votes_json, present, expected, version, created_at, updated_at) VALUES ");
        for (i, r) in self.buf.iter().enumerate() {
            self.row(&mut query, i, r);
        }
        let tx = match &mut self.tx {
            Some(tx) => tx,
            None => self.tx.insert(self.db.begin().await?),
        };
        tx.execute(query).await.context("insert meetings")?;
        self.in_tx += self.buf.len();
        self.written += self.buf.len();
        self.buf.clear();
        if self.in_tx >= TX_ROWS {
            self.commit().await?;
        }
        if self.reported.elapsed().as_secs() >= 5 {
            self.reported = Instant::now();
            let secs = self.started.elapsed().as_secs_f64();
            println!(
                "  meetings {:>9} / {} ({:.0} rows/s, {:.0} s)",
                self.written,
                self.total,
                self.written as f64 / secs,
                secs
            );
        }
        Ok(())
    }

    fn row(&self, query: &mut Q, i: usize, r: &Rec) {
        let (kind, topics) = KINDS[r.kind as usize];
        let spec = &self.specs[r.org as usize];
        let v = r.variant as usize;
        let chair = &self.chairs[v % self.chairs.len()];
        let created = Utc.from_utc_datetime(&r.date.and_hms_opt(8, (v % 60) as u32, 0).expect("time"));
        let expected = spec.size.max(3);
        let present = if r.held { expected - (v % 4) as i64 } else { 0 };
        let (planned_on, held_on) = if r.held { (None, Some(r.date)) } else { (Some(r.date), None) };
        query.push(if i == 0 { "(" } else { ", (" });
        query.push_bind("", dangwu_store::new_id());
        query.push_bind(", ", self.ids[r.org as usize]);
        query.push_bind(", ", kind);
        query.push_bind(", ", if r.held { "held" } else { "planned" });
        query.push_bind(", ", planned_on);
        query.push_bind(", ", held_on);
        query.push(", '14:30', '16:30'");
        query.push_bind(", ", PLACES[v % PLACES.len()]);
        query.push_bind(", ", chair.as_str());
        query.push_bind(", ", self.chairs[(v / 7) % self.chairs.len()].as_str());
        query.push_bind(", ", if kind == "party_lecture" { chair.as_str() } else { "" });
        query.push_bind(", ", r.secretary);
        query.push_bind(", ", topics[v % topics.len()]);
        query.push_bind(", ", self.agendas[v % self.agendas.len()].as_str());
        query.push_bind(", ", true);
        query.push_bind(", ", if r.held { MINUTES } else { "" });
        query.push_bind(", ", if kind == "branch_committee" { "按计划推进本月各项工作。" } else { "" });
        query.push(", '[]'");
        query.push_bind(", ", present);
        query.push_bind(", ", expected);
        query.push(", 1");
        query.push_bind(", ", created);
        query.push_bind(", ", created);
        query.push(")");
    }

    async fn commit(&mut self) -> anyhow::Result<()> {
        if let Some(tx) = self.tx.take() {
            tx.commit().await?;
        }
        self.in_tx = 0;
        Ok(())
    }
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.primaries == 0 || args.orgs < args.primaries * 10 {
        bail!("--orgs must be at least ten per primary committee");
    }
    let started = Instant::now();
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let existing: Vec<(i64,)> = db.fetch_all(q("SELECT COUNT(*) FROM organizations")).await?;
    if existing.first().is_some_and(|(n,)| *n > 0) {
        bail!("the database already holds organizations: generate into an empty database");
    }
    let today = args.today.unwrap_or_else(|| (Utc::now() + Duration::hours(8)).date_naive());
    let now = Utc::now();
    let actor = Actor { user_id: Uuid::nil(), name: "bench".into(), ip: None };
    let mut dice = Dice::new(args.seed);

    // ---- organizations -------------------------------------------------------------------------
    let specs = plan(args.orgs, args.primaries, &mut dice);
    let mut by_kind: BTreeMap<&str, usize> = BTreeMap::new();
    for s in &specs {
        *by_kind.entry(s.kind).or_default() += 1;
    }
    println!("organizations to create: {} {:?}", specs.len(), by_kind);
    let concurrency = args.concurrency.unwrap_or(match db.engine() {
        Engine::Sqlite => 1,
        Engine::Postgres => 4,
    });
    let t_orgs = Instant::now();
    let mut ids: Vec<Uuid> = vec![Uuid::nil(); specs.len()];
    let max_depth = specs.iter().map(|s| s.depth).max().unwrap_or(0);
    let mut done = 0usize;
    let mut reported = Instant::now();
    for depth in 0..=max_depth {
        let mut tasks = tokio::task::JoinSet::new();
        for (i, spec) in specs.iter().enumerate().filter(|(_, s)| s.depth == depth) {
            let years = if spec.kind.ends_with("committee") { 5 } else { 3 };
            let start = today - Duration::days(dice.below(years * 365 + 200) as i64);
            let start = NaiveDate::from_ymd_opt(start.year(), start.month(), 1).unwrap_or(start);
            let end =
                NaiveDate::from_ymd_opt(start.year() + years as i32, start.month(), 1).map(|d| d - Duration::days(1));
            let group = spec.kind == "party_group";
            let posts = ["secretary", "deputy_secretary", "organization", "publicity", "discipline", "youth", "member"];
            let committee: Vec<CommitteeSeat> = (0..spec.seats)
                .map(|k| CommitteeSeat {
                    member_id: None,
                    name: name(&mut dice),
                    post: posts[k.min(posts.len() - 1)].into(),
                })
                .collect();
            let input = OrgInput {
                name: spec.name.clone(),
                short_name: spec.short.clone(),
                kind: dangwu_rules::org::OrgKind::from_code(spec.kind).expect("a known organization kind"),
                units: vec![spec.unit.clone()],
                established_on: NaiveDate::from_ymd_opt(1990 + (i % 30) as i32, 1 + (i % 12) as u32, 1),
                term_start: (!group).then_some(start),
                term_end: if group { None } else { end },
                committee,
            };
            let parent = spec.parent.map(|p| ids[p]);
            let (db, actor) = (db.clone(), actor.clone());
            tasks.spawn(async move { db.seed_org(&actor, parent, &input, now).await.map(|o| (i, o.id)) });
            while tasks.len() >= concurrency {
                let (i, id) = tasks.join_next().await.expect("a task")??;
                ids[i] = id;
                done += 1;
            }
            if reported.elapsed().as_secs() >= 5 {
                reported = Instant::now();
                let secs = t_orgs.elapsed().as_secs_f64();
                println!("  organizations {done:>6} / {} ({:.0} orgs/s)", specs.len(), done as f64 / secs);
            }
        }
        while let Some(res) = tasks.join_next().await {
            let (i, id) = res??;
            ids[i] = id;
            done += 1;
        }
    }
    let orgs_secs = t_orgs.elapsed().as_secs_f64();
    println!("organizations: {} in {:.1} s ({:.0} orgs/s)", specs.len(), orgs_secs, specs.len() as f64 / orgs_secs);

    // ---- the benchmark user ----------------------------------------------------------------------
    let hash = dangwu_server::auth::hash_password(BENCH_PASSWORD)?;
    let user = db
        .create_user(
            &actor,
            &NewUser {
                username: BENCH_USER,
                display_name: "基准测试组织部管理员",
                password_hash: &hash,
                member_id: None,
                system_role: None,
            },
            now,
        )
        .await?;
    db.grant(&actor, user.id, Role::OrgAdmin, ids[0], now).await?;
    println!("user {BENCH_USER} / {BENCH_PASSWORD}: org_admin on {}", ids[0]);

    // ---- members ----------------------------------------------------------------------------------
    let branches: Vec<(Uuid, String, i64)> = specs
        .iter()
        .enumerate()
        .filter(|(_, s)| s.kind.ends_with("branch") && s.kind != "general_branch")
        .map(|(i, s)| (ids[i], s.unit.clone(), s.size))
        .collect();
    if crate::members::generate(&db, &branches, args.members, args.seed, today).await? > 0 {
        // Written around the store, so their names are indexed here, in one statement.
        let t = Instant::now();
        let rows = db.rebuild_member_name_index().await?;
        println!("member name index: {rows} rows in {:.1} s", t.elapsed().as_secs_f64());
    }

    // ---- meetings ---------------------------------------------------------------------------------
    // The benchmark year in full, then months before it, newest first, until the total is reached.
    let mut year_recs: Vec<Rec> = Vec::new();
    for month in 1..=12 {
        for (o, spec) in specs.iter().enumerate() {
            month_of(&mut dice, o, spec, args.year, month, &mut year_recs);
        }
    }
    for r in &mut year_recs {
        r.held = r.date <= today;
    }
    if year_recs.len() > args.meetings {
        println!(
            "note: the year alone has {} meetings, more than --meetings {}; keeping the first",
            year_recs.len(),
            args.meetings
        );
        year_recs.truncate(args.meetings);
    }
    let mut history: Vec<Vec<Rec>> = Vec::new();
    let mut left = args.meetings - year_recs.len();
    let (mut y, mut m) = (args.year - 1, 12u32);
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
    let held_in_year = year_recs.iter().filter(|r| r.held).count();
    println!(
        "meetings to write: {} ({} in {}: {} held up to {}, {} planned; {} in the {} months before)",
        args.meetings,
        year_recs.len(),
        args.year,
        held_in_year,
        today,
        year_recs.len() - held_in_year,
        args.meetings - year_recs.len(),
        history.len()
    );
    let t_meetings = Instant::now();
    let mut chairs_dice = Dice::new(args.seed ^ 0xC4A1);
    let agendas = KINDS
        .iter()
        .flat_map(|(_, topics)| topics.iter())
        .map(|t| {
            serde_json::json!([
                {"title": "传达学习上级重要讲话和文件精神", "first_topic": true, "decision": false},
                {"title": t, "first_topic": false, "decision": true}
            ])
            .to_string()
        })
        .collect();
    let batch = args.batch.unwrap_or(match db.engine() {
        Engine::Sqlite => 10,
        Engine::Postgres => 1000,
    });
    let mut writer = Writer {
        db: &db,
        tx: None,
        buf: Vec::with_capacity(batch),
        batch,
        in_tx: 0,
        written: 0,
        total: args.meetings,
        started: t_meetings,
        reported: Instant::now(),
        ids: &ids,
        specs: &specs,
        chairs: (0..997).map(|_| name(&mut chairs_dice)).collect(),
        agendas,
    };
    // Oldest first, as a database in use fills up.
    for month in history.iter().rev() {
        for r in month {
            writer.push(*r).await?;
        }
    }
    for r in &year_recs {
        writer.push(*r).await?;
    }
    writer.flush().await?;
    writer.commit().await?;
    let meetings_secs = t_meetings.elapsed().as_secs_f64();
    println!(
        "meetings: {} in {:.1} s ({:.0} rows/s)",
        writer.written,
        meetings_secs,
        writer.written as f64 / meetings_secs
    );

    // ---- housekeeping and sizes ----------------------------------------------------------------
    let t_house = Instant::now();
    match db.engine() {
        // SQLite: nothing (the application never runs ANALYZE); fold the WAL into the file for its size.
        Engine::Sqlite => {
            db.execute(q("PRAGMA wal_checkpoint(TRUNCATE)")).await?;
        }
        // PostgreSQL: what autovacuum does after a bulk load (statistics, visibility map for
        // index-only scans), done now rather than at an unknown later time.
        Engine::Postgres => {
            db.execute(q("VACUUM ANALYZE")).await?;
        }
    }
    println!("housekeeping ({}) {:.1} s", db.engine().name(), t_house.elapsed().as_secs_f64());
    crate::rollup::print_sizes(&db, &args.database_url).await?;
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    db.close().await;
    Ok(())
}
