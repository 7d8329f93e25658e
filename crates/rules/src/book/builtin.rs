//! The rule packs and working-day calendar embedded in the crate.

/// The packs shipped with the crate: `(file name, text)`, in load order. The file names are relative to
/// the repository root, so an error message points at the file to edit.
pub const BUILTIN_SOURCES: &[(&str, &str)] = &[
    ("rules/member.toml", include_str!("../../../../rules/member.toml")),
    ("rules/org.toml", include_str!("../../../../rules/org.toml")),
    ("rules/orglife.toml", include_str!("../../../../rules/orglife.toml")),
    ("rules/recruitment.toml", include_str!("../../../../rules/recruitment.toml")),
    ("rules/dues.toml", include_str!("../../../../rules/dues.toml")),
    ("rules/calendar.toml", include_str!("../../../../rules/calendar.toml")),
];
