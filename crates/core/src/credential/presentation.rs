//! Verifiable presentations: a holder's signed envelope around credentials, bound to a challenge and a domain.
//!
//! The verifier gives the holder a fresh `challenge` (and names itself as the `domain`); the
//! holder signs a presentation over both, so that it cannot be replayed to another verifier or
//! for another request. Credentials go in as they are: Data Integrity credentials as JSON objects,
//! JWT credentials as `EnvelopedVerifiableCredential`s.

use serde_json::{json, Value};

use super::{jcs, jose, method, rdfc_sign, Binding, CredentialError, Doc, Format, Secured, Suite, VC_V2_CONTEXT};

/// An unsigned presentation by `holder` of `credentials`.
pub fn presentation(holder: &str, credentials: &[Secured]) -> Value {
    let items: Vec<Value> = credentials
        .iter()
        .map(|c| match c {
            Secured::Json(v) => v.clone(),
            Secured::Jwt(j) => jose::enveloped(j),
        })
        .collect();
    json!({
        "@context": [VC_V2_CONTEXT],
        "type": ["VerifiablePresentation"],
        "holder": holder,
        "verifiableCredential": items,
    })
}

/// Signs a presentation as `verification_method` (the holder's key, `proofPurpose:
/// authentication`), bound to `challenge` and `domain` (a JWT carries them as `nonce` and `aud`).
pub async fn sign_presentation(
    presentation: Value,
    holder_key: &ed25519_dalek::SigningKey,
    verification_method: &str,
    format: Format,
    challenge: Option<&str>,
    domain: Option<&str>,
) -> Result<Secured, CredentialError> {
    super::check_v2(&presentation)?;
    let binding = Binding { challenge: challenge.map(str::to_owned), domain: domain.map(str::to_owned) };
    match format {
        Format::DataIntegrity(Suite::EddsaRdfc2022) => Ok(Secured::Json(
            rdfc_sign(Doc::Presentation(presentation), holder_key, verification_method, &binding, None).await?,
        )),
        Format::DataIntegrity(Suite::EddsaJcs2022) => {
            let config = jcs::ProofConfig {
                verification_method: verification_method.to_owned(),
                proof_purpose: method::Purpose::Authentication,
                created: super::now_ms(),
                challenge: binding.challenge,
                domain: binding.domain,
            };
            Ok(Secured::Json(jcs::sign(&presentation, holder_key, &config)?))
        }
        Format::Jwt => Ok(Secured::Jwt(jose::sign_presentation(
            &presentation,
            holder_key,
            verification_method,
            challenge,
            domain,
        )?)),
    }
}

#[cfg(test)]
mod tests {
    use super::super::testutil::random_did_key;
    use super::super::verifier::{verify, Report, VerifyOptions};
    use super::super::{humanity_credential, sign_credential, HumanityMethod};
    use super::*;

