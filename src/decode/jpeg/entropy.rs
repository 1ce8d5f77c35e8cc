//! A walk over the entropy-coded scans that decodes Huffman codes (no IDCT, no pixels) to check
//! that every scan holds all of its blocks.
//!
//! Why: jpeg-decoder, like libjpeg, pads a scan with zero bits when it meets a marker early, so a
//! file cut short and then closed with EOI (or carrying a stray marker) decodes "successfully"
//! with a flat or garbled lower part. Under `DamagedInput::Reject` that must be an error.
//!
//! Covered: sequential scans (interleaved or not) and the progressive scans that carry new
//! information: DC first, DC refinement, AC first. AC refinement scans depend on every earlier
//! scan's coefficients and are skipped to their end marker unchecked; so are lossless scans. A
//! progressive file whose later scans are missing altogether is a valid, coarser JPEG and passes.
//! Cost: one table lookup per code, about 7 to 8 cycles each (a chain of dependent loads and
//! shifts): about 21 ms for a 12 MP photo of 2.6 MB, a quarter of the whole pipeline. That is
//! the price of refusing truncated files that decoders would otherwise grey-fill.

use super::header::Frame;
use super::Damage;

/// Our choice: a progressive file redefining both tables before each of 100 scans needs 200.
pub(super) const MAX_TABLE_DEFINITIONS: usize = 1024;

/// 10 bits: the four tables of a colour scan (4 KiB each) stay in the L1 cache together; about
/// 3% faster than 12 bits (16 KiB each) on photos, although a few more codes take the slow path.
const LOOKUP_BITS: u32 = 10;

/// A canonical Huffman table (JPEG Annex C), decoded with a 10-bit lookup and the spec's
/// maxcode/valptr search for longer codes (F.2.2.3). The walk never needs coefficient values,
/// only how many bits each code and its extra bits take, so the lookup stores that sum for every
/// code of up to 10 bits: one lookup and one shift per coefficient in most files.
struct Huffman {
    lookup: Box<[Entry; 1 << LOOKUP_BITS]>,
    maxcode: [i32; 17],
    valptr: [i32; 17],
    mincode: [i32; 17],
    symbols: Vec<u8>,
    /// DC symbols are the count of extra bits; AC symbols hold it in their low nibble.
    dc: bool,
}

#[derive(Clone, Copy, Default)]
#[repr(C, align(4))] // one aligned 32-bit load per lookup
struct Entry {
    symbol: u8,
    /// Code length; 0 for a prefix of a longer code (or of none).
    code_len: u8,
    /// Code length plus the extra bits that follow the code (at most 26).
    total_len: u8,
    /// For an AC symbol of a sequential scan, how far it moves through the block: zero run plus
    /// one, 16 for a run of 16 zeros, 64 for end of block (which ends any block).
    advance: u8,
}

/// How far an AC symbol moves through a sequential block (see [`Entry::advance`]).
fn advance(symbol: u8) -> u8 {
    match symbol {
        0xF0 => 16,
        _ if symbol & 0x0F == 0 => 64,
        _ => (symbol >> 4) + 1,
    }
}

impl Huffman {
    fn new(counts: &[u8; 16], symbols: &[u8], dc: bool) -> Option<Huffman> {
        let extra = |symbol: u8| if dc { symbol } else { symbol & 0x0F };
        let mut lookup = Box::new([Entry::default(); 1 << LOOKUP_BITS]);
        let (mut maxcode, mut valptr, mut mincode) = ([-1i32; 17], [0i32; 17], [0i32; 17]);
        let mut code = 0i32;
        let mut k = 0usize;
        for len in 1..=16usize {
            let n = usize::from(counts[len - 1]);
            if n > 0 {
                valptr[len] = k as i32;
                mincode[len] = code;
                for _ in 0..n {
                    let symbol = *symbols.get(k)?;
                    if len as u32 <= LOOKUP_BITS {
                        let shift = LOOKUP_BITS - len as u32;
                        let first = (code as usize) << shift;
                        let total_len = len as u8 + extra(symbol).min(16);
                        let entry = Entry {
                            symbol,
                            code_len: len as u8,
                            total_len,
                            advance: advance(symbol),
                        };
                        lookup.get_mut(first..first + (1 << shift))?.fill(entry);
                    }
                    code += 1;
                    k += 1;
                }
                maxcode[len] = code - 1;
            }
            // A code space overflow means the counts are impossible.
            if code > (1 << len) {
                return None;
            }
            code <<= 1;
        }
        Some(Huffman {
            lookup,
            maxcode,
            valptr,
            mincode,
            symbols: symbols[..k].to_vec(),
            dc,
        })
    }

