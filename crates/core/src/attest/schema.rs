//! Hallmark's four EAS schemas, their UIDs and their data.
//!
//! An EAS schema is a text such as `bytes32 contentSha256,string mediaType`; its UID is
//! `keccak256(abi.encodePacked(schema, resolver, revocable))`, the same on every chain, so
//! Hallmark computes it locally ([`schema_uid`]) and checks the registry's record against it
//! ([`ensure_registered`]). Hallmark's schemas have no resolver and are revocable.
//!
//! Attestation data is the ABI encoding of the schema's fields in order (`abi.encode(...)`, what
//! eas-sdk's `SchemaEncoder` produces).

use alloy::primitives::{keccak256, Address, B256};
use alloy::providers::Provider;
use alloy::sol_types::SolValue;
use serde::{Deserialize, Serialize};

use super::contracts::ISchemaRegistry;
use super::network::Connection;
use super::AttestError;

/// One of the schemas Hallmark attests with.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HallmarkSchema {
    /// A signed file: its SHA-256, the hash of its C2PA manifest, the signer's DID, its media type.
    Content,
    /// A humanity credential: its hash, the subject's and issuer's DIDs, its expiry.
    Humanity,
    /// A community membership: the community id, the member's DID, the role.
    Membership,
    /// The head of a wallet's activity log: its last entry's hash and the number of entries.
    #[serde(rename = "log_head")]
    LogHead,
}

impl HallmarkSchema {
    /// All of Hallmark's schemas.
    pub const ALL: [HallmarkSchema; 4] =
        [HallmarkSchema::Content, HallmarkSchema::Humanity, HallmarkSchema::Membership, HallmarkSchema::LogHead];

    /// The schema text registered with EAS.
    pub fn definition(self) -> &'static str {
        match self {
            HallmarkSchema::Content => "bytes32 contentSha256,bytes32 manifestHash,string signerDid,string mediaType",
            HallmarkSchema::Humanity => "bytes32 credentialHash,string subjectDid,string issuerDid,uint64 expiry",
            HallmarkSchema::Membership => "string communityId,string memberDid,string role",
            HallmarkSchema::LogHead => "bytes32 logHead,uint64 entryCount",
        }
    }

    /// The stable lower-case name (`content`, `humanity`, `membership`, `log_head`).
    pub fn as_str(self) -> &'static str {
        match self {
            HallmarkSchema::Content => "content",
            HallmarkSchema::Humanity => "humanity",
            HallmarkSchema::Membership => "membership",
            HallmarkSchema::LogHead => "log_head",
        }
    }

    /// Parses [`HallmarkSchema::as_str`] back.
    pub fn parse(name: &str) -> Result<Self, AttestError> {
        HallmarkSchema::ALL.into_iter().find(|s| s.as_str() == name).ok_or_else(|| {
            AttestError::UnknownSchema(format!(
                "\"{name}\" (Hallmark's schemas are content, humanity, membership, log_head)"
            ))
        })
    }

    /// Hallmark's schemas have no resolver contract.
    pub fn resolver(self) -> Address {
        Address::ZERO
    }

    /// Hallmark's attestations can be revoked.
    pub fn revocable(self) -> bool {
        true
    }

    /// The schema UID (the same on every chain).
    pub fn uid(self) -> B256 {
        schema_uid(self.definition(), self.resolver(), self.revocable())
    }

    /// Which of Hallmark's schemas has this UID, if any.
    pub fn from_uid(uid: B256) -> Option<Self> {
        HallmarkSchema::ALL.into_iter().find(|s| s.uid() == uid)
    }
}

/// `keccak256(abi.encodePacked(schema, resolver, revocable))`, as the SchemaRegistry computes it.
pub fn schema_uid(schema: &str, resolver: Address, revocable: bool) -> B256 {
    let mut packed = Vec::with_capacity(schema.len() + 21);
    packed.extend_from_slice(schema.as_bytes());
    packed.extend_from_slice(resolver.as_slice());
    packed.push(u8::from(revocable));
    keccak256(packed)
}

