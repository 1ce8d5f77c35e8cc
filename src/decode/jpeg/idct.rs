//! Dequantisation and the inverse DCT, with libjpeg's integer kernels so that the output
//! matches `djpeg` sample for sample: the "islow" 8x8 (`jidctint.c`, the Loeffler-Ligtenberg-
//! Moschytz flow graph in 13-bit fixed point, 2 extra bits between the passes) and the reduced
//! 4x4, 2x2 and 1x1 of `jidctred.c`, which compute straight from the 8x8 coefficients the
//! averages of 2x2, 4x4 and 8x8 output samples of the full transform. Each 8-to-4 and 8-to-2 step
//! is the full 1-D transform followed by the pair (or quad) average, simplified: coefficients
//! whose basis averages to zero drop out (row and column 4 at 4x4; 2, 4 and 6 at 2x2).
//!
//! Written from the algorithm (the flow graph and the averaging argument). Each pass runs on all
//! the columns (then all the rows) of a block at once, as lanes of 32-bit integers that the
//! compiler turns into vector instructions. The baseline x86-64 target has no 32-bit vector
//! multiply (SSE4.1's), so [`transform`] runs through `pulp`'s dispatch, which compiles it once
//! more for AVX2 and picks that build at run time where the processor has it, all in safe code:
//! half the instructions of the scalar 64-bit kernels on the 12 MP bench input. For the
//! coefficients that 8-bit pictures produce the results are exactly libjpeg's; far out of range
//! (mangled data) the arithmetic wraps instead of widening, so there only the range-limit
//! behaviour below is libjpeg's. A zero quantiser entry simply zeroes its coefficient, as in
//! libjpeg; a block of DC alone is one fill.

use std::ops::{Add, Mul, Neg, Shl, Sub};

const CONST_BITS: u32 = 13;
const PASS1_BITS: u32 = 2;

// FIX(x) = round(x * 2^13), the values libjpeg writes out for CONST_BITS = 13.
const FIX_0_211164243: i32 = 1730;
const FIX_0_298631336: i32 = 2446;
const FIX_0_390180644: i32 = 3196;
const FIX_0_509795579: i32 = 4176;
const FIX_0_541196100: i32 = 4433;
const FIX_0_601344887: i32 = 4926;
const FIX_0_720959822: i32 = 5906;
const FIX_0_765366865: i32 = 6270;
const FIX_0_850430095: i32 = 6967;
const FIX_0_899976223: i32 = 7373;
const FIX_1_061594337: i32 = 8697;
const FIX_1_175875602: i32 = 9633;
const FIX_1_272758580: i32 = 10426;
const FIX_1_451774981: i32 = 11893;
const FIX_1_501321110: i32 = 12299;
const FIX_1_847759065: i32 = 15137;
const FIX_1_961570560: i32 = 16069;
const FIX_2_053119869: i32 = 16819;
const FIX_2_172734803: i32 = 17799;
const FIX_2_562915447: i32 = 20995;
const FIX_3_072711026: i32 = 25172;
const FIX_3_624509785: i32 = 29692;

/// `L` values that every operation treats alike (wrapping): one column or row per lane.
#[derive(Clone, Copy)]
struct Lanes<const L: usize>([i32; L]);

impl<const L: usize> Lanes<L> {
    #[inline(always)]
    fn map(self, f: impl Fn(i32) -> i32) -> Self {
        Lanes(self.0.map(f))
    }

    #[inline(always)]
    fn zip(self, other: Self, f: impl Fn(i32, i32) -> i32) -> Self {
        Lanes(std::array::from_fn(|i| f(self.0[i], other.0[i])))
    }

    /// Rounded right shift by `n`, as libjpeg's DESCALE.
    #[inline(always)]
    fn descale(self, n: u32) -> Self {
        self.map(|x| descale(x, n))
    }
}

impl<const L: usize> Add for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn add(self, other: Self) -> Self {
        self.zip(other, i32::wrapping_add)
    }
}

