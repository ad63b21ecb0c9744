#!/usr/bin/env bash
# make demo: build the module, start a chain and nginx, show a validator's day.
#
#   make demo                      local chain (chopsticks, raonet genesis)
#   PYLON_NETWORK=finney make demo the public network instead (reads only)
#   DEMO_ONESHOT=1 make demo       print the answers and stop (used by tests)
#   DEMO_EPOCHS=N                  epochs of examples/validator.py (default 2)
#
# On the local chain: a subnet with a validator (a wallet made here, identity
# "demo" in nginx) and three miners (t/chain/setup.mjs, as the tests do);
# then its neurons and validators, a PUT of weights read back from the chain,
# a commitment posted and read back, /metrics, the same through TLS, the
# example validator for a few epochs, and new blocks until Ctrl-C.
# The genesis is found at $PYLON_GENESIS, else ../shared/chain/raonet.json,
# else build/chain/raonet.json (t/bootstrap.sh downloads it there).
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
cd "$root"
demo=$root/build/demo
rm -rf "$demo"
mkdir -p "$demo"/{conf,logs,tmp,data}
chmod 755 "$demo" "$root/build"
# what the workers and the helper use must be reachable by nginx's `user`
# (nobody when run as root); a checkout under /root is not: use /tmp then
run=$demo
if [ "$(id -u)" = 0 ] && ! su -s /bin/sh nobody -c "test -x '$demo'" 2>/dev/null; then
    run=$(mktemp -d /tmp/pylon-demo.XXXXXX)
    chmod 755 "$run"
    mkdir -p "$run"/{tmp,data}
fi

free_port() {
    /usr/bin/python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}

pids=()
cleanup() {
    rc=$?
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
    wait 2>/dev/null || true
    [ "$run" = "$demo" ] || rm -rf "$run"
    if [ "$rc" != 0 ] && [ -f "$demo/chopsticks.log" ]; then
        echo "demo: failed; the last lines of chopsticks.log and error.log:" >&2
        tail -15 "$demo/chopsticks.log" >&2
        tail -15 "$demo/logs/error.log" >&2 2>/dev/null || true
    fi
}
trap cleanup EXIT
trap "exit 130" INT TERM

network=${PYLON_NETWORK:-}
if [ -z "$network" ]; then
    genesis=${PYLON_GENESIS:-${PYLON_SHARED:-$root/../shared}/chain/raonet.json}
    if [ ! -f "$genesis" ]; then
        "$root/t/bootstrap.sh" demo
        genesis=$root/build/chain/raonet.json
    fi
    "$root/t/js/install.sh"
    port=$(free_port)
    echo "demo: starting a local subtensor chain (chopsticks) on 127.0.0.1:$port"
    chain=""
    for attempt in $(seq 1 10); do
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
        chain=""
    done
    [ -n "$chain" ] || { echo "demo: chopsticks kept failing to build block #1" >&2; exit 1; }
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
    jump() {      # one block `$1` numbers ahead: past a rate limit at once
        /usr/bin/python3 - "$network" "$1" <<'PY'
import asyncio, json, sys, websockets
async def rpc(ws, i, method, params):
    await ws.send(json.dumps({"jsonrpc": "2.0", "id": i, "method": method, "params": params}))
    while True:
        m = json.loads(await ws.recv())
        if m.get("id") == i:
            return m["result"]
async def main():
    async with websockets.connect(sys.argv[1], max_size=None) as ws:
        head = int((await rpc(ws, 1, "chain_getHeader", []))["number"], 16)
        await rpc(ws, 2, "dev_newBlock", [{"count": 1, "unsafeBlockHeight": head + int(sys.argv[2])}])
asyncio.run(main())
PY
    }
    # the validator's wallet: a hotkey file made here from a fixed seed
    seed=$(printf 'ngx_pylon make demo validator' | sha256sum | cut -c1-64)
    /usr/bin/python3 - "$root/build/pylon-key" "$seed" "$demo/wallets" <<'PY'
import json, os, subprocess, sys
key, seed, root = sys.argv[1:]
out = subprocess.run([key, "inspect", "0x" + seed], capture_output=True, text=True,
                     check=True).stdout
pub = out.split("Public key (hex):")[1].split()[0]
ss58 = out.split("SS58 Address:")[1].split()[0]
os.makedirs(os.path.join(root, "demo", "hotkeys"))
with open(os.path.join(root, "demo", "hotkeys", "demo"), "w") as f:
    json.dump({"secretSeed": "0x" + seed, "publicKey": pub, "accountId": pub,
               "ss58Address": ss58}, f)
PY
    echo "demo: a subnet with a validator and 3 miners (t/chain/setup.mjs, signed extrinsics)"
    info=$(VALIDATOR_SURI=0x$seed timeout 300 node "$root/t/chain/setup.mjs" "$network" 3 | tail -1)
    netuid=$(echo "$info" | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)["netuid"])')
    hotkeys=$(echo "$info" | /usr/bin/python3 -c 'import json,sys; print(" ".join(json.load(sys.stdin)["hotkeys"]))')
    set -- $hotkeys
    validator=$1 m1=$2 m2=$3 m3=$4
    timeout 300 node "$root/t/chain/writes.mjs" "$network" serve "$netuid" "0x$seed" 10.0.0.1 8091 > /dev/null
    echo "demo: subnet $netuid, validator $validator"
