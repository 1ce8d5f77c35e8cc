//! The coefficients of a progressive file, kept between its scans: every scan adds to blocks
//! that earlier scans began, so nothing can be transformed before the last one. After it (or
//! after the data breaks off, when damage is accepted) each kept block is dequantised and
//! transformed into its plane at the chosen scale, one block row at a time, and each row of
//! coefficients is freed as its samples are made: the samples never coexist with all the
//! coefficients.
//!
//! Only the blocks of each component's [`Window`] (what the output region needs) keep their
//! values. Every other block keeps one bit per coefficient, whether it is nonzero: an AC
//! refinement scan reads a correction bit for each nonzero coefficient it passes, so without
//! those bits the rest of the scan could not be read.
//!
//! A kept block holds its DC coefficient in 16 bits and its AC coefficients in 8: in photos
//! the DC value often needs more than 8 bits, the AC values hardly ever (at most 1.4% of the
//! blocks of the lomiri wallpapers and the bench inputs have an AC value outside -127..=127).
//! A block whose AC values outgrow 8 bits is spilled to 16-bit storage beside its row, and a
//! row with more than a quarter of its blocks spilled is widened whole to 16 bits, so no input
//! costs more than 16-bit storage would (128 bytes per kept block, plus a row); photos cost
//! about 67.
//!
//! Allocation, from the frame's size (checked against the limits by the caller):
//! [`Coefficients::bytes`].

use super::header::Frame;
use super::idct;
use super::planes::{Plane, Window};

pub(super) struct Coefficients {
    /// Per component: the block rows of its window.
    rows: Vec<Vec<Row>>,
    windows: Vec<Window>,
    /// Per component: for each block of its grid (row by row), its nonzero coefficients as bits
    /// (natural order); kept up to date for the blocks outside the window only.
    nonzero: Vec<Vec<u64>>,
    /// Per component: blocks across and down in its grid.
    grids: Vec<(usize, usize)>,
    /// Per component: the quantisation table as it stood at the component's first scan
    /// (libjpeg latches it there; a later DQT does not change the component).
    pub(super) quant: Vec<Option<[u16; 64]>>,
}

/// One block row of a window.
enum Row {
    Narrow(Narrow),
    /// 16 bits for every coefficient, natural order.
    Wide(Vec<[i16; 64]>),
}

/// A block row in 8-bit AC storage.
struct Narrow {
    dc: Vec<i16>,
    /// Per block, natural order from 1; `ac[0]` is 0, or [`SPILLED`] for a block kept in
    /// `spilled` (then `ac[1..5]` hold its index there, little-endian).
    ac: Vec<[i8; 64]>,
    /// Blocks whose AC values outgrew 8 bits, all 64 coefficients (DC included) in 16 bits.
    spilled: Vec<[i16; 64]>,
}

const SPILLED: i8 = 1;

impl Narrow {
    fn new(blocks: usize) -> Narrow {
        Narrow {
            dc: vec![0; blocks],
            ac: vec![[0; 64]; blocks],
            spilled: Vec::new(),
        }
    }

    fn spilled_index(ac: &[i8; 64]) -> Option<usize> {
        (ac[0] == SPILLED).then(|| u32::from_le_bytes([ac[1], ac[2], ac[3], ac[4]].map(|b| b as u8)) as usize)
    }

    /// Block `i` in 16 bits.
    fn block(&self, i: usize) -> [i16; 64] {
        match Narrow::spilled_index(&self.ac[i]) {
            Some(at) => self.spilled[at],
            None => {
                let mut block = self.ac[i].map(i16::from);
                block[0] = self.dc[i];
                block
            }
        }
    }

    /// The row with every block in 16 bits.
    fn widen(&self) -> Vec<[i16; 64]> {
        (0..self.dc.len()).map(|i| self.block(i)).collect()
    }
}

/// Where a block of a scan goes.
pub(super) enum Slot<'c> {
    /// A kept block in 16-bit storage.
    Wide(&'c mut [i16; 64]),
    /// A kept block in 8-bit AC storage.
    Narrow(NarrowBlock<'c>),
    /// A block outside the window: its nonzero bits.
    Dropped(&'c mut u64),
    /// Padding of an interleaved scan's MCU, beyond the component's blocks.
    Padding,
}

/// A block's coefficients as a scan reads and writes them, by natural-order position.
pub(super) trait Block {
    fn get(&self, k: usize) -> i16;
    fn set(&mut self, k: usize, value: i16);
}

impl Block for [i16; 64] {
    #[inline(always)]
    fn get(&self, k: usize) -> i16 {
        self[k]
    }

    #[inline(always)]
    fn set(&mut self, k: usize, value: i16) {
        self[k] = value;
    }
}

/// A kept block in 8-bit AC storage, spilled to its row's 16-bit storage when a value outgrows
/// 8 bits.
pub(super) struct NarrowBlock<'c> {
    dc: &'c mut i16,
    ac: &'c mut [i8; 64],
    spilled: &'c mut Vec<[i16; 64]>,
    /// Index in `spilled` once this block is there.
    spill: Option<usize>,
    /// Most blocks `spilled` may hold: beyond that the row is widened.
    room: usize,
}

impl Block for NarrowBlock<'_> {
    #[inline(always)]
    fn get(&self, k: usize) -> i16 {
        match self.spill {
            Some(at) => self.spilled[at][k],
            None if k == 0 => *self.dc,
            None => i16::from(self.ac[k]),
        }
    }

    #[inline(always)]
    fn set(&mut self, k: usize, value: i16) {
        match self.spill {
            Some(at) => self.spilled[at][k] = value,
            None if k == 0 => *self.dc = value,
            None => match i8::try_from(value) {
                Ok(narrow) => self.ac[k] = narrow,
                Err(_) => self.spill(k, value),
            },
        }
    }
}

