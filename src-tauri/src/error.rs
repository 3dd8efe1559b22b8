//! The error the UI receives: `{code, message}`, where `code` is core's stable code and
//! `message` is plain words to show.

use hallmark_core::WalletError;
use serde::Serialize;

/// An error crossing to the webview.
#[derive(Debug, Clone, Serialize)]
pub struct AppError {
    /// Stable machine-readable code (the same codes as the CLI's `--json` errors).
    pub code: String,
    /// What went wrong and what to do, for people.
    pub message: String,
}

impl AppError {
    /// An error that is the app's own fault (a crashed task, say).
    pub fn internal(what: impl std::fmt::Display) -> AppError {
        AppError { code: "internal".into(), message: format!("Hallmark hit an internal error: {what}") }
    }
}

impl From<WalletError> for AppError {
    fn from(e: WalletError) -> AppError {
        AppError { code: e.code().into(), message: e.to_string() }
    }
}

/// First letter in upper case (core's messages start in lower case, to follow other words).
pub(crate) fn sentence(text: &str) -> String {
    let mut chars = text.chars();
    match chars.next() {
        Some(c) => c.to_uppercase().chain(chars).collect(),
        None => String::new(),
    }
}
