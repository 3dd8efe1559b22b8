//! `hallmark log …` through the real binary: the activity log written in the same transaction
//! as each action (shown by killing a signing batch with SIGKILL), exported, verified by someone
//! with no wallet and only a chain RPC, tampered with in every way that matters, anchored on the
//! devnet (anvil with the real EAS contracts), and a community's moderation log exported for its
//! members.
//!
//! The devnet test is skipped (with a notice) when `tests/eas/node_modules` is missing, unless
//! HALLMARK_TEST_REQUIRE_INTEROP=1. The other tests need no chain and always run.

mod common;

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// Runs `hallmark ARGS` (text); returns (exit code, stdout, stderr).
fn run_text(home: &Home, args: &[&str]) -> (i32, String, String) {
    let out = home.cmd_pass().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// `log verify` by `who`; returns (exit code, report) and checks the two agree.
fn verify(who: &Home, file: &Path, extra: &[&str]) -> (i32, Value) {
    let mut args = vec!["log", "verify", s(file)];
    args.extend_from_slice(extra);
    let (code, report, stderr) = run_with_pass(who, &args);
    assert!(report.is_object(), "log verify gave no report ({code}): {stderr}");
    assert_eq!(report["valid"] == true, code == 0, "exit {code} for {report}");
    if code != 0 {
        assert_eq!(code, 25, "{report} {stderr}");
    }
    (code, report)
}

/// The lines of a file.
fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path).unwrap().lines().map(str::to_owned).collect()
}

/// Writes `lines` to `dir/name`.
fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.iter().map(|l| format!("{l}\n")).collect::<String>()).unwrap();
    p
}

/// The entries of `log show --json` (in the log's order) with ARGS.
fn entries(home: &Home, args: &[&str]) -> Vec<Value> {
    let mut all = vec!["log", "show", "--oldest-first"];
    all.extend_from_slice(args);
    home.json(&all)["entries"].as_array().unwrap().clone()
}

// ---------------------------------------------------------------------------------------------
// 1. kill -9 in the middle of a signing batch

fn outputs(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> =
        std::fs::read_dir(dir).map(|rd| rd.filter_map(|e| e.ok()).map(|e| e.path()).collect()).unwrap_or_default();
    v.retain(|p| p.extension().is_some_and(|e| e == "jpg"));
    v.sort();
    v
}

/// The signed-media index as the database holds it: output SHA-256 → original SHA-256 (opened
/// read-only, beside no running Hallmark). Panics on a repeated output.
fn index(home: &Home) -> BTreeMap<String, String> {
    let conn = rusqlite::Connection::open_with_flags(
        home.path.join("hallmark.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn.prepare("SELECT output_sha256, original_sha256 FROM signed_media").unwrap();
    let rows: Vec<(String, String)> =
        stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?))).unwrap().collect::<Result<_, _>>().unwrap();
    let mut out = BTreeMap::new();
    for (output, original) in rows {
        assert!(out.insert(output.clone(), original).is_none(), "{output} is indexed twice");
    }
    out
}

/// The `sign_media` entries: output SHA-256 → original SHA-256. Panics on a repeated output.
fn signed_in_log(home: &Home) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for e in entries(home, &["--action", "sign_media"]) {
        assert_eq!(e["action"], "sign_media");
        let output = e["objects"]["output_sha256"].as_str().unwrap().to_owned();
        let original = e["objects"]["original_sha256"].as_str().unwrap().to_owned();
        assert!(out.insert(output.clone(), original).is_none(), "{output} has two log entries");
    }
    out
}

