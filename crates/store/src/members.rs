//! Members (党员): the roster with the fields of the official member information form.

use chrono::{DateTime, NaiveDate, Utc};
use serde::Serialize;
use uuid::Uuid;

use crate::access::{Access, covers, covers_each_row, granted_orgs, is_self};
use crate::audit::Event;
use crate::crypto::{self, DataKeys, Field};
use crate::{Actor, Conflict, Db, Q, Result, StoreError, Tx, new_id, q};
use dangwu_rules::StructuralRule;
use dangwu_rules::idcard::Gender;
use dangwu_rules::member::{Occupation, Status};
use dangwu_rules::org::{OrgKind, OrgStatus};

/// The fields of a member record that people enter.
#[derive(Debug, Clone, Serialize)]
pub struct MemberInput {
    pub name: String,
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub education: String,
    pub occupation: Occupation,
    pub work_unit: String,
    pub post: String,
    pub phone: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    pub status: Status,
    pub organization_id: Uuid,
}

#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct Member {
    pub id: Uuid,
    pub name: String,
    #[sqlx(try_from = "crate::Stored<Gender>")]
    pub gender: Gender,
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub education: String,
    #[sqlx(try_from = "crate::Stored<Occupation>")]
    pub occupation: Occupation,
    pub work_unit: String,
    pub post: String,
    pub phone: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    #[sqlx(try_from = "crate::Stored<Status>")]
    pub status: Status,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl Member {
    /// What the audit log keeps of a member (identifiers as [`crypto::audit_identifiers`] keeps them).
    fn audit_value(&self, keys: Option<&DataKeys>) -> serde_json::Value {
        let (id_number, phone) = crypto::audit_identifiers(keys, &self.id_number, &self.phone);
        serde_json::json!({
            "name": self.name, "gender": self.gender, "ethnicity": self.ethnicity,
            "birth_date": self.birth_date, "id_number": id_number, "education": self.education,
            "occupation": self.occupation, "work_unit": self.work_unit, "post": self.post,
            "phone": phone, "joined_on": self.joined_on, "converted_on": self.converted_on,
            "status": self.status, "organization_id": self.organization_id,
            "organization_name": self.organization_name,
        })
    }
}

/// The plaintext of a member read from the table.
fn reveal(keys: Option<&DataKeys>, mut m: Member) -> Result<Member> {
    crypto::open_identifiers(keys, m.id, &mut m.id_number, &mut m.phone)?;
    Ok(m)
}

/// What is written to the table for a member's input: with a data key, the ID number and phone
/// encrypted, and their lookup hashes.
fn sealed<'a>(
    keys: Option<&DataKeys>,
    id: Uuid,
    input: &'a MemberInput,
) -> (std::borrow::Cow<'a, MemberInput>, Option<String>, Option<String>) {
    let Some(keys) = keys else {
        return (std::borrow::Cow::Borrowed(input), None, None);
    };
    let mut stored = input.clone();
    stored.id_number = keys.seal(Field::IdNumber, id, &input.id_number);
    stored.phone = keys.seal(Field::Phone, id, &input.phone);
    (
        std::borrow::Cow::Owned(stored),
        keys.hash(Field::IdNumber, &input.id_number),
        keys.hash(Field::Phone, &input.phone),
    )
}

/// Appends ` OR <column> IN (hashes…)` for a lookup by a whole value under every accepted key.
fn push_hash_match(cond: &mut Q, keys: Option<&DataKeys>, field: Field, column: &str, value: &str) {
    let hashes = keys.map(|k| k.hashes(field, value)).unwrap_or_default();
    if hashes.is_empty() {
        return;
    }
    cond.push(&format!(" OR {column} IN ("));
    for (i, h) in hashes.into_iter().enumerate() {
        cond.push_bind(if i == 0 { "" } else { ", " }, h);
    }
    cond.push(")");
}

/// Filters of the member list.
#[derive(Debug, Clone, Default)]
pub struct MemberFilter {
    pub organization_id: Option<Uuid>,
    /// With `organization_id`: include the organizations below it.
    pub subtree: bool,
    /// Part of the name, or a whole ID number or phone number (these only where the user may unmask).
    pub text: Option<String>,
    pub status: Option<Status>,
    /// Keyset: rows after this one in the list's order.
    pub after: Option<MemberCursor>,
    pub limit: i64,
    /// Skip counting the matches (pages of an export).
    pub no_total: bool,
}

/// Matches of a list are counted up to this many; above it the total says "more than".
pub const TOTAL_CAP: i64 = 10_000;
/// Matches of a search are counted up to this many (each is looked up: a surname's 10,000 took
/// 100–140 ms).
pub const SEARCH_TOTAL_CAP: i64 = 1_000;

/// How many members match a filter: exactly up to [`TOTAL_CAP`] ([`SEARCH_TOTAL_CAP`] for a search),
/// beyond it only that there are more.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct MemberTotal {
    /// The number of matches, or the cap when there are more.
    pub count: i64,
    /// False when there are more than `count`.
    pub exact: bool,
}

impl PartialEq<i64> for MemberTotal {
    /// An exact total of this many.
    fn eq(&self, n: &i64) -> bool {
        self.exact && self.count == *n
    }
}

/// A place in the member list's order (organization, name, id): the keyset of the next page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct MemberCursor {
    pub organization_id: Uuid,
    pub name: String,
    pub id: Uuid,
}

