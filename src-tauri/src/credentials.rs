//! The Credentials screen's commands: list, show, add (import), check again, delete, issue,
//! present and revoke verifiable credentials. Like every command, each runs core on a blocking
//! thread and returns public data only: credentials, reports and presentations are not secrets;
//! the keys that sign them never leave core.
//!
//! Issuing, presenting and revoking sign, so they run on the unlocked wallet under the session
//! lock. Adding, checking again and deleting change only the database: they need the wallet to be
//! unlocked (the screen is part of the unlocked app) but then work on their own handle of the
//! wallet's data folder, so a slow check (a did:web document or a status list fetched with a
//! time limit) does not hold the session lock.

use hallmark_core::credential::{self, schema, CredentialError, Format, HumanityMethod, Role, Secured};
use hallmark_core::qr::{self, QrMatrix};
use hallmark_core::store::{HeldCredential, Identity, IssuedRecord};
use hallmark_core::{did, UnlockedWallet, Wallet, WalletError};
use serde::{Deserialize, Serialize};
use serde_json::Value;
use tauri::State;

use crate::commands::{unlocked_home, with_session, with_wallet, AppState};
use crate::error::AppError;

/// A stored credential as the list shows it: the stored record (no body) plus what the wallet
/// knows about the people in it.
#[derive(Debug, Serialize)]
pub struct CredentialSummary {
    /// The stored record: id, types, issuer, subject, dates, origin, last check.
    #[serde(flatten)]
    pub held: HeldCredential,
    /// The issuer's label, when the issuer is one of this wallet's identities ("" if unnamed).
    pub issuer_label: Option<String>,
    /// The subject's label, when the subject is one of this wallet's identities ("" if unnamed).
    pub subject_label: Option<String>,
    /// For credentials this wallet issued: where its revocation bit is and whether it is set.
    pub revocation: Option<IssuedRecord>,
}

/// One credential in full: its summary, what it says, and its exact text.
#[derive(Debug, Serialize)]
pub struct CredentialDetail {
    /// As in the list.
    #[serde(flatten)]
    pub summary: CredentialSummary,
    /// The credential itself (a JWT's payload), as JSON.
    pub document: Value,
    /// The credential exactly as stored (JSON text or a compact JWT), to copy.
    pub text: String,
}

/// What checking every credential again found.
#[derive(Debug, Serialize)]
pub struct RecheckAll {
    /// Every credential as stored now (newest first), with its new result.
    pub credentials: Vec<CredentialSummary>,
    /// How many are valid now.
    pub valid: usize,
    /// How many are not valid now.
    pub not_valid: usize,
    /// How many could not be checked this time (they keep their last result).
    pub not_checked: usize,
    /// The ids of those that were valid before and are not any more (revoked or expired since).
    pub no_longer_valid: Vec<String>,
}

/// A presentation made for a verifier.
#[derive(Debug, Serialize)]
pub struct PresentationOut {
    /// `di` or `jwt`.
    pub format: &'static str,
    /// The presentation as text (indented JSON, or the JWT), to copy.
    pub text: String,
    /// The QR code of its compact form, when it fits in one.
    pub qr: Option<QrMatrix>,
    /// How many bytes the QR code would have to hold.
    pub qr_bytes: usize,
}

/// The status list that says whether a credential this wallet issued is revoked.
#[derive(Debug, Serialize)]
pub struct StatusListOut {
    /// Its id: an https URL where it must be published (did:web issuers) or a `urn:uuid:`.
    pub url: String,
    /// The latest signed status list credential (JSON text), to publish or hand to verifiers.
    pub text: String,
}

/// The "Issue a credential" form.
#[derive(Debug, Deserialize)]
pub struct IssueRequest {
    /// `humanity` or `membership`.
    pub kind: String,
    /// The identity that signs (one of this wallet's Ed25519 identities).
    pub issuer: String,
    /// The DID the credential is about.
    pub subject: String,
    /// Humanity: `in-person` or `video-call`.
    #[serde(default)]
    pub method: Option<String>,
    /// Humanity: a note on the check.
    #[serde(default)]
    pub note: Option<String>,
    /// Membership: the community's id (a URI).
    #[serde(default)]
    pub community_id: Option<String>,
    /// Membership: the community's name (default: its id).
    #[serde(default)]
    pub community_name: Option<String>,
    /// Membership: `member` or `moderator`.
    #[serde(default)]
    pub role: Option<String>,
    /// Valid until (YYYY-MM-DD or RFC 3339); none: no expiry date.
    #[serde(default)]
    pub expires: Option<String>,
    /// `di` or `jwt`.
    pub format: String,
}

