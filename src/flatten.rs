//! Flattening: alpha composited onto the background, since JPEG has no alpha (and jpeg-encoder
//! silently drops it, which shows the colour of transparent pixels: usually black).
//!
//! Input: sRGB RGB or RGBA pixels with straight alpha. Output: RGB. No error codes.

use crate::pixels::{Channels, Pixels};

/// Composites RGBA onto `background` (`out = c * a + bg * (1 - a)`, rounded); RGB passes through.
pub(crate) fn onto(pixels: Pixels, background: [u8; 3]) -> Pixels {
    if pixels.channels != Channels::Rgba {
        return pixels;
    }
    let data = pixels
        .data
        .chunks_exact(4)
        .flat_map(|p| {
            let a = u32::from(p[3]);
            let mix = |c: u8, bg: u8| ((u32::from(c) * a + u32::from(bg) * (255 - a) + 127) / 255) as u8;
            [
                mix(p[0], background[0]),
                mix(p[1], background[1]),
                mix(p[2], background[2]),
            ]
        })
        .collect();
    Pixels {
        width: pixels.width,
        height: pixels.height,
        channels: Channels::Rgb,
        data,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn opaque_stays_transparent_becomes_background_half_mixes() {
        let p = Pixels::new(
            3,
            1,
            Channels::Rgba,
            vec![10, 20, 30, 255, 0, 0, 0, 0, 255, 0, 0, 128],
        )
        .unwrap();
        let out = onto(p, [255, 255, 255]);
        assert_eq!(out.channels, Channels::Rgb);
        assert_eq!(out.data, vec![10, 20, 30, 255, 255, 255, 255, 127, 127]);
    }
}
