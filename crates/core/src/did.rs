//! Decentralized identifiers: making DIDs from the wallet's keys, the did:web document to
//! publish, and resolving any did:key, did:jwk, did:pkh (offline) or did:web (HTTPS) DID.
//! All encoding (multibase, multicodec, JWK, CAIP-10) is done by the `ssi` crate.

use std::time::Duration;

use serde_json::{json, Value};
use ssi::dids::{AnyDidMethod, DIDBuf, DIDKey, DIDResolver, DID, DIDJWK, DIDPKH};
use ssi::JWK;

/// The CAIP-2 chain used in did:pkh identifiers (Ethereum mainnet). The key works on every EVM chain.
pub const PKH_CHAIN: &str = "eip155:1";
/// Default time limit for resolving a DID over the network.
pub const DEFAULT_RESOLVE_TIMEOUT: Duration = Duration::from_secs(10);

/// Errors about DIDs.
#[derive(Debug, thiserror::Error)]
pub enum DidError {
    /// The text is not a syntactically valid DID.
    #[error("'{0}' is not a valid DID (expected did:<method>:<identifier>, e.g. did:key:z6Mk…)")]
    Malformed(String),
    /// The DID method is not one Hallmark resolves.
    #[error("the DID method of '{0}' is not supported; Hallmark resolves did:key, did:jwk, did:pkh and did:web")]
    UnsupportedMethod(String),
    /// The method-specific part is invalid for its method.
    #[error("'{0}' is not a valid {1} DID: {2}")]
    InvalidIdentifier(String, &'static str, String),
    /// A did:web domain that cannot be used.
    #[error("'{0}' cannot be used as a did:web domain: {1}")]
    BadDomain(String, String),
    /// A did:web DID requires `--domain`.
    #[error("a did:web identity needs a domain: pass --domain example.com (where you will publish did.json)")]
    MissingDomain,
    /// The DID document does not exist at its location.
    #[error("{0} was not found: no DID document at its address")]
    NotFound(String),
    /// The network or server failed.
    #[error("could not reach the DID document of {did}: {reason}")]
    Unreachable {
        /// The DID.
        did: String,
        /// What went wrong.
        reason: String,
    },
    /// Resolution took longer than the time limit.
    #[error("resolving {0} timed out after {1} s")]
    Timeout(String, u64),
    /// The document that came back is not a valid DID document for this DID.
    #[error("the DID document of {0} is invalid: {1}")]
    InvalidDocument(String, String),
    /// A key could not be turned into a DID.
    #[error("could not make a DID from the key: {0}")]
    Generate(String),
}

/// The DID methods Hallmark creates identities with.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DidMethod {
    /// did:key (Ed25519) — self-contained, offline.
    Key,
    /// did:jwk (Ed25519) — self-contained, offline.
    Jwk,
    /// did:web (Ed25519) — a DID document published on your website.
    Web,
    /// did:pkh (secp256k1) — your Ethereum account.
    Pkh,
}

impl DidMethod {
    /// The method name as in the DID (`key`, `jwk`, `web`, `pkh`).
    pub fn as_str(self) -> &'static str {
        match self {
            DidMethod::Key => "key",
            DidMethod::Jwk => "jwk",
            DidMethod::Web => "web",
            DidMethod::Pkh => "pkh",
        }
    }

    /// Which key type this method's identities use.
    pub fn key_type(self) -> crate::keys::KeyType {
        match self {
            DidMethod::Pkh => crate::keys::KeyType::Secp256k1,
            _ => crate::keys::KeyType::Ed25519,
        }
    }
}

/// Checks that `text` is a syntactically valid DID and returns it.
pub fn parse(text: &str) -> Result<DIDBuf, DidError> {
    let text = text.trim();
    DIDBuf::new(text.as_bytes().to_vec()).map_err(|_| DidError::Malformed(text.to_string()))
}

/// The public JWK of an Ed25519 key.
pub fn ed25519_jwk(key: &ed25519_dalek::VerifyingKey) -> JWK {
    JWK::from(*key)
}

