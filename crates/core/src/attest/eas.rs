//! On-chain attestations: attest one, attest many in one transaction, revoke, read by UID, find
//! by a file's SHA-256.
//!
//! Every function takes a [`Connection`] made by [`super::connect`] (chain id already checked);
//! the ones that write need it made with the wallet's key. Before sending, the transaction's gas is
//! estimated — which runs it against the chain, so an EAS refusal (an unregistered schema, an
//! attestation revoked already…) comes back as [`AttestError::Reverted`] with its reason and
//! nothing is sent — and the gas limit gets headroom (two identical attestations in one second
//! would otherwise revert on an exact estimate).

use alloy::primitives::{Address, Bytes, B256, U256};
use alloy::providers::{PendingTransactionBuilder, Provider};
use alloy::rpc::types::{Filter, TransactionReceipt};
use alloy::sol_types::SolEvent;
use serde::Serialize;

use super::contracts::{self, IEAS};
use super::network::Connection;
use super::schema::{AttestationData, HallmarkSchema};
use super::AttestError;

/// One attestation to make.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct AttestRequest {
    /// What is attested (decides the schema).
    pub data: AttestationData,
    /// Who it is about, if an Ethereum account (zero: nobody in particular).
    pub recipient: Address,
    /// When it expires, Unix seconds (0: never).
    pub expiration_time: u64,
    /// An attestation this one refers to (zero: none).
    pub ref_uid: B256,
}

impl AttestRequest {
    /// A request with no recipient, no expiry and no reference.
    pub fn new(data: AttestationData) -> Self {
        AttestRequest { data, recipient: Address::ZERO, expiration_time: 0, ref_uid: B256::ZERO }
    }

    /// The request as the EAS contract takes it.
    pub(crate) fn to_contract(&self) -> contracts::AttestationRequestData {
        contracts::AttestationRequestData {
            recipient: self.recipient,
            expirationTime: self.expiration_time,
            revocable: self.data.schema().revocable(),
            refUID: self.ref_uid,
            data: Bytes::from(self.data.encode()),
            value: U256::ZERO,
        }
    }
}

/// A transaction that was included in a block.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Submitted {
    /// Transaction hash.
    pub tx_hash: B256,
    /// Block it was included in.
    pub block_number: u64,
    /// UIDs of the attestations it made (in request order), or the one it revoked.
    pub uids: Vec<B256>,
}

/// An attestation as stored on chain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Attestation {
    /// Its UID.
    pub uid: B256,
    /// Its schema's UID.
    pub schema: B256,
    /// Which Hallmark schema that is, if one.
    pub hallmark_schema: Option<HallmarkSchema>,
    /// When it was made, Unix seconds.
    pub time: u64,
    /// When it expires (0: never).
    pub expiration_time: u64,
    /// When it was revoked (0: not revoked).
    pub revocation_time: u64,
    /// The attestation it refers to (zero: none).
    pub ref_uid: B256,
    /// Who it is about (zero: nobody in particular).
    #[serde(serialize_with = "super::checksummed")]
    pub recipient: Address,
    /// Who made it.
    #[serde(serialize_with = "super::checksummed")]
    pub attester: Address,
    /// Whether it can be revoked.
    pub revocable: bool,
    /// The raw data.
    pub raw_data: Bytes,
    /// The data decoded, for Hallmark's schemas.
    pub data: Option<AttestationData>,
}

impl Attestation {
    /// Revoked?
    pub fn is_revoked(&self) -> bool {
        self.revocation_time != 0
    }

    /// Expired at Unix time `now`?
    pub fn is_expired(&self, now: u64) -> bool {
        self.expiration_time != 0 && self.expiration_time <= now
    }
}

/// The gas limit to send with for an estimate: 25 % more, plus 20,000.
pub(crate) fn gas_with_headroom(estimate: u64) -> u64 {
    estimate.saturating_add(estimate / 4).saturating_add(20_000)
}

/// Waits for `pending` to be included, and checks it succeeded.
pub(crate) async fn confirm(
    conn: &Connection,
    pending: PendingTransactionBuilder<alloy::network::Ethereum>,
) -> Result<TransactionReceipt, AttestError> {
    let tx = *pending.tx_hash();
    let seconds = conn.confirm_timeout.as_secs();
    let receipt = match pending.with_timeout(Some(conn.confirm_timeout)).get_receipt().await {
        Ok(r) => r,
        Err(alloy::providers::PendingTransactionError::TxWatcher(_)) => {
            return Err(AttestError::NotConfirmed { tx, seconds });
        }
        Err(alloy::providers::PendingTransactionError::TransportError(e)) => {
            return Err(super::network::classify_transport(&conn.network, conn.timeout, conn.from, &e));
        }
        Err(e) => return Err(AttestError::Rpc { network: conn.network.name.clone(), reason: e.to_string() }),
    };
    if !receipt.status() {
        return Err(AttestError::TxFailed { tx });
    }
    Ok(receipt)
}

