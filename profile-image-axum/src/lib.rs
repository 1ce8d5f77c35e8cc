//! [axum] integration of [`profile_image`]: the endpoint's upload, its errors and its
//! normalization, so that a handler is a few lines.
//!
//! - [`ImageUpload`] extracts the multipart field `image` with a streaming size cap (refused with
//!   the core's `image.file_too_large`), keeping the part's file name and Content-Type as the
//!   declaration the core checks;
//! - [`ApiError`] answers every error, the core's and the service's own, with its status and the
//!   spec's error body, and [`trace_errors`] fills its `traceId`;
//! - [`Normalizer`] runs the CPU-bound normalization on tokio's blocking pool, as many at once as
//!   a memory budget allows ([`Normalizer::memory_per_call`]).
//!
//! ```no_run
//! use axum::{extract::State, http::header, response::IntoResponse, routing::put, Router};
//! use profile_image::Options;
//! use profile_image_axum::{trace_errors, ApiError, ImageUpload, Normalizer};
//!
//! async fn upload(State(normalizer): State<Normalizer>, image: ImageUpload) -> Result<impl IntoResponse, ApiError> {
//!     let jpeg = normalizer.normalize(image).await?;
//!     Ok(([(header::CONTENT_TYPE, jpeg.mime_type())], jpeg.into_bytes()))
//! }
//!
//! # async fn run() -> std::io::Result<()> {
//! let normalizer = Normalizer::new(Options::default(), 1 << 30); // a 1 GiB budget: 3 at once
//! let app = Router::new()
//!     .route("/avatar", put(upload))
//!     .layer(axum::middleware::from_fn(trace_errors))
//!     .with_state(normalizer);
//! let listener = tokio::net::TcpListener::bind("127.0.0.1:8080").await?;
//! axum::serve(listener, app).await
//! # }
//! ```
//!
//! The reference server of the whole endpoint (`PUT /v1/customers/{customerId}/images`, with API
//! keys, scopes, rate limits, conditional requests and expiring image URLs) is the `server`
//! example: `cargo run --release -p profile-image-axum --example server`.

#![forbid(unsafe_code)]
#![warn(missing_docs)]

mod error;
mod normalizer;
mod trace;
mod upload;

pub use error::ApiError;
pub use normalizer::Normalizer;
pub use trace::{trace_errors, TRACE_ID_HEADER};
pub use upload::ImageUpload;
