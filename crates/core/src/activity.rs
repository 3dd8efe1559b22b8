//! The activity log: every signature, issuance, revocation, community decision and attestation
//! this wallet makes, as an append-only, hash-chained list of entries, each signed by the DID that
//! acted. Nobody — the wallet's owner included — can quietly rewrite it: changing, removing or
//! reordering an entry breaks the chain from there on, and a head anchored on chain
//! ([`crate::attest::AttestationData::LogHead`]) pins the history up to it.
//!
//! # Entry
//!
//! An entry has a public *header* — `seq` (1, 2, 3… without gaps), `prev` (the previous entry's
//! hash; 64 zeros for the first), `community` (the community id for a community's decisions,
//! else `null`) and `content_hash` — and a *content*: `time` (RFC 3339, UTC), `actor` (a DID),
//! `action` and `objects` (the hashes and ids of what was acted on — never personal data: a DID
//! acted on appears only as its SHA-256).
//!
//! * `content_hash` = SHA-256 of the RFC 8785 (JCS) form of `{time, actor, action, objects}`;
//! * `hash` = SHA-256 of the JCS form of `{v: "1", seq, prev, community, content_hash}` (`v` and
//!   `seq` as decimal strings);
//! * `sig` = the actor's signature of the ASCII text `hallmark-activity-log/v1:` + `hash` (hex):
//!   Ed25519 (`alg` `Ed25519`, with the verification method `vm` of the actor's DID document),
//!   or for the wallet's Ethereum account (`did:pkh`) an EIP-191 `personal_sign` (`alg`
//!   `EIP-191`), which any Ethereum tool can check with `ecrecover`.
//!
//! Because the header hashes the content only through `content_hash`, an entry can be shown
//! *redacted* — header and hash only — and the chain still checks. A community's export shows
//! its own entries in full and the others redacted: its members can audit every moderation
//! decision, see that none is missing (a redacted entry shows its community), and learn nothing
//! about the wallet's other activity.
//!
//! # Export format (JSON Lines)
//!
//! Line 1 is a header object ([`ExportHeader`], `"format": "hallmark-activity-log"`), then one
//! entry per line in `seq` order ([`ExportEntry`]). [`verify_export`] checks it with nothing
//! else: did:key and did:jwk keys come from the DIDs, did:web documents are in the header (as
//! exported), did:pkh signatures recover their address; anchors are read from the chain.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};
use serde_json::Value;
use sha2::{Digest, Sha256};

/// `format` of the header line of an export.
pub const FORMAT: &str = "hallmark-activity-log";
/// Version of the entry hashing and of the export format.
pub const VERSION: u64 = 1;
/// `prev` of the first entry.
pub const GENESIS: &str = "0000000000000000000000000000000000000000000000000000000000000000";
/// What an entry's signature signs, before the entry's hash (hex).
pub const SIGNING_PREFIX: &str = "hallmark-activity-log/v1:";
/// Signature algorithm of Ed25519 DIDs.
pub const ALG_ED25519: &str = "Ed25519";
/// Signature algorithm of the Ethereum account (did:pkh): EIP-191 `personal_sign`.
pub const ALG_EIP191: &str = "EIP-191";

/// Errors of the activity log.
#[derive(Debug, thiserror::Error)]
pub enum ActivityError {
    /// The wallet is locked: an entry cannot be signed, so the action was not done.
    #[error("the wallet is locked, so this action cannot be signed into the activity log: unlock it and try again (nothing was changed)")]
    Locked,
    /// The acting DID has no key in this wallet.
    #[error("{0} cannot sign the activity log entry: it is not one of this wallet's identities")]
    NotOurs(String),
    /// Signing failed.
    #[error("the activity log entry could not be signed: {0}")]
    Sign(String),
    /// The export file cannot be read at all.
    #[error("this is not a Hallmark activity log export: {0}")]
    BadFile(String),
    /// A file could not be read or written.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl ActivityError {
    /// A stable snake_case code.
    pub fn code(&self) -> &'static str {
        match self {
            ActivityError::Locked => "locked",
            ActivityError::NotOurs(_) => "not_in_wallet",
            ActivityError::Sign(_) => "log_sign_failed",
            ActivityError::BadFile(_) => "invalid_log",
            ActivityError::Io(_) => "io_failed",
        }
    }
}

