//! Sign → verify round trips and attacks, over every supported format.

use std::path::Path;

use super::testmedia::{self, all_samples, jpeg};
use super::*;

const CREATOR: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
const EDITOR: &str = "did:jwk:eyJrdHkiOiJPS1AiLCJjcnYiOiJFZDI1NTE5IiwieCI6IjExcVlBWUt4Q3JmVlNfN1R5V1FIT2c3aGN2UGFwaU1scndJYWFQY0hVUm8ifQ";
const PUBLISHER: &str = "did:web:news.example";

fn ca() -> WalletCa {
    WalletCa::from_seed(&[42u8; 64]).unwrap()
}

fn signer(did: &str, seed: u8) -> MediaSigner {
    MediaSigner::issue(&ca(), ed25519_dalek::SigningKey::from_bytes(&[seed; 32]), did, Some("Test signer")).unwrap()
}

fn untrusted() -> VerifyOptions {
    VerifyOptions::default()
}

fn codes(r: &VerifyReport) -> Vec<&str> {
    r.failures.iter().map(|f| f.code.as_str()).collect()
}

fn titled(t: &str) -> SignOptions {
    SignOptions { title: Some(t.into()), ..Default::default() }
}

/// Every format: signs, the signature and hashes verify (only "untrusted signer" remains), every
/// statement reads back, and with the wallet CA as anchor the verdict is valid.
#[test]
fn round_trip_every_format() {
    let s = signer(CREATOR, 1);
    let anchors = VerifyOptions { trust_anchors: vec![ca().certificate_pem()] };
    for sample in all_samples() {
        let signed = sign_bytes(&s, &sample.bytes, sample.mime, &titled(sample.name))
            .unwrap_or_else(|e| panic!("{}: {e}", sample.name));
        assert!(!signed.sidecar && !signed.kept_previous_manifest);
        assert_ne!(signed.bytes, sample.bytes, "{}", sample.name);
        let r =
            verify_bytes(&signed.bytes, sample.mime, &untrusted()).unwrap_or_else(|e| panic!("{}: {e}", sample.name));
        assert_eq!(r.verdict, Verdict::UntrustedSigner, "{}: {:?}", sample.name, r.failures);
        assert_eq!(codes(&r), ["signingCredential.untrusted"], "{}", sample.name);
        let m = r.manifest.as_ref().unwrap();
        assert_eq!(m.title.as_deref(), Some(sample.name));
        assert_eq!(m.format.as_deref(), Some(sample.mime), "{}", sample.name);
        assert_eq!(m.signer.did.as_deref(), Some(CREATOR));
        assert_eq!(m.signer.common_name.as_deref(), Some("Test signer"));
        assert_eq!(m.signer.algorithm.as_deref(), Some("ed25519"));
        assert!(m.signer.issuer.as_deref().unwrap().starts_with("Hallmark wallet"));
        let at = time::OffsetDateTime::parse(
            m.signed_at.as_deref().unwrap(),
            &time::format_description::well_known::Rfc3339,
        )
        .unwrap();
        assert!((time::OffsetDateTime::now_utc() - at).whole_minutes().abs() < 5, "{at}");
        assert!(!m.time_stamped, "no time-stamp authority is used");
        assert!(m.claim_generator.as_deref().unwrap().starts_with("Hallmark "), "{:?}", m.claim_generator);
        assert_eq!(m.authors, [CREATOR]);
        assert_eq!(m.actions.len(), 1);
        assert_eq!(m.actions[0].action, "c2pa.created");
        assert_eq!(m.actions[0].digital_source_type.as_deref(), Some("digitalCapture"));
        assert_eq!(m.ai, AiDisclosure::None);
        let t = m.training.as_ref().unwrap();
        assert!(t.restricted);
        assert_eq!(t.entries.len(), 4);
        assert!(t.entries.values().all(|u| u == "notAllowed"), "{t:?}");
        assert!(m.ingredients.is_empty());

        let r = verify_bytes(&signed.bytes, sample.mime, &anchors).unwrap();
        assert_eq!(r.verdict, Verdict::Valid, "{}: {:?}", sample.name, r.failures);
        assert!(r.failures.is_empty());
    }
}

/// PDF: c2pa 0.90 cannot embed into PDFs, so it is signed with a sidecar (a data hash of the
/// whole file), which verifies, and catches a change to the PDF.
#[test]
fn pdf_is_signed_with_a_sidecar() {
    let s = signer(CREATOR, 1);
    let pdf = testmedia::pdf();
    let e = sign_bytes(&s, &pdf, "pdf", &SignOptions::default()).unwrap_err();
    assert_eq!(e.code(), "sidecar_only");
    assert!(e.to_string().contains("PDF") && e.to_string().contains("sidecar"), "{e}");
    let opts = SignOptions { sidecar: true, ..titled("report.pdf") };
    let store = sign_bytes(&s, &pdf, "application/pdf", &opts).unwrap();
    assert!(store.sidecar);
    let r = verify_sidecar_bytes(&store.bytes, &pdf, "pdf", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner, "{:?}", r.failures);
    assert_eq!(codes(&r), ["signingCredential.untrusted"]);
    let m = r.manifest.unwrap();
    assert_eq!((m.title.as_deref(), m.signer.did.as_deref()), (Some("report.pdf"), Some(CREATOR)));
    let mut changed = pdf.clone();
    let at = changed.windows(8).position(|w| w == b"Hallmark").unwrap();
    changed[at] = b'h';
    let r = verify_sidecar_bytes(&store.bytes, &changed, "pdf", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid);
    assert!(codes(&r).contains(&"assertion.dataHash.mismatch"), "{:?}", codes(&r));
    // As files: the sidecar next to the PDF is found.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("report.pdf");
    std::fs::write(&path, &pdf).unwrap();
    sign_file(&s, &path, &sidecar_path(&path), &SignOptions { sidecar: true, ..Default::default() }).unwrap();
    assert_eq!(std::fs::read(&path).unwrap(), pdf);
    let r = verify_file(&path, &untrusted()).unwrap();
    assert!(r.sidecar);
    assert_eq!(r.verdict, Verdict::UntrustedSigner);
}

