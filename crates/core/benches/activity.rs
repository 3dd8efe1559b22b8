//! Activity log throughput (issue 8): a 100,000-entry log, on a temporary data folder.
//!
//! * append — every entry through [`Store::append_log`], each in its own immediate transaction
//!   as real actions append theirs, signed by a [`LogSigner`] holding the keys of a real wallet
//!   (the fixed test phrase): two did:key identities (Ed25519, recorded in the store as
//!   identities, so the store's identity lookup finds them) and the Ethereum account's did:pkh
//!   (EIP-191) for attestation entries. A realistic mix of actions: files signed, attestations
//!   confirmed, credentials issued, vouched and revoked, community decisions. Entries/s overall
//!   and per tenth of the log (does appending slow down as the log grows?), and the database's
//!   size; then the same entries again with a signer that derives each entry's key from the seed,
//!   as the wallet's own signer does;
//! * SQL alone — the same rows written with plain SQLite (same schema and settings, one
//!   transaction each): the insert only, and the store's queries (head, identity, insert) with
//!   statements prepared per call, as now, and cached;
//! * export — [`Store::for_each_log_entry`] into [`ExportEntry`] lines and
//!   [`activity::write_export`], as [`hallmark_core::Wallet::export_log`] does (its did:web and
//!   anchor look-ups aside: this log has neither); also one community's export (its entries in
//!   full, the others redacted);
//! * verify — [`activity::verify_export`] of the whole export (it must report the log valid,
//!   with every entry), and of the community's export;
//! * tamper — one entry in the middle of the export changed: where verification locates it,
//!   and how long that takes;
//! * where the time of one entry goes, on append and on verify: each step alone (hashing,
//!   signing, the key derivation the wallet's own signer does per entry, parsing, key look-up,
//!   signature checks), over the first 5,000 entries.
//!
//! Times are wall-clock; where Linux tells (`/proc/thread-self/schedstat`), they are split into
//! time on a CPU, waiting for a CPU (other processes) and the rest (waiting for the disk).
//!
//! Figures only: nothing fails on a timing (it does fail if the log does not verify, or if the
//! tampered entry is not the one located).
//!
//! Run: `cargo bench -p hallmark-core --bench activity` (`HALLMARK_BENCH_LOG_ENTRIES=20000` for
//! fewer entries; default 100,000). Under `cargo test --benches`, or with `-- --test`, it runs on
//! 2,000 entries (breakdowns over 200) to check that everything works.

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rusqlite::OptionalExtension;

use alloy::signers::local::PrivateKeySigner;
use hallmark_core::activity::{self, ActivityError, Draft, Entry, EntrySig, ExportEntry, ExportHeader, LogSigner};
use hallmark_core::credential::method::{ed25519_from_document, Purpose};
use hallmark_core::keys::{self, KeyType, Secp256k1Key};
use hallmark_core::store::{Identity, NewIdentity, Store, DB_FILE};
use hallmark_core::{did, RecoveryPhrase};

/// The well-known Hardhat/Anvil test phrase: deterministic keys and DIDs.
const PHRASE: &str = "test test test test test test test test test test test junk";
/// Entries in a full run, unless `HALLMARK_BENCH_LOG_ENTRIES` says otherwise.
const DEFAULT_ENTRIES: usize = 100_000;
/// Entries in a quick run (`cargo test --benches`).
const QUICK_ENTRIES: usize = 2_000;
/// Entries whose steps are timed one by one for the breakdowns (in a quick run: 200).
const PROFILED_ENTRIES: usize = 5_000;
/// How long a DID resolution may take while verifying (did:key resolves locally).
const TIMEOUT: Duration = Duration::from_secs(10);
/// The communities whose decisions the log records (ids as the store makes them).
const COMMUNITIES: [&str; 3] = [
    "4f1c2a9e-8b7d-4e36-9a51-0c2d7e8f6b13",
    "b83e5d10-27c4-4a9f-8e61-5f0a3c9d2e47",
    "e2a7c6f4-91b3-4d58-a0e2-7b4c1d9f8a65",
];
/// Sepolia and its EAS contract, as attestation entries name them.
const CHAIN_ID: &str = "11155111";
const EAS: &str = "0xC2679fBD37d54388Ce493F1DB75320D236e1815e";

/// The wallet's keys, as its own signer would derive them from the seed.
struct Keys {
    seed: zeroize::Zeroizing<[u8; 64]>,
    /// did:key identities 0 and 1: DID, key, verification method.
    identities: Vec<(String, ed25519_dalek::SigningKey, String)>,
    /// The Ethereum account's did:pkh.
    ethereum_did: String,
    /// Its address (EIP-55), as an export's header names it.
    ethereum_address: String,
}

