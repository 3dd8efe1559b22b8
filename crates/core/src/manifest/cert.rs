//! The wallet's media CA and the X.509 certificates that C2PA manifests carry.
//!
//! C2PA signs with an X.509 certificate chain, not a bare key. The wallet is its own small CA:
//!
//! * **CA**: an Ed25519 key derived from the seed at [`crate::keys::MEDIA_CA_PATH`], a self-signed
//!   certificate with basicConstraints CA (path length 0), keyCertSign + cRLSign and a subject key
//!   identifier. Everything in it is fixed (validity, serial = hash of the key) and Ed25519
//!   signatures are deterministic, so a wallet restored from its recovery phrase rebuilds the
//!   byte-identical CA certificate: a verifier who trusts it ([`WalletCa::certificate_pem`]) keeps
//!   trusting files signed after a restore.
//! * **Leaf** (one per identity, issued when signing): the identity's own Ed25519 key, the DID as
//!   a URI subject alternative name, KU digitalSignature, EKU emailProtection (an EKU the C2PA
//!   certificate profile accepts; "any" is refused), authority and subject key identifiers, a
//!   random serial. The common name is the identity's label, else "Hallmark signer".
//!
//! **Validity.** Without a time-stamp authority (Hallmark uses none: signing works offline), a C2PA
//! validator checks the certificate against the time of *verification*, so an expired certificate
//! turns every file it signed into "invalid (expired)". Content credentials are meant to last as
//! long as the photos, so the CA is valid 2025-01-01 → 2125-01-01 and a leaf for
//! [`LEAF_VALIDITY_YEARS`] years from one day before issuance (tolerating clocks that run behind),
//! never past the CA. A leaked key is dealt with at the identity level (stop using the DID), not by
//! expiry; the certificate chain is self-issued, and verifiers report it as an untrusted signer
//! unless they add the wallet's CA certificate to their trust anchors.
//!
//! **Secrets.** Private keys never leave `ed25519_dalek::SigningKey`, which wipes itself on drop:
//! rcgen and c2pa get signing callbacks ([`rcgen::SigningKey`], [`c2pa::Signer`]), never key bytes,
//! PEM or PKCS#8.

use c2pa::crypto::raw_signature::RawSigner;
use ed25519_dalek::Signer as _;
use rcgen::{
    BasicConstraints, CertificateParams, DistinguishedName, DnType, ExtendedKeyUsagePurpose, IsCa, Issuer,
    KeyUsagePurpose, SanType, SerialNumber,
};
use sha2::{Digest, Sha256};
use time::{Duration, OffsetDateTime};

use super::ManifestError;

/// How long a signing (leaf) certificate is valid: see the module documentation.
pub const LEAF_VALIDITY_YEARS: i64 = 50;

/// The CA certificate's validity: fixed, so the certificate is the same after a restore.
const CA_NOT_BEFORE: OffsetDateTime = time::macros::datetime!(2025-01-01 0:00 UTC);
const CA_NOT_AFTER: OffsetDateTime = time::macros::datetime!(2125-01-01 0:00 UTC);

/// The organization named in every certificate the wallet issues.
const ORGANIZATION: &str = "Hallmark wallet";

/// An Ed25519 key seen through rcgen's signing interface (rcgen signs the certificate's TBS bytes
/// through it; the key bytes are never handed over).
struct DalekKey<'a> {
    key: &'a ed25519_dalek::SigningKey,
    public: [u8; 32],
}

impl<'a> DalekKey<'a> {
    fn new(key: &'a ed25519_dalek::SigningKey) -> Self {
        DalekKey { key, public: key.verifying_key().to_bytes() }
    }
}

impl rcgen::PublicKeyData for DalekKey<'_> {
    fn der_bytes(&self) -> &[u8] {
        &self.public
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

impl rcgen::SigningKey for DalekKey<'_> {
    fn sign(&self, msg: &[u8]) -> Result<Vec<u8>, rcgen::Error> {
        Ok(self.key.sign(msg).to_bytes().to_vec())
    }
}

