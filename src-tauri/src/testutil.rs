//! Helpers shared by the tests of the command modules.

use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};

use hallmark_core::keystore::KeyringMode;
use hallmark_core::{RecoveryPhrase, UnlockedWallet, Wallet};
use zeroize::Zeroizing;

/// A fresh path under the system's temporary folder, removed (with what is in it) at the end of
/// the test. `new` leaves it absent (a data folder the wallet creates); `created` makes it.
pub struct TempDir(pub PathBuf);

impl TempDir {
    pub fn new(what: &str) -> TempDir {
        static N: AtomicUsize = AtomicUsize::new(0);
        let n = N.fetch_add(1, Ordering::SeqCst);
        let dir = std::env::temp_dir().join(format!("hallmark-app-{what}-{}-{n}", std::process::id()));
        let _ = std::fs::remove_dir_all(&dir);
        TempDir(dir)
    }

    pub fn created(what: &str) -> TempDir {
        let dir = TempDir::new(what);
        std::fs::create_dir_all(&dir.0).unwrap();
        dir
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}

/// A new wallet (fresh recovery phrase) in `home`, unlocked, without the OS keyring.
pub fn unlocked(home: &Path) -> UnlockedWallet {
    let phrase = RecoveryPhrase::generate().unwrap();
    Wallet::create(home, &phrase, "passphrase-1", KeyringMode::None).unwrap();
    Wallet::open(home, KeyringMode::None).unwrap().unlock(|| Ok(Zeroizing::new("passphrase-1".into()))).unwrap()
}
