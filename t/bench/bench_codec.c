/*
 * bench_codec: speed of the chain codec on recorded mainnet data, and the
 * same work done by polkadot-js in the same run (a ratio, not a timing
 * that depends on the machine).
 *
 *   1. parse the V15 metadata of spec 343 (296 KB)
 *   2. decode + render to JSON text get_neurons_lite(1) (1024 neurons,
 *      186 KB) and get_subnet_state(1) (223 KB) of finney block 6852690
 *   3. polkadot-js decoding the same bytes with the same metadata
 *      (t/oracle/codec_decode.mjs --bench: createType + toJSON +
 *      JSON.stringify), when node and t/js/node_modules are present
 *
 * Times are the best of several runs on both sides (the machine may be
 * shared; the minimum is the least disturbed figure).
 *
 * Not a test: it prints figures and fails only when data is missing.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "chain/decode.h"
#include "chain/hex.h"
#include "chain/metadata.h"
#include "chain/runtime_api.h"
#include "chain/value.h"


static double
now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


static char *
slurp(const char *path, size_t *len)
{
    FILE  *f;
    char  *buf;
    long   n;

    f = fopen(path, "rb");
    if (f == NULL) {
        return NULL;
    }

    fseek(f, 0, SEEK_END);
    n = ftell(f);
    fseek(f, 0, SEEK_SET);

    buf = malloc(n + 1);
    if (buf == NULL || fread(buf, 1, n, f) != (size_t) n) {
        free(buf);
        fclose(f);
        return NULL;
    }

    buf[n] = '\0';
    fclose(f);
    *len = n;

    return buf;
}


/* write the recorded hex of a state_call to a file for the node oracle */
static uint8_t *
recorded(json_t *calls, const char *method, size_t *len, const char *file)
{
    const char  *key, *hex;
    json_t      *resp;
    uint8_t     *out;
    FILE        *f;

    json_object_foreach(calls, key, resp) {
        if (strstr(key, method) == NULL) {
            continue;
        }

        hex = json_string_value(json_object_get(resp, "result"));
        if (hex == NULL
            || pylon_hex_decode_alloc(&out, len, hex, strlen(hex)) != 0)
        {
            return NULL;
        }

        f = fopen(file, "w");
        if (f) {
            fputs(hex, f);
            fclose(f);
        }

        return out;
    }

    return NULL;
}


/* best ms of one polkadot-js run on one call, or -1 */
static double
polkadot_js(const char *root, const char *meta, const char *call,
    const char *hexfile, int runs)
{
    char    cmd[4096], line[256];
    FILE   *p;
    double  ms;

    snprintf(cmd, sizeof(cmd),
             "node '%s/t/oracle/codec_decode.mjs' '%s' '%s' '%s' --bench %d "
             "2>&1 >/dev/null", root, meta, call, hexfile, runs);

    p = popen(cmd, "r");
    if (p == NULL) {
        return -1;
    }

    ms = -1;
    while (fgets(line, sizeof(line), p)) {
        if (sscanf(line, "bench_ms %lf", &ms) == 1) {
            break;
        }
    }

    pclose(p);

    return ms;
}


/* best ms of one decode + render to JSON text (the fast path) */
static double
c_decode_render(const pylon_meta_t *m, const char *api, const char *method,
    const uint8_t *b, size_t len, int runs, size_t *outlen)
{
    pylon_buf_t  out;
    double       t0, best;
    char         err[160];
    int          i;

    best = 1e9;

    for (i = 0; i < runs; i++) {
        t0 = now_ms();
        pylon_buf_init(&out);

        if (pylon_runtime_api_decode_text(&out, m, api, method, b, len, err,
                                          sizeof(err)) != 0)
        {
            fprintf(stderr, "bench_codec: %s\n", err);
            exit(1);
        }

        *outlen = out.len;
        pylon_buf_free(&out);

        if (now_ms() - t0 < best) {
            best = now_ms() - t0;
        }
    }

    return best;
}


/* best ms reading uid, hotkey, stake of every neuron through value.h */
static double
c_accessors(const pylon_meta_t *m, const uint8_t *b, size_t len, int runs,
    uint64_t *check)
{
    pylon_val_iter_t   it;
    pylon_val_t        all, n, f, e;
    const uint8_t     *key;
    uint64_t           x, sum;
    size_t             klen;
    double             t0, best;
    int                i;

    best = 1e9;

    for (i = 0; i < runs; i++) {
        t0 = now_ms();
        sum = 0;

        if (pylon_runtime_api_value(&all, m, "NeuronInfoRuntimeApi",
                                    "get_neurons_lite", b, len, NULL, 0) != 0
            || pylon_val_iter(&it, &all) != 0)
        {
            exit(1);
        }

        while (pylon_val_next(&it, &n) == 1) {
            if (pylon_val_field(&f, &n, "uid") != 0
                || pylon_val_uint(&x, &f) != 0)
            {
                exit(1);
            }
            sum += x;

            if (pylon_val_field(&f, &n, "hotkey") != 0
                || pylon_val_bytes(&key, &klen, &f) != 0)
            {
                exit(1);
            }
            sum += key[0];

            if (pylon_val_field(&f, &n, "stake") != 0
                || pylon_val_index(&e, &f, 0) != 0
                || pylon_val_index(&f, &e, 1) != 0
                || pylon_val_uint(&x, &f) != 0)
            {
                exit(1);
            }
            sum += x;
        }

        *check = sum;

        if (now_ms() - t0 < best) {
            best = now_ms() - t0;
        }
    }

    return best;
}