/// A public key alone, for the subject of a leaf certificate.
struct PublicOnly([u8; 32]);

impl rcgen::PublicKeyData for PublicOnly {
    fn der_bytes(&self) -> &[u8] {
        &self.0
    }

    fn algorithm(&self) -> &'static rcgen::SignatureAlgorithm {
        &rcgen::PKCS_ED25519
    }
}

fn pem(der: &[u8]) -> String {
    use base64::Engine as _;
    let b64 = base64::engine::general_purpose::STANDARD.encode(der);
    let mut out = String::from("-----BEGIN CERTIFICATE-----\n");
    for line in b64.as_bytes().chunks(64) {
        out.push_str(std::str::from_utf8(line).unwrap_or_default());
        out.push('\n');
    }
    out.push_str("-----END CERTIFICATE-----\n");
    out
}

/// The wallet's media-signing certificate authority.
pub struct WalletCa {
    key: ed25519_dalek::SigningKey,
    params: CertificateParams,
    cert_der: Vec<u8>,
}

impl WalletCa {
    /// The CA of the wallet whose seed is `seed` (key at [`crate::keys::MEDIA_CA_PATH`]).
    pub fn from_seed(seed: &[u8]) -> Result<Self, ManifestError> {
        let key = crate::keys::media_ca_key(seed)
            .map_err(|e| ManifestError::Certificate { did: "the wallet CA".into(), reason: e.to_string() })?;
        Self::from_key(key)
    }

    /// A CA with this key (tests; the wallet uses [`WalletCa::from_seed`]).
    pub fn from_key(key: ed25519_dalek::SigningKey) -> Result<Self, ManifestError> {
        let fail = |e: rcgen::Error| ManifestError::Certificate { did: "the wallet CA".into(), reason: e.to_string() };
        let public = key.verifying_key().to_bytes();
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        // The CA's name carries a short fingerprint of its key, so two wallets' CAs never share a name.
        dn.push(DnType::CommonName, format!("Hallmark wallet CA {}", &hex::encode(Sha256::digest(public))[..16]));
        dn.push(DnType::OrganizationName, ORGANIZATION);
        params.distinguished_name = dn;
        params.is_ca = IsCa::Ca(BasicConstraints::Constrained(0));
        params.key_usages = vec![KeyUsagePurpose::KeyCertSign, KeyUsagePurpose::CrlSign];
        params.not_before = CA_NOT_BEFORE;
        params.not_after = CA_NOT_AFTER;
        // rcgen's default serial is derived from the public key: deterministic, as wanted here.
        params.serial_number = None;
        let cert = params.self_signed(&DalekKey::new(&key)).map_err(fail)?;
        Ok(WalletCa { key, params, cert_der: cert.der().to_vec() })
    }

    /// The CA certificate (DER).
    pub fn certificate_der(&self) -> &[u8] {
        &self.cert_der
    }

    /// The CA certificate (PEM): what a verifier adds to its trust anchors to see this wallet's
    /// identities as trusted signers.
    pub fn certificate_pem(&self) -> String {
        pem(&self.cert_der)
    }

