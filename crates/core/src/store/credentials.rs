//! Credentials held and issued, the issuer's status lists, and the trust list.

use rusqlite::{params, OptionalExtension, TransactionBehavior};
use serde::Serialize;

use crate::activity::Draft;

use super::{now, Store, StoreError};

/// A credential as stored: the exact text received or issued, and the result of its last check.
/// Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HeldCredential {
    /// Local id (`c-` and 12 hex digits of the body's SHA-256), used by `cred show`, `delete`, `revoke`.
    pub id: String,
    /// `di` (Data Integrity, JSON) or `jwt` (VC-JOSE).
    pub format: String,
    /// `eddsa-rdfc-2022`, `eddsa-jcs-2022` or `EdDSA` (JWT).
    pub proof_suite: String,
    /// The credential's types, e.g. `["VerifiableCredential", "HumanityCredential"]`.
    pub types: Vec<String>,
    /// The issuer's DID.
    pub issuer: String,
    /// The subject's id, if it has one.
    pub subject: Option<String>,
    /// `validFrom`, if any.
    pub valid_from: Option<String>,
    /// `validUntil`, if any.
    pub valid_until: Option<String>,
    /// `imported` (held by this wallet) or `issued` (signed by one of its identities).
    pub origin: String,
    /// When it was added (RFC 3339).
    pub added_at: String,
    /// When it was last verified (RFC 3339).
    pub checked_at: String,
    /// Whether the last verification passed.
    pub valid: bool,
    /// The last verification report, check by check.
    pub checks: serde_json::Value,
    /// Hex SHA-256 of the body.
    pub sha256: String,
    /// The credential exactly as received: JSON text or a compact JWT.
    #[serde(skip)]
    pub body: String,
}

/// What [`Store::insert_credential`] needs.
#[derive(Debug, Clone)]
pub struct NewCredential {
    /// Hex SHA-256 of `body`; the local id derives from it.
    pub sha256: String,
    /// `di` or `jwt`.
    pub format: String,
    /// The proof suite (see [`HeldCredential::proof_suite`]).
    pub proof_suite: String,
    /// Types.
    pub types: Vec<String>,
    /// Issuer DID.
    pub issuer: String,
    /// Subject id.
    pub subject: Option<String>,
    /// `validFrom`.
    pub valid_from: Option<String>,
    /// `validUntil`.
    pub valid_until: Option<String>,
    /// The credential text.
    pub body: String,
    /// `imported` or `issued`.
    pub origin: &'static str,
    /// Whether it verified.
    pub valid: bool,
    /// The verification report.
    pub checks: serde_json::Value,
}

impl NewCredential {
    /// The local id this credential gets.
    pub fn local_id(&self) -> String {
        format!("c-{}", &self.sha256[..12.min(self.sha256.len())])
    }
}

/// One of the wallet's status lists (W3C Bitstring Status List), as stored.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct StatusListRecord {
    /// Row id.
    pub id: i64,
    /// The issuing identity's DID.
    pub issuer: String,
    /// `revocation`.
    pub purpose: String,
    /// The URL (or URN) the list credential is published under: its `id`.
    pub url: String,
    /// Number of bits.
    pub size: i64,
    /// The bits (uncompressed, bit 0 = most significant bit of byte 0).
    #[serde(skip)]
    pub bits: Vec<u8>,
    /// The latest signed list credential (JSON text), if signed yet.
    #[serde(skip)]
    pub credential: Option<String>,
    /// When it last changed.
    pub updated_at: String,
}

/// Revocation bookkeeping of a credential the wallet issued.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct IssuedRecord {
    /// The credential's local id.
    pub credential: String,
    /// The status list's URL.
    pub status_list_url: String,
    /// The status list row.
    #[serde(skip)]
    pub status_list: i64,
    /// Its index in that list.
    pub status_index: i64,
    /// When it was revoked, if it was.
    pub revoked_at: Option<String>,
    /// Why, as the issuer wrote it.
    pub revoked_reason: Option<String>,
}

