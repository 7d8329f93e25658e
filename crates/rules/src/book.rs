//! Rule packs (规则包) and the rule book that holds them.
//!
//! Every number the engine uses lives in a TOML pack under `rules/` at the repository root, with its
//! source, status and effective dates. The packs are embedded in the binary ([`BUILTIN_SOURCES`]) so it
//! works anywhere; [`RuleBook::from_sources`] loads the same format from text the caller has read.
//! A lookup ([`RuleBook::resolve`], [`RuleBook::int`] …) takes the date of the event being judged and
//! returns the version in force on that date, or the deployment's override of it.
//!
//! The crate reads no files: override files are read by the caller and handed to [`parse_overrides`].

use std::collections::BTreeMap;
use std::fmt;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use crate::calendar::{RawCalendarHeader, RawYear, WorkCalendar};

/// The packs shipped with the crate: `(file name, text)`, in load order. The file names are relative to
/// the repository root, so an error message points at the file to edit.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("rules/member.toml", include_str!("../../../rules/member.toml")),
    ("rules/org.toml", include_str!("../../../rules/org.toml")),
    ("rules/orglife.toml", include_str!("../../../rules/orglife.toml")),
    ("rules/recruitment.toml", include_str!("../../../rules/recruitment.toml")),
    ("rules/dues.toml", include_str!("../../../rules/dues.toml")),
    ("rules/calendar.toml", include_str!("../../../rules/calendar.toml")),
];

/// How far a rule's value has been verified (regulations.md status legend).
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

    fn parse(text: &str) -> Option<Ratio> {
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

/// Where a rule comes from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Source {
    /// The regulation's title, e.g. 《中国共产党支部工作条例（试行）》.
    pub regulation: String,
    /// Article, e.g. 第十一条.
    pub article: Option<String>,
    /// Public page the value was read from.
    pub url: Option<String>,
    /// Number in docs/reference regulations.md, e.g. "3.1".
    pub reference: Option<String>,
}

impl fmt::Display for Source {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.regulation)?;
        if let Some(a) = &self.article {
            write!(f, " {a}")?;
        }
        Ok(())
    }
}

/// One dated version of a rule.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleVersion {
    pub value: RuleValue,
    pub status: RuleStatus,
    pub effective_from: NaiveDate,
    /// Last day in force (inclusive); `None`: still in force.
    pub effective_to: Option<NaiveDate>,
    pub source: Source,
    pub note: Option<String>,
    /// Bounds an override must respect (integer units).
    pub min: Option<i64>,
    pub max: Option<i64>,
    /// Allowed values (choice unit).
    pub choices: Vec<String>,
    /// `file:line` of the entry in its pack.
    pub defined_at: String,
}

impl RuleVersion {
    pub fn in_force_on(&self, date: NaiveDate) -> bool {
        date >= self.effective_from && self.effective_to.is_none_or(|to| date <= to)
    }
}

/// A deployment's replacement of a rule's value from a date on (本单位规定).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AppliedOverride {
    pub value: RuleValue,
    pub from: NaiveDate,
    /// Where the override was configured, e.g. `dangwu.toml:42`.
    pub origin: String,
    pub note: Option<String>,
}

/// A rule: its id, what it measures, every dated version, and any deployment overrides.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rule {
    pub id: String,
    pub title: String,
    /// Pack id (`org`, `dues` …).
    pub pack: String,
    pub unit: Unit,
    /// Sorted by `effective_from`, never overlapping.
    pub versions: Vec<RuleVersion>,
    /// Sorted by `from`.
    pub overrides: Vec<AppliedOverride>,
}

impl Rule {
    pub fn version_on(&self, date: NaiveDate) -> Option<&RuleVersion> {
        self.versions.iter().find(|v| v.in_force_on(date))
    }
}

/// A rule value as it applies on a date: the version in force and, if the deployment overrides it,
/// the override.
#[derive(Debug, Clone, Copy)]
pub struct Resolved<'a> {
    pub rule: &'a Rule,
    pub version: &'a RuleVersion,
    pub overridden: Option<&'a AppliedOverride>,
}

impl<'a> Resolved<'a> {
    pub fn value(&self) -> &'a RuleValue {
        match self.overridden {
            Some(o) => &o.value,
            None => &self.version.value,
        }
    }

    /// The status of the version in force (an override never applies to a confirmed version).
    pub fn status(&self) -> RuleStatus {
        self.version.status
    }

    /// Whether a violation of this rule should block (error) rather than warn: only confirmed values,
    /// never overridden ones, are hard rules (regulations.md: anything not C is a default).
    pub fn is_hard(&self) -> bool {
        self.overridden.is_none() && self.version.status == RuleStatus::Confirmed
    }
}

