//! The encrypted vault: the wallet seed at rest.
//!
//! A random 256-bit *wallet key* encrypts the 64-byte BIP-39 seed with XChaCha20-Poly1305.
//! The wallet key itself is kept two ways:
//! * wrapped by a key derived from the passphrase with Argon2id (parameters stored in the
//!   file), so the wallet opens anywhere with the passphrase; and
//! * optionally in the OS keyring (see [`crate::keystore`]), so it opens without typing it.
//!
//! The vault file (`vault.json`) is JSON, written atomically, mode 0600. Every ciphertext is
//! bound by its AEAD associated data to the vault format, the wallet id and (for the wrapped
//! key) the KDF parameters, so pieces cannot be swapped between vaults or parameters weakened.

use std::path::Path;

use argon2::{Algorithm, Argon2, Params, Version};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use chacha20poly1305::aead::{Aead, KeyInit, Payload};
use chacha20poly1305::{XChaCha20Poly1305, XNonce};
use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::fsutil;

/// Name of the vault file in the data folder.
pub const VAULT_FILE: &str = "vault.json";
/// The only vault format version this build reads and writes.
pub const VAULT_VERSION: u32 = 1;
const FORMAT: &str = "hallmark-vault";

/// Argon2id memory cost in KiB (64 MiB). Deliberately slow: it is what makes guessing passphrases costly.
pub const ARGON2_M_COST_KIB: u32 = 64 * 1024;
/// Argon2id iterations.
pub const ARGON2_T_COST: u32 = 3;
/// Argon2id lanes.
pub const ARGON2_P_COST: u32 = 1;
/// Shortest passphrase accepted for a new wallet or a passphrase change.
pub const MIN_PASSPHRASE_CHARS: usize = 8;

/// A 32-byte wallet key, wiped on drop.
pub type WalletKey = Zeroizing<[u8; 32]>;
/// The 64-byte BIP-39 seed, wiped on drop.
pub type Seed = Zeroizing<[u8; 64]>;

/// Errors reading, opening or writing the vault.
#[derive(Debug, thiserror::Error)]
pub enum VaultError {
    /// There is no vault file: no wallet has been created in this data folder.
    #[error("no wallet in {0}: create one with `hallmark init` or `hallmark restore`")]
    NoWallet(String),
    /// A vault file exists already where a new one was to be created.
    #[error(
        "a wallet already exists in {0}; nothing was changed (use another HALLMARK_HOME to create a second wallet)"
    )]
    AlreadyExists(String),
    /// The passphrase does not open the vault.
    #[error("wrong passphrase: the vault did not open and nothing was changed")]
    WrongPassphrase,
    /// The key held by the OS keyring does not open this vault.
    #[error("the key in the OS keyring does not open this wallet; run `hallmark lock` and unlock with the passphrase")]
    KeyringKeyMismatch,
    /// The file is not a readable vault (damaged, truncated or not a Hallmark vault).
    #[error("the vault file {path} is damaged or not a Hallmark vault ({reason}); it was left untouched — restore it from a backup or run `hallmark restore` with your recovery phrase in a new data folder")]
    Corrupt {
        /// The vault file.
        path: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The vault was written by a newer Hallmark.
    #[error("the vault {path} has format version {found}, newer than this Hallmark understands ({VAULT_VERSION}); upgrade Hallmark")]
    TooNew {
        /// The vault file.
        path: String,
        /// Its version.
        found: u32,
    },
    /// The new passphrase is too short.
    #[error("the passphrase must have at least {MIN_PASSPHRASE_CHARS} characters")]
    WeakPassphrase,
    /// Encryption or key derivation failed.
    #[error("vault cryptography failed: {0}")]
    Crypto(String),
    /// Reading or writing the file failed.
    #[error("could not {action} {path}: {source}")]
    Io {
        /// What was being done.
        action: &'static str,
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// Argon2id parameters, stored beside the ciphertext.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KdfParams {
    /// Always `"argon2id"`.
    pub alg: String,
    /// Argon2 version (19 = 0x13).
    pub version: u32,
    /// Memory cost in KiB.
    pub m_cost_kib: u32,
    /// Iterations.
    pub t_cost: u32,
    /// Parallelism.
    pub p_cost: u32,
    /// Random 16-byte salt, base64.
    pub salt: String,
}

/// One XChaCha20-Poly1305 ciphertext.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Sealed {
    /// Always `"xchacha20poly1305"`.
    pub alg: String,
    /// 24-byte nonce, base64.
    pub nonce: String,
    /// Ciphertext with its 16-byte tag, base64.
    pub ciphertext: String,
}

