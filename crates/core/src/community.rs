//! Communities: the moderator's desk — members, membership requests, vouches for humanity,
//! moderators approved k-of-n, departures and bans — with every decision logged.
//!
//! A community lives in the wallet of whoever runs its desk (a moderator). Members and
//! candidates use their own wallets; what passes between them are files:
//!
//! 1. **Create.** `community_create`: the community gets a `urn:uuid:` id; the creator (one of the
//!    wallet's Ed25519 identities) is its first moderator and issues itself a
//!    `CommunityMembershipCredential` with role `moderator`.
//! 2. **Invite and request.** The desk gives a candidate a fresh random *challenge*
//!    (`community_invite`); the candidate's request is a *presentation* signed by their DID,
//!    bound to that challenge and to the community id as its *domain* (`community_request`, in the
//!    candidate's wallet), optionally holding credentials about them.
//! 3. **Receive and admit.** The desk verifies the presentation (valid, domain = community id,
//!    challenge = one of its unused invitations) and keeps it pending (`community_receive`). A
//!    moderator admits it (`community_admit`): the presentation is verified again, the challenge
//!    is spent — a second admit, or the same presentation replayed, fails — and a membership
//!    credential (role `member`) is issued. Or rejects it (`community_reject`), which also spends
//!    the challenge.
//! 4. **Vouching.** A member issues a `VouchCredential` about a candidate in their own wallet
//!    (`community_vouch`; subject `{id, vouchedFor: "humanity", memberOf: {id, name}}`). The desk
//!    accepts it (`community_add_vouches`) only when it is valid, for this community, from a
//!    *current* active member who is not the candidate, and the first from that member for that
//!    candidate. `community_humanity` issues a `HumanityCredential` once at least
//!    `vouch_threshold` distinct current members vouched — counted again at decision time, so the
//!    vouches of members who left or were banned since no longer count. Its evidence says
//!    `method: "vouching"`, `checkedBy` the moderator, the community, and each counted vouch
//!    (voucher DID and the SHA-256 of the vouch credential's text).
//! 5. **Moderators, k of n.** A moderator approves a member with a `VouchCredential` whose
//!    `vouchedFor` is `"moderator"` (same shape and schema as a vouch; `community_approve`). With
//!    approvals from `moderator_threshold` distinct current moderators, `community_add_moderator`
//!    issues the member a membership credential with role `moderator` and revokes their old one.
//! 6. **Leaving and bans.** `community_leave` and `community_ban` change the member's state and
//!    revoke their membership credential(s); a ban also revokes the HumanityCredentials the
//!    community issued them (its members no longer vouch for them). Revocations only reach
//!    verifiers through the re-signed status list: each result names the lists to publish again.
//!
//! Every decision (`created`, `invited`, `admitted`, `rejected`, `vouch_received`,
//! `humanity_issued`, `moderator_added`, `left`, `banned`) is one row in the store's `decisions`
//! table, written in the same transaction as the state change, with the local ids of the
//! credentials it issued or revoked. Credentials are issued before that transaction (signing is
//! async); when the transaction then refuses (the state changed meanwhile) the new credential is
//! revoked again.
//!
//! The community's tables live in the wallet's own database; these functions open their own
//! connection to it ([`crate::store::Store::open`] on the wallet's folder).

use serde::Serialize;
use serde_json::{json, Value};

use crate::credential::verifier::Report;
use crate::credential::{
    hallmark_context, humanity_credential, membership_credential, CredentialError, Format, HumanityMethod, Role,
    Secured,
};
use crate::store::{
    now_rfc3339, CommunityRecord, CommunityView, CommunityWrites, DecisionRecord, InviteRecord, IssuedRecord,
    MemberRecord, NewDecision, RequestRecord, Store, VouchRecord,
};
use crate::wallet::Issued;
use crate::{UnlockedWallet, Wallet, WalletError};

/// The default number of vouches a HumanityCredential needs.
pub const DEFAULT_VOUCH_THRESHOLD: u32 = 2;
/// The default number of moderator approvals a new moderator needs.
pub const DEFAULT_MODERATOR_THRESHOLD: u32 = 1;
/// The largest threshold accepted.
pub const MAX_THRESHOLD: u32 = 100;
/// The longest community name (the schemas' limit).
pub const MAX_NAME_CHARS: usize = 200;

/// Why a community operation was refused. Each message says what to do.
#[derive(Debug, thiserror::Error)]
pub enum CommunityError {
    /// No community with this id (or name) in this wallet.
    #[error("no community {0:?} in this wallet; the list of communities shows the ones it has")]
    NoSuchCommunity(String),
    /// Several communities have this name.
    #[error("several communities are named {0:?}: give the community's id instead (the list of communities shows it)")]
    AmbiguousName(String),
    /// A name, threshold, challenge or reason that cannot be used.
    #[error("{0}")]
    InvalidInput(String),
    /// The DID is not an active moderator of the community.
    #[error("{did} is not an active moderator of {community}: only its moderators can do this")]
    NotModerator {
        /// The DID.
        did: String,
        /// The community's name.
        community: String,
    },
    /// None of this wallet's identities moderates the community.
    #[error("none of this wallet's identities is an active moderator of {0}: choose which of your identities acts")]
    NoDeskModerator(String),
    /// No request with this id.
    #[error("no request {0:?} here; the community's page lists its pending requests")]
    NoSuchRequest(String),
    /// The request was admitted or rejected already.
    #[error("the request {id} was already {state} on {at}; nothing was changed")]
    RequestDecided {
        /// The request's id.
        id: String,
        /// `admitted` or `rejected`.
        state: String,
        /// When.
        at: String,
    },
    /// The request is not a valid presentation.
    #[error("this request is not valid: {0}")]
    InvalidRequest(String),
    /// The request was made for another domain than this community.
    #[error("this request was made for {found}, not for this community ({expected}): it was meant for someone else; the candidate must make a new one for the community {expected}")]
    WrongDomain {
        /// The domain(s) the presentation names.
        found: String,
        /// The community's id.
        expected: String,
    },
    /// The request carries no challenge.
    #[error("this request carries no challenge, so it could be a replay: the candidate must make it from an invitation of this community")]
    NoChallenge,
    /// The challenge was not given out by this community.
    #[error("the challenge {0:?} was not given out by this community: the candidate needs an invitation from this community")]
    UnknownChallenge(String),
    /// The challenge was spent already: the request is a replay.
    #[error("the challenge {challenge:?} was already used on {at} (request of {by}): this request is a replay and was refused; a candidate needs a new invitation")]
    ChallengeUsed {
        /// The challenge.
        challenge: String,
        /// The DID whose request spent it.
        by: String,
        /// When.
        at: String,
    },
    /// The same presentation was received before.
    #[error("this request was received already, as {0}")]
    AlreadyReceived(String),
    /// The DID is an active member already.
    #[error("{did} is already an active member of {community}")]
    AlreadyMember {
        /// The DID.
        did: String,
        /// The community's name.
        community: String,
    },
    /// The DID was banned.
    #[error("{did} was banned from {community} on {at}")]
    Banned {
        /// The DID.
        did: String,
        /// The community's name.
        community: String,
        /// When.
        at: String,
    },
    /// The DID is not an active member.
    #[error("{did} is not an active member of {community}")]
    NotMember {
        /// The DID.
        did: String,
        /// The community's name.
        community: String,
    },
    /// A vouch that cannot be read, is not valid, or is not for this community.
    #[error("vouch #{index}: {reason}")]
    InvalidVouch {
        /// Its position among the files given (from 1).
        index: usize,
        /// Why.
        reason: String,
    },
    /// The voucher is not (or no longer) a current member in good standing.
    #[error("{voucher} cannot vouch in {community}: they {why}")]
    NotCurrentMember {
        /// The voucher's DID.
        voucher: String,
        /// The community's name.
        community: String,
        /// Why not, e.g. "were banned".
        why: String,
    },
    /// Someone vouched for themselves.
    #[error("{0} vouched for themselves: a vouch must come from someone else")]
    SelfVouch(String),
    /// The voucher vouched for this candidate already.
    #[error("{voucher} has already vouched for {candidate} here: one vouch per member and person")]
    DuplicateVouch {
        /// The voucher.
        voucher: String,
        /// The candidate.
        candidate: String,
    },
    /// Too few current members vouched.
    #[error("{candidate} needs {needed} vouches from current members, has {have} ({detail}); nothing was issued")]
    NotEnoughVouches {
        /// The candidate.
        candidate: String,
        /// The threshold.
        needed: u32,
        /// How many count now.
        have: usize,
        /// Who counted and who did not, and why.
        detail: String,
    },
    /// Too few current moderators approved.
    #[error(
        "{candidate} needs approvals from {needed} current moderators, has {have} ({detail}); nothing was changed"
    )]
    NotEnoughApprovals {
        /// The member to promote.
        candidate: String,
        /// The threshold.
        needed: u32,
        /// How many count now.
        have: usize,
        /// Who counted and who did not, and why.
        detail: String,
    },
    /// The member is a moderator already.
    #[error("{0} is already a moderator")]
    AlreadyModerator(String),
    /// The change would leave the community without an active moderator.
    #[error("{did} is the last active moderator of {community}: make another member a moderator first")]
    LastModerator {
        /// The moderator.
        did: String,
        /// The community's name.
        community: String,
    },
    /// Admitting someone straight in as a moderator is not allowed.
    #[error("members are admitted with role member; a member becomes a moderator with approvals from the current moderators")]
    ModeratorNeedsApprovals,
    /// The community is not in this wallet, so its name must be given.
    #[error("the community {0} is not in this wallet, nor in a membership credential you hold: give its name")]
    NameNeeded(String),
    /// A moderator tried to ban themselves.
    #[error("{0} cannot ban themselves; to step down, leave the community")]
    SelfBan(String),
}

impl CommunityError {
    /// A stable machine-readable code.
    pub fn code(&self) -> &'static str {
        match self {
            CommunityError::NoSuchCommunity(_) => "no_such_community",
            CommunityError::AmbiguousName(_) => "ambiguous_community",
            CommunityError::InvalidInput(_) => "invalid_input",
            CommunityError::NotModerator { .. } => "not_moderator",
            CommunityError::NoDeskModerator(_) => "no_desk_moderator",
            CommunityError::NoSuchRequest(_) => "no_such_request",
            CommunityError::RequestDecided { .. } => "request_decided",
            CommunityError::InvalidRequest(_) => "invalid_request",
            CommunityError::WrongDomain { .. } => "wrong_domain",
            CommunityError::NoChallenge => "no_challenge",
            CommunityError::UnknownChallenge(_) => "unknown_challenge",
            CommunityError::ChallengeUsed { .. } => "challenge_used",
            CommunityError::AlreadyReceived(_) => "already_received",
            CommunityError::AlreadyMember { .. } => "already_member",
            CommunityError::Banned { .. } => "banned",
            CommunityError::NotMember { .. } => "not_member",
            CommunityError::InvalidVouch { .. } => "invalid_vouch",
            CommunityError::NotCurrentMember { .. } => "not_current_member",
            CommunityError::SelfVouch(_) => "self_vouch",
            CommunityError::DuplicateVouch { .. } => "duplicate_vouch",
            CommunityError::NotEnoughVouches { .. } => "not_enough_vouches",
            CommunityError::NotEnoughApprovals { .. } => "not_enough_approvals",
            CommunityError::AlreadyModerator(_) => "already_moderator",
            CommunityError::LastModerator { .. } => "last_moderator",
            CommunityError::ModeratorNeedsApprovals => "moderator_needs_approvals",
            CommunityError::NameNeeded(_) => "community_name_needed",
            CommunityError::SelfBan(_) => "self_ban",
        }
    }
}

