//! `hallmark cred …` through the real binary: issue in every format, hold (import, list, show,
//! check, delete), present with a challenge and domain, verify check by check, revoke — and
//! every bad input gets its own error code or exit code, and changes nothing.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

const SUBJECT: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

fn issuer(home: &Home) -> String {
    home.init();
    new_did(home, "Moderator")
}

fn new_did(home: &Home, label: &str) -> String {
    home.json(&["did", "new", "--method", "key", "--label", label])["did"].as_str().unwrap().to_string()
}

fn verify(home: &Home, file: &Path, extra: &[&str]) -> (i32, Value) {
    let out = home.cmd().args(["--json", "cred", "verify", file.to_str().unwrap()]).args(extra).output().unwrap();
    let report = serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|_| panic!("no JSON report: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

fn result_of(report: &Value, check: &str) -> String {
    report["checks"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["check"] == check)
        .map(|c| c["result"].as_str().unwrap().to_string())
        .unwrap_or_else(|| "missing".into())
}

fn issue(home: &Home, args: &[&str], out: &Path) -> Value {
    let mut all = vec!["cred", "issue"];
    all.extend_from_slice(args);
    all.extend_from_slice(&["--out", out.to_str().unwrap()]);
    home.json(&all)
}

fn export_list(home: &Home, path: &Path) {
    home.json(&["cred", "status-list", "export", "--out", path.to_str().unwrap()]);
}

#[test]
fn issue_verify_and_revoke_in_every_format() {
    let home = Home::new();
    let me = issuer(&home);
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.json");
    let third_party = Home::new();
    for (format, suite) in [("di", "eddsa-rdfc-2022"), ("di", "eddsa-jcs-2022"), ("jwt", "")] {
        let h = dir.path().join(format!("humanity-{format}{suite}"));
        let mut args = vec![
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
            "--format",
            format,
        ];
        if !suite.is_empty() {
            args.extend_from_slice(&["--cryptosuite", suite]);
        }
        let written = issue(&home, &args, &h);
        let id = written["id"].as_str().unwrap().to_string();
        assert_eq!(written["format"], format);
        if format == "jwt" {
            assert_eq!(std::fs::read_to_string(&h).unwrap().matches('.').count(), 2, "a compact JWT");
        } else {
            assert_eq!(written["credential"]["proof"]["cryptosuite"], suite);
            assert_eq!(written["credential"]["validUntil"], "2999-12-31T23:59:59Z");
            assert_eq!(written["credential"]["credentialSchema"]["type"], "JsonSchema");
        }
        // A verifier with no wallet: without the issuer's status list, revocation cannot be
        // checked, and that is not "valid".
        let (code, report) = verify(&third_party, &h, &[]);
        assert_eq!((code, result_of(&report, "status")), (13, "failed".into()), "{report}");
        assert!(report.to_string().contains(r#""needs":"status_list""#));
        // With it, every check passes; the issuer is not trusted by this verifier (yet).
        export_list(&home, &list);
        let (code, report) = verify(&third_party, &h, &["--status-list", list.to_str().unwrap()]);
        assert_eq!(
            (code, report["valid"].clone(), report["trusted"].clone()),
            (0, true.into(), false.into()),
            "{report}"
        );
        for check in ["proof", "issuer", "validity", "status", "schema"] {
            assert_eq!(result_of(&report, check), "passed", "{check}: {report}");
        }
        // The issuer's own wallet knows its list and trusts itself.
        let (code, report) = verify(&home, &h, &[]);
        assert_eq!((code, report["trusted"].clone()), (0, true.into()), "{report}");

        // Revoked: the new list says so (exit 13); revoking again is harmless.
        let revoked = home.json(&["cred", "revoke", &id, "--reason", "test"]);
        assert!(revoked["revoked"]["revoked_at"].is_string());
        export_list(&home, &list);
        let (code, report) = verify(&third_party, &h, &["--status-list", list.to_str().unwrap()]);
        assert_eq!(code, 13, "{report}");
        assert!(report.to_string().contains("revoked by its issuer"));
        home.json(&["cred", "revoke", &id]);
        let shown = home.json(&["cred", "show", &id]);
        assert_eq!(shown["revocation"]["revoked_reason"], "test");
    }
}

/// `cred verify A B C…` checks every file (side by side), reports each in order, and exits
/// with the code of the first one that is not valid; an unreadable file does not stop the others.
#[test]
fn several_files_are_verified_each_with_its_result() {
    let home = Home::new();
    let me = issuer(&home);
    let dir = tempfile::tempdir().unwrap();
    let mut files = Vec::new();
    for (format, suite) in [("di", "eddsa-rdfc-2022"), ("di", "eddsa-jcs-2022"), ("jwt", "")] {
        let path = dir.path().join(format!("{format}{suite}.cred"));
        let mut args = vec!["--type", "humanity", "--as", &me, "--subject", SUBJECT, "--format", format];
        if !suite.is_empty() {
            args.extend_from_slice(&["--cryptosuite", suite]);
        }
        issue(&home, &args, &path);
        files.push(path);
    }
    let list = dir.path().join("list.json");
    export_list(&home, &list);
    let mut tampered: Value = serde_json::from_str(&std::fs::read_to_string(&files[0]).unwrap()).unwrap();
    tampered["credentialSubject"]["id"] = "did:example:someone-else".into();
    let tampered = write(dir.path(), "tampered.json", tampered.to_string());
    let garbage = write(dir.path(), "garbage.json", "{not json");
    let run = |paths: &[&PathBuf], json: bool| {
        let mut cmd = home.cmd();
        if json {
            cmd.arg("--json");
        }
        cmd.args(["cred", "verify", "--status-list", list.to_str().unwrap()]);
        let out = cmd.args(paths.iter().map(|p| p.to_str().unwrap())).output().unwrap();
        (out.status.code().unwrap(), String::from_utf8(out.stdout).unwrap())
    };

    let (code, out) = run(&[&files[0], &files[1], &tampered, &garbage, &files[2]], true);
    let all: Value = serde_json::from_str(&out).unwrap();
    assert_eq!(code, 10, "the first one not valid has a failed proof: {all}");
    let results = all["results"].as_array().unwrap();
    let names: Vec<&str> = results.iter().map(|r| r["file"].as_str().unwrap()).collect();
    let wanted: Vec<String> =
        [&files[0], &files[1], &tampered, &garbage, &files[2]].iter().map(|p| p.display().to_string()).collect();
    assert_eq!(names, wanted);
    let valid: Vec<bool> = results.iter().map(|r| r["valid"].as_bool().unwrap()).collect();
    assert_eq!(valid, [true, true, false, false, true]);
    assert_eq!(result_of(&results[2]["report"], "proof"), "failed");
    assert_eq!(results[3]["error"]["code"], "invalid_credential", "{}", results[3]);
    assert_eq!((all["valid"].clone(), all["not_valid"].clone()), (3.into(), 2.into()));
    for r in [&results[0], &results[1], &results[4]] {
        assert_eq!(r["report"]["issuer"], me.as_str());
    }

    let (code, text) = run(&[&garbage, &files[2], &tampered], false);
    assert_eq!(code, 7, "the first one not valid cannot be read: {text}");
    assert!(text.contains("1 of 3 valid"), "{text}");
    assert!(text.contains(&format!("{}: NOT CHECKED", garbage.display())), "{text}");
    let (code, text) = run(&[&files[2], &files[0], &files[1]], false);
    assert_eq!(code, 0, "{text}");
    assert!(text.contains("3 of 3 valid"), "{text}");
}

#[test]
fn tampered_expired_and_replayed_documents_fail_with_their_exit_code() {
    let home = Home::new();
    let me = issuer(&home);
    let holder = new_did(&home, "Me");
    let dir = tempfile::tempdir().unwrap();
    let list = dir.path().join("list.json");
    let m = dir.path().join("membership.json");
    issue(
        &home,
        &[
            "--type",
            "membership",
            "--as",
            &me,
            "--subject",
            &holder,
            "--community",
            "urn:uuid:2b7c0d3e-1f1a-4c55-9a49-2a4f2f1c9e10",
            "--community-name",
            "Photo club",
            "--role",
            "moderator",
        ],
        &m,
    );
    export_list(&home, &list);
    let lists = ["--status-list", list.to_str().unwrap()];
    let verifier = Home::new();
    assert_eq!(verify(&verifier, &m, &lists).0, 0);

    // Tampered: the proof check fails and names why (exit 10); nothing else is believed.
    let mut forged: Value = serde_json::from_slice(&std::fs::read(&m).unwrap()).unwrap();
    forged["credentialSubject"]["role"] = "member".into();
    let f = dir.path().join("forged.json");
    std::fs::write(&f, serde_json::to_vec(&forged).unwrap()).unwrap();
    let (code, report) = verify(&verifier, &f, &lists);
    assert_eq!((code, result_of(&report, "proof")), (10, "failed".into()));
    assert_eq!(result_of(&report, "validity"), "not_checked");
    assert!(report["checks"][0]["detail"].as_str().unwrap().contains("changed after signing"));

    // Expired (exit 12).
    let old = dir.path().join("old.json");
    issue(&home, &["--type", "humanity", "--as", &me, "--subject", SUBJECT, "--expires", "2020-01-01"], &old);
    export_list(&home, &list);
    let (code, report) = verify(&verifier, &old, &lists);
    assert_eq!(
        (code, result_of(&report, "proof"), result_of(&report, "validity")),
        (12, "passed".into(), "failed".into())
    );

    // A presentation for a challenge and domain; replayed elsewhere it fails (exit 14).
    for format in ["di", "jwt"] {
        let vp = dir.path().join(format!("vp-{format}"));
        home.json(&[
            "cred",
            "present",
            "--holder",
            &holder,
            "--challenge",
            "n-1",
            "--domain",
            "club.example",
            "--format",
            format,
            "--out",
            vp.to_str().unwrap(),
            m.to_str().unwrap(),
        ]);
        let ok = ["--challenge", "n-1", "--domain", "club.example", "--status-list", list.to_str().unwrap()];
        let (code, report) = verify(&verifier, &vp, &ok);
        assert_eq!((code, report["kind"].as_str()), (0, Some("presentation")), "{report}");
        assert_eq!(result_of(&report, "subject"), "passed");
        let replay = ["--challenge", "n-2", "--domain", "club.example", "--status-list", list.to_str().unwrap()];
        let (code, report) = verify(&verifier, &vp, &replay);
        assert_eq!((code, result_of(&report, "challenge")), (14, "failed".into()));
        let elsewhere = ["--challenge", "n-1", "--domain", "evil.example", "--status-list", list.to_str().unwrap()];
        assert_eq!(verify(&verifier, &vp, &elsewhere).0, 14);
    }
    // A holder cannot present a credential about someone else.
    let (_, err, msg) = run_fail(
        home.cmd_pass(),
        &["cred", "present", "--holder", &me, "--challenge", "c", "--domain", "d", m.to_str().unwrap()],
    );
    assert_eq!(err, "not_subject", "{msg}");
}

#[test]
fn hold_import_list_show_check_and_delete() {
    let issuer_home = Home::new();
    let me = issuer(&issuer_home);
    let holder_home = Home::new();
    holder_home.init();
    let holder = new_did(&holder_home, "Me");
    let dir = tempfile::tempdir().unwrap();
    let vc = dir.path().join("vc.jwt");
    issue(&issuer_home, &["--type", "humanity", "--as", &me, "--subject", &holder, "--format", "jwt"], &vc);
    let list = dir.path().join("list.json");
    export_list(&issuer_home, &list);

    // Imported from stdin (a paste), verified, and stored with its report.
    let out = holder_home
        .cmd()
        .args(["--json", "cred", "import", "-", "--status-list", list.to_str().unwrap()])
        .write_stdin(std::fs::read(&vc).unwrap())
        .output()
        .unwrap();
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    let held: Value = serde_json::from_slice(&out.stdout).unwrap();
    let id = held["id"].as_str().unwrap().to_string();
    assert_eq!(
        (held["valid"].clone(), held["format"].as_str(), held["origin"].as_str()),
        (true.into(), Some("jwt"), Some("imported"))
    );
    // The same credential twice is refused.
    let (_, err, _) = run_fail(holder_home.cmd(), &["cred", "import", vc.to_str().unwrap()]);
    assert_eq!(err, "duplicate");
    let listed = holder_home.json(&["cred", "list"]);
    assert_eq!(listed["credentials"].as_array().unwrap().len(), 1);
    let shown = holder_home.json(&["cred", "show", &id[..6]]);
    assert_eq!(shown["issuer"], me.as_str());
    let raw = holder_home.json(&["cred", "show", &id, "--raw"]);
    assert_eq!(raw["body"].as_str().unwrap(), std::fs::read_to_string(&vc).unwrap().trim());
    // The list given at import is kept: checking again needs no file.
    let kept = holder_home.json(&["cred", "status-list", "list"]);
    assert_eq!(kept["kept"][0]["issuer"], me.as_str(), "{kept}");
    assert_eq!(holder_home.json(&["cred", "check", &id])["valid"], true);
    // The issuer revokes; the holder keeps the new list, and checking again records it.
    let old_list = dir.path().join("old-list.json");
    std::fs::copy(&list, &old_list).unwrap();
    let issued_id = issuer_home.json(&["cred", "list"])["credentials"][0]["id"].as_str().unwrap().to_string();
    issuer_home.json(&["cred", "revoke", &issued_id, "--out", list.to_str().unwrap()]);
    let added = holder_home.json(&["cred", "status-list", "add", list.to_str().unwrap()]);
    assert_eq!(added["issuer"], me.as_str());
    let out = holder_home.cmd().args(["--json", "cred", "check", &id]).output().unwrap();
    assert_eq!(out.status.code(), Some(13), "{}", String::from_utf8_lossy(&out.stdout));
    assert_eq!(holder_home.json(&["cred", "show", &id])["valid"], false);
    // Checking all at once: a second credential, still valid, beside the revoked one (newest first).
    let vc2 = dir.path().join("vc2.json");
    issue(&issuer_home, &["--type", "humanity", "--as", &me, "--subject", &holder], &vc2);
    let list2 = dir.path().join("list2.json");
    export_list(&issuer_home, &list2);
    let id2 = holder_home.json(&["cred", "import", vc2.to_str().unwrap(), "--status-list", list2.to_str().unwrap()])
        ["id"]
        .as_str()
        .unwrap()
        .to_string();
    let out = holder_home.cmd().args(["--json", "cred", "check", "--all"]).output().unwrap();
    assert_eq!(out.status.code(), Some(13), "the revoked one: {}", String::from_utf8_lossy(&out.stdout));
    let all: Value = serde_json::from_slice(&out.stdout).unwrap();
    let checked: Vec<(&str, bool)> = all["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["credential"]["id"].as_str().unwrap(), r["valid"].as_bool().unwrap()))
        .collect();
    assert_eq!(checked, [(id2.as_str(), true), (id.as_str(), false)]);
    assert_eq!((all["valid"].clone(), all["not_valid"].clone()), (1.into(), 1.into()));
    let out = holder_home.cmd().args(["cred", "check", "--all"]).output().unwrap();
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("1 of 2 valid") && text.contains("revoked by its issuer"), "{text}");
    let out = holder_home.cmd().args(["cred", "check", &id, "--all"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2), "an id or --all, not both");
    holder_home.json(&["cred", "delete", &id2]);
    // The older copy cannot replace it, nor hide the revocation when given for a check.
    let (_, err, msg) = run_fail(holder_home.cmd(), &["cred", "status-list", "add", old_list.to_str().unwrap()]);
    assert_eq!(err, "status_unavailable", "{msg}");
    assert!(msg.contains("newer copy"), "{msg}");
    let out = holder_home
        .cmd()
        .args(["--json", "cred", "check", &id, "--status-list", old_list.to_str().unwrap()])
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(13));
    // Presentable by its holder from the store by id.
    let vp = dir.path().join("vp.json");
    holder_home.json(&[
        "cred",
        "present",
        "--holder",
        &holder,
        "--challenge",
        "c",
        "--domain",
        "d",
        "--out",
        vp.to_str().unwrap(),
        &id,
    ]);
    // A presentation of a revoked credential exits with the credential's own failure: 13.
    let (code, report) =
        verify(&Home::new(), &vp, &["--challenge", "c", "--domain", "d", "--status-list", list.to_str().unwrap()]);
    assert_eq!((code, result_of(&report, "credentials")), (13, "failed".into()), "{report}");
    // Issued credentials stay; held ones can be deleted.
    let (_, err, _) = run_fail(issuer_home.cmd(), &["cred", "delete", &issued_id]);
    assert_eq!(err, "kept_for_revocation");
    holder_home.json(&["cred", "delete", &id]);
    let (_, err, _) = run_fail(holder_home.cmd(), &["cred", "show", &id]);
    assert_eq!(err, "no_such_credential");
    // Trust list.
    holder_home.json(&["trust", "add", &me, "--label", "Photo club desk"]);
    assert_eq!(holder_home.json(&["trust", "list"])["trusted"][0]["label"], "Photo club desk");
    let (code, report) = verify(&holder_home, &vc, &["--status-list", list.to_str().unwrap()]);
    assert_eq!((code, report["trusted"].clone()), (13, true.into()));
    assert_eq!(holder_home.json(&["trust", "remove", &me])["removed"], true);
}

fn write(dir: &Path, name: &str, body: impl AsRef<[u8]>) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, body).unwrap();
    p
}

#[test]
fn bad_inputs_get_specific_errors_and_change_nothing() {
    let home = Home::new();
    let me = issuer(&home);
    let dir = tempfile::tempdir().unwrap();
    let base = ["cred", "issue", "--as", &me, "--subject", SUBJECT];
    let with = |extra: &[&str]| -> Vec<String> { base.iter().chain(extra).map(|s| s.to_string()).collect() };
    let run = |args: Vec<String>, pass: bool| {
        let args: Vec<&str> = args.iter().map(String::as_str).collect();
        run_fail(if pass { home.cmd_pass() } else { home.cmd() }, &args)
    };
    assert_eq!(run(with(&["--type", "membership"]), true).0, 2);
    assert_eq!(run(with(&["--type", "humanity", "--format", "jwt", "--cryptosuite", "eddsa-jcs-2022"]), true).0, 2);
    let (code, err, msg) = run(with(&["--type", "humanity", "--expires", "31/12/2030"]), true);
    assert_eq!((code, err.as_str()), (1, "invalid_date"), "{msg}");
    // Signing needs the wallet unlocked.
    assert_eq!(run(with(&["--type", "humanity"]), false).0, 5);
    let (_, err, _) =
        run_fail(home.cmd_pass(), &["cred", "issue", "--type", "humanity", "--as", SUBJECT, "--subject", &me]);
    assert_eq!(err, "not_in_wallet");
    let (_, err, _) =
        run_fail(home.cmd_pass(), &["cred", "issue", "--type", "humanity", "--as", &me, "--subject", "nope"]);
    assert_eq!(err, "invalid_did");

    let good = dir.path().join("good.json");
    issue(&home, &["--type", "humanity", "--as", &me, "--subject", SUBJECT], &good);
    let good_json: Value = serde_json::from_slice(&std::fs::read(&good).unwrap()).unwrap();
    let before = home.json(&["cred", "list"]);
    let mut cases: Vec<(PathBuf, &str)> = vec![
        (write(dir.path(), "junk.json", b"{\"hello\": 1}"), "invalid_credential"),
        (
            write(dir.path(), "broken.json", b"{\"@context\": [\"https://www.w3.org/ns/credentials/v2\""),
            "invalid_credential",
        ),
        (
            write(
                dir.path(),
                "bad.jwt",
                b"eyJhbGciOiJub25lIiwidHlwIjoidmMrand0In0.eyJ0eXBlIjoiVmVyaWZpYWJsZUNyZWRlbnRpYWwifQ.",
            ),
            "invalid_jwt",
        ),
        (write(dir.path(), "text.txt", b"hello there"), "invalid_credential"),
        (write(dir.path(), "huge.json", vec![b' '; 600 * 1024]), "too_large"),
    ];
    let mut remote = good_json.clone();
    remote["@context"] = serde_json::json!(["https://www.w3.org/ns/credentials/v2", "https://evil.example/ctx.jsonld"]);
    cases.push((write(dir.path(), "remote.json", remote.to_string()), "unknown_context"));
    let mut old_proof = good_json.clone();
    old_proof["proof"]["type"] = "Ed25519Signature2020".into();
    cases.push((write(dir.path(), "oldproof.json", old_proof.to_string()), "unsupported_proof"));
    for (file, code) in &cases {
        let (exit, err, msg) = run_fail(home.cmd(), &["cred", "verify", file.to_str().unwrap()]);
        assert_eq!((exit, err.as_str()), (7, *code), "{}: {msg}", file.display());
        let (exit, err, _) = run_fail(home.cmd(), &["cred", "import", file.to_str().unwrap()]);
        assert_eq!((exit, err.as_str()), (7, *code), "{}", file.display());
    }
    // An issuer DID that cannot be resolved (a did:web nobody serves; offline) → its own check.
    let mut web = good_json.clone();
    web["issuer"] = "did:web:nobody.invalid".into();
    web["proof"]["verificationMethod"] = "did:web:nobody.invalid#key-1".into();
    let f = write(dir.path(), "web.json", web.to_string());
    let (code, report) = verify(&home, &f, &["--offline"]);
    assert_eq!((code, result_of(&report, "issuer")), (11, "failed".into()), "{report}");
    assert!(report.to_string().contains(r#""needs":"did_document""#));
    assert_eq!(home.json(&["cred", "list"]), before, "bad input changed the wallet's credentials");
}
