//! QR codes (of DIDs, for now) as plain module matrices: the UI draws them itself, so no image
//! or markup crosses from Rust to the webview.

use serde::Serialize;

/// Errors making a QR code.
#[derive(Debug, thiserror::Error)]
pub enum QrError {
    /// The text does not fit in a QR code.
    #[error("the text is too long for a QR code ({0} bytes)")]
    TooLong(usize),
}

/// A QR code: `size` × `size` modules, row-major, `true` = dark. No quiet zone included.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct QrMatrix {
    /// Modules per side.
    pub size: usize,
    /// The modules, row by row.
    pub modules: Vec<bool>,
}

/// Encodes `text` with medium error correction (15 %).
pub fn encode(text: &str) -> Result<QrMatrix, QrError> {
    let code = qrcode::QrCode::with_error_correction_level(text.as_bytes(), qrcode::EcLevel::M)
        .map_err(|_| QrError::TooLong(text.len()))?;
    let size = code.width();
    let modules = code.to_colors().into_iter().map(|c| c == qrcode::Color::Dark).collect();
    Ok(QrMatrix { size, modules })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encodes_a_did_with_finder_patterns() {
        let m = encode("did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp").unwrap();
        assert_eq!(m.modules.len(), m.size * m.size);
        assert!(m.size >= 21 && (m.size - 17).is_multiple_of(4), "a QR version has 17 + 4v modules per side");
        // The top-left finder pattern: a dark 7x7 ring around a light ring around a dark 3x3 core.
        let at = |x: usize, y: usize| m.modules[y * m.size + x];
        assert!((0..7).all(|i| at(i, 0) && at(0, i) && at(i, 6) && at(6, i)));
        assert!((1..6).all(|i| !at(i, 1) && !at(1, i)));
        assert!((2..5).all(|x| (2..5).all(|y| at(x, y))));
        assert!(matches!(encode(&"x".repeat(5000)), Err(QrError::TooLong(5000))));
    }
}
