//! Attestations against a real chain: anvil (npm `@foundry-rs/anvil-linux-amd64`) with the real
//! EAS bytecode (npm `@ethereum-attestation-service/eas-contracts`), both pinned in `tests/eas`
//! and installed by `scripts/setup`; eas-sdk (same folder) checks Hallmark's results
//! independently through `tests/eas/check.cjs`.
//!
//! Skipped (with a notice) when `tests/eas/node_modules` is missing, unless
//! HALLMARK_TEST_REQUIRE_INTEROP=1. The dead-RPC test needs nothing and always runs.

mod common;

use std::path::Path;
use std::process::Command;
use std::time::{Duration, Instant};

use alloy::json_abi::JsonAbi;
use alloy::primitives::{Address, B256};
use alloy::providers::Provider;
use alloy::sol_types::{SolEvent, SolInterface};
use common::*;
use hallmark_core::attest::contracts::{ISchemaRegistry, IEAS};
use hallmark_core::attest::devnet::{self};
use hallmark_core::attest::eas::{self, AttestRequest};
use hallmark_core::attest::offchain::{self, OffchainDomain};
use hallmark_core::attest::schema::{self, AttestationData, HallmarkSchema};
use hallmark_core::attest::{connect, network, AttestError, Network, DEFAULT_RPC_TIMEOUT};
use serde_json::Value;

const DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

fn content(sha: u8, manifest: u8) -> AttestationData {
    AttestationData::Content {
        content_sha256: B256::repeat_byte(sha),
        manifest_hash: B256::repeat_byte(manifest),
        signer_did: DID.into(),
        media_type: "image/jpeg".into(),
    }
}

