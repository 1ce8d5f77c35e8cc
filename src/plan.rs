//! The plan: what every stage will do to one input, decided from its header alone, before a
//! single pixel is decoded.
//!
//! Input: the decode stage's [`Header`] (stored size, channels, colour description, EXIF
//! orientation, the DCT scales the decoder offers) and the options. Output: [`Plan`]: the decode
//! scale, the size that decodes, the target and the cover crop box in those (stored) axes, the
//! colour conversion and where it runs, where alpha is flattened, and whether the picture stays
//! planar. `lib.rs` makes it and hands it to the stages, so no stage asks another what to do,
//! and the decoder knows the crop box before it starts.
//!
//! # Where the colour conversion runs
//! Resizing is a weighted mean of samples, and a mean taken in the source's encoding and then
//! converted equals the mean of the converted samples only where the conversion is close to
//! linear. The rule:
//! - **before the resize**, on the decoded source, when the source's encoding is far from
//!   sRGB's ([`Conversion::far_from_srgb`]: ink of CMYK and YCCK files, table-based profiles,
//!   linear and near-linear curves such as gAMA 1.0 or 1/1.8), because there converting after
//!   the resize darkens every hard edge and shifts it; and whenever the decoded source has fewer
//!   pixels than the target, where it costs at most a target's worth of work;
//! - **after the resize**, on the target's 1.44 megapixels, otherwise: Display P3, Adobe RGB and
//!   other gamma-2.2-like encodings of large photos, where the two orders differ by less than
//!   quality 85 keeps (44 dB apart on 12 MP photos; `examples/colour_order.rs`) and the
//!   conversion touches the target's pixels rather than the decoded source's (3 MP for a 12 MP
//!   photo at the 1/2 DCT scale).
//!
//! Alpha is flattened onto the background (given as sRGB) as soon as the picture is sRGB: in the
//! decoder when no conversion is needed, right after a conversion that runs before the resize,
//! and after the conversion otherwise.
//!
//! # The planar path
//! A YCbCr or gray JPEG whose colours need no conversion (untagged or sRGB) stays planar: the
//! decoder hands on its Y, Cb and Cr planes, each at its own resolution, the resizer scales each
//! to the output's (chroma straight to the subsampled size), and the encoder writes them. No
//! upsampling, no conversion to RGB and back, no chroma averaging; the resizer's reach grows
//! with the coarsest plane it reads. Other JPEGs (ICC profiles, RGB, CMYK, YCCK) and PNGs go
//! through RGB.

use crate::color::Conversion;
use crate::decode::Header;
use crate::options::Options;
use crate::orient::Orientation;
use crate::pixels::Channels;
use crate::resize::{cover_box, CropBox};

/// Where the colour conversion runs.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum ColourAt {
    /// On the decoded source, before the resize.
    BeforeResize,
    /// On the resized picture.
    AfterResize,
}

/// Where alpha is composited onto the background.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Flatten {
    /// The source has no alpha.
    Opaque,
    /// In the decoder, as the rows arrive (the samples are sRGB already).
    InDecoder,
    /// Right after the colour conversion, before the resize.
    BeforeResize,
    /// After the resize and the colour conversion; the resizer premultiplies.
    AfterColour,
}

/// Everything the stages do to one input.
pub(crate) struct Plan {
    /// The source's size as stored, before any scaling.
    pub(crate) stored: (u32, u32),
    pub(crate) orientation: Orientation,
    /// DCT-domain scale divisor of a JPEG decode (1, 2, 4 or 8); 1 for a PNG.
    pub(crate) divisor: u32,
    /// Size of the decoded picture: the stored size divided by `divisor`, rounded up.
    pub(crate) decoded: (u32, u32),
    /// The output size in stored axes (turned by the orientation): the picture is turned upright
    /// after the resize.
    pub(crate) target: (u32, u32),
    /// The cover crop box in decoded pixels.
    pub(crate) crop: CropBox,
    /// Channels as decoded, before any flattening.
    pub(crate) channels: Channels,
    pub(crate) colour: Conversion,
    pub(crate) colour_at: ColourAt,
    pub(crate) flatten: Flatten,
    /// The JPEG goes to the resizer and the encoder as its YCbCr (or gray) planes: its colours
    /// need no conversion, so the picture never becomes RGB.
    pub(crate) planar: bool,
    /// Picture pixels per chroma sample of the output, in stored axes (the options' subsampling,
    /// turned by the orientation).
    pub(crate) chroma: (u32, u32),
    /// Bytes the encoder keeps between its passes for optimised Huffman tables: 128 per block of
    /// the output's whole MCUs; 0 without them.
    huffman_store: u64,
    /// Picture pixels per sample of the plane the resizer reads most coarsely, at most, across
    /// and down: (1, 1) for interleaved pixels; for planes, the larger of the source's and the
    /// output's chroma ratios. The resizer's reach scales with it.
    coarsest: (u32, u32),
}

