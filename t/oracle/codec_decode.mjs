// codec_decode.mjs: the polkadot-js oracle for the C codec (tests only).
//
// Decodes SCALE bytes with @polkadot/types and prints the result's
// toJSON() as one JSON line, so a test can compare it field by field with
// build/pylon-decode on the same bytes and the same metadata.
//
//   node codec_decode.mjs META_FILE Api_method HEX_FILE [--bench N]
//       output of a runtime API, type taken from the V15 metadata
//   node codec_decode.mjs META_FILE type:ID HEX_FILE
//       any registry type id
//   node codec_decode.mjs --legacy TYPE HEX_FILE
//       the inner bytes of an old runtime's Vec<u8> result, decoded with
//       the layouts below (spec-218 era; TYPE e.g. Vec<NeuronInfoLite>);
//       an empty inner Vec prints null
//   node codec_decode.mjs --info META_FILE
//       version, type/pallet/api counts (to cross-check the parser)
//   node codec_decode.mjs --extrinsic META_FILE HEX_FILE
//       a block's extrinsic: {address, call_module, call_function,
//       call_args: [{name, value}]} (polkadot-js names, camelCase)
//   node codec_decode.mjs --constants META_FILE
//       every pallet constant decoded: {"Pallet.NAME": value}
//
// With --bench N the decode (+ toJSON + JSON.stringify) runs N times and
// the best (minimum) milliseconds of one run are printed on stderr as
// "bench_ms X" (the minimum is the least disturbed by other load).
import { createRequire } from 'node:module';
import { readFileSync } from 'node:fs';

const require = createRequire(new URL('../js/package.json', import.meta.url));
const { TypeRegistry, Metadata } = require('@polkadot/types');
const { hexToU8a, compactStripLength } = require('@polkadot/util');

// Legacy (spec 218) layouts, written from chain.md §4.2.
const LEGACY = {
  AxonInfo: {
    block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8',
    protocol: 'u8', placeholder1: 'u8', placeholder2: 'u8',
  },
  PrometheusInfo: { block: 'u64', version: 'u32', ip: 'u128', port: 'u16', ip_type: 'u8' },
  NeuronInfoLite: {
    hotkey: 'AccountId32', coldkey: 'AccountId32', uid: 'Compact<u16>', netuid: 'Compact<u16>',
    active: 'bool', axon_info: 'AxonInfo', prometheus_info: 'PrometheusInfo',
    stake: 'Vec<(AccountId32, Compact<u64>)>', rank: 'Compact<u16>', emission: 'Compact<u64>',
    incentive: 'Compact<u16>', consensus: 'Compact<u16>', trust: 'Compact<u16>',
    validator_trust: 'Compact<u16>', dividends: 'Compact<u16>', last_update: 'Compact<u64>',
    validator_permit: 'bool', pruning_score: 'Compact<u16>',
  },
  NeuronInfo: {
    hotkey: 'AccountId32', coldkey: 'AccountId32', uid: 'Compact<u16>', netuid: 'Compact<u16>',
    active: 'bool', axon_info: 'AxonInfo', prometheus_info: 'PrometheusInfo',
    stake: 'Vec<(AccountId32, Compact<u64>)>', rank: 'Compact<u16>', emission: 'Compact<u64>',
    incentive: 'Compact<u16>', consensus: 'Compact<u16>', trust: 'Compact<u16>',
    validator_trust: 'Compact<u16>', dividends: 'Compact<u16>', last_update: 'Compact<u64>',
    validator_permit: 'bool', weights: 'Vec<(Compact<u16>, Compact<u16>)>',
    bonds: 'Vec<(Compact<u16>, Compact<u16>)>', pruning_score: 'Compact<u16>',
  },
  SubnetHyperparams: {
    rho: 'Compact<u16>', kappa: 'Compact<u16>', immunity_period: 'Compact<u16>',
    min_allowed_weights: 'Compact<u16>', max_weights_limit: 'Compact<u16>', tempo: 'Compact<u16>',
    min_difficulty: 'Compact<u64>', max_difficulty: 'Compact<u64>', weights_version: 'Compact<u64>',
    weights_rate_limit: 'Compact<u64>', adjustment_interval: 'Compact<u16>',
    activity_cutoff: 'Compact<u16>', registration_allowed: 'bool',
    target_regs_per_interval: 'Compact<u16>', min_burn: 'Compact<u64>', max_burn: 'Compact<u64>',
    bonds_moving_avg: 'Compact<u64>', max_regs_per_block: 'Compact<u16>',
    serving_rate_limit: 'Compact<u64>', max_validators: 'Compact<u16>',
    adjustment_alpha: 'Compact<u64>', difficulty: 'Compact<u64>',
    commit_reveal_weights_interval: 'Compact<u64>', commit_reveal_weights_enabled: 'bool',
    alpha_high: 'Compact<u16>', alpha_low: 'Compact<u16>', liquid_alpha_enabled: 'bool',
  },
  SubnetState: {
    netuid: 'Compact<u16>', hotkeys: 'Vec<AccountId32>', coldkeys: 'Vec<AccountId32>',
    active: 'Vec<bool>', validator_permit: 'Vec<bool>', pruning_score: 'Vec<Compact<u16>>',
    last_update: 'Vec<Compact<u64>>', emission: 'Vec<Compact<u64>>', dividends: 'Vec<Compact<u16>>',
    incentives: 'Vec<Compact<u16>>', consensus: 'Vec<Compact<u16>>', trust: 'Vec<Compact<u16>>',
    rank: 'Vec<Compact<u16>>', block_at_registration: 'Vec<Compact<u64>>',
    alpha_stake: 'Vec<Compact<u64>>', tao_stake: 'Vec<Compact<u64>>', total_stake: 'Vec<Compact<u64>>',
    emission_history: 'Vec<Vec<Compact<u64>>>',
  },
};

