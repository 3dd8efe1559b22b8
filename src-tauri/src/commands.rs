//! The commands the UI calls. Each parses its arguments, runs core on a blocking thread (the
//! session mutex and Argon2id must never block the UI thread) and returns data or an [`AppError`].

use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use hallmark_core::did::{self, DidMethod};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::qr::{self, QrMatrix};
use hallmark_core::session::{LockReason, NewPhrase, QuizAnswer, Session, SessionStatus};
use hallmark_core::store::Identity;
use hallmark_core::{Wallet, WalletError};
use serde::Serialize;
use serde_json::Value;
use tauri::State;
use zeroize::Zeroizing;

use crate::error::AppError;

/// The app's state: one wallet session.
pub struct AppState {
    /// Shared with the auto-lock task.
    pub session: Arc<Mutex<Session>>,
}

/// Runs `f` on the session in a blocking thread.
pub async fn with_session<T, F>(session: &Arc<Mutex<Session>>, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Session) -> Result<T, WalletError> + Send + 'static,
{
    let session = session.clone();
    tauri::async_runtime::spawn_blocking(move || {
        let mut guard = session.lock().unwrap_or_else(|poisoned| poisoned.into_inner());
        f(&mut guard)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::from)
}

/// The data folder, once the wallet is known to be unlocked (the screens that ask are part of the
/// unlocked app). The commands then work on their own handle of the wallet ([`with_wallet`]):
/// none needs the key, and slow work does not hold the session lock.
pub async fn unlocked_home(state: &State<'_, AppState>) -> Result<PathBuf, AppError> {
    with_session(&state.session, |s| {
        s.unlocked()?;
        Ok(s.home().to_path_buf())
    })
    .await
}

/// Runs `f` on a handle of the wallet in `home`, on a blocking thread. The handle needs no secret
/// and never touches the OS keyring.
pub async fn with_wallet<T, F>(home: PathBuf, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Wallet) -> Result<T, WalletError> + Send + 'static,
{
    tauri::async_runtime::spawn_blocking(move || {
        let mut wallet = Wallet::open(&home, KeyringMode::None)?;
        f(&mut wallet)
    })
    .await
    .map_err(AppError::internal)?
    .map_err(AppError::from)
}

/// The session's status (no secret).
#[tauri::command]
pub async fn app_status(state: State<'_, AppState>) -> Result<SessionStatus, AppError> {
    with_session(&state.session, |s| s.status()).await
}

/// Starts creating a wallet: the new phrase (shown once) and the three positions to ask back.
#[tauri::command]
pub async fn wallet_begin_create(state: State<'_, AppState>) -> Result<NewPhrase, AppError> {
    with_session(&state.session, |s| s.begin_create()).await
}

/// Checks the three words, creates the wallet and unlocks it.
#[tauri::command]
pub async fn wallet_finish_create(
    state: State<'_, AppState>,
    answers: Vec<QuizAnswer>,
    passphrase: Zeroizing<String>,
) -> Result<SessionStatus, AppError> {
    with_session(&state.session, move |s| {
        s.finish_create(&answers, &passphrase)?;
        s.status()
    })
    .await
}

/// Drops the phrase being shown.
#[tauri::command]
pub async fn wallet_cancel_create(state: State<'_, AppState>) -> Result<(), AppError> {
    with_session(&state.session, |s| {
        s.cancel_create();
        Ok(())
    })
    .await
}

/// Restores a wallet from its phrase and unlocks it.
#[tauri::command]
pub async fn wallet_restore(
    state: State<'_, AppState>,
    phrase: Zeroizing<String>,
    passphrase: Zeroizing<String>,
) -> Result<SessionStatus, AppError> {
    with_session(&state.session, move |s| {
        s.restore(&phrase, &passphrase)?;
        s.status()
    })
    .await
}

/// Unlocks with the passphrase (and keeps the key in the OS keyring when `remember`).
#[tauri::command]
pub async fn wallet_unlock(
    state: State<'_, AppState>,
    passphrase: Zeroizing<String>,
    remember: bool,
) -> Result<SessionStatus, AppError> {
    with_session(&state.session, move |s| {
        s.unlock(&passphrase, remember)?;
        s.status()
    })
    .await
}

/// Locks: forgets the seed and the keyring entry.
#[tauri::command]
pub async fn wallet_lock(state: State<'_, AppState>) -> Result<SessionStatus, AppError> {
    with_session(&state.session, |s| {
        s.lock(LockReason::Manual)?;
        s.status()
    })
    .await
}

/// The wallet's identities.
#[tauri::command]
pub async fn identities_list(state: State<'_, AppState>) -> Result<Vec<Identity>, AppError> {
    with_session(&state.session, |s| s.unlocked()?.wallet().identities()).await
}

fn parse_method(method: &str) -> Result<DidMethod, WalletError> {
    match method {
        "key" => Ok(DidMethod::Key),
        "jwk" => Ok(DidMethod::Jwk),
        "pkh" => Ok(DidMethod::Pkh),
        "web" => Ok(DidMethod::Web),
        other => Err(WalletError::BadSetting(format!("unknown identity kind '{other}'"))),
    }
}

/// Creates an identity from the wallet's next key.
#[tauri::command]
pub async fn identity_create(
    state: State<'_, AppState>,
    method: String,
    label: Option<String>,
    domain: Option<String>,
) -> Result<Identity, AppError> {
    with_session(&state.session, move |s| {
        let method = parse_method(&method)?;
        let domain = domain.filter(|d| !d.trim().is_empty() && method == DidMethod::Web);
        s.unlocked()?.new_identity(method, label, domain.as_deref())
    })
    .await
}

/// The DID document of one of the wallet's identities (built locally, no network).
#[tauri::command]
pub async fn identity_document(state: State<'_, AppState>, did: String) -> Result<Value, AppError> {
    with_session(&state.session, move |s| {
        let wallet = s.unlocked()?.wallet();
        tauri::async_runtime::block_on(wallet.document(&did))
    })
    .await
}

/// The QR code of one of the wallet's DIDs.
#[tauri::command]
pub async fn identity_qr(state: State<'_, AppState>, did: String) -> Result<QrMatrix, AppError> {
    let id = with_session(&state.session, move |s| s.unlocked()?.wallet().identity(&did)).await?;
    qr::encode(&id.did).map_err(AppError::internal)
}

/// Where and what to publish for a did:web identity.
#[derive(Serialize)]
pub struct WebInfo {
    /// The URL the document must be served at.
    pub url: String,
    /// The document.
    pub document: Value,
}

/// Publishing instructions for a did:web identity.
#[tauri::command]
pub async fn identity_web_info(state: State<'_, AppState>, did: String) -> Result<WebInfo, AppError> {
    with_session(&state.session, move |s| {
        let wallet = s.unlocked()?.wallet();
        let id = wallet.identity(&did)?;
        if id.method != "web" {
            return Err(WalletError::BadSetting(format!("{} is not a did:web identity", id.did)));
        }
        let url = did::did_web_url(&id.did)?;
        let document = tauri::async_runtime::block_on(wallet.document(&id.did))?;
        Ok(WebInfo { url, document })
    })
    .await
}

/// Copies text (a DID, a document) to the clipboard.
#[tauri::command]
pub fn clipboard_copy(app: tauri::AppHandle, text: String) -> Result<(), AppError> {
    use tauri_plugin_clipboard_manager::ClipboardExt;
    app.clipboard()
        .write_text(text)
        .map_err(|e| AppError { code: "clipboard_failed".into(), message: format!("Could not copy: {e}") })
}

/// Sets the auto-lock time in minutes (0: never).
#[tauri::command]
pub async fn settings_set_lock_timeout(state: State<'_, AppState>, minutes: u32) -> Result<SessionStatus, AppError> {
    with_session(&state.session, move |s| {
        s.set_lock_timeout(minutes)?;
        s.status()
    })
    .await
}

/// The person is active: resets the idle clock.
#[tauri::command]
pub async fn activity(state: State<'_, AppState>) -> Result<(), AppError> {
    with_session(&state.session, |s| {
        s.touch();
        Ok(())
    })
    .await
}

/// The UI painted its first screen. With `HALLMARK_REPORT_FIRST_PAINT=1` (used by
/// `scripts/bench-app`), prints the wall-clock time of that paint on stdout.
#[tauri::command]
pub fn ui_ready(screen: String) {
    let screen: String = screen.chars().filter(|c| c.is_ascii_alphanumeric() || *c == '-').take(32).collect();
    tracing::debug!(%screen, "first paint");
    if std::env::var_os("HALLMARK_REPORT_FIRST_PAINT").is_some() {
        let ms = std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_millis()).unwrap_or(0);
        println!("HALLMARK_FIRST_PAINT screen={screen} epoch_ms={ms}");
    }
}
