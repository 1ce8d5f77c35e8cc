//! Upsampling a component plane to the output's resolution, one output row at a time, as
//! libjpeg does it (`jdsample.c`): "fancy" triangle filters for 2x horizontal (h2v1), 2x
//! vertical (h1v2) and both (h2v2), weighting the nearer sample 3/4 and the farther 1/4 with
//! libjpeg's alternating rounding biases, edge samples replicated at the plane's picture edge
//! (not its block padding); every other whole ratio by plain replication.
//!
//! Like libjpeg, the filters are used only when the output is not at 1/8 (libjpeg turns fancy
//! upsampling off when the transform is 1x1), and h2v1/h2v2 only for planes more than 2 samples
//! wide.

use super::planes::Plane;

/// Writes output row `y` of `plane` into `out` (as many samples as `out` holds), using
/// `scratch` (at least `plane.width * ratio.0` long) for a horizontal filter's result. Compiled
/// for each instruction set through `pulp`'s dispatch (the filters' loops vectorise, AVX2 doing
/// 16 samples at once) and run with the best the processor has.
pub(super) fn row(plane: &Plane, y: usize, fancy: bool, scratch: &mut [u8], out: &mut [u8]) {
    pulp::Arch::new().dispatch(Row {
        plane,
        y,
        fancy,
        scratch,
        out,
    });
}

/// [`row`]'s arguments, for [`pulp::Arch::dispatch`].
struct Row<'a> {
    plane: &'a Plane,
    y: usize,
    fancy: bool,
    scratch: &'a mut [u8],
    out: &'a mut [u8],
}

impl pulp::WithSimd for Row<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        row_here(self.plane, self.y, self.fancy, self.scratch, self.out);
    }
}

/// Samples filtered together in the 2x horizontal filters: what lets the compiler vectorise.
const LANES: usize = 16;

#[inline(always)]
fn row_here(plane: &Plane, y: usize, fancy: bool, scratch: &mut [u8], out: &mut [u8]) {
    let (hr, vr) = plane.ratio;
    let width = plane.width;
    let last = plane.height.saturating_sub(1);
    match (hr, vr) {
        (1, 1) => out.copy_from_slice(&plane.row(y)[..out.len()]),
        (2, 1) if fancy && width > 2 => {
            h2v1(&plane.row(y)[..width], &mut scratch[..2 * width]);
            out.copy_from_slice(&scratch[..out.len()]);
        }
        (1, 2) if fancy => {
            let (near, far, bias) = vertical_pair(y, last);
            let (near, far) = (&plane.row(near)[..out.len()], &plane.row(far)[..out.len()]);
            for ((o, &n), &f) in out.iter_mut().zip(near).zip(far) {
                *o = ((3 * u16::from(n) + u16::from(f) + bias) >> 2) as u8;
            }
        }
        (2, 2) if fancy && width > 2 => {
            let (near, far, _) = vertical_pair(y, last);
            h2v2(
                &plane.row(near)[..width],
                &plane.row(far)[..width],
                &mut scratch[..2 * width],
            );
            out.copy_from_slice(&scratch[..out.len()]);
        }
        _ => {
            let source = plane.row(y / vr);
            for (x, o) in out.iter_mut().enumerate() {
                *o = source[x / hr];
            }
        }
    }
}

/// For output row `y` of a 2x vertical filter: the nearer and the farther plane row (clamped to
/// the picture's rows, which replicates the edge) and libjpeg's rounding bias for h1v2.
fn vertical_pair(y: usize, last: usize) -> (usize, usize, u16) {
    let near = (y / 2).min(last);
    if y.is_multiple_of(2) {
        (near, near.saturating_sub(1), 1)
    } else {
        (near, (near + 1).min(last), 2)
    }
}

