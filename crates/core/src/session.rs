//! A long-lived wallet session, for the desktop app: onboarding (a new phrase held until the
//! person has confirmed three of its words), unlocking (silently through the OS keyring, or with
//! the passphrase), locking, and auto-lock after an idle time.
//!
//! The CLI unlocks per command and needs none of this; the app keeps one [`Session`] behind a
//! mutex and calls [`Session::lock_if_idle`] periodically.

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use serde::{Deserialize, Serialize};
use zeroize::Zeroizing;

use crate::keystore::{KeyringMode, KeyringState};
use crate::mnemonic::RecoveryPhrase;
use crate::vault::{check_passphrase_strength, VAULT_FILE};
use crate::wallet::{UnlockedWallet, Wallet, WalletError};

/// Auto-lock after this many idle minutes unless the person chose otherwise.
pub const DEFAULT_LOCK_MINUTES: u32 = 15;
/// The longest idle time one can choose (a day).
pub const MAX_LOCK_MINUTES: u32 = 1440;
/// How many words the person types back when creating a wallet.
pub const QUIZ_WORDS: usize = 3;

/// What the app shows about the session. No secret in it.
#[derive(Debug, Clone, Serialize)]
pub struct SessionStatus {
    /// Whether a wallet exists in the data folder.
    pub has_wallet: bool,
    /// Whether the wallet is unlocked in this session.
    pub unlocked: bool,
    /// The OS keyring's state for this wallet (`disabled` when there is no wallet yet and the
    /// keyring is turned off; `locked` when there is no wallet yet and it may be used).
    pub keyring: KeyringState,
    /// The data folder.
    pub home: String,
    /// The wallet id, once there is a wallet.
    pub wallet_id: Option<String>,
    /// Ethereum account 0, once there is a wallet.
    pub ethereum_address: Option<String>,
    /// Auto-lock after this many idle minutes (0: never).
    pub lock_timeout_minutes: u32,
}

/// A new recovery phrase being shown to the person, and the word positions they must type back.
/// The only time a secret crosses to the UI.
#[derive(Serialize)]
pub struct NewPhrase {
    /// The 24 words, in order.
    pub words: Vec<Zeroizing<String>>,
    /// 1-based positions to ask back.
    pub quiz: Vec<usize>,
}

/// One answer of the three-word check.
#[derive(Debug, Clone, Deserialize)]
pub struct QuizAnswer {
    /// 1-based word position.
    pub position: usize,
    /// What the person typed.
    pub word: String,
}

/// Why a session was locked.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum LockReason {
    /// The person pressed Lock.
    Manual,
    /// Nobody used the app for the idle time.
    Idle,
}

/// The app's wallet session.
pub struct Session {
    home: PathBuf,
    mode: KeyringMode,
    unlocked: Option<UnlockedWallet>,
    pending: Option<(RecoveryPhrase, Vec<usize>)>,
    last_activity: Instant,
    /// The unlocked wallet's auto-lock minutes, read once at unlock (the idle check runs often).
    lock_minutes: u32,
}

impl std::fmt::Debug for Session {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Session").field("home", &self.home).field("unlocked", &self.unlocked.is_some()).finish()
    }
}

impl Session {
    /// A locked session over the data folder `home`.
    pub fn new(home: &Path, mode: KeyringMode) -> Session {
        Session {
            home: home.to_path_buf(),
            mode,
            unlocked: None,
            pending: None,
            last_activity: Instant::now(),
            lock_minutes: DEFAULT_LOCK_MINUTES,
        }
    }

    /// The data folder.
    pub fn home(&self) -> &Path {
        &self.home
    }

    /// Whether a wallet exists in the data folder.
    pub fn has_wallet(&self) -> bool {
        self.home.join(VAULT_FILE).exists()
    }

    /// Whether the wallet is unlocked.
    pub fn is_unlocked(&self) -> bool {
        self.unlocked.is_some()
    }

    /// The public status.
    pub fn status(&self) -> Result<SessionStatus, WalletError> {
        let home = self.home.display().to_string();
        if !self.has_wallet() {
            let keyring = if self.mode == KeyringMode::None { KeyringState::Disabled } else { KeyringState::Locked };
            return Ok(SessionStatus {
                has_wallet: false,
                unlocked: false,
                keyring,
                home,
                wallet_id: None,
                ethereum_address: None,
                lock_timeout_minutes: DEFAULT_LOCK_MINUTES,
            });
        }
        let opened;
        let wallet = match &self.unlocked {
            Some(u) => u.wallet(),
            None => {
                opened = Wallet::open(&self.home, self.mode)?;
                &opened
            }
        };
        let s = wallet.status()?;
        Ok(SessionStatus {
            has_wallet: true,
            unlocked: self.unlocked.is_some(),
            keyring: s.keyring,
            home,
            wallet_id: Some(s.wallet_id),
            ethereum_address: s.ethereum_address,
            lock_timeout_minutes: wallet.lock_timeout_minutes()?,
        })
    }

