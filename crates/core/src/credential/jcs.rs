//! Data Integrity `eddsa-jcs-2022` (JSON Canonicalization Scheme + Ed25519).
//!
//! Implements W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation, May 2025), section
//! 3.3, which `ssi` 0.16 does not provide. The building blocks all come from libraries:
//! canonicalization is RFC 8785 JCS (`serde_json_canonicalizer`, see [`canonical_json`]), hashing
//! SHA-256 (`sha2`), signing Ed25519 (`ed25519-dalek`), and the `proofValue` is multibase
//! base58btc (`ssi`'s multibase).
//!
//! Signing: the proof configuration (the proof without `proofValue`, with the document's
//! `@context` copied in, as step 2 of "Create Proof" requires) and the document without `proof`
//! are each canonicalized and hashed; the signature covers `SHA-256(config) ‖ SHA-256(document)`.
//! Verification redoes this from the secured document. Which key may sign for the proof's
//! verification method is decided by the caller (see [`super::method`]).

use std::collections::BTreeMap;

use serde_json::{Map, Value};
use sha2::{Digest, Sha256};
use ssi::security::multibase::Base;
use ssi::security::{Multibase, MultibaseBuf};

use super::method::Purpose;
use super::CredentialError;

/// The `type` of every Data Integrity proof.
pub const PROOF_TYPE: &str = "DataIntegrityProof";
/// The `cryptosuite` this module implements.
pub const CRYPTOSUITE: &str = "eddsa-jcs-2022";

/// Options of a proof to create.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ProofConfig {
    /// The DID URL of the signing key, e.g. `did:key:z6Mk…#z6Mk…`.
    pub verification_method: String,
    /// What the proof is for: issuing (`assertionMethod`) or presenting (`authentication`).
    pub proof_purpose: Purpose,
    /// When the proof was made, as an RFC 3339 date-time (e.g. `2025-01-31T12:00:00Z`).
    pub created: String,
    /// The verifier's challenge (nonce) the proof answers, if any.
    pub challenge: Option<String>,
    /// The domain (audience) the proof is meant for, if any.
    pub domain: Option<String>,
}

impl ProofConfig {
    /// The proof options (Data Integrity "Create Proof" steps 1–2) of a `DataIntegrityProof`
    /// with `cryptosuite`: type, cryptosuite, created, verification method, purpose, and the
    /// challenge and domain when given.
    pub(crate) fn proof_options(&self, cryptosuite: &str) -> Map<String, Value> {
        let mut proof = Map::new();
        proof.insert("type".into(), PROOF_TYPE.into());
        proof.insert("cryptosuite".into(), cryptosuite.into());
        proof.insert("created".into(), self.created.clone().into());
        proof.insert("verificationMethod".into(), self.verification_method.clone().into());
        proof.insert("proofPurpose".into(), self.proof_purpose.as_str().into());
        if let Some(challenge) = &self.challenge {
            proof.insert("challenge".into(), challenge.clone().into());
        }
        if let Some(domain) = &self.domain {
            proof.insert("domain".into(), domain.clone().into());
        }
        proof
    }
}

/// The proof of a document secured with `eddsa-jcs-2022`, as read from it (not yet verified).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct JcsProof {
    /// The DID URL of the key that made the proof.
    pub verification_method: String,
    /// The proof's `proofPurpose`.
    pub proof_purpose: Purpose,
    /// The proof's `created` date-time, if it has one.
    pub created: Option<String>,
    /// The proof's `challenge`, if any.
    pub challenge: Option<String>,
    /// The proof's `domain`, if any.
    pub domain: Option<String>,
}

/// Returns `unsecured` with an eddsa-jcs-2022 `proof` added.
///
/// `unsecured` must be a JSON object without a `proof`. `key` must be the key of
/// `config.verification_method`; this is not checked here.
pub fn sign(
    unsecured: &Value,
    key: &ed25519_dalek::SigningKey,
    config: &ProofConfig,
) -> Result<Value, CredentialError> {
    let document = unsecured
        .as_object()
        .ok_or_else(|| CredentialError::InvalidCredential("the document to sign must be a JSON object".into()))?;
    if document.contains_key("proof") {
        return Err(CredentialError::InvalidCredential(
            "the document already has a proof; sign the document without it".into(),
        ));
    }
    if config.created.parse::<ssi::xsd::DateTime>().is_err() {
        return Err(CredentialError::InvalidDate(config.created.clone()));
    }
    // Create Proof, steps 1–2: the proof options, with the document's @context copied in.
    let mut proof = config.proof_options(CRYPTOSUITE);
    if let Some(context) = document.get("@context") {
        proof.insert("@context".into(), context.clone());
    }
    // Steps 3–6: configuration, transformation, hashing, Ed25519 signature.
    let hash_data = hash_data(&members(document), &members(&proof)).map_err(CredentialError::Sign)?;
    Ok(signed_with(document, proof, key, &hash_data))
}

