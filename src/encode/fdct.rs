//! The forward DCT of one 8x8 block, in integers: the Loeffler-Ligtenberg-Moschytz factorisation
//! with 13-bit constants and 2 extra bits between the passes (JPEG's "islow" transform, as
//! libjpeg computes it), so that an image encodes to the same coefficients on every machine. The
//! output is 8 times the DCT of JPEG A.3.3, which the quantiser divides out.

const CONST_BITS: u32 = 13;
const PASS1_BITS: u32 = 2;

// The rotations' cosines, times 2^13 and rounded.
const FIX_0_298631336: i32 = 2446;
const FIX_0_390180644: i32 = 3196;
const FIX_0_541196100: i32 = 4433;
const FIX_0_765366865: i32 = 6270;
const FIX_0_899976223: i32 = 7373;
const FIX_1_175875602: i32 = 9633;
const FIX_1_501321110: i32 = 12299;
const FIX_1_847759065: i32 = 15137;
const FIX_1_961570560: i32 = 16069;
const FIX_2_053119869: i32 = 16819;
const FIX_2_562915447: i32 = 20995;
const FIX_3_072711026: i32 = 25172;

/// Rounds `x / 2^n` to nearest.
#[inline(always)]
fn descale(x: i32, n: u32) -> i32 {
    (x + (1 << (n - 1))) >> n
}

/// One 1-D transform of eight values at stride `step`: the first pass (rows) keeps `PASS1_BITS`
/// extra bits of precision, the second (columns) removes them.
#[inline(always)]
fn pass(data: &mut [i32; 64], start: usize, step: usize, first: bool) {
    let d = |i: usize| data[start + i * step];
    let (tmp0, tmp7) = (d(0) + d(7), d(0) - d(7));
    let (tmp1, tmp6) = (d(1) + d(6), d(1) - d(6));
    let (tmp2, tmp5) = (d(2) + d(5), d(2) - d(5));
    let (tmp3, tmp4) = (d(3) + d(4), d(3) - d(4));

    // Even part.
    let (tmp10, tmp13) = (tmp0 + tmp3, tmp0 - tmp3);
    let (tmp11, tmp12) = (tmp1 + tmp2, tmp1 - tmp2);
    let rotated = if first {
        CONST_BITS - PASS1_BITS
    } else {
        CONST_BITS + PASS1_BITS
    };
    let (out0, out4) = if first {
        ((tmp10 + tmp11) << PASS1_BITS, (tmp10 - tmp11) << PASS1_BITS)
    } else {
        (
            descale(tmp10 + tmp11, PASS1_BITS),
            descale(tmp10 - tmp11, PASS1_BITS),
        )
    };
    let z1 = (tmp12 + tmp13) * FIX_0_541196100;
    let out2 = descale(z1 + tmp13 * FIX_0_765366865, rotated);
    let out6 = descale(z1 - tmp12 * FIX_1_847759065, rotated);

    // Odd part.
    let (z1, z2, z3, z4) = (tmp4 + tmp7, tmp5 + tmp6, tmp4 + tmp6, tmp5 + tmp7);
    let z5 = (z3 + z4) * FIX_1_175875602;
    let (tmp4, tmp5) = (tmp4 * FIX_0_298631336, tmp5 * FIX_2_053119869);
    let (tmp6, tmp7) = (tmp6 * FIX_3_072711026, tmp7 * FIX_1_501321110);
    let (z1, z2) = (-z1 * FIX_0_899976223, -z2 * FIX_2_562915447);
    let (z3, z4) = (-z3 * FIX_1_961570560 + z5, -z4 * FIX_0_390180644 + z5);

    let out = [
        out0,
        descale(tmp7 + z1 + z4, rotated),
        out2,
        descale(tmp6 + z2 + z3, rotated),
        out4,
        descale(tmp5 + z2 + z4, rotated),
        out6,
        descale(tmp4 + z1 + z3, rotated),
    ];
    for (i, value) in out.into_iter().enumerate() {
        data[start + i * step] = value;
    }
}

/// Transforms a block of level-shifted samples (sample - 128, natural order) in place.
pub(super) fn forward(block: &mut [i32; 64]) {
    for row in 0..8 {
        pass(block, row * 8, 1, true);
    }
    for column in 0..8 {
        pass(block, column, 8, false);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// JPEG A.3.3's forward DCT in floating point, times 8.
    fn reference(samples: &[i32; 64]) -> [f64; 64] {
        let c = |k: usize| {
            if k == 0 {
                std::f64::consts::FRAC_1_SQRT_2
            } else {
                1.0
            }
        };
        let mut out = [0.0; 64];
        for v in 0..8 {
            for u in 0..8 {
                let mut sum = 0.0;
                for y in 0..8 {
                    for x in 0..8 {
                        sum += f64::from(samples[y * 8 + x])
                            * (((2 * x + 1) * u) as f64 * std::f64::consts::PI / 16.0).cos()
                            * (((2 * y + 1) * v) as f64 * std::f64::consts::PI / 16.0).cos();
                    }
                }
                out[v * 8 + u] = 2.0 * c(u) * c(v) * sum;
            }
        }
        out
    }

    #[test]
    fn the_integer_transform_is_within_two_of_the_exact_one_times_eight() {
        // Flat, extreme, checkerboard and pseudo-random blocks.
        let mut blocks: Vec<[i32; 64]> = vec![[0; 64], [127; 64], [-128; 64]];
        blocks.push(std::array::from_fn(|i| {
            if (i / 8 + i % 8) % 2 == 0 {
                127
            } else {
                -128
            }
        }));
        let mut seed = 0x2545_f491_u32;
        for _ in 0..200 {
            blocks.push(std::array::from_fn(|_| {
                seed ^= seed << 13;
                seed ^= seed >> 17;
                seed ^= seed << 5;
                (seed % 256) as i32 - 128
            }));
        }
        for samples in blocks {
            let exact = reference(&samples);
            let mut block = samples;
            forward(&mut block);
            for i in 0..64 {
                assert!(
                    (f64::from(block[i]) - exact[i]).abs() <= 2.0,
                    "coefficient {i}: {} vs {}",
                    block[i],
                    exact[i]
                );
            }
        }
    }
}
