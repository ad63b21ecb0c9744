// tle_scale.mjs: @polkadot/types as an independent SCALE encoder for the
// CRv4 WeightsTlockPayload.
//
// Reads a JSON array of {hotkey, uids, values, version_key} on stdin
// (version_key a decimal string: a u64 does not survive JSON numbers) and
// writes a JSON array of 0x-less hex encodings.

import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const here = path.dirname(fileURLToPath(import.meta.url));
const nm = path.join(here, '..', 'js', 'node_modules');
const { TypeRegistry } = await import(pathToFileURL(
    path.join(nm, '@polkadot', 'types', 'index.js')).href);

const registry = new TypeRegistry();
registry.register({
    WeightsTlockPayload: {
        hotkey: 'Vec<u8>',
        uids: 'Vec<u16>',
        values: 'Vec<u16>',
        version_key: 'u64',
    },
});

let input = '';
for await (const chunk of process.stdin) {
    input += chunk;
}

const out = JSON.parse(input).map((c) => registry.createType(
    'WeightsTlockPayload', {
        hotkey: '0x' + c.hotkey,
        uids: c.uids,
        values: c.values,
        version_key: BigInt(c.version_key),
    }).toHex().slice(2));

process.stdout.write(JSON.stringify(out));