/// What an action records: who, what, in which community, on which objects.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Draft {
    /// The DID that acted (must be able to sign).
    pub actor: String,
    /// The action, e.g. `sign_media`, `issue_credential`, `banned`, `attest`.
    pub action: String,
    /// The community, for a community's decisions.
    pub community: Option<String>,
    /// Hashes and ids of what was acted on.
    pub objects: BTreeMap<String, String>,
}

impl Draft {
    /// A draft with no community and no objects yet.
    pub fn new(actor: impl Into<String>, action: impl Into<String>) -> Draft {
        Draft { actor: actor.into(), action: action.into(), community: None, objects: BTreeMap::new() }
    }

    /// Adds an object (a hash or an id).
    pub fn object(mut self, key: &str, value: impl Into<String>) -> Draft {
        self.objects.insert(key.to_string(), value.into());
        self
    }
}

/// An entry's signature.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct EntrySig {
    /// [`ALG_ED25519`] or [`ALG_EIP191`].
    pub alg: String,
    /// For Ed25519: the verification method (DID URL) whose key signed.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub vm: Option<String>,
    /// The signature: base64url (Ed25519) or 0x-hex of 65 bytes (EIP-191).
    pub value: String,
}

/// Signs entries for the store, inside the action's database transaction.
pub trait LogSigner: Send + Sync {
    /// Signs `message` as `actor`; `identity` is the wallet's record of that DID, if it is one.
    fn sign(
        &self,
        actor: &str,
        identity: Option<&crate::store::Identity>,
        message: &[u8],
    ) -> Result<EntrySig, ActivityError>;

    /// The DID of the wallet's Ethereum account (`did:pkh`), which signs attestation entries.
    fn ethereum_actor(&self) -> Option<String>;
}

/// An entry as stored and exported in full. Field names are stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Entry {
    /// Position, from 1.
    pub seq: u64,
    /// The previous entry's hash.
    pub prev: String,
    /// Community id, for a community's decisions.
    pub community: Option<String>,
    /// SHA-256 of the content.
    pub content_hash: String,
    /// The entry's hash.
    pub hash: String,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// Who acted.
    pub actor: String,
    /// What was done.
    pub action: String,
    /// On what (hashes, ids).
    pub objects: BTreeMap<String, String>,
    /// The actor's signature of the hash.
    pub sig: EntrySig,
}

/// The content part, hashed into `content_hash`.
pub fn content_hash(time: &str, actor: &str, action: &str, objects: &BTreeMap<String, String>) -> String {
    let v = serde_json::json!({"time": time, "actor": actor, "action": action, "objects": objects});
    sha256_hex(&serde_jcs::to_vec(&v).expect("JSON canonicalises"))
}

/// The entry hash from its header.
pub fn entry_hash(seq: u64, prev: &str, community: Option<&str>, content_hash: &str) -> String {
    // Numbers as decimal strings: the canonical form then holds strings and null only.
    let v = serde_json::json!({"v": VERSION.to_string(), "seq": seq.to_string(), "prev": prev, "community": community, "content_hash": content_hash});
    sha256_hex(&serde_jcs::to_vec(&v).expect("JSON canonicalises"))
}

/// The bytes an entry's signature signs.
pub fn signing_message(hash: &str) -> Vec<u8> {
    format!("{SIGNING_PREFIX}{hash}").into_bytes()
}

/// SHA-256, lowercase hex.
pub fn sha256_hex(bytes: &[u8]) -> String {
    hex::encode(Sha256::digest(bytes))
}