fn wallet_keys() -> Keys {
    let seed = RecoveryPhrase::parse(PHRASE).expect("the test phrase is valid").to_seed();
    let identities = (0..2)
        .map(|i| {
            let key = keys::ed25519_identity_key(seed.as_ref(), i).expect("identity key");
            let did = did::did_key(&key.verifying_key()).expect("did:key");
            let vm = did::verification_method_id(&did).expect("verification method");
            (did, key, vm)
        })
        .collect();
    let ethereum = keys::ethereum_key(seed.as_ref(), 0).expect("Ethereum key");
    let ethereum_did = did::did_pkh(ethereum.public_compressed()).expect("did:pkh");
    let ethereum_address = PrivateKeySigner::from_bytes(&alloy::primitives::B256::from(*ethereum.secret_bytes()))
        .expect("a valid key")
        .address()
        .to_checksum(None);
    Keys { seed, identities, ethereum_did, ethereum_address }
}

/// Signs as the wallet's identities (Ed25519, only for a DID the store knows as an identity,
/// as the wallet's own signer does) and its Ethereum account (EIP-191). The keys are derived
/// once here; the wallet's signer derives them for every entry (timed in the breakdown).
struct BenchSigner {
    ed25519: BTreeMap<String, (ed25519_dalek::SigningKey, String)>,
    ethereum: Secp256k1Key,
    ethereum_did: String,
}

impl BenchSigner {
    fn new(k: &Keys) -> BenchSigner {
        BenchSigner {
            ed25519: k.identities.iter().map(|(d, key, vm)| (d.clone(), (key.clone(), vm.clone()))).collect(),
            ethereum: keys::ethereum_key(k.seed.as_ref(), 0).expect("Ethereum key"),
            ethereum_did: k.ethereum_did.clone(),
        }
    }
}

impl LogSigner for BenchSigner {
    fn sign(&self, actor: &str, identity: Option<&Identity>, message: &[u8]) -> Result<EntrySig, ActivityError> {
        match (identity, self.ed25519.get(actor)) {
            (Some(id), Some((key, vm))) if id.did == actor => Ok(activity::sign_ed25519(key, vm, message)),
            (None, _) if actor == self.ethereum_did => activity::sign_eip191(&self.ethereum, message),
            _ => Err(ActivityError::NotOurs(actor.to_string())),
        }
    }

    fn ethereum_actor(&self) -> Option<String> {
        Some(self.ethereum_did.clone())
    }
}

/// Signs as the wallet's own signer (`SeedSigner` in `wallet/mod.rs`) does: the key derived
/// from the seed for every entry (SLIP-10 for an identity, BIP-32 for the Ethereum account).
struct DerivingSigner {
    seed: zeroize::Zeroizing<[u8; 64]>,
    ethereum_did: String,
}

impl LogSigner for DerivingSigner {
    fn sign(&self, actor: &str, identity: Option<&Identity>, message: &[u8]) -> Result<EntrySig, ActivityError> {
        let failed = |e: &dyn std::fmt::Display| ActivityError::Sign(e.to_string());
        match identity {
            Some(id) if id.key_type == KeyType::Ed25519.as_str() => {
                let key = keys::ed25519_identity_key(self.seed.as_ref(), id.key_index).map_err(|e| failed(&e))?;
                let vm = did::verification_method_id(&id.did).map_err(|e| failed(&e))?;
                Ok(activity::sign_ed25519(&key, &vm, message))
            }
            None if actor == self.ethereum_did => {
                let key = keys::ethereum_key(self.seed.as_ref(), 0).map_err(|e| failed(&e))?;
                activity::sign_eip191(&key, message)
            }
            _ => Err(ActivityError::NotOurs(actor.to_string())),
        }
    }

    fn ethereum_actor(&self) -> Option<String> {
        Some(self.ethereum_did.clone())
    }
}

/// A hash standing for object `what` of entry `i` (distinct, as full of entropy as a real one).
fn h(what: &str, i: usize) -> String {
    activity::sha256_hex(format!("{what} {i}").as_bytes())
}