/// A failed rule lookup.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum RuleError {
    #[error("规则 {rule} 不存在")]
    Unknown { rule: String },
    #[error("规则 {rule} 在 {date} 未生效（规则包中没有该日适用的版本）")]
    NotInForce { rule: String, date: NaiveDate },
    #[error("规则 {rule} 的值不是{expected}")]
    WrongType { rule: String, expected: &'static str },
}

impl RuleError {
    /// The rule the lookup was for.
    pub fn rule(&self) -> &str {
        match self {
            RuleError::Unknown { rule } | RuleError::NotInForce { rule, .. } | RuleError::WrongType { rule, .. } => {
                rule
            }
        }
    }
}

/// A broken pack, calendar or override file: names the file, line and rule.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[error("{}", self.render())]
pub struct LoadError {
    pub file: String,
    pub line: Option<usize>,
    pub rule: Option<String>,
    pub message: String,
}

impl LoadError {
    fn render(&self) -> String {
        let mut s = self.file.clone();
        if let Some(line) = self.line {
            s.push_str(&format!(":{line}"));
        }
        s.push_str(": ");
        if let Some(rule) = &self.rule {
            s.push_str(&format!("rule `{rule}`: "));
        }
        s.push_str(&self.message);
        s
    }

    pub(crate) fn at(file: &str, text: &str, offset: usize, rule: Option<&str>, message: impl Into<String>) -> Self {
        LoadError {
            file: file.to_string(),
            line: Some(line_of(text, offset)),
            rule: rule.map(str::to_string),
            message: message.into(),
        }
    }
}

/// A rejected override.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum OverrideError {
    #[error("{origin}: rule `{rule}` does not exist in the rule packs")]
    UnknownRule { rule: String, origin: String },
    #[error(
        "{origin}: rule `{rule}` is confirmed ({source_text}, in force from {effective_from}) and cannot be overridden; only secondary and local-default rules can"
    )]
    Confirmed { rule: String, origin: String, source_text: String, effective_from: NaiveDate },
    #[error("{origin}: rule `{rule}`: {message}")]
    BadValue { rule: String, origin: String, message: String },
}

/// One override requested by the deployment configuration (`[rules.overrides]`).
#[derive(Debug, Clone, PartialEq)]
pub struct Override {
    pub rule: String,
    /// The new value, in the same TOML shape as the pack's `value`. Numbers may also be given as strings.
    pub value: toml::Value,
    /// First day the override applies; `None`: from the rule's first effective date.
    pub from: Option<NaiveDate>,
    /// Where it was configured, shown next to the source (e.g. `dangwu.toml:42`).
    pub origin: String,
    pub note: Option<String>,
}

/// The shape of one entry of `[rules.overrides]`: either the bare value or a table with `value`,
/// optional `from` (a TOML date or `"YYYY-MM-DD"`) and optional `note`.
///
/// ```toml
/// [rules.overrides]
/// "orglife.party_lecture.frequency" = { value = "monthly", from = 2026-01-01, note = "集团党委2025年12号文" }
/// "dues.rounding.mode" = "half_up"
/// ```
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum OverrideSpec {
    Detailed {
        value: toml::Value,
        #[serde(default)]
        from: Option<toml::Value>,
        #[serde(default)]
        note: Option<String>,
    },
    Plain(toml::Value),
}

impl Override {
    /// Builds an override from a config entry (for a server that reads its config with figment/serde).
    pub fn from_spec(rule: &str, spec: &OverrideSpec, origin: &str) -> Result<Override, OverrideError> {
        let bad =
            |message: String| OverrideError::BadValue { rule: rule.to_string(), origin: origin.to_string(), message };
        let (value, from, note) = match spec {
            OverrideSpec::Detailed { value, from, note } => (value.clone(), from.clone(), note.clone()),
            OverrideSpec::Plain(value) => (value.clone(), None, None),
        };
        let from = match from {
            None => None,
            Some(toml::Value::Datetime(dt)) => {
                Some(toml_date(&dt).ok_or_else(|| bad(format!("`from` must be a date, got {dt}")))?)
            }
            Some(toml::Value::String(s)) => Some(
                NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d")
                    .map_err(|_| bad(format!("`from` must be a date YYYY-MM-DD, got {s:?}")))?,
            ),
            Some(other) => return Err(bad(format!("`from` must be a date, got {other}"))),
        };
        Ok(Override { rule: rule.to_string(), value, from, origin: origin.to_string(), note })
    }
}