    /// Records that the person did something (resets the idle clock).
    pub fn touch(&mut self) {
        self.last_activity = Instant::now();
    }

    /// At startup: unlocks without a passphrase when the OS keyring holds the wallet key.
    /// Returns whether the session is now unlocked.
    pub fn unlock_with_keyring(&mut self) -> Result<bool, WalletError> {
        if self.unlocked.is_some() {
            return Ok(true);
        }
        if !self.has_wallet() {
            return Ok(false);
        }
        let wallet = Wallet::open(&self.home, self.mode)?;
        if wallet.status()?.keyring != KeyringState::Unlocked {
            return Ok(false);
        }
        match wallet.unlock(|| Err(WalletError::NeedPassphrase)) {
            Ok(u) => {
                self.set_unlocked(u)?;
                Ok(true)
            }
            Err(WalletError::NeedPassphrase) => Ok(false),
            Err(e) => Err(e),
        }
    }

    /// Unlocks with the passphrase; with `remember`, the OS keyring keeps the wallet key so the
    /// app opens without the passphrase next time.
    pub fn unlock(&mut self, passphrase: &str, remember: bool) -> Result<(), WalletError> {
        let wallet = Wallet::open(&self.home, self.mode)?;
        let u = wallet.unlock_with_passphrase(passphrase, remember && self.mode == KeyringMode::Os)?;
        self.set_unlocked(u)
    }

    fn set_unlocked(&mut self, u: UnlockedWallet) -> Result<(), WalletError> {
        self.lock_minutes = u.wallet().lock_timeout_minutes()?;
        self.unlocked = Some(u);
        self.touch();
        Ok(())
    }

    /// Locks: forgets the seed and removes the wallet key from the OS keyring, so the
    /// passphrase is needed to unlock again.
    pub fn lock(&mut self, reason: LockReason) -> Result<(), WalletError> {
        self.unlocked = None;
        self.pending = None;
        if self.has_wallet() {
            Wallet::open(&self.home, self.mode)?.lock()?;
        }
        tracing::info!(?reason, "wallet locked");
        Ok(())
    }

    /// Locks when the wallet is unlocked and idle for longer than its lock timeout.
    /// Returns whether it locked.
    pub fn lock_if_idle(&mut self) -> Result<bool, WalletError> {
        if self.unlocked.is_none() {
            return Ok(false);
        }
        let minutes = self.lock_minutes;
        if minutes == 0 || self.last_activity.elapsed() < Duration::from_secs(u64::from(minutes) * 60) {
            return Ok(false);
        }
        self.lock(LockReason::Idle)?;
        Ok(true)
    }

    /// The unlocked wallet, or [`WalletError::Locked`]. Counts as activity.
    pub fn unlocked(&mut self) -> Result<&mut UnlockedWallet, WalletError> {
        self.last_activity = Instant::now();
        self.unlocked.as_mut().ok_or(WalletError::Locked)
    }

    /// Starts creating a wallet: a new phrase to show, and the positions to ask back.
    pub fn begin_create(&mut self) -> Result<NewPhrase, WalletError> {
        if self.has_wallet() {
            return Err(crate::vault::VaultError::AlreadyExists(self.home.display().to_string()).into());
        }
        let phrase = RecoveryPhrase::generate()?;
        let quiz = phrase.quiz_positions(QUIZ_WORDS)?;
        let words = phrase.words().into_iter().map(|w| Zeroizing::new(w.to_string())).collect();
        self.pending = Some((phrase, quiz.clone()));
        Ok(NewPhrase { words, quiz })
    }

    /// Finishes creating the wallet once every asked word is right; it is then unlocked.
    /// A wrong word keeps the phrase pending so the person can look again.
    pub fn finish_create(&mut self, answers: &[QuizAnswer], passphrase: &str) -> Result<(), WalletError> {
        let (phrase, quiz) = self.pending.as_ref().ok_or(WalletError::NoPendingPhrase)?;
        for &position in quiz {
            let answer = answers.iter().find(|a| a.position == position).map(|a| a.word.as_str()).unwrap_or("");
            if !phrase.check_word(position, answer) {
                return Err(WalletError::QuizMismatch(position));
            }
        }
        check_passphrase_strength(passphrase)?;
        Wallet::create(&self.home, phrase, passphrase, self.mode)?;
        self.pending = None;
        self.unlock(passphrase, true)
    }

