//! The Attestations screen's commands and the app's attestation worker.
//!
//! An attestation records on an Ethereum network (with the Ethereum Attestation Service) that a
//! signed file or a credential exists, by its hashes and DIDs only: never the file or the
//! credential's contents. All the rules are in `hallmark_core` (`attest` and `wallet::attest`):
//! these commands choose the network, queue what the person asked for, show the queue and look
//! files up on chain.
//!
//! **The worker.** Queued attestations are sent by core's [`Worker`], which holds the wallet's
//! Ethereum key. While the wallet is unlocked, a supervisor thread keeps one running here: it
//! takes the worker (an OS file lock per data folder) right after unlocking, runs
//! [`Worker::run`]`(Until::Cancelled, …)` on a thread of its own, and emits [`EVENT`] after each
//! step that changed something, so the screen refreshes. When the wallet locks (by hand, idle,
//! or the app quits) the worker is cancelled and dropped with its key; the outbox is crash-safe,
//! so stopping in the middle of a step loses nothing. When another Hallmark (a `hallmark`
//! command) holds the worker lock, the screen says that it is sending the queue, and the app
//! takes over once that one is done. The key never leaves the worker; the UI only ever sees
//! public data.

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex, MutexGuard, TryLockError};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use hallmark_core::attest::devnet::{self, Packages};
use hallmark_core::attest::eas::Attestation;
use hallmark_core::attest::network::{self, NetworkSource, DEVNET};
use hallmark_core::attest::queue::{QueueRequest, StepReport, Until, WorkerOptions, LOCK_FILE};
use hallmark_core::attest::{AttestationData, Network, DEFAULT_RPC_TIMEOUT};
use hallmark_core::session::Session;
use hallmark_core::store::{AttestationFilter, AttestationRecord, Enqueued, QueueCounts};
use hallmark_core::wallet::attest::{content_request, describe, Lookup};
use hallmark_core::{Wallet, WalletError};
use serde::Serialize;
use tauri::{AppHandle, Emitter, State};

use crate::commands::{unlocked_home, with_session, AppState};
use crate::error::{sentence, AppError};

/// The event the UI listens to: the queue or the worker changed (payload: [`Changed`]).
pub const EVENT: &str = "attest-changed";

/// How often the supervisor looks at the session (lock and unlock are noticed this fast).
const TICK: Duration = Duration::from_millis(400);

/// Most rows the queue shows.
const LIST_LIMIT: u32 = 200;

/// Stack size of the worker's thread (alloy and the store nest deeply in debug builds).
const WORKER_STACK: usize = 8 << 20;

// ---------------------------------------------------------------------------------------------
// The worker and its supervisor

/// Who is sending the queue.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum WorkerStatus {
    /// The wallet is locked: nothing is sent until it is unlocked.
    Stopped,
    /// This app sends the queue, from this Ethereum account.
    Running {
        /// The wallet's Ethereum account (public).
        address: String,
    },
    /// Another Hallmark (a `hallmark` command, another window) holds the worker lock and sends
    /// the queue; this app takes over when it is done.
    Elsewhere,
    /// The worker stopped on a problem; it starts again when asked (Attest, Retry, or the
    /// screen's button).
    Failed {
        /// What went wrong, in words.
        message: String,
    },
}

/// The payload of [`EVENT`].
#[derive(Debug, Clone, Serialize)]
pub struct Changed {
    /// Who sends the queue now.
    pub worker: WorkerStatus,
    /// Rows that changed in the last step (empty when only the worker's status changed).
    pub changed: Vec<i64>,
    /// Rows still queued or sent.
    pub pending: usize,
}

/// A worker running on its own thread.
struct RunningWorker {
    cancel: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

struct Slot {
    status: WorkerStatus,
    running: Option<RunningWorker>,
    /// Start again after a failure (set by the commands that queue or retry).
    restart: bool,
}

/// What the supervisor, the worker thread and the commands share.
struct Shared {
    home: PathBuf,
    slot: Mutex<Slot>,
    quit: AtomicBool,
    /// The devnet this app started (its data folder and process), stopped when the app quits.
    started_devnet: Mutex<Option<(PathBuf, u32)>>,
}

impl Shared {
    fn slot(&self) -> MutexGuard<'_, Slot> {
        self.slot.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// The Attestations screen's state, beside the session: the worker.
pub struct AttestState {
    shared: Arc<Shared>,
}

impl AttestState {
    /// No worker yet; `home` is the session's data folder.
    pub fn new(home: &Path) -> AttestState {
        AttestState {
            shared: Arc::new(Shared {
                home: home.to_path_buf(),
                slot: Mutex::new(Slot { status: WorkerStatus::Stopped, running: None, restart: false }),
                quit: AtomicBool::new(false),
                started_devnet: Mutex::new(None),
            }),
        }
    }

    /// Starts the supervisor thread (once, at start-up).
    pub fn supervise(&self, app: AppHandle, session: Arc<Mutex<Session>>) {
        let shared = self.shared.clone();
        let spawned = std::thread::Builder::new()
            .name("attest-supervisor".into())
            .spawn(move || supervise(&app, &session, &shared));
        if let Err(e) = spawned {
            tracing::warn!("the attestation worker cannot start: {e}");
            self.shared.slot().status = WorkerStatus::Failed { message: format!("Hallmark could not start it: {e}") };
        }
    }

