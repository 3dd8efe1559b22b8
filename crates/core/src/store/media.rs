//! Signed media and the batch-signing journal (migration 5).
//!
//! **Signed media index** (`signed_media`): one row per signed output — its SHA-256, the SHA-256
//! of the input it was made from, the input's perceptual hash (pictures only), the signer's DID,
//! the manifest label, where it was written, the title and when. `hallmark find` looks a copy up
//! by exact hash ([`Store::find_signed_by_sha256`]) and, failing that, by perceptual hash
//! ([`Store::find_similar_signed`]).
//!
//! The perceptual hash is stored as a 64-bit `INTEGER` (the hash's bits as a signed number,
//! [`PerceptualHash::to_i64`]). SQLite has no popcount, so similarity search reads every
//! `(id, phash)` pair and computes Hamming distances in Rust: about 10 ms per 100,000 rows, which is
//! fine for one person's archive. Past a few hundred thousand rows a BK-tree or multi-index hashing
//! (split the 64 bits into 11 bands, index each band, verify candidates) would be the next step.
//!
//! **Batch journal** (`sign_batches`, `sign_batch_items`): a batch is identified by the caller's
//! *options fingerprint* (a hash of the command's inputs and options). [`Store::begin_batch`]
//! resumes the open batch with the same fingerprint, if any, so a rerun after Ctrl-C or `kill -9`
//! skips the files already done (unless they changed: size or modification time differ) and
//! retries the failed ones. [`Store::mark_item_done`] records the signed output in the index and
//! marks the item done **in one transaction**, so the index and the journal never disagree.
//!
//! Crash safety: every function here is a single transaction; the database runs in WAL mode, so a
//! killed process loses nothing it committed and never leaves a half-written change. After a power
//! loss (synchronous = NORMAL) the last few commits may be missing: an item signed just before then
//! is pending again and is signed again on the rerun; outputs are written by atomic rename, so that
//! only replaces a complete file with another.

use std::collections::HashSet;
use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use super::{now, Store, StoreError};
use crate::activity::Draft;
use crate::fingerprint::{distance, PerceptualHash};

/// A signed output as recorded. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SignedMedia {
    /// Row id.
    pub id: i64,
    /// SHA-256 (hex) of the file written: the signed asset, or the `.c2pa` sidecar.
    pub output_sha256: String,
    /// SHA-256 (hex) of the input it was made from.
    pub original_sha256: String,
    /// Perceptual hash of the input (pictures only), 16 hex digits in JSON.
    pub phash: Option<PerceptualHash>,
    /// Media type of the output, e.g. `image/jpeg`.
    pub media_type: String,
    /// DID of the identity that signed it.
    pub signer: String,
    /// The C2PA label of the active manifest (e.g. `urn:c2pa:…`).
    pub manifest_label: String,
    /// Where the output was written.
    pub output_path: String,
    /// The title given, if any.
    pub title: Option<String>,
    /// When it was signed (RFC 3339, UTC).
    pub signed_at: String,
}

/// What [`Store::record_signed`] needs.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct NewSignedMedia {
    /// SHA-256 (hex) of the file written.
    pub output_sha256: String,
    /// SHA-256 (hex) of the input.
    pub original_sha256: String,
    /// Perceptual hash of the input, for pictures.
    pub phash: Option<PerceptualHash>,
    /// Media type.
    pub media_type: String,
    /// Signer DID.
    pub signer: String,
    /// Active manifest label.
    pub manifest_label: String,
    /// Output path.
    pub output_path: String,
    /// Title.
    pub title: Option<String>,
}

/// State of one file in a batch.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum ItemState {
    /// Not signed yet (or to be signed again).
    Pending,
    /// Signed; a rerun skips it.
    Done,
    /// Failed; a rerun tries it again.
    Failed,
}

impl ItemState {
    /// `pending`, `done` or `failed`.
    pub fn as_str(self) -> &'static str {
        match self {
            ItemState::Pending => "pending",
            ItemState::Done => "done",
            ItemState::Failed => "failed",
        }
    }

    fn parse(s: &str) -> Option<Self> {
        match s {
            "pending" => Some(ItemState::Pending),
            "done" => Some(ItemState::Done),
            "failed" => Some(ItemState::Failed),
            _ => None,
        }
    }
}

