//! One database handle over SQLite and PostgreSQL.
//!
//! Repository code builds a [`Q`] (SQL text with `$1, $2…` placeholders and typed arguments) and runs it
//! through [`Db`] or [`Tx`]; only this file knows which engine is behind them. Arguments carry their type
//! even when NULL, because PostgreSQL rejects an untyped NULL in a typed column.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::pool::PoolConnection;
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqliteLockingMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, AtomicU64, AtomicUsize, Ordering};
use std::time::{Duration, Instant};
use uuid::Uuid;

use crate::StoreError;
use crate::crypto::DataKeys;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Engine {
    Sqlite,
    Postgres,
}

impl Engine {
    pub fn name(self) -> &'static str {
        match self {
            Engine::Sqlite => "sqlite",
            Engine::Postgres => "postgres",
        }
    }
}

/// A typed query argument.
#[derive(Debug, Clone)]
pub enum Arg {
    Uuid(Option<Uuid>),
    Text(Option<String>),
    I64(Option<i64>),
    Bool(Option<bool>),
    Date(Option<NaiveDate>),
    Ts(Option<DateTime<Utc>>),
}

macro_rules! arg_from {
    ($variant:ident, $t:ty) => {
        impl From<$t> for Arg {
            fn from(v: $t) -> Arg {
                Arg::$variant(Some(v.into()))
            }
        }
        impl From<Option<$t>> for Arg {
            fn from(v: Option<$t>) -> Arg {
                Arg::$variant(v.map(Into::into))
            }
        }
    };
}
arg_from!(Uuid, Uuid);
arg_from!(Text, String);
arg_from!(Text, &str);
arg_from!(I64, i64);
arg_from!(Bool, bool);
arg_from!(Date, NaiveDate);
arg_from!(Ts, DateTime<Utc>);

/// SQL text plus its arguments, in placeholder order.
#[derive(Debug, Clone)]
pub struct Q {
    sql: String,
    args: Vec<Arg>,
}

/// Starts a query.
pub fn q(sql: &str) -> Q {
    Q { sql: sql.to_owned(), args: Vec::new() }
}

impl Q {
    /// Adds the next argument (`$1` is the first bound).
    pub fn bind(mut self, arg: impl Into<Arg>) -> Q {
        self.args.push(arg.into());
        self
    }

    /// Puts SQL text in front (a shared WHERE clause under different SELECTs).
    pub fn prepend(&mut self, sql: &str) -> &mut Q {
        self.sql.insert_str(0, sql);
        self
    }

    /// Appends SQL text.
    pub fn push(&mut self, sql: &str) -> &mut Q {
        self.sql.push_str(sql);
        self
    }

    /// Appends `sql_before` followed by the placeholder of a new argument, for filters built at run time.
    pub fn push_bind(&mut self, sql_before: &str, arg: impl Into<Arg>) -> &mut Q {
        self.args.push(arg.into());
        self.sql.push_str(sql_before);
        self.sql.push_str(&format!("${}", self.args.len()));
        self
    }

    /// The placeholder the next bound argument will take.
    pub fn next_placeholder(&self) -> String {
        format!("${}", self.args.len() + 1)
    }
}

/// Rows that decode from both engines (every `#[derive(FromRow)]` struct of supported types).
pub trait Record: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static {}
impl<T> Record for T where T: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static {}

macro_rules! bind_args {
    ($query:expr, $args:expr) => {{
        let mut query = $query;
        for arg in $args {
            query = match arg {
                Arg::Uuid(v) => query.bind(*v),
                Arg::Text(v) => query.bind(v.clone()),
                Arg::I64(v) => query.bind(*v),
                Arg::Bool(v) => query.bind(*v),
                Arg::Date(v) => query.bind(*v),
                Arg::Ts(v) => query.bind(*v),
            };
        }
        query
    }};
}

/// Runs one query on any executor of a known engine; expands once per engine.
macro_rules! run {
    (execute, $db:ty, $exec:expr, $q:expr) => {{
        let query = bind_args!(sqlx::query::<$db>(AssertSqlSafe($q.sql.clone())), &$q.args);
        query.execute($exec).await.map(|r| r.rows_affected()).map_err(StoreError::from)
    }};
    (fetch_all, $db:ty, $exec:expr, $q:expr) => {{
        let query = bind_args!(sqlx::query_as::<$db, _>(AssertSqlSafe($q.sql.clone())), &$q.args);
        query.fetch_all($exec).await.map_err(StoreError::from)
    }};
    (fetch_optional, $db:ty, $exec:expr, $q:expr) => {{
        let query = bind_args!(sqlx::query_as::<$db, _>(AssertSqlSafe($q.sql.clone())), &$q.args);
        query.fetch_optional($exec).await.map_err(StoreError::from)
    }};
}

/// Runs one statement on a lease: marked running while awaited, so a request dropped meanwhile stops it.
macro_rules! on_lease {
    ($lease:expr, $method:ident, $db:ty, $q:expr) => {{
        let mut lease = $lease;
        lease.running = true;
        let conn = lease.held.as_mut().expect("held until dropped");
        let result = run!($method, $db, &mut **conn, $q);
        lease.running = false;
        result.map_err(|e| stopped_as(e, &lease.stop))
    }};
}

