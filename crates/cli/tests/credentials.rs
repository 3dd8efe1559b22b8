//! `hallmark cred issue` and `hallmark cred verify` through the real binary.

mod common;

use common::*;
use serde_json::Value;

const SUBJECT: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

fn issuer(home: &Home) -> String {
    home.init();
    home.json(&["did", "new", "--method", "key", "--label", "Moderator"])["did"].as_str().unwrap().to_string()
}

fn verify(home: &Home, file: &std::path::Path) -> (i32, Value) {
    let out = home.cmd().args(["--json", "cred", "verify", file.to_str().unwrap()]).output().unwrap();
    (out.status.code().unwrap(), serde_json::from_slice(&out.stdout).unwrap())
}

fn results(report: &Value) -> Vec<(String, String)> {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["check"].as_str().unwrap().to_string(), c["result"].as_str().unwrap().to_string()))
        .collect()
}

#[test]
fn issue_and_verify_humanity_and_membership() {
    let home = Home::new();
    let me = issuer(&home);
    let dir = tempfile::tempdir().unwrap();
    let h = dir.path().join("humanity.json");
    let written = home.json(&[
        "cred",
        "issue",
        "--type",
        "humanity",
        "--as",
        &me,
        "--subject",
        SUBJECT,
        "--method",
        "video-call",
        "--evidence",
        "live call",
        "--expires",
        "2999-12-31",
        "--out",
        h.to_str().unwrap(),
    ]);
    assert_eq!(written["credential"]["issuer"], me.as_str());
    assert_eq!(written["credential"]["validUntil"], "2999-12-31T23:59:59Z");
    assert_eq!(written["credential"]["proof"]["cryptosuite"], "eddsa-rdfc-2022");
    // Verifying needs no wallet and no secret.
    let (code, report) = verify(&Home::new(), &h);
    assert_eq!((code, report["valid"].clone()), (0, Value::Bool(true)), "{report}");
    assert!(results(&report).iter().all(|(_, r)| r == "passed"));

    // Membership, printed on stdout.
    let m = home.json(&[
        "cred",
        "issue",
        "--type",
        "membership",
        "--as",
        &me,
        "--subject",
        SUBJECT,
        "--community",
        "urn:uuid:2b7c0d3e-1f1a-4c55-9a49-2a4f2f1c9e10",
        "--community-name",
        "Photo club",
        "--role",
        "moderator",
    ]);
    assert_eq!(m["credentialSubject"]["role"], "moderator");
    let mf = dir.path().join("membership.json");
    std::fs::write(&mf, serde_json::to_vec(&m).unwrap()).unwrap();
    assert_eq!(verify(&home, &mf).0, 0);

    // Tampered: the proof check fails and names why; exit 1.
    let mut forged = m.clone();
    forged["credentialSubject"]["role"] = "member".into();
    std::fs::write(&mf, serde_json::to_vec(&forged).unwrap()).unwrap();
    let (code, report) = verify(&home, &mf);
    assert_eq!(code, 1);
    assert_eq!(results(&report)[0], ("proof".into(), "failed".into()));
    assert!(report["checks"][0]["detail"].as_str().unwrap().contains("changed after signing"));

    // Expired: the proof is fine, the validity period is not.
    let old = dir.path().join("old.json");
    home.json(&[
        "cred",
        "issue",
        "--type",
        "humanity",
        "--as",
        &me,
        "--subject",
        SUBJECT,
        "--expires",
        "2020-01-01",
        "--out",
        old.to_str().unwrap(),
    ]);
    let (code, report) = verify(&home, &old);
    assert_eq!(code, 1);
    assert_eq!(
        results(&report),
        vec![
            ("proof".into(), "passed".into()),
            ("issuer".into(), "passed".into()),
            ("validity".into(), "failed".into())
        ]
    );
}

#[test]
fn bad_requests_get_clear_errors() {
    let home = Home::new();
    let me = issuer(&home);
    let base = ["cred", "issue", "--as", &me, "--subject", SUBJECT];
    let with = |extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|s| s.to_string()).collect() };
    let run = |args: Vec<String>, pass: bool| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_fail(if pass { home.cmd_pass() } else { home.cmd() }, &args)
    };
    assert_eq!(run(with(&["--type", "membership"]), true).0, 2);
    let (code, err, msg) = run(with(&["--type", "humanity", "--expires", "31/12/2030"]), true);
    assert_eq!((code, err.as_str()), (1, "invalid_date"), "{msg}");
    // Signing needs the wallet unlocked.
    assert_eq!(run(with(&["--type", "humanity"]), false).0, 5);
    // Only the wallet's own identities can sign.
    let (_, err, _) =
        run_fail(home.cmd_pass(), &["cred", "issue", "--type", "humanity", "--as", SUBJECT, "--subject", &me]);
    assert_eq!(err, "not_in_wallet");
    let (_, err, _) =
        run_fail(home.cmd_pass(), &["cred", "issue", "--type", "humanity", "--as", &me, "--subject", "nope"]);
    assert_eq!(err, "invalid_did");
    // Not a credential at all.
    let junk = home.dir.path().join("junk.json");
    std::fs::write(&junk, b"{\"hello\": 1}").unwrap();
    let (code, err, _) = run_fail(home.cmd(), &["cred", "verify", junk.to_str().unwrap()]);
    assert_eq!((code, err.as_str()), (1, "invalid_credential"));
}
