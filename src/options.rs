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
    /// Largest accepted upload in bytes. Default: 64 MiB (our choice: over six times the 20 MP
    /// photo-like JPEG at quality 90 that the README measures, 9.7 MB, while no profile picture
    /// needs more).
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
    /// Write optimised Huffman tables. Default: false (our choice, because jpeg-encoder writes
    /// optimised files as one scan per component, and zune-jpeg, the JPEG decoder of the `image`
    /// crate, decodes such baseline files wrongly; a single interleaved scan reads correctly
    /// everywhere. The tables would save 1 to 6% of the bytes for about 6 ms more per image; see
    /// the README).
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
