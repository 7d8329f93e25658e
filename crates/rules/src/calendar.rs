//! Working-day calendar (工作日历): statutory holidays (法定节假日) and swapped working days (调休上班日)
//! as published each year by the State Council General Office, loaded from `rules/calendar.toml`.
//!
//! Outside the years the calendar covers, every Monday–Friday is a working day and every result says
//! so: [`Basis::Fallback`]. Years entered before the official notice is published are marked
//! `provisional` and give [`Basis::Provisional`].

use std::collections::BTreeMap;

use chrono::{Datelike, Days, NaiveDate, Weekday};
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::book::{LoadError, RuleStatus, line_of, toml_date};

/// How trustworthy a working-day answer is.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Basis {
    /// Every day involved lies in a year covered by a published notice.
    Official,
    /// Some day lies in a provisional year (statutory days only, swaps not yet published).
    Provisional,
    /// Some day lies outside the calendar: Monday–Friday was assumed to be a working day.
    Fallback,
}

impl Basis {
    pub fn label(self) -> &'static str {
        match self {
            Basis::Official => "依据国务院办公厅放假通知",
            Basis::Provisional => "暂按法定假日推算，调休安排未公布",
            Basis::Fallback => "超出工作日历覆盖年份，按周一至周五推算",
        }
    }
}

/// What kind of day a date is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum DayKind {
    /// An ordinary Monday–Friday.
    Workday,
    /// An ordinary Saturday or Sunday.
    Weekend,
    /// 放假: a statutory holiday or a day off by swap.
    Holiday,
    /// 调休上班: a Saturday or Sunday that is a working day.
    SwappedWorkday,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DayInfo {
    pub date: NaiveDate,
    pub working: bool,
    pub kind: DayKind,
    /// The festival, for holidays and swapped working days (春节, 国庆节 …).
    pub name: Option<String>,
    pub basis: Basis,
}

/// A date computed by counting working days, with the basis of the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkingDate {
    pub date: NaiveDate,
    pub basis: Basis,
}

/// A number of working days, with the basis of the count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct WorkingDayCount {
    pub days: i64,
    pub basis: Basis,
}

/// One holiday period of a year (e.g. 春节 2月10日至17日).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HolidaySpan {
    pub name: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
}

/// One swapped working day (调休上班).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SwappedDay {
    pub name: String,
    pub date: NaiveDate,
}

/// One year of the calendar, as published (or provisionally entered).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CalendarYear {
    pub year: i32,
    pub status: RuleStatus,
    pub provisional: bool,
    pub source: String,
    pub document: Option<String>,
    pub url: Option<String>,
    pub published: Option<NaiveDate>,
    pub note: Option<String>,
    pub holidays: Vec<HolidaySpan>,
    pub working_days: Vec<SwappedDay>,
    pub defined_at: String,
}

/// The statutory-holiday calendar.
#[derive(Debug, Clone, Default)]
pub struct WorkCalendar {
    years: BTreeMap<i32, CalendarYear>,
    /// date → (festival, year entry that lists it)
    holidays: BTreeMap<NaiveDate, (String, i32)>,
    swapped: BTreeMap<NaiveDate, (String, i32)>,
}

