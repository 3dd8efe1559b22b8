//! `hallmark log …`: the activity log ([`hallmark_core::activity`]). Every file signed,
//! credential issued or revoked, community decision and attestation is a signed, hash-chained
//! entry, written by core in the same transaction as the action. Here: showing it, exporting it
//! (all of it, or one community's moderation log), verifying an export — with nothing but the
//! file and, for its anchors, a chain's RPC — and anchoring its head on chain.

use std::io::Read;
use std::path::{Path, PathBuf};

use clap::{Args, Subcommand};
use hallmark_core::activity::{self, AnchorCheck, Entry, ExportEntry, LogReport};
use hallmark_core::attest::network::NetworkSource;
use hallmark_core::attest::{parse_address, Address, AttestError, Network, DEFAULT_RPC_TIMEOUT};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::store::LogFilter;
use hallmark_core::wallet::log::{verify_log, AnchorPolicy, LogStatus};
use hallmark_core::{Wallet, WalletError};
use serde_json::json;

use crate::args::Global;
use crate::attest::{chosen_network, default_confirmations, network_named, preflight, send_and_report, SendArgs};
use crate::commands::{runtime, to_json, write_public_file};
use crate::{CliError, Output};

/// `log verify`: the log is not valid — an entry was changed, removed, reordered or forged, an
/// anchor on chain disagrees with it or covers entries it no longer has — or the file is not an
/// activity log export at all (error `invalid_log`).
pub const EXIT_INVALID_LOG: u8 = 25;

/// `hallmark log …`.
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// The entries, newest first: who did what, when, on which objects (hashes and ids, never
    /// personal data).
    Show(ShowArgs),
    /// How many entries, per action; the head; the on-chain anchors and what they cover; the
    /// automatic anchoring policy.
    Status,
    /// Write the log as a self-contained JSON Lines file anyone can check with `hallmark log
    /// verify`. With --community, that community's entries are in full and the others redacted
    /// (their hashes only): a moderation log its members can audit.
    Export {
        /// Only this community's entries in full (its id, or its name when unique).
        #[arg(long, value_name = "ID|NAME")]
        community: Option<String>,
        /// From this entry on (default: the first).
        #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
        from: Option<u64>,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Check an exported log: the chain of entries, every hash and signature, and its anchors on
    /// chain (the file's, and any other the log's account made there). No wallet needed: give
    /// the chain with --network, or with --rpc, --chain-id and --eas. Exits 0 when valid, 25
    /// when not (the first problem is located: line and entry).
    Verify {
        /// The exported log (JSON Lines), or - for stdin.
        file: PathBuf,
        /// Read anchors from this network (one of `hallmark network list`).
        #[arg(long, value_name = "NAME", conflicts_with = "rpc")]
        network: Option<String>,
        /// Read anchors from the chain at this JSON-RPC URL (with --chain-id and --eas).
        #[arg(long, value_name = "URL", requires_all = ["chain_id", "eas"])]
        rpc: Option<String>,
        /// The chain id the --rpc node must report.
        #[arg(long, value_name = "N", requires = "rpc", value_parser = clap::value_parser!(u64).range(1..))]
        chain_id: Option<u64>,
        /// The EAS contract's address on that chain.
        #[arg(long, value_name = "ADDR", requires = "rpc")]
        eas: Option<String>,
    },
    /// Attest the log's current head (its last hash and entry count) on chain, and wait until
    /// it is confirmed: from then on, nobody can rewrite the history up to it unnoticed.
    Anchor(SendArgs),
    /// Anchor the head automatically every N new entries (the app's attestation queue, or
    /// `hallmark attest run`, sends the anchors); --off stops it.
    AutoAnchor(AutoAnchorArgs),
}

/// `hallmark log show`.
#[derive(Debug, Args)]
pub struct ShowArgs {
    /// Only this community's entries (its id, or its name when unique).
    #[arg(long, value_name = "ID|NAME")]
    pub community: Option<String>,
    /// Only this action (e.g. sign_media, issue_credential, revoke_credential, admitted, banned,
    /// attest; `hallmark log status` lists those in the log).
    #[arg(long, value_name = "A")]
    pub action: Option<String>,
    /// Only entries by this DID.
    #[arg(long, value_name = "DID")]
    pub actor: Option<String>,
    /// From this entry on.
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u64).range(1..))]
    pub from: Option<u64>,
    /// At most N entries (the newest, or with --oldest-first the oldest).
    #[arg(long, value_name = "N", value_parser = clap::value_parser!(u32).range(1..))]
    pub limit: Option<u32>,
    /// In the log's order (oldest first) instead of newest first.
    #[arg(long)]
    pub oldest_first: bool,
}

