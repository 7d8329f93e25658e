//! Rules about the shape of things — where an organization may stand in the tree, who may hold which
//! role, which meetings an organization holds. They carry no number, so they are not in the rule
//! packs; they are declared here, once, and every refusal names one of them by its id, as refusals
//! by a pack rule do. docs/RULES.md lists them.

use serde::Serialize;

/// A rule without a configurable value.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize)]
#[serde(into = "StructuralRuleSummary")]
pub enum StructuralRule {
    /// A committee, general branch, branch or party group only under the kinds of organization that may hold it.
    OrgTreeShape,
    /// Nothing new under, or moved under, a dissolved organization; no member into one.
    OrgParentActive,
    /// No organization under itself or under one of its own subordinates.
    OrgTreeCycle,
    /// An organization with active subordinates is not dissolved.
    OrgDissolveChildren,
    /// An organization whose members have not been transferred is not dissolved.
    OrgDissolveMembers,
    /// A member's formal organizational relationship is held by an ordinary or joint branch: not a
    /// committee, nor a party group or temporary branch, where members are placed instead.
    MemberOrganizationKind,
    /// The three security roles (system, security, audit admin) hold no organization role.
    SecuritySeparation,
    /// The member role is granted only to an account linked to a member, on that member's organization.
    SecurityMemberSelf,
    /// The democratic appraisal of members is held branch by branch.
    AppraisalBranch,
    /// Each kind of meeting is held by the kinds of organization it belongs to.
    MeetingKindForOrganization,
    /// Members are placed only in a party group or a temporary branch.
    PlacementOrganizationKind,
    /// A party group's members are members of the branch it divides.
    PlacementPartyGroupBranch,
    /// A member is placed in one party group at most.
    PlacementOnePartyGroup,
}

impl StructuralRule {
    pub const ALL: [StructuralRule; 13] = [
        StructuralRule::OrgTreeShape,
        StructuralRule::OrgParentActive,
        StructuralRule::OrgTreeCycle,
        StructuralRule::OrgDissolveChildren,
        StructuralRule::OrgDissolveMembers,
        StructuralRule::MemberOrganizationKind,
        StructuralRule::SecuritySeparation,
        StructuralRule::SecurityMemberSelf,
        StructuralRule::AppraisalBranch,
        StructuralRule::MeetingKindForOrganization,
        StructuralRule::PlacementOrganizationKind,
        StructuralRule::PlacementPartyGroupBranch,
        StructuralRule::PlacementOnePartyGroup,
    ];

