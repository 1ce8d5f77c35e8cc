//! The `image` field of a multipart request, read with a streaming size cap.

use axum::body::Bytes;
use axum::extract::{FromRef, FromRequest, Request};
use axum::http::header::{CONTENT_LENGTH, CONTENT_TYPE};
use axum::http::StatusCode;
use profile_image::{ArgType, ErrorBody, Limits, TypedArg, Upload, REFERENCE};
use tokio::sync::OwnedSemaphorePermit;

use crate::{ApiError, Normalizer};

/// What a form adds to its image in a request that is not refused from its Content-Length alone:
/// boundaries, part headers and small text fields.
const FORM_ALLOWANCE: u64 = 64 << 10;

/// The multipart field `image` of a request, with the part's file name and Content-Type as the
/// client's declaration, which [`Normalizer::normalize`] checks against the content.
///
/// As an extractor it needs a [`Normalizer`] in the router's state (`FromRef`). It waits for a
/// normalization turn before reading the body, so at most [`Normalizer::concurrency`] uploads are
/// in memory at once, and reads the body as a stream within [`Normalizer::read_timeout`]. A
/// request whose Content-Length is over `max_input_bytes` plus 64 KiB of form is read without
/// keeping a byte of it; otherwise the field is kept while it is within `max_input_bytes`, and
/// past that it is dropped and the rest counted. Either way the request is refused with the core's
/// `image.file_too_large`, carrying the field's exact size when the body ends within twice the
/// limit plus 1 MiB, where reading stops (the count so far then). Other fields are read and
/// dropped. Reading the rest of a refused body, rather than closing the connection, lets every
/// client read the answer.
///
/// Rejections, all in the spec's error body with `reference` `image`:
/// - `request.not_multipart` (400): the Content-Type is not multipart/form-data with a boundary;
/// - `request.malformed_multipart` (400): the body is not valid multipart, or ends early;
/// - `request.field_missing` (400): no field named `image`;
/// - `request.field_repeated` (400): more than one field named `image`;
/// - `request.too_large` (400): an image within the limit in a body much longer than it, or a
///   body past the read limit before the image;
/// - `request.timeout` (408): the body did not arrive within the read timeout;
/// - `image.file_too_large` (400): the field is longer than the limit.
pub struct ImageUpload {
    bytes: Bytes,
    file_name: Option<String>,
    content_type: Option<String>,
    // Held from before the body is read until the upload is dropped after its normalization.
    pub(crate) turn: Option<OwnedSemaphorePermit>,
}

impl std::fmt::Debug for ImageUpload {
    // The bytes are shown by their length: a log line must not print megabytes.
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ImageUpload")
            .field("len", &self.bytes.len())
            .field("file_name", &self.file_name)
            .field("content_type", &self.content_type)
            .finish_non_exhaustive()
    }
}

impl ImageUpload {
    /// An upload that did not come through the extractor (a test, another transport).
    pub fn new(bytes: impl Into<Bytes>) -> Self {
        ImageUpload {
            bytes: bytes.into(),
            file_name: None,
            content_type: None,
            turn: None,
        }
    }

    /// Declares the file name.
    pub fn with_file_name(mut self, file_name: impl Into<String>) -> Self {
        self.file_name = Some(file_name.into());
        self
    }

    /// Declares the Content-Type.
    pub fn with_content_type(mut self, content_type: impl Into<String>) -> Self {
        self.content_type = Some(content_type.into());
        self
    }

    /// The field's bytes.
    pub fn bytes(&self) -> &Bytes {
        &self.bytes
    }

    /// The part's file name, as sent.
    pub fn file_name(&self) -> Option<&str> {
        self.file_name.as_deref()
    }

    /// The part's Content-Type, as sent.
    pub fn content_type(&self) -> Option<&str> {
        self.content_type.as_deref()
    }

    /// The core's view of the upload: its bytes and its declaration.
    pub fn as_upload(&self) -> Upload<'_> {
        let mut upload = Upload::new(&self.bytes);
        if let Some(name) = &self.file_name {
            upload = upload.with_file_name(name);
        }
        if let Some(content_type) = &self.content_type {
            upload = upload.with_content_type(content_type);
        }
        upload
    }
}

