//! The Activity screen's commands: the wallet's activity log, read for people.
//!
//! Every file signed, credential issued or revoked, community decision and attestation is an
//! entry of the log ([`hallmark_core::activity`]): signed by the identity that acted and linked to
//! the entry before it, written by core in the same transaction as the action. These commands
//! only read and explain it: a timeline in words (with filters), the log's verification (an
//! export of it checked entry by entry, and its anchors against the chain), its anchors ("pinned
//! on …"), anchoring now or automatically every N entries on the network chosen on the
//! Attestations screen, and exports (the whole log, or one community's for its members).
//!
//! Nothing here needs the wallet's keys: each command works on its own handle of the wallet (as
//! the Attestations screen's do), and anchors are sent by the attestation worker, which holds the
//! Ethereum key. The screen refreshes on the worker's events (`attest-changed`).

use std::collections::HashMap;
use std::path::PathBuf;
use std::time::Duration;

use hallmark_core::activity::{self, AnchorCheck, Entry, ExportEntry, LogReport, ALG_ED25519, ALG_EIP191};
use hallmark_core::attest::devnet::DEVNET_CHAIN_ID;
use hallmark_core::attest::network::{self, NetworkSource, DEVNET};
use hallmark_core::attest::{HallmarkSchema, Network};
use hallmark_core::store::{AttestationFilter, Enqueued, LogFilter, Store};
use hallmark_core::wallet::log::{verify_log, AnchorPolicy};
use hallmark_core::{Wallet, WalletError};
use serde::Serialize;
use tauri::State;

use crate::attest::{network_label, unlocked_home_quietly, with_wallet};
use crate::commands::{unlocked_home, AppState};
use crate::error::{sentence, AppError};

/// Entries per page of the timeline (the screen asks for more with "Show older entries").
const PAGE: u32 = 50;
/// The most entries one request returns.
const MAX_PAGE: u32 = 2000;
/// The largest "anchor every N entries" the screen accepts.
const MAX_EVERY: u64 = 1_000_000;
/// How long verifying may wait for a chain (anchors) or a did:web document.
const VERIFY_TIMEOUT: Duration = Duration::from_secs(10);

// ---------------------------------------------------------------------------------------------
// Words

/// "1 entry" / "5 entries".
fn entries_words(n: u64) -> String {
    if n == 1 {
        "1 entry".into()
    } else {
        format!("{n} entries")
    }
}

fn bad_input(message: impl Into<String>) -> WalletError {
    WalletError::BadSetting(message.into())
}

/// What an action is, as a filter's choice (plural: "Files signed").
fn action_label(action: &str) -> String {
    match action {
        "sign_media" => "Files signed",
        "issue_credential" => "Credentials issued",
        "revoke_credential" => "Credentials revoked",
        "vouch" => "Vouches given",
        "attest" => "Recorded on a blockchain",
        "attest_offchain" => "Signed off-chain",
        "revoke_attestation" => "Attestations revoked",
        "created" => "Communities created",
        "invited" => "Invitations made",
        "admitted" => "Members admitted",
        "rejected" => "Join requests turned down",
        "vouch_received" => "Vouches received by a community",
        "humanity_issued" => "Humanity credentials given by a community",
        "moderator_added" => "Moderators added",
        "left" => "Members who left",
        "banned" => "Members banned",
        other => return sentence(&other.replace('_', " ")),
    }
    .to_string()
}

/// A credential's kind from its type, e.g. "a humanity credential".
fn credential_kind(kind: Option<&str>) -> String {
    match kind.unwrap_or_default() {
        "HumanityCredential" => "a humanity credential".into(),
        "CommunityMembershipCredential" => "a community membership".into(),
        "VouchCredential" => "a vouch for a person".into(),
        "" | "VerifiableCredential" => "a credential".into(),
        other => {
            // "UniversityDegreeCredential" → "a university degree credential".
            let mut spaced = String::new();
            let mut prev_lower = false;
            for c in other.chars() {
                if c.is_uppercase() && prev_lower {
                    spaced.push(' ');
                }
                prev_lower = c.is_lowercase() || c.is_ascii_digit();
                spaced.extend(c.to_lowercase());
            }
            let article = if spaced.starts_with(['a', 'e', 'i', 'o', 'u']) { "an" } else { "a" };
            format!("{article} {spaced}")
        }
    }
}

/// What kind of file a media type is, e.g. "picture".
fn media_kind(media_type: Option<&str>) -> &'static str {
    let t = media_type.unwrap_or_default();
    if t.starts_with("image/") {
        "picture"
    } else if t.starts_with("video/") {
        "video"
    } else if t.starts_with("audio/") {
        "sound recording"
    } else if t == "application/pdf" {
        "PDF document"
    } else {
        "file"
    }
}

/// An entry's object, named for people.
fn object_label(key: &str) -> String {
    match key {
        "original_sha256" => "Original file (SHA-256)",
        "output_sha256" => "Signed file (SHA-256)",
        "manifest_label" => "Content Credentials manifest",
        "media_type" => "Type of file",
        "credential_sha256" => "Credential (SHA-256)",
        "type" => "Kind of credential",
        "subject_sha256" => "About (SHA-256 of their DID)",
        "on_behalf_of_sha256" => "Acted for (SHA-256 of their DID)",
        "detail_sha256" => "Details of the decision (SHA-256)",
        "revoked" => "Credentials revoked with it",
        "uid" => "Attestation UID",
        "schema" => "Kind of attestation",
        "chain_id" => "Chain id",
        "eas" => "EAS contract",
        "content_sha256" => "File (SHA-256)",
        "data_sha256" => "What was attested (SHA-256)",
        "tx_hash" => "Transaction",
        "block" => "Block",
        other => return other.to_string(),
    }
    .to_string()
}

