//! Recruitment cases (发展党员): opening a case on an application, recording the next step, extending
//! the probation, ending a case. Each use case reads the case with every record in its write
//! transaction, runs the pipeline rules (`dangwu_rules::recruitment::assess`) on what the write would
//! make of it, and writes only what they allow: a step taken before its earliest date, or while a
//! condition blocks it, is refused with the rule and (for a date) the first day it is allowed.
//!
//! Admission (step 17, 上级党委审批) enters the person as a probationary member of the branch through
//! the member path; conversion (step 24) makes them a full member on the day the probation ends.

use chrono::NaiveDate;
use dangwu_rules::idcard::{self, Gender};
use dangwu_rules::member::Status;
use dangwu_rules::orglife::{VotingBody, general_meeting_quorum, general_meeting_vote};
use dangwu_rules::recruitment::{
    self as rules, LimitKind, PipelineAssessment, PipelineStep, RULE_ACTIVIST_MIN_YEARS, RULE_EXTENSION_COUNT,
    RULE_EXTENSION_MAX, RULE_EXTENSION_MIN, RULE_POLITICAL_REVIEW_VALID, RULE_PROBATION, RULE_SPONSORS,
    RULE_STEP_ORDER, RULE_TRAINING_DAYS, RecruitmentFacts, Training,
};
use dangwu_rules::{Level, RuleBook, StructuralRule};
use dangwu_store::access::Access;
use dangwu_store::members::Member;
use dangwu_store::recruitment::{
    Case, CaseDocument, CaseInput, CasePerson, CaseProgress, CaseRecord, CaseRecordKind, CaseRow, CaseStage,
    CaseStatus, CaseTraining, CaseVote, CaseWrite, NewRecord, PersonDetails, RecordDetail,
};
use dangwu_store::{Actor, Conflict, StoreError};
use serde::{Deserialize, Serialize};
use utoipa::ToSchema;
use uuid::Uuid;

use super::members::{EDUCATION, MemberFields};
use super::{Ctx, DomainError, DomainResult, FieldIssue};

/// A case opened on an application (递交入党申请书, step 1).
#[derive(Debug, Deserialize, ToSchema)]
pub struct OpenCase {
    /// The branch that received the application.
    pub organization_id: Uuid,
    #[schema(max_length = 50)]
    pub name: String,
    pub gender: Gender,
    pub birth_date: NaiveDate,
    /// 18 characters: the member record made on admission needs it.
    #[schema(max_length = 18)]
    pub id_number: String,
    /// 11 digits, optional.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: String,
    pub person: PersonDetails,
    /// 递交入党申请书的日期.
    pub application_date: NaiveDate,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub documents: Vec<CaseDocument>,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub notes: String,
}

/// One record added to a case: the next step, an extension of the probation, or the end of the case.
#[derive(Debug, Deserialize, ToSchema)]
pub struct RecordStep {
    /// The case's `version` as read (a record over someone else's is refused with 409 stale_version).
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    /// `step` (default), `extension` (延长预备期) or `cancellation` (终止发展).
    #[serde(default)]
    pub kind: Option<CaseRecordKind>,
    /// For a step: which one; only the next step of the case may be recorded.
    #[serde(default)]
    pub step: Option<PipelineStep>,
    /// The day of the step, or of the meeting that decided an extension or cancellation.
    pub date: NaiveDate,
    /// First day of the 公示 held before the step, where one is held.
    #[serde(default)]
    pub notice_start: Option<NaiveDate>,
    /// The higher committee's approval of an extension or cancellation.
    #[serde(default)]
    pub approved_on: Option<NaiveDate>,
    /// Months of an extension.
    #[serde(default)]
    #[schema(minimum = 1, maximum = 120)]
    pub months: Option<u32>,
    /// Who took part: the one who talked, the mentors (step 5: their number is checked), the sponsors
    /// (step 9: their number is checked), reviewers…
    #[serde(default)]
    #[schema(max_items = 20)]
    pub people: Vec<CasePerson>,
    #[serde(default)]
    #[schema(max_items = 50)]
    pub documents: Vec<CaseDocument>,
    /// The vote of the 支部大会 (needed at steps 15 and 23).
    #[serde(default)]
    pub vote: Option<CaseVote>,
    /// The concentrated training attended (needed at step 11).
    #[serde(default)]
    pub training: Option<CaseTraining>,
    /// 理由 (extension, cancellation).
    #[serde(default)]
    #[schema(max_length = 500)]
    pub reason: String,
    #[serde(default)]
    #[schema(max_length = 5000)]
    pub notes: String,
}

