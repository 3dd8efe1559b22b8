//! The durable attestation queue: requests go to the outbox in the store first
//! ([`crate::store::Store::enqueue_attestations`]); a [`Worker`] then sends them.
//!
//! How the worker makes every item end confirmed **exactly once**, even when killed at any point:
//!
//! 1. It takes the due queued items of one network (up to [`WorkerOptions::max_batch`]; one
//!    transaction: `attest` for one, `multiAttest` for several; a revocation goes alone),
//!    registers their schemas if needed, estimates gas (an EAS refusal shows here and nothing is
//!    sent), and **signs** the transaction locally (nonce from the node's pending count).
//! 2. It records the transaction — hash, nonce, raw bytes — on the items (state `sent`) in one
//!    database transaction, and only then broadcasts it.
//! 3. For every `sent` item (right away, and again after any restart) it looks the transaction
//!    up: mined → waits for the required confirmations, then reads the UIDs from the receipt's
//!    `Attested` events (state `confirmed`); mined but reverted → `failed`; pending → waits;
//!    unknown to the node → broadcasts the *same* recorded bytes again (same hash: it can only
//!    be mined once). Only when the node says that nonce is used by another transaction and ours
//!    has no receipt — so it can never be mined — are the items queued again.
//!
//! Temporary problems (the node down or slow, no funds, the network misconfigured) leave the
//! items queued with the reason and retry them with exponential backoff; a contract refusal
//! fails them with EAS's reason (in a batch, the items are then tried one by one so one bad item
//! does not fail the others). Identical requests are not queued twice (see the store's
//! idempotency rule) unless forced.
//!
//! One worker per data folder at a time: [`Worker::acquire`] takes an OS file lock on
//! [`LOCK_FILE`] (released by the OS when the process dies, even by `kill -9`).

use std::collections::BTreeMap;
use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use alloy::eips::eip2718::Encodable2718;
use alloy::network::{NetworkTransactionBuilder, TransactionBuilder};
use alloy::primitives::{keccak256, Address, Bytes, B256, U256};
use alloy::providers::Provider;
use alloy::rpc::types::TransactionReceipt;
use serde::Serialize;

use super::contracts::{self, IEAS};
use super::eas::{gas_with_headroom, AttestRequest};
use super::network::{self, Connection, Network};
use super::schema::{self, AttestationData, HallmarkSchema};
use super::AttestError;
use crate::keys::Secp256k1Key;
use crate::store::{AttestationFilter, AttestationRecord, Enqueued, NewAttestation, Store, StoreError};

/// Lock file (in the data folder) held by the running worker.
pub const LOCK_FILE: &str = "attest-worker.lock";

/// The most gas one transaction may use on chains with EIP-7825 (Osaka): 2^24. A batch whose
/// gas limit would exceed it is sent in smaller parts.
pub const MAX_TX_GAS: u64 = 16_777_216;

/// How the worker paces itself.
#[derive(Debug, Clone)]
pub struct WorkerOptions {
    /// Time limit of one RPC request.
    pub rpc_timeout: Duration,
    /// How often to look at sent transactions and due items.
    pub poll: Duration,
    /// Most attestations in one `multiAttest` transaction (fewer when they would not fit under
    /// [`MAX_TX_GAS`]: about 40 content attestations do).
    pub max_batch: usize,
    /// First retry delay after a temporary problem; doubles with each attempt.
    pub base_backoff: Duration,
    /// Longest retry delay.
    pub max_backoff: Duration,
}

impl Default for WorkerOptions {
    fn default() -> Self {
        WorkerOptions {
            rpc_timeout: super::DEFAULT_RPC_TIMEOUT,
            poll: Duration::from_secs(2),
            max_batch: 50,
            base_backoff: Duration::from_secs(5),
            max_backoff: Duration::from_secs(300),
        }
    }
}

/// One attestation to queue: what, and how people will recognise it.
#[derive(Debug, Clone)]
pub struct QueueRequest {
    /// The attestation.
    pub request: AttestRequest,
    /// What it is about, for people (a file name, a credential).
    pub label: String,
    /// Where it came from (a file path, a credential id).
    pub source: Option<String>,
}