function readHex(path) {
  let t = readFileSync(path, 'utf8').trim();
  if (t.startsWith('"')) t = JSON.parse(t);
  return hexToU8a(t.startsWith('0x') ? t : '0x' + t);
}

// "meta"… or Option<Vec<u8>> of Metadata_metadata_at_version
function metadataBytes(path) {
  const b = readHex(path);
  if (b[0] === 0x6d && b[1] === 0x65 && b[2] === 0x74 && b[3] === 0x61) return b;
  if (b[0] !== 1) throw new Error('not a metadata blob');
  const [, inner] = compactStripLength(b.subarray(1));
  return inner;
}

function loadRegistry(path) {
  const registry = new TypeRegistry();
  const metadata = new Metadata(registry, metadataBytes(path));
  registry.setMetadata(metadata);
  return { registry, metadata };
}

function outputType(metadata, call) {
  const latest = metadata.asLatest;
  for (const api of latest.apis) {
    const name = api.name.toString();
    if (!call.startsWith(name + '_') && !call.startsWith(name + '.')) continue;
    const method = call.slice(name.length + 1);
    for (const m of api.methods) {
      if (m.name.toString() === method) return m.output.toNumber();
    }
  }
  throw new Error('no runtime api ' + call);
}

function run(decode, bench) {
  let out = JSON.stringify(decode().toJSON());
  if (bench > 0) {
    let best = Infinity;
    for (let i = 0; i < bench; i++) {
      const t0 = process.hrtime.bigint();
      out = JSON.stringify(decode().toJSON());
      best = Math.min(best, Number(process.hrtime.bigint() - t0) / 1e6);
    }
    process.stderr.write(`bench_ms ${best.toFixed(3)}\n`);
  }
  return out;
}

const args = process.argv.slice(2);
let bench = 0;
const bi = args.indexOf('--bench');
if (bi >= 0) {
  bench = Number(args[bi + 1]);
  args.splice(bi, 2);
}

if (args[0] === '--info') {
  const { metadata } = loadRegistry(args[1]);
  const latest = metadata.asLatest;
  console.log(JSON.stringify({
    version: metadata.version,
    types: latest.lookup.types.length,
    pallets: latest.pallets.map((p) => p.name.toString()),
    apis: latest.apis ? latest.apis.length : 0,
    extensions: latest.extrinsic.signedExtensions
      ? latest.extrinsic.signedExtensions.map((e) => e.identifier.toString())
      : latest.extrinsic.transactionExtensions.map((e) => e.identifier.toString()),
  }));
} else if (args[0] === '--extrinsic') {
  const { registry } = loadRegistry(args[1]);
  const xt = registry.createType('Extrinsic', readHex(args[2]));
  const m = xt.method;
  console.log(JSON.stringify({
    address: xt.isSigned ? xt.signer.toString() : null,
    call_module: m.section,
    call_function: m.method,
    call_args: m.meta.args.map((a, i) => ({ name: a.name.toString(), value: m.args[i].toJSON() })),
    extrinsic_hash: xt.hash.toHex(),
  }));
} else if (args[0] === '--constants') {
  const { registry, metadata } = loadRegistry(args[1]);
  const all = {};
  for (const p of metadata.asLatest.pallets) {
    for (const c of p.constants) {
      const v = registry.createType(registry.createLookupType(c.type.toNumber()), c.value.toU8a(true));
      all[`${p.name.toString()}.${c.name.toString()}`] = v.toJSON();
    }
  }
  console.log(JSON.stringify(all));
} else if (args[0] === '--legacy') {
  const registry = new TypeRegistry();
  registry.register(LEGACY);
  const bytes = readHex(args[2]);
  const [, inner] = compactStripLength(bytes);
  if (inner.length === 0) {
    console.log('null');
  } else {
    const decode = () => {
      const v = registry.createType(args[1], inner);
      if (v.encodedLength !== inner.length) {
        throw new Error(`consumed ${v.encodedLength} of ${inner.length} bytes`);
      }
      return v;
    };
    console.log(run(decode, bench));
  }
} else {
  const { registry, metadata } = loadRegistry(args[0]);
  const id = args[1].startsWith('type:') ? Number(args[1].slice(5)) : outputType(metadata, args[1]);
  const bytes = readHex(args[2]);
  const typeName = registry.createLookupType(id);
  const decode = () => {
    const v = registry.createType(typeName, bytes);
    if (v.encodedLength !== bytes.length) {
      throw new Error(`consumed ${v.encodedLength} of ${bytes.length} bytes`);
    }
    return v;
  };
  console.log(run(decode, bench));
}
