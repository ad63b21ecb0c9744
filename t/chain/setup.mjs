// setup.mjs: the data tests' state on a fresh local chain (chopsticks,
// spec 218), made with real signed extrinsics through polkadot-js.
//
//   node setup.mjs WS [MINERS=3]
//       subnet (owner //Alice, owner hotkey //Validator staked), MINERS
//       miners (hotkeys //Miner<i>, coldkey //Bob), a commitment by the
//       validator; prints {"netuid", "block", "hotkeys"} as the last line
//   node setup.mjs WS commit NETUID SURI TEXT
//       one Commitments.set_commitment(NETUID, Raw(TEXT)) signed by SURI,
//       in a new block; prints {"block"}
import { createRequire } from 'node:module';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { ApiPromise, WsProvider } = require('@polkadot/api');
const { Keyring } = require('@polkadot/keyring');
const { cryptoWaitReady } = require('@polkadot/util-crypto');

const TAO = 1_000_000_000n;
const [ws, cmd, ...rest] = process.argv.slice(2);

await cryptoWaitReady();
const provider = new WsProvider(ws, 1000, {}, 600_000);
const api = await ApiPromise.create({ provider, noInitWarn: true });
const keys = new Keyring({ type: 'sr25519', ss58Format: 42 });

// one block holding these signed calls; throws if any failed
async function block(items, what) {
  const sent = [];
  for (const [call, who] of items) {
    const nonce = await api.rpc.system.accountNextIndex(who.address);
    await call.signAsync(who, { nonce });
    sent.push(await api.rpc.author.submitExtrinsic(call));
  }
  const hash = await provider.send('dev_newBlock', [{ count: 1 }]);
  const signed = await api.rpc.chain.getBlock(hash);
  const events = await (await api.at(hash)).query.system.events();
  for (const h of sent) {
    const i = signed.block.extrinsics.findIndex((x) => x.hash.eq(h));
    if (i < 0) throw new Error(`${what}: not in the block`);
    for (const { phase, event } of events) {
      if (!phase.isApplyExtrinsic || !phase.asApplyExtrinsic.eqn(i)) continue;
      if (api.events.system.ExtrinsicFailed.is(event)) throw new Error(`${what}: failed`);
      if (api.events.sudo.Sudid.is(event) && event.data[0].isErr) throw new Error(`${what}: sudo failed`);
    }
  }
  return { number: signed.block.header.number.toNumber(), events };
}

const raw = (text) => ({ fields: [{ [`Raw${Buffer.byteLength(text)}`]: text }] });

if (cmd === 'commit') {
  const [netuid, suri, text] = rest;
  const r = await block([[api.tx.commitments.setCommitment(Number(netuid), raw(text)),
                          keys.addFromUri(suri)]], 'set_commitment');
  console.log(JSON.stringify({ block: r.number }));
} else {
  const miners = Number(cmd || 3);
  const alice = keys.addFromUri('//Alice');
  const bob = keys.addFromUri('//Bob');
  const validator = keys.addFromUri(process.env.VALIDATOR_SURI || '//Validator');
  const minerKeys = Array.from({ length: miners }, (_, i) => keys.addFromUri(`//Miner${i + 1}`));
  const { tx } = api;

  if ((await api.rpc.chain.getHeader()).number.toNumber() === 0) {
    await provider.send('dev_newBlock', [{ count: 1 }]);
  }

  await block([[tx.utility.batchAll([validator, ...minerKeys].map(
    (k) => tx.balances.transferKeepAlive(k.address, 100n * TAO))), alice]], 'fund');
  await block([[tx.sudo.sudo(tx.adminUtils.sudoSetNetworkRateLimit(0)), alice]], 'rate limit');
  const reg = await block([[tx.subtensorModule.registerNetwork(validator.address, 1), alice]],
                          'register_network');
  const added = reg.events.find(({ event }) => api.events.subtensorModule.NetworkAdded.is(event));
  const netuid = added.event.data[0].toNumber();
  await block([[tx.sudo.sudo(tx.utility.batchAll([
    tx.adminUtils.sudoSetMaxRegistrationsPerBlock(netuid, 255),
    tx.adminUtils.sudoSetTargetRegistrationsPerInterval(netuid, 255),
    tx.adminUtils.sudoSetTempo(netuid, 10),
    tx.adminUtils.sudoSetWeightsSetRateLimit(netuid, 0),
  ])), alice]], 'hyperparams');
  await block(minerKeys.map((m) => [tx.subtensorModule.burnedRegister(netuid, m.address), bob]),
              'burned_register');
  await block([[tx.subtensorModule.addStake(validator.address, netuid, 500n * TAO), alice]],
              'add_stake');
  await provider.send('dev_newBlock', [{ count: 1 }]);
  const r = await block([[tx.commitments.setCommitment(netuid, raw(`data-test-${netuid}`)),
                          validator]], 'set_commitment');
  console.log(JSON.stringify({
    netuid, block: r.number,
    hotkeys: [validator, ...minerKeys].map((k) => k.address),
  }));
}

await api.disconnect();
process.exit(0);
