//! Reading and verifying content credentials: a serializable report for people and programs.
//!
//! The verdict follows C2PA's validation states, with Hallmark's names:
//!
//! | [`Verdict`] | C2PA state | meaning |
//! |---|---|---|
//! | `valid` | Trusted | signature, hashes and history check out, and the signer chains to a trust anchor given |
//! | `untrusted_signer` | Valid | all checks pass except that the signer is not in the trust anchors (every self-issued wallet certificate, until its CA is trusted) |
//! | `invalid` | Invalid | something failed: each failure is listed with its C2PA code and a plain explanation |
//!
//! Whether the signer's *DID* is one the user trusts (trust list, communities) is the caller's
//! business: the report gives the DID from the certificate.

use std::collections::HashSet;
use std::io::Cursor;
use std::path::Path;

use serde::Serialize;
use serde_json::Value;

use super::sign::from_c2pa;
use super::{mime_from_path, sidecar_path, supported_mime, ManifestError};

/// What to trust when verifying.
#[derive(Debug, Clone, Default)]
pub struct VerifyOptions {
    /// PEM certificates (one or more per string) of the certificate authorities to trust, e.g. a
    /// wallet's media CA ([`super::WalletCa::certificate_pem`]). Empty: every signer is untrusted.
    pub trust_anchors: Vec<String>,
}

/// The overall verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum Verdict {
    /// Every check passed and the signer is trusted.
    Valid,
    /// Every check passed, but the signer's certificate is not from a trusted authority.
    UntrustedSigner,
    /// At least one check failed (see the failures).
    Invalid,
}

/// One failed check.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// The C2PA validation status code, e.g. `assertion.dataHash.mismatch`.
    pub code: String,
    /// What it means, in plain words.
    pub explanation: String,
    /// The validator's own technical detail, when it gave one.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detail: Option<String>,
    /// Where in the manifest store (a JUMBF URI), when known.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub url: Option<String>,
}

/// Who signed a manifest, from its certificate.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct SignerSummary {
    /// The DID in the certificate's subject alternative name (Hallmark signers; `None` for others).
    pub did: Option<String>,
    /// The certificate's common name (a Hallmark identity's label).
    pub common_name: Option<String>,
    /// The certificate's organization.
    pub organization: Option<String>,
    /// Who issued the certificate (issuer organization, else common name).
    pub issuer: Option<String>,
    /// The signature algorithm (e.g. `Ed25519`).
    pub algorithm: Option<String>,
    /// The certificate's serial number.
    pub serial_number: Option<String>,
    /// When the certificate expires (RFC 3339).
    pub certificate_expires: Option<String>,
    /// The certificate's Ed25519 public key (64 hex digits), when it is one: a verifier checks
    /// that it is the DID's own key before believing the DID (`Wallet::verify_media`).
    pub public_key: Option<String>,
    /// The manifest's CAWG identity assertions (`cawg.identity`): who the manifest names as its
    /// actor, each validated by c2pa. Hallmark writes one, naming the signer's DID.
    pub identity_assertions: Vec<IdentityAssertionSummary>,
    /// The humanity credential the signer embedded (Hallmark's `org.hallmark.humanity`
    /// assertion), unverified: check it with a VC verifier.
    pub humanity: Option<HumanityCredential>,
}

/// How a CAWG identity assertion validated.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum IdentityState {
    /// Its signature is genuine, it matches this manifest, and its credential (certificate)
    /// comes from a trust anchor given.
    Valid,
    /// Signature genuine and matching this manifest, but the credential is not shown to come from
    /// a trust anchor (every self-issued wallet certificate, until its CA is trusted; also an
    /// ingredient's identity assertion, for which no trust result is recorded).
    UntrustedSigner,
    /// A check failed (forged or altered signature, statements that do not match the manifest,
    /// malformed): see its failures. In the file's own manifest this makes the verdict invalid.
    Invalid,
    /// Not validated, and not an X.509 identity: e.g. an identity claims aggregation credential
    /// whose issuer's DID document would have to be fetched (Hallmark reads offline).
    NotChecked,
}

/// One CAWG identity assertion: the named actor and what it signed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IdentityAssertionSummary {
    /// Its label (`cawg.identity`, `cawg.identity__1`…).
    pub label: String,
    /// Its credential type: `cawg.x509.cose` (an X.509 certificate, as Hallmark writes) or
    /// `cawg.identity_claims_aggregation` (an identity provider's credential).
    pub sig_type: Option<String>,
    /// The named actor's DID: for `cawg.x509.cose`, the DID in the certificate's subject
    /// alternative name.
    pub did: Option<String>,
    /// The credential's common name.
    pub common_name: Option<String>,
    /// Who issued the credential (organization, else common name).
    pub issuer: Option<String>,
    /// The named actor's roles (`cawg.creator`, `cawg.editor`, `cawg.publisher`…).
    pub roles: Vec<String>,
    /// The assertions the actor signed over, by label (always the hard binding, i.e. the content).
    pub referenced_assertions: Vec<String>,
    /// The validation result.
    pub state: IdentityState,
    /// The named actor's DID is the DID of the manifest's signer (the claim certificate).
    pub same_as_signer: bool,
    /// Every check of this assertion that failed (an untrusted credential included).
    pub failures: Vec<Finding>,
}