impl Plan {
    pub(crate) fn new(header: &Header<'_>, options: &Options) -> Plan {
        let orientation = header.orientation;
        let stored = (header.stored_width, header.stored_height);
        let target = orientation.oriented_size((options.width, options.height));
        let divisor = if options.shrink_on_load {
            header.largest_scale_covering(target)
        } else {
            1
        };
        let decoded = (stored.0.div_ceil(divisor), stored.1.div_ceil(divisor));
        let anchor = orientation.to_stored_fractions(options.anchor.fractions());
        let crop = cover_box(decoded, target, anchor);

        let colour = Conversion::new(&header.color, header.channels);
        let area = |(w, h): (u32, u32)| u64::from(w) * u64::from(h);
        let colour_at = match options.colour_at {
            _ if colour.is_identity() => ColourAt::AfterResize,
            Some(forced) => forced,
            None if colour.far_from_srgb() || area(decoded) < area(target) => ColourAt::BeforeResize,
            None => ColourAt::AfterResize,
        };
        let flatten = match header.channels {
            channels if !channels.has_alpha() => Flatten::Opaque,
            Channels::Rgba if colour.is_identity() => Flatten::InDecoder,
            Channels::Rgba if colour_at == ColourAt::BeforeResize => Flatten::BeforeResize,
            _ => Flatten::AfterColour,
        };
        // Planes pay also where the resize scales up, where the resizer's one-channel
        // convolutions cost more than three-channel ones per sample: 400x400 to 1200x1200 took
        // 17.5 ms planar against 19.1 ms through RGB (`examples/paths.rs`).
        let planar_ratio = header
            .planar_ratio()
            .filter(|_| options.planar && colour.is_identity());
        let chroma = orientation.oriented_size(options.subsampling.factors());
        let coarsest = planar_ratio.map_or((1, 1), |(x, y)| (x.max(chroma.0), y.max(chroma.1)));
        // Luma blocks per MCU, and two chroma blocks; MCUs over the whole target (the product
        // is the same in stored and upright axes).
        let huffman_store = if options.optimize_huffman {
            let mcus = |side: u32, factor: u32| u64::from(side.div_ceil(8 * factor));
            let blocks = u64::from(chroma.0 * chroma.1) + 2;
            128 * blocks * mcus(target.0, chroma.0) * mcus(target.1, chroma.1)
        } else {
            0
        };
        Plan {
            stored,
            orientation,
            divisor,
            decoded,
            target,
            crop,
            channels: header.channels,
            colour,
            colour_at,
            flatten,
            planar: planar_ratio.is_some(),
            chroma,
            huffman_store,
            coarsest,
        }
    }

    /// The part of the decoded picture the resizer reads: the crop box, widened on every side
    /// by the Lanczos3 filter's reach (3 source steps per target pixel, and a margin for
    /// rounding; for planes, in steps of the coarsest plane or output chroma), as (left, top,
    /// right, bottom) in decoded pixels, clamped to the picture. A decoder may leave everything
    /// outside it undecoded.
    pub(crate) fn needed_region(&self) -> (u32, u32, u32, u32) {
        let crop = self.crop;
        let reach = |span: f64, target: u32, coarsest: u32| {
            f64::from(coarsest) * (3.0 * (span / f64::from(target.max(1))).max(1.0) + 4.0)
        };
        let (rx, ry) = (
            reach(crop.width, self.target.0, self.coarsest.0),
            reach(crop.height, self.target.1, self.coarsest.1),
        );
        let (w, h) = (f64::from(self.decoded.0), f64::from(self.decoded.1));
        (
            (crop.left - rx).clamp(0.0, w).floor() as u32,
            (crop.top - ry).clamp(0.0, h).floor() as u32,
            (crop.left + crop.width + rx).clamp(0.0, w).ceil() as u32,
            (crop.top + crop.height + ry).clamp(0.0, h).ceil() as u32,
        )
    }

    /// The channels the resizer gets: after a conversion before the resize (CMYK is RGB by
    /// then) and any flattening before it.
    pub(crate) fn resized_channels(&self) -> Channels {
        let converted = match self.colour_at {
            ColourAt::BeforeResize => self.colour.converted_channels(self.channels),
            ColourAt::AfterResize => self.channels,
        };
        match self.flatten {
            Flatten::InDecoder | Flatten::BeforeResize => Channels::Rgb,
            Flatten::Opaque | Flatten::AfterColour => converted,
        }
    }

    /// Memory the stages after decoding need: a premultiplied copy of the source when the
    /// resizer makes one (alpha not flattened before the resize), the resizer's intermediate,
    /// and the fixed-size buffers of the target. A conversion before the resize runs in place
    /// (a 64 KiB slice aside), so it adds nothing of the source's size.
    pub(crate) fn after_decode_bytes(&self) -> u64 {
        let (w, h) = (u64::from(self.decoded.0), u64::from(self.decoded.1));
        let (tw, th) = (u64::from(self.target.0), u64::from(self.target.1));
        let channels = self.resized_channels().count() as u64;
        // Saturating throughout: a caller may raise the limits as far as u32 sides allow.
        let premultiplied = if self.flatten == Flatten::AfterColour {
            w.saturating_mul(h).saturating_mul(channels)
        } else {
            0
        };
        premultiplied
            .saturating_add(resize_intermediate(w, h, tw, th).saturating_mul(channels))
            // Then the resized, converted, flattened, upright and encoded pictures, and what the
            // encoder keeps for optimised Huffman tables.
            .saturating_add(tw * th * (4 + 4 + 3 + 3 + 3))
            .saturating_add(self.huffman_store)
    }
}

/// Pixels in fast_image_resize's intermediate for a cover resize of `w` x `h` to `tw` x `th`:
/// for 8-bit pixels it runs the vertical pass first, into the crop's source columns (plus the
/// Lanczos3 filter's reach of 3 source steps each side) by the target's rows.
fn resize_intermediate(w: u64, h: u64, tw: u64, th: u64) -> u64 {
    let crop_w = w.min(h.saturating_mul(tw).div_ceil(th));
    let reach = 6 * w.div_ceil(tw) + 8;
    w.min(crop_w + reach).saturating_mul(th)
}
