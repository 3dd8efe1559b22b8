//! The durable attestation queue against a real chain (anvil with the real EAS bytecode, from
//! the npm packages pinned in `tests/eas`): batching, idempotency, revocation, a refused item in
//! a batch, the node down while items wait, a worker that dies between sending and the receipt,
//! confirmations, no funds, one worker at a time.
//!
//! Skipped (with a notice) when `tests/eas/node_modules` is missing, unless
//! HALLMARK_TEST_REQUIRE_INTEROP=1.

mod common;

use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::Duration;

use alloy::primitives::{Address, B256};
use alloy::providers::Provider;
use common::*;
use hallmark_core::attest::devnet::{self, Packages};
use hallmark_core::attest::eas::{self, AttestRequest};
use hallmark_core::attest::queue::{self, QueueRequest, Until, Worker, WorkerOptions};
use hallmark_core::attest::schema::{AttestationData, HallmarkSchema};
use hallmark_core::attest::{connect, network, Connection, Network, DEFAULT_RPC_TIMEOUT};
use hallmark_core::store::{AttestationFilter, AttestationRecord, Enqueued, Store};

const DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

fn options() -> WorkerOptions {
    WorkerOptions {
        rpc_timeout: Duration::from_secs(5),
        poll: Duration::from_millis(50),
        max_batch: 50,
        base_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(2),
    }
}

fn photo(n: u8) -> QueueRequest {
    QueueRequest {
        request: AttestRequest::new(AttestationData::Content {
            content_sha256: B256::repeat_byte(n),
            manifest_hash: B256::repeat_byte(n.wrapping_add(100)),
            signer_did: DID.into(),
            media_type: "image/jpeg".into(),
        }),
        label: format!("photo-{n}.jpg"),
        source: None,
    }
}

/// Fields drop in order: the devnet is stopped before its folder is removed.
struct Chain {
    _guard: DevnetGuard,
    data: PathBuf,
    net: Network,
    _dir: tempfile::TempDir,
}

/// A devnet in a fresh data folder, funding `fund`.
async fn chain(pkgs: &Packages, fund: &[Address]) -> Chain {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("data");
    devnet::start(&data, pkgs, fund).await.unwrap();
    let guard = DevnetGuard(data.clone());
    let net = network::get(&data, network::DEVNET).unwrap();
    Chain { _guard: guard, data, net, _dir: dir }
}

fn enqueue(data: &Path, net: &Network, attester: Address, reqs: &[QueueRequest], conf: u32) -> Vec<Enqueued> {
    let mut store = Store::open(data).unwrap();
    queue::enqueue(&mut store, net, attester, reqs, conf, false).unwrap()
}

fn rows(data: &Path, ids: &[i64]) -> Vec<AttestationRecord> {
    let mut r = Store::open(data)
        .unwrap()
        .attestations(&AttestationFilter { ids: Some(ids.to_vec()), ..Default::default() })
        .unwrap();
    r.sort_by_key(|r| r.id);
    r
}

fn ids(e: &[Enqueued]) -> Vec<i64> {
    e.iter().map(|e| e.record().id).collect()
}

async fn settle(worker: &Worker, ids: &[i64]) {
    let cancel = AtomicBool::new(false);
    let run = worker.run(Until::Settled(ids.to_vec()), &cancel, |_| {});
    tokio::time::timeout(Duration::from_secs(60), run).await.expect("the queue settles in time").unwrap();
}

async fn rpc(conn: &Connection, method: &'static str, params: serde_json::Value) -> serde_json::Value {
    conn.provider().raw_request::<_, serde_json::Value>(method.into(), params).await.unwrap()
}

