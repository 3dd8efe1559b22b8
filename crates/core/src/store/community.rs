//! Communities run from this wallet: the community, its members, the invitations it gave out,
//! the requests and vouches it received, and the log of every decision.
//!
//! Every change goes through [`Store::change_community`]: the caller's check runs inside one
//! immediate transaction over a [`CommunityView`] (so it sees the state at decision time, and no
//! other process can change it meanwhile), and the writes it asks for — state changes and the
//! decision rows — are committed together or not at all. The rules themselves live in
//! `crate::community`; this module only reads and writes.

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;
use serde_json::Value;

use super::{now, Store, StoreError};
use crate::activity::{hash_text, sha256_hex, Draft, LogSigner};

/// A community, as stored. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CommunityRecord {
    /// Its id (`urn:uuid:…`): the `memberOf.id` of its credentials and the domain of its requests.
    pub id: String,
    /// Its name.
    pub name: String,
    /// The identity that created it (its first moderator).
    pub created_by: String,
    /// When it was created (RFC 3339).
    pub created_at: String,
    /// How many current members must vouch for a person before a HumanityCredential is issued.
    pub vouch_threshold: u32,
    /// How many current moderators must approve a member before they become a moderator.
    pub moderator_threshold: u32,
}

/// A member (or a banned person) of a community. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct MemberRecord {
    /// The member's DID.
    pub did: String,
    /// `member` or `moderator`.
    pub role: String,
    /// `active`, `left` or `banned`.
    pub state: String,
    /// When they were admitted (or, for someone banned without being a member, banned).
    pub since: String,
    /// When the role or state last changed.
    pub updated_at: String,
    /// Local id of their current membership credential, if any.
    pub credential: Option<String>,
}

/// A challenge given out by `community invite`. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct InviteRecord {
    /// The random challenge the candidate's request must be bound to.
    pub challenge: String,
    /// When it was given out.
    pub created_at: String,
    /// When a request bound to it was admitted or rejected (it is then spent).
    pub used_at: Option<String>,
    /// The DID whose request spent it.
    pub used_by: Option<String>,
}

/// A membership request (a presentation) received by the desk. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct RequestRecord {
    /// Local id: `r-` and 12 hex digits of the presentation's SHA-256.
    pub id: String,
    /// The community's id.
    pub community: String,
    /// The candidate's DID (the presentation's holder).
    pub holder: String,
    /// The invitation challenge it is bound to.
    pub challenge: String,
    /// `di` or `jwt`.
    pub format: String,
    /// When it was received.
    pub received_at: String,
    /// `pending`, `admitted` or `rejected`.
    pub state: String,
    /// When it was admitted or rejected.
    pub decided_at: Option<String>,
    /// Why it was rejected.
    pub reason: Option<String>,
    /// Hex SHA-256 of the presentation text.
    pub sha256: String,
    /// The presentation exactly as received.
    #[serde(skip)]
    pub body: String,
}

/// A vouch (or moderator approval) accepted by the desk. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VouchRecord {
    /// The member who vouched (the VouchCredential's issuer).
    pub voucher: String,
    /// The person vouched for (its subject).
    pub candidate: String,
    /// `humanity` or `moderator`.
    pub purpose: String,
    /// Hex SHA-256 of the vouch credential's text.
    pub sha256: String,
    /// The vouch credential's own `id`, if it has one.
    pub credential_id: Option<String>,
    /// When the desk accepted it.
    pub added_at: String,
    /// The vouch credential exactly as received.
    #[serde(skip)]
    pub body: String,
}

/// One row of the decision log. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct DecisionRecord {
    /// Order of the decisions (increasing).
    pub seq: i64,
    /// When (RFC 3339).
    pub at: String,
    /// Who decided (a DID).
    pub actor: String,
    /// `created`, `invited`, `admitted`, `rejected`, `vouch_received`, `humanity_issued`,
    /// `moderator_added`, `left` or `banned`.
    pub action: String,
    /// Whom it is about (a DID), if anyone.
    pub subject: Option<String>,
    /// The details (JSON object).
    pub detail: Value,
    /// Local id of the credential issued by this decision, if any.
    pub credential: Option<String>,
    /// Local ids of the credentials revoked by this decision.
    pub revoked: Vec<String>,
}