/// What entry `i` records, with the objects the store's actions record for each kind: of every
/// 100 entries, 70 files signed, 12 attestations confirmed (by the Ethereum account), 3 off-chain
/// attestations, 4 credentials issued, 2 vouches, 1 revocation and 8 community decisions.
fn draft(i: usize, k: &Keys) -> Draft {
    let slot = (i * 37 + 11) % 100;
    let person = &k.identities[usize::from(i.is_multiple_of(10))].0;
    let eth = &k.ethereum_did;
    match slot {
        0..=69 => Draft::new(person, "sign_media")
            .object("original_sha256", h("original", i))
            .object("output_sha256", h("output", i))
            .object("manifest_label", format!("urn:c2pa:{}", &h("label", i)[..36]))
            .object("media_type", if i.is_multiple_of(7) { "image/png" } else { "image/jpeg" }),
        70..=84 => {
            let action = if slot < 82 { "attest" } else { "attest_offchain" };
            let d = Draft::new(eth, action)
                .object("uid", format!("0x{}", h("uid", i)))
                .object("schema", "content")
                .object("chain_id", CHAIN_ID)
                .object("eas", EAS)
                .object("content_sha256", h("original", i))
                .object("data_sha256", h("data", i));
            if action == "attest" {
                d.object("tx_hash", format!("0x{}", h("tx", i / 50))).object("block", (7_000_000 + i / 50).to_string())
            } else {
                d
            }
        }
        85..=90 => Draft::new(person, if slot < 89 { "issue_credential" } else { "vouch" })
            .object("credential_sha256", h("credential", i))
            .object("type", if slot < 89 { "HumanityCredential" } else { "VouchCredential" })
            .object("subject_sha256", h("subject", i)),
        91 => Draft::new(person, "revoke_credential")
            .object("credential_sha256", h("credential", i.saturating_sub(6)))
            .object("type", "HumanityCredential"),
        _ => {
            let action = ["invited", "admitted", "vouch_received", "humanity_issued", "banned", "left"][i % 6];
            let mut d = Draft::new(person, action)
                .object("subject_sha256", h("member", i % 500))
                .object("detail_sha256", h("detail", i));
            if action == "humanity_issued" {
                d = d.object("credential_sha256", h("credential", i));
            }
            d.community = Some(COMMUNITIES[i % COMMUNITIES.len()].to_string());
            d
        }
    }
}

/// A temporary store with the wallet's two did:key identities and the bench signer.
fn store(dir: &Path, k: &Keys) -> Store {
    let mut store = Store::open(dir).expect("store opened");
    for (did, key, _) in &k.identities {
        store
            .create_identity::<hallmark_core::store::StoreError>(KeyType::Ed25519, |_| {
                Ok(NewIdentity {
                    did: did.clone(),
                    method: "key",
                    label: None,
                    domain: None,
                    public_key: hex::encode(key.verifying_key().as_bytes()),
                })
            })
            .expect("identity recorded");
    }
    store.set_log_signer(Some(Arc::new(BenchSigner::new(k))));
    store
}

/// Size of the database with its WAL and shared-memory files.
fn db_size(dir: &Path) -> (u64, u64) {
    let size = |name: String| std::fs::metadata(dir.join(name)).map(|m| m.len()).unwrap_or(0);
    (size(DB_FILE.to_string()), size(format!("{DB_FILE}-wal")) + size(format!("{DB_FILE}-shm")))
}

fn rate(n: usize, d: Duration) -> f64 {
    n as f64 / d.as_secs_f64()
}

fn us(d: Duration, n: usize) -> f64 {
    d.as_secs_f64() * 1e6 / n.max(1) as f64
}

fn mb(bytes: u64) -> f64 {
    bytes as f64 / 1e6
}

/// This thread's time on a CPU and waiting for one (other processes running) so far, from
/// Linux's `/proc/thread-self/schedstat`; `None` elsewhere. With the wall-clock time they tell
/// computing from waiting for a CPU and from waiting for the disk.
fn cpu() -> Option<(Duration, Duration)> {
    let stat = std::fs::read_to_string("/proc/thread-self/schedstat").ok()?;
    let mut fields = stat.split_whitespace().map(|f| f.parse().ok().map(Duration::from_nanos));
    Some((fields.next()??, fields.next()??))
}

/// Wall-clock time, and on-CPU and run-queue time, since it started.
struct Timer(Instant, Option<(Duration, Duration)>);

/// Wall-clock time, and on-CPU and run-queue time if known.
type Times = (Duration, Option<(Duration, Duration)>);

impl Timer {
    fn start() -> Timer {
        Timer(Instant::now(), cpu())
    }
    fn stop(&self) -> Times {
        let cpu = self.1.zip(cpu()).map(|(a, b)| (b.0.saturating_sub(a.0), b.1.saturating_sub(a.1)));
        (self.0.elapsed(), cpu)
    }
}

