//! The wallet's credentials: issue (each with a revocable Bitstring Status List entry), import,
//! list, show, re-check, delete, present and revoke; the status lists to publish; the trust list.

use serde_json::Value;

use super::{UnlockedWallet, Wallet, WalletError};
use crate::credential::verifier::{self, Report, VerifyOptions};
use crate::credential::{presentation, schema, sign_credential, status, CredentialError, Format, Secured, Suite};
use crate::did;
use crate::store::{
    HeldCredential, IssuedRecord, NewCredential, ReceivedStatusList, StatusListRecord, StoreError, TrustedIssuer,
};

/// A credential just issued: as stored, and as secured (to hand to its subject).
#[derive(Debug, Clone)]
pub struct Issued {
    /// The stored record (local id, checks).
    pub held: HeldCredential,
    /// The signed credential.
    pub secured: Secured,
}

/// The stored fields of a secured credential and its verification report.
fn record(
    secured: &Secured,
    text: String,
    origin: &'static str,
    report: &Report,
) -> Result<NewCredential, WalletError> {
    use sha2::Digest;
    if report.kind != "credential" {
        return Err(CredentialError::InvalidCredential(
            "this is a presentation; import the credentials it holds one by one".into(),
        )
        .into());
    }
    Ok(NewCredential {
        sha256: hex::encode(sha2::Sha256::digest(text.as_bytes())),
        format: secured.format_name().to_owned(),
        proof_suite: report.proof_suite.clone(),
        types: report.types.clone(),
        issuer: report.issuer.clone().unwrap_or_default(),
        subject: report.subject.clone(),
        valid_from: report.valid_from.clone(),
        valid_until: report.valid_until.clone(),
        body: text,
        origin,
        valid: report.valid,
        checks: serde_json::to_value(&report.checks).unwrap_or(Value::Null),
    })
}

/// The URL of an issuer's `n`-th status list: under its did:web site when it has one
/// (`https://example.com/credentials/status/1`), else a `urn:uuid:` that verifiers are given as a file.
fn status_list_url(issuer: &str, n: usize) -> Result<String, WalletError> {
    if issuer.starts_with("did:web:") {
        let doc_url = did::did_web_url(issuer)?;
        let base = doc_url.trim_end_matches("did.json").trim_end_matches(".well-known/");
        return Ok(format!("{base}credentials/status/{n}"));
    }
    Ok(crate::ids::random_urn_uuid().map_err(|e| CredentialError::Sign(format!("no randomness: {e}")))?)
}

/// Keeps the status list credentials a person gave (`lists`) that verify — signed by their
/// issuer, in date — so that credentials pointing to them can be checked again offline. Lists
/// that do not verify are not kept (and were not used for a passing check either).
pub(crate) async fn keep_status_lists(
    store: &mut crate::store::Store,
    lists: &[Value],
    options: &VerifyOptions,
) -> Result<(), WalletError> {
    for list in lists {
        let Some(url) = list.get("id").and_then(Value::as_str) else { continue };
        let Ok(report) = verifier::verify(&Secured::Json(list.clone()), options).await else { continue };
        if !report.valid || !report.types.iter().any(|t| t == "BitstringStatusListCredential") {
            continue;
        }
        let Some(issuer) = report.issuer.as_deref() else { continue };
        let text = serde_json::to_string(list).map_err(|e| CredentialError::Status(e.to_string()))?;
        let revoked = status::freshness(list).1;
        if store.keep_status_list(url, issuer, report.valid_from.as_deref(), revoked, &text)? {
            tracing::debug!(url, "status list kept");
        }
    }
    Ok(())
}