impl NarrowBlock<'_> {
    #[cold]
    fn spill(&mut self, k: usize, value: i16) {
        let mut block = self.ac.map(i16::from);
        block[0] = *self.dc;
        block[k] = value;
        let at = self.spilled.len();
        if at == self.spilled.capacity() {
            // Doubling, but never past the room: the bound of `Coefficients::bytes`.
            let more = at.min(self.room.saturating_sub(at)).max(1);
            self.spilled.reserve_exact(more);
        }
        self.spilled.push(block);
        let index = (at as u32).to_le_bytes();
        self.ac[0] = SPILLED;
        for (byte, &b) in self.ac[1..5].iter_mut().zip(&index) {
            *byte = b as i8;
        }
        self.spill = Some(at);
    }
}

/// Per component: blocks across and down.
fn grids(frame: &Frame) -> Vec<(usize, usize)> {
    (0..frame.sampling.len())
        .map(|index| {
            let (w, h) = frame.component_blocks(index);
            (w as usize, h as usize)
        })
        .collect()
}

impl Coefficients {
    /// Zeroed coefficients for the blocks of `windows` (one per component of `frame`).
    pub(super) fn new(frame: &Frame, windows: Vec<Window>) -> Coefficients {
        let grids = grids(frame);
        let nonzero = grids
            .iter()
            .zip(&windows)
            .map(|(&(w, h), window)| {
                let whole = window.blocks() == w * h;
                vec![0; if whole { 0 } else { w * h }]
            })
            .collect();
        Coefficients {
            rows: windows
                .iter()
                .map(|w| {
                    (0..w.rows.len())
                        .map(|_| Row::Narrow(Narrow::new(w.columns.len())))
                        .collect()
                })
                .collect(),
            nonzero,
            quant: vec![None; grids.len()],
            grids,
            windows,
        }
    }

    /// Bytes [`Coefficients::new`] and the scans may allocate for `frame` and `windows`, at
    /// most: per kept block 128 (a row in 8-bit AC storage takes 66 per block, and its spilled
    /// blocks up to 32 more and 128 at most beside, before it is widened to 128 per block), one
    /// row being widened, and 8 per block outside the window.
    pub(super) fn bytes(frame: &Frame, windows: &[Window]) -> u64 {
        grids(frame)
            .iter()
            .zip(windows)
            .map(|(&(w, h), window)| {
                let kept = window.blocks() as u64;
                let all = (w * h) as u64;
                let (columns, rows) = (window.columns.len() as u64, window.rows.len() as u64);
                kept * 128 + rows * 128 + columns * 128 + if kept == all { 0 } else { all * 8 }
            })
            .sum()
    }

