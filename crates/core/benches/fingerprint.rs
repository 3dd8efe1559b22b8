//! Fingerprinting speed on a 12-megapixel JPEG (4000 × 3000, generated here at run time: gradients,
//! soft shapes, fine texture and sensor-like noise, so it compresses like a photo to a few MB).
//!
//! Prints the time per image of:
//! * `sha256` — hashing the bytes only (the floor every signer pays);
//! * `full_decode` — decoding every pixel with the `image` crate (what a naive pipeline does);
//! * `scaled_decode` — libjpeg-turbo's DCT scaling to 1/4 (1000 × 750) alone, what
//!   [`fingerprint`] uses; `scaled_decode_jpeg_decoder` — the same with the pure-Rust
//!   jpeg-decoder, for comparison;
//! * `fingerprint` — [`fingerprint`]: SHA-256 + scaled decode + perceptual hash + JPEG thumbnail;
//! * `fingerprint_for_lookup` — the same without the thumbnail (`hallmark find`).
//!
//! Run: `cargo bench -p hallmark-core --bench fingerprint` (add `-- --test` to run each once).

use std::hint::black_box;
use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hallmark_core::fingerprint::{fingerprint, fingerprint_for_lookup, sha256};

const WIDTH: u32 = 4000;
const HEIGHT: u32 = 3000;

/// libjpeg-turbo's DCT-scaled decode to 1/4 (1000 × 750 RGB).
fn turbo_scaled(bytes: &[u8]) -> Vec<u8> {
    let (w, h) = ((WIDTH / 4) as usize, (HEIGHT / 4) as usize);
    let mut pixels = vec![0u8; w * h * 3];
    let image = turbojpeg::Image {
        pixels: &mut pixels[..],
        width: w,
        pitch: w * 3,
        height: h,
        format: turbojpeg::PixelFormat::RGB,
    };
    turbojpeg::Decompressor::new().unwrap().decompress(bytes, image).unwrap();
    pixels
}

/// The pure-Rust jpeg-decoder's DCT-scaled decode to 1/4, for comparison.
fn jpeg_decoder_scaled(bytes: &[u8]) -> Vec<u8> {
    let mut d = jpeg_decoder::Decoder::new(bytes);
    d.scale((WIDTH / 4) as u16, (HEIGHT / 4) as u16).unwrap();
    d.decode().unwrap()
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
    let bytes = hallmark_testmedia::jpeg_of(&hallmark_testmedia::textured_photo(1, WIDTH, HEIGHT), 90);
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
        black_box(turbo_scaled(&bytes));
    });
    per_image("  jpeg-decoder instead", runs, || {
        black_box(jpeg_decoder_scaled(&bytes));
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
    g.bench_function("scaled_decode", |b| b.iter(|| turbo_scaled(black_box(&bytes))));
    g.bench_function("scaled_decode_jpeg_decoder", |b| b.iter(|| jpeg_decoder_scaled(black_box(&bytes))));
    g.bench_function("fingerprint", |b| b.iter(|| fingerprint(black_box(&bytes), "image/jpeg").unwrap()));
    g.bench_function("fingerprint_for_lookup", |b| {
        b.iter(|| fingerprint_for_lookup(black_box(&bytes), "image/jpeg").unwrap())
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