    fn extra_bits(&self, symbol: u8) -> u32 {
        u32::from(if self.dc { symbol.min(16) } else { symbol & 0x0F })
    }
}

/// Whether any of the first `n` (1 to 7) bytes of the big-endian `word` is 0xFF: a byte of
/// `!word` is zero there, found with the classic has-zero-byte bit trick, whose false positives
/// only ever sit above a true zero byte; the mask keeps the first `n` bytes only.
fn has_ff_byte(word: u64, n: usize) -> bool {
    const ONES: u64 = 0x0101_0101_0101_0101;
    const HIGHS: u64 = 0x8080_8080_8080_8080;
    let inverted = !word;
    let zero_bytes = inverted.wrapping_sub(ONES) & !inverted & HIGHS;
    zero_bytes & !(u64::MAX >> (8 * n)) != 0
}

/// Reads entropy-coded bits, undoing 0xFF00 stuffing, and stops at the first marker.
struct Bits<'a> {
    data: &'a [u8],
    pos: usize,
    buffer: u64,
    count: u32,
    /// A marker (its second byte) sits at `pos`; no more data until it is consumed.
    marker: Option<u8>,
}

impl<'a> Bits<'a> {
    fn new(data: &'a [u8], pos: usize) -> Self {
        Bits {
            data,
            pos,
            buffer: 0,
            count: 0,
            marker: None,
        }
    }

    /// Tops the buffer up to at least `need` bits if the data allows; returns whether it could.
    /// Reads ahead up to 56 bits, never past a marker.
    #[inline(always)]
    fn fill(&mut self, need: u32) -> bool {
        if self.count < need {
            self.refill();
        }
        self.count >= need
    }

    fn refill(&mut self) {
        // Fast path: as many whole bytes as fit, loaded at once when none of them is 0xFF.
        let n = ((56 - self.count) / 8) as usize;
        if self.marker.is_none() && n > 0 {
            if let Some(eight) = self.data.get(self.pos..self.pos + 8) {
                let word = u64::from_be_bytes(eight.try_into().unwrap_or([0; 8]));
                if !has_ff_byte(word, n) {
                    let bits = 8 * n as u32;
                    self.buffer |= (word >> (64 - bits)) << (64 - bits - self.count);
                    self.count += bits;
                    self.pos += n;
                    return;
                }
            }
        }
        while self.count <= 48 && self.marker.is_none() {
            let Some(&byte) = self.data.get(self.pos) else {
                return;
            };
            if byte == 0xFF {
                // Fill bytes (0xFF repeated) may precede a marker.
                let mut next = self.pos + 1;
                while self.data.get(next) == Some(&0xFF) {
                    next += 1;
                }
                match self.data.get(next) {
                    Some(0x00) => self.pos = next + 1,
                    Some(&m) => {
                        self.pos = next - 1; // at the 0xFF before the marker byte
                        self.marker = Some(m);
                        return;
                    }
                    None => return,
                }
            } else {
                self.pos += 1;
            }
            self.buffer |= u64::from(byte) << (56 - self.count);
            self.count += 8;
        }
    }

    /// Consumes one code and the extra bits that follow it; returns the symbol.
    #[inline(always)]
    fn code_and_extra(&mut self, table: &Huffman) -> Result<u8, Damage> {
        self.next(table).map(|entry| entry.symbol)
    }

    /// Consumes one code and the extra bits that follow it; returns its table entry.
    #[inline(always)]
    fn next(&mut self, table: &Huffman) -> Result<Entry, Damage> {
        // Room for the longest code of the lookup (10 bits) and its extra bits (16).
        self.fill(26);
        let entry = table.lookup[(self.buffer >> (64 - LOOKUP_BITS)) as usize];
        if entry.total_len > 0 && u32::from(entry.total_len) <= self.count {
            self.buffer <<= entry.total_len;
            self.count -= u32::from(entry.total_len);
            return Ok(entry);
        }
        self.slow_next(table, entry)
    }

    /// A code longer than the lookup, or one near the end of the data.
    #[cold]
    fn slow_next(&mut self, table: &Huffman, entry: Entry) -> Result<Entry, Damage> {
        let symbol = self.decode(table, entry)?;
        let extra = table.extra_bits(symbol);
        self.skip(extra)?;
        Ok(Entry {
            symbol,
            code_len: 0,
            total_len: 0,
            advance: advance(symbol),
        })
    }

    fn skip(&mut self, n: u32) -> Result<(), Damage> {
        if n == 0 {
            return Ok(());
        }
        if !self.fill(n) {
            return Err(Damage::Truncated);
        }
        self.buffer <<= n;
        self.count -= n;
        Ok(())
    }

