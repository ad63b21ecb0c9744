/*
 * bench_abi.c: Solidity ABI log decoding in pure C (-O2 library), the
 * work the helper does per log of POST .../evm/contracts/{a}/logs:
 *
 *   - ERC-20 Transfer logs decoded from binary topics + data into the
 *     args JSON (pylon_abi_event_decode), and
 *   - the same logs as an eth_getLogs JSON result (already parsed by
 *     jansson) rendered into Pylon's EvmLog objects (hex parsing, topic
 *     match, decode, EIP-55 of three addresses), and
 *   - a log of a contract event with a dynamic array of tuples.
 *
 * Prints logs per second; no pass/fail.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>

#include "chain/arena.h"
#include "evm/abi_event.h"
#include "evm/evm_log.h"

#define NLOGS  10000


static double
now(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec + ts.tv_nsec / 1e9;
}


static void
report(const char *what, long n, double secs)
{
    printf("%-46s %10.0f logs/s  (%.2f us/log, n=%ld)\n", what, n / secs,
           secs / n * 1e6, n);
}


static const char  erc20[] =
    "[{\"type\":\"event\",\"name\":\"Transfer\",\"inputs\":["
    "{\"name\":\"from\",\"type\":\"address\",\"indexed\":true},"
    "{\"name\":\"to\",\"type\":\"address\",\"indexed\":true},"
    "{\"name\":\"value\",\"type\":\"uint256\",\"indexed\":false}]},"
    "{\"type\":\"event\",\"name\":\"Approval\",\"inputs\":["
    "{\"name\":\"owner\",\"type\":\"address\",\"indexed\":true},"
    "{\"name\":\"spender\",\"type\":\"address\",\"indexed\":true},"
    "{\"name\":\"value\",\"type\":\"uint256\",\"indexed\":false}]},"
    "{\"type\":\"event\",\"name\":\"Batch\",\"inputs\":["
    "{\"name\":\"id\",\"type\":\"uint64\",\"indexed\":true},"
    "{\"name\":\"items\",\"type\":\"tuple[]\",\"components\":["
    "{\"name\":\"who\",\"type\":\"address\"},"
    "{\"name\":\"amount\",\"type\":\"uint128\"},"
    "{\"name\":\"memo\",\"type\":\"string\"}]}]}]";


int
main(void)
{
    int                 comma;
    long                i, reps;
    char                err[160];
    size_t              n, nt, count, k;
    double              t0, t1;
    json_t             *abi, *logs, *log, *args, *topics;
    uint8_t             tp[5][32];
    pylon_buf_t         data, out;
    pylon_arena_t      *a;
    pylon_abi_event_t  *ev;
    char                hex[3 + 2 * 4096];

    a = pylon_arena_create();
    abi = json_loads(erc20, 0, NULL);
    if (a == NULL || abi == NULL
        || pylon_abi_events_from_json(a, abi, &ev, &n, err, sizeof(err)) != 0)
    {
        fprintf(stderr, "bench_abi: setup failed\n");
        return 1;
    }

    /* one Transfer log, encoded by our encoder */
    args = json_loads("{\"from\":"
                      "\"0x52908400098527886E0F7030069857D2E4169EE7\","
                      "\"to\":\"0x8617E340B3D01FA5F11F306F4090FD50E238070D\","
                      "\"value\":\"1000000000000000000000\"}", 0, NULL);
    pylon_buf_init(&data);
    if (pylon_abi_event_encode(&ev[0], args, tp, &nt, &data, err,
                               sizeof(err)) != 0)
    {
        fprintf(stderr, "bench_abi: %s\n", err);
        return 1;
    }

    pylon_buf_init(&out);
    reps = 200000;
    t0 = now();
    for (i = 0; i < reps; i++) {
        out.len = 0;
        pylon_abi_event_decode(&out, &ev[0], (const uint8_t (*)[32]) tp, nt,
                               data.data, data.len, err, sizeof(err));
    }
    t1 = now();
    report("ERC-20 Transfer args decode (binary)", reps, t1 - t0);

    /* the same as an eth_getLogs result of NLOGS logs */
    logs = json_array();
    for (i = 0; i < NLOGS; i++) {
        char th[67];

        topics = json_array();
        for (k = 0; k < nt; k++) {
            snprintf(hex, sizeof(hex), "0x");
            for (size_t j = 0; j < 32; j++) {
                snprintf(hex + 2 + 2 * j, 3, "%02x", tp[k][j]);
            }
            json_array_append_new(topics, json_string(hex));
        }
        snprintf(hex, sizeof(hex), "0x");
        for (size_t j = 0; j < data.len; j++) {
            snprintf(hex + 2 + 2 * j, 3, "%02x", data.data[j]);
        }
        snprintf(th, sizeof(th), "0x%064lx", (unsigned long) i);
        log = json_pack("{s:s,s:o,s:s,s:s,s:s,s:s,s:s}",
                        "address", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed",
                        "topics", topics, "data", hex,
                        "blockNumber", "0x1234", "transactionHash", th,
                        "transactionIndex", "0x1", "logIndex", "0x2");
        json_array_append_new(logs, log);
    }

    reps = 0;
    t0 = now();
    do {
        out.len = 0;
        comma = 0;
        pylon_evm_logs_render(&out, ev, n, logs, &comma, &count);
        reps += (long) count;
        t1 = now();
    } while (t1 - t0 < 1.0);
    report("ERC-20 Transfer EvmLog render (eth_getLogs)", reps, t1 - t0);
    json_decref(logs);

    /* Batch(uint64 indexed, (address,uint128,string)[]) with 8 items */
    json_decref(args);
    args = json_loads("{\"id\":7,\"items\":["
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",1,\"a\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",2,\"bb\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",3,\"ccc\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",4,\"dddd\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",5,\"eeeee\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",6,\"ffffff\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",7,\"g\"],"
        "[\"0x52908400098527886E0F7030069857D2E4169EE7\",8,\"h\"]]}",
        0, NULL);
    data.len = 0;
    if (pylon_abi_event_encode(&ev[2], args, tp, &nt, &data, err,
                               sizeof(err)) != 0)
    {
        fprintf(stderr, "bench_abi: %s\n", err);
        return 1;
    }
    reps = 50000;
    t0 = now();
    for (i = 0; i < reps; i++) {
        out.len = 0;
        pylon_abi_event_decode(&out, &ev[2], (const uint8_t (*)[32]) tp, nt,
                               data.data, data.len, err, sizeof(err));
    }
    t1 = now();
    report("tuple[8] (address,uint128,string) decode", reps, t1 - t0);

    json_decref(args);
    json_decref(abi);
    pylon_buf_free(&data);
    pylon_buf_free(&out);
    pylon_arena_destroy(a);
    return 0;
}
