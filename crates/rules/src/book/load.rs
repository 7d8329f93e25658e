//! Reading packs and calendar files: the raw TOML format, value parsing and validation, and the
//! errors that name the file, line and rule.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};
use toml::Spanned;
use toml::value::Datetime;

use super::RuleBook;
use super::builtin::BUILTIN_SOURCES;
use super::rule::{Rule, RuleVersion, Source};
use super::values::{Band, Frequency, Ratio, RuleStatus, RuleValue, Unit};
use crate::calendar::{RawCalendarHeader, RawYear};

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
pub(super) fn rule_id_near(text: &str, offset: usize) -> Option<String> {
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

pub(super) fn toml_error(file: &str, text: &str, e: &toml::de::Error) -> LoadError {
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
pub(super) fn parse_value(
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

pub(super) fn unit_code(unit: Unit) -> String {
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
}
