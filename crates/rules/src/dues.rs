//! Party dues (党费): monthly amount by member category and band, rounding, arrears and the
//! six-month lapse warning, back payment and prepayment windows, large voluntary payments.
//! Money is integer fen (分); rates are basis points (万分之).

use std::fmt;
use std::str::FromStr;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::book::{Band, RuleBook, RuleError, RuleValue, format_rate};
use crate::check::{CalcError, Check, Invalid, Level};
use crate::dates::{YearMonth, check_input_date};

pub const RULE_EMPLOYED_BANDS: &str = "dues.employed.bands";
pub const RULE_RETIRED_BANDS: &str = "dues.retired.bands";
pub const RULE_FARMER_AMOUNT: &str = "dues.farmer.monthly_fen";
pub const RULE_RELIEF_AMOUNT: &str = "dues.relief.monthly_fen";
pub const RULE_VOLUNTARY_TO_CENTRE: &str = "dues.voluntary_to_centre_fen";
pub const RULE_BACK_PAY_MAX: &str = "dues.back_pay_max_months";
pub const RULE_PREPAY_MAX: &str = "dues.prepay_max_months";
pub const RULE_LAPSE: &str = "dues.lapse_months";
pub const RULE_ARREARS_REMINDER: &str = "dues.arrears_reminder_months";
pub const RULE_ROUNDING_MODE: &str = "dues.rounding.mode";
pub const RULE_ROUNDING_UNIT: &str = "dues.rounding.unit";

/// Member categories for dues (党费交纳类别).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DuesCategory {
    /// 在职党员: base = monthly pay after tax, fixed and variable parts (第一、二条).
    Employed,
    /// 离退休党员: base = basic retirement pay / basic pension actually received (第五条).
    Retired,
    /// 农民党员: fixed amount set by the province (第六条).
    Farmer,
    /// 学生、下岗失业、依靠抚恤或救济生活、领取最低生活保障金的党员: fixed 0.2 元 (第六条).
    Relief,
    /// 实行年薪制的党员: base = pay actually received that month, employed bands (第三条).
    AnnualSalary,
    /// 收入不固定的党员（个体、灵活就业等）: base = average monthly net income of the previous quarter
    /// (第四条), employed bands.
    IrregularIncome,
}

impl DuesCategory {
    pub const ALL: [DuesCategory; 6] = [
        DuesCategory::Employed,
        DuesCategory::Retired,
        DuesCategory::Farmer,
        DuesCategory::Relief,
        DuesCategory::AnnualSalary,
        DuesCategory::IrregularIncome,
    ];

    pub fn code(self) -> &'static str {
        match self {
            DuesCategory::Employed => "employed",
            DuesCategory::Retired => "retired",
            DuesCategory::Farmer => "farmer",
            DuesCategory::Relief => "relief",
            DuesCategory::AnnualSalary => "annual_salary",
            DuesCategory::IrregularIncome => "irregular_income",
        }
    }

    pub fn from_code(code: &str) -> Option<DuesCategory> {
        DuesCategory::ALL.into_iter().find(|c| c.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            DuesCategory::Employed => "在职党员",
            DuesCategory::Retired => "离退休党员",
            DuesCategory::Farmer => "农民党员",
            DuesCategory::Relief => "学生、下岗失业、依靠抚恤救济或领取低保的党员",
            DuesCategory::AnnualSalary => "实行年薪制的党员",
            DuesCategory::IrregularIncome => "收入不固定的党员",
        }
    }

    /// The rule that sets the amount: a band rule or a fixed-amount rule.
    pub fn rule(self) -> &'static str {
        match self {
            DuesCategory::Employed | DuesCategory::AnnualSalary | DuesCategory::IrregularIncome => RULE_EMPLOYED_BANDS,
            DuesCategory::Retired => RULE_RETIRED_BANDS,
            DuesCategory::Farmer => RULE_FARMER_AMOUNT,
            DuesCategory::Relief => RULE_RELIEF_AMOUNT,
        }
    }

    /// Whether the amount is a percentage of a base (else a fixed amount).
    pub fn uses_base(self) -> bool {
        !matches!(self, DuesCategory::Farmer | DuesCategory::Relief)
    }
}

