//! JSON request bodies: size-limited, and deserialization errors reported with the field they concern.

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use serde::de::DeserializeOwned;

use crate::error::{ApiError, FieldError};

/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;

/// Like `axum::Json`, with our error shape: 413 over [`MAX_BODY`], 415 without a JSON content type,
/// 400 naming the field for a value of the wrong type or format.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> FromRequest<S> for ApiJson<T> {
    type Rejection = ApiError;

    async fn from_request(req: Request, state: &S) -> Result<Self, ApiError> {
        let is_json = req
            .headers()
            .get(header::CONTENT_TYPE)
            .and_then(|v| v.to_str().ok())
            .is_some_and(|v| v.starts_with("application/json"));
        if !is_json {
            return Err(ApiError::new(
                StatusCode::UNSUPPORTED_MEDIA_TYPE,
                "unsupported_media_type",
                "请求内容应为 JSON（Content-Type: application/json）",
            ));
        }
        let bytes = Bytes::from_request(req, state).await.map_err(|e| {
            if e.status() == StatusCode::PAYLOAD_TOO_LARGE {
                ApiError::new(StatusCode::PAYLOAD_TOO_LARGE, "payload_too_large", "提交的数据过大（上限 1 MB）")
            } else {
                ApiError::new(StatusCode::BAD_REQUEST, "bad_body", "无法读取请求内容")
            }
        })?;
        parse(&bytes).map(ApiJson)
    }
}

/// Parses JSON, turning serde's message into a field error in Chinese.
pub fn parse<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
    let de = &mut serde_json::Deserializer::from_slice(bytes);
    serde_path_to_error::deserialize(de).map_err(|e| {
        let field = e.path().to_string();
        let inner = e.into_inner();
        if inner.is_syntax() || inner.is_eof() {
            return ApiError::new(StatusCode::BAD_REQUEST, "bad_json", format!("JSON 格式错误：{inner}"));
        }
        let text = inner.to_string();
        let message = if let Some(rest) = text.strip_prefix("missing field `") {
            let name = rest.split('`').next().unwrap_or_default();
            return ApiError::validation(vec![FieldError { field: name.into(), message: "必填".into() }]);
        } else if text.contains("premature end of input")
            || text.contains("input contains invalid characters")
            || text.contains("input is out of range")
            || text.contains("input is not enough")
            || text.contains("trailing input")
        {
            "日期格式应为 YYYY-MM-DD".to_string()
        } else if text.starts_with("unknown variant") {
            format!("取值无效：{text}")
        } else {
            format!("格式错误：{text}")
        };
        ApiError::validation(vec![FieldError { field: if field == "." { "body".into() } else { field }, message }])
    })
}

/// Like `axum::extract::Query`, answering a malformed query string with our error shape (400, field named).
pub struct ApiQuery<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned> axum::extract::FromRequestParts<S> for ApiQuery<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, _: &S) -> Result<Self, ApiError> {
        let query = parts.uri.query().unwrap_or_default();
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            ApiError::validation(vec![FieldError {
                field: if field == "." { "query".into() } else { field },
                message: format!("查询参数格式错误：{}", e.into_inner()),
            }])
        })
    }
}

/// Like `axum::extract::Path`, answering a malformed id in the address with our error shape.
pub struct ApiPath<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + Send> axum::extract::FromRequestParts<S> for ApiPath<T> {
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut axum::http::request::Parts, state: &S) -> Result<Self, ApiError> {
        axum::extract::Path::<T>::from_request_parts(parts, state)
            .await
            .map(|axum::extract::Path(v)| ApiPath(v))
            .map_err(|_| ApiError::not_found())
    }
}