impl<const L: usize> Sub for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn sub(self, other: Self) -> Self {
        self.zip(other, i32::wrapping_sub)
    }
}

impl<const L: usize> Mul<i32> for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn mul(self, factor: i32) -> Self {
        self.map(|x| x.wrapping_mul(factor))
    }
}

impl<const L: usize> Shl<u32> for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn shl(self, n: u32) -> Self {
        self.map(|x| x.wrapping_shl(n))
    }
}

impl<const L: usize> Neg for Lanes<L> {
    type Output = Self;
    #[inline(always)]
    fn neg(self) -> Self {
        self.map(i32::wrapping_neg)
    }
}

#[inline(always)]
fn descale(x: i32, n: u32) -> i32 {
    x.wrapping_add(1 << (n - 1)) >> n
}

/// libjpeg's post-IDCT range limit: the value plus 128, clamped, after masking to 10 bits
/// (`RANGE_MASK`), so that wildly out-of-range values wrap the way libjpeg's table does.
#[inline(always)]
fn limit(x: i32) -> u8 {
    let m = x & 1023;
    match m {
        0..=127 => (m + 128) as u8,
        128..=511 => 255,
        512..=895 => 0,
        _ => (m - 896) as u8,
    }
}

/// Dequantises `coefficients` (natural order) and writes the `side` x `side` block at the start
/// of `out`, rows `stride` apart. `side` is 8, 4, 2 or 1.
pub(super) fn transform(
    arch: pulp::Arch,
    side: usize,
    coefficients: &[i16; 64],
    quant: &[u16; 64],
    out: &mut [u8],
    stride: usize,
) {
    arch.dispatch(Block {
        side,
        coefficients,
        quant,
        out,
        stride,
    });
}

/// One block's transform, for [`pulp::Arch::dispatch`]: compiled once per instruction set, and
/// run with the best the processor has (AVX2 gives the 32-bit lane multiplies the passes need).
struct Block<'a> {
    side: usize,
    coefficients: &'a [i16; 64],
    quant: &'a [u16; 64],
    out: &'a mut [u8],
    stride: usize,
}

impl pulp::WithSimd for Block<'_> {
    type Output = ();

    #[inline(always)]
    fn with_simd<S: pulp::Simd>(self, _simd: S) {
        transform_here(self.side, self.coefficients, self.quant, self.out, self.stride);
    }
}

#[inline(always)]
fn transform_here(side: usize, coefficients: &[i16; 64], quant: &[u16; 64], out: &mut [u8], stride: usize) {
    let mut input = [0i32; 64];
    for ((value, &c), &q) in input.iter_mut().zip(coefficients).zip(quant) {
        // At most 2^15 x (2^16 - 1): no overflow.
        *value = i32::from(c) * i32::from(q);
    }
    if input[1..].iter().fold(0, |any, &x| any | x) == 0 {
        // Every kernel gives a block of DC alone the rounded DC / 8 everywhere.
        let sample = limit(descale(input[0], 3));
        for row in out.chunks_mut(stride).take(side) {
            row[..side].fill(sample);
        }
        return;
    }
    match side {
        8 => islow(&input, out, stride),
        4 => reduced_4x4(&input, out, stride),
        2 => reduced_2x2(&input, out, stride),
        _ => out[0] = limit(descale(input[0], 3)),
    }
}

/// The block's rows as lanes of its columns: the column pass's input.
#[inline(always)]
fn rows_of(input: &[i32; 64]) -> [Lanes<8>; 8] {
    std::array::from_fn(|r| Lanes(std::array::from_fn(|c| input[r * 8 + c])))
}

/// `R` rows of eight lanes turned into eight positions of `R` lanes (a transpose): the row
/// pass's input.
#[inline(always)]
fn transpose<const R: usize>(rows: &[Lanes<8>; R]) -> [Lanes<R>; 8] {
    std::array::from_fn(|c| Lanes(std::array::from_fn(|r| rows[r].0[c])))
}