/// One input file of a batch, as given to [`Store::begin_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchInput {
    /// The input's path (absolute, so a rerun from another folder matches).
    pub path: String,
    /// Its size in bytes.
    pub size: u64,
    /// Its modification time, nanoseconds since the Unix epoch.
    pub mtime_ns: i64,
}

impl BatchInput {
    /// Reads the size and modification time of a file. The path is stored as given (non-UTF-8
    /// characters replaced); pass an absolute path.
    pub fn from_path(path: &Path) -> std::io::Result<BatchInput> {
        let meta = std::fs::metadata(path)?;
        let mtime_ns = match meta.modified()?.duration_since(std::time::UNIX_EPOCH) {
            Ok(d) => i64::try_from(d.as_nanos()).unwrap_or(i64::MAX),
            Err(e) => -i64::try_from(e.duration().as_nanos()).unwrap_or(i64::MAX),
        };
        Ok(BatchInput { path: path.to_string_lossy().into_owned(), size: meta.len(), mtime_ns })
    }
}

/// A batch. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Batch {
    /// Batch id.
    pub id: i64,
    /// The caller's fingerprint of the inputs and options.
    pub options_fingerprint: String,
    /// When it was started (RFC 3339).
    pub created_at: String,
    /// When it was finished, if it was.
    pub finished_at: Option<String>,
}

/// One file in a batch. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct BatchItem {
    /// The batch.
    pub batch: i64,
    /// The input's path.
    pub input_path: String,
    /// Its size when the batch (re)started.
    pub input_size: u64,
    /// Its modification time (ns since the epoch) when the batch (re)started.
    pub input_mtime_ns: i64,
    /// Its SHA-256 (hex), once signed.
    pub input_sha256: Option<String>,
    /// Pending, done or failed.
    pub state: ItemState,
    /// Where the output was written, once done.
    pub output_path: Option<String>,
    /// The error's stable code, when failed.
    pub error_code: Option<String>,
    /// The error's message, when failed.
    pub error: Option<String>,
    /// When the state last changed.
    pub updated_at: String,
}

/// The result of [`Store::begin_batch`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BatchStart {
    /// The batch, new or resumed.
    pub batch: Batch,
    /// Whether an unfinished batch with the same fingerprint was resumed.
    pub resumed: bool,
    /// Every item, in the order given; those [`ItemState::Done`] are to be skipped.
    pub items: Vec<BatchItem>,
}

impl BatchStart {
    /// The items still to sign.
    pub fn pending(&self) -> impl Iterator<Item = &BatchItem> {
        self.items.iter().filter(|i| i.state == ItemState::Pending)
    }
}

/// Counts of a batch's items by state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct BatchSummary {
    /// All items.
    pub total: u64,
    /// Signed.
    pub done: u64,
    /// Failed.
    pub failed: u64,
    /// Not tried yet.
    pub pending: u64,
}

const MEDIA_COLUMNS: &str = "id, output_sha256, original_sha256, phash, media_type, signer, manifest_label, \
                             output_path, title, signed_at";
const ITEM_COLUMNS: &str = "batch, input_path, input_size, input_mtime_ns, input_sha256, state, output_path, \
                            error_code, error, updated_at";

fn media_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<SignedMedia> {
    Ok(SignedMedia {
        id: r.get(0)?,
        output_sha256: r.get(1)?,
        original_sha256: r.get(2)?,
        phash: r.get::<_, Option<i64>>(3)?.map(PerceptualHash::from_i64),
        media_type: r.get(4)?,
        signer: r.get(5)?,
        manifest_label: r.get(6)?,
        output_path: r.get(7)?,
        title: r.get(8)?,
        signed_at: r.get(9)?,
    })
}