impl MemberCursor {
    pub fn after(m: &Member) -> MemberCursor {
        MemberCursor { organization_id: m.organization_id, name: m.name.clone(), id: m.id }
    }

    /// An opaque text for URLs: the two ids and the name in hexadecimal UTF-8.
    pub fn encode(&self) -> String {
        let name: String = self.name.bytes().map(|b| format!("{b:02x}")).collect();
        format!("{}.{}.{}", self.organization_id.simple(), self.id.simple(), name)
    }

    pub fn parse(text: &str) -> Option<MemberCursor> {
        let mut parts = text.splitn(3, '.');
        let organization_id = Uuid::try_parse(parts.next()?).ok()?;
        let id = Uuid::try_parse(parts.next()?).ok()?;
        let hex = parts.next()?;
        if hex.len() % 2 != 0 || hex.len() > 2 * 400 {
            return None;
        }
        let bytes = (0..hex.len())
            .step_by(2)
            .map(|i| u8::from_str_radix(hex.get(i..i + 2)?, 16).ok())
            .collect::<Option<Vec<u8>>>()?;
        Some(MemberCursor { organization_id, name: String::from_utf8(bytes).ok()?, id })
    }
}

/// The keys of a name in `member_name_grams`: every substring of one to three characters, ASCII
/// letters in lower case (as migration 0010 computes them for the members before it).
pub fn name_grams(name: &str) -> std::collections::BTreeSet<String> {
    let chars: Vec<char> = name.chars().map(|c| c.to_ascii_lowercase()).collect();
    let mut out = std::collections::BTreeSet::new();
    for n in 1..=3 {
        for w in chars.windows(n) {
            out.insert(w.iter().collect());
        }
    }
    out
}

/// Whether a name matches a search text as the member list defines it: it contains the (trimmed)
/// text, ASCII letters compared without case. What the indexed search must return, row for row.
pub fn name_matches(name: &str, text: &str) -> bool {
    let text = text.trim().to_ascii_lowercase();
    !text.is_empty() && name.to_ascii_lowercase().contains(&text)
}

/// How a search finds its rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Drive {
    /// Each row of the list's order is tested (a common gram, or no search).
    Probe,
    /// The matches are read first, as an `IN` set (a rarer gram, an ID number, a phone).
    Matches,
    /// The rows joined from the name index (`member_name_grams c`), for the count.
    NameGram,
    /// The row with the ID number, unless its name matches too, for the count.
    IdNumber,
    /// The row with the phone, unless its name matches too, for the count.
    Phone,
}

/// A gram this common is searched by walking the list's order and probing each row, not by reading
/// all its members first.
const COMMON_GRAM: i64 = 2_000;

/// Which organizations' members a list covers, worked out once per request.
#[derive(Debug, Clone, Copy)]
enum Scope {
    /// Every organization (the user's grants cover every root).
    Everything,
    /// The subtree of a covered organization.
    Subtree(Uuid),
    /// One covered organization.
    Org(Uuid),
    /// The organizations under the user's grants.
    Granted,
    /// The organizations under the user's grants within the subtree of an organization not covered.
    GrantedWithin(Uuid),
    /// None (only, perhaps, the user's own record).
    Nothing,
}

const MEMBER_SELECT: &str = "SELECT m.id, m.name, m.gender, m.ethnicity, m.birth_date, m.id_number, \
    m.education, m.occupation, m.work_unit, m.post, m.phone, m.joined_on, m.converted_on, m.status, \
    m.organization_id, o.name AS organization_name, m.version, m.created_at, m.updated_at \
    FROM members m JOIN organizations o ON o.id = m.organization_id";

/// SQL condition: user `$1` may read the member `member` of organization `org` (`m.id` and
/// `m.organization_id` in lists).
fn readable(member: &str, org: &str) -> String {
    format!("({} OR {})", covers(Access::Read, "$1", org), is_self("$1", member))
}

/// The member `id` if `user` may read them. The member's organization is a scalar subquery, not the
/// correlated column: under the OR, PostgreSQL would hash every organization under the user's grants
/// for this one member (21 ms for a group's administrator over 40,000 organizations, against 0.2 ms).
fn visible_member(user: Uuid, id: Uuid) -> Q {
    let visible = readable("$2", "(SELECT mo.organization_id FROM members mo WHERE mo.id = $2)");
    q(&format!("{MEMBER_SELECT} WHERE m.id = $2 AND {visible}")).bind(user).bind(id)
}

impl Tx {
    async fn member_by_id(&mut self, keys: Option<&DataKeys>, id: Uuid) -> Result<Member> {
        reveal(keys, self.fetch_one(q(&format!("{MEMBER_SELECT} WHERE m.id = $1")).bind(id)).await?)
    }

    /// Loads a member the user can read (NotFound otherwise), then requires `access` over its organization.
    pub async fn member_for(
        &mut self,
        keys: Option<&DataKeys>,
        user: Uuid,
        id: Uuid,
        access: Access,
    ) -> Result<Member> {
        let found: Option<Member> = self.fetch_optional(visible_member(user, id)).await?;
        let member = found.ok_or(StoreError::NotFound)?;
        if access != Access::Read && !self.has_access(user, member.organization_id, access).await? {
            return Err(crate::orgs::forbidden());
        }
        reveal(keys, member)
    }

