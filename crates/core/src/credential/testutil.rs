//! Test fixtures shared by the credential modules' tests: the W3C EdDSA cryptosuites' test-vector
//! key pair and credential (Appendix B of "Data Integrity EdDSA Cryptosuites v1.0"), and fresh keys.

use serde_json::{json, Value};

/// The vectors' `publicKeyMultibase` (also their did:key identifier).
pub const VECTOR_PUBLIC_MULTIBASE: &str = "z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
/// The vectors' `secretKeyMultibase` (multicodec ed25519-priv, 0x1300).
pub const VECTOR_SECRET_MULTIBASE: &str = "z3u2en7t5LR2WtQH5PfFqMqwVHBeXouLzo6haApm8XHqvjxq";

/// The vectors' signing key, decoded from [`VECTOR_SECRET_MULTIBASE`].
pub fn vector_key() -> ed25519_dalek::SigningKey {
    let (_, bytes) = ssi::security::Multibase::new(VECTOR_SECRET_MULTIBASE).decode().unwrap();
    assert_eq!(&bytes[..2], &[0x80, 0x26], "ed25519-priv multicodec prefix");
    ed25519_dalek::SigningKey::from_bytes(&bytes[2..].try_into().unwrap())
}

/// The vectors' verification method: the did:key of the vector key, fragment = its identifier.
pub fn vector_vm() -> String {
    format!("did:key:{VECTOR_PUBLIC_MULTIBASE}#{VECTOR_PUBLIC_MULTIBASE}")
}

/// The vectors' unsigned credential.
pub fn vector_credential() -> Value {
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

/// A fresh random Ed25519 key.
pub fn random_key() -> ed25519_dalek::SigningKey {
    let mut secret = [0u8; 32];
    getrandom::fill(&mut secret).unwrap();
    ed25519_dalek::SigningKey::from_bytes(&secret)
}

/// A fresh random key with its did:key and verification method id.
pub fn random_did_key() -> (ed25519_dalek::SigningKey, String, String) {
    let key = random_key();
    let did = crate::did::did_key(&key.verifying_key()).unwrap();
    let vm = crate::did::verification_method_id(&did).unwrap();
    (key, did, vm)
}