#[derive(Debug, Clone)]
enum Pool {
    Sqlite(SqlitePool),
    Postgres(PgPool),
}

/// The database: a pool on one engine.
#[derive(Debug, Clone)]
pub struct Db {
    pool: Pool,
    /// Encrypts members' ID numbers and phones when set (see [`crate::crypto`]).
    keys: Option<Arc<DataKeys>>,
    /// Kept for the engines' own tools (`pg_dump`), which take the URL rather than a pool.
    url: std::sync::Arc<str>,
    /// The queue for connections and what stops abandoned statements, shared by every clone.
    shield: Arc<Shield>,
    /// How long one statement outside a write transaction may run on this handle.
    read_timeout: Option<Duration>,
    /// A streaming replica of this PostgreSQL database that reads may be served from (see
    /// [`Db::replica_read`]); `None` on SQLite and when none is configured.
    replica: Option<(PgPool, Arc<Shield>)>,
}

/// How the pool holds up under load: how long reads may run, how many requests may wait for a
/// connection (see docs/OPERATIONS.md). [`Db::connect`] sets none of them (the command line's
/// maintenance work); the server connects with [`Db::connect_with`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PoolLimits {
    /// Connections at most (default: 16 on PostgreSQL, 8 on SQLite).
    pub max_connections: Option<u32>,
    /// A statement outside a write transaction running longer is stopped: [`StoreError::TimedOut`].
    pub read_timeout: Option<Duration>,
    /// Requests waiting for a connection at most; one more is refused at once: [`StoreError::Busy`].
    pub max_waiting: Option<usize>,
    /// While requests wait, a new one is refused at once ([`StoreError::Busy`]) when the last request
    /// given a connection had waited longer than this: the queue is bounded by how long it makes
    /// people wait, not only by its length.
    pub max_queue_wait: Option<Duration>,
    /// How long a request waits in the queue before it is refused ([`StoreError::Busy`] too).
    pub acquire_timeout: Duration,
    /// Opens every connection at the start and keeps them open (the server): the first burst of
    /// requests does not wait while connections are made, nor does a burst after a quiet spell.
    pub open_all: bool,
    /// SQLite: bytes of the database file each connection reads through memory mapping (`PRAGMA
    /// mmap_size`; 0: none). Without it every page a query touches beyond the connection's 2 MB
    /// cache is copied in by a system call: a one-character name search on 500,000 members took
    /// 11 ms that way and 4.4 ms mapped. The mapped pages are the operating system's file cache,
    /// shared by the connections, not memory of the process. SQLite caps it at its build's limit.
    pub sqlite_mmap: u64,
}

/// The default of [`PoolLimits::sqlite_mmap`]: 2 GiB, the whole file of a large enterprise.
pub const SQLITE_MMAP_DEFAULT: u64 = 2 << 30;

impl Default for PoolLimits {
    /// The server's defaults: reads stop after 15 s (the largest read a request makes, the whole
    /// group's compliance index on SQLite, takes about 5 s on 500,000 members; a member search
    /// takes milliseconds). Newcomers are refused while the queue makes people wait over a second,
    /// which a person takes for a hang. The queue's length is bounded too, at 512: at a few
    /// milliseconds per query 16 connections serve that many within a fraction of a second. (A
    /// bound of 64 by length alone refused 67 requests of 500 users in the second after a start,
    /// and 17 in one moment later, while 99 % of member reads took under 65 ms.)
    fn default() -> PoolLimits {
        PoolLimits {
            max_connections: None,
            read_timeout: Some(Duration::from_secs(15)),
            max_waiting: Some(512),
            max_queue_wait: Some(Duration::from_secs(1)),
            acquire_timeout: Duration::from_secs(10),
            open_all: false,
            sqlite_mmap: SQLITE_MMAP_DEFAULT,
        }
    }
}

impl PoolLimits {
    /// No time-out and no queue limit: for maintenance (migrations, backups, key rotation).
    pub fn none() -> PoolLimits {
        PoolLimits {
            max_connections: None,
            read_timeout: None,
            max_waiting: None,
            max_queue_wait: None,
            acquire_timeout: Duration::from_secs(10),
            open_all: false,
            sqlite_mmap: SQLITE_MMAP_DEFAULT,
        }
    }
}

/// What all clones of one [`Db`] share besides the pool.
#[derive(Debug)]
struct Shield {
    max_waiting: Option<usize>,
    max_queue_wait: Option<Duration>,
    /// Requests waiting for a connection now.
    waiting: AtomicUsize,
    /// How long the request served last waited for its connection, in microseconds.
    last_wait_us: AtomicU64,
    /// Statements stopped because their request was gone, since the start.
    stopped: AtomicU64,
    /// PostgreSQL: a small pool of its own from which statements are cancelled (the main pool may be
    /// full of the very statements to cancel).
    canceller: Option<PgPool>,
}

/// Counts a request in the queue for a connection while it waits.
struct InQueue<'a> {
    shield: &'a Shield,
    since: Instant,
}

