//! Working-day calendar: the 2024–2026 State Council notices, provisional 2027, Mon–Fri fallback.

mod common;
use chrono::NaiveDate;
use common::{book, d};
use dangwu_rules::calendar::{Basis, DayKind};
use dangwu_rules::{RuleBook, WorkCalendar};

/// Asserts that each of `working` is a working day and each of `off` a day off, naming the day.
fn assert_days(c: &WorkCalendar, working: &[NaiveDate], off: &[NaiveDate]) {
    for &day in working {
        assert!(c.is_working_day(day), "{day} should be a working day");
    }
    for &day in off {
        assert!(!c.is_working_day(day), "{day} should be a day off");
    }
}

/// Every day from `from` to `to`, both included.
fn days(from: NaiveDate, to: NaiveDate) -> Vec<NaiveDate> {
    from.iter_days().take_while(|day| *day <= to).collect()
}

#[test]
fn notice_2024_spring_festival_and_swaps() {
    let b = book();
    let c = b.calendar();
    // 国办发明电〔2023〕7号: 春节 2月10日至17日放假, 2月4日(日)、2月18日(日)上班; 除夕 2月9日 is a working day.
    assert_days(c, &[d(2024, 2, 9), d(2024, 2, 4), d(2024, 2, 18)], &days(d(2024, 2, 10), d(2024, 2, 17)));
    let info = c.day(d(2024, 2, 18));
    assert_eq!(info.kind, DayKind::SwappedWorkday);
    assert_eq!(info.name.as_deref(), Some("春节"));
    assert_eq!(info.basis, Basis::Official);
    // 国庆: 10月1日至7日, 9月29日、10月12日上班.
    assert_days(c, &[d(2024, 9, 29), d(2024, 10, 12)], &[d(2024, 10, 7)]);
}

#[test]
fn notice_2025_new_holiday_days() {
    let b = book();
    // 国办发明电〔2024〕12号: 春节 1月28日(除夕)至2月4日, 1月26日、2月8日上班; 劳动节 5月1日至5日, 4月27日上班.
    // 国庆中秋 10月1日至8日, 9月28日、10月11日上班.
    assert_days(
        b.calendar(),
        &[d(2025, 2, 5), d(2025, 1, 26), d(2025, 2, 8), d(2025, 4, 27), d(2025, 10, 11)],
        &[d(2025, 1, 28), d(2025, 2, 4), d(2025, 5, 5), d(2025, 10, 8)],
    );
}

#[test]
fn notice_2026_nine_day_spring_festival() {
    let b = book();
    // 2026: 元旦 1月1日至3日, 1月4日(日)上班; 春节 2月15日至23日 (9天), 2月14日(六)、2月28日(六)上班.
    let mut off = days(d(2026, 2, 15), d(2026, 2, 23));
    off.extend([d(2026, 1, 2), d(2026, 10, 7)]);
    assert_days(
        b.calendar(),
        &[
            d(2026, 1, 4),
            d(2026, 2, 14),
            d(2026, 2, 28),
            d(2026, 5, 9),
            d(2026, 9, 20),
            d(2026, 10, 10),
            d(2026, 10, 8),
        ],
        &off,
    );
}

#[test]
fn year_2027_is_provisional() {
    let b = book();
    let c = b.calendar();
    let y = c.year(2027).unwrap();
    assert!(y.provisional);
    let info = c.day(d(2027, 10, 1));
    assert!(!info.working);
    assert_eq!(info.basis, Basis::Provisional);
    assert_eq!(c.day(d(2027, 3, 3)).basis, Basis::Provisional);
    let r = c.add_working_days(d(2026, 12, 30), 3).unwrap();
    assert_eq!(r.basis, Basis::Provisional);
}

#[test]
fn outside_covered_years_falls_back_to_monday_to_friday() {
    let b = book();
    let c = b.calendar();
    // 2023-10-02 was a national holiday, but 2023 is not in the calendar: Monday → working, flagged.
    let info = c.day(d(2023, 10, 2));
    assert!(info.working);
    assert_eq!(info.basis, Basis::Fallback);
    assert!(!c.is_working_day(d(2030, 1, 5))); // Saturday
    let r = c.add_working_days(d(2030, 1, 4), 1).unwrap(); // Friday + 1 → Monday
    assert_eq!(r.date, d(2030, 1, 7));
    assert_eq!(r.basis, Basis::Fallback);
    let n = c.working_days_between(d(2023, 12, 29), d(2024, 1, 3));
    assert_eq!(n.days, 2); // 2024-01-01 holiday; 01-02, 01-03 working
    assert_eq!(n.basis, Basis::Fallback); // touches 2023 (Dec 30/31)
}

