//! Signing one file: build the C2PA manifest and embed it (or return it as a `.c2pa` sidecar).
//!
//! What goes into the manifest:
//!
//! * `c2pa.actions` — a new creation gets `c2pa.created` with a `digitalSourceType`
//!   (`digitalCapture`, or `trainedAlgorithmicMedia` when AI-generated), plus the chosen action if
//!   any. An edit (a `parent` was given, or the input already carried a manifest) starts with
//!   `c2pa.opened` pointing at the parent ingredient, followed by the edit action (`c2pa.edited`
//!   unless chosen; with `compositeWithTrainedAlgorithmicMedia` when AI was involved). Re-signing
//!   an already-signed file without a parent and without an action records only `c2pa.opened`:
//!   nothing is claimed that did not happen.
//! * `cawg.training-mining` — the CAWG training and data mining assertion (C2PA 2.x moved it from
//!   `c2pa.training-mining` to CAWG): `cawg.ai_generative_training`, `cawg.ai_inference`,
//!   `cawg.ai_training`, `cawg.data_mining`, each `notAllowed` unless `allow_training`.
//! * `cawg.metadata` — Dublin Core `dc:creator` (the signer's DID) and `dc:title`: the CAWG
//!   metadata assertion, which c2pa 0.90 validates (the schema.org CreativeWork assertion is
//!   deprecated in C2PA 2.x).
//! * the claim thumbnail the caller gives (c2pa does not decode images here).
//! * ingredients — the signed parent as `parentOf`; a manifest the input already had is kept as
//!   the `parentOf` ingredient when no parent is given, else as `componentOf` (with `c2pa.placed`).
//! * `cawg.identity` — a CAWG identity assertion (below), in every manifest.
//! * `org.hallmark.humanity` ([`HUMANITY_LABEL`]) — the humanity credential, when one is given.
//!
//! # The DID and the humanity credential: what is bound, and how
//!
//! **CAWG identity assertion.** c2pa 0.90.22 implements the CAWG identity assertion 1.1 for two
//! credential types: `cawg.x509.cose` (an X.509 certificate signs the assertion with COSE) and
//! `cawg.identity_claims_aggregation` (a verifiable credential issued *by an identity
//! aggregator* over this very assertion's signer payload — something only such a service can
//! issue, so Hallmark cannot produce it). Hallmark uses the first, fully synchronously (no async
//! runtime): c2pa's `IdentityAssertionSigner` wraps the claim signer, and an
//! `X509CredentialHolder` signs the identity assertion with the *same* identity key and the same
//! wallet-issued certificate whose subject alternative name is the DID
//! ([`super::cert`]). Each identity assertion states:
//!
//! * the named actor: the DID, as the certificate's SAN URI, with the certificate chain to the
//!   wallet CA inside the COSE signature;
//! * the actor's role: `cawg.creator` for a new creation, `cawg.editor` for an edit,
//!   `cawg.publisher` for `c2pa.published`, none for a bare re-signing;
//! * `referenced_assertions`, the hashed assertions the actor signs over: the hard binding (the
//!   content itself; c2pa always adds it), `c2pa.actions`, the ingredients, the thumbnail,
//!   `cawg.training-mining`, `cawg.metadata` and the humanity assertion, those present.
//!
//! Readers (c2pa-rs, c2pa-python) validate it: signature, padding, and that each referenced
//! assertion is in the claim with the same hash; the certificate is checked against the CAWG
//! trust anchors, which [`super::read`] sets to the same anchors as the claim's. Without the
//! wallet CA among them it reports `signingCredential.untrusted` (c2pa-rs 0.90) or
//! `cawg.x509.credential.untrusted` (newer c2pa, e.g. c2pa-python 0.38) — the manifest stays
//! valid, as for the claim's own self-issued certificate.
//!
//! *What this adds, honestly:* the claim is already signed by the same key and certificate, so
//! the identity assertion proves nothing new cryptographically; it states the DID in the
//! standard CAWG form that identity-aware tools display, with a role, over an explicit list of
//! assertions. *Not covered:* identity claims aggregation (social accounts, verified web sites,
//! documents), DID-document resolution (the DID is bound by the wallet CA's certificate, not by
//! resolving the DID), time stamps, and identity assertions by anyone other than the signer.
//!
//! **Humanity credential.** CAWG has no assertion for carrying a verifiable credential the actor
//! holds: an identity-claims-aggregation credential must be issued over the signer payload by the
//! aggregator, so a humanity credential issued earlier cannot be one, and `cawg.metadata` admits
//! only metadata vocabularies. Hallmark therefore embeds it in its own assertion,
//! `org.hallmark.humanity`: CBOR `{ "credential": "<the VC's JSON text, verbatim>" }`, checked
//! only for shape when signing (a JSON object of type `VerifiableCredential` with `issuer` and
//! `credentialSubject`). It is covered by the claim signature and listed in the identity
//! assertion's `referenced_assertions`, so the DID vouches that it presents this credential with
//! this content. *Not covered here:* the credential's proof, issuer trust, expiry and status (the
//! wallet's VC verifier checks those from the raw JSON the report returns), and whether the
//! credential's subject is the signer — the report states it (`subject_is_signer`); a credential
//! about another DID says nothing about the signer. Other C2PA tools show it as an unknown
//! assertion.