/// An issuer the person trusts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct TrustedIssuer {
    /// The issuer's DID.
    pub did: String,
    /// The person's label for it.
    pub label: Option<String>,
    /// When it was added.
    pub added_at: String,
}

const CREDENTIAL_COLUMNS: &str = "id, format, proof_suite, types, issuer, subject, valid_from, valid_until, origin, \
     added_at, checked_at, valid, checks, sha256, body";

fn credential_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<HeldCredential> {
    let types: String = r.get(3)?;
    let checks: String = r.get(12)?;
    let bad =
        |i, e: serde_json::Error| rusqlite::Error::FromSqlConversionFailure(i, rusqlite::types::Type::Text, e.into());
    Ok(HeldCredential {
        id: r.get(0)?,
        format: r.get(1)?,
        proof_suite: r.get(2)?,
        types: serde_json::from_str(&types).map_err(|e| bad(3, e))?,
        issuer: r.get(4)?,
        subject: r.get(5)?,
        valid_from: r.get(6)?,
        valid_until: r.get(7)?,
        origin: r.get(8)?,
        added_at: r.get(9)?,
        checked_at: r.get(10)?,
        valid: r.get(11)?,
        checks: serde_json::from_str(&checks).map_err(|e| bad(12, e))?,
        sha256: r.get(13)?,
        body: r.get(14)?,
    })
}

const LIST_COLUMNS: &str = "id, issuer, purpose, url, size, bits, credential, updated_at";

fn list_row(r: &rusqlite::Row<'_>) -> rusqlite::Result<StatusListRecord> {
    Ok(StatusListRecord {
        id: r.get(0)?,
        issuer: r.get(1)?,
        purpose: r.get(2)?,
        url: r.get(3)?,
        size: r.get(4)?,
        bits: r.get(5)?,
        credential: r.get(6)?,
        updated_at: r.get(7)?,
    })
}

fn insert_credential_row(tx: &rusqlite::Transaction<'_>, c: &NewCredential, at: &str) -> Result<String, StoreError> {
    let id = c.local_id();
    let exists: bool =
        tx.query_row("SELECT EXISTS(SELECT 1 FROM credentials WHERE sha256 = ?1)", [&c.sha256], |r| r.get(0))?;
    if exists {
        return Err(StoreError::Duplicate(format!("this credential (as {id})")));
    }
    let types = serde_json::to_string(&c.types).unwrap_or_else(|_| "[]".into());
    tx.execute(
        &format!("INSERT INTO credentials ({CREDENTIAL_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, ?14, ?15)"),
        params![
            id,
            c.format,
            c.proof_suite,
            types,
            c.issuer,
            c.subject,
            c.valid_from,
            c.valid_until,
            c.origin,
            at,
            at,
            c.valid,
            c.checks.to_string(),
            c.sha256,
            c.body
        ],
    )?;
    Ok(id)
}

impl Store {
    fn immediate(&mut self) -> Result<rusqlite::Transaction<'_>, StoreError> {
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

