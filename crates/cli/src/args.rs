//! The command line, declared with clap derive. Parsing only: no logic here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Hallmark: an identity wallet and content signer.
///
/// Your data folder is HALLMARK_HOME (default: the per-user data folder of your OS).
/// Exit codes: 0 ok, 1 failure, 2 usage error, 3 wrong passphrase, 4 no wallet yet,
/// 5 wallet locked and no passphrase given, 6 damaged data or data from a newer Hallmark;
/// `sign`, `verify`, `find`, `attest` and `log` add their own (see each command's help and the README).
#[derive(Debug, Parser)]
#[command(name = "hallmark", version, about, long_about, propagate_version = true)]
pub struct Cli {
    /// Global options.
    #[command(flatten)]
    pub global: Global,
    /// The command to run.
    #[command(subcommand)]
    pub command: Command,
}

/// Options accepted by every command.
#[derive(Debug, Args)]
pub struct Global {
    /// Print machine-readable JSON on stdout (errors as JSON on stderr).
    #[arg(long, global = true)]
    pub json: bool,
    /// Log what happens to stderr (-v info, -vv debug). Secrets are never logged.
    #[arg(short, long, action = clap::ArgAction::Count, global = true)]
    pub verbose: u8,
    /// Read the wallet passphrase from this file (first line) instead of asking.
    /// HALLMARK_PASSPHRASE does the same from the environment.
    #[arg(long, value_name = "FILE", global = true)]
    pub passphrase_file: Option<PathBuf>,
}

/// Top-level commands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Create a new wallet with a new 24-word recovery phrase.
    Init(InitArgs),
    /// Recreate a wallet from its recovery phrase (read from stdin, or asked for).
    Restore,
    /// Show the wallet: data folder, keyring, Ethereum account, identities.
    Status,
    /// Forget the wallet key in the OS keyring: the passphrase is needed from now on.
    Lock,
    /// Check the passphrase and keep the wallet key in the OS keyring again.
    Unlock,
    /// Change the wallet passphrase.
    Passphrase(PassphraseArgs),
    /// Identities (DIDs).
    #[command(subcommand)]
    Did(DidCommand),
    /// Verifiable credentials: issue, hold, present, verify, revoke.
    #[command(subcommand)]
    Cred(CredCommand),
    /// The issuers you trust.
    #[command(subcommand)]
    Trust(TrustCommand),
    /// Communities: members, moderators, requests, vouches.
    #[command(subcommand)]
    Community(crate::community::CommunityCommand),
    /// Sign photos, videos, audio or PDFs with content credentials (C2PA) as one of your
    /// identities. The originals are never changed. Exits 0 when every file was signed, 9 when
    /// some failed, 130 when stopped (Ctrl-C): run the same command again to resume.
    Sign(SignArgs),
    /// Check a file's content credentials and show where it comes from: signer, time, edits,
    /// AI disclosure, training permission, earlier versions. No wallet needed. Exits 0 when
    /// valid (also when the signer is in no trust list), 17 when invalid, 18 when the file has
    /// no content credentials.
    Verify {
        /// The file (or its `.c2pa` sidecar).
        file: PathBuf,
        /// Also search this network's chain for attestations of the file (this wallet's own
        /// attestations of it are always shown).
        #[arg(long, value_name = "NAME")]
        network: Option<String>,
    },
    /// Find the signed original of a file in your wallet: the signed copy itself, its unsigned
    /// original, or the same picture re-encoded, resized or stripped of its credentials.
    /// Exits 19 when nothing is found.
    Find {
        /// The file to look up.
        file: PathBuf,
    },
    /// Attest signed files and credentials on Ethereum (EAS), on chain or off chain; the
    /// attestation queue; lookups. Exits 20 when the node cannot be reached, 21 for a network
    /// problem (unknown, wrong chain, no EAS there, devnet not running), 22 when the account
    /// cannot pay, 23 when attestations failed, 24 for an invalid off-chain attestation, 130
    /// when stopped (Ctrl-C; `hallmark attest run` continues).
    #[command(subcommand)]
    Attest(crate::attest::AttestCommand),
    /// The Ethereum networks attestations go to: presets, your own, the local devnet.
    #[command(subcommand)]
    Network(crate::attest::NetworkCommand),
    /// A local Ethereum chain with the EAS contracts, for trying attestations at no cost.
    #[command(subcommand)]
    Devnet(crate::attest::DevnetCommand),
    /// The activity log: every file signed, credential issued or revoked, community decision
    /// and attestation, as signed, hash-chained entries; export it, check an export anywhere,
    /// anchor its head on chain. `log verify` exits 25 when the log is not valid; `log anchor`
    /// exits like `attest` (20-23, 130).
    #[command(subcommand)]
    Log(crate::log::LogCommand),
}

