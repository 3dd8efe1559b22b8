//! Verifiable credentials (W3C VC Data Model 2.0) secured with Data Integrity proofs.
//!
//! Everything cryptographic — JSON-LD expansion, RDF canonicalization, hashing, the proof
//! configuration, signing and verification — is done by the `ssi` crate. This module only
//! chooses the cryptosuite, builds the proof options and translates results for people.
//!
//! Supported today: `eddsa-rdfc-2022` (Ed25519, RDF Dataset Canonicalization). `eddsa-jcs-2022`
//! is not: ssi 0.16 does not implement it.
//!
//! Verification resolves the verification method offline: only `did:key` and `did:jwk`
//! verification methods are accepted.

pub mod jcs;
pub mod jose;
pub mod method;
pub mod presentation;
pub mod schema;
pub mod status;

use ssi::claims::data_integrity::{AnySuite, CryptographicSuite, DataIntegrity, ProofOptions as DiProofOptions};
use ssi::claims::vc::AnyJsonCredential;
use ssi::claims::{Invalid, InvalidProof, VerificationParameters};
use ssi::dids::{AnyDidMethod, DIDResolver};
use ssi::jwk::{Base64urlUInt, OctetParams, Params, JWK};
use ssi::verification_methods::{ProofPurpose, ReferenceOrOwned, SingleSecretSigner};

/// A Data Integrity cryptosuite for Ed25519 keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// `eddsa-rdfc-2022`: the credential is canonicalized as an RDF dataset (JSON-LD).
    EddsaRdfc2022,
}

impl Suite {
    /// The suite's `cryptosuite` name, as written in a proof.
    pub fn name(self) -> &'static str {
        match self {
            Suite::EddsaRdfc2022 => "eddsa-rdfc-2022",
        }
    }
}