/// What an anchor check found, in words.
fn anchor_check_words(c: &AnchorCheck, net: &str) -> String {
    let n = c.anchor.count;
    match c.status.as_str() {
        "matches" => format!("{net} agrees: entries 1–{n} are exactly as they were pinned."),
        "disagrees" => format!(
            "{net} disagrees: entry {n} was pinned with another fingerprint, so the history up to it was rewritten."
        ),
        "beyond_end" => {
            format!("{net} pinned entries 1–{n}, but the log now ends before entry {n}: entries were removed.")
        }
        "before_start" => format!("Pins entries 1–{n} on {net}."),
        "not_on_chain" => format!("The pin of entries 1–{n} is not on {net}."),
        "wrong_attester" => format!("The pin of entries 1–{n} on {net} was made by another account."),
        "revoked" => format!("The pin of entries 1–{n} was revoked on {net}."),
        "unchecked" => format!("The pin of entries 1–{n} on {net} could not be checked now: {}.", c.message),
        _ => sentence(&c.message),
    }
}

// ---------------------------------------------------------------------------------------------
// Who and what the wallet knows (to name DIDs, communities, files and networks)

/// What names an entry: this wallet's identities, communities, members, signed files, networks.
struct Names {
    /// Our identities: DID → label for people.
    identities: HashMap<String, String>,
    /// SHA-256 of a DID → its name (people acted on appear in the log only as hashes).
    by_hash: HashMap<String, String>,
    /// Community id → name.
    communities: HashMap<String, String>,
    /// The wallet's Ethereum account (lower case), which signs attestation entries.
    ethereum: Option<String>,
    /// Known networks (to name a chain).
    networks: Vec<Network>,
    /// The store, to find signed files by hash.
    store: Store,
}

impl Names {
    fn load(w: &Wallet) -> Result<Names, WalletError> {
        let mut identities = HashMap::new();
        let mut by_hash = HashMap::new();
        for id in w.identities()? {
            let name = match id.label.as_deref().map(str::trim).filter(|l| !l.is_empty()) {
                Some(l) => format!("{l} (you)"),
                None => format!("you ({})", id.did),
            };
            by_hash.insert(activity::hash_text(&id.did), name.clone());
            identities.insert(id.did, name);
        }
        let store = Store::open(w.home())?;
        let mut communities = HashMap::new();
        for c in store.communities()? {
            for m in store.community_members(&c.id)? {
                by_hash.entry(activity::hash_text(&m.did)).or_insert_with(|| m.did.clone());
            }
            communities.insert(c.id, c.name);
        }
        Ok(Names {
            identities,
            by_hash,
            communities,
            ethereum: w.ethereum_address().ok().map(|a| a.to_checksum(None).to_lowercase()),
            networks: network::list(w.home()).unwrap_or_default(),
            store,
        })
    }

    /// Is `did` the wallet's Ethereum account?
    fn is_ethereum(&self, did: &str) -> bool {
        let address = did.strip_prefix("did:pkh:eip155:").and_then(|rest| rest.rsplit(':').next());
        matches!((address, &self.ethereum), (Some(a), Some(e)) if a.to_lowercase() == *e)
    }

    /// The actor's name when it is this wallet's.
    fn actor(&self, did: &str) -> Option<String> {
        if let Some(name) = self.identities.get(did) {
            return Some(name.clone());
        }
        self.is_ethereum(did).then(|| "Your Ethereum account".to_string())
    }

    /// The name of a DID given by its SHA-256, when the wallet knows it.
    fn hashed(&self, sha: Option<&String>) -> Option<String> {
        sha.and_then(|s| self.by_hash.get(s)).cloned()
    }

    fn community(&self, id: Option<&str>) -> Option<String> {
        id.map(|id| self.communities.get(id).cloned().unwrap_or_else(|| id.to_string()))
    }

    /// The name of the signed file with this SHA-256, if this wallet signed it.
    fn signed_file(&self, sha: Option<&String>) -> Option<String> {
        let sha = sha?;
        let found = self.store.find_signed_by_sha256(sha.trim_start_matches("0x")).ok()?;
        let path = PathBuf::from(&found.first()?.output_path);
        path.file_name().map(|n| n.to_string_lossy().into_owned())
    }

    /// A chain's name for people, from its chain id and EAS contract.
    fn chain(&self, chain_id: Option<&String>, eas: Option<&String>) -> String {
        let Some(id) = chain_id.and_then(|c| c.parse::<u64>().ok()) else {
            return "a blockchain".into();
        };
        let eas = eas.map(|e| e.to_lowercase()).unwrap_or_default();
        let found = self.networks.iter().find(|n| n.chain_id == id && n.eas.to_checksum(None).to_lowercase() == eas);
        match found {
            Some(n) => network_label(&n.name),
            // The devnet's networks entry is gone once it stops.
            None if id == DEVNET_CHAIN_ID => network_label(DEVNET),
            None => format!("chain {id}"),
        }
    }
}

// ---------------------------------------------------------------------------------------------
// What the screen receives

/// One fact of an entry's details.
#[derive(Debug, Serialize)]
pub struct FactOut {
    /// What it is.
    pub label: String,
    /// Its value (a hash, an id).
    pub value: String,
}

/// One entry of the timeline.
#[derive(Debug, Serialize)]
pub struct EntryOut {
    /// Its position in the log (from 1).
    pub seq: u64,
    /// When (RFC 3339, UTC).
    pub time: String,
    /// The action (stable code).
    pub action: String,
    /// What was done, in one plain sentence.
    pub what: String,
    /// The DID that acted (and signed the entry).
    pub actor: String,
    /// Its name, when it is this wallet's.
    pub actor_name: Option<String>,
    /// The community, for a community's decisions.
    pub community: Option<String>,
    /// Its name.
    pub community_name: Option<String>,
    /// The entry's hash.
    pub hash: String,
    /// The previous entry's hash.
    pub prev: String,
    /// The hash of what the entry says.
    pub content_hash: String,
    /// The signature, in words.
    pub signature: String,
    /// The objects (hashes, ids), named.
    pub objects: Vec<FactOut>,
    /// Pinned on chain by an anchor.
    pub pinned: bool,
}