/// `hallmark sign`.
#[derive(Debug, Args)]
pub struct SignArgs {
    /// Files, folders (searched recursively for supported media) and patterns such as
    /// 'shoot/*.jpg' (quote them so that Hallmark expands them).
    #[arg(required = true, value_name = "FILE|DIR|GLOB")]
    pub inputs: Vec<PathBuf>,
    /// Your identity that signs (a did:key, did:jwk or did:web of this wallet).
    #[arg(long = "as", value_name = "DID")]
    pub signer: String,
    /// Write the signed copies into this folder (a folder given as input keeps its layout).
    /// Default: beside each original, as NAME.signed.EXT.
    #[arg(long, value_name = "DIR", conflicts_with = "sidecar")]
    pub out: Option<PathBuf>,
    /// Write a .c2pa manifest file beside each original (photo.jpg → photo.c2pa) instead of a
    /// signed copy.
    #[arg(long)]
    pub sidecar: bool,
    /// The title of every file (default: each file's name).
    #[arg(long, value_name = "T")]
    pub title: Option<String>,
    /// Declare that the content was generated by AI.
    #[arg(long)]
    pub ai_generated: bool,
    /// Allow AI training and data mining (by default they are declared not allowed).
    #[arg(long)]
    pub allow_training: bool,
    /// The signed file these were made from: recorded as their parent, with its history.
    #[arg(long, value_name = "SIGNED_FILE")]
    pub parent: Option<PathBuf>,
    /// What was done to the parent, e.g. cropped, resized, color_adjustments, filtered,
    /// edited (the default with --parent); any C2PA edit action, with or without `c2pa.`.
    #[arg(long, value_name = "ACTION")]
    pub action: Option<String>,
    /// How many files to sign at once (default: one per CPU core).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u16).range(1..=64))]
    pub jobs: Option<u16>,
}

/// Kinds of credential Hallmark issues.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CredKind {
    /// HumanityCredential: the subject is a real, unique person.
    Humanity,
    /// CommunityMembershipCredential: the subject belongs to a community.
    Membership,
}

/// How humanity was checked.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodOfCheck {
    /// You met the person.
    InPerson,
    /// You saw the person in a live video call.
    VideoCall,
}

/// A member's role.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum RoleArg {
    /// A member.
    Member,
    /// A moderator.
    Moderator,
}

/// How to secure a credential or presentation.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum FormatArg {
    /// W3C Data Integrity proof inside the JSON (eddsa-rdfc-2022 unless --cryptosuite says otherwise).
    Di,
    /// VC-JOSE: a compact JWT signed with EdDSA.
    Jwt,
}

/// Data Integrity cryptosuites.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum CryptosuiteArg {
    /// RDF Dataset Canonicalization (JSON-LD), the default.
    #[value(name = "eddsa-rdfc-2022")]
    EddsaRdfc2022,
    /// JSON Canonicalization Scheme.
    #[value(name = "eddsa-jcs-2022")]
    EddsaJcs2022,
}

/// `--format` and `--cryptosuite`, shared by the commands that sign.
#[derive(Debug, Clone, Args)]
pub struct FormatArgs {
    /// Proof format.
    #[arg(long, value_enum, default_value = "di")]
    pub format: FormatArg,
    /// Data Integrity cryptosuite (with --format di).
    #[arg(long, value_enum)]
    pub cryptosuite: Option<CryptosuiteArg>,
}

