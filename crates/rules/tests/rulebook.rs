//! Rule packs: loading, validation errors with file/line/rule, versions by date, overrides.

mod common;
use common::{book, d, override_of};
use dangwu_rules::book::{BUILTIN_SOURCES, Frequency, LoadError, Override, OverrideSpec, RuleValue, parse_overrides};
use dangwu_rules::{OverrideError, RuleBook, RuleError, RuleStatus};

const PACK_HEAD: &str = "[pack]\nid = \"t\"\ntitle = \"测试\"\n";

fn rule_entry(id: &str, value: &str, unit: &str, status: &str, from: &str, to: Option<&str>) -> String {
    let to = to.map(|t| format!("effective_to = {t}\n")).unwrap_or_default();
    format!(
        "\n[[rule]]\nid = \"{id}\"\ntitle = \"t\"\nvalue = {value}\nunit = \"{unit}\"\nstatus = \"{status}\"\neffective_from = {from}\n{to}source = \"测试来源\"\n"
    )
}

/// The error loading `text` as the pack `rules/t.toml` must give.
fn load_error(text: &str) -> LoadError {
    RuleBook::from_sources(&[("rules/t.toml", text)]).unwrap_err()
}

/// Loads `text`, which must be refused naming `rule` at `line`; the error, for more checks.
fn refused_at(text: &str, rule: &str, line: usize) -> LoadError {
    let err = load_error(text);
    assert_eq!((err.rule.as_deref(), err.line), (Some(rule), Some(line)), "{err}");
    err
}

/// The number (from 1) of the first line of `text` that starts with `prefix`.
fn line_of(text: &str, prefix: &str) -> usize {
    text.lines().position(|l| l.starts_with(prefix)).unwrap_or_else(|| panic!("no line starts with {prefix}")) + 1
}

#[test]
fn builtin_packs_load_and_are_complete() {
    let b = book();
    assert!(b.rules().count() >= 60);
    b.check_complete().unwrap();
    // Every pack file in the repository is embedded.
    let names: Vec<&str> = BUILTIN_SOURCES.iter().map(|(n, _)| *n).collect();
    let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../rules");
    for entry in std::fs::read_dir(&dir).unwrap() {
        let name = entry.unwrap().file_name().into_string().unwrap();
        if name.ends_with(".toml") {
            let path = format!("rules/{name}");
            assert!(names.contains(&path.as_str()), "{path} is not embedded in BUILTIN_SOURCES");
            // The embedded text is the file's text.
            let on_disk = std::fs::read_to_string(dir.join(&name)).unwrap();
            assert_eq!(BUILTIN_SOURCES.iter().find(|(n, _)| *n == path).unwrap().1, on_disk);
        }
    }
}

#[test]
fn every_rule_has_source_status_and_dates() {
    for rule in book().rules() {
        for v in &rule.versions {
            assert!(!v.source.regulation.is_empty(), "{}", rule.id);
            assert!(v.source.reference.is_some(), "{} has no regulations.md reference", rule.id);
            assert!(v.effective_to.is_none_or(|t| t >= v.effective_from), "{}", rule.id);
            assert!(v.defined_at.starts_with("rules/"), "{}", rule.id);
        }
    }
}

#[test]
fn syntax_error_names_file_line_and_rule() {
    let text = format!(
        "{PACK_HEAD}{}\n[[rule]]\nid = \"t.broken\"\ntitle = \"x\"\nvalue = = 3\n",
        rule_entry("t.ok", "1", "count", "confirmed", "2020-01-01", None)
    );
    let expected_line = line_of(&text, "value = = 3");
    let err = refused_at(&text, "t.broken", expected_line);
    assert_eq!(err.file, "rules/t.toml");
    let shown = err.to_string();
    assert!(shown.starts_with(&format!("rules/t.toml:{expected_line}: rule `t.broken`")), "{shown}");
}

