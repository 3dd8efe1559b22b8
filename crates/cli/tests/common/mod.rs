//! Shared helpers for the CLI integration tests: every test drives the real `hallmark` binary
//! against its own temporary HALLMARK_HOME.
#![allow(dead_code)]

use std::borrow::BorrowMut;
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use assert_cmd::Command;
use serde_json::Value;

/// A passphrase used by the tests.
pub const PASS: &str = "correct horse battery";

/// The well-known Hardhat/Anvil test phrase.
pub const JUNK: &str = "test test test test test test test test test test test junk";

/// The OS keyring is required (set by `scripts/test`, which starts gnome-keyring in a D-Bus session).
pub fn keyring_required() -> bool {
    std::env::var("HALLMARK_TEST_REQUIRE_KEYRING").is_ok_and(|v| v == "1")
}

/// A temporary data folder and how to run `hallmark` against it.
pub struct Home {
    /// Keeps the folder alive.
    pub dir: tempfile::TempDir,
    /// The data folder (not created until the first command).
    pub path: PathBuf,
    /// Whether commands may use the OS keyring.
    pub keyring: bool,
}

impl Home {
    /// A passphrase-only home (`HALLMARK_KEYRING=none`).
    pub fn new() -> Home {
        Home::with_keyring(false)
    }

    /// A home whose commands use the OS keyring when `keyring` is true.
    pub fn with_keyring(keyring: bool) -> Home {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("home");
        Home { dir, path, keyring }
    }

    /// `hallmark` with this home and no passphrase in the environment.
    pub fn cmd(&self) -> Command {
        let mut c = Command::cargo_bin("hallmark").unwrap();
        c.env("HALLMARK_HOME", &self.path)
            .env("HALLMARK_KEYRING", if self.keyring { "os" } else { "none" })
            .env_remove("HALLMARK_PASSPHRASE")
            .env_remove("HALLMARK_NEW_PASSPHRASE")
            .env_remove("RUST_LOG")
            .timeout(std::time::Duration::from_secs(120));
        c
    }

    /// `hallmark` with `PASS` in HALLMARK_PASSPHRASE.
    pub fn cmd_pass(&self) -> Command {
        let mut c = self.cmd();
        c.env("HALLMARK_PASSPHRASE", PASS);
        c
    }

    /// Runs `hallmark --json ARGS` with the passphrase and returns its JSON, asserting success.
    pub fn json(&self, args: &[&str]) -> Value {
        run_json(self.cmd_pass(), args)
    }

    /// Creates a wallet with `init --yes` and returns its JSON (including the phrase).
    pub fn init(&self) -> Value {
        self.json(&["init", "--yes"])
    }

    /// Restores the wallet from `phrase` (on stdin).
    pub fn restore(&self, phrase: &str) -> Value {
        let out = self.cmd_pass().args(["--json", "restore"]).write_stdin(phrase).output().unwrap();
        assert!(out.status.success(), "restore failed: {}", String::from_utf8_lossy(&out.stderr));
        serde_json::from_slice(&out.stdout).unwrap()
    }

    /// Every file under the data folder with its bytes.
    pub fn snapshot(&self) -> BTreeMap<PathBuf, Vec<u8>> {
        snapshot(&self.path)
    }
}

/// Runs `cmd --json ARGS`, asserts success, parses stdout.
pub fn run_json(mut cmd: impl BorrowMut<Command>, args: &[&str]) -> Value {
    let out = cmd.borrow_mut().arg("--json").args(args).output().unwrap();
    assert!(
        out.status.success(),
        "hallmark {args:?} failed ({:?}): {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout)
        .unwrap_or_else(|e| panic!("{args:?}: bad JSON ({e}): {}", String::from_utf8_lossy(&out.stdout)))
}

/// Runs a command expected to fail; returns (exit code, error code from the JSON error, message).
pub fn run_fail(mut cmd: impl BorrowMut<Command>, args: &[&str]) -> (i32, String, String) {
    let out = cmd.borrow_mut().arg("--json").args(args).output().unwrap();
    assert!(
        !out.status.success(),
        "hallmark {args:?} unexpectedly succeeded: {}",
        String::from_utf8_lossy(&out.stdout)
    );
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let line = stderr
        .lines()
        .rev()
        .find(|l| l.starts_with("{\"error\""))
        .unwrap_or_else(|| panic!("no JSON error in: {stderr}"));
    let v: Value = serde_json::from_str(line).unwrap();
    (
        out.status.code().unwrap_or(-1),
        v["error"]["code"].as_str().unwrap().to_string(),
        v["error"]["message"].as_str().unwrap().to_string(),
    )
}

/// Every regular file under `dir`, recursively, with its bytes.
pub fn snapshot(dir: &Path) -> BTreeMap<PathBuf, Vec<u8>> {
    let mut out = BTreeMap::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        let Ok(rd) = std::fs::read_dir(&d) else { continue };
        for e in rd {
            let p = e.unwrap().path();
            if p.is_dir() {
                stack.push(p);
            } else {
                out.insert(p.clone(), std::fs::read(&p).unwrap());
            }
        }
    }
    out
}

