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