impl InQueue<'_> {
    /// The request has its connection: how long it waited tells the next arrivals how long they
    /// would (the pool serves its queue in order).
    fn served(self) {
        let waited = u64::try_from(self.since.elapsed().as_micros()).unwrap_or(u64::MAX);
        self.shield.last_wait_us.store(waited, Ordering::Relaxed);
    }
}

impl Drop for InQueue<'_> {
    fn drop(&mut self) {
        self.shield.waiting.fetch_sub(1, Ordering::Relaxed);
    }
}

impl Shield {
    fn new(max_waiting: Option<usize>, max_queue_wait: Option<Duration>, canceller: Option<PgPool>) -> Arc<Shield> {
        Arc::new(Shield {
            max_waiting,
            max_queue_wait,
            waiting: AtomicUsize::new(0),
            last_wait_us: AtomicU64::new(0),
            stopped: AtomicU64::new(0),
            canceller,
        })
    }

    /// A place in the queue, or [`StoreError::Busy`] at once when it is full: when `max_waiting`
    /// requests already wait, or when some wait and the last one served had waited longer than
    /// `max_queue_wait` (a newcomer would wait as long).
    fn enter(&self) -> Result<InQueue<'_>, StoreError> {
        let before = self.waiting.fetch_add(1, Ordering::Relaxed);
        let place = InQueue { shield: self, since: Instant::now() };
        if let Some(max) = self.max_waiting
            && before >= max
        {
            return Err(StoreError::Busy);
        }
        if let Some(max) = self.max_queue_wait
            && before > 0
            && self.last_wait_us.load(Ordering::Relaxed) > u64::try_from(max.as_micros()).unwrap_or(u64::MAX)
        {
            return Err(StoreError::Busy);
        }
        Ok(place)
    }
}

/// The SQLite side of a statement's watch: read by the connection's progress handler, which stops the
/// statement when its request is gone or its time is up.
#[derive(Debug)]
struct Watch {
    started: Instant,
    /// Nanoseconds after `started` at which the running statement is stopped; `u64::MAX`: never.
    deadline: AtomicU64,
    /// The request is gone: stop now.
    abandoned: AtomicBool,
    /// The lease is over: the handler, still set on the connection, lets everything run.
    released: AtomicBool,
    timed_out: AtomicBool,
}

impl Watch {
    fn new() -> Arc<Watch> {
        Arc::new(Watch {
            started: Instant::now(),
            deadline: AtomicU64::new(u64::MAX),
            abandoned: AtomicBool::new(false),
            released: AtomicBool::new(false),
            timed_out: AtomicBool::new(false),
        })
    }

    /// Starts the clock of one statement.
    fn arm(&self, timeout: Option<Duration>) {
        let at = timeout.map(|t| (self.started.elapsed() + t).as_nanos() as u64).unwrap_or(u64::MAX);
        self.deadline.store(at, Ordering::Relaxed);
    }

    /// Whether the statement may go on (the progress handler's answer).
    fn proceed(&self) -> bool {
        if self.released.load(Ordering::Relaxed) {
            return true;
        }
        if self.abandoned.load(Ordering::Relaxed) {
            return false;
        }
        let deadline = self.deadline.load(Ordering::Relaxed);
        if deadline != u64::MAX && self.started.elapsed().as_nanos() as u64 > deadline {
            self.timed_out.store(true, Ordering::Relaxed);
            return false;
        }
        true
    }
}

/// SQLite calls the progress handler every this many virtual-machine steps (a few microseconds).
const PROGRESS_STEPS: i32 = 2000;

/// Sets a fresh watch on a SQLite connection for one lease.
async fn watch_sqlite(conn: &mut sqlx::SqliteConnection) -> Result<Arc<Watch>, StoreError> {
    let watch = Watch::new();
    let handler = watch.clone();
    conn.lock_handle().await?.set_progress_handler(PROGRESS_STEPS, move || handler.proceed());
    Ok(watch)
}

/// How to stop the statement a lease's connection is running when its request has gone.
#[derive(Debug, Clone)]
enum Stop {
    Sqlite(Arc<Watch>),
    /// The backend process running it, cancelled from the shield's own pool.
    Postgres {
        pid: i32,
        shield: Arc<Shield>,
    },
}

impl Stop {
    /// Stops the running statement of `held` (a connection or a transaction on it), and only then lets
    /// `held` go back to the pool: the stop cannot reach the next request's statement.
    fn stop<C: Send + 'static>(self, held: C, ping: fn(&mut C) -> PingFuture<'_>) {
        let Ok(runtime) = tokio::runtime::Handle::try_current() else { return };
        runtime.spawn(async move {
            let mut held = held;
            match self {
                Stop::Sqlite(watch) => {
                    watch.abandoned.store(true, Ordering::Relaxed);
                    // The worker answers the ping after the stopped statement; then the handler may
                    // let the next statements run.
                    let _ = ping(&mut held).await;
                    watch.released.store(true, Ordering::Relaxed);
                }
                Stop::Postgres { pid, shield } => {
                    if let Some(canceller) = &shield.canceller {
                        let cancel = sqlx::query("SELECT pg_cancel_backend($1)").bind(pid).execute(canceller);
                        if let Err(e) = cancel.await {
                            tracing::warn!("could not cancel the statement of an abandoned request: {e}");
                        }
                    }
                }
            }
            drop(held);
        });
    }

    fn release(&self) {
        if let Stop::Sqlite(watch) = self {
            watch.released.store(true, Ordering::Relaxed);
        }
    }

    fn timed_out(&self) -> bool {
        matches!(self, Stop::Sqlite(w) if w.timed_out.load(Ordering::Relaxed))
    }

    fn arm(&self, timeout: Option<Duration>) {
        if let Stop::Sqlite(watch) = self {
            watch.arm(timeout);
        }
    }

    fn shield(&self) -> Option<&Shield> {
        match self {
            Stop::Postgres { shield, .. } => Some(shield),
            Stop::Sqlite(_) => None,
        }
    }
}

