//! Interoperability with an independent implementation: Digital Bazaar's vc.js (Data Integrity,
//! `eddsa-rdfc-2022` / `eddsa-jcs-2022`, did:key) and the `jose` package (VC-JOSE), run with node
//! from the npm packages pinned in `tests/interop` (package-lock.json), offline: their document
//! loader serves only the VC 2.0 context and did:key documents.
//!
//! Hallmark's credentials, status lists and presentations are checked by vc.js/jose, and theirs
//! by `hallmark cred verify`, both through the real programs. Skipped (with a notice) when
//! `tests/interop/node_modules` is missing (`scripts/setup` installs it), unless
//! HALLMARK_TEST_REQUIRE_INTEROP=1 (`scripts/test`).

mod common;

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine as _;
use common::*;
use serde_json::Value;

/// The subject of the credentials Hallmark issues here.
const SUBJECT: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

/// Another DID: what a forger writes in place of the subject.
const OTHER: &str = "did:key:z6MkjchhfUsD6mmvni8mCdXHw216Xrm9bQe2mBH1P5RDjVJG";

/// `cred issue` flags of a HumanityCredential.
const HUMANITY: &[&str] = &["--type", "humanity", "--method", "video-call", "--evidence", "live call"];

/// `cred issue` flags of a CommunityMembershipCredential.
const MEMBERSHIP: &[&str] = &[
    "--type",
    "membership",
    "--community",
    "urn:uuid:2b7c0d3e-1f1a-4c55-9a49-2a4f2f1c9e10",
    "--community-name",
    "Photo club",
    "--role",
    "moderator",
];

/// Hallmark's proof formats (`cred issue` / `cred present` flags).
const RDFC: &[&str] = &["--cryptosuite", "eddsa-rdfc-2022"];
const JCS: &[&str] = &["--cryptosuite", "eddsa-jcs-2022"];
const JWT: &[&str] = &["--format", "jwt"];

/// `tests/interop`: the node scripts and their pinned packages.
fn interop_dir() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/interop")
}

/// The node side, if it is installed.
struct Node {
    dir: PathBuf,
}

