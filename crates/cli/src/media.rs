//! `hallmark sign`, `hallmark verify` and `hallmark find`: content credentials (C2PA) for
//! photos, videos, audio and PDFs. Signing is a resumable batch in core
//! ([`UnlockedWallet::sign_media`](hallmark_core::UnlockedWallet::sign_media)); here are the
//! progress bar, Ctrl-C, the summary and the provenance card.

use std::io::IsTerminal;
use std::path::Path;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use hallmark_core::keystore::KeyringMode;
use hallmark_core::manifest::{self, AiDisclosure, Finding, IngredientSummary, ManifestSummary, Verdict, VerifyReport};
use hallmark_core::vault::VaultError;
use hallmark_core::wallet::attest::Lookup;
use hallmark_core::wallet::{
    verify_media, BatchReport, FailedItem, FindReport, KeyBinding, MediaVerification, SignEvent, SignJob, SignOutput,
};
use hallmark_core::{did, Wallet, WalletError};
use indicatif::{ProgressBar, ProgressDrawTarget, ProgressStyle};
use serde::Serialize;

use crate::args::{Global, SignArgs};
use crate::attest;
use crate::commands::{runtime, to_json, unlocked};
use crate::{CliError, Output};

/// `sign`: some files could not be signed (the others were).
pub const EXIT_SOME_FAILED: u8 = 9;
/// `verify`: the content credentials are invalid (changed after signing, forged, damaged).
pub const EXIT_INVALID: u8 = 17;
/// `verify` (error `no_manifest`): the file has no content credentials.
pub const EXIT_NO_MANIFEST: u8 = 18;
/// `find`: no signed original was found.
pub const EXIT_NOT_FOUND: u8 = 19;
/// `sign`: stopped by Ctrl-C (or SIGTERM) before the end; a rerun resumes.
pub const EXIT_CANCELLED: u8 = 130;

/// Signs a batch: progress on a terminal, Ctrl-C stops it cleanly, a summary at the end.
pub fn sign(g: &Global, home: &Path, mode: KeyringMode, a: SignArgs) -> Result<Output, CliError> {
    // Refuse a bad action before asking for the passphrase.
    let action = match &a.action {
        Some(name) => Some(manifest::validate_action(name).map_err(WalletError::from)?.to_string()),
        None => None,
    };
    let output = match (&a.out, a.sidecar) {
        (Some(dir), _) => SignOutput::Dir(dir.clone()),
        (None, true) => SignOutput::Sidecar,
        (None, false) => SignOutput::Beside,
    };
    let job = SignJob {
        inputs: a.inputs,
        signer: a.signer,
        output,
        title: a.title,
        ai_generated: a.ai_generated,
        allow_training: a.allow_training,
        parent: a.parent,
        action,
        workers: a.jobs.map(usize::from),
    };
    let mut u = unlocked(g, home, mode)?;

    let cancel = Arc::new(AtomicBool::new(false));
    let bar: Arc<Mutex<Option<ProgressBar>>> = Arc::new(Mutex::new(None));
    {
        let (cancel, bar) = (cancel.clone(), bar.clone());
        ctrlc::set_handler(move || {
            let again = cancel.swap(true, Ordering::SeqCst);
            let line = if again {
                "Still stopping: waiting for the files being signed to finish (nothing partial is left)."
            } else {
                "Stopping: the files being signed are finished first, the others are left for a rerun."
            };
            match bar.lock().ok().and_then(|b| b.clone()) {
                Some(b) => {
                    b.set_message("stopping…");
                    b.println(line);
                }
                None => eprintln!("{line}"),
            }
        })
        .map_err(|e| CliError::Aborted(format!("could not watch for Ctrl-C: {e}")))?;
    }

    let show_bar = std::io::stderr().is_terminal();
    let json = g.json;
    let mut to_sign = 0usize;
    let mut finished = 0usize;
    let mut progress = |event: &SignEvent| {
        let current = bar.lock().ok().and_then(|b| b.clone());
        match event {
            SignEvent::Started { resumed, total, already_done, to_sign: n, bytes, .. } => {
                to_sign = *n;
                if *resumed && !json {
                    let line = format!(
                        "Resuming an interrupted run of this batch: {already_done} of {total} files were signed before; signing the other {n}."
                    );
                    eprintln!("{line}");
                }
                if show_bar && *n > 0 {
                    let b = ProgressBar::with_draw_target(Some(*bytes), ProgressDrawTarget::stderr());
                    b.set_style(
                        ProgressStyle::with_template(
                            "{spinner} {msg} [{wide_bar}] {binary_bytes}/{binary_total_bytes} {elapsed} (about {eta} left)",
                        )
                        .unwrap_or_else(|_| ProgressStyle::default_bar())
                        .progress_chars("=> "),
                    );
                    b.set_message(format!("0/{n} files"));
                    b.enable_steady_tick(Duration::from_millis(200));
                    if let Ok(mut slot) = bar.lock() {
                        *slot = Some(b);
                    }
                }
            }
            SignEvent::Signed(item) => {
                finished += 1;
                if let Some(b) = current {
                    b.inc(file_size(&item.input));
                    b.set_message(count_words(finished, to_sign, &cancel));
                }
            }
            SignEvent::Failed(f) => {
                finished += 1;
                let line = format!("failed: {}", failure_words(f));
                match current {
                    Some(b) => {
                        b.inc(file_size(&f.input));
                        b.set_message(count_words(finished, to_sign, &cancel));
                        b.println(line);
                    }
                    None if !json => eprintln!("{line}"),
                    None => {}
                }
            }
        }
    };
    let result = u.sign_media(&job, &cancel, &mut progress);
    if let Some(b) = bar.lock().ok().and_then(|mut b| b.take()) {
        b.finish_and_clear();
    }
    let report = result?;
    let mut out = Output::new(to_json(&report), sign_summary(&report, &job));
    out.exit = if report.cancelled {
        EXIT_CANCELLED
    } else if !report.failed.is_empty() {
        EXIT_SOME_FAILED
    } else {
        0
    };
    Ok(out)
}