/// What a vouch is for: `vouchedFor` in a `VouchCredential`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VouchFor {
    /// The subject is a real, unique person the voucher knows (from a member).
    Humanity,
    /// The subject (a member) should become a moderator (an approval, from a moderator).
    Moderator,
}

impl VouchFor {
    /// The value written in the credential and stored.
    pub fn as_str(self) -> &'static str {
        match self {
            VouchFor::Humanity => "humanity",
            VouchFor::Moderator => "moderator",
        }
    }

    /// The purpose with this name.
    pub fn parse(s: &str) -> Option<VouchFor> {
        match s {
            "humanity" => Some(VouchFor::Humanity),
            "moderator" => Some(VouchFor::Moderator),
            _ => None,
        }
    }
}

const ACTIVE: &str = "active";
const LEFT: &str = "left";
const BANNED: &str = "banned";
const MODERATOR: &str = "moderator";

// ---------------------------------------------------------------------------------------------
// The rules, as pure functions over stored records.

/// Whether `member`'s vouch counts for `purpose` now: `Ok`, or why not ("are not a member",
/// "left the community", "were banned", "are not a moderator").
pub fn standing(member: Option<&MemberRecord>, purpose: VouchFor) -> Result<(), String> {
    let Some(m) = member else { return Err("are not a member".into()) };
    match m.state.as_str() {
        ACTIVE => {}
        LEFT => return Err(format!("left the community on {}", m.updated_at)),
        BANNED => return Err(format!("were banned on {}", m.updated_at)),
        other => return Err(format!("are in an unknown state {other:?}")),
    }
    if purpose == VouchFor::Moderator && m.role != MODERATOR {
        return Err("are not a moderator".into());
    }
    Ok(())
}

/// Which of the vouches for one candidate count now.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Tally {
    /// How many are needed.
    pub needed: u32,
    /// The vouches that count: one per distinct current member (or moderator).
    pub counted: Vec<VouchRecord>,
    /// The vouchers that do not count, and why.
    pub excluded: Vec<(String, String)>,
}

impl Tally {
    /// Whether enough count.
    pub fn is_enough(&self) -> bool {
        self.counted.len() >= self.needed as usize
    }

    /// "counted: A, B; not counted: C (were banned on …)", or "no vouch received yet".
    pub fn summary(&self) -> String {
        let mut parts = Vec::new();
        if !self.counted.is_empty() {
            let who: Vec<&str> = self.counted.iter().map(|v| v.voucher.as_str()).collect();
            parts.push(format!("counted: {}", who.join(", ")));
        }
        if !self.excluded.is_empty() {
            let who: Vec<String> = self.excluded.iter().map(|(d, why)| format!("{d} ({why})")).collect();
            parts.push(format!("not counted: {}", who.join(", ")));
        }
        if parts.is_empty() {
            "none received yet".into()
        } else {
            parts.join("; ")
        }
    }
}

/// Counts the vouches (all for one candidate and `purpose`) against the members' current state:
/// only distinct vouchers who are active members (active moderators, for approvals) and not the
/// candidate count.
pub fn tally(vouches: &[VouchRecord], members: &[MemberRecord], purpose: VouchFor, needed: u32) -> Tally {
    let mut t = Tally { needed, counted: Vec::new(), excluded: Vec::new() };
    for v in vouches.iter().filter(|v| v.purpose == purpose.as_str()) {
        if t.counted.iter().any(|c| c.voucher == v.voucher) || t.excluded.iter().any(|(d, _)| *d == v.voucher) {
            continue;
        }
        if v.voucher == v.candidate {
            t.excluded.push((v.voucher.clone(), "vouched for themselves".into()));
            continue;
        }
        match standing(members.iter().find(|m| m.did == v.voucher), purpose) {
            Ok(()) => t.counted.push(v.clone()),
            Err(why) => t.excluded.push((v.voucher.clone(), format!("they {why}"))),
        }
    }
    t
}

fn find_member<'a>(members: &'a [MemberRecord], did: &str) -> Option<&'a MemberRecord> {
    members.iter().find(|m| m.did == did)
}

fn active_moderators(members: &[MemberRecord]) -> impl Iterator<Item = &MemberRecord> {
    members.iter().filter(|m| m.state == ACTIVE && m.role == MODERATOR)
}

/// `did` must be an active moderator.
pub fn check_moderator(c: &CommunityRecord, members: &[MemberRecord], did: &str) -> Result<(), CommunityError> {
    match find_member(members, did) {
        Some(m) if m.state == ACTIVE && m.role == MODERATOR => Ok(()),
        _ => Err(CommunityError::NotModerator { did: did.into(), community: c.name.clone() }),
    }
}

/// `did` may be admitted: new, or a member who left. Not an active member, not banned.
pub fn check_admit(c: &CommunityRecord, members: &[MemberRecord], did: &str) -> Result<(), CommunityError> {
    match find_member(members, did) {
        None => Ok(()),
        Some(m) if m.state == LEFT => Ok(()),
        Some(m) if m.state == BANNED => {
            Err(CommunityError::Banned { did: did.into(), community: c.name.clone(), at: m.updated_at.clone() })
        }
        Some(_) => Err(CommunityError::AlreadyMember { did: did.into(), community: c.name.clone() }),
    }
}

/// `did` may leave: an active member, and not the last active moderator. Returns the member.
pub fn check_leave(c: &CommunityRecord, members: &[MemberRecord], did: &str) -> Result<MemberRecord, CommunityError> {
    let m = match find_member(members, did) {
        Some(m) if m.state == ACTIVE => m,
        _ => return Err(CommunityError::NotMember { did: did.into(), community: c.name.clone() }),
    };
    if m.role == MODERATOR && active_moderators(members).count() <= 1 {
        return Err(CommunityError::LastModerator { did: did.into(), community: c.name.clone() });
    }
    Ok(m.clone())
}

/// `actor` (an active moderator) may ban `did`: anyone not banned yet, except themselves.
/// Returns the member record, if `did` is or was a member.
pub fn check_ban(
    c: &CommunityRecord,
    members: &[MemberRecord],
    actor: &str,
    did: &str,
) -> Result<Option<MemberRecord>, CommunityError> {
    check_moderator(c, members, actor)?;
    if actor == did {
        return Err(CommunityError::SelfBan(did.into()));
    }
    match find_member(members, did) {
        Some(m) if m.state == BANNED => {
            Err(CommunityError::Banned { did: did.into(), community: c.name.clone(), at: m.updated_at.clone() })
        }
        other => Ok(other.cloned()),
    }
}

/// `did` may become a moderator: an active member who is not one yet. Returns the member.
pub fn check_promote(c: &CommunityRecord, members: &[MemberRecord], did: &str) -> Result<MemberRecord, CommunityError> {
    match find_member(members, did) {
        Some(m) if m.state == ACTIVE && m.role == MODERATOR => Err(CommunityError::AlreadyModerator(did.into())),
        Some(m) if m.state == ACTIVE => Ok(m.clone()),
        _ => Err(CommunityError::NotMember { did: did.into(), community: c.name.clone() }),
    }
}

/// A community name: trimmed, 1 to [`MAX_NAME_CHARS`] characters, no control characters.
pub fn check_name(name: &str) -> Result<String, CommunityError> {
    let n = name.trim();
    if n.is_empty() || n.chars().count() > MAX_NAME_CHARS || n.chars().any(char::is_control) {
        return Err(CommunityError::InvalidInput(format!(
            "a community name has 1 to {MAX_NAME_CHARS} characters and no control characters"
        )));
    }
    Ok(n.to_owned())
}

fn check_threshold(what: &str, k: u32) -> Result<u32, CommunityError> {
    if (1..=MAX_THRESHOLD).contains(&k) {
        Ok(k)
    } else {
        Err(CommunityError::InvalidInput(format!("{what} must be between 1 and {MAX_THRESHOLD}, not {k}")))
    }
}

fn check_reason(reason: &str) -> Result<String, CommunityError> {
    let r = reason.trim();
    if r.is_empty() || r.chars().count() > 1000 {
        return Err(CommunityError::InvalidInput("give a reason of 1 to 1000 characters".into()));
    }
    Ok(r.to_owned())
}

// ---------------------------------------------------------------------------------------------
// Credential shapes.

/// An unsigned `VouchCredential`: `voucher` vouches for `candidate` in the community
/// (`purpose` humanity: a real, unique person they know; moderator: an approval to make them a
/// moderator), with an optional note as evidence. Matches `schemas/vouch-v1.json`.
pub fn vouch_credential(
    voucher: &str,
    candidate: &str,
    community_id: &str,
    community_name: &str,
    purpose: VouchFor,
    note: Option<&str>,
    valid_from: &str,
) -> Value {
    let mut vc = json!({
        "@context": hallmark_context(),
        "type": ["VerifiableCredential", "VouchCredential"],
        "issuer": voucher,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": candidate,
            "vouchedFor": purpose.as_str(),
            "memberOf": {"id": community_id, "name": community_name},
        },
    });
    if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
        vc["evidence"] = json!([{"type": ["VouchEvidence"], "description": n}]);
    }
    vc
}

/// An unsigned `HumanityCredential` issued by `moderator` on the strength of `vouches`: its
/// evidence has `method: "vouching"`, the community, and each vouch (voucher DID, SHA-256 of the
/// vouch credential's text, and its `id` when it has one). Matches `schemas/humanity-v1.json`.
pub fn vouched_humanity_credential(
    moderator: &str,
    candidate: &str,
    community: &CommunityRecord,
    vouches: &[VouchRecord],
    note: Option<&str>,
    valid_from: &str,
    valid_until: Option<&str>,
) -> Value {
    let mut vc = humanity_credential(moderator, candidate, HumanityMethod::Vouching, note, valid_from, valid_until);
    let refs: Vec<Value> = vouches
        .iter()
        .map(|v| {
            let mut r = json!({"voucher": v.voucher, "sha256": v.sha256});
            if let Some(id) = &v.credential_id {
                r["id"] = json!(id);
            }
            r
        })
        .collect();
    vc["evidence"][0]["community"] = json!({"id": community.id, "name": community.name});
    vc["evidence"][0]["vouches"] = Value::Array(refs);
    vc
}

// ---------------------------------------------------------------------------------------------
// Results.

/// A community with its counts, for `community list`. Field names are stable (`--json`).
#[derive(Debug, Clone, Serialize)]
pub struct CommunitySummary {
    /// The community.
    #[serde(flatten)]
    pub community: CommunityRecord,
    /// Active members (moderators included).
    pub active_members: usize,
    /// Active moderators.
    pub moderators: usize,
    /// Requests waiting for a decision.
    pub pending_requests: usize,
}