/// The node scripts, or `None` (after a notice) when `tests/interop/node_modules` or node is
/// missing; with HALLMARK_TEST_REQUIRE_INTEROP=1 a missing piece fails the test instead.
fn node() -> Option<Node> {
    let dir = interop_dir();
    let required = std::env::var("HALLMARK_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    let node_runs = || std::process::Command::new("node").arg("--version").output().is_ok_and(|o| o.status.success());
    let missing = if !dir.join("node_modules").is_dir() {
        Some(format!("{} is missing (run scripts/setup)", dir.join("node_modules").display()))
    } else if !node_runs() {
        Some("node is not installed".to_string())
    } else {
        None
    };
    match missing {
        None => Some(Node { dir }),
        Some(why) if required => panic!("interop tests are required (HALLMARK_TEST_REQUIRE_INTEROP=1) but {why}"),
        Some(why) => {
            eprintln!("skipping the vc.js interop test: {why}");
            None
        }
    }
}

/// `args` followed by `more`.
fn concat<'a>(args: &[&'a str], more: &[&'a str]) -> Vec<&'a str> {
    args.iter().chain(more).copied().collect()
}

/// A path as `&str`.
fn s(path: &Path) -> &str {
    path.to_str().unwrap()
}

impl Node {
    /// Runs `node SCRIPT ARGS` in tests/interop; returns its exit code and its one JSON line.
    fn run(&self, script: &str, args: &[&str]) -> (i32, Value) {
        let out = assert_cmd::Command::new("node")
            .current_dir(&self.dir)
            .arg(script)
            .args(args)
            .timeout(Duration::from_secs(60))
            .output()
            .unwrap();
        let stdout = String::from_utf8_lossy(&out.stdout);
        let line = stdout.lines().last().unwrap_or_default();
        let value = serde_json::from_str(line).unwrap_or_else(|e| {
            panic!(
                "node {script} {args:?}: no JSON line ({e}); stdout: {stdout}; stderr: {}",
                String::from_utf8_lossy(&out.stderr)
            )
        });
        (out.status.code().unwrap_or(-1), value)
    }

    /// vc.js/jose's verdict on FILE (a credential or presentation, JSON or JWT); `extra` takes
    /// `--challenge C --domain D --status-list F`.
    fn verify(&self, file: &Path, extra: &[&str]) -> (i32, Value) {
        self.run("verify.mjs", &concat(&[s(file)], extra))
    }

    /// Asserts that vc.js verifies FILE (exit 0, `verified: true`) as a `kind`.
    fn assert_accepts(&self, file: &Path, kind: &str, extra: &[&str]) {
        let (code, out) = self.verify(file, extra);
        assert_eq!(
            (code, &out["verified"], &out["kind"]),
            (0, &Value::Bool(true), &Value::from(kind)),
            "vc.js on {} {extra:?}: {out}",
            file.display()
        );
    }

    /// Asserts that vc.js rejects FILE as not verified (exit 1, not a crash) with an error
    /// containing `reason` (or one of its `|`-separated alternatives).
    fn assert_rejects(&self, file: &Path, extra: &[&str], reason: &str) {
        let (code, out) = self.verify(file, extra);
        assert_eq!((code, &out["verified"]), (1, &Value::Bool(false)), "vc.js on {} {extra:?}: {out}", file.display());
        let error = out["error"].as_str().unwrap_or_default();
        assert!(reason.split('|').any(|r| error.contains(r)), "vc.js failed for another reason than {reason:?}: {out}");
    }

    /// Issues a credential with vc.js (or jose with `--jwt`) into OUT; `args` as for issue.mjs
    /// (`--suite S`, `--jwt`, `--type humanity|plain`, `--seed HEX`, `--subject DID`). Returns
    /// the issuer's DID.
    fn issue(&self, out: &Path, args: &[&str]) -> String {
        let (code, v) = self.run("issue.mjs", &concat(&["--out", s(out)], args));
        assert_eq!(code, 0, "issue.mjs {args:?}: {v}");
        v["issuer"].as_str().unwrap().to_string()
    }

    /// A presentation by the did:key of `seed` (64 hex digits) of the credential FILES, made with
    /// vc.js (or jose with `--jwt`) into OUT; `args` take `--suite S` or `--jwt`.
    fn present(&self, out: &Path, seed: &str, challenge: &str, domain: &str, args: &[&str], files: &[&Path]) {
        let mut all = vec!["--out", s(out), "--seed", seed, "--challenge", challenge, "--domain", domain];
        all.extend_from_slice(args);
        all.extend(files.iter().map(|f| s(f)));
        let (code, v) = self.run("present.mjs", &all);
        assert_eq!(code, 0, "present.mjs {args:?}: {v}");
    }

    /// The did:key that issue.mjs/present.mjs derive from `seed`.
    fn did_of_seed(&self, seed: &str) -> String {
        let dir = tempfile::tempdir().unwrap();
        self.issue(&dir.path().join("probe.json"), &["--seed", seed, "--type", "plain"])
    }
}

/// A Hallmark wallet with one did:key identity that issues credentials through the real binary;
/// its files go to a temporary folder.
struct Hallmark {
    home: Home,
    did: String,
    files: tempfile::TempDir,
}

/// A credential Hallmark issued.
struct Issued {
    /// Its file (JSON, or a compact JWT).
    file: PathBuf,
    /// Its id in the wallet (for `cred revoke`).
    id: String,
}

impl Hallmark {
    /// A new wallet and identity.
    fn new() -> Hallmark {
        let home = Home::new();
        home.init();
        let did =
            home.json(&["did", "new", "--method", "key", "--label", "Issuer"])["did"].as_str().unwrap().to_string();
        Hallmark { home, did, files: tempfile::tempdir().unwrap() }
    }

    /// A new did:key identity in this wallet.
    fn new_identity(&self) -> String {
        self.home.json(&["did", "new", "--method", "key"])["did"].as_str().unwrap().to_string()
    }

    /// A path in the temporary folder.
    fn path(&self, name: &str) -> PathBuf {
        self.files.path().join(name)
    }

    /// `hallmark cred issue --as ME --subject SUBJECT ARGS… --out NAME` (ARGS: type, format, …).
    fn issue_to(&self, subject: &str, args: &[&str], name: &str) -> Issued {
        let file = self.path(name);
        let out = self.home.json(&concat(
            &concat(&["cred", "issue", "--as", &self.did, "--subject", subject], args),
            &["--out", s(&file)],
        ));
        assert!(file.is_file(), "hallmark wrote no {}", file.display());
        Issued { file, id: out["id"].as_str().expect("cred issue --json names the credential's id").to_string() }
    }

    /// A credential about SUBJECT (see `issue_to`).
    fn issue(&self, args: &[&str], name: &str) -> Issued {
        self.issue_to(SUBJECT, args, name)
    }

    /// The issuer's current signed status list credential, exported to NAME.
    fn status_list(&self, name: &str) -> PathBuf {
        let file = self.path(name);
        self.home.json(&["cred", "status-list", "export", "--issuer", &self.did, "--out", s(&file)]);
        file
    }

    /// Revokes a credential; returns the new status list credential (written to NAME).
    fn revoke(&self, issued: &Issued, name: &str) -> PathBuf {
        let file = self.path(name);
        self.home.json(&["cred", "revoke", &issued.id, "--out", s(&file)]);
        file
    }

    /// `hallmark cred present --holder HOLDER --challenge C --domain D ARGS… --out NAME FILES…`.
    fn present(
        &self,
        holder: &str,
        challenge: &str,
        domain: &str,
        args: &[&str],
        files: &[&Path],
        name: &str,
    ) -> PathBuf {
        let file = self.path(name);
        let mut all = vec!["cred", "present", "--holder", holder, "--challenge", challenge, "--domain", domain];
        all.extend_from_slice(args);
        all.extend_from_slice(&["--out", s(&file)]);
        all.extend(files.iter().map(|f| s(f)));
        self.home.json(&all);
        file
    }
}

/// `hallmark --json cred verify FILE ARGS…` with no wallet and no network: exit code and report.
fn hallmark_verify(file: &Path, args: &[&str]) -> (i32, Value) {
    let out =
        Home::new().cmd().args(concat(&["--json", "cred", "verify", s(file), "--offline"], args)).output().unwrap();
    let report = serde_json::from_slice(&out.stdout).unwrap_or_else(|e| {
        panic!(
            "cred verify: bad JSON ({e}): {} {}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        )
    });
    (out.status.code().unwrap(), report)
}

/// The result of the check named `name` in a Hallmark report.
fn check_result<'a>(report: &'a Value, name: &str) -> &'a str {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == name)
        .unwrap_or_else(|| panic!("no {name} check in {report}"))["result"]
        .as_str()
        .unwrap()
}

