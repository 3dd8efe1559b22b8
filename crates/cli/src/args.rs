//! The command line, declared with clap derive. Parsing only: no logic here.

use std::path::PathBuf;

use clap::{Args, Parser, Subcommand, ValueEnum};

/// Hallmark: an identity wallet and content signer.
///
/// Your data folder is HALLMARK_HOME (default: the per-user data folder of your OS).
/// Exit codes: 0 ok, 1 failure, 2 usage error, 3 wrong passphrase, 4 no wallet yet,
/// 5 wallet locked and no passphrase given, 6 damaged data or data from a newer Hallmark.
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
    /// Verifiable credentials: issue and verify.
    #[command(subcommand)]
    Cred(CredCommand),
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

/// `hallmark cred …`.
#[derive(Debug, Subcommand)]
pub enum CredCommand {
    /// Issue a credential about SUBJECT, signed by one of your identities (did:key or did:jwk).
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
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Verify a credential file: its proof, that the issuer signed it, its validity period.
    /// Exits 0 when valid, 1 (after the report) when not.
    Verify {
        /// The credential (JSON).
        file: PathBuf,
    },
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
