//! The reference service of `PUT /v1/customers/{customerId}/images`: everything the endpoint's
//! spec asks of it beyond the image itself. `main.rs` runs it; `tests/server.rs` drives it
//! through HTTP with a clock and stores of its own.
//!
//! What a real deployment replaces: [`ImageStore`] (customers and their images; [`MemoryStore`]
//! keeps them in memory), the key table (`Config::api_keys`) and [`Clock`].

// Shared by the example and the tests, each of which uses a part (the system clock, a failing
// store).
#![allow(dead_code)]

use std::collections::{HashMap, HashSet};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, SystemTime};

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequestParts, Path, State};
use axum::http::header::{CONTENT_TYPE, ETAG, IF_MATCH, RETRY_AFTER};
use axum::http::request::Parts;
use axum::http::{HeaderName, HeaderValue, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::{get, put};
use axum::{Json, Router};
use profile_image::{ArgType, ErrorBody, Options, TypedArg};
use profile_image_axum::{trace_errors, ApiError, ImageUpload, Normalizer};

/// The header carrying the API key. A request without it, with an unknown key, or with the key
/// in another header (`Authorization`, say) is answered 401.
pub const API_KEY_HEADER: HeaderName = HeaderName::from_static("x-api-key");

/// The scope the endpoint requires (spec: "Required Scopes: CUSTOMER_WRITE").
pub const REQUIRED_SCOPE: &str = "CUSTOMER_WRITE";

/// How long an image URL serves the image (spec: "It will expire after 15 minutes").
pub const URL_LIFETIME: Duration = Duration::from_secs(15 * 60);

/// The time, injectable so that tests can expire URLs without waiting.
pub trait Clock: Send + Sync + 'static {
    /// Now.
    fn now(&self) -> SystemTime;
}

/// The system's clock.
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> SystemTime {
        SystemTime::now()
    }
}

/// Why the store did not do what was asked.
#[derive(Debug, PartialEq, Eq)]
pub enum StoreError {
    /// No such customer.
    UnknownCustomer,
    /// `If-Match` named another ETag than the customer's current image's.
    PreconditionFailed,
    /// The store itself failed.
    Unavailable,
}

/// An image as stored: the token of its URL and its ETag.
pub struct Stored {
    pub token: String,
    pub etag: String,
}

/// Customers and their images: what a deployment backs with its database and object store.
pub trait ImageStore: Send + Sync + 'static {
    /// The ETag of the customer's current image (`None` before the first), or
    /// `UnknownCustomer`.
    fn image_etag(&self, customer: i64) -> Result<Option<String>, StoreError>;
    /// Makes `jpeg` the customer's image, if `if_match` is absent or names its current ETag
    /// (`*`: any current image), in one step: of two requests with the same `If-Match`, one
    /// wins. Its URL serves it until `expires`.
    fn put(
        &self,
        customer: i64,
        if_match: Option<&str>,
        jpeg: Vec<u8>,
        expires: SystemTime,
    ) -> Result<Stored, StoreError>;
    /// The image a URL token names, while it has not expired.
    fn get(&self, token: &str, now: SystemTime) -> Result<Option<Bytes>, StoreError>;
}

/// An [`ImageStore`] in memory: a fixed set of customers, expired URLs dropped as new ones come.
pub struct MemoryStore {
    customers: HashSet<i64>,
    state: Mutex<MemoryState>,
}

#[derive(Default)]
struct MemoryState {
    etags: HashMap<i64, String>,
    urls: HashMap<String, (Bytes, SystemTime)>,
    puts: u64,
}

impl MemoryStore {
    /// A store knowing these customers, none with an image yet.
    pub fn new(customers: impl IntoIterator<Item = i64>) -> Self {
        MemoryStore {
            customers: customers.into_iter().collect(),
            state: Mutex::default(),
        }
    }
}