/// The dedup key of an attestation: keccak256 of its schema UID and encoded data (with the
/// recipient, expiry and reference), hex.
pub fn dedup_key(request: &AttestRequest) -> String {
    let mut bytes = request.data.schema().uid().to_vec();
    bytes.extend_from_slice(request.recipient.as_slice());
    bytes.extend_from_slice(&request.expiration_time.to_be_bytes());
    bytes.extend_from_slice(request.ref_uid.as_slice());
    bytes.extend_from_slice(&request.data.encode());
    keccak256(bytes).to_string()
}

fn content_sha256(data: &AttestationData) -> Option<String> {
    match data {
        AttestationData::Content { content_sha256, .. } => Some(content_sha256.to_string()),
        _ => None,
    }
}

/// The outbox row for `q` on `network`, attested by `attester`.
pub fn new_attestation(
    network: &Network,
    attester: Address,
    q: &QueueRequest,
    confirmations: u32,
    forced: bool,
) -> Result<NewAttestation, AttestError> {
    q.request.data.validate()?;
    let schema = q.request.data.schema();
    Ok(NewAttestation {
        network: network.name.clone(),
        chain_id: network.chain_id,
        eas: network.eas.to_checksum(None),
        attester: attester.to_checksum(None),
        kind: "attest",
        schema: schema.as_str().into(),
        schema_uid: schema.uid().to_string(),
        data: Some(serde_json::to_value(&q.request.data).expect("attestation data serialises")),
        content_sha256: content_sha256(&q.request.data),
        dedup_key: dedup_key(&q.request),
        label: q.label.clone(),
        source: q.source.clone(),
        recipient: q.request.recipient.to_checksum(None),
        expiration_time: q.request.expiration_time,
        ref_uid: q.request.ref_uid.to_string(),
        confirmations: confirmations.max(1),
        forced,
    })
}

/// Queues attestations on `network` (all or none). Identical live ones are not queued again
/// ([`Enqueued::Existing`]) unless `force`.
pub fn enqueue(
    store: &mut Store,
    network: &Network,
    attester: Address,
    requests: &[QueueRequest],
    confirmations: u32,
    force: bool,
) -> Result<Vec<Enqueued>, AttestError> {
    if requests.is_empty() {
        return Err(AttestError::InvalidInput("there is nothing to attest".into()));
    }
    let rows = requests
        .iter()
        .map(|q| new_attestation(network, attester, q, confirmations, force))
        .collect::<Result<Vec<_>, _>>()?;
    Ok(store.enqueue_attestations(&rows)?)
}

/// Queues the revocation of attestation `uid` (of `schema`) on `network`.
pub fn enqueue_revoke(
    store: &mut Store,
    network: &Network,
    attester: Address,
    uid: B256,
    schema: HallmarkSchema,
    label: &str,
    confirmations: u32,
) -> Result<Enqueued, AttestError> {
    let row = NewAttestation {
        network: network.name.clone(),
        chain_id: network.chain_id,
        eas: network.eas.to_checksum(None),
        attester: attester.to_checksum(None),
        kind: "revoke",
        schema: schema.as_str().into(),
        schema_uid: schema.uid().to_string(),
        data: None,
        content_sha256: None,
        dedup_key: format!("revoke:{uid}"),
        label: label.to_string(),
        source: None,
        recipient: Address::ZERO.to_checksum(None),
        expiration_time: 0,
        ref_uid: uid.to_string(),
        confirmations: confirmations.max(1),
        forced: false,
    };
    Ok(store.enqueue_attestations(std::slice::from_ref(&row))?.remove(0))
}

/// Whether a problem may go away by itself (the item stays queued and is retried) rather than
/// being a refusal (the item fails).
pub fn is_temporary(e: &AttestError) -> bool {
    matches!(
        e,
        AttestError::RpcUnreachable { .. }
            | AttestError::RpcTimeout { .. }
            | AttestError::Rpc { .. }
            | AttestError::WrongChain { .. }
            | AttestError::NoContract { .. }
            | AttestError::InsufficientFunds { .. }
            | AttestError::NotConfirmed { .. }
            | AttestError::UnknownNetwork(_)
            | AttestError::DevnetNotRunning
            | AttestError::Damaged { .. }
            | AttestError::Store(StoreError::Busy)
            | AttestError::Io(_)
    )
}

