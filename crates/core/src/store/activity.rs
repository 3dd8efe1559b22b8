//! The activity log's table (migration 7) and the one function every action calls inside its
//! own transaction: [`append`].
//!
//! `activity_log` is append-only: triggers refuse any `UPDATE` or `DELETE` (a person who edits
//! the file by hand can drop them, but cannot re-sign the entries or change an anchored head —
//! `log verify` finds it). Each store function that records an action (a file signed, a
//! credential issued or revoked, a community decision, an attestation confirmed or signed
//! off-chain) appends its entry in the same immediate transaction as the action: both are
//! committed, or neither — a crash between them is impossible by construction.

use rusqlite::{params, Connection, OptionalExtension, Row};

use super::{Identity, Store, StoreError};
use crate::activity::{seal, Draft, Entry, EntrySig, LogSigner, GENESIS};

const COLUMNS: &str = "seq, prev, community, content_hash, hash, time, actor, action, objects, sig";

fn from_row(r: &Row<'_>) -> rusqlite::Result<Entry> {
    let objects: String = r.get(8)?;
    let sig: String = r.get(9)?;
    Ok(Entry {
        seq: r.get::<_, i64>(0)? as u64,
        prev: r.get(1)?,
        community: r.get(2)?,
        content_hash: r.get(3)?,
        hash: r.get(4)?,
        time: r.get(5)?,
        actor: r.get(6)?,
        action: r.get(7)?,
        objects: serde_json::from_str(&objects).unwrap_or_default(),
        sig: serde_json::from_str(&sig).unwrap_or(EntrySig { alg: String::new(), vm: None, value: String::new() }),
    })
}

/// The current head: (seq, hash), (0, zeros) when empty.
pub(crate) fn head(conn: &Connection) -> Result<(u64, String), StoreError> {
    Ok(conn
        .prepare_cached("SELECT seq, hash FROM activity_log ORDER BY seq DESC LIMIT 1")?
        .query_row([], |r| Ok((r.get::<_, i64>(0)? as u64, r.get::<_, String>(1)?)))
        .optional()?
        .unwrap_or((0, GENESIS.to_string())))
}

fn identity(conn: &Connection, did: &str) -> Result<Option<Identity>, StoreError> {
    let mut found = super::query_identities_on(conn, "WHERE did = ?1", [did])?;
    Ok(if found.is_empty() { None } else { Some(found.remove(0)) })
}

/// Appends the entry for `draft`, signed by its actor through `signer`, on `conn` (which must be
/// inside the action's transaction). Without a signer (a locked wallet) it fails, and so does
/// the action.
pub(crate) fn append(conn: &Connection, signer: Option<&dyn LogSigner>, draft: &Draft) -> Result<Entry, StoreError> {
    let signer = signer.ok_or(StoreError::Log(crate::activity::ActivityError::Locked))?;
    let (seq, prev) = head(conn)?;
    let id = identity(conn, &draft.actor)?;
    let time = super::now_millis();
    let entry = seal(draft, seq, &prev, &time, signer, id.as_ref()).map_err(StoreError::Log)?;
    conn.prepare_cached(
        "INSERT INTO activity_log (seq, prev, community, content_hash, hash, time, actor, action, objects, sig)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)",
    )?
    .execute(params![
        entry.seq as i64,
        entry.prev,
        entry.community,
        entry.content_hash,
        entry.hash,
        entry.time,
        entry.actor,
        entry.action,
        serde_json::to_string(&entry.objects).expect("objects serialise"),
        serde_json::to_string(&entry.sig).expect("signature serialises"),
    ])?;
    Ok(entry)
}

/// Which entries [`Store::log_entries`] returns.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    /// From this `seq` on.
    pub from: Option<u64>,
    /// Only this community's.
    pub community: Option<String>,
    /// Only this action.
    pub action: Option<String>,
    /// Only by this actor.
    pub actor: Option<String>,
    /// At most this many (the newest when `newest_first`).
    pub limit: Option<u32>,
    /// Newest first (for screens); otherwise in `seq` order.
    pub newest_first: bool,
}

impl Store {
    /// Sets who signs activity log entries (the unlocked wallet; `None` when locked).
    pub fn set_log_signer(&mut self, signer: Option<std::sync::Arc<dyn LogSigner>>) {
        self.log_signer = signer;
    }

    /// The signer set, if any (to give another connection of the same wallet).
    pub fn log_signer(&self) -> Option<std::sync::Arc<dyn LogSigner>> {
        self.log_signer.clone()
    }

    /// Appends an entry in its own transaction (for actions with no other write).
    pub fn append_log(&mut self, draft: &Draft) -> Result<Entry, StoreError> {
        let signer = self.log_signer.clone();
        let tx = self.conn.transaction_with_behavior(rusqlite::TransactionBehavior::Immediate)?;
        let entry = append(&tx, signer.as_deref(), draft)?;
        tx.commit()?;
        Ok(entry)
    }

    /// The head of the log: (number of entries, last hash).
    pub fn log_head(&self) -> Result<(u64, String), StoreError> {
        head(&self.conn)
    }

    /// Entries matching `filter`.
    pub fn log_entries(&self, filter: &LogFilter) -> Result<Vec<Entry>, StoreError> {
        let mut clauses = vec!["seq >= ?1".to_string()];
        let mut values: Vec<rusqlite::types::Value> = vec![(filter.from.unwrap_or(1) as i64).into()];
        for (col, v) in [("community", &filter.community), ("action", &filter.action), ("actor", &filter.actor)] {
            if let Some(v) = v {
                values.push(v.clone().into());
                clauses.push(format!("{col} = ?{}", values.len()));
            }
        }
        let order = if filter.newest_first { "DESC" } else { "ASC" };
        let mut sql =
            format!("SELECT {COLUMNS} FROM activity_log WHERE {} ORDER BY seq {order}", clauses.join(" AND "));
        if let Some(limit) = filter.limit {
            sql.push_str(&format!(" LIMIT {limit}"));
        }
        let mut stmt = self.conn.prepare(&sql)?;
        let rows = stmt.query_map(rusqlite::params_from_iter(values), from_row)?.collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }

    /// Calls `each` with every entry from `from` on, in order, without loading them all.
    pub fn for_each_log_entry(
        &self,
        from: u64,
        mut each: impl FnMut(Entry) -> Result<(), StoreError>,
    ) -> Result<(), StoreError> {
        let mut stmt =
            self.conn.prepare(&format!("SELECT {COLUMNS} FROM activity_log WHERE seq >= ?1 ORDER BY seq"))?;
        let mut rows = stmt.query([from as i64])?;
        while let Some(row) = rows.next()? {
            each(from_row(row)?)?;
        }
        Ok(())
    }

    /// Entries after entry `after` that are not the log's own anchors (confirmed log-head
    /// attestations), i.e. what a new anchor would newly cover.
    pub fn log_entries_to_anchor(&self, after: u64) -> Result<u64, StoreError> {
        let n: i64 = self.conn.query_row(
            "SELECT count(*) FROM activity_log WHERE seq > ?1
               AND NOT (action = 'attest' AND objects LIKE '%\"schema\":\"log_head\"%')",
            [after as i64],
            |r| r.get(0),
        )?;
        Ok(n as u64)
    }

    /// How many entries each action has (for a screen's filters).
    pub fn log_actions(&self) -> Result<Vec<(String, u64)>, StoreError> {
        let mut stmt =
            self.conn.prepare("SELECT action, count(*) FROM activity_log GROUP BY action ORDER BY action")?;
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, i64>(1)? as u64)))?
            .collect::<Result<Vec<_>, _>>()?;
        Ok(rows)
    }
}