/// The vault file's contents. Holds no secret in the clear.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Vault {
    /// Always `"hallmark-vault"`.
    pub format: String,
    /// Format version ([`VAULT_VERSION`]).
    pub version: u32,
    /// Random id of this wallet (hex), also names its OS keyring entry.
    pub wallet_id: String,
    /// When the wallet was created (RFC 3339).
    pub created_at: String,
    /// Passphrase key derivation.
    pub kdf: KdfParams,
    /// The wallet key, encrypted under the passphrase-derived key.
    pub wrapped_key: Sealed,
    /// The seed, encrypted under the wallet key.
    pub seed: Sealed,
}

fn random<const N: usize>() -> Result<[u8; N], VaultError> {
    let mut b = [0u8; N];
    getrandom::fill(&mut b).map_err(|e| VaultError::Crypto(format!("system random number generator: {e}")))?;
    Ok(b)
}

fn seal(key: &[u8; 32], plaintext: &[u8], aad: &[u8]) -> Result<Sealed, VaultError> {
    let cipher = XChaCha20Poly1305::new_from_slice(key).map_err(|e| VaultError::Crypto(e.to_string()))?;
    let nonce_bytes = random::<24>()?;
    let nonce = XNonce::try_from(&nonce_bytes[..]).map_err(|_| VaultError::Crypto("nonce length".into()))?;
    let ciphertext = cipher
        .encrypt(&nonce, Payload { msg: plaintext, aad })
        .map_err(|_| VaultError::Crypto("encryption failed".into()))?;
    Ok(Sealed { alg: "xchacha20poly1305".into(), nonce: B64.encode(nonce_bytes), ciphertext: B64.encode(ciphertext) })
}

/// Decrypts; `None` when the key is wrong or the ciphertext was altered.
fn open(key: &[u8; 32], sealed: &Sealed, aad: &[u8]) -> Option<Zeroizing<Vec<u8>>> {
    let cipher = XChaCha20Poly1305::new_from_slice(key).ok()?;
    let nonce_bytes = B64.decode(&sealed.nonce).ok()?;
    let nonce = XNonce::try_from(&nonce_bytes[..]).ok()?;
    let ct = B64.decode(&sealed.ciphertext).ok()?;
    cipher.decrypt(&nonce, Payload { msg: &ct, aad }).ok().map(Zeroizing::new)
}

fn derive_passphrase_key(passphrase: &str, kdf: &KdfParams) -> Result<WalletKey, VaultError> {
    let salt = B64.decode(&kdf.salt).map_err(|e| VaultError::Crypto(format!("salt: {e}")))?;
    let params = Params::new(kdf.m_cost_kib, kdf.t_cost, kdf.p_cost, Some(32))
        .map_err(|e| VaultError::Crypto(format!("Argon2id parameters: {e}")))?;
    let mut out = Zeroizing::new([0u8; 32]);
    Argon2::new(Algorithm::Argon2id, Version::V0x13, params)
        .hash_password_into(passphrase.as_bytes(), &salt, out.as_mut())
        .map_err(|e| VaultError::Crypto(format!("Argon2id: {e}")))?;
    Ok(out)
}

/// Checks that a new passphrase is acceptable (at least [`MIN_PASSPHRASE_CHARS`] characters),
/// so callers can refuse it before doing anything else.
pub fn check_passphrase_strength(passphrase: &str) -> Result<(), VaultError> {
    if passphrase.chars().count() < MIN_PASSPHRASE_CHARS {
        return Err(VaultError::WeakPassphrase);
    }
    Ok(())
}

impl Vault {
    fn wrap_aad(&self) -> Vec<u8> {
        let k = &self.kdf;
        format!(
            "{FORMAT} v{} wallet-key {} {} v{} m={} t={} p={} salt={}",
            self.version, self.wallet_id, k.alg, k.version, k.m_cost_kib, k.t_cost, k.p_cost, k.salt
        )
        .into_bytes()
    }

    fn seed_aad(&self) -> Vec<u8> {
        format!("{FORMAT} v{} seed {}", self.version, self.wallet_id).into_bytes()
    }

    /// Creates a vault for `seed`, protected by `passphrase`. Returns the vault and its new wallet key
    /// (for the OS keyring). Nothing is written yet: see [`Vault::write_new`].
    pub fn create(seed: &[u8; 64], passphrase: &str, created_at: String) -> Result<(Vault, WalletKey), VaultError> {
        check_passphrase_strength(passphrase)?;
        let wallet_key: WalletKey = Zeroizing::new(random::<32>()?);
        let mut vault = Vault {
            format: FORMAT.into(),
            version: VAULT_VERSION,
            wallet_id: hex::encode(random::<16>()?),
            created_at,
            kdf: Self::new_kdf()?,
            wrapped_key: Sealed { alg: String::new(), nonce: String::new(), ciphertext: String::new() },
            seed: Sealed { alg: String::new(), nonce: String::new(), ciphertext: String::new() },
        };
        vault.seed = seal(&wallet_key, seed, &vault.seed_aad())?;
        vault.wrap(&wallet_key, passphrase)?;
        Ok((vault, wallet_key))
    }