fn item_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<BatchItem> {
    let state: String = r.get(5)?;
    let size: i64 = r.get(2)?;
    Ok(BatchItem {
        batch: r.get(0)?,
        input_path: r.get(1)?,
        input_size: u64::try_from(size).map_err(|_| rusqlite::Error::IntegralValueOutOfRange(2, size))?,
        input_mtime_ns: r.get(3)?,
        input_sha256: r.get(4)?,
        state: ItemState::parse(&state).ok_or_else(|| {
            rusqlite::Error::FromSqlConversionFailure(5, rusqlite::types::Type::Text, "unknown item state".into())
        })?,
        output_path: r.get(6)?,
        error_code: r.get(7)?,
        error: r.get(8)?,
        updated_at: r.get(9)?,
    })
}

fn batch_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<Batch> {
    Ok(Batch { id: r.get(0)?, options_fingerprint: r.get(1)?, created_at: r.get(2)?, finished_at: r.get(3)? })
}

fn normalize_sha256(hash: &str) -> String {
    hash.trim().to_ascii_lowercase()
}

fn insert_media(conn: &Connection, m: &NewSignedMedia, at: &str) -> rusqlite::Result<i64> {
    conn.execute(
        "INSERT INTO signed_media (output_sha256, original_sha256, phash, media_type, signer, manifest_label,
                                   output_path, title, signed_at)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
        params![
            normalize_sha256(&m.output_sha256),
            normalize_sha256(&m.original_sha256),
            m.phash.map(PerceptualHash::to_i64),
            m.media_type,
            m.signer,
            m.manifest_label,
            m.output_path,
            m.title,
            at
        ],
    )?;
    Ok(conn.last_insert_rowid())
}

fn query_media<P: rusqlite::Params>(conn: &Connection, tail: &str, p: P) -> rusqlite::Result<Vec<SignedMedia>> {
    let mut stmt = conn.prepare(&format!("SELECT {MEDIA_COLUMNS} FROM signed_media {tail}"))?;
    let rows = stmt.query_map(p, media_row)?;
    rows.collect()
}

fn query_items(conn: &Connection, batch: i64) -> rusqlite::Result<Vec<BatchItem>> {
    let mut stmt =
        conn.prepare(&format!("SELECT {ITEM_COLUMNS} FROM sign_batch_items WHERE batch = ?1 ORDER BY seq"))?;
    let rows = stmt.query_map([batch], item_row)?;
    rows.collect()
}

fn query_batch(conn: &Connection, id: i64) -> rusqlite::Result<Option<Batch>> {
    conn.query_row("SELECT id, options, created_at, finished_at FROM sign_batches WHERE id = ?1", [id], batch_row)
        .optional()
}

fn query_summary(conn: &Connection, batch: i64) -> rusqlite::Result<BatchSummary> {
    conn.query_row(
        "SELECT COUNT(*), COALESCE(SUM(state = 'done'), 0), COALESCE(SUM(state = 'failed'), 0),
                COALESCE(SUM(state = 'pending'), 0)
         FROM sign_batch_items WHERE batch = ?1",
        [batch],
        |r| {
            let n = |i: usize| -> rusqlite::Result<u64> { Ok(r.get::<_, i64>(i)?.max(0) as u64) };
            Ok(BatchSummary { total: n(0)?, done: n(1)?, failed: n(2)?, pending: n(3)? })
        },
    )
}

fn no_such_item() -> StoreError {
    StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows)
}

impl Store {
    fn media_tx(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
        let path = self.path.display().to_string();
        self.conn.transaction_with_behavior(TransactionBehavior::Immediate).map_err(|e| {
            if super::is_corruption(&e) {
                StoreError::Corrupt { path, reason: e.to_string() }
            } else if e.sqlite_error_code() == Some(rusqlite::ErrorCode::DatabaseBusy) {
                StoreError::Busy
            } else {
                StoreError::Sqlite(e)
            }
        })
    }

    /// Records a signed output (outside a batch) and returns the stored row.
    pub fn record_signed(&mut self, m: &NewSignedMedia) -> Result<SignedMedia, StoreError> {
        let tx = self.media_tx()?;
        let id = insert_media(&tx, m, &now())?;
        let row = query_media(&tx, "WHERE id = ?1", [id])?.into_iter().next().ok_or_else(no_such_item)?;
        tx.commit()?;
        Ok(row)
    }

