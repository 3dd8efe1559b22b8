//! The devnet: a local Ethereum chain (anvil, from Foundry) on 127.0.0.1 with the real EAS
//! contracts deployed, for trying attestations out at no cost and for tests.
//!
//! [`start`] runs anvil on a free port of 127.0.0.1 as a detached process (it keeps running when
//! the caller exits), waits until it answers, deploys `SchemaRegistry` and then `EAS(registry)`
//! from the Hardhat artifacts of npm `@ethereum-attestation-service/eas-contracts` (the same
//! bytecode as on public chains), funds the accounts asked for, and records the process id, port
//! and contract addresses in `<data dir>/devnet.json` ([`DEVNET_FILE`], written atomically;
//! anvil's output goes to `<data dir>/devnet.log`). [`stop`] ends the process and removes the
//! file; [`status`] reports whether it answers, its chain id and block. The chain lives in memory:
//! a restarted devnet is empty and has new addresses.
//!
//! Where the npm packages are ([`Packages::locate`]): a folder the caller gives, else the
//! environment variable `HALLMARK_EAS_PACKAGES` (a `node_modules` folder), else — for builds from
//! the repository — the repository's `tests/eas/node_modules` (installed by `scripts/setup`). The
//! folder must hold `@foundry-rs/anvil-linux-amd64/bin/anvil` and
//! `@ethereum-attestation-service/eas-contracts/artifacts/`.

use std::net::TcpListener;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use alloy::network::TransactionBuilder;
use alloy::primitives::{Address, Bytes, U256};
use alloy::providers::{Provider, ProviderBuilder};
use alloy::rpc::types::TransactionRequest;
use alloy::sol_types::SolValue;
use serde::{Deserialize, Serialize};

use super::contracts::IEAS;
use super::network::{Network, NetworkSource, DEVNET};
use super::AttestError;

/// File (in the data dir) describing the running devnet.
pub const DEVNET_FILE: &str = "devnet.json";

/// File (in the data dir) receiving anvil's output.
pub const DEVNET_LOG: &str = "devnet.log";

/// Environment variable naming the `node_modules` folder with anvil and the EAS contracts.
pub const PACKAGES_ENV: &str = "HALLMARK_EAS_PACKAGES";

/// anvil's chain id.
pub const DEVNET_CHAIN_ID: u64 = 31_337;

/// How much ETH [`start`] and [`fund`] give an account: 100 ETH.
pub const FUNDING_WEI: u128 = 100_000_000_000_000_000_000;

/// Where anvil and the EAS contract artifacts are.
#[derive(Debug, Clone)]
pub struct Packages {
    root: PathBuf,
}

impl Packages {
    /// Finds the packages: `explicit`, else `$HALLMARK_EAS_PACKAGES`, else the repository's
    /// `tests/eas/node_modules` when this crate was built from the repository.
    pub fn locate(explicit: Option<&Path>) -> Result<Packages, AttestError> {
        let root = match explicit {
            Some(p) => p.to_path_buf(),
            None => match std::env::var_os(PACKAGES_ENV).filter(|v| !v.is_empty()) {
                Some(v) => PathBuf::from(v),
                None => Path::new(env!("CARGO_MANIFEST_DIR")).join("../../tests/eas/node_modules"),
            },
        };
        let p = Packages { root };
        for file in [p.anvil(), p.artifact("SchemaRegistry"), p.artifact("EAS")] {
            if !file.is_file() {
                return Err(AttestError::DevnetPackages(format!("{} is missing", file.display())));
            }
        }
        Ok(p)
    }

    /// The `node_modules` folder.
    pub fn root(&self) -> &Path {
        &self.root
    }

    /// The anvil binary.
    pub fn anvil(&self) -> PathBuf {
        self.root.join("@foundry-rs/anvil-linux-amd64/bin/anvil")
    }

    /// The Hardhat artifact (ABI + bytecode) of contract `name` (`EAS`, `SchemaRegistry`).
    pub fn artifact(&self, name: &str) -> PathBuf {
        self.root
            .join(format!("@ethereum-attestation-service/eas-contracts/artifacts/contracts/{name}.sol/{name}.json"))
    }

