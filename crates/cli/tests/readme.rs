//! The README's five-minute tour, executed exactly as written, then checked.

mod common;

use std::path::Path;

use common::*;

fn tour_script() -> String {
    let readme = std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../README.md")).unwrap();
    let start = readme.find("<!-- walkthrough:start -->").expect("README has a walkthrough");
    let end = readme.find("<!-- walkthrough:end -->").expect("README walkthrough ends");
    let block = &readme[start..end];
    let body: Vec<&str> = block.lines().skip(1).filter(|l| !l.starts_with("```")).collect();
    assert!(body.len() > 10, "walkthrough too short");
    body.join("\n") + "\n"
}

fn keyring_works() -> bool {
    let probe = Home::with_keyring(true);
    let created = probe.init();
    let works = created["keyring"] == "unlocked";
    run_json(probe.cmd(), &["lock"]);
    works
}

#[test]
fn readme_walkthrough_runs_as_written() {
    if !keyring_works() {
        assert!(!keyring_required(), "the OS keyring was required but is not available");
        eprintln!("SKIPPED: the tour uses the OS keyring; scripts/test runs it with gnome-keyring");
        return;
    }
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("tour.sh"), tour_script()).unwrap();
    let bin = assert_cmd::cargo::cargo_bin("hallmark");
    let path = format!("{}:{}", bin.parent().unwrap().display(), std::env::var("PATH").unwrap_or_default());
    let out = std::process::Command::new("bash")
        .args(["-euo", "pipefail", "tour.sh"])
        .current_dir(dir.path())
        .env("PATH", path)
        .env_remove("HALLMARK_HOME")
        .env_remove("HALLMARK_PASSPHRASE")
        .env_remove("HALLMARK_KEYRING")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "the tour failed:\n{stdout}\n{}", String::from_utf8_lossy(&out.stderr));

    // What the tour claims, checked independently.
    let tour = Home { path: dir.path().join("hallmark-tour"), dir: tempfile::tempdir().unwrap(), keyring: true };
    let laptop = Home { path: dir.path().join("new-laptop"), dir: tempfile::tempdir().unwrap(), keyring: true };
    let status = run_json(tour.cmd(), &["status"]);
    assert_eq!(status["identities"], 3);
    assert_eq!(status["keyring"], "locked");
    let first = &run_json(tour.cmd(), &["did", "list"])[0];
    let restored = &run_json(laptop.cmd(), &["did", "list"])[0];
    assert_eq!(first["did"], restored["did"], "restore gave a different identity");
    assert_eq!(run_json(laptop.cmd(), &["status"])["ethereum_address"], status["ethereum_address"]);
    let published: serde_json::Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("did.json")).unwrap()).unwrap();
    assert_eq!(published["id"], "did:web:example.com");
    // The passphrase was changed.
    let (code, _, _) = run_fail(tour.cmd().env("HALLMARK_PASSPHRASE", "correct horse battery staple"), &["did", "new"]);
    assert_eq!(code, 3);
    run_json(tour.cmd().env("HALLMARK_PASSPHRASE", "an even longer passphrase"), &["status"]);
}