    /// The app is quitting: cancels the worker and waits (briefly) for it to drop its key.
    pub fn shutdown(&self) {
        self.shared.quit.store(true, Ordering::SeqCst);
        let running = self.shared.slot().running.take();
        if let Some(r) = running {
            r.cancel.store(true, Ordering::SeqCst);
            let deadline = Instant::now() + Duration::from_secs(2);
            while !r.thread.is_finished() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(20));
            }
        }
        self.stop_started_devnet();
    }

    /// Notes that this app started the devnet of `home` (process `pid`).
    fn started_devnet(&self, home: &Path, pid: u32) {
        *self.shared.started_devnet.lock().unwrap_or_else(|p| p.into_inner()) = Some((home.to_path_buf(), pid));
    }

    /// Stops the devnet this app started, if it is still that one: a devnet is for trying things
    /// out, and an app leaves no process behind. One started from the command line (or again
    /// after the app's was stopped) is left alone.
    fn stop_started_devnet(&self) {
        let started = self.shared.started_devnet.lock().unwrap_or_else(|p| p.into_inner()).take();
        let Some((home, pid)) = started else { return };
        if devnet::load_state(&home).ok().flatten().is_some_and(|s| s.pid == pid) {
            if let Err(e) = devnet::stop(&home) {
                tracing::warn!("the devnet could not be stopped: {e}");
            }
        }
    }

    fn status(&self) -> WorkerStatus {
        self.shared.slot().status.clone()
    }

    /// Asks the supervisor to start the worker again if it stopped on a problem.
    fn wake(&self) {
        let mut slot = self.shared.slot();
        if matches!(slot.status, WorkerStatus::Failed { .. }) {
            slot.restart = true;
        }
    }
}

fn emit(app: &AppHandle, worker: WorkerStatus, changed: Vec<i64>, pending: usize) {
    if let Err(e) = app.emit(EVENT, Changed { worker, changed, pending }) {
        tracing::debug!("could not tell the window about the queue: {e}");
    }
}

/// Is the worker lock of `home` free now? (Only then is the key taken out to try again, so an
/// app waiting for a `hallmark` command does not count as activity and still locks when idle.)
fn worker_lock_free(home: &Path) -> bool {
    let Ok(file) = OpenOptions::new().create(true).truncate(false).write(true).open(home.join(LOCK_FILE)) else {
        return false;
    };
    // Dropping the file releases the lock at once.
    file.try_lock().is_ok()
}

/// The supervisor's loop: a worker while the wallet is unlocked, none while it is locked.
fn supervise(app: &AppHandle, session: &Arc<Mutex<Session>>, shared: &Arc<Shared>) {
    let mut last_probe = Instant::now() - Duration::from_secs(60);
    while !shared.quit.load(Ordering::SeqCst) {
        std::thread::sleep(TICK);
        // Never wait for the session: a long command (a batch being signed) holds it, and the
        // wallet cannot lock meanwhile anyway.
        let mut guard = match session.try_lock() {
            Ok(g) => g,
            Err(TryLockError::Poisoned(p)) => p.into_inner(),
            Err(TryLockError::WouldBlock) => continue,
        };
        if shared.quit.load(Ordering::SeqCst) {
            break;
        }
        let mut slot = shared.slot();
        if !guard.is_unlocked() {
            drop(guard);
            let had = slot.running.take();
            let was = std::mem::replace(&mut slot.status, WorkerStatus::Stopped);
            slot.restart = false;
            drop(slot);
            if let Some(r) = had {
                // Its thread drops the worker, and with it the key, within a few milliseconds.
                r.cancel.store(true, Ordering::SeqCst);
                tracing::info!("wallet locked: attestation worker stopped");
            }
            if was != WorkerStatus::Stopped {
                emit(app, WorkerStatus::Stopped, Vec::new(), 0);
            }
            continue;
        }
        // Unlocked: reap a worker that ended by itself (it failed; its thread said why).
        if slot.running.as_ref().is_some_and(|r| r.thread.is_finished()) {
            if let Some(r) = slot.running.take() {
                let _ = r.thread.join();
            }
        }
        if slot.running.is_some() {
            continue;
        }
        let try_now = match &slot.status {
            WorkerStatus::Stopped | WorkerStatus::Running { .. } => true,
            WorkerStatus::Failed { .. } => std::mem::take(&mut slot.restart),
            WorkerStatus::Elsewhere => {
                if last_probe.elapsed() < Duration::from_secs(2) {
                    false
                } else {
                    last_probe = Instant::now();
                    worker_lock_free(&shared.home)
                }
            }
        };
        if !try_now {
            continue;
        }
        let acquired = guard.unlocked().and_then(|u| u.attest_worker(WorkerOptions::default()));
        drop(guard);
        let status = match acquired {
            Ok(Some(worker)) => {
                let address = worker.address().to_checksum(None);
                match start_worker(app.clone(), shared.clone(), worker) {
                    Ok(running) => {
                        slot.running = Some(running);
                        tracing::info!(%address, "attestation worker started");
                        WorkerStatus::Running { address }
                    }
                    Err(e) => WorkerStatus::Failed { message: format!("Hallmark could not start it: {e}") },
                }
            }
            Ok(None) => WorkerStatus::Elsewhere,
            Err(e) => WorkerStatus::Failed { message: plain_error(&e).message },
        };
        let changed = slot.status != status;
        slot.status = status.clone();
        drop(slot);
        if changed {
            emit(app, status, Vec::new(), 0);
        }
    }
}