/// `document` with `proof` added, its `proofValue` the Ed25519 signature of `hash_data` as
/// multibase base58btc (the last steps of both EdDSA cryptosuites).
pub(crate) fn signed_with(
    document: &Map<String, Value>,
    mut proof: Map<String, Value>,
    key: &ed25519_dalek::SigningKey,
    hash_data: &[u8],
) -> Value {
    use ed25519_dalek::Signer as _;
    let proof_value = MultibaseBuf::encode(Base::Base58Btc, key.sign(hash_data).to_bytes());
    proof.insert("proofValue".into(), proof_value.as_str().into());
    let mut secured = document.clone();
    secured.insert("proof".into(), Value::Object(proof));
    Value::Object(secured)
}

/// The proof of a secured document (exactly one proof object), parsed and checked for type/cryptosuite.
///
/// Errors: [`CredentialError::NoProof`] without a proof, [`CredentialError::UnsupportedProof`]
/// for several proofs, another proof type or cryptosuite, or a purpose other than
/// `assertionMethod`/`authentication`, and [`CredentialError::Verify`] for a malformed proof.
pub fn proof_of(secured: &Value) -> Result<JcsProof, CredentialError> {
    let proof = proof_object(secured)?;
    let text = |name: &str| -> Result<Option<String>, CredentialError> {
        match proof.get(name) {
            None => Ok(None),
            Some(Value::String(s)) => Ok(Some(s.clone())),
            Some(_) => Err(malformed(&format!("its \"{name}\" is not a string"))),
        }
    };
    let required = |name: &str| text(name)?.ok_or_else(|| malformed(&format!("it has no \"{name}\"")));
    let verification_method = required("verificationMethod")?;
    let purpose_text = required("proofPurpose")?;
    let proof_purpose = Purpose::parse(&purpose_text)
        .ok_or_else(|| CredentialError::UnsupportedProof(format!("proof purpose {purpose_text:?}")))?;
    let created = text("created")?;
    // Proof Configuration, step 3: a `created` that is not an XML Schema dateTime is an error.
    if let Some(c) = &created {
        if c.parse::<ssi::xsd::DateTime>().is_err() {
            return Err(malformed(&format!("its creation date {c:?} is not a date-time")));
        }
    }
    required("proofValue")?;
    Ok(JcsProof { verification_method, proof_purpose, created, challenge: text("challenge")?, domain: text("domain")? })
}

/// Checks the signature with `key`. Ok(true) = valid, Ok(false) = signature mismatch (tampered or other key),
/// Err = malformed proof (bad multibase, wrong length, wrong type…).
///
/// Follows "Verify Proof (eddsa-jcs-2022)": when the proof carries an `@context`, the document's
/// `@context` must start with the same entries in the same order (otherwise `Ok(false)`), and the
/// document is hashed with the proof's `@context`. The signature check is RFC 8032 strict
/// (`verify_strict`: no small-order keys, no malleable signatures).
pub fn verify(secured: &Value, key: &ed25519_dalek::VerifyingKey) -> Result<bool, CredentialError> {
    proof_of(secured)?;
    let proof = proof_object(secured)?;
    // Steps 1–2: the document without `proof`, the proof options without `proofValue` (as views
    // of the secured document: nothing is copied).
    let mut unsecured = secured.as_object().map(members).unwrap_or_default();
    unsecured.remove("proof");
    let mut options = members(proof);
    let proof_value = options.remove("proofValue").and_then(Value::as_str).unwrap_or_default();
    // Step 3: the signature bytes.
    let bytes = signature_of_proof_value(proof_value, malformed)?;
    // Step 4: the proof's @context must prefix the document's; it replaces it for hashing.
    if let Some(context) = options.get("@context") {
        let wanted = as_list(context);
        let have = unsecured.get("@context").map(|c| as_list(c)).unwrap_or_default();
        if have.len() < wanted.len() || have[..wanted.len()] != wanted[..] {
            return Ok(false);
        }
        unsecured.insert("@context", context);
    }
    // Steps 5–8.
    let hash_data = hash_data(&unsecured, &options).map_err(CredentialError::Verify)?;
    let signature = ed25519_dalek::Signature::from_bytes(&bytes);
    Ok(key.verify_strict(&hash_data, &signature).is_ok())
}

