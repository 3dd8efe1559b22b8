//! The activity log anchored on a real chain (anvil with the real EAS contracts, from the npm
//! packages pinned in `tests/eas`): an anchor made through the attestation queue pins the log;
//! an export verifies elsewhere with only the file and an RPC URL; a rewritten history — same
//! keys, different entries, anchors left out of the file — is caught by the anchors on chain.
//!
//! Skipped (with a notice) when `tests/eas/node_modules` is missing, unless
//! HALLMARK_TEST_REQUIRE_INTEROP=1.

mod common;

use std::path::Path;
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use common::*;
use hallmark_core::attest::devnet::{self};
use hallmark_core::attest::network::{self, Network, NetworkSource};
use hallmark_core::attest::queue::{Until, WorkerOptions};
use hallmark_core::credential::{humanity_credential, Format, HumanityMethod, Suite};
use hallmark_core::store::LogFilter;
use hallmark_core::wallet::log::verify_log;
use hallmark_core::{DidMethod, KeyringMode, RecoveryPhrase, UnlockedWallet, Wallet};
use zeroize::Zeroizing;

const T: Duration = Duration::from_secs(10);

fn wallet(dir: &Path, phrase: &RecoveryPhrase) -> UnlockedWallet {
    Wallet::create(dir, phrase, "passphrase-1", KeyringMode::None).unwrap();
    Wallet::open(dir, KeyringMode::None).unwrap().unlock(|| Ok(Zeroizing::new("passphrase-1".into()))).unwrap()
}

