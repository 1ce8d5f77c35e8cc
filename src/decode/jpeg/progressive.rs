//! The four kinds of progressive scan (JPEG G.1.2): DC first and DC refinement (interleaved or
//! not), AC first and AC refinement (one component, one spectral band), with end-of-band runs.
//! Each adds to the [`Coefficients`] that earlier scans began; libjpeg's `jdphuff.c` is the
//! behaviour matched, including where a corrupt run overshoots the band (it lands on the
//! last coefficient, [`NATURAL_ORDER`]'s padding).

use super::bits::BitReader;
use super::coefficients::{Block, Coefficients, Slot};
use super::huffman::{Table, Tables};
use super::quant::NATURAL_ORDER;
use super::scan::{quant_table, walk, BlockDecoder, Context, Grid, Scan};
use super::Damage;

/// Which of the four scans, with the tables it reads.
enum Kind<'t> {
    /// With each scan component's DC table.
    DcFirst(Vec<&'t Table>),
    DcRefine,
    AcFirst(&'t Table),
    AcRefine(&'t Table),
}

struct Progressive<'t, 'c> {
    kind: Kind<'t>,
    /// Frame component index of each scan component.
    components: Vec<usize>,
    coefficients: &'c mut Coefficients,
    pass: Pass,
    predictors: [i32; 4],
    /// Blocks left in the current end-of-band run (AC scans).
    eob_run: u32,
}

/// Checks a progressive scan's parameters as libjpeg does (`start_pass_phuff_decoder`): a DC
/// scan codes position 0 alone, an AC scan one component's band within 1 to 63, a refinement
/// one bit below the last, and no point transform above 13.
fn check(scan: &Scan) -> Result<(), Damage> {
    let dc = scan.start == 0;
    let band_ok = if dc {
        scan.end == 0
    } else {
        scan.start <= scan.end && scan.end <= 63 && scan.components.len() == 1
    };
    let bits_ok = (scan.high == 0 || scan.low + 1 == scan.high) && scan.low <= 13;
    if band_ok && bits_ok {
        Ok(())
    } else {
        Err(Damage::Corrupt)
    }
}

/// Decodes a progressive scan whose entropy-coded data starts at `pos` into `coefficients`;
/// returns where the data after the scan starts.
pub(super) fn decode_progressive(
    bytes: &[u8],
    pos: usize,
    scan: &Scan,
    context: Context<'_, '_>,
    coefficients: &mut Coefficients,
) -> Result<usize, Damage> {
    check(scan)?;
    let Context {
        frame,
        huffman,
        quant,
        restart_interval,
    } = context;
    for c in &scan.components {
        if coefficients.quant[c.index].is_none() {
            coefficients.quant[c.index] = Some(quant_table(frame, quant, c.index)?);
        }
        match (scan.start, scan.high) {
            (0, 0) => huffman.get(0, c.dc).map(|_| ())?,
            (0, _) => {}
            _ => huffman.get(1, c.ac).map(|_| ())?,
        }
    }
    let huffman: &Tables<'_> = huffman;
    let ac = || huffman.built(1, scan.components[0].ac).ok_or(Damage::Corrupt);
    let kind = match (scan.start, scan.high) {
        (0, 0) => Kind::DcFirst(
            scan.components
                .iter()
                .map(|c| huffman.built(0, c.dc).ok_or(Damage::Corrupt))
                .collect::<Result<_, _>>()?,
        ),
        (0, _) => Kind::DcRefine,
        (_, 0) => Kind::AcFirst(ac()?),
        _ => Kind::AcRefine(ac()?),
    };
    let mut decoder = Progressive {
        kind,
        components: scan.components.iter().map(|c| c.index).collect(),
        coefficients,
        pass: Pass {
            band: (usize::from(scan.start), usize::from(scan.end)),
            low: u32::from(scan.low),
        },
        predictors: [0; 4],
        eob_run: 0,
    };
    walk(bytes, pos, &Grid::of(frame, scan), restart_interval, &mut decoder)
}

impl BlockDecoder for Progressive<'_, '_> {
    fn block(&mut self, bits: &mut BitReader<'_>, unit: usize, bx: usize, by: usize) -> Result<(), Damage> {
        let index = self.components[unit];
        let pass = &self.pass;
        match self.coefficients.slot(index, bx, by) {
            Slot::Wide(block) => pass.decode(
                &self.kind,
                unit,
                bits,
                block,
                &mut self.predictors[unit],
                &mut self.eob_run,
            ),
            Slot::Narrow(mut block) => pass.decode(
                &self.kind,
                unit,
                bits,
                &mut block,
                &mut self.predictors[unit],
                &mut self.eob_run,
            ),
            Slot::Dropped(nonzero) => {
                // Decoded all the same; only which AC coefficients of the band are nonzero is
                // kept. A DC scan needs none of that; an AC first scan starts from a band of
                // zeros; a refinement needs the band's nonzero ones (their values do not matter).
                let mut block = [0i16; 64];
                let (start, end) = pass.band;
                let band = &NATURAL_ORDER[start.max(1)..=end.max(start)];
                if matches!(self.kind, Kind::AcRefine(_)) {
                    for &natural in band {
                        block[usize::from(natural)] = (*nonzero >> natural & 1) as i16;
                    }
                }
                pass.decode(
                    &self.kind,
                    unit,
                    bits,
                    &mut block,
                    &mut self.predictors[unit],
                    &mut self.eob_run,
                )?;
                if start > 0 {
                    for &natural in band {
                        let bit = 1u64 << natural;
                        *nonzero = if block[usize::from(natural)] != 0 {
                            *nonzero | bit
                        } else {
                            *nonzero & !bit
                        };
                    }
                }
                Ok(())
            }
            Slot::Padding => {
                let mut block = [0i16; 64];
                pass.decode(
                    &self.kind,
                    unit,
                    bits,
                    &mut block,
                    &mut self.predictors[unit],
                    &mut self.eob_run,
                )
            }
        }
    }

    fn restart(&mut self) {
        self.predictors = [0; 4];
        self.eob_run = 0;
    }
}

/// A scan's spectral band (zigzag positions) and point transform (the bit position coded).
struct Pass {
    band: (usize, usize),
    low: u32,
}

impl Pass {
    #[inline(always)]
    fn decode(
        &self,
        kind: &Kind<'_>,
        unit: usize,
        bits: &mut BitReader<'_>,
        block: &mut impl Block,
        predictor: &mut i32,
        eob_run: &mut u32,
    ) -> Result<(), Damage> {
        match kind {
            Kind::DcFirst(tables) => {
                let (_, diff) = tables[unit].decode(bits)?;
                *predictor = predictor.wrapping_add(diff);
                block.set(0, predictor.wrapping_shl(self.low) as i16);
            }
            Kind::DcRefine => {
                if bits.bits(1)? == 1 {
                    block.set(0, block.get(0) | 1 << self.low);
                }
            }
            Kind::AcFirst(table) => self.ac_first(bits, table, block, eob_run)?,
            Kind::AcRefine(table) => self.ac_refine(bits, table, block, eob_run)?,
        }
        Ok(())
    }

    /// An AC first scan's block: runs and values in the band, or an end-of-band run.
    fn ac_first(
        &self,
        bits: &mut BitReader<'_>,
        table: &Table,
        block: &mut impl Block,
        run: &mut u32,
    ) -> Result<(), Damage> {
        let ((start, end), low) = (self.band, self.low);
        if *run > 0 {
            *run -= 1;
            return Ok(());
        }
        let mut k = start;
        while k <= end {
            let (rs, value) = table.decode(bits)?;
            let r = usize::from(rs >> 4);
            if rs & 0x0F != 0 {
                k += r;
                block.set(usize::from(NATURAL_ORDER[k]), value.wrapping_shl(low) as i16);
                k += 1;
            } else if r == 15 {
                k += 16;
            } else {
                *run = eob_run(bits, r as u32)?;
                break;
            }
        }
        Ok(())
    }

    /// An AC refinement scan's block (G.1.2.3): new coefficients of magnitude 1 at the coded bit,
    /// each after a run of still-zero ones, and a correction bit for every coefficient already
    /// nonzero that the run or the end of band passes over.
    fn ac_refine(
        &self,
        bits: &mut BitReader<'_>,
        table: &Table,
        block: &mut impl Block,
        run: &mut u32,
    ) -> Result<(), Damage> {
        let ((start, end), low) = (self.band, self.low);
        let bit = 1i16 << low;
        let mut k = start;
        if *run == 0 {
            while k <= end {
                let (rs, value) = table.decode(bits)?;
                let mut r = i32::from(rs >> 4);
                let new = match rs & 0x0F {
                    // The table's own decode has read the one bit that follows: 1 for +, 0 for -.
                    1 => value.signum() as i16 * bit,
                    0 if r == 15 => 0,
                    0 => {
                        *run = eob_run(bits, r as u32)? + 1;
                        break;
                    }
                    _ => return Err(Damage::Corrupt), // libjpeg warns and reads one bit; we refuse
                };
                // Past nonzero coefficients (each taking a correction bit) and r zero ones, to the
                // zero coefficient the new value goes to.
                while k <= end {
                    let natural = usize::from(NATURAL_ORDER[k]);
                    let coefficient = block.get(natural);
                    if coefficient != 0 {
                        refine(bits, block, natural, coefficient, bit)?;
                    } else {
                        r -= 1;
                        if r < 0 {
                            break;
                        }
                    }
                    k += 1;
                }
                if new != 0 {
                    block.set(usize::from(NATURAL_ORDER[k]), new);
                }
                k += 1;
            }
        }
        if *run > 0 {
            // The rest of the band: correction bits for the nonzero coefficients only.
            while k <= end {
                let natural = usize::from(NATURAL_ORDER[k]);
                let coefficient = block.get(natural);
                if coefficient != 0 {
                    refine(bits, block, natural, coefficient, bit)?;
                }
                k += 1;
            }
            *run -= 1;
        }
        Ok(())
    }
}

/// Appends a correction bit to `coefficient`, already nonzero, at position `natural`: its
/// magnitude grows by the bit coded, unless that bit is set already.
#[inline(always)]
fn refine(
    bits: &mut BitReader<'_>,
    block: &mut impl Block,
    natural: usize,
    coefficient: i16,
    bit: i16,
) -> Result<(), Damage> {
    if bits.bits(1)? == 1 && coefficient & bit == 0 {
        let grown = if coefficient >= 0 {
            coefficient.wrapping_add(bit)
        } else {
            coefficient.wrapping_sub(bit)
        };
        block.set(natural, grown);
    }
    Ok(())
}

/// Reads an end-of-band run's length after its symbol `r`/0: 2^r plus r more bits, less the
/// block that the symbol itself ends.
fn eob_run(bits: &mut BitReader<'_>, r: u32) -> Result<u32, Damage> {
    Ok((1 << r) + bits.bits(r)? - 1)
}
