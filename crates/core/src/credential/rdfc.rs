//! Data Integrity `eddsa-rdfc-2022` (RDF Dataset Canonicalization + Ed25519).
//!
//! Implements W3C "Data Integrity EdDSA Cryptosuites v1.0", section 3.2. The building blocks all
//! come from libraries, as before: the document is read as a W3C credential or presentation by
//! `ssi` (which refuses malformed ones), JSON-LD expansion is the `json-ld` crate's (through
//! `ssi`, with ssi's strict policy: a term that does not expand is an error, never dropped), RDF
//! canonicalization is `ssi`'s URDNA2015 (RDFC-1.0), hashing SHA-256 (`sha2`) and signing Ed25519
//! (`ed25519-dalek`).
//!
//! Hallmark drives these steps itself instead of through ssi's `DataIntegrity::sign`/`verify` for
//! speed: processing a JSON-LD `@context` (the VC 2.0 context has about fifty terms, most with
//! scoped contexts of their own) is most of the work, and ssi did it from scratch for the document
//! and again for the proof configuration, on every credential. Here a top-level `@context` is
//! processed once and the result kept ([`processed_context`]); expanding a document whose
//! `@context` entry is taken out, from that processed context, is by the JSON-LD expansion
//! algorithm (step 9: "set active context to the result of the Context Processing algorithm")
//! exactly what expanding it with its `@context` does. Nothing else is kept between documents.
//!
//! Signing: the proof configuration (the proof without `proofValue`, with the document's
//! `@context`) and the document without `proof` are each canonicalized and hashed; the signature
//! covers `SHA-256(config) ‖ SHA-256(document)`. Verification redoes this from the secured
//! document, for one proof at a time. Which key may sign for a verification method is decided by
//! the caller (see [`super::method`]).

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};

use serde::Deserialize;
use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ssi::claims::data_integrity::suites::EdDsaRdfc2022;
use ssi::claims::data_integrity::DataIntegrity;
use ssi::json_ld::syntax::TryFromJson;
use ssi::json_ld::{ContextLoader, Expand, Process};
use ssi::rdf::{AnyLdEnvironment, LdEnvironment};

use super::CredentialError;

/// The `type` of every Data Integrity proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The `cryptosuite` this module implements.
pub const CRYPTOSUITE: &str = "eddsa-rdfc-2022";

/// How many processed `@context` values are kept. Hallmark's own documents use two (the VC 2.0
/// context with Hallmark's inline context for credentials, the VC 2.0 context alone for
/// presentations); the limit bounds what other issuers' inline contexts can make it keep (once
/// full, new contexts are processed for each document, as before).
const CONTEXT_CACHE_LIMIT: usize = 16;

/// Options of a proof to create (the same as for `eddsa-jcs-2022`).
pub(crate) use super::jcs::ProofConfig;

/// Whether a document is a credential or a presentation: ssi reads (and so checks) each as such.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Kind {
    Credential,
    Presentation,
}

/// Returns `unsecured` with an `eddsa-rdfc-2022` proof added ("Create Proof", section 3.2.1).
///
/// `unsecured` must be a credential or presentation (as `kind` says) without a `proof`; it is
/// written as ssi writes it (see [`as_ssi_writes_it`]). `key` must be the key of
/// `config.verification_method` (not checked here).
pub(crate) async fn sign(
    unsecured: &Value,
    kind: Kind,
    key: &ed25519_dalek::SigningKey,
    config: &ProofConfig,
) -> Result<Value, CredentialError> {
    if unsecured.get("proof").is_some() {
        return Err(CredentialError::InvalidCredential(
            "the document already has a proof; sign the document without it".into(),
        ));
    }
    let normalized = as_ssi_writes_it(unsecured, kind)?;
    let document = normalized
        .as_object()
        .ok_or_else(|| CredentialError::InvalidCredential("the document to sign must be a JSON object".into()))?;
    if config.created.parse::<ssi::xsd::DateTimeStamp>().is_err() {
        return Err(CredentialError::Sign(format!("bad creation date {:?}", config.created)));
    }
    ssi::json_ld::IriBuf::new(config.verification_method.clone())
        .map_err(|_| CredentialError::InvalidVerificationMethod(config.verification_method.clone()))?;
    // Steps 1–2: the proof options.
    let proof = config.proof_options(CRYPTOSUITE);
    // Steps 3–5: proof configuration (with the document's @context), transformation, hashing.
    let hash_data = hash_data(document, &proof, document.get("@context")).await.map_err(CredentialError::Sign)?;
    // Step 6: the Ed25519 signature, as multibase base58btc.
    Ok(super::jcs::signed_with(document, proof, key, &hash_data))
}