fn bad_input(message: impl Into<String>) -> WalletError {
    WalletError::BadSetting(message.into())
}

/// Empty or blank text counts as not given.
fn given(text: Option<String>) -> Option<String> {
    text.map(|t| t.trim().to_owned()).filter(|t| !t.is_empty())
}

/// `di` (Data Integrity, eddsa-rdfc-2022) or `jwt`.
fn parse_format(format: &str) -> Result<Format, WalletError> {
    Ok(Format::parse(format.trim(), None)?)
}

/// The label of `did` if it is one of `identities` ("" when it has none).
fn label_of(identities: &[Identity], did: Option<&str>) -> Option<String> {
    let did = did?;
    identities.iter().find(|i| i.did == did).map(|i| i.label.clone().unwrap_or_default())
}

fn summarize(wallet: &Wallet, identities: &[Identity], held: HeldCredential) -> Result<CredentialSummary, WalletError> {
    let revocation = if held.origin == "issued" { Some(wallet.issued_record(&held.id)?) } else { None };
    Ok(CredentialSummary {
        issuer_label: label_of(identities, Some(&held.issuer)),
        subject_label: label_of(identities, held.subject.as_deref()),
        revocation,
        held,
    })
}

fn detail(wallet: &Wallet, held: HeldCredential) -> Result<CredentialDetail, WalletError> {
    let document = Secured::parse(&held.body)?.document()?;
    let text = held.body.clone();
    let summary = summarize(wallet, &wallet.identities()?, held)?;
    Ok(CredentialDetail { summary, document, text })
}

/// Status list credentials given with a received credential (each one JSON object).
fn parse_lists(lists: Vec<String>) -> Result<Vec<Value>, WalletError> {
    lists
        .into_iter()
        .filter(|t| !t.trim().is_empty())
        .map(|t| match Secured::parse(&t)? {
            Secured::Json(v) => Ok(v),
            Secured::Jwt(_) => Err(CredentialError::Status(
                "a status list must be a JSON file (a Data Integrity status list credential)".into(),
            )
            .into()),
        })
        .collect()
}

// ---------------------------------------------------------------------------------------------
// What the commands do, on a wallet (tested below without a window)

fn list(wallet: &Wallet) -> Result<Vec<CredentialSummary>, WalletError> {
    let identities = wallet.identities()?;
    wallet.credentials()?.into_iter().map(|held| summarize(wallet, &identities, held)).collect()
}

fn import(wallet: &mut Wallet, text: &str, lists: Vec<String>) -> Result<CredentialDetail, WalletError> {
    let lists = parse_lists(lists)?;
    let held = tauri::async_runtime::block_on(wallet.import_credential(text, lists))?;
    detail(wallet, held)
}

fn recheck(wallet: &mut Wallet, id: &str) -> Result<CredentialDetail, WalletError> {
    let (held, _report) = tauri::async_runtime::block_on(wallet.recheck(id, Vec::new()))?;
    detail(wallet, held)
}

fn recheck_all(wallet: &mut Wallet) -> Result<RecheckAll, WalletError> {
    let before: std::collections::HashMap<String, bool> =
        wallet.credentials()?.into_iter().map(|h| (h.id, h.valid)).collect();
    let all = tauri::async_runtime::block_on(wallet.recheck_all(Vec::new()))?;
    let not_checked = all.iter().filter(|(_, r)| r.is_err()).count();
    let identities = wallet.identities()?;
    let mut out =
        RecheckAll { credentials: Vec::new(), valid: 0, not_valid: 0, not_checked, no_longer_valid: Vec::new() };
    for (held, result) in all {
        if result.is_ok() {
            if held.valid {
                out.valid += 1;
            } else {
                out.not_valid += 1;
                if before.get(&held.id) == Some(&true) {
                    out.no_longer_valid.push(held.id.clone());
                }
            }
        }
        out.credentials.push(summarize(wallet, &identities, held)?);
    }
    Ok(out)
}

