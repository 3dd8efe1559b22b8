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
//! that small picture. For JPEG the decoder's DCT scaling (1/8, 1/4, 1/2) skips most of the inverse
//! DCT work, so a 12-megapixel photo is decoded straight to about 1000 × 750 pixels; other formats
//! are decoded in full by the `image` crate and downscaled once.
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

fn jpeg_error(e: jpeg_decoder::Error) -> FingerprintError {
    let format = "JPEG".to_string();
    match e {
        jpeg_decoder::Error::Io(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => {
            FingerprintError::Truncated { format }
        }
        jpeg_decoder::Error::Unsupported(feature) => {
            FingerprintError::Unsupported { format, reason: format!("{feature:?}") }
        }
        other => FingerprintError::Corrupt { format, reason: other.to_string() },
    }
}

/// Decodes a JPEG with DCT scaling. `None` when the picture is in a form the fast path does
/// not handle (CMYK, 16-bit lossless): the caller falls back to a full decode.
fn decode_jpeg_scaled(bytes: &[u8]) -> Result<Option<Small>, FingerprintError> {
    use jpeg_decoder::{CodingProcess, PixelFormat};
    let mut decoder = jpeg_decoder::Decoder::new(bytes);
    decoder.read_info().map_err(jpeg_error)?;
    let info = decoder
        .info()
        .ok_or_else(|| FingerprintError::Corrupt { format: "JPEG".into(), reason: "no frame header".into() })?;
    let (width, height) = (u32::from(info.width), u32::from(info.height));
    check_pixels(width.into(), height.into())?;
    if width == 0 || height == 0 {
        return Err(FingerprintError::Corrupt { format: "JPEG".into(), reason: "the picture has no pixels".into() });
    }
    let supported = matches!(info.pixel_format, PixelFormat::L8 | PixelFormat::RGB24)
        && info.coding_process != CodingProcess::Lossless;
    if !supported {
        return Ok(None);
    }
    let n = jpeg_scale(width, height);
    let (w, h) = ((width * n).div_ceil(8) as u16, (height * n).div_ceil(8) as u16);
    let (w, h) = decoder.scale(w, h).map_err(jpeg_error)?;
    let pixels = decoder.decode().map_err(jpeg_error)?;
    let (w, h) = (u32::from(w), u32::from(h));
    let broken = || FingerprintError::Corrupt {
        format: "JPEG".into(),
        reason: "the decoder returned fewer pixels than the header declares".into(),
    };
    let mut image = match info.pixel_format {
        PixelFormat::L8 => DynamicImage::ImageLuma8(image::GrayImage::from_raw(w, h, pixels).ok_or_else(broken)?),
        _ => DynamicImage::ImageRgb8(image::RgbImage::from_raw(w, h, pixels).ok_or_else(broken)?),
    };
    let orientation = decoder
        .exif_data()
        .and_then(image::metadata::Orientation::from_exif_chunk)
        .unwrap_or(image::metadata::Orientation::NoTransforms);
    image = shrink(image);
    image.apply_orientation(orientation);
    let (width, height) = displayed_size(width, height, orientation);
    Ok(Some(Small { image, width, height }))
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

fn encode_thumbnail(image: &DynamicImage) -> Result<Thumbnail, FingerprintError> {
    let mut jpeg = Vec::with_capacity(128 * 1024);
    let encoder = image::codecs::jpeg::JpegEncoder::new_with_quality(&mut jpeg, THUMBNAIL_QUALITY);
    image.write_with_encoder(encoder).map_err(|e| FingerprintError::Thumbnail(e.to_string()))?;
    Ok(Thumbnail { jpeg, width: image.width(), height: image.height() })
}

#[cfg(test)]
mod tests {
    use super::*;
    use image::{ImageEncoder, Rgb, RgbImage};

    /// A small deterministic generator (xorshift64*), so the pictures are the same on every run.
    struct Rng(u64);
    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
        }
        fn unit(&mut self) -> f32 {
            (self.next() >> 40) as f32 / (1u64 << 24) as f32
        }
    }

    /// A photo-like picture: a sky-to-ground gradient, soft blobs of colour, and sensor noise.
    fn photo(seed: u64, width: u32, height: u32) -> RgbImage {
        let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
        let top = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
        let bottom = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
        let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..12)
            .map(|_| {
                let (x, y) = (rng.unit() * width as f32, rng.unit() * height as f32);
                let r = (0.05 + rng.unit() * 0.25) * width as f32;
                (x, y, r, [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0])
            })
            .collect();
        let mut img = RgbImage::new(width, height);
        for (x, y, px) in img.enumerate_pixels_mut() {
            let t = y as f32 / height as f32;
            let mut c = [0f32; 3];
            for i in 0..3 {
                c[i] = top[i] * (1.0 - t) + bottom[i] * t;
            }
            for &(bx, by, r, col) in &blobs {
                let d2 = ((x as f32 - bx).powi(2) + (y as f32 - by).powi(2)) / (r * r);
                if d2 < 1.0 {
                    let w = (1.0 - d2) * (1.0 - d2);
                    for i in 0..3 {
                        c[i] = c[i] * (1.0 - w) + col[i] * w;
                    }
                }
            }
            let noise = (rng.unit() - 0.5) * 24.0;
            *px = Rgb(c.map(|v| (v + noise).clamp(0.0, 255.0) as u8));
        }
        img
    }

    fn jpeg(img: &RgbImage, quality: u8) -> Vec<u8> {
        let mut out = Vec::new();
        image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality).encode_image(img).unwrap();
        out
    }

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
        let mut rng = Rng(99);
        garbage.extend((0..20_000).map(|_| rng.next() as u8));
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
