// tle_noble.mjs: @noble/curves bls12-381 as an independent oracle for
// point arithmetic, hash to G1 and the pairing.
//
// Reads a JSON array of cases on stdin, writes a JSON array of hex results:
//   {op: "g1-mul"|"g2-mul", k}        compressed k * generator (k mod r)
//   {op: "g1-add"|"g2-add", a, b}     compressed a + b
//   {op: "hash-g1", msg, dst}         compressed hash_to_curve (RFC 9380)
//   {op: "pairing", a, b}             e(a, b) as 12 x 48-byte little-endian
//                                     Fp in arkworks order (c0.c0.c0 ...
//                                     c1.c2.c1); noble's final exponentiation
//                                     is the same f^(3 (p^12-1)/r) as
//                                     arkworks and blst

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const mod = path.join(here, '..', 'js', 'node_modules', '@noble', 'curves',
                      'bls12-381.js');
const { bls12_381: bls } = await import(pathToFileURL(mod).href);

const G1 = bls.G1.Point;
const G2 = bls.G2.Point;
const hex = (s) => new Uint8Array(Buffer.from(s, 'hex'));
const ORDER = bls.fields.Fr.ORDER;

// k * generator for any k (reduced mod r; noble refuses 0 and >= r)
function mul(P, k) {
    const n = BigInt('0x' + k) % ORDER;
    return n === 0n ? P.ZERO : P.BASE.multiply(n);
}

function fpLE(x) {
    const b = Buffer.alloc(48);
    let v = BigInt(x);
    for (let i = 0; i < 48; i++) {
        b[i] = Number(v & 0xffn);
        v >>= 8n;
    }
    return b.toString('hex');
}

function gtHex(g) {
    let s = '';
    for (const c6 of [g.c0, g.c1]) {
        for (const c2 of [c6.c0, c6.c1, c6.c2]) {
            s += fpLE(c2.c0) + fpLE(c2.c1);
        }
    }
    return s;
}

let input = '';
for await (const chunk of process.stdin) {
    input += chunk;
}

const out = JSON.parse(input).map((c) => {
    switch (c.op) {
    case 'g1-mul':
        return mul(G1, c.k).toHex(true);
    case 'g2-mul':
        return mul(G2, c.k).toHex(true);
    case 'g1-add':
        return G1.fromHex(c.a).add(G1.fromHex(c.b)).toHex(true);
    case 'g2-add':
        return G2.fromHex(c.a).add(G2.fromHex(c.b)).toHex(true);
    case 'hash-g1':
        return bls.G1.hashToCurve(hex(c.msg), { DST: c.dst }).toHex(true);
    case 'pairing':
        return gtHex(bls.pairing(G1.fromHex(c.a), G2.fromHex(c.b)));
    default:
        throw new Error('unknown op ' + c.op);
    }
});

process.stdout.write(JSON.stringify(out));
