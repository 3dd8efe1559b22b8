//! Attestations on Ethereum with the Ethereum Attestation Service (EAS).
//!
//! EAS is a pair of contracts deployed on many chains: a `SchemaRegistry`, where a schema (a list
//! of typed fields) is registered once and named by its UID, and `EAS`, where anyone records an
//! *attestation*: "this account states this data, under this schema", with a UID of its own.
//! Hallmark uses three schemas ([`schema::HallmarkSchema`]): a signed file (content), a
//! humanity credential, a community membership.
//!
//! * [`network`] — the chains Hallmark can talk to: presets where EAS is deployed, networks the
//!   user adds, and the local `devnet`; [`network::connect`] checks the chain id before anything
//!   is signed.
//! * [`devnet`] — a local chain (anvil) on 127.0.0.1 with the real EAS contracts, for trying
//!   things out and for tests.
//! * [`schema`] — Hallmark's schemas, their UIDs computed locally, their data encoded and decoded,
//!   registration on first use.
//! * [`eas`] — on-chain: attest, attest many in one transaction, revoke, read by UID, find by a
//!   file's SHA-256.
//! * [`queue`] — the durable outbox: requests are stored first, then a worker signs, records and
//!   broadcasts their transaction, waits for confirmations and retries what can be retried.
//! * [`offchain`] — off-chain attestations: EIP-712 signed, in the JSON format of EAS's own tools
//!   (version 2), created and verified without any chain.
//!
//! Signing uses the wallet's Ethereum key ([`crate::keys::Secp256k1Key`], path `m/44'/60'/0'/0/0`).
//! The key is never logged or written anywhere.

pub mod devnet;
pub mod eas;
pub mod network;
pub mod offchain;
pub mod queue;
pub mod schema;

pub mod contracts;

use std::path::PathBuf;
use std::time::Duration;

pub use alloy::primitives::{Address, B256};
pub use network::{connect, Connection, Network};
pub use schema::{AttestationData, HallmarkSchema};

/// How long one RPC request may take before the node is reported as not answering.
pub const DEFAULT_RPC_TIMEOUT: Duration = Duration::from_secs(15);

/// How long to wait for a sent transaction to be included in a block.
pub const DEFAULT_CONFIRM_TIMEOUT: Duration = Duration::from_secs(180);

