//! The Community screen's commands: a moderator's desk (create a community, invitations, join
//! requests to admit or reject, vouches and the humanity tally, moderators approved k of n, bans)
//! and a member's side (a join request from an invitation, vouching, leaving). All the rules are
//! in `hallmark_core::community`; these commands parse, call core on a blocking thread and return
//! public data only: communities, members, requests, vouches and credentials are not secrets; the
//! keys that sign them never leave core.
//!
//! Errors keep core's stable codes; for the community codes whose core message names command-line
//! options, the message is said again in the app's words ([`plain`]).
//!
//! Receiving a join request or vouches verifies them (a did:web document or a status list may be
//! fetched, with a time limit), so those run on their own handle of the wallet's data folder and do
//! not hold the session lock; everything that signs runs on the unlocked wallet under the lock.

use std::path::PathBuf;

use hallmark_core::community::{
    tally, CommunityDetails, CommunityError, CommunitySummary, RequestRef, Revocations, VouchFor,
};
use hallmark_core::credential::{Format, Role, Secured, Suite};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::qr::{self, QrMatrix};
use hallmark_core::session::Session;
use hallmark_core::store::{CommunityRecord, DecisionRecord, MemberRecord, RequestRecord, VouchRecord};
use hallmark_core::wallet::Issued;
use hallmark_core::{UnlockedWallet, Wallet, WalletError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;

use crate::commands::AppState;
use crate::error::AppError;

/// Every credential of a community is signed as Data Integrity (eddsa-rdfc-2022): the format
/// every verifier Hallmark knows reads.
const FORMAT: Format = Format::DataIntegrity(Suite::EddsaRdfc2022);

// ---------------------------------------------------------------------------------------------
// What the screen receives

/// The Community screen's list: the communities run from this wallet, and the ones this wallet's
/// identities belong to elsewhere (from the membership credentials it holds).
#[derive(Debug, Serialize)]
pub struct CommunitiesOut {
    /// Communities run from this wallet, oldest first, with their counts.
    pub runs: Vec<CommunitySummary>,
    /// Memberships of communities run elsewhere.
    pub member_of: Vec<MembershipCard>,
}

/// A membership credential held in this wallet about one of its identities, for a community
/// that is not run from this wallet.
#[derive(Debug, Serialize)]
pub struct MembershipCard {
    /// The community's id (`memberOf.id`).
    pub community_id: String,
    /// Its name (`memberOf.name`).
    pub community_name: String,
    /// `member` or `moderator`.
    pub role: String,
    /// The identity of this wallet that is the member.
    pub member: String,
    /// Who issued the card (a moderator of the community).
    pub issuer: String,
    /// The credential's local id.
    pub credential_id: String,
    /// Whether it passed every check the last time it was checked.
    pub valid: bool,
}

/// Who counts towards a threshold, and who does not (and why).
#[derive(Debug, Clone, Serialize)]
pub struct TallyOut {
    /// How many are needed.
    pub needed: u32,
    /// The DIDs of those who count now.
    pub counted: Vec<String>,
    /// Those who do not count: `{did, why}`.
    pub not_counted: Vec<NotCounted>,
    /// Whether enough count.
    pub enough: bool,
}

/// A vouch or approval that does not count.
#[derive(Debug, Clone, Serialize)]
pub struct NotCounted {
    /// The voucher.
    pub did: String,
    /// Why it does not count, e.g. "they were banned on …".
    pub why: String,
}

/// A credential the community revoked.
#[derive(Debug, Clone, Serialize)]
pub struct RevokedOut {
    /// Its local id.
    pub credential: String,
    /// When it was revoked (none if the revocation did not happen).
    pub revoked_at: Option<String>,
}

/// A member (or banned person) as the page shows them.
#[derive(Debug, Serialize)]
pub struct MemberOut {
    /// The stored record: did, role, state, since, updated_at, credential.
    #[serde(flatten)]
    pub member: MemberRecord,
    /// The credentials the community revoked for them (when they left, were banned or promoted).
    pub revoked: Vec<RevokedOut>,
    /// For an active member who is not a moderator: the moderator approvals so far.
    pub approvals: Option<TallyOut>,
}

/// A person vouched for, with the humanity tally.
#[derive(Debug, Serialize)]
pub struct CandidateOut {
    /// The person vouched for.
    pub did: String,
    /// The vouches from current members.
    pub tally: TallyOut,
    /// The local id of the HumanityCredential the community issued them, if one is not revoked.
    pub humanity_credential: Option<String>,
}

/// One community, for its page.
#[derive(Debug, Serialize)]
pub struct CommunityPage {
    /// The community.
    pub community: CommunityRecord,
    /// Every member, in any state, oldest first.
    pub members: Vec<MemberOut>,
    /// Join requests waiting for a decision.
    pub pending_requests: Vec<RequestRecord>,
    /// How many invitations were given out and not used yet.
    pub open_invites: usize,
    /// Everyone vouched for, with the tally.
    pub candidates: Vec<CandidateOut>,
    /// This wallet's identities that are active moderators (they can act for the community).
    pub my_moderators: Vec<String>,
    /// This wallet's identities that are active members (any role).
    pub my_members: Vec<String>,
    /// What was decided, newest first.
    pub history: Vec<DecisionRecord>,
}

/// An invitation, as text to hand over (the same JSON as `hallmark --json community invite`)
/// and as a QR code.
#[derive(Debug, Serialize)]
pub struct InviteOut {
    /// The community's name.
    pub name: String,
    /// The invitation as compact JSON: `{community, name, challenge, domain}`.
    pub text: String,
    /// Its QR code, when it fits in one.
    pub qr: Option<QrMatrix>,
}

/// A signed document to hand to someone (a join request, a vouch, a credential), with its QR code
/// when it fits in one.
#[derive(Debug, Serialize)]
pub struct HandOver {
    /// The document as text (indented JSON), to copy or save.
    pub text: String,
    /// The QR code of its compact form, when it fits.
    pub qr: Option<QrMatrix>,
    /// How many bytes the QR code would have to hold.
    pub qr_bytes: usize,
    /// The local id of the credential, when it is one this wallet issued.
    pub credential_id: Option<String>,
    /// For a vouch or approval made for a community run from this wallet: whether it was also
    /// added to the community at once.
    pub added_here: bool,
}

/// A member admitted: their record and the membership credential to hand to them.
#[derive(Debug, Serialize)]
pub struct AdmittedOut {
    /// The new member.
    pub member: MemberRecord,
    /// Their membership credential.
    pub credential: HandOver,
}

/// A member who left, was banned or became a moderator: their record and what was revoked.
#[derive(Debug, Serialize)]
pub struct ChangedOut {
    /// The member's record after the change.
    pub member: MemberRecord,
    /// The local ids of the revoked credentials.
    pub revoked: Vec<String>,
    /// The status lists that changed: publish them again so that verifiers see the revocation.
    pub status_lists: Vec<String>,
    /// For a new moderator: their new membership credential.
    pub credential: Option<HandOver>,
}

/// The "Create a community" form.
#[derive(Debug, Deserialize)]
pub struct CreateRequest {
    /// The community's name.
    pub name: String,
    /// The identity that moderates it (one of this wallet's Ed25519 identities).
    pub creator: String,
    /// How many current members must vouch before a HumanityCredential is issued.
    pub vouches: u32,
    /// How many current moderators must approve a new moderator.
    pub moderator_approvals: u32,
}

// ---------------------------------------------------------------------------------------------
// Errors in the app's words

/// A full sentence: first letter in upper case, a full stop at the end.
fn sentence(text: &str) -> String {
    let mut out = crate::error::sentence(text.trim());
    if !out.is_empty() && !out.ends_with('.') {
        out.push('.');
    }
    out
}

/// The error for the screen: core's code, and for the community errors whose core message speaks
/// of command-line options, the same thing in the app's words.
pub fn plain(e: WalletError) -> AppError {
    use CommunityError as C;
    let code = e.code().to_owned();
    let message = match &e {
        WalletError::Community(c) => match c {
            C::NoSuchCommunity(_) => {
                "This community is not in this wallet. Choose it again from the list of communities.".to_owned()
            }
            C::AmbiguousName(name) => {
                format!("Several communities are named “{name}”. Choose the community from the list instead.")
            }
            C::NotModerator { did, community } => format!(
                "{did} is not a moderator of {community}, so it cannot do this. Under “Acting as”, choose one of your identities that moderates it."
            ),
            C::NoDeskModerator(name) => {
                format!("None of your identities is a moderator of {name}, so only its moderators can do this.")
            }
            C::NoSuchRequest(_) => {
                "This join request is no longer here. Open the community again to see the requests waiting.".to_owned()
            }
            C::InvalidRequest(why) => format!("This is not a valid join request: {}", sentence(why)),
            C::WrongDomain { .. } => "This join request was made for another community. Ask the person to make a new request from an invitation of this community.".to_owned(),
            C::NoChallenge => "This join request does not answer an invitation, so it could be a copy of an old one. Make the person an invitation and ask them to make a new request from it.".to_owned(),
            C::UnknownChallenge(_) => "This join request answers an invitation that this community did not give out. Make the person a new invitation.".to_owned(),
            C::ChallengeUsed { at, .. } => format!(
                "The invitation of this join request was already used on {at}, so this request is a copy and was refused. Make the person a new invitation."
            ),
            C::AlreadyReceived(_) => {
                "You already received this join request: it is in the list of requests waiting.".to_owned()
            }
            C::InvalidVouch { reason, .. } => format!("This vouch cannot be accepted: {}", sentence(reason)),
            C::SelfVouch(_) => "Nobody can vouch for themselves: a vouch must come from another member.".to_owned(),
            C::DuplicateVouch { .. } => {
                "This member has already vouched for this person. Each member vouches once per person.".to_owned()
            }
            C::NotEnoughVouches { needed, have, .. } => format!(
                "{have} of {needed} vouches from current members so far, so nothing was issued. More members must vouch first."
            ),
            C::NotEnoughApprovals { needed, have, .. } => format!(
                "{have} of {needed} approvals from current moderators so far, so nothing was changed. More moderators must approve first."
            ),
            C::LastModerator { community, .. } => format!(
                "This is the last moderator of {community}. Make another member a moderator first, so that someone can still run the community."
            ),
            C::ModeratorNeedsApprovals => "New members join as members. To make someone a moderator, the moderators approve them on the member’s row.".to_owned(),
            C::NameNeeded(_) => "Hallmark does not know this community’s name: this wallet holds no membership card of it for that identity.".to_owned(),
            C::SelfBan(_) => "You cannot ban yourself. To step down, leave the community instead.".to_owned(),
            C::InvalidInput(m) => sentence(m),
            _ => e.to_string(),
        },
        WalletError::NotInWallet(what) => {
            format!("{what} is not one of the identities in this wallet. Choose one of yours.")
        }
        WalletError::NoSuchCredential(_) => {
            "This credential is not in this wallet any more. Open the Credentials screen to see the ones it has."
                .to_owned()
        }
        _ => e.to_string(),
    };
    AppError { code, message }
}

fn bad_input(message: impl Into<String>) -> WalletError {
    WalletError::BadSetting(message.into())
}

/// Empty or blank text counts as not given.
fn given(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

// ---------------------------------------------------------------------------------------------
// Running on the session or on an own handle of the wallet

async fn on_session<T, F>(state: &State<'_, AppState>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> Result<T, WalletError> + Send + 'static,
{
    let session = state.session.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = session.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard).map_err(plain)
    })
    .await
    .map_err(AppError::internal)?
}