/// The unsigned credential the form describes; its fields are checked against the type's schema
/// here, before anything is signed or stored (an issued credential is kept for good).
fn build(request: IssueRequest) -> Result<(Value, Format), WalletError> {
    let issuer = did::parse(&request.issuer)?.to_string();
    let subject = given(Some(request.subject))
        .ok_or_else(|| bad_input("Please type the DID of the person the credential is about."))?;
    let subject = did::parse(&subject)?.to_string();
    let until = given(request.expires).map(|d| credential::parse_date(&d)).transpose()?;
    let format = parse_format(&request.format)?;
    let now = hallmark_core::store::now_rfc3339();
    let (unsigned, kind) = match request.kind.as_str() {
        "humanity" => {
            let method = match given(request.method).as_deref() {
                None | Some("in-person") => HumanityMethod::InPerson,
                Some("video-call") => HumanityMethod::VideoCall,
                Some(other) => return Err(bad_input(format!("Unknown way of checking a person: {other:?}."))),
            };
            let note = given(request.note);
            let vc =
                credential::humanity_credential(&issuer, &subject, method, note.as_deref(), &now, until.as_deref());
            (vc, schema::Kind::Humanity)
        }
        "membership" => {
            let id = given(request.community_id).ok_or_else(|| {
                bad_input("Please type the community's id, for example urn:uuid:… or https://example.org/club.")
            })?;
            let name = given(request.community_name).unwrap_or_else(|| id.clone());
            let role = match given(request.role).as_deref() {
                None | Some("member") => Role::Member,
                Some("moderator") => Role::Moderator,
                Some(other) => return Err(bad_input(format!("Unknown role: {other:?}."))),
            };
            let vc = credential::membership_credential(&issuer, &subject, &id, &name, role, &now, until.as_deref());
            (vc, schema::Kind::Membership)
        }
        other => return Err(bad_input(format!("Unknown kind of credential: {other:?}."))),
    };
    let mut probe = unsigned.clone();
    probe["credentialSchema"] = schema::credential_schema(kind);
    schema::validate(&probe)?;
    Ok((unsigned, format))
}

fn issue(unlocked: &mut UnlockedWallet, request: IssueRequest) -> Result<CredentialDetail, WalletError> {
    let (unsigned, format) = build(request)?;
    let issued = tauri::async_runtime::block_on(unlocked.issue(unsigned, format))?;
    detail(unlocked.wallet(), issued.held)
}

fn revoke(unlocked: &mut UnlockedWallet, id: &str, reason: Option<String>) -> Result<CredentialDetail, WalletError> {
    let reason = given(reason);
    let (record, _list) = tauri::async_runtime::block_on(unlocked.revoke(id, reason.as_deref()))?;
    let wallet = unlocked.wallet();
    detail(wallet, wallet.credential(&record.credential)?)
}

fn present(
    unlocked: &UnlockedWallet,
    id: &str,
    holder: &str,
    challenge: &str,
    domain: &str,
    format: &str,
) -> Result<PresentationOut, WalletError> {
    let challenge = given(Some(challenge.to_owned())).ok_or_else(|| {
        bad_input("Please type the challenge the verifier gave you (a code that changes every time).")
    })?;
    let domain = given(Some(domain.to_owned()))
        .ok_or_else(|| bad_input("Please type the verifier's domain (who the presentation is for)."))?;
    let format = parse_format(format)?;
    let credential = Secured::parse(&unlocked.wallet().credential(id)?.body)?;
    let secured = tauri::async_runtime::block_on(unlocked.present(
        holder.trim(),
        std::slice::from_ref(&credential),
        format,
        Some(&challenge),
        Some(&domain),
    ))?;
    // The QR code holds the compact form: the same presentation, without indentation.
    let compact = match &secured {
        Secured::Json(v) => v.to_string(),
        Secured::Jwt(j) => j.clone(),
    };
    let qr = qr::encode(&compact).ok();
    Ok(PresentationOut { format: secured.format_name(), text: secured.to_text(), qr, qr_bytes: compact.len() })
}

fn status_list(wallet: &Wallet, id: &str) -> Result<StatusListOut, WalletError> {
    let url = wallet.issued_record(id)?.status_list_url;
    let list = wallet.status_list_credential(&url)?;
    let mut text = serde_json::to_string_pretty(&list).map_err(|e| bad_input(e.to_string()))?;
    text.push('\n');
    Ok(StatusListOut { url, text })
}