/// Reads the `[rules.overrides]` table from a deployment config file's text (other tables are ignored).
/// Each override's origin is `file:line`.
pub fn parse_overrides(file_name: &str, text: &str) -> Result<Vec<Override>, LoadError> {
    #[derive(Deserialize)]
    struct ConfigDoc {
        #[serde(default)]
        rules: Option<RulesSection>,
    }
    #[derive(Deserialize)]
    struct RulesSection {
        #[serde(default)]
        overrides: BTreeMap<String, Spanned<OverrideSpec>>,
    }
    let doc: ConfigDoc = toml::from_str(text).map_err(|e| toml_error(file_name, text, &e))?;
    let mut out = Vec::new();
    for (rule, spec) in doc.rules.map(|r| r.overrides).unwrap_or_default() {
        let line = line_of(text, spec.span().start);
        let origin = format!("{file_name}:{line}");
        let o = Override::from_spec(&rule, spec.get_ref(), &origin).map_err(|e| LoadError {
            file: file_name.to_string(),
            line: Some(line),
            rule: Some(rule.clone()),
            message: e.to_string(),
        })?;
        out.push(o);
    }
    Ok(out)
}

/// All rules, the working-day calendar and the overrides of one deployment.
#[derive(Debug, Clone, Default)]
pub struct RuleBook {
    rules: BTreeMap<String, Rule>,
    calendar: WorkCalendar,
}

