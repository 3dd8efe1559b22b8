//! The local SQLite store (`hallmark.db` in the data folder): identities, wallet metadata,
//! credentials held and issued, status lists, the trust list, communities, signed media and the
//! attestation outbox.
//!
//! Opened in WAL mode with foreign keys on and a busy timeout, so several `hallmark`
//! processes can use it at once. The schema is versioned with `PRAGMA user_version`;
//! migrations run at open inside an immediate transaction. A database written by a newer
//! Hallmark is refused rather than touched.

use std::path::{Path, PathBuf};
use std::time::Duration;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::keys::KeyType;

mod activity;
mod attest;
mod community;
mod credentials;
mod media;
pub use activity::LogFilter;
pub use attest::{AttestationFilter, AttestationRecord, Enqueued, NewAttestation, QueueCounts};
pub use community::{
    CommunityRecord, CommunityView, CommunityWrites, DecisionRecord, InviteRecord, MemberRecord, NewDecision,
    RequestRecord, VouchRecord,
};
pub use credentials::{
    HeldCredential, IssuedRecord, NewCredential, ReceivedStatusList, StatusListRecord, TrustedIssuer,
};

pub use media::{Batch, BatchInput, BatchItem, BatchStart, BatchSummary, ItemState, NewSignedMedia, SignedMedia};

/// Name of the database file in the data folder.
pub const DB_FILE: &str = "hallmark.db";
/// How long a writer waits for another process's transaction before giving up.
pub const BUSY_TIMEOUT: Duration = Duration::from_secs(15);