/// A stored vouch and whether it counts now.
#[derive(Debug, Clone, Serialize)]
pub struct VouchStanding {
    /// The vouch.
    #[serde(flatten)]
    pub vouch: VouchRecord,
    /// Whether it counts now (the voucher is still a current member, or moderator).
    pub counts: bool,
    /// Why not, when it does not.
    pub why_not: Option<String>,
}

/// Everything about one community, for `community show`. Field names are stable (`--json`).
#[derive(Debug, Clone, Serialize)]
pub struct CommunityDetails {
    /// The community.
    pub community: CommunityRecord,
    /// Every member, in any state, oldest first.
    pub members: Vec<MemberRecord>,
    /// The DIDs of the active moderators.
    pub moderators: Vec<String>,
    /// Requests waiting for a decision.
    pub pending_requests: Vec<RequestRecord>,
    /// Invitations not used yet.
    pub open_invites: Vec<InviteRecord>,
    /// Every accepted vouch and approval, and whether it counts now.
    pub vouches: Vec<VouchStanding>,
    /// The decision log, in order.
    pub decisions: Vec<DecisionRecord>,
}

/// An invitation: give the candidate the challenge and the domain.
#[derive(Debug, Clone, Serialize)]
pub struct Invite {
    /// The community's id.
    pub community: String,
    /// Its name.
    pub name: String,
    /// The fresh random challenge.
    pub challenge: String,
    /// The domain the request must name: the community's id.
    pub domain: String,
}

/// A status list whose signed credential changed: publish it again.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ChangedList {
    /// The list's URL (its `id`).
    pub url: String,
    /// The issuer whose list it is.
    pub issuer: String,
}

/// The credentials a decision revoked, and the lists that changed.
#[derive(Debug, Clone, Default, Serialize)]
pub struct Revocations {
    /// Each revoked credential's record.
    pub revoked: Vec<IssuedRecord>,
    /// The status lists to publish again.
    pub status_lists: Vec<ChangedList>,
}

/// A new community.
#[derive(Debug, Clone)]
pub struct CommunityCreated {
    /// The community.
    pub community: CommunityRecord,
    /// The creator's membership credential (role moderator).
    pub issued: Issued,
}

/// A member admitted.
#[derive(Debug, Clone)]
pub struct Admitted {
    /// The request, now admitted.
    pub request: RequestRecord,
    /// The new member.
    pub member: MemberRecord,
    /// Their membership credential (to hand to them).
    pub issued: Issued,
}

/// A HumanityCredential issued by vouching.
#[derive(Debug, Clone)]
pub struct HumanityIssued {
    /// The credential (to hand to the candidate).
    pub issued: Issued,
    /// The vouches that counted.
    pub vouches: Vec<VouchRecord>,
}

/// A member made moderator.
#[derive(Debug, Clone)]
pub struct Promoted {
    /// The member, now a moderator.
    pub member: MemberRecord,
    /// The new membership credential (role moderator).
    pub issued: Issued,
    /// The approvals that counted.
    pub approvals: Vec<VouchRecord>,
    /// The old membership credential, revoked.
    pub revocations: Revocations,
}

/// A member who left or was banned.
#[derive(Debug, Clone)]
pub struct Departed {
    /// The member's record after the change.
    pub member: MemberRecord,
    /// What was revoked.
    pub revocations: Revocations,
}

/// A membership request: stored id, or a presentation to receive and admit at once.
#[derive(Debug, Clone, Copy)]
pub enum RequestRef<'a> {
    /// A request received earlier (`r-…`, or a unique prefix).
    Id(&'a str),
    /// A presentation's text, for the community with this id (or name).
    Presentation {
        /// The community.
        community: &'a str,
        /// The presentation (JSON or JWT).
        text: &'a str,
    },
}

// ---------------------------------------------------------------------------------------------
// Helpers.

/// The community desk's connection to the wallet's store (signing log entries as the wallet does).
fn desk(w: &Wallet) -> Result<Store, WalletError> {
    let mut store = Store::open(w.home())?;
    store.set_log_signer(w.log_signer());
    Ok(store)
}

fn find_community(store: &Store, id_or_name: &str) -> Result<CommunityRecord, WalletError> {
    let key = id_or_name.trim();
    if let Some(c) = store.community(key)? {
        return Ok(c);
    }
    let mut named: Vec<CommunityRecord> = store.communities()?.into_iter().filter(|c| c.name == key).collect();
    match named.len() {
        1 => Ok(named.remove(0)),
        0 => Err(CommunityError::NoSuchCommunity(key.into()).into()),
        _ => Err(CommunityError::AmbiguousName(key.into()).into()),
    }
}

/// The moderator acting at the desk: `wanted` (one of this wallet's identities, an active
/// moderator), else the first active moderator that is one of this wallet's identities.
fn desk_moderator(
    w: &Wallet,
    c: &CommunityRecord,
    members: &[MemberRecord],
    wanted: Option<&str>,
) -> Result<String, WalletError> {
    match wanted {
        Some(d) => {
            let id = w.identity(d)?;
            check_moderator(c, members, &id.did)?;
            Ok(id.did)
        }
        None => active_moderators(members)
            .find(|m| w.identity(&m.did).is_ok())
            .map(|m| m.did.clone())
            .ok_or_else(|| CommunityError::NoDeskModerator(c.name.clone()).into()),
    }
}

fn random_bytes<const N: usize>() -> Result<[u8; N], WalletError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| CredentialError::Sign(format!("no randomness: {e}")))?;
    Ok(b)
}

fn new_community_id() -> Result<String, WalletError> {
    Ok(crate::ids::random_urn_uuid().map_err(|e| CredentialError::Sign(format!("no randomness: {e}")))?)
}

fn sha256_hex(text: &str) -> String {
    use sha2::Digest;
    hex::encode(sha2::Sha256::digest(text.as_bytes()))
}

/// The text stored for a secured document (what its SHA-256 is taken over).
fn stored_text(secured: &Secured) -> String {
    match secured {
        Secured::Json(_) => secured.to_text().trim().to_owned(),
        Secured::Jwt(j) => j.clone(),
    }
}

/// The challenge and domain(s) a presentation was signed for (not verified yet).
fn binding_of(secured: &Secured) -> Result<(Option<String>, Vec<String>), CredentialError> {
    let doc = secured.document()?;
    let strings = |v: Option<&Value>| -> Vec<String> {
        match v {
            Some(Value::String(s)) => vec![s.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        }
    };
    Ok(match secured {
        Secured::Jwt(_) => (doc.get("nonce").and_then(Value::as_str).map(str::to_owned), strings(doc.get("aud"))),
        Secured::Json(_) => {
            let proof = match doc.get("proof") {
                Some(Value::Array(a)) => a.first().cloned(),
                other => other.cloned(),
            }
            .unwrap_or(Value::Null);
            (proof.get("challenge").and_then(Value::as_str).map(str::to_owned), strings(proof.get("domain")))
        }
    })
}

fn failed_check<'a>(r: &'a Report, name: &str) -> Option<&'a str> {
    r.checks.iter().find(|c| c.check == name && c.result == "failed").map(|c| c.detail.as_str())
}

/// A vouch read and verified, before the desk's state is checked.
struct CheckedVouch {
    record: VouchRecord,
    purpose: VouchFor,
}

/// The credentials the community issued to `did` by these actions and not revoked yet.
fn issued_to(
    w: &Wallet,
    decisions: &[DecisionRecord],
    did: &str,
    actions: &[&str],
) -> Result<Vec<String>, WalletError> {
    let mut ids = Vec::new();
    for d in decisions {
        if d.subject.as_deref() != Some(did) || !actions.contains(&d.action.as_str()) {
            continue;
        }
        if let Some(id) = &d.credential {
            if !ids.contains(id) && w.issued_record(id)?.revoked_at.is_none() {
                ids.push(id.clone());
            }
        }
    }
    Ok(ids)
}

/// The community's name as written in a membership credential about `member` held in this
/// wallet (a member's own card), if there is one.
fn name_from_card(w: &Wallet, community_id: &str, member: &str) -> Result<Option<String>, WalletError> {
    for held in w.credentials()? {
        if held.subject.as_deref() != Some(member) || !held.types.iter().any(|t| t == "CommunityMembershipCredential") {
            continue;
        }
        let doc = Secured::parse(&held.body)?.document()?;
        let of = &doc["credentialSubject"]["memberOf"];
        if of["id"].as_str() == Some(community_id) {
            if let Some(name) = of["name"].as_str() {
                return Ok(Some(name.to_owned()));
            }
        }
    }
    Ok(None)
}

const MEMBERSHIP_ACTIONS: &[&str] = &["created", "admitted", "moderator_added"];

impl Wallet {
    /// Every community run from this wallet, oldest first, with its counts.
    pub fn communities(&self) -> Result<Vec<CommunitySummary>, WalletError> {
        let store = desk(self)?;
        let mut out = Vec::new();
        for c in store.communities()? {
            let members = store.community_members(&c.id)?;
            let pending = store.community_requests(&c.id)?.iter().filter(|r| r.state == "pending").count();
            out.push(CommunitySummary {
                active_members: members.iter().filter(|m| m.state == ACTIVE).count(),
                moderators: active_moderators(&members).count(),
                pending_requests: pending,
                community: c,
            });
        }
        Ok(out)
    }

    /// Everything about one community (by id, or by its name when unique).
    pub fn community_details(&self, id_or_name: &str) -> Result<CommunityDetails, WalletError> {
        let store = desk(self)?;
        let c = find_community(&store, id_or_name)?;
        let members = store.community_members(&c.id)?;
        let vouches = store
            .community_vouches(&c.id)?
            .into_iter()
            .map(|v| {
                let why_not = if v.voucher == v.candidate {
                    Some("vouched for themselves".to_owned())
                } else {
                    let purpose = VouchFor::parse(&v.purpose).unwrap_or(VouchFor::Humanity);
                    standing(find_member(&members, &v.voucher), purpose).err().map(|why| format!("they {why}"))
                };
                VouchStanding { counts: why_not.is_none(), why_not, vouch: v }
            })
            .collect();
        Ok(CommunityDetails {
            moderators: active_moderators(&members).map(|m| m.did.clone()).collect(),
            pending_requests: store.community_requests(&c.id)?.into_iter().filter(|r| r.state == "pending").collect(),
            open_invites: store.community_invites(&c.id)?.into_iter().filter(|i| i.used_at.is_none()).collect(),
            vouches,
            decisions: store.community_decisions(&c.id)?,
            members,
            community: c,
        })
    }