/// 2x horizontal triangle filter of `input` (3 or more samples) into `out` (twice as long).
#[inline(always)]
fn h2v1(input: &[u8], out: &mut [u8]) {
    let n = input.len();
    let at = |i: usize| u16::from(input[i]);
    out[0] = input[0];
    out[1] = ((at(0) * 3 + at(1) + 2) >> 2) as u8;
    // The inner samples, LANES at a time while a whole chunk and its right neighbour fit.
    let mut i = 1;
    while i + LANES < n {
        let window = &input[i - 1..i + LANES + 1];
        let chunk = &mut out[2 * i..2 * (i + LANES)];
        for j in 0..LANES {
            let this = u16::from(window[j + 1]) * 3;
            chunk[2 * j] = ((this + u16::from(window[j]) + 1) >> 2) as u8;
            chunk[2 * j + 1] = ((this + u16::from(window[j + 2]) + 2) >> 2) as u8;
        }
        i += LANES;
    }
    for i in i..n - 1 {
        out[2 * i] = ((at(i) * 3 + at(i - 1) + 1) >> 2) as u8;
        out[2 * i + 1] = ((at(i) * 3 + at(i + 1) + 2) >> 2) as u8;
    }
    out[2 * n - 2] = ((at(n - 1) * 3 + at(n - 2) + 1) >> 2) as u8;
    out[2 * n - 1] = input[n - 1];
}