use std::io::Cursor;
use std::path::{Path, PathBuf};

use c2pa::identity::builder::{CredentialHolder, IdentityAssertionBuilder, IdentityAssertionSigner};
use c2pa::identity::x509::X509CredentialHolder;
use serde_json::json;

use super::{mime_from_path, supported_mime, ManifestError, MediaSigner};

/// The C2PA actions a person can choose for an edit (C2PA 2.x standard actions, without the
/// inception actions `c2pa.created` / `c2pa.opened`, which Hallmark adds itself).
pub const EDIT_ACTIONS: &[&str] = &[
    "c2pa.edited",
    "c2pa.edited.metadata",
    "c2pa.color_adjustments",
    "c2pa.cropped",
    "c2pa.resized",
    "c2pa.orientation",
    "c2pa.filtered",
    "c2pa.drawing",
    "c2pa.enhanced",
    "c2pa.converted",
    "c2pa.transcoded",
    "c2pa.repackaged",
    "c2pa.removed",
    "c2pa.redacted",
    "c2pa.placed",
    "c2pa.translated",
    "c2pa.dubbed",
    "c2pa.trimmed",
    "c2pa.watermarked",
    "c2pa.published",
    "c2pa.unknown",
];

/// The label of Hallmark's assertion carrying a humanity credential: CBOR `{ "credential":
/// "<the verifiable credential's JSON text>" }`. Not a C2PA or CAWG standard assertion; other
/// validators show it as an unknown (custom) assertion and ignore it.
pub const HUMANITY_LABEL: &str = "org.hallmark.humanity";

/// The assertions the CAWG identity assertion signs over, by label (those present in the claim;
/// c2pa always adds the hard binding). The `__n` forms are further instances (two ingredients).
const IDENTITY_REFERENCES: &[&str] = &[
    "c2pa.actions",
    "c2pa.actions.v2",
    "c2pa.ingredient",
    "c2pa.ingredient.v2",
    "c2pa.ingredient.v3",
    "c2pa.ingredient__1",
    "c2pa.ingredient.v2__1",
    "c2pa.ingredient.v3__1",
    "c2pa.ingredient__2",
    "c2pa.ingredient.v2__2",
    "c2pa.ingredient.v3__2",
    "c2pa.thumbnail.claim",
    "c2pa.thumbnail.claim.jpeg",
    "c2pa.thumbnail.claim.png",
    "c2pa.thumbnail.claim.webp",
    "c2pa.thumbnail.claim.gif",
    "cawg.training-mining",
    "cawg.metadata",
    HUMANITY_LABEL,
];

/// Room for the identity assertion beyond the certificate chain: the COSE structure and
/// signature, and the signer payload (one hashed reference per assertion above, ~100 bytes each).
const IDENTITY_ROOM: usize = 4096;

const DST: &str = "http://cv.iptc.org/newscodes/digitalsourcetype/";
const PARENT_ID: &str = "hallmark-parent";
const PREVIOUS_ID: &str = "hallmark-previous";

/// Checks an action name: one of [`EDIT_ACTIONS`], with or without the `c2pa.` prefix
/// (`cropped` = `c2pa.cropped`). Returns the full name.
pub fn validate_action(name: &str) -> Result<&'static str, ManifestError> {
    let n = name.trim();
    let full = if n.starts_with("c2pa.") { n.to_string() } else { format!("c2pa.{n}") };
    EDIT_ACTIONS.iter().copied().find(|a| *a == full).ok_or_else(|| ManifestError::UnknownAction(name.to_string()))
}