async fn issue_one(w: &mut UnlockedWallet, issuer: &str, subject: &str) {
    let vc = humanity_credential(issuer, subject, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
    w.issue(vc, Format::DataIntegrity(Suite::EddsaRdfc2022)).await.unwrap();
}

/// Queues an anchor of `w`'s log on `net` and sends it; returns the number of entries anchored.
async fn anchor(w: &mut UnlockedWallet, net: &Network) -> u64 {
    let count = w.wallet().log_status().unwrap().entries;
    let queued = w.wallet_mut().queue_log_anchor(net, 1).unwrap().unwrap();
    let options = WorkerOptions { poll: Duration::from_millis(50), ..Default::default() };
    let worker = w.attest_worker(options).unwrap().unwrap();
    let cancel = AtomicBool::new(false);
    let run = worker.run(Until::Settled(vec![queued.record().id]), &cancel, |_| {});
    tokio::time::timeout(Duration::from_secs(60), run).await.unwrap().unwrap();
    count
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn anchored_logs_verify_with_only_an_rpc_and_a_rewritten_history_is_caught() {
    let Some(pkgs) = packages("the activity log anchoring test") else { return };
    let phrase = RecoveryPhrase::generate().unwrap();
    let home = tempfile::tempdir().unwrap();
    let mut w = wallet(home.path(), &phrase);
    let me = w.wallet().ethereum_address().unwrap();
    devnet::start(home.path(), &pkgs, &[me]).await.unwrap();
    let _guard = DevnetGuard(home.path().to_path_buf());
    let net = network::get(home.path(), network::DEVNET).unwrap();

    let issuer = w.new_identity(DidMethod::Key, None, None).unwrap().did;
    let subject = w.new_identity(DidMethod::Key, None, None).unwrap().did;
    issue_one(&mut w, &issuer, &subject).await;
    issue_one(&mut w, &issuer, &subject).await;
    let anchored = anchor(&mut w, &net).await;
    assert_eq!(anchored, 2);
    // The anchor's own confirmation is logged too, signed by the Ethereum account (EIP-191).
    let entries = w.wallet().log_entries(&LogFilter::default()).unwrap();
    let attest = entries.iter().find(|e| e.action == "attest").expect("the anchor is logged");
    assert!(attest.actor.starts_with("did:pkh:eip155:"), "{}", attest.actor);
    assert_eq!(attest.sig.alg, "EIP-191");
    assert_eq!(attest.objects["schema"], "log_head");
    let status = w.wallet().log_status().unwrap();
    assert_eq!((status.anchored, status.anchors.len()), (2, 1));

    // On another machine: the file and the chain's RPC URL only (no wallet, no data folder).
    let text = w.wallet().export_log(None, None).await.unwrap();
    let elsewhere = Network { name: "some-node".into(), source: NetworkSource::User, ..net.clone() };
    let report = verify_log(&text, None, Some(&elsewhere), T).await.unwrap();
    assert!(report.valid, "{report:#?}");
    assert_eq!(report.covered, 2);
    assert_eq!(report.anchors.len(), 1);
    assert_eq!(report.anchors[0].status, "matches");

    // The same wallet restored elsewhere (same keys, same Ethereum account) writes another
    // history: a different second entry. Its export lists no anchors, yet the chain holds the
    // account's anchor of the real history — which this one contradicts.
    let other_home = tempfile::tempdir().unwrap();
    let mut twin = wallet(other_home.path(), &phrase);
    let issuer2 = twin.new_identity(DidMethod::Key, None, None).unwrap().did;
    assert_eq!(issuer2, issuer, "same seed, same identity");
    let subject2 = twin.new_identity(DidMethod::Key, None, None).unwrap().did;
    issue_one(&mut twin, &issuer2, &subject2).await;
    issue_one(&mut twin, &issuer2, &subject2).await;
    let rewritten = twin.wallet().export_log(None, None).await.unwrap();
    assert!(activity_is_self_consistent(&rewritten).await, "the rewritten log is internally valid");
    let report = verify_log(&rewritten, None, Some(&elsewhere), T).await.unwrap();
    assert!(!report.valid, "{report:#?}");
    assert_eq!(report.anchors.len(), 1, "the anchor left out of the file is found on chain");
    assert_eq!(report.anchors[0].status, "disagrees", "{:#?}", report.anchors);

    // A chain that cannot be reached: anchors are reported unchecked, with the reason.
    let dead = Network { rpc_url: "http://127.0.0.1:9".into(), ..elsewhere.clone() };
    let report = verify_log(&text, None, Some(&dead), Duration::from_secs(3)).await.unwrap();
    assert_eq!(report.anchors[0].status, "unchecked");
    assert!(report.chain_note.is_some());
}

async fn activity_is_self_consistent(text: &str) -> bool {
    hallmark_core::activity::verify_export(text, T).await.map(|r| r.first_problem.is_none()).unwrap_or(false)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_worker_anchors_every_n_entries() {
    use hallmark_core::wallet::log::AnchorPolicy;
    let Some(pkgs) = packages("the activity log anchoring test") else { return };
    let home = tempfile::tempdir().unwrap();
    let mut w = wallet(home.path(), &RecoveryPhrase::generate().unwrap());
    let me = w.wallet().ethereum_address().unwrap();
    devnet::start(home.path(), &pkgs, &[me]).await.unwrap();
    let _guard = DevnetGuard(home.path().to_path_buf());
    let policy = AnchorPolicy { every: 2, network: network::DEVNET.into(), confirmations: 1 };
    w.wallet().set_log_anchoring(Some(&policy)).unwrap();
    assert_eq!(w.wallet().log_anchoring().unwrap(), Some(policy));
    let bad = AnchorPolicy { every: 2, network: "nowhere".into(), confirmations: 1 };
    assert!(w.wallet().set_log_anchoring(Some(&bad)).is_err());

    let issuer = w.new_identity(DidMethod::Key, None, None).unwrap().did;
    let options = WorkerOptions { poll: Duration::from_millis(50), ..Default::default() };
    let worker = w.attest_worker(options).unwrap().unwrap();
    issue_one(&mut w, &issuer, &issuer).await;
    // One entry: not yet due.
    worker.step().await.unwrap();
    assert_eq!(w.wallet().log_status().unwrap().anchors.len(), 0);
    issue_one(&mut w, &issuer, &issuer).await;
    // Two: an anchor is queued and sent (the devnet mines at once).
    let cancel = AtomicBool::new(false);
    tokio::time::timeout(Duration::from_secs(60), worker.run(Until::Idle, &cancel, |_| {})).await.unwrap().unwrap();
    let status = w.wallet().log_status().unwrap();
    assert_eq!((status.anchors.len(), status.anchored), (1, 2), "{status:#?}");
    // The anchor's own log entry does not trigger another one.
    worker.step().await.unwrap();
    tokio::time::timeout(Duration::from_secs(60), worker.run(Until::Idle, &cancel, |_| {})).await.unwrap().unwrap();
    assert_eq!(w.wallet().log_status().unwrap().anchors.len(), 1);
    // Two more actions: a second anchor covering them all.
    issue_one(&mut w, &issuer, &issuer).await;
    issue_one(&mut w, &issuer, &issuer).await;
    tokio::time::timeout(Duration::from_secs(60), worker.run(Until::Idle, &cancel, |_| {})).await.unwrap().unwrap();
    let status = w.wallet().log_status().unwrap();
    assert_eq!(status.anchors.len(), 2, "{status:#?}");
    assert_eq!(status.anchored, 5, "2 credentials, the first anchor's entry, 2 more credentials");
    let text = w.wallet().export_log(None, None).await.unwrap();
    let report = verify_log(&text, Some(home.path()), None, T).await.unwrap();
    assert!(report.valid && report.covered == 5, "{report:#?}");
}