    /// Signed outputs whose output or original SHA-256 (hex, any case) is `sha256`, newest first.
    pub fn find_signed_by_sha256(&self, sha256: &str) -> Result<Vec<SignedMedia>, StoreError> {
        query_media(
            &self.conn,
            "WHERE output_sha256 = ?1 OR original_sha256 = ?1 ORDER BY signed_at DESC, id DESC",
            [normalize_sha256(sha256)],
        )
        .map_err(|e| self.classify(e.into()))
    }

    /// Signed pictures whose perceptual hash is within `max_distance` bits of `phash`, with the
    /// distance, closest first (then newest first). A linear scan: see the module documentation.
    pub fn find_similar_signed(
        &self,
        phash: PerceptualHash,
        max_distance: u32,
    ) -> Result<Vec<(SignedMedia, u32)>, StoreError> {
        let run = || -> rusqlite::Result<Vec<(SignedMedia, u32)>> {
            let mut close: Vec<(i64, u32)> = Vec::new();
            {
                let mut stmt = self.conn.prepare("SELECT id, phash FROM signed_media WHERE phash IS NOT NULL")?;
                let mut rows = stmt.query([])?;
                while let Some(r) = rows.next()? {
                    let d = distance(phash, PerceptualHash::from_i64(r.get(1)?));
                    if d <= max_distance {
                        close.push((r.get(0)?, d));
                    }
                }
            }
            let mut found = Vec::with_capacity(close.len());
            let mut stmt = self.conn.prepare(&format!("SELECT {MEDIA_COLUMNS} FROM signed_media WHERE id = ?1"))?;
            for (id, d) in close {
                if let Some(row) = stmt.query_row([id], media_row).optional()? {
                    found.push((row, d));
                }
            }
            found.sort_by(|(a, da), (b, db)| da.cmp(db).then(b.signed_at.cmp(&a.signed_at)).then(b.id.cmp(&a.id)));
            Ok(found)
        };
        run().map_err(|e| self.classify(e.into()))
    }

    /// Signed outputs, newest first; at most `limit` when given.
    pub fn list_signed(&self, limit: Option<u32>) -> Result<Vec<SignedMedia>, StoreError> {
        let limit = limit.map(i64::from).unwrap_or(-1);
        query_media(&self.conn, "ORDER BY signed_at DESC, id DESC LIMIT ?1", [limit])
            .map_err(|e| self.classify(e.into()))
    }