/// The data of one attestation, by schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "schema", rename_all = "lowercase")]
pub enum AttestationData {
    /// A signed file.
    Content {
        /// SHA-256 of the file's bytes.
        content_sha256: B256,
        /// Hash of its C2PA manifest (store).
        manifest_hash: B256,
        /// The DID that signed it.
        signer_did: String,
        /// Its media type, e.g. `image/jpeg`.
        media_type: String,
    },
    /// A humanity credential.
    Humanity {
        /// Hash of the credential.
        credential_hash: B256,
        /// The DID the credential is about.
        subject_did: String,
        /// The DID that issued it.
        issuer_did: String,
        /// Expiry, Unix seconds (0: none).
        expiry: u64,
    },
    /// A community membership.
    Membership {
        /// The community's id.
        community_id: String,
        /// The member's DID.
        member_did: String,
        /// The role (`member`, `moderator`).
        role: String,
    },
    /// An activity log's head ([`crate::activity`]).
    #[serde(rename = "log_head")]
    LogHead {
        /// The hash of its last entry.
        head: B256,
        /// How many entries it has (= the last entry's `seq`).
        count: u64,
    },
}

/// Longest text field Hallmark puts on chain (bytes): DIDs, media types, ids, roles.
pub const MAX_TEXT_BYTES: usize = 2048;

impl AttestationData {
    /// The schema this data belongs to.
    pub fn schema(&self) -> HallmarkSchema {
        match self {
            AttestationData::Content { .. } => HallmarkSchema::Content,
            AttestationData::Humanity { .. } => HallmarkSchema::Humanity,
            AttestationData::Membership { .. } => HallmarkSchema::Membership,
            AttestationData::LogHead { .. } => HallmarkSchema::LogHead,
        }
    }

    /// Checks the text fields (non-empty, not too long).
    pub fn validate(&self) -> Result<(), AttestError> {
        let texts: Vec<(&str, &str)> = match self {
            AttestationData::Content { signer_did, media_type, .. } => {
                vec![("signer DID", signer_did), ("media type", media_type)]
            }
            AttestationData::Humanity { subject_did, issuer_did, .. } => {
                vec![("subject DID", subject_did), ("issuer DID", issuer_did)]
            }
            AttestationData::Membership { community_id, member_did, role } => {
                vec![("community id", community_id), ("member DID", member_did), ("role", role)]
            }
            AttestationData::LogHead { .. } => vec![],
        };
        for (what, text) in texts {
            if text.trim().is_empty() {
                return Err(AttestError::InvalidInput(format!("the {what} must not be empty")));
            }
            if text.len() > MAX_TEXT_BYTES {
                return Err(AttestError::InvalidInput(format!("the {what} is longer than {MAX_TEXT_BYTES} bytes")));
            }
        }
        Ok(())
    }

    /// The ABI encoding EAS stores (`abi.encode` of the fields in schema order).
    pub fn encode(&self) -> Vec<u8> {
        match self {
            AttestationData::Content { content_sha256, manifest_hash, signer_did, media_type } => {
                (*content_sha256, *manifest_hash, signer_did.clone(), media_type.clone()).abi_encode_params()
            }
            AttestationData::Humanity { credential_hash, subject_did, issuer_did, expiry } => {
                (*credential_hash, subject_did.clone(), issuer_did.clone(), *expiry).abi_encode_params()
            }
            AttestationData::Membership { community_id, member_did, role } => {
                (community_id.clone(), member_did.clone(), role.clone()).abi_encode_params()
            }
            AttestationData::LogHead { head, count } => (*head, *count).abi_encode_params(),
        }
    }

