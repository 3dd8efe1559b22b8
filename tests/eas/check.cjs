// An independent check of Hallmark's EAS attestations with eas-sdk and ethers (the EAS team's
// own TypeScript SDK). CommonJS on purpose: eas-sdk's ESM build fails on Node 20 (lodash import).
// Prints one JSON object on stdout; exits non-zero only on a usage or connection error.
//
//   node check.cjs onchain <rpc-url> <eas-address> <uid>
//       the attestation as eas-sdk reads it, with its data decoded by SchemaEncoder when the
//       schema is one of Hallmark's
//   node check.cjs offchain <file.json>
//       {valid, uid}: does eas-sdk accept this off-chain attestation ({sig, signer}) as signed by
//       its signer?
//   node check.cjs sign <eas-address> <chain-id> <eas-version> <content-schema-uid>
//       an off-chain content attestation (sha256 0x11…, manifest 0x22…) signed by eas-sdk with a
//       random key, in EAS's JSON format
'use strict';

const fs = require('node:fs');
const { ethers } = require('ethers');
const sdk = require('@ethereum-attestation-service/eas-sdk');

const SCHEMAS = {
  content: 'bytes32 contentSha256,bytes32 manifestHash,string signerDid,string mediaType',
  humanity: 'bytes32 credentialHash,string subjectDid,string issuerDid,uint64 expiry',
  membership: 'string communityId,string memberDid,string role',
  log_head: 'bytes32 logHead,uint64 entryCount',
};
const ZERO = '0x0000000000000000000000000000000000000000';
const uidOf = (schema) => sdk.SchemaRegistry.getSchemaUID(schema, ZERO, true);

const plain = (v) => JSON.parse(JSON.stringify(v, (_, x) => (typeof x === 'bigint' ? x.toString() : x)));

async function onchain(rpc, easAddress, uid) {
  const eas = new sdk.EAS(easAddress);
  eas.connect(new ethers.JsonRpcProvider(rpc));
  const a = await eas.getAttestation(uid);
  const out = {
    uid: a.uid,
    schema: a.schema,
    attester: a.attester,
    recipient: a.recipient,
    time: a.time.toString(),
    expirationTime: a.expirationTime.toString(),
    revocationTime: a.revocationTime.toString(),
    revocable: a.revocable,
    data: a.data,
    decoded: null,
  };
  for (const def of Object.values(SCHEMAS)) {
    if (uidOf(def) === a.schema) {
      const decoded = new sdk.SchemaEncoder(def).decodeData(a.data);
      out.decoded = Object.fromEntries(decoded.map((d) => [d.name, plain(d.value.value)]));
    }
  }
  return out;
}

function offchain(file) {
  const pkg = JSON.parse(fs.readFileSync(file, 'utf8'));
  const { sig, signer } = pkg;
  const config = {
    address: sig.domain.verifyingContract,
    version: sig.domain.version,
    chainId: BigInt(sig.domain.chainId),
  };
  const off = new sdk.Offchain(config, sdk.OffchainAttestationVersion.Version2, new sdk.EAS(config.address));
  let valid;
  try {
    valid = off.verifyOffchainAttestationSignature(signer, sig);
  } catch (e) {
    valid = false;
  }
  return { valid, uid: sig.uid };
}

async function sign(easAddress, chainId, version, schemaUid) {
  const config = { address: easAddress, version, chainId: BigInt(chainId) };
  const off = new sdk.Offchain(config, sdk.OffchainAttestationVersion.Version2, new sdk.EAS(easAddress));
  const data = new sdk.SchemaEncoder(SCHEMAS.content).encodeData([
    { name: 'contentSha256', type: 'bytes32', value: '0x' + '11'.repeat(32) },
    { name: 'manifestHash', type: 'bytes32', value: '0x' + '22'.repeat(32) },
    { name: 'signerDid', type: 'string', value: 'did:key:z6MkiTBz1ymuepAQ4HEHYSF1H8quG5GLVVQR3djdX3mDooWp' },
    { name: 'mediaType', type: 'string', value: 'image/jpeg' },
  ]);
  const wallet = ethers.Wallet.createRandom();
  const sig = await off.signOffchainAttestation(
    {
      schema: schemaUid,
      recipient: ZERO,
      time: BigInt(Math.floor(Date.now() / 1000)),
      expirationTime: 0n,
      revocable: true,
      refUID: ethers.ZeroHash,
      data,
    },
    wallet,
  );
  return plain({ sig, signer: wallet.address });
}

async function main() {
  const [cmd, ...args] = process.argv.slice(2);
  let out;
  if (cmd === 'onchain' && args.length === 3) out = await onchain(...args);
  else if (cmd === 'offchain' && args.length === 1) out = offchain(args[0]);
  else if (cmd === 'sign' && args.length === 4) out = await sign(...args);
  else {
    console.error('usage: check.cjs onchain RPC EAS UID | offchain FILE | sign EAS CHAIN_ID VERSION SCHEMA_UID');
    process.exit(2);
  }
  process.stdout.write(JSON.stringify(out) + '\n');
}

main().catch((e) => {
  console.error(e && e.stack ? e.stack : String(e));
  process.exit(1);
});