    /// The creation bytecode of contract `name`, from its artifact.
    pub fn bytecode(&self, name: &str) -> Result<Vec<u8>, AttestError> {
        let path = self.artifact(name);
        let bad = |reason: String| AttestError::DevnetPackages(format!("{} is unreadable: {reason}", path.display()));
        let text = std::fs::read(&path).map_err(|e| bad(e.to_string()))?;
        let json: serde_json::Value = serde_json::from_slice(&text).map_err(|e| bad(e.to_string()))?;
        let code = json["bytecode"].as_str().ok_or_else(|| bad("no bytecode".into()))?;
        let bytes = hex::decode(code.trim_start_matches("0x")).map_err(|e| bad(e.to_string()))?;
        if bytes.is_empty() {
            return Err(bad("empty bytecode".into()));
        }
        Ok(bytes)
    }
}

/// What `devnet.json` records.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct DevnetState {
    /// anvil's process id.
    pub pid: u32,
    /// Its port on 127.0.0.1.
    pub port: u16,
    /// `http://127.0.0.1:<port>`.
    pub rpc_url: String,
    /// The chain id (31337).
    pub chain_id: u64,
    /// The EAS contract.
    #[serde(serialize_with = "super::checksummed")]
    pub eas: Address,
    /// The SchemaRegistry contract.
    #[serde(serialize_with = "super::checksummed")]
    pub schema_registry: Address,
    /// When it was started, Unix seconds.
    pub started_at: u64,
}

impl DevnetState {
    /// The devnet as a [`Network`] named `devnet`.
    pub fn network(&self) -> Network {
        Network {
            name: DEVNET.into(),
            rpc_url: self.rpc_url.clone(),
            chain_id: self.chain_id,
            eas: self.eas,
            schema_registry: self.schema_registry,
            start_block: 0,
            source: NetworkSource::Devnet,
        }
    }
}

/// What [`status`] reports.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DevnetStatus {
    /// Whether the devnet answers.
    pub running: bool,
    /// The recorded state (None: never started, or stopped).
    pub state: Option<DevnetState>,
    /// The chain id it reports, when running.
    pub chain_id: Option<u64>,
    /// Its latest block number, when running.
    pub block: Option<u64>,
}

/// Reads `devnet.json`; `None` if there is none.
pub fn load_state(data_dir: &Path) -> Result<Option<DevnetState>, AttestError> {
    let path = data_dir.join(DEVNET_FILE);
    match std::fs::read(&path) {
        Ok(bytes) => {
            serde_json::from_slice(&bytes).map(Some).map_err(|e| AttestError::Damaged { path, reason: e.to_string() })
        }
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(None),
        Err(e) => Err(e.into()),
    }
}

/// Asks the node at `rpc_url` for its chain id and latest block within `timeout`.
async fn ping(rpc_url: &str, timeout: Duration) -> Option<(u64, u64)> {
    let url = rpc_url.parse().ok()?;
    let client = reqwest::Client::builder().timeout(timeout).build().ok()?;
    let provider = ProviderBuilder::new().connect_reqwest(client, url);
    let fut = async {
        let chain = provider.get_chain_id().await.ok()?;
        let block = provider.get_block_number().await.ok()?;
        Some((chain, block))
    };
    tokio::time::timeout(timeout, fut).await.ok().flatten()
}

/// Is `pid` a live anvil process? (On Linux, read from /proc so a recycled pid is not mistaken
/// for it; elsewhere, `kill -0`.)
fn is_anvil(pid: u32) -> bool {
    let proc_dir = Path::new("/proc");
    if proc_dir.is_dir() {
        let cmdline = std::fs::read(proc_dir.join(pid.to_string()).join("cmdline")).unwrap_or_default();
        return String::from_utf8_lossy(&cmdline).contains("anvil");
    }
    Command::new("kill").args(["-0", &pid.to_string()]).stderr(Stdio::null()).status().is_ok_and(|s| s.success())
}

/// Reports whether the devnet runs, with its chain id and latest block.
pub async fn status(data_dir: &Path) -> Result<DevnetStatus, AttestError> {
    let state = load_state(data_dir)?;
    let answer = match &state {
        Some(s) => ping(&s.rpc_url, Duration::from_secs(3)).await,
        None => None,
    };
    Ok(DevnetStatus { running: answer.is_some(), state, chain_id: answer.map(|a| a.0), block: answer.map(|a| a.1) })
}