// ---- raw file format -------------------------------------------------------------------------------

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawFile {
    pack: Option<RawPackHeader>,
    calendar: Option<RawCalendarHeader>,
    #[serde(default)]
    rule: Vec<Spanned<RawRule>>,
    #[serde(default)]
    year: Vec<Spanned<RawYear>>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawPackHeader {
    id: String,
    #[allow(dead_code)]
    title: String,
    #[serde(default)]
    #[allow(dead_code)]
    note: Option<String>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    id: Spanned<String>,
    title: String,
    value: Spanned<toml::Value>,
    unit: Unit,
    status: RuleStatus,
    effective_from: Spanned<Datetime>,
    #[serde(default)]
    effective_to: Option<Spanned<Datetime>>,
    source: String,
    #[serde(default)]
    article: Option<String>,
    #[serde(default)]
    url: Option<String>,
    #[serde(default, rename = "ref")]
    reference: Option<String>,
    #[serde(default)]
    note: Option<String>,
    #[serde(default)]
    min: Option<i64>,
    #[serde(default)]
    max: Option<i64>,
    #[serde(default)]
    choices: Option<Vec<String>>,
}

/// 1-based line of a byte offset.
pub(crate) fn line_of(text: &str, offset: usize) -> usize {
    let end = offset.min(text.len());
    text.as_bytes()[..end].iter().filter(|&&b| b == b'\n').count() + 1
}

/// The id of the `[[rule]]` entry that contains `offset`, found by reading the text (works even when
/// the TOML does not parse).
fn rule_id_near(text: &str, offset: usize) -> Option<String> {
    let offset = offset.min(text.len());
    let mut block_start = None;
    let mut pos = 0;
    for line in text.split_inclusive('\n') {
        if pos > offset {
            break;
        }
        if line.trim_start().starts_with("[[rule]]") {
            block_start = Some(pos);
        } else if line.trim_start().starts_with('[') && pos <= offset {
            block_start = None;
        }
        pos += line.len();
    }
    let start = block_start?;
    for (i, line) in text[start..].lines().enumerate() {
        let t = line.trim();
        if i > 0 && t.starts_with('[') {
            break;
        }
        if let Some(rest) = t.strip_prefix("id") {
            let rest = rest.trim_start();
            if let Some(rest) = rest.strip_prefix('=') {
                let v = rest.trim().trim_matches('"');
                return Some(v.to_string());
            }
        }
    }
    None
}

fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> LoadError {
    let offset = e.span().map(|s| s.start).unwrap_or(0);
    LoadError {
        file: file.to_string(),
        line: e.span().map(|s| line_of(text, s.start)),
        rule: rule_id_near(text, offset),
        message: e.message().trim().to_string(),
    }
}

pub(crate) fn toml_date(dt: &Datetime) -> Option<NaiveDate> {
    if dt.time.is_some() || dt.offset.is_some() {
        return None;
    }
    let d = dt.date?;
    NaiveDate::from_ymd_opt(i32::from(d.year), u32::from(d.month), u32::from(d.day))
}

/// Parses a rule value of the given unit. `lenient` also accepts numbers written as strings
/// (environment variables, figment).
fn parse_value(
    unit: Unit,
    raw: &toml::Value,
    min: Option<i64>,
    max: Option<i64>,
    choices: &[String],
    lenient: bool,
) -> Result<RuleValue, String> {
    use toml::Value as V;
    let value = if unit.is_integer() {
        let n = match raw {
            V::Integer(n) => *n,
            V::String(s) if lenient => s
                .trim()
                .parse::<i64>()
                .map_err(|_| format!("unit `{}` needs an integer, got {s:?}", unit_code(unit)))?,
            other => {
                return Err(format!("unit `{}` needs an integer, got {}", unit_code(unit), type_name(other)));
            }
        };
        if n < 0 {
            return Err(format!("value {n} must not be negative"));
        }
        if unit == Unit::Quarter && !(1..=4).contains(&n) {
            return Err(format!("a quarter is 1–4, got {n}"));
        }
        RuleValue::Integer(n)
    } else {
        match unit {
            Unit::Ratio => match raw {
                V::String(s) => RuleValue::Ratio(
                    Ratio::parse(s).ok_or_else(|| format!("a ratio is written \"a/b\" with 0 < a ≤ b, got {s:?}"))?,
                ),
                other => return Err(format!("unit `ratio` needs a string \"a/b\", got {}", type_name(other))),
            },
            Unit::Frequency => match raw {
                V::String(s) => RuleValue::Frequency(Frequency::from_code(s.trim()).ok_or_else(|| {
                    format!("frequency must be one of monthly, quarterly, half_yearly, yearly; got {s:?}")
                })?),
                other => return Err(format!("unit `frequency` needs a string, got {}", type_name(other))),
            },
            Unit::Bands => {
                let bands: Vec<Band> =
                    raw.clone().try_into().map_err(|e: toml::de::Error| format!("bands: {}", e.message().trim()))?;
                validate_bands(&bands)?;
                RuleValue::Bands(bands)
            }
            Unit::Choice => match raw {
                V::String(s) => {
                    if choices.is_empty() {
                        return Err("unit `choice` needs a `choices` list".into());
                    }
                    if !choices.iter().any(|c| c == s) {
                        return Err(format!("{s:?} is not one of the choices {choices:?}"));
                    }
                    RuleValue::Choice(s.clone())
                }
                other => return Err(format!("unit `choice` needs a string, got {}", type_name(other))),
            },
            Unit::Flag => match raw {
                V::Boolean(b) => RuleValue::Flag(*b),
                V::String(s) if lenient && (s == "true" || s == "false") => RuleValue::Flag(s == "true"),
                other => return Err(format!("unit `flag` needs true or false, got {}", type_name(other))),
            },
            Unit::Steps => {
                let V::Array(items) = raw else {
                    return Err(format!("unit `steps` needs an array of step numbers, got {}", type_name(raw)));
                };
                let mut steps = Vec::new();
                for item in items {
                    match item {
                        V::Integer(n) if (1..=25).contains(n) => {
                            let n = u8::try_from(*n).expect("1..=25 fits u8");
                            if steps.contains(&n) {
                                return Err(format!("step {n} listed twice"));
                            }
                            steps.push(n);
                        }
                        other => return Err(format!("a step number is 1–25, got {other}")),
                    }
                }
                steps.sort_unstable();
                RuleValue::Steps(steps)
            }
            _ => unreachable!("integer units handled above"),
        }
    };
    if let RuleValue::Integer(n) = value {
        if let Some(lo) = min
            && n < lo
        {
            return Err(format!("value {n} is below the allowed minimum {lo}"));
        }
        if let Some(hi) = max
            && n > hi
        {
            return Err(format!("value {n} is above the allowed maximum {hi}"));
        }
    }
    Ok(value)
}

fn validate_bands(bands: &[Band]) -> Result<(), String> {
    if bands.is_empty() {
        return Err("bands: at least one band is needed".into());
    }
    let mut prev: Option<i64> = None;
    for (i, b) in bands.iter().enumerate() {
        let last = i + 1 == bands.len();
        if !(0..=10_000).contains(&b.rate_bp) {
            return Err(format!("bands: rate_bp {} is outside 0–10000", b.rate_bp));
        }
        if let Some(p) = prev
            && b.rate_bp < p
        {
            return Err("bands: rates must not decrease from band to band".into());
        }
        prev = Some(b.rate_bp);
        match (b.up_to_fen, last) {
            (None, false) => return Err(format!("bands: band {} needs up_to_fen (only the last band is open)", i + 1)),
            (Some(_), true) => return Err("bands: the last band must have no up_to_fen".into()),
            (Some(up), false) => {
                if up <= 0 {
                    return Err("bands: up_to_fen must be positive".into());
                }
                if i > 0 && bands[i - 1].up_to_fen.is_some_and(|p| p >= up) {
                    return Err("bands: up_to_fen must increase".into());
                }
            }
            (None, true) => {}
        }
    }
    Ok(())
}

fn unit_code(unit: Unit) -> String {
    toml::Value::try_from(unit).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| format!("{unit:?}"))
}

