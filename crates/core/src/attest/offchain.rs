//! Off-chain attestations: signed with EIP-712 by the wallet's Ethereum key, kept or shared as a
//! JSON file, never sent to a chain (nothing to pay). The format is EAS's own "version 2"
//! off-chain attestation, as eas-sdk's `Offchain.signOffchainAttestation` makes it and easscan.org
//! imports it:
//!
//! ```json
//! { "sig": { "version": 2, "uid": "0x…",
//!            "domain": { "name": "EAS Attestation", "version": "<EAS version()>", "chainId": 1,
//!                        "verifyingContract": "<EAS address>" },
//!            "primaryType": "Attest",
//!            "message": { "version": 2, "schema": "0x…", "recipient": "0x…", "time": 1700000000,
//!                         "expirationTime": 0, "revocable": true, "refUID": "0x…", "data": "0x…",
//!                         "salt": "0x…" },
//!            "types": { "Attest": [ {"name": "version", "type": "uint16"}, … ] },
//!            "signature": { "v": 27, "r": "0x…", "s": "0x…" } },
//!   "signer": "0x…" }
//! ```
//!
//! The UID is eas-sdk's `getOffchainUID` for version 2: `keccak256(abi.encodePacked(uint16 version,
//! bytes schema, address recipient, address(0), uint64 time, uint64 expirationTime, bool revocable,
//! bytes32 refUID, bytes data, bytes32 salt, uint32 0))`, where `schema` enters as the UTF-8 text
//! of its hex string, as eas-sdk does.

use alloy::primitives::{keccak256, Address, Bytes, Signature, B256, U256};
use alloy::signers::local::PrivateKeySigner;
use alloy::signers::SignerSync;
use alloy::sol_types::{Eip712Domain, SolStruct};
use serde::Serialize;
use serde_json::{json, Value};

use super::eas::AttestRequest;
use super::network::{Connection, Network};
use super::schema::{AttestationData, HallmarkSchema};
use super::{parse_address, parse_b256, AttestError};
use crate::keys::Secp256k1Key;

/// The EIP-712 domain name of EAS off-chain attestations.
pub const DOMAIN_NAME: &str = "EAS Attestation";

/// The off-chain attestation format version Hallmark writes and reads.
pub const VERSION: u16 = 2;

alloy::sol! {
    /// The EIP-712 message of an EAS off-chain attestation, version 2.
    #[derive(Debug, PartialEq, Eq)]
    struct Attest {
        uint16 version;
        bytes32 schema;
        address recipient;
        uint64 time;
        uint64 expirationTime;
        bool revocable;
        bytes32 refUID;
        bytes data;
        bytes32 salt;
    }
}

/// The `types` object of a version 2 attestation, exactly as eas-sdk expects it.
pub fn attest_types() -> Value {
    json!({
        "Attest": [
            {"name": "version", "type": "uint16"},
            {"name": "schema", "type": "bytes32"},
            {"name": "recipient", "type": "address"},
            {"name": "time", "type": "uint64"},
            {"name": "expirationTime", "type": "uint64"},
            {"name": "revocable", "type": "bool"},
            {"name": "refUID", "type": "bytes32"},
            {"name": "data", "type": "bytes"},
            {"name": "salt", "type": "bytes32"}
        ]
    })
}

/// Which EAS deployment an off-chain attestation names (its EIP-712 domain).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct OffchainDomain {
    /// The EAS contract's `version()`, e.g. `1.4.0` (`0.26` on Ethereum mainnet).
    pub eas_version: String,
    /// The chain id.
    pub chain_id: u64,
    /// The EAS contract address.
    #[serde(serialize_with = "super::checksummed")]
    pub eas: Address,
}

impl OffchainDomain {
    /// The domain of the connection's network, asking its EAS contract for its version.
    pub async fn of(conn: &Connection) -> Result<Self, AttestError> {
        let eas_version = super::eas::eas_version(conn).await?;
        Ok(OffchainDomain { eas_version, chain_id: conn.network.chain_id, eas: conn.network.eas })
    }

    fn eip712(&self) -> Eip712Domain {
        Eip712Domain::new(
            Some(DOMAIN_NAME.into()),
            Some(self.eas_version.clone().into()),
            Some(U256::from(self.chain_id)),
            Some(self.eas),
            None,
        )
    }
}