/// Schema migrations, in order; migration `i` brings the schema to version `i + 1`.
const MIGRATIONS: &[&str] = &[
    // 1: wallet metadata and identities.
    "CREATE TABLE meta (
        key   TEXT PRIMARY KEY,
        value TEXT NOT NULL
    ) STRICT;
    CREATE TABLE identities (
        id         INTEGER PRIMARY KEY,
        did        TEXT NOT NULL UNIQUE,
        method     TEXT NOT NULL CHECK (method IN ('key', 'jwk', 'web', 'pkh')),
        key_type   TEXT NOT NULL CHECK (key_type IN ('ed25519', 'secp256k1')),
        key_index  INTEGER NOT NULL CHECK (key_index >= 0),
        label      TEXT,
        domain     TEXT,
        public_key TEXT NOT NULL,
        created_at TEXT NOT NULL,
        UNIQUE (key_type, key_index)
    ) STRICT;",
    // 2: credentials held and issued, the issuer's status lists, the trust list.
    "CREATE TABLE credentials (
        id            TEXT PRIMARY KEY,
        sha256        TEXT NOT NULL UNIQUE,
        format        TEXT NOT NULL CHECK (format IN ('di', 'jwt')),
        proof_suite   TEXT NOT NULL,
        types         TEXT NOT NULL,
        issuer        TEXT NOT NULL,
        subject       TEXT,
        valid_from    TEXT,
        valid_until   TEXT,
        body          TEXT NOT NULL,
        origin        TEXT NOT NULL CHECK (origin IN ('imported', 'issued')),
        added_at      TEXT NOT NULL,
        checked_at    TEXT NOT NULL,
        valid         INTEGER NOT NULL CHECK (valid IN (0, 1)),
        checks        TEXT NOT NULL
    ) STRICT;
    CREATE TABLE status_lists (
        id          INTEGER PRIMARY KEY,
        issuer      TEXT NOT NULL,
        purpose     TEXT NOT NULL CHECK (purpose IN ('revocation')),
        url         TEXT NOT NULL UNIQUE,
        size        INTEGER NOT NULL CHECK (size > 0),
        bits        BLOB NOT NULL,
        credential  TEXT,
        updated_at  TEXT NOT NULL
    ) STRICT;
    CREATE TABLE issued (
        credential     TEXT PRIMARY KEY REFERENCES credentials(id) ON DELETE RESTRICT,
        status_list    INTEGER NOT NULL REFERENCES status_lists(id),
        status_index   INTEGER NOT NULL CHECK (status_index >= 0),
        revoked_at     TEXT,
        revoked_reason TEXT,
        UNIQUE (status_list, status_index)
    ) STRICT;
    CREATE TABLE trust (
        did       TEXT PRIMARY KEY,
        label     TEXT,
        added_at  TEXT NOT NULL
    ) STRICT;",
    // 3: communities run from this wallet: members, invitations, requests, vouches, decisions.
    "CREATE TABLE communities (
        id                  TEXT PRIMARY KEY,
        name                TEXT NOT NULL,
        created_by          TEXT NOT NULL,
        created_at          TEXT NOT NULL,
        vouch_threshold     INTEGER NOT NULL CHECK (vouch_threshold >= 1),
        moderator_threshold INTEGER NOT NULL CHECK (moderator_threshold >= 1)
    ) STRICT;
    CREATE TABLE community_members (
        community  TEXT NOT NULL REFERENCES communities(id),
        did        TEXT NOT NULL,
        role       TEXT NOT NULL CHECK (role IN ('member', 'moderator')),
        state      TEXT NOT NULL CHECK (state IN ('active', 'left', 'banned')),
        since      TEXT NOT NULL,
        updated_at TEXT NOT NULL,
        credential TEXT,
        PRIMARY KEY (community, did)
    ) STRICT;
    CREATE TABLE community_invites (
        challenge  TEXT PRIMARY KEY,
        community  TEXT NOT NULL REFERENCES communities(id),
        created_at TEXT NOT NULL,
        used_at    TEXT,
        used_by    TEXT
    ) STRICT;
    CREATE TABLE community_requests (
        id          TEXT PRIMARY KEY,
        community   TEXT NOT NULL REFERENCES communities(id),
        holder      TEXT NOT NULL,
        challenge   TEXT NOT NULL REFERENCES community_invites(challenge),
        sha256      TEXT NOT NULL UNIQUE,
        format      TEXT NOT NULL CHECK (format IN ('di', 'jwt')),
        body        TEXT NOT NULL,
        received_at TEXT NOT NULL,
        state       TEXT NOT NULL CHECK (state IN ('pending', 'admitted', 'rejected')),
        decided_at  TEXT,
        reason      TEXT
    ) STRICT;
    CREATE TABLE community_vouches (
        id            INTEGER PRIMARY KEY,
        community     TEXT NOT NULL REFERENCES communities(id),
        voucher       TEXT NOT NULL,
        candidate     TEXT NOT NULL,
        purpose       TEXT NOT NULL CHECK (purpose IN ('humanity', 'moderator')),
        sha256        TEXT NOT NULL,
        credential_id TEXT,
        body          TEXT NOT NULL,
        added_at      TEXT NOT NULL,
        UNIQUE (community, voucher, candidate, purpose)
    ) STRICT;
    CREATE TABLE decisions (
        seq        INTEGER PRIMARY KEY AUTOINCREMENT,
        community  TEXT NOT NULL REFERENCES communities(id),
        at         TEXT NOT NULL,
        actor      TEXT NOT NULL,
        action     TEXT NOT NULL CHECK (action IN ('created', 'invited', 'admitted', 'rejected', 'vouch_received',
                       'humanity_issued', 'moderator_added', 'left', 'banned')),
        subject    TEXT,
        detail     TEXT NOT NULL,
        credential TEXT,
        revoked    TEXT NOT NULL
    ) STRICT;",
    // 4: status lists of other issuers, kept when given with a credential so it can be checked again offline.
    "CREATE TABLE received_status_lists (
        url        TEXT PRIMARY KEY,
        issuer     TEXT NOT NULL,
        valid_from TEXT,
        revoked    INTEGER NOT NULL CHECK (revoked >= 0),
        credential TEXT NOT NULL,
        stored_at  TEXT NOT NULL
    ) STRICT;",
    // 5: signed media (for finding stripped copies) and the resumable batch-signing journal (store/media.rs).
    "CREATE TABLE signed_media (
        id              INTEGER PRIMARY KEY,
        output_sha256   TEXT NOT NULL CHECK (length(output_sha256) = 64),
        original_sha256 TEXT NOT NULL CHECK (length(original_sha256) = 64),
        phash           INTEGER,
        media_type      TEXT NOT NULL,
        signer          TEXT NOT NULL,
        manifest_label  TEXT NOT NULL,
        output_path     TEXT NOT NULL,
        title           TEXT,
        signed_at       TEXT NOT NULL
    ) STRICT;
    CREATE INDEX signed_media_output ON signed_media (output_sha256);
    CREATE INDEX signed_media_original ON signed_media (original_sha256);
    CREATE TABLE sign_batches (
        id          INTEGER PRIMARY KEY,
        options     TEXT NOT NULL,
        created_at  TEXT NOT NULL,
        finished_at TEXT
    ) STRICT;
    CREATE UNIQUE INDEX sign_batches_open ON sign_batches (options) WHERE finished_at IS NULL;
    CREATE TABLE sign_batch_items (
        batch          INTEGER NOT NULL REFERENCES sign_batches(id) ON DELETE CASCADE,
        seq            INTEGER NOT NULL,
        input_path     TEXT NOT NULL,
        input_size     INTEGER NOT NULL CHECK (input_size >= 0),
        input_mtime_ns INTEGER NOT NULL,
        input_sha256   TEXT,
        state          TEXT NOT NULL CHECK (state IN ('pending', 'done', 'failed')),
        output_path    TEXT,
        error_code     TEXT,
        error          TEXT,
        updated_at     TEXT NOT NULL,
        PRIMARY KEY (batch, input_path)
    ) STRICT;",
    // 6: the attestation outbox and index (store/attest.rs).
    "CREATE TABLE attestations (
        id              INTEGER PRIMARY KEY,
        network         TEXT NOT NULL,
        chain_id        INTEGER NOT NULL,
        eas             TEXT NOT NULL,
        attester        TEXT NOT NULL,
        mode            TEXT NOT NULL CHECK (mode IN ('onchain', 'offchain')),
        kind            TEXT NOT NULL CHECK (kind IN ('attest', 'revoke')),
        schema          TEXT NOT NULL,
        schema_uid      TEXT NOT NULL,
        data            TEXT,
        content_sha256  TEXT,
        dedup_key       TEXT NOT NULL,
        label           TEXT NOT NULL,
        source          TEXT,
        recipient       TEXT NOT NULL,
        expiration_time INTEGER NOT NULL,
        ref_uid         TEXT NOT NULL,
        confirmations   INTEGER NOT NULL CHECK (confirmations >= 1),
        state           TEXT NOT NULL CHECK (state IN ('queued', 'sent', 'confirmed', 'failed', 'signed')),
        forced          INTEGER NOT NULL CHECK (forced IN (0, 1)),
        attempts        INTEGER NOT NULL CHECK (attempts >= 0),
        next_attempt_at INTEGER NOT NULL,
        error_code      TEXT,
        error           TEXT,
        tx_hash         TEXT,
        tx_nonce        INTEGER,
        tx_index        INTEGER,
        raw_tx          TEXT,
        block_number    INTEGER,
        uid             TEXT,
        revoked_at      TEXT,
        offchain        TEXT,
        created_at      TEXT NOT NULL,
        updated_at      TEXT NOT NULL,
        CHECK (state <> 'sent' OR (tx_hash IS NOT NULL AND raw_tx IS NOT NULL))
    ) STRICT;
    CREATE UNIQUE INDEX attestations_once ON attestations (chain_id, eas, attester, dedup_key)
        WHERE mode = 'onchain' AND forced = 0 AND state IN ('queued', 'sent', 'confirmed') AND revoked_at IS NULL;
    CREATE INDEX attestations_pending ON attestations (attester, state);
    CREATE INDEX attestations_content ON attestations (content_sha256);
    CREATE INDEX attestations_tx ON attestations (tx_hash);
    CREATE INDEX attestations_uid ON attestations (uid);",
    // 7: the activity log (store/activity.rs, activity.rs): append-only, hash-chained, signed.
    "CREATE TABLE activity_log (
        seq          INTEGER PRIMARY KEY CHECK (seq >= 1),
        prev         TEXT NOT NULL CHECK (length(prev) = 64),
        community    TEXT,
        content_hash TEXT NOT NULL CHECK (length(content_hash) = 64),
        hash         TEXT NOT NULL UNIQUE CHECK (length(hash) = 64),
        time         TEXT NOT NULL,
        actor        TEXT NOT NULL,
        action       TEXT NOT NULL,
        objects      TEXT NOT NULL,
        sig          TEXT NOT NULL
    ) STRICT;
    CREATE INDEX activity_log_community ON activity_log (community, seq);
    CREATE TRIGGER activity_log_no_update BEFORE UPDATE ON activity_log
        BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;
    CREATE TRIGGER activity_log_no_delete BEFORE DELETE ON activity_log
        BEGIN SELECT RAISE(ABORT, 'the activity log is append-only'); END;",
];