fn eas(conn: &Connection) -> IEAS::IEASInstance<&alloy::providers::DynProvider> {
    IEAS::new(conn.network.eas, &conn.provider)
}

/// The UIDs of the `Attested` events the EAS contract emitted in `receipt`, in order.
fn attested_uids(conn: &Connection, receipt: &TransactionReceipt) -> Vec<B256> {
    receipt
        .inner
        .logs()
        .iter()
        .filter(|l| l.address() == conn.network.eas)
        .filter_map(|l| l.log_decode::<IEAS::Attested>().ok())
        .map(|l| l.inner.data.uid)
        .collect()
}

async fn check_schemas_registered(conn: &Connection, requests: &[AttestRequest]) -> Result<(), AttestError> {
    let mut seen = Vec::new();
    for r in requests {
        r.data.validate()?;
        let s = r.data.schema();
        if !seen.contains(&s) {
            seen.push(s);
            if super::schema::get_schema(conn, s.uid()).await?.is_none() {
                return Err(AttestError::UnknownSchema(format!(
                    "\"{}\" ({}) on network \"{}\"",
                    s.as_str(),
                    s.uid(),
                    conn.network.name
                )));
            }
        }
    }
    Ok(())
}

/// Makes one attestation (one transaction). The schema must be registered
/// ([`super::schema::ensure_registered`]); otherwise [`AttestError::UnknownSchema`].
pub async fn attest(conn: &Connection, request: &AttestRequest) -> Result<Submitted, AttestError> {
    conn.signer_address()?;
    check_schemas_registered(conn, std::slice::from_ref(request)).await?;
    let req = contracts::AttestationRequest { schema: request.data.schema().uid(), data: request.to_contract() };
    let eas = eas(conn);
    let call = eas.attest(req);
    let gas = conn.contract(call.estimate_gas()).await?;
    let pending = conn.contract(call.gas(gas_with_headroom(gas)).send()).await?;
    let receipt = confirm(conn, pending).await?;
    let uids = attested_uids(conn, &receipt);
    if uids.len() != 1 {
        return Err(AttestError::Rpc {
            network: conn.network.name.clone(),
            reason: format!("the transaction made {} attestations instead of 1", uids.len()),
        });
    }
    Ok(Submitted { tx_hash: receipt.transaction_hash, block_number: receipt.block_number.unwrap_or_default(), uids })
}

/// The requests grouped by schema, in order of first appearance, each group with the places of
/// its requests: `multiAttest` emits its `Attested` events in this order.
pub(crate) fn by_schema(requests: &[AttestRequest]) -> Vec<(HallmarkSchema, Vec<usize>)> {
    let mut groups: Vec<(HallmarkSchema, Vec<usize>)> = Vec::new();
    for (i, r) in requests.iter().enumerate() {
        match groups.iter_mut().find(|(s, _)| *s == r.data.schema()) {
            Some((_, idx)) => idx.push(i),
            None => groups.push((r.data.schema(), vec![i])),
        }
    }
    groups
}

/// The `multiAttest` argument for `requests` grouped as [`by_schema`] says.
pub(crate) fn multi_requests(
    requests: &[AttestRequest],
    groups: &[(HallmarkSchema, Vec<usize>)],
) -> Vec<contracts::MultiAttestationRequest> {
    groups
        .iter()
        .map(|(s, idx)| contracts::MultiAttestationRequest {
            schema: s.uid(),
            data: idx.iter().map(|&i| requests[i].to_contract()).collect(),
        })
        .collect()
}

/// Makes many attestations in one transaction (`multiAttest`), grouped by schema. The UIDs come
/// back in the order of `requests`.
pub async fn multi_attest(conn: &Connection, requests: &[AttestRequest]) -> Result<Submitted, AttestError> {
    conn.signer_address()?;
    if requests.is_empty() {
        return Err(AttestError::InvalidInput("there is nothing to attest".into()));
    }
    check_schemas_registered(conn, requests).await?;
    let groups = by_schema(requests);
    let multi = multi_requests(requests, &groups);
    let eas = eas(conn);
    let call = eas.multiAttest(multi);
    let gas = conn.contract(call.estimate_gas()).await?;
    let pending = conn.contract(call.gas(gas_with_headroom(gas)).send()).await?;
    let receipt = confirm(conn, pending).await?;
    let emitted = attested_uids(conn, &receipt);
    if emitted.len() != requests.len() {
        return Err(AttestError::Rpc {
            network: conn.network.name.clone(),
            reason: format!("the transaction made {} attestations instead of {}", emitted.len(), requests.len()),
        });
    }
    // Events come in group order; put them back in request order.
    let mut uids = vec![B256::ZERO; requests.len()];
    for (uid, i) in emitted.into_iter().zip(groups.iter().flat_map(|(_, idx)| idx.iter().copied())) {
        uids[i] = uid;
    }
    Ok(Submitted { tx_hash: receipt.transaction_hash, block_number: receipt.block_number.unwrap_or_default(), uids })
}