type PingFuture<'a> = std::pin::Pin<Box<dyn Future<Output = Result<(), sqlx::Error>> + Send + 'a>>;

/// The PostgreSQL statement time-out as `set_config` takes it (milliseconds; 0: none).
fn pg_timeout(timeout: Option<Duration>) -> String {
    timeout.map(|t| t.as_millis().max(1)).unwrap_or(0).to_string()
}

/// One connection taken from the pool for statements outside a write transaction.
struct Lease<C: Send + 'static> {
    held: Option<C>,
    stop: Stop,
    running: bool,
    ping: fn(&mut C) -> PingFuture<'_>,
}

impl<C: Send + 'static> Drop for Lease<C> {
    fn drop(&mut self) {
        let Some(held) = self.held.take() else { return };
        if self.running {
            if let Some(shield) = self.stop.shield() {
                shield.stopped.fetch_add(1, Ordering::Relaxed);
            } else {
                STOPPED_SQLITE.fetch_add(1, Ordering::Relaxed);
            }
            self.stop.clone().stop(held, self.ping);
        } else {
            self.stop.release();
        }
    }
}

/// SQLite statements stopped because their request was gone (the shield is not reachable from a watch).
static STOPPED_SQLITE: AtomicU64 = AtomicU64::new(0);

fn ping_sqlite(c: &mut PoolConnection<Sqlite>) -> PingFuture<'_> {
    Box::pin(sqlx::Connection::ping(&mut **c))
}

fn ping_sqlite_tx<'a>(c: &'a mut Transaction<'static, Sqlite>) -> PingFuture<'a> {
    Box::pin(sqlx::Connection::ping(&mut **c))
}

fn ping_pg(c: &mut PoolConnection<Postgres>) -> PingFuture<'_> {
    Box::pin(sqlx::Connection::ping(&mut **c))
}

fn ping_pg_tx<'a>(c: &'a mut Transaction<'static, Postgres>) -> PingFuture<'a> {
    Box::pin(sqlx::Connection::ping(&mut **c))
}

/// An error of a statement on a lease: a stopped statement is [`StoreError::TimedOut`].
fn stopped_as(e: StoreError, stop: &Stop) -> StoreError {
    let cancelled = match &e {
        StoreError::Database(sqlx::Error::Database(d)) => match stop {
            // query_canceled: the statement time-out (a cancel is only sent for a request gone).
            Stop::Postgres { .. } => d.code().as_deref() == Some("57014"),
            // SQLITE_INTERRUPT, from the progress handler.
            Stop::Sqlite(_) => d.code().as_deref() == Some("9"),
        },
        _ => false,
    };
    if cancelled || (stop.timed_out() && matches!(e, StoreError::Database(_))) { StoreError::TimedOut } else { e }
}

/// How [`Db::open_sqlite_file`] opens a file.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum SqliteOpen {
    /// To check a copy without changing a byte of it.
    ReadOnly,
    /// To prove nobody else has the file open: exclusive locking, no waiting.
    Exclusive,
    /// As the server opens it (WAL), but never creating it.
    ReadWrite,
}

/// One open transaction. Dropped without [`Tx::commit`], it rolls back.
pub struct Tx {
    conn: Option<TxConn>,
    /// A read transaction's statements are watched: stopped when their request is gone (and on
    /// SQLite, timed). Write transactions run to their end.
    watch: Option<(Stop, Option<Duration>)>,
    running: bool,
    /// Audit records of this transaction, appended to the hash chain at commit (see `audit.rs`): the
    /// chain head is then locked only for the last moment of the transaction, after every other lock
    /// it takes, so it cannot be part of a deadlock and writers wait on it as briefly as possible.
    pub(crate) audit: Vec<crate::audit::AuditRow>,
    /// Organizations whose compliance inputs this transaction changed, recorded at commit (see
    /// `lifelog.rs`). Filled from the transaction's audit events, so no writer has to remember it.
    pub(crate) life: std::collections::BTreeSet<Uuid>,
}

