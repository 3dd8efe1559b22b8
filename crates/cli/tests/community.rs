//! `hallmark community …` through the real binary, one HALLMARK_HOME per person: the desk
//! (moderator), members A, B and C, candidate D, a stranger E, and a third-party verifier with
//! no wallet at all.

mod common;

use std::path::{Path, PathBuf};

use common::*;
use serde_json::Value;

/// A person: their home and their did:key.
struct Person {
    home: Home,
    did: String,
}

impl Person {
    fn new() -> Person {
        let home = Home::new();
        home.init();
        let did = home.json(&["did", "new", "--method", "key"])["did"].as_str().unwrap().to_owned();
        Person { home, did }
    }

    fn json(&self, args: &[&str]) -> Value {
        self.home.json(args)
    }

    fn fail(&self, args: &[&str]) -> (i32, String, String) {
        run_fail(self.home.cmd_pass(), args)
    }

    /// Exports this person's (only) status list to a file in `dir`.
    fn status_list(&self, dir: &Path, name: &str) -> PathBuf {
        let path = dir.join(name);
        self.json(&["cred", "status-list", "export", "--issuer", &self.did, "--out", s(&path)]);
        path
    }
}

fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// The desk gives an invitation; `who` makes a request bound to it for `domain`.
fn request(desk: &Person, who: &Person, community: &str, domain: &str, dir: &Path, extra: &[&str]) -> PathBuf {
    let inv = desk.json(&["community", "invite", community]);
    assert_eq!(inv["domain"], community);
    let challenge = inv["challenge"].as_str().unwrap();
    assert!(challenge.len() >= 22, "a fresh random challenge: {challenge}");
    let path = dir.join(format!("request-{}.json", &who.did[8..20]));
    let mut args = vec!["community", "request", "--as", &who.did, "--community", domain, "--challenge", challenge];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", s(&path)]);
    who.json(&args);
    path
}

/// `who` vouches for `candidate`; returns the vouch file.
fn vouch(who: &Person, community: &str, candidate: &str, dir: &Path, file: &str, extra: &[&str]) -> PathBuf {
    let path = dir.join(file);
    let mut args = vec!["community", "vouch", "--as", &who.did, "--community", community, "--for", candidate];
    args.extend_from_slice(extra);
    args.extend_from_slice(&["--out", s(&path)]);
    let v = who.json(&args);
    assert_eq!(v["credential"]["credentialSubject"]["vouchedFor"], "humanity");
    assert_eq!(v["credential"]["type"][1], "VouchCredential");
    path
}

/// `cred verify` by the third party: (exit code, report).
fn third_party_verify(verifier: &Home, vp: &Path, challenge: &str, list: &Path) -> (i32, Value) {
    let out = verifier
        .cmd()
        .args(["--json", "cred", "verify", s(vp), "--challenge", challenge, "--domain", "verifier.example"])
        .args(["--status-list", s(list)])
        .output()
        .unwrap();
    let report: Value =
        serde_json::from_slice(&out.stdout).unwrap_or_else(|e| panic!("{e}: {}", String::from_utf8_lossy(&out.stderr)));
    (out.status.code().unwrap(), report)
}

fn check<'a>(report: &'a Value, name: &str) -> &'a Value {
    report["checks"].as_array().unwrap().iter().find(|c| c["check"] == name).unwrap()
}

