//! Fingerprints of media files, for signing and for finding stripped copies.
//!
//! From a file's bytes and its media type, [`fingerprint`] computes in one pass:
//!
//! * the SHA-256 of the bytes (every kind of media);
//! * for images: a 64-bit perceptual hash ([`PerceptualHash`], DCT "pHash" from `image_hasher`),
//!   the picture's width and height as displayed (EXIF orientation applied), and a JPEG thumbnail
//!   whose long side is at most [`THUMBNAIL_MAX_SIDE`] pixels, for the C2PA manifest.
//!
//! The image is decoded **once, at reduced scale**, and both the hash and the thumbnail come from
//! that small picture. JPEG goes through libjpeg-turbo (the system library, via the `turbojpeg`
//! crate), whose DCT scaling (1/8, 1/4, 1/2) skips most of the inverse DCT work, so a 12-megapixel
//! photo is decoded straight to about 1000 × 750 pixels; CMYK, 12-bit and lossless JPEG and the
//! other formats are decoded in full by the `image` crate and downscaled once. Thumbnails are
//! encoded by libjpeg-turbo too.
//!
//! Two pictures are "the same picture" when the Hamming [`distance`] of their perceptual hashes
//! is at most [`SAME_PICTURE_MAX_DISTANCE`].
//!
//! Decoded: JPEG, PNG, WebP, TIFF, GIF. Other media — video, audio, PDF, and image formats this
//! build cannot decode (HEIC/HEIF, AVIF, JPEG XL, SVG, DNG) — get the SHA-256 only.

use std::io::Cursor;

use image::{DynamicImage, ImageDecoder, ImageFormat, ImageReader, Limits};
use sha2::{Digest, Sha256};

/// Longest side, in pixels, of the thumbnails made for C2PA manifests.
pub const THUMBNAIL_MAX_SIDE: u32 = 1024;

/// JPEG quality (1–100) of the thumbnails.
pub const THUMBNAIL_QUALITY: u8 = 80;

/// Largest picture decoded, in pixels (width × height): 200 megapixels. Bigger pictures are
/// refused with [`FingerprintError::TooLarge`] rather than risk running out of memory.
pub const MAX_PIXELS: u64 = 200_000_000;

/// Largest Hamming distance between two perceptual hashes that still counts as the same picture.
///
/// Rationale: the hash is the classic 64-bit DCT pHash (`image_hasher`'s Median + DCT: the 8 × 8
/// lowest frequencies of a 16 × 16 grey version, each bit = above the median), so it sees only the
/// broad strokes and half of its bits are ones. Measured on real photos (the JPEG samples shipped
/// with the jpeg-decoder and c2pa crates) and on the generated pictures of the tests:
/// re-encoding (JPEG quality 50, PNG), a 50 % resize and +15 % brightness change 0–2 bits; a 2 %
/// crop 4–10 bits; a locally edited and darkened copy 12. Unrelated photos differ in 30–36 bits,
/// as expected of independent bits (mean 32, standard deviation 4), for which ≤ 10 matching by
/// chance has a probability of about 10⁻⁸. 10 therefore matches re-encodes, resizes and slight
/// crops while keeping unrelated photos far apart. Larger crops, rotations and mirror images are
/// not matched: pHash is not meant to survive them.
pub const SAME_PICTURE_MAX_DISTANCE: u32 = 10;

/// A 64-bit perceptual hash: similar pictures have hashes that differ in few bits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(into = "String", try_from = "String")]
pub struct PerceptualHash(pub u64);

impl PerceptualHash {
    /// The hash as 16 lowercase hex digits.
    pub fn to_hex(self) -> String {
        format!("{:016x}", self.0)
    }

    /// Parses 16 hex digits (as written by [`PerceptualHash::to_hex`]).
    pub fn from_hex(text: &str) -> Result<Self, FingerprintError> {
        if text.len() != 16 {
            return Err(FingerprintError::BadHash(text.to_string()));
        }
        u64::from_str_radix(text, 16).map(PerceptualHash).map_err(|_| FingerprintError::BadHash(text.to_string()))
    }

    /// The same 64 bits as a signed integer, as SQLite stores them.
    pub fn to_i64(self) -> i64 {
        self.0 as i64
    }

    /// The hash from the signed integer SQLite stored.
    pub fn from_i64(value: i64) -> Self {
        PerceptualHash(value as u64)
    }
}

impl std::fmt::Display for PerceptualHash {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.to_hex())
    }
}

impl From<PerceptualHash> for String {
    fn from(h: PerceptualHash) -> String {
        h.to_hex()
    }
}

impl TryFrom<String> for PerceptualHash {
    type Error = FingerprintError;
    fn try_from(s: String) -> Result<Self, Self::Error> {
        PerceptualHash::from_hex(&s)
    }
}

/// The Hamming distance between two perceptual hashes: how many of the 64 bits differ (0–64).
pub fn distance(a: PerceptualHash, b: PerceptualHash) -> u32 {
    (a.0 ^ b.0).count_ones()
}

/// Whether two perceptual hashes are of the same picture (distance ≤ [`SAME_PICTURE_MAX_DISTANCE`]).
pub fn same_picture(a: PerceptualHash, b: PerceptualHash) -> bool {
    distance(a, b) <= SAME_PICTURE_MAX_DISTANCE
}

/// A JPEG thumbnail.
#[derive(Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// The JPEG file's bytes.
    pub jpeg: Vec<u8>,
    /// Its width in pixels.
    pub width: u32,
    /// Its height in pixels.
    pub height: u32,
}

impl std::fmt::Debug for Thumbnail {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Thumbnail")
            .field("jpeg", &format_args!("{} bytes", self.jpeg.len()))
            .field("width", &self.width)
            .field("height", &self.height)
            .finish()
    }
}