/// The progress bar's message: files done, and whether the batch is stopping.
fn count_words(finished: usize, to_sign: usize, cancel: &AtomicBool) -> String {
    if cancel.load(Ordering::SeqCst) {
        format!("stopping… {finished}/{to_sign} files")
    } else {
        format!("{finished}/{to_sign} files")
    }
}

/// "INPUT: what went wrong (code)", naming the input once even when the message names it.
fn failure_words(f: &FailedItem) -> String {
    if f.message.contains(&f.input) {
        format!("{} ({})", f.message, f.code)
    } else {
        format!("{}: {} ({})", f.input, f.message, f.code)
    }
}

fn file_size(path: &str) -> u64 {
    std::fs::metadata(path).map(|m| m.len()).unwrap_or(0)
}

/// The end-of-batch summary for people.
fn sign_summary(r: &BatchReport, job: &SignJob) -> String {
    let mut t = String::new();
    let seconds = r.elapsed_ms as f64 / 1000.0;
    t.push_str(&format!(
        "Signed {} of {} file{} as {} ({:.1} MB in {seconds:.1} s).\n",
        r.signed.len(),
        r.total,
        if r.total == 1 { "" } else { "s" },
        job.signer,
        r.bytes as f64 / 1_000_000.0,
    ));
    const LISTED: usize = 10;
    for item in r.signed.iter().take(LISTED) {
        t.push_str(&format!("  {} → {}\n", item.input, item.output));
    }
    if r.signed.len() > LISTED {
        t.push_str(&format!("  … and {} more (--json lists them all)\n", r.signed.len() - LISTED));
    }
    if !r.skipped.is_empty() {
        t.push_str(&format!("Skipped {}: already signed by an earlier run of this batch.\n", r.skipped.len()));
    }
    if !r.failed.is_empty() {
        t.push_str(&format!("Failed {}:\n", r.failed.len()));
        for f in &r.failed {
            t.push_str(&format!("  {}\n", failure_words(f)));
        }
    }
    if r.not_started > 0 {
        t.push_str(&format!("Not started: {} (the batch was stopped).\n", r.not_started));
    }
    if r.cancelled {
        t.push_str(
            "Stopped before the end; every file written is complete. Run the same command again to resume: \
             the files signed are skipped and the rest are signed.\n",
        );
    } else if !r.failed.is_empty() {
        t.push_str("Fix or remove the files that failed and run the same command again: only they are tried again.\n");
    } else {
        t.push_str("Check one with `hallmark verify FILE`.\n");
    }
    t
}

