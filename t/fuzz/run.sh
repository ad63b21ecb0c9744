#!/usr/bin/env bash
# Coverage-guided fuzzing (libFuzzer, clang + ASan + UBSan) of the parsers
# that read untrusted input: request bodies and X-Pylon-Timeout (from
# clients), JSON-RPC messages and metadata (from chain nodes), Solidity
# ABI data and event ABIs (from EVM nodes and clients).  Each target
# runs FUZZ_SECONDS (default 20) from a small seed corpus; a crash fails.
# Prints "N passed, N failed".  Skips when clang's libFuzzer is missing.
set -uo pipefail
cd "$(dirname "$0")/../.."
secs=${FUZZ_SECONDS:-20}
command -v clang >/dev/null || { echo "fuzz: clang not installed, skipped"; exit 0; }
out=build/fuzz
mkdir -p "$out"
srcs=$(find src/chain src/crypto src/bittensor src/store src/evm -name '*.c' | sort)
flags="-std=gnu11 -g -O1 -Isrc -fsanitize=fuzzer,address,undefined"
libs="-lsodium -ljansson -lxxhash -llmdb -ldeflate -lssl -lcrypto -lm"
pass=0 fail=0
for t in t/fuzz/fuzz_*.c; do
    name=$(basename "$t" .c)
    if ! clang $flags "$t" $srcs $libs -o "$out/$name" 2> "$out/$name.build.log"; then
        if grep -q "fuzzer" "$out/$name.build.log"; then
            echo "fuzz: libFuzzer not available, skipped"; exit 0
        fi
        cat "$out/$name.build.log"; fail=$((fail + 1)); continue
    fi
    corpus="$out/$name.corpus"
    mkdir -p "$corpus"
    printf '\x01{"weights":{"5F":1.0}}' > "$corpus/seed1"
    printf '\x02{"commitment":"0xab"}' > "$corpus/seed2"
    printf '{"jsonrpc":"2.0","id":1,"result":"0x00"}' > "$corpus/seed3"
    printf '(uint8,bytes)[],string\n%064x%064x' 64 1 > "$corpus/seed4"
    printf '[{"type":"event","name":"T","inputs":[{"name":"a","type":"uint256"},{"name":"b","type":"tuple[]","components":[{"name":"x","type":"string"}]}]}]\x00\x01' \
        > "$corpus/seed5"
    if "$out/$name" -max_total_time="$secs" -rss_limit_mb=2048 -print_final_stats=1 \
         -artifact_prefix="$out/$name-" "$corpus" > "$out/$name.log" 2>&1; then
        echo "fuzz: $name ok ($(grep -o 'stat::number_of_executed_units: [0-9]*' \
             "$out/$name.log" | grep -o '[0-9]*$' || echo '?') runs)"
        pass=$((pass + 1))
    else
        tail -40 "$out/$name.log"; fail=$((fail + 1))
    fi
done
echo "$pass passed, $fail failed"
[ "$fail" = 0 ]
