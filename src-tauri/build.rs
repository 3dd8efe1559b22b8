//! Builds the Tauri context from ../tauri.conf.json and declares the app's commands, so that
//! each is denied unless a capability (src-tauri/capabilities/) grants it.

/// Every command the UI may call. Keep in sync with `generate_handler!` in main.rs.
const COMMANDS: &[&str] = &[
    "app_status",
    "wallet_begin_create",
    "wallet_finish_create",
    "wallet_cancel_create",
    "wallet_restore",
    "wallet_unlock",
    "wallet_lock",
    "identities_list",
    "identity_create",
    "identity_document",
    "identity_qr",
    "identity_web_info",
    "clipboard_copy",
    "settings_set_lock_timeout",
    "activity",
    "ui_ready",
    "credentials_list",
    "credential_show",
    "credential_import",
    "credential_recheck",
    "credential_delete",
    "credential_issue",
    "credential_revoke",
    "credential_present",
    "credential_status_list",
    "communities_list",
    "community_show",
    "community_create",
    "community_invite",
    "community_join",
    "community_receive",
    "community_admit",
    "community_reject",
    "community_vouch",
    "community_approve",
    "community_add_vouches",
    "community_humanity",
    "community_promote",
    "community_leave",
    "community_ban",
    "media_sign",
    "media_cancel",
    "media_verify",
    "media_find",
    "media_formats",
    "attest_networks",
    "attest_choose_network",
    "attest_devnet_start",
    "attest_devnet_stop",
    "attest_queue",
    "attest_retry",
    "attest_cancel",
    "attest_worker_start",
    "attest_file",
    "attest_credential",
    "attest_lookup",
];

fn main() {
    tauri_build::try_build(
        tauri_build::Attributes::new()
            .config_path("../tauri.conf.json")
            .app_manifest(tauri_build::AppManifest::new().commands(COMMANDS)),
    )
    .expect("tauri-build failed");
}
