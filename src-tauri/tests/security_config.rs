//! The app's security configuration, checked from the files that ship: a strict CSP, capabilities
//! that grant exactly the app's own commands, and a UI that never turns data into HTML.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use serde_json::Value;

fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).parent().unwrap().to_path_buf()
}

fn read(rel: &str) -> String {
    std::fs::read_to_string(root().join(rel)).unwrap_or_else(|e| panic!("{rel}: {e}"))
}

/// The command names in a Rust source between `start` and the next `]`.
fn names_after(source: &str, start: &str, prefix: &str) -> BTreeSet<String> {
    let from = source.find(start).unwrap_or_else(|| panic!("{start} not found")) + start.len();
    let list = &source[from..from + source[from..].find(']').unwrap()];
    list.split(',')
        .map(|s| s.trim().trim_matches('"').trim_start_matches(prefix).to_string())
        .filter(|s| !s.is_empty())
        .collect()
}

#[test]
fn csp_is_strict() {
    let conf: Value = serde_json::from_str(&read("tauri.conf.json")).unwrap();
    let csp = &conf["app"]["security"]["csp"];
    assert!(csp.is_object(), "a CSP must be set");
    for (directive, value) in csp.as_object().unwrap() {
        let value = value.as_str().unwrap();
        assert!(!value.contains("unsafe-"), "{directive} allows {value}");
        if directive != "connect-src" {
            for remote in ["http:", "https:", "*", "ws:", "blob:"] {
                assert!(!value.contains(remote), "{directive} allows {remote}");
            }
        }
    }
    assert_eq!(csp["script-src"], "'self'");
    assert_eq!(csp["default-src"], "'self'");
    assert_eq!(csp["object-src"], "'none'");
    assert_eq!(csp["frame-ancestors"], "'none'");
    // The only non-self sources: Tauri's IPC, and data: images.
    assert_eq!(csp["connect-src"], "ipc: http://ipc.localhost");
    assert_eq!(csp["img-src"], "'self' data:");
    assert!(conf["build"].get("devUrl").is_none(), "no dev server: the UI is always the embedded files");
}

#[test]
fn capabilities_grant_exactly_the_apps_commands() {
    let build = read("src-tauri/build.rs");
    let declared = names_after(&build, "const COMMANDS: &[&str] = &[", "");
    let main = read("src-tauri/src/main.rs");
    let handled = names_after(&main, "tauri::generate_handler![", "commands::");
    assert_eq!(declared, handled, "build.rs COMMANDS and generate_handler! must list the same commands");

    let cap: Value = serde_json::from_str(&read("src-tauri/capabilities/default.json")).unwrap();
    assert_eq!(cap["windows"], serde_json::json!(["main"]));
    let granted: BTreeSet<String> = cap["permissions"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| p.as_str().expect("plain permission ids").to_string())
        .collect();
    let expected_app: BTreeSet<String> = declared.iter().map(|c| format!("allow-{}", c.replace('_', "-"))).collect();
    let app_grants: BTreeSet<String> = granted.iter().filter(|p| !p.contains(':')).cloned().collect();
    assert_eq!(app_grants, expected_app, "every app command granted, nothing else");
    let plugin_grants: BTreeSet<&str> = granted.iter().filter(|p| p.contains(':')).map(String::as_str).collect();
    assert_eq!(plugin_grants, BTreeSet::from(["core:event:allow-listen", "core:event:allow-unlisten"]));
    // Only the one capability file.
    let files: Vec<_> = std::fs::read_dir(root().join("src-tauri/capabilities")).unwrap().collect();
    assert_eq!(files.len(), 1);
}

fn ui_files(dir: &Path, out: &mut Vec<PathBuf>) {
    for e in std::fs::read_dir(dir).unwrap() {
        let p = e.unwrap().path();
        if p.is_dir() {
            ui_files(&p, out);
        } else {
            out.push(p);
        }
    }
}

#[test]
fn ui_has_no_html_sinks_inline_code_or_remote_resources() {
    let mut files = Vec::new();
    ui_files(&root().join("ui"), &mut files);
    assert!(files.iter().any(|f| f.ends_with("index.html")));
    for f in files {
        let text = std::fs::read_to_string(&f).unwrap();
        let name = f.display().to_string();
        for sink in ["innerHTML", "outerHTML", "insertAdjacentHTML", "document.write", "eval(", "new Function"] {
            assert!(!text.contains(sink), "{name} uses {sink}");
        }
        for remote in [
            "src=\"http",
            "href=\"http",
            "src=\"//",
            "href=\"//",
            "url(http",
            "url(//",
            "from 'http",
            "from \"http",
            "import('http",
            "fetch(",
        ] {
            assert!(!text.contains(remote), "{name} loads a remote resource ({remote})");
        }
        if name.ends_with(".html") {
            assert!(!text.contains(" style="), "{name} has inline styles");
            assert!(!inline_handler(&text), "{name} has inline event handlers");
            for script in text.match_indices("<script") {
                let tag = &text[script.0..script.0 + text[script.0..].find('>').unwrap()];
                assert!(tag.contains("src="), "{name} has an inline script: {tag}");
            }
        }
    }
}

/// True when an HTML text has an attribute like ` onclick=`.
fn inline_handler(html: &str) -> bool {
    html.match_indices(" on").any(|(i, _)| {
        let rest = &html[i + 3..];
        let name: String = rest.chars().take_while(|c| c.is_ascii_lowercase()).collect();
        !name.is_empty() && rest[name.len()..].starts_with('=')
    })
}
