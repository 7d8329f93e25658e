//! Recruitment pipeline (发展党员): 5 stages and 25 steps, their order, time limits and conditions.
//!
//! [`assess`] takes the dates recorded so far and gives, for every step, the earliest date and the
//! deadlines with the rule behind each, and the problems found (an `Error` blocks, a `Warning` only
//! warns). [`timeline`] plans the whole pipeline from an application date (发展党员时间推算).
//!
//! Time limits are looked up on the date of the event that starts the period (e.g. the activist
//! designation for the one-year cultivation), so the 2014 and 2026 versions of the 细则 apply to
//! the events that fall under each.

use std::collections::BTreeMap;

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::book::{Resolved, RuleBook, RuleError, RuleValue};
use crate::calendar::{Basis, WorkCalendar};
use crate::check::{CalcError, Invalid, Level};
use crate::dates::{add_months, add_years, check_input_date};
use crate::member::{RULE_MIN_AGE, birthday};

pub const RULE_STEP_ORDER: &str = "recruit.step_order";
pub const RULE_TALK_WITHIN: &str = "recruit.talk_within_months";
pub const RULE_ACTIVIST_AFTER_APPLICATION: &str = "recruit.activist_after_application_months";
pub const RULE_MENTORS_MIN: &str = "recruit.mentors_min";
pub const RULE_MENTORS_MAX: &str = "recruit.mentors_max";
pub const RULE_ACTIVIST_ASSESSMENT: &str = "recruit.activist_assessment_months";
pub const RULE_ACTIVIST_MIN_YEARS: &str = "recruit.activist_min_years";
pub const RULE_SPONSORS: &str = "recruit.sponsors";
pub const RULE_POLITICAL_REVIEW_VALID: &str = "recruit.political_review_valid_years";
pub const RULE_TRAINING_DAYS: &str = "recruit.training_min_days";
pub const RULE_TRAINING_HOURS: &str = "recruit.training_min_hours";
pub const RULE_DEPARTURE: &str = "recruit.departure_months";
pub const RULE_MEETING_AFTER_PRE_REVIEW: &str = "recruit.meeting_after_pre_review_months";
pub const RULE_APPROVAL: &str = "recruit.approval_months";
pub const RULE_APPROVAL_MAX: &str = "recruit.approval_max_months";
pub const RULE_OATH_WITHIN: &str = "recruit.oath_within_months";
pub const RULE_PROBATION: &str = "recruit.probation_years";
pub const RULE_EXTENSION_MIN: &str = "recruit.extension_min_months";
pub const RULE_EXTENSION_MAX: &str = "recruit.extension_max_months";
pub const RULE_EXTENSION_COUNT: &str = "recruit.extension_max_count";
pub const RULE_CONVERSION_APPROVAL: &str = "recruit.conversion_approval_months";
pub const RULE_NOTICE_DAYS: &str = "recruit.notice_working_days";
pub const RULE_NOTICE_STEPS: &str = "recruit.notice_before_steps";

/// The five stages (阶段).
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Stage {
    /// 一、申请入党
    Application,
    /// 二、入党积极分子的确定和培养教育
    Activist,
    /// 三、发展对象的确定和考察
    DevelopmentTarget,
    /// 四、预备党员的接收
    Admission,
    /// 五、预备党员的教育考察和转正
    Probation,
}

impl Stage {
    pub const ALL: [Stage; 5] =
        [Stage::Application, Stage::Activist, Stage::DevelopmentTarget, Stage::Admission, Stage::Probation];

    pub fn number(self) -> u8 {
        self as u8 + 1
    }

    pub fn label(self) -> &'static str {
        match self {
            Stage::Application => "申请入党",
            Stage::Activist => "入党积极分子的确定和培养教育",
            Stage::DevelopmentTarget => "发展对象的确定和考察",
            Stage::Admission => "预备党员的接收",
            Stage::Probation => "预备党员的教育考察和转正",
        }
    }
}