impl Wallet {
    /// Verification options that know what this wallet knows: its own status lists, the DID
    /// documents of its did:web identities, its trust list and its own identities (trusted), plus
    /// `extra_lists` (status list credentials given by the person).
    pub fn verify_options(&self, extra_lists: Vec<Value>) -> Result<VerifyOptions, WalletError> {
        let mut options = VerifyOptions { status_lists: extra_lists, ..Default::default() };
        for list in self.store.status_lists()? {
            if let Some(c) = list.credential.as_deref().and_then(|c| serde_json::from_str(c).ok()) {
                options.status_lists.push(c);
            }
        }
        for list in self.store.received_status_lists()? {
            if let Ok(c) = serde_json::from_str(&list.credential) {
                options.kept_lists.push(c);
            }
        }
        for id in self.store.identities()? {
            if id.method == "web" {
                if let Ok(key) = super::ed25519_public(&id) {
                    if let Ok(doc) = did::did_web_document(&id.did, &key) {
                        options.documents.push(doc);
                    }
                }
            }
            if id.key_type == "ed25519" {
                options.trusted.push((id.did.clone(), "it is one of your own identities".into()));
            }
        }
        for (did, name) in self.store.active_moderators()? {
            options.trusted.push((did, format!("moderator of {name}")));
        }
        for t in self.store.trusted()? {
            let why = match t.label {
                Some(l) => format!("in your trust list as “{l}”"),
                None => "in your trust list".into(),
            };
            options.trusted.push((t.did, why));
        }
        Ok(options)
    }

    /// Verifies a credential or presentation with what this wallet knows (see [`Wallet::verify_options`]).
    pub async fn verify(&self, secured: &Secured, options: VerifyOptions) -> Result<Report, WalletError> {
        Ok(verifier::verify(secured, &options).await?)
    }

    /// Reads, verifies and stores a credential (JSON or JWT text). It is stored even when a check
    /// fails — the result is stored with it and shown — but never when it cannot be read at all.
    pub async fn import_credential(
        &mut self,
        text: &str,
        extra_lists: Vec<Value>,
    ) -> Result<HeldCredential, WalletError> {
        let secured = Secured::parse(text)?;
        let options = self.verify_options(extra_lists.clone())?;
        let report = self.verify(&secured, options.clone()).await?;
        let body = match &secured {
            Secured::Json(_) => text.trim().to_owned(),
            Secured::Jwt(j) => j.clone(),
        };
        let new = record(&secured, body, "imported", &report)?;
        let held = self.store.insert_credential(&new)?;
        Box::pin(keep_status_lists(&mut self.store, &extra_lists, &options)).await?;
        tracing::info!(id = %held.id, valid = held.valid, "credential imported");
        Ok(held)
    }

    /// Every stored credential, newest first.
    pub fn credentials(&self) -> Result<Vec<HeldCredential>, WalletError> {
        Ok(self.store.credentials()?)
    }

    /// The stored credential with this id (or unique id prefix).
    pub fn credential(&self, id: &str) -> Result<HeldCredential, WalletError> {
        self.store.credential(id.trim())?.ok_or_else(|| WalletError::NoSuchCredential(id.trim().to_owned()))
    }

    /// Verifies a stored credential again (dates and revocation change) and stores the result.
    pub async fn recheck(
        &mut self,
        id: &str,
        extra_lists: Vec<Value>,
    ) -> Result<(HeldCredential, Report), WalletError> {
        let held = self.credential(id)?;
        let secured = Secured::parse(&held.body)?;
        let options = self.verify_options(extra_lists.clone())?;
        let report = self.verify(&secured, options.clone()).await?;
        Box::pin(keep_status_lists(&mut self.store, &extra_lists, &options)).await?;
        self.store.update_check(
            &held.id,
            report.valid,
            &serde_json::to_value(&report.checks).unwrap_or(Value::Null),
        )?;
        Ok((self.credential(&held.id)?, report))
    }

    /// Verifies every stored credential again, side by side on all cores (see
    /// [`verifier::verify_all`]), and stores each result: for a holder, whether any was revoked or
    /// expired since. Returns each credential (as stored now, newest first) with its report, or
    /// with the reason it could not be checked this time (it then keeps its last result).
    pub async fn recheck_all(
        &mut self,
        extra_lists: Vec<Value>,
    ) -> Result<Vec<(HeldCredential, Result<Report, CredentialError>)>, WalletError> {
        let held = self.credentials()?;
        let parsed: Vec<Result<Secured, CredentialError>> = held.iter().map(|h| Secured::parse(&h.body)).collect();
        let inputs: Vec<Secured> = parsed.iter().filter_map(|p| p.as_ref().ok().cloned()).collect();
        let options = self.verify_options(extra_lists.clone())?;
        let shared = options.clone();
        let reports = tokio::task::spawn_blocking(move || verifier::verify_all(&inputs, &shared))
            .await
            .map_err(|e| WalletError::from(CredentialError::Verify(format!("the verification stopped: {e}"))))?;
        Box::pin(keep_status_lists(&mut self.store, &extra_lists, &options)).await?;
        let mut reports = reports.into_iter();
        let mut checked = Vec::new();
        for (held, parsed) in held.into_iter().zip(parsed) {
            let result = match parsed {
                Ok(_) => reports.next().expect("one report per readable credential"),
                Err(e) => Err(e),
            };
            if let Ok(report) = &result {
                let checks = serde_json::to_value(&report.checks).unwrap_or(Value::Null);
                self.store.update_check(&held.id, report.valid, &checks)?;
            }
            checked.push((self.credential(&held.id)?, result));
        }
        Ok(checked)
    }