/// Writes the row pass's `N` outputs of `R` lanes (lane = row) as `R` rows of `N` samples,
/// descaled and range-limited on the lanes first.
#[inline(always)]
fn store<const R: usize, const N: usize>(results: [Lanes<R>; N], shift: u32, out: &mut [u8], stride: usize) {
    let samples = results.map(|x| x.descale(shift).map(limit_lane));
    for r in 0..R {
        let line = &mut out[r * stride..r * stride + N];
        for (sample, column) in line.iter_mut().zip(&samples) {
            *sample = column.0[r] as u8;
        }
    }
}

/// [`limit`] without branches, for lanes: the masked value shifted by 128 is the sample below
/// 256, saturates to 255 up to 639 and wraps to 0 above.
#[inline(always)]
fn limit_lane(x: i32) -> i32 {
    let shifted = (x + 128) & 1023;
    if shifted >= 640 {
        0
    } else {
        shifted.min(255)
    }
}

/// The 8-point LL&M transform of `v`, scaled up by 2^13 (the even part) as libjpeg leaves it.
#[inline(always)]
fn islow_1d<const L: usize>(v: [Lanes<L>; 8]) -> [Lanes<L>; 8] {
    // Even part.
    let z1 = (v[2] + v[6]) * FIX_0_541196100;
    let tmp2 = z1 - v[6] * FIX_1_847759065;
    let tmp3 = z1 + v[2] * FIX_0_765366865;
    let tmp0 = (v[0] + v[4]) << CONST_BITS;
    let tmp1 = (v[0] - v[4]) << CONST_BITS;
    let (tmp10, tmp13) = (tmp0 + tmp3, tmp0 - tmp3);
    let (tmp11, tmp12) = (tmp1 + tmp2, tmp1 - tmp2);
    // Odd part.
    let (t0, t1, t2, t3) = (v[7], v[5], v[3], v[1]);
    let z1 = t0 + t3;
    let z2 = t1 + t2;
    let z3 = t0 + t2;
    let z4 = t1 + t3;
    let z5 = (z3 + z4) * FIX_1_175875602;
    let t0 = t0 * FIX_0_298631336;
    let t1 = t1 * FIX_2_053119869;
    let t2 = t2 * FIX_3_072711026;
    let t3 = t3 * FIX_1_501321110;
    let z1 = -z1 * FIX_0_899976223;
    let z2 = -z2 * FIX_2_562915447;
    let z3 = -z3 * FIX_1_961570560 + z5;
    let z4 = -z4 * FIX_0_390180644 + z5;
    let t0 = t0 + z1 + z3;
    let t1 = t1 + z2 + z4;
    let t2 = t2 + z2 + z3;
    let t3 = t3 + z1 + z4;
    [
        tmp10 + t3,
        tmp11 + t2,
        tmp12 + t1,
        tmp13 + t0,
        tmp13 - t0,
        tmp12 - t1,
        tmp11 - t2,
        tmp10 - t3,
    ]
}

#[inline(always)]
fn islow(input: &[i32; 64], out: &mut [u8], stride: usize) {
    let columns = islow_1d(rows_of(input)).map(|x| x.descale(CONST_BITS - PASS1_BITS));
    store(
        islow_1d(transpose(&columns)),
        CONST_BITS + PASS1_BITS + 3,
        out,
        stride,
    );
}

/// The four averages of adjacent output pairs of the 8-point transform (coefficient 4's basis
/// averages to zero over each pair), scaled by 2^14.
#[inline(always)]
fn reduced_1d_4<const L: usize>(v: [Lanes<L>; 8]) -> [Lanes<L>; 4] {
    // Even part.
    let tmp0 = v[0] << (CONST_BITS + 1);
    let tmp2 = v[2] * FIX_1_847759065 - v[6] * FIX_0_765366865;
    let (tmp10, tmp12) = (tmp0 + tmp2, tmp0 - tmp2);
    // Odd part.
    let (z1, z2, z3, z4) = (v[7], v[5], v[3], v[1]);
    let tmp0 = -z1 * FIX_0_211164243 + z2 * FIX_1_451774981 - z3 * FIX_2_172734803 + z4 * FIX_1_061594337;
    let tmp2 = -z1 * FIX_0_509795579 - z2 * FIX_0_601344887 + z3 * FIX_0_899976223 + z4 * FIX_2_562915447;
    [tmp10 + tmp2, tmp12 + tmp0, tmp12 - tmp0, tmp10 - tmp2]
}

