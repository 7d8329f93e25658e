//! `dangwu`: the one binary of the platform.
//!
//! Settings come, weakest first, from built-in defaults, the config file (`dangwu.toml`, or `--config`),
//! `DANGWU_*` environment variables, and command-line flags.

use std::net::SocketAddr;
use std::path::PathBuf;

use anyhow::{Context, bail};
use clap::{Parser, Subcommand};
use dangwu_server::{AppState, Clock, ServerConfig, auth, demo};
use dangwu_store::accounts::NewUser;
use dangwu_store::audit::ChainReport;
use dangwu_store::{Actor, Db, SystemRole};
use figment::Figment;
use figment::providers::{Env, Format, Serialized, Toml};
use serde::{Deserialize, Serialize};

#[derive(Parser)]
#[command(name = "dangwu", version, about = "党务：国有企业基层党组织党建工作平台")]
struct Cli {
    /// Config file (TOML); `dangwu.toml` in the working directory is read when present.
    #[arg(long, global = true)]
    config: Option<String>,
    /// Database URL: `sqlite://data/dangwu.db` (default) or `postgres://user@host/db`.
    #[arg(long, global = true)]
    database_url: Option<String>,
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Runs the web platform.
    Serve {
        /// Address to listen on (default 127.0.0.1:8080).
        #[arg(long)]
        listen: Option<String>,
        /// Loads the demo enterprise first if the database is empty.
        #[arg(long)]
        demo: bool,
    },
    /// Applies database migrations and exits.
    Migrate,
    /// Loads the demo enterprise into an empty database.
    Demo,
    /// Account administration.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Writes a consistent copy of the database to FILE while the server keeps serving
    /// (SQLite: VACUUM INTO; PostgreSQL: pg_dump -Fc), then checks the copy.
    Backup { file: PathBuf },
    /// Restores a backup FILE: SQLite replaces the database file (server stopped; the old file is kept
    /// beside it), PostgreSQL restores into an empty database (pg_restore --single-transaction).
    Restore { file: PathBuf },
    /// The audit log.
    Audit {
        #[command(subcommand)]
        action: AuditAction,
    },
}

#[derive(Subcommand)]
enum AuditAction {
    /// Checks the hash chain of the audit log; reports the first broken link and exits with 1.
    Verify,
}

#[derive(Subcommand)]
enum UserAction {
    /// Creates a user holding one of the three system roles (or none).
    Create {
        username: String,
        /// `system_admin`, `security_admin` or `audit_admin`.
        #[arg(long)]
        system_role: Option<String>,
        #[arg(long)]
        display_name: Option<String>,
        /// Password; read from DANGWU_PASSWORD when not given, else generated and printed.
        #[arg(long, env = "DANGWU_PASSWORD")]
        password: Option<String>,
    },
    /// Sets a new password (generated and printed unless given).
    ResetPassword {
        username: String,
        #[arg(long, env = "DANGWU_PASSWORD")]
        password: Option<String>,
    },
}

#[derive(Debug, Serialize, Deserialize)]
struct Settings {
    listen: String,
    database_url: String,
    /// Mark the session cookie Secure; defaults to on unless listening on loopback.
    secure_cookies: Option<bool>,
    log: String,
    /// Days before a meeting window closes from which an unheld meeting is flagged.
    orglife_warning_days: i64,
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/dangwu.db".into(),
            secure_cookies: None,
            log: "info,sqlx=warn,tower_http=info".into(),
            orglife_warning_days: 7,
        }
    }
}

fn settings(cli: &Cli) -> anyhow::Result<Settings> {
    let mut figment = Figment::from(Serialized::defaults(Settings::default()));
    match &cli.config {
        Some(path) => {
            if !std::path::Path::new(path).exists() {
                bail!("配置文件不存在：{path}");
            }
            figment = figment.merge(Toml::file(path));
        }
        None => figment = figment.merge(Toml::file("dangwu.toml")),
    }
    figment = figment.merge(Env::prefixed("DANGWU_").only(&[
        "listen",
        "database_url",
        "secure_cookies",
        "log",
        "orglife_warning_days",
    ]));
    if let Some(url) = &cli.database_url {
        figment = figment.merge(Serialized::default("database_url", url));
    }
    if let Command::Serve { listen: Some(listen), .. } = &cli.command {
        figment = figment.merge(Serialized::default("listen", listen));
    }
    figment.extract().context("读取配置失败")
}

