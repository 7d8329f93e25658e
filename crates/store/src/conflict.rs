//! What a refused write conflicts with: one closed list of causes, each with the stable code the API
//! answers (docs/API.md lists them all) and the request field it concerns.

/// The cause of a [`crate::StoreError::Conflict`].
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Conflict {
    /// The record was changed by someone else since the editor read it.
    StaleVersion,
    /// The ID number is already registered for another member.
    DuplicateIdNumber,
    /// The user name is taken.
    DuplicateUsername,
    /// The user already holds this role on this organization.
    DuplicateGrant,
    /// The branch's appraisal of that year has already begun.
    DuplicateAppraisal,
    /// The member record is linked to another account already.
    MemberAlreadyLinked,
    /// The organization named by the request does not exist.
    UnknownOrganization,
    /// The member named by the request does not exist, or is not on the list it should be on.
    UnknownMember,
    /// The meeting named by the request is not a held meeting of the organization.
    UnknownMeeting,
    /// An attendee is not a member of the organization (or its party groups).
    AttendeeOutside,
    /// A member named by an issue is not a member of the organization (or its party groups).
    IssueMemberOutside,
    /// The organization is dissolved already.
    AlreadyDissolved,
    /// The appraisal's grades are proposed: its entries can no longer be edited.
    AppraisalClosed,
    /// The appraisal is not at the stage the step needs.
    AppraisalStage,
    /// The step needs every full member graded, and some are not.
    Incomplete,
    /// The password reset request was decided already (or does not exist).
    ResetDecided,
    /// The password reset request is older than its time limit.
    ResetExpired,
    /// The account is locked or disabled.
    Locked,
    /// Any other conflict with stored data, told by its message.
    Other,
    /// A rule refuses it; the error names the rule.
    RuleViolation,
}

impl Conflict {
    pub const ALL: [Conflict; 20] = [
        Conflict::StaleVersion,
        Conflict::DuplicateIdNumber,
        Conflict::DuplicateUsername,
        Conflict::DuplicateGrant,
        Conflict::DuplicateAppraisal,
        Conflict::MemberAlreadyLinked,
        Conflict::UnknownOrganization,
        Conflict::UnknownMember,
        Conflict::UnknownMeeting,
        Conflict::AttendeeOutside,
        Conflict::IssueMemberOutside,
        Conflict::AlreadyDissolved,
        Conflict::AppraisalClosed,
        Conflict::AppraisalStage,
        Conflict::Incomplete,
        Conflict::ResetDecided,
        Conflict::ResetExpired,
        Conflict::Locked,
        Conflict::Other,
        Conflict::RuleViolation,
    ];

    /// The stable machine code of the API's error answer.
    pub fn code(self) -> &'static str {
        match self {
            Conflict::StaleVersion => "stale_version",
            Conflict::DuplicateIdNumber => "duplicate_id_number",
            Conflict::DuplicateUsername => "duplicate_username",
            Conflict::DuplicateGrant => "duplicate_grant",
            Conflict::DuplicateAppraisal => "duplicate_appraisal",
            Conflict::MemberAlreadyLinked => "member_already_linked",
            Conflict::UnknownOrganization => "unknown_organization",
            Conflict::UnknownMember => "unknown_member",
            Conflict::UnknownMeeting => "unknown_meeting",
            Conflict::AttendeeOutside => "attendee_outside",
            Conflict::IssueMemberOutside => "issue_member_outside",
            Conflict::AlreadyDissolved => "already_dissolved",
            Conflict::AppraisalClosed => "appraisal_closed",
            Conflict::AppraisalStage => "appraisal_stage",
            Conflict::Incomplete => "incomplete",
            Conflict::ResetDecided => "reset_decided",
            Conflict::ResetExpired => "reset_expired",
            Conflict::Locked => "locked",
            Conflict::Other => "conflict",
            Conflict::RuleViolation => "rule_violation",
        }
    }

    /// The request field the conflict concerns, if it concerns one.
    pub fn field(self) -> Option<&'static str> {
        match self {
            Conflict::DuplicateIdNumber => Some("id_number"),
            Conflict::UnknownOrganization => Some("organization_id"),
            Conflict::AttendeeOutside => Some("attendees"),
            Conflict::IssueMemberOutside => Some("issues"),
            _ => None,
        }
    }

    /// Whether the request names something that is not there or not allowed there: a mistake in
    /// [`Conflict::field`], answered as a validation error (400), not as a conflict with stored data.
    pub fn is_bad_input(self) -> bool {
        matches!(self, Conflict::UnknownOrganization | Conflict::AttendeeOutside | Conflict::IssueMemberOutside)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_are_distinct_and_documented() {
        let api = include_str!("../../../docs/API.md");
        let errors = &api[api.find("## Errors").expect("API.md has an Errors section")..];
        let errors = &errors[..errors[3..].find("\n## ").map_or(errors.len(), |i| i + 3)];
        let mut seen = std::collections::HashSet::new();
        for c in Conflict::ALL {
            assert!(seen.insert(c.code()), "{c:?}: code {} used twice", c.code());
            assert!(
                errors.contains(&format!("`{}`", c.code())),
                "{c:?}: `{}` is not listed in docs/API.md's Errors",
                c.code()
            );
            assert!(!c.is_bad_input() || c.field().is_some(), "{c:?}: a mistake in the input names its field");
        }
    }
}
