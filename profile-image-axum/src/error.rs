//! One error type for every answer that is not a success: the core's validation errors and the
//! service's own (a missing field, 401, 404, 429...), all in the spec's error body.

use axum::http::header::CONTENT_TYPE;
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use profile_image::{ErrorBody, ValidationError};

/// An error answer: a status and the spec's error body.
///
/// `IntoResponse` writes the body as JSON and keeps a copy of it in the response's extensions,
/// where [`trace_errors`](crate::trace_errors) finds it to fill `traceId`.
///
/// ```
/// use axum::http::StatusCode;
/// use profile_image::ErrorBody;
/// use profile_image_axum::ApiError;
///
/// // The service's own error, in the same shape as the crate's.
/// let error = ApiError::new(
///     StatusCode::NOT_FOUND,
///     ErrorBody::new("customer.not_found", "customer 42 does not exist").with_reference("customerId"),
/// );
/// assert_eq!(error.status(), StatusCode::NOT_FOUND);
///
/// // The crate's errors convert with their own status (400, or 500 for internal ones).
/// let error: ApiError = profile_image::normalize_profile_image(b"").unwrap_err().into();
/// assert_eq!(error.status(), StatusCode::BAD_REQUEST);
/// assert_eq!(error.body().error_code, "image.empty");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiError {
    status: StatusCode,
    body: ErrorBody,
}

impl ApiError {
    /// An error with the given status and body.
    pub fn new(status: StatusCode, body: ErrorBody) -> Self {
        ApiError { status, body }
    }

    /// A 500 for a failure of the service itself; the message names what failed, no details.
    pub fn internal(what: &str) -> Self {
        ApiError::new(
            StatusCode::INTERNAL_SERVER_ERROR,
            ErrorBody::new(
                "internal_error",
                format!("the request could not be completed because of an internal error in {what}"),
            ),
        )
    }

    /// The status answered.
    pub fn status(&self) -> StatusCode {
        self.status
    }

    /// The body answered.
    pub fn body(&self) -> &ErrorBody {
        &self.body
    }

    /// Sets the body's `traceId`.
    pub fn with_trace_id(mut self, trace_id: impl Into<String>) -> Self {
        self.body.trace_id = Some(trace_id.into());
        self
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        let status = StatusCode::from_u16(error.http_status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        ApiError::new(status, error.body())
    }
}

impl std::fmt::Display for ApiError {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "{} {}: {}",
            self.status.as_u16(),
            self.body.error_code,
            self.body.error_message
        )
    }
}

impl std::error::Error for ApiError {}

impl IntoResponse for ApiError {
    fn into_response(self) -> Response {
        let json = match serde_json::to_vec(&self.body) {
            Ok(json) => json,
            // Serialising strings and integers cannot fail; answer a bare 500 if it ever does.
            Err(_) => return StatusCode::INTERNAL_SERVER_ERROR.into_response(),
        };
        let mut response = (self.status, [(CONTENT_TYPE, "application/json")], json).into_response();
        response.extensions_mut().insert(self.body);
        response
    }
}
