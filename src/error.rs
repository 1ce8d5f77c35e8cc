//! Validation errors in the shape of the endpoint's error body.
//!
//! Every condition has a stable [`ErrorCode`] (the spec's `errorCode`, a translation key), typed
//! arguments whose types are the spec's `typedArgs` enumeration, the multipart field `image` as
//! `reference`, and an English message rendered from the arguments. The decoder's own error text
//! never reaches the message: it is kept as [`std::error::Error::source`] for logs.

use std::error::Error as StdError;
use std::fmt;

/// The multipart field every error refers to (the spec's `reference`).
pub const REFERENCE: &str = "image";

/// Who is at fault, which decides the HTTP status.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Fault {
    /// The upload is bad: answer 400 with the error body.
    Client,
    /// This service failed (a bug, or options the integrator got wrong): answer 500.
    Internal,
}

/// A stable code for each condition; [`ErrorCode::as_str`] is the spec's `errorCode`.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// `image.empty`: the upload has no bytes.
    Empty,
    /// `image.file_too_large`: more bytes than [`Limits::max_input_bytes`](crate::Limits).
    FileTooLarge,
    /// `image.unsupported_type`: the content is not JPEG or PNG (names what it is).
    UnsupportedType,
    /// `image.extension_not_allowed`: the declared file name does not end in .jpg, .jpeg or .png.
    ExtensionNotAllowed,
    /// `image.declared_type_mismatch`: the declared name or Content-Type disagrees with the content.
    DeclaredTypeMismatch,
    /// `image.dimensions_too_large`: width or height above the limit.
    DimensionsTooLarge,
    /// `image.too_many_pixels`: width times height above the limit.
    TooManyPixels,
    /// `image.memory_limit_exceeded`: decoding would need more memory than the limit.
    MemoryLimitExceeded,
    /// `image.too_many_scans`: a progressive JPEG with more scans than the limit.
    TooManyScans,
    /// `image.zero_dimensions`: the header declares a zero width or height.
    ZeroDimensions,
    /// `image.truncated`: the data ends before the image is complete.
    Truncated,
    /// `image.corrupt`: the data is malformed (bad Huffman code, CRC mismatch, bad chunk, ...).
    Corrupt,
    /// `image.unsupported_encoding`: a valid file using a feature the decoder cannot read.
    UnsupportedEncoding,
    /// `image.invalid_options`: the caller's [`Options`](crate::Options) are out of range.
    InvalidOptions,
    /// `image.internal_error`: an unexpected failure inside the pipeline.
    Internal,
}

impl ErrorCode {
    /// Every code, in documentation order.
    pub const ALL: [ErrorCode; 15] = [
        ErrorCode::Empty,
        ErrorCode::FileTooLarge,
        ErrorCode::UnsupportedType,
        ErrorCode::ExtensionNotAllowed,
        ErrorCode::DeclaredTypeMismatch,
        ErrorCode::DimensionsTooLarge,
        ErrorCode::TooManyPixels,
        ErrorCode::MemoryLimitExceeded,
        ErrorCode::TooManyScans,
        ErrorCode::ZeroDimensions,
        ErrorCode::Truncated,
        ErrorCode::Corrupt,
        ErrorCode::UnsupportedEncoding,
        ErrorCode::InvalidOptions,
        ErrorCode::Internal,
    ];