fn line(name: &str, n: usize, (d, cpu): Times) {
    let cpu = cpu
        .map(|(c, q)| {
            let other = d.saturating_sub(c + q);
            format!(
                "; µs/entry: CPU {:.1}, waiting for a CPU {:.1}, for the disk {:.1}",
                us(c, n),
                us(q, n),
                us(other, n)
            )
        })
        .unwrap_or_default();
    println!(
        "{name:<52} {:>9.0} entries/s {:>8.1} µs/entry  ({n} in {:.2} s{cpu})",
        rate(n, d),
        us(d, n),
        d.as_secs_f64()
    );
}

/// How [`sqlite_floor`] writes each row.
#[derive(Clone, Copy, PartialEq)]
enum Floor {
    /// The insert alone, with a cached statement.
    Insert,
    /// What the store's `append` runs: the head and the actor's identity looked up, then the
    /// insert, each statement prepared anew (as `query_row`, `prepare` and `execute` do).
    StoreQueries,
    /// The same queries with cached statements.
    StoreQueriesCached,
}

/// The SQL under appending, alone: the same rows written into tables of the same schema (with
/// their indexes and triggers) and the same settings (WAL, `synchronous = NORMAL`), one
/// immediate transaction each, without hashing or signing.
fn sqlite_floor(data: &Path, floor: &Path, entries: &[Entry], mode: Floor) -> Times {
    const HEAD: &str = "SELECT seq, hash FROM activity_log ORDER BY seq DESC LIMIT 1";
    const IDENTITY: &str = "SELECT did, method, key_type, key_index, label, domain, public_key, created_at \
                            FROM identities WHERE did = ?1";
    const INSERT: &str = "INSERT INTO activity_log (seq, prev, community, content_hash, hash, time, actor, action, \
                          objects, sig) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)";
    let source = rusqlite::Connection::open(data.join(DB_FILE)).expect("database opened");
    let schema: Vec<String> = {
        let mut stmt = source
            .prepare(
                "SELECT sql FROM sqlite_master WHERE tbl_name IN ('activity_log', 'identities') AND sql IS NOT NULL
                 ORDER BY rowid",
            )
            .expect("schema query");
        let rows = stmt.query_map([], |r| r.get(0)).expect("schema read");
        rows.collect::<Result<_, _>>().expect("schema read")
    };
    std::fs::create_dir_all(floor).expect("floor folder");
    let path = floor.join("floor.db");
    for suffix in ["", "-wal", "-shm"] {
        let _ = std::fs::remove_file(format!("{}{suffix}", path.display()));
    }
    let mut conn = rusqlite::Connection::open(&path).expect("floor database");
    let _: String = conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0)).expect("WAL");
    conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;").expect("settings");
    for sql in &schema {
        conn.execute_batch(sql).expect("schema created");
    }
    conn.execute("ATTACH DATABASE ?1 AS source", [data.join(DB_FILE).display().to_string()]).expect("attached");
    conn.execute("INSERT INTO identities SELECT * FROM source.identities", []).expect("identities copied");
    conn.execute("DETACH DATABASE source", []).expect("detached");
    let t = Timer::start();
    for e in entries {
        let tx = conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate).expect("transaction");
        let values = rusqlite::params![
            e.seq as i64,
            e.prev,
            e.community,
            e.content_hash,
            e.hash,
            e.time,
            e.actor,
            e.action,
            serde_json::to_string(&e.objects).expect("objects serialise"),
            serde_json::to_string(&e.sig).expect("signature serialises"),
        ];
        let identity = |r: &rusqlite::Row<'_>| {
            Ok((r.get::<_, String>(0)?, r.get::<_, String>(2)?, r.get::<_, i64>(3)?, r.get::<_, String>(6)?))
        };
        match mode {
            Floor::Insert => {
                tx.prepare_cached(INSERT).expect("statement").execute(values).expect("inserted");
            }
            Floor::StoreQueries => {
                let head: Option<(i64, String)> =
                    tx.query_row(HEAD, [], |r| Ok((r.get(0)?, r.get(1)?))).optional().expect("head");
                std::hint::black_box(head);
                let mut stmt = tx.prepare(IDENTITY).expect("statement");
                let found: Vec<_> = stmt.query_map([&e.actor], identity).expect("identity").collect();
                std::hint::black_box(found);
                drop(stmt);
                tx.execute(INSERT, values).expect("inserted");
            }
            Floor::StoreQueriesCached => {
                let head: Option<(i64, String)> = tx
                    .prepare_cached(HEAD)
                    .expect("statement")
                    .query_row([], |r| Ok((r.get(0)?, r.get(1)?)))
                    .optional()
                    .expect("head");
                std::hint::black_box(head);
                let mut stmt = tx.prepare_cached(IDENTITY).expect("statement");
                let found: Vec<_> = stmt.query_map([&e.actor], identity).expect("identity").collect();
                std::hint::black_box(found);
                drop(stmt);
                tx.prepare_cached(INSERT).expect("statement").execute(values).expect("inserted");
            }
        }
        tx.commit().expect("committed");
    }
    t.stop()
}