/// Everything that can go wrong with attestations. [`AttestError::code`] gives a stable
/// snake_case code for programs; the message is for people.
#[derive(Debug, thiserror::Error)]
pub enum AttestError {
    /// No network of that name: not a preset, not added by the user, and not the devnet.
    #[error("there is no network named \"{0}\": list the networks, or add this one with its RPC URL, chain id and EAS addresses")]
    UnknownNetwork(String),
    /// A network of that name exists already.
    #[error("a network named \"{0}\" exists already: choose another name, or remove the old one first")]
    NetworkExists(String),
    /// The input is not acceptable (a name, a URL, an address, a hash…).
    #[error("{0}")]
    InvalidInput(String),
    /// The RPC node could not be reached at all (refused, unknown host, TLS failure…).
    #[error("cannot reach the {network} node at {url}: {reason}. Check the RPC URL and your connection (for the devnet: is it started?)")]
    RpcUnreachable {
        /// Network name.
        network: String,
        /// The RPC URL tried.
        url: String,
        /// What the connection attempt reported.
        reason: String,
    },
    /// The RPC node did not answer in time.
    #[error("the {network} node at {url} did not answer within {seconds} s: it may be down or overloaded; try again later or use another RPC URL")]
    RpcTimeout {
        /// Network name.
        network: String,
        /// The RPC URL tried.
        url: String,
        /// The time limit, in seconds.
        seconds: u64,
    },
    /// The node answered with an error Hallmark does not recognise.
    #[error("the {network} node refused the request: {reason}")]
    Rpc {
        /// Network name.
        network: String,
        /// The node's message.
        reason: String,
    },
    /// The node is on another chain than the network says: nothing was signed or sent.
    #[error("the node for network \"{network}\" is on chain {actual}, not chain {expected}: nothing was signed. Fix the network's RPC URL or chain id")]
    WrongChain {
        /// Network name.
        network: String,
        /// The chain id the network is configured with.
        expected: u64,
        /// The chain id the node reported.
        actual: u64,
    },
    /// No contract at the EAS or schema registry address on this chain.
    #[error("there is no {contract} contract at {address} on network \"{network}\": check the network's addresses (a restarted devnet has new ones)")]
    NoContract {
        /// Network name.
        network: String,
        /// "EAS" or "SchemaRegistry".
        contract: &'static str,
        /// The configured address.
        address: Address,
    },
    /// The account cannot pay for the transaction.
    #[error("the account {address} has not enough ETH on network \"{network}\" to pay for this transaction: send some to it first")]
    InsufficientFunds {
        /// The paying account.
        address: Address,
        /// Network name.
        network: String,
    },
    /// The contract refused the transaction or call.
    #[error("the EAS contract refused this: {reason}")]
    Reverted {
        /// The decoded reason (an EAS error name with its meaning, or the raw revert text).
        reason: String,
    },
    /// The transaction was sent but no block included it in time.
    #[error(
        "transaction {tx} was sent but not confirmed within {seconds} s: it may still go through; look it up later"
    )]
    NotConfirmed {
        /// Transaction hash.
        tx: B256,
        /// The time waited, in seconds.
        seconds: u64,
    },
    /// The transaction was included but failed.
    #[error("transaction {tx} failed on chain (it was included in a block but reverted)")]
    TxFailed {
        /// Transaction hash.
        tx: B256,
    },
    /// A schema that is not registered on this chain, or not one of Hallmark's.
    #[error("unknown schema {0}: it is not registered on this chain (register it first) or is not one of Hallmark's schemas")]
    UnknownSchema(String),
    /// The registry holds a different schema than Hallmark computed for this UID.
    #[error("the schema registry's record for {uid} does not match Hallmark's schema ({detail}): this chain's registry cannot be trusted")]
    SchemaMismatch {
        /// The schema UID.
        uid: B256,
        /// What differs.
        detail: String,
    },
    /// No attestation with that UID on this chain.
    #[error("no attestation {0} on this chain: check the UID and the network")]
    NotFound(B256),
    /// An attestation's data does not decode as its schema says.
    #[error("attestation {uid} holds data that does not match its schema: {reason}")]
    BadData {
        /// The attestation UID (zero for off-chain data being checked).
        uid: B256,
        /// The decoder's message.
        reason: String,
    },
    /// An off-chain attestation that cannot be read or does not verify.
    #[error("the off-chain attestation is not valid: {0}")]
    InvalidOffchain(String),
    /// The devnet is not running.
    #[error("the devnet is not running: start it with `hallmark devnet start`")]
    DevnetNotRunning,
    /// The devnet is running already.
    #[error("the devnet is already running at {0}: stop it first to start a fresh one")]
    DevnetRunning(String),
    /// The npm packages the devnet needs (anvil, the EAS contracts) are missing.
    #[error("the devnet needs the npm packages of tests/eas ({0}): run scripts/setup, or set HALLMARK_EAS_PACKAGES to a node_modules folder holding them")]
    DevnetPackages(String),
    /// The devnet could not be started.
    #[error("the devnet could not be started: {0}")]
    DevnetFailed(String),
    /// A data file (networks.json, devnet.json) is damaged.
    #[error("{path} is damaged ({reason}): fix or delete it")]
    Damaged {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        reason: String,
    },
    /// The attestation outbox (the database) failed.
    #[error(transparent)]
    Store(#[from] crate::store::StoreError),
    /// No attestation with that local id in the outbox.
    #[error("there is no attestation {0} in this wallet's list: see `attest status`")]
    NoSuchItem(i64),
    /// Reading or writing a file failed.
    #[error("file error: {0}")]
    Io(#[from] std::io::Error),
}

impl AttestError {
    /// A stable snake_case code for programs (`--json` output); never changes meaning.
    pub fn code(&self) -> &'static str {
        match self {
            AttestError::UnknownNetwork(_) => "unknown_network",
            AttestError::NetworkExists(_) => "network_exists",
            AttestError::InvalidInput(_) => "invalid_input",
            AttestError::RpcUnreachable { .. } => "rpc_unreachable",
            AttestError::RpcTimeout { .. } => "rpc_timeout",
            AttestError::Rpc { .. } => "rpc_failed",
            AttestError::WrongChain { .. } => "wrong_chain",
            AttestError::NoContract { .. } => "no_contract",
            AttestError::InsufficientFunds { .. } => "insufficient_funds",
            AttestError::Reverted { .. } => "tx_reverted",
            AttestError::NotConfirmed { .. } => "tx_not_confirmed",
            AttestError::TxFailed { .. } => "tx_failed",
            AttestError::UnknownSchema(_) => "unknown_schema",
            AttestError::SchemaMismatch { .. } => "schema_mismatch",
            AttestError::NotFound(_) => "attestation_not_found",
            AttestError::BadData { .. } => "bad_attestation_data",
            AttestError::InvalidOffchain(_) => "invalid_offchain_attestation",
            AttestError::DevnetNotRunning => "devnet_not_running",
            AttestError::DevnetRunning(_) => "devnet_running",
            AttestError::DevnetPackages(_) => "devnet_packages_missing",
            AttestError::DevnetFailed(_) => "devnet_failed",
            AttestError::Damaged { .. } => "damaged_data",
            AttestError::Store(crate::store::StoreError::Busy) => "busy",
            AttestError::Store(crate::store::StoreError::Corrupt { .. }) => "damaged_data",
            AttestError::Store(_) => "database_failed",
            AttestError::NoSuchItem(_) => "no_such_attestation",
            AttestError::Io(_) => "io_failed",
        }
    }
}

