//! C2PA content credentials: embed a signed provenance manifest in a photo, video, audio file or
//! PDF, and read one back with a plain-language verdict. Built on the `c2pa` crate (0.90, pure-Rust
//! crypto, no network).
//!
//! * [`cert`] — the wallet's media CA (an Ed25519 key derived from the seed) and the X.509
//!   certificates it issues to an identity, with the DID in the subject alternative name;
//!   [`MediaSigner`] signs C2PA claims with the identity's key.
//! * [`sign`] — [`sign_bytes`] / [`sign_file`]: actions (created / opened + edit, with the
//!   `digitalSourceType`), training and data mining permissions, author and title, thumbnail,
//!   the signed parent and any manifest the input already had kept as ingredients, a CAWG
//!   identity assertion naming the signer's DID, and a humanity credential when given (see
//!   [`sign`] for exactly what is bound); embedded or as a `.c2pa` sidecar.
//! * [`read`] — [`verify_bytes`] / [`verify_file`]: signer (DID from the certificate; the
//!   identity assertions' named actors and their validation; the humanity credential), time,
//!   actions, AI disclosure, training permissions, the ingredient tree, and the verdict:
//!   `valid` (trusted signer), `untrusted_signer` (signature and hashes fine, signer not in the
//!   trust anchors) or `invalid` with each failure explained.
//!
//! Nothing here touches the network: remote manifests, OCSP and time-stamp authorities are off.
//! Without a time stamp, C2PA checks the signer's certificate at verification time, which is why
//! [`cert`] issues long-lived certificates.

use std::path::{Path, PathBuf};

pub mod cert;
pub mod read;
pub mod sign;

pub use cert::{MediaSigner, WalletCa};
pub use read::{
    verify_bytes, verify_file, verify_sidecar_bytes, ActionSummary, AiDisclosure, Finding, HumanityCredential,
    IdentityAssertionSummary, IdentityState, IngredientSummary, ManifestSummary, SignerSummary, TrainingPermissions,
    Verdict, VerifyOptions, VerifyReport,
};
pub use sign::{
    sign_bytes, sign_file, sign_named_bytes, validate_action, SignOptions, Signed, Thumbnail, EDIT_ACTIONS,
    HUMANITY_LABEL,
};

/// Errors from signing or reading content credentials. Each message says what failed and what to
/// do, for photographers rather than cryptographers; [`ManifestError::code`] is stable.
#[derive(Debug, thiserror::Error)]
pub enum ManifestError {
    /// The file type cannot carry content credentials.
    #[error("{what} cannot carry content credentials; supported: {}", supported_list())]
    UnsupportedFormat {
        /// The file name, extension or media type that was refused.
        what: String,
    },
    /// The format can only be signed with a `.c2pa` sidecar.
    #[error("content credentials cannot be embedded in {0} files yet: sign with the sidecar option to write a .c2pa file beside the untouched original")]
    SidecarOnly(String),
    /// The file could not be parsed as the type its name says (truncated, damaged or mislabelled).
    #[error("{path} is not a readable {format} file ({reason}): it may be truncated or damaged, or its extension may be wrong")]
    Corrupt {
        /// The file (or "input").
        path: String,
        /// The media type it was read as.
        format: String,
        /// What the parser reported.
        reason: String,
    },
    /// The action name is not one of the C2PA edit actions.
    #[error("{0:?} is not a C2PA edit action; use one of: {list}", list = sign::EDIT_ACTIONS.join(", "))]
    UnknownAction(String),
    /// The identity's key type cannot sign C2PA manifests (did:pkh uses secp256k1).
    #[error("{did} uses an Ethereum (secp256k1) key, which content credentials cannot be signed with here: sign as a did:key, did:jwk or did:web identity")]
    NotEd25519 {
        /// The DID that was refused.
        did: String,
    },
    /// The signing certificate could not be made.
    #[error("could not issue the signing certificate for {did}: {reason}")]
    Certificate {
        /// The identity.
        did: String,
        /// Why.
        reason: String,
    },
    /// The thumbnail given is not an image type C2PA accepts.
    #[error("the thumbnail must be a JPEG, PNG, WebP or GIF image, not {0:?}")]
    BadThumbnail(String),
    /// The output would replace the original file.
    #[error("{0} is the original file: signing writes a new file and never replaces the original; choose another output path")]
    WouldOverwriteOriginal(String),
    /// The file has no content credentials (embedded, or in a `.c2pa` sidecar next to it).
    #[error("{0} has no content credentials (no C2PA manifest in the file and no .c2pa sidecar next to it)")]
    NoManifest(String),
    /// Reading or writing a file failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// "read" or "write".
        action: &'static str,
        /// The file.
        path: String,
        /// The cause.
        #[source]
        source: std::io::Error,
    },
    /// The c2pa library refused to sign (an internal problem, not the file's fault).
    #[error("signing failed: {0}")]
    Signing(String),
    /// The humanity credential given is not a verifiable credential's JSON.
    #[error("the humanity credential is not a verifiable credential ({0}): give the credential's JSON exactly as the wallet stored it")]
    BadHumanityCredential(String),
    /// Trust anchors given are not PEM certificates.
    #[error("the trusted certificates given are not PEM certificates: {0}")]
    BadTrustAnchors(String),
}

