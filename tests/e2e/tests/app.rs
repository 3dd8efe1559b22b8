//! End-to-end tests of the real desktop app (`hallmark-app`) in a real window.
//!
//! Each test starts its own tauri-driver (which starts WebKitWebDriver, which starts the app) with
//! its own empty data folder (`HALLMARK_HOME`), drives the window over WebDriver like a person
//! would, and checks the result on screen and, independently, with the `hallmark` command line.
//! Screenshots of every main screen and a results.txt land in
//! `<target dir>/e2e-results/<test>/`.
//!
//! Run them with `scripts/e2e`: it builds the app and the CLI, installs tauri-driver, and runs
//! these tests under Xvfb inside a private D-Bus session with a throw-away OS keyring. They are
//! `#[ignore]`d so that a plain `cargo test --workspace` (no display, no driver) skips them;
//! scripts/e2e passes `--include-ignored`.
//!
//! Overrides (all optional): HALLMARK_E2E_APP, HALLMARK_E2E_CLI (binaries), TAURI_DRIVER,
//! WEBKIT_DRIVER (drivers), HALLMARK_E2E_RESULTS (results folder).

use std::cell::{Cell, RefCell};
use std::fs;
use std::future::Future;
use std::io::Write;
use std::net::{TcpListener, TcpStream};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::elements::Element;
use fantoccini::error::CmdError;
use fantoccini::{Client, ClientBuilder, Locator};
use serde_json::{json, Value};

/// How long an element may take to show up on screen.
const WAIT: Duration = Duration::from_secs(10);
/// How long a screen may take when the step behind it derives keys (Argon2, BIP-39 seed).
const SLOW_WAIT: Duration = Duration::from_secs(30);
const POLL: Duration = Duration::from_millis(100);
/// A whole test may take this long; past it, the test fails saying what it was doing (a
/// WebDriver command that never answers would otherwise hang the run).
const TEST_TIMEOUT: Duration = Duration::from_secs(180);
/// How long a WebDriver screenshot (or, while failing, a look at the page) may take.
const SHOT_TIMEOUT: Duration = Duration::from_secs(5);

const PASSPHRASE: &str = "correct horse battery";
const TEST_PHRASE: &str = "test test test test test test test test test test test junk";
const TEST_ADDRESS: &str = "0xf39Fd6e51aad88F6F4ce6aB8827279cffFb92266";