/// A thumbnail for the manifest, made by the caller (Hallmark's fingerprinting decodes each
/// image once and makes it there).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Thumbnail {
    /// Its media type: image/jpeg, image/png, image/webp or image/gif.
    pub format: String,
    /// The encoded image.
    pub bytes: Vec<u8>,
}

/// What to state in the manifest, and how to store it.
#[derive(Debug, Clone, Default)]
pub struct SignOptions {
    /// The title; default: the file name (`sign_file`) or none (`sign_bytes`).
    pub title: Option<String>,
    /// The content was generated by AI (`trainedAlgorithmicMedia`; for an edit,
    /// `compositeWithTrainedAlgorithmicMedia`).
    pub ai_generated: bool,
    /// Allow AI training, inference and data mining (default: all four not allowed).
    pub allow_training: bool,
    /// The signed file this one was made from (recorded as the `parentOf` ingredient).
    pub parent: Option<PathBuf>,
    /// The edit action (see [`EDIT_ACTIONS`]); default `c2pa.edited` when there is a parent.
    pub action: Option<String>,
    /// A thumbnail to embed in the manifest.
    pub thumbnail: Option<Thumbnail>,
    /// Return the manifest store for a `.c2pa` sidecar instead of embedding it.
    pub sidecar: bool,
    /// A humanity (proof-of-personhood) credential the wallet holds: the verifiable credential's
    /// JSON text, exactly as stored. Embedded verbatim in the [`HUMANITY_LABEL`] assertion, which
    /// the claim signature and the CAWG identity assertion both cover (see the module
    /// documentation for what that does and does not prove).
    pub humanity_credential: Option<String>,
}

/// The result of [`sign_bytes`].
#[derive(Debug, Clone)]
pub struct Signed {
    /// The signed file, or the manifest store (`.c2pa`) in sidecar mode.
    pub bytes: Vec<u8>,
    /// The media type of the signed content.
    pub format: &'static str,
    /// Sidecar mode: `bytes` is a manifest store.
    pub sidecar: bool,
    /// The input already carried a manifest, now kept as an ingredient.
    pub kept_previous_manifest: bool,
    /// The new (active) manifest's label, `urn:c2pa:<uuid>`.
    pub label: String,
}

/// The result of [`sign_file`].
#[derive(Debug, Clone, serde::Serialize)]
pub struct SignedFile {
    /// The file written (the signed copy, or the `.c2pa` sidecar).
    pub output: PathBuf,
    /// The media type of the signed content.
    pub format: &'static str,
    /// A sidecar was written; the content file is the untouched original.
    pub sidecar: bool,
    /// Bytes written.
    pub size: u64,
    /// The input already carried a manifest, now kept as an ingredient.
    pub kept_previous_manifest: bool,
    /// The new (active) manifest's label, `urn:c2pa:<uuid>`.
    pub label: String,
}

/// The content of the [`HUMANITY_LABEL`] assertion.
#[derive(serde::Serialize)]
struct HumanityAssertion<'a> {
    /// The verifiable credential's JSON text, verbatim (a proof over it stays checkable).
    credential: &'a str,
}

/// Checks that `text` is a verifiable credential's JSON (an object whose `type` includes
/// `VerifiableCredential`, with an `issuer` and a `credentialSubject`). The proof is not checked
/// here: that is the wallet's VC verifier's job.
fn check_humanity_credential(text: &str) -> Result<(), ManifestError> {
    let bad = |why: &str| ManifestError::BadHumanityCredential(why.to_string());
    let v: serde_json::Value = serde_json::from_str(text).map_err(|e| bad(&format!("not JSON: {e}")))?;
    let obj = v.as_object().ok_or_else(|| bad("not a JSON object"))?;
    let is_vc = match obj.get("type") {
        Some(serde_json::Value::String(t)) => t == "VerifiableCredential",
        Some(serde_json::Value::Array(ts)) => ts.iter().any(|t| t == "VerifiableCredential"),
        _ => false,
    };
    if !is_vc {
        return Err(bad("its type does not include VerifiableCredential"));
    }
    if !obj.contains_key("issuer") || !obj.contains_key("credentialSubject") {
        return Err(bad("it has no issuer or no credentialSubject"));
    }
    Ok(())
}

/// The claim signer with one CAWG identity assertion signed by `holder` (Hallmark: the
/// identity's own X.509 certificate, DID in the subject alternative name, `sig_type`
/// `cawg.x509.cose`), naming the actor with `roles`.
fn identity_signer<H>(signer: &MediaSigner, holder: H, roles: &[&str]) -> IdentityAssertionSigner
where
    H: CredentialHolder + Send + Sync + 'static,
{
    let mut claim_signer = IdentityAssertionSigner::new(signer.raw_signer(1024));
    let mut identity = IdentityAssertionBuilder::for_credential_holder(holder);
    identity.add_referenced_assertions(IDENTITY_REFERENCES);
    identity.add_roles(roles);
    claim_signer.add_identity_assertion(identity);
    claim_signer
}