    /// A fresh invitation: a random challenge (stored, unused) for a candidate's request, given
    /// out by `moderator` (default: this wallet's first active moderator of the community).
    pub fn community_invite(&self, id_or_name: &str, moderator: Option<&str>) -> Result<Invite, WalletError> {
        let mut store = desk(self)?;
        let c = find_community(&store, id_or_name)?;
        let actor = desk_moderator(self, &c, &store.community_members(&c.id)?, moderator)?;
        // Hex, so that it never starts with '-' and is easy to read out or type on a command line.
        let challenge = hex::encode(random_bytes::<16>()?);
        store.change_community::<_, WalletError>(&c.id, |v| {
            check_moderator(v.community(), &v.members()?, &actor)?;
            Ok((
                CommunityWrites {
                    new_invite: Some(challenge.clone()),
                    decisions: vec![NewDecision {
                        actor: actor.clone(),
                        action: "invited",
                        subject: None,
                        detail: json!({"challenge": challenge}),
                        credential: None,
                        revoked: Vec::new(),
                    }],
                    ..Default::default()
                },
                (),
            ))
        })?;
        Ok(Invite { domain: c.id.clone(), community: c.id, name: c.name, challenge })
    }

    /// Verifies a membership request: a valid presentation (its credentials too), made for the
    /// community's id as domain, bound to a challenge. Returns the challenge and the report.
    async fn verify_request(
        &self,
        c: &CommunityRecord,
        secured: &Secured,
        extra_lists: Vec<Value>,
    ) -> Result<(String, Report), WalletError> {
        let (challenge, domains) = binding_of(secured)?;
        let challenge = challenge.ok_or(CommunityError::NoChallenge)?;
        let mut options = self.verify_options(extra_lists)?;
        options.challenge = Some(challenge.clone());
        options.domain = Some(c.id.clone());
        let report = self.verify(secured, options).await?;
        if report.kind != "presentation" {
            return Err(CommunityError::InvalidRequest(
                "this is a credential, not a presentation: the candidate makes a request with `hallmark community request`"
                    .into(),
            )
            .into());
        }
        if failed_check(&report, "domain").is_some() {
            let found = if domains.is_empty() { "no domain".to_owned() } else { domains.join(", ") };
            return Err(CommunityError::WrongDomain { found, expected: c.id.clone() }.into());
        }
        if !report.valid {
            let why = report.first_failure().map(|f| format!("{}: {}", f.check, f.detail)).unwrap_or_default();
            return Err(CommunityError::InvalidRequest(why).into());
        }
        if report.holder.is_none() {
            return Err(CommunityError::InvalidRequest("it names no holder".into()).into());
        }
        Ok((challenge, report))
    }

    /// Receives a membership request (a presentation's text) for a community: verifies it (see
    /// the module docs; `extra_lists` are status lists for the credentials it holds) and stores
    /// it as pending. Refuses requests bound to a challenge this community did not give out or
    /// already spent (replays), from banned people and from active members.
    pub async fn community_receive(
        &self,
        id_or_name: &str,
        text: &str,
        extra_lists: Vec<Value>,
    ) -> Result<RequestRecord, WalletError> {
        let mut store = desk(self)?;
        let c = find_community(&store, id_or_name)?;
        let secured = Secured::parse(text)?;
        let (challenge, report) = self.verify_request(&c, &secured, extra_lists).await?;
        let holder = report.holder.clone().unwrap_or_default();
        let body = stored_text(&secured);
        let sha256 = sha256_hex(&body);
        let record = RequestRecord {
            id: format!("r-{}", &sha256[..12]),
            community: c.id.clone(),
            holder: holder.clone(),
            challenge: challenge.clone(),
            format: secured.format_name().to_owned(),
            received_at: now_rfc3339(),
            state: "pending".into(),
            decided_at: None,
            reason: None,
            sha256: sha256.clone(),
            body,
        };
        store.change_community::<_, WalletError>(&c.id, |v| {
            check_invite(v, &challenge)?;
            if let Some(r) = v.request_by_sha256(&sha256)? {
                return Err(CommunityError::AlreadyReceived(r.id).into());
            }
            check_admit(v.community(), &v.members()?, &holder)?;
            Ok((CommunityWrites { new_request: Some(record.clone()), ..Default::default() }, ()))
        })?;
        tracing::info!(id = %record.id, community = %c.id, "membership request received");
        Ok(record)
    }

    /// Rejects a pending request (its challenge is spent too), as `moderator` (default: this
    /// wallet's first active moderator of the community).
    pub fn community_reject(
        &self,
        request_id: &str,
        reason: &str,
        moderator: Option<&str>,
    ) -> Result<RequestRecord, WalletError> {
        let reason = check_reason(reason)?;
        let mut store = desk(self)?;
        let r = store
            .community_request(request_id.trim())?
            .ok_or_else(|| CommunityError::NoSuchRequest(request_id.trim().into()))?;
        let c = find_community(&store, &r.community)?;
        let actor = desk_moderator(self, &c, &store.community_members(&c.id)?, moderator)?;
        store.change_community::<_, WalletError>(&c.id, |v| {
            check_moderator(v.community(), &v.members()?, &actor)?;
            let now = v.request(&r.id)?.ok_or_else(|| CommunityError::NoSuchRequest(r.id.clone()))?;
            check_pending(&now)?;
            let spend = match v.invite(&r.challenge)? {
                Some(i) if i.used_at.is_none() => Some((r.challenge.clone(), r.holder.clone())),
                _ => None,
            };
            Ok((
                CommunityWrites {
                    spend_invite: spend,
                    decide_request: Some((r.id.clone(), "rejected", Some(reason.clone()))),
                    decisions: vec![NewDecision {
                        actor: actor.clone(),
                        action: "rejected",
                        subject: Some(r.holder.clone()),
                        detail: json!({"request": r.id, "reason": reason}),
                        credential: None,
                        revoked: Vec::new(),
                    }],
                    ..Default::default()
                },
                (),
            ))
        })?;
        Ok(store.community_request(&r.id)?.unwrap_or(r))
    }

    /// Reads and verifies vouch credentials (texts) for community `c`: each must be valid, a
    /// VouchCredential for this community (`only` purpose, if given), not about its issuer.
    async fn read_vouches(
        &self,
        c: &CommunityRecord,
        texts: &[String],
        only: Option<VouchFor>,
        extra_lists: Vec<Value>,
    ) -> Result<Vec<CheckedVouch>, WalletError> {
        let options = self.verify_options(extra_lists)?;
        let mut out = Vec::new();
        for (i, text) in texts.iter().enumerate() {
            let bad = |reason: String| CommunityError::InvalidVouch { index: i + 1, reason };
            let secured = Secured::parse(text).map_err(|e| bad(e.to_string()))?;
            let doc = secured.document().map_err(|e| bad(e.to_string()))?;
            if !crate::credential::verifier::types_of(&doc).iter().any(|t| t == "VouchCredential") {
                return Err(bad("this is not a VouchCredential".into()).into());
            }
            let report = self.verify(&secured, options.clone()).await.map_err(|e| bad(e.to_string()))?;
            if !report.valid {
                let why = report.first_failure().map(|f| format!("{}: {}", f.check, f.detail)).unwrap_or_default();
                return Err(bad(format!("it is not valid ({why})")).into());
            }
            let subject = &doc["credentialSubject"];
            let of = subject["memberOf"]["id"].as_str().unwrap_or_default();
            if of != c.id {
                return Err(bad(format!("it is for the community {of:?}, not {} ({})", c.name, c.id)).into());
            }
            let purpose = subject["vouchedFor"]
                .as_str()
                .and_then(VouchFor::parse)
                .ok_or_else(|| bad("it says neither vouchedFor humanity nor moderator".into()))?;
            if only.is_some_and(|p| p != purpose) {
                return Err(bad(format!(
                    "it vouches for {}, not {}",
                    purpose.as_str(),
                    only.map(VouchFor::as_str).unwrap_or_default()
                ))
                .into());
            }
            let voucher = report.issuer.clone().unwrap_or_default();
            let candidate = report.subject.clone().ok_or_else(|| bad("it names no subject".into()))?;
            if voucher == candidate {
                return Err(CommunityError::SelfVouch(voucher).into());
            }
            let body = stored_text(&secured);
            out.push(CheckedVouch {
                record: VouchRecord {
                    voucher,
                    candidate,
                    purpose: purpose.as_str().into(),
                    sha256: sha256_hex(&body),
                    credential_id: doc.get("id").and_then(Value::as_str).map(str::to_owned),
                    added_at: now_rfc3339(),
                    body,
                },
                purpose,
            });
        }
        Ok(out)
    }

    /// Accepts vouch credentials (texts) for a community, all or none: each must be valid (its
    /// status too: `extra_lists` are the vouchers' status lists), a VouchCredential for this
    /// community, from a current active member (an active moderator for `vouchedFor:
    /// "moderator"`) who is not the candidate, and the first from that member for that person.
    /// Each is logged as `vouch_received`.
    pub async fn community_add_vouches(
        &self,
        id_or_name: &str,
        texts: &[String],
        extra_lists: Vec<Value>,
    ) -> Result<Vec<VouchRecord>, WalletError> {
        let mut store = desk(self)?;
        let c = find_community(&store, id_or_name)?;
        let options = self.verify_options(extra_lists.clone())?;
        let checked = self.read_vouches(&c, texts, None, extra_lists.clone()).await?;
        let added = store_vouches(&mut store, &c, checked, false)?;
        Box::pin(crate::wallet::keep_status_lists(&mut store, &extra_lists, &options)).await?;
        Ok(added)
    }

    /// The stored vouches that still verify now (not revoked, not expired: a vouch can be
    /// withdrawn after the desk accepted it), and the ones that no longer do, with why.
    async fn still_valid(&self, vouches: Vec<VouchRecord>) -> Result<(Vec<VouchRecord>, Vec<String>), WalletError> {
        let options = self.verify_options(Vec::new())?;
        let (mut good, mut dropped) = (Vec::new(), Vec::new());
        for v in vouches {
            let why = match Secured::parse(&v.body) {
                Err(e) => Some(e.to_string()),
                Ok(secured) => match self.verify(&secured, options.clone()).await {
                    Err(e) => Some(e.to_string()),
                    Ok(r) if r.valid => None,
                    Ok(r) => Some(r.first_failure().map(|f| f.detail.clone()).unwrap_or_default()),
                },
            };
            match why {
                None => good.push(v),
                Some(why) => dropped.push(format!("the vouch from {} no longer counts: {why}", v.voucher)),
            }
        }
        Ok((good, dropped))
    }
}

