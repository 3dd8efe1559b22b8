//! The chains Hallmark can attest on, and the connection to one of them.
//!
//! A [`Network`] is a name, an RPC URL, a chain id and the addresses of the EAS and
//! SchemaRegistry contracts there. Three sources, looked up in this order by [`get`]:
//!
//! * `devnet` — the local anvil chain, while it runs ([`super::devnet`]; its addresses are in
//!   `<data dir>/devnet.json`).
//! * presets ([`presets`]) — public chains where EAS is deployed. The addresses are those EAS
//!   publishes in its npm package `@ethereum-attestation-service/eas-contracts` (`deployments/`);
//!   the RPC URLs are the chains' public endpoints, fine for trying things but rate-limited.
//! * networks the user adds ([`add`]), kept in `<data dir>/networks.json`.
//!
//! [`connect`] asks the node for its chain id and refuses a node on another chain
//! ([`AttestError::WrongChain`]) before anything is signed; transactions are also signed for the
//! network's chain id, so a lying node could not replay them elsewhere.

use std::path::{Path, PathBuf};
use std::time::Duration;

use alloy::network::EthereumWallet;
use alloy::primitives::{Address, B256};
use alloy::providers::{DynProvider, Provider, ProviderBuilder};
use alloy::signers::local::PrivateKeySigner;
use alloy::transports::{RpcError, TransportError, TransportErrorKind};
use serde::{Deserialize, Serialize};

use super::contracts::{explain, IEAS};
use super::{devnet, AttestError, DEFAULT_CONFIRM_TIMEOUT};
use crate::keys::Secp256k1Key;

/// File (in the data dir) holding the networks the user added.
pub const NETWORKS_FILE: &str = "networks.json";

/// The name of the local development chain.
pub const DEVNET: &str = "devnet";

/// One chain with EAS on it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Network {
    /// Short name: lower-case letters, digits and `-` (e.g. `sepolia`).
    pub name: String,
    /// JSON-RPC endpoint (http or https).
    pub rpc_url: String,
    /// EIP-155 chain id the node must report.
    pub chain_id: u64,
    /// Address of the EAS contract.
    #[serde(serialize_with = "super::checksummed")]
    pub eas: Address,
    /// Address of the SchemaRegistry contract.
    #[serde(serialize_with = "super::checksummed")]
    pub schema_registry: Address,
    /// The block EAS was deployed in (where searches for attestations start); 0 if unknown.
    #[serde(default)]
    pub start_block: u64,
    /// Where the network comes from.
    #[serde(default = "user_source")]
    pub source: NetworkSource,
}

/// Where a [`Network`] definition comes from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum NetworkSource {
    /// Built into Hallmark.
    Preset,
    /// Added by the user (`networks.json`).
    User,
    /// The local devnet (`devnet.json`).
    Devnet,
}

fn user_source() -> NetworkSource {
    NetworkSource::User
}

const OP_EAS: Address = Address::new([0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x21]);
const OP_REGISTRY: Address = Address::new([0x42, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0x20]);

