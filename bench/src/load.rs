//! A mixed read/write load on a running server: `--clients` users, each with a think time between
//! requests, for `--seconds`, over the generated enterprise. Reads: member detail, a branch's member
//! list, name search, the whole group's first page, a branch's calendar, a primary committee's and
//! the group's rollup. Writes: a member's post edited (read, then written with its version) and a
//! held meeting recorded. Every answer that is not a success counts as an error; the server's
//! resident memory is sampled from `/proc/{pid}/status` when `--server-pid` is given.

use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use dangwu_store::Db;
use tokio::sync::Mutex;
use uuid::Uuid;

use crate::stats::{Samples, ms};
use dangwu_server::demo::scale::Dice;

#[derive(clap::Args)]
pub struct Args {
    /// The database the server runs on (read here only to choose the organizations and members asked for).
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// The running server, e.g. `http://127.0.0.1:8080`.
    #[arg(long)]
    pub base: String,
    #[arg(long, default_value_t = 500)]
    pub clients: usize,
    #[arg(long, default_value_t = 600)]
    pub seconds: u64,
    /// Mean think time between a user's requests, in milliseconds (each wait is uniform in 0.5–1.5×).
    #[arg(long, default_value_t = 1000)]
    pub think_ms: u64,
    /// Sessions shared by the clients (each logs the benchmark user in once).
    #[arg(long, default_value_t = 10)]
    pub sessions: usize,
    /// A request taking longer than this counts as an error.
    #[arg(long, default_value_t = 30)]
    pub timeout: u64,
    /// The server's process id, to sample its resident memory every 10 s.
    #[arg(long)]
    pub server_pid: Option<u32>,
    #[arg(long)]
    pub json: Option<std::path::PathBuf>,
    #[arg(long, default_value_t = 7)]
    pub seed: u64,
    /// Start at once instead of waiting for the server's `/readyz` (a restart under full load).
    #[arg(long)]
    pub cold: bool,
}

#[derive(Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Debug)]
enum Kind {
    MemberDetail,
    BranchList,
    NameSearch,
    GroupList,
    Calendar,
    CommitteeRollup,
    GroupRollup,
    MemberEdit,
    MeetingRecord,
}

/// Out of 100 requests.
const MIX: [(Kind, u64); 9] = [
    (Kind::MemberDetail, 30),
    (Kind::BranchList, 18),
    (Kind::NameSearch, 10),
    (Kind::GroupList, 8),
    (Kind::Calendar, 10),
    (Kind::CommitteeRollup, 6),
    (Kind::GroupRollup, 3),
    (Kind::MemberEdit, 10),
    (Kind::MeetingRecord, 5),
];

struct Targets {
    root: Uuid,
    committees: Vec<Uuid>,
    branches: Vec<Uuid>,
    members: Vec<Uuid>,
    names: Vec<String>,
}

#[derive(Default)]
struct Tally {
    times: BTreeMap<Kind, Samples>,
    errors: BTreeMap<String, usize>,
}

async fn targets(db: &Db, clients: usize) -> anyhow::Result<Targets> {
    let (root,): (Uuid,) =
        crate::members::one(db, "SELECT id FROM organizations WHERE parent_id IS NULL LIMIT 1").await?;
    let committees: Vec<(Uuid,)> = db
        .fetch_all(dangwu_store::q("SELECT id FROM organizations WHERE kind = 'primary_committee' ORDER BY id"))
        .await?;
    let branches: Vec<(Uuid,)> = db
        .fetch_all(dangwu_store::q(
            "SELECT organization_id FROM members GROUP BY organization_id HAVING COUNT(*) >= 5 ORDER BY organization_id LIMIT 2000",
        ))
        .await?;
    // Each client edits members of its own, so two edits never race for one version.
    let members: Vec<(Uuid, String)> = db
        .fetch_all(dangwu_store::q(&format!("SELECT id, name FROM members ORDER BY id LIMIT {}", clients * 4)))
        .await?;
    if committees.is_empty() || branches.is_empty() || members.len() < clients {
        bail!("the database holds too little: run `generate` with members first");
    }
    Ok(Targets {
        root,
        committees: committees.into_iter().map(|r| r.0).collect(),
        branches: branches.into_iter().map(|r| r.0).collect(),
        names: members.iter().map(|m| m.1.chars().skip(1).take(2).collect()).collect(),
        members: members.into_iter().map(|m| m.0).collect(),
    })
}