    /// Decodes data stored under `schema` (strictly: trailing or malformed bytes are refused).
    pub fn decode(schema: HallmarkSchema, data: &[u8]) -> Result<Self, String> {
        let e = |e: alloy::sol_types::Error| e.to_string();
        let decoded = match schema {
            HallmarkSchema::Content => {
                let (content_sha256, manifest_hash, signer_did, media_type) =
                    <(B256, B256, String, String)>::abi_decode_params_validate(data).map_err(e)?;
                AttestationData::Content { content_sha256, manifest_hash, signer_did, media_type }
            }
            HallmarkSchema::Humanity => {
                let (credential_hash, subject_did, issuer_did, expiry) =
                    <(B256, String, String, u64)>::abi_decode_params_validate(data).map_err(e)?;
                AttestationData::Humanity { credential_hash, subject_did, issuer_did, expiry }
            }
            HallmarkSchema::Membership => {
                let (community_id, member_did, role) =
                    <(String, String, String)>::abi_decode_params_validate(data).map_err(e)?;
                AttestationData::Membership { community_id, member_did, role }
            }
            HallmarkSchema::LogHead => {
                let (head, count) = <(B256, u64)>::abi_decode_params_validate(data).map_err(e)?;
                AttestationData::LogHead { head, count }
            }
        };
        // Refuse non-canonical encodings: the bytes must be exactly what Hallmark would write.
        if decoded.encode() != data {
            return Err("the data is not in canonical ABI encoding".into());
        }
        Ok(decoded)
    }
}

/// The SchemaRegistry's record of a schema.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SchemaRecord {
    /// The schema UID.
    pub uid: B256,
    /// Resolver contract (zero: none).
    #[serde(serialize_with = "super::checksummed")]
    pub resolver: Address,
    /// Whether attestations under it can be revoked.
    pub revocable: bool,
    /// The schema text.
    pub schema: String,
}

/// Reads the registry's record of `uid`; `None` if it is not registered.
pub async fn get_schema(conn: &Connection, uid: B256) -> Result<Option<SchemaRecord>, AttestError> {
    let registry = ISchemaRegistry::new(conn.network.schema_registry, &conn.provider);
    let rec = conn.contract(registry.getSchema(uid).call()).await?;
    if rec.uid.is_zero() {
        return Ok(None);
    }
    Ok(Some(SchemaRecord { uid: rec.uid, resolver: rec.resolver, revocable: rec.revocable, schema: rec.schema }))
}

/// Makes sure `schema` is registered on the connection's chain, registering it (one transaction
/// signed by the connection's key) if it is not, and checks that the registry's record matches
/// what Hallmark computed. Returns the schema UID.
pub async fn ensure_registered(conn: &Connection, schema: HallmarkSchema) -> Result<B256, AttestError> {
    let uid = schema.uid();
    if let Some(rec) = get_schema(conn, uid).await? {
        check_record(schema, &rec)?;
        return Ok(uid);
    }
    conn.signer_address()?;
    let code = conn.rpc(conn.provider.get_code_at(conn.network.schema_registry)).await?;
    if code.is_empty() {
        return Err(AttestError::NoContract {
            network: conn.network.name.clone(),
            contract: "SchemaRegistry",
            address: conn.network.schema_registry,
        });
    }
    let registry = ISchemaRegistry::new(conn.network.schema_registry, &conn.provider);
    let call = registry.register(schema.definition().to_string(), schema.resolver(), schema.revocable());
    let gas = conn.contract(call.estimate_gas()).await?;
    let pending = conn.contract(call.gas(super::eas::gas_with_headroom(gas)).send()).await?;
    let receipt = super::eas::confirm(conn, pending).await?;
    tracing::info!(schema = schema.as_str(), tx = %receipt.transaction_hash, "registered an EAS schema");
    let rec = get_schema(conn, uid)
        .await?
        .ok_or_else(|| AttestError::UnknownSchema(format!("{uid} (registration did not take)")))?;
    check_record(schema, &rec)?;
    Ok(uid)
}

/// Registers every Hallmark schema that is not registered yet; returns their UIDs in
/// [`HallmarkSchema::ALL`] order.
pub async fn ensure_all_registered(conn: &Connection) -> Result<Vec<B256>, AttestError> {
    let mut uids = Vec::new();
    for s in HallmarkSchema::ALL {
        uids.push(ensure_registered(conn, s).await?);
    }
    Ok(uids)
}

