//! Verifiable credentials (W3C VC Data Model 2.0): build, secure, verify.
//!
//! Every proof is Ed25519, in one of three forms:
//! * Data Integrity `eddsa-rdfc-2022` (the default, [`rdfc`]): JSON-LD expansion and RDF
//!   canonicalization are done by `ssi` (and the `json-ld` crate), hashing and signing by sha2 and
//!   ed25519-dalek; Hallmark drives the steps itself so that a JSON-LD context is processed once,
//!   not for every credential;
//! * Data Integrity `eddsa-jcs-2022` ([`jcs`]): ssi 0.16 lacks this suite, so it is built from
//!   serde_json_canonicalizer (RFC 8785), sha2 and ed25519-dalek, and reproduces the specification's test vector;
//! * VC-JOSE JWTs ([`jose`]).
//!
//! [`verifier`] checks any of them, check by check; [`method`] resolves a proof's key (did:key and
//! did:jwk offline, did:web over the network with a time limit); [`status`] is the Bitstring
//! Status List used for revocation; [`schema`] holds the JSON Schemas of Hallmark's credential
//! types; [`presentation`] builds and signs presentations.

pub mod jcs;
pub mod jose;
pub mod method;
pub mod presentation;
pub(crate) mod rdfc;
pub mod schema;
pub mod status;
#[cfg(test)]
mod testutil;
pub mod verifier;

use serde_json::Value;

/// A Data Integrity cryptosuite for Ed25519 keys.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Suite {
    /// `eddsa-rdfc-2022`: the document is canonicalized as an RDF dataset (JSON-LD).
    EddsaRdfc2022,
    /// `eddsa-jcs-2022`: the document is canonicalized as JSON (RFC 8785).
    EddsaJcs2022,
}

impl Suite {
    /// The suite's `cryptosuite` name, as written in a proof.
    pub fn name(self) -> &'static str {
        match self {
            Suite::EddsaRdfc2022 => "eddsa-rdfc-2022",
            Suite::EddsaJcs2022 => "eddsa-jcs-2022",
        }
    }

    /// The suite with this `cryptosuite` name.
    pub fn parse(name: &str) -> Option<Suite> {
        match name {
            "eddsa-rdfc-2022" => Some(Suite::EddsaRdfc2022),
            "eddsa-jcs-2022" => Some(Suite::EddsaJcs2022),
            _ => None,
        }
    }
}

/// How a credential or presentation is secured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// A Data Integrity proof embedded in the JSON document.
    DataIntegrity(Suite),
    /// A VC-JOSE compact JWT (`vc+jwt`, `vp+jwt`) signed with EdDSA.
    Jwt,
}

impl Format {
    /// Reads the CLI's `--format di|jwt` and `--cryptosuite NAME` (Data Integrity only; default
    /// `eddsa-rdfc-2022`).
    pub fn parse(format: &str, cryptosuite: Option<&str>) -> Result<Format, CredentialError> {
        match (format, cryptosuite) {
            ("di", None) => Ok(Format::DataIntegrity(Suite::EddsaRdfc2022)),
            ("di", Some(name)) => Suite::parse(name).map(Format::DataIntegrity).ok_or_else(|| {
                CredentialError::UnsupportedProof(format!(
                    "the cryptosuite {name:?} (use eddsa-rdfc-2022 or eddsa-jcs-2022)"
                ))
            }),
            ("jwt", None) => Ok(Format::Jwt),
            ("jwt", Some(_)) => Err(CredentialError::UnsupportedProof(
                "a cryptosuite with the JWT format (JWTs are always signed with EdDSA)".into(),
            )),
            (other, _) => Err(CredentialError::UnsupportedProof(format!("the format {other:?} (use di or jwt)"))),
        }
    }

    /// `di` or `jwt`, as stored and shown.
    pub fn name(self) -> &'static str {
        match self {
            Format::DataIntegrity(_) => "di",
            Format::Jwt => "jwt",
        }
    }

    /// The proof suite as stored and shown: the cryptosuite name, or `EdDSA` for JWTs.
    pub fn proof_suite(self) -> &'static str {
        match self {
            Format::DataIntegrity(s) => s.name(),
            Format::Jwt => "EdDSA",
        }
    }
}

