//! Online backup and restore, with each engine's own consistent copy: SQLite's `VACUUM INTO` (one read
//! transaction, so a snapshot, while the server goes on writing through WAL) and PostgreSQL's
//! `pg_dump -Fc` (one repeatable-read snapshot) / `pg_restore --single-transaction`.
//!
//! A restore never overwrites data it cannot account for: on SQLite the current file is kept beside
//! the new one, and a file in use is refused; on PostgreSQL only an empty database is restored into.

use std::fs::File;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::str::FromStr;

use sqlx::sqlite::SqliteConnectOptions;

use crate::audit::ChainReport;
use crate::db::SqliteOpen;
use crate::{Db, Engine, Result, StoreError, q};

fn refuse(message: impl Into<String>) -> StoreError {
    StoreError::Backup(message.into())
}

/// What a backup wrote and what its copy was checked to be.
#[derive(Debug, Clone)]
pub struct BackupReport {
    pub file: PathBuf,
    pub bytes: u64,
    /// SQLite: `PRAGMA integrity_check` of the copy; PostgreSQL: `pg_restore --list` read the archive.
    pub integrity: String,
    /// The audit chain of the copy (SQLite, once the database has one).
    pub audit: Option<ChainReport>,
}

/// What a restore put in place.
#[derive(Debug, Clone)]
pub struct RestoreReport {
    /// SQLite: where the file that was replaced now lies (`None` if there was none).
    pub previous: Option<PathBuf>,
    pub integrity: String,
    /// The audit chain of the restored database.
    pub audit: ChainReport,
}

impl Db {
    /// Writes a consistent copy of the whole database to `dest` (which must not exist) while the
    /// server keeps serving, then checks the copy.
    pub async fn backup(&self, dest: &Path) -> Result<BackupReport> {
        if dest.exists() {
            return Err(refuse(format!("备份文件已存在，不会覆盖：{}", dest.display())));
        }
        match self.engine() {
            Engine::Sqlite => {
                let target = dest.to_str().ok_or_else(|| refuse("备份文件名须为 UTF-8"))?;
                self.execute(q("VACUUM INTO $1").bind(target)).await?;
                let copy = Db::open_sqlite_file(dest, SqliteOpen::ReadOnly).await?;
                let integrity = copy.integrity_check().await;
                let audit = match &integrity {
                    Ok(_) if copy.has_audit_chain().await? => Some(copy.verify_audit_chain().await),
                    _ => None,
                };
                copy.close().await;
                let integrity = integrity?;
                Ok(BackupReport { file: dest.into(), bytes: size(dest)?, integrity, audit: audit.transpose()? })
            }
            Engine::Postgres => {
                let (url, password) = libpq_url(self.url());
                pg_tool("pg_dump", &password, &["--format=custom", "--file", path_arg(dest)?, "--dbname", &url])?;
                let listed = pg_tool("pg_restore", &None, &["--list", path_arg(dest)?])?;
                let entries = listed.lines().filter(|l| !l.starts_with(';') && !l.trim().is_empty()).count();
                Ok(BackupReport {
                    file: dest.into(),
                    bytes: size(dest)?,
                    integrity: format!("pg_restore --list: {entries} 项"),
                    audit: None,
                })
            }
        }
    }

    /// `PRAGMA integrity_check` on SQLite ("ok" or the problems), a full read of every table's rows
    /// on PostgreSQL (which checks data pages as they are read).
    pub async fn integrity_check(&self) -> Result<String> {
        match self.engine() {
            Engine::Sqlite => {
                let rows: Vec<(String,)> = self.fetch_all(q("PRAGMA integrity_check")).await?;
                let lines: Vec<String> = rows.into_iter().map(|(l,)| l).collect();
                if lines == ["ok"] {
                    Ok("ok".into())
                } else {
                    Err(refuse(format!("数据库完整性检查未通过：{}", lines.join("；"))))
                }
            }
            Engine::Postgres => {
                let tables: Vec<(String,)> = self
                    .fetch_all(q(
                        "SELECT quote_ident(tablename) FROM pg_catalog.pg_tables WHERE schemaname = 'public' \
                         ORDER BY tablename",
                    ))
                    .await?;
                let mut rows = 0i64;
                for (table,) in &tables {
                    let (n,): (i64,) = self.fetch_one(q(&format!("SELECT COUNT(*) FROM {table}"))).await?;
                    rows += n;
                }
                Ok(format!("ok（{} 张表，{rows} 行）", tables.len()))
            }
        }
    }

    /// Whether the schema has the audit chain (migration 0009).
    async fn has_audit_chain(&self) -> Result<bool> {
        let sql = match self.engine() {
            Engine::Sqlite => "SELECT COUNT(*) FROM sqlite_master WHERE type = 'table' AND name = 'audit_head'",
            Engine::Postgres => "SELECT COUNT(*) FROM pg_catalog.pg_tables WHERE tablename = 'audit_head'",
        };
        let (n,): (i64,) = self.fetch_one(q(sql)).await?;
        Ok(n > 0)
    }
}