enum TxConn {
    Sqlite(Transaction<'static, Sqlite>),
    Postgres(Transaction<'static, Postgres>),
}

impl Db {
    /// Connects by URL: `sqlite://path` (created if missing, WAL mode) or `postgres://…`, without time-outs
    /// or a queue limit (see [`Db::connect_with`]).
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        Db::connect_with(url, &PoolLimits::none()).await
    }

    /// Connects by URL with these limits.
    pub async fn connect_with(url: &str, limits: &PoolLimits) -> Result<Db, StoreError> {
        let read_timeout = limits.read_timeout;
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let size = limits.max_connections.unwrap_or(16);
            let pool = PgPoolOptions::new()
                .max_connections(size)
                .min_connections(if limits.open_all { size } else { 0 })
                .acquire_timeout(limits.acquire_timeout)
                .connect_with(options.clone())
                .await?;
            let canceller = PgPoolOptions::new().max_connections(2).connect_lazy_with(options);
            let shield = Shield::new(limits.max_waiting, limits.max_queue_wait, Some(canceller));
            Ok(Db { pool: Pool::Postgres(pool), keys: None, url: url.into(), shield, read_timeout, replica: None })
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10))
                .pragma("mmap_size", limits.sqlite_mmap.to_string());
            let size = limits.max_connections.unwrap_or(8);
            let pool = SqlitePoolOptions::new()
                .max_connections(size)
                .min_connections(if limits.open_all { size } else { 0 })
                .acquire_timeout(limits.acquire_timeout)
                .connect_with(options)
                .await?;
            let shield = Shield::new(limits.max_waiting, limits.max_queue_wait, None);
            Ok(Db { pool: Pool::Sqlite(pool), keys: None, url: url.into(), shield, read_timeout, replica: None })
        } else {
            Err(StoreError::Config(format!("数据库地址应以 sqlite: 或 postgres:// 开头，收到：{url}")))
        }
    }

    /// The same pool with these data keys (or none: personal data written in plaintext).
    pub fn with_data_keys(&self, keys: Option<DataKeys>) -> Db {
        Db { keys: keys.map(Arc::new), ..self.clone() }
    }

    /// The same pool whose reads run for at most `timeout` (none: to their end), for work that is not
    /// one request's (the compliance index read at start).
    pub fn with_read_timeout(&self, timeout: Option<Duration>) -> Db {
        Db { read_timeout: timeout, ..self.clone() }
    }

    /// A new pool on the same database with the same data keys (and no replica), as another server
    /// process opens it.
    pub async fn reconnect(&self) -> Result<Db, StoreError> {
        let fresh = Db::connect(&self.url).await?;
        Ok(Db { keys: self.keys.clone(), ..fresh })
    }

    pub fn data_keys(&self) -> Option<&DataKeys> {
        self.keys.as_deref()
    }

    /// Requests waiting for a connection now.
    pub fn waiting(&self) -> usize {
        self.shield.waiting.load(Ordering::Relaxed)
    }

    /// Statements stopped because their request had gone, since the start (SQLite: of every database
    /// of the process).
    pub fn stopped(&self) -> u64 {
        match self.pool {
            Pool::Sqlite(_) => STOPPED_SQLITE.load(Ordering::Relaxed),
            Pool::Postgres(_) => self.shield.stopped.load(Ordering::Relaxed),
        }
    }

    /// Connections the pool holds at most.
    pub fn max_connections(&self) -> u32 {
        match &self.pool {
            Pool::Sqlite(p) => p.options().get_max_connections(),
            Pool::Postgres(p) => p.options().get_max_connections(),
        }
    }

    /// Connections idle in the pool now.
    pub fn idle_connections(&self) -> usize {
        match &self.pool {
            Pool::Sqlite(p) => p.num_idle(),
            Pool::Postgres(p) => p.num_idle(),
        }
    }

    /// Opens a SQLite file by path, on one connection (backup and restore work on files, whose names
    /// need not survive being put into a URL).
    pub(crate) async fn open_sqlite_file(path: &std::path::Path, how: SqliteOpen) -> Result<Db, StoreError> {
        let base = SqliteConnectOptions::new().filename(path).foreign_keys(true);
        let options = match how {
            SqliteOpen::ReadOnly => base.read_only(true).busy_timeout(Duration::from_secs(10)),
            SqliteOpen::Exclusive => base.locking_mode(SqliteLockingMode::Exclusive).busy_timeout(Duration::ZERO),
            SqliteOpen::ReadWrite => base
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .busy_timeout(Duration::from_secs(10)),
        };
        let pool = SqlitePoolOptions::new().max_connections(1).connect_with(options).await?;
        Ok(Db {
            pool: Pool::Sqlite(pool),
            keys: None,
            url: format!("sqlite://{}", path.display()).into(),
            shield: Shield::new(None, None, None),
            read_timeout: None,
            replica: None,
        })
    }

    /// The URL this handle was opened with (with its password, if any: never print it).
    pub fn url(&self) -> &str {
        &self.url
    }

    pub fn engine(&self) -> Engine {
        match self.pool {
            Pool::Sqlite(_) => Engine::Sqlite,
            Pool::Postgres(_) => Engine::Postgres,
        }
    }

    /// Applies the embedded migrations of this engine (never cut off by the read time-out).
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => {
                let mut conn = p.acquire().await?;
                sqlx::query("SET statement_timeout = 0").execute(&mut *conn).await?;
                sqlx::migrate!("./migrations/postgres").run(&mut *conn).await?;
            }
        }
        // Records from before the audit chain existed are chained once, here (needs SHA-256, which
        // SQLite's SQL lacks).
        self.chain_existing_audit().await
    }

    /// Begins a write transaction. SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// writers queue on the busy timeout instead of failing when a read lock cannot be upgraded. The
    /// read time-out does not apply: a write runs to its commit.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let queued = self.shield.enter()?;
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await.map_err(busy)?),
            // A read on this connection may have left its time-out on the session.
            Pool::Postgres(p) => {
                TxConn::Postgres(p.begin_with("BEGIN; SET LOCAL statement_timeout = 0").await.map_err(busy)?)
            }
        };
        queued.served();
        Ok(Tx { conn: Some(conn), watch: None, running: false, audit: Vec::new(), life: Default::default() })
    }

    /// Begins a transaction that only reads (no write lock on SQLite). Its statements are stopped
    /// after the read time-out, or when the request is gone.
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let queued = self.shield.enter()?;
        let (conn, stop) = match &self.pool {
            Pool::Sqlite(p) => {
                let mut t = p.begin().await.map_err(busy)?;
                queued.served();
                let watch = watch_sqlite(&mut t).await?;
                (TxConn::Sqlite(t), Stop::Sqlite(watch))
            }
            Pool::Postgres(p) => {
                let mut t = p.begin().await.map_err(busy)?;
                queued.served();
                let (pid, _): (i32, String) =
                    sqlx::query_as("SELECT pg_backend_pid(), set_config('statement_timeout', $1, true)")
                        .bind(pg_timeout(self.read_timeout))
                        .fetch_one(&mut *t)
                        .await?;
                (TxConn::Postgres(t), Stop::Postgres { pid, shield: self.shield.clone() })
            }
        };
        let watch = Some((stop, self.read_timeout));
        Ok(Tx { conn: Some(conn), watch, running: false, audit: Vec::new(), life: Default::default() })
    }

    /// A connection for statements outside a transaction, with its statement time-out set.
    async fn lease_sqlite(&self, p: &SqlitePool) -> Result<Lease<PoolConnection<Sqlite>>, StoreError> {
        let queued = self.shield.enter()?;
        let mut conn = p.acquire().await.map_err(busy)?;
        queued.served();
        let watch = watch_sqlite(&mut conn).await?;
        watch.arm(self.read_timeout);
        Ok(Lease { held: Some(conn), stop: Stop::Sqlite(watch), running: false, ping: ping_sqlite })
    }

    async fn lease_pg(&self, p: &PgPool) -> Result<Lease<PoolConnection<Postgres>>, StoreError> {
        let queued = self.shield.enter()?;
        let mut conn = p.acquire().await.map_err(busy)?;
        queued.served();
        let (pid, _): (i32, String) =
            sqlx::query_as("SELECT pg_backend_pid(), set_config('statement_timeout', $1, false)")
                .bind(pg_timeout(self.read_timeout))
                .fetch_one(&mut *conn)
                .await?;
        let stop = Stop::Postgres { pid, shield: self.shield.clone() };
        Ok(Lease { held: Some(conn), stop, running: false, ping: ping_pg })
    }

    /// Runs a statement that writes outside a transaction, or maintenance (the read time-out applies).
    pub async fn execute(&self, q: Q) -> Result<u64, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => on_lease!(self.lease_sqlite(p).await?, execute, Sqlite, q),
            Pool::Postgres(p) => on_lease!(self.lease_pg(p).await?, execute, Postgres, q),
        }
    }

    pub async fn fetch_all<T: Record>(&self, q: Q) -> Result<Vec<T>, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => on_lease!(self.lease_sqlite(p).await?, fetch_all, Sqlite, q),
            Pool::Postgres(p) => on_lease!(self.lease_pg(p).await?, fetch_all, Postgres, q),
        }
    }

    pub async fn fetch_optional<T: Record>(&self, q: Q) -> Result<Option<T>, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => on_lease!(self.lease_sqlite(p).await?, fetch_optional, Sqlite, q),
            Pool::Postgres(p) => on_lease!(self.lease_pg(p).await?, fetch_optional, Postgres, q),
        }
    }

    pub async fn fetch_one<T: Record>(&self, q: Q) -> Result<T, StoreError> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }

    pub async fn close(&self) {
        match &self.pool {
            Pool::Sqlite(p) => p.close().await,
            Pool::Postgres(p) => p.close().await,
        }
        if let Some(c) = &self.shield.canceller {
            c.close().await;
        }
        if let Some((replica, shield)) = &self.replica {
            replica.close().await;
            if let Some(c) = &shield.canceller {
                c.close().await;
            }
        }
    }
}

