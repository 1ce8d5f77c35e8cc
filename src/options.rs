//! What the caller can choose: the upload's declaration, the output, and the limits.
//!
//! Every field documents its default and why it is that value: "(spec)" where the endpoint's spec
//! fixes it, "(our choice, because ...)" otherwise.

use crate::error::ValidationError;

/// One upload: its bytes and, optionally, what the client declared about them.
///
/// The spec says "Upload image with correct extension": when a file name is declared its
/// extension must be .jpg, .jpeg or .png (any case) and agree with the content; a declared
/// Content-Type must agree too. Without a declaration the magic bytes alone decide.
///
/// ```
/// use profile_image::{normalize_profile_image_with, ErrorCode, Options, Upload};
///
/// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photo-2000x1500.jpg"))?;
///
/// // The multipart part's file name and Content-Type, as the client sent them.
/// let upload = Upload::new(&bytes).with_file_name("me.JPG").with_content_type("image/jpeg");
/// assert!(normalize_profile_image_with(upload, &Options::default()).is_ok());
///
/// // A JPEG declared as a PNG is refused, whatever the bytes are.
/// let upload = Upload::new(&bytes).with_file_name("me.png");
/// let error = normalize_profile_image_with(upload, &Options::default()).unwrap_err();
/// assert_eq!(error.code(), ErrorCode::DeclaredTypeMismatch);
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug)]
#[non_exhaustive]
pub struct Upload<'a> {
    /// The uploaded bytes.
    pub bytes: &'a [u8],
    /// The multipart part's file name, if the caller wants it checked. Default: none.
    pub file_name: Option<&'a str>,
    /// The multipart part's Content-Type, if the caller wants it checked. Default: none.
    pub content_type: Option<&'a str>,
}

impl<'a> Upload<'a> {
    /// An upload with no declaration: sniffing alone decides.
    pub fn new(bytes: &'a [u8]) -> Self {
        Upload {
            bytes,
            file_name: None,
            content_type: None,
        }
    }

    /// Declares the client's file name (checked for an allowed extension matching the content).
    pub fn with_file_name(mut self, file_name: &'a str) -> Self {
        self.file_name = Some(file_name);
        self
    }

    /// Declares the client's Content-Type (checked against the content).
    pub fn with_content_type(mut self, content_type: &'a str) -> Self {
        self.content_type = Some(content_type);
        self
    }
}

impl<'a> From<&'a [u8]> for Upload<'a> {
    fn from(bytes: &'a [u8]) -> Self {
        Upload::new(bytes)
    }
}

/// Chroma subsampling of the output JPEG.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ChromaSubsampling {
    /// Full-resolution chroma: largest files, sharpest coloured edges.
    Yuv444,
    /// Chroma halved horizontally.
    Yuv422,
    /// Chroma halved both ways: what cameras and browsers use for photos.
    Yuv420,
}

impl ChromaSubsampling {
    /// Pixels per chroma sample, across and down.
    pub(crate) const fn factors(self) -> (u32, u32) {
        match self {
            ChromaSubsampling::Yuv444 => (1, 1),
            ChromaSubsampling::Yuv422 => (2, 1),
            ChromaSubsampling::Yuv420 => (2, 2),
        }
    }
}

/// Which part of the picture the cover crop keeps when the aspect ratios differ.
///
/// Directions are those of the upright (displayed) picture, after EXIF orientation.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum CropAnchor {
    /// Keep the centre.
    Center,
    /// Keep the top edge (portraits: keeps heads).
    Top,
    /// Keep the bottom edge.
    Bottom,
    /// Keep the left edge.
    Left,
    /// Keep the right edge.
    Right,
}

impl CropAnchor {
    /// The anchor as fractions (x, y) of the free space to leave before the crop box.
    pub(crate) fn fractions(self) -> (f64, f64) {
        match self {
            CropAnchor::Center => (0.5, 0.5),
            CropAnchor::Top => (0.5, 0.0),
            CropAnchor::Bottom => (0.5, 1.0),
            CropAnchor::Left => (0.0, 0.5),
            CropAnchor::Right => (1.0, 0.5),
        }
    }
}

/// What to do with a JPEG or PNG whose data ends early or breaks off.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum DamagedInput {
    /// Refuse it with `image.truncated` or `image.corrupt`.
    Reject,
    /// Keep what decodes. A JPEG's missing part comes out grey; a PNG's missing rows are zero
    /// (black, or transparent and so the background when the PNG has alpha).
    AcceptPartial,
}

