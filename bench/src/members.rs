//! Members for the generated enterprise, and the member list and search benchmark.
//!
//! `generate --members N` spreads N members over the branches in proportion to each branch's size,
//! with Chinese names (a skewed surname distribution, one- or two-character given names), valid and
//! unique ID numbers, phones, dates that satisfy the rules, and statuses; written in multi-row INSERTs.
//!
//! `members` measures `GET /api/v1/members` over HTTP on an in-process server, logged in as the
//! group's organization administrator: exact ID number and phone, whole and part of a name, the first
//! page of the whole group, a branch and a primary committee, and a deep page; each sequentially and,
//! with `--clients`, under concurrent load.

use std::collections::HashSet;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, TimeZone, Utc};
use dangwu_rules::RuleBook;
use dangwu_server::{AppState, Clock, ServerConfig};
use dangwu_store::{Db, Engine, Tx, q};
use uuid::Uuid;

use crate::generate::Dice;
use crate::stats::{Samples, header, line, ms};

/// Surnames, most common first; picked with a skew towards the front, as in the population.
const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭", "何", "高", "林",
    "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾", "肖", "田", "董", "袁", "潘", "于",
    "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁", "任", "沈", "姚", "卢", "姜", "崔", "钟", "谭", "陆",
    "汪", "范", "金", "石", "廖", "贾", "夏", "韦", "付", "方", "白", "邹", "孟", "熊", "秦", "邱", "江", "尹", "薛",
    "闫", "段", "雷", "侯", "龙", "史", "陶", "黎", "贺", "顾", "毛", "郝", "龚", "邵", "万", "钱", "欧阳", "司马",
];
/// Characters of given names.
const GIVEN: &[&str] = &[
    "伟", "强", "磊", "军", "芳", "娜", "敏", "静", "丽", "艳", "勇", "杰", "涛", "明", "超", "秀", "英", "华", "平",
    "刚", "桂", "兰", "建", "国", "志", "海", "东", "红", "梅", "文", "博", "振", "立", "新", "雅", "琴", "玉", "霞",
    "峰", "辉", "鹏", "宇", "浩", "俊", "波", "斌", "林", "云", "凤", "洁", "晓", "春", "燕", "亮", "成", "飞", "琳",
    "婷", "雪", "慧", "丹", "宁", "欣", "佳", "健", "瑞", "彬", "荣", "德", "福", "生", "龙", "武", "清", "安", "永",
];
const REGIONS: &[&str] = &["110101", "120103", "130102", "140105", "210102", "310104", "370102", "410105", "610104"];
const ETHNIC: &[&str] = &["汉族", "回族", "满族", "蒙古族", "壮族", "土家族"];
const EDUCATION: &[&str] =
    &["研究生", "大学本科", "大学本科", "大学专科", "大学专科", "中等专科", "高中", "初中及以下"];
const OCCUPATIONS: &[&str] =
    &["worker", "worker", "worker", "professional", "professional", "manager", "manager", "other", "retired"];
const POSTS: &[&str] = &["", "", "", "", "班长", "技术员", "工程师", "主任", "副主任", "调度员"];

fn member_name(dice: &mut Dice) -> String {
    // About half of the population shares the first twenty surnames.
    let s = if dice.chance(50) { dice.below(20) } else { dice.below(SURNAMES.len() as u64) } as usize;
    let mut name = SURNAMES[s].to_owned();
    name.push_str(GIVEN[dice.below(GIVEN.len() as u64) as usize]);
    if dice.chance(75) {
        name.push_str(GIVEN[dice.below(GIVEN.len() as u64) as usize]);
    }
    name
}

/// A member row to write.
struct Row {
    name: String,
    male: bool,
    ethnicity: &'static str,
    birth: NaiveDate,
    id_number: String,
    education: &'static str,
    occupation: &'static str,
    post: &'static str,
    phone: String,
    joined: NaiveDate,
    converted: Option<NaiveDate>,
    org: Uuid,
    unit: String,
}

