//! VC-JOSE: credentials and presentations as JWTs (`vc+jwt`, `vp+jwt`), Ed25519 (`EdDSA`).
//!
//! Follows W3C "Securing Verifiable Credentials using JOSE and COSE" (Recommendation, May 2025),
//! section 3.1: the JWT payload is the credential or presentation itself (no `vc`/`vp` wrapper
//! claim, which the specification forbids), in JWS compact serialization. The protected header is
//! `{"alg": "EdDSA", "kid": <verification method>, "typ": "vc+jwt", "cty": "vc"}` for a credential
//! and `typ` `vp+jwt`, `cty` `vp` for a presentation. A presentation may bind a verifier's
//! `nonce` and audience (`aud`) as JWT claims. Credentials inside a presentation are
//! `EnvelopedVerifiableCredential` objects whose `id` is a `data:application/vc+jwt,` URL.
//!
//! Signing and verification are Ed25519 by `ed25519-dalek` (strict verification); base64url by
//! the `base64` crate. Decoding is strict: anything but `alg: EdDSA` (including `none`) is refused.

use base64::engine::general_purpose::URL_SAFE_NO_PAD;
use base64::Engine as _;
use serde_json::{json, Map, Value};

use super::CredentialError;

/// The JOSE `alg` of Ed25519 signatures.
pub const ALG: &str = "EdDSA";
/// `typ` of a credential JWT (media type `application/vc+jwt`).
pub const TYP_CREDENTIAL: &str = "vc+jwt";
/// `typ` of a presentation JWT (media type `application/vp+jwt`).
pub const TYP_PRESENTATION: &str = "vp+jwt";
/// The prefix of an enveloped credential's `id`: a data URL of a `vc+jwt`.
pub const ENVELOPED_PREFIX: &str = "data:application/vc+jwt,";
const ENVELOPED_TYPE: &str = "EnvelopedVerifiableCredential";
const VC_V2_CONTEXT: &str = "https://www.w3.org/ns/credentials/v2";

/// Signs a credential as a `vc+jwt`.
///
/// `kid` is the verification method (DID URL) of `key`; it is not checked here.
pub fn sign_credential(
    credential: &Value,
    key: &ed25519_dalek::SigningKey,
    kid: &str,
) -> Result<String, CredentialError> {
    let payload = payload_object(credential, "credential")?;
    encode(TYP_CREDENTIAL, "vc", kid, &payload, key)
}

/// Signs a presentation as a `vp+jwt`, binding `nonce` and `aud` when given.
///
/// `nonce` is the verifier's challenge and `aud` its identifier (the domain); both become JWT
/// claims of the signed payload. A presentation that already holds a different `nonce` or `aud`
/// is refused rather than silently overwritten.
pub fn sign_presentation(
    presentation: &Value,
    key: &ed25519_dalek::SigningKey,
    kid: &str,
    nonce: Option<&str>,
    aud: Option<&str>,
) -> Result<String, CredentialError> {
    let mut payload = payload_object(presentation, "presentation")?;
    for (claim, value) in [("nonce", nonce), ("aud", aud)] {
        if let Some(v) = value {
            match payload.get(claim) {
                Some(existing) if existing.as_str() != Some(v) => {
                    return Err(CredentialError::InvalidCredential(format!(
                        "the presentation already has a different \"{claim}\" ({existing}); remove it first"
                    )));
                }
                _ => {
                    payload.insert(claim.into(), v.into());
                }
            }
        }
    }
    encode(TYP_PRESENTATION, "vp", kid, &payload, key)
}

/// A decoded, NOT yet verified JWT.
#[derive(Debug, Clone)]
pub struct DecodedJwt {
    /// The `kid` header: the verification method (DID URL) that claims to have signed.
    pub kid: String,
    /// The `typ` header: `vc+jwt` or `vp+jwt` (an `application/` prefix is removed).
    pub typ: String,
    /// The payload: the credential or presentation, with any JWT claims (`nonce`, `aud`, …).
    pub payload: Value,
    /// `BASE64URL(header) '.' BASE64URL(payload)`, exactly as received.
    signing_input: String,
    signature: [u8; 64],
}