#[test]
fn missing_field_and_unknown_status_name_the_rule() {
    let text = format!(
        "{PACK_HEAD}\n[[rule]]\nid = \"t.nounit\"\ntitle = \"x\"\nvalue = 3\nstatus = \"confirmed\"\neffective_from = 2020-01-01\nsource = \"s\"\n"
    );
    let err = refused_at(&text, "t.nounit", 5);
    assert!(err.message.contains("unit"), "{err}");

    let text = format!("{PACK_HEAD}{}", rule_entry("t.status", "3", "count", "maybe", "2020-01-01", None));
    refused_at(&text, "t.status", line_of(&text, "status"));
}

#[test]
fn value_of_wrong_shape_is_rejected_at_its_line() {
    let text = format!(
        "{PACK_HEAD}{}",
        rule_entry("t.freq", "\"fortnightly\"", "frequency", "local_default", "2020-01-01", None)
    );
    let err = refused_at(&text, "t.freq", line_of(&text, "value"));
    assert!(err.message.contains("monthly"), "{err}");

    for (value, unit) in [
        ("\"3\"", "months"),
        ("-1", "count"),
        ("\"2/1\"", "ratio"),
        ("[{ rate_bp = 50 }, { rate_bp = 60 }]", "bands"),
        ("[0, 3]", "steps"),
        ("5", "quarter"),
        ("\"x\"", "flag"),
    ] {
        let text = format!("{PACK_HEAD}{}", rule_entry("t.bad", value, unit, "confirmed", "2020-01-01", None));
        let err = load_error(&text);
        assert_eq!(err.rule.as_deref(), Some("t.bad"), "{value} {unit}: {err}");
    }
}

#[test]
fn overlapping_versions_are_rejected() {
    let text = format!(
        "{PACK_HEAD}{}{}",
        rule_entry("t.v", "1", "count", "confirmed", "2020-01-01", None),
        rule_entry("t.v", "2", "count", "confirmed", "2021-01-01", None)
    );
    let err = load_error(&text);
    assert_eq!(err.rule.as_deref(), Some("t.v"));
    assert!(err.message.contains("overlaps"), "{err}");
}

#[test]
fn missing_header_and_unknown_key_are_errors() {
    let err = RuleBook::from_sources(&[("rules/x.toml", "")]).unwrap_err();
    assert!(err.message.contains("[pack]"));
    let text =
        format!("{PACK_HEAD}{}colour = \"red\"\n", rule_entry("t.k", "1", "count", "confirmed", "2020-01-01", None));
    let err = load_error(&text);
    assert_eq!(err.rule.as_deref(), Some("t.k"));
    assert!(err.message.contains("colour"), "{err}");
}

#[test]
fn incomplete_book_is_refused_by_load() {
    let text = format!("{PACK_HEAD}{}", rule_entry("t.only", "1", "count", "confirmed", "2020-01-01", None));
    assert!(RuleBook::from_sources(&[("rules/t.toml", &text)]).is_ok());
    let err = RuleBook::load(&[("rules/t.toml", &text)]).unwrap_err();
    assert!(err.rule.is_some());
}

#[test]
fn versions_apply_on_the_date_of_the_event() {
    let text = format!(
        "{PACK_HEAD}{}{}",
        rule_entry("t.v", "1", "months", "confirmed", "2014-05-28", Some("2026-05-17")),
        rule_entry("t.v", "2", "months", "secondary", "2026-05-18", None)
    );
    let b = RuleBook::from_sources(&[("rules/t.toml", &text)]).unwrap();
    assert_eq!(b.int("t.v", d(2026, 5, 17)).unwrap(), 1);
    assert_eq!(b.int("t.v", d(2026, 5, 18)).unwrap(), 2);
    assert_eq!(b.resolve("t.v", d(2026, 5, 18)).unwrap().status(), RuleStatus::Secondary);
    assert_eq!(b.int("t.v", d(2014, 5, 27)), Err(RuleError::NotInForce { rule: "t.v".into(), date: d(2014, 5, 27) }));
    assert!(matches!(b.int("t.missing", d(2020, 1, 1)), Err(RuleError::Unknown { .. })));
    assert!(matches!(b.ratio("t.v", d(2020, 1, 1)), Err(RuleError::WrongType { .. })));
}

