//! W3C Bitstring Status List v1.0: revocation lists and status entries.
//!
//! An issuer publishes one *status list credential* per list: a signed credential whose
//! `credentialSubject.encodedList` carries a long string of bits. Each credential it issues names
//! one bit of one list in its `credentialStatus` entry; the issuer revokes the credential by setting
//! that bit and publishing the list again. Because every list holds at least 131,072 bits and
//! indexes are drawn at random, a verifier that fetches a list learns nothing about which
//! credential it is checking ("herd privacy").
//!
//! Encoding (the Recommendation's `encodedList`): the bitstring is GZIP-compressed, the result is
//! base64url-encoded without padding, and the multibase prefix `u` is put in front. Bit 0 is the
//! left-most (most significant) bit of the first byte.
//!
//! This module is pure: it builds and reads JSON values and bits. Fetching a list and checking
//! its proof are the caller's business.

use std::io::{Read, Write};

use base64::engine::{general_purpose::GeneralPurpose, DecodePaddingMode, GeneralPurposeConfig};
use base64::Engine;
use serde_json::{json, Value};

use super::CredentialError;

/// Number of bits in a new list (the spec's minimum, 16 KiB, for herd privacy).
pub const LIST_SIZE: usize = 131_072;

/// The largest decompressed list Hallmark accepts, in bytes (16 MiB, 134 million entries).
/// A few kilobytes of GZIP can expand to gigabytes, so decompression stops here.
pub const MAX_LIST_BYTES: usize = 16 * 1024 * 1024;

/// The `type` of a status entry.
pub const ENTRY_TYPE: &str = "BitstringStatusListEntry";
/// The `type` a status list credential must include.
pub const LIST_CREDENTIAL_TYPE: &str = "BitstringStatusListCredential";
/// The `type` of a status list credential's subject.
pub const LIST_TYPE: &str = "BitstringStatusList";
/// The purpose of the lists Hallmark issues.
pub const REVOCATION: &str = "revocation";
/// The other purpose Hallmark can check (a bit that may be cleared again).
pub const SUSPENSION: &str = "suspension";

/// base64url; writes no padding, reads input with or without it.
const BASE64URL: GeneralPurpose = GeneralPurpose::new(
    &base64::alphabet::URL_SAFE,
    GeneralPurposeConfig::new().with_encode_padding(false).with_decode_padding_mode(DecodePaddingMode::Indifferent),
);

fn status_err(message: impl Into<String>) -> CredentialError {
    CredentialError::Status(message.into())
}

/// A status list's bits, purpose "revocation" (the only purpose Hallmark issues; "suspension"
/// lists are read the same way).
#[derive(Clone, PartialEq, Eq)]
pub struct StatusList {
    bytes: Vec<u8>,
}

impl std::fmt::Debug for StatusList {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let set = (0..self.len()).filter(|&i| self.get(i) == Some(true)).count();
        f.debug_struct("StatusList").field("len", &self.len()).field("set", &set).finish()
    }
}

impl StatusList {
    /// A list with every bit clear. `size` is raised to [`LIST_SIZE`] if smaller (the spec's
    /// minimum) and rounded up to whole bytes.
    pub fn new(size: usize) -> Self {
        let bits = size.clamp(LIST_SIZE, MAX_LIST_BYTES * 8);
        StatusList { bytes: vec![0; bits.div_ceil(8)] }
    }

    /// A list from its raw (uncompressed) bytes, as stored. Refuses fewer than [`LIST_SIZE`] bits
    /// and more than [`MAX_LIST_BYTES`].
    pub fn from_bytes(bytes: Vec<u8>) -> Result<Self, CredentialError> {
        if bytes.len() * 8 < LIST_SIZE {
            return Err(status_err(format!(
                "the status list has only {} entries; a list must have at least {LIST_SIZE}",
                bytes.len() * 8
            )));
        }
        if bytes.len() > MAX_LIST_BYTES {
            return Err(status_err(format!(
                "the status list is {} bytes once decompressed, more than the {MAX_LIST_BYTES}-byte limit",
                bytes.len()
            )));
        }
        Ok(StatusList { bytes })
    }

