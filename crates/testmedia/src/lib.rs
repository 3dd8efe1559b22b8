//! Photo-like pictures generated at run time for Hallmark's tests and benchmarks: a sky-to-ground
//! gradient, soft blobs of colour and sensor-like noise, so they compress like photos and their
//! perceptual hashes behave like those of photos. The same seed gives the same picture; different
//! seeds give pictures that look different. Only a dev-dependency: nothing here ships.

use image::{Rgb, RgbImage};

/// xorshift64*: deterministic, fast, good enough for pixels.
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

/// A photo-like picture of `width` × `height` pixels.
pub fn photo(seed: u64, width: u32, height: u32) -> RgbImage {
    render(seed, width, height, false)
}

/// Like [`photo`], with a fine texture (foliage, fabric) and per-channel sensor noise: compresses
/// like a detailed photo (a 12-megapixel one at quality 90 is about 2.6 MB), for benchmarks.
pub fn textured_photo(seed: u64, width: u32, height: u32) -> RgbImage {
    render(seed, width, height, true)
}

fn render(seed: u64, width: u32, height: u32, textured: bool) -> RgbImage {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let top = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let bottom = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..if textured { 16 } else { 12 })
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
        if textured {
            let texture = ((x as f32 * 0.21).sin() * (y as f32 * 0.17).cos()) * 10.0;
            for v in c.iter_mut() {
                *v += texture + (rng.unit() - 0.5) * 14.0;
            }
        } else {
            let noise = (rng.unit() - 0.5) * 24.0;
            for v in c.iter_mut() {
                *v += noise;
            }
        }
        *px = Rgb(c.map(|v| v.clamp(0.0, 255.0) as u8));
    }
    img
}

/// `img` as a JPEG file of the given quality (1–100).
pub fn jpeg_of(img: &RgbImage, quality: u8) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, quality)
        .encode_image(img)
        .expect("encoding a JPEG in memory");
    out
}

/// A photo-like JPEG file.
pub fn jpeg(seed: u64, width: u32, height: u32, quality: u8) -> Vec<u8> {
    jpeg_of(&photo(seed, width, height), quality)
}

/// A photo-like PNG file.
pub fn png(seed: u64, width: u32, height: u32) -> Vec<u8> {
    let mut out = std::io::Cursor::new(Vec::new());
    image::DynamicImage::ImageRgb8(photo(seed, width, height))
        .write_to(&mut out, image::ImageFormat::Png)
        .expect("encoding a PNG in memory");
    out.into_inner()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deterministic_and_distinct() {
        assert_eq!(photo(1, 40, 30), photo(1, 40, 30));
        assert_ne!(photo(1, 40, 30), photo(2, 40, 30));
        let j = jpeg(3, 64, 48, 80);
        assert_eq!(&j[..2], &[0xFF, 0xD8]);
        let p = png(3, 64, 48);
        assert_eq!(&p[1..4], b"PNG");
        let back = image::load_from_memory(&j).unwrap();
        assert_eq!((back.width(), back.height()), (64, 48));
    }
}
