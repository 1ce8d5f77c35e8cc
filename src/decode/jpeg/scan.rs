//! Scan headers (SOS, JPEG B.2.3) and the sequential Huffman decoding of a scan (F.2.2), each
//! block dequantised and transformed straight into its component's plane while it is in cache.
//!
//! Every block of the scan's grid is entropy-decoded (the stream is serial); blocks of an
//! interleaved scan's MCU padding, beyond the component's own blocks, are decoded and dropped,
//! as libjpeg does.

use super::bits::BitReader;
use super::header::Frame;
use super::huffman::{Table, Tables};
use super::idct;
use super::planes::{Plane, Window};
use super::quant::{QuantTables, NATURAL_ORDER};
use super::Damage;

/// One component of a scan: index into the frame's components, DC and AC table slots.
#[derive(Clone, Copy, Debug)]
pub(super) struct ScanComponent {
    pub(super) index: usize,
    pub(super) dc: usize,
    pub(super) ac: usize,
}

#[derive(Debug)]
pub(super) struct Scan {
    pub(super) components: Vec<ScanComponent>,
    /// Spectral selection and successive approximation: fixed for sequential scans (libjpeg
    /// only warns when they are not 0, 63, 0, 0, and decodes the scan as sequential).
    pub(super) start: u8,
    pub(super) end: u8,
    pub(super) high: u8,
    pub(super) low: u8,
}

/// Reads a scan header. A component the frame lacks, one named twice, or more than 10 blocks
/// in an interleaved MCU (B.2.3) is corrupt.
pub(super) fn read_scan(body: &[u8], frame: &Frame) -> Result<Scan, Damage> {
    let (&n, rest) = body.split_first().ok_or(Damage::Corrupt)?;
    let n = usize::from(n);
    let specs = rest.get(..n * 2).ok_or(Damage::Corrupt)?;
    let mut components: Vec<ScanComponent> = Vec::with_capacity(n);
    for spec in specs.chunks_exact(2) {
        let index = frame
            .ids
            .iter()
            .position(|&id| id == spec[0])
            .ok_or(Damage::Corrupt)?;
        if components.iter().any(|c| c.index == index) {
            return Err(Damage::Corrupt);
        }
        components.push(ScanComponent {
            index,
            dc: usize::from(spec[1] >> 4),
            ac: usize::from(spec[1] & 0x0F),
        });
    }
    let tail = rest.get(n * 2..n * 2 + 3).ok_or(Damage::Corrupt)?;
    if components.is_empty() || n > 4 {
        return Err(Damage::Corrupt);
    }
    if n > 1 {
        let blocks: usize = components
            .iter()
            .map(|c| {
                let (h, v) = frame.sampling[c.index];
                usize::from(h) * usize::from(v)
            })
            .sum();
        if blocks > 10 {
            return Err(Damage::Corrupt);
        }
    }
    Ok(Scan {
        components,
        start: tail[0],
        end: tail[1],
        high: tail[2] >> 4,
        low: tail[2] & 0x0F,
    })
}

/// What a sequential scan needs besides the data: the frame, its tables as the scan starts, and
/// the restart interval in MCUs (0 for none).
pub(super) struct Context<'t, 'a> {
    pub(super) frame: &'t Frame,
    pub(super) huffman: &'t mut Tables<'a>,
    pub(super) quant: &'t QuantTables,
    pub(super) restart_interval: u32,
}

/// What one kind of scan does with each block, in coding order; [`walk`] drives it.
pub(super) trait BlockDecoder {
    /// Decodes the block at (`bx`, `by`) of the scan's `unit`-th component (in its own block
    /// grid; the MCU padding of an interleaved scan lies beyond the component's blocks).
    fn block(&mut self, bits: &mut BitReader<'_>, unit: usize, bx: usize, by: usize) -> Result<(), Damage>;
    /// A restart marker: every prediction starts afresh.
    fn restart(&mut self);
}

/// A scan's grid: MCUs across and down, and each scan component's blocks per MCU.
pub(super) struct Grid {
    mcus: (usize, usize),
    blocks_per_mcu: Vec<(usize, usize)>,
}

impl Grid {
    /// An interleaved scan covers the frame's MCUs; a scan of one component is that
    /// component's own blocks, one per MCU (A.2.2).
    pub(super) fn of(frame: &Frame, scan: &Scan) -> Grid {
        if let [only] = scan.components[..] {
            let (w, h) = frame.component_blocks(only.index);
            return Grid {
                mcus: (w as usize, h as usize),
                blocks_per_mcu: vec![(1, 1)],
            };
        }
        let (x, y) = frame.mcus();
        Grid {
            mcus: (x as usize, y as usize),
            blocks_per_mcu: scan
                .components
                .iter()
                .map(|c| {
                    let (h, v) = frame.sampling[c.index];
                    (usize::from(h), usize::from(v))
                })
                .collect(),
        }
    }
}

/// Drives `decoder` over every block of a scan whose entropy-coded data starts at `pos`,
/// consuming a restart marker after every `restart_interval` MCUs; returns where the data after
/// the scan starts.
#[inline(always)]
pub(super) fn walk(
    bytes: &[u8],
    pos: usize,
    grid: &Grid,
    restart_interval: u32,
    decoder: &mut impl BlockDecoder,
) -> Result<usize, Damage> {
    let mut bits = BitReader::new(bytes, pos);
    let interval = u64::from(restart_interval);
    let mut mcu = 0u64;
    for my in 0..grid.mcus.1 {
        for mx in 0..grid.mcus.0 {
            if interval > 0 && mcu > 0 && mcu.is_multiple_of(interval) {
                bits.restart()?;
                decoder.restart();
            }
            mcu += 1;
            for (unit, &(h, v)) in grid.blocks_per_mcu.iter().enumerate() {
                for by in my * v..(my + 1) * v {
                    for bx in mx * h..(mx + 1) * h {
                        decoder.block(&mut bits, unit, bx, by)?;
                    }
                }
            }
        }
    }
    Ok(bits.position())
}

/// A scan component with everything its blocks need, looked up once per scan.
struct Unit<'t> {
    index: usize,
    dc: &'t Table,
    ac: &'t Table,
    quant: [u16; 64],
}

