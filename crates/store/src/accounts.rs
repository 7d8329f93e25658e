//! Accounts: users, role grants, login sessions and API tokens. Password hashing and token generation
//! happen in the server; this layer stores only hashes.

use chrono::{DateTime, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::audit::Event;
use crate::{Actor, Db, Result, Role, StoreError, SystemRole, new_id, q};

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct User {
    pub id: Uuid,
    pub username: String,
    pub display_name: String,
    #[serde(skip)]
    pub password_hash: String,
    pub member_id: Option<Uuid>,
    pub system_role: Option<String>,
    pub disabled: bool,
    pub failed_logins: i64,
    pub locked_until: Option<DateTime<Utc>>,
    pub created_at: DateTime<Utc>,
}

impl User {
    pub fn system_role(&self) -> Option<SystemRole> {
        self.system_role.as_deref().and_then(SystemRole::from_code)
    }
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Grant {
    pub id: Uuid,
    pub user_id: Uuid,
    pub role: String,
    pub organization_id: Uuid,
    pub organization_name: String,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct SessionRow {
    pub user_id: Uuid,
    pub csrf_token: String,
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

const USER_SELECT: &str = "SELECT id, username, display_name, password_hash, member_id, system_role, \
    disabled, failed_logins, locked_until, created_at FROM users";

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
                return Err(StoreError::conflict("unknown_member", "关联的党员不存在"));
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
            if e.is_unique_violation() {
                StoreError::conflict("duplicate_username", "该用户名已存在")
            } else {
                e
            }
        })?;
        tx.audit(
            actor,
            now,
            Event {
                action: "user.create",
                entity_type: "user",
                entity_id: Some(id),
                organization_id: None,
                before: None,
                after: Some(serde_json::json!({
                    "username": new.username, "display_name": new.display_name,
                    "member_id": new.member_id, "system_role": new.system_role.map(SystemRole::code),
                })),
            },
        )
        .await?;
        let user = tx.fetch_one(q(&format!("{USER_SELECT} WHERE id = $1")).bind(id)).await?;
        tx.commit().await?;
        Ok(user)
    }

    pub async fn set_password(&self, actor: &Actor, user: Uuid, hash: &str, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx
            .execute(
                q("UPDATE users SET password_hash = $2, failed_logins = 0, locked_until = NULL WHERE id = $1")
                    .bind(user)
                    .bind(hash),
            )
            .await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        // A new password ends every session and token of the old one.
        tx.execute(q("DELETE FROM sessions WHERE user_id = $1").bind(user)).await?;
        tx.audit(
            actor,
            now,
            Event {
                action: "user.password",
                entity_type: "user",
                entity_id: Some(user),
                organization_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    pub async fn set_disabled(&self, actor: &Actor, user: Uuid, disabled: bool, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        let n = tx.execute(q("UPDATE users SET disabled = $2 WHERE id = $1").bind(user).bind(disabled)).await?;
        if n == 0 {
            return Err(StoreError::NotFound);
        }
        if disabled {
            tx.execute(q("DELETE FROM sessions WHERE user_id = $1").bind(user)).await?;
        }
        tx.audit(
            actor,
            now,
            Event {
                action: if disabled { "user.disable" } else { "user.enable" },
                entity_type: "user",
                entity_id: Some(user),
                organization_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Counts a failed login; locks the account until `lock_until` once `max` failures are reached.
    pub async fn record_login_failure(
        &self,
        user: &User,
        max: i64,
        lock_until: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        let failures = user.failed_logins + 1;
        let locked = (failures >= max).then_some(lock_until);
        tx.execute(
            q("UPDATE users SET failed_logins = $2, locked_until = $3 WHERE id = $1")
                .bind(user.id)
                .bind(if locked.is_some() { 0 } else { failures })
                .bind(locked),
        )
        .await?;
        let actor = Actor { user_id: user.id, name: user.username.clone(), ip: None };
        tx.audit(
            &actor,
            now,
            Event {
                action: if locked.is_some() { "session.locked" } else { "session.login_failed" },
                entity_type: "user",
                entity_id: Some(user.id),
                organization_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Opens a session after a successful login.
    pub async fn create_session(
        &self,
        actor: &Actor,
        token_hash: &str,
        csrf: &str,
        expires: DateTime<Utc>,
        now: DateTime<Utc>,
    ) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.execute(q("UPDATE users SET failed_logins = 0, locked_until = NULL WHERE id = $1").bind(actor.user_id))
            .await?;
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
        tx.audit(
            actor,
            now,
            Event {
                action: "session.login",
                entity_type: "user",
                entity_id: Some(actor.user_id),
                organization_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    pub async fn session(&self, token_hash: &str) -> Result<Option<SessionRow>> {
        self.fetch_optional(
            q("SELECT user_id, csrf_token, expires_at FROM sessions WHERE token_hash = $1").bind(token_hash),
        )
        .await
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
        tx.audit(
            actor,
            now,
            Event {
                action: "session.logout",
                entity_type: "user",
                entity_id: Some(actor.user_id),
                organization_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
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
            return Err(StoreError::rule("security.separation", "系统管理角色（三员）不能同时持有组织角色"));
        }
        let org_exists: Option<(Uuid,)> =
            tx.fetch_optional(q("SELECT id FROM organizations WHERE id = $1").bind(org)).await?;
        if org_exists.is_none() {
            return Err(StoreError::conflict("unknown_organization", "组织不存在"));
        }
        if role == Role::Member {
            let own: Option<(Uuid,)> = tx
                .fetch_optional(q("SELECT m.organization_id FROM members m WHERE m.id = $1").bind(target.member_id))
                .await?;
            if own.map(|(o,)| o) != Some(org) {
                return Err(StoreError::rule(
                    "security.member_self",
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
        .map_err(|e| {
            if e.is_unique_violation() { StoreError::conflict("duplicate_grant", "该授权已存在") } else { e }
        })?;
        tx.audit(
            actor,
            now,
            Event {
                action: "grant.create",
                entity_type: "grant",
                entity_id: Some(id),
                organization_id: Some(org),
                before: None,
                after: Some(serde_json::json!({"user_id": user, "username": target.username, "role": role.code()})),
            },
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
            Event {
                action: "grant.revoke",
                entity_type: "grant",
                entity_id: Some(grant),
                organization_id: Some(g.organization_id),
                before: Some(serde_json::json!({"user_id": g.user_id, "role": g.role})),
                after: None,
            },
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
        tx.audit(
            actor,
            now,
            Event {
                action: "token.create",
                entity_type: "token",
                entity_id: Some(id),
                organization_id: None,
                before: None,
                after: Some(serde_json::json!({ "name": name })),
            },
        )
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

    /// The user behind an unrevoked token, marking it used.
    pub async fn token_user(&self, token_hash: &str, now: DateTime<Utc>) -> Result<Option<Uuid>> {
        let found: Option<(Uuid, Uuid)> = self
            .fetch_optional(
                q("SELECT id, user_id FROM api_tokens WHERE token_hash = $1 AND revoked_at IS NULL").bind(token_hash),
            )
            .await?;
        if let Some((id, _)) = found {
            self.execute(q("UPDATE api_tokens SET last_used_at = $2 WHERE id = $1").bind(id).bind(now)).await?;
        }
        Ok(found.map(|(_, user)| user))
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
        tx.audit(
            actor,
            now,
            Event {
                action: "token.revoke",
                entity_type: "token",
                entity_id: Some(id),
                organization_id: None,
                before: None,
                after: None,
            },
        )
        .await?;
        tx.commit().await
    }

    /// Whether the database holds any organization yet (the demo loads only into an empty one).
    pub async fn is_empty(&self) -> Result<bool> {
        let (n,): (i64,) = self.fetch_one(q("SELECT COUNT(*) FROM organizations")).await?;
        Ok(n == 0)
    }
}