    /// Drops a phrase that was being shown.
    pub fn cancel_create(&mut self) {
        self.pending = None;
    }

    /// Restores a wallet from a typed phrase; it is then unlocked. Nothing is created when the
    /// phrase or passphrase is not acceptable.
    pub fn restore(&mut self, phrase: &str, passphrase: &str) -> Result<(), WalletError> {
        if self.has_wallet() {
            return Err(crate::vault::VaultError::AlreadyExists(self.home.display().to_string()).into());
        }
        let phrase = RecoveryPhrase::parse(phrase)?;
        check_passphrase_strength(passphrase)?;
        Wallet::create(&self.home, &phrase, passphrase, self.mode)?;
        self.unlock(passphrase, true)
    }

    /// Sets the auto-lock time (0: never; at most [`MAX_LOCK_MINUTES`]).
    pub fn set_lock_timeout(&mut self, minutes: u32) -> Result<(), WalletError> {
        self.unlocked()?.wallet().set_lock_timeout_minutes(minutes)?;
        self.lock_minutes = minutes;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const PASS: &str = "session-passphrase";

    #[test]
    fn create_needs_the_right_words_then_unlocks() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::new(dir.path(), KeyringMode::None);
        assert!(!s.status().unwrap().has_wallet);
        assert!(matches!(s.finish_create(&[], PASS), Err(WalletError::NoPendingPhrase)));
        let shown = s.begin_create().unwrap();
        assert_eq!((shown.words.len(), shown.quiz.len()), (24, 3));
        let mut answers: Vec<QuizAnswer> =
            shown.quiz.iter().map(|&p| QuizAnswer { position: p, word: shown.words[p - 1].to_string() }).collect();
        answers[1].word = "wrong".into();
        assert!(matches!(s.finish_create(&answers, PASS), Err(WalletError::QuizMismatch(p)) if p == shown.quiz[1]));
        assert!(!s.has_wallet(), "a wrong word must create nothing");
        answers[1].word = format!(" {} ", shown.words[shown.quiz[1] - 1].to_uppercase());
        assert!(matches!(s.finish_create(&answers, "short"), Err(WalletError::Vault(_))));
        assert!(!s.has_wallet());
        s.finish_create(&answers, PASS).unwrap();
        assert!(s.is_unlocked());
        assert!(s.has_wallet());
        let status = s.status().unwrap();
        assert!(status.unlocked && status.has_wallet);
        assert_eq!(status.lock_timeout_minutes, DEFAULT_LOCK_MINUTES);
        // The same phrase restores the same account elsewhere.
        let phrase = shown.words.iter().map(|w| w.as_str()).collect::<Vec<_>>().join(" ");
        let other = tempfile::tempdir().unwrap();
        let mut s2 = Session::new(other.path(), KeyringMode::None);
        s2.restore(&phrase, PASS).unwrap();
        assert_eq!(s2.status().unwrap().ethereum_address, status.ethereum_address);
    }

    #[test]
    fn lock_unlock_and_idle_timeout() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Session::new(dir.path(), KeyringMode::None);
        assert!(matches!(s.restore("abandon abandom", PASS), Err(WalletError::Mnemonic(_))));
        assert!(!s.has_wallet());
        s.restore("test test test test test test test test test test test junk", PASS).unwrap();
        s.unlocked().unwrap().new_identity(crate::DidMethod::Key, None, None).unwrap();
        s.lock(LockReason::Manual).unwrap();
        assert!(matches!(s.unlocked(), Err(WalletError::Locked)));
        assert!(!s.unlock_with_keyring().unwrap(), "keyring off: no silent unlock");
        assert!(matches!(
            s.unlock("not the passphrase", false),
            Err(WalletError::Vault(crate::vault::VaultError::WrongPassphrase))
        ));
        assert!(!s.is_unlocked());
        s.unlock(PASS, false).unwrap();
        assert!(s.is_unlocked());
        assert!(matches!(s.set_lock_timeout(MAX_LOCK_MINUTES + 1), Err(WalletError::BadSetting(_))));
        s.set_lock_timeout(1).unwrap();
        assert_eq!(s.status().unwrap().lock_timeout_minutes, 1);
        assert!(!s.lock_if_idle().unwrap());
        s.last_activity = Instant::now() - Duration::from_secs(61);
        assert!(s.lock_if_idle().unwrap());
        assert!(!s.is_unlocked());
        // 0 means never.
        s.unlock(PASS, false).unwrap();
        s.set_lock_timeout(0).unwrap();
        s.last_activity = Instant::now() - Duration::from_secs(100_000);
        assert!(!s.lock_if_idle().unwrap());
    }
}