/// A decision to record.
#[derive(Debug, Clone, PartialEq)]
pub struct NewDecision {
    /// Who decided.
    pub actor: String,
    /// The action (see [`DecisionRecord::action`]).
    pub action: &'static str,
    /// Whom it is about.
    pub subject: Option<String>,
    /// Details (a JSON object).
    pub detail: Value,
    /// Credential issued.
    pub credential: Option<String>,
    /// Credentials revoked.
    pub revoked: Vec<String>,
}

/// The writes of one community change, applied in one transaction with its decisions.
#[derive(Debug, Clone, Default)]
pub struct CommunityWrites {
    /// Members to insert or replace (keyed by DID).
    pub members: Vec<MemberRecord>,
    /// A new invitation challenge.
    pub new_invite: Option<String>,
    /// An invitation spent: (challenge, by DID). Fails if it was spent meanwhile.
    pub spend_invite: Option<(String, String)>,
    /// A request received.
    pub new_request: Option<RequestRecord>,
    /// A request decided: (id, `admitted`|`rejected`, reason).
    pub decide_request: Option<(String, &'static str, Option<String>)>,
    /// Vouches accepted.
    pub vouches: Vec<VouchRecord>,
    /// The decisions, in order.
    pub decisions: Vec<NewDecision>,
}

/// What a change's check may read, inside its transaction.
pub struct CommunityView<'a> {
    conn: &'a Connection,
    community: CommunityRecord,
}

impl CommunityView<'_> {
    /// The community.
    pub fn community(&self) -> &CommunityRecord {
        &self.community
    }

    /// The member (in any state) with this DID.
    pub fn member(&self, did: &str) -> Result<Option<MemberRecord>, StoreError> {
        Ok(query_members(self.conn, &self.community.id, Some(did))?.into_iter().next())
    }

    /// Every member, oldest first.
    pub fn members(&self) -> Result<Vec<MemberRecord>, StoreError> {
        Ok(query_members(self.conn, &self.community.id, None)?)
    }

    /// The invitation with this challenge, if this community gave it out.
    pub fn invite(&self, challenge: &str) -> Result<Option<InviteRecord>, StoreError> {
        Ok(query_invites(self.conn, &self.community.id, Some(challenge))?.into_iter().next())
    }

    /// The request with this id.
    pub fn request(&self, id: &str) -> Result<Option<RequestRecord>, StoreError> {
        Ok(query_requests(self.conn, "WHERE community = ?1 AND id = ?2", params![self.community.id, id])?
            .into_iter()
            .next())
    }

    /// The request whose presentation has this SHA-256.
    pub fn request_by_sha256(&self, sha256: &str) -> Result<Option<RequestRecord>, StoreError> {
        Ok(query_requests(self.conn, "WHERE community = ?1 AND sha256 = ?2", params![self.community.id, sha256])?
            .into_iter()
            .next())
    }

    /// The accepted vouches for `candidate` with this purpose, oldest first.
    pub fn vouches_for(&self, candidate: &str, purpose: &str) -> Result<Vec<VouchRecord>, StoreError> {
        Ok(query_vouches(
            self.conn,
            "WHERE community = ?1 AND candidate = ?2 AND purpose = ?3",
            params![self.community.id, candidate, purpose],
        )?)
    }
}

const COMMUNITY_COLUMNS: &str = "id, name, created_by, created_at, vouch_threshold, moderator_threshold";

fn community_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<CommunityRecord> {
    Ok(CommunityRecord {
        id: r.get(0)?,
        name: r.get(1)?,
        created_by: r.get(2)?,
        created_at: r.get(3)?,
        vouch_threshold: r.get(4)?,
        moderator_threshold: r.get(5)?,
    })
}

fn query_community(conn: &Connection, id: &str) -> rusqlite::Result<Option<CommunityRecord>> {
    conn.query_row(&format!("SELECT {COMMUNITY_COLUMNS} FROM communities WHERE id = ?1"), [id], community_row)
        .optional()
}

fn query_members(conn: &Connection, community: &str, did: Option<&str>) -> rusqlite::Result<Vec<MemberRecord>> {
    let mut stmt = conn.prepare(
        "SELECT did, role, state, since, updated_at, credential FROM community_members
         WHERE community = ?1 AND (?2 IS NULL OR did = ?2) ORDER BY since, rowid",
    )?;
    let rows = stmt.query_map(params![community, did], |r| {
        Ok(MemberRecord {
            did: r.get(0)?,
            role: r.get(1)?,
            state: r.get(2)?,
            since: r.get(3)?,
            updated_at: r.get(4)?,
            credential: r.get(5)?,
        })
    })?;
    rows.collect()
}