/// What a verifier is given besides the document.
#[derive(Debug, Clone, Args)]
pub struct CheckArgs {
    /// A status list credential to check revocation against offline (repeatable). Without it,
    /// a list is fetched from its https URL.
    #[arg(long = "status-list", value_name = "FILE")]
    pub status_lists: Vec<PathBuf>,
    /// Never use the network: status lists and did:web documents must be given as files.
    #[arg(long)]
    pub offline: bool,
    /// A DID document (did.json) to use instead of fetching a did:web DID (repeatable).
    #[arg(long = "did-doc", value_name = "FILE")]
    pub did_docs: Vec<PathBuf>,
}

/// `hallmark cred …`.
#[derive(Debug, Subcommand)]
pub enum CredCommand {
    /// Issue a credential about SUBJECT, signed by one of your identities. It is stored, and
    /// revocable: it names a place in your status list.
    Issue {
        /// The kind of credential.
        #[arg(long = "type", value_enum)]
        kind: CredKind,
        /// Your identity that signs it (the issuer).
        #[arg(long = "as", value_name = "DID")]
        issuer: String,
        /// The DID the credential is about.
        #[arg(long, value_name = "DID")]
        subject: String,
        /// Humanity: how you checked the person.
        #[arg(long, value_enum, default_value = "in-person")]
        method: MethodOfCheck,
        /// Humanity: a note on the check, of your choosing (no personal data is added otherwise).
        #[arg(long, value_name = "TEXT")]
        evidence: Option<String>,
        /// Membership: the community's id (a URI, e.g. urn:uuid:… or https://…).
        #[arg(long, value_name = "ID")]
        community: Option<String>,
        /// Membership: the community's name (default: its id).
        #[arg(long, value_name = "NAME")]
        community_name: Option<String>,
        /// Membership: the role.
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
        /// Valid until this date (YYYY-MM-DD, end of day UTC, or RFC 3339).
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify credentials or presentations (JSON or JWT; files, or - for stdin) check by check;
    /// several files are checked side by side on all cores. Exits 0 when all are valid;
    /// otherwise with the code of the first file that is not (see the README).
    Verify {
        /// The files, or - to read stdin.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The challenge the presentation must have been made for.
        #[arg(long, value_name = "C")]
        challenge: Option<String>,
        /// The domain the presentation must have been made for.
        #[arg(long, value_name = "D")]
        domain: Option<String>,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Add a credential you received (a file, or - to paste it on stdin). It is verified and the
    /// result is stored with it.
    Import {
        /// The file, or - to read stdin.
        file: PathBuf,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// List the credentials you hold and issued.
    List,
    /// Show one credential: what it says and its last verification.
    Show {
        /// Its id (from `cred list`; a unique prefix is enough).
        id: String,
        /// Print the credential itself (JSON or JWT) instead.
        #[arg(long)]
        raw: bool,
    },
    /// Verify a stored credential again (dates pass, credentials get revoked) and store the
    /// result; `--all` checks every one (side by side on all cores). Exits like `cred verify`,
    /// with the code of the first one not valid.
    Check {
        /// Its id.
        #[arg(required_unless_present = "all", conflicts_with = "all")]
        id: Option<String>,
        /// Check every credential you hold and issued.
        #[arg(long)]
        all: bool,
        #[command(flatten)]
        check: CheckArgs,
    },
    /// Delete a credential you hold (ones you issued are kept so that you can revoke them).
    Delete {
        /// Its id.
        id: String,
    },
    /// Present credentials about you to a verifier: a presentation signed by HOLDER, bound to the
    /// verifier's challenge and domain.
    Present {
        /// Your identity (the subject of every credential).
        #[arg(long, value_name = "DID")]
        holder: String,
        /// The verifier's challenge (a fresh random value it gave you).
        #[arg(long, value_name = "C")]
        challenge: String,
        /// The verifier's domain (who it is meant for).
        #[arg(long, value_name = "D")]
        domain: String,
        #[command(flatten)]
        format: FormatArgs,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// The credentials: stored ids or files.
        #[arg(required = true, value_name = "CRED")]
        credentials: Vec<String>,
    },
    /// Revoke a credential you issued: flips its bit in your status list and re-signs the list.
    /// Publish the new list (see `cred status-list`) so that verifiers see it.
    Revoke {
        /// Its id.
        id: String,
        /// Why (kept in your wallet, not published).
        #[arg(long, value_name = "TEXT")]
        reason: Option<String>,
        /// Also write the new status list credential to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Your status lists: where to publish them, and export their latest signed version.
    #[command(subcommand)]
    StatusList(StatusListCommand),
}

/// `hallmark cred status-list …`.
#[derive(Debug, Subcommand)]
pub enum StatusListCommand {
    /// List your status lists and the URL each must be published at, and the other issuers' lists kept.
    List,
    /// Keep another issuer's status list (e.g. a newer one after a revocation): credentials
    /// pointing to it are checked against it from now on, offline too.
    Add {
        /// The status list credential (JSON file).
        file: PathBuf,
    },
    /// Write the latest signed status list credential to a file (to publish, or to give to verifiers).
    Export {
        /// The list's URL (default: the only list of --issuer, or your only list).
        #[arg(long, value_name = "URL")]
        url: Option<String>,
        /// The issuer whose list to export.
        #[arg(long, value_name = "DID")]
        issuer: Option<String>,
        /// The file to write.
        #[arg(long, value_name = "FILE")]
        out: PathBuf,
    },
}

/// `hallmark trust …`.
#[derive(Debug, Subcommand)]
pub enum TrustCommand {
    /// Trust credentials issued by DID (shown as "trusted issuer" when verifying).
    Add {
        /// The issuer's DID.
        did: String,
        /// Your label for it.
        #[arg(long)]
        label: Option<String>,
    },
    /// Stop trusting DID.
    Remove {
        /// The issuer's DID.
        did: String,
    },
    /// Your trust list.
    List,
}

/// `hallmark init`.
#[derive(Debug, Args)]
pub struct InitArgs {
    /// Skip the three-word check. Without a terminal, the phrase is printed to stdout:
    /// store it safely, it is the only way to recover the wallet.
    #[arg(long)]
    pub yes: bool,
}

/// `hallmark passphrase`.
#[derive(Debug, Args)]
pub struct PassphraseArgs {
    /// Read the new passphrase from this file (first line).
    /// HALLMARK_NEW_PASSPHRASE does the same from the environment.
    #[arg(long, value_name = "FILE")]
    pub new_passphrase_file: Option<PathBuf>,
}

/// DID methods as named on the command line.
#[derive(Debug, Clone, Copy, ValueEnum)]
pub enum MethodArg {
    /// did:key — self-contained, works offline everywhere.
    Key,
    /// did:jwk — the key as a JSON Web Key.
    Jwk,
    /// did:pkh — your Ethereum account (eip155:1).
    Pkh,
    /// did:web — tied to a web domain where you publish did.json.
    Web,
}

/// `hallmark did …`.
#[derive(Debug, Subcommand)]
pub enum DidCommand {
    /// Create a new identity from the next key of the wallet.
    New {
        /// The DID method.
        #[arg(long, value_enum, default_value = "key")]
        method: MethodArg,
        /// A name to recognise the identity by.
        #[arg(long)]
        label: Option<String>,
        /// For did:web: the domain (and optional path) where did.json will be published.
        #[arg(long)]
        domain: Option<String>,
    },
    /// List the wallet's identities.
    List,
    /// Show one of the wallet's identities and its DID document.
    Show {
        /// The DID.
        did: String,
    },
    /// Resolve any did:key, did:jwk, did:pkh or did:web DID to its document.
    Resolve {
        /// The DID.
        did: String,
        /// Give up on did:web after this many seconds.
        #[arg(long, default_value_t = 10, value_parser = clap::value_parser!(u64).range(1..=300))]
        timeout: u64,
    },
    /// Write the did.json to publish for one of the wallet's did:web identities.
    WebDoc {
        /// The did:web DID.
        did: String,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}
