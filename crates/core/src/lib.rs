//! # hallmark-core
//!
//! All of Hallmark's logic, with no user interface: the CLI (`hallmark`) and the desktop app
//! are thin layers over this crate. One module per capability:
//!
//! * [`mnemonic`] — BIP-39 recovery phrases.
//! * [`keys`] — SLIP-10 Ed25519 and BIP-44 secp256k1 derivation from the seed.
//! * [`vault`] — the encrypted seed at rest (XChaCha20-Poly1305, Argon2id).
//! * [`keystore`] — the OS keyring holding the wallet key.
//! * [`store`] — the SQLite database (identities, metadata, migrations).
//! * [`did`] — DIDs: creation, did:web documents, resolution.
//! * [`credential`] — W3C verifiable credentials with Data Integrity proofs: issue and verify.
//! * [`community`] — a moderator's desk: members, requests, vouches, moderators, the decision log.
//! * [`wallet`] — ties them together; the entry point for callers.
//! * [`session`] — the app's long-lived session: onboarding, unlock, lock, auto-lock.
//! * [`qr`] — QR codes of DIDs, as module matrices for the UI to draw.
//! * [`fingerprint`] — SHA-256, perceptual hash and thumbnail of media files.
//! * [`fsutil`] — atomic file writes.
//! * [`ids`] — random identifiers (UUID v4).
//! * [`manifest`] — C2PA content credentials: sign media files as an identity, verify them.
//! * [`attest`] — Ethereum Attestation Service: networks, a local devnet, schemas, on-chain and
//!   off-chain attestations, and the durable queue that sends them.
//! * [`activity`] — the activity log: every action as a signed, hash-chained entry; export and
//!   verification.
//!
//! See `ARCHITECTURE.md` at the repository root for the data flow and on-disk layout.

#![warn(missing_docs)]

pub mod activity;
pub mod attest;
pub mod community;
pub mod credential;
pub mod did;
pub mod fingerprint;
pub mod fsutil;
pub mod ids;
pub mod keys;
pub mod keystore;
pub mod manifest;
pub mod mnemonic;
pub mod qr;
pub mod session;
pub mod store;
pub mod vault;
pub mod wallet;

pub use did::{DidError, DidMethod};
pub use keystore::{KeyringMode, KeyringState};
pub use mnemonic::RecoveryPhrase;
pub use wallet::{UnlockedWallet, Wallet, WalletError};