/// Runs `worker` on a thread of its own until cancelled; the worker (and its key) is dropped
/// when the thread ends.
fn start_worker(
    app: AppHandle,
    shared: Arc<Shared>,
    worker: hallmark_core::attest::queue::Worker,
) -> std::io::Result<RunningWorker> {
    let cancel = Arc::new(AtomicBool::new(false));
    let flag = cancel.clone();
    let thread =
        std::thread::Builder::new().name("attest-worker".into()).stack_size(WORKER_STACK).spawn(move || {
            let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                Ok(r) => r,
                Err(e) => {
                    fail_worker(&app, &shared, &flag, format!("Hallmark could not start it: {e}"));
                    return;
                }
            };
            let result = runtime.block_on(async {
                let on_step = |report: &StepReport| {
                    if !report.changed.is_empty() {
                        let status = shared.slot().status.clone();
                        emit(&app, status, report.changed.clone(), report.pending);
                    }
                };
                // Cancelled means at once: the step in progress is dropped (the outbox is safe to
                // stop at any point: a transaction is recorded before it is sent).
                tokio::select! {
                    r = worker.run(Until::Cancelled, &flag, on_step) => r,
                    _ = cancelled(&flag) => Ok(()),
                }
            });
            drop(worker);
            if let Err(e) = result {
                let e = WalletError::from(e);
                tracing::warn!(code = e.code(), "the attestation worker stopped: {e}");
                fail_worker(&app, &shared, &flag, plain_error(&e).message);
            }
        })?;
    Ok(RunningWorker { cancel, thread })
}

async fn cancelled(flag: &AtomicBool) {
    while !flag.load(Ordering::SeqCst) {
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
}

fn fail_worker(app: &AppHandle, shared: &Shared, cancel: &AtomicBool, message: String) {
    if cancel.load(Ordering::SeqCst) {
        return; // stopped on purpose meanwhile: the supervisor said so
    }
    let status = WorkerStatus::Failed { message };
    shared.slot().status = status.clone();
    emit(app, status, Vec::new(), 0);
}

// ---------------------------------------------------------------------------------------------
// Words

/// A network's name for people.
pub fn network_label(name: &str) -> String {
    match name {
        DEVNET => "Ethereum (devnet)",
        "mainnet" => "Ethereum",
        "sepolia" => "Ethereum Sepolia (test network)",
        "base" => "Base",
        "base-sepolia" => "Base Sepolia (test network)",
        "optimism" => "Optimism",
        "optimism-sepolia" => "Optimism Sepolia (test network)",
        "arbitrum-one" => "Arbitrum One",
        "arbitrum-sepolia" => "Arbitrum Sepolia (test network)",
        "polygon" => "Polygon",
        "linea" => "Linea",
        "scroll" => "Scroll",
        other => other,
    }
    .to_string()
}

/// What choosing a network means, in one sentence.
fn network_about(network: &Network) -> &'static str {
    match network.source {
        NetworkSource::Devnet => "A private test chain on this computer: free, and gone when it is stopped.",
        NetworkSource::User => "A network you added.",
        NetworkSource::Preset if network.name.contains("sepolia") => {
            "A public test network: recording needs free test ETH, and proves nothing of value."
        }
        NetworkSource::Preset => {
            "A public network: recording costs a small fee in ETH, paid from your Ethereum account."
        }
    }
}

/// An error in plain words for the screen (core's code is kept).
pub(crate) fn plain_error(e: &WalletError) -> AppError {
    plain(AppError { code: e.code().into(), message: e.to_string() })
}

/// An error's message in plain words for the screen, by its code.
pub(crate) fn plain(e: AppError) -> AppError {
    let message = match e.code.as_str() {
        "devnet_not_running" => {
            "The devnet is not running: start it on the Attestations screen first (Start devnet).".to_string()
        }
        "devnet_packages_missing" => format!(
            "The devnet needs Hallmark's developer tools (anvil and the EAS contracts), which are not installed on \
             this computer. {}",
            sentence(&e.message)
        ),
        _ => sentence(&e.message),
    };
    AppError { message, ..e }
}

/// The last problem of a row, in plain words (its exact message stays in `error`).
fn problem(record: &AttestationRecord) -> Option<String> {
    let code = record.error_code.as_deref()?;
    let net = network_label(&record.network);
    let message = record.error.clone().unwrap_or_default();
    let failed = record.state == "failed";
    Some(match code {
        "rpc_unreachable" | "rpc_timeout" | "rpc_failed" => {
            format!("Hallmark could not reach {net}. It tries again by itself.")
        }
        "devnet_not_running" => "The devnet is not running. Start it above: Hallmark then sends this by itself.".into(),
        "insufficient_funds" => format!(
            "Your Ethereum account has not enough ETH on {net} to pay the fee. Send some to it: Hallmark then tries \
             again by itself."
        ),
        "awaiting_confirmations" => format!("Recorded in a block; waiting for {net} to confirm it."),
        "tx_reverted" if failed => format!("{net} refused it: {message}"),
        "tx_failed" if failed => format!("{net} did not accept the transaction, so nothing was recorded."),
        "network_changed" => format!("{net} is not the same network as when this was queued: attest it again."),
        "unknown_network" => format!("Hallmark no longer knows the network “{}”.", record.network),
        "wrong_chain" | "no_contract" => format!("{net} is not set up as Hallmark expects. {}", sentence(&message)),
        "tx_replaced" => "Another transaction took its place; Hallmark sends it again by itself.".into(),
        _ if failed => sentence(&message),
        _ => format!("{} Hallmark tries again by itself.", sentence(&message)),
    })
}

