//! Attestation cost and queue throughput on the devnet (anvil with the real EAS bytecode, from
//! the npm packages pinned in `tests/eas`):
//!
//! * gas — the `gasUsed` of the receipts of one `attest` of a content attestation (a SHA-256, a
//!   manifest hash, a did:key DID, `image/jpeg`), and of one `multiAttest` of 10, 50 and 100 of
//!   them (distinct hashes), per attestation, and the saving of a batch over one transaction each.
//!   The EVM charges the same gas on any chain running the same contracts, so these carry over to
//!   a real network (the fee in ETH is gas × that network's gas price, not measured here);
//! * the queue — N content items enqueued ([`queue::enqueue`]) and sent by [`Worker::run`] until
//!   idle, with `max_batch` 50 and then 1: attestations per second, transactions, gas per
//!   attestation. The devnet mines each transaction at once, so this measures Hallmark's own
//!   overhead (store, signing, RPC round trips, the worker's polling), not a real chain's block time.
//!
//! Figures only: nothing fails on a number (it does fail if an attestation is not made).
//!
//! Run: `cargo bench -p hallmark-core --bench attest` (`HALLMARK_BENCH_QUEUE_ITEMS=100` for fewer
//! queued items; default 300). Under `cargo test --benches`, or with `-- --test`, it runs with a
//! batch of 10 and 20 queued items to check that everything works.
//!
//! Skipped with a notice when `tests/eas/node_modules` is missing (run `scripts/setup`).

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::sync::atomic::AtomicBool;
use std::time::{Duration, Instant};

use alloy::consensus::Transaction as _;
use alloy::eips::BlockNumberOrTag;
use alloy::primitives::{Address, B256, U256};
use alloy::providers::Provider;
use alloy::signers::local::PrivateKeySigner;
use hallmark_core::attest::devnet::{self, Packages};
use hallmark_core::attest::eas::{self, AttestRequest, Submitted};
use hallmark_core::attest::queue::{self, QueueRequest, Until, Worker, WorkerOptions};
use hallmark_core::attest::schema::{self, AttestationData};
use hallmark_core::attest::{connect, network, Connection, Network, DEFAULT_RPC_TIMEOUT};
use hallmark_core::fingerprint::sha256;
use hallmark_core::keys::{ethereum_key, Secp256k1Key};
use hallmark_core::store::{AttestationFilter, Store};

/// A did:key (Ed25519) DID, as `hallmark identity new` makes by default: 56 characters.
const DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
/// Queued items in a full run, unless `HALLMARK_BENCH_QUEUE_ITEMS` says otherwise.
const DEFAULT_QUEUE_ITEMS: usize = 300;
/// The most gas one transaction may use from the Osaka hardfork on (EIP-7825: 2^24), on
/// Ethereum and the chains that follow it. anvil does not enforce it unless asked.
const TX_GAS_LIMIT_CAP: u64 = 1 << 24;
/// Single `attest` transactions whose gas is measured (they should all cost the same).
const SINGLES: usize = 5;

/// The wallet's Ethereum key for the bench (deterministic).
fn key() -> Secp256k1Key {
    ethereum_key(&[0xb5; 64], 0).expect("a valid key")
}

fn address(k: &Secp256k1Key) -> Address {
    PrivateKeySigner::from_bytes(&B256::from(*k.secret_bytes())).expect("a valid key").address()
}

/// Stops the devnet of a data folder at the end, even on a panic.
struct DevnetGuard(PathBuf);

impl Drop for DevnetGuard {
    fn drop(&mut self) {
        let _ = devnet::stop(&self.0);
    }
}

/// A content attestation of file `name` (its SHA-256 and a manifest hash derived from the name:
/// distinct for every name, and as full of non-zero bytes as real hashes).
fn content(name: &str) -> AttestationData {
    AttestationData::Content {
        content_sha256: B256::from(sha256(format!("file {name}").as_bytes())),
        manifest_hash: B256::from(sha256(format!("manifest {name}").as_bytes())),
        signer_did: DID.into(),
        media_type: "image/jpeg".into(),
    }
}

/// The gas a mined transaction used (its receipt's `gasUsed`).
async fn gas_used(conn: &Connection, tx: B256) -> u64 {
    conn.provider()
        .get_transaction_receipt(tx)
        .await
        .expect("the node answers")
        .expect("the transaction was mined")
        .gas_used
}

/// The gas limit a transaction was sent with (Hallmark's estimate plus headroom).
async fn gas_limit(conn: &Connection, tx: B256) -> u64 {
    conn.provider()
        .get_transaction_by_hash(tx)
        .await
        .expect("the node answers")
        .expect("the transaction is known")
        .gas_limit()
}

/// The gas limit of the devnet's blocks.
async fn block_gas_limit(conn: &Connection) -> u64 {
    conn.provider()
        .get_block_by_number(BlockNumberOrTag::Latest)
        .await
        .expect("the node answers")
        .expect("a latest block")
        .header
        .gas_limit
}