/// The whole log exported and verified by someone with no wallet: valid, `n` entries.
fn export_verifies(home: &Home, dir: &Path, name: &str, n: u64) {
    let file = dir.join(name);
    let exported = home.json(&["log", "export", "--out", s(&file)]);
    assert_eq!(exported["entries"], n, "{exported}");
    let nobody = Home::new();
    let (code, report) = verify(&nobody, &file, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!((report["entries"].as_u64(), report["full"].as_u64()), (Some(n), Some(n)), "{report}");
    assert_eq!(report["first_problem"], Value::Null);
    assert!(!nobody.path.exists(), "log verify created a data folder");
}

#[test]
fn a_signing_batch_killed_with_sigkill_has_exactly_one_log_entry_per_indexed_file() {
    let (home, did) = wallet_with_identity();
    let media = tempfile::tempdir().unwrap();
    let src = big_batch(media.path(), 40);
    let out = media.path().join("out");
    let args = ["sign", s(&src), "--as", &did, "--out", s(&out), "--jobs", "1"];

    let mut child: Child = spawn_hallmark(&home, &args);
    let start = Instant::now();
    while outputs(&out).len() < 4 {
        if let Some(status) = child.try_wait().unwrap() {
            panic!("the batch ended ({status}) before it could be interrupted");
        }
        assert!(start.elapsed() < Duration::from_secs(600), "no progress");
        std::thread::sleep(Duration::from_millis(10));
    }
    child.kill().unwrap(); // SIGKILL: no chance to clean up
    child.wait().unwrap();

    // Every file the index records has exactly one log entry, and every entry its file.
    let indexed = index(&home);
    let logged = signed_in_log(&home);
    assert!(!indexed.is_empty() && indexed.len() < 40, "{} signed before the kill", indexed.len());
    assert_eq!(logged, indexed, "the log and the signed-media index disagree after the kill");
    assert_eq!(home.json(&["log", "status"])["entries"], indexed.len() as u64);
    export_verifies(&home, media.path(), "after-kill.jsonl", indexed.len() as u64);

    // The same command resumes; still one entry per signed file, 40 in all.
    let (code, report, stderr) = run_with_pass(&home, &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["resumed"], true, "{report}");
    let indexed = index(&home);
    assert_eq!(indexed.len(), 40);
    assert_eq!(signed_in_log(&home), indexed);
    let status = home.json(&["log", "status"]);
    assert_eq!(status["entries"], 40);
    assert_eq!(status["actions"], json!({"sign_media": 40}));
    export_verifies(&home, media.path(), "after-resume.jsonl", 40);
    // And each output on disk is the one the log names (hashed by `find`, not by the index).
    let files = outputs(&out);
    assert_eq!(files.len(), 40);
    for f in &files {
        let found = home.json(&["find", s(f)]);
        let sha = found["sha256"].as_str().unwrap();
        assert!(indexed.contains_key(sha), "{} ({sha}) has no log entry", f.display());
        assert!(
            found["matches"].as_array().unwrap().iter().any(|m| m["how"] == "same_file"),
            "{}: {found}",
            f.display()
        );
    }
}

// ---------------------------------------------------------------------------------------------
// 2. anchored on the devnet, verified elsewhere, tampered with

#[test]
fn an_anchored_log_verifies_with_only_the_file_and_a_chain_rpc_and_tampering_is_located() {
    if !devnet_available() {
        return;
    }
    let (home, did) = wallet_with_identity();
    let friend = home.json(&["did", "new", "--method", "jwk", "--label", "Ben"])["did"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();

    // Some actions: a credential issued, a file signed.
    let issued = home.json(&["cred", "issue", "--type", "humanity", "--as", &did, "--subject", &friend]);
    let picture = dir.join("photo.jpg");
    std::fs::write(&picture, hallmark_testmedia::jpeg(5, 320, 240, 85)).unwrap();
    let signed_dir = dir.join("signed");
    home.json(&["sign", s(&picture), "--as", &did, "--out", s(&signed_dir)]);
    let signed = signed_dir.join("photo.jpg");
    let second = dir.join("photo2.jpg");
    std::fs::write(&second, hallmark_testmedia::jpeg(6, 320, 240, 85)).unwrap();
    let log = entries(&home, &[]);
    let actions: Vec<&str> = log.iter().map(|e| e["action"].as_str().unwrap()).collect();
    assert_eq!(actions, ["issue_credential", "sign_media"]);
    let held = home.json(&["cred", "show", issued["id"].as_str().unwrap()]);
    assert_eq!(log[0]["objects"]["credential_sha256"], held["sha256"], "{held}");
    assert_eq!(log[1]["objects"]["output_sha256"], home.json(&["find", s(&signed_dir.join("photo.jpg"))])["sha256"]);
    assert_eq!(log[0]["actor"], did.as_str());
    assert_eq!(log[0]["objects"]["subject_sha256"].as_str().unwrap().len(), 64);
    assert!(!serde_json::to_string(&log).unwrap().contains(&friend), "a person acted on appears only hashed");

    // Anchoring without a chain: the devnet is not running.
    let (code, _, message) = run_fail_text(&home, &["log", "anchor", "--network", "devnet"]);
    assert_eq!(code, 21, "{message}");

    let started = home.json(&["devnet", "start"]);
    let _guard = DevnetGuard(home.path.clone());
    let (rpc, eas) = (started["rpc_url"].as_str().unwrap().to_owned(), started["eas"].as_str().unwrap().to_owned());

    // Anchor the head (2 entries) on chain; its confirmation is entry 3.
    let (code, anchored, stderr) = run_with_pass(&home, &["log", "anchor", "--network", "devnet"]);
    assert_eq!(code, 0, "{anchored} {stderr}");
    assert_eq!(anchored["count"], 2);
    assert_eq!(anchored["head"], log[1]["hash"]);
    assert_eq!(anchored["items"][0]["state"], "confirmed", "{anchored}");
    assert_eq!(anchored["items"][0]["schema"], "log_head");
    let uid = anchored["items"][0]["uid"].as_str().unwrap().to_owned();
    let status = home.json(&["log", "status"]);
    assert_eq!(status["entries"], 3, "{status}");
    assert_eq!(status["anchored"], 2);
    assert_eq!(status["anchors_pending"], 0);
    assert_eq!(status["anchors"][0]["uid"], uid.as_str());
    assert_eq!(status["anchors"][0]["network"], "devnet");
    assert_eq!(status["anchors"][0]["count"], 2);
    assert_eq!(status["actions"], json!({"attest": 1, "issue_credential": 1, "sign_media": 1}));
    let third = &entries(&home, &["--from", "3"])[0];
    assert_eq!((third["action"].as_str(), third["objects"]["uid"].as_str()), (Some("attest"), Some(uid.as_str())));
    assert!(third["actor"].as_str().unwrap().starts_with("did:pkh:eip155:"), "{third}");
    let (_, text, _) = run_text(&home, &["log", "status"]);
    assert!(text.contains("Anchored:  entries 1–2") && text.contains(&uid), "{text}");

    // Export and verify here: valid, the anchor matches.
    let file = dir.join("activity.jsonl");
    let exported = home.json(&["log", "export", "--out", s(&file)]);
    assert_eq!((exported["entries"].as_u64(), exported["anchors"].as_u64()), (Some(3), Some(1)), "{exported}");
    let (code, report) = verify(&home, &file, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["anchors"].as_array().unwrap().len(), 1, "{report}");
    assert_eq!(report["anchors"][0]["status"], "matches", "{report}");
    assert_eq!(report["anchors"][0]["anchor"]["uid"], uid.as_str());
    assert_eq!(report["covered"], 2);

    // On another machine: no wallet, only the file and the chain's RPC.
    let elsewhere = Home::new();
    let chain = ["--rpc", rpc.as_str(), "--chain-id", "31337", "--eas", eas.as_str()];
    let (code, report) = verify(&elsewhere, &file, &chain);
    assert_eq!(code, 0, "{report}");
    assert_eq!((report["entries"].as_u64(), report["full"].as_u64()), (Some(3), Some(3)));
    assert_eq!(report["anchors"][0]["status"], "matches", "{report}");
    assert_eq!(report["covered"], 2);
    let (code, text, _) =
        run_text(&elsewhere, &["log", "verify", s(&file), "--rpc", &rpc, "--chain-id", "31337", "--eas", &eas]);
    assert_eq!(code, 0);
    assert!(text.starts_with("VALID activity log: entries 1–3"), "{text}");
    assert!(text.contains("MATCHES the chain") && text.contains(&uid), "{text}");
    assert!(text.contains("entries 1–2 (entry 3 is not anchored yet)"), "{text}");
    // Without any chain: the entries check out, the anchor is not checked, and it says so.
    let (code, report) = verify(&elsewhere, &file, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["anchors"][0]["status"], "unchecked", "{report}");
    assert_eq!(report["covered"], 0);
    assert!(!elsewhere.path.exists(), "verifying created a data folder");

    // Tampering, located.
    let l = lines(&file);
    assert_eq!(l.len(), 4);
    // One entry's action changed.
    let mut changed = l.clone();
    changed[1] = changed[1].replace("\"issue_credential\"", "\"revoke_credential\"");
    assert_ne!(changed, l);
    let f = write_lines(dir, "changed.jsonl", &changed);
    let (code, report) = verify(&elsewhere, &f, &chain);
    assert_eq!(code, 25);
    let p = &report["first_problem"];
    assert_eq!(
        (p["line"].as_u64(), p["seq"].as_u64(), p["code"].as_str()),
        (Some(2), Some(1), Some("content_changed")),
        "{report}"
    );
    let (code, text, _) =
        run_text(&elsewhere, &["log", "verify", s(&f), "--rpc", &rpc, "--chain-id", "31337", "--eas", &eas]);
    assert_eq!(code, 25);
    assert!(text.starts_with("NOT VALID") && text.contains("First problem: line 2, entry 1"), "{text}");
    // A line deleted.
    let mut deleted = l.clone();
    deleted.remove(2);
    let f = write_lines(dir, "deleted.jsonl", &deleted);
    let (code, report) = verify(&elsewhere, &f, &chain);
    assert_eq!(code, 25);
    let p = &report["first_problem"];
    assert_eq!(
        (p["line"].as_u64(), p["seq"].as_u64(), p["code"].as_str()),
        (Some(3), Some(3), Some("gap")),
        "{report}"
    );
    // Two lines swapped.
    let mut swapped = l.clone();
    swapped.swap(1, 2);
    let f = write_lines(dir, "swapped.jsonl", &swapped);
    let (code, report) = verify(&elsewhere, &f, &chain);
    assert_eq!((code, report["first_problem"]["line"].as_u64()), (25, Some(2)), "{report}");
    // The tail cut after the anchor: the chain's anchor covers an entry the file lacks.
    let cut = write_lines(dir, "cut.jsonl", &l[..2]);
    let (code, report) = verify(&elsewhere, &cut, &chain);
    assert_eq!(code, 25, "{report}");
    assert_eq!(report["first_problem"], Value::Null, "the entries left are intact: {report}");
    assert_eq!(report["anchors"][0]["status"], "beyond_end", "{report}");
    let (_, text, _) =
        run_text(&elsewhere, &["log", "verify", s(&cut), "--rpc", &rpc, "--chain-id", "31337", "--eas", &eas]);
    assert!(text.contains("BEYOND THE END"), "{text}");
    // … also when the anchor is removed from the file's header: the chain is searched for it.
    let mut header: Value = serde_json::from_str(&l[0]).unwrap();
    header["anchors"] = json!([]);
    let mut hidden = l[..2].to_vec();
    hidden[0] = header.to_string();
    let f = write_lines(dir, "cut-and-hidden.jsonl", &hidden);
    let (code, report) = verify(&elsewhere, &f, &chain);
    assert_eq!(code, 25, "{report}");
    assert_eq!(report["anchors"][0]["status"], "beyond_end", "{report}");
    assert_eq!(report["anchors"][0]["anchor"]["uid"], uid.as_str());
    // Not a log at all.
    let junk = dir.join("junk.jsonl");
    std::fs::write(&junk, "{\"hello\": 1}\n").unwrap();
    let (code, err, message) = run_fail(elsewhere.cmd(), &["log", "verify", s(&junk)]);
    assert_eq!((code, err.as_str()), (25, "invalid_log"), "{message}");
    let (code, err, _) = run_fail(elsewhere.cmd(), &["log", "verify", s(&dir.join("none.jsonl"))]);
    assert_eq!((code, err.as_str()), (1, "input_not_found"));
    let (code, _, stderr) = run_text(&elsewhere, &["log", "verify", s(&file), "--rpc", &rpc]);
    assert_eq!(code, 2, "--rpc needs --chain-id and --eas: {stderr}");
    assert!(!elsewhere.path.exists());

    // Automatic anchoring: every new entry, on the devnet. Another file is signed (entry 4);
    // when the attestation worker next runs (to attest the first file), it anchors the head.
    let (code, err, _) = run_fail(home.cmd_pass(), &["log", "auto-anchor", "--every", "1", "--network", "nowhere"]);
    assert_eq!((code, err.as_str()), (21, "unknown_network"));
    let (code, _, _) = run_fail_text(&home, &["log", "auto-anchor", "--every", "0", "--network", "devnet"]);
    assert_eq!(code, 2);
    let (code, _, stderr) = run_fail_text(&home, &["log", "auto-anchor"]);
    assert_eq!(code, 2, "{stderr}");
    let (code, _, _) = run_fail_text(&home, &["log", "auto-anchor", "--every", "3", "--off"]);
    assert_eq!(code, 2);
    let set = home.json(&["log", "auto-anchor", "--every", "1", "--network", "devnet"]);
    assert_eq!(set["anchoring"], json!({"every": 1, "network": "devnet", "confirmations": 1}));
    assert_eq!(home.json(&["log", "status"])["anchoring"], set["anchoring"]);
    home.json(&["sign", s(&second), "--as", &did, "--out", s(&signed_dir)]);
    let attested = home.json(&["attest", "content", s(&signed), "--network", "devnet"]);
    assert_eq!(attested["items"][0]["state"], "confirmed", "{attested}");
    let deadline = Instant::now() + Duration::from_secs(120);
    let status = loop {
        let st = home.json(&["log", "status"]);
        if st["anchors_pending"] == 0 {
            break st;
        }
        assert!(Instant::now() < deadline, "the automatic anchor was never sent: {st}");
        let (code, _, stderr) = run_with_pass(&home, &["attest", "run"]);
        assert_eq!(code, 0, "{stderr}");
    };
    assert!(status["anchors"].as_array().unwrap().len() >= 2, "no automatic anchor: {status}");
    assert!(status["anchored"].as_u64().unwrap() > 3, "{status}");
    let off = home.json(&["log", "auto-anchor", "--off"]);
    assert_eq!(off["anchoring"], Value::Null);
    assert_eq!(home.json(&["log", "status"])["anchoring"], Value::Null);
    // The newer export verifies with every anchor matching.
    let file = dir.join("activity-2.jsonl");
    home.json(&["log", "export", "--out", s(&file)]);
    let (code, report) = verify(&elsewhere, &file, &chain);
    assert_eq!(code, 0, "{report}");
    let anchors = report["anchors"].as_array().unwrap();
    assert!(anchors.len() >= 2 && anchors.iter().all(|a| a["status"] == "matches"), "{report}");
    assert_eq!(report["covered"], status["anchored"]);
}

/// Runs a command expected to fail (text mode); returns (exit code, stdout, stderr).
fn run_fail_text(home: &Home, args: &[&str]) -> (i32, String, String) {
    let (code, out, err) = run_text(home, args);
    assert_ne!(code, 0, "hallmark {args:?} unexpectedly succeeded: {out}");
    (code, out, err)
}

// ---------------------------------------------------------------------------------------------
// 3. a community's moderation log, and `log show`'s filters

#[test]
fn a_community_export_shows_its_decisions_in_full_and_hides_the_rest_and_show_filters() {
    let (home, did) = wallet_with_identity();
    let other = home.json(&["did", "new", "--method", "jwk"])["did"].as_str().unwrap().to_owned();
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let empty = home.json(&["log", "show"]);
    assert_eq!((empty["total"].as_u64(), empty["entries"].as_array().map(Vec::len)), (Some(0), Some(0)));
    let (code, text, _) = run_text(&home, &["log", "anchor", "--network", "sepolia"]);
    assert_eq!(code, 0);
    assert!(text.contains("nothing to anchor"), "{text}");

    // Private activity, then a community with decisions (created, an invitation), then more.
    let issued = home.json(&["cred", "issue", "--type", "humanity", "--as", &did, "--subject", &other]);
    let made = home.json(&["community", "new", "Chess club", "--as", &did]);
    let id = made["community"]["id"].as_str().unwrap().to_owned();
    home.json(&["community", "invite", &id]);
    let second = home.json(&["cred", "issue", "--type", "humanity", "--as", &other, "--subject", &did]);
    let all = entries(&home, &[]);
    let mine: Vec<&Value> = all.iter().filter(|e| e["community"] == id.as_str()).collect();
    assert!(mine.len() >= 2, "the community's decisions are logged: {all:?}");
    assert!(mine.iter().any(|e| e["action"] == "created"));
    let private: Vec<&Value> = all.iter().filter(|e| e["community"].is_null()).collect();
    assert!(private.len() >= 2);

    // Exported for the members: its entries in full, the others redacted, the chain intact.
    let file = dir.join("chess.jsonl");
    let exported = home.json(&["log", "export", "--community", "Chess club", "--out", s(&file)]);
    assert_eq!(exported["community"], id.as_str());
    assert_eq!(exported["full"], mine.len() as u64);
    assert_eq!(exported["redacted"], (all.len() - mine.len()) as u64);
    let member = Home::new();
    let (code, report) = verify(&member, &file, &[]);
    assert_eq!(code, 0, "{report}");
    assert_eq!(report["full"], mine.len() as u64);
    assert_eq!(report["redacted"], (all.len() - mine.len()) as u64);
    assert_eq!(report["entries"], all.len() as u64);
    let text = std::fs::read_to_string(&file).unwrap();
    // The humanity credentials issued outside the community stay private: not their hashes, not
    // their type, not the other identity that issued one.
    for c in [&issued, &second] {
        let sha = home.json(&["cred", "show", c["id"].as_str().unwrap()])["sha256"].as_str().unwrap().to_owned();
        assert!(all.iter().any(|e| e["objects"]["credential_sha256"] == sha.as_str()), "{sha} is logged");
        assert!(!text.contains(&sha), "private activity leaked into the community's log: {sha}");
    }
    assert!(!text.contains("HumanityCredential") && !text.contains(&other), "private activity leaked");
    // By id too; without --out it goes to stdout, a valid log as well.
    let out = home.cmd_pass().args(["log", "export", "--community", &id]).output().unwrap();
    assert!(out.status.success());
    let stdout_file = dir.join("stdout.jsonl");
    std::fs::write(&stdout_file, &out.stdout).unwrap();
    let (code, report) = verify(&member, &stdout_file, &[]);
    assert_eq!((code, report["full"].as_u64()), (0, Some(mine.len() as u64)), "{report}");
    // Hiding one of its decisions as another community's breaks the chain at that line.
    let mut l = lines(&file);
    let i = l.iter().position(|x| x.contains("\"created\"")).unwrap();
    let e: Value = serde_json::from_str(&l[i]).unwrap();
    l[i] = json!({"seq": e["seq"], "prev": e["prev"], "community": null, "content_hash": e["content_hash"], "hash": e["hash"], "redacted": true}).to_string();
    let f = write_lines(dir, "hidden.jsonl", &l);
    let (code, report) = verify(&member, &f, &[]);
    assert_eq!(code, 25);
    assert_eq!(report["first_problem"]["line"], (i + 1) as u64, "{report}");
    assert_eq!(report["first_problem"]["code"], "hash_changed");
    // An unknown community.
    let (code, err, _) = run_fail(home.cmd_pass(), &["log", "export", "--community", "Nope"]);
    assert_eq!((code, err.as_str()), (1, "no_such_community"));

    // `log show`: newest first by default, filters, limits.
    let newest = home.json(&["log", "show"]);
    let seqs: Vec<u64> = newest["entries"].as_array().unwrap().iter().map(|e| e["seq"].as_u64().unwrap()).collect();
    let mut sorted = seqs.clone();
    sorted.sort_unstable_by(|a, b| b.cmp(a));
    assert_eq!(seqs, sorted);
    assert_eq!(newest["total"], all.len() as u64);
    assert_eq!(newest["head"], all.last().unwrap()["hash"]);
    let by_community = entries(&home, &["--community", "Chess club"]);
    assert_eq!(by_community.len(), mine.len());
    let issuing = entries(&home, &["--action", "issue_credential"]);
    assert!(issuing.iter().all(|e| e["action"] == "issue_credential") && issuing.len() >= 2);
    let by_other = entries(&home, &["--actor", &other, "--action", "issue_credential"]);
    assert_eq!(by_other.len(), 1);
    assert_eq!(by_other[0]["actor"], other.as_str());
    let last_two = home.json(&["log", "show", "--limit", "2"])["entries"].as_array().unwrap().clone();
    assert_eq!(last_two.iter().map(|e| e["seq"].as_u64().unwrap()).collect::<Vec<_>>(), seqs[..2]);
    let from = entries(&home, &["--from", "2", "--limit", "1"]);
    assert_eq!(from[0]["seq"], 2);
    // The stable fields of an entry.
    let keys: Vec<&str> = all[0].as_object().unwrap().keys().map(String::as_str).collect();
    for k in ["seq", "prev", "community", "content_hash", "hash", "time", "actor", "action", "objects", "sig"] {
        assert!(keys.contains(&k), "{k} missing from {keys:?}");
    }
    let (code, text, _) = run_text(&home, &["log", "show", "--action", "created"]);
    assert_eq!(code, 0);
    assert!(text.contains("created the community (created)") && text.contains(&id), "{text}");
    let (_, text, _) = run_text(&home, &["log", "show", "--action", "nothing_like_this"]);
    assert!(text.contains("No entries match"), "{text}");
    let (code, err, _) = run_fail(home.cmd_pass(), &["log", "show", "--community", "Nope"]);
    assert_eq!((code, err.as_str()), (1, "no_such_community"));
    // No wallet: show and export need one.
    let (code, err, _) = run_fail(member.cmd(), &["log", "show"]);
    assert_eq!((code, err.as_str()), (4, "no_wallet"));
}