/// What `hallmark verify` reports: the file and its verification. Field names are stable
/// (`--json`).
#[derive(Debug, Serialize)]
struct Verification {
    /// The file checked.
    file: String,
    /// The verification report, `trust` and `humanity_check`, flattened.
    #[serde(flatten)]
    verification: MediaVerification,
    /// The file's attestations: this wallet's, and with `--network` the chain's (null when
    /// there is no wallet and no network).
    attestations: Option<Lookup>,
}

/// Verifies the file: the C2PA checks, whether the DID named really signed (an impostor is
/// invalid), and — with the wallet in the data folder, if there is one — whether it is trusted.
/// No wallet is needed.
/// With `network`, the chain's attestations of the file are looked up too.
fn verification(home: &Path, mode: KeyringMode, file: &Path, network: Option<&str>) -> Result<Verification, CliError> {
    let wallet = match Wallet::open(home, mode) {
        Ok(w) => Some(w),
        Err(WalletError::Vault(VaultError::NoWallet(_))) => None,
        Err(e) => return Err(e.into()),
    };
    // A network that does not exist is refused before anything is checked.
    let network = match network {
        Some(name) => Some(attest::network_named(home, name)?),
        None => None,
    };
    let rt = runtime()?;
    let verification = rt.block_on(verify_media(wallet.as_ref(), file, did::DEFAULT_RESOLVE_TIMEOUT))?;
    let attestations = rt.block_on(attest::file_attestations(wallet.as_ref(), file, network.as_ref()))?;
    Ok(Verification { file: file.display().to_string(), verification, attestations })
}

/// `hallmark verify FILE [--network N]`: the provenance card, and the file's attestations.
pub fn verify(home: &Path, mode: KeyringMode, file: &Path, network: Option<&str>) -> Result<Output, CliError> {
    let v = verification(home, mode, file, network)?;
    let r = &v.verification.report;
    let mut text = card(&v.file, r, &v.verification);
    if let Some(lookup) = &v.attestations {
        text.push_str(&attest::lookup_card_lines(lookup));
    }
    let mut out = Output::new(to_json(&v), text);
    out.exit = if r.verdict == Verdict::Invalid { EXIT_INVALID } else { 0 };
    Ok(out)
}

const UNTRUSTED: &str = "signingCredential.untrusted";

/// The provenance card for people.
fn card(file: &str, r: &VerifyReport, v: &MediaVerification) -> String {
    let mut t = format!("Content credentials of {file}");
    if r.sidecar {
        t.push_str(" (from the .c2pa file beside it)");
    }
    t.push('\n');
    // The untrusted signer is the verdict's business, not a problem of its own; for an invalid
    // file the reason is the first real problem.
    let untrusted = r.failures.iter().any(|f| f.code == UNTRUSTED);
    let problems: Vec<&Finding> = r.failures.iter().filter(|f| f.code != UNTRUSTED).collect();
    match r.verdict {
        Verdict::Valid => t.push_str("Verdict:   VALID: signed by a signer you trust, and nothing changed since.\n"),
        Verdict::UntrustedSigner => {
            t.push_str("Verdict:   SIGNED, BUT THE SIGNER IS NOT IN ANY TRUST LIST.\n");
            t.push_str(
                "           The signature is genuine and nothing changed since signing, but the signer vouched\n           \
                 for themselves: decide whether you trust the signer named below.\n",
            );
        }
        Verdict::Invalid => {
            let why =
                problems.first().copied().or(r.failures.first()).map_or("a check failed", |f| f.explanation.as_str());
            t.push_str(&format!("Verdict:   INVALID: {why}\n"));
        }
    }
    if let Some(m) = &r.manifest {
        manifest_lines(&mut t, m, "");
        if !m.ingredients.is_empty() {
            t.push_str("Made from:\n");
            for i in &m.ingredients {
                ingredient_lines(&mut t, i, 1);
            }
        }
    }
    let trust = &v.trust;
    match (trust.key, trust.trusted) {
        (KeyBinding::DoesNotMatch, _) => t.push_str(&format!("Trust:     NONE: {}.\n", trust.why)),
        (_, true) => t.push_str(&format!("Trust:     you trust this signer: {}.\n", trust.why)),
        (_, false) => t.push_str(&format!("Trust:     not trusted: {}.\n", trust.why)),
    }
    if let Some(h) = &v.humanity_check {
        let issuer = h.issuer.as_deref().unwrap_or("an unknown issuer");
        let line = match (h.valid, h.about_the_signer) {
            (_, false) => format!("a humanity credential is attached, but it is about someone else (from {issuer})"),
            (false, true) => format!(
                "a humanity credential from {issuer} is attached, but it is not valid: {}",
                h.problem.as_deref().unwrap_or("a check failed")
            ),
            (true, true) if h.issuer_trusted => format!("yes, from {issuer} (an issuer you trust)"),
            (true, true) => format!("yes, from {issuer} (an issuer you do not know)"),
        };
        t.push_str(&format!("Humanity:  {line}\n"));
    }
    if !problems.is_empty() {
        t.push_str("Problems:\n");
        for f in problems {
            t.push_str(&format!("  - {} ({})\n", f.explanation, f.code));
            if let Some(d) = &f.detail {
                t.push_str(&format!("    detail: {d}\n"));
            }
        }
        if untrusted {
            t.push_str(&format!("  - Besides, the signer is not in any trust list ({UNTRUSTED}).\n"));
        }
    }
    t
}