/// Why a credential could not be issued or checked.
#[derive(Debug, thiserror::Error)]
pub enum CredentialError {
    /// The input is not a W3C verifiable credential `ssi` can read.
    #[error("this is not a valid verifiable credential: {0}")]
    InvalidCredential(String),
    /// The credential is not a VC Data Model 2.0 credential.
    #[error("the credential must use the VC Data Model 2.0 context (https://www.w3.org/ns/credentials/v2) first")]
    NotV2,
    /// The verification method is not an absolute IRI.
    #[error("the verification method {0:?} is not a valid IRI")]
    InvalidVerificationMethod(String),
    /// The verification method cannot be resolved offline.
    #[error("the verification method {0:?} cannot be checked offline: only did:key and did:jwk are accepted")]
    UnsupportedVerificationMethod(String),
    /// The credential carries no proof at all.
    #[error("the credential has no proof")]
    NoProof,
    /// The signing key is not the key the verification method names.
    #[error("the signing key is not the key of the verification method {0}")]
    KeyMismatch(String),
    /// Signing failed (for example the key does not belong to the verification method).
    #[error("could not sign the credential: {0}")]
    Sign(String),
    /// The proof could not be checked at all (resolution failed, malformed proof, …).
    #[error("could not check the proof: {0}")]
    Verify(String),
    /// A date that is neither `YYYY-MM-DD` nor an RFC 3339 date-time.
    #[error("{0:?} is not a date: write it as YYYY-MM-DD (or an RFC 3339 date-time such as 2027-01-31T12:00:00Z)")]
    InvalidDate(String),
    /// A DID (issuer, holder, verification method) could not be resolved.
    #[error("could not resolve {did}: {reason}")]
    Resolve {
        /// The DID or DID URL.
        did: String,
        /// Why, in plain words.
        reason: String,
    },
    /// The DID document does not list the verification method for the purpose a proof claims.
    #[error("the DID document of {did} does not list {method} as a key for {purpose}")]
    MethodNotListed {
        /// The DID.
        did: String,
        /// The verification method id.
        method: String,
        /// `assertionMethod` or `authentication`.
        purpose: String,
    },
    /// The key is not an Ed25519 key (the only kind Hallmark's suites use).
    #[error("the key {0} is not an Ed25519 key; Hallmark checks Ed25519 (EdDSA) proofs only")]
    UnsupportedKey(String),
    /// A proof type or cryptosuite Hallmark does not implement.
    #[error("unsupported proof: {0}; Hallmark checks DataIntegrityProof with eddsa-rdfc-2022 or eddsa-jcs-2022, and EdDSA JWTs")]
    UnsupportedProof(String),
    /// A JWT that is not a well-formed VC-JOSE credential or presentation.
    #[error("this is not a valid credential JWT: {0}")]
    MalformedJwt(String),
    /// Input larger than Hallmark accepts.
    #[error("the input is {size} bytes, more than the {limit}-byte limit for a credential or presentation")]
    TooLarge {
        /// Its size in bytes.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// A JSON-LD context that is neither the VC 2.0 context nor inline.
    #[error("the context {0:?} is not known and will not be fetched: only the VC 2.0 context and inline contexts are accepted")]
    UnknownContext(String),
    /// The status list could not be read or checked.
    #[error("could not check the credential's status: {0}")]
    Status(String),
    /// The credential does not match the JSON Schema of its type.
    #[error("the credential does not match its schema: {0}")]
    Schema(String),
}

impl CredentialError {
    /// A stable machine-readable code (the CLI's `--json` errors, the app's `{code, message}`).
    pub fn code(&self) -> &'static str {
        match self {
            CredentialError::InvalidCredential(_) | CredentialError::NotV2 | CredentialError::NoProof => {
                "invalid_credential"
            }
            CredentialError::InvalidVerificationMethod(_) | CredentialError::UnsupportedVerificationMethod(_) => {
                "unsupported_verification_method"
            }
            CredentialError::KeyMismatch(_) | CredentialError::Sign(_) => "signing_failed",
            CredentialError::Verify(_) => "verification_failed",
            CredentialError::InvalidDate(_) => "invalid_date",
            CredentialError::Resolve { .. } => "issuer_unresolvable",
            CredentialError::MethodNotListed { .. } => "method_not_listed",
            CredentialError::UnsupportedKey(_) | CredentialError::UnsupportedProof(_) => "unsupported_proof",
            CredentialError::MalformedJwt(_) => "invalid_jwt",
            CredentialError::TooLarge { .. } => "too_large",
            CredentialError::UnknownContext(_) => "unknown_context",
            CredentialError::Status(_) => "status_unavailable",
            CredentialError::Schema(_) => "schema_invalid",
        }
    }
}

/// Reads an expiry date as people type it: `YYYY-MM-DD` (valid until the end of that day, UTC)
/// or a full RFC 3339 date-time. Returns the RFC 3339 form written in `validUntil`.
pub fn parse_date(text: &str) -> Result<String, CredentialError> {
    use time::format_description::well_known::Rfc3339;
    let t = text.trim();
    if let Ok(dt) = time::OffsetDateTime::parse(t, &Rfc3339) {
        return dt.to_offset(time::UtcOffset::UTC).format(&Rfc3339).map_err(|_| CredentialError::InvalidDate(t.into()));
    }
    let day = time::Date::parse(t, time::macros::format_description!("[year]-[month]-[day]"))
        .map_err(|_| CredentialError::InvalidDate(t.into()))?;
    day.with_hms(23, 59, 59)
        .map_err(|_| CredentialError::InvalidDate(t.into()))?
        .assume_utc()
        .format(&Rfc3339)
        .map_err(|_| CredentialError::InvalidDate(t.into()))
}

/// One line of a verification report.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
pub struct Check {
    /// `proof`, `issuer` or `validity`.
    pub check: &'static str,
    /// `passed`, `failed`, or `not_checked` (an earlier check failed first).
    pub result: &'static str,
    /// What was found, in plain words.
    pub detail: String,
}