/// Limits checked against the file's header before any pixel memory is allocated.
///
/// All limits are strict: an input over any of them is refused with its own error code.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Limits {
    /// Largest accepted upload in bytes. Default: 64 MiB (our choice: over five times the largest
    /// input the benchmarks measure, a 9 MP RGBA PNG photo of 12.7 MB, and over 14 times their
    /// 20 MP JPEG, while no profile picture needs more). A service streaming the upload refuses
    /// a longer one before buffering it with [`Limits::check_input_length`].
    pub max_input_bytes: usize,
    /// Largest accepted width in pixels. Default: 32768 (our choice, because panoramas from
    /// phones stay below it; JPEG allows 65535).
    pub max_width: u32,
    /// Largest accepted height in pixels. Default: 32768 (our choice, as `max_width`).
    pub max_height: u32,
    /// Largest accepted width times height. Default: 200 000 000 (our choice, because the
    /// largest phone sensors write 200 MP photos).
    pub max_pixels: u64,
    /// Largest amount of memory the decode and the later stages may need, estimated from the
    /// header (decoded planes, progressive coefficients, output buffer, resizer buffers, one copy
    /// of the input). Default: 256 MiB (our choice, because it accepts square baseline JPEGs up
    /// to `max_pixels` thanks to DCT-domain downscaling, progressive 4:2:0 JPEGs up to about
    /// 74 MP, RGB and untagged or sRGB RGBA PNGs up to about 70 MP, while a server can run
    /// several normalizations at once; `cargo run --release --example measure` prints these
    /// sizes, and the panorama sizes that cannot be downscaled as much).
    pub max_decode_memory: usize,
    /// Largest number of scans in a JPEG. Default: 100 (our choice, because libjpeg's default
    /// progressive script writes 10 and jpeg-encoder's a handful, while each scan of a hostile
    /// progressive file costs a pass over the image).
    pub max_jpeg_scans: u32,
}

impl Limits {
    /// Refuses an upload longer than [`Limits::max_input_bytes`] with the crate's own
    /// `image.file_too_large`, before its bytes are buffered: pass a declared length (a
    /// Content-Length) or the count of the bytes streamed so far.
    ///
    /// ```
    /// use profile_image::{ErrorCode, Limits};
    ///
    /// let limits = Limits::default();
    /// assert!(limits.check_input_length(1 << 20).is_ok());
    /// let error = limits.check_input_length(70_000_000).unwrap_err();
    /// assert_eq!(error.code(), ErrorCode::FileTooLarge);
    /// assert_eq!(
    ///     error.to_string(),
    ///     "the uploaded image is 70000000 bytes, more than the limit of 67108864 bytes"
    /// );
    /// ```
    ///
    /// # Errors
    /// `image.file_too_large` with the length and the limit as arguments.
    pub fn check_input_length(&self, length: u64) -> Result<(), ValidationError> {
        let limit = self.max_input_bytes as u64;
        if length > limit {
            return Err(ValidationError::file_too_large(length, limit));
        }
        Ok(())
    }

    /// The most heap one normalization call allocates under these limits, in bytes:
    /// `max_decode_memory + 1 MiB`. The first term bounds everything sized by the picture (it
    /// is what the header is checked against); the 1 MiB covers the decoders' tables and row
    /// buffers, which do not grow with the picture. The upload's own bytes, which the caller
    /// holds, are not included.
    ///
    /// A service sizes its concurrency from it: a call whose caller holds the upload in one
    /// buffer costs at most `max_input_bytes` plus this bound, so
    /// `budget / (max_input_bytes + peak_heap_bound())` calls fit in a memory budget at once (a
    /// service that buffers the upload otherwise adds what that costs). `tests/memory.rs` checks the bound with a counting allocator, at the
    /// largest inputs each limit accepts.
    ///
    /// ```
    /// let limits = profile_image::Limits::default();
    /// assert_eq!(limits.peak_heap_bound(), (256 << 20) + (1 << 20));
    /// let budget = 1usize << 30;
    /// assert_eq!(budget / (limits.max_input_bytes + limits.peak_heap_bound()), 3);
    /// ```
    pub fn peak_heap_bound(&self) -> usize {
        self.max_decode_memory.saturating_add(1 << 20)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_input_bytes: 64 << 20,
            max_width: 32768,
            max_height: 32768,
            max_pixels: 200_000_000,
            max_decode_memory: 256 << 20,
            max_jpeg_scans: 100,
        }
    }
}