/// The built-in public networks. Addresses and deployment blocks are those of EAS's npm package
/// `@ethereum-attestation-service/eas-contracts` 1.9.0 (`deployments/<chain>/`); on OP-stack
/// chains (Base, Optimism) EAS is a predeploy at `0x4200…0021`, its registry at `0x4200…0020`.
pub fn presets() -> Vec<Network> {
    let p = |name: &str, rpc: &str, chain_id: u64, eas: &str, reg: &str, start_block: u64| Network {
        name: name.into(),
        rpc_url: rpc.into(),
        chain_id,
        eas: eas.parse().expect("preset EAS address"),
        schema_registry: reg.parse().expect("preset registry address"),
        start_block,
        source: NetworkSource::Preset,
    };
    let op = |name: &str, rpc: &str, chain_id: u64| Network {
        name: name.into(),
        rpc_url: rpc.into(),
        chain_id,
        eas: OP_EAS,
        schema_registry: OP_REGISTRY,
        start_block: 0,
        source: NetworkSource::Preset,
    };
    vec![
        p(
            "mainnet",
            "https://ethereum-rpc.publicnode.com",
            1,
            "0xA1207F3BBa224E2c9c3c6D5aF63D0eb1582Ce587",
            "0xA7b39296258348C78294F95B872b282326A97BDF",
            16_756_728,
        ),
        p(
            "sepolia",
            "https://ethereum-sepolia-rpc.publicnode.com",
            11_155_111,
            "0xC2679fBD37d54388Ce493F1DB75320D236e1815e",
            "0x0a7E2Ff54e76B8E6659aedc9103FB21c038050D0",
            2_958_571,
        ),
        op("base", "https://mainnet.base.org", 8453),
        op("base-sepolia", "https://sepolia.base.org", 84_532),
        op("optimism", "https://mainnet.optimism.io", 10),
        op("optimism-sepolia", "https://sepolia.optimism.io", 11_155_420),
        p(
            "arbitrum-one",
            "https://arb1.arbitrum.io/rpc",
            42_161,
            "0xbD75f629A22Dc1ceD33dDA0b68c546A1c035c458",
            "0xA310da9c5B885E7fb3fbA9D66E9Ba6Df512b78eB",
            64_528_381,
        ),
        p(
            "arbitrum-sepolia",
            "https://sepolia-rollup.arbitrum.io/rpc",
            421_614,
            "0x2521021fc8BF070473E1e1801D3c7B4aB701E1dE",
            "0x45CB6Fa0870a8Af06796Ac15915619a0f22cd475",
            115_538_801,
        ),
        p(
            "polygon",
            "https://polygon-rpc.com",
            137,
            "0x5E634ef5355f45A855d02D66eCD687b1502AF790",
            "0x7876EEF51A891E737AF8ba5A5E0f0Fd29073D5a7",
            51_279_773,
        ),
        p(
            "linea",
            "https://rpc.linea.build",
            59_144,
            "0xaEF4103A04090071165F78D45D83A0C0782c2B2a",
            "0x55D26f9ae0203EF95494AE4C170eD35f4Cf77797",
            362_820,
        ),
        p(
            "scroll",
            "https://rpc.scroll.io",
            534_352,
            "0xC47300428b6AD2c7D03BB76D05A176058b47E6B0",
            "0xD2CDF46556543316e7D34e8eDc4624e2bB95e3B6",
            1_317_868,
        ),
    ]
}

#[derive(Serialize, Deserialize)]
struct NetworksFile {
    version: u32,
    networks: Vec<Network>,
}

fn networks_path(data_dir: &Path) -> PathBuf {
    data_dir.join(NETWORKS_FILE)
}

fn load_user(data_dir: &Path) -> Result<Vec<Network>, AttestError> {
    let path = networks_path(data_dir);
    let bytes = match std::fs::read(&path) {
        Ok(b) => b,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e.into()),
    };
    let file: NetworksFile = serde_json::from_slice(&bytes)
        .map_err(|e| AttestError::Damaged { path: path.clone(), reason: e.to_string() })?;
    if file.version != 1 {
        return Err(AttestError::Damaged { path, reason: format!("unknown version {}", file.version) });
    }
    Ok(file.networks.into_iter().map(|n| Network { source: NetworkSource::User, ..n }).collect())
}

fn save_user(data_dir: &Path, networks: Vec<Network>) -> Result<(), AttestError> {
    crate::fsutil::ensure_private_dir(data_dir)?;
    let file = NetworksFile { version: 1, networks };
    let json = serde_json::to_vec_pretty(&file).expect("networks serialise");
    crate::fsutil::atomic_write(&networks_path(data_dir), &json, true)?;
    Ok(())
}

/// Every network: presets, then the user's, then the devnet if its file exists.
pub fn list(data_dir: &Path) -> Result<Vec<Network>, AttestError> {
    let mut all = presets();
    all.extend(load_user(data_dir)?);
    if let Some(state) = devnet::load_state(data_dir)? {
        all.push(state.network());
    }
    Ok(all)
}

/// The network called `name` (devnet, a preset, or one the user added).
pub fn get(data_dir: &Path, name: &str) -> Result<Network, AttestError> {
    if name == DEVNET {
        return devnet::load_state(data_dir)?.map(|s| s.network()).ok_or(AttestError::DevnetNotRunning);
    }
    presets()
        .into_iter()
        .chain(load_user(data_dir)?)
        .find(|n| n.name == name)
        .ok_or_else(|| AttestError::UnknownNetwork(name.to_string()))
}