/// The export text of `entries` (all in full, or `community`'s in full and the rest redacted).
fn export(entries: &[Entry], community: Option<&str>, ethereum_address: &str) -> String {
    let lines: Vec<ExportEntry> = entries.iter().map(|e| ExportEntry::of(e, community)).collect();
    activity::write_export(&header(&lines, community, ethereum_address), &lines)
}

fn header(lines: &[ExportEntry], community: Option<&str>, ethereum_address: &str) -> ExportHeader {
    ExportHeader {
        format: activity::FORMAT.into(),
        version: activity::VERSION,
        about: "Hallmark activity log (bench)".into(),
        exported_at: hallmark_core::store::now_rfc3339(),
        ethereum_address: Some(ethereum_address.to_owned()),
        community: community.map(str::to_owned),
        from: 1,
        to: lines.last().map(ExportEntry::seq).unwrap_or(0),
        anchors: Vec::new(),
        did_documents: BTreeMap::new(),
    }
}

/// The fastest of three runs of `f` (other work on the machine only ever adds time), on a CPU
/// where Linux tells (time spent waiting for a CPU left out), else wall-clock.
fn fastest(mut f: impl FnMut()) -> Duration {
    (0..3)
        .map(|_| {
            let t = Timer::start();
            f();
            let (wall, cpu) = t.stop();
            cpu.map_or(wall, |(c, _)| c)
        })
        .min()
        .unwrap_or_default()
}

/// Waiting for a CPU (other processes running), µs per entry, if known.
fn queued(t: &Times, n: usize) -> f64 {
    t.1.map(|(_, q)| us(q, n)).unwrap_or(0.0)
}

/// `append_per_entry` and `waiting` (for a CPU) are of the whole append run; `sql_per_entry` of
/// the store's SQL timed alone (without its own wait for a CPU).
fn append_breakdown(
    drafts: &[Draft],
    k: &Keys,
    signer: &BenchSigner,
    append_per_entry: f64,
    waiting: f64,
    sql_per_entry: f64,
) {
    let n = drafts.len();
    let time = "2025-06-01T12:00:00.000Z";
    let prev = activity::GENESIS;
    let eip191 = drafts.iter().filter(|d| d.actor == k.ethereum_did).count();
    let hashes = fastest(|| {
        for (i, d) in drafts.iter().enumerate() {
            let ch = activity::content_hash(time, &d.actor, &d.action, &d.objects);
            std::hint::black_box(activity::entry_hash(i as u64 + 1, prev, d.community.as_deref(), &ch));
        }
    });
    let message = activity::signing_message(prev);
    let ed = fastest(|| {
        for d in drafts.iter().filter(|d| d.actor != k.ethereum_did) {
            let (key, vm) = &signer.ed25519[&d.actor];
            std::hint::black_box(activity::sign_ed25519(key, vm, &message));
        }
    });
    let eth = fastest(|| {
        for _ in drafts.iter().filter(|d| d.actor == k.ethereum_did) {
            std::hint::black_box(activity::sign_eip191(&signer.ethereum, &message).expect("signed"));
        }
    });
    // What the wallet's own signer (SeedSigner) adds: it derives the key from the seed for every
    // entry (SLIP-10 for an identity, BIP-32 for the Ethereum account) and parses the DID.
    let derive_ed = fastest(|| {
        for (i, d) in drafts.iter().enumerate().filter(|(_, d)| d.actor != k.ethereum_did) {
            std::hint::black_box(
                keys::ed25519_identity_key(k.seed.as_ref(), u32::from(i.is_multiple_of(10))).expect("key"),
            );
            std::hint::black_box(did::verification_method_id(&d.actor).expect("vm"));
        }
    });
    let derive_eth = fastest(|| {
        for _ in drafts.iter().filter(|d| d.actor == k.ethereum_did) {
            std::hint::black_box(keys::ethereum_key(k.seed.as_ref(), 0).expect("key"));
        }
    });
    let ed_n = n - eip191;
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    println!();
    println!("where the time of one append goes (each step alone, {n} entries: {ed_n} Ed25519, {eip191} EIP-191):");
    let rows = [
        ("hashes (JCS content hash + entry hash)", per(hashes)),
        ("signatures (mix)", per(ed + eth)),
        ("SQL (head, identity, insert, commit; as timed alone)", sql_per_entry),
        ("waiting for a CPU (other processes)", waiting),
        ("the rest", append_per_entry - per(hashes) - per(ed + eth) - sql_per_entry - waiting),
    ];
    for (name, v) in rows {
        println!("  {name:<56} {v:>8.1} µs  {:>5.1} %", 100.0 * v / append_per_entry);
    }
    println!("  {:<56} {append_per_entry:>8.1} µs  100.0 %", "append_log, per entry");
    println!("  per signature: Ed25519 {:.1} µs, EIP-191 {:.1} µs", us(ed, ed_n), us(eth, eip191));
    println!(
        "  the wallet's own signer also derives the key per entry: SLIP-10 + DID parse {:.1} µs, BIP-32 (Ethereum) {:.1} µs \
         ({:.1} µs per entry over the mix, {:.0} % of an append)",
        us(derive_ed, ed_n),
        us(derive_eth, eip191),
        per(derive_ed + derive_eth),
        100.0 * per(derive_ed + derive_eth) / append_per_entry
    );
}