/// Checks `proof`, one of the proofs of `secured` (a credential or presentation, as `kind` says),
/// with `key` ("Verify Proof", section 3.2.2). `Ok(true)`: the signature matches; `Ok(false)`: it
/// does not (changed after signing, or signed with another key); `Err`: the document or proof
/// cannot be read or canonicalized.
///
/// The signature check is RFC 8032 strict (`verify_strict`: no small-order keys, no malleable
/// signatures). Every proof of a set is checked against the document without any proof.
pub(crate) async fn verify(
    secured: &Value,
    kind: Kind,
    proof: &Value,
    key: &ed25519_dalek::VerifyingKey,
) -> Result<bool, CredentialError> {
    check_shape_secured(secured, kind)?;
    let document = secured.as_object().ok_or_else(|| malformed("the document is not a JSON object"))?;
    let mut options = proof.as_object().cloned().ok_or_else(|| malformed("it is not a JSON object"))?;
    if options.get("type").and_then(Value::as_str) != Some(PROOF_TYPE)
        || options.get("cryptosuite").and_then(Value::as_str) != Some(CRYPTOSUITE)
    {
        return Err(CredentialError::UnsupportedProof(format!("a proof that is not a {PROOF_TYPE} {CRYPTOSUITE}")));
    }
    let proof_value = match options.remove("proofValue") {
        Some(Value::String(s)) => s,
        _ => return Err(malformed("it has no proofValue")),
    };
    let bytes = super::jcs::signature_of_proof_value(&proof_value, malformed)?;
    // A proof's own @context must start the document's; the document is then read with it.
    let context = match options.remove("@context") {
        Some(wanted) => {
            let have = document.get("@context").map(as_list).unwrap_or_default();
            let wanted_list = as_list(&wanted);
            if have.len() < wanted_list.len() || have[..wanted_list.len()] != wanted_list[..] {
                return Ok(false);
            }
            Some(wanted)
        }
        None => document.get("@context").cloned(),
    };
    let hash_data = hash_data(document, &options, context.as_ref()).await.map_err(CredentialError::Verify)?;
    let signature = ed25519_dalek::Signature::from_bytes(&bytes);
    Ok(key.verify_strict(&hash_data, &signature).is_ok())
}

/// The document must read as a W3C credential (or presentation) with `eddsa-rdfc-2022` proofs, as
/// ssi reads them: the checks ssi made when it verified.
fn check_shape_secured(secured: &Value, kind: Kind) -> Result<(), CredentialError> {
    let result = match kind {
        Kind::Credential => {
            DataIntegrity::<ssi::claims::vc::AnyJsonCredential, EdDsaRdfc2022>::deserialize(secured).map(drop)
        }
        Kind::Presentation => {
            DataIntegrity::<ssi::claims::vc::v2::syntax::JsonPresentation<Value>, EdDsaRdfc2022>::deserialize(secured)
                .map(drop)
        }
    };
    result.map_err(|e| CredentialError::InvalidCredential(e.to_string()))
}

/// The document read as a VC 2.0 credential (or presentation) by ssi, which refuses malformed
/// ones, and written back as ssi writes it (a one-item array such as `evidence: [{…}]` becomes the
/// item): Hallmark's credentials keep the form they had when ssi signed them.
fn as_ssi_writes_it(unsecured: &Value, kind: Kind) -> Result<Value, CredentialError> {
    let written = match kind {
        Kind::Credential => <ssi::claims::vc::v2::JsonCredential>::deserialize(unsecured).map(serde_json::to_value),
        Kind::Presentation => {
            ssi::claims::vc::v2::syntax::JsonPresentation::<Value>::deserialize(unsecured).map(serde_json::to_value)
        }
    };
    written
        .map_err(|e| CredentialError::InvalidCredential(e.to_string()))?
        .map_err(|e| CredentialError::InvalidCredential(e.to_string()))
}