#[test]
fn recruitment_rules_switch_to_2026_revision() {
    // recruit.activist_min_years: 2014 细则 (confirmed) until 2026-05-17, 2026 revision (secondary) after.
    let b = book();
    let old = b.resolve("recruit.activist_min_years", d(2026, 5, 17)).unwrap();
    let new = b.resolve("recruit.activist_min_years", d(2026, 5, 18)).unwrap();
    assert_eq!(old.status(), RuleStatus::Confirmed);
    assert_eq!(new.status(), RuleStatus::Secondary);
    assert!(old.is_hard());
    assert!(!new.is_hard());
}

#[test]
fn override_of_a_local_default_is_applied_from_its_date_and_listed() {
    // orglife.party_lecture.frequency is a local default (quarterly); the deployment makes it monthly from 2026.
    let mut b = book();
    let o = Override {
        from: Some(d(2026, 1, 1)),
        origin: "dangwu.toml:12".into(),
        note: Some("集团党委文件".into()),
        ..override_of("orglife.party_lecture.frequency", "monthly")
    };
    b.apply_overrides(&[o]).unwrap();
    assert_eq!(b.frequency("orglife.party_lecture.frequency", d(2025, 12, 31)).unwrap(), Frequency::Quarterly);
    assert_eq!(b.frequency("orglife.party_lecture.frequency", d(2026, 1, 1)).unwrap(), Frequency::Monthly);
    let resolved = b.resolve("orglife.party_lecture.frequency", d(2026, 3, 1)).unwrap();
    assert!(resolved.overridden.is_some());
    let summary = b.summaries(d(2026, 3, 1)).into_iter().find(|s| s.id == "orglife.party_lecture.frequency").unwrap();
    assert_eq!(summary.value_text, "每月");
    assert_eq!(summary.default_value_text, "每季度");
    assert_eq!(summary.overridden.as_ref().unwrap().origin, "dangwu.toml:12");
    assert_eq!(summary.status, RuleStatus::LocalDefault);
    let before = b.summaries(d(2025, 6, 1)).into_iter().find(|s| s.id == "orglife.party_lecture.frequency").unwrap();
    assert!(before.overridden.is_none());
    assert_eq!(before.upcoming_overrides.len(), 1);
}

#[test]
fn override_of_a_confirmed_rule_is_rejected_and_changes_nothing() {
    // orglife.general_meeting.quorum is confirmed (支部工作条例 第十一条).
    let mut b = book();
    let ok = override_of("dues.rounding.mode", "down");
    let bad = Override { origin: "cfg:2".into(), ..override_of("orglife.general_meeting.quorum", "1/3") };
    let err = b.apply_overrides(&[ok, bad]).unwrap_err();
    match &err {
        OverrideError::Confirmed { rule, origin, source_text, .. } => {
            assert_eq!(rule, "orglife.general_meeting.quorum");
            assert_eq!(origin, "cfg:2");
            assert!(source_text.contains("支部工作条例"));
        }
        other => panic!("{other:?}"),
    }
    assert!(err.to_string().contains("cannot be overridden"));
    // All or nothing: the valid override before it was not applied either.
    assert_eq!(b.choice("dues.rounding.mode", d(2026, 1, 1)).unwrap(), "half_up");
}

#[test]
fn override_of_2026_recruitment_version_needs_a_from_date() {
    // recruit.talk_within_months: confirmed 2014 version, secondary 2026 version.
    let mut b = book();
    let all_time = override_of("recruit.talk_within_months", 2);
    assert!(matches!(b.apply_overrides(&[all_time]), Err(OverrideError::Confirmed { .. })));
    let from_2026 = Override { from: Some(d(2026, 6, 1)), ..override_of("recruit.talk_within_months", 2) };
    b.apply_overrides(&[from_2026]).unwrap();
    assert_eq!(b.int("recruit.talk_within_months", d(2026, 6, 1)).unwrap(), 2);
    assert_eq!(b.int("recruit.talk_within_months", d(2026, 5, 31)).unwrap(), 1);
}