// ---------------------------------------------------------------------------------------------
// The commands

/// Every stored credential, newest first.
#[tauri::command]
pub async fn credentials_list(state: State<'_, AppState>) -> Result<Vec<CredentialSummary>, AppError> {
    with_session(&state.session, |s| list(s.unlocked()?.wallet())).await
}

/// One stored credential in full.
#[tauri::command]
pub async fn credential_show(state: State<'_, AppState>, id: String) -> Result<CredentialDetail, AppError> {
    with_session(&state.session, move |s| {
        let wallet = s.unlocked()?.wallet();
        detail(wallet, wallet.credential(&id)?)
    })
    .await
}

/// Adds a received credential (JSON or JWT text): it is verified, and stored with the result
/// even when a check fails. `lists`: status list credentials the issuer handed over (JSON texts).
#[tauri::command]
pub async fn credential_import(
    state: State<'_, AppState>,
    text: String,
    lists: Option<Vec<String>>,
) -> Result<CredentialDetail, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |wallet| import(wallet, &text, lists.unwrap_or_default())).await
}

/// Verifies a stored credential again (dates pass, issuers revoke) and stores the result.
#[tauri::command]
pub async fn credential_recheck(state: State<'_, AppState>, id: String) -> Result<CredentialDetail, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |wallet| recheck(wallet, &id)).await
}

/// Verifies every stored credential again (side by side on all cores) and stores the results.
#[tauri::command]
pub async fn credentials_recheck_all(state: State<'_, AppState>) -> Result<RecheckAll, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, recheck_all).await
}

/// Deletes a received credential (ones this wallet issued are kept, so they can be revoked).
#[tauri::command]
pub async fn credential_delete(state: State<'_, AppState>, id: String) -> Result<(), AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |wallet| wallet.delete_credential(&id).map(|_| ())).await
}

/// Issues a Humanity or Community membership credential signed by one of the wallet's
/// identities. It is stored (and revocable) and returned in full.
#[tauri::command]
pub async fn credential_issue(state: State<'_, AppState>, request: IssueRequest) -> Result<CredentialDetail, AppError> {
    with_session(&state.session, move |s| issue(s.unlocked()?, request)).await
}

/// Revokes a credential this wallet issued and re-signs its status list.
#[tauri::command]
pub async fn credential_revoke(
    state: State<'_, AppState>,
    id: String,
    reason: Option<String>,
) -> Result<CredentialDetail, AppError> {
    with_session(&state.session, move |s| revoke(s.unlocked()?, &id, reason)).await
}

/// The current status list of a credential this wallet issued (to publish or hand over after
/// revoking).
#[tauri::command]
pub async fn credential_status_list(state: State<'_, AppState>, id: String) -> Result<StatusListOut, AppError> {
    with_session(&state.session, move |s| status_list(s.unlocked()?.wallet(), &id)).await
}

/// Presents a stored credential to a verifier: a presentation signed by `holder` (who must be
/// its subject), bound to the verifier's `challenge` and `domain`; with its QR code if it fits.
#[tauri::command]
pub async fn credential_present(
    state: State<'_, AppState>,
    id: String,
    holder: String,
    challenge: String,
    domain: String,
    format: String,
) -> Result<PresentationOut, AppError> {
    with_session(&state.session, move |s| present(s.unlocked()?, &id, &holder, &challenge, &domain, &format)).await
}

#[cfg(test)]
mod tests {
    use hallmark_core::credential::verifier::VerifyOptions;
    use hallmark_core::keystore::KeyringMode;
    use hallmark_core::DidMethod;

    use super::*;
    use crate::testutil::{unlocked, TempDir};

    fn humanity(issuer: &str, subject: &str, format: &str) -> IssueRequest {
        IssueRequest {
            kind: "humanity".into(),
            issuer: issuer.into(),
            subject: subject.into(),
            method: Some("video-call".into()),
            note: Some("met at the meetup".into()),
            community_id: None,
            community_name: None,
            role: None,
            expires: Some("2099-12-31".into()),
            format: format.into(),
        }
    }

