"""Shared helpers for the key tests: the pylon-key tool, the BIP39 list in
../shared, and the polkadot-js oracle (t/oracle/keys_polkadot.mjs)."""

import json
import os
import shutil
import subprocess

import pytest

T = os.path.dirname(os.path.abspath(__file__))
ROOT = os.environ.get('PYLON_ROOT') or os.path.dirname(T)
KEY = os.path.join(ROOT, 'build', 'pylon-key')
SHARED = os.environ.get('PYLON_SHARED') or os.path.join(ROOT, '..', 'shared')
WORDLIST = os.path.join(SHARED, 'fixtures', 'bip39-english.txt')
WALLET = os.path.join(SHARED, 'fixtures', 'wallet')
ORACLE = os.path.join(T, 'oracle', 'keys_polkadot.mjs')
NODE_MODULES = os.path.join(T, 'js', 'node_modules', '@polkadot', 'keyring')


def need_tool():
    if not os.access(KEY, os.X_OK):
        pytest.skip('build/pylon-key not built (run make tools)')


def need_shared():
    if not os.path.exists(WORDLIST):
        pytest.skip('../shared not found (set PYLON_SHARED): BIP39 word list '
                    'and test wallet unavailable')


def need_oracle():
    if shutil.which('node') is None:
        pytest.skip('node not installed: polkadot-js oracle unavailable')
    if not os.path.isdir(NODE_MODULES):
        pytest.skip('t/js/node_modules missing (run make deps)')


def key(*args):
    """Run pylon-key; returns CompletedProcess (text)."""
    env = dict(os.environ)
    if os.path.exists(WORDLIST):
        env['PYLON_BIP39_WORDLIST'] = WORDLIST
    return subprocess.run([KEY, *args], capture_output=True, text=True,
                          env=env, timeout=60)


def inspect(arg):
    r = key('inspect', arg)
    assert r.returncode == 0, (arg, r.stderr)
    lines = dict(l.split(':', 1) for l in r.stdout.strip().splitlines())
    return lines['Public key (hex)'].strip(), lines['SS58 Address'].strip()


def oracle(req):
    r = subprocess.run(['node', ORACLE], input=json.dumps(req),
                       capture_output=True, text=True, timeout=300)
    assert r.returncode == 0, r.stderr
    return json.loads(r.stdout)