    /// Issues a signing certificate (DER) for `did`'s Ed25519 public key, valid from one day before
    /// `now` for [`LEAF_VALIDITY_YEARS`] years (at most until the CA expires).
    pub fn issue(
        &self,
        did: &str,
        public_key: &ed25519_dalek::VerifyingKey,
        common_name: Option<&str>,
        now: OffsetDateTime,
    ) -> Result<Vec<u8>, ManifestError> {
        let fail = |reason: String| ManifestError::Certificate { did: did.to_string(), reason };
        let uri = rcgen::string::Ia5String::try_from(did.to_string())
            .map_err(|_| fail("the DID is not plain ASCII".into()))?;
        let mut params = CertificateParams::default();
        let mut dn = DistinguishedName::new();
        dn.push(DnType::CommonName, leaf_common_name(common_name));
        dn.push(DnType::OrganizationName, ORGANIZATION);
        params.distinguished_name = dn;
        params.subject_alt_names = vec![SanType::URI(uri)];
        params.is_ca = IsCa::ExplicitNoCa;
        params.key_usages = vec![KeyUsagePurpose::DigitalSignature];
        params.extended_key_usages = vec![ExtendedKeyUsagePurpose::EmailProtection];
        params.use_authority_key_identifier_extension = true;
        params.not_before = (now - Duration::days(1)).max(CA_NOT_BEFORE);
        params.not_after =
            (now + Duration::days(365 * LEAF_VALIDITY_YEARS + LEAF_VALIDITY_YEARS / 4)).min(CA_NOT_AFTER);
        if params.not_before >= params.not_after {
            return Err(fail("the wallet CA has expired".into()));
        }
        let mut serial = [0u8; 16];
        getrandom::fill(&mut serial).map_err(|e| fail(format!("no randomness for the serial number: {e}")))?;
        serial[0] &= 0x7f;
        serial[0] |= 0x01; // positive and of full length
        params.serial_number = Some(SerialNumber::from(serial.to_vec()));
        let issuer = Issuer::from_params(&self.params, DalekKey::new(&self.key));
        let cert = params.signed_by(&PublicOnly(public_key.to_bytes()), &issuer).map_err(|e| fail(e.to_string()))?;
        Ok(cert.der().to_vec())
    }
}

/// A certificate's common name for an identity: its label (trimmed, at most 64 characters as X.509
/// allows), else "Hallmark signer".
fn leaf_common_name(label: Option<&str>) -> String {
    match label.map(str::trim).filter(|l| !l.is_empty()) {
        Some(l) => l.chars().take(64).collect(),
        None => "Hallmark signer".to_string(),
    }
}

/// Signs C2PA claims as one identity: its Ed25519 key and the certificate chain (leaf, wallet CA).
/// The key is wiped when the signer is dropped.
pub struct MediaSigner {
    key: ed25519_dalek::SigningKey,
    did: String,
    chain: Vec<Vec<u8>>,
}

impl std::fmt::Debug for MediaSigner {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("MediaSigner").field("did", &self.did).finish_non_exhaustive()
    }
}

impl MediaSigner {
    /// A signer for `did` with `key`, holding a certificate `ca` issues now.
    pub fn issue(
        ca: &WalletCa,
        key: ed25519_dalek::SigningKey,
        did: &str,
        common_name: Option<&str>,
    ) -> Result<Self, ManifestError> {
        let leaf = ca.issue(did, &key.verifying_key(), common_name, OffsetDateTime::now_utc())?;
        Ok(MediaSigner { key, did: did.to_string(), chain: vec![leaf, ca.certificate_der().to_vec()] })
    }

    /// The DID this signer signs as.
    pub fn did(&self) -> &str {
        &self.did
    }

    /// The certificate chain, leaf first, as PEM.
    pub fn certificate_chain_pem(&self) -> String {
        self.chain.iter().map(|c| pem(c)).collect()
    }
}

impl c2pa::Signer for MediaSigner {
    fn sign(&self, data: &[u8]) -> c2pa::Result<Vec<u8>> {
        Ok(self.key.sign(data).to_bytes().to_vec())
    }

    fn alg(&self) -> c2pa::SigningAlg {
        c2pa::SigningAlg::Ed25519
    }

    fn certs(&self) -> c2pa::Result<Vec<Vec<u8>>> {
        Ok(self.chain.clone())
    }

    fn reserve_size(&self) -> usize {
        // As c2pa's own Ed25519 signer: the COSE structure, the signature and the chain.
        1024 + self.chain.iter().map(Vec::len).sum::<usize>()
    }
}

