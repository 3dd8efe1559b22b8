//! `hallmark cred …` and `hallmark trust …`: issue, hold, present, verify and revoke credentials.

use std::io::Read;
use std::path::{Path, PathBuf};

use hallmark_core::credential::verifier::{Report, VerifyOptions};
use hallmark_core::credential::{self, CredentialError, Format, HumanityMethod, Role, Secured, MAX_INPUT_BYTES};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::store::{now_rfc3339, HeldCredential};
use hallmark_core::vault::VaultError;
use hallmark_core::{Wallet, WalletError};
use serde_json::{json, Value};

use crate::args::{
    CheckArgs, CredCommand, CredKind, CryptosuiteArg, FormatArg, FormatArgs, Global, MethodOfCheck, RoleArg,
    StatusListCommand, TrustCommand,
};
use crate::commands::{pretty_json, runtime, to_json, unlocked, write_public_file};
use crate::{CliError, Output};

/// Runs a `cred` subcommand.
pub fn run(g: &Global, home: &Path, mode: KeyringMode, c: CredCommand) -> Result<Output, CliError> {
    match c {
        CredCommand::Issue {
            kind,
            issuer,
            subject,
            method,
            evidence,
            community,
            community_name,
            role,
            expires,
            format,
            out,
        } => {
            let format = format_of(&format)?;
            let unsigned =
                build(kind, &issuer, &subject, method, evidence.as_deref(), community, community_name, role, expires)?;
            let mut u = unlocked(g, home, mode)?;
            let issued = runtime()?.block_on(u.issue(unsigned, format))?;
            let note = format!(
                "Issued {} ({}). It is stored in your wallet; revoke it with `hallmark cred revoke {}`.",
                issued.held.id,
                kind_words(&issued.held.types),
                issued.held.id
            );
            let mut output = write_secured(&issued.secured, out, "credential")?;
            output.json["id"] = json!(issued.held.id);
            output.note = Some(note);
            Ok(output)
        }
        CredCommand::Verify { files, challenge, domain, check } => {
            if files.iter().filter(|f| f.as_path() == Path::new("-")).count() > 1 {
                return Err(CliError::Usage("stdin (-) can be read only once".into()));
            }
            let mut options = match Wallet::open(home, mode) {
                Ok(w) => w.verify_options(Vec::new())?,
                // A verifier needs no wallet; without one nothing is trusted.
                Err(WalletError::Vault(VaultError::NoWallet(_))) => VerifyOptions::default(),
                Err(e) => return Err(e.into()),
            };
            apply_check_args(&mut options, &check)?;
            options.challenge = challenge;
            options.domain = domain;
            if let [file] = files.as_slice() {
                let secured = Secured::parse(&read_input(file)?).map_err(WalletError::from)?;
                let report = runtime()?
                    .block_on(hallmark_core::credential::verifier::verify(&secured, &options))
                    .map_err(WalletError::from)?;
                let mut out = Output::new(to_json(&report), report_text(&report));
                out.exit = exit_for(&report);
                return Ok(out);
            }
            Ok(verify_files(&files, &options))
        }
        CredCommand::Import { file, check } => {
            let text = read_input(&file)?;
            let mut w = Wallet::open(home, mode)?;
            let lists = read_lists(&check)?;
            if check.offline || !check.did_docs.is_empty() {
                return Err(CliError::Usage(
                    "import checks with your wallet's knowledge; use --status-list (and `cred verify` for --offline/--did-doc)"
                        .into(),
                ));
            }
            let held = runtime()?.block_on(w.import_credential(&text, lists))?;
            Ok(Output::new(to_json(&held), held_text(&held)))
        }
        CredCommand::List => {
            let w = Wallet::open(home, mode)?;
            let all = w.credentials()?;
            let mut text = String::new();
            if all.is_empty() {
                text.push_str("No credentials yet. Add one with `hallmark cred import FILE`.\n");
            }
            for c in &all {
                text.push_str(&format!(
                    "{}  {:<9} {:<22} {}  from {}\n",
                    c.id,
                    if c.valid { "verified" } else { "NOT VALID" },
                    kind_words(&c.types),
                    if c.origin == "issued" { "issued by you" } else { "received" },
                    c.issuer
                ));
            }
            Ok(Output::new(json!({"credentials": to_json(&all)}), text))
        }
        CredCommand::Show { id, raw } => {
            let w = Wallet::open(home, mode)?;
            let held = w.credential(&id)?;
            if raw {
                let mut body = held.body.clone();
                body.push('\n');
                let doc = Secured::parse(&held.body).and_then(|s| s.document()).map_err(WalletError::from)?;
                return Ok(Output::new(
                    json!({"id": held.id, "format": held.format, "body": held.body, "credential": doc}),
                    body,
                ));
            }
            let mut v = to_json(&held);
            if let Ok(rec) = w.issued_record(&held.id) {
                v["revocation"] = to_json(&rec);
            }
            let mut text = held_text(&held);
            if let Some(rev) = v.get("revocation") {
                match rev.get("revoked_at").and_then(Value::as_str) {
                    Some(at) => text.push_str(&format!("  revoked by you on {at}\n")),
                    None => text.push_str(&format!(
                        "  revocable: index {} of your status list {}\n",
                        rev["status_index"],
                        rev["status_list_url"].as_str().unwrap_or_default()
                    )),
                }
            }
            Ok(Output::new(v, text))
        }
        CredCommand::Check { id, all: _, check } => {
            let mut w = Wallet::open(home, mode)?;
            let lists = read_lists(&check)?;
            let Some(id) = id else {
                let all = runtime()?.block_on(w.recheck_all(lists))?;
                return Ok(checked_all(all));
            };
            let (held, report) = runtime()?.block_on(w.recheck(&id, lists))?;
            let mut out = Output::new(to_json(&held), held_text(&held));
            out.exit = exit_for(&report);
            Ok(out)
        }
        CredCommand::Delete { id } => {
            let mut w = Wallet::open(home, mode)?;
            let held = w.delete_credential(&id)?;
            Ok(Output::new(json!({"deleted": held.id}), format!("Deleted {} ({}).", held.id, kind_words(&held.types))))
        }
        CredCommand::Present { holder, challenge, domain, format, out, credentials } => {
            let format = format_of(&format)?;
            let w = Wallet::open(home, mode)?;
            let mut secured = Vec::new();
            for c in &credentials {
                secured.push(credential_arg(&w, c)?);
            }
            drop(w);
            let u = unlocked(g, home, mode)?;
            let holder = hallmark_core::did::parse(&holder).map_err(WalletError::from)?.to_string();
            let vp = runtime()?.block_on(u.present(&holder, &secured, format, Some(&challenge), Some(&domain)))?;
            write_secured(&vp, out, "presentation")
        }
        CredCommand::Revoke { id, reason, out } => {
            let mut u = unlocked(g, home, mode)?;
            let (rec, list) = runtime()?.block_on(u.revoke(&id, reason.as_deref()))?;
            let mut text = format!(
                "Revoked {} (index {} of {}).\nPublish the new list so that verifiers see it: ",
                rec.credential, rec.status_index, rec.status_list_url
            );
            if let Some(path) = &out {
                write_public_file(path, &pretty_json(&list))?;
                text.push_str(&format!("it was written to {}.", path.display()));
            } else {
                text.push_str("`hallmark cred status-list export --out FILE`.");
            }
            if rec.status_list_url.starts_with("https://") || rec.status_list_url.starts_with("http://") {
                text.push_str(&format!(" It must be served at {}.", rec.status_list_url));
            } else {
                text.push_str(" Give that file to verifiers (`cred verify --status-list FILE`).");
            }
            Ok(Output::new(json!({"revoked": to_json(&rec), "status_list": list}), text))
        }
        CredCommand::StatusList(StatusListCommand::List) => {
            let w = Wallet::open(home, mode)?;
            let lists = w.status_lists()?;
            let mut text = String::new();
            if lists.is_empty() {
                text.push_str("No status lists yet: one is made when you first issue a credential.\n");
            }
            for l in &lists {
                text.push_str(&format!(
                    "{}\n  issuer {}  ({} bits, updated {})\n",
                    l.url, l.issuer, l.size, l.updated_at
                ));
            }
            let kept = w.kept_status_lists()?;
            if !kept.is_empty() {
                text.push_str("Other issuers' lists kept:\n");
            }
            for l in &kept {
                text.push_str(&format!(
                    "{}\n  issuer {}  (valid from {}, kept {})\n",
                    l.url,
                    l.issuer,
                    l.valid_from.as_deref().unwrap_or("-"),
                    l.stored_at
                ));
            }
            let kept_json: Vec<Value> = kept
                .iter()
                .map(
                    |l| json!({"url": l.url, "issuer": l.issuer, "valid_from": l.valid_from, "stored_at": l.stored_at}),
                )
                .collect();
            Ok(Output::new(json!({"status_lists": to_json(&lists), "kept": kept_json}), text))
        }
        CredCommand::StatusList(StatusListCommand::Add { file }) => {
            let list = read_json_file(&file, "the status list")?;
            let mut w = Wallet::open(home, mode)?;
            let kept = runtime()?.block_on(w.add_status_list(list))?;
            let text = format!("Kept the status list {} of {}.", kept.url, kept.issuer);
            Ok(Output::new(
                json!({"url": kept.url, "issuer": kept.issuer, "valid_from": kept.valid_from, "stored_at": kept.stored_at}),
                text,
            ))
        }
        CredCommand::StatusList(StatusListCommand::Export { url, issuer, out }) => {
            let w = Wallet::open(home, mode)?;
            let lists = w.status_lists()?;
            let chosen: Vec<_> = lists
                .iter()
                .filter(|l| {
                    url.as_deref().is_none_or(|u| l.url == u) && issuer.as_deref().is_none_or(|i| l.issuer == i)
                })
                .collect();
            let list = match chosen.as_slice() {
                [one] => *one,
                [] => {
                    return Err(CliError::Usage(
                        "no such status list; `hallmark cred status-list list` shows them".into(),
                    ))
                }
                _ => return Err(CliError::Usage("several status lists match: choose one with --url".into())),
            };
            let body = w.status_list_credential(&list.url)?;
            write_public_file(&out, &pretty_json(&body))?;
            let web = list.url.starts_with("https://") || list.url.starts_with("http://");
            Ok(Output::new(
                json!({"url": list.url, "issuer": list.issuer, "path": out.display().to_string()}),
                if web {
                    format!("Wrote {}. Publish it so that it is served at {}", out.display(), list.url)
                } else {
                    format!(
                        "Wrote {}. Its id is {}: give the file to verifiers (`cred verify --status-list FILE`).",
                        out.display(),
                        list.url
                    )
                },
            ))
        }
    }
}

