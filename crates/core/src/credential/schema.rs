//! JSON Schemas of Hallmark's credential types, referenced by `credentialSchema`.
//!
//! Each Hallmark credential type has a JSON Schema (draft 2020-12) in `crates/core/schemas/`,
//! compiled into the binary. A credential names its schema in `credentialSchema`
//! (`{"id": "urn:hallmark:schema:<name>:v1", "type": "JsonSchema"}`, as the W3C VC JSON Schema
//! specification defines it); [`validate`] checks the credential against every Hallmark schema it
//! names. The ids are URNs, not URLs: there is nothing to fetch, and nothing is ever fetched.
//!
//! The schemas pin what matters: the credential's types, a DID as issuer and as subject, the
//! allowed roles and evidence methods, RFC 3339 dates, and a closed `credentialSubject` so no
//! extra personal data slips in. `proof`, `credentialStatus`, `credentialSchema`, `evidence` and
//! `relatedResource` may be an object or an array (ssi writes one-item arrays back as objects).
//!
//! [`related_resource`] gives the schema's SHA-384 digest in the VC Data Model 2.0
//! `relatedResource` form, for issuers that want to bind the exact schema document.

use std::sync::LazyLock;

use base64::Engine;
use serde_json::{json, Value};
use sha2::Digest;

use super::CredentialError;

/// The `type` of a `credentialSchema` entry that names a JSON Schema document.
pub const SCHEMA_TYPE: &str = "JsonSchema";

/// The media type of a JSON Schema document.
pub const SCHEMA_MEDIA_TYPE: &str = "application/schema+json";

/// At most this many violations are listed in an error.
const MAX_LISTED: usize = 20;

/// Hallmark's credential types with a schema.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kind {
    /// `HumanityCredential`: the subject is a real, unique person.
    Humanity,
    /// `CommunityMembershipCredential`: the subject is a member or moderator of a community.
    Membership,
    /// `VouchCredential`: a member vouches that the subject is a real, unique person they know.
    Vouch,
}

impl Kind {
    /// Every kind, in a fixed order.
    pub const ALL: [Kind; 3] = [Kind::Humanity, Kind::Membership, Kind::Vouch];

    /// The credential `type` this kind's credentials carry (besides `VerifiableCredential`).
    pub fn as_type(self) -> &'static str {
        match self {
            Kind::Humanity => "HumanityCredential",
            Kind::Membership => "CommunityMembershipCredential",
            Kind::Vouch => "VouchCredential",
        }
    }

    /// The schema's `$id`, also the `id` written in `credentialSchema`.
    pub fn schema_id(self) -> &'static str {
        match self {
            Kind::Humanity => "urn:hallmark:schema:humanity:v1",
            Kind::Membership => "urn:hallmark:schema:membership:v1",
            Kind::Vouch => "urn:hallmark:schema:vouch:v1",
        }
    }

    /// The kind whose schema has this id.
    pub fn from_schema_id(id: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.schema_id() == id)
    }

    /// The kind of a credential `type` name (`HumanityCredential`, …).
    pub fn from_type(name: &str) -> Option<Kind> {
        Kind::ALL.into_iter().find(|k| k.as_type() == name)
    }

    fn index(self) -> usize {
        match self {
            Kind::Humanity => 0,
            Kind::Membership => 1,
            Kind::Vouch => 2,
        }
    }
}

/// The schema documents, byte for byte as shipped in `crates/core/schemas/`.
const DOCUMENTS: [&str; 3] = [
    include_str!("../../schemas/humanity-v1.json"),
    include_str!("../../schemas/membership-v1.json"),
    include_str!("../../schemas/vouch-v1.json"),
];

/// The `credentialSchema` value to put in a credential of this kind:
/// `{"id": "urn:hallmark:schema:<name>:v1", "type": "JsonSchema"}`.
pub fn credential_schema(kind: Kind) -> Value {
    json!({"id": kind.schema_id(), "type": SCHEMA_TYPE})
}

