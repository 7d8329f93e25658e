//! A deployment's overrides of secondary and local-default rules (`[rules.overrides]`).

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;

use super::RuleBook;
use super::load::{LoadError, line_of, parse_value, toml_date, toml_error};
use super::rule::{AppliedOverride, RuleVersion};
use super::values::RuleStatus;

/// A rejected override.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverrideError {
    #[error("{origin}: rule `{rule}` does not exist in the rule packs")]
    UnknownRule { rule: String, origin: String },
    #[error(
        "{origin}: rule `{rule}` is confirmed ({source_text}, in force from {effective_from}) and cannot be overridden; only secondary and local-default rules can"
    )]
    Confirmed { rule: String, origin: String, source_text: String, effective_from: NaiveDate },
    #[error("{origin}: rule `{rule}`: {message}")]
    BadValue { rule: String, origin: String, message: String },
}

/// One override requested by the deployment configuration (`[rules.overrides]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub rule: String,
    /// The new value, in the same TOML shape as the pack's `value`. Numbers may also be given as strings.
    pub value: toml::Value,
    /// First day the override applies; `None`: from the rule's first effective date.
    pub from: Option<NaiveDate>,
    /// Where it was configured, shown next to the source (e.g. `dangwu.toml:42`).
    pub origin: String,
    pub note: Option<String>,
}

/// The shape of one entry of `[rules.overrides]`: either the bare value or a table with `value`,
/// optional `from` (a TOML date or `"YYYY-MM-DD"`) and optional `note`.
///
/// ```toml
/// [rules.overrides]
/// "orglife.party_lecture.frequency" = { value = "monthly", from = 2026-01-01, note = "集团党委2025年12号文" }
/// "dues.rounding.mode" = "half_up"
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OverrideSpec {
    Detailed {
        value: toml::Value,
        #[serde(default)]
        from: Option<toml::Value>,
        #[serde(default)]
        note: Option<String>,
    },
    Plain(toml::Value),
}

impl Override {
    /// Builds an override from a config entry (for a server that reads its config with figment/serde).
    pub fn from_spec(rule: &str, spec: &OverrideSpec, origin: &str) -> Result<Override, OverrideError> {
        let bad =
            |message: String| OverrideError::BadValue { rule: rule.to_string(), origin: origin.to_string(), message };
        let (value, from, note) = match spec {
            OverrideSpec::Detailed { value, from, note } => (value.clone(), from.clone(), note.clone()),
            OverrideSpec::Plain(value) => (value.clone(), None, None),
        };
        let from = match from {
            None => None,
            Some(toml::Value::Datetime(dt)) => {
                Some(toml_date(&dt).ok_or_else(|| bad(format!("`from` must be a date, got {dt}")))?)
            }
            Some(toml::Value::String(s)) => Some(
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| bad(format!("`from` must be a date YYYY-MM-DD, got {s:?}")))?,
            ),
            Some(other) => return Err(bad(format!("`from` must be a date, got {other}"))),
        };
        Ok(Override { rule: rule.to_string(), value, from, origin: origin.to_string(), note })
    }
}

/// Reads the `[rules.overrides]` table from a deployment config file's text (other tables are ignored).
/// Each override's origin is `file:line`.
pub fn parse_overrides(file_name: &str, text: &str) -> Result<Vec<Override>, LoadError> {
    #[derive(Deserialize)]
    struct ConfigDoc {
        #[serde(default)]
        rules: Option<RulesSection>,
    }
    #[derive(Deserialize)]
    struct RulesSection {
        #[serde(default)]
        overrides: BTreeMap<String, Spanned<OverrideSpec>>,
    }
    let doc: ConfigDoc = toml::from_str(text).map_err(|e| toml_error(file_name, text, &e))?;
    let mut out = Vec::new();
    for (rule, spec) in doc.rules.map(|r| r.overrides).unwrap_or_default() {
        let line = line_of(text, spec.span().start);
        let origin = format!("{file_name}:{line}");
        let o = Override::from_spec(&rule, spec.get_ref(), &origin).map_err(|e| LoadError {
            file: file_name.to_string(),
            line: Some(line),
            rule: Some(rule.clone()),
            message: e.to_string(),
        })?;
        out.push(o);
    }
    Ok(out)
}

impl RuleBook {
    /// Applies the deployment's overrides. All or nothing: on the first bad entry nothing changes.
    /// Rejected: unknown rules; rules with a confirmed version in force on or after `from` (a confirmed
    /// rule can never be overridden); values of the wrong shape or outside the pack's `min`/`max`/
    /// `choices`; two overrides of one rule from the same date. Applied overrides are kept on the rule
    /// and listed next to its source ([`RuleBook::summaries`]).
    pub fn apply_overrides(&mut self, overrides: &[Override]) -> Result<(), OverrideError> {
        let mut next = self.rules.clone();
        for o in overrides {
            let Some(rule) = next.get_mut(&o.rule) else {
                return Err(OverrideError::UnknownRule { rule: o.rule.clone(), origin: o.origin.clone() });
            };
            let first = rule.versions[0].effective_from;
            let from = o.from.unwrap_or(first).max(first);
            let affected: Vec<&RuleVersion> =
                rule.versions.iter().filter(|v| v.effective_to.is_none_or(|t| t >= from)).collect();
            let bad =
                |message: String| OverrideError::BadValue { rule: o.rule.clone(), origin: o.origin.clone(), message };
            if affected.is_empty() {
                return Err(bad(format!("no version of the rule is in force on or after {from}")));
            }
            if let Some(v) = affected.iter().find(|v| v.status == RuleStatus::Confirmed) {
                return Err(OverrideError::Confirmed {
                    rule: o.rule.clone(),
                    origin: o.origin.clone(),
                    source_text: v.source.to_string(),
                    effective_from: v.effective_from,
                });
            }
            let mut value = None;
            for v in &affected {
                value = Some(parse_value(rule.unit, &o.value, v.min, v.max, &v.choices, true).map_err(&bad)?);
            }
            let value = value.expect("at least one affected version");
            if rule.overrides.iter().any(|x| x.from == from) {
                return Err(bad(format!("a second override from {from}")));
            }
            rule.overrides.push(AppliedOverride { value, from, origin: o.origin.clone(), note: o.note.clone() });
            rule.overrides.sort_by_key(|x| x.from);
        }
        self.rules = next;
        Ok(())
    }
}
