//! Content signing with the wallet's identities: a C2PA signer for one identity, and the wallet's
//! media CA certificate that verifiers can trust. See `crate::manifest` for signing and reading.

use crate::keys::KeyType;
use crate::manifest::{ManifestError, MediaSigner, WalletCa};

use super::{UnlockedWallet, WalletError};

impl UnlockedWallet {
    /// A C2PA signer for the wallet's identity `did`: its Ed25519 key and a certificate the
    /// wallet's media CA issues now, with the DID as subject alternative name and the identity's
    /// label as common name. Only Ed25519 identities (did:key, did:jwk, did:web) can sign media;
    /// did:pkh (secp256k1) is refused with `not_ed25519_identity`.
    pub fn media_signer(&self, did: &str) -> Result<MediaSigner, WalletError> {
        let id = self.wallet.identity(did)?;
        if id.key_type != KeyType::Ed25519.as_str() {
            return Err(ManifestError::NotEd25519 { did: id.did }.into());
        }
        let key = self.ed25519_signing_key(&id)?;
        let ca = WalletCa::from_seed(self.seed.as_ref())?;
        Ok(MediaSigner::issue(&ca, key, &id.did, id.label.as_deref())?)
    }

    /// The wallet's media CA certificate (PEM). The same after a restore from the recovery phrase;
    /// a verifier who adds it to its trust anchors sees this wallet's signatures as trusted.
    pub fn media_ca_certificate_pem(&self) -> Result<String, WalletError> {
        Ok(WalletCa::from_seed(self.seed.as_ref())?.certificate_pem())
    }
}

#[cfg(test)]
mod tests {
    use zeroize::Zeroizing;

    use crate::manifest::{self, SignOptions, Verdict, VerifyOptions};
    use crate::{DidMethod, KeyringMode, RecoveryPhrase, Wallet};

    use super::*;

    const JUNK: &str = "test test test test test test test test test test test junk";

    fn jpeg() -> Vec<u8> {
        let img = image::RgbImage::from_fn(32, 24, |x, y| image::Rgb([(x * 8) as u8, (y * 10) as u8, 90]));
        let mut out = std::io::Cursor::new(Vec::new());
        img.write_to(&mut out, image::ImageFormat::Jpeg).unwrap();
        out.into_inner()
    }

    #[test]
    fn signs_as_an_identity_and_a_restored_wallet_has_the_same_ca() {
        let phrase = RecoveryPhrase::parse(JUNK).unwrap();
        let dir = tempfile::tempdir().unwrap();
        Wallet::create(dir.path(), &phrase, "passphrase-1", KeyringMode::None).unwrap();
        let mut u = Wallet::open(dir.path(), KeyringMode::None)
            .unwrap()
            .unlock(|| Ok(Zeroizing::new("passphrase-1".into())))
            .unwrap();
        let key_id = u.new_identity(DidMethod::Key, Some("Ana Lima".into()), None).unwrap();
        let web = u.new_identity(DidMethod::Web, None, Some("photos.example")).unwrap();
        let pkh = u.new_identity(DidMethod::Pkh, None, None).unwrap();

        let ca_pem = u.media_ca_certificate_pem().unwrap();
        let signer = u.media_signer(&key_id.did).unwrap();
        assert_eq!(signer.did(), key_id.did);
        let signed = manifest::sign_bytes(&signer, &jpeg(), "image/jpeg", &SignOptions::default()).unwrap();

        // Untrusted without the CA; valid once the wallet's CA is a trust anchor.
        let r = manifest::verify_bytes(&signed.bytes, "jpg", &VerifyOptions::default()).unwrap();
        assert_eq!(r.verdict, Verdict::UntrustedSigner, "{:?}", r.failures);
        let m = r.manifest.unwrap();
        assert_eq!(m.signer.did.as_deref(), Some(key_id.did.as_str()));
        assert_eq!(m.signer.common_name.as_deref(), Some("Ana Lima"));
        let trusted = VerifyOptions { trust_anchors: vec![ca_pem.clone()] };
        let r = manifest::verify_bytes(&signed.bytes, "jpg", &trusted).unwrap();
        assert_eq!(r.verdict, Verdict::Valid, "{:?}", r.failures);

        // did:web signs too; did:pkh is refused clearly.
        let w = u.media_signer(&web.did).unwrap();
        assert_eq!(w.did(), "did:web:photos.example");
        let e = u.media_signer(&pkh.did).unwrap_err();
        assert_eq!(e.code(), "not_ed25519_identity");
        assert!(e.to_string().contains("did:key, did:jwk or did:web"), "{e}");
        assert_eq!(
            u.media_signer("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp").unwrap_err().code(),
            "not_in_wallet"
        );
        drop(u);

        // Restore the same phrase elsewhere: same CA certificate, so the old anchor still trusts
        // what the restored wallet signs.
        let dir2 = tempfile::tempdir().unwrap();
        Wallet::create(dir2.path(), &phrase, "passphrase-2", KeyringMode::None).unwrap();
        let mut u2 = Wallet::open(dir2.path(), KeyringMode::None)
            .unwrap()
            .unlock(|| Ok(Zeroizing::new("passphrase-2".into())))
            .unwrap();
        assert_eq!(u2.media_ca_certificate_pem().unwrap(), ca_pem);
        let again = u2.new_identity(DidMethod::Key, None, None).unwrap();
        assert_eq!(again.did, key_id.did);
        let s2 = u2.media_signer(&again.did).unwrap();
        let signed2 = manifest::sign_bytes(&s2, &jpeg(), "image/jpeg", &SignOptions::default()).unwrap();
        assert_eq!(manifest::verify_bytes(&signed2.bytes, "jpg", &trusted).unwrap().verdict, Verdict::Valid);
        // Another wallet's CA does not vouch for it.
        let other = WalletCa::from_seed(&[1u8; 64]).unwrap().certificate_pem();
        let r = manifest::verify_bytes(&signed2.bytes, "jpg", &VerifyOptions { trust_anchors: vec![other] }).unwrap();
        assert_eq!(r.verdict, Verdict::UntrustedSigner);
    }
}
