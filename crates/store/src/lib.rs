//! Persistence for Dangwu: the only crate that writes SQL.
//!
//! Every read of domain data is scoped by the caller's grants inside the query (see [`access`]); every
//! write runs in one transaction together with its audit record (see [`audit`]).

/// Lets a code list of this crate be read from a text column on either engine, also where the
/// column may be NULL (`Option<_>`); an unknown code is a decoding error, never a default.
/// `text_column!([T] Wrapper<T>, from)` does the same for a generic wrapper, `from` turning the text
/// into it.
macro_rules! text_column {
    ([$($g:ident),*] $t:ty, $from:expr) => {
        impl<DB: sqlx::Database, $($g),*> sqlx::Type<DB> for $t
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }
        impl<'r, DB: sqlx::Database, $($g),*> sqlx::Decode<'r, DB> for $t
        where
            String: sqlx::Decode<'r, DB>,
            $($g: TryFrom<String, Error = dangwu_rules::UnknownCode>),*
        {
            fn decode(value: <DB as sqlx::Database>::ValueRef<'r>) -> Result<$t, sqlx::error::BoxDynError> {
                Ok(($from)(<String as sqlx::Decode<'r, DB>>::decode(value)?)?)
            }
        }
    };
    ($t:ty) => {
        text_column!([] $t, <$t>::try_from);
    };
}

/// A code of the rules crate's lists read from a text column: `#[sqlx(try_from = "Stored<OrgKind>")]`
/// on a field of that type. An unknown code is a decoding error that names it, never a default.
pub struct Stored<T>(T);

text_column!([T] Stored<T>, |code| T::try_from(code).map(Stored));

macro_rules! stored {
    ($($t:ty),+) => {
        $(impl From<Stored<$t>> for $t {
            fn from(s: Stored<$t>) -> $t {
                s.0
            }
        })+
    };
}
stored!(
    dangwu_rules::org::OrgKind,
    dangwu_rules::org::OrgStatus,
    dangwu_rules::member::Status,
    dangwu_rules::member::Occupation,
    dangwu_rules::idcard::Gender
);

pub mod access;
pub mod accounts;
pub mod appraisals;
pub mod audit;
pub mod backup;
pub mod bulk;
mod conflict;
pub mod crypto;
mod db;
mod json_text;
pub mod lifelog;
pub mod meetings;
pub mod members;
pub mod orgs;
pub mod placements;
pub mod recruitment;

pub use access::{Actor, Role, SystemRole};
pub use conflict::Conflict;
use dangwu_rules::StructuralRule;
pub use db::{Arg, Db, Engine, PoolLimits, Q, Record, Tx, WalPosition, q};
pub use json_text::JsonText;

/// Errors of the store layer. The server maps each to one HTTP status.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// Does not exist, or lies outside the caller's organizations (not told apart on purpose).
    #[error("记录不存在或无权访问")]
    NotFound,
    /// The caller may see the record but its role does not allow the action.
    #[error("{0}")]
    Forbidden(String),
    /// Conflicts with stored data or with a rule; `code` says with what, `rule` names the rule if any.
    #[error("{message}")]
    Conflict { code: Conflict, message: String, rule: Option<String> },
    #[error("配置错误：{0}")]
    Config(String),
    /// A backup or restore was refused or failed; the message says why and what to do.
    #[error("{0}")]
    Backup(String),
    /// The request covers more rows than one answer may hold; the message says how to narrow it.
    #[error("{0}")]
    TooLarge(String),
    #[error("数据库错误：{0}")]
    Database(#[from] sqlx::Error),
    #[error("数据库迁移失败：{0}")]
    Migrate(#[from] sqlx::migrate::MigrateError),
    #[error("数据格式错误：{0}")]
    Json(#[from] serde_json::Error),
    /// A stored code (organization kind, member status…) that its list does not know.
    #[error("数据格式错误：{0}")]
    StoredCode(#[from] dangwu_rules::UnknownCode),
    /// Too many requests wait for the database: refused at once rather than queued without end.
    #[error("系统繁忙，请稍后重试")]
    Busy,
    /// A read ran longer than the configured time-out and was stopped (nothing was changed).
    #[error("查询超时，请缩小范围后重试")]
    TimedOut,
    /// Encrypted personal data cannot be read or written with the configured data keys.
    #[error("数据密钥错误：{0}")]
    DataKey(String),
}

impl StoreError {
    pub fn conflict(code: Conflict, message: impl Into<String>) -> StoreError {
        StoreError::Conflict { code, message: message.into(), rule: None }
    }

    /// A refusal by a rule without a value (tree shape, role separation…), named by its declared id.
    pub fn rule(rule: StructuralRule, message: impl Into<String>) -> StoreError {
        StoreError::Conflict {
            code: Conflict::RuleViolation,
            message: message.into(),
            rule: Some(rule.id().to_owned()),
        }
    }

    /// A conflict that is a mistake in one request field (see [`Conflict::is_bad_input`]): the field
    /// and the message.
    pub fn bad_input(&self) -> Option<(&'static str, &str)> {
        match self {
            StoreError::Conflict { code, message, .. } if code.is_bad_input() => Some((code.field()?, message)),
            _ => None,
        }
    }

    /// Whether the database refused a duplicate value of a unique column.
    pub fn is_unique_violation(&self) -> bool {
        matches!(self, StoreError::Database(sqlx::Error::Database(e)) if e.is_unique_violation())
    }

    /// A duplicate refused by a unique index as the conflict `code` (a race that the check before the
    /// write did not see ends like the check); any other error as it is.
    pub fn duplicate_as(self, code: Conflict, message: &str) -> StoreError {
        if self.is_unique_violation() { StoreError::conflict(code, message) } else { self }
    }
}

pub type Result<T, E = StoreError> = std::result::Result<T, E>;

/// Application-generated, time-ordered identifiers: ordering by id is ordering by creation.
pub fn new_id() -> uuid::Uuid {
    uuid::Uuid::now_v7()
}
