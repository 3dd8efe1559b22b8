//! Interoperability of Hallmark's content credentials with an independent C2PA implementation:
//! c2pa-python (the Content Authenticity Initiative's bindings of its C library, a different
//! release of the SDK than the one Hallmark links), pinned in `tests/interop-c2pa/requirements.txt`
//! and run through `tests/interop-c2pa/c2pa_tool.py` from the venv `scripts/setup` creates in
//! `$HOME/.cache/hallmark/venv-c2pa`.
//!
//! * Every format Hallmark embeds into, and PDF with its sidecar: c2pa-python validates the
//!   signature and every hash; the only failure allowed is `signingCredential.untrusted` (the
//!   wallet's self-issued CA is in nobody's trust list). A tampered file is invalid there too.
//! * Files c2pa-python signs with its own ES256 certificate chain: Hallmark reads and verifies
//!   them, and re-signing one keeps its manifest as an ingredient that c2pa-python accepts.
//!
//! Skipped (with a notice) when the venv is missing, unless HALLMARK_TEST_REQUIRE_INTEROP=1.

#[path = "../src/manifest/testmedia.rs"]
mod testmedia;

use std::path::{Path, PathBuf};
use std::process::Command;

use hallmark_core::manifest::{self, MediaSigner, SignOptions, Verdict, VerifyOptions, WalletCa};
use serde_json::Value;

const DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