    fn read(&mut self, n: u32) -> Result<u32, Damage> {
        if n == 0 {
            return Ok(0);
        }
        if !self.fill(n) {
            return Err(Damage::Truncated);
        }
        let value = (self.buffer >> (64 - n)) as u32;
        self.buffer <<= n;
        self.count -= n;
        Ok(value)
    }

    fn decode(&mut self, table: &Huffman, entry: Entry) -> Result<u8, Damage> {
        if self.count == 0 {
            return Err(Damage::Truncated);
        }
        if entry.code_len > 0 {
            if u32::from(entry.code_len) > self.count {
                return Err(Damage::Truncated);
            }
            self.buffer <<= entry.code_len;
            self.count -= u32::from(entry.code_len);
            return Ok(entry.symbol);
        }
        for len in LOOKUP_BITS as usize + 1..=16 {
            if len as u32 > self.count {
                return Err(Damage::Truncated);
            }
            let code = (self.buffer >> (64 - len)) as i32;
            if table.maxcode[len] >= 0 && code <= table.maxcode[len] {
                let index = table.valptr[len] + code - table.mincode[len];
                let symbol = *table.symbols.get(index as usize).ok_or(Damage::Corrupt)?;
                self.buffer <<= len;
                self.count -= len as u32;
                return Ok(symbol);
            }
        }
        Err(Damage::Corrupt)
    }

    /// Ends a restart interval: drops the padding bits and consumes the RSTn marker that must
    /// follow. Another marker there means the scan was cut short; data there is corrupt (and
    /// jpeg-decoder refuses it too).
    fn restart(&mut self) -> Result<(), Damage> {
        self.buffer = 0;
        self.count = 0;
        let mut at = self.pos;
        if self.data.get(at) != Some(&0xFF) {
            return Err(if at >= self.data.len() {
                Damage::Truncated
            } else {
                Damage::Corrupt
            });
        }
        while self.data.get(at) == Some(&0xFF) {
            at += 1;
        }
        match self.data.get(at) {
            Some(0xD0..=0xD7) => {
                self.pos = at + 1;
                self.marker = None;
                Ok(())
            }
            Some(0x00) => Err(Damage::Corrupt),
            _ => Err(Damage::Truncated),
        }
    }
}

/// One component of a scan: index into the frame's components, DC and AC table numbers.
#[derive(Clone, Copy)]
struct ScanComponent {
    index: usize,
    dc: usize,
    ac: usize,
}

struct Scan {
    components: Vec<ScanComponent>,
    start: u8,
    end: u8,
    high: u8,
}

/// Walks every scan of the file from SOI to EOI.
pub(super) fn check(bytes: &[u8], frame: &Frame) -> Result<(), Damage> {
    let progressive = matches!(frame.marker, 0xC2 | 0xC6);
    let lossless = frame.marker == 0xC3;
    let mut tables = Tables::default();
    let mut restart_interval = 0u32;
    // Components whose first scan has been seen (sequential: any scan; progressive: the DC
    // scan). A file that ends before every component has one was cut between scans.
    let mut started = vec![false; frame.ids.len()];
    let mut pos = 2;
    loop {
        // Next marker, tolerating junk before it as the decoders do.
        while *bytes.get(pos).ok_or(Damage::Truncated)? != 0xFF {
            pos += 1;
        }
        while *bytes.get(pos).ok_or(Damage::Truncated)? == 0xFF {
            pos += 1;
        }
        let marker = bytes[pos];
        pos += 1;
        match marker {
            0xD9 if started.iter().all(|&s| s) => return Ok(()),
            0xD9 => return Err(Damage::Truncated),
            0x00 | 0x01 | 0xD0..=0xD8 => continue,
            _ => {}
        }
        let len_bytes = bytes.get(pos..pos + 2).ok_or(Damage::Truncated)?;
        let len = usize::from(u16::from_be_bytes([len_bytes[0], len_bytes[1]]));
        let body = bytes.get(pos + 2..pos + len.max(2)).ok_or(Damage::Truncated)?;
        pos += len.max(2);
        match marker {
            0xC4 => tables.define(body)?,
            0xDD => {
                let ri = body.get(..2).ok_or(Damage::Corrupt)?;
                restart_interval = u32::from(u16::from_be_bytes([ri[0], ri[1]]));
            }
            0xDA => {
                let scan = read_scan(body, frame)?;
                if !progressive || (scan.start == 0 && scan.high == 0) {
                    for component in &scan.components {
                        started[component.index] = true;
                    }
                }
                let refining_ac = progressive && scan.start > 0 && scan.high > 0;
                pos = if lossless || refining_ac {
                    skip_scan(bytes, pos)
                } else {
                    tables.build_for(&scan)?;
                    let [dc, ac] = &tables.built;
                    walk_scan(bytes, pos, frame, &scan, progressive, restart_interval, dc, ac)?
                };
            }
            _ => {}
        }
    }
}