/// Restores the backup `src` into the database at `url`, brings it to the current schema, and checks
/// it (integrity, then the audit chain). SQLite: the database file must not be in use (stop the
/// server); the current file is moved aside, never deleted. PostgreSQL: the database must exist and
/// be empty; the restore is one transaction, so a failure leaves it empty.
pub async fn restore(url: &str, src: &Path) -> Result<RestoreReport> {
    if !src.is_file() {
        return Err(refuse(format!("备份文件不存在：{}", src.display())));
    }
    if url.starts_with("postgres://") || url.starts_with("postgresql://") {
        restore_postgres(url, src).await
    } else {
        let target = SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf();
        restore_sqlite(&target, src).await
    }
}

async fn restore_sqlite(target: &Path, src: &Path) -> Result<RestoreReport> {
    if let Some(dir) = target.parent().filter(|d| !d.as_os_str().is_empty()) {
        std::fs::create_dir_all(dir).map_err(|e| refuse(format!("无法创建数据目录 {}：{e}", dir.display())))?;
    }
    let _lock = lock_exclusive(target)?;
    if target.exists() {
        // Catches other programs holding the file open too (a `sqlite3` shell, a second server of an
        // older version without the lock file).
        let probe = Db::open_sqlite_file(target, SqliteOpen::Exclusive).await;
        let free = match &probe {
            Ok(db) => db.execute(q("BEGIN EXCLUSIVE")).await.is_ok() && db.execute(q("COMMIT")).await.is_ok(),
            Err(_) => false,
        };
        if let Ok(db) = probe {
            db.close().await;
        }
        if !free {
            return Err(refuse(format!("数据库文件正在被使用，请先停止服务：{}", target.display())));
        }
    }
    // The copy is checked and migrated under a temporary name beside the target (same file system,
    // so the final rename is atomic); the target is touched only once the copy is known good.
    let staging = sibling(target, ".restoring");
    remove_sqlite_files(&staging)?;
    std::fs::copy(src, &staging).map_err(|e| refuse(format!("无法复制备份文件：{e}")))?;
    let checked = check_restored(&staging).await;
    let (integrity, audit) = match checked {
        Ok(v) => v,
        Err(e) => {
            let _ = remove_sqlite_files(&staging);
            return Err(e);
        }
    };
    let previous = if target.exists() {
        let stamp = chrono::Utc::now().format("%Y%m%d%H%M%S");
        let aside = sibling(target, &format!(".before-restore-{stamp}"));
        for suffix in ["", "-wal", "-shm"] {
            let from = sibling(target, suffix);
            if from.exists() {
                std::fs::rename(&from, sibling(&aside, suffix))
                    .map_err(|e| refuse(format!("无法移开原数据库文件 {}：{e}", from.display())))?;
            }
        }
        Some(aside)
    } else {
        None
    };
    std::fs::rename(&staging, target).map_err(|e| refuse(format!("无法放置恢复的数据库文件：{e}")))?;
    remove_sqlite_files(&staging)?;
    Ok(RestoreReport { previous, integrity, audit })
}

/// Integrity, schema update, audit chain of a restored SQLite copy; refuses a copy that fails.
async fn check_restored(path: &Path) -> Result<(String, ChainReport)> {
    let db = Db::open_sqlite_file(path, SqliteOpen::ReadWrite).await?;
    let result = async {
        let integrity = db.integrity_check().await?;
        db.migrate().await?;
        let audit = db.verify_audit_chain().await?;
        // Everything into the one file, which is what gets renamed; the server turns WAL on again.
        db.execute(q("PRAGMA journal_mode = DELETE")).await?;
        Ok((integrity, audit))
    }
    .await;
    db.close().await;
    result
}

async fn restore_postgres(url: &str, src: &Path) -> Result<RestoreReport> {
    let db = Db::connect(url).await?;
    let (tables,): (i64,) = db
        .fetch_one(q("SELECT COUNT(*) FROM pg_catalog.pg_tables \
             WHERE schemaname NOT IN ('pg_catalog', 'information_schema')"))
        .await?;
    db.close().await;
    if tables > 0 {
        return Err(refuse(format!(
            "目标数据库不是空的（已有 {tables} 张表）：请恢复到新建的空数据库，确认无误后再切换服务"
        )));
    }
    let (libpq, password) = libpq_url(url);
    pg_tool(
        "pg_restore",
        &password,
        &[
            "--single-transaction",
            "--exit-on-error",
            "--no-owner",
            "--no-privileges",
            "--dbname",
            &libpq,
            path_arg(src)?,
        ],
    )?;
    let db = Db::connect(url).await?;
    let result = async {
        let integrity = db.integrity_check().await?;
        db.migrate().await?;
        let audit = db.verify_audit_chain().await?;
        Ok(RestoreReport { previous: None, integrity, audit })
    }
    .await;
    db.close().await;
    result
}