impl ManifestError {
    /// A stable, machine-readable code (CLI `--json` errors, the app's `{code, message}`).
    pub fn code(&self) -> &'static str {
        match self {
            ManifestError::UnsupportedFormat { .. } => "unsupported_format",
            ManifestError::SidecarOnly(_) => "sidecar_only",
            ManifestError::Corrupt { .. } => "corrupt_media",
            ManifestError::UnknownAction(_) => "unknown_action",
            ManifestError::NotEd25519 { .. } => "not_ed25519_identity",
            ManifestError::Certificate { .. } => "certificate_failed",
            ManifestError::BadThumbnail(_) => "bad_thumbnail",
            ManifestError::WouldOverwriteOriginal(_) => "would_overwrite_original",
            ManifestError::NoManifest(_) => "no_manifest",
            ManifestError::Io { .. } => "io_failed",
            ManifestError::Signing(_) => "signing_failed",
            ManifestError::BadTrustAnchors(_) => "bad_trust_anchors",
            ManifestError::BadHumanityCredential(_) => "bad_humanity_credential",
        }
    }

    pub(crate) fn io(action: &'static str, path: &Path, source: std::io::Error) -> Self {
        ManifestError::Io { action, path: path.display().to_string(), source }
    }
}

/// A media type Hallmark embeds content credentials in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, serde::Serialize)]
pub struct SupportedFormat {
    /// Short name for people ("JPEG").
    pub name: &'static str,
    /// The media type ("image/jpeg").
    pub mime: &'static str,
    /// File extensions, lower case, first one preferred.
    pub extensions: &'static [&'static str],
    /// The manifest can be embedded in the file; otherwise only a `.c2pa` sidecar is possible
    /// (PDF: c2pa 0.90 reads manifests in PDFs but cannot write them yet).
    pub embed: bool,
}

/// Every format [`sign_bytes`] signs (and [`verify_bytes`] reads); `embed` is checked against what
/// the c2pa crate can write. Other C2PA formats (SVG, JPEG XL, office files…) are left out until
/// tested.
const FORMATS: &[SupportedFormat] = &[
    SupportedFormat { name: "JPEG", mime: "image/jpeg", extensions: &["jpg", "jpeg"], embed: true },
    SupportedFormat { name: "PNG", mime: "image/png", extensions: &["png"], embed: true },
    SupportedFormat { name: "GIF", mime: "image/gif", extensions: &["gif"], embed: true },
    SupportedFormat { name: "WebP", mime: "image/webp", extensions: &["webp"], embed: true },
    SupportedFormat { name: "TIFF", mime: "image/tiff", extensions: &["tif", "tiff"], embed: true },
    SupportedFormat { name: "DNG", mime: "image/x-adobe-dng", extensions: &["dng"], embed: true },
    SupportedFormat { name: "HEIC", mime: "image/heic", extensions: &["heic"], embed: true },
    SupportedFormat { name: "HEIF", mime: "image/heif", extensions: &["heif"], embed: true },
    SupportedFormat { name: "AVIF", mime: "image/avif", extensions: &["avif"], embed: true },
    SupportedFormat { name: "MP4", mime: "video/mp4", extensions: &["mp4"], embed: true },
    SupportedFormat { name: "M4A", mime: "audio/mp4", extensions: &["m4a"], embed: true },
    SupportedFormat { name: "QuickTime", mime: "video/quicktime", extensions: &["mov"], embed: true },
    SupportedFormat { name: "MP3", mime: "audio/mpeg", extensions: &["mp3"], embed: true },
    SupportedFormat { name: "WAV", mime: "audio/wav", extensions: &["wav"], embed: true },
    SupportedFormat { name: "FLAC", mime: "audio/flac", extensions: &["flac"], embed: true },
    SupportedFormat { name: "PDF", mime: "application/pdf", extensions: &["pdf"], embed: false },
];

/// The formats Hallmark signs, in display order; those with `embed: false` only as a sidecar.
pub fn supported_formats() -> Vec<SupportedFormat> {
    let writable = c2pa::Builder::supported_mime_types();
    let readable = c2pa::Reader::supported_mime_types();
    FORMATS
        .iter()
        .filter(|f| readable.iter().any(|m| m == f.mime))
        .map(|f| SupportedFormat { embed: writable.iter().any(|m| m == f.mime), ..*f })
        .collect()
}