/// A humanity credential embedded by the signer, as found (not verified here).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct HumanityCredential {
    /// The credential's `id`.
    pub id: Option<String>,
    /// Its issuer (`issuer`, or `issuer.id`).
    pub issuer: Option<String>,
    /// Its subject (`credentialSubject.id`, the first one if several).
    pub subject: Option<String>,
    /// Its types.
    pub types: Vec<String>,
    /// The subject is the manifest signer's DID (else the credential is about someone else and
    /// says nothing about this signer).
    pub subject_is_signer: bool,
    /// An identity assertion naming the signer's DID, not invalid, signed over it.
    pub covered_by_identity: bool,
    /// The credential's JSON text exactly as embedded, for the wallet's VC verifier.
    pub json: String,
}

/// One action of the `c2pa.actions` assertion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ActionSummary {
    /// The action, e.g. `c2pa.created`.
    pub action: String,
    /// The IPTC digital source type, short form (`digitalCapture`, `trainedAlgorithmicMedia`…).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub digital_source_type: Option<String>,
    /// When, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub when: Option<String>,
    /// The software that did it, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub software_agent: Option<String>,
    /// A description, if stated.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub description: Option<String>,
}

/// What the manifest says about AI.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum AiDisclosure {
    /// No action declares an AI or algorithmic source.
    None,
    /// Created by generative AI (`trainedAlgorithmicMedia`, `trainedAlgorithmicData`).
    Generated,
    /// Made partly with generative AI (`compositeWithTrainedAlgorithmicMedia`, `compositeSynthetic`).
    Composite,
    /// Made by a non-AI algorithm (`algorithmicMedia`), e.g. procedural rendering.
    Algorithmic,
}

/// AI training and data mining permissions (CAWG `cawg.training-mining`, or the C2PA 1.x
/// `c2pa.training-mining`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrainingPermissions {
    /// The assertion's label.
    pub label: String,
    /// Each entry (`ai_generative_training`, `ai_inference`, `ai_training`, `data_mining`, without
    /// prefix) and its `use`: `allowed`, `notAllowed` or `constrained`.
    pub entries: std::collections::BTreeMap<String, String>,
    /// True when any entry is not `allowed` (the content must not be used for AI without permission).
    pub restricted: bool,
}

/// One manifest: the file's own (active) manifest, or an ingredient's.
#[derive(Debug, Clone, Serialize)]
pub struct ManifestSummary {
    /// The manifest's label (a `urn:c2pa:` URN).
    pub label: String,
    /// The title.
    pub title: Option<String>,
    /// The media type it describes.
    pub format: Option<String>,
    /// The software that made the manifest, e.g. `Hallmark 0.1.0`.
    pub claim_generator: Option<String>,
    /// Who signed.
    pub signer: SignerSummary,
    /// When it was signed (RFC 3339): from the trusted time stamp if the manifest has one, else
    /// the time the signer's own clock stated for its actions.
    pub signed_at: Option<String>,
    /// `signed_at` comes from a time-stamp authority (else it is only the signer's word).
    pub time_stamped: bool,
    /// Authors stated in metadata (CAWG `dc:creator`, schema.org CreativeWork `author`).
    pub authors: Vec<String>,
    /// The actions, in order.
    pub actions: Vec<ActionSummary>,
    /// AI disclosure from this manifest's actions.
    pub ai: AiDisclosure,
    /// AI disclosure anywhere in this manifest or its ingredients (the strongest found).
    pub ai_in_history: AiDisclosure,
    /// Training and mining permissions, if stated.
    pub training: Option<TrainingPermissions>,
    /// The media type of the embedded thumbnail, if any.
    pub thumbnail: Option<String>,
    /// The ingredients (parent, components…), each with its own history.
    pub ingredients: Vec<IngredientSummary>,
}

/// One ingredient of a manifest.
#[derive(Debug, Clone, Serialize)]
pub struct IngredientSummary {
    /// Its title (usually the file name).
    pub title: Option<String>,
    /// Its media type.
    pub format: Option<String>,
    /// `parentOf`, `componentOf` or `inputTo`.
    pub relationship: String,
    /// The validation recorded for it when it was added, by the signer of the parent manifest.
    pub verdict: Option<Verdict>,
    /// Failures recorded for it.
    pub failures: Vec<Finding>,
    /// Its own manifest, when it had content credentials.
    pub manifest: Option<Box<ManifestSummary>>,
}

/// The verification report of one file.
#[derive(Debug, Clone, Serialize)]
pub struct VerifyReport {
    /// The verdict.
    pub verdict: Verdict,
    /// Every failed check (the active manifest's and its ingredients'), with explanations; an
    /// untrusted signer is listed here too.
    pub failures: Vec<Finding>,
    /// The media type read.
    pub format: String,
    /// The manifest came from a `.c2pa` sidecar rather than the file.
    pub sidecar: bool,
    /// The file's (active) manifest; `None` only when the manifest store could not be read at all.
    pub manifest: Option<ManifestSummary>,
}

