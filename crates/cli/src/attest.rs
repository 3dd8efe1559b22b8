//! `hallmark attest …`, `hallmark network …` and `hallmark devnet …`: attestations on Ethereum
//! with the Ethereum Attestation Service (EAS). Core does the work ([`hallmark_core::attest`] and
//! the wallet's attestation methods); here are the choice of network, the wait for the queue
//! (progress bar, Ctrl-C), and the reports.
//!
//! Queueing needs no passphrase (only hashes, DIDs and the wallet's public address go in);
//! sending does (the worker signs with the wallet's Ethereum key). A command that queues waits
//! for its items unless `--no-wait`; Ctrl-C stops the wait, never the queue: `hallmark attest run`
//! continues.

use std::collections::{BTreeMap, BTreeSet};
use std::io::IsTerminal;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use clap::{Args, Subcommand, ValueEnum};
use hallmark_core::attest::devnet::{self, Packages};
use hallmark_core::attest::network::{self, NetworkSource, DEVNET};
use hallmark_core::attest::queue::{QueueRequest, Until, WorkerOptions, LOCK_FILE};
use hallmark_core::attest::{
    connect, offchain, parse_address, parse_b256, Address, AttestError, AttestationData, Network, DEFAULT_RPC_TIMEOUT,
};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::store::{AttestationFilter, AttestationRecord, Enqueued};
use hallmark_core::vault::VaultError;
use hallmark_core::wallet::attest::{chain_lookup, content_request, describe, lookup_hash, Lookup};
use hallmark_core::{UnlockedWallet, Wallet, WalletError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde_json::{json, Value};

use crate::args::Global;
use crate::commands::{pretty_json, runtime, to_json, unlocked, write_public_file};
use crate::{exit_code_of, CliError, Output};

/// The Ethereum node could not be reached, did not answer in time, or refused the request.
pub const EXIT_RPC: u8 = 20;
/// A network problem: unknown network, a node on another chain, no EAS contract there, the
/// devnet not running.
pub const EXIT_NETWORK: u8 = 21;
/// The wallet's account has not enough ETH to pay for the transaction.
pub const EXIT_FUNDS: u8 = 22;
/// Attestations failed: the contract refused them, or their transaction reverted.
pub const EXIT_TX_FAILED: u8 = 23;
/// `attest verify`: the off-chain attestation is not valid (unreadable, changed, forged).
pub const EXIT_INVALID_OFFCHAIN: u8 = 24;
/// Stopped by Ctrl-C (or SIGTERM): the attestations stay queued.
pub const EXIT_STOPPED: u8 = 130;

/// A command stops waiting when every item it waits for has met a problem that lasted this long
/// (the node down, no funds…): the items stay queued and `hallmark attest run` tries again.
const GIVE_UP_AFTER: Duration = Duration::from_secs(10);

/// Largest off-chain attestation file read.
const MAX_OFFCHAIN_BYTES: u64 = 1024 * 1024;

/// `hallmark devnet …`.
#[derive(Debug, Subcommand)]
pub enum DevnetCommand {
    /// Start a local chain (anvil) with the EAS contracts on 127.0.0.1, and give this wallet's
    /// Ethereum account 100 (test) ETH. It keeps running until `hallmark devnet stop`.
    Start,
    /// Stop the devnet. Its chain is lost: a new devnet starts empty.
    Stop,
    /// Whether the devnet runs, where, and its latest block.
    Status,
}

/// `hallmark network …`.
#[derive(Debug, Subcommand)]
pub enum NetworkCommand {
    /// The networks: built in, added by you, and the devnet while it runs.
    List,
    /// Add a network where EAS is deployed.
    Add {
        /// Its name (lower-case letters, digits and '-').
        name: String,
        /// Its JSON-RPC URL (https://, or http:// on your own machine).
        #[arg(long, value_name = "URL")]
        rpc: String,
        /// Its chain id (the node must report it; transactions are signed for it).
        #[arg(long, value_name = "N")]
        chain_id: u64,
        /// The address of the EAS contract.
        #[arg(long, value_name = "ADDR")]
        eas: String,
        /// The address of the SchemaRegistry contract.
        #[arg(long, value_name = "ADDR")]
        registry: String,
        /// The block EAS was deployed in (lookups start there).
        #[arg(long, value_name = "N", default_value_t = 0)]
        start_block: u64,
    },
    /// Remove a network you added.
    Remove {
        /// Its name.
        name: String,
    },
    /// Attest on this network when a command is given no --network.
    Use {
        /// Its name.
        name: String,
    },
}

/// Where attestations go and whether to wait for them.
#[derive(Debug, Clone, Args)]
pub struct SendArgs {
    /// The network (default: the one chosen with `hallmark network use`).
    #[arg(long, value_name = "NAME")]
    pub network: Option<String>,
    /// Blocks to wait for before an attestation counts as confirmed (default: 1 on the devnet,
    /// 2 elsewhere).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub confirmations: Option<u32>,
    /// Only queue: `hallmark attest run` (or the app) sends the queue later.
    #[arg(long)]
    pub no_wait: bool,
}

/// Options of `attest content` and `attest credential`.
#[derive(Debug, Clone, Args)]
pub struct AttestOptions {
    #[command(flatten)]
    pub send: SendArgs,
    /// Sign off-chain attestations instead (a JSON file each; nothing is sent, nothing to pay).
    #[arg(long, conflicts_with_all = ["confirmations", "no_wait", "force"])]
    pub offchain: bool,
    /// With --offchain: write the files into this folder (default: beside each file, as
    /// FILE.eas.json; for a credential, the current folder).
    #[arg(long, value_name = "DIR", requires = "offchain")]
    pub out: Option<PathBuf>,
    /// Attest again even when an identical attestation is queued or on chain already.
    #[arg(long)]
    pub force: bool,
}

/// The states of an attestation in the list.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum StateArg {
    /// Waiting to be sent.
    Queued,
    /// Sent; waiting to be mined and confirmed.
    Sent,
    /// On chain, confirmed.
    Confirmed,
    /// Refused for good (see its reason).
    Failed,
    /// Off-chain attestations.
    Signed,
}

impl StateArg {
    fn as_str(self) -> &'static str {
        match self {
            StateArg::Queued => "queued",
            StateArg::Sent => "sent",
            StateArg::Confirmed => "confirmed",
            StateArg::Failed => "failed",
            StateArg::Signed => "signed",
        }
    }
}