// ---- raw file format -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawCalendarHeader {
    #[allow(dead_code)]
    title: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RawYear {
    year: Spanned<i64>,
    status: RuleStatus,
    #[serde(default)]
    provisional: bool,
    source: String,
    #[serde(default)]
    document: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default)]
    published: Option<Datetime>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    holidays: Vec<Spanned<RawHoliday>>,
    #[serde(default)]
    working_days: Vec<Spanned<RawSwap>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawHoliday {
    name: String,
    from: Datetime,
    #[serde(default)]
    to: Option<Datetime>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawSwap {
    name: String,
    date: Datetime,
}

fn is_weekend(d: NaiveDate) -> bool {
    matches!(d.weekday(), Weekday::Sat | Weekday::Sun)
}

/// A Monday used as the origin of weekday arithmetic.
fn reference_monday() -> NaiveDate {
    NaiveDate::from_ymd_opt(2024, 1, 1).expect("2024-01-01 is a Monday")
}

/// Number of Monday–Friday days from the reference Monday up to `d` (inclusive), negative before it:
/// `f(b) - f(a)` counts the weekdays in `(a, b]`.
fn weekday_index(d: NaiveDate) -> i64 {
    let days = (d - reference_monday()).num_days() + 1;
    days.div_euclid(7) * 5 + days.rem_euclid(7).min(5)
}

/// The `n`-th Monday–Friday after `d` (n ≥ 1), or `d` when n = 0.
fn add_weekdays(d: NaiveDate, n: u64) -> Option<NaiveDate> {
    if n == 0 {
        return Some(d);
    }
    let target = weekday_index(d).checked_add(i64::try_from(n).ok()?)?;
    let weeks = (target - 1).div_euclid(5);
    let rem = (target - 1).rem_euclid(5);
    let offset = weeks.checked_mul(7)?.checked_add(rem)?;
    if offset >= 0 {
        reference_monday().checked_add_days(Days::new(offset.unsigned_abs()))
    } else {
        reference_monday().checked_sub_days(Days::new(offset.unsigned_abs()))
    }
}

fn first_of_year(y: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, 1, 1)
}

fn last_of_year(y: i32) -> Option<NaiveDate> {
    NaiveDate::from_ymd_opt(y, 12, 31)
}

impl WorkCalendar {
    pub(crate) fn add_years(
        &mut self,
        file: &str,
        text: &str,
        _header: &RawCalendarHeader,
        years: Vec<Spanned<RawYear>>,
    ) -> Result<(), LoadError> {
        for entry in years {
            let at = entry.span().start;
            let line = line_of(text, at);
            let raw = entry.into_inner();
            let year_no = *raw.year.get_ref();
            let err = |offset: usize, message: String| {
                LoadError::at(file, text, offset, None, format!("year {year_no}: {message}"))
            };
            let year = i32::try_from(year_no)
                .ok()
                .filter(|y| (1949..=2200).contains(y))
                .ok_or_else(|| err(raw.year.span().start, "year must be between 1949 and 2200".into()))?;
            if raw.provisional && raw.status == RuleStatus::Confirmed {
                return Err(err(at, "a provisional year cannot be confirmed".into()));
            }
            let window_start = NaiveDate::from_ymd_opt(year - 1, 12, 1).expect("valid");
            let window_end = NaiveDate::from_ymd_opt(year + 1, 1, 31).expect("valid");
            let in_window = |d: NaiveDate| d >= window_start && d <= window_end;
            let mut holidays = Vec::new();
            let mut seen: BTreeMap<NaiveDate, &'static str> = BTreeMap::new();
            for h in &raw.holidays {
                let off = h.span().start;
                let r = h.get_ref();
                let from = toml_date(&r.from).ok_or_else(|| err(off, "holiday `from` must be a date".into()))?;
                let to = match &r.to {
                    None => from,
                    Some(t) => toml_date(t).ok_or_else(|| err(off, "holiday `to` must be a date".into()))?,
                };
                if to < from {
                    return Err(err(off, format!("{}: `to` {to} is before `from` {from}", r.name)));
                }
                if !in_window(from) || !in_window(to) {
                    return Err(err(off, format!("{}: {from}–{to} lies outside the year {year}", r.name)));
                }
                for d in from.iter_days().take_while(|d| *d <= to) {
                    if seen.insert(d, "holiday").is_some() {
                        return Err(err(off, format!("{}: {d} is listed twice", r.name)));
                    }
                }
                holidays.push(HolidaySpan { name: r.name.clone(), from, to });
            }
            let mut working_days = Vec::new();
            for s in &raw.working_days {
                let off = s.span().start;
                let r = s.get_ref();
                let date = toml_date(&r.date).ok_or_else(|| err(off, "working day `date` must be a date".into()))?;
                if !in_window(date) {
                    return Err(err(off, format!("{}: {date} lies outside the year {year}", r.name)));
                }
                if !is_weekend(date) {
                    return Err(err(
                        off,
                        format!("{}: swapped working day {date} is not a Saturday or Sunday", r.name),
                    ));
                }
                if seen.insert(date, "working").is_some() {
                    return Err(err(
                        off,
                        format!("{}: {date} is both a holiday and a working day, or listed twice", r.name),
                    ));
                }
                working_days.push(SwappedDay { name: r.name.clone(), date });
            }
            let published = match &raw.published {
                None => None,
                Some(p) => Some(toml_date(p).ok_or_else(|| err(at, "`published` must be a date".into()))?),
            };
            let new = CalendarYear {
                year,
                status: raw.status,
                provisional: raw.provisional,
                source: raw.source,
                document: raw.document,
                url: raw.url,
                published,
                note: raw.note,
                holidays,
                working_days,
                defined_at: format!("{file}:{line}"),
            };
            if let Some(old) = self.years.get(&year)
                && (!old.provisional || new.provisional)
            {
                return Err(err(
                    at,
                    format!(
                        "year {year} is already defined at {}; only a provisional year can be replaced by a published one",
                        old.defined_at
                    ),
                ));
            }
            // Dates listed by another year's entry must not clash with this one.
            for (d, _) in seen.iter() {
                let other = self.holidays.get(d).or_else(|| self.swapped.get(d)).filter(|(_, y)| *y != year);
                if let Some((name, y)) = other {
                    return Err(err(at, format!("{d} is already listed by year {y} ({name})")));
                }
            }
            self.years.insert(year, new);
            self.rebuild();
        }
        Ok(())
    }