/// Verifies a file's embedded manifest (`format`: media type or extension).
pub fn verify_bytes(bytes: &[u8], format: &str, options: &VerifyOptions) -> Result<VerifyReport, ManifestError> {
    let mime = supported_mime(format).ok_or_else(|| ManifestError::UnsupportedFormat { what: format.to_string() })?;
    let reader =
        c2pa::Reader::from_context(super::context(&options.trust_anchors)?).with_stream(mime, Cursor::new(bytes));
    report(reader, mime, false, "the file")
}

/// Verifies `asset` (`format`: media type or extension) against a sidecar manifest store.
pub fn verify_sidecar_bytes(
    manifest_store: &[u8],
    asset: &[u8],
    format: &str,
    options: &VerifyOptions,
) -> Result<VerifyReport, ManifestError> {
    let mime = supported_mime(format).ok_or_else(|| ManifestError::UnsupportedFormat { what: format.to_string() })?;
    let reader = c2pa::Reader::from_context(super::context(&options.trust_anchors)?).with_manifest_data_and_stream(
        manifest_store,
        mime,
        Cursor::new(asset),
    );
    report(reader, mime, true, "the file")
}

/// Verifies the file at `path`: its embedded manifest, else a `.c2pa` sidecar next to it
/// ([`super::sidecar_path`]). `path` may also be the `.c2pa` sidecar itself, when exactly one
/// supported file of the same name is beside it.
pub fn verify_file(path: &Path, options: &VerifyOptions) -> Result<VerifyReport, ManifestError> {
    if path.extension().is_some_and(|e| e.eq_ignore_ascii_case("c2pa")) {
        let asset = asset_of_sidecar(path)?;
        return verify_file(&asset, options);
    }
    let what = path.display().to_string();
    let mime = mime_from_path(path).ok_or_else(|| ManifestError::UnsupportedFormat { what: what.clone() })?;
    let bytes = std::fs::read(path).map_err(|e| ManifestError::io("read", path, e))?;
    let embedded = verify_bytes(&bytes, mime, options);
    let sidecar = sidecar_path(path);
    match embedded {
        Err(ManifestError::NoManifest(_)) if sidecar.is_file() => {
            let store = std::fs::read(&sidecar).map_err(|e| ManifestError::io("read", &sidecar, e))?;
            verify_sidecar_bytes(&store, &bytes, mime, options)
        }
        Err(ManifestError::NoManifest(_)) => Err(ManifestError::NoManifest(what)),
        Err(ManifestError::Corrupt { format, reason, .. }) => {
            Err(ManifestError::Corrupt { path: what, format, reason })
        }
        other => other,
    }
}

/// The content file a `.c2pa` sidecar belongs to: the one supported file with the same stem.
fn asset_of_sidecar(sidecar: &Path) -> Result<std::path::PathBuf, ManifestError> {
    let dir = sidecar.parent().filter(|p| !p.as_os_str().is_empty()).unwrap_or(Path::new("."));
    let stem = sidecar.file_stem().unwrap_or_default();
    let entries = std::fs::read_dir(dir).map_err(|e| ManifestError::io("read", dir, e))?;
    let mut found: Vec<_> = entries
        .filter_map(|e| e.ok().map(|e| e.path()))
        .filter(|p| p.file_stem() == Some(stem) && p != sidecar && mime_from_path(p).is_some())
        .collect();
    found.sort();
    match found.len() {
        1 => Ok(found.remove(0)),
        0 => Err(ManifestError::NoManifest(format!(
            "{} (a sidecar without its content file: verify the photo, video or document it belongs to)",
            sidecar.display()
        ))),
        _ => Err(ManifestError::UnsupportedFormat {
            what: format!("{} (several files share its name: verify the content file itself)", sidecar.display()),
        }),
    }
}

fn report(
    reader: c2pa::Result<c2pa::Reader>,
    mime: &'static str,
    sidecar: bool,
    what: &str,
) -> Result<VerifyReport, ManifestError> {
    let reader = match reader {
        Ok(r) => r,
        Err(c2pa::Error::JumbfNotFound | c2pa::Error::ProvenanceMissing) => {
            return Err(ManifestError::NoManifest(what.to_string()))
        }
        Err(e) => match unreadable_manifest(&e) {
            // A manifest store that cannot even be parsed was damaged or forged: that is a
            // verification result (invalid), not an error of the caller.
            Some(code) => {
                return Ok(VerifyReport {
                    verdict: Verdict::Invalid,
                    failures: vec![Finding {
                        code: code.to_string(),
                        explanation: explain(code),
                        detail: Some(e.to_string()),
                        url: None,
                    }],
                    format: mime.to_string(),
                    sidecar,
                    manifest: None,
                })
            }
            None => return Err(from_c2pa(e, what, mime)),
        },
    };
    // An untrusted identity credential is reported with its identity assertion (the signer's
    // untrusted certificate is already one finding); every other failure stays here.
    let failures: Vec<Finding> = reader
        .validation_results()
        .map(all_failures)
        .unwrap_or_default()
        .into_iter()
        .filter(|f| !(is_untrusted(&f.code) && f.url.as_deref().is_some_and(is_identity_url)))
        .collect();
    let verdict = match reader.validation_state() {
        c2pa::ValidationState::Trusted => Verdict::Valid,
        c2pa::ValidationState::Valid => Verdict::UntrustedSigner,
        c2pa::ValidationState::Invalid => Verdict::Invalid,
    };
    let ctx = ReadContext::new(&reader);
    let manifest = reader.active_manifest().map(|m| {
        let mut s = summarize(&ctx, m, &mut HashSet::new(), 0);
        // C2PA 2 claims no longer state their format: it is the file's.
        s.format.get_or_insert_with(|| mime.to_string());
        s
    });
    let mut failures = failures;
    // A forged or altered identity assertion in the file's own manifest makes it invalid (newer
    // c2pa releases report it but leave the manifest valid; the named actor would be a lie).
    let mut forged_identity = false;
    for id in manifest.iter().flat_map(|m| &m.signer.identity_assertions) {
        if id.state == IdentityState::Invalid {
            forged_identity = true;
            for f in &id.failures {
                if !failures.contains(f) && !is_untrusted(&f.code) {
                    failures.push(f.clone());
                }
            }
        }
    }
    let verdict = if forged_identity { Verdict::Invalid } else { verdict };
    if manifest.is_none() && failures.is_empty() {
        failures.push(Finding {
            code: "claim.missing".into(),
            explanation: explain("claim.missing"),
            detail: None,
            url: None,
        });
    }
    let verdict = if manifest.is_none() { Verdict::Invalid } else { verdict };
    Ok(VerifyReport { verdict, failures, format: mime.to_string(), sidecar, manifest })
}

