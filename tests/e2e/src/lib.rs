//! End-to-end tests of the Hallmark desktop app live in `tests/app.rs`; run them with `scripts/e2e`.