    /// The translation key sent as `errorCode`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::Empty => "image.empty",
            ErrorCode::FileTooLarge => "image.file_too_large",
            ErrorCode::UnsupportedType => "image.unsupported_type",
            ErrorCode::ExtensionNotAllowed => "image.extension_not_allowed",
            ErrorCode::DeclaredTypeMismatch => "image.declared_type_mismatch",
            ErrorCode::DimensionsTooLarge => "image.dimensions_too_large",
            ErrorCode::TooManyPixels => "image.too_many_pixels",
            ErrorCode::MemoryLimitExceeded => "image.memory_limit_exceeded",
            ErrorCode::TooManyScans => "image.too_many_scans",
            ErrorCode::ZeroDimensions => "image.zero_dimensions",
            ErrorCode::Truncated => "image.truncated",
            ErrorCode::Corrupt => "image.corrupt",
            ErrorCode::UnsupportedEncoding => "image.unsupported_encoding",
            ErrorCode::InvalidOptions => "image.invalid_options",
            ErrorCode::Internal => "image.internal_error",
        }
    }

    /// Whose fault the condition is.
    pub const fn fault(self) -> Fault {
        match self {
            ErrorCode::InvalidOptions | ErrorCode::Internal => Fault::Internal,
            _ => Fault::Client,
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// The spec's `typedArgs` types, serialised with the spec's upper-case names.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "SCREAMING_SNAKE_CASE"))]
#[allow(missing_docs)] // each variant is the spec's name, nothing more to say
pub enum ArgType {
    Timestamp,
    Boolean,
    Date,
    MonthDay,
    Time,
    Term,
    TermList,
    Integer,
    Decimal,
    String,
    Money,
    LimitableConfigProperty,
    I18nKey,
    I18nKeyList,
    PermissionList,
    Enum,
    AvailabilityList,
}

impl ArgType {
    /// All 17 types, in the spec's order.
    pub const ALL: [ArgType; 17] = [
        ArgType::Timestamp,
        ArgType::Boolean,
        ArgType::Date,
        ArgType::MonthDay,
        ArgType::Time,
        ArgType::Term,
        ArgType::TermList,
        ArgType::Integer,
        ArgType::Decimal,
        ArgType::String,
        ArgType::Money,
        ArgType::LimitableConfigProperty,
        ArgType::I18nKey,
        ArgType::I18nKeyList,
        ArgType::PermissionList,
        ArgType::Enum,
        ArgType::AvailabilityList,
    ];

    /// The spec's name for the type, e.g. `TERM_LIST`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ArgType::Timestamp => "TIMESTAMP",
            ArgType::Boolean => "BOOLEAN",
            ArgType::Date => "DATE",
            ArgType::MonthDay => "MONTH_DAY",
            ArgType::Time => "TIME",
            ArgType::Term => "TERM",
            ArgType::TermList => "TERM_LIST",
            ArgType::Integer => "INTEGER",
            ArgType::Decimal => "DECIMAL",
            ArgType::String => "STRING",
            ArgType::Money => "MONEY",
            ArgType::LimitableConfigProperty => "LIMITABLE_CONFIG_PROPERTY",
            ArgType::I18nKey => "I18N_KEY",
            ArgType::I18nKeyList => "I18N_KEY_LIST",
            ArgType::PermissionList => "PERMISSION_LIST",
            ArgType::Enum => "ENUM",
            ArgType::AvailabilityList => "AVAILABILITY_LIST",
        }
    }
}

/// The value of one argument.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(untagged))]
#[non_exhaustive]
pub enum ArgValue {
    /// A whole number (`INTEGER`).
    Integer(u64),
    /// A text (`STRING`, `TERM`, `ENUM`).
    Text(String),
    /// A list of texts (`TERM_LIST`).
    List(Vec<String>),
}

impl From<u64> for ArgValue {
    fn from(value: u64) -> Self {
        ArgValue::Integer(value)
    }
}

impl From<&str> for ArgValue {
    fn from(value: &str) -> Self {
        ArgValue::Text(value.to_string())
    }
}

impl From<String> for ArgValue {
    fn from(value: String) -> Self {
        ArgValue::Text(value)
    }
}

impl From<Vec<String>> for ArgValue {
    fn from(value: Vec<String>) -> Self {
        ArgValue::List(value)
    }
}

impl fmt::Display for ArgValue {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ArgValue::Integer(n) => write!(f, "{n}"),
            ArgValue::Text(s) => f.write_str(s),
            ArgValue::List(items) => f.write_str(&items.join(", ")),
        }
    }
}

/// One entry of `typedArgs`: `{ "value": ..., "type": ... }`.
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
pub struct TypedArg {
    /// The value.
    pub value: ArgValue,
    /// The spec's type of the value.
    #[cfg_attr(feature = "serde", serde(rename = "type"))]
    pub arg_type: ArgType,
}

impl TypedArg {
    /// An argument of the given type: `TypedArg::new(3u64, ArgType::Integer)`.
    pub fn new(value: impl Into<ArgValue>, arg_type: ArgType) -> Self {
        TypedArg {
            value: value.into(),
            arg_type,
        }
    }
}

