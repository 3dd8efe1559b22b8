//! Verifying credentials and presentations in every supported form, check by check.
//!
//! A credential is checked for: its **proof** (the signature matches), its **issuer** (the DID
//! resolves and lists the signing key for `assertionMethod`), its **validity** period, its
//! **status** (not revoked, from a Bitstring Status List read from a local file or its URL), its
//! **schema** (Hallmark's JSON Schemas) and whether the issuer is **trusted** (in the person's
//! trust list or communities — reported, but not part of validity).
//!
//! A presentation is checked for: its **proof**, its **holder** (the DID lists the key for
//! `authentication`), the **challenge** and **domain** it was made for (so it cannot be replayed
//! elsewhere), that the holder is the **subject** of every credential in it, and then every
//! credential as above.

use std::time::Duration;

use serde::Serialize;
use serde_json::Value;

use super::method::{self, Purpose};
use super::{jcs, jose, rdfc, schema, status, CredentialError, Secured, Suite, VC_V2_CONTEXT};

/// How long a network lookup (did:web document, status list) may take.
pub const DEFAULT_TIMEOUT: Duration = Duration::from_secs(10);

/// The largest status list credential fetched over the network.
const MAX_STATUS_LIST_BYTES: usize = 2 * 1024 * 1024;

/// Contexts accepted by URL besides inline ones: the VC 2.0 context and the W3C examples context
/// of the specifications' test vectors, both built into ssi. Nothing is ever fetched.
const KNOWN_CONTEXTS: &[&str] = &[VC_V2_CONTEXT, "https://www.w3.org/ns/credentials/examples/v2"];

/// What the verifier is given besides the credential or presentation.
#[derive(Debug, Clone)]
pub struct VerifyOptions {
    /// The challenge the presentation must have been made for.
    pub challenge: Option<String>,
    /// The domain the presentation must have been made for.
    pub domain: Option<String>,
    /// Status list credentials at hand (files given on the command line, the wallet's own lists);
    /// matched by their `id` against a credential's `statusListCredential`.
    pub status_lists: Vec<Value>,
    /// Copies of other issuers' status lists kept from earlier checks: used for lists that
    /// cannot be fetched (a `urn:`), when the network is off, or beside a list given in
    /// `status_lists` (the newest wins). A list that can be fetched is fetched fresh instead.
    pub kept_lists: Vec<Value>,
    /// Whether the network may be used: did:web documents and status lists that are not at
    /// hand are fetched from their http(s) URLs. Off, they must be given.
    pub network: bool,
    /// Time limit of each network lookup.
    pub timeout: Duration,
    /// Issuers the person trusts: (DID, why — e.g. "your trust list" or "moderator of Photo club").
    pub trusted: Vec<(String, String)>,
    /// DID documents at hand (e.g. the wallet's own did:web documents, or a did.json file given
    /// on the command line), used before any network lookup.
    pub documents: Vec<Value>,
}

impl Default for VerifyOptions {
    fn default() -> Self {
        VerifyOptions {
            challenge: None,
            domain: None,
            status_lists: Vec::new(),
            kept_lists: Vec::new(),
            network: true,
            timeout: DEFAULT_TIMEOUT,
            trusted: Vec::new(),
            documents: Vec::new(),
        }
    }
}

/// One line of a verification report.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Check {
    /// `proof`, `issuer`, `validity`, `status`, `schema`, `trust` (credentials);
    /// `proof`, `holder`, `challenge`, `domain`, `subject`, `credentials` (presentations).
    pub check: &'static str,
    /// `passed`, `failed`, `not_checked` (could not be checked, or an earlier check failed) or
    /// `not_applicable`. Only `failed` makes the whole result invalid.
    pub result: &'static str,
    /// What was found, in plain words.
    pub detail: String,
    /// What would let the check run when it could not: `status_list` (the status list
    /// credential's file) or `did_document` (the did:web DID's `did.json`). Absent otherwise.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub needs: Option<&'static str>,
}

impl Check {
    fn needing(mut self, what: &'static str) -> Check {
        self.needs = Some(what);
        self
    }
}