/// The identity's key and chain as c2pa's lower-level [`RawSigner`] interface, owning a copy of the
/// key (wiped on drop like the original): the CAWG identity assertion's X.509 credential holder and
/// c2pa's [`IdentityAssertionSigner`](c2pa::identity::builder::IdentityAssertionSigner) take
/// `'static` boxed raw signers, not a borrowed [`c2pa::Signer`].
struct IdentityRawSigner {
    key: ed25519_dalek::SigningKey,
    chain: Vec<Vec<u8>>,
    /// Room reserved beyond the chain (see [`MediaSigner::raw_signer`]).
    room: usize,
}

impl c2pa::crypto::time_stamp::TimeStampProvider for IdentityRawSigner {}

impl RawSigner for IdentityRawSigner {
    fn sign(&self, data: &[u8]) -> Result<Vec<u8>, c2pa::crypto::raw_signature::RawSignerError> {
        Ok(self.key.sign(data).to_bytes().to_vec())
    }

    fn alg(&self) -> c2pa::SigningAlg {
        c2pa::SigningAlg::Ed25519
    }

    fn cert_chain(&self) -> Result<Vec<Vec<u8>>, c2pa::crypto::raw_signature::RawSignerError> {
        Ok(self.chain.clone())
    }

    fn reserve_size(&self) -> usize {
        self.room + self.chain.iter().map(Vec::len).sum::<usize>()
    }
}

impl MediaSigner {
    /// The same key and certificate chain as a boxed c2pa [`RawSigner`] (an owned copy of the
    /// key, wiped on drop), reserving `room` bytes beyond the chain for the rest of what is
    /// signed into (1024 for a claim signature, as [`c2pa::Signer::reserve_size`] here; more for
    /// a CAWG identity assertion, whose reserved size must also hold its signer payload).
    pub(crate) fn raw_signer(&self, room: usize) -> Box<dyn RawSigner + Send + Sync> {
        Box::new(IdentityRawSigner { key: self.key.clone(), chain: self.chain.clone(), room })
    }
}

/// What a certificate says about its subject, read back from DER.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct CertFacts {
    /// URI subject alternative names that are DIDs.
    pub dids: Vec<String>,
    /// Subject common name.
    pub common_name: Option<String>,
    /// Subject organization.
    pub organization: Option<String>,
    /// Issuer common name.
    pub issuer_common_name: Option<String>,
    /// Issuer organization.
    pub issuer_organization: Option<String>,
    /// notAfter, RFC 3339.
    pub not_after: Option<String>,
    /// The certificate's public key when it is an Ed25519 key (32 bytes).
    pub ed25519_key: Option<[u8; 32]>,
}

/// Reads the facts of the first certificate of a PEM chain (as c2pa reports it).
pub(crate) fn facts_from_pem_chain(chain_pem: &str) -> Option<CertFacts> {
    let pem = x509_parser::pem::Pem::iter_from_buffer(chain_pem.as_bytes()).next()?.ok()?;
    facts_from_der(&pem.contents)
}

/// The subject public key of `cert` if it is Ed25519 (OID 1.3.101.112).
fn ed25519_key_of(cert: &x509_parser::certificate::X509Certificate<'_>) -> Option<[u8; 32]> {
    let spki = cert.public_key();
    if spki.algorithm.algorithm != x509_parser::oid_registry::OID_SIG_ED25519 {
        return None;
    }
    spki.subject_public_key.data.as_ref().try_into().ok()
}

