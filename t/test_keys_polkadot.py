"""sr25519 cross-checks with polkadot-js (@polkadot/util-crypto, keyring):
signatures verify both ways over 1000 random messages, and the keyring
derives the same public keys from the same mnemonics and SURIs."""

import os
import random
from concurrent.futures import ThreadPoolExecutor

import pytest

from test_keys_common import (need_tool, need_shared, need_oracle, key, inspect,
                         oracle, WALLET)

N = 1000


@pytest.fixture(autouse=True)
def _needs():
    need_tool()
    need_oracle()


def random_messages(seed):
    rnd = random.Random(seed)
    return [rnd.randbytes(rnd.choice([0, 1, 32, rnd.randrange(600)])).hex()
            for _ in range(N)]


def pmap(fn, items):
    with ThreadPoolExecutor(max_workers=os.cpu_count() or 4) as ex:
        return list(ex.map(fn, items))


def test_their_signatures_verify_with_ours():
    msgs = random_messages(1)
    res = oracle({'op': 'sign', 'suri': '//Alice', 'messages': msgs})
    pub = res['pub']
    assert pub == ('0xd43593c715fdd31c61141abd04a99fd6'
                   '822c8558854ccde39a5684e7a56da27d')
    rcs = pmap(lambda ms: key('verify', pub, ms[1], ms[0] or '0x').returncode,
               list(zip(msgs, res['sigs'])))
    assert rcs == [0] * N

    # and ours rejects them once tampered (signature bit or message byte)
    rnd = random.Random(2)
    bad = []
    for m, s in list(zip(msgs, res['sigs']))[:100]:
        sb = bytearray(bytes.fromhex(s[2:]))
        sb[rnd.randrange(64)] ^= 1 << rnd.randrange(8)
        bad.append((m or '0x', sb.hex()))
        mm = bytes.fromhex(m) + b'\x00'
        bad.append((mm.hex(), s))
    rcs = pmap(lambda ms: key('verify', pub, ms[1], ms[0]).returncode, bad)
    assert rcs == [1] * len(bad)


def test_our_signatures_verify_with_theirs():
    msgs = random_messages(3)
    sigs = pmap(lambda m: key('sign', '//Bob', m or '0x'), msgs)
    assert all(r.returncode == 0 for r in sigs), sigs[0].stderr
    sigs = [r.stdout.strip() for r in sigs]
    assert len(set(sigs)) == N
    pub = inspect('//Bob')[0]
    res = oracle({'op': 'verify', 'pub': pub,
                  'items': [[m or '0x', s] for m, s in zip(msgs, sigs)]})
    assert res['valid'] == [True] * N

    # the oracle can say no: a flipped bit fails there too
    flipped = [[m or '0x', s[:-1] + ('0' if s[-1] != '0' else '1')]
               for m, s in zip(msgs[:20], sigs[:20])]
    res = oracle({'op': 'verify', 'pub': pub, 'items': flipped})
    assert res['valid'] == [False] * 20


# Not listed: '//18446744073709551616' (2^64).  Substrate (sp_core) parses
# a junction as u64 or else as a string, so 2^64 is a string junction; we
# follow Substrate, polkadot-js truncates the number to 64 bits instead.
SURIS = ['//Alice', '//Bob', '//Charlie', '//Alice//stash', '//0', '//1',
         '//42', '//18446744073709551615',
         '//a-junction-that-is-longer-than-thirty-two-bytes',
         '//x' * 5, '///password', '//Alice///password', '//Ünïcode',
         '0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a',
         '0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b76361f6edb5c0a'
         '//hard//0']


def test_keyring_same_keys_from_suris():
    want = oracle({'op': 'derive', 'suris': SURIS})['pubs']
    got = [inspect(s)[0] for s in SURIS]
    assert got == want


def test_keyring_same_keys_from_random_mnemonics():
    need_shared()
    counts = [12, 15, 18, 21, 24] * 6
    phrases = oracle({'op': 'mnemonics', 'counts': counts})['phrases']
    suris = []
    for i, p in enumerate(phrases):
        suris += [p, p + '//hard', p + '//%d' % i, p + '///secret pw',
                  p + '//Alice//1///pw']
    want = oracle({'op': 'derive', 'suris': suris})['pubs']
    got = pmap(lambda s: inspect(s)[0], suris)
    assert got == want


def test_mnemonic_mini_secret_matches_polkadot():
    need_shared()
    phrases = oracle({'op': 'mnemonics', 'counts': [12, 24] * 5})['phrases']
    phrases.append('bottom drive obey lake curtain smoke basket hold race '
                   'lonely fit walk')
    minis = oracle({'op': 'mini', 'phrases': phrases})['minis']
    assert minis[-1] == ('0xfac7959dbfe72f052e5a0c3c8d6530f2'
                         '02b02fd8f9f5ca3580ec8deb7797479e')
    for p, m in zip(phrases, minis):
        assert inspect(p) == inspect(m)


def test_wallet_fixture_matches_keyring():
    need_shared()
    import json
    path = os.path.join(WALLET, 'pylon', 'hotkeys', 'pylon')
    with open(path) as f:
        data = json.load(f)
    pub, ss58 = inspect(path)
    assert pub == data['publicKey'] and ss58 == data['ss58Address']
    want = oracle({'op': 'derive', 'suris': [data['secretPhrase']]})['pubs']
    assert want == [pub]


def test_soft_derivation_refused_where_polkadot_allows_it():
    res = oracle({'op': 'derive', 'suris': ['//Alice/soft']})['pubs'][0]
    assert res.startswith('0x')
    r = key('inspect', '//Alice/soft')
    assert r.returncode == 2
    assert 'soft derivation' in r.stderr


def test_polkadot_secret_keys_load_as_wallet_private_keys(tmp_path):
    """polkadot-js writes secrets in "ed25519 form"; a hotkey file holding
    one (or its seed) must load to the same public key."""
    rnd = random.Random(5)
    seeds = ['0x' + rnd.randbytes(32).hex() for _ in range(20)]
    pairs = oracle({'op': 'pairs', 'seeds': seeds})['pairs']
    for seed, (secret, pub) in zip(seeds, pairs):
        p = tmp_path / 'hotkey'
        p.write_text('{"privateKey": "%s", "publicKey": "%s"}'
                     % (secret, pub))
        assert inspect(str(p))[0] == pub
        p.write_text('{"secretSeed": "%s", "privateKey": "%s"}'
                     % (seed, secret))
        assert inspect(str(p))[0] == pub
        assert inspect(seed)[0] == pub