    /// The organization a member is to belong to: must exist (else a field error), be writable by the
    /// user, be active and be of a kind that holds formal relationships (an ordinary or joint branch;
    /// a 临时党支部's members are placed there, see [`crate::placements`]).
    async fn target_org(&mut self, user: Option<Uuid>, org: Uuid) -> Result<()> {
        let row: Option<(String, String)> =
            self.fetch_optional(q("SELECT kind, status FROM organizations WHERE id = $1").bind(org)).await?;
        let Some((kind, status)) = row else {
            return Err(StoreError::conflict(Conflict::UnknownOrganization, "所属组织不存在"));
        };
        if let Some(user) = user
            && !self.has_access(user, org, Access::WriteMembers).await?
        {
            return Err(StoreError::Forbidden("您无权在该组织下管理党员".into()));
        }
        if OrgStatus::try_from(status)? != OrgStatus::Active {
            return Err(StoreError::rule(StructuralRule::OrgParentActive, "所属组织已撤销"));
        }
        if !OrgKind::try_from(kind)?.holds_formal_membership() {
            return Err(StoreError::rule(
                StructuralRule::MemberOrganizationKind,
                "党员的组织关系应隶属于党支部或联合党支部（党小组、临时党支部不接收组织关系，党员可编入其中）",
            ));
        }
        Ok(())
    }

    async fn ensure_unique_id_number(
        &mut self,
        keys: Option<&DataKeys>,
        id_number: &str,
        except: Option<Uuid>,
    ) -> Result<()> {
        // Plaintext rows (from before encryption) compare by value, encrypted ones by lookup hash.
        let mut find = q("SELECT id FROM members WHERE id_number = $1").bind(id_number);
        push_hash_match(&mut find, keys, Field::IdNumber, "id_number_hash", id_number);
        find.push(" LIMIT 1");
        let other: Option<(Uuid,)> = self.fetch_optional(find).await?;
        match other {
            Some((other,)) if Some(other) != except => {
                Err(StoreError::conflict(Conflict::DuplicateIdNumber, "该公民身份号码已登记为党员"))
            }
            _ => Ok(()),
        }
    }

    async fn insert_member(
        &mut self,
        keys: Option<&DataKeys>,
        actor: &Actor,
        check: bool,
        input: &MemberInput,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        if check {
            self.lock_orgs(&[input.organization_id]).await?;
        }
        self.target_org(check.then_some(actor.user_id), input.organization_id).await?;
        self.ensure_unique_id_number(keys, &input.id_number, None).await?;
        let id = new_id();
        let (input, id_number_hash, phone_hash) = sealed(keys, id, input);
        self.execute(
            q("INSERT INTO members (id, name, gender, ethnicity, birth_date, id_number, education, occupation, \
               work_unit, post, phone, joined_on, converted_on, status, organization_id, version, created_at, updated_at, \
               id_number_hash, phone_hash) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, $15, 1, $16, $16, $17, $18)")
            .bind(id)
            .bind(input.name.as_str())
            .bind(input.gender.code())
            .bind(input.ethnicity.as_str())
            .bind(input.birth_date)
            .bind(input.id_number.as_str())
            .bind(input.education.as_str())
            .bind(input.occupation.code())
            .bind(input.work_unit.as_str())
            .bind(input.post.as_str())
            .bind(input.phone.as_str())
            .bind(input.joined_on)
            .bind(input.converted_on)
            .bind(input.status.code())
            .bind(input.organization_id)
            .bind(now)
            .bind(id_number_hash)
            .bind(phone_hash),
        )
        .await
        .map_err(unique_to_conflict)?;
        self.index_name(id, &input.name, false).await?;
        let member = self.member_by_id(keys, id).await?;
        self.audit(
            actor,
            now,
            Event::new("member.create", "member", id).in_org(member.organization_id).after(member.audit_value(keys)),
        )
        .await?;
        Ok(member)
    }
}

fn stale_member() -> StoreError {
    StoreError::conflict(Conflict::StaleVersion, "该党员信息已被他人修改，请刷新后重试")
}

/// A race between two inserts of one ID number ends in the unique index; report it like the check.
fn unique_to_conflict(e: StoreError) -> StoreError {
    e.duplicate_as(Conflict::DuplicateIdNumber, "该公民身份号码已登记为党员")
}

