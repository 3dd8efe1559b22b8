#!/usr/bin/env python3
"""The independent side of Hallmark's C2PA interop tests (crates/core/tests/c2pa_interop.rs).

Uses c2pa-python (PyPI, the Content Authenticity Initiative's bindings of its C library) and
`cryptography`, pinned in requirements.txt and installed by scripts/setup into
$HOME/.cache/hallmark/venv-c2pa. Offline: no trust list, time stamp or remote manifest is fetched.

  c2pa_tool.py read FILE MIME [SIDECAR]
      Reads FILE's manifest (or the SIDECAR .c2pa store) and prints JSON:
      {"state": "Valid"|"Invalid"|"Trusted"|null, "failures": [codes], "manifest": {...}}.
      Exit 0 when a manifest was read, 3 when the file has none.

  c2pa_tool.py sign IN OUT MIME TITLE
      Signs IN into OUT with a fresh ES256 certificate chain generated here (a test CA and a
      leaf with the C2PA signing profile: KU digitalSignature, EKU emailProtection), a
      c2pa.created action (digitalCapture) and the title. Prints {"ca_pem": ..., "leaf_cn": ...}.

  c2pa_tool.py sign-many IN_DIR OUT_DIR
      The reference signer of the batch-signing bench (crates/core/benches/sign.rs): signs every
      JPEG (.jpg, .jpeg) directly in IN_DIR into OUT_DIR under the same name, one after the other
      in this process, as `sign` does (one certificate chain and signer for all; a new Builder,
      with the file's name as title, per file). Times only the signing loop (reading, signing,
      writing), not the chain generation, and prints {"count": n, "bytes": total input bytes,
      "seconds": s, "sdk": version}.
"""

import datetime
import io
import json
import os
import sys
import time

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID


def read(path, mime, sidecar=None):
    with open(path, "rb") as f:
        data = f.read()
    manifest_data = None
    if sidecar:
        with open(sidecar, "rb") as f:
            manifest_data = f.read()
    reader = c2pa.Reader.try_create(mime, io.BytesIO(data), manifest_data)
    if reader is None:
        print(json.dumps({"state": None, "failures": [], "manifest": None}))
        return 3
    with reader:
        store = json.loads(reader.json())
        results = store.get("validation_results") or {}
        failures = [s.get("code") for s in (results.get("activeManifest") or {}).get("failure", [])]
        for delta in results.get("ingredientDeltas") or []:
            failures += [s.get("code") for s in (delta.get("validationDeltas") or {}).get("failure", [])]
        active = store.get("manifests", {}).get(store.get("active_manifest") or "", {})
        print(json.dumps({
            "state": store.get("validation_state"),
            "failures": failures,
            "manifest": active,
        }))
    return 0


def _name(cn):
    return x509.Name([
        x509.NameAttribute(NameOID.COMMON_NAME, cn),
        x509.NameAttribute(NameOID.ORGANIZATION_NAME, "c2pa-python interop test"),
    ])


def make_chain():
    """A test CA and an ES256 leaf that satisfies the C2PA certificate profile."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = _name("Interop Test CA")
    ca = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=True, path_length=0), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    leaf = (
        x509.CertificateBuilder()
        .subject_name(_name("Interop Test Signer"))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=30))
        .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(True, False, False, False, False, False, False, False, False), critical=True)
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    pem = lambda c: c.public_bytes(serialization.Encoding.PEM)
    key_pem = key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return pem(leaf) + pem(ca), key_pem, pem(ca).decode()


def sign(src, dst, mime, title):
    chain, key_pem, ca_pem = make_chain()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key_pem, None))
    manifest = {
        "claim_generator_info": [{"name": "c2pa-python interop test", "version": c2pa.__version__}],
        "title": title,
        "format": mime,
        "assertions": [{
            "label": "c2pa.actions",
            "data": {"actions": [{
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
            }]},
        }],
    }
    with c2pa.Builder(manifest) as builder, open(src, "rb") as source, open(dst, "w+b") as dest:
        builder.sign(signer, mime, source, dest)
    print(json.dumps({"ca_pem": ca_pem, "leaf_cn": "Interop Test Signer", "sdk": c2pa.sdk_version()}))
    return 0


def _sign_manifest(mime, title):
    return {
        "claim_generator_info": [{"name": "c2pa-python interop test", "version": c2pa.__version__}],
        "title": title,
        "format": mime,
        "assertions": [{
            "label": "c2pa.actions",
            "data": {"actions": [{
                "action": "c2pa.created",
                "digitalSourceType": "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture",
            }]},
        }],
    }


def sign_many(in_dir, out_dir):
    chain, key_pem, _ = make_chain()
    signer = c2pa.Signer.from_info(c2pa.C2paSignerInfo(b"es256", chain, key_pem, None))
    names = sorted(
        n for n in os.listdir(in_dir)
        if n.lower().endswith((".jpg", ".jpeg")) and os.path.isfile(os.path.join(in_dir, n))
    )
    os.makedirs(out_dir, exist_ok=True)
    total = 0
    started = time.perf_counter()
    for name in names:
        src, dst = os.path.join(in_dir, name), os.path.join(out_dir, name)
        total += os.path.getsize(src)
        with c2pa.Builder(_sign_manifest("image/jpeg", name)) as builder, \
                open(src, "rb") as source, open(dst, "w+b") as dest:
            builder.sign(signer, "image/jpeg", source, dest)
    seconds = time.perf_counter() - started
    signer.close()
    print(json.dumps({"count": len(names), "bytes": total, "seconds": seconds, "sdk": c2pa.sdk_version()}))
    return 0


def main(argv):
    if len(argv) >= 3 and argv[0] == "read":
        return read(argv[1], argv[2], argv[3] if len(argv) > 3 else None)
    if len(argv) == 5 and argv[0] == "sign":
        return sign(argv[1], argv[2], argv[3], argv[4])
    if len(argv) == 3 and argv[0] == "sign-many":
        return sign_many(argv[1], argv[2])
    print(__doc__, file=sys.stderr)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
