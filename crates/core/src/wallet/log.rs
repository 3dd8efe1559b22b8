//! The wallet's activity log ([`crate::activity`]): reading it, exporting it (all of it, or one
//! community's moderation log for its members), anchoring its head on chain, and verifying an
//! export — entries, signatures and the chain's anchors — with nothing but the file and an RPC.

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use alloy::primitives::{Address, B256};
use alloy::providers::Provider;
use alloy::rpc::types::Filter;
use alloy::sol_types::SolEvent;
use serde::Serialize;

use super::{Wallet, WalletError};
use crate::activity::{
    self, check_anchors, check_entries, parse_export, summarise, AnchorRef, Entry, ExportEntry, ExportHeader,
    LogReport, FORMAT, VERSION,
};
use crate::attest::contracts::IEAS;
use crate::attest::eas::{self, AttestRequest};
use crate::attest::queue::QueueRequest;
use crate::attest::{connect, network, AttestError, AttestationData, HallmarkSchema, Network};
use crate::store::{AttestationFilter, Enqueued, LogFilter};

/// Meta key of the automatic anchoring policy.
pub const META_ANCHORING: &str = "log_anchoring";

/// Anchor the log's head automatically every `every` new entries, on `network`. The attestation
/// worker (the app's, or `hallmark attest run`) queues the anchors. Field names are stable.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, serde::Deserialize)]
pub struct AnchorPolicy {
    /// New entries (not counting anchors themselves) that trigger an anchor.
    pub every: u64,
    /// The network to anchor on.
    pub network: String,
    /// Confirmations to wait for.
    pub confirmations: u32,
}

/// Summary of the log for a screen. Field names are stable (`--json`).
#[derive(Debug, Clone, Serialize)]
pub struct LogStatus {
    /// Entries.
    pub entries: u64,
    /// The head hash (zeros when empty).
    pub head: String,
    /// Entries per action.
    pub actions: BTreeMap<String, u64>,
    /// The anchors this wallet made (confirmed), newest first.
    pub anchors: Vec<AnchorRef>,
    /// Entries 1..=anchored are pinned by the newest confirmed anchor.
    pub anchored: u64,
    /// Anchors queued or sent, not yet confirmed.
    pub anchors_pending: u32,
}

/// The filter for the log's anchors (log-head attestations).
pub(crate) fn log_heads() -> AttestationFilter {
    AttestationFilter { schema: Some(HallmarkSchema::LogHead.as_str().into()), ..Default::default() }
}

impl Wallet {
    /// The automatic anchoring policy, if one is set.
    pub fn log_anchoring(&self) -> Result<Option<AnchorPolicy>, WalletError> {
        Ok(self.store.meta(META_ANCHORING)?.and_then(|t| serde_json::from_str(&t).ok()))
    }

    /// Sets (or with `None`, stops) automatic anchoring. The network must exist.
    pub fn set_log_anchoring(&self, policy: Option<&AnchorPolicy>) -> Result<(), WalletError> {
        match policy {
            Some(p) => {
                if p.every == 0 {
                    return Err(WalletError::BadSetting("anchor every 1 entry or more".into()));
                }
                network::get(self.home(), &p.network)?;
                self.store.set_meta(META_ANCHORING, &serde_json::to_string(p).expect("policy serialises"))?;
            }
            None => self.store.set_meta(META_ANCHORING, "")?,
        }
        Ok(())
    }

    /// Entries matching `filter`.
    pub fn log_entries(&self, filter: &LogFilter) -> Result<Vec<Entry>, WalletError> {
        Ok(self.store.log_entries(filter)?)
    }

    /// Count, head, actions, anchors.
    pub fn log_status(&self) -> Result<LogStatus, WalletError> {
        let (entries, head) = self.store.log_head()?;
        let anchors = self.log_anchors()?;
        let pending =
            self.store.attestations(&log_heads())?.iter().filter(|r| r.state == "queued" || r.state == "sent").count()
                as u32;
        Ok(LogStatus {
            entries,
            head,
            actions: self.store.log_actions()?.into_iter().collect(),
            anchored: anchors.iter().map(|a| a.count).max().unwrap_or(0),
            anchors,
            anchors_pending: pending,
        })
    }