/// What one [`Worker::step`] did.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct StepReport {
    /// Items whose row changed.
    pub changed: Vec<i64>,
    /// Items still queued or sent.
    pub pending: usize,
    /// Seconds until the earliest queued item is due (0: now or none).
    pub next_due_in: u64,
}

/// When [`Worker::run`] returns.
#[derive(Debug, Clone)]
pub enum Until {
    /// When nothing is queued or sent any more.
    Idle,
    /// When all these items are confirmed, failed or gone.
    Settled(Vec<i64>),
    /// Only when cancelled.
    Cancelled,
}

/// The queue's worker: holds the wallet's Ethereum key and the worker lock.
pub struct Worker {
    data_dir: PathBuf,
    key: std::sync::Arc<Secp256k1Key>,
    address: Address,
    store: Mutex<Store>,
    options: WorkerOptions,
    _lock: File,
}

impl std::fmt::Debug for Worker {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Worker").field("data_dir", &self.data_dir).field("address", &self.address).finish()
    }
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn signer_address(key: &Secp256k1Key) -> Result<Address, AttestError> {
    alloy::signers::local::PrivateKeySigner::from_bytes(&B256::from(*key.secret_bytes()))
        .map(|s| s.address())
        .map_err(|_| AttestError::InvalidInput("the wallet's Ethereum key is not a valid secp256k1 key".into()))
}

impl Worker {
    /// Takes the worker lock of `data_dir` and opens the store. `None` when another worker (the
    /// app, another `hallmark` command) holds the lock: it will send the queue.
    pub fn acquire(data_dir: &Path, key: Secp256k1Key, options: WorkerOptions) -> Result<Option<Worker>, AttestError> {
        crate::fsutil::ensure_private_dir(data_dir)?;
        let lock = OpenOptions::new().create(true).truncate(false).write(true).open(data_dir.join(LOCK_FILE))?;
        match lock.try_lock() {
            Ok(()) => {}
            Err(std::fs::TryLockError::WouldBlock) => return Ok(None),
            Err(std::fs::TryLockError::Error(e)) => return Err(e.into()),
        }
        let address = signer_address(&key)?;
        let key = std::sync::Arc::new(key);
        let mut store = Store::open(data_dir)?;
        // The worker signs its activity log entries (attestations confirmed) as the account.
        store.set_log_signer(Some(std::sync::Arc::new(AccountSigner {
            actor: crate::wallet::ethereum_actor(&key),
            key: key.clone(),
        })));
        Ok(Some(Worker {
            data_dir: data_dir.to_path_buf(),
            key,
            address,
            store: Mutex::new(store),
            options,
            _lock: lock,
        }))
    }

    /// The account it attests with.
    pub fn address(&self) -> Address {
        self.address
    }

    fn store(&self) -> std::sync::MutexGuard<'_, Store> {
        self.store.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn backoff(&self, attempts: u32) -> i64 {
        let base = self.options.base_backoff.as_secs_f64().max(1.0);
        let secs = (base * 2f64.powi(attempts.min(20) as i32)).min(self.options.max_backoff.as_secs_f64().max(base));
        unix_now() + secs.ceil() as i64
    }

    /// Items of this worker's account that are queued or sent.
    pub fn pending(&self) -> Result<Vec<AttestationRecord>, AttestError> {
        Ok(self.store().pending_attestations(&self.address.to_checksum(None))?)
    }

    /// One pass over every network with pending items: settles sent transactions, then sends
    /// one transaction of due queued items per network.
    pub async fn step(&self) -> Result<StepReport, AttestError> {
        let mut report = StepReport::default();
        if let Err(e) = self.anchor_if_due(&mut report) {
            tracing::warn!("the activity log could not be anchored: {e}");
        }
        let pending = self.pending()?;
        let mut by_network: BTreeMap<String, Vec<AttestationRecord>> = BTreeMap::new();
        for row in pending {
            by_network.entry(row.network.clone()).or_default().push(row);
        }
        for (name, rows) in by_network {
            self.step_network(&name, rows, &mut report).await?;
        }
        let after = self.pending()?;
        report.pending = after.len();
        let now = unix_now();
        report.next_due_in = after
            .iter()
            .filter(|r| r.state == "queued")
            .map(|r| (r.next_attempt_at - now).max(0) as u64)
            .min()
            .unwrap_or(0);
        report.changed.sort_unstable();
        report.changed.dedup();
        Ok(report)
    }