/// SHA-256 of a DID (or any text) for an entry's objects: who was acted on, without naming them.
pub fn hash_text(text: &str) -> String {
    sha256_hex(text.as_bytes())
}

/// Builds and signs the entry that follows `(prev_seq, prev_hash)`.
pub fn seal(
    draft: &Draft,
    prev_seq: u64,
    prev_hash: &str,
    time: &str,
    signer: &dyn LogSigner,
    identity: Option<&crate::store::Identity>,
) -> Result<Entry, ActivityError> {
    let seq = prev_seq + 1;
    let ch = content_hash(time, &draft.actor, &draft.action, &draft.objects);
    let hash = entry_hash(seq, prev_hash, draft.community.as_deref(), &ch);
    let sig = signer.sign(&draft.actor, identity, &signing_message(&hash))?;
    Ok(Entry {
        seq,
        prev: prev_hash.to_string(),
        community: draft.community.clone(),
        content_hash: ch,
        hash,
        time: time.to_string(),
        actor: draft.actor.clone(),
        action: draft.action.clone(),
        objects: draft.objects.clone(),
        sig,
    })
}

/// Signs with an Ed25519 key, naming its verification method.
pub fn sign_ed25519(key: &ed25519_dalek::SigningKey, vm: &str, message: &[u8]) -> EntrySig {
    use base64::Engine;
    use ed25519_dalek::Signer;
    EntrySig {
        alg: ALG_ED25519.into(),
        vm: Some(vm.to_string()),
        value: base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(key.sign(message).to_bytes()),
    }
}

/// Signs with the Ethereum key (EIP-191 `personal_sign`).
pub fn sign_eip191(key: &crate::keys::Secp256k1Key, message: &[u8]) -> Result<EntrySig, ActivityError> {
    use alloy::signers::SignerSync;
    let signer =
        alloy::signers::local::PrivateKeySigner::from_bytes(&alloy::primitives::B256::from(*key.secret_bytes()))
            .map_err(|e| ActivityError::Sign(e.to_string()))?;
    let sig = signer.sign_message_sync(message).map_err(|e| ActivityError::Sign(e.to_string()))?;
    Ok(EntrySig { alg: ALG_EIP191.into(), vm: None, value: format!("0x{}", hex::encode(sig.as_bytes())) })
}

// ---------------------------------------------------------------------------------------------
// Export

/// The header line of an export. Field names are stable.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExportHeader {
    /// Always [`FORMAT`].
    pub format: String,
    /// Always [`VERSION`].
    pub version: u64,
    /// What the file is, in words, for a person who opens it.
    pub about: String,
    /// When it was exported.
    pub exported_at: String,
    /// The wallet's Ethereum account, which signs attestation entries and anchors.
    pub ethereum_address: Option<String>,
    /// Only this community's entries are in full (others redacted), if set.
    pub community: Option<String>,
    /// The first `seq` in the file.
    pub from: u64,
    /// The last `seq` in the file (0: empty).
    pub to: u64,
    /// The anchors known to the exporting wallet (the verifier also searches the chain).
    pub anchors: Vec<AnchorRef>,
    /// did:web documents of the actors, as resolved when exported, by DID.
    pub did_documents: BTreeMap<String, Value>,
}

/// An on-chain anchor of the log's head.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AnchorRef {
    /// The network's name (as the exporter called it).
    pub network: String,
    /// Its chain id.
    pub chain_id: u64,
    /// The EAS contract.
    pub eas: String,
    /// The attestation UID.
    pub uid: String,
    /// The number of entries it covers (= the `seq` of its head).
    pub count: u64,
    /// The head hash it pins.
    pub head: String,
}

/// One line after the header: an entry in full, or redacted.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum ExportEntry {
    /// Everything.
    Full(Entry),
    /// Header and hash only (another community's, or the wallet's private activity).
    Redacted(RedactedEntry),
}

