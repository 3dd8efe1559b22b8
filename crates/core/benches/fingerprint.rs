//! Fingerprinting speed on a 12-megapixel JPEG (4000 × 3000, generated here at run time: gradients,
//! soft shapes, fine texture and sensor-like noise, so it compresses like a photo to a few MB).
//!
//! Prints the time per image of:
//! * `sha256` — hashing the bytes only (the floor every signer pays);
//! * `full_decode` — decoding every pixel with the `image` crate (what a naive pipeline does);
//! * `scaled_decode` — the JPEG decoder's DCT scaling to 1/4 (1000 × 750) alone;
//! * `fingerprint` — [`fingerprint`]: SHA-256 + scaled decode + perceptual hash + JPEG thumbnail;
//! * `fingerprint_for_lookup` — the same without the thumbnail (`hallmark find`).
//!
//! Run: `cargo bench -p hallmark-core --bench fingerprint` (add `-- --test` to run each once).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hallmark_core::fingerprint::{fingerprint, fingerprint_for_lookup, sha256};
use image::{Rgb, RgbImage};

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;

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

/// A photo-like 12-MP picture: sky-to-ground gradient, soft blobs, a fine texture and noise.
fn photo(seed: u64) -> RgbImage {
    let mut rng = Rng(seed.wrapping_mul(0x9E37_79B9_7F4A_7C15) | 1);
    let top = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let bottom = [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0];
    let blobs: Vec<(f32, f32, f32, [f32; 3])> = (0..16)
        .map(|_| {
            let (x, y) = (rng.unit() * WIDTH as f32, rng.unit() * HEIGHT as f32);
            let r = (0.05 + rng.unit() * 0.25) * WIDTH as f32;
            (x, y, r, [rng.unit() * 255.0, rng.unit() * 255.0, rng.unit() * 255.0])
        })
        .collect();
    let mut img = RgbImage::new(WIDTH, HEIGHT);
    for (x, y, px) in img.enumerate_pixels_mut() {
        let t = y as f32 / HEIGHT as f32;
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
        // Fine texture (foliage, fabric) plus per-channel sensor noise.
        let texture = ((x as f32 * 0.21).sin() * (y as f32 * 0.17).cos()) * 10.0;
        let mut out = [0u8; 3];
        for i in 0..3 {
            let noise = (rng.unit() - 0.5) * 14.0;
            out[i] = (c[i] + texture + noise).clamp(0.0, 255.0) as u8;
        }
        *px = Rgb(out);
    }
    img
}

fn jpeg(img: &RgbImage) -> Vec<u8> {
    let mut out = Vec::new();
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut out, 90).encode_image(img).unwrap();
    out
}

fn per_image(name: &str, runs: u32, mut f: impl FnMut()) {
    f();
    let start = Instant::now();
    for _ in 0..runs {
        f();
    }
    let each = start.elapsed() / runs;
    println!("{name:<24} {:>8.1} ms/image  {:>6.1} images/s (one core)", ms(each), 1.0 / each.as_secs_f64());
}

fn ms(d: Duration) -> f64 {
    d.as_secs_f64() * 1000.0
}

fn bench(c: &mut Criterion) {
    let started = Instant::now();
    let bytes = jpeg(&photo(1));
    println!(
        "generated a {WIDTH}×{HEIGHT} JPEG of {:.2} MB in {:.1} s",
        bytes.len() as f64 / 1e6,
        started.elapsed().as_secs_f64()
    );
    let fp = fingerprint(&bytes, "image/jpeg").unwrap();
    let img = fp.image.as_ref().unwrap();
    let thumb = img.thumbnail.as_ref().unwrap();
    println!(
        "phash {} size {}×{} thumbnail {}×{} ({} KB)",
        img.phash,
        img.width,
        img.height,
        thumb.width,
        thumb.height,
        thumb.jpeg.len() / 1024
    );

    // A plain summary first (criterion's own figures follow).
    let runs = if std::env::args().any(|a| a == "--test") { 1 } else { 10 };
    per_image("sha256", runs, || {
        black_box(sha256(black_box(&bytes)));
    });
    per_image("full_decode", runs, || {
        black_box(image::load_from_memory_with_format(&bytes, image::ImageFormat::Jpeg).unwrap());
    });
    per_image("scaled_decode (1/4)", runs, || {
        let mut d = jpeg_decoder::Decoder::new(&bytes[..]);
        d.scale(1000, 750).unwrap();
        black_box(d.decode().unwrap());
    });
    per_image("fingerprint", runs, || {
        black_box(fingerprint(&bytes, "image/jpeg").unwrap());
    });
    per_image("fingerprint_for_lookup", runs, || {
        black_box(fingerprint_for_lookup(&bytes, "image/jpeg").unwrap());
    });

    let mut g = c.benchmark_group("fingerprint_12mp_jpeg");
    g.sample_size(10).measurement_time(Duration::from_secs(8)).throughput(Throughput::Bytes(bytes.len() as u64));
    g.bench_function("sha256", |b| b.iter(|| sha256(black_box(&bytes))));
    g.bench_function("full_decode", |b| {
        b.iter(|| image::load_from_memory_with_format(black_box(&bytes), image::ImageFormat::Jpeg).unwrap())
    });
    g.bench_function("scaled_decode", |b| {
        b.iter(|| {
            let mut d = jpeg_decoder::Decoder::new(black_box(&bytes[..]));
            d.scale(1000, 750).unwrap();
            d.decode().unwrap()
        })
    });
    g.bench_function("fingerprint", |b| b.iter(|| fingerprint(black_box(&bytes), "image/jpeg").unwrap()));
    g.bench_function("fingerprint_for_lookup", |b| {
        b.iter(|| fingerprint_for_lookup(black_box(&bytes), "image/jpeg").unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
