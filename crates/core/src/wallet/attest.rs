//! The wallet's side of attestations: what a signed file or a held credential becomes on chain,
//! queueing (no passphrase needed: only hashes, DIDs and the wallet's public address go in),
//! revoking, the local list, lookup by file, and off-chain attestations (signed with the key).
//!
//! Only hashes and DIDs are attested — never the media or a credential's contents: a file is
//! its SHA-256, its C2PA manifest store's SHA-256, the signer's DID and its media type; a
//! humanity credential is its SHA-256 (of the exact stored text), subject, issuer and expiry; a
//! membership is the community id, the member's DID and the role.

use std::path::Path;
use std::time::Duration;

use alloy::primitives::{Address, B256};
use serde::Serialize;
use sha2::{Digest, Sha256};

use super::{UnlockedWallet, Wallet, WalletError, META_ETH_ADDRESS};
use crate::attest::eas::{self, AttestRequest, Attestation};
use crate::attest::offchain::{self, OffchainDomain};
use crate::attest::queue::{self, QueueRequest, Worker, WorkerOptions};
use crate::attest::{connect, AttestError, AttestationData, HallmarkSchema, Network};
use crate::credential::Secured;
use crate::keys::{self, Secp256k1Key};
use crate::manifest::{self, VerifyOptions};
use crate::store::{AttestationFilter, AttestationRecord, Enqueued, QueueCounts};

/// Largest file read whole to attest or look up (the same limit as signing).
const MAX_FILE_BYTES: u64 = 2 * 1024 * 1024 * 1024;

/// A file's attestations: the ones this wallet made or queued, and the ones the chain holds.
#[derive(Debug, Clone, Serialize)]
pub struct Lookup {
    /// The file's SHA-256 (0x-prefixed hex).
    pub sha256: String,
    /// This wallet's rows about it (any state, any network), newest first.
    pub local: Vec<AttestationRecord>,
    /// The network searched, if any.
    pub network: Option<String>,
    /// The chain's content attestations of this hash, by anyone, oldest first.
    pub on_chain: Vec<Attestation>,
    /// Why the chain could not be searched (the node down…), if it could not.
    pub chain_error: Option<String>,
}