/// Sets the gas limit of the devnet's blocks (anvil's `evm_setBlockGasLimit`).
async fn set_block_gas_limit(conn: &Connection, limit: u64) {
    let done: serde_json::Value = conn
        .provider()
        .raw_request("evm_setBlockGasLimit".into(), (U256::from(limit),))
        .await
        .expect("anvil sets the block gas limit");
    assert_eq!(done, serde_json::Value::Bool(true), "evm_setBlockGasLimit answered {done}");
}

/// A mined transaction's gas: used, and the limit it was sent with.
#[derive(Clone, Copy)]
struct Gas {
    used: u64,
    limit: u64,
}

async fn gas_of(conn: &Connection, tx: B256) -> Gas {
    Gas { used: gas_used(conn, tx).await, limit: gas_limit(conn, tx).await }
}

/// Gas of a `multiAttest` of `n` content attestations.
async fn multi_gas(conn: &Connection, n: usize) -> Gas {
    let requests: Vec<AttestRequest> =
        (0..n).map(|i| AttestRequest::new(content(&format!("multi-{n}-{i}.jpg")))).collect();
    let sent: Submitted = eas::multi_attest(conn, &requests).await.expect("multiAttest made");
    assert_eq!(sent.uids.len(), n, "one UID per attestation");
    gas_of(conn, sent.tx_hash).await
}

/// The largest batch whose gas limit stays within `cap`, on the line through two measured
/// (batch size, gas limit) points.
fn largest_batch_within(cap: u64, (n1, l1): (usize, u64), (n2, l2): (usize, u64)) -> u64 {
    let slope = (l2 as f64 - l1 as f64) / (n2 as f64 - n1 as f64);
    let intercept = l1 as f64 - slope * n1 as f64;
    ((cap as f64 - intercept) / slope).floor().max(0.0) as u64
}

/// What one queue run measured.
struct QueueRun {
    items: usize,
    max_batch: usize,
    enqueue: Duration,
    run: Duration,
    transactions: usize,
    gas: u64,
}

impl QueueRun {
    fn print(&self) {
        let seconds = self.run.as_secs_f64();
        println!(
            "queue, max_batch {:>3}: {:>4} items in {:>3} transactions, {:>7.2} s → {:>7.1} attestations/s, \
             {:>6.1} tx/s, {:>7.0} gas/attestation (enqueue {:.0} ms)",
            self.max_batch,
            self.items,
            self.transactions,
            seconds,
            self.items as f64 / seconds,
            self.transactions as f64 / seconds,
            self.gas as f64 / self.items as f64,
            self.enqueue.as_secs_f64() * 1000.0
        );
    }
}

/// Enqueues `items` content attestations and times the worker sending them all.
async fn queue_run(data: &Path, net: &Network, conn: &Connection, items: usize, max_batch: usize) -> QueueRun {
    let me = address(&key());
    let requests: Vec<QueueRequest> = (0..items)
        .map(|i| {
            let label = format!("queue-{max_batch}-{i:04}.jpg");
            QueueRequest { request: AttestRequest::new(content(&label)), label, source: None }
        })
        .collect();
    let start = Instant::now();
    let ids: Vec<i64> = {
        let mut store = Store::open(data).expect("store opened");
        let queued = queue::enqueue(&mut store, net, me, &requests, 1, false).expect("items queued");
        queued.iter().map(|e| e.record().id).collect()
    };
    let enqueue = start.elapsed();
    assert_eq!(ids.len(), items);

    let options = WorkerOptions {
        rpc_timeout: DEFAULT_RPC_TIMEOUT,
        poll: Duration::from_millis(50),
        max_batch,
        base_backoff: Duration::from_secs(1),
        max_backoff: Duration::from_secs(2),
    };
    let worker = Worker::acquire(data, key(), options).expect("worker lock").expect("no other worker");
    let cancel = AtomicBool::new(false);
    let start = Instant::now();
    tokio::time::timeout(Duration::from_secs(1800), worker.run(Until::Idle, &cancel, |_| {}))
        .await
        .expect("the queue empties within 30 minutes")
        .expect("the worker ran");
    let run = start.elapsed();
    drop(worker);

    let rows = Store::open(data)
        .expect("store opened")
        .attestations(&AttestationFilter { ids: Some(ids), ..Default::default() })
        .expect("rows read");
    assert_eq!(rows.len(), items);
    let failed: Vec<_> = rows.iter().filter(|r| r.state != "confirmed").collect();
    assert!(failed.is_empty(), "every item is confirmed: {} are not, e.g. {:?}", failed.len(), failed.first());
    let txs: BTreeSet<String> = rows.iter().filter_map(|r| r.tx_hash.clone()).collect();
    let mut gas = 0;
    for tx in &txs {
        gas += gas_used(conn, tx.parse().expect("a transaction hash")).await;
    }
    QueueRun { items, max_batch, enqueue, run, transactions: txs.len(), gas }
}

