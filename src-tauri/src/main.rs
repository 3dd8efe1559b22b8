//! Hallmark's desktop app: a thin Tauri shell over hallmark-core. It holds one wallet session,
//! exposes the commands in [`commands`], and locks the wallet after the idle time.
#![cfg_attr(not(debug_assertions), windows_subsystem = "windows")]

/// mimalloc: much faster than the system allocator for JSON-LD processing (credential checks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod activity;
mod attest;
mod commands;
mod community;
mod credentials;
mod error;
mod media;
#[cfg(test)]
mod testutil;

use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallmark_core::keystore::KeyringMode;
use hallmark_core::session::{LockReason, Session};
use hallmark_core::wallet::default_home;
use tauri::{Emitter, Manager};

// The Activity screen's commands, by their bare names.
use crate::activity::{
    activity_anchor, activity_entries, activity_export, activity_overview, activity_set_anchoring, activity_verify,
};
use crate::attest::{
    attest_cancel, attest_choose_network, attest_credential, attest_devnet_start, attest_devnet_stop, attest_file,
    attest_lookup, attest_networks, attest_queue, attest_retry, attest_worker_start, AttestState,
};
use crate::commands::{with_session, AppState};
// The Community screen's commands, by their bare names.
use crate::community::{
    communities_list, community_add_vouches, community_admit, community_approve, community_ban, community_create,
    community_humanity, community_invite, community_join, community_leave, community_promote, community_receive,
    community_reject, community_show, community_vouch,
};
// The Credentials screen's commands, by their bare names (as build.rs and the capability list them).
use crate::credentials::{
    credential_delete, credential_import, credential_issue, credential_present, credential_recheck, credential_revoke,
    credential_show, credential_status_list, credentials_list, credentials_recheck_all,
};
// The Sign and Verify screens' commands, by their bare names.
use crate::media::{media_cancel, media_find, media_formats, media_sign, media_verify, MediaState};

/// How often the idle check runs.
const IDLE_CHECK: Duration = Duration::from_secs(5);

/// Stack size of the app's worker threads (async and blocking).
const RUNTIME_STACK: usize = 8 << 20;

