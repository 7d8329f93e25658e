//! Recruitment cases (发展党员): one person's way from the application through the 25 steps, and what
//! was recorded at each. Which step may be recorded, and from when, is judged by the domain with the
//! rules crate in the transaction that calls [`Tx::add_case_record`]; this module reads and writes the
//! rows, seals the person's ID number and phone like members', and audits every write.

use chrono::{DateTime, NaiveDate, Utc};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::access::{Access, covers};
use crate::audit::Event;
use crate::crypto::{self, DataKeys, Field};
use crate::{Actor, Conflict, Db, JsonText, Result, StoreError, Tx, new_id, q};
use dangwu_rules::idcard::Gender;
use dangwu_rules::member::Occupation;

dangwu_rules::code_list! {
    /// Whether a case is still running (办理中), ended in full membership (已转正) or was ended (已终止).
    pub enum CaseStatus: "发展状态" {
        Open = "open", "办理中";
        Converted = "converted", "已转正";
        Cancelled = "cancelled", "已终止";
    }
}
text_column!(CaseStatus);

dangwu_rules::code_list! {
    /// What the person is now, by the last step recorded: the tabs of the list.
    pub enum CaseStage: "发展阶段" {
        /// Steps 1–2.
        Applicant = "applicant", "入党申请人";
        /// Steps 3–6.
        Activist = "activist", "入党积极分子";
        /// Steps 7–16: until the higher committee approves the admission.
        DevelopmentTarget = "development_target", "发展对象";
        /// Steps 17–23.
        Probationary = "probationary", "预备党员";
        /// Step 24 on.
        Full = "full", "正式党员";
    }
}
text_column!(CaseStage);

impl CaseStage {
    /// The stage of a person whose last recorded step is `step` (1–25).
    pub fn after_step(step: u8) -> CaseStage {
        match step {
            0..=2 => CaseStage::Applicant,
            3..=6 => CaseStage::Activist,
            7..=16 => CaseStage::DevelopmentTarget,
            17..=23 => CaseStage::Probationary,
            _ => CaseStage::Full,
        }
    }
}

dangwu_rules::code_list! {
    /// What a record of a case is.
    pub enum CaseRecordKind: "发展记录类型" {
        /// One of the 25 steps.
        Step = "step", "步骤";
        /// 延长预备期.
        Extension = "extension", "延长预备期";
        /// 终止发展.
        Cancellation = "cancellation", "终止发展";
    }
}
text_column!(CaseRecordKind);

/// The fields of the member record the person will need on admission, besides those kept in columns.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PersonDetails {
    /// 民族
    #[cfg_attr(feature = "schema", schema(max_length = 20))]
    pub ethnicity: String,
    /// 学历
    #[cfg_attr(feature = "schema", schema(max_length = 20))]
    pub education: String,
    pub occupation: Occupation,
    /// 工作单位
    #[cfg_attr(feature = "schema", schema(max_length = 100))]
    pub work_unit: String,
    /// 职务
    #[serde(default)]
    #[cfg_attr(feature = "schema", schema(max_length = 50))]
    pub post: String,
}

/// One person taking part in a step: the one who talked, a mentor (培养联系人), a sponsor (入党介绍人),
/// a reviewer…
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CasePerson {
    /// 角色, e.g. 谈话人, 培养联系人, 入党介绍人.
    #[cfg_attr(feature = "schema", schema(max_length = 20))]
    pub role: String,
    #[cfg_attr(feature = "schema", schema(max_length = 50))]
    pub name: String,
}

/// One document of a step's checklist (入党申请书, 思想汇报, 政审材料…); files are kept elsewhere.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseDocument {
    #[cfg_attr(feature = "schema", schema(max_length = 100))]
    pub name: String,
    #[serde(default)]
    pub done: bool,
}

/// The vote of a meeting that decides a step (支部大会 on admission and conversion).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseVote {
    /// 应到会有表决权的正式党员
    #[cfg_attr(feature = "schema", schema(maximum = 100000))]
    pub eligible: u32,
    /// 实到会有表决权的正式党员
    #[cfg_attr(feature = "schema", schema(maximum = 100000))]
    pub present: u32,
    /// 赞成 (including written opinions of absent voters submitted before the meeting)
    #[serde(rename = "for")]
    #[cfg_attr(feature = "schema", schema(maximum = 100000))]
    pub in_favour: u32,
    #[cfg_attr(feature = "schema", schema(maximum = 100000))]
    pub against: u32,
    #[cfg_attr(feature = "schema", schema(maximum = 100000))]
    pub abstain: u32,
}