fn entry_out(e: Entry, names: &Names, anchored: u64) -> EntryOut {
    let o = &e.objects;
    let community_name = names.community(e.community.as_deref());
    let club = community_name.clone().unwrap_or_else(|| "a community".into());
    let subject = names.hashed(o.get("subject_sha256"));
    // Who was acted on, when the wallet knows them: "…: Bob (you)".
    let about = |text: String| match &subject {
        Some(s) => format!("{text}: {s}"),
        None => text,
    };
    let net = || names.chain(o.get("chain_id"), o.get("eas"));
    let attested = || match o.get("schema").map(String::as_str) {
        Some("content") => match names.signed_file(o.get("content_sha256")) {
            Some(f) => format!("the signed file {f}"),
            None => "a signed file".into(),
        },
        Some("humanity") => "a humanity credential".into(),
        Some("membership") => "a community membership".into(),
        Some("log_head") => "this activity log".into(),
        _ => "an attestation".into(),
    };
    let what = match e.action.as_str() {
        "sign_media" => {
            let kind = media_kind(o.get("media_type").map(String::as_str));
            let by = names.actor(&e.actor).map(|n| n.trim_end_matches(" (you)").to_string());
            let file = match names.signed_file(o.get("output_sha256")) {
                Some(f) => format!("the {kind} {f}"),
                None => format!("a {kind}"),
            };
            match by {
                Some(n) if !n.starts_with("you (") => format!("You signed {file} as {n}"),
                _ => format!("You signed {file} as {}", e.actor),
            }
        }
        "issue_credential" => {
            let kind = credential_kind(o.get("type").map(String::as_str));
            match &subject {
                Some(s) => format!("Credential issued: {kind}, about {s}"),
                None => format!("Credential issued: {kind}"),
            }
        }
        "revoke_credential" => format!("Credential revoked: {}", credential_kind(o.get("type").map(String::as_str))),
        "vouch" => match &subject {
            Some(s) => format!("Vouch given for {s}"),
            None => "Vouch given for a person".into(),
        },
        "attest" if o.get("schema").map(String::as_str) == Some(HallmarkSchema::LogHead.as_str()) => {
            format!("Activity log pinned on {}", net())
        }
        "attest" => format!("Recorded on {}: {}", net(), attested()),
        "attest_offchain" => format!("Signed off-chain for {}: {}", net(), attested()),
        "revoke_attestation" => format!("Attestation revoked on {}", net()),
        "created" => format!("Community {club} created"),
        "invited" => format!("Invitation made to join {club}"),
        "admitted" => about(format!("Member admitted to {club}")),
        "rejected" => about(format!("Join request to {club} turned down")),
        "vouch_received" => about(format!("Vouch received in {club}")),
        "humanity_issued" => about(format!("Humanity credential given by {club}")),
        "moderator_added" => about(format!("Moderator added to {club}")),
        "left" => about(format!("Member left {club}")),
        "banned" => about(format!("Member banned from {club}")),
        other => sentence(&other.replace('_', " ")),
    };
    let what = match o.get("revoked").and_then(|n| n.parse::<u64>().ok()).filter(|n| *n > 0) {
        Some(1) => format!("{what} (1 credential revoked)"),
        Some(n) => format!("{what} ({n} credentials revoked)"),
        None => what,
    };
    let signature = match e.sig.alg.as_str() {
        ALG_ED25519 => format!("Ed25519, by the key {}", e.sig.vm.as_deref().unwrap_or(&e.actor)),
        ALG_EIP191 => "Ethereum signature (EIP-191), by the wallet’s Ethereum account".to_string(),
        other => other.to_string(),
    };
    let objects = o.iter().map(|(k, v)| FactOut { label: object_label(k), value: v.clone() }).collect();
    EntryOut {
        pinned: e.seq <= anchored,
        seq: e.seq,
        actor_name: names.actor(&e.actor),
        what,
        community_name,
        community: e.community,
        hash: e.hash,
        prev: e.prev,
        content_hash: e.content_hash,
        signature,
        objects,
        time: e.time,
        action: e.action,
        actor: e.actor,
    }
}

/// A choice of the action filter.
#[derive(Debug, Serialize)]
pub struct ActionOut {
    /// The action (stable code).
    pub action: String,
    /// Its name for people.
    pub label: String,
    /// How many entries.
    pub count: u64,
}

/// A community of this wallet (filter and export).
#[derive(Debug, Serialize)]
pub struct CommunityOut {
    /// Its id.
    pub id: String,
    /// Its name.
    pub name: String,
}

/// An anchor of the log on chain.
#[derive(Debug, Serialize)]
pub struct AnchorOut {
    /// Entries 1..=count are pinned by it.
    pub count: u64,
    /// The network's name.
    pub network: String,
    /// Its name for people.
    pub network_label: String,
    /// The attestation's UID.
    pub uid: String,
    /// The head hash it pins.
    pub head: String,
}

/// Automatic anchoring.
#[derive(Debug, Serialize)]
pub struct AnchoringOut {
    /// Every N new entries.
    pub every: u64,
    /// On this network.
    pub network: String,
    /// Its name for people.
    pub network_label: String,
}