async fn bench(pkgs: &Packages, quick: bool) {
    let (multi_sizes, items, batches): (&[usize], usize, [usize; 2]) = if quick {
        (&[10], 20, [5, 1])
    } else {
        let n = std::env::var("HALLMARK_BENCH_QUEUE_ITEMS")
            .ok()
            .map(|v| v.parse::<usize>().expect("HALLMARK_BENCH_QUEUE_ITEMS is a number of items"))
            .unwrap_or(DEFAULT_QUEUE_ITEMS);
        (&[10, 50, 100], n.max(1), [50, 1])
    };
    let dir = tempfile::tempdir().expect("temporary folder");
    let data = dir.path().join("data");
    let wallet = key();
    let started = Instant::now();
    devnet::start(&data, pkgs, &[address(&wallet)]).await.expect("devnet started");
    let _guard = DevnetGuard(data.clone());
    let net = network::get(&data, network::DEVNET).expect("the devnet network");
    let conn = connect(&net, Some(&wallet), DEFAULT_RPC_TIMEOUT).await.expect("connected to the devnet");
    // Registered before anything is measured.
    schema::ensure_all_registered(&conn).await.expect("schemas registered");
    println!(
        "devnet: anvil + EAS {} at {}, started in {:.1} s",
        eas::eas_version(&conn).await.expect("EAS version"),
        net.rpc_url,
        started.elapsed().as_secs_f64()
    );
    println!("content attestation: SHA-256 + manifest hash + {} ({} chars) + image/jpeg", DID, DID.len());
    println!();

    // Gas of single attestations.
    let mut singles = Vec::new();
    for i in 0..SINGLES {
        let sent = eas::attest(&conn, &AttestRequest::new(content(&format!("single-{i}.jpg"))))
            .await
            .expect("attestation made");
        singles.push(gas_of(&conn, sent.tx_hash).await);
    }
    let single = singles.iter().map(|g| g.used).sum::<u64>() as f64 / singles.len() as f64;
    let lo = singles.iter().map(|g| g.used).min().unwrap_or(0);
    let hi = singles.iter().map(|g| g.used).max().unwrap_or(0);
    println!(
        "attest (1 per transaction): {single:>10.0} gas  ({SINGLES} transactions, {lo}–{hi}; sent with a limit of {})",
        singles[0].limit
    );

    // Gas of batches. A large batch does not fit in one of the devnet's blocks: raise their limit
    // for these measurements (and say so), then put it back for the queue.
    let block_limit = block_gas_limit(&conn).await;
    set_block_gas_limit(&conn, 10 * block_limit).await;
    let mut points = Vec::new();
    for &n in multi_sizes {
        let gas = multi_gas(&conn, n).await;
        let each = gas.used as f64 / n as f64;
        println!(
            "multiAttest of {n:>3}:         {:>10} gas, {each:>7.0} per attestation → {:.2}× cheaper \
             than one transaction each ({:.1} % saved)",
            gas.used,
            single / each,
            100.0 * (1.0 - each / single)
        );
        let mut over = Vec::new();
        if gas.limit > block_limit {
            over.push(format!("a block of the devnet's default {block_limit} gas"));
        }
        if gas.limit > TX_GAS_LIMIT_CAP {
            over.push(format!("the {TX_GAS_LIMIT_CAP} gas cap per transaction of EIP-7825 (Osaka)"));
        }
        let verdict = if over.is_empty() { "fits".to_string() } else { format!("over {}", over.join(" and ")) };
        println!("    sent with a gas limit of {:>10}: {verdict}", gas.limit);
        points.push((n, gas.limit));
    }
    set_block_gas_limit(&conn, block_limit).await;
    // The latest block shows the limit it was mined with: mine an empty one to check.
    let _: serde_json::Value = conn.provider().raw_request("evm_mine".into(), ()).await.expect("anvil mines a block");
    assert_eq!(block_gas_limit(&conn).await, block_limit, "the block gas limit is back");
    if let [.., a, b] = points[..] {
        println!(
            "largest multiAttest whose gas limit fits (line through the batches of {} and {}): \
             ~{} under EIP-7825's {TX_GAS_LIMIT_CAP}, ~{} in a block of {block_limit}",
            a.0,
            b.0,
            largest_batch_within(TX_GAS_LIMIT_CAP, a, b),
            largest_batch_within(block_limit, a, b)
        );
    }
    println!();

    // Queue throughput.
    for max_batch in batches {
        queue_run(&data, &net, &conn, items, max_batch).await.print();
    }
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` and `-- --test` only check that it runs.
    let args: Vec<String> = std::env::args().collect();
    let quick = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    let pkgs = match Packages::locate(None) {
        Ok(p) => p,
        Err(e) => {
            println!("attestation bench skipped: {e}");
            return;
        }
    };
    let runtime =
        tokio::runtime::Builder::new_multi_thread().worker_threads(2).enable_all().build().expect("tokio runtime");
    runtime.block_on(bench(&pkgs, quick));
}
