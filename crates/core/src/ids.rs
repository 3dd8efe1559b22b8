//! Random identifiers: UUID version 4 (RFC 9562) from the OS's random source, for the ids of
//! communities, status lists and C2PA manifests.

/// A fresh random UUID (version 4), e.g. `0f6e1a52-7b0c-4a55-9d0e-3c1f2b8a9e10`. Fails only when
/// the OS gives no randomness.
pub fn random_uuid() -> Result<uuid::Uuid, getrandom::Error> {
    let mut bytes = [0u8; 16];
    getrandom::fill(&mut bytes)?;
    Ok(uuid::Builder::from_random_bytes(bytes).into_uuid())
}

/// A fresh `urn:uuid:` URN (RFC 9562 version 4).
pub fn random_urn_uuid() -> Result<String, getrandom::Error> {
    Ok(random_uuid()?.urn().to_string())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn version_4_and_distinct() {
        let a = random_urn_uuid().unwrap();
        let b = random_urn_uuid().unwrap();
        assert_ne!(a, b);
        let u = uuid::Uuid::parse_str(a.strip_prefix("urn:uuid:").unwrap()).unwrap();
        assert_eq!(u.get_version(), Some(uuid::Version::Random));
        assert_eq!(u.get_variant(), uuid::Variant::RFC4122);
        assert_eq!(a.len(), "urn:uuid:".len() + 36);
        assert_eq!(a, a.to_ascii_lowercase());
    }
}