/// did:key of an Ed25519 public key.
pub fn did_key(key: &ed25519_dalek::VerifyingKey) -> Result<String, DidError> {
    DIDKey::generate(&ed25519_jwk(key)).map(|d| d.to_string()).map_err(|e| DidError::Generate(e.to_string()))
}

/// did:jwk of an Ed25519 public key.
pub fn did_jwk(key: &ed25519_dalek::VerifyingKey) -> String {
    DIDJWK::generate(&ed25519_jwk(key)).to_string()
}

/// did:pkh (`eip155:1`) of a secp256k1 public key (SEC1 compressed or uncompressed).
pub fn did_pkh(public_key_sec1: &[u8]) -> Result<String, DidError> {
    let jwk = ssi::jwk::secp256k1_parse(public_key_sec1).map_err(|e| DidError::Generate(e.to_string()))?;
    DIDPKH::generate(&jwk, PKH_CHAIN).map(|d| d.to_string()).map_err(|e| DidError::Generate(e.to_string()))
}

/// The EIP-55 checksummed Ethereum address of a secp256k1 public key.
pub fn ethereum_address(public_key_sec1: &[u8]) -> Result<String, DidError> {
    let jwk = ssi::jwk::secp256k1_parse(public_key_sec1).map_err(|e| DidError::Generate(e.to_string()))?;
    ssi::jwk::eip155::hash_public_key_eip55(&jwk).map_err(|e| DidError::Generate(e.to_string()))
}

/// The id of the verification method that signs for one of Hallmark's DIDs: `did:key:z…#z…`,
/// `did:jwk:…#0`, or `did:web:…#key-1` (as in the document `did web-doc` writes).
pub fn verification_method_id(did: &str) -> Result<String, DidError> {
    let parsed = parse(did)?;
    let did = parsed.as_str();
    let fragment = match parsed.method_name() {
        "key" => did.strip_prefix("did:key:").unwrap_or_default().to_owned(),
        "jwk" => "0".to_owned(),
        "web" => "key-1".to_owned(),
        _ => return Err(DidError::UnsupportedMethod(did.to_owned())),
    };
    Ok(format!("{did}#{fragment}"))
}

/// Turns a domain as a person types it (`example.com`, `example.com:8443`, `example.com/users/alice`,
/// optionally with `https://`) into the did:web DID, following the did:web specification:
/// a port's colon becomes `%3A` and path segments are joined with `:`.
pub fn did_web(domain: &str) -> Result<String, DidError> {
    let input = domain.trim();
    let bad = |why: &str| DidError::BadDomain(input.to_string(), why.to_string());
    let stripped = input.strip_prefix("https://").unwrap_or(input).trim_end_matches('/');
    if stripped.is_empty() {
        return Err(bad("it is empty"));
    }
    let url = url::Url::parse(&format!("https://{stripped}")).map_err(|e| bad(&e.to_string()))?;
    if url.query().is_some() || url.fragment().is_some() || !url.username().is_empty() || url.password().is_some() {
        return Err(bad("only a host name, an optional port and an optional path are allowed"));
    }
    let host = match url.host() {
        Some(url::Host::Domain(d)) => d.to_string(),
        Some(_) => return Err(bad("did:web needs a domain name, not an IP address")),
        None => return Err(bad("it has no host name")),
    };
    if host != "localhost" && !host.contains('.') {
        return Err(bad("a public domain name has at least one dot, e.g. example.com"));
    }
    let mut id = format!("did:web:{host}");
    if let Some(port) = url.port() {
        id.push_str(&format!("%3A{port}"));
    }
    for seg in url.path_segments().into_iter().flatten().filter(|s| !s.is_empty()) {
        if seg.contains(':') || seg == ".well-known" {
            return Err(bad("a path segment may not contain ':' or be '.well-known'"));
        }
        id.push(':');
        id.push_str(seg);
    }
    parse(&id)?;
    Ok(id)
}

