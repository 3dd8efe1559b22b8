//! Test media for the content-signing tests, shared by the unit tests (`manifest::tests`) and
//! `crates/core/tests/c2pa_interop.rs` (included there with `#[path]`, so it uses only std,
//! `image` and `hound`). Images and WAV are generated here; a PDF is written by hand; the formats
//! nothing in Rust can write (MP4, MOV, M4A, MP3, FLAC, HEIC, AVIF) are small committed fixtures
//! from `tests/fixtures/media/make-fixtures.sh`.

#![allow(dead_code)]

use std::io::Cursor;
use std::path::PathBuf;

/// One sample file: its name (the extension gives the type), media type and bytes.
pub struct Sample {
    pub name: &'static str,
    pub mime: &'static str,
    pub bytes: Vec<u8>,
}

fn picture(seed: u8) -> image::RgbImage {
    image::RgbImage::from_fn(48, 32, |x, y| {
        image::Rgb([(x as u8).wrapping_mul(5).wrapping_add(seed), (y as u8).wrapping_mul(7), seed ^ 0x5a])
    })
}

/// An image encoded by the `image` crate.
pub fn image_bytes(format: image::ImageFormat, seed: u8) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let img = picture(seed);
    match format {
        // The GIF and WebP encoders want RGBA.
        image::ImageFormat::Gif | image::ImageFormat::WebP => {
            image::DynamicImage::ImageRgb8(img).to_rgba8().write_to(&mut out, format).unwrap()
        }
        _ => img.write_to(&mut out, format).unwrap(),
    }
    out.into_inner()
}

pub fn jpeg(seed: u8) -> Vec<u8> {
    image_bytes(image::ImageFormat::Jpeg, seed)
}

/// A short 16-bit mono WAV (a ramp), written with `hound`.
pub fn wav() -> Vec<u8> {
    let spec =
        hound::WavSpec { channels: 1, sample_rate: 8000, bits_per_sample: 16, sample_format: hound::SampleFormat::Int };
    let mut out = Cursor::new(Vec::new());
    {
        let mut w = hound::WavWriter::new(&mut out, spec).unwrap();
        for i in 0..4000i32 {
            w.write_sample(((i * 37) % 20000 - 10000) as i16).unwrap();
        }
        w.finalize().unwrap();
    }
    out.into_inner()
}

/// A one-page PDF 1.7 with a line of text, written by hand with a correct cross-reference table.
pub fn pdf() -> Vec<u8> {
    let content = "BT /F1 18 Tf 20 40 Td (Hallmark test page) Tj ET";
    let objects = [
        "<< /Type /Catalog /Pages 2 0 R >>".to_string(),
        "<< /Type /Pages /Kids [3 0 R] /Count 1 >>".to_string(),
        "<< /Type /Page /Parent 2 0 R /MediaBox [0 0 300 100] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>"
            .to_string(),
        format!("<< /Length {} >>\nstream\n{content}\nendstream", content.len()),
        "<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>".to_string(),
    ];
    let mut out = b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n".to_vec();
    let mut offsets = Vec::new();
    for (i, body) in objects.iter().enumerate() {
        offsets.push(out.len());
        out.extend_from_slice(format!("{} 0 obj\n{body}\nendobj\n", i + 1).as_bytes());
    }
    let xref = out.len();
    out.extend_from_slice(format!("xref\n0 {}\n0000000000 65535 f \n", objects.len() + 1).as_bytes());
    for o in offsets {
        out.extend_from_slice(format!("{o:010} 00000 n \n").as_bytes());
    }
    out.extend_from_slice(
        format!("trailer\n<< /Size {} /Root 1 0 R >>\nstartxref\n{xref}\n%%EOF\n", objects.len() + 1).as_bytes(),
    );
    out
}

/// `tests/fixtures/media` at the repository root.
pub fn fixtures_dir() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/fixtures/media")
}

/// A committed fixture.
pub fn fixture(name: &str) -> Vec<u8> {
    let p = fixtures_dir().join(name);
    std::fs::read(&p)
        .unwrap_or_else(|e| panic!("fixture {} missing ({e}): run tests/fixtures/media/make-fixtures.sh", p.display()))
}

/// One sample of every format Hallmark embeds into (PDF, sidecar only, is [`pdf`]).
pub fn all_samples() -> Vec<Sample> {
    use image::ImageFormat as F;
    vec![
        Sample { name: "photo.jpg", mime: "image/jpeg", bytes: image_bytes(F::Jpeg, 1) },
        Sample { name: "photo.png", mime: "image/png", bytes: image_bytes(F::Png, 2) },
        Sample { name: "photo.gif", mime: "image/gif", bytes: image_bytes(F::Gif, 3) },
        Sample { name: "photo.webp", mime: "image/webp", bytes: image_bytes(F::WebP, 4) },
        Sample { name: "photo.tif", mime: "image/tiff", bytes: image_bytes(F::Tiff, 5) },
        Sample { name: "photo.heic", mime: "image/heic", bytes: fixture("photo.heic") },
        Sample { name: "photo.avif", mime: "image/avif", bytes: fixture("photo.avif") },
        Sample { name: "clip.mp4", mime: "video/mp4", bytes: fixture("clip.mp4") },
        Sample { name: "clip.mov", mime: "video/quicktime", bytes: fixture("clip.mov") },
        Sample { name: "tone.m4a", mime: "audio/mp4", bytes: fixture("tone.m4a") },
        Sample { name: "tone.mp3", mime: "audio/mpeg", bytes: fixture("tone.mp3") },
        Sample { name: "tone.wav", mime: "audio/wav", bytes: wav() },
        Sample { name: "tone.flac", mime: "audio/flac", bytes: fixture("tone.flac") },
    ]
}