/// What is known of a picture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ImageFingerprint {
    /// The perceptual hash.
    pub phash: PerceptualHash,
    /// Width of the full picture as displayed (EXIF orientation applied), in pixels.
    pub width: u32,
    /// Height of the full picture as displayed, in pixels.
    pub height: u32,
    /// The thumbnail; `None` when it was not asked for ([`fingerprint_for_lookup`]).
    pub thumbnail: Option<Thumbnail>,
}

/// The fingerprint of one file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Fingerprint {
    /// SHA-256 of the file's bytes.
    pub sha256: [u8; 32],
    /// For pictures this build decodes; `None` for other media.
    pub image: Option<ImageFingerprint>,
}

impl Fingerprint {
    /// The SHA-256 as 64 lowercase hex digits.
    pub fn sha256_hex(&self) -> String {
        hex::encode(self.sha256)
    }

    /// The perceptual hash, for pictures.
    pub fn phash(&self) -> Option<PerceptualHash> {
        self.image.as_ref().map(|i| i.phash)
    }
}

/// Why a file could not be fingerprinted.
#[derive(Debug, thiserror::Error)]
pub enum FingerprintError {
    /// The file has no bytes.
    #[error("the file is empty; check that it was copied completely")]
    Empty,
    /// The bytes are a different format from the one declared.
    #[error("the file is declared as {declared} but contains {found}; rename it with the right extension")]
    WrongFormat {
        /// The declared media type.
        declared: String,
        /// What the bytes are.
        found: String,
    },
    /// The file ends before the picture does.
    #[error("the {format} file is truncated (it ends before the picture does); copy it again from its source")]
    Truncated {
        /// The format, e.g. `JPEG`.
        format: String,
    },
    /// The bytes are not a valid picture of the declared format.
    #[error("the {format} file is damaged and cannot be decoded ({reason}); copy it again from its source")]
    Corrupt {
        /// The format, e.g. `JPEG`.
        format: String,
        /// The decoder's reason.
        reason: String,
    },
    /// The picture uses a feature the decoder lacks.
    #[error(
        "the {format} file uses a feature Hallmark cannot decode ({reason}); convert it to a standard JPEG or PNG"
    )]
    Unsupported {
        /// The format.
        format: String,
        /// What is missing.
        reason: String,
    },
    /// The picture is larger than [`MAX_PIXELS`].
    #[error("the picture is {width} × {height} pixels, more than the {max} megapixels Hallmark decodes; reduce it first", max = MAX_PIXELS / 1_000_000)]
    TooLarge {
        /// Width in pixels.
        width: u64,
        /// Height in pixels.
        height: u64,
    },
    /// The thumbnail could not be encoded.
    #[error("the thumbnail could not be made ({0})")]
    Thumbnail(String),
    /// A perceptual hash in text form is not 16 hex digits.
    #[error("{0:?} is not a perceptual hash (16 hex digits expected)")]
    BadHash(String),
}

impl FingerprintError {
    /// A stable snake_case code for this error (`--json`, the app).
    pub fn code(&self) -> &'static str {
        match self {
            FingerprintError::Empty => "empty_file",
            FingerprintError::WrongFormat { .. } => "wrong_format",
            FingerprintError::Truncated { .. } => "truncated",
            FingerprintError::Corrupt { .. } => "corrupt_image",
            FingerprintError::Unsupported { .. } => "unsupported_image",
            FingerprintError::TooLarge { .. } => "image_too_large",
            FingerprintError::Thumbnail(_) => "thumbnail_failed",
            FingerprintError::BadHash(_) => "bad_phash",
        }
    }
}

/// How this module treats a media type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum MediaKind {
    /// A picture this build decodes: perceptual hash and thumbnail.
    Image(ImageFormat),
    /// A picture this build cannot decode (HEIC, AVIF, JPEG XL, SVG, DNG, …): SHA-256 only.
    UndecodedImage,
    /// Video, audio, documents and anything else: SHA-256 only.
    Other,
}

/// Normalises a media type (`image/jpeg`) or a file extension (`jpg`, `.JPG`) to a MIME type.
pub fn normalize_media_type(media_type: &str) -> String {
    let t = media_type.trim().to_ascii_lowercase();
    let t = t.split(';').next().unwrap_or("").trim().to_string();
    if t.contains('/') {
        return match t.as_str() {
            "image/jpg" | "image/pjpeg" => "image/jpeg".into(),
            "image/x-png" => "image/png".into(),
            _ => t,
        };
    }
    let ext = t.trim_start_matches('.');
    let mime = match ext {
        "jpg" | "jpeg" | "jpe" | "jfif" => "image/jpeg",
        "png" => "image/png",
        "webp" => "image/webp",
        "tif" | "tiff" => "image/tiff",
        "gif" => "image/gif",
        "heic" => "image/heic",
        "heif" => "image/heif",
        "avif" => "image/avif",
        "jxl" => "image/jxl",
        "svg" => "image/svg+xml",
        "dng" => "image/x-adobe-dng",
        "mp4" => "video/mp4",
        "mov" => "video/quicktime",
        "avi" => "video/x-msvideo",
        "mp3" => "audio/mpeg",
        "wav" => "audio/wav",
        "flac" => "audio/flac",
        "pdf" => "application/pdf",
        _ => return format!("application/x-{ext}"),
    };
    mime.to_string()
}

