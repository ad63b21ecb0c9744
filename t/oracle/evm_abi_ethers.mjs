// evm_abi_ethers.mjs: ethers v6 as the independent oracle for the C
// Solidity ABI codec of src/evm (tests only).
//
//   node evm_abi_ethers.mjs gen N SEED
//       N random cases, one JSON line each: {"types": "t1,t2", "values":
//       [...], "hex": "0x..."} with types drawn from every ABI kind
//       (uint/int of every width, address, bool, bytesN, bytes, string,
//       T[], T[k], tuples, nested to depth 3), values encoded by ethers.
//   node evm_abi_ethers.mjs decode
//       stdin: JSON lines {"types", "hex"}; stdout: one line each, the
//       values as ethers decodes them, or {"error": "..."}.
//   node evm_abi_ethers.mjs events N SEED
//       N random logs: {"abi": [event], "log": {...eth_getLogs shape},
//       "args": {...}} encoded with Interface.encodeEventLog.
//   node evm_abi_ethers.mjs logs ABI_FILE LOGS_FILE
//       Pylon's EvmLog list for an eth_getLogs result, decoded by ethers
//       (unmatched or undecodable logs skipped, as Pylon does).
//
// Values are printed in the C codec's JSON convention: integers as exact
// JSON integers (BigInt digits written raw), addresses EIP-55, bytes and
// bytesN as 0x hex, tuples as arrays (logs: as objects by name).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { AbiCoder, Interface, getAddress, hexlify, Result, ParamType } =
    require('ethers');

const coder = AbiCoder.defaultAbiCoder();

// xorshift PRNG so that a seed reproduces a run
let state = 1n;
function seed(s) { state = BigInt(s) * 2654435761n + 1n; }
function rnd() {
    state ^= (state << 13n) & 0xffffffffffffffffn;
    state ^= state >> 7n;
    state ^= (state << 17n) & 0xffffffffffffffffn;
    return Number(state & 0xffffffffn) / 4294967296;
}
function ri(n) { return Math.floor(rnd() * n); }
function pick(a) { return a[ri(a.length)]; }
function rbytes(n) {
    const b = new Uint8Array(n);
    for (let i = 0; i < n; i++) b[i] = ri(256);
    return b;
}
function rbig(bits) {
    let v = 0n;
    for (let i = 0; i < bits; i += 8) v = (v << 8n) | BigInt(ri(256));
    return v & ((1n << BigInt(bits)) - 1n);
}

// ---- random types ------------------------------------------------------

function genType(depth) {
    const r = ri(depth > 0 ? 14 : 9);
    const w = 8 * (1 + ri(32));
    switch (r) {
    case 0: case 1: return `uint${w}`;
    case 2: return `int${w}`;
    case 3: return 'address';
    case 4: return 'bool';
    case 5: return `bytes${1 + ri(32)}`;
    case 6: return 'bytes';
    case 7: return 'string';
    case 8: return pick(['uint256', 'int256', 'uint8', 'int8', 'uint64']);
    case 9: case 10: return `${genType(depth - 1)}[]`;
    case 11: return `${genType(depth - 1)}[${1 + ri(3)}]`;
    default: {
        const n = 1 + ri(4), f = [];
        for (let i = 0; i < n; i++) f.push(genType(depth - 1));
        return `(${f.join(',')})`;
    }
    }
}

const STRINGS = ['', 'a', 'hello', 'h\u00e9llo', '\u2603 snow', '\ud83d\ude00',
    'quote " and \\ back', 'line\nbreak\ttab', 'x'.repeat(33),
    'ctrl \u0001\u001f end', '\u65e5\u672c\u8a9e'];

function genValue(pt) {
    if (pt.baseType === 'array') {
        const n = pt.arrayLength >= 0 ? pt.arrayLength : ri(4);
        const a = [];
        for (let i = 0; i < n; i++) a.push(genValue(pt.arrayChildren));
        return a;
    }
    if (pt.baseType === 'tuple') return pt.components.map(genValue);
    const t = pt.type;
    let m;
    if ((m = t.match(/^(u?)int(\d+)$/))) {
        const bits = Number(m[2]);
        const signed = m[1] === '';
        const edge = ri(5);
        if (!signed) {
            if (edge === 0) return 0n;
            if (edge === 1) return (1n << BigInt(bits)) - 1n;
            return rbig(ri(2) ? bits : Math.min(bits, 8 * (1 + ri(8))));
        }
        const max = (1n << BigInt(bits - 1)) - 1n;
        if (edge === 0) return -max - 1n;
        if (edge === 1) return max;
        let v = rbig(bits - 1);
        if (ri(2)) v = -v - (ri(2) ? 1n : 0n);
        return v;
    }
    if (t === 'address') return getAddress(hexlify(rbytes(20)));
    if (t === 'bool') return ri(2) === 1;
    if (t === 'bytes') return hexlify(rbytes(pick([0, 1, 5, 31, 32, 33, 64, 70])));
    if (t === 'string') return pick(STRINGS);
    if ((m = t.match(/^bytes(\d+)$/))) return hexlify(rbytes(Number(m[1])));
    throw new Error(`no generator for ${t}`);
}

// ---- the C codec's JSON convention -------------------------------------