/// `hallmark log auto-anchor`.
#[derive(Debug, Args)]
pub struct AutoAnchorArgs {
    /// Anchor after this many new entries (the anchors' own entries do not count).
    #[arg(long, value_name = "N", required_unless_present = "off", conflicts_with = "off",
          value_parser = clap::value_parser!(u64).range(1..))]
    pub every: Option<u64>,
    /// The network (default: the one chosen with `hallmark network use`).
    #[arg(long, value_name = "NAME", conflicts_with = "off")]
    pub network: Option<String>,
    /// Blocks to wait for before an anchor counts as confirmed (default: 1 on the devnet, 2
    /// elsewhere).
    #[arg(long, value_name = "N", conflicts_with = "off", value_parser = clap::value_parser!(u32).range(1..=64))]
    pub confirmations: Option<u32>,
    /// Stop anchoring automatically.
    #[arg(long)]
    pub off: bool,
}

/// Runs a `log` subcommand.
pub fn run(g: &Global, home: &Path, mode: KeyringMode, c: LogCommand) -> Result<Output, CliError> {
    match c {
        LogCommand::Show(a) => show(home, mode, a),
        LogCommand::Status => status(home, mode),
        LogCommand::Export { community, from, out } => export(home, mode, community.as_deref(), from, out),
        LogCommand::Verify { file, network, rpc, chain_id, eas } => {
            let extra = match (network, rpc, chain_id, eas) {
                (Some(name), ..) => Some(network_named(home, &name)?),
                (None, Some(rpc), Some(chain_id), Some(eas)) => Some(rpc_network(rpc, chain_id, &eas)?),
                _ => None,
            };
            verify(home, &file, extra.as_ref())
        }
        LogCommand::Anchor(send) => anchor(g, home, mode, &send),
        LogCommand::AutoAnchor(a) => auto_anchor(home, mode, a),
    }
}

// ---------------------------------------------------------------------------------------------
// show, status

/// What an action is, in words.
fn action_words(action: &str) -> &str {
    match action {
        "sign_media" => "signed a file",
        "issue_credential" => "issued a credential",
        "revoke_credential" => "revoked a credential",
        "vouch" => "vouched for someone",
        "attest" => "attested on chain",
        "revoke_attestation" => "revoked an attestation",
        "created" => "created the community",
        "invited" => "gave an invitation",
        "admitted" => "admitted a member",
        "rejected" => "rejected a request",
        "left" => "recorded a member leaving",
        "banned" => "banned a member",
        "vouch_received" => "received a vouch",
        "humanity_issued" => "issued a humanity credential",
        "moderator_added" => "added a moderator",
        other => other,
    }
}

/// An entry's time for people: `YYYY-MM-DD HH:MM:SS UTC` when it is RFC 3339 in UTC.
fn time_words(t: &str) -> String {
    match (t.get(..10), t.get(11..19)) {
        (Some(d), Some(h)) if t.as_bytes().get(10) == Some(&b'T') && t.ends_with('Z') => format!("{d} {h} UTC"),
        _ => t.to_string(),
    }
}

/// A long hash, shortened for a line meant for people (`--json` has it whole).
fn short(v: &str) -> String {
    if v.len() > 24 && v.chars().all(|c| c.is_ascii_hexdigit() || c == 'x') {
        format!("{}…", &v[..18])
    } else {
        v.to_string()
    }
}

fn entry_lines(e: &Entry) -> String {
    let mut t = format!("#{} {}  {} ({})\n", e.seq, time_words(&e.time), action_words(&e.action), e.action);
    t.push_str(&format!("    by {}\n", e.actor));
    if let Some(c) = &e.community {
        t.push_str(&format!("    community {c}\n"));
    }
    if !e.objects.is_empty() {
        let objects: Vec<String> = e.objects.iter().map(|(k, v)| format!("{k} {}", short(v))).collect();
        t.push_str(&format!("    {}\n", objects.join(", ")));
    }
    t
}

/// A community's id from its id or (unique) name.
fn community_id(w: &Wallet, id_or_name: &str) -> Result<String, CliError> {
    Ok(w.community_details(id_or_name.trim())?.community.id)
}