impl Db {
    /// One page of the members the user may see, in the list's order (organization, name, id), and
    /// how many match in all (counted up to [`TOTAL_CAP`], [`SEARCH_TOTAL_CAP`] for a search).
    ///
    /// The grant check is worked out once per request ([`Scope`]) and joined as a set of
    /// organizations, never evaluated per member. Name search reads `member_name_grams`; an ID number
    /// or phone is looked up by its index (the keyed hash column's when encrypted).
    pub async fn list_members(&self, user: Uuid, f: &MemberFilter) -> Result<(Vec<Member>, MemberTotal)> {
        let mut tx = self.begin_read().await?;
        if self.engine() == crate::Engine::Postgres {
            // These queries take a millisecond; a large estimate for a common name would have them
            // compiled first (55 ms measured). For this transaction only.
            tx.execute(q("SET LOCAL jit = off")).await?;
        }
        let (scope, own) = tx.member_scope(user, f).await?;
        let text = f.text.as_deref().map(str::trim).filter(|t| !t.is_empty());
        let key = text.map(str::to_ascii_lowercase);
        let gram: Option<String> = key.as_ref().map(|k| k.chars().take(3).collect());
        // A common gram (a surname) is probed row by row in the list's order; a rarer one, or an ID
        // number or phone, drives the query from its matches.
        let common = match &gram {
            Some(g) => {
                let (n,): (i64,) = tx
                    .fetch_one(
                        q(&format!(
                            "SELECT COUNT(*) FROM (SELECT 1 FROM member_name_grams WHERE gram = $1 LIMIT {}) t",
                            COMMON_GRAM + 1
                        ))
                        .bind(g.as_str()),
                    )
                    .await?;
                n > COMMON_GRAM
            }
            None => false,
        };
        // The page and the count share the conditions; a search's count is driven from its matches
        // (it may have to count thousands), the page only for a rarer gram.
        let search = text.zip(key.as_deref()).zip(gram.as_deref());
        let build = |drive: Drive| {
            let mut cond = q(" WHERE (").bind(user);
            self.push_member_conditions(&mut cond, scope, own, f, search, drive);
            cond
        };
        let total = if f.no_total {
            MemberTotal { count: 0, exact: false }
        } else if text.is_some() {
            // Each way a member can match, as a join that stops at the cap (an `IN` list of the
            // matches would be built whole first: 15,000 for 王, 19 ms); a member matched by name is
            // not counted again by number.
            let mut count = q("SELECT COUNT(*) FROM (SELECT 1 FROM member_name_grams c \
                JOIN members m ON m.id = c.member_id WHERE (")
            .bind(user);
            self.push_member_conditions(&mut count, scope, own, f, search, Drive::NameGram);
            count.push(" UNION ALL SELECT 1 FROM members m WHERE (");
            self.push_member_conditions(&mut count, scope, own, f, search, Drive::IdNumber);
            count.push(" UNION ALL SELECT 1 FROM members m WHERE (");
            self.push_member_conditions(&mut count, scope, own, f, search, Drive::Phone);
            count.push(&format!(" LIMIT {}) t", SEARCH_TOTAL_CAP + 1));
            let (n,): (i64,) = tx.fetch_one(count).await?;
            MemberTotal { count: n.min(SEARCH_TOTAL_CAP), exact: n <= SEARCH_TOTAL_CAP }
        } else {
            let mut count = build(Drive::Probe);
            count.prepend("SELECT COUNT(*) FROM (SELECT 1 FROM members m");
            count.push(&format!(" LIMIT {}) t", TOTAL_CAP + 1));
            let (n,): (i64,) = tx.fetch_one(count).await?;
            MemberTotal { count: n.min(TOTAL_CAP), exact: n <= TOTAL_CAP }
        };
        let cond = build(if common { Drive::Probe } else { Drive::Matches });
        let mut page = cond;
        page.prepend(MEMBER_SELECT);
        if let Some(after) = &f.after {
            page.push_bind(" AND (m.organization_id, m.name, m.id) > (", after.organization_id);
            page.push_bind(", ", after.name.as_str());
            page.push_bind(", ", after.id);
            page.push(")");
        }
        page.push(&format!(" ORDER BY m.organization_id, m.name, m.id LIMIT {}", f.limit.clamp(1, 10_000)));
        // Only the rows of the page are decrypted, never the whole match.
        let rows: Vec<Member> = tx.fetch_all(page).await?;
        let rows = rows.into_iter().map(|m| reveal(self.data_keys(), m)).collect::<Result<_>>()?;
        Ok((rows, total))
    }

