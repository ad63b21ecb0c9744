// keys_polkadot.mjs: polkadot-js as an independent sr25519 oracle for the
// key tests (t/test_keys_polkadot.py).  Reads one JSON request on stdin,
// writes one JSON answer on stdout.  Requests:
//   {"op":"sign",   "suri":S, "messages":[hex...]}      -> {"sigs":[hex...]}
//   {"op":"verify", "pub":hex, "items":[[msg,sig]...]}  -> {"valid":[bool...]}
//   {"op":"derive", "suris":[S...]}                     -> {"pubs":[hex...]}
//   {"op":"mini",   "phrases":[P...]}                   -> {"minis":[hex...]}
//   {"op":"mnemonics", "counts":[12, 24, ...]}          -> {"phrases":[P...]}
//   {"op":"pairs",  "seeds":[hex...]}  -> {"pairs":[[secretKey, publicKey]...]}
//       (secretKey is polkadot-js's 64-byte "ed25519 form" secret)
// Modules resolve from t/js/node_modules (the script's ../js).

import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { Keyring } = require('@polkadot/keyring');
const { u8aToHex, hexToU8a } = require('@polkadot/util');
const {
  cryptoWaitReady, sr25519Verify, mnemonicToMiniSecret, mnemonicGenerate,
  sr25519PairFromSeed,
} = require('@polkadot/util-crypto');

await cryptoWaitReady();

const req = JSON.parse(readFileSync(0, 'utf8'));
const keyring = new Keyring({ type: 'sr25519', ss58Format: 42 });
let out;

switch (req.op) {
case 'sign': {
  const pair = keyring.addFromUri(req.suri);
  out = { pub: u8aToHex(pair.publicKey),
          sigs: req.messages.map((m) => u8aToHex(pair.sign(hexToU8a(m)))) };
  break;
}
case 'verify':
  out = { valid: req.items.map(([m, s]) =>
    sr25519Verify(hexToU8a(m), hexToU8a(s), hexToU8a(req.pub))) };
  break;
case 'derive':
  out = { pubs: req.suris.map((s) => {
    try {
      return u8aToHex(keyring.addFromUri(s).publicKey);
    } catch (e) {
      return 'error: ' + e.message;
    }
  }) };
  break;
case 'mini':
  out = { minis: req.phrases.map((p) => u8aToHex(mnemonicToMiniSecret(p))) };
  break;
case 'mnemonics':
  out = { phrases: req.counts.map((n) => mnemonicGenerate(n)) };
  break;
case 'pairs':
  out = { pairs: req.seeds.map((s) => {
    const p = sr25519PairFromSeed(hexToU8a(s));
    return [u8aToHex(p.secretKey), u8aToHex(p.publicKey)];
  }) };
  break;
default:
  throw new Error('unknown op ' + req.op);
}

process.stdout.write(JSON.stringify(out));