    /// The stable id that refusals carry (`rule` in the API's error body).
    pub fn id(self) -> &'static str {
        match self {
            StructuralRule::OrgTreeShape => "org.tree_shape",
            StructuralRule::OrgParentActive => "org.parent_active",
            StructuralRule::OrgTreeCycle => "org.tree_cycle",
            StructuralRule::OrgDissolveChildren => "org.dissolve_children",
            StructuralRule::OrgDissolveMembers => "org.dissolve_members",
            StructuralRule::MemberOrganizationKind => "member.organization_kind",
            StructuralRule::SecuritySeparation => "security.separation",
            StructuralRule::SecurityMemberSelf => "security.member_self",
            StructuralRule::AppraisalBranch => "orglife.appraisal.branch",
            StructuralRule::MeetingKindForOrganization => "orglife.kind_for_organization",
            StructuralRule::PlacementOrganizationKind => "placement.organization_kind",
            StructuralRule::PlacementPartyGroupBranch => "placement.party_group_branch",
            StructuralRule::PlacementOnePartyGroup => "placement.one_party_group",
        }
    }

    /// What the rule says, as users read it.
    pub fn title(self) -> &'static str {
        match self {
            StructuralRule::OrgTreeShape => "组织设置须符合层级：党委下设总支、支部，总支下设支部，党小组设在支部之下",
            StructuralRule::OrgParentActive => "已撤销的组织下不能新建、移入组织或接收党员",
            StructuralRule::OrgTreeCycle => "组织不能移到它自己或它的下级组织之下",
            StructuralRule::OrgDissolveChildren => "有下级组织的组织须先撤销或移走下级组织才能撤销",
            StructuralRule::OrgDissolveMembers => "组织撤销前须先转接其党员的组织关系",
            StructuralRule::MemberOrganizationKind => {
                "党员的组织关系隶属于党支部（含联合党支部）；临时党支部、党小组不接收组织关系，党员编入其中"
            }
            StructuralRule::SecuritySeparation => "系统管理员、安全保密管理员、安全审计员（三员）不兼任组织角色",
            StructuralRule::SecurityMemberSelf => "“党员本人”角色只授予已关联党员的账号，且只在其所在组织上",
            StructuralRule::AppraisalBranch => "民主评议党员以党支部为单位进行",
            StructuralRule::MeetingKindForOrganization => {
                "各类会议由相应组织召开（如党小组会由党小组、支委会由支部委员会）"
            }
            StructuralRule::PlacementOrganizationKind => "党员只编入党小组或临时党支部，组织关系仍在所在党支部",
            StructuralRule::PlacementPartyGroupBranch => "编入党小组的党员须是该党小组所在党支部的党员",
            StructuralRule::PlacementOnePartyGroup => "一名党员只编入一个党小组",
        }
    }

    /// Where the rule comes from: a row of reference/regulations.md, or the standard it serves.
    pub fn basis(self) -> &'static str {
        match self {
            StructuralRule::OrgTreeShape => "regulations.md 1.3–1.5, 1.10",
            StructuralRule::OrgParentActive => "regulations.md 1.2（组织的设立和撤销由上级党组织决定）",
            StructuralRule::OrgTreeCycle => "组织隶属关系须成树（数据完整性）",
            StructuralRule::OrgDissolveChildren => {
                "regulations.md 1.2（组织的撤销由上级党组织决定，下级组织须先有归属）"
            }
            StructuralRule::OrgDissolveMembers => "regulations.md 1.2（撤销组织时党员组织关系须有归属）",
            StructuralRule::MemberOrganizationKind => {
                "regulations.md 1.5–1.7a, 1.10（党员编入党支部；临时党支部的党员组织关系不转接，党小组不单独接收组织关系）"
            }
            StructuralRule::SecuritySeparation => "GB/T 22239-2019 三级 8.1.4.2（三员分立）",
            StructuralRule::SecurityMemberSelf => "最小授权（GB/T 22239-2019 8.1.4.2）",
            StructuralRule::AppraisalBranch => "regulations.md 3.9（民主评议党员以支部为单位）",
            StructuralRule::MeetingKindForOrganization => "regulations.md 3.1–3.5",
            StructuralRule::PlacementOrganizationKind => "regulations.md 1.7a, 1.10",
            StructuralRule::PlacementPartyGroupBranch => "regulations.md 1.10（党支部划分党小组）",
            StructuralRule::PlacementOnePartyGroup => "regulations.md 1.10, 4.19（编入党支部和党小组）",
        }
    }

    pub fn from_id(id: &str) -> Option<StructuralRule> {
        StructuralRule::ALL.into_iter().find(|r| r.id() == id)
    }
}

impl std::fmt::Display for StructuralRule {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.id())
    }
}

/// A structural rule as the rules page shows it.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct StructuralRuleSummary {
    pub id: &'static str,
    pub title: &'static str,
    pub basis: &'static str,
}

impl From<StructuralRule> for StructuralRuleSummary {
    fn from(r: StructuralRule) -> StructuralRuleSummary {
        StructuralRuleSummary { id: r.id(), title: r.title(), basis: r.basis() }
    }
}

#[cfg(test)]
mod tests {
    use super::StructuralRule;

    #[test]
    fn ids_are_unique_and_round_trip() {
        for r in StructuralRule::ALL {
            assert_eq!(StructuralRule::from_id(r.id()), Some(r));
            assert_eq!(StructuralRule::ALL.iter().filter(|o| o.id() == r.id()).count(), 1, "{r}");
            assert!(!r.title().is_empty() && !r.basis().is_empty(), "{r}");
        }
        assert_eq!(StructuralRule::from_id("org.unknown"), None);
    }
}
