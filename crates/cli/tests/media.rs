//! `hallmark sign`, `verify` and `find` through the real binary: pictures generated here, one
//! HALLMARK_HOME per person, a verifier with no wallet at all; a batch killed with SIGKILL and
//! one stopped with Ctrl-C (SIGINT), each resumed by running the same command again.

mod common;

use std::path::Path;
use std::process::Child;
use std::time::{Duration, Instant};

use common::*;
use serde_json::Value;

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// A wallet with one did:key identity labelled `label`.
fn signer(label: &str) -> (Home, String) {
    let home = Home::new();
    home.init();
    let did = home.json(&["did", "new", "--method", "key", "--label", label])["did"].as_str().unwrap().to_owned();
    (home, did)
}

use hallmark_testmedia::{jpeg_of, photo, png};

/// A photo-like JPEG (quality 85).
fn jpeg(seed: u64, w: u32, h: u32) -> Vec<u8> {
    hallmark_testmedia::jpeg(seed, w, h, 85)
}

/// Runs `hallmark --json ARGS` (no wallet needed); returns (exit code, stdout JSON, stderr).
fn run(home: &Home, args: &[&str]) -> (i32, Value, String) {
    let out = home.cmd_pass().arg("--json").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// `hallmark verify --json FILE` by someone with no wallet; asserts it ran and returns (exit, report).
fn verify(file: &Path) -> (i32, Value) {
    let nobody = Home::new();
    let (code, report, stderr) = run(&nobody, &["verify", s(file)]);
    assert!(report.is_object(), "verify {} gave no report ({code}): {stderr}", file.display());
    assert!(!nobody.path.exists(), "verify created a wallet folder");
    (code, report)
}

/// `hallmark verify FILE` as text.
fn verify_text(file: &Path) -> (i32, String) {
    let out = Home::new().cmd().args(["verify", s(file)]).output().unwrap();
    (out.status.code().unwrap(), String::from_utf8_lossy(&out.stdout).to_string())
}

fn files_in(dir: &Path) -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(dir)
        .map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.file_name().to_string_lossy().into_owned()).collect())
        .unwrap_or_default();
    names.sort();
    names
}