/// A redacted entry. Field names are stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RedactedEntry {
    /// Position.
    pub seq: u64,
    /// Previous hash.
    pub prev: String,
    /// Its community, if any.
    pub community: Option<String>,
    /// Hash of the hidden content.
    pub content_hash: String,
    /// The entry's hash.
    pub hash: String,
    /// Always true.
    pub redacted: bool,
}

impl ExportEntry {
    /// The entry as it appears in an export filtered to `community` (None: everything in full).
    pub fn of(entry: &Entry, community: Option<&str>) -> ExportEntry {
        match community {
            Some(c) if entry.community.as_deref() != Some(c) => ExportEntry::Redacted(RedactedEntry {
                seq: entry.seq,
                prev: entry.prev.clone(),
                community: entry.community.clone(),
                content_hash: entry.content_hash.clone(),
                hash: entry.hash.clone(),
                redacted: true,
            }),
            _ => ExportEntry::Full(entry.clone()),
        }
    }

    /// Its `seq`.
    pub fn seq(&self) -> u64 {
        match self {
            ExportEntry::Full(e) => e.seq,
            ExportEntry::Redacted(r) => r.seq,
        }
    }

    /// Its hash (as written).
    pub fn hash(&self) -> &str {
        match self {
            ExportEntry::Full(e) => &e.hash,
            ExportEntry::Redacted(r) => &r.hash,
        }
    }
}

/// Writes an export: the header line, then one line per entry.
pub fn write_export(header: &ExportHeader, entries: &[ExportEntry]) -> String {
    let mut out = serde_json::to_string(header).expect("header serialises");
    out.push('\n');
    for e in entries {
        out.push_str(&serde_json::to_string(e).expect("entry serialises"));
        out.push('\n');
    }
    out
}

// ---------------------------------------------------------------------------------------------
// Verification

/// The first problem in a log, located. Field names are stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Problem {
    /// The line of the file (1 = header).
    pub line: usize,
    /// The entry's `seq` as written, if it could be read.
    pub seq: Option<u64>,
    /// Stable code: `unreadable`, `gap`, `out_of_order`, `broken_link`, `content_changed`,
    /// `hash_changed`, `bad_signature`, `unknown_key`, `bad_header`.
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
}

/// An anchor as checked against the chain. Field names are stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AnchorCheck {
    /// The anchor.
    pub anchor: AnchorRef,
    /// `matches` (the log has this head at this count), `disagrees` (a rewritten history),
    /// `beyond_end` (the file stops before: a truncated tail), `before_start` (the file starts
    /// after it), `not_on_chain`, `wrong_attester`, `revoked`, `unchecked` (no chain).
    pub status: String,
    /// In words.
    pub message: String,
}

/// What [`verify_export`] found. Field names are stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct LogReport {
    /// Every check passed (chain, hashes, signatures, anchors found on chain agree).
    pub valid: bool,
    /// Entries read.
    pub entries: u64,
    /// In full.
    pub full: u64,
    /// Redacted.
    pub redacted: u64,
    /// The first `seq` and the last.
    pub from: u64,
    /// The last `seq`.
    pub to: u64,
    /// The head hash (last entry's).
    pub head: Option<String>,
    /// The first problem, located; none when the entries check out.
    pub first_problem: Option<Problem>,
    /// Anchors, checked.
    pub anchors: Vec<AnchorCheck>,
    /// Entries 1..=covered are pinned by an anchor that matches.
    pub covered: u64,
    /// Why the chain was not consulted, if it was not.
    pub chain_note: Option<String>,
}

/// An export as read: the header, the entries with their line numbers, the first unreadable line.
pub type ParsedExport = (ExportHeader, Vec<(usize, ExportEntry)>, Option<Problem>);

/// What the chain says about an anchor: `Ok`, or `(status, message)` (see [`AnchorCheck::status`]).
pub type AnchorOutcome = Result<(), (String, String)>;