/// Does `bytes` start like a `mime` file? (Format identification only; the c2pa parser does the rest.)
fn looks_like(mime: &str, bytes: &[u8]) -> bool {
    let at = |off: usize, magic: &[u8]| bytes.get(off..off + magic.len()) == Some(magic);
    match mime {
        "image/jpeg" => at(0, &[0xff, 0xd8, 0xff]),
        "image/png" => at(0, b"\x89PNG\r\n\x1a\n"),
        "image/gif" => at(0, b"GIF87a") || at(0, b"GIF89a"),
        "image/webp" => at(0, b"RIFF") && at(8, b"WEBP"),
        "audio/wav" => at(0, b"RIFF") && at(8, b"WAVE"),
        "image/tiff" | "image/x-adobe-dng" => at(0, b"II*\0") || at(0, b"MM\0*"),
        "image/heic" | "image/heif" | "image/avif" | "video/mp4" | "audio/mp4" => at(4, b"ftyp"),
        "video/quicktime" => [&b"ftyp"[..], b"moov", b"wide", b"free", b"mdat", b"skip"].iter().any(|m| at(4, m)),
        "audio/mpeg" => at(0, b"ID3") || (bytes.len() > 1 && bytes[0] == 0xff && bytes[1] & 0xe0 == 0xe0),
        "audio/flac" => at(0, b"fLaC"),
        "application/pdf" => bytes.windows(5).take(1024).any(|w| w == b"%PDF-"),
        _ => true,
    }
}

/// Is a `mime` file visibly cut short? Cheap structural checks that c2pa's parsers do not make:
/// JPEG's EOI, PNG's IEND, GIF's trailer, the box sizes of ISO BMFF, the RIFF size, the first
/// audio frame of MP3 and FLAC.
fn truncated(mime: &str, bytes: &[u8]) -> bool {
    match mime {
        // Searched from the end, where the marker of a whole file is: the answer is the same
        // as searching from the start, without reading the whole picture first.
        "image/jpeg" => !bytes.windows(2).rev().any(|w| w == [0xff, 0xd9]),
        "image/png" => !bytes.windows(4).any(|w| w == b"IEND"),
        "image/gif" => bytes.last() != Some(&0x3b),
        "image/heic" | "image/heif" | "image/avif" | "video/mp4" | "audio/mp4" | "video/quicktime" => {
            !bmff_boxes_complete(bytes)
        }
        "audio/mpeg" => !mp3_has_frame(bytes),
        "audio/flac" => !flac_has_frame(bytes),
        // RIFF (WAV, WebP): the file must hold the size its header declares.
        "audio/wav" | "image/webp" => {
            bytes.len() < 8 || (u32::from_le_bytes([bytes[4], bytes[5], bytes[6], bytes[7]]) as usize) + 8 > bytes.len()
        }
        _ => false,
    }
}

/// Do the top-level boxes of an ISO BMFF file (MP4, MOV, HEIC, AVIF, M4A) end exactly at the end
/// of the file? A cut file ends inside a box.
fn bmff_boxes_complete(bytes: &[u8]) -> bool {
    let mut pos = 0usize;
    while pos < bytes.len() {
        let Some(head) = bytes.get(pos..pos + 8) else { return false };
        let size = u32::from_be_bytes([head[0], head[1], head[2], head[3]]) as u64;
        let size = match size {
            0 => return true, // the last box extends to the end of the file
            1 => match bytes.get(pos + 8..pos + 16) {
                Some(l) => u64::from_be_bytes(l.try_into().unwrap_or_default()),
                None => return false,
            },
            s => s,
        };
        if size < 8 {
            return false;
        }
        pos = match usize::try_from(size).ok().and_then(|s| pos.checked_add(s)) {
            Some(p) => p,
            None => return false,
        };
    }
    pos == bytes.len()
}

