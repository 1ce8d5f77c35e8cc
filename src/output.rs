//! The pipeline's result: a finished JPEG of the requested size and what was learned on the way.

use crate::color::ColorConversion;
use crate::orient::Orientation;
use crate::sniff::ImageFormat;

/// A normalized picture: baseline sRGB JPEG bytes of exactly [`Jpeg::width`] x [`Jpeg::height`].
///
/// Only the pipeline constructs it, so holding one means the guarantees hold.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Jpeg {
    pub(crate) bytes: Vec<u8>,
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) source: SourceInfo,
}

impl Jpeg {
    /// The encoded JPEG.
    pub fn bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The encoded JPEG, without copying.
    pub fn into_bytes(self) -> Vec<u8> {
        self.bytes
    }

    /// Width in pixels: the requested width.
    pub fn width(&self) -> u32 {
        self.width
    }

    /// Height in pixels: the requested height.
    pub fn height(&self) -> u32 {
        self.height
    }

    /// Always `image/jpeg` (spec: "converted to mime type image/jpeg").
    pub fn mime_type(&self) -> &'static str {
        "image/jpeg"
    }

    /// What the upload was, for logs and metrics.
    pub fn source(&self) -> &SourceInfo {
        &self.source
    }
}

/// What the pipeline learned about the upload.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct SourceInfo {
    /// The sniffed type.
    pub format: ImageFormat,
    /// Width as stored in the file.
    pub stored_width: u32,
    /// Height as stored in the file.
    pub stored_height: u32,
    /// Width as displayed, after EXIF orientation.
    pub displayed_width: u32,
    /// Height as displayed, after EXIF orientation.
    pub displayed_height: u32,
    /// The EXIF orientation that was applied.
    pub orientation: Orientation,
    /// What was done about colour profiles.
    pub color: ColorConversion,
    /// Whether the source had an alpha channel that was composited onto the background.
    pub alpha_flattened: bool,
    /// Whether damaged data was accepted partially (only with `DamagedInput::AcceptPartial`).
    pub partial: bool,
}