    fn new_kdf() -> Result<KdfParams, VaultError> {
        Ok(KdfParams {
            alg: "argon2id".into(),
            version: 0x13,
            m_cost_kib: ARGON2_M_COST_KIB,
            t_cost: ARGON2_T_COST,
            p_cost: ARGON2_P_COST,
            salt: B64.encode(random::<16>()?),
        })
    }

    fn wrap(&mut self, wallet_key: &[u8; 32], passphrase: &str) -> Result<(), VaultError> {
        let pk = derive_passphrase_key(passphrase, &self.kdf)?;
        self.wrapped_key = seal(&pk, wallet_key, &self.wrap_aad())?;
        Ok(())
    }

    /// Reads and checks the vault file in `dir`, without decrypting anything.
    pub fn load(dir: &Path) -> Result<Vault, VaultError> {
        let path = dir.join(VAULT_FILE);
        let shown = path.display().to_string();
        let bytes = match std::fs::read(&path) {
            Ok(b) => b,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                return Err(VaultError::NoWallet(dir.display().to_string()))
            }
            Err(source) => return Err(VaultError::Io { action: "read", path: shown, source }),
        };
        let corrupt = |reason: String| VaultError::Corrupt { path: shown.clone(), reason };
        let value: serde_json::Value =
            serde_json::from_slice(&bytes).map_err(|e| corrupt(format!("not valid JSON: {e}")))?;
        if value.get("format").and_then(|f| f.as_str()) != Some(FORMAT) {
            return Err(corrupt("missing the \"hallmark-vault\" format marker".into()));
        }
        if let Some(found) = value.get("version").and_then(|v| v.as_u64()) {
            if found > u64::from(VAULT_VERSION) {
                return Err(VaultError::TooNew { path: shown, found: found as u32 });
            }
        }
        let vault: Vault = serde_json::from_value(value).map_err(|e| corrupt(format!("unexpected structure: {e}")))?;
        if vault.version != VAULT_VERSION {
            return Err(corrupt(format!("unknown version {}", vault.version)));
        }
        let k = &vault.kdf;
        if k.alg != "argon2id" || k.version != 0x13 {
            return Err(corrupt(format!("unsupported key derivation {} v{}", k.alg, k.version)));
        }
        // Refuse weakened parameters: a tampered file must not make guessing cheap.
        if k.m_cost_kib < ARGON2_M_COST_KIB || k.t_cost < ARGON2_T_COST || k.p_cost < 1 {
            return Err(corrupt("Argon2id parameters below Hallmark's minimum".into()));
        }
        for (name, s) in [("wrapped key", &vault.wrapped_key), ("seed", &vault.seed)] {
            if s.alg != "xchacha20poly1305" {
                return Err(corrupt(format!("{name}: unsupported cipher {}", s.alg)));
            }
            let nonce_ok = B64.decode(&s.nonce).map(|n| n.len() == 24).unwrap_or(false);
            let expected = if name == "seed" { 64 + 16 } else { 32 + 16 };
            let ct_ok = B64.decode(&s.ciphertext).map(|c| c.len() == expected).unwrap_or(false);
            if !nonce_ok || !ct_ok {
                return Err(corrupt(format!("{name}: nonce or ciphertext has the wrong length")));
            }
        }
        Ok(vault)
    }

    /// Writes a new vault into `dir`; fails if one exists (an existing wallet is never overwritten).
    pub fn write_new(&self, dir: &Path) -> Result<(), VaultError> {
        let path = dir.join(VAULT_FILE);
        if path.exists() {
            return Err(VaultError::AlreadyExists(dir.display().to_string()));
        }
        self.write(dir)
    }

    fn write(&self, dir: &Path) -> Result<(), VaultError> {
        let path = dir.join(VAULT_FILE);
        let json = serde_json::to_vec_pretty(self).map_err(|e| VaultError::Crypto(e.to_string()))?;
        fsutil::atomic_write(&path, &json, true).map_err(|source| VaultError::Io {
            action: "write",
            path: path.display().to_string(),
            source,
        })
    }

    /// Unwraps the wallet key with the passphrase (slow by design: Argon2id).
    pub fn unwrap_key(&self, passphrase: &str) -> Result<WalletKey, VaultError> {
        let pk = derive_passphrase_key(passphrase, &self.kdf)?;
        let key = open(&pk, &self.wrapped_key, &self.wrap_aad()).ok_or(VaultError::WrongPassphrase)?;
        let mut out = Zeroizing::new([0u8; 32]);
        out.copy_from_slice(&key);
        Ok(out)
    }

    /// Decrypts the seed with the wallet key; `None` if the key is not this vault's.
    pub fn open_seed(&self, wallet_key: &[u8; 32]) -> Option<Seed> {
        let seed = open(wallet_key, &self.seed, &self.seed_aad())?;
        let mut out = Zeroizing::new([0u8; 64]);
        out.copy_from_slice(&seed);
        Some(out)
    }

    /// Re-wraps the wallet key under `new_passphrase` (fresh salt) and replaces the file atomically.
    /// The seed ciphertext and the keyring entry are unchanged.
    pub fn change_passphrase(
        &mut self,
        dir: &Path,
        old_passphrase: &str,
        new_passphrase: &str,
    ) -> Result<(), VaultError> {
        check_passphrase_strength(new_passphrase)?;
        let key = self.unwrap_key(old_passphrase)?;
        let mut updated = self.clone();
        updated.kdf = Self::new_kdf()?;
        updated.wrap(&key, new_passphrase)?;
        updated.write(dir)?;
        *self = updated;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn new_vault() -> (tempfile::TempDir, Vault, [u8; 64]) {
        let dir = tempfile::tempdir().unwrap();
        let seed = [42u8; 64];
        let (v, _) = Vault::create(&seed, "correct horse", "2026-01-01T00:00:00Z".into()).unwrap();
        v.write_new(dir.path()).unwrap();
        (dir, v, seed)
    }

    #[test]
    fn roundtrip_with_passphrase_and_key() {
        let (dir, _, seed) = new_vault();
        let v = Vault::load(dir.path()).unwrap();
        let key = v.unwrap_key("correct horse").unwrap();
        assert_eq!(*v.open_seed(&key).unwrap(), seed);
        assert!(v.open_seed(&[0u8; 32]).is_none());
        let text = std::fs::read_to_string(dir.path().join(VAULT_FILE)).unwrap();
        assert!(!text.contains(&B64.encode(seed)) && !text.contains(&hex::encode(seed)));
        assert_eq!(v.kdf.m_cost_kib, 65536);
    }

    #[test]
    fn wrong_passphrase_is_specific() {
        let (dir, v, _) = new_vault();
        assert!(matches!(v.unwrap_key("incorrect horse"), Err(VaultError::WrongPassphrase)));
        assert!(matches!(Vault::create(&[0; 64], "short", String::new()), Err(VaultError::WeakPassphrase)));
        assert!(matches!(v.write_new(dir.path()), Err(VaultError::AlreadyExists(_))));
    }

    #[test]
    fn change_passphrase_keeps_seed_and_rejects_old() {
        let (dir, mut v, seed) = new_vault();
        let key_before = v.unwrap_key("correct horse").unwrap();
        v.change_passphrase(dir.path(), "correct horse", "battery staple").unwrap();
        let v = Vault::load(dir.path()).unwrap();
        assert!(matches!(v.unwrap_key("correct horse"), Err(VaultError::WrongPassphrase)));
        let key = v.unwrap_key("battery staple").unwrap();
        assert_eq!(*key, *key_before, "the wallet key (and so the keyring entry) stays the same");
        assert_eq!(*v.open_seed(&key).unwrap(), seed);
    }

    #[test]
    fn tampering_is_detected() {
        let (dir, v, _) = new_vault();
        // Weakened KDF parameters are refused outright.
        let mut weak = serde_json::to_value(&v).unwrap();
        weak["kdf"]["m_cost_kib"] = 8.into();
        std::fs::write(dir.path().join(VAULT_FILE), serde_json::to_vec(&weak).unwrap()).unwrap();
        assert!(matches!(Vault::load(dir.path()), Err(VaultError::Corrupt { .. })));
        // A wallet id swapped in breaks the AEAD binding.
        let mut swapped = v.clone();
        swapped.wallet_id = "00".repeat(16);
        assert!(matches!(swapped.unwrap_key("correct horse"), Err(VaultError::WrongPassphrase)));
        let key = v.unwrap_key("correct horse").unwrap();
        assert!(swapped.open_seed(&key).is_none());
        // Truncated and newer files.
        std::fs::write(dir.path().join(VAULT_FILE), &serde_json::to_vec(&v).unwrap()[..40]).unwrap();
        assert!(matches!(Vault::load(dir.path()), Err(VaultError::Corrupt { .. })));
        let mut newer = serde_json::to_value(&v).unwrap();
        newer["version"] = 9.into();
        std::fs::write(dir.path().join(VAULT_FILE), serde_json::to_vec(&newer).unwrap()).unwrap();
        assert!(matches!(Vault::load(dir.path()), Err(VaultError::TooNew { found: 9, .. })));
        let empty = tempfile::tempdir().unwrap();
        assert!(matches!(Vault::load(empty.path()), Err(VaultError::NoWallet(_))));
    }
}
