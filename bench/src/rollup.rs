//! Measures the compliance rollup as the server computes it: the same store calls as the handlers
//! (`Db::life_orgs`, `Db::held_counts`), then `dangwu_server::orglife::compliance` and
//! `orglife::rollup` (totals by kind, subtree fold), then the JSON response as
//! `GET /organizations/{id}/compliance-rollup` builds it (`routes/meetings.rs`); and the real endpoint
//! over HTTP.

use std::path::PathBuf;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use chrono::{Datelike, NaiveDate, Utc};
use dangwu_rules::RuleBook;
use dangwu_rules::orglife::Period;
use dangwu_server::orglife::{self, KindTotal, RollupRow};
use dangwu_server::{AppState, Clock, ServerConfig};
use dangwu_store::{Db, Engine, q};
use uuid::Uuid;

use crate::stats::{Samples, header, line, ms};
use crate::{BENCH_PASSWORD, BENCH_USER};

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
    /// Unmeasured runs before them (warm caches, as on a server in use).
    #[arg(long, default_value_t = 2)]
    pub warmup: usize,
    /// Skip the HTTP measurements.
    #[arg(long)]
    pub no_http: bool,
    /// Also run the diagnostics: query plans, row counts, and alternative queries and computations.
    #[arg(long)]
    pub experiments: bool,
    /// Write the results as JSON to this file.
    #[arg(long)]
    pub json: Option<PathBuf>,
}

/// The response body of the rollup endpoint, built as the handler builds it (a `serde_json::Value`,
/// then serialized by `axum::Json`).
fn rollup_body(year: i32, today: NaiveDate, kinds: &[KindTotal], rows: &[RollupRow]) -> anyhow::Result<Vec<u8>> {
    // As compliance_rollup: the organizations behind, most overdue windows first.
    let mut behind: Vec<&RollupRow> = rows.iter().filter(|r| r.own.overdue > 0).collect();
    behind.sort_by(|a, b| b.own.overdue.cmp(&a.own.overdue).then(a.depth.cmp(&b.depth)));
    let value = serde_json::json!({
        "year": year, "today": today, "kinds": kinds, "organizations": rows, "behind": behind,
    });
    Ok(serde_json::to_vec(&value)?)
}

// ---- one measured rollup ---------------------------------------------------------------------------

/// Times of the parts of one rollup (or calendar) computation.
#[derive(Debug, Clone, Default)]
pub struct Parts {
    pub life_orgs: Duration,
    pub held_counts: Duration,
    pub compliance: Duration,
    pub fold: Duration,
    pub json: Duration,
    pub orgs: usize,
    pub count_rows: usize,
    pub windows: usize,
    pub bytes: usize,
    pub overdue_orgs: usize,
}

impl Parts {
    pub fn sql(&self) -> Duration {
        self.life_orgs + self.held_counts
    }
    pub fn compute(&self) -> Duration {
        self.compliance + self.fold
    }
    pub fn total(&self) -> Duration {
        self.sql() + self.compute() + self.json
    }
}

pub struct Ctx {
    pub db: Db,
    pub rules: RuleBook,
    pub user: Uuid,
    pub period: Period,
    pub today: NaiveDate,
}

impl Ctx {
    /// The whole-subtree rollup of `root` (`GET /organizations/{root}/compliance-rollup`).
    pub async fn rollup(&self, root: Uuid) -> anyhow::Result<Parts> {
        let mut p = Parts::default();
        let t = Instant::now();
        let orgs = self.db.life_orgs(self.user, root).await?;
        p.life_orgs = t.elapsed();
        let t = Instant::now();
        let counts = self.db.held_counts(root, self.period.from, self.period.to).await?;
        p.held_counts = t.elapsed();
        let t = Instant::now();
        let all = orglife::compliance(&self.rules, &orgs, &counts, self.period, self.today, warning_days())?;
        p.compliance = t.elapsed();
        let t = Instant::now();
        let (kinds, rows) = orglife::rollup(&all);
        p.fold = t.elapsed();
        let t = Instant::now();
        let body = rollup_body(self.period.from.year(), self.today, &kinds, &rows)?;
        p.json = t.elapsed();
        p.orgs = orgs.len();
        p.count_rows = counts.len();
        p.windows = all.iter().flat_map(|c| &c.requirements).map(|r| r.windows.len()).sum();
        p.bytes = body.len();
        p.overdue_orgs = rows.iter().filter(|r| r.own.overdue > 0).count();
        Ok(p)
    }

    /// One organization's calendar (`GET /organizations/{id}/compliance`).
    pub async fn calendar(&self, id: Uuid) -> anyhow::Result<Parts> {
        let mut p = Parts::default();
        let t = Instant::now();
        let mut orgs = self.db.life_orgs(self.user, id).await?;
        orgs.retain(|o| o.id == id || (o.parent_id == Some(id) && o.kind == "party_group"));
        p.life_orgs = t.elapsed();
        let t = Instant::now();
        let counts = self.db.held_counts(id, self.period.from, self.period.to).await?;
        p.held_counts = t.elapsed();
        let t = Instant::now();
        let mut result = orglife::compliance(&self.rules, &orgs, &counts, self.period, self.today, warning_days())?;
        result.retain(|c| c.organization_id == id);
        p.compliance = t.elapsed();
        let t = Instant::now();
        let one = result.pop().context("the organization has a calendar")?;
        let body = serde_json::to_vec(&serde_json::json!({
            "year": self.period.from.year(), "today": self.today, "warning_days": warning_days(), "compliance": one,
        }))?;
        p.json = t.elapsed();
        p.orgs = orgs.len();
        p.count_rows = counts.len();
        p.windows = one.requirements.iter().map(|r| r.windows.len()).sum();
        p.bytes = body.len();
        p.overdue_orgs = usize::from(one.tally.overdue > 0);
        Ok(p)
    }
}

