"""build/pylon-key: the CLI contract (inspect, sign, verify) and its
error handling: every bad input is a clear message and exit 2, never a
crash; verify exits 0 only for a valid signature."""

import os
import stat

import pytest

from test_keys_common import need_tool, need_shared, key, inspect, WALLET

ALICE = '0xd43593c715fdd31c61141abd04a99fd6822c8558854ccde39a5684e7a56da27d'
ALICE_SS58 = '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY'
KNOWN_MSG = ('I hereby verify that I control '
             '5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY').encode().hex()
KNOWN_SIG = ('b83881d3bd7302981ee1c504fe5b7b394682927131fc0846fd616bb40fa14d02'
             '640fd2aca785b4cb57904765c2e4e75f59a7dd30154c209964369912091f6981')


@pytest.fixture(autouse=True)
def _needs():
    need_tool()


def test_inspect_alice():
    assert inspect('//Alice') == (ALICE, ALICE_SS58)


def test_inspect_dev_phrase_password():
    need_shared()
    assert inspect('bottom drive obey lake curtain smoke basket hold race '
                   'lonely fit walk///password')[0] == (
        '0xb69355deefa7a8f33e9297f5af22e680f03597a99d4f4b1c44be47e7a2275802')


def test_inspect_wallet_file():
    need_shared()
    pub, ss58 = inspect(os.path.join(WALLET, 'pylon', 'hotkeys', 'pylon'))
    assert pub == ('0x3221ea5ffa4420873080d43722892acc'
                   '0ad85acbdf847a002412a3f26a12f033')
    assert ss58 == '5DCSKtJUQkSyr9YsShEF24oZ2NnfYcorsXYSPM8EtNEjUeX1'


def test_verify_known_signature():
    assert key('verify', ALICE, KNOWN_SIG, KNOWN_MSG).returncode == 0
    assert key('verify', ALICE_SS58, KNOWN_SIG, KNOWN_MSG).returncode == 0
    r = key('verify', ALICE, KNOWN_SIG, KNOWN_MSG[:-2])
    assert r.returncode == 1 and 'invalid signature' in r.stderr


def test_sign_then_verify_and_randomised():
    a = key('sign', '//Alice', '0xdeadbeef')
    b = key('sign', '//Alice', 'deadbeef')
    assert a.returncode == 0 and b.returncode == 0
    sa, sb = a.stdout.strip(), b.stdout.strip()
    assert sa.startswith('0x') and len(sa) == 130 and sa != sb
    assert key('verify', ALICE, sa, 'deadbeef').returncode == 0
    assert key('verify', ALICE, sb, '0xdeadbeef').returncode == 0
    assert key('verify', ALICE, sa, 'deadbeee').returncode == 1


@pytest.mark.parametrize('args,msg', [
    ([], 'usage'),
    (['inspect'], 'usage'),
    (['frobnicate', 'x'], 'usage'),
    (['sign', '//Alice', 'xyz'], 'not hex'),
    (['sign', '//Alice', '0x123'], 'not hex'),
    (['sign', '//Alice/soft', '00'], 'soft derivation'),
    (['inspect', '//'], 'empty junction'),
    (['inspect', '0x1234'], '64 hex digits'),
    (['verify', '0x1234', KNOWN_SIG, '00'], 'public key'),
    (['verify', ALICE, KNOWN_SIG[:-2], '00'], 'signature'),
    (['verify', ALICE, KNOWN_SIG, 'zz'], 'not hex'),
])
def test_bad_input_is_a_clear_error(args, msg):
    r = key(*args)
    assert r.returncode == 2
    assert msg in r.stderr


def test_bad_mnemonic_is_a_clear_error():
    need_shared()
    r = key('inspect', 'raccoon then despair rug dirt risk warrior absorb '
                       'arm ball fly fly')
    assert r.returncode == 2 and 'checksum' in r.stderr
    assert 'raccoon' not in r.stderr


@pytest.mark.parametrize('content,msg', [
    ('$NACL' + 'x' * 40, 'encrypted'),
    ('gAAAAABxyz', 'legacy Fernet'),
    ('{"publicKey":"' + ALICE + '"}', 'no secret key'),
    ('{"secretSeed": "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb7a90954f7b'
     '76361f6edb5c0a", "publicKey": "0x3221ea5ffa4420873080d43722892acc0ad8'
     '5acbdf847a002412a3f26a12f033"}', 'publicKey does not match'),
    ('{"secretSeed": ', 'invalid JSON'),
])
def test_bad_wallet_file_names_the_file(tmp_path, content, msg):
    p = tmp_path / 'hotkey'
    p.write_text(content)
    r = key('inspect', str(p))
    assert r.returncode == 2
    assert msg in r.stderr and str(p) in r.stderr


def test_wallet_secret_seed_file(tmp_path):
    p = tmp_path / 'hotkey'
    p.write_text('{"secretSeed": "0xe5be9a5092b81bca64be81d212e7f2f9eba183bb'
                 '7a90954f7b76361f6edb5c0a", "ss58Address": "%s"}' % ALICE_SS58)
    assert inspect(str(p)) == (ALICE, ALICE_SS58)