/// How a media type (MIME type or extension) is fingerprinted.
pub fn media_kind(media_type: &str) -> MediaKind {
    let mime = normalize_media_type(media_type);
    match mime.as_str() {
        "image/jpeg" => MediaKind::Image(ImageFormat::Jpeg),
        "image/png" => MediaKind::Image(ImageFormat::Png),
        "image/webp" => MediaKind::Image(ImageFormat::WebP),
        "image/tiff" => MediaKind::Image(ImageFormat::Tiff),
        "image/gif" => MediaKind::Image(ImageFormat::Gif),
        m if m.starts_with("image/") => MediaKind::UndecodedImage,
        _ => MediaKind::Other,
    }
}

/// SHA-256 of some bytes.
pub fn sha256(bytes: &[u8]) -> [u8; 32] {
    Sha256::digest(bytes).into()
}

/// Fingerprints a file for signing: SHA-256, and for pictures the perceptual hash, size and
/// thumbnail, from a single reduced-scale decode. `media_type` is a MIME type or an extension.
pub fn fingerprint(bytes: &[u8], media_type: &str) -> Result<Fingerprint, FingerprintError> {
    run(bytes, media_type, true)
}

/// Like [`fingerprint`] but without the thumbnail: for looking a copy up (`hallmark find`).
pub fn fingerprint_for_lookup(bytes: &[u8], media_type: &str) -> Result<Fingerprint, FingerprintError> {
    run(bytes, media_type, false)
}

fn run(bytes: &[u8], media_type: &str, want_thumbnail: bool) -> Result<Fingerprint, FingerprintError> {
    if bytes.is_empty() {
        return Err(FingerprintError::Empty);
    }
    let image = match media_kind(media_type) {
        MediaKind::Image(format) => Some(image_fingerprint(bytes, format, media_type, want_thumbnail)?),
        MediaKind::UndecodedImage | MediaKind::Other => None,
    };
    // Hash after decoding: a damaged picture fails before the (cheap) hash is spent on it.
    Ok(Fingerprint { sha256: sha256(bytes), image })
}

fn format_name(format: ImageFormat) -> String {
    match format {
        ImageFormat::Jpeg => "JPEG".into(),
        ImageFormat::Png => "PNG".into(),
        ImageFormat::WebP => "WebP".into(),
        ImageFormat::Tiff => "TIFF".into(),
        ImageFormat::Gif => "GIF".into(),
        other => format!("{other:?}"),
    }
}

/// A decoded picture at reduced scale, oriented for display, plus the full size as displayed.
struct Small {
    image: DynamicImage,
    width: u32,
    height: u32,
}

fn image_fingerprint(
    bytes: &[u8],
    format: ImageFormat,
    media_type: &str,
    want_thumbnail: bool,
) -> Result<ImageFingerprint, FingerprintError> {
    match image::guess_format(bytes) {
        Ok(found) if found == format => {}
        Ok(found) => {
            return Err(FingerprintError::WrongFormat { declared: media_type.to_string(), found: format_name(found) })
        }
        Err(_) => {
            return Err(FingerprintError::Corrupt {
                format: format_name(format),
                reason: "its first bytes are not those of this format".into(),
            })
        }
    }
    let small = match format {
        ImageFormat::Jpeg => match decode_jpeg_scaled(bytes)? {
            Some(small) => small,
            None => decode_full(bytes, format)?,
        },
        _ => decode_full(bytes, format)?,
    };
    let image = flatten(small.image);
    let phash = perceptual_hash(&image);
    let thumbnail = if want_thumbnail { Some(encode_thumbnail(&image)?) } else { None };
    Ok(ImageFingerprint { phash, width: small.width, height: small.height, thumbnail })
}

fn check_pixels(width: u64, height: u64) -> Result<(), FingerprintError> {
    if width.saturating_mul(height) > MAX_PIXELS {
        return Err(FingerprintError::TooLarge { width, height });
    }
    Ok(())
}

fn displayed_size(width: u32, height: u32, orientation: image::metadata::Orientation) -> (u32, u32) {
    use image::metadata::Orientation::*;
    match orientation {
        Rotate90 | Rotate270 | Rotate90FlipH | Rotate270FlipH => (height, width),
        NoTransforms | Rotate180 | FlipHorizontal | FlipVertical => (width, height),
    }
}

/// The DCT scale numerator (n/8) whose output's long side is the largest not above the thumbnail
/// size; 1 (1/8) when even that is larger.
fn jpeg_scale(width: u32, height: u32) -> u32 {
    let long = width.max(height);
    for n in [8, 4, 2] {
        if (long * n).div_ceil(8) <= THUMBNAIL_MAX_SIDE {
            return n;
        }
    }
    1
}