    /// The raw (uncompressed) bytes, to store.
    pub fn as_bytes(&self) -> &[u8] {
        &self.bytes
    }

    /// The number of entries (bits).
    pub fn len(&self) -> usize {
        self.bytes.len() * 8
    }

    /// Always false: a list has at least [`LIST_SIZE`] entries.
    pub fn is_empty(&self) -> bool {
        self.bytes.is_empty()
    }

    /// The bit at `index`, or `None` past the end.
    pub fn get(&self, index: usize) -> Option<bool> {
        let byte = self.bytes.get(index / 8)?;
        Some(byte & (0x80 >> (index % 8)) != 0)
    }

    /// Sets (`true`: revoked) or clears the bit at `index`.
    pub fn set(&mut self, index: usize, value: bool) -> Result<(), CredentialError> {
        let len = self.len();
        let byte = self.bytes.get_mut(index / 8).ok_or_else(|| out_of_range(index, len))?;
        let mask = 0x80 >> (index % 8);
        if value {
            *byte |= mask;
        } else {
            *byte &= !mask;
        }
        Ok(())
    }

    /// The `encodedList` value: `u` + base64url (no padding) of the GZIP-compressed bits.
    pub fn encode(&self) -> String {
        let mut gzip = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
        // Writing to a Vec cannot fail.
        let compressed = gzip.write_all(&self.bytes).and_then(|()| gzip.finish()).unwrap_or_default();
        format!("u{}", BASE64URL.encode(compressed))
    }

    /// Reads an `encodedList` value. Refuses another multibase encoding than base64url (`u`),
    /// data that is not GZIP, lists shorter than [`LIST_SIZE`] bits, and lists that decompress to
    /// more than [`MAX_LIST_BYTES`] (a "zip bomb" is stopped there, not decompressed in full).
    pub fn decode(encoded: &str) -> Result<Self, CredentialError> {
        let Some(b64) = encoded.strip_prefix('u') else {
            let prefix: String = encoded.chars().take(1).collect();
            return Err(status_err(format!(
                "the encodedList must be multibase base64url (starting with \"u\"), not {prefix:?}"
            )));
        };
        let compressed =
            BASE64URL.decode(b64).map_err(|e| status_err(format!("the encodedList is not valid base64url: {e}")))?;
        Self::from_bytes(gunzip(&compressed, MAX_LIST_BYTES)?)
    }
}

/// Decompresses GZIP data, stopping as soon as the output would exceed `limit` bytes.
fn gunzip(compressed: &[u8], limit: usize) -> Result<Vec<u8>, CredentialError> {
    let mut bytes = Vec::new();
    flate2::read::GzDecoder::new(compressed)
        .take(limit as u64 + 1)
        .read_to_end(&mut bytes)
        .map_err(|e| status_err(format!("the encodedList is not GZIP-compressed data: {e}")))?;
    if bytes.len() > limit {
        return Err(status_err(format!(
            "the status list decompresses to more than the {limit}-byte limit; it is refused"
        )));
    }
    Ok(bytes)
}

fn out_of_range(index: usize, len: usize) -> CredentialError {
    status_err(format!("status index {index} is outside the status list, which has {len} entries (0 to {})", len - 1))
}

/// The `credentialStatus` entry for `index` of the list credential at `list_url`:
/// `{"id": "<list_url>#<index>", "type": "BitstringStatusListEntry", "statusPurpose": "revocation",
/// "statusListIndex": "<index>", "statusListCredential": "<list_url>"}`.
pub fn entry(list_url: &str, index: usize) -> Value {
    json!({
        "id": format!("{list_url}#{index}"),
        "type": ENTRY_TYPE,
        "statusPurpose": REVOCATION,
        "statusListIndex": index.to_string(),
        "statusListCredential": list_url,
    })
}

/// A parsed `credentialStatus` entry.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Entry {
    /// The URL of the status list credential (`statusListCredential`).
    pub list_url: String,
    /// The bit to read (`statusListIndex`).
    pub index: usize,
    /// `revocation` or `suspension`.
    pub purpose: String,
}

