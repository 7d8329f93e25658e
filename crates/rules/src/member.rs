//! Checks on a member record's dates and status (党员基本信息).

use chrono::{Datelike, NaiveDate};

/// 中国共产党成立 — no membership date can precede it.
pub const PARTY_FOUNDED: (i32, u32, u32) = (1921, 7, 1);
/// 党章 第一条: 年满十八岁 (rule `member.min_age`; the pack value must equal this constant, which a
/// test checks, because [`check_dates`] takes no rule book).
pub const MIN_AGE_YEARS: i32 = 18;
/// Rule id of the minimum age in the rule packs.
pub const RULE_MIN_AGE: &str = "member.min_age";

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Status {
    /// 预备党员
    Probationary,
    /// 正式党员
    Full,
}

/// One failed check, with the field it concerns and the rule it applies.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DateProblem {
    pub field: &'static str,
    pub rule: &'static str,
    pub message: String,
}

/// The date a person born on `birth` turns `years` (29 February birthdays turn on 1 March).
pub fn birthday(birth: NaiveDate, years: i32) -> NaiveDate {
    let year = birth.year() + years;
    NaiveDate::from_ymd_opt(year, birth.month(), birth.day())
        .unwrap_or_else(|| NaiveDate::from_ymd_opt(year, 3, 1).expect("1 March exists"))
}

pub fn party_founded() -> NaiveDate {
    let (y, m, d) = PARTY_FOUNDED;
    NaiveDate::from_ymd_opt(y, m, d).expect("valid date")
}

/// Checks birth, joining and conversion dates against each other, the status and today.
pub fn check_dates(
    birth: NaiveDate,
    joined: NaiveDate,
    converted: Option<NaiveDate>,
    status: Status,
    today: NaiveDate,
) -> Vec<DateProblem> {
    let mut problems = Vec::new();
    let mut push = |field, rule, message: String| problems.push(DateProblem { field, rule, message });
    if birth > today {
        push("birth_date", "member.birth_date", "出生日期不能晚于今天".into());
    }
    if joined < party_founded() {
        push("joined_on", "member.joined_after_founding", "入党日期不能早于1921年7月1日".into());
    }
    if joined > today {
        push("joined_on", "member.joined_not_future", "入党日期不能晚于今天".into());
    }
    let adult = birthday(birth, MIN_AGE_YEARS);
    if joined < adult {
        push("joined_on", "member.min_age", format!("入党时应年满十八周岁（{adult} 起），入党日期早于十八岁生日"));
    }
    match (status, converted) {
        (Status::Full, None) => push("converted_on", "member.conversion_date", "正式党员须填写转正日期".into()),
        (Status::Probationary, Some(_)) => {
            push("converted_on", "member.conversion_date", "预备党员不应有转正日期".into())
        }
        (_, Some(c)) if c <= joined => {
            push("converted_on", "member.conversion_after_joining", "转正日期须晚于入党日期".into())
        }
        (_, Some(c)) if c > today => {
            push("converted_on", "member.conversion_not_future", "转正日期不能晚于今天".into())
        }
        _ => {}
    }
    problems
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(y: i32, m: u32, day: u32) -> NaiveDate {
        NaiveDate::from_ymd_opt(y, m, day).unwrap()
    }
    const TODAY: (i32, u32, u32) = (2026, 11, 29);
    fn today() -> NaiveDate {
        d(TODAY.0, TODAY.1, TODAY.2)
    }

    #[test]
    fn member_min_age_boundary() {
        // Rule member.min_age (党章第一条, 年满十八岁): joining on the 18th birthday is allowed, a day before is not.
        let birth = d(2000, 5, 10);
        assert!(check_dates(birth, d(2018, 5, 10), None, Status::Probationary, today()).is_empty());
        let p = check_dates(birth, d(2018, 5, 9), None, Status::Probationary, today());
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].rule, "member.min_age");
    }

    #[test]
    fn leap_day_birthday_turns_on_first_of_march() {
        assert_eq!(birthday(d(2004, 2, 29), 18), d(2022, 3, 1));
    }

    #[test]
    fn conversion_rules() {
        let birth = d(1990, 1, 1);
        let joined = d(2015, 7, 1);
        let p = check_dates(birth, joined, None, Status::Full, today());
        assert_eq!(p[0].field, "converted_on");
        let p = check_dates(birth, joined, Some(joined), Status::Full, today());
        assert_eq!(p[0].rule, "member.conversion_after_joining");
        let p = check_dates(birth, joined, Some(d(2016, 7, 1)), Status::Probationary, today());
        assert_eq!(p[0].rule, "member.conversion_date");
        assert!(check_dates(birth, joined, Some(d(2016, 7, 1)), Status::Full, today()).is_empty());
    }

    #[test]
    fn dates_before_founding_or_in_future() {
        let p = check_dates(d(1900, 1, 1), d(1921, 6, 30), Some(d(1922, 1, 1)), Status::Full, today());
        assert!(p.iter().any(|p| p.rule == "member.joined_after_founding"));
        let p = check_dates(d(1990, 1, 1), d(2026, 11, 30), None, Status::Probationary, today());
        assert!(p.iter().any(|p| p.rule == "member.joined_not_future"));
    }
}
