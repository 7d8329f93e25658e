//! Rule packs (规则包) and the rule book that holds them.
//!
//! Every number the engine uses lives in a TOML pack under `rules/` at the repository root, with its
//! source, status and effective dates. The packs are embedded in the binary ([`BUILTIN_SOURCES`]) so it
//! works anywhere; [`RuleBook::from_sources`] loads the same format from text the caller has read.
//! A lookup ([`RuleBook::resolve`], [`RuleBook::int`] …) takes the date of the event being judged and
//! returns the version in force on that date, or the deployment's override of it.
//!
//! The crate reads no files: override files are read by the caller and handed to [`parse_overrides`].
//!
//! Layout: `builtin` (the packs shipped with the crate), `values` (statuses, units, frequencies,
//! ratios, bands, values), `rule` (a rule, its dated versions, lookup errors), `load` (parsing and
//! validating packs), `overrides` (a deployment's overrides), `summary` (the rules page); the typed
//! lookups are here. Every public item is re-exported here, so `dangwu_rules::book::X` paths hold.

mod builtin;
mod load;
mod overrides;
mod rule;
mod summary;
mod values;

use std::collections::BTreeMap;

use chrono::NaiveDate;

use crate::calendar::WorkCalendar;

pub use builtin::BUILTIN_SOURCES;
pub use load::LoadError;
pub(crate) use load::{line_of, toml_date};
pub use overrides::{Override, OverrideError, OverrideSpec, parse_overrides};
pub use rule::{AppliedOverride, Resolved, Rule, RuleError, RuleVersion, Source};
pub use summary::{RuleSummary, UpcomingVersion};
pub use values::{Band, Frequency, Ratio, RuleStatus, RuleValue, Unit, format_rate};

/// All rules, the working-day calendar and the overrides of one deployment.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    rules: BTreeMap<String, Rule>,
    calendar: WorkCalendar,
}

impl RuleBook {
    /// The working-day calendar (法定节假日与调休).
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// Every rule, sorted by id.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values()
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.get(id)
    }

    /// The rule in force on `on`, with the deployment's override if one applies.
    pub fn resolve(&self, id: &str, on: NaiveDate) -> Result<Resolved<'_>, RuleError> {
        let rule = self.rules.get(id).ok_or_else(|| RuleError::Unknown { rule: id.to_string() })?;
        let version = rule.version_on(on).ok_or_else(|| RuleError::NotInForce { rule: id.to_string(), date: on })?;
        let overridden = rule.overrides.iter().rev().find(|o| o.from <= on);
        Ok(Resolved { rule, version, overridden })
    }

    /// The value in force on `on` (after overrides).
    pub fn value(&self, id: &str, on: NaiveDate) -> Result<&RuleValue, RuleError> {
        self.resolve(id, on).map(|r| r.value())
    }

    /// An integer rule as u32 (saturating).
    pub fn count(&self, id: &str, on: NaiveDate) -> Result<u32, RuleError> {
        self.int(id, on).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }
}

/// The typed accessors: the value in force on `on` (after overrides) when it has the type asked for,
/// else `WrongType` naming that type.
macro_rules! typed_accessors {
    ($( $(#[$doc:meta])* $name:ident: $variant:ident($v:ident) -> $ty:ty = $out:expr, $expected:literal; )+) => {
        impl RuleBook {
            $(
                $(#[$doc])*
                pub fn $name(&self, id: &str, on: NaiveDate) -> Result<$ty, RuleError> {
                    match self.value(id, on)? {
                        RuleValue::$variant($v) => Ok($out),
                        _ => Err(RuleError::WrongType { rule: id.into(), expected: $expected }),
                    }
                }
            )+
        }
    };
}

typed_accessors! {
    /// An integer rule (counts, durations, money in fen).
    int: Integer(n) -> i64 = *n, "整数";
    ratio: Ratio(r) -> Ratio = *r, "比例";
    frequency: Frequency(f) -> Frequency = *f, "频次";
    bands: Bands(b) -> &[Band] = b, "分档比例";
    choice: Choice(s) -> &str = s, "选项";
    flag: Flag(b) -> bool = *b, "开关";
    steps: Steps(s) -> &[u8] = s, "步骤列表";
}

#[cfg(test)]
mod tests {
    use super::load::{line_of, rule_id_near};
    use super::*;

    #[test]
    fn line_and_rule_id_from_offset() {
        let text = "[pack]\nid = \"x\"\n\n[[rule]]\nid = \"x.a\"\nvalue = 1\n\n[[rule]]\nid = \"x.b\"\nvalue = = 2\n";
        let off = text.find("= = 2").unwrap();
        assert_eq!(line_of(text, off), 10);
        assert_eq!(rule_id_near(text, off).as_deref(), Some("x.b"));
        assert_eq!(rule_id_near(text, 3), None);
    }

    #[test]
    fn ratio_arithmetic() {
        let half = Ratio { num: 1, den: 2 };
        assert_eq!(half.smallest_more_than(20), 11);
        assert_eq!(half.smallest_more_than(21), 11);
        assert!(half.exceeded_by(11, 20));
        assert!(!half.exceeded_by(10, 20));
        let third = Ratio { num: 1, den: 3 };
        assert_eq!(third.largest_at_most(10), 3);
        assert_eq!(third.largest_at_most(9), 3);
    }

    #[test]
    fn rates_format() {
        assert_eq!(format_rate(50), "0.5%");
        assert_eq!(format_rate(100), "1%");
        assert_eq!(format_rate(150), "1.5%");
        assert_eq!(format_rate(125), "1.25%");
    }
}
