//! `hallmark devnet`, `network` and `attest` through the real binary, on a real local chain:
//! anvil with the real EAS contracts (npm packages pinned in `tests/eas`, installed by
//! `scripts/setup`). Pictures are generated here and signed with `hallmark sign`.
//!
//! The devnet tests are skipped (with a notice) when `tests/eas/node_modules` is missing, unless
//! HALLMARK_TEST_REQUIRE_INTEROP=1. The bad-input test needs no chain and always runs.

mod common;

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::Child;
use std::time::{Duration, Instant};

use common::*;
use serde_json::{json, Value};

/// `count` pictures signed by `did`, in `dir/signed`; returns their paths.
fn signed_pictures(home: &Home, did: &str, dir: &Path, first_seed: u64, count: u64) -> Vec<PathBuf> {
    let src = dir.join(format!("originals{first_seed}"));
    std::fs::create_dir_all(&src).unwrap();
    let mut inputs = Vec::new();
    for seed in first_seed..first_seed + count {
        let p = src.join(format!("photo{seed}.jpg"));
        std::fs::write(&p, hallmark_testmedia::jpeg(seed, 320, 240, 85)).unwrap();
        inputs.push(p);
    }
    let out = dir.join("signed");
    let mut args = vec!["sign".to_string()];
    args.extend(inputs.iter().map(|p| s(p).to_string()));
    args.extend(["--as".into(), did.into(), "--out".into(), s(&out).into()]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let report = home.json(&args);
    assert_eq!(report["signed"].as_array().unwrap().len() as u64, count, "{report}");
    inputs.iter().map(|p| out.join(p.file_name().unwrap())).collect()
}

/// Runs `hallmark ARGS` (text); returns (exit code, stdout, stderr).
fn run_text(home: &Home, args: &[&str]) -> (i32, String, String) {
    let out = home.cmd_pass().args(args).output().unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).to_string(),
        String::from_utf8_lossy(&out.stderr).to_string(),
    )
}

/// One JSON-RPC call to the devnet over plain HTTP; returns its `result`.
fn rpc(url: &str, method: &str, params: Value) -> Value {
    let addr = url.strip_prefix("http://").unwrap().trim_end_matches('/');
    let body = json!({"jsonrpc": "2.0", "id": 1, "method": method, "params": params}).to_string();
    let mut stream = TcpStream::connect(addr).unwrap();
    stream.set_read_timeout(Some(Duration::from_secs(30))).unwrap();
    write!(
        stream,
        "POST / HTTP/1.1\r\nHost: {addr}\r\nContent-Type: application/json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    let head_end = response.find("\r\n\r\n").expect("an HTTP response") + 4;
    let rest = &response[head_end..];
    // The body is JSON, possibly inside chunked framing: take the outermost object.
    let json_text = &rest[rest.find('{').unwrap()..=rest.rfind('}').unwrap()];
    let v: Value = serde_json::from_str(json_text).unwrap();
    assert!(v.get("error").is_none(), "{method} failed: {v}");
    v["result"].clone()
}

/// The rows of `attest list`.
fn rows(home: &Home) -> Vec<Value> {
    home.json(&["attest", "list"])["attestations"].as_array().unwrap().clone()
}

fn row_of<'a>(rows: &'a [Value], uid: &str) -> &'a Value {
    rows.iter().find(|r| r["uid"] == uid && r["kind"] == "attest").unwrap_or_else(|| panic!("no row {uid}"))
}

