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

    proptest::proptest! {
        #[test]
        fn opaque_pixels_are_kept_transparent_ones_become_the_background(
            pixels in proptest::collection::vec(proptest::prelude::any::<[u8; 4]>(), 1..64),
            background: [u8; 3],
        ) {
            let p = Pixels::new(pixels.len() as u32, 1, Channels::Rgba, pixels.concat()).unwrap();
            let out = onto(p, background);
            proptest::prop_assert_eq!(out.channels, Channels::Rgb);
            for (rgba, rgb) in pixels.iter().zip(out.data.chunks_exact(3)) {
                let a = f64::from(rgba[3]) / 255.0;
                for c in 0..3 {
                    // Oracle: straight alpha over the background, in float.
                    let mixed = f64::from(rgba[c]) * a + f64::from(background[c]) * (1.0 - a);
                    proptest::prop_assert!((f64::from(rgb[c]) - mixed).abs() <= 1.0, "{:?} over {:?}: {:?}", rgba, background, rgb);
                }
                match rgba[3] {
                    255 => proptest::prop_assert_eq!(rgb, &rgba[..3]),
                    0 => proptest::prop_assert_eq!(rgb, &background[..]),
                    _ => {}
                }
            }
        }
    }
}