    /// Starts a batch, or resumes the unfinished one with the same `options_fingerprint`.
    ///
    /// The batch's items become exactly `inputs` (duplicates once, in the order given). On resume,
    /// an item already done stays done if its size and modification time are unchanged; changed
    /// files and failed items become pending again; items no longer among the inputs are dropped.
    pub fn begin_batch(&mut self, options_fingerprint: &str, inputs: &[BatchInput]) -> Result<BatchStart, StoreError> {
        let at = now();
        let tx = self.media_tx()?;
        let open: Option<i64> = tx
            .query_row(
                "SELECT id FROM sign_batches WHERE options = ?1 AND finished_at IS NULL",
                [options_fingerprint],
                |r| r.get(0),
            )
            .optional()?;
        let resumed = open.is_some();
        let id = match open {
            Some(id) => id,
            None => {
                tx.execute(
                    "INSERT INTO sign_batches (options, created_at) VALUES (?1, ?2)",
                    params![options_fingerprint, at],
                )?;
                tx.last_insert_rowid()
            }
        };
        {
            let mut upsert = tx.prepare(
                "INSERT INTO sign_batch_items (batch, seq, input_path, input_size, input_mtime_ns, state, updated_at)
                 VALUES (?1, ?2, ?3, ?4, ?5, 'pending', ?6)
                 ON CONFLICT (batch, input_path) DO UPDATE SET
                     seq = excluded.seq,
                     state = CASE WHEN state = 'done' AND input_size = excluded.input_size
                                       AND input_mtime_ns = excluded.input_mtime_ns
                                  THEN 'done' ELSE 'pending' END,
                     input_sha256 = CASE WHEN state = 'done' AND input_size = excluded.input_size
                                       AND input_mtime_ns = excluded.input_mtime_ns
                                  THEN input_sha256 ELSE NULL END,
                     output_path = CASE WHEN state = 'done' AND input_size = excluded.input_size
                                       AND input_mtime_ns = excluded.input_mtime_ns
                                  THEN output_path ELSE NULL END,
                     updated_at = CASE WHEN state = 'done' AND input_size = excluded.input_size
                                       AND input_mtime_ns = excluded.input_mtime_ns
                                  THEN updated_at ELSE excluded.updated_at END,
                     error_code = NULL,
                     error = NULL,
                     input_size = excluded.input_size,
                     input_mtime_ns = excluded.input_mtime_ns",
            )?;
            let mut wanted = HashSet::with_capacity(inputs.len());
            for (seq, input) in inputs.iter().enumerate() {
                if !wanted.insert(input.path.as_str()) {
                    continue;
                }
                let size = i64::try_from(input.size)
                    .map_err(|_| StoreError::Sqlite(rusqlite::Error::IntegralValueOutOfRange(3, i64::MAX)))?;
                upsert.execute(params![id, seq as i64, input.path, size, input.mtime_ns, at])?;
            }
            if resumed {
                let stale: Vec<String> = {
                    let mut stmt = tx.prepare("SELECT input_path FROM sign_batch_items WHERE batch = ?1")?;
                    let paths = stmt.query_map([id], |r| r.get::<_, String>(0))?;
                    paths
                        .filter(|p| p.as_ref().map_or(true, |p| !wanted.contains(p.as_str())))
                        .collect::<Result<_, _>>()?
                };
                let mut delete = tx.prepare("DELETE FROM sign_batch_items WHERE batch = ?1 AND input_path = ?2")?;
                for path in stale {
                    delete.execute(params![id, path])?;
                }
            }
        }
        let batch = query_batch(&tx, id)?.ok_or_else(no_such_item)?;
        let items = query_items(&tx, id)?;
        tx.commit()?;
        Ok(BatchStart { batch, resumed, items })
    }

    /// Records the signed output of a batch item in the index and marks the item done, in one
    /// transaction. The item's SHA-256 and output path are taken from `signed`. Fails (writing
    /// nothing) if the batch is finished or has no such item.
    pub fn mark_item_done(
        &mut self,
        batch: i64,
        input_path: &str,
        signed: &NewSignedMedia,
    ) -> Result<SignedMedia, StoreError> {
        let at = now();
        let signer = self.log_signer.clone();
        let tx = self.media_tx()?;
        let n = tx.execute(
            "UPDATE sign_batch_items
             SET state = 'done', input_sha256 = ?3, output_path = ?4, error_code = NULL, error = NULL, updated_at = ?5
             WHERE batch = ?1 AND input_path = ?2
               AND batch IN (SELECT id FROM sign_batches WHERE finished_at IS NULL)",
            params![batch, input_path, normalize_sha256(&signed.original_sha256), signed.output_path, at],
        )?;
        if n != 1 {
            return Err(no_such_item());
        }
        let id = insert_media(&tx, signed, &at)?;
        let row = query_media(&tx, "WHERE id = ?1", [id])?.into_iter().next().ok_or_else(no_such_item)?;
        // The signature goes into the activity log in the same transaction.
        let draft = Draft::new(&row.signer, "sign_media")
            .object("original_sha256", &row.original_sha256)
            .object("output_sha256", &row.output_sha256)
            .object("manifest_label", &row.manifest_label)
            .object("media_type", &row.media_type);
        super::activity::append(&tx, signer.as_deref(), &draft)?;
        tx.commit()?;
        Ok(row)
    }

