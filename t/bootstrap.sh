#!/usr/bin/env bash
# What `make demo` and `make test` need on a fresh Debian 12, in one place.
#
#   t/bootstrap.sh build|demo|test|dist   install what is missing for that
#   t/bootstrap.sh --list build|...       print the Debian packages, one line
#
# Debian packages: the missing ones are installed with apt-get when run as
# root; otherwise the exact `apt-get install` line is printed and the script
# fails.  Node.js from another repository (NodeSource, ...) ships its own
# npm and conflicts with Debian's: npm is only asked for when no `npm`
# command exists, nodejs only when no `node` command exists.
# Then (demo, test) the test-only npm packages (t/js/install.sh, a no-op when
# they match the lockfile) and the chain genesis: $PYLON_GENESIS, else
# $PYLON_SHARED/chain/raonet.json (../shared), else build/chain/raonet.json,
# downloaded once from the subtensor repository.
# PYLON_BOOTSTRAP=0 skips everything (machines managed by other means).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)

# --- the package lists: the only place they are written -----------------
PKGS_BUILD="build-essential dpkg-dev nginx nginx-dev libwebsockets-dev
    libjansson-dev libsodium-dev liblmdb-dev libxxhash-dev libssl-dev
    libdeflate-dev"
PKGS_DEMO="python3 python3-websockets curl openssl ca-certificates"
PKGS_TEST="python3-pytest perl valgrind wrk lmdb-utils clang
    libclang-rt-14-dev"
# make deb, make image and their tests (make test-dist)
PKGS_DIST="debhelper fakeroot mmdebstrap podman"

mode=build
list=""
case "${1:-}" in
    --list) list=1; mode=${2:-test} ;;
    "") ;;
    *) mode=$1 ;;
esac

case "$mode" in
    build) pkgs="$PKGS_BUILD" ;;
    demo)  pkgs="$PKGS_BUILD $PKGS_DEMO" ;;
    test)  pkgs="$PKGS_BUILD $PKGS_DEMO $PKGS_TEST" ;;
    dist)  pkgs="$PKGS_BUILD $PKGS_DEMO $PKGS_TEST $PKGS_DIST" ;;
    *) echo "usage: $0 [--list] build|demo|test|dist" >&2; exit 2 ;;
esac
pkgs=$(echo $pkgs)

if [ -n "$list" ]; then
    [ "$mode" = build ] || pkgs="$pkgs nodejs npm"
    echo "$pkgs"
    exit 0
fi
[ "${PYLON_BOOTSTRAP:-1}" = 0 ] && exit 0

have=" $(dpkg-query -W -f='${Package}=${db:Status-Status} ' $pkgs \
          2>/dev/null || true)"
missing=""
for p in $pkgs; do
    case "$have" in *" $p=installed "*) ;; *) missing="$missing $p" ;; esac
done
if [ "$mode" != build ]; then
    command -v node > /dev/null || missing="$missing nodejs"
    command -v npm > /dev/null || missing="$missing npm"
fi
missing=${missing# }

if [ -n "$missing" ]; then
    line="apt-get install -y --no-install-recommends $missing"
    if [ "$(id -u)" != 0 ]; then
        echo "bootstrap: missing Debian packages; as root, run:" >&2
        echo "  $line" >&2
        exit 1
    fi
    echo "bootstrap: $line"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    apt-get install -y -qq --no-install-recommends $missing > /dev/null
fi

[ "$mode" = build ] && exit 0

"$root/t/js/install.sh"

shared=${PYLON_SHARED:-$root/../shared}
genesis=${PYLON_GENESIS:-}
[ -n "$genesis" ] || [ ! -f "$shared/chain/raonet.json" ] ||
    genesis=$shared/chain/raonet.json
if [ -z "$genesis" ] && [ ! -s "$root/build/chain/raonet.json" ]; then
    echo "bootstrap: downloading the raonet genesis from the subtensor repository"
    mkdir -p "$root/build/chain"
    if curl -fsSL -o "$root/build/chain/raonet.json.tmp" \
        https://raw.githubusercontent.com/opentensor/subtensor/main/scripts/specs/raonet.json
    then
        mv "$root/build/chain/raonet.json.tmp" "$root/build/chain/raonet.json"
    else
        rm -f "$root/build/chain/raonet.json.tmp"
        echo "bootstrap: no genesis (set PYLON_GENESIS): the real-chain" \
             "tests will skip and make demo cannot start a local chain" >&2
    fi
fi
exit 0