/// Checks that the wallet is unlocked, then runs `f` on an own handle of it (no secret, never the
/// OS keyring), so that a slow verification does not hold the session lock.
async fn on_own_handle<T, F>(state: &State<'_, AppState>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&Wallet) -> Result<T, WalletError> + Send + 'static,
{
    let home: PathBuf = on_session(state, |s| {
        s.unlocked()?;
        Ok(s.home().to_path_buf())
    })
    .await?;
    tauri::async_runtime::spawn_blocking(move || {
        let wallet = Wallet::open(&home, KeyringMode::None)?;
        f(&wallet)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(plain)
}

fn block_on<F: std::future::Future>(f: F) -> F::Output {
    tauri::async_runtime::block_on(f)
}

// ---------------------------------------------------------------------------------------------
// What the commands do, on a wallet (tested below without a window)

fn card_of(held: &hallmark_core::store::HeldCredential) -> Option<MembershipCard> {
    if !held.types.iter().any(|t| t == "CommunityMembershipCredential") {
        return None;
    }
    let doc = Secured::parse(&held.body).ok()?.document().ok()?;
    let subject = match &doc["credentialSubject"] {
        Value::Array(a) => a.first().cloned().unwrap_or(Value::Null),
        other => other.clone(),
    };
    let of = &subject["memberOf"];
    let community_id = of["id"].as_str()?.to_owned();
    Some(MembershipCard {
        community_name: of["name"].as_str().unwrap_or(&community_id).to_owned(),
        community_id,
        role: subject["role"].as_str().unwrap_or("member").to_owned(),
        member: held.subject.clone()?,
        issuer: held.issuer.clone(),
        credential_id: held.id.clone(),
        valid: held.valid,
    })
}

fn list(wallet: &Wallet) -> Result<CommunitiesOut, WalletError> {
    let runs = wallet.communities()?;
    let mine: Vec<String> = wallet.identities()?.into_iter().map(|i| i.did).collect();
    let mut member_of = Vec::new();
    for held in wallet.credentials()? {
        let Some(card) = card_of(&held) else { continue };
        // Cards of communities run here are shown on their page; cards about other people are
        // the ones this wallet issued to them.
        if runs.iter().any(|s| s.community.id == card.community_id) || !mine.contains(&card.member) {
            continue;
        }
        member_of.push(card);
    }
    Ok(CommunitiesOut { runs, member_of })
}

fn tally_out(
    vouches: &[VouchRecord],
    members: &[MemberRecord],
    candidate: &str,
    purpose: VouchFor,
    needed: u32,
) -> TallyOut {
    let mine: Vec<VouchRecord> = vouches.iter().filter(|v| v.candidate == candidate).cloned().collect();
    let t = tally(&mine, members, purpose, needed);
    TallyOut {
        needed,
        enough: t.is_enough(),
        counted: t.counted.iter().map(|v| v.voucher.clone()).collect(),
        not_counted: t.excluded.into_iter().map(|(did, why)| NotCounted { did, why }).collect(),
    }
}

/// The local ids of the credentials issued by `action` decisions about `did` and not revoked.
fn live_credentials(
    wallet: &Wallet,
    decisions: &[DecisionRecord],
    did: &str,
    action: &str,
) -> Result<Vec<String>, WalletError> {
    let mut out = Vec::new();
    for d in decisions.iter().filter(|d| d.action == action && d.subject.as_deref() == Some(did)) {
        if let Some(id) = &d.credential {
            if wallet.issued_record(id)?.revoked_at.is_none() && !out.contains(id) {
                out.push(id.clone());
            }
        }
    }
    Ok(out)
}

fn page_from(wallet: &Wallet, d: CommunityDetails) -> Result<CommunityPage, WalletError> {
    let vouches: Vec<VouchRecord> = d.vouches.iter().map(|v| v.vouch.clone()).collect();
    let mine: Vec<String> = wallet.identities()?.into_iter().map(|i| i.did).collect();
    let c = &d.community;
    let mut members = Vec::new();
    for m in &d.members {
        let mut revoked = Vec::new();
        for x in d.decisions.iter().filter(|x| x.subject.as_deref() == Some(m.did.as_str())) {
            for id in &x.revoked {
                if !revoked.iter().any(|r: &RevokedOut| &r.credential == id) {
                    revoked
                        .push(RevokedOut { credential: id.clone(), revoked_at: wallet.issued_record(id)?.revoked_at });
                }
            }
        }
        let approvals = (m.state == "active" && m.role != "moderator")
            .then(|| tally_out(&vouches, &d.members, &m.did, VouchFor::Moderator, c.moderator_threshold));
        members.push(MemberOut { member: m.clone(), revoked, approvals });
    }
    let mut candidates: Vec<CandidateOut> = Vec::new();
    for v in vouches.iter().filter(|v| v.purpose == VouchFor::Humanity.as_str()) {
        if candidates.iter().any(|x| x.did == v.candidate) {
            continue;
        }
        candidates.push(CandidateOut {
            did: v.candidate.clone(),
            tally: tally_out(&vouches, &d.members, &v.candidate, VouchFor::Humanity, c.vouch_threshold),
            humanity_credential: live_credentials(wallet, &d.decisions, &v.candidate, "humanity_issued")?
                .into_iter()
                .next(),
        });
    }
    let active = |m: &&MemberRecord| m.state == "active" && mine.contains(&m.did);
    let mut history = d.decisions.clone();
    history.reverse();
    Ok(CommunityPage {
        my_moderators: d
            .members
            .iter()
            .filter(active)
            .filter(|m| m.role == "moderator")
            .map(|m| m.did.clone())
            .collect(),
        my_members: d.members.iter().filter(active).map(|m| m.did.clone()).collect(),
        pending_requests: d.pending_requests.clone(),
        open_invites: d.open_invites.len(),
        candidates,
        members,
        history,
        community: d.community,
    })
}

fn page(wallet: &Wallet, id: &str) -> Result<CommunityPage, WalletError> {
    page_from(wallet, wallet.community_details(id)?)
}

fn hand_over(secured: &Secured, credential_id: Option<String>) -> HandOver {
    // The QR code holds the compact form: the same document, without indentation.
    let compact = match secured {
        Secured::Json(v) => v.to_string(),
        Secured::Jwt(j) => j.clone(),
    };
    HandOver {
        text: secured.to_text(),
        qr: qr::encode(&compact).ok(),
        qr_bytes: compact.len(),
        credential_id,
        added_here: false,
    }
}

fn issued_out(issued: &Issued) -> HandOver {
    hand_over(&issued.secured, Some(issued.held.id.clone()))
}

fn create(u: &mut UnlockedWallet, form: CreateRequest) -> Result<CommunityPage, WalletError> {
    let creator = given(Some(form.creator))
        .ok_or_else(|| bad_input("Choose which of your identities moderates the community."))?;
    let made = block_on(u.community_create(&form.name, &creator, form.vouches, form.moderator_approvals, FORMAT))?;
    page(u.wallet(), &made.community.id)
}

fn invite(wallet: &Wallet, id: &str, moderator: Option<String>) -> Result<InviteOut, WalletError> {
    let inv = wallet.community_invite(id, given(moderator).as_deref())?;
    let text = serde_json::to_string(&inv).map_err(|e| bad_input(e.to_string()))?;
    Ok(InviteOut { qr: qr::encode(&text).ok(), name: inv.name, text })
}

/// The community id and challenge of an invitation: the JSON `community invite` gives (fields
/// `community` or `domain`, and `challenge`).
fn parse_invitation(text: &str) -> Result<(String, String), WalletError> {
    let not_one = || {
        bad_input(
            "This is not an invitation. Paste the whole text the moderator gave you: it starts with “{” and names the community and a challenge.",
        )
    };
    let v: Value = serde_json::from_str(text.trim()).map_err(|_| not_one())?;
    let field = |name: &str| v.get(name).and_then(Value::as_str).map(str::trim).filter(|s| !s.is_empty());
    let community = field("domain").or_else(|| field("community")).ok_or_else(not_one)?;
    let challenge = field("challenge").ok_or_else(not_one)?;
    Ok((community.to_owned(), challenge.to_owned()))
}

fn join(u: &UnlockedWallet, holder: &str, invitation: &str) -> Result<HandOver, WalletError> {
    let (community, challenge) = parse_invitation(invitation)?;
    let holder = given(Some(holder.to_owned())).ok_or_else(|| bad_input("Choose which of your identities joins."))?;
    let vp = block_on(u.community_request(&holder, &community, &challenge, &[], FORMAT))?;
    Ok(hand_over(&vp, None))
}

/// Status list credentials handed over with a request or vouches (each one JSON object).
fn parse_lists(lists: Option<Vec<String>>) -> Result<Vec<Value>, WalletError> {
    lists
        .unwrap_or_default()
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| match Secured::parse(&t)? {
            Secured::Json(v) => Ok(v),
            Secured::Jwt(_) => Err(bad_input("A status list must be a JSON file (a status list credential).")),
        })
        .collect()
}

fn receive(wallet: &Wallet, id: &str, text: &str, lists: Option<Vec<String>>) -> Result<RequestRecord, WalletError> {
    if text.trim().is_empty() {
        return Err(bad_input("Paste the join request the person sent you, or choose its file."));
    }
    block_on(wallet.community_receive(id, text, parse_lists(lists)?))
}

fn admit(u: &mut UnlockedWallet, request: &str, moderator: Option<String>) -> Result<AdmittedOut, WalletError> {
    let a = block_on(u.community_admit(
        RequestRef::Id(request),
        given(moderator).as_deref(),
        Role::Member,
        FORMAT,
        Vec::new(),
    ))?;
    Ok(AdmittedOut { credential: issued_out(&a.issued), member: a.member })
}

fn reject(
    wallet: &Wallet,
    request: &str,
    reason: &str,
    moderator: Option<String>,
) -> Result<RequestRecord, WalletError> {
    wallet.community_reject(request, reason, given(moderator).as_deref())
}

/// A vouch (humanity) or approval (moderator) by `voucher`; for a community run from this wallet
/// it is also added to the community at once.
fn vouch(
    u: &mut UnlockedWallet,
    voucher: &str,
    community: &str,
    candidate: &str,
    purpose: VouchFor,
    note: Option<String>,
) -> Result<HandOver, WalletError> {
    let candidate = given(Some(candidate.to_owned())).ok_or_else(|| {
        bad_input("Type the public address (DID) of the person you vouch for. It starts with “did:”.")
    })?;
    let note = given(note);
    let issued = block_on(u.community_vouch(voucher, community, None, &candidate, purpose, note.as_deref(), FORMAT))?;
    let mut out = issued_out(&issued);
    let runs_here = u.wallet().communities()?.iter().any(|s| s.community.id == community.trim());
    if runs_here {
        block_on(u.wallet().community_add_vouches(community, &[issued.secured.to_text()], Vec::new()))?;
        out.added_here = true;
    }
    Ok(out)
}

fn add_vouches(
    wallet: &Wallet,
    id: &str,
    texts: Vec<String>,
    lists: Option<Vec<String>>,
) -> Result<Vec<VouchRecord>, WalletError> {
    let texts: Vec<String> = texts.into_iter().filter(|t| !t.trim().is_empty()).collect();
    if texts.is_empty() {
        return Err(bad_input("Paste the vouch the member sent you, or choose its file."));
    }
    block_on(wallet.community_add_vouches(id, &texts, parse_lists(lists)?))
}

fn humanity(
    u: &mut UnlockedWallet,
    id: &str,
    candidate: &str,
    moderator: Option<String>,
) -> Result<HandOver, WalletError> {
    let h = block_on(u.community_humanity(candidate, id, given(moderator).as_deref(), None, None, FORMAT))?;
    Ok(issued_out(&h.issued))
}

fn changed(member: MemberRecord, r: Revocations, credential: Option<HandOver>) -> ChangedOut {
    ChangedOut {
        member,
        revoked: r.revoked.into_iter().map(|x| x.credential).collect(),
        status_lists: r.status_lists.into_iter().map(|l| l.url).collect(),
        credential,
    }
}

fn promote(
    u: &mut UnlockedWallet,
    id: &str,
    member: &str,
    moderator: Option<String>,
) -> Result<ChangedOut, WalletError> {
    let p = block_on(u.community_add_moderator(member, id, &[], given(moderator).as_deref(), FORMAT, Vec::new()))?;
    let credential = issued_out(&p.issued);
    Ok(changed(p.member, p.revocations, Some(credential)))
}

fn leave(u: &mut UnlockedWallet, id: &str, member: &str) -> Result<ChangedOut, WalletError> {
    // Only this wallet's own identities leave from here; moderators ban.
    u.wallet().identity(member)?;
    let d = block_on(u.community_leave(id, member))?;
    Ok(changed(d.member, d.revocations, None))
}

fn ban(
    u: &mut UnlockedWallet,
    id: &str,
    did: &str,
    reason: &str,
    moderator: Option<String>,
) -> Result<ChangedOut, WalletError> {
    let d = block_on(u.community_ban(did, id, given(moderator).as_deref(), reason))?;
    Ok(changed(d.member, d.revocations, None))
}

// ---------------------------------------------------------------------------------------------
// The commands

/// The communities run from this wallet and the ones its identities belong to elsewhere.
#[tauri::command]
pub async fn communities_list(state: State<'_, AppState>) -> Result<CommunitiesOut, AppError> {
    on_session(&state, |s| list(s.unlocked()?.wallet())).await
}

/// One community run from this wallet: members, requests, vouches with their tally, history.
#[tauri::command]
pub async fn community_show(state: State<'_, AppState>, id: String) -> Result<CommunityPage, AppError> {
    on_session(&state, move |s| page(s.unlocked()?.wallet(), &id)).await
}

/// Creates a community moderated by one of the wallet's identities.
#[tauri::command]
pub async fn community_create(state: State<'_, AppState>, form: CreateRequest) -> Result<CommunityPage, AppError> {
    on_session(&state, move |s| create(s.unlocked()?, form)).await
}

/// A fresh invitation (a one-time challenge) to give to someone who wants to join.
#[tauri::command]
pub async fn community_invite(
    state: State<'_, AppState>,
    id: String,
    moderator: Option<String>,
) -> Result<InviteOut, AppError> {
    on_session(&state, move |s| invite(s.unlocked()?.wallet(), &id, moderator)).await
}

/// Member side: a join request, signed by `holder`, answering an invitation (its text).
#[tauri::command]
pub async fn community_join(
    state: State<'_, AppState>,
    holder: String,
    invitation: String,
) -> Result<HandOver, AppError> {
    on_session(&state, move |s| join(s.unlocked()?, &holder, &invitation)).await
}

/// Receives a join request (its text): verified, then kept waiting for a moderator's decision.
#[tauri::command]
pub async fn community_receive(
    state: State<'_, AppState>,
    id: String,
    text: String,
    lists: Option<Vec<String>>,
) -> Result<RequestRecord, AppError> {
    on_own_handle(&state, move |w| receive(w, &id, &text, lists)).await
}

/// Admits a waiting join request and issues the new member's membership credential.
#[tauri::command]
pub async fn community_admit(
    state: State<'_, AppState>,
    request: String,
    moderator: Option<String>,
) -> Result<AdmittedOut, AppError> {
    on_session(&state, move |s| admit(s.unlocked()?, &request, moderator)).await
}

/// Rejects a waiting join request, with a reason kept in the community's history.
#[tauri::command]
pub async fn community_reject(
    state: State<'_, AppState>,
    request: String,
    reason: String,
    moderator: Option<String>,
) -> Result<RequestRecord, AppError> {
    on_session(&state, move |s| reject(s.unlocked()?.wallet(), &request, &reason, moderator)).await
}

/// Member side: vouches that `candidate` is a real, unique person the member knows.
#[tauri::command]
pub async fn community_vouch(
    state: State<'_, AppState>,
    voucher: String,
    community: String,
    candidate: String,
    note: Option<String>,
) -> Result<HandOver, AppError> {
    on_session(&state, move |s| vouch(s.unlocked()?, &voucher, &community, &candidate, VouchFor::Humanity, note)).await
}

/// Moderator side: approves making `member` a moderator.
#[tauri::command]
pub async fn community_approve(
    state: State<'_, AppState>,
    moderator: String,
    community: String,
    member: String,
) -> Result<HandOver, AppError> {
    on_session(&state, move |s| vouch(s.unlocked()?, &moderator, &community, &member, VouchFor::Moderator, None)).await
}

/// Receives vouches or approvals members sent (their texts), all or none.
#[tauri::command]
pub async fn community_add_vouches(
    state: State<'_, AppState>,
    id: String,
    texts: Vec<String>,
    lists: Option<Vec<String>>,
) -> Result<Vec<VouchRecord>, AppError> {
    on_own_handle(&state, move |w| add_vouches(w, &id, texts, lists)).await
}

/// Issues a HumanityCredential to `candidate` once enough current members vouched.
#[tauri::command]
pub async fn community_humanity(
    state: State<'_, AppState>,
    id: String,
    candidate: String,
    moderator: Option<String>,
) -> Result<HandOver, AppError> {
    on_session(&state, move |s| humanity(s.unlocked()?, &id, &candidate, moderator)).await
}

/// Makes an active member a moderator once enough current moderators approved.
#[tauri::command]
pub async fn community_promote(
    state: State<'_, AppState>,
    id: String,
    member: String,
    moderator: Option<String>,
) -> Result<ChangedOut, AppError> {
    on_session(&state, move |s| promote(s.unlocked()?, &id, &member, moderator)).await
}

/// One of this wallet's identities leaves the community: its membership credential is revoked.
#[tauri::command]
pub async fn community_leave(state: State<'_, AppState>, id: String, member: String) -> Result<ChangedOut, AppError> {
    on_session(&state, move |s| leave(s.unlocked()?, &id, &member)).await
}

/// Bans someone: their membership (and humanity) credentials from the community are revoked.
#[tauri::command]
pub async fn community_ban(
    state: State<'_, AppState>,
    id: String,
    did: String,
    reason: String,
    moderator: Option<String>,
) -> Result<ChangedOut, AppError> {
    on_session(&state, move |s| ban(s.unlocked()?, &id, &did, &reason, moderator)).await
}

#[cfg(test)]
mod tests {
    use hallmark_core::DidMethod;

    use super::*;
    use crate::testutil::{unlocked, TempDir};

    /// The code and the message the screen would show.
    fn shown<T: std::fmt::Debug>(r: Result<T, WalletError>) -> (String, String) {
        let e = plain(r.unwrap_err());
        // The screen never tells people to type command-line options.
        assert!(!e.message.contains("--") && !e.message.contains("hallmark "), "{}", e.message);
        (e.code, e.message)
    }

    fn member<'a>(p: &'a CommunityPage, did: &str) -> &'a MemberOut {
        p.members.iter().find(|m| m.member.did == did).unwrap()
    }

    #[test]
    fn a_moderators_story_in_one_wallet() {
        let home = TempDir::new("community");
        let mut w = unlocked(&home.0);
        let alice = w.new_identity(DidMethod::Key, Some("Alice".into()), None).unwrap().did;
        let bob = w.new_identity(DidMethod::Key, Some("Bob".into()), None).unwrap().did;
        let carol = w.new_identity(DidMethod::Jwk, None, None).unwrap().did;

        // Create: Alice moderates; 2 vouches make a humanity credential.
        let form =
            CreateRequest { name: " Photo club ".into(), creator: alice.clone(), vouches: 2, moderator_approvals: 1 };
        let p = create(&mut w, form).unwrap();
        let id = p.community.id.clone();
        assert_eq!(p.community.name, "Photo club");
        assert_eq!(p.my_moderators, std::slice::from_ref(&alice));
        assert_eq!(member(&p, &alice).member.role, "moderator");
        assert!(member(&p, &alice).approvals.is_none(), "a moderator needs no approvals");
        let bad = CreateRequest { name: "Club".into(), creator: alice.clone(), vouches: 0, moderator_approvals: 1 };
        assert_eq!(shown(create(&mut w, bad)).0, "invalid_input");

        // Invite: JSON text with the community and a challenge; Bob's join request answers it.
        let inv = invite(w.wallet(), &id, None).unwrap();
        let json: Value = serde_json::from_str(&inv.text).unwrap();
        assert_eq!(json["community"], id.as_str());
        assert_eq!(json["domain"], id.as_str());
        assert_eq!(json["name"], "Photo club");
        assert!(inv.qr.is_some(), "an invitation fits in a QR code");
        assert_eq!(shown(join(&w, &bob, "hello")).0, "bad_setting");
        assert_eq!(shown(join(&w, &bob, r#"{"community": "x"}"#)).0, "bad_setting");
        let request = join(&w, &bob, &format!("\n{}\n", inv.text)).unwrap();
        let vp: Value = serde_json::from_str(&request.text).unwrap();
        assert_eq!(vp["holder"], bob.as_str());
        assert_eq!(vp["proof"]["challenge"], json["challenge"]);
        assert_eq!(vp["proof"]["domain"], id.as_str());

        // Receive: kept waiting; the same request twice is refused.
        assert_eq!(shown(receive(w.wallet(), &id, "  ", None)).0, "bad_setting");
        let r = receive(w.wallet(), &id, &request.text, None).unwrap();
        assert_eq!((r.holder.as_str(), r.state.as_str()), (bob.as_str(), "pending"));
        assert_eq!(shown(receive(w.wallet(), &id, &request.text, None)).0, "already_received");
        let p = page(w.wallet(), &id).unwrap();
        assert_eq!(p.pending_requests.len(), 1);
        assert_eq!(p.open_invites, 1);

        // Admit: Bob is an active member with a membership card; the request cannot be replayed.
        let a = admit(&mut w, &r.id, Some(alice.clone())).unwrap();
        assert_eq!((a.member.role.as_str(), a.member.state.as_str()), ("member", "active"));
        let card: Value = serde_json::from_str(&a.credential.text).unwrap();
        assert_eq!(card["credentialSubject"]["id"], bob.as_str());
        assert_eq!(card["credentialSubject"]["memberOf"]["id"], id.as_str());
        let (code, message) = shown(receive(w.wallet(), &id, &request.text, None));
        assert_eq!(code, "challenge_used");
        assert!(message.contains("new invitation"), "{message}");
        let p = page(w.wallet(), &id).unwrap();
        assert!(p.pending_requests.is_empty());
        assert_eq!(p.my_members, [alice.clone(), bob.clone()]);
        let approvals = member(&p, &bob).approvals.clone().expect("a member can be approved as moderator");
        assert_eq!((approvals.needed, approvals.counted.len(), approvals.enough), (1, 0, false));

        // Vouches: Alice and Bob vouch for Carol; the tally counts them and the credential follows.
        let v = vouch(&mut w, &alice, &id, &carol, VouchFor::Humanity, Some("met at the club".into())).unwrap();
        assert!(v.added_here, "a vouch for a community run here is added at once");
        let p = page(w.wallet(), &id).unwrap();
        let t = &p.candidates.iter().find(|c| c.did == carol).unwrap().tally;
        assert_eq!((t.counted.clone(), t.needed, t.enough), (vec![alice.clone()], 2, false));
        let (code, message) = shown(humanity(&mut w, &id, &carol, None));
        assert_eq!(code, "not_enough_vouches");
        assert_eq!(
            message,
            "1 of 2 vouches from current members so far, so nothing was issued. More members must vouch first."
        );
        assert_eq!(shown(vouch(&mut w, &alice, &id, &carol, VouchFor::Humanity, None)).0, "duplicate_vouch");
        assert_eq!(shown(vouch(&mut w, &carol, &id, &bob, VouchFor::Humanity, None)).0, "not_current_member");
        vouch(&mut w, &bob, &id, &carol, VouchFor::Humanity, None).unwrap();
        let h = humanity(&mut w, &id, &carol, None).unwrap();
        let p = page(w.wallet(), &id).unwrap();
        let c = p.candidates.iter().find(|c| c.did == carol).unwrap();
        assert!(c.tally.enough);
        assert_eq!(c.humanity_credential, h.credential_id);

        // Moderators, k of n: Alice approves Bob, who becomes a moderator; his old card is revoked.
        vouch(&mut w, &alice, &id, &bob, VouchFor::Moderator, None).unwrap();
        let p = page(w.wallet(), &id).unwrap();
        assert!(member(&p, &bob).approvals.as_ref().unwrap().enough);
        let promoted = promote(&mut w, &id, &bob, Some(alice.clone())).unwrap();
        assert_eq!(promoted.member.role, "moderator");
        assert_eq!(promoted.revoked, [a.credential.credential_id.clone().unwrap()]);
        let p = page(w.wallet(), &id).unwrap();
        assert_eq!(p.my_moderators, [alice.clone(), bob.clone()]);

        // Bans: nobody bans themselves; Bob is banned by Alice, his card revoked and shown so.
        assert_eq!(shown(ban(&mut w, &id, &alice, "test", Some(alice.clone()))).0, "self_ban");
        assert_eq!(shown(ban(&mut w, &id, &bob, "  ", Some(alice.clone()))).0, "invalid_input");
        let banned = ban(&mut w, &id, &bob, "spam", Some(alice.clone())).unwrap();
        assert_eq!(banned.member.state, "banned");
        assert_eq!(banned.revoked, [promoted.credential.unwrap().credential_id.unwrap()]);
        assert_eq!(banned.status_lists.len(), 1);
        let p = page(w.wallet(), &id).unwrap();
        let b = member(&p, &bob);
        assert_eq!(b.member.state, "banned");
        assert_eq!(b.revoked.len(), 2, "the member card and the moderator card");
        assert!(b.revoked.iter().all(|r| r.revoked_at.is_some()));
        assert_eq!(p.my_members, std::slice::from_ref(&alice));
        assert_eq!(p.history.first().map(|d| d.action.as_str()), Some("banned"), "newest first");
        // Bob's vouch no longer counts.
        let t = &p.candidates.iter().find(|c| c.did == carol).unwrap().tally;
        assert_eq!(t.counted, std::slice::from_ref(&alice));
        assert!(t.not_counted.iter().any(|n| n.did == bob && n.why.contains("banned")), "{:?}", t.not_counted);

        // The last moderator cannot leave; Alice only leaves once someone else moderates.
        let (code, message) = shown(leave(&mut w, &id, &alice));
        assert_eq!(code, "last_moderator");
        assert!(message.contains("Make another member a moderator first"), "{message}");
        assert_eq!(
            shown(leave(&mut w, &id, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp")).0,
            "not_in_wallet"
        );

        // The list: one community run here, with its counts; nothing from elsewhere.
        let l = list(w.wallet()).unwrap();
        assert_eq!(l.runs.len(), 1);
        assert_eq!((l.runs[0].active_members, l.runs[0].moderators, l.runs[0].pending_requests), (1, 1, 0));
        assert!(l.member_of.is_empty(), "cards of a community run here are on its page");
        assert_eq!(shown(page(w.wallet(), "urn:uuid:nothing")).0, "no_such_community");
    }

    #[test]
    fn a_member_of_a_community_run_elsewhere() {
        let desk_home = TempDir::new("community");
        let member_home = TempDir::new("community");
        let mut desk = unlocked(&desk_home.0);
        let mut me = unlocked(&member_home.0);
        let moderator = desk.new_identity(DidMethod::Key, Some("Desk".into()), None).unwrap().did;
        let mine = me.new_identity(DidMethod::Key, Some("Me".into()), None).unwrap().did;
        let form =
            CreateRequest { name: "Choir".into(), creator: moderator.clone(), vouches: 1, moderator_approvals: 1 };
        let id = create(&mut desk, form).unwrap().community.id;

        // The invitation text travels to the member's wallet, the request back to the desk.
        let inv = invite(desk.wallet(), &id, None).unwrap();
        let request = join(&me, &mine, &inv.text).unwrap();
        let r = receive(desk.wallet(), &id, &request.text, None).unwrap();
        let a = admit(&mut desk, &r.id, None).unwrap();

        // The card and the desk's status list travel to the member: listed as a membership.
        let url = serde_json::from_str::<Value>(&a.credential.text).unwrap()["credentialStatus"]
            ["statusListCredential"]
            .as_str()
            .unwrap()
            .to_owned();
        let list_json = desk.wallet().status_list_credential(&url).unwrap();
        let mut handle = Wallet::open(&member_home.0, KeyringMode::None).unwrap();
        block_on(handle.import_credential(&a.credential.text, vec![list_json])).unwrap();
        let l = list(me.wallet()).unwrap();
        assert!(l.runs.is_empty());
        assert_eq!(l.member_of.len(), 1);
        let card = &l.member_of[0];
        assert_eq!((card.community_id.as_str(), card.community_name.as_str()), (id.as_str(), "Choir"));
        assert_eq!(
            (card.role.as_str(), card.member.as_str(), card.issuer.as_str()),
            ("member", mine.as_str(), moderator.as_str())
        );
        assert!(card.valid);

        // The member vouches from their own wallet (the community's name comes from the card);
        // the desk adds it only with the member's status list.
        let someone = desk.new_identity(DidMethod::Key, None, None).unwrap().did;
        let v = vouch(&mut me, &mine, &id, &someone, VouchFor::Humanity, None).unwrap();
        assert!(!v.added_here, "the community is not run here");
        assert_eq!(shown(add_vouches(desk.wallet(), &id, vec![" ".into()], None)).0, "bad_setting");
        let (code, _) = shown(add_vouches(desk.wallet(), &id, vec![v.text.clone()], None));
        assert_eq!(code, "invalid_vouch");
        let vouch_url = serde_json::from_str::<Value>(&v.text).unwrap()["credentialStatus"]["statusListCredential"]
            .as_str()
            .unwrap()
            .to_owned();
        let vouch_list = me.wallet().status_list_credential(&vouch_url).unwrap().to_string();
        let added = add_vouches(desk.wallet(), &id, vec![v.text], Some(vec![vouch_list])).unwrap();
        assert_eq!((added[0].voucher.as_str(), added[0].candidate.as_str()), (mine.as_str(), someone.as_str()));
        let p = page(desk.wallet(), &id).unwrap();
        assert!(p.candidates.iter().any(|c| c.did == someone && c.tally.enough));
        // The member's wallet runs no desk: leaving is asked of the moderators.
        assert_eq!(shown(leave(&mut me, &id, &mine)).0, "no_such_community");
    }
}
