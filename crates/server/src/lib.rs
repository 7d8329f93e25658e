//! The Dangwu web platform: REST API under `/api/v1`, sessions and permissions, audit, the OpenAPI
//! document and the embedded web app.
//!
//! Request path: route (here) → handler (`routes::*`) → rules check (`dangwu_rules`) → store
//! (`dangwu_store`, scoped by the caller's grants, one transaction with its audit record).

pub mod auth;
pub mod demo;
pub mod domain;
pub mod error;
pub mod json;
pub mod replica;
pub mod routes;
mod web;

use std::net::SocketAddr;
use std::sync::Arc;

use axum::Router;
use axum::extract::DefaultBodyLimit;
use chrono::{DateTime, NaiveDate, Utc};
use dangwu_store::Db;
use tower_http::catch_panic::CatchPanicLayer;
use tower_http::compression::CompressionLayer;
use tower_http::trace::TraceLayer;
use utoipa::OpenApi;
use utoipa_axum::router::OpenApiRouter;
use utoipa_swagger_ui::SwaggerUi;

/// Settings of the HTTP server.
#[derive(Debug, Clone)]
pub struct ServerConfig {
    /// Mark the session cookie `Secure` (on whenever the platform is reached over HTTPS).
    pub secure_cookies: bool,
    /// Days before a meeting window closes from which an unheld meeting is flagged (预警).
    pub orglife_warning_days: i64,
    /// A session ends this long after login however busy it is (besides ending after
    /// [`auth::SESSION_IDLE`] unused).
    pub session_max: chrono::Duration,
    /// The zone whose calendar days every rule, deadline and report is judged by.
    pub time_zone: chrono_tz::Tz,
}

impl Default for ServerConfig {
    /// Secure cookies unless turned off: only plain-HTTP local development turns them off.
    fn default() -> ServerConfig {
        ServerConfig {
            secure_cookies: true,
            orglife_warning_days: 7,
            session_max: chrono::Duration::hours(12),
            time_zone: chrono_tz::Asia::Shanghai,
        }
    }
}

/// Where "now" comes from: the system clock, or a fixed instant in tests.
#[derive(Debug, Clone, Default)]
pub struct Clock {
    fixed: Option<DateTime<Utc>>,
}

impl Clock {
    pub fn system() -> Clock {
        Clock { fixed: None }
    }

    pub fn fixed(at: DateTime<Utc>) -> Clock {
        Clock { fixed: Some(at) }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.fixed.unwrap_or_else(Utc::now)
    }
}

#[derive(Clone)]
pub struct AppState {
    pub db: Db,
    /// The rule packs in force, with this deployment's overrides.
    pub rules: Arc<dangwu_rules::RuleBook>,
    pub config: Arc<ServerConfig>,
    pub clock: Clock,
    /// Compliance inputs kept in memory (see [`domain::lifeindex`]).
    pub life: Arc<domain::lifeindex::LifeIndex>,
    /// Dashboard results shared between requests (see [`domain::dashboards`]).
    pub dashboards: Arc<domain::dashboards::Dashboards>,
    /// Failed logins per client address (see [`auth::AddressLimiter`]).
    pub login_limiter: Arc<auth::AddressLimiter>,
    /// Set once [`serve`] has done its start-up reads: `/readyz` answers 200 from then on.
    pub ready: Arc<std::sync::atomic::AtomicBool>,
}

impl AppState {
    pub fn new(db: Db, config: ServerConfig, clock: Clock, rules: dangwu_rules::RuleBook) -> AppState {
        AppState {
            db,
            config: Arc::new(config),
            clock,
            rules: Arc::new(rules),
            life: Arc::default(),
            dashboards: Arc::default(),
            login_limiter: Arc::default(),
            ready: Arc::default(),
        }
    }

    pub fn now(&self) -> DateTime<Utc> {
        self.clock.now()
    }

    /// Today in the configured time zone (default Asia/Shanghai), the calendar every rule is judged by.
    pub fn today(&self) -> NaiveDate {
        self.local_now().date()
    }

    /// The wall-clock time in the configured time zone, as printed on reports.
    pub fn local_now(&self) -> chrono::NaiveDateTime {
        self.now().with_timezone(&self.config.time_zone).naive_local()
    }

    /// The first instant of `day` in the configured time zone.
    pub fn start_of_day(&self, day: NaiveDate) -> DateTime<Utc> {
        start_of_day(self.config.time_zone, day)
    }
}

/// The first instant of `day` in `zone`; where a clock change skips midnight, the first instant the
/// day has.
pub fn start_of_day(zone: chrono_tz::Tz, day: NaiveDate) -> DateTime<Utc> {
    use chrono::TimeZone;
    let midnight = day.and_hms_opt(0, 0, 0).expect("midnight exists");
    let mut probe = midnight;
    loop {
        if let Some(t) = zone.from_local_datetime(&probe).earliest() {
            return t.with_timezone(&Utc);
        }
        // No zone skips more than a few hours.
        probe += chrono::Duration::minutes(15);
    }
}