fn show(home: &Path, mode: KeyringMode, a: ShowArgs) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let community = match &a.community {
        Some(c) => Some(community_id(&w, c)?),
        None => None,
    };
    let filter = LogFilter {
        from: a.from,
        community,
        action: a.action.clone(),
        actor: a.actor.clone(),
        limit: a.limit,
        newest_first: !a.oldest_first,
    };
    let entries = w.log_entries(&filter)?;
    let (total, head) = w.log_status().map(|s| (s.entries, s.head))?;
    let filtered = a.community.is_some() || a.action.is_some() || a.actor.is_some() || a.from.is_some();
    let mut text = String::new();
    if entries.is_empty() {
        text.push_str(if total == 0 {
            "The activity log is empty: signing a file, issuing or revoking a credential, a community decision or an attestation adds an entry.\n"
        } else {
            "No entries match.\n"
        });
    } else {
        for e in &entries {
            text.push_str(&entry_lines(e));
        }
        let order = if a.oldest_first { "oldest first" } else { "newest first" };
        let of = if filtered || a.limit.is_some() { format!(" of {total}") } else { String::new() };
        text.push_str(&format!(
            "{} entr{}{of}, {order}.\n",
            entries.len(),
            if entries.len() == 1 { "y" } else { "ies" }
        ));
    }
    Ok(Output::new(json!({"total": total, "head": head, "entries": entries}), text))
}

fn policy_words(p: Option<&AnchorPolicy>) -> String {
    match p {
        Some(p) => format!(
            "every {} new entr{} on {} ({} confirmation{}), sent by the attestation queue (the app, or `hallmark attest run`)",
            p.every,
            if p.every == 1 { "y" } else { "ies" },
            p.network,
            p.confirmations,
            if p.confirmations == 1 { "" } else { "s" }
        ),
        None => "off (`hallmark log auto-anchor --every N` turns it on)".into(),
    }
}

fn status(home: &Path, mode: KeyringMode) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let s: LogStatus = w.log_status()?;
    let policy = w.log_anchoring()?;
    let mut text = format!("Activity log: {} entr{}\n", s.entries, if s.entries == 1 { "y" } else { "ies" });
    if s.entries > 0 {
        text.push_str(&format!("  Head:      {} (entry {})\n", s.head, s.entries));
        text.push_str("  Actions:\n");
        for (action, n) in &s.actions {
            text.push_str(&format!("    {action:<20} {n:>6}  {}\n", action_words(action)));
        }
    }
    match s.anchored {
        0 => text.push_str("  Anchored:  not yet (`hallmark log anchor` attests the head on chain)\n"),
        n => text.push_str(&format!(
            "  Anchored:  entries 1–{n}{}\n",
            if s.entries > n {
                format!("; {} not anchored yet", not_anchored(n + 1, s.entries))
            } else {
                String::new()
            }
        )),
    }
    if !s.anchors.is_empty() {
        text.push_str("  Anchors (newest first):\n");
        for a in &s.anchors {
            text.push_str(&format!(
                "    entries 1–{} on {} (chain {}): UID {}\n",
                a.count, a.network, a.chain_id, a.uid
            ));
        }
    }
    if s.anchors_pending > 0 {
        text.push_str(&format!(
            "  Pending:   {} anchor{} queued or sent, not confirmed yet (`hallmark attest run` sends them)\n",
            s.anchors_pending,
            if s.anchors_pending == 1 { "" } else { "s" }
        ));
    }
    text.push_str(&format!("  Automatic anchoring: {}\n", policy_words(policy.as_ref())));
    let mut j = to_json(&s);
    j["anchoring"] = to_json(&policy);
    Ok(Output::new(j, text))
}

// ---------------------------------------------------------------------------------------------
// export