fn row(
    dice: &mut Dice,
    ids: &mut HashSet<String>,
    phones: &mut HashSet<String>,
    today: NaiveDate,
    org: Uuid,
    unit: &str,
) -> Row {
    let male = dice.chance(72);
    let age_days = (20 * 365 + dice.below(60 * 365)) as i64;
    let birth = today - chrono::Duration::days(age_days);
    let id_number = loop {
        let seq = dice.below(500) * 2 + u64::from(male);
        let first17 = format!("{}{}{:03}", dice.pick(REGIONS), birth.format("%Y%m%d"), seq);
        let check = dangwu_rules::idcard::check_char(&first17).expect("17 digits");
        let number = format!("{first17}{check}");
        if ids.insert(number.clone()) {
            break number;
        }
    };
    let phone = loop {
        let p = format!("1{}{:09}", dice.pick(&["3", "5", "7", "8", "9"]), dice.below(1_000_000_000));
        if phones.insert(p.clone()) {
            break p;
        }
    };
    let eighteen =
        NaiveDate::from_ymd_opt(birth.year() + 18, birth.month(), 1).unwrap_or(birth) + chrono::Duration::days(31);
    let span = (today - eighteen).num_days().max(1) as u64;
    let joined = eighteen + chrono::Duration::days(dice.below(span) as i64);
    let converted = joined + chrono::Duration::days(366);
    let converted = (converted <= today).then_some(converted);
    Row {
        name: member_name(dice),
        male,
        ethnicity: if dice.chance(92) { "汉族" } else { ETHNIC[dice.below(ETHNIC.len() as u64) as usize] },
        birth,
        id_number,
        education: EDUCATION[dice.below(EDUCATION.len() as u64) as usize],
        occupation: OCCUPATIONS[dice.below(OCCUPATIONS.len() as u64) as usize],
        post: POSTS[dice.below(POSTS.len() as u64) as usize],
        phone,
        joined,
        converted,
        org,
        unit: unit.to_owned(),
    }
}

/// Writes `count` members over `branches` (organization id, unit, size weight). Returns rows written.
pub async fn generate(
    db: &Db,
    branches: &[(Uuid, String, i64)],
    count: usize,
    seed: u64,
    today: NaiveDate,
) -> anyhow::Result<usize> {
    if count == 0 || branches.is_empty() {
        return Ok(0);
    }
    let started = Instant::now();
    let mut dice = Dice::new(seed ^ 0x4D45_4D42);
    let weight: i64 = branches.iter().map(|b| b.2).sum();
    let batch = match db.engine() {
        Engine::Sqlite => 20,
        Engine::Postgres => 1000,
    };
    let mut ids = HashSet::with_capacity(count);
    let mut phones = HashSet::with_capacity(count);
    let created = Utc.from_utc_datetime(&today.and_hms_opt(8, 0, 0).expect("time"));
    let mut tx: Option<Tx> = None;
    let mut buf: Vec<Row> = Vec::with_capacity(batch);
    let (mut written, mut in_tx, mut assigned) = (0usize, 0usize, 0usize);
    let mut reported = Instant::now();
    for (i, (org, unit, size)) in branches.iter().enumerate() {
        let n =
            if i + 1 == branches.len() { count - assigned } else { ((count as i64 * size) / weight).max(0) as usize }
                .min(count - assigned);
        assigned += n;
        for _ in 0..n {
            buf.push(row(&mut dice, &mut ids, &mut phones, today, *org, unit));
            if buf.len() >= batch {
                if tx.is_none() {
                    tx = Some(db.begin().await?);
                }
                write(tx.as_mut().expect("open"), &buf, created).await?;
                written += buf.len();
                in_tx += buf.len();
                buf.clear();
                if in_tx >= 20_000 {
                    tx.take().expect("open").commit().await?;
                    in_tx = 0;
                }
                if reported.elapsed().as_secs() >= 5 {
                    reported = Instant::now();
                    let secs = started.elapsed().as_secs_f64();
                    println!("  members {written:>8} / {count} ({:.0} rows/s)", written as f64 / secs);
                }
            }
        }
    }
    if !buf.is_empty() {
        if tx.is_none() {
            tx = Some(db.begin().await?);
        }
        write(tx.as_mut().expect("open"), &buf, created).await?;
        written += buf.len();
    }
    if let Some(t) = tx {
        t.commit().await?;
    }
    let secs = started.elapsed().as_secs_f64();
    println!("members: {written} in {secs:.1} s ({:.0} rows/s)", written as f64 / secs);
    Ok(written)
}

async fn write(tx: &mut Tx, rows: &[Row], created: chrono::DateTime<Utc>) -> anyhow::Result<()> {
    let mut query = q(
        "INSERT INTO members (id, name, gender, ethnicity, birth_date, id_number, education, occupation, \
         work_unit, post, phone, joined_on, converted_on, status, organization_id, version, created_at, updated_at) VALUES ",
    );
    for (i, r) in rows.iter().enumerate() {
        query.push(if i == 0 { "(" } else { ", (" });
        query.push_bind("", dangwu_store::new_id());
        query.push_bind(", ", r.name.as_str());
        query.push_bind(", ", if r.male { "male" } else { "female" });
        query.push_bind(", ", r.ethnicity);
        query.push_bind(", ", r.birth);
        query.push_bind(", ", r.id_number.as_str());
        query.push_bind(", ", r.education);
        query.push_bind(", ", r.occupation);
        query.push_bind(", ", r.unit.as_str());
        query.push_bind(", ", r.post);
        query.push_bind(", ", r.phone.as_str());
        query.push_bind(", ", r.joined);
        query.push_bind(", ", r.converted);
        query.push_bind(", ", if r.converted.is_some() { "full" } else { "probationary" });
        query.push_bind(", ", r.org);
        query.push(", 1");
        query.push_bind(", ", created);
        query.push_bind(", ", created);
        query.push(")");
    }
    tx.execute(query).await.context("insert members")?;
    Ok(())
}

