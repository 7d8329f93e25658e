//! The regulations as code. Pure functions only: no I/O, no clock, no async.
//! Each check names the rule it applies, so the server can report the rule id with a violation.
//!
//! Rule values live in TOML rule packs (`rules/*.toml` at the repository root, embedded here) and are
//! looked up in a [`RuleBook`] on the date of the event being judged. See docs/RULES.md.
//!
//! Modules: [`book`] (rule packs, overrides), [`calendar`] (working days), [`org`] (organization
//! setup and terms, what a temporary branch may do), [`orglife`] (meetings, quorum, written opinions
//! and lawful exclusions, appraisal), [`talk`] (谈心谈话 pair by pair), [`election`] (4/5 attendance
//! and candidate margin for any kind that elects), [`recruitment`] (发展党员 pipeline), [`dues`] (党费),
//! [`member`] and [`idcard`] (member records).

pub mod book;
pub mod calendar;
pub mod check;
pub mod codes;
pub mod dates;
pub mod dues;
pub mod election;
pub mod idcard;
pub mod member;
pub mod org;
pub mod orglife;
pub mod recruitment;
pub mod structural;
pub mod talk;

pub use book::{
    LoadError, Override, OverrideError, OverrideSpec, Rule, RuleBook, RuleError, RuleStatus, RuleSummary, RuleValue,
    Unit,
};
pub use calendar::{Basis, WorkCalendar};
pub use check::{CalcError, Check, FieldError, Level};
pub use codes::UnknownCode;
pub use structural::StructuralRule;
/// Re-exported so callers can build override values without depending on `toml` themselves.
pub use toml;

use book::Unit as U;

/// Every rule the engine looks up, with the unit it expects. [`RuleBook::check_complete`] refuses a
/// rule book that lacks one of them.
pub const REQUIRED_RULES: &[(&str, Unit)] = &[
    (member::RULE_MIN_AGE, U::Years),
    (org::RULE_ALLOWED_UNDER, U::Flag),
    (org::RULE_BRANCH_MIN_FULL, U::FullMembers),
    (org::RULE_BRANCH_MAX_MEMBERS, U::Members),
    (org::RULE_COMMITTEE_REQUIRED, U::FullMembers),
    (org::RULE_COMMITTEE_SIZE_MIN, U::Count),
    (org::RULE_COMMITTEE_SIZE_MAX, U::Count),
    (org::RULE_GENERAL_BRANCH_MIN, U::Members),
    (org::RULE_PRIMARY_COMMITTEE_MIN, U::Members),
    (org::RULE_COUNTS_PROBATIONARY, U::Flag),
    (org::RULE_JOINT_MAX_UNITS, U::Units),
    (org::RULE_TEMPORARY_BRANCH_LIMITS, U::Flag),
    (org::RULE_TERM_COMMITTEE, U::Years),
    (org::RULE_TERM_GENERAL_BRANCH, U::Years),
    (org::RULE_TERM_BRANCH, U::Years),
    (org::RULE_TERM_REMINDER, U::Months),
    (org::RULE_TERM_MAX_ADJUST, U::Years),
    (org::RULE_DELEGATES_CONGRESS, U::Members),
    (orglife::RULE_GENERAL_MEETING_FREQUENCY, U::Frequency),
    (orglife::RULE_GENERAL_MEETING_QUORUM, U::Ratio),
    (orglife::RULE_GENERAL_MEETING_MAJORITY, U::Ratio),
    (orglife::RULE_GENERAL_MEETING_EXCLUSION, U::Flag),
    (orglife::RULE_COMMITTEE_FREQUENCY, U::Frequency),
    (orglife::RULE_COMMITTEE_QUORUM, U::Ratio),
    (orglife::RULE_PARTY_GROUP_FREQUENCY, U::Frequency),
    (orglife::RULE_LECTURE_FREQUENCY, U::Frequency),
    (orglife::RULE_COMMITTEE_SECRETARY_LECTURE, U::Count),
    (orglife::RULE_BRANCH_SECRETARY_LECTURE, U::Count),
    (orglife::RULE_THEME_DAY_FREQUENCY, U::Frequency),
    (orglife::RULE_LIFE_MEETING_FREQUENCY, U::Frequency),
    (orglife::RULE_LIFE_MEETING_QUARTER, U::Quarter),
    (orglife::RULE_APPRAISAL_FREQUENCY, U::Frequency),
    (orglife::RULE_APPRAISAL_EXCELLENT_CAP, U::Ratio),
    (orglife::RULE_APPRAISAL_GRADE_PROBATIONARY, U::Flag),
    (orglife::RULE_TALK_PER_PAIR, U::Count),
    (orglife::RULE_ELECTION_QUORUM, U::Ratio),
    (orglife::RULE_ELECTION_MAJORITY_BASE, U::Choice),
    (orglife::RULE_ELECTION_CANDIDATE_MARGIN, U::Percent),
    (election::RULE_DELEGATE_CANDIDATE_MARGIN, U::Percent),
    (recruitment::RULE_STEP_ORDER, U::Flag),
    (recruitment::RULE_TALK_WITHIN, U::Months),
    (recruitment::RULE_ACTIVIST_AFTER_APPLICATION, U::Months),
    (recruitment::RULE_MENTORS_MIN, U::Count),
    (recruitment::RULE_MENTORS_MAX, U::Count),
    (recruitment::RULE_ACTIVIST_ASSESSMENT, U::Months),
    (recruitment::RULE_ACTIVIST_MIN_YEARS, U::Years),
    (recruitment::RULE_SPONSORS, U::Count),
    (recruitment::RULE_POLITICAL_REVIEW_VALID, U::Years),
    (recruitment::RULE_TRAINING_DAYS, U::Days),
    (recruitment::RULE_TRAINING_HOURS, U::Hours),
    (recruitment::RULE_DEPARTURE, U::Months),
    (recruitment::RULE_MEETING_AFTER_PRE_REVIEW, U::Months),
    (recruitment::RULE_APPROVAL, U::Months),
    (recruitment::RULE_APPROVAL_MAX, U::Months),
    (recruitment::RULE_OATH_WITHIN, U::Months),
    (recruitment::RULE_PROBATION, U::Years),
    (recruitment::RULE_EXTENSION_MIN, U::Months),
    (recruitment::RULE_EXTENSION_MAX, U::Months),
    (recruitment::RULE_EXTENSION_COUNT, U::Count),
    (recruitment::RULE_CONVERSION_APPROVAL, U::Months),
    (recruitment::RULE_NOTICE_DAYS, U::WorkingDays),
    (recruitment::RULE_NOTICE_STEPS, U::Steps),
    (dues::RULE_EMPLOYED_BANDS, U::Bands),
    (dues::RULE_RETIRED_BANDS, U::Bands),
    (dues::RULE_FARMER_AMOUNT, U::Fen),
    (dues::RULE_RELIEF_AMOUNT, U::Fen),
    (dues::RULE_VOLUNTARY_TO_CENTRE, U::Fen),
    (dues::RULE_BACK_PAY_MAX, U::Months),
    (dues::RULE_PREPAY_MAX, U::Months),
    (dues::RULE_LAPSE, U::Months),
    (dues::RULE_ARREARS_REMINDER, U::Months),
    (dues::RULE_ROUNDING_MODE, U::Choice),
    (dues::RULE_ROUNDING_UNIT, U::Choice),
];
