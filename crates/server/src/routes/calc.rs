//! Calculators people use every day (党费计算器, 发展党员时间推算) and the list of rules in force.
//! Thin wrappers over `dangwu_rules`: the rules crate validates and computes, this module maps its
//! input errors to 400 and "no rule in force on that date" to 422.

use std::collections::BTreeMap;

use axum::Json;
use axum::extract::State;
use axum::http::StatusCode;
use chrono::NaiveDate;
use dangwu_rules::calendar::CalendarYear;
use dangwu_rules::dues::DuesAmount;
use dangwu_rules::recruitment::PipelineAssessment;
use dangwu_rules::structural::StructuralRuleSummary;
use dangwu_rules::{CalcError, RuleSummary, StructuralRule};
use serde::{Deserialize, Serialize};
use utoipa::{IntoParams, ToSchema};
use utoipa_axum::router::OpenApiRouter;
use utoipa_axum::routes;

use crate::AppState;
use crate::auth::Caller;
use crate::error::{ApiError, ApiResult, ErrorBody, FieldError};
use crate::json::{ApiJson, ApiQuery};

pub fn router() -> OpenApiRouter<AppState> {
    OpenApiRouter::new().routes(routes!(calc_dues)).routes(routes!(calc_timeline)).routes(routes!(list_rules))
}

impl From<CalcError> for ApiError {
    fn from(e: CalcError) -> ApiError {
        match e {
            CalcError::Invalid { fields } => ApiError::validation(
                fields.into_iter().map(|f| FieldError { field: f.field, message: f.reason }).collect(),
            ),
            CalcError::Rule { error } => {
                let mut e = ApiError::new(
                    StatusCode::UNPROCESSABLE_ENTITY,
                    "rule_not_in_force",
                    format!("没有适用的规则：{error}"),
                );
                e.body.rule = Some(error.rule().to_owned());
                e
            }
        }
    }
}

/// 党费计算 input. Money in fen (分): 3000.00 元 is 300000.
#[derive(Debug, Deserialize, ToSchema)]
pub struct DuesInput {
    /// `employed`, `retired`, `farmer`, `relief`, `annual_salary` or `irregular_income`.
    #[schema(max_length = 30)]
    pub category: String,
    /// The month the dues are for, `YYYY-MM`.
    #[schema(max_length = 7)]
    pub month: String,
    /// Monthly base in fen (after tax; basic pension for the retired), at most 1,000,000.00 yuan.
    #[schema(minimum = 0, maximum = 100000000)]
    pub base_fen: Option<i64>,
    /// Irregular income: the last quarter's three monthly incomes in fen, each at most 1,000,000.00 yuan.
    #[schema(schema_with = quarter_schema)]
    pub quarter_income_fen: Option<Vec<i64>>,
}

/// 党费计算器：the monthly amount with the band, rate, rounding and rules applied.
#[utoipa::path(post, path = "/api/v1/calc/dues", tag = "计算器", request_body = DuesInput,
    responses((status = 200, description = "月交纳额及其档次、比例、取整和所依规则", body = DuesAmount),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn calc_dues(
    State(state): State<AppState>,
    _caller: Caller,
    ApiJson(input): ApiJson<DuesInput>,
) -> ApiResult<Json<DuesAmount>> {
    let req = dangwu_rules::dues::DuesRequest {
        category: input.category,
        month: input.month,
        base_fen: input.base_fen,
        quarter_income_fen: input.quarter_income_fen,
    };
    Ok(Json(dangwu_rules::dues::calculate(&state.rules, &req)?))
}

fn quarter_schema() -> utoipa::openapi::Array {
    crate::json::amounts(3, 0, 100_000_000)
}

fn steps_schema() -> utoipa::openapi::Object {
    use utoipa::openapi::{KnownFormat, ObjectBuilder, SchemaFormat, Type};
    let date =
        ObjectBuilder::new().schema_type(Type::String).format(Some(SchemaFormat::KnownFormat(KnownFormat::Date)));
    ObjectBuilder::new().additional_properties(Some(date)).max_properties(Some(30)).build()
}

#[derive(Debug, Deserialize, ToSchema)]
pub struct TimelineInput {
    /// 递交入党申请书的日期.
    pub application_date: NaiveDate,
    /// Birth date (checks the age of 18 at application).
    pub birth_date: Option<NaiveDate>,
    /// Steps already done, by step code (e.g. `applicant_talk`, `select_activist`), with their dates.
    /// At most 30 steps.
    #[serde(default)]
    #[schema(schema_with = steps_schema)]
    pub steps: BTreeMap<String, NaiveDate>,
}

/// 发展党员时间推算：every step's earliest date and deadline from the application date (and any steps
/// already done), with the rule behind each limit and the problems found.
#[utoipa::path(post, path = "/api/v1/calc/recruitment-timeline", tag = "计算器", request_body = TimelineInput,
    responses((status = 200, description = "每一步的计划日期、最早日期、期限及其规则，发现的问题，下一步和预备期满日", body = PipelineAssessment),
        (status = 400, body = ErrorBody), (status = 422, body = ErrorBody)))]
