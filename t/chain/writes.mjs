// writes.mjs: what the writes tests do to the local chain besides our own
// extrinsics, and how they read the result, through polkadot-js.
//
//   node writes.mjs WS serve NETUID SURI IP PORT     the hotkey serves an axon
//   node writes.mjs WS cr NETUID on|off              sudo: commit-reveal switch
//   node writes.mjs WS fund SS58                     100 TAO from //Alice
//   node writes.mjs WS state NETUID SS58 UID         {weights, commits,
//                                                     commitment, certificate}
// Each command that changes the chain builds one block and fails loudly when
// its extrinsic did.  The last line printed is JSON.
import { createRequire } from 'node:module';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady } = require('@polkadot/util-crypto');

const [ws, cmd, ...args] = process.argv.slice(2);

await cryptoWaitReady();
const provider = new WsProvider(ws, 1000, {}, 600_000);
const api = await ApiPromise.create({ provider, noInitWarn: true });
const keys = new Keyring({ type: 'sr25519', ss58Format: 42 });
const { tx } = api;

async function one(call, who, what) {
  const nonce = await api.rpc.system.accountNextIndex(who.address);
  await call.signAsync(who, { nonce });
  const sent = await api.rpc.author.submitExtrinsic(call);
  const hash = await provider.send('dev_newBlock', [{ count: 1 }]);
  const signed = await api.rpc.chain.getBlock(hash);
  const events = await (await api.at(hash)).query.system.events();
  const i = signed.block.extrinsics.findIndex((x) => x.hash.eq(sent));
  if (i < 0) throw new Error(`${what}: not in the block`);
  for (const { phase, event } of events) {
    if (!phase.isApplyExtrinsic || !phase.asApplyExtrinsic.eqn(i)) continue;
    if (api.events.system.ExtrinsicFailed.is(event)) throw new Error(`${what}: failed`);
    if (api.events.sudo.Sudid.is(event) && event.data[0].isErr) {
      throw new Error(`${what}: sudo failed`);
    }
  }
  return signed.block.header.number.toNumber();
}

const alice = keys.addFromUri('//Alice');
let out = {};

if (cmd === 'serve') {
  const [netuid, suri, ip, port] = args;
  const [a, b, c, d] = ip.split('.').map(Number);
  const ipint = ((a << 24) >>> 0) + (b << 16) + (c << 8) + d;
  out.block = await one(tx.subtensorModule.serveAxon(Number(netuid), 1, ipint, Number(port),
                                                     4, 0, 0, 0),
                        keys.addFromUri(suri), 'serve_axon');
} else if (cmd === 'cr') {
  const [netuid, on] = args;
  out.block = await one(tx.sudo.sudo(tx.adminUtils.sudoSetCommitRevealWeightsEnabled(
    Number(netuid), on === 'on')), alice, 'commit-reveal switch');
} else if (cmd === 'fund') {
  out.block = await one(tx.balances.transferKeepAlive(args[0], 100_000_000_000n), alice,
                        'fund');
} else if (cmd === 'state') {
  const [netuid, who, uid] = args;
  const q = api.query;
  const w = await q.subtensorModule.weights(Number(netuid), Number(uid));
  const commits = await q.subtensorModule.weightCommits(Number(netuid), who);
  const c = await q.commitments.commitmentOf(Number(netuid), who);
  const cert = await q.subtensorModule.neuronCertificates(Number(netuid), who);
  out = {
    weights: w.toJSON(),
    commits: commits.isSome ? commits.unwrap().toJSON() : [],
    commitment: c.isSome ? c.unwrap().toJSON() : null,
    certificate: cert.isSome ? cert.unwrap().toJSON() : null,
  };
} else {
  throw new Error(`unknown command ${cmd}`);
}

console.log(JSON.stringify(out));
await api.disconnect();
process.exit(0);