#[derive(OpenApi)]
#[openapi(
    info(title = "Dangwu 党务 API", description = "党建工作平台的 REST 接口。错误统一为 ErrorBody。"),
    components(schemas(error::ErrorBody, error::FieldError))
)]
struct ApiDoc;

/// Declares on every operation the error answers its extractors give, which the handlers' own
/// attributes leave out: 401 without a valid session or token, 403 (permission or CSRF), 404 for a
/// malformed or unknown id in the address, 400 for a malformed query or body, 413 and 415 for bodies,
/// 503 when the database's queue is full or a read ran past its time-out (any route may meet either).
struct CommonErrors;

impl utoipa::Modify for CommonErrors {
    fn modify(&self, doc: &mut utoipa::openapi::OpenApi) {
        use utoipa::openapi::path::ParameterIn;
        use utoipa::openapi::{ContentBuilder, Ref, RefOr, ResponseBuilder};
        let error = |text: &str| {
            RefOr::T(
                ResponseBuilder::new()
                    .description(text)
                    .content(
                        "application/json",
                        ContentBuilder::new().schema(Some(Ref::from_schema_name("ErrorBody"))).build(),
                    )
                    .build(),
            )
        };
        for (path, item) in doc.paths.paths.iter_mut() {
            let public = path == "/api/v1/auth/login";
            for op in
                [&mut item.get, &mut item.put, &mut item.post, &mut item.delete, &mut item.patch].into_iter().flatten()
            {
                let params = op.parameters.iter().flatten();
                let has_query =
                    params.clone().any(|p| matches!(p, RefOr::T(p) if matches!(p.parameter_in, ParameterIn::Query)));
                let has_body = op.request_body.is_some();
                let mut add = |status: &str, text: &str| {
                    op.responses.responses.entry(status.to_owned()).or_insert_with(|| error(text));
                };
                if has_query || has_body {
                    add("400", "请求参数或内容有误（validation_failed、bad_json）");
                }
                if !public {
                    add("401", "未登录、会话已过期或 API 令牌无效（unauthenticated）");
                    add("403", "无权执行此操作，或缺少 CSRF 令牌（forbidden、csrf_failed）");
                }
                if path.contains('{') {
                    add("404", "记录不存在或无权访问（not_found）");
                }
                if has_body {
                    add("413", "提交的数据过大（payload_too_large）");
                    add("415", "请求内容不是 JSON（unsupported_media_type）");
                }
                add("503", "系统繁忙（busy，附 Retry-After）或查询超时已停止（timed_out），未做任何修改，可稍后重试");
            }
        }
    }
}

/// The OpenAPI router with every API route, and the document describing them.
fn api() -> (Router<AppState>, utoipa::openapi::OpenApi) {
    let (router, mut doc) = OpenApiRouter::with_openapi(ApiDoc::openapi())
        .merge(routes::session::router())
        .merge(routes::orgs::router())
        .merge(routes::placements::router())
        .merge(routes::recruitment::router())
        .merge(routes::members::router())
        .merge(routes::audit::router())
        .merge(routes::users::router())
        .merge(routes::calc::router())
        .merge(routes::codes::router())
        .merge(routes::meetings::router())
        .merge(routes::appraisals::router())
        .split_for_parts();
    // After the merge: the document's own modifiers run before the routes add their paths.
    utoipa::Modify::modify(&CommonErrors, &mut doc);
    (router, doc)
}

/// The OpenAPI document as served at `/api/v1/openapi.json`.
pub fn openapi() -> utoipa::openapi::OpenApi {
    api().1
}

/// The whole application.
pub fn app(state: AppState) -> Router {
    let (api, doc) = api();
    Router::new()
        .merge(api)
        .route("/healthz", axum::routing::get(routes::session::healthz))
        .route("/readyz", axum::routing::get(routes::session::readyz))
        .merge(SwaggerUi::new("/api/v1/docs").url("/api/v1/openapi.json", doc))
        .fallback(web::static_file)
        .layer(axum::middleware::from_fn_with_state(state.clone(), replica::remember_writes))
        .layer(CatchPanicLayer::custom(panic_answer))
        .layer(axum::middleware::from_fn(security_headers))
        .layer(DefaultBodyLimit::max(json::MAX_BODY))
        .layer(CompressionLayer::new())
        .layer(TraceLayer::new_for_http())
        .with_state(state)
}