/// Reads an export: the header and the lines (with their line numbers). The first unreadable
/// line is reported as a problem rather than an error.
pub fn parse_export(text: &str) -> Result<ParsedExport, ActivityError> {
    let mut lines = text.lines().enumerate().filter(|(_, l)| !l.trim().is_empty());
    let (_, first) = lines.next().ok_or_else(|| ActivityError::BadFile("the file is empty".into()))?;
    let header: ExportHeader = serde_json::from_str(first)
        .map_err(|e| ActivityError::BadFile(format!("the first line is not an export header ({e})")))?;
    if header.format != FORMAT {
        return Err(ActivityError::BadFile(format!("its format is \"{}\", not \"{FORMAT}\"", header.format)));
    }
    if header.version != VERSION {
        return Err(ActivityError::BadFile(format!(
            "version {} is not supported (this Hallmark reads {VERSION})",
            header.version
        )));
    }
    let mut entries = Vec::new();
    for (i, line) in lines {
        match serde_json::from_str::<ExportEntry>(line) {
            Ok(e) => entries.push((i + 1, e)),
            Err(e) => {
                let seq = serde_json::from_str::<Value>(line).ok().and_then(|v| v["seq"].as_u64());
                return Ok((
                    header,
                    entries,
                    Some(Problem {
                        line: i + 1,
                        seq,
                        code: "unreadable".into(),
                        message: format!("line {} is not a log entry ({e})", i + 1),
                    }),
                ));
            }
        }
    }
    Ok((header, entries, None))
}

/// Checks the entries of an export (everything but the anchors): contiguous `seq` from the
/// header's `from`, each `prev` the previous hash, each hash and content hash recomputed, each
/// signature by its actor. Returns the first problem, located.
pub async fn check_entries(
    header: &ExportHeader,
    entries: &[(usize, ExportEntry)],
    timeout: std::time::Duration,
) -> Option<Problem> {
    let start = header.from.max(1);
    let mut prev_hash: Option<String> = if start == 1 { Some(GENESIS.to_string()) } else { None };
    let mut keys = KeyCache::new(header, timeout);
    for (expected_seq, (line, e)) in (start..).zip(entries) {
        let (line, seq) = (*line, e.seq());
        let problem = |code: &str, message: String| Some(Problem { line, seq: Some(seq), code: code.into(), message });
        if seq != expected_seq {
            return if seq > expected_seq {
                problem(
                    "gap",
                    format!("entry {expected_seq} is missing (line {line} has entry {seq}): entries were deleted"),
                )
            } else {
                problem(
                    "out_of_order",
                    format!("entry {seq} comes after entry {}: entries were reordered or repeated", expected_seq - 1),
                )
            };
        }
        let (prev, community, content_hash, hash) = match e {
            ExportEntry::Full(f) => (&f.prev, f.community.as_deref(), &f.content_hash, &f.hash),
            ExportEntry::Redacted(r) => (&r.prev, r.community.as_deref(), &r.content_hash, &r.hash),
        };
        if let Some(p) = &prev_hash {
            if prev != p {
                return problem(
                    "broken_link",
                    format!("entry {seq} does not follow entry {}: its \"prev\" is not that entry's hash (an entry before it was changed, removed or inserted)", seq - 1),
                );
            }
        }
        if let ExportEntry::Full(f) = e {
            if content_hash_of(f) != *content_hash {
                return problem("content_changed", format!("entry {seq}'s content was changed after it was written"));
            }
        }
        if entry_hash(seq, prev, community, content_hash) != *hash {
            return problem("hash_changed", format!("entry {seq}'s hash does not match its header (it was changed)"));
        }
        if let ExportEntry::Full(f) = e {
            if let Err(why) = keys.check_signature(f).await {
                return problem(why.0, format!("entry {seq}: {}", why.1));
            }
        }
        prev_hash = Some(hash.clone());
    }
    None
}

fn content_hash_of(e: &Entry) -> String {
    content_hash(&e.time, &e.actor, &e.action, &e.objects)
}

