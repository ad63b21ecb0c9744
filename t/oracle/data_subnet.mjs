// data_subnet.mjs: the polkadot-js oracle for the subnet bodies (tests only).
//
//   node data_subnet.mjs META_FILE INPUT_JSON
//
// INPUT_JSON holds what the chain answered for one subnet at one block, as
// hex: {"neurons": "0x..", "state": "0x..", "commitments": [[key, value],
// ...], "certificates": [[key, value], ...]}.  Everything is decoded with
// @polkadot/types from the runtime's metadata (and, for old runtimes whose
// runtime APIs are declared Vec<u8>, with the layouts below written from
// chain.md §4.2).  Prints the decoded facts as JSON — integers as decimal
// strings, accounts as SS58 — and nothing of Pylon's shapes: the test
// renders those itself.
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { hexToU8a, u8aToHex, compactStripLength } = require('@polkadot/util');
const { encodeAddress } = require('@polkadot/util-crypto');

const OLD = {
  AxonInfo: {
    block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8',
    protocol: 'u8', placeholder1: 'u8', placeholder2: 'u8',
  },
  PrometheusInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8' },
  NeuronInfoLite: {
    hotkey: 'AccountId32', coldkey: 'AccountId32', uid: 'Compact<u16>',
    netuid: 'Compact<u16>', active: 'bool', axon_info: 'AxonInfo',
    prometheus_info: 'PrometheusInfo', stake: 'Vec<(AccountId32, Compact<u64>)>',
    rank: 'Compact<u16>', emission: 'Compact<u64>', incentive: 'Compact<u16>',
    consensus: 'Compact<u16>', trust: 'Compact<u16>', validator_trust: 'Compact<u16>',
    dividends: 'Compact<u16>', last_update: 'Compact<u64>', validator_permit: 'bool',
    pruning_score: 'Compact<u16>',
  },
  SubnetState: {
    netuid: 'Compact<u16>', hotkeys: 'Vec<AccountId32>', coldkeys: 'Vec<AccountId32>',
    active: 'Vec<bool>', validator_permit: 'Vec<bool>', pruning_score: 'Vec<Compact<u16>>',
    last_update: 'Vec<Compact<u64>>', emission: 'Vec<Compact<u64>>',
    dividends: 'Vec<Compact<u16>>', incentives: 'Vec<Compact<u16>>',
    consensus: 'Vec<Compact<u16>>', trust: 'Vec<Compact<u16>>', rank: 'Vec<Compact<u16>>',
    block_at_registration: 'Vec<Compact<u64>>', alpha_stake: 'Vec<Compact<u64>>',
    tao_stake: 'Vec<Compact<u64>>', total_stake: 'Vec<Compact<u64>>',
    emission_history: 'Vec<Vec<Compact<u64>>>',
  },
};

const [metaFile, inputFile] = process.argv.slice(2);

function hex(t) {
  t = t.trim();
  if (t.startsWith('"')) t = JSON.parse(t);
  return hexToU8a(t.startsWith('0x') ? t : '0x' + t);
}

let blob = hex(readFileSync(metaFile, 'utf8'));
if (!(blob[0] === 0x6d && blob[1] === 0x65)) blob = compactStripLength(blob.subarray(1))[1];
const registry = new TypeRegistry();
const metadata = new Metadata(registry, blob);
registry.setMetadata(metadata);
const old = new TypeRegistry();
old.register(OLD);
const input = JSON.parse(readFileSync(inputFile, 'utf8'));

const camel = (s) => s.replace(/_([a-z])/g, (_, c) => c.toUpperCase());
const get = (v, name) => (v.get(name) !== undefined ? v.get(name) : v.get(camel(name)));

// a runtime API output: the metadata's type, or the old Vec<u8> wrapping
function apiValue(api, method, bytes, oldType) {
  for (const a of metadata.asLatest.apis) {
    if (a.name.toString() !== api) continue;
    for (const m of a.methods) {
      if (m.name.toString() !== method) continue;
      const t = registry.createLookupType(m.output.toNumber());
      const v = registry.createType(t, bytes);
      if (v.encodedLength !== bytes.length) throw new Error(`${method}: trailing bytes`);
      if (registry.lookup.getTypeDef(m.output.toNumber()).type !== 'Bytes') return v;
      const inner = v.toU8a(true);
      if (inner.length === 0) return null;
      const w = old.createType(oldType, inner);
      if (w.encodedLength !== inner.length) throw new Error(`${method}: trailing bytes`);
      return w;
    }
  }
  throw new Error(`no ${api}_${method}`);
}

const out = { neurons: [], state: null, commitments: [], certificates: [] };

if (input.neurons) {
  const ns = apiValue('NeuronInfoRuntimeApi', 'get_neurons_lite', hex(input.neurons),
                      'Vec<NeuronInfoLite>');
  for (const n of ns || []) {
    const axon = get(n, 'axon_info');
    const stake = get(n, 'stake');
    out.neurons.push({
      uid: get(n, 'uid').toString(),
      hotkey: encodeAddress(get(n, 'hotkey').toU8a(), 42),
      coldkey: encodeAddress(get(n, 'coldkey').toU8a(), 42),
      active: get(n, 'active').isTrue,
      ip: get(axon, 'ip').toString(),
      port: get(axon, 'port').toString(),
      protocol: get(axon, 'protocol').toString(),
      stake: stake.length ? stake[0][1].toString() : null,
      ...Object.fromEntries(['rank', 'emission', 'incentive', 'consensus', 'trust',
        'validator_trust', 'dividends', 'last_update', 'pruning_score']
        .map((k) => [k, get(n, k).toString()])),
      validator_permit: get(n, 'validator_permit').isTrue,
    });
  }
}

if (input.state) {
  let st = apiValue('SubnetInfoRuntimeApi', 'get_subnet_state', hex(input.state),
                    'Option<SubnetState>');
  if (st && st.isSome !== undefined) st = st.isSome ? st.unwrap() : null;
  if (st) {
    out.state = {};
    const hk = get(st, 'hotkeys');
    hk.forEach((h, i) => {
      out.state[encodeAddress(h.toU8a(), 42)] = ['alpha_stake', 'tao_stake', 'total_stake']
        .map((k) => get(st, k)[i].toString());
    });
  }
}

function storage(pallet, item, pairs, fn) {
  const p = metadata.asLatest.pallets.find((x) => x.name.toString() === pallet);
  const e = p && p.storage.isSome
    ? p.storage.unwrap().items.find((x) => x.name.toString() === item) : null;
  if (!e) return [];
  const t = registry.createLookupType(e.type.asMap.value.toNumber());
  return pairs.filter(([, v]) => v !== null).map(([k, v]) => {
    const key = hex(k);
    const val = registry.createType(t, hex(v));
    return { hotkey: encodeAddress(key.subarray(key.length - 32), 42), ...fn(val) };
  });
}

out.commitments = storage('Commitments', 'CommitmentOf', input.commitments || [], (r) => {
  const first = get(get(r, 'info'), 'fields')[0];
  return {
    block: get(r, 'block').toString(),
    kind: first ? first.type : 'None',
    data: first && !first.isNone ? u8aToHex(first.value.toU8a(true)) : null,
  };
});

out.certificates = storage('SubtensorModule', 'NeuronCertificates',
  input.certificates || [], (c) => ({
    algorithm: get(c, 'algorithm').toString(),
    public_key: u8aToHex(get(c, 'public_key').toU8a(true)).slice(2),
  }));

console.log(JSON.stringify(out));