    /// The conditions of the member list after ` WHERE (` and the user as `$1`: scope, filters and
    /// search (`(text, lowered text), gram`), and what drives the search (see [`Drive`]).
    fn push_member_conditions(
        &self,
        cond: &mut Q,
        scope: Scope,
        own: Option<Uuid>,
        f: &MemberFilter,
        search: Option<((&str, &str), &str)>,
        drive: Drive,
    ) {
        match scope {
            Scope::Everything => {
                cond.push("1 = 1");
            }
            Scope::Subtree(org) => {
                cond.push_bind("m.organization_id IN (SELECT descendant FROM org_closure WHERE ancestor = ", org);
                cond.push(")");
            }
            Scope::Org(org) => {
                cond.push_bind("m.organization_id = ", org);
            }
            Scope::Granted => {
                cond.push(&format!("m.organization_id IN ({})", granted_orgs(Access::Read, "$1")));
            }
            Scope::GrantedWithin(org) => {
                cond.push(&format!(
                    "m.organization_id IN ({} AND EXISTS (SELECT 1 FROM org_closure w WHERE w.ancestor = ",
                    granted_orgs(Access::Read, "$1")
                ));
                cond.push_bind("", org);
                cond.push(" AND w.descendant = g.organization_id))");
            }
            Scope::Nothing => {
                cond.push("1 = 0");
            }
        }
        if let Some(own) = own {
            cond.push_bind(" OR m.id = ", own);
        }
        cond.push(")");
        if let Some(status) = &f.status {
            cond.push_bind(" AND m.status = ", status.code());
        }
        if let Some(((text, key), gram)) = search {
            let keys = self.data_keys();
            let id_number = text.to_ascii_uppercase();
            match drive {
                Drive::Probe => {}
                Drive::Matches => {
                    // Driven from the matches: the name's gram, and the ID number and phone through
                    // their indexes (plaintext rows by value, encrypted ones by the keyed hash).
                    cond.push_bind(" AND m.id IN (SELECT member_id FROM member_name_grams WHERE gram = ", gram);
                    cond.push_bind(" UNION SELECT x.id FROM members x WHERE x.id_number = ", id_number.as_str());
                    push_hash_match(cond, keys, Field::IdNumber, "x.id_number_hash", &id_number);
                    cond.push_bind(" UNION SELECT x.id FROM members x WHERE x.phone = ", text);
                    push_hash_match(cond, keys, Field::Phone, "x.phone_hash", text);
                    cond.push(")");
                }
                // The query joins `member_name_grams c`.
                Drive::NameGram => {
                    cond.push_bind(" AND c.gram = ", gram);
                }
                Drive::IdNumber | Drive::Phone => {
                    if drive == Drive::IdNumber {
                        cond.push_bind(" AND (m.id_number = ", id_number.as_str());
                        push_hash_match(cond, keys, Field::IdNumber, "m.id_number_hash", &id_number);
                    } else {
                        cond.push_bind(" AND (m.phone = ", text);
                        push_hash_match(cond, keys, Field::Phone, "m.phone_hash", text);
                    }
                    cond.push(") AND NOT (");
                    self.push_name_match(cond, key, gram);
                    cond.push(")");
                }
            }
            cond.push(" AND (");
            self.push_name_match(cond, key, gram);
            // A match on a whole ID number or phone confirms a guess at a masked one, so it counts only
            // where the user may see the full numbers.
            // Phrased to be checked row by row, for the rows whose number matched: as an EXISTS under
            // the OR, PostgreSQL would hash every organization under the user's grants first (15 ms).
            let unmask = covers_each_row(Access::Unmask, "$1", "m.organization_id");
            cond.push_bind(" OR ((m.id_number = ", id_number.as_str());
            push_hash_match(cond, keys, Field::IdNumber, "m.id_number_hash", &id_number);
            cond.push(&format!(") AND {unmask})"));
            cond.push_bind(" OR ((m.phone = ", text);
            push_hash_match(cond, keys, Field::Phone, "m.phone_hash", text);
            cond.push(&format!(") AND {unmask}))"));
        }
    }

    /// Whether `m`'s name contains the searched text: its first three characters through the gram
    /// index, and the whole text by `LIKE` when it is longer.
    fn push_name_match(&self, cond: &mut Q, key: &str, gram: &str) {
        cond.push_bind("EXISTS (SELECT 1 FROM member_name_grams ng WHERE ng.gram = ", gram);
        cond.push(" AND ng.member_id = m.id)");
        if key.chars().count() > 3 {
            let like = format!("%{}%", key.replace('\\', "\\\\").replace('%', "\\%").replace('_', "\\_"));
            cond.push_bind(&format!(" AND {} LIKE ", ascii_lower(self.engine(), "m.name")), like);
            cond.push(" ESCAPE '\\'");
        }
    }

    /// Builds the name index anew from the members table: for members written around the store
    /// (bulk loads such as the benchmark generator). Returns the rows written.
    pub async fn rebuild_member_name_index(&self) -> Result<u64> {
        let fill = match self.engine() {
            crate::Engine::Sqlite => {
                "WITH RECURSIVE at(member_id, name, i) AS (\
                    SELECT id, lower(name), 1 FROM members WHERE name <> '' \
                    UNION ALL SELECT member_id, name, i + 1 FROM at WHERE i < length(name)) \
                 INSERT OR IGNORE INTO member_name_grams (gram, member_id) \
                 SELECT substr(at.name, at.i, w.n), at.member_id \
                 FROM at, (SELECT 1 AS n UNION ALL SELECT 2 UNION ALL SELECT 3) w \
                 WHERE at.i + w.n - 1 <= length(at.name)"
            }
            crate::Engine::Postgres => {
                "INSERT INTO member_name_grams (gram, member_id) \
                 SELECT DISTINCT substr(k.name, i, w.n), k.id FROM (SELECT id, translate(name, \
                 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz') AS name FROM members) k \
                 CROSS JOIN LATERAL generate_series(1, length(k.name)) AS i \
                 CROSS JOIN (VALUES (1), (2), (3)) AS w(n) WHERE i + w.n - 1 <= length(k.name)"
            }
        };
        let mut tx = self.begin().await?;
        tx.execute(q("DELETE FROM member_name_grams")).await?;
        let rows = tx.execute(q(fill)).await?;
        tx.commit().await?;
        Ok(rows)
    }

    /// One member, if the user may read them: one statement, outside a transaction (a single
    /// statement reads one snapshot), so the most frequent read costs one round trip.
    pub async fn get_member(&self, user: Uuid, id: Uuid) -> Result<Member> {
        let found: Option<Member> = self.fetch_optional(visible_member(user, id)).await?;
        reveal(self.data_keys(), found.ok_or(StoreError::NotFound)?)
    }

