//! Orientation: turning the stored picture upright as its EXIF orientation asks.
//!
//! Input: the resized picture in stored orientation. Output: the same pixels upright. Runs after
//! the resize, so it moves the 1.44 megapixels of the target, not the source's tens of
//! megapixels. No error codes.

use crate::encode::ycc::YccPlanes;
use crate::pixels::Pixels;

/// EXIF orientation, one variant per tag value 1 to 8: how the stored pixels must be transformed
/// to be displayed upright.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum Orientation {
    /// 1: stored upright.
    Normal,
    /// 2: mirrored left to right.
    FlipHorizontal,
    /// 3: rotated 180 degrees.
    Rotate180,
    /// 4: mirrored top to bottom.
    FlipVertical,
    /// 5: mirrored across the top-left to bottom-right diagonal.
    Transpose,
    /// 6: needs a 90 degree clockwise rotation to be upright.
    Rotate90,
    /// 7: mirrored across the top-right to bottom-left diagonal.
    Transverse,
    /// 8: needs a 90 degree counter-clockwise rotation to be upright.
    Rotate270,
}

impl Orientation {
    /// The variant for an EXIF tag value, `None` outside 1 to 8.
    pub const fn from_exif(value: u16) -> Option<Orientation> {
        Some(match value {
            1 => Orientation::Normal,
            2 => Orientation::FlipHorizontal,
            3 => Orientation::Rotate180,
            4 => Orientation::FlipVertical,
            5 => Orientation::Transpose,
            6 => Orientation::Rotate90,
            7 => Orientation::Transverse,
            8 => Orientation::Rotate270,
            _ => return None,
        })
    }

    /// The EXIF tag value, 1 to 8.
    pub const fn to_exif(self) -> u16 {
        match self {
            Orientation::Normal => 1,
            Orientation::FlipHorizontal => 2,
            Orientation::Rotate180 => 3,
            Orientation::FlipVertical => 4,
            Orientation::Transpose => 5,
            Orientation::Rotate90 => 6,
            Orientation::Transverse => 7,
            Orientation::Rotate270 => 8,
        }
    }

    /// Whether the upright picture's width is the stored height (values 5 to 8).
    pub const fn swaps_axes(self) -> bool {
        matches!(
            self,
            Orientation::Transpose | Orientation::Rotate90 | Orientation::Transverse | Orientation::Rotate270
        )
    }

    /// `size` with width and height exchanged when the axes swap: maps a stored size to the
    /// displayed one and back.
    pub(crate) const fn oriented_size(self, size: (u32, u32)) -> (u32, u32) {
        if self.swaps_axes() {
            (size.1, size.0)
        } else {
            size
        }
    }

    /// Maps a point of the upright picture, given as fractions of its size, to fractions of the
    /// stored picture. Used to turn a crop anchor chosen on the upright picture into one on the
    /// stored pixels.
    pub(crate) fn to_stored_fractions(self, (x, y): (f64, f64)) -> (f64, f64) {
        match self {
            Orientation::Normal => (x, y),
            Orientation::FlipHorizontal => (1.0 - x, y),
            Orientation::Rotate180 => (1.0 - x, 1.0 - y),
            Orientation::FlipVertical => (x, 1.0 - y),
            Orientation::Transpose => (y, x),
            Orientation::Rotate90 => (y, 1.0 - x),
            Orientation::Transverse => (1.0 - y, 1.0 - x),
            Orientation::Rotate270 => (1.0 - y, x),
        }
    }

    /// Whether the upright picture's first column and first row are stored at the end of the
    /// stored picture's horizontal and vertical axes (the upright picture reads them backwards).
    pub(crate) fn reads_stored_axes_backwards(self) -> (bool, bool) {
        let (x, y) = self.stored_of(0, 0, 2, 2);
        (x == 1, y == 1)
    }