// ---------------------------------------------------------------------------------------------
// What the screen receives

/// A network in the picker.
#[derive(Debug, Serialize)]
pub struct NetworkOut {
    /// Its definition (name, RPC URL, chain id, contracts, source).
    #[serde(flatten)]
    pub network: Network,
    /// Its name for people.
    pub label: String,
    /// What choosing it means.
    pub about: &'static str,
}

/// The local devnet.
#[derive(Debug, Serialize)]
pub struct DevnetOut {
    /// It answers.
    pub running: bool,
    /// Its tools (anvil, the EAS contracts) are installed, so it can be started.
    pub available: bool,
    /// Its latest block, when running.
    pub block: Option<u64>,
}

/// The network picker.
#[derive(Debug, Serialize)]
pub struct NetworksOut {
    /// Every network (presets, the user's, the devnet while it exists).
    pub networks: Vec<NetworkOut>,
    /// The network chosen for attestations, if any (shared with `hallmark network use`).
    pub chosen: Option<String>,
    /// Its name for people.
    pub chosen_label: Option<String>,
    /// The devnet.
    pub devnet: DevnetOut,
    /// The wallet's Ethereum account, which attests and pays (public).
    pub address: String,
}

/// One row of the queue, for people.
#[derive(Debug, Serialize)]
pub struct ItemOut {
    /// The stored row (state, network, UID, transaction, last problem…).
    #[serde(flatten)]
    pub record: AttestationRecord,
    /// Its network's name for people.
    pub network_label: String,
    /// What it says, in one line.
    pub what: String,
    /// Its last problem, in plain words.
    pub problem: Option<String>,
    /// For a queued row with a problem: seconds until the next try.
    pub retry_in: Option<i64>,
}

/// The queue.
#[derive(Debug, Serialize)]
pub struct QueueOut {
    /// How many in each state.
    pub counts: QueueCounts,
    /// The rows, newest first.
    pub items: Vec<ItemOut>,
    /// Who sends the queue.
    pub worker: WorkerStatus,
}

/// What an "Attest" button did.
#[derive(Debug, Serialize)]
pub struct QueuedOut {
    /// `queued` (new) or `existing` (the same attestation was queued or recorded already).
    pub outcome: &'static str,
    /// The row.
    pub item: ItemOut,
}

/// An attestation found on chain.
#[derive(Debug, Serialize)]
pub struct FoundOut {
    /// Its UID.
    pub uid: String,
    /// The account that made it.
    pub attester: String,
    /// It is this wallet's account.
    pub yours: bool,
    /// When, Unix seconds.
    pub time: u64,
    /// It was revoked.
    pub revoked: bool,
    /// What it says, in one line.
    pub what: String,
}

/// What the Lookup panel shows.
#[derive(Debug, Serialize)]
pub struct LookupOut {
    /// The file's SHA-256.
    pub sha256: String,
    /// The network searched (none when no network is chosen).
    pub network: Option<String>,
    /// Its name for people.
    pub network_label: Option<String>,
    /// This wallet's attestations of the file.
    pub local: Vec<ItemOut>,
    /// The chain's, by anyone.
    pub on_chain: Vec<FoundOut>,
    /// Why the chain could not be searched, in words.
    pub chain_error: Option<String>,
}

fn item(record: AttestationRecord) -> ItemOut {
    let what = record
        .data
        .as_ref()
        .and_then(|d| serde_json::from_value::<AttestationData>(d.clone()).ok())
        .map(|d| describe(&d))
        .unwrap_or_else(|| if record.kind == "revoke" { format!("Revokes {}", record.ref_uid) } else { String::new() });
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_secs() as i64)
        .unwrap_or_default();
    let retry_in =
        (record.state == "queued" && record.error_code.is_some()).then(|| (record.next_attempt_at - now).max(0));
    ItemOut { network_label: network_label(&record.network), what, problem: problem(&record), retry_in, record }
}

fn found(a: &Attestation, me: &str) -> FoundOut {
    let attester = a.attester.to_checksum(None);
    FoundOut {
        uid: a.uid.to_string(),
        yours: attester.eq_ignore_ascii_case(me),
        attester,
        time: a.time,
        revoked: a.is_revoked(),
        what: a.data.as_ref().map(describe).unwrap_or_else(|| "Data Hallmark cannot read".into()),
    }
}

// ---------------------------------------------------------------------------------------------
// What the commands do, on a wallet (tested below without a window)

fn bad_input(message: impl Into<String>) -> WalletError {
    WalletError::BadSetting(message.into())
}

/// A file's path as given by the screens (full paths; quotes and `file://` are understood).
fn full_path(text: &str) -> Result<PathBuf, WalletError> {
    let mut t = text.trim();
    for quote in ['"', '\''] {
        if t.len() >= 2 && t.starts_with(quote) && t.ends_with(quote) {
            t = &t[1..t.len() - 1];
        }
    }
    let t = t.strip_prefix("file://").unwrap_or(t);
    let path = PathBuf::from(t);
    if !path.is_absolute() {
        return Err(bad_input(format!(
            "“{t}” is not a full path: drop the file, or type its path from the top folder."
        )));
    }
    Ok(path)
}

