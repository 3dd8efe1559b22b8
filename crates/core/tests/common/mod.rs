//! Helpers shared by the tests that run a real devnet (anvil with the EAS contracts, from the
//! npm packages pinned in `tests/eas`).
#![allow(dead_code)]

use std::path::PathBuf;

use alloy::primitives::{Address, B256};
use alloy::signers::local::PrivateKeySigner;
use hallmark_core::attest::devnet::{self, Packages};
use hallmark_core::keys::{ethereum_key, Secp256k1Key};

/// The npm packages, or `None` (after a notice naming `what` is skipped) when they are missing;
/// with HALLMARK_TEST_REQUIRE_INTEROP=1 a missing package fails the test instead.
pub fn packages(what: &str) -> Option<Packages> {
    let required = std::env::var("HALLMARK_TEST_REQUIRE_INTEROP").is_ok_and(|v| v == "1");
    match Packages::locate(None) {
        Ok(p) => Some(p),
        Err(e) if required => panic!("EAS tests are required (HALLMARK_TEST_REQUIRE_INTEROP=1) but: {e}"),
        Err(e) => {
            eprintln!("skipping {what}: {e}");
            None
        }
    }
}

/// An Ethereum key from a seed of `n` bytes.
pub fn key(n: u8) -> Secp256k1Key {
    ethereum_key(&[n; 64], 0).unwrap()
}

/// Its address.
pub fn address(k: &Secp256k1Key) -> Address {
    PrivateKeySigner::from_bytes(&B256::from(*k.secret_bytes())).unwrap().address()
}

/// Stops the devnet of a data folder when dropped, even on a panic.
pub struct DevnetGuard(pub PathBuf);

impl Drop for DevnetGuard {
    fn drop(&mut self) {
        let _ = devnet::stop(&self.0);
    }
}