/// Resolves actors' keys once each.
struct KeyCache<'h> {
    header: &'h ExportHeader,
    timeout: std::time::Duration,
    documents: BTreeMap<String, Value>,
}

impl<'h> KeyCache<'h> {
    fn new(header: &'h ExportHeader, timeout: std::time::Duration) -> Self {
        KeyCache { header, timeout, documents: BTreeMap::new() }
    }

    async fn check_signature(&mut self, e: &Entry) -> Result<(), (&'static str, String)> {
        let message = signing_message(&e.hash);
        match e.sig.alg.as_str() {
            ALG_ED25519 => {
                use base64::Engine;
                let vm = e.sig.vm.as_deref().ok_or(("bad_signature", "its signature names no key".to_string()))?;
                if vm.split('#').next() != Some(e.actor.as_str()) {
                    return Err((
                        "bad_signature",
                        format!("it was signed by a key of {vm}, not of its actor {}", e.actor),
                    ));
                }
                if !self.documents.contains_key(&e.actor) {
                    let doc = match self.header.did_documents.get(&e.actor) {
                        Some(d) if e.actor.starts_with("did:web:") => d.clone(),
                        _ => crate::did::resolve(&e.actor, self.timeout)
                            .await
                            .map_err(|err| ("unknown_key", format!("the key of {} cannot be found: {err}", e.actor)))?,
                    };
                    self.documents.insert(e.actor.clone(), doc);
                }
                let doc = &self.documents[&e.actor];
                let key = crate::credential::method::ed25519_from_document(
                    doc,
                    vm,
                    crate::credential::method::Purpose::Assertion,
                )
                .map_err(|err| ("unknown_key", format!("{vm} is not a signing key of {}: {err}", e.actor)))?;
                let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
                    .decode(&e.sig.value)
                    .ok()
                    .and_then(|b| <[u8; 64]>::try_from(b).ok())
                    .ok_or(("bad_signature", "its signature is not 64 bytes of base64url".to_string()))?;
                key.verify_strict(&message, &ed25519_dalek::Signature::from_bytes(&bytes))
                    .map_err(|_| ("bad_signature", format!("the signature is not {}'s", e.actor)))
            }
            ALG_EIP191 => {
                let address =
                    e.actor.rsplit(':').next().filter(|_| e.actor.starts_with("did:pkh:eip155:")).ok_or((
                        "bad_signature",
                        format!("an EIP-191 signature needs a did:pkh actor, not {}", e.actor),
                    ))?;
                let expected = crate::attest::parse_address(address, "the actor's address")
                    .map_err(|err| ("bad_signature", err.to_string()))?;
                let sig: alloy::primitives::Signature = e
                    .sig
                    .value
                    .parse()
                    .map_err(|_| ("bad_signature", "its signature is not 65 bytes of hex".to_string()))?;
                let got = sig
                    .recover_address_from_msg(&message)
                    .map_err(|_| ("bad_signature", "its signature cannot be checked".to_string()))?;
                if got != expected {
                    return Err(("bad_signature", format!("the signature is by {got}, not by its actor {expected}")));
                }
                Ok(())
            }
            other => Err(("bad_signature", format!("unknown signature algorithm \"{other}\""))),
        }
    }
}