/// Signed images still decode as images (the manifest is embedded where decoders skip it).
#[test]
fn signed_images_still_decode() {
    let s = signer(CREATOR, 1);
    for sample in all_samples()
        .into_iter()
        .filter(|s| matches!(s.mime, "image/jpeg" | "image/png" | "image/gif" | "image/webp" | "image/tiff"))
    {
        let signed = sign_bytes(&s, &sample.bytes, sample.mime, &SignOptions::default()).unwrap();
        let before = image::load_from_memory(&sample.bytes).unwrap().to_rgba8();
        let after = image::load_from_memory(&signed.bytes).unwrap_or_else(|e| panic!("{}: {e}", sample.name));
        assert_eq!(after.to_rgba8(), before, "{}: pixels changed", sample.name);
    }
}

/// Where a run of the original's payload (from 3/4 of the way in, else earlier) appears, exactly
/// once, in the signed file: the middle of that run.
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

/// Flipping one byte of the content (outside the manifest) is reported as a hash mismatch.
#[test]
fn tampered_content_is_invalid_with_the_hash_reason() {
    let s = signer(CREATOR, 1);
    for sample in all_samples() {
        let signed = sign_bytes(&s, &sample.bytes, sample.mime, &SignOptions::default()).unwrap();
        // A byte of the content (pixels, samples, frames): a 16-byte run of the original's
        // payload, found again in the signed file, outside the manifest.
        let pos = content_position(&sample.bytes, &signed.bytes);
        let mut bad = signed.bytes.clone();
        bad[pos] ^= 0x01;
        let r = match verify_bytes(&bad, sample.mime, &untrusted()) {
            Ok(r) => r,
            Err(e) => panic!("{}: flipping byte {pos} gave an error instead of a report: {e}", sample.name),
        };
        assert_eq!(r.verdict, Verdict::Invalid, "{}: byte {pos}: {:?}", sample.name, r.failures);
        let hash = r.failures.iter().find(|f| f.code.ends_with("Hash.mismatch"));
        let hash = hash.unwrap_or_else(|| panic!("{}: no hash mismatch in {:?}", sample.name, codes(&r)));
        assert!(hash.explanation.contains("changed after it was signed"), "{}", hash.explanation);
    }
}

/// Flipping one byte inside the manifest: of a signed statement (the author metadata), of the
/// claim (the title), or of the signature itself — each is invalid, with the reason.
#[test]
fn tampered_manifest_is_invalid() {
    let s = signer(CREATOR, 1);
    let opts = titled("Harbour at dawn");
    for sample in all_samples().into_iter().filter(|s| matches!(s.mime, "image/jpeg" | "image/png" | "video/mp4")) {
        let signed = sign_bytes(&s, &sample.bytes, sample.mime, &opts).unwrap();
        let find = |needle: &[u8], from_end: bool| {
            let mut it = signed.bytes.windows(needle.len());
            if from_end {
                signed.bytes.len() - needle.len() - it.rev().position(|w| w == needle).unwrap()
            } else {
                it.position(|w| w == needle).unwrap()
            }
        };
        // The creator DID inside the cawg.metadata assertion (JSON), the title inside the claim.
        let in_metadata = find(b"\"dc:creator\"", false) + 4;
        let in_claim = find(b"Harbour at dawn", true) + 3;
        // Inside the COSE signature: just after the signature box label.
        let in_signature = find(b"c2pa.signature", true) + 200;
        for (what, pos, expected) in [
            ("metadata", in_metadata, &["assertion.hashedURI.mismatch"][..]),
            ("claim", in_claim, &["claimSignature.mismatch", "claim.malformed", "claim.cbor.invalid"][..]),
            (
                "signature",
                in_signature,
                &["claimSignature.mismatch", "signingCredential.invalid", "claim.malformed"][..],
            ),
        ] {
            let mut bad = signed.bytes.clone();
            bad[pos] ^= 0x02;
            let r =
                verify_bytes(&bad, sample.mime, &untrusted()).unwrap_or_else(|e| panic!("{} {what}: {e}", sample.name));
            assert_eq!(r.verdict, Verdict::Invalid, "{} {what}: {:?}", sample.name, r.failures);
            assert!(
                r.failures.iter().any(|f| expected.contains(&f.code.as_str())),
                "{} {what}: expected one of {expected:?}, got {:?}",
                sample.name,
                codes(&r)
            );
            assert!(r.failures.iter().all(|f| !f.explanation.is_empty()));
        }
    }
}