/// Every `BitstringStatusListEntry` of a credential whose purpose Hallmark checks (revocation,
/// suspension), in order. Entries of other status types or purposes are left out. Empty when the
/// credential has no `credentialStatus`; an error when it has one but nothing Hallmark can check,
/// or when an entry is malformed.
pub fn parse_entries(credential: &Value) -> Result<Vec<Entry>, CredentialError> {
    let items: Vec<&Value> = match credential.get("credentialStatus") {
        None | Some(Value::Null) => return Ok(Vec::new()),
        Some(Value::Array(a)) => a.iter().collect(),
        Some(one) => vec![one],
    };
    let mut entries = Vec::new();
    let mut other_types = Vec::new();
    for item in items {
        let Some(obj) = item.as_object() else {
            return Err(status_err("credentialStatus must be an object or a list of objects"));
        };
        let types = strings(obj.get("type"));
        if !types.iter().any(|t| t == ENTRY_TYPE) {
            other_types.extend(types);
            continue;
        }
        let purpose = match obj.get("statusPurpose") {
            Some(Value::String(p)) => p.clone(),
            _ => return Err(status_err("a BitstringStatusListEntry has no statusPurpose string")),
        };
        if purpose != REVOCATION && purpose != SUSPENSION {
            other_types.push(format!("{ENTRY_TYPE} ({purpose})"));
            continue;
        }
        match obj.get("statusSize") {
            None => {}
            Some(v) if v.as_u64() == Some(1) => {}
            Some(v) => {
                return Err(status_err(format!(
                    "statusSize {v} is not supported: Hallmark reads one-bit statuses only"
                )))
            }
        }
        let index = match obj.get("statusListIndex") {
            Some(Value::String(s)) if !s.is_empty() && s.bytes().all(|b| b.is_ascii_digit()) => {
                s.parse::<usize>().map_err(|_| status_err(format!("statusListIndex {s:?} is too large")))?
            }
            Some(other) => {
                return Err(status_err(format!(
                    "statusListIndex must be a non-negative whole number written as a string, not {other}"
                )))
            }
            None => return Err(status_err("a BitstringStatusListEntry has no statusListIndex")),
        };
        let list_url = match obj.get("statusListCredential") {
            Some(Value::String(u)) if url::Url::parse(u).is_ok() => u.clone(),
            Some(other) => return Err(status_err(format!("statusListCredential must be a URL, not {other}"))),
            None => return Err(status_err("a BitstringStatusListEntry has no statusListCredential")),
        };
        entries.push(Entry { list_url, index, purpose });
    }
    if entries.is_empty() {
        return Err(status_err(format!(
            "the credential's status is of a kind Hallmark cannot check ({}); only {ENTRY_TYPE} for revocation or \
             suspension is supported",
            if other_types.is_empty() { "no type".to_owned() } else { other_types.join(", ") }
        )));
    }
    Ok(entries)
}

/// The credential's status entry to check: the revocation one, else the first suspension one.
/// `None` when the credential has no `credentialStatus` (it cannot be revoked). Accepts an object
/// or an array of them.
pub fn parse_entry(credential: &Value) -> Result<Option<Entry>, CredentialError> {
    let mut entries = parse_entries(credential)?;
    let pick = entries.iter().position(|e| e.purpose == REVOCATION).unwrap_or(0);
    Ok(if entries.is_empty() { None } else { Some(entries.swap_remove(pick)) })
}

/// The unsigned `BitstringStatusListCredential` for a list: VC 2.0 context (which defines every
/// term used), `id` = `list_url`, and the subject `{id: "<list_url>#list", type:
/// "BitstringStatusList", statusPurpose: "revocation", encodedList}`.
pub fn list_credential(list_url: &str, issuer: &str, list: &StatusList, valid_from: &str) -> Value {
    json!({
        "@context": [super::VC_V2_CONTEXT],
        "id": list_url,
        "type": ["VerifiableCredential", LIST_CREDENTIAL_TYPE],
        "issuer": issuer,
        "validFrom": valid_from,
        "credentialSubject": {
            "id": format!("{list_url}#list"),
            "type": LIST_TYPE,
            "statusPurpose": REVOCATION,
            "encodedList": list.encode(),
        },
    })
}