/// Where the time of verifying one entry goes, over the first `count` entries (each step alone).
/// `verify_per_entry` and `waiting` (for a CPU) are of the whole verification.
fn verify_breakdown(text: &str, count: usize, verify_per_entry: f64, waiting: f64) {
    let parse = fastest(|| {
        std::hint::black_box(activity::parse_export(text).expect("parsed"));
    });
    let (_, parsed, _) = activity::parse_export(text).expect("parsed");
    let total = parsed.len();
    let full: Vec<&Entry> = parsed
        .iter()
        .take(count)
        .filter_map(|(_, e)| match e {
            ExportEntry::Full(f) => Some(f),
            ExportEntry::Redacted(_) => None,
        })
        .collect();
    let n = full.len();
    let hashes = fastest(|| {
        for e in &full {
            let ch = activity::content_hash(&e.time, &e.actor, &e.action, &e.objects);
            std::hint::black_box(activity::entry_hash(e.seq, &e.prev, e.community.as_deref(), &ch));
        }
    });
    // Documents resolved once per actor, as the verifier's cache does.
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let mut documents = BTreeMap::new();
    for e in full.iter().filter(|e| e.sig.alg == activity::ALG_ED25519) {
        if !documents.contains_key(&e.actor) {
            documents.insert(e.actor.clone(), rt.block_on(did::resolve(&e.actor, TIMEOUT)).expect("did:key resolves"));
        }
    }
    let ed: Vec<&&Entry> = full.iter().filter(|e| e.sig.alg == activity::ALG_ED25519).collect();
    let eth: Vec<&&Entry> = full.iter().filter(|e| e.sig.alg == activity::ALG_EIP191).collect();
    let key_of = |e: &Entry| {
        ed25519_from_document(&documents[&e.actor], e.sig.vm.as_deref().expect("a vm"), Purpose::Assertion)
            .expect("a key")
    };
    let lookup = fastest(|| {
        for e in &ed {
            std::hint::black_box(key_of(e));
        }
    });
    let keys: BTreeMap<&str, ed25519_dalek::VerifyingKey> = ed.iter().map(|e| (e.actor.as_str(), key_of(e))).collect();
    let ed_verify = fastest(|| {
        use base64::Engine;
        for e in &ed {
            let bytes: [u8; 64] = base64::engine::general_purpose::URL_SAFE_NO_PAD
                .decode(&e.sig.value)
                .expect("base64")
                .try_into()
                .expect("64 bytes");
            keys[e.actor.as_str()]
                .verify_strict(&activity::signing_message(&e.hash), &ed25519_dalek::Signature::from_bytes(&bytes))
                .expect("valid");
        }
    });
    let eth_verify = fastest(|| {
        for e in &eth {
            let sig: alloy::primitives::Signature = e.sig.value.parse().expect("a signature");
            std::hint::black_box(sig.recover_address_from_msg(activity::signing_message(&e.hash)).expect("recovered"));
        }
    });
    let per = |d: Duration| d.as_secs_f64() * 1e6 / n as f64;
    let parse_per = parse.as_secs_f64() * 1e6 / total as f64;
    println!();
    println!(
        "where the time of verifying one entry goes (each step alone, {n} entries: {} Ed25519, {} EIP-191):",
        ed.len(),
        eth.len()
    );
    let counted = parse_per + per(hashes) + per(lookup) + per(ed_verify) + per(eth_verify) + waiting;
    let rows = [
        ("parse the line (parse_export, whole file / entries)", parse_per),
        ("hashes (JCS content hash + entry hash)", per(hashes)),
        ("key from the cached DID document, every entry", per(lookup)),
        ("Ed25519 signature checks (mix)", per(ed_verify)),
        ("EIP-191 address recoveries (mix)", per(eth_verify)),
        ("waiting for a CPU (other processes)", waiting),
        ("the rest", verify_per_entry - counted),
    ];
    for (name, v) in rows {
        println!("  {name:<56} {v:>8.1} µs  {:>5.1} %", 100.0 * v / verify_per_entry);
    }
    println!("  {:<56} {verify_per_entry:>8.1} µs  100.0 %", "verify_export, per entry");
    println!(
        "  per signature: Ed25519 {:.1} µs (+ {:.1} µs key look-up), EIP-191 {:.1} µs",
        us(ed_verify, ed.len()),
        us(lookup, ed.len()),
        us(eth_verify, eth.len())
    );
}