else
    newblock() { sleep 12; }
fi

http_port=$(free_port)
tls_port=$(free_port)
user=""
[ "$(id -u)" = 0 ] && user="user nobody nogroup;"
token=demo-token
printf 'demo-metrics' > "$demo/conf/metrics.token"
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 -nodes \
    -days 1 -subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
    -keyout "$demo/conf/tls.key" -out "$demo/conf/tls.crt" 2> /dev/null
{
    echo "    pylon_metrics_token file=$demo/conf/metrics.token;"
    if [ -n "${netuid:-}" ]; then
        echo "    pylon_wallet_path $demo/wallets;"
        echo "    pylon_identity demo wallet=demo hotkey=demo netuid=$netuid token=$token;"
        echo "    pylon_weights_retry 20 1s; pylon_commitment_retry 3 1s;"
    fi
    echo "    server {"
    echo "        listen 127.0.0.1:$tls_port ssl;"
    echo "        ssl_certificate $demo/conf/tls.crt;"
    echo "        ssl_certificate_key $demo/conf/tls.key;"
    echo "        location / { pylon_subnet on; }"
    echo "    }"
} > "$demo/conf/extra.conf"
# conf.example, pointed at this build, this chain and a private prefix
sed -e "s#/usr/lib/nginx/modules/ngx_pylon_module.so#$root/build/ngx_pylon_module.so#" \
    -e "s#^user www-data;#$user#" \
    -e "s#/var/log/nginx/#$demo/logs/#" \
    -e "s#/run/nginx-pylon.pid#$demo/logs/nginx.pid#" \
    -e "s#/var/cache/nginx/pylon#$run/data/cache max_size=64m#; s#max_size=64m max_size=1g#max_size=64m#" \
    -e "s#pylon_network finney;#pylon_network $network;#" \
    -e "s#listen 127.0.0.1:8000;#listen 127.0.0.1:$http_port;#" \
    -e "s#^http {#http {\n    client_body_temp_path $run/tmp/body; proxy_temp_path $run/tmp/proxy;\n    fastcgi_temp_path $run/tmp/fastcgi; uwsgi_temp_path $run/tmp/uwsgi;\n    scgi_temp_path $run/tmp/scgi;#" \
    conf.example | awk -v extra="$(cat "$demo/conf/extra.conf")" \
        '{ print } /^http \{/ { print extra }' > "$demo/conf/nginx.conf"

nginx -p "$demo/" -c conf/nginx.conf -t
nginx -p "$demo/" -c conf/nginx.conf -g 'daemon off;' &
pids+=($!)

base=http://127.0.0.1:$http_port
show() {      # show PATH [KIND]: the request, then the answer shortened
    echo "\$ curl -s $base$1"
    curl -s "$base$1" | /usr/bin/python3 "$root/t/demo_show.py" "${2:-raw}"
}
say() { echo; echo "== $*"; }
for _ in $(seq 1 300); do
    [ "$(curl -s -o /dev/null -w '%{http_code}' "$base/api/v1/block/latest")" = 200 ] && break
    sleep 0.1
done
echo
echo "demo: nginx with ngx_pylon on $base (TLS on 127.0.0.1:$tls_port), following $network"
say "the chain's head, served from the cache (ETag, 304 on If-None-Match)"
show /api/v1/block/latest
curl -si "$base/api/v1/block/latest" | sed -n '1p;/ETag/p;/Content-Type/p'