fn type_name(v: &toml::Value) -> &'static str {
    match v {
        toml::Value::String(_) => "a string",
        toml::Value::Integer(_) => "an integer",
        toml::Value::Float(_) => "a float",
        toml::Value::Boolean(_) => "a boolean",
        toml::Value::Datetime(_) => "a date",
        toml::Value::Array(_) => "an array",
        toml::Value::Table(_) => "a table",
    }
}

fn valid_id(id: &str) -> bool {
    id.contains('.')
        && !id.starts_with('.')
        && !id.ends_with('.')
        && !id.contains("..")
        && id.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'_' || b == b'.')
}

impl RuleBook {
    /// The packs and calendar embedded in the crate ([`BUILTIN_SOURCES`]), checked for completeness
    /// (every rule the engine looks up is present with the right unit).
    pub fn builtin() -> Result<RuleBook, LoadError> {
        RuleBook::load(BUILTIN_SOURCES)
    }

    /// [`RuleBook::from_sources`] followed by [`RuleBook::check_complete`]: use this for packs read
    /// from a directory at start-up.
    pub fn load(sources: &[(&str, &str)]) -> Result<RuleBook, LoadError> {
        let book = RuleBook::from_sources(sources)?;
        book.check_complete()?;
        Ok(book)
    }

    /// Parses and validates packs and calendar files given as `(file name, text)`. A file with a
    /// `[pack]` table holds `[[rule]]` entries; a file with a `[calendar]` table holds `[[year]]`
    /// entries. The first error names the file, the line and the rule.
    pub fn from_sources(sources: &[(&str, &str)]) -> Result<RuleBook, LoadError> {
        let mut book = RuleBook::default();
        for (file, text) in sources {
            book.add_source(file, text)?;
        }
        Ok(book)
    }

    /// Adds one pack or calendar file (e.g. a deployment's `calendar-2027.toml` replacing the
    /// provisional 2027 entry).
    pub fn add_source(&mut self, file: &str, text: &str) -> Result<(), LoadError> {
        let raw: RawFile = toml::from_str(text).map_err(|e| toml_error(file, text, &e))?;
        match (&raw.pack, &raw.calendar) {
            (Some(_), Some(_)) => {
                return Err(LoadError {
                    file: file.into(),
                    line: Some(1),
                    rule: None,
                    message: "a file is either a rule pack ([pack]) or a calendar ([calendar]), not both".into(),
                });
            }
            (None, None) => {
                return Err(LoadError {
                    file: file.into(),
                    line: Some(1),
                    rule: None,
                    message: "missing [pack] or [calendar] table".into(),
                });
            }
            _ => {}
        }
        if let Some(header) = raw.calendar {
            if let Some(r) = raw.rule.first() {
                return Err(LoadError::at(
                    file,
                    text,
                    r.span().start,
                    None,
                    "a calendar file cannot hold [[rule]] entries",
                ));
            }
            return self.calendar.add_years(file, text, &header, raw.year);
        }
        let pack = raw.pack.expect("checked above");
        if let Some(y) = raw.year.first() {
            return Err(LoadError::at(file, text, y.span().start, None, "a rule pack cannot hold [[year]] entries"));
        }
        if !valid_id(&format!("{}.x", pack.id)) {
            return Err(LoadError {
                file: file.into(),
                line: Some(1),
                rule: None,
                message: format!("bad pack id {:?}", pack.id),
            });
        }
        for entry in raw.rule {
            self.add_rule(file, text, &pack.id, entry)?;
        }
        Ok(())
    }