/// Runs a `trust` subcommand.
pub fn trust(home: &Path, mode: KeyringMode, t: TrustCommand) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    match t {
        TrustCommand::Add { did, label } => {
            let did = w.trust(&did, label.as_deref())?;
            Ok(Output::new(json!({"trusted": did}), format!("You now trust credentials issued by {did}.")))
        }
        TrustCommand::Remove { did } => {
            let removed = w.untrust(&did)?;
            Ok(Output::new(
                json!({"removed": removed}),
                if removed {
                    format!("Removed {did} from your trust list.")
                } else {
                    format!("{did} was not in your trust list.")
                },
            ))
        }
        TrustCommand::List => {
            let list = w.trusted()?;
            let mut text = String::new();
            if list.is_empty() {
                text.push_str("Your trust list is empty. Add an issuer with `hallmark trust add DID`.\n");
            }
            for t in &list {
                text.push_str(&format!("{}  {}\n", t.did, t.label.clone().unwrap_or_default()));
            }
            Ok(Output::new(json!({"trusted": to_json(&list)}), text))
        }
    }
}

fn format_of(f: &FormatArgs) -> Result<Format, CliError> {
    let suite = f.cryptosuite.map(|c| match c {
        CryptosuiteArg::EddsaRdfc2022 => "eddsa-rdfc-2022",
        CryptosuiteArg::EddsaJcs2022 => "eddsa-jcs-2022",
    });
    let name = match f.format {
        FormatArg::Di => "di",
        FormatArg::Jwt => "jwt",
    };
    Format::parse(name, suite).map_err(|e| CliError::Usage(e.to_string()))
}