    /// Deletes a held credential (credentials this wallet issued are kept, to revoke them).
    pub fn delete_credential(&mut self, id: &str) -> Result<HeldCredential, WalletError> {
        let held = self.credential(id)?;
        self.store.delete_credential(&held.id)?;
        Ok(held)
    }

    /// Revocation record of a credential this wallet issued.
    pub fn issued_record(&self, id: &str) -> Result<IssuedRecord, WalletError> {
        let held = self.credential(id)?;
        self.store.issued(&held.id)?.ok_or(WalletError::NotIssuedHere(held.id))
    }

    /// The wallet's status lists.
    pub fn status_lists(&self) -> Result<Vec<StatusListRecord>, WalletError> {
        Ok(self.store.status_lists()?)
    }

    /// Other issuers' status lists this wallet keeps (see [`Wallet::add_status_list`]).
    pub fn kept_status_lists(&self) -> Result<Vec<ReceivedStatusList>, WalletError> {
        Ok(self.store.received_status_lists()?)
    }

    /// Keeps another issuer's status list credential (e.g. a newer one after a revocation), so
    /// that credentials pointing to it are checked against it from now on, offline too. It must
    /// verify (signed by its issuer, in date) and be a `BitstringStatusListCredential`; a copy
    /// older than the one kept is refused, as it could hide a revocation.
    pub async fn add_status_list(&mut self, list: Value) -> Result<ReceivedStatusList, WalletError> {
        let url = list.get("id").and_then(Value::as_str).unwrap_or_default().to_owned();
        let options = self.verify_options(Vec::new())?;
        let report = verifier::verify(&Secured::Json(list.clone()), &options).await?;
        if !report.types.iter().any(|t| t == "BitstringStatusListCredential") || url.is_empty() {
            return Err(CredentialError::Status("this is not a status list credential".into()).into());
        }
        if !report.valid {
            let why = report.first_failure().map(|c| c.detail.clone()).unwrap_or_default();
            return Err(CredentialError::Status(format!("the status list {url} is not valid: {why}")).into());
        }
        let issuer = report.issuer.clone().unwrap_or_default();
        let text = serde_json::to_string(&list).map_err(|e| CredentialError::Status(e.to_string()))?;
        let revoked = status::freshness(&list).1;
        if !self.store.keep_status_list(&url, &issuer, report.valid_from.as_deref(), revoked, &text)? {
            return Err(CredentialError::Status(format!(
                "a newer copy of the status list {url} is kept already (or it belongs to another issuer); nothing was changed"
            ))
            .into());
        }
        Ok(self.store.received_status_lists()?.into_iter().find(|l| l.url == url).expect("the list was just written"))
    }

    /// The latest signed credential of the status list published at `url`.
    pub fn status_list_credential(&self, url: &str) -> Result<Value, WalletError> {
        let list = self
            .store
            .status_list_by_url(url)?
            .ok_or_else(|| CredentialError::Status(format!("{url} is not one of this wallet's status lists")))?;
        let text = list.credential.ok_or_else(|| CredentialError::Status(format!("{url} has not been signed yet")))?;
        serde_json::from_str(&text).map_err(|e| StoreError::Corrupt { path: url.into(), reason: e.to_string() }.into())
    }

    /// Adds an issuer to the trust list (after checking the DID is well formed).
    pub fn trust(&self, did: &str, label: Option<&str>) -> Result<String, WalletError> {
        let parsed = did::parse(did)?.to_string();
        self.store.trust(&parsed, label.map(str::trim).filter(|l| !l.is_empty()))?;
        Ok(parsed)
    }