/// The log at a glance: counts, filters, anchors and the anchoring setting.
#[derive(Debug, Serialize)]
pub struct OverviewOut {
    /// Entries in the log.
    pub entries: u64,
    /// The head hash.
    pub head: String,
    /// Actions in the log, with their counts (the action filter).
    pub actions: Vec<ActionOut>,
    /// The communities run from this wallet (the community filter and export).
    pub communities: Vec<CommunityOut>,
    /// Confirmed anchors, newest first.
    pub anchors: Vec<AnchorOut>,
    /// Entries 1..=anchored are pinned.
    pub anchored: u64,
    /// Newer entries not pinned yet (the anchors' own records do not count).
    pub unpinned: u64,
    /// Anchors queued or sent, not confirmed yet.
    pub anchors_pending: u32,
    /// Anchors that could not be recorded.
    pub anchors_failed: u32,
    /// Where the log is pinned, in words.
    pub anchor_text: String,
    /// The network chosen on the Attestations screen (where "Anchor now" pins the log).
    pub network: Option<String>,
    /// Its name for people.
    pub network_label: Option<String>,
    /// Automatic anchoring, when on.
    pub anchoring: Option<AnchoringOut>,
    /// Automatic anchoring, in words.
    pub anchoring_text: String,
}

/// A page of the timeline.
#[derive(Debug, Serialize)]
pub struct EntriesOut {
    /// The entries, newest first.
    pub entries: Vec<EntryOut>,
    /// Older entries match too.
    pub more: bool,
}

/// The first problem of the log, located.
#[derive(Debug, Serialize)]
pub struct ProblemOut {
    /// The entry, when it could be read.
    pub seq: Option<u64>,
    /// Stable code (`content_changed`, `gap`, `bad_signature`…).
    pub code: String,
    /// What is wrong, in words.
    pub message: String,
}

/// An anchor as checked.
#[derive(Debug, Serialize)]
pub struct AnchorCheckOut {
    /// Entries 1..=count are pinned by it.
    pub count: u64,
    /// Its network's name for people.
    pub network_label: String,
    /// The attestation's UID.
    pub uid: String,
    /// `matches`, `disagrees`, `beyond_end`, `unchecked`… (core's [`AnchorCheck::status`]).
    pub status: String,
    /// What was found, in words.
    pub text: String,
}

/// The verification of the whole log.
#[derive(Debug, Serialize)]
pub struct VerifyOut {
    /// `valid`, `invalid` or `empty`.
    pub state: &'static str,
    /// In one sentence.
    pub summary: String,
    /// More, when there is more to say.
    pub detail: Option<String>,
    /// Entries checked.
    pub entries: u64,
    /// The first problem, located.
    pub first_problem: Option<ProblemOut>,
    /// The anchors, checked against their chains.
    pub anchors: Vec<AnchorCheckOut>,
    /// Entries 1..=covered are pinned by an anchor the chain agrees with.
    pub covered: u64,
}

/// An export of the log.
#[derive(Debug, Serialize)]
pub struct ExportOut {
    /// The file's text (JSON Lines).
    pub text: String,
    /// A name to save it under.
    pub file_name: String,
    /// Entries in it.
    pub entries: u64,
    /// In full.
    pub full: u64,
    /// Shown by their fingerprints only (other activity than the community's).
    pub redacted: u64,
    /// The community, for a community's export.
    pub community_name: Option<String>,
    /// What it holds, in words.
    pub summary: String,
}

/// What "Anchor now" did.
#[derive(Debug, Serialize)]
pub struct AnchorQueuedOut {
    /// `queued` (new) or `existing` (this head is queued or pinned already).
    pub outcome: &'static str,
    /// Entries 1..=count are being pinned.
    pub count: u64,
    /// The network's name for people.
    pub network_label: String,
    /// In words.
    pub text: String,
}

// ---------------------------------------------------------------------------------------------
// What the commands do, on a wallet (tested below without a window)

/// How many blocks make an anchor count as recorded on `network`.
fn confirmations(network: &Network) -> u32 {
    if network.source == NetworkSource::Devnet {
        1
    } else {
        2
    }
}

/// The network chosen on the Attestations screen, or a plain request to choose one.
fn chosen_network(wallet: &Wallet) -> Result<Network, WalletError> {
    let name = wallet
        .default_network()?
        .ok_or_else(|| bad_input("First choose where to record: open the Attestations screen and pick a network."))?;
    Ok(network::get(wallet.home(), &name)?)
}

/// A community of this wallet by id (or unique name).
fn community_id(wallet: &Wallet, id: &str) -> Result<String, WalletError> {
    Ok(wallet.community_details(id.trim())?.community.id)
}

