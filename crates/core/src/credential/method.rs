//! Verification methods: resolving a DID URL to its Ed25519 public key.
//!
//! A proof names its key by a verification method id, a DID URL such as `did:key:z6Mk…#z6Mk…`,
//! `did:jwk:…#0` or `did:web:example.com#key-1`. The DID is resolved (offline for did:key and
//! did:jwk, over HTTPS for did:web), and the key is accepted only if the DID document lists the
//! method under the verification relationship the proof claims (`assertionMethod` for a
//! credential, `authentication` for a presentation), following the "Retrieve Verification
//! Method" algorithm of W3C Controlled Identifiers v1.0. Decoding (multibase, multicodec) is done
//! by `ssi`; no cryptography happens here.

use std::collections::HashMap;
use std::sync::{Arc, LazyLock, Mutex};
use std::time::Duration;

use base64::Engine as _;
use serde_json::Value;
use ssi::security::multibase::Base;

use super::CredentialError;

/// The DID document relationship a verification method must be listed in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Purpose {
    /// `assertionMethod`: the key may issue credentials (make statements) for the DID.
    Assertion,
    /// `authentication`: the key may prove control of the DID, e.g. sign a presentation.
    Authentication,
}

impl Purpose {
    /// The relationship's name as written in DID documents and in a proof's `proofPurpose`.
    pub fn as_str(self) -> &'static str {
        match self {
            Purpose::Assertion => "assertionMethod",
            Purpose::Authentication => "authentication",
        }
    }

    /// Reads a `proofPurpose` value; `None` for a purpose Hallmark does not check.
    pub fn parse(text: &str) -> Option<Purpose> {
        match text {
            "assertionMethod" => Some(Purpose::Assertion),
            "authentication" => Some(Purpose::Authentication),
            _ => None,
        }
    }
}

