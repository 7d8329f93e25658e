//! Measures the compliance rollup as the server computes it: the access check, the in-memory index
//! brought up to date (`LifeIndex::read`), `orglife::rollup`, and the response the handler builds; the
//! index read from scratch (a server's first request); the rollup right after a meeting is recorded
//! (the index re-reads one organization); and the real endpoints over HTTP.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, Utc};
use dangwu_rules::orglife::Period;
use dangwu_rules::{CalcError, RuleBook};
use dangwu_server::domain;
use dangwu_server::domain::compliance::{self as orglife, Forest, YearCounts};
use dangwu_server::domain::lifeindex::{LifeIndex, Refresh};
use dangwu_server::domain::meetings::{self, MeetingFields};
use dangwu_server::{AppState, Clock, ServerConfig};
use dangwu_store::{Actor, Db, Engine, PoolLimits, q};
use uuid::Uuid;

use crate::stats::{Samples, header, line, ms};

/// `ServerConfig::default().orglife_warning_days`, as the handlers use it.
fn warning_days() -> i64 {
    ServerConfig::default().orglife_warning_days
}

#[derive(clap::Args)]
pub struct Args {
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    #[arg(long, default_value_t = 2026)]
    pub year: i32,
    /// Measured runs of each case.
    #[arg(long, default_value_t = 20)]
    pub runs: usize,
    /// Unmeasured runs before them.
    #[arg(long, default_value_t = 2)]
    pub warmup: usize,
    /// Runs of the index read from scratch (each several seconds on a large database).
    #[arg(long, default_value_t = 3)]
    pub cold_runs: usize,
    /// Skip the HTTP measurements.
    #[arg(long)]
    pub no_http: bool,
    /// Skip the case that records meetings (it adds `--runs` held meetings to the database).
    #[arg(long)]
    pub no_writes: bool,
    /// Concurrent clients of the load case on the group rollup over HTTP.
    #[arg(long, default_value_t = 50)]
    pub clients: usize,
    /// Seconds the load case runs.
    #[arg(long, default_value_t = 10)]
    pub seconds: u64,
    /// The search abandoned by its clients before the "after abandoned searches" case: the whole group
    /// searched for one common character of names (欣).
    #[arg(long, default_value = "/api/v1/members?limit=20&q=%E6%AC%A3")]
    pub abandoned_search: String,
    /// Searches abandoned before each measured rollup of that case.
    #[arg(long, default_value_t = 50)]
    pub abandoned: usize,
    /// Milliseconds after which each of those searches is abandoned.
    #[arg(long, default_value_t = 200)]
    pub abandon_after_ms: u64,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// Times of the parts of one rollup (or calendar) request.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    pub access: Duration,
    pub refresh: Duration,
    pub compute: Duration,
    pub json: Duration,
    pub orgs: usize,
    pub rows_sent: usize,
    pub bytes: usize,
    pub overdue_orgs: usize,
    pub refreshed: Option<Refresh>,
}

impl Parts {
    pub fn total(&self) -> Duration {
        self.access + self.refresh + self.compute + self.json
    }
}

/// How the index gives the compliance of an organization: [`orglife::calendar`], [`orglife::rollup`].
type Compute<T> = fn(&RuleBook, &Forest, &YearCounts, Uuid, Period, NaiveDate, i64) -> Result<T, CalcError>;

pub struct Ctx {
    pub db: Db,
    pub rules: std::sync::Arc<RuleBook>,
    pub index: LifeIndex,
    pub user: Uuid,
    pub period: Period,
    pub today: NaiveDate,
}

impl Ctx {
    fn year(&self) -> i32 {
        self.period.from.year()
    }

    /// The steps every compliance handler takes, timed: the access check, the index brought up to
    /// date, then `compute` (a calendar, a rollup) of `org` from it.
    async fn computed<T>(&self, org: Uuid, compute: Compute<T>) -> anyhow::Result<(Parts, T)> {
        let mut p = Parts::default();
        let t = Instant::now();
        self.db.check_readable(self.user, org).await?;
        p.access = t.elapsed();
        let t = Instant::now();
        let index = self.index.read(&self.db, self.year()).await?;
        p.refresh = t.elapsed();
        p.refreshed = Some(index.refreshed);
        let t = Instant::now();
        let year = index.counts(self.year());
        let out = compute(&self.rules, index.forest(), year, org, self.period, self.today, warning_days())?;
        p.compute = t.elapsed();
        Ok((p, out))
    }

