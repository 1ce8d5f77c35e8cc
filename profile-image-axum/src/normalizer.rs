//! Normalization off the async executor, as many at once as a memory budget allows.

use std::sync::Arc;
use std::time::Duration;

use profile_image::{normalize_profile_image_with, Jpeg, Limits, Options};
use tokio::sync::{OwnedSemaphorePermit, Semaphore};

use crate::{ApiError, ImageUpload};

/// The options every upload is normalized with, and the permits that bound how many uploads are
/// buffered and normalized at once. Cheap to clone: put it in the router's state.
///
/// ```
/// use profile_image::Options;
/// use profile_image_axum::Normalizer;
///
/// // Default limits: a call holds at most 64 MiB of upload and 257 MiB of heap.
/// let normalizer = Normalizer::new(Options::default(), 1 << 30);
/// assert_eq!(Normalizer::memory_per_call(&Options::default().limits), (64 << 20) + (257 << 20));
/// assert_eq!(normalizer.concurrency(), 3);
/// ```
#[derive(Clone, Debug)]
pub struct Normalizer {
    options: Arc<Options>,
    permits: Arc<Semaphore>,
    concurrency: usize,
    read_timeout: Duration,
}

impl Normalizer {
    /// Normalizes with `options`, running as many calls at once as fit in `memory_budget` bytes
    /// ([`Normalizer::memory_per_call`] each), and at least one.
    pub fn new(options: Options, memory_budget: usize) -> Self {
        let concurrency = (memory_budget / Self::memory_per_call(&options.limits)).max(1);
        Self::with_concurrency(options, concurrency)
    }

    /// Normalizes with `options`, `concurrency` calls at once (at least one).
    pub fn with_concurrency(options: Options, concurrency: usize) -> Self {
        let concurrency = concurrency.clamp(1, Semaphore::MAX_PERMITS);
        Normalizer {
            options: Arc::new(options),
            permits: Arc::new(Semaphore::new(concurrency)),
            concurrency,
            read_timeout: Duration::from_secs(60),
        }
    }

    /// Sets how long the upload extractor waits for a body once it has a turn. Default: 60 s
    /// (our choice: 64 MiB at about 9 Mbit/s), so that a stalled client holds a turn no longer.
    pub fn with_read_timeout(mut self, read_timeout: Duration) -> Self {
        self.read_timeout = read_timeout;
        self
    }

    /// How long the upload extractor waits for a body once it has a turn.
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// The most memory one upload costs, from its first byte read to its JPEG, in bytes:
    /// `max_input_bytes + max(max_input_bytes + 2 MiB, peak_heap_bound)`. The upload is held while
    /// it is normalized ([`Limits::peak_heap_bound`]); before that, its chunks are joined into
    /// one buffer, which holds it twice for a moment, and the multipart parser buffers at most the
    /// body it reads (twice the limit plus 1 MiB) when a hostile body withholds its boundaries.
    pub fn memory_per_call(limits: &Limits) -> usize {
        // While reading, the parser buffers up to the read limit (twice the input limit plus
        // 1 MiB), with 1 MiB to spare: the first term counts one input limit of it.
        let reading = limits.max_input_bytes.saturating_add(2 << 20);
        limits
            .max_input_bytes
            .saturating_add(reading.max(limits.peak_heap_bound()))
    }

    /// How many uploads are read and normalized at once; the others wait for a turn before their
    /// body is read.
    pub fn concurrency(&self) -> usize {
        self.concurrency
    }

    /// The options uploads are normalized with.
    pub fn options(&self) -> &Options {
        &self.options
    }

    /// Waits for a turn; the upload extractor takes one before it reads a body.
    pub(crate) async fn turn(&self) -> Result<OwnedSemaphorePermit, ApiError> {
        Arc::clone(&self.permits)
            .acquire_owned()
            .await
            .map_err(|_| ApiError::internal("the normalization queue"))
    }

    /// Normalizes the upload on tokio's blocking pool and gives its turn back when done.
    ///
    /// # Errors
    /// The core's validation error (400, or 500 for an internal one), or a 500 if the blocking
    /// task could not run.
    pub async fn normalize(&self, mut upload: ImageUpload) -> Result<Jpeg, ApiError> {
        // An upload made by hand (not by the extractor) waits for its turn here.
        if upload.turn.is_none() {
            upload.turn = Some(self.turn().await?);
        }
        let options = Arc::clone(&self.options);
        let task = tokio::task::spawn_blocking(move || {
            normalize_profile_image_with(upload.as_upload(), &options)
            // `upload`, with its turn, is dropped here, after its memory is freed.
        });
        match task.await {
            Ok(result) => result.map_err(ApiError::from),
            Err(_) => Err(ApiError::internal("the normalization task")),
        }
    }
}