impl<S> FromRequest<S> for ImageUpload
where
    S: Send + Sync,
    Normalizer: FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request(request: Request, state: &S) -> Result<Self, ApiError> {
        let normalizer = Normalizer::from_ref(state);
        let boundary = request
            .headers()
            .get(CONTENT_TYPE)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| multer::parse_boundary(value).ok())
            .ok_or_else(|| {
                bad_request(
                    "request.not_multipart",
                    "the request is not multipart/form-data with a boundary",
                )
            })?;
        let limits = normalizer.options().limits;
        let max = limits.max_input_bytes as u64;
        // A body declared too long for any accepted image is counted, never kept.
        let keep = request
            .headers()
            .get(CONTENT_LENGTH)
            .and_then(|value| value.to_str().ok()?.parse::<u64>().ok())
            .is_none_or(|declared| declared <= max.saturating_add(FORM_ALLOWANCE));
        // Reading stops here, headers and boundaries included: the parser buffers at most this.
        let stop_at = read_limit(max);
        let constraints =
            multer::Constraints::new().size_limit(multer::SizeLimit::new().whole_stream(stop_at));
        let multipart = multer::Multipart::with_constraints(
            request.into_body().into_data_stream(),
            boundary,
            constraints,
        );

        let turn = normalizer.turn().await?;
        let read = read_image(multipart, &limits, keep);
        let mut image = match tokio::time::timeout(normalizer.read_timeout(), read).await {
            Ok(image) => image?,
            Err(_) => {
                return Err(ApiError::new(
                    StatusCode::REQUEST_TIMEOUT,
                    ErrorBody::new(
                        "request.timeout",
                        format!(
                            "the request body was not received within {} seconds",
                            normalizer.read_timeout().as_secs()
                        ),
                    )
                    .with_arg(TypedArg::new(
                        normalizer.read_timeout().as_secs(),
                        ArgType::Integer,
                    ))
                    .with_reference(REFERENCE),
                ))
            }
        };
        image.turn = Some(turn);
        Ok(image)
    }
}

/// The most bytes of a request body read, headers and boundaries included: twice the limit plus
/// 1 MiB, enough to count an over-long image exactly in all but hostile requests.
fn read_limit(max_input_bytes: u64) -> u64 {
    max_input_bytes.saturating_mul(2).saturating_add(1 << 20)
}

/// Reads the form to its end, keeping the field `image` (when `keep`, and while within the limit).
async fn read_image(
    mut multipart: multer::Multipart<'static>,
    limits: &Limits,
    keep: bool,
) -> Result<ImageUpload, ApiError> {
    let max = limits.max_input_bytes as u64;
    let mut image: Option<ImageUpload> = None;
    while let Some(mut field) = multipart.next_field().await.map_err(malformed)? {
        let is_image = field.name() == Some(REFERENCE);
        if is_image && image.is_some() {
            return Err(bad_request(
                "request.field_repeated",
                "the multipart field image is sent more than once",
            ));
        }
        let file_name = field.file_name().map(str::to_owned);
        let content_type = field.content_type().map(|mime| mime.to_string());
        let mut chunks: Vec<Bytes> = Vec::new();
        let mut size: u64 = 0;
        loop {
            let chunk = match field.chunk().await {
                Ok(Some(chunk)) => chunk,
                Ok(None) => break,
                Err(error) => {
                    // Reading stopped at the read limit: the image's count so far is a lower
                    // bound of its size, enough to refuse it.
                    if is_image && matches!(error, multer::Error::StreamSizeExceeded { .. }) {
                        limits.check_input_length(size)?;
                    }
                    return Err(malformed(error));
                }
            };
            size += chunk.len() as u64;
            if keep && is_image && size <= max {
                chunks.push(chunk);
            } else if !chunks.is_empty() {
                // Over the cap: drop what was kept and count the rest without keeping it.
                chunks = Vec::new();
            }
        }
        if is_image {
            limits.check_input_length(size)?;
            if !keep {
                return Err(too_large());
            }
            image = Some(ImageUpload {
                bytes: join(chunks, size as usize),
                file_name,
                content_type,
                turn: None,
            });
        }
    }
    image.ok_or_else(|| bad_request("request.field_missing", "the multipart field image is missing"))
}

/// One buffer of the chunks, allocated once at its final size.
fn join(chunks: Vec<Bytes>, size: usize) -> Bytes {
    if chunks.len() == 1 {
        return chunks.into_iter().next().unwrap_or_default();
    }
    let mut bytes = Vec::with_capacity(size);
    for chunk in chunks {
        bytes.extend_from_slice(&chunk);
    }
    Bytes::from(bytes)
}

fn too_large() -> ApiError {
    bad_request(
        "request.too_large",
        "the request body is longer than its image may be plus 64 KiB of form",
    )
}

fn bad_request(code: &str, message: &str) -> ApiError {
    ApiError::new(
        StatusCode::BAD_REQUEST,
        ErrorBody::new(code, message).with_reference(REFERENCE),
    )
}

fn malformed(error: multer::Error) -> ApiError {
    if matches!(error, multer::Error::StreamSizeExceeded { .. }) {
        return too_large();
    }
    // The parser's wording is kept out of the message, as the core keeps its decoders' out.
    bad_request(
        "request.malformed_multipart",
        "the request body is not valid multipart/form-data or ends early",
    )
}
