//! Bad input never loses or rewrites data: wrong passphrases, damaged or truncated files, data
//! from a newer Hallmark, and two processes writing at once.

mod common;

use std::path::Path;

use common::*;

fn wallet_with_identities() -> Home {
    let home = Home::new();
    home.init();
    home.json(&["did", "new", "--method", "key", "--label", "One"]);
    home.json(&["did", "new", "--method", "pkh"]);
    home
}

#[test]
fn wrong_passphrase_changes_no_file() {
    let home = wallet_with_identities();
    let before = home.snapshot();
    assert!(before.keys().any(|p| p.ends_with("vault.json")) && before.keys().any(|p| p.ends_with("hallmark.db")));
    let wrong = || {
        let mut c = home.cmd();
        c.env("HALLMARK_PASSPHRASE", "not the right one");
        c
    };
    for args in [&["did", "new"][..], &["did", "new", "--method", "web", "--domain", "example.org"], &["passphrase"]] {
        let (code, err, msg) = run_fail(wrong().env("HALLMARK_NEW_PASSPHRASE", "another passphrase"), args);
        assert_eq!((code, err.as_str()), (3, "wrong_passphrase"), "{args:?}: {msg}");
        assert!(msg.contains("wrong passphrase") && msg.contains("nothing was changed"), "{msg}");
        assert_eq!(home.snapshot(), before, "{args:?} changed a file");
    }
    // The right passphrase still works afterwards.
    assert_eq!(home.json(&["did", "list"]).as_array().unwrap().len(), 2);
}

fn assert_damaged(
    home: &Home,
    args: &[&str],
    expect_code: &str,
    before: &std::collections::BTreeMap<std::path::PathBuf, Vec<u8>>,
) {
    let (code, err, msg) = run_fail(home.cmd_pass(), args);
    assert_eq!((code, err.as_str()), (6, expect_code), "{args:?}: {msg}");
    assert!(msg.contains("upgrade Hallmark") || msg.contains("left untouched"), "{msg}");
    assert_eq!(&home.snapshot(), before, "{args:?} modified the damaged data");
}

fn overwrite(path: &Path, bytes: &[u8]) {
    std::fs::write(path, bytes).unwrap();
}

#[test]
fn damaged_vault_gives_a_clear_error_and_is_left_alone() {
    let home = wallet_with_identities();
    let vault = home.path.join("vault.json");
    let good = std::fs::read(&vault).unwrap();
    let text = String::from_utf8(good.clone()).unwrap();
    let mut v: serde_json::Value = serde_json::from_str(&text).unwrap();
    let truncated = good[..good.len() / 2].to_vec();
    let mut flipped = v.clone();
    let seed = flipped["seed"]["ciphertext"].as_str().map(str::to_string);
    let cases: Vec<(&str, Vec<u8>, &str)> = vec![
        ("truncated", truncated, "damaged_data"),
        ("empty", Vec::new(), "damaged_data"),
        ("not json", b"\x00\x01garbage".to_vec(), "damaged_data"),
        (
            "newer format",
            {
                v["version"] = serde_json::json!(99);
                serde_json::to_vec(&v).unwrap()
            },
            "data_too_new",
        ),
        (
            "weakened kdf",
            {
                let mut w: serde_json::Value = serde_json::from_str(&text).unwrap();
                w["kdf"]["m_cost_kib"] = serde_json::json!(8);
                serde_json::to_vec(&w).unwrap()
            },
            "damaged_data",
        ),
    ];
    for (what, bytes, code) in cases {
        overwrite(&vault, &bytes);
        let before = home.snapshot();
        for args in [&["status"][..], &["did", "list"], &["did", "new"], &["init", "--yes"]] {
            if args[0] == "init" {
                // A damaged vault is still a wallet: init refuses rather than overwrite it.
                let (_, err, _) = run_fail(home.cmd_pass(), args);
                assert_eq!(err, "wallet_exists", "{what}");
                assert_eq!(home.snapshot(), before);
            } else {
                assert_damaged(&home, args, code, &before);
            }
        }
    }
    // A tampered ciphertext: the passphrase no longer opens it, and nothing is rewritten.
    if let Some(ct) = seed {
        let mut chars: Vec<char> = ct.chars().collect();
        chars[4] = if chars[4] == 'A' { 'B' } else { 'A' };
        flipped["seed"]["ciphertext"] = serde_json::json!(chars.into_iter().collect::<String>());
        overwrite(&vault, &serde_json::to_vec(&flipped).unwrap());
        let before = home.snapshot();
        let (code, _, _) = run_fail(home.cmd_pass(), &["did", "new"]);
        assert_ne!(code, 0);
        assert_eq!(home.snapshot(), before);
    }
    overwrite(&vault, &good);
    assert_eq!(home.json(&["did", "list"]).as_array().unwrap().len(), 2);
}