/// Waiting for a connection too long is the queue being full, told apart from a database failure.
fn busy(e: sqlx::Error) -> StoreError {
    match e {
        sqlx::Error::PoolTimedOut => StoreError::Busy,
        e => e.into(),
    }
}

/// Runs one statement of a transaction; a read transaction's statement is watched like a lease's.
macro_rules! in_tx {
    ($tx:expr, $method:ident, $q:expr) => {{
        let tx = $tx;
        if let Some((stop, timeout)) = &tx.watch {
            stop.arm(*timeout);
        }
        tx.running = true;
        let result = match tx.conn.as_mut().expect("open until commit or drop") {
            TxConn::Sqlite(t) => run!($method, Sqlite, &mut **t, $q),
            TxConn::Postgres(t) => run!($method, Postgres, &mut **t, $q),
        };
        tx.running = false;
        match &tx.watch {
            Some((stop, _)) => {
                stop.arm(None);
                result.map_err(|e| stopped_as(e, stop))
            }
            None => result,
        }
    }};
}

impl Tx {
    pub(crate) fn engine(&self) -> Engine {
        match self.conn {
            Some(TxConn::Sqlite(_)) => Engine::Sqlite,
            _ => Engine::Postgres,
        }
    }

    pub async fn execute(&mut self, q: Q) -> Result<u64, StoreError> {
        in_tx!(self, execute, q)
    }