/// eas-sdk's version 2 off-chain UID (see the module docs). `schema_text` is the schema UID as
/// it appears in the message (eas-sdk hashes the text, not the 32 bytes).
#[allow(clippy::too_many_arguments)]
pub fn offchain_uid(
    version: u16,
    schema_text: &str,
    recipient: Address,
    time: u64,
    expiration_time: u64,
    revocable: bool,
    ref_uid: B256,
    data: &[u8],
    salt: B256,
) -> B256 {
    let mut p = Vec::with_capacity(200 + data.len());
    p.extend_from_slice(&version.to_be_bytes());
    p.extend_from_slice(schema_text.as_bytes());
    p.extend_from_slice(recipient.as_slice());
    p.extend_from_slice(Address::ZERO.as_slice());
    p.extend_from_slice(&time.to_be_bytes());
    p.extend_from_slice(&expiration_time.to_be_bytes());
    p.push(u8::from(revocable));
    p.extend_from_slice(ref_uid.as_slice());
    p.extend_from_slice(data);
    p.extend_from_slice(salt.as_slice());
    p.extend_from_slice(&0u32.to_be_bytes());
    keccak256(p)
}

/// Signs an off-chain attestation of `request` with the wallet's key, dated `time` (Unix
/// seconds), with a fresh random salt. Returns the JSON value in EAS's format.
pub fn create(
    key: &Secp256k1Key,
    domain: &OffchainDomain,
    request: &AttestRequest,
    time: u64,
) -> Result<Value, AttestError> {
    request.data.validate()?;
    let mut salt = [0u8; 32];
    getrandom::fill(&mut salt).map_err(|e| AttestError::InvalidInput(format!("no randomness for the salt: {e}")))?;
    create_with_salt(key, domain, request, time, B256::from(salt))
}

/// [`create`] with a given salt (for reproducible tests; use [`create`] otherwise).
pub fn create_with_salt(
    key: &Secp256k1Key,
    domain: &OffchainDomain,
    request: &AttestRequest,
    time: u64,
    salt: B256,
) -> Result<Value, AttestError> {
    let signer = PrivateKeySigner::from_bytes(&B256::from(*key.secret_bytes()))
        .map_err(|_| AttestError::InvalidInput("the wallet's Ethereum key is not a valid secp256k1 key".into()))?;
    let schema = request.data.schema().uid();
    let data = request.data.encode();
    let revocable = request.data.schema().revocable();
    let msg = Attest {
        version: VERSION,
        schema,
        recipient: request.recipient,
        time,
        expirationTime: request.expiration_time,
        revocable,
        refUID: request.ref_uid,
        data: Bytes::from(data.clone()),
        salt,
    };
    let hash = msg.eip712_signing_hash(&domain.eip712());
    let sig = signer.sign_hash_sync(&hash).map_err(|e| AttestError::InvalidInput(format!("signing failed: {e}")))?;
    let schema_text = schema.to_string();
    let uid = offchain_uid(
        VERSION,
        &schema_text,
        request.recipient,
        time,
        request.expiration_time,
        revocable,
        request.ref_uid,
        &data,
        salt,
    );
    Ok(json!({
        "sig": {
            "version": VERSION,
            "uid": uid.to_string(),
            "domain": {
                "name": DOMAIN_NAME,
                "version": domain.eas_version,
                "chainId": domain.chain_id,
                "verifyingContract": domain.eas.to_checksum(None),
            },
            "primaryType": "Attest",
            "message": {
                "version": VERSION,
                "schema": schema_text,
                "recipient": request.recipient.to_checksum(None),
                "time": time,
                "expirationTime": request.expiration_time,
                "revocable": revocable,
                "refUID": request.ref_uid.to_string(),
                "data": format!("0x{}", hex::encode(&data)),
                "salt": salt.to_string(),
            },
            "types": attest_types(),
            "signature": {
                "v": 27 + u8::from(sig.v()),
                "r": B256::from(sig.r()).to_string(),
                "s": B256::from(sig.s()).to_string(),
            },
        },
        "signer": signer.address().to_checksum(None),
    }))
}

/// A verified off-chain attestation.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct VerifiedOffchain {
    /// Its UID.
    pub uid: B256,
    /// Who signed it.
    #[serde(serialize_with = "super::checksummed")]
    pub attester: Address,
    /// The EAS deployment it names.
    pub domain: OffchainDomain,
    /// Its schema UID.
    pub schema: B256,
    /// Which Hallmark schema that is, if one.
    pub hallmark_schema: Option<HallmarkSchema>,
    /// Who it is about (zero: nobody in particular).
    #[serde(serialize_with = "super::checksummed")]
    pub recipient: Address,
    /// When it was made, Unix seconds.
    pub time: u64,
    /// When it expires (0: never).
    pub expiration_time: u64,
    /// Whether it can be revoked.
    pub revocable: bool,
    /// The attestation it refers to.
    pub ref_uid: B256,
    /// The raw data.
    pub raw_data: Bytes,
    /// The data decoded, for Hallmark's schemas.
    pub data: Option<AttestationData>,
}