if [ -n "${netuid:-}" ]; then
    newblock
    sub=/api/v1/subnet/$netuid/block/latest
    for _ in $(seq 1 100); do
        [ "$(curl -s -o /dev/null -w '%{http_code}' "$base$sub/neurons")" = 200 ] && break
        sleep 0.1
    done
    say "subnet $netuid: neurons and validators (refreshed by the helper every block)"
    show "$sub/neurons" neurons
    show "$sub/validators" validators

    say "the validator sets weights: PUT, then the chain is read back (polkadot-js)"
    auth=(-H "Authorization: Bearer $token" -H 'Content-Type: application/json')
    echo "\$ curl -s -X PUT $base/api/v1/identity/demo/subnet/$netuid/weights -d '{\"weights\": {uid1: 1.0, uid2: 0.5, uid3: 0.25}}'"
    curl -s -X PUT "${auth[@]}" "$base/api/v1/identity/demo/subnet/$netuid/weights" \
        -d "{\"weights\": {\"$m1\": 1.0, \"$m2\": 0.5, \"$m3\": 0.25}}"; echo
    got=""
    for _ in $(seq 1 30); do
        newblock; sleep 0.3
        state=$(timeout 300 node "$root/t/chain/writes.mjs" "$network" state "$netuid" "$validator" 0 | tail -1)
        case "$state" in *'"weights":[['*) got=1; break ;; esac
    done
    echo "weights on chain (SubtensorModule.Weights[$netuid][uid 0]), read back:"
    echo "$state" | /usr/bin/python3 "$root/t/demo_show.py" weights
    [ -n "$got" ] || { echo "demo: the weights did not land"; tail -20 "$demo/logs/error.log"; exit 1; }

    say "the validator posts a commitment (201 once it is in a block), read back"
    jump 500                       # past the rate limit of setup.mjs's commitment
    text=$(printf 'demo %s' "$(date -u +%H:%M:%S)")
    hex=0x$(printf '%s' "$text" | od -An -tx1 | tr -d ' \n')
    echo "\$ curl -s -X POST $base/api/v1/identity/demo/subnet/$netuid/commitments -d '{\"commitment\": \"$hex\"}'   (\"$text\")"
    curl -s -X POST "${auth[@]}" -H 'X-Pylon-Timeout: 60' \
        "$base/api/v1/identity/demo/subnet/$netuid/commitments" \
        -d "{\"commitment\": \"$hex\"}" > "$demo/commit.out" &
    post=$!
    for _ in $(seq 1 40); do
        kill -0 $post 2>/dev/null || break
        newblock; sleep 0.3
    done
    wait $post || true
    cat "$demo/commit.out"; echo
    own=/api/v1/identity/demo/subnet/$netuid/block/latest/commitments/self
    for _ in $(seq 1 20); do
        curl -s "${auth[@]}" "$base$own" | grep -q "$hex" && break
        newblock; sleep 0.3
    done
    echo "\$ curl -s -H 'Authorization: Bearer ...' $base$own"
    curl -s "${auth[@]}" "$base$own"; echo
    show "$sub/commitments" commitments
    echo "(timelocked commitments: Pylon's API has no route for them; on subnets with"
    echo " commit-reveal on, PUT weights is itself a CRv4 timelocked commit)"
fi

say "/metrics (Bearer token from pylon_metrics_token)"
echo "\$ curl -s -H 'Authorization: Bearer demo-metrics' $base/metrics"
curl -s -H 'Authorization: Bearer demo-metrics' "$base/metrics" |
    /usr/bin/python3 "$root/t/demo_show.py" metrics

say "the same through TLS (nginx's ssl on the same cache)"
echo "\$ curl -s --cacert tls.crt https://127.0.0.1:$tls_port/api/v1/block/latest"
curl -s --cacert "$demo/conf/tls.crt" "https://127.0.0.1:$tls_port/api/v1/block/latest"; echo
if [ -n "${netuid:-}" ]; then
    curl -s --cacert "$demo/conf/tls.crt" "https://127.0.0.1:$tls_port$sub/neurons" |
        /usr/bin/python3 -c 'import json,sys; b=json.load(sys.stdin); print("  %d neurons at block %s over TLS" % (len(b["neurons"]), b["block"]["number"]))'
fi

say "errors keep Pylon's envelope"
show /api/v1/no/such/route
echo "\$ curl -s -X POST $base/api/v1/block/latest"
curl -s -X POST "$base/api/v1/block/latest"; echo

if [ -n "${netuid:-}" ]; then
    epochs=${DEMO_EPOCHS:-2}
    say "examples/validator.py for $epochs epochs of 3 blocks (reads neurons each block, PUTs weights each epoch)"
    /usr/bin/python3 "$root/examples/validator.py" --url "$base" --identity demo \
        --token "$token" --netuid "$netuid" --hotkey "$validator" \
        --epoch-blocks 3 --epochs "$epochs" --poll 0.2 &
    val=$!
    for _ in $(seq 1 $((epochs * 3 + 4))); do
        kill -0 $val 2>/dev/null || break
        newblock; sleep 0.6
    done
    wait $val || { echo "demo: the example validator failed"; exit 1; }
    for _ in 1 2 3; do newblock; sleep 0.3; done     # its last PUT lands
    state=$(timeout 300 node "$root/t/chain/writes.mjs" "$network" state "$netuid" "$validator" 0 | tail -1)
    echo "weights on chain after the example validator (its last epoch's, max-normalised):"
    echo "$state" | /usr/bin/python3 "$root/t/demo_show.py" weights
fi
echo
if [ -n "${DEMO_ONESHOT:-}" ]; then
    exit 0
fi
echo "demo: following new blocks (one every 3 s on the local chain); Ctrl-C to stop"
echo "      nginx on $base, logs in $demo/logs"
while true; do
    newblock
    sleep 0.5
    line=$(curl -s "$base/api/v1/block/latest")
    if [ -n "${netuid:-}" ]; then
        n=$(curl -s "$base$sub/neurons" | /usr/bin/python3 -c 'import json,sys; print(len(json.load(sys.stdin)["neurons"]))' 2>/dev/null || echo '?')
        echo "$(date -u +%T) $line  subnet $netuid: $n neurons"
    else
        echo "$(date -u +%T) $line"
    fi
    [ -n "${netuid:-}" ] && sleep 2.5
done