    /// Queues an anchor of the activity log's head when the wallet's anchoring policy says one
    /// is due ([`crate::wallet::log::AnchorPolicy`]) and none is queued or sent already.
    fn anchor_if_due(&self, report: &mut StepReport) -> Result<(), AttestError> {
        let mut store = self.store();
        let Some(text) = store.meta(crate::wallet::log::META_ANCHORING)? else { return Ok(()) };
        let Ok(policy) = serde_json::from_str::<crate::wallet::log::AnchorPolicy>(&text) else { return Ok(()) };
        let mine = self.address.to_checksum(None);
        let anchors: Vec<AttestationRecord> =
            store.attestations(&crate::wallet::log::log_heads())?.into_iter().filter(|r| r.attester == mine).collect();
        if anchors.iter().any(|r| r.state == "queued" || r.state == "sent") {
            return Ok(());
        }
        let last = anchors
            .iter()
            .filter(|r| r.state == "confirmed")
            .filter_map(|r| match serde_json::from_value::<AttestationData>(r.data.clone()?).ok()? {
                AttestationData::LogHead { count, .. } => Some(count),
                _ => None,
            })
            .max()
            .unwrap_or(0);
        if store.log_entries_to_anchor(last)? < policy.every {
            return Ok(());
        }
        let (count, head) = store.log_head()?;
        let network = network::get(&self.data_dir, &policy.network)?;
        let q = QueueRequest {
            request: AttestRequest::new(AttestationData::LogHead {
                head: super::parse_b256(&head, "the log head")?,
                count,
            }),
            label: format!("activity log, entries 1–{count}"),
            source: None,
        };
        let queued =
            enqueue(&mut store, &network, self.address, std::slice::from_ref(&q), policy.confirmations, false)?;
        report.changed.extend(queued.iter().map(|e| e.record().id));
        tracing::info!(count, network = %network.name, "activity log anchor queued");
        Ok(())
    }

