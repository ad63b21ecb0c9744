#!/usr/bin/env bash
# make deb: libnginx-mod-http-pylon_*.deb the Debian way (debian/, dh with
# nginx-dev's nginx sequence), built from a copy of the tracked tree in
# build/deb/src so the working build/ is left alone.  Prints the .deb path.
set -euo pipefail
root=$(cd "$(dirname "$0")/../.." && pwd)
out=$root/build/deb
src=$out/src/ngx-pylon
rm -rf "$out"
mkdir -p "$src"
cd "$root"
git ls-files -z --cached --others --exclude-standard |
    xargs -0 cp --parents -P -t "$src" 2>/dev/null || true
rm -rf "$src/build" "$src/t/js/node_modules"
cd "$src"
dpkg-buildpackage -us -uc -b -j2 > "$out/build.log" 2>&1 ||
    { tail -40 "$out/build.log"; exit 1; }
ls "$out"/src/libnginx-mod-http-pylon_*.deb