#[test]
fn devnet_flow_attest_dedup_lookup_verify_revoke_and_offchain() {
    if !devnet_available() {
        return;
    }
    let (home, did) = wallet_with_identity();
    let media = tempfile::tempdir().unwrap();
    let files = signed_pictures(&home, &did, media.path(), 1, 3);
    let paths: Vec<&str> = files.iter().map(|p| s(p)).collect();

    let started = home.json(&["devnet", "start"]);
    let _guard = DevnetGuard(home.path.clone());
    let address = home.json(&["status"])["ethereum_address"].as_str().unwrap().to_string();
    assert_eq!(started["funded"], json!([address]), "{started}");
    assert_eq!(started["chain_id"], 31337);
    assert!(started["rpc_url"].as_str().unwrap().starts_with("http://127.0.0.1:"));
    assert!(home.json(&["devnet", "status"])["running"].as_bool().unwrap());
    let nets = home.json(&["network", "list"]);
    assert!(nets["networks"].as_array().unwrap().iter().any(|n| n["name"] == "devnet" && n["eas"] == started["eas"]));

    // The default network, then three files: one multiAttest transaction.
    home.json(&["network", "use", "devnet"]);
    assert_eq!(home.json(&["network", "list"])["default"], "devnet");
    let mut args = vec!["attest", "content"];
    args.extend(&paths);
    let (code, report, stderr) = run_with_pass(&home, &args);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(report["network"], "devnet");
    assert_eq!(report["queued"].as_array().unwrap().len(), 3, "{report}");
    assert_eq!(report["existing"], json!([]));
    let items = report["items"].as_array().unwrap();
    assert_eq!(items.len(), 3);
    let tx = items[0]["tx_hash"].as_str().unwrap().to_string();
    for (item, file) in items.iter().zip(&files) {
        assert_eq!(item["state"], "confirmed", "{item}");
        assert_eq!(item["tx_hash"], tx.as_str(), "all three in one transaction");
        assert_eq!(item["block_number"], items[0]["block_number"]);
        assert_eq!(item["label"], file.file_name().unwrap().to_str().unwrap());
        assert_eq!(item["uid"].as_str().unwrap().len(), 66);
    }
    let uids: Vec<String> = items.iter().map(|i| i["uid"].as_str().unwrap().to_string()).collect();
    assert!(uids[0] != uids[1] && uids[1] != uids[2] && uids[0] != uids[2]);

    // The same again: already attested, nothing new.
    let (code, again, _) = run_with_pass(&home, &args);
    assert_eq!(code, 0);
    assert_eq!(again["queued"], json!([]), "{again}");
    assert_eq!(again["existing"].as_array().unwrap().len(), 3);
    let again_uids: Vec<&str> = again["items"].as_array().unwrap().iter().map(|i| i["uid"].as_str().unwrap()).collect();
    assert_eq!(again_uids, uids.iter().map(String::as_str).collect::<Vec<_>>());
    let (code, text, _) = run_text(&home, &["attest", "content", paths[0]]);
    assert_eq!(code, 0);
    assert!(text.contains("already attested on devnet") && text.contains(&uids[0]), "{text}");
    assert_eq!(rows(&home).len(), 3, "nothing new was queued");

    // Lookup by file and by hash: on chain and in the wallet.
    let by_file = home.json(&["attest", "lookup", paths[0]]);
    assert_eq!(by_file["network"], "devnet");
    assert_eq!(by_file["chain_error"], Value::Null);
    let on_chain = by_file["on_chain"].as_array().unwrap();
    assert_eq!(on_chain.len(), 1, "{by_file}");
    assert_eq!(on_chain[0]["uid"], uids[0].as_str());
    assert_eq!(on_chain[0]["attester"].as_str().unwrap(), address, "checksummed, as in `status`");
    assert_eq!(on_chain[0]["data"]["signer_did"], did.as_str());
    assert_eq!(by_file["local"][0]["uid"], uids[0].as_str());
    let sha = by_file["sha256"].as_str().unwrap();
    let by_hash = home.json(&["attest", "lookup", sha, "--network", "devnet"]);
    assert_eq!(by_hash["on_chain"][0]["uid"], uids[0].as_str());
    assert_eq!(by_hash["local"][0]["uid"], uids[0].as_str());

    // `verify` shows the attestations: the wallet's, and the chain's with --network.
    let v = home.json(&["verify", paths[1], "--network", "devnet"]);
    assert_ne!(v["verdict"], "invalid", "{v}");
    assert_eq!(v["attestations"]["on_chain"][0]["uid"], uids[1].as_str(), "{v}");
    assert_eq!(v["attestations"]["local"][0]["uid"], uids[1].as_str());
    let (code, card, _) = run_text(&home, &["verify", paths[1], "--network", "devnet"]);
    assert_eq!(code, 0);
    assert!(card.contains("Attestations:") && card.contains(&uids[1]), "{card}");

    // Revoke one: on chain and in the list.
    let (code, revoked, stderr) = run_with_pass(&home, &["attest", "revoke", &uids[1]]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(revoked["items"][0]["kind"], "revoke");
    assert_eq!(revoked["items"][0]["state"], "confirmed", "{revoked}");
    let list = rows(&home);
    assert!(row_of(&list, &uids[1])["revoked_at"].is_string(), "{list:?}");
    assert!(row_of(&list, &uids[0])["revoked_at"].is_null());
    let (_, list_text, _) = run_text(&home, &["attest", "list"]);
    assert!(list_text.contains("REVOKED"), "{list_text}");
    let after = home.json(&["attest", "lookup", paths[1]]);
    assert_ne!(after["on_chain"][0]["revocation_time"], 0, "{after}");

    // Off chain: a JSON beside nothing else, that `attest verify` accepts; a changed copy is refused.
    let out = media.path().join("offchain");
    let (code, off, stderr) = run_with_pass(&home, &["attest", "content", paths[2], "--offchain", "--out", s(&out)]);
    assert_eq!(code, 0, "{stderr}");
    let path = PathBuf::from(off["items"][0]["path"].as_str().unwrap());
    assert_eq!(path, out.join(format!("{}.eas.json", files[2].file_name().unwrap().to_str().unwrap())));
    let uid = off["items"][0]["uid"].as_str().unwrap();
    let nobody = Home::new();
    let checked = nobody.json(&["attest", "verify", s(&path)]);
    assert_eq!(checked["valid"], true);
    assert_eq!(checked["uid"], uid);
    assert_eq!(checked["attester"].as_str().unwrap(), address, "checksummed, as in `status`");
    assert_eq!(checked["hallmark_schema"], "content");
    assert!(checked["description"].as_str().unwrap().contains(&did), "{checked}");
    assert_eq!(checked["data"]["content_sha256"], home.json(&["attest", "lookup", paths[2]])["sha256"]);
    assert_eq!(home.json(&["attest", "verify", s(&path), "--network", "devnet"])["by_this_wallet"], true);
    let mut tampered: Value = serde_json::from_slice(&std::fs::read(&path).unwrap()).unwrap();
    let time = tampered["sig"]["message"]["time"].as_u64().unwrap();
    tampered["sig"]["message"]["time"] = json!(time + 1);
    let bad = media.path().join("tampered.eas.json");
    std::fs::write(&bad, serde_json::to_vec(&tampered).unwrap()).unwrap();
    let (code, err, message) = run_fail(nobody.cmd(), &["attest", "verify", s(&bad)]);
    assert_eq!((code, err.as_str()), (24, "invalid_offchain_attestation"), "{message}");
    assert!(message.contains("altered"), "{message}");

    let status = home.json(&["attest", "status"]);
    assert_eq!(status["counts"], json!({"queued": 0, "sent": 0, "confirmed": 4, "failed": 0, "signed": 1}));
    assert_eq!(status["pending"], json!([]));

    // Stopped: the default network is gone until it starts again.
    assert_eq!(home.json(&["devnet", "stop"])["stopped"], true);
    assert_eq!(home.json(&["devnet", "status"])["running"], false);
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "content", paths[0]]);
    assert_eq!((code, err.as_str()), (21, "devnet_not_running"), "{message}");
}