/// Concentrated training attended (集中培训), recorded with step 11.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct CaseTraining {
    #[cfg_attr(feature = "schema", schema(maximum = 366))]
    pub days: u32,
    #[cfg_attr(feature = "schema", schema(maximum = 10000))]
    pub hours: u32,
}

/// What a record holds besides its dates.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct RecordDetail {
    #[serde(default)]
    pub people: Vec<CasePerson>,
    #[serde(default)]
    pub documents: Vec<CaseDocument>,
    #[serde(default)]
    pub vote: Option<CaseVote>,
    #[serde(default)]
    pub training: Option<CaseTraining>,
    /// 理由 (extension, cancellation).
    #[serde(default)]
    pub reason: String,
    #[serde(default)]
    pub notes: String,
}

/// A case as entered when it is opened.
#[derive(Debug, Clone)]
pub struct CaseInput {
    pub organization_id: Uuid,
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub phone: String,
    pub person: PersonDetails,
}

/// Where a case stands, as the rules judged it at the write: kept for the lists.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CaseProgress {
    pub status: CaseStatus,
    pub stage: CaseStage,
    pub next_step: Option<u8>,
    pub next_earliest: Option<NaiveDate>,
    pub next_deadline: Option<NaiveDate>,
}

/// A new record of a case.
#[derive(Debug, Clone)]
pub struct NewRecord {
    pub kind: CaseRecordKind,
    pub step: Option<u8>,
    pub done_on: NaiveDate,
    pub notice_start: Option<NaiveDate>,
    pub approved_on: Option<NaiveDate>,
    pub months: Option<u32>,
    pub detail: RecordDetail,
}

/// What one write adds to a case read at `version`: the record, the progress the rules now give, and
/// the member made on admission, if any.
#[derive(Debug, Clone)]
pub struct CaseWrite {
    pub version: i64,
    pub record: NewRecord,
    pub progress: CaseProgress,
    pub member_id: Option<Uuid>,
}