    /// `GET /organizations/{root}/compliance-rollup` without HTTP: the handler's steps in order.
    pub async fn rollup(&self, root: Uuid) -> anyhow::Result<Parts> {
        let (mut p, all) = self.computed(root, orglife::rollup).await?;
        let t = Instant::now();
        // As compliance_rollup with its defaults: two levels of organizations, the first 100 behind.
        let behind = all.behind();
        let rows: Vec<&orglife::RollupRow> = all.rows.iter().filter(|r| r.depth <= 2).collect();
        let body = serde_json::to_vec(&serde_json::json!({
            "year": self.year(), "today": self.today, "kinds": all.kinds, "organizations_total": all.rows.len(),
            "organizations": rows, "behind_total": behind.len(), "behind": &behind[..behind.len().min(100)],
        }))?;
        p.json = t.elapsed();
        p.orgs = all.rows.len();
        p.rows_sent = rows.len();
        p.bytes = body.len();
        p.overdue_orgs = behind.len();
        Ok(p)
    }

    /// `GET /organizations/{id}/compliance` without HTTP.
    pub async fn calendar(&self, id: Uuid) -> anyhow::Result<Parts> {
        let (mut p, one) = self.computed(id, orglife::calendar).await?;
        let one = one.context("the organization has a calendar")?;
        let t = Instant::now();
        let body = serde_json::to_vec(&serde_json::json!({
            "year": self.year(), "today": self.today, "warning_days": warning_days(), "compliance": one,
        }))?;
        p.json = t.elapsed();
        p.orgs = 1;
        p.rows_sent = 1;
        p.bytes = body.len();
        p.overdue_orgs = usize::from(one.tally.overdue > 0);
        Ok(p)
    }

    /// Records one held meeting of `org` through the use case the API calls (one transaction, rules,
    /// change logged).
    async fn record_meeting(&self, org: Uuid, n: usize) -> anyhow::Result<()> {
        let held_on = self.today.min(self.period.to);
        let fields: MeetingFields = serde_json::from_value(serde_json::json!({
            "organization_id": org, "kind": "theme_day", "status": "held", "held_on": held_on,
            "start_time": "09:00", "end_time": "10:00", "place": "党员活动室", "chair": "基准测试",
            "recorder": "基准测试", "topic": format!("基准测试主题党日 {n}"),
        }))?;
        let actor = Actor { user_id: self.user, name: crate::bench_user(), ip: None };
        let ctx = domain::Ctx { db: &self.db, rules: &self.rules, today: self.today, now: Utc::now() };
        meetings::record(&ctx, &actor, fields).await?;
        Ok(())
    }
}

/// Samples of each part over the runs.
#[derive(Default)]
pub struct PartSamples {
    pub access: Samples,
    pub refresh: Samples,
    pub compute: Samples,
    pub json: Samples,
    pub total: Samples,
    pub last: Parts,
}

impl PartSamples {
    fn push(&mut self, p: Parts) {
        self.access.push(p.access);
        self.refresh.push(p.refresh);
        self.compute.push(p.compute);
        self.json.push(p.json);
        self.total.push(p.total());
        self.last = p;
    }

    fn print(&self, title: &str) {
        let p = &self.last;
        println!(
            "\n{title}\n  {} organizations computed, {} rows sent, response {:.1} kB, {} organizations with overdue windows, index: {:?}",
            p.orgs,
            p.rows_sent,
            p.bytes as f64 / 1e3,
            p.overdue_orgs,
            p.refreshed
        );
        println!("{}", header());
        println!("{}", line("access check (Db::check_readable)", &self.access));
        println!("{}", line("index up to date (LifeIndex::read)", &self.refresh));
        println!("{}", line("compute (orglife::rollup / calendar)", &self.compute));
        println!("{}", line("response JSON", &self.json));
        println!("{}", line("total", &self.total));
    }