/// The C2PA status code for a manifest store the reader could not parse at all, if `e` is one.
fn unreadable_manifest(e: &c2pa::Error) -> Option<&'static str> {
    use c2pa::Error as E;
    Some(match e {
        E::JumbfParseError(_) | E::JumbfBoxNotFound | E::JumbfCreationError | E::MissingDataBox => {
            "manifest.inaccessible"
        }
        E::ClaimDecoding(_) | E::ClaimInvalidContent | E::ClaimMissingSignatureBox | E::InvalidClaim(_) => {
            "claim.malformed"
        }
        E::ClaimMissing { .. } => "claim.missing",
        E::CoseSignature | E::CoseInvalidCert | E::CoseX5ChainMissing => "claimSignature.mismatch",
        E::HashMismatch(_) => "assertion.dataHash.mismatch",
        E::CborError(_) | E::AssertionDecoding(_) => "claim.cbor.invalid",
        E::PrereleaseError => "claim.malformed",
        E::InvalidManifest(_) => "claim.malformed",
        _ => return None,
    })
}

fn findings(codes: &[c2pa::validation_status::ValidationStatus]) -> Vec<Finding> {
    codes
        .iter()
        .map(|s| Finding {
            code: s.code().to_string(),
            explanation: explain(s.code()),
            detail: s.explanation().map(str::to_string),
            url: s.url().map(str::to_string),
        })
        .collect()
}

fn all_failures(results: &c2pa::ValidationResults) -> Vec<Finding> {
    let mut out = Vec::new();
    if let Some(active) = results.active_manifest() {
        out.extend(findings(active.failure()));
    }
    for delta in results.ingredient_deltas().into_iter().flatten() {
        out.extend(findings(delta.validation_deltas().failure()));
    }
    out
}