fn bad(msg: impl Into<String>) -> AttestError {
    AttestError::InvalidOffchain(msg.into())
}

fn field<'a>(v: &'a Value, path: &str) -> Result<&'a Value, AttestError> {
    let mut cur = v;
    for key in path.split('.') {
        cur = cur.get(key).ok_or_else(|| bad(format!("\"{path}\" is missing")))?;
    }
    Ok(cur)
}

fn text<'a>(v: &'a Value, path: &str) -> Result<&'a str, AttestError> {
    field(v, path)?.as_str().ok_or_else(|| bad(format!("\"{path}\" must be text")))
}

/// A JSON integer given as a number, a decimal string or a 0x-hex string (how bigints travel).
fn uint(v: &Value, path: &str) -> Result<u64, AttestError> {
    let f = field(v, path)?;
    let parsed = match f {
        Value::Number(n) => n.as_u64(),
        Value::String(s) => match s.strip_prefix("0x") {
            Some(h) => u64::from_str_radix(h, 16).ok(),
            None => s.parse().ok(),
        },
        _ => None,
    };
    parsed.ok_or_else(|| bad(format!("\"{path}\" must be a whole number that fits 64 bits")))
}

fn map_input(e: AttestError, path: &str) -> AttestError {
    match e {
        AttestError::InvalidInput(m) => bad(format!("\"{path}\": {m}")),
        other => other,
    }
}