    /// The confirmed on-chain anchors of this wallet's log, newest first.
    pub fn log_anchors(&self) -> Result<Vec<AnchorRef>, WalletError> {
        let rows = self.store.attestations(&AttestationFilter { state: Some("confirmed".into()), ..log_heads() })?;
        Ok(rows
            .into_iter()
            .filter(|r| r.revoked_at.is_none())
            .filter_map(|r| {
                let data: AttestationData = serde_json::from_value(r.data.clone()?).ok()?;
                let AttestationData::LogHead { head, count } = data else { return None };
                Some(AnchorRef {
                    network: r.network,
                    chain_id: r.chain_id,
                    eas: r.eas,
                    uid: r.uid?,
                    count,
                    head: hex::encode(head),
                })
            })
            .collect())
    }

    /// Queues an anchor of the log's current head on `network` (nothing when the log is empty).
    pub fn queue_log_anchor(&mut self, network: &Network, confirmations: u32) -> Result<Option<Enqueued>, WalletError> {
        let (count, head) = self.store.log_head()?;
        if count == 0 {
            return Ok(None);
        }
        let head = crate::attest::parse_b256(&head, "the log head")?;
        let q = QueueRequest {
            request: AttestRequest::new(AttestationData::LogHead { head, count }),
            label: format!("activity log, entries 1–{count}"),
            source: None,
        };
        Ok(self.queue_attestations(network, std::slice::from_ref(&q), confirmations, false)?.pop())
    }

    /// Exports the log as JSON Lines ([`crate::activity`] documents the format): from entry
    /// `from` (default 1); with `community`, that community's entries in full and the others
    /// redacted — a moderation log its members can audit.
    pub async fn export_log(&self, community: Option<&str>, from: Option<u64>) -> Result<String, WalletError> {
        let from = from.unwrap_or(1).max(1);
        let community = match community {
            Some(c) => Some(
                self.store
                    .community(c.trim())?
                    .or_else(|| self.store.communities().ok()?.into_iter().find(|x| x.name == c.trim()))
                    .ok_or_else(|| crate::community::CommunityError::NoSuchCommunity(c.trim().into()))?
                    .id,
            ),
            None => None,
        };
        let mut lines = Vec::new();
        let mut web_actors = Vec::new();
        self.store.for_each_log_entry(from, |e| {
            if e.actor.starts_with("did:web:") && !web_actors.contains(&e.actor) {
                web_actors.push(e.actor.clone());
            }
            lines.push(ExportEntry::of(&e, community.as_deref()));
            Ok(())
        })?;
        let mut did_documents = BTreeMap::new();
        for did in web_actors {
            if let Ok(doc) = self.document(&did).await {
                did_documents.insert(did, doc);
            }
        }
        let header = ExportHeader {
            format: FORMAT.into(),
            version: VERSION,
            about: "Hallmark activity log: one signed, hash-chained entry per line after this header. \
                    Check it with `hallmark log verify FILE`; the format is described in Hallmark's ARCHITECTURE.md."
                .into(),
            exported_at: crate::store::now_rfc3339(),
            ethereum_address: self.ethereum_address().ok().map(|a| a.to_checksum(None)),
            community,
            from,
            to: lines.last().map(ExportEntry::seq).unwrap_or(0),
            anchors: self.log_anchors()?,
            did_documents,
        };
        Ok(activity::write_export(&header, &lines))
    }
}

/// What the chain says about one anchor: `Ok` when it is there, by the log's account, not
/// revoked, and holds the head and count the file claims.
async fn anchor_on_chain(
    conn: &crate::attest::Connection,
    anchor: &AnchorRef,
    attester: Option<Address>,
) -> activity::AnchorOutcome {
    let uid: B256 = anchor.uid.parse().map_err(|_| ("not_on_chain".to_string(), "its UID is malformed".to_string()))?;
    let att = match eas::get(conn, uid).await {
        Ok(a) => a,
        Err(AttestError::NotFound(_)) => {
            return Err(("not_on_chain".into(), format!("there is no attestation {uid} on chain {}", anchor.chain_id)))
        }
        Err(e) => return Err(("unchecked".into(), format!("the chain could not be read: {e}"))),
    };
    if attester.is_some_and(|a| a != att.attester) {
        return Err(("wrong_attester".into(), format!("it was made by {}, not by the log's account", att.attester)));
    }
    if att.is_revoked() {
        return Err(("revoked".into(), "this anchor was revoked on chain".into()));
    }
    match att.data {
        Some(AttestationData::LogHead { head, count }) if count == anchor.count && hex::encode(head) == anchor.head => {
            Ok(())
        }
        Some(AttestationData::LogHead { head, count }) => Err((
            "disagrees".into(),
            format!(
                "the chain pins entry {count} to head {}, not what the file says (entry {}, {})",
                hex::encode(head),
                anchor.count,
                anchor.head
            ),
        )),
        _ => Err(("not_on_chain".into(), format!("{uid} is not a log head attestation"))),
    }
}