/// Reads a list credential whose proof the caller has already verified and answers whether
/// `entry`'s bit is set (`true`: revoked or suspended). Checks that the credential is a
/// `BitstringStatusListCredential`, that its `id` is the URL the entry names, that its subject is
/// a `BitstringStatusList` for the entry's purpose, and that the index is inside the list.
pub fn is_set(entry: &Entry, list_credential: &Value) -> Result<bool, CredentialError> {
    if !strings(list_credential.get("type")).iter().any(|t| t == LIST_CREDENTIAL_TYPE) {
        return Err(status_err(format!("the document at {} is not a {LIST_CREDENTIAL_TYPE}", entry.list_url)));
    }
    let id = list_credential.get("id").and_then(Value::as_str).unwrap_or_default();
    if id != entry.list_url {
        return Err(status_err(format!(
            "the status list credential's id is {id:?}, not {:?} as the credential says: it may have been swapped",
            entry.list_url
        )));
    }
    let subject = match list_credential.get("credentialSubject") {
        Some(Value::Array(a)) if a.len() == 1 => &a[0],
        Some(s @ Value::Object(_)) => s,
        _ => return Err(status_err("the status list credential must have exactly one credentialSubject")),
    };
    if !strings(subject.get("type")).iter().any(|t| t == LIST_TYPE) {
        return Err(status_err(format!("the status list credential's subject is not a {LIST_TYPE}")));
    }
    let purposes = strings(subject.get("statusPurpose"));
    if !purposes.contains(&entry.purpose) {
        return Err(status_err(format!(
            "the status list is for {:?}, but the credential's entry is for {:?}",
            purposes.join(", "),
            entry.purpose
        )));
    }
    let encoded = subject
        .get("encodedList")
        .and_then(Value::as_str)
        .ok_or_else(|| status_err("the status list credential has no encodedList"))?;
    let list = StatusList::decode(encoded)?;
    list.get(entry.index).ok_or_else(|| out_of_range(entry.index, list.len()))
}

/// How fresh a status list credential is, for choosing between two copies of the same list:
/// its `validFrom` first, then how many bits are set (with revocation, bits are only ever set,
/// so of two copies signed in the same second the one with more revocations is the later).
/// Compare with `>`: a copy without a readable date or list sorts first.
pub fn freshness(list_credential: &Value) -> (Option<time::OffsetDateTime>, usize) {
    let valid_from = list_credential
        .get("validFrom")
        .and_then(Value::as_str)
        .and_then(|d| time::OffsetDateTime::parse(d, &time::format_description::well_known::Rfc3339).ok());
    let subject = match list_credential.get("credentialSubject") {
        Some(Value::Array(a)) => a.first(),
        other => other,
    };
    let set = subject
        .and_then(|s| s.get("encodedList"))
        .and_then(Value::as_str)
        .and_then(|e| StatusList::decode(e).ok())
        .map(|l| l.as_bytes().iter().map(|b| b.count_ones() as usize).sum())
        .unwrap_or(0);
    (valid_from, set)
}

/// Picks a random unused index below `size` (issuers SHOULD assign indexes randomly), given a
/// predicate that says which are used. `None` when every index is used (or, in the unlikely case
/// that the system's random generator fails, when no index could be drawn).
pub fn random_free_index(size: usize, used: impl Fn(usize) -> bool) -> Option<usize> {
    if size == 0 {
        return None;
    }
    let draw = || -> Option<usize> {
        // Rejection sampling: no modulo bias.
        let size = size as u64;
        let zone = u64::MAX - (u64::MAX % size);
        loop {
            let r = getrandom::u64().ok()?;
            if r < zone {
                return Some((r % size) as usize);
            }
        }
    };
    // While the list is not nearly full, a few draws find a free index.
    for _ in 0..64 {
        let i = draw()?;
        if !used(i) {
            return Some(i);
        }
    }
    // Nearly full: scan once from a random start.
    let start = draw()?;
    (0..size).map(|k| (start + k) % size).find(|&i| !used(i))
}