/// A case as the API answers it: the person (ID number and phone masked), every record, and what the
/// rules make of it: each step's earliest date and deadlines with their rules, and the problems.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseView {
    #[serde(flatten)]
    pub case: CaseRow,
    /// The next step, as a code.
    pub next: Option<PipelineStep>,
    /// The next step's deadline has passed.
    pub overdue: bool,
    pub records: Vec<CaseRecord>,
    pub assessment: PipelineAssessment,
}

/// One row of the case list.
#[derive(Debug, Serialize, ToSchema)]
pub struct CaseListItem {
    #[serde(flatten)]
    pub case: CaseRow,
    pub next: Option<PipelineStep>,
    /// 第N步「…」.
    pub next_label: Option<String>,
    pub overdue: bool,
}

fn masked(mut row: CaseRow) -> CaseRow {
    row.id_number = idcard::mask(&row.id_number);
    row.phone = idcard::mask_phone(&row.phone);
    row
}

fn step_of(n: Option<i64>) -> Option<PipelineStep> {
    n.and_then(|n| u8::try_from(n).ok()).and_then(PipelineStep::from_number)
}

/// A list row as the API answers it.
pub fn list_item(row: CaseRow, today: NaiveDate) -> CaseListItem {
    let next = step_of(row.next_step);
    CaseListItem {
        next_label: next.map(|s| format!("第{}步「{}」", s.number(), s.label())),
        overdue: row.next_deadline.is_some_and(|d| d < today),
        next,
        case: masked(row),
    }
}

/// A case as the API answers it, with the rules' assessment as of now.
pub fn view(case: Case, rules: &RuleBook, today: NaiveDate) -> DomainResult<CaseView> {
    let assessment = rules::assess(rules, &facts(&case.row, &case.records))?;
    Ok(CaseView {
        next: step_of(case.row.next_step),
        overdue: case.row.next_deadline.is_some_and(|d| d < today),
        records: case.records,
        assessment,
        case: masked(case.row),
    })
}

/// What the pipeline rules need, from the records of a case. The number of mentors and sponsors is
/// the number of people recorded with steps 5 and 9.
fn facts(row: &CaseRow, records: &[CaseRecord]) -> RecruitmentFacts {
    let mut f = RecruitmentFacts { birth_date: Some(row.birth_date), ..RecruitmentFacts::default() };
    for r in records {
        match r.kind {
            CaseRecordKind::Step => {
                let Some(step) = step_of(r.step) else { continue };
                add_step(&mut f, step, r.done_on, r.notice_start, &r.detail);
            }
            CaseRecordKind::Extension => f.extensions_months.push(r.months.unwrap_or(0).clamp(0, 120) as u32),
            CaseRecordKind::Cancellation => {}
        }
    }
    f
}

fn add_step(f: &mut RecruitmentFacts, step: PipelineStep, on: NaiveDate, notice: Option<NaiveDate>, d: &RecordDetail) {
    f.steps.insert(step, on);
    if let Some(n) = notice {
        f.notices.insert(step, n);
    }
    let count = u32::try_from(d.people.len()).unwrap_or(u32::MAX);
    match step {
        PipelineStep::AssignMentors => f.mentors = Some(count),
        PipelineStep::ChooseSponsors => f.sponsors = Some(count),
        PipelineStep::ConcentratedTraining => {
            f.training = d.training.map(|t| Training { days: t.days, hours: t.hours });
        }
        _ => {}
    }
}