impl std::fmt::Display for Purpose {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Resolves `vm` (a DID URL such as did:key:z6Mk…#z6Mk…, did:jwk:…#0, did:web:example.com#key-1) to its
/// Ed25519 public key, checking the DID document lists it under `purpose`.
///
/// did:key and did:jwk resolve offline; did:web fetches the DID document over HTTPS within
/// `timeout`. Errors: [`CredentialError::InvalidVerificationMethod`] when `vm` is not a DID URL
/// with a fragment, [`CredentialError::Resolve`] when the DID cannot be resolved, and those of
/// [`ed25519_from_document`].
pub async fn resolve_ed25519(
    vm: &str,
    purpose: Purpose,
    timeout: Duration,
) -> Result<ed25519_dalek::VerifyingKey, CredentialError> {
    let (did, _) = split_method_id(vm)?;
    if let Some(key) = kept_key(did, vm, purpose) {
        return Ok(key);
    }
    let key = if let Some(document) = cached_document(did) {
        ed25519_from_document(&document, vm, purpose)
    } else {
        let document = crate::did::resolve(did, timeout)
            .await
            .map_err(|e| CredentialError::Resolve { did: did.to_owned(), reason: e.to_string() })?;
        let key = ed25519_from_document(&document, vm, purpose);
        keep_document(did, document);
        key
    }?;
    keep_key(did, vm, purpose, key);
    Ok(key)
}

/// did:key and did:jwk documents already resolved, by DID. Such a document is computed from the
/// DID alone (no network, nothing that can change), so it is kept and reused. did:web documents
/// are never kept here.
static OFFLINE_DOCUMENTS: LazyLock<Mutex<HashMap<String, Arc<Value>>>> = LazyLock::new(Default::default);

/// The keys found in those documents ([`ed25519_from_document`] passed), by verification method,
/// one per purpose (see [`purpose_slot`]): decoding a key (an elliptic curve point) costs about as
/// much again as the rest of an `eddsa-jcs-2022` check besides the signature. Only found keys are
/// kept; a method that failed is checked again every time.
type KeptKeys = HashMap<String, [Option<ed25519_dalek::VerifyingKey>; 2]>;
static OFFLINE_KEYS: LazyLock<Mutex<KeptKeys>> = LazyLock::new(Default::default);

fn purpose_slot(purpose: Purpose) -> usize {
    match purpose {
        Purpose::Assertion => 0,
        Purpose::Authentication => 1,
    }
}

fn kept_key(did: &str, vm: &str, purpose: Purpose) -> Option<ed25519_dalek::VerifyingKey> {
    if !is_offline_did(did) {
        return None;
    }
    OFFLINE_KEYS.lock().ok()?.get(vm)?[purpose_slot(purpose)]
}

fn keep_key(did: &str, vm: &str, purpose: Purpose, key: ed25519_dalek::VerifyingKey) {
    if !is_offline_did(did) {
        return;
    }
    if let Ok(mut kept) = OFFLINE_KEYS.lock() {
        if kept.len() >= MAX_KEPT_DOCUMENTS && !kept.contains_key(vm) {
            kept.clear();
        }
        kept.entry(vm.to_owned()).or_default()[purpose_slot(purpose)] = Some(key);
    }
}

/// At most this many documents are kept (the set is emptied when full).
const MAX_KEPT_DOCUMENTS: usize = 1024;

fn is_offline_did(did: &str) -> bool {
    did.starts_with("did:key:") || did.starts_with("did:jwk:")
}

fn cached_document(did: &str) -> Option<Arc<Value>> {
    if !is_offline_did(did) {
        return None;
    }
    OFFLINE_DOCUMENTS.lock().ok()?.get(did).cloned()
}

fn keep_document(did: &str, document: Value) {
    if !is_offline_did(did) {
        return;
    }
    if let Ok(mut kept) = OFFLINE_DOCUMENTS.lock() {
        if kept.len() >= MAX_KEPT_DOCUMENTS {
            kept.clear();
        }
        kept.insert(did.to_owned(), Arc::new(document));
    }
}

/// Finds the Ed25519 public key of the verification method `vm` in a resolved DID document,
/// checking that the document lists it under `purpose`.
///
/// The relationship (`assertionMethod` or `authentication`) may hold the method's id (absolute
/// or relative, `#key-1`) or the method itself; ids in `verificationMethod` may be relative too.
/// The key may be given as `publicKeyMultibase` (Multikey, Ed25519VerificationKey2020:
/// base58btc of the multicodec `ed25519-pub` key) or `publicKeyJwk` (`kty` OKP, `crv` Ed25519).
///
/// Errors: [`CredentialError::MethodNotListed`] when `vm` is not a method of this document for
/// `purpose` (or belongs to another DID or controller), [`CredentialError::UnsupportedKey`] when
/// its key is not an Ed25519 public key in one of those forms.
pub fn ed25519_from_document(
    document: &Value,
    vm: &str,
    purpose: Purpose,
) -> Result<ed25519_dalek::VerifyingKey, CredentialError> {
    let (did, _) = split_method_id(vm)?;
    let not_listed = || CredentialError::MethodNotListed {
        did: did.to_owned(),
        method: vm.to_owned(),
        purpose: purpose.to_string(),
    };
    // The document must be the one of the method's DID: a document is authoritative only for itself.
    let doc_id = document.get("id").and_then(Value::as_str).ok_or_else(not_listed)?;
    if doc_id != did {
        return Err(not_listed());
    }
    let absolute = |id: &str| if id.starts_with('#') { format!("{doc_id}{id}") } else { id.to_owned() };

    // 1. The relationship must name the method (by reference or embedded).
    let mut listed = false;
    let mut method: Option<&Value> = None;
    for entry in entries(document.get(purpose.as_str())) {
        match entry {
            Value::String(id) if absolute(id) == vm => listed = true,
            Value::Object(_) if entry.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm) => {
                listed = true;
                method = Some(entry);
            }
            _ => {}
        }
        if method.is_some() {
            break;
        }
    }
    if !listed {
        return Err(not_listed());
    }

    // 2. A reference points at a method defined elsewhere in the document.
    let method = match method {
        Some(m) => m,
        None => find_method(document, vm, &absolute).ok_or_else(not_listed)?,
    };

    // 3. The method must be controlled by this DID (Controlled Identifiers v1.0, "Retrieve
    //    Verification Method": the controller must be the document's own identifier).
    if let Some(controller) = method.get("controller") {
        if controller.as_str().map(absolute).as_deref() != Some(doc_id) {
            return Err(not_listed());
        }
    }

    decode_key(method).ok_or_else(|| CredentialError::UnsupportedKey(vm.to_owned()))
}

/// Splits a verification method id into its DID and fragment; both must be present.
fn split_method_id(vm: &str) -> Result<(&str, &str), CredentialError> {
    match vm.split_once('#') {
        Some((did, fragment)) if did.starts_with("did:") && !fragment.is_empty() => Ok((did, fragment)),
        _ => Err(CredentialError::InvalidVerificationMethod(vm.to_owned())),
    }
}

/// The entries of a relationship or `verificationMethod` property (a set, or a single value).
fn entries(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    let slice: &[Value] = match value {
        Some(Value::Array(items)) => items,
        Some(v) => std::slice::from_ref(v),
        None => &[],
    };
    slice.iter()
}

/// The method object with id `vm` in `verificationMethod`, or embedded in any relationship.
fn find_method<'a>(document: &'a Value, vm: &str, absolute: &dyn Fn(&str) -> String) -> Option<&'a Value> {
    const WHERE: [&str; 6] = [
        "verificationMethod",
        "assertionMethod",
        "authentication",
        "capabilityInvocation",
        "capabilityDelegation",
        "keyAgreement",
    ];
    WHERE
        .iter()
        .flat_map(|p| entries(document.get(*p)))
        .find(|m| m.is_object() && m.get("id").and_then(Value::as_str).map(absolute).as_deref() == Some(vm))
}