/// Why a well-formed credential did not verify.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum VerificationFailure {
    /// The signature does not match the credential: it was changed after signing, or signed
    /// by another key than the one its verification method names.
    ProofMismatch,
    /// The proof's key does not match its verification method.
    KeyMismatch,
    /// Any other problem with the proof (message from `ssi`).
    Proof(String),
    /// The proof is good, but made with a key of another DID than the credential's issuer.
    IssuerMismatch {
        /// The credential's `issuer`.
        issuer: String,
        /// The verification method that made the proof.
        verification_method: String,
    },
    /// The proof is good but the claims are not valid now (not yet valid, expired, …).
    Claims(String),
}

impl std::fmt::Display for VerificationFailure {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            Self::ProofMismatch => f.write_str(
                "the proof does not match the credential: it was changed after signing or signed by another key",
            ),
            Self::KeyMismatch => f.write_str("the proof's key does not match its verification method"),
            Self::Proof(m) => write!(f, "the proof is invalid: {m}"),
            Self::IssuerMismatch { issuer, verification_method } => write!(
                f,
                "the proof is valid but was made by {verification_method}, which does not belong to the issuer {issuer}"
            ),
            Self::Claims(m) => write!(f, "the credential's claims are not valid: {m}"),
        }
    }
}

/// The outcome of [`verify`] for a credential that could be checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verification {
    /// The credential's issuer (its `issuer` id).
    pub issuer: String,
    /// The verification methods of the proofs that were checked.
    pub verification_methods: Vec<String>,
    /// `None` when every proof verified and the claims are valid; otherwise why not.
    pub failure: Option<VerificationFailure>,
}

impl Verification {
    /// Whether the credential verified.
    pub fn is_valid(&self) -> bool {
        self.failure.is_none()
    }

    /// The checks one by one: the signature, the issuer's ownership of the signing key, and the
    /// validity period.
    pub fn checks(&self) -> Vec<Check> {
        use VerificationFailure as F;
        let failed = |check, detail: String| Check { check, result: "failed", detail };
        let passed = |check, detail: &str| Check { check, result: "passed", detail: detail.to_owned() };
        let unchecked = |check| Check { check, result: "not_checked", detail: "an earlier check failed".to_owned() };
        let proof_ok = "the signature matches the credential";
        let issuer_ok = format!("signed with a key of the issuer {}", self.issuer);
        match &self.failure {
            None => vec![
                passed("proof", proof_ok),
                passed("issuer", &issuer_ok),
                passed("validity", "within its validity period"),
            ],
            Some(f @ (F::ProofMismatch | F::KeyMismatch | F::Proof(_))) => {
                vec![failed("proof", f.to_string()), unchecked("issuer"), unchecked("validity")]
            }
            Some(f @ F::IssuerMismatch { .. }) => {
                vec![passed("proof", proof_ok), failed("issuer", f.to_string()), unchecked("validity")]
            }
            Some(f @ F::Claims(_)) => {
                vec![passed("proof", proof_ok), passed("issuer", &issuer_ok), failed("validity", f.to_string())]
            }
        }
    }
}

const VC_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// Signs a VC Data Model 2.0 credential with a Data Integrity proof
/// (`proofPurpose: assertionMethod`, `created` now) and returns the secured credential.
///
/// `verification_method` must name `issuer_key`'s public key, e.g.
/// `did:key:z6Mk…#z6Mk…`; it is resolved offline to check that.
pub async fn issue_data_integrity(
    credential: serde_json::Value,
    issuer_key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    suite: Suite,
) -> Result<serde_json::Value, CredentialError> {
    issue_at(credential, issuer_key, verification_method, suite, None).await
}