/// The most bytes Hallmark reads as one credential or presentation.
pub const MAX_INPUT_BYTES: usize = 512 * 1024;

/// A secured credential or presentation as exchanged: Data Integrity JSON, or a compact JWT.
#[derive(Debug, Clone, PartialEq)]
pub enum Secured {
    /// A JSON document with embedded proof(s).
    Json(Value),
    /// A compact JWS (`header.payload.signature`).
    Jwt(String),
}

impl Secured {
    /// Reads a file's or a paste's text: JSON (an object) or a compact JWT, at most
    /// [`MAX_INPUT_BYTES`]. Nothing is verified yet.
    pub fn parse(text: &str) -> Result<Secured, CredentialError> {
        if text.len() > MAX_INPUT_BYTES {
            return Err(CredentialError::TooLarge { size: text.len(), limit: MAX_INPUT_BYTES });
        }
        let t = text.trim().trim_start_matches('\u{feff}');
        if t.starts_with('{') {
            let v: Value = serde_json::from_str(t)
                .map_err(|e| CredentialError::InvalidCredential(format!("the JSON is malformed ({e})")))?;
            return Ok(Secured::Json(v));
        }
        if t.starts_with('[') || t.starts_with('"') {
            return Err(CredentialError::InvalidCredential("expected one JSON object, not a list or a string".into()));
        }
        if t.split('.').count() == 3 && t.bytes().all(|b| b.is_ascii_alphanumeric() || b"-_.".contains(&b)) {
            jose::decode(t)?;
            return Ok(Secured::Jwt(t.to_owned()));
        }
        Err(CredentialError::InvalidCredential(
            "this is neither JSON nor a compact JWT (header.payload.signature)".into(),
        ))
    }

    /// The text to save or send: indented JSON, or the JWT, ending with a newline.
    pub fn to_text(&self) -> String {
        match self {
            Secured::Json(v) => {
                let mut t = serde_json::to_string_pretty(v).unwrap_or_default();
                t.push('\n');
                t
            }
            Secured::Jwt(j) => format!("{j}\n"),
        }
    }

    /// The credential or presentation itself (a JWT's payload), NOT verified.
    pub fn document(&self) -> Result<Value, CredentialError> {
        match self {
            Secured::Json(v) => Ok(v.clone()),
            Secured::Jwt(j) => Ok(jose::decode(j)?.payload),
        }
    }