/// Asserts that Hallmark accepts FILE: exit 0, valid, no check failed, `must_pass` checks passed.
fn assert_hallmark_accepts(file: &Path, args: &[&str], must_pass: &[&str]) {
    let (code, report) = hallmark_verify(file, args);
    assert_eq!((code, &report["valid"]), (0, &Value::Bool(true)), "hallmark on {}: {report}", file.display());
    assert!(report["checks"].as_array().unwrap().iter().all(|c| c["result"] != "failed"), "{report}");
    for name in must_pass {
        assert_eq!(check_result(&report, name), "passed", "{name}: {report}");
    }
}

/// Asserts that Hallmark rejects FILE (non-zero exit, not valid) because check `failed` failed.
fn assert_hallmark_rejects(file: &Path, args: &[&str], failed: &str) {
    let (code, report) = hallmark_verify(file, args);
    assert!(code != 0 && report["valid"] == false, "hallmark accepted {}: {report}", file.display());
    assert_eq!(check_result(&report, failed), "failed", "{report}");
}

/// A copy of the credential in SRC with `credentialSubject.id` changed to OTHER, written to DST:
/// the JSON object's field, or a compact JWT's payload (header and signature kept).
fn tamper(src: &Path, dst: &Path) {
    let text = std::fs::read_to_string(src).unwrap();
    let text = text.trim();
    let forged = if text.starts_with('{') {
        let mut v: Value = serde_json::from_str(text).unwrap();
        assert_ne!(v["credentialSubject"]["id"], OTHER);
        v["credentialSubject"]["id"] = OTHER.into();
        serde_json::to_string_pretty(&v).unwrap()
    } else {
        let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
        let parts: Vec<&str> = text.split('.').collect();
        assert_eq!(parts.len(), 3, "not a compact JWT: {text}");
        let mut payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
        assert_ne!(payload["credentialSubject"]["id"], OTHER);
        payload["credentialSubject"]["id"] = OTHER.into();
        format!("{}.{}.{}", parts[0], b64.encode(serde_json::to_vec(&payload).unwrap()), parts[2])
    };
    std::fs::write(dst, forged).unwrap();
}

/// Hallmark issues a humanity and a membership credential in FORMAT (`cred issue` flags); vc.js
/// (jose for JWTs) verifies both against Hallmark's exported status list, and rejects copies
/// whose subject was changed.
fn vcjs_accepts_hallmark(format: &[&str]) {
    let Some(node) = node() else { return };
    let hm = Hallmark::new();
    for (i, kind) in [HUMANITY, MEMBERSHIP].into_iter().enumerate() {
        let issued = hm.issue(&concat(kind, format), &format!("cred-{i}"));
        let list = hm.status_list(&format!("list-{i}.json"));
        node.assert_accepts(&issued.file, "credential", &["--status-list", s(&list)]);
        let forged = hm.path(&format!("forged-{i}"));
        tamper(&issued.file, &forged);
        node.assert_rejects(&forged, &["--status-list", s(&list)], "signature");
    }
}

