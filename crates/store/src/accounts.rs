//! Accounts: users, role grants, login sessions and API tokens. Password hashing and token generation
//! happen in the server; this layer stores only hashes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::Event;
use crate::{Actor, Conflict, Db, Result, Role, StoreError, SystemRole, Tx, new_id, q};
use dangwu_rules::StructuralRule;

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub member_id: Option<Uuid>,
    pub system_role: Option<SystemRole>,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
    /// After an administrator's reset the password only allows setting a new one.
    pub must_change_password: bool,
    /// Who reset the password and when, told to the owner at their next login.
    pub password_reset_by: Option<String>,
    pub password_reset_at: Option<DateTime<Utc>>,
}

impl User {
    pub fn system_role(&self) -> Option<SystemRole> {
        self.system_role
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Grant {
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: Role,
    pub organization_id: Uuid,
    pub organization_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: Uuid,
    pub csrf_token: String,
    pub created_at: DateTime<Utc>,
    pub expires_at: DateTime<Utc>,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct ApiToken {
    pub id: Uuid,
    pub name: String,
    pub created_at: DateTime<Utc>,
    pub last_used_at: Option<DateTime<Utc>>,
}

pub struct NewUser<'a> {
    pub username: &'a str,
    pub display_name: &'a str,
    pub password_hash: &'a str,
    pub member_id: Option<Uuid>,
    pub system_role: Option<SystemRole>,
}

fn member_linked() -> StoreError {
    StoreError::conflict(Conflict::MemberAlreadyLinked, "该党员已关联其他账号，一名党员只能关联一个账号")
}

const USER_SELECT: &str = "SELECT id, username, display_name, password_hash, member_id, system_role, \
    disabled, failed_logins, locked_until, created_at, must_change_password, password_reset_by, password_reset_at \
    FROM users";

/// The user's columns and the grant's, for the caller lookups.
const CALLER_COLUMNS: &str = "u.id, u.username, u.display_name, u.password_hash, u.member_id, u.system_role, \
    u.disabled, u.failed_logins, u.locked_until, u.created_at, u.must_change_password, u.password_reset_by, \
    u.password_reset_at, g.id AS grant_id, g.role AS grant_role, g.organization_id AS grant_org, \
    o.name AS grant_org_name";
const CALLER_GRANTS: &str =
    "LEFT JOIN grants g ON g.user_id = u.id LEFT JOIN organizations o ON o.id = g.organization_id";

/// One row of a caller lookup: the user, the session's or token's own columns, and one grant (none
/// when the user holds none).
#[derive(sqlx::FromRow)]
struct CallerRow {
    #[sqlx(flatten)]
    user: User,
    auth_text: Option<String>,
    auth_created_at: Option<DateTime<Utc>>,
    auth_expires_at: Option<DateTime<Utc>>,
    auth_id: Option<Uuid>,
    grant_id: Option<Uuid>,
    grant_role: Option<Role>,
    grant_org: Option<Uuid>,
    grant_org_name: Option<String>,
}

/// The first row's own columns, the user, and every row's grant.
type Gathered = (CallerRow, User, Vec<Grant>);

impl CallerRow {
    fn gather(rows: Vec<CallerRow>) -> Option<Gathered> {
        let mut grants = Vec::new();
        for row in &rows {
            if let (Some(id), Some(role), Some(organization_id), Some(organization_name)) =
                (row.grant_id, row.grant_role, row.grant_org, row.grant_org_name.clone())
            {
                grants.push(Grant { id, user_id: row.user.id, role, organization_id, organization_name });
            }
        }
        let first = rows.into_iter().next()?;
        let user = first.user.clone();
        Some((first, user, grants))
    }
}

impl Db {
    pub async fn user_by_name(&self, username: &str) -> Result<Option<User>> {
        self.fetch_optional(q(&format!("{USER_SELECT} WHERE username = $1")).bind(username)).await
    }

    pub async fn user_by_id(&self, id: Uuid) -> Result<User> {
        self.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(id)).await
    }

    pub async fn list_users(&self) -> Result<Vec<User>> {
        self.fetch_all(q(&format!("{USER_SELECT} ORDER BY username"))).await
    }

    pub async fn create_user(&self, actor: &Actor, new: &NewUser<'_>, now: DateTime<Utc>) -> Result<User> {
        let mut tx = self.begin().await?;
        if let Some(member) = new.member_id {
            let found: Option<(Uuid,)> =
                tx.fetch_optional(q("SELECT id FROM members WHERE id = $1").bind(member)).await?;
            if found.is_none() {
                return Err(StoreError::conflict(Conflict::UnknownMember, "关联的党员不存在"));
            }
            let linked: Option<(Uuid,)> =
                tx.fetch_optional(q("SELECT id FROM users WHERE member_id = $1").bind(member)).await?;
            if linked.is_some() {
                return Err(member_linked());
            }
        }
        let id = new_id();
        tx.execute(
            q("INSERT INTO users (id, username, display_name, password_hash, member_id, system_role, disabled, \
               failed_logins, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, 0, $8)")
            .bind(id)
            .bind(new.username)
            .bind(new.display_name)
            .bind(new.password_hash)
            .bind(new.member_id)
            .bind(new.system_role.map(SystemRole::code))
            .bind(false)
            .bind(now),
        )
        .await
        .map_err(|e| {
            // The unique index on member_id settles two concurrent links of the same member.
            if e.is_unique_violation() && e.to_string().contains("member") {
                member_linked()
            } else {
                e.duplicate_as(Conflict::DuplicateUsername, "该用户名已存在")
            }
        })?;
        tx.audit(
            actor,
            now,
            Event::new("user.create", "user", id).after(serde_json::json!({
                "username": new.username, "display_name": new.display_name,
                "member_id": new.member_id, "system_role": new.system_role.map(SystemRole::code),
            })),
        )
        .await?;
        let user = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(id)).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The owner's own new password. Every other session and every API token of the old password
    /// ends; `keep_session` (the session that made the change) goes on.
    pub async fn change_own_password(
        &self,
        actor: &Actor,
        hash: &str,
        keep_session: Option<&str>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                q("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, \
                   must_change_password = $3 WHERE id = $1")
                .bind(actor.user_id)
                .bind(hash)
                .bind(false),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        end_credentials(&mut tx, actor.user_id, keep_session, now).await?;
        tx.audit(actor, now, Event::new("user.password", "user", actor.user_id)).await?;
        tx.commit().await
    }

    /// An administrator's reset. A holder of one of the three security roles is not reset here:
    /// a request is recorded instead, for a holder of another security role to approve
    /// ([`Db::approve_password_reset`]). Nobody resets their own password this way.
    pub async fn admin_reset_password(
        &self,
        actor: &Actor,
        actor_role: SystemRole,
        user: Uuid,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ResetOutcome> {
        let mut tx = self.begin().await?;
        let target: User = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(user)).await?;
        if target.id == actor.user_id {
            return Err(StoreError::Forbidden("不能重置本人的密码，请使用“修改密码”".into()));
        }
        if target.system_role.is_some() {
            let id = new_id();
            tx.execute(
                q("INSERT INTO password_resets (id, user_id, password_hash, requested_by, requested_role, \
                   requested_at, status) VALUES ($1, $2, $3, $4, $5, $6, 'pending')")
                .bind(id)
                .bind(user)
                .bind(hash)
                .bind(actor.user_id)
                .bind(actor_role.code())
                .bind(now),
            )
            .await?;
            tx.audit(
                actor,
                now,
                Event::new("password_reset.request", "password_reset", id).after(serde_json::json!({
                    "user_id": user, "username": target.username, "system_role": target.system_role,
                })),
            )
            .await?;
            tx.commit().await?;
            return Ok(ResetOutcome::Pending(id));
        }
        apply_reset(&mut tx, actor, &target, hash, &actor.name, now).await?;
        tx.commit().await?;
        Ok(ResetOutcome::Reset)
    }

    /// A reset by the operator on the server's command line (recovery when no administrator can
    /// log in): a one-time password like any other reset.
    pub async fn operator_reset_password(
        &self,
        actor: &Actor,
        user: Uuid,
        hash: &str,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let target: User = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(user)).await?;
        apply_reset(&mut tx, actor, &target, hash, &actor.name, now).await?;
        tx.commit().await
    }

