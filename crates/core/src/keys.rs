//! Deterministic key derivation from the wallet seed.
//!
//! * Ed25519 identity keys (did:key, did:jwk, did:web) by SLIP-10, all levels hardened:
//!   `m/44'/7337'/0'/0'/i'` — see [`ed25519_path`].
//! * secp256k1 Ethereum keys (did:pkh) by BIP-32/BIP-44: `m/44'/60'/0'/0/i` — see [`ethereum_path`],
//!   the path every mainstream Ethereum wallet uses, so the same phrase shows the same address there.

use coins_bip32::path::DerivationPath;
use coins_bip32::xkeys::XPriv;
use zeroize::Zeroizing;

/// SLIP-44-style coin type Hallmark uses as its namespace for Ed25519 identity keys.
/// It is not a registered coin type: it only keeps Hallmark's keys apart from coins' keys.
pub const HALLMARK_COIN_TYPE: u32 = 7337;

/// Which kind of key an identity uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize, serde::Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KeyType {
    /// Ed25519, derived by SLIP-10.
    Ed25519,
    /// secp256k1, derived by BIP-32 (Ethereum account).
    Secp256k1,
}

impl KeyType {
    /// The stable lower-case name stored in the database and printed in `--json`.
    pub fn as_str(self) -> &'static str {
        match self {
            KeyType::Ed25519 => "ed25519",
            KeyType::Secp256k1 => "secp256k1",
        }
    }

    /// Parses [`KeyType::as_str`] back.
    pub fn parse(s: &str) -> Option<Self> {
        match s {
            "ed25519" => Some(KeyType::Ed25519),
            "secp256k1" => Some(KeyType::Secp256k1),
            _ => None,
        }
    }

    /// The derivation path of key `index` of this type, as text.
    pub fn path(self, index: u32) -> String {
        match self {
            KeyType::Ed25519 => ed25519_path(index),
            KeyType::Secp256k1 => ethereum_path(index),
        }
    }
}

/// Errors while deriving keys.
#[derive(Debug, thiserror::Error)]
pub enum KeyError {
    /// Index beyond the hardened range (2^31 - 1).
    #[error("key index {0} is out of range (at most 2147483647)")]
    IndexOutOfRange(u32),
    /// BIP-32 derivation failed (astronomically unlikely invalid child key).
    #[error("BIP-32 derivation failed: {0}")]
    Bip32(String),
}

const MAX_INDEX: u32 = 0x7fff_ffff;

/// The SLIP-10 path of Ed25519 identity key `index`: `m/44'/7337'/0'/0'/index'`.
pub fn ed25519_path(index: u32) -> String {
    format!("m/44'/{HALLMARK_COIN_TYPE}'/0'/0'/{index}'")
}

/// The BIP-44 path of Ethereum account key `index`: `m/44'/60'/0'/0/index`.
pub fn ethereum_path(index: u32) -> String {
    format!("m/44'/60'/0'/0/{index}")
}

/// Derives the Ed25519 key at SLIP-10 path `indexes` (every level hardened) from `seed`.
/// This is the raw SLIP-10 function the vectors test; identities use [`ed25519_identity_key`].
pub fn slip10_ed25519(seed: &[u8], indexes: &[u32]) -> Result<ed25519_dalek::SigningKey, KeyError> {
    if let Some(&i) = indexes.iter().find(|&&i| i > MAX_INDEX) {
        return Err(KeyError::IndexOutOfRange(i));
    }
    let secret = Zeroizing::new(slip10_ed25519::derive_ed25519_private_key(seed, indexes));
    Ok(ed25519_dalek::SigningKey::from_bytes(&secret))
}

/// Derives Ed25519 identity key `index` (path [`ed25519_path`]).
pub fn ed25519_identity_key(seed: &[u8], index: u32) -> Result<ed25519_dalek::SigningKey, KeyError> {
    slip10_ed25519(seed, &[44, HALLMARK_COIN_TYPE, 0, 0, index])
}

/// SLIP-10 path of the wallet's media-signing CA key, `m/44'/7337'/1'/0'/0'` (account 1', apart
/// from the identity keys of account 0'). This CA issues the X.509 certificates that C2PA
/// manifests carry (`manifest::cert`); deriving it from the seed gives a restored wallet the same CA.
pub const MEDIA_CA_PATH: [u32; 5] = [44, HALLMARK_COIN_TYPE, 1, 0, 0];

/// Derives the wallet's media-signing CA key (path [`MEDIA_CA_PATH`]).
pub fn media_ca_key(seed: &[u8]) -> Result<ed25519_dalek::SigningKey, KeyError> {
    slip10_ed25519(seed, &MEDIA_CA_PATH)
}

/// A derived secp256k1 key pair. The secret is wiped on drop.
pub struct Secp256k1Key {
    secret: Zeroizing<[u8; 32]>,
    public_compressed: [u8; 33],
}

impl Secp256k1Key {
    /// The 32-byte secret scalar. Never store or print it.
    pub fn secret_bytes(&self) -> &[u8; 32] {
        &self.secret
    }

    /// The SEC1 compressed public key (33 bytes).
    pub fn public_compressed(&self) -> &[u8; 33] {
        &self.public_compressed
    }
}