/// A manifest signed by one key but carrying another identity's certificate chain is refused:
/// the signature does not verify with the certificate's key.
#[test]
fn signature_by_another_key_is_invalid() {
    struct Forger {
        key: ed25519_dalek::SigningKey,
        chain: Vec<Vec<u8>>,
    }
    impl c2pa::Signer for Forger {
        fn sign(&self, data: &[u8]) -> c2pa::Result<Vec<u8>> {
            use ed25519_dalek::Signer as _;
            Ok(self.key.sign(data).to_bytes().to_vec())
        }
        fn alg(&self) -> c2pa::SigningAlg {
            c2pa::SigningAlg::Ed25519
        }
        fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
            Ok(self.chain.clone())
        }
        fn reserve_size(&self) -> usize {
            4096
        }
    }
    // The victim's certificate (their public key, their DID), the forger's private key.
    let victim = ed25519_dalek::SigningKey::from_bytes(&[1u8; 32]);
    let c = ca();
    let leaf = c.issue(CREATOR, &victim.verifying_key(), None, time::OffsetDateTime::now_utc()).unwrap();
    let forger = Forger {
        key: ed25519_dalek::SigningKey::from_bytes(&[66u8; 32]),
        chain: vec![leaf, c.certificate_der().to_vec()],
    };
    let mut builder = c2pa::Builder::from_context(context(&[]).unwrap())
        .with_definition(serde_json::json!({"title": "forged"}))
        .unwrap();
    builder
        .add_action(serde_json::json!({"action": "c2pa.created", "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"}))
        .unwrap();
    let mut out = std::io::Cursor::new(Vec::new());
    builder.sign(&forger, "image/jpeg", &mut std::io::Cursor::new(jpeg(9)), &mut out).unwrap();
    let r =
        verify_bytes(out.get_ref(), "image/jpeg", &VerifyOptions { trust_anchors: vec![c.certificate_pem()] }).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid, "{:?}", r.failures);
    assert!(codes(&r).contains(&"claimSignature.mismatch"), "{:?}", codes(&r));
}

/// Signing writes a new file through a temporary file and leaves the original byte-identical.
#[test]
fn sign_file_never_touches_the_original() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("photo.JPG");
    let original = jpeg(3);
    std::fs::write(&input, &original).unwrap();
    let out = dir.path().join("out").join("photo.jpg");
    std::fs::create_dir(out.parent().unwrap()).unwrap();
    let s = signer(CREATOR, 1);
    let done = sign_file(&s, &input, &out, &SignOptions::default()).unwrap();
    assert_eq!(std::fs::read(&input).unwrap(), original, "the original changed");
    assert_eq!(done.output, out);
    assert_eq!(done.format, "image/jpeg");
    assert_eq!(done.size, std::fs::metadata(&out).unwrap().len());
    let r = verify_file(&out, &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner);
    // The title defaults to the file name.
    assert_eq!(r.manifest.unwrap().title.as_deref(), Some("photo.JPG"));
    // No temporary file is left next to the output.
    let names: Vec<_> = std::fs::read_dir(out.parent().unwrap()).unwrap().map(|e| e.unwrap().file_name()).collect();
    assert_eq!(names, ["photo.jpg"]);

    // The original can never be the output, under any spelling.
    for same in [input.clone(), dir.path().join(".").join("photo.JPG")] {
        let e = sign_file(&s, &input, &same, &SignOptions::default()).unwrap_err();
        assert_eq!(e.code(), "would_overwrite_original");
    }
    assert_eq!(std::fs::read(&input).unwrap(), original);
}