/// Where a did:web DID document must be published (the HTTPS URL of `did.json`).
pub fn did_web_url(did: &str) -> Result<String, DidError> {
    let rest = did
        .strip_prefix("did:web:")
        .ok_or_else(|| DidError::InvalidIdentifier(did.into(), "did:web", "it does not start with did:web:".into()))?;
    let mut parts = rest.split(':');
    let authority = parts.next().unwrap_or_default().replace("%3A", ":");
    let path: Vec<&str> = parts.collect();
    let scheme = if authority.starts_with("localhost") { "http" } else { "https" };
    Ok(if path.is_empty() {
        format!("{scheme}://{authority}/.well-known/did.json")
    } else {
        format!("{scheme}://{authority}/{}/did.json", path.join("/"))
    })
}

/// The DID document to publish for a did:web identity with this Ed25519 key.
/// One Multikey verification method (`#key-1`) serves authentication, assertion, and capabilities.
pub fn did_web_document(did: &str, key: &ed25519_dalek::VerifyingKey) -> Result<Value, DidError> {
    // The multibase form (z6Mk…) is exactly did:key's method-specific identifier: let ssi encode it.
    let didkey = did_key(key)?;
    let multibase = didkey.trim_start_matches("did:key:").to_string();
    let vm = format!("{did}#key-1");
    Ok(json!({
        "@context": ["https://www.w3.org/ns/did/v1", "https://w3id.org/security/multikey/v1"],
        "id": did,
        "verificationMethod": [{
            "id": vm,
            "type": "Multikey",
            "controller": did,
            "publicKeyMultibase": multibase,
        }],
        "authentication": [vm],
        "assertionMethod": [vm],
        "capabilityInvocation": [vm],
        "capabilityDelegation": [vm],
    }))
}

/// Resolves any supported DID to its DID document (as JSON), with a time limit for network methods.
pub async fn resolve(did: &str, timeout: Duration) -> Result<Value, DidError> {
    let parsed = parse(did)?;
    let did = parsed.as_str().to_string();
    let method = parsed.method_name().to_string();
    if !matches!(method.as_str(), "key" | "jwk" | "pkh" | "web") {
        return Err(DidError::UnsupportedMethod(did));
    }
    if method == "key" {
        check_did_key_identifier(&did)?;
    }
    let resolver = AnyDidMethod::default();
    let didref: &DID = &parsed;
    let fut = resolver.resolve(didref);
    let output = match tokio::time::timeout(timeout, fut).await {
        Err(_) => return Err(DidError::Timeout(did, timeout.as_secs())),
        Ok(r) => r.map_err(|e| map_resolution_error(&did, &method, e))?,
    };
    let document: Value = serde_json::from_slice(&output.document.to_bytes())
        .map_err(|e| DidError::InvalidDocument(did.clone(), e.to_string()))?;
    if document.get("id").and_then(Value::as_str) != Some(did.as_str()) {
        return Err(DidError::InvalidDocument(did, "its \"id\" is not the DID that was resolved".into()));
    }
    Ok(document)
}

/// ssi's did:key resolver copies the identifier into the document without decoding the key
/// (Multikey form), so a did:key whose identifier is not a public key would "resolve". Decode it.
fn check_did_key_identifier(did: &str) -> Result<(), DidError> {
    let id = did.strip_prefix("did:key:").unwrap_or(did);
    let bad = |why: String| DidError::InvalidIdentifier(did.to_string(), "did:key", why);
    let (_, bytes) =
        ssi::security::Multibase::new(id).decode().map_err(|e| bad(format!("the identifier is not multibase: {e}")))?;
    let encoded = ssi::multicodec::MultiEncoded::new(&bytes)
        .map_err(|e| bad(format!("the identifier is not a multicodec key: {e}")))?;
    let (codec, _) = encoded.parts();
    if matches!(
        codec,
        ssi::multicodec::ED25519_PRIV
            | ssi::multicodec::SECP256K1_PRIV
            | ssi::multicodec::P256_PRIV
            | ssi::multicodec::P384_PRIV
    ) {
        return Err(bad("it holds a private key, not a public key".into()));
    }
    JWK::from_multicodec(encoded).map_err(|e| bad(format!("the identifier is not a valid public key: {e}")))?;
    Ok(())
}