/// A case as stored (ID number and phone in plaintext once read; the API masks them).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = RecruitmentCaseRow))]
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseRow {
    pub id: Uuid,
    pub organization_id: Uuid,
    pub organization_name: String,
    pub name: String,
    #[sqlx(try_from = "crate::Stored<Gender>")]
    pub gender: Gender,
    pub birth_date: NaiveDate,
    pub id_number: String,
    pub phone: String,
    #[sqlx(rename = "person_json", try_from = "String")]
    #[cfg_attr(feature = "schema", schema(value_type = PersonDetails))]
    pub person: JsonText<PersonDetails>,
    pub status: CaseStatus,
    pub stage: CaseStage,
    pub next_step: Option<i64>,
    pub next_earliest: Option<NaiveDate>,
    pub next_deadline: Option<NaiveDate>,
    /// The member record made on admission.
    pub member_id: Option<Uuid>,
    pub version: i64,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

/// One record of a case.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema), schema(as = RecruitmentRecord))]
#[derive(Debug, Clone, Serialize, sqlx::FromRow)]
pub struct CaseRecord {
    pub id: Uuid,
    pub kind: CaseRecordKind,
    /// 1–25 for a step.
    pub step: Option<i64>,
    pub done_on: NaiveDate,
    /// First day of the 公示 held before the step.
    pub notice_start: Option<NaiveDate>,
    /// Date of the higher committee's approval (extension, cancellation).
    pub approved_on: Option<NaiveDate>,
    /// Months of an extension.
    pub months: Option<i64>,
    #[sqlx(rename = "detail_json", try_from = "String")]
    #[cfg_attr(feature = "schema", schema(value_type = RecordDetail))]
    pub detail: JsonText<RecordDetail>,
    pub created_at: DateTime<Utc>,
}

/// A case with every record, in the order recorded.
#[derive(Debug, Clone)]
pub struct Case {
    pub row: CaseRow,
    pub records: Vec<CaseRecord>,
}

/// Filters of the case list.
#[derive(Debug, Clone, Default)]
pub struct CaseFilter {
    pub organization_id: Option<Uuid>,
    /// With `organization_id`: include the organizations below it.
    pub subtree: bool,
    pub stage: Option<CaseStage>,
    pub status: Option<CaseStatus>,
}

const CASE_SELECT: &str = "SELECT rc.id, rc.organization_id, o.name AS organization_name, rc.name, rc.gender, rc.birth_date, \
    rc.id_number, rc.phone, rc.person_json, rc.status, rc.stage, rc.next_step, rc.next_earliest, rc.next_deadline, rc.member_id, \
    rc.version, rc.created_at, rc.updated_at FROM recruitment_cases rc JOIN organizations o ON o.id = rc.organization_id";

const RECORD_SELECT: &str = "SELECT id, kind, step, done_on, notice_start, approved_on, months, detail_json, \
    created_at FROM recruitment_records";

fn reveal(keys: Option<&DataKeys>, mut c: CaseRow) -> Result<CaseRow> {
    crypto::open_identifiers(keys, c.id, &mut c.id_number, &mut c.phone)?;
    Ok(c)
}

/// What the audit log keeps of a case: with a data key the identifiers masked, as for members.
fn case_audit(keys: Option<&DataKeys>, c: &CaseRow) -> serde_json::Value {
    let (id_number, phone) = crypto::audit_identifiers(keys, &c.id_number, &c.phone);
    serde_json::json!({
        "name": c.name, "gender": c.gender, "birth_date": c.birth_date, "id_number": id_number, "phone": phone,
        "person": c.person.0, "organization_id": c.organization_id, "status": c.status, "stage": c.stage,
        "next_step": c.next_step, "member_id": c.member_id,
    })
}

fn record_audit(r: &NewRecord) -> serde_json::Value {
    serde_json::json!({
        "kind": r.kind, "step": r.step, "done_on": r.done_on, "notice_start": r.notice_start,
        "approved_on": r.approved_on, "months": r.months, "detail": r.detail,
    })
}

fn stale_case() -> StoreError {
    StoreError::conflict(Conflict::StaleVersion, "该发展记录已被他人修改，请刷新后重试")
}

impl Tx {
    /// A case the user may read (NotFound otherwise: not there and not the user's look the same), with
    /// `access` over its organization required (Forbidden), and its records.
    pub async fn case_for(&mut self, keys: Option<&DataKeys>, user: Uuid, id: Uuid, access: Access) -> Result<Case> {
        let row: Option<CaseRow> = self
            .fetch_optional(
                q(&format!("{CASE_SELECT} WHERE rc.id = $2 AND {}", covers(Access::Read, "$1", "rc.organization_id")))
                    .bind(user)
                    .bind(id),
            )
            .await?;
        let row = row.ok_or(StoreError::NotFound)?;
        if access != Access::Read && !self.has_access(user, row.organization_id, access).await? {
            return Err(crate::orgs::forbidden());
        }
        let records = self.case_records(id).await?;
        Ok(Case { row: reveal(keys, row)?, records })
    }

    async fn case_records(&mut self, id: Uuid) -> Result<Vec<CaseRecord>> {
        self.fetch_all(q(&format!("{RECORD_SELECT} WHERE case_id = $1 ORDER BY created_at, id")).bind(id)).await
    }

    async fn case_by_id(&mut self, keys: Option<&DataKeys>, id: Uuid) -> Result<Case> {
        let row: CaseRow = self.fetch_one(q(&format!("{CASE_SELECT} WHERE rc.id = $1")).bind(id)).await?;
        let records = self.case_records(id).await?;
        Ok(Case { row: reveal(keys, row)?, records })
    }

    /// Opens a case with its first record (the application). The organization and the right to write
    /// there are checked by the caller in this transaction. Audited.
    pub async fn create_case(
        &mut self,
        keys: Option<&DataKeys>,
        actor: &Actor,
        input: &CaseInput,
        first: &NewRecord,
        progress: &CaseProgress,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        let id = new_id();
        let (id_number, phone, hash) = match keys {
            Some(k) => (
                k.seal(Field::IdNumber, id, &input.id_number),
                k.seal(Field::Phone, id, &input.phone),
                k.hash(Field::IdNumber, &input.id_number),
            ),
            None => (input.id_number.clone(), input.phone.clone(), None),
        };
        self.execute(
            q("INSERT INTO recruitment_cases (id, organization_id, name, gender, birth_date, id_number, id_number_hash, \
               phone, person_json, status, stage, next_step, next_earliest, next_deadline, member_id, version, \
               created_at, updated_at) \
               VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, $13, $14, NULL, 1, $15, $15)")
            .bind(id)
            .bind(input.organization_id)
            .bind(input.name.as_str())
            .bind(input.gender.code())
            .bind(input.birth_date)
            .bind(id_number)
            .bind(hash)
            .bind(phone)
            .bind(serde_json::to_string(&input.person)?)
            .bind(progress.status.code())
            .bind(progress.stage.code())
            .bind(progress.next_step.map(i64::from))
            .bind(progress.next_earliest)
            .bind(progress.next_deadline)
            .bind(now),
        )
        .await?;
        self.insert_record(id, first, now).await?;
        let case = self.case_by_id(keys, id).await?;
        let mut after = case_audit(keys, &case.row);
        after["record"] = record_audit(first);
        self.audit(
            actor,
            now,
            Event::new("recruitment.open", "recruitment_case", id).in_org(case.row.organization_id).after(after),
        )
        .await?;
        Ok(case)
    }

    async fn insert_record(&mut self, case: Uuid, r: &NewRecord, now: DateTime<Utc>) -> Result<()> {
        self.execute(
            q("INSERT INTO recruitment_records (id, case_id, kind, step, done_on, notice_start, approved_on, months, \
               detail_json, created_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10)")
            .bind(new_id())
            .bind(case)
            .bind(r.kind.code())
            .bind(r.step.map(i64::from))
            .bind(r.done_on)
            .bind(r.notice_start)
            .bind(r.approved_on)
            .bind(r.months.map(i64::from))
            .bind(serde_json::to_string(&r.detail)?)
            .bind(now),
        )
        .await
        .map_err(|e| e.duplicate_as(Conflict::StaleVersion, "该步骤已登记，请刷新后重试"))?;
        Ok(())
    }

    /// Adds a record to a case read (by [`Tx::case_for`] with write access, in this transaction) at
    /// `write.version`. Zero rows updated means another writer came first: refused as stale. Audited.
    pub async fn add_case_record(
        &mut self,
        keys: Option<&DataKeys>,
        actor: &Actor,
        before: &Case,
        write: &CaseWrite,
        now: DateTime<Utc>,
    ) -> Result<Case> {
        let CaseWrite { version, record, progress, member_id } = write;
        let (version, member_id) = (*version, *member_id);
        let id = before.row.id;
        if before.row.version != version {
            return Err(stale_case());
        }
        let written = self
            .execute(
                q("UPDATE recruitment_cases SET status = $2, stage = $3, next_step = $4, next_earliest = $5, \
                   next_deadline = $6, member_id = COALESCE($7, member_id), version = version + 1, updated_at = $8 \
                   WHERE id = $1 AND version = $9")
                .bind(id)
                .bind(progress.status.code())
                .bind(progress.stage.code())
                .bind(progress.next_step.map(i64::from))
                .bind(progress.next_earliest)
                .bind(progress.next_deadline)
                .bind(member_id)
                .bind(now)
                .bind(version),
            )
            .await?;
        if written == 0 {
            return Err(stale_case());
        }
        self.insert_record(id, record, now).await?;
        let after = self.case_by_id(keys, id).await?;
        let mut after_value = case_audit(keys, &after.row);
        after_value["record"] = record_audit(record);
        self.audit(
            actor,
            now,
            Event::new(
                match record.kind {
                    CaseRecordKind::Step => "recruitment.step",
                    CaseRecordKind::Extension => "recruitment.extend",
                    CaseRecordKind::Cancellation => "recruitment.cancel",
                },
                "recruitment_case",
                id,
            )
            .in_org(after.row.organization_id)
            .before(case_audit(keys, &before.row))
            .after(after_value),
        )
        .await?;
        Ok(after)
    }
}

impl Db {
    /// See [`Tx::case_for`] (read access).
    pub async fn get_case(&self, user: Uuid, id: Uuid) -> Result<Case> {
        let mut tx = self.begin_read().await?;
        tx.case_for(self.data_keys(), user, id, Access::Read).await
    }

    /// The cases the user may read, by next deadline (the overdue first, those without a deadline
    /// last), then by name; at most `cap` (more: [`StoreError::TooLarge`], asking to narrow the scope).
    /// Grant scope is part of the query.
    pub async fn list_cases(&self, user: Uuid, f: &CaseFilter, cap: i64) -> Result<Vec<CaseRow>> {
        let mut query =
            q(&format!("{CASE_SELECT} WHERE {}", covers(Access::Read, "$1", "rc.organization_id"))).bind(user);
        if let Some(org) = f.organization_id {
            if f.subtree {
                query
                    .push_bind(" AND rc.organization_id IN (SELECT descendant FROM org_closure WHERE ancestor = ", org);
                query.push(")");
            } else {
                query.push_bind(" AND rc.organization_id = ", org);
            }
        }
        if let Some(stage) = f.stage {
            query.push_bind(" AND rc.stage = ", stage.code());
        }
        if let Some(status) = f.status {
            query.push_bind(" AND rc.status = ", status.code());
        }
        query.push(&format!(
            " ORDER BY CASE WHEN rc.next_deadline IS NULL THEN 1 ELSE 0 END, rc.next_deadline, rc.name, rc.id LIMIT {}",
            cap.max(0) + 1
        ));
        let mut tx = self.begin_read().await?;
        let rows: Vec<CaseRow> = tx.fetch_all(query).await?;
        if rows.len() as i64 > cap {
            return Err(StoreError::TooLarge(format!("发展党员记录超过 {cap} 条，请选择下级组织或阶段查看")));
        }
        rows.into_iter().map(|r| reveal(self.data_keys(), r)).collect()
    }
}