/// A handler that panics answers like any other internal error (500, the JSON error body, the
/// security headers) instead of dropping the connection; the panic itself is logged by the hook.
fn panic_answer(_: Box<dyn std::any::Any + Send + 'static>) -> axum::response::Response {
    axum::response::IntoResponse::into_response(error::ApiError::internal("a request handler panicked"))
}

/// The web app loads scripts, styles and data only from its own origin; Element Plus sets inline
/// `style` attributes, hence `'unsafe-inline'` for styles (never for scripts). No page may frame it.
const CONTENT_SECURITY_POLICY: &str = "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; \
    img-src 'self' data: blob:; font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'self'; \
    form-action 'self'; frame-ancestors 'none'";

/// Headers on every answer: the content policy, no framing, no type sniffing, no referrer; and no
/// caching of API answers, which carry personal data.
async fn security_headers(req: axum::extract::Request, next: axum::middleware::Next) -> axum::response::Response {
    use axum::http::{HeaderValue, header};
    let api = req.uri().path().starts_with("/api/");
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(header::CONTENT_SECURITY_POLICY, HeaderValue::from_static(CONTENT_SECURITY_POLICY));
    h.insert(header::X_CONTENT_TYPE_OPTIONS, HeaderValue::from_static("nosniff"));
    h.insert(header::REFERRER_POLICY, HeaderValue::from_static("no-referrer"));
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    if api {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}

/// Serves until the process is stopped.
pub async fn serve(state: AppState, listener: tokio::net::TcpListener) -> std::io::Result<()> {
    // The first unknown-user login would otherwise pay for hashing the dummy password.
    tokio::task::spawn_blocking(auth::dummy_hash);
    tokio::spawn(start_up(state.clone()));
    axum::serve(listener, app(state).into_make_service_with_connect_info::<SocketAddr>()).await
}

/// What a server reads as it starts, while it already serves: the compliance inputs of this year
/// (rather than on the first dashboard opened), then the frequent reads on every pooled connection
/// ([`domain::warmup`]). `/readyz` says ready after them.
pub async fn start_up(state: AppState) {
    let started = std::time::Instant::now();
    // Not one request's read: it runs to its end whatever the read time-out.
    let db = state.db.with_read_timeout(None);
    match state.life.read(&db, chrono::Datelike::year(&state.today())).await {
        Ok(index) => tracing::info!(
            organizations = index.forest().len(),
            elapsed_ms = started.elapsed().as_millis() as u64,
            "organizational-life index loaded"
        ),
        Err(e) => tracing::warn!("organizational-life index not loaded: {e}"),
    }
    let warming = std::time::Instant::now();
    let reads = domain::warmup::warm_connections(&state).await;
    state.ready.store(true, std::sync::atomic::Ordering::Release);
    tracing::info!(reads, elapsed_ms = warming.elapsed().as_millis() as u64, "connections warmed: ready");
}

#[cfg(test)]
mod tests {
    use axum::body::Body;
    use axum::http::{Request, StatusCode};
    use tower::ServiceExt;

    #[test]
    fn days_start_at_local_midnight() {
        use chrono::{NaiveDate, TimeZone, Utc};
        let day = NaiveDate::from_ymd_opt(2026, 12, 6).unwrap();
        let shanghai = super::start_of_day(chrono_tz::Asia::Shanghai, day);
        assert_eq!(shanghai, Utc.with_ymd_and_hms(2026, 12, 5, 16, 0, 0).unwrap());
        assert_eq!(super::start_of_day(chrono_tz::UTC, day), Utc.with_ymd_and_hms(2026, 12, 6, 0, 0, 0).unwrap());
        // São Paulo skipped 2018-11-04 00:00–01:00: that day began at 01:00 local (03:00 UTC).
        let skipped = NaiveDate::from_ymd_opt(2018, 11, 4).unwrap();
        let start = super::start_of_day(chrono_tz::America::Sao_Paulo, skipped);
        assert_eq!(start, Utc.with_ymd_and_hms(2018, 11, 4, 3, 0, 0).unwrap());
    }

    async fn boom() -> &'static str {
        panic!("boom")
    }

    #[tokio::test]
    async fn a_panicking_handler_answers_500_with_the_error_body() {
        let app = axum::Router::new()
            .route("/boom", axum::routing::get(boom))
            .layer(super::CatchPanicLayer::custom(super::panic_answer))
            .layer(axum::middleware::from_fn(super::security_headers));
        let res = app.oneshot(Request::get("/boom").body(Body::empty()).unwrap()).await.unwrap();
        assert_eq!(res.status(), StatusCode::INTERNAL_SERVER_ERROR);
        assert_eq!(res.headers()["x-content-type-options"], "nosniff");
        let body = axum::body::to_bytes(res.into_body(), 4096).await.unwrap();
        let body: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(body["code"], "internal");
    }
}
