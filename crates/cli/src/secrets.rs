//! Getting secrets from the person or the script: passphrases, the recovery phrase, and
//! the three-word check at `init`. Everything secret is held in `Zeroizing` buffers.

use std::io::{BufRead, IsTerminal, Read, Write};
use std::path::Path;

use hallmark_core::mnemonic::RecoveryPhrase;
use hallmark_core::vault::check_passphrase_strength;
use hallmark_core::WalletError;
use zeroize::Zeroizing;

use crate::CliError;

/// Environment variable holding the wallet passphrase for scripts.
pub const ENV_PASSPHRASE: &str = "HALLMARK_PASSPHRASE";
/// Environment variable holding the new passphrase for `hallmark passphrase`.
pub const ENV_NEW_PASSPHRASE: &str = "HALLMARK_NEW_PASSPHRASE";

/// True when a person is at a terminal to answer prompts.
pub fn interactive() -> bool {
    std::io::stdin().is_terminal() && std::io::stderr().is_terminal()
}

fn input_err(what: impl std::fmt::Display) -> CliError {
    CliError::Wallet(WalletError::PassphraseInput(what.to_string()))
}

/// Reads the first line of a passphrase file (without its line ending).
fn read_first_line(path: &Path) -> Result<Zeroizing<String>, CliError> {
    let mut all = Zeroizing::new(String::new());
    std::fs::File::open(path)
        .and_then(|mut f| f.read_to_string(&mut all))
        .map_err(|e| input_err(format!("{}: {e}", path.display())))?;
    let line = all.split('\n').next().unwrap_or("").trim_end_matches('\r');
    Ok(Zeroizing::new(line.to_string()))
}

fn from_env(name: &str) -> Option<Zeroizing<String>> {
    std::env::var(name).ok().filter(|v| !v.is_empty()).map(Zeroizing::new)
}

fn prompt_hidden(prompt: &str) -> Result<Zeroizing<String>, CliError> {
    rpassword::prompt_password(prompt).map(Zeroizing::new).map_err(input_err)
}

/// The passphrase of an existing wallet: `--passphrase-file`, then `HALLMARK_PASSPHRASE`,
/// then a hidden prompt on a terminal; otherwise "need a passphrase".
pub fn existing_passphrase(file: Option<&Path>) -> Result<Zeroizing<String>, CliError> {
    if let Some(f) = file {
        return read_first_line(f);
    }
    if let Some(p) = from_env(ENV_PASSPHRASE) {
        return Ok(p);
    }
    if interactive() {
        return prompt_hidden("Wallet passphrase: ");
    }
    Err(WalletError::NeedPassphrase.into())
}

/// A new passphrase: from `file`, then the environment variable `env`, then asked twice on a
/// terminal. It must pass the vault's strength check.
pub fn new_passphrase(file: Option<&Path>, env: &str, what: &str) -> Result<Zeroizing<String>, CliError> {
    let given = match file {
        Some(f) => Some(read_first_line(f)?),
        None => from_env(env),
    };
    if let Some(p) = given {
        check_passphrase_strength(&p).map_err(WalletError::from)?;
        return Ok(p);
    }
    if !interactive() {
        return Err(WalletError::NeedPassphrase.into());
    }
    for _ in 0..3 {
        let first = prompt_hidden(&format!("Choose {what} (at least 8 characters): "))?;
        if let Err(e) = check_passphrase_strength(&first) {
            eprintln!("{e}");
            continue;
        }
        let again = prompt_hidden(&format!("Type {what} again: "))?;
        if *first == *again {
            return Ok(first);
        }
        eprintln!("The two entries differ; try again.");
    }
    Err(input_err("no matching passphrase after three tries; nothing was changed"))
}

/// The recovery phrase for `restore`: all of stdin when it is not a terminal, else a hidden prompt.
pub fn recovery_phrase_input() -> Result<RecoveryPhrase, CliError> {
    let text = if std::io::stdin().is_terminal() {
        rpassword::prompt_password("Recovery phrase (words separated by spaces; input is hidden): ")
            .map(Zeroizing::new)
            .map_err(input_err)?
    } else {
        let mut s = Zeroizing::new(String::new());
        std::io::stdin().read_to_string(&mut s).map_err(input_err)?;
        s
    };
    Ok(RecoveryPhrase::parse(&text).map_err(WalletError::from)?)
}

/// Shows the phrase on the terminal's alternate screen (so it does not stay in the scrollback)
/// until the person presses Enter.
pub fn show_phrase(phrase: &RecoveryPhrase) -> Result<(), CliError> {
    let mut err = std::io::stderr().lock();
    let words = phrase.words();
    let mut screen = Zeroizing::new(String::new());
    screen.push_str("\x1b[?1049h\x1b[H\x1b[2J");
    screen.push_str("YOUR RECOVERY PHRASE\n\n");
    screen.push_str("Write these 24 words on paper, in order, and keep them somewhere safe.\n");
    screen.push_str("They are the only way to recover your wallet, and anyone who has them\n");
    screen.push_str("controls your identities. Hallmark will not show them again.\n\n");
    let rows = words.len().div_ceil(4);
    for r in 0..rows {
        for c in 0..4 {
            let i = c * rows + r;
            if let Some(w) = words.get(i) {
                screen.push_str(&format!("  {:>2}. {:<10}", i + 1, w));
            }
        }
        screen.push('\n');
    }
    screen.push_str("\nPress Enter when you have written them down.");
    err.write_all(screen.as_bytes()).map_err(input_err)?;
    err.flush().map_err(input_err)?;
    let mut line = Zeroizing::new(String::new());
    std::io::stdin().lock().read_line(&mut line).map_err(input_err)?;
    err.write_all(b"\x1b[2J\x1b[?1049l").map_err(input_err)?;
    err.flush().map_err(input_err)?;
    Ok(())
}

/// Shows the phrase, then asks for three random words back; shows it again after a wrong
/// answer, and gives up (creating nothing) after three rounds.
pub fn show_and_confirm(phrase: &RecoveryPhrase) -> Result<(), CliError> {
    for round in 0..3 {
        show_phrase(phrase)?;
        eprintln!("To check you wrote it down, type back three of the words (input is hidden).");
        let mut ok = true;
        for pos in phrase.quiz_positions(3).map_err(WalletError::from)? {
            let answer = prompt_hidden(&format!("Word #{pos}: "))?;
            if !phrase.check_word(pos, &answer) {
                eprintln!("That is not word #{pos}.");
                ok = false;
                break;
            }
        }
        if ok {
            eprintln!("Confirmed.");
            return Ok(());
        }
        if round < 2 {
            eprintln!("The phrase will be shown again.");
        }
    }
    Err(CliError::Aborted(
        "the words did not match the recovery phrase; no wallet was created — run `hallmark init` again".into(),
    ))
}