    fn result_of(r: &Report, name: &str) -> &'static str {
        r.checks.iter().find(|c| c.check == name).map(|c| c.result).unwrap_or("missing")
    }

    fn opts(challenge: &str, domain: &str) -> VerifyOptions {
        VerifyOptions {
            challenge: Some(challenge.into()),
            domain: Some(domain.into()),
            network: false,
            ..Default::default()
        }
    }

    const FORMATS: [Format; 3] =
        [Format::DataIntegrity(Suite::EddsaRdfc2022), Format::DataIntegrity(Suite::EddsaJcs2022), Format::Jwt];

    #[tokio::test]
    async fn every_format_inside_every_format_binds_challenge_and_domain() {
        let (issuer_key, issuer, issuer_vm) = random_did_key();
        let (holder_key, holder, holder_vm) = random_did_key();
        for cred_format in FORMATS {
            let vc =
                humanity_credential(&issuer, &holder, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
            let vc = sign_credential(vc, &issuer_key, &issuer_vm, cred_format).await.unwrap();
            for vp_format in FORMATS {
                let what = format!("{cred_format:?} in {vp_format:?}");
                let vp = presentation(&holder, std::slice::from_ref(&vc));
                let signed =
                    sign_presentation(vp, &holder_key, &holder_vm, vp_format, Some("c-123"), Some("club.example"))
                        .await
                        .unwrap();
                let r = verify(&signed, &opts("c-123", "club.example")).await.unwrap();
                assert!(r.valid, "{what}: {:#?}", r.checks);
                assert_eq!((r.kind, r.holder.as_deref(), r.credentials.len()), ("presentation", Some(&*holder), 1));
                assert!(r.credentials[0].valid);
                // Replayed against another challenge, or shown to another domain: refused.
                let r = verify(&signed, &opts("c-456", "club.example")).await.unwrap();
                assert_eq!((r.valid, result_of(&r, "challenge")), (false, "failed"), "{what}");
                let r = verify(&signed, &opts("c-123", "evil.example")).await.unwrap();
                assert_eq!((r.valid, result_of(&r, "domain")), (false, "failed"), "{what}");
            }
        }
    }

    #[tokio::test]
    async fn a_challenge_rewritten_by_an_attacker_breaks_the_holder_s_proof() {
        let (holder_key, holder, holder_vm) = random_did_key();
        for format in [Format::DataIntegrity(Suite::EddsaRdfc2022), Format::DataIntegrity(Suite::EddsaJcs2022)] {
            let vp = presentation(&holder, &[]);
            let Secured::Json(mut v) =
                sign_presentation(vp, &holder_key, &holder_vm, format, Some("old"), Some("club.example"))
                    .await
                    .unwrap()
            else {
                panic!()
            };
            v["proof"]["challenge"] = json!("new");
            let r = verify(&Secured::Json(v), &opts("new", "club.example")).await.unwrap();
            assert_eq!((r.valid, result_of(&r, "proof")), (false, "failed"), "{format:?}");
        }
    }

    #[tokio::test]
    async fn someone_else_s_credential_or_key_is_caught() {
        let (issuer_key, issuer, issuer_vm) = random_did_key();
        let (holder_key, holder, holder_vm) = random_did_key();
        let (_, stranger, _) = random_did_key();
        // A credential about a stranger, presented by the holder.
        let vc = humanity_credential(&issuer, &stranger, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
        let vc = sign_credential(vc, &issuer_key, &issuer_vm, Format::Jwt).await.unwrap();
        let vp = presentation(&holder, &[vc]);
        let signed = sign_presentation(vp, &holder_key, &holder_vm, Format::Jwt, Some("c"), Some("d")).await.unwrap();
        let r = verify(&signed, &opts("c", "d")).await.unwrap();
        assert_eq!((r.valid, result_of(&r, "subject")), (false, "failed"));
        // A presentation naming the holder but signed by the issuer's key.
        let vp = presentation(&holder, &[]);
        let signed = sign_presentation(vp, &issuer_key, &issuer_vm, Format::Jwt, Some("c"), Some("d")).await.unwrap();
        let r = verify(&signed, &opts("c", "d")).await.unwrap();
        assert_eq!((r.valid, result_of(&r, "holder")), (false, "failed"));
        // A tampered credential inside a valid presentation.
        let vc = humanity_credential(&issuer, &holder, HumanityMethod::InPerson, None, "2025-01-01T00:00:00Z", None);
        let Secured::Json(mut vc) =
            sign_credential(vc, &issuer_key, &issuer_vm, Format::DataIntegrity(Suite::EddsaJcs2022)).await.unwrap()
        else {
            panic!()
        };
        vc["validUntil"] = json!("2999-01-01T00:00:00Z");
        let vp = presentation(&holder, &[Secured::Json(vc)]);
        let signed = sign_presentation(
            vp,
            &holder_key,
            &holder_vm,
            Format::DataIntegrity(Suite::EddsaRdfc2022),
            Some("c"),
            Some("d"),
        )
        .await
        .unwrap();
        let r = verify(&signed, &opts("c", "d")).await.unwrap();
        assert_eq!((r.valid, result_of(&r, "proof"), result_of(&r, "credentials")), (false, "passed", "failed"));
    }
}