async fn issue_at(
    credential: serde_json::Value,
    issuer_key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    suite: Suite,
    created: Option<&str>,
) -> Result<serde_json::Value, CredentialError> {
    check_v2(&credential)?;
    check_offline_method(verification_method)?;
    let vc: ssi::claims::vc::v2::JsonCredential =
        serde_json::from_value(credential).map_err(|e| CredentialError::InvalidCredential(e.to_string()))?;

    let vm = ssi::json_ld::IriBuf::new(verification_method.to_owned())
        .map_err(|_| CredentialError::InvalidVerificationMethod(verification_method.to_owned()))?;
    let created = match created {
        Some(c) => c.parse().map_err(|_| CredentialError::Sign(format!("bad creation date {c:?}")))?,
        None => ssi::xsd::DateTimeStamp::now_ms().into(),
    };
    let options = DiProofOptions::new(created, ReferenceOrOwned::Reference(vm), ProofPurpose::Assertion, ());

    let jwk = jwk_of(issuer_key);
    let signer = SingleSecretSigner::new(jwk);
    let resolver = AnyDidMethod::default().into_vm_resolver();
    let secured = match suite {
        Suite::EddsaRdfc2022 => ssi::claims::data_integrity::suites::EdDsaRdfc2022,
    }
    .sign(vc, &resolver, &signer, options)
    .await
    .map_err(|e| CredentialError::Sign(e.to_string()))?;
    // ssi signs with whatever key it is given, even one the verification method does not name;
    // such a proof could never verify, so check it before handing it out.
    let params = VerificationParameters::from_resolver(&resolver);
    match secured.verify(params).await {
        Ok(Ok(())) => {}
        Ok(Err(Invalid::Proof(_))) => {
            return Err(CredentialError::KeyMismatch(verification_method.to_owned()));
        }
        // The claims themselves (e.g. a future `validFrom`) are the caller's business.
        Ok(Err(Invalid::Claims(_))) => {}
        Err(e) => return Err(CredentialError::Verify(e.to_string())),
    }
    serde_json::to_value(&secured).map_err(|e| CredentialError::Sign(e.to_string()))
}

/// Verifies every Data Integrity proof of a credential, resolving its `did:key` or `did:jwk`
/// verification method offline, and checks the claims' validity period.
///
/// A credential that was changed after signing, or signed by a key other than its verification
/// method's, gives `Ok` with [`VerificationFailure::ProofMismatch`]. `Err` means the credential
/// could not be checked at all (unreadable, no proof, unsupported verification method, …).
pub async fn verify(credential: &serde_json::Value) -> Result<Verification, CredentialError> {
    let text = credential.to_string();
    let vc: DataIntegrity<AnyJsonCredential, AnySuite> = ssi::claims::data_integrity::from_json_str(&text)
        .map_err(|e| CredentialError::InvalidCredential(e.to_string()))?;
    if vc.proofs.is_empty() {
        return Err(CredentialError::NoProof);
    }
    let mut verification_methods = Vec::new();
    for proof in vc.proofs.iter() {
        let vm = proof.verification_method.id().to_string();
        check_offline_method(&vm)?;
        verification_methods.push(vm);
    }
    let issuer = credential
        .get("issuer")
        .and_then(|i| i.as_str().or_else(|| i.get("id").and_then(|id| id.as_str())))
        .unwrap_or_default()
        .to_owned();

    let resolver = AnyDidMethod::default().into_vm_resolver();
    let params = VerificationParameters::from_resolver(resolver);
    let outcome = vc.verify(params).await.map_err(|e| CredentialError::Verify(e.to_string()))?;
    // ssi checks the signature against the verification method, not that the method belongs
    // to the issuer: a valid proof by someone else's key must not pass.
    let foreign = verification_methods.iter().find(|vm| vm.split('#').next() != Some(issuer.as_str())).cloned();
    let failure = match (outcome, foreign) {
        (Err(Invalid::Proof(InvalidProof::Signature)), _) => Some(VerificationFailure::ProofMismatch),
        (Err(Invalid::Proof(InvalidProof::KeyMismatch)), _) => Some(VerificationFailure::KeyMismatch),
        (Err(Invalid::Proof(other)), _) => Some(VerificationFailure::Proof(other.to_string())),
        (_, Some(verification_method)) => {
            Some(VerificationFailure::IssuerMismatch { issuer: issuer.clone(), verification_method })
        }
        (Err(Invalid::Claims(c)), None) => Some(VerificationFailure::Claims(c.to_string())),
        (Ok(()), None) => None,
    };
    Ok(Verification { issuer, verification_methods, failure })
}