/// A rejected upload or a failed normalization.
///
/// Display prints the English message; [`ValidationError::code`] is the stable key to branch on,
/// [`ValidationError::http_status`] the status to answer with and [`ValidationError::body`] the
/// spec's error body.
///
/// ```
/// use profile_image::{ArgValue, ErrorCode, Fault};
///
/// let png_header_only = b"\x89PNG\r\n\x1a\n";
/// let error = profile_image::normalize_profile_image(png_header_only).unwrap_err();
/// assert_eq!(error.code(), ErrorCode::Truncated);
/// assert_eq!(error.code().as_str(), "image.truncated");
/// assert_eq!(error.fault(), Fault::Client);
/// assert_eq!(error.http_status(), 400);
/// assert_eq!(error.typed_args()[0].value, ArgValue::Text("PNG".into()));
/// assert_eq!(error.to_string(), "the PNG data ends before the image is complete");
///
/// // What a service sends: the body, with the status above.
/// let body = error.body();
/// assert_eq!((body.error_code.as_str(), body.reference.as_deref()), ("image.truncated", Some("image")));
/// ```
pub struct ValidationError {
    code: ErrorCode,
    args: Vec<TypedArg>,
    message: String,
    source: Option<Box<dyn StdError + Send + Sync + 'static>>,
}

impl ValidationError {
    fn new(code: ErrorCode, args: Vec<TypedArg>, message: String) -> Self {
        ValidationError {
            code,
            args,
            message,
            source: None,
        }
    }

    pub(crate) fn with_source(mut self, source: impl StdError + Send + Sync + 'static) -> Self {
        self.source = Some(Box::new(source));
        self
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// Whether the client (400) or this service (500) is at fault.
    pub fn fault(&self) -> Fault {
        self.code.fault()
    }

    /// The HTTP status to answer with: 400 for a bad upload, 500 for an internal failure.
    pub fn http_status(&self) -> u16 {
        match self.fault() {
            Fault::Client => 400,
            Fault::Internal => 500,
        }
    }

    /// The typed arguments, in the order the message uses them.
    pub fn typed_args(&self) -> &[TypedArg] {
        &self.args
    }

    /// The spec's `reference`: always the multipart field `image`.
    pub fn reference(&self) -> &'static str {
        REFERENCE
    }

    /// The English message (lower-case, no trailing period), rendered from the arguments.
    pub fn message(&self) -> &str {
        &self.message
    }

    /// The error body in the spec's JSON shape (with the `serde` feature it serialises exactly).
    pub fn body(&self) -> ErrorBody {
        ErrorBody {
            error_message: self.message.clone(),
            error_code: self.code.as_str().to_string(),
            trace_id: None,
            args: self.args.iter().map(|a| a.value.clone()).collect(),
            typed_args: self.args.clone(),
            reference: Some(REFERENCE.to_string()),
        }
    }

    // Constructors, one per condition. The message wording is a contract (tests freeze it).

    pub(crate) fn empty() -> Self {
        Self::new(ErrorCode::Empty, vec![], "the uploaded image is empty".into())
    }

    pub(crate) fn file_too_large(size: u64, limit: u64) -> Self {
        Self::new(
            ErrorCode::FileTooLarge,
            vec![int(size), int(limit)],
            format!("the uploaded image is {size} bytes, more than the limit of {limit} bytes"),
        )
    }

    pub(crate) fn unsupported_type(detected: &str) -> Self {
        Self::new(
            ErrorCode::UnsupportedType,
            vec![term(detected), supported_types()],
            format!(
                "the uploaded file is {detected}, which is not supported; \
                 supported types are image/jpeg and image/png"
            ),
        )
    }

    pub(crate) fn extension_not_allowed(file_name: &str, extension: &str) -> Self {
        let shown = if extension.is_empty() {
            "no extension".to_string()
        } else {
            format!("the extension .{extension}")
        };
        Self::new(
            ErrorCode::ExtensionNotAllowed,
            vec![
                text(ArgType::String, file_name),
                text(ArgType::String, extension),
                list(&[".jpg", ".jpeg", ".png"]),
            ],
            format!("the file name \"{file_name}\" has {shown}; allowed extensions are .jpg, .jpeg and .png"),
        )
    }

