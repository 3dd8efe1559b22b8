//! One function per command: get input, call core, build an [`Output`].

use std::path::{Path, PathBuf};
use std::time::Duration;

use hallmark_core::did::{self, DidMethod};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::mnemonic::RecoveryPhrase;
use hallmark_core::store::Identity;
use hallmark_core::vault::{VaultError, VAULT_FILE};
use hallmark_core::wallet::{default_home, Created, Status};
use hallmark_core::{KeyringState, UnlockedWallet, Wallet, WalletError};
use serde_json::{json, Value};

use crate::args::{Cli, Command, DidCommand, Global, MethodArg};
use crate::secrets;
use crate::{CliError, Output};

/// Runs the parsed command line.
pub fn run(cli: Cli) -> Result<Output, CliError> {
    let g = &cli.global;
    let home = default_home()?;
    let mode = KeyringMode::from_env().map_err(WalletError::from)?;
    match cli.command {
        Command::Init(a) => init(g, &home, mode, a.yes),
        Command::Restore => restore(g, &home, mode),
        Command::Status => status(&home, mode),
        Command::Lock => lock(&home, mode),
        Command::Unlock => unlock(g, &home, mode),
        Command::Passphrase(a) => change_passphrase(g, &home, mode, a.new_passphrase_file.as_deref()),
        Command::Did(d) => match d {
            DidCommand::New { method, label, domain } => did_new(g, &home, mode, method, label, domain),
            DidCommand::List => did_list(&home, mode),
            DidCommand::Show { did } => did_show(&home, mode, &did),
            DidCommand::Resolve { did, timeout } => did_resolve(&did, Duration::from_secs(timeout)),
            DidCommand::WebDoc { did, out } => did_web_doc(&home, mode, &did, out),
        },
        Command::Cred(c) => crate::cred::run(g, &home, mode, c),
        Command::Trust(t) => crate::cred::trust(&home, mode, t),
        Command::Community(c) => crate::community::run(g, &home, mode, c),
        Command::Sign(a) => crate::media::sign(g, &home, mode, a),
        Command::Verify { file, network } => crate::media::verify(&home, mode, &file, network.as_deref()),
        Command::Find { file } => crate::media::find(&home, mode, &file),
        Command::Attest(a) => crate::attest::run(g, &home, mode, a),
        Command::Network(n) => crate::attest::network_command(&home, mode, n),
        Command::Devnet(d) => crate::attest::devnet_command(&home, mode, d),
        Command::Log(l) => crate::log::run(g, &home, mode, l),
    }
}

pub(crate) fn runtime() -> Result<tokio::runtime::Runtime, CliError> {
    tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .map_err(|e| CliError::Aborted(format!("could not start the async runtime: {e}")))
}

/// JSON for a file or for people: pretty, with a final newline.
pub(crate) fn pretty_json(v: &Value) -> String {
    serde_json::to_string_pretty(v).unwrap_or_default() + "\n"
}

/// Writes a public (0644) file atomically: a reader sees the old file or the whole new one.
pub(crate) fn write_public_file(path: &Path, body: &str) -> Result<(), CliError> {
    hallmark_core::fsutil::atomic_write(path, body.as_bytes(), false)
        .map_err(|source| CliError::Output { path: path.display().to_string(), source })
}

pub(crate) fn to_json<T: serde::Serialize>(v: &T) -> Value {
    serde_json::to_value(v).unwrap_or(Value::Null)
}

/// Refuses early (before asking for anything) when a wallet exists already.
fn refuse_existing(home: &Path) -> Result<(), CliError> {
    if home.join(VAULT_FILE).exists() {
        return Err(WalletError::from(VaultError::AlreadyExists(home.display().to_string())).into());
    }
    Ok(())
}

fn keyring_words(state: &KeyringState) -> &'static str {
    match state {
        KeyringState::Unlocked => "unlocked — the OS keyring opens the wallet without the passphrase",
        KeyringState::Locked => "locked — the passphrase is needed (`hallmark unlock` to keep it in the keyring)",
        KeyringState::Disabled => "off (HALLMARK_KEYRING=none) — the passphrase is needed",
        KeyringState::Unavailable => "not available on this system — the passphrase is needed",
    }
}