macro_rules! steps {
    ($( $n:literal $variant:ident $code:literal $label:literal $stage:ident ),* $(,)?) => {
        /// The 25 steps (步骤) in order (regulations.md §4.1).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
        pub enum PipelineStep { $( #[doc = $label] $variant ),* }

        impl PipelineStep {
            pub const ALL: [PipelineStep; 25] = [ $( PipelineStep::$variant ),* ];

            /// 1–25.
            pub fn number(self) -> u8 {
                match self { $( PipelineStep::$variant => $n ),* }
            }

            /// Stable machine code, e.g. `admission_meeting`.
            pub fn code(self) -> &'static str {
                match self { $( PipelineStep::$variant => $code ),* }
            }

            /// Chinese name, e.g. 支部大会讨论.
            pub fn label(self) -> &'static str {
                match self { $( PipelineStep::$variant => $label ),* }
            }

            pub fn stage(self) -> Stage {
                match self { $( PipelineStep::$variant => Stage::$stage ),* }
            }
        }
    };
}

steps! {
    1 SubmitApplication "submit_application" "递交入党申请书" Application,
    2 ApplicantTalk "applicant_talk" "党组织派人谈话" Application,
    3 SelectActivist "select_activist" "推荐和确定入党积极分子" Activist,
    4 FileActivist "file_activist" "报上级党委备案（入党积极分子）" Activist,
    5 AssignMentors "assign_mentors" "指定培养联系人" Activist,
    6 CultivateActivist "cultivate_activist" "培养教育考察" Activist,
    7 DesignateTarget "designate_target" "确定发展对象" DevelopmentTarget,
    8 FileTarget "file_target" "报上级党委备案（发展对象）" DevelopmentTarget,
    9 ChooseSponsors "choose_sponsors" "确定入党介绍人" DevelopmentTarget,
    10 PoliticalReview "political_review" "进行政治审查" DevelopmentTarget,
    11 ConcentratedTraining "concentrated_training" "开展集中培训" DevelopmentTarget,
    12 CommitteeReview "committee_review" "支部委员会审查" Admission,
    13 PreReview "pre_review" "上级党委预审" Admission,
    14 FillApplicationForm "fill_application_form" "填写入党志愿书" Admission,
    15 AdmissionMeeting "admission_meeting" "支部大会讨论（接收预备党员）" Admission,
    16 CommitteeTalk "committee_talk" "上级党委派人谈话" Admission,
    17 AdmissionApproval "admission_approval" "上级党委审批（接收预备党员）" Admission,
    18 FileAdmission "file_admission" "再上一级党委组织部门备案" Admission,
    19 AssignToBranch "assign_to_branch" "编入党支部和党小组" Probation,
    20 Oath "oath" "入党宣誓" Probation,
    21 ContinuedAssessment "continued_assessment" "继续教育考察" Probation,
    22 ConversionApplication "conversion_application" "提出转正申请" Probation,
    23 ConversionMeeting "conversion_meeting" "支部大会讨论（预备党员转正）" Probation,
    24 ConversionApproval "conversion_approval" "上级党委审批（转正）" Probation,
    25 Archive "archive" "材料归档" Probation,
}

impl PipelineStep {
    pub fn from_number(n: u8) -> Option<PipelineStep> {
        PipelineStep::ALL.into_iter().find(|s| s.number() == n)
    }

    pub fn from_code(code: &str) -> Option<PipelineStep> {
        PipelineStep::ALL.into_iter().find(|s| s.code() == code)
    }
}

impl Serialize for PipelineStep {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(self.code())
    }
}

/// In the API document a step is a string enum of its codes (it is read and written as its code).
#[cfg(feature = "schema")]
impl utoipa::PartialSchema for PipelineStep {
    fn schema() -> utoipa::openapi::RefOr<utoipa::openapi::schema::Schema> {
        utoipa::openapi::ObjectBuilder::new()
            .schema_type(utoipa::openapi::Type::String)
            .enum_values(Some(PipelineStep::ALL.map(PipelineStep::code)))
            .description(Some("发展党员步骤代码（25 步）"))
            .into()
    }
}

#[cfg(feature = "schema")]
impl utoipa::ToSchema for PipelineStep {}