    /// Removes an issuer from the trust list; `false` if it was not there.
    pub fn untrust(&self, did: &str) -> Result<bool, WalletError> {
        Ok(self.store.untrust(did.trim())?)
    }

    /// The trust list.
    pub fn trusted(&self) -> Result<Vec<TrustedIssuer>, WalletError> {
        Ok(self.store.trusted()?)
    }
}

impl UnlockedWallet {
    /// Issues `credential` (unsigned, VC 2.0, its `issuer` one of this wallet's Ed25519
    /// identities): adds the `credentialSchema` of Hallmark's types and a revocation entry in
    /// the issuer's status list (creating and signing the list on first use), signs it in
    /// `format`, verifies it and stores it with its place in the list.
    pub async fn issue(&mut self, credential: Value, format: Format) -> Result<Issued, WalletError> {
        let issuer = credential.get("issuer").and_then(Value::as_str).unwrap_or_default().to_owned();
        let id = self.wallet.identity(&issuer)?;
        let key = self.ed25519_signing_key(&id)?;
        let vm = did::verification_method_id(&id.did)?;
        let mut credential = credential;
        if credential.get("credentialSchema").is_none() {
            let kind = verifier::types_of(&credential).iter().find_map(|t| schema::Kind::from_type(t));
            if let Some(kind) = kind {
                credential["credentialSchema"] = schema::credential_schema(kind);
            }
        }
        // Issued credentials are kept for good (to revoke them): refuse a malformed one before
        // anything is signed or stored.
        schema::validate(&credential)?;
        for _attempt in 0..5 {
            let list = self.status_list_with_room(&id.did, &key, &vm).await?;
            let store = &self.wallet.store;
            let index = status::random_free_index(list.size as usize, |i| {
                store.status_index_used(list.id, i as i64).unwrap_or(true)
            })
            .ok_or_else(|| CredentialError::Status("the status list is full".into()))?;
            let mut c = credential.clone();
            c["credentialStatus"] = status::entry(&list.url, index);
            let secured = sign_credential(c, &key, &vm, format).await?;
            let report = self.wallet.verify(&secured, self.wallet.verify_options(Vec::new())?).await?;
            let body = secured.to_text().trim().to_owned();
            let new = record(&secured, body, "issued", &report)?;
            match self.wallet.store.insert_issued(&new, list.id, index as i64) {
                Ok(held) => {
                    tracing::info!(id = %held.id, issuer = %id.did, "credential issued");
                    return Ok(Issued { held, secured });
                }
                // Another process took the same index meanwhile: pick again.
                Err(StoreError::Sqlite(e))
                    if e.sqlite_error_code() == Some(rusqlite::ErrorCode::ConstraintViolation) =>
                {
                    continue
                }
                Err(e) => return Err(e.into()),
            }
        }
        Err(StoreError::Busy.into())
    }

    /// The issuer's status list with a free index, created and signed if there is none.
    async fn status_list_with_room(
        &mut self,
        issuer: &str,
        key: &ed25519_dalek::SigningKey,
        vm: &str,
    ) -> Result<StatusListRecord, WalletError> {
        let lists = self.wallet.store.status_lists_of(issuer)?;
        for list in &lists {
            // Keep lists at most half full so random indexes stay cheap to find.
            if self.wallet.store.status_list_usage(list.id)? * 2 < list.size {
                return Ok(list.clone());
            }
        }
        let url = status_list_url(issuer, lists.len() + 1)?;
        let bits = status::StatusList::new(status::LIST_SIZE);
        let signed = sign_list(&url, issuer, &bits, key, vm).await?;
        Ok(self.wallet.store.create_status_list(issuer, &url, bits.len() as i64, bits.as_bytes(), &signed)?)
    }