/// Decodes a JPEG with libjpeg-turbo's DCT scaling, straight to the size [`jpeg_scale`] picks.
///
/// `None` when libjpeg-turbo does not handle the file here: CMYK/YCCK, 12-bit or lossless JPEG,
/// unusual chroma sampling, a header it cannot read, or stray bytes between segments (see
/// [`classify_turbo_error`]). The caller then decodes in full with the `image` crate, which reads
/// the rarer forms and names damage in its own words. A file that ends before its picture data
/// does is [`FingerprintError::Truncated`]; other damage in the picture data is
/// [`FingerprintError::Corrupt`] with libjpeg's reason.
fn decode_jpeg_scaled(bytes: &[u8]) -> Result<Option<Small>, FingerprintError> {
    use turbojpeg::{Colorspace, PixelFormat};
    let mut decompressor = turbojpeg::Decompressor::new().map_err(|e| FingerprintError::Corrupt {
        format: "JPEG".into(),
        reason: format!("the JPEG decoder could not start: {e}"),
    })?;
    let Ok(header) = decompressor.read_header(bytes) else { return Ok(None) };
    let (width, height) = (header.width as u64, header.height as u64);
    check_pixels(width, height)?;
    if width == 0 || height == 0 {
        return Err(FingerprintError::Corrupt { format: "JPEG".into(), reason: "the picture has no pixels".into() });
    }
    // Checked above: at most MAX_PIXELS, so each side fits in u32.
    let (width, height) = (width as u32, height as u32);
    let format = match header.colorspace {
        Colorspace::Gray => PixelFormat::GRAY,
        Colorspace::YCbCr | Colorspace::RGB => PixelFormat::RGB,
        Colorspace::CMYK | Colorspace::YCCK => return Ok(None),
    };
    let n = jpeg_scale(width, height);
    let (w, h) = ((width * n).div_ceil(8), (height * n).div_ceil(8));
    // libjpeg-turbo picks the largest scaling factor whose output fits in w × h, which is n/8
    // (its sizes are rounded up the same way).
    let mut pixels = vec![0u8; w as usize * h as usize * format.size()];
    let output = turbojpeg::Image {
        pixels: &mut pixels[..],
        width: w as usize,
        pitch: w as usize * format.size(),
        height: h as usize,
        format,
    };
    if let Err(e) = decompressor.decompress(bytes, output) {
        match classify_turbo_error(&e.to_string(), bytes) {
            TurboFailure::Truncated => return Err(FingerprintError::Truncated { format: "JPEG".into() }),
            TurboFailure::FullDecoder => return Ok(None),
            TurboFailure::Corrupt(reason) => return Err(FingerprintError::Corrupt { format: "JPEG".into(), reason }),
        }
    }
    let mut image = match format {
        PixelFormat::GRAY => image::GrayImage::from_raw(w, h, pixels).map(DynamicImage::ImageLuma8),
        _ => image::RgbImage::from_raw(w, h, pixels).map(DynamicImage::ImageRgb8),
    }
    .ok_or_else(|| FingerprintError::Corrupt {
        format: "JPEG".into(),
        reason: "the decoder returned fewer pixels than the header declares".into(),
    })?;
    let orientation = jpeg_exif(bytes)
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    image = shrink(image);
    image.apply_orientation(orientation);
    let (width, height) = displayed_size(width, height, orientation);
    Ok(Some(Small { image, width, height }))
}

/// What a libjpeg-turbo decoding failure means for the caller.
#[derive(Debug, PartialEq, Eq)]
enum TurboFailure {
    /// The file ends before its picture data does.
    Truncated,
    /// A form or a harmless irregularity the full decoder should judge: an unsupported JPEG
    /// process or colour conversion, or stray bytes between segments (common in files that
    /// viewers show without complaint).
    FullDecoder,
    /// Real damage, in libjpeg's words.
    Corrupt(String),
}

/// Sorts a TurboJPEG error message. TurboJPEG keeps the first warning libjpeg emitted, or the
/// fatal error that stopped it: for a short file "Premature end of JPEG file", or "premature end
/// of data segment" when the picture data stops at a marker.
fn classify_turbo_error(message: &str, bytes: &[u8]) -> TurboFailure {
    let reason = message.strip_prefix("TurboJPEG error: ").unwrap_or(message).trim();
    let lower = reason.to_ascii_lowercase();
    if lower.contains("premature end of jpeg file") || (lower.contains("premature end") && !ends_with_end_marker(bytes))
    {
        TurboFailure::Truncated
    } else if lower.contains("extraneous bytes before marker")
        || lower.starts_with("unsupported jpeg")
        || lower.starts_with("unsupported color conversion")
    {
        TurboFailure::FullDecoder
    } else {
        TurboFailure::Corrupt(reason.to_string())
    }
}

/// Whether the file ends with the JPEG end-of-image marker (FF D9), ignoring zero padding some
/// cameras add. Searched from the end: the rest of the file is not read.
fn ends_with_end_marker(bytes: &[u8]) -> bool {
    let end = bytes.iter().rposition(|&b| b != 0).map_or(0, |i| i + 1);
    bytes[..end].ends_with(&[0xFF, 0xD9])
}

/// The TIFF data of the first Exif APP1 segment (after `Exif\0\0`), found by walking the
/// segment headers before the picture data; `None` when there is none.
fn jpeg_exif(bytes: &[u8]) -> Option<&[u8]> {
    let mut pos = 2; // after SOI (FF D8)
    loop {
        if *bytes.get(pos)? != 0xFF {
            return None;
        }
        // A marker may be preceded by any number of fill bytes (FF).
        while *bytes.get(pos + 1)? == 0xFF {
            pos += 1;
        }
        let marker = bytes[pos + 1];
        match marker {
            // Start of scan or end of image: no Exif before the picture data.
            0xDA | 0xD9 => return None,
            // Markers without a length: TEM and RST0–7.
            0x01 | 0xD0..=0xD7 => {
                pos += 2;
                continue;
            }
            _ => {}
        }
        let len = usize::from(u16::from_be_bytes([*bytes.get(pos + 2)?, *bytes.get(pos + 3)?]));
        if len < 2 {
            return None;
        }
        let segment = bytes.get(pos + 4..pos + 2 + len)?;
        if marker == 0xE1 {
            if let Some(tiff) = segment.strip_prefix(b"Exif\0\0") {
                return Some(tiff);
            }
        }
        pos += 2 + len;
    }
}

fn image_error(format: ImageFormat, e: image::ImageError) -> FingerprintError {
    let format = format_name(format);
    match e {
        image::ImageError::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            FingerprintError::Truncated { format }
        }
        image::ImageError::Limits(l) => FingerprintError::Unsupported { format, reason: l.to_string() },
        image::ImageError::Unsupported(u) => FingerprintError::Unsupported { format, reason: u.to_string() },
        other => {
            let reason = other.to_string();
            // Decoders report a short file in their own words.
            let lower = reason.to_ascii_lowercase();
            if lower.contains("eof") || lower.contains("end of file") || lower.contains("unexpected end") {
                FingerprintError::Truncated { format }
            } else {
                FingerprintError::Corrupt { format, reason }
            }
        }
    }
}

