//! `hallmark`: the command-line face of hallmark-core. It parses input, calls core and renders
//! the result as text or (`--json`) as JSON. No wallet logic lives here.

/// mimalloc: much faster than the system allocator for JSON-LD processing (credential checks).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

mod args;
mod attest;
mod commands;
mod community;
mod cred;
mod log;
mod media;
mod secrets;

use std::process::ExitCode;

use clap::Parser;
use hallmark_core::WalletError;

/// Everything a command can fail with.
#[derive(Debug, thiserror::Error)]
pub enum CliError {
    /// An error from core.
    #[error(transparent)]
    Wallet(#[from] WalletError),
    /// The command line asked for something impossible.
    #[error("{0}")]
    Usage(String),
    /// The person stopped the operation or did not confirm it.
    #[error("{0}")]
    Aborted(String),
    /// A problem the command line found itself, with its stable code (see the README).
    #[error("{message}")]
    Coded {
        /// The machine-readable code.
        code: &'static str,
        /// What went wrong, for people.
        message: String,
    },
    /// Writing output failed.
    #[error("could not write {path}: {source}")]
    Output {
        /// The file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

impl CliError {
    /// Stable machine-readable code (see the README).
    fn code(&self) -> &'static str {
        match self {
            CliError::Wallet(e) => e.code(),
            CliError::Usage(_) => "usage",
            CliError::Aborted(_) => "aborted",
            CliError::Coded { code, .. } => code,
            CliError::Output { .. } => "io_failed",
        }
    }

    /// The process exit code (see the README).
    fn exit_code(&self) -> u8 {
        exit_code_of(self.code())
    }
}

/// The process exit code for an error code (see the README).
pub fn exit_code_of(code: &str) -> u8 {
    match code {
        "usage" | "bad_keyring_mode" | "unknown_action" | "no_network" => 2,
        "wrong_passphrase" => 3,
        "no_wallet" => 4,
        "need_passphrase" => 5,
        "damaged_data" | "data_too_new" | "wallet_mismatch" => 6,
        "invalid_credential"
        | "invalid_jwt"
        | "unknown_context"
        | "unsupported_proof"
        | "unsupported_verification_method"
        | "too_large" => 7,
        "issuer_unresolvable" | "method_not_listed" | "status_unavailable" | "did_unreachable" | "did_timeout" => 8,
        "no_manifest" => media::EXIT_NO_MANIFEST,
        "rpc_unreachable" | "rpc_timeout" | "rpc_failed" | "tx_not_confirmed" => attest::EXIT_RPC,
        "wrong_chain" | "no_contract" | "unknown_network" | "devnet_not_running" | "schema_mismatch" => {
            attest::EXIT_NETWORK
        }
        "insufficient_funds" => attest::EXIT_FUNDS,
        "tx_reverted" | "tx_failed" | "network_changed" => attest::EXIT_TX_FAILED,
        "invalid_offchain_attestation" => attest::EXIT_INVALID_OFFCHAIN,
        "invalid_log" => log::EXIT_INVALID_LOG,
        _ => 1,
    }
}

/// What a command produced: the same data as JSON and as text for people.
pub struct Output {
    /// For `--json`.
    pub json: serde_json::Value,
    /// For people (stdout).
    pub text: String,
    /// For people, beside the data (stderr), so that stdout stays clean for scripts.
    pub note: Option<String>,
    /// The exit code after printing (non-zero for a report that says "no", e.g. an invalid credential).
    pub exit: u8,
}

impl Output {
    /// Output with no side note.
    pub fn new(json: serde_json::Value, text: impl Into<String>) -> Output {
        Output { json, text: text.into(), note: None, exit: 0 }
    }
}

fn init_tracing(verbose: u8) {
    if verbose == 0 {
        return;
    }
    let default =
        if verbose == 1 { "hallmark_core=info,hallmark_cli=info" } else { "hallmark_core=debug,hallmark_cli=debug" };
    let filter = tracing_subscriber::EnvFilter::try_from_default_env()
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new(default));
    tracing_subscriber::fmt().with_env_filter(filter).with_writer(std::io::stderr).with_target(false).init();
}

fn main() -> ExitCode {
    let cli = args::Cli::parse();
    init_tracing(cli.global.verbose);
    let json = cli.global.json;
    match commands::run(cli) {
        Ok(out) => {
            if json {
                println!("{}", serde_json::to_string_pretty(&out.json).unwrap_or_default());
            } else {
                if let Some(note) = &out.note {
                    eprintln!("{}", note.trim_end());
                }
                if !out.text.is_empty() {
                    println!("{}", out.text.trim_end());
                }
            }
            ExitCode::from(out.exit)
        }
        Err(e) => {
            tracing::debug!(code = e.code(), "command failed");
            let message = match hint(e.code()) {
                Some(h) => format!("{e} ({h})"),
                None => e.to_string(),
            };
            if json {
                let body = serde_json::json!({"error": {"code": e.code(), "message": message}});
                eprintln!("{body}");
            } else {
                eprintln!("error: {message}");
            }
            ExitCode::from(e.exit_code())
        }
    }
}

/// The command that helps after an error, for errors whose core message says what to do in
/// words that fit the app too.
fn hint(code: &str) -> Option<&'static str> {
    Some(match code {
        "no_such_community" | "ambiguous_community" => "`hallmark community list` shows them",
        "no_desk_moderator" => "name the moderator with --as DID",
        "no_such_request" => "`hallmark community show ID` lists the pending requests",
        "wrong_domain" | "no_challenge" | "unknown_challenge" => {
            "the candidate runs `hallmark community request` with an invitation from `hallmark community invite`"
        }
        "last_moderator" | "moderator_needs_approvals" => "see `hallmark community moderator add`",
        "community_name_needed" => "give it with --name",
        "self_ban" => "see `hallmark community leave`",
        _ => return None,
    })
}