    /// The stored pixel (column, row) shown at upright (x, y), for a stored size `w` x `h`.
    fn stored_of(self, x: usize, y: usize, w: usize, h: usize) -> (usize, usize) {
        match self {
            Orientation::Normal => (x, y),
            Orientation::FlipHorizontal => (w - 1 - x, y),
            Orientation::Rotate180 => (w - 1 - x, h - 1 - y),
            Orientation::FlipVertical => (x, h - 1 - y),
            Orientation::Transpose => (y, x),
            Orientation::Rotate90 => (y, h - 1 - x),
            Orientation::Transverse => (w - 1 - y, h - 1 - x),
            Orientation::Rotate270 => (w - 1 - y, x),
        }
    }
}

/// Returns the picture upright.
pub(crate) fn upright(pixels: Pixels, orientation: Orientation) -> Pixels {
    if orientation == Orientation::Normal {
        return pixels;
    }
    let (w, h) = (pixels.width as usize, pixels.height as usize);
    let (out_w, out_h) = if orientation.swaps_axes() { (h, w) } else { (w, h) };
    let data = match pixels.channels.count() {
        1 => turned::<1>(&pixels.data, (w, h), (out_w, out_h), orientation),
        2 => turned::<2>(&pixels.data, (w, h), (out_w, out_h), orientation),
        3 => turned::<3>(&pixels.data, (w, h), (out_w, out_h), orientation),
        _ => turned::<4>(&pixels.data, (w, h), (out_w, out_h), orientation),
    };
    Pixels {
        width: out_w as u32,
        height: out_h as u32,
        channels: pixels.channels,
        data,
    }
}

/// Returns YCbCr planes upright: each plane turned, and the chroma's subsampling factors
/// exchanged when the axes swap.
pub(crate) fn upright_planes(planes: YccPlanes, orientation: Orientation) -> YccPlanes {
    if orientation == Orientation::Normal {
        return planes;
    }
    let (chroma_width, chroma_height) = planes.chroma_size();
    let turn = |data: &[u8], (w, h): (usize, usize)| {
        let turned_size = if orientation.swaps_axes() { (h, w) } else { (w, h) };
        turned::<1>(data, (w, h), turned_size, orientation)
    };
    let swap = |pair: (usize, usize)| {
        if orientation.swaps_axes() {
            (pair.1, pair.0)
        } else {
            pair
        }
    };
    let (width, height) = swap((planes.width, planes.height));
    let (h, v) = swap((planes.h, planes.v));
    YccPlanes {
        width,
        height,
        h,
        v,
        y: turn(&planes.y, (planes.width, planes.height)),
        cb: turn(&planes.cb, (chroma_width, chroma_height)),
        cr: turn(&planes.cr, (chroma_width, chroma_height)),
    }
}