    /// Reads a member for display of full personal data: needs a role that may unmask, and leaves an
    /// audit record of the read in the same transaction.
    pub async fn read_member_unmasked(&self, actor: &Actor, id: Uuid, now: DateTime<Utc>) -> Result<Member> {
        let mut tx = self.begin().await?;
        let member = tx.member_for(self.data_keys(), actor.user_id, id, Access::Unmask).await?;
        tx.audit(actor, now, Event::new("member.read_unmasked", "member", id).in_org(member.organization_id)).await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Whether the user may see full personal data of members of this organization.
    pub async fn may_unmask(&self, user: Uuid, org: Uuid) -> Result<bool> {
        let mut tx = self.begin_read().await?;
        tx.has_access(user, org, Access::Unmask).await
    }

    /// Records an export or a download (who, what, which organization, filter and rows in the event)
    /// in the audit log, before the file leaves: no record, no file.
    pub async fn record_export(&self, actor: &Actor, event: Event<'_>, now: DateTime<Utc>) -> Result<()> {
        let mut tx = self.begin().await?;
        tx.audit(actor, now, event).await?;
        tx.commit().await
    }

    pub async fn create_member(&self, actor: &Actor, input: &MemberInput, now: DateTime<Utc>) -> Result<Member> {
        let mut tx = self.begin().await?;
        let member = tx.create_member(self.data_keys(), actor, input, now).await?;
        tx.commit().await?;
        Ok(member)
    }

    /// Inserts many members in one transaction without checking grants: for the demo and tests.
    pub async fn seed_members(&self, actor: &Actor, inputs: &[MemberInput], now: DateTime<Utc>) -> Result<Vec<Member>> {
        let mut tx = self.begin().await?;
        let mut out = Vec::with_capacity(inputs.len());
        for input in inputs {
            out.push(tx.insert_member(self.data_keys(), actor, false, input, now).await?);
        }
        tx.commit().await?;
        Ok(out)
    }

    pub async fn update_member(
        &self,
        actor: &Actor,
        id: Uuid,
        input: &MemberInput,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let mut tx = self.begin().await?;
        let before = tx.member_for(self.data_keys(), actor.user_id, id, Access::WriteMembers).await?;
        let after = tx.update_member(self.data_keys(), actor, &before, input, version, now).await?;
        tx.commit().await?;
        Ok(after)
    }
}

impl Tx {
    /// Whether the user may put members in the organization, asked before the member's fields are
    /// checked: `unknown_organization` if there is none, Forbidden unless the user may write there.
    pub async fn require_member_org(&mut self, user: Uuid, org: Uuid) -> Result<()> {
        let found: Option<(Uuid,)> =
            self.fetch_optional(q("SELECT id FROM organizations WHERE id = $1").bind(org)).await?;
        if found.is_none() {
            return Err(StoreError::conflict(Conflict::UnknownOrganization, "所属组织不存在"));
        }
        if !self.has_access(user, org, Access::WriteMembers).await? {
            return Err(StoreError::Forbidden("您无权在该组织下管理党员".into()));
        }
        Ok(())
    }

    /// Enters a member, checking the target organization and the ID number's uniqueness.
    pub async fn create_member(
        &mut self,
        keys: Option<&DataKeys>,
        actor: &Actor,
        input: &MemberInput,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        self.insert_member(keys, actor, true, input, now).await
    }

    /// Writes `input` over the member `before` (read by [`Tx::member_for`] with write access in this
    /// transaction) at `version`.
    pub async fn update_member(
        &mut self,
        keys: Option<&DataKeys>,
        actor: &Actor,
        before: &Member,
        input: &MemberInput,
        version: i64,
        now: DateTime<Utc>,
    ) -> Result<Member> {
        let id = before.id;
        // A form older than what was read fails fast, before the rules; the conditional UPDATE below
        // is what decides between concurrent editors.
        if before.version != version {
            return Err(stale_member());
        }
        // A move or a change of status changes who counts at the organizations' meetings.
        self.lock_orgs(&[before.organization_id, input.organization_id]).await?;
        if input.organization_id != before.organization_id {
            self.target_org(Some(actor.user_id), input.organization_id).await?;
            self.leave_other_party_groups(id, input.organization_id).await?;
        }
        self.ensure_unique_id_number(keys, &input.id_number, Some(id)).await?;
        let (input, id_number_hash, phone_hash) = sealed(keys, id, input);
        self.set_lookup_hashes(keys, id, id_number_hash, phone_hash).await?;
        let written = self
            .execute(
                q("UPDATE members SET name = $2, gender = $3, ethnicity = $4, birth_date = $5, id_number = $6, \
               education = $7, occupation = $8, work_unit = $9, post = $10, phone = $11, joined_on = $12, \
               converted_on = $13, status = $14, organization_id = $15, version = version + 1, updated_at = $16 \
               WHERE id = $1 AND version = $17")
                .bind(id)
                .bind(input.name.as_str())
                .bind(input.gender.code())
                .bind(input.ethnicity.as_str())
                .bind(input.birth_date)
                .bind(input.id_number.as_str())
                .bind(input.education.as_str())
                .bind(input.occupation.code())
                .bind(input.work_unit.as_str())
                .bind(input.post.as_str())
                .bind(input.phone.as_str())
                .bind(input.joined_on)
                .bind(input.converted_on)
                .bind(input.status.code())
                .bind(input.organization_id)
                .bind(now)
                .bind(version),
            )
            .await
            .map_err(unique_to_conflict)?;
        // Zero rows: another editor committed this version first (PostgreSQL re-checks the condition
        // on the row it waited for), so this edit would overwrite theirs unseen.
        if written == 0 {
            return Err(stale_member());
        }
        if input.name != before.name {
            self.index_name(id, &input.name, true).await?;
        }
        let after = self.member_by_id(keys, id).await?;
        self.audit(
            actor,
            now,
            Event::new("member.update", "member", id)
                .in_org(after.organization_id)
                .before(before.audit_value(keys))
                .after(after.audit_value(keys)),
        )
        .await?;
        Ok(after)
    }
}

impl Tx {
    /// Writes the lookup hashes that go with an encrypted ID number and phone (nothing without a key).
    async fn set_lookup_hashes(
        &mut self,
        keys: Option<&DataKeys>,
        id: Uuid,
        id_number_hash: Option<String>,
        phone_hash: Option<String>,
    ) -> Result<()> {
        if keys.is_none() {
            return Ok(());
        }
        self.execute(
            q("UPDATE members SET id_number_hash = $2, phone_hash = $3 WHERE id = $1")
                .bind(id)
                .bind(id_number_hash)
                .bind(phone_hash),
        )
        .await
        .map_err(unique_to_conflict)?;
        Ok(())
    }
}

/// `column` with ASCII letters in lower case, as [`name_grams`] lowers them (SQLite's `lower()` does
/// only these; PostgreSQL's would change other letters too).
fn ascii_lower(engine: crate::Engine, column: &str) -> String {
    match engine {
        crate::Engine::Sqlite => format!("lower({column})"),
        crate::Engine::Postgres => {
            format!("translate({column}, 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', 'abcdefghijklmnopqrstuvwxyz')")
        }
    }
}

impl Tx {
    /// Rewrites a member's keys in the name index (in the transaction that writes the member).
    async fn index_name(&mut self, id: Uuid, name: &str, replace: bool) -> Result<()> {
        if replace {
            self.execute(q("DELETE FROM member_name_grams WHERE member_id = $1").bind(id)).await?;
        }
        let grams = name_grams(name);
        // 2 arguments a row; SQLite's lookup of `$N` grows with N, so modest statements.
        let grams: Vec<&String> = grams.iter().collect();
        for chunk in grams.chunks(100) {
            let mut insert = q("INSERT INTO member_name_grams (gram, member_id) VALUES ");
            for (i, gram) in chunk.iter().enumerate() {
                insert.push_bind(if i == 0 { "(" } else { ", (" }, gram.as_str());
                insert.push_bind(", ", id);
                insert.push(")");
            }
            self.execute(insert).await?;
        }
        Ok(())
    }