/// A plain-language explanation of a C2PA validation status code.
pub fn explain(code: &str) -> String {
    let text = match code {
        "signingCredential.untrusted" => {
            "The signature is genuine, but the signer's certificate does not come from an authority you trust: \
             the signer issued it themselves (every Hallmark wallet does). Decide whether you trust the signer \
             named here."
        }
        "signingCredential.expired" => {
            "The signer's certificate is expired (or not yet valid) at this time, so the signature can no longer be relied on."
        }
        "signingCredential.invalid" => {
            "The signer's certificate is not acceptable for signing content (wrong kind of certificate or damaged)."
        }
        "signingCredential.ocsp.revoked" => "The signer's certificate was revoked by its issuer.",
        "assertion.dataHash.mismatch"
        | "assertion.bmffHash.mismatch"
        | "assertion.boxesHash.mismatch"
        | "assertion.collectionHash.mismatch" => {
            "The content was changed after it was signed: the picture, sound, video or pages no longer match \
             what the signer signed."
        }
        "claimSignature.mismatch" => {
            "The signature does not match the provenance record: the record was altered after it was signed, \
             or the signature is forged."
        }
        "claimSignature.missing" => "The provenance record has no signature.",
        "claimSignature.outsideValidity" => "The signature was made outside the certificate's validity period.",
        "assertion.hashedURI.mismatch" | "hashedURI.mismatch" => {
            "A statement in the provenance record (such as the edit list, author or thumbnail) was altered after signing."
        }
        "assertion.missing" | "hashedURI.missing" | "assertion.inaccessible" => {
            "A statement the signer made is missing from the provenance record: it was removed or damaged."
        }
        "assertion.undeclared" => "The provenance record contains a statement the signer did not sign.",
        "assertion.action.malformed" => "The list of edits is malformed.",
        "assertion.action.ingredientMismatch" => "An edit refers to an earlier version that does not match.",
        "assertion.dataHash.malformed" | "assertion.bmffHash.malformed" | "assertion.boxesHash.malformed" => {
            "The fingerprint of the content inside the provenance record is malformed."
        }
        "assertion.cbor.invalid" | "assertion.json.invalid" | "claim.cbor.invalid" => {
            "Part of the provenance record cannot be decoded: it was damaged or tampered with."
        }
        "assertion.metadata.disallowed" => "The provenance record contains metadata that C2PA does not allow.",
        "claim.missing" => "There is no readable provenance record in the content credentials.",
        "claim.malformed" => "The provenance record is damaged or malformed: it was altered or corrupted.",
        "claim.multiple" => "There is more than one provenance record where only one is allowed.",
        "claim.hardBindings.missing" => "The provenance record is not tied to the file's content.",
        "assertion.multipleHardBindings" => "The provenance record is tied to the content more than once.",
        "manifest.inaccessible" => {
            "The content credentials are damaged and cannot be read: the file was altered or corrupted."
        }
        "manifest.multipleParents" => "The history names more than one parent version.",
        "manifest.compressed.invalid" => "The compressed provenance record is damaged.",
        "ingredient.manifest.mismatch" | "ingredient.hashedURI.mismatch" => {
            "The history of an earlier version was altered after this file was signed."
        }
        "ingredient.manifest.missing" => "The content credentials of an earlier version are missing.",
        "ingredient.claimSignature.mismatch" => "The signature of an earlier version does not match.",
        "ingredient.claimSignature.missing" => "An earlier version's record has no signature.",
        "timeStamp.mismatch" | "timeStamp.malformed" => "The trusted time stamp is damaged or does not match.",
        "timeStamp.outsideValidity" => "The time stamp is outside the certificate's validity.",
        "timeStamp.untrusted" => "The time stamp comes from an authority you do not trust.",
        "algorithm.unsupported" => "The signature uses an algorithm that is not supported.",
        "general.error" => "The content credentials could not be checked because of an internal error.",
        "cawg.x509.signature.mismatch" | "cawg.ica.signature_mismatch" => {
            "The identity statement (who made this, by DID) has a signature that does not match: it was \
             forged or altered."
        }
        "cawg.x509.credential.untrusted" => {
            "The identity statement is signed with a certificate that does not come from an authority you \
             trust (every Hallmark wallet issues its own). Decide whether you trust the person named."
        }
        "cawg.identity.assertion.mismatch" | "cawg.ica.signer_payload.mismatch" => {
            "The identity statement vouches for parts of the provenance record that differ from this file's: \
             it was copied from another file or altered."
        }
        "cawg.identity.hard_binding_missing" => "The identity statement does not cover the content itself.",
        "cawg.identity.assertion.duplicate" => "The identity statement lists the same part of the record twice.",
        "cawg.identity.pad.invalid" | "cawg.identity.cbor.invalid" => {
            "The identity statement is malformed: it was damaged or tampered with."
        }
        "cawg.identity.sig_type.unknown" => "The identity statement uses a kind of credential that cannot be checked.",
        c if c.starts_with("cawg.ica.") => {
            "The identity provider's credential in the identity statement could not be verified."
        }
        _ => return format!("A content credentials check failed ({code})."),
    };
    text.to_string()
}

/// The short name of an IPTC digital source type URL.
fn short_source_type(url: &str) -> String {
    url.rsplit('/').next().unwrap_or(url).to_string()
}

fn ai_of(source_type: &str) -> AiDisclosure {
    match source_type {
        "trainedAlgorithmicMedia" | "trainedAlgorithmicData" => AiDisclosure::Generated,
        "compositeWithTrainedAlgorithmicMedia" | "compositeSynthetic" => AiDisclosure::Composite,
        "algorithmicMedia" | "algorithmicallyEnhanced" => AiDisclosure::Algorithmic,
        _ => AiDisclosure::None,
    }
}

/// The stronger of two disclosures (Generated > Composite > Algorithmic > None).
fn stronger(a: AiDisclosure, b: AiDisclosure) -> AiDisclosure {
    let rank = |d| match d {
        AiDisclosure::None => 0,
        AiDisclosure::Algorithmic => 1,
        AiDisclosure::Composite => 2,
        AiDisclosure::Generated => 3,
    };
    if rank(b) > rank(a) {
        b
    } else {
        a
    }
}

fn text(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o
            .get("name")
            .or_else(|| o.get("@id"))
            .or_else(|| o.get("identifier"))
            .and_then(Value::as_str)
            .map(str::to_string),
        _ => None,
    }
}

fn actions_of(m: &c2pa::Manifest) -> Vec<ActionSummary> {
    let mut out = Vec::new();
    for a in m.assertions().iter().filter(|a| a.label().starts_with("c2pa.actions")) {
        let Ok(v) = a.value() else { continue };
        for act in v.get("actions").and_then(Value::as_array).into_iter().flatten() {
            let Some(action) = act.get("action").and_then(Value::as_str) else { continue };
            let software_agent = act.get("softwareAgent").and_then(|s| {
                let name = text(s)?;
                Some(match s.get("version").and_then(Value::as_str) {
                    Some(v) => format!("{name} {v}"),
                    None => name,
                })
            });
            out.push(ActionSummary {
                action: action.to_string(),
                digital_source_type: act.get("digitalSourceType").and_then(Value::as_str).map(short_source_type),
                when: act.get("when").and_then(Value::as_str).map(str::to_string),
                software_agent,
                description: act.get("description").and_then(Value::as_str).map(str::to_string),
            });
        }
    }
    out
}

