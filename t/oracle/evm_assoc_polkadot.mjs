// evm_assoc_polkadot.mjs: polkadot-js decodes SubtensorModule.AssociatedEvmAddress
// storage entries built by our encoder (tests only).
//
//   node evm_assoc_polkadot.mjs META_FILE ENTRIES_FILE
//       ENTRIES_FILE: JSON [[key hex, value hex], ...]; prints
//       [{"netuid", "uid", "evm_address", "block" (decimal string)}, ...]
//       decoded with the
//       storage entry's own hashers and types from the metadata.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { hexToU8a, compactStripLength } = require('@polkadot/util');

const [metaFile, entriesFile] = process.argv.slice(2);
let hex = readFileSync(metaFile, 'utf8').trim();
if (hex.startsWith('"')) hex = JSON.parse(hex);
if (!hex.startsWith('0x')) hex = '0x' + hex;

// a Metadata_metadata_at_version answer is Option<Vec<u8>>: unwrap it
let blob = hexToU8a(hex);
if (blob[0] === 1) blob = compactStripLength(blob.subarray(1))[1];

const registry = new TypeRegistry();
const metadata = new Metadata(registry, blob);
registry.setMetadata(metadata);
const { expandMetadata } = require('@polkadot/types');

const fn = expandMetadata(registry, metadata).query.subtensorModule.associatedEvmAddress;
const valueType = registry.createLookupType(fn.meta.type.asMap.value);

const out = [];
for (const [k, v] of JSON.parse(readFileSync(entriesFile, 'utf8'))) {
    const key = registry.createType('StorageKey', k);
    key.setMeta(fn.meta);
    const [netuid, uid] = key.args.map((a) => Number(a.toString()));
    const val = registry.createType(valueType, v);
    out.push({ netuid, uid, evm_address: val[0].toHex().toLowerCase(),
               block: val[1].toString() });
}
process.stdout.write(JSON.stringify(out) + '\n');