/// 取整方式.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingMode {
    /// 四舍五入
    HalfUp,
    /// 舍去
    Down,
    /// 进位
    Up,
}

/// 取整到.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RoundingUnit {
    Fen,
    Jiao,
    Yuan,
}

impl RoundingUnit {
    pub fn fen(self) -> i64 {
        match self {
            RoundingUnit::Fen => 1,
            RoundingUnit::Jiao => 10,
            RoundingUnit::Yuan => 100,
        }
    }
}

#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
pub struct Rounding {
    pub mode: RoundingMode,
    pub unit: RoundingUnit,
}

impl Rounding {
    /// Rounds the exact amount `num / den` fen (num ≥ 0, den > 0) to whole units.
    pub fn apply(self, num: i128, den: i128) -> i64 {
        let unit = i128::from(self.unit.fen());
        let d = den * unit;
        let q = num / d;
        let r = num % d;
        let units = match self.mode {
            RoundingMode::Down => q,
            RoundingMode::Up => q + i128::from(r > 0),
            RoundingMode::HalfUp => q + i128::from(2 * r >= d),
        };
        i64::try_from(units * unit).unwrap_or(i64::MAX)
    }
}

/// The rounding rule in force on `on` (dues.rounding.mode, dues.rounding.unit).
pub fn rounding(book: &RuleBook, on: NaiveDate) -> Result<Rounding, RuleError> {
    let mode = match book.choice(RULE_ROUNDING_MODE, on)? {
        "down" => RoundingMode::Down,
        "up" => RoundingMode::Up,
        _ => RoundingMode::HalfUp,
    };
    let unit = match book.choice(RULE_ROUNDING_UNIT, on)? {
        "jiao" => RoundingUnit::Jiao,
        "yuan" => RoundingUnit::Yuan,
        _ => RoundingUnit::Fen,
    };
    Ok(Rounding { mode, unit })
}

/// Fen as yuan with two decimals: 300001 → "3000.01".
pub fn format_yuan(fen: i64) -> String {
    let sign = if fen < 0 { "-" } else { "" };
    let a = fen.unsigned_abs();
    format!("{sign}{}.{:02}", a / 100, a % 100)
}

/// Parses a yuan amount with at most two decimals ("3000", "3000.5", "3000.01") into fen.
pub fn parse_yuan(text: &str) -> Option<i64> {
    let t = text.trim();
    let (neg, t) = match t.strip_prefix('-') {
        Some(rest) => (true, rest),
        None => (false, t),
    };
    let (whole, frac) = t.split_once('.').unwrap_or((t, ""));
    if whole.is_empty()
        || !whole.bytes().all(|b| b.is_ascii_digit())
        || frac.len() > 2
        || !frac.bytes().all(|b| b.is_ascii_digit())
    {
        return None;
    }
    let whole: i64 = whole.parse().ok()?;
    let frac: i64 = if frac.is_empty() { 0 } else { format!("{frac:0<2}").parse().ok()? };
    let fen = whole.checked_mul(100)?.checked_add(frac)?;
    Some(if neg { -fen } else { fen })
}

/// The base a percentage is computed on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DuesBase {
    /// Fixed-amount categories.
    None,
    /// Monthly base in fen (after tax).
    Monthly(i64),
    /// Monthly net incomes of the previous quarter, in fen; the base is their average.
    PreviousQuarter([i64; 3]),
}

/// The band a base fell into.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BandUsed {
    /// 1-based position in the rule's band list.
    pub index: usize,
    pub up_to_fen: Option<i64>,
    pub rate_bp: i64,
}