fn overview(wallet: &Wallet) -> Result<OverviewOut, WalletError> {
    let s = wallet.log_status()?;
    let names = Names::load(wallet)?;
    let actions = s
        .actions
        .iter()
        .map(|(action, count)| ActionOut { action: action.clone(), label: action_label(action), count: *count })
        .collect();
    let mut communities: Vec<CommunityOut> =
        names.communities.iter().map(|(id, name)| CommunityOut { id: id.clone(), name: name.clone() }).collect();
    communities.sort_by(|a, b| a.name.to_lowercase().cmp(&b.name.to_lowercase()).then(a.id.cmp(&b.id)));
    // Entries after the newest anchor, without the anchors' own records (which follow their
    // anchor by construction: an anchor cannot pin its own confirmation).
    let anchor_records = wallet
        .log_entries(&LogFilter { from: Some(s.anchored + 1), action: Some("attest".into()), ..Default::default() })?
        .iter()
        .filter(|e| e.objects.get("schema").map(String::as_str) == Some(HallmarkSchema::LogHead.as_str()))
        .count() as u64;
    let unpinned = s.entries.saturating_sub(s.anchored).saturating_sub(anchor_records);
    let failed = wallet
        .attestations(&AttestationFilter { state: Some("failed".into()), ..Default::default() })?
        .iter()
        .filter(|r| r.schema == HallmarkSchema::LogHead.as_str())
        .count() as u32;
    let anchors: Vec<AnchorOut> = s
        .anchors
        .iter()
        .map(|a| AnchorOut {
            count: a.count,
            network_label: network_label(&a.network),
            network: a.network.clone(),
            uid: a.uid.clone(),
            head: a.head.clone(),
        })
        .collect();
    let pinned_on = anchors.iter().max_by_key(|a| a.count).map(|a| a.network_label.clone());
    let mut anchor_text = match (s.entries, s.anchored, &pinned_on) {
        (0, _, _) => "The log is empty: there is nothing to pin yet.".to_string(),
        (_, 0, _) | (_, _, None) => {
            "Not pinned on a blockchain yet. Pinning records the log’s fingerprint publicly, so that nobody — you \
             included — can rewrite its history unnoticed."
                .to_string()
        }
        (_, n, Some(net)) => format!("Entries 1–{n} are pinned on {net}: nobody can change them unnoticed."),
    };
    if s.anchored > 0 && unpinned > 0 {
        let verb = if unpinned == 1 { "is" } else { "are" };
        anchor_text.push_str(&format!(" {} newer {verb} not pinned yet.", entries_words(unpinned)));
    }
    if s.anchors_pending > 0 {
        anchor_text.push_str(&match s.anchors_pending {
            1 => " One pin is on its way to the network.".to_string(),
            n => format!(" {n} pins are on their way to the network."),
        });
    }
    if failed > 0 {
        anchor_text.push_str(&match failed {
            1 => " One pin could not be recorded: see the Attestations screen.".to_string(),
            n => format!(" {n} pins could not be recorded: see the Attestations screen."),
        });
    }
    let chosen = wallet.default_network()?;
    let anchoring = wallet.log_anchoring()?.map(|p| AnchoringOut {
        every: p.every,
        network_label: network_label(&p.network),
        network: p.network,
    });
    let anchoring_text = match &anchoring {
        Some(a) => format!(
            "On: Hallmark pins the log on {} after every {} (while the app is unlocked).",
            a.network_label,
            if a.every == 1 { "new entry".to_string() } else { format!("{} new entries", a.every) }
        ),
        None => "Off: the log is pinned only when you press Anchor now.".to_string(),
    };
    Ok(OverviewOut {
        entries: s.entries,
        head: s.head,
        actions,
        communities,
        anchored: s.anchored,
        unpinned,
        anchors_pending: s.anchors_pending,
        anchors_failed: failed,
        anchors,
        anchor_text,
        network_label: chosen.as_deref().map(network_label),
        network: chosen,
        anchoring,
        anchoring_text,
    })
}

fn entries(
    wallet: &Wallet,
    action: Option<String>,
    community: Option<String>,
    limit: Option<u32>,
) -> Result<EntriesOut, WalletError> {
    let limit = limit.unwrap_or(PAGE).clamp(1, MAX_PAGE);
    let action = action.map(|a| a.trim().to_string()).filter(|a| !a.is_empty());
    let community = match community.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(community_id(wallet, c)?),
        None => None,
    };
    let mut found = wallet.log_entries(&LogFilter {
        action,
        community,
        limit: Some(limit + 1),
        newest_first: true,
        ..Default::default()
    })?;
    let more = found.len() > limit as usize;
    found.truncate(limit as usize);
    let names = Names::load(wallet)?;
    let anchored = wallet.log_status()?.anchored;
    Ok(EntriesOut { entries: found.into_iter().map(|e| entry_out(e, &names, anchored)).collect(), more })
}

/// The verification, in words.
fn verify_words(report: &LogReport, networks: &[Network]) -> VerifyOut {
    let label_of = |c: &AnchorCheck| {
        let known = networks.iter().any(|n| n.name == c.anchor.network);
        if known || c.anchor.network == DEVNET {
            network_label(&c.anchor.network)
        } else {
            format!("chain {}", c.anchor.chain_id)
        }
    };
    let anchors: Vec<AnchorCheckOut> = report
        .anchors
        .iter()
        .map(|c| {
            let net = label_of(c);
            AnchorCheckOut {
                count: c.anchor.count,
                uid: c.anchor.uid.clone(),
                status: c.status.clone(),
                text: anchor_check_words(c, &net),
                network_label: net,
            }
        })
        .collect();
    let bad_anchor = anchors.iter().find(|a| !matches!(a.status.as_str(), "matches" | "before_start" | "unchecked"));
    let first_problem = report.first_problem.as_ref().map(|p| ProblemOut {
        seq: p.seq,
        code: p.code.clone(),
        message: sentence(&p.message),
    });
    let n = report.entries;
    let (state, summary, detail) = if n == 0 && first_problem.is_none() {
        ("empty", "The log is empty: there is nothing to check yet.".to_string(), None)
    } else if let Some(p) = &first_problem {
        let at = match p.seq {
            Some(seq) => format!("Entry {seq} does not check"),
            None => "The log does not check".to_string(),
        };
        let before = match p.seq {
            Some(2) => " Entry 1 is intact; from entry 2 on, the log cannot be trusted.".to_string(),
            Some(seq) if seq > 2 => {
                format!(" Entries 1–{} are intact; from entry {seq} on, the log cannot be trusted.", seq - 1)
            }
            _ => " The log cannot be trusted.".to_string(),
        };
        ("invalid", format!("{at}: {}", p.message.trim_end_matches('.')), Some(before.trim().to_string()))
    } else if let Some(a) = bad_anchor {
        ("invalid", format!("The blockchain disagrees with this log. {}", a.text), None)
    } else {
        let all = if n == 1 { "The only entry checks".to_string() } else { format!("All {n} entries check") };
        let summary = format!(
            "{all}: each is signed by the identity that acted and linked to the one before it, so none was \
             changed, removed or put in another order."
        );
        let pinned = anchors.iter().filter(|a| a.status == "matches").max_by_key(|a| a.count);
        let detail = match pinned {
            Some(a) => Some(format!("Entries 1–{} are pinned on {}, and the chain agrees.", a.count, a.network_label)),
            None if anchors.iter().any(|a| a.status == "unchecked") => {
                Some("Its pins on a blockchain could not be checked now.".to_string())
            }
            None => None,
        };
        ("valid", summary, detail)
    };
    VerifyOut { state, summary, detail, entries: n, first_problem, anchors, covered: report.covered }
}