impl<'de> Deserialize<'de> for PipelineStep {
    fn deserialize<D: serde::Deserializer<'de>>(d: D) -> Result<PipelineStep, D::Error> {
        let code = String::deserialize(d)?;
        PipelineStep::from_code(&code)
            .or_else(|| code.parse::<u8>().ok().and_then(PipelineStep::from_number))
            .ok_or_else(|| serde::de::Error::custom(format!("unknown recruitment step {code:?}")))
    }
}

/// Concentrated training attended (集中培训).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub struct Training {
    #[serde(default)]
    pub days: u32,
    #[serde(default)]
    pub hours: u32,
}

/// What is recorded for one person in the pipeline.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct RecruitmentFacts {
    pub birth_date: Option<NaiveDate>,
    /// Date each step was done (for period steps such as 培养教育考察: the start).
    #[serde(default)]
    pub steps: BTreeMap<PipelineStep, NaiveDate>,
    /// First day of the public notice (公示) held before a step.
    #[serde(default)]
    pub notices: BTreeMap<PipelineStep, NaiveDate>,
    /// Number of 培养联系人.
    #[serde(default)]
    pub mentors: Option<u32>,
    /// Number of 入党介绍人.
    #[serde(default)]
    pub sponsors: Option<u32>,
    #[serde(default)]
    pub training: Option<Training>,
    /// Each extension of the probation (延长预备期), in months.
    #[serde(default)]
    pub extensions_months: Vec<u32>,
    /// When the development target is expected to leave the unit, if known.
    #[serde(default)]
    pub expected_departure: Option<NaiveDate>,
}

/// Whether a limit is the earliest date or a deadline.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LimitKind {
    /// 不得早于
    Earliest,
    /// 应当不晚于
    Deadline,
}

/// One time limit on a step, with the rule behind it.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DateLimit {
    pub kind: LimitKind,
    pub date: NaiveDate,
    pub rule: &'static str,
    /// `Error`: doing the step outside the limit is blocked; `Warning`: only warned.
    pub level: Level,
    /// Chinese explanation.
    pub reason: String,
    /// Set when the limit counts working days.
    pub calendar_basis: Option<Basis>,
}

/// One step of the plan.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StepPlan {
    pub step: PipelineStep,
    pub number: u8,
    pub label: &'static str,
    pub stage: Stage,
    pub stage_label: &'static str,
    pub recorded: Option<NaiveDate>,
    /// For a step not yet done: the earliest date it can take place if every earlier step not yet
    /// done happens on its earliest date. For a recorded step: its date.
    pub planned: Option<NaiveDate>,
    /// Latest of the earliest-date limits.
    pub earliest: Option<NaiveDate>,
    /// Earliest of the deadlines.
    pub deadline: Option<NaiveDate>,
    pub limits: Vec<DateLimit>,
    /// A blocking condition is not met (e.g. training too short): the step cannot be done yet.
    pub blocked: bool,
}

/// A problem found in the record.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineProblem {
    pub step: PipelineStep,
    pub level: Level,
    pub rule: &'static str,
    pub message: String,
}

/// The assessment of one person's pipeline.
#[cfg_attr(feature = "schema", derive(utoipa::ToSchema))]
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct PipelineAssessment {
    pub steps: Vec<StepPlan>,
    /// First step not yet recorded.
    pub next_step: Option<PipelineStep>,
    pub problems: Vec<PipelineProblem>,
    /// End of the probation (预备期满, the conversion date) if the admission meeting is known or planned.
    pub probation_ends: Option<NaiveDate>,
    /// Worst basis of any working-day count used (fallback: outside the holiday calendar).
    pub calendar_basis: Basis,
}

struct Ctx<'a> {
    book: &'a RuleBook,
    problems: Vec<PipelineProblem>,
    basis: Basis,
}