/// The schema document itself (for export and documentation).
pub fn schema_document(kind: Kind) -> &'static str {
    DOCUMENTS[kind.index()]
}

/// The Subresource Integrity digest of the schema document: `sha384-<base64 of SHA-384>`.
pub fn digest_sri(kind: Kind) -> String {
    let digest = sha2::Sha384::digest(schema_document(kind).as_bytes());
    format!("sha384-{}", base64::engine::general_purpose::STANDARD.encode(digest))
}

/// A VC Data Model 2.0 `relatedResource` entry binding the exact schema document:
/// `{"id": <schema id>, "digestSRI": "sha384-…", "mediaType": "application/schema+json"}`.
pub fn related_resource(kind: Kind) -> Value {
    json!({"id": kind.schema_id(), "digestSRI": digest_sri(kind), "mediaType": SCHEMA_MEDIA_TYPE})
}

/// The ids named in a credential's `credentialSchema` (an object or an array of them), in order.
pub fn referenced_schemas(credential: &Value) -> Vec<String> {
    one_or_many(credential.get("credentialSchema"))
        .filter_map(|s| s.get("id").and_then(Value::as_str).map(str::to_owned))
        .collect()
}

/// Validates a credential against each Hallmark schema its `credentialSchema` names and returns
/// the ids of the schemas checked. Schema ids that are not Hallmark's are skipped (nothing is
/// fetched): compare with [`referenced_schemas`] to report them as not checked. A credential
/// naming no schema gives an empty list.
///
/// Fails with [`CredentialError::Schema`] listing each violation as `at <path>: <message>`, and
/// also when a Hallmark schema is named with another type than `JsonSchema`, or when a
/// `relatedResource` for a Hallmark schema carries a digest of another document.
pub fn validate(credential: &Value) -> Result<Vec<String>, CredentialError> {
    let mut checked = Vec::new();
    let mut problems = Vec::new();
    for entry in one_or_many(credential.get("credentialSchema")) {
        let Some(kind) = entry.get("id").and_then(Value::as_str).and_then(Kind::from_schema_id) else {
            continue;
        };
        if entry.get("type").and_then(Value::as_str) != Some(SCHEMA_TYPE) {
            problems.push(format!(
                "at /credentialSchema: {} must have type \"{SCHEMA_TYPE}\", not {}",
                kind.schema_id(),
                entry.get("type").map_or_else(|| "none".to_owned(), Value::to_string)
            ));
            continue;
        }
        if checked.iter().any(|c| c == kind.schema_id()) {
            continue;
        }
        check_digest(credential, kind, &mut problems);
        let validator = VALIDATORS[kind.index()].as_ref().map_err(|e| {
            CredentialError::Schema(format!("Hallmark's own schema {} does not compile: {e}", kind.schema_id()))
        })?;
        for error in validator.iter_errors(credential) {
            problems.push(describe(&error));
        }
        checked.push(kind.schema_id().to_owned());
    }
    if problems.is_empty() {
        return Ok(checked);
    }
    let total = problems.len();
    problems.truncate(MAX_LISTED);
    let mut message = problems.join("; ");
    if total > MAX_LISTED {
        message.push_str(&format!("; and {} more", total - MAX_LISTED));
    }
    Err(CredentialError::Schema(message))
}

/// A `relatedResource` naming a Hallmark schema must carry that schema's digest (if it gives a
/// `digestSRI`): otherwise the credential was made against another version of the document.
fn check_digest(credential: &Value, kind: Kind, problems: &mut Vec<String>) {
    for resource in one_or_many(credential.get("relatedResource")) {
        if resource.get("id").and_then(Value::as_str) != Some(kind.schema_id()) {
            continue;
        }
        if let Some(sri) = resource.get("digestSRI") {
            let expected = digest_sri(kind);
            if sri.as_str() != Some(expected.as_str()) {
                problems.push(format!(
                    "at /relatedResource: the digest of {} is {sri}, but this version of Hallmark ships a schema \
                     document with digest {expected}",
                    kind.schema_id()
                ));
            }
        }
    }
}