/// How the issuer established that the subject is a real, unique person.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum HumanityMethod {
    /// The issuer met the person.
    InPerson,
    /// The issuer saw the person in a live video call.
    VideoCall,
    /// Enough members of a community vouched for the person.
    Vouching,
}

impl HumanityMethod {
    /// The value written in the credential's evidence.
    pub fn as_str(self) -> &'static str {
        match self {
            HumanityMethod::InPerson => "in-person",
            HumanityMethod::VideoCall => "video-call",
            HumanityMethod::Vouching => "vouching",
        }
    }
}

/// A community member's role.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// A member.
    Member,
    /// A moderator (may admit members).
    Moderator,
}

impl Role {
    /// The value written in the credential.
    pub fn as_str(self) -> &'static str {
        match self {
            Role::Member => "member",
            Role::Moderator => "moderator",
        }
    }
}

/// The `@context` of Hallmark's credentials: the standard VC 2.0 context, then an inline context
/// whose `@vocab` gives Hallmark's own terms (`HumanityCredential`, `memberOf`, …) IRIs in the
/// W3C credentials `issuer-dependent#` namespace. Inline, so a verifier needs nothing but the
/// standard context: no URL to fetch. (The v2 context copies that ssi 0.16 and Digital Bazaar's
/// `@digitalbazaar/credentials-context` 3.2 ship have no `@vocab` of their own, so without this
/// the terms would not expand and nothing could be signed.)
pub fn hallmark_context() -> serde_json::Value {
    serde_json::json!([VC_V2_CONTEXT, {"@vocab": ISSUER_DEPENDENT_VOCAB}])
}

const ISSUER_DEPENDENT_VOCAB: &str = "https://www.w3.org/ns/credentials/issuer-dependent#";

/// An unsigned `HumanityCredential`: `issuer` says that `subject` is a real, unique person,
/// established by `method`, with an optional note of the issuer's choosing (no personal data is
/// added beyond it).
pub fn humanity_credential(
    issuer: &str,
    subject: &str,
    method: HumanityMethod,
    note: Option<&str>,
    valid_from: &str,
    valid_until: Option<&str>,
) -> serde_json::Value {
    let mut evidence = serde_json::json!({
        "type": ["HumanityCheck"],
        "method": method.as_str(),
        "checkedBy": issuer,
    });
    if let Some(n) = note.map(str::trim).filter(|n| !n.is_empty()) {
        evidence["description"] = serde_json::Value::String(n.to_owned());
    }
    let mut vc = serde_json::json!({
        "@context": hallmark_context(),
        "type": ["VerifiableCredential", "HumanityCredential"],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {"id": subject, "isUniqueHuman": true},
        "evidence": [evidence],
    });
    if let Some(until) = valid_until {
        vc["validUntil"] = serde_json::Value::String(until.to_owned());
    }
    vc
}

/// An unsigned `CommunityMembershipCredential`: `issuer` (a moderator) says that `subject` is a
/// `role` of the community `community_id` (named `community_name`) since `since`.
pub fn membership_credential(
    issuer: &str,
    subject: &str,
    community_id: &str,
    community_name: &str,
    role: Role,
    since: &str,
    valid_until: Option<&str>,
) -> serde_json::Value {
    let mut vc = serde_json::json!({
        "@context": hallmark_context(),
        "type": ["VerifiableCredential", "CommunityMembershipCredential"],
        "issuer": issuer,
        "validFrom": since,
        "credentialSubject": {
            "id": subject,
            "memberOf": {"id": community_id, "name": community_name},
            "role": role.as_str(),
            "since": since,
        },
    });
    if let Some(until) = valid_until {
        vc["validUntil"] = serde_json::Value::String(until.to_owned());
    }
    vc
}

/// The private JWK of an Ed25519 signing key.
fn jwk_of(key: &ed25519_dalek::SigningKey) -> JWK {
    JWK::from(Params::OKP(OctetParams {
        curve: "Ed25519".to_string(),
        public_key: Base64urlUInt(key.verifying_key().to_bytes().to_vec()),
        private_key: Some(Base64urlUInt(key.to_bytes().to_vec())),
    }))
}