/// How many blocks make an attestation count as recorded on `network`.
fn confirmations(network: &Network) -> u32 {
    if network.source == NetworkSource::Devnet {
        1
    } else {
        2
    }
}

/// The chosen network, or a plain request to choose one.
fn chosen_network(wallet: &Wallet) -> Result<Network, WalletError> {
    let name = wallet.default_network()?.ok_or_else(|| {
        bad_input("First choose where to record attestations: open the Attestations screen and pick a network.")
    })?;
    Ok(network::get(wallet.home(), &name)?)
}

fn networks(wallet: &Wallet) -> Result<NetworksOut, WalletError> {
    let home = wallet.home();
    let status = tauri::async_runtime::block_on(devnet::status(home))?;
    let networks = network::list(home)?
        .into_iter()
        // A devnet that stopped without saying so is not offered (it cannot take anything).
        .filter(|n| n.source != NetworkSource::Devnet || status.running)
        .map(|n| NetworkOut { label: network_label(&n.name), about: network_about(&n), network: n })
        .collect();
    let chosen = wallet.default_network()?;
    Ok(NetworksOut {
        networks,
        chosen_label: chosen.as_deref().map(network_label),
        chosen,
        devnet: DevnetOut { running: status.running, available: Packages::locate(None).is_ok(), block: status.block },
        address: wallet.ethereum_address()?.to_checksum(None),
    })
}

fn choose(wallet: &Wallet, name: &str) -> Result<(), WalletError> {
    let name = name.trim();
    // The devnet may be chosen before it is started; any other network must exist.
    if name != DEVNET {
        network::get(wallet.home(), name)?;
    }
    wallet.set_default_network(Some(name))
}

fn queue_list(wallet: &Wallet, worker: WorkerStatus) -> Result<QueueOut, WalletError> {
    let rows = wallet.attestations(&AttestationFilter { limit: Some(LIST_LIMIT), ..Default::default() })?;
    Ok(QueueOut { counts: wallet.attestation_counts()?, items: rows.into_iter().map(item).collect(), worker })
}

fn queue(wallet: &mut Wallet, request: QueueRequest) -> Result<QueuedOut, WalletError> {
    let network = chosen_network(wallet)?;
    let done = wallet.queue_attestations(&network, &[request], confirmations(&network), false)?;
    let enqueued = done.into_iter().next().ok_or_else(|| bad_input("Nothing was queued."))?;
    let outcome = match &enqueued {
        Enqueued::Queued { .. } => "queued",
        Enqueued::Existing { .. } => "existing",
    };
    let (Enqueued::Queued { record } | Enqueued::Existing { record }) = enqueued;
    Ok(QueuedOut { outcome, item: item(record) })
}

fn lookup(wallet: &Wallet, target: &str) -> Result<LookupOut, WalletError> {
    let target = target.trim();
    if target.is_empty() {
        return Err(bad_input("Drop a file, type its full path, or paste its SHA-256."));
    }
    // A path is read as a path (quotes and file:// removed); anything else as a SHA-256.
    let looks_like_path = target.contains('/') || target.contains('\\') || target.starts_with(['"', '\'', '~']);
    let target = if looks_like_path { full_path(target)?.display().to_string() } else { target.to_string() };
    let (network, unavailable) = match wallet.default_network()? {
        Some(name) => match network::get(wallet.home(), &name) {
            Ok(n) => (Some(n), None),
            Err(e) => (None, Some((name, plain_error(&e.into()).message))),
        },
        None => (None, None),
    };
    let Lookup { sha256, local, network: searched, on_chain, chain_error } =
        tauri::async_runtime::block_on(wallet.lookup_attestations(&target, network.as_ref(), DEFAULT_RPC_TIMEOUT))?;
    let me = wallet.ethereum_address()?.to_checksum(None);
    let (searched, chain_error) = match unavailable {
        Some((name, why)) => (Some(name), Some(why)),
        None => (searched, chain_error.map(|e| sentence(&e))),
    };
    Ok(LookupOut {
        sha256,
        network_label: searched.as_deref().map(network_label),
        network: searched,
        local: local.into_iter().map(item).collect(),
        on_chain: on_chain.iter().map(|a| found(a, &me)).collect(),
        chain_error,
    })
}

// ---------------------------------------------------------------------------------------------
// Running core on the wallet's own handle

/// Like [`unlocked_home`], without counting as activity: the queue is refreshed on the worker's
/// events, which must not keep the wallet from locking when idle.
pub(crate) async fn unlocked_home_quietly(state: &State<'_, AppState>) -> Result<PathBuf, AppError> {
    with_session(&state.session, |s| {
        if !s.is_unlocked() {
            return Err(WalletError::Locked);
        }
        Ok(s.home().to_path_buf())
    })
    .await
}

/// [`crate::commands::with_wallet`], with errors in plain words ([`plain`]).
pub(crate) async fn with_wallet<T, F>(home: PathBuf, f: F) -> Result<T, AppError>
where
    T: Send + 'static,
    F: FnOnce(&mut Wallet) -> Result<T, WalletError> + Send + 'static,
{
    crate::commands::with_wallet(home, f).await.map_err(plain)
}

