//! RGB to the YCbCr planes a JPEG stores: JFIF's conversion in libjpeg's 16-bit fixed point, and
//! chroma averaged over each 2x2 (4:2:0) or 2x1 (4:2:2) block, the last column and row repeated
//! where the picture's size is odd.

/// Y, Cb and Cr of one picture, chroma at its subsampled size: `ceil(width / h)` by
/// `ceil(height / v)`.
pub(crate) struct YccPlanes {
    pub width: usize,
    pub height: usize,
    /// Horizontal and vertical luma samples per chroma sample: (1, 1), (2, 1), (1, 2) (4:2:2
    /// in the stored axes of a picture that turns upright) or (2, 2).
    pub h: usize,
    pub v: usize,
    pub y: Vec<u8>,
    pub cb: Vec<u8>,
    pub cr: Vec<u8>,
}

impl YccPlanes {
    pub(crate) fn chroma_size(&self) -> (usize, usize) {
        (self.width.div_ceil(self.h), self.height.div_ceil(self.v))
    }
}

const SCALE_BITS: u32 = 16;
const HALF: i32 = 1 << (SCALE_BITS - 1);
// JFIF's coefficients times 2^16, rounded.
const R_Y: i32 = 19595;
const G_Y: i32 = 38470;
const B_Y: i32 = 7471;
const R_CB: i32 = -11059;
const G_CB: i32 = -21709;
const B_CR: i32 = -5329;
const G_CR: i32 = -27439;
const HALF_CHROMA: i32 = 32768;

/// Converts interleaved RGB to planes with `(h, v)` luma samples per chroma sample.
pub(crate) fn from_rgb(rgb: &[u8], width: usize, height: usize, (h, v): (usize, usize)) -> YccPlanes {
    let pixels = width * height;
    let mut y = vec![0; pixels];
    let mut cb_full = vec![0; pixels];
    let mut cr_full = vec![0; pixels];
    // 128 as the chroma offset, and half minus one for rounding, as libjpeg (values stay in
    // 0..=255).
    let offset = (128 << SCALE_BITS) + HALF - 1;
    for (((pixel, y), cb), cr) in rgb
        .chunks_exact(3)
        .zip(&mut y)
        .zip(&mut cb_full)
        .zip(&mut cr_full)
    {
        let (r, g, b) = (i32::from(pixel[0]), i32::from(pixel[1]), i32::from(pixel[2]));
        *y = ((R_Y * r + G_Y * g + B_Y * b + HALF) >> SCALE_BITS) as u8;
        *cb = ((R_CB * r + G_CB * g + HALF_CHROMA * b + offset) >> SCALE_BITS) as u8;
        *cr = ((HALF_CHROMA * r + G_CR * g + B_CR * b + offset) >> SCALE_BITS) as u8;
    }
    let mut planes = YccPlanes {
        width,
        height,
        h,
        v,
        y,
        cb: Vec::new(),
        cr: Vec::new(),
    };
    planes.cb = downsample(cb_full, &planes);
    planes.cr = downsample(cr_full, &planes);
    planes
}

/// The mean of each `h` x `v` block, rounded with a bias alternating between columns as libjpeg
/// does, so that no direction drifts.
fn downsample(full: Vec<u8>, planes: &YccPlanes) -> Vec<u8> {
    let (width, height) = (planes.width, planes.height);
    if (planes.h, planes.v) == (1, 1) {
        return full;
    }
    let (chroma_width, chroma_height) = planes.chroma_size();
    let mut out = vec![0; chroma_width * chroma_height];
    for (cy, line) in out.chunks_exact_mut(chroma_width).enumerate() {
        let top = &full[cy * planes.v * width..][..width];
        if planes.v == 2 {
            // The block's second row; the first again past an odd height.
            let bottom = &full[(cy * 2 + 1).min(height - 1) * width..][..width];
            let pairs = top.chunks_exact(2).zip(bottom.chunks_exact(2));
            for (cx, (out, (a, b))) in line.iter_mut().zip(pairs).enumerate() {
                let sum = u32::from(a[0]) + u32::from(a[1]) + u32::from(b[0]) + u32::from(b[1]);
                *out = ((sum + 1 + (cx as u32 & 1)) >> 2) as u8;
            }
            if width % 2 == 1 {
                // The last column repeated.
                let cx = chroma_width - 1;
                let sum = 2 * (u32::from(top[width - 1]) + u32::from(bottom[width - 1]));
                line[cx] = ((sum + 1 + (cx as u32 & 1)) >> 2) as u8;
            }
        } else {
            for (cx, (out, a)) in line.iter_mut().zip(top.chunks_exact(2)).enumerate() {
                *out = ((u32::from(a[0]) + u32::from(a[1]) + (cx as u32 & 1)) >> 1) as u8;
            }
            if width % 2 == 1 {
                let cx = chroma_width - 1;
                line[cx] = ((2 * u32::from(top[width - 1]) + (cx as u32 & 1)) >> 1) as u8;
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn grey_has_neutral_chroma_and_primaries_convert_as_jfif_says() {
        for (rgb, ycc) in [
            ([0, 0, 0], [0, 128, 128]),
            ([255, 255, 255], [255, 128, 128]),
            ([128, 128, 128], [128, 128, 128]),
            ([255, 0, 0], [76, 85, 255]),
            ([0, 255, 0], [150, 44, 21]),
            ([0, 0, 255], [29, 255, 107]),
        ] {
            let planes = from_rgb(&rgb, 1, 1, (1, 1));
            assert_eq!([planes.y[0], planes.cb[0], planes.cr[0]], ycc, "{rgb:?}");
            // Against JFIF's formulas in floating point.
            let [r, g, b] = rgb.map(f64::from);
            let exact = [
                0.299 * r + 0.587 * g + 0.114 * b,
                128.0 - 0.168736 * r - 0.331264 * g + 0.5 * b,
                128.0 + 0.5 * r - 0.418688 * g - 0.081312 * b,
            ];
            for (ours, exact) in ycc.iter().zip(exact) {
                assert!((f64::from(*ours) - exact.min(255.0)).abs() <= 0.51, "{rgb:?}");
            }
        }
    }

    #[test]
    fn chroma_is_the_mean_of_each_block_with_odd_edges_repeated() {
        // 3x3 pixels: Cb of a blue pixel is 255, of a black one 128.
        let blue = [0u8, 0, 255];
        let black = [0u8, 0, 0];
        let rgb: Vec<u8> = [blue, black, blue, black, black, black, blue, black, blue].concat();
        let planes = from_rgb(&rgb, 3, 3, (2, 2));
        assert_eq!(planes.chroma_size(), (2, 2));
        // Top left block: one blue of four; top right: blue twice (column 2 repeated) and black
        // twice; bottom right: the corner alone, four times.
        let expected: [u32; 4] = [
            (255 + 3 * 128 + 1) / 4,
            (2 * 255 + 2 * 128 + 2) / 4,
            (2 * 255 + 2 * 128 + 1) / 4,
            255,
        ];
        assert_eq!(planes.cb, expected.map(|v| v as u8));
        let planes = from_rgb(&rgb, 3, 3, (2, 1));
        assert_eq!(planes.chroma_size(), (2, 3));
        assert_eq!(planes.cb[..2], [(255 + 128) / 2, 255u32].map(|v| v as u8));
    }
}