/// A DHT table definition: the count of codes of each length 1 to 16, then the symbols.
type Definition<'a> = (&'a [u8; 16], &'a [u8]);

/// Huffman tables as the file defines them (borrowed), built only when a scan uses them: a
/// hostile file may redefine its tables a million times without ever scanning with them, and
/// building each would cost seconds.
#[derive(Default)]
struct Tables<'a> {
    /// [DC, AC] x table slot: counts per code length and symbols.
    defined: [[Option<Definition<'a>>; 4]; 2],
    built: [[Option<Huffman>; 4]; 2],
    definitions: usize,
}

impl<'a> Tables<'a> {
    /// Reads a DHT segment: one or more table definitions.
    fn define(&mut self, mut body: &'a [u8]) -> Result<(), Damage> {
        while let [class_id, rest @ ..] = body {
            let counts: &[u8; 16] = rest
                .get(..16)
                .and_then(|c| c.try_into().ok())
                .ok_or(Damage::Corrupt)?;
            let total: usize = counts.iter().map(|&c| usize::from(c)).sum();
            let symbols = rest.get(16..16 + total).ok_or(Damage::Corrupt)?;
            let class = usize::from(class_id >> 4).min(2);
            let slot = usize::from(class_id & 0x0F);
            *self
                .defined
                .get_mut(class)
                .and_then(|c| c.get_mut(slot))
                .ok_or(Damage::Corrupt)? = Some((counts, symbols));
            self.built[class][slot] = None;
            self.definitions += 1;
            if self.definitions > MAX_TABLE_DEFINITIONS {
                return Err(Damage::Excessive);
            }
            body = &rest[16 + total..];
        }
        Ok(())
    }

    /// Builds the tables the scan's components name that are defined and not built yet.
    fn build_for(&mut self, scan: &Scan) -> Result<(), Damage> {
        for component in &scan.components {
            for (class, slot) in [(0, component.dc), (1, component.ac)] {
                let Some(Some((counts, symbols))) = self.defined[class].get(slot) else {
                    continue;
                };
                if self.built[class][slot].is_none() {
                    let table = Huffman::new(counts, symbols, class == 0).ok_or(Damage::Corrupt)?;
                    self.built[class][slot] = Some(table);
                }
            }
        }
        Ok(())
    }
}

fn read_scan(body: &[u8], frame: &Frame) -> Result<Scan, Damage> {
    let (&n, rest) = body.split_first().ok_or(Damage::Corrupt)?;
    let n = usize::from(n);
    let specs = rest.get(..n * 2).ok_or(Damage::Corrupt)?;
    let mut components = Vec::with_capacity(n);
    for spec in specs.chunks_exact(2) {
        let index = frame
            .ids
            .iter()
            .position(|&id| id == spec[0])
            .ok_or(Damage::Corrupt)?;
        components.push(ScanComponent {
            index,
            dc: usize::from(spec[1] >> 4),
            ac: usize::from(spec[1] & 0x0F),
        });
    }
    let tail = rest.get(n * 2..n * 2 + 3).ok_or(Damage::Corrupt)?;
    if components.is_empty() || tail[1] > 63 || tail[0] > tail[1] {
        return Err(Damage::Corrupt);
    }
    Ok(Scan {
        components,
        start: tail[0],
        end: tail[1],
        high: tail[2] >> 4,
    })
}

/// The position of the next marker that is not a restart marker.
fn skip_scan(bytes: &[u8], mut pos: usize) -> usize {
    while pos + 1 < bytes.len() {
        if bytes[pos] == 0xFF && !matches!(bytes[pos + 1], 0x00 | 0xFF | 0xD0..=0xD7) {
            return pos;
        }
        pos += 1;
    }
    bytes.len()
}

#[allow(clippy::too_many_arguments)] // one call site; a struct would only rename them
fn walk_scan(
    bytes: &[u8],
    pos: usize,
    frame: &Frame,
    scan: &Scan,
    progressive: bool,
    restart_interval: u32,
    dc: &[Option<Huffman>; 4],
    ac: &[Option<Huffman>; 4],
) -> Result<usize, Damage> {
    // (MCUs across, MCUs down, blocks per MCU for each scan component).
    let (mcus_x, mcus_y, per_mcu): (u32, u32, Vec<(ScanComponent, u32)>) = if scan.components.len() == 1 {
        // A non-interleaved scan covers only the component's own blocks, one per MCU.
        let c = scan.components[0];
        let (w, h) = frame.component_blocks(c.index);
        (w, h, vec![(c, 1)])
    } else {
        let blocks = scan.components.iter().map(|&c| {
            let (h, v) = frame.sampling[c.index];
            (c, u32::from(h) * u32::from(v))
        });
        let (mcus_x, mcus_y) = frame.mcus();
        (mcus_x, mcus_y, blocks.collect())
    };
    let kind = match (progressive, scan.start, scan.high) {
        (false, _, _) => Kind::Sequential,
        (true, 0, 0) => Kind::DcFirst,
        (true, 0, _) => Kind::DcRefine,
        (true, _, _) => Kind::AcFirst,
    };
    let mut bits = Bits::new(bytes, pos);
    let mut eob_run = 0u32;
    let total = u64::from(mcus_x) * u64::from(mcus_y);
    for mcu in 0..total {
        if restart_interval > 0 && mcu > 0 && mcu % u64::from(restart_interval) == 0 {
            bits.restart()?;
            eob_run = 0;
        }
        for &(component, blocks) in &per_mcu {
            for _ in 0..blocks {
                match kind {
                    Kind::Sequential => {
                        bits.code_and_extra(table(dc, component.dc)?)?;
                        let ac_table = table(ac, component.ac)?;
                        // Branch-free bookkeeping: end of block advances past 63.
                        let mut k = 1;
                        while k < 64 {
                            k += u32::from(bits.next(ac_table)?.advance);
                        }
                    }
                    Kind::DcFirst => {
                        bits.code_and_extra(table(dc, component.dc)?)?;
                    }
                    Kind::DcRefine => bits.skip(1)?,
                    Kind::AcFirst => {
                        if eob_run > 0 {
                            eob_run -= 1;
                            continue;
                        }
                        let ac_table = table(ac, component.ac)?;
                        let mut k = u32::from(scan.start);
                        while k <= u32::from(scan.end) {
                            let rs = bits.code_and_extra(ac_table)?;
                            let run = u32::from(rs >> 4);
                            if rs & 0x0F == 0 {
                                if run < 15 {
                                    // EOBn: the run length's low bits follow the code.
                                    eob_run = (1 << run) + bits.read(run)? - 1;
                                    break;
                                }
                                k += 16;
                            } else {
                                k += run + 1;
                            }
                        }
                    }
                }
            }
        }
    }
    Ok(skip_scan(bytes, bits.pos))
}

fn table(tables: &[Option<Huffman>; 4], index: usize) -> Result<&Huffman, Damage> {
    tables.get(index).and_then(Option::as_ref).ok_or(Damage::Corrupt)
}

#[derive(Clone, Copy)]
enum Kind {
    Sequential,
    DcFirst,
    DcRefine,
    AcFirst,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn impossible_code_counts_are_refused() {
        let mut counts = [0u8; 16];
        counts[0] = 3; // three 1-bit codes cannot exist
        assert!(Huffman::new(&counts, &[1, 2, 3], true).is_none());
        counts[0] = 2;
        assert!(Huffman::new(&counts, &[1, 2], true).is_some());
    }

    #[test]
    fn ff_bytes_are_found_among_the_first_n_only() {
        for n in 1..=7 {
            for at in 0..8 {
                let mut bytes = [0x12u8; 8];
                bytes[at] = 0xFF;
                let word = u64::from_be_bytes(bytes);
                assert_eq!(has_ff_byte(word, n), at < n, "0xFF at {at}, first {n}");
                // 0xFE and 0x7F next to it must not look like 0xFF.
                bytes[at] = 0xFE;
                assert!(!has_ff_byte(u64::from_be_bytes(bytes), n));
            }
            assert!(!has_ff_byte(0x7F7F_7F7F_7F7F_7F7F, n));
            assert!(has_ff_byte(u64::MAX, n));
        }
    }

    #[test]
    fn stuffed_bytes_are_data_and_markers_stop_the_bits() {
        let data = [0xFF, 0x00, 0xAB, 0xFF, 0xD9];
        let mut bits = Bits::new(&data, 0);
        assert_eq!(bits.read(8), Ok(0xFF));
        assert_eq!(bits.read(8), Ok(0xAB));
        assert_eq!(bits.read(1), Err(Damage::Truncated));
        assert_eq!(bits.marker, Some(0xD9));
        assert_eq!(bits.pos, 3);
    }
}
