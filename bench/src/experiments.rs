//! Diagnostics of the rollup: query plans, the engine's own time for the held-count query, and
//! alternative queries and computations that give the same answer — the measured basis of the
//! recommendations in docs/BENCHMARKS.md. Nothing here changes the database schema.

use std::time::Instant;

use chrono::{Datelike, NaiveDate};
use dangwu_server::orglife;
use dangwu_store::meetings::HeldCount;
use dangwu_store::{Engine, Q, q};
use uuid::Uuid;

use crate::rollup::{Args, Ctx};
use crate::stats::{Samples, header, line};

/// The held-count query of `Db::held_counts` (crates/store/src/meetings.rs), verbatim.
pub const HELD_COUNTS: &str = "SELECT m.organization_id, m.kind, m.secretary_lecture, m.held_on, COUNT(*) AS n \
    FROM org_closure c JOIN meetings m ON m.organization_id = c.descendant \
    WHERE c.ancestor = $1 AND m.status = 'held' AND m.held_on >= $2 AND m.held_on <= $3 \
    GROUP BY m.organization_id, m.kind, m.secretary_lecture, m.held_on";

/// The same rows, grouped in the order of the `meetings_held` index (organization, status, held_on,
/// kind, secretary_lecture), so that SQLite can group while it walks the index instead of sorting.
pub const HELD_COUNTS_INDEX_ORDER: &str = "SELECT m.organization_id, m.kind, m.secretary_lecture, m.held_on, COUNT(*) AS n \
    FROM org_closure c JOIN meetings m ON m.organization_id = c.descendant \
    WHERE c.ancestor = $1 AND m.status = 'held' AND m.held_on >= $2 AND m.held_on <= $3 \
    GROUP BY m.organization_id, m.held_on, m.kind, m.secretary_lecture";

/// The life_orgs query of `Db::life_orgs`, verbatim.
pub const LIFE_ORGS: &str = "SELECT o.id, o.parent_id, o.name, o.short_name, o.kind, o.committee_json, \
    (SELECT COUNT(*) FROM organizations g WHERE g.parent_id = o.id AND g.kind = 'party_group' AND g.status = 'active') AS party_groups, \
    c.depth FROM org_closure c JOIN organizations o ON o.id = c.descendant \
    WHERE c.ancestor = $1 AND o.status = 'active' ORDER BY c.depth, o.id";

/// Held meetings counted per organization, kind and month: one row per (organization, kind,
/// secretary_lecture) with twelve monthly counts. Every due window of a calendar-year period is a
/// whole month, quarter, half-year or year, so monthly counts give the same compliance.
fn monthly_query(root: Uuid, year: i32) -> Q {
    let from = NaiveDate::from_ymd_opt(year, 1, 1).expect("year");
    let to = NaiveDate::from_ymd_opt(year, 12, 31).expect("year");
    let mut query = q("").bind(root).bind(from).bind(to);
    let mut sql = String::from("SELECT m.organization_id, m.kind, m.secretary_lecture");
    for month in 1..=12u32 {
        let start = NaiveDate::from_ymd_opt(year, month, 1).expect("month");
        let end = if month == 12 {
            to
        } else {
            NaiveDate::from_ymd_opt(year, month + 1, 1).and_then(|d| d.pred_opt()).expect("month")
        };
        let a = 4 + 2 * (month as usize - 1);
        sql.push_str(&format!(", SUM(CASE WHEN m.held_on >= ${a} AND m.held_on <= ${} THEN 1 ELSE 0 END)", a + 1));
        query = query.bind(start).bind(end);
    }
    sql.push_str(
        " FROM org_closure c JOIN meetings m ON m.organization_id = c.descendant \
         WHERE c.ancestor = $1 AND m.status = 'held' AND m.held_on >= $2 AND m.held_on <= $3 \
         GROUP BY m.organization_id, m.kind, m.secretary_lecture",
    );
    query.prepend(&sql);
    query
}

type MonthRow = (Uuid, String, bool, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64, i64);

fn month_counts(rows: &[MonthRow], year: i32) -> Vec<HeldCount> {
    let mut out = Vec::with_capacity(rows.len() * 3);
    for r in rows {
        let months = [r.3, r.4, r.5, r.6, r.7, r.8, r.9, r.10, r.11, r.12, r.13, r.14];
        for (i, n) in months.into_iter().enumerate() {
            if n > 0 {
                out.push(HeldCount {
                    organization_id: r.0,
                    kind: r.1.clone(),
                    secretary_lecture: r.2,
                    held_on: NaiveDate::from_ymd_opt(year, i as u32 + 1, 1).expect("month"),
                    n,
                });
            }
        }
    }
    out
}

async fn plan(ctx: &Ctx, sql: &str, root: Uuid) -> anyhow::Result<Vec<String>> {
    let bind = |query: Q| {
        if sql.contains("$2") { query.bind(root).bind(ctx.period.from).bind(ctx.period.to) } else { query.bind(root) }
    };
    Ok(match ctx.db.engine() {
        Engine::Sqlite => {
            let rows: Vec<(i64, i64, i64, String)> =
                ctx.db.fetch_all(bind(q(&format!("EXPLAIN QUERY PLAN {sql}")))).await?;
            rows.into_iter().map(|r| format!("{} {} {}", r.0, r.1, r.3)).collect()
        }
        Engine::Postgres => {
            let rows: Vec<(String,)> = ctx.db.fetch_all(bind(q(&format!("EXPLAIN (ANALYZE, BUFFERS) {sql}")))).await?;
            rows.into_iter().map(|r| r.0).collect()
        }
    })
}