    async fn step_network(
        &self,
        name: &str,
        rows: Vec<AttestationRecord>,
        report: &mut StepReport,
    ) -> Result<(), AttestError> {
        let now = unix_now();
        let queued_ids: Vec<i64> = rows.iter().filter(|r| r.state == "queued").map(|r| r.id).collect();
        let due = rows.iter().any(|r| r.state == "queued" && r.next_attempt_at <= now);
        let sent = rows.iter().any(|r| r.state == "sent");
        if !due && !sent {
            return Ok(());
        }
        let network = match network::get(&self.data_dir, name) {
            Ok(n) => n,
            Err(e) => return self.temporary(&rows, &e, report),
        };
        // A network whose chain or contract changed under the same name cannot take these items.
        let moved: Vec<&AttestationRecord> =
            rows.iter().filter(|r| r.chain_id != network.chain_id || r.eas != network.eas.to_checksum(None)).collect();
        if !moved.is_empty() {
            let e = AttestError::InvalidInput(format!(
                "network \"{name}\" now names another chain or EAS contract than when this was queued: queue it again"
            ));
            let ids: Vec<i64> = moved.iter().filter(|r| r.state == "queued").map(|r| r.id).collect();
            self.store().mark_attestations_failed(&ids, "network_changed", &e.to_string())?;
            report.changed.extend(ids);
            return Ok(());
        }
        let conn = match network::connect(&network, Some(self.key.as_ref()), self.options.rpc_timeout).await {
            Ok(c) => c,
            Err(e) => return self.temporary(&rows, &e, report),
        };
        // 1. Sent transactions, oldest nonce first.
        let mut txs: BTreeMap<(u64, String), Vec<AttestationRecord>> = BTreeMap::new();
        for r in rows.iter().filter(|r| r.state == "sent") {
            let key = (r.tx_nonce.unwrap_or_default(), r.tx_hash.clone().unwrap_or_default());
            txs.entry(key).or_default().push(r.clone());
        }
        let mut outstanding = false;
        for ((_, tx_hash), items) in txs {
            match self.settle(&conn, &tx_hash, &items, report).await {
                Ok(done) => outstanding |= !done,
                Err(e) if is_temporary(&e) => {
                    self.store().note_attestations_problem(&tx_hash, e.code(), &e.to_string())?;
                    return Ok(());
                }
                Err(e) => return Err(e),
            }
        }
        // One transaction in flight per account and network: the next waits for it.
        if outstanding {
            return Ok(());
        }
        // 2. Due queued items.
        let due: Vec<AttestationRecord> = self
            .store()
            .attestations(&AttestationFilter {
                ids: Some(queued_ids),
                state: Some("queued".into()),
                ..Default::default()
            })?
            .into_iter()
            .rev()
            .filter(|r| r.next_attempt_at <= unix_now())
            .collect();
        if due.is_empty() {
            return Ok(());
        }
        let batch: Vec<AttestationRecord> = match due.iter().find(|r| r.kind == "revoke") {
            Some(first) if due[0].kind == "revoke" => vec![first.clone()],
            _ => due.into_iter().take_while(|r| r.kind == "attest").take(self.options.max_batch.max(1)).collect(),
        };
        let mut batch = batch;
        let first = loop {
            match self.send(&conn, &batch, report).await {
                // Over the per-transaction gas cap: send fewer now, the rest on the next pass.
                Ok(Some(fits)) if fits < batch.len() => batch.truncate(fits.max(1)),
                other => break other.map(|_| ()),
            }
        };
        match first {
            Ok(()) => Ok(()),
            Err(e) if is_temporary(&e) => self.temporary(&batch, &e, report),
            Err(e) if batch.len() > 1 && matches!(e, AttestError::Reverted { .. }) => {
                // One bad item refuses the whole multiAttest: try them one by one.
                for item in &batch {
                    match self.send(&conn, std::slice::from_ref(item), report).await {
                        Ok(_) => {
                            // Settle before the next so one transaction is in flight at a time.
                            let tx = self.store().attestation(item.id)?.and_then(|r| r.tx_hash);
                            if let Some(tx) = tx {
                                let rows = self.sent_rows(&tx)?;
                                if !self.settle(&conn, &tx, &rows, report).await.unwrap_or(false) {
                                    return Ok(());
                                }
                            }
                        }
                        Err(e) if is_temporary(&e) => return self.temporary(std::slice::from_ref(item), &e, report),
                        Err(e) => self.fail(&[item.id], &e, report)?,
                    }
                }
                Ok(())
            }
            Err(e) => self.fail(&batch.iter().map(|r| r.id).collect::<Vec<_>>(), &e, report),
        }
    }

    fn sent_rows(&self, tx: &str) -> Result<Vec<AttestationRecord>, AttestError> {
        Ok(self.pending()?.into_iter().filter(|r| r.tx_hash.as_deref() == Some(tx)).collect())
    }

    /// Notes a temporary problem: queued items are retried later, sent ones keep their transaction.
    fn temporary(
        &self,
        rows: &[AttestationRecord],
        e: &AttestError,
        report: &mut StepReport,
    ) -> Result<(), AttestError> {
        tracing::warn!(code = e.code(), "attestation queue: temporary problem: {e}");
        let mut store = self.store();
        for r in rows {
            if r.state == "queued" {
                store.defer_attestations(&[r.id], e.code(), &e.to_string(), self.backoff(r.attempts), true)?;
            } else if let Some(tx) = &r.tx_hash {
                store.note_attestations_problem(tx, e.code(), &e.to_string())?;
            }
            report.changed.push(r.id);
        }
        Ok(())
    }

    fn fail(&self, ids: &[i64], e: &AttestError, report: &mut StepReport) -> Result<(), AttestError> {
        tracing::warn!(code = e.code(), "attestation refused: {e}");
        self.store().mark_attestations_failed(ids, e.code(), &e.to_string())?;
        report.changed.extend_from_slice(ids);
        Ok(())
    }