    pub async fn fetch_all<T: Record>(&mut self, q: Q) -> Result<Vec<T>, StoreError> {
        in_tx!(self, fetch_all, q)
    }

    pub async fn fetch_optional<T: Record>(&mut self, q: Q) -> Result<Option<T>, StoreError> {
        in_tx!(self, fetch_optional, q)
    }

    pub async fn fetch_one<T: Record>(&mut self, q: Q) -> Result<T, StoreError> {
        self.fetch_optional(q).await?.ok_or(StoreError::NotFound)
    }

    pub async fn commit(mut self) -> Result<(), StoreError> {
        let changed: Vec<Uuid> = std::mem::take(&mut self.life).into_iter().collect();
        self.life_changed(&changed).await?;
        let pending = std::mem::take(&mut self.audit);
        if !pending.is_empty() {
            self.append_audit(pending).await?;
        }
        match self.conn.take().expect("open until commit or drop") {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
    }
}

impl Drop for Tx {
    /// A read transaction dropped while a statement runs (its request gone) stops the statement, then
    /// rolls back; any other transaction rolls back as sqlx drops it.
    fn drop(&mut self) {
        let Some((stop, _)) = self.watch.take() else { return };
        let conn = match self.conn.take() {
            Some(conn) if self.running => conn,
            _ => {
                stop.release();
                return;
            }
        };
        if let Some(shield) = stop.shield() {
            shield.stopped.fetch_add(1, Ordering::Relaxed);
        } else {
            STOPPED_SQLITE.fetch_add(1, Ordering::Relaxed);
        }
        match conn {
            TxConn::Sqlite(t) => stop.stop(t, ping_sqlite_tx),
            TxConn::Postgres(t) => stop.stop(t, ping_pg_tx),
        }
    }
}

/// A position in PostgreSQL's write-ahead log (`pg_lsn`, written `16/B374D848`): a commit is
/// visible on a streaming replica once the replica has replayed the log up to the position the
/// primary had reached after it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct WalPosition(pub u64);

impl FromStr for WalPosition {
    type Err = StoreError;

    fn from_str(s: &str) -> Result<WalPosition, StoreError> {
        let bad = || StoreError::Config(format!("不是有效的日志位置：{s}"));
        let (hi, lo) = s.split_once('/').ok_or_else(bad)?;
        let part = |p: &str| {
            if p.is_empty() || p.len() > 8 {
                return Err(bad());
            }
            u32::from_str_radix(p, 16).map_err(|_| bad())
        };
        Ok(WalPosition((u64::from(part(hi)?) << 32) | u64::from(part(lo)?)))
    }
}

impl std::fmt::Display for WalPosition {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{:X}/{:X}", self.0 >> 32, self.0 & 0xFFFF_FFFF)
    }
}

/// How long a read waits for a replica's connection before it is served by the primary instead.
const REPLICA_ACQUIRE: Duration = Duration::from_secs(2);

/// Read replicas (PostgreSQL streaming replication).
///
/// A replica is a second connection string to a hot standby of the same database. [`Db::replica_read`]
/// gives the handle a read is served from: the replica when it has replayed the caller's last write
/// (its [`WalPosition`], taken by [`Db::write_position`] after the write and carried by the caller),
/// otherwise the primary. Writes, and every read inside a write, stay on the primary: the replica
/// handle is refused any write by the standby itself.
impl Db {
    /// The same database with reads routable to the replica at `url` (a `postgres://` URL of a hot
    /// standby of this database). The pool connects on first use, so a replica that is down when the
    /// server starts leaves the server running, its reads served by the primary.
    pub async fn with_read_replica(&self, url: &str) -> Result<Db, StoreError> {
        if self.engine() != Engine::Postgres {
            return Err(StoreError::Config("只读副本仅适用于 PostgreSQL：SQLite 数据库文件只能由本机进程使用".into()));
        }
        if !(url.starts_with("postgres://") || url.starts_with("postgresql://")) {
            return Err(StoreError::Config("只读副本的数据库地址应以 postgres:// 开头".into()));
        }
        let options = PgConnectOptions::from_str(url)?;
        let pool = PgPoolOptions::new()
            .max_connections(16)
            .acquire_timeout(REPLICA_ACQUIRE)
            .connect_lazy_with(options.clone());
        // The replica's statements are cancelled on the replica: a backend id means nothing elsewhere.
        let canceller = PgPoolOptions::new().max_connections(2).connect_lazy_with(options);
        let shield = Shield::new(self.shield.max_waiting, self.shield.max_queue_wait, Some(canceller));
        Ok(Db { replica: Some((pool, shield)), ..self.clone() })
    }