/// The members of a JSON object, borrowed (JCS sorts them its own way when writing them).
type Members<'a> = BTreeMap<&'a str, &'a Value>;

fn members(object: &Map<String, Value>) -> Members<'_> {
    object.iter().map(|(k, v)| (k.as_str(), v)).collect()
}

/// Transformation, Proof Configuration and Hashing: `SHA-256(JCS(proof config)) ‖
/// SHA-256(JCS(document))`.
fn hash_data(document: &Members, proof_config: &Members) -> Result<[u8; 64], String> {
    let canonical_document =
        canonical_object(document).map_err(|e| format!("cannot canonicalize the document: {e}"))?;
    let canonical_config =
        canonical_object(proof_config).map_err(|e| format!("cannot canonicalize the proof options: {e}"))?;
    let mut out = [0u8; 64];
    out[..32].copy_from_slice(&Sha256::digest(&canonical_config));
    out[32..].copy_from_slice(&Sha256::digest(&canonical_document));
    Ok(out)
}

/// The RFC 8785 JSON Canonicalization Scheme (JCS) form of `value`, as UTF-8 bytes.
///
/// Object members are sorted by their UTF-16 code units, strings use the minimal JSON escapes,
/// and numbers are written as ECMAScript writes the IEEE-754 double they denote (`4.50` → `4.5`,
/// `1e21` → `1e+21`, `-0` → `0`). This holds whether or not `serde_json` keeps numbers as their
/// source text (its `arbitrary_precision` feature, which a dependency enables in this workspace
/// and on which `serde_jcs` 0.1 panics).
///
/// JCS numbers are doubles, so a number that no double equals would be signed as another number
/// and is refused instead: an integer written out in digits that is not exactly a double (such
/// as 9007199254740993, or 30-digit identifiers), or a number beyond the double range (`1e400`).
/// The error names the number and where it is, and suggests writing it as a string.
pub fn canonical_json(value: &Value) -> Result<Vec<u8>, String> {
    check_numbers(value, &mut String::new())?;
    serde_json_canonicalizer::to_vec(value).map_err(|e| e.to_string())
}

/// [`canonical_json`] of a JSON object, without copying it into a [`Value`].
fn canonical_object(object: &Members) -> Result<Vec<u8>, String> {
    for (key, value) in object {
        check_numbers(value, &mut (*key).to_owned())?;
    }
    serde_json_canonicalizer::to_vec(object).map_err(|e| e.to_string())
}