    fn add_rule(&mut self, file: &str, text: &str, pack: &str, entry: Spanned<RawRule>) -> Result<(), LoadError> {
        let header_line = line_of(text, entry.span().start);
        let raw = entry.into_inner();
        let id = raw.id.get_ref().clone();
        let err_at = |offset: usize, message: String| LoadError::at(file, text, offset, Some(&id), message);
        if !valid_id(&id) {
            return Err(err_at(
                raw.id.span().start,
                "a rule id is lower-case words joined by dots, e.g. `org.term.branch_years`".into(),
            ));
        }
        let from = toml_date(raw.effective_from.get_ref()).ok_or_else(|| {
            err_at(raw.effective_from.span().start, "effective_from must be a plain date (YYYY-MM-DD)".into())
        })?;
        let to = match &raw.effective_to {
            None => None,
            Some(t) => {
                let d = toml_date(t.get_ref())
                    .ok_or_else(|| err_at(t.span().start, "effective_to must be a plain date (YYYY-MM-DD)".into()))?;
                if d < from {
                    return Err(err_at(t.span().start, format!("effective_to {d} is before effective_from {from}")));
                }
                Some(d)
            }
        };
        if (raw.min.is_some() || raw.max.is_some()) && !raw.unit.is_integer() {
            return Err(err_at(raw.id.span().start, "min/max only apply to integer units".into()));
        }
        if let (Some(lo), Some(hi)) = (raw.min, raw.max)
            && lo > hi
        {
            return Err(err_at(raw.id.span().start, format!("min {lo} is above max {hi}")));
        }
        let choices = raw.choices.unwrap_or_default();
        if !choices.is_empty() && raw.unit != Unit::Choice {
            return Err(err_at(raw.id.span().start, "choices only apply to unit `choice`".into()));
        }
        let value = parse_value(raw.unit, raw.value.get_ref(), raw.min, raw.max, &choices, false)
            .map_err(|m| err_at(raw.value.span().start, m))?;
        if raw.source.trim().is_empty() {
            return Err(err_at(raw.id.span().start, "source must name the regulation".into()));
        }
        let version = RuleVersion {
            value,
            status: raw.status,
            effective_from: from,
            effective_to: to,
            source: Source { regulation: raw.source, article: raw.article, url: raw.url, reference: raw.reference },
            note: raw.note,
            min: raw.min,
            max: raw.max,
            choices,
            defined_at: format!("{file}:{header_line}"),
        };
        match self.rules.get_mut(&id) {
            None => {
                self.rules.insert(
                    id.clone(),
                    Rule {
                        id: id.clone(),
                        title: raw.title,
                        pack: pack.to_string(),
                        unit: raw.unit,
                        versions: vec![version],
                        overrides: Vec::new(),
                    },
                );
            }
            Some(rule) => {
                if rule.unit != raw.unit {
                    return Err(err_at(
                        raw.id.span().start,
                        format!("unit differs from the earlier version at {}", rule.versions[0].defined_at),
                    ));
                }
                for v in &rule.versions {
                    let overlap = v.effective_to.is_none_or(|t| from <= t) && to.is_none_or(|t| v.effective_from <= t);
                    if overlap {
                        return Err(err_at(
                            raw.id.span().start,
                            format!(
                                "in force {from}–{} overlaps the version at {} ({}–{}); set effective_to on the earlier one",
                                to.map(|d| d.to_string()).unwrap_or_default(),
                                v.defined_at,
                                v.effective_from,
                                v.effective_to.map(|d| d.to_string()).unwrap_or_default()
                            ),
                        ));
                    }
                }
                rule.versions.push(version);
                rule.versions.sort_by_key(|v| v.effective_from);
                // The latest version's title describes the rule.
                if rule.versions.last().is_some_and(|v| v.effective_from == from) {
                    rule.title = raw.title;
                }
            }
        }
        Ok(())
    }

    /// Checks that every rule the engine looks up ([`crate::REQUIRED_RULES`]) exists with the expected
    /// unit.
    pub fn check_complete(&self) -> Result<(), LoadError> {
        for (id, unit) in crate::REQUIRED_RULES {
            match self.rules.get(*id) {
                None => {
                    return Err(LoadError {
                        file: "rules/*.toml".into(),
                        line: None,
                        rule: Some((*id).into()),
                        message: "the engine needs this rule but no pack defines it".into(),
                    });
                }
                Some(rule) if rule.unit != *unit => {
                    return Err(LoadError {
                        file: "rules/*.toml".into(),
                        line: None,
                        rule: Some((*id).into()),
                        message: format!(
                            "the engine expects unit `{}`, the pack at {} says `{}`",
                            unit_code(*unit),
                            rule.versions[0].defined_at,
                            unit_code(rule.unit)
                        ),
                    });
                }
                Some(_) => {}
            }
        }
        if self.calendar.years().next().is_none() {
            return Err(LoadError {
                file: "rules/calendar.toml".into(),
                line: None,
                rule: None,
                message: "no working-day calendar loaded".into(),
            });
        }
        Ok(())
    }

