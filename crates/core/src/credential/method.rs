//! Verification methods: resolving a DID URL to its Ed25519 public key.