    /// Signs, records and broadcasts one transaction for `batch` (attestations, or one revocation).
    /// `Ok(Some(n))`: nothing was sent because the transaction would exceed [`MAX_TX_GAS`]; about
    /// `n` of the items fit.
    async fn send(
        &self,
        conn: &Connection,
        batch: &[AttestationRecord],
        report: &mut StepReport,
    ) -> Result<Option<usize>, AttestError> {
        let eas = IEAS::new(conn.network.eas, &conn.provider);
        let (tx_request, order): (alloy::rpc::types::TransactionRequest, Vec<i64>) = if batch[0].kind == "revoke" {
            let uid = super::parse_b256(&batch[0].ref_uid, "the attestation UID")?;
            let schema = super::parse_b256(&batch[0].schema_uid, "the schema UID")?;
            let call = eas.revoke(contracts::RevocationRequest {
                schema,
                data: contracts::RevocationRequestData { uid, value: U256::ZERO },
            });
            let gas = conn.contract(call.estimate_gas()).await?;
            (call.into_transaction_request().with_gas_limit(gas_with_headroom(gas)), vec![batch[0].id])
        } else {
            let requests = batch.iter().map(request_of).collect::<Result<Vec<_>, _>>()?;
            for s in HallmarkSchema::ALL {
                if requests.iter().any(|r| r.data.schema() == s) {
                    schema::ensure_registered(conn, s).await?;
                }
            }
            // Grouped by schema, in a stable order: the events come back in this order.
            let groups = super::eas::by_schema(&requests);
            let order: Vec<i64> = groups.iter().flat_map(|(_, idx)| idx.iter().map(|&i| batch[i].id)).collect();
            if requests.len() == 1 {
                let call = eas.attest(contracts::AttestationRequest {
                    schema: requests[0].data.schema().uid(),
                    data: requests[0].to_contract(),
                });
                let gas = conn.contract(call.estimate_gas()).await?;
                (call.into_transaction_request().with_gas_limit(gas_with_headroom(gas)), order)
            } else {
                let call = eas.multiAttest(super::eas::multi_requests(&requests, &groups));
                let gas = conn.contract(call.estimate_gas()).await?;
                let limit = gas_with_headroom(gas);
                if limit > MAX_TX_GAS {
                    let fits = (batch.len() as u128 * u128::from(MAX_TX_GAS) / u128::from(limit)) as usize;
                    return Ok(Some(fits.saturating_sub(1).max(1)));
                }
                (call.into_transaction_request().with_gas_limit(limit), order)
            }
        };
        let from = conn.signer_address()?;
        let wallet = conn.wallet.as_ref().ok_or_else(|| AttestError::InvalidInput("no key to sign with".into()))?;
        let nonce = conn.rpc(conn.provider.get_transaction_count(from).pending()).await?;
        let fees = conn.rpc(conn.provider.estimate_eip1559_fees()).await?;
        let tx = tx_request
            .with_from(from)
            .with_nonce(nonce)
            .with_chain_id(conn.network.chain_id)
            .with_max_fee_per_gas(fees.max_fee_per_gas)
            .with_max_priority_fee_per_gas(fees.max_priority_fee_per_gas);
        let envelope = tx
            .build(wallet)
            .await
            .map_err(|e| AttestError::InvalidInput(format!("the transaction could not be signed: {e}")))?;
        let tx_hash = envelope.tx_hash().to_string();
        let raw = Bytes::from(envelope.encoded_2718());
        let items: Vec<(i64, u32)> = order.iter().enumerate().map(|(i, id)| (*id, i as u32)).collect();
        // Recorded before it leaves: a crash from here on finds this very transaction again.
        if !self.store().mark_attestations_sent(&items, &tx_hash, nonce, &raw.to_string())? {
            return Ok(None); // taken meanwhile (cancelled): nothing was broadcast
        }
        report.changed.extend(order.iter().copied());
        tracing::info!(tx = %tx_hash, nonce, items = order.len(), network = %conn.network.name, "attestation transaction signed and recorded");
        self.broadcast(conn, &tx_hash, &raw).await?;
        // A chain that mines at once (the devnet) settles here; others on a later pass.
        let rows = self.sent_rows(&tx_hash)?;
        if let Err(e) = self.settle(conn, &tx_hash, &rows, report).await {
            if !is_temporary(&e) {
                return Err(e);
            }
        }
        Ok(None)
    }