/// Does an MP3 hold its whole ID3v2 tag (if any) followed by an MPEG audio frame header?
fn mp3_has_frame(bytes: &[u8]) -> bool {
    let mut pos = 0usize;
    if bytes.starts_with(b"ID3") {
        let Some(h) = bytes.get(..10) else { return false };
        // Tag size: four 7-bit "syncsafe" bytes; a footer (flag 0x10) adds 10 bytes.
        let size = h[6..10].iter().fold(0usize, |acc, b| (acc << 7) | usize::from(b & 0x7f));
        pos = 10 + size + if h[5] & 0x10 != 0 { 10 } else { 0 };
    }
    matches!(bytes.get(pos..pos + 4), Some(f) if f[0] == 0xff && f[1] & 0xe0 == 0xe0)
}

/// Does a FLAC file hold all its metadata blocks followed by a frame header?
fn flac_has_frame(bytes: &[u8]) -> bool {
    let mut pos = 4usize; // "fLaC"
    loop {
        let Some(h) = bytes.get(pos..pos + 4) else { return false };
        let len = (usize::from(h[1]) << 16) | (usize::from(h[2]) << 8) | usize::from(h[3]);
        pos += 4 + len;
        if h[0] & 0x80 != 0 {
            break;
        }
    }
    matches!(bytes.get(pos..pos + 2), Some(f) if f[0] == 0xff && f[1] & 0xfe == 0xf8)
}

/// A c2pa error while reading the input as `format`: the file's fault (damaged, truncated) or ours.
pub(crate) fn from_c2pa(e: c2pa::Error, path: &str, format: &str) -> ManifestError {
    use c2pa::Error as E;
    let corrupt =
        |reason: String| ManifestError::Corrupt { path: path.to_string(), format: format.to_string(), reason };
    match e {
        E::UnsupportedType => ManifestError::UnsupportedFormat { what: format.to_string() },
        E::UnsupportedThumbnailFormat(f) => ManifestError::BadThumbnail(f),
        E::IoError(io) if io.kind() == std::io::ErrorKind::UnexpectedEof => corrupt("it ends too early".into()),
        E::InvalidAsset(_)
        | E::JpegError(_)
        | E::PngError(_)
        | E::GifError(_)
        | E::TiffError(_)
        | E::RiffError(_)
        | E::BmffError(_)
        | E::FlacError(_)
        | E::PdfError(_)
        | E::PdfReadError
        | E::ZipError(_)
        | E::SvgError(_)
        | E::XmpReadError(_)
        | E::IoError(_) => corrupt(e.to_string()),
        other => {
            // MP3 parse errors have no public type to match on.
            let text = other.to_string();
            if text.starts_with("error parsing") {
                corrupt(text)
            } else {
                ManifestError::Signing(text)
            }
        }
    }
}

/// Does `bytes` (a `mime` file) already carry a C2PA manifest?
fn has_manifest(bytes: &[u8], mime: &str, path: &str) -> Result<bool, ManifestError> {
    match c2pa::jumbf_io::load_jumbf_from_stream(mime, &mut Cursor::new(bytes)) {
        Ok(j) => Ok(!j.is_empty()),
        Err(c2pa::Error::JumbfNotFound | c2pa::Error::JumbfBoxNotFound | c2pa::Error::ProvenanceMissing) => Ok(false),
        Err(e) => Err(from_c2pa(e, path, mime)),
    }
}

/// Signs `input` (a file of media type or extension `format`) as `signer`: the signed file, or
/// the manifest store for a `.c2pa` sidecar when `options.sidecar`. Nothing is written.
pub fn sign_bytes(
    signer: &MediaSigner,
    input: &[u8],
    format: &str,
    options: &SignOptions,
) -> Result<Signed, ManifestError> {
    sign_inner(signer, input, format, "input", options)
}

/// Like [`sign_bytes`], naming the input `name` (e.g. its path) in error messages. The title is
/// not defaulted: set `options.title` to the file name when wanted.
pub fn sign_named_bytes(
    signer: &MediaSigner,
    input: &[u8],
    name: &str,
    format: &str,
    options: &SignOptions,
) -> Result<Signed, ManifestError> {
    sign_inner(signer, input, format, name, options)
}

fn sign_inner(
    signer: &MediaSigner,
    input: &[u8],
    format: &str,
    path: &str,
    options: &SignOptions,
) -> Result<Signed, ManifestError> {
    let holder = X509CredentialHolder::from_raw_signer(signer.raw_signer(IDENTITY_ROOM));
    sign_with_holder(signer, holder, input, format, path, options)
}