    /// Which organizations' members a list covers for the user, and the user's own member record
    /// when it is visible only through the member role (see [`crate::access::ReadScope`]).
    async fn member_scope(&mut self, user: Uuid, f: &MemberFilter) -> Result<(Scope, Option<Uuid>)> {
        let scope = match f.organization_id {
            Some(org) => match (self.has_access(user, org, Access::Read).await?, f.subtree) {
                (true, true) => Scope::Subtree(org),
                (true, false) => Scope::Org(org),
                (false, true) => Scope::GrantedWithin(org),
                (false, false) => Scope::Nothing,
            },
            None => {
                let (uncovered,): (i64,) = self
                    .fetch_one(
                        q(&format!(
                            "SELECT COUNT(*) FROM organizations o WHERE o.parent_id IS NULL AND NOT {}",
                            covers(Access::Read, "$1", "o.id")
                        ))
                        .bind(user),
                    )
                    .await?;
                if uncovered == 0 { Scope::Everything } else { Scope::Granted }
            }
        };
        let own: Option<(Uuid, Uuid)> = self
            .fetch_optional(
                q(&format!("SELECT own.id, own.organization_id FROM members own WHERE {}", is_self("$1", "own.id")))
                    .bind(user),
            )
            .await?;
        let Some((own, own_org)) = own else {
            return Ok((scope, None));
        };
        // Seen through a grant anyway, or outside the organizations asked for: nothing to add.
        if self.has_access(user, own_org, Access::Read).await? {
            return Ok((scope, None));
        }
        let inside = match f.organization_id {
            None => true,
            Some(org) if !f.subtree => org == own_org,
            Some(org) => self
                .fetch_optional::<(i64,)>(
                    q("SELECT depth FROM org_closure WHERE ancestor = $1 AND descendant = $2").bind(org).bind(own_org),
                )
                .await?
                .is_some(),
        };
        Ok((scope, inside.then_some(own)))
    }
}

/// One pass of [`Db::reencrypt_members`] over a batch of members.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReencryptBatch {
    /// Rows found not yet under the current key.
    pub found: usize,
    /// Rows rewritten (a row edited meanwhile is already under the current key and is skipped).
    pub rewritten: usize,
    /// The last id of the batch: where the next one starts. `None` when nothing was left.
    pub last: Option<Uuid>,
}

#[derive(sqlx::FromRow)]
struct StoredPersonal {
    id: Uuid,
    id_number: String,
    phone: String,
}

/// The tables that keep a person's ID number and phone sealed under the data key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sealed {
    Members,
    /// A recruitment case's person, not yet a member (no phone lookup hash: cases are not searched
    /// by phone).
    RecruitmentCases,
}

impl Sealed {
    const ALL: [Sealed; 2] = [Sealed::Members, Sealed::RecruitmentCases];

    fn table(self) -> &'static str {
        match self {
            Sealed::Members => "members",
            Sealed::RecruitmentCases => "recruitment_cases",
        }
    }

    /// SQL condition: the row's ID number or phone is not stored under the key of prefix `$1`.
    fn not_under_current_key(self) -> &'static str {
        match self {
            Sealed::Members => {
                "(id_number NOT LIKE $1 OR id_number_hash IS NULL \
                 OR (phone <> '' AND (phone NOT LIKE $1 OR phone_hash IS NULL)))"
            }
            Sealed::RecruitmentCases => {
                "(id_number NOT LIKE $1 OR id_number_hash IS NULL OR (phone <> '' AND phone NOT LIKE $1))"
            }
        }
    }
}