#[inline(always)]
fn reduced_4x4(input: &[i32; 64], out: &mut [u8], stride: usize) {
    // Lane 4 (column 4) is computed with the others and never read: its basis averages out.
    let columns = reduced_1d_4(rows_of(input)).map(|x| x.descale(CONST_BITS - PASS1_BITS + 1));
    let results = reduced_1d_4(transpose(&columns));
    store(results, CONST_BITS + PASS1_BITS + 3 + 1, out, stride);
}

/// The two averages of four adjacent outputs of the 8-point transform (coefficients 2, 4 and 6
/// average to zero over each half), scaled by 2^15.
#[inline(always)]
fn reduced_1d_2<const L: usize>(v: [Lanes<L>; 8]) -> [Lanes<L>; 2] {
    let tmp10 = v[0] << (CONST_BITS + 2);
    let tmp0 =
        -v[7] * FIX_0_720959822 + v[5] * FIX_0_850430095 - v[3] * FIX_1_272758580 + v[1] * FIX_3_624509785;
    [tmp10 + tmp0, tmp10 - tmp0]
}

#[inline(always)]
fn reduced_2x2(input: &[i32; 64], out: &mut [u8], stride: usize) {
    let columns = reduced_1d_2(rows_of(input)).map(|x| x.descale(CONST_BITS - PASS1_BITS + 2));
    let results = reduced_1d_2(transpose(&columns));
    store(results, CONST_BITS + PASS1_BITS + 3 + 2, out, stride);
}

#[cfg(test)]
mod tests {
    use super::*;
    use proptest::prelude::*;

