//! did:web end to end: `did web-doc` writes the document, a real HTTP server on localhost
//! publishes it, `did resolve` fetches it. (ssi resolves did:web for localhost over plain HTTP,
//! for everything else over HTTPS.) A missing document, a dead server and a server that never
//! answers each give their own clear error.

mod common;

use std::io::{BufRead, BufReader, Write};
use std::net::TcpListener;
use std::path::PathBuf;
use std::sync::{Arc, Mutex};

use common::*;

/// A tiny HTTP/1.1 file server over `root`, serving GET requests until the test ends.
fn serve(root: PathBuf) -> (u16, Arc<Mutex<Vec<String>>>) {
    let listener = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = listener.local_addr().unwrap().port();
    let seen = Arc::new(Mutex::new(Vec::new()));
    let log = seen.clone();
    std::thread::spawn(move || {
        for stream in listener.incoming() {
            let Ok(mut stream) = stream else { continue };
            let mut reader = BufReader::new(stream.try_clone().unwrap());
            let mut request_line = String::new();
            if reader.read_line(&mut request_line).is_err() {
                continue;
            }
            loop {
                let mut header = String::new();
                if reader.read_line(&mut header).map(|n| n == 0).unwrap_or(true) || header == "\r\n" {
                    break;
                }
            }
            let path = request_line.split_whitespace().nth(1).unwrap_or("/").to_string();
            log.lock().unwrap().push(path.clone());
            let file = root.join(path.trim_start_matches('/'));
            let response = match std::fs::read(&file) {
                Ok(body) => {
                    let mut r = format!("HTTP/1.1 200 OK\r\nContent-Type: application/did+json\r\nContent-Length: {}\r\nConnection: close\r\n\r\n", body.len()).into_bytes();
                    r.extend(body);
                    r
                }
                Err(_) => b"HTTP/1.1 404 Not Found\r\nContent-Length: 0\r\nConnection: close\r\n\r\n".to_vec(),
            };
            let _ = stream.write_all(&response);
        }
    });
    (port, seen)
}

#[test]
fn publish_and_resolve_did_web_over_http() {
    let site = tempfile::tempdir().unwrap();
    let (port, seen) = serve(site.path().to_path_buf());
    let home = Home::new();
    home.init();
    let domain = format!("localhost:{port}/users/alice");
    let id = home.json(&["did", "new", "--method", "web", "--domain", &domain, "--label", "Alice"]);
    let did = id["did"].as_str().unwrap().to_string();
    assert_eq!(did, format!("did:web:localhost%3A{port}:users:alice"));

    // Write the document where the did:web specification says it is served.
    std::fs::create_dir_all(site.path().join("users/alice")).unwrap();
    let target = site.path().join("users/alice/did.json");
    let written = home.json(&["did", "web-doc", &did, "--out", target.to_str().unwrap()]);
    assert_eq!(written["url"], format!("http://localhost:{port}/users/alice/did.json"));

    let resolved = home.json(&["did", "resolve", &did]);
    let published: serde_json::Value = serde_json::from_slice(&std::fs::read(&target).unwrap()).unwrap();
    assert_eq!(resolved["document"]["id"], did.as_str());
    assert_eq!(resolved["document"]["verificationMethod"], published["verificationMethod"]);
    assert_eq!(
        published["verificationMethod"][0]["publicKeyMultibase"],
        run_json(home.cmd(), &["did", "show", &did])["document"]["verificationMethod"][0]["publicKeyMultibase"]
    );
    assert!(seen.lock().unwrap().iter().any(|p| p == "/users/alice/did.json"), "{:?}", seen.lock().unwrap());

    // A DID whose document is not there: "not found".
    let (code, err, msg) = run_fail(home.cmd(), &["did", "resolve", &format!("did:web:localhost%3A{port}:users:bob")]);
    assert_eq!((code, err.as_str()), (1, "did_not_found"), "{msg}");

    // A document published under the wrong DID is rejected.
    std::fs::create_dir_all(site.path().join("users/mallory")).unwrap();
    std::fs::copy(&target, site.path().join("users/mallory/did.json")).unwrap();
    let (_, err, msg) = run_fail(home.cmd(), &["did", "resolve", &format!("did:web:localhost%3A{port}:users:mallory")]);
    assert_eq!(err, "invalid_did_document", "{msg}");

    // Not JSON at all.
    std::fs::create_dir_all(site.path().join("users/junk")).unwrap();
    std::fs::write(site.path().join("users/junk/did.json"), b"<html>oops</html>").unwrap();
    let (_, err, msg) = run_fail(home.cmd(), &["did", "resolve", &format!("did:web:localhost%3A{port}:users:junk")]);
    assert!(err == "invalid_did_document" || err == "did_unreachable", "{err}: {msg}");
}

#[test]
fn dead_and_silent_servers_give_clear_errors() {
    let home = Home::new();
    // Nothing listens on this port any more.
    let port = TcpListener::bind("127.0.0.1:0").unwrap().local_addr().unwrap().port();
    let (code, err, msg) = run_fail(home.cmd(), &["did", "resolve", &format!("did:web:localhost%3A{port}")]);
    assert_eq!((code, err.as_str()), (8, "did_unreachable"), "{msg}");
    assert!(msg.contains("could not reach"), "{msg}");

    // A server that accepts and never answers: the timeout stops the wait.
    let silent = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = silent.local_addr().unwrap().port();
    let _hold = std::thread::spawn(move || {
        let mut open = Vec::new();
        for s in silent.incoming() {
            open.push(s);
        }
    });
    let (code, err, msg) =
        run_fail(home.cmd(), &["did", "resolve", "--timeout", "1", &format!("did:web:localhost%3A{port}")]);
    assert_eq!((code, err.as_str()), (8, "did_timeout"), "{msg}");
    assert!(msg.contains("timed out after 1 s"), "{msg}");
}