async fn calc_timeline(
    State(state): State<AppState>,
    _caller: Caller,
    ApiJson(input): ApiJson<TimelineInput>,
) -> ApiResult<Json<PipelineAssessment>> {
    let mut steps = serde_json::Map::new();
    steps.insert("submit_application".into(), serde_json::json!(input.application_date));
    for (code, date) in &input.steps {
        if code != "submit_application" {
            steps.insert(code.clone(), serde_json::json!(date));
        }
    }
    // The rules crate knows the step codes; an unknown one is a field error naming it.
    let facts_json = serde_json::json!({ "birth_date": input.birth_date, "steps": steps });
    let facts: dangwu_rules::recruitment::RecruitmentFacts =
        serde_json::from_value(facts_json).map_err(|e| ApiError::field("steps", format!("步骤代码无效：{e}")))?;
    // Recorded dates that contradict the order of the 25 steps are bad input for a planner (whatever
    // the status of the ordering rule on that date), so they are refused with the step named.
    let out_of_order: Vec<FieldError> = facts
        .steps
        .iter()
        .filter_map(|(step, day)| {
            let earlier = facts.steps.iter().find(|(s, d)| *s < step && *d > day)?;
            Some(FieldError {
                field: format!("steps.{}", step.code()),
                message: format!(
                    "「{}」的日期{day}早于前面的步骤「{}」（{}）",
                    step.label(),
                    earlier.0.label(),
                    earlier.1
                ),
            })
        })
        .collect();
    if !out_of_order.is_empty() {
        return Err(ApiError::validation(out_of_order));
    }
    Ok(Json(dangwu_rules::recruitment::assess(&state.rules, &facts)?))
}

#[derive(Debug, Deserialize, IntoParams)]
#[into_params(parameter_in = Query)]
pub struct RulesParams {
    /// The date to show the rules in force on (default: today).
    pub on: Option<NaiveDate>,
}

/// 规则：every rule with its value on the date, source, status and any local override; the rules
/// without a value (tree shape, role separation…) that refusals also name; and the working-day
/// calendar years the platform knows.
#[utoipa::path(get, path = "/api/v1/rules", tag = "计算器", params(RulesParams),
    responses((status = 200, body = RulesAnswer)))]
async fn list_rules(
    State(state): State<AppState>,
    _caller: Caller,
    ApiQuery(p): ApiQuery<RulesParams>,
) -> ApiResult<Json<RulesAnswer>> {
    let on = p.on.unwrap_or_else(|| state.today());
    let calendar_years = state.rules.calendar().years().cloned().collect();
    Ok(Json(RulesAnswer {
        on,
        rules: state.rules.summaries(on),
        structural: StructuralRule::ALL.into_iter().map(Into::into).collect(),
        calendar_years,
    }))
}

/// The rules in force on a date.
#[derive(Debug, Serialize, ToSchema)]
pub struct RulesAnswer {
    pub on: NaiveDate,
    /// Every rule with a value: the value on the date, its source, status and any local override.
    pub rules: Vec<RuleSummary>,
    /// The rules without a value (tree shape, role separation…) that refusals also name.
    pub structural: Vec<StructuralRuleSummary>,
    /// The years of the working-day calendar (节假日安排) the platform knows, with their holidays.
    pub calendar_years: Vec<CalendarYear>,
}
