//! One database handle over SQLite and PostgreSQL.
//!
//! Repository code builds a [`Q`] (SQL text with `$1, $2…` placeholders and typed arguments) and runs it
//! through [`Db`] or [`Tx`]; only this file knows which engine is behind them. Arguments carry their type
//! even when NULL, because PostgreSQL rejects an untyped NULL in a typed column.

use chrono::{DateTime, NaiveDate, Utc};
use sqlx::postgres::{PgConnectOptions, PgPoolOptions, PgRow};
use sqlx::sqlite::{
    SqliteConnectOptions, SqliteJournalMode, SqliteLockingMode, SqlitePoolOptions, SqliteRow, SqliteSynchronous,
};
use sqlx::{AssertSqlSafe, FromRow, PgPool, Postgres, Sqlite, SqlitePool, Transaction};
use std::str::FromStr;
use std::sync::Arc;
use std::time::Duration;
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
    /// A streaming replica of this PostgreSQL database that reads may be served from (see
    /// [`Db::replica_read`]); `None` on SQLite and when none is configured.
    replica: Option<PgPool>,
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
    conn: TxConn,
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
    /// Connects by URL: `sqlite://path` (created if missing, WAL mode) or `postgres://…`.
    pub async fn connect(url: &str) -> Result<Db, StoreError> {
        if url.starts_with("postgres://") || url.starts_with("postgresql://") {
            let options = PgConnectOptions::from_str(url)?;
            let pool = PgPoolOptions::new()
                .max_connections(16)
                .acquire_timeout(Duration::from_secs(10))
                .connect_with(options)
                .await?;
            Ok(Db { pool: Pool::Postgres(pool), keys: None, url: url.into(), replica: None })
        } else if url.starts_with("sqlite:") {
            let options = SqliteConnectOptions::from_str(url)?
                .create_if_missing(true)
                .journal_mode(SqliteJournalMode::Wal)
                .synchronous(SqliteSynchronous::Normal)
                .foreign_keys(true)
                .busy_timeout(Duration::from_secs(10));
            let pool = SqlitePoolOptions::new().max_connections(8).connect_with(options).await?;
            Ok(Db { pool: Pool::Sqlite(pool), keys: None, url: url.into(), replica: None })
        } else {
            Err(StoreError::Config(format!("数据库地址应以 sqlite: 或 postgres:// 开头，收到：{url}")))
        }
    }

    /// The same pool with these data keys (or none: personal data written in plaintext).
    pub fn with_data_keys(&self, keys: Option<DataKeys>) -> Db {
        Db { keys: keys.map(Arc::new), ..self.clone() }
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

    /// Applies the embedded migrations of this engine.
    pub async fn migrate(&self) -> Result<(), StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => sqlx::migrate!("./migrations/sqlite").run(p).await?,
            Pool::Postgres(p) => sqlx::migrate!("./migrations/postgres").run(p).await?,
        }
        // Records from before the audit chain existed are chained once, here (needs SHA-256, which
        // SQLite's SQL lacks).
        self.chain_existing_audit().await
    }

    /// Begins a write transaction. SQLite takes the write lock at once (`BEGIN IMMEDIATE`), so two
    /// writers queue on the busy timeout instead of failing when a read lock cannot be upgraded.
    pub async fn begin(&self) -> Result<Tx, StoreError> {
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin_with("BEGIN IMMEDIATE").await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx { conn, audit: Vec::new(), life: Default::default() })
    }

    /// Begins a transaction that only reads (no write lock on SQLite).
    pub async fn begin_read(&self) -> Result<Tx, StoreError> {
        let conn = match &self.pool {
            Pool::Sqlite(p) => TxConn::Sqlite(p.begin().await?),
            Pool::Postgres(p) => TxConn::Postgres(p.begin().await?),
        };
        Ok(Tx { conn, audit: Vec::new(), life: Default::default() })
    }

    pub async fn execute(&self, q: Q) -> Result<u64, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => run!(execute, Sqlite, p, q),
            Pool::Postgres(p) => run!(execute, Postgres, p, q),
        }
    }

    pub async fn fetch_all<T: Record>(&self, q: Q) -> Result<Vec<T>, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => run!(fetch_all, Sqlite, p, q),
            Pool::Postgres(p) => run!(fetch_all, Postgres, p, q),
        }
    }

    pub async fn fetch_optional<T: Record>(&self, q: Q) -> Result<Option<T>, StoreError> {
        match &self.pool {
            Pool::Sqlite(p) => run!(fetch_optional, Sqlite, p, q),
            Pool::Postgres(p) => run!(fetch_optional, Postgres, p, q),
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
        if let Some(replica) = &self.replica {
            replica.close().await;
        }
    }
}

impl Tx {
    pub(crate) fn engine(&self) -> Engine {
        match self.conn {
            TxConn::Sqlite(_) => Engine::Sqlite,
            TxConn::Postgres(_) => Engine::Postgres,
        }
    }

    pub async fn execute(&mut self, q: Q) -> Result<u64, StoreError> {
        match &mut self.conn {
            TxConn::Sqlite(t) => run!(execute, Sqlite, &mut **t, q),
            TxConn::Postgres(t) => run!(execute, Postgres, &mut **t, q),
        }
    }

    pub async fn fetch_all<T: Record>(&mut self, q: Q) -> Result<Vec<T>, StoreError> {
        match &mut self.conn {
            TxConn::Sqlite(t) => run!(fetch_all, Sqlite, &mut **t, q),
            TxConn::Postgres(t) => run!(fetch_all, Postgres, &mut **t, q),
        }
    }

    pub async fn fetch_optional<T: Record>(&mut self, q: Q) -> Result<Option<T>, StoreError> {
        match &mut self.conn {
            TxConn::Sqlite(t) => run!(fetch_optional, Sqlite, &mut **t, q),
            TxConn::Postgres(t) => run!(fetch_optional, Postgres, &mut **t, q),
        }
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
        match self.conn {
            TxConn::Sqlite(t) => t.commit().await?,
            TxConn::Postgres(t) => t.commit().await?,
        }
        Ok(())
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
        let pool = PgPoolOptions::new().max_connections(16).acquire_timeout(REPLICA_ACQUIRE).connect_lazy_with(options);
        Ok(Db { replica: Some(pool), ..self.clone() })
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
        let Some(replica) = &self.replica else { return self.clone() };
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
            Db { pool: Pool::Postgres(replica.clone()), replica: None, ..self.clone() }
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