fn training_of(m: &c2pa::Manifest) -> Option<TrainingPermissions> {
    let a = m.assertions().iter().find(|a| matches!(a.label(), "cawg.training-mining" | "c2pa.training-mining"))?;
    let v = a.value().ok()?;
    let entries: std::collections::BTreeMap<String, String> = v
        .get("entries")?
        .as_object()?
        .iter()
        .map(|(k, e)| {
            let name = k.split_once('.').map(|(_, n)| n).unwrap_or(k).to_string();
            let use_ = e.get("use").and_then(Value::as_str).unwrap_or("unknown").to_string();
            (name, use_)
        })
        .collect();
    let restricted = entries.values().any(|u| u != "allowed");
    Some(TrainingPermissions { label: a.label().to_string(), entries, restricted })
}

fn authors_of(m: &c2pa::Manifest) -> Vec<String> {
    let mut out = Vec::new();
    for a in m.assertions() {
        let Ok(v) = a.value() else { continue };
        let list = match a.label() {
            "cawg.metadata" | "c2pa.metadata" => v.get("dc:creator"),
            "stds.schema-org.CreativeWork" => v.get("author"),
            _ => None,
        };
        match list {
            Some(Value::Array(items)) => out.extend(items.iter().filter_map(text)),
            Some(other) => out.extend(text(other)),
            None => {}
        }
    }
    out.dedup();
    out
}

/// What a report needs besides the manifests: the reader, every validation status (with its
/// outcome), and the raw assertion store (identity assertions' signatures, which the reader
/// replaces by a summary without the certificate).
struct ReadContext<'a> {
    reader: &'a c2pa::Reader,
    statuses: Vec<(bool, c2pa::validation_status::ValidationStatus)>,
    raw: Option<Value>,
}

impl<'a> ReadContext<'a> {
    fn new(reader: &'a c2pa::Reader) -> Self {
        let mut statuses = Vec::new();
        if let Some(r) = reader.validation_results() {
            let mut add = |codes: &c2pa::validation_results::StatusCodes| {
                statuses.extend(codes.success().iter().chain(codes.informational()).map(|s| (true, s.clone())));
                statuses.extend(codes.failure().iter().map(|s| (false, s.clone())));
            };
            if let Some(active) = r.active_manifest() {
                add(active);
            }
            for delta in r.ingredient_deltas().into_iter().flatten() {
                add(delta.validation_deltas());
            }
        }
        let has_identity = reader.iter_manifests().any(|m| m.assertions().iter().any(|a| is_identity_label(a.label())));
        let raw = has_identity.then(|| serde_json::from_str(&reader.detailed_json()).ok()).flatten();
        ReadContext { reader, statuses, raw }
    }
}

/// An assertion's label with its instance suffix (`__n`) when it has one.
fn instance_label(a: &c2pa::ManifestAssertion) -> String {
    if a.label().contains("__") {
        a.label().to_string()
    } else {
        a.label_with_instance()
    }
}

/// A failure that only says a credential is not from a trust anchor (the claim's certificate, or
/// an identity assertion's: `cawg.x509.credential.untrusted` in newer c2pa releases).
fn is_untrusted(code: &str) -> bool {
    matches!(code, "signingCredential.untrusted" | "cawg.x509.credential.untrusted")
}

fn is_identity_label(label: &str) -> bool {
    label == "cawg.identity" || label.starts_with("cawg.identity__")
}

/// Is `url` (a JUMBF URI of a validation status) one of an identity assertion?
fn is_identity_url(url: &str) -> bool {
    url.rsplit_once("/c2pa.assertions/").is_some_and(|(_, label)| is_identity_label(label))
}

fn signer_of(ctx: &ReadContext<'_>, m: &c2pa::Manifest) -> SignerSummary {
    let mut summary = match m.signature_info() {
        Some(info) => {
            let facts = super::cert::facts_from_pem_chain(info.cert_chain()).unwrap_or_default();
            SignerSummary {
                did: facts.dids.first().cloned(),
                common_name: facts.common_name.or_else(|| info.common_name.clone()),
                organization: facts.organization,
                issuer: facts.issuer_organization.or(facts.issuer_common_name).or_else(|| info.issuer.clone()),
                algorithm: info.alg.map(|a| a.to_string()),
                serial_number: info.cert_serial_number.clone(),
                certificate_expires: facts.not_after,
                public_key: facts.ed25519_key.map(hex::encode),
                ..Default::default()
            }
        }
        None => SignerSummary::default(),
    };
    summary.identity_assertions = identities_of(ctx, m, summary.did.as_deref());
    summary.humanity = humanity_of(m, summary.did.as_deref(), &summary.identity_assertions);
    summary
}

/// The label an assertion reference (`self#jumbf=c2pa.assertions/<label>`) points to.
fn label_of_reference(url: &str) -> String {
    url.rsplit_once('/').map_or(url, |(_, l)| l).to_string()
}