/// 2x2 triangle filter: the vertical pass (3 x nearer row + farther row) into column sums, then
/// the horizontal pass over those, rounded with libjpeg's biases of 8 and 7.
#[inline(always)]
fn h2v2(near: &[u8], far: &[u8], out: &mut [u8]) {
    let n = near.len();
    let sum = |i: usize| u16::from(near[i]) * 3 + u16::from(far[i]);
    out[0] = ((sum(0) * 4 + 8) >> 4) as u8;
    out[1] = ((sum(0) * 3 + sum(1) + 7) >> 4) as u8;
    // The inner samples, LANES at a time while a whole chunk and its right neighbour fit.
    let mut i = 1;
    while i + LANES < n {
        let mut sums = [0u16; LANES + 2];
        for (j, s) in sums.iter_mut().enumerate() {
            *s = sum(i - 1 + j);
        }
        let chunk = &mut out[2 * i..2 * (i + LANES)];
        for j in 0..LANES {
            let this = sums[j + 1] * 3;
            chunk[2 * j] = ((this + sums[j] + 8) >> 4) as u8;
            chunk[2 * j + 1] = ((this + sums[j + 2] + 7) >> 4) as u8;
        }
        i += LANES;
    }
    for i in i..n - 1 {
        let this = sum(i);
        out[2 * i] = ((this * 3 + sum(i - 1) + 8) >> 4) as u8;
        out[2 * i + 1] = ((this * 3 + sum(i + 1) + 7) >> 4) as u8;
    }
    out[2 * n - 2] = ((sum(n - 1) * 3 + sum(n - 2) + 8) >> 4) as u8;
    out[2 * n - 1] = ((sum(n - 1) * 4 + 7) >> 4) as u8;
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    fn plane(width: usize, height: usize, ratio: (usize, usize), data: Vec<u8>) -> Plane {
        let stride = width.div_ceil(8) * 8;
        let rows = height.div_ceil(8) * 8;
        let mut padded = vec![0xEEu8; stride * rows]; // padding a filter must never read
        for y in 0..height {
            padded[y * stride..y * stride + width].copy_from_slice(&data[y * width..(y + 1) * width]);
        }
        Plane::from_samples((width, height), stride, &padded, ratio)
    }

    /// The filter as a formula: each output sample's position in the plane, the nearer sample
    /// weighted 3 and the farther 1 per axis (edges replicated), the rounding biases as libjpeg's.
    fn expected(p: &[u8], w: usize, h: usize, ratio: (usize, usize), x: usize, y: usize) -> u8 {
        let at = |x: isize, y: isize| {
            u32::from(p[(y.clamp(0, h as isize - 1) as usize) * w + x.clamp(0, w as isize - 1) as usize])
        };
        let (ix, iy) = ((x / ratio.0) as isize, (y / ratio.1) as isize);
        let dx = if x.is_multiple_of(2) { -1 } else { 1 };
        let dy = if y.is_multiple_of(2) { -1 } else { 1 };
        match ratio {
            (2, 1) => ((3 * at(ix, iy) + at(ix + dx, iy) + if dx < 0 { 1 } else { 2 }) >> 2) as u8,
            (1, 2) => ((3 * at(ix, iy) + at(ix, iy + dy) + if dy < 0 { 1 } else { 2 }) >> 2) as u8,
            _ => {
                let col = |x: isize| 3 * at(x, iy) + at(x, iy + dy);
                ((3 * col(ix) + col(ix + dx) + if dx < 0 { 8 } else { 7 }) >> 4) as u8
            }
        }
    }

    fn upsampled(p: &Plane, out_w: usize, out_h: usize, fancy: bool) -> Vec<Vec<u8>> {
        let mut scratch = vec![0; p.width * p.ratio.0];
        (0..out_h)
            .map(|y| {
                let mut out = vec![0; out_w];
                row(p, y, fancy, &mut scratch, &mut out);
                out
            })
            .collect()
    }

    proptest! {
        #[test]
        fn fancy_upsampling_is_the_triangle_filter_with_edges_replicated(
            w in 1usize..60, h in 1usize..20, seed in any::<u64>(), kind in 0usize..3,
        ) {
            let ratio = [(2, 1), (1, 2), (2, 2)][kind];
            let mut state = seed;
            let data: Vec<u8> = (0..w * h).map(|_| {
                state = state.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                (state >> 56) as u8
            }).collect();
            let p = plane(w, h, ratio, data.clone());
            let (out_w, out_h) = (w * ratio.0, h * ratio.1);
            let rows = upsampled(&p, out_w, out_h, true);
            for (y, line) in rows.iter().enumerate() {
                for (x, &s) in line.iter().enumerate() {
                    let want = if ratio.0 == 2 && w <= 2 {
                        // libjpeg replicates planes of 1 or 2 samples across instead.
                        data[(y / ratio.1) * w + x / 2]
                    } else {
                        expected(&data, w, h, ratio, x, y)
                    };
                    prop_assert_eq!(s, want, "{:?} {}x{} at ({}, {})", ratio, w, h, x, y);
                }
            }
        }
    }

    #[test]
    fn edges_are_replicated_on_planes_of_1_to_7_samples() {
        for w in 1..=7usize {
            for h in 1..=7usize {
                let data: Vec<u8> = (0..w * h).map(|i| (i * 37 % 251) as u8).collect();
                let p = plane(w, h, (2, 2), data.clone());
                let rows = upsampled(&p, 2 * w, 2 * h, true);
                // The outermost output samples see only the edge sample (all four weights on it).
                let corner = |x: usize, y: usize| data[y * w + x];
                assert_eq!(rows[0][0], corner(0, 0), "{w}x{h}");
                assert_eq!(rows[2 * h - 1][0], corner(0, h - 1), "{w}x{h}");
                if w > 2 {
                    // (16 v * 4 + 7) >> 4 = v: the bias of 7 never rounds up a flat edge.
                    assert_eq!(rows[0][2 * w - 1], corner(w - 1, 0), "{w}x{h}");
                    assert_eq!(rows[2 * h - 1][2 * w - 1], corner(w - 1, h - 1), "{w}x{h}");
                }
                // A flat plane stays flat at every size.
                let flat = plane(w, h, (2, 2), vec![77; w * h]);
                assert!(upsampled(&flat, 2 * w, 2 * h, true)
                    .iter()
                    .flatten()
                    .all(|&s| s == 77));
            }
        }
    }

    #[test]
    fn other_ratios_and_the_eighth_scale_replicate() {
        let data: Vec<u8> = (0..12).collect();
        let p = plane(4, 3, (4, 2), data.clone());
        let rows = upsampled(&p, 15, 5, false);
        assert_eq!(rows[0], [0, 0, 0, 0, 1, 1, 1, 1, 2, 2, 2, 2, 3, 3, 3]);
        assert_eq!(rows[1], rows[0]);
        assert_eq!(rows[4][..5], [8, 8, 8, 8, 9]);
        let p = plane(4, 3, (2, 2), data);
        let rows = upsampled(&p, 8, 6, false);
        assert_eq!(rows[3], [4, 4, 5, 5, 6, 6, 7, 7]);
    }
}