/// A computed monthly amount, with how it was found.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DuesAmount {
    pub category: DuesCategory,
    pub category_label: &'static str,
    /// `YYYY-MM`.
    #[cfg_attr(feature = "schema", schema(value_type = String, example = "2026-03"))]
    pub month: YearMonth,
    /// The base used, in fen (for a quarter average: rounded to the fen for display; the amount is
    /// computed on the exact average).
    pub base_fen: Option<i64>,
    pub band: Option<BandUsed>,
    pub rate_text: Option<String>,
    pub amount_fen: i64,
    pub amount_text: String,
    pub fixed: bool,
    pub rounding: Option<Rounding>,
    /// Rules applied.
    pub rules: Vec<&'static str>,
    /// Chinese explanation for the UI.
    pub explanation: String,
}

/// Picks the band for the exact base `num / den` fen: the first band whose `up_to_fen` is at least the
/// base (bands include their upper bound: 3000.00 元 is in the ≤3000 band, 3000.01 元 in the next).
pub fn band_for(bands: &[Band], num: i128, den: i128) -> Option<(usize, Band)> {
    bands
        .iter()
        .enumerate()
        .find(|(_, b)| b.up_to_fen.is_none_or(|up| num <= i128::from(up) * den))
        .map(|(i, b)| (i + 1, *b))
}

/// Monthly dues for `category` in `month`, with the rules in force on the month's first day. Rules
/// applied: dues.employed.bands (在职/年薪制/收入不固定: ≤3000 0.5%, ≤5000 1%, ≤10000 1.5%, >10000 2%
/// of the whole base), dues.retired.bands (≤5000 0.5%, >5000 1%), dues.farmer.monthly_fen (local
/// default 0.2 元), dues.relief.monthly_fen (0.2 元), dues.rounding.mode / dues.rounding.unit.
pub fn monthly_dues(
    book: &RuleBook,
    category: DuesCategory,
    base: DuesBase,
    month: YearMonth,
) -> Result<DuesAmount, CalcError> {
    let mut inv = Invalid::default();
    if let Err(r) = check_input_date(month.first_day()) {
        inv.push("month", r);
    }
    match (category.uses_base(), base) {
        (true, DuesBase::None) => inv.push("base_fen", "须填写计算党费的月收入基数（税后，单位：分）"),
        (true, DuesBase::Monthly(b)) if b < 0 => inv.push("base_fen", "党费基数不能为负数"),
        (true, DuesBase::PreviousQuarter(q)) => {
            for (i, v) in q.iter().enumerate() {
                if *v < 0 {
                    inv.push(format!("quarter_income_fen[{i}]"), "月收入不能为负数");
                }
            }
        }
        _ => {}
    }
    inv.finish()?;

    let on = month.first_day();
    let rule = category.rule();
    if !category.uses_base() {
        let amount = book.int(rule, on)?;
        return Ok(DuesAmount {
            category,
            category_label: category.label(),
            month,
            base_fen: None,
            band: None,
            rate_text: None,
            amount_fen: amount,
            amount_text: format!("{}元", format_yuan(amount)),
            fixed: true,
            rounding: None,
            rules: vec![rule],
            explanation: format!("{}每月交纳党费{}元", category.label(), format_yuan(amount)),
        });
    }
    let (num, den): (i128, i128) = match base {
        DuesBase::Monthly(b) => (i128::from(b), 1),
        DuesBase::PreviousQuarter(q) => (q.iter().map(|v| i128::from(*v)).sum(), 3),
        DuesBase::None => unreachable!("validated above"),
    };
    let bands = book.bands(rule, on)?;
    let (index, band) = band_for(bands, num, den)
        .ok_or_else(|| RuleError::WrongType { rule: rule.into(), expected: "分档比例" })?;
    let rounding = rounding(book, on)?;
    let amount = rounding.apply(num * i128::from(band.rate_bp), den * 10_000);
    let base_display = Rounding { mode: RoundingMode::HalfUp, unit: RoundingUnit::Fen }.apply(num, den);
    let band_text = match band.up_to_fen {
        Some(up) if index == 1 => format!("{}元以下（含）", format_yuan(up)),
        Some(up) => {
            format!("{}元以上至{}元（含）", format_yuan(bands[index - 2].up_to_fen.unwrap_or(0)), format_yuan(up))
        }
        None => {
            format!("{}元以上", format_yuan(bands.get(index.wrapping_sub(2)).and_then(|b| b.up_to_fen).unwrap_or(0)))
        }
    };
    let base_word = match category {
        DuesCategory::Retired => "基本离退休费",
        DuesCategory::IrregularIncome => "上季度月平均纯收入",
        DuesCategory::AnnualSalary => "当月实际领取的薪酬",
        _ => "月工资收入（税后）",
    };
    let rate_text = format_rate(band.rate_bp);
    Ok(DuesAmount {
        category,
        category_label: category.label(),
        month,
        base_fen: Some(base_display),
        band: Some(BandUsed { index, up_to_fen: band.up_to_fen, rate_bp: band.rate_bp }),
        rate_text: Some(rate_text.clone()),
        amount_fen: amount,
        amount_text: format!("{}元", format_yuan(amount)),
        fixed: false,
        rounding: Some(rounding),
        rules: vec![rule, RULE_ROUNDING_MODE, RULE_ROUNDING_UNIT],
        explanation: format!(
            "{base_word}{}元，属于{band_text}档，按全额的{rate_text}交纳：{}元",
            format_yuan(base_display),
            format_yuan(amount)
        ),
    })
}