// ---- the benchmark -----------------------------------------------------------------------------------

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// Measured sequential requests of each case.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    #[arg(long, default_value_t = 2)]
    pub warmup: usize,
    /// Concurrent clients for the load phase of each case (0: none).
    #[arg(long, default_value_t = 0)]
    pub clients: usize,
    /// Seconds of each load phase.
    #[arg(long, default_value_t = 5)]
    pub seconds: u64,
    /// A request slower than this counts as failed (and stops waiting).
    #[arg(long, default_value_t = 20)]
    pub timeout: u64,
    /// Only the cases whose label contains this.
    #[arg(long)]
    pub only: Option<String>,
    #[arg(long)]
    pub json: Option<PathBuf>,
}

pub(crate) async fn one<T: dangwu_store::Record>(db: &Db, sql: &str) -> anyhow::Result<T> {
    let rows: Vec<T> = db.fetch_all(q(sql)).await?;
    rows.into_iter().next().with_context(|| format!("no row for {sql}"))
}

fn enc(s: &str) -> String {
    dangwu_server::routes::members::percent_encode(s)
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = Db::connect(&args.database_url).await?;
    let t = Instant::now();
    db.migrate().await?;
    println!("migrations: {:.1} s", t.elapsed().as_secs_f64());
    let (members,): (i64,) = one(&db, "SELECT COUNT(*) FROM members").await?;
    if members == 0 {
        bail!("no members: run `generate --members N` first");
    }
    // The primary committee with the most members, and a branch of average size.
    let primary: (Uuid, i64) = one(
        &db,
        "SELECT c.ancestor, COUNT(*) FROM org_closure c JOIN organizations o ON o.id = c.ancestor \
         JOIN members m ON m.organization_id = c.descendant WHERE o.kind = 'primary_committee' \
         GROUP BY c.ancestor ORDER BY 2 DESC, 1 LIMIT 1",
    )
    .await?;
    let branch: (Uuid, i64) = one(
        &db,
        "SELECT organization_id, COUNT(*) FROM members GROUP BY organization_id HAVING COUNT(*) BETWEEN 25 AND 30 \
         ORDER BY organization_id LIMIT 1",
    )
    .await?;
    let middle = members / 2;
    let (mid_id, id_number, phone, name): (Uuid, String, String, String) =
        one(&db, &format!("SELECT id, id_number, phone, name FROM members ORDER BY id LIMIT 1 OFFSET {middle}"))
            .await?;
    let chars: Vec<char> = name.chars().collect();
    let given: String = chars[chars.len().saturating_sub(2)..].iter().collect();
    let last: String = chars[chars.len() - 1..].iter().collect();
    let count = |sql: String| {
        let db = db.clone();
        async move { one::<(i64,)>(&db, &sql).await.map(|r| r.0) }
    };
    let esc = |s: &str| s.replace('\'', "''");
    let name_hits = count(format!("SELECT COUNT(*) FROM members WHERE name = '{}'", esc(&name))).await?;
    let given_hits = count(format!("SELECT COUNT(*) FROM members WHERE name LIKE '%{}%'", esc(&given))).await?;
    let last_hits = count(format!("SELECT COUNT(*) FROM members WHERE name LIKE '%{}%'", esc(&last))).await?;
    println!(
        "engine: {}   members: {members}   primary committee {} ({} members)   branch {} ({} members)",
        db.engine().name(),
        primary.0,
        primary.1,
        branch.0,
        branch.1
    );
    println!(
        "searched: ID number of member {mid_id}, its phone, name {name} ({name_hits} with it), \
         {given} ({given_hits} names contain it), {last} ({last_hits})"
    );
    let deep = deep_cursor(&db, middle).await?;

    let state = AppState::new(db.clone(), ServerConfig::default(), Clock::system(), RuleBook::builtin()?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { dangwu_server::serve(state, listener).await });
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(args.timeout))
        .pool_max_idle_per_host(args.clients.max(4))
        .build()?;
    crate::login(&client, &base).await?;
    let cases = [
        ("q = ID number", format!("/api/v1/members?limit=20&q={id_number}")),
        ("q = phone", format!("/api/v1/members?limit=20&q={phone}")),
        ("q = full name", format!("/api/v1/members?limit=20&q={}", enc(&name))),
        ("q = 2 characters of a name", format!("/api/v1/members?limit=20&q={}", enc(&given))),
        ("q = 1 character of a name", format!("/api/v1/members?limit=20&q={}", enc(&last))),
        ("list, whole group", "/api/v1/members?limit=20".to_owned()),
        ("list, one branch", format!("/api/v1/members?limit=20&organization_id={}", branch.0)),
        (
            "list, primary committee subtree",
            format!("/api/v1/members?limit=20&subtree=true&organization_id={}", primary.0),
        ),
        ("list, whole group, deep page (middle)", format!("/api/v1/members?limit=20&after={}", enc(&deep))),
    ];
    println!("\nHTTP (in-process server at {base}, reqwest, session cookie)");
    println!("{}   total / items", header());
    let mut out = Vec::new();
    for (label, path) in cases {
        if args.only.as_deref().is_some_and(|o| !label.contains(o)) {
            continue;
        }
        let mut samples = Samples::default();
        let mut summary = String::new();
        for i in 0..args.warmup + args.runs {
            let t = Instant::now();
            let res = client.get(format!("{base}{path}")).send().await?;
            let status = res.status();
            let body: serde_json::Value = res.json().await?;
            let elapsed = t.elapsed();
            if !status.is_success() {
                bail!("{path}: {status} {body}");
            }
            summary = format!(
                "{}{} / {}",
                body["total"],
                if body["total_exact"] == serde_json::Value::Bool(false) { "+" } else { "" },
                body["items"].as_array().map_or(0, Vec::len)
            );
            if i >= args.warmup {
                samples.push(elapsed);
            }
        }
        println!("{}   {summary}", line(label, &samples));
        let mut case =
            serde_json::json!({ "case": label, "path": path, "result": summary, "timing": samples.summary() });
        if args.clients > 0 {
            let load = load(&client, &base, &path, args.clients, Duration::from_secs(args.seconds)).await;
            println!(
                "  {:<44} {} clients: {:.1} req/s, p50 {:.1} ms, p99 {:.1} ms, {} failed or timed out",
                "",
                args.clients,
                load.rate,
                ms(load.samples.median()),
                ms(load.samples.percentile(99.0)),
                load.failed
            );
            case["load"] = serde_json::json!({
                "clients": args.clients, "seconds": args.seconds, "req_per_s": load.rate,
                "p50_ms": ms(load.samples.median()), "p99_ms": ms(load.samples.percentile(99.0)),
                "completed": load.completed, "failed": load.failed,
            });
        }
        out.push(case);
    }
    server.abort();
    if let Some(path) = &args.json {
        let all = serde_json::json!({ "engine": db.engine().name(), "members": members, "cases": out });
        std::fs::write(path, serde_json::to_vec_pretty(&all)?)?;
        println!("\nresults written to {}", path.display());
    }
    db.close().await;
    Ok(())
}

