//! `hallmark community …`: a moderator's desk (create, invite, receive and admit requests,
//! accept vouches, issue HumanityCredentials, add moderators, leave, ban) and the member's side
//! (make a request, vouch, approve). All the rules are in `hallmark_core::community`.

use std::path::{Path, PathBuf};

use clap::Subcommand;
use hallmark_core::community::{
    RequestRef, Revocations, VouchFor, DEFAULT_MODERATOR_THRESHOLD, DEFAULT_VOUCH_THRESHOLD,
};
use hallmark_core::credential::{self, Format, Role, Secured, Suite};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::wallet::Issued;
use hallmark_core::{Wallet, WalletError};
use serde_json::{json, Value};

use crate::args::{CryptosuiteArg, FormatArg, FormatArgs, Global, RoleArg};
use crate::commands::{runtime, to_json, unlocked, write_public_file};
use crate::{CliError, Output};

/// `hallmark community …`.
#[derive(Debug, Subcommand)]
pub enum CommunityCommand {
    /// Create a community. You (--as, one of your did:key/did:jwk/did:web identities) become its
    /// first moderator and get a membership credential with role moderator.
    New {
        /// The community's name.
        name: String,
        /// Your identity: the first moderator.
        #[arg(long = "as", value_name = "DID")]
        creator: String,
        /// How many current members must vouch for a person before a HumanityCredential is issued.
        #[arg(long, value_name = "K", default_value_t = DEFAULT_VOUCH_THRESHOLD)]
        vouches: u32,
        /// How many current moderators must approve a member before they become a moderator.
        #[arg(long, value_name = "K", default_value_t = DEFAULT_MODERATOR_THRESHOLD)]
        moderator_approvals: u32,
        #[command(flatten)]
        format: FormatArgs,
        /// Also write your membership credential to this file.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// List the communities run from this wallet.
    List,
    /// Show a community: members, moderators, pending requests, vouches and every decision.
    Show {
        /// The community's id (or its name, when unique).
        community: String,
    },
    /// Give a candidate an invitation: a fresh challenge, and the domain (the community's id)
    /// their request must name.
    Invite {
        /// The community's id (or name).
        community: String,
        /// The moderator inviting (default: your first moderator identity in it).
        #[arg(long = "as", value_name = "DID")]
        moderator: Option<String>,
    },
    /// Candidate side: make a membership request, a presentation bound to the desk's invitation.
    Request {
        /// Your identity (the candidate).
        #[arg(long = "as", value_name = "DID")]
        holder: String,
        /// The community's id (the invitation's domain).
        #[arg(long, value_name = "ID")]
        community: String,
        /// The invitation's challenge.
        #[arg(long, value_name = "C")]
        challenge: String,
        /// A stored credential about you to show with the request (repeatable).
        #[arg(long = "include", value_name = "CRED_ID")]
        include: Vec<String>,
        #[command(flatten)]
        format: FormatArgs,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Receive a membership request (a file): verify it and keep it pending.
    Receive {
        /// The request (a presentation).
        file: PathBuf,
        /// The community's id (or name).
        #[arg(long, value_name = "ID")]
        community: String,
        /// A status list credential for the credentials the request holds (repeatable).
        #[arg(long = "status-list", value_name = "FILE")]
        status_lists: Vec<PathBuf>,
    },
    /// Admit a request (its id, or a request file: received and admitted at once) and issue
    /// the new member's membership credential.
    Admit {
        /// The request's id (r-…), or a request file.
        request: String,
        /// The community's id (or name); needed with a file (a stored request knows its community).
        #[arg(long, value_name = "ID")]
        community: Option<String>,
        /// The moderator admitting (one of your identities): the credential's issuer.
        #[arg(long = "as", value_name = "DID")]
        moderator: String,
        /// The role: member (moderators are made with `community moderator add`).
        #[arg(long, value_enum, default_value = "member")]
        role: RoleArg,
        #[command(flatten)]
        format: FormatArgs,
        /// Write the membership credential to this file (to hand to the member) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
        /// A status list credential for the credentials the request holds (repeatable).
        #[arg(long = "status-list", value_name = "FILE")]
        status_lists: Vec<PathBuf>,
    },
    /// Reject a pending request (its invitation is spent too).
    Reject {
        /// The request's id (r-…).
        request: String,
        /// Why (kept in the decision log).
        #[arg(long, value_name = "TEXT")]
        reason: String,
        /// The moderator rejecting (default: your first moderator identity in the community).
        #[arg(long = "as", value_name = "DID")]
        moderator: Option<String>,
    },
    /// Member side: vouch that CANDIDATE is a real, unique person you know (a VouchCredential,
    /// revocable, to give to the desk).
    Vouch {
        /// Your identity (a member).
        #[arg(long = "as", value_name = "DID")]
        voucher: String,
        /// The community's id.
        #[arg(long, value_name = "ID")]
        community: String,
        /// The community's name (default: from your membership credential in this wallet).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The person you vouch for.
        #[arg(long = "for", value_name = "DID")]
        candidate: String,
        /// How you know them, of your choosing (no personal data is added otherwise).
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Vouches received by the desk.
    #[command(subcommand)]
    Vouches(VouchesCommand),
    /// Issue CANDIDATE a HumanityCredential, when enough current members vouched for them.
    Humanity {
        /// The person vouched for.
        candidate: String,
        /// The community's id (or name).
        #[arg(long, value_name = "ID")]
        community: String,
        /// The moderator issuing it (one of your identities).
        #[arg(long = "as", value_name = "DID")]
        moderator: String,
        /// A note, of your choosing, added to the evidence.
        #[arg(long, value_name = "TEXT")]
        note: Option<String>,
        /// Valid until this date (YYYY-MM-DD, end of day UTC, or RFC 3339).
        #[arg(long, value_name = "DATE")]
        expires: Option<String>,
        #[command(flatten)]
        format: FormatArgs,
        /// Write it to this file (to hand to the person) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Moderator side: approve making a member a moderator (a VouchCredential with vouchedFor
    /// "moderator", to give to the desk).
    Approve {
        /// Your identity (a moderator).
        #[arg(long = "as", value_name = "DID")]
        moderator: String,
        /// The community's id.
        #[arg(long, value_name = "ID")]
        community: String,
        /// The community's name (default: as this wallet knows it).
        #[arg(long, value_name = "NAME")]
        name: Option<String>,
        /// The member to make a moderator.
        #[arg(long = "for", value_name = "DID")]
        member: String,
        #[command(flatten)]
        format: FormatArgs,
        /// Write it to this file (atomically) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
    /// Moderators.
    #[command(subcommand)]
    Moderator(ModeratorCommand),
    /// A member leaves: their membership credential is revoked.
    Leave {
        /// The community's id (or name).
        community: String,
        /// The member leaving.
        #[arg(long, value_name = "DID")]
        member: String,
    },
    /// Ban someone: their membership and humanity credentials from this community are revoked,
    /// and their requests and vouches refused from now on.
    Ban {
        /// The person to ban.
        did: String,
        /// The community's id (or name).
        #[arg(long, value_name = "ID")]
        community: String,
        /// The moderator banning (one of your identities).
        #[arg(long = "as", value_name = "DID")]
        moderator: String,
        /// Why (kept in the decision log).
        #[arg(long, value_name = "TEXT")]
        reason: String,
    },
}

/// `hallmark community vouches …`.
#[derive(Debug, Subcommand)]
pub enum VouchesCommand {
    /// Accept vouch files (all or none): each must be valid, for this community, from a current
    /// member who is not the person vouched for, and the first from that member for that person.
    Add {
        /// The vouch files.
        #[arg(required = true, value_name = "FILE")]
        files: Vec<PathBuf>,
        /// The community's id (or name).
        #[arg(long, value_name = "ID")]
        community: String,
        /// A voucher's status list credential, to check the vouch is not revoked (repeatable).
        #[arg(long = "status-list", value_name = "FILE")]
        status_lists: Vec<PathBuf>,
    },
}

/// `hallmark community moderator …`.
#[derive(Debug, Subcommand)]
pub enum ModeratorCommand {
    /// Make the member DID a moderator, with approval files from enough current moderators: a new
    /// membership credential (role moderator) is issued and the old one revoked.
    Add {
        /// The member.
        did: String,
        /// The community's id (or name).
        #[arg(long, value_name = "ID")]
        community: String,
        /// An approval file from a moderator (repeatable; approvals received before count too).
        #[arg(long = "approval", value_name = "FILE")]
        approvals: Vec<PathBuf>,
        /// The moderator issuing the new credential (one of your identities).
        #[arg(long = "as", value_name = "DID")]
        moderator: String,
        /// A status list credential of an approving moderator (repeatable).
        #[arg(long = "status-list", value_name = "FILE")]
        status_lists: Vec<PathBuf>,
        #[command(flatten)]
        format: FormatArgs,
        /// Write the new credential to this file (to hand to the member) instead of stdout.
        #[arg(long, value_name = "FILE")]
        out: Option<PathBuf>,
    },
}

/// Runs a `community` subcommand.
pub fn run(g: &Global, home: &Path, mode: KeyringMode, c: CommunityCommand) -> Result<Output, CliError> {
    let rt = runtime()?;
    match c {
        CommunityCommand::New { name, creator, vouches, moderator_approvals, format, out } => {
            let format = format_of(&format)?;
            let mut u = unlocked(g, home, mode)?;
            let made = rt.block_on(u.community_create(&name, &creator, vouches, moderator_approvals, format))?;
            let c = &made.community;
            let mut json = json!({"community": to_json(c), "credential_id": made.issued.held.id});
            if let Some(path) = &out {
                write_public_file(path, &made.issued.secured.to_text())?;
                json["path"] = json!(path.display().to_string());
            }
            let text = format!(
                "Created the community {}\n  Id:          {}\n  Moderator:   {}\n  Thresholds:  {} vouches for humanity, {} moderator approval(s) for a moderator\n  Your membership credential: {}{}\nInvite someone with `hallmark community invite {}`.",
                c.name,
                c.id,
                c.created_by,
                c.vouch_threshold,
                c.moderator_threshold,
                made.issued.held.id,
                out.map(|p| format!(" (written to {})", p.display())).unwrap_or_default(),
                c.id
            );
            Ok(Output::new(json, text))
        }
        CommunityCommand::List => {
            let all = Wallet::open(home, mode)?.communities()?;
            let mut text = String::new();
            if all.is_empty() {
                text.push_str("No communities yet. Create one with `hallmark community new NAME --as DID`.\n");
            }
            for s in &all {
                text.push_str(&format!(
                    "{}  {}\n  {} active member(s), {} moderator(s), {} pending request(s)\n",
                    s.community.id, s.community.name, s.active_members, s.moderators, s.pending_requests
                ));
            }
            Ok(Output::new(json!({"communities": to_json(&all)}), text))
        }
        CommunityCommand::Show { community } => {
            let d = Wallet::open(home, mode)?.community_details(&community)?;
            let mut t = format!(
                "{} ({})\n  created {} by {}\n  {} vouches make a HumanityCredential; {} moderator approval(s) make a moderator\n",
                d.community.name,
                d.community.id,
                d.community.created_at,
                d.community.created_by,
                d.community.vouch_threshold,
                d.community.moderator_threshold
            );
            t.push_str("Members:\n");
            for m in &d.members {
                t.push_str(&format!("  {:<9} {:<6} {}  since {}\n", m.role, m.state, m.did, m.since));
            }
            t.push_str(&format!("Pending requests ({}):\n", d.pending_requests.len()));
            for r in &d.pending_requests {
                t.push_str(&format!("  {}  from {}  received {}\n", r.id, r.holder, r.received_at));
            }
            t.push_str(&format!("Vouches ({}):\n", d.vouches.len()));
            for v in &d.vouches {
                let standing = match &v.why_not {
                    None => "counts".to_owned(),
                    Some(why) => format!("does not count: {why}"),
                };
                t.push_str(&format!(
                    "  {:<9} {} → {} ({standing})\n",
                    v.vouch.purpose, v.vouch.voucher, v.vouch.candidate
                ));
            }
            t.push_str("Decisions:\n");
            for x in &d.decisions {
                t.push_str(&format!(
                    "  #{} {} {:<15} by {}{}{}{}\n",
                    x.seq,
                    x.at,
                    x.action,
                    x.actor,
                    x.subject.as_deref().map(|s| format!(" about {s}")).unwrap_or_default(),
                    x.credential.as_deref().map(|c| format!(", issued {c}")).unwrap_or_default(),
                    if x.revoked.is_empty() { String::new() } else { format!(", revoked {}", x.revoked.join(" ")) }
                ));
            }
            Ok(Output::new(to_json(&d), t))
        }
        CommunityCommand::Invite { community, moderator } => {
            // Every decision is signed into the activity log: the wallet must be unlocked.
            let inv = unlocked(g, home, mode)?.wallet().community_invite(&community, moderator.as_deref())?;
            let text = format!(
                "Invitation to {}\n  challenge: {}\n  domain:    {}\nGive both to the candidate: `hallmark community request --as THEIR_DID --community {} --challenge {} --out request.json`",
                inv.name, inv.challenge, inv.domain, inv.domain, inv.challenge
            );
            Ok(Output::new(to_json(&inv), text))
        }
        CommunityCommand::Request { holder, community, challenge, include, format, out } => {
            let format = format_of(&format)?;
            let u = unlocked(g, home, mode)?;
            let vp = rt.block_on(u.community_request(&holder, &community, &challenge, &include, format))?;
            write_secured(&vp, out, "request", json!({}))
        }
        CommunityCommand::Receive { file, community, status_lists } => {
            let text = read_text(&file)?;
            let lists = read_lists(&status_lists)?;
            let r = rt.block_on(Wallet::open(home, mode)?.community_receive(&community, &text, lists))?;
            Ok(Output::new(
                to_json(&r),
                format!(
                    "Received request {} from {} (verified; pending). Admit it with `hallmark community admit {} --as MODERATOR_DID`, or reject it with `hallmark community reject {} --reason TEXT`.",
                    r.id, r.holder, r.id, r.id
                ),
            ))
        }
        CommunityCommand::Admit { request, community, moderator, role, format, out, status_lists } => {
            let format = format_of(&format)?;
            let lists = read_lists(&status_lists)?;
            let role = match role {
                RoleArg::Member => Role::Member,
                RoleArg::Moderator => Role::Moderator,
            };
            let file_text = if Path::new(&request).is_file() { Some(read_text(Path::new(&request))?) } else { None };
            let target = match (&file_text, &community) {
                (Some(text), Some(c)) => RequestRef::Presentation { community: c, text },
                (Some(_), None) => {
                    return Err(CliError::Usage("admitting a request file needs --community ID".into()));
                }
                (None, _) => RequestRef::Id(&request),
            };
            let mut u = unlocked(g, home, mode)?;
            let a = rt.block_on(u.community_admit(target, Some(&moderator), role, format, lists))?;
            let extra = json!({"request": to_json(&a.request), "member": to_json(&a.member)});
            let mut o = write_issued(&a.issued, out, extra)?;
            o.note = Some(format!(
                "Admitted {} (request {}): membership credential {}. Hand it to them.",
                a.member.did, a.request.id, a.issued.held.id
            ));
            Ok(o)
        }
        CommunityCommand::Reject { request, reason, moderator } => {
            let r = unlocked(g, home, mode)?.wallet().community_reject(&request, &reason, moderator.as_deref())?;
            Ok(Output::new(to_json(&r), format!("Rejected request {} from {}.", r.id, r.holder)))
        }
        CommunityCommand::Vouch { voucher, community, name, candidate, note, format, out } => {
            let format = format_of(&format)?;
            let mut u = unlocked(g, home, mode)?;
            let issued = rt.block_on(u.community_vouch(
                &voucher,
                &community,
                name.as_deref(),
                &candidate,
                VouchFor::Humanity,
                note.as_deref(),
                format,
            ))?;
            let mut o = write_issued(&issued, out, json!({}))?;
            o.note = Some(format!(
                "Vouched for {candidate} ({}). Give the file to the desk, with your status list (`hallmark cred status-list export --issuer {voucher} --out FILE`) so it can check you did not revoke it.",
                issued.held.id
            ));
            Ok(o)
        }
        CommunityCommand::Vouches(VouchesCommand::Add { files, community, status_lists }) => {
            let mut texts = Vec::new();
            for f in &files {
                texts.push(read_text(f)?);
            }
            let lists = read_lists(&status_lists)?;
            let u = unlocked(g, home, mode)?;
            let added = rt.block_on(u.wallet().community_add_vouches(&community, &texts, lists))?;
            let mut text = format!("Accepted {} vouch(es):\n", added.len());
            for v in &added {
                text.push_str(&format!("  {} vouches for {} ({})\n", v.voucher, v.candidate, v.purpose));
            }
            Ok(Output::new(json!({"added": to_json(&added)}), text))
        }
        CommunityCommand::Humanity { candidate, community, moderator, note, expires, format, out } => {
            let format = format_of(&format)?;
            let until = expires.as_deref().map(credential::parse_date).transpose().map_err(WalletError::from)?;
            let mut u = unlocked(g, home, mode)?;
            let h = rt.block_on(u.community_humanity(
                &candidate,
                &community,
                Some(&moderator),
                note.as_deref(),
                until.as_deref(),
                format,
            ))?;
            let vouchers: Vec<&str> = h.vouches.iter().map(|v| v.voucher.as_str()).collect();
            let mut o = write_issued(&h.issued, out, json!({"vouchers": vouchers}))?;
            o.note = Some(format!(
                "Issued {} a HumanityCredential ({}) on the vouches of {}.",
                candidate,
                h.issued.held.id,
                vouchers.join(", ")
            ));
            Ok(o)
        }
        CommunityCommand::Approve { moderator, community, name, member, format, out } => {
            let format = format_of(&format)?;
            let mut u = unlocked(g, home, mode)?;
            let issued = rt.block_on(u.community_vouch(
                &moderator,
                &community,
                name.as_deref(),
                &member,
                VouchFor::Moderator,
                None,
                format,
            ))?;
            let mut o = write_issued(&issued, out, json!({}))?;
            o.note = Some(format!(
                "Approved {member} as a moderator ({}). Give the file to the desk: `hallmark community moderator add {member} --community {community} --approval FILE --as MODERATOR_DID`.",
                issued.held.id
            ));
            Ok(o)
        }
        CommunityCommand::Moderator(ModeratorCommand::Add {
            did,
            community,
            approvals,
            moderator,
            status_lists,
            format,
            out,
        }) => {
            let format = format_of(&format)?;
            let mut texts = Vec::new();
            for f in &approvals {
                texts.push(read_text(f)?);
            }
            let lists = read_lists(&status_lists)?;
            let mut u = unlocked(g, home, mode)?;
            let p =
                rt.block_on(u.community_add_moderator(&did, &community, &texts, Some(&moderator), format, lists))?;
            let approvers: Vec<&str> = p.approvals.iter().map(|v| v.voucher.as_str()).collect();
            let extra = json!({
                "member": to_json(&p.member),
                "approvals": approvers,
                "revoked": to_json(&p.revocations.revoked),
                "status_lists": to_json(&p.revocations.status_lists),
            });
            let mut o = write_issued(&p.issued, out, extra)?;
            o.note = Some(format!(
                "{did} is now a moderator: new membership credential {}.{}",
                p.issued.held.id,
                revocation_text(&p.revocations)
            ));
            Ok(o)
        }
        CommunityCommand::Leave { community, member } => {
            let mut u = unlocked(g, home, mode)?;
            let d = rt.block_on(u.community_leave(&community, &member))?;
            Ok(departed(&d.member, &d.revocations, "left the community"))
        }
        CommunityCommand::Ban { did, community, moderator, reason } => {
            let mut u = unlocked(g, home, mode)?;
            let d = rt.block_on(u.community_ban(&did, &community, Some(&moderator), &reason))?;
            Ok(departed(&d.member, &d.revocations, "is banned"))
        }
    }
}

fn departed(member: &hallmark_core::store::MemberRecord, r: &Revocations, what: &str) -> Output {
    Output::new(
        json!({"member": to_json(member), "revoked": to_json(&r.revoked), "status_lists": to_json(&r.status_lists)}),
        format!("{} {what}.{}", member.did, revocation_text(r)),
    )
}

/// What was revoked, and where the changed status lists must go so that verifiers see it.
fn revocation_text(r: &Revocations) -> String {
    if r.revoked.is_empty() {
        return " Nothing was revoked.".into();
    }
    let ids: Vec<&str> = r.revoked.iter().map(|x| x.credential.as_str()).collect();
    let mut t = format!(" Revoked {}.", ids.join(", "));
    for l in &r.status_lists {
        t.push_str(&format!(
            "\nThe status list {} changed: publish it again so that verifiers see the revocation (`hallmark cred status-list export --issuer {} --out FILE`{}).",
            l.url,
            l.issuer,
            if l.url.starts_with("https://") { ", then serve it at that URL" } else { ", then give the file to verifiers" }
        ));
    }
    t
}

fn format_of(f: &FormatArgs) -> Result<Format, CliError> {
    match (f.format, f.cryptosuite) {
        (FormatArg::Di, None | Some(CryptosuiteArg::EddsaRdfc2022)) => Ok(Format::DataIntegrity(Suite::EddsaRdfc2022)),
        (FormatArg::Di, Some(CryptosuiteArg::EddsaJcs2022)) => Ok(Format::DataIntegrity(Suite::EddsaJcs2022)),
        (FormatArg::Jwt, None) => Ok(Format::Jwt),
        (FormatArg::Jwt, Some(_)) => Err(CliError::Usage("--cryptosuite is for --format di".into())),
    }
}

fn read_text(path: &Path) -> Result<String, CliError> {
    let meta = std::fs::metadata(path).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))?;
    if meta.len() > credential::MAX_INPUT_BYTES as u64 {
        return Err(WalletError::from(credential::CredentialError::TooLarge {
            size: meta.len() as usize,
            limit: credential::MAX_INPUT_BYTES,
        })
        .into());
    }
    std::fs::read_to_string(path).map_err(|e| CliError::Usage(format!("cannot read {}: {e}", path.display())))
}

fn read_lists(paths: &[PathBuf]) -> Result<Vec<Value>, CliError> {
    paths
        .iter()
        .map(|p| {
            serde_json::from_str(&read_text(p)?).map_err(|e| {
                WalletError::from(credential::CredentialError::Status(format!(
                    "{} is not a status list credential (JSON): {e}",
                    p.display()
                )))
                .into()
            })
        })
        .collect()
}

/// The document as JSON output: a Data Integrity object, or the JWT text.
fn secured_json(s: &Secured) -> Value {
    match s {
        Secured::Json(v) => v.clone(),
        Secured::Jwt(j) => Value::String(j.clone()),
    }
}

/// Writes a credential or presentation to `out`, or prints it; `extra` fields go in the JSON.
fn write_secured(s: &Secured, out: Option<PathBuf>, what: &str, extra: Value) -> Result<Output, CliError> {
    let mut json = extra;
    json[what] = secured_json(s);
    match out {
        Some(path) => {
            write_public_file(&path, &s.to_text())?;
            json["path"] = json!(path.display().to_string());
            Ok(Output::new(json, format!("Wrote the {what} to {}", path.display())))
        }
        None => Ok(Output::new(json, s.to_text())),
    }
}

fn write_issued(issued: &Issued, out: Option<PathBuf>, extra: Value) -> Result<Output, CliError> {
    let mut extra = extra;
    extra["credential_id"] = json!(issued.held.id);
    write_secured(&issued.secured, out, "credential", extra)
}
