//! Date arithmetic used by the rules: periods in months and years (Civil Code art. 202: a period ends
//! on the corresponding day of the last month, or that month's last day when there is none), and
//! calendar months ([`YearMonth`]).

use std::fmt;
use std::str::FromStr;

use chrono::{Datelike, Months, NaiveDate};
use serde::{Deserialize, Serialize};

use crate::member::party_founded;

/// `date` plus `months` calendar months (31 January + 1 month = 28/29 February).
pub fn add_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_add_months(Months::new(months))
}

/// `date` minus `months` calendar months.
pub fn sub_months(date: NaiveDate, months: u32) -> Option<NaiveDate> {
    date.checked_sub_months(Months::new(months))
}

/// `date` plus `years` years (29 February + 1 year = 28 February).
pub fn add_years(date: NaiveDate, years: u32) -> Option<NaiveDate> {
    add_months(date, years.checked_mul(12)?)
}

/// The latest date the engine accepts in input (beyond it, results would be meaningless).
pub fn latest_input_date() -> NaiveDate {
    NaiveDate::from_ymd_opt(2200, 12, 31).expect("valid date")
}

/// Checks an input date against the founding of the Party and [`latest_input_date`]; `Err` holds the
/// Chinese reason.
pub fn check_input_date(date: NaiveDate) -> Result<(), String> {
    if date < party_founded() {
        Err("日期不能早于1921年7月1日（中国共产党成立）".into())
    } else if date > latest_input_date() {
        Err("日期超出可计算范围（2200年以后）".into())
    } else {
        Ok(())
    }
}

/// A calendar month, written `"2026-03"` in JSON.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub struct YearMonth {
    pub year: i32,
    /// 1–12
    pub month: u32,
}

impl YearMonth {
    pub fn new(year: i32, month: u32) -> Option<YearMonth> {
        NaiveDate::from_ymd_opt(year, month, 1).map(|_| YearMonth { year, month })
    }

    pub fn of(date: NaiveDate) -> YearMonth {
        YearMonth { year: date.year(), month: date.month() }
    }

    pub fn first_day(self) -> NaiveDate {
        NaiveDate::from_ymd_opt(self.year, self.month, 1).expect("valid month")
    }

    pub fn last_day(self) -> NaiveDate {
        self.next().first_day().pred_opt().expect("valid date")
    }

    /// Months since year 0, for differences.
    pub fn index(self) -> i64 {
        i64::from(self.year) * 12 + i64::from(self.month) - 1
    }

    pub fn from_index(index: i64) -> Option<YearMonth> {
        let year = i32::try_from(index.div_euclid(12)).ok()?;
        let month = u32::try_from(index.rem_euclid(12) + 1).ok()?;
        YearMonth::new(year, month)
    }

    pub fn next(self) -> YearMonth {
        if self.month == 12 {
            YearMonth { year: self.year + 1, month: 1 }
        } else {
            YearMonth { year: self.year, month: self.month + 1 }
        }
    }

    /// Number of months from `self` to `later` (negative if `later` is earlier).
    pub fn months_until(self, later: YearMonth) -> i64 {
        later.index() - self.index()
    }
}

impl fmt::Display for YearMonth {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{:04}-{:02}", self.year, self.month)
    }
}

impl FromStr for YearMonth {
    type Err = String;

    /// Accepts `YYYY-MM` or a full date `YYYY-MM-DD` (its month).
    fn from_str(s: &str) -> Result<YearMonth, String> {
        let s = s.trim();
        if let Ok(d) = NaiveDate::parse_from_str(s, "%Y-%m-%d") {
            return Ok(YearMonth::of(d));
        }
        let (y, m) = s.split_once('-').ok_or_else(|| "月份格式应为YYYY-MM".to_string())?;
        let year: i32 = y.parse().map_err(|_| "月份格式应为YYYY-MM".to_string())?;
        let month: u32 = m.parse().map_err(|_| "月份格式应为YYYY-MM".to_string())?;
        YearMonth::new(year, month).ok_or_else(|| "月份格式应为YYYY-MM".to_string())
    }
}

impl Serialize for YearMonth {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

impl<'de> Deserialize<'de> for YearMonth {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<YearMonth, D::Error> {
        let s = String::deserialize(d)?;
        s.parse().map_err(serde::de::Error::custom)
    }
}

/// A date from its parts, for tests; panics on an impossible date.
#[cfg(test)]
pub(crate) fn ymd(y: i32, m: u32, day: u32) -> NaiveDate {
    NaiveDate::from_ymd_opt(y, m, day).unwrap_or_else(|| panic!("no such date: {y}-{m}-{day}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    use super::ymd as d;

    #[test]
    fn month_end_clamps() {
        assert_eq!(add_months(d(2026, 1, 31), 1), Some(d(2026, 2, 28)));
        assert_eq!(add_years(d(2024, 2, 29), 1), Some(d(2025, 2, 28)));
        assert_eq!(add_years(d(2015, 7, 1), 1), Some(d(2016, 7, 1)));
    }

    #[test]
    fn year_month_parse_and_index() {
        let m: YearMonth = "2026-03".parse().unwrap();
        assert_eq!(m.to_string(), "2026-03");
        assert_eq!("2026-03-15".parse::<YearMonth>().unwrap(), m);
        assert!("2026-13".parse::<YearMonth>().is_err());
        assert_eq!(YearMonth::from_index(m.index()), Some(m));
        assert_eq!(YearMonth::new(2025, 12).unwrap().next(), YearMonth::new(2026, 1).unwrap());
        assert_eq!(m.last_day(), d(2026, 3, 31));
        assert_eq!(YearMonth::new(2026, 1).unwrap().months_until(m), 2);
    }
}
