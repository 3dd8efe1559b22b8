//! The wallet: one recovery phrase, its encrypted vault, its identities and its store,
//! tied together in a data folder. This is the API the CLI and the app call.
//!
//! A [`Wallet`] is opened without any secret (listing identities, status). Commands that
//! derive keys [`Wallet::unlock`] it into an [`UnlockedWallet`], through the OS keyring when
//! it holds the wallet key, or with the passphrase.

use std::path::{Path, PathBuf};

use serde::Serialize;
use zeroize::Zeroizing;

use crate::did::{self, DidError, DidMethod};
use crate::keys::{self, KeyError, KeyType};
use crate::keystore::{KeyringMode, KeyringState, Keystore, KeystoreError};
use crate::mnemonic::{MnemonicError, RecoveryPhrase};
use crate::store::{self, Identity, NewIdentity, Store, StoreError};
use crate::vault::{Seed, Vault, VaultError};

pub mod attest;
mod credentials;
pub mod log;
mod media;
pub(crate) use credentials::keep_status_lists;
pub use credentials::Issued;
pub use media::{
    verify_media, BatchReport, FailedItem, FindReport, HumanityCheck, KeyBinding, MediaMatch, MediaVerification,
    SignEvent, SignJob, SignOutput, SignedItem, SignerTrust, IMPOSTOR_CODE, MAX_MEDIA_BYTES,
};

/// Environment variable naming the data folder.
pub const ENV_HOME: &str = "HALLMARK_HOME";
const META_WALLET_ID: &str = "wallet_id";
const META_ETH_ADDRESS: &str = "ethereum_address";
const META_LOCK_MINUTES: &str = "lock_timeout_minutes";