/// Request body of `POST /api/v1/calc/dues`:
/// `{"category": "employed", "month": "2026-03", "base_fen": 300000}`; for `irregular_income`
/// either `base_fen` or `quarter_income_fen: [a, b, c]`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DuesRequest {
    pub category: String,
    pub month: String,
    #[serde(default)]
    pub base_fen: Option<i64>,
    #[serde(default)]
    pub quarter_income_fen: Option<Vec<i64>>,
}

/// Validates a [`DuesRequest`] (unknown category, bad month, negative base, …: field errors in
/// Chinese) and computes the amount with [`monthly_dues`].
pub fn calculate(book: &RuleBook, req: &DuesRequest) -> Result<DuesAmount, CalcError> {
    let mut inv = Invalid::default();
    let category = DuesCategory::from_code(req.category.trim());
    if category.is_none() {
        let codes: Vec<&str> = DuesCategory::ALL.iter().map(|c| c.code()).collect();
        inv.push("category", format!("未知的党员类别“{}”，应为：{}", req.category, codes.join("、")));
    }
    let month = req.month.parse::<YearMonth>();
    if let Err(r) = &month {
        inv.push("month", r.clone());
    }
    let base = match (&req.quarter_income_fen, req.base_fen) {
        (Some(q), _) => {
            if category != Some(DuesCategory::IrregularIncome) {
                inv.push("quarter_income_fen", "仅收入不固定的党员按上季度月平均收入计算");
                DuesBase::None
            } else if q.len() != 3 {
                inv.push("quarter_income_fen", "须填写上季度3个月的收入");
                DuesBase::None
            } else {
                DuesBase::PreviousQuarter([q[0], q[1], q[2]])
            }
        }
        (None, Some(b)) => DuesBase::Monthly(b),
        (None, None) => DuesBase::None,
    };
    inv.finish()?;
    let category = category.expect("validated");
    // Fixed-amount categories ignore any base given.
    let base = if category.uses_base() { base } else { DuesBase::None };
    monthly_dues(book, category, base, month.expect("validated"))
}

/// Arrears of one member as of a date.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ArrearsReport {
    pub as_of: NaiveDate,
    /// Months that were due (from the first month to the month before `as_of`).
    pub due_months: u32,
    pub unpaid: Vec<YearMonth>,
    /// Unpaid months in a row up to the month before `as_of`.
    pub consecutive_unpaid: u32,
    pub longest_unpaid_run: u32,
    /// Unpaid months still inside the back-payment window.
    pub back_payable: Vec<YearMonth>,
    /// Unpaid months beyond the back-payment window.
    pub beyond_back_pay: Vec<YearMonth>,
    pub checks: Vec<Check>,
}