/// Parses a 32-byte hex value (`0x` optional), e.g. a UID or a SHA-256.
pub fn parse_b256(text: &str, what: &str) -> Result<B256, AttestError> {
    let t = text.trim();
    let t = t.strip_prefix("0x").or_else(|| t.strip_prefix("0X")).unwrap_or(t);
    let bytes = hex::decode(t).ok().filter(|b| b.len() == 32).ok_or_else(|| {
        AttestError::InvalidInput(format!("{what} must be 32 bytes in hex (64 hex digits), got \"{text}\""))
    })?;
    Ok(B256::from_slice(&bytes))
}

/// Serializes an address in its EIP-55 checksummed form (serde's default is lower case), so that
/// every address Hallmark prints or stores looks the same. Reading accepts either form.
pub(crate) fn checksummed<S: serde::Serializer>(address: &Address, serializer: S) -> Result<S::Ok, S::Error> {
    serializer.serialize_str(&address.to_checksum(None))
}

/// Parses an Ethereum address (`0x` + 40 hex digits; a mixed-case address must have a valid checksum).
pub fn parse_address(text: &str, what: &str) -> Result<Address, AttestError> {
    let t = text.trim();
    let digits = t.get(2..).unwrap_or("");
    let all_one_case =
        !digits.chars().any(|c| c.is_ascii_uppercase()) || !digits.chars().any(|c| c.is_ascii_lowercase());
    let parsed = if all_one_case { t.parse::<Address>().ok() } else { Address::parse_checksummed(t, None).ok() };
    parsed.ok_or_else(|| {
        AttestError::InvalidInput(format!(
            "{what} must be an Ethereum address (0x and 40 hex digits, valid checksum), got \"{text}\""
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_addresses_and_hashes_strictly() {
        let good = "0xA1207F3BBa224E2c9c3c6D5aF63D0eb1582Ce587";
        assert_eq!(parse_address(good, "x").unwrap().to_checksum(None), good);
        assert!(parse_address(&good.to_lowercase(), "x").is_ok());
        assert!(parse_address(&good.to_uppercase().replace("0X", "0x"), "x").is_ok());
        // One letter's case flipped: the checksum fails.
        assert!(parse_address("0xa1207F3BBa224E2c9c3c6D5aF63D0eb1582Ce587", "x").is_err());
        assert!(parse_address("aé", "x").is_err());
        assert!(parse_address("0x1234", "x").is_err());
        let h = "0x55444386ed9712fe74cb279438ca30e1d8c6050a7dc1a506588247fb93496024";
        assert_eq!(parse_b256(h, "x").unwrap().to_string(), h);
        assert_eq!(parse_b256(&h[2..], "x").unwrap().to_string(), h);
        assert!(parse_b256(&h[..64], "x").is_err());
        assert_eq!(AttestError::WrongChain { network: "n".into(), expected: 1, actual: 2 }.code(), "wrong_chain");
    }
}