/// Reads a file, or stdin for `-`, refusing anything over the size limit before reading it all.
fn read_input(file: &Path) -> Result<String, CliError> {
    let unreadable = |e: std::io::Error| {
        WalletError::from(CredentialError::InvalidCredential(format!("cannot read {}: {e}", file.display())))
    };
    let mut bytes = Vec::new();
    let limit = (MAX_INPUT_BYTES + 1) as u64;
    if file == Path::new("-") {
        std::io::stdin().take(limit).read_to_end(&mut bytes).map_err(unreadable)?;
    } else {
        std::fs::File::open(file).and_then(|f| f.take(limit).read_to_end(&mut bytes)).map_err(unreadable)?;
    }
    if bytes.len() > MAX_INPUT_BYTES {
        return Err(WalletError::from(CredentialError::TooLarge { size: bytes.len(), limit: MAX_INPUT_BYTES }).into());
    }
    String::from_utf8(bytes).map_err(|_| {
        WalletError::from(CredentialError::InvalidCredential(format!("{} is not UTF-8 text", file.display()))).into()
    })
}

fn read_json_file(path: &Path, what: &str) -> Result<Value, CliError> {
    let text = read_input(path)?;
    serde_json::from_str(&text).map_err(|e| {
        WalletError::from(CredentialError::InvalidCredential(format!("{what} {} is not JSON: {e}", path.display())))
            .into()
    })
}