fn verify(wallet: &Wallet) -> Result<VerifyOut, WalletError> {
    let text = tauri::async_runtime::block_on(wallet.export_log(None, None))?;
    let report = tauri::async_runtime::block_on(verify_log(&text, Some(wallet.home()), None, VERIFY_TIMEOUT))?;
    Ok(verify_words(&report, &network::list(wallet.home()).unwrap_or_default()))
}

/// A file name from a community's name: "Chess club" → "chess-club".
fn slug(name: &str) -> String {
    let mut out = String::new();
    for c in name.chars() {
        if c.is_alphanumeric() {
            out.extend(c.to_lowercase());
        } else if !out.ends_with('-') && !out.is_empty() {
            out.push('-');
        }
    }
    let out = out.trim_end_matches('-').chars().take(40).collect::<String>();
    if out.is_empty() {
        "community".into()
    } else {
        out
    }
}

fn export(wallet: &Wallet, community: Option<String>) -> Result<ExportOut, WalletError> {
    let community = match community.as_deref().map(str::trim).filter(|c| !c.is_empty()) {
        Some(c) => Some(wallet.community_details(c)?.community),
        None => None,
    };
    let text = tauri::async_runtime::block_on(wallet.export_log(community.as_ref().map(|c| c.id.as_str()), None))?;
    let (header, lines, _) = activity::parse_export(&text)?;
    let entries = lines.len() as u64;
    let full = lines.iter().filter(|(_, e)| matches!(e, ExportEntry::Full(_))).count() as u64;
    let redacted = entries - full;
    let pins = match header.anchors.iter().map(|a| a.count).max() {
        Some(n) => format!(" Entries 1–{n} are pinned on a blockchain, which anyone can check too."),
        None => String::new(),
    };
    let summary = match &community {
        None => format!(
            "The whole log: {}. Anyone with Hallmark can check it: a changed, removed or reordered entry is found \
             at once.{pins}",
            entries_words(entries)
        ),
        Some(c) => format!(
            "{}’s log for its members: its {} in full; your other {} only as fingerprints, so members can see that \
             nothing is missing without seeing your private activity.{pins}",
            c.name,
            if full == 1 { "decision".to_string() } else { format!("{full} decisions") },
            entries_words(redacted),
        ),
    };
    let file_name = match &community {
        Some(c) => format!("{}-activity-log.jsonl", slug(&c.name)),
        None => "hallmark-activity-log.jsonl".to_string(),
    };
    Ok(ExportOut { text, file_name, entries, full, redacted, community_name: community.map(|c| c.name), summary })
}

fn anchor(wallet: &mut Wallet) -> Result<AnchorQueuedOut, WalletError> {
    let network = chosen_network(wallet)?;
    let label = network_label(&network.name);
    // The head pinned is the log's current one.
    let count = wallet.log_status()?.entries;
    let done = wallet.queue_log_anchor(&network, confirmations(&network))?;
    let Some(enqueued) = done else {
        return Err(bad_input("The activity log is empty: there is nothing to pin yet."));
    };
    let (outcome, record) = match enqueued {
        Enqueued::Queued { record } => ("queued", record),
        Enqueued::Existing { record } => ("existing", record),
    };
    let text = match (outcome, record.state.as_str()) {
        ("queued", _) => format!("Queued: Hallmark pins entries 1–{count} on {label} in a moment."),
        (_, "confirmed") => format!("Entries 1–{count} are pinned on {label} already."),
        _ => format!("Entries 1–{count} are on their way to {label} already."),
    };
    Ok(AnchorQueuedOut { outcome, count, network_label: label, text })
}

