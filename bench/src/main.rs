//! `dangwu-bench`: generates a synthetic enterprise (tens of thousands of organizations, hundreds of
//! thousands of members, millions of meeting records: the product's `dangwu demo --scale` generator)
//! and measures the organizational-life compliance rollup and the member list on it, through the same
//! store calls and computation as the server, and through the real HTTP endpoints.
//!
//! ```text
//! dangwu-bench generate --database-url sqlite:///tmp/bench.db --scale large --today 2026-11-29
//! dangwu-bench rollup   --database-url sqlite:///tmp/bench.db --year 2026 --runs 20
//! ```
//! Results are recorded in `docs/BENCHMARKS.md`.

mod generate;
mod load;
mod members;
mod rollup;
mod stats;

use clap::{Parser, Subcommand};

/// Username and password of the generated org-admin user (granted on the root organization).
pub const BENCH_USER: &str = "bench_admin";

/// The user the measurements log in as: `DANGWU_BENCH_USER` (e.g. `admin` of a database made by
/// `dangwu demo --scale large` with `DANGWU_DEMO_PASSWORD` set to [`BENCH_PASSWORD`]), else [`BENCH_USER`].
pub fn bench_user() -> String {
    std::env::var("DANGWU_BENCH_USER").ok().filter(|u| !u.is_empty()).unwrap_or_else(|| BENCH_USER.into())
}
pub const BENCH_PASSWORD: &str = "Bench-pass-2026";

/// Logs the benchmark user in on `client` (its cookie store keeps the session).
pub async fn login(client: &reqwest::Client, base: &str) -> anyhow::Result<()> {
    let res = client
        .post(format!("{base}/api/v1/auth/login"))
        .json(&serde_json::json!({ "username": bench_user(), "password": BENCH_PASSWORD }))
        .send()
        .await?;
    if !res.status().is_success() {
        anyhow::bail!("login failed: {} {}", res.status(), res.text().await.unwrap_or_default());
    }
    Ok(())
}

#[derive(Parser)]
#[command(name = "dangwu-bench", about = "Benchmark of the organizational-life compliance rollup")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Creates the schema and a synthetic enterprise (the product's generator) with the benchmark user.
    Generate(generate::Args),
    /// Measures the compliance rollup (store calls + computation, and the HTTP endpoint).
    Rollup(rollup::Args),
    /// Measures the member list and search (`GET /members`) over HTTP.
    Members(members::Args),
    /// A mixed read/write load of many users on a running server, with its memory sampled.
    Load(load::Args),
}

fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let runtime = tokio::runtime::Builder::new_multi_thread().enable_all().build()?;
    runtime.block_on(async {
        match cli.command {
            Command::Generate(args) => generate::run(args).await,
            Command::Rollup(args) => rollup::run(args).await,
            Command::Members(args) => members::run(args).await,
            Command::Load(args) => load::run(args).await,
        }
    })
}