fn identities_of(ctx: &ReadContext<'_>, m: &c2pa::Manifest, signer_did: Option<&str>) -> Vec<IdentityAssertionSummary> {
    let manifest_label = m.label().unwrap_or_default();
    let store = ctx.raw.as_ref().and_then(|r| r.get("manifests")?.get(manifest_label)?.get("assertion_store"));
    let mut out = Vec::new();
    for a in m.assertions().iter().filter(|a| is_identity_label(a.label())) {
        let label = instance_label(a);
        let raw = store.and_then(|s| s.get(label.as_str()));
        let payload = raw.and_then(|r| r.get("signer_payload"));
        let sig_type = payload.and_then(|p| p.get("sig_type")).and_then(Value::as_str).map(str::to_string);
        let roles = payload
            .and_then(|p| p.get("role"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(Value::as_str).map(str::to_string).collect())
            .unwrap_or_default();
        let referenced_assertions = payload
            .and_then(|p| p.get("referenced_assertions"))
            .and_then(Value::as_array)
            .map(|r| r.iter().filter_map(|x| x.get("url")?.as_str()).map(label_of_reference).collect())
            .unwrap_or_default();
        let facts = raw
            .and_then(|r| r.get("signature")?.as_str())
            .filter(|_| sig_type.as_deref() == Some("cawg.x509.cose"))
            .and_then(x509_facts_of_cose);
        // Its validation statuses: those whose URI is this assertion of this manifest.
        let suffix = format!("/{manifest_label}/c2pa.assertions/{label}");
        let mine: Vec<&(bool, c2pa::validation_status::ValidationStatus)> =
            ctx.statuses.iter().filter(|(_, s)| s.url().is_some_and(|u| u.ends_with(&suffix))).collect();
        let failed: Vec<c2pa::validation_status::ValidationStatus> =
            mine.iter().filter(|(ok, _)| !ok).map(|(_, s)| s.clone()).collect();
        let trusted = mine.iter().any(|(ok, s)| *ok && s.code() == "signingCredential.trusted");
        // c2pa replaces an identity assertion it validated by its summary (no padding fields);
        // one that failed stays raw. c2pa 0.90 records no status for some failures (a signature
        // that does not match), so the replacement is the reliable sign.
        let validated = a.value().is_ok_and(|v| v.get("pad1").is_none());
        let x509 = sig_type.as_deref() == Some("cawg.x509.cose");
        let mut failures = findings(&failed);
        let state = if failed.iter().any(|s| !is_untrusted(s.code())) {
            IdentityState::Invalid
        } else if validated {
            if trusted && failed.is_empty() {
                IdentityState::Valid
            } else {
                IdentityState::UntrustedSigner
            }
        } else if x509 {
            failures.push(Finding {
                code: "cawg.x509.signature.mismatch".into(),
                explanation: explain("cawg.x509.signature.mismatch"),
                detail: Some("the identity assertion's signature does not verify".into()),
                url: Some(format!("self#jumbf=/c2pa{suffix}")),
            });
            IdentityState::Invalid
        } else {
            IdentityState::NotChecked
        };
        let did = facts.as_ref().and_then(|f| f.dids.first().cloned());
        out.push(IdentityAssertionSummary {
            label,
            sig_type,
            same_as_signer: did.is_some() && did.as_deref() == signer_did,
            did,
            common_name: facts.as_ref().and_then(|f| f.common_name.clone()),
            issuer: facts.as_ref().and_then(|f| f.issuer_organization.clone().or_else(|| f.issuer_common_name.clone())),
            roles,
            referenced_assertions,
            state,
            failures,
        });
    }
    out
}

/// The facts of the end-entity certificate of a `cawg.x509.cose` signature (base64 COSE_Sign1).
fn x509_facts_of_cose(signature_b64: &str) -> Option<super::cert::CertFacts> {
    use base64::Engine as _;
    let cose = base64::engine::general_purpose::STANDARD.decode(signature_b64).ok()?;
    let mut log = c2pa::status_tracker::StatusTracker::default();
    let sign1 = c2pa::crypto::cose::parse_cose_sign1(&cose, &[], &mut log).ok()?;
    let chain = c2pa::crypto::cose::cert_chain_from_sign1(&sign1).ok()?;
    super::cert::facts_from_der(chain.first()?)
}

fn humanity_of(
    m: &c2pa::Manifest,
    signer_did: Option<&str>,
    identities: &[IdentityAssertionSummary],
) -> Option<HumanityCredential> {
    let a = m.assertions().iter().find(|a| a.label() == super::sign::HUMANITY_LABEL)?;
    let json = a.value().ok()?.get("credential")?.as_str()?.to_string();
    let vc: Value = serde_json::from_str(&json).unwrap_or(Value::Null);
    let id_of = |v: &Value| text_or_id(v);
    let subject = match vc.get("credentialSubject") {
        Some(Value::Array(subjects)) => subjects.first().and_then(|s| s.get("id")).and_then(Value::as_str),
        Some(s) => s.get("id").and_then(Value::as_str),
        None => None,
    }
    .map(str::to_string);
    let types = match vc.get("type") {
        Some(Value::String(t)) => vec![t.clone()],
        Some(Value::Array(ts)) => ts.iter().filter_map(Value::as_str).map(str::to_string).collect(),
        _ => Vec::new(),
    };
    let covered_by_identity = identities.iter().any(|i| {
        i.same_as_signer
            && i.state != IdentityState::Invalid
            && i.referenced_assertions.iter().any(|l| l == instance_label(a).as_str())
    });
    Some(HumanityCredential {
        id: vc.get("id").and_then(Value::as_str).map(str::to_string),
        issuer: vc.get("issuer").and_then(id_of),
        subject_is_signer: subject.is_some() && subject.as_deref() == signer_did,
        subject,
        types,
        covered_by_identity,
        json,
    })
}

/// A string, or an object's `id`.
fn text_or_id(v: &Value) -> Option<String> {
    match v {
        Value::String(s) => Some(s.clone()),
        Value::Object(o) => o.get("id").and_then(Value::as_str).map(str::to_string),
        _ => None,
    }
}

fn claim_generator_of(m: &c2pa::Manifest) -> Option<String> {
    if let Some(info) = m.claim_generator_info.as_ref().and_then(|i| i.first()) {
        return Some(match &info.version {
            Some(v) => format!("{} {v}", info.name),
            None => info.name.clone(),
        });
    }
    m.claim_generator().map(str::to_string)
}

const MAX_DEPTH: usize = 64;

fn summarize(ctx: &ReadContext<'_>, m: &c2pa::Manifest, seen: &mut HashSet<String>, depth: usize) -> ManifestSummary {
    let reader = ctx.reader;
    let label = m.label().unwrap_or_default().to_string();
    seen.insert(label.clone());
    let actions = actions_of(m);
    let ai =
        actions.iter().filter_map(|a| a.digital_source_type.as_deref()).map(ai_of).fold(AiDisclosure::None, stronger);
    let mut ingredients = Vec::new();
    let mut ai_in_history = ai;
    for ing in m.ingredients() {
        let sub = ing
            .active_manifest()
            .filter(|l| depth < MAX_DEPTH && !seen.contains(*l))
            .and_then(|l| reader.get_manifest(l))
            .map(|sm| Box::new(summarize(ctx, sm, seen, depth + 1)));
        if let Some(s) = &sub {
            ai_in_history = stronger(ai_in_history, s.ai_in_history);
        }
        let (verdict, failures) = match (ing.validation_results(), ing.validation_status()) {
            (Some(r), _) => {
                let state = match r.validation_state() {
                    c2pa::ValidationState::Trusted => Verdict::Valid,
                    c2pa::ValidationState::Valid => Verdict::UntrustedSigner,
                    c2pa::ValidationState::Invalid => Verdict::Invalid,
                };
                (Some(state), all_failures(r))
            }
            (None, Some(statuses)) => {
                let failed: Vec<_> =
                    statuses.iter().filter(|s| !c2pa::validation_status::is_success(s.code())).cloned().collect();
                (None, findings(&failed))
            }
            (None, None) => (None, Vec::new()),
        };
        ingredients.push(IngredientSummary {
            title: ing.title().map(str::to_string),
            format: ing.format().map(str::to_string),
            relationship: relationship_name(ing.relationship()),
            verdict: if ing.active_manifest().is_some() { verdict } else { None },
            failures,
            manifest: sub,
        });
    }
    let stamped = m.signature_info().and_then(|i| i.time.clone());
    let stated = actions.iter().filter_map(|a| a.when.clone()).max();
    ManifestSummary {
        label,
        title: m.title().map(str::to_string),
        format: m.format().map(str::to_string),
        claim_generator: claim_generator_of(m),
        signer: signer_of(ctx, m),
        signed_at: stamped.clone().or(stated),
        time_stamped: stamped.is_some(),
        authors: authors_of(m),
        actions,
        ai,
        ai_in_history,
        training: training_of(m),
        thumbnail: m.thumbnail_ref().map(|t| t.format.clone()),
        ingredients,
    }
}

fn relationship_name(r: &c2pa::Relationship) -> String {
    serde_json::to_value(r).ok().and_then(|v| v.as_str().map(str::to_string)).unwrap_or_else(|| format!("{r:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn explanations_are_plain_and_cover_the_tamper_codes() {
        for code in [
            "assertion.dataHash.mismatch",
            "assertion.bmffHash.mismatch",
            "claimSignature.mismatch",
            "assertion.hashedURI.mismatch",
            "signingCredential.untrusted",
            "signingCredential.expired",
            "manifest.inaccessible",
        ] {
            let e = explain(code);
            assert!(!e.contains(code) && !e.contains("JUMBF") && !e.contains("COSE"), "{code}: {e}");
        }
        assert!(explain("something.new").contains("something.new"));
    }

    #[test]
    fn ai_disclosure_from_source_types() {
        assert_eq!(ai_of("trainedAlgorithmicMedia"), AiDisclosure::Generated);
        assert_eq!(ai_of("compositeWithTrainedAlgorithmicMedia"), AiDisclosure::Composite);
        assert_eq!(ai_of("digitalCapture"), AiDisclosure::None);
        assert_eq!(ai_of("algorithmicMedia"), AiDisclosure::Algorithmic);
        assert_eq!(stronger(AiDisclosure::Composite, AiDisclosure::Generated), AiDisclosure::Generated);
        assert_eq!(stronger(AiDisclosure::Composite, AiDisclosure::None), AiDisclosure::Composite);
        assert_eq!(
            short_source_type("http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"),
            "digitalCapture"
        );
    }
}