/// vc.js (or jose) issues a credential with ARGS for issue.mjs; `hallmark cred verify` accepts it
/// and rejects a copy whose subject was changed (the proof check fails).
fn hallmark_accepts_vcjs(args: &[&str]) {
    let Some(node) = node() else { return };
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("vcjs");
    let issuer = node.issue(&file, args);
    assert_hallmark_accepts(&file, &[], &["proof", "issuer", "validity"]);
    let (_, report) = hallmark_verify(&file, &[]);
    assert_eq!(report["issuer"], issuer.as_str(), "{report}");

    let forged = dir.path().join("forged");
    tamper(&file, &forged);
    assert_hallmark_rejects(&forged, &[], "proof");
}

/// Hallmark presents a DI and a JWT credential about its holder in FORMAT; vc.js verifies the
/// presentation (and both credentials, with the status list) for the right challenge and domain
/// only.
fn vcjs_accepts_hallmark_presentation(format: &[&str]) {
    let Some(node) = node() else { return };
    let hm = Hallmark::new();
    let holder = hm.new_identity();
    let di = hm.issue_to(&holder, HUMANITY, "di.json");
    let jwt = hm.issue_to(&holder, &concat(MEMBERSHIP, JWT), "vc.jwt");
    let list = hm.status_list("list.json");
    let vp = hm.present(&holder, "n-0451", "https://verifier.example", format, &[&di.file, &jwt.file], "vp");
    let list_arg = ["--status-list", s(&list)];
    node.assert_accepts(
        &vp,
        "presentation",
        &concat(&["--challenge", "n-0451", "--domain", "https://verifier.example"], &list_arg),
    );
    node.assert_rejects(
        &vp,
        &concat(&["--challenge", "n-0452", "--domain", "https://verifier.example"], &list_arg),
        "challenge|nonce",
    );
    node.assert_rejects(
        &vp,
        &concat(&["--challenge", "n-0451", "--domain", "https://evil.example"], &list_arg),
        "domain|aud",
    );
}

/// vc.js (or jose with `--jwt`) presents a DI and a JWT credential about its holder, in the form
/// ARGS gives (`--suite S` or `--jwt`); Hallmark verifies it for the right challenge and domain
/// only.
fn hallmark_accepts_vcjs_presentation(args: &[&str]) {
    let Some(node) = node() else { return };
    let dir = tempfile::tempdir().unwrap();
    let seed = "22".repeat(32);
    let holder = node.did_of_seed(&seed);
    let di = dir.path().join("di.json");
    let jwt = dir.path().join("vc.jwt");
    node.issue(&di, &["--subject", &holder]);
    node.issue(&jwt, &["--subject", &holder, "--jwt"]);
    let vp = dir.path().join("vp");
    node.present(&vp, &seed, "n-77", "https://verifier.example", args, &[&di, &jwt]);
    assert_hallmark_accepts(
        &vp,
        &["--challenge", "n-77", "--domain", "https://verifier.example"],
        &["proof", "holder", "challenge", "domain", "credentials"],
    );
    assert_hallmark_rejects(&vp, &["--challenge", "n-78", "--domain", "https://verifier.example"], "challenge");
    assert_hallmark_rejects(&vp, &["--challenge", "n-77", "--domain", "https://evil.example"], "domain");
}

#[test]
fn vcjs_verifies_hallmark_credentials_rdfc() {
    vcjs_accepts_hallmark(RDFC);
}

#[test]
fn vcjs_verifies_hallmark_credentials_jcs() {
    vcjs_accepts_hallmark(JCS);
}

#[test]
fn jose_verifies_hallmark_credentials_jwt() {
    vcjs_accepts_hallmark(JWT);
}