    /// Applies the deployment's overrides. All or nothing: on the first bad entry nothing changes.
    /// Rejected: unknown rules; rules with a confirmed version in force on or after `from` (a confirmed
    /// rule can never be overridden); values of the wrong shape or outside the pack's `min`/`max`/
    /// `choices`; two overrides of one rule from the same date. Applied overrides are kept on the rule
    /// and listed next to its source ([`RuleBook::summaries`]).
    pub fn apply_overrides(&mut self, overrides: &[Override]) -> Result<(), OverrideError> {
        let mut next = self.rules.clone();
        for o in overrides {
            let Some(rule) = next.get_mut(&o.rule) else {
                return Err(OverrideError::UnknownRule { rule: o.rule.clone(), origin: o.origin.clone() });
            };
            let first = rule.versions[0].effective_from;
            let from = o.from.unwrap_or(first).max(first);
            let affected: Vec<&RuleVersion> =
                rule.versions.iter().filter(|v| v.effective_to.is_none_or(|t| t >= from)).collect();
            let bad =
                |message: String| OverrideError::BadValue { rule: o.rule.clone(), origin: o.origin.clone(), message };
            if affected.is_empty() {
                return Err(bad(format!("no version of the rule is in force on or after {from}")));
            }
            if let Some(v) = affected.iter().find(|v| v.status == RuleStatus::Confirmed) {
                return Err(OverrideError::Confirmed {
                    rule: o.rule.clone(),
                    origin: o.origin.clone(),
                    source_text: v.source.to_string(),
                    effective_from: v.effective_from,
                });
            }
            let mut value = None;
            for v in &affected {
                value = Some(parse_value(rule.unit, &o.value, v.min, v.max, &v.choices, true).map_err(&bad)?);
            }
            let value = value.expect("at least one affected version");
            if rule.overrides.iter().any(|x| x.from == from) {
                return Err(bad(format!("a second override from {from}")));
            }
            rule.overrides.push(AppliedOverride { value, from, origin: o.origin.clone(), note: o.note.clone() });
            rule.overrides.sort_by_key(|x| x.from);
        }
        self.rules = next;
        Ok(())
    }

    /// The working-day calendar (法定节假日与调休).
    pub fn calendar(&self) -> &WorkCalendar {
        &self.calendar
    }

    /// Every rule, sorted by id.
    pub fn rules(&self) -> impl Iterator<Item = &Rule> {
        self.rules.values()
    }

    pub fn rule(&self, id: &str) -> Option<&Rule> {
        self.rules.get(id)
    }

    /// The rule in force on `on`, with the deployment's override if one applies.
    pub fn resolve(&self, id: &str, on: NaiveDate) -> Result<Resolved<'_>, RuleError> {
        let rule = self.rules.get(id).ok_or_else(|| RuleError::Unknown { rule: id.to_string() })?;
        let version = rule.version_on(on).ok_or_else(|| RuleError::NotInForce { rule: id.to_string(), date: on })?;
        let overridden = rule.overrides.iter().rev().find(|o| o.from <= on);
        Ok(Resolved { rule, version, overridden })
    }

    /// The value in force on `on` (after overrides).
    pub fn value(&self, id: &str, on: NaiveDate) -> Result<&RuleValue, RuleError> {
        self.resolve(id, on).map(|r| r.value())
    }

    /// An integer rule (counts, durations, money in fen).
    pub fn int(&self, id: &str, on: NaiveDate) -> Result<i64, RuleError> {
        match self.value(id, on)? {
            RuleValue::Integer(n) => Ok(*n),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "整数" }),
        }
    }

    /// An integer rule as u32 (saturating).
    pub fn count(&self, id: &str, on: NaiveDate) -> Result<u32, RuleError> {
        self.int(id, on).map(|n| u32::try_from(n).unwrap_or(u32::MAX))
    }

    pub fn ratio(&self, id: &str, on: NaiveDate) -> Result<Ratio, RuleError> {
        match self.value(id, on)? {
            RuleValue::Ratio(r) => Ok(*r),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "比例" }),
        }
    }

    pub fn frequency(&self, id: &str, on: NaiveDate) -> Result<Frequency, RuleError> {
        match self.value(id, on)? {
            RuleValue::Frequency(f) => Ok(*f),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "频次" }),
        }
    }

    pub fn bands(&self, id: &str, on: NaiveDate) -> Result<&[Band], RuleError> {
        match self.value(id, on)? {
            RuleValue::Bands(b) => Ok(b),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "分档比例" }),
        }
    }

    pub fn choice(&self, id: &str, on: NaiveDate) -> Result<&str, RuleError> {
        match self.value(id, on)? {
            RuleValue::Choice(s) => Ok(s),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "选项" }),
        }
    }

    pub fn flag(&self, id: &str, on: NaiveDate) -> Result<bool, RuleError> {
        match self.value(id, on)? {
            RuleValue::Flag(b) => Ok(*b),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "开关" }),
        }
    }

    pub fn steps(&self, id: &str, on: NaiveDate) -> Result<&[u8], RuleError> {
        match self.value(id, on)? {
            RuleValue::Steps(s) => Ok(s),
            _ => Err(RuleError::WrongType { rule: id.into(), expected: "步骤列表" }),
        }
    }

    /// One line per rule as in force on `on`, with the source next to the value and any override next
    /// to the source (for `GET /api/v1/rules`).
    pub fn summaries(&self, on: NaiveDate) -> Vec<RuleSummary> {
        self.rules
            .values()
            .map(|rule| {
                let version = rule
                    .version_on(on)
                    .or_else(|| rule.versions.iter().rev().find(|v| v.effective_from <= on))
                    .or_else(|| rule.versions.first())
                    .expect("a rule has at least one version");
                let in_force = version.in_force_on(on);
                let overridden =
                    if in_force { rule.overrides.iter().rev().find(|o| o.from <= on).cloned() } else { None };
                let value = overridden.as_ref().map(|o| o.value.clone()).unwrap_or_else(|| version.value.clone());
                RuleSummary {
                    id: rule.id.clone(),
                    title: rule.title.clone(),
                    pack: rule.pack.clone(),
                    unit: rule.unit,
                    unit_label: rule.unit.label(),
                    in_force,
                    value_text: value.describe(rule.unit),
                    value,
                    default_value_text: version.value.describe(rule.unit),
                    default_value: version.value.clone(),
                    status: version.status,
                    status_label: version.status.label(),
                    overridable: version.status.overridable(),
                    source: version.source.clone(),
                    effective_from: version.effective_from,
                    effective_to: version.effective_to,
                    note: version.note.clone(),
                    defined_at: version.defined_at.clone(),
                    overridden,
                    upcoming: rule
                        .versions
                        .iter()
                        .filter(|v| v.effective_from > on)
                        .map(|v| UpcomingVersion {
                            effective_from: v.effective_from,
                            value_text: v.value.describe(rule.unit),
                            status: v.status,
                        })
                        .collect(),
                    upcoming_overrides: rule.overrides.iter().filter(|o| o.from > on).cloned().collect(),
                }
            })
            .collect()
    }
}