    fn rebuild(&mut self) {
        self.holidays.clear();
        self.swapped.clear();
        for y in self.years.values() {
            for h in &y.holidays {
                for d in h.from.iter_days().take_while(|d| *d <= h.to) {
                    self.holidays.insert(d, (h.name.clone(), y.year));
                }
            }
            for s in &y.working_days {
                self.swapped.insert(s.date, (s.name.clone(), y.year));
            }
        }
    }

    /// The years the calendar covers, in order.
    pub fn years(&self) -> impl Iterator<Item = &CalendarYear> {
        self.years.values()
    }

    pub fn year(&self, year: i32) -> Option<&CalendarYear> {
        self.years.get(&year)
    }

    fn basis_of_year(&self, year: i32) -> Basis {
        match self.years.get(&year) {
            None => Basis::Fallback,
            Some(y) if y.provisional => Basis::Provisional,
            Some(_) => Basis::Official,
        }
    }

    /// Classifies one date.
    pub fn day(&self, date: NaiveDate) -> DayInfo {
        // A holiday first, then a swapped working day: each named, on the basis of the year listing it.
        let listed = self
            .holidays
            .get(&date)
            .map(|entry| (DayKind::Holiday, false, entry))
            .or_else(|| self.swapped.get(&date).map(|entry| (DayKind::SwappedWorkday, true, entry)));
        if let Some((kind, working, (name, y))) = listed {
            return DayInfo { date, working, kind, name: Some(name.clone()), basis: self.basis_of_year(*y) };
        }
        let weekend = is_weekend(date);
        DayInfo {
            date,
            working: !weekend,
            kind: if weekend { DayKind::Weekend } else { DayKind::Workday },
            name: None,
            basis: self.basis_of_year(date.year()),
        }
    }

    /// Whether `date` is a working day (工作日): not a holiday, and Monday–Friday or a swapped working
    /// day. Outside the covered years: Monday–Friday (see [`WorkCalendar::day`] for the basis).
    pub fn is_working_day(&self, date: NaiveDate) -> bool {
        self.day(date).working
    }

    /// The first and last date whose working-day status the calendar data can change.
    fn span(&self) -> Option<(NaiveDate, NaiveDate)> {
        let first_year = *self.years.keys().next()?;
        let last_year = *self.years.keys().next_back()?;
        let mut start = first_of_year(first_year)?;
        let mut end = last_of_year(last_year)?;
        for d in self.holidays.keys().chain(self.swapped.keys()) {
            start = start.min(*d);
            end = end.max(*d);
        }
        Some((start, end))
    }