    /// `di` or `jwt`.
    pub fn format_name(&self) -> &'static str {
        match self {
            Secured::Json(_) => "di",
            Secured::Jwt(_) => "jwt",
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

pub(crate) const VC_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// Secures an unsigned VC 2.0 credential as `verification_method` (which must name
/// `issuer_key`'s public key, e.g. `did:key:z6Mk…#z6Mk…`), with `proofPurpose: assertionMethod`
/// and `created` now for Data Integrity.
pub async fn sign_credential(
    credential: Value,
    issuer_key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    format: Format,
) -> Result<Secured, CredentialError> {
    check_v2(&credential)?;
    check_own_key(issuer_key, verification_method).await?;
    match format {
        Format::DataIntegrity(Suite::EddsaRdfc2022) => Ok(Secured::Json(
            rdfc_sign(Doc::Credential(credential), issuer_key, verification_method, &Binding::default(), None).await?,
        )),
        Format::DataIntegrity(Suite::EddsaJcs2022) => {
            let config = jcs::ProofConfig {
                verification_method: verification_method.to_owned(),
                proof_purpose: method::Purpose::Assertion,
                created: now_ms(),
                challenge: None,
                domain: None,
            };
            Ok(Secured::Json(jcs::sign(&credential, issuer_key, &config)?))
        }
        Format::Jwt => Ok(Secured::Jwt(jose::sign_credential(&credential, issuer_key, verification_method)?)),
    }
}

/// Signs a credential with an `eddsa-rdfc-2022` proof; kept for callers of the first release.
pub async fn issue_data_integrity(
    credential: Value,
    issuer_key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    suite: Suite,
) -> Result<Value, CredentialError> {
    match sign_credential(credential, issuer_key, verification_method, Format::DataIntegrity(suite)).await? {
        Secured::Json(v) => Ok(v),
        Secured::Jwt(_) => Err(CredentialError::Sign("a Data Integrity proof was asked for".into())),
    }
}

/// The current time as a Data Integrity `created` value (UTC, milliseconds).
pub(crate) fn now_ms() -> String {
    ssi::xsd::DateTimeStamp::now_ms().to_string()
}

/// A did:key or did:jwk method names its key itself: refuse to sign with any other key, since such
/// a proof could never verify. (did:web methods are the wallet's own and resolved online only.)
async fn check_own_key(key: &ed25519_dalek::SigningKey, vm: &str) -> Result<(), CredentialError> {
    if !(vm.starts_with("did:key:") || vm.starts_with("did:jwk:")) {
        return Ok(());
    }
    let named = method::resolve_ed25519(vm, method::Purpose::Assertion, std::time::Duration::from_secs(5)).await?;
    if named != key.verifying_key() {
        return Err(CredentialError::KeyMismatch(vm.to_owned()));
    }
    Ok(())
}

/// What [`rdfc_sign`] secures: a credential or a presentation, each read (and checked) as such.
pub(crate) enum Doc {
    Credential(Value),
    Presentation(Value),
}

/// Proof options of a presentation.
#[derive(Debug, Clone, Default)]
pub(crate) struct Binding {
    pub challenge: Option<String>,
    pub domain: Option<String>,
}

/// Signs with `eddsa-rdfc-2022` ([`rdfc::sign`]). `created` is fixed only by the test-vector test.
pub(crate) async fn rdfc_sign(
    doc: Doc,
    key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    binding: &Binding,
    created: Option<&str>,
) -> Result<Value, CredentialError> {
    let (doc, kind, purpose) = match &doc {
        Doc::Credential(v) => (v, rdfc::Kind::Credential, method::Purpose::Assertion),
        Doc::Presentation(v) => (v, rdfc::Kind::Presentation, method::Purpose::Authentication),
    };
    let config = rdfc::ProofConfig {
        verification_method: verification_method.to_owned(),
        proof_purpose: purpose,
        created: created.map(str::to_owned).unwrap_or_else(now_ms),
        challenge: binding.challenge.clone(),
        domain: binding.domain.clone(),
    };
    rdfc::sign(doc, kind, key, &config).await
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

pub(crate) fn check_v2(credential: &serde_json::Value) -> Result<(), CredentialError> {
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

#[cfg(test)]
mod tests {
    use super::testutil::{random_key, vector_credential, vector_key, VECTOR_PUBLIC_MULTIBASE};
    use super::verifier::{verify, Report, VerifyOptions};
    use super::*;
    use serde_json::json;
    use ssi::jwk::JWK;

    /// W3C "Data Integrity EdDSA Cryptosuites v1.0", Appendix B.1 (eddsa-rdfc-2022).
    const VECTOR_PROOF_VALUE: &str =
        "z2YwC8z3ap7yx1nZYCg4L3j3ApHsF8kgPdSb5xoS1VR7vPG3F561B52hYnQF9iseabecm3ijx4K1FBTQsCZahKZme";

    fn did_key_of(key: &ed25519_dalek::SigningKey) -> (String, String) {
        let jwk = JWK::from(key.verifying_key());
        let did = ssi::dids::DIDKey::generate(&jwk).unwrap().to_string();
        let fragment = did.strip_prefix("did:key:").unwrap().to_owned();
        let vm = format!("{did}#{fragment}");
        (did, vm)
    }

    fn sample(issuer: &str) -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2", "https://www.w3.org/ns/credentials/examples/v2"],
            "type": ["VerifiableCredential", "AlumniCredential"],
            "issuer": issuer,
            "validFrom": "2024-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:abcdefgh", "alumniOf": "The School of Examples"}
        })
    }

    const ALL_FORMATS: [Format; 3] =
        [Format::DataIntegrity(Suite::EddsaRdfc2022), Format::DataIntegrity(Suite::EddsaJcs2022), Format::Jwt];

    async fn check(secured: &Secured) -> Report {
        verify(secured, &VerifyOptions { network: false, ..Default::default() }).await.unwrap()
    }