fn query_invites(conn: &Connection, community: &str, challenge: Option<&str>) -> rusqlite::Result<Vec<InviteRecord>> {
    let mut stmt = conn.prepare(
        "SELECT challenge, created_at, used_at, used_by FROM community_invites
         WHERE community = ?1 AND (?2 IS NULL OR challenge = ?2) ORDER BY created_at, challenge",
    )?;
    let rows = stmt.query_map(params![community, challenge], |r| {
        Ok(InviteRecord { challenge: r.get(0)?, created_at: r.get(1)?, used_at: r.get(2)?, used_by: r.get(3)? })
    })?;
    rows.collect()
}

fn query_requests<P: rusqlite::Params>(conn: &Connection, tail: &str, p: P) -> rusqlite::Result<Vec<RequestRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT id, community, holder, challenge, format, received_at, state, decided_at, reason, sha256, body
         FROM community_requests {tail} ORDER BY received_at, id"
    ))?;
    let rows = stmt.query_map(p, |r| {
        Ok(RequestRecord {
            id: r.get(0)?,
            community: r.get(1)?,
            holder: r.get(2)?,
            challenge: r.get(3)?,
            format: r.get(4)?,
            received_at: r.get(5)?,
            state: r.get(6)?,
            decided_at: r.get(7)?,
            reason: r.get(8)?,
            sha256: r.get(9)?,
            body: r.get(10)?,
        })
    })?;
    rows.collect()
}

fn query_vouches<P: rusqlite::Params>(conn: &Connection, tail: &str, p: P) -> rusqlite::Result<Vec<VouchRecord>> {
    let mut stmt = conn.prepare(&format!(
        "SELECT voucher, candidate, purpose, sha256, credential_id, added_at, body FROM community_vouches {tail}
         ORDER BY id"
    ))?;
    let rows = stmt.query_map(p, |r| {
        Ok(VouchRecord {
            voucher: r.get(0)?,
            candidate: r.get(1)?,
            purpose: r.get(2)?,
            sha256: r.get(3)?,
            credential_id: r.get(4)?,
            added_at: r.get(5)?,
            body: r.get(6)?,
        })
    })?;
    rows.collect()
}

fn insert_decision(
    conn: &Connection,
    community: &str,
    d: &NewDecision,
    at: &str,
    signer: Option<&dyn LogSigner>,
) -> Result<(), StoreError> {
    conn.execute(
        "INSERT INTO decisions (community, at, actor, action, subject, detail, credential, revoked)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
        params![
            community,
            at,
            d.actor,
            d.action,
            d.subject,
            d.detail.to_string(),
            d.credential,
            serde_json::to_string(&d.revoked).unwrap_or_else(|_| "[]".into())
        ],
    )?;
    super::activity::append(conn, signer, &decision_entry(conn, community, d)?)?;
    Ok(())
}

/// The activity log entry of a decision. Its actor signs it when the actor is this wallet's
/// identity; otherwise (a member who left, a vouch received from a member) the desk's moderator
/// who recorded it signs, and the actor appears only as a hash. People acted on appear as hashes.
fn decision_entry(conn: &Connection, community: &str, d: &NewDecision) -> Result<Draft, StoreError> {
    let ours: bool =
        conn.query_row("SELECT EXISTS(SELECT 1 FROM identities WHERE did = ?1)", [&d.actor], |r| r.get(0))?;
    let mut draft = if ours {
        Draft::new(&d.actor, d.action)
    } else {
        let recorder: Option<String> = conn
            .query_row(
                "SELECT m.did FROM community_members m JOIN identities i ON i.did = m.did
                 WHERE m.community = ?1 AND m.role = 'moderator' AND m.state = 'active' ORDER BY m.since, m.rowid LIMIT 1",
                [community],
                |r| r.get(0),
            )
            .optional()?;
        let recorder = recorder.unwrap_or_else(|| d.actor.clone());
        Draft::new(recorder, d.action).object("on_behalf_of_sha256", hash_text(&d.actor))
    };
    draft.community = Some(community.to_string());
    if let Some(subject) = &d.subject {
        draft = draft.object("subject_sha256", hash_text(subject));
    }
    if let Some(id) = &d.credential {
        let sha: Option<String> =
            conn.query_row("SELECT sha256 FROM credentials WHERE id = ?1", [id], |r| r.get(0)).optional()?;
        draft = draft.object("credential_sha256", sha.unwrap_or_else(|| hash_text(id)));
    }
    draft = draft.object("detail_sha256", sha256_hex(d.detail.to_string().as_bytes()));
    if !d.revoked.is_empty() {
        draft = draft.object("revoked", d.revoked.len().to_string());
    }
    Ok(draft)
}