/// Where the case stands after a write, for the lists.
fn progress(a: &PipelineAssessment, f: &RecruitmentFacts, status: CaseStatus) -> CaseProgress {
    let last = f.steps.keys().max().map_or(0, |s| s.number());
    let next = if status == CaseStatus::Cancelled { None } else { a.next_step };
    let plan = next.and_then(|s| a.steps.iter().find(|p| p.step == s));
    CaseProgress {
        status,
        stage: CaseStage::after_step(last),
        next_step: next.map(PipelineStep::number),
        next_earliest: plan.and_then(|p| p.earliest.or(p.planned)),
        next_deadline: plan.and_then(|p| p.deadline),
    }
}

/// A trimmed text, required or not.
fn text(errors: &mut Vec<FieldIssue>, field: &str, value: &str, required: bool, label: &str) -> String {
    let v = value.trim().to_owned();
    if required && v.is_empty() {
        errors.push(FieldIssue::new(field, format!("{label}必填")));
    }
    v
}

/// A date of the past or today, in the range the rules compute.
fn past_date(errors: &mut Vec<FieldIssue>, field: &str, date: NaiveDate, today: NaiveDate) {
    if let Err(reason) = dangwu_rules::dates::check_input_date(date) {
        errors.push(FieldIssue::new(field, reason));
    } else if date > today {
        errors.push(FieldIssue::new(field, format!("日期不能晚于今天（{today}）")));
    }
}

fn check_people(errors: &mut Vec<FieldIssue>, people: &[CasePerson], documents: &[CaseDocument]) -> RecordDetailParts {
    let people = people
        .iter()
        .enumerate()
        .map(|(i, p)| CasePerson {
            role: text(errors, &format!("people[{i}].role"), &p.role, true, "角色"),
            name: text(errors, &format!("people[{i}].name"), &p.name, true, "姓名"),
        })
        .collect();
    let documents = documents
        .iter()
        .enumerate()
        .map(|(i, d)| CaseDocument {
            name: text(errors, &format!("documents[{i}].name"), &d.name, true, "材料名称"),
            done: d.done,
        })
        .collect();
    RecordDetailParts { people, documents }
}

struct RecordDetailParts {
    people: Vec<CasePerson>,
    documents: Vec<CaseDocument>,
}

/// Checks the person's fields as the member record will need them: the ID number's check digit and
/// its agreement with the birth date and gender, the phone, the coded education.
fn check_person(errors: &mut Vec<FieldIssue>, req: &OpenCase) -> (String, String, String, PersonDetails) {
    let name = text(errors, "name", &req.name, true, "姓名");
    let phone = req.phone.trim().to_owned();
    let mobile = phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit());
    if !phone.is_empty() && !mobile {
        errors.push(FieldIssue::new("phone", "手机号码应为以1开头的11位数字"));
    }
    let id_number = match idcard::parse(&req.id_number) {
        Ok(id) => {
            if id.birth_date != req.birth_date {
                errors.push(FieldIssue::new(
                    "birth_date",
                    format!("出生日期与公民身份号码不一致（号码中为 {}）", id.birth_date),
                ));
            }
            if id.gender != req.gender {
                errors.push(FieldIssue::new("gender", "性别与公民身份号码不一致"));
            }
            id.number
        }
        Err(e) => {
            errors.push(FieldIssue::new("id_number", e.to_string()));
            req.id_number.clone()
        }
    };
    let p = &req.person;
    if !EDUCATION.contains(&p.education.as_str()) {
        errors.push(FieldIssue::new("person.education", format!("学历应为：{}", EDUCATION.join("、"))));
    }
    let person = PersonDetails {
        ethnicity: text(errors, "person.ethnicity", &p.ethnicity, true, "民族"),
        education: p.education.clone(),
        occupation: p.occupation,
        work_unit: text(errors, "person.work_unit", &p.work_unit, true, "工作单位"),
        post: text(errors, "person.post", &p.post, false, "职务"),
    };
    (name, id_number, phone, person)
}