    pub async fn set_disabled(&self, actor: &Actor, user: Uuid, disabled: bool, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx.execute(q("UPDATE users SET disabled = $2 WHERE id = $1").bind(user).bind(disabled)).await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // Enabling again must not bring back what was out in the world before.
        end_credentials(&mut tx, user, None, now).await?;
        tx.audit(actor, now, Event::new(if disabled { "user.disable" } else { "user.enable" }, "user", user)).await?;
        tx.commit().await
    }

    /// Counts a failed login (or a wrong old password) in one statement, so that parallel attempts
    /// cannot each read the same count. Once `max` failures are reached the account is locked until
    /// `lock_until`; a lock in force is not extended, and a lock that has run out starts a new count.
    /// Returns whether the account is now locked.
    pub async fn record_login_failure(
        &self,
        actor: &Actor,
        max: i64,
        lock_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<bool> {
        let mut tx = self.begin().await?;
        let (failures, locked): (i64, Option<DateTime<Utc>>) = tx
            .fetch_one(
                q("UPDATE users SET \
                     failed_logins = CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 \
                                          ELSE failed_logins + 1 END, \
                     locked_until = CASE \
                       WHEN locked_until IS NOT NULL AND locked_until > $2 THEN locked_until \
                       WHEN (CASE WHEN locked_until IS NOT NULL AND locked_until <= $2 THEN 1 \
                                  ELSE failed_logins + 1 END) >= $3 THEN $4 \
                       ELSE NULL END \
                   WHERE id = $1 RETURNING failed_logins, locked_until")
                .bind(actor.user_id)
                .bind(now)
                .bind(max)
                .bind(lock_until),
            )
            .await?;
        let locked = locked.is_some_and(|t| t > now);
        let just_locked = locked && failures == max;
        tx.audit(
            actor,
            now,
            Event::new(if just_locked { "session.locked" } else { "session.login_failed" }, "user", actor.user_id)
                .after(serde_json::json!({ "failures": failures })),
        )
        .await?;
        tx.commit().await?;
        Ok(locked)
    }

    /// A failed login for a name that has no account, recorded like any other failure.
    pub async fn record_unknown_login(&self, ip: Option<String>, username: &str, now: DateTime<Utc>) -> Result<()> {
        let actor = Actor { user_id: Uuid::nil(), name: "（未知用户）".into(), ip };
        // What was typed is kept short and printable: it may be a password entered in the wrong field.
        let typed: String = username.chars().filter(|c| !c.is_control()).take(32).collect();
        let mut tx = self.begin().await?;
        tx.audit(
            &actor,
            now,
            Event::new("session.login_failed", "user", None).after(serde_json::json!({ "username": typed })),
        )
        .await?;
        tx.commit().await
    }

    /// Opens a session after a successful login, unless the account was locked or disabled in the
    /// meantime (checked in the same statement that clears the failure count). Returns the user as
    /// the login found it: a reset notice is shown once more after the new password is set, then
    /// cleared.
    pub async fn create_session(
        &self,
        actor: &Actor,
        token_hash: &str,
        csrf: &str,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<User> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                q("UPDATE users SET failed_logins = 0, locked_until = NULL \
                   WHERE id = $1 AND disabled = $3 AND (locked_until IS NULL OR locked_until <= $2)")
                .bind(actor.user_id)
                .bind(now)
                .bind(false),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(Conflict::Locked, "账号已临时锁定或已停用"));
        }
        let user: User = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(actor.user_id)).await?;
        if !user.must_change_password && user.password_reset_at.is_some() {
            tx.execute(
                q("UPDATE users SET password_reset_by = NULL, password_reset_at = NULL WHERE id = $1")
                    .bind(actor.user_id),
            )
            .await?;
        }
        tx.execute(q("DELETE FROM sessions WHERE expires_at < $1").bind(now)).await?;
        tx.execute(
            q("INSERT INTO sessions (token_hash, user_id, csrf_token, created_at, expires_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(token_hash)
                .bind(actor.user_id)
                .bind(csrf)
                .bind(now)
                .bind(expires),
        )
        .await?;
        tx.audit(actor, now, Event::new("session.login", "user", actor.user_id)).await?;
        tx.commit().await?;
        Ok(user)
    }

    /// The session behind a cookie, its user and the user's grants, in one statement: this runs
    /// before every request, so it is one round trip, not three.
    pub async fn session_caller(&self, token_hash: &str) -> Result<Option<(SessionRow, User, Vec<Grant>)>> {
        let rows: Vec<CallerRow> = self
            .fetch_all(
                q(&format!(
                    "SELECT {CALLER_COLUMNS}, s.csrf_token AS auth_text, s.created_at AS auth_created_at, \
                     s.expires_at AS auth_expires_at, CAST(NULL AS UUID) AS auth_id \
                     FROM sessions s JOIN users u ON u.id = s.user_id {CALLER_GRANTS} \
                     WHERE s.token_hash = $1 ORDER BY g.id"
                ))
                .bind(token_hash),
            )
            .await?;
        let Some((first, user, grants)) = CallerRow::gather(rows) else { return Ok(None) };
        let (Some(csrf_token), Some(created_at), Some(expires_at)) =
            (first.auth_text, first.auth_created_at, first.auth_expires_at)
        else {
            return Ok(None);
        };
        Ok(Some((SessionRow { user_id: user.id, csrf_token, created_at, expires_at }, user, grants)))
    }

    /// Slides the session's expiry forward.
    pub async fn extend_session(&self, token_hash: &str, expires: DateTime<Utc>) -> Result<()> {
        self.execute(q("UPDATE sessions SET expires_at = $2 WHERE token_hash = $1").bind(token_hash).bind(expires))
            .await?;
        Ok(())
    }

    pub async fn end_session(&self, actor: &Actor, token_hash: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(q("DELETE FROM sessions WHERE token_hash = $1").bind(token_hash)).await?;
        tx.audit(actor, now, Event::new("session.logout", "user", actor.user_id)).await?;
        tx.commit().await
    }

    pub async fn grants_of(&self, user: Uuid) -> Result<Vec<Grant>> {
        self.fetch_all(
            q("SELECT g.id, g.user_id, g.role, g.organization_id, o.name AS organization_name \
               FROM grants g JOIN organizations o ON o.id = g.organization_id WHERE g.user_id = $1 ORDER BY g.id")
            .bind(user),
        )
        .await
    }

    pub async fn all_grants(&self) -> Result<Vec<Grant>> {
        self.fetch_all(q("SELECT g.id, g.user_id, g.role, g.organization_id, o.name AS organization_name \
             FROM grants g JOIN organizations o ON o.id = g.organization_id ORDER BY g.id"))
            .await
    }

    /// Grants a role on an organization. Holders of a system role get no organization roles, so that
    /// the three security roles stay apart from domain data.
    pub async fn grant(&self, actor: &Actor, user: Uuid, role: Role, org: Uuid, now: DateTime<Utc>) -> Result<Grant> {
        let mut tx = self.begin().await?;
        let target: User = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(user)).await?;
        if target.system_role.is_some() {
            return Err(StoreError::rule(
                StructuralRule::SecuritySeparation,
                "系统管理角色（三员）不能同时持有组织角色",
            ));
        }
        let org_exists: Option<(Uuid,)> =
            tx.fetch_optional(q("SELECT id FROM organizations WHERE id = $1").bind(org)).await?;
        if org_exists.is_none() {
            return Err(StoreError::conflict(Conflict::UnknownOrganization, "组织不存在"));
        }
        if role == Role::Member {
            let own: Option<(Uuid,)> = tx
                .fetch_optional(q("SELECT m.organization_id FROM members m WHERE m.id = $1").bind(target.member_id))
                .await?;
            if own.map(|(o,)| o) != Some(org) {
                return Err(StoreError::rule(
                    StructuralRule::SecurityMemberSelf,
                    "“党员本人”角色只能授予已关联党员、且在其所在组织上",
                ));
            }
        }
        let id = new_id();
        tx.execute(
            q("INSERT INTO grants (id, user_id, role, organization_id, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(user)
                .bind(role.code())
                .bind(org)
                .bind(now),
        )
        .await
        .map_err(|e| e.duplicate_as(Conflict::DuplicateGrant, "该授权已存在"))?;
        tx.audit(
            actor,
            now,
            Event::new("grant.create", "grant", id)
                .in_org(org)
                .after(serde_json::json!({"user_id": user, "username": target.username, "role": role.code()})),
        )
        .await?;
        let grant = tx
            .fetch_one(
                q("SELECT g.id, g.user_id, g.role, g.organization_id, o.name AS organization_name \
                   FROM grants g JOIN organizations o ON o.id = g.organization_id WHERE g.id = $1")
                .bind(id),
            )
            .await?;
        tx.commit().await?;
        Ok(grant)
    }

    pub async fn revoke(&self, actor: &Actor, grant: Uuid, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let g: Grant = tx
            .fetch_one(
                q("SELECT g.id, g.user_id, g.role, g.organization_id, o.name AS organization_name \
                   FROM grants g JOIN organizations o ON o.id = g.organization_id WHERE g.id = $1")
                .bind(grant),
            )
            .await?;
        tx.execute(q("DELETE FROM grants WHERE id = $1").bind(grant)).await?;
        tx.audit(
            actor,
            now,
            Event::new("grant.revoke", "grant", grant)
                .in_org(g.organization_id)
                .before(serde_json::json!({"user_id": g.user_id, "role": g.role})),
        )
        .await?;
        tx.commit().await
    }

    pub async fn create_token(
        &self,
        actor: &Actor,
        name: &str,
        token_hash: &str,
        now: DateTime<Utc>,
    ) -> Result<ApiToken> {
        let mut tx = self.begin().await?;
        let id = new_id();
        tx.execute(
            q("INSERT INTO api_tokens (id, user_id, name, token_hash, created_at) VALUES ($1, $2, $3, $4, $5)")
                .bind(id)
                .bind(actor.user_id)
                .bind(name)
                .bind(token_hash)
                .bind(now),
        )
        .await?;
        tx.audit(actor, now, Event::new("token.create", "token", id).after(serde_json::json!({ "name": name })))
            .await?;
        tx.commit().await?;
        Ok(ApiToken { id, name: name.to_owned(), created_at: now, last_used_at: None })
    }

    pub async fn tokens_of(&self, user: Uuid) -> Result<Vec<ApiToken>> {
        self.fetch_all(
            q("SELECT id, name, created_at, last_used_at FROM api_tokens WHERE user_id = $1 AND revoked_at IS NULL ORDER BY id")
                .bind(user),
        )
        .await
    }

    /// The user behind an unrevoked token and their grants, in one statement. The token's last use
    /// is written at most once a minute, so that a client calling with its token does not take the
    /// write lock on every request.
    pub async fn token_caller(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<(User, Vec<Grant>)>> {
        let rows: Vec<CallerRow> = self
            .fetch_all(
                q(&format!(
                    "SELECT {CALLER_COLUMNS}, CAST(NULL AS TEXT) AS auth_text, \
                     CAST(NULL AS TIMESTAMPTZ) AS auth_created_at, \
                     t.last_used_at AS auth_expires_at, t.id AS auth_id \
                     FROM api_tokens t JOIN users u ON u.id = t.user_id {CALLER_GRANTS} \
                     WHERE t.token_hash = $1 AND t.revoked_at IS NULL ORDER BY g.id"
                ))
                .bind(token_hash),
            )
            .await?;
        let Some((first, user, grants)) = CallerRow::gather(rows) else { return Ok(None) };
        let last_used = first.auth_expires_at;
        if let Some(id) = first.auth_id
            && last_used.is_none_or(|at| now - at >= chrono::Duration::minutes(1))
        {
            self.execute(q("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1").bind(id).bind(now)).await?;
        }
        Ok(Some((user, grants)))
    }

    pub async fn revoke_token(&self, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                q("UPDATE api_tokens SET revoked_at = $3 WHERE id = $1 AND user_id = $2 AND revoked_at IS NULL")
                    .bind(id)
                    .bind(actor.user_id)
                    .bind(now),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        tx.audit(actor, now, Event::new("token.revoke", "token", id)).await?;
        tx.commit().await
    }

    /// Resets of security roles' passwords waiting for a second person, oldest first.
    pub async fn pending_password_resets(&self, now: DateTime<Utc>) -> Result<Vec<PendingReset>> {
        self.fetch_all(
            q("SELECT r.id, r.user_id, u.username, u.display_name, u.system_role, r.requested_by AS requested_by_id, \
               b.username AS requested_by, r.requested_role, r.requested_at \
               FROM password_resets r JOIN users u ON u.id = r.user_id JOIN users b ON b.id = r.requested_by \
               WHERE r.status = 'pending' AND r.requested_at > $1 ORDER BY r.id")
            .bind(now - RESET_REQUEST_VALID),
        )
        .await
    }

    /// Approves (or rejects) a pending reset. Approval needs a second person: not the requester, not the
    /// account's owner, and holding a security role other than the requester's. The requester may
    /// withdraw their own request.
    pub async fn decide_password_reset(
        &self,
        actor: &Actor,
        actor_role: SystemRole,
        id: Uuid,
        approve: bool,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let request: Option<(Uuid, Uuid, SystemRole, String, DateTime<Utc>)> = tx
            .fetch_optional(
                q("SELECT user_id, requested_by, requested_role, password_hash, requested_at \
                   FROM password_resets WHERE id = $1 AND status = 'pending'")
                .bind(id),
            )
            .await?;
        let Some((user, requested_by, requested_role, hash, requested_at)) = request else {
            return Err(StoreError::conflict(Conflict::ResetDecided, "该重置申请不存在或已处理"));
        };
        if requested_at <= now - RESET_REQUEST_VALID {
            return Err(StoreError::conflict(Conflict::ResetExpired, "该重置申请已超过24小时，请重新发起"));
        }
        let withdraw = !approve && requested_by == actor.user_id;
        if !withdraw {
            if requested_by == actor.user_id {
                return Err(StoreError::Forbidden("不能批准本人发起的密码重置，须由另一名安全管理员批准".into()));
            }
            if user == actor.user_id {
                return Err(StoreError::Forbidden("不能审批本人账号的密码重置".into()));
            }
            if requested_role == actor_role {
                return Err(StoreError::Forbidden("须由另一类安全管理角色（非申请人同类角色）的管理员审批".into()));
            }
        }
        let n = tx
            .execute(
                // The hash is not kept past the decision: it is either the account's password now, or nothing.
                q("UPDATE password_resets SET status = $2, decided_by = $3, decided_at = $4, password_hash = '' \
                   WHERE id = $1 AND status = 'pending'")
                .bind(id)
                .bind(if approve { "approved" } else { "rejected" })
                .bind(actor.user_id)
                .bind(now),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::conflict(Conflict::ResetDecided, "该重置申请不存在或已处理"));
        }
        let target: User = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(user)).await?;
        tx.audit(
            actor,
            now,
            Event::new(if approve { "password_reset.approve" } else { "password_reset.reject" }, "password_reset", id)
                .after(serde_json::json!({ "user_id": user, "username": target.username })),
        )
        .await?;
        if approve {
            let (requester,): (String,) =
                tx.fetch_one(q("SELECT username FROM users WHERE id = $1").bind(requested_by)).await?;
            let by = format!("{requester}（经 {} 批准）", actor.name);
            apply_reset(&mut tx, actor, &target, &hash, &by, now).await?;
        }
        tx.commit().await
    }

    /// Whether the database holds any organization yet (the demo loads only into an empty one).
    pub async fn is_empty(&self) -> Result<bool> {
        let (n,): (i64,) = self.fetch_one(q("SELECT COUNT(*) FROM organizations")).await?;
        Ok(n == 0)
    }
}