/// Samples of each part over the runs.
#[derive(Default)]
pub struct PartSamples {
    pub life_orgs: Samples,
    pub held_counts: Samples,
    pub sql: Samples,
    pub compliance: Samples,
    pub fold: Samples,
    pub compute: Samples,
    pub json: Samples,
    pub total: Samples,
    pub last: Parts,
}

impl PartSamples {
    fn push(&mut self, p: Parts) {
        self.life_orgs.push(p.life_orgs);
        self.held_counts.push(p.held_counts);
        self.sql.push(p.sql());
        self.compliance.push(p.compliance);
        self.fold.push(p.fold);
        self.compute.push(p.compute());
        self.json.push(p.json);
        self.total.push(p.total());
        self.last = p;
    }

    fn print(&self, title: &str) {
        let p = &self.last;
        println!(
            "\n{title}\n  {} organizations, {} held-count rows, {} windows, response {:.1} MB, {} organizations with overdue windows",
            p.orgs,
            p.count_rows,
            p.windows,
            p.bytes as f64 / 1e6,
            p.overdue_orgs
        );
        println!("{}", header());
        println!("{}", line("SQL: Db::life_orgs", &self.life_orgs));
        println!("{}", line("SQL: Db::held_counts", &self.held_counts));
        println!("{}", line("SQL part (both)", &self.sql));
        println!("{}", line("compute: orglife::compliance", &self.compliance));
        println!("{}", line("compute: orglife::rollup (kinds, fold)", &self.fold));
        println!("{}", line("compute part (both)", &self.compute));
        println!("{}", line("response JSON (Value + serialize)", &self.json));
        println!("{}", line("total (SQL + compute + JSON)", &self.total));
    }

    fn to_json(&self) -> serde_json::Value {
        let p = &self.last;
        serde_json::json!({
            "organizations": p.orgs, "held_count_rows": p.count_rows, "windows": p.windows, "response_bytes": p.bytes,
            "overdue_organizations": p.overdue_orgs,
            "life_orgs": self.life_orgs.summary(), "held_counts": self.held_counts.summary(), "sql": self.sql.summary(),
            "compliance": self.compliance.summary(), "fold": self.fold.summary(), "compute": self.compute.summary(),
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

async fn measure<F, Fut>(runs: usize, warmup: usize, mut f: F) -> anyhow::Result<(PartSamples, Parts)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<Parts>>,
{
    let first = f().await?;
    for _ in 1..warmup {
        f().await?;
    }
    let mut s = PartSamples::default();
    for _ in 0..runs {
        s.push(f().await?);
    }
    Ok((s, first))
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
    let user = db.user_by_name(BENCH_USER).await?.context("no benchmark user: run `generate` first")?.id;
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

    let ctx = Ctx { db: db.clone(), rules, user, period, today };
    let (group, group_first) = measure(args.runs, args.warmup, || ctx.rollup(root)).await?;
    group.print(&format!("whole group rollup (root {root}); first run {:.1} ms", ms(group_first.total())));
    let (prim, _) = measure(args.runs, args.warmup, || ctx.rollup(primary)).await?;
    prim.print(&format!("one primary committee's subtree rollup ({primary})"));
    let (cal, _) = measure(args.runs, args.warmup, || ctx.calendar(branch)).await?;
    cal.print(&format!("one branch's calendar ({branch})"));

    let http = if args.no_http { serde_json::Value::Null } else { http(&ctx, &args, root, primary, branch).await? };

    let experiments =
        if args.experiments { crate::experiments::run(&ctx, root, &args).await? } else { serde_json::Value::Null };

    if let Some(path) = &args.json {
        let out = serde_json::json!({
            "engine": engine.name(), "year": args.year, "today": today, "runs": args.runs, "warmup": args.warmup,
            "sizes": sizes, "organizations": orgs_total, "meetings": meetings_total, "held_in_year": held_in_year,
            "group_rollup": group.to_json(), "group_rollup_first_run_ms": ms(group_first.total()),
            "primary_rollup": prim.to_json(), "branch_calendar": cal.to_json(),
            "http": http, "experiments": experiments,
        });
        std::fs::write(path, serde_json::to_vec_pretty(&out)?)?;
        println!("\nresults written to {}", path.display());
    }
    db.close().await;
    Ok(())
}

// ---- the real endpoint over HTTP ------------------------------------------------------------------------

async fn http(ctx: &Ctx, args: &Args, root: Uuid, primary: Uuid, branch: Uuid) -> anyhow::Result<serde_json::Value> {
    let state = AppState::new(ctx.db.clone(), ServerConfig::default(), Clock::system(), RuleBook::builtin()?);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await?;
    let base = format!("http://{}", listener.local_addr()?);
    let server = tokio::spawn(async move { dangwu_server::serve(state, listener).await });
    let client = reqwest::Client::builder().cookie_store(true).build()?;
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": BENCH_USER, "password": BENCH_PASSWORD }))
        .send()
        .await?;
    if !res.status().is_success() {
        bail!("login failed: {} {}", res.status(), res.text().await.unwrap_or_default());
    }
    let year = args.year;
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
    server.abort();
    Ok(serde_json::Value::Array(out))
}