/// The schema version this build writes.
pub const SCHEMA_VERSION: i64 = MIGRATIONS.len() as i64;

/// Errors from the store.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// The database file is damaged or not a Hallmark database.
    #[error("the database {path} is damaged or not a Hallmark database ({reason}); it was left untouched — restore it from a backup, or move it aside and run `hallmark restore`")]
    Corrupt {
        /// The database file.
        path: String,
        /// SQLite's reason.
        reason: String,
    },
    /// The database was written by a newer Hallmark.
    #[error("the database {path} has schema version {found}, newer than this Hallmark understands ({SCHEMA_VERSION}); upgrade Hallmark")]
    TooNew {
        /// The database file.
        path: String,
        /// Its schema version.
        found: i64,
    },
    /// Another process held the database for longer than the busy timeout.
    #[error("the database is busy (another hallmark process is writing); try again")]
    Busy,
    /// An identity with this DID exists already.
    #[error("{0} is already in this wallet")]
    Duplicate(String),
    /// A credential this wallet issued cannot be deleted: it is needed to revoke it.
    #[error("{0} was issued by this wallet and is kept so that it can be revoked; revoke it instead")]
    Kept(String),
    /// The action's activity log entry could not be written (the action was not done either).
    #[error(transparent)]
    Log(crate::activity::ActivityError),
    /// Any other SQLite error.
    #[error("database error: {0}")]
    Sqlite(#[from] rusqlite::Error),
    /// The data folder or the database file could not be created or opened.
    #[error("could not create or open {path}: {source}")]
    Io {
        /// The folder or file.
        path: String,
        /// The underlying error.
        source: std::io::Error,
    },
}