    /// Adds a credential; [`StoreError::Duplicate`] when the same text is stored already.
    pub fn insert_credential(&mut self, c: &NewCredential) -> Result<HeldCredential, StoreError> {
        let tx = self.immediate()?;
        let id = insert_credential_row(&tx, c, &now())?;
        tx.commit()?;
        self.credential(&id)?.ok_or_else(|| StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Adds a credential the wallet issued together with its place in a status list, in one transaction.
    /// Fails with a constraint error (and adds nothing) if another process took the same index meanwhile.
    pub fn insert_issued(&mut self, c: &NewCredential, list: i64, index: i64) -> Result<HeldCredential, StoreError> {
        let signer = self.log_signer.clone();
        let tx = self.immediate()?;
        let id = insert_credential_row(&tx, c, &now())?;
        tx.execute(
            "INSERT INTO issued (credential, status_list, status_index) VALUES (?1, ?2, ?3)",
            params![id, list, index],
        )?;
        let vouch = c.types.iter().any(|t| t == "VouchCredential");
        let draft = Draft::new(&c.issuer, if vouch { "vouch" } else { "issue_credential" })
            .object("credential_sha256", &c.sha256)
            .object("type", c.types.last().cloned().unwrap_or_default());
        let draft = match &c.subject {
            Some(s) => draft.object("subject_sha256", crate::activity::hash_text(s)),
            None => draft,
        };
        super::activity::append(&tx, signer.as_deref(), &draft)?;
        tx.commit()?;
        self.credential(&id)?.ok_or_else(|| StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// All stored credentials, newest first.
    pub fn credentials(&self) -> Result<Vec<HeldCredential>, StoreError> {
        let run = || -> rusqlite::Result<Vec<HeldCredential>> {
            let mut stmt = self
                .conn
                .prepare(&format!("SELECT {CREDENTIAL_COLUMNS} FROM credentials ORDER BY added_at DESC, id"))?;
            let rows = stmt.query_map([], credential_row)?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }

    /// The credential with this local id, or the only one whose id starts with it.
    pub fn credential(&self, id: &str) -> Result<Option<HeldCredential>, StoreError> {
        let run = || -> rusqlite::Result<Vec<HeldCredential>> {
            let mut stmt = self.conn.prepare(&format!(
                "SELECT {CREDENTIAL_COLUMNS} FROM credentials WHERE id = ?1 OR (length(?1) >= 4 AND substr(id, 1, length(?1)) = ?1) LIMIT 2"
            ))?;
            let rows = stmt.query_map([id], credential_row)?;
            rows.collect()
        };
        let found = run().map_err(|e| self.classify(e.into()))?;
        Ok(match found.len() {
            1 => found.into_iter().next(),
            _ => found.into_iter().find(|c| c.id == id),
        })
    }

    /// Records a new verification result for a stored credential.
    pub fn update_check(&self, id: &str, valid: bool, checks: &serde_json::Value) -> Result<(), StoreError> {
        self.conn
            .execute(
                "UPDATE credentials SET valid = ?2, checks = ?3, checked_at = ?4 WHERE id = ?1",
                params![id, valid, checks.to_string(), now()],
            )
            .map(|_| ())
            .map_err(|e| self.classify(e.into()))
    }

    /// Deletes a held credential. Credentials the wallet issued stay (they are needed to revoke them):
    /// returns `Ok(false)` for an unknown id.
    pub fn delete_credential(&mut self, id: &str) -> Result<bool, StoreError> {
        let tx = self.immediate()?;
        let issued: bool =
            tx.query_row("SELECT EXISTS(SELECT 1 FROM issued WHERE credential = ?1)", [id], |r| r.get(0))?;
        if issued {
            return Err(StoreError::Kept(id.to_owned()));
        }
        let n = tx.execute("DELETE FROM credentials WHERE id = ?1", [id])?;
        tx.commit()?;
        Ok(n == 1)
    }

    /// The revocation record of a credential this wallet issued.
    pub fn issued(&self, credential: &str) -> Result<Option<IssuedRecord>, StoreError> {
        self.conn
            .query_row(
                "SELECT i.credential, l.url, i.status_list, i.status_index, i.revoked_at, i.revoked_reason
                 FROM issued i JOIN status_lists l ON l.id = i.status_list WHERE i.credential = ?1",
                [credential],
                |r| {
                    Ok(IssuedRecord {
                        credential: r.get(0)?,
                        status_list_url: r.get(1)?,
                        status_list: r.get(2)?,
                        status_index: r.get(3)?,
                        revoked_at: r.get(4)?,
                        revoked_reason: r.get(5)?,
                    })
                },
            )
            .optional()
            .map_err(|e| self.classify(e.into()))
    }

    /// Whether `index` of status list `list` is given to a credential already.
    pub fn status_index_used(&self, list: i64, index: i64) -> Result<bool, StoreError> {
        self.conn
            .query_row(
                "SELECT EXISTS(SELECT 1 FROM issued WHERE status_list = ?1 AND status_index = ?2)",
                params![list, index],
                |r| r.get(0),
            )
            .map_err(|e| self.classify(e.into()))
    }

    /// How many credentials use status list `list`.
    pub fn status_list_usage(&self, list: i64) -> Result<i64, StoreError> {
        self.conn
            .query_row("SELECT COUNT(*) FROM issued WHERE status_list = ?1", [list], |r| r.get(0))
            .map_err(|e| self.classify(e.into()))
    }

    /// The status lists of `issuer`, oldest first.
    pub fn status_lists_of(&self, issuer: &str) -> Result<Vec<StatusListRecord>, StoreError> {
        self.query_lists("WHERE issuer = ?1 ORDER BY id", [issuer])
    }

    /// Every status list of the wallet.
    pub fn status_lists(&self) -> Result<Vec<StatusListRecord>, StoreError> {
        self.query_lists("ORDER BY id", [])
    }

    /// The status list published at `url`, if it is one of the wallet's.
    pub fn status_list_by_url(&self, url: &str) -> Result<Option<StatusListRecord>, StoreError> {
        Ok(self.query_lists("WHERE url = ?1", [url])?.into_iter().next())
    }

    fn query_lists<P: rusqlite::Params>(&self, tail: &str, p: P) -> Result<Vec<StatusListRecord>, StoreError> {
        let run = || -> rusqlite::Result<Vec<StatusListRecord>> {
            let mut stmt = self.conn.prepare(&format!("SELECT {LIST_COLUMNS} FROM status_lists {tail}"))?;
            let rows = stmt.query_map(p, list_row)?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }

    /// Creates a status list with its first signed list credential.
    pub fn create_status_list(
        &mut self,
        issuer: &str,
        url: &str,
        size: i64,
        bits: &[u8],
        credential: &str,
    ) -> Result<StatusListRecord, StoreError> {
        let tx = self.immediate()?;
        tx.execute(
            "INSERT INTO status_lists (issuer, purpose, url, size, bits, credential, updated_at)
             VALUES (?1, 'revocation', ?2, ?3, ?4, ?5, ?6)",
            params![issuer, url, size, bits, credential, now()],
        )?;
        tx.commit()?;
        self.status_list_by_url(url)?.ok_or_else(|| StoreError::Sqlite(rusqlite::Error::QueryReturnedNoRows))
    }

    /// Marks `credential` revoked and stores its list's new bits and re-signed list credential,
    /// in one transaction. `expected_bits` guards against a concurrent change: if the stored bits
    /// are no longer those the caller started from, nothing is written and `Ok(false)` is returned
    /// (read again and retry).
    pub fn revoke(
        &mut self,
        credential: &str,
        reason: Option<&str>,
        list: i64,
        expected_bits: &[u8],
        bits: &[u8],
        list_credential: &str,
    ) -> Result<bool, StoreError> {
        let signer = self.log_signer.clone();
        let tx = self.immediate()?;
        let current: Vec<u8> = tx.query_row("SELECT bits FROM status_lists WHERE id = ?1", [list], |r| r.get(0))?;
        if current != expected_bits {
            return Ok(false);
        }
        let (issuer, sha256, types): (String, String, String) =
            tx.query_row("SELECT issuer, sha256, types FROM credentials WHERE id = ?1", [credential], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })?;
        let kind = serde_json::from_str::<Vec<String>>(&types).ok().and_then(|t| t.last().cloned()).unwrap_or_default();
        let draft = Draft::new(issuer, "revoke_credential").object("credential_sha256", sha256).object("type", kind);
        super::activity::append(&tx, signer.as_deref(), &draft)?;
        let at = now();
        tx.execute(
            "UPDATE issued SET revoked_at = ?2, revoked_reason = ?3 WHERE credential = ?1",
            params![credential, at, reason],
        )?;
        tx.execute(
            "UPDATE status_lists SET bits = ?2, credential = ?3, updated_at = ?4 WHERE id = ?1",
            params![list, bits, list_credential, at],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// Adds (or relabels) a trusted issuer.
    pub fn trust(&self, did: &str, label: Option<&str>) -> Result<(), StoreError> {
        self.conn
            .execute(
                "INSERT INTO trust (did, label, added_at) VALUES (?1, ?2, ?3)
                 ON CONFLICT(did) DO UPDATE SET label = COALESCE(excluded.label, trust.label)",
                params![did, label, now()],
            )
            .map(|_| ())
            .map_err(|e| self.classify(e.into()))
    }

    /// Removes a trusted issuer; `Ok(false)` if it was not in the list.
    pub fn untrust(&self, did: &str) -> Result<bool, StoreError> {
        self.conn
            .execute("DELETE FROM trust WHERE did = ?1", [did])
            .map(|n| n == 1)
            .map_err(|e| self.classify(e.into()))
    }

    /// The trust list, oldest first.
    pub fn trusted(&self) -> Result<Vec<TrustedIssuer>, StoreError> {
        let run = || -> rusqlite::Result<Vec<TrustedIssuer>> {
            let mut stmt = self.conn.prepare("SELECT did, label, added_at FROM trust ORDER BY added_at, did")?;
            let rows =
                stmt.query_map([], |r| Ok(TrustedIssuer { did: r.get(0)?, label: r.get(1)?, added_at: r.get(2)? }))?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }
}

/// A status list credential of another issuer, kept so that credentials can be checked again
/// offline. Field names are stable (`--json`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct ReceivedStatusList {
    /// Its `id` (the URL or URN credentials point to).
    pub url: String,
    /// Its issuer's DID.
    pub issuer: String,
    /// Its `validFrom`, if it has one (RFC 3339).
    pub valid_from: Option<String>,
    /// The credential's JSON text.
    pub credential: String,
    /// When it was kept.
    pub stored_at: String,
}

impl Store {
    /// Keeps another issuer's (already verified) status list credential, replacing the one
    /// kept for the same `url` unless that one is fresher — a later `valid_from`, or the same
    /// and more bits set (`revoked`): an older copy must not hide a revocation. Returns whether
    /// it was written.
    pub fn keep_status_list(
        &mut self,
        url: &str,
        issuer: &str,
        valid_from: Option<&str>,
        revoked: usize,
        credential: &str,
    ) -> Result<bool, StoreError> {
        let tx = self.immediate()?;
        let old: Option<(String, Option<String>, i64)> = tx
            .query_row("SELECT issuer, valid_from, revoked FROM received_status_lists WHERE url = ?1", [url], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?))
            })
            .optional()?;
        if let Some((old_issuer, old_from, old_revoked)) = &old {
            let fresher_kept = (old_from.as_deref().and_then(parse_time), *old_revoked as usize)
                > (valid_from.and_then(parse_time), revoked);
            if old_issuer != issuer || fresher_kept {
                return Ok(false);
            }
        }
        tx.execute(
            "INSERT INTO received_status_lists (url, issuer, valid_from, revoked, credential, stored_at)
             VALUES (?1, ?2, ?3, ?4, ?5, ?6)
             ON CONFLICT (url) DO UPDATE SET valid_from = ?3, revoked = ?4, credential = ?5, stored_at = ?6",
            params![url, issuer, valid_from, revoked as i64, credential, now()],
        )?;
        tx.commit()?;
        Ok(true)
    }

    /// The status lists of other issuers kept by [`Store::keep_status_list`].
    pub fn received_status_lists(&self) -> Result<Vec<ReceivedStatusList>, StoreError> {
        let run = || -> rusqlite::Result<Vec<ReceivedStatusList>> {
            let mut stmt = self.conn.prepare(
                "SELECT url, issuer, valid_from, credential, stored_at FROM received_status_lists ORDER BY url",
            )?;
            let rows = stmt.query_map([], |r| {
                Ok(ReceivedStatusList {
                    url: r.get(0)?,
                    issuer: r.get(1)?,
                    valid_from: r.get(2)?,
                    credential: r.get(3)?,
                    stored_at: r.get(4)?,
                })
            })?;
            rows.collect()
        };
        run().map_err(|e| self.classify(e.into()))
    }
}

fn parse_time(s: &str) -> Option<time::OffsetDateTime> {
    time::OffsetDateTime::parse(s, &time::format_description::well_known::Rfc3339).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sample(body: &str, origin: &'static str) -> NewCredential {
        use sha2::Digest;
        NewCredential {
            sha256: hex::encode(sha2::Sha256::digest(body.as_bytes())),
            format: "di".into(),
            proof_suite: "eddsa-rdfc-2022".into(),
            types: vec!["VerifiableCredential".into(), "HumanityCredential".into()],
            issuer: "did:key:z6MkIssuer".into(),
            subject: Some("did:key:z6MkSubject".into()),
            valid_from: Some("2025-01-01T00:00:00Z".into()),
            valid_until: None,
            body: body.into(),
            origin,
            valid: true,
            checks: serde_json::json!([{"check": "proof", "result": "passed"}]),
        }
    }

    #[test]
    fn credentials_round_trip_and_duplicates_are_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let held = s.insert_credential(&sample("{\"a\":1}", "imported")).unwrap();
        assert!(held.id.starts_with("c-") && held.id.len() == 14);
        assert_eq!(held.types[1], "HumanityCredential");
        assert!(matches!(s.insert_credential(&sample("{\"a\":1}", "imported")), Err(StoreError::Duplicate(_))));
        assert_eq!(s.credential(&held.id[..6]).unwrap().unwrap().body, "{\"a\":1}");
        assert!(s.credential("c-").unwrap().is_none(), "too short a prefix matches nothing");
        s.update_check(&held.id, false, &serde_json::json!([{"check": "validity", "result": "failed"}])).unwrap();
        assert!(!s.credential(&held.id).unwrap().unwrap().valid);
        assert!(s.delete_credential(&held.id).unwrap());
        assert!(!s.delete_credential(&held.id).unwrap());
        assert!(s.credentials().unwrap().is_empty());
    }

    #[test]
    fn issued_credentials_keep_their_status_index_and_revoke_atomically() {
        let dir = tempfile::tempdir().unwrap();
        let mut s = Store::open(dir.path()).unwrap();
        s.set_log_signer(Some(crate::activity::test_signer()));
        let list = s.create_status_list("did:key:z6MkIssuer", "urn:uuid:1", 16, &[0, 0], "{}").unwrap();
        let a = s.insert_issued(&sample("{\"n\":1}", "issued"), list.id, 3).unwrap();
        // The same index cannot be given twice, and the failed insert leaves nothing behind.
        assert!(s.insert_issued(&sample("{\"n\":2}", "issued"), list.id, 3).is_err());
        assert_eq!(s.credentials().unwrap().len(), 1);
        assert!(s.status_index_used(list.id, 3).unwrap());
        // Issued credentials are kept for revocation.
        assert!(matches!(s.delete_credential(&a.id), Err(StoreError::Kept(_))));
        // A stale view of the bits is refused.
        assert!(!s.revoke(&a.id, None, list.id, &[1, 0], &[0x10, 0], "{\"v\":2}").unwrap());
        assert!(s.issued(&a.id).unwrap().unwrap().revoked_at.is_none());
        assert!(s.revoke(&a.id, Some("left"), list.id, &[0, 0], &[0x10, 0], "{\"v\":2}").unwrap());
        let rec = s.issued(&a.id).unwrap().unwrap();
        assert_eq!((rec.status_index, rec.revoked_reason.as_deref()), (3, Some("left")));
        let stored = s.status_list_by_url("urn:uuid:1").unwrap().unwrap();
        assert_eq!((stored.bits, stored.credential.as_deref()), (vec![0x10, 0], Some("{\"v\":2}")));
    }

    #[test]
    fn trust_list() {
        let dir = tempfile::tempdir().unwrap();
        let s = Store::open(dir.path()).unwrap();
        s.trust("did:key:z6MkA", Some("Photo club")).unwrap();
        s.trust("did:key:z6MkA", None).unwrap();
        assert_eq!(s.trusted().unwrap()[0].label.as_deref(), Some("Photo club"));
        assert!(s.untrust("did:key:z6MkA").unwrap());
        assert!(!s.untrust("did:key:z6MkA").unwrap());
    }
}