/// Starts `hallmark --json attest content FILES --network devnet` in the background.
fn spawn_attest(home: &Home, files: &[PathBuf]) -> Child {
    let mut args = vec!["attest", "content", "--network", "devnet"];
    args.extend(files.iter().map(|f| s(f)));
    spawn_hallmark(home, &args)
}

#[test]
fn a_command_killed_between_send_and_receipt_leaves_each_item_confirmed_exactly_once() {
    if !devnet_available() {
        return;
    }
    let (home, did) = wallet_with_identity();
    let media = tempfile::tempdir().unwrap();
    let files = signed_pictures(&home, &did, media.path(), 11, 4);
    let rpc_url = home.json(&["devnet", "start"])["rpc_url"].as_str().unwrap().to_string();
    let _guard = DevnetGuard(home.path.clone());

    // One attestation while blocks are mined at once: it registers the content schema (whose
    // registration, a transaction of its own, could not be mined below).
    let first = home.json(&["attest", "content", s(&files[3]), "--network", "devnet"]);
    assert_eq!(first["items"][0]["state"], "confirmed", "{first}");

    rpc(&rpc_url, "evm_setAutomine", json!([false]));
    let mut child = spawn_attest(&home, &files[..3]);
    let start = Instant::now();
    let sent = loop {
        if let Some(status) = child.try_wait().unwrap() {
            let out = child.wait_with_output().unwrap();
            panic!(
                "attest content ended ({status}) before its items were sent: {}",
                String::from_utf8_lossy(&out.stderr)
            );
        }
        let status = home.json(&["attest", "status"]);
        let pending = status["pending"].as_array().unwrap().clone();
        if pending.len() == 3 && pending.iter().all(|r| r["state"] == "sent") {
            assert_eq!(status["worker_running"], true, "{status}");
            break pending;
        }
        assert!(start.elapsed() < Duration::from_secs(120), "the items were never sent: {status}");
        std::thread::sleep(Duration::from_millis(100));
    };
    child.kill().unwrap(); // SIGKILL, with the transaction in the node's pool
    child.wait().unwrap();
    let tx = sent[0]["tx_hash"].as_str().unwrap().to_string();
    assert!(sent.iter().all(|r| r["tx_hash"] == tx.as_str()), "one transaction for the three: {sent:?}");

    // As if the transaction never reached the node: gone from its pool.
    rpc(&rpc_url, "anvil_dropAllTransactions", json!([]));
    assert_eq!(rpc(&rpc_url, "eth_getTransactionByHash", json!([tx])), Value::Null);
    rpc(&rpc_url, "evm_setAutomine", json!([true]));

    let (code, ran, stderr) = run_with_pass(&home, &["attest", "run"]);
    assert_eq!(code, 0, "{stderr}");
    let items = ran["items"].as_array().unwrap();
    assert_eq!(items.len(), 3, "{ran}");
    for item in items {
        assert_eq!(item["state"], "confirmed", "{item}");
        assert_eq!(item["tx_hash"], tx.as_str(), "the recorded transaction itself was sent again");
    }
    assert_eq!(home.json(&["attest", "status"])["pending"], json!([]));
    // Exactly one attestation of each file on chain, and it is the row's.
    let list = rows(&home);
    for file in &files[..3] {
        let found = home.json(&["attest", "lookup", s(file), "--network", "devnet"]);
        let on_chain = found["on_chain"].as_array().unwrap();
        assert_eq!(on_chain.len(), 1, "{}: {found}", file.display());
        let uid = on_chain[0]["uid"].as_str().unwrap();
        let row = row_of(&list, uid);
        assert_eq!(row["state"], "confirmed");
        assert_eq!(row["content_sha256"], found["sha256"]);
        assert_eq!(found["local"].as_array().unwrap().len(), 1);
    }
}

