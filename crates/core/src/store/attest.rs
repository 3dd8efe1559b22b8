//! The attestation outbox and index (migration 6).
//!
//! One table, `attestations`, holds every attestation this wallet made or asked for: on-chain
//! ones from the moment they are queued until they are confirmed (or failed), and off-chain ones
//! once signed. It is both the durable queue the worker ([`crate::attest::queue`]) drains and
//! the local index `attest list` and `attest lookup` read.
//!
//! **States** — `queued` (waiting to be sent; `next_attempt_at` says when), `sent` (a signed
//! transaction exists: its hash, nonce and raw bytes are recorded *before* it is broadcast, so
//! a worker killed at any point finds it again and either sees it mined or broadcasts the very
//! same bytes again — never a second transaction for the same items), `confirmed` (mined with
//! enough confirmations; the UID is known), `failed` (refused for good, with the reason),
//! `signed` (an off-chain attestation).
//!
//! **Idempotency** — a partial unique index allows one live on-chain attestation per chain, EAS
//! contract, attester and *dedup key* (a hash of the schema and data; for a revocation, of the
//! UID revoked). Asking again returns the existing row instead of queueing a second one, unless
//! the caller forces it (`forced = 1` rows are outside the index). A failed or revoked row does
//! not block a new one.
//!
//! Every function is a single transaction.

use rusqlite::{params, Connection, OptionalExtension, Row, TransactionBehavior};
use serde::Serialize;

use super::{now, Store, StoreError};
use crate::activity::{Draft, LogSigner};

/// A row of the outbox/index. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AttestationRecord {
    /// Local id (for `attest status`, `retry`, `cancel`).
    pub id: i64,
    /// Network name.
    pub network: String,
    /// Its chain id.
    pub chain_id: u64,
    /// EAS contract address.
    pub eas: String,
    /// The attesting account.
    pub attester: String,
    /// `onchain` or `offchain`.
    pub mode: String,
    /// `attest` or `revoke`.
    pub kind: String,
    /// Hallmark schema name (`content`, `humanity`, `membership`).
    pub schema: String,
    /// Schema UID.
    pub schema_uid: String,
    /// The attestation data (JSON of [`crate::attest::AttestationData`]); none for a revocation.
    pub data: Option<serde_json::Value>,
    /// For content attestations: the file's SHA-256 (hex, 0x-prefixed).
    pub content_sha256: Option<String>,
    /// What it is about, for people (a file name, a credential).
    pub label: String,
    /// Where it came from (a file path, a credential id), if any.
    pub source: Option<String>,
    /// Recipient address (zero: nobody in particular).
    pub recipient: String,
    /// Expiry, Unix seconds (0: never).
    pub expiration_time: u64,
    /// Referenced attestation UID (zero: none).
    pub ref_uid: String,
    /// Confirmations required before it counts as confirmed.
    pub confirmations: u32,
    /// `queued`, `sent`, `confirmed`, `failed` or `signed`.
    pub state: String,
    /// Asked for even though an identical one existed.
    pub forced: bool,
    /// Send attempts that met a temporary problem.
    pub attempts: u32,
    /// When the worker tries next (Unix seconds), for queued rows.
    pub next_attempt_at: i64,
    /// Stable code of the last problem (temporary for queued rows, final for failed ones).
    pub error_code: Option<String>,
    /// The last problem, in words.
    pub error: Option<String>,
    /// Transaction hash, once sent.
    pub tx_hash: Option<String>,
    /// Transaction nonce, once sent.
    pub tx_nonce: Option<u64>,
    /// Position among the transaction's attestations.
    pub tx_index: Option<u32>,
    /// Block it was mined in.
    pub block_number: Option<u64>,
    /// The attestation UID (on-chain once confirmed; off-chain at once); for a revocation, the UID revoked.
    pub uid: Option<String>,
    /// When a revocation of it was confirmed.
    pub revoked_at: Option<String>,
    /// The off-chain attestation (EAS JSON), for `signed` rows.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub offchain: Option<serde_json::Value>,
    /// When it was asked for (RFC 3339).
    pub created_at: String,
    /// Last change (RFC 3339).
    pub updated_at: String,
}