/// Log head attestations by `attester` on `conn`'s chain (to find anchors a file leaves out).
async fn anchors_by(conn: &crate::attest::Connection, attester: Address) -> Result<Vec<AnchorRef>, AttestError> {
    let latest = conn
        .provider()
        .get_block_number()
        .await
        .map_err(|e| AttestError::Rpc { network: conn.network().name.clone(), reason: e.to_string() })?;
    let mut found = Vec::new();
    let mut start = conn.network().start_block;
    while start <= latest {
        let end = latest.min(start.saturating_add(eas::LOG_BLOCK_RANGE - 1));
        let filter = Filter::new()
            .address(conn.network().eas)
            .event_signature(IEAS::Attested::SIGNATURE_HASH)
            .topic2(attester.into_word())
            .topic3(HallmarkSchema::LogHead.uid())
            .from_block(start)
            .to_block(end);
        let logs = conn
            .provider()
            .get_logs(&filter)
            .await
            .map_err(|e| AttestError::Rpc { network: conn.network().name.clone(), reason: e.to_string() })?;
        for log in logs {
            let Ok(ev) = log.log_decode::<IEAS::Attested>() else { continue };
            let att = eas::get(conn, ev.inner.data.uid).await?;
            if let Some(AttestationData::LogHead { head, count }) = att.data {
                if !att.is_revoked() {
                    found.push(AnchorRef {
                        network: conn.network().name.clone(),
                        chain_id: conn.network().chain_id,
                        eas: conn.network().eas.to_checksum(None),
                        uid: att.uid.to_string(),
                        count,
                        head: hex::encode(head),
                    });
                }
            }
        }
        start = end + 1;
    }
    Ok(found)
}