/// How long a request to reset a security role's password waits for approval.
pub const RESET_REQUEST_VALID: chrono::Duration = chrono::Duration::hours(24);

/// What an administrator's reset did.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ResetOutcome {
    /// The password is reset (one-time).
    Reset,
    /// A security role's password: waiting for a second person's approval.
    Pending(Uuid),
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct PendingReset {
    pub id: Uuid,
    pub user_id: Uuid,
    pub username: String,
    pub display_name: String,
    pub system_role: Option<SystemRole>,
    pub requested_by_id: Uuid,
    pub requested_by: String,
    pub requested_role: SystemRole,
    pub requested_at: DateTime<Utc>,
}

/// Ends every session (but `keep`) and revokes every API token of a user: after a password change, a
/// reset, or a disable, nothing issued before keeps working.
async fn end_credentials(tx: &mut Tx, user: Uuid, keep: Option<&str>, now: DateTime<Utc>) -> Result<()> {
    match keep {
        Some(hash) => {
            tx.execute(q("DELETE FROM sessions WHERE user_id = $1 AND token_hash <> $2").bind(user).bind(hash)).await?
        }
        None => tx.execute(q("DELETE FROM sessions WHERE user_id = $1").bind(user)).await?,
    };
    tx.execute(
        q("UPDATE api_tokens SET revoked_at = $2 WHERE user_id = $1 AND revoked_at IS NULL").bind(user).bind(now),
    )
    .await?;
    Ok(())
}

/// Sets a one-time password: it only allows setting a new one, and the owner is told who reset it.
async fn apply_reset(
    tx: &mut Tx,
    actor: &Actor,
    target: &User,
    hash: &str,
    by: &str,
    now: DateTime<Utc>,
) -> Result<()> {
    tx.execute(
        q("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL, must_change_password = $3, \
           password_reset_by = $4, password_reset_at = $5 WHERE id = $1")
        .bind(target.id)
        .bind(hash)
        .bind(true)
        .bind(by)
        .bind(now),
    )
    .await?;
    end_credentials(tx, target.id, None, now).await?;
    tx.audit(
        actor,
        now,
        Event::new("user.password_reset", "user", target.id)
            .after(serde_json::json!({ "username": target.username, "by": by })),
    )
    .await
}