/// `hallmark attest …`.
#[derive(Debug, Subcommand)]
pub enum AttestCommand {
    /// Attest signed files on chain: their SHA-256, their content credentials' hash, the signer's
    /// DID and media type (never the files). Several files go in one transaction.
    Content {
        /// Files signed with content credentials (e.g. by `hallmark sign`).
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        #[command(flatten)]
        options: AttestOptions,
    },
    /// Attest a humanity or community membership credential you hold (its hash, subject,
    /// issuer and expiry; or community, member and role).
    Credential {
        /// The credential's id (see `hallmark cred list`).
        id: String,
        #[command(flatten)]
        options: AttestOptions,
    },
    /// Revoke one of your on-chain attestations.
    Revoke {
        /// The attestation's UID (0x and 64 hex digits).
        uid: String,
        #[command(flatten)]
        send: SendArgs,
    },
    /// Your attestations: queued, sent, confirmed, failed and off-chain ones.
    List {
        /// Only those in this state.
        #[arg(long, value_enum)]
        state: Option<StateArg>,
        /// Only those on this network.
        #[arg(long, value_name = "NAME")]
        network: Option<String>,
    },
    /// The queue: how many in each state, and what is still to be sent, with its last problem.
    Status,
    /// Send the queue now and wait until it is empty (or, with --watch, keep sending new items
    /// until Ctrl-C).
    Run {
        /// Keep running: send whatever is queued from now on.
        #[arg(long)]
        watch: bool,
    },
    /// Queue a failed attestation again.
    Retry {
        /// Its number (see `hallmark attest list`).
        id: i64,
    },
    /// Remove a queued attestation that was never sent.
    Cancel {
        /// Its number (see `hallmark attest list`).
        id: i64,
    },
    /// The attestations of a file (or of a SHA-256): yours, and the chain's by anyone.
    Lookup {
        /// A file, or its SHA-256 (64 hex digits).
        #[arg(value_name = "FILE|SHA256")]
        target: String,
        /// The network to search (default: the one chosen with `hallmark network use`).
        #[arg(long, value_name = "NAME")]
        network: Option<String>,
    },
    /// Check an off-chain attestation (EAS JSON): who signed it, and what it says. Exits 24 when
    /// it is not valid.
    Verify {
        /// The attestation file (JSON).
        file: PathBuf,
        /// Also require that it was made for this network's chain and EAS contract.
        #[arg(long, value_name = "NAME")]
        network: Option<String>,
    },
}

// ---------------------------------------------------------------------------------------------
// Networks

fn wallet_error(e: impl Into<WalletError>) -> CliError {
    CliError::Wallet(e.into())
}