/// Checks a network definition a user gives: name, URL, non-zero chain id and addresses.
pub fn validate(network: &Network) -> Result<(), AttestError> {
    let n = &network.name;
    let name_ok = !n.is_empty()
        && n.len() <= 40
        && n.chars().all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        && !n.starts_with('-');
    if !name_ok {
        return Err(AttestError::InvalidInput(format!(
            "network name \"{n}\" is not allowed: use 1 to 40 lower-case letters, digits and '-'"
        )));
    }
    let url = url::Url::parse(&network.rpc_url)
        .map_err(|e| AttestError::InvalidInput(format!("RPC URL \"{}\" is not a URL: {e}", network.rpc_url)))?;
    if !matches!(url.scheme(), "http" | "https") || url.host_str().is_none() {
        return Err(AttestError::InvalidInput(format!(
            "RPC URL \"{}\" must start with https:// (or http:// for a node on your own machine)",
            network.rpc_url
        )));
    }
    if network.chain_id == 0 {
        return Err(AttestError::InvalidInput("the chain id must not be 0".into()));
    }
    if network.eas.is_zero() || network.schema_registry.is_zero() || network.eas == network.schema_registry {
        return Err(AttestError::InvalidInput(
            "the EAS and SchemaRegistry addresses must be two different, non-zero addresses".into(),
        ));
    }
    Ok(())
}

/// Adds a user network to `networks.json`. Its name must not be taken by a preset, the devnet
/// or another user network.
pub fn add(data_dir: &Path, network: Network) -> Result<Network, AttestError> {
    validate(&network)?;
    if network.name == DEVNET || presets().iter().any(|p| p.name == network.name) {
        return Err(AttestError::NetworkExists(network.name));
    }
    let mut user = load_user(data_dir)?;
    if user.iter().any(|u| u.name == network.name) {
        return Err(AttestError::NetworkExists(network.name));
    }
    let network = Network { source: NetworkSource::User, ..network };
    user.push(network.clone());
    save_user(data_dir, user)?;
    Ok(network)
}

/// Removes a user network. Presets and the devnet cannot be removed.
pub fn remove(data_dir: &Path, name: &str) -> Result<(), AttestError> {
    let mut user = load_user(data_dir)?;
    let before = user.len();
    user.retain(|n| n.name != name);
    if user.len() == before {
        if name == DEVNET || presets().iter().any(|p| p.name == name) {
            return Err(AttestError::InvalidInput(format!("\"{name}\" is built in and cannot be removed")));
        }
        return Err(AttestError::UnknownNetwork(name.to_string()));
    }
    save_user(data_dir, user)
}

/// A checked connection to a network's node: the chain id matched and EAS has code there.
/// With a key ([`connect`]), it can send transactions signed by that key.
pub struct Connection {
    pub(crate) network: Network,
    pub(crate) provider: DynProvider,
    pub(crate) from: Option<Address>,
    /// The key's wallet, for signing transactions without sending them (the outbox records
    /// a signed transaction before broadcasting it).
    pub(crate) wallet: Option<EthereumWallet>,
    pub(crate) timeout: Duration,
    pub(crate) confirm_timeout: Duration,
}

impl std::fmt::Debug for Connection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Connection").field("network", &self.network.name).field("from", &self.from).finish()
    }
}

impl Connection {
    /// The network this connection is for.
    pub fn network(&self) -> &Network {
        &self.network
    }

    /// The account that signs transactions, if a key was given.
    pub fn from(&self) -> Option<Address> {
        self.from
    }

    /// Changes how long to wait for a transaction to be included (default 180 s).
    pub fn set_confirm_timeout(&mut self, timeout: Duration) {
        self.confirm_timeout = timeout;
    }

    /// The underlying alloy provider (read-only use by callers, e.g. balances).
    pub fn provider(&self) -> &DynProvider {
        &self.provider
    }

    /// Runs one RPC future under the time limit, mapping its error.
    pub(crate) async fn rpc<T>(
        &self,
        fut: impl std::future::IntoFuture<Output = Result<T, TransportError>>,
    ) -> Result<T, AttestError> {
        match tokio::time::timeout(self.timeout, fut.into_future()).await {
            Ok(r) => r.map_err(|e| classify_transport(&self.network, self.timeout, self.from, &e)),
            Err(_) => Err(timeout_error(&self.network, self.timeout)),
        }
    }

    /// Runs one contract call (or gas estimate) under the time limit, decoding EAS errors.
    pub(crate) async fn contract<T>(
        &self,
        fut: impl std::future::IntoFuture<Output = Result<T, alloy::contract::Error>>,
    ) -> Result<T, AttestError> {
        match tokio::time::timeout(self.timeout, fut.into_future()).await {
            Ok(r) => r.map_err(|e| self.classify_contract(&e)),
            Err(_) => Err(timeout_error(&self.network, self.timeout)),
        }
    }

