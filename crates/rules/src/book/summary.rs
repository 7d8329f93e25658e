//! Rules as the rules page shows them on a date (`GET /api/v1/rules`).

use chrono::NaiveDate;
use serde::Serialize;

use super::RuleBook;
use super::rule::{AppliedOverride, Source};
use super::values::{RuleStatus, RuleValue, Unit};

impl RuleBook {
    /// One line per rule as in force on `on`, with the source next to the value and any override next
    /// to the source (for `GET /api/v1/rules`).
    pub fn summaries(&self, on: NaiveDate) -> Vec<RuleSummary> {
        self.rules
            .values()
            .map(|rule| {
                let version = rule
                    .version_on(on)
                    .or_else(|| rule.versions.iter().rev().find(|v| v.effective_from <= on))
                    .or_else(|| rule.versions.first())
                    .expect("a rule has at least one version");
                let in_force = version.in_force_on(on);
                let overridden =
                    if in_force { rule.overrides.iter().rev().find(|o| o.from <= on).cloned() } else { None };
                let value = overridden.as_ref().map(|o| o.value.clone()).unwrap_or_else(|| version.value.clone());
                RuleSummary {
                    id: rule.id.clone(),
                    title: rule.title.clone(),
                    pack: rule.pack.clone(),
                    unit: rule.unit,
                    unit_label: rule.unit.label(),
                    in_force,
                    value_text: value.describe(rule.unit),
                    value,
                    default_value_text: version.value.describe(rule.unit),
                    default_value: version.value.clone(),
                    status: version.status,
                    status_label: version.status.label(),
                    overridable: version.status.overridable(),
                    source: version.source.clone(),
                    effective_from: version.effective_from,
                    effective_to: version.effective_to,
                    note: version.note.clone(),
                    defined_at: version.defined_at.clone(),
                    overridden,
                    upcoming: rule
                        .versions
                        .iter()
                        .filter(|v| v.effective_from > on)
                        .map(|v| UpcomingVersion {
                            effective_from: v.effective_from,
                            value_text: v.value.describe(rule.unit),
                            status: v.status,
                        })
                        .collect(),
                    upcoming_overrides: rule.overrides.iter().filter(|o| o.from > on).cloned().collect(),
                }
            })
            .collect()
    }
}

/// A rule as shown to users on a date (`GET /api/v1/rules?on=`).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub title: String,
    pub pack: String,
    pub unit: Unit,
    pub unit_label: &'static str,
    /// Whether a version is in force on the date; if not, the fields describe the nearest version.
    pub in_force: bool,
    /// The value that applies (after any override).
    pub value: RuleValue,
    pub value_text: String,
    /// The pack's value, before any override.
    pub default_value: RuleValue,
    pub default_value_text: String,
    pub status: RuleStatus,
    pub status_label: &'static str,
    pub overridable: bool,
    pub source: Source,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub defined_at: String,
    /// The deployment's override in effect on the date, shown next to the source.
    pub overridden: Option<AppliedOverride>,
    /// Later versions already in the packs (e.g. a revision with a future effective date).
    pub upcoming: Vec<UpcomingVersion>,
    /// Overrides configured to start after the date.
    pub upcoming_overrides: Vec<AppliedOverride>,
}

#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpcomingVersion {
    pub effective_from: NaiveDate,
    pub value_text: String,
    pub status: RuleStatus,
}
