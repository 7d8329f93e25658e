//! The shapes of rule values: status, unit, frequency, ratio, dues bands, and the value itself.

use std::fmt;

use serde::{Deserialize, Serialize};

/// How far a rule's value has been verified (regulations.md status legend).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum RuleStatus {
    /// 已核实: read in a public copy of the regulation or an official Q&A (regulations.md "C").
    Confirmed,
    /// 二手来源: read only in a secondary write-up or local rule (regulations.md "S").
    Secondary,
    /// 本地默认: not found centrally; a local practice chosen as default (regulations.md "UNCONFIRMED").
    LocalDefault,
}

impl RuleStatus {
    pub fn label(self) -> &'static str {
        match self {
            RuleStatus::Confirmed => "已核实",
            RuleStatus::Secondary => "二手来源，待核实",
            RuleStatus::LocalDefault => "本地默认",
        }
    }

    /// Only rules that are not confirmed may be overridden by a deployment.
    pub fn overridable(self) -> bool {
        self != RuleStatus::Confirmed
    }
}

/// What a rule's value measures. The unit fixes the shape of the value in the pack.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Unit {
    /// 分 (0.01 元), integer.
    Fen,
    /// 名党员 (full and probationary), integer.
    Members,
    /// 名正式党员, integer.
    FullMembers,
    /// 个单位, integer.
    Units,
    Years,
    Months,
    Days,
    /// 个工作日 (see the working-day calendar).
    WorkingDays,
    /// 学时, integer.
    Hours,
    /// 次 / 人 / 个: a plain count.
    Count,
    /// 百分比, integer percent.
    Percent,
    /// 季度 1–4.
    Quarter,
    /// A fraction written `"1/2"`; the rule id says whether it is "more than" or "at most".
    Ratio,
    /// `"monthly" | "quarterly" | "half_yearly" | "yearly"`.
    Frequency,
    /// Rate bands `[{ up_to_fen = 300000, rate_bp = 50 }, …, { rate_bp = 200 }]`, applied to the whole base.
    Bands,
    /// One of the strings listed in `choices`.
    Choice,
    /// `true` / `false`: whether a check or an interpretation is switched on.
    Flag,
    /// A list of recruitment step numbers (1–25).
    Steps,
}

impl Unit {
    /// Units whose value is a TOML integer.
    pub fn is_integer(self) -> bool {
        matches!(
            self,
            Unit::Fen
                | Unit::Members
                | Unit::FullMembers
                | Unit::Units
                | Unit::Years
                | Unit::Months
                | Unit::Days
                | Unit::WorkingDays
                | Unit::Hours
                | Unit::Count
                | Unit::Percent
                | Unit::Quarter
        )
    }

    /// The Chinese unit word shown after a value.
    pub fn label(self) -> &'static str {
        match self {
            Unit::Fen => "分",
            Unit::Members => "名党员",
            Unit::FullMembers => "名正式党员",
            Unit::Units => "个单位",
            Unit::Years => "年",
            Unit::Months => "个月",
            Unit::Days => "天",
            Unit::WorkingDays => "个工作日",
            Unit::Hours => "学时",
            Unit::Count => "次",
            Unit::Percent => "%",
            Unit::Quarter => "季度",
            Unit::Ratio => "比例",
            Unit::Frequency => "频次",
            Unit::Bands => "分档比例",
            Unit::Choice => "选项",
            Unit::Flag => "开关",
            Unit::Steps => "步骤",
        }
    }
}

/// How often something is required (频次).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Frequency {
    /// 每月
    Monthly,
    /// 每季度
    Quarterly,
    /// 每半年
    HalfYearly,
    /// 每年
    Yearly,
}

impl Frequency {
    pub const ALL: [Frequency; 4] =
        [Frequency::Monthly, Frequency::Quarterly, Frequency::HalfYearly, Frequency::Yearly];

    pub fn code(self) -> &'static str {
        match self {
            Frequency::Monthly => "monthly",
            Frequency::Quarterly => "quarterly",
            Frequency::HalfYearly => "half_yearly",
            Frequency::Yearly => "yearly",
        }
    }

    pub fn from_code(code: &str) -> Option<Frequency> {
        Frequency::ALL.into_iter().find(|f| f.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            Frequency::Monthly => "每月",
            Frequency::Quarterly => "每季度",
            Frequency::HalfYearly => "每半年",
            Frequency::Yearly => "每年",
        }
    }

    /// Length of one window in months.
    pub fn months(self) -> u32 {
        match self {
            Frequency::Monthly => 1,
            Frequency::Quarterly => 3,
            Frequency::HalfYearly => 6,
            Frequency::Yearly => 12,
        }
    }
}