pub(crate) struct Load {
    pub(crate) samples: Samples,
    pub(crate) completed: usize,
    pub(crate) failed: usize,
    pub(crate) rate: f64,
}

/// `clients` loops requesting `path` until `span` is over; requests still running then are awaited
/// (up to the client's time-out) and counted.
pub(crate) async fn load(client: &reqwest::Client, base: &str, path: &str, clients: usize, span: Duration) -> Load {
    let url = Arc::new(format!("{base}{path}"));
    let started = Instant::now();
    let mut tasks = tokio::task::JoinSet::new();
    for _ in 0..clients {
        let (client, url) = (client.clone(), url.clone());
        tasks.spawn(async move {
            let mut times = Vec::new();
            let mut failed = 0;
            while started.elapsed() < span {
                let t = Instant::now();
                match client.get(url.as_str()).send().await {
                    Ok(res) if res.status().is_success() => match res.bytes().await {
                        Ok(_) => times.push(t.elapsed()),
                        Err(_) => failed += 1,
                    },
                    _ => failed += 1,
                }
            }
            (times, failed)
        });
    }
    let mut samples = Samples::default();
    let (mut completed, mut failed) = (0, 0);
    while let Some(Ok((times, f))) = tasks.join_next().await {
        completed += times.len();
        failed += f;
        for t in times {
            samples.push(t);
        }
    }
    let secs = started.elapsed().as_secs_f64();
    Load { samples, completed, failed, rate: completed as f64 / secs }
}

/// The `after` cursor of the page that starts after row `offset` of the whole group's list (in the
/// list's order: organization, name, id).
async fn deep_cursor(db: &Db, offset: i64) -> anyhow::Result<String> {
    let (organization_id, name, id): (Uuid, String, Uuid) = one(
        db,
        &format!(
            "SELECT organization_id, name, id FROM members ORDER BY organization_id, name, id LIMIT 1 OFFSET {offset}"
        ),
    )
    .await?;
    Ok(dangwu_store::members::MemberCursor { organization_id, name, id }.encode())
}
