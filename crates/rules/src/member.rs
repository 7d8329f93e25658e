//! Checks on a member record's dates and status (党员基本信息).

use chrono::{Datelike, NaiveDate};

use crate::book::{RuleBook, RuleError};
use crate::dates::add_months;
use crate::recruitment::{RULE_EXTENSION_COUNT, RULE_EXTENSION_MAX, RULE_PROBATION};

/// 中国共产党成立 — no membership date can precede it.
pub const PARTY_FOUNDED: (i32, u32, u32) = (1921, 7, 1);
/// 党章 第一条: 年满十八岁 (rule `member.min_age`; the pack value must equal this constant, which a
/// test checks, because [`check_dates`] takes no rule book).
pub const MIN_AGE_YEARS: i32 = 18;
/// Rule id of the minimum age in the rule packs.
pub const RULE_MIN_AGE: &str = "member.min_age";
/// Fixed facts about a member record (no value to configure, so not in the packs; docs/RULES.md lists
/// them): a birth date not in the future, a joining date not before the founding nor in the future, a
/// conversion date present exactly for full members, after joining and not in the future.
pub const RULE_BIRTH_DATE: &str = "member.birth_date";
pub const RULE_JOINED_AFTER_FOUNDING: &str = "member.joined_after_founding";
pub const RULE_JOINED_NOT_FUTURE: &str = "member.joined_not_future";
pub const RULE_CONVERSION_DATE: &str = "member.conversion_date";
pub const RULE_CONVERSION_AFTER_JOINING: &str = "member.conversion_after_joining";
pub const RULE_CONVERSION_NOT_FUTURE: &str = "member.conversion_not_future";

crate::code_list! {
    /// 党员类别.
    #[cfg_attr(feature = "schema", schema(as = MemberStatus))]
    pub enum Status: "党员类别" {
        /// 预备党员
        Probationary = "probationary", "预备党员";
        /// 正式党员
        Full = "full", "正式党员";
    }
}

crate::code_list! {
    /// 职业: the eight categories of the Party statistics.
    pub enum Occupation: "职业" {
        Worker = "worker", "工人（工勤技能人员）";
        Farmer = "farmer", "农牧渔民";
        Professional = "professional", "专业技术人员";
        Manager = "manager", "管理人员";
        Official = "official", "党政机关工作人员";
        Student = "student", "学生";
        Other = "other", "其他职业";
        Retired = "retired", "离退休人员";
    }
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
        push("birth_date", RULE_BIRTH_DATE, "出生日期不能晚于今天".into());
    }
    if joined < party_founded() {
        push("joined_on", RULE_JOINED_AFTER_FOUNDING, "入党日期不能早于1921年7月1日".into());
    }
    if joined > today {
        push("joined_on", RULE_JOINED_NOT_FUTURE, "入党日期不能晚于今天".into());
    }
    let adult = birthday(birth, MIN_AGE_YEARS);
    if joined < adult {
        push("joined_on", RULE_MIN_AGE, format!("入党时应年满十八周岁（{adult} 起），入党日期早于十八岁生日"));
    }
    match (status, converted) {
        (Status::Full, None) => push("converted_on", RULE_CONVERSION_DATE, "正式党员须填写转正日期".into()),
        (Status::Probationary, Some(_)) => push("converted_on", RULE_CONVERSION_DATE, "预备党员不应有转正日期".into()),
        (_, Some(c)) if c <= joined => {
            push("converted_on", RULE_CONVERSION_AFTER_JOINING, "转正日期须晚于入党日期".into())
        }
        (_, Some(c)) if c > today => push("converted_on", RULE_CONVERSION_NOT_FUTURE, "转正日期不能晚于今天".into()),
        _ => {}
    }
    problems
}

/// The probation of a member admitted on `joined` (the branch general meeting's date): it ends
/// `recruit.probation_years` later, and can run at most until `latest`, after the extensions
/// `recruit.extension_max_count` × `recruit.extension_max_months` allow.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Probation {
    pub ends: NaiveDate,
    pub latest: NaiveDate,
}

