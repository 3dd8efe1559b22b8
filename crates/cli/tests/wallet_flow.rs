//! The main journeys through the real binary: init → identities of every method → list, show,
//! resolve → lock/unlock/passphrase, with the OS keyring and passphrase-only; restore on a fresh
//! home gives the same identities.

mod common;

use common::*;
use serde_json::Value;

/// Creates one identity of every method and returns their DIDs in order.
fn make_identities(home: &Home, mut cmd: impl FnMut() -> assert_cmd::Command) -> Vec<String> {
    let mut dids = Vec::new();
    for args in [
        vec!["did", "new", "--method", "key", "--label", "Photographer"],
        vec!["did", "new", "--method", "jwk"],
        vec!["did", "new", "--method", "pkh", "--label", "Ethereum"],
        vec!["did", "new", "--method", "web", "--domain", "example.com/users/alice"],
    ] {
        let id = run_json(cmd(), &args);
        dids.push(id["did"].as_str().unwrap().to_string());
    }
    let _ = home;
    dids
}

fn check_listing_and_documents(home: &Home, dids: &[String]) {
    // Listing and showing need no secret at all.
    let list = run_json(home.cmd(), &["did", "list"]);
    let listed: Vec<&str> = list.as_array().unwrap().iter().map(|i| i["did"].as_str().unwrap()).collect();
    assert_eq!(listed, dids.iter().map(String::as_str).collect::<Vec<_>>());
    assert_eq!(list[0]["label"], "Photographer");
    assert_eq!(list[0]["derivation_path"], "m/44'/7337'/0'/0'/0'");
    assert_eq!(list[1]["derivation_path"], "m/44'/7337'/0'/0'/1'");
    assert_eq!(list[2]["derivation_path"], "m/44'/60'/0'/0/0");
    assert_eq!(list[3]["did"], "did:web:example.com:users:alice");

    for did in dids {
        let shown = run_json(home.cmd(), &["did", "show", did]);
        assert_eq!(shown["identity"]["did"], did.as_str());
        assert_eq!(shown["document"]["id"], did.as_str(), "{shown}");
        if !did.starts_with("did:web:") {
            // Offline methods resolve to the same document that `show` gives.
            let resolved = run_json(home.cmd(), &["did", "resolve", did]);
            assert_eq!(resolved["document"], shown["document"]);
        }
    }
    // The did:web document carries the identity's Ed25519 key as a Multikey.
    let web = run_json(home.cmd(), &["did", "show", &dids[3]]);
    assert_eq!(web["document"]["verificationMethod"][0]["type"], "Multikey");
    let mb = web["document"]["verificationMethod"][0]["publicKeyMultibase"].as_str().unwrap();
    assert!(mb.starts_with("z6Mk"), "{mb}");
}

#[test]
fn passphrase_only_wallet_full_flow() {
    let home = Home::new();
    let created = home.init();
    assert_eq!(created["keyring"], "disabled");
    let phrase = created["recovery_phrase"].as_str().unwrap().to_string();
    assert_eq!(phrase.split_whitespace().count(), 24);

    // Every identity-creating command needs the passphrase: without one, exit 5.
    let (code, err, _) = run_fail(home.cmd(), &["did", "new", "--method", "key"]);
    assert_eq!((code, err.as_str()), (5, "need_passphrase"));

    // The passphrase can also come from a file (first line only).
    let pass_file = home.dir.path().join("pass.txt");
    std::fs::write(&pass_file, format!("{PASS}\nignored second line\n")).unwrap();
    let pf = pass_file.to_str().unwrap().to_string();
    let dids = make_identities(&home, || {
        let mut c = home.cmd();
        c.args(["--passphrase-file", &pf]);
        c
    });
    check_listing_and_documents(&home, &dids);

    let status = run_json(home.cmd(), &["status"]);
    assert_eq!(status["identities"], 4);
    assert_eq!(status["keyring"], "disabled");
    assert_eq!(status["schema_version"], hallmark_core::store::SCHEMA_VERSION);

    // unlock cannot keep the key when the keyring is off.
    let (code, err, _) = run_fail(home.cmd_pass(), &["unlock"]);
    assert_eq!((code, err.as_str()), (1, "keyring_disabled"));

    // Change the passphrase: the old one stops working, the new one works.
    let changed = run_json(home.cmd_pass().env("HALLMARK_NEW_PASSPHRASE", "a brand new passphrase"), &["passphrase"]);
    assert_eq!(changed["changed"], true);
    let (code, err, _) = run_fail(home.cmd_pass(), &["did", "new"]);
    assert_eq!((code, err.as_str()), (3, "wrong_passphrase"));
    let id = run_json(home.cmd().env("HALLMARK_PASSPHRASE", "a brand new passphrase"), &["did", "new"]);
    assert_eq!(id["derivation_path"], "m/44'/7337'/0'/0'/3'");

    // A too-short new passphrase is refused and the old one still works.
    let (code, err, _) = run_fail(
        home.cmd().env("HALLMARK_PASSPHRASE", "a brand new passphrase").env("HALLMARK_NEW_PASSPHRASE", "short"),
        &["passphrase"],
    );
    assert_eq!((code, err.as_str()), (1, "weak_passphrase"));
    run_json(home.cmd().env("HALLMARK_PASSPHRASE", "a brand new passphrase"), &["status"]);

    // Restore on a fresh home, with another passphrase: the same identities, in the same order.
    let other = Home::new();
    let restored = other.restore(&phrase);
    assert_eq!(restored["ethereum_address"], created["ethereum_address"]);
    assert!(restored.get("recovery_phrase").is_none(), "restore must not echo the phrase");
    let again = make_identities(&other, || other.cmd_pass());
    assert_eq!(again, dids);
}