/// The Ed25519 public key of a verification method object, if it holds one in a form we read.
fn decode_key(method: &Value) -> Option<ed25519_dalek::VerifyingKey> {
    let bytes: [u8; 32] = if let Some(text) = method.get("publicKeyMultibase") {
        let (base, data) = ssi::security::Multibase::new(text.as_str()?).decode().ok()?;
        if base != Base::Base58Btc {
            return None;
        }
        let encoded = ssi::multicodec::MultiEncoded::new(&data).ok()?;
        let (codec, key) = encoded.parts();
        if codec != ssi::multicodec::ED25519_PUB {
            return None;
        }
        key.try_into().ok()?
    } else if let Some(jwk) = method.get("publicKeyJwk") {
        let field = |name: &str| jwk.get(name).and_then(Value::as_str);
        // A public key only: a JWK carrying the private part `d` is refused, not trusted.
        if field("kty")? != "OKP" || field("crv")? != "Ed25519" || jwk.get("d").is_some() {
            return None;
        }
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(field("x")?).ok()?;
        x.try_into().ok()?
    } else {
        return None;
    };
    ed25519_dalek::VerifyingKey::from_bytes(&bytes).ok()
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn key(seed: u8) -> ed25519_dalek::SigningKey {
        ed25519_dalek::SigningKey::from_bytes(&[seed; 32])
    }

    const T: Duration = crate::did::DEFAULT_RESOLVE_TIMEOUT;

    #[tokio::test]
    async fn did_key_resolves_for_both_purposes() {
        let vk = key(7).verifying_key();
        let did = crate::did::did_key(&vk).unwrap();
        let vm = crate::did::verification_method_id(&did).unwrap();
        assert_eq!(resolve_ed25519(&vm, Purpose::Assertion, T).await.unwrap(), vk);
        assert_eq!(resolve_ed25519(&vm, Purpose::Authentication, T).await.unwrap(), vk);
    }

    #[tokio::test]
    async fn kept_did_key_documents_are_still_checked_every_time() {
        let vk = key(21).verifying_key();
        let did = crate::did::did_key(&vk).unwrap();
        let vm = crate::did::verification_method_id(&did).unwrap();
        assert_eq!(resolve_ed25519(&vm, Purpose::Assertion, T).await.unwrap(), vk);
        assert!(cached_document(&did).is_some(), "a resolved did:key document is kept");
        // Answered from the kept document: the same key, and the same refusals.
        assert_eq!(resolve_ed25519(&vm, Purpose::Authentication, T).await.unwrap(), vk);
        let err = resolve_ed25519(&format!("{did}#key-2"), Purpose::Assertion, T).await.unwrap_err();
        assert!(matches!(err, CredentialError::MethodNotListed { .. }), "{err}");
        // did:web documents are never kept (they can change).
        keep_document("did:web:example.com", json!({"id": "did:web:example.com"}));
        assert!(cached_document("did:web:example.com").is_none());
    }

    #[tokio::test]
    async fn did_jwk_resolves_with_relative_references() {
        let vk = key(8).verifying_key();
        let did = crate::did::did_jwk(&vk);
        let vm = format!("{did}#0");
        // ssi's did:jwk document lists the method as the relative reference "#0".
        let doc = crate::did::resolve(&did, T).await.unwrap();
        assert_eq!(doc["assertionMethod"][0], "#0");
        assert_eq!(resolve_ed25519(&vm, Purpose::Assertion, T).await.unwrap(), vk);
        assert_eq!(resolve_ed25519(&vm, Purpose::Authentication, T).await.unwrap(), vk);
    }

    #[tokio::test]
    async fn wrong_fragment_and_foreign_methods_are_not_listed() {
        let vk = key(9).verifying_key();
        let other = crate::did::did_key(&key(10).verifying_key()).unwrap();
        let did = crate::did::did_key(&vk).unwrap();
        // The fragment names another key: the document of `did` does not list it.
        let forged = format!("{did}#{}", other.trim_start_matches("did:key:"));
        let err = resolve_ed25519(&forged, Purpose::Assertion, T).await.unwrap_err();
        assert!(matches!(err, CredentialError::MethodNotListed { .. }), "{err}");
        let err = resolve_ed25519(&format!("{did}#key-2"), Purpose::Assertion, T).await.unwrap_err();
        assert!(matches!(err, CredentialError::MethodNotListed { .. }), "{err}");
        // No fragment, or not a DID at all.
        for bad in [did.as_str(), "https://example.com/keys#1", "did:key:z6Mk#"] {
            let err = resolve_ed25519(bad, Purpose::Assertion, T).await.unwrap_err();
            assert!(matches!(err, CredentialError::InvalidVerificationMethod(_)), "{bad}: {err}");
        }
        // A DID that does not resolve.
        let err = resolve_ed25519("did:key:zNotAKey#zNotAKey", Purpose::Assertion, T).await.unwrap_err();
        assert!(matches!(err, CredentialError::Resolve { .. }), "{err}");
    }

    #[test]
    fn did_web_document_relationships_are_enforced() {
        let vk = key(11).verifying_key();
        let did = "did:web:example.com";
        let vm = "did:web:example.com#key-1";
        let full = crate::did::did_web_document(did, &vk).unwrap();
        assert_eq!(ed25519_from_document(&full, vm, Purpose::Assertion).unwrap(), vk);
        assert_eq!(ed25519_from_document(&full, vm, Purpose::Authentication).unwrap(), vk);

        // Listed only under authentication (relative reference): not an assertion key.
        let mut auth_only = full.clone();
        auth_only["assertionMethod"] = json!([]);
        auth_only["authentication"] = json!(["#key-1"]);
        assert_eq!(ed25519_from_document(&auth_only, vm, Purpose::Authentication).unwrap(), vk);
        let err = ed25519_from_document(&auth_only, vm, Purpose::Assertion).unwrap_err();
        match &err {
            CredentialError::MethodNotListed { did: d, method, purpose } => {
                assert_eq!((d.as_str(), method.as_str(), purpose.as_str()), (did, vm, "assertionMethod"));
            }
            other => panic!("unexpected {other}"),
        }
        assert_eq!(err.code(), "method_not_listed");

        // Relationship missing altogether.
        let mut none = full.clone();
        none.as_object_mut().unwrap().remove("assertionMethod");
        assert!(matches!(
            ed25519_from_document(&none, vm, Purpose::Assertion),
            Err(CredentialError::MethodNotListed { .. })
        ));

        // A method embedded in the relationship, with a relative id and a JWK key.
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vk.to_bytes());
        let embedded = json!({
            "id": did,
            "assertionMethod": [{
                "id": "#key-1", "type": "JsonWebKey", "controller": did,
                "publicKeyJwk": {"kty": "OKP", "crv": "Ed25519", "x": x}
            }]
        });
        assert_eq!(ed25519_from_document(&embedded, vm, Purpose::Assertion).unwrap(), vk);
        assert!(ed25519_from_document(&embedded, vm, Purpose::Authentication).is_err());

        // Listed, but the referenced method is not defined anywhere.
        let mut dangling = full.clone();
        dangling["verificationMethod"] = json!([]);
        assert!(matches!(
            ed25519_from_document(&dangling, vm, Purpose::Assertion),
            Err(CredentialError::MethodNotListed { .. })
        ));

        // A document of another DID cannot vouch for this method.
        let other = crate::did::did_web_document("did:web:evil.example", &vk).unwrap();
        assert!(matches!(
            ed25519_from_document(&other, vm, Purpose::Assertion),
            Err(CredentialError::MethodNotListed { .. })
        ));

        // A method controlled by someone else.
        let mut foreign = full.clone();
        foreign["verificationMethod"][0]["controller"] = json!("did:web:evil.example");
        assert!(matches!(
            ed25519_from_document(&foreign, vm, Purpose::Assertion),
            Err(CredentialError::MethodNotListed { .. })
        ));
    }

    #[test]
    fn non_ed25519_keys_are_unsupported() {
        let did = "did:web:example.com";
        let vm = "did:web:example.com#key-1";
        let doc = |method: Value| json!({"id": did, "verificationMethod": [method], "assertionMethod": [vm]});
        let base = json!({"id": vm, "type": "Multikey", "controller": did});
        let with = |k: &str, v: Value| {
            let mut m = base.clone();
            m[k] = v;
            doc(m)
        };
        let vk = key(12).verifying_key();
        let x = base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(vk.to_bytes());
        let z = crate::did::did_key(&vk).unwrap().trim_start_matches("did:key:").to_owned();
        // The good forms first, so the failures below are about the key alone.
        assert_eq!(ed25519_from_document(&with("publicKeyMultibase", json!(z)), vm, Purpose::Assertion).unwrap(), vk);
        let cases = [
            // No key material at all; a legacy base58 key.
            doc(base.clone()),
            with("publicKeyBase58", json!("8fEd")),
            // secp256k1 Multikey (did:key of a secp256k1 key).
            with("publicKeyMultibase", json!("zQ3shokFTS3brHcDQrn82RUDfCZESWL1ZdCEJwekUDPQiYBme")),
            // Ed25519 key but base64url multibase ('u') instead of base58btc.
            with(
                "publicKeyMultibase",
                json!(format!(
                    "u{}",
                    base64::engine::general_purpose::URL_SAFE_NO_PAD
                        .encode([&[0xed, 0x01][..], &vk.to_bytes()].concat())
                )),
            ),
            // Truncated key.
            with("publicKeyMultibase", json!(&z[..z.len() - 4])),
            with("publicKeyJwk", json!({"kty": "EC", "crv": "P-256", "x": x, "y": x})),
            with("publicKeyJwk", json!({"kty": "OKP", "crv": "X25519", "x": x})),
            with("publicKeyJwk", json!({"kty": "OKP", "crv": "Ed25519", "x": &x[..20]})),
            with("publicKeyJwk", json!({"kty": "OKP", "crv": "Ed25519", "x": x, "d": x})),
        ];
        for (i, d) in cases.iter().enumerate() {
            let err = ed25519_from_document(d, vm, Purpose::Assertion).unwrap_err();
            assert!(matches!(err, CredentialError::UnsupportedKey(_)), "case {i}: {err}");
        }
    }
}