    /// The worst basis of the days in `(from, to]`.
    fn basis_between(&self, from: NaiveDate, to: NaiveDate) -> Basis {
        if to <= from {
            return Basis::Official;
        }
        let Some(first) = from.succ_opt() else { return Basis::Official };
        let (y0, y1) = (first.year(), to.year());
        if y1 - y0 > 400 {
            // Longer than any calendar: some year is surely not covered.
            return Basis::Fallback;
        }
        (y0..=y1).map(|y| self.basis_of_year(y)).max().unwrap_or(Basis::Official)
    }

    /// "N working days after `date`" (N个工作日后): the `n`-th working day strictly after `date`;
    /// `n = 0` gives `date` itself. Never lands on a holiday for `n ≥ 1`. `None` only beyond the last
    /// date chrono can represent.
    pub fn add_working_days(&self, date: NaiveDate, n: u32) -> Option<WorkingDate> {
        let mut remaining = u64::from(n);
        let mut cursor = date;
        if remaining == 0 {
            return Some(WorkingDate { date, basis: Basis::Official });
        }
        if let Some((start, end)) = self.span() {
            // Jump over the stretch before the calendar with weekday arithmetic.
            let before = start.pred_opt()?;
            if cursor < before {
                let available = u64::try_from(weekday_index(before) - weekday_index(cursor)).unwrap_or(0);
                if remaining <= available {
                    let d = add_weekdays(cursor, remaining)?;
                    return Some(WorkingDate { date: d, basis: self.basis_between(date, d) });
                }
                remaining -= available;
                cursor = before;
            }
            // Walk through the covered stretch day by day.
            while cursor < end {
                cursor = cursor.succ_opt()?;
                if self.is_working_day(cursor) {
                    remaining -= 1;
                    if remaining == 0 {
                        return Some(WorkingDate { date: cursor, basis: self.basis_between(date, cursor) });
                    }
                }
            }
        }
        let d = add_weekdays(cursor, remaining)?;
        Some(WorkingDate { date: d, basis: self.basis_between(date, d) })
    }

    /// Number of working days in `(from, to]`; negative when `to` is before `from`.
    /// `working_days_between(d, add_working_days(d, n)) == n`.
    pub fn working_days_between(&self, from: NaiveDate, to: NaiveDate) -> WorkingDayCount {
        if to < from {
            let c = self.working_days_between(to, from);
            return WorkingDayCount { days: -c.days, basis: c.basis };
        }
        let mut days = weekday_index(to) - weekday_index(from);
        if let Some(first) = from.succ_opt().filter(|first| *first <= to) {
            for d in self.holidays.range(first..=to).map(|(d, _)| *d) {
                if !is_weekend(d) {
                    days -= 1;
                }
            }
            days += i64::try_from(self.swapped.range(first..=to).count()).unwrap_or(0);
        }
        WorkingDayCount { days, basis: self.basis_between(from, to) }
    }

    /// The last day of a public notice (公示) of `n` working days that starts on `start` (the start
    /// day counts when it is a working day). The notice is over on the day after.
    pub fn notice_end(&self, start: NaiveDate, n: u32) -> Option<WorkingDate> {
        if n == 0 {
            return Some(WorkingDate { date: start, basis: Basis::Official });
        }
        self.add_working_days(start.pred_opt()?, n)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::dates::ymd as d;

    #[test]
    fn weekday_arithmetic_matches_counting() {
        let empty = WorkCalendar::default();
        for start in d(2023, 12, 20).iter_days().take(20) {
            for n in 0..30u32 {
                let got = add_weekdays(start, u64::from(n)).unwrap();
                let mut c = start;
                let mut k = 0;
                while k < n {
                    c = c.succ_opt().unwrap();
                    if !is_weekend(c) {
                        k += 1;
                    }
                }
                assert_eq!(got, c, "start {start} n {n}");
                assert_eq!(empty.working_days_between(start, got).days, i64::from(n));
            }
        }
    }
}
