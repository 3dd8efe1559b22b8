//! Verifiable presentations: a holder's signed envelope around credentials, bound to a challenge and a domain.