fn malformed(why: &str) -> CredentialError {
    CredentialError::Verify(format!("the eddsa-rdfc-2022 proof is malformed: {why}"))
}

fn as_list(context: &Value) -> Vec<Value> {
    match context {
        Value::Array(a) => a.clone(),
        other => vec![other.clone()],
    }
}

/// Transformation, proof configuration and hashing (sections 3.2.3–3.2.5):
/// `SHA-256(RDFC(proof config)) ‖ SHA-256(RDFC(document))`, both read with `context` (the
/// document's `proof`, if any, is left out).
async fn hash_data(
    document: &Map<String, Value>,
    proof_config: &Map<String, Value>,
    context: Option<&Value>,
) -> Result<[u8; 64], String> {
    let context = processed_context(context).await?;
    let canonical_document =
        canonical_form(document, true, &context).await.map_err(|e| format!("cannot canonicalize the document: {e}"))?;
    let canonical_config = canonical_form(proof_config, false, &context)
        .await
        .map_err(|e| format!("cannot canonicalize the proof options: {e}"))?;
    let digest = |lines: &[String]| lines.iter().fold(Sha256::new(), |h, l| h.chain_update(l.as_bytes())).finalize();
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&digest(&canonical_config));
    out[32..].copy_from_slice(&digest(&canonical_document));
    Ok(out)
}

/// ssi's expansion options: a term or type that does not expand to an IRI is an error (plain
/// JSON-LD would silently drop it, leaving it unsigned).
fn expansion_options() -> ssi::json_ld::expansion::Options {
    ssi::json_ld::expansion::Options {
        policy: ssi::json_ld::expansion::Policy {
            invalid: ssi::json_ld::expansion::Action::Reject,
            allow_undefined: false,
            ..Default::default()
        },
        ..Default::default()
    }
}

/// The contexts ssi knows (VC 2.0, its examples, Data Integrity, …); nothing is fetched.
fn loader() -> ContextLoader {
    ContextLoader::default()
}

type ProcessedContext = ssi::json_ld::Context;

static CONTEXTS: LazyLock<Mutex<HashMap<String, Arc<ProcessedContext>>>> = LazyLock::new(Default::default);

/// The processed form of a top-level `@context` value (the empty context without one): the
/// JSON-LD Context Processing algorithm run from an empty active context with no base URL, as the
/// expansion algorithm does for a top-level `@context`. It depends on nothing but the value (the
/// loader only serves ssi's built-in contexts), so it is kept, keyed by the value's JSON text.
async fn processed_context(context: Option<&Value>) -> Result<Arc<ProcessedContext>, String> {
    let Some(context) = context else {
        return Ok(Arc::new(ProcessedContext::new(None)));
    };
    let key = context.to_string();
    if let Some(found) = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner()).get(&key) {
        return Ok(found.clone());
    }
    let json = ssi::json_ld::syntax::to_value(context).map_err(|e| format!("the @context cannot be read: {e}"))?;
    let local = ssi::json_ld::syntax::Context::try_from_json(json)
        .map_err(|e| format!("JSON-LD expansion failed: invalid @context: {e}"))?;
    let processed = local
        .process_full(&mut (), &ProcessedContext::new(None), &loader(), None, expansion_options().into(), ())
        .await
        .map_err(|e| format!("JSON-LD expansion failed: {e}"))?
        .into_processed()
        // The scoped contexts of its terms and types, processed against it for every document, are
        // kept too (a patch to json-ld-core, see vendor/README.md).
        .with_processing_cache();
    let processed = Arc::new(processed);
    let mut cache = CONTEXTS.lock().unwrap_or_else(|e| e.into_inner());
    if cache.len() < CONTEXT_CACHE_LIMIT {
        cache.insert(key, processed.clone());
    }
    Ok(processed)
}