fn manifest_lines(t: &mut String, m: &ManifestSummary, pad: &str) {
    let s = &m.signer;
    let name = s.common_name.as_deref().or(s.organization.as_deref());
    let signer = match (&s.did, name) {
        (Some(did), Some(n)) => format!("{n} ({did})"),
        (Some(did), None) => did.clone(),
        (None, Some(n)) => format!("{n} (no DID in the certificate)"),
        (None, None) => "unknown".into(),
    };
    t.push_str(&format!("{pad}Signer:    {signer}\n"));
    if let Some(issuer) = &s.issuer {
        t.push_str(&format!("{pad}           certificate issued by {issuer}\n"));
    }
    match &m.signed_at {
        Some(at) if m.time_stamped => t.push_str(&format!("{pad}Signed:    {at} (trusted time stamp)\n")),
        Some(at) => t.push_str(&format!("{pad}Signed:    {at} (the signer's own clock; no trusted time stamp)\n")),
        None => t.push_str(&format!("{pad}Signed:    time not stated\n")),
    }
    if let Some(title) = &m.title {
        t.push_str(&format!("{pad}Title:     {title}\n"));
    }
    if !m.authors.is_empty() {
        t.push_str(&format!("{pad}Author:    {}\n", m.authors.join(", ")));
    }
    if m.actions.is_empty() {
        t.push_str(&format!("{pad}Actions:   none stated\n"));
    }
    for (n, a) in m.actions.iter().enumerate() {
        let label = if n == 0 { "Actions:" } else { "" };
        let mut line = a.action.clone();
        if let Some(src) = &a.digital_source_type {
            line.push_str(&format!(" (source: {src})"));
        }
        if let Some(agent) = &a.software_agent {
            line.push_str(&format!(" with {agent}"));
        }
        t.push_str(&format!("{pad}{label:<11}{line}\n"));
    }
    t.push_str(&format!("{pad}AI:        {}\n", ai_words(m.ai, m.ai_in_history)));
    let training = match &m.training {
        None => "not stated".to_string(),
        Some(p) => {
            let entries: Vec<String> = p.entries.iter().map(|(k, v)| format!("{k}: {v}")).collect();
            let verdict = if p.restricted { "NOT allowed without permission" } else { "allowed" };
            format!("{verdict} ({})", entries.join(", "))
        }
    };
    t.push_str(&format!("{pad}AI training and data mining: {training}\n"));
}

fn ai_words(own: AiDisclosure, history: AiDisclosure) -> String {
    let words = |a: AiDisclosure| match a {
        AiDisclosure::None => "not declared as made with AI",
        AiDisclosure::Generated => "GENERATED BY AI",
        AiDisclosure::Composite => "made partly with generative AI",
        AiDisclosure::Algorithmic => "made by a (non-AI) algorithm",
    };
    if own == AiDisclosure::None && history != AiDisclosure::None {
        return format!("this version: {}; an earlier version: {}", words(own), words(history));
    }
    words(own).to_string()
}