/// creator → editor → publisher: each signs with the previous signed file as parent; the
/// publisher's file shows the whole chain, each step with its signer and actions.
#[test]
fn parent_chain_shows_in_the_ingredient_tree() {
    let dir = tempfile::tempdir().unwrap();
    let raw = dir.path().join("raw.jpg");
    std::fs::write(&raw, jpeg(10)).unwrap();
    let a = dir.path().join("a.jpg");
    sign_file(&signer(CREATOR, 1), &raw, &a, &titled("original")).unwrap();

    // The editor crops: a different picture, with the creator's file as parent.
    let edited_raw = dir.path().join("edited.png");
    std::fs::write(&edited_raw, testmedia::image_bytes(image::ImageFormat::Png, 11)).unwrap();
    let b = dir.path().join("b.png");
    let opts = SignOptions { parent: Some(a.clone()), action: Some("cropped".into()), ..titled("cropped") };
    sign_file(&signer(EDITOR, 2), &edited_raw, &b, &opts).unwrap();

    let published_raw = dir.path().join("pub.jpg");
    std::fs::write(&published_raw, jpeg(12)).unwrap();
    let c = dir.path().join("c.jpg");
    let opts =
        SignOptions { parent: Some(b.clone()), action: Some("c2pa.published".into()), ..titled("on the front page") };
    sign_file(&signer(PUBLISHER, 3), &published_raw, &c, &opts).unwrap();

    let r = verify_file(&c, &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner, "{:?}", r.failures);
    let m = r.manifest.unwrap();
    assert_eq!(m.signer.did.as_deref(), Some(PUBLISHER));
    let acts: Vec<_> = m.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(acts, ["c2pa.opened", "c2pa.published"]);
    assert_eq!(m.ingredients.len(), 1);
    let ib = &m.ingredients[0];
    assert_eq!((ib.relationship.as_str(), ib.title.as_deref()), ("parentOf", Some("b.png")));
    assert_eq!(ib.verdict, Some(Verdict::UntrustedSigner));
    let mb = ib.manifest.as_ref().expect("the editor's manifest");
    assert_eq!(mb.signer.did.as_deref(), Some(EDITOR));
    assert_eq!(mb.title.as_deref(), Some("cropped"));
    let acts: Vec<_> = mb.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(acts, ["c2pa.opened", "c2pa.cropped"]);
    let ia = &mb.ingredients[0];
    assert_eq!((ia.relationship.as_str(), ia.title.as_deref()), ("parentOf", Some("a.jpg")));
    let ma = ia.manifest.as_ref().expect("the creator's manifest");
    assert_eq!(ma.signer.did.as_deref(), Some(CREATOR));
    assert_eq!(ma.actions[0].action, "c2pa.created");
    assert!(ma.ingredients.is_empty());

    // A tampered parent is recorded as such in the child's history.
    let mut bad_a = std::fs::read(&a).unwrap();
    let n = bad_a.len();
    bad_a[n - 10] ^= 1;
    let bad_parent = dir.path().join("bad.jpg");
    std::fs::write(&bad_parent, bad_a).unwrap();
    let d = dir.path().join("d.png");
    let opts = SignOptions { parent: Some(bad_parent), ..Default::default() };
    sign_file(&signer(EDITOR, 2), &edited_raw, &d, &opts).unwrap();
    let r = verify_file(&d, &untrusted()).unwrap();
    let ing = &r.manifest.unwrap().ingredients[0];
    assert_eq!(ing.verdict, Some(Verdict::Invalid), "{:?}", ing.failures);
    assert!(ing.failures.iter().any(|f| f.code == "assertion.dataHash.mismatch"), "{:?}", ing.failures);
}

/// AI generation and the training opt-in are stated and read back; AI in an ingredient shows in
/// the history disclosure.
#[test]
fn ai_and_training_are_reported() {
    let s = signer(CREATOR, 1);
    let opts = SignOptions { ai_generated: true, allow_training: true, ..Default::default() };
    let signed = sign_bytes(&s, &jpeg(20), "jpg", &opts).unwrap();
    let r = verify_bytes(&signed.bytes, "jpg", &untrusted()).unwrap();
    let m = r.manifest.unwrap();
    assert_eq!(m.actions[0].digital_source_type.as_deref(), Some("trainedAlgorithmicMedia"));
    assert_eq!((m.ai, m.ai_in_history), (AiDisclosure::Generated, AiDisclosure::Generated));
    let t = m.training.unwrap();
    assert!(!t.restricted);
    assert_eq!(t.label, "cawg.training-mining");
    let names: Vec<_> = t.entries.keys().map(String::as_str).collect();
    assert_eq!(names, ["ai_generative_training", "ai_inference", "ai_training", "data_mining"]);
    assert!(t.entries.values().all(|u| u == "allowed"));

    // An AI-assisted edit of it, by a human editor: composite here, generated in the history.
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("gen.jpg");
    std::fs::write(&parent, &signed.bytes).unwrap();
    let opts = SignOptions { parent: Some(parent), ai_generated: true, ..Default::default() };
    let edit = sign_bytes(&signer(EDITOR, 2), &jpeg(21), "image/jpeg", &opts).unwrap();
    let m = verify_bytes(&edit.bytes, "jpg", &untrusted()).unwrap().manifest.unwrap();
    assert_eq!(m.actions[1].action, "c2pa.edited");
    assert_eq!(m.actions[1].digital_source_type.as_deref(), Some("compositeWithTrainedAlgorithmicMedia"));
    assert_eq!(m.ai, AiDisclosure::Composite);
    assert_eq!(m.ai_in_history, AiDisclosure::Generated);
    assert!(m.training.unwrap().restricted, "training is not allowed unless this signer allows it");
}

/// Signing an already-signed file keeps its manifest as the parent ingredient, claiming no edit.
#[test]
fn re_signing_keeps_the_previous_manifest() {
    let first = sign_bytes(&signer(CREATOR, 1), &jpeg(30), "jpg", &titled("first")).unwrap();
    let second = sign_bytes(&signer(PUBLISHER, 3), &first.bytes, "jpg", &titled("second")).unwrap();
    assert!(second.kept_previous_manifest);
    let r = verify_bytes(&second.bytes, "jpg", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner, "{:?}", r.failures);
    let m = r.manifest.unwrap();
    assert_eq!(m.signer.did.as_deref(), Some(PUBLISHER));
    let acts: Vec<_> = m.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(acts, ["c2pa.opened"]);
    assert_eq!(m.ingredients.len(), 1);
    assert_eq!(m.ingredients[0].relationship, "parentOf");
    let prev = m.ingredients[0].manifest.as_ref().unwrap();
    assert_eq!((prev.signer.did.as_deref(), prev.title.as_deref()), (Some(CREATOR), Some("first")));

    // With an explicit parent as well, the file's own previous manifest becomes a component.
    let dir = tempfile::tempdir().unwrap();
    let parent = dir.path().join("p.jpg");
    std::fs::write(&parent, sign_bytes(&signer(EDITOR, 2), &jpeg(31), "jpg", &titled("p")).unwrap().bytes).unwrap();
    let opts = SignOptions { parent: Some(parent), ..titled("third") };
    let third = sign_bytes(&signer(PUBLISHER, 3), &first.bytes, "jpg", &opts).unwrap();
    let r = verify_bytes(&third.bytes, "jpg", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner, "{:?}", r.failures);
    let m = r.manifest.unwrap();
    let rel: Vec<_> = m.ingredients.iter().map(|i| i.relationship.as_str()).collect();
    assert_eq!(rel, ["parentOf", "componentOf"]);
    let acts: Vec<_> = m.actions.iter().map(|a| a.action.as_str()).collect();
    assert_eq!(acts, ["c2pa.opened", "c2pa.edited", "c2pa.placed"]);
}