/// Errors from wallet operations. Each says what failed and what to do.
#[derive(Debug, thiserror::Error)]
pub enum WalletError {
    /// Vault problems (no wallet, wrong passphrase, damaged file…).
    #[error(transparent)]
    Vault(#[from] VaultError),
    /// Database problems.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Keyring problems that stop the operation.
    #[error(transparent)]
    Keystore(#[from] KeystoreError),
    /// DID problems.
    #[error(transparent)]
    Did(#[from] DidError),
    /// Key derivation problems.
    #[error(transparent)]
    Key(#[from] KeyError),
    /// Recovery phrase problems.
    #[error(transparent)]
    Mnemonic(#[from] MnemonicError),
    /// Credential problems.
    #[error(transparent)]
    Credential(#[from] crate::credential::CredentialError),
    /// Activity log problems (a locked wallet cannot sign entries; an unreadable export).
    #[error(transparent)]
    Activity(#[from] crate::activity::ActivityError),
    /// Attestation problems (networks, the chain, the queue).
    #[error(transparent)]
    Attest(#[from] crate::attest::AttestError),
    /// Community problems (requests, vouches, moderators, members).
    #[error(transparent)]
    Community(#[from] crate::community::CommunityError),
    /// Content credentials problems (signing or verifying media).
    #[error(transparent)]
    Manifest(#[from] crate::manifest::ManifestError),
    /// A media file could not be fingerprinted (looked up).
    #[error(transparent)]
    Fingerprint(#[from] crate::fingerprint::FingerprintError),
    /// The media files to sign or look up: none found, a bad pattern, a file too large.
    #[error("{message}")]
    Media {
        /// Stable code: `input_not_found`, `bad_pattern`, `too_large`, `read_failed`.
        code: &'static str,
        /// What went wrong and what to do.
        message: String,
    },
    /// The wallet is locked and no passphrase was given.
    #[error("the wallet is locked and no passphrase was given: set HALLMARK_PASSPHRASE, pass --passphrase-file FILE, or run in a terminal to be asked")]
    NeedPassphrase,
    /// The data folder could not be determined.
    #[error("could not determine a data folder: set HALLMARK_HOME")]
    NoHome,
    /// The database belongs to another wallet than the vault.
    #[error("the database in {0} belongs to a different wallet than its vault; nothing was changed — point HALLMARK_HOME at the right folder")]
    Mismatch(String),
    /// The DID is not one of this wallet's identities.
    #[error("{0} is not an identity in this wallet (see `hallmark did list`)")]
    NotInWallet(String),
    /// The passphrase could not be read.
    #[error("could not read the passphrase: {0}")]
    PassphraseInput(String),
    /// The session is locked.
    #[error("the wallet is locked: unlock it with your passphrase first")]
    Locked,
    /// No new recovery phrase is waiting to be confirmed.
    #[error("no new recovery phrase is waiting to be confirmed: start creating the wallet again")]
    NoPendingPhrase,
    /// A word typed back at wallet creation is not the phrase's word.
    #[error("word #{0} is not the word of your recovery phrase: check what you wrote down (nothing was created)")]
    QuizMismatch(usize),
    /// A setting value out of range.
    #[error("{0}")]
    BadSetting(String),
    /// No stored credential has this id.
    #[error("no credential {0:?} in this wallet; `hallmark cred list` shows their ids")]
    NoSuchCredential(String),
    /// The credential was not issued by this wallet, so it cannot revoke it.
    #[error("{0} was not issued by this wallet: only its issuer can revoke it")]
    NotIssuedHere(String),
    /// A holder tried to present a credential about someone else.
    #[error(
        "{credential} is about {subject}, not about {holder}: a holder can only present credentials about themselves"
    )]
    NotSubject {
        /// The credential (local id or type).
        credential: String,
        /// Its subject.
        subject: String,
        /// The would-be holder.
        holder: String,
    },
}

impl WalletError {
    /// A stable, machine-readable code for this error, shared by the CLI (`--json` errors,
    /// exit codes) and the app (`{code, message}`). Codes never change meaning once published.
    pub fn code(&self) -> &'static str {
        match self {
            WalletError::Vault(e) => match e {
                VaultError::NoWallet(_) => "no_wallet",
                VaultError::AlreadyExists(_) => "wallet_exists",
                VaultError::WrongPassphrase => "wrong_passphrase",
                VaultError::KeyringKeyMismatch => "keyring_mismatch",
                VaultError::Corrupt { .. } => "damaged_data",
                VaultError::TooNew { .. } => "data_too_new",
                VaultError::WeakPassphrase => "weak_passphrase",
                VaultError::Crypto(_) => "crypto_failed",
                VaultError::Io { .. } => "io_failed",
            },
            WalletError::Store(e) => match e {
                StoreError::Corrupt { .. } => "damaged_data",
                StoreError::TooNew { .. } => "data_too_new",
                StoreError::Busy => "busy",
                StoreError::Duplicate(_) => "duplicate",
                StoreError::Kept(_) => "kept_for_revocation",
                StoreError::Sqlite(_) => "database_failed",
                StoreError::Io { .. } => "io_failed",
                StoreError::Log(e) => e.code(),
            },
            WalletError::Keystore(e) => match e {
                KeystoreError::BadMode(_) => "bad_keyring_mode",
                KeystoreError::Disabled => "keyring_disabled",
                KeystoreError::Unavailable(_) => "keyring_unavailable",
                KeystoreError::Failed(_) => "keyring_failed",
            },
            WalletError::Did(e) => match e {
                DidError::Malformed(_) | DidError::InvalidIdentifier(..) => "invalid_did",
                DidError::UnsupportedMethod(_) => "unsupported_did_method",
                DidError::BadDomain(..) | DidError::MissingDomain => "invalid_domain",
                DidError::NotFound(_) => "did_not_found",
                DidError::Unreachable { .. } => "did_unreachable",
                DidError::Timeout(..) => "did_timeout",
                DidError::InvalidDocument(..) => "invalid_did_document",
                DidError::Generate(_) => "did_failed",
            },
            WalletError::Key(_) => "key_derivation_failed",
            WalletError::Credential(e) => e.code(),
            WalletError::Community(e) => e.code(),
            WalletError::Attest(e) => e.code(),
            WalletError::Activity(e) => e.code(),
            WalletError::Manifest(e) => e.code(),
            WalletError::Fingerprint(e) => e.code(),
            WalletError::Media { code, .. } => code,
            WalletError::Mnemonic(e) => match e {
                MnemonicError::Random(_) => "random_failed",
                _ => "invalid_phrase",
            },
            WalletError::NeedPassphrase => "need_passphrase",
            WalletError::NoHome => "no_data_folder",
            WalletError::Mismatch(_) => "wallet_mismatch",
            WalletError::NotInWallet(_) => "not_in_wallet",
            WalletError::PassphraseInput(_) => "passphrase_input_failed",
            WalletError::Locked => "locked",
            WalletError::NoPendingPhrase => "no_pending_phrase",
            WalletError::QuizMismatch(_) => "quiz_mismatch",
            WalletError::BadSetting(_) => "bad_setting",
            WalletError::NoSuchCredential(_) => "no_such_credential",
            WalletError::NotIssuedHere(_) => "not_issued_here",
            WalletError::NotSubject { .. } => "not_subject",
        }
    }
}

/// The data folder: `HALLMARK_HOME`, else the per-OS data directory.
pub fn default_home() -> Result<PathBuf, WalletError> {
    if let Some(h) = std::env::var_os(ENV_HOME).filter(|h| !h.is_empty()) {
        return Ok(PathBuf::from(h));
    }
    directories::ProjectDirs::from("org", "Hallmark", "hallmark")
        .map(|d| d.data_dir().to_path_buf())
        .ok_or(WalletError::NoHome)
}

/// How a wallet was unlocked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum UnlockedBy {
    /// The OS keyring held the wallet key.
    Keyring,
    /// The passphrase unwrapped it.
    Passphrase,
}

/// What `create`/`restore` did, for the person to read. No secret in it.
#[derive(Debug, Clone, Serialize)]
pub struct Created {
    /// The data folder.
    pub home: String,
    /// The new wallet's id.
    pub wallet_id: String,
    /// Ethereum account 0 (`m/44'/60'/0'/0/0`).
    pub ethereum_address: String,
    /// Whether the OS keyring now holds the wallet key.
    pub keyring: KeyringState,
    /// Why the keyring was not used, when it was not.
    pub keyring_note: Option<String>,
}

/// A wallet's public status.
#[derive(Debug, Clone, Serialize)]
pub struct Status {
    /// The data folder.
    pub home: String,
    /// The wallet id.
    pub wallet_id: String,
    /// When the wallet was created.
    pub created_at: String,
    /// Ethereum account 0.
    pub ethereum_address: Option<String>,
    /// Keyring state.
    pub keyring: KeyringState,
    /// Number of identities.
    pub identities: usize,
    /// Database schema version.
    pub schema_version: i64,
}

/// A wallet opened without secrets.
pub struct Wallet {
    home: PathBuf,
    vault: Vault,
    store: Store,
    keystore: Keystore,
}

impl std::fmt::Debug for Wallet {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Wallet").field("home", &self.home).field("wallet_id", &self.vault.wallet_id).finish()
    }
}

impl Wallet {
    /// Creates a wallet in `home` from `phrase`, protected by `passphrase`, and (in
    /// [`KeyringMode::Os`]) remembers its key in the OS keyring. Refuses to overwrite a wallet.
    pub fn create(
        home: &Path,
        phrase: &RecoveryPhrase,
        passphrase: &str,
        mode: KeyringMode,
    ) -> Result<Created, WalletError> {
        crate::fsutil::ensure_private_dir(home).map_err(|source| VaultError::Io {
            action: "create",
            path: home.display().to_string(),
            source,
        })?;
        match Vault::load(home) {
            Err(VaultError::NoWallet(_)) => {}
            Ok(_) => return Err(VaultError::AlreadyExists(home.display().to_string()).into()),
            Err(e) => return Err(e.into()),
        }
        let seed = phrase.to_seed();
        let eth = keys::ethereum_key(seed.as_ref(), 0)?;
        let ethereum_address = did::ethereum_address(eth.public_compressed())?;
        let (vault, wallet_key) = Vault::create(&seed, passphrase, store::now_rfc3339())?;
        let store = Store::open(home)?;
        if store.meta(META_WALLET_ID)?.is_some() {
            // A database from another wallet sits here without its vault: never mix the two.
            return Err(WalletError::Mismatch(home.display().to_string()));
        }
        vault.write_new(home)?;
        store.set_meta(META_WALLET_ID, &vault.wallet_id)?;
        store.set_meta(META_ETH_ADDRESS, &ethereum_address)?;
        let keystore = Keystore::new(mode, &vault.wallet_id);
        let (keyring, keyring_note) = match keystore.store(&wallet_key) {
            Ok(()) => (KeyringState::Unlocked, None),
            Err(KeystoreError::Disabled) => (KeyringState::Disabled, None),
            Err(e) => {
                tracing::warn!("wallet key not saved in the OS keyring: {e}");
                (KeyringState::Unavailable, Some(e.to_string()))
            }
        };
        tracing::info!(wallet_id = %vault.wallet_id, "wallet created");
        Ok(Created {
            home: home.display().to_string(),
            wallet_id: vault.wallet_id,
            ethereum_address,
            keyring,
            keyring_note,
        })
    }

    /// Opens the wallet in `home` without unlocking it.
    pub fn open(home: &Path, mode: KeyringMode) -> Result<Wallet, WalletError> {
        let vault = Vault::load(home)?;
        let store = Store::open(home)?;
        match store.meta(META_WALLET_ID)? {
            Some(id) if id != vault.wallet_id => return Err(WalletError::Mismatch(home.display().to_string())),
            Some(_) => {}
            // The vault was written but the process stopped before the database was stamped.
            None => store.set_meta(META_WALLET_ID, &vault.wallet_id)?,
        }
        let keystore = Keystore::new(mode, &vault.wallet_id);
        Ok(Wallet { home: home.to_path_buf(), vault, store, keystore })
    }

    /// Who signs activity log entries for this wallet (set while unlocked).
    pub(crate) fn log_signer(&self) -> Option<std::sync::Arc<dyn crate::activity::LogSigner>> {
        self.store.log_signer()
    }

    /// The data folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Public status: ids, keyring state, counts. Needs no secret.
    pub fn status(&self) -> Result<Status, WalletError> {
        Ok(Status {
            home: self.home.display().to_string(),
            wallet_id: self.vault.wallet_id.clone(),
            created_at: self.vault.created_at.clone(),
            ethereum_address: self.store.meta(META_ETH_ADDRESS)?,
            keyring: self.keystore.state(),
            identities: self.store.identities()?.len(),
            schema_version: self.store.schema_version()?,
        })
    }

    /// All identities, oldest first.
    pub fn identities(&self) -> Result<Vec<Identity>, WalletError> {
        Ok(self.store.identities()?)
    }

    /// One identity by DID.
    pub fn identity(&self, did: &str) -> Result<Identity, WalletError> {
        let parsed = did::parse(did)?;
        self.store.identity(parsed.as_str())?.ok_or_else(|| WalletError::NotInWallet(parsed.to_string()))
    }

    /// The DID document of one of this wallet's identities, built locally (no network):
    /// for did:web, the document to publish.
    pub async fn document(&self, did: &str) -> Result<serde_json::Value, WalletError> {
        let id = self.identity(did)?;
        if id.method == "web" {
            let vk = ed25519_public(&id)?;
            return Ok(did::did_web_document(&id.did, &vk)?);
        }
        Ok(did::resolve(&id.did, did::DEFAULT_RESOLVE_TIMEOUT).await?)
    }

    /// The app's auto-lock time in minutes (0: never).
    pub fn lock_timeout_minutes(&self) -> Result<u32, WalletError> {
        Ok(self
            .store
            .meta(META_LOCK_MINUTES)?
            .and_then(|v| v.parse().ok())
            .unwrap_or(crate::session::DEFAULT_LOCK_MINUTES))
    }

    /// Sets the app's auto-lock time in minutes (0: never; at most a day).
    pub fn set_lock_timeout_minutes(&self, minutes: u32) -> Result<(), WalletError> {
        if minutes > crate::session::MAX_LOCK_MINUTES {
            return Err(WalletError::BadSetting(format!(
                "the lock timeout is at most {} minutes (a day); 0 means never",
                crate::session::MAX_LOCK_MINUTES
            )));
        }
        self.store.set_meta(META_LOCK_MINUTES, &minutes.to_string())?;
        Ok(())
    }

    /// Removes the wallet key from the OS keyring; afterwards the passphrase is needed.
    /// Returns whether a key was there.
    pub fn lock(&self) -> Result<bool, WalletError> {
        match self.keystore.remove() {
            Ok(had) => Ok(had),
            // Nothing can be stored where there is no keyring: already locked.
            Err(KeystoreError::Disabled | KeystoreError::Unavailable(_)) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Changes the passphrase (the old one is required); the file is replaced atomically.
    pub fn change_passphrase(&mut self, old: &str, new: &str) -> Result<(), WalletError> {
        let home = self.home.clone();
        self.vault.change_passphrase(&home, old, new)?;
        tracing::info!("passphrase changed");
        Ok(())
    }

    /// Unlocks: through the OS keyring if it holds the key, else with the passphrase that
    /// `passphrase` supplies (it is called only when needed).
    pub fn unlock(
        self,
        passphrase: impl FnOnce() -> Result<Zeroizing<String>, WalletError>,
    ) -> Result<UnlockedWallet, WalletError> {
        match self.keystore.load() {
            Ok(Some(key)) => {
                let seed = self.vault.open_seed(&key).ok_or(VaultError::KeyringKeyMismatch)?;
                tracing::debug!("unlocked through the OS keyring");
                return Ok(UnlockedWallet::new(self, seed, UnlockedBy::Keyring));
            }
            Ok(None) | Err(KeystoreError::Disabled) => {}
            Err(e) => tracing::warn!("{e}"),
        }
        let pass = passphrase()?;
        self.unlock_with_passphrase(&pass, false)
    }

    /// Unlocks with the passphrase, whatever the keyring holds (one Argon2id run). With
    /// `remember`, the OS keyring then keeps the wallet key, so later opens need no passphrase;
    /// a keyring that cannot keep it is reported in the log, not as a failure.
    pub fn unlock_with_passphrase(self, passphrase: &str, remember: bool) -> Result<UnlockedWallet, WalletError> {
        let key = self.vault.unwrap_key(passphrase)?;
        let seed = self.vault.open_seed(&key).ok_or_else(|| VaultError::Corrupt {
            path: self.home.join(crate::vault::VAULT_FILE).display().to_string(),
            reason: "the seed does not decrypt with the unwrapped wallet key".into(),
        })?;
        if remember {
            match self.keystore.store(&key) {
                Ok(()) | Err(KeystoreError::Disabled) => {}
                Err(e) => tracing::warn!("the wallet key was not kept in the OS keyring: {e}"),
            }
        }
        tracing::debug!("unlocked with the passphrase");
        Ok(UnlockedWallet::new(self, seed, UnlockedBy::Passphrase))
    }
}

fn ed25519_public(id: &Identity) -> Result<ed25519_dalek::VerifyingKey, WalletError> {
    let bytes: [u8; 32] = hex::decode(&id.public_key).ok().and_then(|b| b.try_into().ok()).ok_or_else(|| {
        StoreError::Corrupt { path: id.did.clone(), reason: "stored public key is not 32 bytes".into() }
    })?;
    ed25519_dalek::VerifyingKey::from_bytes(&bytes)
        .map_err(|_| StoreError::Corrupt { path: id.did.clone(), reason: "stored public key is invalid".into() }.into())
}

/// A wallet whose seed is in memory (wiped on drop). Keep it only as long as a command runs.
pub struct UnlockedWallet {
    wallet: Wallet,
    seed: Seed,
    by: UnlockedBy,
}

/// Signs activity log entries with keys derived from the seed (a copy, wiped on drop): the
/// Ed25519 key of an identity, or the Ethereum account's key for its did:pkh. Keys derived once
/// are kept (wiped on drop too) while the wallet stays unlocked: derivation costs more than signing.
struct SeedSigner {
    seed: Seed,
    ethereum_actor: Option<String>,
    ed25519: std::sync::Mutex<std::collections::HashMap<u32, (ed25519_dalek::SigningKey, String)>>,
    secp256k1: std::sync::Mutex<std::collections::HashMap<u32, std::sync::Arc<keys::Secp256k1Key>>>,
}

impl SeedSigner {
    fn ed25519_sign(
        &self,
        id: &Identity,
        message: &[u8],
    ) -> Result<crate::activity::EntrySig, crate::activity::ActivityError> {
        let failed = |e: &dyn std::fmt::Display| crate::activity::ActivityError::Sign(e.to_string());
        let mut cache = self.ed25519.lock().unwrap_or_else(|p| p.into_inner());
        let (key, vm) = match cache.entry(id.key_index) {
            std::collections::hash_map::Entry::Occupied(e) => e.into_mut(),
            std::collections::hash_map::Entry::Vacant(e) => {
                let key = keys::ed25519_identity_key(self.seed.as_ref(), id.key_index).map_err(|e| failed(&e))?;
                let vm = did::verification_method_id(&id.did).map_err(|e| failed(&e))?;
                e.insert((key, vm))
            }
        };
        Ok(crate::activity::sign_ed25519(key, vm, message))
    }

    fn secp256k1_sign(
        &self,
        index: u32,
        message: &[u8],
    ) -> Result<crate::activity::EntrySig, crate::activity::ActivityError> {
        let key = {
            let mut cache = self.secp256k1.lock().unwrap_or_else(|p| p.into_inner());
            match cache.get(&index) {
                Some(k) => k.clone(),
                None => {
                    let k = std::sync::Arc::new(
                        keys::ethereum_key(self.seed.as_ref(), index)
                            .map_err(|e| crate::activity::ActivityError::Sign(e.to_string()))?,
                    );
                    cache.insert(index, k.clone());
                    k
                }
            }
        };
        crate::activity::sign_eip191(&key, message)
    }
}

impl crate::activity::LogSigner for SeedSigner {
    fn sign(
        &self,
        actor: &str,
        identity: Option<&Identity>,
        message: &[u8],
    ) -> Result<crate::activity::EntrySig, crate::activity::ActivityError> {
        match identity {
            Some(id) if id.key_type == KeyType::Ed25519.as_str() => self.ed25519_sign(id, message),
            Some(id) => self.secp256k1_sign(id.key_index, message),
            None if self.ethereum_actor.as_deref() == Some(actor) => self.secp256k1_sign(0, message),
            None => Err(crate::activity::ActivityError::NotOurs(actor.to_string())),
        }
    }

    fn ethereum_actor(&self) -> Option<String> {
        self.ethereum_actor.clone()
    }
}

/// The did:pkh of a secp256k1 key (the wallet's Ethereum account), if it can be made.
pub(crate) fn ethereum_actor(key: &keys::Secp256k1Key) -> Option<String> {
    did::did_pkh(key.public_compressed()).ok()
}

impl UnlockedWallet {
    fn new(mut wallet: Wallet, seed: Seed, by: UnlockedBy) -> UnlockedWallet {
        let ethereum = keys::ethereum_key(seed.as_ref(), 0).ok();
        let signer = SeedSigner {
            seed: seed.clone(),
            ethereum_actor: ethereum.as_ref().and_then(ethereum_actor),
            ed25519: Default::default(),
            secp256k1: Default::default(),
        };
        wallet.store.set_log_signer(Some(std::sync::Arc::new(signer)));
        UnlockedWallet { wallet, seed, by }
    }

    /// How it was unlocked.
    pub fn unlocked_by(&self) -> UnlockedBy {
        self.by
    }

    /// The wallet, for read-only calls.
    pub fn wallet(&self) -> &Wallet {
        &self.wallet
    }

    /// The wallet, for calls that change records but need no secret (queueing attestations…).
    pub fn wallet_mut(&mut self) -> &mut Wallet {
        &mut self.wallet
    }

    /// Derives the next key for `method` and records a new identity.
    /// `domain` is required for did:web and ignored otherwise.
    pub fn new_identity(
        &mut self,
        method: DidMethod,
        label: Option<String>,
        domain: Option<&str>,
    ) -> Result<Identity, WalletError> {
        let web_did = match (method, domain) {
            (DidMethod::Web, Some(d)) => Some(did::did_web(d)?),
            (DidMethod::Web, None) => return Err(DidError::MissingDomain.into()),
            _ => None,
        };
        let label = label.map(|l| l.trim().to_string()).filter(|l| !l.is_empty());
        let seed = &self.seed;
        let identity =
            self.wallet.store.create_identity(method.key_type(), |index| -> Result<NewIdentity, WalletError> {
                let (did, public_key) = match method {
                    DidMethod::Pkh => {
                        let k = keys::ethereum_key(seed.as_ref(), index)?;
                        (did::did_pkh(k.public_compressed())?, hex::encode(k.public_compressed()))
                    }
                    _ => {
                        let vk = keys::ed25519_identity_key(seed.as_ref(), index)?.verifying_key();
                        let did = match method {
                            DidMethod::Key => did::did_key(&vk)?,
                            DidMethod::Jwk => did::did_jwk(&vk),
                            _ => web_did.clone().unwrap_or_default(),
                        };
                        (did, hex::encode(vk.to_bytes()))
                    }
                };
                let domain = web_did.as_ref().and(domain.map(|d| d.trim().to_string()));
                Ok(NewIdentity { did, method: method.as_str(), label: label.clone(), domain, public_key })
            })?;
        tracing::info!(did = %identity.did, "identity created");
        Ok(identity)
    }

    /// Signs `credential` (unsigned, VC 2.0) as the wallet's identity `issuer_did` with a Data
    /// Integrity `eddsa-rdfc-2022` proof. The credential's `issuer` must be that DID.
    pub async fn issue_credential(
        &self,
        issuer_did: &str,
        credential: serde_json::Value,
    ) -> Result<serde_json::Value, WalletError> {
        let id = self.wallet.identity(issuer_did)?;
        if credential.get("issuer").and_then(|i| i.as_str()) != Some(id.did.as_str()) {
            return Err(
                crate::credential::CredentialError::InvalidCredential(format!("its issuer is not {}", id.did)).into()
            );
        }
        let key = self.ed25519_signing_key(&id)?;
        let vm = did::verification_method_id(&id.did)?;
        Ok(crate::credential::issue_data_integrity(credential, &key, &vm, crate::credential::Suite::EddsaRdfc2022)
            .await?)
    }

    /// The Ed25519 signing key of one of this wallet's identities (did:key, did:jwk, did:web).
    pub fn ed25519_signing_key(&self, identity: &Identity) -> Result<ed25519_dalek::SigningKey, WalletError> {
        if identity.key_type != KeyType::Ed25519.as_str() {
            return Err(WalletError::NotInWallet(format!("{} (not an Ed25519 identity)", identity.did)));
        }
        Ok(keys::ed25519_identity_key(self.seed.as_ref(), identity.key_index)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const JUNK: &str = "test test test test test test test test test test test junk";

    #[test]
    fn create_unlock_and_derive_every_method() {
        let dir = tempfile::tempdir().unwrap();
        let phrase = RecoveryPhrase::parse(JUNK).unwrap();
        let created = Wallet::create(dir.path(), &phrase, "passphrase-1", KeyringMode::None).unwrap();
        // The well-known Hardhat/Anvil account 0 of this phrase.
        assert_eq!(created.ethereum_address, "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(created.keyring, KeyringState::Disabled);

        let w = Wallet::open(dir.path(), KeyringMode::None).unwrap();
        assert!(matches!(
            Wallet::open(dir.path(), KeyringMode::None).unwrap().unlock(|| Ok(Zeroizing::new("nope-nope".into()))),
            Err(WalletError::Vault(VaultError::WrongPassphrase))
        ));
        let mut u = w.unlock(|| Ok(Zeroizing::new("passphrase-1".into()))).unwrap();
        assert_eq!(u.unlocked_by(), UnlockedBy::Passphrase);
        let k = u.new_identity(DidMethod::Key, Some(" Me ".into()), None).unwrap();
        let j = u.new_identity(DidMethod::Jwk, None, None).unwrap();
        let p = u.new_identity(DidMethod::Pkh, None, None).unwrap();
        let web = u.new_identity(DidMethod::Web, None, Some("example.com")).unwrap();
        assert!(k.did.starts_with("did:key:z6Mk") && k.label.as_deref() == Some("Me"));
        assert!(j.did.starts_with("did:jwk:"));
        assert_eq!(p.did, "did:pkh:eip155:1:0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266");
        assert_eq!(web.did, "did:web:example.com");
        assert_eq!((k.key_index, j.key_index, web.key_index, p.key_index), (0, 1, 2, 0));
        assert!(matches!(
            u.new_identity(DidMethod::Web, None, Some("example.com")),
            Err(WalletError::Store(StoreError::Duplicate(_)))
        ));
        assert!(matches!(u.new_identity(DidMethod::Web, None, None), Err(WalletError::Did(DidError::MissingDomain))));
        // The stored key of did:key is the derived key.
        let sk = u.ed25519_signing_key(&k).unwrap();
        assert_eq!(did::did_key(&sk.verifying_key()).unwrap(), k.did);
        assert_eq!(u.wallet().identities().unwrap().len(), 4);
    }

    #[test]
    fn refuses_to_overwrite_and_to_mix_wallets() {
        let dir = tempfile::tempdir().unwrap();
        let phrase = RecoveryPhrase::generate().unwrap();
        Wallet::create(dir.path(), &phrase, "passphrase-1", KeyringMode::None).unwrap();
        let before = std::fs::read(dir.path().join(crate::vault::VAULT_FILE)).unwrap();
        assert!(matches!(
            Wallet::create(dir.path(), &phrase, "passphrase-2", KeyringMode::None),
            Err(WalletError::Vault(VaultError::AlreadyExists(_)))
        ));
        assert_eq!(std::fs::read(dir.path().join(crate::vault::VAULT_FILE)).unwrap(), before);
        // Move the vault away: the database still names the old wallet, so a new one is refused.
        std::fs::remove_file(dir.path().join(crate::vault::VAULT_FILE)).unwrap();
        assert!(matches!(
            Wallet::create(dir.path(), &phrase, "passphrase-2", KeyringMode::None),
            Err(WalletError::Mismatch(_))
        ));
        assert!(!dir.path().join(crate::vault::VAULT_FILE).exists());
    }
}