/// What [`Store::enqueue_attestations`] and [`Store::record_offchain`] need.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewAttestation {
    /// Network name.
    pub network: String,
    /// Chain id.
    pub chain_id: u64,
    /// EAS address.
    pub eas: String,
    /// Attester address.
    pub attester: String,
    /// `attest` or `revoke`.
    pub kind: &'static str,
    /// Schema name.
    pub schema: String,
    /// Schema UID.
    pub schema_uid: String,
    /// Data JSON (attest only).
    pub data: Option<serde_json::Value>,
    /// File SHA-256 for content.
    pub content_sha256: Option<String>,
    /// Dedup key (hex).
    pub dedup_key: String,
    /// Label.
    pub label: String,
    /// Source.
    pub source: Option<String>,
    /// Recipient.
    pub recipient: String,
    /// Expiry.
    pub expiration_time: u64,
    /// Referenced UID; for a revocation, the UID to revoke.
    pub ref_uid: String,
    /// Confirmations required.
    pub confirmations: u32,
    /// Queue even if an identical live one exists.
    pub forced: bool,
}

/// What enqueueing one request did.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "outcome", rename_all = "snake_case")]
pub enum Enqueued {
    /// Queued now.
    Queued {
        /// The new row.
        record: AttestationRecord,
    },
    /// An identical attestation is queued, sent or confirmed already: nothing was added.
    Existing {
        /// The existing row.
        record: AttestationRecord,
    },
}

impl Enqueued {
    /// The row, new or existing.
    pub fn record(&self) -> &AttestationRecord {
        match self {
            Enqueued::Queued { record } | Enqueued::Existing { record } => record,
        }
    }
}

/// Which rows [`Store::attestations`] returns.
#[derive(Debug, Clone, Default)]
pub struct AttestationFilter {
    /// Only these ids.
    pub ids: Option<Vec<i64>>,
    /// Only in this state.
    pub state: Option<String>,
    /// Only on this network.
    pub network: Option<String>,
    /// Only about this file hash (hex, 0x-prefixed).
    pub content_sha256: Option<String>,
    /// Only of this Hallmark schema (`content`, `log_head`…).
    pub schema: Option<String>,
    /// At most this many, newest first.
    pub limit: Option<u32>,
}

/// How many rows are in each state.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct QueueCounts {
    /// Waiting to be sent.
    pub queued: u32,
    /// Sent, waiting for confirmations.
    pub sent: u32,
    /// Confirmed.
    pub confirmed: u32,
    /// Failed.
    pub failed: u32,
    /// Off-chain, signed.
    pub signed: u32,
}

const COLUMNS: &str = "id, network, chain_id, eas, attester, mode, kind, schema, schema_uid, data, content_sha256,
    label, source, recipient, expiration_time, ref_uid, confirmations, state, forced, attempts, next_attempt_at,
    error_code, error, tx_hash, tx_nonce, tx_index, block_number, uid, revoked_at, offchain, created_at, updated_at";

fn json_col(row: &Row<'_>, i: usize) -> rusqlite::Result<Option<serde_json::Value>> {
    let text: Option<String> = row.get(i)?;
    Ok(text.and_then(|t| serde_json::from_str(&t).ok()))
}

fn from_row(row: &Row<'_>) -> rusqlite::Result<AttestationRecord> {
    Ok(AttestationRecord {
        id: row.get(0)?,
        network: row.get(1)?,
        chain_id: row.get::<_, i64>(2)? as u64,
        eas: row.get(3)?,
        attester: row.get(4)?,
        mode: row.get(5)?,
        kind: row.get(6)?,
        schema: row.get(7)?,
        schema_uid: row.get(8)?,
        data: json_col(row, 9)?,
        content_sha256: row.get(10)?,
        label: row.get(11)?,
        source: row.get(12)?,
        recipient: row.get(13)?,
        expiration_time: row.get::<_, i64>(14)? as u64,
        ref_uid: row.get(15)?,
        confirmations: row.get(16)?,
        state: row.get(17)?,
        forced: row.get::<_, i64>(18)? != 0,
        attempts: row.get(19)?,
        next_attempt_at: row.get(20)?,
        error_code: row.get(21)?,
        error: row.get(22)?,
        tx_hash: row.get(23)?,
        tx_nonce: row.get::<_, Option<i64>>(24)?.map(|n| n as u64),
        tx_index: row.get(25)?,
        block_number: row.get::<_, Option<i64>>(26)?.map(|n| n as u64),
        uid: row.get(27)?,
        revoked_at: row.get(28)?,
        offchain: json_col(row, 29)?,
        created_at: row.get(30)?,
        updated_at: row.get(31)?,
    })
}

