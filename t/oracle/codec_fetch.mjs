// codec_fetch.mjs: fetch raw runtime-API results from a running node, for
// the codec tests (tests only).
//
//   node codec_fetch.mjs WS_URL OUT_DIR CALL:HEXARGS ...
//
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

const [ws, out, ...calls] = process.argv.slice(2);
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

await provider.disconnect();
process.exit(0);