    fn to_json(&self) -> serde_json::Value {
        let p = &self.last;
        serde_json::json!({
            "organizations": p.orgs, "rows_sent": p.rows_sent, "response_bytes": p.bytes,
            "overdue_organizations": p.overdue_orgs, "index": format!("{:?}", p.refreshed),
            "access": self.access.summary(), "refresh": self.refresh.summary(), "compute": self.compute.summary(),
            "json": self.json.summary(), "total": self.total.summary(),
        })
    }
}

async fn one_id(db: &Db, sql: &str) -> anyhow::Result<Uuid> {
    let rows: Vec<(Uuid,)> = db.fetch_all(q(sql)).await?;
    rows.first().map(|(id,)| *id).with_context(|| format!("no row for {sql}"))
}

async fn count(db: &Db, query: dangwu_store::Q) -> anyhow::Result<i64> {
    let rows: Vec<(i64,)> = db.fetch_all(query).await?;
    Ok(rows.first().map(|(n,)| *n).unwrap_or(0))
}

/// Database size on disk, and of the meetings table with its indexes.
pub async fn print_sizes(db: &Db, url: &str) -> anyhow::Result<serde_json::Value> {
    match db.engine() {
        Engine::Sqlite => {
            let path = url.trim_start_matches("sqlite://").trim_start_matches("sqlite:");
            let path = path.split('?').next().unwrap_or(path);
            let file = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
            let wal = std::fs::metadata(format!("{path}-wal")).map(|m| m.len()).unwrap_or(0);
            println!("database size: {:.0} MB (file {path}, WAL {:.0} MB)", file as f64 / 1e6, wal as f64 / 1e6);
            Ok(serde_json::json!({ "file_bytes": file, "wal_bytes": wal }))
        }
        Engine::Postgres => {
            let total = count(db, q("SELECT pg_database_size(current_database())")).await?;
            let meetings = count(db, q("SELECT pg_total_relation_size('meetings')")).await?;
            let held = count(db, q("SELECT pg_relation_size('meetings_held')")).await?;
            println!(
                "database size: {:.0} MB (meetings with indexes {:.0} MB, index meetings_held {:.0} MB)",
                total as f64 / 1e6,
                meetings as f64 / 1e6,
                held as f64 / 1e6
            );
            Ok(serde_json::json!({ "database_bytes": total, "meetings_bytes": meetings, "meetings_held_bytes": held }))
        }
    }
}