fn file_sha256(path: &Path) -> Result<(B256, Vec<u8>), WalletError> {
    let meta = std::fs::metadata(path).map_err(|e| WalletError::Media {
        code: "input_not_found",
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    if meta.len() > MAX_FILE_BYTES {
        return Err(WalletError::Media {
            code: "too_large",
            message: format!("{} is larger than {} GiB", path.display(), MAX_FILE_BYTES >> 30),
        });
    }
    let bytes = std::fs::read(path).map_err(|e| WalletError::Media {
        code: "read_failed",
        message: format!("cannot read {}: {e}", path.display()),
    })?;
    Ok((B256::from_slice(&Sha256::digest(&bytes)), bytes))
}

/// The content attestation of a signed file: its SHA-256, its manifest store's SHA-256, the
/// signer's DID and its media type. The file must carry a valid C2PA manifest (embedded, or in a
/// `.c2pa` sidecar) from a DID-bound signer.
pub fn content_request(file: &Path) -> Result<QueueRequest, WalletError> {
    let report = manifest::verify_file(file, &VerifyOptions::default())?;
    if report.verdict == manifest::Verdict::Invalid {
        let why = report.failures.first().map(|f| f.explanation.clone()).unwrap_or_default();
        return Err(AttestError::InvalidInput(format!(
            "{} has content credentials that do not verify ({why}): only a valid signed file can be attested",
            file.display()
        ))
        .into());
    }
    let summary = report.manifest.as_ref().ok_or_else(|| {
        AttestError::InvalidInput(format!("{}: its content credentials cannot be read", file.display()))
    })?;
    let signer_did = summary.signer.did.clone().ok_or_else(|| {
        AttestError::InvalidInput(format!(
            "{} was not signed by a DID (no DID in its signing certificate): sign it with Hallmark first",
            file.display()
        ))
    })?;
    let (content_sha256, bytes) = file_sha256(file)?;
    let store_bytes = if report.sidecar {
        std::fs::read(manifest::sidecar_path(file))
            .map_err(|e| AttestError::InvalidInput(format!("cannot read the sidecar of {}: {e}", file.display())))?
    } else {
        c2pa::jumbf_io::load_jumbf_from_stream(&report.format, &mut std::io::Cursor::new(&bytes)).map_err(|e| {
            AttestError::InvalidInput(format!("cannot read the manifest store of {}: {e}", file.display()))
        })?
    };
    let manifest_hash = B256::from_slice(&Sha256::digest(&store_bytes));
    let label =
        file.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_else(|| file.display().to_string());
    Ok(QueueRequest {
        request: AttestRequest::new(AttestationData::Content {
            content_sha256,
            manifest_hash,
            signer_did,
            media_type: report.format.clone(),
        }),
        label,
        source: Some(std::fs::canonicalize(file).unwrap_or_else(|_| file.to_path_buf()).display().to_string()),
    })
}

fn unix_of(rfc3339: &str) -> Option<u64> {
    time::OffsetDateTime::parse(rfc3339, &time::format_description::well_known::Rfc3339)
        .ok()
        .and_then(|t| u64::try_from(t.unix_timestamp()).ok())
}

impl Wallet {
    /// The wallet's Ethereum account (the attester), from its records (no passphrase needed).
    pub fn ethereum_address(&self) -> Result<Address, WalletError> {
        let text =
            self.store.meta(META_ETH_ADDRESS)?.ok_or_else(|| WalletError::Mismatch(self.home.display().to_string()))?;
        Ok(crate::attest::parse_address(&text, "the wallet's Ethereum address")?)
    }

    /// The attestation of a held credential: a `HumanityCredential` (its SHA-256, subject,
    /// issuer, expiry) or a `CommunityMembershipCredential` (community id, member, role). It must
    /// have verified when last checked.
    pub fn credential_request(&self, id: &str) -> Result<QueueRequest, WalletError> {
        let held = self.credential(id)?;
        if !held.valid {
            return Err(AttestError::InvalidInput(format!(
                "credential {} did not verify when last checked: check it again, and attest only a valid credential",
                held.id
            ))
            .into());
        }
        let doc = Secured::parse(&held.body)?.document()?;
        let subject = held.subject.clone().ok_or_else(|| {
            AttestError::InvalidInput(format!("credential {} names no subject DID: it cannot be attested", held.id))
        })?;
        let has = |t: &str| held.types.iter().any(|x| x == t);
        let data = if has("HumanityCredential") {
            let credential_hash = crate::attest::parse_b256(&held.sha256, "the credential hash")?;
            AttestationData::Humanity {
                credential_hash,
                subject_did: subject,
                issuer_did: held.issuer.clone(),
                expiry: held.valid_until.as_deref().and_then(unix_of).unwrap_or(0),
            }
        } else if has("CommunityMembershipCredential") {
            let s = &doc["credentialSubject"];
            let community_id = s["memberOf"]["id"].as_str().unwrap_or_default().to_string();
            let role = s["role"].as_str().unwrap_or_default().to_string();
            AttestationData::Membership { community_id, member_did: subject, role }
        } else {
            return Err(AttestError::InvalidInput(format!(
                "credential {} is a {}: only humanity and community membership credentials can be attested",
                held.id,
                held.types.last().cloned().unwrap_or_default()
            ))
            .into());
        };
        data.validate()?;
        let label = format!("{} {}", held.types.last().cloned().unwrap_or_default(), held.id);
        Ok(QueueRequest { request: AttestRequest::new(data), label, source: Some(held.id.clone()) })
    }

    /// Queues attestations on `network` (see [`queue::enqueue`]); the worker sends them.
    pub fn queue_attestations(
        &mut self,
        network: &Network,
        requests: &[QueueRequest],
        confirmations: u32,
        force: bool,
    ) -> Result<Vec<Enqueued>, WalletError> {
        let attester = self.ethereum_address()?;
        Ok(queue::enqueue(&mut self.store, network, attester, requests, confirmations, force)?)
    }

    /// Queues the revocation of attestation `uid` on `network`. The attestation must be this
    /// wallet's: it is looked up locally, else read from the chain.
    pub async fn queue_revocation(
        &mut self,
        network: &Network,
        uid: B256,
        confirmations: u32,
        timeout: Duration,
    ) -> Result<Enqueued, WalletError> {
        let attester = self.ethereum_address()?;
        let (schema, label) = match self.store.attestation_by_uid(&uid.to_string())? {
            Some(r) if r.mode == "offchain" => {
                return Err(AttestError::InvalidInput(format!(
                    "{uid} is an off-chain attestation: it lives in its file, there is nothing on chain to revoke"
                ))
                .into())
            }
            Some(r) => (HallmarkSchema::parse(&r.schema)?, r.label),
            None => {
                let conn = connect(network, None, timeout).await?;
                let att = eas::get(&conn, uid).await?;
                if att.attester != attester {
                    return Err(AttestError::Reverted {
                        reason: format!(
                            "only its attester {} may revoke it, not this wallet's {attester} (EAS error AccessDenied)",
                            att.attester
                        ),
                    }
                    .into());
                }
                let schema = att.hallmark_schema.ok_or_else(|| AttestError::UnknownSchema(att.schema.to_string()))?;
                (schema, format!("attestation {uid}"))
            }
        };
        Ok(queue::enqueue_revoke(&mut self.store, network, attester, uid, schema, &label, confirmations)?)
    }

    /// This wallet's attestations (outbox and index), newest first.
    pub fn attestations(&self, filter: &AttestationFilter) -> Result<Vec<AttestationRecord>, WalletError> {
        Ok(self.store.attestations(filter)?)
    }

    /// One row of the list.
    pub fn attestation(&self, id: i64) -> Result<AttestationRecord, WalletError> {
        Ok(self.store.attestation(id)?.ok_or(AttestError::NoSuchItem(id))?)
    }

    /// How many are queued, sent, confirmed, failed, signed off-chain.
    pub fn attestation_counts(&self) -> Result<QueueCounts, WalletError> {
        Ok(self.store.attestation_counts()?)
    }

    /// Queues a failed attestation again. False when it is not failed (or an identical one is live).
    pub fn retry_attestation(&mut self, id: i64) -> Result<bool, WalletError> {
        self.attestation(id)?;
        Ok(self.store.retry_attestation(id)?)
    }

    /// Removes a queued attestation that was never sent. False when it was sent already.
    pub fn cancel_attestation(&mut self, id: i64) -> Result<bool, WalletError> {
        self.attestation(id)?;
        Ok(self.store.cancel_attestation(id)?)
    }

    /// The attestations of a file or of a SHA-256 (`target`: a path, or 64 hex digits): this
    /// wallet's rows, and — with `network` — every content attestation of that hash on chain.
    /// A chain that cannot be searched is reported in [`Lookup::chain_error`], not as an error.
    pub async fn lookup_attestations(
        &self,
        target: &str,
        network: Option<&Network>,
        timeout: Duration,
    ) -> Result<Lookup, WalletError> {
        let sha = lookup_hash(target)?;
        let local =
            self.attestations(&AttestationFilter { content_sha256: Some(sha.to_string()), ..Default::default() })?;
        let (on_chain, chain_error) = match network {
            Some(n) => chain_lookup(n, sha, timeout).await,
            None => (Vec::new(), None),
        };
        Ok(Lookup { sha256: sha.to_string(), local, network: network.map(|n| n.name.clone()), on_chain, chain_error })
    }
}

/// A lookup target: a path to a file (hashed), or a SHA-256 in hex.
pub fn lookup_hash(target: &str) -> Result<B256, WalletError> {
    let path = Path::new(target);
    if path.is_file() {
        return Ok(file_sha256(path)?.0);
    }
    crate::attest::parse_b256(target, "a file to look up or its SHA-256").map_err(|_| {
        AttestError::InvalidInput(format!("\"{target}\" is neither a file nor a SHA-256 (64 hex digits)")).into()
    })
}

/// Content attestations of `sha` on `network`, by anyone; the problem as text if the chain
/// cannot be searched.
pub async fn chain_lookup(network: &Network, sha: B256, timeout: Duration) -> (Vec<Attestation>, Option<String>) {
    let found = async {
        let conn = connect(network, None, timeout).await?;
        eas::find_by_content_hash(&conn, sha, None, None).await
    };
    match found.await {
        Ok(v) => (v, None),
        Err(e) => (Vec::new(), Some(e.to_string())),
    }
}

impl UnlockedWallet {
    /// The wallet's Ethereum key (`m/44'/60'/0'/0/0`), wiped on drop. Give it only to a
    /// [`Worker`] or an off-chain signature.
    pub fn ethereum_key(&self) -> Result<Secp256k1Key, WalletError> {
        Ok(keys::ethereum_key(self.seed.as_ref(), 0)?)
    }

    /// A worker for this wallet's attestation queue, or `None` when another one (the app,
    /// another command) is running: it sends the queue.
    pub fn attest_worker(&self, options: WorkerOptions) -> Result<Option<Worker>, WalletError> {
        Ok(Worker::acquire(self.wallet.home(), self.ethereum_key()?, options)?)
    }

    /// Signs off-chain attestations (EAS's EIP-712 format, version 2) for `network`'s EAS
    /// deployment (its version is read from the chain once), records each in the list (state
    /// `signed`) and returns the rows with the JSON to save.
    pub async fn attest_offchain(
        &mut self,
        network: &Network,
        requests: &[QueueRequest],
        timeout: Duration,
    ) -> Result<Vec<(AttestationRecord, serde_json::Value)>, WalletError> {
        let key = self.ethereum_key()?;
        let attester = self.wallet.ethereum_address()?;
        let conn = connect(network, None, timeout).await?;
        let domain = OffchainDomain::of(&conn).await?;
        let now = time::OffsetDateTime::now_utc().unix_timestamp() as u64;
        let mut out = Vec::with_capacity(requests.len());
        for q in requests {
            let json = offchain::create(&key, &domain, &q.request, now)?;
            let verified = offchain::verify(&json, Some(network))?;
            let row = queue::new_attestation(network, attester, q, 1, true)?;
            let record = self.wallet.store.record_offchain(&row, &verified.uid.to_string(), &json)?;
            out.push((record, json));
        }
        Ok(out)
    }
}

/// A checked humanity or content attestation's data as one line for people.
pub fn describe(data: &AttestationData) -> String {
    match data {
        AttestationData::Content { signer_did, media_type, .. } => format!("{media_type} signed by {signer_did}"),
        AttestationData::Humanity { subject_did, issuer_did, .. } => {
            format!("{subject_did} is a real, unique person, says {issuer_did}")
        }
        AttestationData::Membership { community_id, member_did, role } => {
            format!("{member_did} is a {role} of community {community_id}")
        }
        AttestationData::LogHead { head, count } => format!("an activity log of {count} entries ends with {head}"),
    }
}

/// Meta key holding the name of the network attestation commands use when none is named.
const META_DEFAULT_NETWORK: &str = "attest_default_network";

impl Wallet {
    /// The network attestation commands use when none is named (`hallmark network use`), if one
    /// was chosen. The name is not checked: the network may have been removed since.
    pub fn default_network(&self) -> Result<Option<String>, WalletError> {
        Ok(self.store.meta(META_DEFAULT_NETWORK)?.filter(|n| !n.is_empty()))
    }

    /// Chooses the default network (`Some`), or forgets the choice (`None`). The caller checks
    /// that the network exists.
    pub fn set_default_network(&self, name: Option<&str>) -> Result<(), WalletError> {
        Ok(self.store.set_meta(META_DEFAULT_NETWORK, name.unwrap_or(""))?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::manifest::{sign_bytes, MediaSigner, SignOptions, WalletCa};

    const DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

    #[test]
    fn a_signed_file_becomes_its_hashes_and_signer() {
        let dir = tempfile::tempdir().unwrap();
        let ca = WalletCa::from_seed(&[42u8; 64]).unwrap();
        let signer = MediaSigner::issue(&ca, ed25519_dalek::SigningKey::from_bytes(&[1; 32]), DID, None).unwrap();
        let original = crate::manifest::testmedia::jpeg(3);
        let signed = sign_bytes(&signer, &original, "image/jpeg", &SignOptions::default()).unwrap();
        let path = dir.path().join("photo.jpg");
        std::fs::write(&path, &signed.bytes).unwrap();
        let q = content_request(&path).unwrap();
        let AttestationData::Content { content_sha256, manifest_hash, signer_did, media_type } = &q.request.data else {
            panic!("not a content attestation: {:?}", q.request.data)
        };
        assert_eq!(content_sha256.as_slice(), &Sha256::digest(&signed.bytes)[..]);
        let store =
            c2pa::jumbf_io::load_jumbf_from_stream("image/jpeg", &mut std::io::Cursor::new(&signed.bytes)).unwrap();
        assert_eq!(manifest_hash.as_slice(), &Sha256::digest(&store)[..]);
        assert_ne!(manifest_hash, content_sha256);
        assert_eq!((signer_did.as_str(), media_type.as_str()), (DID, "image/jpeg"));
        assert_eq!(q.label, "photo.jpg");
        assert_eq!(lookup_hash(path.to_str().unwrap()).unwrap(), *content_sha256);
        assert_eq!(lookup_hash(&content_sha256.to_string()).unwrap(), *content_sha256);
        assert!(lookup_hash("not-a-file-nor-hash").is_err());

        // A changed file does not verify: refused. A file without credentials: refused.
        let mut tampered = signed.bytes.clone();
        let n = tampered.len();
        tampered[n - 100] ^= 0x55;
        std::fs::write(&path, &tampered).unwrap();
        let e = content_request(&path).unwrap_err();
        assert_eq!(e.code(), "invalid_input", "{e}");
        assert!(e.to_string().contains("do not verify"), "{e}");
        std::fs::write(&path, &original).unwrap();
        assert_eq!(content_request(&path).unwrap_err().code(), "no_manifest");
    }
}