/// Derives Ethereum account key `index` (path [`ethereum_path`]) from `seed`.
pub fn ethereum_key(seed: &[u8], index: u32) -> Result<Secp256k1Key, KeyError> {
    if index > MAX_INDEX {
        return Err(KeyError::IndexOutOfRange(index));
    }
    let path: DerivationPath = ethereum_path(index).parse().map_err(|e| KeyError::Bip32(format!("{e:?}")))?;
    let root = XPriv::root_from_seed(seed, None).map_err(|e| KeyError::Bip32(e.to_string()))?;
    let child = root.derive_path(&path).map_err(|e| KeyError::Bip32(e.to_string()))?;
    let signing: &coins_bip32::ecdsa::SigningKey = child.as_ref();
    let mut secret = Zeroizing::new([0u8; 32]);
    secret.copy_from_slice(&signing.to_bytes());
    let point = signing.verifying_key().to_sec1_point(true);
    let mut public_compressed = [0u8; 33];
    public_compressed.copy_from_slice(point.as_bytes());
    Ok(Secp256k1Key { secret, public_compressed })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn check(seed: &str, path: &[u32], private: &str, public: Option<&str>) {
        let seed = hex::decode(seed).unwrap();
        let k = slip10_ed25519(&seed, path).unwrap();
        assert_eq!(hex::encode(k.to_bytes()), private, "private key at {path:?}");
        if let Some(public) = public {
            // SLIP-10 prints Ed25519 public keys with a leading 00 byte.
            assert_eq!(format!("00{}", hex::encode(k.verifying_key().to_bytes())), public, "public key at {path:?}");
        }
    }

    /// SLIP-10 "Test vector 1 for ed25519".
    #[test]
    fn slip10_ed25519_vector_1() {
        let s = "000102030405060708090a0b0c0d0e0f";
        check(
            s,
            &[],
            "2b4be7f19ee27bbf30c667b642d5f4aa69fd169872f8fc3059c08ebae2eb19e7",
            Some("00a4b2856bfec510abab89753fac1ac0e1112364e7d250545963f135f2a33188ed"),
        );
        check(
            s,
            &[0],
            "68e0fe46dfb67e368c75379acec591dad19df3cde26e63b93a8e704f1dade7a3",
            Some("008c8a13df77a28f3445213a0f432fde644acaa215fc72dcdf300d5efaa85d350c"),
        );
        check(
            s,
            &[0, 1],
            "b1d0bad404bf35da785a64ca1ac54b2617211d2777696fbffaf208f746ae84f2",
            Some("001932a5270f335bed617d5b935c80aedb1a35bd9fc1e31acafd5372c30f5c1187"),
        );
        check(
            s,
            &[0, 1, 2],
            "92a5b23c0b8a99e37d07df3fb9966917f5d06e02ddbd909c7e184371463e9fc9",
            Some("00ae98736566d30ed0e9d2f4486a64bc95740d89c7db33f52121f8ea8f76ff0fc1"),
        );
        check(
            s,
            &[0, 1, 2, 2],
            "30d1dc7e5fc04c31219ab25a27ae00b50f6fd66622f6e9c913253d6511d1e662",
            Some("008abae2d66361c879b900d204ad2cc4984fa2aa344dd7ddc46007329ac76c429c"),
        );
        check(
            s,
            &[0, 1, 2, 2, 1_000_000_000],
            "8f94d394a8e8fd6b1bc2f3f49f5c47e385281d5c17e65324b0f62483e37e8793",
            Some("003c24da049451555d51a7014a37337aa4e12d41e485abccfa46b47dfb2af54b7a"),
        );
    }

    /// SLIP-10 "Test vector 2 for ed25519".
    #[test]
    fn slip10_ed25519_vector_2() {
        let s = "fffcf9f6f3f0edeae7e4e1dedbd8d5d2cfccc9c6c3c0bdbab7b4b1aeaba8a5a29f9c999693908d8a8784817e7b7875726f6c696663605d5a5754514e4b484542";
        check(s, &[], "171cb88b1b3c1db25add599712e36245d75bc65a1a5c9e18d76f9f2b1eab4012", None);
        check(s, &[0], "1559eb2bbec5790b0c65d8693e4d0875b1747f4970ae8b650486ed7470845635", None);
        check(s, &[0, 2147483647], "ea4f5bfe8694d8bb74b7b59404632fd5968b774ed545e810de9c32a4fb4192f4", None);
        check(s, &[0, 2147483647, 1], "3757c7577170179c7868353ada796c839135b3d30554bbb74a4b1e4a5a58505c", None);
        check(
            s,
            &[0, 2147483647, 1, 2147483646],
            "5837736c89570de861ebc173b1086da4f505d4adb387c6a1b1342d5e4ac9ec72",
            None,
        );
        check(
            s,
            &[0, 2147483647, 1, 2147483646, 2],
            "551d333177df541ad876a60ea71f00447931c0a9da16f227c11ea080d7391b8d",
            None,
        );
    }

    #[test]
    fn rejects_out_of_range_index() {
        assert!(matches!(slip10_ed25519(&[0u8; 64], &[0x8000_0000]), Err(KeyError::IndexOutOfRange(_))));
        assert!(matches!(ethereum_key(&[0u8; 64], 0x8000_0000), Err(KeyError::IndexOutOfRange(_))));
    }

    #[test]
    fn identity_keys_are_distinct_per_index_and_deterministic() {
        let seed = [7u8; 64];
        let a = ed25519_identity_key(&seed, 0).unwrap();
        let b = ed25519_identity_key(&seed, 1).unwrap();
        assert_ne!(a.to_bytes(), b.to_bytes());
        assert_eq!(a.to_bytes(), ed25519_identity_key(&seed, 0).unwrap().to_bytes());
        assert_eq!(ed25519_path(3), "m/44'/7337'/0'/0'/3'");
        assert_eq!(ethereum_path(3), "m/44'/60'/0'/0/3");
    }
}