fn query<P: rusqlite::Params>(conn: &Connection, tail: &str, p: P) -> Result<Vec<AttestationRecord>, StoreError> {
    let mut stmt = conn.prepare(&format!("SELECT {COLUMNS} FROM attestations {tail}"))?;
    let rows = stmt.query_map(p, from_row)?.collect::<Result<Vec<_>, _>>()?;
    Ok(rows)
}

fn by_id(conn: &Connection, id: i64) -> Result<AttestationRecord, StoreError> {
    query(conn, "WHERE id = ?1", [id])?.into_iter().next().ok_or_else(|| no_such(id))
}

fn no_such(_id: i64) -> StoreError {
    StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows)
}

/// The activity log entry of an attestation: signed by the wallet's Ethereum account.
fn log_draft(
    signer: Option<&dyn LogSigner>,
    row: &AttestationRecord,
    action: &str,
    uid: &str,
) -> Result<Draft, StoreError> {
    let actor =
        signer.and_then(|s| s.ethereum_actor()).ok_or(StoreError::Log(crate::activity::ActivityError::Locked))?;
    let mut draft = Draft::new(actor, action)
        .object("uid", uid)
        .object("schema", &row.schema)
        .object("chain_id", row.chain_id.to_string())
        .object("eas", &row.eas);
    if let Some(sha) = &row.content_sha256 {
        draft = draft.object("content_sha256", sha);
    }
    if let Some(data) = &row.data {
        draft = draft.object("data_sha256", crate::activity::sha256_hex(data.to_string().as_bytes()));
    }
    Ok(draft)
}

fn unix_now() -> i64 {
    time::OffsetDateTime::now_utc().unix_timestamp()
}