fn check_v2(credential: &serde_json::Value) -> Result<(), CredentialError> {
    let first = match credential.get("@context") {
        Some(serde_json::Value::Array(a)) => a.first().and_then(|c| c.as_str()),
        Some(serde_json::Value::String(s)) => Some(s.as_str()),
        _ => None,
    };
    if first == Some(VC_V2_CONTEXT) {
        Ok(())
    } else {
        Err(CredentialError::NotV2)
    }
}

fn check_offline_method(vm: &str) -> Result<(), CredentialError> {
    if vm.starts_with("did:key:") || vm.starts_with("did:jwk:") {
        Ok(())
    } else {
        Err(CredentialError::UnsupportedVerificationMethod(vm.to_owned()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    /// W3C "Data Integrity EdDSA Cryptosuites v1.0", Appendix B.1 (eddsa-rdfc-2022).
    const VECTOR_PUBLIC_MULTIBASE: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const VECTOR_SECRET_MULTIBASE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";
    const VECTOR_PROOF_VALUE: &str =
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme";

    fn vector_credential() -> serde_json::Value {
        json!({
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://www.w3.org/ns/credentials/examples/v2"
            ],
            "id": "urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33",
            "type": ["VerifiableCredential", "AlumniCredential"],
            "name": "Alumni Credential",
            "description": "A minimum viable example of an Alumni Credential.",
            "issuer": "https://vc.example/issuers/5678",
            "validFrom": "2023-01-01T00:00:00Z",
            "credentialSubject": {
                "id": "did:example:abcdefgh",
                "alumniOf": "The School of Examples"
            }
        })
    }

    /// Decodes the vector's secretKeyMultibase (multicodec ed25519-priv, 0x1300).
    fn vector_key() -> ed25519_dalek::SigningKey {
        let (_, bytes) = ssi::security::Multibase::new(VECTOR_SECRET_MULTIBASE).decode().unwrap();
        assert_eq!(&bytes[..2], &[0x80, 0x26], "ed25519-priv multicodec prefix");
        let secret: [u8; 32] = bytes[2..].try_into().unwrap();
        ed25519_dalek::SigningKey::from_bytes(&secret)
    }

    fn did_key_of(key: &ed25519_dalek::SigningKey) -> (String, String) {
        let jwk = JWK::from(key.verifying_key());
        let did = ssi::dids::DIDKey::generate(&jwk).unwrap().to_string();
        let fragment = did.strip_prefix("did:key:").unwrap().to_owned();
        let vm = format!("{did}#{fragment}");
        (did, vm)
    }

    fn sample(issuer: &str) -> serde_json::Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential", "AlumniCredential"],
            "issuer": issuer,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
        })
    }

    #[tokio::test]
    async fn humanity_and_membership_credentials_issue_and_verify_with_an_inline_context() {
        let key = random_key();
        let (issuer, vm) = did_key_of(&key);
        let subject = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
        let h = humanity_credential(
            &issuer,
            subject,
            HumanityMethod::VideoCall,
            Some("  met on a call "),
            "2025-01-01T00:00:00Z",
            None,
        );
        assert_eq!(h["@context"][0], VC_V2_CONTEXT);
        assert!(h["@context"][1].is_object(), "the second context is inline, nothing to fetch");
        assert_eq!(h["evidence"][0]["description"], "met on a call");
        let signed = issue_data_integrity(h, &key, &vm, Suite::EddsaRdfc2022).await.unwrap();
        assert!(verify(&signed).await.unwrap().is_valid());
        let mut tampered = signed.clone();
        // ssi writes a one-item `evidence` array back as a single object.
        let evidence =
            if tampered["evidence"].is_array() { &mut tampered["evidence"][0] } else { &mut tampered["evidence"] };
        assert_eq!(evidence["method"], "video-call");
        evidence["method"] = json!("in-person");
        assert_eq!(verify(&tampered).await.unwrap().failure, Some(VerificationFailure::ProofMismatch));

        let m = membership_credential(
            &issuer,
            subject,
            "urn:uuid:0f6e",
            "Photo club",
            Role::Moderator,
            "2025-02-01T00:00:00Z",
            Some("2999-01-01T00:00:00Z"),
        );
        let signed = issue_data_integrity(m, &key, &vm, Suite::EddsaRdfc2022).await.unwrap();
        assert!(verify(&signed).await.unwrap().is_valid());
        // Every Hallmark term is signed: demoting the role breaks the proof.
        let mut demoted = signed.clone();
        demoted["credentialSubject"]["role"] = json!("member");
        assert_eq!(verify(&demoted).await.unwrap().failure, Some(VerificationFailure::ProofMismatch));

        // Expired: the proof is good, the validity period is not.
        let old = humanity_credential(
            &issuer,
            subject,
            HumanityMethod::InPerson,
            None,
            "2020-01-01T00:00:00Z",
            Some("2021-01-01T00:00:00Z"),
        );
        let signed = issue_data_integrity(old, &key, &vm, Suite::EddsaRdfc2022).await.unwrap();
        assert!(matches!(verify(&signed).await.unwrap().failure, Some(VerificationFailure::Claims(_))));
    }

    #[test]
    fn dates_as_people_type_them() {
        assert_eq!(parse_date("2027-01-31").unwrap(), "2027-01-31T23:59:59Z");
        assert_eq!(parse_date("2027-01-31T12:00:00+02:00").unwrap(), "2027-01-31T10:00:00Z");
        for bad in ["31/01/2027", "2027-02-30", "tomorrow", ""] {
            assert!(matches!(parse_date(bad), Err(CredentialError::InvalidDate(_))), "{bad}");
        }
    }

    fn random_key() -> ed25519_dalek::SigningKey {
        let mut secret = [0u8; 32];
        getrandom::fill(&mut secret).unwrap();
        ed25519_dalek::SigningKey::from_bytes(&secret)
    }

    #[tokio::test]
    async fn reproduces_w3c_eddsa_rdfc_2022_vector() {
        let key = vector_key();
        let (did, vm) = did_key_of(&key);
        assert_eq!(did, format!("did:key:{VECTOR_PUBLIC_MULTIBASE}"));
        let secured =
            issue_at(vector_credential(), &key, &vm, Suite::EddsaRdfc2022, Some("2023-02-24T23:36:38Z")).await.unwrap();
        let proof = &secured["proof"];
        assert_eq!(proof["type"], "DataIntegrityProof");
        assert_eq!(proof["cryptosuite"], "eddsa-rdfc-2022");
        assert_eq!(proof["created"], "2023-02-24T23:36:38Z");
        assert_eq!(proof["proofPurpose"], "assertionMethod");
        assert_eq!(proof["verificationMethod"], vm.as_str());
        assert_eq!(proof["proofValue"], VECTOR_PROOF_VALUE);
        // The published secured credential is the input plus exactly this proof.
        let mut expected = vector_credential();
        expected["proof"] = json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-rdfc-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": vm,
            "proofPurpose": "assertionMethod",
            "proofValue": VECTOR_PROOF_VALUE
        });
        assert_eq!(secured, expected);
        // Its signature verifies; only the issuer binding fails, because the vector's issuer is
        // https://vc.example/issuers/5678, not the did:key that signed.
        let v = verify(&expected).await.unwrap();
        assert_eq!(
            v.failure,
            Some(VerificationFailure::IssuerMismatch {
                issuer: "https://vc.example/issuers/5678".into(),
                verification_method: vm.clone()
            })
        );
        // One changed character of the published proofValue and the signature no longer matches.
        let mut forged = expected.clone();
        forged["proof"]["proofValue"] = json!(VECTOR_PROOF_VALUE.replace("z2YwC8", "z2YwC9"));
        assert_eq!(verify(&forged).await.unwrap().failure, Some(VerificationFailure::ProofMismatch));
    }

    #[tokio::test]
    async fn issue_then_verify() {
        let key = random_key();
        let (did, vm) = did_key_of(&key);
        let secured = issue_data_integrity(sample(&did), &key, &vm, Suite::EddsaRdfc2022).await.unwrap();
        let v = verify(&secured).await.unwrap();
        assert!(v.is_valid(), "{:?}", v.failure);
        assert_eq!(v.issuer, did);
        assert_eq!(v.verification_methods, vec![vm]);
    }

    #[tokio::test]
    async fn tampered_credential_fails() {
        let key = random_key();
        let (did, vm) = did_key_of(&key);
        let mut secured = issue_data_integrity(sample(&did), &key, &vm, Suite::EddsaRdfc2022).await.unwrap();
        secured["credentialSubject"]["alumniOf"] = json!("The School of Forgeries");
        let v = verify(&secured).await.unwrap();
        assert_eq!(v.failure, Some(VerificationFailure::ProofMismatch));
        assert!(v.failure.unwrap().to_string().contains("the proof does not match"));
    }

    #[tokio::test]
    async fn proof_by_another_key_fails() {
        let key = random_key();
        let other = random_key();
        let (did, vm) = did_key_of(&key);
        // Signing with `other` but naming `key`'s verification method is refused…
        let err = issue_data_integrity(sample(&did), &other, &vm, Suite::EddsaRdfc2022).await.unwrap_err();
        assert!(matches!(err, CredentialError::KeyMismatch(_)), "{err}");
        // …so graft a proof made by `other` (for its own method) onto `key`'s method.
        let (_, other_vm) = did_key_of(&other);
        let mut secured = issue_data_integrity(sample(&did), &other, &other_vm, Suite::EddsaRdfc2022).await.unwrap();
        secured["proof"]["verificationMethod"] = json!(vm);
        let v = verify(&secured).await.unwrap();
        assert_eq!(v.failure, Some(VerificationFailure::ProofMismatch));
    }

    #[tokio::test]
    async fn valid_proof_by_a_key_not_of_the_issuer_fails() {
        let issuer_key = random_key();
        let other = random_key();
        let (issuer, _) = did_key_of(&issuer_key);
        let (_, other_vm) = did_key_of(&other);
        let secured = issue_data_integrity(sample(&issuer), &other, &other_vm, Suite::EddsaRdfc2022).await.unwrap();
        let v = verify(&secured).await.unwrap();
        assert_eq!(v.failure, Some(VerificationFailure::IssuerMismatch { issuer, verification_method: other_vm }));
    }

    #[tokio::test]
    async fn did_jwk_issue_then_verify() {
        let key = random_key();
        let did = ssi::dids::DIDJWK::generate(&JWK::from(key.verifying_key())).to_string();
        let vm = format!("{did}#0");
        let secured = issue_data_integrity(sample(&did), &key, &vm, Suite::EddsaRdfc2022).await.unwrap();
        let v = verify(&secured).await.unwrap();
        assert!(v.is_valid(), "{:?}", v.failure);
        let mut tampered = secured.clone();
        tampered["validFrom"] = json!("2024-01-02T00:00:00Z");
        assert_eq!(verify(&tampered).await.unwrap().failure, Some(VerificationFailure::ProofMismatch));
    }

    #[tokio::test]
    async fn refuses_online_methods_and_v1() {
        let key = random_key();
        let (did, _) = did_key_of(&key);
        let err = issue_data_integrity(sample(&did), &key, "did:web:example.com#key-1", Suite::EddsaRdfc2022)
            .await
            .unwrap_err();
        assert!(matches!(err, CredentialError::UnsupportedVerificationMethod(_)), "{err}");
        let mut v1 = sample(&did);
        v1["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        let (_, vm) = did_key_of(&key);
        let err = issue_data_integrity(v1, &key, &vm, Suite::EddsaRdfc2022).await.unwrap_err();
        assert!(matches!(err, CredentialError::NotV2), "{err}");
    }
}