fn ingredient_lines(t: &mut String, i: &IngredientSummary, depth: usize) {
    let pad = "  ".repeat(depth);
    let title = i.title.as_deref().unwrap_or("(untitled)");
    let relation = match i.relationship.as_str() {
        "parentOf" => "parent",
        "componentOf" => "component",
        "inputTo" => "input",
        other => other,
    };
    let state = match i.verdict {
        Some(Verdict::Valid) => "checked valid when added",
        Some(Verdict::UntrustedSigner) => "signature checked when added; signer in no trust list",
        Some(Verdict::Invalid) => "INVALID when added",
        None if i.manifest.is_some() => "not checked",
        None => "no content credentials",
    };
    let format = i.format.as_deref().map(|f| format!(", {f}")).unwrap_or_default();
    t.push_str(&format!("{pad}- {title} ({relation}{format}): {state}\n"));
    for f in &i.failures {
        if f.code != UNTRUSTED {
            t.push_str(&format!("{pad}  problem: {} ({})\n", f.explanation, f.code));
        }
    }
    if let Some(m) = &i.manifest {
        manifest_lines(t, m, &format!("{pad}  "));
        for sub in &m.ingredients {
            ingredient_lines(t, sub, depth + 1);
        }
    }
}

/// `hallmark find FILE`.
pub fn find(home: &Path, mode: KeyringMode, file: &Path) -> Result<Output, CliError> {
    let w = Wallet::open(home, mode)?;
    let report = w.find_media(file)?;
    let mut out = Output::new(to_json(&report), find_text(&report));
    if report.matches.is_empty() {
        out.exit = EXIT_NOT_FOUND;
    }
    Ok(out)
}

fn find_text(r: &FindReport) -> String {
    if r.matches.is_empty() {
        return format!(
            "No signed original found for {}: this wallet signed nothing that is this file, its original, or the same picture.\n",
            r.file
        );
    }
    let n = r.matches.len();
    let mut t = format!("{n} signed original{} found for {}:\n", if n == 1 { "" } else { "s" }, r.file);
    for m in &r.matches {
        let how = match m.how {
            "same_file" => "this very file is the signed copy".to_string(),
            "original" => "this file is the unsigned original of a signed copy".to_string(),
            _ => format!(
                "the same picture (re-encoded, resized or stripped; {} of 64 bits differ, up to {} count as the same)",
                m.distance, r.max_distance
            ),
        };
        let s = &m.signed;
        t.push_str(&format!("- {how}\n"));
        t.push_str(&format!("  signed by {} on {}\n", s.signer, s.signed_at));
        if let Some(title) = &s.title {
            t.push_str(&format!("  title:  {title}\n"));
        }
        let present = if m.output_present { "still there" } else { "moved, changed or deleted since" };
        t.push_str(&format!("  signed file: {} ({present})\n", s.output_path));
    }
    t
}

#[cfg(test)]
mod tests {
    use super::*;

    fn job() -> SignJob {
        SignJob {
            inputs: vec!["shoot".into()],
            signer: "did:key:z6MkTest".into(),
            output: SignOutput::Beside,
            title: None,
            ai_generated: false,
            allow_training: false,
            parent: None,
            action: None,
            workers: None,
        }
    }

    fn report() -> BatchReport {
        BatchReport {
            batch: 1,
            resumed: true,
            total: 5,
            signed: Vec::new(),
            skipped: vec!["/p/a.jpg".into()],
            failed: vec![FailedItem {
                input: "/p/b.jpg".into(),
                code: "truncated".into(),
                message: "b.jpg is cut short".into(),
            }],
            not_started: 3,
            cancelled: true,
            bytes: 0,
            elapsed_ms: 1500,
        }
    }

    #[test]
    fn a_stopped_batch_says_what_was_done_and_how_to_resume() {
        let t = sign_summary(&report(), &job());
        assert!(t.starts_with("Signed 0 of 5 files as did:key:z6MkTest"), "{t}");
        assert!(t.contains("Skipped 1: already signed by an earlier run"), "{t}");
        assert!(t.contains("Failed 1:\n  /p/b.jpg: b.jpg is cut short (truncated)"), "{t}");
        assert!(t.contains("Not started: 3"), "{t}");
        assert!(t.contains("Run the same command again to resume"), "{t}");
    }

    #[test]
    fn a_batch_with_failures_says_only_they_are_retried() {
        let r = BatchReport { cancelled: false, not_started: 0, ..report() };
        let t = sign_summary(&r, &job());
        assert!(!t.contains("Not started") && !t.contains("to resume"), "{t}");
        assert!(t.contains("only they are tried again"), "{t}");
    }
}
