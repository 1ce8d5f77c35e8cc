//! ICC profile reassembly from JPEG APP2 chunks, against a naive oracle: the chunks make a
//! profile exactly when they all agree on a non-zero count, there are that many, and their
//! sequence numbers are 1 to count, each once; the profile is their data in sequence order.
#![no_main]

use libfuzzer_sys::fuzz_target;

fuzz_target!(|chunks: Vec<(u8, u8, &[u8])>| {
    let joined = profile_image::fuzzing::reassemble_icc_chunks(&chunks);
    let expected = (|| {
        let count = chunks.first()?.1;
        if count == 0 || chunks.len() != usize::from(count) || chunks.iter().any(|c| c.1 != count) {
            return None;
        }
        let mut profile = Vec::new();
        for seq in 1..=count {
            let mut with_seq = chunks.iter().filter(|c| c.0 == seq);
            let chunk = with_seq.next()?;
            if with_seq.next().is_some() {
                return None;
            }
            profile.extend_from_slice(chunk.2);
        }
        Some(profile)
    })();
    assert_eq!(joined, expected);
});
