"""A newcomer's two commands: t/bootstrap.sh installs what is missing, and `make demo` from a
clean copy of the tree (no build/, no node_modules) shows a validator's day on the local chain."""
import os
import shutil
import stat
import subprocess
import tempfile

import pytest

import chain as chainlib
from harness import ROOT

BOOTSTRAP = os.path.join(ROOT, "t", "bootstrap.sh")


def clean_copy(dest):
    """The tree as a fresh clone holds it (tracked and unignored files, working changes
    included): no build/, no node_modules."""
    files = subprocess.run(["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
                           cwd=ROOT, capture_output=True, check=True).stdout.split(b"\0")
    for f in filter(None, files):
        src = os.path.join(ROOT, f.decode())
        if not os.path.lexists(src) or os.path.isdir(src):
            continue
        dst = os.path.join(dest, f.decode())
        os.makedirs(os.path.dirname(dst), exist_ok=True)
        shutil.copy2(src, dst, follow_symlinks=False)
    assert not os.path.exists(os.path.join(dest, "build"))
    assert not os.path.lexists(os.path.join(dest, "t", "js", "node_modules"))


def shim(bindir, name, script):
    path = os.path.join(bindir, name)
    with open(path, "w") as f:
        f.write("#!/bin/sh\n" + script + "\n")
    os.chmod(path, 0o755)


@pytest.fixture
def shims(tmp_path):
    """A PATH whose dpkg-query says nothing is installed and whose apt-get records its calls."""
    b = tmp_path / "bin"
    b.mkdir()
    log = tmp_path / "calls"
    shim(str(b), "dpkg-query", "exit 1")
    shim(str(b), "apt-get", 'echo "apt-get $*" >> %s' % log)
    shim(str(b), "id", 'echo ${FAKE_UID:-0}')
    return b, log


def run_bootstrap(bindir, mode, extra_env=None, path_tail="/usr/bin:/bin"):
    env = dict(os.environ, PATH="%s:%s" % (bindir, path_tail), PYLON_GENESIS="/dev/null")
    env.update(extra_env or {})
    return subprocess.run([BOOTSTRAP, mode], env=env, capture_output=True, text=True, timeout=60)


def test_bootstrap_as_user_prints_the_apt_get_line_and_stops(shims):
    b, log = shims
    r = run_bootstrap(b, "build", {"FAKE_UID": "1000"})
    assert r.returncode == 1, r
    want = subprocess.run([BOOTSTRAP, "--list", "build"], capture_output=True,
                          text=True).stdout.split()
    line = [x for x in r.stderr.splitlines() if "apt-get install" in x]
    assert line and line[0].split()[-len(want):] == want, r.stderr
    assert not log.exists(), "nothing installed without root"


def test_bootstrap_as_root_installs_the_missing_packages(shims):
    b, log = shims
    r = run_bootstrap(b, "build")
    assert r.returncode == 0, r
    calls = log.read_text().splitlines()
    assert calls[0].startswith("apt-get update"), calls
    assert "nginx-dev" in calls[1].split() and "libwebsockets-dev" in calls[1].split(), calls


def test_bootstrap_keeps_a_foreign_nodejs_and_its_npm(shims, tmp_path):
    """NodeSource's nodejs conflicts with Debian's npm: neither is asked for when `node` and
    `npm` exist; both are when neither does."""
    b, log = shims
    shim(str(b), "node", "exit 0")
    shim(str(b), "npm", "exit 0")
    r = run_bootstrap(b, "demo", {"FAKE_UID": "1000"})
    line = [x for x in r.stderr.splitlines() if "apt-get install" in x][0].split()
    assert "nodejs" not in line and "npm" not in line, line
    os.remove(os.path.join(b, "node"))
    os.remove(os.path.join(b, "npm"))
    nonode = tmp_path / "nonode"
    nonode.mkdir()
    for tool in ("bash", "dirname", "cat", "echo", "sha256sum", "cut"):
        os.symlink(shutil.which(tool), nonode / tool)
    r = run_bootstrap(b, "demo", {"FAKE_UID": "1000"}, path_tail=str(nonode))
    line = [x for x in r.stderr.splitlines() if "apt-get install" in x][0].split()
    assert "nodejs" in line and "npm" in line, line


def test_bootstrap_installs_the_npm_packages_from_the_lockfile(tmp_path):
    """In a clean copy without node_modules, `npm ci` runs (a recording npm here: the real
    install is the registry's business) and a second run is a no-op."""
    clean_copy(str(tmp_path / "src"))
    b = tmp_path / "bin"
    b.mkdir()
    calls = tmp_path / "npm-calls"
    shim(str(b), "npm", 'echo "npm $*" >> %s; mkdir -p node_modules' % calls)
    env = dict(os.environ, PATH="%s:%s" % (b, os.environ["PATH"]), PYLON_GENESIS="/dev/null")
    for _ in range(2):
        r = subprocess.run([str(tmp_path / "src" / "t" / "bootstrap.sh"), "demo"], env=env,
                           capture_output=True, text=True, timeout=60)
        assert r.returncode == 0, r
    assert calls.read_text().splitlines() == ["npm ci --no-audit --no-fund --loglevel=error"]


def test_make_demo_from_a_clean_copy():
    """`make demo` (DEMO_ONESHOT=1) in a clean copy builds the module, starts the chain, sets a
    subnet up and prints its neurons, the weights read back from the chain and the commitment
    read back.  node_modules is linked from this tree to save the download (the npm install
    path is the test above)."""
    reason = chainlib.unavailable()
    if reason:
        pytest.skip(reason)
    # not under pytest's 0700 tmp_path: nginx's `user nobody` must reach the demo's cache
    # (nginx -t checks that)
    top = tempfile.mkdtemp(prefix="pylon-clean-")
    os.chmod(top, 0o755)
    src = os.path.join(top, "src")
    clean_copy(src)
    os.symlink(os.path.realpath(os.path.join(ROOT, "t", "js", "node_modules")),
               os.path.join(src, "t", "js", "node_modules"))
    env = dict(os.environ, DEMO_ONESHOT="1", PYLON_GENESIS=chainlib.genesis_path())
    env.pop("MAKEFLAGS", None)
    log = os.path.join(top, "make-demo.log")
    with open(log, "w") as f:
        p = subprocess.Popen(["make", "-j2", "demo"], cwd=src, env=env, stdout=f,
                             stderr=subprocess.STDOUT, start_new_session=True)
        try:
            rc = p.wait(timeout=1200)
        except subprocess.TimeoutExpired:
            os.killpg(p.pid, 15)
            p.wait()
            rc = "timeout"
    out = open(log).read()
    assert rc == 0, "make demo: %s\n%s" % (rc, out[-5000:])
    shutil.rmtree(top, ignore_errors=True)
    assert "(4 neurons)" in out, out[-4000:]
    assert "weights on chain (SubtensorModule.Weights" in out
    weights = out.split("read back:")[1].split("==")[0]
    assert "uid 1    65535 / 65535" in weights and "uid 3    16384 / 65535" in weights, weights
    assert '{"detail":"Commitment set successfully."}' in out
    commit_hex = out.split('{"commitment": "')[1].split('"')[0]
    assert '"commitment":"%s"' % commit_hex in out, "the commitment read back"
    assert "epoch" in out and "PUT weights" in out, "the example validator ran"
    assert "pylon_cache_hits_total" in out
    assert '{"status_code":404,"detail":"Not Found"}' in out or '"status_code": 404' in out


def test_dockerignore_keeps_build_output_out_of_the_context():
    lines = open(os.path.join(ROOT, ".dockerignore")).read().split()
    for p in ("build", "t/js/node_modules", ".git"):
        assert p in lines, p