fn export(
    home: &Path,
    mode: KeyringMode,
    community: Option<&str>,
    from: Option<u64>,
    out: Option<PathBuf>,
) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let text = runtime()?.block_on(w.export_log(community, from))?;
    let (header, entries, _) = activity::parse_export(&text).map_err(WalletError::from)?;
    let full = entries.iter().filter(|(_, e)| matches!(e, ExportEntry::Full(_))).count();
    let n = entries.len();
    let first = entries.first().map(|(_, e)| e.seq());
    let last = entries.last().map(|(_, e)| e.seq());
    let mut j = json!({
        "community": header.community,
        "entries": n,
        "full": full,
        "redacted": n - full,
        "from": first,
        "to": last,
        "head": entries.last().map(|(_, e)| e.hash().to_string()),
        "anchors": header.anchors.len(),
    });
    let range = match (first, last) {
        (Some(a), Some(b)) => format!("entries {a}–{b}"),
        _ => "no entries".to_string(),
    };
    let detail = match &header.community {
        Some(c) => format!(" — {full} of community {c} in full, {} others redacted", n - full),
        None => String::new(),
    };
    match out {
        Some(path) => {
            write_public_file(&path, &text)?;
            j["path"] = json!(path.display().to_string());
            let words = format!(
                "Wrote the activity log ({range}{detail}; {} anchor{}) to {}.\nAnyone can check it with `hallmark log verify {}`.",
                header.anchors.len(),
                if header.anchors.len() == 1 { "" } else { "s" },
                path.display(),
                path.display()
            );
            Ok(Output::new(j, words))
        }
        None => {
            j["export"] = json!(text);
            let mut o = Output::new(j, text);
            o.note = Some(format!("Activity log export: {range}{detail}."));
            Ok(o)
        }
    }
}

// ---------------------------------------------------------------------------------------------
// verify

/// The network given by `--rpc URL --chain-id N --eas ADDR`, used only to read anchors.
fn rpc_network(rpc: String, chain_id: u64, eas: &str) -> Result<Network, CliError> {
    let eas = parse_address(eas, "the EAS address").map_err(WalletError::from)?;
    let ok = rpc.starts_with("https://") || rpc.starts_with("http://");
    if !ok {
        return Err(WalletError::from(AttestError::InvalidInput(format!(
            "RPC URL \"{rpc}\" must start with https:// (or http:// for a node on your own machine)"
        )))
        .into());
    }
    Ok(Network {
        name: "rpc".into(),
        rpc_url: rpc,
        chain_id,
        eas,
        // Reading attestations needs only EAS.
        schema_registry: Address::ZERO,
        start_block: 0,
        source: NetworkSource::User,
    })
}

fn read_log_file(file: &Path) -> Result<String, CliError> {
    let mut bytes = Vec::new();
    let read = if file == Path::new("-") {
        std::io::stdin().read_to_end(&mut bytes).map(|_| ())
    } else {
        std::fs::File::open(file).and_then(|mut f| f.read_to_end(&mut bytes)).map(|_| ())
    };
    read.map_err(|e| CliError::Coded {
        code: "input_not_found",
        message: format!("cannot read {}: {e}", file.display()),
    })?;
    String::from_utf8(bytes).map_err(|_| {
        WalletError::from(activity::ActivityError::BadFile(format!("{} is not UTF-8 text", file.display()))).into()
    })
}

/// "entry 4 is" / "entries 4–6 are".
fn not_anchored(from: u64, to: u64) -> String {
    if from == to {
        format!("entry {from} is")
    } else {
        format!("entries {from}–{to} are")
    }
}

/// An anchor's status, in words.
fn anchor_status_words(status: &str) -> &'static str {
    match status {
        "matches" => "MATCHES the chain",
        "disagrees" => "DISAGREES — the history was rewritten",
        "beyond_end" => "BEYOND THE END — entries it covers are missing from the file",
        "before_start" => "before this file starts (not checked against it)",
        "not_on_chain" => "NOT ON CHAIN",
        "wrong_attester" => "MADE BY ANOTHER ACCOUNT",
        "revoked" => "REVOKED on chain",
        "unchecked" => "not checked",
        _ => "unknown",
    }
}

fn anchor_line(c: &AnchorCheck) -> String {
    let a = &c.anchor;
    format!(
        "    entries 1–{} on chain {} ({}), UID {}: {}\n      {}\n",
        a.count,
        a.chain_id,
        a.network,
        a.uid,
        anchor_status_words(&c.status),
        c.message
    )
}

