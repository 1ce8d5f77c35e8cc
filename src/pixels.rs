//! The pixel buffer every stage hands to the next: width, height, channel layout and data kept
//! together, so no stage can misread another's output.

/// Channel layout of 8-bit samples, interleaved, rows top to bottom without padding.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Channels {
    Gray,
    GrayAlpha,
    Rgb,
    /// Straight (not premultiplied) alpha.
    Rgba,
    /// Ink amounts, 0 = no ink (the decode stage undoes Adobe's inverted storage).
    Cmyk,
}

impl Channels {
    pub(crate) const fn count(self) -> usize {
        match self {
            Channels::Gray => 1,
            Channels::GrayAlpha => 2,
            Channels::Rgb => 3,
            Channels::Rgba | Channels::Cmyk => 4,
        }
    }

    pub(crate) const fn has_alpha(self) -> bool {
        matches!(self, Channels::GrayAlpha | Channels::Rgba)
    }
}

#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Pixels {
    pub(crate) width: u32,
    pub(crate) height: u32,
    pub(crate) channels: Channels,
    pub(crate) data: Vec<u8>,
}

impl Pixels {
    /// Wraps decoded data; `None` if the length does not match (a decoder bug, never trusted).
    pub(crate) fn new(width: u32, height: u32, channels: Channels, data: Vec<u8>) -> Option<Self> {
        let expected = (width as usize)
            .checked_mul(height as usize)?
            .checked_mul(channels.count())?;
        (data.len() == expected && width > 0 && height > 0).then_some(Pixels {
            width,
            height,
            channels,
            data,
        })
    }
}

/// One component of a JPEG as its decoder holds it, before upsampling and colour conversion:
/// the part of the component plane that the crop and the resize read.
#[derive(Clone, Debug, PartialEq, Eq)]
pub(crate) struct Plane {
    pub(crate) width: u32,
    pub(crate) height: u32,
    /// Rows top to bottom without padding.
    pub(crate) data: Vec<u8>,
    /// Picture pixels per sample, across and down: sample `(x, y)` of the component covers the
    /// pixels `x * ratio.0 .. (x + 1) * ratio.0` (JFIF's centred chroma siting).
    pub(crate) ratio: (u32, u32),
    /// The component's sample at `data[0]`: where this part begins in the whole plane.
    pub(crate) first: (u32, u32),
}

/// A YCbCr or gray JPEG's components as decoded: Y alone for gray, else Y, Cb and Cr.
pub(crate) type Planes = Vec<Plane>;
