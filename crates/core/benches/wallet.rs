//! Benchmarks of Hallmark's core operations, with criterion.
//!
//! Three groups:
//!
//! * `key_derivation` — the BIP-39 seed (PBKDF2-HMAC-SHA512, 2048 rounds), the SLIP-10
//!   Ed25519 identity key and the BIP-44 secp256k1 (Ethereum) key.
//! * `did_creation` — did:key, did:jwk, did:pkh and did:web from derived keys, and
//!   [`UnlockedWallet::new_identity`] end to end (derivation, DID, one SQLite transaction).
//! * `vault_open` — decrypting the seed, and the Argon2id passphrase step that unlocking
//!   costs on purpose; these use few samples so a full run stays around two minutes.
//!
//! Everything is deterministic: the fixed test phrase below, and temporary wallets created
//! with [`KeyringMode::None`], so the OS keyring is never touched.
//!
//! Run: `cargo bench -p hallmark-core --bench wallet` (add `-- --test` to run each once).

use std::hint::black_box;
use std::time::Duration;

use criterion::{criterion_group, criterion_main, Criterion, SamplingMode};
use hallmark_core::vault::{self, Vault};
use hallmark_core::{did, keys, DidMethod, KeyringMode, RecoveryPhrase, UnlockedWallet, Wallet, WalletError};
use tempfile::TempDir;
use zeroize::Zeroizing;

/// The well-known Hardhat/Anvil test phrase: deterministic keys and DIDs.
const PHRASE: &str = "test test test test test test test test test test test junk";
/// The passphrase of the temporary wallets.
const PASSPHRASE: &str = "bench-passphrase-1";

/// The passphrase supplier that [`Wallet::unlock`] calls when the keyring has no key.
fn passphrase() -> Result<Zeroizing<String>, WalletError> {
    Ok(Zeroizing::new(PASSPHRASE.to_string()))
}

/// The 64-byte BIP-39 seed of [`PHRASE`].
fn seed() -> Zeroizing<[u8; 64]> {
    RecoveryPhrase::parse(PHRASE).expect("the test phrase is valid").to_seed()
}

/// A new wallet from [`PHRASE`] in a temporary folder, without the OS keyring.
/// The folder is deleted when the returned guard is dropped.
fn temp_wallet() -> TempDir {
    let dir = tempfile::tempdir().expect("temporary folder");
    let phrase = RecoveryPhrase::parse(PHRASE).expect("the test phrase is valid");
    Wallet::create(dir.path(), &phrase, PASSPHRASE, KeyringMode::None).expect("wallet created");
    dir
}

fn key_derivation(c: &mut Criterion) {
    let seed = seed();
    let mut group = c.benchmark_group("key_derivation");
    group.bench_function("bip39_seed_pbkdf2", |b| {
        b.iter(|| RecoveryPhrase::parse(black_box(PHRASE)).expect("valid phrase").to_seed())
    });
    group.bench_function("slip10_ed25519", |b| {
        b.iter(|| keys::ed25519_identity_key(black_box(seed.as_ref()), black_box(0)).expect("derived"))
    });
    group.bench_function("bip44_secp256k1", |b| {
        b.iter(|| keys::ethereum_key(black_box(seed.as_ref()), black_box(0)).expect("derived"))
    });
    group.finish();
}

fn did_creation(c: &mut Criterion) {
    let seed = seed();
    let ed = keys::ed25519_identity_key(seed.as_ref(), 0).expect("derived").verifying_key();
    let eth = keys::ethereum_key(seed.as_ref(), 0).expect("derived");

    let mut group = c.benchmark_group("did_creation");
    group.bench_function("did_key", |b| b.iter(|| did::did_key(black_box(&ed)).expect("did:key")));
    group.bench_function("did_jwk", |b| b.iter(|| did::did_jwk(black_box(&ed))));
    group.bench_function("did_pkh", |b| b.iter(|| did::did_pkh(black_box(eth.public_compressed())).expect("did:pkh")));
    group.bench_function("did_web", |b| b.iter(|| did::did_web(black_box("example.com")).expect("did:web")));

    // End to end: each call derives the next key index and inserts one row, so the
    // database grows by one identity per iteration (indexed, so the cost stays flat).
    let home = temp_wallet();
    let mut unlocked: UnlockedWallet =
        Wallet::open(home.path(), KeyringMode::None).and_then(|w| w.unlock(passphrase)).expect("wallet unlocked");
    group.bench_function("new_identity_did_key", |b| {
        b.iter(|| unlocked.new_identity(black_box(DidMethod::Key), None, None).expect("identity"))
    });
    group.bench_function("new_identity_did_pkh", |b| {
        b.iter(|| unlocked.new_identity(black_box(DidMethod::Pkh), None, None).expect("identity"))
    });
    group.finish();
}

fn vault_open(c: &mut Criterion) {
    eprintln!(
        "vault_open: Argon2id m={} KiB ({} MiB), t={}, p={} — slow by design: every passphrase \
         guess costs an attacker this much time and memory (brute-force resistance).",
        vault::ARGON2_M_COST_KIB,
        vault::ARGON2_M_COST_KIB / 1024,
        vault::ARGON2_T_COST,
        vault::ARGON2_P_COST,
    );
    let home = temp_wallet();
    let vault = Vault::load(home.path()).expect("vault loaded");
    let wallet_key = vault.unwrap_key(PASSPHRASE).expect("right passphrase");

    let mut group = c.benchmark_group("vault_open");
    // The seed decryption (XChaCha20-Poly1305) is fast: measured with the suite's settings.
    group
        .bench_function("open_seed", |b| b.iter(|| vault.open_seed(black_box(&wallet_key)).expect("this vault's key")));

    // Argon2id takes a large fraction of a second per call: 10 samples, each of the same few
    // iterations (flat sampling, meant for long routines).
    group.sample_size(10).sampling_mode(SamplingMode::Flat).measurement_time(Duration::from_secs(8));
    group.bench_function("unwrap_key_argon2id", |b| {
        b.iter(|| vault.unwrap_key(black_box(PASSPHRASE)).expect("right passphrase"))
    });
    group.bench_function("wallet_open_unlock", |b| {
        b.iter(|| {
            Wallet::open(black_box(home.path()), KeyringMode::None)
                .and_then(|w| w.unlock(passphrase))
                .expect("wallet unlocked")
        })
    });
    group.finish();
}

criterion_group! {
    name = benches;
    // Short windows for the fast benchmarks keep a full run near two minutes;
    // command-line options (e.g. --measurement-time) still override these.
    config = Criterion::default().warm_up_time(Duration::from_secs(1)).measurement_time(Duration::from_secs(2));
    targets = key_derivation, did_creation, vault_open
}
criterion_main!(benches);