/// Sidecar mode: the original is untouched, the `.c2pa` beside it verifies it, and a change to
/// the original is caught.
#[test]
fn sidecar_leaves_the_original_untouched() {
    let dir = tempfile::tempdir().unwrap();
    for sample in all_samples().into_iter().filter(|s| matches!(s.mime, "image/jpeg" | "video/mp4" | "audio/wav")) {
        let input = dir.path().join(sample.name);
        std::fs::write(&input, &sample.bytes).unwrap();
        let side = sidecar_path(&input);
        let opts = SignOptions { sidecar: true, ..Default::default() };
        let done = sign_file(&signer(CREATOR, 1), &input, &side, &opts).unwrap();
        assert!(done.sidecar);
        assert_eq!(std::fs::read(&input).unwrap(), sample.bytes, "{}: the original changed", sample.name);
        let r = verify_file(&input, &untrusted()).unwrap();
        assert!(r.sidecar);
        assert_eq!(r.verdict, Verdict::UntrustedSigner, "{}: {:?}", sample.name, r.failures);
        assert_eq!(r.manifest.as_ref().unwrap().signer.did.as_deref(), Some(CREATOR));
        // Naming the sidecar itself finds its content file.
        assert_eq!(verify_file(&side, &untrusted()).unwrap().verdict, Verdict::UntrustedSigner);
        // Bytes API.
        let store = std::fs::read(&side).unwrap();
        assert_eq!(
            verify_sidecar_bytes(&store, &sample.bytes, sample.mime, &untrusted()).unwrap().verdict,
            Verdict::UntrustedSigner
        );
        // A changed original no longer matches its sidecar.
        let mut changed = sample.bytes.clone();
        let n = changed.len();
        changed[n - 5] ^= 0x10;
        let r = verify_sidecar_bytes(&store, &changed, sample.mime, &untrusted()).unwrap();
        assert_eq!(r.verdict, Verdict::Invalid, "{}", sample.name);
        assert!(r.failures.iter().any(|f| f.code.ends_with("Hash.mismatch")), "{}: {:?}", sample.name, codes(&r));
        std::fs::remove_file(&input).unwrap();
        std::fs::remove_file(&side).unwrap();
    }
}

/// A thumbnail given by the caller is embedded; a non-image thumbnail is refused.
#[test]
fn thumbnail() {
    let thumb = Thumbnail { format: "image/jpeg".into(), bytes: jpeg(40) };
    let opts = SignOptions { thumbnail: Some(thumb), ..Default::default() };
    let signed =
        sign_bytes(&signer(CREATOR, 1), &testmedia::image_bytes(image::ImageFormat::Png, 1), "png", &opts).unwrap();
    let r = verify_bytes(&signed.bytes, "png", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner);
    assert_eq!(r.manifest.unwrap().thumbnail.as_deref(), Some("image/jpeg"));
    let bad = SignOptions {
        thumbnail: Some(Thumbnail { format: "application/pdf".into(), bytes: testmedia::pdf() }),
        ..Default::default()
    };
    assert_eq!(sign_bytes(&signer(CREATOR, 1), &jpeg(1), "jpg", &bad).unwrap_err().code(), "bad_thumbnail");
}

