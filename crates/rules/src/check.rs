//! What the engine reports: findings ([`Check`]) and input errors ([`CalcError`]).

use serde::Serialize;

use crate::book::{Resolved, RuleError};

/// How serious a finding is.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Level {
    /// For information (e.g. "needs higher-level approval").
    Info,
    /// 提醒: a rule is (or may soon be) not met; the record is still accepted.
    Warning,
    /// 违反: a confirmed rule is violated; a record that depends on it should be blocked.
    Error,
}

impl Level {
    /// `Error` when `must` is set and the rule is a hard rule (confirmed, not overridden); `Warning`
    /// otherwise. Secondary and local-default rules never block (regulations.md: "a configurable
    /// default, never a hard rule").
    pub fn for_rule(resolved: &Resolved<'_>, must: bool) -> Level {
        if must && resolved.is_hard() { Level::Error } else { Level::Warning }
    }
}

/// One finding about a record, naming the rule it applies (an id from the rule packs).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    pub level: Level,
    pub rule: &'static str,
    /// Chinese, for the UI.
    pub message: String,
}

impl Check {
    pub fn new(level: Level, rule: &'static str, message: impl Into<String>) -> Check {
        Check { level, rule, message: message.into() }
    }
}

/// One bad input field, for a `400` answer: `{"field": "base_fen", "reason": "…"}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[error("{field}: {reason}")]
pub struct FieldError {
    /// The input field's name as in the request (`base_fen`, `steps.admission_meeting`, `quarter_income_fen[2]`).
    pub field: String,
    /// Chinese reason.
    pub reason: String,
}

/// Why a calculation could not be done.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum CalcError {
    /// The input is wrong (answer `400` with the fields).
    #[error("输入有误：{}", .fields.iter().map(|f| f.to_string()).collect::<Vec<_>>().join("；"))]
    Invalid { fields: Vec<FieldError> },
    /// No rule applies on the date (e.g. dues before 2008-04-01) or the rule book lacks a rule
    /// (answer `422`).
    #[error(transparent)]
    Rule {
        #[from]
        error: RuleError,
    },
}

impl CalcError {
    pub fn invalid(field: impl Into<String>, reason: impl Into<String>) -> CalcError {
        CalcError::Invalid { fields: vec![FieldError { field: field.into(), reason: reason.into() }] }
    }

    /// The field errors, if this is an input error.
    pub fn fields(&self) -> &[FieldError] {
        match self {
            CalcError::Invalid { fields } => fields,
            CalcError::Rule { .. } => &[],
        }
    }
}

/// Collects field errors and turns them into one [`CalcError::Invalid`].
#[derive(Debug, Default)]
pub(crate) struct Invalid(Vec<FieldError>);

impl Invalid {
    pub(crate) fn push(&mut self, field: impl Into<String>, reason: impl Into<String>) {
        self.0.push(FieldError { field: field.into(), reason: reason.into() });
    }

    pub(crate) fn finish(self) -> Result<(), CalcError> {
        if self.0.is_empty() { Ok(()) } else { Err(CalcError::Invalid { fields: self.0 }) }
    }
}