/// Opens a case on an application in a branch the actor may write to (入党申请人).
pub async fn open(ctx: &Ctx<'_>, actor: &Actor, req: OpenCase) -> DomainResult<CaseView> {
    let mut tx = ctx.db.begin().await?;
    // The right to write comes first: a caller without it hears 403/404, not what is wrong with the input.
    let org = tx.org_for(actor.user_id, req.organization_id, Access::WriteMembers).await?;
    let mut errors = Vec::new();
    let (name, id_number, phone, person) = check_person(&mut errors, &req);
    past_date(&mut errors, "application_date", req.application_date, ctx.today);
    past_date(&mut errors, "birth_date", req.birth_date, ctx.today);
    let parts = check_people(&mut errors, &[], &req.documents);
    let notes = req.notes.trim().to_owned();
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    if !org.kind.holds_formal_membership() || org.status != dangwu_rules::org::OrgStatus::Active {
        return Err(DomainError::structural(
            StructuralRule::MemberOrganizationKind,
            format!("入党申请应由党支部受理：{}（{}）不是在册的党支部", org.name, org.kind.label()),
        ));
    }
    let first = NewRecord {
        kind: CaseRecordKind::Step,
        step: Some(PipelineStep::SubmitApplication.number()),
        done_on: req.application_date,
        notice_start: None,
        approved_on: None,
        months: None,
        detail: RecordDetail { people: parts.people, documents: parts.documents, notes, ..RecordDetail::default() },
    };
    let mut f = RecruitmentFacts { birth_date: Some(req.birth_date), ..RecruitmentFacts::default() };
    add_step(&mut f, PipelineStep::SubmitApplication, req.application_date, None, &first.detail);
    let a = rules::assess(ctx.rules, &f)?;
    refuse_problems(&a, PipelineStep::SubmitApplication, &[])?;
    let input = CaseInput {
        organization_id: org.id,
        name,
        gender: req.gender,
        birth_date: req.birth_date,
        id_number,
        phone,
        person,
    };
    let case =
        tx.create_case(ctx.db.data_keys(), actor, &input, &first, &progress(&a, &f, CaseStatus::Open), ctx.now).await?;
    tx.commit().await?;
    view(case, ctx.rules, ctx.today)
}

/// The conditions of admission that refuse a step whatever the standing of the rule's source: the
/// rules crate only warns on a rule whose 2026 text is known from secondary sources, but a person is
/// not made a development target before a year as activist, nor admitted on an expired political
/// review or without the training (细则 第十三、二十二、十九条, unchanged in substance), nor is the
/// age, the probation or its extension a matter of local practice (党章 第一、七条).
const ALWAYS_REFUSED: [&str; 7] = [
    RULE_ACTIVIST_MIN_YEARS,
    RULE_POLITICAL_REVIEW_VALID,
    RULE_TRAINING_DAYS,
    RULE_PROBATION,
    dangwu_rules::member::RULE_MIN_AGE,
    RULE_EXTENSION_MIN,
    RULE_EXTENSION_COUNT,
];

fn refuses(p: &dangwu_rules::recruitment::PipelineProblem) -> bool {
    p.level == Level::Error || ALWAYS_REFUSED.contains(&p.rule)
}

/// Refuses the write when the rules find an error on `step` (other than those in `accepted`, which
/// only warn here and block a later step): a date before the earliest allowed answers that date.
fn refuse_problems(a: &PipelineAssessment, step: PipelineStep, accepted: &[&str]) -> DomainResult<()> {
    let Some(p) = a.problems.iter().find(|p| p.step == step && refuses(p) && !accepted.contains(&p.rule)) else {
        return Ok(());
    };
    let limit = a
        .steps
        .iter()
        .find(|s| s.step == step)
        .and_then(|s| s.limits.iter().find(|l| l.rule == p.rule && l.kind == LimitKind::Earliest));
    let first_allowed = limit.map(|l| l.date);
    let message = match first_allowed {
        Some(d) => format!("{}；最早可于{d}办理", p.message),
        None => p.message.clone(),
    };
    Err(DomainError::Blocked { rule: p.rule.to_owned(), message, first_allowed })
}