#[test]
fn the_whole_story_from_a_new_community_to_a_revoked_humanity_credential() {
    let dir = tempfile::tempdir().unwrap();
    let dir = dir.path();
    let desk = Person::new();
    let m = desk.did.clone();
    let (a, b, c, d, e) = (Person::new(), Person::new(), Person::new(), Person::new(), Person::new());

    // The moderator creates the community; the creator is its first moderator.
    let made = desk.json(&["community", "new", "Photo club", "--as", &m, "--vouches", "2"]);
    let id = made["community"]["id"].as_str().unwrap().to_owned();
    assert!(id.starts_with("urn:uuid:"), "{id}");
    assert_eq!(
        (made["community"]["vouch_threshold"].as_u64(), made["community"]["moderator_threshold"].as_u64()),
        (Some(2), Some(1))
    );
    let list = desk.json(&["community", "list"]);
    assert_eq!(list["communities"][0]["name"], "Photo club");
    assert_eq!(list["communities"][0]["moderators"], 1);

    // A: invitation → request → receive → admit (membership credential to hand over).
    let a_req = request(&desk, &a, &id, &id, dir, &[]);
    let received = desk.json(&["community", "receive", s(&a_req), "--community", &id]);
    let a_rid = received["id"].as_str().unwrap().to_owned();
    assert_eq!((received["holder"].as_str(), received["state"].as_str()), (Some(a.did.as_str()), Some("pending")));
    let a_card = dir.join("a-member.json");
    let admitted = desk.json(&["community", "admit", &a_rid, "--as", &m, "--out", s(&a_card)]);
    assert_eq!(admitted["member"]["state"], "active");
    let card: Value = serde_json::from_str(&std::fs::read_to_string(&a_card).unwrap()).unwrap();
    assert_eq!(card["issuer"], m.as_str());
    assert_eq!(card["credentialSubject"]["id"], a.did.as_str());
    assert_eq!(card["credentialSubject"]["memberOf"]["id"], id.as_str());
    assert_eq!(card["credentialSubject"]["role"], "member");
    // The member can hold it: it verifies, and the moderator's status list says not revoked.
    let m_list = desk.status_list(dir, "moderator-list.json");
    let held = a.json(&["cred", "import", s(&a_card), "--status-list", s(&m_list)]);
    assert_eq!(held["valid"], true, "{held}");

    // Replays: the same request again, received or admitted, and a second admit — all refused.
    let (_, code, msg) = desk.fail(&["community", "receive", s(&a_req), "--community", &id]);
    assert_eq!(code, "challenge_used", "{msg}");
    assert!(msg.contains("replay"), "{msg}");
    let (_, code, msg) = desk.fail(&["community", "admit", s(&a_req), "--community", &id, "--as", &m]);
    assert_eq!(code, "request_decided", "{msg}");
    assert!(msg.contains(&format!("{a_rid} was already admitted")), "{msg}");
    let (_, code, _) = desk.fail(&["community", "admit", &a_rid, "--as", &m]);
    assert_eq!(code, "request_decided");

    // B (request file admitted in one step) and C (a JWT request) likewise.
    let b_req = request(&desk, &b, &id, &id, dir, &[]);
    desk.json(&["community", "admit", s(&b_req), "--community", &id, "--as", &m]);
    let c_req = request(&desk, &c, &id, &id, dir, &["--format", "jwt"]);
    assert!(!std::fs::read_to_string(&c_req).unwrap().trim_start().starts_with('{'), "a JWT");
    desk.json(&["community", "admit", s(&c_req), "--community", &id, "--as", &m]);

    // A request made for another domain is refused, and so is one with a made-up challenge.
    let elsewhere = request(&desk, &d, &id, "urn:uuid:11111111-2222-4333-8444-555555555555", dir, &[]);
    let (_, code, msg) = desk.fail(&["community", "receive", s(&elsewhere), "--community", &id]);
    assert_eq!(code, "wrong_domain", "{msg}");
    let forged = dir.join("forged.json");
    d.json(&[
        "community",
        "request",
        "--as",
        &d.did,
        "--community",
        &id,
        "--challenge",
        "guessed",
        "--out",
        s(&forged),
    ]);
    assert_eq!(desk.fail(&["community", "receive", s(&forged), "--community", &id]).1, "unknown_challenge");

    // Vouching for D: A, B and C vouch; E (not a member) too. Each voucher's status list goes
    // with the vouch so that the desk can check it is not revoked.
    let va = vouch(&a, &id, &d.did, dir, "a-vouch.json", &["--note", "we sing in the same choir"]);
    // A holds their membership card, which names the community; B and C give its name.
    let vb = vouch(&b, &id, &d.did, dir, "b-vouch.json", &["--name", "Photo club"]);
    let vc = vouch(&c, &id, &d.did, dir, "c-vouch.json", &["--name", "Photo club"]);
    let ve = vouch(&e, &id, &d.did, dir, "e-vouch.json", &["--name", "Photo club"]);
    let (la, lb, lc, le) = (
        a.status_list(dir, "a-list.json"),
        b.status_list(dir, "b-list.json"),
        c.status_list(dir, "c-list.json"),
        e.status_list(dir, "e-list.json"),
    );
    // Outside the desk, without a card, the name must be given.
    let (_, code, _) = e.fail(&["community", "vouch", "--as", &e.did, "--community", &id, "--for", &d.did]);
    assert_eq!(code, "community_name_needed");

    let added = desk.json(&["community", "vouches", "add", s(&va), "--community", &id, "--status-list", s(&la)]);
    assert_eq!(added["added"][0]["voucher"], a.did.as_str());
    // One vouch with k = 2: refused, and nothing is issued.
    let before = desk.json(&["cred", "list"])["credentials"].as_array().unwrap().len();
    let (_, code, msg) = desk.fail(&["community", "humanity", &d.did, "--community", &id, "--as", &m]);
    assert_eq!(code, "not_enough_vouches");
    assert!(msg.contains("needs 2 vouches from current members, has 1"), "{msg}");
    assert_eq!(desk.json(&["cred", "list"])["credentials"].as_array().unwrap().len(), before);
    // A stranger's vouch, a vouch whose status cannot be checked, and a repeated vouch: refused.
    let (_, code, msg) =
        desk.fail(&["community", "vouches", "add", s(&ve), "--community", &id, "--status-list", s(&le)]);
    assert_eq!(code, "not_current_member", "{msg}");
    assert!(msg.contains("are not a member"), "{msg}");
    let (_, code, msg) = desk.fail(&["community", "vouches", "add", s(&vb), "--community", &id]);
    assert_eq!(code, "invalid_vouch", "{msg}");
    assert!(msg.contains("is not at hand"), "{msg}");
    let (_, code, _) = desk.fail(&["community", "vouches", "add", s(&va), "--community", &id, "--status-list", s(&la)]);
    assert_eq!(code, "duplicate_vouch");
    // A vouch from the candidate for themselves cannot even be made.
    let (_, code, _) =
        d.fail(&["community", "vouch", "--as", &d.did, "--community", &id, "--name", "Photo club", "--for", &d.did]);
    assert_eq!(code, "self_vouch");

    // C's vouch is accepted; then C is banned: their vouch stops counting at decision time.
    desk.json(&["community", "vouches", "add", s(&vc), "--community", &id, "--status-list", s(&lc)]);
    let banned = desk.json(&["community", "ban", &c.did, "--community", &id, "--as", &m, "--reason", "spam"]);
    assert_eq!(banned["member"]["state"], "banned");
    assert_eq!(banned["revoked"].as_array().unwrap().len(), 1, "C's membership credential");
    assert_eq!(banned["status_lists"][0]["issuer"], m.as_str());
    let (_, code, msg) = desk.fail(&["community", "humanity", &d.did, "--community", &id, "--as", &m]);
    assert_eq!(code, "not_enough_vouches");
    assert!(msg.contains("has 1") && msg.contains(&format!("{} (they were banned", c.did)), "{msg}");
    // A new vouch from the banned member is refused.
    let vc2 = vouch(&c, &id, &d.did, dir, "c-vouch-2.json", &["--name", "Photo club", "--note", "really"]);
    let lc2 = c.status_list(dir, "c-list-2.json");
    let (_, code, msg) =
        desk.fail(&["community", "vouches", "add", s(&vc2), "--community", &id, "--status-list", s(&lc2)]);
    assert_eq!(code, "not_current_member", "{msg}");
    assert!(msg.contains("were banned"), "{msg}");

    // B's vouch makes two current members: D gets a HumanityCredential naming both vouches.
    desk.json(&["community", "vouches", "add", s(&vb), "--community", &id, "--status-list", s(&lb)]);
    let d_card = dir.join("d-humanity.json");
    let h = desk.json(&["community", "humanity", &d.did, "--community", &id, "--as", &m, "--out", s(&d_card)]);
    let h_id = h["credential_id"].as_str().unwrap().to_owned();
    assert_eq!(h["vouchers"], serde_json::json!([a.did, b.did]));
    let doc = &h["credential"];
    let evidence = if doc["evidence"].is_array() { &doc["evidence"][0] } else { &doc["evidence"] };
    assert_eq!((evidence["method"].as_str(), evidence["checkedBy"].as_str()), (Some("vouching"), Some(m.as_str())));
    let vouchers: Vec<&str> =
        evidence["vouches"].as_array().unwrap().iter().map(|v| v["voucher"].as_str().unwrap()).collect();
    assert_eq!(vouchers, [a.did.as_str(), b.did.as_str()]);
    assert_eq!(doc["credentialSubject"]["id"], d.did.as_str());

    // D presents it to a third party, who has no wallet: valid with the moderator's list.
    let vp = dir.join("vp.json");
    d.json(&[
        "cred",
        "present",
        "--holder",
        &d.did,
        "--challenge",
        "x-42",
        "--domain",
        "verifier.example",
        s(&d_card),
        "--out",
        s(&vp),
    ]);
    let verifier = Home::new();
    let before_ban = desk.status_list(dir, "moderator-list-1.json");
    let (code, report) = third_party_verify(&verifier, &vp, "x-42", &before_ban);
    assert_eq!((code, &report["valid"]), (0, &Value::Bool(true)), "{report}");
    assert_eq!(check(&report["credentials"][0], "status")["result"], "passed");

    // The moderator bans D: D's HumanityCredential is revoked; the SAME presentation now fails
    // with the new list (and still passes with the old one: verifiers must get the new list).
    let gone = desk.json(&["community", "ban", &d.did, "--community", &id, "--as", &m, "--reason", "fake account"]);
    assert_eq!(gone["revoked"][0]["credential"], h_id.as_str());
    let after_ban = desk.status_list(dir, "moderator-list-2.json");
    let (code, report) = third_party_verify(&verifier, &vp, "x-42", &after_ban);
    assert_ne!(code, 0);
    assert_eq!(report["valid"], false);
    let status = check(&report["credentials"][0], "status");
    assert_eq!(status["result"], "failed", "{report}");
    assert!(status["detail"].as_str().unwrap().contains("revoked"), "{status}");
    assert_eq!(third_party_verify(&verifier, &vp, "x-42", &before_ban).0, 0);
    // A banned person's requests are refused.
    let again = request(&desk, &d, &id, &id, dir, &[]);
    assert_eq!(desk.fail(&["community", "receive", s(&again), "--community", &id]).1, "banned");

    // Moderators, 1 of 1: the moderator approves A, who becomes a moderator (old card revoked).
    let approval = dir.join("approval.json");
    desk.json(&["community", "approve", "--as", &m, "--community", &id, "--for", &a.did, "--out", s(&approval)]);
    // B's wallet does not run the desk, so B can sign an "approval"; the desk refuses it.
    let b_approval = dir.join("b-approval.json");
    b.json(&[
        "community",
        "approve",
        "--as",
        &b.did,
        "--community",
        &id,
        "--name",
        "Photo club",
        "--for",
        &a.did,
        "--out",
        s(&b_approval),
    ]);
    let lb2 = b.status_list(dir, "b-list-2.json");
    let (_, code, msg) = desk.fail(&[
        "community",
        "moderator",
        "add",
        &a.did,
        "--community",
        &id,
        "--approval",
        s(&b_approval),
        "--status-list",
        s(&lb2),
        "--as",
        &m,
    ]);
    assert_eq!(code, "not_current_member", "{msg}");
    assert!(msg.contains("are not a moderator"), "{msg}");
    let p = desk.json(&[
        "community",
        "moderator",
        "add",
        &a.did,
        "--community",
        &id,
        "--approval",
        s(&approval),
        "--as",
        &m,
    ]);
    assert_eq!(p["member"]["role"], "moderator");
    assert_eq!(p["credential"]["credentialSubject"]["role"], "moderator");
    assert_eq!(p["revoked"][0]["credential"], admitted["credential_id"]);
    // B leaves: their card is revoked.
    let left = desk.json(&["community", "leave", &id, "--member", &b.did]);
    assert_eq!((left["member"]["state"].as_str(), left["revoked"].as_array().unwrap().len()), (Some("left"), 1));

    // Everything is in the log, in order, with who decided and which credential.
    let show = desk.json(&["community", "show", &id]);
    let log = show["decisions"].as_array().unwrap();
    let rows: Vec<(&str, &str, Option<&str>)> = log
        .iter()
        .map(|d| (d["action"].as_str().unwrap(), d["actor"].as_str().unwrap(), d["subject"].as_str()))
        .collect();
    let (ma, aa, ba, ca, da) = (m.as_str(), a.did.as_str(), b.did.as_str(), c.did.as_str(), d.did.as_str());
    assert_eq!(
        rows,
        [
            ("created", ma, Some(ma)),
            ("invited", ma, None),
            ("admitted", ma, Some(aa)),
            ("invited", ma, None),
            ("admitted", ma, Some(ba)),
            ("invited", ma, None),
            ("admitted", ma, Some(ca)),
            ("invited", ma, None),
            ("vouch_received", aa, Some(da)),
            ("vouch_received", ca, Some(da)),
            ("banned", ma, Some(ca)),
            ("vouch_received", ba, Some(da)),
            ("humanity_issued", ma, Some(da)),
            ("banned", ma, Some(da)),
            ("invited", ma, None),
            ("vouch_received", ma, Some(aa)),
            ("moderator_added", ma, Some(aa)),
            ("left", ba, Some(ba)),
        ]
    );
    assert!(log.windows(2).all(|w| w[0]["seq"].as_i64() < w[1]["seq"].as_i64()));
    assert!(log.windows(2).all(|w| w[0]["at"].as_str() <= w[1]["at"].as_str()));
    assert_eq!(log[12]["credential"], h_id.as_str());
    assert_eq!(log[13]["revoked"], serde_json::json!([h_id]));
    assert_eq!(log[13]["detail"]["reason"], "fake account");
    assert_eq!(log[2]["credential"], admitted["credential_id"]);
    // Members and moderators as they stand; C's vouch no longer counts.
    let state_of = |did: &str| -> (String, String) {
        let m = show["members"].as_array().unwrap().iter().find(|x| x["did"] == did).unwrap();
        (m["role"].as_str().unwrap().into(), m["state"].as_str().unwrap().into())
    };
    assert_eq!(state_of(&a.did), ("moderator".into(), "active".into()));
    assert_eq!(state_of(&b.did).1, "left");
    assert_eq!(state_of(&c.did).1, "banned");
    assert_eq!(state_of(&d.did).1, "banned");
    assert_eq!(show["moderators"], serde_json::json!([m, a.did]));
    let c_vouch = show["vouches"].as_array().unwrap().iter().find(|v| v["voucher"] == c.did.as_str()).unwrap();
    assert_eq!(c_vouch["counts"], false);
    // The desk trusts its moderators: a credential issued by A (now a moderator) is trusted.
    let out = desk.home.cmd().args(["--json", "cred", "verify", s(&va), "--status-list", s(&la)]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&report, "trust")["result"], "passed", "{report}");
    assert!(check(&report, "trust")["detail"].as_str().unwrap().contains("moderator of Photo club"));
    // …and B (who left, never a moderator) is not.
    let out = desk.home.cmd().args(["--json", "cred", "verify", s(&vb), "--status-list", s(&lb)]).output().unwrap();
    let report: Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(check(&report, "trust")["result"], "not_checked", "{report}");
    // The text form for people.
    let text = desk.home.cmd().args(["community", "show", "Photo club"]).output().unwrap();
    let text = String::from_utf8_lossy(&text.stdout);
    assert!(text.contains("humanity_issued") && text.contains("does not count"), "{text}");
}

