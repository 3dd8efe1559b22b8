//! Data Integrity `eddsa-jcs-2022` (JSON Canonicalization Scheme + Ed25519).