fn read_lists(check: &CheckArgs) -> Result<Vec<Value>, CliError> {
    check.status_lists.iter().map(|p| read_json_file(p, "the status list")).collect()
}

fn apply_check_args(options: &mut VerifyOptions, check: &CheckArgs) -> Result<(), CliError> {
    options.status_lists.extend(read_lists(check)?);
    for p in &check.did_docs {
        options.documents.push(read_json_file(p, "the DID document")?);
    }
    options.network = !check.offline;
    Ok(())
}

/// A credential named on the command line: a stored id, else a file.
fn credential_arg(w: &Wallet, arg: &str) -> Result<Secured, CliError> {
    let path = PathBuf::from(arg);
    if path.exists() {
        return Ok(Secured::parse(&read_input(&path)?).map_err(WalletError::from)?);
    }
    match w.credential(arg) {
        Ok(held) => Ok(Secured::parse(&held.body).map_err(WalletError::from)?),
        Err(WalletError::NoSuchCredential(_)) => Err(CliError::Usage(format!(
            "{arg:?} is neither a file nor the id of a stored credential (`hallmark cred list`)"
        ))),
        Err(e) => Err(e.into()),
    }
}

fn write_secured(secured: &Secured, out: Option<PathBuf>, what: &str) -> Result<Output, CliError> {
    let body = secured.to_text();
    let value = match secured {
        Secured::Json(v) => v.clone(),
        Secured::Jwt(j) => Value::String(j.clone()),
    };
    match out {
        Some(path) => {
            write_public_file(&path, &body)?;
            Ok(Output::new(
                json!({"path": path.display().to_string(), "format": secured.format_name(), what: value}),
                format!("Wrote the signed {what} to {}", path.display()),
            ))
        }
        None => Ok(Output::new(json!({"format": secured.format_name(), what: value}), body)),
    }
}

/// Plain words for a credential's types.
fn kind_words(types: &[String]) -> String {
    let words = types.iter().rev().find_map(|t| match t.as_str() {
        "HumanityCredential" => Some("humanity credential"),
        "CommunityMembershipCredential" => Some("membership credential"),
        "VouchCredential" => Some("vouch"),
        "BitstringStatusListCredential" => Some("status list"),
        _ => None,
    });
    words.map(str::to_owned).unwrap_or_else(|| types.last().cloned().unwrap_or_else(|| "credential".into()))
}

