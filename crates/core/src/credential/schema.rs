//! JSON Schemas of Hallmark's credential types, referenced by `credentialSchema`.