    /// The 8x8 inverse DCT in floating point (JPEG A.3.3), plus the level shift.
    fn reference_8x8(input: &[i64; 64]) -> [f64; 64] {
        let c = |u: usize| {
            if u == 0 {
                std::f64::consts::FRAC_1_SQRT_2
            } else {
                1.0
            }
        };
        let basis = |x: usize, u: usize| (((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0).cos();
        std::array::from_fn(|i| {
            let (y, x) = (i / 8, i % 8);
            let mut sum = 0.0;
            for v in 0..8 {
                for u in 0..8 {
                    sum += c(u) * c(v) * input[v * 8 + u] as f64 * basis(x, u) * basis(y, v);
                }
            }
            sum / 4.0 + 128.0
        })
    }

    /// The reference at 8 / `side`: the average of each `n` x `n` group of full-size samples.
    fn reference(input: &[i64; 64], side: usize) -> Vec<f64> {
        let full = reference_8x8(input);
        let n = 8 / side;
        (0..side * side)
            .map(|i| {
                let (by, bx) = (i / side, i % side);
                let mut sum = 0.0;
                for y in 0..n {
                    for x in 0..n {
                        sum += full[(by * n + y) * 8 + bx * n + x];
                    }
                }
                sum / (n * n) as f64
            })
            .collect()
    }

    fn run(side: usize, coefficients: &[i16; 64], quant: &[u16; 64]) -> Vec<u8> {
        let stride = side + 3; // rows apart, with samples between them left untouched
        let mut out = vec![0xA5u8; stride * side];
        transform(pulp::Arch::new(), side, coefficients, quant, &mut out, stride);
        for row in 0..side {
            assert!(out[row * stride + side..(row + 1) * stride]
                .iter()
                .all(|&s| s == 0xA5));
        }
        (0..side * side)
            .map(|i| out[(i / side) * stride + i % side])
            .collect()
    }

    /// Blocks as photos make them: a DC anywhere in range, AC terms that shrink with frequency,
    /// many of them zero; and quantisers from 1 to 64.
    fn block() -> impl Strategy<Value = ([i16; 64], [u16; 64])> {
        let coefficient = |i: usize| {
            let reach: i16 = 512 >> ((i / 8 + i % 8) / 3);
            prop_oneof![2 => Just(0i16), 1 => -reach..=reach]
        };
        let coefficients: Vec<_> = (0..64).map(coefficient).collect();
        (coefficients, 1u16..=4, proptest::bool::ANY).prop_map(|(c, q, flat)| {
            let mut block: [i16; 64] = c.try_into().unwrap();
            block[0] = block[0].clamp(-1023, 1023);
            if flat {
                block[1..].fill(0);
            }
            let quant = std::array::from_fn(|i| if i == 0 { 1 } else { q });
            let block = block.map(|c| c / q as i16);
            (block, quant)
        })
    }

    fn check(side: usize, coefficients: &[i16; 64], quant: &[u16; 64], tolerance: f64) {
        let input: [i64; 64] = std::array::from_fn(|i| i64::from(coefficients[i]) * i64::from(quant[i]));
        let expected = reference(&input, side);
        let got = run(side, coefficients, quant);
        for (i, (&g, e)) in got.iter().zip(expected).enumerate() {
            // Far out of range libjpeg's table wraps (see `limit`): no float reference there.
            if !(-380.0..630.0).contains(&e) {
                continue;
            }
            let e = e.clamp(0.0, 255.0);
            assert!(
                (f64::from(g) - e).abs() <= tolerance,
                "{side}x{side} sample {i}: {g} vs {e:.2} for {coefficients:?}"
            );
        }
    }

    proptest! {
        #[test]
        fn the_8x8_kernel_is_within_one_level_of_the_float_transform((c, q) in block()) {
            check(8, &c, &q, 1.0);
        }

        #[test]
        fn the_4x4_kernel_is_within_one_level_of_the_averaged_float_transform((c, q) in block()) {
            check(4, &c, &q, 1.0);
        }

        #[test]
        fn the_2x2_kernel_is_within_one_level_of_the_averaged_float_transform((c, q) in block()) {
            check(2, &c, &q, 1.0);
        }

        #[test]
        fn the_1x1_kernel_is_the_rounded_mean((c, q) in block()) {
            check(1, &c, &q, 0.501);
        }
    }

    #[test]
    fn every_single_coefficient_matches_the_float_transform_at_every_size() {
        for i in 0..64 {
            for value in [-600i16, -37, 5, 255, 1000] {
                let mut block = [0i16; 64];
                block[i] = value;
                for side in [8, 4, 2, 1] {
                    check(side, &block, &[1; 64], 1.0);
                }
            }
        }
    }

    #[test]
    fn a_zero_quantiser_zeroes_its_coefficient_and_huge_values_wrap_as_in_libjpeg() {
        let mut block = [0i16; 64];
        block[0] = 80;
        block[1] = 500;
        let mut quant = [1u16; 64];
        quant[1] = 0;
        assert!(run(8, &block, &quant).iter().all(|&s| s == 138));
        assert_eq!(run(1, &block, &quant), [138]);
        // libjpeg's table: 128 over the centre saturates, 512 over wraps to black.
        assert_eq!(
            (
                limit(127),
                limit(128),
                limit(511),
                limit(512),
                limit(-129),
                limit(-128)
            ),
            (255, 255, 255, 0, 0, 0)
        );
        assert_eq!(limit(-1), 127);
        for x in -3000..3000 {
            assert_eq!(limit_lane(x), i32::from(limit(x)), "{x}");
        }
        let extreme = [i16::MIN; 64];
        let _ = run(8, &extreme, &[u16::MAX; 64]); // no overflow, no panic
    }
}