/// [`sign_inner`] with the identity assertion signed by `holder` (tests give forged ones).
pub(super) fn sign_with_holder<H>(
    signer: &MediaSigner,
    holder: H,
    input: &[u8],
    format: &str,
    path: &str,
    options: &SignOptions,
) -> Result<Signed, ManifestError>
where
    H: CredentialHolder + Send + Sync + 'static,
{
    let mime = supported_mime(format).ok_or_else(|| ManifestError::UnsupportedFormat { what: format.to_string() })?;
    let embeddable = super::supported_formats().iter().any(|f| f.mime == mime && f.embed);
    if !embeddable && !options.sidecar {
        let name = super::supported_formats().into_iter().find(|f| f.mime == mime).map_or(mime, |f| f.name);
        return Err(ManifestError::SidecarOnly(name.to_string()));
    }
    let action = options.action.as_deref().map(validate_action).transpose()?;
    if let Some(t) = &options.thumbnail {
        if !matches!(supported_mime(&t.format), Some("image/jpeg" | "image/png" | "image/webp" | "image/gif")) {
            return Err(ManifestError::BadThumbnail(t.format.clone()));
        }
    }
    let problem = if input.is_empty() {
        Some("it is empty")
    } else if !looks_like(mime, input) {
        Some("its first bytes are not those of this format")
    } else if truncated(mime, input) {
        Some("it ends too early")
    } else {
        None
    };
    if let Some(reason) = problem {
        return Err(ManifestError::Corrupt { path: path.to_string(), format: mime.to_string(), reason: reason.into() });
    }
    let parent = match &options.parent {
        Some(p) => {
            let pmime =
                mime_from_path(p).ok_or_else(|| ManifestError::UnsupportedFormat { what: p.display().to_string() })?;
            let bytes = std::fs::read(p).map_err(|e| ManifestError::io("read the parent", p, e))?;
            let title = p.file_name().map(|n| n.to_string_lossy().into_owned()).unwrap_or_default();
            Some((title, pmime, bytes, p.display().to_string()))
        }
        None => None,
    };
    let previous = has_manifest(input, mime, path)?;
    if let Some(vc) = &options.humanity_credential {
        check_humanity_credential(vc)?;
    }
    let opened_from = if parent.is_some() {
        Some(PARENT_ID)
    } else if previous {
        Some(PREVIOUS_ID)
    } else {
        None
    };
    // The identity assertion's role for the DID: it created the content, or edited (published)
    // it; re-signing without any edit states no role.
    let roles: &[&str] = match (opened_from, action) {
        (None, _) => &["cawg.creator"],
        (Some(_), Some("c2pa.published")) => &["cawg.publisher"],
        (Some(_), Some(_)) => &["cawg.editor"],
        (Some(_), None) if parent.is_some() || options.ai_generated => &["cawg.editor"],
        (Some(_), None) => &[],
    };
    let claim_signer = identity_signer(signer, holder, roles);
    // Where c2pa cannot embed (PDF), the sidecar is signed through the context's signer, the
    // only signing path that writes dynamic assertions such as the identity assertion there.
    let (context, claim_signer) = if embeddable {
        (super::context(&[])?, Some(claim_signer))
    } else {
        (super::context(&[])?.with_signer(claim_signer), None)
    };
    let mut definition = json!({
        "format": mime,
        "claim_generator_info": [{ "name": "Hallmark", "version": env!("CARGO_PKG_VERSION") }],
    });
    if let Some(t) = options.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        definition["title"] = t.into();
    }
    let mut builder = c2pa::Builder::from_context(context)
        .with_definition(definition)
        .map_err(|e| ManifestError::Signing(e.to_string()))?;

    let sign_err = |e: c2pa::Error| ManifestError::Signing(e.to_string());
    // Ingredients: the parent, and the manifest the input already carries.
    if let Some((title, pmime, bytes, ppath)) = &parent {
        if !looks_like(pmime, bytes) {
            return Err(ManifestError::Corrupt {
                path: ppath.clone(),
                format: pmime.to_string(),
                reason: "its first bytes are not those of this format".into(),
            });
        }
        let def = json!({ "title": title, "relationship": "parentOf", "label": PARENT_ID });
        builder
            .add_ingredient_from_stream(def.to_string(), pmime, &mut Cursor::new(bytes))
            .map_err(|e| from_c2pa(e, ppath, pmime))?;
    }
    if previous {
        let relationship = if parent.is_some() { "componentOf" } else { "parentOf" };
        let title = options.title.clone().unwrap_or_else(|| "previous version".into());
        let def = json!({ "title": title, "relationship": relationship, "label": PREVIOUS_ID });
        builder
            .add_ingredient_from_stream(def.to_string(), mime, &mut Cursor::new(input))
            .map_err(|e| from_c2pa(e, path, mime))?;
    }

    // Actions: exactly one inception action first. Each states when (the signer's clock: without a
    // time-stamp authority, nothing more trustworthy is available offline).
    let when = time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok());
    match opened_from {
        None => {
            let source = if options.ai_generated { "trainedAlgorithmicMedia" } else { "digitalCapture" };
            builder
                .add_action(
                    json!({ "action": "c2pa.created", "digitalSourceType": format!("{DST}{source}"), "when": when }),
                )
                .map_err(sign_err)?;
            if let Some(a) = action {
                builder.add_action(json!({ "action": a, "when": when })).map_err(sign_err)?;
            }
        }
        Some(id) => {
            builder
                .add_action(json!({ "action": "c2pa.opened", "parameters": { "ingredientIds": [id] }, "when": when }))
                .map_err(sign_err)?;
            let edit = action.or((parent.is_some() || options.ai_generated).then_some("c2pa.edited"));
            if let Some(a) = edit {
                let mut act = json!({ "action": a, "when": when });
                if options.ai_generated {
                    act["digitalSourceType"] = format!("{DST}compositeWithTrainedAlgorithmicMedia").into();
                }
                builder.add_action(act).map_err(sign_err)?;
            }
        }
    }
    if parent.is_some() && previous {
        builder
            .add_action(
                json!({ "action": "c2pa.placed", "parameters": { "ingredientIds": [PREVIOUS_ID] }, "when": when }),
            )
            .map_err(sign_err)?;
    }

    let permission = if options.allow_training { "allowed" } else { "notAllowed" };
    let entries: serde_json::Map<String, serde_json::Value> =
        ["cawg.ai_generative_training", "cawg.ai_inference", "cawg.ai_training", "cawg.data_mining"]
            .iter()
            .map(|k| (k.to_string(), json!({ "use": permission })))
            .collect();
    builder.add_assertion("cawg.training-mining", &json!({ "entries": entries })).map_err(sign_err)?;

    let mut metadata = json!({
        "@context": { "dc": "http://purl.org/dc/elements/1.1/" },
        "dc:creator": [signer.did()],
    });
    if let Some(t) = options.title.as_deref().map(str::trim).filter(|t| !t.is_empty()) {
        metadata["dc:title"] = t.into();
    }
    builder.add_assertion_json("cawg.metadata", &metadata).map_err(sign_err)?;

    if let Some(vc) = &options.humanity_credential {
        builder.add_assertion(HUMANITY_LABEL, &HumanityAssertion { credential: vc }).map_err(sign_err)?;
    }

    if let Some(t) = &options.thumbnail {
        let tmime = supported_mime(&t.format).unwrap_or("image/jpeg");
        builder.set_thumbnail(tmime, &mut Cursor::new(&t.bytes)).map_err(|e| from_c2pa(e, path, mime))?;
    }
    builder.set_no_embed(options.sidecar);
    // The manifest's label, chosen here so the caller can index it without reading the file back.
    let uuid = crate::ids::random_uuid().map_err(|e| ManifestError::Signing(format!("no randomness: {e}")))?;
    let label = format!("urn:c2pa:{uuid}");
    builder.definition.label = Some(label.clone());

    let bytes = if let Some(claim_signer) = &claim_signer {
        let mut source = Cursor::new(input);
        // Room for the whole signed file up front: the file plus the manifest, which carries the
        // thumbnail, the credential, the certificates and any ingredient's manifest. Growing
        // the buffer instead would copy the whole file again while c2pa writes it.
        let manifest_room = 256 * 1024
            + options.thumbnail.as_ref().map_or(0, |t| t.bytes.len())
            + options.humanity_credential.as_ref().map_or(0, String::len)
            + parent.as_ref().map_or(0, |(_, _, bytes, _)| bytes.len().min(16 << 20));
        let mut dest = Cursor::new(Vec::with_capacity(input.len() + manifest_room));
        let manifest =
            builder.sign(claim_signer, mime, &mut source, &mut dest).map_err(|e| from_c2pa(e, path, mime))?;
        if options.sidecar {
            manifest
        } else {
            dest.into_inner()
        }
    } else {
        // A sidecar for a format c2pa cannot write into: the manifest's hard binding is a data
        // hash of the whole file, with no exclusions (nothing is embedded in it).
        let mut hash = c2pa::assertions::DataHash::new("jumbf manifest", "sha256");
        hash.gen_hash_from_stream(&mut Cursor::new(input)).map_err(|e| from_c2pa(e, path, mime))?;
        builder.add_assertion("c2pa.hash.data", &hash).map_err(sign_err)?;
        builder.sign_embeddable(mime).map_err(|e| from_c2pa(e, path, mime))?
    };
    Ok(Signed { bytes, format: mime, sidecar: options.sidecar, kept_previous_manifest: previous, label })
}