/// A path as `&str` for a command line.
pub fn s(p: &Path) -> &str {
    p.to_str().unwrap()
}

/// Whether anvil and the EAS contracts are installed (panics when they are required but missing).
pub fn devnet_available() -> bool {
    let required = std::env::var("HALLMARK_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    match hallmark_core::attest::devnet::Packages::locate(None) {
        Ok(_) => true,
        Err(e) if required => panic!("the devnet tests are required (HALLMARK_TEST_REQUIRE_INTEROP=1) but: {e}"),
        Err(e) => {
            eprintln!("SKIPPED: the devnet needs the npm packages of tests/eas: {e}");
            false
        }
    }
}

/// Stops the devnet of a data folder when the test ends, even on a panic.
pub struct DevnetGuard(pub PathBuf);

impl Drop for DevnetGuard {
    fn drop(&mut self) {
        let _ = hallmark_core::attest::devnet::stop(&self.0);
    }
}

/// A wallet with one did:key identity labelled Ana; returns the home and the DID.
pub fn wallet_with_identity() -> (Home, String) {
    let home = Home::new();
    home.init();
    let did = home.json(&["did", "new", "--method", "key", "--label", "Ana"])["did"].as_str().unwrap().to_owned();
    (home, did)
}

/// Runs `hallmark --json ARGS` with the passphrase; returns (exit code, stdout JSON, stderr).
pub fn run_with_pass(home: &Home, args: &[&str]) -> (i32, Value, String) {
    let out = home.cmd_pass().arg("--json").args(args).output().unwrap();
    let stderr = String::from_utf8_lossy(&out.stderr).to_string();
    let json = serde_json::from_slice(&out.stdout).unwrap_or(Value::Null);
    (out.status.code().unwrap_or(-1), json, stderr)
}

/// Starts `hallmark --json ARGS` in the background with the passphrase (for tests that interrupt
/// it: Ctrl-C, kill -9); stdout and stderr are piped.
pub fn spawn_hallmark(home: &Home, args: &[&str]) -> std::process::Child {
    std::process::Command::new(assert_cmd::cargo::cargo_bin("hallmark"))
        .arg("--json")
        .args(args)
        .env("HALLMARK_HOME", &home.path)
        .env("HALLMARK_KEYRING", "none")
        .env("HALLMARK_PASSPHRASE", PASS)
        .env_remove("RUST_LOG")
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap()
}

/// `count` distinct 1200×900 JPEGs in `dir/batch`: one encoded picture with a different JPEG
/// comment in each (encoding 40 pictures would take longer than signing them).
pub fn big_batch(dir: &Path, count: usize) -> PathBuf {
    let src = dir.join("batch");
    std::fs::create_dir_all(&src).unwrap();
    let base = hallmark_testmedia::jpeg(71, 1200, 900, 85);
    for i in 0..count {
        let comment = format!("frame {i}");
        let mut bytes = base[..2].to_vec(); // SOI
        bytes.extend_from_slice(&[0xFF, 0xFE]);
        bytes.extend_from_slice(&((comment.len() + 2) as u16).to_be_bytes());
        bytes.extend_from_slice(comment.as_bytes());
        bytes.extend_from_slice(&base[2..]);
        std::fs::write(src.join(format!("frame{i:02}.jpg")), bytes).unwrap();
    }
    src
}