// ---------------------------------------------------------------------------------------------
// The commands

/// The networks, the one chosen, the devnet's state and the wallet's Ethereum account.
#[tauri::command]
pub async fn attest_networks(state: State<'_, AppState>) -> Result<NetworksOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, |w| networks(w)).await
}

/// Chooses the network attestations are recorded on (remembered in the wallet).
#[tauri::command]
pub async fn attest_choose_network(state: State<'_, AppState>, name: String) -> Result<NetworksOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |w| {
        choose(w, &name)?;
        networks(w)
    })
    .await
}

/// Starts the local devnet (anvil with the EAS contracts) and gives the wallet's account 100
/// test ETH on it.
#[tauri::command]
pub async fn attest_devnet_start(
    state: State<'_, AppState>,
    attest: State<'_, AttestState>,
) -> Result<NetworksOut, AppError> {
    let home = unlocked_home(&state).await?;
    let (started, out) = with_wallet(home.clone(), |w| {
        let packages = Packages::locate(None)?;
        let address = w.ethereum_address()?;
        let started = tauri::async_runtime::block_on(devnet::start(w.home(), &packages, &[address]))?;
        Ok((started, networks(w)?))
    })
    .await?;
    attest.started_devnet(&home, started.pid);
    Ok(out)
}

/// Stops the local devnet (everything recorded on it is gone).
#[tauri::command]
pub async fn attest_devnet_stop(state: State<'_, AppState>) -> Result<NetworksOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, |w| {
        devnet::stop(w.home())?;
        networks(w)
    })
    .await
}

/// The queue: counts, rows (newest first) and who sends it. Not activity (see
/// [`unlocked_home_quietly`]).
#[tauri::command]
pub async fn attest_queue(state: State<'_, AppState>, attest: State<'_, AttestState>) -> Result<QueueOut, AppError> {
    let home = unlocked_home_quietly(&state).await?;
    let worker = attest.status();
    with_wallet(home, move |w| queue_list(w, worker)).await
}

/// Queues a failed attestation again. False when it is not failed.
#[tauri::command]
pub async fn attest_retry(
    state: State<'_, AppState>,
    attest: State<'_, AttestState>,
    id: i64,
) -> Result<bool, AppError> {
    let home = unlocked_home(&state).await?;
    let again = with_wallet(home, move |w| w.retry_attestation(id)).await?;
    attest.wake();
    Ok(again)
}

/// Removes a queued attestation that was never sent. False when it was sent already.
#[tauri::command]
pub async fn attest_cancel(state: State<'_, AppState>, id: i64) -> Result<bool, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |w| w.cancel_attestation(id)).await
}

/// Starts the worker again after it stopped on a problem.
#[tauri::command]
pub async fn attest_worker_start(
    state: State<'_, AppState>,
    attest: State<'_, AttestState>,
) -> Result<WorkerStatus, AppError> {
    unlocked_home(&state).await?;
    attest.wake();
    Ok(attest.status())
}

/// Queues the attestation of a signed file (its hashes, signer and type) on the chosen network.
#[tauri::command]
pub async fn attest_file(
    state: State<'_, AppState>,
    attest: State<'_, AttestState>,
    path: String,
) -> Result<QueuedOut, AppError> {
    let path = full_path(&path).map_err(|e| plain_error(&e))?;
    let home = unlocked_home(&state).await?;
    let out = with_wallet(home, move |w| {
        let request = content_request(&path)?;
        queue(w, request)
    })
    .await?;
    attest.wake();
    Ok(out)
}

/// Queues the attestation of a held humanity or membership credential on the chosen network.
#[tauri::command]
pub async fn attest_credential(
    state: State<'_, AppState>,
    attest: State<'_, AttestState>,
    id: String,
) -> Result<QueuedOut, AppError> {
    let home = unlocked_home(&state).await?;
    let out = with_wallet(home, move |w| {
        let request = w.credential_request(&id)?;
        queue(w, request)
    })
    .await?;
    attest.wake();
    Ok(out)
}

/// A file's attestations (a full path, or a SHA-256): this wallet's, and the chain's on the
/// chosen network. A chain that cannot be searched is a note, not an error.
#[tauri::command]
pub async fn attest_lookup(state: State<'_, AppState>, target: String) -> Result<LookupOut, AppError> {
    let home = unlocked_home(&state).await?;
    with_wallet(home, move |w| lookup(w, &target)).await
}

#[cfg(test)]
mod tests {
    use hallmark_core::attest::schema::AttestationData;
    use hallmark_core::attest::B256;
    use hallmark_core::keystore::KeyringMode;

    use super::*;
    use crate::testutil::{unlocked, TempDir};

