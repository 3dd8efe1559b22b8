//! The interactive paths, in a real pseudo-terminal: `init` shows the phrase once and asks three
//! words back; passphrases are asked twice; `restore` asks for the phrase.

mod common;

use std::process::Command;

use common::*;

const TIMEOUT_MS: Option<u64> = Some(60_000);

fn hallmark_in_pty(home: &Home, args: &[&str]) -> rexpect::session::PtySession {
    let mut cmd = Command::new(assert_cmd::cargo::cargo_bin("hallmark"));
    cmd.args(args)
        .env("HALLMARK_HOME", &home.path)
        .env("HALLMARK_KEYRING", "none")
        .env_remove("HALLMARK_PASSPHRASE")
        .env_remove("RUST_LOG");
    rexpect::session::spawn_command(cmd, TIMEOUT_MS).unwrap()
}

fn choose_passphrase(p: &mut rexpect::session::PtySession) {
    p.exp_string("Choose a wallet passphrase").unwrap();
    p.send_line("short").unwrap();
    p.exp_string("at least 8 characters").unwrap();
    p.exp_string("Choose a wallet passphrase").unwrap();
    p.send_line(PASS).unwrap();
    p.exp_string("again").unwrap();
    p.send_line(PASS).unwrap();
}

/// Reads the phrase screen and returns the 24 words in order.
fn read_phrase_screen(p: &mut rexpect::session::PtySession) -> Vec<String> {
    p.exp_string("YOUR RECOVERY PHRASE").unwrap();
    let screen = p.exp_string("Press Enter when you have written them down.").unwrap();
    let re = regex_lite_words(&screen);
    assert_eq!(re.len(), 24, "{screen}");
    re
}

/// Picks "N. word" pairs off the screen and orders them by N.
fn regex_lite_words(screen: &str) -> Vec<String> {
    let tokens: Vec<&str> = screen.split_whitespace().collect();
    let mut words: Vec<(usize, String)> = tokens
        .windows(2)
        .filter_map(|w| {
            let n = w[0].strip_suffix('.')?.parse::<usize>().ok()?;
            let word = w[1].trim_matches(|c: char| !c.is_ascii_lowercase());
            (!word.is_empty()).then(|| (n, word.to_string()))
        })
        .collect();
    words.sort();
    words.dedup();
    words.into_iter().map(|(_, w)| w).collect()
}

fn answer_quiz(p: &mut rexpect::session::PtySession, words: &[String], correct: bool) {
    p.exp_string("type back three of the words").unwrap();
    for _ in 0..3 {
        let (_, asked) = p.exp_regex(r"Word #\d+: ").unwrap();
        let n: usize = asked.trim_start_matches("Word #").trim_end_matches(": ").parse().unwrap();
        if correct {
            p.send_line(&words[n - 1].to_uppercase()).unwrap();
        } else {
            p.send_line("wrong").unwrap();
            p.exp_string(&format!("That is not word #{n}.")).unwrap();
            return;
        }
    }
}

#[test]
fn init_on_a_terminal_shows_the_phrase_and_checks_three_words() {
    let home = Home::new();
    let mut p = hallmark_in_pty(&home, &["init"]);
    choose_passphrase(&mut p);
    let words = read_phrase_screen(&mut p);
    p.send_line("").unwrap();
    answer_quiz(&mut p, &words, true);
    p.exp_string("Confirmed.").unwrap();
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("Wallet created"), "{rest}");
    assert!(home.path.join("vault.json").exists());
    // The phrase on screen is the wallet's: restoring it elsewhere gives the same account.
    let status = run_json(home.cmd(), &["status"]);
    let other = Home::new();
    assert_eq!(other.restore(&words.join(" "))["ethereum_address"], status["ethereum_address"]);
    // The phrase is not printed after the screen is left (stdout carries only the summary).
    let tail_words = rest.split_whitespace().filter(|t| words.iter().any(|w| w == t)).count();
    assert!(tail_words < 3, "phrase words printed after confirmation: {rest}");
}

#[test]
fn wrong_words_three_times_create_nothing() {
    let home = Home::new();
    let mut p = hallmark_in_pty(&home, &["init"]);
    choose_passphrase(&mut p);
    for round in 0..3 {
        let words = read_phrase_screen(&mut p);
        p.send_line("").unwrap();
        answer_quiz(&mut p, &words, false);
        if round < 2 {
            p.exp_string("shown again").unwrap();
        }
    }
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("no wallet was created"), "{rest}");
    assert!(!home.path.join("vault.json").exists());
}

#[test]
fn restore_on_a_terminal_asks_for_the_phrase() {
    let home = Home::new();
    let mut p = hallmark_in_pty(&home, &["restore"]);
    p.exp_string("Recovery phrase").unwrap();
    p.send_line(JUNK).unwrap();
    choose_passphrase(&mut p);
    let rest = p.exp_eof().unwrap();
    assert!(rest.contains("0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266"), "{rest}");
    assert!(!rest.contains("test test test"), "the phrase was echoed: {rest}");

    // A locked wallet asks for the passphrase on a terminal; a wrong one exits with code 3.
    let mut p = hallmark_in_pty(&home, &["did", "new"]);
    p.exp_string("Wallet passphrase:").unwrap();
    p.send_line("not the passphrase").unwrap();
    p.exp_string("wrong passphrase").unwrap();
    p.exp_eof().unwrap();
    let status = p.process_mut().wait().unwrap();
    assert!(format!("{status:?}").ends_with(", 3)"), "expected exit code 3: {status:?}");
}
