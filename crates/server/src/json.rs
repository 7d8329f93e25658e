//! Request input at the edge: JSON bodies and query strings, refused with 400 naming the field before
//! any handler sees them when they are malformed, carry control characters, or break a limit.
//!
//! The limits of a body are those of its OpenAPI schema (`#[schema(max_length = …, maximum = …,
//! max_items = …)]` on the input types): [`ApiJson`] checks the body against the very schema the
//! document publishes, so what is documented and what is enforced cannot drift apart. On top of it,
//! every date lies in [`DATE_MIN`]..=[`DATE_MAX`], and no text or list anywhere exceeds
//! [`MAX_TEXT`] characters or [`MAX_ITEMS`] items (the backstop for a field without its own limit).

use std::any::TypeId;
use std::collections::HashMap;
use std::sync::{Arc, Mutex, OnceLock};

use axum::body::Bytes;
use axum::extract::{FromRequest, Request};
use axum::http::{StatusCode, header};
use chrono::NaiveDate;
use serde::de::DeserializeOwned;
use serde_json::Value;
use utoipa::ToSchema;

use crate::error::{ApiError, FieldError};

/// Largest accepted request body.
pub const MAX_BODY: usize = 1024 * 1024;

/// Longest text accepted anywhere in a body, whatever the field (the longest documented field,
/// meeting minutes, has this limit too).
pub const MAX_TEXT: usize = 50_000;

/// Most items of any list in a body.
pub const MAX_ITEMS: usize = 10_000;

/// Longest value of a query-string parameter.
pub const MAX_QUERY_TEXT: usize = 200;

/// Earliest date accepted in any input.
pub const DATE_MIN: NaiveDate = NaiveDate::from_ymd_opt(1900, 1, 1).expect("valid date");

/// Latest date accepted in any input.
pub const DATE_MAX: NaiveDate = NaiveDate::from_ymd_opt(2100, 12, 31).expect("valid date");

/// Fields whose text runs over several lines: line breaks and tabs are allowed there, and only there.
/// Every other control character (NUL above all, which PostgreSQL cannot store) is refused everywhere.
pub const MULTILINE_FIELDS: [&str; 7] =
    ["minutes", "decisions", "self_text", "peer_summary", "reason", "problem", "measure"];

/// Like `axum::Json`, with our error shape: 413 over [`MAX_BODY`], 415 without a JSON content type,
/// 400 for malformed JSON (trailing text included), a control character, a value beyond its
/// documented limit, or a value of the wrong type or format, naming the field.
pub struct ApiJson<T>(pub T);

impl<S: Send + Sync, T: DeserializeOwned + ToSchema + 'static> FromRequest<S> for ApiJson<T> {
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

/// Parses a body: well-formed JSON with nothing after it, free of control characters, within the
/// limits of `T`'s schema, then `T` itself, turning serde's message into a field error in Chinese.
pub fn parse<T: DeserializeOwned + ToSchema + 'static>(bytes: &[u8]) -> Result<T, ApiError> {
    let value: Value = serde_json::from_slice(bytes)
        .map_err(|e| ApiError::new(StatusCode::BAD_REQUEST, "bad_json", format!("JSON 格式错误：{e}")))?;
    let mut errors = Vec::new();
    control_characters(&value, "", "", &mut errors);
    if errors.is_empty() {
        let schema = Limits::of::<T>();
        schema.check(&schema.root, &value, "", &mut errors, 0);
    }
    if !errors.is_empty() {
        // A field can be reached twice (a flattened struct and its parts): name each problem once.
        let mut seen = std::collections::HashSet::new();
        errors.retain(|e| seen.insert((e.field.clone(), e.message.clone())));
        return Err(ApiError::validation(errors));
    }
    typed(bytes)
}

fn typed<T: DeserializeOwned>(bytes: &[u8]) -> Result<T, ApiError> {
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
        } else if let Some(message) = unknown_code(&text) {
            message
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
        let mut errors = Vec::new();
        for (key, value) in form_urlencoded::parse(query.as_bytes()) {
            if let Some(message) = text_problem(&value, false) {
                errors.push(FieldError { field: key.into_owned(), message: message.into() });
            } else if value.chars().count() > MAX_QUERY_TEXT {
                errors.push(FieldError { field: key.into_owned(), message: format!("不超过{MAX_QUERY_TEXT}字") });
            }
        }
        if !errors.is_empty() {
            return Err(ApiError::validation(errors));
        }
        let de = serde_urlencoded::Deserializer::new(form_urlencoded::parse(query.as_bytes()));
        serde_path_to_error::deserialize(de).map(ApiQuery).map_err(|e| {
            let field = e.path().to_string();
            let text = e.into_inner().to_string();
            ApiError::validation(vec![FieldError {
                field: if field == "." { "query".into() } else { field },
                message: unknown_code(&text).unwrap_or_else(|| format!("查询参数格式错误：{text}")),
            }])
        })
    }
}

