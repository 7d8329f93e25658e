//! The domain layer: one function per use case (record a meeting, revise it…), between the HTTP
//! handlers and the store.
//!
//! A use case opens one write transaction, reads what its rules need through that transaction (locking
//! what the rules count, see [`dangwu_store::Tx::lock_subtree`]), runs the rules of `dangwu_rules`,
//! writes, and commits: what the rules judged is what the write sees. The audit record is written by
//! the store in the same transaction, and so is the mark that the organization's compliance inputs
//! changed (taken from the audit event at commit, not remembered by each writer).
//!
//! A handler parses the request, calls one use case, and turns its answer or [`DomainError`] into
//! HTTP. Nothing here knows about HTTP; nothing here writes SQL.

pub mod appraisals;
pub mod cache;
pub mod calendar;
pub mod compliance;
pub mod dashboards;
pub mod lifeindex;
pub mod meetings;
pub mod members;
pub mod orgs;
pub mod placements;
pub mod recruitment;
pub mod warmup;

use std::sync::Arc;

use chrono::{DateTime, NaiveDate, Utc};
use dangwu_rules::{CalcError, RuleBook, StructuralRule};
use dangwu_store::{Db, StoreError};

/// What every use case works with: the database, the rules in force, and the moment of the request
/// (its date in the configured time zone).
#[derive(Clone, Copy)]
pub struct Ctx<'a> {
    pub db: &'a Db,
    pub rules: &'a Arc<RuleBook>,
    pub today: NaiveDate,
    pub now: DateTime<Utc>,
}

impl crate::AppState {
    /// The context of a use case run now.
    pub fn ctx(&self) -> Ctx<'_> {
        Ctx { db: &self.db, rules: &self.rules, today: self.today(), now: self.now() }
    }
}

/// A problem with one field of a command.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FieldIssue {
    pub field: String,
    pub message: String,
}

impl FieldIssue {
    pub fn new(field: impl Into<String>, message: impl Into<String>) -> FieldIssue {
        FieldIssue { field: field.into(), message: message.into() }
    }
}

/// The one error type of the domain layer.
#[derive(Debug, thiserror::Error)]
pub enum DomainError {
    /// The command's values fail their checks (before anything was read).
    #[error("提交的数据有误")]
    Invalid(Vec<FieldIssue>),
    /// A rule refused the action; `field` names the input it concerns, if one does.
    #[error("{message}")]
    Refused { rule: String, message: String, field: Option<String> },
    /// A rule blocks the action, until `first_allowed` when a date would lift it (a recruitment step
    /// taken before the earliest date its rule allows).
    #[error("{message}")]
    Blocked { rule: String, message: String, first_allowed: Option<NaiveDate> },
    /// A rule could not be computed: an input out of its range, or no version in force on the date.
    #[error(transparent)]
    Calc(#[from] CalcError),
    #[error(transparent)]
    Store(#[from] StoreError),
}

impl DomainError {
    pub fn field(field: impl Into<String>, message: impl Into<String>) -> DomainError {
        DomainError::Invalid(vec![FieldIssue::new(field, message)])
    }

    /// A refusal by a structural rule (no value, only a condition).
    pub fn structural(rule: StructuralRule, message: impl Into<String>) -> DomainError {
        DomainError::Refused { rule: rule.id().to_owned(), message: message.into(), field: None }
    }
}

pub type DomainResult<T> = Result<T, DomainError>;