/// The compiled schemas, in [`Kind::index`] order. Compiled once, offline (every `$ref` is
/// inside the document; the 2020-12 meta-schema is bundled with the `jsonschema` crate).
static VALIDATORS: LazyLock<Vec<Result<jsonschema::Validator, String>>> = LazyLock::new(|| {
    DOCUMENTS
        .iter()
        .map(|text| {
            let schema: Value = serde_json::from_str(text).map_err(|e| e.to_string())?;
            jsonschema::draft202012::options()
                .should_validate_formats(true)
                .offline()
                .build(&schema)
                .map_err(|e| e.to_string())
        })
        .collect()
});

/// `at <path>: <message>`, with the path as a JSON pointer (`/credentialSubject/role`).
fn describe(error: &jsonschema::ValidationError<'_>) -> String {
    let path = error.instance_path().to_string();
    let location = if path.is_empty() { "the top level".to_owned() } else { path };
    let mut message = match error.kind() {
        jsonschema::error::ValidationErrorKind::Pattern { pattern } if pattern.starts_with("^did:") => {
            format!("{} is not a DID: write it as did:<method>:<identifier>, without a #fragment", error.instance())
        }
        jsonschema::error::ValidationErrorKind::Format { format } if format == "date-time" => {
            format!("{} is not a date and time: write it as in RFC 3339, e.g. 2025-01-31T12:00:00Z", error.instance())
        }
        _ => error.to_string(),
    };
    if message.chars().count() > 300 {
        message = message.chars().take(300).collect::<String>() + "…";
    }
    format!("at {location}: {message}")
}