/// serde's refusal of a code outside its list (`unknown variant `x`, expected one of `a`, `b``), in
/// Chinese with the codes allowed.
fn unknown_code(text: &str) -> Option<String> {
    let rest = text.strip_prefix("unknown variant `")?;
    let (value, expected) = rest.split_once("`, expected ")?;
    let expected = expected.split(" at line ").next().unwrap_or(expected);
    let allowed = expected.trim_start_matches("one of ").replace("` or `", "`、`").replace("`, `", "`、`");
    Some(not_in_list(value, &allowed))
}

fn not_in_list(value: &str, allowed: &str) -> String {
    format!("取值无效：`{value}` 不在可选值中，应为 {allowed} 之一")
}

/// For an optional query parameter of a code list: absent or empty is none, anything else must be
/// one of the list's codes.
pub fn empty_as_none<'de, D, T>(d: D) -> Result<Option<T>, D::Error>
where
    D: serde::Deserializer<'de>,
    T: DeserializeOwned,
{
    use serde::Deserialize;
    use serde::de::{Error, IntoDeserializer};
    match Option::<String>::deserialize(d)? {
        Some(s) if !s.is_empty() => {
            let de: serde::de::value::StringDeserializer<serde::de::value::Error> = s.into_deserializer();
            T::deserialize(de).map(Some).map_err(D::Error::custom)
        }
        _ => Ok(None),
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

/// What is wrong with a text for a field, if anything: a NUL, or another control character (line
/// breaks and tabs only where `multiline`).
fn text_problem(text: &str, multiline: bool) -> Option<&'static str> {
    if text.contains('\0') {
        return Some("不能包含空字符（NUL）");
    }
    let allowed = |c: char| multiline && matches!(c, '\n' | '\r' | '\t');
    text.chars().any(|c| c.is_control() && !allowed(c)).then_some(if multiline {
        "不能包含控制字符（换行和制表符除外）"
    } else {
        "不能包含换行符、制表符等控制字符"
    })
}

fn join(path: &str, key: &str) -> String {
    if path.is_empty() { key.to_owned() } else { format!("{path}.{key}") }
}

/// Every text of a body (keys included), named by its path; `field` is the nearest object key, which
/// decides whether line breaks are allowed.
fn control_characters(value: &Value, path: &str, field: &str, errors: &mut Vec<FieldError>) {
    match value {
        Value::String(s) => {
            if let Some(message) = text_problem(s, MULTILINE_FIELDS.contains(&field)) {
                errors.push(FieldError {
                    field: if path.is_empty() { "body".into() } else { path.into() },
                    message: message.into(),
                });
            }
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                control_characters(item, &format!("{path}[{i}]"), field, errors);
            }
        }
        Value::Object(map) => {
            for (key, item) in map {
                let here = join(path, key);
                if let Some(message) = text_problem(key, false) {
                    errors.push(FieldError { field: here.clone(), message: message.into() });
                    continue;
                }
                control_characters(item, &here, key, errors);
            }
        }
        _ => {}
    }
}

/// The published schema of an input type, as JSON: the root and every schema it refers to.
struct Limits {
    root: Value,
    components: HashMap<String, Value>,
}