fn main() {
    // WebKit tuning for a small, security-sensitive UI (a value from the environment wins; set
    // before any thread starts):
    // - no GPU compositing: a wallet UI needs none; WebKit's web process keeps ~50 MB less, and
    //   windows do not come up blank on GPUs whose drivers WebKit mishandles;
    // - no JavaScript JIT: the UI's few hundred lines of script run fast enough interpreted, and
    //   without a JIT there is less memory and less attack surface (as in hardened browsers).
    for (name, value) in [("WEBKIT_DISABLE_COMPOSITING_MODE", "1"), ("JSC_useJIT", "false")] {
        if std::env::var_os(name).is_none() {
            std::env::set_var(name, value);
        }
    }
    // Logs go to stderr only when asked for (HALLMARK_LOG=info|debug); secrets are never logged.
    if let Ok(filter) = std::env::var("HALLMARK_LOG") {
        tracing_subscriber::fmt()
            .with_env_filter(tracing_subscriber::EnvFilter::new(filter))
            .with_writer(std::io::stderr)
            .init();
    }
    // Tauri's runtime, with 8 MiB thread stacks instead of tokio's 2 MiB: verifying a community's
    // requests and vouches runs JSON-LD canonicalization futures that nest deeply, more so in debug
    // builds. The runtime lives as long as the process.
    match tokio::runtime::Builder::new_multi_thread().enable_all().thread_stack_size(RUNTIME_STACK).build() {
        Ok(runtime) => tauri::async_runtime::set(Box::leak(Box::new(runtime)).handle().clone()),
        Err(e) => fail(&format!("the app could not start its worker threads: {e}")),
    }
    let (home, mode) = match (default_home(), KeyringMode::from_env()) {
        (Ok(h), Ok(m)) => (h, m),
        (Err(e), _) => fail(&e.to_string()),
        (_, Err(e)) => fail(&e.to_string()),
    };
    let mut session = Session::new(&home, mode);
    // Open silently when the OS keyring holds the wallet key.
    if let Err(e) = session.unlock_with_keyring() {
        tracing::warn!("could not unlock through the OS keyring: {e}");
    }
    let media = MediaState::new(session.home());
    let attest = AttestState::new(session.home());
    let session = Arc::new(Mutex::new(session));
    let for_idle = session.clone();
    let for_worker = session.clone();

    tauri::Builder::default()
        .plugin(tauri_plugin_clipboard_manager::init())
        .manage(AppState { session })
        .manage(media)
        .manage(attest)
        .setup(move |app| {
            let handle = app.handle().clone();
            // While the wallet is unlocked, a worker sends the attestation queue.
            app.state::<AttestState>().supervise(handle.clone(), for_worker);
            quit_on_signals(handle.clone());
            tauri::async_runtime::spawn(async move {
                loop {
                    tokio::time::sleep(IDLE_CHECK).await;
                    match with_session(&for_idle, |s| s.lock_if_idle()).await {
                        Ok(true) => {
                            let _ = handle.emit("session-locked", serde_json::json!({ "reason": LockReason::Idle }));
                        }
                        Ok(false) => {}
                        Err(e) => tracing::warn!("idle check: {}", e.message),
                    }
                }
            });
            Ok(())
        })
        .invoke_handler(tauri::generate_handler![
            commands::app_status,
            commands::wallet_begin_create,
            commands::wallet_finish_create,
            commands::wallet_cancel_create,
            commands::wallet_restore,
            commands::wallet_unlock,
            commands::wallet_lock,
            commands::identities_list,
            commands::identity_create,
            commands::identity_document,
            commands::identity_qr,
            commands::identity_web_info,
            commands::clipboard_copy,
            commands::settings_set_lock_timeout,
            commands::activity,
            commands::ui_ready,
            credentials_list,
            credentials_recheck_all,
            credential_show,
            credential_import,
            credential_recheck,
            credential_delete,
            credential_issue,
            credential_revoke,
            credential_present,
            credential_status_list,
            communities_list,
            community_show,
            community_create,
            community_invite,
            community_join,
            community_receive,
            community_admit,
            community_reject,
            community_vouch,
            community_approve,
            community_add_vouches,
            community_humanity,
            community_promote,
            community_leave,
            community_ban,
            media_sign,
            media_cancel,
            media_verify,
            media_find,
            media_formats,
            attest_networks,
            attest_choose_network,
            attest_devnet_start,
            attest_devnet_stop,
            attest_queue,
            attest_retry,
            attest_cancel,
            attest_worker_start,
            attest_file,
            attest_credential,
            attest_lookup,
            activity_overview,
            activity_entries,
            activity_verify,
            activity_anchor,
            activity_set_anchoring,
            activity_export,
        ])
        .build(tauri::generate_context!("../tauri.conf.json"))
        .unwrap_or_else(|e| fail(&format!("the window could not start: {e}")))
        .run(|app, event| {
            // Quitting: the attestation worker stops and drops the wallet's Ethereum key.
            if let tauri::RunEvent::Exit = event {
                app.state::<AttestState>().shutdown();
            }
        });
}

/// A request to end the process (SIGTERM at logout or from a process manager, SIGINT, SIGHUP)
/// quits the app as closing its window does, so that its exit handling runs: the attestation
/// worker drops the Ethereum key, a devnet the app started stops.
fn quit_on_signals(handle: tauri::AppHandle) {
    use tokio::signal::unix::{signal, SignalKind};
    tauri::async_runtime::spawn(async move {
        let watched = (signal(SignalKind::terminate()), signal(SignalKind::interrupt()), signal(SignalKind::hangup()));
        let (Ok(mut term), Ok(mut interrupt), Ok(mut hangup)) = watched else {
            tracing::warn!("cannot watch for signals to quit: ending on one will skip the exit handling");
            return;
        };
        tokio::select! {
            _ = term.recv() => {}
            _ = interrupt.recv() => {}
            _ = hangup.recv() => {}
        }
        tracing::info!("asked to end: quitting");
        handle.exit(0);
    });
}

fn fail(message: &str) -> ! {
    eprintln!("hallmark-app: {message}");
    std::process::exit(1);
}
