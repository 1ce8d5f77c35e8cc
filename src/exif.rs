//! The EXIF orientation tag, read from a TIFF structure (JPEG APP1 after `Exif\0\0`, PNG eXIf).
//!
//! Input: untrusted bytes. Output: an [`Orientation`], `Normal` when the tag is absent or
//! unreadable. Never fails: a broken EXIF block must not cost the user their upload.

use crate::orient::Orientation;

/// Tag 0x0112 in IFD0. Every offset is bounds-checked; the walk reads at most one IFD.
pub(crate) fn orientation(tiff: &[u8]) -> Orientation {
    read_orientation(tiff)
        .and_then(Orientation::from_exif)
        .unwrap_or(Orientation::Normal)
}

fn read_orientation(tiff: &[u8]) -> Option<u16> {
    let big_endian = match tiff.get(..4)? {
        [b'M', b'M', 0, 42] => true,
        [b'I', b'I', 42, 0] => false,
        _ => return None,
    };
    let u16_at = |at: usize| -> Option<u16> {
        let b: [u8; 2] = tiff.get(at..at.checked_add(2)?)?.try_into().ok()?;
        Some(if big_endian {
            u16::from_be_bytes(b)
        } else {
            u16::from_le_bytes(b)
        })
    };
    let u32_at = |at: usize| -> Option<u32> {
        let b: [u8; 4] = tiff.get(at..at.checked_add(4)?)?.try_into().ok()?;
        Some(if big_endian {
            u32::from_be_bytes(b)
        } else {
            u32::from_le_bytes(b)
        })
    };
    let ifd = u32_at(4)? as usize;
    let count = u16_at(ifd)? as usize;
    for i in 0..count {
        let entry = ifd.checked_add(2)?.checked_add(i.checked_mul(12)?)?;
        let tag = u16_at(entry)?;
        if tag == 0x0112 {
            let kind = u16_at(entry + 2)?;
            // SHORT (3) is what the standard says; some writers use LONG (4).
            return match kind {
                3 => u16_at(entry + 8),
                4 => u32_at(entry + 8).and_then(|v| u16::try_from(v).ok()),
                _ => None,
            };
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiff_with(big_endian: bool, value: u16) -> Vec<u8> {
        let mut t = Vec::new();
        let p16 = |t: &mut Vec<u8>, v: u16| {
            t.extend(if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        let p32 = |t: &mut Vec<u8>, v: u32| {
            t.extend(if big_endian {
                v.to_be_bytes()
            } else {
                v.to_le_bytes()
            })
        };
        t.extend(if big_endian { *b"MM\0\x2a" } else { *b"II\x2a\0" });
        p32(&mut t, 8);
        p16(&mut t, 2);
        // An unrelated tag first, so the walk has to step over it.
        p16(&mut t, 0x011A);
        p16(&mut t, 5);
        p32(&mut t, 1);
        p32(&mut t, 0);
        p16(&mut t, 0x0112);
        p16(&mut t, 3);
        p32(&mut t, 1);
        p16(&mut t, value);
        p16(&mut t, 0);
        p32(&mut t, 0);
        t
    }

    #[test]
    fn both_byte_orders_read_the_same_value() {
        for v in 1..=8 {
            assert_eq!(read_orientation(&tiff_with(true, v)), Some(v));
            assert_eq!(read_orientation(&tiff_with(false, v)), Some(v));
        }
    }

    #[test]
    fn out_of_range_and_truncated_blocks_mean_normal() {
        assert_eq!(orientation(&tiff_with(true, 9)), Orientation::Normal);
        assert_eq!(orientation(&tiff_with(true, 0)), Orientation::Normal);
        let full = tiff_with(false, 6);
        // The value ends at byte 32 (8 header, 2 count, one 12-byte entry, 10 into the next).
        for cut in 0..32 {
            assert_eq!(orientation(&full[..cut]), Orientation::Normal, "cut at {cut}");
        }
        assert_eq!(orientation(&full), Orientation::Rotate90);
    }

    #[test]
    fn huge_offsets_do_not_overflow() {
        let mut t = b"II\x2a\0".to_vec();
        t.extend(u32::MAX.to_le_bytes());
        assert_eq!(orientation(&t), Orientation::Normal);
    }
}