async fn measure<F, Fut>(runs: usize, warmup: usize, mut f: F) -> anyhow::Result<PartSamples>
where
    F: FnMut(usize) -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Parts>>,
{
    for i in 0..warmup {
        f(i).await?;
    }
    let mut s = PartSamples::default();
    for i in 0..runs {
        s.push(f(warmup + i).await?);
    }
    Ok(s)
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    if args.runs == 0 {
        bail!("--runs must be at least 1");
    }
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let engine = db.engine();
    let rules = RuleBook::builtin()?;
    let period = Period {
        from: NaiveDate::from_ymd_opt(args.year, 1, 1).context("year")?,
        to: NaiveDate::from_ymd_opt(args.year, 12, 31).context("year")?,
    };
    // As AppState::today: the system clock in China Standard Time.
    let today = (Utc::now() + chrono::Duration::hours(8)).date_naive();
    let user = db.user_by_name(&crate::bench_user()).await?.context("no benchmark user: run `generate` first")?.id;
    let root = one_id(&db, "SELECT id FROM organizations WHERE parent_id IS NULL ORDER BY id").await?;
    let primary = one_id(&db, "SELECT id FROM organizations WHERE kind = 'primary_committee' ORDER BY id").await?;
    // A branch with a committee and party groups: the calendar with the most requirements.
    let branch = one_id(
        &db,
        "SELECT o.id FROM organizations o WHERE o.kind = 'branch' AND o.committee_json LIKE '%publicity%' \
         AND EXISTS (SELECT 1 FROM organizations g WHERE g.parent_id = o.id AND g.kind = 'party_group') ORDER BY o.id",
    )
    .await?;

    println!(
        "engine: {}   year: {}   today: {}   runs: {} (after {} warm-up)",
        engine.name(),
        args.year,
        today,
        args.runs,
        args.warmup
    );
    let sizes = print_sizes(&db, &args.database_url).await?;
    let orgs_total = count(&db, q("SELECT COUNT(*) FROM organizations")).await?;
    let meetings_total = count(&db, q("SELECT COUNT(*) FROM meetings")).await?;
    let held_in_year = count(
        &db,
        q("SELECT COUNT(*) FROM meetings WHERE status = 'held' AND held_on >= $1 AND held_on <= $2")
            .bind(period.from)
            .bind(period.to),
    )
    .await?;
    println!("organizations: {orgs_total}   meetings: {meetings_total}   held in {}: {held_in_year}", args.year);
    let mut out = serde_json::json!({
        "engine": engine.name(), "year": args.year, "today": today, "runs": args.runs, "warmup": args.warmup,
        "sizes": sizes, "organizations": orgs_total, "meetings": meetings_total, "held_in_year": held_in_year,
    });

    // A server's first request: the index read from scratch (organizations, then the year's meetings).
    println!("\nindex read from scratch (a server's first request for the year)");
    println!("{}", header());
    let (mut orgs_s, mut counts_s, mut cold_s) = (Samples::default(), Samples::default(), Samples::default());
    let mut count_rows = 0;
    for _ in 0..args.cold_runs.max(1) {
        let t = Instant::now();
        let rows = db.life_org_rows(None).await?;
        orgs_s.push(t.elapsed());
        let t = Instant::now();
        count_rows = db.held_counts_of(None, period.from, period.to).await?.len();
        counts_s.push(t.elapsed());
        drop(rows);
        let fresh = LifeIndex::default();
        let t = Instant::now();
        drop(fresh.read(&db, args.year).await?);
        cold_s.push(t.elapsed());
    }
    println!("{}   organizations", line("Db::life_org_rows(all)", &orgs_s));
    println!("{}   {count_rows} rows", line("Db::held_counts_of(all, year)", &counts_s));
    println!("{}", line("LifeIndex::read from scratch (both + indexing)", &cold_s));
    out["cold"] = serde_json::json!({
        "life_org_rows": orgs_s.summary(), "held_counts": counts_s.summary(), "held_count_rows": count_rows,
        "index_read": cold_s.summary(),
    });

    let ctx =
        Ctx { db: db.clone(), rules: std::sync::Arc::new(rules), index: LifeIndex::default(), user, period, today };
    let group = measure(args.runs, args.warmup, |_| ctx.rollup(root)).await?;
    group.print(&format!("whole group rollup, nothing changed since the last request (root {root})"));
    out["group_rollup"] = group.to_json();
    if !args.no_writes {
        // Each run: a branch records a meeting, then the group's rollup is asked for.
        let ctx = &ctx;
        let writes = measure(args.runs, 0, |n| async move {
            ctx.record_meeting(branch, n).await?;
            ctx.rollup(root).await
        })
        .await?;
        writes.print("whole group rollup right after a meeting was recorded (the index re-reads that branch)");
        out["group_rollup_after_write"] = writes.to_json();
    }
    let prim = measure(args.runs, args.warmup, |_| ctx.rollup(primary)).await?;
    prim.print(&format!("one primary committee's subtree rollup ({primary})"));
    out["primary_rollup"] = prim.to_json();
    let cal = measure(args.runs, args.warmup, |_| ctx.calendar(branch)).await?;
    cal.print(&format!("one branch's calendar ({branch})"));
    out["branch_calendar"] = cal.to_json();
    if !args.no_http {
        out["http"] = http(&args, root, primary, branch).await?;
    }
    if let Some(path) = &args.json {
        std::fs::write(path, serde_json::to_vec_pretty(&out)?)?;
        println!("\nresults written to {}", path.display());
    }
    db.close().await;
    Ok(())
}

// ---- the real endpoint over HTTP ------------------------------------------------------------------------