    /// Whether a replica is configured.
    pub fn has_replica(&self) -> bool {
        self.replica.is_some()
    }

    /// The primary's write position now (`pg_current_wal_lsn()`): taken after a write has committed,
    /// it is at or past that write's commit record. `None` on SQLite.
    pub async fn write_position(&self) -> Result<Option<WalPosition>, StoreError> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(None) };
        let (text,): (String,) = sqlx::query_as("SELECT pg_current_wal_lsn()::text").fetch_one(pool).await?;
        Ok(Some(text.parse()?))
    }

    /// How far this handle's server has replayed the log: `None` when it is not a standby (a primary,
    /// or SQLite).
    pub async fn replay_position(&self) -> Result<Option<WalPosition>, StoreError> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(None) };
        replay_position(pool).await
    }

    /// Whether this handle reads a standby (`pg_is_in_recovery()`).
    pub async fn in_recovery(&self) -> Result<bool, StoreError> {
        let Pool::Postgres(pool) = &self.pool else { return Ok(false) };
        let (recovering,): (bool,) = sqlx::query_as("SELECT pg_is_in_recovery()").fetch_one(pool).await?;
        Ok(recovering)
    }

    /// The handle a read-only request is served from: the replica when one is configured, is a
    /// standby, has replayed the log at least to `after` (the caller's last write; `None` when the
    /// caller has written nothing this session), and holds the same grants of the caller as the
    /// primary (`caller`: the user and the ids of their grants as the primary has them, for reads
    /// scoped by grants in SQL: a grant revoked or given by someone else a moment ago takes effect
    /// on the next request, not after the replica's lag); otherwise this handle, the primary. A
    /// replica that cannot be reached is logged and passed over, never an error for the request.
    pub async fn replica_read(&self, after: Option<WalPosition>, caller: Option<(Uuid, &[Uuid])>) -> Db {
        let Some((replica, replica_shield)) = &self.replica else { return self.clone() };
        let state: Result<(Option<String>, Option<String>), sqlx::Error> = match caller {
            Some((user, _)) => {
                sqlx::query_as(
                    "SELECT pg_last_wal_replay_lsn()::text, \
                     (SELECT string_agg(id::text, ',' ORDER BY id) FROM grants WHERE user_id = $1)",
                )
                .bind(user)
                .fetch_one(replica)
                .await
            }
            None => sqlx::query_as("SELECT pg_last_wal_replay_lsn()::text, NULL::text").fetch_one(replica).await,
        };
        let replayed = match state {
            Ok((Some(lsn), grants)) => match lsn.parse::<WalPosition>() {
                Ok(replayed) => Some((replayed, grants)),
                Err(e) => {
                    tracing::warn!("the read replica answered an unreadable log position: {e}");
                    None
                }
            },
            Ok((None, _)) => {
                tracing::warn!("the read replica is not a standby (pg_is_in_recovery() is false): reading the primary");
                None
            }
            Err(e) => {
                tracing::warn!("the read replica cannot be reached, reading the primary: {e}");
                None
            }
        };
        let Some((replayed, replica_grants)) = replayed else { return self.clone() };
        let caught_up = after.is_none_or(|after| replayed >= after);
        let same_grants = caller.is_none_or(|(_, grants)| {
            let mut ids: Vec<Uuid> = grants.to_vec();
            ids.sort();
            let primary = ids.iter().map(Uuid::to_string).collect::<Vec<_>>().join(",");
            primary == replica_grants.unwrap_or_default()
        });
        if caught_up && same_grants {
            Db { pool: Pool::Postgres(replica.clone()), shield: replica_shield.clone(), replica: None, ..self.clone() }
        } else {
            self.clone()
        }
    }
}

async fn replay_position(pool: &PgPool) -> Result<Option<WalPosition>, StoreError> {
    let (text,): (Option<String>,) = sqlx::query_as("SELECT pg_last_wal_replay_lsn()::text").fetch_one(pool).await?;
    text.map(|t| t.parse()).transpose()
}

#[cfg(test)]
mod wal_position_tests {
    use super::WalPosition;

    #[test]
    fn positions_read_and_print_as_postgres_writes_them() {
        let p: WalPosition = "16/B374D848".parse().unwrap();
        assert_eq!(p.0, 0x16_B374_D848);
        assert_eq!(p.to_string(), "16/B374D848");
        assert!("0/3000000".parse::<WalPosition>().unwrap() < "1/0".parse().unwrap());
        for bad in ["", "16", "/1", "1/", "G/1", "1/123456789", "1/2/3", " 1/2"] {
            assert!(bad.parse::<WalPosition>().is_err(), "{bad}");
        }
    }
}