/// Records the next step of a case, an extension of the probation or the end of the case, in one
/// transaction with its rule checks and audit.
pub async fn record(ctx: &Ctx<'_>, actor: &Actor, id: Uuid, req: RecordStep) -> DomainResult<CaseView> {
    let mut tx = ctx.db.begin().await?;
    let keys = ctx.db.data_keys();
    let case = tx.case_for(keys, actor.user_id, id, Access::WriteMembers).await?;
    let kind = req.kind.unwrap_or(CaseRecordKind::Step);
    let mut errors = Vec::new();
    past_date(&mut errors, "date", req.date, ctx.today);
    if let Some(n) = req.notice_start {
        past_date(&mut errors, "notice_start", n, ctx.today);
        if n > req.date {
            errors.push(FieldIssue::new("notice_start", "公示开始日期不能晚于本步骤的日期"));
        }
    }
    if let Some(a) = req.approved_on {
        past_date(&mut errors, "approved_on", a, ctx.today);
        if a < req.date {
            errors.push(FieldIssue::new("approved_on", "批准日期不能早于会议日期"));
        }
    }
    let parts = check_people(&mut errors, &req.people, &req.documents);
    let reason = req.reason.trim().to_owned();
    let step = match kind {
        CaseRecordKind::Step => match req.step {
            Some(s) => Some(s),
            None => {
                errors.push(FieldIssue::new("step", "请选择要登记的步骤"));
                None
            }
        },
        CaseRecordKind::Extension => {
            if req.months.is_none() {
                errors.push(FieldIssue::new("months", "请填写延长预备期的月数"));
            }
            if req.approved_on.is_none() {
                errors.push(FieldIssue::new("approved_on", "请填写上级党委批准的日期"));
            }
            None
        }
        CaseRecordKind::Cancellation => {
            if reason.is_empty() {
                errors.push(FieldIssue::new("reason", "请填写终止发展的理由"));
            }
            None
        }
    };
    if let (Some(s), Some(_)) = (step, req.vote)
        && !matches!(s, PipelineStep::AdmissionMeeting | PipelineStep::ConversionMeeting)
    {
        errors.push(FieldIssue::new("vote", "只有支部大会讨论（第15、23步）登记表决结果"));
    }
    if let Some(s) = step {
        if matches!(s, PipelineStep::AdmissionMeeting | PipelineStep::ConversionMeeting) {
            match req.vote {
                None => errors.push(FieldIssue::new("vote", "支部大会讨论须登记表决结果")),
                Some(v) if v.in_favour + v.against + v.abstain > v.eligible => {
                    errors.push(FieldIssue::new("vote", "赞成、反对、弃权票数之和不能多于应到会有表决权的党员人数"))
                }
                Some(v) if v.present > v.eligible => {
                    errors.push(FieldIssue::new("vote.present", "实到人数不能多于应到会人数"))
                }
                Some(_) => {}
            }
        }
        if s == PipelineStep::ConcentratedTraining && req.training.is_none() {
            errors.push(FieldIssue::new("training", "请填写集中培训的天数和学时"));
        }
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    let record = NewRecord {
        kind,
        step: step.map(PipelineStep::number),
        done_on: req.date,
        notice_start: req.notice_start,
        approved_on: req.approved_on,
        months: req.months,
        detail: RecordDetail {
            people: parts.people,
            documents: parts.documents,
            vote: req.vote,
            training: req.training,
            reason,
            notes: req.notes.trim().to_owned(),
        },
    };
    let before_facts = facts(&case.row, &case.records);
    if let Some((last, on)) = before_facts.steps.iter().next_back()
        && kind == CaseRecordKind::Step
        && req.date < *on
    {
        return Err(DomainError::field(
            "date",
            format!("日期不能早于上一步骤第{}步「{}」的日期（{on}）", last.number(), last.label()),
        ));
    }
    let before = rules::assess(ctx.rules, &before_facts)?;
    let recorded = |s: PipelineStep| before_facts.steps.contains_key(&s);
    match case.row.status {
        CaseStatus::Cancelled => return Err(closed("该发展记录已终止，不能再登记")),
        CaseStatus::Converted if step != Some(PipelineStep::Archive) => {
            return Err(closed("该同志已转为正式党员，只能登记材料归档"));
        }
        _ => {}
    }
    let mut after_facts = before_facts.clone();
    let mut status = case.row.status;
    let mut member_id = None;
    match kind {
        CaseRecordKind::Step => {
            let step = step.expect("checked");
            check_next(&before, step, recorded(step))?;
            add_step(&mut after_facts, step, req.date, req.notice_start, &record.detail);
            let after = rules::assess(ctx.rules, &after_facts)?;
            // Too few sponsors or too short a training is recorded as it happened and blocks step 12.
            refuse_problems(&after, step, &[RULE_SPONSORS, RULE_TRAINING_DAYS])?;
            if let Some(v) = req.vote {
                check_vote(ctx.rules, req.date, v)?;
            }
            match step {
                PipelineStep::AdmissionApproval => {
                    let joined = after_facts.steps[&PipelineStep::AdmissionMeeting];
                    member_id = Some(admit(ctx, &mut tx, actor, &case.row, joined).await?);
                }
                PipelineStep::ConversionApproval => {
                    let ends = after.probation_ends.ok_or_else(|| closed("未登记支部大会接收预备党员的日期"))?;
                    convert(ctx, &mut tx, actor, &case.row, ends).await?;
                    status = CaseStatus::Converted;
                }
                _ => {}
            }
        }
        CaseRecordKind::Extension => {
            if !recorded(PipelineStep::AdmissionApproval) || recorded(PipelineStep::ConversionApproval) {
                return Err(closed("只有预备党员（已审批接收、尚未转正）可以延长预备期"));
            }
            after_facts.extensions_months.push(req.months.expect("checked"));
            let after = rules::assess(ctx.rules, &after_facts)?;
            refuse_rules(&after, &[RULE_EXTENSION_COUNT, RULE_EXTENSION_MIN, RULE_EXTENSION_MAX])?;
        }
        CaseRecordKind::Cancellation => {
            if recorded(PipelineStep::AdmissionApproval) {
                return Err(closed(
                    "已接收为预备党员：取消预备党员资格须由支部大会讨论、上级党委批准，并在党员信息中办理出党",
                ));
            }
            status = CaseStatus::Cancelled;
        }
    }
    let after = rules::assess(ctx.rules, &after_facts)?;
    let write = CaseWrite { version: req.version, record, progress: progress(&after, &after_facts, status), member_id };
    let case = tx.add_case_record(keys, actor, &case, &write, ctx.now).await?;
    tx.commit().await?;
    view(case, ctx.rules, ctx.today)
}

fn closed(message: &str) -> DomainError {
    StoreError::conflict(Conflict::Other, message).into()
}

/// Only the next step may be recorded, and not while a condition (sponsors, training) blocks it.
fn check_next(before: &PipelineAssessment, step: PipelineStep, done: bool) -> DomainResult<()> {
    if done {
        return Err(closed(&format!("第{}步「{}」已登记", step.number(), step.label())));
    }
    if let Some(next) = before.next_step
        && next != step
    {
        return Err(DomainError::Blocked {
            rule: RULE_STEP_ORDER.to_owned(),
            message: format!(
                "须按顺序办理：下一步是第{}步「{}」，不能登记第{}步「{}」",
                next.number(),
                next.label(),
                step.number(),
                step.label()
            ),
            first_allowed: None,
        });
    }
    let plan = before.steps.iter().find(|p| p.step == step);
    // Too few sponsors or too short a training block the committee's review and what follows.
    let cause = (step >= PipelineStep::CommitteeReview)
        .then(|| before.problems.iter().find(|p| refuses(p) && [RULE_SPONSORS, RULE_TRAINING_DAYS].contains(&p.rule)))
        .flatten();
    if cause.is_some() || plan.is_some_and(|p| p.blocked) {
        let (rule, why) = match cause {
            Some(p) => (p.rule, p.message.clone()),
            None => (RULE_STEP_ORDER, "前面步骤的条件未满足".to_owned()),
        };
        return Err(DomainError::Blocked {
            rule: rule.to_owned(),
            message: format!("第{}步「{}」不能办理：{why}", step.number(), step.label()),
            first_allowed: None,
        });
    }
    Ok(())
}

/// Refuses the write when the rules find an error under one of `rules`.
fn refuse_rules(a: &PipelineAssessment, rules: &[&str]) -> DomainResult<()> {
    match a.problems.iter().find(|p| refuses(p) && rules.contains(&p.rule)) {
        Some(p) => Err(DomainError::Refused { rule: p.rule.to_owned(), message: p.message.clone(), field: None }),
        None => Ok(()),
    }
}

/// The 支部大会's quorum and majority (more than half of the voting members who should attend).
fn check_vote(book: &RuleBook, on: NaiveDate, v: CaseVote) -> DomainResult<()> {
    let body = VotingBody { full_members: v.eligible, probationary_members: 0, excluded: 0 };
    let quorum = general_meeting_quorum(book, on, &body, v.present)?;
    if !quorum.met && quorum.level == Level::Error {
        return Err(DomainError::Refused { rule: quorum.rule.to_owned(), message: quorum.message, field: None });
    }
    let vote = general_meeting_vote(book, on, &body, v.in_favour)?;
    if !vote.passed && vote.level == Level::Error {
        return Err(DomainError::Refused { rule: vote.rule.to_owned(), message: vote.message, field: None });
    }
    Ok(())
}

/// Enters the person as a probationary member of the case's branch, joined on the day of the 支部大会
/// that admitted them (the probation runs from it), through the member path's checks.
async fn admit(
    ctx: &Ctx<'_>,
    tx: &mut dangwu_store::Tx,
    actor: &Actor,
    row: &CaseRow,
    joined: NaiveDate,
) -> DomainResult<Uuid> {
    let p = &row.person.0;
    let fields = MemberFields {
        name: row.name.clone(),
        gender: row.gender,
        ethnicity: p.ethnicity.clone(),
        birth_date: row.birth_date,
        id_number: row.id_number.clone(),
        education: p.education.clone(),
        occupation: p.occupation,
        work_unit: p.work_unit.clone(),
        post: p.post.clone(),
        phone: row.phone.clone(),
        joined_on: joined,
        converted_on: None,
        status: Status::Probationary,
        organization_id: row.organization_id,
    };
    let input = super::members::validate(fields, ctx.rules, ctx.today)?;
    let member = tx.create_member(ctx.db.data_keys(), actor, &input, ctx.now).await?;
    Ok(member.id)
}

/// Makes the case's member a full member from the day the probation ends (转正时间: 预备期满之日).
async fn convert(
    ctx: &Ctx<'_>,
    tx: &mut dangwu_store::Tx,
    actor: &Actor,
    row: &CaseRow,
    ends: NaiveDate,
) -> DomainResult<()> {
    let member_id = row.member_id.ok_or_else(|| closed("该发展记录没有对应的预备党员"))?;
    let keys = ctx.db.data_keys();
    let m: Member = tx.member_for(keys, actor.user_id, member_id, Access::WriteMembers).await?;
    let fields = MemberFields { converted_on: Some(ends), status: Status::Full, ..MemberFields::from(&m) };
    let input = super::members::validate(fields, ctx.rules, ctx.today)?;
    tx.update_member(keys, actor, &m, &input, m.version, ctx.now).await?;
    Ok(())
}
