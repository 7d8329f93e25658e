//! 民主评议党员: the committee proposes grades, the meeting decides them. The 优秀 cap and the rule
//! that probationary members get no grade are judged on the appraisal's list as the write sees it.

use chrono::NaiveDate;
use dangwu_rules::Level;
use dangwu_rules::member::Status;
use dangwu_rules::orglife::{AppraisalGrades, RULE_APPRAISAL_GRADE_PROBATIONARY, check_appraisal};
use dangwu_store::access::Access;
use dangwu_store::appraisals::{Appraisal, Grade, GradeSet, Stage};
use dangwu_store::{Actor, Conflict, StoreError};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Ctx, DomainError, DomainResult, FieldIssue};

#[derive(Debug, Deserialize, ToSchema)]
pub struct GradeInput {
    pub member_id: Uuid,
    /// None (null, or an empty text): no grade.
    #[serde(default, deserialize_with = "crate::json::empty_as_none")]
    pub grade: Option<Grade>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct ProposeGrades {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    #[schema(max_items = 5000)]
    pub grades: Vec<GradeInput>,
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct DecideGrades {
    #[schema(minimum = 1, maximum = 2147483647)]
    pub version: i64,
    /// The held 党员大会 (or 民主评议 meeting) of the branch that decided.
    pub meeting_id: Uuid,
    /// Grades as decided; omitted: the committee's proposal is adopted.
    #[schema(max_items = 5000)]
    pub grades: Option<Vec<GradeInput>>,
}

fn pairs(grades: &[GradeInput]) -> Vec<(Uuid, Option<Grade>)> {
    grades.iter().map(|g| (g.member_id, g.grade)).collect()
}

/// 支部委员会提出评定等次.
pub async fn propose(ctx: &Ctx<'_>, actor: &Actor, id: Uuid, req: ProposeGrades) -> DomainResult<Appraisal> {
    let mut tx = ctx.db.begin().await?;
    let a = tx.appraisal(actor.user_id, id, Access::WriteMembers).await?;
    let grades = pairs(&req.grades);
    check_grades(ctx, &a, &grades, false)?;
    let set = GradeSet { stage: Stage::Proposed, grades: &grades, meeting: None, version: req.version };
    let after = tx.set_appraisal_grades(actor, id, &set, ctx.now).await?;
    tx.commit().await?;
    Ok(after)
}

/// 党员大会决定评定等次: the grades given, or the committee's proposal adopted.
pub async fn decide(ctx: &Ctx<'_>, actor: &Actor, id: Uuid, req: DecideGrades) -> DomainResult<Appraisal> {
    let mut tx = ctx.db.begin().await?;
    let a = tx.appraisal(actor.user_id, id, Access::WriteMembers).await?;
    let grades = match &req.grades {
        Some(g) => pairs(g),
        None => a.entries.iter().map(|e| (e.member_id, e.proposed_grade)).collect(),
    };
    check_grades(ctx, &a, &grades, true)?;
    let set = GradeSet { stage: Stage::Decided, grades: &grades, meeting: Some(req.meeting_id), version: req.version };
    let after = tx.set_appraisal_grades(actor, id, &set, ctx.now).await?;
    tx.commit().await?;
    Ok(after)
}

/// Checks the grades against the rules: the 优秀 cap and that probationary members get no grade.
/// `complete` also requires every full member to be graded (for the meeting's decision).
fn check_grades(ctx: &Ctx<'_>, a: &Appraisal, grades: &[(Uuid, Option<Grade>)], complete: bool) -> DomainResult<()> {
    let outside: Vec<FieldIssue> = grades
        .iter()
        .enumerate()
        .filter(|(_, (member, _))| !a.entries.iter().any(|e| e.member_id == *member))
        .map(|(i, _)| FieldIssue::new(format!("grades[{i}].member_id"), "该党员不在本次评议名单中"))
        .collect();
    if !outside.is_empty() {
        return Err(DomainError::Invalid(outside));
    }
    let grade_of = |m: Uuid| grades.iter().find(|(id, _)| *id == m).and_then(|(_, g)| *g);
    let mut g = AppraisalGrades {
        full_members: 0,
        probationary_members: 0,
        excellent: 0,
        qualified: 0,
        basically_qualified: 0,
        unqualified: 0,
        probationary_graded: 0,
    };
    let mut ungraded = 0;
    for e in &a.entries {
        let grade = grade_of(e.member_id);
        if e.member_status == Status::Full {
            g.full_members += 1;
            ungraded += u32::from(grade.is_none());
        } else {
            g.probationary_members += 1;
            g.probationary_graded += u32::from(grade.is_some());
        }
        match grade {
            Some(Grade::Excellent) => g.excellent += 1,
            Some(Grade::Qualified) => g.qualified += 1,
            Some(Grade::BasicallyQualified) => g.basically_qualified += 1,
            Some(Grade::Unqualified) => g.unqualified += 1,
            None => {}
        }
    }
    // The rules in force at the end of the appraisal's year (or today, in that year).
    let date = NaiveDate::from_ymd_opt(a.row.year as i32, 12, 31).unwrap_or(ctx.today).min(ctx.today);
    let outcome = check_appraisal(ctx.rules, date, &g)?;
    if let Some(c) =
        outcome.checks.iter().find(|c| c.level == Level::Error || c.rule == RULE_APPRAISAL_GRADE_PROBATIONARY)
    {
        return Err(DomainError::Refused { rule: c.rule.to_owned(), message: c.message.clone(), field: None });
    }
    if complete && ungraded > 0 {
        return Err(StoreError::conflict(Conflict::Incomplete, format!("尚有{ungraded}名正式党员未评定等次")).into());
    }
    Ok(())
}
