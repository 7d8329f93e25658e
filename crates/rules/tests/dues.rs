//! Party dues (党费): bands at every edge, fixed amounts, rounding, arrears, payment windows, input errors.

mod common;
use common::{book, d, override_of};
use dangwu_rules::book::Override;
use dangwu_rules::dates::YearMonth;
use dangwu_rules::dues::*;
use dangwu_rules::{CalcError, Level, RuleBook, RuleError};

fn ym(y: i32, m: u32) -> YearMonth {
    YearMonth::new(y, m).unwrap()
}

fn fee(b: &RuleBook, cat: DuesCategory, base_fen: i64) -> i64 {
    monthly_dues(b, cat, DuesBase::Monthly(base_fen), ym(2026, 3)).unwrap().amount_fen
}

#[test]
fn dues_employed_bands_at_every_edge() {
    // Rule dues.employed.bands (中组发〔2008〕3号 第二条): whole base, bands include their upper bound.
    let b = book();
    let e = DuesCategory::Employed;
    assert_eq!(fee(&b, e, 0), 0);
    assert_eq!(fee(&b, e, 300000), 1500); // 3000.00 × 0.5% = 15.00
    assert_eq!(fee(&b, e, 300001), 3000); // 3000.01 × 1% = 30.0001 → 30.00
    assert_eq!(fee(&b, e, 500000), 5000); // 5000.00 × 1% = 50.00
    assert_eq!(fee(&b, e, 500001), 7500); // 5000.01 × 1.5% = 75.00015 → 75.00
    assert_eq!(fee(&b, e, 1000000), 15000); // 10000.00 × 1.5% = 150.00
    assert_eq!(fee(&b, e, 1000001), 20000); // 10000.01 × 2% = 200.0002 → 200.00
    let a = monthly_dues(&b, e, DuesBase::Monthly(300000), ym(2026, 3)).unwrap();
    assert_eq!(a.band.unwrap().index, 1);
    assert_eq!(a.rate_text.as_deref(), Some("0.5%"));
    assert_eq!(a.amount_text, "15.00元");
    assert!(a.explanation.contains("3000.00元以下（含）"), "{}", a.explanation);
    let a = monthly_dues(&b, e, DuesBase::Monthly(300001), ym(2026, 3)).unwrap();
    assert_eq!(a.band.unwrap().index, 2);
    assert!(a.explanation.contains("3000.00元以上至5000.00元（含）"), "{}", a.explanation);
    assert!(a.rules.contains(&"dues.employed.bands"));
}

#[test]
fn dues_retired_bands_whole_base() {
    // Rule dues.retired.bands (第五条): a retiree with 5000 元 pays 25 元 (not marginal); 5000.01 → 1%.
    let b = book();
    assert_eq!(fee(&b, DuesCategory::Retired, 500000), 2500);
    assert_eq!(fee(&b, DuesCategory::Retired, 500001), 5000);
    assert_eq!(fee(&b, DuesCategory::Retired, 1000000), 10000);
}

#[test]
fn annual_salary_and_irregular_income_use_employed_bands() {
    // dues.employed.bands applies to 年薪制 (第三条) and 收入不固定 (第四条, previous quarter's average).
    let b = book();
    assert_eq!(fee(&b, DuesCategory::AnnualSalary, 1200000), 24000);
    let q = |a, bb, c| {
        monthly_dues(&b, DuesCategory::IrregularIncome, DuesBase::PreviousQuarter([a, bb, c]), ym(2026, 4)).unwrap()
    };
    // Average exactly 3000.00 → 0.5%.
    assert_eq!(q(200000, 300000, 400000).amount_fen, 1500);
    // Average 3000.0067 (not rounded first) → 1%.
    let r = q(300000, 300000, 300002);
    assert_eq!(r.band.unwrap().index, 2);
    assert_eq!(r.amount_fen, 3000);
    assert_eq!(r.base_fen, Some(300001));
}

#[test]
fn fixed_amounts_dues_farmer_and_dues_relief() {
    // Rules dues.farmer.monthly_fen (local default 0.2 元, 0.2–1 元 by province) and dues.relief.monthly_fen (0.2 元).
    let mut b = book();
    let farmer = monthly_dues(&b, DuesCategory::Farmer, DuesBase::None, ym(2026, 3)).unwrap();
    assert_eq!((farmer.amount_fen, farmer.fixed), (20, true));
    assert_eq!(monthly_dues(&b, DuesCategory::Relief, DuesBase::None, ym(2026, 3)).unwrap().amount_fen, 20);
    b.apply_overrides(&[Override { from: Some(d(2026, 1, 1)), ..override_of("dues.farmer.monthly_fen", 100) }])
        .unwrap();
    assert_eq!(monthly_dues(&b, DuesCategory::Farmer, DuesBase::None, ym(2026, 3)).unwrap().amount_fen, 100);
    assert_eq!(monthly_dues(&b, DuesCategory::Farmer, DuesBase::None, ym(2025, 12)).unwrap().amount_fen, 20);
    // dues.relief.monthly_fen is confirmed: no override.
    assert!(b.apply_overrides(&[override_of("dues.relief.monthly_fen", 10)]).is_err());
}