/// Arrears from `first_month` (e.g. the month of the admission meeting: probationary members pay from
/// then) up to the month before `as_of` (the current month is not yet overdue). Rules applied:
/// dues.arrears_reminder_months (reminder at 3 months in a row, local), dues.lapse_months (6 months
/// in a row without good reason: 自行脱党 — the platform only warns; the general meeting decides),
/// dues.back_pay_max_months (back payment up to 6 months).
pub fn arrears(
    book: &RuleBook,
    first_month: YearMonth,
    paid: &[YearMonth],
    as_of: NaiveDate,
) -> Result<ArrearsReport, CalcError> {
    let mut inv = Invalid::default();
    if let Err(r) = check_input_date(first_month.first_day()) {
        inv.push("first_month", r);
    }
    if let Err(r) = check_input_date(as_of) {
        inv.push("as_of", r);
    }
    if first_month > YearMonth::of(as_of) {
        inv.push("first_month", "起始月份晚于计算日期");
    }
    inv.finish()?;
    let current = YearMonth::of(as_of);
    let mut unpaid = Vec::new();
    let mut run = 0u32;
    let mut longest = 0u32;
    let mut m = first_month;
    let mut due = 0u32;
    while m < current {
        due += 1;
        if paid.contains(&m) {
            run = 0;
        } else {
            unpaid.push(m);
            run += 1;
            longest = longest.max(run);
        }
        m = m.next();
    }
    let back_max = i64::from(book.count(RULE_BACK_PAY_MAX, as_of)?);
    let (back_payable, beyond_back_pay): (Vec<YearMonth>, Vec<YearMonth>) =
        unpaid.iter().partition(|u| u.months_until(current) <= back_max);
    let mut checks = Vec::new();
    let lapse = book.resolve(RULE_LAPSE, as_of)?;
    let lapse_months = match lapse.value() {
        RuleValue::Integer(n) => u32::try_from(*n).unwrap_or(u32::MAX),
        _ => 6,
    };
    let reminder = book.count(RULE_ARREARS_REMINDER, as_of)?;
    if run >= lapse_months {
        checks.push(Check::new(
            Level::for_rule(&lapse, true),
            RULE_LAPSE,
            format!("已连续{run}个月未交纳党费；没有正当理由连续{lapse_months}个月不交纳党费的，按自行脱党处理，须由支部大会讨论决定并报上级党组织批准"),
        ));
    } else if run >= reminder {
        checks.push(Check::new(
            Level::Warning,
            RULE_ARREARS_REMINDER,
            format!("已连续{run}个月未交纳党费，请及时提醒；连续{lapse_months}个月不交纳的按自行脱党处理"),
        ));
    }
    if !beyond_back_pay.is_empty() {
        let months: Vec<String> = beyond_back_pay.iter().map(|m| m.to_string()).collect();
        checks.push(Check::new(
            Level::Warning,
            RULE_BACK_PAY_MAX,
            format!("{}的党费已超过{back_max}个月补交期限，须由支部研究处理", months.join("、")),
        ));
    }
    Ok(ArrearsReport {
        as_of,
        due_months: due,
        consecutive_unpaid: run,
        longest_unpaid_run: longest,
        back_payable,
        beyond_back_pay,
        unpaid,
        checks,
    })
}

/// Whether a payment for a month is on time, a back payment (补交) or a prepayment (预交).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum PaymentKind {
    OnTime,
    BackPayment,
    Prepayment,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PaymentTiming {
    pub kind: PaymentKind,
    /// Months between the month paid for and the month of payment (positive: late; negative: early).
    pub months_late: i64,
    pub allowed: bool,
    pub rule: Option<&'static str>,
    pub message: String,
}