/// How to normalize. `Options::default()` is the spec's endpoint.
///
/// The struct is `#[non_exhaustive]`: start from the default and change the fields you need.
///
/// ```
/// use profile_image::{normalize_profile_image_with, ChromaSubsampling, CropAnchor, Options, Upload};
///
/// let mut options = Options::default();
/// options.width = 400;
/// options.height = 300;
/// options.quality = 90;
/// options.subsampling = ChromaSubsampling::Yuv444;
/// options.anchor = CropAnchor::Top; // portraits: keep the heads
/// options.limits.max_input_bytes = 20 << 20;
///
/// let bytes = std::fs::read(concat!(env!("CARGO_MANIFEST_DIR"), "/fixtures/photo-2000x1500.jpg"))?;
/// let jpeg = normalize_profile_image_with(Upload::new(&bytes), &options)?;
/// assert_eq!((jpeg.width(), jpeg.height()), (400, 300));
/// # Ok::<(), Box<dyn std::error::Error>>(())
/// ```
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct Options {
    /// Output width in pixels, 1 to 65535. Default: 1200 (spec: "rescaled (1200x1200)").
    pub width: u32,
    /// Output height in pixels, 1 to 65535. Default: 1200 (spec).
    pub height: u32,
    /// JPEG quality, 1 to 100. Default: 85 (our choice, because it is the usual setting of image
    /// services for photos at this size: visually close to the source at a fraction of the bytes
    /// of 95).
    pub quality: u8,
    /// Chroma subsampling. Default: [`ChromaSubsampling::Yuv420`] (our choice, because it is what
    /// cameras and browsers use for photos, and colour detail is what eyes resolve least).
    pub subsampling: ChromaSubsampling,
    /// Write optimised Huffman tables. Default: false (our choice, because jpeg-encoder, which
    /// writes the outputs of sources other than plain YCbCr and gray JPEGs, writes optimised
    /// files as one scan per component, and zune-jpeg, the JPEG decoder of the `image` crate,
    /// decodes such baseline files wrongly; the crate's own encoder keeps the single interleaved
    /// scan, which reads correctly everywhere. The tables save 1 to 6% of the bytes; see the
    /// README).
    pub optimize_huffman: bool,
    /// The colour transparent pixels are composited onto, as sRGB. Default: white
    /// `[255, 255, 255]` (our choice, because a transparent logo must never turn black).
    pub background: [u8; 3],
    /// What the cover crop keeps. Default: [`CropAnchor::Center`] (spec says only "rescaled";
    /// centre is what every image server does by default).
    pub anchor: CropAnchor,
    /// Truncated or corrupt data. Default: [`DamagedInput::Reject`] (our choice, because a
    /// picture with a grey half is worse than asking the user to upload again).
    pub damaged_input: DamagedInput,
    /// Limits checked before decoding. Default: [`Limits::default`].
    pub limits: Limits,
    /// Decode large JPEGs at 1/2, 1/4 or 1/8 in the DCT domain when that still covers the
    /// target. Always on; off only through the `fuzzing` feature, to compare the two paths.
    pub(crate) shrink_on_load: bool,
    /// Where the colour conversion runs, overriding the plan's rule; only through the `stages`
    /// feature, to measure the two orders against each other.
    pub(crate) colour_at: Option<crate::plan::ColourAt>,
    /// Hand a YCbCr or gray JPEG to the resizer as its component planes where the plan allows.
    /// Always on; off only through the `stages` feature, to compare the planar path with the
    /// RGB one.
    pub(crate) planar: bool,
}

impl Default for Options {
    fn default() -> Self {
        Options {
            width: 1200,
            height: 1200,
            quality: 85,
            subsampling: ChromaSubsampling::Yuv420,
            optimize_huffman: false,
            background: [255, 255, 255],
            anchor: CropAnchor::Center,
            damaged_input: DamagedInput::Reject,
            limits: Limits::default(),
            shrink_on_load: true,
            colour_at: None,
            planar: true,
        }
    }
}

impl Options {
    /// Checks the ranges the encoder needs; the caller's mistake is an internal (500) error.
    pub(crate) fn validate(&self) -> Result<(), ValidationError> {
        if !(1..=u32::from(u16::MAX)).contains(&self.width)
            || !(1..=u32::from(u16::MAX)).contains(&self.height)
        {
            return Err(ValidationError::invalid_options(
                "width and height must be between 1 and 65535",
            ));
        }
        if !(1..=100).contains(&self.quality) {
            return Err(ValidationError::invalid_options(
                "quality must be between 1 and 100",
            ));
        }
        Ok(())
    }
}