    /// Revokes a credential this wallet issued: sets its bit and re-signs its status list, in
    /// one transaction. Returns the record and the new list credential (to publish).
    /// Revoking twice changes nothing.
    pub async fn revoke(&mut self, id: &str, reason: Option<&str>) -> Result<(IssuedRecord, Value), WalletError> {
        let rec = self.wallet.issued_record(id)?;
        if rec.revoked_at.is_some() {
            return Ok((rec.clone(), self.wallet.status_list_credential(&rec.status_list_url)?));
        }
        for _attempt in 0..5 {
            let list = self.wallet.store.status_list_by_url(&rec.status_list_url)?.ok_or_else(|| {
                CredentialError::Status(format!("the status list {} is missing", rec.status_list_url))
            })?;
            let identity = self.wallet.identity(&list.issuer)?;
            let key = self.ed25519_signing_key(&identity)?;
            let vm = did::verification_method_id(&identity.did)?;
            let mut bits = status::StatusList::from_bytes(list.bits.clone())?;
            bits.set(rec.status_index as usize, true)?;
            let signed = sign_list(&list.url, &list.issuer, &bits, &key, &vm).await?;
            let reason = reason.map(str::trim).filter(|r| !r.is_empty());
            if self.wallet.store.revoke(&rec.credential, reason, list.id, &list.bits, bits.as_bytes(), &signed)? {
                tracing::info!(id = %rec.credential, "credential revoked");
                let rec = self.wallet.issued_record(&rec.credential)?;
                let value = serde_json::from_str(&signed).unwrap_or(Value::Null);
                return Ok((rec, value));
            }
        }
        Err(StoreError::Busy.into())
    }