#[test]
fn dues_rounding_mode_and_dues_rounding_unit() {
    // Rules dues.rounding.mode (half_up) and dues.rounding.unit (fen), both local defaults.
    let mut b = book();
    assert_eq!(fee(&b, DuesCategory::Employed, 333333), 3333); // 33.3333 → 33.33
    assert_eq!(fee(&b, DuesCategory::Employed, 300050), 3001); // 30.005 → 30.01 (half up)
    b.apply_overrides(&[override_of("dues.rounding.mode", "up"), override_of("dues.rounding.unit", "jiao")]).unwrap();
    assert_eq!(fee(&b, DuesCategory::Employed, 333333), 3340); // 33.3333 → 33.4 (up to 角)
    let mut down = book();
    down.apply_overrides(&[override_of("dues.rounding.mode", "down")]).unwrap();
    assert_eq!(fee(&down, DuesCategory::Employed, 300050), 3000);
    let r = rounding(&b, d(2026, 1, 1)).unwrap();
    assert_eq!((r.mode, r.unit), (RoundingMode::Up, RoundingUnit::Jiao));
}

#[test]
fn dues_before_2008_rules_are_not_in_force() {
    let err = monthly_dues(&book(), DuesCategory::Employed, DuesBase::Monthly(100000), ym(2008, 3)).unwrap_err();
    assert!(matches!(err, CalcError::Rule { error: RuleError::NotInForce { .. } }));
    assert!(monthly_dues(&book(), DuesCategory::Employed, DuesBase::Monthly(100000), ym(2008, 4)).is_ok());
}