/// Compares anchors with the entries: for each, whether the entry at its count has its head.
/// `on_chain` says, per anchor UID, what the chain holds (`None`: not consulted).
pub fn check_anchors(
    header: &ExportHeader,
    entries: &[(usize, ExportEntry)],
    anchors: Vec<(AnchorRef, AnchorOutcome)>,
) -> (Vec<AnchorCheck>, u64) {
    let by_seq: BTreeMap<u64, &str> = entries.iter().map(|(_, e)| (e.seq(), e.hash())).collect();
    let last = entries.last().map(|(_, e)| e.seq()).unwrap_or(0);
    let mut covered = 0;
    let mut out = Vec::new();
    for (a, chain) in anchors {
        let (status, message) = if let Err((status, message)) = chain {
            (status, message)
        } else if a.count > last {
            (
                "beyond_end".to_string(),
                format!(
                    "anchored with {} entries, but the log ends at entry {last}: entries {}..{} are missing (a truncated log)",
                    a.count,
                    last + 1,
                    a.count
                ),
            )
        } else if a.count < header.from.max(1) {
            ("before_start".to_string(), format!("covers entries up to {}, before this file starts", a.count))
        } else if by_seq.get(&a.count) == Some(&a.head.as_str()) {
            covered = covered.max(a.count);
            ("matches".to_string(), format!("entries 1..{} are pinned by this anchor", a.count))
        } else {
            (
                "disagrees".to_string(),
                format!(
                    "the chain says entry {} had head {}, but this log's entry {} is different: the history was rewritten",
                    a.count, a.head, a.count
                ),
            )
        };
        out.push(AnchorCheck { anchor: a, status, message });
    }
    (out, covered)
}

/// Verifies an export without the chain (see [`crate::wallet::log`] for the full check with
/// anchors read from the chain): the entries, and the header's anchors against the entries.
pub async fn verify_export(text: &str, timeout: std::time::Duration) -> Result<LogReport, ActivityError> {
    let (header, entries, unreadable) = parse_export(text)?;
    let first_problem = match unreadable {
        Some(p) => {
            // Entries before the unreadable line are still checked first.
            check_entries(&header, &entries, timeout).await.or(Some(p))
        }
        None => check_entries(&header, &entries, timeout).await,
    };
    let anchors = header.anchors.iter().cloned().map(|a| (a, Ok(()))).collect();
    let (mut checks, covered) = check_anchors(&header, &entries, anchors);
    for c in checks.iter_mut().filter(|c| c.status == "matches") {
        c.message.push_str(" (as the file says; not checked on chain)");
    }
    Ok(summarise(&header, &entries, first_problem, checks, covered, Some("no chain was consulted".into())))
}

/// Builds the report.
pub fn summarise(
    header: &ExportHeader,
    entries: &[(usize, ExportEntry)],
    first_problem: Option<Problem>,
    anchors: Vec<AnchorCheck>,
    covered: u64,
    chain_note: Option<String>,
) -> LogReport {
    let full = entries.iter().filter(|(_, e)| matches!(e, ExportEntry::Full(_))).count() as u64;
    let bad_anchor = anchors.iter().any(|a| !matches!(a.status.as_str(), "matches" | "before_start" | "unchecked"));
    LogReport {
        valid: first_problem.is_none() && !bad_anchor,
        entries: entries.len() as u64,
        full,
        redacted: entries.len() as u64 - full,
        from: entries.first().map(|(_, e)| e.seq()).unwrap_or(header.from),
        to: entries.last().map(|(_, e)| e.seq()).unwrap_or(0),
        head: entries.last().map(|(_, e)| e.hash().to_string()),
        first_problem,
        anchors,
        covered,
        chain_note,
    }
}

/// A signer for store tests: signs as any actor with one fixed Ed25519 key (such entries do not
/// verify against their actors' DIDs; the chain and hashes are what those tests look at).
#[cfg(test)]
pub(crate) fn test_signer() -> std::sync::Arc<dyn LogSigner> {
    struct Fixed;
    impl LogSigner for Fixed {
        fn sign(
            &self,
            actor: &str,
            _identity: Option<&crate::store::Identity>,
            message: &[u8],
        ) -> Result<EntrySig, ActivityError> {
            let key = ed25519_dalek::SigningKey::from_bytes(&[9; 32]);
            Ok(sign_ed25519(&key, &format!("{actor}#test"), message))
        }
        fn ethereum_actor(&self) -> Option<String> {
            Some("did:pkh:eip155:1:0x0000000000000000000000000000000000000001".into())
        }
    }
    std::sync::Arc::new(Fixed)
}