fn one_or_many(value: Option<&Value>) -> impl Iterator<Item = &Value> {
    let items: &[Value] = match value {
        Some(Value::Array(a)) => a,
        Some(v) => std::slice::from_ref(v),
        None => &[],
    };
    items.iter()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::credential::{humanity_credential, membership_credential, HumanityMethod, Role};

    const ISSUER: &str = "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2";
    const SUBJECT: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

    fn humanity() -> Value {
        let mut vc = humanity_credential(
            ISSUER,
            SUBJECT,
            HumanityMethod::InPerson,
            Some("met at the meetup"),
            "2025-01-01T00:00:00Z",
            Some("2026-01-01T00:00:00Z"),
        );
        vc["credentialSchema"] = credential_schema(Kind::Humanity);
        vc
    }

    fn membership() -> Value {
        let mut vc = membership_credential(
            ISSUER,
            SUBJECT,
            "urn:uuid:0f6e1a52-7b0c-4a55-9d0e-3c1f2b8a9e10",
            "Photo club",
            Role::Member,
            "2025-02-01T00:00:00Z",
            None,
        );
        vc["credentialSchema"] = credential_schema(Kind::Membership);
        vc
    }

    fn vouch() -> Value {
        json!({
            "@context": crate::credential::hallmark_context(),
            "type": ["VerifiableCredential", "VouchCredential"],
            "issuer": ISSUER,
            "validFrom": "2025-03-01T12:00:00Z",
            "credentialSubject": {
                "id": SUBJECT,
                "vouchedFor": "humanity",
                "memberOf": {"id": "urn:uuid:0f6e1a52-7b0c-4a55-9d0e-3c1f2b8a9e10", "name": "Photo club"}
            },
            "evidence": [{"type": ["VouchEvidence"], "description": "we have met weekly for two years"}],
            "credentialSchema": credential_schema(Kind::Vouch)
        })
    }

    fn schema_error(vc: &Value) -> String {
        match validate(vc) {
            Err(CredentialError::Schema(m)) => m,
            other => panic!("expected a schema error, got {other:?}"),
        }
    }

    #[test]
    fn credential_schema_value() {
        assert_eq!(
            credential_schema(Kind::Humanity),
            json!({"id": "urn:hallmark:schema:humanity:v1", "type": "JsonSchema"})
        );
        assert_eq!(credential_schema(Kind::Membership)["id"], "urn:hallmark:schema:membership:v1");
        assert_eq!(credential_schema(Kind::Vouch)["id"], "urn:hallmark:schema:vouch:v1");
        for kind in Kind::ALL {
            assert_eq!(Kind::from_schema_id(kind.schema_id()), Some(kind));
            assert_eq!(Kind::from_type(kind.as_type()), Some(kind));
        }
        assert_eq!(Kind::from_schema_id("urn:hallmark:schema:humanity:v2"), None);
    }

    #[test]
    fn builders_and_a_vouch_validate() {
        assert_eq!(validate(&humanity()).unwrap(), vec!["urn:hallmark:schema:humanity:v1"]);
        assert_eq!(validate(&membership()).unwrap(), vec!["urn:hallmark:schema:membership:v1"]);
        assert_eq!(validate(&vouch()).unwrap(), vec!["urn:hallmark:schema:vouch:v1"]);
        // Every method and role the builders can write is allowed.
        for method in [HumanityMethod::InPerson, HumanityMethod::VideoCall, HumanityMethod::Vouching] {
            let mut vc = humanity_credential(ISSUER, SUBJECT, method, None, "2025-01-01T00:00:00Z", None);
            vc["credentialSchema"] = json!([credential_schema(Kind::Humanity)]);
            validate(&vc).unwrap();
        }
        let mut moderator = membership();
        moderator["credentialSubject"]["role"] = json!("moderator");
        validate(&moderator).unwrap();
        // An issuer object with a DID id, a vouch without evidence.
        let mut v = vouch();
        v["issuer"] = json!({"id": ISSUER, "name": "Alice"});
        v.as_object_mut().unwrap().remove("evidence");
        validate(&v).unwrap();
    }

    #[tokio::test]
    async fn signed_credentials_still_validate_after_ssi_round_trip() {
        // ssi writes one-item arrays (evidence, proof, credentialSchema) back as single objects.
        let (key, did, vm) = crate::credential::testutil::random_did_key();
        let mut vc = humanity_credential(&did, SUBJECT, HumanityMethod::VideoCall, None, "2025-01-01T00:00:00Z", None);
        vc["credentialSchema"] = json!([credential_schema(Kind::Humanity)]);
        vc["credentialStatus"] = crate::credential::status::entry("https://issuer.example/status/1", 17);
        vc["relatedResource"] = json!([related_resource(Kind::Humanity)]);
        let signed = crate::credential::issue_data_integrity(vc, &key, &vm, crate::credential::Suite::EddsaRdfc2022)
            .await
            .unwrap();
        let options = crate::credential::verifier::VerifyOptions { network: false, ..Default::default() };
        let report = crate::credential::verifier::verify(&crate::credential::Secured::Json(signed.clone()), &options)
            .await
            .unwrap();
        assert_eq!(report.checks.iter().find(|c| c.check == "proof").unwrap().result, "passed", "{report:?}");
        // The shapes this test is about: one-item arrays came back as single values.
        assert!(signed["evidence"].is_object() && signed["evidence"]["type"] == "HumanityCheck", "{signed}");
        assert!(signed["credentialSchema"].is_object() && signed["proof"].is_object(), "{signed}");
        assert_eq!(validate(&signed).unwrap(), vec!["urn:hallmark:schema:humanity:v1"]);
    }

    #[test]
    fn wrong_role_fails() {
        let mut vc = membership();
        vc["credentialSubject"]["role"] = json!("admin");
        let m = schema_error(&vc);
        assert!(m.contains("at /credentialSubject/role:"), "{m}");
        assert!(m.contains("admin"), "{m}");
    }

    #[test]
    fn extra_personal_data_in_the_subject_fails() {
        for (mut vc, _) in [(humanity(), "humanity"), (membership(), "membership"), (vouch(), "vouch")] {
            vc["credentialSubject"]["email"] = json!("alice@example.com");
            let m = schema_error(&vc);
            assert!(m.contains("at /credentialSubject:"), "{m}");
            assert!(m.contains("email"), "{m}");
        }
        // Nor inside memberOf.
        let mut vc = membership();
        vc["credentialSubject"]["memberOf"]["phone"] = json!("+1 555 0100");
        assert!(schema_error(&vc).contains("at /credentialSubject/memberOf:"));
    }

    #[test]
    fn subject_and_issuer_must_be_dids() {
        for bad in ["https://alice.example", "alice", "did:key:", "did:key:z6Mk#key-1", "DID:key:z6Mk"] {
            let mut vc = humanity();
            vc["credentialSubject"]["id"] = json!(bad);
            let m = schema_error(&vc);
            assert!(m.contains("at /credentialSubject/id:"), "{bad}: {m}");
        }
        let mut vc = vouch();
        vc["issuer"] = json!("https://issuer.example");
        assert!(schema_error(&vc).contains("at /issuer: \"https://issuer.example\" is not a DID"));
        let mut vc = vouch();
        vc["issuer"] = json!({"id": "https://issuer.example"});
        assert!(schema_error(&vc).contains("at /issuer/id:"));
        let mut vc = humanity();
        vc["evidence"][0]["checkedBy"] = json!("Bob");
        let m = schema_error(&vc);
        assert!(m.contains("at /evidence/0/checkedBy: \"Bob\" is not a DID"), "{m}");
    }

    #[test]
    fn missing_or_wrong_type_fails() {
        let mut vc = humanity();
        vc.as_object_mut().unwrap().remove("type");
        let m = schema_error(&vc);
        assert!(m.contains("at the top level:") && m.contains("\"type\""), "{m}");
        // A membership credential pretending to follow the humanity schema.
        let mut vc = membership();
        vc["credentialSchema"] = credential_schema(Kind::Humanity);
        let m = schema_error(&vc);
        assert!(m.contains("at /type:"), "{m}");
    }

    #[test]
    fn evidence_method_and_dates_are_checked() {
        let mut vc = humanity();
        vc["evidence"][0]["method"] = json!("phone-call");
        assert!(schema_error(&vc).contains("at /evidence/0/method:"));
        // The single-object form ssi writes back is checked just the same.
        let mut vc = humanity();
        vc["evidence"] = vc["evidence"][0].clone();
        validate(&vc).unwrap();
        vc["evidence"]["method"] = json!("phone-call");
        assert!(schema_error(&vc).contains("at /evidence/method:"));
        let mut vc = humanity();
        vc.as_object_mut().unwrap().remove("evidence");
        assert!(schema_error(&vc).contains("\"evidence\""));
        for field in ["validFrom", "validUntil"] {
            let mut vc = humanity();
            vc[field] = json!("next Tuesday");
            let m = schema_error(&vc);
            assert!(m.contains(&format!("at /{field}: \"next Tuesday\" is not a date and time")), "{m}");
        }
        let mut vc = membership();
        vc["credentialSubject"]["since"] = json!("2025-02-30");
        assert!(schema_error(&vc).contains("at /credentialSubject/since:"));
        let mut vc = vouch();
        vc["credentialSubject"]["vouchedFor"] = json!("employment");
        assert!(schema_error(&vc).contains("at /credentialSubject/vouchedFor:"));
        let mut vc = vouch();
        vc["@context"] = json!(["https://www.w3.org/2018/credentials/v1"]);
        assert!(schema_error(&vc).contains("at /@context"));
    }

    #[test]
    fn every_violation_is_listed() {
        let mut vc = membership();
        vc["credentialSubject"]["role"] = json!("admin");
        vc["credentialSubject"]["email"] = json!("a@example.com");
        vc["validFrom"] = json!("yesterday");
        let m = schema_error(&vc);
        for path in ["/credentialSubject/role", "/credentialSubject:", "/validFrom"] {
            assert!(m.contains(path), "{path} in {m}");
        }
        assert!(CredentialError::Schema(m).code() == "schema_invalid");
    }

    #[test]
    fn unknown_or_absent_schemas_are_not_checked() {
        let mut vc = humanity();
        vc["credentialSchema"] = json!({"id": "https://schemas.example/other.json", "type": "JsonSchema"});
        // Even a credential that would fail Hallmark's schema: nothing of Hallmark's is named.
        vc["credentialSubject"]["email"] = json!("a@example.com");
        assert_eq!(validate(&vc).unwrap(), Vec::<String>::new());
        assert_eq!(referenced_schemas(&vc), vec!["https://schemas.example/other.json"]);
        vc.as_object_mut().unwrap().remove("credentialSchema");
        assert_eq!(validate(&vc).unwrap(), Vec::<String>::new());
        // A known id alongside an unknown one: only the known one is checked (and must pass).
        let mut vc = humanity();
        vc["credentialSchema"] = json!([
            {"id": "https://schemas.example/other.json", "type": "JsonSchema"},
            credential_schema(Kind::Humanity)
        ]);
        assert_eq!(validate(&vc).unwrap(), vec!["urn:hallmark:schema:humanity:v1"]);
        // A Hallmark schema named with another type is refused.
        let mut vc = humanity();
        vc["credentialSchema"] = json!({"id": Kind::Humanity.schema_id(), "type": "JsonSchemaCredential"});
        assert!(schema_error(&vc).contains("must have type \"JsonSchema\""));
    }

    #[test]
    fn related_resource_digest_is_checked() {
        let rr = related_resource(Kind::Membership);
        assert_eq!(rr["id"], "urn:hallmark:schema:membership:v1");
        assert_eq!(rr["mediaType"], "application/schema+json");
        let sri = rr["digestSRI"].as_str().unwrap();
        assert!(sri.starts_with("sha384-") && sri.len() == "sha384-".len() + 64, "{sri}");
        let mut vc = membership();
        vc["relatedResource"] = json!([rr]);
        validate(&vc).unwrap();
        // A digest of another document (an older or altered schema) is refused.
        vc["relatedResource"][0]["digestSRI"] = json!(digest_sri(Kind::Humanity));
        assert!(schema_error(&vc).contains("at /relatedResource:"));
    }

    #[test]
    fn every_schema_file_parses_and_is_embedded() {
        let dir = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("schemas");
        let mut seen = Vec::new();
        for file in std::fs::read_dir(&dir).unwrap() {
            let path = file.unwrap().path();
            let text = std::fs::read_to_string(&path).unwrap();
            let doc: Value = serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
            assert_eq!(doc["$schema"], "https://json-schema.org/draft/2020-12/schema", "{}", path.display());
            let kind = Kind::from_schema_id(doc["$id"].as_str().unwrap_or_default())
                .unwrap_or_else(|| panic!("{} has an $id no Kind has", path.display()));
            assert_eq!(schema_document(kind), text, "{} is not the embedded document", path.display());
            assert!(text.contains(&format!("\"const\": \"{}\"", kind.as_type())), "{}", path.display());
            seen.push(kind);
        }
        seen.sort_by_key(|k| k.index());
        assert_eq!(seen, Kind::ALL.to_vec(), "one file per kind");
        for (i, v) in VALIDATORS.iter().enumerate() {
            assert!(v.is_ok(), "schema {i} does not compile: {v:?}", v = v.as_ref().err());
        }
    }
}