/// Held by every `dangwu` process that opens a SQLite database (shared) and by a restore
/// (exclusive), so a restore cannot replace the file under a running server.
pub fn lock_shared(url: &str) -> Result<Option<File>> {
    let Some(path) = sqlite_path(url)? else {
        return Ok(None);
    };
    let file = lock_file(&path)?;
    file.lock_shared().map_err(|e| refuse(format!("无法锁定数据库文件：{e}")))?;
    Ok(Some(file))
}

fn lock_exclusive(target: &Path) -> Result<File> {
    let file = lock_file(target)?;
    match file.try_lock() {
        Ok(()) => Ok(file),
        Err(_) => Err(refuse(format!("数据库正在被使用（服务未停止？），无法恢复：{}", target.display()))),
    }
}

fn lock_file(db_file: &Path) -> Result<File> {
    let path = sibling(db_file, ".lock");
    File::options()
        .create(true)
        .truncate(false)
        .write(true)
        .open(&path)
        .map_err(|e| refuse(format!("无法打开锁文件 {}：{e}", path.display())))
}

fn sqlite_path(url: &str) -> Result<Option<PathBuf>> {
    if !url.starts_with("sqlite:") {
        return Ok(None);
    }
    let file = SqliteConnectOptions::from_str(url)?.get_filename().to_path_buf();
    Ok((file.as_os_str() != ":memory:").then_some(file))
}

/// `path` with `suffix` appended to its file name.
fn sibling(path: &Path, suffix: &str) -> PathBuf {
    let mut name = path.as_os_str().to_owned();
    name.push(suffix);
    PathBuf::from(name)
}

fn remove_sqlite_files(path: &Path) -> Result<()> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let p = sibling(path, suffix);
        if p.exists() {
            std::fs::remove_file(&p).map_err(|e| refuse(format!("无法删除 {}：{e}", p.display())))?;
        }
    }
    Ok(())
}

fn size(path: &Path) -> Result<u64> {
    Ok(std::fs::metadata(path).map_err(|e| refuse(format!("无法读取 {}：{e}", path.display())))?.len())
}

fn path_arg(path: &Path) -> Result<&str> {
    path.to_str().ok_or_else(|| refuse("文件名须为 UTF-8"))
}

/// The URL for libpq tools without its password, which goes to them through `PGPASSWORD` instead:
/// a command line is readable by every user of the machine.
fn libpq_url(url: &str) -> (String, Option<String>) {
    let Some(scheme_end) = url.find("://").map(|i| i + 3) else {
        return (url.to_owned(), None);
    };
    let rest = &url[scheme_end..];
    let authority_end = rest.find(['/', '?']).unwrap_or(rest.len());
    let Some(at) = rest[..authority_end].rfind('@') else {
        return (url.to_owned(), None);
    };
    match rest[..at].split_once(':') {
        Some((user, password)) => {
            (format!("{}{user}{}", &url[..scheme_end], &rest[at..]), Some(percent_decode(password)))
        }
        None => (url.to_owned(), None),
    }
}

fn percent_decode(s: &str) -> String {
    let bytes = s.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes.get(i + 1..i + 3).and_then(|h| std::str::from_utf8(h).ok());
        match (bytes[i], hex.and_then(|h| u8::from_str_radix(h, 16).ok())) {
            (b'%', Some(b)) => {
                out.push(b);
                i += 3;
            }
            (b, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// Runs a PostgreSQL client tool; its standard output, or its error output as the refusal.
fn pg_tool(tool: &str, password: &Option<String>, args: &[&str]) -> Result<String> {
    let mut cmd = Command::new(tool);
    cmd.args(args);
    if let Some(p) = password {
        cmd.env("PGPASSWORD", p);
    }
    let out = cmd.output().map_err(|e| refuse(format!("无法运行 {tool}（需安装 PostgreSQL 客户端工具）：{e}")))?;
    if !out.status.success() {
        return Err(refuse(format!("{tool} 失败：{}", String::from_utf8_lossy(&out.stderr).trim())));
    }
    Ok(String::from_utf8_lossy(&out.stdout).into_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_leave_the_url_for_the_environment() {
        assert_eq!(
            libpq_url("postgres://dw:s%40cret@db:5432/dangwu?sslmode=require"),
            ("postgres://dw@db:5432/dangwu?sslmode=require".to_owned(), Some("s@cret".to_owned()))
        );
        assert_eq!(libpq_url("postgres://dw@db/dangwu"), ("postgres://dw@db/dangwu".to_owned(), None));
        assert_eq!(libpq_url("postgres://db/x@y"), ("postgres://db/x@y".to_owned(), None));
    }
}