/// A fraction such as 1/2 or 1/3.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Ratio {
    pub num: u32,
    pub den: u32,
}

impl Ratio {
    /// Whether `part / whole` is strictly more than this ratio (过半数 etc.).
    pub fn exceeded_by(self, part: u32, whole: u32) -> bool {
        u64::from(part) * u64::from(self.den) > u64::from(whole) * u64::from(self.num)
    }

    /// The smallest count that is strictly more than this share of `whole`.
    pub fn smallest_more_than(self, whole: u32) -> u32 {
        // floor(whole * num / den) + 1
        let floor = u64::from(whole) * u64::from(self.num) / u64::from(self.den);
        u32::try_from(floor + 1).unwrap_or(u32::MAX)
    }

    /// The largest count that is at most this share of `whole` (不超过).
    pub fn largest_at_most(self, whole: u32) -> u32 {
        let floor = u64::from(whole) * u64::from(self.num) / u64::from(self.den);
        u32::try_from(floor).unwrap_or(u32::MAX)
    }

    pub(crate) fn parse(text: &str) -> Option<Ratio> {
        let (n, d) = text.split_once('/')?;
        let num: u32 = n.trim().parse().ok()?;
        let den: u32 = d.trim().parse().ok()?;
        (num > 0 && den > 0 && num <= den).then_some(Ratio { num, den })
    }
}

impl fmt::Display for Ratio {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.num, self.den)
    }
}

impl Serialize for Ratio {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_str(self)
    }
}

/// One rate band (党费分档): bases up to and including `up_to_fen` pay `rate_bp` basis points
/// (万分之) of the whole base. The last band has no upper bound.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Band {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub up_to_fen: Option<i64>,
    pub rate_bp: i64,
}

/// The value of a rule. Serialised as plain JSON: numbers, `"1/2"`, `"monthly"`, band arrays, strings,
/// booleans, step-number arrays.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(untagged)]
pub enum RuleValue {
    Integer(i64),
    Ratio(Ratio),
    Frequency(Frequency),
    Bands(Vec<Band>),
    Choice(String),
    Flag(bool),
    Steps(Vec<u8>),
}

/// In the API document a value is any of its JSON shapes: `anyOf`, since a ratio, a frequency and a
/// choice are all strings.
#[cfg(feature = "schema")]
impl utoipa::PartialSchema for RuleValue {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        use utoipa::openapi::schema::AnyOfBuilder;
        use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
        let of = |t: Type| ObjectBuilder::new().schema_type(t);
        AnyOfBuilder::new()
            .item(of(Type::Integer))
            .item(of(Type::String).description(Some("比例（如 1/2）、频次（如 monthly）或选项")))
            .item(of(Type::Boolean))
            .item(ArrayBuilder::new().items(<Band as utoipa::PartialSchema>::schema()))
            .item(ArrayBuilder::new().items(of(Type::Integer)).description(Some("步骤序号")))
            .into()
    }
}

#[cfg(feature = "schema")]
impl utoipa::ToSchema for RuleValue {}

impl RuleValue {
    /// The value in words, with its unit: "6个月", "每季度", "1/2", "≤3000.00元 0.5%；…".
    pub fn describe(&self, unit: Unit) -> String {
        match self {
            RuleValue::Integer(n) => match unit {
                Unit::Fen => format!("{}元", crate::dues::format_yuan(*n)),
                Unit::Percent => format!("{n}%"),
                Unit::Quarter => format!("第{n}季度"),
                _ => format!("{n}{}", unit.label()),
            },
            RuleValue::Ratio(r) => r.to_string(),
            RuleValue::Frequency(f) => f.label().to_string(),
            RuleValue::Bands(bands) => bands
                .iter()
                .map(|b| {
                    let rate = format_rate(b.rate_bp);
                    match b.up_to_fen {
                        Some(up) => format!("≤{}元 {rate}", crate::dues::format_yuan(up)),
                        None => format!("以上 {rate}"),
                    }
                })
                .collect::<Vec<_>>()
                .join("；"),
            RuleValue::Choice(s) => s.clone(),
            RuleValue::Flag(b) => (if *b { "是" } else { "否" }).to_string(),
            RuleValue::Steps(steps) => steps.iter().map(|s| format!("第{s}步")).collect::<Vec<_>>().join("、"),
        }
    }
}

/// Basis points as a percentage: 50 → "0.5%", 150 → "1.5%".
pub fn format_rate(rate_bp: i64) -> String {
    let whole = rate_bp / 100;
    let frac = rate_bp % 100;
    if frac == 0 {
        format!("{whole}%")
    } else if frac % 10 == 0 {
        format!("{whole}.{}%", frac / 10)
    } else {
        format!("{whole}.{frac:02}%")
    }
}