/// An identity as stored: a DID and how its key derives from the seed. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Identity {
    /// The DID.
    pub did: String,
    /// DID method: `key`, `jwk`, `web` or `pkh`.
    pub method: String,
    /// `ed25519` or `secp256k1`.
    pub key_type: String,
    /// Index of the key in its derivation path.
    pub key_index: u32,
    /// Full derivation path of the key.
    pub derivation_path: String,
    /// The person's label for it, if any.
    pub label: Option<String>,
    /// For did:web, the domain (and path) the DID document is published under.
    pub domain: Option<String>,
    /// For did:pkh, the Ethereum address (EIP-55).
    pub address: Option<String>,
    /// The public key, hex (32 bytes Ed25519, or 33 bytes compressed secp256k1).
    pub public_key: String,
    /// When it was created (RFC 3339, UTC).
    pub created_at: String,
}

/// What a new identity needs besides its allocated key index.
#[derive(Debug, Clone)]
pub struct NewIdentity {
    /// The DID derived for the key.
    pub did: String,
    /// DID method name.
    pub method: &'static str,
    /// Label, if any.
    pub label: Option<String>,
    /// did:web domain, if any.
    pub domain: Option<String>,
    /// The public key (hex; 32 bytes Ed25519 or 33 bytes compressed secp256k1).
    pub public_key: String,
}