fn created_output(c: &Created, phrase_for_script: Option<&RecoveryPhrase>, verb: &str) -> Output {
    let mut json = to_json(c);
    let mut summary = format!(
        "Wallet {verb} in {}\n  Wallet id:        {}\n  Ethereum account: {}\n  OS keyring:       {}\n",
        c.home,
        c.wallet_id,
        c.ethereum_address,
        keyring_words(&c.keyring)
    );
    if let Some(note) = &c.keyring_note {
        summary.push_str(&format!("  ({note})\n"));
    }
    summary.push_str("Next: create an identity with `hallmark did new --method key --label \"Me\"`.");
    match phrase_for_script {
        // Without a terminal, stdout carries only the phrase (for the script to store safely);
        // the summary goes to stderr.
        Some(p) => {
            json["recovery_phrase"] = Value::String(p.phrase().to_string());
            Output {
                json,
                text: p.phrase().to_string(),
                exit: 0,
                note: Some(format!("{summary}\nThe recovery phrase is on stdout: keep it safe and offline; it is shown only this once.")),
            }
        }
        None => Output::new(json, summary),
    }
}

fn init(g: &Global, home: &Path, mode: KeyringMode, yes: bool) -> Result<Output, CliError> {
    refuse_existing(home)?;
    let interactive = secrets::interactive();
    if !interactive && !yes {
        return Err(CliError::Usage(
            "there is no terminal to show the recovery phrase on: run `hallmark init` in a terminal, or pass --yes to print the phrase on stdout".into(),
        ));
    }
    let pass = secrets::new_passphrase(g.passphrase_file.as_deref(), secrets::ENV_PASSPHRASE, "a wallet passphrase")?;
    let phrase = RecoveryPhrase::generate().map_err(WalletError::from)?;
    match (interactive, yes) {
        (true, false) => secrets::show_and_confirm(&phrase)?,
        (true, true) => secrets::show_phrase(&phrase)?,
        _ => {}
    }
    let created = Wallet::create(home, &phrase, &pass, mode)?;
    Ok(created_output(&created, (!interactive).then_some(&phrase), "created"))
}

fn restore(g: &Global, home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    refuse_existing(home)?;
    let phrase = secrets::recovery_phrase_input()?;
    let pass = secrets::new_passphrase(g.passphrase_file.as_deref(), secrets::ENV_PASSPHRASE, "a wallet passphrase")?;
    let created = Wallet::create(home, &phrase, &pass, mode)?;
    Ok(created_output(&created, None, "restored"))
}

fn status(home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    let s: Status = Wallet::open(home, mode)?.status()?;
    let text = format!(
        "Data folder:      {}\nWallet id:        {}\nCreated:          {}\nEthereum account: {}\nOS keyring:       {}\nIdentities:       {}",
        s.home,
        s.wallet_id,
        s.created_at,
        s.ethereum_address.as_deref().unwrap_or("-"),
        keyring_words(&s.keyring),
        s.identities
    );
    Ok(Output::new(to_json(&s), text))
}

fn lock(home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let removed = w.lock()?;
    let text = if removed {
        "Locked: the OS keyring no longer holds the wallet key. The passphrase is needed from now on (`hallmark unlock` to undo)."
    } else {
        "Already locked: the OS keyring held no key for this wallet."
    };
    Ok(Output::new(json!({"locked": true, "removed_from_keyring": removed}), text))
}

fn unlock(g: &Global, home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    match w.status()?.keyring {
        KeyringState::Unlocked => {
            let u = w.unlock(|| Err(WalletError::NeedPassphrase))?;
            drop(u);
            return Ok(Output::new(
                json!({"keyring": "unlocked", "changed": false}),
                "Already unlocked: the OS keyring holds the wallet key.",
            ));
        }
        KeyringState::Disabled => {
            return Err(WalletError::from(hallmark_core::keystore::KeystoreError::Disabled).into());
        }
        _ => {}
    }
    let pass = secrets::existing_passphrase(g.passphrase_file.as_deref())?;
    let u = w.unlock_with_passphrase(&pass, true)?;
    // Here keeping the key is the whole point: a keyring that did not keep it is an error.
    if u.wallet().status()?.keyring != KeyringState::Unlocked {
        return Err(WalletError::from(hallmark_core::keystore::KeystoreError::Failed(
            "the OS keyring did not keep the wallet key".into(),
        ))
        .into());
    }
    Ok(Output::new(
        json!({"keyring": "unlocked", "changed": true}),
        "Unlocked: the OS keyring holds the wallet key again; the wallet opens without the passphrase (`hallmark lock` to undo).",
    ))
}

fn change_passphrase(g: &Global, home: &Path, mode: KeyringMode, new_file: Option<&Path>) -> Result<Output, CliError> {
    let mut w = Wallet::open(home, mode)?;
    let old = secrets::existing_passphrase(g.passphrase_file.as_deref())?;
    let new = secrets::new_passphrase(new_file, secrets::ENV_NEW_PASSPHRASE, "the new passphrase")?;
    w.change_passphrase(&old, &new)?;
    Ok(Output::new(json!({"changed": true}), "Passphrase changed."))
}