/// Stores checked vouches in one transaction, re-checking each voucher's standing. With
/// `skip_known`, a vouch already stored (same text) is skipped instead of refused.
fn store_vouches(
    store: &mut Store,
    c: &CommunityRecord,
    checked: Vec<CheckedVouch>,
    skip_known: bool,
) -> Result<Vec<VouchRecord>, WalletError> {
    store.change_community::<_, WalletError>(&c.id, |v| {
        let members = v.members()?;
        let mut writes = CommunityWrites::default();
        let mut added = Vec::new();
        for cv in &checked {
            let r = &cv.record;
            let existing = v.vouches_for(&r.candidate, &r.purpose)?;
            let known = existing.iter().find(|e| e.voucher == r.voucher);
            if skip_known && known.is_some_and(|e| e.sha256 == r.sha256) {
                continue;
            }
            // Standing first: a banned member hears that they are banned, not that they vouched before.
            standing(find_member(&members, &r.voucher), cv.purpose).map_err(|why| {
                CommunityError::NotCurrentMember { voucher: r.voucher.clone(), community: c.name.clone(), why }
            })?;
            if let Some(m) = find_member(&members, &r.candidate).filter(|m| m.state == BANNED) {
                return Err(CommunityError::Banned {
                    did: r.candidate.clone(),
                    community: c.name.clone(),
                    at: m.updated_at.clone(),
                }
                .into());
            }
            let twice = writes
                .vouches
                .iter()
                .any(|w: &VouchRecord| w.voucher == r.voucher && w.candidate == r.candidate && w.purpose == r.purpose);
            if known.is_some() || twice {
                return Err(CommunityError::DuplicateVouch {
                    voucher: r.voucher.clone(),
                    candidate: r.candidate.clone(),
                }
                .into());
            }
            writes.vouches.push(r.clone());
            writes.decisions.push(NewDecision {
                actor: r.voucher.clone(),
                action: "vouch_received",
                subject: Some(r.candidate.clone()),
                detail: json!({"vouched_for": r.purpose, "sha256": r.sha256, "credential_id": r.credential_id}),
                credential: None,
                revoked: Vec::new(),
            });
            added.push(r.clone());
        }
        Ok((writes, added))
    })
}

fn check_invite(v: &CommunityView<'_>, challenge: &str) -> Result<(), WalletError> {
    Ok(invite_open(v.invite(challenge)?, challenge)?)
}

/// The invitation must exist and not be spent.
fn invite_open(invite: Option<InviteRecord>, challenge: &str) -> Result<(), CommunityError> {
    match invite {
        None => Err(CommunityError::UnknownChallenge(challenge.into())),
        Some(InviteRecord { used_at: Some(at), used_by, .. }) => {
            Err(CommunityError::ChallengeUsed { challenge: challenge.into(), by: used_by.unwrap_or_default(), at })
        }
        Some(_) => Ok(()),
    }
}

fn check_pending(r: &RequestRecord) -> Result<(), CommunityError> {
    if r.state == "pending" {
        return Ok(());
    }
    Err(CommunityError::RequestDecided {
        id: r.id.clone(),
        state: r.state.clone(),
        at: r.decided_at.clone().unwrap_or_default(),
    })
}

impl UnlockedWallet {
    /// Creates a community named `name`: `creator` (one of this wallet's Ed25519 identities)
    /// becomes its first moderator and issues itself a membership credential (role moderator,
    /// revocable). `vouch_threshold` vouches make a HumanityCredential; `moderator_threshold`
    /// moderator approvals make a moderator.
    pub async fn community_create(
        &mut self,
        name: &str,
        creator: &str,
        vouch_threshold: u32,
        moderator_threshold: u32,
        format: Format,
    ) -> Result<CommunityCreated, WalletError> {
        let name = check_name(name)?;
        let vouch_threshold = check_threshold("the number of vouches", vouch_threshold)?;
        let moderator_threshold = check_threshold("the number of moderator approvals", moderator_threshold)?;
        let creator = self.wallet().identity(creator)?.did;
        let mut store = desk(self.wallet())?;
        let now = now_rfc3339();
        let community = CommunityRecord {
            id: new_community_id()?,
            name: name.clone(),
            created_by: creator.clone(),
            created_at: now.clone(),
            vouch_threshold,
            moderator_threshold,
        };
        let vc = membership_credential(&creator, &creator, &community.id, &name, Role::Moderator, &now, None);
        let issued = self.issue(vc, format).await?;
        let member = MemberRecord {
            did: creator.clone(),
            role: MODERATOR.into(),
            state: ACTIVE.into(),
            since: now.clone(),
            updated_at: now,
            credential: Some(issued.held.id.clone()),
        };
        let decision = NewDecision {
            actor: creator.clone(),
            action: "created",
            subject: Some(creator),
            detail: json!({"name": name, "vouch_threshold": vouch_threshold, "moderator_threshold": moderator_threshold}),
            credential: Some(issued.held.id.clone()),
            revoked: Vec::new(),
        };
        if let Err(e) = store.create_community(&community, &member, &decision) {
            self.undo_issue(&issued).await;
            return Err(e.into());
        }
        tracing::info!(id = %community.id, "community created");
        Ok(CommunityCreated { community, issued })
    }

    /// Revokes a credential issued for a decision that was then refused (best effort: the
    /// original error is what the person needs to see).
    async fn undo_issue(&mut self, issued: &Issued) {
        if let Err(e) = self.revoke(&issued.held.id, Some("issued for a community decision that did not happen")).await
        {
            tracing::warn!(id = %issued.held.id, "could not revoke the unused credential: {e}");
        }
    }

    /// Revokes each credential (reason given) and names the status lists that changed.
    async fn revoke_all(&mut self, ids: &[String], reason: &str) -> Result<Revocations, WalletError> {
        let mut out = Revocations::default();
        for id in ids {
            let (rec, list) = self.revoke(id, Some(reason)).await?;
            let changed = ChangedList {
                url: rec.status_list_url.clone(),
                issuer: list.get("issuer").and_then(Value::as_str).unwrap_or_default().to_owned(),
            };
            if !out.status_lists.contains(&changed) {
                out.status_lists.push(changed);
            }
            out.revoked.push(rec);
        }
        Ok(out)
    }

    /// Candidate side: a membership request for the community `community_id`: a presentation
    /// signed by `holder` (one of this wallet's identities), bound to the desk's `challenge`
    /// with the community id as domain, holding the stored credentials `include` (local ids;
    /// each must be about `holder`).
    pub async fn community_request(
        &self,
        holder: &str,
        community_id: &str,
        challenge: &str,
        include: &[String],
        format: Format,
    ) -> Result<Secured, WalletError> {
        let community_id = community_id.trim();
        let challenge = challenge.trim();
        if community_id.is_empty() || challenge.is_empty() || challenge.len() > 512 {
            return Err(CommunityError::InvalidInput(
                "give the community id and the challenge the desk gave you (`hallmark community invite` prints both)"
                    .into(),
            )
            .into());
        }
        let mut credentials = Vec::new();
        for id in include {
            credentials.push(Secured::parse(&self.wallet().credential(id)?.body)?);
        }
        let holder = self.wallet().identity(holder)?.did;
        self.present(&holder, &credentials, format, Some(challenge), Some(community_id)).await
    }

    /// Admits a membership request (a stored one, or a presentation received now) as
    /// `moderator` (default: this wallet's first active moderator of the community): verifies
    /// it again, spends its challenge — so a second admit, or a replay, fails — and issues the
    /// candidate a membership credential with role `member`, all logged as `admitted`.
    pub async fn community_admit(
        &mut self,
        request: RequestRef<'_>,
        moderator: Option<&str>,
        role: Role,
        format: Format,
        extra_lists: Vec<Value>,
    ) -> Result<Admitted, WalletError> {
        if role != Role::Member {
            return Err(CommunityError::ModeratorNeedsApprovals.into());
        }
        let mut store = desk(self.wallet())?;
        // The community and the acting moderator first: nothing is stored for a refused actor.
        let c = match request {
            RequestRef::Id(id) => {
                let r = store
                    .community_request(id.trim())?
                    .ok_or_else(|| CommunityError::NoSuchRequest(id.trim().into()))?;
                find_community(&store, &r.community)?
            }
            RequestRef::Presentation { community, .. } => find_community(&store, community)?,
        };
        let actor = desk_moderator(self.wallet(), &c, &store.community_members(&c.id)?, moderator)?;
        let r = match request {
            RequestRef::Id(id) => {
                store.community_request(id.trim())?.ok_or_else(|| CommunityError::NoSuchRequest(id.trim().into()))?
            }
            RequestRef::Presentation { text, .. } => {
                // A presentation received before is that request (admitted once at most).
                let sha256 = sha256_hex(&stored_text(&Secured::parse(text)?));
                match store.community_requests(&c.id)?.into_iter().find(|r| r.sha256 == sha256) {
                    Some(r) => r,
                    None => self.wallet().community_receive(&c.id, text, extra_lists.clone()).await?,
                }
            }
        };
        check_pending(&r)?;
        let secured = Secured::parse(&r.body)?;
        let (challenge, report) = self.wallet().verify_request(&c, &secured, extra_lists).await?;
        let holder = report.holder.unwrap_or_default();
        if challenge != r.challenge || holder != r.holder {
            return Err(CommunityError::InvalidRequest("the stored request was changed".into()).into());
        }
        let members = store.community_members(&c.id)?;
        check_admit(&c, &members, &holder)?;
        invite_open(store.community_invites(&c.id)?.into_iter().find(|i| i.challenge == challenge), &challenge)?;

        let now = now_rfc3339();
        let vc = membership_credential(&actor, &holder, &c.id, &c.name, Role::Member, &now, None);
        let issued = self.issue(vc, format).await?;
        let member = MemberRecord {
            did: holder.clone(),
            role: "member".into(),
            state: ACTIVE.into(),
            since: now.clone(),
            updated_at: now,
            credential: Some(issued.held.id.clone()),
        };
        let recorded = store.change_community::<_, WalletError>(&c.id, |v| {
            let members = v.members()?;
            check_moderator(v.community(), &members, &actor)?;
            check_invite(v, &challenge)?;
            check_pending(&v.request(&r.id)?.ok_or_else(|| CommunityError::NoSuchRequest(r.id.clone()))?)?;
            check_admit(v.community(), &members, &holder)?;
            Ok((
                CommunityWrites {
                    members: vec![member.clone()],
                    spend_invite: Some((challenge.clone(), holder.clone())),
                    decide_request: Some((r.id.clone(), "admitted", None)),
                    decisions: vec![NewDecision {
                        actor: actor.clone(),
                        action: "admitted",
                        subject: Some(holder.clone()),
                        detail: json!({"request": r.id, "challenge": challenge, "role": "member"}),
                        credential: Some(issued.held.id.clone()),
                        revoked: Vec::new(),
                    }],
                    ..Default::default()
                },
                (),
            ))
        });
        if let Err(e) = recorded {
            self.undo_issue(&issued).await;
            return Err(e);
        }
        tracing::info!(community = %c.id, member = %holder, "member admitted");
        let request = store.community_request(&r.id)?.unwrap_or(r);
        Ok(Admitted { request, member, issued })
    }