/// An open store.
pub struct Store {
    conn: Connection,
    path: PathBuf,
    /// Signs activity log entries; set while the wallet is unlocked.
    log_signer: Option<std::sync::Arc<dyn crate::activity::LogSigner>>,
}

/// Identities matching `tail` (a `WHERE` clause) on any connection or transaction.
pub(crate) fn query_identities_on<P: rusqlite::Params>(
    conn: &Connection,
    tail: &str,
    p: P,
) -> Result<Vec<Identity>, StoreError> {
    let mut stmt = conn.prepare_cached(&format!(
        "SELECT did, method, key_type, key_index, label, domain, public_key, created_at FROM identities {tail}"
    ))?;
    let rows = stmt.query_map(p, |r| {
        let key_type: String = r.get(2)?;
        let key_type = KeyType::parse(&key_type).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(2, rusqlite::types::Type::Text, "unknown key type".into())
        })?;
        Ok(identity_from_parts(r.get(0)?, r.get(1)?, key_type, r.get(3)?, r.get(4)?, r.get(5)?, r.get(6)?, r.get(7)?))
    })?;
    Ok(rows.collect::<rusqlite::Result<Vec<_>>>()?)
}

fn is_corruption(e: &rusqlite::Error) -> bool {
    matches!(
        e.sqlite_error_code(),
        Some(rusqlite::ErrorCode::NotADatabase) | Some(rusqlite::ErrorCode::DatabaseCorrupt)
    )
}

fn now() -> String {
    time::OffsetDateTime::now_utc()
        .replace_nanosecond(0)
        .ok()
        .and_then(|t| t.format(&time::format_description::well_known::Rfc3339).ok())
        .unwrap_or_default()
}

/// The current UTC time in RFC 3339 with milliseconds (activity log entries).
pub(crate) fn now_millis() -> String {
    let t = time::OffsetDateTime::now_utc();
    let t = t.replace_nanosecond(t.millisecond() as u32 * 1_000_000).unwrap_or(t);
    t.format(&time::format_description::well_known::Rfc3339).unwrap_or_default()
}

/// The current UTC time in RFC 3339, whole seconds.
pub fn now_rfc3339() -> String {
    now()
}

impl Store {
    /// Opens (creating if needed) the store in `dir`, and brings its schema up to date.
    pub fn open(dir: &Path) -> Result<Store, StoreError> {
        crate::fsutil::ensure_private_dir(dir)
            .map_err(|source| StoreError::Io { path: dir.display().to_string(), source })?;
        let path = dir.join(DB_FILE);
        // Create the file owner-only before SQLite opens it; SQLite gives its -wal and -shm
        // files the same permissions.
        let mut create = std::fs::OpenOptions::new();
        create.write(true).create(true).truncate(false);
        #[cfg(unix)]
        std::os::unix::fs::OpenOptionsExt::mode(&mut create, 0o600);
        create.open(&path).map_err(|source| StoreError::Io { path: path.display().to_string(), source })?;
        let conn = Connection::open(&path)?;
        let mut store = Store { conn, path, log_signer: None };
        store.setup().map_err(|e| store.classify(e))?;
        Ok(store)
    }