#[test]
fn vcjs_sees_hallmark_context_and_validity_period() {
    let Some(node) = node() else { return };
    let hm = Hallmark::new();
    let issued = hm.issue(HUMANITY, "humanity.json");
    // What vc.js accepted: the standard context plus Hallmark's inline @vocab, nothing to fetch.
    let vc: Value = serde_json::from_slice(&std::fs::read(&issued.file).unwrap()).unwrap();
    assert_eq!(
        vc["@context"],
        serde_json::json!(["https://www.w3.org/ns/credentials/v2",
            {"@vocab": "https://www.w3.org/ns/credentials/issuer-dependent#"}])
    );
    assert_eq!(vc["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    // vc.js refuses to skip the status check when no list is given…
    node.assert_rejects(&issued.file, &[], "status not checked");
    // …and enforces the validity period Hallmark writes.
    let old = hm.issue(&concat(HUMANITY, &["--expires", "2020-01-01"]), "expired.json");
    let list = hm.status_list("list.json");
    node.assert_rejects(&old.file, &["--status-list", s(&list)], "validUntil");
}

#[test]
fn vcjs_rejects_hallmark_credential_with_a_changed_claim() {
    let Some(node) = node() else { return };
    let hm = Hallmark::new();
    let member =
        ["--type", "membership", "--community", "urn:uuid:2b7c0d3e-1f1a-4c55-9a49-2a4f2f1c9e10", "--role", "member"];
    let issued = hm.issue(&member, "membership.json");
    let list = hm.status_list("list.json");
    // Promote oneself to moderator: the signature no longer matches.
    let mut vc: Value = serde_json::from_slice(&std::fs::read(&issued.file).unwrap()).unwrap();
    assert_eq!(vc["credentialSubject"]["role"], "member");
    vc["credentialSubject"]["role"] = "moderator".into();
    std::fs::write(&issued.file, serde_json::to_vec(&vc).unwrap()).unwrap();
    node.assert_rejects(&issued.file, &["--status-list", s(&list)], "Invalid signature");
}

#[test]
fn vcjs_sees_hallmark_revocation() {
    let Some(node) = node() else { return };
    let hm = Hallmark::new();
    for (i, format) in [RDFC, JWT].into_iter().enumerate() {
        let issued = hm.issue(&concat(HUMANITY, format), &format!("cred-{i}"));
        let before = hm.status_list(&format!("before-{i}.json"));
        node.assert_accepts(&issued.file, "credential", &["--status-list", s(&before)]);
        let after = hm.revoke(&issued, &format!("after-{i}.json"));
        node.assert_rejects(&issued.file, &["--status-list", s(&after)], "status is set: revocation");
        // A list edited to clear the bit again no longer verifies, so it cannot un-revoke.
        let mut forged: Value = serde_json::from_slice(&std::fs::read(&after).unwrap()).unwrap();
        forged["credentialSubject"]["encodedList"] = serde_json::from_slice::<Value>(&std::fs::read(&before).unwrap())
            .unwrap()["credentialSubject"]["encodedList"]
            .clone();
        let forged_file = hm.path(&format!("forged-{i}.json"));
        std::fs::write(&forged_file, serde_json::to_vec(&forged).unwrap()).unwrap();
        node.assert_rejects(&issued.file, &["--status-list", s(&forged_file)], "signature");
    }
}

#[test]
fn vcjs_verifies_hallmark_presentation_rdfc() {
    vcjs_accepts_hallmark_presentation(RDFC);
}

#[test]
fn vcjs_verifies_hallmark_presentation_jcs() {
    vcjs_accepts_hallmark_presentation(JCS);
}

#[test]
fn jose_verifies_hallmark_presentation_jwt() {
    vcjs_accepts_hallmark_presentation(JWT);
}

#[test]
fn hallmark_verifies_vcjs_humanity_credential_rdfc() {
    hallmark_accepts_vcjs(&["--suite", "eddsa-rdfc-2022", "--type", "humanity"]);
}

#[test]
fn hallmark_verifies_vcjs_plain_credential_rdfc() {
    hallmark_accepts_vcjs(&["--suite", "eddsa-rdfc-2022", "--type", "plain"]);
}

#[test]
fn hallmark_verifies_vcjs_humanity_credential_jcs() {
    hallmark_accepts_vcjs(&["--suite", "eddsa-jcs-2022", "--type", "humanity"]);
}

#[test]
fn hallmark_verifies_jose_humanity_credential_jwt() {
    hallmark_accepts_vcjs(&["--jwt", "--type", "humanity"]);
}

#[test]
fn hallmark_verifies_vcjs_presentation_rdfc() {
    hallmark_accepts_vcjs_presentation(&["--suite", "eddsa-rdfc-2022"]);
}

#[test]
fn hallmark_verifies_vcjs_presentation_jcs() {
    hallmark_accepts_vcjs_presentation(&["--suite", "eddsa-jcs-2022"]);
}

#[test]
fn hallmark_verifies_jose_presentation_jwt() {
    hallmark_accepts_vcjs_presentation(&["--jwt"]);
}

#[test]
fn vcjs_and_jose_scripts_pass_their_self_test() {
    let Some(node) = node() else { return };
    let (code, out) = node.run("selftest.mjs", &[]);
    assert_eq!((code, &out["failed"]), (0, &serde_json::json!([])), "selftest: {out}");
    assert!(out["passed"].as_u64().unwrap() >= 20, "{out}");
}