/// Signs the file `input` and writes the result to `output` — the signed copy, or the `.c2pa`
/// sidecar in sidecar mode (see [`super::sidecar_path`]) — through a temporary file renamed into
/// place, so no partial output is ever left. The original is never modified: `output` must not
/// be `input`. The media type comes from `input`'s extension; the title defaults to its name.
pub fn sign_file(
    signer: &MediaSigner,
    input: &Path,
    output: &Path,
    options: &SignOptions,
) -> Result<SignedFile, ManifestError> {
    let mime = mime_from_path(input).ok_or_else(|| ManifestError::UnsupportedFormat {
        what: input
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| input.display().to_string()),
    })?;
    if same_file(input, output) {
        return Err(ManifestError::WouldOverwriteOriginal(input.display().to_string()));
    }
    let bytes = std::fs::read(input).map_err(|e| ManifestError::io("read", input, e))?;
    let mut options = options.clone();
    if options.title.is_none() {
        options.title = input.file_name().map(|n| n.to_string_lossy().into_owned());
    }
    let signed = sign_inner(signer, &bytes, mime, &input.display().to_string(), &options)?;
    crate::fsutil::atomic_write(output, &signed.bytes, false).map_err(|e| ManifestError::io("write", output, e))?;
    Ok(SignedFile {
        output: output.to_path_buf(),
        format: mime,
        sidecar: signed.sidecar,
        size: signed.bytes.len() as u64,
        kept_previous_manifest: signed.kept_previous_manifest,
        label: signed.label,
    })
}