/// Bad input gets a specific error, before anything is written.
#[test]
fn bad_input_errors() {
    let s = signer(CREATOR, 1);
    let d = SignOptions::default();
    let err = |bytes: &[u8], format: &str| sign_bytes(&s, bytes, format, &d).unwrap_err();
    assert_eq!(err(b"hello", "text/plain").code(), "unsupported_format");
    assert_eq!(err(b"BM....", "bmp").code(), "unsupported_format");
    assert_eq!(err(b"", "jpg").code(), "corrupt_media");
    // A PNG named .jpg.
    let png = testmedia::image_bytes(image::ImageFormat::Png, 1);
    let e = err(&png, "jpg");
    assert_eq!(e.code(), "corrupt_media");
    assert!(e.to_string().contains("truncated or damaged"), "{e}");
    // Truncated files: in the header of each format, and images in the middle of their data.
    for sample in all_samples() {
        // MP3 has no end marker: only a file without a whole frame header (here: cut inside the
        // first one, after the ID3 tag) is recognisably truncated.
        let mut cuts = vec![if sample.mime == "audio/mpeg" { 22 } else { 40 }];
        if sample.mime.starts_with("image/") && !matches!(sample.mime, "image/heic" | "image/avif" | "image/tiff") {
            cuts.push(sample.bytes.len() * 6 / 10);
        }
        for cut in cuts {
            match sign_bytes(&s, &sample.bytes[..cut], sample.mime, &d) {
                Err(e) => assert_eq!(e.code(), "corrupt_media", "{} cut at {cut}: {e}", sample.name),
                Ok(_) => panic!("{}: a file truncated at {cut} bytes was signed", sample.name),
            }
        }
    }
    // Unknown action, missing parent.
    let e = sign_bytes(&s, &jpeg(1), "jpg", &SignOptions { action: Some("beautified".into()), ..Default::default() })
        .unwrap_err();
    assert_eq!(e.code(), "unknown_action");
    let missing = SignOptions { parent: Some("/nonexistent/parent.jpg".into()), ..Default::default() };
    let e = sign_bytes(&s, &jpeg(1), "jpg", &missing).unwrap_err();
    assert_eq!(e.code(), "io_failed");
    assert!(e.to_string().contains("parent"), "{e}");

    // Files.
    let dir = tempfile::tempdir().unwrap();
    let txt = dir.path().join("notes.txt");
    std::fs::write(&txt, "hi").unwrap();
    let e = sign_file(&s, &txt, &dir.path().join("out.txt"), &d).unwrap_err();
    assert_eq!(e.code(), "unsupported_format");
    assert!(e.to_string().contains("notes.txt"), "{e}");
    let e = sign_file(&s, &dir.path().join("gone.jpg"), &dir.path().join("out.jpg"), &d).unwrap_err();
    assert_eq!(e.code(), "io_failed");
    assert!(!dir.path().join("out.jpg").exists());

    // Verifying a file without credentials, or a non-media file.
    let plain = dir.path().join("plain.jpg");
    std::fs::write(&plain, jpeg(2)).unwrap();
    let e = verify_file(&plain, &untrusted()).unwrap_err();
    assert_eq!(e.code(), "no_manifest");
    assert!(e.to_string().contains("plain.jpg"));
    assert_eq!(verify_file(&txt, &untrusted()).unwrap_err().code(), "unsupported_format");
    assert_eq!(verify_file(Path::new("/nonexistent/x.jpg"), &untrusted()).unwrap_err().code(), "io_failed");
    // Garbage trust anchors.
    let e =
        verify_bytes(&jpeg(1), "jpg", &VerifyOptions { trust_anchors: vec!["not a certificate".into()] }).unwrap_err();
    assert_eq!(e.code(), "bad_trust_anchors");
}

/// The report serializes to the JSON the CLI and the app show.
#[test]
fn report_serializes() {
    let signed = sign_bytes(&signer(CREATOR, 1), &jpeg(50), "jpg", &titled("t")).unwrap();
    let r = verify_bytes(&signed.bytes, "jpg", &untrusted()).unwrap();
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["verdict"], "untrusted_signer");
    assert_eq!(v["failures"][0]["code"], "signingCredential.untrusted");
    assert_eq!(v["manifest"]["signer"]["did"], CREATOR);
    assert_eq!(v["manifest"]["ai"], "none");
    assert_eq!(v["manifest"]["actions"][0]["digital_source_type"], "digitalCapture");
    assert_eq!(v["manifest"]["training"]["entries"]["ai_training"], "notAllowed");
}

/// The identity assertion of a report's active manifest (exactly one).
fn identity(r: &VerifyReport) -> &IdentityAssertionSummary {
    let ids = &r.manifest.as_ref().unwrap().signer.identity_assertions;
    assert_eq!(ids.len(), 1, "{ids:?}");
    &ids[0]
}

/// Every signed file (embedded in each format, a sidecar, a PDF sidecar) carries a CAWG identity
/// assertion naming the signer's DID with its role, signed over the content binding and the
/// statements, which c2pa validates: untrusted without anchors, valid with the wallet CA.
#[test]
fn identity_assertion_names_the_did_in_every_format() {
    let s = signer(CREATOR, 1);
    let anchors = VerifyOptions { trust_anchors: vec![ca().certificate_pem()] };
    let pdf = testmedia::pdf();
    let mut cases: Vec<(String, &str, Vec<u8>, bool)> =
        all_samples().into_iter().map(|x| (x.name.to_string(), x.mime, x.bytes, false)).collect();
    cases.push(("side.jpg".into(), "image/jpeg", jpeg(5), true));
    cases.push(("doc.pdf".into(), "application/pdf", pdf, true));
    for (name, mime, bytes, sidecar) in cases {
        let opts = SignOptions { sidecar, ..titled(&name) };
        let signed = sign_bytes(&s, &bytes, mime, &opts).unwrap_or_else(|e| panic!("{name}: {e}"));
        let verify = |o: &VerifyOptions| {
            if sidecar {
                verify_sidecar_bytes(&signed.bytes, &bytes, mime, o).unwrap()
            } else {
                verify_bytes(&signed.bytes, mime, o).unwrap()
            }
        };
        let r = verify(&untrusted());
        assert_eq!(codes(&r), ["signingCredential.untrusted"], "{name}: the identity's own untrust is not repeated");
        let id = identity(&r);
        assert_eq!(id.label, "cawg.identity");
        assert_eq!(id.sig_type.as_deref(), Some("cawg.x509.cose"));
        assert_eq!(id.did.as_deref(), Some(CREATOR), "{name}");
        assert!(id.same_as_signer);
        assert_eq!(id.common_name.as_deref(), Some("Test signer"));
        assert!(id.issuer.as_deref().unwrap().starts_with("Hallmark wallet"));
        assert_eq!(id.roles, ["cawg.creator"]);
        assert_eq!(id.state, IdentityState::UntrustedSigner, "{name}: {:?}", id.failures);
        assert_eq!(id.failures.iter().map(|f| f.code.as_str()).collect::<Vec<_>>(), ["signingCredential.untrusted"]);
        for label in ["c2pa.actions.v2", "cawg.training-mining", "cawg.metadata"] {
            assert!(
                id.referenced_assertions.iter().any(|l| l == label),
                "{name}: {label} in {:?}",
                id.referenced_assertions
            );
        }
        assert!(
            id.referenced_assertions.iter().any(|l| l.starts_with("c2pa.hash.")),
            "{name}: the content binding is signed: {:?}",
            id.referenced_assertions
        );
        assert!(r.manifest.as_ref().unwrap().signer.humanity.is_none());

        let r = verify(&anchors);
        assert_eq!(r.verdict, Verdict::Valid, "{name}: {:?}", r.failures);
        let id = identity(&r);
        assert_eq!(id.state, IdentityState::Valid, "{name}: {:?}", id.failures);
        assert!(id.failures.is_empty());
    }
}