fn passed(check: &'static str, detail: impl Into<String>) -> Check {
    Check { check, result: "passed", detail: detail.into(), needs: None }
}
fn failed(check: &'static str, detail: impl Into<String>) -> Check {
    Check { check, result: "failed", detail: detail.into(), needs: None }
}
fn not_checked(check: &'static str, detail: impl Into<String>) -> Check {
    Check { check, result: "not_checked", detail: detail.into(), needs: None }
}
fn not_applicable(check: &'static str, detail: impl Into<String>) -> Check {
    Check { check, result: "not_applicable", detail: detail.into(), needs: None }
}

/// The result of verifying a credential or a presentation. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Report {
    /// `credential` or `presentation`.
    pub kind: &'static str,
    /// `di` or `jwt`.
    pub format: &'static str,
    /// `eddsa-rdfc-2022`, `eddsa-jcs-2022` or `EdDSA`.
    pub proof_suite: String,
    /// Whether no check failed (here and in every credential of a presentation).
    pub valid: bool,
    /// Whether the issuer is one the person trusts (credentials only).
    pub trusted: bool,
    /// The credential's types, or the presentation's.
    pub types: Vec<String>,
    /// The credential's issuer.
    pub issuer: Option<String>,
    /// The presentation's holder.
    pub holder: Option<String>,
    /// The credential's subject id.
    pub subject: Option<String>,
    /// `validFrom`.
    pub valid_from: Option<String>,
    /// `validUntil`.
    pub valid_until: Option<String>,
    /// The checks, in order.
    pub checks: Vec<Check>,
    /// For a presentation: the report of each credential in it.
    pub credentials: Vec<Report>,
}

impl Report {
    /// The first failed check, if any (here, then in the credentials).
    pub fn first_failure(&self) -> Option<&Check> {
        self.checks
            .iter()
            .find(|c| c.result == "failed")
            .or_else(|| self.credentials.iter().find_map(|r| r.first_failure()))
    }
}

/// Verifies a credential or presentation, in any supported form.
///
/// `Err` means it could not be checked at all (malformed, unsupported proof type, unknown
/// context, no proof); a readable one that fails a check gives `Ok` with `valid: false`.
pub async fn verify(input: &Secured, options: &VerifyOptions) -> Result<Report, CredentialError> {
    match input {
        Secured::Json(doc) => {
            if has_type(doc, "VerifiablePresentation") {
                verify_presentation_json(doc, options).await
            } else {
                verify_credential_json(doc, options, true).await
            }
        }
        Secured::Jwt(jwt) => {
            let decoded = jose::decode(jwt)?;
            if decoded.is_presentation() {
                verify_presentation_jwt(decoded, options).await
            } else {
                verify_credential_jwt(decoded, options, true).await
            }
        }
    }
}

/// Verifies many credentials and presentations, spread over the machine's cores: each as
/// [`verify`] does, with the same options. The results come back in the order of `inputs`.
///
/// It blocks until all are checked (each worker thread runs its own small async runtime for the
/// network lookups), so call it outside an async runtime, or from `spawn_blocking`.
pub fn verify_all(inputs: &[Secured], options: &VerifyOptions) -> Vec<Result<Report, CredentialError>> {
    use std::sync::atomic::{AtomicUsize, Ordering};
    let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
    let workers = cores.min(inputs.len());
    let next = AtomicUsize::new(0);
    let mut results: Vec<Option<Result<Report, CredentialError>>> = inputs.iter().map(|_| None).collect();
    std::thread::scope(|scope| {
        let handles: Vec<_> = (0..workers)
            .map(|_| {
                scope.spawn(|| {
                    let runtime = tokio::runtime::Builder::new_current_thread().enable_all().build();
                    let mut done = Vec::new();
                    // Each worker takes the next input not yet taken, until none is left.
                    loop {
                        let i = next.fetch_add(1, Ordering::Relaxed);
                        let Some(input) = inputs.get(i) else { break };
                        let result = match &runtime {
                            Ok(runtime) => runtime.block_on(verify(input, options)),
                            Err(e) => Err(CredentialError::Verify(format!("cannot start a verification worker: {e}"))),
                        };
                        done.push((i, result));
                    }
                    done
                })
            })
            .collect();
        for handle in handles {
            let done = handle.join().unwrap_or_else(|panic| std::panic::resume_unwind(panic));
            for (i, result) in done {
                results[i] = Some(result);
            }
        }
    });
    results.into_iter().map(|r| r.expect("every input is taken by a worker")).collect()
}