#[test]
fn an_account_without_funds_stops_the_wait_with_22_and_run_sends_it_once_funded() {
    if !devnet_available() {
        return;
    }
    let (home, did) = wallet_with_identity();
    let media = tempfile::tempdir().unwrap();
    let files = signed_pictures(&home, &did, media.path(), 21, 1);
    let rpc_url = home.json(&["devnet", "start"])["rpc_url"].as_str().unwrap().to_string();
    let _guard = DevnetGuard(home.path.clone());
    let address = home.json(&["status"])["ethereum_address"].as_str().unwrap().to_string();
    rpc(&rpc_url, "anvil_setBalance", json!([address, "0x0"]));

    let (code, report, stderr) = run_with_pass(&home, &["attest", "content", s(&files[0]), "--network", "devnet"]);
    assert_eq!(code, 22, "{report} {stderr}");
    assert_eq!(report["problem"]["code"], "insufficient_funds", "{report}");
    let item = &report["items"][0];
    assert!(item["state"] == "queued" || item["state"] == "sent", "{item}");
    assert_eq!(item["error_code"], "insufficient_funds");
    let (code, text, _) = run_text(&home, &["attest", "status"]);
    assert_eq!(code, 0);
    assert!(text.contains("not enough ETH") && text.contains("hallmark attest run"), "{text}");

    rpc(&rpc_url, "anvil_setBalance", json!([address, "0x56BC75E2D63100000"]));
    let (code, ran, stderr) = run_with_pass(&home, &["attest", "run"]);
    assert_eq!(code, 0, "{stderr}");
    assert_eq!(ran["items"][0]["state"], "confirmed", "{ran}");
    let found = home.json(&["attest", "lookup", s(&files[0]), "--network", "devnet"]);
    assert_eq!(found["on_chain"].as_array().unwrap().len(), 1, "{found}");
}

