"""The distribution forms, proven (make test-dist; heavy, not part of make test):

- the container image builds from the Dockerfile with docker or podman and passes `nginx -t`
  inside (the Dockerfile's last step);
- `make deb` gives libnginx-mod-http-pylon, which installs into a fresh mmdebstrap chroot with
  Debian's nginx and passes `nginx -t` there, with conf.example and with Debian's own nginx.conf.

Skipped with the reason where no engine, no debian:12 base image, no mmdebstrap or no mirror."""
import glob
import os
import shutil
import subprocess
import time
import urllib.request

import pytest

from harness import ROOT

pytestmark = pytest.mark.skipif(
    os.environ.get("PYLON_TEST_DIST") != "1",
    reason="distribution tests (image build, package install: minutes, downloads) run with "
           "`make test-dist`")

MIRROR = os.environ.get("PYLON_DEBIAN_MIRROR", "http://deb.debian.org/debian")
SECURITY = os.environ.get("PYLON_DEBIAN_SECURITY", "http://deb.debian.org/debian-security")


def mirror_reachable():
    try:
        urllib.request.urlopen(MIRROR + "/dists/bookworm/Release", timeout=10).close()
        return True
    except OSError:
        return False


def engine():
    r = subprocess.run([os.path.join(ROOT, "t", "dist", "image.sh"), "engine"],
                       capture_output=True, text=True)
    return r.stdout.strip() if r.returncode == 0 else None


def test_image_builds_and_passes_nginx_t():
    e = engine()
    if not e:
        pytest.skip("no container engine (docker daemon or podman)")
    if subprocess.run([e, "image", "inspect", "debian:12"], capture_output=True).returncode:
        pytest.skip("no debian:12 base image (mmdebstrap --variant=apt bookworm x.tar && "
                    "%s import x.tar debian:12)" % e)
    if not mirror_reachable():
        pytest.skip("the Debian mirror %s is not reachable" % MIRROR)
    tag = "ngx-pylon-test"
    t0 = time.time()
    r = subprocess.run([os.path.join(ROOT, "t", "dist", "image.sh"), "build", tag],
                       capture_output=True, text=True, timeout=1800)
    took = time.time() - t0
    out = r.stdout + r.stderr
    assert r.returncode == 0, out[-4000:]
    print("image build: %.0f s" % took)
    assert "pylon.conf test is successful" in out, out[-3000:]
    # the module in the image loads (the last RUN step's nginx -t above) and is ours
    r = subprocess.run([e, "image", "inspect", tag], capture_output=True, text=True)
    assert r.returncode == 0


def test_deb_installs_into_a_fresh_chroot_and_passes_nginx_t(tmp_path):
    if not shutil.which("mmdebstrap"):
        pytest.skip("mmdebstrap is not installed (apt-get install mmdebstrap)")
    if not shutil.which("dpkg-buildpackage") or not os.path.exists("/usr/bin/dh_nginx"):
        pytest.skip("debhelper and nginx-dev (dh_nginx) are needed for make deb")
    if os.geteuid() != 0:
        pytest.skip("mmdebstrap's chroot mode needs root here")
    if not mirror_reachable():
        pytest.skip("the Debian mirror %s is not reachable" % MIRROR)
    deb = os.environ.get("PYLON_DEB")        # a package built before (make deb)
    if not deb:
        t0 = time.time()
        r = subprocess.run([os.path.join(ROOT, "t", "dist", "deb.sh")], capture_output=True,
                           text=True, timeout=1800)
        assert r.returncode == 0, r.stdout[-3000:] + r.stderr[-3000:]
        print("make deb: %.0f s" % (time.time() - t0))
        debs = glob.glob(os.path.join(ROOT, "build", "deb", "src",
                                      "libnginx-mod-http-pylon_*.deb"))
        assert len(debs) == 1, debs
        deb = debs[0]

    info = subprocess.run(["dpkg-deb", "-f", deb, "Depends"], capture_output=True,
                          text=True).stdout
    assert "nginx-abi-" in info, info
    files = subprocess.run(["dpkg-deb", "-c", deb], capture_output=True, text=True).stdout
    for f in ("./usr/lib/nginx/modules/ngx_pylon_module.so",
              "./usr/share/nginx/modules-available/mod-http-pylon.conf",
              "./usr/bin/pylon-key", "./usr/bin/pylon-xt"):
        assert f in files, (f, files)

    out = tmp_path / "chroot.log"
    script = " && ".join([
        "apt-get install -y -q /tmp/pkg/%s" % os.path.basename(deb),
        "test -L /etc/nginx/modules-enabled/50-mod-http-pylon.conf",
        "mkdir -p /var/cache/nginx",
        "nginx -t -c /usr/share/doc/libnginx-mod-http-pylon/examples/conf.example",
        "nginx -t",
        "pylon-key inspect //Alice | grep -q 5GrwvaEF5zXb26Fz9rcQpDWS57CtERHpNehXCPcNoHGKutQY",
        "echo CHROOT-OK",
    ])
    t0 = time.time()
    r = subprocess.run(
        ["mmdebstrap", "--variant=apt", "--include=nginx", "--quiet",
         "--customize-hook=mkdir -p \"$1/tmp/pkg\"",
         "--customize-hook=copy-in %s /tmp/pkg" % deb,
         "--customize-hook=chroot \"$1\" sh -c '%s' > %s 2>&1" % (script, out),
         "bookworm", "/dev/null",
         "deb %s bookworm main" % MIRROR,
         "deb %s bookworm-updates main" % MIRROR,
         "deb %s bookworm-security main" % SECURITY],
        capture_output=True, text=True, timeout=1800)
    log = out.read_text() if out.exists() else ""
    print("chroot install + nginx -t: %.0f s" % (time.time() - t0))
    assert r.returncode == 0, r.stderr[-3000:] + log[-3000:]
    assert "CHROOT-OK" in log, log[-3000:]
    assert "conf.example test is successful" in log, log[-3000:]
