/*
 * bench_gzip_level.c: the gzip copy's level (make bench).
 *
 * The bodies of the recorded finney block 6852690 (subnet 1, 1024
 * neurons, spec 343, $PYLON_SHARED/fixtures) rendered once, then
 * compressed with libdeflate at levels 1..9: the best time of the runs
 * for all of one subnet's bodies and the bytes they come to, so the
 * level of PYLON_GZIP_LEVEL (store/gzip.h) can be chosen by CPU per head
 * against bytes per answer.
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jansson.h>
#include <libdeflate.h>

#include "bittensor/subnet.h"
#include "chain/hex.h"
#include "chain/metadata.h"


#define RUNS    20
#define BODIES  4096


static uint8_t  *bodies[BODIES];
static size_t    lens[BODIES];
static size_t    nbodies, produced;


static double
now_ms(void)
{
    struct timespec  ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);

    return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}


static int
keep(void *data, const char *route, const char *item, const uint8_t *body,
    size_t len)
{
    if (nbodies == BODIES || (bodies[nbodies] = malloc(len + 1)) == NULL) {
        return -1;
    }

    memcpy(bodies[nbodies], body, len);
    lens[nbodies++] = len;
    produced += len;

    return 0;
}


static uint8_t *
call_result(json_t *calls, const char *method, size_t *len)
{
    const char  *key, *hex;
    json_t      *resp;
    uint8_t     *out;

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

        return out;
    }

    return NULL;
}


int
main(void)
{
    int                    i, level;
    size_t                 k, out, got, cap;
    double                 best, t0, t1;
    uint8_t               *buf;
    struct libdeflate_compressor  *c;
    char                   path[1024], err[256], *text;
    size_t                 len, n;
    uint8_t               *blob;
    json_t                *rec, *calls;
    json_error_t           je;
    pylon_meta_t          *m;
    const char            *shared;
    pylon_subnet_input_t   in;
    FILE                  *f;

    shared = getenv("PYLON_SHARED");
    if (shared == NULL) {
        shared = "../shared";
    }

    snprintf(path, sizeof(path), "%s/fixtures/metadata-v15-spec343.txt",
             shared);
    f = fopen(path, "r");
    if (f == NULL) {
        printf("bench_data_render: skipped, %s not found\n", path);
        return 0;
    }
    fseek(f, 0, SEEK_END);
    len = (size_t) ftell(f);
    fseek(f, 0, SEEK_SET);
    text = malloc(len + 1);
    if (text == NULL || fread(text, 1, len, f) != len) {
        return 1;
    }
    fclose(f);
    text[len] = '\0';

    if (pylon_hex_decode_text(&blob, &n, text, len) != 0
        || pylon_meta_parse(&m, blob, n, err, sizeof(err)) != 0)
    {
        printf("bench_data_render: metadata: %s\n", err);
        return 1;
    }
    free(text);
    free(blob);

    snprintf(path, sizeof(path), "%s/fixtures/sdk-websocket-responses.json",
             shared);
    rec = json_load_file(path, 0, &je);
    calls = json_object_get(json_object_get(rec, "metagraph"), "state_call");

    memset(&in, 0, sizeof(in));
    in.meta = m;
    in.block = 6852690;
    in.hash = "0xdb13c066e2c63969f140164fb3bfe7a0aaa7b71407fc0fe525d68e5"
              "7329ef9d0";
    in.neurons = call_result(calls, "get_neurons_lite", &in.neurons_len);
    in.state = call_result(calls, "get_subnet_state", &in.state_len);

    if (in.neurons == NULL || in.state == NULL) {
        printf("bench_data_render: recording without the subnet calls\n");
        return 1;
    }

        if (pylon_subnet_render(&in, keep, NULL, err, sizeof(err)) != 0) {
        printf("bench_gzip_level: render: %s\n", err);
        return 1;
    }

    cap = 2 * 1024 * 1024;
    buf = malloc(cap);
    if (buf == NULL) {
        return 1;
    }

    for (level = 1; level <= 9; level++) {
        c = libdeflate_alloc_compressor(level);
        if (c == NULL) {
            return 1;
        }

        best = 1e9;
        out = 0;

        for (i = 0; i < RUNS; i++) {
            t0 = now_ms();
            out = 0;
            for (k = 0; k < nbodies; k++) {
                got = libdeflate_gzip_compress(c, bodies[k], lens[k], buf,
                                               cap);
                out += got;
            }
            t1 = now_ms() - t0;
            if (t1 < best) {
                best = t1;
            }
        }

        libdeflate_free_compressor(c);

        printf("gzip copy, level %d: %zu bodies, %zu B -> %zu B (%.1f %%) "
               "in best %.2f ms per subnet\n", level, nbodies, produced, out,
               100.0 * out / produced, best);
    }

    return 0;
}