#[test]
fn a_folder_is_signed_originals_untouched_and_verify_shows_the_provenance() {
    let (home, did) = signer("Ana Photographer");
    let media = tempfile::tempdir().unwrap();
    let src = media.path().join("shoot");
    std::fs::create_dir_all(src.join("day2")).unwrap();
    std::fs::write(src.join("a.jpg"), jpeg(1, 640, 480)).unwrap();
    std::fs::write(src.join("b.jpg"), jpeg(2, 480, 640)).unwrap();
    std::fs::write(src.join("day2/c.jpg"), jpeg(3, 320, 240)).unwrap();
    std::fs::write(src.join("d.png"), png(4, 200, 150)).unwrap();
    let before = snapshot(&src);
    let out = media.path().join("signed");

    let (code, report, stderr) =
        run(&home, &["sign", s(&src), "--as", &did, "--out", s(&out), "--ai-generated", "--jobs", "2"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["total"], 4);
    assert_eq!(report["signed"].as_array().unwrap().len(), 4, "{report}");
    assert_eq!(report["failed"], serde_json::json!([]));
    assert_eq!(report["skipped"], serde_json::json!([]));
    assert_eq!(report["resumed"], false);
    assert_eq!(report["cancelled"], false);
    assert_eq!(report["not_started"], 0);
    assert!(report["bytes"].as_u64().unwrap() > 0);
    for item in report["signed"].as_array().unwrap() {
        for field in ["input", "output", "media_type", "size", "original_sha256", "output_sha256", "manifest_label"] {
            assert!(!item[field].is_null(), "{field} missing in {item}");
        }
    }
    assert_eq!(snapshot(&src), before, "the originals were changed");
    assert_eq!(files_in(&out), ["a.jpg", "b.jpg", "d.png", "day2"]);
    assert!(out.join("day2/c.jpg").is_file(), "the folder's layout is kept");

    // Someone without a wallet checks a signed copy.
    for rel in ["a.jpg", "day2/c.jpg", "d.png"] {
        let (code, r) = verify(&out.join(rel));
        assert_eq!(code, 0, "{r}");
        assert_eq!(r["verdict"], "untrusted_signer", "{rel}: {r}");
        let m = &r["manifest"];
        assert_eq!(m["signer"]["did"], did.as_str());
        assert_eq!(m["signer"]["common_name"], "Ana Photographer");
        assert_eq!(m["actions"][0]["action"], "c2pa.created");
        assert_eq!(m["actions"][0]["digital_source_type"], "trainedAlgorithmicMedia");
        assert_eq!(m["ai"], "generated");
        assert_eq!(m["training"]["restricted"], true, "training is not allowed by default");
        assert_eq!(m["title"], Path::new(rel).file_name().unwrap().to_str().unwrap());
        assert!(m["signed_at"].is_string());
        assert_eq!(r["failures"][0]["code"], "signingCredential.untrusted");
        assert_eq!(r["trust"]["did"], did.as_str());
        assert_eq!(r["trust"]["key"], "matches", "the DID's own key signed: {r}");
        assert_eq!(r["trust"]["trusted"], false, "no wallet, nobody trusted");
    }
    // The signer's own wallet trusts its own identity.
    let (code, mine, _) = run(&home, &["verify", s(&out.join("a.jpg"))]);
    assert_eq!(code, 0);
    assert_eq!(mine["trust"]["trusted"], true, "{mine}");
    assert_eq!(mine["trust"]["why"], "it is one of your own identities");
    let (code, card) = verify_text(&out.join("a.jpg"));
    assert_eq!(code, 0);
    let signer_line = format!("Signer:    Ana Photographer ({did})");
    for words in [
        "SIGNED, BUT THE SIGNER IS NOT IN ANY TRUST LIST",
        signer_line.as_str(),
        "c2pa.created (source: trainedAlgorithmicMedia)",
        "GENERATED BY AI",
        "AI training and data mining: NOT allowed",
        "Title:     a.jpg",
        "Trust:     not trusted: signed by this DID; there is no wallet here to say whether you trust it.",
    ] {
        assert!(card.contains(words), "{words:?} missing from:\n{card}");
    }
    assert!(!card.contains("Problems:"), "an untrusted signer is not a problem:\n{card}");

    // A one-byte change in the picture data: invalid, with the reason.
    let signed = std::fs::read(out.join("a.jpg")).unwrap();
    let mut tampered = signed.clone();
    let i = (tampered.len() * 3 / 4..tampered.len() - 4)
        .find(|&i| tampered[i] < 0xFE && tampered[i - 1] != 0xFF && tampered[i + 1] != 0x00)
        .unwrap();
    tampered[i] ^= 0x01;
    let bad = media.path().join("tampered.jpg");
    std::fs::write(&bad, &tampered).unwrap();
    let (code, r) = verify(&bad);
    assert_eq!(code, 17, "{r}");
    assert_eq!(r["verdict"], "invalid");
    let codes: Vec<&str> = r["failures"].as_array().unwrap().iter().map(|f| f["code"].as_str().unwrap()).collect();
    assert!(codes.contains(&"assertion.dataHash.mismatch"), "{codes:?}");
    let (code, card) = verify_text(&bad);
    assert_eq!(code, 17);
    assert!(card.contains("INVALID: The content was changed after it was signed"), "{card}");
    assert!(card.contains("(assertion.dataHash.mismatch)"), "{card}");
    assert!(card.contains("Besides, the signer is not in any trust list"), "{card}");

    // An original has no content credentials.
    let (code, err, message) = run_fail(Home::new().cmd(), &["verify", s(&src.join("a.jpg"))]);
    assert_eq!((code, err.as_str()), (18, "no_manifest"), "{message}");
    assert!(message.contains("a.jpg"), "{message}");
}

#[test]
fn beside_and_sidecar_outputs_training_permission_and_refusals() {
    let (home, did) = signer("Ana");
    let media = tempfile::tempdir().unwrap();
    let photo_path = media.path().join("p.jpg");
    std::fs::write(&photo_path, jpeg(7, 320, 240)).unwrap();
    let original = std::fs::read(&photo_path).unwrap();

    // Beside the original, with training allowed.
    let (code, report, stderr) = run(&home, &["sign", s(&photo_path), "--as", &did, "--allow-training"]);
    assert_eq!(code, 0, "{stderr}");
    let beside = media.path().join("p.signed.jpg");
    assert_eq!(report["signed"][0]["output"], s(&beside));
    let (_, r) = verify(&beside);
    assert_eq!(r["manifest"]["training"]["restricted"], false, "{r}");
    assert_eq!(r["manifest"]["ai"], "none");
    assert_eq!(r["manifest"]["actions"][0]["digital_source_type"], "digitalCapture");

    // A .c2pa sidecar beside the untouched original; verify finds it.
    let (code, _, stderr) = run(&home, &["sign", s(&photo_path), "--as", &did, "--sidecar", "--title", "Harbour"]);
    assert_eq!(code, 0, "{stderr}");
    assert!(media.path().join("p.c2pa").is_file());
    assert_eq!(std::fs::read(&photo_path).unwrap(), original);
    let (code, r) = verify(&photo_path);
    assert_eq!(code, 0);
    assert_eq!(r["sidecar"], true);
    assert_eq!(r["manifest"]["title"], "Harbour");

    // Usage errors come before the passphrase is asked for.
    let (code, err, _) = run_fail(home.cmd(), &["sign", s(&photo_path), "--as", &did, "--action", "photoshopped"]);
    assert_eq!((code, err.as_str()), (2, "unknown_action"));
    let both = home.cmd().args(["sign", s(&photo_path), "--as", &did, "--sidecar", "--out", "x"]).output().unwrap();
    assert_eq!(both.status.code(), Some(2), "--out and --sidecar together are refused");
    // An Ethereum identity cannot sign media; a pattern that matches nothing is refused.
    let pkh = home.json(&["did", "new", "--method", "pkh"])["did"].as_str().unwrap().to_owned();
    let (code, err, _) = run_fail(home.cmd_pass(), &["sign", s(&photo_path), "--as", &pkh]);
    assert_eq!((code, err.as_str()), (1, "not_ed25519_identity"));
    let pattern = media.path().join("*.png");
    let (code, err, _) = run_fail(home.cmd_pass(), &["sign", s(&pattern), "--as", &did]);
    assert_eq!((code, err.as_str()), (1, "input_not_found"));
    // Signing needs the wallet unlocked.
    let (code, err, _) = run_fail(home.cmd(), &["sign", s(&photo_path), "--as", &did]);
    assert_eq!((code, err.as_str()), (5, "need_passphrase"));
}

#[test]
fn find_recognises_a_resized_copy_but_not_another_picture() {
    let (home, did) = signer("Ana");
    let media = tempfile::tempdir().unwrap();
    let original = media.path().join("harbour.jpg");
    std::fs::write(&original, jpeg(41, 800, 600)).unwrap();
    let (code, report, stderr) = run(&home, &["sign", s(&original), "--as", &did, "--title", "Harbour at dawn"]);
    assert_eq!(code, 0, "{stderr}");
    let output = report["signed"][0]["output"].as_str().unwrap().to_owned();

    // A copy resized and re-encoded, without any content credentials.
    let img = image::load_from_memory(&std::fs::read(&output).unwrap()).unwrap();
    let copy = media.path().join("copy.jpg");
    std::fs::write(&copy, jpeg_of(&img.resize(400, 300, image::imageops::FilterType::Triangle).to_rgb8(), 70)).unwrap();
    let (code, _, _) = run_fail(Home::new().cmd(), &["verify", s(&copy)]);
    assert_eq!(code, 18, "the copy has no content credentials");

    let (code, found, stderr) = run(&home, &["find", s(&copy)]);
    assert_eq!(code, 0, "{stderr}");
    let m = &found["matches"][0];
    assert_eq!(found["matches"].as_array().unwrap().len(), 1, "{found}");
    assert_eq!(m["how"], "similar");
    assert!(m["distance"].as_u64().unwrap() <= found["max_distance"].as_u64().unwrap());
    assert_eq!(m["signed"]["output_path"], output.as_str());
    assert_eq!(m["signed"]["signer"], did.as_str());
    assert_eq!(m["signed"]["title"], "Harbour at dawn");
    assert!(m["signed"]["signed_at"].is_string());
    assert_eq!(m["output_present"], true);

    let text = home.cmd().args(["find", s(&copy)]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("the same picture") && text.contains(&output) && text.contains("still there"), "{text}");

    // The signed file itself.
    let (_, found, _) = run(&home, &["find", &output]);
    assert_eq!(found["matches"][0]["how"], "same_file");

    // Another picture: nothing, exit 19.
    let other = media.path().join("other.jpg");
    std::fs::write(&other, jpeg(42, 800, 600)).unwrap();
    let (code, found, _) = run(&home, &["find", s(&other)]);
    assert_eq!(code, 19);
    assert_eq!(found["matches"], serde_json::json!([]));

    // Once the signed file is moved away, the match says so.
    std::fs::rename(&output, media.path().join("moved.jpg")).unwrap();
    let (_, found, _) = run(&home, &["find", s(&copy)]);
    assert_eq!(found["matches"][0]["output_present"], false);
}

#[test]
fn an_edit_chain_shows_in_the_ingredient_tree() {
    let (creator, creator_did) = signer("Creator");
    let (editor, editor_did) = signer("Editor");
    let (publisher, publisher_did) = signer("Publisher");
    let media = tempfile::tempdir().unwrap();
    let picture = photo(51, 640, 480);
    let shot = media.path().join("shot.jpg");
    std::fs::write(&shot, jpeg_of(&picture, 90)).unwrap();
    let (code, _, stderr) = run(&creator, &["sign", s(&shot), "--as", &creator_did]);
    assert_eq!(code, 0, "{stderr}");
    let shot_signed = media.path().join("shot.signed.jpg");

    // The editor crops the creator's signed picture.
    let crop = media.path().join("crop.jpg");
    let cropped = image::imageops::crop_imm(&picture, 100, 80, 400, 300).to_image();
    std::fs::write(&crop, jpeg_of(&cropped, 90)).unwrap();
    let (code, _, stderr) =
        run(&editor, &["sign", s(&crop), "--as", &editor_did, "--parent", s(&shot_signed), "--action", "cropped"]);
    assert_eq!(code, 0, "{stderr}");
    let crop_signed = media.path().join("crop.signed.jpg");

    // The publisher resizes the editor's.
    let small = media.path().join("small.jpg");
    std::fs::write(&small, jpeg_of(&image::imageops::thumbnail(&cropped, 200, 150), 85)).unwrap();
    let (code, _, stderr) = run(
        &publisher,
        &["sign", s(&small), "--as", &publisher_did, "--parent", s(&crop_signed), "--action", "c2pa.resized"],
    );
    assert_eq!(code, 0, "{stderr}");

    let (code, r) = verify(&media.path().join("small.signed.jpg"));
    assert_eq!(code, 0, "{r}");
    let m = &r["manifest"];
    assert_eq!(m["signer"]["did"], publisher_did.as_str());
    let actions: Vec<&str> = m["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(actions.contains(&"c2pa.opened") && actions.contains(&"c2pa.resized"), "{actions:?}");
    let parent = &m["ingredients"][0];
    assert_eq!(parent["relationship"], "parentOf");
    assert_eq!(parent["manifest"]["signer"]["did"], editor_did.as_str());
    let edit: Vec<&str> =
        parent["manifest"]["actions"].as_array().unwrap().iter().map(|a| a["action"].as_str().unwrap()).collect();
    assert!(edit.contains(&"c2pa.cropped"), "{edit:?}");
    let grandparent = &parent["manifest"]["ingredients"][0];
    assert_eq!(grandparent["relationship"], "parentOf");
    assert_eq!(grandparent["manifest"]["signer"]["did"], creator_did.as_str());
    assert_eq!(grandparent["manifest"]["actions"][0]["action"], "c2pa.created");

    let (_, card) = verify_text(&media.path().join("small.signed.jpg"));
    let lines: Vec<&str> = card.lines().collect();
    let at = |needle: &str| {
        lines.iter().position(|l| l.contains(needle)).unwrap_or_else(|| panic!("{needle:?} missing:\n{card}"))
    };
    let (made_from, editor_line, creator_line) =
        (at("Made from:"), at(&format!("Editor ({editor_did})")), at(&format!("Creator ({creator_did})")));
    assert!(made_from < editor_line && editor_line < creator_line, "{card}");
    assert!(lines[editor_line].starts_with("    Signer:"), "editor one level in:\n{card}");
    assert!(lines[creator_line].starts_with("      Signer:"), "creator two levels in:\n{card}");
    assert!(lines[editor_line - 1].starts_with("  - crop.signed.jpg (parent"), "{card}");
    assert!(lines[creator_line - 1].starts_with("    - shot.signed.jpg (parent"), "{card}");
}

#[test]
fn a_corrupt_file_fails_alone_and_a_rerun_retries_only_it() {
    let (home, did) = signer("Ana");
    let media = tempfile::tempdir().unwrap();
    let src = media.path().join("in");
    std::fs::create_dir_all(&src).unwrap();
    std::fs::write(src.join("a.jpg"), jpeg(61, 320, 240)).unwrap();
    std::fs::write(src.join("b.png"), png(62, 160, 120)).unwrap();
    let good = jpeg(63, 320, 240);
    std::fs::write(src.join("broken.jpg"), &good[..good.len() / 3]).unwrap();
    let out = media.path().join("out");

    let (code, report, _) = run(&home, &["sign", s(&src), "--as", &did, "--out", s(&out)]);
    assert_eq!(code, 9, "{report}");
    assert_eq!(report["signed"].as_array().unwrap().len(), 2);
    let failed = &report["failed"][0];
    assert_eq!(report["failed"].as_array().unwrap().len(), 1);
    assert_eq!(failed["input"], s(&src.join("broken.jpg")));
    assert!(failed["code"].is_string() && failed["message"].as_str().unwrap().contains("broken.jpg"), "{failed}");
    assert_eq!(files_in(&out), ["a.jpg", "b.png"], "no output for the broken file");

    // People see the failure as it happens and in the summary.
    std::fs::write(src.join("broken2.jpg"), &good[..good.len() / 2]).unwrap();
    let text = home.cmd_pass().args(["sign", s(&src), "--as", &did, "--out", s(&out)]).output().unwrap();
    assert_eq!(text.status.code(), Some(9));
    let (stdout, stderr) = (String::from_utf8_lossy(&text.stdout), String::from_utf8_lossy(&text.stderr));
    assert!(stderr.contains("failed: ") && stderr.contains("broken2.jpg"), "{stderr}");
    assert!(stdout.contains("Failed 2:") && stdout.contains("run the same command again"), "{stdout}");

    // Fixed: the rerun of the same command signs only the files that failed.
    std::fs::write(src.join("broken.jpg"), &good).unwrap();
    std::fs::remove_file(src.join("broken2.jpg")).unwrap();
    let (code, report, stderr) = run(&home, &["sign", s(&src), "--as", &did, "--out", s(&out)]);
    assert_eq!(code, 0, "{report} {stderr}");
    assert_eq!(report["signed"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["signed"][0]["input"], s(&src.join("broken.jpg")));
    assert_eq!(verify(&out.join("broken.jpg")).1["verdict"], "untrusted_signer");
}

/// Starts `hallmark --json sign SRC --as DID --out OUT --jobs 1` in the background.
fn spawn_sign(home: &Home, did: &str, src: &Path, out: &Path) -> Child {
    spawn_hallmark(home, &["sign", s(src), "--as", did, "--out", s(out), "--jobs", "1"])
}

fn outputs(dir: &Path) -> Vec<String> {
    files_in(dir).into_iter().filter(|n| n.ends_with(".jpg")).collect()
}

/// Waits until at least `n` outputs exist; panics if the batch ends or takes too long first.
fn wait_for_outputs(child: &mut Child, out: &Path, n: usize) {
    let start = Instant::now();
    while outputs(out).len() < n {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the batch ended ({status}) before {n} outputs existed: it is too small to interrupt");
        }
        assert!(start.elapsed() < Duration::from_secs(600), "no progress");
        std::thread::sleep(Duration::from_millis(20));
    }
}

fn assert_no_leftovers(dir: &Path) {
    let tmp: Vec<String> = files_in(dir).into_iter().filter(|n| n.starts_with(".hallmark-tmp")).collect();
    assert!(tmp.is_empty(), "temporary files left behind: {tmp:?}");
}

#[test]
fn a_batch_killed_with_sigkill_leaves_whole_outputs_and_the_same_command_resumes() {
    let (home, did) = signer("Ana");
    let media = tempfile::tempdir().unwrap();
    let src = big_batch(media.path(), 40);
    let out = media.path().join("out");

    let mut child = spawn_sign(&home, &did, &src, &out);
    wait_for_outputs(&mut child, &out, 3);
    child.kill().unwrap(); // SIGKILL
    child.wait().unwrap();

    assert_no_leftovers(&out);
    let written = outputs(&out);
    assert!(written.len() >= 3 && written.len() < 40, "{} outputs", written.len());
    for name in &written {
        assert_eq!(verify(&out.join(name)).1["verdict"], "untrusted_signer", "{name} is not a whole signed file");
    }

    let (code, report, stderr) = run(&home, &["sign", s(&src), "--as", &did, "--out", s(&out), "--jobs", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["resumed"], true, "{report}");
    let skipped = report["skipped"].as_array().unwrap().len();
    let signed = report["signed"].as_array().unwrap().len();
    assert!(skipped > 0 && skipped <= written.len(), "skipped {skipped} of {} written", written.len());
    assert_eq!(skipped + signed, 40, "{report}");
    assert_eq!(report["total"], 40);
    assert_no_leftovers(&out);
    let all = outputs(&out);
    assert_eq!(all.len(), 40);
    for name in &all {
        assert_eq!(verify(&out.join(name)).1["verdict"], "untrusted_signer", "{name}");
    }
    // Each output is indexed once, with the original it came from.
    let (code, found, _) = run(&home, &["find", s(&src.join("frame07.jpg"))]);
    assert_eq!(code, 0);
    let originals: Vec<&Value> =
        found["matches"].as_array().unwrap().iter().filter(|m| m["how"] == "original").collect();
    assert_eq!(originals.len(), 1, "{found}");
    assert_eq!(originals[0]["signed"]["output_path"], s(&out.join("frame07.jpg")));
}

#[test]
fn ctrl_c_stops_the_batch_cleanly_with_130_and_the_same_command_completes_it() {
    let (home, did) = signer("Ana");
    let media = tempfile::tempdir().unwrap();
    let src = big_batch(media.path(), 16);
    let out = media.path().join("out");

    let mut child = spawn_sign(&home, &did, &src, &out);
    wait_for_outputs(&mut child, &out, 2);
    let sent = std::process::Command::new("kill").args(["-INT", &child.id().to_string()]).status().unwrap();
    assert!(sent.success());
    let start = Instant::now();
    while child.try_wait().unwrap().is_none() {
        assert!(start.elapsed() < Duration::from_secs(120), "the batch did not stop after Ctrl-C");
        std::thread::sleep(Duration::from_millis(50));
    }
    let result = child.wait_with_output().unwrap();
    assert_eq!(result.status.code(), Some(130), "{}", String::from_utf8_lossy(&result.stderr));
    let report: Value = serde_json::from_slice(&result.stdout).unwrap();
    assert_eq!(report["cancelled"], true, "{report}");
    let signed = report["signed"].as_array().unwrap().len();
    assert!(signed >= 2, "{report}");
    assert!(report["not_started"].as_u64().unwrap() > 0, "{report}");
    assert_eq!(signed + report["not_started"].as_u64().unwrap() as usize, 16, "{report}");
    assert_no_leftovers(&out);
    assert_eq!(outputs(&out).len(), signed, "an output for each file signed, nothing else");

    let (code, report, stderr) = run(&home, &["sign", s(&src), "--as", &did, "--out", s(&out), "--jobs", "1"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["resumed"], true);
    assert_eq!(report["skipped"].as_array().unwrap().len(), signed);
    assert_eq!(report["signed"].as_array().unwrap().len(), 16 - signed);
    assert_eq!(outputs(&out).len(), 16);
    for name in outputs(&out) {
        assert_eq!(verify(&out.join(name)).1["verdict"], "untrusted_signer");
    }
}
