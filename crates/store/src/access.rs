//! Who may see and do what. Roles are granted on an organization and cover its subtree; the SQL
//! fragments here put that rule into every query, so a handler cannot forget it.

use uuid::Uuid;

dangwu_rules::code_list! {
    /// A role on an organization (and everything below it).
    pub enum Role: "角色" {
        /// 组织部管理员
        OrgAdmin = "org_admin", "组织部管理员";
        /// 支部书记 / 党务工作者
        Secretary = "secretary", "支部书记/党务工作者";
        /// 督查组 / 评议人
        Inspector = "inspector", "督查/评议人";
        /// 党员本人
        Member = "member", "党员本人";
    }
}
text_column!(Role);

dangwu_rules::code_list! {
    /// The three security roles (三员), kept apart from domain data and from each other.
    pub enum SystemRole: "系统角色" {
        /// 系统管理员: accounts.
        SystemAdmin = "system_admin", "系统管理员";
        /// 安全保密管理员: grants.
        SecurityAdmin = "security_admin", "安全保密管理员";
        /// 安全审计员: the audit log.
        AuditAdmin = "audit_admin", "安全审计员";
    }
}
text_column!(SystemRole);

/// The person (or token) acting, as recorded in the audit log.
#[derive(Debug, Clone)]
pub struct Actor {
    pub user_id: Uuid,
    pub name: String,
    pub ip: Option<String>,
}

/// What an action needs. Each maps to the roles that allow it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    /// See organizations and members of the subtree.
    Read,
    /// See full ID numbers and phone numbers.
    Unmask,
    /// Edit an organization's own fields.
    EditOrg,
    /// Create, move and dissolve organizations.
    ManageOrgs,
    /// Create and edit member records.
    WriteMembers,
}

impl Access {
    /// The roles that allow this, as an SQL list of literals (constants, never user input).
    pub fn role_list(self) -> &'static str {
        match self {
            Access::Read => "('org_admin','secretary','inspector')",
            Access::Unmask | Access::EditOrg | Access::WriteMembers => "('org_admin','secretary')",
            Access::ManageOrgs => "('org_admin')",
        }
    }

    pub fn allows(self, role: Role) -> bool {
        self.role_list().contains(&format!("'{}'", role.code()))
    }
}

/// The rows of the user's grants allowing `access` over the organization `org`: what [`covers`] and
/// [`covers_each_row`] test for.
fn grant_rows(access: Access, user: &str, org: &str) -> String {
    format!(
        "FROM grants g JOIN org_closure c ON c.ancestor = g.organization_id \
         WHERE g.user_id = {user} AND c.descendant = {org} AND g.role IN {roles}",
        roles = access.role_list()
    )
}

/// SQL condition: the user (placeholder `user`) holds a role allowing `access` on an ancestor-or-self
/// of the organization `org` (a column, a placeholder or a scalar subquery).
pub fn covers(access: Access, user: &str, org: &str) -> String {
    format!("EXISTS (SELECT 1 {})", grant_rows(access, user, org))
}

/// As [`covers`], phrased so that it is checked row by row: an aggregate subquery cannot be turned
/// into a join. For lists read in index order until the page is full, where PostgreSQL would
/// otherwise join every organization under the user's grants first and sort.
pub fn covers_each_row(access: Access, user: &str, org: &str) -> String {
    format!("(SELECT COUNT(*) {}) > 0", grant_rows(access, user, org))
}

/// SQL query: the organizations under the user's grants allowing `access` (`c.descendant`; the
/// grant is `g`), for `IN (…)`: the grant check as one set per request instead of a test per row.
pub fn granted_orgs(access: Access, user: &str) -> String {
    format!(
        "SELECT c.descendant FROM grants g JOIN org_closure c ON c.ancestor = g.organization_id \
         WHERE g.user_id = {user} AND g.role IN {roles}",
        roles = access.role_list()
    )
}

/// What of an organization's members the user may read there.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadScope {
    /// All of them: a role allowing [`Access::Read`] covers the organization.
    Whole,
    /// Only this member, the user's own record, through the member role on their own organization.
    Member(Uuid),
}

/// The user's own member record and its organization, when the user holds the member role there.
/// The link between account and member is set by the system admin and opens nothing by itself:
/// access comes only from grants, which the security admin gives. (The member role can only be
/// granted on the member's own organization; after a transfer it covers nothing until granted again.)
fn own_member(user: &str, column: &str) -> String {
    format!(
        "SELECT {column} FROM users u JOIN members own ON own.id = u.member_id WHERE u.id = {user} \
         AND EXISTS (SELECT 1 FROM grants g WHERE g.user_id = u.id AND g.role = '{role}' \
         AND g.organization_id = own.organization_id)",
        role = Role::Member.code()
    )
}

/// SQL condition: the member in column `member_column` is the user's own member record, and the user
/// holds the member role on its organization.
pub fn is_self(user: &str, member_column: &str) -> String {
    format!("{member_column} = ({})", own_member(user, "u.member_id"))
}

/// SQL condition: the organization in `org_column` holds the user's own member record, and the user
/// holds the member role on it. It makes the organization itself visible (name, place in the tree,
/// its member counts, and its committee: names and posts, as announced to the branch after each
/// election), not its roster, meetings or other work.
pub fn is_own_org(user: &str, org_column: &str) -> String {
    format!("{org_column} = ({})", own_member(user, "own.organization_id"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn role_lists() {
        assert!(Access::Read.allows(Role::Inspector));
        assert!(!Access::Unmask.allows(Role::Inspector));
        assert!(Access::ManageOrgs.allows(Role::OrgAdmin));
        assert!(!Access::ManageOrgs.allows(Role::Secretary));
        assert!(!Access::Read.allows(Role::Member));
    }
}
