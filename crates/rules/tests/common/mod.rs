#![allow(dead_code)]
use chrono::NaiveDate;
use dangwu_rules::RuleBook;

pub fn book() -> RuleBook {
    RuleBook::builtin().unwrap_or_else(|e| panic!("builtin packs must load: {e}"))
}

pub fn d(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap()
}