fn free_port() -> Result<u16, AttestError> {
    let l = TcpListener::bind(("127.0.0.1", 0))?;
    Ok(l.local_addr()?.port())
}

fn log_tail(path: &Path) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    let lines: Vec<&str> = text.lines().filter(|l| !l.trim().is_empty()).collect();
    lines[lines.len().saturating_sub(5)..].join(" / ")
}

fn now() -> u64 {
    std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or_default()
}

/// Starts the devnet (see the module docs) and gives each account in `fund` 100 ETH.
/// Refuses if one is running already ([`AttestError::DevnetRunning`]); a stale `devnet.json`
/// (its process gone) is replaced.
pub async fn start(data_dir: &Path, packages: &Packages, fund: &[Address]) -> Result<DevnetState, AttestError> {
    crate::fsutil::ensure_private_dir(data_dir)?;
    if let Some(old) = load_state(data_dir)? {
        if ping(&old.rpc_url, Duration::from_secs(3)).await.is_some() {
            return Err(AttestError::DevnetRunning(old.rpc_url));
        }
        // Recorded but not answering: end its process if it is still there (hung), then forget it.
        kill(old.pid);
        std::fs::remove_file(data_dir.join(DEVNET_FILE))?;
    }
    let log_path = data_dir.join(DEVNET_LOG);
    // A port picked free can be taken before anvil binds it: try a few.
    let mut last_error = String::new();
    for _ in 0..3 {
        let port = free_port()?;
        match spawn_and_wait(packages, port, &log_path).await {
            Ok(pid) => {
                let rpc_url = format!("http://127.0.0.1:{port}");
                let deployed = deploy(&rpc_url, packages).await;
                let (registry, eas) = match deployed {
                    Ok(a) => a,
                    Err(e) => {
                        kill(pid);
                        return Err(e);
                    }
                };
                let state = DevnetState {
                    pid,
                    port,
                    rpc_url,
                    chain_id: DEVNET_CHAIN_ID,
                    eas,
                    schema_registry: registry,
                    started_at: now(),
                };
                for a in fund {
                    if let Err(e) = set_balance(&state.rpc_url, *a, U256::from(FUNDING_WEI)).await {
                        kill(pid);
                        return Err(e);
                    }
                }
                let json = serde_json::to_vec_pretty(&state).expect("devnet state serialises");
                if let Err(e) = crate::fsutil::atomic_write(&data_dir.join(DEVNET_FILE), &json, true) {
                    kill(pid);
                    return Err(e.into());
                }
                tracing::info!(port, pid, "devnet started");
                return Ok(state);
            }
            Err(e) => last_error = e,
        }
    }
    Err(AttestError::DevnetFailed(last_error))
}

