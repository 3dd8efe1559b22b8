//! `hallmark cred …`: issue and verify credentials.

use std::path::{Path, PathBuf};

use hallmark_core::credential::{self, HumanityMethod, Role};
use hallmark_core::keystore::KeyringMode;
use hallmark_core::store::now_rfc3339;
use hallmark_core::WalletError;
use serde_json::{json, Value};

use crate::args::{CredCommand, CredKind, Global, MethodOfCheck, RoleArg};
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
            out,
        } => {
            let unsigned =
                build(kind, &issuer, &subject, method, evidence.as_deref(), community, community_name, role, expires)?;
            let u = unlocked(g, home, mode)?;
            let signed = runtime()?.block_on(u.issue_credential(&issuer, unsigned))?;
            write_or_print(signed, out)
        }
        CredCommand::Verify { file } => verify(&file),
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

fn write_or_print(signed: Value, out: Option<PathBuf>) -> Result<Output, CliError> {
    let body = pretty_json(&signed);
    match out {
        Some(path) => {
            write_public_file(&path, &body)?;
            Ok(Output::new(
                json!({"path": path.display().to_string(), "credential": signed}),
                format!("Wrote the signed credential to {}", path.display()),
            ))
        }
        None => Ok(Output::new(signed, body)),
    }
}

fn verify(file: &Path) -> Result<Output, CliError> {
    let text = std::fs::read_to_string(file).map_err(|e| {
        WalletError::from(credential::CredentialError::InvalidCredential(format!(
            "cannot read {}: {e}",
            file.display()
        )))
    })?;
    let vc: Value = serde_json::from_str(&text).map_err(|e| {
        WalletError::from(credential::CredentialError::InvalidCredential(format!(
            "{} is not JSON: {e}",
            file.display()
        )))
    })?;
    let report = runtime()?.block_on(credential::verify(&vc)).map_err(WalletError::from)?;
    let checks = report.checks();
    let mut lines = String::from(if report.is_valid() { "VALID credential\n" } else { "NOT VALID\n" });
    for c in &checks {
        let mark = match c.result {
            "passed" => "ok  ",
            "failed" => "FAIL",
            _ => "  - ",
        };
        lines.push_str(&format!("  {mark} {:<9} {}\n", c.check, c.detail));
    }
    let mut out =
        Output::new(json!({"valid": report.is_valid(), "issuer": report.issuer, "checks": to_json(&checks)}), lines);
    out.exit = if report.is_valid() { 0 } else { 1 };
    Ok(out)
}
