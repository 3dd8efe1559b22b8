//! The OS keyring (Secret Service on Linux, Keychain on macOS, Credential Manager on Windows),
//! which holds a wallet's 32-byte wallet key so it opens without the passphrase.
//!
//! `HALLMARK_KEYRING=none` turns it off (passphrase-only). Where no keyring exists (no D-Bus
//! session, no Secret Service), Hallmark falls back to passphrase-only and says so.

use zeroize::Zeroizing;

use crate::vault::WalletKey;

/// Service name of Hallmark's keyring entries.
pub const SERVICE: &str = "hallmark";
/// Environment variable that selects the keyring mode (`os`, the default, or `none`).
pub const ENV_KEYRING: &str = "HALLMARK_KEYRING";

/// Errors from the keyring.
#[derive(Debug, thiserror::Error)]
pub enum KeystoreError {
    /// The keyring is turned off by `HALLMARK_KEYRING=none`.
    #[error("the OS keyring is turned off (HALLMARK_KEYRING=none): using the passphrase only")]
    Disabled,
    /// No usable keyring on this system.
    #[error("no OS keyring is available ({0}): using the passphrase only")]
    Unavailable(String),
    /// `HALLMARK_KEYRING` has a value Hallmark does not know.
    #[error("HALLMARK_KEYRING must be `os` or `none`, not `{0}`")]
    BadMode(String),
    /// The keyring answered with an error.
    #[error("the OS keyring failed: {0}")]
    Failed(String),
}

/// How the keyring is to be used.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KeyringMode {
    /// Use the operating system's keyring.
    Os,
    /// Never touch a keyring: the passphrase opens the wallet every time.
    None,
}

impl KeyringMode {
    /// Reads `HALLMARK_KEYRING` (unset or empty means [`KeyringMode::Os`]).
    pub fn from_env() -> Result<Self, KeystoreError> {
        match std::env::var(ENV_KEYRING).unwrap_or_default().trim().to_ascii_lowercase().as_str() {
            "" | "os" => Ok(KeyringMode::Os),
            "none" | "off" => Ok(KeyringMode::None),
            other => Err(KeystoreError::BadMode(other.to_string())),
        }
    }
}

/// A handle on one wallet's keyring entry.
#[derive(Debug, Clone)]
pub struct Keystore {
    mode: KeyringMode,
    user: String,
}

/// Where a wallet's key is, as shown by `hallmark status`.
#[derive(Debug, Clone, PartialEq, Eq, serde::Serialize)]
#[serde(rename_all = "snake_case")]
pub enum KeyringState {
    /// The keyring holds this wallet's key: it opens without the passphrase.
    Unlocked,
    /// The keyring works but holds no key for this wallet: the passphrase is needed.
    Locked,
    /// Turned off by `HALLMARK_KEYRING=none`.
    Disabled,
    /// No keyring on this system.
    Unavailable,
}

fn map_err(e: keyring::Error) -> KeystoreError {
    use keyring::Error as E;
    // Never format errors that may carry secret bytes (BadEncoding, BadDataFormat).
    match e {
        E::NoDefaultStore => KeystoreError::Unavailable("no Secret Service / keychain store".into()),
        E::PlatformFailure(p) | E::NoStorageAccess(p) => KeystoreError::Unavailable(p.to_string()),
        E::BadEncoding(_) | E::BadDataFormat(..) => {
            KeystoreError::Failed("the stored entry is not a Hallmark wallet key".into())
        }
        other => KeystoreError::Failed(format!("{other:?}").chars().take(200).collect()),
    }
}

impl Keystore {
    /// The keyring entry of wallet `wallet_id` in `mode`.
    pub fn new(mode: KeyringMode, wallet_id: &str) -> Self {
        Keystore { mode, user: format!("wallet-{wallet_id}") }
    }

    fn entry(&self) -> Result<keyring::Entry, KeystoreError> {
        if self.mode == KeyringMode::None {
            return Err(KeystoreError::Disabled);
        }
        keyring::Entry::new(SERVICE, &self.user).map_err(map_err)
    }

    /// Stores the wallet key in the keyring.
    pub fn store(&self, key: &[u8; 32]) -> Result<(), KeystoreError> {
        self.entry()?.set_secret(key).map_err(map_err)
    }

    /// The stored wallet key; `Ok(None)` when the keyring works but holds none for this wallet.
    pub fn load(&self) -> Result<Option<WalletKey>, KeystoreError> {
        match self.entry()?.get_secret() {
            Ok(bytes) => {
                let bytes = Zeroizing::new(bytes);
                if bytes.len() != 32 {
                    return Err(KeystoreError::Failed("the stored entry is not a 32-byte wallet key".into()));
                }
                let mut key = Zeroizing::new([0u8; 32]);
                key.copy_from_slice(&bytes);
                Ok(Some(key))
            }
            Err(keyring::Error::NoEntry) => Ok(None),
            Err(e) => Err(map_err(e)),
        }
    }

    /// Removes the key from the keyring; `Ok(false)` if there was none.
    pub fn remove(&self) -> Result<bool, KeystoreError> {
        match self.entry()?.delete_credential() {
            Ok(()) => Ok(true),
            Err(keyring::Error::NoEntry) => Ok(false),
            Err(e) => Err(map_err(e)),
        }
    }

    /// Where the key stands, for status displays. Never fails.
    pub fn state(&self) -> KeyringState {
        match self.load() {
            Ok(Some(_)) => KeyringState::Unlocked,
            Ok(None) => KeyringState::Locked,
            Err(KeystoreError::Disabled) => KeyringState::Disabled,
            Err(_) => KeyringState::Unavailable,
        }
    }
}