impl Limits {
    /// The schema of `T`, built once per type.
    fn of<T: ToSchema + 'static>() -> Arc<Limits> {
        static CACHE: OnceLock<Mutex<HashMap<TypeId, Arc<Limits>>>> = OnceLock::new();
        let cache = CACHE.get_or_init(Default::default);
        if let Some(found) = cache.lock().expect("schema cache").get(&TypeId::of::<T>()) {
            return found.clone();
        }
        let mut refs = Vec::new();
        T::schemas(&mut refs);
        let mut components: HashMap<String, Value> =
            refs.into_iter().map(|(name, s)| (name, serde_json::to_value(s).unwrap_or_default())).collect();
        let root = serde_json::to_value(T::schema()).unwrap_or_default();
        components.insert(T::name().into_owned(), root.clone());
        let limits = Arc::new(Limits { root, components });
        cache.lock().expect("schema cache").insert(TypeId::of::<T>(), limits.clone());
        limits
    }

    /// Checks `value` against the limits of `schema`; a value of the wrong type is left to serde.
    fn check(&self, schema: &Value, value: &Value, path: &str, errors: &mut Vec<FieldError>, depth: usize) {
        if depth > 32 {
            return;
        }
        let field = || if path.is_empty() { "body".to_owned() } else { path.to_owned() };
        if let Some(name) = schema["$ref"].as_str().and_then(|r| r.rsplit('/').next()) {
            if let Some(target) = self.components.get(name) {
                self.check(target, value, path, errors, depth + 1);
            }
            return;
        }
        for part in schema["allOf"].as_array().into_iter().flatten() {
            self.check(part, value, path, errors, depth + 1);
        }
        // An empty text where null is allowed means none (an optional code, cleared).
        let nullable =
            |key: &str| schema[key].as_array().is_some_and(|parts| parts.iter().any(|p| p["type"] == "null"));
        if !value.is_null() && !(value == "" && (nullable("oneOf") || nullable("anyOf"))) {
            for key in ["oneOf", "anyOf"] {
                for part in schema[key].as_array().into_iter().flatten().filter(|p| p["type"] != "null") {
                    self.check(part, value, path, errors, depth + 1);
                }
            }
        }
        match value {
            Value::String(s) => {
                // A code outside its list, named here, where the path is known even inside a
                // flattened struct (serde's own refusal cannot say which field it was).
                if let Some(codes) = schema["enum"].as_array()
                    && !codes.iter().any(|c| c == value)
                {
                    let allowed: Vec<String> =
                        codes.iter().filter_map(|c| c.as_str()).map(|c| format!("`{c}`")).collect();
                    errors.push(FieldError { field: field(), message: not_in_list(s, &allowed.join("、")) });
                    return;
                }
                let len = s.chars().count();
                let max = schema["maxLength"].as_u64().map_or(MAX_TEXT, |m| m as usize);
                if len > max {
                    errors
                        .push(FieldError { field: field(), message: format!("不超过{max}字（现为{len}字）") });
                }
                if schema["format"] == "date"
                    && let Ok(day) = s.parse::<NaiveDate>()
                    && !(DATE_MIN..=DATE_MAX).contains(&day)
                {
                    errors.push(FieldError {
                        field: field(), message: format!("日期应在{DATE_MIN}至{DATE_MAX}之间")
                    });
                }
            }
            Value::Number(n) => {
                let Some(x) = n.as_f64() else { return };
                if let Some(max) = schema["maximum"].as_f64().filter(|m| x > *m) {
                    errors.push(FieldError { field: field(), message: format!("不能大于{max}") });
                } else if let Some(min) = schema["minimum"].as_f64().filter(|m| x < *m) {
                    errors.push(FieldError { field: field(), message: format!("不能小于{min}") });
                }
            }
            Value::Array(items) => {
                let max = schema["maxItems"].as_u64().map_or(MAX_ITEMS, |m| m as usize);
                if items.len() > max {
                    errors
                        .push(FieldError {
                            field: field(), message: format!("最多{max}项（现为{}项）", items.len())
                        });
                    return;
                }
                for (i, item) in items.iter().enumerate() {
                    self.check(&schema["items"], item, &format!("{path}[{i}]"), errors, depth + 1);
                }
            }
            Value::Object(map) => {
                if let Some(max) = schema["maxProperties"].as_u64().filter(|m| map.len() as u64 > *m) {
                    errors.push(FieldError { field: field(), message: format!("最多{max}项") });
                    return;
                }
                for (key, item) in map {
                    let inner = match schema["properties"].get(key) {
                        Some(p) => p,
                        None => &schema["additionalProperties"],
                    };
                    self.check(inner, item, &join(path, key), errors, depth + 1);
                }
            }
            _ => {}
        }
    }
}

/// The schema of a list of texts: at most `max_items`, each at most `max_length` characters (for
/// `#[schema(schema_with = …)]`, which a list of plain strings needs to document its items).
pub fn texts(max_items: usize, max_length: usize) -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(ObjectBuilder::new().schema_type(Type::String).max_length(Some(max_length)))
        .max_items(Some(max_items))
        .build()
}

/// The schema of a list of whole amounts between `min` and `max`, at most `max_items` of them.
pub fn amounts(max_items: usize, min: i64, max: i64) -> utoipa::openapi::Array {
    use utoipa::openapi::{ArrayBuilder, ObjectBuilder, Type};
    ArrayBuilder::new()
        .items(
            ObjectBuilder::new()
                .schema_type(Type::Integer)
                .format(Some(utoipa::openapi::SchemaFormat::KnownFormat(utoipa::openapi::KnownFormat::Int64)))
                .minimum(Some(min as f64))
                .maximum(Some(max as f64)),
        )
        .max_items(Some(max_items))
        .build()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_code_outside_its_list_is_named_in_chinese() {
        let body = br#"{"parent_id":"00000000-0000-0000-0000-000000000001","name":"x","kind":"club"}"#;
        let err = parse::<crate::routes::orgs::CreateOrg>(body).expect_err("refused");
        assert_eq!(err.status, StatusCode::BAD_REQUEST);
        let field = &err.body.fields[0];
        assert_eq!(field.field, "kind", "{field:?}");
        assert!(field.message.starts_with("取值无效：`club`") && field.message.contains("`branch`"), "{field:?}");
    }
}
