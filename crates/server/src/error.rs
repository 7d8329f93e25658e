//! The one error type of the HTTP layer, mapped once to a status and the JSON shape of docs/API.md.

use axum::Json;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use dangwu_store::StoreError;
use serde::Serialize;
use utoipa::ToSchema;

/// A problem with one field of the request.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct FieldError {
    pub field: String,
    pub message: String,
}

/// The body of every error answer.
#[derive(Debug, Clone, Serialize, ToSchema)]
pub struct ErrorBody {
    /// Stable machine code, e.g. `validation_failed`.
    pub code: String,
    /// Chinese message for people.
    pub message: String,
    pub fields: Vec<FieldError>,
    /// The rule id when a rule was violated.
    pub rule: Option<String>,
    /// When a rule blocks an action only until a date (a recruitment step taken too early): the first
    /// date it is allowed. Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub first_allowed: Option<chrono::NaiveDate>,
}

#[derive(Debug)]
pub struct ApiError {
    pub status: StatusCode,
    pub body: ErrorBody,
    /// Seconds after which the client may try again (`Retry-After`), on a 503.
    pub retry_after: Option<u32>,
}

/// What a 503 asks the client to wait before trying again: the queue drains in well under that.
pub const RETRY_AFTER_SECS: u32 = 2;

impl ApiError {
    pub fn new(status: StatusCode, code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status,
            body: ErrorBody {
                code: code.into(),
                message: message.into(),
                fields: Vec::new(),
                rule: None,
                first_allowed: None,
            },
            retry_after: None,
        }
    }

    pub fn validation(fields: Vec<FieldError>) -> ApiError {
        let mut e = ApiError::new(StatusCode::BAD_REQUEST, "validation_failed", "提交的数据有误，请按提示修改");
        e.body.fields = fields;
        e
    }

    pub fn field(field: &str, message: impl Into<String>) -> ApiError {
        ApiError::validation(vec![FieldError { field: field.into(), message: message.into() }])
    }

    /// The page size a list was asked for (`limit`, default 50), refused outside 1 to `max`.
    pub fn page_limit(limit: Option<i64>, max: i64) -> ApiResult<i64> {
        let limit = limit.unwrap_or(50);
        if !(1..=max).contains(&limit) {
            return Err(ApiError::field("limit", format!("每页条数应在1到{max}之间")));
        }
        Ok(limit)
    }

    pub fn unauthenticated() -> ApiError {
        ApiError::new(StatusCode::UNAUTHORIZED, "unauthenticated", "请先登录")
    }

    pub fn forbidden(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::FORBIDDEN, "forbidden", message)
    }

    pub fn not_found() -> ApiError {
        ApiError::new(StatusCode::NOT_FOUND, "not_found", "记录不存在或无权访问")
    }

    /// More rows than one answer may hold: 422 `scope_too_large`, saying how to narrow the request.
    pub fn too_large(message: impl Into<String>) -> ApiError {
        ApiError::new(StatusCode::UNPROCESSABLE_ENTITY, "scope_too_large", message)
    }

    /// 503 with `Retry-After`: the database is too busy to take the request now (`busy`), or the read
    /// ran out of its time (`timed_out`). Nothing was changed.
    pub fn unavailable(code: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            retry_after: Some(RETRY_AFTER_SECS),
            ..ApiError::new(StatusCode::SERVICE_UNAVAILABLE, code, message)
        }
    }

    pub fn internal(detail: impl std::fmt::Display) -> ApiError {
        tracing::error!("internal error: {detail}");
        ApiError::new(StatusCode::INTERNAL_SERVER_ERROR, "internal", "服务器内部错误，请稍后重试或联系管理员")
    }
}

impl From<StoreError> for ApiError {
    fn from(e: StoreError) -> ApiError {
        match e {
            StoreError::NotFound => ApiError::not_found(),
            StoreError::Forbidden(m) => ApiError::forbidden(m),
            StoreError::Conflict { code, message, rule } => match code.field() {
                Some(field) if code.is_bad_input() => ApiError::field(field, message),
                field => {
                    let mut err = ApiError::new(StatusCode::CONFLICT, code.code(), message.clone());
                    err.body.rule = rule;
                    if let Some(field) = field {
                        err.body.fields.push(FieldError { field: field.into(), message });
                    }
                    err
                }
            },
            StoreError::TooLarge(message) => ApiError::too_large(message),
            StoreError::Busy => ApiError::unavailable("busy", "系统繁忙，请稍后重试"),
            StoreError::TimedOut => {
                ApiError::unavailable("timed_out", "查询时间过长，已停止（未做任何修改）。请缩小范围后重试，或稍后再试")
            }
            other => ApiError::internal(other),
        }
    }
}

impl From<crate::domain::DomainError> for ApiError {
    fn from(e: crate::domain::DomainError) -> ApiError {
        use crate::domain::DomainError;
        match e {
            DomainError::Invalid(issues) => ApiError::validation(
                issues.into_iter().map(|i| FieldError { field: i.field, message: i.message }).collect(),
            ),
            DomainError::Refused { rule, message, field } => {
                let mut err = ApiError::new(StatusCode::CONFLICT, "rule_violation", message.clone());
                err.body.rule = Some(rule);
                if let Some(field) = field {
                    err.body.fields.push(FieldError { field, message });
                }
                err
            }
            DomainError::Blocked { rule, message, first_allowed } => {
                let mut err = ApiError::new(StatusCode::CONFLICT, "rule_violation", message);
                err.body.rule = Some(rule);
                err.body.first_allowed = first_allowed;
                err
            }
            DomainError::Calc(e) => e.into(),
            DomainError::Store(e) => e.into(),
        }
    }
}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let mut res = (self.status, Json(self.body)).into_response();
        if let Some(secs) = self.retry_after {
            res.headers_mut().insert(axum::http::header::RETRY_AFTER, secs.into());
        }
        res
    }
}

pub type ApiResult<T> = Result<T, ApiError>;