/// The named actor's role follows what the signer did: edited (with a parent), published, or
/// none for a bare re-signing; the parent's own identity assertion stays readable in the history.
#[test]
fn identity_roles_follow_the_actions() {
    let dir = tempfile::tempdir().unwrap();
    let creator = signer(CREATOR, 1);
    let editor = signer(EDITOR, 2);
    let parent = dir.path().join("parent.jpg");
    std::fs::write(&parent, sign_bytes(&creator, &jpeg(1), "jpg", &SignOptions::default()).unwrap().bytes).unwrap();

    let opts = SignOptions { parent: Some(parent.clone()), action: Some("cropped".into()), ..Default::default() };
    let edited = sign_bytes(&editor, &jpeg(2), "jpg", &opts).unwrap();
    let r = verify_bytes(&edited.bytes, "jpg", &untrusted()).unwrap();
    let id = identity(&r);
    assert_eq!((id.did.as_deref(), id.roles.as_slice()), (Some(EDITOR), &["cawg.editor".to_string()][..]));
    assert!(
        id.referenced_assertions.iter().any(|l| l.starts_with("c2pa.ingredient")),
        "{:?}",
        id.referenced_assertions
    );
    let m = r.manifest.as_ref().unwrap();
    let pm = m.ingredients[0].manifest.as_ref().unwrap();
    assert_eq!(pm.signer.identity_assertions.len(), 1);
    assert_eq!(pm.signer.identity_assertions[0].did.as_deref(), Some(CREATOR));
    assert_eq!(pm.signer.identity_assertions[0].roles, ["cawg.creator"]);

    let publisher = signer(PUBLISHER, 3);
    let opts = SignOptions { action: Some("published".into()), ..Default::default() };
    let published = sign_bytes(&publisher, &edited.bytes, "jpg", &opts).unwrap();
    let r = verify_bytes(&published.bytes, "jpg", &untrusted()).unwrap();
    assert_eq!(identity(&r).roles, ["cawg.publisher"]);
    assert_eq!(identity(&r).did.as_deref(), Some(PUBLISHER));

    let resigned = sign_bytes(&publisher, &edited.bytes, "jpg", &SignOptions::default()).unwrap();
    let r = verify_bytes(&resigned.bytes, "jpg", &untrusted()).unwrap();
    assert!(identity(&r).roles.is_empty(), "re-signing without an edit claims no role");
    assert_eq!(identity(&r).state, IdentityState::UntrustedSigner);
}

const HUMANITY_VC: &str = r#"{
  "@context": ["https://www.w3.org/ns/credentials/v2"],
  "id": "urn:uuid:6c0a3d1e-1b7e-4f55-9d0e-2f4c1a7b9e10",
  "type": ["VerifiableCredential", "HumanityCredential"],
  "issuer": {"id": "did:web:personhood.example", "name": "Personhood Example"},
  "validFrom": "2026-01-01T00:00:00Z",
  "credentialSubject": {"id": "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp", "isHuman": true},
  "proof": {"type": "DataIntegrityProof", "cryptosuite": "eddsa-rdfc-2022", "proofValue": "z58DAdFfa9SkqZMVPxAQp"}
}"#;