/// Refuses the numbers in `value` that JCS cannot write exactly (see [`canonical_json`]).
/// `path` is where `value` sits in the document (e.g. `credentialSubject.scores[2]`), for the message.
fn check_numbers(value: &Value, path: &mut String) -> Result<(), String> {
    match value {
        Value::Number(number) => {
            // The source text with `arbitrary_precision`, the shortest round-trip form without it.
            let text = number.to_string();
            let double = text.parse::<f64>().ok().filter(|d| d.is_finite());
            let digits = text.strip_prefix('-').unwrap_or(&text);
            let exact = match double {
                None => false,
                // An integer in digits must be exactly that double ({:.0} prints a double's exact value).
                Some(d) if digits.bytes().all(|b| b.is_ascii_digit()) => {
                    let digits = digits.trim_start_matches('0');
                    format!("{:.0}", d.abs()) == if digits.is_empty() { "0" } else { digits }
                }
                // Other numbers (fractions, exponents) are rounded to the nearest double, as in JavaScript.
                Some(_) => true,
            };
            if !exact {
                let place = if path.is_empty() { String::new() } else { format!(" in \"{path}\"") };
                return Err(format!(
                    "the number {text}{place} has too many digits or is too large to be signed exactly \
                     (signed JSON numbers are limited to about 15–17 significant digits); \
                     write it as a string, e.g. \"{text}\""
                ));
            }
            Ok(())
        }
        Value::Array(items) => {
            for (i, item) in items.iter().enumerate() {
                let len = path.len();
                path.push_str(&format!("[{i}]"));
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Object(members) => {
            for (key, item) in members {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(key);
                check_numbers(item, path)?;
                path.truncate(len);
            }
            Ok(())
        }
        Value::Null | Value::Bool(_) | Value::String(_) => Ok(()),
    }
}

/// The single proof object of a secured document, checked for type and cryptosuite.
fn proof_object(secured: &Value) -> Result<&Map<String, Value>, CredentialError> {
    let document = secured
        .as_object()
        .ok_or_else(|| CredentialError::InvalidCredential("a secured document must be a JSON object".into()))?;
    let proof = match document.get("proof") {
        None => return Err(CredentialError::NoProof),
        Some(Value::Array(items)) if items.len() == 1 => &items[0],
        Some(Value::Array(items)) if items.is_empty() => return Err(CredentialError::NoProof),
        Some(Value::Array(_)) => {
            return Err(CredentialError::UnsupportedProof("several proofs on one document".into()));
        }
        Some(p) => p,
    };
    let proof = proof.as_object().ok_or_else(|| malformed("it is not a JSON object"))?;
    let field = |name: &str| proof.get(name).and_then(Value::as_str);
    if field("type") != Some(PROOF_TYPE) {
        return Err(CredentialError::UnsupportedProof(format!("proof type {}", shown(proof.get("type")))));
    }
    if field("cryptosuite") != Some(CRYPTOSUITE) {
        return Err(CredentialError::UnsupportedProof(format!("cryptosuite {}", shown(proof.get("cryptosuite")))));
    }
    Ok(proof)
}

/// A JSON-LD `@context` as a list of entries (a single entry is a list of one).
fn as_list(context: &Value) -> Vec<&Value> {
    match context {
        Value::Array(items) => items.iter().collect(),
        other => vec![other],
    }
}

fn shown(value: Option<&Value>) -> String {
    value.map_or_else(|| "(missing)".to_owned(), Value::to_string)
}

fn malformed(why: &str) -> CredentialError {
    CredentialError::Verify(format!("the eddsa-jcs-2022 proof is malformed: {why}"))
}

/// The 64 signature bytes of an EdDSA cryptosuite's `proofValue` (multibase base58btc);
/// `malformed` words the error for the suite.
pub(crate) fn signature_of_proof_value(
    proof_value: &str,
    malformed: fn(&str) -> CredentialError,
) -> Result<[u8; 64], CredentialError> {
    let (base, bytes) = Multibase::new(proof_value)
        .decode()
        .map_err(|e| malformed(&format!("its proofValue is not multibase: {e}")))?;
    if base != Base::Base58Btc {
        return Err(malformed("its proofValue is not base58btc multibase (it must start with 'z')"));
    }
    bytes.try_into().map_err(|b: Vec<u8>| {
        malformed(&format!("its signature is {} bytes long; an Ed25519 signature is 64 bytes", b.len()))
    })
}

#[cfg(test)]
mod tests {
    use super::super::testutil::{random_key, vector_credential, vector_key, vector_vm, VECTOR_PUBLIC_MULTIBASE};
    use super::*;
    use serde_json::json;

    // W3C "Data Integrity EdDSA Cryptosuites v1.0" (Recommendation), Appendix B.3
    // "Representation: eddsa-jcs-2022" (Examples 29–39).
    const CANONICAL_DOCUMENT: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"credentialSubject":{"alumniOf":"The School of Examples","id":"did:example:abcdefgh"},"description":"A minimum viable example of an Alumni Credential.","id":"urn:uuid:58172aac-d8ba-11ed-83dd-0b3aef56cc33","issuer":"https://vc.example/issuers/5678","name":"Alumni Credential","type":["VerifiableCredential","AlumniCredential"],"validFrom":"2023-01-01T00:00:00Z"}"#;
    const DOCUMENT_HASH: &str = "59b7cb6251b8991add1ce0bc83107e3db9dbbab5bd2c28f687db1a03abc92f19";
    const CANONICAL_PROOF_CONFIG: &str = r#"{"@context":["https://www.w3.org/ns/credentials/v2","https://www.w3.org/ns/credentials/examples/v2"],"created":"2023-02-24T23:36:38Z","cryptosuite":"eddsa-jcs-2022","proofPurpose":"assertionMethod","type":"DataIntegrityProof","verificationMethod":"did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2#z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2"}"#;
    const PROOF_CONFIG_HASH: &str = "66ab154f5c2890a140cb8388a22a160454f80575f6eae09e5a097cabe539a1db";
    const SIGNATURE_HEX: &str = "407cd12654b33d718ecbb99179a1506daaa849450bf3fc523cce3e1c96f8b80351da3f253d725c6f00b07c9e5448d50b3ef78012b9ab54255116d069c6dd2808";
    const PROOF_VALUE: &str =
        "z2HnFSSPPBzR36zdDgK8PbEHeXbR56YF24jwMpt3R1eHXQzJDMWS93FCzpvJpwTWd3GAVFuUfjoJdcnTMuVor51aX";

    fn vector_config() -> ProofConfig {
        ProofConfig {
            verification_method: vector_vm(),
            proof_purpose: Purpose::Assertion,
            created: "2023-02-24T23:36:38Z".into(),
            challenge: None,
            domain: None,
        }
    }

    #[test]
    fn reproduces_w3c_eddsa_jcs_2022_vector() {
        let key = vector_key();
        // The key pair is the published one.
        assert_eq!(crate::did::did_key(&key.verifying_key()).unwrap(), format!("did:key:{VECTOR_PUBLIC_MULTIBASE}"));

        // Intermediate values: canonical forms and their hashes.
        let doc = vector_credential();
        assert_eq!(String::from_utf8(canonical_json(&doc).unwrap()).unwrap(), CANONICAL_DOCUMENT);
        assert_eq!(hex::encode(Sha256::digest(CANONICAL_DOCUMENT)), DOCUMENT_HASH);
        assert_eq!(hex::encode(Sha256::digest(CANONICAL_PROOF_CONFIG)), PROOF_CONFIG_HASH);

        let secured = sign(&doc, &key, &vector_config()).unwrap();
        let proof = secured["proof"].as_object().unwrap();
        let mut options = proof.clone();
        options.remove("proofValue");
        assert_eq!(String::from_utf8(canonical_object(&members(&options)).unwrap()).unwrap(), CANONICAL_PROOF_CONFIG);
        let hashed = hash_data(&members(doc.as_object().unwrap()), &members(&options)).unwrap();
        assert_eq!(hex::encode(hashed), format!("{PROOF_CONFIG_HASH}{DOCUMENT_HASH}"));

        // The signature and proofValue, byte for byte.
        let (_, sig) = Multibase::new(proof["proofValue"].as_str().unwrap()).decode().unwrap();
        assert_eq!(hex::encode(&sig), SIGNATURE_HEX);
        assert_eq!(proof["proofValue"], PROOF_VALUE);

        // The published signed credential (Example 39) is exactly the output.
        let mut expected = vector_credential();
        expected["proof"] = json!({
            "type": "DataIntegrityProof",
            "cryptosuite": "eddsa-jcs-2022",
            "created": "2023-02-24T23:36:38Z",
            "verificationMethod": vector_vm(),
            "proofPurpose": "assertionMethod",
            "@context": [
                "https://www.w3.org/ns/credentials/v2",
                "https://www.w3.org/ns/credentials/examples/v2"
            ],
            "proofValue": PROOF_VALUE
        });
        assert_eq!(secured, expected);
        assert!(verify(&expected, &key.verifying_key()).unwrap());
        let parsed = proof_of(&expected).unwrap();
        assert_eq!(
            parsed,
            JcsProof {
                verification_method: vector_vm(),
                proof_purpose: Purpose::Assertion,
                created: Some("2023-02-24T23:36:38Z".into()),
                challenge: None,
                domain: None,
            }
        );

        // One character of the published proofValue changed: no longer valid.
        let mut forged = expected.clone();
        forged["proof"]["proofValue"] = json!(PROOF_VALUE.replace("z2HnF", "z2HnG"));
        assert!(!verify(&forged, &key.verifying_key()).unwrap());
    }

    /// A credential with numbers: integers, negatives, fractions, exponents, nested arrays.
    fn numeric_credential() -> Value {
        let mut doc = vector_credential();
        doc["credentialSubject"]["age"] = json!(30);
        doc["credentialSubject"]["score"] = json!(4.5);
        doc["credentialSubject"]["balance"] = json!(-17);
        doc["credentialSubject"]["offset"] = json!(-0.25);
        doc["credentialSubject"]["big"] = json!(1e21);
        doc["credentialSubject"]["tiny"] = json!(1e-7);
        doc["credentialSubject"]["grid"] = json!([[1, 2.5, -3], [0, [1e21, 0.000001]], []]);
        doc
    }

    #[test]
    fn signs_and_verifies_credentials_with_numbers() {
        let key = random_key();
        let doc = numeric_credential();
        let secured = sign(&doc, &key, &vector_config()).unwrap();
        assert!(verify(&secured, &key.verifying_key()).unwrap());
        // Imported (parsed from text) with other spellings of the same numbers: still valid.
        let text = serde_json::to_string(&secured)
            .unwrap()
            .replace("\"score\":4.5", "\"score\":4.50")
            .replace("\"age\":30", "\"age\":3.0e1");
        assert!(text.contains("4.50") && text.contains("3.0e1"), "{text}");
        let reparsed: Value = serde_json::from_str(&text).unwrap();
        assert!(verify(&reparsed, &key.verifying_key()).unwrap());
        // A changed number is detected.
        let mut tampered = secured.clone();
        tampered["credentialSubject"]["grid"][1][1][1] = json!(0.000002);
        assert!(!verify(&tampered, &key.verifying_key()).unwrap());
    }

    fn jcs(text: &str) -> String {
        String::from_utf8(canonical_json(&serde_json::from_str(text).unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn canonicalizes_rfc_8785_numbers() {
        // RFC 8785 section 3.2.2 (the main example), numbers parsed from text.
        let input = r#"{
            "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
            "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
            "literals": [null, true, false]
        }"#;
        assert_eq!(
            jcs(input),
            r#"{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],"string":"€$\u000f\nA'B\"\\\\\"/"}"#
        );
        for (text, canonical) in [
            ("1e21", "1e+21"),
            ("1000000000000000000000", "1e+21"),
            ("1e20", "100000000000000000000"),
            ("0.000001", "0.000001"),
            ("1e-7", "1e-7"),
            ("-0", "0"),
            ("-0.0", "0"),
            ("333333333.33333329", "333333333.3333333"),
            ("4.50", "4.5"),
            ("2e-3", "0.002"),
            ("30", "30"),
            ("-17", "-17"),
            ("3.0e1", "30"),
            ("9007199254740992", "9007199254740992"),
            ("-9007199254740992", "-9007199254740992"),
            ("1e-400", "0"),
        ] {
            assert_eq!(jcs(&format!("[{text}]")), format!("[{canonical}]"), "{text}");
        }
        // A mixed document; the expected text is what the npm `canonicalize` package (the JCS of
        // vc.js's eddsa-jcs-2022 cryptosuite) printed for `JSON.parse` of the same input.
        let input = r#"{"age":30,"score":4.50,"balance":-17,"offset":-0.25,"big":1e21,"tiny":1e-7,"z":-0,"g":[[1,2.5,-3],[0,[1000000000000000000000,0.000001]],[]],"r":333333333.33333329,"x":2e-3,"m":9007199254740992,"u":1e-400,"e":1E30,"k":0.000000000000000000000000001,"\u20ac":"\u000f"}"#;
        assert_eq!(
            jcs(input),
            r#"{"age":30,"balance":-17,"big":1e+21,"e":1e+30,"g":[[1,2.5,-3],[0,[1e+21,0.000001]],[]],"k":1e-27,"m":9007199254740992,"offset":-0.25,"r":333333333.3333333,"score":4.5,"tiny":1e-7,"u":0,"x":0.002,"z":0,"€":"\u000f"}"#
        );
        // RFC 8785 Appendix B: IEEE-754 doubles (as bits) and their canonical text.
        for (bits, canonical) in [
            (0x0000000000000000u64, "0"),
            (0x8000000000000000, "0"),
            (0x0000000000000001, "5e-324"),
            (0x8000000000000001, "-5e-324"),
            (0x7fefffffffffffff, "1.7976931348623157e+308"),
            (0xffefffffffffffff, "-1.7976931348623157e+308"),
            (0x4340000000000000, "9007199254740992"),
            (0xc340000000000000, "-9007199254740992"),
            (0x4430000000000000, "295147905179352830000"),
            (0x44b52d02c7e14af5, "9.999999999999997e+22"),
            (0x44b52d02c7e14af6, "1e+23"),
            (0x44b52d02c7e14af7, "1.0000000000000001e+23"),
            (0x444b1ae4d6e2ef4e, "999999999999999700000"),
            (0x444b1ae4d6e2ef4f, "999999999999999900000"),
            (0x444b1ae4d6e2ef50, "1e+21"),
            (0x3eb0c6f7a0b5ed8c, "9.999999999999997e-7"),
            (0x3eb0c6f7a0b5ed8d, "0.000001"),
            (0x41b3de4355555553, "333333333.3333332"),
            (0x41b3de4355555554, "333333333.33333325"),
            (0x41b3de4355555555, "333333333.3333333"),
            (0x41b3de4355555556, "333333333.3333334"),
            (0x41b3de4355555557, "333333333.33333343"),
            (0xbecbf647612f3696, "-0.0000033333333333333333"),
            (0x43143ff3c1cb0959, "1424953923781206.2"),
        ] {
            let value = json!([f64::from_bits(bits)]);
            assert_eq!(
                String::from_utf8(canonical_json(&value).unwrap()).unwrap(),
                format!("[{canonical}]"),
                "{bits:#x}"
            );
        }
    }

    #[test]
    fn numbers_that_are_not_doubles_are_errors() {
        let key = random_key();
        for (text, path) in [
            ("9007199254740993", "credentialSubject.n"),
            ("-123456789012345678901234567890", "credentialSubject.n"),
            ("18446744073709551615", "credentialSubject.n"),
            ("1e400", "credentialSubject.n"),
            ("-1e400", "credentialSubject.n"),
        ] {
            let mut doc = vector_credential();
            // Parsed from text, as an imported credential is.
            doc["credentialSubject"]["n"] = match serde_json::from_str(text) {
                Ok(n) => n,
                // Without arbitrary_precision serde_json itself refuses 1e400: nothing to sign.
                Err(_) if text.contains("e400") => continue,
                Err(e) => panic!("{text}: {e}"),
            };
            // serde_json may respell the number (1e400 is kept as 1e+400).
            let text = &doc["credentialSubject"]["n"].to_string();
            let err = canonical_json(&doc).unwrap_err();
            assert!(err.contains(text) && err.contains(path) && err.contains("as a string"), "{err}");
            let err = sign(&doc, &key, &vector_config()).unwrap_err();
            assert!(matches!(&err, CredentialError::Sign(m) if m.contains(text)), "{err}");
            // An untrusted secured document with such a number: an error, not a panic or `false`.
            let mut secured = sign(&vector_credential(), &key, &vector_config()).unwrap();
            secured["credentialSubject"]["n"] = doc["credentialSubject"]["n"].clone();
            let err = verify(&secured, &key.verifying_key()).unwrap_err();
            assert!(matches!(&err, CredentialError::Verify(m) if m.contains(text)), "{err}");
        }
        // Nested paths are named.
        let nested: Value = serde_json::from_str(r#"{"a":[1,{"b":[2,9007199254740993]}]}"#).unwrap();
        assert!(canonical_json(&nested).unwrap_err().contains(r#""a[1].b[1]""#));
    }

    #[test]
    fn tampering_and_other_keys_fail() {
        let key = random_key();
        let secured = sign(&vector_credential(), &key, &vector_config()).unwrap();
        assert!(verify(&secured, &key.verifying_key()).unwrap());

        let mut tampered = secured.clone();
        tampered["credentialSubject"]["alumniOf"] = json!("The School of Forgeries");
        assert!(!verify(&tampered, &key.verifying_key()).unwrap());
        // The proof's own fields are signed too.
        for (field, value) in [
            ("created", json!("2023-02-24T23:36:39Z")),
            ("verificationMethod", json!("did:key:z6MkOther#z6MkOther")),
            ("proofPurpose", json!("authentication")),
        ] {
            let mut t = secured.clone();
            t["proof"][field] = value;
            assert!(!verify(&t, &key.verifying_key()).unwrap(), "{field} changed but still valid");
        }
        // Adding a field to the proof or the document breaks it as well.
        let mut t = secured.clone();
        t["proof"]["expires"] = json!("2099-01-01T00:00:00Z");
        assert!(!verify(&t, &key.verifying_key()).unwrap());
        let mut t = secured.clone();
        t["validUntil"] = json!("2099-01-01T00:00:00Z");
        assert!(!verify(&t, &key.verifying_key()).unwrap());

        // Another key does not verify it.
        assert!(!verify(&secured, &random_key().verifying_key()).unwrap());
        // Key order and whitespace do not matter (that is what JCS is for).
        let reparsed: Value = serde_json::from_str(&serde_json::to_string_pretty(&secured).unwrap()).unwrap();
        assert!(verify(&reparsed, &key.verifying_key()).unwrap());
    }

    #[test]
    fn challenge_and_domain_are_signed() {
        let key = random_key();
        let config = ProofConfig {
            proof_purpose: Purpose::Authentication,
            challenge: Some("n-0S6_WzA2Mj".into()),
            domain: Some("https://verifier.example".into()),
            ..vector_config()
        };
        let secured = sign(&vector_credential(), &key, &config).unwrap();
        let proof = proof_of(&secured).unwrap();
        assert_eq!(proof.proof_purpose, Purpose::Authentication);
        assert_eq!(proof.challenge.as_deref(), Some("n-0S6_WzA2Mj"));
        assert_eq!(proof.domain.as_deref(), Some("https://verifier.example"));
        assert!(verify(&secured, &key.verifying_key()).unwrap());
        for (field, value) in [("challenge", json!("another-nonce")), ("domain", json!("https://evil.example"))] {
            let mut t = secured.clone();
            t["proof"][field] = value;
            assert!(!verify(&t, &key.verifying_key()).unwrap(), "{field} changed but still valid");
            let mut t = secured.clone();
            t["proof"].as_object_mut().unwrap().remove(field);
            assert!(!verify(&t, &key.verifying_key()).unwrap(), "{field} removed but still valid");
        }
    }

    #[test]
    fn contexts_must_match() {
        let key = random_key();
        let secured = sign(&vector_credential(), &key, &vector_config()).unwrap();
        // A document whose @context differs from the one signed in the proof.
        let mut t = secured.clone();
        t["@context"] = json!(["https://www.w3.org/ns/credentials/v2", "https://evil.example/context"]);
        assert!(!verify(&t, &key.verifying_key()).unwrap());
        let mut t = secured.clone();
        t["@context"] =
            json!(["https://www.w3.org/ns/credentials/examples/v2", "https://www.w3.org/ns/credentials/v2"]);
        assert!(!verify(&t, &key.verifying_key()).unwrap(), "reordered @context");
        let mut t = secured.clone();
        t["proof"]["@context"] = json!(["https://www.w3.org/ns/credentials/v2"]);
        assert!(!verify(&t, &key.verifying_key()).unwrap(), "proof @context is signed");
        // Per the specification (Verify Proof, step 4) the document's @context only has to START
        // with the proof's: entries appended after signing are allowed (proof sets and chains)
        // and the document is checked with the proof's @context, i.e. as it was signed.
        let mut t = secured.clone();
        t["@context"].as_array_mut().unwrap().push(json!("https://vc.example/appended/v1"));
        assert!(verify(&t, &key.verifying_key()).unwrap());
        // A document without @context signs without one in the proof.
        let mut plain = vector_credential();
        plain.as_object_mut().unwrap().remove("@context");
        let secured = sign(&plain, &key, &vector_config()).unwrap();
        assert!(secured["proof"].get("@context").is_none());
        assert!(verify(&secured, &key.verifying_key()).unwrap());
    }

    #[test]
    fn malformed_and_unsupported_proofs_are_errors() {
        let key = random_key();
        let vk = key.verifying_key();
        let secured = sign(&vector_credential(), &key, &vector_config()).unwrap();
        let with = |field: &str, value: Value| {
            let mut t = secured.clone();
            t["proof"][field] = value;
            t
        };
        for (what, doc) in [
            ("rdfc suite", with("cryptosuite", json!("eddsa-rdfc-2022"))),
            ("other type", with("type", json!("Ed25519Signature2020"))),
            ("capability purpose", with("proofPurpose", json!("capabilityInvocation"))),
        ] {
            let err = verify(&doc, &vk).unwrap_err();
            assert!(matches!(err, CredentialError::UnsupportedProof(_)), "{what}: {err}");
            assert!(proof_of(&doc).is_err(), "{what}");
        }
        let sig = MultibaseBuf::encode(Base::Base58Btc, [7u8; 63]);
        let b64 = MultibaseBuf::encode(Base::Base64Url, [7u8; 64]);
        for (what, doc) in [
            ("not multibase", with("proofValue", json!("not-multibase!"))),
            ("base64url multibase", with("proofValue", json!(b64.as_str()))),
            ("63-byte signature", with("proofValue", json!(sig.as_str()))),
            ("number proofValue", with("proofValue", json!(12))),
            ("bad created", with("created", json!("yesterday"))),
        ] {
            let err = verify(&doc, &vk).unwrap_err();
            assert!(matches!(err, CredentialError::Verify(_)), "{what}: {err}");
        }
        let mut no_vm = secured.clone();
        no_vm["proof"].as_object_mut().unwrap().remove("verificationMethod");
        assert!(matches!(proof_of(&no_vm), Err(CredentialError::Verify(_))));
        let mut none = secured.clone();
        none.as_object_mut().unwrap().remove("proof");
        assert!(matches!(verify(&none, &vk), Err(CredentialError::NoProof)));
        // A one-element proof array is the same proof; two proofs are refused.
        let mut one = secured.clone();
        one["proof"] = json!([secured["proof"].clone()]);
        assert!(verify(&one, &vk).unwrap());
        let mut two = secured.clone();
        two["proof"] = json!([secured["proof"].clone(), secured["proof"].clone()]);
        assert!(matches!(verify(&two, &vk), Err(CredentialError::UnsupportedProof(_))));

        // Signing refuses an already secured document, a non-object and a bad date.
        assert!(matches!(sign(&secured, &key, &vector_config()), Err(CredentialError::InvalidCredential(_))));
        assert!(matches!(sign(&json!([1]), &key, &vector_config()), Err(CredentialError::InvalidCredential(_))));
        let bad = ProofConfig { created: "31/01/2027".into(), ..vector_config() };
        assert!(matches!(sign(&vector_credential(), &key, &bad), Err(CredentialError::InvalidDate(_))));
    }
}