    /// Marks a batch item failed, with the error's stable code and message. A rerun retries it.
    /// Fails if the batch is finished or has no such item.
    pub fn mark_item_failed(
        &mut self,
        batch: i64,
        input_path: &str,
        error_code: &str,
        error: &str,
    ) -> Result<(), StoreError> {
        let n = self
            .conn
            .execute(
                "UPDATE sign_batch_items
                 SET state = 'failed', error_code = ?3, error = ?4, output_path = NULL, updated_at = ?5
                 WHERE batch = ?1 AND input_path = ?2
                   AND batch IN (SELECT id FROM sign_batches WHERE finished_at IS NULL)",
                params![batch, input_path, error_code, error, now()],
            )
            .map_err(|e| self.classify(e.into()))?;
        if n != 1 {
            return Err(no_such_item());
        }
        Ok(())
    }

    /// A batch's items, in the order given to [`Store::begin_batch`].
    pub fn batch_items(&self, batch: i64) -> Result<Vec<BatchItem>, StoreError> {
        query_items(&self.conn, batch).map_err(|e| self.classify(e.into()))
    }

    /// A batch, if it exists.
    pub fn batch(&self, id: i64) -> Result<Option<Batch>, StoreError> {
        query_batch(&self.conn, id).map_err(|e| self.classify(e.into()))
    }

    /// Counts of a batch's items by state.
    pub fn batch_summary(&self, batch: i64) -> Result<BatchSummary, StoreError> {
        query_summary(&self.conn, batch).map_err(|e| self.classify(e.into()))
    }