/// A humanity credential given when signing is embedded verbatim, covered by the claim signature
/// and by the DID's identity assertion, and read back with its issuer and subject.
#[test]
fn humanity_credential_is_embedded_and_read_back() {
    let s = signer(CREATOR, 1);
    let opts = SignOptions { humanity_credential: Some(HUMANITY_VC.into()), ..Default::default() };
    let signed = sign_bytes(&s, &jpeg(1), "jpg", &opts).unwrap();
    let r = verify_bytes(&signed.bytes, "jpg", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::UntrustedSigner, "{:?}", r.failures);
    assert_eq!(codes(&r), ["signingCredential.untrusted"]);
    let h = r.manifest.as_ref().unwrap().signer.humanity.clone().expect("the humanity credential");
    assert_eq!(h.json, HUMANITY_VC, "embedded verbatim, so its proof stays checkable");
    assert_eq!(h.id.as_deref(), Some("urn:uuid:6c0a3d1e-1b7e-4f55-9d0e-2f4c1a7b9e10"));
    assert_eq!(h.issuer.as_deref(), Some("did:web:personhood.example"));
    assert_eq!(h.subject.as_deref(), Some(CREATOR));
    assert_eq!(h.types, ["VerifiableCredential", "HumanityCredential"]);
    assert!(h.subject_is_signer && h.covered_by_identity, "{h:?}");
    assert!(identity(&r).referenced_assertions.iter().any(|l| l == HUMANITY_LABEL));
    let v = serde_json::to_value(&r).unwrap();
    assert_eq!(v["manifest"]["signer"]["humanity"]["subject"], CREATOR);
    assert_eq!(v["manifest"]["signer"]["identity_assertions"][0]["did"], CREATOR);
    assert_eq!(v["manifest"]["signer"]["identity_assertions"][0]["state"], "untrusted_signer");

    // Someone else's credential: embedded, but flagged as not about the signer.
    let other = signer(EDITOR, 2);
    let signed = sign_bytes(&other, &jpeg(1), "jpg", &opts).unwrap();
    let r = verify_bytes(&signed.bytes, "jpg", &untrusted()).unwrap();
    let h = r.manifest.unwrap().signer.humanity.unwrap();
    assert_eq!(h.subject.as_deref(), Some(CREATOR));
    assert!(!h.subject_is_signer);

    // Not a verifiable credential: refused before anything is signed.
    for bad in [
        "not json",
        "[1]",
        r#"{"type":"Foo","issuer":"x","credentialSubject":{}}"#,
        r#"{"type":"VerifiableCredential"}"#,
    ] {
        let opts = SignOptions { humanity_credential: Some(bad.into()), ..Default::default() };
        let e = sign_bytes(&s, &jpeg(1), "jpg", &opts).unwrap_err();
        assert_eq!(e.code(), "bad_humanity_credential", "{bad}: {e}");
    }
}

/// An identity credential holder that signs as the real one, then damages the signature.
struct CorruptingHolder(c2pa::identity::x509::X509CredentialHolder);

impl c2pa::identity::builder::CredentialHolder for CorruptingHolder {
    fn sig_type(&self) -> &'static str {
        self.0.sig_type()
    }

    fn reserve_size(&self) -> usize {
        self.0.reserve_size()
    }

    fn sign(
        &self,
        payload: &c2pa::identity::SignerPayload,
    ) -> Result<Vec<u8>, c2pa::identity::builder::IdentityBuilderError> {
        let mut sig = self.0.sign(payload)?;
        let last = sig.len() - 1;
        sig[last] ^= 0x01;
        Ok(sig)
    }
}

/// A forged identity signature (inside a validly signed claim), an identity assertion changed
/// after signing, and one naming another DID than the signer's: each is reported.
#[test]
fn tampered_identity_assertion_is_reported() {
    use c2pa::identity::x509::X509CredentialHolder;
    let s = signer(CREATOR, 1);
    let opts = SignOptions::default();

    let forged = CorruptingHolder(X509CredentialHolder::from_raw_signer(s.raw_signer(4096)));
    let signed = sign::sign_with_holder(&s, forged, &jpeg(1), "image/jpeg", "input", &opts).unwrap();
    let r = verify_bytes(&signed.bytes, "jpg", &untrusted()).unwrap();
    let id = identity(&r);
    assert_eq!(id.state, IdentityState::Invalid, "{id:?}");
    assert!(!id.failures.is_empty());
    assert_eq!(id.did.as_deref(), Some(CREATOR), "the certificate is still read");
    assert_eq!(r.verdict, Verdict::Invalid, "{:?}", r.failures);
    assert!(
        r.failures.iter().any(|f| f.url.as_deref().is_some_and(|u| u.ends_with("cawg.identity"))),
        "{:?}",
        r.failures
    );

    // Changed after signing: the claim no longer matches it, and its own check fails too.
    let signed = sign_bytes(&s, &jpeg(1), "jpg", &opts).unwrap();
    let mut bytes = signed.bytes.clone();
    let at = bytes.windows(14).position(|w| w == b"cawg.x509.cose").expect("the identity's sig_type");
    bytes[at + 8] = b'4';
    let r = verify_bytes(&bytes, "jpg", &untrusted()).unwrap();
    assert_eq!(r.verdict, Verdict::Invalid);
    assert!(codes(&r).contains(&"assertion.hashedURI.mismatch"), "{:?}", codes(&r));
    assert_eq!(identity(&r).state, IdentityState::Invalid, "{:?}", identity(&r));

    // An identity assertion by another identity's certificate: valid in itself, but it does not
    // name the signer.
    let other = signer(EDITOR, 2);
    let holder = X509CredentialHolder::from_raw_signer(other.raw_signer(4096));
    let signed = sign::sign_with_holder(&s, holder, &jpeg(1), "image/jpeg", "input", &opts).unwrap();
    let r = verify_bytes(&signed.bytes, "jpg", &untrusted()).unwrap();
    let id = identity(&r);
    assert_eq!(id.did.as_deref(), Some(EDITOR));
    assert_eq!(r.manifest.as_ref().unwrap().signer.did.as_deref(), Some(CREATOR));
    assert!(!id.same_as_signer);
    assert_eq!(id.state, IdentityState::UntrustedSigner, "{id:?}");
}
