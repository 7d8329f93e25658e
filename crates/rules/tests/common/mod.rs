#![allow(dead_code)]
use chrono::NaiveDate;
use dangwu_rules::RuleBook;
use dangwu_rules::book::Override;

pub fn book() -> RuleBook {
    RuleBook::builtin().unwrap_or_else(|e| panic!("builtin packs must load: {e}"))
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}

/// An override of `rule` to `value` from the rule's first effective date, as a deployment configures
/// it (`from`, `origin` and `note` can be set with struct update syntax).
pub fn override_of(rule: &str, value: impl Into<dangwu_rules::toml::Value>) -> Override {
    Override { rule: rule.into(), value: value.into(), from: None, origin: "test".into(), note: None }
}