    fn classify(&self, e: StoreError) -> StoreError {
        match e {
            StoreError::Sqlite(ref inner) if is_corruption(inner) => {
                StoreError::Corrupt { path: self.path.display().to_string(), reason: inner.to_string() }
            }
            StoreError::Sqlite(ref inner) if inner.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) => {
                StoreError::Busy
            }
            other => other,
        }
    }

    fn setup(&mut self) -> Result<(), StoreError> {
        self.conn.busy_timeout(BUSY_TIMEOUT)?;
        // Reading the schema version first detects a foreign or damaged file before any write.
        let found: i64 = self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if found > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: self.path.display().to_string(), found });
        }
        let _: String = self.conn.query_row("PRAGMA journal_mode = WAL", [], |r| r.get(0))?;
        self.conn.execute_batch("PRAGMA foreign_keys = ON; PRAGMA synchronous = NORMAL;")?;
        if found < SCHEMA_VERSION {
            self.migrate()?;
        }
        Ok(())
    }

    fn migrate(&mut self) -> Result<(), StoreError> {
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
        // Re-read inside the write lock: another process may have migrated meanwhile.
        let current: i64 = tx.query_row("PRAGMA user_version", [], |r| r.get(0))?;
        if current > SCHEMA_VERSION {
            return Err(StoreError::TooNew { path: self.path.display().to_string(), found: current });
        }
        for (i, sql) in MIGRATIONS.iter().enumerate().skip(current as usize) {
            tx.execute_batch(sql)?;
            tx.pragma_update(None, "user_version", (i + 1) as i64)?;
        }
        tx.commit()?;
        Ok(())
    }

    /// Path of the database file.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The schema version of the open database.
    pub fn schema_version(&self) -> Result<i64, StoreError> {
        Ok(self.conn.query_row("PRAGMA user_version", [], |r| r.get(0))?)
    }

    /// Reads a metadata value.
    pub fn meta(&self, key: &str) -> Result<Option<String>, StoreError> {
        self.conn
            .query_row("SELECT value FROM meta WHERE key = ?1", [key], |r| r.get(0))
            .optional()
            .map_err(|e| self.classify(e.into()))
    }

    /// Sets a metadata value.
    pub fn set_meta(&self, key: &str, value: &str) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO meta (key, value) VALUES (?1, ?2) ON CONFLICT(key) DO UPDATE SET value = excluded.value",
                [key, value],
            )
            .map(|_| ())
            .map_err(|e| self.classify(e.into()))
    }

    /// Creates an identity with the next free key index of `key_type`. `make` turns the index
    /// into the DID; it runs inside the write transaction, so two processes never get the same index.
    pub fn create_identity<E: From<StoreError>>(
        &mut self,
        key_type: KeyType,
        make: impl FnOnce(u32) -> Result<NewIdentity, E>,
    ) -> Result<Identity, E> {
        let path = self.path.display().to_string();
        let wrap = |e: rusqlite::Error| -> StoreError {
            if is_corruption(&e) {
                StoreError::Corrupt { path: path.clone(), reason: e.to_string() }
            } else if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                StoreError::Busy
            } else {
                StoreError::Sqlite(e)
            }
        };
        let tx = self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(wrap)?;
        let next: i64 = tx
            .query_row(
                "SELECT COALESCE(MAX(key_index) + 1, 0) FROM identities WHERE key_type = ?1",
                [key_type.as_str()],
                |r| r.get(0),
            )
            .map_err(wrap)?;
        let index =
            u32::try_from(next).map_err(|_| StoreError::Sqlite(rusqlite::Error::IntegralValueOutOfRange(0, next)))?;
        let new = make(index)?;
        let exists: bool = tx
            .query_row("SELECT EXISTS(SELECT 1 FROM identities WHERE did = ?1)", [&new.did], |r| r.get(0))
            .map_err(wrap)?;
        if exists {
            return Err(StoreError::Duplicate(new.did).into());
        }
        let created_at = now();
        tx.execute(
            "INSERT INTO identities (did, method, key_type, key_index, label, domain, public_key, created_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
            params![new.did, new.method, key_type.as_str(), index, new.label, new.domain, new.public_key, created_at],
        )
        .map_err(wrap)?;
        tx.commit().map_err(wrap)?;
        Ok(identity_from_parts(
            new.did,
            new.method.to_string(),
            key_type,
            index,
            new.label,
            new.domain,
            new.public_key,
            created_at,
        ))
    }

    /// All identities, oldest first.
    pub fn identities(&self) -> Result<Vec<Identity>, StoreError> {
        self.query_identities("ORDER BY id", [])
    }

    /// The identity with this DID, if the wallet has it.
    pub fn identity(&self, did: &str) -> Result<Option<Identity>, StoreError> {
        Ok(self.query_identities("WHERE did = ?1", [did])?.into_iter().next())
    }

    fn query_identities<P: rusqlite::Params>(&self, tail: &str, p: P) -> Result<Vec<Identity>, StoreError> {
        query_identities_on(&self.conn, tail, p).map_err(|e| self.classify(e))
    }

    /// Runs SQLite's integrity check; `Ok(())` when the database is sound.
    pub fn integrity_check(&self) -> Result<(), StoreError> {
        let result: String =
            self.conn.query_row("PRAGMA integrity_check", [], |r| r.get(0)).map_err(|e| self.classify(e.into()))?;
        if result == "ok" {
            Ok(())
        } else {
            Err(StoreError::Corrupt { path: self.path.display().to_string(), reason: result })
        }
    }
}

