//! Organization kinds and which kind may sit under which (组织设置).

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum OrgKind {
    /// 集团党委: the enterprise group's top committee.
    GroupCommittee,
    /// 基层党委
    PrimaryCommittee,
    /// 党总支
    GeneralBranch,
    /// 党支部
    Branch,
    /// 联合党支部
    JointBranch,
    /// 临时党支部
    TemporaryBranch,
    /// 党小组
    PartyGroup,
}

impl OrgKind {
    pub const ALL: [OrgKind; 7] = [
        OrgKind::GroupCommittee,
        OrgKind::PrimaryCommittee,
        OrgKind::GeneralBranch,
        OrgKind::Branch,
        OrgKind::JointBranch,
        OrgKind::TemporaryBranch,
        OrgKind::PartyGroup,
    ];

    pub fn code(self) -> &'static str {
        match self {
            OrgKind::GroupCommittee => "group_committee",
            OrgKind::PrimaryCommittee => "primary_committee",
            OrgKind::GeneralBranch => "general_branch",
            OrgKind::Branch => "branch",
            OrgKind::JointBranch => "joint_branch",
            OrgKind::TemporaryBranch => "temporary_branch",
            OrgKind::PartyGroup => "party_group",
        }
    }

    pub fn from_code(code: &str) -> Option<OrgKind> {
        OrgKind::ALL.into_iter().find(|k| k.code() == code)
    }

    pub fn label(self) -> &'static str {
        match self {
            OrgKind::GroupCommittee => "集团党委",
            OrgKind::PrimaryCommittee => "基层党委",
            OrgKind::GeneralBranch => "党总支",
            OrgKind::Branch => "党支部",
            OrgKind::JointBranch => "联合党支部",
            OrgKind::TemporaryBranch => "临时党支部",
            OrgKind::PartyGroup => "党小组",
        }
    }

    pub fn is_committee(self) -> bool {
        matches!(self, OrgKind::GroupCommittee | OrgKind::PrimaryCommittee)
    }

    pub fn is_branch(self) -> bool {
        matches!(self, OrgKind::Branch | OrgKind::JointBranch | OrgKind::TemporaryBranch)
    }

    /// Whether members may hold their formal relationship here. A 党小组 is part of its branch, so its
    /// members belong to the branch; committees hold members only through their branches.
    pub fn holds_members(self) -> bool {
        self.is_branch() || self == OrgKind::GeneralBranch || self.is_committee()
    }
}

/// Which kinds may be created under a parent of the given kind (`None`: a root).
/// Committees lead general branches and branches; general branches lead branches; branches are divided
/// into party groups (支部工作条例 第十三条).
pub fn allowed_under(parent: Option<OrgKind>, child: OrgKind) -> bool {
    use OrgKind::*;
    match parent {
        None => matches!(child, GroupCommittee | PrimaryCommittee),
        Some(GroupCommittee) | Some(PrimaryCommittee) => child != GroupCommittee,
        Some(GeneralBranch) => child.is_branch(),
        Some(Branch) | Some(JointBranch) | Some(TemporaryBranch) => child == PartyGroup,
        Some(PartyGroup) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for k in OrgKind::ALL {
            assert_eq!(OrgKind::from_code(k.code()), Some(k));
        }
        assert_eq!(OrgKind::from_code("club"), None);
    }

    #[test]
    fn tree_shape() {
        use OrgKind::*;
        assert!(allowed_under(None, GroupCommittee));
        assert!(!allowed_under(None, Branch));
        assert!(allowed_under(Some(GroupCommittee), PrimaryCommittee));
        assert!(allowed_under(Some(PrimaryCommittee), GeneralBranch));
        assert!(allowed_under(Some(GeneralBranch), JointBranch));
        assert!(!allowed_under(Some(GeneralBranch), GeneralBranch));
        assert!(allowed_under(Some(Branch), PartyGroup));
        assert!(!allowed_under(Some(Branch), Branch));
        assert!(!allowed_under(Some(PartyGroup), PartyGroup));
    }
}
