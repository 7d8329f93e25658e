//! The regulations as code. Pure functions only: no I/O, no clock, no async.
//! Each check names the rule it applies, so the server can report the rule id with a violation.

pub mod idcard;
pub mod member;
pub mod org;