// ---------------------------------------------------------------------------------------------
// The tests
// ---------------------------------------------------------------------------------------------

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn create_wallet_identity_lock_unlock() {
    let run = Run::new("create_wallet_identity_lock_unlock");
    run.within(async {
        let app = App::launch(&run).await;

        // Welcome → create: the passphrase, twice.
        app.wait_screen("welcome").await;
        app.screenshot("welcome").await;
        app.click("create-wallet").await;
        app.wait_screen("create").await;
        app.type_text("create-passphrase", PASSPHRASE).await;
        app.type_text("create-passphrase-confirm", PASSPHRASE).await;
        app.screenshot("create").await;
        app.click("create-continue").await;

        // The 24 words.
        app.wait_screen_for("phrase", SLOW_WAIT).await;
        let words = app.phrase_words().await;
        app.step(&format!("the phrase screen shows {} words", words.len()));
        app.screenshot("phrase").await;
        app.click("phrase-written").await;

        // The quiz: type the word asked for at each position.
        app.wait_screen("quiz").await;
        let inputs = app.wait_count("#quiz-screen input.quiz-input", 3).await;
        let mut asked = Vec::new();
        for input in &inputs {
            let position = app.attr(input, "data-position").await;
            let n: usize = match position.as_deref().map(str::parse) {
                Some(Ok(n)) if (1..=24).contains(&n) => n,
                _ => app.fail(&format!("quiz input has data-position {position:?}, expected 1..=24")).await,
            };
            app.send_keys(input, words[n - 1].as_str()).await;
            asked.push(n);
        }
        app.step(&format!("quiz asked for words {asked:?}"));
        app.screenshot("quiz").await;
        app.click("quiz-confirm").await;

        // The wallet exists and is unlocked: no identities yet.
        app.wait_screen_for("identities", SLOW_WAIT).await;
        app.wait_visible("identities-empty").await;
        app.screenshot("identities-empty").await;

        // A did:key called "Photographer".
        let did = app.create_identity("key", "Photographer").await;
        app.check(did.starts_with("did:key:z6Mk"), &format!("new DID {did:?} should start with did:key:z6Mk")).await;
        let listed = app.listed_identities().await;
        app.check(
            listed.iter().any(|(label, d)| d == &did && label == "Photographer"),
            &format!("list should show (\"Photographer\", {did}), shows {listed:?}"),
        )
        .await;
        app.wait_text("detail-did", "the new DID", |t| t == did).await;
        app.wait_text("detail-label", "the label", |t| t == "Photographer").await;
        let (elements, shapes) = app.qr_drawn().await;
        app.step(&format!("#detail-qr holds an <svg> with {elements} rect/path elements drawing {shapes} shapes"));
        let document = app.text("detail-document").await;
        match serde_json::from_str::<Value>(&document) {
            Ok(doc) => app.check(doc["id"] == did, &format!("DID document id is {}, expected {did}", doc["id"])).await,
            Err(e) => app.fail(&format!("#detail-document is not JSON ({e}): {document:?}")).await,
        }
        app.screenshot("identity-detail").await;
        app.run.x_screenshot("identity-detail-whole-screen");

        // Settings shows this test's data folder.
        app.click("nav-settings").await;
        app.wait_screen("settings").await;
        let home = app.wait_text("settings-home", "the data folder", |t| !t.is_empty()).await;
        app.check(same_path(&home, &run.home), &format!("#settings-home is {home:?}, expected {:?}", run.home)).await;
        app.screenshot("settings").await;

        // Lock, then a wrong and the right passphrase.
        app.click("lock-button").await;
        app.wait_screen("unlock").await;
        app.type_text("unlock-passphrase", "not the passphrase").await;
        app.click("unlock-submit").await;
        let error = app
            .wait_text("unlock-error", "an error mentioning \"wrong passphrase\"", |t| {
                t.to_lowercase().contains("wrong passphrase")
            })
            .await;
        app.step(&format!("#unlock-error says {error:?}"));
        app.screenshot("unlock-wrong-passphrase").await;
        app.check(app.is_visible("unlock-screen").await, "the unlock screen should stay after a wrong passphrase")
            .await;

        app.type_text("unlock-passphrase", PASSPHRASE).await;
        app.click("unlock-submit").await;
        app.wait_screen_for("identities", SLOW_WAIT).await;
        app.wait_identity(&did).await;
        app.screenshot("identities-after-unlock").await;

        // The command line, on its own, sees the same identity in the same data folder.
        let cli = run_cli(&run.home, &["did", "list"]);
        let cli_dids: Vec<&str> = cli.as_array().into_iter().flatten().filter_map(|i| i["did"].as_str()).collect();
        app.check(
            cli_dids == [did.as_str()],
            &format!("`hallmark --json did list` lists {cli_dids:?}, expected [{did}]"),
        )
        .await;
        app.step("`hallmark --json did list` lists the same DID");

        app.quit().await;
        run.pass();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn hostile_label_is_text() {
    let run = Run::new("hostile_label_is_text");
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;

        let hostile = "<img src=x onerror=alert(1)>";
        let did = app.create_identity("key", hostile).await;
        let listed = app.listed_identities().await;
        app.check(
            listed.iter().any(|(label, d)| d == &did && label == hostile),
            &format!(".identity-label should read {hostile:?} literally; list shows {listed:?}"),
        )
        .await;
        app.wait_text("detail-label", "the label as text", |t| t == hostile).await;
        app.no_images_injected().await;
        app.no_alert_open().await;

        let pwn = "<img src=x onerror=\"window.__pwned=1\">";
        let did2 = app.create_identity("key", pwn).await;
        app.check(did2 != did, "the second identity should have its own DID").await;
        let listed = app.listed_identities().await;
        app.check(
            listed.iter().any(|(label, d)| d == &did2 && label == pwn),
            &format!(".identity-label should read {pwn:?} literally; list shows {listed:?}"),
        )
        .await;
        app.wait_text("detail-label", "the label as text", |t| t == pwn).await;
        // Give a (broken) image time to fail loading and fire its handler, should one exist.
        tokio::time::sleep(Duration::from_secs(1)).await;
        app.no_images_injected().await;
        app.no_alert_open().await;
        let pwned = app.execute("return typeof window.__pwned", vec![]).await;
        app.check(pwned == json!("undefined"), &format!("typeof window.__pwned is {pwned}, expected \"undefined\""))
            .await;
        app.step("typeof window.__pwned stays \"undefined\"");
        app.screenshot("hostile-labels").await;

        app.quit().await;
        run.pass();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn restore_with_bad_phrase_names_the_word() {
    let run = Run::new("restore_with_bad_phrase_names_the_word");
    run.within(async {
        let app = App::launch(&run).await;

        app.wait_screen("welcome").await;
        app.click("restore-wallet").await;
        app.wait_screen("restore").await;
        let mut words: Vec<&str> = TEST_PHRASE.split(' ').collect();
        words[6] = "tesst";
        app.type_text("restore-phrase", &words.join(" ")).await;
        app.type_text("restore-passphrase", PASSPHRASE).await;
        app.type_text("restore-passphrase-confirm", PASSPHRASE).await;
        app.click("restore-submit").await;
        let error = app
            .wait_text("restore-error", "an error naming word 7 'tesst'", |t| {
                t.contains("word 7") && t.contains("tesst")
            })
            .await;
        app.step(&format!("#restore-error says {error:?}"));
        app.screenshot("restore-bad-word").await;
        app.check(app.is_visible("restore-screen").await, "the restore screen should stay after a bad phrase").await;
        let vault = run.home.join("vault.json");
        app.check(!vault.exists(), &format!("a bad phrase must create nothing, but {} exists", vault.display())).await;
        app.step("no vault.json in the data folder");

        app.type_text("restore-phrase", TEST_PHRASE).await;
        app.screenshot("restore-fixed").await;
        app.click("restore-submit").await;
        app.wait_screen_for("identities", SLOW_WAIT).await;
        app.screenshot("identities-after-restore").await;

        let status = run_cli(&run.home, &["status"]);
        app.check(
            status["ethereum_address"] == json!(TEST_ADDRESS),
            &format!(
                "`hallmark --json status` ethereum_address is {}, expected {TEST_ADDRESS}",
                status["ethereum_address"]
            ),
        )
        .await;
        app.step(&format!("`hallmark --json status` shows ethereum_address {TEST_ADDRESS}"));

        app.quit().await;
        run.pass();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn keyboard_only_at_200_percent_zoom() {
    let run = Run::new("keyboard_only_at_200_percent_zoom");
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;
        app.wait_screen("identities").await;
        // 200 % zoom (CSSOM is allowed by the CSP; inline style attributes are not).
        app.execute("document.documentElement.style.zoom = '2'; return true", vec![]).await;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let overflow =
            app.execute("const d = document.documentElement; return d.scrollWidth - d.clientWidth", vec![]).await;
        app.check(
            overflow.as_i64().unwrap_or(i64::MAX) <= 1,
            &format!("at 200 % the page scrolls sideways by {overflow} px"),
        )
        .await;
        app.step("no horizontal scrolling at 200 % zoom");

        // Keyboard only: from the label field, Tab to the create button and press Enter.
        app.execute("document.getElementById('new-label').focus(); return true", vec![]).await;
        let label = app.ok(app.client.active_element().await, "the focused element").await;
        app.send_keys(&label, "Made with the keyboard").await;
        let mut reached = false;
        for _ in 0..12 {
            let focused = app.ok(app.client.active_element().await, "the focused element").await;
            if app.attr(&focused, "id").await.as_deref() == Some("new-create") {
                reached = true;
                break;
            }
            app.send_keys(&focused, "\u{E004}").await; // Tab
        }
        app.check(reached, "Tab from #new-label never reached #new-create").await;
        let outline = app
            .execute(
                "const s = getComputedStyle(document.activeElement); return s.outlineStyle + ' ' + s.outlineWidth",
                vec![],
            )
            .await;
        let outline = outline.as_str().unwrap_or("none").to_string();
        app.check(
            !outline.starts_with("none") && !outline.ends_with(" 0px"),
            &format!("the focused button shows no focus ring ({outline})"),
        )
        .await;
        app.step(&format!("keyboard focus reached #new-create with a visible focus ring ({outline})"));
        app.screenshot("keyboard-focus-200-percent").await;
        let button = app.ok(app.client.active_element().await, "the focused element").await;
        app.send_keys(&button, "\u{E007}").await; // Enter
        app.wait_text("detail-label", "the identity created with the keyboard", |t| t == "Made with the keyboard")
            .await;
        app.step("Enter on the focused button created the identity");

        app.quit().await;
        run.pass();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn keyring_reopens_without_passphrase() {
    let run = Run::new("keyring_reopens_without_passphrase");
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;
        let did = app.create_identity("key", "Kept").await;
        app.quit().await;
        run.step("quit the app (WebDriver session ended, tauri-driver stopped)");

        let app = App::launch(&run).await;
        let first = app.first_screen().await;
        app.check(
            first == "identities-screen",
            &format!("the reopened app showed {first:?} first, expected identities-screen"),
        )
        .await;
        app.step("the reopened app went straight to the identities screen");
        app.wait_identity(&did).await;
        app.screenshot("reopened-unlocked").await;

        app.quit().await;
        run.pass();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn credential_issue_present_revoke() {
    let run = Run::new("credential_issue_present_revoke");
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;
        let did = app.create_identity("key", "Alice").await;

        app.click("nav-credentials").await;
        app.wait_screen("credentials").await;
        app.wait_visible("credentials-empty").await;
        app.screenshot("credentials-empty").await;

        // Issue a humanity credential to our own identity, with the form.
        app.select_value("issue-type", "humanity").await;
        app.select_value("issue-as", &did).await;
        app.type_text("issue-subject", &did).await;
        app.select_value("issue-method", "in-person").await;
        app.type_text("issue-note", "Met at the photo club").await;
        app.type_text("issue-expires", "2099-12-31").await;
        app.select_value("issue-format", "di").await;
        app.screenshot("issue-form").await;
        app.click("issue-submit").await;

        // Listed, in plain words, as Verified.
        let listed = app
            .wait_credential("a Verified humanity credential issued by you", |c| {
                c["kind"] == "Humanity credential" && c["status"] == "Verified"
            })
            .await;
        let id = listed["id"].as_str().unwrap_or_default().to_string();
        for (field, expected) in
            [("issuer", "From: Alice (you)"), ("subject", "About: Alice (you)"), ("origin", "Issued by you")]
        {
            app.check(
                listed[field] == expected,
                &format!("the list's {field} reads {}, expected {expected:?}", listed[field]),
            )
            .await;
        }
        app.step(&format!("listed: {listed}"));
        app.scroll_to("credential-list").await;
        app.screenshot("credential-listed").await;

        // The details: what it says and every check of the report.
        app.wait_text("cred-detail-title", "the credential's kind", |t| t == "Humanity credential").await;
        app.wait_text("cred-detail-status", "Verified", |t| t.ends_with("Verified")).await;
        let claims = app.text("cred-detail-claims").await;
        app.check(
            claims.contains("In person") && claims.contains("Met at the photo club"),
            &format!("#cred-detail-claims should say how and the note; it says {claims:?}"),
        )
        .await;
        let checks = app.shown_checks(6).await;
        let names: Vec<&str> = checks.iter().map(|c| c.0.as_str()).collect();
        app.check(
            names == ["Signature", "Issuer", "Validity period", "Not revoked", "Schema", "Trusted issuer"],
            &format!("the checks are {names:?}"),
        )
        .await;
        app.check(checks.iter().all(|c| c.1 == "Passed"), &format!("every check should pass: {checks:?}")).await;
        app.step(&format!("details list the checks {names:?}, all Passed"));
        app.scroll_to("cred-checks-title").await;
        app.screenshot("credential-details").await;

        // An issued credential cannot be deleted: it is kept to be revoked.
        app.click("cred-delete").await;
        app.click("cred-delete-yes").await;
        let error = app
            .wait_text("cred-detail-error", "why it is kept", |t| t.contains("kept") && t.contains("revoke it instead"))
            .await;
        app.step(&format!("Delete of an issued credential says {error:?}"));
        app.scroll_to("cred-checks-title").await;
        app.screenshot("delete-refused").await;

        // Present it to a verifier: as Alice (its subject), with a challenge and a domain.
        let holder = app.execute("return document.getElementById('present-holder').value", vec![]).await;
        app.check(holder == json!(did), &format!("#present-holder should preselect the subject; it is {holder}")).await;
        let (challenge, domain) = ("n-8f3a2c", "club.example");
        app.type_text("present-challenge", challenge).await;
        app.type_text("present-domain", domain).await;
        app.select_value("present-format", "di").await;
        app.click("present-submit").await;
        app.wait_visible("present-result").await;
        let text = app.execute("return document.getElementById('present-text').value", vec![]).await;
        let text = text.as_str().unwrap_or_default().to_string();
        let vp: Value = match serde_json::from_str(&text) {
            Ok(v) => v,
            Err(e) => app.fail(&format!("#present-text is not JSON ({e}): {text:?}")).await,
        };
        app.check(
            vp["type"] == json!(["VerifiablePresentation"])
                && vp["holder"] == json!(did)
                && vp["proof"]["challenge"] == challenge
                && vp["proof"]["domain"] == domain,
            &format!("the presentation should be Alice's, for {challenge}/{domain}: {vp}"),
        )
        .await;
        let note = app.text("present-qr-note").await;
        match app.svg_shapes("#present-qr svg").await {
            Some(shapes) => app.step(&format!("the presentation's QR code is drawn ({shapes} shapes); note: {note:?}")),
            None => {
                app.check(note.contains("too large for a QR code"), &format!("no QR code and the note says {note:?}"))
                    .await;
                app.step(&format!("no QR code: {note:?}"));
            }
        }
        app.scroll_to("present-result").await;
        app.screenshot("presentation").await;
        // The command line, on its own, accepts it for that challenge and domain.
        let file = run.dir.join("presentation.json");
        fs::write(&file, &text).expect("presentation.json");
        let report = run_cli(
            &run.home,
            &["cred", "verify", &file.to_string_lossy(), "--challenge", challenge, "--domain", domain],
        );
        app.check(report["valid"] == json!(true), &format!("`hallmark cred verify` says {report}")).await;
        app.step("`hallmark --json cred verify` finds the presentation valid for that challenge and domain");

        // Revoke it (with a confirmation), then Check again: Not valid, revoked.
        app.type_text("revoke-reason", "End-to-end test").await;
        app.click("revoke-submit").await;
        app.wait_visible("revoke-confirm").await;
        app.scroll_to("revoke-title").await;
        app.screenshot("revoke-confirm").await;
        app.click("revoke-yes").await;
        let done =
            app.wait_text("revoke-done", "that it is revoked", |t| t.starts_with("You revoked this credential")).await;
        app.step(&format!("#revoke-done says {done:?}"));
        app.scroll_to("revoke-title").await;
        app.screenshot("revoked").await;
        // Check all again (every credential, on all cores): the revoked one is named.
        app.scroll_to("credentials-recheck-all").await;
        app.click("credentials-recheck-all").await;
        let summary = app
            .wait_text("credentials-recheck-result", "a count that names the revoked credential", |t| {
                t.starts_with("Checked just now:") && t.contains("No longer valid: Humanity credential")
            })
            .await;
        app.step(&format!("Check all again says {summary:?}"));
        app.screenshot("check-all-again").await;
        app.click("cred-recheck").await;
        let status = app
            .wait_text("cred-detail-status", "Not valid (revoked)", |t| {
                t.starts_with("Not valid") && t.to_lowercase().contains("revoked")
            })
            .await;
        app.step(&format!("after Check again the badge says {status:?}"));
        let checks = app.shown_checks(6).await;
        let revoked = checks.iter().find(|c| c.0 == "Not revoked");
        app.check(
            revoked.is_some_and(|c| c.1 == "Failed" && c.2.contains("revoked")),
            &format!("the \"Not revoked\" check should fail: {checks:?}"),
        )
        .await;
        app.wait_credential("the list's badge Not valid", |c| {
            c["id"] == json!(id) && c["status"].as_str().is_some_and(|s| s.starts_with("Not valid"))
        })
        .await;
        app.scroll_to("credential-detail").await;
        app.screenshot("check-again-revoked").await;
        app.scroll_to("cred-checks-title").await;
        app.screenshot("check-again-revoked-checks").await;
        let cli = run_cli(&run.home, &["cred", "list"]);
        let stored = cli["credentials"].as_array().and_then(|a| a.iter().find(|c| c["id"] == json!(id))).cloned();
        app.check(
            stored.as_ref().is_some_and(|c| c["valid"] == json!(false)),
            &format!("`hallmark --json cred list` should store {id} as not valid: {cli}"),
        )
        .await;
        app.step("`hallmark --json cred list` stores it as not valid");

        app.quit().await;
        run.pass();
    })
    .await;
}

/// Helpers of the credentials test.
impl App<'_> {
    /// Scrolls #id to the top of the window (for the screenshot that follows).
    async fn scroll_to(&self, id: &str) {
        self.execute(
            "document.getElementById(arguments[0]).scrollIntoView({block: 'start'}); return true",
            vec![json!(id)],
        )
        .await;
    }

    async fn select_value(&self, id: &str, value: &str) {
        let select = self.wait_visible(id).await;
        self.run.doing(format!("choosing {value:?} in #{id}"));
        self.ok(select.select_by_value(value).await, &format!("choosing {value:?} in #{id}")).await;
    }

    /// The items of `#credential-list`: {id, kind, status, issuer, subject, until, origin}.
    async fn listed_credentials(&self) -> Vec<Value> {
        let script = r#"
            const text = (li, css) => { const e = li.querySelector(css); return e ? e.textContent.trim() : null; };
            return [...document.querySelectorAll('#credential-list li.credential')].map(li => ({
                id: li.dataset.id,
                kind: text(li, '.credential-type'),
                status: text(li, '.credential-status'),
                issuer: text(li, '.credential-issuer'),
                subject: text(li, '.credential-subject'),
                until: text(li, '.credential-until'),
                origin: text(li, '.credential-origin'),
            }));"#;
        self.execute(script, vec![]).await.as_array().cloned().unwrap_or_default()
    }

    /// Waits until `#credential-list` shows an item satisfying `ok`; returns it.
    async fn wait_credential(&self, expected: &str, ok: impl Fn(&Value) -> bool) -> Value {
        self.run.doing(format!("waiting for #credential-list to show {expected}"));
        let deadline = Instant::now() + WAIT;
        loop {
            let listed = self.listed_credentials().await;
            if let Some(found) = listed.iter().find(|c| ok(c)) {
                return found.clone();
            }
            if Instant::now() > deadline {
                let error = self.execute("return document.getElementById('issue-error').textContent", vec![]).await;
                self.fail(&format!(
                    "#credential-list should show {expected} within {WAIT:?}; it shows {listed:?}; #issue-error: {error}"
                ))
                .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The `n` rows of `#cred-checks`: (name, result, detail) as shown.
    async fn shown_checks(&self, n: usize) -> Vec<(String, String, String)> {
        self.wait_count("#cred-checks li.check", n).await;
        let script = r#"
            const text = (li, css) => li.querySelector(css).textContent.trim();
            return [...document.querySelectorAll('#cred-checks li.check')]
                .map(li => [text(li, '.check-name'), text(li, '.check-result'), text(li, '.check-detail')]);"#;
        let rows = self.execute(script, vec![]).await;
        rows.as_array()
            .into_iter()
            .flatten()
            .map(|r| {
                let s = |i: usize| r[i].as_str().unwrap_or_default().to_string();
                (s(0), s(1), s(2))
            })
            .collect()
    }

    /// The number of drawn shapes (rects and sub-paths) of the displayed QR `<svg>` at `css`, if
    /// there is one with at least 21 (one per row of the smallest QR code) and 50×50 px or more.
    async fn svg_shapes(&self, css: &str) -> Option<usize> {
        let script = r#"
            const svg = document.querySelector(arguments[0]);
            if (!svg) return null;
            const paths = [...svg.querySelectorAll('path')];
            return svg.querySelectorAll('rect').length + paths
                .map(p => ((p.getAttribute('d') || '').match(/[Mm]/g) || []).length).reduce((a, b) => a + b, 0);"#;
        let shapes = self.execute(script, vec![json!(css)]).await.as_u64()? as usize;
        let svg = self.client.find(Locator::Css(css)).await.ok()?;
        let (_, _, w, h) = self.ok(svg.rectangle().await, "size of the QR svg").await;
        (shapes >= 21 && w >= 50.0 && h >= 50.0 && svg.is_displayed().await.unwrap_or(false)).then_some(shapes)
    }
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn community_moderation() {
    let run = Run::new("community_moderation");
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;
        let alice = app.create_identity("key", "Alice").await;
        let bob = app.create_identity("key", "Bob").await;

        app.click("nav-communities").await;
        app.wait_screen("communities").await;
        app.wait_visible("communities-empty").await;
        app.screenshot("communities-empty").await;

        // Create a community moderated by Alice; 2 vouches make a humanity credential.
        app.type_text("create-community-name", "Photo club").await;
        app.select_value("create-community-as", &alice).await;
        app.type_text("create-community-vouches", "2").await;
        app.screenshot("create-community-form").await;
        app.click("create-community-submit").await;
        app.wait_visible("community-page").await;
        app.wait_text("community-name", "the new community's name", |t| t == "Photo club").await;
        let members = app.wait_members("Alice as the only member, a moderator", |m| m.len() == 1).await;
        app.check(
            members[0]["did"] == json!(alice)
                && members[0]["name"] == "Alice (you)"
                && members[0]["role"] == "Moderator"
                && members[0]["state"].as_str().is_some_and(|s| s.starts_with("Active since")),
            &format!("the member list should show Alice, moderator, active: {members:?}"),
        )
        .await;
        let rule = app.text("community-rule-vouches").await;
        app.check(rule == "After 2 vouches from current members", &format!("the rule reads {rule:?}")).await;
        app.step("created \"Photo club\": Alice (you) is its active moderator");
        app.screenshot("community-created").await;

        // Make an invitation: text (the CLI's JSON) and a QR code.
        app.click("invite-submit").await;
        app.wait_text("page-handover-title", "the invitation", |t| t == "Invitation to Photo club").await;
        let invitation = app.value("page-handover-text").await;
        let inv: Value = match serde_json::from_str(&invitation) {
            Ok(v) => v,
            Err(e) => app.fail(&format!("the invitation is not JSON ({e}): {invitation:?}")).await,
        };
        let community = inv["community"].as_str().unwrap_or_default().to_string();
        app.check(
            community.starts_with("urn:uuid:")
                && inv["domain"] == json!(community)
                && inv["name"] == "Photo club"
                && inv["challenge"].as_str().is_some_and(|c| c.len() >= 22),
            &format!("the invitation should name the community and a fresh challenge: {inv}"),
        )
        .await;
        let shapes = app.svg_shapes("#page-handover-qr svg").await;
        app.check(shapes.is_some(), "the invitation should be drawn as a QR code").await;
        app.step(&format!("invitation made for {community}, QR code drawn ({} shapes)", shapes.unwrap_or(0)));
        app.scroll_to("page-handover").await;
        app.screenshot("invitation").await;

        // Bob, another identity of this wallet, pastes it under "Join a community" (copied with
        // the Copy button, pasted with Ctrl+V).
        app.click("page-handover-copy").await;
        app.click("community-back").await;
        app.wait_visible("communities-overview").await;
        app.paste("join-invitation", &invitation).await;
        app.select_value("join-as", &bob).await;
        app.click("join-submit").await;
        app.wait_text("list-handover-title", "the join request", |t| t == "Your join request to Photo club").await;
        let request = app.value("list-handover-text").await;
        let vp: Value = serde_json::from_str(&request).unwrap_or(Value::Null);
        app.check(
            vp["holder"] == json!(bob)
                && vp["proof"]["challenge"] == inv["challenge"]
                && vp["proof"]["domain"] == json!(community),
            &format!("the join request should be Bob's, bound to the invitation: {vp}"),
        )
        .await;
        app.step("Bob's join request is signed and bound to the invitation's challenge and community");
        app.scroll_to("list-handover").await;
        app.screenshot("join-request").await;

        // Alice receives it on the community's page (copied, then pasted), then admits it.
        app.click("list-handover-copy").await;
        app.click_css("#community-list li.community button").await;
        app.wait_text("community-name", "the community's page", |t| t == "Photo club").await;
        app.paste("receive-text", &request).await;
        app.click("receive-submit").await;
        let pending = format!("#pending-list li.request[data-holder=\"{bob}\"]");
        app.wait_count(&pending, 1).await;
        let from = app
            .execute("return document.querySelector(arguments[0] + ' .request-from').textContent", vec![json!(pending)])
            .await;
        app.check(from == json!("From Bob (you)"), &format!("the request should read From Bob (you): {from}")).await;
        app.step("the join request waits for a decision, from Bob (you)");
        app.scroll_to("requests-panel").await;
        app.screenshot("request-waiting").await;
        app.click_css(&format!("{pending} .request-admit")).await;
        app.wait_text("page-handover-title", "Bob's membership card", |t| t == "Membership card for Bob (you)").await;
        let card: Value = serde_json::from_str(&app.value("page-handover-text").await).unwrap_or(Value::Null);
        app.check(
            card["type"] == json!(["VerifiableCredential", "CommunityMembershipCredential"])
                && card["credentialSubject"]["id"] == json!(bob)
                && card["credentialSubject"]["memberOf"]["id"] == json!(community),
            &format!("the membership card should be about Bob, for the community: {card}"),
        )
        .await;
        let members = app
            .wait_members("Bob as an active member", |m| {
                m.iter().any(|x| {
                    x["did"] == json!(bob)
                        && x["role"] == "Member"
                        && x["state"].as_str().is_some_and(|s| s.starts_with("Active"))
                })
            })
            .await;
        app.check(members.len() == 2, &format!("two members: {members:?}")).await;
        app.wait_count(&pending, 0).await;
        app.step("admitted: Bob (you) is listed as an active member; nothing waits any more");
        app.scroll_to("members-title").await;
        app.screenshot("member-admitted").await;

        // Ban Bob, with the confirmation and a reason: his membership card is revoked.
        let row = format!("#member-list li.member[data-did=\"{bob}\"]");
        app.click_css(&format!("{row} .member-ban")).await;
        app.wait_visible("ban-panel").await;
        app.wait_text("ban-who", "who is banned", |t| t == "Bob (you)").await;
        app.click("ban-yes").await;
        app.wait_text("ban-error", "a reason asked for", |t| t.contains("say why")).await;
        app.type_text("ban-reason", "Spam in the group").await;
        app.scroll_to("ban-panel").await;
        app.screenshot("ban-confirm").await;
        app.click("ban-yes").await;
        let members = app
            .wait_members("Bob banned, his card revoked", |m| {
                m.iter().any(|x| {
                    x["did"] == json!(bob)
                        && x["state"].as_str().is_some_and(|s| s.starts_with("Banned on"))
                        && x["card"].as_str().is_some_and(|s| s.starts_with("Membership card revoked on"))
                })
            })
            .await;
        app.step(&format!("banned: {members:?}"));
        app.wait_text("page-handover-title", "the updated status list", |t| t == "Your updated status list").await;
        let history = app.text("history-list").await;
        app.check(
            history.contains("Alice (you) banned Bob (you): “Spam in the group” – 1 credential revoked."),
            &format!("the history should say who banned Bob and why: {history:?}"),
        )
        .await;
        let counts = app.text("community-counts").await;
        app.check(counts.starts_with("1 active member"), &format!("#community-counts reads {counts:?}")).await;
        app.scroll_to("members-title").await;
        app.screenshot("member-banned").await;

        // The command line, on its own, sees Bob banned and his card revoked.
        let shown = run_cli(&run.home, &["community", "show", &community]);
        let state = shown["members"]
            .as_array()
            .and_then(|a| a.iter().find(|m| m["did"] == json!(bob)))
            .map(|m| m["state"].clone());
        app.check(
            state == Some(json!("banned")),
            &format!("`hallmark community show` should list Bob as banned: {shown}"),
        )
        .await;
        let card_id = shown["decisions"]
            .as_array()
            .and_then(|a| a.iter().find(|d| d["action"] == "banned"))
            .and_then(|d| d["revoked"][0].as_str())
            .unwrap_or_default()
            .to_string();
        let record = run_cli(&run.home, &["cred", "show", &card_id]);
        app.check(
            record["subject"] == json!(bob) && record["revocation"]["revoked_at"].is_string(),
            &format!("`hallmark cred show {card_id:?}` should be Bob's card, revoked: {record}"),
        )
        .await;
        app.step("`hallmark --json community show` lists Bob as banned; his card is revoked");

        app.quit().await;
        run.pass();
    })
    .await;
}

/// Helpers of the community test.
impl App<'_> {
    /// Pastes into #field with Ctrl+V (what a Copy button put on the clipboard) and checks that
    /// the field then holds `expected`.
    async fn paste(&self, field: &str, expected: &str) {
        let e = self.wait_visible(field).await;
        self.run.doing(format!("pasting into #{field}"));
        self.ok(e.clear().await, &format!("clearing #{field}")).await;
        // Control down, v, then the NULL key releases the modifier.
        self.send_keys(&e, "\u{E009}v\u{E000}").await;
        let deadline = Instant::now() + WAIT;
        loop {
            let pasted = self.value(field).await;
            if pasted.trim() == expected.trim() {
                self.step(&format!("pasted {} characters into #{field}", pasted.len()));
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("#{field} should hold the copied text after Ctrl+V; it holds {pasted:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The value of a form field (a textarea's text).
    async fn value(&self, id: &str) -> String {
        self.wait_visible(id).await;
        let v = self.execute("return document.getElementById(arguments[0]).value", vec![json!(id)]).await;
        v.as_str().unwrap_or_default().to_string()
    }

    async fn click_css(&self, css: &str) {
        self.run.doing(format!("clicking `{css}`"));
        let deadline = Instant::now() + WAIT;
        loop {
            if let Ok(e) = self.client.find(Locator::Css(css)).await {
                if e.is_displayed().await.unwrap_or(false) {
                    self.ok(e.click().await, &format!("clicking `{css}`")).await;
                    return;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("`{css}` did not become visible within {WAIT:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The rows of `#member-list`: {did, name, role, state, card}.
    async fn listed_members(&self) -> Vec<Value> {
        let script = r#"
            const text = (li, css) => { const e = li.querySelector(css); return e ? e.textContent.trim() : null; };
            return [...document.querySelectorAll('#member-list li.member')].map(li => ({
                did: li.dataset.did,
                name: text(li, '.member-name'),
                role: text(li, '.member-role'),
                state: text(li, '.member-state'),
                card: text(li, '.member-card'),
            }));"#;
        self.execute(script, vec![]).await.as_array().cloned().unwrap_or_default()
    }

    /// Waits until `#member-list` satisfies `ok`; returns its rows.
    async fn wait_members(&self, expected: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        self.run.doing(format!("waiting for #member-list to show {expected}"));
        let deadline = Instant::now() + WAIT;
        loop {
            let listed = self.listed_members().await;
            if ok(&listed) {
                return listed;
            }
            if Instant::now() > deadline {
                self.fail(&format!("#member-list should show {expected} within {WAIT:?}; it shows {listed:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn sign_and_verify_media() {
    let run = Run::new("sign_and_verify_media");
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;
        let did = app.create_identity("key", "Ana").await;

        // Three photos in this run's folder; the signed copies go to another folder.
        let media = run.dir.join("media");
        let shoot = media.join("shoot");
        let out = media.join("signed");
        fs::create_dir_all(&shoot).expect("media folder");
        let mut originals = Vec::new();
        for (i, name) in ["harbour.jpg", "market.jpg", "lighthouse.jpg"].iter().enumerate() {
            let path = shoot.join(name);
            let bytes = test_jpeg(i as u32 + 1);
            fs::write(&path, &bytes).expect("test photo");
            originals.push((path, bytes));
        }
        let shoot_text = shoot.to_string_lossy().to_string();
        let first_text = originals[0].0.to_string_lossy().to_string();

        app.click("nav-sign").await;
        app.wait_screen("sign").await;
        app.screenshot("sign-empty").await;

        // The typed route: the folder's path. Then the drop route: Tauri's drop event reaches the
        // drop zone as "paths-dropped" (WebDriver cannot drag from the OS); the folder is not
        // listed twice, the single photo is added.
        app.type_text("sign-inputs", &shoot_text).await;
        app.execute(
            "document.getElementById('sign-drop').dispatchEvent(new CustomEvent('paths-dropped', \
             {detail: {paths: arguments[0]}})); return true",
            vec![json!([shoot_text, first_text])],
        )
        .await;
        let listed = app.value("sign-inputs").await;
        let lines: Vec<&str> = listed.lines().collect();
        app.check(
            lines == [shoot_text.as_str(), first_text.as_str()],
            &format!("after the drop #sign-inputs should list the folder, then the photo; it holds {listed:?}"),
        )
        .await;
        app.step("typed the folder's path; a drop added the photo and not the folder again");

        app.select_value("sign-as", &did).await;
        app.type_text("sign-title-text", "Harbour at dawn").await;
        let training = app.execute("return document.getElementById('sign-training').checked", vec![]).await;
        app.check(training == json!(false), "AI training must be off until asked for").await;
        app.click("sign-output-folder").await;
        app.type_text("sign-folder", &out.to_string_lossy()).await;
        app.screenshot("sign-form").await;
        app.click("sign-submit").await;

        // Progress, then the results: three signed, none failed.
        app.wait_visible("sign-progress-panel").await;
        let summary = app
            .wait_text_for("sign-summary", "that 3 files were signed", SLOW_WAIT, |t| t.starts_with("Signed 3 files"))
            .await;
        app.step(&format!("#sign-summary says {summary:?}"));
        let progress = app
            .execute(
                "const p = document.getElementById('sign-progress'); return [p.value, p.max, \
                 document.getElementById('sign-progress-text').textContent]",
                vec![],
            )
            .await;
        app.check(
            progress[0] == json!(3) && progress[1] == json!(3) && progress[2] == json!("3 of 3 files done"),
            &format!("the progress bar should be full at 3 of 3: {progress}"),
        )
        .await;
        let results = app.sign_results().await;
        let signed: Vec<&Value> = results.iter().filter(|r| r["state"] == "signed").collect();
        app.check(
            signed.len() == 3 && results.len() == 3,
            &format!("#sign-results should list 3 signed files: {results:?}"),
        )
        .await;
        for (path, bytes) in &originals {
            let name = path.file_name().unwrap().to_string_lossy().to_string();
            let output = out.join(&name);
            let row = results.iter().find(|r| r["file"] == json!(name));
            app.check(
                row.is_some_and(|r| {
                    r["detail"].as_str().is_some_and(|d| d.ends_with(&format!("→ {}", output.to_string_lossy())))
                }),
                &format!("#sign-results should show {name} → {}: {results:?}", output.display()),
            )
            .await;
            app.check(output.is_file(), &format!("{} should exist", output.display())).await;
            let now = fs::read(path).unwrap_or_default();
            app.check(&now == bytes, &format!("the original {} was changed", path.display())).await;
            let written = fs::read(&output).unwrap_or_default();
            app.check(written.len() > bytes.len(), &format!("{} should carry a manifest", output.display())).await;
        }
        app.step("3 signed copies written into the output folder; the originals are byte for byte the same");
        app.scroll_to("sign-progress-panel").await;
        app.screenshot("sign-done").await;
        // The command line, on its own, reads the manifest and its signer.
        let signed_copy = out.join("market.jpg");
        let cli = run_cli(&run.home, &["verify", &signed_copy.to_string_lossy()]);
        app.check(
            cli["verdict"] == "untrusted_signer" && cli["manifest"]["signer"]["did"] == json!(did),
            &format!("`hallmark --json verify` should find the copy signed by {did}: {cli}"),
        )
        .await;
        app.step("`hallmark --json verify` finds the copy signed by Ana's DID and unchanged");

        // Verify a signed copy (typed path): signed by Ana, not changed since.
        app.click("nav-verify").await;
        app.wait_screen("verify").await;
        app.type_text("verify-path", &signed_copy.to_string_lossy()).await;
        app.click("verify-submit").await;
        let verdict = app
            .wait_text_for("verify-verdict", "signed by Ana, not changed", SLOW_WAIT, |t| {
                t.starts_with("Signed by Ana") && t.contains(&did) && t.ends_with("not changed since")
            })
            .await;
        app.step(&format!("#verify-verdict says {verdict:?}"));
        let signer = app.text("verify-signer").await;
        app.check(
            signer.contains("Ana (you)") && signer.contains(&did),
            &format!("#verify-signer should read Ana (you) and the DID: {signer:?}"),
        )
        .await;
        for (id, expected) in [("verify-badge", "Not changed since signing"), ("verify-title-text", "Harbour at dawn")]
        {
            let shown = app.text(id).await;
            app.check(shown == expected, &format!("#{id} reads {shown:?}, expected {expected:?}")).await;
        }
        let training = app.text("verify-training").await;
        app.check(training.starts_with("Not allowed"), &format!("#verify-training reads {training:?}")).await;
        let ai = app.text("verify-ai").await;
        app.check(ai.starts_with("No AI use declared"), &format!("#verify-ai reads {ai:?}")).await;
        let actions = app.text("verify-actions").await;
        app.check(actions.starts_with("Created"), &format!("#verify-actions reads {actions:?}")).await;
        let failures_hidden =
            app.execute("return document.getElementById('verify-failures-block').hidden", vec![]).await;
        app.check(failures_hidden == json!(true), "a valid file should list no failures").await;
        let preview = app.preview().await;
        app.check(preview.0.starts_with("data:image/jpeg;base64,") && preview.1 > 0, &format!("preview: {preview:?}"))
            .await;
        app.step(&format!("the card reads Ana (you), {did}, not changed; preview drawn {} px wide", preview.1));
        app.screenshot("verify-signed").await;

        // A copy with one byte of the picture changed, dropped on the Verify screen.
        let mut tampered_bytes = fs::read(out.join("lighthouse.jpg")).unwrap_or_default();
        let at = tampered_bytes.len() - 200;
        tampered_bytes[at] ^= 0x55;
        let tampered = media.join("lighthouse-tampered.jpg");
        fs::write(&tampered, &tampered_bytes).expect("tampered copy");
        app.execute(
            "document.getElementById('verify-drop').dispatchEvent(new CustomEvent('paths-dropped', \
             {detail: {paths: arguments[0]}})); return true",
            vec![json!([tampered.to_string_lossy()])],
        )
        .await;
        let verdict = app
            .wait_text_for("verify-verdict", "changed after signing", SLOW_WAIT, |t| {
                t.starts_with("Changed after signing:") && t.contains("changed after it was signed")
            })
            .await;
        app.step(&format!("the tampered copy: #verify-verdict says {verdict:?}"));
        let badge = app.text("verify-badge").await;
        app.check(badge == "Changed after signing", &format!("#verify-badge reads {badge:?}")).await;
        let detail = app.text("verify-verdict-detail").await;
        app.check(
            detail.contains("signed by Ana") && detail.contains(&did),
            &format!("#verify-verdict-detail should name who signed it: {detail:?}"),
        )
        .await;
        app.wait_count("#verify-failures li[data-code=\"assertion.dataHash.mismatch\"]", 1).await;
        let path_shown = app.value("verify-path").await;
        app.check(
            path_shown == tampered.to_string_lossy(),
            &format!("the dropped path should fill #verify-path: {path_shown:?}"),
        )
        .await;
        app.scroll_to("verify-card").await;
        app.screenshot("verify-tampered").await;
        app.scroll_to("verify-failures-title").await;
        app.screenshot("verify-tampered-reasons").await;

        // An original has no content credentials: Find names the signed copy made from it.
        app.type_text("verify-path", &originals[1].0.to_string_lossy()).await;
        app.click("verify-submit").await;
        app.wait_visible("verify-none").await;
        let none = app.text("verify-none-text").await;
        app.check(none.contains("no content credentials"), &format!("#verify-none-text reads {none:?}")).await;
        app.click("verify-find").await;
        app.wait_count("#verify-matches li.match-original", 1).await;
        let found = app.text("verify-matches").await;
        app.check(
            found.contains(&out.join("market.jpg").to_string_lossy().to_string()) && found.contains("Ana (you)"),
            &format!("#verify-matches should name the signed copy and Ana: {found:?}"),
        )
        .await;
        app.step("the unsigned original: no credentials; Find names its signed copy, signed by Ana (you)");
        app.scroll_to("verify-none").await;
        app.screenshot("verify-find-original").await;

        // An edit of a signed file: a cropped copy of the harbour, signed with the signed harbour
        // as its earlier version and "Cropped" as what was done.
        let signed_harbour = out.join("harbour.jpg");
        let edits = media.join("edits");
        fs::create_dir_all(&edits).expect("edits folder");
        let cropped = edits.join("harbour-cropped.jpg");
        fs::write(&cropped, hallmark_testmedia::jpeg(1, 400, 260, 85)).expect("cropped copy");
        app.click("nav-sign").await;
        app.wait_screen("sign").await;
        // Chosen from the results of the first batch: the edit box opens, showing the file by name.
        let chose = app
            .execute(
                "const li = [...document.querySelectorAll('#sign-results li.result')].find(li => \
                 li.querySelector('.result-file').textContent === 'harbour.jpg'); \
                 const b = li && li.querySelector('button.result-use-parent'); if (b) b.click(); return Boolean(b)",
                vec![],
            )
            .await;
        app.check(chose == json!(true), "the signed harbour.jpg should offer “Use as the earlier version”").await;
        let parent = app.value("sign-parent").await;
        app.check(
            parent == signed_harbour.to_string_lossy(),
            &format!("#sign-parent should hold the signed harbour: {parent:?}"),
        )
        .await;
        let edit_ticked = app.execute("return document.getElementById('sign-edit').checked", vec![]).await;
        app.check(edit_ticked == json!(true), "choosing an earlier version ticks “This is an edit”").await;
        let name = app.text("sign-parent-name").await;
        app.check(name == "Earlier version: harbour.jpg", &format!("#sign-parent-name reads {name:?}")).await;
        app.step("“Use as the earlier version” on the signed harbour.jpg: the edit box shows it by name");

        app.type_text("sign-inputs", &cropped.to_string_lossy()).await;
        app.type_text("sign-title-text", "Harbour at dawn, cropped").await;
        app.select_value("sign-action", "c2pa.cropped").await;
        let action_words = app
            .execute("const s = document.getElementById('sign-action'); return s.options[s.selectedIndex].text", vec![])
            .await;
        app.check(action_words == json!("Cropped"), &format!("#sign-action should read Cropped: {action_words}")).await;

        // An unsigned file typed as the earlier version: refused in plain words, nothing signed.
        app.type_text("sign-parent", &first_text).await;
        let name = app.text("sign-parent-name").await;
        app.check(name == "Earlier version: harbour.jpg", &format!("#sign-parent-name reads {name:?}")).await;
        app.click("sign-submit").await;
        let refusal = app
            .wait_text_for("sign-form-error", "that the unsigned file has no credentials", SLOW_WAIT, |t| {
                t.starts_with("harbour.jpg has no content credentials")
            })
            .await;
        let flagged = app.execute("return document.getElementById('sign-parent').getAttribute('aria-invalid')", vec![]).await;
        app.check(flagged == json!("true"), "#sign-parent should be flagged").await;
        app.check(!out.join("harbour-cropped.jpg").exists(), "nothing should be signed with an unsigned parent").await;
        app.step(&format!("an unsigned earlier version is refused: {refusal:?}"));
        app.scroll_to("sign-form-error").await;
        app.screenshot("sign-edit-unsigned-parent").await;

        // The signed harbour dropped on the earlier version's drop zone.
        app.execute(
            "document.getElementById('sign-parent-drop').dispatchEvent(new CustomEvent('paths-dropped', \
             {detail: {paths: arguments[0]}})); return true",
            vec![json!([signed_harbour.to_string_lossy()])],
        )
        .await;
        let parent = app.value("sign-parent").await;
        app.check(
            parent == signed_harbour.to_string_lossy(),
            &format!("the drop should fill #sign-parent with the signed harbour: {parent:?}"),
        )
        .await;
        let listed = app.value("sign-inputs").await;
        app.check(
            listed == cropped.to_string_lossy(),
            &format!("the earlier version must not be added to the files to sign: {listed:?}"),
        )
        .await;
        app.scroll_to("sign-edit").await;
        app.screenshot("sign-edit-form").await;
        app.click("sign-submit").await;
        let summary = app
            .wait_text_for("sign-summary", "that 1 file was signed", SLOW_WAIT, |t| t.starts_with("Signed 1 file"))
            .await;
        let results = app.sign_results().await;
        let edited = out.join("harbour-cropped.jpg");
        app.check(
            results.len() == 1
                && results[0]["state"] == "signed"
                && results[0]["detail"]
                    .as_str()
                    .is_some_and(|d| d.ends_with(&format!("→ {}", edited.to_string_lossy()))),
            &format!("#sign-results should show harbour-cropped.jpg → {}: {results:?}", edited.display()),
        )
        .await;
        app.check(edited.is_file(), &format!("{} should exist", edited.display())).await;
        app.step(&format!("the cropped copy signed as an edit of the signed harbour: {summary:?}"));
        let cli = run_cli(&run.home, &["verify", &edited.to_string_lossy()]);
        let actions: Vec<&str> = cli["manifest"]["actions"]
            .as_array()
            .map(|a| a.iter().filter_map(|x| x["action"].as_str()).collect())
            .unwrap_or_default();
        app.check(
            actions == ["c2pa.opened", "c2pa.cropped"]
                && cli["manifest"]["ingredients"][0]["relationship"] == "parentOf"
                && cli["manifest"]["ingredients"][0]["title"] == "harbour.jpg",
            &format!("`hallmark --json verify` should find c2pa.opened, c2pa.cropped and the parent: {cli}"),
        )
        .await;

        // Its card: opened the earlier version, cropped; the history names the signed harbour.
        app.click("nav-verify").await;
        app.wait_screen("verify").await;
        app.type_text("verify-path", &edited.to_string_lossy()).await;
        app.click("verify-submit").await;
        app.wait_text_for("verify-verdict", "signed by Ana, not changed", SLOW_WAIT, |t| {
            t.starts_with("Signed by Ana") && t.ends_with("not changed since")
        })
        .await;
        app.wait_text("verify-title-text", "the cropped title", |t| t == "Harbour at dawn, cropped").await;
        let actions = app
            .execute("return [...document.querySelectorAll('#verify-actions li')].map(li => li.textContent)", vec![])
            .await;
        let steps: Vec<&str> =
            actions.as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
        app.check(
            steps.len() == 2 && steps[0].starts_with("Opened an earlier version") && steps[1].starts_with("Cropped"),
            &format!("#verify-actions should list Opened an earlier version, then Cropped: {actions}"),
        )
        .await;
        app.wait_visible("verify-history-block").await;
        let history = app
            .execute(
                "return [...document.querySelectorAll('#verify-history > li.history-item')].map(li => ({ \
                 title: li.querySelector('.history-title').textContent, \
                 lines: [...li.querySelectorAll(':scope > .history-line')].map(l => l.textContent) }))",
                vec![],
            )
            .await;
        let item = &history[0];
        let lines: Vec<&str> =
            item["lines"].as_array().map(|a| a.iter().filter_map(|x| x.as_str()).collect()).unwrap_or_default();
        app.check(
            history.as_array().is_some_and(|h| h.len() == 1)
                && item["title"] == "harbour.jpg"
                && lines.first() == Some(&"Earlier version (made from it)")
                && lines.iter().any(|l| l.starts_with("Signed by Ana (you)") && l.contains(&did))
                && lines.iter().any(|l| l.starts_with("Created")),
            &format!("#verify-history should show the signed harbour as the earlier version, signed by Ana, created: {history}"),
        )
        .await;
        app.step(&format!("the edit's card: {steps:?}; history: {history}"));
        app.scroll_to("verify-history-block").await;
        app.screenshot("verify-edit-history").await;

        app.quit().await;
        run.pass();
    })
    .await;
}

/// A photo-like 480×320 JPEG; different seeds are different pictures.
fn test_jpeg(seed: u32) -> Vec<u8> {
    hallmark_testmedia::jpeg(u64::from(seed), 480, 320, 85)
}

/// Helpers of the media test.
impl App<'_> {
    /// Like `wait_text`, with its own time limit (signing and verifying take a few seconds).
    async fn wait_text_for(&self, id: &str, expected: &str, wait: Duration, ok: impl Fn(&str) -> bool) -> String {
        self.run.doing(format!("waiting for #{id} to show {expected}"));
        let deadline = Instant::now() + wait;
        let mut last = String::new();
        loop {
            if let Ok(e) = self.client.find(Locator::Id(id)).await {
                if e.is_displayed().await.unwrap_or(false) {
                    last = e.text().await.unwrap_or_default().trim().to_string();
                    if ok(&last) {
                        return last;
                    }
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("#{id} should show {expected} within {wait:?}; it shows {last:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The rows of `#sign-results`: {state, input, file, detail}.
    async fn sign_results(&self) -> Vec<Value> {
        let script = r#"
            const text = (li, css) => { const e = li.querySelector(css); return e ? e.textContent.trim() : null; };
            return [...document.querySelectorAll('#sign-results li.result')].map(li => ({
                state: li.dataset.state,
                input: li.dataset.input,
                file: text(li, '.result-file'),
                detail: text(li, '.result-detail'),
            }));"#;
        self.execute(script, vec![]).await.as_array().cloned().unwrap_or_default()
    }

    /// The preview's `src` and its decoded width (0 when the image did not load).
    async fn preview(&self) -> (String, u64) {
        self.wait_visible("verify-preview").await;
        self.run.doing("waiting for the preview to load");
        let deadline = Instant::now() + WAIT;
        loop {
            let v = self
                .execute(
                    "const i = document.getElementById('verify-preview'); \
                     return [i.getAttribute('src') || '', i.complete ? i.naturalWidth : 0]",
                    vec![],
                )
                .await;
            let width = v[1].as_u64().unwrap_or(0);
            if width > 0 || Instant::now() > deadline {
                return (v[0].as_str().unwrap_or_default().to_string(), width);
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

/// What is missing of the devnet's npm packages (anvil, the EAS contracts in tests/eas), if
/// anything; with HALLMARK_TEST_REQUIRE_INTEROP=1 a missing package fails `test` instead.
fn devnet_packages_missing(test: &str) -> Option<String> {
    let packages = Path::new(env!("CARGO_MANIFEST_DIR")).join("../eas/node_modules");
    let needed = [
        packages.join("@foundry-rs/anvil-linux-amd64/bin/anvil"),
        packages.join("@ethereum-attestation-service/eas-contracts/artifacts/contracts/EAS.sol/EAS.json"),
    ];
    let msg =
        needed.iter().find(|p| !p.is_file()).map(|p| format!("{} is missing (run scripts/setup)", p.display()))?;
    if std::env::var("HALLMARK_TEST_REQUIRE_INTEROP").as_deref() == Ok("1") {
        panic!("{test} needs the devnet's packages: {msg}");
    }
    Some(msg)
}

/// Stops the devnet the app started for this data folder, whatever happens to the test:
/// its anvil (the pid in devnet.json, only if that process is anvil) gets SIGTERM, then
/// SIGKILL.
/// The process id of the app whose data folder is `home`.
fn app_process(home: &Path) -> Option<u32> {
    let wanted = format!("HALLMARK_HOME={}", home.display());
    fs::read_dir("/proc").ok()?.flatten().find_map(|entry| {
        let pid: u32 = entry.file_name().to_str()?.parse().ok()?;
        let comm = fs::read_to_string(entry.path().join("comm")).ok()?;
        let environ = fs::read(entry.path().join("environ")).ok()?;
        let is_ours = comm.trim() == "hallmark-app" && environ.split(|b| *b == 0).any(|v| v == wanted.as_bytes());
        is_ours.then_some(pid)
    })
}

struct DevnetGuard(PathBuf);
impl Drop for DevnetGuard {
    fn drop(&mut self) {
        let file = self.0.join("devnet.json");
        let Some(pid) = fs::read(&file)
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v["pid"].as_u64())
            .and_then(|p| i32::try_from(p).ok())
        else {
            return;
        };
        let is_anvil =
            || fs::read(format!("/proc/{pid}/cmdline")).is_ok_and(|c| String::from_utf8_lossy(&c).contains("anvil"));
        if is_anvil() {
            unsafe { libc::kill(pid, libc::SIGTERM) };
            let deadline = Instant::now() + Duration::from_secs(5);
            while is_anvil() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
            if is_anvil() {
                unsafe { libc::kill(pid, libc::SIGKILL) };
            }
        }
        let _ = fs::remove_file(file);
    }
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn attest_and_lookup() {
    // The devnet runs anvil with the real EAS contracts from tests/eas/node_modules.
    if let Some(msg) = devnet_packages_missing("attest_and_lookup") {
        eprintln!("SKIPPED attest_and_lookup: the devnet's packages are not installed: {msg}");
        return;
    }

    let run = Run::new("attest_and_lookup");
    let _devnet = DevnetGuard(run.home.clone());
    run.within(async {
        let app = App::launch(&run).await;
        // The test phrase's Ethereum account (TEST_ADDRESS) attests and pays.
        app.restore_wallet(TEST_PHRASE).await;
        let did = app.create_identity("key", "Ana").await;

        // The Attestations screen: this app sends the queue; the devnet is not running yet.
        app.click("nav-attest").await;
        app.wait_screen("attestations").await;
        let worker = app
            .wait_text_for("attest-worker", "that this app sends the queue", SLOW_WAIT, |t| {
                t.starts_with("Hallmark sends your attestations")
            })
            .await;
        app.step(&format!("#attest-worker says {worker:?}"));
        let address = app.wait_text("attest-address", "the wallet's Ethereum account", |t| !t.is_empty()).await;
        app.check(
            address.eq_ignore_ascii_case(TEST_ADDRESS),
            &format!("#attest-address reads {address:?}, expected {TEST_ADDRESS}"),
        )
        .await;
        let devnet = app
            .wait_text("attest-devnet-status", "that the devnet is not running", |t| t.starts_with("Not running"))
            .await;
        app.step(&format!("#attest-devnet-status says {devnet:?}"));
        app.wait_visible("attest-empty").await;
        app.screenshot("attest-empty").await;

        // Start the devnet (anvil with the EAS contracts; the account gets test ETH), choose it.
        app.click("attest-devnet-start").await;
        let devnet = app
            .wait_text_for("attest-devnet-status", "that the devnet runs", SLOW_WAIT, |t| {
                t.starts_with("Running on this computer")
            })
            .await;
        app.step(&format!("started the devnet: {devnet:?}"));
        app.check(run.home.join("devnet.json").is_file(), "the devnet should be recorded in the data folder").await;
        app.select_value("attest-network", "devnet").await;
        let about =
            app.wait_text("attest-network-about", "what the devnet is", |t| t.contains("private test chain")).await;
        app.step(&format!("chose the devnet: {about:?}"));
        app.screenshot("attest-devnet-chosen").await;

        // Sign a picture on the Sign screen, then press Attest on its result.
        let media = run.dir.join("media");
        fs::create_dir_all(&media).expect("media folder");
        let photo = media.join("harbour.jpg");
        fs::write(&photo, test_jpeg(7)).expect("test photo");
        let signed = media.join("harbour.signed.jpg");
        app.click("nav-sign").await;
        app.wait_screen("sign").await;
        app.type_text("sign-inputs", &photo.to_string_lossy()).await;
        app.select_value("sign-as", &did).await;
        app.click("sign-submit").await;
        app.wait_text_for("sign-summary", "that the file was signed", SLOW_WAIT, |t| t.starts_with("Signed 1 file"))
            .await;
        app.check(signed.is_file(), &format!("{} should have been written", signed.display())).await;
        app.run.doing("pressing Attest on the signed file".to_string());
        let button = app
            .ok(
                app.client.find(Locator::Css("#sign-results li.result-signed button.result-attest")).await,
                "finding the Attest button of the signed file",
            )
            .await;
        app.ok(button.click().await, "pressing Attest").await;
        let deadline = Instant::now() + WAIT;
        let note = loop {
            let v = app
                .execute(
                    "const li = document.querySelector('#sign-results li.result-signed'); \
                     return [li.querySelector('.result-attest-note').textContent, \
                             li.querySelector('.result-attest-error').textContent]",
                    vec![],
                )
                .await;
            let (note, error) = (v[0].as_str().unwrap_or_default(), v[1].as_str().unwrap_or_default());
            if !error.is_empty() {
                app.fail(&format!("Attest on the signed file failed: {error:?}")).await;
            }
            if !note.is_empty() {
                break note.to_string();
            }
            if Instant::now() > deadline {
                app.fail(&format!("no note after pressing Attest within {WAIT:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        };
        app.check(
            note.starts_with("Queued: Hallmark records it on Ethereum (devnet)"),
            &format!("the Attest note reads {note:?}"),
        )
        .await;
        app.step(&format!("Attest on the signed file: {note:?}"));
        app.scroll_to("sign-progress-panel").await;
        app.screenshot("sign-attest-queued").await;

        // The queue: the worker sends it; it ends up recorded, with its UID.
        app.click("nav-attest").await;
        app.wait_screen("attestations").await;
        app.run.doing("waiting for the attestation to be recorded".to_string());
        let rows_script = r#"
            const text = (li, css) => { const e = li.querySelector(css); return e ? e.textContent.trim() : null; };
            return [...document.querySelectorAll('#attest-items li.attest-item')].map(li => ({
                id: li.dataset.id, state: li.dataset.state, uid: li.dataset.uid,
                label: text(li, '.result-file'), said: text(li, '.attest-state'),
                what: text(li, '.attest-what'), uid_text: text(li, '.attest-uid'),
                problem: text(li, '.attest-problem'),
            }));"#;
        let deadline = Instant::now() + SLOW_WAIT;
        let row = loop {
            let rows = app.execute(rows_script, vec![]).await;
            let rows = rows.as_array().cloned().unwrap_or_default();
            if let Some(r) = rows.iter().find(|r| r["state"] == "confirmed") {
                break r.clone();
            }
            if let Some(r) = rows.iter().find(|r| r["state"] == "failed") {
                app.fail(&format!("the attestation failed: {r}")).await;
            }
            if Instant::now() > deadline {
                app.fail(&format!("the attestation should be recorded within {SLOW_WAIT:?}; the queue shows {rows:?}"))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        };
        let uid = row["uid"].as_str().unwrap_or_default().to_string();
        app.check(
            uid.len() == 66 && uid.starts_with("0x") && uid != format!("0x{}", "0".repeat(64)),
            &format!("the recorded row should carry its UID: {row}"),
        )
        .await;
        app.check(
            row["label"] == "harbour.signed.jpg"
                && row["said"] == "Recorded on Ethereum (devnet)"
                && row["uid_text"] == json!(format!("Attestation UID: {uid}"))
                && row["what"].as_str().is_some_and(|w| w.contains(&did) && w.starts_with("image/jpeg")),
            &format!("the recorded row should name the file, the devnet, the signer and the UID: {row}"),
        )
        .await;
        let counts = app.text("attest-counts").await;
        app.check(counts == "1 recorded", &format!("#attest-counts reads {counts:?}")).await;
        app.step(&format!("recorded on the devnet: {row}"));
        app.screenshot("attest-recorded").await;

        // Look the signed file up, dropped on the Lookup panel (Tauri's drop event reaches the
        // drop zone as "paths-dropped"): this wallet's row and the chain's attestation, by us.
        app.execute(
            "document.getElementById('attest-drop').dispatchEvent(new CustomEvent('paths-dropped', \
             {detail: {paths: arguments[0]}})); return true",
            vec![json!([signed.to_string_lossy()])],
        )
        .await;
        let summary = app
            .wait_text_for("attest-lookup-chain-summary", "the chain's attestation", SLOW_WAIT, |t| {
                t == "Ethereum (devnet) holds 1 attestation of this file:"
            })
            .await;
        app.step(&format!("#attest-lookup-chain-summary says {summary:?}"));
        let found = app
            .execute(
                r#"return [...document.querySelectorAll('#attest-lookup-chain li.attest-found')].map(li => ({
                    uid: li.dataset.uid, yours: li.dataset.yours, text: li.textContent }));"#,
                vec![],
            )
            .await;
        let found = found.as_array().cloned().unwrap_or_default();
        app.check(
            found.len() == 1
                && found[0]["uid"] == json!(uid)
                && found[0]["yours"] == "true"
                && found[0]["text"].as_str().is_some_and(|t| t.contains(&did) && t.contains(TEST_ADDRESS)),
            &format!("the chain should hold our attestation {uid} by {TEST_ADDRESS}: {found:?}"),
        )
        .await;
        let local = app.text("attest-lookup-local-summary").await;
        app.check(local == "This wallet asked for 1 attestation of it:", &format!("local summary: {local:?}")).await;
        app.wait_count(&format!("#attest-lookup-local li[data-uid=\"{uid}\"][data-state=\"confirmed\"]"), 1).await;
        let sha = app.text("attest-lookup-sha").await;
        let shown = app.value("attest-lookup-target").await;
        app.check(
            same_path(&shown, &signed),
            &format!("the dropped path should fill #attest-lookup-target: {shown:?}"),
        )
        .await;
        app.step(&format!("lookup of the dropped file: on chain {found:?}; {sha}"));
        app.scroll_to("attest-lookup-title").await;
        app.screenshot("attest-lookup").await;

        // The same by its SHA-256, pasted.
        let hash = sha.trim_start_matches("SHA-256 of the file: ").to_string();
        app.check(hash.len() == 66 && hash.starts_with("0x"), &format!("#attest-lookup-sha reads {sha:?}")).await;
        app.execute("document.getElementById('attest-lookup-chain').textContent = ''; return true", vec![]).await;
        app.type_text("attest-lookup-target", &hash).await;
        app.click("attest-lookup-submit").await;
        app.wait_count(&format!("#attest-lookup-chain li.attest-found[data-uid=\"{uid}\"]"), 1).await;
        app.step("lookup by the pasted SHA-256 finds the same attestation");

        // Verify's card offers Attest too: this file is recorded already.
        app.click("nav-verify").await;
        app.wait_screen("verify").await;
        app.type_text("verify-path", &signed.to_string_lossy()).await;
        app.click("verify-submit").await;
        app.wait_text_for("verify-verdict", "signed by Ana", SLOW_WAIT, |t| t.starts_with("Signed by Ana")).await;
        app.click("verify-attest").await;
        let note = app.wait_text("verify-attest-note", "already recorded", |t| !t.is_empty()).await;
        app.check(note == "Already recorded on Ethereum (devnet).", &format!("#verify-attest-note reads {note:?}"))
            .await;
        app.step(&format!("Attest on the Verify card: {note:?}"));
        app.scroll_to("verify-attest-block").await;
        app.screenshot("verify-already-attested").await;

        // Stop the devnet from the screen (the guard stops it otherwise).
        app.click("nav-attest").await;
        app.wait_screen("attestations").await;
        app.click("attest-devnet-stop").await;
        app.wait_text_for("attest-devnet-status", "that the devnet stopped", SLOW_WAIT, |t| {
            t.starts_with("Not running")
        })
        .await;
        app.check(!run.home.join("devnet.json").exists(), "devnet.json should be gone after Stop devnet").await;
        app.step("stopped the devnet");
        // Started again: quitting the app (below) stops it.
        app.click("attest-devnet-start").await;
        let again = app
            .wait_text_for("attest-devnet-status", "that the devnet runs again", SLOW_WAIT, |t| {
                t.starts_with("Running on this computer") && t.contains("stops when you quit Hallmark")
            })
            .await;
        app.step(&format!("started the devnet again: {again:?}"));

        // Locking stops the worker: it lets go of the queue's lock (and drops the key).
        let lock_file = run.home.join("attest-worker.lock");
        let held =
            |file: &Path| fs::OpenOptions::new().write(true).open(file).map(|f| f.try_lock().is_err()).unwrap_or(false);
        app.check(held(&lock_file), "while unlocked, the app's worker should hold attest-worker.lock").await;
        app.click("lock-button").await;
        app.wait_screen("unlock").await;
        let deadline = Instant::now() + WAIT;
        while held(&lock_file) {
            if Instant::now() > deadline {
                app.fail(&format!("the worker still holds attest-worker.lock {WAIT:?} after locking")).await;
            }
            tokio::time::sleep(POLL).await;
        }
        app.step("after Lock the worker let go of the queue (attest-worker.lock is free)");

        // Asked to end (SIGTERM, as at logout), the app quits as when its window is closed, and
        // stops the devnet it started: it leaves no process behind. (Ending the WebDriver session
        // kills the app outright, so the test sends the signal itself.)
        let pid = fs::read(run.home.join("devnet.json"))
            .ok()
            .and_then(|b| serde_json::from_slice::<Value>(&b).ok())
            .and_then(|v| v["pid"].as_u64())
            .expect("devnet.json names the devnet's process");
        let app_pid = app_process(&run.home).expect("the app's process (HALLMARK_HOME is this test's folder)");
        let sent = Command::new("kill").args(["-TERM", &app_pid.to_string()]).status();
        app.check(sent.is_ok_and(|s| s.success()), &format!("kill -TERM {app_pid}")).await;
        let deadline = Instant::now() + WAIT;
        while run.home.join("devnet.json").exists() || Path::new(&format!("/proc/{pid}")).exists() {
            if Instant::now() > deadline {
                app.fail(&format!("the devnet this app started still runs {WAIT:?} after the app was asked to end"))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
        app.step(&format!("asked to end, the app stopped the devnet it had started (pid {pid})"));
        app.quit().await;
        run.pass();
    })
    .await;
}

#[tokio::test]
#[ignore = "needs Xvfb, tauri-driver and a keyring session: run scripts/e2e"]
async fn activity_log_timeline() {
    // Pinning the log needs the devnet (anvil with the real EAS contracts from
    // tests/eas/node_modules); without them that part is skipped, unless interop is required.
    let missing = devnet_packages_missing("activity_log_timeline");
    if let Some(msg) = &missing {
        eprintln!("NOTICE activity_log_timeline: pinning the log on the devnet is skipped: {msg}");
    }

    let run = Run::new("activity_log_timeline");
    let _devnet = DevnetGuard(run.home.clone());
    run.within(async {
        let app = App::launch(&run).await;
        app.restore_wallet(TEST_PHRASE).await;
        let did = app.create_identity("key", "Ana").await;

        // A few actions, each of which writes a signed entry: sign a picture on the Sign screen…
        let media = run.dir.join("media");
        fs::create_dir_all(&media).expect("media folder");
        let photo = media.join("harbour.jpg");
        fs::write(&photo, test_jpeg(11)).expect("test photo");
        app.click("nav-sign").await;
        app.wait_screen("sign").await;
        app.type_text("sign-inputs", &photo.to_string_lossy()).await;
        app.select_value("sign-as", &did).await;
        app.click("sign-submit").await;
        app.wait_text_for("sign-summary", "that the file was signed", SLOW_WAIT, |t| t.starts_with("Signed 1 file"))
            .await;
        app.step("signed harbour.jpg as Ana");

        // …issue a humanity credential on the Credentials screen…
        app.click("nav-credentials").await;
        app.wait_screen("credentials").await;
        app.select_value("issue-type", "humanity").await;
        app.select_value("issue-as", &did).await;
        app.type_text("issue-subject", &did).await;
        app.select_value("issue-method", "in-person").await;
        app.select_value("issue-format", "di").await;
        app.click("issue-submit").await;
        app.wait_credential("the humanity credential issued by Ana", |c| c["kind"] == "Humanity credential").await;
        app.step("issued a humanity credential to Ana");

        // …and create a community on the Communities screen.
        app.click("nav-communities").await;
        app.wait_screen("communities").await;
        app.type_text("create-community-name", "Chess club").await;
        app.select_value("create-community-as", &did).await;
        app.type_text("create-community-vouches", "2").await;
        app.click("create-community-submit").await;
        app.wait_text("community-name", "the new community's name", |t| t == "Chess club").await;
        app.step("created the community Chess club");

        // What the log holds, by the command line (independently of the screen).
        let status = run_cli(&run.home, &["log", "status"]);
        let mut n = status["entries"].as_u64().unwrap_or(0);
        let issued = status["actions"]["issue_credential"].as_u64().unwrap_or(0);
        let head = status["head"].as_str().unwrap_or_default().to_string();
        app.check(
            n >= 4 && status["actions"]["sign_media"] == 1 && status["actions"]["created"] == 1 && issued >= 1,
            &format!("`hallmark log status` should count the sign, issue and create entries: {status}"),
        )
        .await;
        app.step(&format!("`hallmark log status`: {n} entries, head {head}"));

        // The Activity screen: every entry, newest first, in words.
        app.click("nav-activity").await;
        app.wait_screen("activity").await;
        let rows = app.wait_activity_rows(&format!("{n} entries"), |r| r.len() as u64 == n).await;
        let seqs: Vec<u64> = rows.iter().filter_map(|r| r["seq"].as_str()?.parse().ok()).collect();
        app.check(
            seqs == (1..=n).rev().collect::<Vec<_>>(),
            &format!("the timeline should list entries {n}..1, newest first; it lists {seqs:?}"),
        )
        .await;
        let find = |action: &str| rows.iter().find(|r| r["action"] == action).cloned().unwrap_or(Value::Null);
        let signed = find("sign_media");
        app.check(
            signed["what"] == "You signed the picture harbour.signed.jpg as Ana"
                && signed["meta"].as_str().is_some_and(|m| m.contains("by Ana (you)")),
            &format!("the signing should read in words, by Ana: {signed}"),
        )
        .await;
        let humanity = rows
            .iter()
            .find(|r| r["what"] == "Credential issued: a humanity credential, about Ana (you)")
            .cloned()
            .unwrap_or(Value::Null);
        app.check(
            humanity["action"] == "issue_credential"
                && humanity["meta"].as_str().is_some_and(|m| m.contains("by Ana (you)")),
            &format!("the humanity credential should read in words: {rows:?}"),
        )
        .await;
        let created = find("created");
        let community = created["community"].as_str().unwrap_or_default().to_string();
        app.check(
            created["what"] == "Community Chess club created"
                && community.starts_with("urn:uuid:")
                && created["meta"].as_str().is_some_and(|m| m.ends_with("Chess club")),
            &format!("the community's creation should name it: {created}"),
        )
        .await;
        let count = app.text("activity-count").await;
        app.check(count == format!("{n} entries, newest first"), &format!("#activity-count reads {count:?}")).await;
        app.step(&format!("the timeline reads {:?}", rows.iter().map(|r| r["what"].clone()).collect::<Vec<_>>()));
        app.screenshot("activity-timeline").await;

        // The newest entry's details: its number, its fingerprint (the log's head, as the command
        // line says) and its signature algorithm.
        app.click_css("#activity-list li.activity-entry:first-child details summary").await;
        let details = app
            .execute(
                "const d = document.querySelector('#activity-list li.activity-entry:first-child details'); \
                 return [d.open, d.innerText]",
                vec![],
            )
            .await;
        let text = details[1].as_str().unwrap_or_default();
        app.check(
            details[0] == true && text.contains(&format!("#{n}")) && text.contains(&head) && text.contains("Ed25519"),
            &format!("the details should show entry {n}, its hash {head} and Ed25519: {text:?}"),
        )
        .await;
        app.step("the newest entry's details show its number, the log's head and the signature algorithm");
        app.execute(
            "document.querySelector('#activity-list li.activity-entry:first-child').scrollIntoView({block: 'start'}); \
             return true",
            vec![],
        )
        .await;
        app.screenshot("activity-details").await;

        // Filter by action: the credentials issued only.
        app.select_value("activity-filter-action", "issue_credential").await;
        let only = app
            .wait_activity_rows("only the credentials issued", |r| {
                r.len() as u64 == issued && r.iter().all(|x| x["action"] == "issue_credential")
            })
            .await;
        app.step(&format!("filtered by action: {} entries, all issue_credential", only.len()));
        app.screenshot("activity-filter-action").await;
        // Filter by community: Chess club's entries only.
        app.select_value("activity-filter-action", "").await;
        app.select_value("activity-filter-community", &community).await;
        let of_club = app
            .wait_activity_rows("only Chess club's entries", |r| {
                !r.is_empty() && r.iter().all(|x| x["community"] == json!(community))
            })
            .await;
        app.check(of_club.iter().any(|r| r["action"] == "created"), &format!("Chess club's entries: {of_club:?}"))
            .await;
        app.step(&format!("filtered by community: {} entries of Chess club", of_club.len()));
        app.select_value("activity-filter-community", "").await;
        app.wait_activity_rows(&format!("{n} entries again"), |r| r.len() as u64 == n).await;

        // The whole log checks.
        let summary = app
            .wait_text_for("activity-verify-summary", "that every entry checks", SLOW_WAIT, |t| {
                t.starts_with(&format!("All {n} entries check"))
            })
            .await;
        let badge = app.text("activity-verify-state").await;
        app.check(badge == "Intact", &format!("#activity-verify-state reads {badge:?}")).await;
        app.step(&format!("verification: {summary:?}"));
        app.scroll_to("activity-verify-title").await;
        app.screenshot("activity-verified").await;

        // Pin the log on the devnet: start it and choose it on the Attestations screen, then
        // Anchor now; the worker records it and the screen says the entries are pinned.
        let mut pinned = 0;
        if missing.is_none() {
            app.click("nav-attest").await;
            app.wait_screen("attestations").await;
            app.wait_text_for("attest-worker", "that this app sends the queue", SLOW_WAIT, |t| {
                t.starts_with("Hallmark sends your attestations")
            })
            .await;
            app.click("attest-devnet-start").await;
            app.wait_text_for("attest-devnet-status", "that the devnet runs", SLOW_WAIT, |t| {
                t.starts_with("Running on this computer")
            })
            .await;
            app.select_value("attest-network", "devnet").await;
            app.wait_text("attest-network-about", "what the devnet is", |t| t.contains("private test chain")).await;
            app.step("started the devnet and chose it");

            app.click("nav-activity").await;
            app.wait_screen("activity").await;
            app.wait_text("activity-anchor-status", "that nothing is pinned yet", |t| {
                t.starts_with("Not pinned on a blockchain yet")
            })
            .await;
            let network = app
                .wait_text("activity-anchor-network", "the chosen network", |t| t.contains("Ethereum (devnet)"))
                .await;
            app.step(&format!("#activity-anchor-network says {network:?}"));
            app.click("activity-anchor-now").await;
            let note = app.wait_text("activity-anchor-note", "that the pin is queued", |t| !t.is_empty()).await;
            app.check(
                note == format!("Queued: Hallmark pins entries 1–{n} on Ethereum (devnet) in a moment."),
                &format!("#activity-anchor-note reads {note:?}"),
            )
            .await;
            app.step(&format!("Anchor now: {note:?}"));
            let status = app
                .wait_text_for("activity-anchor-status", "that the entries are pinned", SLOW_WAIT, |t| {
                    t.starts_with(&format!("Entries 1–{n} are pinned on Ethereum (devnet)"))
                })
                .await;
            app.step(&format!("#activity-anchor-status says {status:?}"));
            // The pin's own record is the newest entry; the entries it covers are marked pinned;
            // the verification now checks the pin on the chain.
            let rows = app
                .wait_activity_rows("the pin's record on top", |r| {
                    r.len() as u64 == n + 1 && r[0]["what"] == "Activity log pinned on Ethereum (devnet)"
                })
                .await;
            app.check(
                rows[1..].iter().all(|r| r["pinned"] == true) && rows[0]["pinned"] == false,
                &format!("entries 1–{n} should be marked pinned: {rows:?}"),
            )
            .await;
            let detail = app
                .wait_text_for("activity-verify-detail", "that the chain agrees", SLOW_WAIT, |t| {
                    t == format!("Entries 1–{n} are pinned on Ethereum (devnet), and the chain agrees.")
                })
                .await;
            let summary = app.text("activity-verify-summary").await;
            app.check(
                summary.starts_with(&format!("All {} entries check", n + 1)),
                &format!("#activity-verify-summary reads {summary:?}"),
            )
            .await;
            app.wait_count("#activity-verify-anchors li[data-status=\"matches\"]", 1).await;
            app.step(&format!("verification with the pin: {summary:?} / {detail:?}"));
            app.screenshot("activity-pinned").await;

            // Anchor automatically every 5 entries: saved for the devnet.
            app.click("activity-auto-on").await;
            app.type_text("activity-auto-every", "5").await;
            app.click("activity-auto-save").await;
            let auto = app
                .wait_text("activity-auto-status", "automatic pinning on", |t| {
                    t.starts_with("On: Hallmark pins the log on Ethereum (devnet) after every 5 new entries")
                })
                .await;
            let status = run_cli(&run.home, &["log", "status"]);
            app.check(
                status["anchoring"]["every"] == 5
                    && status["anchoring"]["network"] == "devnet"
                    && status["anchored"] == n,
                &format!("`hallmark log status` should show the pin and the setting: {status}"),
            )
            .await;
            app.step(&format!("automatic anchoring: {auto:?}"));
            pinned = n;
            n += 1;
        } else {
            app.step("SKIPPED pinning on the devnet: its packages are not installed");
        }

        // Export the whole log; the command line verifies the file on its own (entries,
        // signatures and, on the devnet, the pin).
        app.select_value("activity-export-what", "").await;
        app.click("activity-export-submit").await;
        app.wait_visible("activity-export-result").await;
        let summary = app.text("activity-export-summary").await;
        app.check(
            summary.starts_with(&format!("The whole log: {n} entries.")),
            &format!("#activity-export-summary reads {summary:?}"),
        )
        .await;
        let name = app.text("activity-export-name").await;
        let text = app.value("activity-export-text").await;
        let file = run.dir.join(&name);
        fs::write(&file, &text).expect("the exported log");
        let report = run_cli(&run.home, &["log", "verify", &file.to_string_lossy()]);
        app.check(
            report["valid"] == true && report["entries"] == n && report["full"] == n && report["covered"] == pinned,
            &format!("`hallmark log verify {name}` should find {n} valid entries, {pinned} pinned: {report}"),
        )
        .await;
        app.step(&format!("`hallmark --json log verify {name}`: valid, {n} entries, entries 1–{pinned} pinned"));
        app.click("activity-export-copy").await;
        app.wait_text("toast", "Copied", |t| t == "Copied").await;
        app.scroll_to("activity-export-title").await;
        app.screenshot("activity-export").await;

        // Chess club's log for its members: its decisions in full, the rest as fingerprints.
        app.select_value("activity-export-what", &community).await;
        app.click("activity-export-submit").await;
        let summary = app
            .wait_text("activity-export-summary", "the community's export", |t| {
                t.starts_with("Chess club’s log for its members")
            })
            .await;
        let name = app.text("activity-export-name").await;
        let text = app.value("activity-export-text").await;
        let file = run.dir.join(&name);
        fs::write(&file, &text).expect("the community's log");
        let report = run_cli(&run.home, &["log", "verify", &file.to_string_lossy()]);
        app.check(
            name == "chess-club-activity-log.jsonl"
                && report["valid"] == true
                && report["entries"] == n
                && report["full"].as_u64().is_some_and(|f| f >= 1)
                && report["redacted"].as_u64().is_some_and(|r| r >= 1),
            &format!("`hallmark log verify {name}` should find a valid log, partly redacted: {report}"),
        )
        .await;
        app.step(&format!("Chess club's export: {summary:?}; the command line finds it valid: {report}"));
        app.screenshot("activity-export-community").await;

        app.quit().await;
        run.pass();
    })
    .await;
}

/// Helpers of the activity test.
impl App<'_> {
    /// The rows of `#activity-list`: {seq, action, community, pinned, what, meta}.
    async fn activity_rows(&self) -> Vec<Value> {
        let script = r#"
            const text = (li, css) => { const e = li.querySelector(css); return e ? e.textContent.trim() : null; };
            return [...document.querySelectorAll('#activity-list li.activity-entry')].map(li => ({
                seq: li.dataset.seq, action: li.dataset.action, community: li.dataset.community,
                pinned: li.classList.contains('activity-pinned'),
                what: text(li, '.activity-what'), meta: text(li, '.activity-meta'),
            }));"#;
        self.execute(script, vec![]).await.as_array().cloned().unwrap_or_default()
    }

    /// Waits until `#activity-list` satisfies `ok`; returns its rows.
    async fn wait_activity_rows(&self, expected: &str, ok: impl Fn(&[Value]) -> bool) -> Vec<Value> {
        self.run.doing(format!("waiting for #activity-list to show {expected}"));
        let deadline = Instant::now() + SLOW_WAIT;
        loop {
            let rows = self.activity_rows().await;
            if ok(&rows) {
                return rows;
            }
            if Instant::now() > deadline {
                let error = self.execute("return document.getElementById('activity-error').textContent", vec![]).await;
                self.fail(&format!(
                    "#activity-list should show {expected} within {SLOW_WAIT:?}; it shows {rows:?}; #activity-error: {error}"
                ))
                .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// Where things are
// ---------------------------------------------------------------------------------------------

/// `<target>/debug`: the test binary runs from `<target>/debug/deps`.
fn profile_dir() -> PathBuf {
    let exe = std::env::current_exe().expect("path of the test binary");
    exe.parent().and_then(Path::parent).expect("<target>/<profile>/deps/<test binary>").to_path_buf()
}

fn env_path(var: &str) -> Option<PathBuf> {
    std::env::var_os(var).filter(|v| !v.is_empty()).map(PathBuf::from)
}

fn app_binary() -> PathBuf {
    env_path("HALLMARK_E2E_APP").unwrap_or_else(|| profile_dir().join("hallmark-app"))
}

fn cli_binary() -> PathBuf {
    env_path("HALLMARK_E2E_CLI").unwrap_or_else(|| profile_dir().join("hallmark"))
}

fn tauri_driver() -> PathBuf {
    if let Some(p) = env_path("TAURI_DRIVER") {
        return p;
    }
    if let Some(home) = env_path("HOME") {
        let p = home.join(".cache/hallmark/tools/bin/tauri-driver");
        if p.exists() {
            return p;
        }
    }
    PathBuf::from("tauri-driver")
}

fn webkit_driver() -> PathBuf {
    env_path("WEBKIT_DRIVER").unwrap_or_else(|| PathBuf::from("/usr/bin/WebKitWebDriver"))
}

fn results_root() -> PathBuf {
    env_path("HALLMARK_E2E_RESULTS").unwrap_or_else(|| profile_dir().parent().expect("<target>").join("e2e-results"))
}

fn same_path(shown: &str, expected: &Path) -> bool {
    let shown = Path::new(shown.trim());
    shown == expected || fs::canonicalize(shown).ok() == fs::canonicalize(expected).ok()
}

// ---------------------------------------------------------------------------------------------
// One test run: its data folder, results folder and results.txt
// ---------------------------------------------------------------------------------------------

struct Run {
    name: &'static str,
    /// This test's data folder (HALLMARK_HOME), empty at the start.
    home: PathBuf,
    _home_dir: Option<tempfile::TempDir>,
    /// `<target>/e2e-results/<test>/`.
    dir: PathBuf,
    started: Instant,
    screenshots: Cell<u32>,
    finished: Cell<bool>,
    failure_logged: Cell<bool>,
    /// What the test is doing now, for the message when it hangs.
    doing: RefCell<String>,
}

impl Run {
    fn new(name: &'static str) -> Run {
        let dir = results_root().join(name);
        let _ = fs::remove_dir_all(&dir);
        fs::create_dir_all(&dir).unwrap_or_else(|e| panic!("cannot create {}: {e}", dir.display()));
        let home_dir = tempfile::Builder::new().prefix("hallmark-e2e-").tempdir().expect("temporary data folder");
        let home = fs::canonicalize(home_dir.path()).expect("canonical data folder");
        let run = Run {
            name,
            home,
            _home_dir: Some(home_dir),
            dir,
            started: Instant::now(),
            screenshots: Cell::new(0),
            finished: Cell::new(false),
            failure_logged: Cell::new(false),
            doing: RefCell::new(String::new()),
        };
        run.log(&format!("test: {name}"));
        run.log(&format!("app: {}", app_binary().display()));
        run.log(&format!("HALLMARK_HOME: {}", run.home.display()));
        run
    }

    fn log(&self, line: &str) {
        let path = self.dir.join("results.txt");
        let mut f = fs::OpenOptions::new().create(true).append(true).open(&path).expect("results.txt");
        let _ = writeln!(f, "[{:6.2}s] {line}", self.started.elapsed().as_secs_f64());
    }

    fn step(&self, what: &str) {
        eprintln!("[{}] {what}", self.name);
        self.log(&format!("ok    {what}"));
    }

    fn next_shot(&self, name: &str) -> PathBuf {
        let n = self.screenshots.get() + 1;
        self.screenshots.set(n);
        self.dir.join(format!("{n:02}-{name}.png"))
    }

    fn pass(&self) {
        self.finished.set(true);
        self.log(&format!("PASS  {} in {:.1} s", self.name, self.started.elapsed().as_secs_f64()));
    }

    fn driver_log(&self) -> PathBuf {
        self.dir.join("app.log")
    }

    fn doing(&self, what: impl Into<String>) {
        *self.doing.borrow_mut() = what.into();
    }

    /// Runs the test body with a deadline: a hang becomes a failure that says what hung.
    async fn within(&self, body: impl Future<Output = ()>) {
        if tokio::time::timeout(TEST_TIMEOUT, body).await.is_ok() {
            return;
        }
        // The body (and with it the app session and tauri-driver) is dropped by now.
        let doing = self.doing.borrow().clone();
        let log = tail(&self.driver_log(), 30);
        let msg = format!("the test did not finish within {TEST_TIMEOUT:?}; it hung while {doing}");
        self.log(&format!("FAIL  {msg}\n--- app/driver log (last lines) ---\n{log}"));
        self.failure_logged.set(true);
        panic!("{msg}\n\n--- app/driver log (last lines) ---\n{log}\n\nresults: {}", self.dir.display());
    }

    /// The whole X screen (Xvfb has no window manager) with imagemagick's `import`, saved as
    /// `NN-<name>.png`; best effort. Returns whether it worked.
    fn x_screenshot(&self, name: &str) -> bool {
        if std::env::var_os("DISPLAY").is_none() {
            return false;
        }
        let path = self.next_shot(name);
        let ok = Command::new("import")
            .args(["-window", "root"])
            .arg(&path)
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .status()
            .map(|s| s.success())
            .unwrap_or(false);
        if ok {
            self.log(&format!("shot  {} (whole X screen)", path.file_name().unwrap().to_string_lossy()));
        }
        ok
    }
}

impl Drop for Run {
    fn drop(&mut self) {
        if !self.finished.get() {
            if !self.failure_logged.get() {
                self.log(&format!("FAIL  {} (see the panic message in the test output)", self.name));
            }
            // Keep the data folder for a post-mortem.
            if let Some(dir) = self._home_dir.take() {
                let kept = dir.keep();
                self.log(&format!("kept the data folder {}", kept.display()));
            }
        }
    }
}

// ---------------------------------------------------------------------------------------------
// tauri-driver: one per app session
// ---------------------------------------------------------------------------------------------

fn free_port() -> u16 {
    TcpListener::bind("127.0.0.1:0").and_then(|l| l.local_addr()).expect("a free local port").port()
}

fn tail(path: &Path, lines: usize) -> String {
    let text = fs::read_to_string(path).unwrap_or_default();
    let all: Vec<&str> = text.lines().collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

struct Driver {
    child: Child,
    port: u16,
}

impl Driver {
    fn start(run: &Run) -> Driver {
        let port = free_port();
        let mut native_port = free_port();
        while native_port == port {
            native_port = free_port();
        }
        let log_path = run.driver_log();
        let log = fs::OpenOptions::new().create(true).append(true).open(&log_path).expect("app.log");
        let driver = tauri_driver();
        let child = Command::new(&driver)
            .args(["--port", &port.to_string(), "--native-port", &native_port.to_string()])
            .arg("--native-driver")
            .arg(webkit_driver())
            // tauri-driver hands its environment to the app.
            .env("HALLMARK_HOME", &run.home)
            // The real OS keyring (scripts/e2e runs the tests inside scripts/with-keyring).
            .env("HALLMARK_KEYRING", "os")
            .env_remove("HALLMARK_PASSPHRASE")
            // The app's own log (stderr), in app.log, without colour codes.
            .env("NO_COLOR", "1")
            .env("HALLMARK_LOG", std::env::var("HALLMARK_LOG").unwrap_or_else(|_| "info".into()))
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("app.log"))
            .stderr(log)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot start {} ({e}); scripts/e2e installs it", driver.display()));
        let mut driver = Driver { child, port };
        let deadline = Instant::now() + WAIT;
        while TcpStream::connect(("127.0.0.1", port)).is_err() {
            if let Ok(Some(status)) = driver.child.try_wait() {
                panic!("tauri-driver exited ({status}) before listening; its log:\n{}", tail(&log_path, 40));
            }
            if Instant::now() > deadline {
                panic!("tauri-driver did not listen on port {port} within {WAIT:?}; its log:\n{}", tail(&log_path, 40));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        run.log(&format!("tauri-driver listening on {port} (WebKitWebDriver on {native_port})"));
        driver
    }
}

impl Drop for Driver {
    fn drop(&mut self) {
        // SIGTERM, so tauri-driver stops WebKitWebDriver (and the app) too; SIGKILL would leave
        // them running.
        unsafe {
            libc::kill(self.child.id() as libc::pid_t, libc::SIGTERM);
        }
        let deadline = Instant::now() + Duration::from_secs(5);
        while Instant::now() < deadline {
            if let Ok(Some(_)) = self.child.try_wait() {
                return;
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        eprintln!("tauri-driver ignored SIGTERM for 5 s; killing it");
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

// ---------------------------------------------------------------------------------------------
// The app in its window, driven over WebDriver
// ---------------------------------------------------------------------------------------------

struct App<'r> {
    run: &'r Run,
    client: Client,
    // Dropped after the client: stops tauri-driver, WebKitWebDriver and the app.
    _driver: Driver,
}

impl<'r> App<'r> {
    /// Starts tauri-driver and a WebDriver session, which opens the app's window.
    async fn launch(run: &'r Run) -> App<'r> {
        let app = app_binary();
        assert!(app.exists(), "no app binary at {} — build it with `cargo build -p hallmark-app`", app.display());
        let driver = Driver::start(run);
        run.doing("starting a WebDriver session (and with it the app)");
        let mut caps = serde_json::Map::new();
        caps.insert("tauri:options".into(), json!({ "application": app }));
        let url = format!("http://127.0.0.1:{}", driver.port);
        let client = match ClientBuilder::rustls().expect("rustls connector").capabilities(caps).connect(&url).await {
            Ok(c) => c,
            Err(e) => {
                panic!("no WebDriver session with the app ({e}); app/driver log:\n{}", tail(&run.driver_log(), 60))
            }
        };
        run.step("app started (WebDriver session open)");
        App { run, client, _driver: driver }
    }

    /// Ends the session (the app quits) and stops tauri-driver.
    async fn quit(self) {
        let App { run, client, _driver } = self;
        run.doing("ending the WebDriver session");
        if let Err(e) = client.close().await {
            run.log(&format!("closing the WebDriver session: {e}"));
        }
        drop(_driver);
        run.log("app closed");
    }

    fn step(&self, what: &str) {
        self.run.step(what);
    }

    // --- failing with context ---------------------------------------------------------------

    /// What is on screen now: the visible screens, their text and any error messages.
    async fn describe(&self) -> String {
        let script = r#"
            const visible = [...document.querySelectorAll('.screen')].filter(s => !s.hidden);
            const alerts = [...document.querySelectorAll('[role=alert]')]
                .filter(a => a.textContent.trim() !== '')
                .map(a => '#' + a.id + ': ' + a.textContent.trim());
            const toast = document.getElementById('toast');
            return {
                screens: visible.map(s => s.id),
                text: visible.map(s => s.innerText).join('\n----\n').slice(0, 4000),
                alerts: alerts,
                toast: toast ? toast.textContent.trim() : null,
            };"#;
        match tokio::time::timeout(SHOT_TIMEOUT, self.client.execute(script, vec![])).await.unwrap_or(Ok(Value::Null)) {
            Ok(Value::Null) => "(the page did not answer)".to_string(),
            Ok(v) => format!(
                "visible screens: {}\nerror messages: {}\ntoast: {}\nvisible text:\n{}",
                v["screens"],
                v["alerts"],
                v["toast"],
                v["text"].as_str().unwrap_or("")
            ),
            Err(e) => format!("(could not read the page: {e})"),
        }
    }

    /// Records the failure (message, page, screenshots, app log) in results.txt, then panics.
    async fn fail(&self, msg: &str) -> ! {
        let page = self.describe().await;
        self.nudge_repaint().await;
        match tokio::time::timeout(SHOT_TIMEOUT, self.client.screenshot()).await {
            Ok(Ok(png)) => {
                let shot = self.run.next_shot("FAILURE");
                if fs::write(&shot, png).is_ok() {
                    self.run.log(&format!("shot  {}", shot.file_name().unwrap().to_string_lossy()));
                }
            }
            Ok(Err(e)) => self.run.log(&format!("no window screenshot: {e}")),
            Err(_) => self.run.log("no window screenshot: WebDriver did not answer"),
        }
        self.run.x_screenshot("FAILURE-whole-screen");
        let log = tail(&self.run.driver_log(), 30);
        self.run.log(&format!("FAIL  {msg}\n{page}\n--- app/driver log (last lines) ---\n{log}"));
        self.run.failure_logged.set(true);
        panic!("{msg}\n\n{page}\n\n--- app/driver log (last lines) ---\n{log}\n\nresults: {}", self.run.dir.display());
    }

    async fn check(&self, ok: bool, msg: &str) {
        if !ok {
            self.fail(msg).await;
        }
    }

    async fn ok<T>(&self, r: Result<T, CmdError>, what: &str) -> T {
        match r {
            Ok(v) => v,
            Err(e) => self.fail(&format!("{what}: {e}")).await,
        }
    }

    // --- small helpers ----------------------------------------------------------------------

    async fn is_visible(&self, id: &str) -> bool {
        match self.client.find(Locator::Id(id)).await {
            Ok(e) => e.is_displayed().await.unwrap_or(false),
            Err(_) => false,
        }
    }

    async fn wait_visible_for(&self, id: &str, wait: Duration) -> Element {
        self.run.doing(format!("waiting for #{id} to be visible"));
        let deadline = Instant::now() + wait;
        loop {
            if let Ok(e) = self.client.find(Locator::Id(id)).await {
                if e.is_displayed().await.unwrap_or(false) {
                    return e;
                }
            }
            if Instant::now() > deadline {
                let state = match self.client.find(Locator::Id(id)).await {
                    Ok(_) => "is in the page but not visible",
                    Err(_) => "is not in the page",
                };
                self.fail(&format!("#{id} did not become visible within {wait:?}: it {state}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn wait_visible(&self, id: &str) -> Element {
        self.wait_visible_for(id, WAIT).await
    }

    /// The ids of the `.screen` sections WebDriver considers displayed.
    async fn displayed_screens(&self) -> Vec<String> {
        let mut shown = Vec::new();
        for screen in self.client.find_all(Locator::Css("section.screen")).await.unwrap_or_default() {
            if screen.is_displayed().await.unwrap_or(false) {
                shown.push(screen.attr("id").await.ok().flatten().unwrap_or_default());
            }
        }
        shown
    }

    /// Waits until `#<name>-screen` is the one screen displayed.
    async fn wait_screen_for(&self, name: &str, wait: Duration) {
        let id = format!("{name}-screen");
        self.wait_visible_for(&id, wait).await;
        let deadline = Instant::now() + WAIT;
        loop {
            let shown = self.displayed_screens().await;
            if shown == [id.as_str()] {
                break;
            }
            if Instant::now() > deadline {
                self.fail(&format!("#{id} should be the only screen displayed; displayed: {shown:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
        self.step(&format!("on the {name} screen"));
    }

    async fn wait_screen(&self, name: &str) {
        self.wait_screen_for(name, WAIT).await;
    }

    async fn click(&self, id: &str) {
        let e = self.wait_visible(id).await;
        self.run.doing(format!("clicking #{id}"));
        self.ok(e.click().await, &format!("clicking #{id}")).await;
    }

    async fn type_text(&self, id: &str, text: &str) {
        let e = self.wait_visible(id).await;
        self.run.doing(format!("typing into #{id}"));
        self.ok(e.clear().await, &format!("clearing #{id}")).await;
        self.send_keys(&e, text).await;
    }

    async fn send_keys(&self, e: &Element, text: &str) {
        self.ok(e.send_keys(text).await, "typing").await;
    }

    async fn text(&self, id: &str) -> String {
        let e = self.wait_visible(id).await;
        self.ok(e.text().await, &format!("text of #{id}")).await.trim().to_string()
    }

    async fn attr(&self, e: &Element, name: &str) -> Option<String> {
        self.ok(e.attr(name).await, &format!("attribute {name}")).await
    }

    /// Waits until #id is visible and its text satisfies `ok`; returns the text.
    async fn wait_text(&self, id: &str, expected: &str, ok: impl Fn(&str) -> bool) -> String {
        self.wait_text_for(id, expected, WAIT, ok).await
    }

    /// Waits until exactly `n` elements match `css`.
    async fn wait_count(&self, css: &str, n: usize) -> Vec<Element> {
        self.run.doing(format!("waiting for {n} elements matching `{css}`"));
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.client.find_all(Locator::Css(css)).await.unwrap_or_default();
            if found.len() == n {
                return found;
            }
            if Instant::now() > deadline {
                self.fail(&format!("expected {n} elements matching `{css}` within {WAIT:?}, found {}", found.len()))
                    .await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn execute(&self, script: &str, args: Vec<Value>) -> Value {
        self.run.doing("running a script in the page");
        self.ok(self.client.execute(script, args).await, "running a script in the page").await
    }

    /// Makes the page repaint a few times over the next second without changing what it shows
    /// (a transparent 1-px box that moves, then goes away). WebKitWebDriver answers a screenshot
    /// only after the next repaint; with the app's WEBKIT_DISABLE_COMPOSITING_MODE=1 a page
    /// that is not changing never repaints, and the screenshot (and the session) would hang.
    async fn nudge_repaint(&self) {
        let script = r#"
            const box = document.createElement('div');
            box.setAttribute('aria-hidden', 'true');
            box.style.cssText = 'position:fixed;left:0;top:0;width:1px;height:1px;'
                + 'pointer-events:none;background:transparent;z-index:-1';
            document.body.appendChild(box);
            let n = 0;
            const tick = () => {
                box.style.left = (n % 2) + 'px';
                if (++n < 60) setTimeout(tick, 16); else box.remove();
            };
            setTimeout(tick, 16);"#;
        let _ = tokio::time::timeout(SHOT_TIMEOUT, self.client.execute(script, vec![])).await;
    }

    /// A WebDriver screenshot of the window, saved as `NN-<name>.png`. If WebDriver does not
    /// answer within SHOT_TIMEOUT the session is stuck: the whole X screen is saved instead and
    /// the test fails.
    async fn screenshot(&self, name: &str) {
        self.run.doing(format!("taking the screenshot {name:?}"));
        self.nudge_repaint().await;
        match tokio::time::timeout(SHOT_TIMEOUT, self.client.screenshot()).await {
            Ok(png) => {
                let png = self.ok(png, "taking a screenshot").await;
                let path = self.run.next_shot(name);
                fs::write(&path, png).unwrap_or_else(|e| panic!("cannot write {}: {e}", path.display()));
                self.run.log(&format!("shot  {}", path.file_name().unwrap().to_string_lossy()));
            }
            Err(_) => {
                self.run.x_screenshot(name);
                self.fail(&format!(
                    "WebDriver took no screenshot {name:?} within {SHOT_TIMEOUT:?}, and the session stops \
                     answering after that (WebKitWebDriver waits for a repaint that does not come)"
                ))
                .await;
            }
        }
    }

    // --- flows and readings -----------------------------------------------------------------

    /// The 24 words of `#phrase-words`, in order.
    async fn phrase_words(&self) -> Vec<String> {
        self.wait_visible("phrase-words").await;
        let items = self.wait_count("#phrase-words > li", 24).await;
        let mut words = Vec::new();
        for li in items {
            words.push(self.ok(li.text().await, "text of a phrase word").await.trim().to_string());
        }
        let bad: Vec<&String> =
            words.iter().filter(|w| w.is_empty() || !w.chars().all(|c| c.is_ascii_lowercase())).collect();
        self.check(bad.is_empty(), &format!("each <li> should hold exactly one lowercase word; odd ones: {bad:?}"))
            .await;
        words
    }

    /// Welcome → restore → identities, with `phrase` and PASSPHRASE.
    async fn restore_wallet(&self, phrase: &str) {
        self.wait_screen("welcome").await;
        self.click("restore-wallet").await;
        self.wait_screen("restore").await;
        self.type_text("restore-phrase", phrase).await;
        self.type_text("restore-passphrase", PASSPHRASE).await;
        self.type_text("restore-passphrase-confirm", PASSPHRASE).await;
        self.click("restore-submit").await;
        self.wait_screen_for("identities", SLOW_WAIT).await;
    }

    /// (label, DID) of every `li.identity` in `#identity-list`.
    async fn listed_identities(&self) -> Vec<(String, String)> {
        let items = self.ok(self.client.find_all(Locator::Css("#identity-list li.identity")).await, "listing").await;
        let mut out = Vec::new();
        for li in items {
            let label = match li.find(Locator::Css(".identity-label")).await {
                Ok(e) => e.text().await.unwrap_or_default().trim().to_string(),
                Err(_) => String::new(),
            };
            let did = match li.find(Locator::Css(".identity-did")).await {
                Ok(e) => e.text().await.unwrap_or_default().trim().to_string(),
                Err(_) => String::new(),
            };
            out.push((label, did));
        }
        out
    }

    /// Waits until `#identity-list` shows `did`.
    async fn wait_identity(&self, did: &str) {
        self.run.doing(format!("waiting for {did} in #identity-list"));
        let deadline = Instant::now() + WAIT;
        loop {
            let listed = self.listed_identities().await;
            if listed.iter().any(|(_, d)| d == did) {
                self.step(&format!("{did} is listed"));
                return;
            }
            if Instant::now() > deadline {
                self.fail(&format!("#identity-list should list {did} within {WAIT:?}; it lists {listed:?}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// Creates an identity with the form; returns its DID as the list shows it, once the detail
    /// panel shows it too.
    async fn create_identity(&self, method: &str, label: &str) -> String {
        self.run.doing(format!("creating a did:{method} called {label:?}"));
        let before = self.listed_identities().await;
        let select = self.wait_visible("new-method").await;
        self.ok(select.select_by_value(method).await, &format!("choosing {method} in #new-method")).await;
        self.type_text("new-label", label).await;
        self.click("new-create").await;
        let deadline = Instant::now() + WAIT;
        let did = loop {
            let now = self.listed_identities().await;
            if let Some((_, did)) = now.iter().find(|(_, d)| !d.is_empty() && !before.iter().any(|(_, b)| b == d)) {
                break did.clone();
            }
            if Instant::now() > deadline {
                let error = match self.client.find(Locator::Id("new-error")).await {
                    Ok(e) => e.text().await.unwrap_or_default(),
                    Err(_) => String::new(),
                };
                self.fail(&format!(
                    "after #new-create ({method}, {label:?}) no new li.identity appeared within {WAIT:?}; \
                     list: {now:?}; #new-error: {error:?}"
                ))
                .await;
            }
            tokio::time::sleep(POLL).await;
        };
        self.wait_visible("identity-detail").await;
        self.wait_text("detail-did", "the new identity's DID (it should be selected)", |t| t == did).await;
        self.step(&format!("created did:{method} {label:?}: {did}"));
        did
    }

    /// Checks that `#detail-qr` holds a displayed `<svg>` with drawn modules: rect/path elements
    /// and, all in all, at least 21 shapes (one per row of the smallest QR code) counting each
    /// sub-path of a `<path>`. Returns (elements, shapes).
    async fn qr_drawn(&self) -> (usize, usize) {
        let script = r#"
            const svg = document.querySelector('#detail-qr svg');
            if (!svg) return null;
            const rects = svg.querySelectorAll('rect').length;
            const paths = [...svg.querySelectorAll('path')];
            const subpaths = paths.map(p => ((p.getAttribute('d') || '').match(/[Mm]/g) || []).length)
                .reduce((a, b) => a + b, 0);
            return { elements: rects + paths.length, shapes: rects + subpaths };"#;
        let deadline = Instant::now() + WAIT;
        loop {
            let found = self.execute(script, vec![]).await;
            let elements = found["elements"].as_u64().unwrap_or(0) as usize;
            let shapes = found["shapes"].as_u64().unwrap_or(0) as usize;
            if elements > 0 && shapes >= 21 {
                let svg = self.ok(self.client.find(Locator::Css("#detail-qr svg")).await, "finding the QR svg").await;
                let (_, _, w, h) = self.ok(svg.rectangle().await, "size of the QR svg").await;
                self.check(w >= 50.0 && h >= 50.0, &format!("the QR <svg> is only {w}x{h} px")).await;
                return (elements, shapes);
            }
            if Instant::now() > deadline {
                self.fail(&format!("#detail-qr should hold an <svg> with drawn QR modules; found {found}")).await;
            }
            tokio::time::sleep(POLL).await;
        }
    }

    async fn no_images_injected(&self) {
        let imgs = self
            .ok(self.client.find_all(Locator::Css("#identity-list img, #identity-detail img")).await, "finding img")
            .await;
        self.check(
            imgs.is_empty(),
            &format!("found {} <img> element(s) in #identity-list/#identity-detail: a label became HTML", imgs.len()),
        )
        .await;
        self.step("no <img> in #identity-list or #identity-detail");
    }

    async fn no_alert_open(&self) {
        self.run.doing("asking whether an alert is open");
        match self.client.get_alert_text().await {
            Err(e) if e.is_no_such_alert() => self.step("no alert is open"),
            Ok(text) => self.fail(&format!("an alert is open: {text:?}")).await,
            Err(e) => self.fail(&format!("asking for an open alert failed oddly: {e}")).await,
        }
    }

    /// The first screen shown after the loading screen.
    async fn first_screen(&self) -> String {
        self.run.doing("waiting for the first screen after loading");
        let deadline = Instant::now() + SLOW_WAIT;
        loop {
            let shown = self
                .client
                .execute(
                    "return [...document.querySelectorAll('.screen')].filter(s => !s.hidden && s.id !== 'loading-screen').map(s => s.id)",
                    vec![],
                )
                .await
                .unwrap_or(Value::Null);
            if let Some(first) = shown.as_array().and_then(|a| a.first()).and_then(Value::as_str) {
                let id = first.to_string();
                // Confirm with WebDriver's own idea of visible.
                if self.is_visible(&id).await {
                    return id;
                }
            }
            if Instant::now() > deadline {
                self.fail(&format!("no screen besides loading-screen became visible within {SLOW_WAIT:?}")).await;
            }
            tokio::time::sleep(Duration::from_millis(20)).await;
        }
    }
}

// ---------------------------------------------------------------------------------------------
// The command line, as an independent check
// ---------------------------------------------------------------------------------------------

/// Runs `hallmark --json <args>` on `home` (no passphrase given: the OS keyring must open it).
fn run_cli(home: &Path, args: &[&str]) -> Value {
    let cli = cli_binary();
    assert!(cli.exists(), "no CLI binary at {} — build it with `cargo build -p hallmark-cli`", cli.display());
    let out_dir = tempfile::tempdir().expect("temp dir");
    let (out, err) = (out_dir.path().join("out"), out_dir.path().join("err"));
    let mut child = Command::new(&cli)
        .arg("--json")
        .args(args)
        .env("HALLMARK_HOME", home)
        .env("HALLMARK_KEYRING", "os")
        .env_remove("HALLMARK_PASSPHRASE")
        .stdin(Stdio::null())
        .stdout(fs::File::create(&out).unwrap())
        .stderr(fs::File::create(&err).unwrap())
        .spawn()
        .unwrap_or_else(|e| panic!("cannot run {}: {e}", cli.display()));
    let deadline = Instant::now() + SLOW_WAIT;
    let status = loop {
        if let Some(s) = child.try_wait().expect("waiting for the CLI") {
            break s;
        }
        if Instant::now() > deadline {
            let _ = child.kill();
            panic!(
                "`hallmark --json {}` did not finish within {SLOW_WAIT:?} (asking for a passphrase?)",
                args.join(" ")
            );
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let stdout = fs::read_to_string(&out).unwrap_or_default();
    let stderr = fs::read_to_string(&err).unwrap_or_default();
    assert!(status.success(), "`hallmark --json {}` failed ({status}):\n{stdout}\n{stderr}", args.join(" "));
    serde_json::from_str(&stdout)
        .unwrap_or_else(|e| panic!("`hallmark --json {}` printed no JSON ({e}):\n{stdout}", args.join(" ")))
}