/// The RDFC-1.0 canonical N-Quads lines of `object` (whose `@context` is `context`), without its
/// `@context` entry, and without its `proof` entry when `without_proof`.
async fn canonical_form(
    object: &Map<String, Value>,
    without_proof: bool,
    context: &ProcessedContext,
) -> Result<Vec<String>, String> {
    let mut json = ssi::json_ld::syntax::Object::new();
    for (k, v) in object {
        if k != "@context" && !(without_proof && k == "proof") {
            json.insert(k.as_str().into(), ssi::json_ld::syntax::to_value(v).map_err(|e| e.to_string())?);
        }
    }
    let expanded = ssi::json_ld::syntax::Value::Object(json)
        .expand_full(&mut (), context.clone(), None, &loader(), expansion_options(), ())
        .await
        .map_err(|e| format!("JSON-LD expansion failed: {e}"))?;
    LdEnvironment::default().canonical_form_of(&expanded).map_err(|e| e.to_string())
}

#[cfg(test)]
mod tests {
    use super::super::method::Purpose;
    use super::super::testutil::{random_did_key, vector_credential, vector_key, vector_vm};
    use super::*;
    use serde_json::json;

    /// ssi's own eddsa-rdfc-2022 signer, which Hallmark used before: the reference to agree with.
    async fn ssi_sign(doc: &Value, kind: Kind, key: &ed25519_dalek::SigningKey, config: &ProofConfig) -> Value {
        use ssi::claims::data_integrity::{CryptographicSuite, ProofOptions};
        use ssi::verification_methods::{Multikey, ProofPurpose, ReferenceOrOwned, SingleSecretSigner};
        let vm = ssi::json_ld::IriBuf::new(config.verification_method.clone()).unwrap();
        let did = config.verification_method.split('#').next().unwrap();
        let multibase = crate::did::did_key(&key.verifying_key()).unwrap().trim_start_matches("did:key:").to_owned();
        let method: Multikey = serde_json::from_value(json!({
            "id": config.verification_method, "type": "Multikey", "controller": did, "publicKeyMultibase": multibase,
        }))
        .unwrap();
        let resolver: HashMap<_, _> = [(vm.clone(), method)].into_iter().collect();
        let signer = SingleSecretSigner::new(ssi::JWK::from(ssi::jwk::Params::OKP(ssi::jwk::OctetParams {
            curve: "Ed25519".into(),
            public_key: ssi::jwk::Base64urlUInt(key.verifying_key().to_bytes().to_vec()),
            private_key: Some(ssi::jwk::Base64urlUInt(key.to_bytes().to_vec())),
        })));
        let purpose = match config.proof_purpose {
            Purpose::Assertion => ProofPurpose::Assertion,
            Purpose::Authentication => ProofPurpose::Authentication,
        };
        let mut options =
            ProofOptions::new(config.created.parse().unwrap(), ReferenceOrOwned::Reference(vm), purpose, ());
        options.challenge = config.challenge.clone();
        options.domains = config.domain.iter().cloned().collect();
        match kind {
            Kind::Credential => {
                let vc: ssi::claims::vc::v2::JsonCredential = serde_json::from_value(doc.clone()).unwrap();
                serde_json::to_value(EdDsaRdfc2022.sign(vc, &resolver, &signer, options).await.unwrap()).unwrap()
            }
            Kind::Presentation => {
                let vp: ssi::claims::vc::v2::syntax::JsonPresentation<Value> =
                    serde_json::from_value(doc.clone()).unwrap();
                serde_json::to_value(EdDsaRdfc2022.sign(vp, &resolver, &signer, options).await.unwrap()).unwrap()
            }
        }
    }

    fn config(vm: &str, purpose: Purpose, challenge: Option<&str>, domain: Option<&str>) -> ProofConfig {
        ProofConfig {
            verification_method: vm.to_owned(),
            proof_purpose: purpose,
            created: "2025-03-04T05:06:07Z".into(),
            challenge: challenge.map(str::to_owned),
            domain: domain.map(str::to_owned),
        }
    }