/// The venv's python and the tool script, or `None` (after a notice) when the venv is missing.
fn python() -> Option<(PathBuf, PathBuf)> {
    let required = std::env::var("HALLMARK_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    let home = std::env::var_os("HOME").map(PathBuf::from).unwrap_or_default();
    let py = home.join(".cache/hallmark/venv-c2pa/bin/python");
    let tool = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop-c2pa/c2pa_tool.py");
    let works =
        || Command::new(&py).args(["-c", "import c2pa, cryptography"]).output().is_ok_and(|o| o.status.success());
    if py.is_file() && works() {
        return Some((py, tool));
    }
    let why = format!("{} is missing or lacks c2pa-python (run scripts/setup)", py.display());
    if required {
        panic!("interop tests are required (HALLMARK_TEST_REQUIRE_INTEROP=1) but {why}");
    }
    eprintln!("skipping the c2pa-python interop test: {why}");
    None
}

fn run(py: &Path, tool: &Path, args: &[&str]) -> (i32, Value) {
    let out = Command::new(py).arg(tool).args(args).output().expect("run c2pa_tool.py");
    let stdout = String::from_utf8_lossy(&out.stdout);
    let json = serde_json::from_str(stdout.trim()).unwrap_or_else(|e| {
        panic!("c2pa_tool.py {args:?}: not JSON ({e}): {stdout}\nstderr: {}", String::from_utf8_lossy(&out.stderr))
    });
    (out.status.code().unwrap_or(-1), json)
}

/// c2pa-python's verdict on a file (and its sidecar).
fn python_read(
    py: &Path,
    tool: &Path,
    file: &Path,
    mime: &str,
    sidecar: Option<&Path>,
) -> (String, Vec<String>, Value) {
    let mut args = vec!["read", file.to_str().unwrap(), mime];
    if let Some(s) = sidecar {
        args.push(s.to_str().unwrap());
    }
    let (code, v) = run(py, tool, &args);
    assert_eq!(code, 0, "c2pa-python found no manifest in {}: {v}", file.display());
    let failures =
        v["failures"].as_array().unwrap().iter().map(|c| c.as_str().unwrap_or_default().to_string()).collect();
    (v["state"].as_str().unwrap_or_default().to_string(), failures, v["manifest"].clone())
}

fn signer() -> MediaSigner {
    let ca = WalletCa::from_seed(&[11u8; 64]).unwrap();
    MediaSigner::issue(&ca, ed25519_dalek::SigningKey::from_bytes(&[12u8; 32]), DID, Some("Interop")).unwrap()
}

#[test]
fn c2pa_python_validates_what_hallmark_signs() {
    let Some((py, tool)) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let s = signer();
    for sample in testmedia::all_samples() {
        let input = dir.path().join(sample.name);
        std::fs::write(&input, &sample.bytes).unwrap();
        let output = dir.path().join(format!("signed-{}", sample.name));
        let opts = SignOptions { title: Some(format!("interop {}", sample.name)), ..Default::default() };
        manifest::sign_file(&s, &input, &output, &opts).unwrap_or_else(|e| panic!("{}: {e}", sample.name));
        let (state, failures, m) = python_read(&py, &tool, &output, sample.mime, None);
        assert_eq!(state, "Valid", "{}: c2pa-python says {state}: {failures:?}", sample.name);
        assert_eq!(failures, ["signingCredential.untrusted", "cawg.x509.credential.untrusted"], "{}", sample.name);
        assert_eq!(m["title"], format!("interop {}", sample.name));
        assert_eq!(m["signature_info"]["common_name"], "Interop", "{}: {m}", sample.name);

        // The independent checker does catch a changed byte of content.
        let mut bad = std::fs::read(&output).unwrap();
        let at = content_position(&sample.bytes, &bad);
        bad[at] ^= 0x01;
        let tampered = dir.path().join(format!("tampered-{}", sample.name));
        std::fs::write(&tampered, bad).unwrap();
        let (code, v) = run(&py, &tool, &["read", tampered.to_str().unwrap(), sample.mime]);
        if code == 0 {
            assert_eq!(v["state"], "Invalid", "{}: tampering not seen by c2pa-python: {v}", sample.name);
        }
    }

    // Sidecars: a JPEG left untouched, and a PDF (sidecar only).
    for (name, mime, bytes) in
        [("side.jpg", "image/jpeg", testmedia::jpeg(5)), ("doc.pdf", "application/pdf", testmedia::pdf())]
    {
        let input = dir.path().join(name);
        std::fs::write(&input, &bytes).unwrap();
        let side = manifest::sidecar_path(&input);
        manifest::sign_file(&s, &input, &side, &SignOptions { sidecar: true, ..Default::default() }).unwrap();
        assert_eq!(std::fs::read(&input).unwrap(), bytes);
        let (state, failures, _) = python_read(&py, &tool, &input, mime, Some(&side));
        assert_eq!(state, "Valid", "{name} with its sidecar: {failures:?}");
        assert_eq!(failures, ["signingCredential.untrusted", "cawg.x509.credential.untrusted"], "{name}");
    }

    // An edit chain: c2pa-python accepts the parent ingredient and its validation.
    let parent = dir.path().join("signed-photo.jpg");
    let raw = dir.path().join("edit.png");
    std::fs::write(&raw, testmedia::image_bytes(image::ImageFormat::Png, 9)).unwrap();
    let edited = dir.path().join("edited.png");
    let opts = SignOptions { parent: Some(parent), action: Some("cropped".into()), ..Default::default() };
    manifest::sign_file(&s, &raw, &edited, &opts).unwrap();
    let (state, failures, m) = python_read(&py, &tool, &edited, "image/png", None);
    assert_eq!(state, "Valid", "{failures:?}");
    assert_eq!(m["ingredients"][0]["relationship"], "parentOf", "{m}");
}

/// Where a 16-byte run of the original's payload appears once in the signed file (its middle).
fn content_position(original: &[u8], signed: &[u8]) -> usize {
    for frac in [75, 60, 50, 85, 40, 90] {
        let at = original.len() * frac / 100;
        let Some(run) = original.get(at..at + 16) else { continue };
        let hits: Vec<_> = signed.windows(16).enumerate().filter(|(_, w)| *w == run).map(|(i, _)| i).collect();
        if hits.len() == 1 {
            return hits[0] + 8;
        }
    }
    panic!("no unique run of the original content found in the signed file");
}

#[test]
fn hallmark_verifies_what_c2pa_python_signs() {
    let Some((py, tool)) = python() else { return };
    let dir = tempfile::tempdir().unwrap();
    let samples = testmedia::all_samples();
    for sample in samples.iter().filter(|s| matches!(s.mime, "image/jpeg" | "image/png" | "video/mp4" | "audio/wav")) {
        let input = dir.path().join(sample.name);
        std::fs::write(&input, &sample.bytes).unwrap();
        let output = dir.path().join(format!("py-{}", sample.name));
        let (code, v) = run(
            &py,
            &tool,
            &["sign", input.to_str().unwrap(), output.to_str().unwrap(), sample.mime, "signed in python"],
        );
        assert_eq!(code, 0, "{v}");
        let ca_pem = v["ca_pem"].as_str().unwrap().to_string();

        let r = manifest::verify_file(&output, &VerifyOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::UntrustedSigner, "{}: {:?}", sample.name, r.failures);
        let codes: Vec<_> = r.failures.iter().map(|f| f.code.as_str()).collect();
        assert_eq!(codes, ["signingCredential.untrusted"]);
        let m = r.manifest.as_ref().unwrap();
        assert_eq!(m.title.as_deref(), Some("signed in python"));
        assert_eq!(m.signer.did, None, "no DID in a non-Hallmark certificate");
        assert_eq!(m.signer.common_name.as_deref(), Some("Interop Test Signer"));
        assert_eq!(m.signer.algorithm.as_deref(), Some("es256"));
        assert!(
            m.claim_generator.as_deref().unwrap().starts_with("c2pa-python interop test"),
            "{:?}",
            m.claim_generator
        );
        assert_eq!(m.actions[0].action, "c2pa.created");
        assert_eq!(m.actions[0].digital_source_type.as_deref(), Some("digitalCapture"));
        assert!(m.training.is_none());

        // Trusting c2pa-python's test CA makes it valid.
        let trusted = manifest::verify_file(&output, &VerifyOptions { trust_anchors: vec![ca_pem] }).unwrap();
        assert_eq!(trusted.verdict, Verdict::Valid, "{}: {:?}", sample.name, trusted.failures);

        // Hallmark re-signs it (publishing): the python manifest stays as the parent ingredient,
        // for both implementations.
        let published = dir.path().join(format!("pub-{}", sample.name));
        let opts = SignOptions { action: Some("published".into()), ..Default::default() };
        let done = manifest::sign_file(&signer(), &output, &published, &opts).unwrap();
        assert!(done.kept_previous_manifest);
        let r = manifest::verify_file(&published, &VerifyOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::UntrustedSigner, "{}: {:?}", sample.name, r.failures);
        let m = r.manifest.unwrap();
        assert_eq!(m.signer.did.as_deref(), Some(DID));
        let ing = &m.ingredients[0];
        assert_eq!(ing.relationship, "parentOf");
        assert_eq!(ing.manifest.as_ref().unwrap().signer.common_name.as_deref(), Some("Interop Test Signer"));
        let (state, failures, pm) = python_read(&py, &tool, &published, sample.mime, None);
        assert_eq!(state, "Valid", "{}: {failures:?}", sample.name);
        assert!(
            failures.iter().all(|f| f == "signingCredential.untrusted" || f == "cawg.x509.credential.untrusted"),
            "{failures:?}"
        );
        assert_eq!(pm["ingredients"][0]["relationship"], "parentOf");
    }
}
