//! The `traceId` slot: a middleware that writes the request's trace id into every error body.

use axum::extract::Request;
use axum::http::header::{HeaderName, CONTENT_LENGTH};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use profile_image::ErrorBody;

/// The request header whose value becomes `traceId`: the spec's trace id is Datadog's, which its
/// tracers propagate in this header.
pub const TRACE_ID_HEADER: HeaderName = HeaderName::from_static("x-datadog-trace-id");

/// Middleware: when the request carries [`TRACE_ID_HEADER`] and the answer is an
/// [`ApiError`](crate::ApiError) (from a handler or an extractor's rejection), the body is written
/// again with `traceId` set. Add it with `axum::middleware::from_fn(trace_errors)`.
pub async fn trace_errors(request: Request, next: Next) -> Response {
    let trace_id = request
        .headers()
        .get(&TRACE_ID_HEADER)
        .and_then(|value| value.to_str().ok())
        .map(str::to_owned);
    let response = next.run(request).await;
    let Some(trace_id) = trace_id else {
        return response;
    };
    let Some(body) = response.extensions().get::<ErrorBody>().cloned() else {
        return response;
    };
    let (mut parts, _) = response.into_parts();
    match serde_json::to_vec(&body.with_trace_id(trace_id)) {
        Ok(json) => {
            parts.headers.remove(CONTENT_LENGTH);
            Response::from_parts(parts, json.into())
        }
        Err(_) => axum::http::StatusCode::INTERNAL_SERVER_ERROR.into_response(),
    }
}
