//! Why the image data failed: ended early, or is corrupt. Asked only after the png crate has
//! refused the image data, which it reports the same way in both cases when a whole IEND chunk
//! follows (a file cut inside its image data, then closed by a repair tool or a proxy).
//!
//! The answer comes from the image data itself: every IDAT chunk's CRC is checked (a flipped
//! bit is corruption, whatever the stream then looks like), and the zlib stream is inflated
//! again, into a 64 KiB window that is thrown away, until it ends, breaks, or has given all the
//! bytes the image needs. It "ends early" when it runs out of data before its end, or ends
//! before the image's bytes are all there. The cost is a second inflate, on the failure path
//! only, of at most the bytes the header promised.

use fdeflate::{DecompressionError, Decompressor};

use super::{chunks, Ihdr};

/// Bytes of history deflate may refer back to.
const WINDOW: usize = 32 * 1024;

/// The reason given with `image.truncated` when the image data ends early.
#[derive(Debug)]
pub(super) struct EndsEarly;

impl std::fmt::Display for EndsEarly {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("the image data ends before the image is complete")
    }
}

impl std::error::Error for EndsEarly {}

/// Whether the image data of `bytes` ends before all of the image's rows are in it, its CRCs
/// all being right.
pub(super) fn ends_early(bytes: &[u8], ihdr: &Ihdr, interlaced: bool) -> bool {
    let mut idat = Vec::new();
    for chunk in chunks(bytes) {
        match &chunk.kind {
            b"IDAT" if !chunk.whole => return true,
            b"IDAT" => {
                let crc = bytes.get(chunk.data.end..chunk.data.end + 4);
                let typed = &bytes[chunk.data.start - 4..chunk.data.end];
                if crc != Some(&crc32fast::hash(typed).to_be_bytes()[..]) {
                    return false;
                }
                idat.push(&bytes[chunk.data]);
            }
            b"IEND" => break,
            _ => {}
        }
    }
    let needed = filtered_bytes(ihdr, interlaced);
    let mut inflater = Decompressor::new();
    // As the png crate does: a bad Adler-32 alone does not make the picture wrong.
    inflater.ignore_adler32();
    let mut window = vec![0u8; 2 * WINDOW];
    let (mut at, mut total) = (0usize, 0u64);
    let last = idat.len().saturating_sub(1);
    for (i, mut input) in idat.into_iter().enumerate() {
        loop {
            if at == window.len() {
                window.copy_within(WINDOW.., 0);
                at = WINDOW;
            }
            match inflater.read(input, &mut window, at, i == last) {
                Ok((read, written)) => {
                    input = &input[read..];
                    at += written;
                    total += written as u64;
                    if total >= needed {
                        return false;
                    }
                    if inflater.is_done() {
                        return true;
                    }
                    if input.is_empty() && i != last {
                        break;
                    }
                }
                Err(DecompressionError::InsufficientInput) => return true,
                Err(_) => return false,
            }
        }
    }
    // No image data at all.
    true
}

/// Bytes of the filtered image: each row of each pass, with its filter byte.
fn filtered_bytes(ihdr: &Ihdr, interlaced: bool) -> u64 {
    let (w, h) = (u64::from(ihdr.width), u64::from(ihdr.height));
    let rows = |pw: u64, ph: u64| {
        if pw == 0 || ph == 0 {
            0
        } else {
            ph.saturating_mul(1 + pw.saturating_mul(ihdr.bits_per_pixel).div_ceil(8))
        }
    };
    if !interlaced {
        return rows(w, h);
    }
    // Adam7: (first column, first row, column step, row step) of each pass.
    const PASSES: [(u64, u64, u64, u64); 7] = [
        (0, 0, 8, 8),
        (4, 0, 8, 8),
        (0, 4, 4, 8),
        (2, 0, 4, 4),
        (0, 2, 2, 4),
        (1, 0, 2, 2),
        (0, 1, 1, 2),
    ];
    let span = |size: u64, first: u64, step: u64| size.saturating_sub(first).div_ceil(step);
    PASSES
        .iter()
        .map(|&(x, y, dx, dy)| rows(span(w, x, dx), span(h, y, dy)))
        .fold(0, u64::saturating_add)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn filtered_sizes_count_a_filter_byte_per_row_of_each_pass() {
        let ihdr = |width, height, bits_per_pixel| Ihdr {
            width,
            height,
            bits_per_pixel,
            indexed: false,
        };
        // 3 rows of 1 + 10 * 3 bytes.
        assert_eq!(filtered_bytes(&ihdr(10, 3, 24), false), 93);
        // 1-bit, 9 pixels: 2 bytes a row.
        assert_eq!(filtered_bytes(&ihdr(9, 2, 1), false), 6);
        // A 1x1 interlaced picture has its one pixel in pass 1 only.
        assert_eq!(filtered_bytes(&ihdr(1, 1, 32), true), 5);
        // 8x8 8-bit gray, Adam7: passes of 1x1, 1x1, 2x1, 2x2, 4x2, 4x4 and 8x4 pixels.
        assert_eq!(
            filtered_bytes(&ihdr(8, 8, 8), true),
            2 + 2 + 3 + 2 * 3 + 2 * 5 + 4 * 5 + 4 * 9
        );
    }
}