impl ImageStore for MemoryStore {
    fn image_etag(&self, customer: i64) -> Result<Option<String>, StoreError> {
        if !self.customers.contains(&customer) {
            return Err(StoreError::UnknownCustomer);
        }
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state.etags.get(&customer).cloned())
    }

    fn put(
        &self,
        customer: i64,
        if_match: Option<&str>,
        jpeg: Vec<u8>,
        expires: SystemTime,
    ) -> Result<Stored, StoreError> {
        if !self.customers.contains(&customer) {
            return Err(StoreError::UnknownCustomer);
        }
        let mut state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(wanted) = if_match {
            if !etag_matches(wanted, state.etags.get(&customer).map(String::as_str)) {
                return Err(StoreError::PreconditionFailed);
            }
        }
        state.puts += 1;
        let etag = format!("\"{customer}-{}\"", state.puts);
        // The token only has to be unique and hard to guess; a deployment signs its URLs.
        let token = format!("{:016x}{:016x}", random_u64(), state.puts);
        let now = expires - URL_LIFETIME;
        state.urls.retain(|_, (_, until)| *until > now);
        state.urls.insert(token.clone(), (Bytes::from(jpeg), expires));
        state.etags.insert(customer, etag.clone());
        Ok(Stored { token, etag })
    }

    fn get(&self, token: &str, now: SystemTime) -> Result<Option<Bytes>, StoreError> {
        let state = self.state.lock().unwrap_or_else(PoisonError::into_inner);
        Ok(state
            .urls
            .get(token)
            .filter(|(_, until)| now < *until)
            .map(|(jpeg, _)| jpeg.clone()))
    }
}

/// Whether an `If-Match` value names the current ETag: one of its list, or `*` for any image.
fn etag_matches(if_match: &str, current: Option<&str>) -> bool {
    current.is_some_and(|etag| if_match.trim() == "*" || if_match.split(',').any(|w| w.trim() == etag))
}

/// A random number from the standard library's per-process hash keys.
fn random_u64() -> u64 {
    use std::hash::{BuildHasher, RandomState};
    RandomState::new().hash_one(SystemTime::now())
}

/// How the service is set up.
pub struct Config {
    /// The normalization's options; `Options::default()` is the spec's 1200x1200 JPEG.
    pub options: Options,
    /// Memory for uploads in flight: how many are read and normalized at once follows from it.
    pub memory_budget: usize,
    /// How long a body may take to arrive once its turn came (408 after).
    pub read_timeout: Duration,
    /// API keys and their scopes.
    pub api_keys: HashMap<String, Vec<String>>,
    /// Requests per key per window before 429.
    pub rate_limit: u32,
    /// The rate limit's window.
    pub rate_window: Duration,
    /// What image URLs start with, e.g. `http://127.0.0.1:8080`.
    pub base_url: String,
    /// Customers and images.
    pub store: Arc<dyn ImageStore>,
    /// The clock.
    pub clock: Arc<dyn Clock>,
}

#[derive(Clone)]
struct App {
    normalizer: Normalizer,
    api_keys: Arc<HashMap<String, Vec<String>>>,
    limiter: Arc<RateLimiter>,
    base_url: Arc<str>,
    store: Arc<dyn ImageStore>,
    clock: Arc<dyn Clock>,
}

impl FromRef<App> for Normalizer {
    fn from_ref(app: &App) -> Normalizer {
        app.normalizer.clone()
    }
}

/// The service's routes: the endpoint, the image URLs, and a spec-shaped 404 for anything else.
pub fn router(config: Config) -> Router {
    let app = App {
        normalizer: Normalizer::new(config.options, config.memory_budget)
            .with_read_timeout(config.read_timeout),
        api_keys: Arc::new(config.api_keys),
        limiter: Arc::new(RateLimiter {
            limit: config.rate_limit,
            window: config.rate_window,
            windows: Mutex::default(),
        }),
        base_url: config.base_url.trim_end_matches('/').into(),
        store: config.store,
        clock: config.clock,
    };
    Router::new()
        .route("/v1/customers/{customer_id}/images", put(put_image))
        .route("/images/{token}", get(get_image))
        .fallback(|| async { not_found("route.not_found", "no such route", "path") })
        .method_not_allowed_fallback(|| async {
            ApiError::new(
                StatusCode::METHOD_NOT_ALLOWED,
                ErrorBody::new("route.method_not_allowed", "the route does not take this method")
                    .with_reference("method"),
            )
        })
        .layer(axum::middleware::from_fn(trace_errors))
        .with_state(app)
}