/// The wallet in the data folder, or `None` when there is none yet.
fn optional_wallet(home: &Path, mode: KeyringMode) -> Result<Option<Wallet>, CliError> {
    match Wallet::open(home, mode) {
        Ok(w) => Ok(Some(w)),
        Err(WalletError::Vault(VaultError::NoWallet(_))) => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// The network called `name` (the devnet only while it runs).
pub fn network_named(home: &Path, name: &str) -> Result<Network, CliError> {
    network::get(home, name).map_err(wallet_error)
}

fn network_names(home: &Path) -> String {
    let mut names: Vec<String> = network::list(home).unwrap_or_default().into_iter().map(|n| n.name).collect();
    if !names.iter().any(|n| n == DEVNET) {
        names.push(DEVNET.into());
    }
    names.join(", ")
}

/// The network named by `--network`, else the wallet's default one.
pub(crate) fn chosen_network(home: &Path, wallet: &Wallet, flag: Option<&str>) -> Result<Network, CliError> {
    match flag {
        Some(name) => network_named(home, name),
        None => match wallet.default_network()? {
            Some(name) => network_named(home, &name),
            None => Err(CliError::Coded {
                code: "no_network",
                message: format!(
                    "no network chosen: give --network NAME, or choose a default with `hallmark network use NAME` (networks: {})",
                    network_names(home)
                ),
            }),
        },
    }
}

pub(crate) fn default_confirmations(network: &Network) -> u32 {
    if network.source == NetworkSource::Devnet {
        1
    } else {
        2
    }
}

/// Checks (without the key) that the network's node answers, is on the right chain and has EAS:
/// so that nothing is queued for a network that cannot take it now.
pub(crate) fn preflight(network: &Network) -> Result<(), CliError> {
    runtime()?.block_on(connect(network, None, DEFAULT_RPC_TIMEOUT)).map_err(wallet_error)?;
    Ok(())
}

/// `hallmark network …`.
pub fn network_command(home: &Path, mode: KeyringMode, n: NetworkCommand) -> Result<Output, CliError> {
    match n {
        NetworkCommand::List => {
            let all = network::list(home).map_err(wallet_error)?;
            let default = match optional_wallet(home, mode)? {
                Some(w) => w.default_network()?,
                None => None,
            };
            let mut text = String::new();
            let mut items = Vec::new();
            for net in &all {
                let is_default = default.as_deref() == Some(net.name.as_str());
                let source = match net.source {
                    NetworkSource::Preset => "built in",
                    NetworkSource::User => "yours",
                    NetworkSource::Devnet => "devnet",
                };
                text.push_str(&format!(
                    "{} {:<18} chain {:<10} {:<8}  {}\n",
                    if is_default { "*" } else { " " },
                    net.name,
                    net.chain_id,
                    source,
                    net.rpc_url
                ));
                let mut item = to_json(net);
                item["default"] = json!(is_default);
                items.push(item);
            }
            match &default {
                Some(d) => text.push_str(&format!("* the default network ({d})\n")),
                None => text.push_str("No default network: `hallmark network use NAME` chooses one.\n"),
            }
            if !all.iter().any(|n| n.source == NetworkSource::Devnet) {
                text.push_str("The devnet is not running (`hallmark devnet start`).\n");
            }
            Ok(Output::new(json!({"default": default, "networks": items}), text))
        }
        NetworkCommand::Add { name, rpc, chain_id, eas, registry, start_block } => {
            let eas = parse_address(&eas, "the EAS address").map_err(wallet_error)?;
            let schema_registry = parse_address(&registry, "the SchemaRegistry address").map_err(wallet_error)?;
            let added = network::add(
                home,
                Network {
                    name,
                    rpc_url: rpc,
                    chain_id,
                    eas,
                    schema_registry,
                    start_block,
                    source: NetworkSource::User,
                },
            )
            .map_err(wallet_error)?;
            let text = format!(
                "Added network {} (chain {}, EAS {}). Use it with --network {} or `hallmark network use {}`.",
                added.name, added.chain_id, added.eas, added.name, added.name
            );
            Ok(Output::new(to_json(&added), text))
        }
        NetworkCommand::Remove { name } => {
            network::remove(home, &name).map_err(wallet_error)?;
            let mut was_default = false;
            if let Some(w) = optional_wallet(home, mode)? {
                if w.default_network()?.as_deref() == Some(name.as_str()) {
                    w.set_default_network(None)?;
                    was_default = true;
                }
            }
            let mut text = format!("Removed network {name}.");
            if was_default {
                text.push_str(" It was the default network: choose another with `hallmark network use NAME`.");
            }
            Ok(Output::new(json!({"removed": name, "was_default": was_default}), text))
        }
        NetworkCommand::Use { name } => {
            let w = Wallet::open(home, mode)?;
            // The devnet may be chosen while it is stopped; any other name must exist.
            if name != DEVNET {
                network_named(home, &name)?;
            }
            w.set_default_network(Some(&name))?;
            Ok(Output::new(
                json!({"default": name}),
                format!("Attestations go to {name} unless a command says otherwise with --network."),
            ))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Devnet

/// `hallmark devnet …`.
pub fn devnet_command(home: &Path, mode: KeyringMode, d: DevnetCommand) -> Result<Output, CliError> {
    match d {
        DevnetCommand::Start => {
            let packages = Packages::locate(None).map_err(wallet_error)?;
            let fund: Vec<Address> = match optional_wallet(home, mode)? {
                Some(w) => vec![w.ethereum_address()?],
                None => Vec::new(),
            };
            let state = runtime()?.block_on(devnet::start(home, &packages, &fund)).map_err(wallet_error)?;
            let mut j = to_json(&state);
            j["funded"] = json!(fund.iter().map(|a| a.to_checksum(None)).collect::<Vec<_>>());
            let mut text = format!(
                "Devnet running at {} (chain {})\n  EAS:            {}\n  SchemaRegistry: {}\n",
                state.rpc_url, state.chain_id, state.eas, state.schema_registry
            );
            match fund.first() {
                Some(a) => text.push_str(&format!("  Funded:         {a} (this wallet's account, 100 test ETH)\n")),
                None => text.push_str("  No wallet yet: no account was funded.\n"),
            }
            text.push_str(
                "Attest on it with --network devnet (or `hallmark network use devnet`). `hallmark devnet stop` stops it; \
                 a new devnet starts empty, with new addresses.",
            );
            Ok(Output::new(j, text))
        }
        DevnetCommand::Stop => {
            let stopped = devnet::stop(home).map_err(wallet_error)?;
            let text = if stopped { "Devnet stopped." } else { "The devnet was not running." };
            Ok(Output::new(json!({"stopped": stopped}), text))
        }
        DevnetCommand::Status => {
            let s = runtime()?.block_on(devnet::status(home)).map_err(wallet_error)?;
            let text = match (&s.state, s.running) {
                (Some(st), true) => format!(
                    "Devnet running at {} (chain {}, block {})\n  EAS:            {}\n  SchemaRegistry: {}",
                    st.rpc_url,
                    s.chain_id.unwrap_or(st.chain_id),
                    s.block.unwrap_or_default(),
                    st.eas,
                    st.schema_registry
                ),
                (Some(st), false) => format!(
                    "The devnet recorded at {} does not answer: `hallmark devnet start` starts a new one.",
                    st.rpc_url
                ),
                (None, _) => "The devnet is not running: `hallmark devnet start` starts it.".to_string(),
            };
            Ok(Output::new(to_json(&s), text))
        }
    }
}

// ---------------------------------------------------------------------------------------------
// attest

/// Runs an `attest` subcommand.
pub fn run(g: &Global, home: &Path, mode: KeyringMode, c: AttestCommand) -> Result<Output, CliError> {
    match c {
        AttestCommand::Content { files, options } => {
            let mut w = Wallet::open(home, mode)?;
            let net = chosen_network(home, &w, options.send.network.as_deref())?;
            let requests = content_requests(&files)?;
            if options.offchain {
                drop(w);
                let dests = file_destinations(&files, options.out.as_deref())?;
                return sign_offchain(g, home, mode, &net, &requests, &dests);
            }
            queue_and_send(g, home, mode, &mut w, &net, &requests, &options)
        }
        AttestCommand::Credential { id, options } => {
            let mut w = Wallet::open(home, mode)?;
            let net = chosen_network(home, &w, options.send.network.as_deref())?;
            let request = w.credential_request(&id)?;
            if options.offchain {
                drop(w);
                let dir = options.out.clone().unwrap_or_else(|| PathBuf::from("."));
                let dest = dir.join(format!("{}.eas.json", file_name_of_id(&request.source.clone().unwrap_or(id))));
                return sign_offchain(g, home, mode, &net, &[request], &[dest]);
            }
            queue_and_send(g, home, mode, &mut w, &net, &[request], &options)
        }
        AttestCommand::Revoke { uid, send } => {
            let uid = parse_b256(&uid, "the attestation UID").map_err(|e| CliError::Usage(e.to_string()))?;
            let mut w = Wallet::open(home, mode)?;
            let net = chosen_network(home, &w, send.network.as_deref())?;
            if !send.no_wait {
                preflight(&net)?;
            }
            let confirmations = send.confirmations.unwrap_or_else(|| default_confirmations(&net));
            let e = runtime()?.block_on(w.queue_revocation(&net, uid, confirmations, DEFAULT_RPC_TIMEOUT))?;
            drop(w);
            send_and_report(g, home, mode, &net, vec![e], send.no_wait)
        }
        AttestCommand::List { state, network } => {
            let w = Wallet::open(home, mode)?;
            let rows = w.attestations(&AttestationFilter {
                state: state.map(|s| s.as_str().to_string()),
                network,
                ..Default::default()
            })?;
            let text = if rows.is_empty() {
                "No attestations yet: `hallmark attest content FILE` attests a signed file.".to_string()
            } else {
                rows.iter().map(item_line).collect::<Vec<_>>().join("\n")
            };
            Ok(Output::new(json!({"attestations": rows}), text))
        }
        AttestCommand::Status => status(home, mode),
        AttestCommand::Run { watch } => run_queue(g, home, mode, watch),
        AttestCommand::Retry { id } => {
            let mut w = Wallet::open(home, mode)?;
            if !w.retry_attestation(id)? {
                let row = w.attestation(id)?;
                let why = if row.state == "failed" {
                    "an identical attestation is queued or on chain already".to_string()
                } else {
                    format!("it is {}: only a failed attestation can be queued again", row.state)
                };
                return Err(CliError::Coded {
                    code: "not_retryable",
                    message: format!("#{id} was not queued again: {why}"),
                });
            }
            let row = w.attestation(id)?;
            Ok(Output::new(
                to_json(&row),
                format!("Queued #{id} ({}) again: `hallmark attest run` sends it.", row.label),
            ))
        }
        AttestCommand::Cancel { id } => {
            let mut w = Wallet::open(home, mode)?;
            let row = w.attestation(id)?;
            if !w.cancel_attestation(id)? {
                let row = w.attestation(id)?;
                let why = match row.state.as_str() {
                    "sent" => "its transaction was sent already; it will be confirmed or fail".to_string(),
                    other => format!("it is {other}; only a queued attestation that was never sent can be cancelled"),
                };
                return Err(CliError::Coded {
                    code: "not_cancellable",
                    message: format!("#{id} cannot be cancelled: {why}"),
                });
            }
            Ok(Output::new(
                json!({"cancelled": id, "label": row.label}),
                format!("Removed #{id} ({}) from the queue; it was never sent.", row.label),
            ))
        }
        AttestCommand::Lookup { target, network } => lookup(home, mode, &target, network.as_deref()),
        AttestCommand::Verify { file, network } => verify_offchain(home, mode, &file, network.as_deref()),
    }
}

/// The content attestation requests of `files`; refuses all of them (nothing queued) when one
/// cannot be attested, saying why for each.
fn content_requests(files: &[PathBuf]) -> Result<Vec<QueueRequest>, CliError> {
    let mut requests = Vec::with_capacity(files.len());
    let mut problems: Vec<(String, &'static str)> = Vec::new();
    for f in files {
        match content_request(f) {
            Ok(q) => requests.push(q),
            Err(e) => {
                let name = f.display().to_string();
                let msg = e.to_string();
                let line = if msg.contains(&name) { msg } else { format!("{name}: {msg}") };
                problems.push((line, e.code()));
            }
        }
    }
    match problems.len() {
        0 => Ok(requests),
        1 => {
            let (line, code) = problems.remove(0);
            Err(CliError::Coded { code, message: format!("{line} — it cannot be attested, nothing was queued") })
        }
        n => Err(CliError::Coded {
            code: problems[0].1,
            message: format!(
                "{n} of {} files cannot be attested, nothing was queued:\n  {}",
                files.len(),
                problems.iter().map(|(l, c)| format!("{l} ({c})")).collect::<Vec<_>>().join("\n  ")
            ),
        }),
    }
}

/// Queues the requests (nothing new for those already queued or on chain) and, unless
/// `--no-wait`, sends them and waits.
fn queue_and_send(
    g: &Global,
    home: &Path,
    mode: KeyringMode,
    w: &mut Wallet,
    net: &Network,
    requests: &[QueueRequest],
    options: &AttestOptions,
) -> Result<Output, CliError> {
    if !options.send.no_wait {
        preflight(net)?;
    }
    let confirmations = options.send.confirmations.unwrap_or_else(|| default_confirmations(net));
    let entries = w.queue_attestations(net, requests, confirmations, options.force)?;
    send_and_report(g, home, mode, net, entries, options.send.no_wait)
}

fn is_pending(r: &AttestationRecord) -> bool {
    r.state == "queued" || r.state == "sent"
}

/// Waits for what was queued (unless `no_wait`) and reports every item's final state.
pub(crate) fn send_and_report(
    g: &Global,
    home: &Path,
    mode: KeyringMode,
    net: &Network,
    entries: Vec<Enqueued>,
    no_wait: bool,
) -> Result<Output, CliError> {
    let ids: Vec<i64> = entries.iter().map(|e| e.record().id).collect();
    let new: Vec<i64> =
        entries.iter().filter(|e| matches!(e, Enqueued::Queued { .. })).map(|e| e.record().id).collect();
    let existing: Vec<&AttestationRecord> = entries
        .iter()
        .filter_map(|e| match e {
            Enqueued::Existing { record } => Some(record),
            Enqueued::Queued { .. } => None,
        })
        .collect();
    let mut text = String::new();
    for r in &existing {
        let what = if r.kind == "revoke" { "its revocation is" } else { "it is" };
        let line = match (r.state.as_str(), &r.uid) {
            ("confirmed", Some(uid)) if r.kind == "revoke" => format!("{uid} is revoked already (#{})", r.id),
            ("confirmed", Some(uid)) => format!(
                "{} is already attested on {} (#{}, UID {uid}): nothing new was queued (--force attests it again)",
                r.label, r.network, r.id
            ),
            _ => format!("{}: {what} already queued on {} (#{}): nothing new was queued", r.label, r.network, r.id),
        };
        text.push_str(&line);
        text.push('\n');
    }
    if !new.is_empty() {
        let n = new.len();
        text.push_str(&format!("Queued {n} {} on {}.\n", if n == 1 { "item" } else { "items" }, net.name));
    }
    let to_wait: Vec<i64> = entries.iter().map(|e| e.record()).filter(|r| is_pending(r)).map(|r| r.id).collect();
    let waited = if no_wait || to_wait.is_empty() {
        None
    } else {
        Some(wait(g, home, mode, Until::Settled(to_wait.clone()), WaitStyle::Items)?)
    };
    let w = Wallet::open(home, mode)?;
    let mut rows = w.attestations(&AttestationFilter { ids: Some(ids.clone()), ..Default::default() })?;
    rows.sort_by_key(|r| ids.iter().position(|id| *id == r.id));
    text.push_str(&rows.iter().map(item_line).collect::<Vec<_>>().join("\n"));
    text.push('\n');
    let (stopped, problem) = match &waited {
        Some(wt) => (wt.stopped, wt.problem.clone()),
        None => (false, None),
    };
    let failed = rows.iter().any(|r| r.state == "failed");
    let exit = footer(&mut text, stopped, problem.as_ref(), failed, no_wait && !to_wait.is_empty());
    let json = json!({
        "network": net.name,
        "queued": new,
        "existing": existing.iter().map(|r| r.id).collect::<Vec<_>>(),
        "items": rows,
        "waited": waited.is_some(),
        "stopped": stopped,
        "problem": problem.map(|(code, message)| json!({"code": code, "message": message})),
    });
    Ok(Output { json, text, note: None, exit })
}

/// The last lines of a report, and the exit code they stand for.
fn footer(text: &mut String, stopped: bool, problem: Option<&(String, String)>, failed: bool, not_waited: bool) -> u8 {
    if stopped {
        text.push_str(
            "Stopped waiting. What is queued stays queued, and a sent transaction is still followed: \
             `hallmark attest run` continues.\n",
        );
        return EXIT_STOPPED;
    }
    if let Some((code, message)) = problem {
        text.push_str(&format!(
            "Not sent yet: {message} ({code}). The attestations stay queued: fix this, then `hallmark attest run` sends them.\n"
        ));
        return exit_code_of(code);
    }
    if not_waited {
        text.push_str("`hallmark attest run` sends the queue (the app does too, while it is open).\n");
    }
    if failed {
        text.push_str("`hallmark attest retry ID` queues a failed attestation again.\n");
        return EXIT_TX_FAILED;
    }
    0
}

/// Destinations of off-chain attestations of files: beside each (`FILE.eas.json`) or in `out`.
fn file_destinations(files: &[PathBuf], out: Option<&Path>) -> Result<Vec<PathBuf>, CliError> {
    let mut dests = Vec::with_capacity(files.len());
    for f in files {
        let dest = match out {
            Some(dir) => {
                let name = f.file_name().ok_or_else(|| CliError::Usage(format!("{} is not a file", f.display())))?;
                let mut n = name.to_os_string();
                n.push(".eas.json");
                dir.join(n)
            }
            None => {
                let mut p = f.as_os_str().to_os_string();
                p.push(".eas.json");
                PathBuf::from(p)
            }
        };
        if dests.contains(&dest) {
            return Err(CliError::Usage(format!(
                "two files would write {}: give them one at a time, or without --out",
                dest.display()
            )));
        }
        dests.push(dest);
    }
    Ok(dests)
}

/// A file name for a credential id (`urn:uuid:…` → the uuid).
fn file_name_of_id(id: &str) -> String {
    let short = id.strip_prefix("urn:uuid:").unwrap_or(id);
    let name: String =
        short.chars().map(|c| if c.is_ascii_alphanumeric() || c == '-' || c == '_' { c } else { '-' }).collect();
    format!("credential-{name}")
}

/// Signs off-chain attestations and writes each to its destination (atomically).
fn sign_offchain(
    g: &Global,
    home: &Path,
    mode: KeyringMode,
    net: &Network,
    requests: &[QueueRequest],
    dests: &[PathBuf],
) -> Result<Output, CliError> {
    let mut u = unlocked(g, home, mode)?;
    let made = runtime()?.block_on(u.attest_offchain(net, requests, DEFAULT_RPC_TIMEOUT))?;
    let mut items = Vec::new();
    let mut text = String::new();
    for ((record, attestation), dest) in made.iter().zip(dests) {
        if let Some(dir) = dest.parent().filter(|d| !d.as_os_str().is_empty()) {
            std::fs::create_dir_all(dir)
                .map_err(|source| CliError::Output { path: dir.display().to_string(), source })?;
        }
        write_public_file(dest, &pretty_json(attestation))?;
        let uid = record.uid.clone().unwrap_or_default();
        text.push_str(&format!(
            "Signed an off-chain attestation of {}: UID {uid}\n  → {}\n",
            record.label,
            dest.display()
        ));
        items.push(json!({
            "id": record.id,
            "label": record.label,
            "source": record.source,
            "uid": uid,
            "path": dest.display().to_string(),
        }));
    }
    text.push_str(&format!(
        "Made for {} (chain {}); nothing was sent. Anyone can check one with `hallmark attest verify FILE.eas.json`.\n",
        net.name, net.chain_id
    ));
    Ok(Output::new(json!({"network": net.name, "items": items}), text))
}

/// Seconds since the Unix epoch.
fn unix_now() -> i64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs() as i64).unwrap_or(0)
}

/// Unix seconds as `YYYY-MM-DD HH:MM:SS UTC`.
fn utc(secs: u64) -> String {
    let days = (secs / 86_400) as i64;
    let rem = secs % 86_400;
    // Days to a civil date (proleptic Gregorian), after Howard Hinnant's algorithm.
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = doy - (153 * mp + 2) / 5 + 1;
    let m = if mp < 10 { mp + 3 } else { mp - 9 };
    let y = yoe + era * 400 + i64::from(m <= 2);
    format!("{y:04}-{m:02}-{d:02} {:02}:{:02}:{:02} UTC", rem / 3600, rem % 3600 / 60, rem % 60)
}

/// One item of the list, for people.
fn item_line(r: &AttestationRecord) -> String {
    let what = if r.kind == "revoke" { format!("revocation of {}", r.ref_uid) } else { r.label.clone() };
    let tx = r.tx_hash.as_deref().unwrap_or("-");
    let uid = r.uid.as_deref().unwrap_or("-");
    let block = r.block_number.map(|b| b.to_string()).unwrap_or_else(|| "-".into());
    let problem = |r: &AttestationRecord| match (&r.error, &r.error_code) {
        (Some(e), Some(c)) => format!("; last problem: {e} ({c})"),
        (Some(e), None) => format!("; last problem: {e}"),
        _ => String::new(),
    };
    let state = match r.state.as_str() {
        "confirmed" if r.kind == "revoke" => format!("revoked — transaction {tx}, block {block}"),
        "confirmed" => {
            let revoked = r.revoked_at.as_deref().map(|at| format!(" — REVOKED ({at})")).unwrap_or_default();
            format!("confirmed — UID {uid}, transaction {tx}, block {block}{revoked}")
        }
        "sent" => format!("sent — transaction {tx}, waiting for it to be mined and confirmed{}", problem(r)),
        "queued" => {
            let due = r.next_attempt_at - unix_now();
            let when = if due > 0 { format!(", next try in {due} s") } else { String::new() };
            format!("queued{when}{}", problem(r))
        }
        "failed" => format!("FAILED — {}", r.error.as_deref().unwrap_or("no reason recorded")),
        "signed" => {
            let revoked = if r.revoked_at.is_some() { " — REVOKED" } else { "" };
            format!("signed off chain — UID {uid}{revoked}")
        }
        other => other.to_string(),
    };
    format!("  #{} {} ({}): {state}", r.id, what, r.network)
}

// ---------------------------------------------------------------------------------------------
// Waiting for the queue

/// What the wait shows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum WaitStyle {
    /// A command waiting for its own items: a progress bar; it gives up on a lasting problem.
    Items,
    /// `attest run`: every change is printed; it gives up on a lasting problem.
    Drain,
    /// `attest run --watch`: every change is printed; it never gives up.
    Watch,
}

/// How a wait ended.
#[derive(Debug, Clone, Default)]
struct Waited {
    /// Ctrl-C (or SIGTERM).
    stopped: bool,
    /// A lasting temporary problem (code, message): the items stay queued.
    problem: Option<(String, String)>,
}

/// Is a worker (the app, another command) running for this data folder?
fn worker_running(home: &Path) -> bool {
    let Ok(f) = std::fs::OpenOptions::new().write(true).open(home.join(LOCK_FILE)) else { return false };
    matches!(f.try_lock(), Err(std::fs::TryLockError::WouldBlock))
}

/// Watches the rows of a wait: progress, narration, when to give up.
struct Watcher {
    until: Until,
    style: WaitStyle,
    json: bool,
    ids: BTreeSet<i64>,
    seen: BTreeMap<i64, (String, Option<String>, u32)>,
    /// Since when each item has had a problem (cleared when it has none).
    troubled: BTreeMap<i64, std::time::Instant>,
    first: bool,
    bar: Arc<Mutex<Option<ProgressBar>>>,
    stop: Arc<AtomicBool>,
    problem: Option<(String, String)>,
}

impl Watcher {
    fn say(&self, line: &str) {
        if self.json {
            return;
        }
        match self.bar.lock().ok().and_then(|b| b.clone()) {
            Some(b) => b.println(line),
            None => eprintln!("{line}"),
        }
    }

    /// Reads the rows; true when the wait is over.
    fn look(&mut self, w: &Wallet) -> Result<bool, CliError> {
        let pending_now: Vec<AttestationRecord> = match self.until {
            Until::Settled(_) => Vec::new(),
            _ => {
                let mut p =
                    w.attestations(&AttestationFilter { state: Some("queued".into()), ..Default::default() })?;
                p.extend(w.attestations(&AttestationFilter { state: Some("sent".into()), ..Default::default() })?);
                p.retain(|r| r.mode == "onchain");
                p
            }
        };
        self.ids.extend(pending_now.iter().map(|r| r.id));
        let rows =
            w.attestations(&AttestationFilter { ids: Some(self.ids.iter().copied().collect()), ..Default::default() })?;
        let mut rows: Vec<AttestationRecord> = rows;
        rows.sort_by_key(|r| r.id);
        if self.style != WaitStyle::Items {
            for r in &rows {
                let now = (r.state.clone(), r.error_code.clone(), r.attempts);
                let changed = self.seen.get(&r.id) != Some(&now);
                if changed && (!self.first || is_pending(r)) {
                    self.say(&item_line(r));
                }
                self.seen.insert(r.id, now);
            }
        }
        self.first = false;
        let pending: Vec<&AttestationRecord> = rows.iter().filter(|r| is_pending(r)).collect();
        if let Some(b) = self.bar.lock().ok().and_then(|b| b.clone()) {
            let count = |s: &str| rows.iter().filter(|r| r.state == s).count();
            b.set_length(self.ids.len() as u64);
            b.set_position((self.ids.len() - pending.len()) as u64);
            let mut msg =
                format!("{} queued · {} sent · {} confirmed", count("queued"), count("sent"), count("confirmed"));
            if count("failed") > 0 {
                msg.push_str(&format!(" · {} failed", count("failed")));
            }
            if let Some(p) = pending.iter().find_map(|r| r.error.as_deref()) {
                msg.push_str(&format!(" — {}", p.chars().take(80).collect::<String>()));
            }
            b.set_message(msg);
        }
        // A problem, not the normal wait for confirmations.
        let has_problem =
            |r: &AttestationRecord| r.error_code.as_deref().is_some_and(|c| c != "awaiting_confirmations");
        for r in &rows {
            if is_pending(r) && has_problem(r) {
                self.troubled.entry(r.id).or_insert_with(std::time::Instant::now);
            } else {
                self.troubled.remove(&r.id);
            }
        }
        let lasting = |r: &AttestationRecord| self.troubled.get(&r.id).is_some_and(|t| t.elapsed() >= GIVE_UP_AFTER);
        if self.style != WaitStyle::Watch && !pending.is_empty() && pending.iter().all(|r| lasting(r)) {
            let r = pending[0];
            self.problem = Some((
                r.error_code.clone().unwrap_or_default(),
                r.error.clone().unwrap_or_else(|| "a temporary problem".into()),
            ));
            return Ok(true);
        }
        Ok(match self.style {
            WaitStyle::Watch => false,
            WaitStyle::Items => pending.is_empty(),
            WaitStyle::Drain => pending.is_empty() && pending_now.is_empty(),
        })
    }
}

/// Sends the queue (this process's worker, or — when the app or another command runs one —
/// only watching it) until `until`, Ctrl-C, or a lasting temporary problem.
fn wait(g: &Global, home: &Path, mode: KeyringMode, until: Until, style: WaitStyle) -> Result<Waited, CliError> {
    let json = g.json;
    let stop = Arc::new(AtomicBool::new(false));
    let interrupted = Arc::new(AtomicBool::new(false));
    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::new(Mutex::new(None));
    {
        let (stop, interrupted, bar) = (stop.clone(), interrupted.clone(), bar.clone());
        ctrlc::set_handler(move || {
            stop.store(true, Ordering::SeqCst);
            let again = interrupted.swap(true, Ordering::SeqCst);
            if json {
                return;
            }
            let line = if again {
                "Still stopping: finishing the request in progress."
            } else {
                "Stopping: no longer waiting; the queue is kept (`hallmark attest run` continues)."
            };
            match bar.lock().ok().and_then(|b| b.clone()) {
                Some(b) => b.println(line),
                None => eprintln!("{line}"),
            }
        })
        .map_err(|e| CliError::Aborted(format!("could not watch for Ctrl-C: {e}")))?;
    }
    let ids: BTreeSet<i64> = match &until {
        Until::Settled(ids) => ids.iter().copied().collect(),
        _ => BTreeSet::new(),
    };
    if style == WaitStyle::Items && !json && std::io::stderr().is_terminal() {
        let b = ProgressBar::with_draw_target(Some(ids.len() as u64), ProgressDrawTarget::stderr());
        b.set_style(
            ProgressStyle::with_template("{spinner} [{bar:30}] {pos}/{len} settled {elapsed} {msg}")
                .unwrap_or_else(|_| ProgressStyle::default_bar())
                .progress_chars("=> "),
        );
        b.enable_steady_tick(Duration::from_millis(200));
        if let Ok(mut slot) = bar.lock() {
            *slot = Some(b);
        }
    }
    let mut watcher = Watcher {
        until: until.clone(),
        style,
        json,
        ids,
        seen: BTreeMap::new(),
        troubled: BTreeMap::new(),
        first: true,
        bar: bar.clone(),
        stop: stop.clone(),
        problem: None,
    };

    let result = drive(g, home, mode, until, style, &stop, &mut watcher);
    if let Some(b) = bar.lock().ok().and_then(|mut b| b.take()) {
        b.finish_and_clear();
    }
    result?;
    Ok(Waited { stopped: interrupted.load(Ordering::SeqCst), problem: watcher.problem })
}

fn worker_busy() -> CliError {
    CliError::Coded {
        code: "worker_busy",
        message:
            "another Hallmark is sending the queue already (the app, or another `hallmark attest run`): it will send it"
                .into(),
    }
}

/// Runs the queue's worker in this process, or — while another process runs one — watches the
/// rows, taking over if that one stops first.
fn drive(
    g: &Global,
    home: &Path,
    mode: KeyringMode,
    until: Until,
    style: WaitStyle,
    stop: &AtomicBool,
    watcher: &mut Watcher,
) -> Result<(), CliError> {
    let mut wallet: Option<UnlockedWallet> = None;
    let mut told = false;
    loop {
        if worker_running(home) {
            if style != WaitStyle::Items {
                return Err(worker_busy());
            }
            if !told {
                watcher
                    .say("Another Hallmark (the app, or `hallmark attest run`) is sending the queue: waiting for it.");
                told = true;
            }
            match poll(home, mode, watcher)? {
                Polled::Over => return Ok(()),
                Polled::OtherStopped => continue,
            }
        }
        if wallet.is_none() {
            match unlocked(g, home, mode) {
                Ok(u) => wallet = Some(u),
                Err(e) => {
                    if !g.json && style == WaitStyle::Items {
                        eprintln!(
                            "The attestations stay queued: `hallmark attest run` sends them once the wallet can be unlocked."
                        );
                    }
                    return Err(e);
                }
            }
        }
        let Some(u) = wallet.as_ref() else { continue };
        let options = WorkerOptions { poll: Duration::from_secs(1), ..WorkerOptions::default() };
        let Some(worker) = u.attest_worker(options)? else {
            // Taken just now by another process: watch it instead.
            if style != WaitStyle::Items {
                return Err(worker_busy());
            }
            std::thread::sleep(Duration::from_millis(100));
            continue;
        };
        if watcher.look(u.wallet())? {
            return Ok(());
        }
        let mut failure: Option<CliError> = None;
        let run = runtime()?.block_on(worker.run(until, stop, |_step| match watcher.look(u.wallet()) {
            Ok(true) => watcher.stop.store(true, Ordering::SeqCst),
            Ok(false) => {}
            Err(e) => {
                failure = Some(e);
                watcher.stop.store(true, Ordering::SeqCst);
            }
        }));
        return match (run, failure) {
            (Err(e), _) => Err(CliError::from(WalletError::from(e))),
            (Ok(()), Some(e)) => Err(e),
            (Ok(()), None) => Ok(()),
        };
    }
}

/// How watching another process's worker ended.
#[derive(Debug, PartialEq, Eq)]
enum Polled {
    /// The wait is over (settled, given up, or stopped).
    Over,
    /// The other worker stopped before: this process takes over.
    OtherStopped,
}

/// Watches the rows while another process's worker sends them.
fn poll(home: &Path, mode: KeyringMode, watcher: &mut Watcher) -> Result<Polled, CliError> {
    let w = Wallet::open(home, mode)?;
    loop {
        if watcher.look(&w)? || watcher.stop.load(Ordering::SeqCst) {
            return Ok(Polled::Over);
        }
        if !worker_running(home) {
            return Ok(Polled::OtherStopped);
        }
        for _ in 0..10 {
            if watcher.stop.load(Ordering::SeqCst) {
                return Ok(Polled::Over);
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `attest status`.
fn status(home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let counts = w.attestation_counts()?;
    let mut pending = w.attestations(&AttestationFilter { state: Some("queued".into()), ..Default::default() })?;
    pending.extend(w.attestations(&AttestationFilter { state: Some("sent".into()), ..Default::default() })?);
    pending.sort_by_key(|r| r.id);
    let running = worker_running(home);
    let mut text = format!(
        "Queued {}, sent {}, confirmed {}, failed {}, off-chain {}.\n",
        counts.queued, counts.sent, counts.confirmed, counts.failed, counts.signed
    );
    if running {
        text.push_str("The queue is being sent now (by the app or `hallmark attest run`).\n");
    } else if !pending.is_empty() {
        text.push_str("Nothing is sending the queue now: `hallmark attest run` sends it.\n");
    }
    if !pending.is_empty() {
        text.push_str("To send:\n");
        text.push_str(&pending.iter().map(item_line).collect::<Vec<_>>().join("\n"));
        text.push('\n');
    }
    if counts.failed > 0 {
        text.push_str("`hallmark attest list --state failed` shows the failed ones; `hallmark attest retry ID` queues one again.\n");
    }
    Ok(Output::new(json!({"counts": counts, "worker_running": running, "pending": pending}), text))
}

/// `attest run [--watch]`.
fn run_queue(g: &Global, home: &Path, mode: KeyringMode, watch: bool) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let mut before = w.attestations(&AttestationFilter { state: Some("queued".into()), ..Default::default() })?;
    before.extend(w.attestations(&AttestationFilter { state: Some("sent".into()), ..Default::default() })?);
    before.retain(|r| r.mode == "onchain");
    drop(w);
    if before.is_empty() && !watch {
        return Ok(Output::new(
            json!({"items": [], "stopped": false, "problem": null}),
            "Nothing to send: the queue is empty.",
        ));
    }
    let (until, style) = if watch { (Until::Cancelled, WaitStyle::Watch) } else { (Until::Idle, WaitStyle::Drain) };
    if !g.json && !before.is_empty() {
        eprintln!("Sending {} queued attestation{}…", before.len(), if before.len() == 1 { "" } else { "s" });
    }
    let waited = wait(g, home, mode, until, style)?;
    let w = Wallet::open(home, mode)?;
    let ids: Vec<i64> = before.iter().map(|r| r.id).collect();
    let mut rows = w.attestations(&AttestationFilter { ids: Some(ids), ..Default::default() })?;
    rows.sort_by_key(|r| r.id);
    let mut text = rows.iter().map(item_line).collect::<Vec<_>>().join("\n");
    if !text.is_empty() {
        text.push('\n');
    }
    let failed = rows.iter().any(|r| r.state == "failed");
    let mut exit = footer(&mut text, waited.stopped && !watch, waited.problem.as_ref(), failed, false);
    if watch && waited.stopped {
        text.push_str("Stopped watching the queue.\n");
        exit = if failed { EXIT_TX_FAILED } else { 0 };
    }
    let json = json!({
        "items": rows,
        "stopped": waited.stopped,
        "problem": waited.problem.map(|(code, message)| json!({"code": code, "message": message})),
    });
    Ok(Output { json, text, note: None, exit })
}

// ---------------------------------------------------------------------------------------------
// Lookups

/// The attestations of a file: this wallet's (if there is a wallet) and, with `network`, the
/// chain's. `None` when there is neither a wallet nor a network to search.
pub async fn file_attestations(
    wallet: Option<&Wallet>,
    file: &Path,
    network: Option<&Network>,
) -> Result<Option<Lookup>, CliError> {
    let target = file.to_string_lossy();
    match (wallet, network) {
        (Some(w), _) => Ok(Some(w.lookup_attestations(&target, network, DEFAULT_RPC_TIMEOUT).await?)),
        (None, Some(n)) => {
            let sha = lookup_hash(&target)?;
            let (on_chain, chain_error) = chain_lookup(n, sha, DEFAULT_RPC_TIMEOUT).await;
            Ok(Some(Lookup {
                sha256: sha.to_string(),
                local: Vec::new(),
                network: Some(n.name.clone()),
                on_chain,
                chain_error,
            }))
        }
        (None, None) => Ok(None),
    }
}

/// The lines `verify` adds to the provenance card: the file's attestations, if any were found
/// or a chain was searched.
pub fn lookup_card_lines(l: &Lookup) -> String {
    if l.local.is_empty() && l.on_chain.is_empty() && l.network.is_none() {
        return String::new();
    }
    let mut t = String::from("Attestations:\n");
    t.push_str(&lookup_lines(l, "  "));
    t
}

fn lookup_lines(l: &Lookup, pad: &str) -> String {
    let mut t = String::new();
    if let Some(net) = &l.network {
        match (&l.chain_error, l.on_chain.len()) {
            (Some(e), _) => t.push_str(&format!("{pad}On {net}: could not be searched ({e})\n")),
            (None, 0) => t.push_str(&format!("{pad}On {net}: none\n")),
            (None, n) => {
                t.push_str(&format!("{pad}On {net}: {n}\n"));
                for a in &l.on_chain {
                    let says = a.data.as_ref().map(describe).unwrap_or_else(|| "data Hallmark cannot read".into());
                    t.push_str(&format!("{pad}  - UID {} by {} on {}: {says}", a.uid, a.attester, utc(a.time)));
                    if a.revocation_time != 0 {
                        t.push_str(&format!(" — REVOKED on {}", utc(a.revocation_time)));
                    }
                    t.push('\n');
                }
            }
        }
    }
    if l.local.is_empty() {
        t.push_str(&format!("{pad}In this wallet: none\n"));
    } else {
        t.push_str(&format!("{pad}In this wallet:\n"));
        for r in &l.local {
            t.push_str(&format!("{pad}{}\n", item_line(r)));
        }
    }
    t
}

/// `attest lookup FILE|SHA256 [--network N]`.
fn lookup(home: &Path, mode: KeyringMode, target: &str, flag: Option<&str>) -> Result<Output, CliError> {
    let wallet = optional_wallet(home, mode)?;
    // The network named, else the default one (a default that cannot be used is noted, not fatal).
    let mut note = None;
    let net = match (flag, &wallet) {
        (Some(name), _) => Some(network_named(home, name)?),
        (None, Some(w)) => match w.default_network()? {
            Some(name) => match network::get(home, &name) {
                Ok(n) => Some(n),
                Err(e) => {
                    note = Some(format!("The chain was not searched: {e}"));
                    None
                }
            },
            None => None,
        },
        (None, None) => None,
    };
    let sha = lookup_hash(target)?;
    let rt = runtime()?;
    let found = match &wallet {
        Some(w) => rt.block_on(w.lookup_attestations(target, net.as_ref(), DEFAULT_RPC_TIMEOUT))?,
        None => {
            let Some(n) = &net else {
                return Err(CliError::Coded {
                    code: "no_network",
                    message: format!(
                        "there is no wallet here and no network was given: give --network NAME (networks: {})",
                        network_names(home)
                    ),
                });
            };
            let (on_chain, chain_error) = rt.block_on(chain_lookup(n, sha, DEFAULT_RPC_TIMEOUT));
            Lookup { sha256: sha.to_string(), local: Vec::new(), network: Some(n.name.clone()), on_chain, chain_error }
        }
    };
    if let Some(e) = &found.chain_error {
        note = Some(format!("The chain could not be searched, so only this wallet's list is shown: {e}"));
    }
    if net.is_none() && note.is_none() {
        note = Some(
            "No network was searched (give --network NAME, or choose one with `hallmark network use`): only this wallet's list is shown."
                .into(),
        );
    }
    let shown =
        if Path::new(target).is_file() { format!("{target} (SHA-256 {})", found.sha256) } else { found.sha256.clone() };
    let mut text = if found.local.is_empty() && found.on_chain.is_empty() {
        format!("No attestations of {shown}.\n")
    } else {
        format!("Attestations of {shown}:\n")
    };
    text.push_str(&lookup_lines(&found, "  "));
    let mut out = Output::new(to_json(&found), text);
    out.note = note;
    Ok(out)
}

/// `attest verify FILE.json [--network N]`.
fn verify_offchain(home: &Path, mode: KeyringMode, file: &Path, flag: Option<&str>) -> Result<Output, CliError> {
    let expected = match flag {
        Some(name) => Some(network_named(home, name)?),
        None => None,
    };
    let unreadable = |e: std::io::Error| CliError::Coded {
        code: "input_not_found",
        message: format!("cannot read {}: {e}", file.display()),
    };
    let size = std::fs::metadata(file).map_err(unreadable)?.len();
    if size > MAX_OFFCHAIN_BYTES {
        return Err(wallet_error(AttestError::InvalidOffchain(format!(
            "{} is larger than {} KiB: it is not an off-chain attestation",
            file.display(),
            MAX_OFFCHAIN_BYTES / 1024
        ))));
    }
    let bytes = std::fs::read(file).map_err(unreadable)?;
    let value: Value = serde_json::from_slice(&bytes)
        .map_err(|e| wallet_error(AttestError::InvalidOffchain(format!("{} is not JSON ({e})", file.display()))))?;
    let v = offchain::verify(&value, expected.as_ref()).map_err(wallet_error)?;
    let mine = match optional_wallet(home, mode)? {
        Some(w) => w.ethereum_address().ok() == Some(v.attester),
        None => false,
    };
    let expired = v.expiration_time != 0 && v.expiration_time <= unix_now() as u64;
    let says = v.data.as_ref().map(describe);
    let where_ = network::list(home)
        .unwrap_or_default()
        .into_iter()
        .find(|n| n.chain_id == v.domain.chain_id && n.eas == v.domain.eas)
        .map(|n| format!(" ({})", n.name))
        .unwrap_or_default();
    let mut text = format!("VALID off-chain attestation {}\n", v.uid);
    text.push_str(&format!("  Attester:  {}{}\n", v.attester, if mine { " (this wallet's account)" } else { "" }));
    let schema_name =
        v.hallmark_schema.map(|s| s.as_str().to_string()).unwrap_or_else(|| "not one of Hallmark's".into());
    text.push_str(&format!("  Schema:    {schema_name} ({})\n", v.schema));
    match (&says, &v.data) {
        (Some(line), Some(data)) => {
            text.push_str(&format!("  Says:      {line}\n"));
            match data {
                AttestationData::Content { content_sha256, manifest_hash, .. } => {
                    text.push_str(&format!("  File:      SHA-256 {content_sha256}\n"));
                    text.push_str(&format!("  Manifest:  SHA-256 {manifest_hash}\n"));
                }
                AttestationData::Humanity { credential_hash, expiry, .. } => {
                    text.push_str(&format!("  Credential: SHA-256 {credential_hash}\n"));
                    if *expiry != 0 {
                        text.push_str(&format!("  Credential expires: {}\n", utc(*expiry)));
                    }
                }
                _ => {}
            }
        }
        _ => text.push_str(&format!("  Data:      {} bytes Hallmark does not decode\n", v.raw_data.len())),
    }
    text.push_str(&format!("  Made:      {}\n", utc(v.time)));
    if v.expiration_time != 0 {
        let state = if expired { "EXPIRED" } else { "expires" };
        text.push_str(&format!("  Validity:  {state} {}\n", utc(v.expiration_time)));
    }
    text.push_str(&format!(
        "  For:       EAS {} at {} on chain {}{where_}\n",
        v.domain.eas_version, v.domain.eas, v.domain.chain_id
    ));
    let mut j = to_json(&v);
    j["file"] = json!(file.display().to_string());
    j["valid"] = json!(true);
    j["expired"] = json!(expired);
    j["description"] = json!(says);
    j["by_this_wallet"] = json!(mine);
    Ok(Output::new(j, text))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unix_times_read_as_utc_dates() {
        assert_eq!(utc(0), "1970-01-01 00:00:00 UTC");
        assert_eq!(utc(951_782_400), "2000-02-29 00:00:00 UTC");
        assert_eq!(utc(1_700_000_000), "2023-11-14 22:13:20 UTC");
    }

    #[test]
    fn offchain_files_go_beside_or_into_a_folder_and_never_collide() {
        let files = vec![PathBuf::from("a/x.jpg"), PathBuf::from("b/y.jpg")];
        assert_eq!(
            file_destinations(&files, None).unwrap(),
            [PathBuf::from("a/x.jpg.eas.json"), PathBuf::from("b/y.jpg.eas.json")]
        );
        assert_eq!(
            file_destinations(&files, Some(Path::new("out"))).unwrap(),
            [PathBuf::from("out/x.jpg.eas.json"), PathBuf::from("out/y.jpg.eas.json")]
        );
        let same = vec![PathBuf::from("a/x.jpg"), PathBuf::from("b/x.jpg")];
        assert!(file_destinations(&same, Some(Path::new("out"))).is_err());
        assert_eq!(file_name_of_id("urn:uuid:1234-ab"), "credential-1234-ab");
    }

    #[test]
    fn exit_codes_of_attestation_problems() {
        assert_eq!(exit_code_of("rpc_unreachable"), EXIT_RPC);
        assert_eq!(exit_code_of("devnet_not_running"), EXIT_NETWORK);
        assert_eq!(exit_code_of("insufficient_funds"), EXIT_FUNDS);
        assert_eq!(exit_code_of("tx_reverted"), EXIT_TX_FAILED);
        assert_eq!(exit_code_of("invalid_offchain_attestation"), EXIT_INVALID_OFFCHAIN);
        assert_eq!(exit_code_of("no_network"), 2);
    }
}