struct Session {
    client: reqwest::Client,
    csrf: String,
}

/// Waits until the server says it is ready, as a load balancer would before sending it traffic.
async fn wait_ready(base: &str) -> anyhow::Result<()> {
    let client = reqwest::Client::new();
    let started = Instant::now();
    loop {
        if let Ok(res) = client.get(format!("{base}/readyz")).send().await
            && res.status().is_success()
        {
            println!("server ready after {:.1} s of waiting", started.elapsed().as_secs_f64());
            return Ok(());
        }
        if started.elapsed() > Duration::from_secs(300) {
            bail!("{base}/readyz did not answer 200 within 300 s");
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

async fn session(base: &str, timeout: u64, clients: usize) -> anyhow::Result<Session> {
    let client = reqwest::Client::builder()
        .cookie_store(true)
        .timeout(Duration::from_secs(timeout))
        .pool_max_idle_per_host(clients)
        .build()?;
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": crate::bench_user(), "password": crate::BENCH_PASSWORD }))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("login failed: {}", res.status());
    }
    let body: serde_json::Value = res.json().await?;
    let csrf = body["csrf_token"].as_str().context("login answer without csrf_token")?.to_owned();
    Ok(Session { client, csrf })
}

fn enc(s: &str) -> String {
    s.bytes().map(|b| if b.is_ascii_alphanumeric() { (b as char).to_string() } else { format!("%{b:02X}") }).collect()
}

/// One request of `kind`; Ok(()) on success, Err(label) otherwise.
async fn request(
    s: &Session,
    base: &str,
    kind: Kind,
    t: &Targets,
    dice: &mut Dice,
    own: &[Uuid],
    day: &mut u32,
) -> Result<(), String> {
    let get = |path: String| {
        let url = format!("{base}{path}");
        async move {
            let res = s.client.get(url).send().await.map_err(|e| kind_of(&e))?;
            let status = res.status();
            let body = res.bytes().await.map_err(|e| kind_of(&e))?;
            if status.is_success() { Ok(body) } else { Err(status.as_u16().to_string()) }
        }
    };
    match kind {
        Kind::MemberDetail => get(format!("/api/v1/members/{}", dice.pick(&t.members))).await.map(drop),
        Kind::BranchList => {
            get(format!("/api/v1/members?limit=20&organization_id={}", dice.pick(&t.branches))).await.map(drop)
        }
        Kind::NameSearch => {
            get(format!("/api/v1/members?limit=20&q={}", enc(dice.pick::<String>(&t.names)))).await.map(drop)
        }
        Kind::GroupList => get("/api/v1/members?limit=20".into()).await.map(drop),
        Kind::Calendar => {
            get(format!("/api/v1/organizations/{}/compliance?year=2026", dice.pick(&t.branches))).await.map(drop)
        }
        Kind::CommitteeRollup => {
            get(format!("/api/v1/organizations/{}/compliance-rollup?year=2026", dice.pick(&t.committees)))
                .await
                .map(drop)
        }
        Kind::GroupRollup => {
            get(format!("/api/v1/organizations/{}/compliance-rollup?year=2026", t.root)).await.map(drop)
        }
        Kind::MemberEdit => {
            let id = dice.pick(own);
            let body = get(format!("/api/v1/members/{id}")).await?;
            let mut member: serde_json::Value = serde_json::from_slice(&body).map_err(|_| "json".to_owned())?;
            let post = format!("岗位{}", dice.below(1000));
            let fields = serde_json::json!({
                "name": member["name"], "gender": member["gender"], "ethnicity": member["ethnicity"],
                "birth_date": member["birth_date"], "id_number": member["id_number"], "education": member["education"],
                "occupation": member["occupation"], "work_unit": member["work_unit"], "post": post,
                "phone": member["phone"], "joined_on": member["joined_on"], "converted_on": member["converted_on"],
                "status": member["status"], "organization_id": member["organization_id"],
                "version": member["version"],
            });
            member = fields;
            let res = s
                .client
                .put(format!("{base}/api/v1/members/{id}"))
                .header("x-csrf-token", &s.csrf)
                .json(&member)
                .send()
                .await
                .map_err(|e| kind_of(&e))?;
            refusal("PUT", res).await
        }
        Kind::MeetingRecord => {
            // A held 主题党日 on a past day of the year, a different day each time for this client (a
            // 支委会 would need its committee's attendance where the committee names its members).
            *day = (*day % 300) + 1;
            let held = chrono::NaiveDate::from_yo_opt(2026, *day).expect("a day of 2026");
            let body = serde_json::json!({
                "organization_id": dice.pick(&t.branches), "kind": "theme_day", "status": "held",
                "held_on": held, "place": "党员活动室", "chair": "书记", "recorder": "组织委员",
                "topic": "主题党日（负载测试）", "attendees": [],
            });
            let res = s
                .client
                .post(format!("{base}/api/v1/meetings"))
                .header("x-csrf-token", &s.csrf)
                .json(&body)
                .send()
                .await
                .map_err(|e| kind_of(&e))?;
            refusal("POST", res).await
        }
    }
}

/// Ok for a success; otherwise the method, status and the error body's code (so that a refusal
/// says which rule refused it).
async fn refusal(method: &str, res: reqwest::Response) -> Result<(), String> {
    let status = res.status();
    if status.is_success() {
        return Ok(());
    }
    let body: serde_json::Value = res.json().await.unwrap_or_default();
    Err(format!("{method} {} {}", status.as_u16(), body["code"].as_str().unwrap_or("")))
}

fn kind_of(e: &reqwest::Error) -> String {
    if e.is_timeout() { "timeout".into() } else { "connection".into() }
}

/// The server's resident memory in KiB: all of it (`VmRSS`), and its own (`RssAnon`: heap and stacks,
/// without the file pages of the mapped SQLite database, which belong to the system's file cache).
fn rss_kib(pid: u32) -> Option<(u64, u64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| -> Option<u64> {
        let line = status.lines().find(|l| l.starts_with(name))?;
        line.split_whitespace().nth(1)?.parse().ok()
    };
    Some((field("VmRSS:")?, field("RssAnon:")?))
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let db = Db::connect(&args.database_url).await?;
    let targets = Arc::new(targets(&db, args.clients).await?);
    db.close().await;
    if !args.cold {
        wait_ready(&args.base).await?;
    }
    let mut sessions = Vec::new();
    for _ in 0..args.sessions.max(1) {
        sessions.push(Arc::new(session(&args.base, args.timeout, args.clients).await?));
    }
    println!(
        "{} clients, think time {} ms, {} s, against {} ({} branches, {} members asked for)",
        args.clients,
        args.think_ms,
        args.seconds,
        args.base,
        targets.branches.len(),
        targets.members.len()
    );
    let tally = Arc::new(Mutex::new(Tally::default()));
    let span = Duration::from_secs(args.seconds);
    let started = Instant::now();
    let memory = Arc::new(Mutex::new(Vec::<(u64, u64, u64)>::new()));
    if let Some(pid) = args.server_pid {
        let memory = memory.clone();
        tokio::spawn(async move {
            loop {
                if let Some((all, own)) = rss_kib(pid) {
                    memory.lock().await.push((started.elapsed().as_secs(), all, own));
                }
                if started.elapsed() > span {
                    break;
                }
                tokio::time::sleep(Duration::from_secs(10)).await;
            }
        });
    }
    let mut tasks = tokio::task::JoinSet::new();
    for c in 0..args.clients {
        let (s, t, tally) = (sessions[c % sessions.len()].clone(), targets.clone(), tally.clone());
        let (base, think) = (args.base.clone(), args.think_ms);
        let mut dice = Dice::new(args.seed * 1_000_003 + c as u64);
        let own: Vec<Uuid> = t.members.iter().skip(c).step_by(args.clients).copied().collect();
        tasks.spawn(async move {
            let mut day = (c as u32 * 7) % 300;
            // Spread the clients' first requests over one think time.
            tokio::time::sleep(Duration::from_millis(dice.below(think.max(1)))).await;
            while started.elapsed() < span {
                let mut roll = dice.below(100);
                let kind = MIX
                    .iter()
                    .find(|(_, w)| {
                        if roll < *w {
                            true
                        } else {
                            roll -= w;
                            false
                        }
                    })
                    .map(|(k, _)| *k)
                    .unwrap_or(Kind::MemberDetail);
                let at = Instant::now();
                let result = request(&s, &base, kind, &t, &mut dice, &own, &mut day).await;
                let took = at.elapsed();
                {
                    let mut tally = tally.lock().await;
                    match result {
                        Ok(()) => tally.times.entry(kind).or_default().push(took),
                        Err(e) => *tally.errors.entry(format!("{kind:?} {e}")).or_default() += 1,
                    }
                }
                if think > 0 {
                    let wait = think / 2 + dice.below(think.max(1));
                    tokio::time::sleep(Duration::from_millis(wait)).await;
                }
            }
        });
    }
    while tasks.join_next().await.is_some() {}
    let secs = started.elapsed().as_secs_f64();
    let tally = tally.lock().await;
    let mut rows = Vec::new();
    let mut total = 0;
    println!("\n{:<18} {:>9} {:>8} {:>9} {:>9} {:>9}", "request", "count", "req/s", "p50 ms", "p99 ms", "max ms");
    for (kind, samples) in &tally.times {
        total += samples.len();
        println!(
            "{:<18} {:>9} {:>8.1} {:>9.1} {:>9.1} {:>9.1}",
            format!("{kind:?}"),
            samples.len(),
            samples.len() as f64 / secs,
            ms(samples.median()),
            ms(samples.percentile(99.0)),
            ms(samples.percentile(100.0)),
        );
        rows.push(serde_json::json!({
            "request": format!("{kind:?}"), "count": samples.len(), "p50_ms": ms(samples.median()),
            "p99_ms": ms(samples.percentile(99.0)), "max_ms": ms(samples.percentile(100.0)),
        }));
    }
    let errors: usize = tally.errors.values().sum();
    println!("all: {total} in {secs:.0} s ({:.1} req/s), errors: {errors} {:?}", total as f64 / secs, tally.errors);
    let memory = memory.lock().await.clone();
    if let (Some(first), Some(last)) = (memory.first(), memory.last()) {
        let max = |f: fn(&(u64, u64, u64)) -> u64| memory.iter().map(f).max().unwrap_or(0) / 1024;
        println!(
            "server memory, RSS (own, RssAnon): {} ({}) MB at {} s, {} ({}) MB at {} s, at most {} ({}) MB",
            first.1 / 1024,
            first.2 / 1024,
            first.0,
            last.1 / 1024,
            last.2 / 1024,
            last.0,
            max(|m| m.1),
            max(|m| m.2)
        );
        let minutes: Vec<String> =
            memory.iter().filter(|m| m.0 % 60 < 10).map(|m| format!("{} s {} MB", m.0, m.2 / 1024)).collect();
        println!("own memory each minute: {}", minutes.join(", "));
    }
    if let Some(path) = &args.json {
        let all = serde_json::json!({
            "clients": args.clients, "seconds": secs, "think_ms": args.think_ms, "requests": rows,
            "errors": tally.errors, "memory_kib": memory,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&all)?)?;
    }
    Ok(())
}