    /// The same proofValue as ssi's signer, for credentials with Hallmark's and the W3C examples'
    /// contexts, numbers, nested objects and several subjects, and for presentations holding them.
    #[tokio::test]
    async fn signs_exactly_as_ssi_did() {
        let (key, did, vm) = random_did_key();
        let humanity = super::super::humanity_credential(
            &did,
            "did:example:subject",
            super::super::HumanityMethod::InPerson,
            Some("met at the club"),
            "2025-01-01T00:00:00Z",
            Some("2030-01-01T00:00:00Z"),
        );
        let mut numbers = vector_credential();
        numbers["issuer"] = json!(did);
        numbers["credentialSubject"] = json!([
            {"id": "did:example:a", "alumniOf": {"name": "School", "graduated": 2019, "grade": 4.50, "honours": true}},
            {"id": "did:example:b", "alumniOf": "Another school"}
        ]);
        for (doc, kind, cfg) in [
            (vector_credential(), Kind::Credential, config(&vm, Purpose::Assertion, None, None)),
            (humanity.clone(), Kind::Credential, config(&vm, Purpose::Assertion, None, None)),
            (numbers, Kind::Credential, config(&vm, Purpose::Assertion, None, None)),
        ] {
            let ours = sign(&doc, kind, &key, &cfg).await.unwrap();
            let theirs = ssi_sign(&doc, kind, &key, &cfg).await;
            assert_eq!(ours, theirs, "{doc}");
            assert!(verify(&ours, kind, &ours["proof"], &key.verifying_key()).await.unwrap());
        }
        let vc = sign(&humanity, Kind::Credential, &key, &config(&vm, Purpose::Assertion, None, None)).await.unwrap();
        let vp = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "holder": did,
            "verifiableCredential": [vc],
        });
        let cfg = config(&vm, Purpose::Authentication, Some("c-1"), Some("club.example"));
        let ours = sign(&vp, Kind::Presentation, &key, &cfg).await.unwrap();
        let theirs = ssi_sign(&vp, Kind::Presentation, &key, &cfg).await;
        assert_eq!(ours, theirs);
        assert!(verify(&ours, Kind::Presentation, &ours["proof"], &key.verifying_key()).await.unwrap());
    }

    /// What ssi refused stays refused: terms that do not expand, malformed documents and proofs.
    #[tokio::test]
    async fn refuses_what_ssi_refused() {
        let key = vector_key();
        let cfg = config(&vector_vm(), Purpose::Assertion, None, None);
        // A term no context defines would be left out of the signature: an error, not dropped.
        // (The W3C examples context has an @vocab that defines every term; VC 2.0 alone has none.)
        let only_v2 = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "https://vc.example/issuers/5678",
            "credentialSubject": {"id": "did:example:abcdefgh"}
        });
        let mut undefined = only_v2.clone();
        undefined["credentialSubject"]["nickname"] = json!("Al");
        let err = sign(&undefined, Kind::Credential, &key, &cfg).await.unwrap_err();
        assert!(err.to_string().contains("expansion"), "{err}");
        // Not a credential (no credentialSubject).
        let mut no_subject = vector_credential();
        no_subject.as_object_mut().unwrap().remove("credentialSubject");
        assert!(matches!(
            sign(&no_subject, Kind::Credential, &key, &cfg).await,
            Err(CredentialError::InvalidCredential(_))
        ));
        // An undefined term added after signing cannot be checked at all.
        let vk = key.verifying_key();
        let mut added = sign(&only_v2, Kind::Credential, &key, &cfg).await.unwrap();
        assert!(verify(&added, Kind::Credential, &added["proof"], &vk).await.unwrap());
        added["credentialSubject"]["nickname"] = json!("Al");
        assert!(matches!(
            verify(&added, Kind::Credential, &added["proof"], &vk).await,
            Err(CredentialError::Verify(_))
        ));
        let secured = sign(&vector_credential(), Kind::Credential, &key, &cfg).await.unwrap();
        // A defined one changes the signed data.
        let mut changed = secured.clone();
        changed["credentialSubject"]["alumniOf"] = json!("Another school");
        assert!(!verify(&changed, Kind::Credential, &changed["proof"], &vk).await.unwrap());
        // A proofValue that is not base58btc, or not 64 bytes.
        for bad in ["uAAAA", "z3yMfDe"] {
            let mut v = secured.clone();
            v["proof"]["proofValue"] = json!(bad);
            assert!(verify(&v, Kind::Credential, &v["proof"], &vk).await.is_err(), "{bad}");
        }
        // A proof @context that is not the start of the document's.
        let mut foreign = secured.clone();
        foreign["proof"]["@context"] = json!(["https://www.w3.org/ns/credentials/examples/v2"]);
        assert!(!verify(&foreign, Kind::Credential, &foreign["proof"], &vk).await.unwrap());
    }

    /// A processed context is kept once and reused; the result does not depend on it.
    #[tokio::test]
    async fn a_kept_context_gives_the_same_result() {
        let key = vector_key();
        let cfg = config(&vector_vm(), Purpose::Assertion, None, None);
        let first = sign(&vector_credential(), Kind::Credential, &key, &cfg).await.unwrap();
        let context = vector_credential()["@context"].clone();
        let a = processed_context(Some(&context)).await.unwrap();
        let b = processed_context(Some(&context)).await.unwrap();
        assert!(Arc::ptr_eq(&a, &b), "kept, not processed again");
        let second = sign(&vector_credential(), Kind::Credential, &key, &cfg).await.unwrap();
        assert_eq!(first, second);
    }

    /// The scoped contexts kept by the patched json-ld-core (vendor/README.md) give exactly what
    /// processing them afresh gives: the canonical form with a context that keeps them (on the
    /// first document and on later ones, found again) equals the one with a context that does
    /// not. Scoped contexts that differ are not mistaken for one another.
    #[tokio::test]
    async fn kept_scoped_contexts_change_nothing() {
        let (_, did, _) = random_did_key();
        let humanity = super::super::humanity_credential(
            &did,
            "did:example:subject",
            super::super::HumanityMethod::Vouching,
            Some("three members vouched"),
            "2025-01-01T00:00:00Z",
            None,
        );
        let membership = super::super::membership_credential(
            &did,
            "did:example:subject",
            "urn:uuid:3e4f1a52-8c39-4a8e-9a43-0f4b2d9f8a10",
            "Night photographers",
            super::super::Role::Moderator,
            "2025-01-01T00:00:00Z",
            None,
        );
        // Two types whose scoped contexts give `score` (and, in its own scoped context, `level`)
        // different meanings: processed against the same kept context, each keeps its own.
        let context = json!(["https://www.w3.org/ns/credentials/v2", {
            "ScoreA": {"@id": "https://example.org/ScoreA", "@context": {
                "score": {"@id": "https://example.org/score-a", "@context": {"level": "https://example.org/level-a"}}
            }},
            "ScoreB": {"@id": "https://example.org/ScoreB", "@context": {
                "score": {"@id": "https://example.org/score-b", "@context": {"level": "https://example.org/level-b"}}
            }}
        }]);
        let scored = |t: &str| {
            json!({
                "@context": context,
                "type": ["VerifiableCredential", t],
                "issuer": did,
                "credentialSubject": {"id": "did:example:abc"},
                "score": {"level": 3}
            })
        };
        let (a, b) = (scored("ScoreA"), scored("ScoreB"));
        for doc in [&humanity, &membership, &vector_credential(), &a, &b] {
            let object = doc.as_object().unwrap();
            let json = ssi::json_ld::syntax::to_value(&doc["@context"]).unwrap();
            let local = ssi::json_ld::syntax::Context::try_from_json(json).unwrap();
            let afresh = local
                .process_full(&mut (), &ProcessedContext::new(None), &loader(), None, expansion_options().into(), ())
                .await
                .unwrap()
                .into_processed();
            let expected = canonical_form(object, true, &afresh).await.unwrap();
            let kept = processed_context(doc.get("@context")).await.unwrap();
            for _ in 0..3 {
                assert_eq!(canonical_form(object, true, &kept).await.unwrap(), expected, "{doc}");
            }
        }
        let kept = processed_context(Some(&context)).await.unwrap();
        for _ in 0..2 {
            for (doc, own, other) in [(&a, "-a>", "-b>"), (&b, "-b>", "-a>")] {
                let lines = canonical_form(doc.as_object().unwrap(), true, &kept).await.unwrap().concat();
                assert!(lines.contains(&format!("score{own}")) && lines.contains(&format!("level{own}")), "{lines}");
                assert!(!lines.contains(other), "{lines}");
            }
        }
    }
}