/// Revokes the attestation `uid` (made by the connection's key).
pub async fn revoke(conn: &Connection, uid: B256) -> Result<Submitted, AttestError> {
    let from = conn.signer_address()?;
    let att = get(conn, uid).await?;
    if att.is_revoked() {
        return Err(AttestError::Reverted {
            reason: "the attestation is revoked already (EAS error AlreadyRevoked)".into(),
        });
    }
    if att.attester != from {
        return Err(AttestError::Reverted {
            reason: format!("only its attester {} may revoke it, not {from} (EAS error AccessDenied)", att.attester),
        });
    }
    let req = contracts::RevocationRequest {
        schema: att.schema,
        data: contracts::RevocationRequestData { uid, value: U256::ZERO },
    };
    let eas = eas(conn);
    let call = eas.revoke(req);
    let gas = conn.contract(call.estimate_gas()).await?;
    let pending = conn.contract(call.gas(gas_with_headroom(gas)).send()).await?;
    let receipt = confirm(conn, pending).await?;
    Ok(Submitted {
        tx_hash: receipt.transaction_hash,
        block_number: receipt.block_number.unwrap_or_default(),
        uids: vec![uid],
    })
}

/// Reads the attestation `uid`, decoding its data when it is under one of Hallmark's schemas.
pub async fn get(conn: &Connection, uid: B256) -> Result<Attestation, AttestError> {
    let a = conn.contract(eas(conn).getAttestation(uid).call()).await?;
    if a.uid.is_zero() {
        return Err(AttestError::NotFound(uid));
    }
    if a.uid != uid {
        return Err(AttestError::Rpc {
            network: conn.network.name.clone(),
            reason: format!("asked for attestation {uid}, the node returned {}", a.uid),
        });
    }
    let hallmark_schema = HallmarkSchema::from_uid(a.schema);
    let data = match hallmark_schema {
        Some(s) => Some(AttestationData::decode(s, &a.data).map_err(|reason| AttestError::BadData { uid, reason })?),
        None => None,
    };
    Ok(Attestation {
        uid,
        schema: a.schema,
        hallmark_schema,
        time: a.time,
        expiration_time: a.expirationTime,
        revocation_time: a.revocationTime,
        ref_uid: a.refUID,
        recipient: a.recipient,
        attester: a.attester,
        revocable: a.revocable,
        raw_data: a.data,
        data,
    })
}

/// The `version()` of the network's EAS contract (the off-chain EIP-712 domain's version).
pub async fn eas_version(conn: &Connection) -> Result<String, AttestError> {
    conn.contract(eas(conn).version().call()).await
}

/// How many blocks one `eth_getLogs` request covers when searching.
pub const LOG_BLOCK_RANGE: u64 = 10_000;

/// Finds the content attestations of the file whose SHA-256 is `sha256`: reads the `Attested`
/// events of the content schema from `from_block` (default: the network's `start_block`) to the
/// latest block, in ranges of [`LOG_BLOCK_RANGE`] blocks, reads each attestation and keeps those
/// whose data names this hash. Optionally only those made by `attester`. Oldest first; revoked
/// ones are included (see [`Attestation::is_revoked`]).
pub async fn find_by_content_hash(
    conn: &Connection,
    sha256: B256,
    attester: Option<Address>,
    from_block: Option<u64>,
) -> Result<Vec<Attestation>, AttestError> {
    let latest = conn.rpc(conn.provider.get_block_number()).await?;
    let mut start = from_block.unwrap_or(conn.network.start_block);
    let mut found = Vec::new();
    while start <= latest {
        let end = latest.min(start.saturating_add(LOG_BLOCK_RANGE - 1));
        let mut filter = Filter::new()
            .address(conn.network.eas)
            .event_signature(IEAS::Attested::SIGNATURE_HASH)
            .topic3(HallmarkSchema::Content.uid())
            .from_block(start)
            .to_block(end);
        if let Some(a) = attester {
            filter = filter.topic2(a.into_word());
        }
        let logs = conn.rpc(conn.provider.get_logs(&filter)).await?;
        for log in logs {
            let Ok(ev) = log.log_decode::<IEAS::Attested>() else { continue };
            let att = get(conn, ev.inner.data.uid).await?;
            if let Some(AttestationData::Content { content_sha256, .. }) = &att.data {
                if *content_sha256 == sha256 {
                    found.push(att);
                }
            }
        }
        start = end + 1;
    }
    Ok(found)
}