    /// Quitting stops the devnet this app started, and only that one: not one started (again)
    /// by someone else, e.g. `hallmark devnet start`, after the app's was stopped.
    #[test]
    fn quitting_stops_the_devnet_this_app_started() {
        let packages = match Packages::locate(None) {
            Ok(p) => p,
            Err(e) if std::env::var("HALLMARK_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1") => {
                panic!("the devnet is required (HALLMARK_TEST_REQUIRE_INTEROP=1) but: {e}")
            }
            Err(e) => return eprintln!("skipping: {e}"),
        };
        let home = TempDir::new("attest-devnet-quit");
        let start = || tauri::async_runtime::block_on(devnet::start(&home.0, &packages, &[])).unwrap();
        let alive = |pid: u32| Path::new(&format!("/proc/{pid}")).exists();

        let attest = AttestState::new(&home.0);
        let started = start();
        attest.started_devnet(&home.0, started.pid);
        attest.shutdown();
        assert!(devnet::load_state(&home.0).unwrap().is_none(), "devnet.json is gone");
        let deadline = Instant::now() + Duration::from_secs(10);
        while alive(started.pid) && Instant::now() < deadline {
            std::thread::sleep(Duration::from_millis(50));
        }
        assert!(!alive(started.pid), "anvil ({}) still runs", started.pid);

        // Another devnet now runs in its place: the next app's quit leaves it alone.
        let attest = AttestState::new(&home.0);
        let first = start();
        attest.started_devnet(&home.0, first.pid);
        devnet::stop(&home.0).unwrap();
        let other = start();
        attest.shutdown();
        assert_eq!(devnet::load_state(&home.0).unwrap().map(|s| s.pid), Some(other.pid));
        assert!(alive(other.pid));
        devnet::stop(&home.0).unwrap();
    }

    #[test]
    fn paths_and_words() {
        assert_eq!(full_path(" '/tmp/a b.jpg' ").unwrap(), PathBuf::from("/tmp/a b.jpg"));
        assert_eq!(full_path("file:///tmp/a.jpg").unwrap(), PathBuf::from("/tmp/a.jpg"));
        let e = full_path("a.jpg").unwrap_err();
        assert!(e.to_string().contains("not a full path"), "{e}");
        assert_eq!(network_label("devnet"), "Ethereum (devnet)");
        assert_eq!(network_label("my-chain"), "my-chain");
        assert_eq!(sentence("cannot reach"), "Cannot reach");
        assert_eq!(sentence(""), "");
        let e = plain_error(&hallmark_core::attest::AttestError::DevnetNotRunning.into());
        assert_eq!(e.code, "devnet_not_running");
        assert!(e.message.contains("Start devnet"), "{}", e.message);
        assert!(!e.message.contains("hallmark devnet"), "no command lines on screen: {}", e.message);
    }

    /// A network of the user's whose node does not exist (nothing listens on port 9): queueing
    /// works, the chain cannot be searched.
    fn nowhere(home: &Path) -> Network {
        let mut n = network::get(home, "sepolia").unwrap();
        n.name = "nowhere".into();
        n.rpc_url = "http://127.0.0.1:9".into();
        network::add(home, n).unwrap()
    }

    fn content_request_for(sha: u8) -> QueueRequest {
        QueueRequest {
            request: hallmark_core::attest::eas::AttestRequest::new(AttestationData::Content {
                content_sha256: B256::repeat_byte(sha),
                manifest_hash: B256::repeat_byte(8),
                signer_did: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp".into(),
                media_type: "image/jpeg".into(),
            }),
            label: "photo.jpg".into(),
            source: Some("/tmp/photo.jpg".into()),
        }
    }

    #[test]
    fn choosing_queueing_listing_and_looking_up_without_a_chain() {
        let home = TempDir::new("attest");
        let u = unlocked(&home.0);
        let mut w = Wallet::open(&home.0, KeyringMode::None).unwrap();
        drop(u);
        let request = content_request_for(7);

        // Nothing chosen: attesting asks for a network, in words.
        let e = queue(&mut w, request.clone()).unwrap_err();
        assert!(e.to_string().contains("choose where to record"), "{e}");

        // An unknown network cannot be chosen; a preset can, and the devnet even when stopped.
        assert_eq!(choose(&w, "atlantis").unwrap_err().code(), "unknown_network");
        choose(&w, "sepolia").unwrap();
        let n = networks(&w).unwrap();
        assert_eq!(n.chosen.as_deref(), Some("sepolia"));
        assert_eq!(n.chosen_label.as_deref(), Some("Ethereum Sepolia (test network)"));
        assert!(!n.devnet.running);
        assert!(n.networks.iter().any(|x| x.network.name == "mainnet" && x.label == "Ethereum"));
        assert!(!n.networks.iter().any(|x| x.network.name == DEVNET), "a devnet that is not running is not offered");
        assert_eq!(n.address, w.ethereum_address().unwrap().to_checksum(None));
        choose(&w, DEVNET).unwrap();
        assert_eq!(w.default_network().unwrap().as_deref(), Some(DEVNET));
        // The devnet chosen but not running: queueing says to start it, in the screen's words.
        let e = plain_error(&queue(&mut w, request.clone()).unwrap_err());
        assert_eq!(e.code, "devnet_not_running");
        assert!(e.message.starts_with("The devnet is not running"), "{}", e.message);

        // Queued (nothing is sent: no worker runs here); the same again is not queued twice;
        // the list shows it in words; it can be cancelled.
        nowhere(&home.0);
        choose(&w, "nowhere").unwrap();
        let first = queue(&mut w, request.clone()).unwrap();
        assert_eq!(first.outcome, "queued");
        assert_eq!(first.item.record.state, "queued");
        assert_eq!(first.item.network_label, "nowhere");
        assert!(first.item.what.contains("image/jpeg signed by did:key:"), "{}", first.item.what);
        assert_eq!(queue(&mut w, request).unwrap().outcome, "existing");
        let list = queue_list(&w, WorkerStatus::Stopped).unwrap();
        assert_eq!(list.counts.queued, 1);
        assert_eq!(list.items.len(), 1);
        let json = serde_json::to_value(&list).unwrap();
        assert_eq!(json["items"][0]["state"], "queued", "the record's fields are at the top level");
        assert_eq!(json["worker"]["state"], "stopped");

        // Lookup by SHA-256: this wallet's row; the chain cannot be searched: a note, not an error.
        let sha = B256::repeat_byte(7).to_string();
        let found = lookup(&w, &sha).unwrap();
        assert_eq!(found.sha256, sha);
        assert_eq!(found.local.len(), 1);
        assert_eq!(found.network.as_deref(), Some("nowhere"));
        assert!(found.on_chain.is_empty());
        assert!(found.chain_error.as_deref().is_some_and(|e| e.starts_with("Cannot reach")), "{found:?}");
        // Another hash: nothing of this wallet's.
        assert!(lookup(&w, &B256::repeat_byte(9).to_string()).unwrap().local.is_empty());
        // Neither a file nor a hash: said so.
        assert_eq!(lookup(&w, "not a hash").unwrap_err().code(), "invalid_input");
        assert_eq!(lookup(&w, "photos/a.jpg").unwrap_err().code(), "bad_setting");
        let e = lookup(&w, "  ").unwrap_err();
        assert!(e.to_string().contains("Drop a file"), "{e}");

        // With the devnet chosen but stopped, the chain part is a note too.
        choose(&w, DEVNET).unwrap();
        let found = lookup(&w, &sha).unwrap();
        assert_eq!(found.network.as_deref(), Some(DEVNET));
        assert!(found.chain_error.as_deref().is_some_and(|e| e.contains("devnet is not running")), "{found:?}");

        assert!(w.cancel_attestation(first.item.record.id).unwrap());
        assert!(queue_list(&w, WorkerStatus::Stopped).unwrap().items.is_empty());
    }