#[allow(clippy::too_many_arguments)]
fn identity_from_parts(
    did: String,
    method: String,
    key_type: KeyType,
    key_index: u32,
    label: Option<String>,
    domain: Option<String>,
    public_key: String,
    created_at: String,
) -> Identity {
    let address = if method == "pkh" { did.rsplit(':').next().map(str::to_string) } else { None };
    Identity {
        derivation_path: key_type.path(key_index),
        did,
        method,
        key_type: key_type.as_str().to_string(),
        key_index,
        label,
        domain,
        address,
        public_key,
        created_at,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn draft(did: &str) -> NewIdentity {
        NewIdentity { did: did.into(), method: "key", label: Some("me".into()), domain: None, public_key: "00".into() }
    }

    #[test]
    fn allocates_indexes_per_key_type_and_rejects_duplicates() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        assert_eq!(s.schema_version().unwrap(), SCHEMA_VERSION);
        let a = s.create_identity::<StoreError>(KeyType::Ed25519, |i| Ok(draft(&format!("did:key:a{i}")))).unwrap();
        let b = s.create_identity::<StoreError>(KeyType::Ed25519, |i| Ok(draft(&format!("did:key:a{i}")))).unwrap();
        let c = s
            .create_identity::<StoreError>(KeyType::Secp256k1, |i| {
                Ok(NewIdentity {
                    did: format!("did:pkh:eip155:1:0xabc{i}"),
                    method: "pkh",
                    label: None,
                    domain: None,
                    public_key: "02".into(),
                })
            })
            .unwrap();
        assert_eq!((a.key_index, b.key_index, c.key_index), (0, 1, 0));
        assert_eq!(c.address.as_deref(), Some("0xabc0"));
        assert_eq!(c.derivation_path, "m/44'/60'/0'/0/0");
        let dup = s.create_identity::<StoreError>(KeyType::Ed25519, |_| Ok(draft("did:key:a0")));
        assert!(matches!(dup, Err(StoreError::Duplicate(_))));
        assert_eq!(s.identities().unwrap().len(), 3);
        assert_eq!(s.identity("did:key:a1").unwrap().unwrap(), b);
        s.integrity_check().unwrap();
    }

    #[test]
    fn reopening_keeps_data_and_meta() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            s.set_meta("wallet_id", "abc").unwrap();
        }
        let s = Store::open(dir.path()).unwrap();
        assert_eq!(s.meta("wallet_id").unwrap().as_deref(), Some("abc"));
        assert_eq!(s.meta("nope").unwrap(), None);
    }

    #[test]
    fn refuses_newer_and_corrupt_databases_without_writing() {
        let dir = tempfile::tempdir().unwrap();
        {
            let s = Store::open(dir.path()).unwrap();
            s.conn.pragma_update(None, "user_version", 99).unwrap();
        }
        assert!(matches!(Store::open(dir.path()), Err(StoreError::TooNew { found: 99, .. })));

        let bad = tempfile::tempdir().unwrap();
        let junk = b"this is not a database, just some text that is long enough to look like a header......";
        std::fs::write(bad.path().join(DB_FILE), junk).unwrap();
        assert!(matches!(Store::open(bad.path()), Err(StoreError::Corrupt { .. })));
        assert_eq!(std::fs::read(bad.path().join(DB_FILE)).unwrap(), junk);
    }
}