#[test]
fn os_keyring_wallet_full_flow() {
    let home = Home::with_keyring(true);
    let created = home.init();
    if created["keyring"] != "unlocked" {
        assert!(!keyring_required(), "the OS keyring was required but not used: {created}");
        eprintln!(
            "SKIPPED: no OS keyring here ({}); scripts/test runs this with gnome-keyring",
            created["keyring_note"]
        );
        return;
    }
    let phrase = created["recovery_phrase"].as_str().unwrap().to_string();

    // The keyring opens the wallet: no passphrase anywhere.
    let dids = make_identities(&home, || home.cmd());
    check_listing_and_documents(&home, &dids);
    assert_eq!(run_json(home.cmd(), &["status"])["keyring"], "unlocked");

    // Lock: the keyring forgets the key; now the passphrase is needed.
    let locked = run_json(home.cmd(), &["lock"]);
    assert_eq!(locked["removed_from_keyring"], true);
    assert_eq!(run_json(home.cmd(), &["status"])["keyring"], "locked");
    let (code, err, _) = run_fail(home.cmd(), &["did", "new"]);
    assert_eq!((code, err.as_str()), (5, "need_passphrase"));
    let (code, err, _) = run_fail(home.cmd().env("HALLMARK_PASSPHRASE", "not the passphrase"), &["unlock"]);
    assert_eq!((code, err.as_str()), (3, "wrong_passphrase"));
    assert_eq!(run_json(home.cmd(), &["status"])["keyring"], "locked");
    // A passphrase still opens it while locked.
    run_json(home.cmd_pass(), &["did", "new", "--method", "jwk"]);

    // Unlock puts it back.
    assert_eq!(run_json(home.cmd_pass(), &["unlock"])["changed"], true);
    assert_eq!(run_json(home.cmd(), &["status"])["keyring"], "unlocked");
    run_json(home.cmd(), &["did", "new", "--method", "key"]);
    assert_eq!(run_json(home.cmd(), &["unlock"])["changed"], false);

    // Restore on a fresh home (keyring too): same DIDs and address.
    let other = Home::with_keyring(true);
    let restored = other.restore(&phrase);
    assert_eq!(restored["keyring"], "unlocked");
    assert_eq!(restored["ethereum_address"], created["ethereum_address"]);
    assert_ne!(
        restored["wallet_id"], created["wallet_id"],
        "a restored wallet is a new wallet with its own keyring entry"
    );
    let again = make_identities(&other, || other.cmd());
    assert_eq!(again, dids);

    // Clean the test keyring.
    run_json(home.cmd(), &["lock"]);
    run_json(other.cmd(), &["lock"]);
}