fn held_text(h: &HeldCredential) -> String {
    let mut text = format!(
        "{}  {} ({}, {})\n  issuer   {}\n  subject  {}\n",
        h.id,
        kind_words(&h.types),
        if h.origin == "issued" { "issued by you" } else { "received" },
        h.proof_suite,
        h.issuer,
        h.subject.clone().unwrap_or_else(|| "-".into())
    );
    if let Some(until) = &h.valid_until {
        text.push_str(&format!("  valid until {until}\n"));
    }
    text.push_str(&format!("  {} when checked on {}\n", if h.valid { "VALID" } else { "NOT VALID" }, h.checked_at));
    if let Some(checks) = h.checks.as_array() {
        for c in checks {
            text.push_str(&check_line(
                c["check"].as_str().unwrap_or_default(),
                c["result"].as_str().unwrap_or_default(),
                c["detail"].as_str().unwrap_or_default(),
                c["needs"].as_str(),
                "  ",
            ));
        }
    }
    text
}

fn check_line(check: &str, result: &str, detail: &str, needs: Option<&str>, indent: &str) -> String {
    let mark = match result {
        "passed" => "ok  ",
        "failed" => "FAIL",
        "not_applicable" => " n/a",
        _ => "  - ",
    };
    let hint = match needs {
        Some("status_list") => " (--status-list FILE)",
        Some("did_document") => " (--did-doc FILE)",
        _ => "",
    };
    format!("{indent}  {mark} {check:<11} {detail}{hint}\n")
}

fn report_text(r: &Report) -> String {
    let mut text = format!(
        "{} {} ({}, {})\n",
        if r.valid { "VALID" } else { "NOT VALID" },
        r.kind,
        kind_words(&r.types),
        r.proof_suite
    );
    for c in &r.checks {
        text.push_str(&check_line(c.check, c.result, &c.detail, c.needs, ""));
    }
    for (i, c) in r.credentials.iter().enumerate() {
        text.push_str(&format!(
            "  credential {} — {} {} from {}\n",
            i + 1,
            if c.valid { "valid" } else { "NOT VALID" },
            kind_words(&c.types),
            c.issuer.clone().unwrap_or_default()
        ));
        for check in &c.checks {
            text.push_str(&check_line(check.check, check.result, &check.detail, check.needs, "  "));
        }
    }
    text
}

/// The exit code of a verification report: 0 when valid, else that of its first failed check
/// (see the README): 10 proof, 11 issuer or holder, 12 validity period, 13 revoked or status
/// unknown, 14 challenge or domain, 15 holder is not the subject, 16 schema.
/// `cred check --all`: one line per credential and a count; the exit code of the first one not valid.
fn checked_all(all: Vec<(HeldCredential, Result<Report, CredentialError>)>) -> Output {
    let (mut results, mut text, mut exit, mut valid) = (Vec::new(), String::new(), 0u8, 0usize);
    let total = all.len();
    for (held, result) in all {
        let (entry, code) = match result {
            Ok(report) => {
                valid += usize::from(report.valid);
                let failed =
                    report.first_failure().map(|c| format!(" — {}: {}", c.check, c.detail)).unwrap_or_default();
                text.push_str(&format!(
                    "{}  {:<9}  {}{failed}\n",
                    held.id,
                    if report.valid { "VALID" } else { "NOT VALID" },
                    kind_words(&held.types)
                ));
                (json!({"credential": to_json(&held), "valid": report.valid}), exit_for(&report))
            }
            Err(e) => {
                let e = CliError::from(WalletError::from(e));
                text.push_str(&format!("{}  NOT CHECKED  {}: {e}\n", held.id, kind_words(&held.types)));
                let error = json!({"code": e.code(), "message": e.to_string()});
                (json!({"credential": to_json(&held), "valid": false, "error": error}), e.exit_code())
            }
        };
        if exit == 0 {
            exit = code;
        }
        results.push(entry);
    }
    text.push_str(&format!("{valid} of {total} valid\n"));
    let mut out = Output::new(json!({"results": results, "valid": valid, "not_valid": total - valid}), text);
    out.exit = exit;
    out
}