/// A rule as shown to users on a date (`GET /api/v1/rules?on=`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RuleSummary {
    pub id: String,
    pub title: String,
    pub pack: String,
    pub unit: Unit,
    pub unit_label: &'static str,
    /// Whether a version is in force on the date; if not, the fields describe the nearest version.
    pub in_force: bool,
    /// The value that applies (after any override).
    pub value: RuleValue,
    pub value_text: String,
    /// The pack's value, before any override.
    pub default_value: RuleValue,
    pub default_value_text: String,
    pub status: RuleStatus,
    pub status_label: &'static str,
    pub overridable: bool,
    pub source: Source,
    pub effective_from: NaiveDate,
    pub effective_to: Option<NaiveDate>,
    pub note: Option<String>,
    pub defined_at: String,
    /// The deployment's override in effect on the date, shown next to the source.
    pub overridden: Option<AppliedOverride>,
    /// Later versions already in the packs (e.g. a revision with a future effective date).
    pub upcoming: Vec<UpcomingVersion>,
    /// Overrides configured to start after the date.
    pub upcoming_overrides: Vec<AppliedOverride>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct UpcomingVersion {
    pub effective_from: NaiveDate,
    pub value_text: String,
    pub status: RuleStatus,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_rule_id_from_offset() {
        let text = "[pack]\nid = \"x\"\n\n[[rule]]\nid = \"x.a\"\nvalue = 1\n\n[[rule]]\nid = \"x.b\"\nvalue = = 2\n";
        let off = text.find("= = 2").unwrap();
        assert_eq!(line_of(text, off), 10);
        assert_eq!(rule_id_near(text, off).as_deref(), Some("x.b"));
        assert_eq!(rule_id_near(text, 3), None);
    }

    #[test]
    fn ratio_arithmetic() {
        let half = Ratio { num: 1, den: 2 };
        assert_eq!(half.smallest_more_than(20), 11);
        assert_eq!(half.smallest_more_than(21), 11);
        assert!(half.exceeded_by(11, 20));
        assert!(!half.exceeded_by(10, 20));
        let third = Ratio { num: 1, den: 3 };
        assert_eq!(third.largest_at_most(10), 3);
        assert_eq!(third.largest_at_most(9), 3);
    }

    #[test]
    fn rates_format() {
        assert_eq!(format_rate(50), "0.5%");
        assert_eq!(format_rate(100), "1%");
        assert_eq!(format_rate(150), "1.5%");
        assert_eq!(format_rate(125), "1.25%");
    }
}