#[test]
fn only_moderators_of_this_wallet_run_the_desk() {
    let dir = tempfile::tempdir().unwrap();
    let desk = Person::new();
    let other = desk.json(&["did", "new", "--method", "key"])["did"].as_str().unwrap().to_owned();
    let made = desk.json(&["community", "new", "Choir", "--as", &desk.did, "--moderator-approvals", "2"]);
    let id = made["community"]["id"].as_str().unwrap().to_owned();
    // An identity of this wallet that is not a moderator cannot admit or ban.
    let a = Person::new();
    let req = request(&desk, &a, &id, &id, dir.path(), &[]);
    let (_, code, _) = desk.fail(&["community", "admit", s(&req), "--community", &id, "--as", &other]);
    assert_eq!(code, "not_moderator");
    // Nor can an identity that is not in this wallet at all.
    let (_, code, _) = desk.fail(&["community", "admit", s(&req), "--community", &id, "--as", &a.did]);
    assert_eq!(code, "not_in_wallet");
    // A rejected request spends its challenge: resending it is refused.
    let r = desk.json(&["community", "receive", s(&req), "--community", &id]);
    let rid = r["id"].as_str().unwrap();
    let rejected = desk.json(&["community", "reject", rid, "--reason", "unknown to us"]);
    assert_eq!(rejected["state"], "rejected");
    assert_eq!(desk.fail(&["community", "admit", rid, "--as", &desk.did]).1, "request_decided");
    // The last moderator cannot leave; a moderator cannot ban themselves; 2 approvals needed.
    assert_eq!(desk.fail(&["community", "leave", &id, "--member", &desk.did]).1, "last_moderator");
    let (_, code, _) =
        desk.fail(&["community", "ban", &desk.did, "--community", &id, "--as", &desk.did, "--reason", "x"]);
    assert_eq!(code, "self_ban");
    let req = request(&desk, &a, &id, &id, dir.path(), &[]);
    desk.json(&["community", "admit", s(&req), "--community", "Choir", "--as", &desk.did]);
    let approval = dir.path().join("approval.json");
    desk.json(&["community", "approve", "--as", &desk.did, "--community", &id, "--for", &a.did, "--out", s(&approval)]);
    let (_, code, msg) = desk.fail(&[
        "community",
        "moderator",
        "add",
        &a.did,
        "--community",
        &id,
        "--approval",
        s(&approval),
        "--as",
        &desk.did,
    ]);
    assert_eq!(code, "not_enough_approvals", "{msg}");
    assert!(msg.contains("needs approvals from 2 current moderators, has 1"), "{msg}");
    // Admitting straight in as a moderator is refused; moderators need approvals.
    let req = request(&desk, &Person::new(), &id, &id, dir.path(), &[]);
    let (_, code, _) =
        desk.fail(&["community", "admit", s(&req), "--community", &id, "--as", &desk.did, "--role", "moderator"]);
    assert_eq!(code, "moderator_needs_approvals");
    assert_eq!(desk.fail(&["community", "show", "urn:uuid:nope"]).1, "no_such_community");
}