pub fn probation(book: &RuleBook, joined: NaiveDate) -> Result<Probation, RuleError> {
    let out_of_range = || RuleError::NotInForce { rule: RULE_PROBATION.into(), date: joined };
    let years = book.count(RULE_PROBATION, joined)?;
    let ends = add_months(joined, years.saturating_mul(12)).ok_or_else(out_of_range)?;
    let max_months = book.count(RULE_EXTENSION_MAX, ends)?;
    // Before the count was written down (2014), the constitution's "延长预备期，但不能超过一年"
    // bounds the whole extension by the months alone.
    let count = match book.count(RULE_EXTENSION_COUNT, ends) {
        Err(RuleError::NotInForce { .. }) => 1,
        other => other?,
    };
    let latest = add_months(ends, max_months.saturating_mul(count)).ok_or_else(out_of_range)?;
    Ok(Probation { ends, latest })
}

/// Checks a conversion date against the probation: not before it ends, not after the longest
/// extension would end.
pub fn check_conversion(
    book: &RuleBook,
    joined: NaiveDate,
    converted: NaiveDate,
) -> Result<Option<DateProblem>, RuleError> {
    let p = probation(book, joined)?;
    let problem = if converted < p.ends {
        Some(DateProblem {
            field: "converted_on",
            rule: RULE_PROBATION,
            message: format!("转正日期早于预备期满之日（{}）：预备期从支部大会通过之日算起", p.ends),
        })
    } else if converted > p.latest {
        Some(DateProblem {
            field: "converted_on",
            rule: RULE_EXTENSION_MAX,
            message: format!("转正日期晚于预备期（含延长）最长可到的{}：预备期延长不能超过一年", p.latest),
        })
    } else {
        None
    };
    Ok(problem)
}

/// A probationary member whose probation ended before `today` without a conversion: the branch
/// owes a decision (转正、延长或取消资格). Answers the day the probation ended.
pub fn probation_overdue(book: &RuleBook, joined: NaiveDate, today: NaiveDate) -> Result<Option<NaiveDate>, RuleError> {
    let p = probation(book, joined)?;
    Ok((today > p.ends).then_some(p.ends))
}

#[cfg(test)]
mod tests {
    use super::*;

    use crate::dates::ymd as d;
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

    fn book() -> RuleBook {
        RuleBook::builtin().unwrap()
    }

    #[test]
    fn conversion_follows_the_probation_rules() {
        // recruit.probation_years (one year from the admission meeting), recruit.extension_max_months
        // and recruit.extension_max_count (one extension of at most 12 months).
        let b = book();
        let joined = d(2024, 3, 15);
        assert_eq!(probation(&b, joined).unwrap(), Probation { ends: d(2025, 3, 15), latest: d(2026, 3, 15) });
        let early = check_conversion(&b, joined, d(2025, 3, 14)).unwrap().unwrap();
        assert_eq!((early.field, early.rule), ("converted_on", "recruit.probation_years"));
        assert!(early.message.contains("2025-03-15"));
        assert_eq!(check_conversion(&b, joined, d(2025, 3, 15)).unwrap(), None);
        assert_eq!(check_conversion(&b, joined, d(2025, 9, 15)).unwrap(), None, "extended six months");
        assert_eq!(check_conversion(&b, joined, d(2026, 3, 15)).unwrap(), None, "extended twelve months");
        let late = check_conversion(&b, joined, d(2026, 3, 16)).unwrap().unwrap();
        assert_eq!(late.rule, "recruit.extension_max_months");
        // Admitted before the extension count was written down (2014): the months alone bound it.
        let old = probation(&b, d(1990, 7, 1)).unwrap();
        assert_eq!((old.ends, old.latest), (d(1991, 7, 1), d(1992, 7, 1)));
    }

    #[test]
    fn a_probation_past_its_end_is_overdue() {
        let b = book();
        assert_eq!(probation_overdue(&b, d(2025, 11, 29), today()).unwrap(), None);
        assert_eq!(probation_overdue(&b, d(2025, 11, 28), today()).unwrap(), Some(d(2026, 11, 28)));
        assert_eq!(probation_overdue(&b, d(2025, 11, 30), today()).unwrap(), None);
    }
}
