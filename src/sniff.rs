//! Sniffing: what the bytes are, by their magic numbers alone, and whether that agrees with what
//! the upload declared.
//!
//! Input: the upload. Output: the [`ImageFormat`] (JPEG or PNG). Errors: `image.empty`,
//! `image.file_too_large`, `image.unsupported_type`, `image.extension_not_allowed`,
//! `image.declared_type_mismatch`.

use crate::error::{Declaration, ValidationError};
use crate::options::{Limits, Upload};

/// What the content is, judged from its first bytes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum FileType {
    /// JPEG (`FF D8 FF`, or just `FF D8`: a JPEG cut short).
    Jpeg,
    /// PNG (the 8-byte signature, or its first two to seven bytes: a PNG cut short).
    Png,
    /// GIF87a or GIF89a.
    Gif,
    /// WebP (RIFF container with the WEBP form type).
    WebP,
    /// Windows bitmap (`BM`).
    Bmp,
    /// TIFF, classic or BigTIFF, either byte order.
    Tiff,
    /// HEIC/HEIF (ISO-BMFF with a HEIF brand), the default of iPhones.
    Heif,
    /// AVIF (ISO-BMFF with an AVIF brand).
    Avif,
    /// JPEG XL, bare codestream or container.
    JpegXl,
    /// Windows icon or cursor.
    Ico,
    /// SVG (XML whose root is `svg`).
    Svg,
    /// Other XML.
    Xml,
    /// PDF.
    Pdf,
    /// None of the above.
    Unknown,
}

impl FileType {
    /// A short human name, used in error messages and arguments ("HEIC/HEIF", "unknown").
    pub const fn name(self) -> &'static str {
        match self {
            FileType::Jpeg => "JPEG",
            FileType::Png => "PNG",
            FileType::Gif => "GIF",
            FileType::WebP => "WebP",
            FileType::Bmp => "BMP",
            FileType::Tiff => "TIFF",
            FileType::Heif => "HEIC/HEIF",
            FileType::Avif => "AVIF",
            FileType::JpegXl => "JPEG XL",
            FileType::Ico => "ICO",
            FileType::Svg => "SVG",
            FileType::Xml => "XML",
            FileType::Pdf => "PDF",
            FileType::Unknown => "an unknown type",
        }
    }

    /// The MIME type of the two accepted types, `None` for the rest.
    pub const fn accepted_mime(self) -> Option<&'static str> {
        match self {
            FileType::Jpeg => Some("image/jpeg"),
            FileType::Png => Some("image/png"),
            _ => None,
        }
    }
}

/// One of the two types the endpoint takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ImageFormat {
    /// image/jpeg
    Jpeg,
    /// image/png
    Png,
}

impl ImageFormat {
    /// `image/jpeg` or `image/png`.
    pub const fn mime(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "image/jpeg",
            ImageFormat::Png => "image/png",
        }
    }

    /// "JPEG" or "PNG".
    pub const fn name(self) -> &'static str {
        match self {
            ImageFormat::Jpeg => "JPEG",
            ImageFormat::Png => "PNG",
        }
    }
}

/// Classifies bytes by magic numbers. Total: every input, even empty, gets an answer.
pub fn detect(bytes: &[u8]) -> FileType {
    const PNG: &[u8] = b"\x89PNG\r\n\x1a\n";
    const JXL_CONTAINER: &[u8] = b"\0\0\0\x0cJXL \r\n\x87\n";
    match bytes {
        [0xFF, 0xD8, 0xFF, ..] => FileType::Jpeg,
        b if b.starts_with(PNG) => FileType::Png,
        // A file cut inside its signature is still that file, so that it is reported as
        // truncated, not as a type nobody uploads: SOI alone, or two to seven bytes of the
        // PNG signature.
        [0xFF, 0xD8] => FileType::Jpeg,
        b if b.len() >= 2 && PNG.starts_with(b) => FileType::Png,
        b if b.starts_with(b"GIF87a") || b.starts_with(b"GIF89a") => FileType::Gif,
        [b'R', b'I', b'F', b'F', _, _, _, _, b'W', b'E', b'B', b'P', ..] => FileType::WebP,
        [b'B', b'M', ..] if bytes.len() >= 14 => FileType::Bmp,
        [b'I', b'I', 42 | 43, 0, ..] | [b'M', b'M', 0, 42 | 43, ..] => FileType::Tiff,
        [0xFF, 0x0A, ..] => FileType::JpegXl,
        b if b.starts_with(JXL_CONTAINER) => FileType::JpegXl,
        [0, 0, 1 | 2, 0, n, _, ..] if *n > 0 => FileType::Ico,
        b if b.starts_with(b"%PDF-") => FileType::Pdf,
        [_, _, _, _, b'f', b't', b'y', b'p', ..] => iso_bmff_brand(bytes),
        _ => markup(bytes),
    }
}

/// HEIF and AVIF share the ISO-BMFF `ftyp` box; the brands tell them apart.
fn iso_bmff_brand(bytes: &[u8]) -> FileType {
    let size = u32::from_be_bytes([bytes[0], bytes[1], bytes[2], bytes[3]]) as usize;
    let end = size.clamp(16, 256).min(bytes.len());
    // Major brand at 8..12, minor version at 12..16, compatible brands after.
    let brands = bytes[8..end]
        .chunks_exact(4)
        .enumerate()
        .filter(|(i, _)| *i != 1)
        .map(|(_, b)| b);
    let mut heif = false;
    for brand in brands {
        match brand {
            b"avif" | b"avis" => return FileType::Avif,
            b"heic" | b"heix" | b"hevc" | b"hevx" | b"heim" | b"heis" | b"mif1" | b"msf1" => heif = true,
            _ => {}
        }
    }
    if heif {
        FileType::Heif
    } else {
        FileType::Unknown
    }
}