/// Classifies a payment for `for_month` made on `paid_on`: back payment allowed up to
/// dues.back_pay_max_months (6) months late, prepayment up to dues.prepay_max_months (6, secondary)
/// months ahead.
pub fn payment_timing(book: &RuleBook, for_month: YearMonth, paid_on: NaiveDate) -> Result<PaymentTiming, CalcError> {
    let mut inv = Invalid::default();
    if let Err(r) = check_input_date(for_month.first_day()) {
        inv.push("for_month", r);
    }
    if let Err(r) = check_input_date(paid_on) {
        inv.push("paid_on", r);
    }
    inv.finish()?;
    let late = for_month.months_until(YearMonth::of(paid_on));
    if late == 0 {
        return Ok(PaymentTiming {
            kind: PaymentKind::OnTime,
            months_late: 0,
            allowed: true,
            rule: None,
            message: "按月交纳".into(),
        });
    }
    // Late: a back payment within its limit; early: a prepayment within its own.
    let (kind, rule, months) = if late > 0 {
        (PaymentKind::BackPayment, RULE_BACK_PAY_MAX, late)
    } else {
        (PaymentKind::Prepayment, RULE_PREPAY_MAX, -late)
    };
    let max = i64::from(book.count(rule, paid_on)?);
    let allowed = months <= max;
    let message = match (kind, allowed) {
        (PaymentKind::BackPayment, true) => format!("补交{months}个月前的党费（补交期限{max}个月）"),
        (PaymentKind::BackPayment, false) => format!("补交{months}个月前的党费，超过{max}个月的补交期限"),
        (_, true) => format!("预交{months}个月后的党费（预交一般不超过{max}个月）"),
        (_, false) => format!("预交{months}个月后的党费，超过一般不超过{max}个月的规定"),
    };
    Ok(PaymentTiming { kind, months_late: late, allowed, rule: Some(rule), message })
}

/// A voluntary extra payment (自愿多交党费).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VoluntaryPayment {
    pub amount_fen: i64,
    /// Goes wholly to the Centre (一次性1000元以上).
    pub to_centre: bool,
    pub rule: &'static str,
}

/// A one-time voluntary payment of at least 1000 元 goes wholly to the Centre
/// (dues.voluntary_to_centre_fen).
pub fn voluntary_payment(book: &RuleBook, amount_fen: i64, on: NaiveDate) -> Result<VoluntaryPayment, CalcError> {
    let mut inv = Invalid::default();
    if amount_fen <= 0 {
        inv.push("amount_fen", "金额应大于0");
    }
    if let Err(r) = check_input_date(on) {
        inv.push("paid_on", r);
    }
    inv.finish()?;
    let threshold = book.int(RULE_VOLUNTARY_TO_CENTRE, on)?;
    Ok(VoluntaryPayment { amount_fen, to_centre: amount_fen >= threshold, rule: RULE_VOLUNTARY_TO_CENTRE })
}

impl fmt::Display for DuesCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

impl FromStr for DuesCategory {
    type Err = String;

    fn from_str(s: &str) -> Result<DuesCategory, String> {
        DuesCategory::from_code(s.trim()).ok_or_else(|| format!("未知的党员类别“{s}”"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn yuan_round_trip() {
        assert_eq!(format_yuan(300001), "3000.01");
        assert_eq!(format_yuan(20), "0.20");
        assert_eq!(parse_yuan("3000.01"), Some(300001));
        assert_eq!(parse_yuan("3000.5"), Some(300050));
        assert_eq!(parse_yuan("3000"), Some(300000));
        assert_eq!(parse_yuan("-1.00"), Some(-100));
        assert_eq!(parse_yuan("1.001"), None);
        assert_eq!(parse_yuan("abc"), None);
    }

    #[test]
    fn rounding_modes() {
        let r = |mode, unit| Rounding { mode, unit };
        // 3000.01 元 × 1% = 30.0001 元 = 3000.01 fen
        assert_eq!(r(RoundingMode::HalfUp, RoundingUnit::Fen).apply(300001 * 100, 10_000), 3000);
        assert_eq!(r(RoundingMode::Up, RoundingUnit::Fen).apply(300001 * 100, 10_000), 3001);
        assert_eq!(r(RoundingMode::Down, RoundingUnit::Jiao).apply(305, 1), 300);
        assert_eq!(r(RoundingMode::HalfUp, RoundingUnit::Jiao).apply(305, 1), 310);
        assert_eq!(r(RoundingMode::HalfUp, RoundingUnit::Yuan).apply(149, 1), 100);
        assert_eq!(r(RoundingMode::HalfUp, RoundingUnit::Yuan).apply(150, 1), 200);
    }
}