/// Reads the facts of one DER certificate.
pub(crate) fn facts_from_der(der: &[u8]) -> Option<CertFacts> {
    use x509_parser::prelude::*;
    let (_, cert) = X509Certificate::from_der(der).ok()?;
    let first = |name: &X509Name, cn: bool| {
        let attr = if cn { name.iter_common_name().next() } else { name.iter_organization().next() };
        attr.and_then(|a| a.as_str().ok()).map(str::to_string)
    };
    let mut dids = Vec::new();
    if let Ok(Some(san)) = cert.subject_alternative_name() {
        for name in &san.value.general_names {
            if let GeneralName::URI(uri) = name {
                if uri.starts_with("did:") {
                    dids.push(uri.to_string());
                }
            }
        }
    }
    let not_after =
        cert.validity().not_after.to_datetime().format(&::time::format_description::well_known::Rfc3339).ok();
    Some(CertFacts {
        dids,
        common_name: first(cert.subject(), true),
        organization: first(cert.subject(), false),
        issuer_common_name: first(cert.issuer(), true),
        issuer_organization: first(cert.issuer(), false),
        not_after,
        ed25519_key: ed25519_key_of(&cert),
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use x509_parser::prelude::*;

    const DID: &str = "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp";

    fn ca() -> WalletCa {
        WalletCa::from_seed(&[7u8; 64]).unwrap()
    }

    /// Checks `cert`'s Ed25519 signature over its TBS part with the issuer's public key.
    fn verify_cert_signature(cert: &X509Certificate<'_>, issuer: &SubjectPublicKeyInfo<'_>) {
        assert_eq!(cert.signature_algorithm.algorithm.to_id_string(), "1.3.101.112", "Ed25519");
        let vk = ed25519_dalek::VerifyingKey::from_bytes(issuer.subject_public_key.data.as_ref().try_into().unwrap())
            .unwrap();
        let sig = ed25519_dalek::Signature::from_slice(cert.signature_value.data.as_ref()).unwrap();
        vk.verify_strict(cert.tbs_certificate.as_ref(), &sig).expect("certificate signature");
    }

    #[test]
    fn ca_is_deterministic_from_the_seed_and_distinct_per_wallet() {
        let a = ca();
        assert_eq!(a.certificate_der(), ca().certificate_der(), "a restored wallet must get the same CA");
        let other = WalletCa::from_seed(&[8u8; 64]).unwrap();
        assert_ne!(a.certificate_der(), other.certificate_der());
        // The CA key is the one at MEDIA_CA_PATH, not an identity key.
        let ca_key = crate::keys::media_ca_key(&[7u8; 64]).unwrap();
        assert_ne!(ca_key.to_bytes(), crate::keys::ed25519_identity_key(&[7u8; 64], 0).unwrap().to_bytes());
        let (_, cert) = X509Certificate::from_der(a.certificate_der()).unwrap();
        assert_eq!(cert.public_key().subject_public_key.data.as_ref(), ca_key.verifying_key().as_bytes());
        assert!(a.certificate_pem().starts_with("-----BEGIN CERTIFICATE-----\n"));
    }

    #[test]
    fn ca_certificate_profile() {
        let a = ca();
        let (_, cert) = X509Certificate::from_der(a.certificate_der()).unwrap();
        assert!(cert.is_ca());
        assert_eq!(cert.subject(), cert.issuer());
        let ku = cert.key_usage().unwrap().unwrap().value;
        assert!(ku.key_cert_sign() && !ku.digital_signature());
        assert!(cert.basic_constraints().unwrap().unwrap().value.path_len_constraint == Some(0));
        assert!(cert
            .extensions()
            .iter()
            .any(|e| matches!(e.parsed_extension(), ParsedExtension::SubjectKeyIdentifier(_))));
        assert_eq!(cert.validity().not_after.to_datetime(), CA_NOT_AFTER);
        // Self-signature verifies with the CA key.
        verify_cert_signature(&cert, cert.public_key());
    }

    #[test]
    fn leaf_certificate_profile() {
        let a = ca();
        let key = ed25519_dalek::SigningKey::from_bytes(&[3u8; 32]);
        let now = ::time::macros::datetime!(2026-11-05 12:00 UTC);
        let der = a.issue(DID, &key.verifying_key(), Some("  Jane Doe "), now).unwrap();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert!(!cert.is_ca());
        assert_eq!(cert.public_key().subject_public_key.data.as_ref(), key.verifying_key().as_bytes());
        let ku = cert.key_usage().unwrap().unwrap().value;
        assert!(ku.digital_signature() && !ku.key_cert_sign());
        let eku = cert.extended_key_usage().unwrap().unwrap().value;
        assert!(eku.email_protection && !eku.any);
        assert!(cert
            .extensions()
            .iter()
            .any(|e| matches!(e.parsed_extension(), ParsedExtension::AuthorityKeyIdentifier(_))));
        assert_eq!(cert.validity().not_before.to_datetime(), now - Duration::days(1));
        assert!(cert.validity().not_after.to_datetime() > now + Duration::days(365 * 49));
        // Signed by the CA.
        let (_, ca_cert) = X509Certificate::from_der(a.certificate_der()).unwrap();
        verify_cert_signature(&cert, ca_cert.public_key());
        assert_eq!(cert.issuer(), ca_cert.subject());
        let facts = facts_from_der(&der).unwrap();
        assert_eq!(facts.dids, vec![DID.to_string()]);
        assert_eq!(facts.common_name.as_deref(), Some("Jane Doe"));
        assert_eq!(facts.organization.as_deref(), Some(ORGANIZATION));
        assert!(facts.issuer_common_name.unwrap().starts_with("Hallmark wallet CA "));
        // Each issuance has its own serial.
        let again = a.issue(DID, &key.verifying_key(), None, now).unwrap();
        let (_, c2) = X509Certificate::from_der(&again).unwrap();
        assert_ne!(cert.serial, c2.serial);
        assert_eq!(facts_from_der(&again).unwrap().common_name.as_deref(), Some("Hallmark signer"));
    }

    #[test]
    fn leaf_never_outlives_the_ca_and_long_dids_fit() {
        let a = ca();
        let key = ed25519_dalek::SigningKey::from_bytes(&[4u8; 32]);
        let late = ::time::macros::datetime!(2100-01-01 0:00 UTC);
        let jwk = format!("did:jwk:{}", "e".repeat(120));
        let der = a.issue(&jwk, &key.verifying_key(), Some(&"x".repeat(100)), late).unwrap();
        let (_, cert) = X509Certificate::from_der(&der).unwrap();
        assert_eq!(cert.validity().not_after.to_datetime(), CA_NOT_AFTER);
        let facts = facts_from_der(&der).unwrap();
        assert_eq!(facts.dids, vec![jwk]);
        assert_eq!(facts.common_name.unwrap().len(), 64);
        let expired = a.issue(DID, &key.verifying_key(), None, ::time::macros::datetime!(2126-01-01 0:00 UTC));
        assert!(matches!(expired, Err(ManifestError::Certificate { .. })));
        assert!(matches!(
            a.issue("did:web:exämple.com", &key.verifying_key(), None, late),
            Err(ManifestError::Certificate { .. })
        ));
    }

    #[test]
    fn signer_signs_with_the_identity_key_and_carries_the_chain() {
        use c2pa::Signer as _;
        let a = ca();
        let key = ed25519_dalek::SigningKey::from_bytes(&[5u8; 32]);
        let vk = key.verifying_key();
        let s = MediaSigner::issue(&a, key, DID, None).unwrap();
        assert_eq!(s.did(), DID);
        let sig = s.sign(b"claim bytes").unwrap();
        vk.verify_strict(b"claim bytes", &ed25519_dalek::Signature::from_slice(&sig).unwrap()).unwrap();
        let chain = s.certs().unwrap();
        assert_eq!(chain.len(), 2);
        assert_eq!(chain[1], a.certificate_der());
        assert_eq!(facts_from_pem_chain(&s.certificate_chain_pem()).unwrap().dids, vec![DID.to_string()]);
        assert_eq!(format!("{s:?}"), format!("MediaSigner {{ did: {DID:?}, .. }}"), "Debug must not print the key");
        assert!(s.reserve_size() > chain[0].len() + chain[1].len());
    }
}