    pub(crate) fn declared_type_mismatch(declared_by: Declaration, declared: &str, detected: &str) -> Self {
        Self::new(
            ErrorCode::DeclaredTypeMismatch,
            vec![
                text(ArgType::Enum, declared_by.as_enum()),
                text(ArgType::String, declared),
                text(ArgType::String, detected),
            ],
            format!(
                "the upload's {} declares {declared} but its content is {detected}",
                declared_by.as_words()
            ),
        )
    }

    pub(crate) fn dimensions_too_large(width: u32, height: u32, max_width: u32, max_height: u32) -> Self {
        Self::new(
            ErrorCode::DimensionsTooLarge,
            vec![
                int(width.into()),
                int(height.into()),
                int(max_width.into()),
                int(max_height.into()),
            ],
            format!(
                "the image is {width}x{height} pixels, larger than the limit of {max_width}x{max_height}"
            ),
        )
    }

    pub(crate) fn too_many_pixels(pixels: u64, limit: u64) -> Self {
        Self::new(
            ErrorCode::TooManyPixels,
            vec![int(pixels), int(limit)],
            format!("the image has {pixels} pixels, more than the limit of {limit}"),
        )
    }

    pub(crate) fn memory_limit_exceeded(needed: u64, limit: u64) -> Self {
        Self::new(
            ErrorCode::MemoryLimitExceeded,
            vec![int(needed), int(limit)],
            format!(
                "decoding the image would need {needed} bytes of memory, more than the limit of {limit} bytes"
            ),
        )
    }

    pub(crate) fn too_many_scans(scans: u32, limit: u32) -> Self {
        Self::new(
            ErrorCode::TooManyScans,
            vec![int(scans.into()), int(limit.into())],
            format!("the JPEG has {scans} scans, more than the limit of {limit}"),
        )
    }

    pub(crate) fn zero_dimensions(width: u32, height: u32) -> Self {
        Self::new(
            ErrorCode::ZeroDimensions,
            vec![int(width.into()), int(height.into())],
            format!("the image declares a size of {width}x{height} pixels"),
        )
    }

    pub(crate) fn truncated(format: &str) -> Self {
        Self::new(
            ErrorCode::Truncated,
            vec![term(format)],
            format!("the {format} data ends before the image is complete"),
        )
    }

    pub(crate) fn corrupt(format: &str) -> Self {
        Self::new(
            ErrorCode::Corrupt,
            vec![term(format)],
            format!("the {format} data is corrupt"),
        )
    }

    pub(crate) fn unsupported_encoding(format: &str, feature: &str) -> Self {
        Self::new(
            ErrorCode::UnsupportedEncoding,
            vec![term(format), text(ArgType::String, feature)],
            format!("the {format} uses {feature}, which is not supported"),
        )
    }

    pub(crate) fn invalid_options(reason: &str) -> Self {
        Self::new(
            ErrorCode::InvalidOptions,
            vec![text(ArgType::String, reason)],
            format!("the normalization options are invalid: {reason}"),
        )
    }

    pub(crate) fn internal(stage: &str) -> Self {
        Self::new(
            ErrorCode::Internal,
            vec![text(ArgType::String, stage)],
            format!("the image could not be processed because of an internal error in {stage}"),
        )
    }
}

/// Which part of the upload's declaration disagreed with its content.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Declaration {
    FileName,
    ContentType,
}

impl Declaration {
    fn as_enum(self) -> &'static str {
        match self {
            Declaration::FileName => "FILE_NAME",
            Declaration::ContentType => "CONTENT_TYPE",
        }
    }

    fn as_words(self) -> &'static str {
        match self {
            Declaration::FileName => "file name",
            Declaration::ContentType => "content type",
        }
    }
}

fn int(value: u64) -> TypedArg {
    TypedArg {
        value: ArgValue::Integer(value),
        arg_type: ArgType::Integer,
    }
}

fn term(value: &str) -> TypedArg {
    text(ArgType::Term, value)
}

fn text(arg_type: ArgType, value: &str) -> TypedArg {
    TypedArg {
        value: ArgValue::Text(value.to_string()),
        arg_type,
    }
}