function render(pt, v, named) {
    if (pt.baseType === 'array') {
        return '[' + Array.from(v).map((x) => render(pt.arrayChildren, x, named))
            .join(',') + ']';
    }
    if (pt.baseType === 'tuple') {
        const items = pt.components.map((c, i) => render(c, v[i], named));
        if (named && pt.components.every((c) => c.name)) {
            return '{' + pt.components.map((c, i) =>
                JSON.stringify(c.name) + ':' + items[i]).join(',') + '}';
        }
        return '[' + items.join(',') + ']';
    }
    if (typeof v === 'bigint') return v.toString();
    if (pt.type === 'address') return JSON.stringify(getAddress(v));
    if (pt.type === 'bool') return v ? 'true' : 'false';
    if (pt.type === 'string') return JSON.stringify(v);
    if (v && v._isIndexed) return JSON.stringify(v.hash);
    return JSON.stringify(hexlify(v));
}

function tuplePt(types) {
    return ParamType.from(`(${types})`);
}

// ---- commands ----------------------------------------------------------

function cmdGen(n, s) {
    seed(s);
    const out = [];
    for (let i = 0; i < n; i++) {
        const k = 1 + ri(4), ts = [];
        for (let j = 0; j < k; j++) ts.push(genType(3));
        const types = ts.join(',');
        const pt = tuplePt(types);
        const values = genValue(pt);
        const hex = coder.encode(pt.components, values);
        out.push(`{"types":${JSON.stringify(types)},"values":${render(pt, values, false)},"hex":"${hex}"}`);
    }
    process.stdout.write(out.join('\n') + '\n');
}

function cmdDecode() {
    const lines = readFileSync(0, 'utf8').split('\n').filter((l) => l);
    const out = [];
    for (const line of lines) {
        const c = JSON.parse(line);
        try {
            const pt = tuplePt(c.types);
            const r = coder.decode(pt.components, c.hex);
            out.push(render(pt, r, false));
        } catch (e) {
            out.push(JSON.stringify({ error: String(e.shortMessage || e.message) }));
        }
    }
    process.stdout.write(out.join('\n') + '\n');
}

function param(name, type, indexed) {
    // JSON ABI parameter with tuple components spelled out
    const pt = ParamType.from(type);
    const j = JSON.parse(pt.format('json'));
    const fix = (p, i) => {
        p.name = p.name || `f${i}`;
        (p.components || []).forEach(fix);
        return p;
    };
    (j.components || []).forEach(fix);
    j.name = name;
    j.indexed = indexed;
    return j;
}

function cmdEvents(n, s) {
    seed(s);
    const out = [];
    for (let i = 0; i < n; i++) {
        const k = 1 + ri(5), inputs = [];
        let nidx = 0;
        for (let j = 0; j < k; j++) {
            let type = genType(2);
            let indexed = false;
            if (nidx < 3 && ri(2)) {
                type = pick(['address', 'uint256', 'int32', 'bool', 'bytes32',
                             'bytes4', 'string', 'bytes', 'uint8']);
                indexed = true;
                nidx++;
            }
            inputs.push(param(`a${j}`, type, indexed));
        }
        const ev = { type: 'event', name: `Ev${i}_${ri(1000)}`, anonymous: false, inputs };
        const iface = new Interface([ev]);
        const frag = iface.fragments[0];
        const values = frag.inputs.map(genValue);
        const { data, topics } = iface.encodeEventLog(frag, values);
        const log = {
            address: hexlify(rbytes(20)), topics, data,
            blockNumber: '0x' + ri(100000).toString(16),
            transactionHash: hexlify(rbytes(32)),
            transactionIndex: '0x' + ri(10).toString(16),
            logIndex: '0x' + ri(300).toString(16),
            blockHash: hexlify(rbytes(32)), removed: false,
        };
        out.push(JSON.stringify({ abi: [ev], log }));
    }
    process.stdout.write(out.join('\n') + '\n');
}

function evmLog(iface, log) {
    if (!log.topics || log.topics.length === 0) return null;
    let parsed;
    try {
        parsed = iface.parseLog({ topics: log.topics, data: log.data });
    } catch (e) {
        return null;
    }
    if (!parsed) return null;
    const frag = parsed.fragment;
    // web3.py's order: indexed arguments first, then the others
    const order = frag.inputs.map((p, i) => [p, i]);
    const idx = order.filter(([p]) => p.indexed);
    const rest = order.filter(([p]) => !p.indexed);
    const args = [...idx, ...rest].map(([p, i]) => {
        const v = parsed.args[i];
        const txt = p.indexed && (p.baseType === 'tuple' || p.baseType === 'array'
                                  || p.type === 'string' || p.type === 'bytes')
            ? JSON.stringify(v.hash) : render(p, v, true);
        return JSON.stringify(p.name) + ':' + txt;
    });
    return `{"event":${JSON.stringify(frag.name)},"args":{${args.join(',')}},` +
        `"address":${JSON.stringify(getAddress(log.address))},` +
        `"block_number":${BigInt(log.blockNumber)},` +
        `"transaction_hash":${JSON.stringify(log.transactionHash)},` +
        `"transaction_index":${BigInt(log.transactionIndex)},` +
        `"log_index":${BigInt(log.logIndex)}}`;
}

function cmdLogs(abiFile, logsFile) {
    const abi = JSON.parse(readFileSync(abiFile, 'utf8'));
    const logs = JSON.parse(readFileSync(logsFile, 'utf8'));
    const iface = new Interface(abi.filter((e) => e.type === 'event'));
    const out = logs.map((l) => evmLog(iface, l)).filter((x) => x !== null);
    process.stdout.write('[' + out.join(',') + ']\n');
}

const [cmd, a1, a2] = process.argv.slice(2);
if (cmd === 'gen') cmdGen(Number(a1), Number(a2));
else if (cmd === 'decode') cmdDecode();
else if (cmd === 'events') cmdEvents(Number(a1), Number(a2));
else if (cmd === 'logs') cmdLogs(a1, a2);
else { console.error('usage: see the header'); process.exit(2); }
