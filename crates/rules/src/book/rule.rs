//! A rule, its dated versions, the deployment's overrides of it, and a lookup's result or error.

use std::fmt;

use chrono::NaiveDate;
use serde::Serialize;

use super::values::{RuleStatus, RuleValue, Unit};

/// Where a rule comes from.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The regulation's title, e.g. 《中国共产党支部工作条例（试行）》.
    pub regulation: String,
    /// Article, e.g. 第十一条.
    pub article: Option<String>,
    /// Public page the value was read from.
    pub url: Option<String>,
    /// Number in docs/reference regulations.md, e.g. "3.1".
    pub reference: Option<String>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.regulation)?;
        if let Some(a) = &self.article {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// One dated version of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleVersion {
    pub value: RuleValue,
    pub status: RuleStatus,
    pub effective_from: NaiveDate,
    /// Last day in force (inclusive); `None`: still in force.
    pub effective_to: Option<NaiveDate>,
    pub source: Source,
    pub note: Option<String>,
    /// Bounds an override must respect (integer units).
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Allowed values (choice unit).
    pub choices: Vec<String>,
    /// `file:line` of the entry in its pack.
    pub defined_at: String,
}

impl RuleVersion {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_to.is_none_or(|to| date <= to)
    }
}

/// A deployment's replacement of a rule's value from a date on (本单位规定).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedOverride {
    pub value: RuleValue,
    pub from: NaiveDate,
    /// Where the override was configured, e.g. `dangwu.toml:42`.
    pub origin: String,
    pub note: Option<String>,
}

/// A rule: its id, what it measures, every dated version, and any deployment overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Pack id (`org`, `dues` …).
    pub pack: String,
    pub unit: Unit,
    /// Sorted by `effective_from`, never overlapping.
    pub versions: Vec<RuleVersion>,
    /// Sorted by `from`.
    pub overrides: Vec<AppliedOverride>,
}

impl Rule {
    pub fn version_on(&self, date: NaiveDate) -> Option<&RuleVersion> {
        self.versions.iter().find(|v| v.in_force_on(date))
    }
}

/// A rule value as it applies on a date: the version in force and, if the deployment overrides it,
/// the override.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub rule: &'a Rule,
    pub version: &'a RuleVersion,
    pub overridden: Option<&'a AppliedOverride>,
}

impl<'a> Resolved<'a> {
    pub fn value(&self) -> &'a RuleValue {
        match self.overridden {
            Some(o) => &o.value,
            None => &self.version.value,
        }
    }

    /// The status of the version in force (an override never applies to a confirmed version).
    pub fn status(&self) -> RuleStatus {
        self.version.status
    }

    /// Whether a violation of this rule should block (error) rather than warn: only confirmed values,
    /// never overridden ones, are hard rules (regulations.md: anything not C is a default).
    pub fn is_hard(&self) -> bool {
        self.overridden.is_none() && self.version.status == RuleStatus::Confirmed
    }
}

/// A failed rule lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleError {
    #[error("规则 {rule} 不存在")]
    Unknown { rule: String },
    #[error("规则 {rule} 在 {date} 未生效（规则包中没有该日适用的版本）")]
    NotInForce { rule: String, date: NaiveDate },
    #[error("规则 {rule} 的值不是{expected}")]
    WrongType { rule: String, expected: &'static str },
}

impl RuleError {
    /// The rule the lookup was for.
    pub fn rule(&self) -> &str {
        match self {
            RuleError::Unknown { rule } | RuleError::NotInForce { rule, .. } | RuleError::WrongType { rule, .. } => {
                rule
            }
        }
    }
}