    /// Member side: a VouchCredential by `voucher` (one of this wallet's identities) about
    /// `candidate`, for the community `community_id` named `name` (when not given: as this wallet
    /// knows it, from its desk or from the voucher's membership credential held here). `purpose` humanity vouches that the candidate is a real, unique person they know;
    /// moderator is a moderator's approval. Issued (so revocable) and stored in this wallet.
    #[allow(clippy::too_many_arguments)]
    pub async fn community_vouch(
        &mut self,
        voucher: &str,
        community_id: &str,
        name: Option<&str>,
        candidate: &str,
        purpose: VouchFor,
        note: Option<&str>,
        format: Format,
    ) -> Result<Issued, WalletError> {
        if community_id.trim().is_empty() {
            return Err(CommunityError::InvalidInput("give the community's id".into()).into());
        }
        let voucher = self.wallet().identity(voucher)?.did;
        let candidate = crate::did::parse(candidate)?.to_string();
        if voucher == candidate {
            return Err(CommunityError::SelfVouch(voucher).into());
        }
        let store = desk(self.wallet())?;
        let known = store.community(community_id.trim())?;
        if let Some(c) = &known {
            // This wallet runs the desk: refuse now what the desk would refuse later.
            standing(find_member(&store.community_members(&c.id)?, &voucher), purpose).map_err(|why| {
                CommunityError::NotCurrentMember { voucher: voucher.clone(), community: c.name.clone(), why }
            })?;
        }
        let name = match (name, &known) {
            (Some(n), _) => check_name(n)?,
            (None, Some(c)) => c.name.clone(),
            (None, None) => name_from_card(self.wallet(), community_id.trim(), &voucher)?
                .ok_or_else(|| CommunityError::NameNeeded(community_id.trim().into()))?,
        };
        let vc = vouch_credential(&voucher, &candidate, community_id.trim(), &name, purpose, note, &now_rfc3339());
        self.issue(vc, format).await
    }

    /// Issues `candidate` a HumanityCredential for the community, as `moderator` (default: this
    /// wallet's first active moderator), when at least `vouch_threshold` distinct current
    /// members vouched — counted again inside the transaction that logs `humanity_issued`.
    #[allow(clippy::too_many_arguments)]
    pub async fn community_humanity(
        &mut self,
        candidate: &str,
        id_or_name: &str,
        moderator: Option<&str>,
        note: Option<&str>,
        valid_until: Option<&str>,
        format: Format,
    ) -> Result<HumanityIssued, WalletError> {
        let candidate = crate::did::parse(candidate)?.to_string();
        let mut store = desk(self.wallet())?;
        let c = find_community(&store, id_or_name)?;
        let members = store.community_members(&c.id)?;
        let actor = desk_moderator(self.wallet(), &c, &members, moderator)?;
        let decide = |c: &CommunityRecord, members: &[MemberRecord], vouches: &[VouchRecord]| {
            if let Some(m) = find_member(members, &candidate).filter(|m| m.state == BANNED) {
                return Err(CommunityError::Banned {
                    did: candidate.clone(),
                    community: c.name.clone(),
                    at: m.updated_at.clone(),
                });
            }
            let t = tally(vouches, members, VouchFor::Humanity, c.vouch_threshold);
            if !t.is_enough() {
                return Err(CommunityError::NotEnoughVouches {
                    candidate: candidate.clone(),
                    needed: c.vouch_threshold,
                    have: t.counted.len(),
                    detail: t.summary(),
                });
            }
            Ok(t)
        };
        let vouches: Vec<VouchRecord> = store
            .community_vouches(&c.id)?
            .into_iter()
            .filter(|v| v.candidate == candidate && v.purpose == VouchFor::Humanity.as_str())
            .collect();
        // Each vouch is verified again: one revoked or expired since it was accepted does not count.
        let (vouches, dropped) = Box::pin(self.wallet().still_valid(vouches)).await?;
        let t = decide(&c, &members, &vouches).map_err(|e| match e {
            CommunityError::NotEnoughVouches { candidate, needed, have, detail } if !dropped.is_empty() => {
                CommunityError::NotEnoughVouches {
                    candidate,
                    needed,
                    have,
                    detail: format!("{detail}; {}", dropped.join("; ")),
                }
            }
            e => e,
        })?;
        let vc = vouched_humanity_credential(&actor, &candidate, &c, &t.counted, note, &now_rfc3339(), valid_until);
        let issued = self.issue(vc, format).await?;
        let recorded = store.change_community::<_, WalletError>(&c.id, |v| {
            let members = v.members()?;
            check_moderator(v.community(), &members, &actor)?;
            let now = decide(v.community(), &members, &v.vouches_for(&candidate, VouchFor::Humanity.as_str())?)?;
            // Every vouch written in the credential must still count.
            if t.counted.iter().any(|x| !now.counted.iter().any(|y| y.sha256 == x.sha256)) {
                return Err(CommunityError::NotEnoughVouches {
                    candidate: candidate.clone(),
                    needed: v.community().vouch_threshold,
                    have: now.counted.len(),
                    detail: format!("the vouches changed meanwhile; try again ({})", now.summary()),
                }
                .into());
            }
            let vouchers: Vec<&str> = t.counted.iter().map(|x| x.voucher.as_str()).collect();
            Ok((
                CommunityWrites {
                    decisions: vec![NewDecision {
                        actor: actor.clone(),
                        action: "humanity_issued",
                        subject: Some(candidate.clone()),
                        detail: json!({"vouchers": vouchers, "needed": v.community().vouch_threshold}),
                        credential: Some(issued.held.id.clone()),
                        revoked: Vec::new(),
                    }],
                    ..Default::default()
                },
                (),
            ))
        });
        if let Err(e) = recorded {
            self.undo_issue(&issued).await;
            return Err(e);
        }
        Ok(HumanityIssued { issued, vouches: t.counted })
    }

    /// Makes the active member `did` a moderator, as `moderator` (default: this wallet's first
    /// active moderator): `approvals` (texts of VouchCredentials with `vouchedFor: "moderator"`,
    /// accepted like vouches; ones stored before count too) must come from at least
    /// `moderator_threshold` distinct current moderators. Issues a membership credential with
    /// role moderator, logs `moderator_added`, then revokes the member's old credential.
    pub async fn community_add_moderator(
        &mut self,
        did: &str,
        id_or_name: &str,
        approvals: &[String],
        moderator: Option<&str>,
        format: Format,
        extra_lists: Vec<Value>,
    ) -> Result<Promoted, WalletError> {
        let did = crate::did::parse(did)?.to_string();
        let mut store = desk(self.wallet())?;
        let c = find_community(&store, id_or_name)?;
        let members = store.community_members(&c.id)?;
        let actor = desk_moderator(self.wallet(), &c, &members, moderator)?;
        check_promote(&c, &members, &did)?;
        let checked = self.wallet().read_vouches(&c, approvals, Some(VouchFor::Moderator), extra_lists).await?;
        if let Some(other) = checked.iter().find(|v| v.record.candidate != did) {
            return Err(CommunityError::InvalidRequest(format!(
                "an approval is for {}, not {did}",
                other.record.candidate
            ))
            .into());
        }
        store_vouches(&mut store, &c, checked, true)?;
        let decide = |c: &CommunityRecord, members: &[MemberRecord], approvals: &[VouchRecord]| {
            let old = check_promote(c, members, &did)?;
            let t = tally(approvals, members, VouchFor::Moderator, c.moderator_threshold);
            if !t.is_enough() {
                return Err(CommunityError::NotEnoughApprovals {
                    candidate: did.clone(),
                    needed: c.moderator_threshold,
                    have: t.counted.len(),
                    detail: t.summary(),
                });
            }
            Ok((old, t))
        };
        let stored: Vec<VouchRecord> = store
            .community_vouches(&c.id)?
            .into_iter()
            .filter(|v| v.candidate == did && v.purpose == VouchFor::Moderator.as_str())
            .collect();
        let members = store.community_members(&c.id)?;
        decide(&c, &members, &stored)?;
        let now = now_rfc3339();
        let vc = membership_credential(&actor, &did, &c.id, &c.name, Role::Moderator, &now, None);
        let issued = self.issue(vc, format).await?;
        let recorded = store.change_community::<_, WalletError>(&c.id, |v| {
            let members = v.members()?;
            check_moderator(v.community(), &members, &actor)?;
            let (old, t) = decide(v.community(), &members, &v.vouches_for(&did, VouchFor::Moderator.as_str())?)?;
            let member = MemberRecord {
                role: MODERATOR.into(),
                updated_at: now.clone(),
                credential: Some(issued.held.id.clone()),
                ..old.clone()
            };
            let approvers: Vec<&str> = t.counted.iter().map(|x| x.voucher.as_str()).collect();
            Ok((
                CommunityWrites {
                    members: vec![member.clone()],
                    decisions: vec![NewDecision {
                        actor: actor.clone(),
                        action: "moderator_added",
                        subject: Some(did.clone()),
                        detail: json!({"approvals": approvers, "needed": v.community().moderator_threshold}),
                        credential: Some(issued.held.id.clone()),
                        revoked: old.credential.iter().cloned().collect(),
                    }],
                    ..Default::default()
                },
                (member, old, t.counted),
            ))
        });
        let (member, old, counted) = match recorded {
            Ok(x) => x,
            Err(e) => {
                self.undo_issue(&issued).await;
                return Err(e);
            }
        };
        let revocations = match &old.credential {
            Some(id) => self.revoke_all(std::slice::from_ref(id), "became a moderator").await.map_err(|e| {
                tracing::warn!("the old membership credential {id} was not revoked: {e}");
                e
            })?,
            None => Revocations::default(),
        };
        Ok(Promoted { member, issued, approvals: counted, revocations })
    }

    /// `member` leaves the community: their membership credentials are revoked and the state
    /// becomes `left` (logged as `left`, with the member as actor). The last active moderator
    /// cannot leave.
    pub async fn community_leave(&mut self, id_or_name: &str, member: &str) -> Result<Departed, WalletError> {
        let did = crate::did::parse(member)?.to_string();
        let mut store = desk(self.wallet())?;
        let c = find_community(&store, id_or_name)?;
        check_leave(&c, &store.community_members(&c.id)?, &did)?;
        let ids = issued_to(self.wallet(), &store.community_decisions(&c.id)?, &did, MEMBERSHIP_ACTIONS)?;
        let revocations = self.revoke_all(&ids, &format!("left {}", c.name)).await?;
        let member = store.change_community::<_, WalletError>(&c.id, |v| {
            let m = check_leave(v.community(), &v.members()?, &did)?;
            let m = MemberRecord { state: LEFT.into(), updated_at: now_rfc3339(), credential: None, ..m };
            Ok((
                CommunityWrites {
                    members: vec![m.clone()],
                    decisions: vec![NewDecision {
                        actor: did.clone(),
                        action: "left",
                        subject: Some(did.clone()),
                        detail: json!({}),
                        credential: None,
                        revoked: ids.clone(),
                    }],
                    ..Default::default()
                },
                m,
            ))
        })?;
        Ok(Departed { member, revocations })
    }