fn set_anchoring(wallet: &Wallet, every: Option<u64>) -> Result<(), WalletError> {
    match every {
        None => wallet.set_log_anchoring(None),
        Some(n) if n == 0 || n > MAX_EVERY => {
            Err(bad_input(format!("Choose a number of entries from 1 to {MAX_EVERY}.")))
        }
        Some(every) => {
            let network = chosen_network(wallet)?;
            let policy = AnchorPolicy { every, confirmations: confirmations(&network), network: network.name };
            wallet.set_log_anchoring(Some(&policy))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Running core on the wallet's own handle

// ---------------------------------------------------------------------------------------------
// The commands

/// The log at a glance: counts, the filters' choices, where it is pinned, automatic anchoring.
#[tauri::command]
pub async fn activity_overview(state: State<'_, AppState>) -> Result<OverviewOut, AppError> {
    let home = unlocked_home_quietly(&state).await?;
    with_wallet(home, |w| overview(w)).await
}

/// The newest `limit` entries (default 50) matching the filters, in words.
#[tauri::command]
pub async fn activity_entries(
    state: State<'_, AppState>,
    action: Option<String>,
    community: Option<String>,
    limit: Option<u32>,
) -> Result<EntriesOut, AppError> {
    let home = unlocked_home_quietly(&state).await?;
    with_wallet(home, move |w| entries(w, action, community, limit)).await
}

/// Verifies the whole log as anyone given its export would: every link, hash and signature,
/// and its pins against their chains.
#[tauri::command]
pub async fn activity_verify(state: State<'_, AppState>) -> Result<VerifyOut, AppError> {
    let home = unlocked_home_quietly(&state).await?;
    with_wallet(home, |w| verify(w)).await
}

/// Queues a pin of the log's head on the network chosen on the Attestations screen (the
/// attestation worker sends it).
#[tauri::command]
pub async fn activity_anchor(state: State<'_, AppState>) -> Result<AnchorQueuedOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, anchor).await
}

/// Pins the log automatically every `every` new entries on the chosen network; `null` stops it.
#[tauri::command]
pub async fn activity_set_anchoring(state: State<'_, AppState>, every: Option<u64>) -> Result<OverviewOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |w| {
        set_anchoring(w, every)?;
        overview(w)
    })
    .await
}

/// Exports the log (JSON Lines): all of it, or one community's for its members.
#[tauri::command]
pub async fn activity_export(state: State<'_, AppState>, community: Option<String>) -> Result<ExportOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |w| export(w, community)).await
}

#[cfg(test)]
mod tests {
    use hallmark_core::credential::{humanity_credential, Format, HumanityMethod, Suite};
    use hallmark_core::DidMethod;

    use super::*;
    use crate::attest::plain_error;
    use crate::testutil::{unlocked, TempDir};
    use hallmark_core::keystore::KeyringMode;

    #[test]
    fn words() {
        assert_eq!(credential_kind(Some("HumanityCredential")), "a humanity credential");
        assert_eq!(credential_kind(Some("AlumniCredential")), "an alumni credential");
        assert_eq!(credential_kind(None), "a credential");
        assert_eq!(media_kind(Some("image/jpeg")), "picture");
        assert_eq!(media_kind(Some("application/octet-stream")), "file");
        assert_eq!(action_label("admitted"), "Members admitted");
        assert_eq!(action_label("something_new"), "Something new");
        assert_eq!(slug("Chess club!"), "chess-club");
        assert_eq!(slug("¿?"), "community");
        assert_eq!(entries_words(1), "1 entry");
        let e = plain_error(&hallmark_core::attest::AttestError::DevnetNotRunning.into());
        assert!(e.message.contains("Start devnet"), "{}", e.message);
    }

    #[test]
    fn timeline_filters_verification_export_and_anchoring_in_words() {
        let home = TempDir::new("activity");
        let mut u = unlocked(&home.0);
        let ana = u.new_identity(DidMethod::Key, Some("Ana".into()), None).unwrap().did;
        let bob = u.new_identity(DidMethod::Key, Some("Bob".into()), None).unwrap().did;
        let now = hallmark_core::store::now_rfc3339();
        let vc = humanity_credential(&ana, &bob, HumanityMethod::InPerson, None, &now, None);
        let issued = tauri::async_runtime::block_on(u.issue(vc, Format::DataIntegrity(Suite::EddsaRdfc2022))).unwrap();
        let club = tauri::async_runtime::block_on(u.community_create(
            "Chess club",
            &ana,
            2,
            1,
            Format::DataIntegrity(Suite::EddsaRdfc2022),
        ))
        .unwrap();
        drop(u);
        let mut w = Wallet::open(&home.0, KeyringMode::None).unwrap();

        // The overview: counts per action, the community, nothing pinned, anchoring off.
        let o = overview(&w).unwrap();
        assert!(o.entries >= 2, "{o:?}");
        let issued_count = o.actions.iter().find(|a| a.action == "issue_credential").map(|a| a.count);
        // The humanity credential, and the creator's membership of the new community.
        assert_eq!(issued_count, Some(2), "{:?}", o.actions);
        assert!(o.actions.iter().any(|a| a.label == "Communities created"), "{:?}", o.actions);
        assert_eq!(o.communities.len(), 1);
        assert_eq!(o.communities[0].name, "Chess club");
        assert_eq!(o.anchored, 0);
        assert!(o.anchor_text.starts_with("Not pinned"), "{}", o.anchor_text);
        assert!(o.anchoring.is_none() && o.anchoring_text.starts_with("Off"), "{}", o.anchoring_text);

        // The timeline: newest first, in words, with names for our identities and the community.
        let all = entries(&w, None, None, None).unwrap();
        assert!(!all.more);
        assert_eq!(all.entries.len() as u64, o.entries);
        assert!(all.entries.windows(2).all(|p| p[0].seq > p[1].seq), "newest first");
        let first = all.entries.last().unwrap();
        assert_eq!(first.seq, 1);
        assert_eq!(first.what, "Credential issued: a humanity credential, about Bob (you)");
        assert_eq!(first.actor, ana);
        assert_eq!(first.actor_name.as_deref(), Some("Ana (you)"));
        assert!(first.signature.starts_with("Ed25519, by the key did:key:"), "{}", first.signature);
        assert!(first.objects.iter().any(|f| f.label == "Credential (SHA-256)" && f.value == issued.held.sha256));
        assert!(!first.pinned);
        let created = all.entries.iter().find(|e| e.action == "created").unwrap();
        assert_eq!(created.what, "Community Chess club created");
        assert_eq!(created.community.as_deref(), Some(club.community.id.as_str()));
        assert_eq!(created.community_name.as_deref(), Some("Chess club"));

        // Filters: by action, by community (id or name), paged.
        let only = entries(&w, Some("issue_credential".into()), None, None).unwrap();
        assert_eq!(only.entries.len(), 2);
        assert!(only.entries.iter().all(|e| e.action == "issue_credential"));
        let of_club = entries(&w, None, Some("Chess club".into()), None).unwrap();
        assert!(!of_club.entries.is_empty());
        assert!(of_club.entries.iter().all(|e| e.community.as_deref() == Some(club.community.id.as_str())));
        let page = entries(&w, None, None, Some(1)).unwrap();
        assert!(page.more && page.entries.len() == 1 && page.entries[0].seq == o.entries);
        let e = entries(&w, None, Some("No such club".into()), None).unwrap_err();
        assert_eq!(e.code(), "no_such_community");

        // Verification of the whole log: every entry checks.
        let v = verify(&w).unwrap();
        assert_eq!(v.state, "valid", "{v:?}");
        assert_eq!(v.entries, o.entries);
        assert!(v.summary.starts_with(&format!("All {} entries check", o.entries)), "{}", v.summary);
        assert!(v.first_problem.is_none());

        // Exports: the whole log, and the community's (its decisions in full, the rest redacted);
        // both verify on their own.
        let whole = export(&w, None).unwrap();
        assert_eq!((whole.entries, whole.full, whole.redacted), (o.entries, o.entries, 0));
        assert_eq!(whole.file_name, "hallmark-activity-log.jsonl");
        assert!(whole.summary.starts_with(&format!("The whole log: {} entries.", o.entries)), "{}", whole.summary);
        let r = tauri::async_runtime::block_on(activity::verify_export(&whole.text, VERIFY_TIMEOUT)).unwrap();
        assert!(r.valid, "{r:?}");
        let theirs = export(&w, Some(club.community.id.clone())).unwrap();
        assert_eq!(theirs.file_name, "chess-club-activity-log.jsonl");
        assert_eq!(theirs.community_name.as_deref(), Some("Chess club"));
        assert!(theirs.full >= 1 && theirs.redacted >= 1, "{theirs:?}");
        assert!(!theirs.text.contains(&issued.held.sha256), "the wallet's other activity stays private");
        assert!(theirs.summary.starts_with("Chess club’s log for its members"), "{}", theirs.summary);
        let r = tauri::async_runtime::block_on(activity::verify_export(&theirs.text, VERIFY_TIMEOUT)).unwrap();
        assert!(r.valid, "{r:?}");

        // Anchoring needs a chosen network, in words; the devnet chosen but stopped says so.
        let e = plain_error(&anchor(&mut w).unwrap_err());
        assert!(e.message.contains("open the Attestations screen"), "{}", e.message);
        let e = plain_error(&set_anchoring(&w, Some(5)).unwrap_err());
        assert!(e.message.contains("open the Attestations screen"), "{}", e.message);
        w.set_default_network(Some(DEVNET)).unwrap();
        let e = plain_error(&anchor(&mut w).unwrap_err());
        assert_eq!(e.code, "devnet_not_running");
        assert!(e.message.starts_with("The devnet is not running"), "{}", e.message);
        assert_eq!(set_anchoring(&w, Some(0)).unwrap_err().code(), "bad_setting");

        // On a network of the user's (nothing listens there: the pin is only queued), "Anchor
        // now" queues entries 1–N once; automatic anchoring is saved for it.
        let mut nowhere = network::get(&home.0, "sepolia").unwrap();
        nowhere.name = "nowhere".into();
        nowhere.rpc_url = "http://127.0.0.1:9".into();
        network::add(&home.0, nowhere).unwrap();
        w.set_default_network(Some("nowhere")).unwrap();
        let q = anchor(&mut w).unwrap();
        assert_eq!((q.outcome, q.count), ("queued", o.entries), "{q:?}");
        assert_eq!(q.text, format!("Queued: Hallmark pins entries 1–{} on nowhere in a moment.", o.entries));
        assert_eq!(anchor(&mut w).unwrap().outcome, "existing");
        set_anchoring(&w, Some(10)).unwrap();
        let o = overview(&w).unwrap();
        assert_eq!(o.anchors_pending, 1);
        assert!(o.anchor_text.contains("One pin is on its way"), "{}", o.anchor_text);
        let a = o.anchoring.as_ref().unwrap();
        assert_eq!((a.every, a.network.as_str()), (10, "nowhere"));
        assert!(o.anchoring_text.starts_with("On: Hallmark pins the log on nowhere after every 10 new entries"));
        assert_eq!(o.network.as_deref(), Some("nowhere"));
        set_anchoring(&w, None).unwrap();
        assert!(overview(&w).unwrap().anchoring.is_none());
    }

    #[test]
    fn a_tampered_log_is_located_in_words() {
        let home = TempDir::new("activity");
        let mut u = unlocked(&home.0);
        let ana = u.new_identity(DidMethod::Key, Some("Ana".into()), None).unwrap().did;
        for _ in 0..3 {
            let now = hallmark_core::store::now_rfc3339();
            let vc = humanity_credential(&ana, &ana, HumanityMethod::InPerson, None, &now, None);
            tauri::async_runtime::block_on(u.issue(vc, Format::DataIntegrity(Suite::EddsaRdfc2022))).unwrap();
        }
        let text = tauri::async_runtime::block_on(u.wallet().export_log(None, None)).unwrap();
        drop(u);
        // Entry 2 (the file's third line) says another action than was signed.
        let mut lines: Vec<String> = text.lines().map(str::to_owned).collect();
        lines[2] = lines[2].replace("\"issue_credential\"", "\"revoke_credential\"");
        let changed: String = lines.iter().map(|l| format!("{l}\n")).collect();
        let report = tauri::async_runtime::block_on(verify_log(&changed, None, None, VERIFY_TIMEOUT)).unwrap();
        let v = verify_words(&report, &[]);
        assert_eq!(v.state, "invalid");
        let p = v.first_problem.as_ref().unwrap();
        assert_eq!((p.seq, p.code.as_str()), (Some(2), "content_changed"));
        assert!(v.summary.starts_with("Entry 2 does not check: "), "{}", v.summary);
        assert_eq!(v.detail.as_deref(), Some("Entry 1 is intact; from entry 2 on, the log cannot be trusted."));
    }
}