/// Are `a` and `b` the same file (same path, or an existing `b` that resolves to `a`)?
fn same_file(a: &Path, b: &Path) -> bool {
    if a == b {
        return true;
    }
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(x), Ok(y)) => x == y,
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn actions_are_validated() {
        assert_eq!(validate_action("cropped").unwrap(), "c2pa.cropped");
        assert_eq!(validate_action(" c2pa.published ").unwrap(), "c2pa.published");
        assert_eq!(validate_action("c2pa.edited.metadata").unwrap(), "c2pa.edited.metadata");
        for bad in ["c2pa.created", "opened", "photoshopped", "", "c2pa."] {
            let e = validate_action(bad).unwrap_err();
            assert_eq!(e.code(), "unknown_action");
            assert!(e.to_string().contains("c2pa.cropped"), "the message lists the choices: {e}");
        }
    }

    #[test]
    fn format_sniffing() {
        assert!(looks_like("image/jpeg", &[0xff, 0xd8, 0xff, 0xe0]));
        assert!(!looks_like("image/jpeg", b"\x89PNG\r\n\x1a\n"));
        assert!(looks_like("audio/wav", b"RIFF\0\0\0\0WAVEfmt "));
        assert!(!looks_like("image/webp", b"RIFF\0\0\0\0WAVEfmt "));
        assert!(looks_like("video/mp4", b"\0\0\0\x18ftypisom"));
        assert!(looks_like("application/pdf", b"%PDF-1.7\n"));
        assert!(!looks_like("application/pdf", b"hello"));
        assert!(looks_like("audio/mpeg", b"ID3\x04"));
        assert!(looks_like("audio/mpeg", &[0xff, 0xfb, 0x90, 0x00]));
    }

    #[test]
    fn bmff_box_walk() {
        let ftyp = b"\0\0\0\x10ftypisom\0\0\0\0";
        let mut file = ftyp.to_vec();
        file.extend_from_slice(b"\0\0\0\x0cmdat1234");
        assert!(bmff_boxes_complete(&file));
        assert!(!bmff_boxes_complete(&file[..file.len() - 1]), "cut inside the last box");
        assert!(!bmff_boxes_complete(&file[..20]), "cut inside a box header");
        let mut open_ended = ftyp.to_vec();
        open_ended.extend_from_slice(b"\0\0\0\0mdat12345678");
        assert!(bmff_boxes_complete(&open_ended));
        assert!(!bmff_boxes_complete(b"\0\0\0\x04ftyp"), "a box smaller than its header");
    }
}
