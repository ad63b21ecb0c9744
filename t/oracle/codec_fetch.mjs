// codec_fetch.mjs: fetch raw runtime-API results from a running node, for
// the codec tests (tests only).
//
//   node codec_fetch.mjs WS_URL OUT_DIR [--blocks N] CALL:HEXARGS ...
//
// With --blocks N, OUT_DIR/blocks.json holds the extrinsics (hex) and the
// System.Events value of blocks 0..N:
// [{"number": n, "extrinsics": ["0x…", …], "events": "0x…"}, …].
// Writes OUT_DIR/metadata.hex (Metadata_metadata_at_version(15)),
// OUT_DIR/runtime.json (state_getRuntimeVersion) and, for every
// CALL:HEXARGS (e.g. NeuronInfoRuntimeApi_get_neurons_lite:0x0200), the
// hex result in OUT_DIR/<CALL>-<HEXARGS>.hex.  Raw JSON-RPC only: no
// polkadot-js type knowledge is involved in what gets written.
import { createRequire } from 'node:module';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { WsProvider } = require('@polkadot/api');

const [ws, out, ...rest] = process.argv.slice(2);
let blocks = -1;
if (rest[0] === '--blocks') {
  blocks = Number(rest[1]);
  rest.splice(0, 2);
}
const calls = rest;
const provider = new WsProvider(ws, false);
await provider.connect();
await provider.isReady;

const meta = await provider.send('state_call', ['Metadata_metadata_at_version', '0x0f000000']);
writeFileSync(join(out, 'metadata.hex'), meta);
writeFileSync(join(out, 'runtime.json'), JSON.stringify(await provider.send('state_getRuntimeVersion', [])));

for (const c of calls) {
  const [method, args] = c.split(':');
  const res = await provider.send('state_call', [method, args]);
  writeFileSync(join(out, `${method}-${args}.hex`), res);
}

if (blocks >= 0) {
  const all = [];
  for (let n = 0; n <= blocks; n++) {
    const hash = await provider.send('chain_getBlockHash', [n]);
    if (!hash) break;
    const b = await provider.send('chain_getBlock', [hash]);
    const events = await provider.send('state_getStorage', [
      '0x26aa394eea5630e07c48ae0c9558cef780d41e5e16056765bc8461851072c9d7', hash]);
    all.push({ number: n, extrinsics: b.block.extrinsics, events });
  }
  writeFileSync(join(out, 'blocks.json'), JSON.stringify(all));
}

await provider.disconnect();
process.exit(0);