/// Decodes a compact JWT and checks its structure (not its signature).
///
/// Refused with [`CredentialError::MalformedJwt`]: anything but three base64url (unpadded) parts;
/// a header that is not a JSON object, whose `alg` is not exactly `EdDSA` (so `none`, `HS256`,
/// `ES256`… are refused), whose `typ` is not `vc+jwt`/`vp+jwt`, without a `kid`, or with `crit`
/// extensions; a payload that is not a JSON object or that uses the VC 1.1 `vc`/`vp` claims; a
/// signature that is not 64 bytes.
pub fn decode(jwt: &str) -> Result<DecodedJwt, CredentialError> {
    let bad = |why: &str| CredentialError::MalformedJwt(why.to_owned());
    let jwt = jwt.trim();
    let parts: Vec<&str> = jwt.split('.').collect();
    if parts.len() != 3 {
        return Err(bad(&format!(
            "a JWT has three parts separated by dots, this has {}; copy the whole token",
            parts.len()
        )));
    }
    let part = |i: usize, name: &str| {
        if parts[i].is_empty() {
            return Err(bad(&format!("its {name} is empty")));
        }
        URL_SAFE_NO_PAD.decode(parts[i]).map_err(|_| bad(&format!("its {name} is not base64url")))
    };
    let header = part(0, "header")?;
    let payload = part(1, "payload")?;
    let signature = part(2, "signature")?;

    let header: Value = serde_json::from_slice(&header).map_err(|_| bad("its header is not JSON"))?;
    let header = header.as_object().ok_or_else(|| bad("its header is not a JSON object"))?;
    match header.get("alg").and_then(Value::as_str) {
        Some(ALG) => {}
        Some(other) => {
            return Err(bad(&format!("it is signed with {other:?}; only EdDSA (Ed25519) signatures are accepted")))
        }
        None => return Err(bad("its header has no \"alg\"")),
    }
    if header.contains_key("crit") {
        return Err(bad("its header lists critical extensions (\"crit\") that Hallmark does not understand"));
    }
    let typ = header.get("typ").and_then(Value::as_str).unwrap_or_default();
    // RFC 7515 §4.1.9: the "application/" prefix may be left out; compare without it.
    let typ = typ.strip_prefix("application/").unwrap_or(typ);
    if typ != TYP_CREDENTIAL && typ != TYP_PRESENTATION {
        return Err(bad(&format!("its type (\"typ\") is {typ:?}, not {TYP_CREDENTIAL:?} or {TYP_PRESENTATION:?}")));
    }
    let kid = match header.get("kid").and_then(Value::as_str) {
        Some(k) if !k.is_empty() => k.to_owned(),
        _ => return Err(bad("its header has no key id (\"kid\"), so the signing key cannot be found")),
    };

    let payload: Value = serde_json::from_slice(&payload).map_err(|_| bad("its payload is not JSON"))?;
    let object = payload.as_object().ok_or_else(|| bad("its payload is not a JSON object"))?;
    if object.contains_key("vc") || object.contains_key("vp") {
        return Err(bad("it uses the old VC 1.1 JWT form (a \"vc\" or \"vp\" claim); only VC 2.0 JWTs are accepted"));
    }
    let signature: [u8; 64] = signature
        .try_into()
        .map_err(|s: Vec<u8>| bad(&format!("its signature is {} bytes; an Ed25519 signature is 64", s.len())))?;
    let signing_input = jwt[..parts[0].len() + 1 + parts[1].len()].to_owned();
    Ok(DecodedJwt { kid, typ: typ.to_owned(), payload, signing_input, signature })
}

impl DecodedJwt {
    /// Whether `key` made this JWT's signature (RFC 8032 strict verification).
    pub fn verify_signature(&self, key: &ed25519_dalek::VerifyingKey) -> bool {
        let signature = ed25519_dalek::Signature::from_bytes(&self.signature);
        key.verify_strict(self.signing_input.as_bytes(), &signature).is_ok()
    }

    /// Whether this is a presentation (`vp+jwt`) rather than a credential (`vc+jwt`).
    pub fn is_presentation(&self) -> bool {
        self.typ == TYP_PRESENTATION
    }
}