/// A JSON string or array of strings, as a list (anything else: empty).
fn strings(value: Option<&Value>) -> Vec<String> {
    match value {
        Some(Value::String(s)) => vec![s.clone()],
        Some(Value::Array(a)) => a.iter().filter_map(|v| v.as_str().map(str::to_owned)).collect(),
        _ => Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The status list credential of the Bitstring Status List v1.0 Recommendation (its example
    /// of a BitstringStatusListCredential), and the index its example credential uses.
    const SPEC_ENCODED_LIST: &str = "uH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA";
    const SPEC_INDEX: usize = 94567;

    fn spec_list_credential() -> Value {
        json!({
            "@context": ["https://www.w3.org/ns/credentials/v2"],
            "id": "https://example.com/credentials/status/3",
            "type": ["VerifiableCredential", "BitstringStatusListCredential"],
            "issuer": "did:example:12345",
            "validFrom": "2021-04-05T14:27:40Z",
            "credentialSubject": {
                "id": "https://example.com/status/3#list",
                "type": "BitstringStatusList",
                "statusPurpose": "revocation",
                "encodedList": SPEC_ENCODED_LIST
            }
        })
    }

    fn gzip(bytes: &[u8]) -> Vec<u8> {
        let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::best());
        e.write_all(bytes).unwrap();
        e.finish().unwrap()
    }

    #[test]
    fn decodes_the_spec_example_to_131072_clear_bits() {
        let list = StatusList::decode(SPEC_ENCODED_LIST).unwrap();
        assert_eq!(list.len(), LIST_SIZE);
        assert_eq!(list.as_bytes().len(), 16 * 1024);
        assert!(list.as_bytes().iter().all(|&b| b == 0));
        let entry = Entry {
            list_url: "https://example.com/credentials/status/3".into(),
            index: SPEC_INDEX,
            purpose: "revocation".into(),
        };
        assert!(!is_set(&entry, &spec_list_credential()).unwrap());
        // The spec's example credential's entry parses to the same thing.
        let vc = json!({"credentialStatus": {
            "id": "https://example.com/credentials/status/3#94567",
            "type": "BitstringStatusListEntry",
            "statusPurpose": "revocation",
            "statusListIndex": "94567",
            "statusListCredential": "https://example.com/credentials/status/3"
        }});
        assert_eq!(parse_entry(&vc).unwrap(), Some(entry));
    }

    #[test]
    fn round_trip_and_bit_order() {
        let mut list = StatusList::new(LIST_SIZE);
        assert_eq!(list.len(), LIST_SIZE);
        let last = LIST_SIZE - 1;
        for i in [0, 7, 8, last] {
            list.set(i, true).unwrap();
        }
        // Bit 0 is the left-most bit of byte 0; bit 7 its right-most; bit 8 starts byte 1.
        assert_eq!(list.as_bytes()[0], 0b1000_0001);
        assert_eq!(list.as_bytes()[1], 0b1000_0000);
        assert_eq!(list.as_bytes()[LIST_SIZE / 8 - 1], 0b0000_0001);
        let encoded = list.encode();
        assert!(encoded.starts_with("uH4sI"), "multibase u + base64url of the GZIP magic: {encoded}");
        assert!(!encoded.contains('=') && !encoded.contains('+') && !encoded.contains('/'));
        let back = StatusList::decode(&encoded).unwrap();
        assert_eq!(back, list);
        for i in 0..LIST_SIZE {
            assert_eq!(back.get(i), Some(matches!(i, 0 | 7 | 8) || i == last), "bit {i}");
        }
        assert_eq!(back.get(LIST_SIZE), None);
        // Clearing works too.
        let mut cleared = back.clone();
        cleared.set(7, false).unwrap();
        assert_eq!(cleared.get(7), Some(false));
        assert_eq!(cleared.as_bytes()[0], 0b1000_0000);
    }

    #[test]
    fn interoperates_with_ssi_status() {
        use ssi::status::bitstring_status_list::EncodedList;
        let mut list = StatusList::new(LIST_SIZE);
        list.set(12345, true).unwrap();
        // ssi reads what Hallmark writes…
        let ours = EncodedList::new(list.encode()).decode(None).unwrap();
        assert_eq!(ours, list.as_bytes());
        // …and Hallmark reads what ssi writes.
        let theirs = serde_json::to_value(EncodedList::encode(list.as_bytes())).unwrap();
        assert_eq!(StatusList::decode(theirs.as_str().unwrap()).unwrap(), list);
    }

    #[test]
    fn small_sizes_are_raised_to_the_minimum() {
        assert_eq!(StatusList::new(10).len(), LIST_SIZE);
        assert_eq!(StatusList::new(LIST_SIZE + 1).len(), LIST_SIZE + 8);
        assert!(StatusList::from_bytes(vec![0; 100]).is_err());
        // A short list found in a credential is refused (STATUS_LIST_LENGTH_ERROR in the spec).
        let short = format!("u{}", BASE64URL.encode(gzip(&[0; 1024])));
        let err = StatusList::decode(&short).unwrap_err();
        assert!(err.to_string().contains("at least 131072"), "{err}");
    }

    #[test]
    fn decompression_bomb_is_refused() {
        // 17 MiB of zeros compress to about 17 KB.
        let bomb = gzip(&vec![0u8; MAX_LIST_BYTES + 1024 * 1024]);
        assert!(bomb.len() < 64 * 1024, "{}", bomb.len());
        let err = StatusList::decode(&format!("u{}", BASE64URL.encode(&bomb))).unwrap_err();
        assert!(matches!(err, CredentialError::Status(_)));
        assert!(err.to_string().contains("limit"), "{err}");
        // Decompression itself stops at the limit (it does not inflate everything, then check).
        let err = gunzip(&gzip(&[0u8; 1 << 20]), 4096).unwrap_err();
        assert!(err.to_string().contains("4096-byte limit"), "{err}");
        assert_eq!(gunzip(&gzip(&[7u8; 4096]), 4096).unwrap(), vec![7u8; 4096]);
        // Exactly at the limit is still accepted.
        let max = gzip(&vec![0u8; MAX_LIST_BYTES]);
        assert_eq!(StatusList::decode(&format!("u{}", BASE64URL.encode(&max))).unwrap().len(), MAX_LIST_BYTES * 8);
    }

    #[test]
    fn bad_encodings_are_refused() {
        // base58btc ('z') and no prefix at all.
        for bad in [
            "zH4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
            "H4sIAAAAAAAAA-3BMQEAAADCoPVPbQwfoAAAAAAAAAAAAAAAAAAAAIC3AYbSVKsAQAAA",
            "",
        ] {
            let err = StatusList::decode(bad).unwrap_err();
            assert!(err.to_string().contains("multibase base64url"), "{bad}: {err}");
        }
        // Standard base64 alphabet ('+', '/') is not base64url.
        assert!(StatusList::decode("uH4sI+AAA/").unwrap_err().to_string().contains("base64url"));
        // Not GZIP: raw zeros.
        let err = StatusList::decode(&format!("u{}", BASE64URL.encode([0u8; 16384]))).unwrap_err();
        assert!(err.to_string().contains("GZIP"), "{err}");
    }

    #[test]
    fn set_out_of_range_is_refused() {
        let mut list = StatusList::new(LIST_SIZE);
        let err = list.set(LIST_SIZE, true).unwrap_err();
        assert!(err.to_string().contains("outside the status list"), "{err}");
        assert_eq!(list, StatusList::new(LIST_SIZE));
    }

    #[test]
    fn entries_are_built_and_parsed() {
        let url = "https://issuer.example/status/1";
        let e = entry(url, 42);
        assert_eq!(
            e,
            json!({
                "id": "https://issuer.example/status/1#42",
                "type": "BitstringStatusListEntry",
                "statusPurpose": "revocation",
                "statusListIndex": "42",
                "statusListCredential": url
            })
        );
        let parsed = parse_entry(&json!({"credentialStatus": e.clone()})).unwrap().unwrap();
        assert_eq!(parsed, Entry { list_url: url.into(), index: 42, purpose: "revocation".into() });
        // An array: the revocation entry is picked even when a suspension one comes first.
        let mut suspension = entry("https://issuer.example/status/2", 7);
        suspension["statusPurpose"] = json!("suspension");
        let both = json!({"credentialStatus": [suspension.clone(), e.clone()]});
        assert_eq!(parse_entry(&both).unwrap().unwrap().index, 42);
        assert_eq!(parse_entries(&both).unwrap().len(), 2);
        let only_suspension = json!({"credentialStatus": [suspension]});
        assert_eq!(parse_entry(&only_suspension).unwrap().unwrap().purpose, "suspension");
        // No credentialStatus: nothing to check.
        assert_eq!(parse_entry(&json!({"type": ["VerifiableCredential"]})).unwrap(), None);
    }

    #[test]
    fn malformed_entries_are_refused() {
        let good = entry("https://issuer.example/status/1", 5);
        let cases: Vec<(&str, Value)> = vec![
            ("statusListIndex", json!(5)),
            ("statusListIndex", json!("-5")),
            ("statusListIndex", json!("5a")),
            ("statusListIndex", json!("")),
            ("statusListIndex", json!("99999999999999999999999")),
            ("statusListCredential", json!("not a url")),
            ("statusSize", json!(2)),
        ];
        for (field, value) in cases {
            let mut bad = good.clone();
            bad[field] = value.clone();
            let err = parse_entry(&json!({"credentialStatus": bad})).unwrap_err();
            assert!(matches!(err, CredentialError::Status(_)), "{field}={value}: {err}");
        }
        for field in ["statusListIndex", "statusListCredential", "statusPurpose"] {
            let mut bad = good.clone();
            bad.as_object_mut().unwrap().remove(field);
            assert!(parse_entry(&json!({"credentialStatus": bad})).is_err(), "{field}");
        }
        // A status of another kind is not silently taken as "not revoked".
        let err = parse_entry(&json!({"credentialStatus": {"type": "StatusList2021Entry"}})).unwrap_err();
        assert!(err.to_string().contains("StatusList2021Entry"), "{err}");
        let mut message = good.clone();
        message["statusPurpose"] = json!("message");
        assert!(parse_entry(&json!({"credentialStatus": message})).is_err());
        assert!(parse_entry(&json!({"credentialStatus": "revoked?"})).is_err());
    }

    fn sample_list_credential(url: &str, list: &StatusList) -> Value {
        list_credential(url, "did:key:z6MkrJVnaZkeFzdQyMZu1cgjg7k1pZZ6pvBQ7XJPt4swbTQ2", list, "2025-01-01T00:00:00Z")
    }

    #[test]
    fn list_credential_shape_and_is_set() {
        let url = "https://issuer.example/status/1";
        let mut list = StatusList::new(LIST_SIZE);
        list.set(42, true).unwrap();
        let lc = sample_list_credential(url, &list);
        assert_eq!(lc["@context"], json!(["https://www.w3.org/ns/credentials/v2"]));
        assert_eq!(lc["id"], url);
        assert_eq!(lc["type"], json!(["VerifiableCredential", "BitstringStatusListCredential"]));
        assert_eq!(lc["credentialSubject"]["id"], "https://issuer.example/status/1#list");
        assert_eq!(lc["credentialSubject"]["type"], "BitstringStatusList");
        assert_eq!(lc["credentialSubject"]["statusPurpose"], "revocation");
        let revoked = Entry { list_url: url.into(), index: 42, purpose: "revocation".into() };
        let fine = Entry { index: 43, ..revoked.clone() };
        assert!(is_set(&revoked, &lc).unwrap());
        assert!(!is_set(&fine, &lc).unwrap());
        // ssi writes a one-item credentialSubject array back as an object; both are read.
        let mut as_array = lc.clone();
        as_array["credentialSubject"] = json!([lc["credentialSubject"].clone()]);
        assert!(is_set(&revoked, &as_array).unwrap());
        // A list for several purposes (the spec allows an array).
        let mut multi = lc.clone();
        multi["credentialSubject"]["statusPurpose"] = json!(["suspension", "revocation"]);
        assert!(is_set(&revoked, &multi).unwrap());
    }

    #[test]
    fn is_set_refuses_the_wrong_list() {
        let url = "https://issuer.example/status/1";
        let mut list = StatusList::new(LIST_SIZE);
        list.set(42, true).unwrap();
        let lc = sample_list_credential(url, &list);
        let revoked = Entry { list_url: url.into(), index: 42, purpose: "revocation".into() };

        // Attack: answer with another (clean) list of the issuer's, e.g. an old or different one.
        let other = sample_list_credential("https://issuer.example/status/2", &StatusList::new(LIST_SIZE));
        let err = is_set(&revoked, &other).unwrap_err();
        assert!(err.to_string().contains("swapped"), "{err}");

        // A suspension list does not answer a revocation question.
        let mut suspension = lc.clone();
        suspension["credentialSubject"]["statusPurpose"] = json!("suspension");
        let err = is_set(&revoked, &suspension).unwrap_err();
        assert!(err.to_string().contains("\"suspension\""), "{err}");

        // Not a status list credential at all.
        let mut plain = lc.clone();
        plain["type"] = json!(["VerifiableCredential"]);
        assert!(is_set(&revoked, &plain).unwrap_err().to_string().contains("not a BitstringStatusListCredential"));
        let mut subject = lc.clone();
        subject["credentialSubject"]["type"] = json!("StatusList2021");
        assert!(is_set(&revoked, &subject).is_err());
        let mut no_list = lc.clone();
        no_list["credentialSubject"].as_object_mut().unwrap().remove("encodedList");
        assert!(is_set(&revoked, &no_list).is_err());

        // Index past the end: RANGE_ERROR in the spec, never "not revoked".
        let far = Entry { index: LIST_SIZE, ..revoked.clone() };
        let err = is_set(&far, &lc).unwrap_err();
        assert!(err.to_string().contains("outside the status list"), "{err}");
    }

    /// The result of the `proof` check of Hallmark's verifier (offline: nothing is fetched).
    async fn proof_check(doc: &Value) -> &'static str {
        use super::super::verifier::{verify, VerifyOptions};
        let options = VerifyOptions { network: false, ..VerifyOptions::default() };
        let report = verify(&super::super::Secured::Json(doc.clone()), &options).await.unwrap();
        report.checks.iter().find(|c| c.check == "proof").unwrap().result
    }

    #[tokio::test]
    async fn list_credential_signs_and_verifies_with_ssi() {
        let (key, did, vm) = crate::credential::testutil::random_did_key();
        let url = "https://issuer.example/status/1";
        let mut list = StatusList::new(LIST_SIZE);
        list.set(9, true).unwrap();
        let lc = list_credential(url, &did, &list, "2025-01-01T00:00:00Z");
        let signed =
            super::super::issue_data_integrity(lc, &key, &vm, super::super::Suite::EddsaRdfc2022).await.unwrap();
        assert_eq!(proof_check(&signed).await, "passed");
        let e = Entry { list_url: url.into(), index: 9, purpose: "revocation".into() };
        assert!(is_set(&e, &signed).unwrap());
        // The bits are signed: flipping one breaks the proof.
        let mut forged = signed.clone();
        forged["credentialSubject"]["encodedList"] = json!(StatusList::new(LIST_SIZE).encode());
        assert_eq!(proof_check(&forged).await, "failed");
    }

    #[test]
    fn random_free_index_finds_free_ones() {
        // Random: 20 draws over a big list are not all the same.
        let picks: std::collections::HashSet<usize> =
            (0..20).map(|_| random_free_index(LIST_SIZE, |_| false).unwrap()).collect();
        assert!(picks.len() > 1);
        assert!(picks.iter().all(|&i| i < LIST_SIZE));
        // Only one free index left: it is found.
        assert_eq!(random_free_index(1000, |i| i != 617), Some(617));
        // Every index used, or an empty list: none.
        assert_eq!(random_free_index(1000, |_| true), None);
        assert_eq!(random_free_index(0, |_| false), None);
        // Used ones are never returned.
        for _ in 0..200 {
            let i = random_free_index(16, |i| i % 2 == 0).unwrap();
            assert_eq!(i % 2, 1);
        }
    }
}