    /// Bans `did` from the community, as `moderator` (default: this wallet's first active
    /// moderator), for `reason`: revokes every membership and HumanityCredential the community
    /// issued them, and sets their state to `banned` (also for someone who was never a member,
    /// so that their requests and vouches are refused). Logged as `banned`.
    pub async fn community_ban(
        &mut self,
        did: &str,
        id_or_name: &str,
        moderator: Option<&str>,
        reason: &str,
    ) -> Result<Departed, WalletError> {
        let did = crate::did::parse(did)?.to_string();
        let reason = check_reason(reason)?;
        let mut store = desk(self.wallet())?;
        let c = find_community(&store, id_or_name)?;
        let members = store.community_members(&c.id)?;
        let actor = desk_moderator(self.wallet(), &c, &members, moderator)?;
        check_ban(&c, &members, &actor, &did)?;
        let mut actions = MEMBERSHIP_ACTIONS.to_vec();
        actions.push("humanity_issued");
        let ids = issued_to(self.wallet(), &store.community_decisions(&c.id)?, &did, &actions)?;
        let revocations = self.revoke_all(&ids, &format!("banned from {}: {reason}", c.name)).await?;
        let member = store.change_community::<_, WalletError>(&c.id, |v| {
            let now = now_rfc3339();
            let m = match check_ban(v.community(), &v.members()?, &actor, &did)? {
                Some(m) => MemberRecord { state: BANNED.into(), updated_at: now, credential: None, ..m },
                None => MemberRecord {
                    did: did.clone(),
                    role: "member".into(),
                    state: BANNED.into(),
                    since: now.clone(),
                    updated_at: now,
                    credential: None,
                },
            };
            Ok((
                CommunityWrites {
                    members: vec![m.clone()],
                    decisions: vec![NewDecision {
                        actor: actor.clone(),
                        action: "banned",
                        subject: Some(did.clone()),
                        detail: json!({"reason": reason}),
                        credential: None,
                        revoked: ids.clone(),
                    }],
                    ..Default::default()
                },
                m,
            ))
        })?;
        Ok(Departed { member, revocations })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::schema;
    use crate::{DidMethod, KeyringMode, RecoveryPhrase};
    use zeroize::Zeroizing;

    const DI: Format = Format::DataIntegrity(crate::credential::Suite::EddsaRdfc2022);

    fn member(did: &str, role: &str, state: &str) -> MemberRecord {
        MemberRecord {
            did: did.into(),
            role: role.into(),
            state: state.into(),
            since: "2025-01-01T00:00:00Z".into(),
            updated_at: "2025-02-01T00:00:00Z".into(),
            credential: None,
        }
    }

    fn vouch(voucher: &str, candidate: &str, purpose: VouchFor) -> VouchRecord {
        VouchRecord {
            voucher: voucher.into(),
            candidate: candidate.into(),
            purpose: purpose.as_str().into(),
            sha256: sha256_hex(voucher),
            credential_id: None,
            added_at: "2025-03-01T00:00:00Z".into(),
            body: String::new(),
        }
    }

    fn club(k: u32) -> CommunityRecord {
        CommunityRecord {
            id: "urn:uuid:0f6e1a52-7b0c-4a55-9d0e-3c1f2b8a9e10".into(),
            name: "Photo club".into(),
            created_by: "did:key:mod".into(),
            created_at: "2025-01-01T00:00:00Z".into(),
            vouch_threshold: k,
            moderator_threshold: k,
        }
    }

    #[test]
    fn only_distinct_current_members_count() {
        let members = [
            member("did:key:a", "member", "active"),
            member("did:key:b", "moderator", "active"),
            member("did:key:c", "member", "left"),
            member("did:key:e", "member", "banned"),
        ];
        let d = "did:key:d";
        let h = VouchFor::Humanity;
        let vouches = [
            vouch("did:key:a", d, h),
            vouch("did:key:a", d, h), // the same voucher twice counts once
            vouch("did:key:c", d, h),
            vouch("did:key:e", d, h),
            vouch("did:key:x", d, h),
            vouch(d, d, h),
            vouch("did:key:b", d, VouchFor::Moderator), // another purpose
        ];
        let t = tally(&vouches, &members, h, 2);
        assert_eq!(t.counted.iter().map(|v| v.voucher.as_str()).collect::<Vec<_>>(), ["did:key:a"]);
        assert!(!t.is_enough());
        let why: Vec<(&str, &str)> = t.excluded.iter().map(|(d, w)| (d.as_str(), w.as_str())).collect();
        assert_eq!(
            why,
            [
                ("did:key:c", "they left the community on 2025-02-01T00:00:00Z"),
                ("did:key:e", "they were banned on 2025-02-01T00:00:00Z"),
                ("did:key:x", "they are not a member"),
                (d, "vouched for themselves"),
            ]
        );
        assert!(t.summary().starts_with("counted: did:key:a; not counted: did:key:c (they left"), "{}", t.summary());
        // A moderator's vouch for humanity counts like a member's; then two is enough.
        let mut more = vouches.to_vec();
        more.push(vouch("did:key:b", d, h));
        let t = tally(&more, &members, h, 2);
        assert!(t.is_enough() && t.counted.len() == 2);
        assert!(!tally(&more, &members, h, 3).is_enough());
        // Approvals count only from active moderators.
        let approvals = [vouch("did:key:a", d, VouchFor::Moderator), vouch("did:key:b", d, VouchFor::Moderator)];
        let t = tally(&approvals, &members, VouchFor::Moderator, 1);
        assert_eq!(t.counted.len(), 1);
        assert_eq!(t.excluded, vec![("did:key:a".to_string(), "they are not a moderator".to_string())]);
        assert_eq!(tally(&[], &members, h, 1).summary(), "none received yet");
    }

    #[test]
    fn state_transitions() {
        let c = club(1);
        let members = vec![
            member("did:key:mod", "moderator", "active"),
            member("did:key:a", "member", "active"),
            member("did:key:gone", "member", "left"),
            member("did:key:bad", "member", "banned"),
        ];
        // Admit: new people and those who left; not members, not the banned.
        check_admit(&c, &members, "did:key:new").unwrap();
        check_admit(&c, &members, "did:key:gone").unwrap();
        assert!(matches!(check_admit(&c, &members, "did:key:a"), Err(CommunityError::AlreadyMember { .. })));
        assert!(matches!(check_admit(&c, &members, "did:key:bad"), Err(CommunityError::Banned { .. })));
        // Leave: active members; never the last moderator.
        assert_eq!(check_leave(&c, &members, "did:key:a").unwrap().did, "did:key:a");
        assert!(matches!(check_leave(&c, &members, "did:key:gone"), Err(CommunityError::NotMember { .. })));
        assert!(matches!(check_leave(&c, &members, "did:key:mod"), Err(CommunityError::LastModerator { .. })));
        let mut two_mods = members.clone();
        two_mods[1].role = "moderator".into();
        check_leave(&c, &two_mods, "did:key:mod").unwrap();
        // Ban: by an active moderator, not oneself, not twice; strangers may be banned.
        assert!(check_ban(&c, &members, "did:key:mod", "did:key:a").unwrap().is_some());
        assert!(check_ban(&c, &members, "did:key:mod", "did:key:stranger").unwrap().is_none());
        assert!(matches!(check_ban(&c, &members, "did:key:mod", "did:key:bad"), Err(CommunityError::Banned { .. })));
        assert!(matches!(check_ban(&c, &members, "did:key:mod", "did:key:mod"), Err(CommunityError::SelfBan(_))));
        assert!(matches!(
            check_ban(&c, &members, "did:key:a", "did:key:mod"),
            Err(CommunityError::NotModerator { .. })
        ));
        // Promote: active members only, once.
        check_promote(&c, &members, "did:key:a").unwrap();
        assert!(matches!(check_promote(&c, &members, "did:key:mod"), Err(CommunityError::AlreadyModerator(_))));
        assert!(matches!(check_promote(&c, &members, "did:key:gone"), Err(CommunityError::NotMember { .. })));
        assert!(matches!(check_promote(&c, &members, "did:key:bad"), Err(CommunityError::NotMember { .. })));
        // Names and thresholds.
        assert_eq!(check_name("  Photo club ").unwrap(), "Photo club");
        for bad in ["", "   ", "a\nb", &"x".repeat(201)] {
            assert!(check_name(bad).is_err(), "{bad:?}");
        }
        assert!(check_threshold("k", 0).is_err() && check_threshold("k", 101).is_err());
        assert_eq!(check_threshold("k", 2).unwrap(), 2);
    }

    #[test]
    fn the_credential_shapes_match_their_schemas() {
        let c = club(2);
        let a = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
        let d = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
        for purpose in [VouchFor::Humanity, VouchFor::Moderator] {
            for note in [None, Some("we sing in the same choir")] {
                let mut v = vouch_credential(a, d, &c.id, &c.name, purpose, note, "2025-03-01T00:00:00Z");
                v["credentialSchema"] = schema::credential_schema(schema::Kind::Vouch);
                assert_eq!(schema::validate(&v).unwrap(), ["urn:hallmark:schema:vouch:v1"]);
                assert_eq!(v["credentialSubject"]["vouchedFor"], purpose.as_str());
            }
        }
        let mut vouches = vec![vouch(a, d, VouchFor::Humanity)];
        vouches[0].credential_id = Some("urn:uuid:5f0c".into());
        vouches.push(vouch("did:key:z6MkpTHR8VNsBxYAAWHut2Geadd9jSwuBV8xRoAnwWsdvktH", d, VouchFor::Humanity));
        let mut h = vouched_humanity_credential(a, d, &c, &vouches, None, "2025-03-01T00:00:00Z", None);
        h["credentialSchema"] = schema::credential_schema(schema::Kind::Humanity);
        assert_eq!(schema::validate(&h).unwrap(), ["urn:hallmark:schema:humanity:v1"]);
        let e = &h["evidence"][0];
        assert_eq!((e["method"].as_str(), e["checkedBy"].as_str()), (Some("vouching"), Some(a)));
        assert_eq!(e["vouches"][0], json!({"voucher": a, "sha256": vouches[0].sha256, "id": "urn:uuid:5f0c"}));
        assert_eq!(e["community"]["id"], c.id.as_str());
        // A vouch reference must carry a real digest and a DID.
        let mut bad = h.clone();
        bad["evidence"][0]["vouches"][1]["sha256"] = json!("abc");
        assert!(schema::validate(&bad).is_err());
        let mut bad = h.clone();
        bad["evidence"][0]["vouches"][1]["voucher"] = json!("Alice");
        assert!(schema::validate(&bad).is_err());
    }

    fn wallet(dir: &std::path::Path) -> UnlockedWallet {
        let phrase = RecoveryPhrase::generate().unwrap();
        Wallet::create(dir, &phrase, "passphrase-1", KeyringMode::None).unwrap();
        Wallet::open(dir, KeyringMode::None).unwrap().unlock(|| Ok(Zeroizing::new("passphrase-1".into()))).unwrap()
    }

    fn w_new(w: &mut UnlockedWallet) -> String {
        w.new_identity(DidMethod::Key, None, None).unwrap().did
    }

    fn code(e: WalletError) -> &'static str {
        e.code()
    }

