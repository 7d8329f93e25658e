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
use dangwu_store::crypto::DataKeys;
use dangwu_store::{Actor, Db, PoolLimits, SystemRole};
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
    /// Loads the demo enterprise into an empty database: the small one (about 600 members), or with
    /// `--scale` a generated group of the given size.
    Demo {
        /// `medium` (about 4,000 organizations, 50,000 members, 150,000 meeting records) or `large`
        /// (40,000 organizations, 500,000 members, 1.5 million meeting records); `tiny` for a quick look.
        #[arg(long, value_parser = ["tiny", "medium", "large"])]
        scale: Option<String>,
        /// The seed of the generated data: the same seed on the same day gives the same data.
        #[arg(long, default_value_t = demo::scale::DEFAULT_SEED, requires = "scale")]
        seed: u64,
    },
    /// Account administration.
    User {
        #[command(subcommand)]
        action: UserAction,
    },
    /// Encryption at rest of members' ID numbers and phones (see docs/OPERATIONS.md).
    DataKey {
        #[command(subcommand)]
        action: DataKeyAction,
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
enum DataKeyAction {
    /// Prints a new random data key (base64), to be kept in the configuration and backed up apart
    /// from the database.
    Generate,
    /// Shows under which keys ID numbers are stored and how many members wait for the current key.
    Status,
    /// Encrypts the ID numbers and phones still in plaintext (after a data key is first configured).
    EncryptExisting {
        /// Members per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
    },
    /// Re-encrypts every member under the current key, reading with the old keys; resumable.
    Rotate {
        /// Members per transaction.
        #[arg(long, default_value_t = 500)]
        batch: i64,
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
    /// A streaming replica of the PostgreSQL database that read-only requests may be served from
    /// (docs/SCALING.md); none: every request reads the primary.
    read_database_url: Option<String>,
    /// Mark the session cookie Secure (default on); only plain-HTTP local development turns it off.
    secure_cookies: bool,
    /// Hours after login at which a session ends however busy it is.
    session_max_hours: i64,
    log: String,
    /// Days before a meeting window closes from which an unheld meeting is flagged.
    orglife_warning_days: i64,
    /// IANA time zone whose calendar days rules, deadlines and reports follow.
    time_zone: String,
    /// Key encrypting members' ID numbers and phones (32 bytes, base64 or hex); none: plaintext.
    data_key: Option<String>,
    /// File holding the data key instead (only one of the two).
    data_key_file: Option<String>,
    /// Earlier data keys, still accepted for reading until `dangwu data-key rotate` has run.
    old_data_keys: Option<OldKeys>,
    /// Seconds a read statement of the server may run before it is stopped and answered 503 (0: no limit).
    db_read_timeout_secs: u64,
    /// Requests of the server that may wait for a database connection; one more is answered 503 at once
    /// (0: no limit).
    db_max_waiting: usize,
    /// Milliseconds: while requests wait for a database connection, a new one is answered 503 at once
    /// when the last one served had waited longer (0: no limit).
    db_max_queue_wait_ms: u64,
    /// Database connections of the server (0: 16 on PostgreSQL, 8 on SQLite).
    db_max_connections: u32,
    /// SQLite: MiB of the database file read through memory mapping (0: none).
    db_sqlite_mmap_mib: u64,
}

/// Old keys: a TOML list, or one string separated by commas (as in `DANGWU_OLD_DATA_KEYS`).
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(untagged)]
enum OldKeys {
    List(Vec<String>),
    Text(String),
}

impl OldKeys {
    fn keys(&self) -> Vec<String> {
        let list = match self {
            OldKeys::List(list) => list.clone(),
            OldKeys::Text(text) => text.split(',').map(str::to_owned).collect(),
        };
        list.into_iter().map(|k| k.trim().to_owned()).filter(|k| !k.is_empty()).collect()
    }
}

impl Settings {
    /// How the server's pool holds up under load.
    fn pool_limits(&self) -> PoolLimits {
        PoolLimits {
            max_connections: Some(self.db_max_connections).filter(|n| *n > 0),
            read_timeout: Some(self.db_read_timeout_secs).filter(|s| *s > 0).map(std::time::Duration::from_secs),
            max_waiting: Some(self.db_max_waiting).filter(|n| *n > 0),
            max_queue_wait: Some(self.db_max_queue_wait_ms).filter(|ms| *ms > 0).map(std::time::Duration::from_millis),
            sqlite_mmap: self.db_sqlite_mmap_mib.saturating_mul(1 << 20),
            open_all: true,
            ..PoolLimits::default()
        }
    }

    /// The data keys in force, if any. Key material is read from the environment as is (not through
    /// the config parser, which would take some base64 text for other types).
    fn data_keys(&self) -> anyhow::Result<Option<DataKeys>> {
        let env = |name: &str| std::env::var(name).ok().filter(|v| !v.trim().is_empty());
        let inline = env("DANGWU_DATA_KEY").or_else(|| self.data_key.clone().filter(|k| !k.trim().is_empty()));
        let file = env("DANGWU_DATA_KEY_FILE").or_else(|| self.data_key_file.clone().filter(|f| !f.is_empty()));
        let old = env("DANGWU_OLD_DATA_KEYS").map(OldKeys::Text).or_else(|| self.old_data_keys.clone());
        let current = match (inline, file) {
            (Some(_), Some(_)) => bail!("data_key 与 data_key_file 只能设置一个"),
            (Some(key), None) => key,
            (None, Some(path)) => {
                std::fs::read_to_string(&path).with_context(|| format!("无法读取数据密钥文件 {path}"))?
            }
            (None, None) => {
                if old.is_some() {
                    bail!("设置了旧数据密钥（old_data_keys）却没有当前密钥（data_key）");
                }
                return Ok(None);
            }
        };
        let old = old.map(|o| o.keys()).unwrap_or_default();
        Ok(Some(DataKeys::parse(&current, &old).context("数据密钥无效")?))
    }
}

impl Default for Settings {
    fn default() -> Settings {
        Settings {
            listen: "127.0.0.1:8080".into(),
            database_url: "sqlite://data/dangwu.db".into(),
            read_database_url: None,
            secure_cookies: true,
            session_max_hours: 12,
            log: "info,sqlx=warn,tower_http=info".into(),
            orglife_warning_days: 7,
            time_zone: "Asia/Shanghai".into(),
            data_key: None,
            data_key_file: None,
            old_data_keys: None,
            db_read_timeout_secs: PoolLimits::default().read_timeout.map(|t| t.as_secs()).unwrap_or(0),
            db_max_waiting: PoolLimits::default().max_waiting.unwrap_or(0),
            db_max_queue_wait_ms: PoolLimits::default().max_queue_wait.map(|d| d.as_millis() as u64).unwrap_or(0),
            db_max_connections: 0,
            db_sqlite_mmap_mib: PoolLimits::default().sqlite_mmap >> 20,
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
        "read_database_url",
        "secure_cookies",
        "session_max_hours",
        "log",
        "orglife_warning_days",
        "time_zone",
        "db_read_timeout_secs",
        "db_max_waiting",
        "db_max_queue_wait_ms",
        "db_max_connections",
        "db_sqlite_mmap_mib",
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
async fn connect_db(url: &str, limits: &PoolLimits) -> anyhow::Result<Opened> {
    if let Some(path) = url.strip_prefix("sqlite://").or_else(|| url.strip_prefix("sqlite:")) {
        let path = path.split('?').next().unwrap_or(path);
        if let Some(dir) = std::path::Path::new(path).parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir).with_context(|| format!("无法创建数据目录 {}", dir.display()))?;
        }
    }
    let lock = dangwu_store::backup::lock_shared(url)?;
    let db = Db::connect_with(url, limits).await.with_context(|| format!("无法连接数据库 {}", redact(url)))?;
    Ok(Opened { db, _lock: lock })
}

async fn open_db(url: &str, limits: &PoolLimits) -> anyhow::Result<Opened> {
    let opened = connect_db(url, limits).await?;
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

/// The configured time zone, by its IANA name.
fn time_zone(settings: &Settings) -> anyhow::Result<chrono_tz::Tz> {
    settings
        .time_zone
        .parse()
        .map_err(|_| anyhow::anyhow!("时区无效：{}（应为 IANA 时区名，如 Asia/Shanghai）", settings.time_zone))
}

async fn load_demo(db: &Db, rules: &dangwu_rules::RuleBook, zone: chrono_tz::Tz) -> anyhow::Result<()> {
    if !db.is_empty().await? {
        println!("数据库中已有数据，未加载演示数据。");
        return Ok(());
    }
    let password = demo_password();
    let summary = demo::load(db, rules, &password, chrono::Utc::now(), zone).await.context("加载演示数据失败")?;
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

/// `dangwu demo --scale`: generates the demo enterprise at `scale` into an empty database, printing
/// each stage's progress.
async fn generate_demo(db: &Db, scale: &str, seed: u64, zone: chrono_tz::Tz) -> anyhow::Result<()> {
    use demo::scale::{Options, Progress, Scale, generate};
    let scale = Scale::from_name(scale).with_context(|| format!("未知的规模：{scale}（应为 medium 或 large）"))?;
    let plan = scale.plan();
    if !db.is_empty().await? {
        bail!("{}", demo::scale::ScaleError::NotEmpty);
    }
    let password = demo_password();
    let now = chrono::Utc::now();
    println!(
        "生成演示企业（约 {} 个党组织，{} 名党员，{} 条组织生活记录；随机种子 {seed}，数据库 {}）……",
        plan.organizations,
        plan.members,
        plan.meetings,
        db.engine().name()
    );
    let mut print = |p: &Progress| {
        if p.done {
            println!("{}：{} 条，{:.1} 秒（{:.0} 条/秒）", p.stage, p.rows, p.elapsed.as_secs_f64(), p.rate());
        } else {
            println!("  {} {} / {}（{:.0} 条/秒）", p.stage, p.rows, p.total, p.rate());
        }
    };
    let options = Options { plan, seed, today: now.with_timezone(&zone).date_naive(), now, password: password.clone() };
    let summary = generate(db, &options, &mut print).await.context("生成演示数据失败")?;
    println!(
        "已生成演示企业：{} 个党组织，{} 名党员（编入 {} 人次），{} 条组织生活记录（出席记录 {} 条），\
         上年度民主评议 {} 个（{} 人），共用时 {:.1} 秒。",
        summary.organizations,
        summary.members,
        summary.placements,
        summary.meetings,
        summary.attendance,
        summary.appraisals,
        summary.appraisal_entries,
        summary.elapsed.as_secs_f64()
    );
    let kinds: Vec<String> = summary.by_kind.iter().map(|(k, n)| format!("{k} {n}")).collect();
    println!("党组织按类型：{}", kinds.join("，"));
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
    let zone = time_zone(&settings)?;
    tracing_subscriber::fmt()
        .with_env_filter(
            tracing_subscriber::EnvFilter::try_from_default_env().unwrap_or_else(|_| settings.log.clone().into()),
        )
        .init();
    // A broken rule pack or override stops the start, naming the file, line and rule.
    let rules = rule_book(cli.config.as_deref())?;
    if let Command::DataKey { action: DataKeyAction::Generate } = cli.command {
        println!("{}", DataKeys::generate());
        return Ok(());
    }
    let url = settings.database_url.as_str();
    // Backup, restore and checks see the database as it is: no migration first, and a restore
    // must not have it open at all.
    match &cli.command {
        Command::Backup { file } => {
            let Opened { db, _lock } = connect_db(url, &PoolLimits::none()).await?;
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
            let Opened { db, _lock } = connect_db(url, &PoolLimits::none()).await?;
            let report = db.verify_audit_chain().await.context("无法校验审计日志（数据库是否已迁移？）")?;
            print_chain(&report);
            if !report.ok() {
                std::process::exit(1);
            }
            return Ok(());
        }
        _ => {}
    }
    // Only the server limits its reads and its queue; maintenance runs to its end.
    let limits = match cli.command {
        Command::Serve { .. } => settings.pool_limits(),
        _ => PoolLimits::none(),
    };
    let Opened { db, _lock } = open_db(url, &limits).await?;
    let db = db.with_data_keys(settings.data_keys()?);
    let system = Actor { user_id: uuid_nil(), name: "cli".into(), ip: None };
    match cli.command {
        Command::Backup { .. } | Command::Restore { .. } | Command::Audit { .. } => unreachable!("handled above"),
        Command::Migrate => println!("数据库已是最新结构（{}）。", db.engine().name()),
        Command::Demo { scale: None, .. } => load_demo(&db, &rules, zone).await?,
        Command::Demo { scale: Some(scale), seed } => generate_demo(&db, &scale, seed, zone).await?,
        Command::Serve { demo, .. } => {
            if demo {
                load_demo(&db, &rules, zone).await?;
            }
            let addr: SocketAddr =
                settings.listen.parse().with_context(|| format!("监听地址无效：{}", settings.listen))?;
            warn_on_data_keys(&db).await?;
            let db = match settings.read_database_url.as_deref().filter(|u| !u.trim().is_empty()) {
                Some(replica) => {
                    let db = db.with_read_replica(replica).await.context("只读副本配置有误")?;
                    // A replica that is down is passed over read by read; say so at the start too.
                    match db.replica_read(None, None).await.in_recovery().await {
                        Ok(true) => println!("只读请求由只读副本 {} 提供", redact(replica)),
                        _ => println!("注意：只读副本 {} 暂不可用或不是备库，读请求由主库提供", redact(replica)),
                    }
                    db
                }
                None => db,
            };
            let listener = tokio::net::TcpListener::bind(addr).await.with_context(|| format!("无法监听 {addr}"))?;
            println!(
                "党务平台已启动：http://{addr}  （数据库：{}，API 文档：http://{addr}/api/v1/docs/）",
                db.engine().name()
            );
            let state = AppState::new(
                db,
                ServerConfig {
                    secure_cookies: settings.secure_cookies,
                    orglife_warning_days: settings.orglife_warning_days,
                    session_max: chrono::Duration::hours(settings.session_max_hours.max(1)),
                    time_zone: zone,
                },
                Clock::system(),
                rules,
            );
            dangwu_server::serve(state, listener).await?;
        }
        Command::DataKey { action } => data_key(&db, &system, action).await?,
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
                if let Some(problem) = auth::password_problem(&password, &username).filter(|_| !generated) {
                    bail!("密码不符合要求：{problem}");
                }
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
                if let Some(problem) = auth::password_problem(&password, &username).filter(|_| !generated) {
                    bail!("密码不符合要求：{problem}");
                }
                db.operator_reset_password(&system, user.id, &auth::hash_password(&password)?, chrono::Utc::now())
                    .await?;
                println!("已重置 {username} 的密码（一次性密码：登录后须先设置新密码）。");
                if generated {
                    println!("新密码：{password}");
                }
            }
        },
    }
    Ok(())
}

/// Says at start which data key is in force and whether members still wait to be moved to it.
async fn warn_on_data_keys(db: &Db) -> anyhow::Result<()> {
    let (by_key, pending) = db.data_key_status().await?;
    let encrypted: i64 = by_key.iter().filter(|(k, _)| !k.is_empty()).map(|(_, n)| n).sum();
    match (db.data_keys(), pending) {
        (Some(keys), Some(pending)) => {
            println!("党员证件号码、手机号码加密存储：当前密钥 {}", keys.current_id());
            if pending > 0 {
                println!(
                    "注意：{pending} 条党员或发展党员记录的数据尚未使用当前密钥加密，请运行 dangwu data-key encrypt-existing（首次开启）或 dangwu data-key rotate（更换密钥后）。"
                );
            }
        }
        _ if encrypted > 0 => {
            println!("注意：{encrypted} 名党员的证件号码已加密存储，但未配置数据密钥（DANGWU_DATA_KEY），将无法读取。");
        }
        _ => {}
    }
    Ok(())
}

/// `dangwu data-key …`: status, and moving every member to the current key batch by batch.
async fn data_key(db: &Db, system: &Actor, action: DataKeyAction) -> anyhow::Result<()> {
    let print_status = |by_key: &[(String, i64)], pending: Option<i64>| {
        for (key, n) in by_key {
            match key.as_str() {
                "" => println!("  明文：{n} 名党员"),
                k => println!("  密钥 {k}：{n} 名党员"),
            }
        }
        if let Some(pending) = pending {
            println!("  尚待使用当前密钥加密：{pending} 条（党员和发展党员记录）");
        }
    };
    let batch = match action {
        DataKeyAction::Generate => unreachable!("handled before the database is opened"),
        DataKeyAction::Status => {
            match db.data_keys() {
                Some(keys) => {
                    let old = keys.old_ids();
                    println!(
                        "当前密钥 {}；旧密钥：{}",
                        keys.current_id(),
                        if old.is_empty() { "无".into() } else { old.join("、") }
                    );
                }
                None => println!("未配置数据密钥：新写入的证件号码和手机号码以明文存储。"),
            }
            let (by_key, pending) = db.data_key_status().await?;
            print_status(&by_key, pending);
            return Ok(());
        }
        DataKeyAction::EncryptExisting { batch } | DataKeyAction::Rotate { batch } => batch,
    };
    let Some(keys) = db.data_keys() else {
        bail!("未配置数据密钥：请先设置 DANGWU_DATA_KEY（或配置文件中的 data_key），见 docs/OPERATIONS.md");
    };
    println!("使用当前密钥 {} 加密，每批 {batch} 条……", keys.current_id());
    let mut rewritten = 0usize;
    for cases in [false, true] {
        let (mut after, mut done) = (None, 0usize);
        loop {
            // Each batch commits on its own: an interrupted run is simply run again.
            let now = chrono::Utc::now();
            let step = if cases {
                db.reencrypt_recruitment_cases(system, after, batch, now).await?
            } else {
                db.reencrypt_members(system, after, batch, now).await?
            };
            let Some(last) = step.last else { break };
            done += step.rewritten;
            println!("  已处理 {done} {}", if cases { "条发展党员记录" } else { "名党员" });
            after = Some(last);
        }
        rewritten += done;
    }
    let (by_key, pending) = db.data_key_status().await?;
    println!("完成：本次加密 {rewritten} 条（党员和发展党员记录）。");
    print_status(&by_key, pending);
    if pending.unwrap_or(0) == 0 && !keys.old_ids().is_empty() {
        println!("所有党员和发展党员记录的数据均已使用当前密钥加密，可以从配置中移除旧密钥（移除前请先备份）。");
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