fn map_resolution_error(did: &str, method: &str, e: ssi::dids::resolution::Error) -> DidError {
    use ssi::dids::resolution::Error as E;
    let label: &'static str = match method {
        "key" => "did:key",
        "jwk" => "did:jwk",
        "pkh" => "did:pkh",
        _ => "did:web",
    };
    match e {
        E::NotFound => DidError::NotFound(did.to_string()),
        E::MethodNotSupported(_) => DidError::UnsupportedMethod(did.to_string()),
        E::InvalidMethodSpecificId(m) => {
            DidError::InvalidIdentifier(did.to_string(), label, format!("bad identifier '{m}'"))
        }
        E::InvalidData(m) => DidError::InvalidDocument(did.to_string(), m.to_string()),
        other if method == "web" => DidError::Unreachable { did: did.to_string(), reason: error_chain(&other) },
        other => DidError::InvalidIdentifier(did.to_string(), label, error_chain(&other)),
    }
}

fn error_chain(e: &dyn std::error::Error) -> String {
    let mut s = e.to_string();
    let mut src = e.source();
    while let Some(inner) = src {
        let t = inner.to_string();
        if !s.contains(&t) {
            s.push_str(": ");
            s.push_str(&t);
        }
        src = inner.source();
    }
    s
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn did_web_from_domains() {
        assert_eq!(did_web("example.com").unwrap(), "did:web:example.com");
        assert_eq!(did_web("https://Example.com/").unwrap(), "did:web:example.com");
        assert_eq!(did_web("example.com:8443").unwrap(), "did:web:example.com%3A8443");
        assert_eq!(did_web("example.com/users/alice").unwrap(), "did:web:example.com:users:alice");
        assert_eq!(did_web("localhost:9000").unwrap(), "did:web:localhost%3A9000");
        for bad in ["", "10.0.0.1", "intranet", "a.com?x=1", "user@a.com", "a.com/.well-known"] {
            assert!(matches!(did_web(bad), Err(DidError::BadDomain(..))), "{bad} accepted");
        }
        assert_eq!(did_web_url("did:web:example.com").unwrap(), "https://example.com/.well-known/did.json");
        assert_eq!(
            did_web_url("did:web:example.com%3A8443:users:alice").unwrap(),
            "https://example.com:8443/users/alice/did.json"
        );
    }

    #[test]
    fn ed25519_did_key_matches_spec_example() {
        // did:key spec example: Ed25519 public key → did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp
        let pk = hex::decode("3b6a27bcceb6a42d62a3a8d02a6f0d73653215771de243a63ac048a18b59da29").unwrap();
        let vk = ed25519_dalek::VerifyingKey::from_bytes(&pk.try_into().unwrap()).unwrap();
        let d = did_key(&vk).unwrap();
        assert_eq!(d, "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp");
        assert!(did_jwk(&vk).starts_with("did:jwk:eyJ"));
    }

    #[tokio::test]
    async fn resolves_offline_methods_and_rejects_garbage() {
        let vk = ed25519_dalek::SigningKey::from_bytes(&[1u8; 32]).verifying_key();
        for did in [did_key(&vk).unwrap(), did_jwk(&vk)] {
            let doc = resolve(&did, DEFAULT_RESOLVE_TIMEOUT).await.unwrap();
            assert_eq!(doc["id"], did.as_str());
        }
        assert!(matches!(resolve("not a did", DEFAULT_RESOLVE_TIMEOUT).await, Err(DidError::Malformed(_))));
        assert!(matches!(
            resolve("did:example:123", DEFAULT_RESOLVE_TIMEOUT).await,
            Err(DidError::UnsupportedMethod(_))
        ));
        for bad in
            ["did:key:zNOTAKEY", "did:key:zzz", "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDoo", "did:key:abc"]
        {
            assert!(
                matches!(resolve(bad, DEFAULT_RESOLVE_TIMEOUT).await, Err(DidError::InvalidIdentifier(..))),
                "{bad} resolved"
            );
        }
    }
}