/// Own tallies per organization, to check that an alternative gives the same answer.
fn tallies(all: &[orglife::Compliance]) -> Vec<(Uuid, [u32; 5])> {
    let mut v: Vec<_> = all
        .iter()
        .map(|c| (c.organization_id, [c.tally.done, c.tally.due, c.tally.overdue, c.tally.upcoming, c.tally.warning]))
        .collect();
    v.sort();
    v
}

fn record(results: &mut serde_json::Map<String, serde_json::Value>, name: &str, s: &Samples, note: String) {
    println!("{}   {note}", line(name, s));
    results.insert(name.into(), serde_json::json!({ "timing": s.summary(), "note": note }));
}

async fn time<T, F, Fut>(runs: usize, mut f: F) -> anyhow::Result<(Samples, T)>
where
    F: FnMut() -> Fut,
    Fut: std::future::Future<Output = anyhow::Result<T>>,
{
    let mut s = Samples::default();
    let mut last = f().await?;
    for _ in 0..runs {
        let t = Instant::now();
        last = f().await?;
        s.push(t.elapsed());
    }
    Ok((s, last))
}

pub async fn run(ctx: &Ctx, root: Uuid, args: &Args) -> anyhow::Result<serde_json::Value> {
    let runs = args.runs.clamp(1, 10);
    let (from, to) = (ctx.period.from, ctx.period.to);
    let year = from.year();
    println!("\nexperiments (whole group, {runs} runs each)");

    let held_plan = plan(ctx, HELD_COUNTS, root).await?;
    println!("  plan of held_counts:");
    held_plan.iter().for_each(|l| println!("    {l}"));
    let index_plan = plan(ctx, HELD_COUNTS_INDEX_ORDER, root).await?;
    println!("  plan of held_counts grouped in index order:");
    index_plan.iter().for_each(|l| println!("    {l}"));
    let orgs_plan = plan(ctx, LIFE_ORGS, root).await?;
    println!("  plan of life_orgs:");
    orgs_plan.iter().for_each(|l| println!("    {l}"));

    println!("{}", header());
    let mut results = serde_json::Map::new();

    // The engine alone: the same query counted inside the database (no rows sent or decoded).
    let (s, n) = time(runs, || async {
        let rows: Vec<(i64,)> = ctx
            .db
            .fetch_all(q(&format!("SELECT COUNT(*) FROM ({HELD_COUNTS}) x")).bind(root).bind(from).bind(to))
            .await?;
        Ok(rows[0].0)
    })
    .await?;
    record(&mut results, "held_counts, counted in the database", &s, format!("{n} groups"));

    let (s, n) = time(runs, || async {
        let rows: Vec<(i64,)> = ctx
            .db
            .fetch_all(q(&format!("SELECT COUNT(*) FROM ({HELD_COUNTS_INDEX_ORDER}) x")).bind(root).bind(from).bind(to))
            .await?;
        Ok(rows[0].0)
    })
    .await?;
    record(&mut results, "index-order GROUP BY, counted in the database", &s, format!("{n} groups"));

    let (s, rows) = time(runs, || async {
        Ok(ctx.db.fetch_all::<HeldCount>(q(HELD_COUNTS).bind(root).bind(from).bind(to)).await?)
    })
    .await?;
    record(&mut results, "held_counts as is (fetched)", &s, format!("{} rows", rows.len()));
    let baseline_counts = rows;

    let (s, rows) = time(runs, || async {
        Ok(ctx.db.fetch_all::<HeldCount>(q(HELD_COUNTS_INDEX_ORDER).bind(root).bind(from).bind(to)).await?)
    })
    .await?;
    record(&mut results, "index-order GROUP BY (fetched)", &s, format!("{} rows", rows.len()));

    let (s, rows) = time(runs, || async {
        let rows: Vec<MonthRow> = ctx.db.fetch_all(monthly_query(root, year)).await?;
        Ok(rows)
    })
    .await?;
    let monthly = month_counts(&rows, year);
    record(
        &mut results,
        "monthly counts (fetched)",
        &s,
        format!("{} rows → {} month cells", rows.len(), monthly.len()),
    );

    // Same answer?
    let orgs = ctx.db.life_orgs(ctx.user, root).await?;
    let base = orglife::compliance(&ctx.rules, &orgs, &baseline_counts, ctx.period, ctx.today, 7)?;
    let alt = orglife::compliance(&ctx.rules, &orgs, &monthly, ctx.period, ctx.today, 7)?;
    let same = tallies(&base) == tallies(&alt);
    println!("  monthly counts give the same tallies as held_counts: {same}");
    results.insert("monthly_same_tallies".into(), serde_json::json!(same));

    let (s, _) =
        time(runs, || async { Ok(orglife::compliance(&ctx.rules, &orgs, &monthly, ctx.period, ctx.today, 7)?) })
            .await?;
    record(&mut results, "orglife::compliance on monthly counts", &s, format!("{} cells", monthly.len()));

    let (s, _) = time(runs, || async {
        Ok(orglife::compliance(&ctx.rules, &orgs, &baseline_counts, ctx.period, ctx.today, 7)?)
    })
    .await?;
    record(&mut results, "orglife::compliance on held_counts rows", &s, format!("{} rows", baseline_counts.len()));

    let (s, _) =
        time(runs, || async { Ok(orglife::compliance(&ctx.rules, &orgs, &[], ctx.period, ctx.today, 7)?) }).await?;
    record(&mut results, "orglife::compliance with no meetings", &s, "requirements and windows only".into());

    Ok(serde_json::Value::Object(results))
}