fn decode_full(bytes: &[u8], format: ImageFormat) -> Result<Small, FingerprintError> {
    let mut reader = ImageReader::with_format(Cursor::new(bytes), format);
    let mut limits = Limits::default();
    limits.max_alloc = Some(MAX_PIXELS * 8);
    reader.limits(limits);
    let mut decoder = reader.into_decoder().map_err(|e| image_error(format, e))?;
    let (width, height) = decoder.dimensions();
    check_pixels(width.into(), height.into())?;
    let orientation = decoder.orientation().unwrap_or(image::metadata::Orientation::NoTransforms);
    let mut image = DynamicImage::from_decoder(decoder).map_err(|e| image_error(format, e))?;
    image = shrink(image);
    image.apply_orientation(orientation);
    let (width, height) = displayed_size(width, height, orientation);
    Ok(Small { image, width, height })
}

/// Downscales to at most [`THUMBNAIL_MAX_SIDE`] on the long side (area averaging); smaller
/// pictures are kept as they are.
fn shrink(image: DynamicImage) -> DynamicImage {
    if image.width().max(image.height()) > THUMBNAIL_MAX_SIDE {
        image.thumbnail(THUMBNAIL_MAX_SIDE, THUMBNAIL_MAX_SIDE)
    } else {
        image
    }
}

/// 8-bit RGB or grey, transparency composited over white (as a viewer shows it), so the hash
/// and the thumbnail see what a person sees.
fn flatten(image: DynamicImage) -> DynamicImage {
    match image {
        DynamicImage::ImageRgb8(_) | DynamicImage::ImageLuma8(_) => image,
        other if !other.color().has_alpha() => DynamicImage::ImageRgb8(other.to_rgb8()),
        other => {
            let rgba = other.to_rgba8();
            let (w, h) = rgba.dimensions();
            let mut out = image::RgbImage::new(w, h);
            for (dst, src) in out.pixels_mut().zip(rgba.pixels()) {
                let a = u16::from(src[3]);
                for c in 0..3 {
                    let v = (u16::from(src[c]) * a + 255 * (255 - a) + 127) / 255;
                    dst[c] = v as u8;
                }
            }
            DynamicImage::ImageRgb8(out)
        }
    }
}

fn perceptual_hash(image: &DynamicImage) -> PerceptualHash {
    let hasher = image_hasher::HasherConfig::with_bytes_type::<[u8; 8]>()
        .hash_alg(image_hasher::HashAlg::Median)
        .preproc_dct()
        .hash_size(8, 8)
        .resize_filter(image::imageops::FilterType::Triangle)
        .to_hasher();
    // The hasher resizes to 16 × 16; a cheap area-averaging pre-shrink keeps its filter fast.
    let grey = DynamicImage::ImageLuma8(image.to_luma8());
    let grey = if grey.width().max(grey.height()) > 128 { grey.thumbnail(128, 128) } else { grey };
    let hash = hasher.hash_image(&grey);
    PerceptualHash(u64::from_le_bytes(hash.into_inner()))
}

/// Encodes the thumbnail with libjpeg-turbo: quality [`THUMBNAIL_QUALITY`], 4:2:0 chroma
/// subsampling for colour (the usual choice for photos at this quality), one channel for grey.
fn encode_thumbnail(image: &DynamicImage) -> Result<Thumbnail, FingerprintError> {
    use turbojpeg::{PixelFormat, Subsamp};
    let converted;
    let (pixels, format, subsamp) = match image {
        DynamicImage::ImageLuma8(grey) => (grey.as_raw(), PixelFormat::GRAY, Subsamp::Gray),
        DynamicImage::ImageRgb8(rgb) => (rgb.as_raw(), PixelFormat::RGB, Subsamp::Sub2x2),
        other => {
            converted = other.to_rgb8();
            (converted.as_raw(), PixelFormat::RGB, Subsamp::Sub2x2)
        }
    };
    let (width, height) = (image.width(), image.height());
    let thumbnail_error = |e: turbojpeg::Error| FingerprintError::Thumbnail(e.to_string());
    let mut compressor = turbojpeg::Compressor::new().map_err(thumbnail_error)?;
    compressor.set_quality(i32::from(THUMBNAIL_QUALITY));
    compressor.set_subsamp(subsamp);
    let source = turbojpeg::Image {
        pixels: &pixels[..],
        width: width as usize,
        pitch: width as usize * format.size(),
        height: height as usize,
        format,
    };
    let jpeg = compressor.compress_to_vec(source).map_err(thumbnail_error)?;
    Ok(Thumbnail { jpeg, width, height })
}

#[cfg(test)]
mod tests {
    use super::*;
    use hallmark_testmedia::{jpeg_of as jpeg, photo};
    use image::ImageEncoder;

    fn png(img: impl Into<DynamicImage>) -> Vec<u8> {
        let mut out = Cursor::new(Vec::new());
        img.into().write_to(&mut out, ImageFormat::Png).unwrap();
        out.into_inner()
    }

    fn phash(bytes: &[u8], media_type: &str) -> PerceptualHash {
        fingerprint(bytes, media_type).unwrap().phash().unwrap()
    }