#[test]
fn damaged_database_gives_a_clear_error_and_is_left_alone() {
    let home = wallet_with_identities();
    let db = home.path.join("hallmark.db");
    let good = std::fs::read(&db).unwrap();
    let mut garbage = b"SQLite format 3\0".to_vec();
    garbage.extend(std::iter::repeat_n(0xA5u8, 8192));
    for (what, bytes) in [
        ("truncated", good[..good.len() / 3].to_vec()),
        ("garbage", garbage),
        ("text", b"hello, not a database".to_vec()),
    ] {
        overwrite(&db, &bytes);
        let before = home.snapshot();
        for args in [&["status"][..], &["did", "list"], &["did", "new"]] {
            let (code, err, msg) = run_fail(home.cmd_pass(), args);
            assert_eq!((code, err.as_str()), (6, "damaged_data"), "{what} {args:?}: {msg}");
            assert!(msg.contains("hallmark.db"), "{msg}");
            assert_eq!(home.snapshot(), before, "{what} {args:?} modified files");
        }
    }
    overwrite(&db, &good);
    // A database from a newer Hallmark.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.pragma_update(None, "user_version", 99).unwrap();
    drop(conn);
    let before = home.snapshot();
    for args in [&["status"][..], &["did", "new"]] {
        assert_damaged(&home, args, "data_too_new", &before);
    }
}

#[test]
fn two_processes_creating_identities_at_once() {
    let home = Home::new();
    home.init();
    const PER_WORKER: usize = 4;
    let workers: Vec<_> = (0..2)
        .map(|w| {
            let path = home.path.clone();
            std::thread::spawn(move || {
                let mut dids = Vec::new();
                for i in 0..PER_WORKER {
                    let method = if i % 2 == 0 { "key" } else { "jwk" };
                    let out = assert_cmd::Command::cargo_bin("hallmark")
                        .unwrap()
                        .env("HALLMARK_HOME", &path)
                        .env("HALLMARK_KEYRING", "none")
                        .env("HALLMARK_PASSPHRASE", PASS)
                        .args(["--json", "did", "new", "--method", method, "--label", &format!("w{w}-{i}")])
                        .output()
                        .unwrap();
                    assert!(out.status.success(), "worker {w}: {}", String::from_utf8_lossy(&out.stderr));
                    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
                    dids.push(v["did"].as_str().unwrap().to_string());
                }
                dids
            })
        })
        .collect();
    let mut all: Vec<String> = workers.into_iter().flat_map(|h| h.join().unwrap()).collect();
    assert_eq!(all.len(), 2 * PER_WORKER);
    let listed = home.json(&["did", "list"]);
    let mut indices: Vec<u64> = listed.as_array().unwrap().iter().map(|i| i["key_index"].as_u64().unwrap()).collect();
    indices.sort_unstable();
    assert_eq!(indices, (0..(2 * PER_WORKER) as u64).collect::<Vec<_>>(), "every key index used exactly once");
    all.sort();
    all.dedup();
    assert_eq!(all.len(), 2 * PER_WORKER, "duplicate DIDs");
    let conn = rusqlite::Connection::open(home.path.join("hallmark.db")).unwrap();
    let check: String = conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).unwrap();
    assert_eq!(check, "ok");
    let fk: i64 = conn.query_row("SELECT count(*) FROM pragma_foreign_key_check", [], |r| r.get(0)).unwrap();
    assert_eq!(fk, 0);
}

#[test]
fn data_folder_and_vault_are_private() {
    use std::os::unix::fs::PermissionsExt;
    let home = wallet_with_identities();
    let mode = |p: &Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
    assert_eq!(mode(&home.path), 0o700);
    assert_eq!(mode(&home.path.join("vault.json")), 0o600);
    assert_eq!(mode(&home.path.join("hallmark.db")) & 0o077, 0, "the database must not be readable by others");
}
