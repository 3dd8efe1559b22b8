//! After init and after every command (with verbose logging on), no file in the data folder
//! and no log output holds the phrase, any run of three consecutive phrase words, the seed,
//! the passphrase, or any private key — in raw bytes, hex or base64.

mod common;

use base64::Engine;
use common::*;

struct Secrets {
    words: Vec<String>,
    needles: Vec<(String, Vec<u8>)>,
}

impl Secrets {
    fn new(phrase: &str, passphrases: &[&str], ed25519_indices: u32, secp_indices: u32) -> Secrets {
        let words: Vec<String> = phrase.split_whitespace().map(str::to_string).collect();
        let seed = bip39::Mnemonic::parse(phrase).unwrap().to_seed("");
        let mut keys: Vec<(String, Vec<u8>)> = vec![("seed".into(), seed.to_vec())];
        for i in 0..ed25519_indices {
            let k = slip10_ed25519::derive_ed25519_private_key(&seed, &[44, 7337, 0, 0, i]);
            keys.push((format!("ed25519 key {i}"), k.to_vec()));
        }
        for i in 0..secp_indices {
            let k = hallmark_core::keys::ethereum_key(&seed, i).unwrap();
            keys.push((format!("secp256k1 key {i}"), k.secret_bytes().to_vec()));
        }
        let mut needles = Vec::new();
        for (name, bytes) in keys {
            let b64 = base64::engine::general_purpose::STANDARD.encode(&bytes);
            let b64url = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(&bytes);
            needles.push((format!("{name} (hex)"), hex::encode(&bytes).into_bytes()));
            needles.push((format!("{name} (HEX)"), hex::encode_upper(&bytes).into_bytes()));
            // A base64 prefix of 40 chars covers 30 bytes: enough to find any encoding of the key.
            needles.push((format!("{name} (base64)"), b64.as_bytes()[..40].to_vec()));
            needles.push((format!("{name} (base64url)"), b64url.as_bytes()[..40].to_vec()));
            needles.push((format!("{name} (raw)"), bytes));
        }
        for p in passphrases {
            needles.push((format!("passphrase '{p}'"), p.as_bytes().to_vec()));
        }
        needles.push(("the whole phrase".into(), phrase.as_bytes().to_vec()));
        Secrets { words, needles }
    }

    /// Panics when `haystack` (named `what`) contains a secret.
    fn assert_absent(&self, what: &str, haystack: &[u8]) {
        for (name, needle) in &self.needles {
            assert!(!contains(haystack, needle), "{what} contains {name}");
        }
        // Any three consecutive phrase words, whatever separates them.
        let text = String::from_utf8_lossy(haystack).to_lowercase();
        let tokens: Vec<&str> = text.split(|c: char| !c.is_ascii_lowercase()).filter(|t| !t.is_empty()).collect();
        for w in self.words.windows(3) {
            assert!(
                !tokens.windows(3).any(|t| t[0] == w[0] && t[1] == w[1] && t[2] == w[2]),
                "{what} contains three consecutive phrase words"
            );
        }
    }
}

fn contains(haystack: &[u8], needle: &[u8]) -> bool {
    needle.len() <= haystack.len() && haystack.windows(needle.len()).any(|w| w == needle)
}

#[test]
fn no_secret_on_disk_or_in_logs() {
    let keyring = keyring_required();
    let home = Home::with_keyring(keyring);
    let mut logs: Vec<(String, Vec<u8>)> = Vec::new();
    let mut run = |cmd: &mut assert_cmd::Command, args: &[&str]| -> serde_json::Value {
        let out = cmd.args(["-vv", "--json"]).args(args).output().unwrap();
        assert!(out.status.success(), "{args:?}: {}", String::from_utf8_lossy(&out.stderr));
        logs.push((format!("stderr of {args:?}"), out.stderr.clone()));
        let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
        if args[0] != "init" {
            // Only `init --yes` without a terminal prints the phrase, on stdout, by design.
            logs.push((format!("stdout of {args:?}"), out.stdout));
        }
        v
    };
    let created = run(&mut home.cmd_pass(), &["init", "--yes"]);
    let phrase = created["recovery_phrase"].as_str().unwrap().to_string();
    let new_pass = "second passphrase here";

    let out_dir = tempfile::tempdir().unwrap();
    let doc = out_dir.path().join("did.json");
    run(&mut home.cmd_pass(), &["status"]);
    let me = run(&mut home.cmd_pass(), &["did", "new", "--method", "key", "--label", "Me"]);
    let me = me["did"].as_str().unwrap().to_string();
    let cred = out_dir.path().join("humanity.json");
    run(
        &mut home.cmd_pass(),
        &["cred", "issue", "--type", "humanity", "--as", &me, "--subject", &me, "--out", cred.to_str().unwrap()],
    );
    run(&mut home.cmd_pass(), &["cred", "verify", cred.to_str().unwrap()]);
    run(&mut home.cmd_pass(), &["did", "new", "--method", "jwk"]);
    run(&mut home.cmd_pass(), &["did", "new", "--method", "pkh"]);
    let web = run(&mut home.cmd_pass(), &["did", "new", "--method", "web", "--domain", "example.net"]);
    run(&mut home.cmd_pass(), &["did", "list"]);
    run(&mut home.cmd_pass(), &["did", "show", web["did"].as_str().unwrap()]);
    run(&mut home.cmd_pass(), &["did", "web-doc", web["did"].as_str().unwrap(), "--out", doc.to_str().unwrap()]);
    let listed = run(&mut home.cmd_pass(), &["did", "list"]);
    for id in listed.as_array().unwrap() {
        if !id["did"].as_str().unwrap().starts_with("did:web") {
            run(&mut home.cmd_pass(), &["did", "resolve", id["did"].as_str().unwrap()]);
        }
    }
    run(home.cmd_pass().env("HALLMARK_NEW_PASSPHRASE", new_pass), &["passphrase"]);
    run(&mut home.cmd(), &["lock"]);
    if keyring {
        run(home.cmd().env("HALLMARK_PASSPHRASE", new_pass), &["unlock"]);
        run(&mut home.cmd(), &["did", "new"]);
        run(&mut home.cmd(), &["lock"]);
    }
    let restored = Home::new();
    let out = restored.cmd_pass().args(["-vv", "--json", "restore"]).write_stdin(phrase.clone()).output().unwrap();
    assert!(out.status.success());
    logs.push(("restore output".into(), [out.stdout, out.stderr].concat()));

    let secrets = Secrets::new(&phrase, &[PASS, new_pass], 5, 2);
    let mut files = home.snapshot();
    files.extend(restored.snapshot());
    files.extend(common::snapshot(out_dir.path()));
    assert!(files.len() >= 3, "{:?}", files.keys());
    for (path, bytes) in &files {
        secrets.assert_absent(&path.display().to_string(), bytes);
    }
    assert!(
        logs.iter().any(|(_, l)| String::from_utf8_lossy(l).contains("identity created")),
        "verbose logging produced no logs"
    );
    for (what, bytes) in &logs {
        secrets.assert_absent(what, bytes);
    }
    // The check itself finds secrets where they are.
    let planted = format!("x {} y", phrase.split(' ').skip(5).take(3).collect::<Vec<_>>().join("\n"));
    assert!(std::panic::catch_unwind(|| secrets.assert_absent("planted", planted.as_bytes())).is_err());
}
