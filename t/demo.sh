#!/usr/bin/env bash
# make demo: build the module, start a chain and nginx, show live answers.
#
#   make demo                      local chain (chopsticks, raonet genesis)
#   PYLON_NETWORK=finney make demo the public network instead of a local one
#   DEMO_ONESHOT=1 make demo       print the answers and stop (used by tests)
#
# The genesis is found at $PYLON_GENESIS, else ../shared/chain/raonet.json,
# else it is downloaded from the subtensor repository (needs internet).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
demo=$root/build/demo
rm -rf "$demo"
mkdir -p "$demo"/{conf,logs,tmp,data}
chmod 755 "$demo" "$root/build"

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pids=()
cleanup() {
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
}
trap cleanup EXIT INT TERM

network=${PYLON_NETWORK:-}
if [ -z "$network" ]; then
    genesis=${PYLON_GENESIS:-$root/../shared/chain/raonet.json}
    if [ ! -f "$genesis" ]; then
        genesis=$demo/raonet.json
        echo "demo: downloading the raonet genesis from the subtensor repository"
        curl -fsSL -o "$genesis" \
            https://raw.githubusercontent.com/opentensor/subtensor/main/scripts/specs/raonet.json
    fi
    "$root/t/js/install.sh"
    port=$(free_port)
    echo "demo: starting a local subtensor chain (chopsticks) on 127.0.0.1:$port"
    for attempt in 1 2 3 4 5; do
        (cd "$demo" && exec node \
            "$root/t/js/node_modules/@acala-network/chopsticks/chopsticks.cjs" \
            --config="$root/t/chain/chopsticks.yml" --genesis="$genesis" \
            --port="$port" --host=127.0.0.1 > "$demo/chopsticks.log" 2>&1) &
        chain=$!
        for _ in $(seq 1 900); do
            grep -q 'RPC listening' "$demo/chopsticks.log" && break
            kill -0 "$chain" 2>/dev/null || { cat "$demo/chopsticks.log"; exit 1; }
            sleep 0.1
        done
        sleep 0.5
        # genesis mode races a 3 s slot boundary now and then: start again
        grep -q 'build block failed' "$demo/chopsticks.log" || break
        echo "demo: chopsticks failed to build block #1 (slot race), restarting"
        kill "$chain"; wait "$chain" 2>/dev/null || true
    done
    pids+=("$chain")
    port=$(grep -o 'ws://[0-9.]*:[0-9]*' "$demo/chopsticks.log" | head -1 | sed 's/.*://')
    network=ws://127.0.0.1:$port
    newblock() {
        /usr/bin/python3 - "$network" <<'PY'
import asyncio, json, sys, websockets
async def main():
    async with websockets.connect(sys.argv[1], max_size=None) as ws:
        await ws.send(json.dumps({"jsonrpc": "2.0", "id": 1, "method": "dev_newBlock", "params": [{"count": 1}]}))
        while json.loads(await ws.recv()).get("id") != 1:
            pass
asyncio.run(main())
PY
    }
else
    newblock() { sleep 12; }
fi

http_port=$(free_port)
user=""
[ "$(id -u)" = 0 ] && user="user nobody nogroup;"
# conf.example, pointed at this build, this chain and a private prefix
sed -e "s#/usr/lib/nginx/modules/ngx_pylon_module.so#$root/build/ngx_pylon_module.so#" \
    -e "s#^user www-data;#$user#" \
    -e "s#/var/log/nginx/#$demo/logs/#" \
    -e "s#/run/nginx-pylon.pid#$demo/logs/nginx.pid#" \
    -e "s#/var/cache/nginx/pylon#$demo/data/cache max_size=64m#; s#max_size=64m max_size=1g#max_size=64m#" \
    -e "s#pylon_network finney;#pylon_network $network;#" \
    -e "s#listen 127.0.0.1:8000;#listen 127.0.0.1:$http_port;#" \
    -e "s#^http {#http {\n    client_body_temp_path $demo/tmp/body; proxy_temp_path $demo/tmp/proxy;\n    fastcgi_temp_path $demo/tmp/fastcgi; uwsgi_temp_path $demo/tmp/uwsgi;\n    scgi_temp_path $demo/tmp/scgi;#" \
    conf.example > "$demo/conf/nginx.conf"

nginx -p "$demo/" -c conf/nginx.conf -t
nginx -p "$demo/" -c conf/nginx.conf -g 'daemon off;' &
pids+=($!)

base=http://127.0.0.1:$http_port
show() {
    echo "\$ curl -s $base$1"
    curl -s "$base$1"; echo
}
for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/block/latest")" = 200 ] && break
    sleep 0.1
done
echo
echo "demo: nginx with ngx_pylon on $base, following $network"
echo
show /api/v1/block/latest
echo "\$ curl -si $base/api/v1/block/latest  (headers)"
curl -si "$base/api/v1/block/latest" | sed -n '1p;/ETag/p;/Content-Type/p'
echo
for _ in 1 2; do
    newblock
    sleep 0.5
    show /api/v1/block/latest
done
show /api/v1/no/such/route
echo "\$ curl -s -X POST $base/api/v1/block/latest"
curl -s -X POST "$base/api/v1/block/latest"; echo
echo
if [ -n "${DEMO_ONESHOT:-}" ]; then
    exit 0
fi
echo "demo: running; press Ctrl-C to stop (logs in $demo/logs)"
wait