/// Verifies an exported log: every entry (chain, hashes, signatures — the first problem is
/// located), and every anchor against the chain: the file's, plus any other head the log's
/// account anchored on the same chains (a file cannot hide an anchor that would expose it).
/// `data_dir` supplies the known networks (to reach an anchor's chain by its chain id and EAS
/// address); `extra` adds one (e.g. `--rpc URL`). A chain that cannot be reached leaves its
/// anchors `unchecked` and says why.
pub async fn verify_log(
    text: &str,
    data_dir: Option<&Path>,
    extra: Option<&Network>,
    timeout: Duration,
) -> Result<LogReport, WalletError> {
    let (header, entries, unreadable) = parse_export(text)?;
    let first_problem = check_entries(&header, &entries, timeout).await.or(unreadable);
    let attester = header.ethereum_address.as_deref().and_then(|a| crate::attest::parse_address(a, "address").ok());
    let mut known: Vec<Network> = data_dir.and_then(|d| network::list(d).ok()).unwrap_or_default();
    if let Some(n) = extra {
        known.insert(0, n.clone());
    }
    // The chains the file names, and what each says.
    let mut chains: Vec<(u64, String)> = header.anchors.iter().map(|a| (a.chain_id, a.eas.to_lowercase())).collect();
    if let Some(n) = extra {
        chains.push((n.chain_id, n.eas.to_checksum(None).to_lowercase()));
    }
    chains.sort();
    chains.dedup();
    let mut results: Vec<(AnchorRef, activity::AnchorOutcome)> = Vec::new();
    let mut notes = Vec::new();
    for (chain_id, eas_addr) in chains {
        let listed: Vec<&AnchorRef> =
            header.anchors.iter().filter(|a| a.chain_id == chain_id && a.eas.to_lowercase() == eas_addr).collect();
        let net = known.iter().find(|n| n.chain_id == chain_id && n.eas.to_checksum(None).to_lowercase() == eas_addr);
        let Some(net) = net else {
            for a in listed {
                let why =
                    format!("no known network is chain {chain_id} with EAS {}: add it to check this anchor", a.eas);
                results.push((a.clone(), Err(("unchecked".into(), why))));
            }
            continue;
        };
        let conn = match connect(net, None, timeout).await {
            Ok(c) => c,
            Err(e) => {
                notes.push(format!("{}: {e}", net.name));
                for a in listed {
                    results
                        .push((a.clone(), Err(("unchecked".into(), format!("the chain could not be reached: {e}")))));
                }
                continue;
            }
        };
        for a in &listed {
            results.push(((*a).clone(), anchor_on_chain(&conn, a, attester).await));
        }
        if let Some(attester) = attester {
            match anchors_by(&conn, attester).await {
                Ok(found) => {
                    for a in found {
                        if !listed.iter().any(|l| l.uid == a.uid) {
                            results.push((a, Ok(())));
                        }
                    }
                }
                Err(e) => notes.push(format!("{}: anchors could not be searched: {e}", net.name)),
            }
        }
    }
    let (checks, covered) = check_anchors(&header, &entries, results);
    let note = if notes.is_empty() { None } else { Some(notes.join("; ")) };
    Ok(summarise(&header, &entries, first_problem, checks, covered, note))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{humanity_credential, Format, HumanityMethod, Suite};
    use crate::{DidMethod, KeyringMode, RecoveryPhrase, UnlockedWallet};
    use zeroize::Zeroizing;

    const T: Duration = Duration::from_secs(5);

    fn wallet(dir: &Path) -> UnlockedWallet {
        let phrase = RecoveryPhrase::generate().unwrap();
        Wallet::create(dir, &phrase, "passphrase-1", KeyringMode::None).unwrap();
        Wallet::open(dir, KeyringMode::None).unwrap().unlock(|| Ok(Zeroizing::new("passphrase-1".into()))).unwrap()
    }

    /// The lines of an export (header first).
    fn lines(text: &str) -> Vec<String> {
        text.lines().map(str::to_owned).collect()
    }

    fn join(lines: &[String]) -> String {
        lines.iter().map(|l| format!("{l}\n")).collect()
    }

    async fn problem(text: &str) -> (usize, String) {
        let r = activity::verify_export(text, T).await.unwrap();
        assert!(!r.valid);
        let p = r.first_problem.expect("a problem is found");
        (p.line, p.code)
    }

    #[tokio::test]
    async fn actions_are_logged_signed_chained_and_tampering_is_located() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = wallet(dir.path());
        let issuer = w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let other = w.new_identity(DidMethod::Jwk, None, None).unwrap().did;
        let vc = humanity_credential(&issuer, &other, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
        let issued = w.issue(vc, Format::DataIntegrity(Suite::EddsaRdfc2022)).await.unwrap();
        w.revoke(&issued.held.id, Some("a test")).await.unwrap();
        let club =
            w.community_create("Chess club", &other, 2, 1, Format::DataIntegrity(Suite::EddsaRdfc2022)).await.unwrap();

        let entries = w.wallet().log_entries(&LogFilter::default()).unwrap();
        let actions: Vec<&str> = entries.iter().map(|e| e.action.as_str()).collect();
        assert!(actions.starts_with(&["issue_credential", "revoke_credential"]), "{actions:?}");
        assert!(actions.contains(&"created"), "{actions:?}");
        assert_eq!(entries[0].actor, issuer);
        assert_eq!(entries[0].objects["credential_sha256"], issued.held.sha256);
        // People acted on appear only as hashes.
        assert_eq!(entries[0].objects["subject_sha256"], activity::hash_text(&other));
        assert!(!entries[..2].iter().any(|e| serde_json::to_string(e).unwrap().contains(&other)));
        let created = entries.iter().find(|e| e.action == "created").unwrap();
        assert_eq!(created.community.as_deref(), Some(club.community.id.as_str()));
        assert_eq!(created.actor, other, "the creator (did:jwk) signs the community's creation");
        // The database refuses to change or remove entries.
        let store = crate::store::Store::open(dir.path()).unwrap();
        drop(store);
        let conn = rusqlite::Connection::open(dir.path().join(crate::store::DB_FILE)).unwrap();
        let e = conn.execute("UPDATE activity_log SET action = 'x' WHERE seq = 1", []).unwrap_err();
        assert!(e.to_string().contains("append-only"), "{e}");
        assert!(conn.execute("DELETE FROM activity_log WHERE seq = 1", []).is_err());
        drop(conn);

        // The export verifies: chain, hashes, Ed25519 signatures of did:key and did:jwk actors.
        let text = w.wallet().export_log(None, None).await.unwrap();
        let report = activity::verify_export(&text, T).await.unwrap();
        assert!(report.valid, "{report:#?}");
        assert_eq!(
            (report.entries, report.full, report.from, report.to),
            (entries.len() as u64, entries.len() as u64, 1, entries.len() as u64)
        );

        let l = lines(&text);
        // A changed entry: located at its line.
        let mut changed = l.clone();
        changed[2] = changed[2].replace("revoke_credential", "issue_credential");
        assert_eq!(problem(&join(&changed)).await, (3, "content_changed".to_string()));
        // A deleted entry.
        let mut deleted = l.clone();
        deleted.remove(2);
        assert_eq!(problem(&join(&deleted)).await, (3, "gap".to_string()));
        // Reordered entries.
        let mut reordered = l.clone();
        reordered.swap(1, 2);
        assert_eq!(problem(&join(&reordered)).await, (2, "gap".to_string()));
        // An entry rewritten with a consistent hash but no valid signature.
        let mut forged: Entry = serde_json::from_str(&l[1]).unwrap();
        forged.objects.insert("credential_sha256".into(), "00".repeat(32));
        forged.content_hash = activity::content_hash(&forged.time, &forged.actor, &forged.action, &forged.objects);
        forged.hash = activity::entry_hash(1, &forged.prev, None, &forged.content_hash);
        let mut f = l.clone();
        f[1] = serde_json::to_string(&forged).unwrap();
        assert_eq!(problem(&join(&f)).await, (2, "bad_signature".to_string()));
        // Signed with another key that claims to be the actor's: refused too.
        let other_key = ed25519_dalek::SigningKey::from_bytes(&[3; 32]);
        forged.sig = activity::sign_ed25519(
            &other_key,
            &entries[0].sig.vm.clone().unwrap(),
            &activity::signing_message(&forged.hash),
        );
        f[1] = serde_json::to_string(&forged).unwrap();
        assert_eq!(problem(&join(&f)).await, (2, "bad_signature".to_string()));
        // A tail cut after an anchor: the anchor covers entries the file no longer has.
        let mut header: ExportHeader = serde_json::from_str(&l[0]).unwrap();
        let last: Entry = serde_json::from_str(l.last().unwrap()).unwrap();
        header.anchors.push(AnchorRef {
            network: "devnet".into(),
            chain_id: 31337,
            eas: "0x0".into(),
            uid: "0x01".into(),
            count: last.seq,
            head: last.hash.clone(),
        });
        let mut anchored = l.clone();
        anchored[0] = serde_json::to_string(&header).unwrap();
        let r = activity::verify_export(&join(&anchored), T).await.unwrap();
        assert!(r.valid && r.covered == last.seq, "{r:#?}");
        anchored.pop();
        let r = activity::verify_export(&join(&anchored), T).await.unwrap();
        assert!(!r.valid);
        assert!(r.first_problem.is_none());
        assert_eq!(r.anchors[0].status, "beyond_end", "{:#?}", r.anchors);

        // The community's export: its entries in full, the rest redacted, and still a valid chain.
        let text = w.wallet().export_log(Some("Chess club"), None).await.unwrap();
        let report = activity::verify_export(&text, T).await.unwrap();
        assert!(report.valid, "{report:#?}");
        assert!(report.full >= 1 && report.redacted >= 2, "{report:#?}");
        assert!(!text.contains(&issued.held.sha256), "other activity stays private");
        // Hiding one of the community's decisions as "another community's" breaks the hash.
        let l = lines(&text);
        let i = l.iter().position(|x| x.contains("\"created\"")).unwrap();
        let e: Entry = serde_json::from_str(&l[i]).unwrap();
        let disguised = activity::RedactedEntry {
            seq: e.seq,
            prev: e.prev.clone(),
            community: None,
            content_hash: e.content_hash.clone(),
            hash: e.hash.clone(),
            redacted: true,
        };
        let mut d = l.clone();
        d[i] = serde_json::to_string(&disguised).unwrap();
        assert_eq!(problem(&join(&d)).await.1, "hash_changed");

        // A locked wallet cannot act: nothing is written.
        let before = w.wallet().log_status().unwrap().entries;
        let mut locked = Wallet::open(dir.path(), KeyringMode::None).unwrap();
        let e = locked.store.append_log(&activity::Draft::new(&issuer, "sign_media")).unwrap_err();
        assert_eq!(WalletError::from(e).code(), "locked");
        assert_eq!(w.wallet().log_status().unwrap().entries, before);
    }
}