#[test]
fn add_working_days_skips_holidays_and_counts_swaps() {
    let b = book();
    let c = b.calendar();
    // Friday 2024-09-27 + 1 → Sunday 2024-09-29 (调休上班).
    assert_eq!(c.add_working_days(d(2024, 9, 27), 1).unwrap().date, d(2024, 9, 29));
    // Sunday 2024-09-29 + 1 → Monday 2024-09-30; + 2 → Tuesday 10-08 (holiday to 10-07).
    assert_eq!(c.add_working_days(d(2024, 9, 29), 1).unwrap().date, d(2024, 9, 30));
    assert_eq!(c.add_working_days(d(2024, 9, 29), 2).unwrap().date, d(2024, 10, 8));
    assert_eq!(c.add_working_days(d(2024, 9, 29), 0).unwrap().date, d(2024, 9, 29));
    assert_eq!(c.working_days_between(d(2024, 9, 29), d(2024, 10, 8)).days, 2);
    assert_eq!(c.working_days_between(d(2024, 10, 8), d(2024, 9, 29)).days, -2);
}

#[test]
fn notice_period_of_five_working_days_recruit_notice_working_days() {
    // recruit.notice_working_days: a 公示 of 5 working days starting Monday 2026-09-21 runs over the
    // 9-25..27 中秋 holiday: 21, 22, 23, 24, 28 → ends Monday 09-28.
    let b = book();
    let n = b.int("recruit.notice_working_days", d(2026, 9, 21)).unwrap() as u32;
    assert_eq!(n, 5);
    let end = b.calendar().notice_end(d(2026, 9, 21), n).unwrap();
    assert_eq!(end.date, d(2026, 9, 28));
    assert_eq!(end.basis, Basis::Official);
    // Starting on a holiday: the first working day counts first; Saturday 10-10 is a swapped working
    // day: 8, 9, 10, 12, 13 → ends 10-13.
    assert_eq!(b.calendar().notice_end(d(2026, 10, 1), 5).unwrap().date, d(2026, 10, 13));
}

#[test]
fn calendar_errors_name_file_and_line() {
    let text = "[calendar]\ntitle = \"t\"\n\n[[year]]\nyear = 2024\nstatus = \"confirmed\"\nsource = \"s\"\nworking_days = [\n  { name = \"x\", date = 2024-02-05 },\n]\n";
    let err = RuleBook::from_sources(&[("rules/cal.toml", text)]).unwrap_err();
    assert_eq!(err.file, "rules/cal.toml");
    assert_eq!(err.line, Some(9)); // 2024-02-05 is a Monday, not a weekend
    assert!(err.message.contains("not a Saturday or Sunday"), "{err}");

    let twice = "[calendar]\ntitle = \"t\"\n[[year]]\nyear = 2024\nstatus = \"confirmed\"\nsource = \"s\"\n[[year]]\nyear = 2024\nstatus = \"confirmed\"\nsource = \"s\"\n";
    let err = RuleBook::from_sources(&[("rules/cal.toml", twice)]).unwrap_err();
    assert_eq!(err.line, Some(7));

    let prov = "[calendar]\ntitle = \"t\"\n[[year]]\nyear = 2027\nstatus = \"confirmed\"\nprovisional = true\nsource = \"s\"\n";
    assert!(RuleBook::from_sources(&[("rules/cal.toml", prov)]).is_err());
}

#[test]
fn a_published_year_replaces_a_provisional_one() {
    let mut b = book();
    let published = "[calendar]\ntitle = \"部署补充\"\n[[year]]\nyear = 2027\nstatus = \"confirmed\"\nsource = \"国务院办公厅关于2027年部分节假日安排的通知\"\nholidays = [ { name = \"国庆节\", from = 2027-10-01, to = 2027-10-07 } ]\nworking_days = [ { name = \"国庆节\", date = 2027-09-26 } ]\n";
    b.add_source("calendar-2027.toml", published).unwrap();
    let c = b.calendar();
    assert!(!c.year(2027).unwrap().provisional);
    assert!(!c.is_working_day(d(2027, 10, 7)));
    assert!(c.is_working_day(d(2027, 9, 26)));
    // The provisional 劳动节 days are gone with the provisional entry.
    assert!(c.is_working_day(d(2027, 5, 3)));
    assert_eq!(c.day(d(2027, 10, 7)).basis, Basis::Official);
    // A published year cannot be replaced again.
    assert!(b.add_source("again.toml", published).is_err());
}

#[test]
fn zero_length_ranges() {
    // Regression found by proptest: an empty range (d, d] must count 0, not panic.
    let b = book();
    let c = b.calendar();
    for day in [d(2024, 10, 1), d(2026, 2, 14), d(2030, 6, 1)] {
        assert_eq!(c.working_days_between(day, day).days, 0);
        assert_eq!(c.add_working_days(day, 0).unwrap().date, day);
    }
}
