//! W3C Bitstring Status List: revocation lists and status entries.