fn upsert_member(conn: &Connection, community: &str, m: &MemberRecord) -> rusqlite::Result<()> {
    conn.execute(
        "INSERT INTO community_members (community, did, role, state, since, updated_at, credential)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)
         ON CONFLICT(community, did) DO UPDATE SET role = excluded.role, state = excluded.state,
            since = excluded.since, updated_at = excluded.updated_at, credential = excluded.credential",
        params![community, m.did, m.role, m.state, m.since, m.updated_at, m.credential],
    )?;
    Ok(())
}

/// A write that should have changed one row changed none: someone else got there first.
fn raced(what: &str) -> StoreError {
    StoreError::Duplicate(format!("{what} (changed by another process meanwhile; try again)"))
}

impl Store {
    fn community_tx(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.display().to_string();
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| {
            if super::is_corruption(&e) {
                StoreError::Corrupt { path, reason: e.to_string() }
            } else if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                StoreError::Busy
            } else {
                StoreError::Sqlite(e)
            }
        })
    }

    /// Creates a community with its first moderator and the `created` decision, in one transaction.
    pub fn create_community(
        &mut self,
        community: &CommunityRecord,
        creator: &MemberRecord,
        decision: &NewDecision,
    ) -> Result<(), StoreError> {
        let signer = self.log_signer.clone();
        let tx = self.community_tx()?;
        let exists: bool =
            tx.query_row("SELECT EXISTS(SELECT 1 FROM communities WHERE id = ?1)", [&community.id], |r| r.get(0))?;
        if exists {
            return Err(StoreError::Duplicate(format!("the community {}", community.id)));
        }
        tx.execute(
            &format!("INSERT INTO communities ({COMMUNITY_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6)"),
            params![
                community.id,
                community.name,
                community.created_by,
                community.created_at,
                community.vouch_threshold,
                community.moderator_threshold
            ],
        )?;
        upsert_member(&tx, &community.id, creator)?;
        insert_decision(&tx, &community.id, decision, &now(), signer.as_deref())?;
        tx.commit()?;
        Ok(())
    }

    /// Changes community `id`: `check` reads the current state through a [`CommunityView`] and
    /// returns the writes to make (with their decisions) and a result. Both run in one immediate
    /// transaction: the check sees the state at decision time, and the writes and decisions are
    /// committed together. When `check` fails nothing is written.
    pub fn change_community<T, E: From<StoreError>>(
        &mut self,
        id: &str,
        check: impl FnOnce(&CommunityView<'_>) -> Result<(CommunityWrites, T), E>,
    ) -> Result<T, E> {
        let signer = self.log_signer.clone();
        let tx = self.community_tx()?;
        let community = query_community(&tx, id)
            .map_err(StoreError::from)?
            .ok_or_else(|| StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))?;
        let view = CommunityView { conn: &tx, community };
        let (writes, result) = check(&view)?;
        let apply = || -> Result<(), StoreError> {
            let at = now();
            for m in &writes.members {
                upsert_member(&tx, id, m)?;
            }
            if let Some(challenge) = &writes.new_invite {
                tx.execute(
                    "INSERT INTO community_invites (challenge, community, created_at) VALUES (?1, ?2, ?3)",
                    params![challenge, id, at],
                )?;
            }
            if let Some((challenge, by)) = &writes.spend_invite {
                let n = tx.execute(
                    "UPDATE community_invites SET used_at = ?3, used_by = ?4
                     WHERE community = ?1 AND challenge = ?2 AND used_at IS NULL",
                    params![id, challenge, at, by],
                )?;
                if n != 1 {
                    return Err(raced("the invitation"));
                }
            }
            if let Some(r) = &writes.new_request {
                tx.execute(
                    "INSERT INTO community_requests
                     (id, community, holder, challenge, sha256, format, body, received_at, state)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, 'pending')",
                    params![r.id, id, r.holder, r.challenge, r.sha256, r.format, r.body, at],
                )?;
            }
            if let Some((rid, state, reason)) = &writes.decide_request {
                let n = tx.execute(
                    "UPDATE community_requests SET state = ?3, decided_at = ?4, reason = ?5
                     WHERE community = ?1 AND id = ?2 AND state = 'pending'",
                    params![id, rid, state, at, reason],
                )?;
                if n != 1 {
                    return Err(raced("the request"));
                }
            }
            for v in &writes.vouches {
                tx.execute(
                    "INSERT INTO community_vouches
                     (community, voucher, candidate, purpose, sha256, credential_id, body, added_at)
                     VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                    params![id, v.voucher, v.candidate, v.purpose, v.sha256, v.credential_id, v.body, at],
                )?;
            }
            for d in &writes.decisions {
                insert_decision(&tx, id, d, &at, signer.as_deref())?;
            }
            Ok(())
        };
        apply()?;
        tx.commit().map_err(StoreError::from)?;
        Ok(result)
    }

    /// Every community of this wallet, oldest first.
    pub fn communities(&self) -> Result<Vec<CommunityRecord>, StoreError> {
        let run = || -> rusqlite::Result<Vec<CommunityRecord>> {
            let mut stmt =
                self.conn.prepare(&format!("SELECT {COMMUNITY_COLUMNS} FROM communities ORDER BY created_at, id"))?;
            let rows = stmt.query_map([], community_row)?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }

    /// The community with this id.
    pub fn community(&self, id: &str) -> Result<Option<CommunityRecord>, StoreError> {
        query_community(&self.conn, id).map_err(|e| self.classify(e.into()))
    }

    /// The members of a community (every state), oldest first.
    pub fn community_members(&self, community: &str) -> Result<Vec<MemberRecord>, StoreError> {
        query_members(&self.conn, community, None).map_err(|e| self.classify(e.into()))
    }

    /// The invitations of a community, oldest first.
    pub fn community_invites(&self, community: &str) -> Result<Vec<InviteRecord>, StoreError> {
        query_invites(&self.conn, community, None).map_err(|e| self.classify(e.into()))
    }

    /// The requests a community received, oldest first.
    pub fn community_requests(&self, community: &str) -> Result<Vec<RequestRecord>, StoreError> {
        query_requests(&self.conn, "WHERE community = ?1", [community]).map_err(|e| self.classify(e.into()))
    }

    /// The request with this id, or the only one whose id starts with it (at least 4 characters).
    pub fn community_request(&self, id: &str) -> Result<Option<RequestRecord>, StoreError> {
        let found =
            query_requests(&self.conn, "WHERE id = ?1 OR (length(?1) >= 4 AND substr(id, 1, length(?1)) = ?1)", [id])
                .map_err(|e| self.classify(e.into()))?;
        Ok(match found.len() {
            1 => found.into_iter().next(),
            _ => found.into_iter().find(|r| r.id == id),
        })
    }

    /// The vouches a community accepted, oldest first.
    pub fn community_vouches(&self, community: &str) -> Result<Vec<VouchRecord>, StoreError> {
        query_vouches(&self.conn, "WHERE community = ?1", [community]).map_err(|e| self.classify(e.into()))
    }

    /// A community's decisions, in order.
    pub fn community_decisions(&self, community: &str) -> Result<Vec<DecisionRecord>, StoreError> {
        let run = || -> rusqlite::Result<Vec<DecisionRecord>> {
            let mut stmt = self.conn.prepare(
                "SELECT seq, at, actor, action, subject, detail, credential, revoked FROM decisions
                 WHERE community = ?1 ORDER BY seq",
            )?;
            let rows = stmt.query_map([community], |r| {
                let detail: String = r.get(5)?;
                let revoked: String = r.get(7)?;
                let bad = |i, e: serde_json::Error| {
                    rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into())
                };
                Ok(DecisionRecord {
                    seq: r.get(0)?,
                    at: r.get(1)?,
                    actor: r.get(2)?,
                    action: r.get(3)?,
                    subject: r.get(4)?,
                    detail: serde_json::from_str(&detail).map_err(|e| bad(5, e))?,
                    credential: r.get(6)?,
                    revoked: serde_json::from_str(&revoked).map_err(|e| bad(7, e))?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }

    /// Every active moderator of every community of this wallet: (DID, community name).
    pub fn active_moderators(&self) -> Result<Vec<(String, String)>, StoreError> {
        let run = || -> rusqlite::Result<Vec<(String, String)>> {
            let mut stmt = self.conn.prepare(
                "SELECT m.did, c.name FROM community_members m JOIN communities c ON c.id = m.community
                 WHERE m.role = 'moderator' AND m.state = 'active' ORDER BY c.created_at, m.since",
            )?;
            let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?)))?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn community() -> CommunityRecord {
        CommunityRecord {
            id: "urn:uuid:1".into(),
            name: "Photo club".into(),
            created_by: "did:key:z6MkMod".into(),
            created_at: now(),
            vouch_threshold: 2,
            moderator_threshold: 1,
        }
    }

    fn member(did: &str, role: &str, state: &str) -> MemberRecord {
        MemberRecord {
            did: did.into(),
            role: role.into(),
            state: state.into(),
            since: now(),
            updated_at: now(),
            credential: None,
        }
    }

    fn decision(action: &'static str, subject: &str) -> NewDecision {
        NewDecision {
            actor: "did:key:z6MkMod".into(),
            action,
            subject: Some(subject.into()),
            detail: serde_json::json!({"n": 1}),
            credential: Some("c-1".into()),
            revoked: vec!["c-0".into()],
        }
    }

    #[test]
    fn a_failed_check_writes_nothing_and_decisions_come_with_their_change() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let c = community();
        s.create_community(
            &c,
            &member("did:key:z6MkMod", "moderator", "active"),
            &decision("created", "did:key:z6MkMod"),
        )
        .unwrap();
        assert!(matches!(
            s.create_community(&c, &member("did:key:z6MkMod", "moderator", "active"), &decision("created", "x")),
            Err(StoreError::Duplicate(_))
        ));
        // A check that fails after asking for writes: nothing is written.
        let r: Result<(), StoreError> = s.change_community(&c.id, |v| {
            assert_eq!(v.community().name, "Photo club");
            let _ = CommunityWrites { new_invite: Some("abc".into()), ..Default::default() };
            Err(StoreError::Busy)
        });
        assert!(matches!(r, Err(StoreError::Busy)));
        assert!(s.community_invites(&c.id).unwrap().is_empty());
        // A change and its decision land together.
        s.change_community::<_, StoreError>(&c.id, |v| {
            assert!(v.invite("abc").unwrap().is_none());
            Ok((
                CommunityWrites {
                    new_invite: Some("abc".into()),
                    decisions: vec![decision("invited", "did:key:z6MkA")],
                    ..Default::default()
                },
                (),
            ))
        })
        .unwrap();
        // Spending an invitation twice fails, and the whole second change is rolled back.
        let spend = |s: &mut Store| {
            s.change_community::<_, StoreError>(&c.id, |_| {
                Ok((
                    CommunityWrites {
                        spend_invite: Some(("abc".into(), "did:key:z6MkA".into())),
                        members: vec![member("did:key:z6MkA", "member", "active")],
                        decisions: vec![decision("admitted", "did:key:z6MkA")],
                        ..Default::default()
                    },
                    (),
                ))
            })
        };
        spend(&mut s).unwrap();
        s.change_community::<_, StoreError>(&c.id, |v| {
            let m = v.member("did:key:z6MkA").unwrap().unwrap();
            assert_eq!(m.state, "active");
            let mut gone = m.clone();
            gone.state = "left".into();
            Ok((CommunityWrites { members: vec![gone], ..Default::default() }, ()))
        })
        .unwrap();
        assert!(spend(&mut s).is_err());
        let a = s.community_members(&c.id).unwrap().into_iter().find(|m| m.did == "did:key:z6MkA").unwrap();
        assert_eq!(a.state, "left", "the failed change left the member alone");
        let log = s.community_decisions(&c.id).unwrap();
        let actions: Vec<&str> = log.iter().map(|d| d.action.as_str()).collect();
        assert_eq!(actions, ["created", "invited", "admitted"]);
        assert!(log.windows(2).all(|w| w[0].seq < w[1].seq));
        assert_eq!((log[2].credential.as_deref(), log[2].revoked.clone()), (Some("c-1"), vec!["c-0".to_string()]));
        assert_eq!(log[2].detail["n"], 1);
        let invite = &s.community_invites(&c.id).unwrap()[0];
        assert_eq!(invite.used_by.as_deref(), Some("did:key:z6MkA"));
        assert_eq!(s.active_moderators().unwrap(), vec![("did:key:z6MkMod".to_string(), "Photo club".to_string())]);
    }
}