    /// Broadcasts recorded bytes. A node that says it has them already is fine. A node that
    /// refuses them leaves the items sent; [`Worker::settle`] decides what to do next.
    async fn broadcast(&self, conn: &Connection, tx_hash: &str, raw: &Bytes) -> Result<(), AttestError> {
        match conn.rpc(conn.provider.send_raw_transaction(raw)).await {
            Ok(_) => Ok(()),
            Err(e) => {
                let text = e.to_string().to_ascii_lowercase();
                if text.contains("already known") || text.contains("already imported") {
                    return Ok(());
                }
                tracing::warn!(tx = %tx_hash, "broadcast refused: {e}");
                self.store().note_attestations_problem(tx_hash, e.code(), &e.to_string())?;
                if is_temporary(&e) {
                    Ok(())
                } else {
                    Err(e)
                }
            }
        }
    }

    /// Looks up a sent transaction and moves its items on. True when they are settled
    /// (confirmed, failed or queued again), false while still waiting.
    async fn settle(
        &self,
        conn: &Connection,
        tx_hash: &str,
        items: &[AttestationRecord],
        report: &mut StepReport,
    ) -> Result<bool, AttestError> {
        if items.is_empty() {
            return Ok(true);
        }
        let hash = super::parse_b256(tx_hash, "the transaction hash")?;
        let ids: Vec<i64> = items.iter().map(|r| r.id).collect();
        if let Some(receipt) = conn.rpc(conn.provider.get_transaction_receipt(hash)).await? {
            return self.settle_mined(conn, tx_hash, &receipt, items, report).await;
        }
        if conn.rpc(conn.provider.get_transaction_by_hash(hash)).await?.is_some() {
            return Ok(false); // in the node's pool: wait
        }
        // Unknown to the node (dropped, or never broadcast before a crash): send the same bytes.
        let Some(raw) = self.store().raw_transaction(tx_hash)? else { return Ok(false) };
        let raw: Bytes = raw.parse().map_err(|_| AttestError::InvalidInput("damaged recorded transaction".into()))?;
        match self.broadcast(conn, tx_hash, &raw).await {
            Ok(()) => {
                tracing::info!(tx = %tx_hash, "attestation transaction broadcast again");
                // The devnet mines it at once.
                if let Some(receipt) = conn.rpc(conn.provider.get_transaction_receipt(hash)).await? {
                    return self.settle_mined(conn, tx_hash, &receipt, items, report).await;
                }
                Ok(false)
            }
            Err(e) => {
                let text = e.to_string().to_ascii_lowercase();
                if !text.contains("nonce") {
                    return Err(e);
                }
                // Its nonce is taken. Mined after all (a race)? Otherwise it can never be mined.
                if let Some(receipt) = conn.rpc(conn.provider.get_transaction_receipt(hash)).await? {
                    return self.settle_mined(conn, tx_hash, &receipt, items, report).await;
                }
                tracing::warn!(tx = %tx_hash, "another transaction used this nonce; queueing the items again");
                self.store().defer_attestations(
                    &ids,
                    "tx_replaced",
                    "its transaction was replaced by another with the same nonce; sending it again",
                    unix_now(),
                    false,
                )?;
                report.changed.extend(ids);
                Ok(true)
            }
        }
    }