/// `cred verify` of several files: each read and verified (side by side, on all cores), each with
/// its own report or error; the exit code is that of the first file that is not valid.
fn verify_files(files: &[PathBuf], options: &VerifyOptions) -> Output {
    let read: Vec<Result<Secured, CliError>> = files
        .iter()
        .map(|f| read_input(f).and_then(|text| Secured::parse(&text).map_err(|e| WalletError::from(e).into())))
        .collect();
    let readable: Vec<Secured> = read.iter().filter_map(|r| r.as_ref().ok().cloned()).collect();
    let mut verified = hallmark_core::credential::verifier::verify_all(&readable, options).into_iter();
    let (mut results, mut text, mut exit, mut valid) = (Vec::new(), String::new(), 0u8, 0usize);
    for (file, input) in files.iter().zip(read) {
        let outcome = input.and_then(|_| {
            verified.next().expect("one result per readable file").map_err(|e| WalletError::from(e).into())
        });
        let name = file.display().to_string();
        let (entry, code) = match outcome {
            Ok(report) => {
                text.push_str(&format!("{name}: {}", report_text(&report)));
                valid += usize::from(report.valid);
                (json!({"file": name, "valid": report.valid, "report": to_json(&report)}), exit_for(&report))
            }
            Err(e) => {
                text.push_str(&format!("{name}: NOT CHECKED: {e}\n"));
                (
                    json!({"file": name, "valid": false, "error": {"code": e.code(), "message": e.to_string()}}),
                    e.exit_code(),
                )
            }
        };
        if exit == 0 {
            exit = code;
        }
        results.push(entry);
    }
    text.push_str(&format!("{valid} of {} valid\n", files.len()));
    let json = json!({"results": results, "valid": valid, "not_valid": files.len() - valid});
    let mut out = Output::new(json, text);
    out.exit = exit;
    out
}

pub fn exit_for(r: &Report) -> u8 {
    if r.valid {
        return 0;
    }
    // A presentation's "credentials" check only sums up its credentials' own failures.
    let own = r.checks.iter().find(|c| c.result == "failed" && c.check != "credentials");
    let first = own.or_else(|| r.credentials.iter().find_map(|c| c.first_failure()));
    match first.map(|c| c.check) {
        Some("proof") => 10,
        Some("issuer" | "holder") => 11,
        Some("validity") => 12,
        Some("status") => 13,
        Some("challenge" | "domain") => 14,
        Some("subject") => 15,
        Some("schema") => 16,
        _ => 1,
    }
}

#[allow(clippy::too_many_arguments)]
fn build(
    kind: CredKind,
    issuer: &str,
    subject: &str,
    method: MethodOfCheck,
    evidence: Option<&str>,
    community: Option<String>,
    community_name: Option<String>,
    role: RoleArg,
    expires: Option<String>,
) -> Result<Value, CliError> {
    let issuer = hallmark_core::did::parse(issuer).map_err(WalletError::from)?.to_string();
    let subject = hallmark_core::did::parse(subject).map_err(WalletError::from)?.to_string();
    let until = expires.as_deref().map(credential::parse_date).transpose().map_err(WalletError::from)?;
    let now = now_rfc3339();
    Ok(match kind {
        CredKind::Humanity => {
            if community.is_some() || community_name.is_some() {
                return Err(CliError::Usage("--community is for --type membership".into()));
            }
            let method = match method {
                MethodOfCheck::InPerson => HumanityMethod::InPerson,
                MethodOfCheck::VideoCall => HumanityMethod::VideoCall,
            };
            credential::humanity_credential(&issuer, &subject, method, evidence, &now, until.as_deref())
        }
        CredKind::Membership => {
            let id = community.ok_or_else(|| CliError::Usage("--type membership needs --community ID".into()))?;
            let name = community_name.unwrap_or_else(|| id.clone());
            let role = match role {
                RoleArg::Member => Role::Member,
                RoleArg::Moderator => Role::Moderator,
            };
            credential::membership_credential(&issuer, &subject, &id, &name, role, &now, until.as_deref())
        }
    })
}