#[test]
fn override_values_are_validated() {
    let mut b = book();
    // dues.farmer.monthly_fen is local (province sets 0.2–1 元): must stay within min/max.
    let too_much = override_of("dues.farmer.monthly_fen", 150);
    assert!(matches!(b.apply_overrides(&[too_much]), Err(OverrideError::BadValue { .. })));
    let fine = override_of("dues.farmer.monthly_fen", "50");
    b.apply_overrides(&[fine]).unwrap();
    assert_eq!(b.int("dues.farmer.monthly_fen", d(2026, 1, 1)).unwrap(), 50);
    // Choices are checked (dues.rounding.unit).
    let bad_choice = override_of("dues.rounding.unit", "li");
    assert!(matches!(b.apply_overrides(&[bad_choice]), Err(OverrideError::BadValue { .. })));
    let unknown = override_of("no.such.rule", 1);
    assert!(matches!(b.apply_overrides(&[unknown]), Err(OverrideError::UnknownRule { .. })));
}

#[test]
fn overrides_parse_from_a_config_file_with_lines() {
    let cfg = r#"
[server]
listen = "127.0.0.1:8080"

[rules.overrides]
"orglife.party_lecture.frequency" = { value = "monthly", from = 2026-01-01, note = "本单位规定" }
"dues.rounding.unit" = "jiao"
"election.majority_base" = { value = "entitled", from = "2025-01-01" }
"#;
    let overrides = parse_overrides("dangwu.toml", cfg).unwrap();
    assert_eq!(overrides.len(), 3);
    let lecture = overrides.iter().find(|o| o.rule == "orglife.party_lecture.frequency").unwrap();
    assert_eq!(lecture.from, Some(d(2026, 1, 1)));
    assert_eq!(lecture.origin, "dangwu.toml:6");
    let base = overrides.iter().find(|o| o.rule == "election.majority_base").unwrap();
    assert_eq!(base.from, Some(d(2025, 1, 1)));
    let mut b = book();
    b.apply_overrides(&overrides).unwrap();
    assert_eq!(b.choice("dues.rounding.unit", d(2026, 1, 1)).unwrap(), "jiao");

    let bad = "[rules.overrides]\n\"x.y\" = { value = 1, from = \"soon\" }\n";
    let err = parse_overrides("dangwu.toml", bad).unwrap_err();
    assert_eq!(err.line, Some(2));
    assert_eq!(err.rule.as_deref(), Some("x.y"));
    // No [rules] table at all is fine.
    assert!(parse_overrides("dangwu.toml", "[server]\nport = 1\n").unwrap().is_empty());
}

#[test]
fn override_spec_deserializes_from_json_too() {
    let spec: OverrideSpec = serde_json_like();
    let o = Override::from_spec("dues.rounding.mode", &spec, "env").unwrap();
    assert_eq!(o.from, Some(d(2027, 1, 1)));
}

fn serde_json_like() -> OverrideSpec {
    // The server may deserialize its config with another serde format; a TOML round-trip stands in here.
    dangwu_rules::toml::from_str::<std::collections::BTreeMap<String, OverrideSpec>>(
        "a = { value = \"up\", from = \"2027-01-01\" }",
    )
    .unwrap()
    .remove("a")
    .unwrap()
}

#[test]
fn summaries_show_value_source_and_status() {
    let b = book();
    let all = b.summaries(d(2026, 11, 29));
    assert_eq!(all.len(), b.rules().count());
    let bands = all.iter().find(|s| s.id == "dues.employed.bands").unwrap();
    assert!(bands.value_text.contains("≤3000.00元 0.5%"), "{}", bands.value_text);
    assert!(bands.source.regulation.contains("中组发〔2008〕3号"));
    assert!(!bands.overridable);
    let json = serde_json_value(&bands.value);
    assert!(json.contains("\"up_to_fen\":300000"), "{json}");
    let quorum = all.iter().find(|s| s.id == "orglife.general_meeting.quorum").unwrap();
    assert_eq!(quorum.value, RuleValue::Ratio(dangwu_rules::book::Ratio { num: 1, den: 2 }));
    assert_eq!(serde_json_value(&quorum.value), "\"1/2\"");
}

fn serde_json_value<T: serde::Serialize>(v: &T) -> String {
    serde_json::to_string(v).unwrap()
}