    #[test]
    fn a_photo_gets_sha256_phash_size_and_a_jpeg_thumbnail() {
        let original = jpeg(&photo(1, 1600, 1200), 90);
        let fp = fingerprint(&original, "image/jpeg").unwrap();
        assert_eq!(fp.sha256, <[u8; 32]>::from(Sha256::digest(&original)));
        assert_eq!(fp.sha256_hex(), hex::encode(Sha256::digest(&original)));
        let img = fp.image.as_ref().unwrap();
        assert_eq!((img.width, img.height), (1600, 1200));
        let thumb = img.thumbnail.as_ref().unwrap();
        // 1600 px at DCT scale 1/2 is 800 px: the largest scale not above 1024.
        assert_eq!((thumb.width, thumb.height), (800, 600));
        assert_eq!(image::guess_format(&thumb.jpeg).unwrap(), ImageFormat::Jpeg);
        let decoded = image::load_from_memory_with_format(&thumb.jpeg, ImageFormat::Jpeg).unwrap();
        assert_eq!((decoded.width(), decoded.height()), (800, 600));
        // The thumbnail is the same picture.
        assert!(same_picture(phash(&thumb.jpeg, "jpg"), img.phash));

        // Lookup computes the same hash without the thumbnail.
        let lookup = fingerprint_for_lookup(&original, "jpg").unwrap();
        assert_eq!(lookup.phash(), Some(img.phash));
        assert!(lookup.image.unwrap().thumbnail.is_none());
    }

    #[test]
    fn thumbnails_never_exceed_the_limit_and_keep_the_aspect_ratio() {
        // Not a DCT-scalable size: full decode, then one downscale.
        let p = fingerprint(&png(photo(2, 2000, 500)), "image/png").unwrap();
        let t = p.image.unwrap().thumbnail.unwrap();
        assert_eq!((t.width, t.height), (1024, 256));
        // 2100 px JPEG → DCT scale 1/4 → 525 px; 900 and 1024 px JPEGs are decoded at full size.
        for (w, h, tw, th) in [(2100, 1400, 525, 350), (900, 600, 900, 600), (1024, 1024, 1024, 1024)] {
            let f = fingerprint(&jpeg(&photo(3, w, h), 85), "image/jpeg").unwrap();
            let img = f.image.unwrap();
            let t = img.thumbnail.unwrap();
            assert_eq!((img.width, img.height, t.width, t.height), (w, h, tw, th), "{w}×{h}");
            let d = image::load_from_memory(&t.jpeg).unwrap();
            assert_eq!((d.width(), d.height()), (tw, th));
        }
    }

    #[test]
    fn re_encodes_and_resizes_match_and_unrelated_pictures_do_not() {
        let pic = photo(7, 1600, 1200);
        let original = phash(&jpeg(&pic, 92), "image/jpeg");
        let half = image::imageops::resize(&pic, 800, 600, image::imageops::FilterType::Triangle);
        let small = image::imageops::resize(&pic, 400, 300, image::imageops::FilterType::Lanczos3);
        let copies = [
            ("jpeg q50", phash(&jpeg(&pic, 50), "image/jpeg")),
            ("jpeg q75", phash(&jpeg(&pic, 75), "image/jpeg")),
            ("png", phash(&png(pic.clone()), "image/png")),
            ("50% resize jpeg q80", phash(&jpeg(&half, 80), "image/jpeg")),
            ("50% resize png", phash(&png(half.clone()), "image/png")),
            ("25% resize jpeg q70", phash(&jpeg(&small, 70), "image/jpeg")),
        ];
        for (what, h) in copies {
            let d = distance(original, h);
            assert!(d <= SAME_PICTURE_MAX_DISTANCE, "{what}: distance {d}");
        }
        // Unrelated pictures of the same kind (same generator, other seeds) stay apart.
        let others: Vec<PerceptualHash> = (100..108).map(|s| phash(&jpeg(&photo(s, 800, 600), 85), "jpg")).collect();
        for (i, h) in others.iter().enumerate() {
            let d = distance(original, *h);
            assert!(d > SAME_PICTURE_MAX_DISTANCE, "seed {}: distance {d}", 100 + i);
            for g in &others[i + 1..] {
                assert!(!same_picture(*h, *g));
            }
        }
    }

    #[test]
    fn damaged_files_get_a_specific_error() {
        let good = jpeg(&photo(4, 640, 480), 85);

        let truncated = &good[..good.len() / 2];
        let e = fingerprint(truncated, "image/jpeg").unwrap_err();
        assert!(matches!(e, FingerprintError::Truncated { .. }), "{e:?}");
        assert_eq!(e.code(), "truncated");

        // A valid header followed by garbage.
        let mut garbage = good[..good.len() / 3].to_vec();
        garbage.extend((0..20_000u32).map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8));
        let e = fingerprint(&garbage, "image/jpeg").unwrap_err();
        assert!(matches!(e, FingerprintError::Corrupt { .. } | FingerprintError::Truncated { .. }), "{e:?}");

        let e = fingerprint(b"definitely not a picture at all", "image/png").unwrap_err();
        assert!(matches!(e, FingerprintError::Corrupt { .. }), "{e:?}");
        assert_eq!(e.code(), "corrupt_image");

        let p = png(photo(4, 64, 48));
        let e = fingerprint(&p[..p.len() - 40], "image/png").unwrap_err();
        assert!(matches!(e, FingerprintError::Truncated { .. } | FingerprintError::Corrupt { .. }), "{e:?}");

        let e = fingerprint(&p, "image/jpeg").unwrap_err();
        assert!(matches!(&e, FingerprintError::WrongFormat { found, .. } if found == "PNG"), "{e:?}");
        assert_eq!(e.code(), "wrong_format");

