//! Requests several of the server's test files make the same way.

use std::fmt::Display;

use dangwu_testkit::{Reply, Session};
use serde_json::json;

/// Asks, as `who`, to dissolve organization `org` on `on` (`YYYY-MM-DD`) for `reason`.
pub async fn dissolve(who: &Session, org: impl Display, on: &str, reason: &str) -> Reply {
    who.post(&format!("/api/v1/organizations/{org}/dissolve"), &json!({"dissolved_on": on, "reason": reason})).await
}