async fn http(args: &Args, root: Uuid, primary: Uuid, branch: Uuid) -> anyhow::Result<serde_json::Value> {
    // The server's pool as `dangwu serve` opens it: read time-out and queue limit at their defaults.
    let db = Db::connect_with(&args.database_url, &PoolLimits::default()).await?;
    let state = AppState::new(db, ServerConfig::default(), Clock::system(), RuleBook::builtin()?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { dangwu_server::serve(state, listener).await });
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    crate::login(&client, &base).await?;
    let year = args.year;
    // The server's own index is read on its first request: warm it, as `serve` does at start.
    let first = client.get(format!("{base}/api/v1/organizations/{root}/compliance-rollup?year={year}")).send().await?;
    if !first.status().is_success() {
        bail!("first rollup: {}", first.status());
    }
    let cases = [
        ("GET rollup, whole group", format!("/api/v1/organizations/{root}/compliance-rollup?year={year}"), false),
        ("GET rollup, whole group, gzip", format!("/api/v1/organizations/{root}/compliance-rollup?year={year}"), true),
        (
            "GET rollup, one primary committee",
            format!("/api/v1/organizations/{primary}/compliance-rollup?year={year}"),
            false,
        ),
        ("GET calendar, one branch", format!("/api/v1/organizations/{branch}/compliance?year={year}"), false),
    ];
    println!("\nHTTP (in-process server at {base}, reqwest, session cookie)");
    println!("{}", header());
    let mut out = Vec::new();
    for (label, path, gzip) in cases {
        let mut samples = Samples::default();
        let mut bytes = 0;
        for i in 0..args.warmup + args.runs {
            let mut req = client.get(format!("{base}{path}"));
            if gzip {
                req = req.header(reqwest::header::ACCEPT_ENCODING, "gzip");
            }
            let t = Instant::now();
            let res = req.send().await?;
            let status = res.status();
            let body = res.bytes().await?;
            let elapsed = t.elapsed();
            if !status.is_success() {
                bail!("{path}: {status} {}", String::from_utf8_lossy(&body));
            }
            bytes = body.len();
            if i >= args.warmup {
                samples.push(elapsed);
            }
        }
        println!("{}   {:.2} MB", line(label, &samples), bytes as f64 / 1e6);
        out.push(serde_json::json!({ "case": label, "path": path, "gzip": gzip, "bytes": bytes, "timing": samples.summary() }));
    }

    // Dashboards under load: many people open the group's rollup at once.
    let rollup_path = format!("/api/v1/organizations/{root}/compliance-rollup?year={year}");
    if args.clients > 0 {
        let span = Duration::from_secs(args.seconds);
        let load = crate::members::load(&client, &base, &rollup_path, args.clients, span).await;
        println!(
            "  {:<44} {} clients: {:.1} req/s, p50 {:.1} ms, p99 {:.1} ms, {} failed",
            "GET rollup, whole group, under load",
            args.clients,
            load.rate,
            ms(load.samples.median()),
            ms(load.samples.percentile(99.0)),
            load.failed
        );
        out.push(serde_json::json!({
            "case": "GET rollup, whole group, under load", "path": rollup_path, "clients": args.clients,
            "seconds": args.seconds, "req_per_s": load.rate, "p50_ms": ms(load.samples.median()),
            "p99_ms": ms(load.samples.percentile(99.0)), "completed": load.completed, "failed": load.failed,
        }));
    }

    // Overload: searches whose clients gave up, then the next dashboard.
    if args.abandoned > 0 {
        let mut samples = Samples::default();
        let mut refused = 0;
        let search = format!("{base}{}", args.abandoned_search);
        let abandon_after = Duration::from_millis(args.abandon_after_ms);
        for _ in 0..args.runs {
            let mut gone = tokio::task::JoinSet::new();
            for _ in 0..args.abandoned {
                let request = client.get(&search).timeout(abandon_after).send();
                gone.spawn(async move { request.await.map(|r| r.status()) });
            }
            gone.join_all().await;
            let t = Instant::now();
            let res = client.get(format!("{base}{rollup_path}")).send().await?;
            let status = res.status();
            res.bytes().await?;
            if status.is_success() {
                samples.push(t.elapsed());
            } else {
                refused += 1;
            }
        }
        let label = format!("GET rollup after {} abandoned searches", args.abandoned);
        println!("{}   {refused} refused", line(&label, &samples));
        out.push(serde_json::json!({
            "case": label, "path": rollup_path, "search": args.abandoned_search,
            "abandon_after_ms": args.abandon_after_ms, "refused": refused, "timing": samples.summary(),
        }));
    }
    server.abort();
    Ok(serde_json::Value::Array(out))
}