/// How many content attestations of `n`'s hash the chain holds.
async fn on_chain(conn: &Connection, n: u8) -> usize {
    eas::find_by_content_hash(conn, B256::repeat_byte(n), None, None).await.unwrap().len()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn batches_dedups_revokes_and_isolates_a_refused_item() {
    let Some(pkgs) = packages("the attestation queue test") else { return };
    let k = key(7);
    let me = address(&k);
    let c = chain(&pkgs, &[me]).await;
    let worker = Worker::acquire(&c.data, key(7), options()).unwrap().unwrap();
    // One worker per data folder.
    assert!(Worker::acquire(&c.data, key(7), options()).unwrap().is_none());

    // Three files: one multiAttest transaction (schemas registered on first use).
    let first = enqueue(&c.data, &c.net, me, &[photo(1), photo(2), photo(3)], 1);
    let first_ids = ids(&first);
    settle(&worker, &first_ids).await;
    let done = rows(&c.data, &first_ids);
    assert!(done.iter().all(|r| r.state == "confirmed"), "{done:#?}");
    assert!(done.iter().all(|r| r.tx_hash == done[0].tx_hash), "one transaction for the three");
    let conn = connect(&c.net, None, DEFAULT_RPC_TIMEOUT).await.unwrap();
    for (r, n) in done.iter().zip([1u8, 2, 3]) {
        let uid: B256 = r.uid.as_deref().unwrap().parse().unwrap();
        let got = eas::get(&conn, uid).await.unwrap();
        assert_eq!(got.attester, me);
        assert_eq!(got.data, Some(photo(n).request.data), "row {} holds the UID of its own data", r.id);
    }

    // The same again: nothing is queued, the existing rows come back.
    let again = enqueue(&c.data, &c.net, me, &[photo(1), photo(2)], 1);
    assert!(again.iter().all(|e| matches!(e, Enqueued::Existing { .. })));
    assert_eq!(ids(&again), first_ids[..2].to_vec());

    // A batch with one item EAS refuses (an expiry in the past): that one fails with EAS's
    // reason, the others are still attested.
    let bad = QueueRequest {
        request: AttestRequest { expiration_time: 1, ..photo(9).request },
        label: "expired.jpg".into(),
        source: None,
    };
    let mixed = enqueue(&c.data, &c.net, me, &[photo(4), bad, photo(5)], 1);
    settle(&worker, &ids(&mixed)).await;
    let m = rows(&c.data, &ids(&mixed));
    assert_eq!(m.iter().map(|r| r.state.as_str()).collect::<Vec<_>>(), ["confirmed", "failed", "confirmed"]);
    assert_eq!(m[1].error_code.as_deref(), Some("tx_reverted"));
    assert!(m[1].error.as_deref().unwrap().contains("InvalidExpirationTime"), "{:?}", m[1].error);
    assert_eq!((on_chain(&conn, 4).await, on_chain(&conn, 9).await, on_chain(&conn, 5).await), (1, 0, 1));

    // Revoke the first: confirmed, the chain says revoked, the row is marked.
    let uid: B256 = done[0].uid.as_deref().unwrap().parse().unwrap();
    let mut store = Store::open(&c.data).unwrap();
    let rev = queue::enqueue_revoke(&mut store, &c.net, me, uid, HallmarkSchema::Content, "photo-1.jpg", 1).unwrap();
    drop(store);
    settle(&worker, &[rev.record().id]).await;
    assert_eq!(rows(&c.data, &[rev.record().id])[0].state, "confirmed");
    assert!(eas::get(&conn, uid).await.unwrap().is_revoked());
    assert!(rows(&c.data, &[first_ids[0]])[0].revoked_at.is_some());
    // Revoked, it may be attested again.
    assert!(matches!(enqueue(&c.data, &c.net, me, &[photo(1)], 1)[0], Enqueued::Queued { .. }));
}

/// Forwards TCP connections from `listener` to `target` (a stand-in for a node coming back).
async fn relay(listener: tokio::net::TcpListener, target: String) {
    loop {
        let Ok((mut inbound, _)) = listener.accept().await else { return };
        let target = target.clone();
        tokio::spawn(async move {
            if let Ok(mut outbound) = tokio::net::TcpStream::connect(&target).await {
                let _ = tokio::io::copy_bidirectional(&mut inbound, &mut outbound).await;
            }
        });
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn items_wait_while_the_node_is_down_and_complete_when_it_returns() {
    let Some(pkgs) = packages("the attestation queue test") else { return };
    let k = key(8);
    let me = address(&k);
    let c = chain(&pkgs, &[me]).await;
    // A network reached through a port where nothing listens yet.
    let port = std::net::TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let flaky = Network {
        name: "flaky".into(),
        rpc_url: format!("http://127.0.0.1:{port}"),
        source: network::NetworkSource::User,
        ..c.net.clone()
    };
    network::add(&c.data, flaky.clone()).unwrap();
    let queued = enqueue(&c.data, &flaky, me, &[photo(1), photo(2)], 1);
    let worker = Worker::acquire(&c.data, key(8), options()).unwrap().unwrap();
    let report = worker.step().await.unwrap();
    assert_eq!(report.pending, 2);
    let waiting = rows(&c.data, &ids(&queued));
    for r in &waiting {
        assert_eq!((r.state.as_str(), r.attempts), ("queued", 1), "{r:#?}");
        assert_eq!(r.error_code.as_deref(), Some("rpc_unreachable"));
        assert!(r.error.as_deref().unwrap().contains(&port.to_string()));
        assert!(r.next_attempt_at > 0);
    }
    // Still down on the next tries: nothing lost, attempts counted, backoff grows.
    tokio::time::sleep(Duration::from_millis(1100)).await;
    worker.step().await.unwrap();
    assert!(rows(&c.data, &ids(&queued)).iter().all(|r| r.state == "queued"));

    // The node comes back: the items complete.
    let listener = tokio::net::TcpListener::bind(("127.0.0.1", port)).await.unwrap();
    let target = c.net.rpc_url.trim_start_matches("http://").to_string();
    let relay = tokio::spawn(relay(listener, target));
    settle(&worker, &ids(&queued)).await;
    let done = rows(&c.data, &ids(&queued));
    assert!(done.iter().all(|r| r.state == "confirmed" && r.uid.is_some() && r.error.is_none()), "{done:#?}");
    relay.abort();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_worker_killed_between_send_and_receipt_ends_with_each_item_attested_once() {
    let Some(pkgs) = packages("the attestation queue test") else { return };
    let k = key(9);
    let me = address(&k);
    let c = chain(&pkgs, &[me]).await;
    let conn = connect(&c.net, None, DEFAULT_RPC_TIMEOUT).await.unwrap();

    // Register the schemas first, so the only transaction the worker leaves pending is its own.
    let warm = enqueue(&c.data, &c.net, me, &[photo(50)], 1);
    {
        let w = Worker::acquire(&c.data, key(9), options()).unwrap().unwrap();
        settle(&w, &ids(&warm)).await;
    }

    // Blocks are no longer mined: the worker signs, records and broadcasts, then waits.
    rpc(&conn, "evm_setAutomine", serde_json::json!([false])).await;
    let items = enqueue(&c.data, &c.net, me, &[photo(1), photo(2), photo(3)], 1);
    let crashed = Worker::acquire(&c.data, key(9), options()).unwrap().unwrap();
    crashed.step().await.unwrap();
    let sent = rows(&c.data, &ids(&items));
    assert!(sent.iter().all(|r| r.state == "sent"), "{sent:#?}");
    let tx = sent[0].tx_hash.clone().unwrap();
    assert!(sent.iter().all(|r| r.tx_hash.as_deref() == Some(tx.as_str())));
    // The worker dies here (its lock goes with it), and the node loses the transaction too —
    // as if the broadcast never reached it.
    drop(crashed);
    rpc(&conn, "anvil_dropAllTransactions", serde_json::json!([])).await;
    rpc(&conn, "evm_setAutomine", serde_json::json!([true])).await;

    // A new worker finds the recorded transaction and sends the very same bytes.
    let worker = Worker::acquire(&c.data, key(9), options()).unwrap().unwrap();
    settle(&worker, &ids(&items)).await;
    let done = rows(&c.data, &ids(&items));
    assert!(done.iter().all(|r| r.state == "confirmed"), "{done:#?}");
    assert!(done.iter().all(|r| r.tx_hash.as_deref() == Some(tx.as_str())), "the same transaction, not a second one");
    for n in [1u8, 2, 3] {
        assert_eq!(on_chain(&conn, n).await, 1, "photo {n} is attested exactly once");
    }

    // Killed again with the transaction still pending in the node: it is mined later, and the
    // next worker only collects the receipt.
    rpc(&conn, "evm_setAutomine", serde_json::json!([false])).await;
    let more = enqueue(&c.data, &c.net, me, &[photo(4)], 1);
    drop(worker);
    let crashed = Worker::acquire(&c.data, key(9), options()).unwrap().unwrap();
    crashed.step().await.unwrap();
    assert_eq!(rows(&c.data, &ids(&more))[0].state, "sent");
    drop(crashed);
    rpc(&conn, "evm_mine", serde_json::json!([])).await;
    rpc(&conn, "evm_setAutomine", serde_json::json!([true])).await;
    let worker = Worker::acquire(&c.data, key(9), options()).unwrap().unwrap();
    settle(&worker, &ids(&more)).await;
    assert_eq!(rows(&c.data, &ids(&more))[0].state, "confirmed");
    assert_eq!(on_chain(&conn, 4).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn waits_for_confirmations_and_for_funds() {
    let Some(pkgs) = packages("the attestation queue test") else { return };
    let k = key(10);
    let me = address(&k);
    // Not funded.
    let c = chain(&pkgs, &[]).await;
    let conn = connect(&c.net, None, DEFAULT_RPC_TIMEOUT).await.unwrap();
    let items = enqueue(&c.data, &c.net, me, &[photo(1)], 3);
    let worker = Worker::acquire(&c.data, key(10), options()).unwrap().unwrap();
    worker.step().await.unwrap();
    let r = &rows(&c.data, &ids(&items))[0];
    assert_eq!((r.state.as_str(), r.error_code.as_deref()), ("queued", Some("insufficient_funds")), "{r:#?}");
    assert!(r.error.as_deref().unwrap().contains(&me.to_checksum(None)));

    // Funded: it is sent and mined, but needs 3 confirmations.
    devnet::fund(&c.data, me).await.unwrap();
    tokio::time::sleep(Duration::from_millis(1100)).await;
    for _ in 0..20 {
        worker.step().await.unwrap();
        if rows(&c.data, &ids(&items))[0].block_number.is_some() || rows(&c.data, &ids(&items))[0].state == "sent" {
            break;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    let r = &rows(&c.data, &ids(&items))[0];
    assert_eq!(r.state, "sent", "{r:#?}");
    assert_eq!(r.error_code.as_deref(), Some("awaiting_confirmations"));
    rpc(&conn, "anvil_mine", serde_json::json!([2])).await;
    settle(&worker, &ids(&items)).await;
    let r = &rows(&c.data, &ids(&items))[0];
    assert_eq!(r.state, "confirmed");
    assert_eq!(on_chain(&conn, 1).await, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_batch_over_the_per_transaction_gas_cap_is_split() {
    let Some(pkgs) = packages("the attestation queue test") else { return };
    let k = key(11);
    let me = address(&k);
    let c = chain(&pkgs, &[me]).await;
    let reqs: Vec<QueueRequest> = (1..=50u8).map(photo).collect();
    let items = enqueue(&c.data, &c.net, me, &reqs, 1);
    let worker = Worker::acquire(&c.data, key(11), options()).unwrap().unwrap();
    settle(&worker, &ids(&items)).await;
    let done = rows(&c.data, &ids(&items));
    assert!(done.iter().all(|r| r.state == "confirmed"), "{:?}", done.iter().map(|r| &r.error).collect::<Vec<_>>());
    let mut txs: Vec<String> = done.iter().filter_map(|r| r.tx_hash.clone()).collect();
    txs.sort();
    txs.dedup();
    assert!(txs.len() >= 2, "50 content attestations do not fit under the cap in one transaction");
    assert!(txs.len() <= 3, "but they are still batched: {} transactions", txs.len());
    let conn = connect(&c.net, None, DEFAULT_RPC_TIMEOUT).await.unwrap();
    for tx in &txs {
        let t = conn.provider().get_transaction_by_hash(tx.parse().unwrap()).await.unwrap().unwrap();
        use alloy::consensus::Transaction;
        assert!(t.gas_limit() <= queue::MAX_TX_GAS, "{tx}: gas limit {}", t.gas_limit());
    }
}