#[test]
fn bad_input_is_refused_clearly_with_its_exit_code_and_nothing_is_queued() {
    let (home, did) = wallet_with_identity();
    let media = tempfile::tempdir().unwrap();
    let signed = signed_pictures(&home, &did, media.path(), 31, 1).remove(0);
    let unsigned = media.path().join("unsigned.jpg");
    std::fs::write(&unsigned, hallmark_testmedia::jpeg(99, 160, 120, 85)).unwrap();

    // No network chosen: the names are listed.
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "content", s(&signed)]);
    assert_eq!((code, err.as_str()), (2, "no_network"), "{message}");
    assert!(message.contains("--network") && message.contains("sepolia") && message.contains("devnet"), "{message}");
    // An unknown network; the devnet, not running.
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "content", s(&signed), "--network", "nowhere"]);
    assert_eq!((code, err.as_str()), (21, "unknown_network"), "{message}");
    assert!(message.contains("nowhere"), "{message}");
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "content", s(&signed), "--network", "devnet"]);
    assert_eq!((code, err.as_str()), (21, "devnet_not_running"), "{message}");
    assert!(message.contains("hallmark devnet start"), "{message}");
    let (code, err, _) = run_fail(home.cmd_pass(), &["network", "use", "nowhere"]);
    assert_eq!((code, err.as_str()), (21, "unknown_network"));
    // A file without content credentials, alone or among signed ones (checked before any network use).
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "content", s(&unsigned), "--network", "sepolia"]);
    assert_eq!((code, err.as_str()), (18, "no_manifest"), "{message}");
    assert!(message.contains("unsigned.jpg") && message.contains("nothing was queued"), "{message}");
    let (code, err, message) =
        run_fail(home.cmd_pass(), &["attest", "content", s(&signed), s(&unsigned), "--network", "sepolia"]);
    assert_eq!((code, err.as_str()), (18, "no_manifest"), "{message}");
    assert!(message.contains("unsigned.jpg") && !message.contains(s(&signed)), "{message}");
    // A node that does not answer: refused before queueing.
    let added = home.json(&[
        "network",
        "add",
        "dead",
        "--rpc",
        "http://127.0.0.1:9",
        "--chain-id",
        "5",
        "--eas",
        "0x1111111111111111111111111111111111111111",
        "--registry",
        "0x2222222222222222222222222222222222222222",
    ]);
    assert_eq!(added["source"], "user");
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "content", s(&signed), "--network", "dead"]);
    assert_eq!((code, err.as_str()), (20, "rpc_unreachable"), "{message}");
    assert!(message.contains("127.0.0.1:9"), "{message}");
    let (code, err, _) = run_fail(
        home.cmd_pass(),
        &[
            "network",
            "add",
            "bad",
            "--rpc",
            "https://x.example",
            "--chain-id",
            "5",
            "--eas",
            "0x12",
            "--registry",
            "0x34",
        ],
    );
    assert_eq!((code, err.as_str()), (1, "invalid_input"));
    // A bad UID.
    let (code, err, message) = run_fail(home.cmd_pass(), &["attest", "revoke", "0x1234", "--network", "dead"]);
    assert_eq!((code, err.as_str()), (2, "usage"), "{message}");
    assert!(message.contains("64 hex digits"), "{message}");
    // Malformed off-chain attestations; no wallet needed to check one.
    let nobody = Home::new();
    let not_json = media.path().join("broken.eas.json");
    std::fs::write(&not_json, "{\"sig\": ").unwrap();
    let (code, err, message) = run_fail(nobody.cmd(), &["attest", "verify", s(&not_json)]);
    assert_eq!((code, err.as_str()), (24, "invalid_offchain_attestation"), "{message}");
    assert!(message.contains("not JSON"), "{message}");
    let empty = media.path().join("empty.eas.json");
    std::fs::write(&empty, "{\"sig\": {\"version\": 2}}").unwrap();
    let (code, err, message) = run_fail(nobody.cmd(), &["attest", "verify", s(&empty)]);
    assert_eq!((code, err.as_str()), (24, "invalid_offchain_attestation"), "{message}");
    assert!(message.contains("missing"), "{message}");
    let (code, err, _) = run_fail(nobody.cmd(), &["attest", "verify", s(&media.path().join("none.json"))]);
    assert_eq!((code, err.as_str()), (1, "input_not_found"));
    assert!(!nobody.path.exists(), "checking created a data folder");
    // Unknown list numbers.
    let (code, err, _) = run_fail(home.cmd_pass(), &["attest", "retry", "42"]);
    assert_eq!((code, err.as_str()), (1, "no_such_attestation"));

    // Nothing was queued by any of these.
    assert_eq!(rows(&home), Vec::<Value>::new());
    let status = home.json(&["attest", "status"]);
    assert_eq!(status["counts"], json!({"queued": 0, "sent": 0, "confirmed": 0, "failed": 0, "signed": 0}));

    // Queued without waiting (offline is fine), then cancelled; a queued item cannot be retried.
    let queued = home.json(&["attest", "content", s(&signed), "--network", "dead", "--no-wait"]);
    assert_eq!(queued["waited"], false);
    let id = queued["items"][0]["id"].as_i64().unwrap().to_string();
    assert_eq!(queued["items"][0]["state"], "queued");
    assert_eq!(home.json(&["attest", "status"])["pending"][0]["id"].to_string(), id);
    let (code, err, _) = run_fail(home.cmd_pass(), &["attest", "retry", &id]);
    assert_eq!((code, err.as_str()), (1, "not_retryable"));
    home.json(&["attest", "cancel", &id]);
    assert_eq!(rows(&home), Vec::<Value>::new());
    // The network is removed; the devnet stops only when it runs.
    home.json(&["network", "remove", "dead"]);
    assert_eq!(home.json(&["devnet", "stop"])["stopped"], false);
}