/// Sequential decoding: each block of a plane's window dequantised and transformed into the
/// plane at once; the others only decoded.
struct Sequential<'t, 'p> {
    units: Vec<Unit<'t>>,
    predictors: [i32; 4],
    planes: &'p mut [Plane],
    windows: &'p [Window],
    arch: pulp::Arch,
}

impl BlockDecoder for Sequential<'_, '_> {
    #[inline(always)]
    fn block(&mut self, bits: &mut BitReader<'_>, unit: usize, bx: usize, by: usize) -> Result<(), Damage> {
        let mut block = [0i16; 64];
        let u = &self.units[unit];
        decode_block(bits, u, &mut self.predictors[unit], &mut block)?;
        if self.windows[u.index].contains(bx, by) {
            let plane = &mut self.planes[u.index];
            let (side, stride) = (plane.side, plane.stride);
            if let Some(samples) = plane.block_row(by) {
                idct::transform(
                    self.arch,
                    side,
                    &block,
                    &u.quant,
                    &mut samples[bx * side..],
                    stride,
                );
            }
        }
        Ok(())
    }

    fn restart(&mut self) {
        self.predictors = [0; 4];
    }
}

/// The quantisation table the frame gives a scan component, as the file has defined it so far.
pub(super) fn quant_table(frame: &Frame, quant: &QuantTables, index: usize) -> Result<[u16; 64], Damage> {
    let slot = usize::from(frame.quant.get(index).copied().unwrap_or(0));
    quant.get(slot).copied().flatten().ok_or(Damage::Corrupt)
}

/// Decodes a sequential scan whose entropy-coded data starts at `pos`, writing the blocks of
/// each plane's window (every block the output region needs) into `planes`; returns where the
/// data after the scan starts.
pub(super) fn decode_sequential(
    bytes: &[u8],
    pos: usize,
    scan: &Scan,
    context: Context<'_, '_>,
    (planes, windows): (&mut [Plane], &[Window]),
) -> Result<usize, Damage> {
    let Context {
        frame,
        huffman,
        quant,
        restart_interval,
    } = context;
    // Build the tables first, then borrow them all at once.
    for c in &scan.components {
        huffman.get(0, c.dc)?;
        huffman.get(1, c.ac)?;
    }
    let huffman: &Tables<'_> = huffman;
    let mut units = Vec::with_capacity(scan.components.len());
    for c in &scan.components {
        units.push(Unit {
            index: c.index,
            dc: huffman.built(0, c.dc).ok_or(Damage::Corrupt)?,
            ac: huffman.built(1, c.ac).ok_or(Damage::Corrupt)?,
            quant: quant_table(frame, quant, c.index)?,
        });
    }
    let mut decoder = Sequential {
        units,
        predictors: [0; 4],
        planes,
        windows,
        arch: pulp::Arch::new(),
    };
    walk(bytes, pos, &Grid::of(frame, scan), restart_interval, &mut decoder)
}

/// One block's DC difference and AC run/size codes, into `block` in natural order.
#[inline(always)]
fn decode_block(
    bits: &mut BitReader<'_>,
    unit: &Unit<'_>,
    predictor: &mut i32,
    block: &mut [i16; 64],
) -> Result<(), Damage> {
    let (_, diff) = unit.dc.decode(bits)?;
    *predictor = predictor.wrapping_add(diff);
    block[0] = *predictor as i16; // libjpeg stores coefficients as 16 bits
    let mut k = 1usize;
    while k < 64 {
        let (rs, value) = unit.ac.decode(bits)?;
        let run = usize::from(rs >> 4);
        if rs & 0x0F == 0 {
            if run != 15 {
                break; // end of block
            }
            k += 16;
            continue;
        }
        k += run;
        block[usize::from(NATURAL_ORDER[k])] = value as i16;
        k += 1;
    }
    Ok(())
}
