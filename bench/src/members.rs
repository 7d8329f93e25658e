//! The member list and search benchmark, on the members of the generated enterprise (`generate`, the
//! product's `dangwu demo --scale` generator).
//!
//! `members` measures `GET /api/v1/members` over HTTP on an in-process server, logged in as the
//! group's organization administrator: exact ID number and phone, whole and part of a name, the first
//! page of the whole group, a branch and a primary committee, and a deep page; each sequentially and,
//! with `--clients`, under concurrent load.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::{Duration, Instant};

use anyhow::{Context, bail};
use dangwu_rules::RuleBook;
use dangwu_server::{AppState, Clock, ServerConfig};
use dangwu_store::{Db, q};
use uuid::Uuid;

use crate::stats::{Samples, header, line, ms};

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
        bail!("no members: run `generate` first");
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