    /// Batches not finished (interrupted, or running in another process), oldest first.
    pub fn unfinished_batches(&self) -> Result<Vec<Batch>, StoreError> {
        let run = || -> rusqlite::Result<Vec<Batch>> {
            let mut stmt = self.conn.prepare(
                "SELECT id, options, created_at, finished_at FROM sign_batches WHERE finished_at IS NULL ORDER BY id",
            )?;
            let rows = stmt.query_map([], batch_row)?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }

    /// Closes a batch and returns its counts. A later [`Store::begin_batch`] with the same
    /// fingerprint starts afresh, so a caller that wants a rerun to retry only the failures leaves
    /// the batch open instead. Closing an already-closed batch changes nothing.
    pub fn finish_batch(&mut self, batch: i64) -> Result<BatchSummary, StoreError> {
        let tx = self.media_tx()?;
        if query_batch(&tx, batch)?.is_none() {
            return Err(no_such_item());
        }
        tx.execute(
            "UPDATE sign_batches SET finished_at = ?2 WHERE id = ?1 AND finished_at IS NULL",
            params![batch, now()],
        )?;
        let summary = query_summary(&tx, batch)?;
        tx.commit()?;
        Ok(summary)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sha(n: u8) -> String {
        hex::encode([n; 32])
    }

    fn signed(output: u8, original: u8, phash: Option<u64>) -> NewSignedMedia {
        NewSignedMedia {
            output_sha256: sha(output),
            original_sha256: sha(original),
            phash: phash.map(PerceptualHash),
            media_type: "image/jpeg".into(),
            signer: "did:key:z6Mkexample".into(),
            manifest_label: format!("urn:c2pa:{output}"),
            output_path: format!("/out/{output}.jpg"),
            title: Some("Harbour at dawn".into()),
        }
    }

    fn input(path: &str, size: u64, mtime_ns: i64) -> BatchInput {
        BatchInput { path: path.into(), size, mtime_ns }
    }

    #[test]
    fn signed_media_is_found_by_either_hash_and_by_similarity() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let a = s.record_signed(&signed(1, 2, Some(0xFFFF_0000_FFFF_0000))).unwrap();
        assert_eq!(a.phash, Some(PerceptualHash(0xFFFF_0000_FFFF_0000)));
        assert_eq!(a.title.as_deref(), Some("Harbour at dawn"));
        let b = s.record_signed(&signed(3, 2, Some(0xFFFF_0000_FFFF_000F))).unwrap(); // same input, signed again
        let c = s.record_signed(&signed(4, 5, Some(0x0000_FFFF_0000_FFFF))).unwrap(); // unrelated picture
        let d = s.record_signed(&signed(6, 7, None)).unwrap(); // a video: no perceptual hash
        assert_eq!(d.phash, None);

        assert_eq!(s.find_signed_by_sha256(&sha(1)).unwrap(), vec![a.clone()]);
        // Hex in any case; the original matches every output made from it, newest first.
        assert_eq!(s.find_signed_by_sha256(&sha(2).to_uppercase()).unwrap(), vec![b.clone(), a.clone()]);
        assert_eq!(s.find_signed_by_sha256(&sha(7)).unwrap(), vec![d.clone()]);
        assert!(s.find_signed_by_sha256(&sha(9)).unwrap().is_empty());

        // One bit off from `a`, five from `b`; `c` is 64 bits away; `d` has no hash.
        let probe = PerceptualHash(0xFFFF_0000_FFFF_0001);
        let found = s.find_similar_signed(probe, 10).unwrap();
        assert_eq!(found, vec![(a.clone(), 1), (b.clone(), 3)]);
        assert_eq!(s.find_similar_signed(probe, 0).unwrap(), vec![]);
        assert_eq!(s.find_similar_signed(probe, 64).unwrap().len(), 3);
        assert_eq!(s.find_similar_signed(probe, 64).unwrap()[2], (c.clone(), 63));
        // High bit set: stored as a negative INTEGER and read back unchanged.
        assert!(s.find_similar_signed(PerceptualHash(0x0000_FFFF_0000_FFFF), 0).unwrap() == vec![(c.clone(), 0)]);

        assert_eq!(s.list_signed(None).unwrap(), vec![d.clone(), c.clone(), b.clone(), a.clone()]);
        assert_eq!(s.list_signed(Some(2)).unwrap(), vec![d, c]);

        // A malformed hash is refused by the schema and nothing is written.
        let mut bad = signed(8, 9, None);
        bad.output_sha256 = "abc".into();
        assert!(s.record_signed(&bad).is_err());
        assert_eq!(s.list_signed(None).unwrap().len(), 4);
        s.integrity_check().unwrap();
    }

    #[test]
    fn a_rerun_resumes_the_open_batch_and_skips_finished_files() {
        let dir = tempfile::tempdir().unwrap();
        let inputs = [input("/p/a.jpg", 10, 1), input("/p/b.jpg", 20, 2), input("/p/c.jpg", 30, 3)];
        let batch_id;
        {
            let mut s = Store::open(dir.path()).unwrap();
            s.set_log_signer(Some(crate::activity::test_signer()));
            let start = s.begin_batch("opts-1", &inputs).unwrap();
            assert!(!start.resumed);
            assert_eq!(start.pending().count(), 3);
            assert_eq!(
                start.items.iter().map(|i| i.input_path.as_str()).collect::<Vec<_>>(),
                ["/p/a.jpg", "/p/b.jpg", "/p/c.jpg"]
            );
            batch_id = start.batch.id;
            let mut a = signed(1, 11, Some(1));
            a.output_path = "/out/a.jpg".into();
            let row = s.mark_item_done(batch_id, "/p/a.jpg", &a).unwrap();
            assert_eq!(row.output_path, "/out/a.jpg");
            s.mark_item_failed(batch_id, "/p/b.jpg", "truncated", "the JPEG file is truncated").unwrap();
            // The process dies here: the store is dropped without finishing the batch.
        }
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        assert_eq!(s.unfinished_batches().unwrap().len(), 1);
        let items = s.batch_items(batch_id).unwrap();
        assert_eq!(items[0].state, ItemState::Done);
        assert_eq!(items[0].input_sha256.as_deref(), Some(sha(11).as_str()));
        assert_eq!(items[1].state, ItemState::Failed);
        assert_eq!(items[1].error_code.as_deref(), Some("truncated"));
        assert_eq!(s.batch_summary(batch_id).unwrap(), BatchSummary { total: 3, done: 1, failed: 1, pending: 1 });

        // Same options: resumed; `a` stays done, failed `b` is retried, `c` still pending.
        let again = s.begin_batch("opts-1", &inputs).unwrap();
        assert!(again.resumed);
        assert_eq!(again.batch.id, batch_id);
        let pending: Vec<&str> = again.pending().map(|i| i.input_path.as_str()).collect();
        assert_eq!(pending, ["/p/b.jpg", "/p/c.jpg"]);
        assert_eq!(again.items[1].error, None);
        assert_eq!(again.items[0].output_path.as_deref(), Some("/out/a.jpg"));

        // Different options: a separate batch, everything to do.
        let other = s.begin_batch("opts-2", &inputs).unwrap();
        assert!(!other.resumed);
        assert_ne!(other.batch.id, batch_id);
        assert_eq!(other.pending().count(), 3);

        // `a` changed on disk (new mtime), `c` was removed, `d` was added: `a` is signed again.
        let changed = [input("/p/a.jpg", 10, 99), input("/p/b.jpg", 20, 2), input("/p/d.jpg", 40, 4)];
        let third = s.begin_batch("opts-1", &changed).unwrap();
        assert_eq!(third.batch.id, batch_id);
        let pending: Vec<&str> = third.pending().map(|i| i.input_path.as_str()).collect();
        assert_eq!(pending, ["/p/a.jpg", "/p/b.jpg", "/p/d.jpg"]);
        assert_eq!(third.items[0].output_path, None);
        assert_eq!(third.items[0].input_mtime_ns, 99);

        for (n, path) in [(2u8, "/p/a.jpg"), (3, "/p/b.jpg"), (4, "/p/d.jpg")] {
            s.mark_item_done(batch_id, path, &signed(n, n + 10, None)).unwrap();
        }
        let summary = s.finish_batch(batch_id).unwrap();
        assert_eq!(summary, BatchSummary { total: 3, done: 3, failed: 0, pending: 0 });
        assert!(s.batch(batch_id).unwrap().unwrap().finished_at.is_some());
        // A finished batch takes no more writes, and the same options now start a new batch.
        assert!(s.mark_item_failed(batch_id, "/p/a.jpg", "x", "y").is_err());
        let fresh = s.begin_batch("opts-1", &inputs).unwrap();
        assert!(!fresh.resumed);
        assert_ne!(fresh.batch.id, batch_id);
        assert_eq!(s.unfinished_batches().unwrap().len(), 2);
        s.integrity_check().unwrap();
    }

    #[test]
    fn a_failed_write_leaves_journal_and_index_unchanged() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let start = s.begin_batch("opts", &[input("/p/a.jpg", 1, 1)]).unwrap();
        let id = start.batch.id;
        // An unknown item: nothing is recorded in the index either.
        assert!(s.mark_item_done(id, "/p/nope.jpg", &signed(1, 2, None)).is_err());
        assert!(s.list_signed(None).unwrap().is_empty());
        // The index insert fails (bad hash) after the item update: the update is rolled back too.
        let mut bad = signed(1, 2, None);
        bad.output_sha256 = "short".into();
        assert!(s.mark_item_done(id, "/p/a.jpg", &bad).is_err());
        assert_eq!(s.batch_items(id).unwrap()[0].state, ItemState::Pending);
        assert!(s.list_signed(None).unwrap().is_empty());
        assert!(s.mark_item_failed(id + 1, "/p/a.jpg", "x", "y").is_err());
        assert!(s.finish_batch(id + 1).is_err());

        // Duplicated inputs are listed once.
        let dup = s.begin_batch("dup", &[input("/p/x", 1, 1), input("/p/x", 1, 1)]).unwrap();
        assert_eq!(dup.items.len(), 1);
    }

    #[test]
    fn batch_input_reads_size_and_mtime() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.jpg");
        std::fs::write(&path, b"12345").unwrap();
        let i = BatchInput::from_path(&path).unwrap();
        assert_eq!(i.size, 5);
        assert!(i.mtime_ns > 1_500_000_000_000_000_000);
        assert_eq!(i.path, path.to_string_lossy());
        assert!(BatchInput::from_path(&dir.path().join("missing")).is_err());
    }
}