    fn code(e: WalletError) -> &'static str {
        e.code()
    }

    fn check<'a>(d: &'a CredentialDetail, name: &str) -> (&'a str, &'a str) {
        let c = d.summary.held.checks.as_array().unwrap().iter().find(|c| c["check"] == name).unwrap();
        (c["result"].as_str().unwrap(), c["detail"].as_str().unwrap())
    }

    #[test]
    fn issue_present_revoke_and_check_again() {
        let home = TempDir::new("credentials");
        let mut w = unlocked(&home.0);
        let alice = w.new_identity(DidMethod::Key, Some("Alice".into()), None).unwrap().did;
        let bob = w.new_identity(DidMethod::Key, None, None).unwrap().did;

        // Issued by Alice about Bob: stored, verified, revocable, with the form's fields.
        let d = issue(&mut w, humanity(&alice, &bob, "di")).unwrap();
        let id = d.summary.held.id.clone();
        assert!(d.summary.held.valid, "{}", d.summary.held.checks);
        assert_eq!(d.summary.held.origin, "issued");
        assert_eq!(d.summary.issuer_label.as_deref(), Some("Alice"));
        assert_eq!(d.summary.subject_label.as_deref(), Some(""), "Bob is ours, with no label");
        let rec = d.summary.revocation.as_ref().expect("an issued credential has a revocation record");
        assert!(rec.revoked_at.is_none());
        assert_eq!(d.document["credentialSubject"]["id"], bob.as_str());
        assert_eq!(d.document["validUntil"], "2099-12-31T23:59:59Z");
        // ssi writes a one-item array back as the item.
        let evidence = match &d.document["evidence"] {
            Value::Array(a) => a[0].clone(),
            other => other.clone(),
        };
        assert_eq!(evidence["method"], "video-call");
        assert_eq!(evidence["description"], "met at the meetup");
        assert_eq!(Secured::parse(&d.text).unwrap().document().unwrap(), d.document);
        assert_eq!(check(&d, "status").0, "passed");
        let listed = list(w.wallet()).unwrap();
        assert_eq!(listed.iter().map(|c| c.held.id.as_str()).collect::<Vec<_>>(), [id.as_str()]);
        // The list's JSON carries the record's fields at the top level, and never the body.
        let json = serde_json::to_value(&listed[0]).unwrap();
        assert_eq!(json["id"], id.as_str());
        assert_eq!(json["issuer_label"], "Alice");
        assert!(json.get("body").is_none());

        // Only the subject may present it, and only with a challenge and a domain.
        assert_eq!(code(present(&w, &id, &alice, "n-1", "club.example", "di").unwrap_err()), "not_subject");
        assert_eq!(code(present(&w, &id, &bob, " ", "club.example", "di").unwrap_err()), "bad_setting");
        assert_eq!(code(present(&w, &id, &bob, "n-1", "", "di").unwrap_err()), "bad_setting");
        for format in ["di", "jwt"] {
            let out = present(&w, &id, &bob, "n-1", "club.example", format).unwrap();
            assert_eq!(out.format, format);
            let vp = Secured::parse(&out.text).unwrap();
            let compact = match &vp {
                Secured::Json(v) => v.to_string(),
                Secured::Jwt(j) => j.clone(),
            };
            assert_eq!(out.qr_bytes, compact.len());
            // Medium error correction holds at most 2331 bytes: a QR code whenever it fits.
            assert_eq!(out.qr.is_some(), compact.len() <= 2331, "{format}: {} bytes", compact.len());
            if let Some(m) = &out.qr {
                assert_eq!(m.modules.len(), m.size * m.size);
            }
            // A verifier with that challenge and domain accepts it; with another challenge, not.
            let mut options = w.wallet().verify_options(Vec::new()).unwrap();
            options.challenge = Some("n-1".into());
            options.domain = Some("club.example".into());
            let report = tauri::async_runtime::block_on(w.wallet().verify(&vp, options.clone())).unwrap();
            assert!(report.valid, "{format}: {:?}", report.first_failure());
            let replay = VerifyOptions { challenge: Some("n-2".into()), ..options };
            assert!(!tauri::async_runtime::block_on(w.wallet().verify(&vp, replay)).unwrap().valid);
        }

        // Issued credentials are kept, so that they can be revoked.
        let mut handle = Wallet::open(&home.0, KeyringMode::None).unwrap();
        assert_eq!(code(handle.delete_credential(&id).unwrap_err()), "kept_for_revocation");

        // Revoked: the record says so at once, and "check again" (on its own handle of the
        // wallet, as the command does) finds the bit set in the re-signed list.
        let d = revoke(&mut w, &id, Some("  left the club ".into())).unwrap();
        let rec = d.summary.revocation.as_ref().unwrap();
        assert!(rec.revoked_at.is_some());
        assert_eq!(rec.revoked_reason.as_deref(), Some("left the club"));
        assert!(d.summary.held.valid, "the stored check is the one before revoking, until checked again");
        // The list to hand over says so too, to a verifier that knows nothing else.
        let out = status_list(w.wallet(), &id).unwrap();
        let signed_list: Value = serde_json::from_str(&out.text).unwrap();
        assert_eq!(signed_list["id"], out.url.as_str());
        assert!(out.url.starts_with("urn:uuid:"));
        let alone = VerifyOptions { status_lists: vec![signed_list], network: false, ..Default::default() };
        let report = tauri::async_runtime::block_on(hallmark_core::credential::verifier::verify(
            &Secured::parse(&d.text).unwrap(),
            &alone,
        ))
        .unwrap();
        assert_eq!(report.first_failure().map(|c| c.check), Some("status"));
        let d = recheck(&mut handle, &id).unwrap();
        assert!(!d.summary.held.valid);
        let (result, detail) = check(&d, "status");
        assert_eq!(result, "failed");
        assert!(detail.contains("revoked"), "{detail}");
        assert!(!list(w.wallet()).unwrap()[0].held.valid, "the session's wallet sees the new result");
    }

    #[test]
    fn check_all_again_names_those_no_longer_valid() {
        let home = TempDir::new("credentials-all");
        let mut w = unlocked(&home.0);
        let alice = w.new_identity(DidMethod::Key, Some("Alice".into()), None).unwrap().did;
        let bob = w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let first = issue(&mut w, humanity(&alice, &bob, "di")).unwrap().summary.held.id;
        let second = issue(&mut w, humanity(&alice, &bob, "jwt")).unwrap().summary.held.id;
        // On its own handle of the wallet, as the command does.
        let mut handle = Wallet::open(&home.0, KeyringMode::None).unwrap();
        let all = recheck_all(&mut handle).unwrap();
        assert_eq!((all.valid, all.not_valid, all.not_checked), (2, 0, 0));
        assert!(all.no_longer_valid.is_empty());
        let mut ids: Vec<&str> = all.credentials.iter().map(|c| c.held.id.as_str()).collect();
        ids.sort_unstable();
        let mut wanted = [first.as_str(), second.as_str()];
        wanted.sort_unstable();
        assert_eq!(ids, wanted);
        assert_eq!(all.credentials[0].issuer_label.as_deref(), Some("Alice"));

        revoke(&mut w, &first, None).unwrap();
        let all = recheck_all(&mut handle).unwrap();
        assert_eq!((all.valid, all.not_valid, all.no_longer_valid.clone()), (1, 1, vec![first.clone()]));
        let valid_of = |list: &[CredentialSummary], id: &str| list.iter().find(|c| c.held.id == id).unwrap().held.valid;
        assert!(!valid_of(&all.credentials, &first) && valid_of(&all.credentials, &second));
        assert!(!valid_of(&list(w.wallet()).unwrap(), &first), "the session's wallet sees the new result");
        // Known already: not "no longer valid" a second time.
        assert!(recheck_all(&mut handle).unwrap().no_longer_valid.is_empty());
    }

    #[test]
    fn received_credentials_are_imported_with_their_status_list_and_deleted() {
        let issuer_home = TempDir::new("credentials");
        let holder_home = TempDir::new("credentials");
        let mut issuer = unlocked(&issuer_home.0);
        let mut holder_w = unlocked(&holder_home.0);
        let club = issuer.new_identity(DidMethod::Key, Some("Club".into()), None).unwrap().did;
        let me = holder_w.new_identity(DidMethod::Jwk, Some("Me".into()), None).unwrap().did;
        let request = IssueRequest {
            kind: "membership".into(),
            issuer: club.clone(),
            subject: me.clone(),
            method: None,
            note: None,
            community_id: Some("https://club.example/".into()),
            community_name: Some("Photo club".into()),
            role: Some("moderator".into()),
            expires: None,
            format: "jwt".into(),
        };
        let issued = issue(&mut issuer, request).unwrap();
        assert!(issued.summary.held.valid, "{}", issued.summary.held.checks);
        assert_eq!(issued.summary.held.format, "jwt");
        assert_eq!(issued.document["credentialSubject"]["memberOf"]["name"], "Photo club");
        assert_eq!(issued.document["credentialSubject"]["role"], "moderator");
        let url = issued.document["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned();
        let list_text = issuer.wallet().status_list_credential(&url).unwrap().to_string();

        let mut holder = Wallet::open(&holder_home.0, KeyringMode::None).unwrap();
        // A JWT is no status list; a list that is not JSON at all is refused before anything is stored.
        assert_eq!(
            code(import(&mut holder, &issued.text, vec![issued.text.clone()]).unwrap_err()),
            "status_unavailable"
        );
        assert_eq!(code(import(&mut holder, &issued.text, vec!["[1]".into()]).unwrap_err()), "invalid_credential");
        assert!(list(&holder).unwrap().is_empty());
        // With the issuer's list every check passes; the holder's own label shows for the subject.
        let d = import(&mut holder, &format!("\n{}\n", issued.text), vec![String::new(), list_text]).unwrap();
        assert!(d.summary.held.valid, "{}", d.summary.held.checks);
        assert_eq!(d.summary.held.origin, "imported");
        assert_eq!(d.summary.issuer_label, None);
        assert_eq!(d.summary.subject_label.as_deref(), Some("Me"));
        assert!(d.summary.revocation.is_none());
        assert_eq!(check(&d, "status").0, "passed");
        // The same credential twice is refused; text that is no credential is refused.
        assert_eq!(code(import(&mut holder, &issued.text, Vec::new()).unwrap_err()), "duplicate");
        assert_eq!(code(import(&mut holder, "hello", Vec::new()).unwrap_err()), "invalid_credential");
        // Only its issuer has its status list.
        assert_eq!(code(status_list(&holder, &d.summary.held.id).unwrap_err()), "not_issued_here");
        assert!(status_list(issuer.wallet(), &issued.summary.held.id).is_ok());
        // Received credentials can be deleted.
        holder.delete_credential(&d.summary.held.id).unwrap();
        assert!(list(&holder).unwrap().is_empty());
    }

    #[test]
    fn a_bad_form_signs_and_stores_nothing() {
        let home = TempDir::new("credentials");
        let mut w = unlocked(&home.0);
        let me = w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let bad = |f: &dyn Fn(&mut IssueRequest)| {
            let mut r = humanity(&me, &me, "di");
            f(&mut r);
            r
        };
        let cases: Vec<(IssueRequest, &str)> = vec![
            (bad(&|r| r.subject = "  ".into()), "bad_setting"),
            (bad(&|r| r.subject = "bob".into()), "invalid_did"),
            (bad(&|r| r.expires = Some("31/12/2099".into())), "invalid_date"),
            (bad(&|r| r.format = "pdf".into()), "unsupported_proof"),
            (bad(&|r| r.method = Some("rumour".into())), "bad_setting"),
            (bad(&|r| r.kind = "diploma".into()), "bad_setting"),
            (bad(&|r| r.kind = "membership".into()), "bad_setting"),
            (
                bad(&|r| {
                    r.kind = "membership".into();
                    r.community_id = Some("Photo club".into());
                }),
                "schema_invalid",
            ),
            (
                bad(&|r| {
                    r.kind = "membership".into();
                    r.community_id = Some("urn:uuid:0f6e1a52-7b0c-4a55-9d0e-3c1f2b8a9e10".into());
                    r.role = Some("king".into());
                }),
                "bad_setting",
            ),
            // Someone else's DID cannot sign.
            (bad(&|r| r.issuer = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp".into()), "not_in_wallet"),
        ];
        for (request, expected) in cases {
            let what = format!("{request:?}");
            assert_eq!(code(issue(&mut w, request).unwrap_err()), expected, "{what}");
        }
        assert!(list(w.wallet()).unwrap().is_empty());
        assert!(w.wallet().status_lists().unwrap().is_empty(), "nothing was signed");
    }
}