fn check_record(schema: HallmarkSchema, rec: &SchemaRecord) -> Result<(), AttestError> {
    let uid = schema.uid();
    let mut diffs = Vec::new();
    if rec.uid != uid {
        diffs.push(format!("uid {}", rec.uid));
    }
    if rec.schema != schema.definition() {
        diffs.push(format!("schema text \"{}\"", rec.schema));
    }
    if rec.resolver != schema.resolver() {
        diffs.push(format!("resolver {}", rec.resolver));
    }
    if rec.revocable != schema.revocable() {
        diffs.push(format!("revocable {}", rec.revocable));
    }
    if schema_uid(&rec.schema, rec.resolver, rec.revocable) != rec.uid {
        diffs.push("its UID is not the hash of its fields".into());
    }
    if diffs.is_empty() {
        Ok(())
    } else {
        Err(AttestError::SchemaMismatch { uid, detail: diffs.join(", ") })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn uids_are_distinct_and_known() {
        let uids: Vec<B256> = HallmarkSchema::ALL.iter().map(|s| s.uid()).collect();
        assert_ne!(uids[0], uids[1]);
        assert_ne!(uids[1], uids[2]);
        for s in HallmarkSchema::ALL {
            assert_eq!(HallmarkSchema::from_uid(s.uid()), Some(s));
            assert_eq!(HallmarkSchema::parse(s.as_str()).unwrap(), s);
        }
        // The same UIDs as eas-sdk 2.10.0's getSchemaUID(schema, ZeroAddress, true).
        assert_eq!(
            HallmarkSchema::Content.uid().to_string(),
            "0x55444386ed9712fe74cb279438ca30e1d8c6050a7dc1a506588247fb93496024"
        );
        assert_eq!(
            HallmarkSchema::Humanity.uid().to_string(),
            "0x602537763c98d98c7c5f3518002a2913c4b7e03171d89d190bcbde32328826d5"
        );
        assert_eq!(
            HallmarkSchema::Membership.uid().to_string(),
            "0x96742aa67e59f1adcfeee214f17f70d4bff9187f3cc252ff9f1e48859c12f1a1"
        );
    }

    #[test]
    fn data_round_trips_and_rejects_garbage() {
        let samples = [
            AttestationData::Content {
                content_sha256: B256::repeat_byte(1),
                manifest_hash: B256::repeat_byte(2),
                signer_did: "did:key:z6Mk".into(),
                media_type: "image/jpeg".into(),
            },
            AttestationData::Humanity {
                credential_hash: B256::repeat_byte(3),
                subject_did: "did:key:a".into(),
                issuer_did: "did:web:example.com".into(),
                expiry: 1_900_000_000,
            },
            AttestationData::Membership {
                community_id: "c-1".into(),
                member_did: "did:key:b".into(),
                role: "member".into(),
            },
        ];
        for d in samples {
            let bytes = d.encode();
            assert_eq!(AttestationData::decode(d.schema(), &bytes).unwrap(), d);
            assert!(AttestationData::decode(d.schema(), &bytes[..bytes.len() - 1]).is_err());
            let mut longer = bytes.clone();
            longer.extend_from_slice(&[0u8; 32]);
            assert!(AttestationData::decode(d.schema(), &longer).is_err());
        }
        // The same bytes as eas-sdk 2.10.0's SchemaEncoder("string communityId,string memberDid,string role").
        let m = AttestationData::Membership {
            community_id: "c-1".into(),
            member_did: "did:key:b".into(),
            role: "member".into(),
        };
        assert_eq!(
            hex::encode(m.encode()),
            concat!(
                "0000000000000000000000000000000000000000000000000000000000000060",
                "00000000000000000000000000000000000000000000000000000000000000a0",
                "00000000000000000000000000000000000000000000000000000000000000e0",
                "0000000000000000000000000000000000000000000000000000000000000003",
                "632d310000000000000000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000009",
                "6469643a6b65793a620000000000000000000000000000000000000000000000",
                "0000000000000000000000000000000000000000000000000000000000000006",
                "6d656d6265720000000000000000000000000000000000000000000000000000",
            )
        );
        // Content data: first word is the SHA-256 itself (static fields come first, in order).
        let d = AttestationData::Content {
            content_sha256: B256::repeat_byte(9),
            manifest_hash: B256::ZERO,
            signer_did: "x".into(),
            media_type: "y".into(),
        };
        assert_eq!(&d.encode()[..32], B256::repeat_byte(9).as_slice());
    }
}