fn insert(
    conn: &Connection,
    n: &NewAttestation,
    mode: &str,
    state: &str,
    uid: Option<&str>,
    offchain: Option<&str>,
    at: &str,
) -> Result<i64, StoreError> {
    conn.execute(
        "INSERT INTO attestations (network, chain_id, eas, attester, mode, kind, schema, schema_uid, data,
            content_sha256, dedup_key, label, source, recipient, expiration_time, ref_uid, confirmations, state,
            forced, attempts, next_attempt_at, uid, offchain, created_at, updated_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15, ?16, ?17, ?18, ?19, 0, ?20, ?21, ?22,
            ?23, ?23)",
        params![
            n.network,
            n.chain_id as i64,
            n.eas,
            n.attester,
            mode,
            n.kind,
            n.schema,
            n.schema_uid,
            n.data.as_ref().map(|d| d.to_string()),
            n.content_sha256,
            n.dedup_key,
            n.label,
            n.source,
            n.recipient,
            n.expiration_time as i64,
            n.ref_uid,
            n.confirmations.max(1),
            state,
            n.forced as i64,
            unix_now(),
            uid,
            offchain,
            at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

impl Store {
    fn attest_tx(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        Ok(self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?)
    }

    /// Queues on-chain attestations (or revocations), all or none. A request identical to a live
    /// one (same chain, contract, attester and dedup key; not forced) is not queued again: its
    /// existing row comes back as [`Enqueued::Existing`].
    pub fn enqueue_attestations(&mut self, items: &[NewAttestation]) -> Result<Vec<Enqueued>, StoreError> {
        let at = now();
        let tx = self.attest_tx()?;
        let mut out = Vec::with_capacity(items.len());
        for n in items {
            if !n.forced {
                let existing = query(
                    &tx,
                    "WHERE chain_id = ?1 AND eas = ?2 AND attester = ?3 AND dedup_key = ?4 AND mode = 'onchain'
                       AND forced = 0 AND state IN ('queued', 'sent', 'confirmed') AND revoked_at IS NULL",
                    params![n.chain_id as i64, n.eas, n.attester, n.dedup_key],
                )?;
                if let Some(record) = existing.into_iter().next() {
                    out.push(Enqueued::Existing { record });
                    continue;
                }
            }
            let id = insert(&tx, n, "onchain", "queued", None, None, &at)?;
            out.push(Enqueued::Queued { record: by_id(&tx, id)? });
        }
        tx.commit()?;
        Ok(out)
    }

    /// Records an off-chain attestation (state `signed`) with its UID and EAS JSON.
    pub fn record_offchain(
        &mut self,
        item: &NewAttestation,
        uid: &str,
        json: &serde_json::Value,
    ) -> Result<AttestationRecord, StoreError> {
        let at = now();
        let signer = self.log_signer.clone();
        let tx = self.attest_tx()?;
        let id = insert(&tx, item, "offchain", "signed", Some(uid), Some(&json.to_string()), &at)?;
        let row = by_id(&tx, id)?;
        let draft = log_draft(signer.as_deref(), &row, "attest_offchain", uid)?;
        super::activity::append(&tx, signer.as_deref(), &draft)?;
        tx.commit()?;
        Ok(row)
    }

    /// Rows matching `filter`, newest first.
    pub fn attestations(&self, filter: &AttestationFilter) -> Result<Vec<AttestationRecord>, StoreError> {
        let mut clauses = Vec::new();
        let mut values: Vec<rusqlite::types::Value> = Vec::new();
        if let Some(ids) = &filter.ids {
            if ids.is_empty() {
                return Ok(Vec::new());
            }
            let marks: Vec<String> = ids
                .iter()
                .map(|id| {
                    values.push((*id).into());
                    format!("?{}", values.len())
                })
                .collect();
            clauses.push(format!("id IN ({})", marks.join(", ")));
        }
        for (col, v) in [
            ("state", &filter.state),
            ("network", &filter.network),
            ("content_sha256", &filter.content_sha256),
            ("schema", &filter.schema),
        ] {
            if let Some(v) = v {
                values.push(v.clone().into());
                clauses.push(format!("{col} = ?{}", values.len()));
            }
        }
        let mut tail = String::new();
        if !clauses.is_empty() {
            tail.push_str("WHERE ");
            tail.push_str(&clauses.join(" AND "));
        }
        tail.push_str(" ORDER BY id DESC");
        if let Some(limit) = filter.limit {
            tail.push_str(&format!(" LIMIT {limit}"));
        }
        query(&self.conn, &tail, rusqlite::params_from_iter(values))
    }

    /// One row by id, if there is one.
    pub fn attestation(&self, id: i64) -> Result<Option<AttestationRecord>, StoreError> {
        Ok(query(&self.conn, "WHERE id = ?1", [id])?.into_iter().next())
    }

    /// The confirmed or off-chain attestation with this UID, if this wallet made it.
    pub fn attestation_by_uid(&self, uid: &str) -> Result<Option<AttestationRecord>, StoreError> {
        Ok(query(
            &self.conn,
            "WHERE uid = ?1 AND kind = 'attest' AND state IN ('confirmed', 'signed') ORDER BY id DESC",
            [uid],
        )?
        .into_iter()
        .next())
    }

    /// How many rows are in each state.
    pub fn attestation_counts(&self) -> Result<QueueCounts, StoreError> {
        let mut counts = QueueCounts::default();
        let mut stmt = self.conn.prepare("SELECT state, count(*) FROM attestations GROUP BY state")?;
        let rows = stmt.query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, u32>(1)?)))?;
        for row in rows {
            let (state, n) = row?;
            match state.as_str() {
                "queued" => counts.queued = n,
                "sent" => counts.sent = n,
                "confirmed" => counts.confirmed = n,
                "failed" => counts.failed = n,
                "signed" => counts.signed = n,
                _ => {}
            }
        }
        Ok(counts)
    }

    /// Rows `attester` must still work on (queued or sent), oldest first, of every network.
    pub fn pending_attestations(&self, attester: &str) -> Result<Vec<AttestationRecord>, StoreError> {
        query(
            &self.conn,
            "WHERE attester = ?1 AND mode = 'onchain' AND state IN ('queued', 'sent') ORDER BY id",
            [attester],
        )
    }

    /// Records that `items` (id, position in the transaction) were signed into transaction
    /// `tx_hash` with `nonce` (raw bytes `raw`, hex) — before it is broadcast. All the items must
    /// still be queued; otherwise nothing changes and this returns false.
    pub fn mark_attestations_sent(
        &mut self,
        items: &[(i64, u32)],
        tx_hash: &str,
        nonce: u64,
        raw: &str,
    ) -> Result<bool, StoreError> {
        let at = now();
        let tx = self.attest_tx()?;
        for (id, index) in items {
            let n = tx.execute(
                "UPDATE attestations SET state = 'sent', tx_hash = ?2, tx_nonce = ?3, tx_index = ?4, raw_tx = ?5,
                    error_code = NULL, error = NULL, updated_at = ?6
                 WHERE id = ?1 AND state = 'queued'",
                params![id, tx_hash, nonce as i64, index, raw, at],
            )?;
            if n != 1 {
                return Ok(false); // dropping the transaction rolls back
            }
        }
        tx.commit()?;
        Ok(true)
    }

    /// The raw signed transaction recorded for `tx_hash` (hex), if any row still holds it.
    pub fn raw_transaction(&self, tx_hash: &str) -> Result<Option<String>, StoreError> {
        Ok(self
            .conn
            .query_row(
                "SELECT raw_tx FROM attestations WHERE tx_hash = ?1 AND raw_tx IS NOT NULL LIMIT 1",
                [tx_hash],
                |r| r.get(0),
            )
            .optional()?)
    }

    /// Marks the items sent in `tx_hash` confirmed in `block`: `uids[i]` is the UID of the item at
    /// position `i`. A confirmed revocation also marks the attestation it revoked.
    pub fn mark_attestations_confirmed(
        &mut self,
        tx_hash: &str,
        block: u64,
        uids: &[String],
    ) -> Result<(), StoreError> {
        let at = now();
        let signer = self.log_signer.clone();
        let tx = self.attest_tx()?;
        let rows = query(&tx, "WHERE tx_hash = ?1 AND state = 'sent' ORDER BY tx_index", [tx_hash])?;
        for row in rows {
            let uid = row.tx_index.and_then(|i| uids.get(i as usize)).cloned();
            let uid = if row.kind == "revoke" { Some(row.ref_uid.clone()) } else { uid };
            tx.execute(
                "UPDATE attestations SET state = 'confirmed', block_number = ?2, uid = ?3, raw_tx = NULL,
                    error_code = NULL, error = NULL, updated_at = ?4 WHERE id = ?1",
                params![row.id, block as i64, uid, at],
            )?;
            if row.kind == "revoke" {
                tx.execute(
                    "UPDATE attestations SET revoked_at = ?2, updated_at = ?2
                     WHERE uid = ?1 AND kind = 'attest' AND chain_id = ?3 AND revoked_at IS NULL",
                    params![row.ref_uid, at, row.chain_id as i64],
                )?;
            }
            let action = if row.kind == "revoke" { "revoke_attestation" } else { "attest" };
            let draft = log_draft(signer.as_deref(), &row, action, uid.as_deref().unwrap_or_default())?
                .object("tx_hash", tx_hash)
                .object("block", block.to_string());
            super::activity::append(&tx, signer.as_deref(), &draft)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Marks items failed for good, with the reason.
    pub fn mark_attestations_failed(&mut self, ids: &[i64], code: &str, error: &str) -> Result<(), StoreError> {
        let at = now();
        let tx = self.attest_tx()?;
        for id in ids {
            tx.execute(
                "UPDATE attestations SET state = 'failed', error_code = ?2, error = ?3, raw_tx = NULL, updated_at = ?4
                 WHERE id = ?1 AND state IN ('queued', 'sent')",
                params![id, code, error, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Puts items back in the queue (from `queued` or `sent`, forgetting any transaction) to be
    /// tried at `next_attempt_at` (Unix seconds), noting the temporary problem. `count_attempt`
    /// adds one to their attempts.
    pub fn defer_attestations(
        &mut self,
        ids: &[i64],
        code: &str,
        error: &str,
        next_attempt_at: i64,
        count_attempt: bool,
    ) -> Result<(), StoreError> {
        let at = now();
        let tx = self.attest_tx()?;
        for id in ids {
            tx.execute(
                "UPDATE attestations SET state = 'queued', tx_hash = NULL, tx_nonce = NULL, tx_index = NULL,
                    raw_tx = NULL, error_code = ?2, error = ?3, next_attempt_at = ?4, attempts = attempts + ?5,
                    updated_at = ?6
                 WHERE id = ?1 AND state IN ('queued', 'sent')",
                params![id, code, error, next_attempt_at, count_attempt as i64, at],
            )?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Notes a temporary problem on sent items (they stay sent; their transaction is kept).
    pub fn note_attestations_problem(&mut self, tx_hash: &str, code: &str, error: &str) -> Result<(), StoreError> {
        self.conn.execute(
            "UPDATE attestations SET error_code = ?2, error = ?3, updated_at = ?4 WHERE tx_hash = ?1 AND state = 'sent'",
            params![tx_hash, code, error, now()],
        )?;
        Ok(())
    }

    /// Queues a failed item again (attempts reset). False if it is not failed.
    pub fn retry_attestation(&mut self, id: i64) -> Result<bool, StoreError> {
        let at = now();
        let tx = self.attest_tx()?;
        let row = by_id(&tx, id)?;
        if row.state != "failed" {
            return Ok(false);
        }
        // Queueing again must not duplicate a live identical one made meanwhile.
        if !row.forced {
            let live: i64 = tx.query_row(
                "SELECT count(*) FROM attestations WHERE chain_id = ?1 AND eas = ?2 AND attester = ?3
                   AND dedup_key = (SELECT dedup_key FROM attestations WHERE id = ?4) AND mode = 'onchain'
                   AND forced = 0 AND state IN ('queued', 'sent', 'confirmed') AND revoked_at IS NULL",
                params![row.chain_id as i64, row.eas, row.attester, id],
                |r| r.get(0),
            )?;
            if live > 0 {
                return Ok(false);
            }
        }
        tx.execute(
            "UPDATE attestations SET state = 'queued', attempts = 0, next_attempt_at = ?2, error_code = NULL,
                error = NULL, updated_at = ?3 WHERE id = ?1",
            params![id, unix_now(), at],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Removes a queued item that was never sent. False if it is not queued.
    pub fn cancel_attestation(&mut self, id: i64) -> Result<bool, StoreError> {
        Ok(self.conn.execute("DELETE FROM attestations WHERE id = ?1 AND state = 'queued'", [id])? == 1)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn item(key: &str) -> NewAttestation {
        NewAttestation {
            network: "devnet".into(),
            chain_id: 31337,
            eas: "0xE".into(),
            attester: "0xA".into(),
            kind: "attest",
            schema: "content".into(),
            schema_uid: "0xS".into(),
            data: Some(serde_json::json!({"schema": "content"})),
            content_sha256: Some(format!("0x{key}")),
            dedup_key: key.into(),
            label: "photo.jpg".into(),
            source: None,
            recipient: "0x0".into(),
            expiration_time: 0,
            ref_uid: "0x0".into(),
            confirmations: 1,
            forced: false,
        }
    }

    #[test]
    fn queue_is_idempotent_and_tracks_a_transaction_to_confirmation() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let first = s.enqueue_attestations(&[item("k1"), item("k2")]).unwrap();
        assert!(first.iter().all(|e| matches!(e, Enqueued::Queued { .. })));
        // The same again: nothing new.
        let again = s.enqueue_attestations(&[item("k1")]).unwrap();
        assert!(matches!(&again[0], Enqueued::Existing { record } if record.id == first[0].record().id));
        // Forced: a second row.
        let forced = s.enqueue_attestations(&[NewAttestation { forced: true, ..item("k1") }]).unwrap();
        assert!(matches!(&forced[0], Enqueued::Queued { .. }));
        let (a, b) = (first[0].record().id, first[1].record().id);
        assert!(s.mark_attestations_sent(&[(a, 0), (b, 1)], "0xT", 7, "0xRAW").unwrap());
        // A row already sent cannot be sent again.
        assert!(!s.mark_attestations_sent(&[(a, 0)], "0xT2", 8, "0xRAW2").unwrap());
        assert_eq!(s.raw_transaction("0xT").unwrap().as_deref(), Some("0xRAW"));
        s.mark_attestations_confirmed("0xT", 12, &["0xU0".into(), "0xU1".into()]).unwrap();
        let rows = s.attestations(&AttestationFilter { ids: Some(vec![a, b]), ..Default::default() }).unwrap();
        let uid_of = |id| rows.iter().find(|r| r.id == id).unwrap().uid.clone().unwrap();
        assert_eq!((uid_of(a), uid_of(b)), ("0xU0".to_string(), "0xU1".to_string()));
        assert!(rows.iter().all(|r| r.state == "confirmed" && r.block_number == Some(12)));
        assert_eq!(s.raw_transaction("0xT").unwrap(), None);
        assert_eq!(s.attestation_by_uid("0xU1").unwrap().unwrap().id, b);
        let counts = s.attestation_counts().unwrap();
        assert_eq!((counts.queued, counts.confirmed), (1, 2));
    }

    #[test]
    fn deferred_failed_retried_and_revoked_rows() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let id = s.enqueue_attestations(&[item("k")]).unwrap()[0].record().id;
        assert!(s.mark_attestations_sent(&[(id, 0)], "0xT", 1, "0xR").unwrap());
        s.defer_attestations(&[id], "rpc_unreachable", "down", 99, true).unwrap();
        let row = s.attestation(id).unwrap().unwrap();
        assert_eq!((row.state.as_str(), row.attempts, row.next_attempt_at), ("queued", 1, 99));
        assert_eq!(row.tx_hash, None);
        s.mark_attestations_failed(&[id], "tx_reverted", "no").unwrap();
        assert_eq!(s.attestation(id).unwrap().unwrap().state, "failed");
        // A failed row does not block a new identical request.
        let other = s.enqueue_attestations(&[item("k")]).unwrap();
        assert!(matches!(&other[0], Enqueued::Queued { .. }));
        // …and while that one is live, the failed one cannot be retried into a duplicate.
        assert!(!s.retry_attestation(id).unwrap());
        assert!(s.cancel_attestation(other[0].record().id).unwrap());
        assert!(s.retry_attestation(id).unwrap());
        assert_eq!(s.attestation(id).unwrap().unwrap().state, "queued");
        // Confirm it, then revoke it: the attestation is marked revoked and may be made again.
        assert!(s.mark_attestations_sent(&[(id, 0)], "0xT", 1, "0xR").unwrap());
        s.mark_attestations_confirmed("0xT", 3, &["0xUID".into()]).unwrap();
        let revoke =
            NewAttestation { kind: "revoke", dedup_key: "revoke:0xUID".into(), ref_uid: "0xUID".into(), ..item("r") };
        let rid = s.enqueue_attestations(&[revoke]).unwrap()[0].record().id;
        assert!(s.mark_attestations_sent(&[(rid, 0)], "0xT9", 2, "0xR9").unwrap());
        s.mark_attestations_confirmed("0xT9", 4, &[]).unwrap();
        assert!(s.attestation(id).unwrap().unwrap().revoked_at.is_some());
        assert_eq!(s.attestation(rid).unwrap().unwrap().uid.as_deref(), Some("0xUID"));
        assert!(matches!(&s.enqueue_attestations(&[item("k")]).unwrap()[0], Enqueued::Queued { .. }));
        assert!(!s.cancel_attestation(id).unwrap());
    }
}