/// `EnvelopedVerifiableCredential` object for a credential JWT inside a presentation:
/// {"@context": "https://www.w3.org/ns/credentials/v2", "id": "data:application/vc+jwt,<jwt>", "type": "EnvelopedVerifiableCredential"}
pub fn enveloped(jwt: &str) -> Value {
    json!({
        "@context": VC_V2_CONTEXT,
        "id": format!("{ENVELOPED_PREFIX}{jwt}"),
        "type": ENVELOPED_TYPE,
    })
}

/// The JWT inside an EnvelopedVerifiableCredential object, if it is one.
///
/// `type` may be the string or an array holding it; `id` must be a `data:application/vc+jwt,`
/// URL with a non-empty token.
pub fn unenvelope(v: &Value) -> Option<&str> {
    let typed = match v.get("type")? {
        Value::String(t) => t == ENVELOPED_TYPE,
        Value::Array(ts) => ts.iter().any(|t| t.as_str() == Some(ENVELOPED_TYPE)),
        _ => false,
    };
    if !typed {
        return None;
    }
    v.get("id")?.as_str()?.strip_prefix(ENVELOPED_PREFIX).filter(|jwt| !jwt.is_empty())
}

/// The payload as a JSON object, refusing the VC 1.1 `vc`/`vp` wrapper claims.
fn payload_object(value: &Value, what: &str) -> Result<Map<String, Value>, CredentialError> {
    let object = value
        .as_object()
        .ok_or_else(|| CredentialError::InvalidCredential(format!("the {what} to sign must be a JSON object")))?;
    if object.contains_key("vc") || object.contains_key("vp") {
        return Err(CredentialError::InvalidCredential(format!(
            "the {what} has a \"vc\" or \"vp\" property, which VC 2.0 JWTs must not have"
        )));
    }
    Ok(object.clone())
}

/// JWS compact serialization with an Ed25519 signature over `header.payload`.
fn encode(
    typ: &str,
    cty: &str,
    kid: &str,
    payload: &Map<String, Value>,
    key: &ed25519_dalek::SigningKey,
) -> Result<String, CredentialError> {
    use ed25519_dalek::Signer as _;
    if kid.is_empty() {
        return Err(CredentialError::InvalidVerificationMethod(kid.to_owned()));
    }
    let header = json!({"alg": ALG, "kid": kid, "typ": typ, "cty": cty});
    let header = serde_json::to_vec(&header).map_err(|e| CredentialError::Sign(e.to_string()))?;
    let payload = serde_json::to_vec(payload).map_err(|e| CredentialError::Sign(e.to_string()))?;
    let signing_input = format!("{}.{}", URL_SAFE_NO_PAD.encode(header), URL_SAFE_NO_PAD.encode(payload));
    let signature = key.sign(signing_input.as_bytes());
    Ok(format!("{signing_input}.{}", URL_SAFE_NO_PAD.encode(signature.to_bytes())))
}

#[cfg(test)]
mod tests {
    use super::super::testutil::random_key;
    use super::*;