    /// Makes a presentation of `credentials` signed by `holder` (one of this wallet's Ed25519
    /// identities), bound to `challenge` and `domain`. Refuses credentials about someone else.
    pub async fn present(
        &self,
        holder: &str,
        credentials: &[Secured],
        format: Format,
        challenge: Option<&str>,
        domain: Option<&str>,
    ) -> Result<Secured, WalletError> {
        let id = self.wallet.identity(holder)?;
        for c in credentials {
            let doc = c.document()?;
            let subject = doc
                .get("credentialSubject")
                .and_then(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
                .unwrap_or_else(|| "nobody in particular".into());
            if subject != id.did {
                let kind = verifier::types_of(&doc).last().cloned().unwrap_or_else(|| "credential".into());
                return Err(WalletError::NotSubject { credential: kind, subject, holder: id.did.clone() });
            }
        }
        let key = self.ed25519_signing_key(&id)?;
        let vm = did::verification_method_id(&id.did)?;
        let vp = presentation::presentation(&id.did, credentials);
        Ok(presentation::sign_presentation(vp, &key, &vm, format, challenge, domain).await?)
    }
}

/// Signs a status list credential (Data Integrity, eddsa-rdfc-2022) and returns its JSON text.
async fn sign_list(
    url: &str,
    issuer: &str,
    bits: &status::StatusList,
    key: &ed25519_dalek::SigningKey,
    vm: &str,
) -> Result<String, WalletError> {
    let unsigned = status::list_credential(url, issuer, bits, &crate::store::now_rfc3339());
    let signed = sign_credential(unsigned, key, vm, Format::DataIntegrity(Suite::EddsaRdfc2022)).await?;
    Ok(signed.to_text().trim().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{humanity_credential, HumanityMethod};
    use crate::{DidMethod, KeyringMode, RecoveryPhrase};
    use zeroize::Zeroizing;

    fn wallet(dir: &std::path::Path) -> UnlockedWallet {
        let phrase = RecoveryPhrase::generate().unwrap();
        Wallet::create(dir, &phrase, "passphrase-1", KeyringMode::None).unwrap();
        Wallet::open(dir, KeyringMode::None).unwrap().unlock(|| Ok(Zeroizing::new("passphrase-1".into()))).unwrap()
    }

    fn result_of(r: &Report, name: &str) -> &'static str {
        r.checks.iter().find(|c| c.check == name).map(|c| c.result).unwrap_or("missing")
    }

    /// Checking every held credential again finds the one revoked since, stores each result,
    /// and leaves the others valid.
    #[tokio::test]
    async fn recheck_all_finds_what_changed_and_stores_it() {
        let issuer_dir = tempfile::tempdir().unwrap();
        let holder_dir = tempfile::tempdir().unwrap();
        let mut issuer_w = wallet(issuer_dir.path());
        let mut holder_w = wallet(holder_dir.path());
        let issuer = issuer_w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let holder = holder_w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let mut ids = Vec::new();
        let mut list_url = String::new();
        for format in
            [Format::DataIntegrity(Suite::EddsaRdfc2022), Format::DataIntegrity(Suite::EddsaJcs2022), Format::Jwt]
        {
            let vc =
                humanity_credential(&issuer, &holder, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
            let issued = issuer_w.issue(vc, format).await.unwrap();
            list_url = issued.secured.document().unwrap()["credentialStatus"]["statusListCredential"]
                .as_str()
                .unwrap()
                .to_owned();
            let list = issuer_w.wallet().status_list_credential(&list_url).unwrap();
            let held = holder_w.wallet.import_credential(&issued.secured.to_text(), vec![list]).await.unwrap();
            assert!(held.valid, "{}", held.checks);
            ids.push((issued.held.id, held.id));
        }
        let all = holder_w.wallet.recheck_all(vec![]).await.unwrap();
        assert_eq!(all.len(), 3);
        assert!(all.iter().all(|(h, r)| h.valid && r.as_ref().unwrap().valid));

        // The issuer revokes the second; with its new list, only that one fails, and is stored so.
        let (_, new_list) = issuer_w.revoke(&ids[1].0, Some("left the club")).await.unwrap();
        assert_eq!(new_list["id"], list_url.as_str());
        let all = holder_w.wallet.recheck_all(vec![new_list]).await.unwrap();
        for (held, report) in &all {
            let report = report.as_ref().unwrap();
            let revoked = held.id == ids[1].1;
            assert_eq!((held.valid, report.valid), (!revoked, !revoked), "{}", held.id);
            assert_eq!(result_of(report, "status"), if revoked { "failed" } else { "passed" });
        }
        assert!(!holder_w.wallet.credential(&ids[1].1).unwrap().valid, "the result is stored");
        // The new list is kept: checking again offline still finds it revoked.
        let again = holder_w.wallet.recheck_all(vec![]).await.unwrap();
        assert_eq!(again.iter().filter(|(h, _)| h.valid).count(), 2);
    }

    #[tokio::test]
    async fn issue_import_present_revoke_round_trip() {
        let issuer_dir = tempfile::tempdir().unwrap();
        let holder_dir = tempfile::tempdir().unwrap();
        let mut issuer_w = wallet(issuer_dir.path());
        let mut holder_w = wallet(holder_dir.path());
        let issuer = issuer_w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let holder = holder_w.new_identity(DidMethod::Key, None, None).unwrap().did;
        for (round, format) in
            [Format::DataIntegrity(Suite::EddsaRdfc2022), Format::DataIntegrity(Suite::EddsaJcs2022), Format::Jwt]
                .into_iter()
                .enumerate()
        {
            let vc =
                humanity_credential(&issuer, &holder, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
            let issued = issuer_w.issue(vc, format).await.unwrap();
            assert!(issued.held.valid, "{format:?}: {}", issued.held.checks);
            let doc = issued.secured.document().unwrap();
            assert_eq!(doc["credentialSchema"]["type"], "JsonSchema");
            let list_url = doc["credentialStatus"]["statusListCredential"].as_str().unwrap().to_owned();
            assert!(list_url.starts_with("urn:uuid:"));
            let list = issuer_w.wallet().status_list_credential(&list_url).unwrap();

            // The holder imports it: without the list the status cannot be checked (first
            // round); once a list was given with a credential, the wallet keeps it and later
            // credentials on the same list check offline.
            let text = issued.secured.to_text();
            let held = holder_w.wallet.import_credential(&text, vec![]).await.unwrap();
            if round == 0 {
                assert!(!held.valid);
                assert!(held.checks.to_string().contains(r#""needs":"status_list""#));
            } else {
                assert!(held.valid, "the kept list serves: {}", held.checks);
            }
            holder_w.wallet.delete_credential(&held.id).unwrap();
            // …with it, everything passes; the same text twice is refused.
            let held = holder_w.wallet.import_credential(&text, vec![list.clone()]).await.unwrap();
            assert!(held.valid, "{}", held.checks);
            assert!(matches!(
                holder_w.wallet.import_credential(&text, vec![list.clone()]).await,
                Err(WalletError::Store(StoreError::Duplicate(_)))
            ));

            // A presentation to a verifier with the list at hand.
            let vp = holder_w
                .present(&holder, std::slice::from_ref(&issued.secured), format, Some("n-1"), Some("club"))
                .await
                .unwrap();
            let opts = VerifyOptions {
                challenge: Some("n-1".into()),
                domain: Some("club".into()),
                status_lists: vec![list.clone()],
                ..Default::default()
            };
            assert!(verifier::verify(&vp, &opts).await.unwrap().valid);

            // Revoked: the issuer's new list makes the same presentation fail.
            let (rec, new_list) = issuer_w.revoke(&issued.held.id, Some("left the club")).await.unwrap();
            assert!(rec.revoked_at.is_some());
            let opts = VerifyOptions { status_lists: vec![new_list.clone()], ..opts };
            let r = verifier::verify(&vp, &opts).await.unwrap();
            assert!(!r.valid);
            // The holder checks again with the new list: revoked; the new list is kept, and an
            // older copy given later does not bring the credential back.
            let (h, _) = holder_w.wallet.recheck(&held.id, vec![new_list.clone()]).await.unwrap();
            assert!(!h.valid, "{}", h.checks);
            let (h, rep) = holder_w.wallet.recheck(&held.id, vec![]).await.unwrap();
            assert!(!h.valid);
            assert!(rep.checks.iter().any(|c| c.check == "status" && c.detail.contains("revoked")), "{rep:?}");
            let (h, _) = holder_w.wallet.recheck(&held.id, vec![list.clone()]).await.unwrap();
            assert!(!h.valid, "the older list given again must not hide the revocation");
            let kept = holder_w.wallet.store.received_status_lists().unwrap();
            assert_eq!(kept.len(), 1);
            assert_eq!(kept[0].credential, serde_json::to_string(&new_list).unwrap());
            assert_eq!(result_of(&r.credentials[0], "status"), "failed");
            assert!(r.credentials[0].checks.iter().any(|c| c.detail.contains("revoked")));
            // Revoking again changes nothing; a held (not issued) credential cannot be revoked.
            let (again, _) = issuer_w.revoke(&issued.held.id, None).await.unwrap();
            assert_eq!(again.revoked_at, rec.revoked_at);
            assert!(matches!(holder_w.revoke(&held.id, None).await, Err(WalletError::NotIssuedHere(_))));
            // The holder cannot present someone else's credential.
            let other =
                humanity_credential(&issuer, &issuer, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
            let other = issuer_w.issue(other, format).await.unwrap();
            assert!(matches!(
                holder_w.present(&holder, &[other.secured], format, None, None).await,
                Err(WalletError::NotSubject { .. })
            ));
        }
        // All credentials of one issuer share its one list.
        assert_eq!(issuer_w.wallet().status_lists().unwrap().len(), 1);
    }

    #[tokio::test]
    async fn a_credential_that_breaks_its_schema_is_refused_before_signing() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = wallet(dir.path());
        let issuer = w.new_identity(DidMethod::Key, None, None).unwrap().did;
        let mut vc =
            humanity_credential(&issuer, &issuer, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
        vc["credentialSubject"]["email"] = serde_json::json!("someone@example.com");
        let err = w.issue(vc, Format::Jwt).await.unwrap_err();
        assert!(matches!(err, WalletError::Credential(CredentialError::Schema(_))), "{err}");
        assert!(w.wallet().credentials().unwrap().is_empty());
        assert!(w.wallet().status_lists().unwrap().is_empty(), "nothing was created");
    }

    #[tokio::test]
    async fn did_web_issuers_publish_lists_under_their_site() {
        let dir = tempfile::tempdir().unwrap();
        let mut w = wallet(dir.path());
        let issuer = w.new_identity(DidMethod::Web, None, Some("example.com/club")).unwrap().did;
        let vc = humanity_credential(&issuer, &issuer, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
        let issued = w.issue(vc, Format::Jwt).await.unwrap();
        // Verified offline with the wallet's own did:web document.
        assert!(issued.held.valid, "{}", issued.held.checks);
        let doc = issued.secured.document().unwrap();
        assert_eq!(doc["credentialStatus"]["statusListCredential"], "https://example.com/club/credentials/status/1");
    }
}