/// Runs `tests/eas/check.cjs` (eas-sdk + ethers) and parses its JSON answer.
fn eas_sdk(args: &[&str]) -> Value {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/eas");
    let out = Command::new("node").arg(dir.join("check.cjs")).args(args).output().expect("run node");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(out.status.success(), "check.cjs {args:?} failed: {stdout}\n{}", String::from_utf8_lossy(&out.stderr));
    serde_json::from_str(stdout.trim()).unwrap_or_else(|e| panic!("check.cjs {args:?}: not JSON ({e}): {stdout}"))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn devnet_attest_get_multi_revoke_lookup_offchain() {
    let Some(pkgs) = packages("the EAS devnet test") else { return };
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    let wallet = key(42);
    let me = address(&wallet);

    // Start: anvil answers on 127.0.0.1, the contracts are deployed, the wallet is funded.
    let state = devnet::start(&data, &pkgs, &[me]).await.unwrap();
    let _guard = DevnetGuard(data.clone());
    assert!(state.rpc_url.starts_with("http://127.0.0.1:"), "{}", state.rpc_url);
    let st = devnet::status(&data).await.unwrap();
    assert!(st.running);
    assert_eq!(st.chain_id, Some(31_337));
    let recorded: Value = serde_json::from_slice(&std::fs::read(data.join(devnet::DEVNET_FILE)).unwrap()).unwrap();
    assert_eq!(recorded["pid"], state.pid);
    assert!(matches!(devnet::start(&data, &pkgs, &[]).await, Err(AttestError::DevnetRunning(_))));

    let net = network::get(&data, network::DEVNET).unwrap();
    assert_eq!(net.eas, state.eas);
    let conn = connect(&net, Some(&wallet), DEFAULT_RPC_TIMEOUT).await.unwrap();
    assert_eq!(conn.from(), Some(me));

    // Unknown schema: nothing is registered on a fresh chain.
    let e = eas::attest(&conn, &AttestRequest::new(content(1, 2))).await.unwrap_err();
    assert_eq!(e.code(), "unknown_schema", "{e}");

    // Register on first use; the registry's records match the UIDs computed locally.
    let uids = schema::ensure_all_registered(&conn).await.unwrap();
    assert_eq!(uids, HallmarkSchema::ALL.map(|s| s.uid()).to_vec());
    let nonce = conn.provider().get_transaction_count(me).await.unwrap();
    assert_eq!(nonce, 4, "one registration per schema");
    schema::ensure_all_registered(&conn).await.unwrap();
    assert_eq!(
        conn.provider().get_transaction_count(me).await.unwrap(),
        4,
        "registered schemas are not registered again"
    );
    let rec = schema::get_schema(&conn, HallmarkSchema::Humanity.uid()).await.unwrap().unwrap();
    assert_eq!(rec.schema, HallmarkSchema::Humanity.definition());

    // Attest one, read it back.
    let one = eas::attest(&conn, &AttestRequest::new(content(1, 2))).await.unwrap();
    assert_eq!(one.uids.len(), 1);
    let got = eas::get(&conn, one.uids[0]).await.unwrap();
    assert_eq!(got.attester, me);
    assert_eq!(got.hallmark_schema, Some(HallmarkSchema::Content));
    assert_eq!(got.data, Some(content(1, 2)));
    assert!(!got.is_revoked());
    let valid = IEAS::new(net.eas, conn.provider()).isAttestationValid(one.uids[0]).call().await.unwrap();
    assert!(valid);

    // EAS's own refusals come back decoded, before anything is sent: an expiry in the past.
    let before = conn.provider().get_transaction_count(me).await.unwrap();
    let past = AttestRequest { expiration_time: 1, ..AttestRequest::new(content(1, 2)) };
    let e = eas::attest(&conn, &past).await.unwrap_err();
    assert_eq!(e.code(), "tx_reverted", "{e}");
    assert!(e.to_string().contains("InvalidExpirationTime"), "{e}");
    assert_eq!(conn.provider().get_transaction_count(me).await.unwrap(), before, "nothing was sent");

    // Many in one transaction, mixed schemas; UIDs in request order.
    let many = vec![
        AttestRequest::new(AttestationData::Humanity {
            credential_hash: B256::repeat_byte(7),
            subject_did: "did:key:z6MkSubject".into(),
            issuer_did: DID.into(),
            expiry: 1_900_000_000,
        }),
        AttestRequest::new(content(3, 4)),
        AttestRequest::new(AttestationData::Membership {
            community_id: "c-123".into(),
            member_did: "did:key:z6MkMember".into(),
            role: "moderator".into(),
        }),
    ];
    let before = conn.provider().get_transaction_count(me).await.unwrap();
    let multi = eas::multi_attest(&conn, &many).await.unwrap();
    assert_eq!(conn.provider().get_transaction_count(me).await.unwrap(), before + 1, "one transaction");
    assert_eq!(multi.uids.len(), 3);
    for (uid, req) in multi.uids.iter().zip(&many) {
        let a = eas::get(&conn, *uid).await.unwrap();
        assert_eq!(a.data.as_ref(), Some(&req.data));
        assert_eq!(a.hallmark_schema, Some(req.data.schema()));
    }

    // Lookup by the file's SHA-256, from the chain's events.
    let found = eas::find_by_content_hash(&conn, B256::repeat_byte(1), None, None).await.unwrap();
    assert_eq!(found.iter().map(|a| a.uid).collect::<Vec<_>>(), vec![one.uids[0]]);
    let found = eas::find_by_content_hash(&conn, B256::repeat_byte(3), Some(me), None).await.unwrap();
    assert_eq!(found.iter().map(|a| a.uid).collect::<Vec<_>>(), vec![multi.uids[1]]);
    assert!(eas::find_by_content_hash(&conn, B256::repeat_byte(3), Some(Address::repeat_byte(9)), None)
        .await
        .unwrap()
        .is_empty());
    assert!(eas::find_by_content_hash(&conn, B256::repeat_byte(0x55), None, None).await.unwrap().is_empty());

    // Revoke; a second revocation is refused with the reason.
    let rev = eas::revoke(&conn, one.uids[0]).await.unwrap();
    assert_eq!(rev.uids, vec![one.uids[0]]);
    let got = eas::get(&conn, one.uids[0]).await.unwrap();
    assert!(got.is_revoked());
    let e = eas::revoke(&conn, one.uids[0]).await.unwrap_err();
    assert_eq!(e.code(), "tx_reverted", "{e}");
    // Revoked attestations are still found, and say so.
    let found = eas::find_by_content_hash(&conn, B256::repeat_byte(1), None, None).await.unwrap();
    assert!(found[0].is_revoked());

    // A UID that does not exist.
    let e = eas::get(&conn, B256::repeat_byte(0xab)).await.unwrap_err();
    assert!(matches!(e, AttestError::NotFound(_)), "{e}");

    // An account with no ETH: a clear error, nothing sent.
    let poor = key(43);
    let poor_conn = connect(&net, Some(&poor), DEFAULT_RPC_TIMEOUT).await.unwrap();
    let e = eas::attest(&poor_conn, &AttestRequest::new(content(5, 6))).await.unwrap_err();
    assert_eq!(e.code(), "insufficient_funds", "{e}");
    // Funding it on the devnet fixes that.
    devnet::fund(&data, address(&poor)).await.unwrap();
    eas::attest(&poor_conn, &AttestRequest::new(content(5, 6))).await.unwrap();
    // Only the attester may revoke.
    let e = eas::revoke(&poor_conn, multi.uids[1]).await.unwrap_err();
    assert_eq!(e.code(), "tx_reverted", "{e}");

    // Off-chain: signed for this chain's EAS; verifies; any change is detected.
    let domain = OffchainDomain::of(&conn).await.unwrap();
    assert_eq!(domain.eas_version, "1.4.0");
    let req = AttestRequest::new(content(8, 9));
    let off = offchain::create(&wallet, &domain, &req, 1_764_000_000).unwrap();
    let v = offchain::verify(&off, Some(&net)).unwrap();
    assert_eq!(v.attester, me);
    assert_eq!(v.data, Some(req.data.clone()));
    let mut tampered = off.clone();
    tampered["sig"]["message"]["data"] = Value::String(format!("0x{}", hex::encode(content(8, 10).encode())));
    assert_eq!(offchain::verify(&tampered, Some(&net)).unwrap_err().code(), "invalid_offchain_attestation");
    let mut tampered = off.clone();
    tampered["signer"] = Value::String(address(&poor).to_checksum(None));
    assert_eq!(offchain::verify(&tampered, Some(&net)).unwrap_err().code(), "invalid_offchain_attestation");

    // eas-sdk (an independent implementation) agrees: it reads the on-chain attestations and
    // accepts the off-chain one, and refuses the tampered one.
    let on = eas_sdk(&["onchain", &state.rpc_url, &net.eas.to_string(), &multi.uids[1].to_string()]);
    assert_eq!(on["attester"].as_str().unwrap(), me.to_checksum(None), "checksummed, as everywhere");
    assert_eq!(on["schema"].as_str().unwrap(), HallmarkSchema::Content.uid().to_string());
    assert_eq!(on["decoded"]["contentSha256"].as_str().unwrap(), B256::repeat_byte(3).to_string());
    assert_eq!(on["decoded"]["signerDid"].as_str().unwrap(), DID);
    let on = eas_sdk(&["onchain", &state.rpc_url, &net.eas.to_string(), &one.uids[0].to_string()]);
    assert_ne!(on["revocationTime"].as_str().unwrap(), "0", "eas-sdk sees the revocation");
    let off_file = dir.path().join("offchain.json");
    std::fs::write(&off_file, serde_json::to_vec_pretty(&off).unwrap()).unwrap();
    let checked = eas_sdk(&["offchain", off_file.to_str().unwrap()]);
    assert_eq!(checked["valid"], true, "{checked}");
    assert_eq!(checked["uid"].as_str().unwrap(), v.uid.to_string());
    let bad_file = dir.path().join("tampered.json");
    std::fs::write(&bad_file, serde_json::to_vec_pretty(&tampered).unwrap()).unwrap();
    assert_eq!(eas_sdk(&["offchain", bad_file.to_str().unwrap()])["valid"], false);
    // And Hallmark verifies an off-chain attestation that eas-sdk signed.
    let sdk_made = eas_sdk(&[
        "sign",
        &net.eas.to_string(),
        "31337",
        &domain.eas_version,
        &HallmarkSchema::Content.uid().to_string(),
    ]);
    let v = offchain::verify(&sdk_made, Some(&net)).unwrap();
    assert_eq!(v.attester.to_string().to_lowercase(), sdk_made["signer"].as_str().unwrap().to_lowercase());
    assert_eq!(v.data, Some(content(0x11, 0x22)));

    // Stop: the process ends, the file goes, the RPC no longer answers.
    assert!(devnet::stop(&data).unwrap());
    assert!(!data.join(devnet::DEVNET_FILE).exists());
    assert!(!devnet::status(&data).await.unwrap().running);
    let e = connect(&net, None, Duration::from_secs(3)).await.unwrap_err();
    assert_eq!(e.code(), "rpc_unreachable", "{e}");
    assert!(!devnet::stop(&data).unwrap(), "stopping twice is harmless");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn wrong_chain_id_is_refused_before_signing() {
    let Some(pkgs) = packages("the EAS devnet test") else { return };
    let dir = tempfile::tempdir().unwrap();
    let wallet = key(44);
    let state = devnet::start(dir.path(), &pkgs, &[address(&wallet)]).await.unwrap();
    let _guard = DevnetGuard(dir.path().to_path_buf());
    let mut wrong: Network = state.network();
    wrong.name = "claims-sepolia".into();
    wrong.chain_id = 11_155_111;
    let e = connect(&wrong, Some(&wallet), DEFAULT_RPC_TIMEOUT).await.unwrap_err();
    assert!(matches!(e, AttestError::WrongChain { expected: 11_155_111, actual: 31_337, .. }), "{e}");
    assert_eq!(e.code(), "wrong_chain");
    // Nothing was signed or sent from the wallet's account.
    let conn = connect(&state.network(), None, DEFAULT_RPC_TIMEOUT).await.unwrap();
    assert_eq!(conn.provider().get_transaction_count(address(&wallet)).await.unwrap(), 0);
    // A network whose EAS address has no contract is refused too.
    let mut no_eas = state.network();
    no_eas.eas = Address::repeat_byte(0x77);
    let e = connect(&no_eas, Some(&wallet), DEFAULT_RPC_TIMEOUT).await.unwrap_err();
    assert_eq!(e.code(), "no_contract", "{e}");
}

#[tokio::test]
async fn dead_rpc_gives_a_clear_error_quickly() {
    let mut net = network::presets().remove(0);
    // Nothing listens on port 1 (a privileged port no node uses, outside the range the devnets
    // of the other tests pick from): refused at once.
    net.rpc_url = "http://127.0.0.1:1".to_string();
    let t = Instant::now();
    let e = connect(&net, Some(&key(1)), Duration::from_secs(2)).await.unwrap_err();
    assert_eq!(e.code(), "rpc_unreachable", "{e}");
    assert!(e.to_string().contains(&net.rpc_url), "{e}");
    assert!(t.elapsed() < Duration::from_secs(5), "took {:?}", t.elapsed());

    // A server that accepts the connection and never answers: a timeout, on time.
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    net.rpc_url = format!("http://127.0.0.1:{}", silent.local_addr().unwrap().port());
    let t = Instant::now();
    let e = connect(&net, None, Duration::from_secs(1)).await.unwrap_err();
    assert_eq!(e.code(), "rpc_timeout", "{e}");
    assert!(t.elapsed() < Duration::from_secs(6), "took {:?}: {e}", t.elapsed());
    drop(silent);
}

/// The hand-written Solidity interfaces match the ABI of the deployed bytecode.
#[test]
fn contract_interfaces_match_the_artifacts() {
    let Some(pkgs) = packages("the EAS devnet test") else { return };
    let load = |name: &str| -> JsonAbi {
        let v: Value = serde_json::from_slice(&std::fs::read(pkgs.artifact(name)).unwrap()).unwrap();
        serde_json::from_value(v["abi"].clone()).unwrap()
    };
    let eas_abi = load("EAS");
    let reg_abi = load("SchemaRegistry");
    let selectors = |abi: &JsonAbi| abi.functions().map(|f| f.selector()).collect::<Vec<_>>();
    let error_selectors = |abi: &JsonAbi| abi.errors().map(|e| e.selector()).collect::<Vec<_>>();
    for s in IEAS::IEASCalls::selectors() {
        assert!(selectors(&eas_abi).contains(&s.into()), "EAS has no function {s:?}");
    }
    for s in ISchemaRegistry::ISchemaRegistryCalls::selectors() {
        assert!(selectors(&reg_abi).contains(&s.into()), "SchemaRegistry has no function {s:?}");
    }
    let all_errors: Vec<_> = error_selectors(&eas_abi).into_iter().chain(error_selectors(&reg_abi)).collect();
    for s in IEAS::IEASErrors::selectors() {
        assert!(all_errors.contains(&s.into()), "no error {s:?} in the artifacts");
    }
    assert_eq!(
        IEAS::IEASErrors::selectors().count(),
        eas_abi.errors().count() + 1,
        "every EAS error (+ AlreadyExists)"
    );
    let topics: Vec<B256> = eas_abi.events().map(|e| e.selector()).collect();
    assert!(topics.contains(&IEAS::Attested::SIGNATURE_HASH));
    assert!(topics.contains(&IEAS::Revoked::SIGNATURE_HASH));
    let reg_topics: Vec<B256> = reg_abi.events().map(|e| e.selector()).collect();
    assert!(reg_topics.contains(&ISchemaRegistry::Registered::SIGNATURE_HASH));
}