    async fn settle_mined(
        &self,
        conn: &Connection,
        tx_hash: &str,
        receipt: &TransactionReceipt,
        items: &[AttestationRecord],
        report: &mut StepReport,
    ) -> Result<bool, AttestError> {
        let ids: Vec<i64> = items.iter().map(|r| r.id).collect();
        if !receipt.status() {
            let e = AttestError::TxFailed { tx: receipt.transaction_hash };
            self.fail(&ids, &e, report)?;
            return Ok(true);
        }
        let block = receipt.block_number.unwrap_or_default();
        let latest = conn.rpc(conn.provider.get_block_number()).await?;
        let have = latest.saturating_sub(block) + 1;
        let need = items.iter().map(|r| r.confirmations).max().unwrap_or(1) as u64;
        if have < need {
            let mut store = self.store();
            store.note_attestations_problem(
                tx_hash,
                "awaiting_confirmations",
                &format!("mined in block {block}; {have} of {need} confirmations"),
            )?;
            return Ok(false);
        }
        let uids: Vec<String> = receipt
            .inner
            .logs()
            .iter()
            .filter(|l| l.address() == conn.network.eas)
            .filter_map(|l| l.log_decode::<IEAS::Attested>().ok())
            .map(|l| l.inner.data.uid.to_string())
            .collect();
        let attests = items.iter().filter(|r| r.kind == "attest").count();
        if uids.len() != attests {
            let e = AttestError::Rpc {
                network: conn.network.name.clone(),
                reason: format!("transaction {tx_hash} made {} attestations instead of {attests}", uids.len()),
            };
            self.fail(&ids, &e, report)?;
            return Ok(true);
        }
        self.store().mark_attestations_confirmed(tx_hash, block, &uids)?;
        tracing::info!(tx = %tx_hash, block, items = ids.len(), "attestations confirmed");
        report.changed.extend(ids);
        Ok(true)
    }

    /// Runs [`Worker::step`] until `until` holds or `cancel` is set, calling `on_step` after each
    /// pass. Between passes it sleeps [`WorkerOptions::poll`] (or until the next item is due).
    /// An error that is not temporary (the database failing) ends the run.
    pub async fn run(
        &self,
        until: Until,
        cancel: &AtomicBool,
        mut on_step: impl FnMut(&StepReport),
    ) -> Result<(), AttestError> {
        loop {
            if cancel.load(Ordering::Relaxed) {
                return Ok(());
            }
            let report = self.step().await?;
            on_step(&report);
            let done = match &until {
                Until::Idle => report.pending == 0,
                Until::Settled(ids) => {
                    let rows = self
                        .store()
                        .attestations(&AttestationFilter { ids: Some(ids.clone()), ..Default::default() })?;
                    rows.iter().all(|r| r.state != "queued" && r.state != "sent")
                }
                Until::Cancelled => false,
            };
            if done {
                return Ok(());
            }
            let mut wait = self.options.poll;
            if report.pending > 0 && report.next_due_in > 0 && !self.pending()?.iter().any(|r| r.state == "sent") {
                wait = wait.max(Duration::from_secs(report.next_due_in).min(Duration::from_secs(5)));
            }
            let deadline = std::time::Instant::now() + wait;
            while std::time::Instant::now() < deadline {
                if cancel.load(Ordering::Relaxed) {
                    return Ok(());
                }
                tokio::time::sleep(Duration::from_millis(50).min(wait)).await;
            }
        }
    }
}

/// Signs the worker's activity log entries with the account's key (its did:pkh only).
struct AccountSigner {
    key: std::sync::Arc<Secp256k1Key>,
    actor: Option<String>,
}

impl crate::activity::LogSigner for AccountSigner {
    fn sign(
        &self,
        actor: &str,
        _identity: Option<&crate::store::Identity>,
        message: &[u8],
    ) -> Result<crate::activity::EntrySig, crate::activity::ActivityError> {
        if self.actor.as_deref() != Some(actor) {
            return Err(crate::activity::ActivityError::NotOurs(actor.to_string()));
        }
        crate::activity::sign_eip191(&self.key, message)
    }

    fn ethereum_actor(&self) -> Option<String> {
        self.actor.clone()
    }
}

fn request_of(r: &AttestationRecord) -> Result<AttestRequest, AttestError> {
    let damaged = |what: &str| AttestError::InvalidInput(format!("queued attestation {} has damaged {what}", r.id));
    let data: AttestationData =
        r.data.as_ref().and_then(|d| serde_json::from_value(d.clone()).ok()).ok_or_else(|| damaged("data"))?;
    Ok(AttestRequest {
        data,
        recipient: super::parse_address(&r.recipient, "the recipient").map_err(|_| damaged("recipient"))?,
        expiration_time: r.expiration_time,
        ref_uid: super::parse_b256(&r.ref_uid, "the reference").map_err(|_| damaged("reference"))?,
    })
}