/// SVG and other XML, after an optional byte-order mark and white space.
fn markup(bytes: &[u8]) -> FileType {
    let text = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = text
        .iter()
        .position(|b| !b.is_ascii_whitespace())
        .unwrap_or(text.len());
    let text = &text[start..];
    let head = &text[..text.len().min(4096)];
    let has = |needle: &[u8]| head.windows(needle.len()).any(|w| w.eq_ignore_ascii_case(needle));
    if !text.starts_with(b"<") {
        FileType::Unknown
    } else if has(b"<svg") {
        FileType::Svg
    } else if text.starts_with(b"<?xml") {
        FileType::Xml
    } else {
        FileType::Unknown
    }
}

/// Sniffs the upload and checks its declaration; the first stage of the pipeline.
pub(crate) fn accept(upload: &Upload<'_>, limits: &Limits) -> Result<ImageFormat, ValidationError> {
    let bytes = upload.bytes;
    if bytes.is_empty() {
        return Err(ValidationError::empty());
    }
    limits.check_input_length(bytes.len() as u64)?;
    let detected = detect(bytes);
    let format = match detected {
        FileType::Jpeg => ImageFormat::Jpeg,
        FileType::Png => ImageFormat::Png,
        other => return Err(ValidationError::unsupported_type(other.name())),
    };
    if let Some(name) = upload.file_name {
        check_file_name(name, format)?;
    }
    if let Some(content_type) = upload.content_type {
        check_content_type(content_type, format)?;
    }
    Ok(format)
}

fn check_file_name(name: &str, format: ImageFormat) -> Result<(), ValidationError> {
    // Browsers may send a path on some platforms; only the last component names the file.
    let base = name.rsplit(['/', '\\']).next().unwrap_or(name);
    let extension = match base.rsplit_once('.') {
        Some((stem, ext)) if !stem.is_empty() => ext,
        _ => "",
    };
    let declared = match extension.to_ascii_lowercase().as_str() {
        "jpg" | "jpeg" => ImageFormat::Jpeg,
        "png" => ImageFormat::Png,
        _ => return Err(ValidationError::extension_not_allowed(name, extension)),
    };
    if declared != format {
        return Err(ValidationError::declared_type_mismatch(
            Declaration::FileName,
            declared.mime(),
            format.mime(),
        ));
    }
    Ok(())
}

fn check_content_type(content_type: &str, format: ImageFormat) -> Result<(), ValidationError> {
    let essence = content_type
        .split(';')
        .next()
        .unwrap_or("")
        .trim()
        .to_ascii_lowercase();
    let declared = match essence.as_str() {
        // A generic type claims nothing about the content (many clients send it for any file).
        "" | "application/octet-stream" => return Ok(()),
        // image/jpg and image/pjpeg are wrong but common names for JPEG.
        "image/jpeg" | "image/jpg" | "image/pjpeg" => Some(ImageFormat::Jpeg),
        "image/png" | "image/x-png" | "image/apng" => Some(ImageFormat::Png),
        _ => None,
    };
    if declared != Some(format) {
        return Err(ValidationError::declared_type_mismatch(
            Declaration::ContentType,
            &essence,
            format.mime(),
        ));
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ftyp_brands_tell_heif_from_avif() {
        let heic = b"\0\0\0\x18ftypheic\0\0\0\0mif1heic";
        let avif = b"\0\0\0\x1cftypavif\0\0\0\0avifmif1miaf";
        let mif1_avif = b"\0\0\0\x18ftypmif1\0\0\0\0avifmif1";
        assert_eq!(detect(heic), FileType::Heif);
        assert_eq!(detect(avif), FileType::Avif);
        assert_eq!(detect(mif1_avif), FileType::Avif);
        assert_eq!(detect(b"\0\0\0\x10ftypisom\0\0\0\0"), FileType::Unknown);
    }

    #[test]
    fn short_inputs_never_panic_and_cut_signatures_keep_their_type() {
        for len in 0..12 {
            let bytes = vec![0xFF; len];
            let _ = detect(&bytes);
        }
        assert_eq!(detect(b""), FileType::Unknown);
        assert_eq!(detect(b"\xFF"), FileType::Unknown);
        assert_eq!(detect(b"\x89"), FileType::Unknown);
        // Cut inside the signature: still the file it started as.
        assert_eq!(detect(b"\xFF\xD8"), FileType::Jpeg);
        assert_eq!(detect(b"\x89PNG"), FileType::Png);
    }

    #[test]
    fn file_name_paths_and_case_are_handled() {
        assert!(check_file_name("C:\\Users\\me\\Photo.JPEG", ImageFormat::Jpeg).is_ok());
        assert!(check_file_name("dir/avatar.Png", ImageFormat::Png).is_ok());
        for name in [".png", "avatar", "avatar.png.exe"] {
            let error = check_file_name(name, ImageFormat::Png).unwrap_err();
            assert_eq!(error.code(), crate::ErrorCode::ExtensionNotAllowed, "{name}");
        }
    }
}