impl<'a> Ctx<'a> {
    fn resolve(&self, rule: &'static str, on: NaiveDate) -> Result<Resolved<'a>, CalcError> {
        Ok(self.book.resolve(rule, on)?)
    }

    fn int(&self, rule: &'static str, on: NaiveDate) -> Result<(u32, Resolved<'a>), CalcError> {
        let r = self.resolve(rule, on)?;
        match r.value() {
            RuleValue::Integer(n) => Ok((u32::try_from(*n).unwrap_or(u32::MAX), r)),
            _ => Err(RuleError::WrongType { rule: rule.into(), expected: "整数" }.into()),
        }
    }

    fn problem(&mut self, step: PipelineStep, level: Level, rule: &'static str, message: String) {
        self.problems.push(PipelineProblem { step, level, rule, message });
    }
}

fn out_of_range(rule: &'static str, date: NaiveDate) -> CalcError {
    CalcError::Rule { error: RuleError::NotInForce { rule: rule.into(), date } }
}

/// Plans the pipeline from an application date: every step's earliest date and deadlines, with the
/// rule behind each (发展党员时间推算). Same rules as [`assess`].
pub fn timeline(
    book: &RuleBook,
    application: NaiveDate,
    birth_date: Option<NaiveDate>,
) -> Result<PipelineAssessment, CalcError> {
    let mut facts = RecruitmentFacts { birth_date, ..RecruitmentFacts::default() };
    facts.steps.insert(PipelineStep::SubmitApplication, application);
    assess(book, &facts)
}

fn validate(facts: &RecruitmentFacts) -> Result<NaiveDate, CalcError> {
    let mut inv = Invalid::default();
    let application = facts.steps.get(&PipelineStep::SubmitApplication).copied();
    if application.is_none() {
        inv.push("steps.submit_application", "缺少递交入党申请书的日期");
    }
    for (step, date) in &facts.steps {
        if let Err(r) = check_input_date(*date) {
            inv.push(format!("steps.{}", step.code()), r);
        }
    }
    for (step, date) in &facts.notices {
        if let Err(r) = check_input_date(*date) {
            inv.push(format!("notices.{}", step.code()), r);
        }
    }
    if let Some(birth) = facts.birth_date {
        if birth > crate::dates::latest_input_date() || birth < NaiveDate::from_ymd_opt(1880, 1, 1).expect("valid") {
            inv.push("birth_date", "出生日期超出合理范围");
        } else if let Some(app) = application
            && birth >= app
        {
            inv.push("birth_date", "出生日期应早于递交入党申请书的日期");
        }
    }
    if let Some(d) = facts.expected_departure
        && let Err(r) = check_input_date(d)
    {
        inv.push("expected_departure", r);
    }
    for (i, m) in facts.extensions_months.iter().enumerate() {
        if *m == 0 || *m > 120 {
            inv.push(format!("extensions_months[{i}]"), "延长预备期的月数应为正数");
        }
    }
    inv.finish()?;
    Ok(application.expect("checked"))
}

/// Assesses a pipeline record. For each of the 25 steps: recorded date or planned (earliest) date,
/// its time limits and whether it is blocked; plus every problem found, with its rule. Rules applied:
/// member.min_age (≥18 at application), recruit.talk_within_months (talk within 1 month),
/// recruit.activist_after_application_months (local: activist ≥6 months after application),
/// recruit.mentors_min/max (1–2 mentors), recruit.activist_assessment_months (half-yearly assessment),
/// recruit.activist_min_years (≥1 year as activist before development target), recruit.sponsors
/// (2 sponsors), recruit.political_review_valid_years (review valid 1 year at the admission meeting),
/// recruit.training_min_days / recruit.training_min_hours (≥3 days or ≥24 hours),
/// recruit.departure_months (leaving within 3 months), recruit.meeting_after_pre_review_months
/// (local), recruit.approval_months / recruit.approval_max_months (approval within 3, at most 6
/// months), recruit.oath_within_months (local), recruit.probation_years (1 year from the admission
/// meeting), recruit.extension_min_months / _max_months / _max_count (extension once, 6–12 months),
/// recruit.conversion_approval_months (3 months), recruit.notice_working_days and
/// recruit.notice_before_steps (公示 ≥5 working days before the listed steps), recruit.step_order.
pub fn assess(book: &RuleBook, facts: &RecruitmentFacts) -> Result<PipelineAssessment, CalcError> {
    use PipelineStep as P;
    let application = validate(facts)?;
    let mut ctx = Ctx { book, problems: Vec::new(), basis: Basis::Official };
    let order = ctx.resolve(RULE_STEP_ORDER, application)?;
    let check_order = matches!(order.value(), RuleValue::Flag(true));
    let order_level = Level::for_rule(&order, true);
    let notice_steps: Vec<u8> = match ctx.resolve(RULE_NOTICE_STEPS, application)?.value() {
        RuleValue::Steps(s) => s.clone(),
        _ => Vec::new(),
    };

    // at[step] = recorded date, else planned date.
    let mut at: BTreeMap<PipelineStep, NaiveDate> = BTreeMap::new();
    let mut plans: Vec<StepPlan> = Vec::new();
    let mut floor = application;
    let mut probation_ends = None;

    // Conditions that block later steps: (first blocked step, reason rule).
    let mut blocked_from: Vec<(PipelineStep, &'static str)> = Vec::new();

    for step in P::ALL {
        let recorded = facts.steps.get(&step).copied();
        let mut limits: Vec<DateLimit> = Vec::new();
        let get = |s: PipelineStep, at: &BTreeMap<PipelineStep, NaiveDate>| at.get(&s).copied();

        macro_rules! earliest_after_months {
            ($anchor:expr, $rule:expr, $must:expr, $reason:expr) => {
                if let Some(a) = get($anchor, &at) {
                    let (n, r) = ctx.int($rule, a)?;
                    let date = add_months(a, n).ok_or_else(|| out_of_range($rule, a))?;
                    limits.push(DateLimit {
                        kind: LimitKind::Earliest,
                        date,
                        rule: $rule,
                        level: Level::for_rule(&r, $must),
                        reason: ($reason)(n),
                        calendar_basis: None,
                    });
                }
            };
        }
        // A limit `n` months or years (the rule's value) after the date of an earlier step.
        macro_rules! limit_after {
            ($kind:expr, $add:path, $anchor:expr, $rule:expr, $must:expr, $reason:expr) => {
                if let Some(a) = get($anchor, &at) {
                    let (n, r) = ctx.int($rule, a)?;
                    let date = $add(a, n).ok_or_else(|| out_of_range($rule, a))?;
                    limits.push(DateLimit {
                        kind: $kind,
                        date,
                        rule: $rule,
                        level: Level::for_rule(&r, $must),
                        reason: ($reason)(n, a),
                        calendar_basis: None,
                    });
                }
            };
        }
        macro_rules! deadline_after_months {
            ($anchor:expr, $rule:expr, $must:expr, $reason:expr) => {
                limit_after!(LimitKind::Deadline, add_months, $anchor, $rule, $must, |n, _| ($reason)(n))
            };
        }

        match step {
            P::SubmitApplication => {
                if let Some(birth) = facts.birth_date {
                    let (years, r) = ctx.int(RULE_MIN_AGE, application)?;
                    let date = birthday(birth, i32::try_from(years).unwrap_or(i32::MAX));
                    limits.push(DateLimit {
                        kind: LimitKind::Earliest,
                        date,
                        rule: RULE_MIN_AGE,
                        level: Level::for_rule(&r, true),
                        reason: format!("申请入党须年满{years}周岁（{date}满{years}周岁）"),
                        calendar_basis: None,
                    });
                }
            }
            P::ApplicantTalk => {
                deadline_after_months!(P::SubmitApplication, RULE_TALK_WITHIN, false, |n| format!(
                    "党组织应在收到入党申请书后{n}个月内派人谈话"
                ));
            }
            P::SelectActivist => {
                earliest_after_months!(P::SubmitApplication, RULE_ACTIVIST_AFTER_APPLICATION, true, |n| format!(
                    "递交入党申请书满{n}个月后方可确定为入党积极分子（本地规定）"
                ));
            }
            P::AssignMentors => {
                if recorded.is_some()
                    && let Some(m) = facts.mentors
                {
                    let d = recorded.expect("checked");
                    let (lo, rlo) = ctx.int(RULE_MENTORS_MIN, d)?;
                    let (hi, rhi) = ctx.int(RULE_MENTORS_MAX, d)?;
                    if m < lo {
                        ctx.problem(
                            step,
                            Level::for_rule(&rlo, true),
                            RULE_MENTORS_MIN,
                            format!("培养联系人{m}人，至少应为{lo}人"),
                        );
                    } else if m > hi {
                        ctx.problem(
                            step,
                            Level::for_rule(&rhi, false),
                            RULE_MENTORS_MAX,
                            format!("培养联系人{m}人，一般为{lo}至{hi}名正式党员"),
                        );
                    }
                }
            }
            P::CultivateActivist => {
                deadline_after_months!(P::SelectActivist, RULE_ACTIVIST_ASSESSMENT, false, |n| format!(
                    "党支部每{n}个月对入党积极分子考察一次，首次考察不晚于此日"
                ));
            }
            P::DesignateTarget => {
                limit_after!(
                    LimitKind::Earliest,
                    add_years,
                    P::SelectActivist,
                    RULE_ACTIVIST_MIN_YEARS,
                    true,
                    |n, a| {
                        format!("入党积极分子经过{n}年以上培养教育方可列为发展对象（确定积极分子：{a}）")
                    }
                );
            }
            P::ChooseSponsors => {
                if let (Some(d), Some(s)) = (recorded, facts.sponsors) {
                    let (n, r) = ctx.int(RULE_SPONSORS, d)?;
                    if s != n {
                        ctx.problem(
                            step,
                            Level::for_rule(&r, true),
                            RULE_SPONSORS,
                            format!("入党介绍人{s}人，应为{n}名正式党员"),
                        );
                        if r.is_hard() {
                            blocked_from.push((P::CommitteeReview, RULE_SPONSORS));
                        }
                    }
                }
            }
            P::ConcentratedTraining => {
                if let (Some(d), Some(t)) = (recorded, facts.training) {
                    let (days, rd) = ctx.int(RULE_TRAINING_DAYS, d)?;
                    let (hours, _) = ctx.int(RULE_TRAINING_HOURS, d)?;
                    if t.days < days && t.hours < hours {
                        ctx.problem(
                            step,
                            Level::for_rule(&rd, true),
                            RULE_TRAINING_DAYS,
                            format!(
                                "集中培训{}天/{}学时，不足{days}天且不足{hours}学时（规则 {RULE_TRAINING_DAYS}、{RULE_TRAINING_HOURS}）；未经培训的，除个别特殊情况外不能发展入党",
                                t.days, t.hours
                            ),
                        );
                        if rd.is_hard() {
                            blocked_from.push((P::CommitteeReview, RULE_TRAINING_DAYS));
                        }
                    }
                }
            }
            P::AdmissionMeeting => {
                deadline_after_months!(P::PreReview, RULE_MEETING_AFTER_PRE_REVIEW, false, |n| format!(
                    "预审合格后{n}个月内提交支部大会讨论（本地规定）"
                ));
                limit_after!(
                    LimitKind::Deadline,
                    add_years,
                    P::PoliticalReview,
                    RULE_POLITICAL_REVIEW_VALID,
                    true,
                    |n, review| {
                        format!("政治审查结论有效期{n}年（审查日期{review}），过期须重新审查")
                    }
                );
            }
            P::AdmissionApproval => {
                deadline_after_months!(P::AdmissionMeeting, RULE_APPROVAL, false, |n| format!(
                    "上级党委应在支部大会通过后{n}个月内审批"
                ));
                deadline_after_months!(P::AdmissionMeeting, RULE_APPROVAL_MAX, true, |n| format!(
                    "审批期限特殊情况下可延长，最长不超过{n}个月"
                ));
            }
            P::Oath => {
                deadline_after_months!(P::AdmissionApproval, RULE_OATH_WITHIN, false, |n| format!(
                    "上级党委审批后{n}个月内组织入党宣誓（本地规定）"
                ));
            }
            P::ConversionMeeting => {
                if let Some(meeting) = get(P::AdmissionMeeting, &at) {
                    let (years, r) = ctx.int(RULE_PROBATION, meeting)?;
                    let base_end = add_years(meeting, years).ok_or_else(|| out_of_range(RULE_PROBATION, meeting))?;
                    let mut end = base_end;
                    // Extensions (延长预备期), judged on the day the probation would have ended.
                    let (max_count, rc) = ctx.int(RULE_EXTENSION_COUNT, base_end)?;
                    let (min_m, rmin) = ctx.int(RULE_EXTENSION_MIN, base_end)?;
                    let (max_m, rmax) = ctx.int(RULE_EXTENSION_MAX, base_end)?;
                    if facts.extensions_months.len() > max_count as usize {
                        ctx.problem(
                            step,
                            Level::for_rule(&rc, true),
                            RULE_EXTENSION_COUNT,
                            format!("预备期延长了{}次；只能延长{max_count}次", facts.extensions_months.len()),
                        );
                    }
                    for m in &facts.extensions_months {
                        if *m < min_m {
                            ctx.problem(
                                step,
                                Level::for_rule(&rmin, true),
                                RULE_EXTENSION_MIN,
                                format!("延长预备期{m}个月，不得少于{min_m}个月"),
                            );
                        } else if *m > max_m {
                            ctx.problem(
                                step,
                                Level::for_rule(&rmax, true),
                                RULE_EXTENSION_MAX,
                                format!("延长预备期{m}个月，最长不超过{max_m}个月"),
                            );
                        }
                        end = add_months(end, *m).ok_or_else(|| out_of_range(RULE_EXTENSION_MAX, end))?;
                    }
                    probation_ends = Some(end);
                    let reason = if end == base_end {
                        format!("预备期{years}年，从支部大会通过之日（{meeting}）算起，{end}期满")
                    } else {
                        format!("预备期{years}年并延长{}个月，{end}期满", facts.extensions_months.iter().sum::<u32>())
                    };
                    limits.push(DateLimit {
                        kind: LimitKind::Earliest,
                        date: end,
                        rule: RULE_PROBATION,
                        level: Level::for_rule(&r, true),
                        reason,
                        calendar_basis: None,
                    });
                }
            }
            P::ConversionApproval => {
                deadline_after_months!(P::ConversionMeeting, RULE_CONVERSION_APPROVAL, false, |n| format!(
                    "上级党委应在{n}个月内审批预备党员转正"
                ));
            }
            _ => {}
        }

        // 公示 before the step, if the pack lists it.
        if notice_steps.contains(&step.number()) {
            let other_earliest = limits
                .iter()
                .filter(|l| l.kind == LimitKind::Earliest)
                .map(|l| l.date)
                .max()
                .unwrap_or(floor)
                .max(floor);
            let recorded_start = facts.notices.get(&step).copied();
            let assumed = recorded_start.is_none();
            let start = match recorded_start {
                Some(start) => start,
                // Planned: the notice may run while a waiting period is still running, so it is
                // placed to end the day before the step may first be taken; where the time since the
                // previous step is too short for that, it starts right after the previous step.
                None => {
                    let (n, _) = ctx.int(RULE_NOTICE_DAYS, floor)?;
                    latest_notice_start(book.calendar(), floor, other_earliest, n).unwrap_or(floor)
                }
            };
            let (n, r) = ctx.int(RULE_NOTICE_DAYS, start)?;
            if recorded.is_none() || !assumed {
                let end = book.calendar().notice_end(start, n).ok_or_else(|| out_of_range(RULE_NOTICE_DAYS, start))?;
                ctx.basis = ctx.basis.max(end.basis);
                let date = end.date.succ_opt().ok_or_else(|| out_of_range(RULE_NOTICE_DAYS, start))?;
                let reason = if assumed {
                    format!("须先公示不少于{n}个工作日（假定{start}开始公示，{}结束）", end.date)
                } else {
                    format!("须先公示不少于{n}个工作日（{start}开始公示，{}结束）", end.date)
                };
                limits.push(DateLimit {
                    kind: LimitKind::Earliest,
                    date,
                    rule: RULE_NOTICE_DAYS,
                    level: Level::for_rule(&r, true),
                    reason,
                    calendar_basis: Some(end.basis),
                });
            } else {
                let rs = ctx.resolve(RULE_NOTICE_STEPS, start)?;
                ctx.problem(
                    step,
                    Level::for_rule(&rs, false),
                    RULE_NOTICE_STEPS,
                    format!("第{}步「{}」之前须公示，未登记公示日期", step.number(), step.label()),
                );
            }
        }

        let earliest = limits.iter().filter(|l| l.kind == LimitKind::Earliest).map(|l| l.date).max();
        let deadline = limits.iter().filter(|l| l.kind == LimitKind::Deadline).map(|l| l.date).min();
        let planned = recorded.unwrap_or_else(|| earliest.unwrap_or(floor).max(floor));

        if let Some(d) = recorded {
            // Order of steps.
            if check_order && d < floor {
                let earlier: Vec<String> = at
                    .iter()
                    .filter(|(s, day)| **s < step && **day > d && facts.steps.contains_key(*s))
                    .map(|(s, day)| format!("第{}步（{day}）", s.number()))
                    .collect();
                if !earlier.is_empty() {
                    ctx.problem(
                        step,
                        order_level,
                        RULE_STEP_ORDER,
                        format!("第{}步「{}」的日期{d}早于{}", step.number(), step.label(), earlier.join("、")),
                    );
                }
            }
            for l in &limits {
                let violated = match l.kind {
                    LimitKind::Earliest => d < l.date,
                    LimitKind::Deadline => d > l.date,
                };
                if violated {
                    let what = match l.kind {
                        LimitKind::Earliest => format!("早于{}", l.date),
                        LimitKind::Deadline => format!("晚于{}", l.date),
                    };
                    ctx.problem(
                        step,
                        l.level,
                        l.rule,
                        format!("第{}步「{}」日期{d}{what}：{}", step.number(), step.label(), l.reason),
                    );
                }
            }
        }

        let blocked = recorded.is_none() && blocked_from.iter().any(|(from, _)| step >= *from);
        at.insert(step, planned);
        floor = floor.max(planned);
        plans.push(StepPlan {
            step,
            number: step.number(),
            label: step.label(),
            stage: step.stage(),
            stage_label: step.stage().label(),
            recorded,
            planned: Some(planned),
            earliest,
            deadline,
            limits,
            blocked,
        });
    }

    // Steps missing before a recorded one.
    if check_order {
        let last_recorded = facts.steps.keys().max().copied();
        if let Some(last) = last_recorded {
            let missing: Vec<String> = P::ALL
                .into_iter()
                .filter(|s| *s < last && !facts.steps.contains_key(s))
                .map(|s| format!("第{}步「{}」", s.number(), s.label()))
                .collect();
            if !missing.is_empty() {
                ctx.problem(
                    last,
                    Level::Warning,
                    RULE_STEP_ORDER,
                    format!("已登记到第{}步，但缺少{}的记录", last.number(), missing.join("、")),
                );
            }
        }
    }

    // A development target leaving the unit soon (judged at the pre-review).
    if let (Some(leave), Some(pre)) = (facts.expected_departure, at.get(&P::PreReview).copied())
        && !facts.steps.contains_key(&P::AdmissionApproval)
    {
        let (n, _) = ctx.int(RULE_DEPARTURE, pre)?;
        if add_months(pre, n).is_some_and(|limit| leave <= limit) {
            ctx.problem(
                P::PreReview,
                Level::Warning,
                RULE_DEPARTURE,
                format!("发展对象预计{leave}离开工作单位，在预审（{pre}）后{n}个月内，一般不办理接收预备党员的手续"),
            );
        }
    }

    let next_step = P::ALL.into_iter().find(|s| !facts.steps.contains_key(s));
    Ok(PipelineAssessment {
        steps: plans,
        next_step,
        problems: ctx.problems,
        probation_ends,
        calendar_basis: ctx.basis,
    })
}

/// The latest day on or after `floor` on which an `n`-working-day notice can start and still end
/// before `step_day`; none when even a notice starting on `floor` would not.
fn latest_notice_start(calendar: &WorkCalendar, floor: NaiveDate, step_day: NaiveDate, n: u32) -> Option<NaiveDate> {
    let ends_before = |start: NaiveDate| calendar.notice_end(start, n).is_some_and(|end| end.date < step_day);
    if floor >= step_day || !ends_before(floor) {
        return None;
    }
    // The end moves with the start, so the first fit counting back from the step is the latest.
    let mut start = step_day.pred_opt()?;
    while start > floor && !ends_before(start) {
        start = start.pred_opt()?;
    }
    Some(start)
}