/// `PUT /v1/customers/{customerId}/images`: 200 `{"imageUrl": ...}` with the image's ETag.
async fn put_image(
    State(app): State<App>,
    customer: WritableCustomer,
    image: ImageUpload,
) -> Result<Response, ApiError> {
    let jpeg = app.normalizer.normalize(image).await?;
    let expires = app.clock.now() + URL_LIFETIME;
    let stored = app
        .store
        .put(
            customer.id,
            customer.if_match.as_deref(),
            jpeg.into_bytes(),
            expires,
        )
        .map_err(|error| store_error(error, customer.id))?;
    let url = format!("{}/images/{}", app.base_url, stored.token);
    let etag = HeaderValue::from_str(&stored.etag).map_err(|_| ApiError::internal("the store"))?;
    Ok(([(ETAG, etag)], Json(serde_json::json!({ "imageUrl": url }))).into_response())
}

/// `GET /images/{token}`: the JPEG for 15 minutes, then a spec-shaped 404.
async fn get_image(State(app): State<App>, Path(token): Path<String>) -> Result<Response, ApiError> {
    match app.store.get(&token, app.clock.now()) {
        Ok(Some(jpeg)) => Ok(([(CONTENT_TYPE, "image/jpeg")], jpeg).into_response()),
        Ok(None) => Err(not_found(
            "image.url_expired",
            "the image URL does not exist or has expired",
            "token",
        )),
        Err(error) => Err(store_error(error, 0)),
    }
}

/// The path's customer, after the key was checked (401), counted (429) and found to have the
/// scope (403), the customer found (404) and `If-Match` found to name its current image (409).
/// Runs before the body is read; the store checks `If-Match` again as it writes, for the races.
struct WritableCustomer {
    id: i64,
    if_match: Option<String>,
}

impl FromRequestParts<App> for WritableCustomer {
    type Rejection = Response;

    async fn from_request_parts(parts: &mut Parts, app: &App) -> Result<Self, Response> {
        Self::check(parts, app).await.map_err(|error| match error {
            Refusal::Api(error) => error.into_response(),
            Refusal::RateLimited(response) => response,
        })
    }
}

enum Refusal {
    Api(ApiError),
    RateLimited(Response),
}

impl From<ApiError> for Refusal {
    fn from(error: ApiError) -> Self {
        Refusal::Api(error)
    }
}

impl WritableCustomer {
    async fn check(parts: &mut Parts, app: &App) -> Result<Self, Refusal> {
        let Some(key) = parts.headers.get(&API_KEY_HEADER) else {
            return Err(unauthorized("the request has no X-Api-Key header").into());
        };
        let Some(scopes) = key.to_str().ok().and_then(|key| app.api_keys.get(key)) else {
            return Err(unauthorized("the API key is not valid").into());
        };
        let key = key.to_str().unwrap_or_default();
        if let Err(retry_after) = app.limiter.admit(key, app.clock.now()) {
            let response = rate_limited(app.limiter.limit, app.limiter.window, retry_after);
            return Err(Refusal::RateLimited(response));
        }
        if !scopes.iter().any(|scope| scope == REQUIRED_SCOPE) {
            return Err(ApiError::new(
                StatusCode::FORBIDDEN,
                ErrorBody::new(
                    "auth.scope_missing",
                    format!("the API key lacks the scope {REQUIRED_SCOPE}"),
                )
                .with_arg(TypedArg::new(
                    vec![REQUIRED_SCOPE.to_string()],
                    ArgType::PermissionList,
                )),
            )
            .into());
        }
        let Path(raw) = Path::<String>::from_request_parts(parts, app)
            .await
            .map_err(|_| ApiError::internal("routing"))?;
        let Ok(customer) = raw.parse::<i64>() else {
            return Err(ApiError::new(
                StatusCode::BAD_REQUEST,
                ErrorBody::new(
                    "customer.invalid_id",
                    format!("the customer id \"{raw}\" is not a 64-bit integer"),
                )
                .with_arg(TypedArg::new(raw.as_str(), ArgType::String))
                .with_reference("customerId"),
            )
            .into());
        };
        let current = app
            .store
            .image_etag(customer)
            .map_err(|error| store_error(error, customer))?;
        let if_match = match parts.headers.get(IF_MATCH).map(HeaderValue::to_str) {
            None => None,
            Some(Ok(value)) => Some(value.to_owned()),
            Some(Err(_)) => {
                return Err(ApiError::new(
                    StatusCode::BAD_REQUEST,
                    ErrorBody::new("request.invalid_header", "the If-Match header is not text")
                        .with_reference("If-Match"),
                )
                .into())
            }
        };
        if let Some(wanted) = &if_match {
            if !etag_matches(wanted, current.as_deref()) {
                return Err(store_error(StoreError::PreconditionFailed, customer).into());
            }
        }
        Ok(WritableCustomer {
            id: customer,
            if_match,
        })
    }
}