    /// The block at (`bx`, `by`) of component `index`.
    #[inline(always)]
    pub(super) fn slot(&mut self, index: usize, bx: usize, by: usize) -> Slot<'_> {
        let window = &self.windows[index];
        if window.contains(bx, by) {
            let (i, wide) = (bx - window.columns.start, window.columns.len());
            let row = &mut self.rows[index][by - window.rows.start];
            if let Row::Narrow(narrow) = row {
                if narrow.spilled.len() > wide / 4 {
                    // Past a quarter: 8-bit storage no longer saves memory here.
                    *row = Row::Wide(narrow.widen());
                }
            }
            return match row {
                Row::Wide(blocks) => Slot::Wide(&mut blocks[i]),
                Row::Narrow(Narrow { dc, ac, spilled }) => match Narrow::spilled_index(&ac[i]) {
                    Some(at) => Slot::Wide(&mut spilled[at]),
                    None => Slot::Narrow(NarrowBlock {
                        dc: &mut dc[i],
                        ac: &mut ac[i],
                        spilled,
                        spill: None,
                        room: wide / 4 + 1,
                    }),
                },
            };
        }
        let (w, h) = self.grids[index];
        match self.nonzero[index].get_mut(by * w + bx) {
            Some(bits) if bx < w && by < h => Slot::Dropped(bits),
            _ => Slot::Padding,
        }
    }

    /// Transforms every kept block into `planes` (one per component, at the chosen scale), a
    /// block row at a time, freeing each row of coefficients once its samples are made. A
    /// component that never had a scan (only when damage is accepted) stays mid-grey.
    pub(super) fn transform_into(self, planes: &mut [Plane]) {
        let Coefficients {
            rows,
            windows,
            nonzero,
            quant,
            ..
        } = self;
        drop(nonzero);
        let arch = pulp::Arch::new();
        for (((rows, window), quant), plane) in rows.into_iter().zip(&windows).zip(&quant).zip(planes) {
            let (side, stride) = (plane.side, plane.stride);
            for (row, by) in rows.into_iter().zip(window.rows.clone()) {
                let Some(samples) = plane.block_row(by) else {
                    continue;
                };
                let Some(quant) = quant else { continue };
                for (i, bx) in window.columns.clone().enumerate() {
                    let block = match &row {
                        Row::Wide(blocks) => blocks[i],
                        Row::Narrow(narrow) => narrow.block(i),
                    };
                    idct::transform(arch, side, &block, quant, &mut samples[bx * side..], stride);
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn frame(width: u32, height: u32) -> Frame {
        Frame {
            marker: 0xC2,
            precision: 8,
            width,
            height,
            ids: vec![1],
            sampling: vec![(1, 1)],
            quant: vec![0],
        }
    }

    fn set(store: &mut Coefficients, (bx, by): (usize, usize), k: usize, value: i16) {
        match store.slot(0, bx, by) {
            Slot::Wide(block) => block.set(k, value),
            Slot::Narrow(mut block) => block.set(k, value),
            _ => panic!("not a kept block"),
        }
    }

    fn get(store: &mut Coefficients, (bx, by): (usize, usize), k: usize) -> i16 {
        match store.slot(0, bx, by) {
            Slot::Wide(block) => block.get(k),
            Slot::Narrow(block) => block.get(k),
            _ => panic!("not a kept block"),
        }
    }

    fn row_is_wide(store: &Coefficients, row: usize) -> bool {
        matches!(store.rows[0][row], Row::Wide(_))
    }

    #[test]
    fn values_outside_eight_bits_spill_and_read_back_exactly() {
        let window = Window {
            columns: 0..8,
            rows: 0..2,
        };
        let mut store = Coefficients::new(&frame(64, 16), vec![window]);
        set(&mut store, (3, 0), 0, -1024); // DC: 16 bits in any case
        set(&mut store, (3, 0), 5, 127);
        set(&mut store, (3, 0), 9, -128);
        assert!(matches!(store.slot(0, 3, 0), Slot::Narrow(_)));
        set(&mut store, (3, 0), 63, 300); // the block spills, keeping what it had
        assert!(matches!(store.slot(0, 3, 0), Slot::Wide(_)));
        for (k, value) in [(0, -1024), (5, 127), (9, -128), (63, 300), (1, 0)] {
            assert_eq!(get(&mut store, (3, 0), k), value, "coefficient {k}");
        }
        set(&mut store, (3, 0), 1, -2000);
        assert_eq!(get(&mut store, (3, 0), 1), -2000);
        set(&mut store, (4, 0), 2, -129);
        assert_eq!(get(&mut store, (4, 0), 2), -129);
        assert_eq!(get(&mut store, (4, 1), 2), 0);
        assert!(!row_is_wide(&store, 0), "two of eight blocks spilled");
        let Row::Narrow(narrow) = &store.rows[0][0] else {
            panic!()
        };
        assert!(
            narrow.spilled.capacity() <= 3,
            "room for a quarter of the row and one more"
        );
        // A third spilled block is more than a quarter of the row: the row widens, values kept.
        set(&mut store, (0, 0), 7, 1000);
        let _ = store.slot(0, 0, 0);
        assert!(row_is_wide(&store, 0));
        assert!(!row_is_wide(&store, 1));
        for ((bx, k), value) in [
            ((3, 63), 300),
            ((3, 9), -128),
            ((4, 2), -129),
            ((0, 7), 1000),
            ((3, 0), -1024),
        ] {
            assert_eq!(get(&mut store, (bx, 0), k), value);
        }
    }

    #[test]
    fn the_memory_bound_covers_the_worst_case_and_photos_take_about_half() {
        let window = Window {
            columns: 0..100,
            rows: 0..1,
        };
        let bound = Coefficients::bytes(&frame(800, 8), std::slice::from_ref(&window));
        assert_eq!(bound, 100 * 128 + 128 + 100 * 128);
        let store = Coefficients::new(&frame(800, 8), vec![window]);
        let Row::Narrow(narrow) = &store.rows[0][0] else {
            panic!()
        };
        assert_eq!(narrow.dc.len() * 2 + narrow.ac.len() * 64, 100 * 66);
    }
}