#[test]
fn restore_known_phrase_matches_independent_derivation() {
    let home = Home::new();
    let restored = home.restore(JUNK);
    assert_eq!(restored["ethereum_address"], "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    let pkh = home.json(&["did", "new", "--method", "pkh"]);
    assert_eq!(pkh["did"], "did:pkh:eip155:1:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
    assert_eq!(pkh["address"], "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");

    // The Ed25519 keys are SLIP-10 derivations at m/44'/7337'/0'/0'/i', computed here with
    // independent crates (bip39 + slip10_ed25519).
    let seed = bip39::Mnemonic::parse(JUNK).unwrap().to_seed("");
    for i in 0..3u32 {
        let id = home.json(&["did", "new", "--method", "key"]);
        let secret = slip10_ed25519::derive_ed25519_private_key(&seed, &[44, 7337, 0, 0, i]);
        let public = ed25519_public_from_secret(&secret);
        assert_eq!(id["public_key"], hex::encode(public), "index {i}");
        assert_eq!(id["key_index"], i);
    }
}

fn ed25519_public_from_secret(secret: &[u8; 32]) -> [u8; 32] {
    ed25519_dalek::SigningKey::from_bytes(secret).verifying_key().to_bytes()
}

#[test]
fn restore_names_the_bad_word_and_creates_nothing() {
    let home = Home::new();
    let mut words: Vec<&str> = JUNK.split(' ').collect();
    words[6] = "tesst";
    let (code, err, msg) = run_fail(home.cmd_pass().write_stdin(words.join(" ")), &["restore"]);
    assert_eq!((code, err.as_str()), (1, "invalid_phrase"));
    assert!(msg.contains("word 7 'tesst' is not in the BIP-39 word list"), "{msg}");
    assert!(msg.contains("did you mean 'test'"), "{msg}");

    let (_, err, msg) = run_fail(
        home.cmd_pass().write_stdin("test test test test test test test test test test test test"),
        &["restore"],
    );
    assert_eq!(err, "invalid_phrase");
    assert!(msg.contains("checksum"), "{msg}");
    let (_, _, msg) = run_fail(home.cmd_pass().write_stdin("test test test"), &["restore"]);
    assert!(msg.contains("this one has 3"), "{msg}");
    // Weak passphrase: refused before anything is written.
    let (_, err, _) = run_fail(home.cmd().env("HALLMARK_PASSPHRASE", "short").write_stdin(JUNK), &["restore"]);
    assert_eq!(err, "weak_passphrase");
    assert!(home.snapshot().is_empty(), "files were written: {:?}", home.snapshot().keys());
}

#[test]
fn init_refuses_without_terminal_and_never_overwrites() {
    let home = Home::new();
    // No terminal and no --yes: nowhere to show the phrase.
    let (code, err, _) = run_fail(home.cmd_pass(), &["init"]);
    assert_eq!((code, err.as_str()), (2, "usage"));
    // No passphrase: exit 5, nothing created.
    let (code, err, _) = run_fail(home.cmd(), &["init", "--yes"]);
    assert_eq!((code, err.as_str()), (5, "need_passphrase"));
    assert!(home.snapshot().is_empty());

    let first = home.init();
    let before = home.snapshot();
    for args in [&["init", "--yes"][..], &["restore"][..]] {
        let (code, err, _) = run_fail(home.cmd_pass().write_stdin(JUNK), args);
        assert_eq!((code, err.as_str()), (1, "wallet_exists"));
    }
    assert_eq!(home.snapshot(), before);
    assert_eq!(run_json(home.cmd(), &["status"])["wallet_id"], first["wallet_id"]);
}

#[test]
fn exit_codes_version_and_json_errors() {
    let home = Home::new();
    let (code, err, msg) = run_fail(home.cmd(), &["status"]);
    assert_eq!((code, err.as_str()), (4, "no_wallet"));
    assert!(msg.contains("hallmark init"), "{msg}");
    // Usage errors exit 2.
    let out = home.cmd().args(["did", "new", "--method", "nope"]).output().unwrap();
    assert_eq!(out.status.code(), Some(2));
    let out = home.cmd().arg("--version").output().unwrap();
    assert!(out.status.success());
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), format!("hallmark {}", env!("CARGO_PKG_VERSION")));
    // Bad DIDs.
    let (code, err, _) = run_fail(home.cmd(), &["did", "resolve", "not-a-did"]);
    assert_eq!((code, err.as_str()), (1, "invalid_did"));
    let (_, err, _) = run_fail(home.cmd(), &["did", "resolve", "did:example:123"]);
    assert_eq!(err, "unsupported_did_method");
    let (_, err, _) = run_fail(home.cmd(), &["did", "resolve", "did:key:zzz"]);
    assert_eq!(err, "invalid_did");
    // A bad keyring mode is a usage error.
    let (code, err, _) = run_fail(home.cmd().env("HALLMARK_KEYRING", "maybe"), &["status"]);
    assert_eq!((code, err.as_str()), (2, "bad_keyring_mode"));

    home.init();
    let (_, err, _) =
        run_fail(home.cmd(), &["did", "show", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp"]);
    assert_eq!(err, "not_in_wallet");
    let (code, err, _) = run_fail(home.cmd_pass(), &["did", "new", "--method", "web"]);
    assert_eq!((code, err.as_str()), (1, "invalid_domain"));
    let (_, err, _) = run_fail(home.cmd_pass(), &["did", "new", "--method", "key", "--domain", "example.com"]);
    assert_eq!(err, "usage");
    let key = home.json(&["did", "new"]);
    let (_, err, _) = run_fail(home.cmd(), &["did", "web-doc", key["did"].as_str().unwrap()]);
    assert_eq!(err, "usage");
    let listed: Value = run_json(home.cmd(), &["did", "list"]);
    assert_eq!(listed.as_array().unwrap().len(), 1);
}