    fn credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiableCredential"],
            "issuer": "did:example:issuer",
            "validFrom": "2025-01-01T00:00:00Z",
            "credentialSubject": {"id": "did:example:subject", "name": "Ada"}
        })
    }

    /// Rebuilds a JWT from a header and payload with a signature of `key`, to craft attacks.
    fn forge(header: &Value, payload: &Value, key: &ed25519_dalek::SigningKey) -> String {
        use ed25519_dalek::Signer as _;
        let input =
            format!("{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), URL_SAFE_NO_PAD.encode(payload.to_string()));
        format!("{input}.{}", URL_SAFE_NO_PAD.encode(key.sign(input.as_bytes()).to_bytes()))
    }

    fn header_of(jwt: &str) -> Value {
        serde_json::from_slice(&URL_SAFE_NO_PAD.decode(jwt.split('.').next().unwrap()).unwrap()).unwrap()
    }

    #[test]
    fn credential_round_trip() {
        let key = random_key();
        let kid = "did:key:z6MkExample#z6MkExample";
        let jwt = sign_credential(&credential(), &key, kid).unwrap();
        assert_eq!(header_of(&jwt), json!({"alg": "EdDSA", "kid": kid, "typ": "vc+jwt", "cty": "vc"}));
        let decoded = decode(&jwt).unwrap();
        assert_eq!(decoded.kid, kid);
        assert_eq!(decoded.typ, "vc+jwt");
        assert!(!decoded.is_presentation());
        // The payload is the credential itself, no `vc` wrapper.
        assert_eq!(decoded.payload, credential());
        assert!(decoded.verify_signature(&key.verifying_key()));
        // Another key: the signature does not match.
        assert!(!decoded.verify_signature(&random_key().verifying_key()));
        // Surrounding whitespace (a pasted token) is tolerated.
        assert!(decode(&format!("  {jwt}\n")).unwrap().verify_signature(&key.verifying_key()));
    }

    #[test]
    fn presentation_binds_nonce_and_audience() {
        let key = random_key();
        let vp = json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "type": ["VerifiablePresentation"],
            "verifiableCredential": [enveloped("a.b.c")]
        });
        let jwt = sign_presentation(&vp, &key, "did:key:z6MkH#z6MkH", Some("n-123"), Some("did:web:verifier.example"))
            .unwrap();
        assert_eq!(header_of(&jwt)["typ"], "vp+jwt");
        assert_eq!(header_of(&jwt)["cty"], "vp");
        let decoded = decode(&jwt).unwrap();
        assert!(decoded.is_presentation());
        assert_eq!(decoded.payload["nonce"], "n-123");
        assert_eq!(decoded.payload["aud"], "did:web:verifier.example");
        assert!(decoded.verify_signature(&key.verifying_key()));
        // Without nonce/aud, no such claims.
        let plain = decode(&sign_presentation(&vp, &key, "did:key:z6MkH#z6MkH", None, None).unwrap()).unwrap();
        assert!(plain.payload.get("nonce").is_none() && plain.payload.get("aud").is_none());
        // Swapping the nonce (replaying for another challenge) breaks the signature.
        let mut payload = decoded.payload.clone();
        payload["nonce"] = json!("n-456");
        let parts: Vec<&str> = jwt.split('.').collect();
        let replayed = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload.to_string()), parts[2]);
        assert!(!decode(&replayed).unwrap().verify_signature(&key.verifying_key()));
        // A presentation that already carries another nonce is not silently rewritten.
        let mut with_nonce = vp.clone();
        with_nonce["nonce"] = json!("old");
        let err = sign_presentation(&with_nonce, &key, "did:key:z6MkH#z6MkH", Some("new"), None).unwrap_err();
        assert!(matches!(err, CredentialError::InvalidCredential(_)), "{err}");
    }

    #[test]
    fn tampered_payload_fails() {
        let key = random_key();
        let jwt = sign_credential(&credential(), &key, "did:key:z6MkA#z6MkA").unwrap();
        let parts: Vec<&str> = jwt.split('.').collect();
        let mut payload = credential();
        payload["credentialSubject"]["name"] = json!("Mallory");
        let tampered = format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode(payload.to_string()), parts[2]);
        let decoded = decode(&tampered).unwrap();
        assert_eq!(decoded.payload["credentialSubject"]["name"], "Mallory");
        assert!(!decoded.verify_signature(&key.verifying_key()));
        // Changing the kid in the header is also covered by the signature.
        let mut header = header_of(&jwt);
        header["kid"] = json!("did:key:z6MkB#z6MkB");
        let swapped = format!("{}.{}.{}", URL_SAFE_NO_PAD.encode(header.to_string()), parts[1], parts[2]);
        assert!(!decode(&swapped).unwrap().verify_signature(&key.verifying_key()));
    }

    #[test]
    fn other_algorithms_and_malformed_tokens_are_refused() {
        let key = random_key();
        let payload = credential();
        let malformed = |jwt: &str, what: &str| {
            let err = decode(jwt).unwrap_err();
            assert!(matches!(err, CredentialError::MalformedJwt(_)), "{what}: {err}");
            assert_eq!(err.code(), "invalid_jwt");
        };
        // "alg": "none" with an empty signature, and with a (valid Ed25519) signature.
        let none = json!({"alg": "none", "kid": "did:key:z6MkA#z6MkA", "typ": "vc+jwt"});
        let unsigned =
            format!("{}.{}.", URL_SAFE_NO_PAD.encode(none.to_string()), URL_SAFE_NO_PAD.encode(payload.to_string()));
        malformed(&unsigned, "alg none, no signature");
        malformed(&forge(&none, &payload, &key), "alg none, signed");
        for alg in ["HS256", "ES256", "RS256", "eddsa", "Ed25519"] {
            let h = json!({"alg": alg, "kid": "did:key:z6MkA#z6MkA", "typ": "vc+jwt"});
            malformed(&forge(&h, &payload, &key), alg);
        }
        // Missing or wrong header members.
        for (what, h) in [
            ("no alg", json!({"kid": "k#1", "typ": "vc+jwt"})),
            ("no kid", json!({"alg": "EdDSA", "typ": "vc+jwt"})),
            ("empty kid", json!({"alg": "EdDSA", "kid": "", "typ": "vc+jwt"})),
            ("no typ", json!({"alg": "EdDSA", "kid": "k#1"})),
            ("plain JWT typ", json!({"alg": "EdDSA", "kid": "k#1", "typ": "JWT"})),
            ("sd-jwt typ", json!({"alg": "EdDSA", "kid": "k#1", "typ": "vc+sd-jwt"})),
            ("crit", json!({"alg": "EdDSA", "kid": "k#1", "typ": "vc+jwt", "crit": ["b64"], "b64": false})),
        ] {
            malformed(&forge(&h, &payload, &key), what);
        }
        let h = json!({"alg": "EdDSA", "kid": "k#1", "typ": "vc+jwt"});
        malformed(&forge(&json!(["alg"]), &payload, &key), "array header");
        malformed(&forge(&h, &json!("a string"), &key), "string payload");
        malformed(&forge(&h, &json!({"vc": payload}), &key), "VC 1.1 vc claim");
        // The long media type form of typ is the same type.
        let long = forge(&json!({"alg": "EdDSA", "kid": "k#1", "typ": "application/vp+jwt"}), &payload, &key);
        assert!(decode(&long).unwrap().is_presentation());

        // Structure: parts, base64url, lengths.
        let good = sign_credential(&payload, &key, "did:key:z6MkA#z6MkA").unwrap();
        let parts: Vec<&str> = good.split('.').collect();
        malformed("", "empty");
        malformed("not a jwt", "text");
        malformed(&format!("{}.{}", parts[0], parts[1]), "two parts");
        malformed(&format!("{good}.extra"), "four parts");
        malformed(&good[..good.len() - 10], "truncated signature");
        malformed(&format!("{}.{}.{}", parts[0], &parts[1][..parts[1].len() - 3], parts[2]), "truncated payload");
        malformed(&format!("{}.{}.{}", parts[0], parts[1], "%%%%"), "signature not base64");
        malformed(&format!("{}=.{}.{}", parts[0], parts[1], parts[2]), "padded base64");
        malformed(&format!("{}.{}.{}", parts[0], "e30+", parts[2]), "standard base64 alphabet");
        malformed(&format!("{}.{}.{}", parts[0], URL_SAFE_NO_PAD.encode("{not json"), parts[2]), "payload not JSON");
        malformed(&format!("{}..{}", parts[0], parts[2]), "empty payload");
    }

    #[test]
    fn enveloped_round_trip() {
        let key = random_key();
        let jwt = sign_credential(&credential(), &key, "did:key:z6MkA#z6MkA").unwrap();
        let env = enveloped(&jwt);
        assert_eq!(
            env,
            json!({
                "@context": "https://www.w3.org/ns/credentials/v2",
                "id": format!("data:application/vc+jwt,{jwt}"),
                "type": "EnvelopedVerifiableCredential"
            })
        );
        assert_eq!(unenvelope(&env), Some(jwt.as_str()));
        // The array form of `type` is the same thing.
        let mut arr = env.clone();
        arr["type"] = json!(["EnvelopedVerifiableCredential"]);
        assert_eq!(unenvelope(&arr), Some(jwt.as_str()));
        // Not enveloped credentials.
        assert_eq!(unenvelope(&credential()), None);
        let mut other_type = env.clone();
        other_type["type"] = json!("VerifiableCredential");
        assert_eq!(unenvelope(&other_type), None);
        let mut sd = env.clone();
        sd["id"] = json!(format!("data:application/vc+sd-jwt,{jwt}"));
        assert_eq!(unenvelope(&sd), None);
        let mut empty = env.clone();
        empty["id"] = json!("data:application/vc+jwt,");
        assert_eq!(unenvelope(&empty), None);
    }
}