/// Runs anvil on `port` and waits (up to 30 s) until it answers. Returns its pid.
async fn spawn_and_wait(packages: &Packages, port: u16, log_path: &Path) -> Result<u32, String> {
    let log = std::fs::File::create(log_path).map_err(|e| format!("cannot create {}: {e}", log_path.display()))?;
    let log2 = log.try_clone().map_err(|e| e.to_string())?;
    let mut cmd = Command::new(packages.anvil());
    cmd.args(["--host", "127.0.0.1", "--port", &port.to_string(), "--chain-id", &DEVNET_CHAIN_ID.to_string()])
        .stdin(Stdio::null())
        .stdout(log)
        .stderr(log2);
    #[cfg(unix)]
    {
        // Its own process group: a Ctrl-C in the terminal that started it does not stop it.
        use std::os::unix::process::CommandExt;
        cmd.process_group(0);
    }
    let mut child = cmd.spawn().map_err(|e| format!("cannot run {}: {e}", packages.anvil().display()))?;
    let pid = child.id();
    let rpc_url = format!("http://127.0.0.1:{port}");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        if let Ok(Some(status)) = child.try_wait() {
            return Err(format!("anvil exited at once ({status}): {}", log_tail(log_path)));
        }
        if let Some((chain, _)) = ping(&rpc_url, Duration::from_millis(500)).await {
            if chain != DEVNET_CHAIN_ID {
                let _ = child.kill();
                let _ = child.wait();
                return Err(format!("port {port} answers with chain {chain}: another node is there"));
            }
            break;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            let _ = child.wait();
            return Err(format!("anvil did not answer within 30 s: {}", log_tail(log_path)));
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    // Reap it when it exits, so it never lingers as a zombie of this process.
    std::thread::spawn(move || {
        let _ = child.wait();
    });
    Ok(pid)
}

/// Deploys SchemaRegistry, then EAS(registry), from anvil's first (unlocked) account.
async fn deploy(rpc_url: &str, packages: &Packages) -> Result<(Address, Address), AttestError> {
    let failed = |what: &str, e: String| AttestError::DevnetFailed(format!("deploying {what}: {e}"));
    let provider = ProviderBuilder::new().connect_http(rpc_url.parse().expect("local URL"));
    let accounts = provider.get_accounts().await.map_err(|e| failed("contracts", e.to_string()))?;
    let deployer = *accounts.first().ok_or_else(|| failed("contracts", "anvil has no accounts".into()))?;
    let mut addresses: Vec<Address> = Vec::new();
    for name in ["SchemaRegistry", "EAS"] {
        let mut code = packages.bytecode(name)?;
        if name == "EAS" {
            code.extend_from_slice(&addresses[0].abi_encode());
        }
        let tx = TransactionRequest::default().with_from(deployer).with_deploy_code(Bytes::from(code));
        let receipt = provider
            .send_transaction(tx)
            .await
            .map_err(|e| failed(name, e.to_string()))?
            .get_receipt()
            .await
            .map_err(|e| failed(name, e.to_string()))?;
        if !receipt.status() {
            return Err(failed(name, "the deployment reverted".into()));
        }
        addresses.push(receipt.contract_address.ok_or_else(|| failed(name, "no contract address".into()))?);
    }
    let (registry, eas) = (addresses[0], addresses[1]);
    let linked =
        IEAS::new(eas, &provider).getSchemaRegistry().call().await.map_err(|e| failed("EAS", e.to_string()))?;
    if linked != registry {
        return Err(failed("EAS", format!("it points to registry {linked}, not {registry}")));
    }
    Ok((registry, eas))
}

async fn set_balance(rpc_url: &str, address: Address, wei: U256) -> Result<(), AttestError> {
    let provider = ProviderBuilder::new().connect_http(rpc_url.parse().expect("local URL"));
    provider
        .raw_request::<_, serde_json::Value>("anvil_setBalance".into(), (address, wei))
        .await
        .map_err(|e| AttestError::DevnetFailed(format!("funding {address}: {e}")))?;
    Ok(())
}

/// Gives `address` 100 ETH on the running devnet (its balance is set, not added to).
pub async fn fund(data_dir: &Path, address: Address) -> Result<(), AttestError> {
    let state = load_state(data_dir)?.ok_or(AttestError::DevnetNotRunning)?;
    if ping(&state.rpc_url, Duration::from_secs(3)).await.is_none() {
        return Err(AttestError::DevnetNotRunning);
    }
    set_balance(&state.rpc_url, address, U256::from(FUNDING_WEI)).await
}

fn kill(pid: u32) {
    if is_anvil(pid) {
        let _ = Command::new("kill").args(["-TERM", &pid.to_string()]).stderr(Stdio::null()).status();
    }
}

/// Stops the devnet: ends its process (only if that pid is still anvil) and removes
/// `devnet.json`. Returns false if there was no devnet recorded.
pub fn stop(data_dir: &Path) -> Result<bool, AttestError> {
    let Some(state) = load_state(data_dir)? else { return Ok(false) };
    kill(state.pid);
    let deadline = Instant::now() + Duration::from_secs(10);
    while is_anvil(state.pid) && Instant::now() < deadline {
        std::thread::sleep(Duration::from_millis(50));
    }
    if is_anvil(state.pid) {
        let _ = Command::new("kill").args(["-KILL", &state.pid.to_string()]).stderr(Stdio::null()).status();
    }
    match std::fs::remove_file(data_dir.join(DEVNET_FILE)) {
        Ok(()) => {}
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
        Err(e) => return Err(e.into()),
    }
    tracing::info!(pid = state.pid, "devnet stopped");
    Ok(true)
}
