// events.mjs: how many times an event happened on the local chain (the
// exactly-once tests' oracle), read through polkadot-js.
//
//   node events.mjs WS FROM SECTION.METHOD [NETUID]
//
// Walks back from the best head by parent hash (block numbers may jump on
// a dev chain) down to block FROM, and counts the events SECTION.METHOD
// (e.g. commitments.CommitmentSet, subtensorModule.WeightsSet) whose first
// field is NETUID when given.  Prints {"count": N, "blocks": [numbers],
// "seen": {every SECTION.METHOD met: its last data, for failure messages}}.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { ApiPromise, WsProvider } = require('@polkadot/api');

const [ws, from, name, netuid] = process.argv.slice(2);
const [section, method] = name.split('.');

const provider = new WsProvider(ws, 1000, {}, 600_000);
const api = await ApiPromise.create({ provider, noInitWarn: true });

let hash = await api.rpc.chain.getBlockHash();
const blocks = [];
const seen = {};

for (;;) {
  const header = await api.rpc.chain.getHeader(hash);
  const number = header.number.toNumber();
  if (number < Number(from)) break;
  const events = await (await api.at(hash)).query.system.events();
  for (const { event } of events) {
    seen[`${event.section}.${event.method}`] = event.data.toString().slice(0, 80);
    if (event.section !== section || event.method !== method) continue;
    if (netuid !== undefined && Number(event.data[0].toString()) !== Number(netuid)) continue;
    blocks.push(number);
  }
  if (number === 0) break;
  hash = header.parentHash;
}

console.log(JSON.stringify({ count: blocks.length, blocks, seen }));
await api.disconnect();
process.exit(0);