/* mean ms through a jansson tree and json_dumps (the accessor path) */
static double
c_decode_tree(const pylon_meta_t *m, const char *api, const char *method,
    const uint8_t *b, size_t len, int runs)
{
    json_t  *j;
    char    *s, err[160];
    double   t0;
    int      i;

    t0 = now_ms();

    for (i = 0; i < runs; i++) {
        j = pylon_runtime_api_decode(m, api, method, b, len, err,
                                     sizeof(err));
        if (j == NULL) {
            fprintf(stderr, "bench_codec: %s\n", err);
            exit(1);
        }

        s = json_dumps(j, JSON_COMPACT);
        free(s);
        json_decref(j);
    }

    return (now_ms() - t0) / runs;
}


int
main(void)
{
    const char    *shared, *root;
    pylon_meta_t  *m;
    json_t        *rec, *calls;
    uint8_t       *blob, *nl, *ss;
    size_t         len, nllen, sslen, outnl, outss;
    char           meta[2048], path[2048], *text, err[160];
    char           nlhex[] = "/tmp/bench_codec_nl.hex";
    char           sshex[] = "/tmp/bench_codec_ss.hex";
    double         t0, parse_ms, c_nl, c_ss, js_nl, js_ss, tree;
    int            i, runs;

    shared = getenv("PYLON_SHARED") ? getenv("PYLON_SHARED") : "../shared";
    root = getenv("PYLON_ROOT") ? getenv("PYLON_ROOT") : ".";

    snprintf(meta, sizeof(meta), "%s/fixtures/metadata-v15-spec343.txt",
             shared);

    text = slurp(meta, &len);
    if (text == NULL || pylon_hex_decode_text(&blob, &len, text, len) != 0) {
        fprintf(stderr, "bench_codec: %s missing (set PYLON_SHARED)\n", meta);
        return 1;
    }

    free(text);

    /* 1. metadata parse (best of 50) */
    parse_ms = 1e9;
    for (i = 0; i < 50; i++) {
        t0 = now_ms();
        if (pylon_meta_parse(&m, blob, len, err, sizeof(err)) != 0) {
            fprintf(stderr, "bench_codec: %s\n", err);
            return 1;
        }
        pylon_meta_free(m);
        if (now_ms() - t0 < parse_ms) {
            parse_ms = now_ms() - t0;
        }
    }

    pylon_meta_parse(&m, blob, len, err, sizeof(err));

    /* 2. decode + render */
    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             shared);
    rec = json_load_file(path, 0, NULL);
    calls = json_object_get(json_object_get(rec, "metagraph"), "state_call");

    nl = recorded(calls, "get_neurons_lite", &nllen, nlhex);
    ss = recorded(calls, "get_subnet_state", &sslen, sshex);
    json_decref(rec);

    if (nl == NULL || ss == NULL) {
        fprintf(stderr, "bench_codec: recorded calls missing\n");
        return 1;
    }

    runs = 50;
    c_nl = c_decode_render(m, "NeuronInfoRuntimeApi", "get_neurons_lite", nl,
                           nllen, runs, &outnl);
    c_ss = c_decode_render(m, "SubnetInfoRuntimeApi", "get_subnet_state", ss,
                           sslen, runs, &outss);

    printf("codec: metadata V15 spec 343 (%zu bytes) parse      %8.3f ms\n",
           len, parse_ms);
    printf("codec: C neurons_lite(1), %zu B -> %zu B of JSON    %8.3f ms\n",
           nllen, outnl, c_nl);
    printf("codec: C subnet_state(1), %zu B -> %zu B of JSON    %8.3f ms\n",
           sslen, outss, c_ss);
    printf("codec: C decode+render both                          %8.3f ms "
           "(target < 5 ms)\n", c_nl + c_ss);

    runs = 10;
    tree = c_decode_tree(m, "NeuronInfoRuntimeApi", "get_neurons_lite", nl,
                         nllen, runs)
           + c_decode_tree(m, "SubnetInfoRuntimeApi", "get_subnet_state", ss,
                           sslen, runs);
    printf("codec: C both via jansson tree + json_dumps          %8.3f ms\n",
           tree);

    {
        uint64_t  check;
        double    acc;

        acc = c_accessors(m, nl, nllen, 50, &check);
        printf("codec: C typed accessors, 1024 x (uid, hotkey, stake) %7.3f "
               "ms\n", acc);
    }

    /* 3. polkadot-js, same bytes, same metadata, same run */
    js_nl = polkadot_js(root, meta, "NeuronInfoRuntimeApi_get_neurons_lite",
                        nlhex, 20);
    js_ss = polkadot_js(root, meta, "SubnetInfoRuntimeApi_get_subnet_state",
                        sshex, 20);

    if (js_nl > 0 && js_ss > 0) {
        printf("codec: polkadot-js neurons_lite(1)                   "
               "%8.3f ms (%.1fx)\n", js_nl, js_nl / c_nl);
        printf("codec: polkadot-js subnet_state(1)                   "
               "%8.3f ms (%.1fx)\n", js_ss, js_ss / c_ss);
        printf("codec: polkadot-js both                              "
               "%8.3f ms -> C is %.1fx faster (target >= 20x)\n",
               js_nl + js_ss, (js_nl + js_ss) / (c_nl + c_ss));
    } else {
        printf("codec: polkadot-js not available (node, t/js/node_modules): "
               "no ratio\n");
    }

    unlink(nlhex);
    unlink(sshex);
    free(nl);
    free(ss);
    free(blob);
    pylon_meta_free(m);

    return 0;
}