fn supported_list() -> String {
    let names: Vec<String> = supported_formats()
        .iter()
        .map(|f| if f.embed { f.name.to_string() } else { format!("{} (sidecar only)", f.name) })
        .collect();
    names.join(", ")
}

/// The supported media type of a file name's extension (case-insensitive), using c2pa's table;
/// `None` when the extension is missing or the type is not one of [`supported_formats`].
pub fn mime_from_path(path: &Path) -> Option<&'static str> {
    let mime = c2pa::format_from_path(path)?;
    supported_mime(&mime)
}

/// The supported media type for `format`, given as a media type ("image/jpeg") or an extension
/// ("jpg"); `None` when it is not one of [`supported_formats`].
pub fn supported_mime(format: &str) -> Option<&'static str> {
    let f = format.trim().to_ascii_lowercase();
    let f = match f.as_str() {
        // Common aliases of WAV's media type.
        "audio/wave" | "audio/x-wav" | "audio/vnd.wave" => "audio/wav",
        "audio/mp3" => "audio/mpeg",
        other => other,
    };
    supported_formats().into_iter().find(|s| s.mime == f || s.extensions.contains(&f)).map(|s| s.mime)
}

/// The sidecar path for `asset`: the same name with the extension `.c2pa` (`photo.jpg` →
/// `photo.c2pa`), the convention other C2PA tools look for.
pub fn sidecar_path(asset: &Path) -> PathBuf {
    asset.with_extension("c2pa")
}

/// The c2pa settings Hallmark uses for both signing and reading: no network at all (no remote
/// manifests, OCSP or time stamps), trust checked against `anchors` only (none: every signer is
/// reported untrusted), and Hallmark as the claim generator.
pub(crate) fn context(anchors: &[String]) -> Result<c2pa::Context, ManifestError> {
    let mut trust = serde_json::Map::new();
    if !anchors.is_empty() {
        trust.insert("user_anchors".into(), anchors.join("\n").into());
    }
    let settings = serde_json::json!({
        "verify": {
            "verify_trust": true,
            "verify_after_reading": true,
            "verify_after_sign": false,
            "ocsp_fetch": false,
            "remote_manifest_fetch": false,
        },
        "trust": trust.clone(),
        // The CAWG identity assertion's X.509 credential is checked against the same anchors.
        "cawg_trust": trust,
        "core": { "allowed_network_hosts": [] },
        "builder": {
            "claim_generator_info": { "name": "Hallmark", "version": env!("CARGO_PKG_VERSION") },
        },
    });
    c2pa::Context::new().with_settings(settings.to_string().as_str()).map_err(|e| match e {
        c2pa::Error::CoseInvalidCert | c2pa::Error::BadParam(_) if !anchors.is_empty() => {
            ManifestError::BadTrustAnchors(e.to_string())
        }
        e => ManifestError::Signing(format!("c2pa settings: {e}")),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_match_what_c2pa_reads_and_writes() {
        let all = supported_formats();
        assert_eq!(all.len(), FORMATS.len(), "a listed format is not readable by c2pa: {all:?}");
        assert_eq!(all.iter().filter(|f| !f.embed).map(|f| f.name).collect::<Vec<_>>(), ["PDF"]);
        for name in ["JPEG", "PNG", "WebP", "TIFF", "HEIC", "AVIF", "MP4", "QuickTime", "MP3", "WAV", "FLAC", "PDF"] {
            assert!(all.iter().any(|f| f.name == name), "{name} missing");
        }
    }

    #[test]
    fn mime_from_extension() {
        assert_eq!(mime_from_path(Path::new("a/B.JPG")), Some("image/jpeg"));
        assert_eq!(mime_from_path(Path::new("x.tif")), Some("image/tiff"));
        assert_eq!(mime_from_path(Path::new("x.mov")), Some("video/quicktime"));
        assert_eq!(mime_from_path(Path::new("x.pdf")), Some("application/pdf"));
        assert_eq!(mime_from_path(Path::new("x.txt")), None);
        assert_eq!(mime_from_path(Path::new("noext")), None);
        assert_eq!(mime_from_path(Path::new("x.bmp")), None, "bmp is readable by c2pa but not signable");
        assert_eq!(supported_mime("audio/x-wav"), Some("audio/wav"));
        assert_eq!(supported_mime("WEBP"), Some("image/webp"));
        assert_eq!(supported_mime("text/plain"), None);
        assert_eq!(sidecar_path(Path::new("/p/photo.jpg")), PathBuf::from("/p/photo.c2pa"));
    }

    #[test]
    fn unsupported_message_lists_formats() {
        let e = ManifestError::UnsupportedFormat { what: "notes.txt".into() };
        assert_eq!(e.code(), "unsupported_format");
        let m = e.to_string();
        assert!(m.contains("notes.txt") && m.contains("JPEG") && m.contains("PDF"), "{m}");
    }
}

#[cfg(test)]
pub(crate) mod testmedia;

#[cfg(test)]
mod round_trip_tests;