fn report_text(r: &LogReport) -> String {
    let mut t = String::new();
    let range = if r.entries == 0 { "no entries".to_string() } else { format!("entries {}–{}", r.from, r.to) };
    t.push_str(&format!(
        "{} activity log: {range} ({} in full, {} redacted)\n",
        if r.valid { "VALID" } else { "NOT VALID" },
        r.full,
        r.redacted
    ));
    if let Some(h) = &r.head {
        t.push_str(&format!("  Head:   {h}\n"));
    }
    match &r.first_problem {
        Some(p) => {
            let seq = p.seq.map(|s| format!(", entry {s}")).unwrap_or_default();
            t.push_str(&format!("  First problem: line {}{seq} — {} ({})\n", p.line, p.message, p.code));
            t.push_str("  (entries after it cannot be trusted either)\n");
        }
        None => t.push_str("  Entries: every link, hash and signature checks out\n"),
    }
    if r.anchors.is_empty() {
        t.push_str("  Anchors: none found (nothing pins this history on chain)\n");
    } else {
        t.push_str("  Anchors:\n");
        for c in &r.anchors {
            t.push_str(&anchor_line(c));
        }
    }
    match r.covered {
        0 => t.push_str("  Covered by an anchor that matches: none\n"),
        n if n >= r.to => t.push_str(&format!("  Covered by an anchor that matches: entries 1–{n} (all of them)\n")),
        n => t.push_str(&format!(
            "  Covered by an anchor that matches: entries 1–{n} ({} not anchored yet)\n",
            not_anchored(n + 1, r.to)
        )),
    }
    if let Some(note) = &r.chain_note {
        t.push_str(&format!("  Note: {note}\n"));
    }
    t
}

fn verify(home: &Path, file: &Path, extra: Option<&Network>) -> Result<Output, CliError> {
    let text = read_log_file(file)?;
    // The data folder supplies known networks when there is one; none is needed.
    let data_dir = home.is_dir().then_some(home);
    let report = runtime()?.block_on(verify_log(&text, data_dir, extra, DEFAULT_RPC_TIMEOUT))?;
    let mut j = to_json(&report);
    j["file"] = json!(file.display().to_string());
    let mut out = Output::new(j, report_text(&report));
    out.exit = if report.valid { 0 } else { EXIT_INVALID_LOG };
    Ok(out)
}

// ---------------------------------------------------------------------------------------------
// anchor, auto-anchor

fn anchor(g: &Global, home: &Path, mode: KeyringMode, send: &SendArgs) -> Result<Output, CliError> {
    let mut w = Wallet::open(home, mode)?;
    let net = chosen_network(home, &w, send.network.as_deref())?;
    let (count, head) = w.log_status().map(|s| (s.entries, s.head))?;
    if count == 0 {
        return Ok(Output::new(
            json!({"network": net.name, "count": 0, "head": head, "queued": [], "existing": [], "items": [], "waited": false, "stopped": false, "problem": null}),
            "The activity log is empty: there is nothing to anchor yet.",
        ));
    }
    if !send.no_wait {
        preflight(&net)?;
    }
    let confirmations = send.confirmations.unwrap_or_else(|| default_confirmations(&net));
    let Some(queued) = w.queue_log_anchor(&net, confirmations)? else {
        return Err(CliError::Aborted("the activity log became empty while anchoring".into()));
    };
    drop(w);
    if !g.json {
        eprintln!("Anchoring the activity log's head on {}: entries 1–{count}, head {head}.", net.name);
    }
    let mut out = send_and_report(g, home, mode, &net, vec![queued], send.no_wait)?;
    out.json["count"] = json!(count);
    out.json["head"] = json!(head);
    if out.exit == 0 && !send.no_wait {
        out.text.push_str(&format!(
            "Entries 1–{count} are pinned on {}: `hallmark log export --out FILE` gives a file anyone can check with `hallmark log verify FILE`.\n",
            net.name
        ));
    }
    Ok(out)
}

fn auto_anchor(home: &Path, mode: KeyringMode, a: AutoAnchorArgs) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    if a.off {
        let was = w.log_anchoring()?;
        w.set_log_anchoring(None)?;
        let text = if was.is_some() {
            "Automatic anchoring is off: `hallmark log anchor` still anchors on demand."
        } else {
            "Automatic anchoring was already off."
        };
        return Ok(Output::new(json!({"anchoring": null}), text));
    }
    let every = a.every.ok_or_else(|| CliError::Usage("give --every N, or --off".into()))?;
    let net = chosen_network(home, &w, a.network.as_deref())?;
    let policy = AnchorPolicy {
        every,
        network: net.name.clone(),
        confirmations: a.confirmations.unwrap_or_else(|| default_confirmations(&net)),
    };
    w.set_log_anchoring(Some(&policy))?;
    let mut text = format!("Automatic anchoring: {}.", policy_words(Some(&policy)));
    if net.source == NetworkSource::Devnet {
        text.push_str(" (The devnet's chain is lost when it stops: anchors there are for trying it out.)");
    }
    Ok(Output::new(json!({"anchoring": policy}), text))
}