        assert!(matches!(fingerprint(&[], "image/jpeg"), Err(FingerprintError::Empty)));
        assert!(matches!(fingerprint(&[], "video/mp4"), Err(FingerprintError::Empty)));
    }

    #[test]
    fn huge_pictures_are_refused_before_decoding() {
        let mut bytes = jpeg(&photo(5, 64, 48), 85);
        // Rewrite the frame header (SOF0: FF C0, length, precision, height, width) to 60000 × 60000.
        let sof = bytes.windows(2).position(|w| w == [0xFF, 0xC0]).unwrap();
        bytes[sof + 5..sof + 9].copy_from_slice(&[0xEA, 0x60, 0xEA, 0x60]);
        let e = fingerprint(&bytes, "image/jpeg").unwrap_err();
        assert!(matches!(e, FingerprintError::TooLarge { width: 60000, height: 60000 }), "{e:?}");
        assert_eq!(e.code(), "image_too_large");
    }

    #[test]
    fn other_media_get_sha256_only() {
        let bytes = b"\x00\x00\x00\x18ftypmp42 not really a video but bytes all the same".to_vec();
        for media_type in ["video/mp4", "audio/mpeg", "application/pdf", "wav", "image/heic", "avif"] {
            let fp = fingerprint(&bytes, media_type).unwrap();
            assert_eq!(fp.sha256, sha256(&bytes), "{media_type}");
            assert!(fp.image.is_none(), "{media_type}");
            assert!(fp.phash().is_none());
        }
        assert_eq!(media_kind("JPG"), MediaKind::Image(ImageFormat::Jpeg));
        assert_eq!(media_kind("image/jpeg; q=1"), MediaKind::Image(ImageFormat::Jpeg));
        assert_eq!(media_kind(".heic"), MediaKind::UndecodedImage);
        assert_eq!(media_kind("video/quicktime"), MediaKind::Other);
    }

    #[test]
    fn grey_transparent_and_rotated_pictures() {
        // Greyscale JPEG (one component) takes the fast path too.
        let grey = image::DynamicImage::ImageRgb8(photo(6, 800, 600)).to_luma8();
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85).encode_image(&grey).unwrap();
        let fp = fingerprint(&out, "image/jpeg").unwrap().image.unwrap();
        assert_eq!((fp.width, fp.height), (800, 600));
        assert!(same_picture(fp.phash, phash(&png(grey.clone()), "image/png")));

        // Transparency is composited over white, as a viewer shows it.
        let mut rgba = image::RgbaImage::from_pixel(100, 80, image::Rgba([10, 200, 30, 0]));
        rgba.put_pixel(0, 0, image::Rgba([10, 200, 30, 255]));
        let t = fingerprint(&png(rgba), "png").unwrap().image.unwrap().thumbnail.unwrap();
        let d = image::load_from_memory(&t.jpeg).unwrap().to_rgb8();
        let [r, g, b] = d.get_pixel(50, 40).0;
        assert!(r > 240 && g > 240 && b > 240, "{:?}", (r, g, b));

        // EXIF orientation 6 (rotate 90°): the displayed size is portrait.
        let pic = photo(8, 640, 480);
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 85);
        // A minimal little-endian TIFF with one IFD entry: Orientation (0x0112) = 6.
        let exif = [b'I', b'I', 42, 0, 8, 0, 0, 0, 1, 0, 0x12, 0x01, 3, 0, 1, 0, 0, 0, 6, 0, 0, 0, 0, 0, 0, 0];
        enc.set_exif_metadata(exif.to_vec()).unwrap();
        enc.encode_image(&pic).unwrap();
        let fp = fingerprint(&out, "image/jpeg").unwrap().image.unwrap();
        assert_eq!((fp.width, fp.height), (480, 640));
        let t = fp.thumbnail.unwrap();
        assert_eq!((t.width, t.height), (480, 640));
        // A copy with the rotation baked in and no EXIF is the same picture.
        let rotated = image::imageops::rotate90(&pic);
        assert!(same_picture(fp.phash, phash(&jpeg(&rotated, 80), "image/jpeg")));
    }

    #[test]
    fn jpeg_fast_path_decodes_colour_and_grey_and_reports_damage() {
        let pic = photo(9, 1600, 1200);
        let good = jpeg(&pic, 90);
        // Colour: libjpeg-turbo decodes straight to 1/2 scale.
        let small = decode_jpeg_scaled(&good).unwrap().expect("the fast path takes a baseline colour JPEG");
        assert_eq!((small.image.width(), small.image.height(), small.width, small.height), (800, 600, 1600, 1200));
        assert!(matches!(small.image, DynamicImage::ImageRgb8(_)));
        // Grey stays one channel, and its thumbnail is a one-channel JPEG.
        let grey = DynamicImage::ImageRgb8(pic.clone()).to_luma8();
        let mut grey_jpeg = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut grey_jpeg, 85).encode_image(&grey).unwrap();
        let small = decode_jpeg_scaled(&grey_jpeg).unwrap().expect("the fast path takes a grey JPEG");
        assert!(matches!(small.image, DynamicImage::ImageLuma8(_)));
        let t = fingerprint(&grey_jpeg, "jpg").unwrap().image.unwrap().thumbnail.unwrap();
        assert!(matches!(image::load_from_memory(&t.jpeg).unwrap(), DynamicImage::ImageLuma8(_)));

        // Cut anywhere in the picture data: truncated, straight from the fast path.
        for cut in [good.len() / 4, good.len() / 2, good.len() - 100] {
            let e = decode_jpeg_scaled(&good[..cut]).err();
            assert!(matches!(e, Some(FingerprintError::Truncated { .. })), "cut at {cut}: {e:?}");
        }
        // A corrupt marker inside the picture data: damaged, with libjpeg's reason.
        let sos = good.windows(2).position(|w| w == [0xFF, 0xDA]).unwrap();
        let mut broken = good.clone();
        let at = sos + (good.len() - sos) / 2;
        broken[at..at + 2].copy_from_slice(&[0xFF, 0x50]);
        let e = fingerprint(&broken, "image/jpeg").unwrap_err();
        assert!(matches!(&e, FingerprintError::Corrupt { reason, .. } if reason.contains("marker")), "{e:?}");

        // Stray bytes between segments (libjpeg only warns): still the same picture.
        let mut stray = good[..sos].to_vec();
        stray.extend_from_slice(&[1, 2, 3]);
        stray.extend_from_slice(&good[sos..]);
        let clean = phash(&good, "jpg");
        assert!(same_picture(phash(&stray, "jpg"), clean));
    }

    #[test]
    fn turbojpeg_messages_are_sorted_and_the_end_marker_is_found_from_the_end() {
        let ended = [0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9];
        let padded = [0xFF, 0xD8, 1, 2, 3, 0xFF, 0xD9, 0, 0, 0];
        let cut = [0xFF, 0xD8, 1, 2, 3];
        assert!(ends_with_end_marker(&ended) && ends_with_end_marker(&padded));
        assert!(!ends_with_end_marker(&cut) && !ends_with_end_marker(&[0, 0]) && !ends_with_end_marker(&[]));

        let classify = classify_turbo_error;
        assert_eq!(classify("TurboJPEG error: Premature end of JPEG file", &ended), TurboFailure::Truncated);
        let segment = "TurboJPEG error: Corrupt JPEG data: premature end of data segment";
        assert_eq!(classify(segment, &cut), TurboFailure::Truncated);
        assert_eq!(classify(segment, &ended), TurboFailure::Corrupt(segment[17..].to_string()));
        let stray = "TurboJPEG error: Corrupt JPEG data: 3 extraneous bytes before marker 0xda";
        assert_eq!(classify(stray, &ended), TurboFailure::FullDecoder);
        assert_eq!(
            classify("TurboJPEG error: Unsupported JPEG process: SOF type 0xc3", &ended),
            TurboFailure::FullDecoder
        );
        assert_eq!(
            classify("TurboJPEG error: Unsupported marker type 0x50", &ended),
            TurboFailure::Corrupt("Unsupported marker type 0x50".into())
        );
    }

    #[test]
    fn exif_is_found_among_the_segments() {
        let pic = photo(10, 64, 48);
        assert_eq!(jpeg_exif(&jpeg(&pic, 80)), None);
        let exif = [b'M', b'M', 0, 42, 0, 0, 0, 8, 0, 1, 0x01, 0x12, 0, 3, 0, 0, 0, 1, 0, 3, 0, 0, 0, 0, 0, 0];
        let mut out = Vec::new();
        let mut enc = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 80);
        enc.set_exif_metadata(exif.to_vec()).unwrap();
        enc.encode_image(&pic).unwrap();
        assert_eq!(jpeg_exif(&out), Some(&exif[..]));
        assert_eq!(
            jpeg_exif(&out).and_then(image::metadata::Orientation::from_exif_chunk),
            Some(image::metadata::Orientation::Rotate180)
        );
        // Cut inside the segment headers: no Exif, no panic.
        for cut in 0..out.len().min(64) {
            let _ = jpeg_exif(&out[..cut]);
        }
        assert_eq!(jpeg_exif(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00]), None);
        assert_eq!(jpeg_exif(&[0xFF, 0xD8, 0xFF, 0xE1, 0x00, 0x01]), None);
    }

    #[test]
    fn cmyk_jpeg_is_decoded_in_full_and_matches_its_rgb_original() {
        // Adobe-style (inverted) CMYK, which libjpeg-turbo stores as YCCK; the fast path hands it
        // to the full decoder.
        let pic = photo(11, 640, 480);
        let cmyk: Vec<u8> = pic
            .pixels()
            .flat_map(|p| {
                let max = u32::from(*p.0.iter().max().unwrap()).max(1);
                let inv = |c: u8| (u32::from(c) * 255 / max) as u8;
                [inv(p[0]), inv(p[1]), inv(p[2]), max as u8]
            })
            .collect();
        let mut c = turbojpeg::Compressor::new().unwrap();
        c.set_quality(90);
        c.set_subsamp(turbojpeg::Subsamp::None);
        let image = turbojpeg::Image {
            pixels: &cmyk[..],
            width: 640,
            pitch: 640 * 4,
            height: 480,
            format: turbojpeg::PixelFormat::CMYK,
        };
        let cmyk_jpeg = c.compress_to_vec(image).unwrap();
        assert!(decode_jpeg_scaled(&cmyk_jpeg).unwrap().is_none());
        let fp = fingerprint(&cmyk_jpeg, "image/jpeg").unwrap().image.unwrap();
        assert_eq!((fp.width, fp.height), (640, 480));
        assert!(same_picture(fp.phash, phash(&jpeg(&pic, 90), "image/jpeg")));
    }

    #[test]
    fn hashes_and_distances() {
        let a = PerceptualHash(0xF0F0_0000_0000_0001);
        let b = PerceptualHash(0x00F0_0000_0000_0000);
        assert_eq!(distance(a, b), 5);
        assert_eq!(distance(a, a), 0);
        assert_eq!(distance(PerceptualHash(0), PerceptualHash(u64::MAX)), 64);
        assert_eq!(a.to_hex(), "f0f0000000000001");
        assert_eq!(PerceptualHash::from_hex(&a.to_hex()).unwrap(), a);
        assert_eq!(PerceptualHash::from_i64(a.to_i64()), a);
        assert!(a.to_i64() < 0);
        assert!(matches!(PerceptualHash::from_hex("xyz"), Err(FingerprintError::BadHash(_))));
        assert!(PerceptualHash::from_hex("f0f000000000000g").is_err());
        assert_eq!(serde_json::to_string(&a).unwrap(), "\"f0f0000000000001\"");
    }
}