/// An open database, and the shared lock on a SQLite file that keeps `dangwu restore` from replacing
/// it while this process runs.
struct Opened {
    db: Db,
    _lock: Option<std::fs::File>,
}

/// Connects without migrating (a backup or check must see the database as it is).
async fn connect_db(url: &str) -> anyhow::Result<Opened> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
        }
    }
    let lock = dangwu_store::backup::lock_shared(url)?;
    let db = Db::connect(url).await.with_context(|| format!("无法连接数据库 {}", redact(url)))?;
    Ok(Opened { db, _lock: lock })
}

async fn open_db(url: &str) -> anyhow::Result<Opened> {
    let opened = connect_db(url).await?;
    opened.db.migrate().await.context("数据库迁移失败")?;
    Ok(opened)
}

fn print_chain(report: &ChainReport) {
    match &report.broken {
        None => println!("审计日志哈希链完整：共 {} 条记录，链头哈希 {}。", report.head_seq, report.head_hash),
        Some(b) => {
            println!("审计日志哈希链断裂：{}", b.message);
            let place = b.seq.map(|s| format!("第 {s} 条")).unwrap_or_else(|| "链外".into());
            let id = b.id.map(|i| i.to_string()).unwrap_or_else(|| "—".into());
            println!("  类型：{:?}  位置：{place}  记录：{id}", b.kind);
            println!(
                "  此前完好的记录 {} 条；链头记有 {} 条，链头哈希 {}。",
                report.checked, report.head_seq, report.head_hash
            );
        }
    }
}

/// Hides a password in a database URL before it is printed.
fn redact(url: &str) -> String {
    match (url.find("://"), url.rfind('@')) {
        (Some(s), Some(at)) if at > s => {
            let creds = &url[s + 3..at];
            match creds.split_once(':') {
                Some((user, _)) => format!("{}{user}:***{}", &url[..s + 3], &url[at..]),
                None => url.to_owned(),
            }
        }
        _ => url.to_owned(),
    }
}

fn demo_password() -> String {
    std::env::var("DANGWU_DEMO_PASSWORD")
        .ok()
        .filter(|p| !p.is_empty())
        .unwrap_or_else(|| format!("Dw-{}", &auth::random_token()[..12]))
}

async fn load_demo(db: &Db, rules: &dangwu_rules::RuleBook) -> anyhow::Result<()> {
    if !db.is_empty().await? {
        println!("数据库中已有数据，未加载演示数据。");
        return Ok(());
    }
    let password = demo_password();
    let summary = demo::load(db, rules, &password, chrono::Utc::now()).await.context("加载演示数据失败")?;
    println!(
        "已加载演示企业：{} 个党组织，{} 名党员，本年度 {} 次组织生活记录。",
        summary.organizations, summary.members, summary.meetings
    );
    println!("演示账号（密码均为 {password}）：");
    for u in &summary.users {
        println!("  {:<14} {:<12} {}", u.username, u.display_name, u.role);
    }
    Ok(())
}

