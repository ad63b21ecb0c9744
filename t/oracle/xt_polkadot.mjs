// xt_polkadot.mjs: the polkadot-js oracle for our extrinsics (tests only).
//
// Reads one of our signed extrinsics with @polkadot/types, rebuilds the
// signing payload on its own from what it decoded (call, era, nonce, tip)
// plus the chain parameters given, and checks our sr25519 signature with
// @polkadot/util-crypto against that payload.  Prints one JSON line.
//
//   node xt_polkadot.mjs check META_FILE XT_HEX GENESIS BIRTH SPEC TXVER
//       {"valid", "payload", "signer", "section", "method", "args",
//        "era", "nonce", "tip", "hash", "length"}
//   node xt_polkadot.mjs sign META_FILE PARAMS_JSON
//       polkadot-js builds and signs on its own: PARAMS_JSON is {"suri",
//       "pallet", "call", "args" (in order), "nonce", "tip", "period",
//       "block", "genesis", "birth", "spec", "txver"}; prints
//       {"extrinsic", "payload", "signer"}
//   node xt_polkadot.mjs args META_FILE PALLET CALL
//       the call's argument names and type names (for writing tests)
//
// META_FILE holds the metadata as hex text (state_getMetadata).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { hexToU8a, u8aToHex, compactStripLength } = require('@polkadot/util');
const { signatureVerify, blake2AsU8a, cryptoWaitReady } = require('@polkadot/util-crypto');
const { Keyring } = require('@polkadot/keyring');

function metadataBytes(path) {
  let text = readFileSync(path, 'utf8').trim();
  if (text.startsWith('"')) text = JSON.parse(text);
  const b = hexToU8a(text);
  if (b[0] === 0x6d && b[1] === 0x65 && b[2] === 0x74 && b[3] === 0x61) return b;
  if (b[0] !== 1) throw new Error('not a metadata blob');
  return compactStripLength(b.subarray(1))[1];
}

function loadRegistry(path) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, metadataBytes(path));
  registry.setMetadata(metadata);
  return registry;
}

async function check(meta, xtHex, genesis, birth, spec, txver) {
  await cryptoWaitReady();
  const registry = loadRegistry(meta);
  const xt = registry.createType('Extrinsic', xtHex);
  if (!xt.isSigned) throw new Error('not signed');
  const payload = registry.createType('ExtrinsicPayload', {
    method: xt.method.toHex(),
    era: xt.era,
    nonce: xt.nonce,
    tip: xt.tip,
    specVersion: Number(spec),
    transactionVersion: Number(txver),
    genesisHash: genesis,
    blockHash: birth,
    mode: 0,
    version: 4,
  }, { version: 4 });
  const raw = payload.toU8a({ method: true });
  const msg = raw.length > 256 ? blake2AsU8a(raw, 256) : raw;
  const res = signatureVerify(msg, xt.signature.toU8a(), xt.signer.toU8a().slice(-32));
  return {
    valid: res.isValid && res.crypto === 'sr25519',
    payload: u8aToHex(raw),
    signer: u8aToHex(xt.signer.toU8a().slice(-32)),
    section: xt.method.section,
    method: xt.method.method,
    args: xt.method.toJSON().args,
    era: xt.era.toJSON(),
    nonce: xt.nonce.toNumber(),
    tip: xt.tip.toString(),
    hash: xt.hash.toHex(),
    length: xt.encodedLength,
  };
}

function callIndex(registry, pallet, call) {
  for (const sec of registry.metadata.pallets) {
    if (sec.name.toString() !== pallet || sec.calls.isNone) continue;
    const variants = registry.lookup.getSiType(sec.calls.unwrap().type).def.asVariant.variants;
    for (const v of variants) {
      if (v.name.toString() === call) return new Uint8Array([sec.index.toNumber(), v.index.toNumber()]);
    }
  }
  throw new Error(`no call ${pallet}.${call}`);
}

async function sign(meta, paramsJson) {
  await cryptoWaitReady();
  const p = JSON.parse(paramsJson);
  const registry = loadRegistry(meta);
  const fn = registry.findMetaCall(callIndex(registry, p.pallet, p.call));
  const method = fn(...p.args);
  const pair = new Keyring({ type: 'sr25519' }).addFromUri(p.suri);
  const era = p.period === 0
    ? registry.createType('ExtrinsicEra', new Uint8Array([0]))
    : registry.createType('ExtrinsicEra', { current: p.block, period: p.period });
  const value = {
    method: method.toHex(), era, nonce: p.nonce, tip: p.tip,
    specVersion: p.spec, transactionVersion: p.txver,
    genesisHash: p.genesis, blockHash: p.birth, mode: 0, version: 4,
  };
  const payload = registry.createType('ExtrinsicPayload', value, { version: 4 });
  const xt = registry.createType('Extrinsic', { method }, { version: 4 });
  xt.addSignature(pair.address, payload.sign(pair).signature, value);
  return {
    extrinsic: xt.toHex(),
    payload: u8aToHex(payload.toU8a({ method: true })),
    signer: u8aToHex(pair.publicKey),
  };
}

function args(meta, pallet, call) {
  const registry = loadRegistry(meta);
  const tx = registry.findMetaCall;
  for (const [, sec] of Object.entries(registry.metadata.pallets)) {
    if (sec.name.toString() !== pallet || sec.calls.isNone) continue;
    const variants = registry.lookup.getSiType(sec.calls.unwrap().type).def.asVariant.variants;
    for (const v of variants) {
      if (v.name.toString() !== call) continue;
      return { index: [sec.index.toNumber(), v.index.toNumber()],
        args: v.fields.map((f) => [f.name.toString(), f.typeName.toString()]) };
    }
  }
  void tx;
  throw new Error(`no call ${pallet}.${call}`);
}

const [mode, ...rest] = process.argv.slice(2);
try {
  let out;
  if (mode === 'check' && rest.length === 6) out = await check(...rest);
  else if (mode === 'sign' && rest.length === 2) out = await sign(...rest);
  else if (mode === 'args' && rest.length === 3) out = args(...rest);
  else throw new Error('usage: check META XT GENESIS BIRTH SPEC TXVER | args META PALLET CALL');
  console.log(JSON.stringify(out));
} catch (e) {
  console.error(e.message || String(e));
  process.exit(1);
}