/// A fixed-window count per API key.
struct RateLimiter {
    limit: u32,
    window: Duration,
    windows: Mutex<HashMap<String, (SystemTime, u32)>>,
}

impl RateLimiter {
    /// Counts a request; `Err` with the seconds until the window ends when over the limit.
    fn admit(&self, key: &str, now: SystemTime) -> Result<(), u64> {
        let mut windows = self.windows.lock().unwrap_or_else(PoisonError::into_inner);
        let (start, count) = windows.entry(key.to_owned()).or_insert((now, 0));
        let elapsed = now.duration_since(*start).unwrap_or_default();
        if elapsed >= self.window {
            (*start, *count) = (now, 0);
        }
        if *count >= self.limit {
            let left = self.window.saturating_sub(elapsed);
            return Err(left.as_secs() + u64::from(left.subsec_nanos() > 0));
        }
        *count += 1;
        Ok(())
    }
}

fn unauthorized(message: &str) -> ApiError {
    ApiError::new(
        StatusCode::UNAUTHORIZED,
        ErrorBody::new("auth.unauthorized", message).with_reference(API_KEY_HEADER.as_str()),
    )
}

/// A 429 with its `Retry-After` header.
fn rate_limited(limit: u32, window: Duration, retry_after: u64) -> Response {
    let error = ApiError::new(
        StatusCode::TOO_MANY_REQUESTS,
        ErrorBody::new(
            "rate_limit.exceeded",
            format!(
                "more than {limit} requests in {} seconds with this API key",
                window.as_secs()
            ),
        )
        .with_arg(TypedArg::new(u64::from(limit), ArgType::Integer))
        .with_arg(TypedArg::new(window.as_secs(), ArgType::Integer)),
    );
    ([(RETRY_AFTER, retry_after.to_string())], error).into_response()
}

fn not_found(code: &str, message: &str, reference: &str) -> ApiError {
    ApiError::new(
        StatusCode::NOT_FOUND,
        ErrorBody::new(code, message).with_reference(reference),
    )
}

fn store_error(error: StoreError, customer: i64) -> ApiError {
    match error {
        StoreError::UnknownCustomer => ApiError::new(
            StatusCode::NOT_FOUND,
            ErrorBody::new(
                "customer.not_found",
                format!("customer {customer} does not exist"),
            )
            // The spec's INTEGER values are unsigned here; a negative id is shown as text.
            .with_arg(match u64::try_from(customer) {
                Ok(id) => TypedArg::new(id, ArgType::Integer),
                Err(_) => TypedArg::new(customer.to_string(), ArgType::String),
            })
            .with_reference("customerId"),
        ),
        StoreError::PreconditionFailed => ApiError::new(
            StatusCode::CONFLICT,
            ErrorBody::new(
                "image.precondition_failed",
                "the customer's image changed since the ETag in If-Match",
            )
            .with_reference("If-Match"),
        ),
        StoreError::Unavailable => ApiError::internal("the image store"),
    }
}