    /// A vouch its voucher revoked after the desk accepted it no longer counts when the
    /// humanity credential is decided, and the refusal says why.
    #[tokio::test]
    async fn a_withdrawn_vouch_no_longer_counts() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = wallet(dir.path());
        let m = w_new(&mut w);
        let [a, d] = [w_new(&mut w), w_new(&mut w)];
        let cid = w.community_create("Choir", &m, 1, 1, DI).await.unwrap().community.id;
        let inv = w.wallet().community_invite(&cid, None).unwrap();
        let vp = w.community_request(&a, &cid, &inv.challenge, &[], DI).await.unwrap();
        let text = vp.to_text();
        let req = RequestRef::Presentation { community: &cid, text: &text };
        w.community_admit(req, None, Role::Member, DI, vec![]).await.unwrap();
        let va = w.community_vouch(&a, &cid, None, &d, VouchFor::Humanity, None, DI).await.unwrap();
        w.wallet().community_add_vouches(&cid, &[va.secured.to_text()], vec![]).await.unwrap();
        w.revoke(&va.held.id, Some("changed my mind")).await.unwrap();
        let before = w.wallet().credentials().unwrap().len();
        let e = w.community_humanity(&d, &cid, None, None, None, DI).await.unwrap_err();
        let msg = e.to_string();
        assert_eq!(code(e), "not_enough_vouches");
        assert!(msg.contains(&format!("the vouch from {a} no longer counts: revoked by its issuer")), "{msg}");
        assert_eq!(w.wallet().credentials().unwrap().len(), before, "nothing was issued");
    }

    /// The whole desk in one wallet (each person one identity), in process: requests, replays,
    /// vouches counted at decision time, moderators k of n, leave and ban with revocation.
    /// Debug builds give this long test's future a stack frame near 1 MiB (more than a test
    /// thread's 2 MiB leaves once ssi's JSON-LD expansion runs under it): run it on a thread
    /// with room. Release builds do not need this.
    fn on_big_stack<F: std::future::Future<Output = ()>>(test: impl FnOnce() -> F + Send + 'static) {
        let thread = std::thread::Builder::new().stack_size(16 << 20).spawn(move || {
            tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap().block_on(test())
        });
        if let Err(panic) = thread.unwrap().join() {
            std::panic::resume_unwind(panic);
        }
    }

    #[test]
    fn a_community_from_creation_to_ban() {
        on_big_stack(a_community_from_creation_to_ban_body);
    }

    async fn a_community_from_creation_to_ban_body() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = wallet(dir.path());
        let m = w_new(&mut w);
        let [a, b, c, d] = [w_new(&mut w), w_new(&mut w), w_new(&mut w), w_new(&mut w)];
        let made = w.community_create(" Photo club ", &m, 2, 1, DI).await.unwrap();
        let cid = made.community.id.clone();
        assert!(cid.starts_with("urn:uuid:") && made.community.name == "Photo club");
        assert_eq!(made.issued.secured.document().unwrap()["credentialSubject"]["role"], "moderator");

        // Requests: admitted once; replays and wrong domains refused.
        for who in [&a, &b, &c] {
            let inv = w.wallet().community_invite(&cid, None).unwrap();
            assert_eq!(inv.domain, cid);
            let vp = w.community_request(who, &cid, &inv.challenge, &[], DI).await.unwrap();
            let text = vp.to_text();
            let got = w
                .community_admit(
                    RequestRef::Presentation { community: &cid, text: &text },
                    None,
                    Role::Member,
                    DI,
                    vec![],
                )
                .await
                .unwrap();
            assert_eq!((got.member.did.as_str(), got.request.state.as_str()), (who.as_str(), "admitted"));
            // The same presentation again: the challenge is spent.
            let again = w.wallet().community_receive(&cid, &text, vec![]).await.unwrap_err();
            assert_eq!(code(again), "challenge_used");
            let again = w.community_admit(RequestRef::Id(&got.request.id), None, Role::Member, DI, vec![]).await;
            assert_eq!(code(again.unwrap_err()), "request_decided");
        }
        let inv = w.wallet().community_invite("Photo club", None).unwrap();
        let elsewhere = w.community_request(&d, "urn:uuid:other", &inv.challenge, &[], DI).await.unwrap();
        let e = w.wallet().community_receive(&cid, &elsewhere.to_text(), vec![]).await.unwrap_err();
        assert_eq!(code(e), "wrong_domain");
        let unknown = w.community_request(&d, &cid, "made-up", &[], DI).await.unwrap();
        assert_eq!(
            code(w.wallet().community_receive(&cid, &unknown.to_text(), vec![]).await.unwrap_err()),
            "unknown_challenge"
        );
        let e = w.community_admit(RequestRef::Id("r-nope"), None, Role::Moderator, DI, vec![]).await.unwrap_err();
        assert_eq!(code(e), "moderator_needs_approvals");
        // A rejected request spends its challenge.
        let vp = w.community_request(&d, &cid, &inv.challenge, &[], Format::Jwt).await.unwrap();
        let r = w.wallet().community_receive(&cid, &vp.to_text(), vec![]).await.unwrap();
        assert_eq!(r.format, "jwt");
        w.wallet().community_reject(&r.id, "not yet", None).unwrap();
        let again = w.community_request(&d, &cid, &inv.challenge, &[], DI).await.unwrap();
        assert_eq!(
            code(w.wallet().community_receive(&cid, &again.to_text(), vec![]).await.unwrap_err()),
            "challenge_used"
        );

        // Vouches for D.
        let va = w.community_vouch(&a, &cid, None, &d, VouchFor::Humanity, Some("choir"), DI).await.unwrap();
        let vc = w.community_vouch(&c, &cid, None, &d, VouchFor::Humanity, None, Format::Jwt).await.unwrap();
        let added = w
            .wallet()
            .community_add_vouches(&cid, &[va.secured.to_text(), vc.secured.to_text()], vec![])
            .await
            .unwrap();
        assert_eq!(added.len(), 2);
        let dup = w.wallet().community_add_vouches(&cid, &[va.secured.to_text()], vec![]).await.unwrap_err();
        assert_eq!(code(dup), "duplicate_vouch");
        // D vouching for themselves is refused before anything is signed.
        assert_eq!(
            code(w.community_vouch(&d, &cid, Some("Photo club"), &d, VouchFor::Humanity, None, DI).await.unwrap_err()),
            "self_vouch"
        );
        // A non-member's vouch (signed in a wallet that does not run the desk) is refused.
        let other_dir = tempfile::tempdir().unwrap();
        let mut ow = wallet(other_dir.path());
        let stranger = w_new(&mut ow);
        let sv =
            ow.community_vouch(&stranger, &cid, Some("Photo club"), &d, VouchFor::Humanity, None, DI).await.unwrap();
        let list = ow
            .wallet()
            .status_list_credential(
                sv.secured.document().unwrap()["credentialStatus"]["statusListCredential"].as_str().unwrap(),
            )
            .unwrap();
        let e = w.wallet().community_add_vouches(&cid, &[sv.secured.to_text()], vec![list.clone()]).await.unwrap_err();
        assert_eq!(code(e), "not_current_member");
        // Without the voucher's status list the vouch cannot be checked at all.
        let e = w.wallet().community_add_vouches(&cid, &[sv.secured.to_text()], vec![]).await.unwrap_err();
        assert_eq!(code(e), "invalid_vouch");

        // Two vouches: enough. C bans → one left: not enough, and nothing is issued.
        let before = w.wallet().credentials().unwrap().len();
        let banned = w.community_ban(&c, &cid, None, "spam").await.unwrap();
        assert_eq!(banned.member.state, "banned");
        assert_eq!(banned.revocations.revoked.len(), 1);
        assert_eq!(banned.revocations.status_lists[0].issuer, m);
        let e = w.community_humanity(&d, &cid, None, None, None, DI).await.unwrap_err();
        let msg = e.to_string();
        assert_eq!(code(e), "not_enough_vouches");
        assert!(msg.contains("needs 2 vouches from current members, has 1"), "{msg}");
        assert!(msg.contains(&format!("{c} (they were banned")), "{msg}");
        assert_eq!(w.wallet().credentials().unwrap().len(), before, "nothing was issued");
        // A vouch from the banned member is refused.
        let vc2 = w.community_vouch(&c, &cid, Some("Photo club"), &b, VouchFor::Humanity, None, DI).await;
        assert_eq!(code(vc2.unwrap_err()), "not_current_member");
        let vb = w.community_vouch(&b, &cid, None, &d, VouchFor::Humanity, None, DI).await.unwrap();
        w.wallet().community_add_vouches(&cid, &[vb.secured.to_text()], vec![]).await.unwrap();
        let h = w.community_humanity(&d, &cid, None, None, None, DI).await.unwrap();
        assert!(h.issued.held.valid, "{}", h.issued.held.checks);
        let vouchers: Vec<&str> = h.vouches.iter().map(|v| v.voucher.as_str()).collect();
        assert_eq!(vouchers, [a.as_str(), b.as_str()]);
        let ev = &h.issued.secured.document().unwrap()["evidence"];
        let ev = if ev.is_array() { &ev[0] } else { ev };
        assert_eq!(ev["vouches"][0]["sha256"], sha256_hex(va.secured.to_text().trim()));

        // Moderators, 1 of 1: M approves A.
        let e = w.community_add_moderator(&a, &cid, &[], None, DI, vec![]).await.unwrap_err();
        assert_eq!(code(e), "not_enough_approvals");
        let bad = w.community_vouch(&b, &cid, None, &a, VouchFor::Moderator, None, DI).await;
        assert_eq!(code(bad.unwrap_err()), "not_current_member", "a member cannot approve");
        let ap = w.community_vouch(&m, &cid, None, &a, VouchFor::Moderator, None, DI).await.unwrap();
        let p = w.community_add_moderator(&a, &cid, &[ap.secured.to_text()], Some(&m), DI, vec![]).await.unwrap();
        assert_eq!(p.member.role, "moderator");
        assert_eq!(p.revocations.revoked.len(), 1, "the old member credential");
        let e = w.community_add_moderator(&a, &cid, &[ap.secured.to_text()], Some(&m), DI, vec![]).await;
        assert_eq!(code(e.unwrap_err()), "already_moderator");

        // Leave; the last moderator cannot leave.
        let left = w.community_leave(&cid, &b).await.unwrap();
        assert_eq!((left.member.state.as_str(), left.revocations.revoked.len()), ("left", 1));
        w.community_leave(&cid, &m).await.unwrap();
        assert_eq!(code(w.community_leave(&cid, &a).await.unwrap_err()), "last_moderator");
        // D banned: their HumanityCredential is revoked.
        let gone = w.community_ban(&d, &cid, Some(&a), "fake").await.unwrap();
        assert_eq!(gone.revocations.revoked[0].credential, h.issued.held.id);

        // The log, in order; every credential named is really issued here.
        let details = w.wallet().community_details(&cid).unwrap();
        let actions: Vec<&str> = details.decisions.iter().map(|d| d.action.as_str()).collect();
        assert_eq!(
            actions,
            [
                "created",
                "invited",
                "admitted",
                "invited",
                "admitted",
                "invited",
                "admitted",
                "invited",
                "rejected",
                "vouch_received",
                "vouch_received",
                "banned",
                "vouch_received",
                "humanity_issued",
                "vouch_received",
                "moderator_added",
                "left",
                "left",
                "banned"
            ]
        );
        for d in &details.decisions {
            if let Some(id) = &d.credential {
                w.wallet().issued_record(id).unwrap();
            }
        }
        assert_eq!(details.moderators, std::slice::from_ref(&a));
        assert!(details.vouches.iter().any(|v| v.vouch.voucher == c && !v.counts));
        // Moderators are trusted issuers when this wallet verifies.
        let opts = w.wallet().verify_options(vec![]).unwrap();
        assert!(opts.trusted.iter().any(|(did, why)| *did == a && why == "moderator of Photo club"));
    }
}