impl Db {
    /// Moves up to `limit` members after `after` (in id order) to the current data key: plaintext is
    /// encrypted, values under an old key are re-encrypted, and the lookup hashes rewritten. One
    /// transaction with its audit record, so an interrupted run loses nothing and a new run picks up
    /// the rows still left (only those are selected).
    pub async fn reencrypt_members(
        &self,
        actor: &Actor,
        after: Option<Uuid>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<ReencryptBatch> {
        self.reencrypt(Sealed::Members, actor, after, limit, now).await
    }

    /// [`Db::reencrypt_members`] for the people of recruitment cases: a rotation moves both, or the
    /// cases would become unreadable once the old key is removed.
    pub async fn reencrypt_recruitment_cases(
        &self,
        actor: &Actor,
        after: Option<Uuid>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<ReencryptBatch> {
        self.reencrypt(Sealed::RecruitmentCases, actor, after, limit, now).await
    }

    async fn reencrypt(
        &self,
        table: Sealed,
        actor: &Actor,
        after: Option<Uuid>,
        limit: i64,
        now: DateTime<Utc>,
    ) -> Result<ReencryptBatch> {
        let Some(keys) = self.data_keys() else {
            return Err(StoreError::DataKey("未配置数据密钥（DANGWU_DATA_KEY），无法加密".into()));
        };
        let prefix = format!("{}%", keys.current_prefix());
        let mut find =
            q(&format!("SELECT id, id_number, phone FROM {} WHERE {}", table.table(), table.not_under_current_key()))
                .bind(prefix);
        if let Some(after) = after {
            find.push_bind(" AND id > ", after);
        }
        find.push(&format!(" ORDER BY id LIMIT {}", limit.clamp(1, 10_000)));
        let mut tx = self.begin().await?;
        let rows: Vec<StoredPersonal> = tx.fetch_all(find).await?;
        let mut batch = ReencryptBatch { found: rows.len(), rewritten: 0, last: rows.last().map(|r| r.id) };
        for row in &rows {
            let (mut id_number, mut phone) = (row.id_number.clone(), row.phone.clone());
            crypto::open_identifiers(Some(keys), row.id, &mut id_number, &mut phone)?;
            // Conditional on the values read, so an edit saved meanwhile is never overwritten.
            let update = match table {
                Sealed::Members => q("UPDATE members SET id_number = $2, phone = $3, id_number_hash = $4, \
                     phone_hash = $5 WHERE id = $1 AND id_number = $6 AND phone = $7"),
                Sealed::RecruitmentCases => q("UPDATE recruitment_cases SET id_number = $2, phone = $3, \
                     id_number_hash = $4 WHERE id = $1 AND id_number = $5 AND phone = $6"),
            }
            .bind(row.id)
            .bind(keys.seal(Field::IdNumber, row.id, &id_number))
            .bind(keys.seal(Field::Phone, row.id, &phone))
            .bind(keys.hash(Field::IdNumber, &id_number));
            let update = match table {
                Sealed::Members => update.bind(keys.hash(Field::Phone, &phone)),
                Sealed::RecruitmentCases => update,
            };
            batch.rewritten += tx
                .execute(update.bind(row.id_number.as_str()).bind(row.phone.as_str()))
                .await
                .map_err(unique_to_conflict)? as usize;
        }
        if batch.rewritten > 0 {
            let (event, entity) = match table {
                Sealed::Members => ("member.reencrypt", "member"),
                Sealed::RecruitmentCases => ("recruitment.reencrypt", "recruitment_case"),
            };
            tx.audit(
                actor,
                now,
                Event::new(event, entity, None)
                    .after(serde_json::json!({ "rows": batch.rewritten, "key_id": keys.current_id() })),
            )
            .await?;
        }
        tx.commit().await?;
        Ok(batch)
    }

    /// How many members' ID numbers are stored under each key (`""`: plaintext), and how many rows of
    /// people — members and recruitment cases — are not yet wholly under the current key (`None`
    /// without a key): an old key may be removed only when none is.
    pub async fn data_key_status(&self) -> Result<(Vec<(String, i64)>, Option<i64>)> {
        let by_key: Vec<(String, i64)> = self
            .fetch_all(q(
                "SELECT CASE WHEN id_number LIKE 'enc1:%' THEN substr(id_number, 6, 8) ELSE '' END AS key_id, \
                 COUNT(*) FROM members GROUP BY 1 ORDER BY 1",
            ))
            .await?;
        let pending = match self.data_keys() {
            Some(keys) => {
                let prefix = format!("{}%", keys.current_prefix());
                let mut pending = 0;
                for table in Sealed::ALL {
                    let (n,): (i64,) = self
                        .fetch_one(
                            q(&format!(
                                "SELECT COUNT(*) FROM {} WHERE {}",
                                table.table(),
                                table.not_under_current_key()
                            ))
                            .bind(prefix.as_str()),
                        )
                        .await?;
                    pending += n;
                }
                Some(pending)
            }
            None => None,
        };
        Ok((by_key, pending))
    }
}