/// The turned copy, for pixels of `N` bytes (a fixed-size copy each, not a call to memcpy).
/// Written in 32x32 tiles: a rotation reads a column of the source for each row it writes, and
/// a tile's columns stay in the cache while it is written (3.7 to 2.6 ms for 1200x1200 RGB).
fn turned<const N: usize>(
    source: &[u8],
    (w, h): (usize, usize),
    (out_w, out_h): (usize, usize),
    orientation: Orientation,
) -> Vec<u8> {
    const TILE: usize = 32;
    let mut data = vec![0u8; source.len()];
    for tile_y in (0..out_h).step_by(TILE) {
        for tile_x in (0..out_w).step_by(TILE) {
            for y in tile_y..(tile_y + TILE).min(out_h) {
                for x in tile_x..(tile_x + TILE).min(out_w) {
                    let (sx, sy) = orientation.stored_of(x, y, w, h);
                    let from = (sy * w + sx) * N;
                    let to = (y * out_w + x) * N;
                    data[to..to + N].copy_from_slice(&source[from..from + N]);
                }
            }
        }
    }
    data
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::pixels::Channels;

    /// A 3x2 gray picture whose values are their stored index.
    fn numbered() -> Pixels {
        Pixels::new(3, 2, Channels::Gray, (0..6).collect()).unwrap()
    }

    #[test]
    fn each_orientation_moves_pixels_as_exif_defines() {
        // Stored:  0 1 2 / 3 4 5. Expected upright rows for each tag value.
        let expected: [(u16, &[u8]); 8] = [
            (1, &[0, 1, 2, 3, 4, 5]),
            (2, &[2, 1, 0, 5, 4, 3]),
            (3, &[5, 4, 3, 2, 1, 0]),
            (4, &[3, 4, 5, 0, 1, 2]),
            (5, &[0, 3, 1, 4, 2, 5]),
            (6, &[3, 0, 4, 1, 5, 2]),
            (7, &[5, 2, 4, 1, 3, 0]),
            (8, &[2, 5, 1, 4, 0, 3]),
        ];
        for (tag, rows) in expected {
            let o = Orientation::from_exif(tag).unwrap();
            let out = upright(numbered(), o);
            assert_eq!(out.data, rows, "orientation {tag}");
            let (w, h) = if o.swaps_axes() { (2, 3) } else { (3, 2) };
            assert_eq!((out.width, out.height), (w, h), "orientation {tag}");
        }
    }

    /// The oracle: the EXIF definitions read naively as "which stored pixel shows at display
    /// (x, y)", for a stored picture of `w` x `h`.
    fn naive_stored_index(tag: u16, x: usize, y: usize, w: usize, h: usize) -> usize {
        let (sx, sy) = match tag {
            1 => (x, y),
            2 => (w - 1 - x, y),         // mirrored left to right
            3 => (w - 1 - x, h - 1 - y), // upside down
            4 => (x, h - 1 - y),         // mirrored top to bottom
            5 => (y, x),                 // transposed
            6 => (y, h - 1 - x),         // stored turned a quarter counter-clockwise
            7 => (w - 1 - y, h - 1 - x), // transversed
            8 => (w - 1 - y, x),         // stored turned a quarter clockwise
            _ => unreachable!(),
        };
        sy * w + sx
    }

    /// The orientation that undoes `tag`: the two quarter turns undo each other, every other
    /// transform is its own inverse.
    fn inverse(tag: u16) -> u16 {
        match tag {
            6 => 8,
            8 => 6,
            other => other,
        }
    }

    proptest::proptest! {
        #[test]
        fn upright_agrees_with_the_naive_mapping_and_composes_with_its_inverse(
            w in 1usize..12, h in 1usize..12, tag in 1u16..=8, rgb: bool, seed: u64,
        ) {
            let channels = if rgb { Channels::Rgb } else { Channels::Gray };
            let n = channels.count();
            let data: Vec<u8> = (0..w * h * n).map(|i| (seed.rotate_left(i as u32 % 64) ^ i as u64) as u8).collect();
            let stored = Pixels::new(w as u32, h as u32, channels, data.clone()).unwrap();
            let o = Orientation::from_exif(tag).unwrap();
            let out = upright(stored.clone(), o);
            let (ow, oh) = if o.swaps_axes() { (h, w) } else { (w, h) };
            proptest::prop_assert_eq!((out.width as usize, out.height as usize), (ow, oh));
            for y in 0..oh {
                for x in 0..ow {
                    let from = naive_stored_index(tag, x, y, w, h) * n;
                    let to = (y * ow + x) * n;
                    proptest::prop_assert_eq!(&out.data[to..to + n], &data[from..from + n], "({}, {})", x, y);
                }
            }
            let back = upright(out, Orientation::from_exif(inverse(tag)).unwrap());
            proptest::prop_assert_eq!((back.width, back.height), (stored.width, stored.height));
            proptest::prop_assert_eq!(back.data, data);
        }
    }

    #[test]
    fn anchor_fractions_follow_the_pixels() {
        // Each upright corner must map to the fractions of the stored corner shown there.
        for tag in 1..=8 {
            let o = Orientation::from_exif(tag).unwrap();
            let (w, h) = (3, 2);
            let (out_w, out_h) = if o.swaps_axes() { (h, w) } else { (w, h) };
            for (x, y) in [(0, 0), (out_w - 1, 0), (0, out_h - 1), (out_w - 1, out_h - 1)] {
                let (sx, sy) = o.stored_of(x, y, w, h);
                let upright = (x as f64 / (out_w - 1) as f64, y as f64 / (out_h - 1) as f64);
                let stored = (sx as f64 / (w - 1) as f64, sy as f64 / (h - 1) as f64);
                assert_eq!(
                    o.to_stored_fractions(upright),
                    stored,
                    "orientation {tag}, corner ({x}, {y})"
                );
            }
        }
    }
}