/// Verifies an off-chain attestation in EAS's JSON format (the whole `{sig, signer}` object, or
/// just its `sig`): format version 2, EIP-712 types exactly EAS's, the UID recomputed, the
/// signature made by `signer` (when given). With `expected`, the domain must name that network's
/// chain id and EAS contract. Expiry is reported, not judged ([`VerifiedOffchain::expiration_time`]).
pub fn verify(attestation: &Value, expected: Option<&Network>) -> Result<VerifiedOffchain, AttestError> {
    let (sig, signer) = match attestation.get("sig") {
        Some(sig) => (sig, attestation.get("signer")),
        None => (attestation, None),
    };
    if uint(sig, "version")? != u64::from(VERSION) || uint(sig, "message.version")? != u64::from(VERSION) {
        return Err(bad("only version 2 off-chain attestations are supported"));
    }
    if text(sig, "primaryType")? != "Attest" {
        return Err(bad("the primary type must be \"Attest\""));
    }
    if field(sig, "types")? != &attest_types() {
        return Err(bad("its EIP-712 types are not those of EAS off-chain attestations (version 2)"));
    }
    if text(sig, "domain.name")? != DOMAIN_NAME {
        return Err(bad(format!("its domain name must be \"{DOMAIN_NAME}\"")));
    }
    let domain = OffchainDomain {
        eas_version: text(sig, "domain.version")?.to_string(),
        chain_id: uint(sig, "domain.chainId")?,
        eas: parse_address(text(sig, "domain.verifyingContract")?, "the EAS address")
            .map_err(|e| map_input(e, "domain.verifyingContract"))?,
    };
    if let Some(n) = expected {
        if domain.chain_id != n.chain_id || domain.eas != n.eas {
            return Err(bad(format!(
                "it was made for chain {} and EAS {}, not network \"{}\" (chain {}, EAS {})",
                domain.chain_id, domain.eas, n.name, n.chain_id, n.eas
            )));
        }
    }
    let schema_text = text(sig, "message.schema")?;
    let schema = parse_b256(schema_text, "the schema").map_err(|e| map_input(e, "message.schema"))?;
    let recipient = parse_address(text(sig, "message.recipient")?, "the recipient")
        .map_err(|e| map_input(e, "message.recipient"))?;
    let time = uint(sig, "message.time")?;
    let expiration_time = uint(sig, "message.expirationTime")?;
    let revocable =
        field(sig, "message.revocable")?.as_bool().ok_or_else(|| bad("\"message.revocable\" must be true or false"))?;
    let ref_uid = parse_b256(text(sig, "message.refUID")?, "refUID").map_err(|e| map_input(e, "message.refUID"))?;
    let data_hex = text(sig, "message.data")?;
    let data = hex::decode(data_hex.strip_prefix("0x").unwrap_or(data_hex))
        .map_err(|_| bad("\"message.data\" must be hex"))?;
    let salt = parse_b256(text(sig, "message.salt")?, "the salt").map_err(|e| map_input(e, "message.salt"))?;
    let uid_text = text(sig, "uid")?;
    let uid = parse_b256(uid_text, "the UID").map_err(|e| map_input(e, "uid"))?;
    let computed =
        offchain_uid(VERSION, schema_text, recipient, time, expiration_time, revocable, ref_uid, &data, salt);
    if computed != uid {
        return Err(bad(format!("its UID {uid} does not match its content (expected {computed}): it was altered")));
    }
    let v = uint(sig, "signature.v")?;
    let r = parse_b256(text(sig, "signature.r")?, "r").map_err(|e| map_input(e, "signature.r"))?;
    let s = parse_b256(text(sig, "signature.s")?, "s").map_err(|e| map_input(e, "signature.s"))?;
    let parity = match v {
        27 | 0 => false,
        28 | 1 => true,
        _ => return Err(bad("\"signature.v\" must be 27 or 28")),
    };
    let msg = Attest {
        version: VERSION,
        schema,
        recipient,
        time,
        expirationTime: expiration_time,
        revocable,
        refUID: ref_uid,
        data: Bytes::from(data.clone()),
        salt,
    };
    let hash = msg.eip712_signing_hash(&domain.eip712());
    let attester = Signature::from_scalars_and_parity(r, s, parity)
        .recover_address_from_prehash(&hash)
        .map_err(|_| bad("the signature is not a valid secp256k1 signature"))?;
    if let Some(signer) = signer {
        let claimed =
            parse_address(signer.as_str().unwrap_or_default(), "the signer").map_err(|e| map_input(e, "signer"))?;
        if claimed != attester {
            return Err(bad(format!("the signature was not made by its signer {claimed}: it was altered or forged")));
        }
    }
    let hallmark_schema = HallmarkSchema::from_uid(schema);
    let decoded = match hallmark_schema {
        Some(h) => Some(AttestationData::decode(h, &data).map_err(|reason| AttestError::BadData { uid, reason })?),
        None => None,
    };
    Ok(VerifiedOffchain {
        uid,
        attester,
        domain,
        schema,
        hallmark_schema,
        recipient,
        time,
        expiration_time,
        revocable,
        ref_uid,
        raw_data: Bytes::from(data),
        data: decoded,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn request() -> AttestRequest {
        AttestRequest::new(AttestationData::Membership {
            community_id: "c-1".into(),
            member_did: "did:key:z6Mk".into(),
            role: "member".into(),
        })
    }

    fn domain() -> OffchainDomain {
        OffchainDomain { eas_version: "1.4.0".into(), chain_id: 31_337, eas: Address::repeat_byte(0xee) }
    }

    #[test]
    fn signs_verifies_and_detects_tampering() {
        let key = crate::keys::ethereum_key(&[5u8; 64], 0).unwrap();
        let att = create(&key, &domain(), &request(), 1_700_000_000).unwrap();
        let v = verify(&att, None).unwrap();
        let signer = PrivateKeySigner::from_bytes(&B256::from(*key.secret_bytes())).unwrap().address();
        assert_eq!(v.attester, signer);
        assert_eq!(v.data, Some(request().data));
        assert_eq!(v.hallmark_schema, Some(HallmarkSchema::Membership));

        let mut t = att.clone();
        t["sig"]["message"]["time"] = json!(1_700_000_001u64);
        assert!(matches!(verify(&t, None), Err(AttestError::InvalidOffchain(_))));
        // Altered data and a matching recomputed UID: the signature no longer matches the signer.
        let mut t = att.clone();
        t["sig"]["message"]["time"] = json!(1_700_000_001u64);
        let m = &t["sig"]["message"];
        let uid = offchain_uid(
            2,
            m["schema"].as_str().unwrap(),
            Address::ZERO,
            1_700_000_001,
            0,
            true,
            B256::ZERO,
            &hex::decode(m["data"].as_str().unwrap().trim_start_matches("0x")).unwrap(),
            parse_b256(m["salt"].as_str().unwrap(), "salt").unwrap(),
        );
        t["sig"]["uid"] = json!(uid.to_string());
        let e = verify(&t, None).unwrap_err();
        assert!(e.to_string().contains("not made by its signer"), "{e}");
        // Another network than the one expected.
        let mut n = crate::attest::network::presets().remove(0);
        n.chain_id = 31_337;
        assert!(matches!(verify(&att, Some(&n)), Err(AttestError::InvalidOffchain(_))));
        n.eas = Address::repeat_byte(0xee);
        verify(&att, Some(&n)).unwrap();
    }
}