#[tokio::main]
async fn main() -> anyhow::Result<()> {
    let cli = Cli::parse();
    let settings = settings(&cli)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| settings.log.clone().into()),
        )
        .init();
    // A broken rule pack or override stops the start, naming the file, line and rule.
    let rules = rule_book(cli.config.as_deref())?;
    let url = settings.database_url.as_str();
    // Backup, restore and checks see the database as it is: no migration first, and a restore
    // must not have it open at all.
    match &cli.command {
        Command::Backup { file } => {
            let Opened { db, _lock } = connect_db(url).await?;
            let started = std::time::Instant::now();
            let report = db.backup(file).await.context("备份失败")?;
            println!(
                "已备份到 {}（{} 字节，{:.1} 秒）；副本完整性：{}",
                report.file.display(),
                report.bytes,
                started.elapsed().as_secs_f64(),
                report.integrity
            );
            if let Some(chain) = &report.audit {
                print!("副本的");
                print_chain(chain);
                if !chain.ok() {
                    std::process::exit(1);
                }
            }
            return Ok(());
        }
        Command::Restore { file } => {
            let report = dangwu_store::backup::restore(url, file).await.context("恢复失败")?;
            println!("已从 {} 恢复数据库（{}）；完整性：{}", file.display(), redact(url), report.integrity);
            if let Some(previous) = &report.previous {
                println!("原数据库文件已移到 {}", previous.display());
            }
            print_chain(&report.audit);
            if !report.audit.ok() {
                std::process::exit(1);
            }
            return Ok(());
        }
        Command::Audit { action: AuditAction::Verify } => {
            let Opened { db, _lock } = connect_db(url).await?;
            let report = db.verify_audit_chain().await.context("无法校验审计日志（数据库是否已迁移？）")?;
            print_chain(&report);
            if !report.ok() {
                std::process::exit(1);
            }
            return Ok(());
        }
        _ => {}
    }
    let Opened { db, _lock } = open_db(url).await?;
    let system = Actor { user_id: uuid_nil(), name: "cli".into(), ip: None };
    match cli.command {
        Command::Backup { .. } | Command::Restore { .. } | Command::Audit { .. } => unreachable!("handled above"),
        Command::Migrate => println!("数据库已是最新结构（{}）。", db.engine().name()),
        Command::Demo => load_demo(&db, &rules).await?,
        Command::Serve { demo, .. } => {
            if demo {
                load_demo(&db, &rules).await?;
            }
            let addr: SocketAddr =
                settings.listen.parse().with_context(|| format!("监听地址无效：{}", settings.listen))?;
            let secure = settings.secure_cookies.unwrap_or(!addr.ip().is_loopback());
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("无法监听 {addr}"))?;
            println!(
                "党务平台已启动：http://{addr}  （数据库：{}，API 文档：http://{addr}/api/v1/docs/）",
                db.engine().name()
            );
            let state = AppState::new(
                db,
                ServerConfig { secure_cookies: secure, orglife_warning_days: settings.orglife_warning_days },
                Clock::system(),
                rules,
            );
            dangwu_server::serve(state, listener).await?;
        }
        Command::User { action } => match action {
            UserAction::Create { username, system_role, display_name, password } => {
                let role = match system_role.as_deref() {
                    None => None,
                    Some(code) => Some(SystemRole::from_code(code).with_context(|| {
                        format!("未知的系统角色：{code}（可选 system_admin、security_admin、audit_admin）")
                    })?),
                };
                let (password, generated) = match password {
                    Some(p) => (p, false),
                    None => (format!("Dw-{}", &auth::random_token()[..12]), true),
                };
                let hash = auth::hash_password(&password)?;
                let display = display_name.unwrap_or_else(|| username.clone());
                db.create_user(
                    &system,
                    &NewUser {
                        username: &username,
                        display_name: &display,
                        password_hash: &hash,
                        member_id: None,
                        system_role: role,
                    },
                    chrono::Utc::now(),
                )
                .await?;
                println!("已创建用户 {username}。");
                if generated {
                    println!("初始密码：{password}");
                }
            }
            UserAction::ResetPassword { username, password } => {
                let user = db.user_by_name(&username).await?.with_context(|| format!("用户不存在：{username}"))?;
                let (password, generated) = match password {
                    Some(p) => (p, false),
                    None => (format!("Dw-{}", &auth::random_token()[..12]), true),
                };
                db.set_password(&system, user.id, &auth::hash_password(&password)?, chrono::Utc::now()).await?;
                println!("已重置 {username} 的密码。");
                if generated {
                    println!("新密码：{password}");
                }
            }
        },
    }
    Ok(())
}

/// The built-in rule packs with the deployment's `[rules.overrides]` from the config file applied.
fn rule_book(config: Option<&str>) -> anyhow::Result<dangwu_rules::RuleBook> {
    let mut book = dangwu_rules::RuleBook::builtin().map_err(|e| anyhow::anyhow!("规则包有误：{e}"))?;
    let path = config.unwrap_or("dangwu.toml");
    if std::path::Path::new(path).exists() {
        let text = std::fs::read_to_string(path).with_context(|| format!("无法读取配置文件 {path}"))?;
        let overrides = dangwu_rules::book::parse_overrides(path, &text).map_err(|e| anyhow::anyhow!("{e}"))?;
        book.apply_overrides(&overrides).map_err(|e| anyhow::anyhow!("规则覆盖无效：{e}"))?;
        for o in &overrides {
            tracing::info!("本地规则覆盖：{} = {} （{}）", o.rule, o.value, o.origin);
        }
    }
    Ok(book)
}

fn uuid_nil() -> uuid::Uuid {
    uuid::Uuid::nil()
}