    fn result_of(r: &Report, name: &str) -> &'static str {
        r.checks.iter().find(|c| c.check == name).map(|c| c.result).unwrap_or("missing")
    }

    /// Changes a value inside the credential, whichever form it is in (for JWTs the payload is
    /// re-encoded under the original header and signature).
    fn tamper(secured: &Secured, f: impl Fn(&mut Value)) -> Secured {
        match secured {
            Secured::Json(v) => {
                let mut v = v.clone();
                f(&mut v);
                Secured::Json(v)
            }
            Secured::Jwt(j) => {
                use base64::Engine;
                let b64 = base64::engine::general_purpose::URL_SAFE_NO_PAD;
                let parts: Vec<&str> = j.split('.').collect();
                let mut payload: Value = serde_json::from_slice(&b64.decode(parts[1]).unwrap()).unwrap();
                f(&mut payload);
                Secured::Jwt(format!("{}.{}.{}", parts[0], b64.encode(payload.to_string()), parts[2]))
            }
        }
    }

    /// Verifying many at once (over all cores) gives, in order, what verifying each gives:
    /// valid ones, tampered ones, unreadable ones, a presentation.
    #[test]
    fn verify_all_gives_each_result_in_order() {
        let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().unwrap();
        let key = random_key();
        let (issuer, vm) = did_key_of(&key);
        let mut inputs = Vec::new();
        for format in ALL_FORMATS {
            let signed = rt.block_on(sign_credential(sample(&issuer), &key, &vm, format)).unwrap();
            inputs.push(tamper(&signed, |v| v["credentialSubject"]["alumniOf"] = json!("Another school")));
            inputs.push(signed);
        }
        let vp = rt
            .block_on(presentation::sign_presentation(
                presentation::presentation(&issuer, &[inputs[1].clone()]),
                &key,
                &vm,
                Format::DataIntegrity(Suite::EddsaRdfc2022),
                Some("c-1"),
                Some("club.example"),
            ))
            .unwrap();
        inputs.push(vp);
        inputs.push(Secured::Json(json!({"type": ["VerifiableCredential"]})));
        let inputs: Vec<Secured> = (0..8).flat_map(|_| inputs.clone()).collect();
        let options = VerifyOptions { network: false, ..Default::default() };
        let all = verifier::verify_all(&inputs, &options);
        assert_eq!(all.len(), inputs.len());
        for (input, got) in inputs.iter().zip(&all) {
            let alone = rt.block_on(verify(input, &options));
            match (got, &alone) {
                (Ok(a), Ok(b)) => assert_eq!(serde_json::to_value(a).unwrap(), serde_json::to_value(b).unwrap()),
                (Err(a), Err(b)) => assert_eq!(a.to_string(), b.to_string()),
                _ => panic!("{got:?} but alone {alone:?}"),
            }
        }
        let valid: Vec<bool> = all[..8].iter().map(|r| r.as_ref().is_ok_and(|r| r.valid)).collect();
        assert_eq!(valid, [false, true, false, true, false, true, false, false]);
        assert!(verifier::verify_all(&[], &options).is_empty());
    }

    #[tokio::test]
    async fn humanity_and_membership_credentials_in_every_format() {
        let key = random_key();
        let (issuer, vm) = did_key_of(&key);
        let subject = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";
        for format in ALL_FORMATS {
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
            let signed = sign_credential(h, &key, &vm, format).await.unwrap();
            let r = check(&signed).await;
            assert!(r.valid, "{format:?}: {:?}", r.checks);
            assert_eq!(r.proof_suite, format.proof_suite());
            assert_eq!((r.issuer.as_deref(), r.subject.as_deref()), (Some(issuer.as_str()), Some(subject)));
            // Every Hallmark term is signed: changing the method breaks the proof.
            let tampered = tamper(&signed, |v| {
                let e = if v["evidence"].is_array() { &mut v["evidence"][0] } else { &mut v["evidence"] };
                assert_eq!(e["method"], "video-call");
                e["method"] = json!("in-person");
            });
            let r = check(&tampered).await;
            assert_eq!((r.valid, result_of(&r, "proof")), (false, "failed"), "{format:?}");
            assert_eq!(result_of(&r, "validity"), "not_checked", "nothing is believed once the proof fails");

            let m = membership_credential(
                &issuer,
                subject,
                "urn:uuid:0f6e",
                "Photo club",
                Role::Moderator,
                "2025-02-01T00:00:00Z",
                Some("2999-01-01T00:00:00Z"),
            );
            let signed = sign_credential(m, &key, &vm, format).await.unwrap();
            assert!(check(&signed).await.valid);
            let demoted = tamper(&signed, |v| v["credentialSubject"]["role"] = json!("member"));
            assert_eq!(result_of(&check(&demoted).await, "proof"), "failed", "{format:?}");

            // Expired: the proof is good, the validity period is not.
            let old = humanity_credential(
                &issuer,
                subject,
                HumanityMethod::InPerson,
                None,
                "2020-01-01T00:00:00Z",
                Some("2021-01-01T00:00:00Z"),
            );
            let old = sign_credential(old, &key, &vm, format).await.unwrap();
            let r = check(&old).await;
            assert_eq!((r.valid, result_of(&r, "proof"), result_of(&r, "validity")), (false, "passed", "failed"));
            // An expired credential's signature is still checked (ssi 0.16's verify skipped it
            // once the dates were wrong).
            let r = check(&tamper(&old, |v| v["credentialSubject"]["id"] = json!("did:example:someone-else"))).await;
            assert_eq!(result_of(&r, "proof"), "failed", "{format:?}");
            // Not yet valid.
            let future =
                humanity_credential(&issuer, subject, HumanityMethod::InPerson, None, "2999-01-01T00:00:00Z", None);
            let r = check(&sign_credential(future, &key, &vm, format).await.unwrap()).await;
            assert!(r.checks.iter().any(|c| c.check == "validity" && c.detail.contains("not valid yet")));
        }
    }

    #[test]
    fn dates_as_people_type_them() {
        assert_eq!(parse_date("2027-01-31").unwrap(), "2027-01-31T23:59:59Z");
        assert_eq!(parse_date("2027-01-31T12:00:00+02:00").unwrap(), "2027-01-31T10:00:00Z");
        for bad in ["31/01/2027", "2027-02-30", "tomorrow", ""] {
            assert!(matches!(parse_date(bad), Err(CredentialError::InvalidDate(_))), "{bad}");
        }
    }

    #[tokio::test]
    async fn reproduces_w3c_eddsa_rdfc_2022_vector() {
        let key = vector_key();
        let (did, vm) = did_key_of(&key);
        assert_eq!(did, format!("did:key:{VECTOR_PUBLIC_MULTIBASE}"));
        let secured = rdfc_sign(
            Doc::Credential(vector_credential()),
            &key,
            &vm,
            &Binding::default(),
            Some("2023-02-24T23:36:38Z"),
        )
        .await
        .unwrap();
        let proof = &secured["proof"];
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
        // Its signature is checked only once the key is the issuer's: the vector's issuer is
        // https://vc.example/issuers/5678, not the did:key that signed.
        let r = check(&Secured::Json(expected.clone())).await;
        assert_eq!((result_of(&r, "issuer"), result_of(&r, "proof")), ("failed", "not_checked"));
        assert!(r.checks[1].detail.contains("does not belong to the issuer https://vc.example/issuers/5678"));
        // With the issuer set to the signing DID (and the proof remade), the signature checks; a
        // changed character of the proofValue does not.
        let mut own = vector_credential();
        own["issuer"] = json!(did);
        let own = rdfc_sign(Doc::Credential(own), &key, &vm, &Binding::default(), Some("2023-02-24T23:36:38Z"))
            .await
            .unwrap();
        assert!(check(&Secured::Json(own.clone())).await.valid);
        let mut forged = own.clone();
        let pv = forged["proof"]["proofValue"].as_str().unwrap().to_owned();
        let flipped = if pv.ends_with('a') { "b" } else { "a" };
        forged["proof"]["proofValue"] = json!(format!("{}{flipped}", &pv[..pv.len() - 1]));
        assert_eq!(result_of(&check(&Secured::Json(forged)).await, "proof"), "failed");
    }

    #[tokio::test]
    async fn a_key_that_is_not_the_method_s_is_refused_and_a_grafted_proof_fails() {
        let key = random_key();
        let other = random_key();
        let (did, vm) = did_key_of(&key);
        for format in ALL_FORMATS {
            let err = sign_credential(sample(&did), &other, &vm, format).await.unwrap_err();
            assert!(matches!(err, CredentialError::KeyMismatch(_)), "{err}");
        }
        // A valid proof by `other` (for its own method) relabelled as `key`'s method.
        let (_, other_vm) = did_key_of(&other);
        let secured = sign_credential(sample(&did), &other, &other_vm, Format::DataIntegrity(Suite::EddsaRdfc2022))
            .await
            .unwrap();
        let Secured::Json(mut v) = secured else { panic!() };
        v["proof"]["verificationMethod"] = json!(vm);
        let r = check(&Secured::Json(v)).await;
        assert_eq!((r.valid, result_of(&r, "proof")), (false, "failed"));
    }

    #[tokio::test]
    async fn a_valid_proof_by_someone_else_s_key_is_not_the_issuer_s() {
        let issuer_key = random_key();
        let other = random_key();
        let (issuer, _) = did_key_of(&issuer_key);
        let (_, other_vm) = did_key_of(&other);
        for format in ALL_FORMATS {
            let secured = sign_credential(sample(&issuer), &other, &other_vm, format).await.unwrap();
            let r = check(&secured).await;
            assert_eq!((r.valid, result_of(&r, "issuer")), (false, "failed"), "{format:?}");
        }
    }

    #[tokio::test]
    async fn did_jwk_issuers() {
        let key = random_key();
        let did = ssi::dids::DIDJWK::generate(&JWK::from(key.verifying_key())).to_string();
        let vm = format!("{did}#0");
        for format in ALL_FORMATS {
            let secured = sign_credential(sample(&did), &key, &vm, format).await.unwrap();
            assert!(check(&secured).await.valid, "{format:?}");
            let tampered = tamper(&secured, |v| v["validFrom"] = json!("2024-01-02T00:00:00Z"));
            assert_eq!(result_of(&check(&tampered).await, "proof"), "failed");
        }
    }

    #[tokio::test]
    async fn unreadable_inputs_are_refused_with_their_reason() {
        let key = random_key();
        let (did, vm) = did_key_of(&key);
        let mut v1 = sample(&did);
        v1["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        assert!(matches!(sign_credential(v1, &key, &vm, Format::Jwt).await, Err(CredentialError::NotV2)));
        let Secured::Json(good) =
            sign_credential(sample(&did), &key, &vm, Format::DataIntegrity(Suite::EddsaRdfc2022)).await.unwrap()
        else {
            panic!()
        };
        let opts = VerifyOptions::default();
        let mut remote = good.clone();
        remote["@context"] = json!([VC_V2_CONTEXT, "https://evil.example/context.jsonld"]);
        assert!(matches!(verify(&Secured::Json(remote), &opts).await, Err(CredentialError::UnknownContext(_))));
        let mut other_suite = good.clone();
        other_suite["proof"]["cryptosuite"] = json!("ecdsa-rdfc-2019");
        assert!(matches!(verify(&Secured::Json(other_suite), &opts).await, Err(CredentialError::UnsupportedProof(_))));
        let mut other_type = good.clone();
        other_type["proof"]["type"] = json!("Ed25519Signature2020");
        assert!(matches!(verify(&Secured::Json(other_type), &opts).await, Err(CredentialError::UnsupportedProof(_))));
        let mut none = good.clone();
        none.as_object_mut().unwrap().remove("proof");
        assert!(matches!(verify(&Secured::Json(none), &opts).await, Err(CredentialError::NoProof)));
        assert!(matches!(Secured::parse("{\"a\": "), Err(CredentialError::InvalidCredential(_))));
        assert!(matches!(Secured::parse("[1]"), Err(CredentialError::InvalidCredential(_))));
        assert!(matches!(Secured::parse("eyJhbGciOiJub25lIn0.e30."), Err(CredentialError::MalformedJwt(_))));
        assert!(matches!(Secured::parse("hello"), Err(CredentialError::InvalidCredential(_))));
        let huge = format!("{{\"a\": \"{}\"}}", "x".repeat(MAX_INPUT_BYTES));
        assert!(matches!(Secured::parse(&huge), Err(CredentialError::TooLarge { .. })));
    }
}