    pub(crate) fn classify_contract(&self, e: &alloy::contract::Error) -> AttestError {
        if let Some(decoded) = e.as_decoded_interface_error::<IEAS::IEASErrors>() {
            return AttestError::Reverted { reason: explain(&decoded) };
        }
        match e {
            alloy::contract::Error::TransportError(t) => classify_transport(&self.network, self.timeout, self.from, t),
            alloy::contract::Error::ZeroData(name, _) => AttestError::Rpc {
                network: self.network.name.clone(),
                reason: format!("the call to {name} returned nothing: is the contract address right?"),
            },
            other => AttestError::Rpc { network: self.network.name.clone(), reason: other.to_string() },
        }
    }

    pub(crate) fn signer_address(&self) -> Result<Address, AttestError> {
        self.from.ok_or_else(|| AttestError::InvalidInput("this needs the wallet's key: connect with a key".into()))
    }
}

fn timeout_error(network: &Network, timeout: Duration) -> AttestError {
    AttestError::RpcTimeout {
        network: network.name.clone(),
        url: network.rpc_url.clone(),
        seconds: timeout.as_secs().max(1),
    }
}

/// Maps a transport error to a plain [`AttestError`].
pub(crate) fn classify_transport(
    network: &Network,
    timeout: Duration,
    from: Option<Address>,
    e: &TransportError,
) -> AttestError {
    match e {
        RpcError::ErrorResp(payload) => {
            if let Some(decoded) = payload.as_decoded_interface_error::<IEAS::IEASErrors>() {
                return AttestError::Reverted { reason: explain(&decoded) };
            }
            let msg = payload.message.to_string();
            let lower = msg.to_ascii_lowercase();
            if lower.contains("insufficient funds") {
                return AttestError::InsufficientFunds {
                    address: from.unwrap_or_default(),
                    network: network.name.clone(),
                };
            }
            if lower.contains("revert") {
                return AttestError::Reverted { reason: msg };
            }
            AttestError::Rpc { network: network.name.clone(), reason: msg }
        }
        RpcError::Transport(kind) => {
            // Look for the HTTP client's error in the chain of causes.
            let mut source: Option<&(dyn std::error::Error + 'static)> = Some(kind);
            while let Some(s) = source {
                if let Some(r) = s.downcast_ref::<reqwest::Error>() {
                    if r.is_timeout() {
                        return timeout_error(network, timeout);
                    }
                    if r.is_connect() || r.is_request() {
                        return AttestError::RpcUnreachable {
                            network: network.name.clone(),
                            url: network.rpc_url.clone(),
                            reason: plain_cause(r),
                        };
                    }
                }
                source = s.source();
            }
            match kind {
                TransportErrorKind::HttpError(h) => AttestError::RpcUnreachable {
                    network: network.name.clone(),
                    url: network.rpc_url.clone(),
                    reason: format!("the server answered HTTP {}", h.status),
                },
                other => AttestError::RpcUnreachable {
                    network: network.name.clone(),
                    url: network.rpc_url.clone(),
                    reason: other.to_string(),
                },
            }
        }
        RpcError::DeserError { text, .. } => AttestError::Rpc {
            network: network.name.clone(),
            reason: format!(
                "the answer is not JSON-RPC (is this an Ethereum node?): {}",
                text.chars().take(120).collect::<String>()
            ),
        },
        other => AttestError::Rpc { network: network.name.clone(), reason: other.to_string() },
    }
}

/// The innermost cause of an HTTP client error, which is the one that says what happened
/// ("Connection refused", "dns error…").
fn plain_cause(e: &reqwest::Error) -> String {
    let mut last = e.to_string();
    let mut source = std::error::Error::source(e);
    while let Some(s) = source {
        last = s.to_string();
        source = s.source();
    }
    last
}

/// Connects to `network`'s node: asks its chain id (refusing a node on another chain with
/// [`AttestError::WrongChain`] before anything is signed) and checks that the EAS contract has
/// code there. With `key`, the connection signs transactions with it (for this chain id only).
/// `timeout` bounds each RPC request ([`super::DEFAULT_RPC_TIMEOUT`] is a good default).
pub async fn connect(
    network: &Network,
    key: Option<&Secp256k1Key>,
    timeout: Duration,
) -> Result<Connection, AttestError> {
    let url: url::Url = network
        .rpc_url
        .parse()
        .map_err(|e| AttestError::InvalidInput(format!("RPC URL \"{}\" is not a URL: {e}", network.rpc_url)))?;
    let client = reqwest::Client::builder()
        .timeout(timeout)
        .connect_timeout(timeout.min(Duration::from_secs(10)))
        .build()
        .map_err(|e| AttestError::Rpc { network: network.name.clone(), reason: e.to_string() })?;
    let (provider, from, wallet) = match key {
        Some(key) => {
            let signer = PrivateKeySigner::from_bytes(&B256::from(*key.secret_bytes())).map_err(|_| {
                AttestError::InvalidInput("the wallet's Ethereum key is not a valid secp256k1 key".into())
            })?;
            let from = signer.address();
            let wallet = EthereumWallet::from(signer);
            // The nonce is asked of the node for every transaction (not cached): a failed send
            // must not leave a gap, and the CLI, the app and a worker may share the account.
            let provider = ProviderBuilder::default()
                .with_gas_estimation()
                .with_simple_nonce_management()
                .with_chain_id(network.chain_id)
                .wallet(wallet.clone())
                .connect_reqwest(client, url)
                .erased();
            (provider, Some(from), Some(wallet))
        }
        None => (ProviderBuilder::new().connect_reqwest(client, url).erased(), None, None),
    };
    let conn = Connection {
        network: network.clone(),
        provider,
        from,
        wallet,
        timeout,
        confirm_timeout: DEFAULT_CONFIRM_TIMEOUT,
    };
    let actual = conn.rpc(conn.provider.get_chain_id()).await?;
    if actual != network.chain_id {
        return Err(AttestError::WrongChain { network: network.name.clone(), expected: network.chain_id, actual });
    }
    let code = conn.rpc(conn.provider.get_code_at(network.eas)).await?;
    if code.is_empty() {
        return Err(AttestError::NoContract { network: network.name.clone(), contract: "EAS", address: network.eas });
    }
    tracing::debug!(network = %network.name, chain_id = actual, "connected to the EAS network");
    Ok(conn)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn presets_are_valid_and_unique() {
        let all = presets();
        for p in &all {
            validate(p).unwrap();
            assert_eq!(all.iter().filter(|q| q.name == p.name || q.chain_id == p.chain_id).count(), 1, "{}", p.name);
        }
        let mainnet = all.iter().find(|n| n.name == "mainnet").unwrap();
        assert_eq!(mainnet.eas.to_checksum(None), "0xA1207F3BBa224E2c9c3c6D5aF63D0eb1582Ce587");
        let base = all.iter().find(|n| n.name == "base").unwrap();
        assert_eq!(base.eas.to_checksum(None), "0x4200000000000000000000000000000000000021");
        assert_eq!(base.schema_registry.to_checksum(None), "0x4200000000000000000000000000000000000020");
    }

    #[test]
    fn user_networks_are_added_listed_and_removed() {
        let dir = tempfile::tempdir().unwrap();
        let mut n = presets().into_iter().find(|n| n.name == "sepolia").unwrap();
        assert!(matches!(add(dir.path(), n.clone()), Err(AttestError::NetworkExists(_))));
        n.name = "my-sepolia".into();
        n.rpc_url = "https://rpc.example/v1".into();
        add(dir.path(), n.clone()).unwrap();
        assert!(matches!(add(dir.path(), n.clone()), Err(AttestError::NetworkExists(_))));
        let got = get(dir.path(), "my-sepolia").unwrap();
        assert_eq!(got.rpc_url, n.rpc_url);
        assert_eq!(got.source, NetworkSource::User);
        assert!(list(dir.path()).unwrap().iter().any(|x| x.name == "my-sepolia"));
        remove(dir.path(), "my-sepolia").unwrap();
        assert!(matches!(get(dir.path(), "my-sepolia"), Err(AttestError::UnknownNetwork(_))));
        assert!(matches!(get(dir.path(), DEVNET), Err(AttestError::DevnetNotRunning)));
        let mut bad = n.clone();
        bad.name = "Bad Name".into();
        assert!(matches!(add(dir.path(), bad), Err(AttestError::InvalidInput(_))));
        let mut bad = n;
        bad.rpc_url = "ftp://x".into();
        assert!(matches!(add(dir.path(), bad), Err(AttestError::InvalidInput(_))));
    }
}
