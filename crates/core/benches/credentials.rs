//! Credential throughput: issue and verify, for each proof format (eddsa-rdfc-2022,
//! eddsa-jcs-2022, VC-JOSE JWT), with criterion. Verification is offline (did:key issuer, no
//! status list), so it measures the cryptography and canonicalization, not a network.
//!
//! Verification starts from the credential's text, as a verifier receives it (parsing included).
//!
//! When the interop packages are installed (`tests/interop/node_modules`, by `scripts/setup`),
//! the bench also runs Digital Bazaar's vc.js (jose for the JWT) on the same credentials and prints
//! both rates (credentials/s) and their ratio: the goal is Hallmark ≥ 10× vc.js. Both run on one
//! thread, one credential after another; Hallmark's rate on all cores (`verify_all`, as `hallmark
//! cred verify A B C…` uses) is printed beside it (vc.js runs on one thread, all it uses). vc.js first runs as many untimed verifications as it
//! then times, so that it is measured at its steady speed (after its engine has optimized the hot
//! code), as Hallmark is. The two are timed in alternating rounds and each rate is the median of
//! its rounds, so that a burst of other work on the machine does not decide the ratio.
//!
//! Run: `cargo bench -p hallmark-core --bench credentials` (add `-- --test` to run each once).

/// The allocator the CLI and the app ship with.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

use std::hint::black_box;
use std::path::PathBuf;
use std::time::Instant;

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use hallmark_core::credential::verifier::{verify, verify_all, VerifyOptions};
use hallmark_core::credential::{humanity_credential, sign_credential, Format, HumanityMethod, Secured, Suite};

const FORMATS: [(&str, Format); 3] = [
    ("eddsa-rdfc-2022", Format::DataIntegrity(Suite::EddsaRdfc2022)),
    ("eddsa-jcs-2022", Format::DataIntegrity(Suite::EddsaJcs2022)),
    ("jwt", Format::Jwt),
];

fn issuer() -> (ed25519_dalek::SigningKey, String, String) {
    let key = ed25519_dalek::SigningKey::from_bytes(&[7u8; 32]);
    let did = hallmark_core::did::did_key(&key.verifying_key()).unwrap();
    let vm = hallmark_core::did::verification_method_id(&did).unwrap();
    (key, did, vm)
}

fn unsigned(did: &str) -> serde_json::Value {
    humanity_credential(
        did,
        "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp",
        HumanityMethod::InPerson,
        Some("met at the club"),
        "2025-01-01T00:00:00Z",
        None,
    )
}

fn runtime() -> tokio::runtime::Runtime {
    tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap()
}

fn bench(c: &mut Criterion) {
    let rt = runtime();
    let (key, did, vm) = issuer();
    let options = VerifyOptions { network: false, ..Default::default() };
    let mut g = c.benchmark_group("credentials");
    g.throughput(Throughput::Elements(1));
    for (name, format) in FORMATS {
        g.bench_function(format!("issue/{name}"), |b| {
            b.iter(|| rt.block_on(sign_credential(black_box(unsigned(&did)), &key, &vm, format)).unwrap())
        });
        let text = rt.block_on(sign_credential(unsigned(&did), &key, &vm, format)).unwrap().to_text();
        assert!(verify_text(&rt, &text, &options));
        g.bench_function(format!("verify/{name}"), |b| {
            b.iter(|| assert!(verify_text(&rt, black_box(&text), &options)))
        });
    }
    g.finish();
    compare_with_vcjs(&rt, &key, &did, &vm, &options);
}

/// Reads and verifies a credential from its text.
fn verify_text(rt: &tokio::runtime::Runtime, text: &str, options: &VerifyOptions) -> bool {
    let secured = Secured::parse(text).unwrap();
    rt.block_on(verify(&secured, options)).unwrap().valid
}

/// Prints Hallmark's and vc.js's verification rates on the same credential, if node and the
/// pinned interop packages are there.
fn compare_with_vcjs(
    rt: &tokio::runtime::Runtime,
    key: &ed25519_dalek::SigningKey,
    did: &str,
    vm: &str,
    options: &VerifyOptions,
) {
    let interop = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop");
    if !interop.join("node_modules").exists() {
        eprintln!("vc.js comparison skipped: run scripts/setup to install tests/interop/node_modules");
        return;
    }
    // `cargo bench` passes --bench; `cargo test` and `-- --test` only check that it runs.
    let args: Vec<String> = std::env::args().collect();
    let quick = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    let (n, rounds): (usize, usize) = if quick { (5, 1) } else { (300, 5) };
    for (name, format) in &FORMATS {
        let text = rt.block_on(sign_credential(unsigned(did), key, vm, *format)).unwrap().to_text();
        let file = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(file.path(), &text).unwrap();
        let (mut ours, mut all_cores, mut theirs) = (Vec::new(), Vec::new(), Vec::new());
        for _ in 0..rounds {
            let start = Instant::now();
            for _ in 0..n {
                assert!(verify_text(rt, &text, options));
            }
            ours.push(n as f64 / start.elapsed().as_secs_f64());
            let start = Instant::now();
            let batch: Vec<Secured> = (0..n).map(|_| Secured::parse(&text).unwrap()).collect();
            assert!(verify_all(&batch, options).iter().all(|r| r.as_ref().unwrap().valid));
            all_cores.push(n as f64 / start.elapsed().as_secs_f64());
            let out = std::process::Command::new("node")
                .arg(interop.join("bench-verify.mjs"))
                .arg(file.path())
                .arg(n.to_string())
                .args(["--warmup", &n.to_string()])
                .output();
            match out {
                Ok(o) if o.status.success() => {
                    let v: serde_json::Value = serde_json::from_slice(&o.stdout).unwrap_or_default();
                    theirs.push(v["per_second"].as_f64().unwrap_or(f64::NAN));
                }
                Ok(o) => return eprintln!("vc.js bench failed: {}", String::from_utf8_lossy(&o.stderr)),
                Err(e) => return eprintln!("vc.js comparison skipped: cannot run node ({e})"),
            }
        }
        let (ours, all_cores, theirs) = (median(&mut ours), median(&mut all_cores), median(&mut theirs));
        let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
        println!(
            "verify {name}: one thread: Hallmark {ours:.0}/s, vc.js {theirs:.0}/s — {:.1}× (goal ≥ 10×); \
             all {cores} cores: Hallmark {all_cores:.0}/s — {:.1}× (median of {rounds} rounds)",
            ours / theirs,
            all_cores / theirs
        );
    }
}

fn median(rates: &mut [f64]) -> f64 {
    rates.sort_by(f64::total_cmp);
    rates[rates.len() / 2]
}

criterion_group!(benches, bench);
criterion_main!(benches);
