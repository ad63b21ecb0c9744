// tle_timelock.mjs: the `tle` crate (arkworks, as subtensor) compiled to
// wasm, @ideallabs/timelock_wasm_wrapper, as an independent oracle.
//
//   node tle_timelock.mjs tld CTHEX SIGHEX    plaintext hex, exit 1 on error
//   node tle_timelock.mjs tle ROUND MSGHEX    ciphertext hex to quicknet
//
// Modules resolve from t/js/node_modules next to this script.

import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const pkg = path.join(here, '..', 'js', 'node_modules',
                      '@ideallabs', 'timelock_wasm_wrapper');
const w = await import(pathToFileURL(
    path.join(pkg, 'timelock_wasm_wrapper.js')).href);
w.initSync({ module: fs.readFileSync(
    path.join(pkg, 'timelock_wasm_wrapper_bg.wasm')) });

const QUICKNET_PK = '83cf0f2896adee7eb8b5f01fcad3912212c437e0073e911fb900' +
    '22d3e760183c8c4b450b6a0a6c3ac6a5776a2d1064510d1fec758c921cc22b0e17e63a' +
    'af4bcb5ed66304de9cf809bd274ca73bab4af5a6e9c76a4bc09e76eae8991ef5ece45a';

const hex = (s) => new Uint8Array(Buffer.from(s.replace(/^0x/, ''), 'hex'));
const [op, a, b] = process.argv.slice(2);

try {
    if (op === 'tld') {
        const m = w.tld(hex(a), hex(b), 'bls12_381');
        console.log(Buffer.from(m).toString('hex'));
    } else if (op === 'tle') {
        const rb = Buffer.alloc(8);
        rb.writeBigUInt64BE(BigInt(a));
        const id = crypto.createHash('sha256').update(rb).digest();
        const ct = w.tle(new Uint8Array(id), hex(b),
                         new Uint8Array(crypto.randomBytes(32)),
                         hex(QUICKNET_PK), 'bls12_381');
        console.log(Buffer.from(ct).toString('hex'));
    } else {
        console.error('usage: tle_timelock.mjs tld CT SIG | tle ROUND MSG');
        process.exit(2);
    }
} catch (e) {
    console.error('oracle error:', e);
    process.exit(1);
}