/// Opens and unlocks: the OS keyring first, the passphrase only when needed.
pub(crate) fn unlocked(g: &Global, home: &Path, mode: KeyringMode) -> Result<UnlockedWallet, CliError> {
    let w = Wallet::open(home, mode)?;
    let file = g.passphrase_file.clone();
    w.unlock(move || {
        secrets::existing_passphrase(file.as_deref()).map_err(|e| match e {
            CliError::Wallet(w) => w,
            other => WalletError::PassphraseInput(other.to_string()),
        })
    })
    .map_err(Into::into)
}

fn method(m: MethodArg) -> DidMethod {
    match m {
        MethodArg::Key => DidMethod::Key,
        MethodArg::Jwk => DidMethod::Jwk,
        MethodArg::Pkh => DidMethod::Pkh,
        MethodArg::Web => DidMethod::Web,
    }
}

fn identity_text(id: &Identity) -> String {
    let mut t = format!("{}\n  Method:     did:{}\n", id.did, id.method);
    if let Some(l) = &id.label {
        t.push_str(&format!("  Label:      {l}\n"));
    }
    if let Some(a) = &id.address {
        t.push_str(&format!("  Address:    {a}\n"));
    }
    if let Some(d) = &id.domain {
        t.push_str(&format!("  Domain:     {d}\n"));
    }
    t.push_str(&format!("  Key:        {} at {}\n  Created:    {}\n", id.key_type, id.derivation_path, id.created_at));
    t
}

fn did_new(
    g: &Global,
    home: &Path,
    mode: KeyringMode,
    m: MethodArg,
    label: Option<String>,
    domain: Option<String>,
) -> Result<Output, CliError> {
    let m = method(m);
    if domain.is_some() && m != DidMethod::Web {
        return Err(CliError::Usage("--domain is only for --method web".into()));
    }
    if m == DidMethod::Web {
        // Check the domain before asking for the passphrase.
        did::did_web(domain.as_deref().ok_or(WalletError::Did(hallmark_core::DidError::MissingDomain))?)
            .map_err(WalletError::from)?;
    }
    let mut u = unlocked(g, home, mode)?;
    let id = u.new_identity(m, label, domain.as_deref())?;
    let mut text = format!("Created {}", identity_text(&id));
    if m == DidMethod::Web {
        text.push_str(&format!(
            "Publish its DID document: `hallmark did web-doc {} --out did.json`, then serve it at {}",
            id.did,
            did::did_web_url(&id.did).map_err(WalletError::from)?
        ));
    }
    Ok(Output::new(to_json(&id), text))
}

fn did_list(home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    let ids = Wallet::open(home, mode)?.identities()?;
    let text = if ids.is_empty() {
        "No identities yet. Create one with `hallmark did new --method key --label \"Me\"`.".to_string()
    } else {
        let mut t = String::new();
        for id in &ids {
            t.push_str(&format!("{:<5} {:<20} {}\n", id.method, id.label.as_deref().unwrap_or("-"), id.did));
        }
        t
    };
    Ok(Output::new(to_json(&ids), text))
}

fn did_show(home: &Path, mode: KeyringMode, did_text: &str) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let id = w.identity(did_text)?;
    let doc = runtime()?.block_on(w.document(&id.did))?;
    let text =
        format!("{}DID document:\n{}", identity_text(&id), serde_json::to_string_pretty(&doc).unwrap_or_default());
    Ok(Output::new(json!({"identity": to_json(&id), "document": doc}), text))
}

fn did_resolve(did_text: &str, timeout: Duration) -> Result<Output, CliError> {
    let parsed = did::parse(did_text).map_err(WalletError::from)?;
    let doc = runtime()?.block_on(did::resolve(parsed.as_str(), timeout)).map_err(WalletError::from)?;
    let text = serde_json::to_string_pretty(&doc).unwrap_or_default();
    Ok(Output::new(json!({"did": parsed.as_str(), "document": doc}), text))
}

fn did_web_doc(home: &Path, mode: KeyringMode, did_text: &str, out: Option<PathBuf>) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let id = w.identity(did_text)?;
    if id.method != "web" {
        return Err(CliError::Usage(format!(
            "{} is not a did:web identity; only did:web documents are published",
            id.did
        )));
    }
    let doc = runtime()?.block_on(w.document(&id.did))?;
    let url = did::did_web_url(&id.did).map_err(WalletError::from)?;
    let body = pretty_json(&doc);
    match out {
        Some(path) => {
            write_public_file(&path, &body)?;
            Ok(Output::new(
                json!({"did": id.did, "url": url, "path": path.display().to_string()}),
                format!("Wrote {}. Publish it so that it is served at {url}", path.display()),
            ))
        }
        None => Ok(Output::new(json!({"did": id.did, "url": url, "document": doc}), body)),
    }
}
