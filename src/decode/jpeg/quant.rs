//! Quantisation tables (DQT, JPEG B.2.4.1) and the zigzag order coefficients arrive in.
//!
//! A zero entry is kept as zero, as libjpeg reads it (the coefficient then contributes
//! nothing); jpeg-decoder refuses such a table.

use super::Damage;

/// The natural (row-major) index of the k-th coefficient in zigzag order, with 16 extra
/// entries pointing at the last coefficient: a corrupt run that overshoots the block lands
/// there, as in libjpeg (`jpeg_natural_order`), instead of out of bounds.
pub(crate) const NATURAL_ORDER: [u8; 80] = {
    let mut order = [63u8; 80];
    // Walk the anti-diagonals, alternating direction.
    let mut k = 0;
    let mut sum = 0;
    while sum < 15 {
        let mut i = 0;
        while i <= sum {
            let (row, col) = if sum % 2 == 0 { (sum - i, i) } else { (i, sum - i) };
            if row < 8 && col < 8 {
                order[k] = (row * 8 + col) as u8;
                k += 1;
            }
            i += 1;
        }
        sum += 1;
    }
    order
};

/// One table per slot 0 to 3, in natural order.
pub(super) type QuantTables = [Option<[u16; 64]>; 4];

/// Reads a DQT segment: one or more tables of 8-bit or 16-bit entries.
pub(super) fn define(tables: &mut QuantTables, mut body: &[u8]) -> Result<(), Damage> {
    while let [pq_tq, rest @ ..] = body {
        let wide = pq_tq >> 4;
        let slot = usize::from(pq_tq & 0x0F);
        let size = match wide {
            0 => 64,
            1 => 128,
            _ => return Err(Damage::Corrupt),
        };
        let values = rest.get(..size).ok_or(Damage::Corrupt)?;
        let mut table = [0u16; 64];
        for (k, &natural) in NATURAL_ORDER[..64].iter().enumerate() {
            table[usize::from(natural)] = if wide == 1 {
                u16::from_be_bytes([values[2 * k], values[2 * k + 1]])
            } else {
                u16::from(values[k])
            };
        }
        *tables.get_mut(slot).ok_or(Damage::Corrupt)? = Some(table);
        body = &rest[size..];
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_zigzag_order_starts_and_ends_as_the_spec_draws_it() {
        assert_eq!(NATURAL_ORDER[..10], [0, 1, 8, 16, 9, 2, 3, 10, 17, 24]);
        assert_eq!(NATURAL_ORDER[60..64], [47, 55, 62, 63]);
        assert!(NATURAL_ORDER[64..].iter().all(|&n| n == 63));
        let mut seen = [false; 64];
        NATURAL_ORDER[..64]
            .iter()
            .for_each(|&n| seen[usize::from(n)] = true);
        assert!(seen.iter().all(|&s| s));
    }

    #[test]
    fn tables_of_both_widths_are_read_in_natural_order_and_zeros_are_kept() {
        let mut body = vec![0x01];
        body.extend((0..64).map(|k| k as u8)); // slot 1, 8-bit: entry k = k
        body.push(0x12); // slot 2, 16-bit
        body.extend((0..64u16).flat_map(|k| (k * 300).to_be_bytes()));
        let mut tables = QuantTables::default();
        define(&mut tables, &body).unwrap();
        let eight = tables[1].unwrap();
        assert_eq!((eight[0], eight[1], eight[8], eight[63]), (0, 1, 2, 63));
        let sixteen = tables[2].unwrap();
        assert_eq!((sixteen[1], sixteen[8], sixteen[63]), (300, 600, 63 * 300));
        assert_eq!(define(&mut tables, &[0x04]), Err(Damage::Corrupt), "slot 4");
        assert_eq!(define(&mut tables, &[0x20]), Err(Damage::Corrupt), "precision 2");
        assert_eq!(define(&mut tables, &[0x00, 1, 2]), Err(Damage::Corrupt), "short");
    }
}
