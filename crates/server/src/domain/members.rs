//! Members (党员): entering a member and editing one (a move to another branch, a change of status…).
//! Each use case checks the right to write first, then the member's fields against the rules, then
//! writes in the same transaction, where the store checks the target organization and locks the
//! organizations whose meetings count the member.

use chrono::NaiveDate;
use dangwu_rules::RuleBook;
use dangwu_rules::idcard::{self, Gender};
use dangwu_rules::member::{Occupation, Status, check_conversion, check_dates};
use dangwu_store::Actor;
use dangwu_store::access::Access;
use dangwu_store::members::{Member, MemberInput};
use serde::Deserialize;
use utoipa::ToSchema;
use uuid::Uuid;

use super::{Ctx, DomainError, DomainResult, FieldIssue};

/// 学历 (highest education), in the coded order of the member information form.
pub const EDUCATION: [&str; 6] = ["研究生", "大学本科", "大学专科", "中等专科", "高中", "初中及以下"];

/// A member as entered on the form.
#[derive(Debug, Deserialize, ToSchema)]
pub struct MemberFields {
    #[schema(max_length = 50)]
    pub name: String,
    pub gender: Gender,
    #[schema(max_length = 20)]
    pub ethnicity: String,
    pub birth_date: NaiveDate,
    /// 18 characters; the masked form as shown keeps the stored number.
    #[schema(max_length = 18)]
    pub id_number: String,
    #[schema(max_length = 20)]
    pub education: String,
    pub occupation: Occupation,
    #[schema(max_length = 100)]
    pub work_unit: String,
    #[serde(default)]
    #[schema(max_length = 50)]
    pub post: String,
    /// 11 digits; the masked form as shown keeps the stored number.
    #[serde(default)]
    #[schema(max_length = 20)]
    pub phone: String,
    pub joined_on: NaiveDate,
    pub converted_on: Option<NaiveDate>,
    pub status: Status,
    pub organization_id: Uuid,
}

impl From<&Member> for MemberFields {
    /// A stored member as the form would send it back unchanged.
    fn from(m: &Member) -> MemberFields {
        MemberFields {
            name: m.name.clone(),
            gender: m.gender,
            ethnicity: m.ethnicity.clone(),
            birth_date: m.birth_date,
            id_number: m.id_number.clone(),
            education: m.education.clone(),
            occupation: m.occupation,
            work_unit: m.work_unit.clone(),
            post: m.post.clone(),
            phone: m.phone.clone(),
            joined_on: m.joined_on,
            converted_on: m.converted_on,
            status: m.status,
            organization_id: m.organization_id,
        }
    }
}

/// Enters a member in an organization the actor may write to.
pub async fn enter(ctx: &Ctx<'_>, actor: &Actor, fields: MemberFields) -> DomainResult<Member> {
    let mut tx = ctx.db.begin().await?;
    // The right to write comes first: a caller without it hears 403, not what is wrong with the input.
    tx.require_member_org(actor.user_id, fields.organization_id).await?;
    let input = validate(fields, ctx.rules, ctx.today)?;
    let member = tx.create_member(ctx.db.data_keys(), actor, &input, ctx.now).await?;
    tx.commit().await?;
    Ok(member)
}

/// Edits a member read at `version`: its fields, its status, or its branch (a move).
pub async fn edit(
    ctx: &Ctx<'_>,
    actor: &Actor,
    id: Uuid,
    version: i64,
    mut fields: MemberFields,
) -> DomainResult<Member> {
    let mut tx = ctx.db.begin().await?;
    let stored = tx.member_for(ctx.db.data_keys(), actor.user_id, id, Access::WriteMembers).await?;
    // An edit form shows the masked ID number and phone; sent back unchanged, they keep the stored
    // values, so editing other fields needs no (audited) unmasked read.
    if fields.id_number == idcard::mask(&stored.id_number) {
        fields.id_number = stored.id_number.clone();
    }
    if fields.phone == idcard::mask_phone(&stored.phone) {
        fields.phone = stored.phone.clone();
    }
    let input = validate(fields, ctx.rules, ctx.today)?;
    let member = tx.update_member(ctx.db.data_keys(), actor, &stored, &input, version, ctx.now).await?;
    tx.commit().await?;
    Ok(member)
}

/// A trimmed text; its length limit is that of the schema, checked when the body was read.
fn text(errors: &mut Vec<FieldIssue>, field: &str, value: &str, required: bool, label: &str) -> String {
    let v = value.trim().to_owned();
    if required && v.is_empty() {
        errors.push(FieldIssue::new(field, format!("{label}必填")));
    }
    v
}

/// Checks a member record: every field, the ID number's check digit and its agreement with the birth
/// date and gender, and the dates against the rules. All problems are reported together.
pub fn validate(f: MemberFields, rules: &RuleBook, today: NaiveDate) -> DomainResult<MemberInput> {
    let mut errors = Vec::new();
    let name = text(&mut errors, "name", &f.name, true, "姓名");
    let ethnicity = text(&mut errors, "ethnicity", &f.ethnicity, true, "民族");
    let work_unit = text(&mut errors, "work_unit", &f.work_unit, true, "工作单位");
    let post = text(&mut errors, "post", &f.post, false, "职务");
    let phone = f.phone.trim().to_owned();
    let mobile = phone.len() == 11 && phone.starts_with('1') && phone.bytes().all(|b| b.is_ascii_digit());
    if !phone.is_empty() && !mobile {
        errors.push(FieldIssue::new("phone", "手机号码应为以1开头的11位数字"));
    }
    if !EDUCATION.contains(&f.education.as_str()) {
        errors.push(FieldIssue::new("education", format!("学历应为：{}", EDUCATION.join("、"))));
    }
    let id_number = match idcard::parse(&f.id_number) {
        Ok(id) => {
            if id.birth_date != f.birth_date {
                errors.push(FieldIssue::new(
                    "birth_date",
                    format!("出生日期与公民身份号码不一致（号码中为 {}）", id.birth_date),
                ));
            }
            if f.gender != id.gender {
                errors.push(FieldIssue::new("gender", "性别与公民身份号码不一致"));
            }
            id.number
        }
        Err(e) => {
            errors.push(FieldIssue::new("id_number", e.to_string()));
            f.id_number.clone()
        }
    };
    let problems = check_dates(f.birth_date, f.joined_on, f.converted_on, f.status, today);
    let dates_ok = problems.is_empty();
    for p in problems {
        errors.push(FieldIssue::new(p.field, p.message));
    }
    // The probation rules, where they were in force when the member was admitted.
    if let (true, Status::Full, Some(converted)) = (dates_ok, f.status, f.converted_on)
        && let Ok(Some(p)) = check_conversion(rules, f.joined_on, converted)
    {
        errors.push(FieldIssue::new(p.field, p.message));
    }
    if !errors.is_empty() {
        return Err(DomainError::Invalid(errors));
    }
    Ok(MemberInput {
        name,
        gender: f.gender,
        ethnicity,
        birth_date: f.birth_date,
        id_number,
        education: f.education,
        occupation: f.occupation,
        work_unit,
        post,
        phone,
        joined_on: f.joined_on,
        converted_on: f.converted_on,
        status: f.status,
        organization_id: f.organization_id,
    })
}