fn main() {
    // `cargo bench` passes --bench; `cargo test --benches` and `-- --test` only check that it runs.
    let args: Vec<String> = std::env::args().collect();
    let quick = !args.iter().any(|a| a == "--bench") || args.iter().any(|a| a == "--test");
    let n = if quick {
        QUICK_ENTRIES
    } else {
        std::env::var("HALLMARK_BENCH_LOG_ENTRIES")
            .ok()
            .map(|v| v.parse::<usize>().expect("HALLMARK_BENCH_LOG_ENTRIES is a number of entries"))
            .unwrap_or(DEFAULT_ENTRIES)
            .max(10)
    };
    let rt = tokio::runtime::Builder::new_current_thread().enable_all().build().expect("tokio runtime");
    let root = tempfile::tempdir().expect("temporary folder");
    let dir = root.path().join("data");
    let k = wallet_keys();
    let drafts: Vec<Draft> = (0..n).map(|i| draft(i, &k)).collect();
    let mut actions: BTreeMap<&str, usize> = BTreeMap::new();
    for d in &drafts {
        *actions.entry(d.action.as_str()).or_default() += 1;
    }
    println!("activity log of {n} entries, in {}", dir.display());
    println!("  actions: {}", actions.iter().map(|(a, c)| format!("{a} {c}")).collect::<Vec<_>>().join(", "));
    println!(
        "  actors: {} (Ed25519), {} (Ed25519), {} (EIP-191)",
        k.identities[0].0, k.identities[1].0, k.ethereum_did
    );

    // (1) Append, each entry in its own transaction.
    drop(store(&dir, &k));
    let (empty, _) = db_size(&dir);
    let mut s = Store::open(&dir).expect("store reopened");
    s.set_log_signer(Some(Arc::new(BenchSigner::new(&k))));
    println!();
    let tenth = (n / 10).max(1);
    let mut tenths = Vec::new();
    let timer = Timer::start();
    let mut mark = Instant::now();
    for (i, d) in drafts.iter().enumerate() {
        let e = s.append_log(d).expect("entry appended");
        debug_assert_eq!(e.seq, i as u64 + 1);
        if (i + 1) % tenth == 0 {
            tenths.push(mark.elapsed());
            mark = Instant::now();
        }
    }
    let append = timer.stop();
    let (count, head) = s.log_head().expect("head");
    assert_eq!(count, n as u64, "every entry was appended");
    line("append (Store::append_log, 1 transaction each)", n, append);
    println!(
        "  by tenth of the log, entries/s: {}",
        tenths.iter().map(|d| format!("{:.0}", rate(tenth, *d))).collect::<Vec<_>>().join(", ")
    );
    let (db, wal) = db_size(&dir);
    drop(s);
    let (closed, _) = db_size(&dir);
    println!(
        "  database: {:.1} MB + {:.1} MB WAL while open; {:.1} MB after closing (checkpointed), of which the log \
         {:.1} MB = {:.0} bytes/entry",
        mb(db),
        mb(wal),
        mb(closed),
        mb(closed - empty),
        (closed - empty) as f64 / n as f64
    );

    // The same drafts, with keys derived per entry as the wallet's own signer does.
    let deriving_dir = root.path().join("deriving");
    let mut d = store(&deriving_dir, &k);
    d.set_log_signer(Some(Arc::new(DerivingSigner { seed: k.seed.clone(), ethereum_did: k.ethereum_did.clone() })));
    let timer = Timer::start();
    for e in &drafts {
        d.append_log(e).expect("entry appended");
    }
    let deriving = timer.stop();
    assert_eq!(d.log_head().expect("head").0, n as u64);
    drop(d);
    std::fs::remove_dir_all(&deriving_dir).expect("removed");
    line("append, keys derived per entry (as the wallet signs)", n, deriving);

    // (2) Export, as Wallet::export_log builds it.
    let s = Store::open(&dir).expect("store reopened");
    let timer = Timer::start();
    let mut lines = Vec::with_capacity(n);
    s.for_each_log_entry(1, |e| {
        lines.push(ExportEntry::of(&e, None));
        Ok(())
    })
    .expect("entries read");
    let read = timer.stop();
    let text = activity::write_export(&header(&lines, None, &k.ethereum_address), &lines);
    let export_time = timer.stop();
    drop(lines);
    println!();
    line("export: read (for_each_log_entry → ExportEntry)", n, read);
    line("export: read + write_export", n, export_time);
    println!("  export: {:.1} MB, {:.0} bytes/entry", mb(text.len() as u64), text.len() as f64 / n as f64);
    let entries = s.log_entries(&Default::default()).expect("entries");
    let community_text = export(&entries, Some(COMMUNITIES[0]), &k.ethereum_address);
    drop(s);
    let floor_dir = root.path().join("floor");
    let floor = sqlite_floor(&dir, &floor_dir, &entries, Floor::Insert);
    let store_sql = sqlite_floor(&dir, &floor_dir, &entries, Floor::StoreQueries);
    let store_sql_cached = sqlite_floor(&dir, &floor_dir, &entries, Floor::StoreQueriesCached);
    drop(entries);
    println!();
    line("SQL alone: insert + commit (cached statement)", n, floor);
    line("SQL alone: the store's queries, prepared per call", n, store_sql);
    line("SQL alone: the store's queries, cached statements", n, store_sql_cached);

    // (3) Verify.
    let timer = Timer::start();
    let report = rt.block_on(activity::verify_export(&text, TIMEOUT)).expect("the export reads");
    let verify = timer.stop();
    assert!(report.valid, "the log verifies: {:?}", report.first_problem);
    assert_eq!((report.entries, report.full, report.from, report.to), (n as u64, n as u64, 1, n as u64));
    assert_eq!(report.head.as_deref(), Some(head.as_str()));
    line("verify_export (valid, every entry)", n, verify);
    let timer = Timer::start();
    let creport = rt.block_on(activity::verify_export(&community_text, TIMEOUT)).expect("the export reads");
    let cverify = timer.stop();
    assert!(creport.valid, "the community's export verifies: {:?}", creport.first_problem);
    assert_eq!(creport.entries, n as u64);
    line(&format!("verify_export, one community's ({} in full)", creport.full), n, cverify);

    // (4) One entry in the middle changed.
    let middle = n / 2;
    let mut tampered: Vec<String> = text.lines().map(str::to_owned).collect();
    let mut e: Entry = serde_json::from_str(&tampered[middle]).expect("an entry");
    assert_eq!(e.seq, middle as u64);
    // Another file's hash in place of one the entry names.
    let key = e.objects.keys().find(|k| k.ends_with("sha256")).cloned().expect("a hash among its objects");
    e.objects.insert(key.clone(), h("another file", middle));
    tampered[middle] = serde_json::to_string(&e).expect("serialises");
    let tampered: String = tampered.iter().map(|l| format!("{l}\n")).collect();
    let start = Instant::now();
    let report = rt.block_on(activity::verify_export(&tampered, TIMEOUT)).expect("the export reads");
    let found = start.elapsed();
    let p = report.first_problem.expect("the change is found");
    assert!(!report.valid);
    assert_eq!((p.line, p.seq, p.code.as_str()), (middle + 1, Some(middle as u64), "content_changed"));
    println!();
    println!(
        "tampered entry {middle} ({} {key} changed): found at line {}, entry {}, \"{}\" in {:.2} s ({:.0} % of a full verify): {}",
        e.action,
        p.line,
        p.seq.unwrap_or(0),
        p.code,
        found.as_secs_f64(),
        100.0 * found.as_secs_f64() / verify.0.as_secs_f64(),
        p.message
    );

    let profiled = n.min(if quick { 200 } else { PROFILED_ENTRIES });
    let sql = us(store_sql.0, n) - queued(&store_sql, n);
    append_breakdown(&drafts[..profiled], &k, &BenchSigner::new(&k), us(append.0, n), queued(&append, n), sql);
    verify_breakdown(&text, profiled, us(verify.0, n), queued(&verify, n));
}
