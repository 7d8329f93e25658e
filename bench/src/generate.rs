//! The synthetic enterprise of the benchmarks: the product's generator (`dangwu demo --scale`, see
//! `dangwu_server::demo::scale`), at one of its scales or with the numbers given here, plus the
//! benchmark user (organization administrator of the group) that `rollup` and `members` log in as.

use std::time::Instant;

use anyhow::Context;
use chrono::{Duration, NaiveDate, Utc};
use dangwu_server::demo::scale::{self, Options, Progress, Scale};
use dangwu_store::accounts::NewUser;
use dangwu_store::{Actor, Db, Role};
use uuid::Uuid;

use crate::{BENCH_PASSWORD, BENCH_USER};

#[derive(clap::Args)]
pub struct Args {
    /// `sqlite:///path/file.db` or `postgres://user@host:port/database`.
    #[arg(long, env = "DATABASE_URL")]
    pub database_url: String,
    /// The generator's scale (`tiny`, `medium` or `large`); the numbers below override it.
    #[arg(long, default_value = "large", value_parser = ["tiny", "medium", "large"])]
    pub scale: String,
    /// Organizations in all (approximately: whole branches with their party groups are kept together).
    #[arg(long)]
    pub orgs: Option<usize>,
    /// Primary committees under the group committee (at least one per ten organizations).
    #[arg(long)]
    pub primaries: Option<usize>,
    /// Members, spread over the branches in proportion to their size.
    #[arg(long)]
    pub members: Option<usize>,
    /// Meeting records in all (this year first, then older months).
    #[arg(long)]
    pub meetings: Option<usize>,
    /// Held meetings of the last this many days get attendance rows.
    #[arg(long)]
    pub attendance_days: Option<i64>,
    #[arg(long, default_value_t = scale::DEFAULT_SEED)]
    pub seed: u64,
    /// The day records run up to: meetings after it are planned, not held (default: today in China).
    /// The benchmark year is its year.
    #[arg(long)]
    pub today: Option<NaiveDate>,
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let started = Instant::now();
    let mut plan = Scale::from_name(&args.scale).context("unknown scale")?.plan();
    plan.organizations = args.orgs.unwrap_or(plan.organizations);
    plan.primaries = args.primaries.unwrap_or(plan.primaries);
    plan.members = args.members.unwrap_or(plan.members);
    plan.meetings = args.meetings.unwrap_or(plan.meetings);
    plan.attendance_days = args.attendance_days.unwrap_or(plan.attendance_days);
    let db = Db::connect(&args.database_url).await?;
    db.migrate().await?;
    let now = Utc::now();
    let today = args.today.unwrap_or_else(|| (now + Duration::hours(8)).date_naive());
    println!("generating {plan:?} (seed {}, today {today}) into {}", args.seed, db.engine().name());
    let options = Options { plan, seed: args.seed, today, now, password: BENCH_PASSWORD.into() };
    let mut print = |p: &Progress| {
        if p.done {
            println!("{}: {} rows in {:.1} s ({:.0} rows/s)", p.stage, p.rows, p.elapsed.as_secs_f64(), p.rate());
        } else {
            println!("  {} {:>9} / {} ({:.0} rows/s)", p.stage, p.rows, p.total, p.rate());
        }
    };
    let summary = scale::generate(&db, &options, &mut print).await?;
    println!("organizations by kind: {:?}", summary.by_kind);

    // The benchmark user.
    let actor = Actor { user_id: Uuid::nil(), name: "bench".into(), ip: None };
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
    db.grant(&actor, user.id, Role::OrgAdmin, summary.root, now).await?;
    println!("user {BENCH_USER} / {BENCH_PASSWORD}: org_admin on {}", summary.root);
    crate::rollup::print_sizes(&db, &args.database_url).await?;
    println!("generated in {:.1} s", started.elapsed().as_secs_f64());
    db.close().await;
    Ok(())
}