    #[test]
    fn a_held_credential_is_queued_by_its_hash_and_dids() {
        use hallmark_core::credential::{humanity_credential, Format, HumanityMethod};
        use hallmark_core::DidMethod;

        let home = TempDir::new("attest");
        let mut u = unlocked(&home.0);
        let ana = u.new_identity(DidMethod::Key, Some("Ana".into()), None).unwrap().did;
        let now = hallmark_core::store::now_rfc3339();
        let vc = humanity_credential(&ana, &ana, HumanityMethod::InPerson, None, &now, None);
        let issued = tauri::async_runtime::block_on(u.issue(vc, Format::parse("di", None).unwrap())).unwrap();
        drop(u);
        let mut w = Wallet::open(&home.0, KeyringMode::None).unwrap();
        nowhere(&home.0);
        choose(&w, "nowhere").unwrap();
        let request = w.credential_request(&issued.held.id).unwrap();
        let out = queue(&mut w, request).unwrap();
        assert_eq!(out.outcome, "queued");
        assert_eq!(out.item.record.schema, "humanity");
        assert_eq!(out.item.record.source.as_deref(), Some(issued.held.id.as_str()));
        assert!(out.item.what.contains("is a real, unique person"), "{}", out.item.what);
        assert!(out.item.record.content_sha256.is_none(), "a credential is not a file");
        // Its text is never part of what is queued: only its hash and the DIDs.
        let data = out.item.record.data.clone().unwrap().to_string();
        assert!(!data.contains("HumanityCheck") && data.contains(&ana), "{data}");
    }

    #[test]
    fn another_worker_holding_the_lock_is_seen_without_the_key() {
        let home = TempDir::created("attest");
        assert!(worker_lock_free(&home.0));
        let held = OpenOptions::new().create(true).truncate(false).write(true).open(home.0.join(LOCK_FILE)).unwrap();
        held.lock().unwrap();
        assert!(!worker_lock_free(&home.0), "a `hallmark` command holds it");
        drop(held);
        assert!(worker_lock_free(&home.0), "free again once it is done");
    }

    #[test]
    fn problems_in_plain_words() {
        let home = TempDir::new("attest");
        let u = unlocked(&home.0);
        let mut w = Wallet::open(&home.0, KeyringMode::None).unwrap();
        drop(u);
        nowhere(&home.0);
        choose(&w, "nowhere").unwrap();
        let request = QueueRequest {
            request: hallmark_core::attest::eas::AttestRequest::new(AttestationData::Membership {
                community_id: "https://club.example/".into(),
                member_did: "did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp".into(),
                role: "member".into(),
            }),
            label: "membership".into(),
            source: None,
        };
        let mut record = queue(&mut w, request).unwrap().item.record;
        record.error_code = Some("insufficient_funds".into());
        record.error = Some("the account 0x… has not enough ETH".into());
        let shown = item(record.clone());
        assert!(shown.problem.as_deref().is_some_and(|p| p.starts_with("Your Ethereum account has not enough ETH")));
        assert!(shown.retry_in.is_some());
        assert!(shown.what.contains("is a member of community https://club.example/"), "{}", shown.what);
        record.state = "failed".into();
        record.error_code = Some("tx_reverted".into());
        record.error = Some("the EAS contract refused this: InvalidSchema".into());
        let shown = item(record);
        assert_eq!(shown.problem.as_deref(), Some("nowhere refused it: the EAS contract refused this: InvalidSchema"));
        assert_eq!(shown.retry_in, None);
    }
}