fn list(values: &[&str]) -> TypedArg {
    TypedArg {
        value: ArgValue::List(values.iter().map(|s| s.to_string()).collect()),
        arg_type: ArgType::TermList,
    }
}

fn supported_types() -> TypedArg {
    list(&["image/jpeg", "image/png"])
}

impl fmt::Display for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl fmt::Debug for ValidationError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut d = f.debug_struct("ValidationError");
        d.field("code", &self.code.as_str())
            .field("message", &self.message);
        if let Some(source) = &self.source {
            d.field("source", &format_args!("{source}"));
        }
        d.finish()
    }
}

impl StdError for ValidationError {
    fn source(&self) -> Option<&(dyn StdError + 'static)> {
        self.source.as_deref().map(|s| s as &(dyn StdError + 'static))
    }
}

/// The error body of the spec, field for field: the crate's own errors make it with
/// [`ValidationError::body`], and a service makes its own (a missing field, 401, 404, 429...)
/// with [`ErrorBody::new`], so every answer has one shape and one type.
///
/// With the `serde` feature it serialises to
/// `{"errorMessage", "errorCode", "traceId"?, "args", "typedArgs", "reference"?}` (and
/// deserialises from it); `traceId` and `reference` are omitted while `None`.
///
/// ```
/// use profile_image::{ArgType, ErrorBody, TypedArg};
///
/// // A service's own error, in the same shape as the crate's.
/// let body = ErrorBody::new("customer.not_found", "customer 42 does not exist")
///     .with_arg(TypedArg::new(42u64, ArgType::Integer))
///     .with_reference("customerId")
///     .with_trace_id("5f1e2d");
/// assert_eq!(body.error_code, "customer.not_found");
/// assert_eq!(body.args.len(), 1);
///
/// // The crate's errors come with theirs filled in.
/// let error = profile_image::normalize_profile_image(b"").unwrap_err();
/// let body = error.body().with_trace_id("5f1e2d");
/// assert_eq!(body.error_code, "image.empty");
/// assert_eq!(body.reference.as_deref(), Some("image"));
/// assert_eq!(body.error_message, "the uploaded image is empty");
/// ```
#[derive(Clone, Debug, PartialEq, Eq)]
#[cfg_attr(feature = "serde", derive(serde::Serialize, serde::Deserialize))]
#[cfg_attr(feature = "serde", serde(rename_all = "camelCase"))]
#[non_exhaustive]
pub struct ErrorBody {
    /// The English message.
    pub error_message: String,
    /// The translation key.
    pub error_code: String,
    /// The request's trace id, for the caller to set.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub trace_id: Option<String>,
    /// The argument values alone (deprecated in the spec, still sent).
    #[cfg_attr(feature = "serde", serde(default))]
    pub args: Vec<ArgValue>,
    /// The arguments with their types.
    #[cfg_attr(feature = "serde", serde(default))]
    pub typed_args: Vec<TypedArg>,
    /// What the error refers to: `image`, the multipart field, for every error of this crate.
    #[cfg_attr(feature = "serde", serde(default, skip_serializing_if = "Option::is_none"))]
    pub reference: Option<String>,
}

impl ErrorBody {
    /// A body with a translation key and a message, no arguments and no reference.
    pub fn new(error_code: impl Into<String>, error_message: impl Into<String>) -> Self {
        ErrorBody {
            error_message: error_message.into(),
            error_code: error_code.into(),
            trace_id: None,
            args: Vec::new(),
            typed_args: Vec::new(),
            reference: None,
        }
    }

    /// Appends an argument to `typedArgs`, and its value to `args`.
    pub fn with_arg(mut self, arg: TypedArg) -> Self {
        self.args.push(arg.value.clone());
        self.typed_args.push(arg);
        self
    }

    /// Sets `reference`, what the error refers to (a field, a path parameter, a header).
    pub fn with_reference(mut self, reference: impl Into<String>) -> Self {
        self.reference = Some(reference.into());
        self
    }

    /// Sets `traceId`.
    pub fn with_trace_id(mut self, trace_id: impl Into<String>) -> Self {
        self.trace_id = Some(trace_id.into());
        self
    }
}
