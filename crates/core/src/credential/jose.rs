//! VC-JOSE: credentials and presentations as JWTs (`vc+jwt`, `vp+jwt`), Ed25519 (`EdDSA`).