/// The `type` values of a credential or presentation (a string or an array of strings).
pub fn types_of(doc: &Value) -> Vec<String> {
    match doc.get("type") {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|t| t.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

fn has_type(doc: &Value, t: &str) -> bool {
    types_of(doc).iter().any(|x| x == t)
}

fn id_of(v: Option<&Value>) -> Option<String> {
    v.and_then(|i| i.as_str().or_else(|| i.get("id").and_then(Value::as_str))).map(str::to_owned)
}

/// The subject ids of a credential (`credentialSubject` may be one object or several).
fn subjects_of(doc: &Value) -> Vec<String> {
    match doc.get("credentialSubject") {
        Some(Value::Array(a)) => a.iter().filter_map(|s| id_of(Some(s))).collect(),
        Some(s) => id_of(Some(s)).into_iter().collect(),
        None => Vec::new(),
    }
}

fn string_field(doc: &Value, name: &str) -> Option<String> {
    doc.get(name).and_then(Value::as_str).map(str::to_owned)
}

/// The VC 2.0 context first; after it only known contexts or inline ones.
fn check_contexts(doc: &Value) -> Result<(), CredentialError> {
    let contexts: Vec<&Value> = match doc.get("@context") {
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v @ Value::String(_)) => vec![v],
        _ => return Err(CredentialError::NotV2),
    };
    if contexts.first().and_then(|c| c.as_str()) != Some(VC_V2_CONTEXT) {
        return Err(CredentialError::NotV2);
    }
    for c in contexts {
        match c {
            Value::String(url) if !KNOWN_CONTEXTS.contains(&url.as_str()) => {
                return Err(CredentialError::UnknownContext(url.clone()))
            }
            Value::String(_) | Value::Object(_) => {}
            other => return Err(CredentialError::UnknownContext(other.to_string())),
        }
    }
    Ok(())
}

/// The Ed25519 key of `vm`: from a DID document at hand, else resolved (with the time limit).
async fn resolve_key(
    vm: &str,
    purpose: Purpose,
    options: &VerifyOptions,
) -> Result<ed25519_dalek::VerifyingKey, CredentialError> {
    let did = vm.split('#').next().unwrap_or_default();
    if let Some(doc) = options.documents.iter().find(|d| d.get("id").and_then(Value::as_str) == Some(did)) {
        return method::ed25519_from_document(doc, vm, purpose);
    }
    if !options.network && did.starts_with("did:web:") {
        return Err(CredentialError::Resolve {
            did: did.to_owned(),
            reason: "resolving did:web needs the network; give its DID document (did.json) to check it offline".into(),
        });
    }
    method::resolve_ed25519(vm, purpose, options.timeout).await
}

/// The failed issuer/holder check when the proof's key could not be found; offline did:web
/// lookups say that the DID document would let it run.
fn binding_failure(binding_name: &'static str, vm: &str, e: CredentialError, options: &VerifyOptions) -> Check {
    let check = failed(binding_name, e.to_string());
    if !options.network && vm.starts_with("did:web:") {
        check.needing("did_document")
    } else {
        check
    }
}

/// What the proof of a document says, once read.
struct ProofInfo {
    suite: String,
    /// (the proof check, the controller binding check)
    proof: Check,
    binding: Check,
    challenge: Option<String>,
    domains: Vec<String>,
}

/// Reads and checks the Data Integrity proof(s) of `doc`: supported type and cryptosuite, the
/// purpose, the verification method belongs to `controller`, the key resolves, the signature.
async fn di_proof(
    doc: &Value,
    purpose: Purpose,
    controller: Option<&str>,
    binding_name: &'static str,
    options: &VerifyOptions,
) -> Result<ProofInfo, CredentialError> {
    let proofs: Vec<&Value> = match doc.get("proof") {
        None | Some(Value::Null) => return Err(CredentialError::NoProof),
        Some(Value::Array(a)) if a.is_empty() => return Err(CredentialError::NoProof),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(p) => vec![p],
    };
    let mut suite = None;
    for p in &proofs {
        let t = p.get("type").and_then(Value::as_str).unwrap_or("(none)");
        if t != "DataIntegrityProof" {
            return Err(CredentialError::UnsupportedProof(format!("the proof type {t:?}")));
        }
        let cs = p.get("cryptosuite").and_then(Value::as_str).unwrap_or("(none)");
        let s = Suite::parse(cs).ok_or_else(|| CredentialError::UnsupportedProof(format!("the cryptosuite {cs:?}")))?;
        if suite.is_some_and(|x| x != s) {
            return Err(CredentialError::UnsupportedProof("a proof set mixing cryptosuites".into()));
        }
        suite = Some(s);
    }
    let suite = suite.ok_or(CredentialError::NoProof)?;
    if suite == Suite::EddsaJcs2022 && proofs.len() > 1 {
        return Err(CredentialError::UnsupportedProof("a set of several eddsa-jcs-2022 proofs".into()));
    }
    let mut info = ProofInfo {
        suite: suite.name().to_owned(),
        proof: passed("proof", "the signature matches"),
        binding: passed(binding_name, ""),
        challenge: proofs[0].get("challenge").and_then(Value::as_str).map(str::to_owned),
        domains: match proofs[0].get("domain") {
            Some(Value::String(d)) => vec![d.clone()],
            Some(Value::Array(a)) => a.iter().filter_map(|d| d.as_str().map(str::to_owned)).collect(),
            _ => Vec::new(),
        },
    };
    for p in &proofs {
        let vm = p.get("verificationMethod").and_then(Value::as_str).unwrap_or_default().to_owned();
        let claimed = p.get("proofPurpose").and_then(Value::as_str).unwrap_or("(none)");
        if claimed != purpose.as_str() {
            info.proof = failed(
                "proof",
                format!("the proof is for {claimed:?}, not {:?}: it was not made for this use", purpose.as_str()),
            );
            info.binding = not_checked(binding_name, "the proof failed");
            return Ok(info);
        }
        let did = vm.split('#').next().unwrap_or_default();
        match controller {
            None => {
                info.binding = failed(binding_name, format!("the document names no {binding_name}"));
                info.proof = not_checked("proof", format!("there is no {binding_name} to check the proof against"));
                return Ok(info);
            }
            Some(c) if c != did => {
                info.binding = failed(
                    binding_name,
                    format!("the proof was made with {vm}, a key that does not belong to the {binding_name} {c}"),
                );
                info.proof = not_checked("proof", format!("the proof is not the {binding_name}'s"));
                return Ok(info);
            }
            Some(_) => {}
        }
        let key = match resolve_key(&vm, purpose, options).await {
            Ok(k) => k,
            Err(e @ (CredentialError::UnsupportedKey(_) | CredentialError::InvalidVerificationMethod(_))) => {
                info.proof = failed("proof", e.to_string());
                info.binding = not_checked(binding_name, "the proof's key could not be read");
                return Ok(info);
            }
            Err(e) => {
                info.binding = binding_failure(binding_name, &vm, e, options);
                info.proof = not_checked("proof", format!("the {binding_name}'s key could not be found"));
                return Ok(info);
            }
        };
        let ok = match suite {
            Suite::EddsaJcs2022 => jcs::verify(doc, &key),
            Suite::EddsaRdfc2022 => {
                let kind =
                    if purpose == Purpose::Authentication { rdfc::Kind::Presentation } else { rdfc::Kind::Credential };
                rdfc::verify(doc, kind, p, &key).await
            }
        };
        match ok {
            Ok(true) => {}
            Ok(false) => {
                info.proof = failed(
                    "proof",
                    "the signature does not match: the document was changed after signing, or signed with another key",
                );
                return Ok(info);
            }
            Err(e) => {
                info.proof = failed("proof", e.to_string());
                return Ok(info);
            }
        }
        info.binding =
            passed(binding_name, format!("{did} resolves and lists the signing key for {}", purpose.as_str()));
    }
    Ok(info)
}

/// Validity period, status, schema and trust of a credential whose proof was checked.
async fn claim_checks(doc: &Value, issuer: Option<&str>, options: &VerifyOptions, check_status: bool) -> Vec<Check> {
    let mut checks = vec![validity_check(doc)];
    checks.push(if check_status {
        status_check(doc, issuer, options).await
    } else {
        not_applicable("status", "a status list is not itself revocable")
    });
    checks.push(match doc.get("credentialSchema") {
        None => not_applicable("schema", "the credential names no schema"),
        Some(_) => match schema::validate(doc) {
            Ok(checked) if checked.is_empty() => {
                not_checked("schema", "its schema is not one of Hallmark's, so it was not checked")
            }
            Ok(checked) => passed("schema", format!("matches {}", checked.join(", "))),
            Err(e) => failed("schema", e.to_string()),
        },
    });
    checks.push(match issuer.and_then(|i| options.trusted.iter().find(|(d, _)| d == i)) {
        Some((_, why)) => passed("trust", format!("the issuer is trusted: {why}")),
        None => not_checked("trust", "the issuer is not in your trust list or your communities"),
    });
    checks
}

fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

fn validity_check(doc: &Value) -> Check {
    let now = time::OffsetDateTime::now_utc();
    for (field, is_start) in [("validFrom", true), ("validUntil", false)] {
        let Some(v) = doc.get(field) else { continue };
        let Some(t) = v.as_str().and_then(parse_time) else {
            return failed("validity", format!("{field} is not a date-time: {v}"));
        };
        if is_start && now < t {
            return failed("validity", format!("not valid yet: valid from {}", v.as_str().unwrap_or_default()));
        }
        if !is_start && now > t {
            return failed("validity", format!("expired on {}", v.as_str().unwrap_or_default()));
        }
    }
    match string_field(doc, "validUntil") {
        Some(until) => passed("validity", format!("valid until {until}")),
        None => passed("validity", "valid, with no expiry date"),
    }
}

async fn status_check(doc: &Value, issuer: Option<&str>, options: &VerifyOptions) -> Check {
    let entry = match status::parse_entry(doc) {
        Ok(None) => return not_applicable("status", "the credential has no status list: its issuer cannot revoke it"),
        Ok(Some(e)) => e,
        Err(e) => return failed("status", e.to_string()),
    };
    let list = match find_status_list(&entry.list_url, options).await {
        Ok(l) => l,
        Err(why) => return failed("status", why).needing("status_list"),
    };
    // The list itself must be a valid credential of the same issuer.
    let report = match Box::pin(verify_list(&list, options)).await {
        Ok(r) => r,
        Err(e) => return failed("status", format!("the status list {} cannot be checked: {e}", entry.list_url)),
    };
    if !report.valid {
        let why = report.first_failure().map(|c| c.detail.clone()).unwrap_or_default();
        return failed("status", format!("the status list {} is not valid: {why}", entry.list_url));
    }
    if report.issuer.as_deref() != issuer {
        return failed(
            "status",
            format!(
                "the status list {} is signed by {}, not by the credential's issuer",
                entry.list_url,
                report.issuer.unwrap_or_default()
            ),
        );
    }
    match status::is_set(&entry, &list) {
        Ok(true) => {
            failed("status", format!("revoked by its issuer (status list {}, index {})", entry.list_url, entry.index))
        }
        Ok(false) => passed("status", format!("not revoked (status list {}, index {})", entry.list_url, entry.index)),
        Err(e) => failed("status", e.to_string()),
    }
}

async fn verify_list(list: &Value, options: &VerifyOptions) -> Result<Report, CredentialError> {
    verify_credential_json(list, options, false).await
}

/// A status list credential: the newest at hand with this id ([`status::freshness`]: an older
/// copy must not hide a revocation), else fetched from its http(s) URL. Kept copies
/// ([`VerifyOptions::kept_lists`]) never stand in for a list that can be fetched fresh.
async fn find_status_list(url: &str, options: &VerifyOptions) -> Result<Value, String> {
    let fetchable = url.starts_with("https://") || url.starts_with("http://");
    let online = fetchable && options.network;
    let matching = |lists: &[Value]| -> Vec<Value> {
        lists.iter().filter(|l| l.get("id").and_then(Value::as_str) == Some(url)).cloned().collect()
    };
    let mut candidates = matching(&options.status_lists);
    if !candidates.is_empty() || !online {
        candidates.extend(matching(&options.kept_lists));
    }
    if let Some(l) =
        candidates.into_iter().reduce(|a, b| if status::freshness(&b) > status::freshness(&a) { b } else { a })
    {
        return Ok(l);
    }
    if !online {
        return Err(format!("the status list {url} is not at hand; give its file to check it offline"));
    }
    fetch_status_list(url, options.timeout)
        .await
        .map_err(|e| format!("could not read the status list {url}: {e}; give its file to check it offline"))
}

async fn fetch_status_list(url: &str, timeout: Duration) -> Result<Value, String> {
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout)
        .redirect(reqwest::redirect::Policy::limited(3))
        .build()
        .map_err(|e| e.to_string())?;
    let mut response = client.get(url).send().await.map_err(|e| {
        if e.is_timeout() {
            format!("no answer within {} s", timeout.as_secs())
        } else {
            e.to_string()
        }
    })?;
    if !response.status().is_success() {
        return Err(format!("the server answered {}", response.status()));
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(|e| e.to_string())? {
        body.extend_from_slice(&chunk);
        if body.len() > MAX_STATUS_LIST_BYTES {
            return Err(format!("it is larger than {MAX_STATUS_LIST_BYTES} bytes"));
        }
    }
    serde_json::from_slice(&body).map_err(|e| format!("it is not JSON ({e})"))
}

fn credential_report(doc: &Value, format: &'static str, suite: String, checks: Vec<Check>) -> Report {
    let valid = !checks.iter().any(|c| c.result == "failed");
    let trusted = checks.iter().any(|c| c.check == "trust" && c.result == "passed");
    let subjects = subjects_of(doc);
    Report {
        kind: "credential",
        format,
        proof_suite: suite,
        valid,
        trusted,
        types: types_of(doc),
        issuer: id_of(doc.get("issuer")),
        holder: None,
        subject: subjects.into_iter().next(),
        valid_from: string_field(doc, "validFrom"),
        valid_until: string_field(doc, "validUntil"),
        checks,
        credentials: Vec::new(),
    }
}

/// Order of a credential report: proof, issuer, then the claim checks — each marked not checked
/// when the proof or issuer failed (nothing the document says can be believed then).
fn assemble(proof: Check, binding: Check, claims: Vec<Check>) -> Vec<Check> {
    let trustworthy = proof.result == "passed" && binding.result == "passed";
    let mut checks = vec![proof, binding];
    for c in claims {
        if trustworthy || c.check == "trust" {
            checks.push(c);
        } else {
            checks.push(not_checked(c.check, "the proof or the issuer failed"));
        }
    }
    checks
}

async fn verify_credential_json(
    doc: &Value,
    options: &VerifyOptions,
    check_status: bool,
) -> Result<Report, CredentialError> {
    check_contexts(doc)?;
    if !has_type(doc, "VerifiableCredential") {
        return Err(CredentialError::InvalidCredential("its type does not include VerifiableCredential".into()));
    }
    let issuer = id_of(doc.get("issuer"));
    let info = di_proof(doc, Purpose::Assertion, issuer.as_deref(), "issuer", options).await?;
    let claims = claim_checks(doc, issuer.as_deref(), options, check_status).await;
    Ok(credential_report(doc, "di", info.suite, assemble(info.proof, info.binding, claims)))
}

/// Checks a JWT's signature with the key its `kid` names, for `purpose`, owned by `controller`.
async fn jwt_proof(
    jwt: &jose::DecodedJwt,
    purpose: Purpose,
    controller: Option<&str>,
    binding_name: &'static str,
    options: &VerifyOptions,
) -> (Check, Check) {
    let did = jwt.kid.split('#').next().unwrap_or_default();
    match controller {
        None => {
            return (
                not_checked("proof", format!("there is no {binding_name} to check the proof against")),
                failed(binding_name, format!("the document names no {binding_name}")),
            )
        }
        Some(c) if c != did => {
            return (
                not_checked("proof", format!("the proof is not the {binding_name}'s")),
                failed(
                    binding_name,
                    format!(
                        "the JWT was signed with {}, a key that does not belong to the {binding_name} {c}",
                        jwt.kid
                    ),
                ),
            )
        }
        Some(_) => {}
    }
    let key = match resolve_key(&jwt.kid, purpose, options).await {
        Ok(k) => k,
        Err(e @ (CredentialError::UnsupportedKey(_) | CredentialError::InvalidVerificationMethod(_))) => {
            return (failed("proof", e.to_string()), not_checked(binding_name, "the proof's key could not be read"))
        }
        Err(e) => {
            return (
                not_checked("proof", format!("the {binding_name}'s key could not be found")),
                binding_failure(binding_name, &jwt.kid, e, options),
            )
        }
    };
    if !jwt.verify_signature(&key) {
        return (
            failed(
                "proof",
                "the signature does not match: the JWT was changed after signing, or signed with another key",
            ),
            not_checked(binding_name, "the proof failed"),
        );
    }
    (
        passed("proof", "the signature matches"),
        passed(binding_name, format!("{did} resolves and lists the signing key for {}", purpose.as_str())),
    )
}

async fn verify_credential_jwt(
    jwt: jose::DecodedJwt,
    options: &VerifyOptions,
    check_status: bool,
) -> Result<Report, CredentialError> {
    let doc = jwt.payload.clone();
    check_contexts(&doc)?;
    if !has_type(&doc, "VerifiableCredential") {
        return Err(CredentialError::MalformedJwt("its payload is not a verifiable credential".into()));
    }
    let issuer = id_of(doc.get("issuer"));
    let (proof, binding) = jwt_proof(&jwt, Purpose::Assertion, issuer.as_deref(), "issuer", options).await;
    let claims = claim_checks(&doc, issuer.as_deref(), options, check_status).await;
    Ok(credential_report(&doc, "jwt", "EdDSA".into(), assemble(proof, binding, claims)))
}

/// The challenge and domain checks of a presentation.
fn binding_checks(challenge: Option<&str>, domains: &[String], options: &VerifyOptions) -> Vec<Check> {
    let c = match (&options.challenge, challenge) {
        (Some(want), Some(got)) if want == got => passed("challenge", format!("made for the challenge {want:?}")),
        (Some(want), Some(got)) => failed(
            "challenge",
            format!("made for the challenge {got:?}, not {want:?}: it is an old presentation replayed, or meant for someone else"),
        ),
        (Some(want), None) => failed("challenge", format!("it carries no challenge, so it may be replayed (expected {want:?})")),
        (None, Some(got)) => not_checked(
            "challenge",
            format!("made for the challenge {got:?}; no challenge was given to compare, so a replay cannot be ruled out"),
        ),
        (None, None) => not_checked("challenge", "it carries no challenge and none was given; a replay cannot be ruled out"),
    };
    let d = match (&options.domain, domains.is_empty()) {
        (Some(want), false) if domains.iter().any(|d| d == want) => passed("domain", format!("made for {want}")),
        (Some(want), false) => failed("domain", format!("made for {}, not {want}", domains.join(", "))),
        (Some(want), true) => failed("domain", format!("it names no domain (expected {want})")),
        (None, false) => {
            not_checked("domain", format!("made for {}; no domain was given to compare", domains.join(", ")))
        }
        (None, true) => not_checked("domain", "it names no domain and none was given"),
    };
    vec![c, d]
}

/// The credentials of a presentation, each verified, and the check that the holder is their subject.
async fn presented_credentials(
    vp: &Value,
    holder: Option<&str>,
    options: &VerifyOptions,
) -> Result<(Vec<Check>, Vec<Report>), CredentialError> {
    let items: Vec<&Value> = match vp.get("verifiableCredential") {
        None | Some(Value::Null) => Vec::new(),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(v) => vec![v],
    };
    let inner = VerifyOptions { challenge: None, domain: None, ..options.clone() };
    let mut reports = Vec::new();
    for item in items {
        let report = match jose::unenvelope(item) {
            Some(jwt) => verify_credential_jwt(jose::decode(jwt)?, &inner, true).await?,
            None if item.get("type").and_then(Value::as_str) == Some("EnvelopedVerifiableCredential") => {
                return Err(CredentialError::UnsupportedProof(
                    "an enveloped credential that is not a data:application/vc+jwt URL".into(),
                ))
            }
            None => Box::pin(verify_credential_json(item, &inner, true)).await?,
        };
        reports.push(report);
    }
    let mut checks = Vec::new();
    if reports.is_empty() {
        checks.push(not_applicable("subject", "the presentation holds no credential"));
        checks.push(not_applicable("credentials", "the presentation holds no credential"));
        return Ok((checks, reports));
    }
    let strangers: Vec<String> = reports
        .iter()
        .filter(|r| r.subject.is_none() || r.subject.as_deref() != holder)
        .map(|r| {
            format!(
                "{} (about {})",
                r.types.last().cloned().unwrap_or_default(),
                r.subject.clone().unwrap_or("nobody".into())
            )
        })
        .collect();
    checks.push(if strangers.is_empty() {
        passed("subject", "the holder is the subject of every credential")
    } else {
        failed("subject", format!("the holder is not the subject of: {}", strangers.join(", ")))
    });
    let bad: Vec<String> = reports
        .iter()
        .filter(|r| !r.valid)
        .map(|r| {
            format!(
                "{} from {}: {}",
                r.types.last().cloned().unwrap_or_default(),
                r.issuer.clone().unwrap_or_default(),
                r.first_failure().map(|c| c.detail.clone()).unwrap_or_default()
            )
        })
        .collect();
    checks.push(if bad.is_empty() {
        passed("credentials", format!("all {} credential(s) verified", reports.len()))
    } else {
        failed("credentials", format!("not valid: {}", bad.join("; ")))
    });
    Ok((checks, reports))
}

fn presentation_report(
    vp: &Value,
    format: &'static str,
    suite: String,
    checks: Vec<Check>,
    credentials: Vec<Report>,
) -> Report {
    let valid = !checks.iter().any(|c| c.result == "failed") && credentials.iter().all(|r| r.valid);
    Report {
        kind: "presentation",
        format,
        proof_suite: suite,
        valid,
        trusted: false,
        types: types_of(vp),
        issuer: None,
        holder: id_of(vp.get("holder")),
        subject: None,
        valid_from: string_field(vp, "validFrom"),
        valid_until: string_field(vp, "validUntil"),
        checks,
        credentials,
    }
}

async fn verify_presentation_json(vp: &Value, options: &VerifyOptions) -> Result<Report, CredentialError> {
    check_contexts(vp)?;
    let holder = id_of(vp.get("holder"));
    let info = di_proof(vp, Purpose::Authentication, holder.as_deref(), "holder", options).await?;
    let mut checks = vec![info.proof, info.binding];
    checks.extend(binding_checks(info.challenge.as_deref(), &info.domains, options));
    let (more, credentials) = presented_credentials(vp, holder.as_deref(), options).await?;
    checks.extend(more);
    Ok(presentation_report(vp, "di", info.suite, checks, credentials))
}

async fn verify_presentation_jwt(jwt: jose::DecodedJwt, options: &VerifyOptions) -> Result<Report, CredentialError> {
    let vp = jwt.payload.clone();
    check_contexts(&vp)?;
    if !has_type(&vp, "VerifiablePresentation") {
        return Err(CredentialError::MalformedJwt("its payload is not a verifiable presentation".into()));
    }
    let holder = id_of(vp.get("holder"));
    let (proof, binding) = jwt_proof(&jwt, Purpose::Authentication, holder.as_deref(), "holder", options).await;
    let mut checks = vec![proof, binding];
    let nonce = string_field(&vp, "nonce");
    let aud: Vec<String> = match vp.get("aud") {
        Some(Value::String(a)) => vec![a.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|x| x.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    };
    checks.extend(binding_checks(nonce.as_deref(), &aud, options));
    let (more, credentials) = presented_credentials(&vp, holder.as_deref(), options).await?;
    checks.extend(more);
    Ok(presentation_report(&vp, "jwt", "EdDSA".into(), checks, credentials))
}