#[test]
fn request_validation_gives_field_and_chinese_reason() {
    let b = book();
    let req = |cat: &str, month: &str, base: Option<i64>| DuesRequest {
        category: cat.into(),
        month: month.into(),
        base_fen: base,
        quarter_income_fen: None,
    };
    let err = calculate(&b, &req("pensioner", "2026-03", Some(1))).unwrap_err();
    assert_eq!(err.fields()[0].field, "category");
    assert!(err.fields()[0].reason.contains("未知的党员类别"));
    let err = calculate(&b, &req("employed", "2026-03", Some(-1))).unwrap_err();
    assert_eq!(err.fields()[0].field, "base_fen");
    assert!(err.fields()[0].reason.contains("负数"));
    let err = calculate(&b, &req("employed", "1921-06", Some(1))).unwrap_err();
    assert_eq!(err.fields()[0].field, "month");
    assert!(err.fields()[0].reason.contains("1921"));
    let err = calculate(&b, &req("employed", "March", Some(1))).unwrap_err();
    assert_eq!(err.fields()[0].field, "month");
    let err = calculate(&b, &req("employed", "2026-03", None)).unwrap_err();
    assert_eq!(err.fields()[0].field, "base_fen");
    // Several bad fields are reported together.
    let err = calculate(&b, &req("x", "bad", None)).unwrap_err();
    assert_eq!(err.fields().len(), 2);
    let q = DuesRequest {
        category: "irregular_income".into(),
        month: "2026-04".into(),
        base_fen: None,
        quarter_income_fen: Some(vec![1, -2, 3]),
    };
    assert_eq!(calculate(&b, &q).unwrap_err().fields()[0].field, "quarter_income_fen[1]");
    let q = DuesRequest { quarter_income_fen: Some(vec![1, 2]), ..q };
    assert_eq!(calculate(&b, &q).unwrap_err().fields()[0].field, "quarter_income_fen");
    // Fixed categories ignore a base.
    assert_eq!(calculate(&b, &req("relief", "2026-03", Some(999999))).unwrap().amount_fen, 20);
    // Valid request from JSON.
    let r: DuesRequest =
        serde_json::from_str(r#"{"category":"employed","month":"2026-03","base_fen":300001}"#).unwrap();
    let v = serde_json::to_value(calculate(&b, &r).unwrap()).unwrap();
    assert_eq!(v["amount_fen"], 3000);
    assert_eq!(v["month"], "2026-03");
    assert_eq!(v["category"], "employed");
    assert_eq!(v["band"]["rate_bp"], 100);
}

#[test]
fn arrears_reminder_at_three_dues_arrears_reminder_months() {
    // Rule dues.arrears_reminder_months (local): 3 unpaid months in a row → warning; 2 → nothing.
    let b = book();
    let paid = [ym(2026, 1), ym(2026, 2)];
    let r = arrears(&b, ym(2026, 1), &paid, d(2026, 5, 20)).unwrap();
    assert_eq!((r.due_months, r.consecutive_unpaid), (4, 2));
    assert!(r.checks.is_empty());
    let r = arrears(&b, ym(2026, 1), &paid, d(2026, 6, 1)).unwrap();
    assert_eq!(r.consecutive_unpaid, 3);
    assert_eq!(r.checks[0].rule, "dues.arrears_reminder_months");
    assert_eq!(r.checks[0].level, Level::Warning);
}

#[test]
fn dues_lapse_months_six_in_a_row() {
    // Rule dues.lapse_months (党章 第九条): six unpaid months in a row; five only reminds.
    let b = book();
    let paid = [ym(2026, 1), ym(2026, 2)];
    let five = arrears(&b, ym(2026, 1), &paid, d(2026, 8, 31)).unwrap();
    assert_eq!(five.consecutive_unpaid, 5);
    assert_eq!(five.checks[0].rule, "dues.arrears_reminder_months");
    let six = arrears(&b, ym(2026, 1), &paid, d(2026, 9, 1)).unwrap();
    assert_eq!(six.consecutive_unpaid, 6);
    assert_eq!(six.checks[0].rule, "dues.lapse_months");
    assert_eq!(six.checks[0].level, Level::Error);
    assert!(six.checks[0].message.contains("支部大会"));
    // A payment breaks the run.
    let broken = arrears(&b, ym(2026, 1), &[ym(2026, 1), ym(2026, 2), ym(2026, 5)], d(2026, 9, 1)).unwrap();
    assert_eq!((broken.consecutive_unpaid, broken.longest_unpaid_run), (3, 3));
}

#[test]
fn dues_back_pay_max_months_window() {
    // Rule dues.back_pay_max_months (6): as of July 2026, January is payable, December 2025 is not.
    let b = book();
    let r = arrears(&b, ym(2025, 12), &[], d(2026, 7, 10)).unwrap();
    assert_eq!(r.beyond_back_pay, vec![ym(2025, 12)]);
    assert_eq!(r.back_payable.first(), Some(&ym(2026, 1)));
    assert!(r.checks.iter().any(|c| c.rule == "dues.back_pay_max_months"));
    let t = payment_timing(&b, ym(2026, 1), d(2026, 7, 31)).unwrap();
    assert_eq!((t.kind, t.months_late, t.allowed), (PaymentKind::BackPayment, 6, true));
    let t = payment_timing(&b, ym(2026, 1), d(2026, 8, 1)).unwrap();
    assert!(!t.allowed);
    assert_eq!(payment_timing(&b, ym(2026, 1), d(2026, 1, 31)).unwrap().kind, PaymentKind::OnTime);
}

#[test]
fn dues_prepay_max_months_window() {
    // Rule dues.prepay_max_months (secondary, 6): prepaying December in June is fine, January next year is not.
    let b = book();
    let t = payment_timing(&b, ym(2026, 12), d(2026, 6, 1)).unwrap();
    assert_eq!((t.kind, t.allowed), (PaymentKind::Prepayment, true));
    assert!(!payment_timing(&b, ym(2027, 1), d(2026, 6, 30)).unwrap().allowed);
}

#[test]
fn dues_voluntary_to_centre_fen_threshold() {
    // Rule dues.voluntary_to_centre_fen (第十一条): one-time 1000 元 or more goes to the Centre.
    let b = book();
    assert!(!voluntary_payment(&b, 99999, d(2026, 3, 1)).unwrap().to_centre);
    assert!(voluntary_payment(&b, 100000, d(2026, 3, 1)).unwrap().to_centre);
    assert_eq!(voluntary_payment(&b, 0, d(2026, 3, 1)).unwrap_err().fields()[0].field, "amount_fen");
}

#[test]
fn arrears_input_errors() {
    let b = book();
    let err = arrears(&b, ym(2026, 8), &[], d(2026, 7, 1)).unwrap_err();
    assert_eq!(err.fields()[0].field, "first_month");
    assert!(err.fields()[0].reason.contains("晚于"));
    let err = arrears(&b, ym(1920, 1), &[], d(2026, 7, 1)).unwrap_err();
    assert_eq!(err.fields()[0].field, "first_month");
    let err = payment_timing(&b, ym(2026, 1), d(1900, 1, 1)).unwrap_err();
    assert_eq!(err.fields()[0].field, "paid_on");
}

#[test]
fn categories_round_trip() {
    for c in DuesCategory::ALL {
        assert_eq!(DuesCategory::from_code(c.code()), Some(c));
        assert_eq!(c.code().parse::<DuesCategory>(), Ok(c));
    }
    assert!("worker".parse::<DuesCategory>().is_err());
}
